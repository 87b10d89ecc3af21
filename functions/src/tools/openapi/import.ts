/**
 * Tool Forge's OpenAPI importer: a Swagger 2.0, OpenAPI 3.0 or 3.1 document → candidate agent tools, one
 * per operation. Pure: it fetches nothing and stores nothing; the caller shows the candidates and keeps some.
 *
 * How an operation becomes a tool (types in schema.ts):
 * - `name`: the operationId with every run of characters outside `[a-zA-Z0-9_-]` made `_` (`repos/get` →
 *   `repos_get`), or without one the method and path (`get_repos_owner_repo`); cut to 64 characters (with a
 *   short hash of the original when cut); a name already taken gets `_2`, `_3`... in document order.
 * - `description`: the summary, then the description when it adds to it, HTML tags and blank runs tidied,
 *   cut at a word to 1,000 characters; `GET /path` when the document has neither.
 * - `sideEffect`: `read` for GET, HEAD and OPTIONS, `write` for the rest. `tags`, `deprecated` as declared.
 * - `security`: the operation's `security`, else the document's, as alternatives of scheme sets; the
 *   schemes themselves are normalized once in `securitySchemes` (security.ts says what is supported).
 * - `parameters`: one JSON Schema 2020-12 object (`additionalProperties: false`) with a property per path,
 *   query, header and cookie parameter (the path item's, overridden by the operation's by name and
 *   location), then the request body. An object body's properties become top-level arguments when they all
 *   have plain names and none clashes with a parameter's; any other body is one `body` argument. Names that
 *   are not plain (`$top`, `filter[status]`) are tidied (`top`, `filter_status`); clashes get `_query`...
 * - `request`: where each argument goes (its wire name; style and explode with OpenAPI's defaults filled in;
 *   a body property, or the whole body) and the body's media type: JSON (`application/json`, `+json`,
 *   `*\/*`) or `application/x-www-form-urlencoded` with its fields' encoding.
 * - Not arguments: the Accept, Content-Type and Authorization headers, and parameters that carry an apiKey
 *   scheme (the tool's credential supplies them). A path placeholder nobody declared becomes a string.
 * - Swagger 2.0 is read with 3.x's meaning: `in: body` is a JSON body (per `consumes`), `formData` a form
 *   body, `collectionFormat` a style, `host` + `basePath` + `schemes` the servers, `securityDefinitions` the
 *   schemes, and `#/definitions/...` references resolve like any pointer.
 * - Schemas: json-schema.ts (refs inlined, recursion cut, OpenAPI keywords converted, readOnly removed).
 *   Over 64 KB serialized, nested levels are summarized step by step; if that is not enough, a `problem`.
 * - `problem` instead of a tool, per operation and never fatal: multipart or other unsupported bodies, a
 *   `$ref` outside the document or to nothing, a schema too large, a 2.0 file parameter.
 *
 * Limits (`ImportOptions`, defaults in `importLimits`) keep a hostile document bounded in time and memory:
 * the document's size (20 MB; YAML, ten times costlier to read, 5 MB), YAML alias expansions (billion
 * laughs), operations imported (2,000; the rest are counted in a warning), `$ref` hops, each tool's schema
 * (64 KB), and the conversion work of the whole import. A document that cannot be read or is not OpenAPI at
 * all is an `AppError` (`invalid-argument`, `payload-too-large`) that says what was found.
 */
import { identifyDocument, isRecord, parseDocumentText } from "./document.js";
import { type DocumentContext, importOperation, methodsInOrder } from "./operations.js";
import { NameRegistry, toolNameFor } from "./names.js";
import { OperationProblem, RefResolver } from "./refs.js";
import type { ImportedOperation, OpenApiImport } from "./schema.js";
import { readRequirements, readSecuritySchemes } from "./security.js";

export type {
  ArgumentTarget,
  ImportedOperation,
  ImportedTool,
  OpenApiImport,
  RejectedOperation,
  RequestTemplate,
  SecurityScheme,
} from "./schema.js";

export const importLimits = {
  maxDocumentBytes: 20 * 1024 * 1024,
  /** YAML's parser counts alias expansions but takes ~40 MB of memory per MB read: 5 MB stays under 300 MB. */
  maxYamlBytes: 5 * 1024 * 1024,
  maxOperations: 2000,
  maxSchemaBytes: 64 * 1024,
  maxRefChain: 32,
  maxYamlAliases: 100,
  /**
   * Conversion work for the whole import, in approximate bytes of schema produced or thrown away: about 4
   * times what the largest real documents tried need (Kubernetes, Microsoft Graph: ~8 MB).
   */
  maxWorkBytes: 32 * 1024 * 1024,
  maxDescriptionChars: 1000,
} as const;

/** Limits to use instead of `importLimits`' (tests and callers with tighter budgets). */
export type ImportOptions = {
  readonly [K in keyof Omit<typeof importLimits, "maxDescriptionChars">]?: number;
};

/** `{var}` in a server URL replaced by the variable's default; `null` for what is not a usable server. */
function serverUrl(server: unknown, unresolved: Set<string>): string | null {
  if (!isRecord(server) || typeof server.url !== "string" || server.url.trim() === "") return null;
  const variables = isRecord(server.variables) ? server.variables : {};
  const url = server.url
    .trim()
    .slice(0, 2000)
    .replace(/\{([^{}]+)\}/g, (whole, name: string) => {
      const variable = Object.hasOwn(variables, name) ? variables[name] : undefined;
      if (
        isRecord(variable) &&
        (typeof variable.default === "string" || typeof variable.default === "number")
      )
        return String(variable.default);
      unresolved.add(name.slice(0, 80));
      return whole;
    });
  return url.length > 1 ? url.replace(/\/+$/, "") : url;
}

/** A relative server URL resolved against where the document was fetched from, as OpenAPI says it is. */
function resolveServer(server: string, documentUrl: string): string {
  if (/^https?:\/\//i.test(server)) return server;
  try {
    return new URL(server, documentUrl).href.replace(/\/+$/, "");
  } catch {
    return server;
  }
}

/**
 * Reads an OpenAPI or Swagger document and turns each of its operations into a candidate tool. `documentUrl`,
 * where the document was fetched from, is what its relative server URLs (`/api/v3`) are relative to.
 */
export async function importOpenApi(
  input: string | Uint8Array | Readonly<Record<string, unknown>>,
  options: ImportOptions = {},
  documentUrl?: string,
): Promise<OpenApiImport> {
  const limits = { ...importLimits, ...options };
  const parsed =
    typeof input === "string" || input instanceof Uint8Array ? await parseDocumentText(input, limits) : input;
  const { root, dialect, specVersion, warnings } = identifyDocument(parsed);
  const resolver = new RefResolver(root, limits.maxRefChain);
  const info = isRecord(root.info) ? root.info : {};
  const textOf = (v: unknown): string =>
    typeof v === "string" || typeof v === "number" ? String(v).trim() : "";

  // Servers: 3.x lists them (with variables); 2.0 composes them from host, basePath and schemes.
  const unresolved = new Set<string>();
  const readServers = (list: unknown): string[] | null => {
    if (!Array.isArray(list)) return null;
    const urls = list
      .slice(0, 50)
      .map((s) => serverUrl(s, unresolved))
      .filter((u): u is string => u !== null);
    return urls.length > 0 ? urls : null;
  };
  const host = typeof root.host === "string" ? root.host.trim().replace(/\/+$/, "").slice(0, 500) : "";
  const basePath =
    typeof root.basePath === "string" && root.basePath.trim() !== ""
      ? `/${root.basePath.trim().replace(/^\/+|\/+$/g, "")}`.replace(/^\/$/, "").slice(0, 1000)
      : "";
  const serversForSchemes = (schemes: unknown): string[] | null => {
    if (!Array.isArray(schemes)) return null;
    const usable = schemes.filter((s): s is string => s === "http" || s === "https");
    if (usable.length === 0) return null;
    return host === "" ? [basePath || "/"] : usable.map((s) => `${s}://${host}${basePath}`);
  };
  const declaredServers =
    dialect === "2.0"
      ? (serversForSchemes(root.schemes) ??
        (host === "" ? [basePath || "/"] : [`https://${host}${basePath}`]))
      : (readServers(root.servers) ?? []);
  const servers = documentUrl ? declaredServers.map((s) => resolveServer(s, documentUrl)) : declaredServers;
  if (servers.length === 0)
    warnings.push("The document names no server: the tools' base URL has to be set by hand.");
  else if (servers.every((s) => !/^https?:\/\//i.test(s)))
    warnings.push(
      `The document's server ${JSON.stringify(servers[0])} is relative to where the document is published: the tools' base URL has to be set by hand.`,
    );

  const securitySchemes = readSecuritySchemes(root, dialect, resolver, warnings);
  const declaredSchemes = new Set(securitySchemes.map((s) => s.id));
  const unknownSchemes = new Set<string>();
  const ctx: DocumentContext = {
    root,
    dialect,
    resolver,
    credentialParameters: new Set(
      securitySchemes.flatMap((s) =>
        s.type === "apiKey" ? [`${s.in}:${s.in === "header" ? s.name.toLowerCase() : s.name}`] : [],
      ),
    ),
    declaredSchemes,
    unknownSchemes,
    security: readRequirements(root.security, declaredSchemes, unknownSchemes) ?? [],
    servers,
    serversForSchemes,
    readServers,
    maxSchemaBytes: limits.maxSchemaBytes,
    maxDescriptionChars: limits.maxDescriptionChars,
    work: { remaining: limits.maxWorkBytes },
  };

  const operations: ImportedOperation[] = [];
  const toolNames = new NameRegistry();
  let declared = 0;
  const paths = isRecord(root.paths) ? root.paths : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    if (path.startsWith("x-")) continue;
    let pathItem: unknown;
    try {
      pathItem = resolver.deref(rawItem).value;
    } catch (e) {
      if (!(e instanceof OperationProblem)) throw e;
      warnings.push(`The path ${JSON.stringify(path.slice(0, 200))} was skipped: ${e.message}.`);
      continue;
    }
    if (!isRecord(pathItem)) continue;
    for (const method of methodsInOrder) {
      const op = pathItem[method];
      if (!isRecord(op)) continue;
      declared++;
      if (operations.length >= limits.maxOperations) continue;
      const operationId =
        typeof op.operationId === "string" && op.operationId.trim() !== "" ? op.operationId : null;
      const name = toolNames.claim(toolNameFor(operationId, method, path));
      operations.push(importOperation(ctx, name, path, method, pathItem, op));
    }
  }
  if (declared > operations.length)
    warnings.push(
      `The document declares ${declared} operations; the first ${operations.length} (in document order) were imported.`,
    );
  if (declared === 0) warnings.push("The document declares no operations.");
  if (isRecord(root.webhooks) && Object.keys(root.webhooks).length > 0)
    warnings.push(
      "Webhooks describe calls the API makes to its clients, not operations to call: they were ignored.",
    );
  if (unresolved.size > 0)
    warnings.push(
      `Server variables without a default were left in the URL: ${[...unresolved].slice(0, 10).join(", ")}.`,
    );
  if (unknownSchemes.size > 0)
    warnings.push(
      `Security requirements name schemes the document does not declare: ${[...unknownSchemes].slice(0, 10).join(", ")}.`,
    );
  if (ctx.work.remaining <= 0)
    warnings.push(
      "The document's schemas used up the import's work limit: the operations after that point are problems.",
    );

  return {
    title: textOf(info.title).slice(0, 300) || "Untitled API",
    version: textOf(info.version).slice(0, 100),
    specVersion,
    servers,
    securitySchemes,
    operations,
    warnings: [...new Set(warnings)].slice(0, 100),
  };
}
