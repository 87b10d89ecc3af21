/**
 * Live data: a value the screen shows while it changes on the platform (a document moving through
 * parse → embed → index, a conversation that just got a message). A source offers it as a `Watch`; pages
 * read it with `useLiveData`, which has the same shape as `useRemoteData`, so a page does not care whether
 * the value arrives from server-sent events (local mode), a Firestore listener (Firebase mode) or a request.
 */
import { useCallback, useEffect, useMemo, useState } from "react";
import { asRequestError, isRecord, PlatformRequestError, sendPlatformRequest } from "./platform";
import { asSignedIn } from "./session";
import { readSseEvents } from "./sse";
import type { RemoteData } from "./useRemoteData";

export interface WatchListener<T> {
  /** The current value: first soon after watching starts, then after every change. */
  next(value: T): void;
  /** Watching failed; the watcher may keep trying and call `next` again. */
  error(error: PlatformRequestError): void;
}

/** Starts watching; answers the function that stops it. */
export type Watch<T> = (listener: WatchListener<T>) => () => void;

/**
 * Reads a live value. `watch` must be stable (memoized on what it reads): a new one starts over without
 * showing the previous one's value.
 */
export function useLiveData<T>(watch: Watch<T>): RemoteData<T> {
  const [attempt, setAttempt] = useState(0);
  const [snapshot, setSnapshot] = useState<{
    readonly watch: Watch<T>;
    readonly data: T | undefined;
    readonly error: PlatformRequestError | undefined;
    readonly updatedAt: Date | undefined;
  }>({ watch, data: undefined, error: undefined, updatedAt: undefined });

  useEffect(() => {
    let disposed = false;
    const stop = watch({
      next: (data) => {
        if (!disposed) setSnapshot({ watch, data, error: undefined, updatedAt: new Date() });
      },
      error: (error) => {
        if (disposed) return;
        const failure = asRequestError(error);
        setSnapshot((s) =>
          s.watch === watch
            ? { ...s, error: failure }
            : { watch, data: undefined, error: failure, updatedAt: undefined },
        );
      },
    });
    return () => {
      disposed = true;
      stop();
    };
  }, [watch, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const replace = useCallback(
    (data: T) => setSnapshot((s) => ({ ...s, data, error: undefined, updatedAt: new Date() })),
    [],
  );
  const stale = snapshot.watch !== watch;
  return useMemo(() => {
    if (stale) {
      return { data: undefined, error: undefined, pending: true, updatedAt: undefined, retry, replace };
    }
    const pending = snapshot.data === undefined && snapshot.error === undefined;
    return {
      data: snapshot.data,
      error: snapshot.error,
      pending,
      updatedAt: snapshot.updatedAt,
      retry,
      replace,
    };
  }, [stale, snapshot, retry, replace]);
}

/** How long to wait before reconnecting after the n-th failure in a row (1 s, 2 s, 4 s… up to 30 s). */
export function reconnectDelayMs(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}

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
