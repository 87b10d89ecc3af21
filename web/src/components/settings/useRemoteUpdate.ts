import { useCallback, useEffect, useRef } from "react";
import type { RemoteData } from "../../data/useRemoteData";

/**
 * Applies a change the platform confirmed (a member's new role, a revoked key) to the data on screen,
 * without asking again. Changes apply to the latest data, so two answers arriving close together both stay.
 */
export function useRemoteUpdate<T>(remote: RemoteData<T>): (change: (data: T) => T) => void {
  const latest = useRef(remote.data);
  useEffect(() => {
    latest.current = remote.data;
  });
  const { replace } = remote;
  return useCallback(
    (change: (data: T) => T) => {
      if (latest.current === undefined) return;
      const next = change(latest.current);
      latest.current = next;
      replace(next);
    },
    [replace],
  );
}
