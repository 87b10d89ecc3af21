/**
 * Deleting a conversation with everything derived from it: its messages and the decision traces of its
 * turns (found through the messages' `traceId`, and through the traces' `conversationId` for failed turns,
 * which write a trace and no message), the feedback on and annotations of its answers, its confirmations, the
 * copies of its answers that drift detection keeps, and its examples in stored fine-tuning exports.
 * Shared by erasure and retention.
 *
 * Children go before their parent, in batches committed one after another, so a run that stops midway
 * leaves a state the next run finishes: the conversation document, which is how a conversation (and so
 * everything below it) is found, goes last.
 */
import { annotationsPath } from "../accountability/annotations.js";
import { feedbacksPath } from "../accountability/feedback.js";
import { tracePath, tracesPath } from "../accountability/schema.js";
import { confirmationsPath, conversationPath, messagesPath } from "../agents/schema.js";
import { forgetConversationInDrift } from "../narrative/drift.js";
import type { Deps } from "../platform/deps.js";
import { deleteEveryMatch } from "../platform/paging.js";
import { idPattern } from "../platform/ids.js";
import type { DocSnapshot } from "../platform/ports.js";
import { withdrawConversationFromExports } from "../tuning/withdraw.js";

/** Below Firestore's 500 writes per batch. */
export const maxBatchDeletes = 400;
/** A page of messages and the traces they reference (at most one each) fit one batch. */
const messagePage = maxBatchDeletes / 2;

export interface PurgeCounts {
  conversations: number;
  messages: number;
  traces: number;
}

export const noCounts = (): PurgeCounts => ({ conversations: 0, messages: 0, traces: 0 });

export function addCounts(into: PurgeCounts, more: PurgeCounts): PurgeCounts {
  into.conversations += more.conversations;
  into.messages += more.messages;
  into.traces += more.traces;
  return into;
}

/** One atomic batch. */
async function deleteTogether(deps: Deps, paths: readonly string[]): Promise<void> {
  const batch = deps.store.batch();
  for (const path of paths) batch.delete(path);
  await batch.commit();
}

const traceIdOf = (data: unknown): string | null => {
  const id = (data as { traceId?: unknown }).traceId;
  return typeof id === "string" && idPattern.test(id) ? id : null;
};

/** Deletes one conversation, its messages and its traces; a conversation already gone counts zero. */
export async function purgeConversation(
  deps: Deps,
  tenantId: string,
  conversationId: string,
): Promise<PurgeCounts> {
  const counts = noCounts();
  const messages = messagesPath(tenantId, conversationId);
  const traces = tracesPath(tenantId);

  // Each page is deleted before the next is read, so the same query walks the whole collection.
  for (;;) {
    const page = await deps.store.query({ collection: messages, limit: messagePage });
    if (page.length === 0) break;
    const referenced = [...new Set(page.map((m) => traceIdOf(m.data)).filter((id) => id !== null))];
    const existing = referenced.length
      ? (await deps.store.getAll(referenced.map((id) => tracePath(tenantId, id)))).filter(
          (s): s is DocSnapshot => s !== null,
        )
      : [];
    // A message's trace goes with the message, which is what leads to it.
    await deleteTogether(deps, [...existing.map((s) => s.path), ...page.map((m) => m.path)]);
    counts.traces += existing.length;
    counts.messages += page.length;
  }
  const ofConversation = [{ field: "conversationId", op: "==", value: conversationId }] as const;
  counts.traces += await deleteEveryMatch(
    deps.store,
    { collection: traces, where: ofConversation },
    maxBatchDeletes,
  );
  // Ratings of its answers may carry the end user's comments: they go with the conversation too.
  await deleteEveryMatch(
    deps.store,
    { collection: feedbacksPath(tenantId), where: ofConversation },
    maxBatchDeletes,
  );
  // Corrections of its answers keep the question as asked: they go with the conversation too (the eval item
  // an annotation made is an editor's copy in a dataset, which erasure does not reach; the README says so).
  await deleteEveryMatch(
    deps.store,
    { collection: annotationsPath(tenantId), where: ofConversation },
    maxBatchDeletes,
  );
  // Confirmations hold a write tool's arguments (an amount, a payee): they go with the conversation.
  await deleteEveryMatch(
    deps.store,
    { collection: confirmationsPath(tenantId, conversationId) },
    maxBatchDeletes,
  );
  // Drift flags and canonical questions keep copies of its answers (narrative/drift.ts).
  await forgetConversationInDrift(deps, tenantId, conversationId);
  // Fine-tuning exports hold its answers and questions (tuning/withdraw.ts). After the traces: an export being
  // made meanwhile checks for its answers' traces once it can be found, and withdraws them itself if gone.
  await withdrawConversationFromExports(deps, tenantId, conversationId);
  const path = conversationPath(tenantId, conversationId);
  if (await deps.store.get(path)) {
    await deps.store.delete(path);
    counts.conversations = 1;
  }
  return counts;
}
