/**
 * One executor for Tool Forge's HTTP tools: the validated arguments become a request (path, query, headers,
 * cookies, body, as the tool's operation places them), the credential's auth is applied, and the request goes
 * through the egress guard (public hosts only unless the operator allows more, every redirect re-checked, a byte
 * cap and a deadline). Reads are retried on 429 and 5xx with backoff; an OAuth token the API refuses is fetched
 * again once. The answer is mapped for the model: the JSON the tool's pointer selects, shrunk to fit while
 * staying valid JSON. What was sent is recorded with its secrets masked.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Deps } from "../platform/deps.js";
import { isAppError } from "../platform/errors.js";
import type { EgressResponse } from "../platform/ports.js";
import { authFor, type AppliedAuth } from "./credentials.js";
import type { ArgumentPlacement, ToolDefinition } from "./schema.js";

/** What is read of a tool's answer. */
export const maxResponseBytes = 1024 * 1024;
/** What the model is given of it, at most. */
export const maxOutputChars = 8000;

/** Why a call failed, in words the model can act on (and the trace records). */
export class ToolCallError extends Error {
  override readonly name = "ToolCallError";
  constructor(
    message: string,
    /** The HTTP status, when the API answered. */
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/**
 * What a tool's request failing to go out (or to come back) tells the model: the deadline, the egress guard's
 * refusal (why, never what the host would have said), or the host unreachable. Every HTTP tool says it alike.
 */
export function egressFailure(e: unknown, timeoutMs: number, aborted: boolean): ToolCallError {
  if (aborted || (isAppError(e) && e.code === "deadline-exceeded"))
    return new ToolCallError(`the tool did not answer within ${timeoutMs} ms`);
  if (isAppError(e) && e.code === "permission-denied")
    return new ToolCallError(`the tool's URL was refused: ${e.message}`);
  return new ToolCallError(`the tool could not be reached (${e instanceof Error ? e.message : String(e)})`);
}

/** The request as it is shown (trace, tool playground): secrets masked. */
export interface ShownRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | null;
}

export interface ToolCallResult {
  readonly status: number;
  /** The selected, size-bounded answer for the model. */
  readonly output: string;
  readonly request: ShownRequest;
  readonly attempts: number;
}

/** Where a tool set's tools are called: its base URL and credential (of the pinned version). */
export interface ToolTarget {
  readonly tenantId: string;
  readonly baseUrl: string;
  readonly credentialId: string | null;
}

const scalar = (value: unknown): string =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : JSON.stringify(value);

const safeHeaderValue = (name: string, value: string): string => {
  if (/[\r\n]/.test(value)) throw new ToolCallError(`the ${name} header must not contain line breaks`);
  return value;
};

/** A query argument as name/value pairs, written in its style. */
function queryPairs(placement: ArgumentPlacement, value: unknown): [string, string][] {
  const { name, style, explode } = placement;
  if (style === "deepObject" && value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value).map(([k, v]): [string, string] => [`${name}[${k}]`, scalar(v)]);
  }
  if (Array.isArray(value)) {
    if (style === "form" && explode) return value.map((item): [string, string] => [name, scalar(item)]);
    const joiner = style === "spaceDelimited" ? " " : style === "pipeDelimited" ? "|" : ",";
    return [[name, value.map(scalar).join(joiner)]];
  }
  if (value !== null && typeof value === "object" && style === "form") {
    const entries = Object.entries(value);
    if (explode) return entries.map(([k, v]): [string, string] => [k, scalar(v)]);
    return [[name, entries.flatMap(([k, v]) => [k, scalar(v)]).join(",")]];
  }
  return [[name, scalar(value)]];
}

/** The request the arguments make, before auth. */
export function buildRequest(
  baseUrl: string,
  tool: ToolDefinition,
  args: Readonly<Record<string, unknown>>,
): {
  method: ToolDefinition["operation"]["method"];
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
} {
  const op = tool.operation;
  const headers: Record<string, string> = {
    accept: "application/json, application/problem+json;q=0.9, */*;q=0.1",
  };
  const cookies: string[] = [];
  const bodyProps: Record<string, unknown> = {};
  let wholeBody: unknown;
  let path = op.path;
  const query: [string, string][] = [];
  for (const [arg, value] of Object.entries(args)) {
    const placement = op.arguments[arg];
    if (!placement || value === undefined || value === null) continue;
    switch (placement.in) {
      case "path":
        path = path.replaceAll(`{${placement.name}}`, encodeURIComponent(scalar(value)));
        break;
      case "query":
        query.push(...queryPairs(placement, value));
        break;
      case "header":
        headers[placement.name.toLowerCase()] = safeHeaderValue(placement.name, scalar(value));
        break;
      case "cookie":
        cookies.push(`${placement.name}=${encodeURIComponent(scalar(value))}`);
        break;
      case "body":
        if (op.body?.mode === "whole") wholeBody = value;
        else bodyProps[placement.name] = value;
        break;
    }
  }
  const missing = /\{([^}]+)\}/.exec(path);
  if (missing) throw new ToolCallError(`the path parameter ${missing[1]} is required`);
  if (cookies.length > 0) headers.cookie = cookies.join("; ");
  const url = new URL(`${baseUrl.replace(/\/+$/, "")}${path}`);
  for (const [k, v] of query) url.searchParams.append(k, v);
  let body: string | undefined;
  if (op.body) {
    const payload = op.body.mode === "whole" ? wholeBody : bodyProps;
    if (payload !== undefined) {
      headers["content-type"] = op.body.contentType;
      body =
        op.body.encoding === "json"
          ? JSON.stringify(payload)
          : new URLSearchParams(
              Object.entries((payload ?? {}) as Record<string, unknown>).map(([k, v]): [string, string] => [
                k,
                scalar(v),
              ]),
            ).toString();
    }
  }
  return { method: op.method, url, headers, body };
}

const mask = (text: string, secrets: readonly string[]): string =>
  secrets.reduce((out, secret) => (secret.length >= 4 ? out.split(secret).join("***") : out), text);

function shown(
  request: { method: string; url: URL; headers: Record<string, string>; body: string | undefined },
  auth: AppliedAuth,
): ShownRequest {
  const secrets = [...auth.secrets, ...auth.secrets.map((s) => encodeURIComponent(s))];
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([k, v]) => [
      k,
      k === "authorization" ? `${v.split(" ")[0] ?? ""} ***` : mask(v, secrets),
    ]),
  );
  return {
    method: request.method,
    url: mask(request.url.href, secrets),
    headers,
    body: request.body === undefined ? null : mask(request.body, secrets),
  };
}

/** The value a JSON pointer names (RFC 6901), or undefined. */
export function pointerGet(value: unknown, pointer: string): unknown {
  if (pointer === "") return value;
  let current = value;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(current)) current = current[Number(key)];
    else if (current !== null && typeof current === "object")
      current = (current as Record<string, unknown>)[key];
    else return undefined;
  }
  return current;
}

function shrink(value: unknown, maxItems: number, maxString: number): unknown {
  if (typeof value === "string") return value.length > maxString ? `${value.slice(0, maxString)}…` : value;
  if (Array.isArray(value)) return value.slice(0, maxItems).map((v) => shrink(v, maxItems, maxString));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shrink(v, maxItems, maxString)]));
  }
  return value;
}

/**
 * The answer for the model: JSON stays JSON (selected by the pointer, then shrunk, arrays cut to fewer items
 * and long strings shortened, until it fits, with a note saying so); other text is cut.
 */
export function mapResponse(text: string, select: string | null, maxChars = maxOutputChars): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text.length <= maxChars
      ? text
      : `${text.slice(0, maxChars - 60)}\n[cut: ${text.length} characters in all]`;
  }
  if (select !== null) {
    value = pointerGet(value, select);
    if (value === undefined) return JSON.stringify({ note: `the answer has nothing at ${select}` });
  }
  const whole = JSON.stringify(value);
  if (whole.length <= maxChars) return whole;
  for (const [items, chars] of [
    [50, 2000],
    [20, 500],
    [10, 200],
    [5, 120],
    [2, 80],
    [1, 40],
  ] as const) {
    const small = JSON.stringify(shrink(value, items, chars));
    const note = `\n[shortened to fit: lists cut to ${items} item(s), texts to ${chars} characters; ${whole.length} characters in all]`;
    if (small.length + note.length <= maxChars) return small + note;
  }
  return `${whole.slice(0, maxChars - 80)}\n[cut, no longer valid JSON: ${whole.length} characters in all]`;
}

/** The problem an API reported (RFC 9457 `detail`/`title`, or a common `error.message`), for the model. */
function problemOf(text: string): string {
  try {
    const body = JSON.parse(text) as {
      detail?: unknown;
      title?: unknown;
      error?: { message?: unknown };
      message?: unknown;
    };
    const said = [body.title, body.detail, body.error?.message, body.message].filter(
      (v) => typeof v === "string",
    );
    if (said.length > 0) return said.join(": ").slice(0, 500);
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}

const retryable = (status: number): boolean => status === 429 || status >= 500;
const maxAttempts = 3;

/** Calls one tool with validated arguments; throws `ToolCallError` with what went wrong. */
export async function callTool(
  deps: Deps,
  target: ToolTarget,
  tool: ToolDefinition,
  args: Readonly<Record<string, unknown>>,
  signal?: AbortSignal,
): Promise<ToolCallResult> {
  const request = buildRequest(target.baseUrl, tool, args);
  const started = Date.now();
  const idempotent = tool.sideEffect === "read" || request.method === "GET";
  let auth: AppliedAuth = { headers: {}, query: {}, secrets: [] };
  let refreshed = false;
  for (let attempt = 1; ; attempt++) {
    if (target.credentialId) {
      try {
        auth = await authFor(deps, target.tenantId, target.credentialId, { fresh: refreshed && attempt > 1 });
      } catch (e) {
        throw new ToolCallError(`the tool's credential could not be used: ${(e as Error).message}`);
      }
    }
    const url = new URL(request.url);
    for (const [k, v] of Object.entries(auth.query)) url.searchParams.set(k, v);
    const sent = { ...request, url, headers: { ...request.headers, ...auth.headers } };
    const left = tool.timeoutMs - (Date.now() - started);
    if (left <= 0) throw new ToolCallError(`the tool did not answer within ${tool.timeoutMs} ms`);
    let response: EgressResponse;
    try {
      response = await deps.egress.request({
        method: sent.method,
        url: url.href,
        headers: sent.headers,
        ...(sent.body !== undefined ? { body: sent.body } : {}),
        timeoutMs: left,
        maxBodyBytes: maxResponseBytes,
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      throw egressFailure(e, tool.timeoutMs, signal?.aborted ?? false);
    }
    const text = new TextDecoder().decode(response.body);
    if (response.status === 401 && !refreshed && target.credentialId) {
      refreshed = true; // an OAuth token may have expired early: fetch a new one, once
      continue;
    }
    if (retryable(response.status) && idempotent && attempt < maxAttempts) {
      const retryAfter = Number(response.headers["retry-after"]);
      const wait =
        Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 5) * 1000 : 200 * 2 ** attempt;
      if (Date.now() - started + wait < tool.timeoutMs) {
        await sleep(wait);
        continue;
      }
    }
    if (response.status < 200 || response.status > 299) {
      throw new ToolCallError(
        `the API answered HTTP ${response.status}: ${mask(problemOf(text), auth.secrets)}`,
        response.status,
      );
    }
    const output = mapResponse(response.truncated ? `${text}` : text, tool.select);
    return {
      status: response.status,
      output: mask(
        response.truncated
          ? `${output}\n[the answer was longer than ${maxResponseBytes} bytes: only its beginning was read]`
          : output,
        auth.secrets,
      ),
      request: shown(sent, auth),
      attempts: attempt,
    };
  }
}
