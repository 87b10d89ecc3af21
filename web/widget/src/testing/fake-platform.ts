/**
 * The platform's widget API as the tests need it: a `fetch` that answers /widget/v1/{key}/… from handlers
 * and records every call (method, path, headers, body), plus responses the way the platform sends them.
 */
import type { WidgetMessage } from "../messages";

export interface RecordedCall {
  readonly method: string;
  readonly url: string;
  /** The route: "config", "conversation", "messages" or "reset". */
  readonly route: string;
  /** Header names lower-cased. */
  readonly headers: Record<string, string>;
  readonly body: unknown;
  /** "no-cors" for the widget's probe after a failed request; "cors" otherwise. */
  readonly mode: RequestMode | undefined;
}

type Handler = (call: RecordedCall) => Response | Promise<Response>;

export const widgetKey = "wk_9f8Jq2LmNp0RsTuVwXyZaBcDeFgHiJkL";
export const apiOrigin = "https://alchemist.example.com";

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export const errorBody = (code: string, message: string) => ({ error: { code, message } });

export const acmeConfig = {
  agentName: "Acme HR assistant",
  theme: {
    color: "#1f6feb",
    title: "Acme HR assistant",
    greeting: "Hi! Ask me anything about our documentation.",
    suggestedQuestions: ["How many vacation days do I get?", "When are the core hours?"],
    position: "bottom-right",
  },
  identityVerification: false,
};

export const vacationAnswer: WidgetMessage = {
  id: "msg-2",
  role: "assistant",
  content: "Full-time employees receive 25 vacation days per calendar year [1].",
  citations: [
    {
      ref: "1",
      docName: "employee-handbook.md",
      quote: "Full-time employees receive 25 vacation days per calendar year.",
      claim: "Full-time employees receive 25 vacation days per calendar year.",
    },
  ],
  confidence: 0.9,
  abstained: false,
  explanation: null,
  createdAt: "2026-03-02T10:00:05.000Z",
};

export const vacationQuestion: WidgetMessage = {
  id: "msg-1",
  role: "user",
  content: "How many vacation days do I get?",
  citations: [],
  confidence: null,
  abstained: false,
  explanation: null,
  createdAt: "2026-03-02T10:00:00.000Z",
};

export const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A streamed answer the test writes to frame by frame (`write`), then ends (`end`) or breaks (`fail`). */
export function answerStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
    fail: () => controller.error(new TypeError("network error")),
  };
}

/** A whole streamed answer: some deltas, then the checked message. */
export function streamedAnswer(
  message: WidgetMessage,
  deltas: readonly string[] = [message.content],
): Response {
  return new Response(
    deltas.map((text) => frame("delta", { text })).join("") +
      ": keep-alive\n\n" +
      frame("message", { message }),
    { status: 200, headers: { "content-type": "text/event-stream" } },
  );
}

/**
 * A handler for a route the browser refuses to let the page read (the platform sent no CORS headers): the
 * page's fetch fails as on a network error, but the widget's no-cors probe gets its (opaque) answer.
 */
export const hiddenByCors: Handler = (call) => {
  if (call.mode === "no-cors") return new Response(null, { status: 200 });
  throw new TypeError("Failed to fetch");
};

export function fakePlatform(handlers: Partial<Record<string, Handler>> = {}) {
  const calls: RecordedCall[] = [];
  /** While offline, every request fails as fetch fails without a network. */
  const network = { offline: false };
  const defaults: Record<string, Handler> = {
    config: () => json(200, acmeConfig),
    conversation: () => json(200, { conversationId: null, messages: [] }),
    messages: () => streamedAnswer(vacationAnswer),
    reset: () => json(200, { conversationId: null }),
  };
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    if (network.offline) throw new TypeError("Failed to fetch");
    const url = String(input);
    const prefix = `${apiOrigin}/widget/v1/${widgetKey}/`;
    if (!url.startsWith(prefix)) throw new TypeError(`unexpected request to ${url}`);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const call: RecordedCall = {
      method: init.method ?? "GET",
      url,
      route: url.slice(prefix.length),
      headers,
      body: typeof init.body === "string" ? (JSON.parse(init.body) as unknown) : undefined,
      mode: init.mode,
    };
    calls.push(call);
    const handler = handlers[call.route] ?? defaults[call.route];
    if (!handler) return json(404, errorBody("not-found", "No such route"));
    return handler(call);
  };
  return { fetch: fetch as typeof globalThis.fetch, calls, network };
}
