/**
 * Monitor's REST routes: health (shallow for everyone, deep for the operator), Prometheus metrics for the
 * operator, and per workspace the Health page's data: overview, series, incidents, alert rules (with a
 * 7-day preview), acknowledge and silence, probes and the SLA report. The operator's own scope (the whole
 * installation) is served under `/v1/operator/monitor/...` with the operator token, and is invisible (404)
 * without it.
 */
import { z } from "zod";
import { listAgents } from "../agents/agents.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { ApiRequest } from "../platform/http/http.js";
import { hasOperatorToken, route, type Route, type RouteContext } from "../platform/http/router.js";
import { metricsOf } from "../platform/metrics/recorder.js";
import { renderPrometheus, type Gauge } from "../platform/metrics/prometheus.js";
import { floorTo, grainMs, type Grain } from "../platform/metrics/schema.js";
import { idSchema, validate } from "../platform/validation.js";
import {
  acknowledge,
  createRule,
  deleteRule,
  listRules,
  previewRule,
  silence,
  silenceInput,
  updateRule,
} from "./alerts.js";
import { emptySummary, pointOf, readUnits, summarize, type Point } from "./buckets.js";
import { runChecks, storedChecks } from "./checks.js";
import { analyticsResponseSchema, loadAnalytics } from "./analytics.js";
import { checkHealth } from "./health.js";
import { deleteProbe, listProbes, putProbe } from "./probes.js";
import {
  alertStateSchema,
  alertStatesPath,
  incidentSchema,
  incidentsPath,
  platformScope,
  probeInputSchema,
  probeSchema,
  ruleInputSchema,
  ruleSchema,
} from "./schema.js";
import { slaCsv, slaQuerySchema, slaReport, slaReportSchema } from "./sla.js";
import { monitorChannelRoutes } from "./channel-routes.js";

const tag = "Monitor";

// ---------------------------------------------------------------------------------------------------
// The operator token
// ---------------------------------------------------------------------------------------------------

function requireOperator(deps: Deps, req: ApiRequest): void {
  // Indistinguishable from a route that does not exist: nobody learns there is something to guess at.
  if (!hasOperatorToken(deps, req)) throw new AppError("not-found", `No route for ${req.method} ${req.path}`);
}

// ---------------------------------------------------------------------------------------------------
// Overview and series
// ---------------------------------------------------------------------------------------------------

const statusOrder = { ok: 0, unknown: 0, degraded: 1, down: 2 } as const;

export async function overview(deps: Deps, scope: string) {
  const now = deps.clock.now();
  const to = floorTo(new Date(now.getTime() + grainMs.minute), "minute");
  const from = new Date(to.getTime() - 60 * grainMs.minute);
  const [checks, units, states, rules, agents, probes] = await Promise.all([
    storedChecks(deps, scope),
    readUnits(deps, scope, "minute", from, to),
    // One state per rule (at most 50): read whole, filtered here.
    deps.store.query({ collection: alertStatesPath(scope), limit: 200 }),
    listRules(deps, scope),
    scope === platformScope ? Promise.resolve([]) : listAgents(deps, scope),
    scope === platformScope ? Promise.resolve([]) : listProbes(deps, scope),
  ]);
  const worst = checks.reduce((w, c) => Math.max(w, statusOrder[c.status]), 0);
  const probeOf = new Map(probes.map((p) => [p.agentId, p]));
  const ruleOf = new Map(rules.map((r) => [r.id, r]));
  return {
    generatedAt: now.toISOString(),
    status: worst === 0 ? "ok" : worst === 1 ? "degraded" : "down",
    window: { from: from.toISOString(), to: to.toISOString() },
    checks: checks.map((c) => ({
      name: c.name,
      status: c.status,
      latencyMs: c.latencyMs,
      detail: c.detail,
      checkedAt: c.checkedAt,
      history: c.history,
    })),
    agents: agents.map((a) => {
      const s = summarize(units, { kind: "turn", agentId: a.id }, emptySummary());
      const p = pointOf(from, s);
      const probe = probeOf.get(a.id) ?? null;
      const failing =
        (p.errorRate ?? 0) > 0.05 ||
        (probe?.enabled && probe.last && !probe.last.ok && probe.last.outcome !== "skipped");
      return {
        agentId: a.id,
        name: a.name,
        published: a.publishedVersion !== null,
        turns: s.count,
        errorRate: p.errorRate,
        p95Ms: p.p95,
        abstentionRate: p.abstentionRate,
        status: failing ? "failing" : s.count === 0 ? "idle" : "ok",
        probe,
      };
    }),
    activeAlerts: states.flatMap((d) => {
      const parsed = alertStateSchema.safeParse(d.data);
      const rule = ruleOf.get(d.id);
      if (!parsed.success || !rule || parsed.data.state === "ok") return [];
      const s = parsed.data;
      return [
        {
          ruleId: d.id,
          ruleName: rule.name,
          severity: rule.severity,
          state: s.state,
          since: s.since,
          value: s.value,
          incidentId: s.incidentId,
          acknowledgedBy: s.acknowledgedBy,
          silencedUntil: s.silencedUntil,
        },
      ];
    }),
  };
}

const stepLimits: Record<Grain, number> = { minute: 1440, hour: 1440, day: 400 };

export const seriesQuerySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  step: z.enum(["minute", "hour", "day"]).default("minute"),
  kind: z.enum(["turn", "request"]).default("turn"),
  agentId: idSchema.optional(),
});

export async function series(deps: Deps, scope: string, q: z.infer<typeof seriesQuerySchema>) {
  const step = q.step;
  const now = deps.clock.now();
  const to = floorTo(q.to ? new Date(q.to) : new Date(now.getTime() + grainMs[step]), step);
  const from = floorTo(q.from ? new Date(q.from) : new Date(to.getTime() - 60 * grainMs[step]), step);
  if (from >= to) throw new AppError("invalid-argument", "from must be before to");
  const points = (to.getTime() - from.getTime()) / grainMs[step];
  if (points > stepLimits[step]) {
    throw new AppError(
      "invalid-argument",
      `A ${step} series has at most ${stepLimits[step]} points; this window has ${points} (use a larger step)`,
    );
  }
  const units = new Map((await readUnits(deps, scope, step, from, to)).map((u) => [u.at.getTime(), u]));
  const filter = { kind: q.kind, ...(q.agentId ? { agentId: q.agentId } : {}) };
  const out: Point[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += grainMs[step]) {
    const unit = units.get(t);
    out.push(pointOf(new Date(t), unit ? summarize([unit], filter, emptySummary()) : emptySummary()));
  }
  return { step, kind: q.kind, from: from.toISOString(), to: to.toISOString(), points: out };
}

// ---------------------------------------------------------------------------------------------------
// Prometheus
// ---------------------------------------------------------------------------------------------------

async function prometheusText(deps: Deps): Promise<string> {
  const gauges: Gauge[] = [];
  if (deps.tasks.depths) {
    for (const d of await deps.tasks.depths()) {
      gauges.push(
        {
          name: "alchemist_task_queue_depth",
          help: "Tasks waiting on a queue (due or not).",
          labels: { queue: d.queue },
          value: d.waiting,
        },
        {
          name: "alchemist_task_queue_running",
          help: "Tasks running on a queue.",
          labels: { queue: d.queue },
          value: d.running,
        },
        {
          name: "alchemist_task_queue_oldest_age_seconds",
          help: "How long a queue's oldest due task has waited past its due time.",
          labels: { queue: d.queue },
          value: d.oldestDueAgeSeconds,
        },
      );
    }
  }
  return renderPrometheus(metricsOf(deps).processTotals(), gauges);
}

// ---------------------------------------------------------------------------------------------------
// The routes, per scope
// ---------------------------------------------------------------------------------------------------

const ruleParams = z.object({ ruleId: idSchema });
const agentParams = z.object({ agentId: idSchema });
const incidentsQuery = z.object({
  status: z.enum(["pending", "firing", "resolved", "cancelled"]).optional(),
});
const ruleViewSchema = ruleSchema.extend({ id: z.string(), state: alertStateSchema.nullable() });
const incidentViewSchema = incidentSchema.extend({ id: z.string() });
/**
 * A change: only the fields sent. zod 4's `.partial()` keeps `.default()`s, which would put back the defaults of
 * every field not sent (renaming a disabled rule would enable it and drop its filter), so they are unwrapped.
 */
const ruleFields = ruleInputSchema.shape;
const rulePatchSchema = z
  .object({
    ...ruleFields,
    filter: ruleFields.filter.unwrap(),
    forMinutes: ruleFields.forMinutes.unwrap(),
    minSamples: ruleFields.minSamples.unwrap(),
    renotifyMinutes: ruleFields.renotifyMinutes.unwrap(),
    channels: ruleFields.channels.unwrap(),
    enabled: ruleFields.enabled.unwrap(),
  })
  .partial()
  .strict();

type Ctx = RouteContext<unknown, unknown>;
const queryOf = (ctx: Ctx) => Object.fromEntries(ctx.request.query);
const who = (caller: Caller) => caller.uid;

/** The workspace routes; `scopeOf` picks the scope (the caller's workspace, or the platform's). */
function scopedRoutes(): Route<unknown, unknown>[] {
  const scopeOf = (ctx: Ctx) => ctx.caller.tenantId;
  const view = "monitor.view" as const;
  const manage = "monitor.manage" as const;
  return [
    route({
      method: "GET",
      path: "/v1/monitor/overview",
      summary: "The Health page's status: dependency checks, agents over the last hour, active alerts",
      tag,
      permission: view,
      handle: (ctx) => overview(ctx.deps, scopeOf(ctx)),
    }),
    route({
      method: "GET",
      path: "/v1/monitor/series",
      summary:
        "Turns (or requests) over time from the metric buckets: count, errors, error rate, latency p50/p95/p99, " +
        "abstentions, tokens per step (?from=&to= ISO, ?step=minute|hour|day, ?kind=turn|request, ?agentId=)",
      tag,
      permission: view,
      handle: (ctx) =>
        series(ctx.deps, scopeOf(ctx), validate(seriesQuerySchema, queryOf(ctx), "query parameter")),
    }),
    route({
      method: "GET",
      path: "/v1/monitor/incidents",
      summary: "Alert incidents with their timelines, newest first (at most 50; ?status=)",
      tag,
      permission: view,
      response: z.object({ incidents: z.array(incidentViewSchema) }),
      handle: async (ctx) => {
        const q = validate(incidentsQuery, queryOf(ctx), "query parameter");
        const docs = await ctx.deps.store.query({
          collection: incidentsPath(scopeOf(ctx)),
          where: q.status ? [{ field: "status", op: "==", value: q.status }] : [],
          orderBy: [{ field: "openedAt", direction: "desc" }],
          limit: 50,
        });
        return {
          incidents: docs.flatMap((d) => {
            const parsed = incidentSchema.safeParse(d.data);
            return parsed.success ? [{ id: d.id, ...parsed.data }] : [];
          }),
        };
      },
    }),
    route({
      method: "POST",
      path: "/v1/monitor/alerts/{ruleId}/acknowledge",
      summary: "Acknowledges a firing alert: it stops re-notifying until it resolves",
      tag,
      permission: manage,
      params: ruleParams,
      response: alertStateSchema,
      handle: (ctx) => acknowledge(ctx.deps, scopeOf(ctx), ctx.params.ruleId, who(ctx.caller)),
    }),
    route({
      method: "POST",
      path: "/v1/monitor/alerts/{ruleId}/silence",
      summary:
        "Silences an alert's notifications for {minutes} (0 lifts the silence); its state still changes",
      tag,
      permission: manage,
      params: ruleParams,
      body: { kind: "json", schema: silenceInput },
      response: alertStateSchema,
      handle: (ctx) => silence(ctx.deps, scopeOf(ctx), ctx.params.ruleId, ctx.body.minutes, who(ctx.caller)),
    }),
    route({
      method: "GET",
      path: "/v1/monitor/rules",
      summary: "Alert rules with their current state (the defaults are written on first use)",
      tag,
      permission: view,
      response: z.object({ rules: z.array(ruleViewSchema) }),
      handle: async (ctx) => {
        const scope = scopeOf(ctx);
        const rules = await listRules(ctx.deps, scope);
        const states = await ctx.deps.store.query({ collection: alertStatesPath(scope) });
        const stateOf = new Map(states.map((s) => [s.id, alertStateSchema.safeParse(s.data)]));
        return {
          rules: rules.map((r) => {
            const s = stateOf.get(r.id);
            return { ...r, state: s?.success ? s.data : null };
          }),
        };
      },
    }),
    route({
      method: "POST",
      path: "/v1/monitor/rules",
      summary: "Creates an alert rule",
      tag,
      permission: manage,
      status: 201,
      body: { kind: "json", schema: ruleInputSchema },
      response: ruleSchema.extend({ id: z.string() }),
      handle: (ctx) => createRule(ctx.deps, scopeOf(ctx), ctx.body),
    }),
    route({
      method: "POST",
      path: "/v1/monitor/rules/preview",
      summary: "How often a rule would have fired over the last 7 days, replayed minute by minute",
      tag,
      permission: view,
      body: { kind: "json", schema: ruleInputSchema },
      handle: (ctx) => {
        const now = ctx.deps.clock.nowIso();
        return previewRule(ctx.deps, scopeOf(ctx), {
          ...ctx.body,
          builtIn: false,
          createdAt: now,
          updatedAt: now,
        });
      },
    }),
    route({
      method: "PATCH",
      path: "/v1/monitor/rules/{ruleId}",
      summary: "Changes an alert rule",
      tag,
      permission: manage,
      params: ruleParams,
      body: { kind: "json", schema: rulePatchSchema },
      response: ruleSchema.extend({ id: z.string() }),
      handle: (ctx) => updateRule(ctx.deps, scopeOf(ctx), ctx.params.ruleId, ctx.body),
    }),
    route({
      method: "DELETE",
      path: "/v1/monitor/rules/{ruleId}",
      summary: "Deletes an alert rule (an open incident is closed as cancelled)",
      tag,
      permission: manage,
      params: ruleParams,
      status: 204,
      handle: async (ctx) => {
        await deleteRule(ctx.deps, scopeOf(ctx), ctx.params.ruleId);
        return undefined;
      },
    }),
    route({
      method: "GET",
      path: "/v1/monitor/sla",
      summary:
        "Monthly availability per agent and for the API, with the error budget (?month=YYYY-MM, ?target=99.9, " +
        "?format=csv for a spreadsheet)",
      tag,
      permission: view,
      raw: true,
      handle: async (ctx) => {
        const q = validate(slaQuerySchema, queryOf(ctx), "query parameter");
        const report = await slaReport(ctx.deps, scopeOf(ctx), q);
        if (q.format === "csv") {
          return {
            status: 200,
            headers: {
              "content-type": "text/csv; charset=utf-8",
              "content-disposition": `attachment; filename="sla-${report.month}.csv"`,
            },
            body: Buffer.from(slaCsv(report), "utf8"),
          };
        }
        return { status: 200, body: slaReportSchema.parse(report) };
      },
    }),
  ];
}

/** Probes belong to a workspace's agents: workspace routes only. */
const probeRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/monitor/probes",
    summary: "Synthetic probes: a canary question per agent, asked on a schedule, with its last result",
    tag,
    permission: "monitor.view",
    response: z.object({ probes: z.array(probeSchema) }),
    handle: async (ctx) => ({ probes: await listProbes(ctx.deps, ctx.caller.tenantId) }),
  }),
  route({
    method: "PUT",
    path: "/v1/monitor/probes/{agentId}",
    summary:
      "Sets an agent's probe: the question, whether it should answer or abstain, strings the answer must contain, " +
      "how often (its turns are marked synthetic: not billed, not in analytics)",
    tag,
    permission: "monitor.manage",
    params: agentParams,
    body: { kind: "json", schema: probeInputSchema },
    response: probeSchema,
    handle: (ctx) => putProbe(ctx.deps, ctx.caller.tenantId, ctx.params.agentId, ctx.body),
  }),
  route({
    method: "DELETE",
    path: "/v1/monitor/probes/{agentId}",
    summary: "Removes an agent's probe",
    tag,
    permission: "monitor.manage",
    params: agentParams,
    status: 204,
    handle: async (ctx) => {
      await deleteProbe(ctx.deps, ctx.caller.tenantId, ctx.params.agentId);
      return undefined;
    },
  }),
];

/**
 * The same routes for the operator's scope (the whole installation): `/v1/operator/monitor/...`, behind the
 * operator token, answered as if they did not exist without it.
 */
function operatorVariant(r: Route<unknown, unknown>): Route<unknown, unknown> {
  return {
    ...r,
    path: r.path.replace(/^\/v1\/monitor\//, "/v1/operator/monitor/"),
    summary: `Operator: ${r.summary} (the whole installation; MONITOR_OPERATOR_TOKEN)`,
    tag: "Operator",
    permission: null,
    agentOf: undefined,
    operator: true,
    handle: (ctx) => {
      // The installation's scope, whichever operator asks (the token, or an operator's session).
      const caller: Caller = {
        tenantId: platformScope,
        role: "owner",
        uid: ctx.caller.uid,
        via: ctx.caller.via,
        platformAdmin: true,
      };
      return r.handle({ ...ctx, caller });
    },
  };
}

const workspaceRoutes = [...scopedRoutes(), ...monitorChannelRoutes];

export const monitorRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/health",
    summary:
      "Platform health: run mode, version, store checks and the models in use; ?deep=1 with the operator token " +
      "runs every dependency check (models, queues, Stripe) and answers 503 when one is down",
    tag: "Platform",
    permission: null,
    raw: true,
    handle: async ({ deps, request }) => {
      if (request.query.get("deep") === "1") {
        requireOperator(deps, request);
        const checks = await runChecks(deps);
        const worst = checks.reduce((w, c) => Math.max(w, statusOrder[c.status]), 0);
        const status = worst === 0 ? "ok" : worst === 1 ? "degraded" : "down";
        return { status: status === "down" ? 503 : 200, body: { status, checks } };
      }
      const report = await checkHealth(deps);
      return { status: report.status === "down" ? 503 : 200, body: report };
    },
  }),
  route({
    method: "GET",
    path: "/metrics",
    summary:
      "This process's counters and histograms in Prometheus' text format (requests, turns, model calls, tasks, " +
      "probes, queue depth); operator token required (404 without it)",
    tag: "Platform",
    permission: null,
    raw: true,
    handle: async ({ deps, request }) => {
      requireOperator(deps, request);
      return {
        status: 200,
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" },
        body: Buffer.from(await prometheusText(deps), "utf8"),
      };
    },
  }),
  route({
    method: "GET",
    path: "/v1/analytics",
    summary:
      "Conversation analytics per UTC day, in total and by channel: conversations, turns, abstention rate, " +
      "declined and failed turns, average confidence, latency p50/p95/p99 and tokens (?agentId=, " +
      "?from= and ?to= as ISO dates, to exclusive, default the last 30 days, at most 90; ?bucket=day), " +
      "from the usage rollups of every whole UTC day the window overlaps; and the knowledge gaps, from the " +
      "newest 2,000 abstained turns at most ('truncated' says when the window held more)",
    tag: "Accountability",
    permission: "conversations.view",
    response: analyticsResponseSchema,
    handle: ({ deps, caller, request }) =>
      loadAnalytics(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
  ...workspaceRoutes,
  ...probeRoutes,
  ...workspaceRoutes.map(operatorVariant),
];
