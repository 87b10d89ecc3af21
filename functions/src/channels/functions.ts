/**
 * `api`: the REST API (and `/health`) as one HTTPS function. Firebase Hosting rewrites `/v1/**`,
 * `/health` and `/webhooks/**` to it; the local runtime serves it at its root.
 */
import { onRequest } from "firebase-functions/v2/https";
import { getDeps } from "../platform/deps.js";
import { log, withLogContext } from "../platform/log.js";
import { openaiApiKey } from "../platform/params.js";
import { randomIds } from "../platform/ids.js";
import { toAppError } from "../platform/errors.js";
import { corsHeaders, preflightResponse } from "./api/cors.js";
import { sseFrame, type ApiRequest } from "./api/http.js";
import { Router } from "./api/router.js";
import { routes } from "./api/routes.js";

const router = new Router(routes);

export const api = onRequest(
  { secrets: [openaiApiKey], memory: "1GiB", timeoutSeconds: 300, concurrency: 80, cors: false },
  async (req, res) => {
    const incoming = req.header("x-request-id");
    const requestId = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomIds.newId();
    const url = new URL(req.originalUrl || req.url, "http://localhost");
    const apiRequest: ApiRequest = {
      method: req.method,
      path: url.pathname,
      query: url.searchParams,
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(", ") : v]),
      ),
      rawBody: req.rawBody,
      requestId,
      ip: req.ip,
    };
    await withLogContext({ requestId }, async () => {
      const deps = await getDeps();
      const allowed = deps.config.allowedOrigins;
      const response = preflightResponse(apiRequest, allowed) ?? (await router.handle(deps, apiRequest));
      res.status(response.status);
      res.set("x-request-id", requestId);
      for (const [k, v] of Object.entries({ ...corsHeaders(apiRequest, allowed), ...response.headers }))
        res.set(k, v);
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
      else res.json(response.body);
    });
  },
);
