/**
 * CORS for the API, answered by our code so both hosts behave the same and the allowed origins can come
 * from config at run time (`onRequest({ cors })` fixes them at deploy time). The API authenticates with
 * bearer tokens, never cookies, so credentials are not allowed cross-origin.
 *
 * An allowed origin gets `Access-Control-Allow-Origin` on every response and a 204 to its preflight; any
 * other origin gets no CORS headers (the browser keeps the response from the page) and a 403 preflight.
 */
import { AppError } from "../errors.js";
import { log } from "../log.js";
import { errorResponse, type ApiRequest, type ApiResponse } from "./http.js";

const allowMethods = "GET, POST, PATCH, PUT, DELETE";
/**
 * With MCP's request headers, so a browser-based MCP client from an allowed origin can reach /mcp, and the web
 * chat widget's end-user headers.
 */
const allowHeaders =
  "authorization, content-type, x-request-id, accept, mcp-protocol-version, mcp-method, mcp-name, mcp-session-id, last-event-id, x-widget-visitor, x-widget-user, x-widget-user-hash";
/** Beyond the CORS-safelisted ones, what a page may read: when to retry, and the id to quote to support. */
const exposeHeaders = "retry-after, x-request-id, www-authenticate, mcp-session-id";
/** How long a browser may reuse a preflight (Chrome caps it at 2 h). */
const maxAgeSeconds = 3600;

/** The `Access-Control-Allow-Origin` value for this request's origin, if it is allowed. */
function allowOriginFor(req: ApiRequest, allowed: readonly string[]): string | undefined {
  const origin = req.headers.origin;
  if (!origin) return undefined;
  if (allowed.includes("*")) return "*";
  // Browsers serialize an origin as lower-case `scheme://host[:port]`; config normalizes the list the same way.
  return allowed.includes(origin.toLowerCase()) ? origin : undefined;
}

const isPreflight = (req: ApiRequest): boolean =>
  req.method.toUpperCase() === "OPTIONS" &&
  req.headers.origin !== undefined &&
  req.headers["access-control-request-method"] !== undefined;

/** The CORS headers of an ordinary (non-preflight) response. */
export function corsHeaders(req: ApiRequest, allowed: readonly string[]): Record<string, string> {
  const origin = allowOriginFor(req, allowed);
  // The answer depends on Origin whether or not it is allowed: caches must not mix them up.
  if (!origin) return { vary: "Origin" };
  return {
    vary: "Origin",
    "access-control-allow-origin": origin,
    "access-control-expose-headers": exposeHeaders,
  };
}

/** The answer to a CORS preflight, or `undefined` when the request is not one. */
export function preflightResponse(req: ApiRequest, allowed: readonly string[]): ApiResponse | undefined {
  if (!isPreflight(req)) return undefined;
  const origin = allowOriginFor(req, allowed);
  if (!origin) {
    log.info("cors preflight refused", { origin: req.headers.origin, path: req.path });
    return errorResponse(
      new AppError("permission-denied", `Origin ${req.headers.origin} may not call this API from a browser`),
      { vary: "Origin" },
    );
  }
  return {
    status: 204,
    headers: {
      vary: "Origin",
      "access-control-allow-origin": origin,
      "access-control-allow-methods": allowMethods,
      "access-control-allow-headers": allowHeaders,
      "access-control-max-age": String(maxAgeSeconds),
    },
  };
}
