import { useCallback, useEffect, useState } from "react";
import { PlatformRequestError } from "./platform";

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
}

interface Snapshot<T> {
  readonly data: T | undefined;
  readonly error: PlatformRequestError | undefined;
  readonly pending: boolean;
  readonly updatedAt: Date | undefined;
}

/**
 * Loads one platform resource and, with `refreshMs`, keeps it fresh. Refreshes are chained (the next
 * waits for the previous answer) and skipped while the tab is hidden, then resumed when it shows again.
 * `load` must be stable (a module-level function): a new one starts over.
 */
export function useRemoteData<T>(
  load: (signal: AbortSignal) => Promise<T>,
  options: { readonly refreshMs?: number } = {},
): RemoteData<T> {
  const { refreshMs } = options;
  const [attempt, setAttempt] = useState(0);
  const [snapshot, setSnapshot] = useState<Snapshot<T>>({
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
      setSnapshot((s) => (s.pending ? s : { ...s, pending: true }));
      try {
        const data = await load(controller.signal);
        if (disposed) return;
        setSnapshot({ data, error: undefined, pending: false, updatedAt: new Date() });
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
  return { ...snapshot, retry };
}

function asRequestError(error: unknown): PlatformRequestError {
  if (error instanceof PlatformRequestError) return error;
  // A parser's complaint or a bug: still shown to the user as a failed request, never swallowed.
  const message = error instanceof Error ? error.message : String(error);
  return new PlatformRequestError("invalid-response", "", message);
}
