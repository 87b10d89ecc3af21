/**
 * Tool sets made from a remote MCP server: its tools listed (mcp-source.ts) into a draft, each a tool whose call
 * is the server's `tools/call`, or listed with why it cannot be one; refreshed later from the server, keeping
 * what the workspace decided (names, descriptions, enabled flags) for the tools still there. Nothing is written
 * until the server has answered: a server that cannot be reached or listed creates nothing.
 */
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import { getCredential } from "./credentials.js";
import { ToolCallError } from "./tool-calls.js";
import {
  headerProblem,
  isSkipped,
  isStdioUrl,
  listMcpTools,
  stdioServer,
  toolFromMcp,
  uniqueName,
  type McpEndpoint,
  type McpListing,
  type SkippedTool,
} from "./mcp-source.js";
import {
  mcpHeaderNamePattern,
  toolSetPath,
  toolSetSchema,
  type ToolDefinition,
  type ToolSet,
} from "./schema.js";
import {
  checkSize,
  checkTools,
  createToolSet,
  getToolSet,
  maxToolsPerSet,
  type ToolSetView,
} from "./toolsets.js";

/** Which of the server's tools start enabled: none (the default), the read-only ones, or all. */
const enableChoice = z.enum(["none", "read", "all"]).default("none");
type EnableChoice = z.infer<typeof enableChoice>;

export const mcpToolSetInput = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    /** The server's Streamable HTTP endpoint, or `stdio:<name>` for a server the operator allows (local mode). */
    url: z
      .string()
      .max(2000)
      .refine(
        (url) =>
          /^stdio:[a-zA-Z0-9_-]{1,64}$/.test(url) || z.url({ protocol: /^https?$/ }).safeParse(url).success,
        "an http(s) URL, or stdio:<name>",
      ),
    credentialId: z.string().min(1).max(128).nullable().default(null),
    /** Headers the server needs that are not secrets (a workspace or tenant name); secrets go in a credential. */
    headers: z
      .record(z.string().regex(mcpHeaderNamePattern, "a header name"), z.string().max(2000))
      .default({})
      .refine((h) => Object.keys(h).length <= 20, "at most 20 headers"),
    enable: enableChoice,
  })
  .strict();

export const refreshInput = z.object({ enable: enableChoice }).strict();

const refuse = (path: string, message: string): AppError =>
  new AppError("invalid-argument", message, { issues: [{ path, message }] });

const enabledBy =
  (choice: EnableChoice) =>
  (sideEffect: "read" | "write"): boolean =>
    choice === "all" || (choice === "read" && sideEffect === "read");

/** The server's listing, or why it could not be had, as `refuse` says it. */
async function listOrRefuse(
  deps: Deps,
  endpoint: McpEndpoint,
  refusal: (message: string) => AppError,
): Promise<McpListing> {
  try {
    return await listMcpTools(deps, endpoint);
  } catch (e) {
    if (e instanceof ToolCallError)
      throw refusal(
        `The MCP server's tools could not be listed: ${e.message.replace(/^the tool('s)? /, "the server$1 ")}`,
      );
    if (isAppError(e)) throw refusal(e.message);
    throw e;
  }
}

function draftTools(
  listing: McpListing,
  headers: Readonly<Record<string, string>>,
  enable: EnableChoice,
): { tools: ToolDefinition[]; skipped: SkippedTool[] } {
  const taken = new Set<string>();
  const tools: ToolDefinition[] = [];
  const skipped: SkippedTool[] = [];
  for (const listed of listing.tools) {
    if (tools.length >= maxToolsPerSet) {
      skipped.push({ operation: listed.name, reason: `a tool set holds at most ${maxToolsPerSet} tools` });
      continue;
    }
    const tool = toolFromMcp(listed, uniqueName(listed.name, taken), headers, enabledBy(enable));
    if (isSkipped(tool)) skipped.push(tool);
    else tools.push(tool);
  }
  return { tools, skipped };
}

const describeServer = (listing: McpListing, url: string): string =>
  `${listing.serverName || url} ${listing.serverVersion}`.trim().slice(0, 1900) +
  ` (MCP ${listing.protocolVersion || "server"})`;

/** Checks what the request names before a byte goes to the server: headers, the stdio name, the credential. */
async function checkEndpoint(
  deps: Deps,
  caller: Caller,
  input: z.infer<typeof mcpToolSetInput>,
): Promise<void> {
  for (const [name, value] of Object.entries(input.headers)) {
    const problem = headerProblem(name, value);
    if (problem) throw refuse(`headers.${name}`, `The header ${problem}`);
  }
  if (isStdioUrl(input.url)) {
    if (input.credentialId !== null || Object.keys(input.headers).length > 0)
      throw refuse(
        "url",
        "A stdio MCP server takes no credential or headers: the operator configures its environment",
      );
    try {
      stdioServer(deps, input.url);
    } catch (e) {
      if (isAppError(e)) throw refuse("url", e.message);
      throw e;
    }
  } else if (new URL(input.url).username || new URL(input.url).password) {
    throw refuse("url", "The URL must not carry a user name or password: keep them in a credential");
  }
  // Another workspace's credential does not exist here (404), and nothing is sent anywhere with it.
  if (input.credentialId !== null) await getCredential(deps, caller.tenantId, input.credentialId);
  if (!isStdioUrl(input.url)) {
    try {
      await deps.egress.check(input.url);
    } catch (e) {
      if (!isAppError(e)) throw e;
      if (e.code === "unavailable")
        throw new AppError("unavailable", `The URL cannot be checked now: ${e.message}; try again`);
      throw refuse("url", `The MCP server's URL cannot be called: ${e.message}`);
    }
  }
}

/** Creates a tool set from a remote MCP server's tools; nothing is created if the server cannot be listed. */
export async function createMcpToolSet(
  deps: Deps,
  caller: Caller,
  input: z.infer<typeof mcpToolSetInput>,
): Promise<ToolSetView> {
  await checkEndpoint(deps, caller, input);
  const listing = await listOrRefuse(
    deps,
    { tenantId: caller.tenantId, url: input.url, credentialId: input.credentialId, headers: input.headers },
    (message) => refuse("url", message),
  );
  const { tools, skipped } = draftTools(listing, input.headers, input.enable);
  if (tools.length === 0) {
    const why = skipped
      .slice(0, 3)
      .map((s) => `${s.operation}: ${s.reason}`)
      .join("; ");
    throw refuse("url", `The MCP server lists no tool that can be used${why ? ` (${why})` : ""}`);
  }
  checkSize(tools, "The server's tools");
  return createToolSet(
    deps,
    caller,
    {
      name: input.name ?? (listing.serverName.trim().slice(0, 100) || "MCP server"),
      description: describeServer(listing, input.url),
      baseUrl: input.url,
      credentialId: input.credentialId,
      tools,
    },
    {
      kind: "mcp",
      url: input.url,
      serverName: listing.serverName,
      serverVersion: listing.serverVersion,
      protocolVersion: listing.protocolVersion,
      headers: input.headers,
      skipped: skipped.slice(0, 2000),
    },
  );
}

export interface RefreshReport {
  /** Names of the tools the server lists now and the draft did not have (they start as `enable` says). */
  readonly added: string[];
  /** Names of the draft's tools the server no longer lists (or can no longer be used), taken out of the draft. */
  readonly removed: string[];
  /** Names of the tools whose arguments or read/write nature the server changed. */
  readonly changed: string[];
}

/**
 * Lists an MCP tool set's server again into its draft. A tool still there keeps the draft's name, description,
 * enabled flag, timeout, pointer and limits; its arguments and whether it only reads are the server's, as now
 * listed. Published versions do not change: publish the draft to give agents the new tools.
 */
export async function refreshToolSet(
  deps: Deps,
  caller: Caller,
  id: string,
  input: z.infer<typeof refreshInput>,
): Promise<ToolSetView & RefreshReport> {
  const set = await getToolSet(deps, caller.tenantId, id);
  const source = set.source;
  if (source.kind !== "mcp") {
    throw new AppError(
      "failed-precondition",
      `Tool set ${set.name} was not made from an MCP server: only MCP tool sets are refreshed`,
    );
  }
  const listing = await listOrRefuse(
    deps,
    { tenantId: caller.tenantId, url: set.baseUrl, credentialId: set.credentialId, headers: source.headers },
    (message) => new AppError("failed-precondition", message),
  );
  const before = new Map<string, ToolDefinition>();
  for (const tool of set.tools) if (tool.operation.kind === "mcp") before.set(tool.operation.tool, tool);

  // The names the draft's tools keep are taken first, so a new tool never takes one of them.
  const taken = new Set(
    listing.tools.flatMap((t) => {
      const kept = before.get(t.name);
      return kept ? [kept.name] : [];
    }),
  );
  const tools: ToolDefinition[] = [];
  const skipped: SkippedTool[] = [];
  const report: RefreshReport = { added: [], removed: [], changed: [] };
  for (const listed of listing.tools) {
    const kept = before.get(listed.name);
    if (!kept && tools.length >= maxToolsPerSet) {
      skipped.push({ operation: listed.name, reason: `a tool set holds at most ${maxToolsPerSet} tools` });
      continue;
    }
    const name = kept ? kept.name : uniqueName(listed.name, taken);
    const fresh = toolFromMcp(listed, name, source.headers, enabledBy(input.enable));
    if (isSkipped(fresh)) {
      skipped.push(fresh);
      continue;
    }
    if (!kept) {
      tools.push(fresh);
      report.added.push(fresh.name);
      continue;
    }
    if (
      JSON.stringify(kept.parameters) !== JSON.stringify(fresh.parameters) ||
      kept.sideEffect !== fresh.sideEffect
    ) {
      report.changed.push(kept.name);
    }
    tools.push({
      ...kept,
      parameters: fresh.parameters,
      sideEffect: fresh.sideEffect,
      operation: fresh.operation,
    });
  }
  const present = new Set(tools.map((t) => t.name));
  for (const tool of before.values()) if (!present.has(tool.name)) report.removed.push(tool.name);
  checkTools(tools);
  checkSize(tools, "The server's tools");

  const changes: Partial<ToolSet> = {
    tools,
    source: {
      ...source,
      url: set.baseUrl,
      serverName: listing.serverName,
      serverVersion: listing.serverVersion,
      protocolVersion: listing.protocolVersion,
      skipped: skipped.slice(0, 2000),
    },
    updatedAt: deps.clock.nowIso(),
  };
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(toolSetPath(caller.tenantId, id));
    if (!snap) throw new AppError("not-found", `Tool set ${id} not found`);
    // The server was listed from the draft as it was: a change made meanwhile is not overwritten.
    if (toolSetSchema.parse(snap.data).updatedAt !== set.updatedAt) {
      throw new AppError(
        "aborted",
        `Tool set ${set.name} changed while it was being refreshed; refresh again`,
      );
    }
    tx.update(toolSetPath(caller.tenantId, id), changes);
    await recordAudit(
      deps,
      {
        tenantId: caller.tenantId,
        actor: caller.uid,
        action: "toolSet.refresh",
        target: { type: "toolSet", id },
        after: {
          added: report.added.slice(0, 50),
          removed: report.removed.slice(0, 50),
          changed: report.changed.slice(0, 50),
        },
      },
      tx,
    );
  });
  return { ...(await getToolSet(deps, caller.tenantId, id)), ...report };
}
