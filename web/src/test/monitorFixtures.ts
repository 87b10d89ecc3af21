/**
 * Acme Corp's monitoring as the platform answers it (functions/src/monitor: the overview, series, incidents,
 * rules, probes, notification channels and the SLA report) on Nov 25, 2026 at 15:00 UTC: the HR assistant is
 * failing since its model provider started timing out at 14:47, one alert fires and another is pending.
 */
import type { RecordedRequest } from "./platformFetch";
import { jsonResponse, type PlatformRoute } from "./platformFetch";

/** "Now" for monitoring tests. */
export const monitorNow = new Date("2026-11-25T15:00:00.000Z");

const at = (minutesBefore: number) => new Date(monitorNow.getTime() - minutesBefore * 60_000).toISOString();

/** A check's last `count` results, a minute apart, oldest first. */
function history(count: number, status: (i: number) => string, latencyMs: number) {
  return Array.from({ length: count }, (_, i) => ({
    at: at(count - i),
    status: status(i),
    latencyMs: status(i) === "down" ? null : latencyMs,
  }));
}

export const overview = {
  generatedAt: at(0),
  status: "degraded",
  window: { from: at(60), to: at(0) },
  checks: [
    {
      name: "docStore",
      status: "ok",
      latencyMs: 2.4,
      detail: "SQLite at emulator-data/local/alchemist.db",
      checkedAt: at(1),
      history: history(30, () => "ok", 2.4),
    },
    {
      name: "chatModel",
      status: "degraded",
      latencyMs: 8420,
      detail: "openai-compatible gpt-4o-mini answered in 8.4 s",
      checkedAt: at(1),
      // Fine until 14:47, then slow, with one time-out.
      history: history(30, (i) => (i < 17 ? "ok" : i === 25 ? "down" : "degraded"), 8420),
    },
    { name: "stripe", status: "unknown", latencyMs: null, detail: null, checkedAt: null, history: [] },
  ],
  agents: [
    {
      agentId: "agt_hr",
      name: "Acme HR assistant",
      published: true,
      turns: 96,
      errorRate: 8 / 96,
      p95Ms: 14_200,
      abstentionRate: 0.125,
      status: "failing",
      probe: {
        question: "How many vacation days do full-time employees receive per year?",
        expect: "answers",
        mustContain: ["25"],
        everyMinutes: 5,
        enabled: true,
        lastRunAt: at(3),
        last: {
          ok: false,
          at: at(3),
          ms: 10_012,
          outcome: "failed",
          detail: "The turn failed: the model provider timed out",
          traceId: "tr_probe_17",
        },
      },
    },
    {
      agentId: "agt_it",
      name: "IT helpdesk",
      published: false,
      turns: 0,
      errorRate: null,
      p95Ms: null,
      abstentionRate: null,
      status: "idle",
      probe: null,
    },
  ],
  activeAlerts: [
    {
      ruleId: "error-rate",
      ruleName: "Turn error rate above 5% for 5 minutes",
      severity: "critical",
      state: "firing",
      since: at(9),
      value: 0.083,
      incidentId: "inc_0042",
      acknowledgedBy: null,
      silencedUntil: null,
    },
    {
      ruleId: "latency-p95",
      ruleName: "Turn latency p95 above 15 s for 10 minutes",
      severity: "warning",
      state: "pending",
      since: at(4),
      value: 15_800,
      incidentId: "inc_0043",
      acknowledgedBy: null,
      silencedUntil: null,
    },
  ],
};

/** What acknowledging or silencing answers: the alert's whole state document. */
export function alertState(ruleId: string, changes: Record<string, unknown> = {}) {
  return {
    ruleId,
    state: "firing",
    since: at(9),
    incidentId: "inc_0042",
    value: 0.083,
    lastEvaluatedAt: at(0),
    lastNotifiedAt: at(9),
    acknowledgedBy: null,
    acknowledgedAt: null,
    silencedUntil: null,
    flaps: 0,
    ...changes,
  };
}

const stepMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * A series answer for what `request` asked: every step of the window, with HR traffic in the last 20 minutes
 * (slow and failing from 14:47 on). `quiet` leaves the whole window without traffic.
 */
export function seriesAnswer(request: RecordedRequest, options: { readonly quiet?: boolean } = {}) {
  const step = (request.query.get("step") ?? "minute") as keyof typeof stepMs;
  const from = Date.parse(request.query.get("from") ?? "");
  const to = Date.parse(request.query.get("to") ?? "");
  const points = [];
  for (let t = from; t < to; t += stepMs[step]) {
    const minutesBefore = (monitorNow.getTime() - t) / 60_000;
    const busy = !options.quiet && minutesBefore <= 20 && minutesBefore > 0;
    const failing = busy && minutesBefore <= 13;
    const count = busy ? 6 : 0;
    const errors = failing ? 1 : 0;
    points.push({
      at: new Date(t).toISOString(),
      count,
      errors,
      errorRate: count === 0 ? null : errors / count,
      p50: count === 0 ? null : failing ? 3_200 : 1_100,
      p95: count === 0 ? null : failing ? 14_000 : 2_400,
      p99: count === 0 ? null : failing ? 19_500 : 3_000,
      abstained: busy ? 1 : 0,
      abstentionRate: count === 0 ? null : 1 / 6,
      tokensIn: count * 350,
      tokensOut: count * 60,
    });
  }
  return { step, from: new Date(from).toISOString(), to: new Date(to).toISOString(), points };
}

export const firingIncident = {
  id: "inc_0042",
  ruleId: "error-rate",
  ruleName: "Turn error rate above 5% for 5 minutes",
  metric: "error-rate",
  severity: "critical",
  status: "firing",
  openedAt: at(13),
  firedAt: at(9),
  resolvedAt: null,
  peak: 0.125,
  summary: "Turn error rate above 5% for 5 minutes: 8.3% over the last 5 min",
  events: [
    { at: at(13), type: "pending", value: 0.062, detail: "Condition met: 6.2%" },
    { at: at(9), type: "fired", value: 0.083, detail: "Notified 2 channels" },
    { at: at(5), type: "acknowledged", value: null, detail: "Acknowledged by acc_ann" },
  ],
};

export const resolvedIncident = {
  id: "inc_0031",
  ruleId: "probe-failing",
  ruleName: "A synthetic probe failed twice in 15 minutes",
  metric: "probe-failures",
  severity: "critical",
  status: "resolved",
  openedAt: "2026-11-24T09:12:00.000Z",
  firedAt: "2026-11-24T09:17:00.000Z",
  resolvedAt: "2026-11-24T09:58:00.000Z",
  peak: 3,
  summary: "A synthetic probe failed twice in 15 minutes: 3 over the last 15 min",
  events: [
    { at: "2026-11-24T09:12:00.000Z", type: "pending", value: 2, detail: "Condition met: 2" },
    { at: "2026-11-24T09:17:00.000Z", type: "fired", value: 3, detail: "Notified 2 channels" },
    { at: "2026-11-24T09:56:00.000Z", type: "resolving", value: 0, detail: "Condition cleared" },
    { at: "2026-11-24T09:58:00.000Z", type: "resolved", value: 0, detail: "Resolved after 41 min" },
  ],
};

const ruleBase = {
  filter: {},
  forMinutes: 0,
  renotifyMinutes: 60,
  channels: [],
  enabled: true,
  builtIn: true,
  createdAt: "2026-11-02T08:00:00.000Z",
  updatedAt: "2026-11-02T08:00:00.000Z",
};

export const errorRateRule = {
  ...ruleBase,
  id: "error-rate",
  name: "Turn error rate above 5% for 5 minutes",
  metric: "error-rate",
  condition: { type: "threshold", op: ">", value: 0.05 },
  windowMinutes: 5,
  minSamples: 20,
  severity: "critical",
  state: { state: "firing", since: at(9), value: 0.083, acknowledgedBy: null, silencedUntil: null },
};

export const latencyRule = {
  ...ruleBase,
  id: "latency-p95",
  name: "Turn latency p95 above 15 s for 10 minutes",
  metric: "latency-p95",
  condition: { type: "threshold", op: ">", value: 15_000 },
  windowMinutes: 10,
  minSamples: 20,
  severity: "warning",
  state: { state: "pending", since: at(4), value: 15_800 },
};

export const abstentionRule = {
  ...ruleBase,
  id: "abstention-doubling",
  name: "Abstention rate doubled (last hour against the hour before)",
  metric: "abstention-rate",
  condition: { type: "change", factor: 2 },
  windowMinutes: 60,
  minSamples: 30,
  severity: "warning",
  renotifyMinutes: 0,
  state: null,
};

export const rules = [errorRateRule, latencyRule, abstentionRule];

export const rulePreview = {
  days: 7,
  evaluations: 10_080,
  fired: 3,
  firings: [
    { firedAt: "2026-11-20T10:05:00.000Z", resolvedAt: "2026-11-20T10:32:00.000Z", peak: 0.11 },
    { firedAt: "2026-11-23T16:40:00.000Z", resolvedAt: "2026-11-23T16:47:00.000Z", peak: 0.07 },
    { firedAt: "2026-11-25T14:51:00.000Z", resolvedAt: null, peak: 0.083 },
  ],
  minutesWithData: 4_320,
};

export const hrProbe = {
  agentId: "agt_hr",
  ...overview.agents[0]!.probe,
  createdAt: "2026-11-10T12:00:00.000Z",
  updatedAt: "2026-11-10T12:00:00.000Z",
};

export const webhookChannel = {
  id: "ch_pager",
  type: "webhook",
  name: "On-call pager",
  url: "https://hooks.acme.example/alchemist",
  to: [],
  hasSecret: true,
  createdAt: "2026-11-10T12:00:00.000Z",
  updatedAt: "2026-11-10T12:00:00.000Z",
  lastDelivery: { at: at(9), ok: true, status: 200, error: null },
};

export const slackChannel = {
  id: "ch_slack",
  type: "slack",
  name: "#ops-alerts",
  url: "https://hooks.slack.com",
  to: [],
  hasSecret: false,
  createdAt: "2026-11-11T12:00:00.000Z",
  updatedAt: "2026-11-11T12:00:00.000Z",
  lastDelivery: { at: at(9), ok: false, status: 404, error: "no_service" },
};

export const emailChannel = {
  id: "ch_email",
  type: "email",
  name: "Ops team",
  url: null,
  to: ["ops@acme.example", "ann@acme.example"],
  hasSecret: false,
  createdAt: "2026-11-12T12:00:00.000Z",
  updatedAt: "2026-11-12T12:00:00.000Z",
  lastDelivery: null,
};

export const channels = [webhookChannel, slackChannel, emailChannel];

export const outboxEmail = {
  id: "alert-inc_0042-fired_ch_email",
  to: ["ops@acme.example", "ann@acme.example"],
  message: {
    subject: "[CRITICAL] Turn error rate above 5% for 5 minutes firing",
    text: "Turn error rate above 5% for 5 minutes: 8.3% over the last 5 min\nValue: 0.083",
    html: "<p>…</p>",
  },
  notificationId: "alert-inc_0042-fired",
  createdAt: at(9),
};

export const inboxNotification = {
  id: "alert-inc_0042-fired",
  scope: "acme",
  type: "fired",
  incidentId: "inc_0042",
  ruleId: "error-rate",
  ruleName: "Turn error rate above 5% for 5 minutes",
  severity: "critical",
  metric: "error-rate",
  value: 0.083,
  summary: "Turn error rate above 5% for 5 minutes: 8.3% over the last 5 min",
  at: at(9),
  url: null,
  createdAt: at(9),
};

export function slaReport(month = "2026-11", targetPercent = 99.9) {
  return {
    month,
    targetPercent,
    definition:
      "A minute fails when more than 5% of its requests (or turns) failed; minutes without traffic are unobserved and do not count.",
    targets: [
      {
        target: "api",
        name: "REST API",
        observedMinutes: 30_240,
        failedMinutes: 12,
        unobservedMinutes: 5_760,
        availability: 0.99960317,
        errorBudgetMinutes: 30.24,
        errorBudgetRemainingMinutes: 18.24,
        met: true,
      },
      {
        target: "agent:agt_hr",
        name: "Acme HR assistant",
        observedMinutes: 9_800,
        failedMinutes: 31,
        unobservedMinutes: 26_200,
        availability: 0.99683673,
        errorBudgetMinutes: 9.8,
        errorBudgetRemainingMinutes: -21.2,
        met: false,
      },
      {
        target: "agent:agt_it",
        name: "IT helpdesk",
        observedMinutes: 0,
        failedMinutes: 0,
        unobservedMinutes: 36_000,
        availability: null,
        errorBudgetMinutes: 0,
        errorBudgetRemainingMinutes: 0,
        met: null,
      },
    ],
  };
}

/** Every monitor route, answering Acme's state; a test overrides the ones it is about. */
export function monitorRoutes(): Record<string, PlatformRoute> {
  return {
    "GET /v1/monitor/overview": () => jsonResponse(overview),
    "GET /v1/monitor/series": (request) => jsonResponse(seriesAnswer(request)),
    "GET /v1/monitor/incidents": (request) => {
      const status = request.query.get("status");
      const all = [firingIncident, resolvedIncident];
      return jsonResponse({ incidents: status ? all.filter((i) => i.status === status) : all });
    },
    "GET /v1/monitor/rules": () => jsonResponse({ rules }),
    "POST /v1/monitor/rules/preview": () => jsonResponse(rulePreview),
    "GET /v1/monitor/probes": () => jsonResponse({ probes: [hrProbe] }),
    "GET /v1/monitor/channels": () => jsonResponse({ channels }),
    "GET /v1/monitor/outbox": () => jsonResponse({ emails: [outboxEmail] }),
    "GET /v1/monitor/inbox": () => jsonResponse({ notifications: [inboxNotification] }),
    "GET /v1/monitor/sla": (request) =>
      jsonResponse(
        slaReport(request.query.get("month") ?? "2026-11", Number(request.query.get("target") ?? "99.9")),
      ),
  };
}
