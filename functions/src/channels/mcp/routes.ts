/**
 * The MCP endpoint (Streamable HTTP, stateless): `POST /mcp` serves the tools a credential reaches in its
 * workspace, `POST /mcp/agents/{agentId}` one agent's, `POST /mcp/tool-sets/{toolSetId}` a Tool Forge tool
 * set's published tools (toolsets.ts), with ready client configurations at `GET /v1/tool-sets/{id}/mcp-config`
 * (client-config.ts). Every endpoint shares the machinery below. Built with the official TypeScript SDK
 * (`createMcpHandler`), which speaks the 2026-07-28 revision (no `initialize`, `server/discover`, per-request
 * `_meta`, the `MCP-Protocol-Version`/`Mcp-Method`/`Mcp-Name` headers) and the 2025-11-25 revision on the
 * same endpoint, each request served by a fresh server, so any instance can answer any request.
 *
 * - Credentials are the API's own bearer tokens (API keys; Firebase ID tokens in Firebase mode), checked by
 *   the router before a byte of MCP is read. A 401 carries an RFC 9728 challenge naming the protected-resource
 *   metadata (`/.well-known/oauth-protected-resource/...`), which says how tokens are obtained.
 * - `Host` must be one of the configured MCP hosts and `Origin`, when a browser sends one, an allowed origin
 *   (DNS-rebinding protection, as the transport specification requires): otherwise 403, nothing served.
 * - GET and DELETE (2025 session streams and teardown) are refused with 405: there are no sessions.
 */
import type { AuthInfo, McpHttpHandler, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Caller } from "../../platform/caller.js";
import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import type { ApiRequest, ApiResponse } from "../../platform/http/http.js";
import { route, type Route } from "../../platform/http/router.js";
import { idPattern } from "../../platform/ids.js";
import { log } from "../../platform/log.js";
import { validate } from "../../platform/validation.js";
import { getToolSet } from "../../tools/toolsets.js";
import { apiKeyPlaceholder, mcpClientConfigs, mcpServerName } from "./client-config.js";
import { buildMcpServer, mcpServesAgent, type McpScope } from "./server.js";
import {
  buildToolSetMcpServer,
  exportedTools,
  servedToolSet,
  servedTools,
  servedVersion,
  servedVersionQuery,
  type ServedToolSet,
} from "./toolsets.js";

/** What the route hands the SDK's handler for one request: the server that answers it. */
interface McpRequestContext {
  readonly build: () => Promise<McpServer>;
}

/**
 * One handler for the process, made on the first MCP request (the SDK is loaded then, not at every cold start
 * of the API): it builds a server per request from what the route hands it.
 */
let handler: Promise<McpHttpHandler> | undefined;
function mcpHandler(): Promise<McpHttpHandler> {
  handler ??= import("@modelcontextprotocol/server").then(({ createMcpHandler }) =>
    createMcpHandler(
      ({ authInfo }) => {
        const ctx = authInfo?.extra?.["alchemist"] as McpRequestContext | undefined;
        if (!ctx) throw new Error("an MCP request reached the handler without its caller");
        return ctx.build();
      },
      {
        responseMode: "json",
        legacy: "stateless",
        onerror: (error) => log.warn("mcp request refused or failed", { error: error.message }),
      },
    ),
  );
  return handler;
}

/** Whether a host name is allowed by the list (`*`, exact names, `*.suffix` for names below it). */
export function hostAllowed(allowed: readonly string[], host: string | undefined): boolean {
  if (allowed.includes("*")) return true;
  if (!host) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  return allowed.some((a) => (a.startsWith("*.") ? hostname.endsWith(a.slice(1)) : hostname === a));
}

/** DNS-rebinding protection: a Host this instance does not serve MCP on, or a foreign browser Origin, is 403. */
function checkHostAndOrigin(deps: Deps, req: ApiRequest): void {
  if (!hostAllowed(deps.config.mcpAllowedHosts, req.headers.host)) {
    throw new AppError(
      "permission-denied",
      `The MCP endpoint does not answer for host '${(req.headers.host ?? "").slice(0, 100)}' (set MCP_ALLOWED_HOSTS to serve it)`,
    );
  }
  const origin = req.headers.origin;
  const origins = deps.config.allowedOrigins;
  if (origin !== undefined && !origins.includes("*") && !origins.includes(origin.toLowerCase())) {
    throw new AppError(
      "permission-denied",
      `Origin ${origin.slice(0, 100)} may not call the MCP endpoint (set ALLOWED_ORIGINS to allow it)`,
    );
  }
}

/** Where a resource's RFC 9728 metadata is: `/.well-known/oauth-protected-resource` + the resource's path. */
const metadataPath = (resourcePath: string): string => `/.well-known/oauth-protected-resource${resourcePath}`;

function originOf(req: ApiRequest): string {
  const proto = (req.headers["x-forwarded-proto"] ?? "").split(",")[0]?.trim() || "http";
  return `${proto === "https" ? "https" : "http"}://${req.headers.host ?? "localhost"}`;
}

const challenge = (req: ApiRequest): Record<string, string> => ({
  "www-authenticate": `Bearer resource_metadata="${originOf(req)}${metadataPath(req.path.replace(/\/$/, ""))}"`,
});

/** The request as the SDK reads it: a web Request with the JSON body the router already parsed. */
function webRequest(req: ApiRequest, body: unknown): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, value);
  // Clients that are not MCP clients (curl) often send no Accept: take them to want either shape.
  const accept = headers.get("accept") ?? "";
  if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
    headers.set("accept", "application/json, text/event-stream");
  }
  headers.delete("content-length");
  const query = req.query.toString();
  return new Request(`http://${req.headers.host ?? "localhost"}${req.path}${query ? `?${query}` : ""}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
}

/** The SDK's response as the API's: status, its headers (hop-by-hop ones aside), its bytes. */
async function apiResponse(response: Response): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!["content-length", "transfer-encoding", "connection", "keep-alive"].includes(name)) {
      headers[name] = value;
    }
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers, body: bytes.length > 0 ? bytes : undefined };
}

/**
 * Serves one MCP request of every endpoint: the host and origin checked first (nothing is looked up for a
 * rebinding page), then `open` says which server answers, or refuses (404 for what the caller cannot reach),
 * then the SDK answers the JSON-RPC message.
 */
async function serveMcp(
  deps: Deps,
  caller: Caller,
  req: ApiRequest,
  body: unknown,
  open: () => Promise<() => Promise<McpServer>>,
): Promise<ApiResponse> {
  checkHostAndOrigin(deps, req);
  const alchemist: McpRequestContext = { build: await open() };
  const authInfo: AuthInfo = {
    token: "",
    clientId: caller.uid,
    scopes: [],
    extra: { alchemist },
  };
  const mcp = await mcpHandler();
  return apiResponse(await mcp.fetch(webRequest(req, body), { authInfo, parsedBody: body }));
}

/** The agents' endpoints: the workspace's, or one agent's when it is served over MCP. */
function serve(
  deps: Deps,
  caller: Caller,
  scope: McpScope,
  req: ApiRequest,
  body: unknown,
): Promise<ApiResponse> {
  return serveMcp(deps, caller, req, body, async () => {
    if (scope.kind === "agent" && !(await mcpServesAgent(deps, caller, scope.agentId))) {
      throw new AppError(
        "not-found",
        `Agent ${scope.agentId} not found, or its published version is not enabled on the mcp channel`,
      );
    }
    return () => buildMcpServer(deps, caller, scope);
  });
}

/** The version `?version=N` names, if any (400 when it is not a version number). */
const versionOf = (req: ApiRequest): number | undefined =>
  validate(servedVersionQuery, { version: req.query.get("version") ?? undefined }, "query").version;

/** A tool set's endpoint: its published version's tools this credential may call. */
function serveToolSet(
  deps: Deps,
  caller: Caller,
  toolSetId: string,
  req: ApiRequest,
  body: unknown,
): Promise<ApiResponse> {
  return serveMcp(deps, caller, req, body, async () => {
    const served: ServedToolSet = await servedToolSet(deps, caller, toolSetId, versionOf(req));
    if (servedTools(caller, served).length === 0) {
      throw new AppError(
        "permission-denied",
        `This credential may call none of the tools of ${served.name}: its published tools change something, ` +
          "and write tools are served over MCP only when the tool set exports them, to editors and up",
      );
    }
    return () => buildToolSetMcpServer(deps, caller, served);
  });
}

/** `GET /v1/tool-sets/{id}/mcp-config`: the tool set's MCP endpoint and the configurations of common clients. */
async function toolSetMcpConfig(deps: Deps, caller: Caller, toolSetId: string, req: ApiRequest) {
  const version = versionOf(req);
  const set = await getToolSet(deps, caller.tenantId, toolSetId);
  const path = `/mcp/tool-sets/${encodeURIComponent(toolSetId)}`;
  const url = `${originOf(req)}${path}${version !== undefined ? `?version=${version}` : ""}`;
  // What a credential is served once a version is published: the reads, and the writes when exported.
  const served = set.latestVersion > 0 ? await servedVersion(deps, caller, set, version) : null;
  const tools = (served ? exportedTools(served) : []).map((t) => ({
    name: t.name,
    description: t.description,
    sideEffect: t.sideEffect,
  }));
  return {
    toolSetId,
    name: set.name,
    url,
    version: served?.version.version ?? null,
    latestVersion: set.latestVersion,
    mcpExport: set.mcpExport,
    tools,
    apiKeyPlaceholder,
    clients: mcpClientConfigs(url, mcpServerName(set.name)),
  };
}

const tag = "MCP";
const toolSetParams = z.object({ toolSetId: z.string().regex(idPattern, "must be a tool set id") });
const jsonRpcBody = {
  kind: "json" as const,
  schema: z.unknown().describe("A JSON-RPC message of the Model Context Protocol (2026-07-28 or 2025-11-25)"),
};

/** RFC 9728 protected-resource metadata: how to get a token the MCP endpoint accepts. */
function resourceMetadata(deps: Deps, req: ApiRequest, resourcePath: string) {
  const origin = originOf(req);
  const firebase = deps.config.mode === "firebase";
  return {
    resource: `${origin}${resourcePath}`,
    // Firebase mode takes Firebase Auth ID tokens (issued by Google's secure token service for the project);
    // both modes take the workspace's API keys, which the studio issues (Settings, API keys).
    authorization_servers: firebase ? [`https://securetoken.google.com/${deps.config.projectId}`] : [],
    bearer_methods_supported: ["header"],
    resource_name: "Alchemist MCP",
    resource_documentation: `${origin}/api`,
  };
}

export const mcpRoutes: Route<unknown, unknown>[] = [
  route({
    method: "POST",
    path: "/mcp",
    summary:
      "MCP (Streamable HTTP, stateless; revisions 2026-07-28 and 2025-11-25): ask_<agent> for every published " +
      "agent enabled on the mcp channel, search_<knowledge base> for every knowledge base (not for agent-scoped keys)",
    tag,
    permission: "conversations.converse",
    body: jsonRpcBody,
    raw: true,
    challenge,
    handle: ({ deps, caller, body, request }) => serve(deps, caller, { kind: "workspace" }, request, body),
  }),
  route({
    method: "POST",
    path: "/mcp/agents/{agentId}",
    summary: "MCP for one agent: its ask_ tool, and search_ tools for its knowledge bases",
    tag,
    permission: "conversations.converse",
    params: z.object({ agentId: z.string().regex(idPattern, "must be an agent id") }),
    agentOf: ({ params }) => params.agentId,
    body: jsonRpcBody,
    raw: true,
    challenge,
    handle: ({ deps, caller, params, body, request }) =>
      serve(deps, caller, { kind: "agent", agentId: params.agentId }, request, body),
  }),
  route({
    method: "POST",
    path: "/mcp/tool-sets/{toolSetId}",
    summary:
      "MCP for a Tool Forge tool set: the tools of its latest published version (?version=N for another), run " +
      "with the workspace's credential. Reads for credentials that may read the workspace (not agent-scoped " +
      "keys); writes only when the tool set exports them (mcpExport.writes), to editors and up, marked destructive",
    tag,
    permission: "workspace.read",
    params: toolSetParams,
    body: jsonRpcBody,
    raw: true,
    challenge,
    handle: ({ deps, caller, params, body, request }) =>
      serveToolSet(deps, caller, params.toolSetId, request, body),
  }),
  route({
    method: "GET",
    path: "/v1/tool-sets/{toolSetId}/mcp-config",
    summary:
      "A tool set's MCP endpoint and ready configurations for MCP clients (Claude Code, Claude Desktop, Cursor, " +
      "VS Code, any Streamable HTTP client), with <YOUR_API_KEY> where the key goes; ?version=N pins a version",
    tag,
    permission: "workspace.read",
    params: toolSetParams,
    handle: ({ deps, caller, params, request }) => toolSetMcpConfig(deps, caller, params.toolSetId, request),
  }),
  route({
    method: "GET",
    path: metadataPath("/mcp"),
    summary: "OAuth protected-resource metadata (RFC 9728) of the MCP endpoint",
    tag,
    permission: null,
    raw: true,
    handle: ({ deps, request }) =>
      Promise.resolve({ status: 200, body: resourceMetadata(deps, request, "/mcp") }),
  }),
  route({
    method: "GET",
    path: metadataPath("/mcp/agents/{agentId}"),
    summary: "OAuth protected-resource metadata (RFC 9728) of one agent's MCP endpoint",
    tag,
    permission: null,
    params: z.object({ agentId: z.string().regex(idPattern, "must be an agent id") }),
    raw: true,
    handle: ({ deps, params, request }) =>
      Promise.resolve({
        status: 200,
        body: resourceMetadata(deps, request, `/mcp/agents/${params.agentId}`),
      }),
  }),
  route({
    method: "GET",
    path: metadataPath("/mcp/tool-sets/{toolSetId}"),
    summary: "OAuth protected-resource metadata (RFC 9728) of a tool set's MCP endpoint",
    tag,
    permission: null,
    params: toolSetParams,
    raw: true,
    handle: ({ deps, params, request }) =>
      Promise.resolve({
        status: 200,
        body: resourceMetadata(deps, request, `/mcp/tool-sets/${params.toolSetId}`),
      }),
  }),
];
