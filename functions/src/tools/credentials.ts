/**
 * Credentials tools authenticate with: an API key (in a header, the query or a cookie), a bearer token, basic
 * auth, or OAuth 2.0 client credentials (the token is fetched, cached until shortly before it expires, and
 * fetched again when an API refuses it). The secret (the key, token, password or client secret) is write-only:
 * sealed with the operator's key into a record outside the tenant's tree, never returned, never logged, never in
 * a URL the studio shows. Rotating it is a PATCH: tool sets name the credential, not the secret, so no agent changes.
 */
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import { seal, unseal } from "../platform/secrets.js";
import {
  credentialKinds,
  credentialPath,
  credentialSchema,
  credentialSecretPath,
  credentialSecretSchema,
  credentialsPath,
  type Credential,
} from "./schema.js";

const headerName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "a header, query or cookie name");

export const credentialInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(credentialKinds),
    secret: z.string().min(1, "the secret must not be empty").max(8000),
    placement: z.object({ in: z.enum(["header", "query", "cookie"]), name: headerName }).optional(),
    username: z.string().min(1).max(200).optional(),
    oauth: z
      .object({
        tokenUrl: z.url({ protocol: /^https?$/ }),
        clientId: z.string().min(1).max(500),
        scopes: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
        clientAuth: z.enum(["basic", "body"]).default("basic"),
      })
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const need = (field: string, present: boolean) => {
      if (!present)
        ctx.addIssue({ code: "custom", path: [field], message: `a ${c.kind} credential needs ${field}` });
    };
    if (c.kind === "api-key") need("placement", c.placement !== undefined);
    if (c.kind === "basic") need("username", c.username !== undefined);
    if (c.kind === "oauth2-client-credentials") need("oauth", c.oauth !== undefined);
  });

export const credentialPatch = z
  .object({ name: z.string().trim().min(1).max(100), secret: z.string().min(1).max(8000) })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, "send a new name or a new secret");

export type CredentialView = Credential & { readonly id: string };

const context = (id: string): string => `tools/credential/${id}`;

export async function createCredential(
  deps: Deps,
  caller: Caller,
  input: z.infer<typeof credentialInput>,
): Promise<CredentialView> {
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const credential: Credential = {
    name: input.name,
    kind: input.kind,
    placement: input.kind === "api-key" ? (input.placement ?? null) : null,
    username: input.kind === "basic" ? (input.username ?? null) : null,
    oauth: input.kind === "oauth2-client-credentials" ? (input.oauth ?? null) : null,
    createdAt: now,
    updatedAt: now,
  };
  const batch = deps.store.batch();
  batch.create(credentialPath(caller.tenantId, id), credential);
  batch.create(credentialSecretPath(id), {
    tenantId: caller.tenantId,
    secret: await seal(deps.config, input.secret, context(id)),
  });
  await recordAudit(
    deps,
    {
      tenantId: caller.tenantId,
      actor: caller.uid,
      action: "toolCredential.create",
      target: { type: "toolCredential", id },
      after: { name: credential.name, kind: credential.kind },
    },
    batch,
  );
  await batch.commit();
  return { id, ...credential };
}

export async function listCredentials(deps: Deps, tenantId: string): Promise<CredentialView[]> {
  const snaps = await deps.store.query({ collection: credentialsPath(tenantId) });
  return snaps
    .map((s) => ({ id: s.id, ...credentialSchema.parse(s.data) }))
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

export async function getCredential(deps: Deps, tenantId: string, id: string): Promise<CredentialView> {
  const snap = await deps.store.get(credentialPath(tenantId, id));
  if (!snap) throw new AppError("not-found", `Credential ${id} not found`);
  return { id, ...credentialSchema.parse(snap.data) };
}

export async function updateCredential(
  deps: Deps,
  caller: Caller,
  id: string,
  patch: z.infer<typeof credentialPatch>,
): Promise<CredentialView> {
  await getCredential(deps, caller.tenantId, id);
  const batch = deps.store.batch();
  batch.update(credentialPath(caller.tenantId, id), {
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    updatedAt: deps.clock.nowIso(),
  });
  if (patch.secret !== undefined) {
    batch.set(credentialSecretPath(id), {
      tenantId: caller.tenantId,
      secret: await seal(deps.config, patch.secret, context(id)),
    });
  }
  await recordAudit(
    deps,
    {
      tenantId: caller.tenantId,
      actor: caller.uid,
      action: "toolCredential.update",
      target: { type: "toolCredential", id },
      after: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        secretRotated: patch.secret !== undefined,
      },
    },
    batch,
  );
  await batch.commit();
  tokens.delete(id);
  return getCredential(deps, caller.tenantId, id);
}

export async function deleteCredential(deps: Deps, caller: Caller, id: string): Promise<void> {
  const credential = await getCredential(deps, caller.tenantId, id);
  const batch = deps.store.batch();
  batch.delete(credentialPath(caller.tenantId, id));
  batch.delete(credentialSecretPath(id));
  await recordAudit(
    deps,
    {
      tenantId: caller.tenantId,
      actor: caller.uid,
      action: "toolCredential.delete",
      target: { type: "toolCredential", id },
      before: { name: credential.name, kind: credential.kind },
    },
    batch,
  );
  await batch.commit();
  tokens.delete(id);
}

/** The credential and its opened secret, for a call; a credential of another tenant does not exist here. */
async function openCredential(
  deps: Deps,
  tenantId: string,
  id: string,
): Promise<{ credential: CredentialView; secret: string }> {
  const credential = await getCredential(deps, tenantId, id);
  const snap = await deps.store.get(credentialSecretPath(id));
  if (!snap) throw new AppError("failed-precondition", `Credential ${credential.name} has no secret`);
  const sealed = credentialSecretSchema.parse(snap.data);
  if (sealed.tenantId !== tenantId) throw new AppError("not-found", `Credential ${id} not found`);
  return { credential, secret: await unseal(deps.config, sealed.secret, context(id)) };
}

/** What a request carries to authenticate: headers and query parameters to add. The secret never leaves it. */
export interface AppliedAuth {
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
  /** Secrets to mask wherever the request is shown (the trace, the tool playground). */
  readonly secrets: readonly string[];
}

/** OAuth access tokens per credential, until shortly before they expire. */
const tokens = new Map<string, { token: string; until: number }>();

async function fetchToken(
  deps: Deps,
  id: string,
  oauth: NonNullable<Credential["oauth"]>,
  clientSecret: string,
): Promise<string> {
  const cached = tokens.get(id);
  if (cached && cached.until > Date.now()) return cached.token;
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (oauth.scopes.length > 0) form.set("scope", oauth.scopes.join(" "));
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (oauth.clientAuth === "basic") {
    const pair = `${encodeURIComponent(oauth.clientId)}:${encodeURIComponent(clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
  } else {
    form.set("client_id", oauth.clientId);
    form.set("client_secret", clientSecret);
  }
  let response;
  try {
    response = await deps.egress.request({
      method: "POST",
      url: oauth.tokenUrl,
      headers,
      body: form.toString(),
      timeoutMs: 10_000,
      maxBodyBytes: 64 * 1024,
    });
  } catch (e) {
    if (isAppError(e)) throw new AppError(e.code, `The token endpoint could not be reached: ${e.message}`);
    throw e;
  }
  let body: { access_token?: unknown; expires_in?: unknown } = {};
  try {
    body = JSON.parse(new TextDecoder().decode(response.body)) as typeof body;
  } catch {
    // described below
  }
  if (response.status !== 200 || typeof body.access_token !== "string") {
    throw new AppError(
      "failed-precondition",
      `The token endpoint refused the client credentials (HTTP ${response.status})`,
    );
  }
  const seconds = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : 300;
  tokens.set(id, { token: body.access_token, until: Date.now() + Math.max(0, seconds - 30) * 1000 });
  return body.access_token;
}

/**
 * Where a credential's value goes in a request: an API key's header, cookie or query parameter, or the
 * `Authorization` header (`Bearer` for bearer tokens and OAuth access tokens, `Basic` with the encoded pair).
 * `value` is what is sent there (the key, the token, the base64 pair), or `***` to show the place without it.
 */
export function placeAuth(
  credential: Pick<Credential, "kind" | "placement">,
  value: string,
): { headers: Record<string, string>; query: Record<string, string> } {
  if (credential.kind === "api-key") {
    const placement = credential.placement as NonNullable<Credential["placement"]>;
    if (placement.in === "header") return { headers: { [placement.name]: value }, query: {} };
    if (placement.in === "cookie") return { headers: { cookie: `${placement.name}=${value}` }, query: {} };
    return { headers: {}, query: { [placement.name]: value } };
  }
  return {
    headers: { authorization: `${credential.kind === "basic" ? "Basic" : "Bearer"} ${value}` },
    query: {},
  };
}

/**
 * The auth a request with `credentialId` carries. `fresh` drops a cached OAuth token first (after the API
 * refused it).
 */
export async function authFor(
  deps: Deps,
  tenantId: string,
  credentialId: string,
  options: { fresh?: boolean } = {},
): Promise<AppliedAuth> {
  const { credential, secret } = await openCredential(deps, tenantId, credentialId);
  switch (credential.kind) {
    case "api-key":
    case "bearer":
      return { ...placeAuth(credential, secret), secrets: [secret] };
    case "basic": {
      const basic = Buffer.from(`${credential.username ?? ""}:${secret}`).toString("base64");
      return { ...placeAuth(credential, basic), secrets: [secret, basic] };
    }
    case "oauth2-client-credentials": {
      if (options.fresh) tokens.delete(credentialId);
      const token = await fetchToken(
        deps,
        credentialId,
        credential.oauth as NonNullable<Credential["oauth"]>,
        secret,
      );
      return { ...placeAuth(credential, token), secrets: [secret, token] };
    }
  }
}
