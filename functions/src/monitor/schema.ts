/**
 * What the monitor stores per scope (a workspace, or the platform scope `_platform` for the operator):
 * alert rules, alert states, incidents, notification channels, probes, and the dependency checks' history.
 * The metric buckets themselves are the platform's (platform/metrics/schema.ts): every service records.
 */
import { z } from "zod";
import { checkId } from "../platform/caller.js";
import { monitorRoot, platformScope } from "../platform/metrics/schema.js";

export { platformScope };

// ---------------------------------------------------------------------------------------------------
// Alert rules
// ---------------------------------------------------------------------------------------------------

/**
 * The metrics a rule watches, each computed over the rule's window from the minute buckets:
 * - `error-rate`: failed turns / turns (5xx answers / requests for `route` filters), 0..1
 * - `latency-p95`: the 95th percentile turn (or request) latency, ms
 * - `abstention-rate`: abstained turns / turns, 0..1
 * - `turns`: the number of turns (with `absent`: no traffic)
 * - `queue-age`: the oldest waiting task's age in seconds (platform scope only)
 * - `probe-failures`: failed synthetic probes in the window
 * - `budget`: the share of the period's included credits spent, 0..1 (from billing)
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

export const ruleConditionSchema = z.discriminatedUnion("type", [
  /** The metric is above (or below) a value. */
  z.object({
    type: z.literal("threshold"),
    op: z.enum([">", ">=", "<", "<="]),
    value: z.number().finite(),
  }),
  /** The metric is at least `factor` times what it was over the window before (e.g. 2: doubled). */
  z.object({ type: z.literal("change"), factor: z.number().finite().positive().max(1000) }),
  /** No samples at all in the window (an agent nobody can reach looks like one nobody asks). */
  z.object({ type: z.literal("absent") }),
]);
export type RuleCondition = z.infer<typeof ruleConditionSchema>;

const labelValue = z.string().trim().min(1).max(200);

export const ruleInputSchema = z.object({
  name: z.string().trim().min(1).max(120),
  metric: z.enum(alertMetrics),
  filter: z
    .object({ agentId: labelValue.optional(), route: labelValue.optional(), channel: labelValue.optional() })
    .strict()
    .default({}),
  condition: ruleConditionSchema,
  /** Minutes the metric is computed over. */
  windowMinutes: z.number().int().min(1).max(1440),
  /** Minutes the condition must hold before the alert fires (0: at the first evaluation that sees it). */
  forMinutes: z.number().int().min(0).max(1440).default(0),
  /** Fewer samples than this in the window: not evaluated (a rate over 3 turns says little). */
  minSamples: z.number().int().min(0).max(1_000_000).default(20),
  severity: z.enum(["info", "warning", "critical"]),
  /** Re-notify every so many minutes while firing and not acknowledged; 0: never. */
  renotifyMinutes: z.number().int().min(0).max(10_080).default(60),
  /** Notification channel ids; empty: every channel of the scope. */
  channels: z.array(z.string().min(1).max(64)).max(20).default([]),
  enabled: z.boolean().default(true),
});
export type RuleInput = z.infer<typeof ruleInputSchema>;

export const ruleSchema = ruleInputSchema.extend({
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Shipped with the platform (editable, and restored by nothing once deleted). */
  builtIn: z.boolean().default(false),
});
export type AlertRule = z.infer<typeof ruleSchema>;

// ---------------------------------------------------------------------------------------------------
// Alert state and incidents
// ---------------------------------------------------------------------------------------------------

/**
 * One rule's state (one document per rule): `ok` → `pending` (condition holds, not yet `forMinutes`) →
 * `firing` → `resolving` (condition cleared; must stay clear `resolveAfterMinutes`) → `ok`. A condition that
 * returns while resolving goes back to `firing` without a new notification: that is the flapping suppression.
 */
export const alertStateSchema = z.object({
  ruleId: z.string(),
  state: z.enum(["ok", "pending", "firing", "resolving"]),
  since: z.string().nullable(),
  /** The open incident while pending/firing/resolving. */
  incidentId: z.string().nullable(),
  value: z.number().nullable(),
  lastEvaluatedAt: z.string().nullable(),
  lastNotifiedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  silencedUntil: z.string().nullable(),
  /** Fires suppressed because the alert resolved and fired again too often (flapping). */
  flaps: z.number().int().default(0),
});
export type AlertState = z.infer<typeof alertStateSchema>;

export const incidentEventSchema = z.object({
  at: z.string(),
  type: z.enum([
    "pending",
    "fired",
    "renotified",
    "acknowledged",
    "silenced",
    "resolving",
    "refired",
    "resolved",
  ]),
  value: z.number().nullable(),
  detail: z.string(),
});
export type IncidentEvent = z.infer<typeof incidentEventSchema>;

export const incidentSchema = z.object({
  ruleId: z.string(),
  ruleName: z.string(),
  metric: z.enum(alertMetrics),
  severity: z.enum(["info", "warning", "critical"]),
  status: z.enum(["pending", "firing", "resolved", "cancelled"]),
  openedAt: z.string(),
  firedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  /** The worst value seen while open. */
  peak: z.number().nullable(),
  summary: z.string(),
  /** The timeline, oldest first (capped at 200 events). */
  events: z.array(incidentEventSchema),
});
export type Incident = z.infer<typeof incidentSchema>;

// ---------------------------------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------------------------------

export const channelTypes = ["webhook", "slack", "email", "in-app"] as const;

/** What a channel is told, and what a signed webhook's JSON body is. */
export const notificationSchema = z.object({
  /** Unique per delivery intent; receivers deduplicate on it (`x-alchemist-delivery` header too). */
  id: z.string(),
  scope: z.string(),
  type: z.enum(["fired", "renotified", "resolved", "test"]),
  incidentId: z.string().nullable(),
  ruleId: z.string().nullable(),
  ruleName: z.string(),
  severity: z.enum(["info", "warning", "critical"]),
  metric: z.string(),
  value: z.number().nullable(),
  summary: z.string(),
  at: z.string(),
  /** Where to look: the studio's Health page. */
  url: z.string().nullable(),
});
export type Notification = z.infer<typeof notificationSchema>;

// ---------------------------------------------------------------------------------------------------
// Probes (synthetic canary questions per published agent)
// ---------------------------------------------------------------------------------------------------

export const probeInputSchema = z.object({
  question: z.string().trim().min(1).max(2000),
  expect: z.enum(["answers", "abstains"]),
  /** Strings the answer must contain (case-insensitive). */
  mustContain: z.array(z.string().trim().min(1).max(200)).max(10).default([]),
  everyMinutes: z.number().int().min(1).max(1440).default(5),
  enabled: z.boolean().default(true),
});
export type ProbeInput = z.infer<typeof probeInputSchema>;

export const probeSchema = probeInputSchema.extend({
  agentId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastRunAt: z.string().nullable(),
  last: z
    .object({
      ok: z.boolean(),
      at: z.string(),
      ms: z.number(),
      outcome: z.string(),
      detail: z.string(),
      traceId: z.string().nullable(),
    })
    .nullable(),
});
export type Probe = z.infer<typeof probeSchema>;

// ---------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------

export const rulesPath = (scope: string): string => `${monitorRoot(scope)}/alertRules`;
export const rulePath = (scope: string, ruleId: string): string =>
  `${rulesPath(scope)}/${checkId(ruleId, "rule id")}`;
export const alertStatesPath = (scope: string): string => `${monitorRoot(scope)}/alertStates`;
export const alertStatePath = (scope: string, ruleId: string): string =>
  `${alertStatesPath(scope)}/${checkId(ruleId, "rule id")}`;
export const incidentsPath = (scope: string): string => `${monitorRoot(scope)}/incidents`;
export const incidentPath = (scope: string, incidentId: string): string =>
  `${incidentsPath(scope)}/${checkId(incidentId, "incident id")}`;
export const channelsPath = (scope: string): string => `${monitorRoot(scope)}/alertChannels`;
export const channelPath = (scope: string, channelId: string): string =>
  `${channelsPath(scope)}/${checkId(channelId, "channel id")}`;
export const probesPath = (scope: string): string => `${monitorRoot(scope)}/probes`;
export const probePath = (scope: string, agentId: string): string =>
  `${probesPath(scope)}/${checkId(agentId, "agent id")}`;
/** In-app notifications a workspace's admins see in the studio. */
export const inboxPath = (scope: string): string => `${monitorRoot(scope)}/monitorInbox`;
/** The dependency checks' latest result and history, shown on every workspace's Health page. */
export const checksPath = "system/monitor/checks";
/** Checks only the operator sees (they span workspaces, e.g. stuck documents). */
export const operatorChecksPath = "system/monitor/operatorChecks";
/**
 * The Firebase Trigger Email extension's collection: a document here is an email the extension sends. In
 * local mode nothing sends it; the studio shows a workspace's documents as its outbox.
 */
export const mailPath = "mail";
