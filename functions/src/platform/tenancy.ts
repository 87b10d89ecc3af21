/**
 * Tenants, members and API keys: the collections identity depends on. Every tenant-owned path in the
 * platform is built from `tenantPath`, so isolation is a property of the path.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "./audit.js";
import type { Deps } from "./deps.js";
import { AppError } from "./errors.js";
import { idPattern } from "./ids.js";

export const roles = ["viewer", "editor", "admin", "owner"] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export const tenantSchema = z.object({
  name: z.string().min(1).max(120),
  plan: z.string().default("free"),
  createdAt: z.string(),
});
export type Tenant = z.infer<typeof tenantSchema>;

export const apiKeySchema = z.object({
  name: z.string().min(1).max(120),
  /** sha256 of the key; the key itself is shown once and never stored. */
  hash: z.string().regex(/^[a-f0-9]{64}$/),
  /** The first characters, so a person can tell keys apart in a list. */
  prefix: z.string(),
  role: roleSchema,
  tenantId: z.string(),
  /** When set, the key may only talk to this agent (a channel's key). */
  agentId: z.string().nullable().default(null),
  /** Who created it (a uid or `apikey:<id>`), for the audit trail. */
  createdBy: z.string().default("system"),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable().default(null),
});
export type ApiKeyRecord = z.infer<typeof apiKeySchema>;

/** Validates an id taken from a request before it becomes a path segment. */
export function checkId(id: string, what = "id"): string {
  if (!idPattern.test(id)) throw new AppError("invalid-argument", `Invalid ${what}: "${id.slice(0, 80)}"`);
  return id;
}

export const tenantPath = (tenantId: string): string => `tenants/${checkId(tenantId, "tenant id")}`;
export const apiKeysPath = (tenantId: string): string => `${tenantPath(tenantId)}/apiKeys`;
export const apiKeyPath = (tenantId: string, keyId: string): string =>
  `${apiKeysPath(tenantId)}/${checkId(keyId, "key id")}`;
export const memberPath = (tenantId: string, uid: string): string =>
  `${tenantPath(tenantId)}/members/${checkId(uid, "user id")}`;

export const hashApiKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

export const apiKeyPrefix = "alk_";

export async function createTenant(deps: Deps, tenantId: string, name: string): Promise<void> {
  await deps.store.create(tenantPath(tenantId), { name, plan: "free", createdAt: deps.clock.nowIso() });
}

/** Creates an API key; returns the key itself, which is never stored and cannot be shown again. */
export async function createApiKey(
  deps: Deps,
  tenantId: string,
  input: { name: string; role: Role; key?: string; agentId?: string | null; createdBy?: string },
): Promise<{ id: string; key: string }> {
  const key = input.key ?? `${apiKeyPrefix}${deps.ids.newSecret(32)}`;
  if (key.length < 16)
    throw new AppError("invalid-argument", "An API key must be at least 16 characters long");
  const id = deps.ids.newId();
  const record: ApiKeyRecord = {
    name: input.name,
    hash: hashApiKey(key),
    prefix: key.slice(0, 8),
    role: input.role,
    tenantId,
    agentId: input.agentId ?? null,
    createdBy: input.createdBy ?? "system",
    createdAt: deps.clock.nowIso(),
    lastUsedAt: null,
    revokedAt: null,
  };
  // The key and its audit entry commit together.
  const batch = deps.store.batch();
  batch.create(apiKeyPath(tenantId, id), record);
  await recordAudit(
    deps,
    {
      tenantId,
      actor: record.createdBy,
      action: "apikey.create",
      target: { type: "apiKey", id },
      after: { name: record.name, role: record.role, agentId: record.agentId, prefix: record.prefix },
    },
    batch,
  );
  await batch.commit();
  return { id, key };
}

export type ApiKeyView = Omit<ApiKeyRecord, "hash"> & { readonly id: string };

/** The tenant's keys, newest first, without their hashes. Revoked keys are listed as such. */
export async function listApiKeys(deps: Deps, tenantId: string): Promise<ApiKeyView[]> {
  const snaps = await deps.store.query({ collection: apiKeysPath(tenantId) });
  return snaps
    .map((s) => {
      const { hash: _hash, ...rest } = apiKeySchema.parse(s.data);
      return { id: s.id, ...rest };
    })
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? -1 : 1));
}

/** Revokes a key (idempotent): it stops working at once; its record stays for the audit trail. */
export async function revokeApiKey(
  deps: Deps,
  tenantId: string,
  keyId: string,
  actor = "system",
): Promise<ApiKeyView> {
  const path = apiKeyPath(tenantId, keyId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `API key ${keyId} not found`);
    const record = apiKeySchema.parse(snap.data);
    const revokedAt = record.revokedAt ?? deps.clock.nowIso();
    if (!record.revokedAt) {
      tx.update(path, { revokedAt });
      await recordAudit(
        deps,
        {
          tenantId,
          actor,
          action: "apikey.revoke",
          target: { type: "apiKey", id: keyId },
          before: { revokedAt: null },
          after: { revokedAt },
        },
        tx,
      );
    }
    const { hash: _hash, ...rest } = record;
    return { id: keyId, ...rest, revokedAt };
  });
}
