/**
 * Changing a write's confirmation record, inside the caller's transaction: the record and the answer that shows
 * it change together, so a channel never shows a button for a request that was decided, lapsed or expired.
 */
import type { DocSnapshot, Transaction } from "../platform/ports.js";
import {
  confirmationPath,
  confirmationSchema,
  messagePath,
  type Confirmation,
  type ConfirmationStatus,
} from "./schema.js";

/**
 * Moves a pending confirmation to `status` (and its answer's copy); one already past pending is left as it is.
 * Reads nothing: the caller read `snap` in the same transaction, before its writes.
 */
export function settleConfirmation(
  tx: Transaction,
  tenantId: string,
  conversationId: string,
  snap: DocSnapshot,
  status: Exclude<ConfirmationStatus, "pending">,
  decidedBy: string | null,
  now: string,
): Confirmation | null {
  const confirmation = confirmationSchema.parse(snap.data);
  if (confirmation.status !== "pending") return null;
  const decided = status === "confirmed" || status === "cancelled";
  const patch = { status, ...(decided ? { decidedAt: now, decidedBy } : {}) };
  tx.update(confirmationPath(tenantId, conversationId, snap.id), patch);
  tx.update(messagePath(tenantId, conversationId, confirmation.requestMessageId), {
    "confirmation.status": status,
  });
  return { ...confirmation, ...patch };
}
