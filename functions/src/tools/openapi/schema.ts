/**
 * What an OpenAPI import produces (see import.ts for the mapping rules). Zod schemas, so that an import kept
 * by the Tool Forge can be validated again when it is read back; the types derive from them.
 */
import { z } from "zod";

/** Tool names as the OpenAI API accepts them: the same pattern as agents/schema.ts's `toolNamePattern`. */
export const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Names of the tool's top-level arguments: letters, digits, `_`, `.`, `-`, as every major model API accepts
 * for property names. The wire name (`$top`, `filter[status]`) is kept in the request template.
 */
export const argumentNamePattern = /^[a-zA-Z0-9_.-]{1,64}$/;

export const httpMethods = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;
export type HttpMethod = (typeof httpMethods)[number];

/** A JSON Schema (draft 2020-12) object schema. */
const jsonSchemaObject = z.record(z.string(), z.unknown());

/**
 * How a value is written into a parameter, OpenAPI's `style` and `explode` with the defaults filled in.
 * `contentType` is set when the parameter is declared with `content` instead: the value is then serialized
 * in that media type (JSON) and style/explode do not apply.
 */
const serialization = {
  explode: z.boolean(),
  contentType: z.string().nullable(),
};

/** Where one top-level argument of the tool goes in the HTTP request. */
export const argumentTargetSchema = z.discriminatedUnion("in", [
  z.object({
    in: z.literal("path"),
    name: z.string(),
    style: z.enum(["simple", "label", "matrix"]),
    ...serialization,
  }),
  z.object({
    in: z.literal("query"),
    name: z.string(),
    style: z.enum(["form", "spaceDelimited", "pipeDelimited", "deepObject"]),
    ...serialization,
    /** Reserved characters (`:/?#[]@!$&'()*+,;=`) are sent as they are instead of percent-encoded. */
    allowReserved: z.boolean(),
  }),
  z.object({ in: z.literal("header"), name: z.string(), style: z.literal("simple"), ...serialization }),
  z.object({ in: z.literal("cookie"), name: z.string(), style: z.literal("form"), ...serialization }),
  /** One property of an object body (`property`), or the whole body (`property: null`). */
  z.object({ in: z.literal("body"), property: z.string().nullable() }),
]);
export type ArgumentTarget = z.infer<typeof argumentTargetSchema>;

/** How one property of a form-urlencoded body is written (the media type's `encoding`, defaults filled in). */
export const formFieldEncodingSchema = z.object({
  style: z.enum(["form", "spaceDelimited", "pipeDelimited", "deepObject"]),
  explode: z.boolean(),
  allowReserved: z.boolean(),
  /** Set when the field is itself sent in a media type (e.g. `application/json`). */
  contentType: z.string().nullable(),
});
export type FormFieldEncoding = z.infer<typeof formFieldEncodingSchema>;

export const requestBodyTemplateSchema = z.object({
  /** The `Content-Type` to send, as the document names it (`application/json`, `application/vnd.api+json`...). */
  contentType: z.string(),
  /** How the body is written: a JSON document, or `application/x-www-form-urlencoded` fields. */
  encoding: z.enum(["json", "form"]),
  /** Whether the API requires a body (OpenAPI's `requestBody.required`). */
  required: z.boolean(),
  /** Form bodies: the declared encoding of each field, by property name (fields not listed use `form`, exploded). */
  fields: z.record(z.string(), formFieldEncodingSchema),
});
export type RequestBodyTemplate = z.infer<typeof requestBodyTemplateSchema>;

/** What an executor needs to turn the tool's arguments into an HTTP request. */
export const requestTemplateSchema = z.object({
  method: z.enum(httpMethods),
  /** The path template relative to a server URL; `{name}` placeholders are path arguments' wire names. */
  path: z.string(),
  /** Where each top-level argument of the tool's `parameters` goes, by argument name. */
  arguments: z.record(z.string(), argumentTargetSchema),
  /** `null` when the operation takes no body. */
  body: requestBodyTemplateSchema.nullable(),
});
export type RequestTemplate = z.infer<typeof requestTemplateSchema>;

/** One scheme of a security requirement, with the OAuth2 scopes it needs (empty for other schemes). */
export const securityRequirementSchema = z.object({ scheme: z.string(), scopes: z.array(z.string()) });
export type SecurityRequirement = z.infer<typeof securityRequirementSchema>;

const description = z.string().nullable();

/**
 * A security scheme the document declares, normalized. What a server-side agent can use on its own is typed
 * (`apiKey`, `http` bearer/basic, `oauth2` client credentials); the rest is `unsupported`, with the reason.
 */
export const securitySchemeSchema = z.discriminatedUnion("type", [
  z.object({
    /** The scheme's name in the document (`components.securitySchemes` or `securityDefinitions`). */
    id: z.string(),
    type: z.literal("apiKey"),
    in: z.enum(["header", "query", "cookie"]),
    /** The header, query parameter or cookie that carries the key. */
    name: z.string(),
    description,
  }),
  z.object({
    id: z.string(),
    type: z.literal("http"),
    scheme: z.enum(["bearer", "basic"]),
    /** A hint such as `JWT` (bearer only). */
    bearerFormat: z.string().nullable(),
    description,
  }),
  z.object({
    id: z.string(),
    type: z.literal("oauth2"),
    flow: z.literal("clientCredentials"),
    tokenUrl: z.string(),
    refreshUrl: z.string().nullable(),
    /** Scope name → what it grants. */
    scopes: z.record(z.string(), z.string()),
    description,
  }),
  z.object({
    id: z.string(),
    type: z.literal("unsupported"),
    /** What the document declares: `openIdConnect`, `oauth2`, `http`, `mutualTLS`... */
    declared: z.string(),
    reason: z.string(),
    description,
  }),
]);
export type SecurityScheme = z.infer<typeof securitySchemeSchema>;

const operationInfo = {
  /** The tool's name: unique in the import, matching `toolNamePattern`. */
  name: z.string().regex(toolNamePattern),
  operationId: z.string().nullable(),
  /** Summary and description, plain markdown, at most 1,000 characters (the tool configuration's limit). */
  description: z.string().min(1).max(1000),
  tags: z.array(z.string()),
  method: z.enum(httpMethods),
  /** The path as the document writes it (`/repos/{owner}/{repo}`). */
  path: z.string(),
  /** `read` for GET, HEAD and OPTIONS; everything else may change something. */
  sideEffect: z.enum(["read", "write"]),
  deprecated: z.boolean(),
  /**
   * The credentials the operation accepts: any one of the sets, and every scheme within the set. `[]`: none
   * needed; a set that is `[]` makes authentication optional. The operation's own `security` overrides the
   * document's.
   */
  security: z.array(z.array(securityRequirementSchema)),
  /** Base URLs for this operation (the operation's or path's `servers`, else the document's). */
  servers: z.array(z.string()),
  /** What the import changed or left out for this operation (a recursive schema cut, a simplified level...). */
  notes: z.array(z.string()),
};

/** An operation that can be a tool: its arguments' JSON Schema and where each argument goes. */
export const importedToolSchema = z.object({
  ...operationInfo,
  problem: z.null(),
  /** JSON Schema (draft 2020-12) of the arguments object, at most 64 KB serialized. */
  parameters: jsonSchemaObject,
  request: requestTemplateSchema,
});
export type ImportedTool = z.infer<typeof importedToolSchema>;

/** An operation that cannot be a tool, and why, in words an editor can act on. */
export const rejectedOperationSchema = z.object({
  ...operationInfo,
  problem: z.string().min(1),
  parameters: z.null(),
  request: z.null(),
});
export type RejectedOperation = z.infer<typeof rejectedOperationSchema>;

export const importedOperationSchema = z.union([importedToolSchema, rejectedOperationSchema]);
export type ImportedOperation = z.infer<typeof importedOperationSchema>;

export const openApiImportSchema = z.object({
  title: z.string(),
  /** The API's version (`info.version`). */
  version: z.string(),
  /** The OpenAPI or Swagger version the document declares: `2.0`, `3.0.3`, `3.1.0`... */
  specVersion: z.string(),
  /** The document's base URLs, server variables replaced by their defaults. */
  servers: z.array(z.string()),
  securitySchemes: z.array(securitySchemeSchema),
  /** In document order: paths as written, methods in the order of `httpMethods`. */
  operations: z.array(importedOperationSchema),
  /** What the import could not take in at the document's level (limits reached, unknown schemes...). */
  warnings: z.array(z.string()),
});
export type OpenApiImport = z.infer<typeof openApiImportSchema>;
