/**
 * One conversation turn, start to finish:
 *   guardrails (blocked topics) → retrieval (the question; for a vague follow-up, also with the previous
 *   question) → context (recent turns verbatim, older ones summarized, within the agent's token budget)
 *   → model, with a tool-calling loop (parallel calls, a step limit, deadlines) → accountability
 *   (citations, claim support, confidence, abstention, explanation) → one transaction that writes the
 *   user message, the answer, the immutable trace and the conversation's new summary.
 * A turn that fails (the model times out, the provider errors) writes only its trace, marked failed, and
 * the caller gets a clear error naming it: the conversation never holds half a turn.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { assessAnswer, termWeights, type Evidence } from "../accountability/assess.js";
import {
  checkToolArguments,
  describeExclusions,
  screenEvidence,
  type ExcludedEvidence,
} from "../accountability/exclusion.js";
import { matchBlockedTopic, redactDeep, redactPii } from "../accountability/guardrails.js";
import { tracePath, type Trace } from "../accountability/schema.js";
import { chunksPath } from "../knowledge/schema.js";
import { searchKnowledgeBases, type SearchResult } from "../knowledge/search.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { hasPermission, requirePermission } from "../platform/permissions.js";
import { AppError, toAppError } from "../platform/errors.js";
import { currentRequestId, log } from "../platform/log.js";
import { idPattern } from "../platform/ids.js";
import type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  Filter,
  QuerySpec,
  TokenUsage,
  ToolCall,
} from "../platform/ports.js";
import { validate } from "../platform/validation.js";
import { tokenize } from "../platform/text/analyzer.js";
import { assertAnswering, getAgent, resolveConfig, type AgentView } from "./agents.js";
import { buildContext, estimateTokens } from "./context.js";
import {
  agentChannels,
  conversationPath,
  conversationsPath,
  conversationSchema,
  messagePath,
  messagesPath,
  messageSchema,
  type AgentConfig,
  type Conversation,
  type Message,
  type VersionSelector,
} from "./schema.js";
import { executeToolCalls, toolSpecs, type ToolContext, type ToolRun } from "./tools.js";

export const maxMessageChars = 8000;

export const sendMessageInput = z.object({
  content: z
    .string()
    .trim()
    .min(1, "content must not be empty")
    .max(maxMessageChars, `content is limited to ${maxMessageChars} characters`),
});

/** How many passages the model sees per turn (tools may add more). */
const evidenceCount = 5;
/** Below this best score a short follow-up is retried together with the previous question. */
const weakRetrieval = 0.5;
/** A follow-up this short ("and for contractors?") usually leans on the previous question. */
const followUpMaxTerms = 8;

export type MessageView = Message & { readonly id: string };

export async function startConversation(
  deps: Deps,
  tenantId: string,
  agentId: string,
  options: {
    channel: Conversation["channel"];
    endUserRef?: string;
    version?: VersionSelector;
    /** The caller's `uid`: the one credential that may continue it (see `openConversation`). */
    startedBy?: string;
  },
): Promise<{ id: string; agentVersion: number | "draft" }> {
  const agent = await getAgent(deps, tenantId, agentId);
  const selector = options.version ?? "published";
  assertAnswering(agent, selector);
  const { config, version } = await resolveConfig(deps, tenantId, agent, selector);
  if (selector !== "draft" && !config.channels.includes(options.channel)) {
    throw new AppError(
      "failed-precondition",
      `Agent ${agentId} is not enabled on the ${options.channel} channel (enabled: ${config.channels.join(", ") || "none"})`,
    );
  }
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const conversation: Conversation = {
    agentId,
    agentVersion: selector,
    channel: options.channel,
    endUserRef: options.endUserRef ?? null,
    startedBy: options.startedBy ?? null,
    messageCount: 0,
    summary: null,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.create(`${conversationsPath(tenantId)}/${id}`, conversation);
  return { id, agentVersion: version };
}

async function loadConversation(deps: Deps, tenantId: string, conversationId: string): Promise<Conversation> {
  const snap = await deps.store.get(conversationPath(tenantId, conversationId));
  if (!snap) throw new AppError("not-found", `Conversation ${conversationId} not found`);
  return conversationSchema.parse(snap.data);
}

export type ConversationView = Conversation & { readonly id: string };

export async function getConversation(
  deps: Deps,
  tenantId: string,
  conversationId: string,
): Promise<ConversationView> {
  return { id: conversationId, ...(await loadConversation(deps, tenantId, conversationId)) };
}

/**
 * A conversation as `caller` may use it, the one check every entry point (REST, the callable, the
 * OpenAI-compatible API and the channels to come) makes before reading or continuing one:
 * - a key scoped to an agent sees only that agent's conversations;
 * - a credential may read and continue the conversations it started; reading anyone else's needs
 *   `conversations.view` (they hold end users' words), and continuing them is refused to everyone, since
 *   a reply would speak for the person who started it;
 * - continuing a conversation with an agent's draft needs `agents.manage`, as starting one does.
 * Someone who may not read a conversation is told it does not exist, as for another tenant's.
 * Conversations started before the starter was recorded can be read and continued with
 * `conversations.view` only.
 */
export async function openConversation(
  deps: Deps,
  caller: Caller,
  conversationId: string,
  purpose: "read" | "continue",
): Promise<ConversationView> {
  const conversation = await getConversation(deps, caller.tenantId, conversationId);
  const notFound = () => new AppError("not-found", `Conversation ${conversationId} not found`);
  if (caller.agentId && caller.agentId !== conversation.agentId) throw notFound();
  const own = conversation.startedBy !== null && conversation.startedBy === caller.uid;
  const mayView = hasPermission(caller, "conversations.view");
  if (!own && !mayView) throw notFound();
  if (purpose === "read") return conversation;
  if (!own && conversation.startedBy !== null) {
    throw new AppError(
      "permission-denied",
      `Conversation ${conversationId} was started by another credential; only it may continue the conversation`,
    );
  }
  if (conversation.agentVersion === "draft") requirePermission(caller, "agents.manage");
  return conversation;
}

/** `2024-05-01` (midnight UTC) or a full ISO-8601 date-time with its offset. */
const listInstant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    error: "must be an ISO date (2024-05-01) or date-time with an offset (2024-05-01T09:30:00Z)",
  })
  .transform((s) => new Date(s));

/** Where the previous page ended: its last `updatedAt`, and the ids already listed at that instant. */
const listCursorSchema = z.object({
  updatedAt: z.string().min(1).max(64),
  seen: z.array(z.string().regex(idPattern)).min(1),
});
type ListCursor = z.infer<typeof listCursorSchema>;

const invalidCursor = "must be the nextCursor of a previous page";

const cursorToken = (cursor: ListCursor): string =>
  Buffer.from(JSON.stringify(cursor), "utf8").toString("base64url");

const listCursor = z
  .string()
  .max(64_000, invalidCursor)
  .transform((token, ctx): ListCursor => {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    } catch {
      decoded = undefined;
    }
    const parsed = listCursorSchema.safeParse(decoded);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: invalidCursor });
      return z.NEVER;
    }
    return parsed.data;
  });

export const conversationListQuerySchema = z
  .object({
    agentId: z.string().regex(idPattern, "must be 1-128 letters, digits, '-' or '_'").optional(),
    channel: z.enum(agentChannels).optional(),
    /** Last activity at or after this instant. */
    from: listInstant.optional(),
    /** Last activity before this instant (exclusive). */
    to: listInstant.optional(),
    limit: z.coerce
      .number({ error: "must be a whole number from 1 to 200" })
      .int("must be a whole number from 1 to 200")
      .min(1, "must be a whole number from 1 to 200")
      .max(200, "must be a whole number from 1 to 200")
      .default(50),
    /** The `nextCursor` of the previous page. */
    cursor: listCursor.optional(),
  })
  .strict();
/** The query string as sent (`listConversations` validates it). */
export type ConversationListQuery = Record<string, string | number | undefined>;

/** What a listing shows of a conversation: no summary (it quotes the end user), nothing to read per row. */
export type ConversationListItem = Omit<ConversationView, "summary">;

export interface ConversationPage {
  readonly conversations: ConversationListItem[];
  /** Pass as `cursor` for the next page; `null` on the last one. */
  readonly nextCursor: string | null;
}

/**
 * The Firestore query behind a listing page: equality filters on agent and channel, a range on
 * `updatedAt`, newest activity first. Filtering by agent and/or channel needs the composite indexes
 * (agentId, updatedAt desc), (channel, updatedAt desc) and (agentId, channel, updatedAt desc) in
 * firestore.indexes.json; every range is on the ordered field, as Firestore requires.
 */
export function conversationListQuery(tenantId: string, query: ConversationListQuery): QuerySpec {
  return planListing(tenantId, query).spec;
}

function planListing(
  tenantId: string,
  query: ConversationListQuery,
): { spec: QuerySpec; limit: number; cursor: ListCursor | undefined } {
  const parsed = validate(conversationListQuerySchema, query, "query parameter");
  if (parsed.from && parsed.to && parsed.from.getTime() >= parsed.to.getTime()) {
    throw new AppError(
      "invalid-argument",
      `Invalid query parameter: from (${parsed.from.toISOString()}) must be before to (${parsed.to.toISOString()})`,
    );
  }
  const where: Filter[] = [];
  if (parsed.agentId !== undefined) where.push({ field: "agentId", op: "==", value: parsed.agentId });
  if (parsed.channel !== undefined) where.push({ field: "channel", op: "==", value: parsed.channel });
  if (parsed.from) where.push({ field: "updatedAt", op: ">=", value: parsed.from.toISOString() });
  if (parsed.to) where.push({ field: "updatedAt", op: "<", value: parsed.to.toISOString() });
  // The cursor holds values, not a document: a conversation keeps changing, and a document cursor would
  // move with it (Firestore's startAfter reads the document's current updatedAt).
  if (parsed.cursor) where.push({ field: "updatedAt", op: "<=", value: parsed.cursor.updatedAt });
  const spec: QuerySpec = {
    collection: conversationsPath(tenantId),
    where,
    // Ties on updatedAt fall back to the document id (Firestore's implicit order); the cursor's `seen`
    // ids make paging exact whatever the tie order.
    orderBy: [{ field: "updatedAt", direction: "desc" }],
    // One more than the page, to know whether there is a next one, plus the ids to skip at the cursor.
    limit: parsed.limit + 1 + (parsed.cursor?.seen.length ?? 0),
  };
  return { spec, limit: parsed.limit, cursor: parsed.cursor };
}

/**
 * One page of a tenant's conversations, most recent activity first, filtered by agent, channel and a
 * window of last activity [from, to). A conversation that gets a message moves to the first page; the
 * next pages never repeat one that was already listed.
 */
export async function listConversations(
  deps: Deps,
  tenantId: string,
  query: ConversationListQuery = {},
): Promise<ConversationPage> {
  const { spec, limit, cursor } = planListing(tenantId, query);
  const seen = new Set(cursor?.seen);
  const rows = (await deps.store.query(spec))
    .map((s): ConversationListItem => {
      const { summary: _summary, ...conversation } = conversationSchema.parse(s.data);
      return { id: s.id, ...conversation };
    })
    .filter((c) => !(cursor && c.updatedAt === cursor.updatedAt && seen.has(c.id)));
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  if (rows.length <= limit || !last) return { conversations: page, nextCursor: null };
  const seenAtLast = page.filter((c) => c.updatedAt === last.updatedAt).map((c) => c.id);
  if (cursor?.updatedAt === last.updatedAt) seenAtLast.push(...cursor.seen);
  return {
    conversations: page,
    nextCursor: cursorToken({ updatedAt: last.updatedAt, seen: seenAtLast }),
  };
}

/** The messages a turn needs: those the stored summary does not cover yet (a window and a turn or two). */
async function unsummarizedHistory(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  conversation: Conversation,
): Promise<{ role: "user" | "assistant"; content: string; seq: number }[]> {
  if (conversation.messageCount === 0) return [];
  const snaps = await deps.store.query({
    collection: messagesPath(tenantId, conversationId),
    where: [{ field: "seq", op: ">=", value: conversation.summary?.throughSeq ?? 0 }],
    orderBy: [{ field: "seq", direction: "asc" }],
  });
  return snaps.map((s) => {
    const m = messageSchema.parse(s.data);
    return { role: m.role, content: m.content, seq: m.seq };
  });
}

const groundingRules =
  "Answer only from the numbered source passages you are given and cite each sentence with its marker, e.g. [1]. " +
  "If the passages do not contain the answer, say that you cannot find it.";

async function callModel(
  deps: Deps,
  request: ChatRequest,
  onDelta: ((text: string) => void) | undefined,
): Promise<ChatResult> {
  if (!onDelta) return deps.chat.complete(request);
  for await (const event of deps.chat.stream(request)) {
    if (event.type === "delta") onDelta(event.text);
    else return event.result;
  }
  throw new AppError("unavailable", "The model stream ended without a result");
}

/** Merges result lists by chunk, keeping each chunk's best score and the query that found it. */
function mergeResults(lists: readonly SearchResult[][]): { result: SearchResult; query: number }[] {
  const best = new Map<string, { result: SearchResult; query: number }>();
  lists.forEach((list, query) => {
    for (const result of list) {
      const seen = best.get(result.chunkId);
      if (!seen || result.score > seen.result.score) best.set(result.chunkId, { result, query });
    }
  });
  return [...best.values()].sort((a, b) => b.result.score - a.result.score).slice(0, evidenceCount);
}

interface Retrieval {
  readonly queries: { text: string; reason: string }[];
  /** Passages offered to the model, numbered [1], [2]… */
  readonly evidence: Evidence[];
  /** Passages withheld as instruction-like, numbered X1, X2… (the model never sees them). */
  readonly excluded: ExcludedEvidence[];
  readonly queryOf: Map<string, number>;
}

async function retrieve(
  deps: Deps,
  tenantId: string,
  config: AgentConfig,
  question: string,
  history: readonly { role: string; content: string }[],
): Promise<Retrieval> {
  const queries = [{ text: question, reason: "the question" }];
  const lists = [
    await searchKnowledgeBases(deps, tenantId, config.knowledgeBaseIds, question, evidenceCount),
  ];
  const previous = [...history].reverse().find((m) => m.role === "user");
  const top = lists[0]?.[0]?.score ?? 0;
  if (previous && top < weakRetrieval && tokenize(question).length <= followUpMaxTerms) {
    const text = `${previous.content}\n${question}`;
    queries.push({ text, reason: "a short follow-up: searched again together with the previous question" });
    lists.push(await searchKnowledgeBases(deps, tenantId, config.knowledgeBaseIds, text, evidenceCount));
  }
  const merged = mergeResults(lists);
  const queryOf = new Map<string, number>();
  for (const { result, query } of merged) queryOf.set(result.chunkId, query);
  // Screened before numbering: the model's markers run [1], [2]… over what it is shown, with no gaps.
  const screened = screenEvidence(merged.map(({ result }) => ({ ref: "", ...result })));
  return {
    queries,
    evidence: screened.offered.map((e, i) => ({ ...e, ref: String(i + 1) })),
    excluded: screened.excluded.map((e, i) => ({ ...e, ref: `X${i + 1}` })),
    queryOf,
  };
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");
const round1 = (x: number): number => Math.round(x * 10) / 10;
const addUsage = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
});

export interface SendOptions {
  /** Receives the model's text as it is generated (the final, checked message may differ). */
  readonly onDelta?: (text: string) => void;
  /**
   * The history as the client holds it (the OpenAI-compatible API, where every request carries the whole
   * conversation): used instead of the stored messages, verbatim within the window and budget.
   */
  readonly history?: readonly { role: "user" | "assistant"; content: string }[];
}

/** Times each step of a turn. */
class Stopwatch {
  readonly started = performance.now();
  readonly ms = { guardrails: 0, retrieval: 0, context: 0, generation: 0, tools: 0, checks: 0 };
  async time<R>(step: keyof Stopwatch["ms"], work: () => Promise<R> | R): Promise<R> {
    const t = performance.now();
    try {
      return await work();
    } finally {
      this.ms[step] += performance.now() - t;
    }
  }
  total(): Trace["timingsMs"] {
    const rounded = Object.fromEntries(
      Object.entries(this.ms).map(([k, v]) => [k, round1(v)]),
    ) as Stopwatch["ms"];
    return { ...rounded, total: round1(performance.now() - this.started) };
  }
}

export async function sendMessage(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  input: z.infer<typeof sendMessageInput>,
  options: SendOptions = {},
): Promise<MessageView> {
  const clock = new Stopwatch();
  const question = input.content;
  const conversation = await loadConversation(deps, tenantId, conversationId);
  const agent = await getAgent(deps, tenantId, conversation.agentId);
  assertAnswering(agent, conversation.agentVersion);
  const { config, version, clamps } = await resolveConfig(deps, tenantId, agent, conversation.agentVersion);

  const traceId = deps.ids.newId();
  const trace: Trace = {
    conversationId,
    messageId: null,
    agentId: agent.id,
    agentVersion: version,
    prompt: {
      instructionsSha256: sha256(config.instructions),
      instructionsChars: config.instructions.length,
    },
    channel: conversation.channel,
    requestId: currentRequestId() ?? null,
    status: "failed",
    error: null,
    question,
    model: {
      provider: deps.chat.info.provider,
      model: config.model.name ?? deps.chat.info.model,
      label: deps.chat.info.label,
      temperature: config.model.temperature,
      maxOutputTokens: config.model.maxOutputTokens,
      clamped: clamps,
    },
    embedder: {
      provider: deps.embedder.info.provider,
      model: deps.embedder.info.model,
      version: deps.embedder.info.version,
      dimensions: deps.embedder.info.dimensions,
    },
    guardrails: { blockedTopic: null, piiRedacted: [], injectionFlagged: 0, toolCallsRefused: 0 },
    context: {
      verbatimMessages: 0,
      summarizedMessages: 0,
      droppedForBudget: 0,
      estimatedTokens: 0,
      budgetTokens: config.contextBudgetTokens,
    },
    retrieval: { queries: [], knowledgeBaseIds: config.knowledgeBaseIds, candidates: [] },
    generation: { steps: 0, rawContent: "", finishReason: "", usage: { inputTokens: 0, outputTokens: 0 } },
    toolCalls: [],
    checks: [],
    citations: [],
    confidence: null,
    abstained: false,
    explanation: "",
    timingsMs: clock.total(),
    createdAt: deps.clock.nowIso(),
  };

  let outcome: { content: string; citations: Message["citations"]; summary: Conversation["summary"] };
  try {
    outcome = await runTurn(
      deps,
      tenantId,
      conversationId,
      conversation,
      agent,
      config,
      trace,
      clock,
      options,
    );
  } catch (e) {
    const error = toAppError(e);
    trace.status = "failed";
    trace.error = { code: error.code, message: error.message };
    trace.timingsMs = clock.total();
    await writeTrace(deps, tenantId, traceId, trace, config).catch((writeError: unknown) =>
      log.error("could not record a failed turn's trace", { err: writeError, traceId }),
    );
    log.warn("conversation turn failed", { tenantId, conversationId, traceId, code: error.code });
    throw new AppError(
      error.code,
      `${error.message} (nothing was added to the conversation; trace ${traceId})`,
      { traceId },
    );
  }

  const now = deps.clock.nowIso();
  const userMessageId = deps.ids.newId();
  const assistantMessageId = deps.ids.newId();
  trace.messageId = assistantMessageId;
  trace.timingsMs = clock.total();
  let assistant: Message | undefined;
  const convPath = conversationPath(tenantId, conversationId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(convPath);
    if (!snap) throw new AppError("not-found", `Conversation ${conversationId} not found`);
    const seq = conversationSchema.parse(snap.data).messageCount;
    const user: Message = {
      role: "user",
      content: question,
      seq,
      createdAt: now,
      citations: [],
      confidence: null,
      abstained: false,
      explanation: null,
      traceId: null,
      usage: null,
      agentVersion: null,
    };
    assistant = {
      role: "assistant",
      content: outcome.content,
      seq: seq + 1,
      createdAt: now,
      citations: outcome.citations,
      confidence: trace.confidence?.value ?? null,
      abstained: trace.abstained,
      explanation: trace.explanation,
      traceId,
      usage: trace.generation.usage,
      agentVersion: version,
    };
    tx.create(messagePath(tenantId, conversationId, userMessageId), user);
    tx.create(messagePath(tenantId, conversationId, assistantMessageId), assistant);
    tx.create(tracePath(tenantId, traceId), prepareTrace(trace, config));
    tx.update(convPath, {
      messageCount: seq + 2,
      updatedAt: now,
      ...(outcome.summary ? { summary: outcome.summary } : {}),
    });
  });
  log.info("conversation turn", {
    tenantId,
    conversationId,
    traceId,
    status: trace.status,
    confidence: trace.confidence?.value ?? null,
    totalMs: trace.timingsMs.total,
  });
  return { id: assistantMessageId, ...(assistant as Message) };
}

/** The trace as stored: personal data redacted when the agent's guardrails ask for it. */
function prepareTrace(trace: Trace, config: AgentConfig): Trace {
  if (!config.guardrails.redactPii) return trace;
  const kinds = new Set<string>();
  for (const text of [
    trace.question,
    trace.generation.rawContent,
    ...trace.toolCalls.map((t) => t.arguments),
  ])
    for (const kind of redactPii(text).found) kinds.add(kind);
  const redacted = redactDeep(trace) as Trace;
  return { ...redacted, guardrails: { ...redacted.guardrails, piiRedacted: [...kinds].sort() } };
}

async function writeTrace(
  deps: Deps,
  tenantId: string,
  traceId: string,
  trace: Trace,
  config: AgentConfig,
): Promise<void> {
  await deps.store.create(tracePath(tenantId, traceId), prepareTrace(trace, config));
}

/** Everything between loading the agent and writing the turn; fills in `trace` as it goes. */
async function runTurn(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  conversation: Conversation,
  agent: AgentView,
  config: AgentConfig,
  trace: Trace,
  clock: Stopwatch,
  options: SendOptions,
): Promise<{ content: string; citations: Message["citations"]; summary: Conversation["summary"] }> {
  const question = trace.question;
  const blocked = await clock.time("guardrails", () =>
    matchBlockedTopic(question, config.guardrails.blockedTopics),
  );
  if (blocked) {
    trace.status = "declined";
    trace.abstained = true;
    trace.guardrails.blockedTopic = blocked.topic;
    trace.explanation = `The question matches the topic "${blocked.topic}", which this agent is configured not to discuss; no search or model call was made.`;
    return {
      content: `I'm sorry, I can't help with questions about ${blocked.topic}.`,
      citations: [],
      summary: null,
    };
  }

  const stored = options.history
    ? options.history.map((m, seq) => ({ ...m, seq }))
    : await unsummarizedHistory(deps, tenantId, conversationId, conversation);

  const retrieval = await clock.time("retrieval", () => retrieve(deps, tenantId, config, question, stored));
  const weights = await clock.time("retrieval", async () =>
    termWeights(
      await Promise.all(
        config.knowledgeBaseIds.map((kbId) => deps.keywords.termStats(chunksPath(tenantId, kbId), question)),
      ),
    ),
  );
  let evidence = retrieval.evidence;
  const excluded = [...retrieval.excluded];
  trace.retrieval.queries = retrieval.queries;

  const passageTokens = evidence.reduce((n, e) => n + estimateTokens(e.text) + 4, 0);
  const context = await clock.time("context", () =>
    buildContext({
      system: `${config.instructions}\n\n${groundingRules}`,
      history: stored,
      question,
      memoryWindow: config.memoryWindow,
      budgetTokens: config.contextBudgetTokens,
      summary: options.history ? null : conversation.summary,
      reservedTokens: passageTokens + config.model.maxOutputTokens,
    }),
  );
  trace.context = {
    verbatimMessages: context.verbatim,
    summarizedMessages: context.summarized,
    droppedForBudget: context.droppedForBudget,
    estimatedTokens: context.estimatedTokens,
    budgetTokens: config.contextBudgetTokens,
  };
  // The summary as sent covers every message before `summaryThroughSeq`; kept for the next turn.
  const summary =
    options.history || context.summaryThroughSeq === null
      ? null
      : { text: context.summaryText, throughSeq: context.summaryThroughSeq };

  const messages: ChatMessage[] = [...context.messages];
  const tools = toolSpecs(config);
  const runs: ScreenedRun[] = [];
  // What a tool call may draw on: the user's own words, the agent's instructions, evidence it was shown.
  const userWords = [question, ...stored.filter((m) => m.role === "user").map((m) => m.content)];
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  let result: ChatResult | undefined;
  for (let step = 0; ; step++) {
    const offerTools = tools.length > 0 && step < config.maxToolSteps;
    const request: ChatRequest = {
      messages,
      tools: offerTools ? tools : undefined,
      temperature: config.model.temperature,
      maxOutputTokens: config.model.maxOutputTokens,
      ...(config.model.name ? { model: config.model.name } : {}),
      grounding: { passages: evidence.map((e) => ({ ref: e.ref, text: e.text })) },
    };
    result = await clock.time("generation", () => callModel(deps, request, options.onDelta));
    usage = addUsage(usage, result.usage);
    trace.generation = {
      steps: step + 1,
      rawContent: result.content,
      finishReason: result.finishReason,
      usage,
    };
    if (!offerTools || result.toolCalls.length === 0) break;
    messages.push({ role: "assistant", content: result.content, toolCalls: result.toolCalls });
    const calls = result.toolCalls;
    const stepResult = await clock.time("tools", () =>
      runScreenedTools({ deps, tenantId, config, evidence, step }, calls, excluded, [
        ...userWords,
        config.instructions,
        ...evidence.map((e) => e.text),
      ]),
    );
    runs.push(...stepResult.runs);
    evidence = [...evidence, ...stepResult.offered];
    for (const run of stepResult.runs)
      messages.push({ role: "tool", toolCallId: run.id, content: run.output });
  }
  trace.toolCalls = runs;
  if (result.toolCalls.length > 0 && !result.content.trim()) {
    log.warn("the model still asked for tools after the step limit", {
      agentId: agent.id,
      steps: trace.generation.steps,
    });
  }

  const candidate = (e: Evidence, signals: string[]): Trace["retrieval"]["candidates"][number] => ({
    ref: e.ref,
    query: retrieval.queryOf.get(e.chunkId) ?? null,
    kbId: e.kbId,
    chunkId: e.chunkId,
    docId: e.docId,
    docName: e.docName,
    score: e.score,
    vectorScore: e.vectorScore,
    keywordScore: e.keywordScore,
    injectionSignals: signals,
    excluded: signals.length > 0,
  });
  trace.retrieval.candidates = [
    ...evidence.map((e) => candidate(e, [])),
    ...excluded.map((e) => candidate(e, e.signals)),
  ];
  trace.guardrails.injectionFlagged = excluded.length;
  const refused = runs.filter((r) => r.screened?.action === "refused");
  trace.guardrails.toolCallsRefused = refused.length;

  const assessment = await clock.time("checks", () =>
    assessAnswer({
      question,
      answer: result?.content ?? "",
      evidence,
      threshold: config.confidenceThreshold,
      termWeights: weights,
      excluded,
    }),
  );
  trace.checks = assessment.checks;
  trace.citations = assessment.citations;
  trace.confidence = assessment.confidence;
  trace.abstained = assessment.abstained;
  const exclusions = describeExclusions(excluded, refused);
  trace.explanation = exclusions ? `${assessment.explanation} ${exclusions}` : assessment.explanation;
  trace.status = assessment.abstained ? "abstained" : "answered";
  return { content: assessment.content, citations: assessment.citations, summary };
}

/** A tool run as the trace records it, with what the injection screen did to it, if anything. */
type ScreenedRun = ToolRun & { screened?: NonNullable<Trace["toolCalls"][number]["screened"]> };

/**
 * One step of tool calls under the injection screen. A call whose arguments carry content found only in
 * excluded text is refused before it runs (the model reads the refusal as the tool's error). What the
 * other calls return is screened like retrieved passages: flagged outputs and passages join `excluded`
 * (renamed X…, and the model is told they were withheld instead of reading them); the rest are renumbered
 * so markers stay contiguous, as the next step's numbering assumes. Runs come back in the order the model
 * asked for them.
 */
async function runScreenedTools(
  ctx: ToolContext,
  calls: readonly ToolCall[],
  excluded: ExcludedEvidence[],
  trusted: readonly string[],
): Promise<{ runs: ScreenedRun[]; offered: Evidence[] }> {
  const sources = excluded.map((e) => ({ text: e.text, source: e.docName }));
  const verdicts = calls.map((c) => checkToolArguments(c.arguments, { excluded: sources, trusted }));
  const executed = await executeToolCalls(
    ctx,
    calls.filter((_, i) => !verdicts[i]?.refused),
  );
  const screened = screenEvidence(executed.evidence);
  const withheldAs = new Map<string, ExcludedEvidence>();
  for (const e of screened.excluded) {
    const known = excluded.find((x) => x.chunkId === e.chunkId);
    const kept = known ?? { ...e, ref: `X${excluded.length + 1}` };
    if (!known) excluded.push(kept);
    withheldAs.set(e.ref, kept);
  }
  // New markers for what is kept: passages after the evidence so far, tool outputs after its T markers.
  let passages = ctx.evidence.filter((e) => !e.ref.startsWith("T")).length;
  let outputs = ctx.evidence.filter((e) => e.ref.startsWith("T")).length;
  const renumbered = new Map<string, string>();
  const offered = screened.offered.map((e) => {
    const ref = e.ref.startsWith("T") ? `T${++outputs}` : String(++passages);
    renumbered.set(e.ref, ref);
    return { ...e, ref };
  });
  const relabel = (line: string): string => {
    const marker = /^\[([^\]\s]+)\] /.exec(line);
    const ref = marker ? renumbered.get(marker[1] as string) : undefined;
    return marker && ref ? `[${ref}] ${line.slice(marker[0].length)}` : line;
  };
  let next = 0;
  const runs = calls.map((call, i): ScreenedRun => {
    const verdict = verdicts[i];
    if (verdict?.refused && verdict.reason) {
      const from = new Set(verdict.carried.flatMap((c) => c.sources));
      return {
        step: ctx.step,
        id: call.id,
        name: call.name,
        arguments: call.arguments,
        status: "error",
        output: JSON.stringify({ error: verdict.reason }),
        error: verdict.reason,
        durationMs: 0,
        refs: [],
        screened: {
          action: "refused",
          reason: verdict.reason,
          signals: [...new Set(excluded.filter((e) => from.has(e.docName)).flatMap((e) => e.signals))].sort(),
          carried: verdict.carried,
        },
      };
    }
    // executeToolCalls returns its runs in the order of the calls it was given.
    const run = executed.runs[next++] as ToolRun;
    const refs = run.refs.map((r) => withheldAs.get(r)?.ref ?? renumbered.get(r) ?? r);
    const withheld = run.refs.filter((r) => withheldAs.has(r));
    if (withheld.length === 0)
      return refs.every((r, j) => r === run.refs[j])
        ? run
        : { ...run, refs, output: run.output.split("\n").map(relabel).join("\n") };
    const signals = [...new Set(withheld.flatMap((r) => withheldAs.get(r)?.signals ?? []))].sort();
    const reason = `${withheld.length} result(s) withheld: they contained instruction-like text`;
    // A search returns one line per passage ("[4] doc: text"), so withheld ones can be left out; an HTTP
    // tool's output is a single result, withheld whole.
    const output =
      withheld.length === run.refs.length
        ? JSON.stringify({ withheld: `${reason}; answer from other sources` })
        : [
            ...run.output
              .split("\n")
              .filter((line) => !withheld.some((r) => line.startsWith(`[${r}] `)))
              .map(relabel),
            `(${reason}; answer from other sources.)`,
          ].join("\n");
    return { ...run, output, refs, screened: { action: "withheld", reason, signals, carried: [] } };
  });
  return { runs, offered };
}

export async function listMessages(
  deps: Deps,
  tenantId: string,
  conversationId: string,
): Promise<MessageView[]> {
  await loadConversation(deps, tenantId, conversationId);
  const snaps = await deps.store.query({
    collection: messagesPath(tenantId, conversationId),
    orderBy: [{ field: "seq", direction: "asc" }],
  });
  return snaps.map((s) => ({ id: s.id, ...messageSchema.parse(s.data) }));
}
