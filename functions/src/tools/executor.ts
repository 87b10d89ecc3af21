/**
 * One executor for Tool Forge's HTTP tools: the validated arguments become a request (path, query, headers,
 * cookies, body, as the tool's operation places them), the credential's auth is applied, and the request goes
 * through the egress guard (public hosts only unless the operator allows more, every redirect re-checked, a byte
 * cap and a deadline). Reads are retried on 429 and 5xx with backoff; an OAuth token the API refuses is fetched
 * again once. The answer is mapped for the model: the JSON the tool's pointer selects, shrunk to fit while
 * staying valid JSON. What was sent is recorded with its secrets masked. An MCP server's tool is the one
 * exception: `callTool` hands it to mcp-source.ts, so callers call every Tool Forge tool the same way.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Deps } from "../platform/deps.js";
import type { EgressResponse } from "../platform/ports.js";
import { authFor, type AppliedAuth } from "./credentials.js";
import { limitBreach } from "./limits.js";
import { callMcpTool, mcpCallRequest } from "./mcp-source.js";
import type { ArgumentPlacement, HttpOperation, ToolDefinition } from "./schema.js";
import {
  egressFailure,
  mapResponse,
  mask,
  maxResponseBytes,
  shown,
  ToolCallError,
  type ShownRequest,
  type ToolTarget,
} from "./tool-calls.js";

// What every Tool Forge call shares (HTTP or MCP) lives in tool-calls.ts; callers import it from here.
export {
  egressFailure,
  mapResponse,
  maxOutputChars,
  maxResponseBytes,
  ToolCallError,
  type ShownRequest,
  type ToolTarget,
} from "./tool-calls.js";

export interface ToolCallResult {
  readonly status: number;
  /** The selected, size-bounded answer for the model. */
  readonly output: string;
  readonly request: ShownRequest;
  readonly attempts: number;
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
  method: HttpOperation["method"];
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
} {
  const op = tool.operation;
  if (op.kind === "mcp") return mcpCallRequest(baseUrl, op, args);
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
  const breach = limitBreach(tool, args);
  if (breach) throw new ToolCallError(breach);
  if (tool.operation.kind === "mcp") {
    return { status: 200, attempts: 1, ...(await callMcpTool(deps, target, tool, args, signal)) };
  }
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
