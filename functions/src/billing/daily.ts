/**
 * Billing's scheduled work:
 * - `sweepUnmetered`: events a trigger delivery never folded (a delivery that gave up, an outage) are
 *   metered after `unmeteredAfterMs`. Metering is idempotent, so the sweep racing a late trigger is harmless.
 * - `requeueStripeEvents`: webhook events recorded but never processed (the queue write failed) are queued again.
 * - `dailyStripeJobs`: each workspace with a Stripe customer gets yesterday's usage reported to the billing
 *   meter and the day before's reconciled against it (Stripe aggregates meter events asynchronously).
 */
import type { Deps } from "../platform/deps.js";
import { log } from "../platform/log.js";
import { everyMatch } from "../platform/paging.js";
import { dayOf } from "./ledger.js";
import { meterEvent } from "./meter.js";
import { enqueueStripeEvent, meterUsageQueue } from "./stripe.js";

export const unmeteredAfterMs = 10 * 60_000;

/** Meters the events still unmetered `unmeteredAfterMs` after they happened; answers how many it metered. */
export async function sweepUnmetered(deps: Deps, max = 5000): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - unmeteredAfterMs).toISOString();
  let metered = 0;
  let seen = 0;
  for await (const snap of everyMatch(
    deps.store,
    {
      collectionGroup: "usageEvents",
      where: [
        { field: "meteredAt", op: "==", value: null },
        { field: "at", op: "<", value: cutoff },
      ],
      orderBy: [{ field: "at" }],
    },
    200,
  )) {
    if (++seen > max) break;
    const tenantId = snap.path.split("/")[1];
    if (!tenantId) continue;
    if ((await meterEvent(deps, tenantId, snap.id)) === "metered") metered++;
  }
  if (metered > 0) log.warn("metered usage events their trigger had not", { metered });
  return metered;
}

export async function requeueStripeEvents(deps: Deps): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - 5 * 60_000).toISOString();
  const stale = await deps.store.query({
    collection: "stripeEvents",
    where: [
      { field: "status", op: "==", value: "queued" },
      { field: "receivedAt", op: "<", value: cutoff },
    ],
    limit: 500,
  });
  for (const snap of stale) await enqueueStripeEvent(deps, snap.id);
  return stale.length;
}

/** Queues yesterday's usage report and the day before's reconciliation for every Stripe customer. */
export async function dailyStripeJobs(deps: Deps): Promise<number> {
  if (!deps.payments) return 0;
  const now = deps.clock.now().getTime();
  const yesterday = dayOf(new Date(now - 86_400_000).toISOString());
  const dayBefore = dayOf(new Date(now - 2 * 86_400_000).toISOString());
  let queued = 0;
  for await (const snap of everyMatch(deps.store, { collection: "stripeCustomers" }, 500)) {
    const tenantId = (snap.data as { tenantId?: unknown }).tenantId;
    if (typeof tenantId !== "string") continue;
    await deps.tasks.enqueue(
      meterUsageQueue,
      { tenantId, day: yesterday, action: "report" },
      { id: `report-${tenantId}-${yesterday}` },
    );
    await deps.tasks.enqueue(
      meterUsageQueue,
      { tenantId, day: dayBefore, action: "reconcile" },
      { id: `reconcile-${tenantId}-${dayBefore}` },
    );
    queued++;
  }
  return queued;
}
