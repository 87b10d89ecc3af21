/** Tool Forge's REST routes: tool sets (draft, try, publish, versions) and the credentials tools use. */
import { z } from "zod";
import { idPattern } from "../platform/ids.js";
import { checkArguments } from "../platform/json-schema.js";
import { route, type Route } from "../platform/http/router.js";
import { AppError } from "../platform/errors.js";
import { validate } from "../platform/validation.js";
import {
  createCredential,
  credentialInput,
  credentialPatch,
  deleteCredential,
  getCredential,
  listCredentials,
  updateCredential,
} from "./credentials.js";
import { ToolCallError } from "./executor.js";
import { callToolOutsideTurn } from "./outside-turn.js";
import { createMcpToolSet, mcpToolSetInput, refreshInput, refreshToolSet } from "./mcp-toolsets.js";
import {
  createToolSet,
  getToolSet,
  getToolSetVersion,
  importInput,
  importToolSet,
  listToolSets,
  listToolSetVersions,
  publishToolSet,
  toolSetInput,
  toolSetPatch,
  updateToolSet,
} from "./toolsets.js";

const tag = "Tool Forge";
const setParams = z.object({ toolSetId: z.string().regex(idPattern, "must be a tool set id") });
const versionParams = setParams.extend({ version: z.coerce.number().int().min(1) });
const toolParams = setParams.extend({
  toolName: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be a tool name"),
});
const credentialParams = z.object({ credentialId: z.string().regex(idPattern, "must be a credential id") });

const tryInput = z
  .object({
    arguments: z.record(z.string(), z.unknown()).default({}),
    /** A write tool changes something: trying one needs this, said by the person trying it. */
    confirm: z.boolean().default(false),
  })
  .strict();

export const toolRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/tool-sets",
    summary: "List the workspace's tool sets (drafts, with their latest published version)",
    tag,
    permission: "workspace.read",
    handle: async ({ deps, caller }) => ({ toolSets: await listToolSets(deps, caller.tenantId) }),
  }),
  route({
    method: "POST",
    path: "/v1/tool-sets",
    summary: "Create a tool set by hand: a base URL, an optional credential, and HTTP tools",
    tag,
    permission: "tools.manage",
    body: { kind: "json", schema: toolSetInput },
    status: 201,
    handle: ({ deps, caller, body }) => createToolSet(deps, caller, body),
  }),
  route({
    method: "POST",
    path: "/v1/tool-sets/import",
    summary:
      "Import an OpenAPI 3.x or Swagger 2.0 document (JSON or YAML; uploaded, sent as `spec`, or fetched from " +
      "`url` through the egress guard) as a tool set: every operation a tool " +
      "(switched off until enabled) or listed with why it cannot be one; the security schemes it declares, " +
      "to create the matching credential",
    tag,
    permission: "tools.manage",
    body: { kind: "upload", jsonAlternative: importInput },
    status: 201,
    handle: ({ deps, caller, body, upload }) => {
      if (upload) {
        const file = upload.files[0];
        if (!file || upload.files.length > 1) {
          throw new AppError("invalid-argument", "Send one OpenAPI document, as the form's 'file' field");
        }
        const fields = upload.fields;
        const input = validate(
          importInput,
          {
            spec: file.bytes.toString("utf8"),
            ...(fields.name ? { name: fields.name } : {}),
            ...(fields.baseUrl ? { baseUrl: fields.baseUrl } : {}),
            ...(fields.credentialId ? { credentialId: fields.credentialId } : {}),
            ...(fields.only
              ? {
                  only: fields.only
                    .split(",")
                    .map((s) => s.trim())
                    .filter(Boolean),
                }
              : {}),
            ...(fields.enable
              ? {
                  enable: ["none", "read", "all"].includes(fields.enable)
                    ? fields.enable
                    : fields.enable
                        .split(",")
                        .map((s) => s.trim())
                        .filter(Boolean),
                }
              : {}),
          },
          "form",
        );
        return importToolSet(deps, caller, input);
      }
      return importToolSet(deps, caller, body);
    },
  }),
  route({
    method: "POST",
    path: "/v1/tool-sets/mcp",
    summary:
      "Make a tool set from a remote MCP server (Streamable HTTP, revisions 2026-07-28 and 2025-11-25) or, in " +
      "local mode, a stdio server the operator allows (`stdio:<name>`): each tool it lists becomes a tool " +
      "(switched off until enabled; reads only when the server says so) or is listed with why it cannot be one",
    tag,
    permission: "tools.manage",
    body: { kind: "json", schema: mcpToolSetInput },
    status: 201,
    handle: ({ deps, caller, body }) => createMcpToolSet(deps, caller, body),
  }),
  route({
    method: "GET",
    path: "/v1/tool-sets/{toolSetId}",
    summary: "Get a tool set's draft: its base URL, credential and tools",
    tag,
    permission: "workspace.read",
    params: setParams,
    handle: ({ deps, caller, params }) => getToolSet(deps, caller.tenantId, params.toolSetId),
  }),
  route({
    method: "PATCH",
    path: "/v1/tool-sets/{toolSetId}",
    summary:
      "Change a tool set's draft (name, base URL, credential, tools), or switch tools on and off by name",
    tag,
    permission: "tools.manage",
    params: setParams,
    body: { kind: "json", schema: toolSetPatch },
    handle: ({ deps, caller, params, body }) => updateToolSet(deps, caller, params.toolSetId, body),
  }),
  route({
    method: "POST",
    path: "/v1/tool-sets/{toolSetId}/publish",
    summary: "Publish the draft's enabled tools as the next immutable version (agents pin versions)",
    tag,
    permission: "tools.manage",
    params: setParams,
    status: 201,
    handle: ({ deps, caller, params }) => publishToolSet(deps, caller, params.toolSetId),
  }),
  route({
    method: "POST",
    path: "/v1/tool-sets/{toolSetId}/refresh",
    summary:
      "List an MCP tool set's server again into the draft: tools still there keep their names, descriptions and " +
      "enabled flags; what was added, removed or changed is reported. Publish to give agents the result",
    tag,
    permission: "tools.manage",
    params: setParams,
    body: { kind: "json", schema: refreshInput },
    handle: ({ deps, caller, params, body }) => refreshToolSet(deps, caller, params.toolSetId, body),
  }),
  route({
    method: "GET",
    path: "/v1/tool-sets/{toolSetId}/versions",
    summary: "List a tool set's published versions, newest first",
    tag,
    permission: "workspace.read",
    params: setParams,
    handle: async ({ deps, caller, params }) => ({
      versions: await listToolSetVersions(deps, caller.tenantId, params.toolSetId),
    }),
  }),
  route({
    method: "GET",
    path: "/v1/tool-sets/{toolSetId}/versions/{version}",
    summary: "Get one published version of a tool set",
    tag,
    permission: "workspace.read",
    params: versionParams,
    handle: ({ deps, caller, params }) =>
      getToolSetVersion(deps, caller.tenantId, params.toolSetId, params.version),
  }),
  route({
    method: "POST",
    path: "/v1/tool-sets/{toolSetId}/tools/{toolName}/try",
    summary:
      "Call one of the draft's tools with arguments, as an agent would: the request sent (secrets masked) and the " +
      "answer the model would get. A write tool needs {confirm: true}",
    tag,
    permission: "tools.manage",
    params: toolParams,
    body: { kind: "json", schema: tryInput },
    handle: async ({ deps, caller, params, body }) => {
      const set = await getToolSet(deps, caller.tenantId, params.toolSetId);
      const tool = set.tools.find((t) => t.name === params.toolName);
      if (!tool) throw new AppError("not-found", `Tool set ${set.name} has no tool ${params.toolName}`);
      if (tool.sideEffect === "write" && !body.confirm) {
        throw new AppError(
          "failed-precondition",
          `${tool.name} changes something (a write tool): send {"confirm": true} to call it for real`,
        );
      }
      const checked = checkArguments(tool.parameters, body.arguments);
      if (!checked.ok) {
        throw new AppError(
          "invalid-argument",
          `The arguments do not match the tool's schema: ${checked.problems}`,
        );
      }
      try {
        const result = await callToolOutsideTurn(deps, {
          channel: "studio",
          toolSetId: params.toolSetId,
          target: { tenantId: caller.tenantId, baseUrl: set.baseUrl, credentialId: set.credentialId },
          tool,
          args: checked.value,
        });
        return { ok: true, ...result };
      } catch (e) {
        if (e instanceof ToolCallError) return { ok: false, status: e.status, error: e.message };
        throw e;
      }
    },
  }),
  route({
    method: "GET",
    path: "/v1/tool-credentials",
    summary: "List the credentials tools authenticate with (their secrets are never returned)",
    tag,
    permission: "workspace.read",
    handle: async ({ deps, caller }) => ({ credentials: await listCredentials(deps, caller.tenantId) }),
  }),
  route({
    method: "POST",
    path: "/v1/tool-credentials",
    summary:
      "Add a credential: an API key (header, query or cookie), a bearer token, basic auth or OAuth 2.0 client " +
      "credentials; the secret is write-only and sealed",
    tag,
    permission: "credentials.manage",
    body: { kind: "json", schema: credentialInput },
    status: 201,
    handle: ({ deps, caller, body }) => createCredential(deps, caller, body),
  }),
  route({
    method: "GET",
    path: "/v1/tool-credentials/{credentialId}",
    summary: "Get a credential's kind and placement (never its secret)",
    tag,
    permission: "workspace.read",
    params: credentialParams,
    handle: ({ deps, caller, params }) => getCredential(deps, caller.tenantId, params.credentialId),
  }),
  route({
    method: "PATCH",
    path: "/v1/tool-credentials/{credentialId}",
    summary: "Rename a credential or rotate its secret (tool sets and agents need no change)",
    tag,
    permission: "credentials.manage",
    params: credentialParams,
    body: { kind: "json", schema: credentialPatch },
    handle: ({ deps, caller, params, body }) => updateCredential(deps, caller, params.credentialId, body),
  }),
  route({
    method: "DELETE",
    path: "/v1/tool-credentials/{credentialId}",
    summary: "Delete a credential and its secret",
    tag,
    permission: "credentials.manage",
    params: credentialParams,
    status: 204,
    handle: async ({ deps, caller, params }) => {
      await deleteCredential(deps, caller, params.credentialId);
      return undefined;
    },
  }),
];
