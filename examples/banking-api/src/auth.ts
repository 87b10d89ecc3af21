import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { type IncomingHttpHeaders } from "node:http";
import { isoDateTime, type Clock } from "./clock.js";
import { problem } from "./problem.js";

// Two ways in, each bound to one customer: an OAuth 2.0 client-credentials bearer token (RFC 6749 section 4.4,
// RFC 6750) or an X-API-Key header. Secrets are kept only as SHA-256 digests and compared in constant time;
// comparing equal-length digests also hides the secret's length.

export const SCOPES = {
  "accounts:read": "Read the customer's profile, accounts, balances, transactions, payees and transfers.",
  "transfers:write": "Add payees and send transfers from the customer's accounts.",
} as const;
export type Scope = keyof typeof SCOPES;

export const TOKEN_LIFETIME_SECONDS = 300;
export const TOKEN_PATH = "/oauth/token";
export const API_KEY_HEADER = "X-API-Key";
const REALM = "banking-api";

export interface Principal {
  customerId: string;
  scopes: readonly Scope[];
  credential: "api-key" | "bearer-token";
}

export interface ApiKeyGrant {
  apiKey: string;
  customerId: string;
  scopes: readonly Scope[];
}

export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  customerId: string;
  scopes: readonly Scope[];
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
}

interface Grant {
  customerId: string;
  scopes: readonly Scope[];
}

export interface Authority {
  clock: Clock;
  apiKeys: (Grant & { digest: Buffer })[];
  clients: Map<string, Grant & { secretDigest: Buffer }>;
  /** Issued tokens by their digest: a leaked copy of this map lets no one in. */
  tokens: Map<string, Grant & { expiresAt: number }>;
}

export function createAuthority(options: {
  clock: Clock;
  apiKeys: readonly ApiKeyGrant[];
  clients: readonly ClientRegistration[];
}): Authority {
  return {
    clock: options.clock,
    apiKeys: options.apiKeys.map(({ apiKey, customerId, scopes }) => ({
      digest: digest(apiKey),
      customerId,
      scopes,
    })),
    clients: new Map(
      options.clients.map(({ clientId, clientSecret, customerId, scopes }) => [
        clientId,
        { secretDigest: digest(clientSecret), customerId, scopes },
      ]),
    ),
    tokens: new Map(),
  };
}

/** Who is calling: a bearer token or an API key, never both. Throws a 401 problem with a challenge. */
export function authenticate(authority: Authority, headers: IncomingHttpHeaders): Principal {
  const authorization = headers.authorization;
  const apiKey = headers["x-api-key"];
  if (authorization !== undefined && apiKey !== undefined) {
    throw unauthenticated("Send either an Authorization bearer token or an X-API-Key header, not both.");
  }
  if (typeof apiKey === "string") {
    const presented = digest(apiKey);
    // Every key is compared, so the time taken does not tell which one nearly matched.
    let found: Grant | undefined;
    for (const key of authority.apiKeys) {
      if (timingSafeEqual(presented, key.digest)) found = key;
    }
    if (!found) throw unauthenticated("The X-API-Key header does not hold a valid API key.");
    return { customerId: found.customerId, scopes: found.scopes, credential: "api-key" };
  }
  if (authorization === undefined) {
    throw unauthenticated(
      `Send a bearer token from POST ${TOKEN_PATH} (OAuth 2.0 client credentials) or an ${API_KEY_HEADER} header.`,
    );
  }
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
  if (!match?.[1]) {
    throw unauthenticated("The Authorization header must be `Bearer <access token>`.");
  }
  const key = digest(match[1]).toString("hex");
  const token = authority.tokens.get(key);
  if (!token) throw unauthenticated("The access token is not valid.", "invalid_token");
  if (authority.clock() >= token.expiresAt) {
    authority.tokens.delete(key);
    throw unauthenticated(
      `The access token expired at ${isoDateTime(token.expiresAt)}; request a new one from POST ${TOKEN_PATH}.`,
      "invalid_token",
    );
  }
  return { customerId: token.customerId, scopes: token.scopes, credential: "bearer-token" };
}

/** Throws a 403 problem unless the credential carries `scope`. */
export function requireScope(principal: Principal, scope: Scope): void {
  if (principal.scopes.includes(scope)) return;
  const held = principal.scopes.length > 0 ? principal.scopes.join(" ") : "no scopes";
  throw problem(
    "insufficient-scope",
    `This operation needs the ${scope} scope; the credential has ${held}.`,
    {
      members: { requiredScope: scope },
      headers:
        principal.credential === "bearer-token"
          ? { "WWW-Authenticate": `Bearer realm="${REALM}", error="insufficient_scope", scope="${scope}"` }
          : {},
    },
  );
}

/**
 * The token endpoint (RFC 6749 section 4.4.2): grant_type=client_credentials, an optional space-separated
 * `scope` (default: every scope the client may have), the client authenticated by HTTP Basic
 * (client_secret_basic) or by client_id and client_secret form fields (client_secret_post), not both.
 */
export function issueToken(
  authority: Authority,
  form: URLSearchParams,
  authorization: string | undefined,
): TokenResponse {
  for (const name of new Set(form.keys())) {
    if (form.getAll(name).length > 1)
      throw tokenRefused("invalid_request", `${name} is given more than once.`);
  }
  const client = authenticateClient(authority, form, authorization);
  const grantType = form.get("grant_type");
  if (grantType === null)
    throw tokenRefused("invalid_request", "grant_type is required: client_credentials.");
  if (grantType !== "client_credentials") {
    throw tokenRefused("unsupported_grant_type", `Only grant_type=client_credentials is supported.`);
  }
  const requested = (form.get("scope") ?? "").split(" ").filter((scope) => scope !== "");
  const refused = requested.filter((scope) => !client.scopes.some((allowed) => allowed === scope));
  if (refused.length > 0) {
    throw tokenRefused(
      "invalid_scope",
      `This client may not have ${refused.join(" ")}; it may have ${client.scopes.join(" ")}.`,
    );
  }
  const scopes =
    requested.length > 0 ? client.scopes.filter((scope) => requested.includes(scope)) : client.scopes;
  const now = authority.clock();
  for (const [key, token] of authority.tokens) if (now >= token.expiresAt) authority.tokens.delete(key);
  const accessToken = randomBytes(32).toString("base64url");
  authority.tokens.set(digest(accessToken).toString("hex"), {
    customerId: client.customerId,
    scopes,
    expiresAt: now + TOKEN_LIFETIME_SECONDS * 1000,
  });
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: TOKEN_LIFETIME_SECONDS,
    scope: scopes.join(" "),
  };
}

function authenticateClient(
  authority: Authority,
  form: URLSearchParams,
  authorization: string | undefined,
): Grant {
  const posted = form.has("client_id") || form.has("client_secret");
  if (authorization !== undefined && posted) {
    throw tokenRefused(
      "invalid_request",
      "Authenticate the client one way: HTTP Basic or form fields, not both.",
    );
  }
  let clientId: string | undefined;
  let clientSecret: string | undefined;
  if (authorization !== undefined) {
    const basic = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(authorization.trim());
    const decoded = basic?.[1] ? Buffer.from(basic[1], "base64").toString("utf8") : "";
    const colon = decoded.indexOf(":");
    if (colon < 0)
      throw invalidClient("The Authorization header must be HTTP Basic: client_id:client_secret.");
    // RFC 6749 section 2.3.1: both parts are form-encoded before Basic encoding.
    clientId = formDecode(decoded.slice(0, colon));
    clientSecret = formDecode(decoded.slice(colon + 1));
  } else {
    clientId = form.get("client_id") ?? undefined;
    clientSecret = form.get("client_secret") ?? undefined;
  }
  if (clientId === undefined || clientSecret === undefined) {
    throw invalidClient(
      "Authenticate the client with HTTP Basic or client_id and client_secret form fields.",
    );
  }
  const client = authority.clients.get(clientId);
  // An unknown client costs the same comparison as a known one.
  const expected = client?.secretDigest ?? digest(randomBytes(16).toString("hex"));
  const matches = timingSafeEqual(digest(clientSecret), expected);
  if (!client || !matches) throw invalidClient("The client id or secret is not valid.");
  return client;
}

function digest(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

// RFC 6750 section 3.1: the challenge carries an error code only when a token was presented and refused.
function unauthenticated(detail: string, error?: "invalid_token") {
  const challenge = error
    ? `Bearer realm="${REALM}", error="${error}", error_description="${detail.replace(/"/g, "'")}"`
    : `Bearer realm="${REALM}"`;
  return problem("unauthenticated", detail, { headers: { "WWW-Authenticate": challenge } });
}

// Token endpoint errors keep RFC 6749's `error` code as an extension member, so OAuth clients read them too.
function tokenRefused(error: string, detail: string) {
  return problem("token-request-refused", detail, { members: { error, error_description: detail } });
}

function invalidClient(detail: string) {
  return problem("token-request-refused", detail, {
    status: 401,
    members: { error: "invalid_client", error_description: detail },
    headers: { "WWW-Authenticate": `Basic realm="${REALM}"` },
  });
}
