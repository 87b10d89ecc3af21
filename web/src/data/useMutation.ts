import { useCallback, useMemo, useRef, useState } from "react";
import { asRequestError, type PlatformRequestError } from "./platform";

/**
 * The changes one part of a screen asks of the platform (a dialog's "Revoke", the builder's save, publish and
 * rollback), as the screen shows them: which one is on its way, why each last failed, and what the last one
 * to succeed did, for the screen's `role="status"` line. The counterpart of `useRemoteData` for writes.
 */
export interface Mutation<Action extends string> {
  /** The change on its way; at most one at a time. */
  readonly busy: Action | undefined;
  /** Why `action` last failed; cleared when it runs again, or by `dismiss`. */
  error(action: Action): PlatformRequestError | undefined;
  /** What the last change announced (its `run` answered a sentence), or `announce` said. */
  readonly announcement: string;
  /**
   * Runs `change` as `action`, unless a change is already on its way. A sentence it answers is announced;
   * what it throws becomes `error(action)`, unless `options.onFailure` shows it elsewhere (under a field) and
   * answers `true`. Answers whether the change ran and succeeded.
   */
  run(action: Action, change: () => Promise<string | void>, options?: RunOptions): Promise<boolean>;
  /** Forgets why `action` failed: its dialog opens again, its form is edited. */
  dismiss(action: Action): void;
  /** Says something on the status line, for a change that does not go through `run` (or to clear it). */
  announce(text: string): void;
}

export interface RunOptions {
  /** Sees the failure first; answers `true` when the screen showed it itself, so `error` stays clear. */
  readonly onFailure?: (error: PlatformRequestError) => boolean | void;
}

export function useMutation<Action extends string>(): Mutation<Action> {
  const [busy, setBusy] = useState<Action | undefined>(undefined);
  const [errors, setErrors] = useState<Partial<Record<Action, PlatformRequestError>>>({});
  const [announcement, setAnnouncement] = useState("");
  // The guard reads a ref: two clicks before a render must not send the change twice.
  const running = useRef(false);

  const dismiss = useCallback((action: Action) => {
    setErrors((current) => {
      if (current[action] === undefined) return current;
      const { [action]: _forgotten, ...rest } = current;
      return rest as Partial<Record<Action, PlatformRequestError>>;
    });
  }, []);

  const run = useCallback(
    async (action: Action, change: () => Promise<string | void>, options: RunOptions = {}) => {
      if (running.current) return false;
      running.current = true;
      setBusy(action);
      dismiss(action);
      try {
        const said = await change();
        if (typeof said === "string") setAnnouncement(said);
        return true;
      } catch (e) {
        const error = asRequestError(e);
        if (options.onFailure?.(error) !== true) setErrors((current) => ({ ...current, [action]: error }));
        return false;
      } finally {
        running.current = false;
        setBusy(undefined);
      }
    },
    [dismiss],
  );

  const error = useCallback((action: Action) => errors[action], [errors]);
  return useMemo(
    () => ({ busy, error, announcement, run, dismiss, announce: setAnnouncement }),
    [busy, error, announcement, run, dismiss],
  );
}
