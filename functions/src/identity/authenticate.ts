/**
 * Who is calling, and may they? Every route and callable resolves its caller here, from the credential
 * alone (never from the request body); what it may do is decided by `requirePermission` (permissions.ts).
 */
import { callerFromSession, sessionTokenPrefix } from "./sessions.js";
import type { Deps } from "../platform/deps.js";
import type { Caller } from "../platform/caller.js";
import type { CallableCredentials } from "../platform/callable.js";
import { AppError } from "../platform/errors.js";
import { apiKeyRefusal, apiKeySchema, hashApiKey } from "./api-keys.js";
import { roleSchema } from "../platform/caller.js";
import { productionEnvironment } from "./environments.js";
import type { AdmittedRoute } from "../platform/http/router.js";
import {
  featureFlagSchema,
  featureOffError,
  mfaRefusal,
  suspendedError,
  workspaceStanding,
} from "./tenants.js";

const lastUsedGranularityMs = 60_000;

function bearerToken(header: string | undefined): string {
  if (!header)
    throw new AppError("unauthenticated", "Missing credentials: send 'Authorization: Bearer <api key>'");
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match)
    throw new AppError("unauthenticated", "Malformed Authorization header: expected 'Bearer <api key>'");
  return match[1] as string;
}

const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

export async function authenticate(deps: Deps, authorization: string | undefined): Promise<Caller> {
  const token = bearerToken(authorization);
  // Local sessions (identity/sessions.ts) carry their own prefix, so no other credential is tried for them.
  if (token.startsWith(sessionTokenPrefix)) return callerFromSession(deps, token);
  if (deps.idTokens && looksLikeJwt(token)) return callerFromIdToken(deps, token);
  return callerFromApiKey(deps, token);
}

async function callerFromApiKey(deps: Deps, key: string): Promise<Caller> {
  const hash = hashApiKey(key);
  const [hit] = await deps.store.query({
    collectionGroup: "apiKeys",
    where: [{ field: "hash", op: "==", value: hash }],
    limit: 1,
  });
  const parsed = hit ? apiKeySchema.safeParse(hit.data) : undefined;
  if (!hit || !parsed?.success || parsed.data.revokedAt)
    throw new AppError("unauthenticated", "Invalid API key");
  const record = parsed.data;
  if (!hit.path.startsWith(`tenants/${record.tenantId}/apiKeys/`)) {
    throw new AppError("unauthenticated", "Invalid API key");
  }
  // The key's tenant must still exist (a key of a deleted tenant is dead), and a person's key works only
  // while they are a member with a role at least the key's: defence in depth behind the removal cascade.
  const [tenant, refusal] = await Promise.all([
    deps.store.get(`tenants/${record.tenantId}`),
    apiKeyRefusal(deps.store, record.tenantId, record),
  ]);
  if (!tenant) throw new AppError("unauthenticated", "Invalid API key");
  if (refusal) {
    throw new AppError(
      "unauthenticated",
      `This API key no longer works: ${refusal}. Ask an admin of the workspace for a new key`,
    );
  }
  const now = deps.clock.now();
  if (!record.lastUsedAt || now.getTime() - Date.parse(record.lastUsedAt) > lastUsedGranularityMs) {
    // Best effort and off the request path: a failed timestamp must not fail the request.
    deps.store.update(hit.path, { lastUsedAt: now.toISOString() }).catch(() => undefined);
  }
  return {
    tenantId: record.tenantId,
    role: record.role,
    uid: `apikey:${hit.id}`,
    via: "api-key",
    ...(record.agentId ? { agentId: record.agentId } : {}),
    ...(record.environment !== productionEnvironment ? { environment: record.environment } : {}),
  };
}

async function callerFromIdToken(deps: Deps, token: string): Promise<Caller> {
  let verified: { uid: string; claims: Record<string, unknown> };
  try {
    verified = await deps.idTokens!.verify(token);
  } catch {
    throw new AppError("unauthenticated", "Invalid or expired ID token");
  }
  return callerFromClaims(verified.uid, verified.claims);
}

/**
 * Tenant and role travel as custom claims (set by a function, never by the client), and so does
 * `platformAdmin` (set by an operator with `npm run operator`). Firebase Auth itself says whether the
 * sign-in used a second factor (`firebase.sign_in_second_factor`).
 */
export function callerFromClaims(uid: string, claims: Record<string, unknown>): Caller {
  const tenantId = claims.tenantId;
  const role = roleSchema.safeParse(claims.role);
  if (typeof tenantId !== "string" || !role.success) {
    throw new AppError("permission-denied", "This account is not a member of any tenant yet");
  }
  const viaKey = typeof claims.apiKey === "string";
  const firebase = claims.firebase as { sign_in_second_factor?: unknown } | undefined;
  return {
    tenantId,
    role: role.data,
    uid,
    via: viaKey ? "api-key" : "id-token",
    ...(claims.platformAdmin === true && !viaKey ? { platformAdmin: true as const } : {}),
    ...(typeof firebase?.sign_in_second_factor === "string" ? { mfa: true } : {}),
  };
}

/**
 * What the platform operator decided about the caller's workspace, applied to one request after its
 * permission check (the router calls this for every authenticated route):
 * - admins and owners of a workspace that requires two-step sign-in need a session that used one;
 * - a suspended workspace may read, but writes are refused, except the few a route allows (privacy requests,
 *   paying, revoking keys and removing members);
 * - a route of a feature the operator turned off is refused.
 */
export async function admitRequest(deps: Deps, caller: Caller, route: AdmittedRoute): Promise<void> {
  if (!caller.tenantId) return;
  const standing = await workspaceStanding(deps, caller.tenantId);
  const mfa = mfaRefusal(caller, standing);
  if (mfa) throw mfa;
  if (standing.suspension && route.method !== "GET" && !route.allowSuspended) {
    throw suspendedError(caller.tenantId, standing.suspension);
  }
  const feature = route.feature === undefined ? undefined : featureFlagSchema.parse(route.feature);
  if (feature && standing.featuresOff.includes(feature)) throw featureOffError(feature);
}

/**
 * The caller of a callable, resolved exactly as the REST API resolves one: by `authenticate` from the request's
 * own `Authorization` header. Firebase has verified an ID token before the function runs, but not whether it
 * was revoked, and the local runtime's `auth` is a summary; going through the one `authenticate` gives every
 * entry point the same caller (tenant, role, an API key's agent scope) and the same revocation checks.
 */
export async function callableCaller(deps: Deps, request: CallableCredentials): Promise<Caller> {
  const header = request.rawRequest.headers.authorization;
  const authorization = Array.isArray(header) ? header[0] : header;
  if (!request.auth || !authorization) throw new AppError("unauthenticated", "Sign in to talk to an agent");
  return authenticate(deps, authorization);
}
