/**
 * What a workspace's owners read about billing: the overview (plan, account, limits and how much of each is
 * used, notices) and usage over a window of days. Both read rollups only, never events: a 90-day usage
 * window is at most 91 day documents.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { catalogAt } from "./catalog.js";
import { dayEnd, dayOf, periodEnd, periodOf } from "./ledger.js";
import { standing } from "./limits.js";
import {
  countersSchema,
  creditEntriesPath,
  emptyCounters,
  creditEntrySchema,
  limitLabels,
  limitNames,
  noticeSchema,
  noticesPath,
  rollupSchema,
  usageDailyCollection,
  usageDailyPath,
  usageMonthlyPath,
  type Counters,
  type LimitName,
  type ModelUsage,
} from "./schema.js";

/** Counts the services that own them report: what stock limits compare against. */
export interface Stock {
  readonly documents: number;
  readonly storageBytes: number;
  readonly members: number;
  readonly agents: number;
}

export const maxUsageDays = 92;

export const usageQuerySchema = z
  .object({
    /** First day, inclusive (`yyyy-mm-dd`). Default: 29 days before `to`. */
    from: z.iso.date().optional(),
    /** Last day, inclusive. Default: today (UTC). */
    to: z.iso.date().optional(),
  })
  .strict();

type Figures = Omit<Counters, "latency" | "confidenceSum" | "confidenceCount" | "lastAt">;

/** The billable figures of a rollup: its counters, without analytics' histogram and the breakdown maps. */
function stripCounters(c: Counters): Figures {
  const figures: Record<string, unknown> = {};
  for (const key of Object.keys(countersSchema.shape) as (keyof Counters)[]) {
    if (key === "latency" || key === "confidenceSum" || key === "confidenceCount" || key === "lastAt")
      continue;
    figures[key] = c[key];
  }
  return figures as Figures;
}

/** Usage per day over [from, to] (zeros on quiet days), its totals, and the breakdown by agent and model. */
export async function usageReport(deps: Deps, tenantId: string, query: z.infer<typeof usageQuerySchema>) {
  const today = dayOf(deps.clock.nowIso());
  const to = query.to ?? today;
  const from = query.from ?? dayOf(new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString());
  if (from > to) throw new AppError("invalid-argument", `from (${from}) is after to (${to})`);
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
  if (days > maxUsageDays) {
    throw new AppError(
      "invalid-argument",
      `A usage window is at most ${maxUsageDays} days; this one is ${days}`,
    );
  }
  const snaps = await deps.store.query({
    collection: usageDailyCollection(tenantId),
    where: [
      { field: "period", op: ">=", value: from },
      { field: "period", op: "<=", value: to },
    ],
  });
  const byDay = new Map(snaps.map((s) => [s.id, rollupSchema.parse(s.data)]));
  const totals = rollupSchema.parse({ period: `${from}..${to}` });
  // The part of the totals Sandbox turns (eval runs, replays, simulations) made: its own line.
  const sandbox = emptyCounters();
  const models = new Map<string, ModelUsage>();
  const series = [];
  for (let i = 0; i < days; i++) {
    const day = dayOf(new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString());
    const r = byDay.get(day) ?? rollupSchema.parse({ period: day });
    for (const k of Object.keys(totals) as (keyof Counters)[]) {
      const v = r[k];
      if (typeof v === "number")
        (totals as unknown as Record<string, number>)[k] =
          ((totals as unknown as Record<string, number>)[k] ?? 0) + v;
    }
    for (const k of Object.keys(sandbox) as (keyof Counters)[]) {
      const v = r.sandbox?.[k];
      const sums = sandbox as unknown as Record<string, number>;
      if (typeof v === "number") sums[k] = (sums[k] ?? 0) + v;
    }
    for (const [key, m] of Object.entries(r.models)) {
      const sum = models.get(key);
      if (!sum) models.set(key, { ...m });
      else {
        sum.turns += m.turns;
        sum.failed += m.failed;
        sum.inputTokens += m.inputTokens;
        sum.outputTokens += m.outputTokens;
        sum.toolCalls += m.toolCalls;
        sum.costMicros += m.costMicros;
      }
    }
    series.push({ day, ...stripCounters(r) });
  }
  const catalog = await catalogAt(deps, deps.clock.nowIso());
  return {
    from,
    to,
    currency: catalog.currency,
    days: series,
    totals: stripCounters(totals),
    /** Included in `totals` (it is billed like any usage): what Sandbox runs, replays and simulations used. */
    sandbox: stripCounters(sandbox),
    byModel: [...models.values()].sort((a, b) => b.costMicros - a.costMicros || b.turns - a.turns),
  };
}

/** The billing page's overview. */
export async function billingOverview(deps: Deps, tenantId: string, stock: Stock) {
  const now = deps.clock.nowIso();
  const [{ account, plan, planId }, catalog] = await Promise.all([
    standing(deps, tenantId),
    catalogAt(deps, now),
  ]);
  const day = dayOf(now);
  const month = periodOf(now);
  const [daily, monthly, notices, entries] = await Promise.all([
    deps.store.get(usageDailyPath(tenantId, day)).then((s) => rollupSchema.parse(s?.data ?? { period: day })),
    deps.store
      .get(usageMonthlyPath(tenantId, month))
      .then((s) => rollupSchema.parse(s?.data ?? { period: month })),
    deps.store.query({
      collection: noticesPath(tenantId),
      orderBy: [{ field: "at", direction: "desc" }],
      limit: 20,
    }),
    deps.store.query({
      collection: creditEntriesPath(tenantId),
      orderBy: [{ field: "at", direction: "desc" }],
      limit: 20,
    }),
  ]);
  const used: Partial<Record<LimitName, { used: number | null; resetsAt: string | null }>> = {
    conversationsPerDay: { used: daily.conversations, resetsAt: dayEnd(day) },
    conversationsPerEndUserPerDay: { used: null, resetsAt: dayEnd(day) },
    tokensPerMonth: { used: monthly.inputTokens + monthly.outputTokens, resetsAt: periodEnd(month) },
    documents: { used: stock.documents, resetsAt: null },
    storageBytes: { used: stock.storageBytes, resetsAt: null },
    members: { used: stock.members, resetsAt: null },
    agents: { used: stock.agents, resetsAt: null },
  };
  return {
    connected: deps.payments !== undefined,
    currency: catalog.currency,
    catalogVersion: catalog.version,
    plan: { id: planId, ...plan },
    account: {
      status: account.status,
      balanceMicros: account.balanceMicros,
      includedRemainingMicros: account.includedRemainingMicros,
      period: account.period,
      periodEnd: periodEnd(account.period),
      graceUntil: account.graceUntil,
      stripeCustomer: account.stripeCustomerId !== null,
      subscribed: account.stripeSubscriptionId !== null,
    },
    thisMonth: stripCounters(monthly),
    today: stripCounters(daily),
    limits: limitNames.flatMap((name) => {
      const limit = plan.limits[name];
      if (!limit) return [];
      const u = used[name] ?? { used: null, resetsAt: null };
      return [
        {
          name,
          label: limitLabels[name],
          value: limit.value,
          hard: limit.hard,
          used: u.used,
          resetsAt: u.resetsAt,
        },
      ];
    }),
    plans: Object.entries(catalog.plans).map(([id, p]) => ({
      id,
      name: p.name,
      priceLabel: p.priceLabel,
      includedCreditsMicros: p.includedCreditsMicros,
      overage: p.overage,
      purchasable: p.stripePriceId !== null,
    })),
    topUpOptionsMicros: catalog.topUpOptionsMicros,
    notices: notices.map((n) => ({ id: n.id, ...noticeSchema.parse(n.data) })),
    ledger: entries.map((e) => ({ id: e.id, ...creditEntrySchema.parse(e.data) })),
  };
}
