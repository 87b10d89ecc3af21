/** Live data over the platform's REST API: a listing's snapshots as server-sent events (see live.ts). */
import { reconnectDelayMs, type Watch } from "../live";
import { asRequestError, isRecord, PlatformRequestError, sendPlatformRequest } from "../platform";
import { asSignedIn } from "../session";
import { readSseEvents } from "../sse";

/**
 * Watches a platform listing over server-sent events: `GET path` with `Accept: text/event-stream` answers a
 * `snapshot` event with the listing's JSON body now and after every change. A dropped stream reconnects with
 * backoff; a platform that answers plain JSON instead (no live support) is polled every `pollMs`.
 */
export function watchOverRest<T>(
  path: string,
  parse: (body: unknown) => T,
  options: { readonly pollMs?: number } = {},
): Watch<T> {
  const pollMs = options.pollMs ?? 5000;
  return (listener) => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;

    const deliver = (body: unknown): boolean => {
      try {
        listener.next(parse(body));
        return true;
      } catch (error) {
        listener.error(asRequestError(error));
        return false;
      }
    };

    const connect = async () => {
      let delay: number;
      try {
        const response = await asSignedIn(path, (token) =>
          sendPlatformRequest(path, { token, accept: "text/event-stream", signal: controller.signal }),
        );
        const type = response.headers.get("content-type") ?? "";
        if (!type.includes("text/event-stream") || !response.body) {
          // No live support: this answer is the listing; ask again later.
          if (deliver(await response.json())) failures = 0;
          delay = pollMs;
        } else {
          for await (const { event, data } of readSseEvents(response.body)) {
            if (event === "snapshot" && deliver(JSON.parse(data))) failures = 0;
            else if (event === "error") listener.error(streamError(path, data));
          }
          // The server ended the stream (a deploy, an idle timeout): reconnect soon.
          delay = reconnectDelayMs(++failures);
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        listener.error(asRequestError(error));
        // A refusal will not change by asking again at once (a 401 has already signed out).
        if (error instanceof PlatformRequestError && error.status !== undefined && error.status < 500) return;
        delay = reconnectDelayMs(++failures);
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void connect(), delay);
    };

    void connect();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  };
}

function streamError(path: string, data: string): PlatformRequestError {
  let message = "The live updates stopped with an error.";
  try {
    const payload = JSON.parse(data) as unknown;
    if (isRecord(payload) && isRecord(payload.error) && typeof payload.error.message === "string") {
      message = payload.error.message;
    }
  } catch {
    // Keep the generic sentence.
  }
  return new PlatformRequestError("http", path, message);
}
