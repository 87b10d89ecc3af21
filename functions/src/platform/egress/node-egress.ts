/**
 * The Egress port over node:http and node:https (not the global fetch, which resolves and connects on
 * its own and buffers what it is sent). Per hop: the URL is vetted (destination.ts: form, allow-list,
 * every resolved address public), then the socket connects to that vetted address through a `lookup`
 * that can only return it, so a second DNS answer cannot rebind the request; the Host header and TLS
 * SNI keep the name. Redirects are followed by hand, each hop vetted again. The body is streamed and the
 * connection destroyed at the byte cap, and one deadline covers the whole exchange.
 *
 * Used in both modes: Cloud Functions and the local runtime make outbound requests the same way.
 */
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { AppError } from "../errors.js";
import type { Egress, EgressRequest, EgressResponse } from "../ports.js";
import { vetDestination, type Destination, type EgressPolicy, type Resolver } from "./destination.js";

export const defaultMaxBodyBytes = 1024 * 1024;
/** Hops followed before giving up; browsers allow 20, a tool has no reason to need more than a few. */
export const maxRedirects = 5;
/** Save-time checks wait this long for DNS; a request's own deadline covers its lookups. */
const checkTimeoutMs = 5000;

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** Headers the adapter owns: the framing, the host it vetted, and no compression it would have to undo. */
const ownedHeaders = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "accept-encoding",
]);

export const systemResolver: Resolver = async (host) => {
  const answers = await dns.promises.lookup(host, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface NodeEgressOptions {
  readonly policy: EgressPolicy;
  /** Tests inject DNS answers (a name public at save time and private at call time); default: the system's. */
  readonly resolve?: Resolver;
}

export function nodeEgress(options: NodeEgressOptions): Egress {
  const resolve = options.resolve ?? systemResolver;
  return {
    async check(url) {
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort(new AppError("unavailable", "DNS did not answer in time", { egress: "dns" })),
        checkTimeoutMs,
      );
      try {
        await abortable(vetDestination(url, options.policy, resolve), deadline.signal);
      } catch (e) {
        // A name that does not resolve now is no danger now; every request resolves and vets it again.
        const egress =
          e instanceof AppError ? (e.details as { egress?: string } | undefined)?.egress : undefined;
        if (egress === "unresolved" || egress === "dns") return;
        throw e;
      } finally {
        clearTimeout(timer);
      }
    },
    request: (request) => send(request, options.policy, resolve),
  };
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error as Error);
      },
    );
  });
}

async function send(
  request: EgressRequest,
  policy: EgressPolicy,
  resolve: Resolver,
): Promise<EgressResponse> {
  const maxBytes = request.maxBodyBytes ?? defaultMaxBodyBytes;
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new AppError("deadline-exceeded", `no complete answer within ${request.timeoutMs} ms`, {
          egress: "deadline",
        }),
      ),
    request.timeoutMs,
  );
  const cancel = () =>
    controller.abort(new AppError("cancelled", "the request was cancelled", { egress: "cancelled" }));
  if (request.signal?.aborted) cancel();
  else request.signal?.addEventListener("abort", cancel, { once: true });

  let url = request.url;
  let method: string = request.method;
  let body = request.body;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!ownedHeaders.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  try {
    let origin: string | undefined;
    for (let hop = 0; ; hop++) {
      const destination = await abortable(vetDestination(url, policy, resolve), controller.signal);
      // Credentials meant for one origin never follow a redirect to another.
      if (origin !== undefined && destination.url.origin !== origin) {
        delete headers.authorization;
        delete headers.cookie;
      }
      origin = destination.url.origin;
      const response = await exchange(destination, method, headers, body, maxBytes, controller.signal);
      const location = response.headers.location;
      if (!redirectStatuses.has(response.status) || location === undefined) return response;
      if (hop >= maxRedirects) {
        throw new AppError("unavailable", `it redirected more than ${maxRedirects} times`, {
          egress: "redirects",
        });
      }
      try {
        url = new URL(location, destination.url).href;
      } catch {
        throw new AppError("unavailable", `it redirected to an invalid URL (${location.slice(0, 200)})`, {
          egress: "redirects",
        });
      }
      // As browsers do: 303, and 301/302 after a POST, continue as a GET without the body.
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === "POST")
      ) {
        method = "GET";
        body = undefined;
        delete headers["content-type"];
      }
    }
  } catch (e) {
    // A socket destroyed by the deadline (or the caller) reports its own error; the reason is the abort.
    if (controller.signal.aborted && controller.signal.reason instanceof AppError)
      throw controller.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", cancel);
  }
}

/** A `lookup` that can only answer the vetted address: whatever DNS says now, the socket goes there. */
function pinnedLookup(destination: Destination): net.LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: destination.address, family: destination.family }]);
    else callback(null, destination.address, destination.family);
  };
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function networkError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? "";
  const message =
    code === "ECONNREFUSED"
      ? "the connection was refused"
      : code === "ECONNRESET"
        ? "the connection was reset before the answer was complete"
        : code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "ETIMEDOUT"
          ? `the host could not be reached (${code})`
          : code.startsWith("HPE_")
            ? `the answer is not valid HTTP (${code})`
            : /CERT|TLS|SSL/.test(code)
              ? `its TLS certificate was refused (${code})`
              : `the request failed (${code || (e as Error).message})`;
  return new AppError("unavailable", message, { egress: "network", code });
}

/** One request/response on a fresh connection to the vetted address; the body is read up to `maxBytes`. */
function exchange(
  destination: Destination,
  method: string,
  headers: Readonly<Record<string, string>>,
  body: string | Uint8Array | undefined,
  maxBytes: number,
  signal: AbortSignal,
): Promise<EgressResponse> {
  const { url, host } = destination;
  const payload =
    body === undefined ? undefined : typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body);
  const https_ = url.protocol === "https:";
  return new Promise<EgressResponse>((resolve, reject) => {
    let settled = false;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      done();
    };
    const req = (https_ ? https : http).request({
      method,
      host,
      port: destination.port,
      path: `${url.pathname}${url.search}`,
      headers: {
        "user-agent": "Alchemist",
        ...headers,
        "accept-encoding": "identity",
        connection: "close",
        ...(payload ? { "content-length": String(payload.length) } : {}),
      },
      // A user name and password in the URL are sent to that origin as Basic credentials, as curl does.
      ...(url.username || url.password
        ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }
        : {}),
      // No pooling: a kept-alive socket to another address must never carry this request.
      agent: false,
      lookup: pinnedLookup(destination),
      family: destination.family,
      ...(https_ && net.isIP(host) === 0 ? { servername: host } : {}),
      signal,
    });
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      const responseHeaders = flattenHeaders(res.headers);
      const answer = (bytes: Buffer, truncated: boolean): EgressResponse => ({
        status,
        headers: responseHeaders,
        body: bytes,
        truncated,
        url: url.href,
      });
      if (redirectStatuses.has(status) && responseHeaders.location !== undefined) {
        settle(() => resolve(answer(Buffer.alloc(0), false)));
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (settled) return;
        if (size + chunk.length <= maxBytes) {
          chunks.push(chunk);
          size += chunk.length;
          return;
        }
        const room = maxBytes - size;
        if (room > 0) chunks.push(chunk.subarray(0, room));
        size += Math.max(room, 0);
        settle(() => resolve(answer(Buffer.concat(chunks, size), true)));
        // Stop reading here: the rest is never buffered, by us or by the socket.
        res.destroy();
      });
      res.on("end", () => settle(() => resolve(answer(Buffer.concat(chunks, size), false))));
      res.on("close", () => {
        if (!res.complete)
          settle(() =>
            reject(signal.aborted ? (signal.reason as Error) : networkError({ code: "ECONNRESET" })),
          );
      });
      res.on("error", (e) =>
        settle(() => reject(signal.aborted ? (signal.reason as Error) : networkError(e))),
      );
    });
    req.on("error", (e) => settle(() => reject(signal.aborted ? (signal.reason as Error) : networkError(e))));
    req.end(payload);
  });
}
