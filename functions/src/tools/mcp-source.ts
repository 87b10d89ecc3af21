/**
 * Remote MCP servers as a source of Tool Forge tools, through the official client (`@modelcontextprotocol/client`,
 * loaded on first use). A server speaks Streamable HTTP in either revision the SDK supports: the client probes with
 * `server/discover` (2026-07-28, stateless) and falls back to `initialize` (2025-11-25). Every byte goes through
 * the egress guard: the SDK's transport is given a `fetch` built on `deps.egress.request` (public hosts only unless
 * the operator allows more, every redirect checked again, a byte cap, one deadline for the whole exchange). A
 * connection lives for one listing or one call; no server stream is kept open.
 *
 * Auth is a workspace credential applied as executor.ts applies it (headers or query, an OAuth token fetched
 * again once when the server refuses it); its secrets are masked wherever a request is shown and never stored on
 * the tool set. In local mode an operator may also name stdio servers the platform may launch
 * (`ALCHEMIST_MCP_STDIO_ALLOW`); a tool set then uses `stdio:<name>` as its URL.
 */
import type { CallToolResult, Client, FetchLike, Tool, Transport } from "@modelcontextprotocol/client";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import { validatorFor } from "../platform/json-schema.js";
import { authFor, type AppliedAuth } from "./credentials.js";
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
import type { McpOperation, ToolDefinition } from "./schema.js";

/** Where a tool set's MCP server is and how requests to it authenticate. */
export interface McpEndpoint {
  readonly tenantId: string;
  /** An http(s) endpoint, or `stdio:<name>` for a server the operator allows (local mode). */
  readonly url: string;
  readonly credentialId: string | null;
  /** Non-secret headers sent with every request. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Listing a server's tools may take a few pages and a slow start: one deadline for all of it. */
export const listTimeoutMs = 30_000;
/** What one answer to a listing may take (a page of tools with their schemas). */
export const maxListResponseBytes = 4 * 1024 * 1024;

const stdioPrefix = "stdio:";
export const isStdioUrl = (url: string): boolean => url.startsWith(stdioPrefix);

/** The operator's stdio server named by `url` (`stdio:<name>`), or a refusal saying why it cannot be used. */
export function stdioServer(
  deps: Deps,
  url: string,
): { command: string; args: string[]; env: Record<string, string>; cwd: string | undefined } {
  const name = url.slice(stdioPrefix.length);
  if (deps.config.mode !== "local") {
    throw new AppError(
      "invalid-argument",
      "stdio MCP servers run only in local mode: in Firebase mode, give the server's https URL",
    );
  }
  const server = deps.config.local.mcpStdio[name];
  if (!server) {
    throw new AppError(
      "invalid-argument",
      `No stdio MCP server named "${name.slice(0, 64)}" is allowed here: the operator lists them in ALCHEMIST_MCP_STDIO_ALLOW`,
    );
  }
  return { command: server.command, args: [...server.args], env: { ...server.env }, cwd: server.cwd };
}

/** Headers the transport or the credential own: never taken from a tool set's headers. */
const ownedHeaders = new Set([
  "accept",
  "authorization",
  "proxy-authorization",
  "cookie",
  "content-type",
  "content-length",
  "host",
  "connection",
  "transfer-encoding",
  "mcp-protocol-version",
  "mcp-session-id",
  "mcp-method",
  "mcp-name",
  "last-event-id",
]);

/** Why a header may not be one of a tool set's plain headers, or null: secrets belong in a credential. */
export function headerProblem(name: string, value: string): string | null {
  const lower = name.toLowerCase();
  if (ownedHeaders.has(lower) || lower.startsWith("mcp-param-"))
    return `${name} is set by the platform (a secret goes in a credential)`;
  if (/token|secret|passw|api[-_]?key|auth|session|cookie/.test(lower))
    return `${name} looks like a secret: keep it in a credential (credentialId), which is sealed and never shown`;
  if (/[\r\n]/.test(value)) return `the ${name} header must not contain line breaks`;
  return null;
}

const hopByHop = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "content-encoding",
]);
const nullBodyStatus = (status: number): boolean => status === 204 || status === 205 || status === 304;

/** One exchange with a server: an open client, and the auth its requests carry (after any refresh). */
interface Exchange {
  readonly client: Client;
  auth(): AppliedAuth;
}

interface ExchangeOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

const noAuth: AppliedAuth = { headers: {}, query: {}, secrets: [] };

async function credentialAuth(deps: Deps, endpoint: McpEndpoint, fresh: boolean): Promise<AppliedAuth> {
  if (!endpoint.credentialId) return noAuth;
  try {
    return await authFor(deps, endpoint.tenantId, endpoint.credentialId, { fresh });
  } catch (e) {
    throw new ToolCallError(`the tool's credential could not be used: ${(e as Error).message}`);
  }
}

/**
 * Runs `work` on a client connected to the endpoint, within one deadline, and closes it. Whatever fails (the
 * egress guard, the deadline, the server's answer, the protocol) comes out as a `ToolCallError` saying what.
 */
async function withServer<T>(
  deps: Deps,
  endpoint: McpEndpoint,
  options: ExchangeOptions,
  work: (exchange: Exchange, requestOptions: { timeout: number; signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const sdk = await import("@modelcontextprotocol/client");
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const cancel = () => controller.abort();
  if (options.signal?.aborted) cancel();
  else options.signal?.addEventListener("abort", cancel, { once: true });
  const left = () => Math.max(1, options.timeoutMs - (Date.now() - started));
  /** What the transport hit, which the SDK may wrap or only report to `onerror`. */
  const seen: { egress?: unknown; tooLarge?: boolean; transport?: unknown } = {};

  let transport: Transport;
  let auth = noAuth;
  const stdio = isStdioUrl(endpoint.url);
  if (stdio) {
    let server: ReturnType<typeof stdioServer>;
    try {
      server = stdioServer(deps, endpoint.url); // the operator may have taken it off the list since
    } catch (e) {
      throw new ToolCallError(isAppError(e) ? e.message : String(e));
    }
    const { StdioClientTransport, getDefaultEnvironment } =
      await import("@modelcontextprotocol/client/stdio");
    transport = new StdioClientTransport({
      command: server.command,
      args: server.args,
      // The platform's own environment (its keys) is never handed to the server: only what the SDK deems safe.
      env: { ...getDefaultEnvironment(), ...server.env },
      ...(server.cwd !== undefined ? { cwd: server.cwd } : {}),
      stderr: "ignore",
      maxBufferSize: options.maxBytes,
    });
  } else {
    auth = await credentialAuth(deps, endpoint, false);
    const url = new URL(endpoint.url);
    const authedUrl = () => {
      const u = new URL(url);
      for (const [k, v] of Object.entries(auth.query)) u.searchParams.set(k, v);
      return u.href;
    };
    let refreshed = false;
    const egressFetch: FetchLike = async (_input, init) => {
      const method = (init?.method ?? "GET").toUpperCase();
      // Every answer comes on the POST that asked for it: the standalone server stream (GET) is not opened, as a
      // stateless server would answer.
      if (method !== "POST" && method !== "DELETE") return new Response(null, { status: 405 });
      const sdkHeaders: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => (sdkHeaders[name] = value));
      const body = typeof init?.body === "string" ? init.body : undefined;
      for (;;) {
        const headers = { ...endpoint.headers, ...sdkHeaders, ...lowerCased(auth.headers) };
        let response;
        try {
          response = await deps.egress.request({
            method,
            url: authedUrl(),
            headers,
            ...(body !== undefined ? { body } : {}),
            timeoutMs: left(),
            maxBodyBytes: options.maxBytes,
            signal: controller.signal,
          });
        } catch (e) {
          seen.egress = e;
          throw e;
        }
        if (response.status === 401 && endpoint.credentialId && !refreshed) {
          refreshed = true; // an OAuth token may have expired early: fetch a new one, once
          auth = await credentialAuth(deps, endpoint, true);
          continue;
        }
        if (response.truncated) {
          seen.tooLarge = true;
          throw new ToolCallError(`the MCP server's answer was longer than ${options.maxBytes} bytes`);
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (!hopByHop.has(name)) responseHeaders.set(name, value);
        }
        return new Response(nullBodyStatus(response.status) ? null : response.body, {
          status: response.status,
          headers: responseHeaders,
        });
      }
    };
    // Redirects are the egress guard's to follow (each hop checked again), not the SDK's.
    transport = new sdk.StreamableHTTPClientTransport(url, { fetch: egressFetch, redirectPolicy: "follow" });
  }

  const client = new sdk.Client(
    { name: "alchemist-tool-forge", version: deps.config.version },
    { versionNegotiation: { mode: "auto" } },
  );
  client.onerror = (e) => (seen.transport ??= e);
  const timedOut = () => controller.signal.aborted && !options.signal?.aborted;
  try {
    const requestOptions = () => ({ timeout: left(), signal: controller.signal });
    await client.connect(transport, requestOptions());
    return await work({ client, auth: () => auth }, requestOptions());
  } catch (e) {
    const aborted = timedOut() || (options.signal?.aborted ?? false);
    throw masked(failure(sdk, e, seen, { ...options, stdio, aborted }), auth);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", cancel);
    await closeQuietly(client, transport, controller.signal.aborted);
  }
}

const lowerCased = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

const masked = (error: ToolCallError, auth: AppliedAuth): ToolCallError =>
  auth.secrets.length === 0 ? error : new ToolCallError(mask(error.message, auth.secrets), error.status);

/** A 2025 session is ended politely (a stateless server has none); a stdio server's process is stopped. */
async function closeQuietly(client: Client, transport: Transport, aborted: boolean): Promise<void> {
  try {
    const http = transport as Transport & { sessionId?: string; terminateSession?: () => Promise<void> };
    if (!aborted && http.sessionId && http.terminateSession) await http.terminateSession();
  } catch {
    // the server forgets the session on its own
  }
  await client.close().catch(() => undefined);
}

type Sdk = typeof import("@modelcontextprotocol/client");

/** What went wrong, in words the model (or the person adding the server) can act on. */
function failure(
  sdk: Sdk,
  e: unknown,
  seen: { egress?: unknown; tooLarge?: boolean; transport?: unknown },
  options: ExchangeOptions & { stdio: boolean; aborted: boolean },
): ToolCallError {
  const aborted = options.aborted;
  if (e instanceof ToolCallError) return e;
  if (seen.tooLarge)
    return new ToolCallError(`the MCP server's answer was longer than ${options.maxBytes} bytes`);
  if (seen.egress !== undefined) return egressFailure(seen.egress, options.timeoutMs, aborted);
  if (aborted || (e instanceof sdk.SdkError && e.code === sdk.SdkErrorCode.RequestTimeout))
    return new ToolCallError(`the tool did not answer within ${options.timeoutMs} ms`);
  if (isAppError(e)) return new ToolCallError(e.message);
  if (e instanceof sdk.SdkHttpError) {
    const text = typeof e.data.text === "string" ? e.data.text.slice(0, 300) : "";
    return new ToolCallError(`the MCP server answered HTTP ${e.status}${text ? `: ${text}` : ""}`, e.status);
  }
  if (e instanceof sdk.UnauthorizedError)
    return new ToolCallError("the MCP server refused the credential (HTTP 401)", 401);
  if (e instanceof sdk.ProtocolError)
    return new ToolCallError(`the MCP server refused the request: ${e.message}`);
  const why =
    seen.transport instanceof Error ? seen.transport.message : e instanceof Error ? e.message : String(e);
  const said = why.replace(/\s+/g, " ").slice(0, 300);
  // Malformed JSON-RPC, a result the SDK cannot read, a stdio server that would not start or stopped.
  return new ToolCallError(
    options.stdio
      ? `the stdio MCP server failed (${said})`
      : `the MCP server's answer could not be used (${said})`,
  );
}

/**
 * An MCP tool's request as it is shown (the trace, the try endpoint, a confirmation): the JSON-RPC `tools/call`
 * parameters posted to the server's endpoint, before auth.
 */
export function mcpCallRequest(baseUrl: string, op: McpOperation, args: Readonly<Record<string, unknown>>) {
  return {
    method: "POST" as const,
    url: new URL(baseUrl),
    headers: { "content-type": "application/json", ...op.headers },
    body: JSON.stringify({ name: op.tool, arguments: args }),
  };
}

/** What a server says it is and the tools it lists. */
export interface McpListing {
  readonly serverName: string;
  readonly serverVersion: string;
  readonly protocolVersion: string;
  readonly tools: Tool[];
}

/** Lists a server's tools (every page). Throws `ToolCallError` with why it could not. */
export async function listMcpTools(deps: Deps, endpoint: McpEndpoint): Promise<McpListing> {
  return withServer(
    deps,
    endpoint,
    { timeoutMs: listTimeoutMs, maxBytes: maxListResponseBytes },
    async ({ client }, requestOptions) => {
      const { tools } = await client.listTools(undefined, requestOptions);
      const server = client.getServerVersion();
      return {
        serverName: (server?.name ?? "").slice(0, 200),
        serverVersion: (server?.version ?? "").slice(0, 100),
        protocolVersion: client.getNegotiatedProtocolVersion() ?? "",
        tools,
      };
    },
  );
}

/** A server's tool name as models accept it: letters, digits, `_` and `-`, at most 64. */
function sanitizedName(name: string): string {
  const clean = name
    .replace(/[^a-zA-Z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
  return clean || "tool";
}

/** `name`, or `name_2`, `name_3`... (cut to fit 64 characters), whichever is not taken yet. */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = sanitizedName(name);
  for (let n = 2; taken.has(candidate); n++) {
    const suffix = `_${n}`;
    candidate = `${sanitizedName(name).slice(0, 64 - suffix.length)}${suffix}`;
  }
  taken.add(candidate);
  return candidate;
}

export interface SkippedTool {
  readonly operation: string;
  readonly reason: string;
}

/**
 * A server's tool as a draft tool, or why it cannot be one. Writes unless the server says the tool only reads
 * (`readOnlyHint`): an unannotated tool may change anything.
 */
export function toolFromMcp(
  tool: Tool,
  name: string,
  headers: Readonly<Record<string, string>>,
  enabled: (sideEffect: "read" | "write") => boolean,
): ToolDefinition | SkippedTool {
  const parameters = tool.inputSchema as Record<string, unknown>;
  const skip = (reason: string): SkippedTool => ({ operation: tool.name.slice(0, 500), reason });
  if (tool.name.length > 500) return skip("its name is longer than 500 characters");
  if (parameters?.type !== "object") return skip('its input schema is not a JSON Schema of type "object"');
  try {
    validatorFor(parameters);
  } catch (e) {
    return skip(`its input schema cannot be checked by the platform (${(e as Error).message.slice(0, 300)})`);
  }
  const sideEffect = tool.annotations?.readOnlyHint === true ? "read" : "write";
  const description = (tool.description ?? tool.title ?? tool.annotations?.title ?? "").trim();
  const operation: McpOperation = { kind: "mcp", tool: tool.name, headers: { ...headers } };
  return {
    name,
    description: (description || `The ${tool.name} tool of the MCP server.`).slice(0, 2000),
    parameters,
    sideEffect,
    tags: [],
    enabled: enabled(sideEffect),
    timeoutMs: 10_000,
    operation,
    limits: [],
    select: null,
  };
}

export const isSkipped = (t: ToolDefinition | SkippedTool): t is SkippedTool => !("name" in t);

/** A tool's result as the model reads it: its text, its structured content as JSON when it adds something. */
function resultText(result: CallToolResult): string {
  const parts: string[] = [];
  for (const block of result.content ?? []) {
    switch (block.type) {
      case "text":
        parts.push(block.text);
        break;
      case "resource":
        parts.push(
          "text" in block.resource ? block.resource.text : `[binary resource ${block.resource.uri}]`,
        );
        break;
      case "resource_link":
        parts.push(`[resource ${block.name}: ${block.uri}]`);
        break;
      default:
        parts.push(`[${block.type} content, not shown]`);
    }
  }
  if (result.structuredContent !== undefined) {
    const structured = JSON.stringify(result.structuredContent);
    const same = parts.some((p) => {
      try {
        return JSON.stringify(JSON.parse(p)) === structured;
      } catch {
        return false;
      }
    });
    if (!same) parts.push(structured);
  }
  return parts.join("\n");
}

/**
 * Calls one MCP tool with validated arguments (`tools/call`); the answer is mapped for the model as an HTTP
 * tool's is (its pointer, shortened to fit while JSON stays JSON). Throws `ToolCallError` with what went wrong,
 * the server's own message when it reports an error (`isError`).
 */
export async function callMcpTool(
  deps: Deps,
  target: ToolTarget,
  tool: ToolDefinition,
  args: Readonly<Record<string, unknown>>,
  signal?: AbortSignal,
): Promise<{ output: string; request: ShownRequest }> {
  const operation = tool.operation;
  if (operation.kind !== "mcp") throw new ToolCallError(`${tool.name} is not an MCP tool`);
  const endpoint: McpEndpoint = {
    tenantId: target.tenantId,
    url: target.baseUrl,
    credentialId: target.credentialId,
    headers: operation.headers,
  };
  const { result, auth } = await withServer(
    deps,
    endpoint,
    { timeoutMs: tool.timeoutMs, maxBytes: maxResponseBytes, ...(signal ? { signal } : {}) },
    async (exchange, requestOptions) => {
      const called = await exchange.client.callTool(
        { name: operation.tool, arguments: { ...args } },
        requestOptions,
      );
      return { result: called as CallToolResult, auth: exchange.auth() };
    },
  );
  const text = mask(resultText(result), auth.secrets);
  if (result.isError) {
    throw new ToolCallError(`the tool reported an error: ${text.slice(0, 1000) || "(no message)"}`);
  }
  // What was sent, as the trace and the try endpoint show it: the `tools/call` parameters, secrets masked.
  const request = mcpCallRequest(target.baseUrl, operation, args);
  const url = new URL(request.url);
  for (const [k, v] of Object.entries(auth.query)) url.searchParams.set(k, v);
  return {
    output: mapResponse(text, tool.select),
    request: shown({ ...request, url, headers: { ...request.headers, ...lowerCased(auth.headers) } }, auth),
  };
}
