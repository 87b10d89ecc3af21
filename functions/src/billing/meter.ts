/**
 * The meter: folds one usage event into the rollups and the credits ledger, exactly once.
 *
 * One transaction reads the event and, unless it already carries `meteredAt`, adds it to the workspace's
 * day and month rollups (and, for a turn, to its agent × model × day rollup), prices it with the catalog in
 * force when it happened, appends its consumption to the ledger (`use_{eventId}`) and marks the event
 * metered. A retried delivery, a crash before the commit or two deliveries racing each other therefore count
 * it once: the transaction that commits second sees `meteredAt` and does nothing.
 *
 * Limits crossed by the event (80% and 100% of a plan's monthly tokens or daily conversations, the credits
 * running out) leave a notice for the workspace's admins, once per period: an event is applied once and the
 * counters only grow, so exactly one event crosses each threshold.
 */
import type { Deps } from "../platform/deps.js";
import { log } from "../platform/log.js";
import type { Transaction } from "../platform/ports.js";
import { catalogAt, costOf, countersOf } from "./catalog.js";
import { accountAsOf, commitLedger, dayOf, periodOf, readAccount } from "./ledger.js";
import { crossedThresholds, noticePath } from "./notices.js";
import {
  emptyCounters,
  latencyBoundsMs,
  latencyBucketOf,
  modelRollupSchema,
  modelUsageSchema,
  rollupSchema,
  usageByModelPath,
  usageDailyPath,
  usageMonthlyPath,
  type Counters,
  type Rollup,
} from "./schema.js";
import { usageEventPath, usageEventSchema, type UsageEvent } from "./usage.js";

/** Adds `add` (and a latency sample) to `counters`, in place. */
function addTo(
  counters: Counters,
  add: Partial<Counters>,
  cost: number,
  at: string,
  latencyMs: number | null,
): void {
  for (const [k, v] of Object.entries(add)) {
    const record = counters as unknown as Record<string, number>;
    if (typeof v === "number") record[k] = (record[k] ?? 0) + v;
  }
  counters.costMicros += cost;
  if (latencyMs !== null) {
    const latency =
      counters.latency.length === latencyBoundsMs.length + 1
        ? counters.latency
        : Array.from({ length: latencyBoundsMs.length + 1 }, (_, i) => counters.latency[i] ?? 0);
    latency[latencyBucketOf(latencyMs)] = (latency[latencyBucketOf(latencyMs)] ?? 0) + 1;
    counters.latency = latency;
  }
  if (!counters.lastAt || at > counters.lastAt) counters.lastAt = at;
}

function addEvent(rollup: Rollup, event: UsageEvent, cost: number): void {
  const add = countersOf(event);
  const latencyMs = event.kind === "turn" ? event.latencyMs : null;
  addTo(rollup, add, cost, event.at, latencyMs);
  if ((event.kind === "turn" || event.kind === "model") && event.sandbox) {
    // Billed like any turn (above, and in `models`), and counted apart: no channel's traffic.
    addTo((rollup.sandbox ??= emptyCounters()), add, cost, event.at, latencyMs);
  } else if (event.kind === "turn" || event.kind === "message" || event.kind === "tool") {
    const channel = (rollup.channels[event.channel] ??= emptyCounters());
    addTo(channel, add, cost, event.at, latencyMs);
  }
  if (event.kind === "turn" || event.kind === "model") {
    const key = `${event.agentId}|${event.model}`;
    const m = (rollup.models[key] ??= modelUsageSchema.parse({ agentId: event.agentId, model: event.model }));
    const failed = event.kind === "turn" && event.status === "failed";
    m.turns += event.kind === "turn" && !failed ? 1 : 0;
    m.failed += failed ? 1 : 0;
    m.inputTokens += event.inputTokens;
    m.outputTokens += event.outputTokens;
    m.toolCalls += event.kind === "turn" ? event.toolCalls : 0;
    m.costMicros += cost;
  }
}

const rollupOf = (data: unknown, period: string): Rollup =>
  data ? rollupSchema.parse(data) : rollupSchema.parse({ period });

export type MeterOutcome = "metered" | "already-metered" | "missing";

/** Folds the event `eventId` into the rollups and the ledger, once. */
export async function meterEvent(deps: Deps, tenantId: string, eventId: string): Promise<MeterOutcome> {
  const eventPath = usageEventPath(tenantId, eventId);
  const now = deps.clock.nowIso();
  return deps.store.runTransaction(async (tx: Transaction): Promise<MeterOutcome> => {
    const snap = await tx.get(eventPath);
    if (!snap) return "missing";
    const parsed = usageEventSchema.safeParse(snap.data);
    if (!parsed.success) {
      // Only the platform writes events; one that does not parse is a bug, logged and left for a fix.
      log.error("usage event does not parse; not metered", {
        tenantId,
        eventId,
        issues: parsed.error.issues,
      });
      return "missing";
    }
    const event = parsed.data;
    if (event.meteredAt) return "already-metered";
    // Cached per instance (catalog.ts): no read inside the transaction but once a minute.
    const [priced, current] = await Promise.all([catalogAt(deps, event.at), catalogAt(deps, now)]);
    const day = dayOf(event.at);
    const month = periodOf(event.at);
    const byModel =
      event.kind === "turn" || event.kind === "model"
        ? usageByModelPath(tenantId, day, event.agentId, event.model)
        : null;
    const [dailySnap, monthlySnap, modelSnap, stored] = await Promise.all([
      tx.get(usageDailyPath(tenantId, day)),
      tx.get(usageMonthlyPath(tenantId, month)),
      byModel ? tx.get(byModel) : Promise.resolve(null),
      readAccount(tx, tenantId),
    ]);
    const cost = costOf(event, priced);
    const daily = rollupOf(dailySnap?.data, day);
    const monthly = rollupOf(monthlySnap?.data, month);
    const before = { daily: { ...daily }, monthly: { ...monthly } };
    addEvent(daily, event, cost);
    addEvent(monthly, event, cost);
    tx.set(usageDailyPath(tenantId, day), daily);
    tx.set(usageMonthlyPath(tenantId, month), monthly);
    if (byModel && (event.kind === "turn" || event.kind === "model")) {
      const rollup = modelSnap
        ? modelRollupSchema.parse(modelSnap.data)
        : modelRollupSchema.parse({ period: day, agentId: event.agentId, model: event.model });
      addEvent(rollup, event, cost);
      tx.set(byModel, rollup);
    }
    const ledger = accountAsOf(stored, now, current);
    const balanceBefore = ledger.account.balanceMicros;
    if (cost > 0) ledger.apply(`use_${eventId}`, "consumption", -cost, eventId);
    commitLedger(tx, tenantId, ledger);
    tx.update(eventPath, { meteredAt: now });
    const notices = crossedThresholds({
      plan: current.plans[ledger.account.planId],
      before,
      after: { daily, monthly },
      balanceBefore,
      balanceAfter: ledger.account.balanceMicros,
      at: now,
    });
    for (const { id, notice } of notices) tx.set(noticePath(tenantId, id), notice);
    return "metered";
  });
}
