/**
 * Live data: a value the screen shows while it changes on the platform (a document moving through
 * parse → embed → index, a conversation that just got a message). A source offers it as a `Watch`: server-sent
 * events in local mode (rest/live.ts), a Firestore listener in Firebase mode. Pages read it with
 * `useLiveData`, which has the same shape as `useRemoteData`, so a page does not care how the value arrives.
 */
import type { PlatformRequestError } from "./platform";

export interface WatchListener<T> {
  /** The current value: first soon after watching starts, then after every change. */
  next(value: T): void;
  /** Watching failed; the watcher may keep trying and call `next` again. */
  error(error: PlatformRequestError): void;
}

/** Starts watching; answers the function that stops it. */
export type Watch<T> = (listener: WatchListener<T>) => () => void;

/** How long to wait before reconnecting after the n-th failure in a row (1 s, 2 s, 4 s… up to 30 s). */
export function reconnectDelayMs(failures: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
}
