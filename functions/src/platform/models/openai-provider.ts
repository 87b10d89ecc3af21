/**
 * Chat and embeddings over any OpenAI-compatible endpoint through the official `openai` SDK: OpenAI,
 * Azure OpenAI's v1 endpoint, Ollama, vLLM, LM Studio, chosen by `baseURL`. The SDK is loaded with
 * `await import("openai")` on first use, so a function group that never calls a model never loads it.
 *
 * Provider failures become `AppError`s with the platform's codes. The API key never appears in an
 * error or a log line: messages for rejected keys are our own, and provider text is redacted.
 */
import type OpenAI from "openai";
import type { Config } from "../config.js";
import { AppError, type ErrorCode } from "../errors.js";
import { log } from "../log.js";
import type {
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  Embedder,
  FinishReason,
  ModelInfo,
  SpeechToText,
  ToolCall,
  ToolSpec,
} from "../ports.js";
import { renderGroundingPrompt } from "./grounding.js";

type OpenAIConfig = Config["openai"];
type Sdk = typeof import("openai");
type SdkMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type SdkTool = OpenAI.Chat.Completions.ChatCompletionFunctionTool;
type SdkChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type SdkCompletion = OpenAI.Chat.Completions.ChatCompletion;

export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";

export const baseURLOf = (cfg: OpenAIConfig): string => cfg.baseURL ?? DEFAULT_OPENAI_BASE_URL;

/** The base URL as shown to people: without credentials or query string, which may hold secrets. */
export function displayURL(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, "")}`;
  } catch {
    return "(invalid base URL)";
  }
}

// ---------------------------------------------------------------------------------------------------
// The SDK client, loaded on first use
// ---------------------------------------------------------------------------------------------------

export interface Connection {
  readonly sdk: Sdk;
  readonly client: OpenAI;
}

/** The SDK client for `cfg`, loaded on first use (also used by openai-fine-tuning.ts). */
export function connector(cfg: OpenAIConfig): () => Promise<Connection> {
  let pending: Promise<Connection> | undefined;
  return () => {
    pending ??= import("openai").then(
      (sdk) => ({
        sdk,
        client: new sdk.OpenAI({
          apiKey: cfg.apiKey,
          baseURL: baseURLOf(cfg),
          timeout: cfg.timeoutMs,
          maxRetries: cfg.maxRetries,
          // Settings come from our config module only, not from the SDK reading OPENAI_* variables itself.
          organization: null,
          project: null,
        }),
      }),
      (e: unknown) => {
        pending = undefined;
        log.error("the openai package could not be loaded", { err: e });
        throw new AppError("internal", "The model provider client could not be loaded.");
      },
    );
    return pending;
  };
}

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

/** Removes anything that looks like a key from provider text before it reaches a message or a log. */
export function redact(text: string, cfg: OpenAIConfig): string {
  let out = text;
  if (cfg.apiKey && cfg.apiKey.length >= 4) out = out.split(cfg.apiKey).join("[redacted]");
  return out
    .replace(/\b(?:sk|rk|pk)-[A-Za-z0-9_*.-]{6,}/g, "[redacted]")
    .replace(/\bBearer\s+\S+/gi, "Bearer [redacted]");
}

function providerMessage(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "message" in error) {
    const message = (error as { message: unknown }).message;
    if (typeof message === "string" && message.trim() !== "") return message;
  }
  return undefined;
}

export function toModelError(e: unknown, sdk: Sdk, cfg: OpenAIConfig, what: string): AppError {
  if (e instanceof AppError) return e;
  const where = displayURL(baseURLOf(cfg));
  let code: ErrorCode;
  let message: string;
  let status: number | undefined;
  const details: Record<string, unknown> = { provider: "openai-compatible", baseURL: where };

  if (e instanceof sdk.APIUserAbortError) {
    code = "cancelled";
    message = `The ${what} request was cancelled.`;
  } else if (e instanceof sdk.APIConnectionTimeoutError) {
    code = "deadline-exceeded";
    message = `The model provider at ${where} did not answer within ${cfg.timeoutMs} ms.`;
  } else if (e instanceof sdk.APIConnectionError) {
    code = "unavailable";
    message = `Could not reach the model provider at ${where}.`;
  } else if (e instanceof sdk.APIError) {
    status = e.status;
    const said = redact(providerMessage(e.error) ?? e.message, cfg);
    if (e.requestID) details.requestId = e.requestID;
    if (typeof e.code === "string") details.providerCode = e.code;
    if (status === 401 || status === 403) {
      // Our own words only: providers echo (part of) the rejected key in their message.
      code = "failed-precondition";
      message = `The model provider rejected the API key (HTTP ${status}). Check OPENAI_API_KEY and OPENAI_BASE_URL.`;
    } else if (status === 429) {
      code = "resource-exhausted";
      message = `The model provider's rate limit or quota was exceeded (HTTP 429, after ${cfg.maxRetries} retries): ${said}`;
    } else if (status === 408) {
      code = "deadline-exceeded";
      message = `The model provider timed out (HTTP 408): ${said}`;
    } else if (status === 404) {
      code = "failed-precondition";
      message = `The model provider does not know this model or endpoint (HTTP 404): ${said}`;
    } else if (status !== undefined && status >= 400 && status < 500) {
      code = "invalid-argument";
      message = `The model provider refused the request (HTTP ${status}): ${said}`;
    } else {
      // 5xx after the SDK's retries, or an error event inside a stream (no status).
      code = "unavailable";
      message =
        status === undefined
          ? `The model provider reported an error: ${said}`
          : `The model provider failed (HTTP ${status}): ${said}`;
    }
  } else if (e instanceof SyntaxError || e instanceof sdk.OpenAIError) {
    code = "unavailable";
    message = `The model provider at ${where} returned a response that could not be read.`;
  } else {
    log.error(`unexpected error during a ${what} request`, { err: e, provider: "openai-compatible" });
    return new AppError("internal", "An internal error occurred. It has been logged.");
  }
  if (status !== undefined) details.status = status;
  log.warn(`${what} request to the model provider failed`, { code, status, baseURL: where });
  return new AppError(code, message, details);
}

// ---------------------------------------------------------------------------------------------------
// Chat
// ---------------------------------------------------------------------------------------------------

function toSdkMessage(m: ChatMessage): SdkMessage {
  switch (m.role) {
    case "system":
      return { role: "system", content: m.content };
    case "user":
      return { role: "user", content: m.content };
    case "assistant":
      if (m.toolCalls && m.toolCalls.length > 0) {
        return {
          role: "assistant",
          content: m.content === "" ? null : m.content,
          tool_calls: m.toolCalls.map((c) => ({
            id: c.id,
            type: "function" as const,
            function: { name: c.name, arguments: c.arguments },
          })),
        };
      }
      return { role: "assistant", content: m.content };
    case "tool":
      return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
  }
}

/** The grounding passages go in one system message after the leading system messages (the agent's own). */
function toSdkMessages(request: ChatRequest): SdkMessage[] {
  const messages = request.messages.map(toSdkMessage);
  if (request.grounding) {
    const firstNonSystem = request.messages.findIndex((m) => m.role !== "system");
    const at = firstNonSystem === -1 ? messages.length : firstNonSystem;
    messages.splice(at, 0, { role: "system", content: renderGroundingPrompt(request.grounding.passages) });
  }
  return messages;
}

function toSdkTool(t: ToolSpec): SdkTool {
  return {
    type: "function",
    function: { name: t.name, description: t.description, parameters: { ...t.parameters } },
  };
}

/**
 * OpenAI's own endpoints (and Azure's) take `max_completion_tokens`, and reasoning models reject
 * `max_tokens`; most self-hosted servers only know `max_tokens`.
 */
function usesMaxCompletionTokens(cfg: OpenAIConfig): boolean {
  try {
    const host = new URL(baseURLOf(cfg)).hostname;
    return host === "api.openai.com" || host.endsWith(".openai.azure.com");
  } catch {
    return false;
  }
}

/** The request body sent to `/chat/completions` (without the streaming flags). */
export function toOpenAIChatParams(cfg: OpenAIConfig, request: ChatRequest): SdkChatParams {
  const params: SdkChatParams = { model: request.model ?? cfg.chatModel, messages: toSdkMessages(request) };
  if (request.tools && request.tools.length > 0) params.tools = request.tools.map(toSdkTool);
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.maxOutputTokens !== undefined) {
    if (usesMaxCompletionTokens(cfg)) params.max_completion_tokens = request.maxOutputTokens;
    else params.max_tokens = request.maxOutputTokens;
  }
  return params;
}

/** Some servers answer a tool call with finish reason "stop"; what the caller acts on is that tools were called. */
function finishReasonOf(reason: string | null | undefined, toolCalls: readonly ToolCall[]): FinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "content_filter":
      return "content_filter";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    default:
      return toolCalls.length > 0 ? "tool_calls" : "stop";
  }
}

/** Servers that ignore `stream_options.include_usage` report no usage; metering then gets an estimate (~4 chars a token). */
function estimatedUsage(
  request: ChatRequest,
  params: SdkChatParams,
  content: string,
  toolCalls: readonly ToolCall[],
): ChatResult["usage"] {
  const input = JSON.stringify(params.messages).length + JSON.stringify(params.tools ?? []).length;
  const output = content.length + toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  log.debug("model provider reported no token usage; using an estimate", {
    model: params.model,
    tools: request.tools?.length ?? 0,
  });
  return { inputTokens: Math.ceil(input / 4), outputTokens: Math.ceil(output / 4) };
}

function toChatResult(
  res: SdkCompletion,
  cfg: OpenAIConfig,
  request: ChatRequest,
  params: SdkChatParams,
): ChatResult {
  const choice = res.choices[0];
  if (!choice) throw new AppError("unavailable", "The model provider returned no answer (no choices).");
  const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).flatMap((c, i) =>
    c.type === "function"
      ? [{ id: c.id || `call_${i}`, name: c.function.name, arguments: c.function.arguments }]
      : [],
  );
  const content = choice.message.content ?? "";
  return {
    content,
    toolCalls,
    usage: res.usage
      ? { inputTokens: res.usage.prompt_tokens, outputTokens: res.usage.completion_tokens }
      : estimatedUsage(request, params, content, toolCalls),
    finishReason: finishReasonOf(choice.finish_reason, toolCalls),
    model: res.model || params.model,
  };
}

interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
}

export function openAIChatModel(cfg: OpenAIConfig): ChatModel {
  const connect = connector(cfg);
  const info: ModelInfo = {
    provider: "openai-compatible",
    model: cfg.chatModel,
    label: `OpenAI-compatible API (${cfg.chatModel} at ${displayURL(baseURLOf(cfg))})`,
  };

  async function complete(request: ChatRequest): Promise<ChatResult> {
    const { sdk, client } = await connect();
    const params = toOpenAIChatParams(cfg, request);
    try {
      const res = await client.chat.completions.create(params, { signal: request.signal ?? null });
      return toChatResult(res, cfg, request, params);
    } catch (e) {
      throw toModelError(e, sdk, cfg, "chat");
    }
  }

  async function* stream(request: ChatRequest): AsyncGenerator<ChatStreamEvent> {
    const { sdk, client } = await connect();
    const params = toOpenAIChatParams(cfg, request);
    // The SDK's timeout ends when the response headers arrive; a stream that then stalls is caught here.
    const controller = new AbortController();
    const cancel = (): void => controller.abort();
    if (request.signal?.aborted) controller.abort();
    request.signal?.addEventListener("abort", cancel, { once: true });
    let stalled = false;
    let idle: NodeJS.Timeout | undefined;
    const watch = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, cfg.timeoutMs);
    };
    let finished = false;
    try {
      const chunks = await client.chat.completions.create(
        { ...params, stream: true, stream_options: { include_usage: true } },
        { signal: controller.signal },
      );
      let content = "";
      let model = "";
      let finishReason: string | null | undefined;
      let usage: ChatResult["usage"] | undefined;
      const calls = new Map<number, PartialToolCall>();
      watch();
      // The SDK ends the iteration quietly when aborted, so the flags are checked after the loop.
      for await (const chunk of chunks) {
        clearTimeout(idle);
        if (chunk.model) model = chunk.model;
        if (chunk.usage)
          usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        for (const choice of chunk.choices) {
          if (choice.index !== 0) continue;
          if (choice.finish_reason) finishReason = choice.finish_reason;
          // Some compatible servers omit `delta` on their last chunk.
          (choice.delta?.tool_calls ?? []).forEach((delta, position) => {
            const index = delta.index ?? position;
            const call = calls.get(index) ?? { id: "", name: "", arguments: "" };
            if (delta.id) call.id = delta.id;
            if (delta.function?.name) call.name = delta.function.name;
            if (delta.function?.arguments) call.arguments += delta.function.arguments;
            calls.set(index, call);
          });
          const text = choice.delta?.content;
          if (text) {
            content += text;
            yield { type: "delta", text };
          }
        }
        watch();
      }
      clearTimeout(idle);
      if (stalled)
        throw new AppError(
          "deadline-exceeded",
          `The model provider stopped sending for ${cfg.timeoutMs} ms.`,
        );
      if (request.signal?.aborted) throw new AppError("cancelled", "The chat request was cancelled.");
      if (finishReason === undefined) {
        throw new AppError(
          "unavailable",
          "The model provider's stream ended before the answer was complete.",
        );
      }
      const toolCalls: ToolCall[] = [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, c]) => ({ id: c.id || `call_${index}`, name: c.name, arguments: c.arguments }));
      finished = true;
      yield {
        type: "done",
        result: {
          content,
          toolCalls,
          usage: usage ?? estimatedUsage(request, params, content, toolCalls),
          finishReason: finishReasonOf(finishReason, toolCalls),
          model: model || params.model,
        },
      };
    } catch (e) {
      if (stalled && !(e instanceof AppError)) {
        throw new AppError(
          "deadline-exceeded",
          `The model provider stopped sending for ${cfg.timeoutMs} ms.`,
        );
      }
      throw toModelError(e, sdk, cfg, "chat");
    } finally {
      clearTimeout(idle);
      request.signal?.removeEventListener("abort", cancel);
      // A consumer that stops early must not leave the provider's connection open.
      if (!finished) controller.abort();
    }
  }

  async function ping(): Promise<void> {
    const { sdk, client } = await connect();
    try {
      // Lists models: it proves the address, the key and the service without spending a token.
      await client.models.list();
    } catch (e) {
      throw toModelError(e, sdk, cfg, "chat");
    }
  }

  return { info, complete, stream, ping };
}

// ---------------------------------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------------------------------

/** OpenAI accepts up to 2048 inputs per request; smaller batches keep one failure's retry cheap. */
const EMBED_BATCH_SIZE = 256;
/**
 * OpenAI caps a request at 300k tokens. Tokens are estimated as UTF-8 bytes / 4 (≈ chars / 4 for English,
 * and safer for other scripts, which take more tokens per character), with a margin below the cap.
 */
const EMBED_REQUEST_TOKENS = 250_000;
const estimateTokens = (text: string): number => Math.ceil(Buffer.byteLength(text, "utf8") / 4);

/** Only the text-embedding-3 family can shorten its vectors; other models must natively match. */
const supportsDimensions = (model: string): boolean => /text-embedding-3/.test(model);

function batchesOf(indexes: readonly number[], texts: readonly string[]): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let tokens = 0;
  for (const i of indexes) {
    const t = estimateTokens(texts[i] ?? "");
    if (current.length > 0 && (current.length >= EMBED_BATCH_SIZE || tokens + t > EMBED_REQUEST_TOKENS)) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(i);
    tokens += t;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The vector of a text with nothing to embed (see local-embedder: a zero vector has no cosine). */
function fixedUnitVector(dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  v[0] = 1;
  return v;
}

function normalized(values: readonly number[], dimensions: number): number[] {
  const norm = Math.sqrt(values.reduce((sum, x) => sum + x * x, 0));
  return norm > 0 && Number.isFinite(norm) ? values.map((x) => x / norm) : fixedUnitVector(dimensions);
}

export function openAIEmbedder(cfg: OpenAIConfig, dimensions: number): Embedder {
  const connect = connector(cfg);
  const model = cfg.embeddingModel;
  return {
    info: {
      provider: "openai-compatible",
      model,
      dimensions,
      version: `${model}@${dimensions}`,
      label: `OpenAI-compatible API (${model} at ${displayURL(baseURLOf(cfg))})`,
    },
    maxBatchSize: EMBED_BATCH_SIZE,
    // Symmetric models: queries and documents are embedded alike, so `kind` is not sent.
    async embed(texts) {
      const out: number[][] = new Array<number[]>(texts.length);
      const pending: number[] = [];
      texts.forEach((text, i) => {
        // The API rejects empty input; an empty text has nothing to find anyway.
        if (text.trim() === "") out[i] = fixedUnitVector(dimensions);
        else pending.push(i);
      });
      if (pending.length === 0) return out;
      const { sdk, client } = await connect();
      for (const batch of batchesOf(pending, texts)) {
        let data: OpenAI.Embeddings.Embedding[];
        try {
          const res = await client.embeddings.create({
            model,
            input: batch.map((i) => texts[i] ?? ""),
            // Floats, not the SDK's default base64: not every compatible server speaks base64.
            encoding_format: "float",
            ...(supportsDimensions(model) ? { dimensions } : {}),
          });
          data = res.data;
        } catch (e) {
          throw toModelError(e, sdk, cfg, "embedding");
        }
        if (data.length !== batch.length) {
          throw new AppError(
            "unavailable",
            `The model provider returned ${data.length} embeddings for ${batch.length} texts.`,
          );
        }
        for (const item of data) {
          const target = batch[item.index];
          if (target === undefined) {
            throw new AppError(
              "unavailable",
              `The model provider returned an embedding for unknown input ${item.index}.`,
            );
          }
          if (item.embedding.length !== dimensions) {
            throw new AppError(
              "failed-precondition",
              `The embedding model ${model} returns ${item.embedding.length}-dimensional vectors, but EMBEDDING_DIMENSIONS is ${dimensions}.`,
            );
          }
          out[target] = normalized(item.embedding, dimensions);
        }
      }
      if (out.some((v) => v === undefined)) {
        throw new AppError("unavailable", "The model provider did not return an embedding for every text.");
      }
      return out;
    },
  };
}

/** A file name the speech API recognises for a type (it reads the format from the name's extension). */
function audioFileName(mimeType: string): string {
  const type = mimeType.split(";")[0]?.trim().toLowerCase() ?? "";
  const extension =
    {
      "audio/ogg": "ogg",
      "audio/opus": "ogg",
      "audio/mpeg": "mp3",
      "audio/mp4": "m4a",
      "audio/aac": "m4a",
      "audio/amr": "amr",
      "audio/wav": "wav",
      "audio/webm": "webm",
    }[type] ?? "ogg";
  return `voice.${extension}`;
}

/** Speech to text over the OpenAI-compatible API's `/audio/transcriptions` (whisper-1, gpt-4o-transcribe...). */
export function openAISpeechToText(cfg: OpenAIConfig, model: string): SpeechToText {
  const connect = connector(cfg);
  return {
    info: {
      provider: "openai-compatible",
      model,
      label: `OpenAI-compatible API (${model} at ${displayURL(baseURLOf(cfg))})`,
    },
    async transcribe(audio, mimeType) {
      const { sdk, client } = await connect();
      try {
        const file = await sdk.toFile(Buffer.from(audio), audioFileName(mimeType), { type: mimeType });
        const result = await client.audio.transcriptions.create({ model, file, response_format: "json" });
        return result.text.trim();
      } catch (e) {
        throw toModelError(e, sdk, cfg, "transcription");
      }
    },
  };
}
