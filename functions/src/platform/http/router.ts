/**
 * A small router over a table of routes. Each route declares its method, path, permission and the zod
 * schemas of its parameters and body; the same table validates requests and generates the OpenAPI
 * document, so the docs cannot drift from what the API accepts.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { type Caller } from "../caller.js";
import type { Deps } from "../deps.js";
import type { QuerySpec } from "../ports.js";
import { AppError, toAppError } from "../errors.js";
import { log } from "../log.js";
import { metricsOf } from "../metrics/recorder.js";
import { consume, consumeUploadBytes, limitPublic, retryAfterOf, uploadCost } from "../rate-limit.js";
import { validate } from "../validation.js";
import { permissionTable, requireAgentAccess, requirePermission, type Permission } from "../permissions.js";
import {
  errorResponse,
  isJson,
  isMultipart,
  parseJsonBody,
  parseMultipart,
  type ApiRequest,
  type ApiResponse,
  type MultipartUpload,
  wantsEventStream,
} from "./http.js";
import { reserveStream, streamSnapshots } from "./live.js";

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/** The body a route accepts: JSON validated by a schema, or an upload (multipart file or JSON). */
export type BodySpec<B> =
  | { readonly kind: "json"; readonly schema: z.ZodType<B> }
  | { readonly kind: "upload"; readonly jsonAlternative: z.ZodType<B> }
  /** The bytes as sent (a signed webhook is verified over them before anything is parsed). */
  | { readonly kind: "raw" };

export interface RouteContext<P, B> {
  readonly deps: Deps;
  readonly caller: Caller;
  readonly params: P;
  readonly body: B;
  /** A multipart upload's files and fields (upload routes only). */
  readonly upload: MultipartUpload | undefined;
  readonly request: ApiRequest;
}

export interface Route<P = Record<string, string>, B = undefined> {
  readonly method: HttpMethod;
  /** OpenAPI-style template, e.g. `/v1/agents/{agentId}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** What the caller needs (see permissions.ts); `null` marks a public route (no credentials). */
  readonly permission: Permission | null;
  /**
   * The agent a request concerns, for API keys scoped to one agent: a scoped key is refused unless it is
   * that agent. Only called for scoped keys (it may read a document to find out).
   */
  readonly agentOf?: (ctx: RouteContext<P, B>) => Promise<string | undefined> | string | undefined;
  readonly params?: z.ZodType<P>;
  readonly body?: BodySpec<B>;
  readonly status?: number;
  readonly response?: z.ZodType;
  /** The success answer is a file with its own content type (a document's original), not JSON. */
  readonly fileResponse?: boolean;
  readonly handle: (ctx: RouteContext<P, B>) => Promise<unknown>;
  /** For routes that shape their own response (health, the OpenAPI document). */
  readonly raw?: boolean;
  /**
   * Runs first, before credentials, rate limits, parameters or the body are looked at: a route only some
   * callers may know of (the operator's) throws `not-found` here, so nobody else can tell it exists.
   */
  readonly guard?: (deps: Deps, req: ApiRequest) => void;
  /**
   * A platform operator's route (`/v1/admin/...`): only a caller with `platformAdmin`, or the operator token,
   * gets past routing; to everyone else, signed in or not, it answers 404 like a route that does not exist.
   * Operator routes are left out of the OpenAPI document.
   */
  readonly operator?: true;
  /**
   * The feature flag this route belongs to (identity/tenants.ts names them): refused with `feature-disabled`
   * when the platform operator turned it off for the caller's workspace.
   */
  readonly feature?: string;
  /**
   * A write a suspended workspace may still make (a privacy request, paying, revoking a key, removing a
   * member); every other write of a suspended workspace is refused with `workspace-suspended`.
   */
  readonly allowSuspended?: true;
  /**
   * Headers added when the credential is missing or refused (401), e.g. an RFC 9728 `WWW-Authenticate`
   * challenge naming where to learn how to get a token.
   */
  readonly challenge?: (req: ApiRequest) => Record<string, string>;
  /**
   * Public POST routes are rate limited per client address (sign-in and the like). `false` for routes that
   * authenticate each request another way and are called from a few shared addresses (signed webhooks).
   */
  readonly ipLimited?: boolean;
  /**
   * A GET listing that can be watched (see live.ts): asked with `Accept: text/event-stream`, it answers
   * `snapshot` events, each the body `handle` returns, now and after every change to what this query names.
   */
  readonly live?: (ctx: RouteContext<P, B>) => QuerySpec;
  /**
   * The browser origins this route answers CORS requests from, when they are not the API's own (config's
   * `allowedOrigins`): a public route used from customers' sites decides per request (a widget's own list).
   * Given the raw path parameters; an empty list refuses every origin.
   */
  readonly corsOrigins?: (deps: Deps, params: Record<string, string>) => Promise<readonly string[]>;
}

/** Keeps each route's param and body types while collecting them in one table. */
export function route<P = Record<string, string>, B = undefined>(r: Route<P, B>): Route<unknown, unknown> {
  return r as unknown as Route<unknown, unknown>;
}

interface Compiled {
  readonly route: Route<unknown, unknown>;
  readonly pattern: RegExp;
  readonly names: string[];
}

function compile(route: Route<unknown, unknown>): Compiled {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { route, pattern: new RegExp(`^${source}/?$`), names };
}

/** What a request turned out to be, for its log line and its metrics. */
interface Seen {
  route: string;
  tenantId: string | null;
}

/** Resolves the caller from a request's `Authorization` header (identity/authenticate.ts provides it). */
export type Authenticate = (deps: Deps, authorization: string | undefined) => Promise<Caller>;

/** What an admission check sees of the route a request is for. */
export type AdmittedRoute = Pick<Route<unknown, unknown>, "method" | "path" | "feature" | "allowSuspended">;

/**
 * Checks an authenticated request against its workspace's standing after the permission check (identity's
 * `admitRequest`: suspension, feature flags, the two-step sign-in policy). Throws to refuse.
 */
export type Admit = (deps: Deps, caller: Caller, route: AdmittedRoute) => Promise<void>;

const digest = (s: string): Buffer => createHash("sha256").update(s).digest();

/** Whether a request carries the operator token (`Authorization: Bearer <MONITOR_OPERATOR_TOKEN>`). */
export function hasOperatorToken(deps: Deps, req: ApiRequest): boolean {
  const token = deps.config.monitor.operatorToken;
  const header = req.headers.authorization;
  if (!token || !header?.startsWith("Bearer ")) return false;
  // Compared as digests: equal lengths, constant time.
  return timingSafeEqual(digest(header.slice(7).trim()), digest(token));
}

/** The caller the operator token stands for: the installation's operator, in no workspace. */
export const operatorTokenCaller: Caller = {
  tenantId: "",
  role: "owner",
  uid: "operator",
  via: "api-key",
  platformAdmin: true,
};

/** An operator route's answer to everyone who is not an operator: the same as no route at all. */
const noSuchRoute = (req: ApiRequest): AppError =>
  new AppError("not-found", `No route for ${req.method.toUpperCase()} ${req.path}`);

export class Router {
  private readonly compiled: Compiled[];

  constructor(
    readonly routes: readonly Route<unknown, unknown>[],
    private readonly authenticate: Authenticate,
    private readonly admit?: Admit,
  ) {
    this.compiled = routes.map(compile);
  }

  private match(method: string, path: string): { compiled: Compiled; params: Record<string, string> } {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.pattern.exec(path);
      if (!m) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(m[i + 1] as string);
        } catch {
          throw new AppError("invalid-argument", `Malformed path parameter ${n}`);
        }
      });
      return { compiled: c, params };
    }
    if (allowed.length > 0) {
      throw new AppError(
        "method-not-allowed",
        `${method} is not allowed on ${path}; use ${[...new Set(allowed)].join(", ")}`,
        {
          allow: [...new Set(allowed)],
        },
      );
    }
    throw new AppError("not-found", `No route for ${method} ${path}`);
  }

  async handle(deps: Deps, req: ApiRequest): Promise<ApiResponse> {
    const started = performance.now();
    // Filled in by dispatch as it learns them: the route's template and the caller's workspace.
    const seen: Seen = { route: "unmatched", tenantId: null };
    let response: ApiResponse;
    try {
      response = await this.dispatch(deps, req, seen);
    } catch (e) {
      const error = toAppError(e);
      if (error.status >= 500) log.error("request failed", { err: e, method: req.method, path: req.path });
      const headers: Record<string, string> = {};
      if (error.code === "method-not-allowed")
        headers.allow = (error.details as { allow: string[] }).allow.join(", ");
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
      if (error.code === "unauthenticated") Object.assign(headers, this.challengeFor(req));
      response = errorResponse(error, Object.keys(headers).length > 0 ? headers : undefined);
    }
    const ms = Math.round((performance.now() - started) * 10) / 10;
    // `route` and `tenantId` are what Cloud Logging's log-based metrics group by in Firebase mode.
    log.info("request", {
      method: req.method,
      path: req.path,
      route: seen.route,
      tenantId: seen.tenantId,
      status: response.status,
      ms,
    });
    // A stream's latency is the time to its first byte.
    metricsOf(deps).request({
      tenantId: seen.tenantId,
      method: req.method.toUpperCase(),
      route: seen.route,
      status: response.status,
      ms,
    });
    return response;
  }

  /**
   * The origins a browser may call this request's route from: the route's own (`corsOrigins`) or the API's.
   * A preflight is matched by the method it announces. A request that matches no route gets the API's.
   */
  async allowedOrigins(deps: Deps, req: ApiRequest): Promise<readonly string[]> {
    const announced = req.headers["access-control-request-method"];
    const method = (
      req.method.toUpperCase() === "OPTIONS" && announced ? announced : req.method
    ).toUpperCase();
    let matched: { compiled: Compiled; params: Record<string, string> };
    try {
      matched = this.match(method, req.path);
    } catch {
      return deps.config.allowedOrigins;
    }
    const own = matched.compiled.route.corsOrigins;
    if (!own) return deps.config.allowedOrigins;
    try {
      return await own(deps, matched.params);
    } catch (e) {
      log.warn("cors: could not read a route's origins", { err: e, path: req.path });
      return [];
    }
  }

  /** An operator route's caller: the operator token's, or an operator's credential; else "no such route". */
  private async operatorCaller(deps: Deps, req: ApiRequest): Promise<Caller> {
    if (hasOperatorToken(deps, req)) return operatorTokenCaller;
    let caller: Caller;
    try {
      caller = await this.authenticate(deps, req.headers.authorization);
    } catch {
      throw noSuchRoute(req);
    }
    if (!caller.platformAdmin) throw noSuchRoute(req);
    if (deps.config.operatorRequiresMfa && !caller.mfa) {
      // Only an operator gets this far, and learns nothing new from it.
      throw new AppError(
        "mfa-required",
        "The operator's console needs two-step sign-in (OPERATOR_REQUIRE_MFA): set it up under Account › " +
          "Two-step sign-in, then sign in again",
      );
    }
    return caller;
  }

  /** The challenge headers of the route a request was for, if it has any. */
  private challengeFor(req: ApiRequest): Record<string, string> {
    try {
      return this.match(req.method.toUpperCase(), req.path).compiled.route.challenge?.(req) ?? {};
    } catch {
      return {};
    }
  }

  private async dispatch(deps: Deps, req: ApiRequest, seen: Seen): Promise<ApiResponse> {
    // Route, authenticate and charge before a byte of the body is read: a request nobody may make, or one
    // over budget, never costs the server its body (see RequestBody).
    const { compiled, params: rawParams } = this.match(req.method.toUpperCase(), req.path);
    const r = compiled.route;
    r.guard?.(deps, req);
    seen.route = r.path;
    const limits = deps.config.limits;
    let caller: Caller;
    if (r.operator) {
      caller = await this.operatorCaller(deps, req);
      seen.tenantId = caller.tenantId || null;
      await consume(deps, caller, 1, r.method === "GET" ? "read" : "write");
    } else if (r.permission === null) {
      caller = anonymous;
      // Public writes (sign-in and the like) cost something to guess at: one budget per client address.
      const perIp = deps.config.rateLimits.publicPerIp;
      if (r.method === "POST" && perIp && r.ipLimited !== false) {
        await limitPublic(deps, `ip:${req.ip ?? "unknown"}`, perIp);
      }
    } else {
      caller = await this.authenticate(deps, req.headers.authorization);
      seen.tenantId = caller.tenantId || null;
      // Charged before the permission check: a credential hammering routes it may not use still pays.
      // Uploads are charged by their size instead (see uploadCost), so many small files are not many requests.
      if (r.body?.kind === "upload") await consumeUploadBytes(deps, caller, uploadCharged(req));
      else await consume(deps, caller, 1, r.method === "GET" ? "read" : "write");
      requirePermission(caller, r.permission);
      await this.admit?.(deps, caller, r);
    }
    const params = r.params ? validate(r.params, rawParams, "path parameter") : rawParams;

    let body: unknown = undefined;
    let upload: MultipartUpload | undefined;
    if (r.body?.kind === "json") {
      body = validate(r.body.schema, (await parseJsonBody(req, limits.maxJsonBytes)) ?? {}, "request body");
    } else if (r.body?.kind === "upload") {
      if (isMultipart(req)) {
        upload = await parseMultipart(req, {
          maxFileBytes: limits.maxUploadBytes,
          maxTotalBytes: limits.maxUploadBytes + multipartOverheadBytes,
          maxFiles: limits.maxUploadFiles,
          maxFileNameChars,
        });
        // A chunked body, or many small files, may cost more than what was charged before reading.
        const bytes = upload.files.reduce((n, f) => n + f.bytes.length, 0);
        const owed = uploadCost(bytes, upload.files.length) - uploadCharged(req);
        if (owed > 0) await consumeUploadBytes(deps, caller, owed);
      } else if (isJson(req)) {
        body = validate(
          r.body.jsonAlternative,
          await parseJsonBody(req, limits.maxUploadBytes),
          "request body",
        );
      } else {
        throw new AppError(
          "unsupported-media-type",
          "Upload a file as multipart/form-data (field 'file', or 'files' for several) or send JSON {name, text}",
        );
      }
    } else if (r.body?.kind === "raw") {
      body = await req.body.read(limits.maxJsonBytes, "The request body");
    } else if (req.body.present && req.method !== "GET") {
      // A body where none is expected is most likely a client mistake; say so rather than ignore it.
      await parseJsonBody(req, limits.maxJsonBytes);
    }

    const ctx = { deps, caller, params, body, upload, request: req };
    if (caller.agentId && r.agentOf) {
      const agentId = await r.agentOf(ctx);
      if (agentId !== undefined) requireAgentAccess(caller, agentId);
    }
    if (r.live && r.method === "GET" && wantsEventStream(req, undefined)) {
      const watched = r.live(ctx);
      const release = reserveStream(`${caller.tenantId}/${caller.uid}`);
      let first: unknown;
      try {
        first = await r.handle(ctx);
      } catch (e) {
        release();
        throw e;
      }
      const permission = r.permission;
      // Each later snapshot checks the credential again (one read): a revoked key or a removed member's
      // stream ends with an error event at the next change instead of outliving the access.
      const load = async () => {
        if (permission !== null) {
          requirePermission(await this.authenticate(deps, req.headers.authorization), permission);
        }
        return r.handle(ctx);
      };
      return {
        status: 200,
        stream: (send, signal) => streamSnapshots(deps, watched, first, load, send, signal).finally(release),
      };
    }
    const result = await r.handle(ctx);
    if (r.raw) return result as ApiResponse;
    return { status: r.status ?? 200, body: result };
  }
}

/** What an upload is charged before its body is read: its declared size, as one file. */
const uploadCharged = (req: ApiRequest): number => uploadCost(req.body.declaredBytes, 1);

/** Room for a multipart body's boundaries, part headers and text fields around its files. */
const multipartOverheadBytes = 1024 * 1024;
/** A file name longer than this is refused, not cut (file systems stop at 255 bytes). */
export const maxFileNameChars = 255;

const anonymous: Caller = { tenantId: "", role: "viewer", uid: "anonymous", via: "api-key" };

// ---------------------------------------------------------------------------------------------------
// OpenAPI
// ---------------------------------------------------------------------------------------------------

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return rest;
}

const errorEnvelopeSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, details: {} },
    },
  },
};

export function openApiDocument(
  routes: readonly Route<unknown, unknown>[],
  info: { version: string; serverUrl?: string },
): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    // Operator routes do not exist for anyone else, so the public description does not name them.
    if (r.operator || r.guard) continue;
    const parameters =
      r.params !== undefined
        ? Object.entries((jsonSchema(r.params, "input").properties ?? {}) as Record<string, unknown>).map(
            ([name, schema]) => ({
              name,
              in: "path",
              required: true,
              schema,
            }),
          )
        : [];
    const operation: Record<string, unknown> = {
      summary: r.summary,
      ...(r.live
        ? {
            description:
              "Watchable: with 'Accept: text/event-stream' the answer is a stream of 'snapshot' events, each " +
              "this body, now and after every change ('ping' events keep it open; it ends after a few minutes).",
            "x-live": true,
          }
        : {}),
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, "").replace(/(^|[/-])(\w)/g, (_m, _s, c: string) => c.toUpperCase())}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(r.permission === null
        ? { security: [] }
        : { "x-permission": r.permission, "x-minimum-role": permissionTable[r.permission] }),
      responses: {
        [String(r.status ?? 200)]: {
          description: "Success",
          ...(r.response
            ? {
                content: {
                  "application/json": { schema: jsonSchema(r.response, "output") },
                  // Watchable listings: `snapshot` events, each one body as above.
                  ...(r.live ? { "text/event-stream": { schema: { type: "string" } } } : {}),
                },
              }
            : r.fileResponse
              ? { content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } }
              : {}),
        },
        ...(r.permission === null
          ? {}
          : {
              "401": { $ref: "#/components/responses/Error" },
              "403": { $ref: "#/components/responses/Error" },
            }),
        "400": { $ref: "#/components/responses/Error" },
        "404": { $ref: "#/components/responses/Error" },
        ...(r.permission !== null || r.method === "POST"
          ? { "429": { $ref: "#/components/responses/RateLimited" } }
          : {}),
      },
    };
    if (r.body?.kind === "json") {
      operation.requestBody = {
        required: true,
        content: { "application/json": { schema: jsonSchema(r.body.schema, "input") } },
      };
    } else if (r.body?.kind === "upload") {
      operation.requestBody = {
        required: true,
        content: {
          "multipart/form-data": {
            schema: {
              type: "object",
              properties: { file: { type: "string", format: "binary" } },
              required: ["file"],
            },
          },
          "application/json": { schema: jsonSchema(r.body.jsonAlternative, "input") },
        },
      };
    } else if (r.body?.kind === "raw") {
      operation.requestBody = {
        required: true,
        content: { "application/json": { schema: { description: "Signed bytes, verified before parsing" } } },
      };
    }
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Alchemist API",
      version: info.version,
      description:
        "REST API of the Alchemist agent platform. Authenticate with 'Authorization: Bearer <api key>'.",
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An Alchemist API key (or a Firebase ID token in Firebase mode)",
        },
      },
      responses: {
        RateLimited: {
          description: "Rate limit exceeded: retry after the number of seconds in Retry-After",
          headers: { "Retry-After": { schema: { type: "integer", minimum: 1 } } },
          content: { "application/json": { schema: errorEnvelopeSchema } },
        },
        Error: {
          description: "Error envelope",
          content: { "application/json": { schema: errorEnvelopeSchema } },
        },
      },
    },
  };
}
