import { useCallback, useEffect, useMemo, useState } from "react";
import { asRequestError, type PlatformRequestError } from "./platform";

export interface RemoteData<T> {
  /** The latest good answer; kept while a refresh fails, so a screen can show it as stale. */
  readonly data: T | undefined;
  /** Why the latest request failed; cleared by the next success. */
  readonly error: PlatformRequestError | undefined;
  /** A request is in flight (the first load, a refresh or a retry). */
  readonly pending: boolean;
  /** When `data` arrived. */
  readonly updatedAt: Date | undefined;
  /** Asks again now and restarts the refresh timer. */
  readonly retry: () => void;
  /** Replaces the data with a fresher copy the screen already has (a mutation's answer), without a request. */
  readonly replace: (data: T) => void;
}

interface Snapshot<T> {
  /** The loader this snapshot came from: when a screen asks for something else, older data is not shown. */
  readonly load: unknown;
  readonly data: T | undefined;
  readonly error: PlatformRequestError | undefined;
  readonly pending: boolean;
  readonly updatedAt: Date | undefined;
}

/**
 * Loads one platform resource and, with `refreshMs`, keeps it fresh. Refreshes are chained (the next
 * waits for the previous answer) and skipped while the tab is hidden, then resumed when it shows again.
 * `load` must be stable (a module-level function, or memoized on what it reads): a new one starts over,
 * without showing the previous one's data.
 */
export function useRemoteData<T>(
  load: (signal: AbortSignal) => Promise<T>,
  options: { readonly refreshMs?: number } = {},
): RemoteData<T> {
  const { refreshMs } = options;
  const [attempt, setAttempt] = useState(0);
  const [snapshot, setSnapshot] = useState<Snapshot<T>>({
    load,
    data: undefined,
    error: undefined,
    pending: true,
    updatedAt: undefined,
  });

  useEffect(() => {
    let disposed = false;
    let controller: AbortController | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let dueWhileHidden = false;

    const request = async () => {
      controller = new AbortController();
      setSnapshot((s) =>
        s.load !== load
          ? { load, data: undefined, error: undefined, pending: true, updatedAt: undefined }
          : s.pending
            ? s
            : { ...s, pending: true },
      );
      try {
        const data = await load(controller.signal);
        if (disposed) return;
        setSnapshot({ load, data, error: undefined, pending: false, updatedAt: new Date() });
      } catch (error) {
        if (disposed) return;
        setSnapshot((s) => ({ ...s, error: asRequestError(error), pending: false }));
      }
      if (refreshMs !== undefined) timer = setTimeout(refresh, refreshMs);
    };
    const refresh = () => {
      if (document.visibilityState === "hidden") dueWhileHidden = true;
      else void request();
    };
    const onVisibilityChange = () => {
      if (document.visibilityState === "visible" && dueWhileHidden) {
        dueWhileHidden = false;
        void request();
      }
    };

    document.addEventListener("visibilitychange", onVisibilityChange);
    void request();
    return () => {
      disposed = true;
      controller?.abort();
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibilityChange);
    };
  }, [load, attempt, refreshMs]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const replace = useCallback(
    (data: T) => setSnapshot((s) => ({ ...s, data, error: undefined, updatedAt: new Date() })),
    [],
  );
  const stale = snapshot.load !== load;
  // One object per answer, so screens can memoize on it.
  return useMemo(() => {
    if (stale) {
      // The first render after `load` changed, before the effect above starts its request.
      return { data: undefined, error: undefined, pending: true, updatedAt: undefined, retry, replace };
    }
    const { load: _load, ...current } = snapshot;
    return { ...current, retry, replace };
  }, [stale, snapshot, retry, replace]);
}
