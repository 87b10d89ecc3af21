/**
 * Retention: each tenant that sets `settings.retentionDays` has its conversations deleted (with their
 * messages and traces) once they have not been updated for that many days. Run daily by a schedule; each
 * run does a bounded amount of work per tenant and the next run continues where it stopped.
 */
import { conversationsPath } from "../agents/schema.js";
import { recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { everyMatch } from "../platform/paging.js";
import { log } from "../platform/log.js";
import type { DocSnapshot } from "../platform/ports.js";
import { addCounts, noCounts, purgeConversation, type PurgeCounts } from "./purge.js";
import { settingsOf } from "./settings.js";
import { sweepExpiredNarrative } from "../narrative/retention.js";

/** The root collection of tenant documents (tenancy.ts builds the paths below it). */
const tenantsCollection = "tenants";
const dayMs = 86_400_000;
const tenantPage = 100;
const conversationPage = 50;

export interface RetentionOptions {
  /** The most conversations deleted per tenant in one run (the rest wait for the next run). */
  readonly maxConversationsPerTenant?: number;
}

export interface TenantRetention {
  readonly tenantId: string;
  readonly retentionDays: number;
  /** Conversations last updated before this time were deleted. */
  readonly cutoff: string;
  readonly deleted: PurgeCounts;
  /** True when the run stopped at its limit with older conversations still left. */
  readonly more: boolean;
}

/** Tenants that set a retention period, one page at a time. */
function tenantsWithRetention(deps: Deps): AsyncGenerator<DocSnapshot> {
  const where = [{ field: "settings.retentionDays", op: ">=", value: 1 }] as const;
  return everyMatch(deps.store, { collection: tenantsCollection, where }, tenantPage);
}

async function purgeTenant(
  deps: Deps,
  tenantId: string,
  retentionDays: number,
  now: Date,
  limit: number,
): Promise<TenantRetention> {
  const cutoff = new Date(now.getTime() - retentionDays * dayMs).toISOString();
  const deleted = noCounts();
  const done = new Set<string>();
  let more = false;
  for (;;) {
    if (deleted.conversations >= limit) {
      more = true;
      break;
    }
    const page = await deps.store.query({
      collection: conversationsPath(tenantId),
      where: [{ field: "updatedAt", op: "<", value: cutoff }],
      limit: Math.min(conversationPage, limit - deleted.conversations),
    });
    // Purged conversations leave the query; one that does not would loop forever.
    const todo = page.filter((c) => !done.has(c.id));
    if (todo.length === 0) break;
    for (const conversation of todo) {
      addCounts(deleted, await purgeConversation(deps, tenantId, conversation.id));
      done.add(conversation.id);
    }
  }
  if (deleted.conversations > 0) {
    await recordAudit(deps, {
      tenantId,
      actor: "system",
      action: "retention.purge",
      target: { type: "tenant", id: tenantId },
      after: { retentionDays, cutoff, deleted, more },
    });
  }
  return { tenantId, retentionDays, cutoff, deleted, more };
}

/**
 * Deletes every retention-enabled tenant's conversations last updated more than its `retentionDays`
 * before `now`. One tenant's failure is logged and does not stop the others; the run then fails.
 */
export async function enforceRetention(
  deps: Deps,
  now: Date,
  options: RetentionOptions = {},
): Promise<TenantRetention[]> {
  const limit = options.maxConversationsPerTenant ?? 1000;
  const results: TenantRetention[] = [];
  const failed: string[] = [];
  for await (const tenant of tenantsWithRetention(deps)) {
    const { retentionDays } = settingsOf(tenant.data);
    if (retentionDays === null) continue;
    try {
      const result = await purgeTenant(deps, tenant.id, retentionDays, now, limit);
      results.push(result);
      if (result.deleted.conversations > 0 || result.more) {
        log.info("retention purge", {
          tenantId: tenant.id,
          retentionDays,
          cutoff: result.cutoff,
          ...result.deleted,
          more: result.more,
        });
      }
    } catch (e) {
      failed.push(tenant.id);
      log.error("retention purge failed for a tenant", { tenantId: tenant.id, err: e });
    }
  }
  // Long-term memory keeps its own, per-agent retention (each memory carries its expiry).
  await sweepExpiredNarrative(deps, now).catch((e: unknown) => {
    failed.push("(expired memories)");
    log.error("could not delete expired memories", { err: e });
  });
  const total = results.reduce((sum, r) => addCounts(sum, r.deleted), noCounts());
  log.info("retention run", { tenants: results.length, failed: failed.length, ...total });
  if (failed.length > 0)
    throw new Error(`Retention failed for ${failed.length} tenant(s): ${failed.join(", ")}`);
  return results;
}
