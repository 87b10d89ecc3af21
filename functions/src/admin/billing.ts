/**
 * The operator's billing overview of the installation for the current period: workspaces per plan, credits
 * used and turns, the workspaces with a negative balance and those that used the most. Two collection-group
 * scans (billing accounts, this month's usage rollups) and the tenant documents, whatever the number of
 * workspaces: no per-workspace reads.
 */
import { z } from "zod";
import { catalogAt } from "../billing/catalog.js";
import { accountAsOf, periodOf } from "../billing/ledger.js";
import { accountSchema, rollupSchema } from "../billing/schema.js";
import { tenantSchema } from "../identity/tenants.js";
import type { Deps } from "../platform/deps.js";
import { everyMatch } from "../platform/paging.js";
import { tenantOf } from "./people.js";

export const billingOverviewSchema = z.object({
  period: z.string(),
  currency: z.string(),
  workspaces: z.number(),
  byPlan: z.array(z.object({ plan: z.string(), planName: z.string(), workspaces: z.number() })),
  creditsUsedMicros: z.number(),
  turns: z.number(),
  negativeBalances: z.array(z.object({ tenantId: z.string(), name: z.string(), balanceMicros: z.number() })),
  topUsage: z.array(
    z.object({ tenantId: z.string(), name: z.string(), creditsUsedMicros: z.number(), turns: z.number() }),
  ),
});

export async function installationBilling(deps: Deps): Promise<z.infer<typeof billingOverviewSchema>> {
  const now = deps.clock.nowIso();
  const period = periodOf(now);
  const catalog = await catalogAt(deps, now);
  const names = new Map<string, string>();
  for await (const snap of everyMatch(deps.store, { collection: "tenants" }, 500)) {
    const parsed = tenantSchema.safeParse(snap.data);
    if (parsed.success) names.set(snap.id, parsed.data.name);
  }
  // A workspace without a billing account is on the free plan with no credits yet.
  const planOf = new Map<string, string>([...names.keys()].map((id) => [id, "free"]));
  const negativeBalances: { tenantId: string; name: string; balanceMicros: number }[] = [];
  for await (const snap of everyMatch(deps.store, { collectionGroup: "billing" }, 500)) {
    const tenantId = tenantOf(snap.path);
    if (snap.id !== "account" || !names.has(tenantId)) continue;
    const parsed = accountSchema.safeParse(snap.data);
    if (!parsed.success) continue;
    const account = accountAsOf(parsed.data, now, catalog).account;
    planOf.set(tenantId, account.planId);
    if (account.balanceMicros < 0) {
      negativeBalances.push({
        tenantId,
        name: names.get(tenantId) ?? tenantId,
        balanceMicros: account.balanceMicros,
      });
    }
  }
  const usage: { tenantId: string; name: string; creditsUsedMicros: number; turns: number }[] = [];
  for await (const snap of everyMatch(
    deps.store,
    { collectionGroup: "usageMonthly", where: [{ field: "period", op: "==", value: period }] },
    500,
  )) {
    const tenantId = tenantOf(snap.path);
    const parsed = rollupSchema.safeParse(snap.data);
    if (!parsed.success || !names.has(tenantId)) continue;
    usage.push({
      tenantId,
      name: names.get(tenantId) ?? tenantId,
      creditsUsedMicros: parsed.data.costMicros,
      turns: parsed.data.turns,
    });
  }
  const counts = new Map<string, number>();
  for (const plan of planOf.values()) counts.set(plan, (counts.get(plan) ?? 0) + 1);
  return {
    period,
    currency: catalog.currency,
    workspaces: names.size,
    byPlan: [...counts.entries()]
      .map(([plan, workspaces]) => ({ plan, planName: catalog.plans[plan]?.name ?? plan, workspaces }))
      .sort((a, b) => b.workspaces - a.workspaces || a.plan.localeCompare(b.plan)),
    creditsUsedMicros: usage.reduce((n, u) => n + u.creditsUsedMicros, 0),
    turns: usage.reduce((n, u) => n + u.turns, 0),
    negativeBalances: negativeBalances.sort((a, b) => a.balanceMicros - b.balanceMicros).slice(0, 20),
    topUsage: usage
      .sort((a, b) => b.creditsUsedMicros - a.creditsUsedMicros || b.turns - a.turns)
      .slice(0, 10),
  };
}
