/**
 * The platform's public widget API (`/widget/v1/{key}/…`), as the widget calls it from a customer's page:
 * no credentials, the end user named by headers, and every failure turned into one `WidgetError` whose
 * `kind` says what the visitor can do about it.
 */
import {
  isRecord,
  parseFeedback,
  parseWidgetConfig,
  parseWidgetMessage,
  type Rating,
  type WidgetConfig,
  type WidgetFeedback,
  type WidgetMessage,
} from "./messages";
import { readSseEvents } from "./sse";

export type FailureKind =
  /**
   * 403 (this site's origin is not allowed), 404 (unknown or deleted key), or either hidden by CORS (no
   * status): the site owner must act.
   */
  | "refused"
  /** 401: the site's user hash was not accepted. */
  | "unauthenticated"
  /** 429: wait `retryAfterSeconds`. */
  | "rate-limited"
  /** No answer at all: offline, DNS, or the connection dropped mid-answer. */
  | "network"
  /** 400/413: the question itself was refused (too long, empty). */
  | "invalid"
  /** 5xx, an `error` event, or an answer the widget cannot read. */
  | "failed";

export class WidgetError extends Error {
  override readonly name = "WidgetError";
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface Conversation {
  readonly conversationId: string | null;
  readonly messages: readonly WidgetMessage[];
}

export interface WidgetApi {
  config(): Promise<WidgetConfig>;
  conversation(signal?: AbortSignal): Promise<Conversation>;
  /**
   * Asks, streaming the model's text to `onDelta`; resolves with the checked answer. The same
   * `clientMessageId` on a retry makes the platform answer the question once, however often it arrives.
   */
  send(
    content: string,
    options: { clientMessageId: string; onDelta: (text: string) => void; signal?: AbortSignal },
  ): Promise<WidgetMessage>;
  /**
   * Confirms or cancels the write an answer asks for; resolves with the agent's answer about the result,
   * streamed like `send`'s.
   */
  decide(
    confirmationId: string,
    decision: "confirm" | "cancel",
    options: { onDelta: (text: string) => void; signal?: AbortSignal },
  ): Promise<WidgetMessage>;
  reset(): Promise<void>;
  /** Rates an answer of the visitor's conversation (`null` takes the rating back); resolves with what is kept. */
  rate(messageId: string, rating: Rating | null): Promise<WidgetFeedback | null>;
}

export interface WidgetApiOptions {
  /** "https://platform.example" (no trailing slash). */
  readonly apiOrigin: string;
  readonly key: string;
  /** The end user's headers, read on every call (identify() may change them). */
  readonly identity: () => Record<string, string>;
  readonly fetch?: typeof fetch;
}

/** Seconds from a Retry-After header: a number of seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function kindOfStatus(status: number): FailureKind {
  if (status === 403 || status === 404) return "refused";
  if (status === 401) return "unauthenticated";
  if (status === 429) return "rate-limited";
  if (status === 400 || status === 413) return "invalid";
  return "failed";
}

/** The platform's error envelope `{ error: { code, message } }` of a failed response, as a WidgetError. */
async function failureOf(response: Response): Promise<WidgetError> {
  let message = `The chat service answered ${response.status}.`;
  try {
    const body: unknown = await response.json();
    if (isRecord(body) && isRecord(body.error) && typeof body.error.message === "string")
      message = body.error.message;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new WidgetError(
    kindOfStatus(response.status),
    message,
    response.status,
    response.status === 429 ? retryAfterSeconds(response.headers.get("retry-after")) : undefined,
  );
}

const isAbort = (error: unknown) => error instanceof DOMException && error.name === "AbortError";

/** An `error` event's code as a failure kind: the stream may refuse for the same reasons a status does. */
function kindOfCode(code: unknown): FailureKind {
  if (code === "resource-exhausted") return "rate-limited";
  if (code === "permission-denied" || code === "not-found") return "refused";
  if (code === "unauthenticated") return "unauthenticated";
  if (code === "invalid-argument") return "invalid";
  return "failed";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function createWidgetApi(options: WidgetApiOptions): WidgetApi {
  const base = `${options.apiOrigin}/widget/v1/${encodeURIComponent(options.key)}`;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function request(
    path: string,
    init: { method?: string; body?: unknown; accept?: string; identified?: boolean; signal?: AbortSignal },
  ): Promise<Response> {
    // Accept alone keeps the config call a "simple" CORS request (no preflight); the rest need one anyway.
    const headers: Record<string, string> = {
      accept: init.accept ?? "application/json",
      ...(init.identified === false ? {} : options.identity()),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    };
    let response: Response;
    try {
      response = await doFetch(`${base}${path}`, {
        method: init.method ?? "GET",
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        credentials: "omit",
        mode: "cors",
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw (await refusedUnseen()) ?? new WidgetError("network", "The chat service could not be reached.");
    }
    if (!response.ok) throw await failureOf(response);
    return response;
  }

  /**
   * A fetch that failed is either the network, or the platform refusing this page: it answers a refused
   * origin (or an unknown key) without CORS headers, and the browser then hides even the status. A no-cors
   * request tells them apart: it succeeds, with an unreadable answer, whenever the server answered at all.
   */
  async function refusedUnseen(): Promise<WidgetError | undefined> {
    try {
      await doFetch(`${base}/config`, { method: "GET", mode: "no-cors", credentials: "omit" });
    } catch {
      return undefined;
    }
    return new WidgetError(
      "refused",
      "the platform answered but let this page read nothing (no CORS headers for this origin)",
    );
  }

  async function json(response: Response): Promise<unknown> {
    try {
      return (await response.json()) as unknown;
    } catch (error) {
      if (isAbort(error)) throw error;
      throw new WidgetError("failed", "The chat service sent an answer the widget cannot read.");
    }
  }

  const unreadable = () =>
    new WidgetError("failed", "The chat service sent an answer the widget cannot read.");

  return {
    async config() {
      const config = parseWidgetConfig(await json(await request("/config", { identified: false })));
      if (!config) throw unreadable();
      return config;
    },

    async conversation(signal) {
      const body = await json(await request("/conversation", signal ? { signal } : {}));
      if (!isRecord(body) || !Array.isArray(body.messages)) throw unreadable();
      return {
        conversationId: typeof body.conversationId === "string" ? body.conversationId : null,
        messages: body.messages.flatMap((m) => parseWidgetMessage(m) ?? []),
      };
    },

    send: (content, { clientMessageId, onDelta, signal }) =>
      turn("/messages", { content, clientMessageId }, onDelta, signal),

    decide: (confirmationId, decision, { onDelta, signal }) =>
      turn(`/confirmations/${encodeURIComponent(confirmationId)}`, { decision }, onDelta, signal),

    async reset() {
      await request("/reset", { method: "POST", body: {} });
    },

    async rate(messageId, rating) {
      const path = `/messages/${encodeURIComponent(messageId)}/feedback`;
      if (rating === null) {
        await request(path, { method: "DELETE" });
        return null;
      }
      const answer = await json(await request(path, { method: "PUT", body: { rating } }));
      const kept = isRecord(answer) ? parseFeedback(answer.feedback).feedback : undefined;
      if (!kept) throw unreadable();
      return kept;
    },
  };

  /** POSTs a turn's request and reads its answer, streamed or not. */
  async function turn(
    path: string,
    body: Record<string, unknown>,
    onDelta: (text: string) => void,
    signal: AbortSignal | undefined,
  ): Promise<WidgetMessage> {
    const response = await request(path, {
      method: "POST",
      body,
      accept: "text/event-stream",
      ...(signal ? { signal } : {}),
    });
    // A server (or proxy) that does not stream answers JSON: the same answer, all at once.
    if (!(response.headers.get("content-type") ?? "").includes("text/event-stream") || !response.body) {
      const answer = await json(response);
      const message = isRecord(answer) ? parseWidgetMessage(answer.message) : undefined;
      if (!message) throw unreadable();
      return message;
    }
    try {
      for await (const { event, data } of readSseEvents(response.body)) {
        const payload = parseJson(data);
        if (event === "delta" && isRecord(payload) && typeof payload.text === "string") {
          onDelta(payload.text);
        } else if (event === "message") {
          const message = isRecord(payload) ? parseWidgetMessage(payload.message) : undefined;
          if (!message) throw unreadable();
          return message;
        } else if (event === "error") {
          const error = isRecord(payload) && isRecord(payload.error) ? payload.error : {};
          throw new WidgetError(
            kindOfCode(error.code),
            typeof error.message === "string" ? error.message : "The agent could not answer.",
          );
        }
      }
    } catch (error) {
      if (error instanceof WidgetError || isAbort(error)) throw error;
      throw new WidgetError("network", "The connection dropped before the answer was complete.");
    }
    throw new WidgetError("network", "The connection dropped before the answer was complete.");
  }
}
