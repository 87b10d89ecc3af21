/**
 * Tool Forge as the studio manages it: tool sets (an API's operations as tools, imported from its OpenAPI
 * document, listed from an MCP server or written by hand, published as versions agents pin) and the
 * credentials their tools authenticate with (secrets write-only). The platform's shapes
 * (functions/src/tools/schema.ts, served under `/v1/tool-sets` and `/v1/tool-credentials`), this area's
 * section of the studio's source (`ToolSetsSource`), and the reading of a tool's JSON Schema into a form to
 * try it with.
 *
 * (data/tools.ts is the agent builder's own HTTP tool form, a different thing.)
 */
import { isRecord } from "./platform";

export const toolMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type ToolMethod = (typeof toolMethods)[number];

/** One tool of a tool set's draft, as the studio shows it. */
export interface ForgeTool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** `write` tools change something: trying one needs the person's confirmation. */
  readonly sideEffect: "read" | "write";
  readonly enabled: boolean;
  /** The HTTP method, or "MCP" for a tool an MCP server serves. */
  readonly method: ToolMethod | "MCP";
  /** Appended to the tool set's base URL; for an MCP tool, its name on the server. */
  readonly path: string;
  /** The OpenAPI operation's tags (none for tools written by hand). */
  readonly tags: readonly string[];
  /** A JSON pointer into the answer: only that part goes to the model (null: all of it). */
  readonly select: string | null;
  /** The tool as the platform stored it: what an edit changes a few fields of and sends back whole. */
  readonly definition: Readonly<Record<string, unknown>>;
}

/** An operation of the imported document that could not become a tool, and why. */
export interface SkippedOperation {
  readonly operation: string;
  readonly reason: string;
}

export type ToolSetSource =
  | { readonly kind: "manual" }
  | {
      readonly kind: "openapi";
      readonly title: string;
      readonly specVersion: string;
      readonly skipped: readonly SkippedOperation[];
      /** Where the document was fetched from, when it was imported from a URL. */
      readonly url?: string;
    }
  | {
      /** A remote MCP server's tools (refreshed from it on demand). */
      readonly kind: "mcp";
      readonly url: string;
      readonly serverName: string;
      readonly serverVersion: string;
      readonly protocolVersion: string;
      readonly skipped: readonly SkippedOperation[];
    };

export interface ToolSet {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly source: ToolSetSource;
  readonly baseUrl: string;
  readonly credentialId: string | null;
  readonly tools: readonly ForgeTool[];
  /** 0 until first published. */
  readonly latestVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Which tools of an import start enabled: none (the platform's default), the reads, or all. */
export const importEnableChoices = ["none", "read", "all"] as const;
export type ImportEnable = (typeof importEnableChoices)[number];

/** `POST /v1/tool-sets/import` as JSON: the document's text or its URL, and what to override. */
export type ToolSetImport = ({ readonly spec: string } | { readonly url: string }) & {
  readonly name?: string;
  readonly baseUrl?: string;
  readonly credentialId?: string;
  readonly enable: ImportEnable;
};

/** What an import answered: the new tool set, and what the platform noticed in the document. */
export interface ImportedToolSet {
  readonly toolSet: ToolSet;
  readonly warnings: readonly string[];
}

/**
 * `POST /v1/tool-sets/mcp`: a remote MCP server's Streamable HTTP endpoint, whose tools become a new tool
 * set's, and what to override. The platform also takes non-secret `headers` for the server; the studio sends
 * none (secrets go in a credential; a server that needs another plain header is connected through the API).
 */
export interface McpToolSetInput {
  readonly url: string;
  readonly name?: string;
  readonly credentialId?: string;
  readonly enable: ImportEnable;
}

/** What `POST /v1/tool-sets/{id}/refresh` answered: the draft as now listed, and which tools moved. */
export interface RefreshedToolSet {
  readonly toolSet: ToolSet;
  /** Listed by the server now, new to the draft (enabled as the refresh's `enable` said: off by default). */
  readonly added: readonly string[];
  /** No longer listed (or no longer usable): taken out of the draft. */
  readonly removed: readonly string[];
  /** Still there with other arguments, or now a read where it was a write (or the reverse). */
  readonly changed: readonly string[];
}

/** `PATCH /v1/tool-sets/{id}`: any subset; `enabled` switches tools by name. */
export interface ToolSetPatch {
  readonly name?: string;
  readonly baseUrl?: string;
  readonly credentialId?: string | null;
  readonly enabled?: Readonly<Record<string, boolean>>;
  /** Whether the published write tools are served to MCP clients too (toolSetMcp.ts). */
  readonly mcpExport?: { readonly writes: boolean };
  /** Every tool, as stored (see `ForgeTool.definition`): how a tool's name, description or pointer change. */
  readonly tools?: readonly Readonly<Record<string, unknown>>[];
}

export interface PublishedToolSetVersion {
  readonly version: number;
  /** The enabled tools' names, as published. */
  readonly tools: readonly string[];
  readonly createdAt: string;
  readonly createdBy: string;
}

/** The request a tried tool sent, secrets already masked by the platform. */
export interface ShownToolRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

export type ToolTryResult =
  | {
      readonly ok: true;
      readonly status: number;
      /** What the model would get: the selected, size-bounded answer. */
      readonly output: string;
      readonly request: ShownToolRequest;
      readonly attempts: number;
    }
  | { readonly ok: false; readonly status: number | null; readonly error: string };

export const credentialKinds = ["api-key", "bearer", "basic", "oauth2-client-credentials"] as const;
export type CredentialKind = (typeof credentialKinds)[number];

export const credentialKindLabels: Record<CredentialKind, string> = {
  "api-key": "API key",
  bearer: "Bearer token",
  basic: "Basic auth",
  "oauth2-client-credentials": "OAuth 2.0 client credentials",
};

export const keyPlacements = ["header", "query", "cookie"] as const;
export type KeyPlacement = (typeof keyPlacements)[number];

export interface OAuthClient {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly clientAuth: "basic" | "body";
}

/** A credential as anyone in the workspace may see it: never its secret. */
export interface ToolCredential {
  readonly id: string;
  readonly name: string;
  readonly kind: CredentialKind;
  readonly placement: { readonly in: KeyPlacement; readonly name: string } | null;
  readonly username: string | null;
  readonly oauth: OAuthClient | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ToolCredentialInput {
  readonly name: string;
  readonly kind: CredentialKind;
  /** Write-only: sealed by the platform, never returned. */
  readonly secret: string;
  readonly placement?: { readonly in: KeyPlacement; readonly name: string };
  readonly username?: string;
  readonly oauth?: OAuthClient;
}

/** The Tool Forge part of the studio's source (see source.ts). Reads need a viewer; changes `tools.manage`
 * (editors) or `credentials.manage` (admins). */
export interface ToolSetsSource {
  /** Oldest first. */
  listToolSets(signal: AbortSignal): Promise<ToolSet[]>;
  getToolSet(toolSetId: string, signal: AbortSignal): Promise<ToolSet>;
  importToolSet(input: ToolSetImport): Promise<ImportedToolSet>;
  /** Lists the server's tools into a new tool set; refused (nothing created) when it cannot be listed. */
  connectMcpServer(input: McpToolSetInput): Promise<ToolSet>;
  /** Lists an MCP tool set's server again into its draft; published versions do not change. */
  refreshToolSet(toolSetId: string, enable?: ImportEnable): Promise<RefreshedToolSet>;
  updateToolSet(toolSetId: string, patch: ToolSetPatch): Promise<ToolSet>;
  /** Refused (failed-precondition) while no tool is enabled. */
  publishToolSet(toolSetId: string): Promise<PublishedToolSetVersion>;
  /** Calls one of the draft's tools for real; a write tool needs `confirm`. */
  tryTool(
    toolSetId: string,
    toolName: string,
    args: Readonly<Record<string, unknown>>,
    confirm: boolean,
  ): Promise<ToolTryResult>;
  listToolCredentials(signal: AbortSignal): Promise<ToolCredential[]>;
  createToolCredential(input: ToolCredentialInput): Promise<ToolCredential>;
  /** A new name, or a new secret (rotation: tool sets and agents need no change). */
  updateToolCredential(
    credentialId: string,
    patch: { readonly name?: string; readonly secret?: string },
  ): Promise<ToolCredential>;
  deleteToolCredential(credentialId: string): Promise<void>;
}

// ----- trying a tool: its JSON Schema as a form -------------------------------------------------------

/** One argument the form can ask for with a plain field. */
export type ArgumentField = {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
} & (
  | { readonly type: "string" | "number" | "integer" | "boolean" }
  | { readonly type: "enum"; readonly options: readonly string[] }
);

/**
 * The fields a tool's arguments take, or `undefined` when the schema is too rich for plain fields (objects,
 * arrays, unions…): the screen then offers the arguments as JSON.
 */
export function argumentFieldsOf(schema: Readonly<Record<string, unknown>>): ArgumentField[] | undefined {
  const properties = schema.properties ?? {};
  if (!isRecord(properties)) return undefined;
  const required = Array.isArray(schema.required) ? schema.required : [];
  const fields: ArgumentField[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (!isRecord(property)) return undefined;
    const base = {
      name,
      description: typeof property.description === "string" ? property.description : "",
      required: required.includes(name),
    };
    if (Array.isArray(property.enum)) {
      if (!property.enum.every((v) => typeof v === "string")) return undefined;
      fields.push({ ...base, type: "enum", options: property.enum as string[] });
    } else if (
      property.type === "string" ||
      property.type === "number" ||
      property.type === "integer" ||
      property.type === "boolean"
    ) {
      fields.push({ ...base, type: property.type });
    } else {
      return undefined;
    }
  }
  return fields;
}

/** What the form holds: text per field (booleans as "true"/"false"/""; "" is "not given"). */
export type ArgumentValues = Readonly<Record<string, string>>;

/** The arguments the form's values make, or what is wrong, field by field. */
export function readArgumentValues(
  fields: readonly ArgumentField[],
  values: ArgumentValues,
): { readonly arguments: Record<string, unknown> } | { readonly errors: Readonly<Record<string, string>> } {
  const args: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const text = (values[field.name] ?? "").trim();
    if (text === "") {
      if (field.required) errors[field.name] = "Required.";
      continue;
    }
    if (field.type === "number" || field.type === "integer") {
      const n = Number(text);
      if (!Number.isFinite(n)) errors[field.name] = "A number.";
      else if (field.type === "integer" && !Number.isInteger(n)) errors[field.name] = "A whole number.";
      else args[field.name] = n;
    } else if (field.type === "boolean") {
      args[field.name] = text === "true";
    } else {
      args[field.name] = text;
    }
  }
  return Object.keys(errors).length > 0 ? { errors } : { arguments: args };
}

/** Arguments typed as JSON: an object, or why not. */
export function readArgumentsJson(
  text: string,
): { readonly arguments: Record<string, unknown> } | { readonly problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "{}" : text) as unknown;
  } catch (error) {
    return { problem: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isRecord(value)) return { problem: "The arguments are a JSON object, like {}." };
  return { arguments: value };
}

/** A tool's answer as people read it best: indented when it is JSON, as it came otherwise. */
export function prettyOutput(output: string): string {
  try {
    return JSON.stringify(JSON.parse(output), null, 2);
  } catch {
    return output;
  }
}
