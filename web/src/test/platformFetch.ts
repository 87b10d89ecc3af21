import { vi } from "vitest";

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** The platform's error envelope, as its router answers a refused request. */
export function errorResponse(status: number, code: string, message: string, details?: unknown): Response {
  return jsonResponse({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status);
}

/** The refusal `fetch` gives when nothing listens on the port. */
export function connectionRefused(): Promise<Response> {
  return Promise.reject(new TypeError("fetch failed"));
}

/** One request the studio sent, as the platform would see it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body, if any. */
  readonly body: unknown;
  readonly authorization: string | undefined;
}

function record(input: RequestInfo | URL, init: RequestInit | undefined): RecordedRequest {
  const url = new URL(input instanceof Request ? input.url : String(input), window.location.origin);
  const headers = new Headers(init?.headers);
  return {
    method: (init?.method ?? "GET").toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    body: typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined,
    authorization: headers.get("Authorization") ?? undefined,
  };
}

/**
 * Replaces the browser's `fetch` (the real boundary of the studio) with `answer`, called with the request path
 * and the whole request. Returns the mock, to change answers mid-test and to count calls.
 */
export function stubFetch(answer: (path: string, request: RecordedRequest) => Response | Promise<Response>) {
  const fetchMock = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    const request = record(input, init);
    return Promise.resolve().then(() => answer(request.path, request));
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

export type PlatformRoute = (request: RecordedRequest) => Response | Promise<Response>;

/**
 * A fake platform from a table of routes keyed `"METHOD /path"`; anything else gets the router's 404. Returns
 * every request it received, in order, and the table, to change an answer mid-test.
 */
export function stubPlatform(routes: Record<string, PlatformRoute>) {
  const requests: RecordedRequest[] = [];
  const fetchMock = stubFetch((path, request) => {
    requests.push(request);
    const route = routes[`${request.method} ${path}`];
    return route ? route(request) : errorResponse(404, "not-found", `No route for ${request.method} ${path}`);
  });
  /** The requests sent to one route. */
  const sent = (methodAndPath: string) => requests.filter((r) => `${r.method} ${r.path}` === methodAndPath);
  return { fetchMock, requests, routes, sent };
}

/** A response that arrives only when the test says so, to see a screen while it waits. */
export function deferredResponse() {
  let resolve: (response: Response) => void = () => undefined;
  const promise = new Promise<Response>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A server-sent events response the test writes to as it goes: `send("snapshot", body)` delivers one event,
 * `close()` ends the stream (as a server or proxy would). What the platform answers a watched listing.
 */
export function eventStreamResponse() {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const response = new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
  return {
    response,
    send(event: string, data: unknown) {
      controller?.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    },
    close() {
      controller?.close();
    },
  };
}
