/**
 * API keys: created with a role (at most the creator's own), optionally limited to one agent, living by
 * their owner's membership, revoked at once. The key itself is shown once and only its hash is stored.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import { checkId, roleSchema, roles, tenantPath, type Caller, type Role } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import type { Transaction } from "../platform/ports.js";
import { productionEnvironment } from "./environments.js";
import { memberPath } from "./schema.js";
import { requireEnvironment } from "./tenants.js";

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
  /** The environment whose versions the key's conversations get (identity/environments.ts). */
  environment: z.string().default(productionEnvironment),
  /** Who created it (a uid or `apikey:<id>`), for the audit trail. */
  createdBy: z.string().default("system"),
  /**
   * The member whose membership the key lives by (see `apiKeyOwner`); `null` for the platform's own keys.
   * Absent on keys made before ownership was recorded: it is then worked out from `createdBy`.
   */
  ownedBy: z.string().nullable().optional(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable().default(null),
});
export type ApiKeyRecord = z.infer<typeof apiKeySchema>;

export const apiKeysPath = (tenantId: string): string => `${tenantPath(tenantId)}/apiKeys`;
export const apiKeyPath = (tenantId: string, keyId: string): string =>
  `${apiKeysPath(tenantId)}/${checkId(keyId, "key id")}`;

export const hashApiKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

const roleRank = (role: Role): number => roles.indexOf(role);

// ----- who a key belongs to ------------------------------------------------------------------------

/**
 * Whose membership a key lives by. A key created by a person (with a session or an ID token) is theirs; a
 * key created with another key belongs to that key's owner, so a chain of keys never outlives the person
 * behind it; the platform's own keys (seeded, `system`) belong to nobody and live until revoked. A legacy
 * chain that cannot be followed (a missing key, a loop) belongs to nobody who could keep it alive.
 */
export type ApiKeyOwner =
  | { readonly kind: "member"; readonly uid: string }
  | { readonly kind: "platform" }
  | { readonly kind: "unknown" };

const apiKeyActorPrefix = "apikey:";
/** Longer than any chain worth following; only keys made before `ownedBy` existed are followed at all. */
const maxKeyChain = 8;

/** What `createdBy` names when it is not a key: the platform itself, or a member. */
function ownerNamed(createdBy: string): ApiKeyOwner {
  if (createdBy === "system") return { kind: "platform" };
  return idPattern.test(createdBy) ? { kind: "member", uid: createdBy } : { kind: "unknown" };
}

type Ownership = Pick<ApiKeyRecord, "createdBy" | "ownedBy">;

export async function apiKeyOwner(
  record: Ownership,
  lookup: (keyId: string) => Promise<Ownership | null>,
): Promise<ApiKeyOwner> {
  let current = record;
  for (let hop = 0; hop < maxKeyChain; hop++) {
    if (current.ownedBy === null) return { kind: "platform" };
    if (current.ownedBy !== undefined) return ownerNamed(current.ownedBy);
    if (!current.createdBy.startsWith(apiKeyActorPrefix)) return ownerNamed(current.createdBy);
    const parentId = current.createdBy.slice(apiKeyActorPrefix.length);
    const parent = idPattern.test(parentId) ? await lookup(parentId) : null;
    if (!parent) return { kind: "unknown" };
    current = parent;
  }
  return { kind: "unknown" };
}

type Reader = Pick<Transaction, "get">;

const readApiKey = (reader: Reader, tenantId: string) => async (keyId: string) => {
  const snap = await reader.get(apiKeyPath(tenantId, keyId));
  const parsed = snap ? apiKeySchema.safeParse(snap.data) : undefined;
  return parsed?.success ? parsed.data : null;
};

const memberRoleSchema = z.object({ role: roleSchema });

/**
 * Why a key that is not revoked must still not work, or `undefined` when it may: a person's key works only
 * while they are a member with a role at least the key's. Checked on every request (`callerFromApiKey`)
 * and when an invitation made with a key is accepted, so a missed cascade cannot leave a key alive.
 */
export async function apiKeyRefusal(
  reader: Reader,
  tenantId: string,
  record: ApiKeyRecord,
): Promise<string | undefined> {
  if (record.revokedAt) return "it was revoked";
  const owner = await apiKeyOwner(record, readApiKey(reader, tenantId));
  if (owner.kind === "platform") return undefined;
  if (owner.kind === "unknown") return "the member it belongs to cannot be found";
  const snap = await reader.get(memberPath(tenantId, owner.uid));
  const member = snap ? memberRoleSchema.safeParse(snap.data) : undefined;
  if (!member?.success) return "the member who created it is no longer in this workspace";
  if (roleRank(member.data.role) < roleRank(record.role)) {
    return `the member who created it is now ${member.data.role}, below the key's ${record.role} role`;
  }
  return undefined;
}

export const apiKeyPrefix = "alk_";

/**
 * A caller creates a key for their own tenant, with a role at most their own (a key is never a way up),
 * optionally limited to one agent that `requireAgent` confirms exists in the tenant.
 */
export async function issueApiKey(
  deps: Deps,
  caller: Caller,
  input: { name: string; role: Role; agentId?: string | undefined; environment?: string | undefined },
  requireAgent: (deps: Deps, tenantId: string, agentId: string) => Promise<unknown>,
): Promise<{ id: string; key: string }> {
  const environment = input.environment ?? productionEnvironment;
  await requireEnvironment(deps, caller.tenantId, environment);
  if (roleRank(input.role) > roleRank(caller.role)) {
    throw new AppError(
      "permission-denied",
      `You cannot create a key with the ${input.role} role: yours is ${caller.role}`,
    );
  }
  if (input.agentId) await requireAgent(deps, caller.tenantId, input.agentId);
  return createApiKey(deps, caller.tenantId, {
    name: input.name,
    role: input.role,
    agentId: input.agentId ?? null,
    environment,
    createdBy: caller.uid,
  });
}

/** Creates an API key; returns the key itself, which is never stored and cannot be shown again. */
export async function createApiKey(
  deps: Deps,
  tenantId: string,
  input: {
    name: string;
    role: Role;
    key?: string;
    agentId?: string | null;
    environment?: string;
    createdBy?: string;
  },
): Promise<{ id: string; key: string }> {
  const key = input.key ?? `${apiKeyPrefix}${deps.ids.newSecret(32)}`;
  if (key.length < 16)
    throw new AppError("invalid-argument", "An API key must be at least 16 characters long");
  const id = deps.ids.newId();
  const createdBy = input.createdBy ?? "system";
  // Recorded once, at creation: a key made with a key belongs to that key's owner (see apiKeyOwner).
  const owner = await apiKeyOwner({ createdBy }, readApiKey(deps.store, tenantId));
  if (owner.kind === "unknown") {
    throw new AppError(
      "permission-denied",
      "This credential cannot create API keys: its owner cannot be found",
    );
  }
  const record: ApiKeyRecord = {
    name: input.name,
    hash: hashApiKey(key),
    prefix: key.slice(0, 8),
    role: input.role,
    tenantId,
    agentId: input.agentId ?? null,
    environment: input.environment ?? productionEnvironment,
    createdBy,
    ownedBy: owner.kind === "member" ? owner.uid : null,
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
      after: {
        name: record.name,
        role: record.role,
        agentId: record.agentId,
        environment: record.environment,
        prefix: record.prefix,
      },
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

/**
 * Refuses a change to a key whose role is above the caller's own: an admin cannot revoke (or take over) an
 * owner's key. The route's permission (keys.manage) says who manages keys at all; this says which ones.
 */
export function checkApiKeyAuthority(
  caller: Pick<Caller, "role">,
  keyId: string,
  record: ApiKeyRecord,
): void {
  if (roleRank(record.role) > roleRank(caller.role)) {
    throw new AppError(
      "permission-denied",
      `API key ${keyId} has the ${record.role} role, above yours (${caller.role}): only an ${record.role} can change it`,
    );
  }
}

/**
 * Marks a key revoked in a transaction, with its audit entry; `reason` says why when it is not the
 * actor's own decision (a member's removal). Reads nothing: call it after the transaction's reads.
 */
export async function writeApiKeyRevocation(
  tx: Transaction,
  deps: Deps,
  key: { readonly tenantId: string; readonly id: string },
  actor: string,
  reason?: string,
): Promise<string> {
  const revokedAt = deps.clock.nowIso();
  tx.update(apiKeyPath(key.tenantId, key.id), { revokedAt });
  await recordAudit(
    deps,
    {
      tenantId: key.tenantId,
      actor,
      action: "apikey.revoke",
      target: { type: "apiKey", id: key.id },
      before: { revokedAt: null },
      after: { revokedAt, ...(reason ? { reason } : {}) },
    },
    tx,
  );
  return revokedAt;
}

/** Revokes a key (idempotent): it stops working at once; its record stays for the audit trail. */
export async function revokeApiKey(
  deps: Deps,
  caller: Pick<Caller, "tenantId" | "role" | "uid">,
  keyId: string,
): Promise<ApiKeyView> {
  const path = apiKeyPath(caller.tenantId, keyId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `API key ${keyId} not found`);
    const record = apiKeySchema.parse(snap.data);
    checkApiKeyAuthority(caller, keyId, record);
    const revokedAt =
      record.revokedAt ??
      (await writeApiKeyRevocation(tx, deps, { tenantId: caller.tenantId, id: keyId }, caller.uid));
    const { hash: _hash, ...rest } = record;
    return { id: keyId, ...rest, revokedAt };
  });
}
