/**
 * The workspace's monitoring (`/v1/monitor/*`, admins and owners): the status of the platform's dependencies
 * and of each agent, metrics over time, alerts and the incidents they open, the rules that raise them, the
 * synthetic probes that ask agents a known question, where notifications go, and the monthly availability
 * report (SLA). The shapes the platform answers (functions/src/monitor/schema.ts), the windows a screen asks
 * for, and the data layer's section.
 *
 * Rates are shares, 0..1; latencies are milliseconds; instants are ISO-8601 (UTC).
 */
import type { HealthStatus } from "./health";

// ----- status -------------------------------------------------------------------------------------------

export const checkStatuses = ["ok", "degraded", "down", "unknown"] as const;
/** A dependency check's status; `unknown` until it has run. */
export type CheckStatus = (typeof checkStatuses)[number];

export interface CheckSample {
  readonly at: string;
  readonly status: CheckStatus;
  readonly latencyMs: number | null;
}

/** One of the platform's dependencies (the store, the queue, the models…), checked on a schedule. */
export interface DependencyCheck {
  readonly name: string;
  readonly status: CheckStatus;
  readonly latencyMs: number | null;
  readonly detail: string | null;
  readonly checkedAt: string | null;
  /** Earlier results, oldest first. */
  readonly history: readonly CheckSample[];
}

export const probeExpectations = ["answers", "abstains"] as const;
/** What a probe's answer must be: an answer (with `mustContain` in it), or an abstention. */
export type ProbeExpectation = (typeof probeExpectations)[number];

/** A probe as it is configured: a canary question asked of one agent every `everyMinutes`. */
export interface ProbeSettings {
  readonly question: string;
  readonly expect: ProbeExpectation;
  /** Strings the answer must contain (case-insensitive). */
  readonly mustContain: readonly string[];
  readonly everyMinutes: number;
  readonly enabled: boolean;
}

/** What the probe's latest run found. */
export interface ProbeRun {
  readonly ok: boolean;
  readonly at: string;
  readonly ms: number;
  /** `answered`, `abstained`, `failed`…, in the platform's words. */
  readonly outcome: string;
  /** Why it passed or failed, in a sentence. */
  readonly detail: string;
  readonly traceId: string | null;
}

export interface ProbeStatus extends ProbeSettings {
  readonly lastRunAt: string | null;
  readonly last: ProbeRun | null;
}

export interface Probe extends ProbeStatus {
  readonly agentId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const agentHealthStatuses = ["ok", "failing", "idle"] as const;
/** `failing`: its error rate or its probe says something is wrong; `idle`: no turns in the window. */
export type AgentHealthStatus = (typeof agentHealthStatuses)[number];

/** One agent over the overview's window (the last 60 minutes). */
export interface AgentHealth {
  readonly agentId: string;
  readonly name: string;
  readonly published: boolean;
  readonly turns: number;
  readonly errorRate: number | null;
  readonly p95Ms: number | null;
  readonly abstentionRate: number | null;
  readonly status: AgentHealthStatus;
  readonly probe: ProbeStatus | null;
}

export const severities = ["info", "warning", "critical"] as const;
export type Severity = (typeof severities)[number];

export const activeAlertStates = ["pending", "firing", "resolving"] as const;
/** `pending`: the condition holds, not yet for long enough; `resolving`: it cleared, not yet for long enough. */
export type ActiveAlertState = (typeof activeAlertStates)[number];

export interface ActiveAlert {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: Severity;
  readonly state: ActiveAlertState;
  /** When it entered `state`. */
  readonly since: string | null;
  readonly value: number | null;
  readonly incidentId: string | null;
  /** Who acknowledged it (an account id): notifications stop repeating. */
  readonly acknowledgedBy: string | null;
  /** Until when it notifies nobody. */
  readonly silencedUntil: string | null;
}

/** `GET /v1/monitor/overview`. */
export interface MonitorOverview {
  readonly generatedAt: string;
  readonly status: HealthStatus;
  /** What the agents' figures cover. */
  readonly window: { readonly from: string; readonly to: string };
  readonly checks: readonly DependencyCheck[];
  readonly agents: readonly AgentHealth[];
  readonly activeAlerts: readonly ActiveAlert[];
}

export const ruleStates = ["ok", "pending", "firing", "resolving"] as const;
export type RuleState = (typeof ruleStates)[number];

/** An alert's state, as acknowledging or silencing it answers (and as a rule carries it). */
export interface AlertStatus {
  readonly state: RuleState;
  readonly since: string | null;
  readonly value: number | null;
  readonly acknowledgedBy: string | null;
  readonly silencedUntil: string | null;
}

/** The longest silence, in minutes (a week); 0 lifts one. */
export const maxSilenceMinutes = 10_080;

// ----- metrics over time ----------------------------------------------------------------------------------

export const metricSteps = ["minute", "hour", "day"] as const;
export type MetricStep = (typeof metricSteps)[number];

export const stepMs: Record<MetricStep, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export const seriesKinds = ["turn", "request"] as const;
/** Agents' turns, or the API's requests (which name no agent). */
export type SeriesKind = (typeof seriesKinds)[number];

/** One step (a minute, an hour, a UTC day) starting at `at`. */
export interface SeriesPoint {
  readonly at: string;
  readonly count: number;
  readonly errors: number;
  readonly errorRate: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly abstained: number;
  readonly abstentionRate: number | null;
  readonly tokensIn: number;
  readonly tokensOut: number;
}

/** `GET /v1/monitor/series`: every step of the window, oldest first, quiet ones included. */
export interface MonitorSeries {
  readonly step: MetricStep;
  readonly from: string;
  readonly to: string;
  readonly points: readonly SeriesPoint[];
}

export interface SeriesRequest {
  /** `from` inclusive, `to` exclusive, on step boundaries. */
  readonly from: string;
  readonly to: string;
  readonly step: MetricStep;
  readonly kind: SeriesKind;
  readonly agentId?: string | undefined;
}

/** The windows the Metrics tab offers, each read at a step that gives a chart 24 to 1,440 points. */
export const metricsWindows = [
  { id: "1h", label: "1 hour", ms: 3_600_000, step: "minute" },
  { id: "24h", label: "24 hours", ms: 86_400_000, step: "minute" },
  { id: "7d", label: "7 days", ms: 7 * 86_400_000, step: "hour" },
  { id: "30d", label: "30 days", ms: 30 * 86_400_000, step: "day" },
] as const satisfies readonly { id: string; label: string; ms: number; step: MetricStep }[];
export type MetricsWindowId = (typeof metricsWindows)[number]["id"];
export const defaultMetricsWindow: MetricsWindowId = "24h";

export function isMetricsWindowId(value: unknown): value is MetricsWindowId {
  return metricsWindows.some((w) => w.id === value);
}

/**
 * The last `window` up to now, in whole steps: `to` is the end of the step now is in (so the current,
 * partial minute/hour/day is the last point), `from` is a window before it.
 */
export function seriesRequestOf(
  windowId: MetricsWindowId,
  query: { readonly kind: SeriesKind; readonly agentId?: string | undefined },
  now: Date,
): SeriesRequest {
  const window = metricsWindows.find((w) => w.id === windowId) ?? metricsWindows[1];
  const size = stepMs[window.step];
  const to = Math.floor(now.getTime() / size) * size + size;
  return {
    from: new Date(to - window.ms).toISOString(),
    to: new Date(to).toISOString(),
    step: window.step,
    kind: query.kind,
    // Requests name no agent: the filter is for turns.
    ...(query.kind === "turn" && query.agentId !== undefined ? { agentId: query.agentId } : {}),
  };
}

// ----- incidents ------------------------------------------------------------------------------------------

export const incidentStatuses = ["pending", "firing", "resolved", "cancelled"] as const;
/** `cancelled`: the condition cleared before the alert fired. */
export type IncidentStatus = (typeof incidentStatuses)[number];

/** What the Incidents tab can list by (`?status=`); none lists them all. */
export const incidentFilters = ["firing", "pending", "resolved"] as const;
export type IncidentFilter = (typeof incidentFilters)[number];

export const incidentEventTypes = [
  "pending",
  "fired",
  "renotified",
  "acknowledged",
  "silenced",
  "resolving",
  "refired",
  "resolved",
] as const;
export type IncidentEventType = (typeof incidentEventTypes)[number];

export interface IncidentEvent {
  readonly at: string;
  readonly type: IncidentEventType;
  readonly value: number | null;
  readonly detail: string;
}

export interface Incident {
  readonly id: string;
  readonly ruleId: string;
  readonly ruleName: string;
  readonly metric: AlertMetric;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  readonly openedAt: string;
  readonly firedAt: string | null;
  readonly resolvedAt: string | null;
  /** The worst value seen while it was open. */
  readonly peak: number | null;
  readonly summary: string;
  /** Oldest first. */
  readonly events: readonly IncidentEvent[];
}

// ----- alert rules ----------------------------------------------------------------------------------------

/**
 * What a rule watches, over its window: `error-rate`, `abstention-rate` and `budget` are shares (0..1),
 * `latency-p95` milliseconds, `turns` and `probe-failures` counts, `queue-age` seconds.
 */
export const alertMetrics = [
  "error-rate",
  "latency-p95",
  "abstention-rate",
  "turns",
  "queue-age",
  "probe-failures",
  "budget",
] as const;
export type AlertMetric = (typeof alertMetrics)[number];

export const comparisons = [">", ">=", "<", "<="] as const;
export type Comparison = (typeof comparisons)[number];

export type RuleCondition =
  | { readonly type: "threshold"; readonly op: Comparison; readonly value: number }
  /** The metric is at least `factor` times what it was over the window before. */
  | { readonly type: "change"; readonly factor: number }
  /** No samples at all in the window. */
  | { readonly type: "absent" };
export type ConditionType = RuleCondition["type"];

export interface RuleFilter {
  readonly agentId?: string;
  readonly route?: string;
  readonly channel?: string;
}

/** A rule as it is written (`POST /v1/monitor/rules`'s body). */
export interface AlertRuleInput {
  readonly name: string;
  readonly metric: AlertMetric;
  readonly filter: RuleFilter;
  readonly condition: RuleCondition;
  /** Minutes the metric is computed over. */
  readonly windowMinutes: number;
  /** Minutes the condition must hold before the alert fires. */
  readonly forMinutes: number;
  /** Fewer samples in the window: not evaluated. */
  readonly minSamples: number;
  readonly severity: Severity;
  /** Notify again every so many minutes while firing and not acknowledged; 0: never. */
  readonly renotifyMinutes: number;
  /** Notification channel ids; empty: every channel. */
  readonly channels: readonly string[];
  readonly enabled: boolean;
}

export interface AlertRule extends AlertRuleInput {
  readonly id: string;
  /** Shipped with the platform: editable, and gone for good once deleted. */
  readonly builtIn: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** `null` until the rule is first evaluated. */
  readonly state: AlertStatus | null;
}

/** The platform's limits on a rule (functions/src/monitor/schema.ts `ruleInputSchema`). */
export const ruleLimits = {
  name: 120,
  windowMinutes: { min: 1, max: 1440 },
  forMinutes: { min: 0, max: 1440 },
  minSamples: { min: 0, max: 1_000_000 },
  renotifyMinutes: { min: 0, max: 10_080 },
  maxFactor: 1000,
  channels: 20,
} as const;

/** How often a rule would have fired over the last 7 days (`POST /v1/monitor/rules/preview`). */
export interface RulePreview {
  readonly days: number;
  readonly evaluations: number;
  readonly fired: number;
  readonly firings: readonly {
    readonly firedAt: string;
    readonly resolvedAt: string | null;
    readonly peak: number | null;
  }[];
  /** Minutes of the 7 days that had data to evaluate. */
  readonly minutesWithData: number;
}

// ----- probes ---------------------------------------------------------------------------------------------

export const probeLimits = {
  question: 2000,
  mustContain: 10,
  mustContainLength: 200,
  everyMinutes: { min: 1, max: 1440 },
} as const;

// ----- notification channels ------------------------------------------------------------------------------

export const notificationChannelTypes = ["webhook", "slack", "email", "in-app"] as const;
export type NotificationChannelType = (typeof notificationChannelTypes)[number];

export interface ChannelDelivery {
  readonly at: string;
  readonly ok: boolean;
  /** The receiver's HTTP status, when there was one. */
  readonly status: number | null;
  readonly error: string | null;
}

export interface NotificationChannel {
  readonly id: string;
  readonly type: NotificationChannelType;
  readonly name: string;
  /** Where a webhook posts; a Slack channel shows only its address's origin (the rest is a credential). */
  readonly url: string | null;
  /** Who an email channel writes to. */
  readonly to: readonly string[];
  /** A webhook signs what it sends with a secret the platform keeps. */
  readonly hasSecret: boolean;
  readonly createdAt: string;
  readonly lastDelivery: ChannelDelivery | null;
}

export type NotificationChannelInput =
  | { readonly type: "webhook" | "slack"; readonly name: string; readonly url: string }
  | { readonly type: "email"; readonly name: string; readonly to: readonly string[] }
  | { readonly type: "in-app"; readonly name: string };

/**
 * What a test did: `queued` for a webhook or Slack (its result shows as the channel's `lastDelivery` once
 * sent), `written` for an email (to the outbox) or the in-app inbox, `duplicate` when it was already done.
 */
export const channelTestOutcomes = ["queued", "written", "duplicate"] as const;
export type ChannelTestOutcome = (typeof channelTestOutcomes)[number];

/** A new channel, with a webhook's signing secret: the only time the platform tells it. */
export interface CreatedNotificationChannel {
  readonly channel: NotificationChannel;
  readonly secret: string | undefined;
}

/**
 * An alert email, as written for Firebase's Trigger Email extension: what it says, to whom. In local mode
 * nothing sends them; this is where they are read.
 */
export interface OutboxEmail {
  readonly id: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly createdAt: string;
}

/** A notification for the workspace's admins, shown in the studio. */
export interface InboxNotification {
  /** The notification's id (a test's starts with `test-`). */
  readonly id: string;
  /** `fired`, `renotified`, `resolved`, `test`. */
  readonly type: string;
  readonly ruleName: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly at: string;
  readonly incidentId: string | null;
}

// ----- the SLA report -------------------------------------------------------------------------------------

export interface SlaTarget {
  /** `api`, or `agent:<id>`. */
  readonly target: string;
  readonly name: string;
  readonly observedMinutes: number;
  readonly failedMinutes: number;
  readonly unobservedMinutes: number;
  /** Of the observed minutes, the share that did not fail (0..1); `null` without any. */
  readonly availability: number | null;
  /** The failed minutes the target allows this month. */
  readonly errorBudgetMinutes: number;
  /** Negative once overspent. */
  readonly errorBudgetRemainingMinutes: number;
  /** `null` without observed minutes. */
  readonly met: boolean | null;
}

/** `GET /v1/monitor/sla`. */
export interface SlaReport {
  /** `2026-11`. */
  readonly month: string;
  readonly targetPercent: number;
  /** How the platform counts a minute as failed, in its words. */
  readonly definition: string;
  readonly targets: readonly SlaTarget[];
}

export interface SlaRequest {
  readonly month: string;
  readonly targetPercent: number;
}

/** The availability targets the SLA tab offers, in percent. */
export const slaTargetOptions = [99, 99.5, 99.9, 99.95, 99.99] as const;
export const defaultSlaTarget: (typeof slaTargetOptions)[number] = 99.9;

export const isMonth = (value: unknown): value is string =>
  typeof value === "string" && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);

/** The UTC month of an instant: `2026-11`. */
export function monthOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** This month and the `count - 1` before it, newest first. */
export function recentMonths(now: Date, count: number): string[] {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  return Array.from({ length: count }, (_, i) => monthOf(new Date(Date.UTC(year, month - i, 1))));
}

/**
 * The report an address asks for (`?month=2026-11&target=99.9`): this month and the default target unless
 * it names a month (not in the future) and one of the targets on offer.
 */
export function slaRequestOf(month: string | null, target: string | null, now: Date): SlaRequest {
  const current = monthOf(now);
  const targetPercent = slaTargetOptions.find((t) => String(t) === target) ?? defaultSlaTarget;
  return { month: isMonth(month) && month <= current ? month : current, targetPercent };
}

/** `sla-2026-11-99.9.csv`. */
export function slaFileName(request: SlaRequest): string {
  return `sla-${request.month}-${request.targetPercent}.csv`;
}

// ----- the source section --------------------------------------------------------------------------------

/** Every method needs `monitor.view` (reads) or `monitor.manage` (changes): admins and owners. */
export interface MonitorSource {
  getMonitorOverview(signal: AbortSignal): Promise<MonitorOverview>;
  getMonitorSeries(request: SeriesRequest, signal: AbortSignal): Promise<MonitorSeries>;
  /** Newest first; all of them without a filter. */
  listIncidents(filter: IncidentFilter | undefined, signal: AbortSignal): Promise<Incident[]>;
  /** Stops the alert's repeated notifications until it resolves. */
  acknowledgeAlert(ruleId: string): Promise<AlertStatus>;
  /** Notifies nobody for `minutes` (at most a week); 0 lifts the silence. */
  silenceAlert(ruleId: string, minutes: number): Promise<AlertStatus>;

  listAlertRules(signal: AbortSignal): Promise<AlertRule[]>;
  createAlertRule(input: AlertRuleInput): Promise<AlertRule>;
  updateAlertRule(ruleId: string, patch: Partial<AlertRuleInput>): Promise<AlertRule>;
  deleteAlertRule(ruleId: string): Promise<void>;
  /** How often `input` would have fired over the last 7 days, before it is saved. */
  previewAlertRule(input: AlertRuleInput, signal: AbortSignal): Promise<RulePreview>;

  listProbes(signal: AbortSignal): Promise<Probe[]>;
  /** Creates or replaces the agent's probe. */
  saveProbe(agentId: string, settings: ProbeSettings): Promise<void>;
  deleteProbe(agentId: string): Promise<void>;

  listNotificationChannels(signal: AbortSignal): Promise<NotificationChannel[]>;
  createNotificationChannel(input: NotificationChannelInput): Promise<CreatedNotificationChannel>;
  deleteNotificationChannel(channelId: string): Promise<void>;
  /** Sends a test notification through this channel only. */
  testNotificationChannel(channelId: string): Promise<ChannelTestOutcome>;
  /** A webhook's new signing secret (told this once); the old one stops verifying at once. */
  rotateChannelSecret(channelId: string): Promise<string>;
  /** Local mode's unsent email, newest first. */
  listOutbox(signal: AbortSignal): Promise<OutboxEmail[]>;
  /** The in-app notifications, newest first. */
  listInbox(signal: AbortSignal): Promise<InboxNotification[]>;

  getSlaReport(request: SlaRequest, signal: AbortSignal): Promise<SlaReport>;
  /** The same report as CSV, to save as a file. */
  downloadSlaCsv(request: SlaRequest): Promise<Blob>;
}
