/**
 * The OpenAI-compatible API: OpenAI's clients (the official SDKs, LangChain, any tool with a base URL
 * setting) talk to published agents unchanged. A model is a published agent enabled on the
 * "openai-compatible" channel, named by its agent id; `POST /v1/chat/completions` answers through the
 * Agent Engine and returns OpenAI's `chat.completion`, plus an `alchemist` field with the accountability
 * of the answer (citations, confidence, abstention, explanation, trace).
 *
 * Each completion is a new conversation: OpenAI's clients resend the whole history with every request,
 * so the engine takes it from the request instead of from stored messages.
 *
 * Streaming sends only checked text. The engine checks the model's answer after generation (unsupported
 * sentences are removed, or the agent abstains), so the raw tokens may not be the answer: streaming them
 * would show clients sentences that the final message does not contain. The turn therefore runs first,
 * then the checked content is sent as word-sized `chat.completion.chunk` deltas whose concatenation is
 * exactly the stored message. Running the turn before the stream opens also means an error (a paused
 * agent, a model timeout) arrives as a real HTTP status that clients can type and retry, never as an
 * event in the middle of a stream; the first content arrives no later than any honest order allows.
 */
import type OpenAI from "openai";
import { z } from "zod";
import { getAgent, listAgents, listVersions, type AgentView } from "../../agents/agents.js";
import { startConversation, type MessageView } from "../../agents/conversations.js";
import { selectorFor } from "../../agents/releases.js";
import { sendMessage } from "../../agents/turn.js";
import type { Caller } from "../../platform/caller.js";
import type { Deps } from "../../platform/deps.js";
import { isAppError } from "../../platform/errors.js";
import { idPattern } from "../../platform/ids.js";
import type { ApiResponse, SseSend } from "../../platform/http/http.js";
import { route, type Route } from "../../platform/http/router.js";
import { openaiError, openaiErrorResponse } from "./errors.js";
import type { AlchemistAnswer, AlchemistChatCompletion, AlchemistChatCompletionChunk } from "./extension.js";
import { parseChatCompletionRequest, type ChatCompletionTurn } from "./request.js";

const channel = "openai-compatible";

/** OpenAI's model object, with the agent's name and served version under `alchemist`. */
export type AgentModel = OpenAI.Model & {
  readonly alchemist: { name: string; description: string; version: number; publishedAt: string };
};

export type { AlchemistAnswer, AlchemistChatCompletion, AlchemistChatCompletionChunk } from "./extension.js";

const unixSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

// ---------------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------------

/**
 * The tenant's models: agents that answer right now (published, not paused or archived) and whose served
 * version is enabled on this channel. The served version decides, as it does when a completion starts
 * a conversation: a draft that removes the channel takes effect on its next publish.
 */
export async function listAgentModels(deps: Deps, tenantId: string): Promise<AgentModel[]> {
  const published = (await listAgents(deps, tenantId)).filter((a) => a.status === "published");
  const models = await Promise.all(published.map((agent) => servedModel(deps, tenantId, agent)));
  return models.filter((m): m is AgentModel => m !== undefined);
}

/** The model an agent's served version makes, if that version is enabled on this channel. */
async function servedModel(deps: Deps, tenantId: string, agent: AgentView): Promise<AgentModel | undefined> {
  const served = (await listVersions(deps, tenantId, agent.id)).find(
    (v) => v.version === agent.publishedVersion,
  );
  if (!served || !served.config.channels.includes(channel)) return undefined;
  return {
    id: agent.id,
    object: "model",
    created: unixSeconds(served.publishedAt),
    owned_by: tenantId,
    alchemist: {
      name: served.config.name,
      description: served.config.description,
      version: served.version,
      publishedAt: served.publishedAt,
    },
  };
}

function modelNotFound(model: string, why: string): never {
  const named = model.length > 128 ? `${model.slice(0, 128)}…` : model; // the request's text, echoed
  throw openaiError("not-found", `The model '${named}' ${why}`, { param: "model", code: "model_not_found" });
}

/**
 * The model a request names, if it may answer here. An unknown id and another tenant's agent read the
 * same (the lookup is under the caller's tenant), so nothing leaks; the tenant's own agents get the
 * precise reason. A paused agent is a 409: the model exists but will not answer until it is resumed.
 */
export async function resolveAgentModel(deps: Deps, tenantId: string, model: string): Promise<AgentModel> {
  const unknown =
    "does not exist or you do not have access to it; models are published agents, see GET /v1/models";
  if (!idPattern.test(model)) modelNotFound(model, unknown);
  let agent: AgentView;
  try {
    agent = await getAgent(deps, tenantId, model);
  } catch (e) {
    if (isAppError(e) && e.code === "not-found") modelNotFound(model, unknown);
    throw e;
  }
  if (agent.status === "draft")
    modelNotFound(model, "is an agent that has not been published yet; publish it first");
  if (agent.status === "archived") modelNotFound(model, "is an archived agent and no longer answers");
  if (agent.status === "paused") {
    throw openaiError(
      "failed-precondition",
      `The model '${model}' is a paused agent; resume it to answer again`,
      {
        param: "model",
        code: "model_paused",
        status: 409,
      },
    );
  }
  const served = await servedModel(deps, tenantId, agent);
  if (!served) {
    modelNotFound(
      model,
      `is an agent whose published version is not enabled on the ${channel} channel; add the channel to the agent and publish`,
    );
  }
  return served;
}

// ---------------------------------------------------------------------------------------------------
// Chat completions
// ---------------------------------------------------------------------------------------------------

/** One answer of the agent, and what OpenAI's shapes are built from. */
export interface AnsweredCompletion {
  readonly turn: ChatCompletionTurn;
  readonly conversationId: string;
  readonly message: MessageView;
  readonly completionId: string;
}

/**
 * What both OpenAI-compatible APIs do for a request that starts a conversation: a new conversation on this
 * channel, started by the caller, and its first turn with the client's history and caller instructions.
 */
export async function firstTurn(
  deps: Deps,
  caller: Caller,
  agentId: string,
  turn: {
    readonly question: string;
    readonly history: readonly { role: "user" | "assistant"; content: string }[];
    readonly callerInstructions: string | undefined;
    readonly endUserRef: string | undefined;
  },
): Promise<{ conversationId: string; message: MessageView }> {
  const conversation = await startConversation(deps, caller.tenantId, agentId, {
    channel,
    // An API key bound to an environment talks to that environment's version.
    version: selectorFor(caller, undefined) ?? "published",
    endUserRef: turn.endUserRef,
    startedBy: caller.uid,
  });
  const message = await sendMessage(
    deps,
    caller.tenantId,
    conversation.id,
    { content: turn.question },
    {
      history: turn.history,
      ...(turn.callerInstructions ? { callerInstructions: turn.callerInstructions } : {}),
    },
  );
  return { conversationId: conversation.id, message };
}

/** Starts the conversation and runs the turn; the answer is checked before anything is returned. */
export async function answerChatCompletion(
  deps: Deps,
  caller: Caller,
  body: unknown,
): Promise<AnsweredCompletion> {
  const turn = parseChatCompletionRequest(body);
  const model = await resolveAgentModel(deps, caller.tenantId, turn.model);
  const { conversationId, message } = await firstTurn(deps, caller, model.id, turn);
  return {
    turn,
    conversationId,
    message,
    completionId: `chatcmpl-${message.traceId ?? deps.ids.newId()}`,
  };
}

function alchemistOf({ conversationId, message }: AnsweredCompletion): AlchemistAnswer {
  return {
    conversationId,
    messageId: message.id,
    traceId: message.traceId,
    agentVersion: message.agentVersion,
    citations: message.citations,
    confidence: message.confidence,
    abstained: message.abstained,
    explanation: message.explanation,
  };
}

/** Tokens the model read and wrote for this turn (tool rounds included), as metered. */
function usageOf(message: MessageView): OpenAI.CompletionUsage {
  const prompt = message.usage?.inputTokens ?? 0;
  const completion = message.usage?.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** The fields every completion and chunk of one answer share; the fingerprint names the agent version. */
function envelope(answered: AnsweredCompletion): {
  id: string;
  created: number;
  model: string;
  system_fingerprint: string;
} {
  return {
    id: answered.completionId,
    created: unixSeconds(answered.message.createdAt),
    model: answered.turn.model,
    system_fingerprint: `alchemist-agent-v${String(answered.message.agentVersion ?? "unknown")}`,
  };
}

export function toChatCompletion(answered: AnsweredCompletion): AlchemistChatCompletion {
  return {
    ...envelope(answered),
    object: "chat.completion",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: answered.message.content, refusal: null },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: usageOf(answered.message),
    alchemist: alchemistOf(answered),
  };
}

/**
 * The content in word-sized pieces (a word and the whitespace after it; leading whitespace is a piece of
 * its own), so that joining them gives back exactly the content.
 */
export function wordChunks(content: string): string[] {
  return content.split(/(?<=\s)(?=\S)/).filter((piece) => piece.length > 0);
}

/**
 * OpenAI's chunk sequence for a checked answer: the role, the content word by word, the finish (with
 * the `alchemist` field), the usage when asked (OpenAI's `stream_options.include_usage`), then `[DONE]`.
 */
export function toChatCompletionChunks(answered: AnsweredCompletion): AlchemistChatCompletionChunk[] {
  const base = {
    ...envelope(answered),
    object: "chat.completion.chunk" as const,
    ...(answered.turn.includeUsage ? { usage: null } : {}),
  };
  const choice = (
    delta: OpenAI.ChatCompletionChunk.Choice.Delta,
    finish_reason: "stop" | null = null,
  ): OpenAI.ChatCompletionChunk.Choice => ({ index: 0, delta, logprobs: null, finish_reason });
  return [
    { ...base, choices: [choice({ role: "assistant", content: "" })] },
    ...wordChunks(answered.message.content).map((content) => ({ ...base, choices: [choice({ content })] })),
    { ...base, choices: [choice({}, "stop")], alchemist: alchemistOf(answered) },
    ...(answered.turn.includeUsage ? [{ ...base, choices: [], usage: usageOf(answered.message) }] : []),
  ];
}

async function createChatCompletion(deps: Deps, caller: Caller, body: unknown): Promise<ApiResponse> {
  const answered = await answerChatCompletion(deps, caller, body);
  if (!answered.turn.stream) return { status: 200, body: toChatCompletion(answered) };
  const chunks = toChatCompletionChunks(answered);
  return {
    status: 200,
    stream: async (send: SseSend) => {
      for (const chunk of chunks) send(chunk);
      send("[DONE]");
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------

/** Runs a handler and answers any error in OpenAI's envelope (the router would use the platform's). */
export async function inOpenAIEnvelope(path: string, work: () => Promise<ApiResponse>): Promise<ApiResponse> {
  try {
    return await work();
  } catch (e) {
    return openaiErrorResponse(e, path);
  }
}

export const tag = "OpenAI-compatible";

/** What a POST route of these APIs shares: its tag, permission, the agent its `model` names, a JSON body. */
export function openaiPost(path: string, bodyShape: string) {
  return {
    method: "POST" as const,
    path,
    tag,
    permission: "conversations.converse" as const,
    agentOf: ({ body }: { body: unknown }) => {
      const model = (body as { model?: unknown } | null)?.model;
      return typeof model === "string" ? model : undefined;
    },
    body: { kind: "json" as const, schema: z.unknown().describe(bodyShape) },
    raw: true,
  };
}

/**
 * The routes, for the REST API's route table. Bodies are declared permissive and validated by the
 * handlers, so that invalid requests are answered in OpenAI's envelope too. Authentication failures and
 * malformed JSON are still answered by the router, in the platform's envelope: it also has
 * `error.message` and `error.code`, which is what OpenAI's clients read.
 */
export const openaiRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/models",
    summary:
      "OpenAI-compatible: list the models, i.e. the published agents enabled on the openai-compatible channel",
    tag,
    permission: "conversations.converse",
    raw: true,
    handle: ({ deps, caller, request }) =>
      inOpenAIEnvelope(request.path, async () => ({
        status: 200,
        body: {
          object: "list",
          // A key scoped to one agent sees that agent only.
          data: (await listAgentModels(deps, caller.tenantId)).filter(
            (m) => !caller.agentId || m.id === caller.agentId,
          ),
        },
      })),
  }),
  route({
    method: "GET",
    path: "/v1/models/{model}",
    summary: "OpenAI-compatible: get one model (a published agent) by its agent id",
    tag,
    permission: "conversations.converse",
    params: z.object({ model: z.string() }),
    agentOf: ({ params }) => params.model,
    raw: true,
    handle: ({ deps, caller, params, request }) =>
      inOpenAIEnvelope(request.path, async () => {
        return { status: 200, body: await resolveAgentModel(deps, caller.tenantId, params.model) };
      }),
  }),
  route({
    ...openaiPost(
      "/v1/chat/completions",
      "An OpenAI chat completion request: {model, messages, stream?, stream_options?, user?, ...}",
    ),
    summary:
      "OpenAI-compatible chat completion with a published agent (model = agent id): a new conversation per " +
      "request, earlier user/assistant messages as its history, system and developer messages as caller " +
      "instructions placed under the agent's published ones (which win on conflict), sampling parameters " +
      "ignored (its configuration governs). The answer is OpenAI's " +
      "chat.completion plus an 'alchemist' field (citations, confidence, abstention, explanation, trace id). " +
      "With stream: true the checked answer streams as chat.completion.chunk events, then [DONE]",
    handle: ({ deps, caller, body, request }) =>
      inOpenAIEnvelope(request.path, () => createChatCompletion(deps, caller, body)),
  }),
];
