/**
 * What an HTTPS function tells the host that serves it. Cloud Functions always reads a request's body
 * before the function runs (`req.rawBody`); the local runtime does the same for every function except one
 * marked `readsOwnBody`, which gets the unread stream and reads only what its route accepts, after routing
 * and authentication (the REST API: see platform/http/http.ts).
 */
const marker = Symbol.for("alchemist.readsOwnBody");

export function readsOwnBody<F extends object>(fn: F): F {
  Object.defineProperty(fn, marker, { value: true });
  return fn;
}

export const isReadingOwnBody = (fn: unknown): boolean =>
  typeof fn === "function" && (fn as unknown as Record<symbol, unknown>)[marker] === true;
