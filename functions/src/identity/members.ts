/**
 * Tenant members and their roles (owner > admin > editor > viewer), in both modes. The member document
 * is the source of truth for a role; local sessions read it on every request, and Firebase mode copies it
 * into custom claims (claims.ts) whenever it changes.
 *
 * Role rules, checked in one place (`checkRoleChange`): nobody grants a role above their own; only owners
 * grant, revoke or remove the owner role; nobody changes their own role; the last owner stays an owner.
 *
 * Credentials follow their creator's membership, in the transaction that changes it: removing a member
 * revokes the API keys they own (or, when the remover asks, re-owns them to the remover, never above the
 * remover's role) and their pending invitations; a demotion revokes those above the new role. The same
 * rule is checked again where credentials are used (`apiKeyRefusal`, invitation acceptance), so a change
 * that raced a cascade still cannot leave a credential alive.
 */
import { z } from "zod";
import type { Caller } from "../platform/caller.js";
import { auditActor, recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { Transaction } from "../platform/ports.js";
import {
  apiKeyOwner,
  apiKeyPath,
  apiKeySchema,
  apiKeysPath,
  writeApiKeyRevocation,
  type ApiKeyRecord,
} from "./api-keys.js";
import { memberPath } from "./schema.js";
import { tenantPath, type Role } from "../platform/caller.js";
import { tenantSchema } from "./tenants.js";
import { syncMemberClaims } from "./claims.js";
import { type ClaimsSetter, type TenantClaims } from "../platform/deps.js";
import {
  invitationPath,
  invitationSchema,
  invitationsPath,
  memberSchema,
  membersPath,
  membershipPath,
  membershipSchema,
  membershipsPath,
  roleRank,
  type Invitation,
  type Member,
} from "./schema.js";

export interface MemberView {
  /** The account id (local mode) or Firebase uid. */
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly updatedAt?: string;
}

export interface TenantMembership {
  readonly tenantId: string;
  readonly name: string;
  readonly role: Role;
}

// The join id stays inside: it is what a session token is checked against, not something to show.
const view = (id: string, { joinId: _joinId, ...m }: Member): MemberView => ({ id, ...m });

// ----- writes shared by sign-up, invitations and Firebase onboarding ------------------------------

/**
 * Adds a tenant document to a transaction. `createTenant` in tenants.ts writes on its own; a new tenant
 * and its first owner must commit together, so a failed sign-up leaves no tenant without an owner.
 */
export function writeNewTenant(tx: Transaction, deps: Deps, tenantId: string, name: string): void {
  tx.create(tenantPath(tenantId), tenantSchema.parse({ name, createdAt: deps.clock.nowIso() }));
}

/** Adds a member and the account's index entry for it (which tenants an account is in). */
export function writeMember(
  tx: Transaction,
  deps: Deps,
  member: {
    readonly tenantId: string;
    readonly memberId: string;
    readonly email: string;
    readonly role: Role;
    /** Copied into the account's index entry (see `membershipSchema`). */
    readonly tenantName: string;
  },
): void {
  const now = deps.clock.nowIso();
  const record: Member = { role: member.role, email: member.email, joinId: deps.ids.newId(), createdAt: now };
  tx.create(memberPath(member.tenantId, member.memberId), record);
  tx.set(
    membershipPath(member.memberId, member.tenantId),
    membershipSchema.parse({
      tenantId: member.tenantId,
      createdAt: now,
      tenantName: member.tenantName,
      role: member.role,
    }),
  );
}

// ----- reads --------------------------------------------------------------------------------------

export async function getMember(deps: Deps, tenantId: string, memberId: string): Promise<MemberView | null> {
  const snap = await deps.store.get(memberPath(tenantId, memberId));
  return snap ? view(memberId, memberSchema.parse(snap.data)) : null;
}

/** The tenant's members, oldest first. */
export async function listMembers(deps: Deps, tenantId: string): Promise<MemberView[]> {
  const snaps = await deps.store.query({ collection: membersPath(tenantId) });
  return snaps
    .map((s) => view(s.id, memberSchema.parse(s.data)))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** The tenants an account (or Firebase user) belongs to, oldest membership first, with its current role. */
export async function tenantsOf(deps: Deps, memberId: string): Promise<TenantMembership[]> {
  const memberships = (await deps.store.query({ collection: membershipsPath(memberId) }))
    .map((s) => membershipSchema.parse(s.data))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.tenantId.localeCompare(b.tenantId));
  const paths = memberships.flatMap((m) => [memberPath(m.tenantId, memberId), tenantPath(m.tenantId)]);
  const snaps = paths.length > 0 ? await deps.store.getAll(paths) : [];
  return memberships.flatMap((m, i) => {
    const member = snaps[2 * i];
    const tenant = snaps[2 * i + 1];
    // The member document decides; an index entry without one (a removal in flight) does not count.
    if (!member || !tenant) return [];
    return [
      {
        tenantId: m.tenantId,
        name: tenantSchema.parse(tenant.data).name,
        role: memberSchema.parse(member.data).role,
      },
    ];
  });
}

// ----- the credentials a member owns ---------------------------------------------------------------

/** What becomes of a removed member's API keys: revoked (the default), or re-owned by the remover. */
export const apiKeyDispositionSchema = z.enum(["revoke", "transfer"]);
export type ApiKeyDisposition = z.infer<typeof apiKeyDispositionSchema>;

export interface MemberCredentials {
  /** Live keys the member owns, and keys created with them (`apiKeyOwner`). */
  readonly apiKeys: readonly { readonly id: string; readonly record: ApiKeyRecord }[];
  /** Pending invitations the member sent, themselves or with one of their keys. */
  readonly invitations: readonly { readonly id: string; readonly invitation: Invitation }[];
}

/**
 * The member's live keys and pending invitations with a role above `above` (every one for `null`), read in
 * `tx`. The tenant's keys are read whole and ownership worked out in memory, so keys recorded before
 * `ownedBy` existed (and keys made with them) are found too; a tenant's keys number in the tens or hundreds
 * (each one is made by a person, under the API's rate limits).
 */
async function readCredentials(
  tx: Transaction,
  tenantId: string,
  memberId: string,
  above: Role | null,
): Promise<MemberCredentials> {
  const keySnaps = await tx.query({ collection: apiKeysPath(tenantId) });
  const invitationSnaps = await tx.query({
    collection: invitationsPath(tenantId),
    where: [{ field: "status", op: "==", value: "pending" }],
  });
  const keys = new Map<string, ApiKeyRecord>();
  for (const snap of keySnaps) {
    const parsed = apiKeySchema.safeParse(snap.data);
    if (parsed.success) keys.set(snap.id, parsed.data);
  }
  const owned: { id: string; record: ApiKeyRecord }[] = [];
  for (const [id, record] of keys) {
    const owner = await apiKeyOwner(record, async (keyId) => keys.get(keyId) ?? null);
    if (owner.kind === "member" && owner.uid === memberId) owned.push({ id, record });
  }
  const exceeds = (role: Role) => above === null || roleRank(role) > roleRank(above);
  // Invitations made with any of their keys go too, revoked keys included (those are dead already).
  const creators = new Set([memberId, ...owned.map(({ id }) => `apikey:${id}`)]);
  return {
    apiKeys: owned.filter((k) => !k.record.revokedAt && exceeds(k.record.role)),
    invitations: invitationSnaps
      .map((snap) => ({ id: snap.id, invitation: invitationSchema.parse(snap.data) }))
      .filter((i) => creators.has(i.invitation.createdBy) && exceeds(i.invitation.role)),
  };
}

/** Firestore allows 500 writes per transaction; each credential costs two (the change and its entry). */
const credentialsPerTransaction = 200;

interface SettledCredentials {
  readonly revokedApiKeys: string[];
  readonly transferredApiKeys: string[];
  readonly revokedInvitations: string[];
}

/**
 * Writes the fate of `credentials` (at most `credentialsPerTransaction` of them) in `tx`, after its reads:
 * keys revoked or, for `transfer`, re-owned by the caller unless above the caller's role; invitations
 * revoked. Each with its audit entry, whose `reason` names the membership change behind it.
 */
async function writeCredentialsSettled(
  tx: Transaction,
  deps: Deps,
  caller: Caller,
  credentials: MemberCredentials,
  disposition: ApiKeyDisposition,
  reason: string,
): Promise<SettledCredentials> {
  const tenantId = caller.tenantId;
  const actor = auditActor(caller);
  const settled: SettledCredentials = { revokedApiKeys: [], transferredApiKeys: [], revokedInvitations: [] };
  const keys = credentials.apiKeys.slice(0, credentialsPerTransaction);
  const invitations = credentials.invitations.slice(0, credentialsPerTransaction - keys.length);
  for (const { id, record } of keys) {
    if (disposition === "transfer" && roleRank(record.role) <= roleRank(caller.role)) {
      tx.update(apiKeyPath(tenantId, id), { ownedBy: caller.uid });
      await recordAudit(
        deps,
        {
          tenantId,
          actor,
          action: "apikey.transfer",
          target: { type: "apiKey", id },
          before: { ownedBy: record.ownedBy ?? record.createdBy },
          after: { ownedBy: caller.uid, reason },
        },
        tx,
      );
      settled.transferredApiKeys.push(id);
    } else {
      // A key above the remover's role is never handed to them: it is revoked instead.
      await writeApiKeyRevocation(tx, deps, { tenantId, id }, actor, reason);
      settled.revokedApiKeys.push(id);
    }
  }
  const revokedAt = deps.clock.nowIso();
  for (const { id } of invitations) {
    tx.update(invitationPath(tenantId, id), { status: "revoked", revokedAt, revokedBy: caller.uid });
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action: "invitation.revoke",
        target: { type: "invitation", id },
        before: { status: "pending" },
        after: { status: "revoked", reason },
      },
      tx,
    );
    settled.revokedInvitations.push(id);
  }
  return settled;
}

const countOf = (c: MemberCredentials): number => c.apiKeys.length + c.invitations.length;

/**
 * Settles what did not fit in the membership change's own transaction, in further transactions of the same
 * size. Nothing here is urgent: the member's credentials already stopped working when the membership
 * changed (`apiKeyRefusal`, invitation acceptance); this brings their records in line.
 */
async function settleRemaining(
  deps: Deps,
  caller: Caller,
  memberId: string,
  above: Role | null,
  disposition: ApiKeyDisposition,
  reason: string,
  settled: SettledCredentials,
): Promise<void> {
  for (;;) {
    // What a transaction settled is counted once it commits (a retried transaction runs its body again).
    const { left, next } = await deps.store.runTransaction(async (tx) => {
      const credentials = await readCredentials(tx, caller.tenantId, memberId, above);
      const written = await writeCredentialsSettled(tx, deps, caller, credentials, disposition, reason);
      return { left: countOf(credentials), next: written };
    });
    settled.revokedApiKeys.push(...next.revokedApiKeys);
    settled.transferredApiKeys.push(...next.transferredApiKeys);
    settled.revokedInvitations.push(...next.revokedInvitations);
    if (left <= credentialsPerTransaction) return;
  }
}

// ----- role changes and removals ------------------------------------------------------------------

/** Refuses what the caller may not do to `target`; `next` is the new role, or `null` for a removal. */
export function checkRoleChange(caller: Caller, target: MemberView, next: Role | null): void {
  if (next !== null && target.id === caller.uid) {
    throw new AppError("permission-denied", "You cannot change your own role; ask another admin or owner");
  }
  if (next !== null && roleRank(next) > roleRank(caller.role)) {
    throw new AppError("permission-denied", `You cannot grant the ${next} role: yours is ${caller.role}`);
  }
  if ((target.role === "owner" || next === "owner") && caller.role !== "owner") {
    throw new AppError(
      "permission-denied",
      next === null
        ? "Only an owner can remove an owner"
        : "Only an owner can grant or revoke the owner role",
    );
  }
}

async function ownerCount(tx: Transaction, tenantId: string): Promise<number> {
  return (
    await tx.query({
      collection: membersPath(tenantId),
      where: [{ field: "role", op: "==", value: "owner" }],
    })
  ).length;
}

/** What a removal did: the member as they were, and what became of their credentials. */
export interface RemovedMember extends MemberView, SettledCredentials {}

interface MemberChange {
  readonly before: MemberView;
  readonly after: MemberView | null;
  readonly settled: SettledCredentials;
  /** More credentials than one transaction holds: settled after the commit. */
  readonly unsettled: boolean;
}

/**
 * Reads the member and checks the rules in one transaction with the write, so two owners demoting each
 * other at once cannot leave the tenant without one (the second transaction sees the first's change).
 * The member's credentials are settled in the same transaction.
 */
async function changeMember(
  deps: Deps,
  caller: Caller,
  memberId: string,
  next: Role | null,
  claims: ClaimsSetter | undefined,
  disposition: ApiKeyDisposition = "revoke",
): Promise<MemberChange> {
  const tenantId = caller.tenantId;
  const path = memberPath(tenantId, memberId);
  if (disposition === "transfer") checkTransfer(caller, memberId, next);
  const reason = next === null ? "member.remove" : "member.changeRole";
  const result = await deps.store.runTransaction(async (tx): Promise<MemberChange | null> => {
    const snap = await tx.get(path);
    if (!snap) return null;
    const before = view(memberId, memberSchema.parse(snap.data));
    checkRoleChange(caller, before, next);
    const none: SettledCredentials = { revokedApiKeys: [], transferredApiKeys: [], revokedInvitations: [] };
    if (next === before.role) return { before, after: before, settled: none, unsettled: false };
    if (before.role === "owner" && (await ownerCount(tx, tenantId)) <= 1) {
      throw new AppError(
        "failed-precondition",
        next === null
          ? "The last owner cannot be removed; make another member an owner first"
          : "The last owner cannot be demoted; make another member an owner first",
      );
    }
    // A promotion takes nothing away; a demotion, the credentials above the new role; a removal, all.
    const demotion = next !== null && roleRank(next) < roleRank(before.role);
    const credentials =
      next === null || demotion
        ? await readCredentials(tx, tenantId, memberId, next)
        : { apiKeys: [], invitations: [] };
    const settled = await writeCredentialsSettled(tx, deps, caller, credentials, disposition, reason);
    const unsettled = countOf(credentials) > credentialsPerTransaction;
    const target = { type: "member", id: memberId };
    if (next === null) {
      tx.delete(path);
      tx.delete(membershipPath(memberId, tenantId));
      await recordAudit(
        deps,
        {
          tenantId,
          actor: auditActor(caller),
          action: "member.remove",
          target,
          before,
          after: { apiKeys: disposition, ...settled },
        },
        tx,
      );
      return { before, after: null, settled, unsettled };
    }
    const updatedAt = deps.clock.nowIso();
    tx.update(path, { role: next, updatedAt });
    tx.set(membershipPath(memberId, tenantId), { role: next }, { merge: true });
    const after = { ...before, role: next, updatedAt };
    await recordAudit(
      deps,
      {
        tenantId,
        actor: auditActor(caller),
        action: "member.changeRole",
        target,
        before: { role: before.role },
        after: { role: next },
      },
      tx,
    );
    return { before, after, settled, unsettled };
  });
  // After the commit: claims follow the member document, never lead it. Synced even when nothing changed
  // (or the member is gone), so repeating a request whose claims update failed repairs the claims.
  const changed = result !== null && result.after?.role !== result.before.role;
  if (claims) await syncMemberClaims(claims, memberId, tenantId, result?.after?.role ?? null, changed);
  if (!result) throw new AppError("not-found", `Member ${memberId} not found`);
  if (result.unsettled) {
    await settleRemaining(deps, caller, memberId, next, disposition, reason, result.settled);
  }
  return result;
}

/** Keys go to a person who stays: not to an API key, and not to the member who is leaving. */
function checkTransfer(caller: Caller, memberId: string, next: Role | null): void {
  if (next !== null)
    throw new AppError("invalid-argument", "API keys are transferred only when a member is removed");
  if (caller.via === "api-key") {
    throw new AppError(
      "invalid-argument",
      "An API key cannot take over a member's keys: sign in as the person who should own them, or revoke them",
    );
  }
  if (caller.uid === memberId) {
    throw new AppError(
      "invalid-argument",
      "You are leaving: your API keys can be revoked, not transferred to you",
    );
  }
}

/**
 * Changes a member's role; a demotion revokes their keys and pending invitations above the new role. In
 * Firebase mode pass the claims setter so their claims follow at once (and their ID tokens are revoked).
 */
export async function changeMemberRole(
  deps: Deps,
  caller: Caller,
  memberId: string,
  role: Role,
  claims?: ClaimsSetter,
): Promise<MemberView> {
  const { after } = await changeMember(deps, caller, memberId, role, claims);
  return after as MemberView;
}

/**
 * Removes a member: their sessions stop at once, their pending invitations are revoked, and their API keys
 * revoked or, with `apiKeys: "transfer"`, re-owned by the caller (never above the caller's role). Admins
 * may remove themselves to leave.
 */
export async function removeMember(
  deps: Deps,
  caller: Caller,
  memberId: string,
  claims?: ClaimsSetter,
  options: { readonly apiKeys?: ApiKeyDisposition } = {},
): Promise<RemovedMember> {
  const { before, settled } = await changeMember(deps, caller, memberId, null, claims, options.apiKeys);
  return { ...before, ...settled };
}

// ----- Firebase mode: a signed-in user's own tenants -----------------------------------------------

/** A Firebase Auth user as a callable sees it (`request.auth`). */
export interface FirebaseUser {
  readonly uid: string;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
  /** The decoded ID token's claims, custom ones included. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/** A signed-in user without a tenant creates one and becomes its owner (member first, then claims). */
export async function createTenantForUser(
  deps: Deps,
  claims: ClaimsSetter,
  user: FirebaseUser,
  tenantName: string,
): Promise<TenantClaims & { readonly name: string }> {
  if (typeof user.claims.tenantId === "string") {
    throw new AppError(
      "failed-precondition",
      `You already belong to tenant ${user.claims.tenantId}; ask its owner, or sign in with another account`,
    );
  }
  const tenantId = deps.ids.newId();
  await deps.store.runTransaction(async (tx) => {
    writeNewTenant(tx, deps, tenantId, tenantName);
    writeMember(tx, deps, {
      tenantId,
      memberId: user.uid,
      email: user.email ?? "",
      role: "owner",
      tenantName,
    });
    await recordAudit(
      deps,
      {
        tenantId,
        actor: user.uid,
        action: "tenant.create",
        target: { type: "tenant", id: tenantId },
        after: { name: tenantName, owner: user.uid },
      },
      tx,
    );
  });
  await claims.set(user.uid, { tenantId, role: "owner" });
  return { tenantId, role: "owner", name: tenantName };
}

/** Points a user's claims at another tenant they are a member of (the client then refreshes its ID token). */
export async function switchTenantForUser(
  deps: Deps,
  claims: ClaimsSetter,
  user: FirebaseUser,
  tenantId: string,
): Promise<TenantClaims> {
  const member = await getMember(deps, tenantId, user.uid);
  if (!member) throw new AppError("permission-denied", `You are not a member of tenant ${tenantId}`);
  await claims.set(user.uid, { tenantId, role: member.role });
  return { tenantId, role: member.role };
}
