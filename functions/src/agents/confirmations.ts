/**
 * An end user's decision on a write a turn asked them to confirm (a transfer): the confirmation is claimed once,
 * in a transaction, then the next turn carries the decision out and answers from its result (turn.ts, `resume`).
 * A confirmation that expired, lapsed (the conversation moved on) or was already decided is refused with why,
 * and nothing runs: a replayed or concurrent confirm never sends the request twice.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { AppError, toAppError } from "../platform/errors.js";
import { settleConfirmation } from "./confirmation-records.js";
import type { MessageView } from "./conversations.js";
import {
  confirmationPath,
  confirmationSchema,
  conversationPath,
  conversationSchema,
  type Confirmation,
} from "./schema.js";
import type { DecidedWrite } from "./tools.js";
import { sendMessage, type SendOptions } from "./turn.js";

export const decisionInput = z
  .object({ decision: z.enum(["confirm", "cancel"], { error: 'decision is "confirm" or "cancel"' }) })
  .strict();
export type Decision = z.infer<typeof decisionInput>["decision"];

const pastTense = {
  confirmed: "confirmed",
  cancelled: "cancelled",
  expired: "expired",
  superseded: "lapsed",
};

/** Why a confirmation that is no longer pending cannot be decided. */
function notPending(id: string, c: Confirmation): AppError {
  const status = c.status as Exclude<Confirmation["status"], "pending">;
  const when = c.decidedAt ? ` at ${c.decidedAt}` : "";
  const why =
    status === "superseded"
      ? "the conversation moved on before it was decided, so nothing was sent"
      : status === "expired"
        ? `it expired at ${c.expiresAt}, so nothing was sent`
        : `it was already ${pastTense[status]}${when}`;
  return new AppError("aborted", `Confirmation ${id} cannot be decided: ${why}`);
}

/**
 * Decides the confirmation `confirmationId` of a conversation (the caller has checked that `decidedBy` may
 * continue it) and runs the turn that carries the decision out; returns that turn's answer.
 */
export async function decideConfirmation(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  confirmationId: string,
  decision: Decision,
  decidedBy: string,
  options: Pick<SendOptions, "onDelta"> = {},
): Promise<MessageView> {
  const now = deps.clock.nowIso();
  const convPath = conversationPath(tenantId, conversationId);
  const path = confirmationPath(tenantId, conversationId, confirmationId);
  const outcome = await deps.store.runTransaction(
    async (
      tx,
    ): Promise<{ kind: "expired"; expiresAt: string } | { kind: "claimed"; claimed: Confirmation }> => {
      const convSnap = await tx.get(convPath);
      const snap = await tx.get(path);
      if (!convSnap) throw new AppError("not-found", `Conversation ${conversationId} not found`);
      if (!snap) throw new AppError("not-found", `Confirmation ${confirmationId} not found`);
      const confirmation = confirmationSchema.parse(snap.data);
      if (confirmation.status !== "pending") throw notPending(confirmationId, confirmation);
      const conversation = conversationSchema.parse(convSnap.data);
      if (now >= confirmation.expiresAt) {
        settleConfirmation(tx, tenantId, conversationId, snap, "expired", null, now);
        if (conversation.pendingConfirmationId === confirmationId)
          tx.update(convPath, { pendingConfirmationId: null });
        return { kind: "expired", expiresAt: confirmation.expiresAt };
      }
      if (conversation.pendingConfirmationId !== confirmationId) {
        // Every turn settles the confirmation it lapses; this is a record written before that rule.
        settleConfirmation(tx, tenantId, conversationId, snap, "superseded", null, now);
        return { kind: "expired", expiresAt: confirmation.expiresAt };
      }
      const claimed = settleConfirmation(
        tx,
        tenantId,
        conversationId,
        snap,
        decision === "confirm" ? "confirmed" : "cancelled",
        decidedBy,
        now,
      ) as Confirmation;
      tx.update(convPath, { pendingConfirmationId: null });
      return { kind: "claimed", claimed };
    },
  );
  if (outcome.kind === "expired") {
    throw new AppError(
      "aborted",
      `Confirmation ${confirmationId} expired at ${outcome.expiresAt} (or the conversation moved on): nothing was ` +
        "sent. Ask again to get a new confirmation",
    );
  }
  const c = outcome.claimed;
  const resume: DecidedWrite = {
    id: confirmationId,
    toolName: c.toolName,
    toolSetId: c.toolSetId,
    toolSetVersion: c.toolSetVersion,
    toolCallId: c.toolCallId,
    arguments: c.arguments,
    requestTraceId: c.requestTraceId,
    decision: decision === "confirm" ? "confirmed" : "cancelled",
    decidedBy,
    decidedAt: now,
  };
  const said = `${decision === "confirm" ? "Confirmed" : "Cancelled"}: ${c.summary}`;
  try {
    return await sendMessage(deps, tenantId, conversationId, { content: said }, { ...options, resume });
  } catch (e) {
    if (decision !== "confirm") throw e;
    const error = toAppError(e);
    // The call may have run: say so, rather than the turn's "nothing was added" alone.
    throw new AppError(
      error.code,
      `The confirmed ${c.toolName} call was carried out as far as its outcome on confirmation ${confirmationId} ` +
        `says, but the answer about it could not be written: ${error.message}`,
      error.details,
    );
  }
}
