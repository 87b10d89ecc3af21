/**
 * Live listings over server-sent events: what the studio watches in local mode (documents moving through
 * ingestion, new conversations). The listing is computed by the route's own handler, so a snapshot is
 * exactly what a plain GET answers, under the same permission check; the store's change feed says when to
 * compute it again.
 *
 * A stream ends by itself after `maxStreamMs` (Cloud Functions cuts a request at its timeout, and a
 * long-lived stream would keep an instance busy); the client reconnects and gets a fresh snapshot. The
 * router checks the caller's credential again before each later snapshot, so a revoked key or a removed
 * member's stream ends (with an `error` event) at the next change.
 */
import type { Deps } from "../deps.js";
import { AppError } from "../errors.js";
import type { QuerySpec } from "../ports.js";
import type { SseSend } from "./http.js";

export interface LiveOptions {
  /** Changes closer together than this are answered with one snapshot. */
  readonly settleMs: number;
  /** A comment-like `ping` event this often keeps proxies from closing an idle stream. */
  readonly pingMs: number;
  readonly maxStreamMs: number;
}

export const liveDefaults: LiveOptions = { settleMs: 150, pingMs: 20_000, maxStreamMs: 240_000 };

/**
 * Streams one credential may hold open on one instance. The studio opens a handful per tab; a client
 * opening hundreds would hold connections and store listeners for minutes each.
 */
export const maxStreamsPerCredential = 16;

const openStreams = new Map<string, number>();

/**
 * Takes one of the credential's stream slots (`key`: tenant and uid), or refuses with 429 when all are in
 * use; the returned function gives it back and must be called exactly once, when the stream ends.
 */
export function reserveStream(key: string): () => void {
  const open = openStreams.get(key) ?? 0;
  if (open >= maxStreamsPerCredential) {
    throw new AppError(
      "resource-exhausted",
      `This credential already has ${open} live listings open (the limit is ${maxStreamsPerCredential}); close one, or read without 'Accept: text/event-stream'`,
      { retryAfterSeconds: 5 },
    );
  }
  openStreams.set(key, open + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (openStreams.get(key) ?? 1) - 1;
    if (left <= 0) openStreams.delete(key);
    else openStreams.set(key, left);
  };
}

/**
 * Sends `snapshot` events: `first` (what `load` answered when the request was checked, so a missing
 * listing is a plain 404 rather than a stream), then what `load` answers after each change to the documents `watched`
 * names (several changes in `settleMs` make one snapshot; an unchanged listing is not sent again), until
 * the client goes away or `maxStreamMs` passes.
 */
export async function streamSnapshots(
  deps: Deps,
  watched: QuerySpec,
  first: unknown,
  load: () => Promise<unknown>,
  send: SseSend,
  signal: AbortSignal,
  options: LiveOptions = liveDefaults,
): Promise<void> {
  let last = JSON.stringify(first);
  send(last, "snapshot");
  const sendSnapshot = async () => {
    const body = JSON.stringify(await load());
    if (body !== last && !signal.aborted) {
      last = body;
      send(body, "snapshot");
    }
  };

  await new Promise<void>((resolve, reject) => {
    let settle: ReturnType<typeof setTimeout> | undefined;
    let running: Promise<void> = Promise.resolve();
    const finish = (error?: unknown) => {
      clearTimeout(settle);
      clearInterval(ping);
      clearTimeout(deadline);
      unsubscribe();
      signal.removeEventListener("abort", onAbort);
      if (error === undefined) resolve();
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const onAbort = () => finish();
    const unsubscribe = deps.store.subscribe(
      watched,
      () => {
        // The first delivery is the current state: usually what was just sent (and then not sent again),
        // unless something changed in between.
        if (settle !== undefined) return;
        settle = setTimeout(() => {
          settle = undefined;
          running = running.then(sendSnapshot).catch(finish);
        }, options.settleMs);
      },
      (error) => finish(error),
    );
    const ping = setInterval(() => send({}, "ping"), options.pingMs);
    const deadline = setTimeout(() => finish(), options.maxStreamMs);
    if (signal.aborted) finish();
    else signal.addEventListener("abort", onAbort);
  });
}
