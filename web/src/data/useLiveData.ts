import { useCallback, useEffect, useMemo, useState } from "react";
import type { Watch } from "./live";
import { asRequestError, type PlatformRequestError } from "./platform";
import type { RemoteData } from "./useRemoteData";

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
