/**
 * Monitoring over the platform's REST API (both modes: the platform computes it; see monitor.ts for the
 * interface): the requests, and the reading of their answers, checked at the edge so the Health page can
 * trust every figure it charts. A series is given every step of its window, quiet ones included.
 */
import {
  activeAlertStates,
  agentHealthStatuses,
  alertMetrics,
  channelTestOutcomes,
  checkStatuses,
  comparisons,
  incidentEventTypes,
  incidentStatuses,
  metricSteps,
  notificationChannelTypes,
  probeExpectations,
  ruleStates,
  severities,
  stepMs,
  type ActiveAlert,
  type AgentHealth,
  type AlertRule,
  type AlertStatus,
  type ChannelDelivery,
  type ChannelTestOutcome,
  type CheckSample,
  type CreatedNotificationChannel,
  type DependencyCheck,
  type InboxNotification,
  type Incident,
  type IncidentEvent,
  type IncidentFilter,
  type MonitorOverview,
  type MonitorSeries,
  type MonitorSource,
  type NotificationChannel,
  type OutboxEmail,
  type Probe,
  type ProbeRun,
  type ProbeStatus,
  type RuleCondition,
  type RuleFilter,
  type RulePreview,
  type SeriesPoint,
  type SeriesRequest,
  type SlaReport,
  type SlaRequest,
  type SlaTarget,
} from "../monitor";
import { sendPlatformRequest } from "../platform";
import { asSignedIn, requestAsSignedIn } from "../session";
import {
  field,
  isBoolean,
  isCount,
  isInstant,
  isNullableString,
  isNumber,
  isOneOf,
  isString,
  isStringArray,
  list,
  optional,
  parseWith,
  record,
  ShapeError,
  within,
} from "./shape";

const monitorPath = "/v1/monitor";
export const overviewPath = `${monitorPath}/overview`;
export const seriesPath = `${monitorPath}/series`;
export const incidentsPath = `${monitorPath}/incidents`;
export const rulesPath = `${monitorPath}/rules`;
export const rulePreviewPath = `${rulesPath}/preview`;
export const probesPath = `${monitorPath}/probes`;
export const channelsPath = `${monitorPath}/channels`;
export const outboxPath = `${monitorPath}/outbox`;
export const inboxPath = `${monitorPath}/inbox`;
export const slaPath = `${monitorPath}/sla`;

const rulePath = (ruleId: string) => `${rulesPath}/${encodeURIComponent(ruleId)}`;
const probePath = (agentId: string) => `${probesPath}/${encodeURIComponent(agentId)}`;
const channelPath = (channelId: string) => `${channelsPath}/${encodeURIComponent(channelId)}`;
const alertPath = (ruleId: string, action: "acknowledge" | "silence") =>
  `${monitorPath}/alerts/${encodeURIComponent(ruleId)}/${action}`;

export function seriesRequestPath(request: SeriesRequest): string {
  const query = new URLSearchParams({
    from: request.from,
    to: request.to,
    step: request.step,
    kind: request.kind,
  });
  if (request.agentId !== undefined) query.set("agentId", request.agentId);
  return `${seriesPath}?${query.toString()}`;
}

export function incidentsRequestPath(filter: IncidentFilter | undefined): string {
  return filter === undefined ? incidentsPath : `${incidentsPath}?status=${filter}`;
}

export function slaRequestPath(request: SlaRequest, format?: "csv"): string {
  const query = new URLSearchParams({ month: request.month, target: String(request.targetPercent) });
  if (format) query.set("format", format);
  return `${slaPath}?${query.toString()}`;
}

export const restMonitor: MonitorSource = {
  async getMonitorOverview(signal) {
    const body = await requestAsSignedIn(overviewPath, { signal });
    return parseWith(() => parseMonitorOverview(body), `GET ${overviewPath}`, overviewPath, "an overview");
  },
  async getMonitorSeries(request, signal) {
    const path = seriesRequestPath(request);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseMonitorSeries(body), `GET ${path}`, path, "a series");
  },
  async listIncidents(filter, signal) {
    const path = incidentsRequestPath(filter);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(
      () => list(body, "incidents").map((v, i) => within(`incidents[${i}]`, () => parseIncident(v))),
      `GET ${path}`,
      path,
      "a list of incidents",
    );
  },
  async acknowledgeAlert(ruleId) {
    const path = alertPath(ruleId, "acknowledge");
    const body = await requestAsSignedIn(path, { method: "POST" });
    return parseWith(() => parseAlertStatus(body), `POST ${path}`, path, "an alert's state");
  },
  async silenceAlert(ruleId, minutes) {
    const path = alertPath(ruleId, "silence");
    const body = await requestAsSignedIn(path, { method: "POST", body: { minutes } });
    return parseWith(() => parseAlertStatus(body), `POST ${path}`, path, "an alert's state");
  },

  async listAlertRules(signal) {
    const body = await requestAsSignedIn(rulesPath, { signal });
    return parseWith(
      () => list(body, "rules").map((v, i) => within(`rules[${i}]`, () => parseAlertRule(v))),
      `GET ${rulesPath}`,
      rulesPath,
      "a list of alert rules",
    );
  },
  async createAlertRule(input) {
    const body = await requestAsSignedIn(rulesPath, { method: "POST", body: input });
    return parseWith(() => parseAlertRule(body), `POST ${rulesPath}`, rulesPath, "an alert rule");
  },
  async updateAlertRule(ruleId, patch) {
    const path = rulePath(ruleId);
    const body = await requestAsSignedIn(path, { method: "PATCH", body: patch });
    return parseWith(() => parseAlertRule(body), `PATCH ${path}`, path, "an alert rule");
  },
  async deleteAlertRule(ruleId) {
    await requestAsSignedIn(rulePath(ruleId), { method: "DELETE" });
  },
  async previewAlertRule(input, signal) {
    const body = await requestAsSignedIn(rulePreviewPath, { method: "POST", body: input, signal });
    return parseWith(
      () => parseRulePreview(body),
      `POST ${rulePreviewPath}`,
      rulePreviewPath,
      "a rule preview",
    );
  },

  async listProbes(signal) {
    const body = await requestAsSignedIn(probesPath, { signal });
    return parseWith(
      () => list(body, "probes").map((v, i) => within(`probes[${i}]`, () => parseProbe(v))),
      `GET ${probesPath}`,
      probesPath,
      "a list of probes",
    );
  },
  async saveProbe(agentId, settings) {
    const { question, expect, mustContain, everyMinutes, enabled } = settings;
    await requestAsSignedIn(probePath(agentId), {
      method: "PUT",
      body: { question, expect, mustContain, everyMinutes, enabled },
    });
  },
  async deleteProbe(agentId) {
    await requestAsSignedIn(probePath(agentId), { method: "DELETE" });
  },

  async listNotificationChannels(signal) {
    const body = await requestAsSignedIn(channelsPath, { signal });
    return parseWith(
      () => list(body, "channels").map((v, i) => within(`channels[${i}]`, () => parseChannel(v))),
      `GET ${channelsPath}`,
      channelsPath,
      "a list of notification channels",
    );
  },
  async createNotificationChannel(input) {
    const body = await requestAsSignedIn(channelsPath, { method: "POST", body: input });
    return parseWith(
      () => parseCreatedChannel(body),
      `POST ${channelsPath}`,
      channelsPath,
      "a notification channel",
    );
  },
  async deleteNotificationChannel(channelId) {
    await requestAsSignedIn(channelPath(channelId), { method: "DELETE" });
  },
  async testNotificationChannel(channelId) {
    const path = `${channelPath(channelId)}/test`;
    const body = await requestAsSignedIn(path, { method: "POST" });
    return parseWith(() => parseTestOutcome(body, channelId), `POST ${path}`, path, "a test's outcome");
  },
  async rotateChannelSecret(channelId) {
    const path = `${channelPath(channelId)}/rotate-secret`;
    const body = await requestAsSignedIn(path, { method: "POST" });
    return parseWith(
      () => field(record(body, "body"), "secret", isSecret),
      `POST ${path}`,
      path,
      "a signing secret",
    );
  },
  async listOutbox(signal) {
    const body = await requestAsSignedIn(outboxPath, { signal });
    return parseWith(
      () => list(body, "emails").map((v, i) => within(`emails[${i}]`, () => parseOutboxEmail(v))),
      `GET ${outboxPath}`,
      outboxPath,
      "a list of emails",
    );
  },
  async listInbox(signal) {
    const body = await requestAsSignedIn(inboxPath, { signal });
    return parseWith(
      () =>
        list(body, "notifications").map((v, i) =>
          within(`notifications[${i}]`, () => parseInboxNotification(v)),
        ),
      `GET ${inboxPath}`,
      inboxPath,
      "a list of notifications",
    );
  },

  async getSlaReport(request, signal) {
    const path = slaRequestPath(request);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseSlaReport(body), `GET ${path}`, path, "an SLA report");
  },
  async downloadSlaCsv(request) {
    const path = slaRequestPath(request, "csv");
    const response = await asSignedIn(path, (token) =>
      sendPlatformRequest(path, { token, accept: "text/csv" }),
    );
    return response.blob();
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

const isShare = (v: unknown): v is number => isNumber(v) && v >= 0 && v <= 1;
const isNullableShare = (v: unknown): v is number | null => v === null || isShare(v);
const isNullableLatency = (v: unknown): v is number | null => v === null || (isNumber(v) && v >= 0);
const isSecret = (v: unknown): v is string => isString(v) && v !== "";

function listOf<T>(r: Record<string, unknown>, key: string, parse: (v: unknown) => T): T[] {
  return field(r, key, Array.isArray).map((v, i) => within(`${key}[${i}]`, () => parse(v)));
}

function parseCheckSample(value: unknown): CheckSample {
  const s = record(value, "sample");
  return {
    at: field(s, "at", isInstant),
    status: field(s, "status", isOneOf(checkStatuses)),
    latencyMs: optional(s, "latencyMs", isNumber, null),
  };
}

function parseCheck(value: unknown): DependencyCheck {
  const c = record(value, "check");
  return {
    name: field(c, "name", isString),
    status: field(c, "status", isOneOf(checkStatuses)),
    latencyMs: optional(c, "latencyMs", isNumber, null),
    detail: optional(c, "detail", isString, null),
    checkedAt: optional(c, "checkedAt", isInstant, null),
    history: listOf(c, "history", parseCheckSample),
  };
}

function parseProbeRun(value: unknown): ProbeRun {
  const r = record(value, "last");
  return {
    ok: field(r, "ok", isBoolean),
    at: field(r, "at", isInstant),
    ms: field(r, "ms", isNumber),
    outcome: field(r, "outcome", isString),
    detail: field(r, "detail", isString),
    traceId: optional(r, "traceId", isString, null),
  };
}

function parseProbeStatus(p: Record<string, unknown>): ProbeStatus {
  return {
    question: field(p, "question", isString),
    expect: field(p, "expect", isOneOf(probeExpectations)),
    mustContain: field(p, "mustContain", isStringArray),
    everyMinutes: field(p, "everyMinutes", isCount),
    enabled: field(p, "enabled", isBoolean),
    lastRunAt: optional(p, "lastRunAt", isInstant, null),
    last: p.last === null || p.last === undefined ? null : within("last", () => parseProbeRun(p.last)),
  };
}

/** One of `GET /v1/monitor/probes`'s probes. */
export function parseProbe(value: unknown): Probe {
  const p = record(value, "probe");
  return {
    agentId: field(p, "agentId", isString),
    ...parseProbeStatus(p),
    createdAt: field(p, "createdAt", isInstant),
    updatedAt: field(p, "updatedAt", isInstant),
  };
}

function parseAgentHealth(value: unknown): AgentHealth {
  const a = record(value, "agent");
  return {
    agentId: field(a, "agentId", isString),
    name: field(a, "name", isString),
    published: field(a, "published", isBoolean),
    turns: field(a, "turns", isCount),
    errorRate: field(a, "errorRate", isNullableShare),
    p95Ms: field(a, "p95Ms", isNullableLatency),
    abstentionRate: field(a, "abstentionRate", isNullableShare),
    status: field(a, "status", isOneOf(agentHealthStatuses)),
    probe: a.probe === null ? null : within("probe", () => parseProbeStatus(record(a.probe, "probe"))),
  };
}

function parseActiveAlert(value: unknown): ActiveAlert {
  const a = record(value, "alert");
  return {
    ruleId: field(a, "ruleId", isString),
    ruleName: field(a, "ruleName", isString),
    severity: field(a, "severity", isOneOf(severities)),
    state: field(a, "state", isOneOf(activeAlertStates)),
    since: optional(a, "since", isInstant, null),
    value: optional(a, "value", isNumber, null),
    incidentId: optional(a, "incidentId", isString, null),
    acknowledgedBy: optional(a, "acknowledgedBy", isString, null),
    silencedUntil: optional(a, "silencedUntil", isInstant, null),
  };
}

/** Reads `GET /v1/monitor/overview`'s answer. */
export function parseMonitorOverview(body: unknown): MonitorOverview {
  const b = record(body, "body");
  const w = within("window", () => record(b.window, "window"));
  return {
    generatedAt: field(b, "generatedAt", isInstant),
    status: field(b, "status", isOneOf(["ok", "degraded", "down"] as const)),
    window: within("window", () => ({ from: field(w, "from", isInstant), to: field(w, "to", isInstant) })),
    checks: listOf(b, "checks", parseCheck),
    agents: listOf(b, "agents", parseAgentHealth),
    activeAlerts: listOf(b, "activeAlerts", parseActiveAlert),
  };
}

function parsePoint(value: unknown): SeriesPoint {
  const p = record(value, "point");
  return {
    at: field(p, "at", isInstant),
    count: field(p, "count", isCount),
    errors: field(p, "errors", isCount),
    errorRate: field(p, "errorRate", isNullableShare),
    p50: field(p, "p50", isNullableLatency),
    p95: field(p, "p95", isNullableLatency),
    p99: field(p, "p99", isNullableLatency),
    abstained: field(p, "abstained", isCount),
    abstentionRate: field(p, "abstentionRate", isNullableShare),
    tokensIn: field(p, "tokensIn", isCount),
    tokensOut: field(p, "tokensOut", isCount),
  };
}

/** A step without traffic. */
export function quietPoint(at: string): SeriesPoint {
  return {
    at,
    count: 0,
    errors: 0,
    errorRate: null,
    p50: null,
    p95: null,
    p99: null,
    abstained: 0,
    abstentionRate: null,
    tokensIn: 0,
    tokensOut: 0,
  };
}

/** The most points a window is filled to (30 days of minutes): past it, the answer is taken as it is. */
const maxFilledPoints = 43_200;

/**
 * Reads `GET /v1/monitor/series`'s answer, with every step of `[from, to)` present, oldest first: a step the
 * platform left out is a quiet one. Points off the step grid are kept as sent (sorted), never merged.
 */
export function parseMonitorSeries(body: unknown): MonitorSeries {
  const b = record(body, "body");
  const step = field(b, "step", isOneOf(metricSteps));
  const from = field(b, "from", isInstant);
  const to = field(b, "to", isInstant);
  const points = listOf(b, "points", parsePoint).sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
  const size = stepMs[step];
  const start = Date.parse(from);
  const end = Date.parse(to);
  const onGrid = points.every((p) => (Date.parse(p.at) - start) % size === 0);
  if (!onGrid || end <= start || (end - start) / size > maxFilledPoints) return { step, from, to, points };
  const byTime = new Map(points.map((p) => [Date.parse(p.at), p]));
  const filled: SeriesPoint[] = [];
  for (let t = start; t < end; t += size) filled.push(byTime.get(t) ?? quietPoint(new Date(t).toISOString()));
  // Points outside the window (none, from a platform that keeps to it) are not dropped.
  const outside = points.filter((p) => Date.parse(p.at) < start || Date.parse(p.at) >= end);
  return { step, from, to, points: outside.length === 0 ? filled : [...filled, ...outside] };
}

function parseIncidentEvent(value: unknown): IncidentEvent {
  const e = record(value, "event");
  return {
    at: field(e, "at", isInstant),
    type: field(e, "type", isOneOf(incidentEventTypes)),
    value: optional(e, "value", isNumber, null),
    detail: optional(e, "detail", isString, ""),
  };
}

export function parseIncident(value: unknown): Incident {
  const i = record(value, "incident");
  return {
    id: field(i, "id", isString),
    ruleId: field(i, "ruleId", isString),
    ruleName: field(i, "ruleName", isString),
    metric: field(i, "metric", isOneOf(alertMetrics)),
    severity: field(i, "severity", isOneOf(severities)),
    status: field(i, "status", isOneOf(incidentStatuses)),
    openedAt: field(i, "openedAt", isInstant),
    firedAt: optional(i, "firedAt", isInstant, null),
    resolvedAt: optional(i, "resolvedAt", isInstant, null),
    peak: optional(i, "peak", isNumber, null),
    summary: field(i, "summary", isString),
    events: listOf(i, "events", parseIncidentEvent),
  };
}

/** An alert's state: what acknowledging or silencing answers, and a rule's `state`. */
export function parseAlertStatus(value: unknown): AlertStatus {
  const s = record(value, "state");
  return {
    state: field(s, "state", isOneOf(ruleStates)),
    since: optional(s, "since", isInstant, null),
    value: optional(s, "value", isNumber, null),
    acknowledgedBy: optional(s, "acknowledgedBy", isString, null),
    silencedUntil: optional(s, "silencedUntil", isInstant, null),
  };
}

function parseCondition(value: unknown): RuleCondition {
  const c = record(value, "condition");
  const type = field(c, "type", isOneOf(["threshold", "change", "absent"] as const));
  if (type === "threshold")
    return { type, op: field(c, "op", isOneOf(comparisons)), value: field(c, "value", isNumber) };
  if (type === "change") return { type, factor: field(c, "factor", isNumber) };
  return { type };
}

function parseFilter(value: unknown): RuleFilter {
  const f = record(value, "filter");
  const agentId = optional(f, "agentId", isString, undefined);
  const route = optional(f, "route", isString, undefined);
  const channel = optional(f, "channel", isString, undefined);
  return {
    ...(agentId !== undefined ? { agentId } : {}),
    ...(route !== undefined ? { route } : {}),
    ...(channel !== undefined ? { channel } : {}),
  };
}

export function parseAlertRule(value: unknown): AlertRule {
  const r = record(value, "rule");
  return {
    id: field(r, "id", isString),
    name: field(r, "name", isString),
    metric: field(r, "metric", isOneOf(alertMetrics)),
    filter: within("filter", () => parseFilter(r.filter ?? {})),
    condition: within("condition", () => parseCondition(r.condition)),
    windowMinutes: field(r, "windowMinutes", isCount),
    forMinutes: field(r, "forMinutes", isCount),
    minSamples: field(r, "minSamples", isCount),
    severity: field(r, "severity", isOneOf(severities)),
    renotifyMinutes: field(r, "renotifyMinutes", isCount),
    channels: field(r, "channels", isStringArray),
    enabled: field(r, "enabled", isBoolean),
    builtIn: field(r, "builtIn", isBoolean),
    createdAt: field(r, "createdAt", isInstant),
    updatedAt: field(r, "updatedAt", isInstant),
    state:
      r.state === null || r.state === undefined ? null : within("state", () => parseAlertStatus(r.state)),
  };
}

export function parseRulePreview(body: unknown): RulePreview {
  const b = record(body, "body");
  return {
    days: field(b, "days", isCount),
    evaluations: field(b, "evaluations", isCount),
    fired: field(b, "fired", isCount),
    firings: listOf(b, "firings", (v) => {
      const f = record(v, "firing");
      return {
        firedAt: field(f, "firedAt", isInstant),
        resolvedAt: optional(f, "resolvedAt", isInstant, null),
        peak: optional(f, "peak", isNumber, null),
      };
    }),
    minutesWithData: field(b, "minutesWithData", isCount),
  };
}

function parseDelivery(value: unknown): ChannelDelivery {
  const d = record(value, "delivery");
  return {
    at: field(d, "at", isInstant),
    ok: field(d, "ok", isBoolean),
    status: optional(d, "status", isNumber, null),
    error: optional(d, "error", isString, null),
  };
}

export function parseChannel(value: unknown): NotificationChannel {
  const c = record(value, "channel");
  return {
    id: field(c, "id", isString),
    type: field(c, "type", isOneOf(notificationChannelTypes)),
    name: field(c, "name", isString),
    url: optional(c, "url", isString, null),
    to: optional(c, "to", isStringArray, []),
    hasSecret: optional(c, "hasSecret", isBoolean, false),
    createdAt: field(c, "createdAt", isInstant),
    lastDelivery:
      c.lastDelivery === null || c.lastDelivery === undefined
        ? null
        : within("lastDelivery", () => parseDelivery(c.lastDelivery)),
  };
}

/** A new channel (`POST /v1/monitor/channels`), and a webhook's signing secret apart: told this once. */
export function parseCreatedChannel(body: unknown): CreatedNotificationChannel {
  return {
    channel: parseChannel(body),
    secret: optional(record(body, "body"), "secret", isSecret, undefined),
  };
}

/** What a test did for the channel tested (the answer lists each channel's delivery). */
export function parseTestOutcome(body: unknown, channelId: string): ChannelTestOutcome {
  const delivery = listOf(record(body, "body"), "deliveries", (v) => record(v, "delivery")).find(
    (d) => d.channelId === channelId,
  );
  if (!delivery) throw new ShapeError("deliveries");
  return field(delivery, "outcome", isOneOf(channelTestOutcomes));
}

/** An alert email as written for the Trigger Email extension (local mode sends none). */
function parseOutboxEmail(value: unknown): OutboxEmail {
  const e = record(value, "email");
  const message = within("message", () => record(e.message, "message"));
  return {
    id: field(e, "id", isString),
    to: field(e, "to", isStringArray),
    subject: within("message", () => field(message, "subject", isString)),
    text: within("message", () => field(message, "text", isString)),
    createdAt: field(e, "createdAt", isInstant),
  };
}

function parseInboxNotification(value: unknown): InboxNotification {
  const n = record(value, "notification");
  return {
    id: field(n, "id", isString),
    type: field(n, "type", isString),
    ruleName: field(n, "ruleName", isString),
    severity: field(n, "severity", isOneOf(severities)),
    summary: field(n, "summary", isString),
    at: field(n, "at", isInstant),
    incidentId: optional(n, "incidentId", isNullableString, null),
  };
}

function parseSlaTarget(value: unknown): SlaTarget {
  const t = record(value, "target");
  return {
    target: field(t, "target", isString),
    name: field(t, "name", isString),
    observedMinutes: field(t, "observedMinutes", isCount),
    failedMinutes: field(t, "failedMinutes", isCount),
    unobservedMinutes: field(t, "unobservedMinutes", isCount),
    availability: field(t, "availability", isNullableShare),
    errorBudgetMinutes: field(t, "errorBudgetMinutes", isNumber),
    errorBudgetRemainingMinutes: field(t, "errorBudgetRemainingMinutes", isNumber),
    met: optional(t, "met", isBoolean, null),
  };
}

/** Reads `GET /v1/monitor/sla`'s answer. */
export function parseSlaReport(body: unknown): SlaReport {
  const b = record(body, "body");
  return {
    month: field(b, "month", isString),
    targetPercent: field(b, "targetPercent", isNumber),
    definition: field(b, "definition", isString),
    targets: listOf(b, "targets", parseSlaTarget),
  };
}
