/**
 * Tool Forge over the platform's REST API, as the signed-in person (see toolSets.ts for the interface): the
 * requests, and the reading of their answers, checked at the edge so the pages can trust every field. Firebase
 * mode uses this section as it is: tool sets and credentials are read through the API there too.
 */
import { isRecord } from "../platform";
import { requestAsSignedIn } from "../session";
import {
  credentialKinds,
  keyPlacements,
  toolMethods,
  type CredentialKind,
  type ForgeTool,
  type ImportedToolSet,
  type KeyPlacement,
  type OAuthClient,
  type PublishedToolSetVersion,
  type RefreshedToolSet,
  type ShownToolRequest,
  type SkippedOperation,
  type ToolCredential,
  type ToolMethod,
  type ToolSet,
  type ToolSetSource,
  type ToolSetsSource,
  type ToolTryResult,
} from "../toolSets";
import {
  field,
  isBoolean,
  isCount,
  isNullableString,
  isString,
  isStringArray,
  list,
  optional,
  parseWith,
  record,
  ShapeError,
} from "./shape";

const toolSetsPath = "/v1/tool-sets";
const toolSetPath = (id: string) => `${toolSetsPath}/${encodeURIComponent(id)}`;
const credentialsPath = "/v1/tool-credentials";
const credentialPath = (id: string) => `${credentialsPath}/${encodeURIComponent(id)}`;

export const restToolSets: ToolSetsSource = {
  async listToolSets(signal) {
    return parseToolSetList(await requestAsSignedIn(toolSetsPath, { signal }), toolSetsPath);
  },
  async getToolSet(toolSetId, signal) {
    const path = toolSetPath(toolSetId);
    return parseToolSet(await requestAsSignedIn(path, { signal }), `GET ${path}`, path);
  },
  async importToolSet(input) {
    const path = `${toolSetsPath}/import`;
    return parseImportedToolSet(await requestAsSignedIn(path, { method: "POST", body: input }), path);
  },
  async connectMcpServer(input) {
    const path = `${toolSetsPath}/mcp`;
    return parseToolSet(await requestAsSignedIn(path, { method: "POST", body: input }), `POST ${path}`, path);
  },
  async refreshToolSet(toolSetId, enable) {
    const path = `${toolSetPath(toolSetId)}/refresh`;
    const body = await requestAsSignedIn(path, { method: "POST", body: enable ? { enable } : {} });
    return parseRefreshedToolSet(body, path);
  },
  async updateToolSet(toolSetId, patch) {
    const path = toolSetPath(toolSetId);
    return parseToolSet(
      await requestAsSignedIn(path, { method: "PATCH", body: patch }),
      `PATCH ${path}`,
      path,
    );
  },
  async publishToolSet(toolSetId) {
    const path = `${toolSetPath(toolSetId)}/publish`;
    return parsePublishedVersion(await requestAsSignedIn(path, { method: "POST" }), path);
  },
  async tryTool(toolSetId, toolName, args, confirm) {
    const path = `${toolSetPath(toolSetId)}/tools/${encodeURIComponent(toolName)}/try`;
    const body = await requestAsSignedIn(path, { method: "POST", body: { arguments: args, confirm } });
    return parseToolTryResult(body, path);
  },
  async listToolCredentials(signal) {
    return parseCredentialList(await requestAsSignedIn(credentialsPath, { signal }), credentialsPath);
  },
  async createToolCredential(input) {
    const body = await requestAsSignedIn(credentialsPath, { method: "POST", body: input });
    return parseWith(() => parseCredential(body), `POST ${credentialsPath}`, credentialsPath, "a credential");
  },
  async updateToolCredential(credentialId, patch) {
    const path = credentialPath(credentialId);
    const body = await requestAsSignedIn(path, { method: "PATCH", body: patch });
    return parseWith(() => parseCredential(body), `PATCH ${path}`, path, "a credential");
  },
  async deleteToolCredential(credentialId) {
    await requestAsSignedIn(credentialPath(credentialId), { method: "DELETE" });
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): v is T =>
    isString(v) && (values as readonly string[]).includes(v);
const isRecordValue = (v: unknown): v is Record<string, unknown> => isRecord(v);
const isStringRecord = (v: unknown): v is Record<string, string> =>
  isRecord(v) && Object.values(v).every(isString);
const isNullableCount = (v: unknown): v is number | null => v === null || isCount(v);

/** A field error inside a nested value names the path to it (`tools.3.operation.method`). */
function inside<T>(prefix: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ShapeError) throw new ShapeError(`${prefix}.${error.message}`);
    throw error;
  }
}

function parseTool(value: unknown): ForgeTool {
  const t = record(value, "tool");
  const operation = inside("operation", () => record(t.operation, "operation"));
  return {
    name: field(t, "name", isString),
    description: field(t, "description", isString),
    parameters: field(t, "parameters", isRecordValue),
    sideEffect: field(t, "sideEffect", oneOf(["read", "write"] as const)),
    enabled: field(t, "enabled", isBoolean),
    ...(operation.kind === "mcp"
      ? { method: "MCP" as const, path: inside("operation", () => field(operation, "tool", isString)) }
      : {
          method: inside("operation", () => field(operation, "method", oneOf<ToolMethod>(toolMethods))),
          path: inside("operation", () => field(operation, "path", isString)),
        }),
    tags: optional(t, "tags", isStringArray, []),
    select: optional(t, "select", isString, null),
    definition: t,
  };
}

function parseSkipped(value: unknown): SkippedOperation {
  const s = record(value, "skipped");
  return { operation: field(s, "operation", isString), reason: field(s, "reason", isString) };
}

function parseSource(value: unknown): ToolSetSource {
  const s = record(value, "source");
  const kind = field(s, "kind", oneOf(["manual", "openapi", "mcp"] as const));
  if (kind === "manual") return { kind };
  const skipped = () =>
    field(s, "skipped", Array.isArray).map((item, i) => inside(`skipped.${i}`, () => parseSkipped(item)));
  if (kind === "mcp") {
    return {
      kind,
      url: field(s, "url", isString),
      serverName: optional(s, "serverName", isString, ""),
      serverVersion: optional(s, "serverVersion", isString, ""),
      protocolVersion: optional(s, "protocolVersion", isString, ""),
      skipped: skipped(),
    };
  }
  return {
    kind,
    title: field(s, "title", isString),
    specVersion: field(s, "specVersion", isString),
    skipped: field(s, "skipped", Array.isArray).map((item, i) =>
      inside(`skipped.${i}`, () => parseSkipped(item)),
    ),
    ...(isString(s.url) ? { url: s.url } : {}),
  };
}

export function parseToolSetRecord(value: unknown): ToolSet {
  const s = record(value, "tool set");
  return {
    id: field(s, "id", isString),
    name: field(s, "name", isString),
    description: field(s, "description", isString),
    source: inside("source", () => parseSource(s.source)),
    baseUrl: field(s, "baseUrl", isString),
    credentialId: field(s, "credentialId", isNullableString),
    tools: field(s, "tools", Array.isArray).map((tool, i) => inside(`tools.${i}`, () => parseTool(tool))),
    latestVersion: field(s, "latestVersion", isCount),
    createdAt: field(s, "createdAt", isString),
    updatedAt: field(s, "updatedAt", isString),
  };
}

/** `GET /v1/tool-sets`. */
export function parseToolSetList(body: unknown, path: string): ToolSet[] {
  return parseWith(
    () => list(body, "toolSets").map((s, i) => inside(`toolSets.${i}`, () => parseToolSetRecord(s))),
    `GET ${path}`,
    path,
    "a list of tool sets",
  );
}

/** One tool set, as a read or a change answers it. */
export function parseToolSet(body: unknown, request: string, path: string): ToolSet {
  return parseWith(() => parseToolSetRecord(body), request, path, "a tool set");
}

/** `POST /v1/tool-sets/import`: the tool set, with the document's warnings. */
export function parseImportedToolSet(body: unknown, path: string): ImportedToolSet {
  return parseWith(
    () => ({
      toolSet: parseToolSetRecord(body),
      warnings: optional(record(body, "body"), "warnings", isStringArray, []),
    }),
    `POST ${path}`,
    path,
    "an imported tool set",
  );
}

/** `POST /v1/tool-sets/{id}/refresh`: the tool set as now listed, with the names of the tools that moved. */
export function parseRefreshedToolSet(body: unknown, path: string): RefreshedToolSet {
  return parseWith(
    () => {
      const r = record(body, "body");
      return {
        toolSet: parseToolSetRecord(body),
        added: field(r, "added", isStringArray),
        removed: field(r, "removed", isStringArray),
        changed: field(r, "changed", isStringArray),
      };
    },
    `POST ${path}`,
    path,
    "a refreshed tool set",
  );
}

/** `POST /v1/tool-sets/{id}/publish`: the version just made. */
export function parsePublishedVersion(body: unknown, path: string): PublishedToolSetVersion {
  return parseWith(
    () => {
      const v = record(body, "body");
      const version = field(v, "version", isCount);
      if (version < 1) throw new ShapeError("version");
      return {
        version,
        tools: field(v, "tools", Array.isArray).map((tool, i) =>
          inside(`tools.${i}`, () => field(record(tool, "tool"), "name", isString)),
        ),
        createdAt: field(v, "createdAt", isString),
        createdBy: field(v, "createdBy", isString),
      };
    },
    `POST ${path}`,
    path,
    "a published version",
  );
}

function parseShownRequest(value: unknown): ShownToolRequest {
  const r = record(value, "request");
  return {
    method: field(r, "method", isString),
    url: field(r, "url", isString),
    headers: field(r, "headers", isStringRecord),
    body: field(r, "body", isNullableString),
  };
}

/** `POST …/tools/{name}/try`: what the API answered, or why the call failed. */
export function parseToolTryResult(body: unknown, path: string): ToolTryResult {
  return parseWith(
    () => {
      const r = record(body, "body");
      if (field(r, "ok", isBoolean)) {
        return {
          ok: true,
          status: field(r, "status", isCount),
          output: field(r, "output", isString),
          request: inside("request", () => parseShownRequest(r.request)),
          attempts: field(r, "attempts", isCount),
        };
      }
      return { ok: false, status: field(r, "status", isNullableCount), error: field(r, "error", isString) };
    },
    `POST ${path}`,
    path,
    "the result of a tool call",
  );
}

function parseOAuth(value: unknown): OAuthClient | null {
  if (value === null) return null;
  const o = record(value, "oauth");
  return inside("oauth", () => ({
    tokenUrl: field(o, "tokenUrl", isString),
    clientId: field(o, "clientId", isString),
    scopes: field(o, "scopes", isStringArray),
    clientAuth: field(o, "clientAuth", oneOf(["basic", "body"] as const)),
  }));
}

function parsePlacement(value: unknown): ToolCredential["placement"] {
  if (value === null) return null;
  const p = record(value, "placement");
  return inside("placement", () => ({
    in: field(p, "in", oneOf<KeyPlacement>(keyPlacements)),
    name: field(p, "name", isString),
  }));
}

export function parseCredential(value: unknown): ToolCredential {
  const c = record(value, "credential");
  // A secret in an answer is a platform bug: refuse it rather than keep it in the page's memory.
  if ("secret" in c) throw new ShapeError("secret (credentials never carry their secret)");
  return {
    id: field(c, "id", isString),
    name: field(c, "name", isString),
    kind: field(c, "kind", oneOf<CredentialKind>(credentialKinds)),
    placement: parsePlacement(c.placement),
    username: field(c, "username", isNullableString),
    oauth: parseOAuth(c.oauth),
    createdAt: field(c, "createdAt", isString),
    updatedAt: field(c, "updatedAt", isString),
  };
}

/** `GET /v1/tool-credentials`. */
export function parseCredentialList(body: unknown, path: string): ToolCredential[] {
  return parseWith(
    () => list(body, "credentials").map((c, i) => inside(`credentials.${i}`, () => parseCredential(c))),
    `GET ${path}`,
    path,
    "a list of credentials",
  );
}
