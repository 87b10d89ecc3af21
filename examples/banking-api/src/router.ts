import { type IncomingHttpHeaders } from "node:http";
import { type Principal, type Scope } from "./auth.js";
import { problem } from "./problem.js";

// Routes are data: a method, a path template in OpenAPI's own syntax ("/v1/accounts/{accountId}"), the query
// parameters it accepts, the scope it needs and the operationId the OpenAPI document names it by. The tests
// hold this table and the document to each other.

export type Method = "GET" | "POST";

export interface RouteRequest {
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, for routes that read one. */
  body: unknown;
  /** The form fields, for routes that read application/x-www-form-urlencoded. */
  form: URLSearchParams;
}

export interface RouteResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface RouteShape {
  method: Method;
  path: string;
  /** The query parameters the route accepts; any other is refused, so a misspelt filter is not ignored. */
  query?: readonly string[];
  body?: "json" | "form";
}

/** Outside the API proper: the OpenAPI document and the token endpoint. */
export interface PublicRoute extends RouteShape {
  operationId?: undefined;
  scope?: undefined;
  handle(request: RouteRequest): RouteResponse;
}

/** An API operation: authenticated, scoped, described in the OpenAPI document under its operationId. */
export interface ProtectedRoute extends RouteShape {
  operationId: string;
  scope: Scope;
  handle(request: RouteRequest, principal: Principal): RouteResponse;
}

export type Route = PublicRoute | ProtectedRoute;

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "wrong-method"; allow: string[] }
  | { kind: "none" };

/** Matches a raw (still percent-encoded) path; HEAD is served as GET. */
export function matchRoute(routes: readonly Route[], method: string, rawPath: string): RouteMatch {
  const allow = new Set<string>();
  for (const route of routes) {
    const params = matchPath(route.path, rawPath);
    if (!params) continue;
    if (route.method === method || (route.method === "GET" && method === "HEAD")) {
      return { kind: "found", route, params };
    }
    allow.add(route.method);
    if (route.method === "GET") allow.add("HEAD");
  }
  if (allow.size === 0) return { kind: "none" };
  return { kind: "wrong-method", allow: [...allow, "OPTIONS"] };
}

export function pathParam(request: RouteRequest, name: string): string {
  const value = request.params[name];
  if (value === undefined) throw problem("not-found", `The path has no ${name}.`);
  return value;
}

function matchPath(template: string, rawPath: string): Record<string, string> | undefined {
  const expected = template.split("/");
  const actual = rawPath.split("/");
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of expected.entries()) {
    const segment = actual[index] ?? "";
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (segment !== part) return undefined;
      continue;
    }
    if (segment === "") return undefined;
    try {
      params[name] = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  }
  return params;
}
