/**
 * A Tool Forge tool set as an MCP server (`POST /mcp/tool-sets/{toolSetId}`, `?version=N` to pin one): the
 * tools of its latest published version, each with its name, description, its parameters as `inputSchema`, and
 * annotations saying whether it changes something. A call runs Tool Forge's executor with the workspace's
 * credential (the MCP client never sees a secret, nor the request's auth): the arguments are checked against
 * the tool's schema first, the answer comes back as text (and as `structuredContent` when it is a JSON object),
 * and a refusal or failure is an `isError` result that says why, so the model can act on it.
 *
 * Who gets what:
 * - reads go to credentials that may read the workspace (viewers and up, not agent-scoped keys), as the
 *   `search_` tools do: a read changes nothing, and its answer is the workspace's own data;
 * - writes are served only when the tool set's owner turned `mcpExport.writes` on, and then only to credentials
 *   that may manage tools (editors and up, who may try a write in the studio), marked `destructiveHint` so the
 *   MCP client asks its user before each call. By default a write is neither listed nor callable: nothing on
 *   this side could make a client ask first, so nothing runs a write unasked.
 */
import type { CallToolResult, McpServer, StandardSchemaWithJSON } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Caller } from "../../platform/caller.js";
import type { Deps } from "../../platform/deps.js";
import { recordAudit } from "../../platform/audit.js";
import { AppError, toAppError } from "../../platform/errors.js";
import { checkArguments } from "../../platform/json-schema.js";
import { log } from "../../platform/log.js";
import { hasPermission } from "../../platform/permissions.js";
import { ToolCallError } from "../../tools/executor.js";
import { callToolOutsideTurn } from "../../tools/outside-turn.js";
import type { ToolDefinition, ToolSetVersion } from "../../tools/schema.js";
import { getToolSet, getToolSetVersion, type ToolSetView } from "../../tools/toolsets.js";

/** `?version=N` on the endpoint and on its client configurations: a published version instead of the latest. */
export const servedVersionQuery = z.object({
  version: z.coerce.number().int().min(1).max(1_000_000).optional(),
});

/** One published version of a tool set, as its MCP endpoint serves it. */
export interface ServedToolSet {
  readonly toolSetId: string;
  readonly name: string;
  readonly version: ToolSetVersion;
  /** The owner's `mcpExport.writes`: whether write tools are served at all. */
  readonly writesExported: boolean;
}

/**
 * The version the endpoint serves: `version`, or the latest published. Another tenant's tool set reads as not
 * found (its lookup is under the caller's tenant); a tool set never published is refused with what to do.
 */
export async function servedToolSet(
  deps: Deps,
  caller: Caller,
  toolSetId: string,
  version?: number,
): Promise<ServedToolSet> {
  return servedVersion(deps, caller, await getToolSet(deps, caller.tenantId, toolSetId), version);
}

/** `servedToolSet` for a tool set already read. */
export async function servedVersion(
  deps: Deps,
  caller: Caller,
  set: ToolSetView,
  version?: number,
): Promise<ServedToolSet> {
  if (set.latestVersion === 0) {
    throw new AppError(
      "failed-precondition",
      `Tool set ${set.name} has no published version yet: publish it to serve its tools over MCP`,
    );
  }
  if (version !== undefined && version > set.latestVersion) {
    throw new AppError(
      "not-found",
      `Tool set ${set.name} has no version ${version}; its latest is ${set.latestVersion}`,
    );
  }
  return {
    toolSetId: set.id,
    name: set.name,
    version: await getToolSetVersion(deps, caller.tenantId, set.id, version ?? set.latestVersion),
    writesExported: set.mcpExport.writes,
  };
}

/** The tools the endpoint serves at all, in the version's order: the reads, and the writes when exported. */
export function exportedTools(served: ServedToolSet): ToolDefinition[] {
  return served.version.tools.filter((t) => t.enabled && (t.sideEffect === "read" || served.writesExported));
}

/** The tools a credential is served: reads to workspace readers, exported writes to those who manage tools. */
export function servedTools(caller: Caller, served: ServedToolSet): ToolDefinition[] {
  if (!hasPermission(caller, "workspace.read")) return [];
  const mayWrite = hasPermission(caller, "tools.manage");
  return exportedTools(served).filter((t) => t.sideEffect === "read" || mayWrite);
}

/** What `tools/list` says of a tool: MCP's hints from Tool Forge's side effect. */
export function toolAnnotations(tool: ToolDefinition) {
  return tool.sideEffect === "read"
    ? { readOnlyHint: true, openWorldHint: true }
    : { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
}

/**
 * The tool's parameters as the SDK takes an input schema: advertised as they are (JSON Schema 2020-12), and
 * passed through unchecked, so the check is the platform's own (`checkArguments`, as for agents and the try
 * endpoint) and its refusal a tool result the model reads, not a protocol error.
 */
function advertised(parameters: Readonly<Record<string, unknown>>): StandardSchemaWithJSON {
  return {
    "~standard": {
      version: 1,
      vendor: "alchemist",
      validate: (value: unknown) => ({ value }),
      jsonSchema: { input: () => ({ ...parameters }), output: () => ({ ...parameters }) },
    },
  };
}

const failure = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });

/** A JSON object answer, for `structuredContent`; anything else (text, arrays, shortened JSON) stays text only. */
function jsonObject(output: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(output) as unknown;
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

async function run(
  deps: Deps,
  caller: Caller,
  served: ServedToolSet,
  tool: ToolDefinition,
  args: unknown,
  signal: AbortSignal | undefined,
): Promise<CallToolResult> {
  const checked = checkArguments(tool.parameters, args ?? {});
  if (!checked.ok) {
    return failure(`The arguments do not match the schema of ${tool.name}: ${checked.problems}`);
  }
  const { version } = served;
  let outcome: { status: number | null; ok: boolean };
  let result: CallToolResult;
  try {
    const answer = await callToolOutsideTurn(deps, {
      channel: "mcp",
      toolSetId: served.toolSetId,
      target: { tenantId: caller.tenantId, baseUrl: version.baseUrl, credentialId: version.credentialId },
      tool,
      args: checked.value,
      ...(signal ? { signal } : {}),
    });
    const structured = jsonObject(answer.output);
    outcome = { status: answer.status, ok: true };
    result = {
      content: [{ type: "text", text: answer.output }],
      ...(structured ? { structuredContent: structured } : {}),
    };
  } catch (e) {
    if (!(e instanceof ToolCallError)) {
      const error = toAppError(e);
      log.warn("mcp tool call failed", { tool: tool.name, code: error.code });
      return failure(`${tool.name} could not be called: ${error.message} (${error.code})`);
    }
    outcome = { status: e.status, ok: false };
    result = failure(`${tool.name} failed: ${e.message}`);
  }
  if (tool.sideEffect === "write") {
    // A write changed (or tried to change) something with the workspace's credential, on a remote client's
    // say: the audit log says who, which tool and version, and how it went (never the arguments).
    await recordAudit(deps, {
      tenantId: caller.tenantId,
      actor: caller.uid,
      action: "toolSet.mcpCall",
      target: { type: "toolSet", id: served.toolSetId },
      after: { tool: tool.name, version: version.version, ...outcome },
    });
  }
  return result;
}

/** The MCP server one request of `caller` is answered by, for one published version of a tool set. */
export async function buildToolSetMcpServer(
  deps: Deps,
  caller: Caller,
  served: ServedToolSet,
): Promise<McpServer> {
  // Loaded with the first MCP request, not at every cold start of the API.
  const { McpServer } = await import("@modelcontextprotocol/server");
  const server = new McpServer(
    { name: "alchemist-tool-set", version: deps.config.version },
    {
      instructions:
        `The tools of "${served.name}" (version ${served.version.version}), called by Alchemist with the ` +
        "workspace's own credentials. Tools marked destructive change something: confirm with the user first.",
    },
  );
  for (const tool of servedTools(caller, served)) {
    server.registerTool(
      tool.name,
      {
        description: tool.description,
        inputSchema: advertised(tool.parameters),
        annotations: toolAnnotations(tool),
      },
      (args: unknown, ctx) => run(deps, caller, served, tool, args, ctx.mcpReq.signal),
    );
  }
  return server;
}
