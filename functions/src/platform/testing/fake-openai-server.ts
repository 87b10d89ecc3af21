/**
 * A small local server that speaks the parts of the OpenAI API the platform uses, so the real `openai`
 * SDK can be exercised without a network or a key: `/v1/chat/completions` (JSON and SSE streaming,
 * tool calls, usage), `/v1/embeddings` (deterministic vectors, `dimensions`, float and base64) and
 * `/v1/models`, and fine-tuning: `/v1/files` (upload, delete) and `/v1/fine_tuning/jobs` (create, retrieve,
 * cancel; a job moves validating_files → queued → running → succeeded, or failed, over a set number of
 * retrievals). Tests script the next replies (errors, malformed bodies, hangs, stalled streams) and
 * assert on the requests it recorded, i.e. on what the SDK actually sent. A `chat` policy can play a model
 * that decides from each request (which tool to call next, what to answer from the tools' results), for
 * flows whose requests a test cannot count in advance, such as a browser driving the studio.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fnv1a } from "../models/local-embedder.js";

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON, or undefined when empty. */
  readonly body: unknown;
}

export interface ScriptedToolCall {
  readonly id?: string;
  readonly name: string;
  /** Sent as is, so a test can make the model produce malformed JSON. */
  readonly arguments: string;
}

export type FakeReply =
  /** A chat answer (JSON, or SSE when the request asks to stream). */
  | {
      readonly kind: "answer";
      readonly content?: string;
      readonly toolCalls?: readonly ScriptedToolCall[];
      readonly finishReason?: string;
      /** `null` leaves usage out, as servers that ignore `stream_options` do. */
      readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number } | null;
      readonly model?: string;
    }
  /** Embeddings, optionally listed in reverse order or with a different vector length. */
  | { readonly kind: "embeddings"; readonly reversed?: boolean; readonly dimensions?: number }
  /** An API error in OpenAI's envelope. */
  | {
      readonly kind: "error";
      readonly status: number;
      readonly message?: string;
      readonly type?: string;
      readonly code?: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  /** Status 200 with a body that is not valid JSON. */
  | { readonly kind: "malformed" }
  /** Never answers (the connection stays open until the server closes). */
  | { readonly kind: "hang" }
  /** Streams: sends the headers and a first delta, then goes silent without closing. */
  | { readonly kind: "stall"; readonly content: string };

/** One message of a chat request, as the OpenAI API carries it. */
export interface FakeChatMessage {
  readonly role?: string;
  readonly content?: unknown;
  readonly tool_calls?: readonly {
    readonly id: string;
    readonly function: { readonly name: string; readonly arguments: string };
  }[];
  readonly tool_call_id?: string;
}

/** A chat request as the server received it: what a `chat` policy decides from. */
export interface FakeChatRequest {
  readonly model?: string;
  readonly messages?: readonly FakeChatMessage[];
  readonly tools?: readonly { readonly function: { readonly name: string } }[];
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
}

export interface FakeOpenAIServerOptions {
  /** The key the server accepts; a fixed test key when left out. */
  readonly apiKey?: string;
  /** Retrievals of a fine-tuning job before it finishes (default 3): queued, running, ..., then its outcome. */
  readonly fineTuningPolls?: number;
  /**
   * Plays the model when no scripted reply is queued: the reply for this request, or undefined for the
   * default echo answer.
   */
  readonly chat?: (request: FakeChatRequest) => FakeReply | undefined;
}

export interface FakeOpenAIServer {
  /** `http://127.0.0.1:<port>/v1`, the SDK's `baseURL`. */
  readonly baseURL: string;
  /** The key the server accepts; any other bearer token gets a 401. */
  readonly apiKey: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** The number of inputs of each embeddings request received (answered or not), in order. */
  readonly embeddingBatchSizes: number[];
  /** Replies for the next chat requests, used in order; afterwards the `chat` policy (or the echo) resumes. */
  replyToChat(...replies: FakeReply[]): void;
  /** Replies for the next embeddings requests; afterwards the default vectors resume. */
  replyToEmbeddings(...replies: FakeReply[]): void;
  /**
   * Replies (errors) for the next `/v1/audio/transcriptions` requests; by default a transcription is the
   * uploaded file's bytes read as UTF-8 (tests send the words as the "audio").
   */
  replyToTranscriptions(...replies: FakeReply[]): void;
  /**
   * Replies (errors, malformed bodies, hangs) for the next requests to `/v1/files...` and
   * `/v1/fine_tuning/...`, in order (`null`: serve that one normally); afterwards they are served normally.
   */
  replyToFineTuning(...replies: (FakeReply | null)[]): void;
  /** How the next fine-tuning jobs created end (default: succeeded); afterwards jobs succeed. */
  fineTuningOutcomes(...outcomes: ("succeeded" | "failed")[]): void;
  /** Files uploaded and not deleted, with their content as text. */
  readonly files: Map<string, FakeFile>;
  /** Fine-tuning jobs created, as the API last answered them. */
  readonly jobs: Map<string, FakeFineTuningJob>;
  /** Recorded requests to one path, e.g. `/v1/chat/completions`. */
  requestsTo(path: string): RecordedRequest[];
  /** Forgets recorded requests and unused scripted replies. */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_DEFAULT_EMBEDDING_DIMENSIONS = 1536;

export interface FakeFile {
  readonly id: string;
  readonly filename: string;
  readonly purpose: string;
  readonly content: string;
}

/** A fine-tuning job as OpenAI's API describes it (`fine_tuning.job`). */
export interface FakeFineTuningJob {
  readonly id: string;
  readonly object: "fine_tuning.job";
  readonly model: string;
  readonly status: "validating_files" | "queued" | "running" | "succeeded" | "failed" | "cancelled";
  readonly created_at: number;
  readonly finished_at: number | null;
  readonly fine_tuned_model: string | null;
  readonly trained_tokens: number | null;
  readonly error: { readonly code: string; readonly message: string; readonly param: string | null } | null;
  readonly training_file: string;
  readonly validation_file: string | null;
  readonly hyperparameters: Record<string, unknown>;
  readonly method: unknown;
  readonly result_files: string[];
  readonly seed: number;
  readonly organization_id: string;
  readonly suffix: string | null;
}

/**
 * The raw vector the server returns for a text: deterministic, and deliberately not unit length, so a
 * test can check that the client normalizes it.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  let state = fnv1a(text) || 1;
  const next = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: dimensions }, () => Math.fround((next() * 2 - 1) * 3));
}

const approxTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendError(res: http.ServerResponse, reply: Extract<FakeReply, { kind: "error" }>): void {
  sendJson(
    res,
    reply.status,
    {
      error: {
        message: reply.message ?? `Scripted error ${reply.status}`,
        type: reply.type ?? (reply.status >= 500 ? "server_error" : "invalid_request_error"),
        param: null,
        code: reply.code ?? null,
      },
    },
    { ...reply.headers },
  );
}

function lastUserText(body: FakeChatRequest): string {
  const users = (body.messages ?? []).filter((m) => m.role === "user");
  const content = users[users.length - 1]?.content;
  return typeof content === "string" ? content : "";
}

function pieces(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function answerChat(
  res: http.ServerResponse,
  body: FakeChatRequest,
  reply: Extract<FakeReply, { kind: "answer" }>,
): void {
  const model = reply.model ?? body.model ?? "fake-model";
  const content = reply.content ?? "";
  const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_fake_${i}`,
    name: c.name,
    arguments: c.arguments,
  }));
  const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
  const usage =
    reply.usage === null
      ? undefined
      : (reply.usage ?? {
          prompt_tokens: approxTokens(JSON.stringify(body.messages ?? [])),
          completion_tokens: approxTokens(content),
        });
  const totalUsage = usage && { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  const id = "chatcmpl-fake";
  const created = Math.floor(Date.now() / 1000);

  if (!body.stream) {
    sendJson(res, 200, {
      id,
      object: "chat.completion",
      created,
      model,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: toolCalls.length > 0 && content === "" ? null : content,
            refusal: null,
            ...(toolCalls.length > 0
              ? {
                  tool_calls: toolCalls.map((c) => ({
                    id: c.id,
                    type: "function",
                    function: { name: c.name, arguments: c.arguments },
                  })),
                }
              : {}),
          },
          finish_reason: finishReason,
          logprobs: null,
        },
      ],
      ...(totalUsage ? { usage: totalUsage } : {}),
    });
    return;
  }

  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const send = (delta: Record<string, unknown>, finish: string | null = null): void => {
    const chunk = {
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  };
  send({ role: "assistant", content: "" });
  for (const piece of pieces(content, 5)) send({ content: piece });
  toolCalls.forEach((c, index) => {
    send({ tool_calls: [{ index, id: c.id, type: "function", function: { name: c.name, arguments: "" } }] });
    for (const piece of pieces(c.arguments, 7))
      send({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  send({}, finishReason);
  if (body.stream_options?.include_usage && totalUsage) {
    res.write(
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [], usage: totalUsage })}\n\n`,
    );
  }
  res.write("data: [DONE]\n\n");
  res.end();
}

function stallChat(res: http.ServerResponse, body: FakeChatRequest, content: string): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const chunk = {
    id: "chatcmpl-fake",
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? "fake-model",
    choices: [{ index: 0, delta: { role: "assistant", content }, finish_reason: null }],
  };
  res.write(`data: ${JSON.stringify(chunk)}\n\n`);
}

interface EmbeddingsBody {
  model?: string;
  input?: unknown;
  dimensions?: number;
  encoding_format?: string;
}

function inputsOf(body: EmbeddingsBody): string[] {
  return typeof body.input === "string"
    ? [body.input]
    : Array.isArray(body.input)
      ? body.input.map(String)
      : [];
}

function answerEmbeddings(
  res: http.ServerResponse,
  body: EmbeddingsBody,
  reply: Extract<FakeReply, { kind: "embeddings" }> | undefined,
): void {
  const inputs = inputsOf(body);
  if (inputs.some((t) => t === "")) {
    sendError(res, {
      kind: "error",
      status: 400,
      message: "'$.input' is invalid. Please check the API reference.",
    });
    return;
  }
  const dimensions = reply?.dimensions ?? body.dimensions ?? FAKE_DEFAULT_EMBEDDING_DIMENSIONS;
  const data = inputs.map((text, index) => {
    const values = fakeEmbedding(text, dimensions);
    const embedding =
      body.encoding_format === "base64"
        ? Buffer.from(new Float32Array(values).buffer).toString("base64")
        : values;
    return { object: "embedding", index, embedding };
  });
  if (reply?.reversed) data.reverse();
  const tokens = inputs.reduce((n, t) => n + approxTokens(t), 0);
  sendJson(res, 200, {
    object: "list",
    data,
    model: body.model ?? "fake-embedding",
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** The parts of a multipart form the fake reads: text fields and one file. */
function multipartOf(form: string): {
  fields: Map<string, string>;
  file?: { name: string; content: string };
} {
  const fields = new Map<string, string>();
  for (const m of form.matchAll(/name="([^"]+)"\r\n\r\n([^\r]*)\r\n/g))
    fields.set(m[1] as string, m[2] as string);
  const file = /name="file"; filename="([^"]*)"\r\n(?:[A-Za-z-]+: [^\r]*\r\n)*\r\n([\s\S]*?)\r\n--/.exec(
    form,
  );
  return { fields, ...(file ? { file: { name: file[1] ?? "", content: file[2] ?? "" } } : {}) };
}

interface FineTuningState {
  readonly polls: number;
  readonly files: Map<string, FakeFile>;
  readonly jobs: Map<string, FakeFineTuningJob>;
  readonly retrievals: Map<string, number>;
  readonly outcomes: ("succeeded" | "failed")[];
  readonly outcomeOf: Map<string, "succeeded" | "failed">;
  readonly byIdempotencyKey: Map<string, string>;
  nextId: number;
}

/** Serves `/v1/files...` and `/v1/fine_tuning/jobs...`; false when the request is for neither. */
function answerFineTuning(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
  body: unknown,
  state: FineTuningState,
): boolean {
  const now = Math.floor(Date.now() / 1000);
  const notFound = (what: string) =>
    sendError(res, { kind: "error", status: 404, message: `No such ${what}`, code: "not_found" });
  const invalid = (message: string) => sendError(res, { kind: "error", status: 400, message });
  const method = req.method ?? "GET";

  if (method === "POST" && path === "/v1/files") {
    const { fields, file } = multipartOf(typeof body === "string" ? body : "");
    if (!file || !fields.get("purpose")) {
      invalid("file and purpose are required");
      return true;
    }
    const id = `file-fake${String(state.nextId++).padStart(6, "0")}`;
    const stored: FakeFile = {
      id,
      filename: file.name,
      purpose: fields.get("purpose") ?? "",
      content: file.content,
    };
    state.files.set(id, stored);
    sendJson(res, 200, {
      id,
      object: "file",
      bytes: Buffer.byteLength(file.content),
      created_at: now,
      filename: file.name,
      purpose: stored.purpose,
      status: "processed",
      expires_at: null,
      status_details: null,
    });
    return true;
  }
  const fileMatch = /^\/v1\/files\/([^/]+)$/.exec(path);
  if (fileMatch && method === "DELETE") {
    const id = decodeURIComponent(fileMatch[1] as string);
    if (!state.files.delete(id)) notFound("file");
    else sendJson(res, 200, { id, object: "file", deleted: true });
    return true;
  }

  if (method === "POST" && path === "/v1/fine_tuning/jobs") {
    const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const key = req.headers["idempotency-key"];
    const again = typeof key === "string" ? state.byIdempotencyKey.get(key) : undefined;
    if (again && state.jobs.has(again)) {
      sendJson(res, 200, state.jobs.get(again));
      return true;
    }
    if (typeof b.model !== "string" || b.model === "") {
      invalid("model is required");
      return true;
    }
    if (typeof b.training_file !== "string" || !state.files.has(b.training_file)) {
      {
        invalid(`invalid training_file: ${String(b.training_file)}`);
        return true;
      }
    }
    if (
      b.validation_file !== undefined &&
      (typeof b.validation_file !== "string" || !state.files.has(b.validation_file))
    ) {
      {
        invalid(`invalid validation_file: ${String(b.validation_file)}`);
        return true;
      }
    }
    const id = `ftjob-fake${String(state.nextId++).padStart(6, "0")}`;
    const supervised = (
      b.method as { supervised?: { hyperparameters?: Record<string, unknown> } } | undefined
    )?.supervised?.hyperparameters;
    const job: FakeFineTuningJob = {
      id,
      object: "fine_tuning.job",
      model: b.model,
      status: "validating_files",
      created_at: now,
      finished_at: null,
      fine_tuned_model: null,
      trained_tokens: null,
      error: null,
      training_file: b.training_file,
      validation_file: typeof b.validation_file === "string" ? b.validation_file : null,
      hyperparameters: {
        n_epochs: "auto",
        ...(supervised ?? (b.hyperparameters as object | undefined) ?? {}),
      },
      method: b.method ?? { type: "supervised" },
      result_files: [],
      seed: 42,
      organization_id: "org-fake",
      suffix: typeof b.suffix === "string" ? b.suffix : null,
    };
    state.jobs.set(id, job);
    state.outcomeOf.set(id, state.outcomes.shift() ?? "succeeded");
    if (typeof key === "string") state.byIdempotencyKey.set(key, id);
    sendJson(res, 200, job);
    return true;
  }
  const jobMatch = /^\/v1\/fine_tuning\/jobs\/([^/]+)(\/cancel)?$/.exec(path);
  if (!jobMatch) return false;
  const id = decodeURIComponent(jobMatch[1] as string);
  const job = state.jobs.get(id);
  if (!job) {
    notFound("fine-tuning job");
    return true;
  }
  const finished = job.status === "succeeded" || job.status === "failed" || job.status === "cancelled";
  if (jobMatch[2] && method === "POST") {
    if (finished) {
      invalid(`Job ${id} has already ${job.status}`);
      return true;
    }
    const cancelled: FakeFineTuningJob = { ...job, status: "cancelled", finished_at: now };
    state.jobs.set(id, cancelled);
    sendJson(res, 200, cancelled);
    return true;
  }
  if (jobMatch[2] || method !== "GET") return false;
  if (finished) {
    sendJson(res, 200, job);
    return true;
  }
  // Each retrieval moves the job on: queued, running..., then its outcome after `polls` retrievals.
  const polls = (state.retrievals.get(id) ?? 0) + 1;
  state.retrievals.set(id, polls);
  let next: FakeFineTuningJob;
  if (polls < state.polls) next = { ...job, status: polls === 1 ? "queued" : "running" };
  else if (state.outcomeOf.get(id) === "failed") {
    next = {
      ...job,
      status: "failed",
      finished_at: now,
      error: {
        code: "invalid_training_file",
        message: "The training file could not be used.",
        param: "training_file",
      },
    };
  } else {
    const lines = (state.files.get(job.training_file)?.content ?? "")
      .split("\n")
      .filter((l) => l.trim() !== "");
    next = {
      ...job,
      status: "succeeded",
      finished_at: now,
      fine_tuned_model: `ft:${job.model}:org-fake:${job.suffix ?? ""}:${id.slice(-6)}`,
      trained_tokens: lines.reduce((n, l) => n + approxTokens(l), 0) * 3,
    };
  }
  state.jobs.set(id, next);
  sendJson(res, 200, next);
  return true;
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startFakeOpenAIServer(
  options: FakeOpenAIServerOptions = {},
): Promise<FakeOpenAIServer> {
  const apiKey = options.apiKey ?? "sk-fake-test-key-0123456789";
  const requests: RecordedRequest[] = [];
  const embeddingBatchSizes: number[] = [];
  let chatScript: FakeReply[] = [];
  let embeddingsScript: FakeReply[] = [];
  let transcriptionScript: FakeReply[] = [];
  let fineTuningScript: (FakeReply | null)[] = [];
  const fineTuning: FineTuningState = {
    polls: Math.max(1, options.fineTuningPolls ?? 3),
    files: new Map(),
    jobs: new Map(),
    retrievals: new Map(),
    outcomes: [],
    outcomeOf: new Map(),
    byIdempotencyKey: new Map(),
    nextId: 1,
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      requests.push({ method: req.method ?? "GET", path, headers: req.headers, body });

      if (req.headers.authorization !== `Bearer ${apiKey}`) {
        // Like OpenAI, the message names the key it received: a client that forwards it leaks it.
        const received = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
        sendError(res, {
          kind: "error",
          status: 401,
          type: "invalid_request_error",
          code: "invalid_api_key",
          message: `Incorrect API key provided: ${received}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        });
        return;
      }

      if (req.method === "GET" && path === "/v1/models") {
        sendJson(res, 200, {
          object: "list",
          data: ["gpt-4o-mini", "text-embedding-3-small"].map((id) => ({
            id,
            object: "model",
            created: 0,
            owned_by: "fake",
          })),
        });
        return;
      }

      if (req.method === "POST" && path === "/v1/audio/transcriptions") {
        // The "audio" tests send is text: the words it stands for are its bytes, read as UTF-8.
        const form = typeof body === "string" ? body : "";
        const model = /name="model"\r\n\r\n([^\r]*)\r\n/.exec(form)?.[1];
        const file =
          /name="file"; filename="([^"]*)"\r\n(?:[A-Za-z-]+: [^\r]*\r\n)*\r\n([\s\S]*?)\r\n--/.exec(form);
        if (!model || !file) {
          sendError(res, { kind: "error", status: 400, message: "model and file are required" });
          return;
        }
        const reply = transcriptionScript.shift();
        if (reply?.kind === "error") return sendError(res, reply);
        sendJson(res, 200, { text: `${file[2] ?? ""}\n` });
        return;
      }

      if (path.startsWith("/v1/files") || path.startsWith("/v1/fine_tuning/")) {
        const scripted = fineTuningScript.shift();
        if (scripted?.kind === "hang") return;
        if (scripted?.kind === "error") return sendError(res, scripted);
        if (scripted?.kind === "malformed") {
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"id": "ftjob-fake", "object": ');
          return;
        }
        if (answerFineTuning(req, res, path, body, fineTuning)) return;
      }

      const isChat = req.method === "POST" && path === "/v1/chat/completions";
      const isEmbeddings = req.method === "POST" && path === "/v1/embeddings";
      if (!isChat && !isEmbeddings) {
        sendError(res, { kind: "error", status: 404, message: `Unknown route ${req.method} ${path}` });
        return;
      }
      const embeddings = (typeof body === "object" && body !== null ? body : {}) as EmbeddingsBody;
      if (isEmbeddings) embeddingBatchSizes.push(inputsOf(embeddings).length);
      const chat = (typeof body === "object" && body !== null ? body : {}) as FakeChatRequest;
      const reply = isChat ? (chatScript.shift() ?? options.chat?.(chat)) : embeddingsScript.shift();
      if (reply?.kind === "hang") return;
      if (reply?.kind === "error") return sendError(res, reply);
      if (reply?.kind === "malformed") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"id": "chatcmpl-fake", "object": "chat.completion", "choices": [');
        return;
      }
      if (isChat) {
        if (reply?.kind === "stall") return stallChat(res, chat, reply.content);
        const answer =
          reply?.kind === "answer"
            ? reply
            : { kind: "answer" as const, content: `Echo: ${lastUserText(chat)}` };
        return answerChat(res, chat, answer);
      }
      answerEmbeddings(res, embeddings, reply?.kind === "embeddings" ? reply : undefined);
    })().catch((e: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(e), type: "server_error" } });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    embeddingBatchSizes,
    replyToChat: (...replies) => void chatScript.push(...replies),
    replyToEmbeddings: (...replies) => void embeddingsScript.push(...replies),
    replyToTranscriptions: (...replies) => void transcriptionScript.push(...replies),
    replyToFineTuning: (...replies) => void fineTuningScript.push(...replies),
    fineTuningOutcomes: (...outcomes) => void fineTuning.outcomes.push(...outcomes),
    files: fineTuning.files,
    jobs: fineTuning.jobs,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    reset: () => {
      requests.length = 0;
      embeddingBatchSizes.length = 0;
      chatScript = [];
      embeddingsScript = [];
      transcriptionScript = [];
      fineTuningScript = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Hanging and stalled replies keep their sockets open; close them so the server can stop.
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
