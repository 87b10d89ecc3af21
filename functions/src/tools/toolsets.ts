/**
 * Tool sets: a workspace's tools for one API (imported from its OpenAPI document, or written by hand), edited as
 * a draft and published as immutable versions. An agent pins a tool set's version; publishing a new version
 * changes no agent until the agent is republished with it. Every check runs when a tool set is saved, so a
 * mistake is refused with what to fix instead of failing in a conversation: tool names, argument schemas
 * (usable JSON Schema, each argument placed in the request), the base URL (the egress policy, DNS included)
 * and the credential (of this workspace).
 */
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import { validatorFor } from "../platform/json-schema.js";
import { ttlCache } from "../platform/ttl-cache.js";
import { getCredential } from "./credentials.js";
import { fetchOpenApiDocument } from "./fetch-document.js";
import { serverOf, toolsFromImport } from "./from-openapi.js";
import { headerProblem, isStdioUrl, stdioServer } from "./mcp-source.js";
import { importOpenApi } from "./openapi/import.js";
import type { OpenApiImport } from "./openapi/schema.js";
import {
  toolDefinitionSchema,
  toolSetPath,
  toolSetSchema,
  toolSetsPath,
  toolSetVersionPath,
  toolSetVersionSchema,
  toolSetVersionsPath,
  type ToolDefinition,
  type ToolSet,
  type ToolSetVersion,
} from "./schema.js";

export const maxToolsPerSet = 2000;

const baseUrl = z.url({ protocol: /^https?$/ }).max(2000);

export const toolSetInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(2000).default(""),
    baseUrl,
    credentialId: z.string().min(1).max(128).nullable().default(null),
    tools: z.array(toolDefinitionSchema).max(maxToolsPerSet).default([]),
  })
  .strict();

/** A change: any of the draft's fields; `enabled` switches tools on or off by name without sending them all. */
export const toolSetPatch = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().trim().max(2000),
    baseUrl,
    credentialId: z.string().min(1).max(128).nullable(),
    tools: z.array(toolDefinitionSchema).max(maxToolsPerSet),
    enabled: z.record(z.string(), z.boolean()),
    /** Whether the published write tools are served over MCP too (channels/mcp/toolsets.ts). */
    mcpExport: z.object({ writes: z.boolean() }).strict(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, "send at least one field to change");

export type ToolSetView = ToolSet & { readonly id: string };

/** Checks what zod cannot; the message names the tool and what to fix. */
export function checkTools(tools: readonly ToolDefinition[]): void {
  const seen = new Set<string>();
  // The base URL is an API's root for HTTP tools and an MCP server's endpoint for MCP tools: one or the other.
  if (new Set(tools.map((t) => t.operation.kind === "mcp")).size > 1)
    throw new AppError(
      "invalid-argument",
      "A tool set's tools are all HTTP tools or all MCP tools, not both",
    );
  for (const tool of tools) {
    const fail = (message: string) => {
      throw new AppError("invalid-argument", `Tool "${tool.name}": ${message}`);
    };
    if (seen.has(tool.name)) throw new AppError("invalid-argument", `Tool "${tool.name}" is declared twice`);
    seen.add(tool.name);
    if (tool.parameters.type !== "object") fail('parameters must be a JSON Schema of type "object"');
    try {
      validatorFor(tool.parameters);
    } catch (e) {
      fail(`parameters are not a usable JSON Schema (${(e as Error).message})`);
    }
    if (tool.operation.kind === "mcp") {
      for (const [name, value] of Object.entries(tool.operation.headers)) {
        const problem = headerProblem(name, value);
        if (problem) fail(problem);
      }
      continue;
    }
    const properties = Object.keys((tool.parameters.properties ?? {}) as Record<string, unknown>);
    for (const name of properties) {
      if (!tool.operation.arguments[name]) fail(`the argument ${name} is not placed in the request`);
    }
    for (const [name, placement] of Object.entries(tool.operation.arguments)) {
      if (!properties.includes(name)) fail(`the request places ${name}, which the parameters do not declare`);
      if (placement.in === "body" && !tool.operation.body)
        fail(`${name} goes in a body the operation does not send`);
    }
    for (const [, segment] of tool.operation.path.matchAll(/\{([^}]+)\}/g)) {
      const placed = Object.values(tool.operation.arguments).some(
        (p) => p.in === "path" && p.name === segment,
      );
      if (!placed) fail(`the path's {${segment}} is not an argument`);
    }
    const whole = Object.values(tool.operation.arguments).filter((p) => p.in === "body");
    if (tool.operation.body?.mode === "whole" && whole.length !== 1)
      fail("a whole-body operation takes exactly one body argument");
  }
}

async function checkBaseUrl(deps: Deps, url: string): Promise<void> {
  if (isStdioUrl(url)) {
    stdioServer(deps, url); // local mode and the operator's list, or a refusal saying so
    return;
  }
  try {
    await deps.egress.check(url);
  } catch (e) {
    if (!isAppError(e)) throw e;
    if (e.code === "unavailable")
      throw new AppError("unavailable", `The base URL cannot be checked now: ${e.message}; try again`);
    throw new AppError("invalid-argument", `The base URL cannot be called: ${e.message}`, {
      issues: [{ path: "baseUrl", message: e.message }],
    });
  }
}

async function checkCredential(deps: Deps, tenantId: string, credentialId: string | null): Promise<void> {
  if (credentialId !== null) await getCredential(deps, tenantId, credentialId);
}

export async function createToolSet(
  deps: Deps,
  caller: Caller,
  input: z.infer<typeof toolSetInput>,
  source: ToolSet["source"] = { kind: "manual" },
): Promise<ToolSetView> {
  checkTools(input.tools);
  checkSize(input.tools, "The tools");
  await checkBaseUrl(deps, input.baseUrl);
  await checkCredential(deps, caller.tenantId, input.credentialId);
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const set: ToolSet = {
    name: input.name,
    description: input.description,
    source,
    baseUrl: input.baseUrl,
    credentialId: input.credentialId,
    tools: input.tools,
    latestVersion: 0,
    mcpExport: { writes: false },
    createdAt: now,
    updatedAt: now,
  };
  const batch = deps.store.batch();
  batch.create(toolSetPath(caller.tenantId, id), set);
  await recordAudit(
    deps,
    {
      tenantId: caller.tenantId,
      actor: caller.uid,
      action: "toolSet.create",
      target: { type: "toolSet", id },
      after: { name: set.name, baseUrl: set.baseUrl, tools: set.tools.length, source: source.kind },
    },
    batch,
  );
  await batch.commit();
  return { id, ...set };
}

/**
 * The most a tool set's tools may take, serialized: a Firestore document holds at most 1 MiB, and both modes
 * keep the same limit so a tool set that works here works in Firebase mode.
 */
export const maxToolSetBytes = 900 * 1024;

export function checkSize(tools: readonly ToolDefinition[], what: string): void {
  const bytes = Buffer.byteLength(JSON.stringify(tools));
  if (bytes > maxToolSetBytes) {
    throw new AppError(
      "invalid-argument",
      `${what} take ${Math.ceil(bytes / 1024)} KB, over the ${maxToolSetBytes / 1024} KB a tool set holds: ` +
        "keep fewer operations (import with `only`, naming tags or operations)",
    );
  }
}

export const importInput = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    /** The OpenAPI 3.x or Swagger 2.0 document: its text (JSON or YAML) or the parsed object. */
    spec: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    /** Or where to fetch it (through the egress guard: public hosts only); the tool set's source keeps it. */
    url: baseUrl.optional(),
    /** Where the operations are called; the document's first absolute server URL when omitted. */
    baseUrl: baseUrl.optional(),
    credentialId: z.string().min(1).max(128).nullable().default(null),
    /** Keep only the operations with these tags or names (big APIs: pick the part an agent needs). */
    only: z.array(z.string().min(1).max(200)).min(1).max(500).optional(),
    /** Which tools start enabled: none (the default), the reads, all, or those with these tags or names. */
    enable: z
      .union([z.enum(["none", "read", "all"]), z.array(z.string().min(1).max(200)).max(500)])
      .default("none"),
  })
  .strict()
  .refine((input) => (input.spec === undefined) !== (input.url === undefined), {
    message: "send the document as spec, or its URL as url (one of the two)",
    path: ["spec"],
  });

/** Imports an OpenAPI document as a new tool set: every operation a tool, or listed with why it is not. */
export async function importToolSet(
  deps: Deps,
  caller: Caller,
  input: z.infer<typeof importInput>,
): Promise<
  ToolSetView & { readonly securitySchemes: OpenApiImport["securitySchemes"]; readonly warnings: string[] }
> {
  const fetched = input.url !== undefined ? await fetchOpenApiDocument(deps, caller, input.url) : null;
  const imported = fetched
    ? await importOpenApi(fetched.text, {}, fetched.answeredUrl).catch((e: unknown) => {
        // Too large to read (YAML over its limit) is, for a URL, one more reason to send another document.
        if (isAppError(e) && e.code === "payload-too-large")
          throw new AppError("invalid-argument", e.message, {
            issues: [{ path: "url", message: e.message }],
          });
        throw e;
      })
    : await importOpenApi(input.spec as string | Record<string, unknown>);
  const chosen = input.only
    ? {
        ...imported,
        operations: imported.operations.filter(
          (op) => input.only?.includes(op.name) || op.tags.some((tag) => input.only?.includes(tag)),
        ),
      }
    : imported;
  if (chosen.operations.length === 0) {
    throw new AppError("invalid-argument", "No operation of the document has the tags or names in `only`");
  }
  const { tools, skipped } = toolsFromImport(chosen, input.enable);
  const base = input.baseUrl ?? serverOf(imported);
  if (!base) {
    throw new AppError(
      "invalid-argument",
      "The document names no absolute server URL to call: send baseUrl (e.g. https://api.example.com/v1)",
      { issues: [{ path: "baseUrl", message: "required: the document has no absolute server URL" }] },
    );
  }
  checkSize(tools, "The imported tools");
  const set = await createToolSet(
    deps,
    caller,
    {
      name: input.name ?? (imported.title.trim().slice(0, 100) || "Imported API"),
      description: `${imported.title} ${imported.version}`.trim().slice(0, 2000),
      baseUrl: base,
      credentialId: input.credentialId,
      tools,
    },
    {
      kind: "openapi",
      title: imported.title.slice(0, 200),
      specVersion: imported.specVersion,
      skipped: skipped.slice(0, 2000),
      ...(fetched ? { url: fetched.shownUrl } : {}),
    },
  );
  return { ...set, securitySchemes: imported.securitySchemes, warnings: imported.warnings };
}

export async function listToolSets(deps: Deps, tenantId: string): Promise<ToolSetView[]> {
  const snaps = await deps.store.query({ collection: toolSetsPath(tenantId) });
  return snaps
    .map((s) => ({ id: s.id, ...toolSetSchema.parse(s.data) }))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

export async function getToolSet(deps: Deps, tenantId: string, id: string): Promise<ToolSetView> {
  const snap = await deps.store.get(toolSetPath(tenantId, id));
  if (!snap) throw new AppError("not-found", `Tool set ${id} not found`);
  return { id, ...toolSetSchema.parse(snap.data) };
}

export async function updateToolSet(
  deps: Deps,
  caller: Caller,
  id: string,
  patch: z.infer<typeof toolSetPatch>,
): Promise<ToolSetView> {
  const before = await getToolSet(deps, caller.tenantId, id);
  let tools = patch.tools ?? before.tools;
  if (patch.enabled) {
    const names = new Set(tools.map((t) => t.name));
    const unknown = Object.keys(patch.enabled).filter((n) => !names.has(n));
    if (unknown.length > 0)
      throw new AppError("invalid-argument", `No tool named ${unknown.slice(0, 5).join(", ")} in this set`);
    tools = tools.map((t) =>
      patch.enabled?.[t.name] !== undefined ? { ...t, enabled: patch.enabled[t.name] as boolean } : t,
    );
  }
  if (patch.tools) checkTools(tools);
  checkSize(tools, "The tools");
  if (patch.baseUrl !== undefined) await checkBaseUrl(deps, patch.baseUrl);
  if (patch.credentialId !== undefined) await checkCredential(deps, caller.tenantId, patch.credentialId);
  const changes: Partial<ToolSet> = {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.baseUrl !== undefined ? { baseUrl: patch.baseUrl } : {}),
    ...(patch.credentialId !== undefined ? { credentialId: patch.credentialId } : {}),
    ...(patch.tools || patch.enabled ? { tools } : {}),
    ...(patch.mcpExport !== undefined ? { mcpExport: patch.mcpExport } : {}),
    updatedAt: deps.clock.nowIso(),
  };
  const batch = deps.store.batch();
  batch.update(toolSetPath(caller.tenantId, id), changes);
  await recordAudit(
    deps,
    {
      tenantId: caller.tenantId,
      actor: caller.uid,
      action: "toolSet.update",
      target: { type: "toolSet", id },
      after: {
        fields: Object.keys(patch),
        enabledTools: tools.filter((t) => t.enabled).length,
      },
    },
    batch,
  );
  await batch.commit();
  return getToolSet(deps, caller.tenantId, id);
}

/**
 * Publishes the draft's enabled tools as the next version, checked as they are now (the base URL against the
 * egress policy again, the credential still there). Versions are never changed or deleted: agents pin them.
 */
export async function publishToolSet(deps: Deps, caller: Caller, id: string): Promise<ToolSetVersion> {
  const set = await getToolSet(deps, caller.tenantId, id);
  const enabled = set.tools.filter((t) => t.enabled);
  if (enabled.length === 0) {
    throw new AppError(
      "failed-precondition",
      `Tool set ${set.name} has no enabled tool to publish: enable at least one`,
    );
  }
  checkTools(enabled);
  await checkBaseUrl(deps, set.baseUrl);
  await checkCredential(deps, caller.tenantId, set.credentialId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(toolSetPath(caller.tenantId, id));
    if (!snap) throw new AppError("not-found", `Tool set ${id} not found`);
    const current = toolSetSchema.parse(snap.data);
    if (current.updatedAt !== set.updatedAt) {
      throw new AppError(
        "aborted",
        `Tool set ${set.name} changed while it was being published; publish again`,
      );
    }
    const version: ToolSetVersion = {
      version: current.latestVersion + 1,
      baseUrl: current.baseUrl,
      credentialId: current.credentialId,
      tools: enabled,
      createdAt: deps.clock.nowIso(),
      createdBy: caller.uid,
    };
    tx.create(toolSetVersionPath(caller.tenantId, id, version.version), version);
    tx.update(toolSetPath(caller.tenantId, id), { latestVersion: version.version });
    await recordAudit(
      deps,
      {
        tenantId: caller.tenantId,
        actor: caller.uid,
        action: "toolSet.publish",
        target: { type: "toolSet", id },
        after: { version: version.version, tools: enabled.map((t) => t.name).slice(0, 50) },
      },
      tx,
    );
    return version;
  });
}

/**
 * Published versions never change, and every turn of an agent that pins one reads it: each is read once per
 * instance (for a while), not once per turn. A version that does not exist is not kept.
 */
const versions = ttlCache<ToolSetVersion>(10 * 60_000);

export function getToolSetVersion(
  deps: Deps,
  tenantId: string,
  id: string,
  version: number,
): Promise<ToolSetVersion> {
  return versions.get(toolSetVersionPath(tenantId, id, version), async () => {
    const snap = await deps.store.get(toolSetVersionPath(tenantId, id, version));
    if (!snap) throw new AppError("not-found", `Tool set ${id} has no version ${version}`);
    return toolSetVersionSchema.parse(snap.data);
  });
}

export async function listToolSetVersions(
  deps: Deps,
  tenantId: string,
  id: string,
): Promise<ToolSetVersion[]> {
  await getToolSet(deps, tenantId, id);
  const snaps = await deps.store.query({
    collection: toolSetVersionsPath(tenantId, id),
    orderBy: [{ field: "version", direction: "desc" }],
  });
  return snaps.map((s) => toolSetVersionSchema.parse(s.data));
}
