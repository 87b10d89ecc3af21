/**
 * The OpenAI Responses API (the Open Responses specification): `POST /v1/responses` and
 * `GET /v1/responses/{id}` for published agents enabled on the "openai-compatible" channel, so clients that
 * speak Responses by default (the `openai` SDK's `responses.create`, the Vercel AI SDK's `openai(model)`,
 * LangChain's `useResponsesApi`) reach agents unchanged.
 *
 * - A response is an answer of the Agent Engine: a request without `previous_response_id` starts a
 *   conversation (earlier messages in `input` are its history, as the client holds it); with one, it continues
 *   that response's stored conversation, which must not have moved on since (a second continuation of the same
 *   response is a 409: conversations do not branch).
 * - The id names the stored conversation and answer, so `GET /v1/responses/{id}` rebuilds the response from
 *   what the engine stored; only the credential that may read the conversation may read it.
 * - Accountability rides as in chat completions: an `alchemist` field on the response (citations, confidence,
 *   abstention, explanation, trace id), and each citation as a `file_citation` annotation on the text, at its
 *   marker.
 * - Streaming sends the checked answer (see compat.ts for why): the turn runs first, then the semantic events
 *   `response.created` … `response.output_text.delta` … `response.completed`, each with its
 *   `sequence_number`; an error before the stream opens is a real HTTP status.
 */
import type OpenAI from "openai";
import { z } from "zod";
import { getTrace } from "../../accountability/traces.js";
import { listMessages, openConversation, type MessageView } from "../../agents/conversations.js";
import { sendMessage } from "../../agents/turn.js";
import type { Caller } from "../../platform/caller.js";
import type { Deps } from "../../platform/deps.js";
import { isAppError, type AppError } from "../../platform/errors.js";
import { idPattern } from "../../platform/ids.js";
import type { ApiResponse, SseSend } from "../../platform/http/http.js";
import { route, type Route } from "../../platform/http/router.js";
import { firstTurn, inOpenAIEnvelope, openaiPost, resolveAgentModel, tag, wordChunks } from "./compat.js";
import { openaiError } from "./errors.js";
import type { AlchemistAnswer, AlchemistResponse, AlchemistResponseStreamEvent } from "./extension.js";
import { parseResponsesRequest, type HistoryEntry, type ResponsesTurn } from "./responses-request.js";

const channel = "openai-compatible";

// ---------------------------------------------------------------------------------------------------
// Ids
// ---------------------------------------------------------------------------------------------------

const encode = (prefix: string, conversationId: string, messageId: string): string =>
  `${prefix}_${Buffer.from(`${conversationId}/${messageId}`, "utf8").toString("base64url")}`;

/** A response's id: the conversation and the answer it is, opaque to clients. */
export function responseIdOf(conversationId: string, messageId: string): string {
  return encode("resp", conversationId, messageId);
}

/** The id of a response's message item: the same answer, so an `item_reference` to it can be resolved. */
export function messageItemIdOf(conversationId: string, messageId: string): string {
  return encode("msg", conversationId, messageId);
}

function notFound(id: string): AppError {
  const named = id.length > 128 ? `${id.slice(0, 128)}…` : id;
  return openaiError("not-found", `No response with id '${named}' was found`, {
    param: "response_id",
    code: "response_not_found",
  });
}

/** The conversation and answer an id of this API names (`resp_…` or `msg_…`); null when it made no such id. */
function decode(prefix: "resp" | "msg", id: string): { conversationId: string; messageId: string } | null {
  const match = new RegExp(`^${prefix}_([A-Za-z0-9_-]{1,400})$`).exec(id);
  const [conversationId, messageId, ...rest] = match
    ? Buffer.from(match[1] as string, "base64url")
        .toString("utf8")
        .split("/")
    : [];
  if (
    rest.length > 0 ||
    conversationId === undefined ||
    messageId === undefined ||
    !idPattern.test(conversationId) ||
    !idPattern.test(messageId) ||
    encode(prefix, conversationId, messageId) !== id
  ) {
    return null;
  }
  return { conversationId, messageId };
}

/** The conversation and answer a response id names; an id this API did not make is not found. */
export function parseResponseId(id: string): { conversationId: string; messageId: string } {
  const parsed = decode("resp", id);
  if (!parsed) throw notFound(id);
  return parsed;
}

// ---------------------------------------------------------------------------------------------------
// The response object
// ---------------------------------------------------------------------------------------------------

/** What a response is built from: a stored answer and the request that asked for it. */
export interface AnsweredResponse {
  readonly model: string;
  readonly conversationId: string;
  readonly message: MessageView;
  readonly previousResponseId: string | null;
  readonly endUserRef: string | null;
  /** What the turn ran with, from its trace: the agent's settings within the operator's caps. */
  readonly sampling: Sampling;
}

interface Sampling {
  readonly temperature: number;
  readonly maxOutputTokens: number | null;
}

/** A provider's default temperature, reported when the agent sets none (the provider then uses its own). */
const defaultTemperature = 1;

async function samplingOf(deps: Deps, tenantId: string, message: MessageView): Promise<Sampling> {
  const trace = message.traceId ? await getTrace(deps, tenantId, message.traceId).catch(() => null) : null;
  return {
    temperature: trace?.model.temperature ?? defaultTemperature,
    maxOutputTokens: trace?.model.maxOutputTokens ?? null,
  };
}

/**
 * The ResponseResource fields the Open Responses specification requires that the `openai` SDK's type leaves
 * out; this API never uses them, so they hold the values that say so.
 */
interface OpenResponsesFields {
  readonly store: boolean;
  readonly presence_penalty: number;
  readonly frequency_penalty: number;
  readonly top_logprobs: number;
  readonly max_tool_calls: number | null;
  /** Required but nullable in the specification (optional in the SDK's type). */
  readonly user: string | null;
  readonly safety_identifier: string | null;
  readonly prompt_cache_key: string | null;
  readonly usage: OpenAI.Responses.ResponseUsage | null;
}
export type ResponseResource = Omit<
  AlchemistResponse,
  "user" | "safety_identifier" | "prompt_cache_key" | "usage"
> &
  OpenResponsesFields;

const unixSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

function alchemistOf({ conversationId, message }: AnsweredResponse): AlchemistAnswer {
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

/** Each citation as a file annotation at its marker ("[1]") in the text; the document is the file. */
function annotationsOf(message: MessageView): OpenAI.Responses.ResponseOutputText.FileCitation[] {
  const seen = new Set<string>();
  return message.citations.flatMap((c) => {
    const key = `${c.ref}/${c.docId}`;
    if (seen.has(key)) return [];
    seen.add(key);
    const at = message.content.indexOf(`[${c.ref}]`);
    return [
      {
        type: "file_citation" as const,
        file_id: c.docId,
        filename: c.docName,
        index: at === -1 ? message.content.length : at,
      },
    ];
  });
}

function outputText(message: MessageView): OpenAI.Responses.ResponseOutputText {
  return { type: "output_text", text: message.content, annotations: annotationsOf(message), logprobs: [] };
}

function outputMessage(
  conversationId: string,
  message: MessageView,
  status: "in_progress" | "completed",
): OpenAI.Responses.ResponseOutputMessage {
  return {
    id: messageItemIdOf(conversationId, message.id),
    type: "message",
    role: "assistant",
    status,
    content: status === "completed" ? [outputText(message)] : [],
  };
}

function usageOf(message: MessageView): OpenAI.Responses.ResponseUsage {
  const input = message.usage?.inputTokens ?? 0;
  const output = message.usage?.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

/**
 * The ResponseResource (every field the Open Responses specification requires). Sampling fields are what the
 * turn ran with (the agent's published configuration governs, not the request); `instructions` is what the
 * caller sent (null: none).
 */
export function toResponse(
  answered: AnsweredResponse,
  status: "in_progress" | "completed" = "completed",
): ResponseResource {
  const { message } = answered;
  const done = status === "completed";
  return {
    id: responseIdOf(answered.conversationId, message.id),
    object: "response",
    created_at: unixSeconds(message.createdAt),
    completed_at: done ? unixSeconds(message.createdAt) : null,
    status,
    error: null,
    incomplete_details: null,
    instructions: message.callerInstructions ?? null,
    model: answered.model,
    output: done ? [outputMessage(answered.conversationId, message, "completed")] : [],
    output_text: done ? message.content : "",
    parallel_tool_calls: false,
    previous_response_id: answered.previousResponseId,
    max_output_tokens: answered.sampling.maxOutputTokens,
    max_tool_calls: null,
    temperature: answered.sampling.temperature,
    top_p: 1,
    presence_penalty: 0,
    frequency_penalty: 0,
    top_logprobs: 0,
    tool_choice: "none",
    tools: [],
    text: { format: { type: "text" } },
    truncation: "disabled",
    reasoning: null,
    store: true,
    background: false,
    service_tier: "default",
    metadata: {},
    user: answered.endUserRef,
    safety_identifier: answered.endUserRef,
    prompt_cache_key: null,
    usage: done ? usageOf(message) : null,
    alchemist: alchemistOf(answered),
  };
}

/** The streamed events as sent: the lifecycle ones carry the full ResponseResource. */
export type ResponseStreamEvent =
  | Exclude<
      AlchemistResponseStreamEvent,
      { type: "response.created" | "response.in_progress" | "response.completed" }
    >
  | {
      readonly type: "response.created" | "response.in_progress" | "response.completed";
      readonly response: ResponseResource;
      readonly sequence_number: number;
    };

/** An event before it is numbered (Omit, distributed over the union). */
type Unnumbered<T> = T extends unknown ? Omit<T, "sequence_number"> : never;

/** The semantic events of a checked answer, numbered; joining the deltas gives exactly the stored text. */
export function toResponseEvents(answered: AnsweredResponse): ResponseStreamEvent[] {
  const { message } = answered;
  const itemId = messageItemIdOf(answered.conversationId, message.id);
  const text = outputText(message);
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  const events: Unnumbered<ResponseStreamEvent>[] = [
    { type: "response.created", response: toResponse(answered, "in_progress") },
    { type: "response.in_progress", response: toResponse(answered, "in_progress") },
    {
      type: "response.output_item.added",
      output_index: 0,
      item: outputMessage(answered.conversationId, message, "in_progress"),
    },
    { type: "response.content_part.added", ...at, part: { ...text, text: "", annotations: [] } },
    ...wordChunks(message.content).map((delta) => ({
      type: "response.output_text.delta" as const,
      ...at,
      delta,
      logprobs: [],
    })),
    { type: "response.output_text.done", ...at, text: message.content, logprobs: [] },
    { type: "response.content_part.done", ...at, part: text },
    {
      type: "response.output_item.done",
      output_index: 0,
      item: outputMessage(answered.conversationId, message, "completed"),
    },
    { type: "response.completed", response: toResponse(answered) },
  ];
  return events.map((e, sequence_number) => ({ ...e, sequence_number }) as ResponseStreamEvent);
}

// ---------------------------------------------------------------------------------------------------
// Creating and reading responses
// ---------------------------------------------------------------------------------------------------

/** A conversation as the caller may use it; one it may not see is `missing()`, in this API's terms. */
function openOr(
  deps: Deps,
  caller: Caller,
  conversationId: string,
  purpose: "read" | "continue",
  missing: () => AppError,
) {
  return openConversation(deps, caller, conversationId, purpose).catch((e: unknown) => {
    throw isAppError(e) && e.code === "not-found" ? missing() : e;
  });
}

/** The conversation a `previous_response_id` continues, checked: the caller's, this model's, and the latest. */
async function continuation(
  deps: Deps,
  caller: Caller,
  turn: ResponsesTurn & { previousResponseId: string },
): Promise<{ conversationId: string; messageCount: number; endUserRef: string | null }> {
  const { conversationId, messageId } = parseResponseId(turn.previousResponseId);
  const invalidPrevious = (message: string) =>
    openaiError("invalid-argument", message, { param: "previous_response_id", code: "invalid_value" });
  const conversation = await openOr(deps, caller, conversationId, "continue", () =>
    notFound(turn.previousResponseId),
  );
  if (conversation.agentId !== turn.model) {
    throw invalidPrevious(
      `previous_response_id belongs to model '${conversation.agentId}', not '${turn.model}'; a conversation stays with its agent`,
    );
  }
  const messages = await listMessages(deps, caller.tenantId, conversationId);
  const previous = messages.find((m) => m.id === messageId);
  if (!previous || previous.role !== "assistant") throw notFound(turn.previousResponseId);
  const latest = messages.at(-1);
  if (latest?.id !== messageId) {
    throw openaiError(
      "aborted",
      "previous_response_id is not the latest response of its conversation: continue from the latest " +
        `(${latest ? responseIdOf(conversationId, latest.id) : "none"}), or start a new response without previous_response_id`,
      { param: "previous_response_id", code: "conversation_moved_on" },
    );
  }
  return { conversationId, messageCount: conversation.messageCount, endUserRef: conversation.endUserRef };
}

/**
 * The history with each `item_reference` replaced by the answer it names, which the caller must be able to
 * read; a reference this API did not make, or to someone else's answer, is a 400 naming the item.
 */
async function resolvedHistory(
  deps: Deps,
  caller: Caller,
  history: readonly HistoryEntry[],
): Promise<{ role: "user" | "assistant"; content: string }[]> {
  return Promise.all(
    history.map(async (entry) => {
      if (!("itemReference" in entry)) return entry;
      const unknown = () =>
        openaiError(
          "invalid-argument",
          `item_reference '${entry.itemReference.slice(0, 128)}' does not name an output item of a response you can read`,
          { param: entry.param, code: "invalid_value" },
        );
      const ref = decode("msg", entry.itemReference);
      if (!ref) throw unknown();
      const conversation = await openOr(deps, caller, ref.conversationId, "read", unknown);
      const message = (await listMessages(deps, caller.tenantId, conversation.id)).find(
        (m) => m.id === ref.messageId,
      );
      if (!message || message.role !== "assistant") throw unknown();
      return { role: "assistant" as const, content: message.content };
    }),
  );
}

export async function createResponse(deps: Deps, caller: Caller, body: unknown): Promise<AnsweredResponse> {
  const turn = parseResponsesRequest(body);
  await resolveAgentModel(deps, caller.tenantId, turn.model);
  const options = turn.callerInstructions ? { callerInstructions: turn.callerInstructions } : {};
  if (turn.previousResponseId !== undefined) {
    const previous = await continuation(deps, caller, {
      ...turn,
      previousResponseId: turn.previousResponseId,
    });
    const message = await sendMessage(
      deps,
      caller.tenantId,
      previous.conversationId,
      { content: turn.question },
      { ...options, expectMessageCount: previous.messageCount },
    );
    return {
      model: turn.model,
      conversationId: previous.conversationId,
      message,
      previousResponseId: turn.previousResponseId,
      endUserRef: previous.endUserRef,
      sampling: await samplingOf(deps, caller.tenantId, message),
    };
  }
  // References are resolved (and refused) before anything is written.
  const history = await resolvedHistory(deps, caller, turn.history);
  // The client's earlier messages are its history; the conversation then holds this turn, and continues
  // from it with previous_response_id.
  const { conversationId, message } = await firstTurn(deps, caller, turn.model, { ...turn, history });
  return {
    model: turn.model,
    conversationId,
    message,
    previousResponseId: null,
    endUserRef: turn.endUserRef ?? null,
    sampling: await samplingOf(deps, caller.tenantId, message),
  };
}

/** A stored response, rebuilt from its answer, for a caller who may read its conversation. */
export async function getResponse(deps: Deps, caller: Caller, id: string): Promise<AnsweredResponse> {
  const { conversationId, messageId } = parseResponseId(id);
  const conversation = await openOr(deps, caller, conversationId, "read", () => notFound(id));
  if (conversation.channel !== channel) throw notFound(id);
  const messages = await listMessages(deps, caller.tenantId, conversationId);
  const index = messages.findIndex((m) => m.id === messageId);
  const message = messages[index];
  if (!message || message.role !== "assistant") throw notFound(id);
  const previous = messages
    .slice(0, index)
    .reverse()
    .find((m) => m.role === "assistant");
  return {
    model: conversation.agentId,
    conversationId,
    message,
    previousResponseId: previous ? responseIdOf(conversationId, previous.id) : null,
    endUserRef: conversation.endUserRef,
    sampling: await samplingOf(deps, caller.tenantId, message),
  };
}

async function respond(deps: Deps, caller: Caller, body: unknown): Promise<ApiResponse> {
  const stream = (body as { stream?: unknown } | null)?.stream === true;
  const answered = await createResponse(deps, caller, body);
  if (!stream) return { status: 200, body: toResponse(answered) };
  const events = toResponseEvents(answered);
  return {
    status: 200,
    stream: async (send: SseSend) => {
      for (const event of events) send(event, event.type);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------

export const responsesRoutes: Route<unknown, unknown>[] = [
  route({
    ...openaiPost(
      "/v1/responses",
      "An OpenAI Responses request: {model, input, instructions?, previous_response_id?, stream?}",
    ),
    summary:
      "OpenAI Responses API (Open Responses) with a published agent (model = agent id): input as a string or " +
      "message items (user, assistant, system, developer; text only), instructions and system/developer " +
      "messages as caller instructions under the agent's own, previous_response_id to continue the same " +
      "conversation. Client function tools, images, structured formats, background mode and store: false are " +
      "refused with a 400. The response carries an 'alchemist' field (citations, confidence, abstention, " +
      "explanation, trace id) and file_citation annotations; with stream: true the checked answer streams as " +
      "the Responses API's semantic events",
    handle: ({ deps, caller, body, request }) =>
      inOpenAIEnvelope(request.path, () => respond(deps, caller, body)),
  }),
  route({
    method: "GET",
    path: "/v1/responses/{responseId}",
    summary: "OpenAI Responses API: get a response made with POST /v1/responses (the caller's own)",
    tag,
    permission: "conversations.converse",
    params: z.object({ responseId: z.string().max(600) }),
    raw: true,
    handle: ({ deps, caller, params, request }) =>
      inOpenAIEnvelope(request.path, async () => ({
        status: 200,
        body: toResponse(await getResponse(deps, caller, params.responseId)),
      })),
  }),
];
