/**
 * Memory retention: every memory and statement carries its `expiresAt` (the earlier of its own expiry and the
 * agent's retention period when it was written), and recall never uses one past it. This sweep deletes them,
 * across all workspaces, a bounded number per run; the next run continues.
 */
import type { Deps } from "../platform/deps.js";
import { log } from "../platform/log.js";

export interface NarrativeSweep {
  readonly memories: number;
  readonly statements: number;
  /** True when the run stopped at its limit with expired documents left. */
  readonly more: boolean;
}

const page = 400;

export async function sweepExpiredNarrative(deps: Deps, now: Date, limit = 5000): Promise<NarrativeSweep> {
  const counts = { memories: 0, statements: 0 };
  let more = false;
  for (const group of ["memories", "statements"] as const) {
    for (;;) {
      if (counts.memories + counts.statements >= limit) {
        more = true;
        break;
      }
      const expired = await deps.store.query({
        collectionGroup: group,
        where: [{ field: "expiresAt", op: "<", value: now.toISOString() }],
        limit: page,
      });
      if (expired.length === 0) break;
      const batch = deps.store.batch();
      for (const doc of expired) batch.delete(doc.path);
      await batch.commit();
      counts[group] += expired.length;
    }
  }
  // A deleted memory is already past its expiry, which recall checks: no end user's revision needs to move.
  if (counts.memories + counts.statements > 0) log.info("expired memories deleted", { ...counts, more });
  return { ...counts, more };
}
