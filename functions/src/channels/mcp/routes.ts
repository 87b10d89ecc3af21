/**
 * The MCP endpoint (Streamable HTTP, stateless): `POST /mcp` serves the tools a credential reaches in its
 * workspace, `POST /mcp/agents/{agentId}` one agent's. Built with the official TypeScript SDK
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
import type { AuthInfo, McpHttpHandler } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Caller } from "../../platform/caller.js";
import type { Deps } from "../../platform/deps.js";
import { AppError } from "../../platform/errors.js";
import type { ApiRequest, ApiResponse } from "../../platform/http/http.js";
import { route, type Route } from "../../platform/http/router.js";
import { idPattern } from "../../platform/ids.js";
import { log } from "../../platform/log.js";
import { buildMcpServer, mcpServesAgent, type McpScope } from "./server.js";

interface McpRequestContext {
  readonly deps: Deps;
  readonly caller: Caller;
  readonly scope: McpScope;
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
        return buildMcpServer(ctx.deps, ctx.caller, ctx.scope);
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

async function serve(
  deps: Deps,
  caller: Caller,
  scope: McpScope,
  req: ApiRequest,
  body: unknown,
): Promise<ApiResponse> {
  checkHostAndOrigin(deps, req);
  if (scope.kind === "agent" && !(await mcpServesAgent(deps, caller, scope.agentId))) {
    throw new AppError(
      "not-found",
      `Agent ${scope.agentId} not found, or its published version is not enabled on the mcp channel`,
    );
  }
  const alchemist: McpRequestContext = { deps, caller, scope };
  const authInfo: AuthInfo = {
    token: "",
    clientId: caller.uid,
    scopes: [],
    extra: { alchemist },
  };
  const mcp = await mcpHandler();
  return apiResponse(await mcp.fetch(webRequest(req, body), { authInfo, parsedBody: body }));
}

const tag = "MCP";
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
];
