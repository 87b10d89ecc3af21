/**
 * Tool Forge records: tool sets (a workspace's imported or hand-made tools, with immutable versions agents pin)
 * and credentials (how tools authenticate; their secrets write-only).
 * - `tenants/{t}/toolSets/{id}`: a tool set's draft: its base URL, credential and tools, edited freely.
 * - `tenants/{t}/toolSets/{id}/versions/{n}`: what the draft was when version n was published; never changed.
 *   An agent names a tool set and a version: publishing a new version changes no agent until it is republished.
 * - `tenants/{t}/toolCredentials/{id}`: a credential's kind and where it goes (no secret), so the studio may list it.
 * - `toolSecrets/{id}`: the tenant it belongs to and its sealed secret (platform/secrets.ts), outside every
 *   tenant's tree: no client reads it, no API returns it.
 */
import { z } from "zod";
import { tenantPath } from "../platform/caller.js";
import { sealedSchema } from "../platform/secrets.js";

export const toolSetsPath = (tenantId: string): string => `${tenantPath(tenantId)}/toolSets`;
export const toolSetPath = (tenantId: string, id: string): string => `${toolSetsPath(tenantId)}/${id}`;
export const toolSetVersionsPath = (tenantId: string, id: string): string =>
  `${toolSetPath(tenantId, id)}/versions`;
export const toolSetVersionPath = (tenantId: string, id: string, version: number): string =>
  `${toolSetVersionsPath(tenantId, id)}/${version}`;
export const credentialsPath = (tenantId: string): string => `${tenantPath(tenantId)}/toolCredentials`;
export const credentialPath = (tenantId: string, id: string): string => `${credentialsPath(tenantId)}/${id}`;
export const credentialSecretPath = (id: string): string => `toolSecrets/${id}`;

/** Tool names as models accept them. */
export const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** Where one argument of a tool goes in the HTTP request. */
export const argumentPlacementSchema = z.object({
  in: z.enum(["path", "query", "header", "cookie", "body"]),
  /** Its name on the wire (a header's, a query parameter's, a body property's). */
  name: z.string().min(1).max(200),
  /**
   * How an array or object in the query is written (OpenAPI's style and explode): `form` exploded repeats the
   * parameter (`a=1&a=2`), not exploded joins with commas; the delimited styles join with a space or a pipe;
   * `deepObject` writes `name[key]=value`.
   */
  style: z.enum(["form", "spaceDelimited", "pipeDelimited", "deepObject"]).default("form"),
  explode: z.boolean().default(true),
});
export type ArgumentPlacement = z.infer<typeof argumentPlacementSchema>;

export const httpOperationSchema = z.object({
  /** Optional: tools stored before MCP tools existed have no kind, and are HTTP. */
  kind: z.literal("http").optional(),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
  /** Appended to the tool set's base URL; `{name}` segments are path arguments (encoded). */
  path: z
    .string()
    .min(1)
    .max(2000)
    .regex(/^\/[^\s?#]*$/, "a path starts with / and has no query or fragment"),
  /** Every argument the schema has, and where it goes. */
  arguments: z.record(z.string(), argumentPlacementSchema),
  /**
   * How body arguments are sent: `properties` puts each in a JSON (or form) object; `whole` sends the one
   * body argument as the entire body.
   */
  body: z
    .object({
      /** The media type sent (`application/json`, `application/vnd.api+json`, a form...). */
      contentType: z
        .string()
        .regex(/^[\w.+-]+\/[\w.+-]+$/, "a media type such as application/json")
        .max(200),
      /** How the body is written: a JSON document, or `application/x-www-form-urlencoded` fields. */
      encoding: z.enum(["json", "form"]).default("json"),
      mode: z.enum(["properties", "whole"]),
    })
    .nullable(),
});
export type HttpOperation = z.infer<typeof httpOperationSchema>;

/** Names of headers sent to an MCP server that are not secrets (secrets go in a credential). */
export const mcpHeaderNamePattern = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

/**
 * A tool of a remote MCP server (mcp-source.ts): the tool set's base URL is the server's endpoint, `tool` the
 * name the server gave it (the tool's own name is sanitized for models). The set's non-secret headers travel
 * with each tool, so a pinned version holds everything a call needs.
 */
export const mcpOperationSchema = z.object({
  kind: z.literal("mcp"),
  tool: z.string().min(1).max(500),
  headers: z.record(z.string().regex(mcpHeaderNamePattern), z.string().max(2000)).default({}),
});
export type McpOperation = z.infer<typeof mcpOperationSchema>;

/** How a tool is called: an HTTP request (no `kind`, or `http`) or an MCP `tools/call`. */
export const toolOperationSchema = z.discriminatedUnion("kind", [httpOperationSchema, mcpOperationSchema]);

/**
 * One bound on one argument: `argument` is a JSON pointer into the arguments object (`/amount`,
 * `/transfer/amount`). Numbers may arrive as numeric strings ("25.00", as money often is). `max`/`min` bound a
 * number; `oneOf` lists the only values allowed. An argument the call leaves out is not bounded (the schema says
 * whether it is required).
 */
export const toolLimitSchema = z
  .object({
    argument: z
      .string()
      .regex(/^(\/([^~/]|~[01])*)+$/, "a JSON pointer into the arguments, such as /amount")
      .max(500),
    max: z.number().finite().optional(),
    min: z.number().finite().optional(),
    oneOf: z
      .array(z.union([z.string().max(500), z.number()]))
      .min(1)
      .max(100)
      .optional(),
  })
  .strict()
  .refine((l) => l.max !== undefined || l.min !== undefined || l.oneOf !== undefined, {
    message: "a limit needs max, min or oneOf",
  })
  .refine((l) => l.max === undefined || l.min === undefined || l.min <= l.max, {
    message: "a limit's min is above its max",
  });
export type ToolLimit = z.infer<typeof toolLimitSchema>;

export const toolDefinitionSchema = z.object({
  name: z.string().regex(toolNamePattern, "tool names are 1-64 letters, digits, '_' or '-'"),
  description: z.string().trim().min(1).max(2000),
  /** JSON Schema (2020-12) of the arguments object; checked before every call. */
  parameters: z.record(z.string(), z.unknown()),
  /** `write` tools change something (a transfer): they run only after the end user confirms. */
  sideEffect: z.enum(["read", "write"]),
  /** The OpenAPI operation's tags, to find and pick tools by (none for tools written by hand). */
  tags: z.array(z.string().max(200)).max(50).default([]),
  enabled: z.boolean(),
  timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  operation: toolOperationSchema,
  /**
   * Bounds the platform holds the arguments to, whatever the model says (e.g. a transfer's amount at most 500):
   * a call outside them is refused before anything is sent or confirmed, with the bound named.
   */
  limits: z.array(toolLimitSchema).max(20).default([]),
  /** A JSON pointer into the response: only that part goes to the model (null: the whole response). */
  select: z
    .string()
    .regex(/^(\/([^~/]|~[01])*)*$/, "a JSON pointer such as /data/items")
    .max(500)
    .nullable()
    .default(null),
});
export type ToolDefinition = z.infer<typeof toolDefinitionSchema>;
/** A tool as an API client may send it (defaults left out). */
export type ToolDefinitionInput = z.input<typeof toolDefinitionSchema>;

/** What could not become a tool (an OpenAPI operation, an MCP server's tool), and why. */
const skippedSchema = z.object({ operation: z.string(), reason: z.string() });

export const toolSetSourceSchema = z.union([
  z.object({ kind: z.literal("manual") }),
  z.object({
    kind: z.literal("openapi"),
    title: z.string(),
    specVersion: z.string(),
    /** Where the document was fetched from, when it was imported from a URL. */
    url: z.string().optional(),
    /** Operations that could not become tools, with why (shown, never silently dropped). */
    skipped: z.array(skippedSchema).default([]),
  }),
  z.object({
    kind: z.literal("mcp"),
    /** The server's endpoint when the tools were last listed (`stdio:<name>` for an operator's local server). */
    url: z.string(),
    serverName: z.string(),
    serverVersion: z.string(),
    /** The MCP revision the server spoke (2026-07-28, 2025-11-25...). */
    protocolVersion: z.string(),
    /** Non-secret headers sent with every request (copied into each tool's operation). */
    headers: z.record(z.string(), z.string()).default({}),
    /** The server's tools that could not become tools (`operation`: the server's name for it), with why. */
    skipped: z.array(skippedSchema).default([]),
  }),
]);

export const toolSetSchema = z.object({
  name: z.string(),
  description: z.string(),
  source: toolSetSourceSchema,
  /** Where the operations' paths are appended: an http(s) URL; every call still goes through the egress guard. */
  baseUrl: z.string(),
  credentialId: z.string().nullable(),
  tools: z.array(toolDefinitionSchema),
  latestVersion: z.number().int().min(0),
  /**
   * Serving the published tools over MCP (`/mcp/tool-sets/{id}`, channels/mcp): the reads always; the writes
   * only when `writes` is on (to credentials that may manage tools, marked destructive so the MCP client asks
   * its user first). A setting of the tool set, not of a version: switching writes off holds for every version
   * at once.
   */
  mcpExport: z.object({ writes: z.boolean() }).default({ writes: false }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ToolSet = z.infer<typeof toolSetSchema>;

export const toolSetVersionSchema = z.object({
  version: z.number().int().min(1),
  baseUrl: z.string(),
  credentialId: z.string().nullable(),
  /** The enabled tools only. */
  tools: z.array(toolDefinitionSchema),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type ToolSetVersion = z.infer<typeof toolSetVersionSchema>;

export const credentialKinds = ["api-key", "bearer", "basic", "oauth2-client-credentials"] as const;

export const credentialSchema = z.object({
  name: z.string(),
  kind: z.enum(credentialKinds),
  /** api-key: where the key goes and under which name. */
  placement: z.object({ in: z.enum(["header", "query", "cookie"]), name: z.string() }).nullable(),
  /** basic: the user name (the password is the secret). */
  username: z.string().nullable(),
  /** oauth2-client-credentials: the token endpoint, client id, scopes and how the client authenticates. */
  oauth: z
    .object({
      tokenUrl: z.string(),
      clientId: z.string(),
      scopes: z.array(z.string()),
      clientAuth: z.enum(["basic", "body"]),
    })
    .nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Credential = z.infer<typeof credentialSchema>;

export const credentialSecretSchema = z.object({ tenantId: z.string(), secret: sealedSchema });
