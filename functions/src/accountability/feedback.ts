/**
 * Feedback on answers: a thumbs up or down, and an optional comment, from the person the answer was for (the
 * credential that started the conversation, a widget's end user, a WhatsApp contact's reaction) or from an
 * editor reviewing transcripts.
 *
 * `tenants/{t}/feedback/{traceId}`: one record per answer, keyed by the answer's trace, so a second rating
 * replaces the first and nothing can pile up. The rating is mirrored on the answer's message as `feedback`
 * (`{ rating, comment, at }`) so a transcript shows it; both are written in one transaction, so they never
 * disagree, however many ratings race. The trace itself stays immutable: feedback is about the answer, not
 * part of how it was produced.
 *
 * Messages belong to the Agent Engine, which this module may not import: whoever calls it has found the
 * answer (and checked the caller may see it) and passes an `AnswerRef` with the message's path.
 */
import { z } from "zod";
import { checkId, tenantPath } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { FieldOps, type Filter } from "../platform/ports.js";
import { validate } from "../platform/validation.js";
import { tracePath, traceSchema } from "./schema.js";

export const feedbackRatings = ["up", "down"] as const;
export type FeedbackRating = (typeof feedbackRatings)[number];

export const maxFeedbackCommentChars = 2000;

const ratingSchema = z.enum(feedbackRatings, { error: 'rating must be "up" or "down"' });

/** Control characters (line breaks and tabs aside) and lone surrogates: not text a person wrote. */
const notText = (s: string): boolean => /[\p{Cc}\p{Cs}]/u.test(s.replace(/[\n\r\t]/g, ""));

const commentSchema = z
  .string({ error: "comment must be a string" })
  .trim()
  .max(
    maxFeedbackCommentChars,
    `comment is at most ${maxFeedbackCommentChars.toLocaleString("en")} characters`,
  )
  .refine((s) => !notText(s), "comment must be plain text (no control characters)");

/** What a rating says: `comment` may be omitted, null or empty (no comment). */
export const feedbackInput = z
  .object({ rating: ratingSchema, comment: commentSchema.nullable().optional() })
  .strict();
export type FeedbackInput = z.input<typeof feedbackInput>;

/** The rating as the answer's message shows it (agents/schema.ts `messageSchema.feedback`). */
export const messageFeedbackSchema = z.object({
  rating: ratingSchema,
  comment: z.string().nullable(),
  at: z.string(),
});
export type MessageFeedback = z.infer<typeof messageFeedbackSchema>;

/** The experiment variant the rated answer was served by (the trace's `experiment`), kept for its metrics. */
const experimentSchema = z.object({ id: z.string(), variant: z.string() });

export const feedbackSchema = z.object({
  traceId: z.string(),
  conversationId: z.string(),
  messageId: z.string(),
  agentId: z.string(),
  agentVersion: z.union([z.literal("draft"), z.number().int()]),
  channel: z.string(),
  rating: ratingSchema,
  comment: z.string().nullable(),
  /** Who rated: a credential's uid, `widget:<widgetId>:<end user hash>` or `whatsapp:<contact hash>`. */
  by: z.string(),
  experiment: experimentSchema.nullable(),
  /** When the answer was first rated (kept when the rating changes), and last rated. */
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Feedback = z.infer<typeof feedbackSchema>;
export type FeedbackView = Feedback & { readonly id: string };

export const feedbacksPath = (tenantId: string): string => `${tenantPath(tenantId)}/feedback`;
export const feedbackPath = (tenantId: string, traceId: string): string =>
  `${feedbacksPath(tenantId)}/${checkId(traceId, "trace id")}`;

/**
 * An answer as feedback addresses it, found by the Agent Engine (agents/conversations.ts `findAnswer`): an
 * assistant message of the conversation, with the trace of the turn that wrote it.
 */
export interface AnswerRef {
  readonly conversationId: string;
  readonly messageId: string;
  readonly traceId: string;
  /** Where the message is stored: the rating is mirrored on it. */
  readonly messagePath: string;
}

/** The trace of the answer, checked to be the turn that wrote this very message. */
async function answerTrace(deps: Deps, tenantId: string, answer: AnswerRef) {
  const snap = await deps.store.get(tracePath(tenantId, answer.traceId));
  if (!snap) {
    throw new AppError(
      "not-found",
      `The decision trace of message ${answer.messageId} no longer exists, so the answer cannot be rated`,
    );
  }
  const trace = traceSchema.parse(snap.data);
  if (trace.conversationId !== answer.conversationId || trace.messageId !== answer.messageId) {
    throw new AppError(
      "failed-precondition",
      `Message ${answer.messageId} does not match its trace ${answer.traceId}; it cannot be rated`,
    );
  }
  if (trace.status === "failed") {
    throw new AppError(
      "failed-precondition",
      `Trace ${answer.traceId} is a failed turn: it has no answer to rate`,
    );
  }
  return trace;
}

/**
 * Rates an answer, or changes its rating: the record and the message's mirror are written together. `by` is
 * who rated (see `feedbackSchema.by`). A message deleted meanwhile (retention, erasure) is not found.
 */
export async function rateAnswer(
  deps: Deps,
  tenantId: string,
  answer: AnswerRef,
  input: FeedbackInput,
  by: string,
): Promise<FeedbackView> {
  const { rating, comment } = validate(feedbackInput, input, "feedback");
  const trace = await answerTrace(deps, tenantId, answer);
  const path = feedbackPath(tenantId, answer.traceId);
  const now = deps.clock.nowIso();
  return deps.store.runTransaction(async (tx) => {
    const message = await tx.get(answer.messagePath);
    if (!message) throw new AppError("not-found", `Message ${answer.messageId} not found`);
    const existing = await tx.get(path);
    const feedback: Feedback = {
      traceId: answer.traceId,
      conversationId: answer.conversationId,
      messageId: answer.messageId,
      agentId: trace.agentId,
      agentVersion: trace.agentVersion,
      channel: trace.channel,
      rating,
      comment: comment ? comment : null,
      by,
      experiment: trace.experiment ?? null,
      createdAt: existing ? feedbackSchema.parse(existing.data).createdAt : now,
      updatedAt: now,
    };
    const mirrored: MessageFeedback = { rating, comment: feedback.comment, at: now };
    tx.set(path, feedback);
    tx.update(answer.messagePath, { feedback: mirrored });
    return { id: answer.traceId, ...feedback };
  });
}

/** Removes an answer's rating from both places; `removed` is false when it had none (a repeated call). */
export async function removeFeedback(
  deps: Deps,
  tenantId: string,
  answer: AnswerRef,
): Promise<{ removed: boolean }> {
  const path = feedbackPath(tenantId, answer.traceId);
  return deps.store.runTransaction(async (tx) => {
    const message = await tx.get(answer.messagePath);
    if (!message) throw new AppError("not-found", `Message ${answer.messageId} not found`);
    const existing = await tx.get(path);
    const mirrored = (message.data as { feedback?: unknown }).feedback !== undefined;
    if (existing) tx.delete(path);
    if (mirrored) tx.update(answer.messagePath, { feedback: FieldOps.delete() });
    return { removed: existing !== null };
  });
}

// ---------------------------------------------------------------------------------------------------
// Reading, for the API and for other services (experiments' metrics, the tuning export)
// ---------------------------------------------------------------------------------------------------

/** The most records `feedbackForTraces` reads per call to the store. */
const readChunk = 300;

/** The feedback on each of these answers that has any, by trace id. */
export async function feedbackForTraces(
  deps: Deps,
  tenantId: string,
  traceIds: readonly string[],
): Promise<Map<string, FeedbackView>> {
  const ids = [...new Set(traceIds)];
  const found = new Map<string, FeedbackView>();
  for (let i = 0; i < ids.length; i += readChunk) {
    const snaps = await deps.store.getAll(
      ids.slice(i, i + readChunk).map((id) => feedbackPath(tenantId, id)),
    );
    for (const snap of snaps)
      if (snap) found.set(snap.id, { id: snap.id, ...feedbackSchema.parse(snap.data) });
  }
  return found;
}

const listInstant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: "must be an ISO date (2024-05-01) or date-time with an offset (2024-05-01T09:30:00Z)",
  })
  .transform((s) => new Date(s).toISOString());

/** Where the previous page ended: its last `updatedAt`, and the ids already listed at that instant. */
const cursorSchema = z.object({
  at: z.string().min(1).max(64),
  seen: z.array(z.string().regex(idPattern)).min(1),
});
type Cursor = z.infer<typeof cursorSchema>;

const invalidCursor = "must be the nextCursor of a previous page";
const cursorToken = (cursor: Cursor): string =>
  Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");
const cursorParam = z
  .string()
  .max(64_000, invalidCursor)
  .transform((token, ctx): Cursor => {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    } catch {
      decoded = undefined;
    }
    const parsed = cursorSchema.safeParse(decoded);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: invalidCursor });
      return z.NEVER;
    }
    return parsed.data;
  });

const pageSize = "must be a whole number from 1 to 200";

export const feedbackListQuery = z
  .object({
    agentId: z.string().regex(idPattern, "must be an agent id").optional(),
    experimentId: z.string().regex(idPattern, "must be an experiment id").optional(),
    rating: ratingSchema.optional(),
    /** Last rated at or after this instant. */
    from: listInstant.optional(),
    /** Last rated before this instant (exclusive). */
    to: listInstant.optional(),
    limit: z.coerce.number({ error: pageSize }).int(pageSize).min(1, pageSize).max(200, pageSize).default(50),
    /** The `nextCursor` of the previous page. */
    cursor: cursorParam.optional(),
  })
  .strict();
export type FeedbackListQuery = z.input<typeof feedbackListQuery>;

export interface FeedbackPage {
  readonly feedback: FeedbackView[];
  /** Pass as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null;
}

/**
 * One page of a tenant's feedback, last rated first, filtered by agent, experiment, rating and a window
 * [from, to) of when it was last rated. A rating changed between two pages moves to the first page; the
 * next pages never repeat one already listed. In Firestore, the equality filters with this order use the
 * composite indexes on `feedback` in firestore.indexes.json.
 */
export async function listFeedback(
  deps: Deps,
  tenantId: string,
  query: FeedbackListQuery = {},
): Promise<FeedbackPage> {
  const q = validate(feedbackListQuery, query, "query parameter");
  if (q.from && q.to && q.from >= q.to) {
    throw new AppError(
      "invalid-argument",
      `Invalid query parameter: from (${q.from}) must be before to (${q.to})`,
    );
  }
  const where: Filter[] = [];
  if (q.agentId !== undefined) where.push({ field: "agentId", op: "==", value: q.agentId });
  if (q.experimentId !== undefined) where.push({ field: "experiment.id", op: "==", value: q.experimentId });
  if (q.rating !== undefined) where.push({ field: "rating", op: "==", value: q.rating });
  if (q.from) where.push({ field: "updatedAt", op: ">=", value: q.from });
  if (q.to) where.push({ field: "updatedAt", op: "<", value: q.to });
  // A value cursor, not a document: a rating can change (or be removed) between two pages.
  if (q.cursor) where.push({ field: "updatedAt", op: "<=", value: q.cursor.at });
  const seen = new Set(q.cursor?.seen);
  const rows = (
    await deps.store.query({
      collection: feedbacksPath(tenantId),
      where,
      orderBy: [{ field: "updatedAt", direction: "desc" }],
      limit: q.limit + 1 + seen.size,
    })
  )
    .map((s): FeedbackView => ({ id: s.id, ...feedbackSchema.parse(s.data) }))
    .filter((f) => !(q.cursor && f.updatedAt === q.cursor.at && seen.has(f.id)));
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  if (rows.length <= q.limit || !last) return { feedback: page, nextCursor: null };
  const seenAtLast = page.filter((f) => f.updatedAt === last.updatedAt).map((f) => f.id);
  if (q.cursor?.at === last.updatedAt) seenAtLast.push(...q.cursor.seen);
  return { feedback: page, nextCursor: cursorToken({ at: last.updatedAt, seen: seenAtLast }) };
}
