import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { authenticate, requireScope, type Authority } from "./auth.js";
import { type Bank } from "./bank.js";
import { readFormBody, readJsonBody, sendJson, sendProblem } from "./http.js";
import { BankProblem, problem, validationProblem } from "./problem.js";
import { matchRoute, type Route, type RouteRequest, type RouteResponse } from "./router.js";
import { bankRoutes } from "./routes.js";

// The HTTP server: match the route, authenticate and check the scope, read the body, run the handler, and turn
// any failure into problem+json. The order matters: an unknown path is a 404 before any credential is asked
// for, and a credential is checked before the query or the body is looked at.

export interface RequestLog {
  method: string;
  path: string;
  status: number;
  ms: number;
  customerId?: string;
  error?: string;
}

export interface BankServerOptions {
  bank: Bank;
  authority: Authority;
  log?: (entry: RequestLog) => void;
}

export function createBankServer(options: BankServerOptions): Server {
  const routes = bankRoutes(options.bank, options.authority);
  return createServer((request, response) => {
    void serve(routes, options, request, response);
  });
}

async function serve(
  routes: readonly Route[],
  options: BankServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const method = request.method ?? "GET";
  // The target is split by hand: `new URL("//host/x", base)` would read a host out of the path.
  const target = request.url ?? "/";
  const queryAt = target.indexOf("?");
  const path = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? "" : target.slice(queryAt + 1));
  let customerId: string | undefined;
  let failure: string | undefined;
  try {
    const match = matchRoute(routes, method, path);
    if (match.kind === "none") throw problem("not-found", `There is no ${path} here; see /openapi.json.`);
    if (match.kind === "wrong-method") {
      const allow = match.allow.join(", ");
      if (method === "OPTIONS") {
        response.writeHead(204, { Allow: allow });
        response.end();
        return;
      }
      throw problem("method-not-allowed", `${path} accepts ${allow}, not ${method}.`, {
        headers: { Allow: allow },
      });
    }
    const { route, params } = match;
    const principal = route.scope ? authenticate(options.authority, request.headers) : undefined;
    if (route.scope && principal) {
      customerId = principal.customerId;
      requireScope(principal, route.scope);
    }
    refuseUnexpectedQuery(route, query, path);
    const routeRequest: RouteRequest = {
      params,
      query,
      headers: request.headers,
      body: route.body === "json" ? await readJsonBody(request) : undefined,
      form: route.body === "form" ? await readFormBody(request) : new URLSearchParams(),
    };
    let result: RouteResponse;
    if (route.scope === undefined) result = route.handle(routeRequest);
    else if (principal) result = route.handle(routeRequest, principal);
    else throw new Error("a protected route ran without a principal");
    sendJson(response, result.status, result.body, result.headers);
  } catch (error) {
    const known = error instanceof BankProblem;
    failure = known ? error.kind : error instanceof Error ? (error.stack ?? error.message) : String(error);
    const reply = known ? error : problem("internal", "The service failed unexpectedly.");
    if (!response.headersSent) sendProblem(response, reply, path);
    else response.destroy();
  } finally {
    options.log?.({
      method,
      path,
      status: response.statusCode,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ...(customerId ? { customerId } : {}),
      ...(failure ? { error: failure } : {}),
    });
  }
}

// A misspelt or repeated filter is refused rather than ignored or half-applied.
function refuseUnexpectedQuery(route: Route, query: URLSearchParams, path: string): void {
  const allowed = route.query ?? [];
  const unknown = [...new Set(query.keys())].filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    throw validationProblem(
      unknown.map((name) => ({
        parameter: name,
        detail:
          allowed.length > 0
            ? `${name} is not a query parameter here; the parameters are ${allowed.join(", ")}.`
            : `${path} takes no query parameters.`,
      })),
    );
  }
  const repeated = allowed.filter((name) => query.getAll(name).length > 1);
  if (repeated.length > 0) {
    throw validationProblem(
      repeated.map((name) => ({ parameter: name, detail: `${name} is given more than once.` })),
    );
  }
}
