/**
 * Replay: "what would version 3 have answered?". A stored trace's question is asked again of another agent
 * version (or the draft, or another agent) as a sandbox turn, with the conversation's earlier messages as
 * the history when the trace was a later turn of a conversation. The replay keeps both answers side by
 * side with a diff: the words added and removed, the citations gained and lost, the change in confidence
 * and whether the agent now abstains or now answers.
 *
 * A replay is refused before anything runs when its target cannot answer (an archived agent, a missing
 * version, no credits); a turn that runs and fails (the model timed out, the provider refused) is stored as
 * a failed replay with the reason and the failed turn's trace.
 *
 * This module owns `tenants/{t}/evalReplays/{id}`: its schema and path helpers.
 */
import { z } from "zod";
import { getTrace } from "../accountability/traces.js";
import type { Citation, Trace } from "../accountability/schema.js";
import { assertAnswering, getAgent, resolveConfig } from "../agents/agents.js";
import { startConversation } from "../agents/conversations.js";
import {
  conversationPath,
  messagePath,
  messageSchema,
  messagesPath,
  type Message,
} from "../agents/schema.js";
import { sendMessage } from "../agents/turn.js";
import { checkId, tenantPath, type Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError, toAppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import { pageOfRecords, recordPageQuery } from "../platform/paging.js";
import type { Filter } from "../platform/ports.js";
import { idSchema, validate } from "../platform/validation.js";

// ---------------------------------------------------------------------------------------------------
// Schema and paths
// ---------------------------------------------------------------------------------------------------

/** What an answer cited, as a diff compares it: the document and the quote that supports the claim. */
export const citedSourceSchema = z.object({
  docId: z.string(),
  docName: z.string(),
  quote: z.string(),
});
export type CitedSource = z.infer<typeof citedSourceSchema>;

const versionSchema = z.union([z.literal("draft"), z.number().int()]);
const statusSchema = z.enum(["answered", "abstained", "declined", "failed"]);

/** One side of a replay: the stored answer, or the replayed one. */
export const replayAnswerSchema = z.object({
  /** Null only when the replayed turn was refused before it started (nothing ran). */
  traceId: z.string().nullable(),
  agentId: z.string(),
  agentVersion: versionSchema,
  status: statusSchema,
  /**
   * The answer's text; null when there is none to show (the turn failed, or the original's conversation is
   * gone and it abstained: the trace does not keep the abstention's wording).
   */
  answer: z.string().nullable(),
  /** Where the original answer was read: its message, or rebuilt from the trace's supported sentences. */
  answerFrom: z.enum(["message", "trace", "turn"]),
  /** The stored text was cut to `maxStoredAnswerChars` (the full answer stays on the message). */
  answerTruncated: z.boolean(),
  confidence: z.number().nullable(),
  abstained: z.boolean(),
  citations: z.array(citedSourceSchema),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  latencyMs: z.number().nullable(),
});
export type ReplayAnswer = z.infer<typeof replayAnswerSchema>;

export const wordChangeSchema = z.object({
  op: z.enum(["same", "added", "removed"]),
  text: z.string(),
});
export type WordChange = z.infer<typeof wordChangeSchema>;

export const answerDiffSchema = z.object({
  /** The replayed answer against the original, word by word (runs of one kind joined by spaces). */
  words: z.array(wordChangeSchema),
  wordsAdded: z.number().int(),
  wordsRemoved: z.number().int(),
  /** True when the answers were too long and too different to align word by word (see `diffWords`). */
  coarse: z.boolean(),
  citationsAdded: z.array(citedSourceSchema),
  citationsRemoved: z.array(citedSourceSchema),
  /** Replayed confidence minus the original's; null when either has none. */
  confidenceDelta: z.number().nullable(),
  abstention: z.enum(["unchanged", "now-abstains", "now-answers"]),
  statusChanged: z.boolean(),
});
export type AnswerDiff = z.infer<typeof answerDiffSchema>;

export const replaySchema = z.object({
  /** The trace that was replayed. */
  traceId: z.string(),
  /** What answered the replay (the version resolved: "published" is stored as its number). */
  target: z.object({ agentId: z.string(), version: versionSchema }),
  /** completed: the replayed turn ran (it may have abstained); failed: the turn failed (see `error`). */
  status: z.enum(["completed", "failed"]),
  question: z.string(),
  /** Where the question was read: the conversation's user message, or the trace (redacted when the agent redacts). */
  questionFrom: z.enum(["message", "trace"]),
  /** Earlier messages of the original conversation passed to the replay as its history. */
  historyMessages: z.number().int().min(0),
  /** The sandbox conversation the replayed turn ran in. */
  conversationId: z.string().nullable(),
  original: replayAnswerSchema,
  replay: replayAnswerSchema,
  /** Null for a failed replay: there is no second answer to compare. */
  diff: answerDiffSchema.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  by: z.string(),
  createdAt: z.string(),
  durationMs: z.number(),
});
export type Replay = z.infer<typeof replaySchema>;
export type ReplayView = Replay & { readonly id: string };

export const replaysPath = (tenantId: string): string => `${tenantPath(tenantId)}/evalReplays`;
export const replayPath = (tenantId: string, replayId: string): string =>
  `${replaysPath(tenantId)}/${checkId(replayId, "replay id")}`;

// ---------------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------------

/** A version to ask: a published version's number, the draft, or whichever version is published now. */
export const targetVersionSchema = z.union(
  [z.literal("draft"), z.literal("published"), z.number().int().min(1)],
  {
    error: 'must be a version number (1 or more), "draft" or "published"',
  },
);

export const replayInput = z
  .object({
    traceId: idSchema,
    target: z
      .object({
        /** Another agent of the workspace; the trace's own agent when left out. */
        agentId: idSchema.optional(),
        version: targetVersionSchema,
      })
      .strict(),
  })
  .strict();
export type ReplayInput = z.infer<typeof replayInput>;

/** Answers longer than this are stored cut (the full text stays on the conversation's message). */
export const maxStoredAnswerChars = 20_000;
/** Citations kept per side: more than any answer cites in practice, and a bound on the record's size. */
const maxStoredCitations = 50;
/** Earlier messages passed as history: older ones would be summarized away by the context builder anyway. */
export const maxHistoryMessages = 200;

// ---------------------------------------------------------------------------------------------------
// The diff
// ---------------------------------------------------------------------------------------------------

/** Word alignments above this many cells (words × words of the part that differs) are not attempted. */
const maxAlignmentCells = 4_000_000;

const wordsOf = (text: string | null): string[] => (text ?? "").split(/\s+/).filter((w) => w.length > 0);

/**
 * A word-level diff of `after` against `before`: the longest common subsequence of their words (exact
 * match, case and punctuation included), after the common beginning and end are set aside. When the part
 * that differs is too large to align (more than 4 million word pairs, answers of thousands of words that
 * share little), it is reported as removed whole and added whole, and `coarse` says so.
 */
export function diffWords(
  before: string | null,
  after: string | null,
): { words: WordChange[]; wordsAdded: number; wordsRemoved: number; coarse: boolean } {
  const a = wordsOf(before);
  const b = wordsOf(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: { op: WordChange["op"]; word: string }[] = a
    .slice(0, start)
    .map((word) => ({ op: "same", word }));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const coarse = midA.length * midB.length > maxAlignmentCells;
  if (coarse) {
    for (const word of midA) ops.push({ op: "removed", word });
    for (const word of midB) ops.push({ op: "added", word });
  } else {
    // lcs[i][j]: the longest common subsequence of midA[i..] and midB[j..], in one flat array.
    const n = midA.length;
    const m = midB.length;
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] =
          midA[i] === midB[j]
            ? (lcs[(i + 1) * (m + 1) + j + 1] as number) + 1
            : Math.max(lcs[(i + 1) * (m + 1) + j] as number, lcs[i * (m + 1) + j + 1] as number);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        ops.push({ op: "same", word: midA[i] as string });
        i++;
        j++;
      } else if (
        j < m &&
        (i === n || (lcs[i * (m + 1) + j + 1] as number) >= (lcs[(i + 1) * (m + 1) + j] as number))
      ) {
        ops.push({ op: "added", word: midB[j] as string });
        j++;
      } else {
        ops.push({ op: "removed", word: midA[i] as string });
        i++;
      }
    }
  }
  for (const word of a.slice(endA)) ops.push({ op: "same", word });
  // Runs of one kind become one entry; within a change, what was removed is listed before what was added.
  const words: WordChange[] = [];
  let pending: { removed: string[]; added: string[] } = { removed: [], added: [] };
  const flush = () => {
    if (pending.removed.length > 0) words.push({ op: "removed", text: pending.removed.join(" ") });
    if (pending.added.length > 0) words.push({ op: "added", text: pending.added.join(" ") });
    pending = { removed: [], added: [] };
  };
  for (const { op, word } of ops) {
    if (op === "same") {
      flush();
      const last = words.at(-1);
      if (last?.op === "same") last.text = `${last.text} ${word}`;
      else words.push({ op: "same", text: word });
    } else pending[op].push(word);
  }
  flush();
  return {
    words,
    wordsAdded: ops.filter((o) => o.op === "added").length,
    wordsRemoved: ops.filter((o) => o.op === "removed").length,
    coarse,
  };
}

/** A citation's identity across two answers: the document and its quote (spacing and case aside). */
const citationKey = (c: CitedSource): string =>
  `${c.docId}\u0000${c.quote.replace(/\s+/g, " ").trim().toLowerCase()}`;

/** The diff of a replayed answer against the original. */
export function diffAnswers(original: ReplayAnswer, replayed: ReplayAnswer): AnswerDiff {
  const before = new Set(original.citations.map(citationKey));
  const after = new Set(replayed.citations.map(citationKey));
  const delta =
    original.confidence === null || replayed.confidence === null
      ? null
      : Math.round((replayed.confidence - original.confidence) * 1000) / 1000;
  return {
    ...diffWords(original.answer, replayed.answer),
    citationsAdded: replayed.citations.filter((c) => !before.has(citationKey(c))),
    citationsRemoved: original.citations.filter((c) => !after.has(citationKey(c))),
    confidenceDelta: delta,
    abstention:
      original.abstained === replayed.abstained
        ? "unchanged"
        : replayed.abstained
          ? "now-abstains"
          : "now-answers",
    statusChanged: original.status !== replayed.status,
  };
}

// ---------------------------------------------------------------------------------------------------
// Running a replay
// ---------------------------------------------------------------------------------------------------

/** The citations of an answer as a replay stores them: one per document and quote, in the answer's order. */
export function citedSources(
  citations: readonly Pick<Citation, "docId" | "docName" | "quote">[],
): CitedSource[] {
  const seen = new Set<string>();
  const out: CitedSource[] = [];
  for (const c of citations) {
    const source = { docId: c.docId, docName: c.docName, quote: c.quote };
    const key = citationKey(source);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(source);
    if (out.length === maxStoredCitations) break;
  }
  return out;
}

const cut = (text: string | null): { answer: string | null; answerTruncated: boolean } =>
  text !== null && text.length > maxStoredAnswerChars
    ? { answer: text.slice(0, maxStoredAnswerChars), answerTruncated: true }
    : { answer: text, answerTruncated: false };

/** The original's answer message and the question before it, when the conversation still holds them. */
async function originalMessages(
  deps: Deps,
  tenantId: string,
  trace: Trace,
): Promise<{ answer: Message | null; question: Message | null }> {
  if (!trace.messageId) return { answer: null, question: null };
  const snap = await deps.store.get(messagePath(tenantId, trace.conversationId, trace.messageId));
  const parsed = snap ? messageSchema.safeParse(snap.data) : null;
  if (!parsed?.success || parsed.data.role !== "assistant") return { answer: null, question: null };
  const answer = parsed.data;
  const before = await deps.store.query({
    collection: messagesPath(tenantId, trace.conversationId),
    where: [{ field: "seq", op: "==", value: answer.seq - 1 }],
    limit: 1,
  });
  const question = before[0] ? messageSchema.safeParse(before[0].data) : null;
  return { answer, question: question?.success && question.data.role === "user" ? question.data : null };
}

/**
 * The messages before the traced turn, oldest first (at most `maxHistoryMessages`): those before its
 * question when the answer's message is known, else (a failed turn wrote none) those written before the
 * turn started. A conversation deleted since (a probe's, retention) has none.
 */
async function historyBefore(
  deps: Deps,
  tenantId: string,
  trace: Trace,
  question: Message | null,
): Promise<{ role: "user" | "assistant"; content: string }[]> {
  const where: Filter[] = question
    ? [{ field: "seq", op: "<", value: question.seq }]
    : [{ field: "createdAt", op: "<", value: trace.createdAt }];
  const snaps = await deps.store.query({
    collection: messagesPath(tenantId, trace.conversationId),
    where,
    orderBy: [{ field: question ? "seq" : "createdAt", direction: "desc" }],
    limit: maxHistoryMessages,
  });
  return snaps
    .flatMap((s) => {
      const m = messageSchema.safeParse(s.data);
      return m.success ? [{ role: m.data.role, content: m.data.content, seq: m.data.seq }] : [];
    })
    .sort((x, y) => x.seq - y.seq)
    .map(({ role, content }) => ({ role, content }));
}

/**
 * The original answer: from its message when the conversation still holds it; otherwise rebuilt from the
 * trace, whose checks keep every sentence the answer kept (with its marker), as the answer joined them.
 */
function originalAnswer(trace: Trace & { id: string }, message: Message | null): ReplayAnswer {
  let text: string | null;
  let from: ReplayAnswer["answerFrom"];
  if (message) {
    text = message.content;
    from = "message";
  } else {
    const kept = trace.checks.filter((c) => c.verdict === "supported");
    text =
      trace.status === "answered" && kept.length > 0
        ? kept.map((c) => (c.refs[0] ? `${c.sentence} [${c.refs[0]}]` : c.sentence)).join(" ")
        : null;
    from = "trace";
  }
  return {
    traceId: trace.id,
    agentId: trace.agentId,
    agentVersion: trace.agentVersion,
    status: trace.status,
    ...cut(text),
    answerFrom: from,
    confidence: message ? message.confidence : (trace.confidence?.value ?? null),
    abstained: trace.abstained,
    citations: citedSources(message ? message.citations : trace.citations),
    error: trace.error,
    latencyMs: trace.timingsMs.total,
  };
}

/** The version a replay asks: "published" is pinned to the number published now, so the record says which. */
export async function resolveTarget(
  deps: Deps,
  tenantId: string,
  agentId: string,
  requested: z.infer<typeof targetVersionSchema>,
): Promise<{ agentId: string; version: number | "draft" }> {
  const agent = await getAgent(deps, tenantId, agentId);
  assertAnswering(agent, requested);
  // Refuses a version that does not exist, or "published" before the first publish, with what to do.
  const { version } = await resolveConfig(deps, tenantId, agent, requested);
  return { agentId, version };
}

/**
 * Replays `input.traceId` against `input.target` as a sandbox turn and stores the replay (completed or
 * failed). Another workspace's trace or agent is not found. A target that cannot answer is refused and
 * nothing is stored (a sandbox conversation already started for it is removed).
 */
export async function replayTrace(deps: Deps, caller: Caller, input: ReplayInput): Promise<ReplayView> {
  const tenantId = caller.tenantId;
  const started = performance.now();
  const trace = await getTrace(deps, tenantId, input.traceId);
  const target = await resolveTarget(
    deps,
    tenantId,
    input.target.agentId ?? trace.agentId,
    input.target.version,
  );
  const { answer: message, question: questionMessage } = await originalMessages(deps, tenantId, trace);
  const question = questionMessage?.content ?? trace.question;
  const history = await historyBefore(deps, tenantId, trace, questionMessage);
  const original = originalAnswer(trace, message);

  const conversation = await startConversation(deps, tenantId, target.agentId, {
    channel: "api",
    version: target.version,
    startedBy: caller.uid,
    sandbox: true,
  });
  let replayed: ReplayAnswer;
  let error: Replay["error"] = null;
  try {
    const answer = await sendMessage(
      deps,
      tenantId,
      conversation.id,
      { content: question },
      { history, sandbox: true },
    );
    const turn = answer.traceId ? await getTrace(deps, tenantId, answer.traceId) : null;
    replayed = {
      traceId: answer.traceId,
      agentId: target.agentId,
      agentVersion: answer.agentVersion ?? target.version,
      status: turn?.status ?? (answer.abstained ? "abstained" : "answered"),
      ...cut(answer.content),
      answerFrom: "turn",
      confidence: answer.confidence,
      abstained: answer.abstained,
      citations: citedSources(answer.citations),
      error: null,
      latencyMs: turn?.timingsMs.total ?? null,
    };
  } catch (e) {
    const failure = toAppError(e);
    const traceId = (failure.details as { traceId?: unknown } | undefined)?.traceId;
    if (typeof traceId !== "string") {
      // Refused before the turn started (credits ran out, the agent was archived meanwhile): nothing ran, so
      // there is no replay to keep, and its empty conversation goes too.
      await deps.store
        .deleteRecursive(conversationPath(tenantId, conversation.id))
        .catch((err: unknown) => log.warn("could not remove a refused replay's conversation", { err }));
      throw failure;
    }
    error = { code: failure.code, message: failure.message };
    replayed = {
      traceId,
      agentId: target.agentId,
      agentVersion: target.version,
      status: "failed",
      answer: null,
      answerFrom: "turn",
      answerTruncated: false,
      confidence: null,
      abstained: false,
      citations: [],
      error,
      latencyMs: null,
    };
  }

  const id = deps.ids.newId();
  const replay: Replay = {
    traceId: trace.id,
    target,
    status: error ? "failed" : "completed",
    question,
    questionFrom: questionMessage ? "message" : "trace",
    historyMessages: history.length,
    conversationId: conversation.id,
    original,
    replay: replayed,
    diff: error ? null : diffAnswers(original, replayed),
    error,
    by: caller.uid,
    createdAt: deps.clock.nowIso(),
    durationMs: Math.round(performance.now() - started),
  };
  await deps.store.create(replayPath(tenantId, id), replay);
  log.info("trace replayed", { tenantId, replayId: id, traceId: trace.id, status: replay.status });
  return { id, ...replay };
}

export async function getReplay(deps: Deps, tenantId: string, replayId: string): Promise<ReplayView> {
  const snap = await deps.store.get(replayPath(tenantId, replayId));
  if (!snap) throw new AppError("not-found", `Replay ${replayId} not found`);
  return { id: snap.id, ...replaySchema.parse(snap.data) };
}

// ---------------------------------------------------------------------------------------------------
// Listing (replays and simulations: records written once, listed newest first)
// ---------------------------------------------------------------------------------------------------

export const replayListQuery = recordPageQuery.extend({ traceId: idSchema.optional() }).strict();

/** What a listing of replays asks for: the validated query string as a collection, filters and a page. */
export function replayListing(tenantId: string, query: Record<string, string>) {
  const q = validate(replayListQuery, query, "query parameter");
  const where: Filter[] = q.traceId ? [{ field: "traceId", op: "==", value: q.traceId }] : [];
  return { collection: replaysPath(tenantId), where, page: q };
}

/** The workspace's replays, newest first; of one trace when `traceId` is given. */
export async function listReplays(
  deps: Deps,
  tenantId: string,
  query: Record<string, string>,
): Promise<{ replays: ReplayView[]; nextCursor: string | null }> {
  const { collection, where, page } = replayListing(tenantId, query);
  const { items, nextCursor } = await pageOfRecords(deps.store, collection, where, page, (s) => ({
    id: s.id,
    ...replaySchema.parse(s.data),
  }));
  return { replays: items, nextCursor };
}
