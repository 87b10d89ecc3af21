import { vi } from "vitest";

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** The refusal `fetch` gives when nothing listens on the port. */
export function connectionRefused(): Promise<Response> {
  return Promise.reject(new TypeError("fetch failed"));
}

/**
 * Replaces the browser's `fetch` (the real boundary of the studio) with `answer`, called with the request path.
 * Returns the mock, to change answers mid-test and to count calls.
 */
export function stubFetch(answer: (path: string) => Response | Promise<Response>) {
  const fetchMock = vi.fn((input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : String(input);
    return Promise.resolve().then(() => answer(new URL(url, window.location.origin).pathname));
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}
