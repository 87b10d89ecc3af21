/**
 * A small local server that speaks the parts of the OpenAI API the platform uses, so the real `openai`
 * SDK can be exercised without a network or a key: `/v1/chat/completions` (JSON and SSE streaming,
 * tool calls, usage), `/v1/embeddings` (deterministic vectors, `dimensions`, float and base64) and
 * `/v1/models`. Tests script the next replies (errors, malformed bodies, hangs, stalled streams) and
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
  /** Recorded requests to one path, e.g. `/v1/chat/completions`. */
  requestsTo(path: string): RecordedRequest[];
  /** Forgets recorded requests and unused scripted replies. */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_DEFAULT_EMBEDDING_DIMENSIONS = 1536;

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
    requestsTo: (path) => requests.filter((r) => r.path === path),
    reset: () => {
      requests.length = 0;
      embeddingBatchSizes.length = 0;
      chatScript = [];
      embeddingsScript = [];
      transcriptionScript = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Hanging and stalled replies keep their sockets open; close them so the server can stop.
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
