/**
 * `api`: the REST API (and `/health`) as one HTTPS function. Firebase Hosting rewrites `/v1/**`,
 * `/health`, `/webhooks/**`, `/widget/**` and `/mcp` to it; the local runtime serves it at its root.
 */
import type { Request } from "express";
import { onRequest } from "firebase-functions/v2/https";
import { getDeps } from "../platform/process-deps.js";
import { readsOwnBody } from "../platform/hosting.js";
import { log, withLogContext } from "../platform/log.js";
import {
  monitorOperatorToken,
  openaiApiKey,
  stripeSecretKey,
  stripeWebhookSecret,
} from "../platform/params.js";
import { requestIdFrom } from "../platform/ids.js";
import { toAppError } from "../platform/errors.js";
import { corsHeaders, preflightResponse } from "../platform/http/cors.js";
import {
  bufferedBody,
  sseFrame,
  streamedBody,
  type ApiRequest,
  type RequestBody,
} from "../platform/http/http.js";
import { Router } from "../platform/http/router.js";
import { routes } from "./api/routes.js";
import { admitRequest, authenticate } from "../identity/authenticate.js";

const router = new Router(routes, authenticate, admitRequest);

/** Sent with every answer: JSON is never to be sniffed into something a browser would run. */
const apiHeaders = { "x-content-type-options": "nosniff" };

/** Cloud Functions has read the body already; the local runtime hands over the stream (see hosting.ts). */
function bodyOf(req: Request & { rawBody?: Buffer }, headers: ApiRequest["headers"]): RequestBody {
  return req.rawBody !== undefined ? bufferedBody(req.rawBody) : streamedBody(req, headers);
}

export const api = readsOwnBody(
  onRequest(
    {
      secrets: [openaiApiKey, stripeSecretKey, stripeWebhookSecret, monitorOperatorToken],
      memory: "1GiB",
      timeoutSeconds: 300,
      concurrency: 80,
      cors: false,
    },
    async (req, res) => {
      const requestId = requestIdFrom(req.header("x-request-id"));
      await withLogContext({ requestId }, async () => {
        let body: RequestBody | undefined;
        try {
          const url = new URL(req.originalUrl || req.url, "http://localhost");
          const headers = Object.fromEntries(
            Object.entries(req.headers).map(([k, v]) => [
              k.toLowerCase(),
              Array.isArray(v) ? v.join(", ") : v,
            ]),
          );
          body = bodyOf(req, headers);
          const apiRequest: ApiRequest = {
            method: req.method,
            path: url.pathname,
            query: url.searchParams,
            headers,
            body,
            requestId,
            ip: req.ip,
          };
          const deps = await getDeps();
          const allowed = await router.allowedOrigins(deps, apiRequest);
          const response = preflightResponse(apiRequest, allowed) ?? (await router.handle(deps, apiRequest));
          res.status(response.status);
          res.set("x-request-id", requestId);
          for (const [k, v] of Object.entries({
            ...apiHeaders,
            ...corsHeaders(apiRequest, allowed),
            ...response.headers,
          }))
            res.set(k, v);
          // A body left unread (refused before it was needed) is not read now: the connection closes instead.
          if (!body.consumed) res.set("connection", "close");
          if (response.stream) {
            res.set({
              "content-type": "text/event-stream",
              "cache-control": "no-cache",
              connection: "keep-alive",
            });
            res.flushHeaders();
            const gone = new AbortController();
            res.on("close", () => gone.abort());
            try {
              await response.stream((data, event) => {
                if (!gone.signal.aborted) res.write(sseFrame(data, event));
              }, gone.signal);
            } catch (e) {
              const error = toAppError(e);
              if (error.status >= 500) log.error("stream failed", { err: e, path: apiRequest.path });
              res.write(sseFrame({ error: error.toJSON() }, "error"));
            }
            res.end();
          } else if (response.body === undefined) res.end();
          // A file (a document's original): sent as it is, with the content type the route set.
          else if (Buffer.isBuffer(response.body)) res.send(response.body);
          else res.json(response.body);
        } catch (e) {
          // The guard: whatever escaped (a bug, a failing dependency), this request gets a 500 with its id
          // and the instance keeps serving the others.
          log.error("request failed outside the router", { err: e, method: req.method, path: req.path });
          if (!res.headersSent) {
            res.status(500).set({ ...apiHeaders, "x-request-id": requestId });
            if (body && !body.consumed) res.set("connection", "close");
            res.json({
              error: { code: "internal", message: `An internal error occurred (request ${requestId})` },
            });
          } else res.end();
        }
      });
    },
  ),
);
