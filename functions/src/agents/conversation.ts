/**
 * One conversation turn: retrieve evidence from the agent's knowledge bases, ask the model with that
 * evidence, hold the answer to account (citations, claim support, confidence, abstention), and record
 * the user message, the answer and the immutable trace together: a failed turn writes nothing.
 */
import { z } from "zod";
import { assessAnswer, type Evidence } from "../accountability/assess.js";
import { tracePath, type Trace } from "../accountability/schema.js";
import { searchKnowledgeBases } from "../knowledge/search.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { currentRequestId, log } from "../platform/log.js";
import type { ChatMessage, ChatResult } from "../platform/ports.js";
import { getAgent } from "./agents.js";
import {
  conversationPath,
  conversationsPath,
  conversationSchema,
  messagePath,
  messagesPath,
  messageSchema,
  type Conversation,
  type Message,
} from "./schema.js";

export const maxMessageChars = 8000;

export const sendMessageInput = z.object({
  content: z
    .string()
    .trim()
    .min(1, "content must not be empty")
    .max(maxMessageChars, `content is limited to ${maxMessageChars} characters`),
});

/** How many passages the model sees per turn. */
const evidenceCount = 5;

export type MessageView = Message & { readonly id: string };

export async function startConversation(
  deps: Deps,
  tenantId: string,
  agentId: string,
  options: { channel: Conversation["channel"]; endUserRef?: string },
): Promise<{ id: string }> {
  const agent = await getAgent(deps, tenantId, agentId);
  if (agent.status === "paused" || agent.status === "archived") {
    throw new AppError(
      "failed-precondition",
      `Agent ${agentId} is ${agent.status} and cannot start conversations`,
    );
  }
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const conversation: Conversation = {
    agentId,
    agentVersion: "draft",
    channel: options.channel,
    endUserRef: options.endUserRef ?? null,
    messageCount: 0,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.create(`${conversationsPath(tenantId)}/${id}`, conversation);
  return { id };
}

async function loadConversation(deps: Deps, tenantId: string, conversationId: string): Promise<Conversation> {
  const snap = await deps.store.get(conversationPath(tenantId, conversationId));
  if (!snap) throw new AppError("not-found", `Conversation ${conversationId} not found`);
  return conversationSchema.parse(snap.data);
}

async function recentHistory(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  window: number,
): Promise<ChatMessage[]> {
  if (window === 0) return [];
  const recent = await deps.store.query({
    collection: messagesPath(tenantId, conversationId),
    orderBy: [{ field: "seq", direction: "desc" }],
    limit: window,
  });
  return recent
    .map((s) => messageSchema.parse(s.data))
    .reverse()
    .map((m) => ({ role: m.role, content: m.content }));
}

const groundingRules =
  "Answer only from the numbered source passages you are given and cite each sentence with its marker, e.g. [1]. " +
  "If the passages do not contain the answer, say that you cannot find it.";

async function generate(
  deps: Deps,
  messages: ChatMessage[],
  evidence: readonly Evidence[],
  onDelta: ((text: string) => void) | undefined,
): Promise<ChatResult> {
  const request = { messages, grounding: { passages: evidence.map((e) => ({ ref: e.ref, text: e.text })) } };
  if (!onDelta) return deps.chat.complete(request);
  for await (const event of deps.chat.stream(request)) {
    if (event.type === "delta") onDelta(event.text);
    else return event.result;
  }
  throw new AppError("unavailable", "The model stream ended without a result");
}

export async function sendMessage(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  input: z.infer<typeof sendMessageInput>,
  options?: { onDelta?: (text: string) => void },
): Promise<MessageView> {
  const started = performance.now();
  const conversation = await loadConversation(deps, tenantId, conversationId);
  const agent = await getAgent(deps, tenantId, conversation.agentId);
  if (agent.status === "paused" || agent.status === "archived") {
    throw new AppError("failed-precondition", `Agent ${agent.id} is ${agent.status}; it is not answering`);
  }

  const retrievalStart = performance.now();
  const results = await searchKnowledgeBases(
    deps,
    tenantId,
    agent.knowledgeBaseIds,
    input.content,
    evidenceCount,
  );
  const evidence: Evidence[] = results.map((r, i) => ({ ref: String(i + 1), ...r }));
  const retrievalMs = performance.now() - retrievalStart;

  const history = await recentHistory(deps, tenantId, conversationId, agent.memoryWindow);
  const messages: ChatMessage[] = [
    { role: "system", content: `${agent.instructions}\n\n${groundingRules}` },
    ...history,
    { role: "user", content: input.content },
  ];
  const generationStart = performance.now();
  const result = await generate(deps, messages, evidence, options?.onDelta);
  const generationMs = performance.now() - generationStart;

  const checksStart = performance.now();
  const assessment = assessAnswer({
    question: input.content,
    answer: result.content,
    evidence,
    threshold: agent.confidenceThreshold,
  });
  const checksMs = performance.now() - checksStart;

  const now = deps.clock.nowIso();
  const userMessageId = deps.ids.newId();
  const assistantMessageId = deps.ids.newId();
  const traceId = deps.ids.newId();
  const trace: Trace = {
    conversationId,
    messageId: assistantMessageId,
    agentId: agent.id,
    agentVersion: conversation.agentVersion,
    requestId: currentRequestId() ?? null,
    model: { provider: deps.chat.info.provider, model: result.model, label: deps.chat.info.label },
    embedder: {
      provider: deps.embedder.info.provider,
      model: deps.embedder.info.model,
      version: deps.embedder.info.version,
      dimensions: deps.embedder.info.dimensions,
    },
    retrieval: {
      query: input.content,
      knowledgeBaseIds: agent.knowledgeBaseIds,
      candidates: evidence.map((e) => ({
        ref: e.ref,
        chunkId: e.chunkId,
        docId: e.docId,
        docName: e.docName,
        score: e.score,
      })),
    },
    generation: { rawContent: result.content, finishReason: result.finishReason, usage: result.usage },
    checks: assessment.checks,
    confidence: assessment.confidence,
    abstained: assessment.abstained,
    explanation: assessment.explanation,
    timingsMs: {
      retrieval: round1(retrievalMs),
      generation: round1(generationMs),
      checks: round1(checksMs),
      total: round1(performance.now() - started),
    },
    createdAt: now,
  };

  let assistant: Message | undefined;
  const convPath = conversationPath(tenantId, conversationId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(convPath);
    if (!snap) throw new AppError("not-found", `Conversation ${conversationId} not found`);
    const seq = conversationSchema.parse(snap.data).messageCount;
    const user: Message = {
      role: "user",
      content: input.content,
      seq,
      createdAt: now,
      citations: [],
      confidence: null,
      abstained: false,
      explanation: null,
      traceId: null,
      usage: null,
    };
    assistant = {
      role: "assistant",
      content: assessment.content,
      seq: seq + 1,
      createdAt: now,
      citations: assessment.citations,
      confidence: assessment.confidence.value,
      abstained: assessment.abstained,
      explanation: assessment.explanation,
      traceId,
      usage: result.usage,
    };
    tx.create(messagePath(tenantId, conversationId, userMessageId), user);
    tx.create(messagePath(tenantId, conversationId, assistantMessageId), assistant);
    tx.create(tracePath(tenantId, traceId), trace);
    tx.update(convPath, { messageCount: seq + 2, updatedAt: now });
  });
  log.info("conversation turn", {
    tenantId,
    conversationId,
    traceId,
    abstained: assessment.abstained,
    confidence: assessment.confidence.value,
    totalMs: trace.timingsMs.total,
  });
  return { id: assistantMessageId, ...(assistant as Message) };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

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
