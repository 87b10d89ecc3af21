/**
 * Security schemes (3.x `components.securitySchemes`, 2.0 `securityDefinitions`) normalized to what a
 * server-side agent can present on its own, and the requirements that apply to an operation.
 */
import type { Dialect } from "./document.js";
import { isRecord } from "./document.js";
import type { RefResolver } from "./refs.js";
import { OperationProblem } from "./refs.js";
import type { SecurityRequirement, SecurityScheme } from "./schema.js";

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : null);

/** User-delegated flows need a person at a browser, which a tool call never has. */
const userFlows: Readonly<Record<string, string>> = {
  authorizationCode: "the authorization code flow",
  implicit: "the implicit flow",
  password: "the resource owner password flow",
  accessCode: "the authorization code flow",
};

function scopesOf(v: unknown): Record<string, string> {
  if (!isRecord(v)) return {};
  return Object.fromEntries(
    Object.entries(v)
      .slice(0, 500)
      .map(([k, d]) => [k, typeof d === "string" ? d.slice(0, 300) : ""]),
  );
}

function normalizeScheme(id: string, raw: Record<string, unknown>, dialect: Dialect): SecurityScheme {
  const description = text(raw.description)?.slice(0, 1000) ?? null;
  const type = text(raw.type) ?? "";
  const unsupported = (reason: string): SecurityScheme => ({
    id,
    type: "unsupported",
    declared: type || "(none)",
    reason,
    description,
  });
  if (type === "apiKey") {
    const where = raw.in;
    const name = text(raw.name);
    if ((where === "header" || where === "query" || where === "cookie") && name !== null)
      return { id, type: "apiKey", in: where, name, description };
    return unsupported("an API key scheme needs `in` (header, query or cookie) and `name`");
  }
  if (type === "basic" && dialect === "2.0")
    return { id, type: "http", scheme: "basic", bearerFormat: null, description };
  if (type === "http") {
    const scheme = (text(raw.scheme) ?? "").toLowerCase();
    if (scheme === "bearer")
      return { id, type: "http", scheme: "bearer", bearerFormat: text(raw.bearerFormat), description };
    if (scheme === "basic") return { id, type: "http", scheme: "basic", bearerFormat: null, description };
    return unsupported(
      `the HTTP authentication scheme "${scheme.slice(0, 40)}" is not supported (bearer and basic are)`,
    );
  }
  if (type === "oauth2") {
    // 2.0 names the client credentials flow "application"; 3.x lists flows by name.
    const flows: Record<string, unknown> =
      dialect === "2.0" ? { [text(raw.flow) ?? ""]: raw } : isRecord(raw.flows) ? raw.flows : {};
    const client = flows.clientCredentials ?? flows.application;
    if (isRecord(client) && text(client.tokenUrl) !== null)
      return {
        id,
        type: "oauth2",
        flow: "clientCredentials",
        tokenUrl: text(client.tokenUrl) ?? "",
        refreshUrl: text(client.refreshUrl),
        scopes: scopesOf(client.scopes),
        description,
      };
    const named = Object.keys(flows)
      .map((f) => userFlows[f])
      .filter((f): f is string => f !== undefined);
    return unsupported(
      named.length > 0
        ? `OAuth 2 with ${named.join(" or ")} acts for a signed-in user; only the client credentials flow can be used by an agent`
        : "OAuth 2 without a client credentials flow (and its tokenUrl) cannot be used by an agent",
    );
  }
  if (type === "openIdConnect")
    return unsupported(
      `OpenID Connect (discovery at ${text(raw.openIdConnectUrl)?.slice(0, 200) ?? "an unnamed URL"}) is not supported`,
    );
  if (type === "mutualTLS") return unsupported("mutual TLS client certificates are not supported");
  return unsupported(`the security scheme type "${type.slice(0, 40)}" is not known`);
}

/** The document's schemes, in document order; problems with a scheme become warnings. */
export function readSecuritySchemes(
  root: Readonly<Record<string, unknown>>,
  dialect: Dialect,
  resolver: RefResolver,
  warnings: string[],
): SecurityScheme[] {
  const declared =
    dialect === "2.0"
      ? root.securityDefinitions
      : isRecord(root.components)
        ? root.components.securitySchemes
        : undefined;
  if (!isRecord(declared)) return [];
  const schemes: SecurityScheme[] = [];
  for (const [id, raw] of Object.entries(declared).slice(0, 200)) {
    let value: unknown;
    try {
      value = resolver.deref(raw).value;
    } catch (e) {
      if (!(e instanceof OperationProblem)) throw e;
      warnings.push(`The security scheme "${id.slice(0, 80)}" was skipped: ${e.message}.`);
      continue;
    }
    if (!isRecord(value)) {
      warnings.push(`The security scheme "${id.slice(0, 80)}" is not an object and was skipped.`);
      continue;
    }
    schemes.push(normalizeScheme(id, value, dialect));
  }
  return schemes;
}

/**
 * A `security` array as alternatives of scheme sets (`null` when absent). A scheme the document does not
 * declare is kept, so the operation is never shown as needing nothing, and named in `unknown` for a warning.
 */
export function readRequirements(
  value: unknown,
  declared: ReadonlySet<string>,
  unknown: Set<string>,
): SecurityRequirement[][] | null {
  if (!Array.isArray(value)) return null;
  const alternatives: SecurityRequirement[][] = [];
  for (const entry of value.slice(0, 50)) {
    if (!isRecord(entry)) continue;
    const set: SecurityRequirement[] = [];
    for (const [scheme, scopes] of Object.entries(entry).slice(0, 20)) {
      if (!declared.has(scheme)) unknown.add(scheme.slice(0, 80));
      set.push({
        scheme,
        scopes: Array.isArray(scopes)
          ? scopes.filter((s): s is string => typeof s === "string").slice(0, 100)
          : [],
      });
    }
    alternatives.push(set);
  }
  return alternatives;
}
