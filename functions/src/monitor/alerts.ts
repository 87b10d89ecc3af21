/**
 * Alert rules, evaluated once a minute per scope by the monitor's tick. Each rule has one state document; a
 * step of the state machine (`stepAlert`, pure) decides what changes and what is said:
 *
 *   ok ──holds──▶ pending ──held forMinutes──▶ firing ──clears──▶ resolving ──clear resolveAfter──▶ ok
 *                    │                           ▲                    │
 *                    └──clears──▶ ok (cancelled) └──────holds─────────┘  (flapping: no new notification)
 *
 * An alert notifies once when it fires, again every `renotifyMinutes` while firing and not acknowledged,
 * and once when it resolves; a silence mutes notifications, not the state. Each evaluation is keyed by the
 * minute it looked at: a tick run twice (a retry) changes nothing the second time. What a step says is
 * recorded in the state before it is sent, and sent again (under the same delivery id) if the send failed.
 */
import { z } from "zod";
import { standing } from "../billing/limits.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { quantile } from "../platform/metrics/histogram.js";
import { floorTo, grainMs, monitorRoot } from "../platform/metrics/schema.js";
import { readUnits, summarize, emptySummary, type SeriesFilter, type Summary, type Unit } from "./buckets.js";
import { notify } from "./notify.js";
import {
  alertStatePath,
  alertStateSchema,
  incidentPath,
  incidentSchema,
  platformScope,
  rulePath,
  ruleSchema,
  rulesPath,
  type AlertRule,
  type AlertState,
  type Incident,
  type IncidentEvent,
  type Notification,
  type RuleInput,
} from "./schema.js";

/** An alert resolves after its condition has been clear this many consecutive minutes. */
export const resolveAfterMinutes = 2;
/** Evaluations look at whole minutes that ended at least this long ago (instances flush every 10 s). */
export const evaluationLagMs = 20_000;
const maxIncidentEvents = 200;
/** Windows (doubled for change rules) up to this many minutes are evaluated minute by minute. */
export const maxMinuteSpan = 180;

// ---------------------------------------------------------------------------------------------------
// The rules a scope starts with
// ---------------------------------------------------------------------------------------------------

type DefaultRule = RuleInput & { readonly id: string };

const base = { filter: {}, forMinutes: 0, renotifyMinutes: 60, channels: [] as string[], enabled: true };

export function defaultRules(scope: string): DefaultRule[] {
  if (scope === platformScope) {
    return [
      {
        ...base,
        id: "api-error-rate",
        name: "API error rate above 5% for 5 minutes",
        metric: "error-rate",
        filter: { route: "*" },
        condition: { type: "threshold", op: ">", value: 0.05 },
        windowMinutes: 5,
        minSamples: 20,
        severity: "critical",
      },
      {
        ...base,
        id: "queue-age",
        name: "A task queue's oldest task waiting over 5 minutes",
        metric: "queue-age",
        condition: { type: "threshold", op: ">", value: 300 },
        windowMinutes: 1,
        minSamples: 0,
        severity: "critical",
      },
    ];
  }
  return [
    {
      ...base,
      id: "error-rate",
      name: "Turn error rate above 5% for 5 minutes",
      metric: "error-rate",
      condition: { type: "threshold", op: ">", value: 0.05 },
      windowMinutes: 5,
      minSamples: 20,
      severity: "critical",
    },
    {
      ...base,
      id: "latency-p95",
      name: "Turn latency p95 above 15 s for 10 minutes",
      metric: "latency-p95",
      condition: { type: "threshold", op: ">", value: 15_000 },
      windowMinutes: 10,
      minSamples: 20,
      severity: "warning",
    },
    {
      ...base,
      id: "abstention-doubling",
      name: "Abstention rate doubled (last hour against the hour before)",
      metric: "abstention-rate",
      condition: { type: "change", factor: 2 },
      windowMinutes: 60,
      minSamples: 30,
      severity: "warning",
      renotifyMinutes: 0,
    },
    {
      ...base,
      id: "probe-failing",
      name: "A synthetic probe failed twice in 15 minutes",
      metric: "probe-failures",
      condition: { type: "threshold", op: ">=", value: 2 },
      windowMinutes: 15,
      minSamples: 0,
      severity: "critical",
    },
    {
      ...base,
      id: "budget-80",
      name: "80% of the period's included credits spent",
      metric: "budget",
      condition: { type: "threshold", op: ">=", value: 0.8 },
      windowMinutes: 1,
      minSamples: 0,
      severity: "info",
      renotifyMinutes: 0,
    },
    {
      ...base,
      id: "budget-100",
      name: "All of the period's included credits spent",
      metric: "budget",
      condition: { type: "threshold", op: ">=", value: 1 },
      windowMinutes: 1,
      minSamples: 0,
      severity: "warning",
      renotifyMinutes: 0,
    },
  ];
}

const defaultsMarker = (scope: string) => `${monitorRoot(scope)}/monitorState/defaults`;

/** Writes the default rules the first time a scope is evaluated (a default deleted later stays deleted). */
export async function ensureDefaultRules(deps: Deps, scope: string): Promise<void> {
  if (await deps.store.get(defaultsMarker(scope))) return;
  const now = deps.clock.nowIso();
  const batch = deps.store.batch();
  for (const { id, ...rule } of defaultRules(scope)) {
    batch.set(rulePath(scope, id), { ...rule, builtIn: true, createdAt: now, updatedAt: now });
  }
  batch.set(defaultsMarker(scope), { installedAt: now });
  await batch.commit();
}

export async function listRules(deps: Deps, scope: string): Promise<(AlertRule & { id: string })[]> {
  await ensureDefaultRules(deps, scope);
  const docs = await deps.store.query({ collection: rulesPath(scope), orderBy: [{ field: "createdAt" }] });
  return docs.flatMap((d) => {
    const parsed = ruleSchema.safeParse(d.data);
    return parsed.success ? [{ id: d.id, ...parsed.data }] : [];
  });
}

/** A scope has at most this many rules (each is evaluated every minute). */
export const maxRules = 50;

export function checkRule(scope: string, rule: RuleInput): void {
  if (rule.metric === "queue-age" && scope !== platformScope) {
    throw new AppError(
      "invalid-argument",
      "queue-age is an operator metric: task queues are shared by every workspace",
    );
  }
  if (rule.condition.type === "absent" && rule.metric !== "turns") {
    throw new AppError("invalid-argument", "An absence condition watches `turns`: use metric `turns`");
  }
  if (rule.condition.type === "change" && (rule.metric === "budget" || rule.metric === "queue-age")) {
    throw new AppError(
      "invalid-argument",
      `A change condition does not apply to ${rule.metric}: use a threshold`,
    );
  }
}

export async function createRule(
  deps: Deps,
  scope: string,
  input: RuleInput,
): Promise<AlertRule & { id: string }> {
  checkRule(scope, input);
  await ensureDefaultRules(deps, scope);
  const count = await deps.store.count({ collection: rulesPath(scope) });
  if (count >= maxRules) {
    throw new AppError(
      "failed-precondition",
      `A workspace has at most ${maxRules} alert rules; delete one first`,
    );
  }
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const rule: AlertRule = { ...input, builtIn: false, createdAt: now, updatedAt: now };
  await deps.store.create(rulePath(scope, id), rule);
  return { id, ...rule };
}

export async function getRule(deps: Deps, scope: string, ruleId: string): Promise<AlertRule> {
  const snap = await deps.store.get(rulePath(scope, ruleId));
  if (!snap) throw new AppError("not-found", `Alert rule ${ruleId} not found`);
  return ruleSchema.parse(snap.data);
}

export async function updateRule(
  deps: Deps,
  scope: string,
  ruleId: string,
  patch: Partial<RuleInput>,
): Promise<AlertRule & { id: string }> {
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(rulePath(scope, ruleId));
    if (!snap) throw new AppError("not-found", `Alert rule ${ruleId} not found`);
    const current = ruleSchema.parse(snap.data);
    const next = ruleSchema.parse({ ...current, ...patch, updatedAt: deps.clock.nowIso() });
    checkRule(scope, next);
    tx.set(rulePath(scope, ruleId), next);
    return { id: ruleId, ...next };
  });
}

export async function deleteRule(deps: Deps, scope: string, ruleId: string): Promise<void> {
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(rulePath(scope, ruleId));
    if (!snap) throw new AppError("not-found", `Alert rule ${ruleId} not found`);
    const state = await tx.get(alertStatePath(scope, ruleId));
    tx.delete(rulePath(scope, ruleId));
    tx.delete(alertStatePath(scope, ruleId));
    const open = state ? alertStateSchema.parse(state.data).incidentId : null;
    if (open) {
      const incident = await deps.store.get(incidentPath(scope, open));
      if (incident) {
        const inc = incidentSchema.parse(incident.data);
        if (inc.status !== "resolved" && inc.status !== "cancelled") {
          tx.set(incidentPath(scope, open), {
            ...inc,
            status: "cancelled",
            events: [
              ...inc.events,
              { at: deps.clock.nowIso(), type: "resolved", value: null, detail: "The rule was deleted" },
            ].slice(-maxIncidentEvents),
          });
        }
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Measuring a rule
// ---------------------------------------------------------------------------------------------------

export function filterOf(rule: Pick<AlertRule, "metric" | "filter">): SeriesFilter {
  const { agentId, route, channel } = rule.filter;
  if (rule.metric === "probe-failures") return { kind: "probe", ...(agentId ? { agentId } : {}) };
  if (route !== undefined) return { kind: "request", ...(route !== "*" ? { route } : {}) };
  return { kind: "turn", ...(agentId ? { agentId } : {}), ...(channel ? { channel } : {}) };
}

/** A rule's metric from a window's summary; null: too few samples to say. */
export function valueOf(rule: Pick<AlertRule, "metric" | "minSamples">, s: Summary): number | null {
  switch (rule.metric) {
    case "error-rate":
      return s.count === 0 || s.count < rule.minSamples ? null : s.errors / s.count;
    case "latency-p95":
      return s.count === 0 || s.count < rule.minSamples ? null : quantile(s.hist, 0.95);
    case "abstention-rate": {
      const decided = (s.counts.answered ?? 0) + (s.counts.abstained ?? 0);
      return decided === 0 || decided < rule.minSamples ? null : (s.counts.abstained ?? 0) / decided;
    }
    case "turns":
      return s.count;
    case "probe-failures":
      return s.count < rule.minSamples ? null : s.errors;
    default:
      return null;
  }
}

export function holds(
  rule: Pick<AlertRule, "condition">,
  value: number | null,
  previous: number | null,
): boolean | null {
  const c = rule.condition;
  if (c.type === "absent") return value === null ? null : value === 0;
  if (value === null) return null;
  if (c.type === "change") {
    if (previous === null) return null;
    return previous === 0 ? false : value >= previous * c.factor;
  }
  switch (c.op) {
    case ">":
      return value > c.value;
    case ">=":
      return value >= c.value;
    case "<":
      return value < c.value;
    case "<=":
      return value <= c.value;
  }
}

// ---------------------------------------------------------------------------------------------------
// The state machine (pure)
// ---------------------------------------------------------------------------------------------------

export const emptyState = (ruleId: string): AlertState => ({
  ruleId,
  state: "ok",
  since: null,
  incidentId: null,
  value: null,
  lastEvaluatedAt: null,
  lastNotifiedAt: null,
  acknowledgedBy: null,
  acknowledgedAt: null,
  silencedUntil: null,
  flaps: 0,
});

export interface Step {
  readonly state: AlertState;
  /** What happened, for the incident's timeline. */
  readonly events: IncidentEvent[];
  /** What to tell the channels (none while silenced). */
  readonly say: "fired" | "renotified" | "resolved" | null;
  /** A new incident starts (its id is the caller's to make). */
  readonly opens: boolean;
  readonly closes: "resolved" | "cancelled" | null;
}

/**
 * One evaluation: `conditionHolds` null means "cannot tell" (too few samples): it starts nothing, and counts
 * as clear for an alert already pending or firing.
 * `at` is the evaluated minute's end (ISO).
 */
export function stepAlert(
  rule: Pick<AlertRule, "forMinutes" | "renotifyMinutes">,
  prior: AlertState,
  conditionHolds: boolean | null,
  value: number | null,
  at: string,
): Step {
  const s: AlertState = { ...prior, lastEvaluatedAt: at, value: value ?? prior.value };
  const t = Date.parse(at);
  const minutesSince = (iso: string | null) => (iso ? (t - Date.parse(iso)) / 60_000 : 0);
  const event = (type: IncidentEvent["type"], detail: string): IncidentEvent => ({ at, type, value, detail });
  const silenced = s.silencedUntil !== null && Date.parse(s.silencedUntil) > t;
  const none = { events: [] as IncidentEvent[], say: null, opens: false, closes: null } as const;
  // Too few samples to tell: nothing starts, but an open alert does not stay open on no evidence (traffic that
  // stopped must not keep an alert firing for good): it counts as clear.
  if (conditionHolds === null) {
    if (prior.state === "ok") return { state: s, ...none };
    conditionHolds = false;
  }

  switch (prior.state) {
    case "ok":
      if (!conditionHolds) return { state: s, ...none };
      if (rule.forMinutes === 0) {
        return {
          state: {
            ...s,
            state: "firing",
            since: at,
            lastNotifiedAt: silenced ? null : at,
            acknowledgedBy: null,
            acknowledgedAt: null,
          },
          events: [event("fired", "The condition holds")],
          say: silenced ? null : "fired",
          opens: true,
          closes: null,
        };
      }
      return {
        state: { ...s, state: "pending", since: at, acknowledgedBy: null, acknowledgedAt: null },
        events: [
          event("pending", `The condition holds; fires if it still does after ${rule.forMinutes} min`),
        ],
        say: null,
        opens: true,
        closes: null,
      };
    case "pending":
      if (!conditionHolds) {
        return {
          state: { ...s, state: "ok", since: at, incidentId: null },
          events: [event("resolved", "The condition cleared before the alert fired")],
          say: null,
          opens: false,
          closes: "cancelled",
        };
      }
      if (minutesSince(prior.since) >= rule.forMinutes) {
        return {
          state: { ...s, state: "firing", since: at, lastNotifiedAt: silenced ? prior.lastNotifiedAt : at },
          events: [event("fired", `The condition held for ${rule.forMinutes} min`)],
          say: silenced ? null : "fired",
          opens: false,
          closes: null,
        };
      }
      return { state: s, ...none };
    case "firing":
      if (!conditionHolds) {
        return {
          state: { ...s, state: "resolving", since: at },
          events: [
            event("resolving", `The condition cleared; resolves after ${resolveAfterMinutes} min clear`),
          ],
          say: null,
          opens: false,
          closes: null,
        };
      }
      if (
        rule.renotifyMinutes > 0 &&
        !silenced &&
        prior.acknowledgedBy === null &&
        minutesSince(prior.lastNotifiedAt ?? prior.since) >= rule.renotifyMinutes
      ) {
        return {
          state: { ...s, lastNotifiedAt: at },
          events: [event("renotified", "Still firing")],
          say: "renotified",
          opens: false,
          closes: null,
        };
      }
      return { state: s, ...none };
    case "resolving":
      if (conditionHolds) {
        // Flapping: back to firing without telling anyone again.
        return {
          state: { ...s, state: "firing", flaps: prior.flaps + 1 },
          events: [event("refired", "The condition returned before the alert resolved (not notified again)")],
          say: null,
          opens: false,
          closes: null,
        };
      }
      if (minutesSince(prior.since) >= resolveAfterMinutes) {
        return {
          state: { ...s, state: "ok", since: at, incidentId: null, flaps: 0 },
          events: [event("resolved", `The condition stayed clear for ${resolveAfterMinutes} min`)],
          say: silenced ? null : "resolved",
          opens: false,
          closes: "resolved",
        };
      }
      return { state: s, ...none };
  }
}

// ---------------------------------------------------------------------------------------------------
// Evaluating a scope (the tick)
// ---------------------------------------------------------------------------------------------------

const pendingSayPath = (scope: string, ruleId: string) => `${monitorRoot(scope)}/alertOutbox/${ruleId}`;

/** The value of every rule of a scope over windows ending at `end`, from one read of the minutes. */
async function measure(
  deps: Deps,
  scope: string,
  rules: readonly (AlertRule & { id: string })[],
  end: Date,
): Promise<Map<string, { value: number | null; previous: number | null }>> {
  const out = new Map<string, { value: number | null; previous: number | null }>();
  const windowed = rules.filter((r) => r.metric !== "budget" && r.metric !== "queue-age");
  const span = (r: AlertRule) => r.windowMinutes * (r.condition.type === "change" ? 2 : 1);
  // Windows up to 3 hours are read minute by minute; longer ones on whole hours, ending at the last whole
  // hour (a minute-exact day window would read 1,440 documents per instance every minute).
  const short = windowed.filter((r) => span(r) <= maxMinuteSpan);
  const long = windowed.filter((r) => span(r) > maxMinuteSpan);
  const longestShort = Math.max(0, ...short.map(span));
  const minutes =
    longestShort > 0
      ? await readUnits(deps, scope, "minute", new Date(end.getTime() - longestShort * 60_000), end)
      : [];
  for (const rule of short) out.set(rule.id, windowValues(rule, minutes, end));
  if (long.length > 0) {
    const hourEnd = floorTo(end, "hour");
    const longest = Math.max(...long.map(span));
    const hours = await readUnits(
      deps,
      scope,
      "hour",
      new Date(hourEnd.getTime() - Math.ceil(longest / 60) * grainMs.hour),
      hourEnd,
    );
    for (const rule of long) {
      const whole = { ...rule, windowMinutes: Math.ceil(rule.windowMinutes / 60) * 60 };
      out.set(rule.id, windowValues(whole, hours, hourEnd));
    }
  }
  if (rules.some((r) => r.metric === "budget") && scope !== platformScope) {
    const { account, plan } = await standing(deps, scope);
    const included = plan.includedCreditsMicros;
    // A plan without included credits (pay as you go) has no budget to spend down: nothing to say.
    const value = included > 0 ? Math.max(0, included - account.includedRemainingMicros) / included : null;
    for (const r of rules) if (r.metric === "budget") out.set(r.id, { value, previous: null });
  }
  if (rules.some((r) => r.metric === "queue-age")) {
    const depths = deps.tasks.depths ? await deps.tasks.depths() : null;
    const value = depths ? Math.max(0, ...depths.map((d) => d.oldestDueAgeSeconds)) : null;
    for (const r of rules) if (r.metric === "queue-age") out.set(r.id, { value, previous: null });
  }
  return out;
}

/** A rule's value over the window ending at `end` (and over the window before it, for change rules). */
export function windowValues(
  rule: AlertRule,
  units: readonly Unit[],
  end: Date,
): { value: number | null; previous: number | null } {
  const w = rule.windowMinutes * 60_000;
  const filter = filterOf(rule);
  const inRange = (from: number, to: number) =>
    units.filter((u) => u.at.getTime() >= from && u.at.getTime() < to);
  const current = summarize(inRange(end.getTime() - w, end.getTime()), filter, emptySummary());
  const value = valueOf(rule, current);
  if (rule.condition.type !== "change") return { value, previous: null };
  const before = summarize(inRange(end.getTime() - 2 * w, end.getTime() - w), filter, emptySummary());
  return { value, previous: valueOf(rule, before) };
}

export interface Evaluation {
  readonly ruleId: string;
  readonly state: AlertState["state"];
  readonly value: number | null;
  readonly said: Step["say"];
}

/** Evaluates every enabled rule of a scope for the last whole minute. */
export async function evaluateScope(deps: Deps, scope: string): Promise<Evaluation[]> {
  const now = deps.clock.now();
  const end = floorTo(new Date(now.getTime() - evaluationLagMs), "minute");
  const rules = (await listRules(deps, scope)).filter((r) => r.enabled);
  const values = await measure(deps, scope, rules, end);
  const results: Evaluation[] = [];
  for (const rule of rules) {
    const { value, previous } = values.get(rule.id) ?? { value: null, previous: null };
    results.push(await applyStep(deps, scope, rule, value, previous, end.toISOString()));
  }
  return results;
}

async function applyStep(
  deps: Deps,
  scope: string,
  rule: AlertRule & { id: string },
  value: number | null,
  previous: number | null,
  at: string,
): Promise<Evaluation> {
  const conditionHolds = holds(rule, value, previous);
  const outcome = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(alertStatePath(scope, rule.id));
    const prior = snap ? alertStateSchema.parse(snap.data) : emptyState(rule.id);
    const pendingSay = await tx.get<{ notification: Notification; channels: string[] }>(
      pendingSayPath(scope, rule.id),
    );
    // Already evaluated for this minute (a retried tick): nothing more to do but finish a failed send.
    if (prior.lastEvaluatedAt !== null && prior.lastEvaluatedAt >= at) {
      return { state: prior, say: null, notification: pendingSay?.data ?? null };
    }
    const step = stepAlert(rule, prior, conditionHolds, value, at);
    let incidentId = step.state.incidentId;
    if (step.opens) incidentId = `${at.slice(0, 16).replace(/[-:T]/g, "")}_${rule.id}`.slice(0, 120);
    const next: AlertState = { ...step.state, incidentId: step.closes ? null : incidentId };
    const openId = step.closes ? prior.incidentId : incidentId;
    if (openId && step.events.length > 0) {
      const incSnap = step.opens ? null : await tx.get(incidentPath(scope, openId));
      const inc: Incident = incSnap
        ? incidentSchema.parse(incSnap.data)
        : {
            ruleId: rule.id,
            ruleName: rule.name,
            metric: rule.metric,
            severity: rule.severity,
            status: "pending",
            openedAt: at,
            firedAt: null,
            resolvedAt: null,
            peak: null,
            summary: describe(rule, value),
            events: [],
          };
      const fired = step.events.some((e) => e.type === "fired");
      const updated: Incident = {
        ...inc,
        status: step.closes ?? (next.state === "pending" ? "pending" : "firing"),
        firedAt: fired ? at : inc.firedAt,
        resolvedAt: step.closes === "resolved" ? at : inc.resolvedAt,
        peak: worse(rule, inc.peak, value),
        summary: fired ? describe(rule, value) : inc.summary,
        events: [...inc.events, ...step.events].slice(-maxIncidentEvents),
      };
      tx.set(incidentPath(scope, openId), updated);
    } else if (openId && value !== null && next.state !== "ok") {
      // No event, but the peak may still grow.
      const incSnap = await tx.get(incidentPath(scope, openId));
      if (incSnap) {
        const inc = incidentSchema.parse(incSnap.data);
        const peak = worse(rule, inc.peak, value);
        if (peak !== inc.peak) tx.set(incidentPath(scope, openId), { ...inc, peak });
      }
    }
    tx.set(alertStatePath(scope, rule.id), next);
    let notification: { notification: Notification; channels: string[] } | null = null;
    if (step.say && openId) {
      notification = {
        notification: {
          id: `${openId}_${step.say}_${at.slice(0, 16).replace(/[-:T]/g, "")}`,
          scope,
          type: step.say,
          incidentId: openId,
          ruleId: rule.id,
          ruleName: rule.name,
          severity: rule.severity,
          metric: rule.metric,
          value,
          summary: step.say === "resolved" ? `Resolved: ${rule.name}` : describe(rule, value),
          at,
          // The incident on the studio's Health page.
          url: deps.config.monitor.studioUrl
            ? `${deps.config.monitor.studioUrl}/monitor/incidents?incident=${encodeURIComponent(openId)}`
            : null,
        },
        channels: rule.channels,
      };
      tx.set(pendingSayPath(scope, rule.id), notification);
    }
    return { state: next, say: step.say, notification: notification ?? pendingSay?.data ?? null };
  });
  if (outcome.notification) {
    await notify(deps, scope, outcome.notification.notification, outcome.notification.channels);
    await deps.store.delete(pendingSayPath(scope, rule.id));
  }
  return { ruleId: rule.id, state: outcome.state.state, value, said: outcome.say };
}

function worse(rule: Pick<AlertRule, "condition">, a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  const lower =
    rule.condition.type === "threshold" && (rule.condition.op === "<" || rule.condition.op === "<=");
  return lower ? Math.min(a, b) : Math.max(a, b);
}

export function formatValue(metric: AlertRule["metric"], value: number | null): string {
  if (value === null) return "no data";
  switch (metric) {
    case "error-rate":
    case "abstention-rate":
    case "budget":
      return `${(value * 100).toFixed(1)}%`;
    case "latency-p95":
      return `${Math.round(value)} ms`;
    case "queue-age":
      return `${Math.round(value)} s`;
    default:
      return String(value);
  }
}

function describe(rule: AlertRule, value: number | null): string {
  return `${rule.name}: ${formatValue(rule.metric, value)} over the last ${rule.windowMinutes} min`;
}

// ---------------------------------------------------------------------------------------------------
// Acknowledge and silence
// ---------------------------------------------------------------------------------------------------

export async function acknowledge(
  deps: Deps,
  scope: string,
  ruleId: string,
  by: string,
): Promise<AlertState> {
  return changeState(deps, scope, ruleId, (s, at) => {
    if (s.state === "ok")
      throw new AppError("failed-precondition", "The alert is not firing: nothing to acknowledge");
    return [
      { ...s, acknowledgedBy: by, acknowledgedAt: at },
      { at, type: "acknowledged", value: null, detail: `Acknowledged by ${by}` },
    ];
  });
}

export const silenceInput = z.object({ minutes: z.number().int().min(0).max(10_080) });

export async function silence(
  deps: Deps,
  scope: string,
  ruleId: string,
  minutes: number,
  by: string,
): Promise<AlertState> {
  return changeState(deps, scope, ruleId, (s, at) => {
    const until = minutes === 0 ? null : new Date(Date.parse(at) + minutes * 60_000).toISOString();
    const detail = until ? `Silenced by ${by} until ${until}` : `Silence lifted by ${by}`;
    return [
      { ...s, silencedUntil: until },
      { at, type: "silenced", value: null, detail },
    ];
  });
}

async function changeState(
  deps: Deps,
  scope: string,
  ruleId: string,
  change: (s: AlertState, at: string) => [AlertState, IncidentEvent],
): Promise<AlertState> {
  return deps.store.runTransaction(async (tx) => {
    const rule = await tx.get(rulePath(scope, ruleId));
    if (!rule) throw new AppError("not-found", `Alert rule ${ruleId} not found`);
    const snap = await tx.get(alertStatePath(scope, ruleId));
    const prior = snap ? alertStateSchema.parse(snap.data) : emptyState(ruleId);
    const at = deps.clock.nowIso();
    const [next, event] = change(prior, at);
    const inc = prior.incidentId ? await tx.get(incidentPath(scope, prior.incidentId)) : null;
    if (inc && prior.incidentId) {
      const parsed = incidentSchema.parse(inc.data);
      tx.set(incidentPath(scope, prior.incidentId), {
        ...parsed,
        events: [...parsed.events, event].slice(-maxIncidentEvents),
      });
    }
    tx.set(alertStatePath(scope, ruleId), next);
    return next;
  });
}

// ---------------------------------------------------------------------------------------------------
// Preview: how often would a rule have fired over the last 7 days
// ---------------------------------------------------------------------------------------------------

export interface Preview {
  readonly days: number;
  readonly evaluations: number;
  readonly fired: number;
  readonly firings: { firedAt: string; resolvedAt: string | null; peak: number | null }[];
  readonly minutesWithData: number;
}

/**
 * Replays the rule minute by minute over the kept minutes of the last 7 days, through the same state machine
 * the tick runs. Budget and queue-age rules have no history to replay (their values are read live).
 */
export async function previewRule(deps: Deps, scope: string, rule: AlertRule, days = 7): Promise<Preview> {
  checkRule(scope, rule);
  const end = floorTo(new Date(deps.clock.now().getTime() - evaluationLagMs), "minute");
  const start = new Date(end.getTime() - days * grainMs.day);
  if (rule.metric === "budget" || rule.metric === "queue-age") {
    return { days, evaluations: 0, fired: 0, firings: [], minutesWithData: 0 };
  }
  const lookback = rule.windowMinutes * (rule.condition.type === "change" ? 2 : 1) * 60_000;
  const units = await readUnits(deps, scope, "minute", new Date(start.getTime() - lookback), end);
  const filter = filterOf(rule);
  // Per-minute summaries, then windows slide over them.
  const perMinute = new Map<number, Summary>();
  for (const u of units) {
    const s = summarize([u], filter, emptySummary());
    if (s.count > 0) perMinute.set(u.at.getTime(), s);
  }
  // Both windows slide a minute at a time: each step adds the minute entering and takes out the minute
  // leaving, so a preview costs the same whatever the window's length.
  const move = (into: Summary, t: number, sign: 1 | -1) => {
    const s = perMinute.get(t);
    if (!s) return;
    into.count += sign * s.count;
    into.errors += sign * s.errors;
    into.sumMs += sign * s.sumMs;
    for (let i = 0; i < s.hist.length; i++) into.hist[i] = (into.hist[i] ?? 0) + sign * (s.hist[i] ?? 0);
    for (const [k, v] of Object.entries(s.counts)) into.counts[k] = (into.counts[k] ?? 0) + sign * v;
  };
  let state = emptyState("preview");
  const firings: Preview["firings"] = [];
  let evaluations = 0;
  const w = rule.windowMinutes * 60_000;
  const first = start.getTime() + 60_000;
  const current = emptySummary();
  const before = emptySummary();
  for (let m = first - w; m < first; m += 60_000) move(current, m, 1);
  for (let m = first - 2 * w; m < first - w; m += 60_000) move(before, m, 1);
  for (let t = first; t <= end.getTime(); t += 60_000) {
    if (t > first) {
      move(current, t - 60_000, 1);
      move(current, t - 60_000 - w, -1);
      move(before, t - 60_000 - w, 1);
      move(before, t - 60_000 - 2 * w, -1);
    }
    const value = valueOf(rule, current);
    const previous = rule.condition.type === "change" ? valueOf(rule, before) : null;
    const at = new Date(t).toISOString();
    const step = stepAlert(
      { ...rule, renotifyMinutes: 0 },
      { ...state, silencedUntil: null },
      holds(rule, value, previous),
      value,
      at,
    );
    evaluations++;
    if (step.events.some((e) => e.type === "fired"))
      firings.push({ firedAt: at, resolvedAt: null, peak: value });
    const open = firings[firings.length - 1];
    if (open && open.resolvedAt === null) {
      if (step.closes === "resolved") open.resolvedAt = at;
      else open.peak = worse(rule, open.peak, value);
    }
    state = step.state;
  }
  return {
    days,
    evaluations,
    fired: firings.length,
    firings: firings.slice(-100),
    minutesWithData: perMinute.size,
  };
}
