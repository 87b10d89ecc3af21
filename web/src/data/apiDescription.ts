import { getPlatformJson, isRecord, PlatformRequestError } from "./platform";
import { useRemoteData, type RemoteData } from "./useRemoteData";

/** Where the platform publishes its OpenAPI 3.1 document; public, like the reference page that renders it. */
export const openApiPath = "/v1/openapi.json";

const httpMethods = ["get", "post", "put", "patch", "delete", "head", "options", "trace"] as const;
export type HttpMethod = (typeof httpMethods)[number];

/** One route of the public API, as the reference page lists it. */
export interface ApiOperation {
  readonly method: HttpMethod;
  readonly path: string;
  readonly summary: string;
  readonly operationId?: string;
  readonly tags: readonly string[];
  /** False when the route is public, or when one of its security alternatives is empty (`{}`). */
  readonly requiresApiKey: boolean;
}

export interface ApiTag {
  readonly name: string;
  readonly description?: string;
}

export interface ApiDescription {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
  readonly tags: readonly ApiTag[];
  readonly operations: readonly ApiOperation[];
  /** How to send the key, e.g. `Authorization: Bearer <key>`, from the document's security schemes. */
  readonly authentication: readonly string[];
}

export interface ApiGroup {
  readonly tag: string;
  readonly description?: string;
  readonly operations: readonly ApiOperation[];
}

/** Routes without a tag land here, after every named group. */
export const untaggedGroup = "Other";

export async function fetchApiDescription(signal: AbortSignal): Promise<ApiDescription> {
  return parseApiDescription(await getPlatformJson(openApiPath, { signal }));
}

export function useApiDescription(): RemoteData<ApiDescription> {
  return useRemoteData(fetchApiDescription);
}

export function parseApiDescription(document: unknown): ApiDescription {
  if (!isRecord(document) || typeof document.openapi !== "string" || !isRecord(document.paths)) {
    throw new PlatformRequestError(
      "invalid-response",
      openApiPath,
      `GET ${openApiPath} answered with something that is not an OpenAPI document.`,
    );
  }
  const info = isRecord(document.info) ? document.info : {};
  const defaultSecurity = document.security;

  const operations: ApiOperation[] = [];
  for (const [path, pathItem] of Object.entries(document.paths)) {
    if (!isRecord(pathItem)) continue;
    for (const method of httpMethods) {
      const operation = pathItem[method];
      if (!isRecord(operation)) continue;
      const summary = stringOr(operation.summary, stringOr(operation.description, ""));
      const operationId = stringOr(operation.operationId, "");
      operations.push({
        method,
        path,
        summary,
        ...(operationId ? { operationId } : {}),
        tags: stringsOf(operation.tags),
        // An operation's own `security` replaces the document's; `[]` makes it public.
        requiresApiKey: requiresCredentials(operation.security ?? defaultSecurity),
      });
    }
  }

  const tags = Array.isArray(document.tags)
    ? document.tags.filter(isRecord).flatMap((tag): ApiTag[] => {
        if (typeof tag.name !== "string") return [];
        return [
          {
            name: tag.name,
            ...(typeof tag.description === "string" ? { description: tag.description } : {}),
          },
        ];
      })
    : [];
  const description = stringOr(info.description, "");
  return {
    title: stringOr(info.title, "Alchemist API"),
    version: stringOr(info.version, ""),
    ...(description ? { description } : {}),
    tags,
    operations,
    authentication: describeSecuritySchemes(document.components),
  };
}

function requiresCredentials(security: unknown): boolean {
  if (!Array.isArray(security) || security.length === 0) return false;
  return security.every((requirement) => isRecord(requirement) && Object.keys(requirement).length > 0);
}

function describeSecuritySchemes(components: unknown): string[] {
  if (!isRecord(components) || !isRecord(components.securitySchemes)) return [];
  return Object.values(components.securitySchemes).flatMap((scheme): string[] => {
    if (!isRecord(scheme)) return [];
    if (scheme.type === "http" && typeof scheme.scheme === "string") {
      const name = scheme.scheme.toLowerCase() === "bearer" ? "Bearer" : scheme.scheme;
      return [`Authorization: ${name} <key>`];
    }
    if (scheme.type === "apiKey" && typeof scheme.name === "string") {
      return scheme.in === "header"
        ? [`${scheme.name}: <key>`]
        : [`${scheme.name}=<key> (${String(scheme.in)})`];
    }
    return [];
  });
}

/**
 * Groups routes by tag: the document's declared tag order first, then any other tag alphabetically, then
 * untagged routes. A route with several tags appears in each of its groups, as in other OpenAPI viewers.
 */
export function groupOperationsByTag(description: ApiDescription, filter = ""): ApiGroup[] {
  const query = filter.trim().toLowerCase();
  const matches = (op: ApiOperation) =>
    query === "" ||
    [op.method, op.path, op.summary, op.operationId ?? "", ...op.tags].some((field) =>
      field.toLowerCase().includes(query),
    );

  const byTag = new Map<string, ApiOperation[]>();
  for (const op of description.operations.filter(matches)) {
    for (const tag of op.tags.length > 0 ? op.tags : [untaggedGroup]) {
      const group = byTag.get(tag);
      if (group) group.push(op);
      else byTag.set(tag, [op]);
    }
  }

  const declared = description.tags.map((t) => t.name);
  const rank = (tag: string) => {
    if (tag === untaggedGroup) return Infinity;
    const position = declared.indexOf(tag);
    return position === -1 ? declared.length : position;
  };
  return [...byTag.keys()]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((tag) => {
      const declaredDescription = description.tags.find((t) => t.name === tag)?.description;
      return {
        tag,
        ...(declaredDescription ? { description: declaredDescription } : {}),
        operations: (byTag.get(tag) ?? []).sort(
          (a, b) =>
            a.path.localeCompare(b.path) || httpMethods.indexOf(a.method) - httpMethods.indexOf(b.method),
        ),
      };
    });
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
