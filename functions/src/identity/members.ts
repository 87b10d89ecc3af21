/**
 * Tenant members and their roles (owner > admin > editor > viewer), in both modes. The member document
 * is the source of truth for a role; local sessions read it on every request, and Firebase mode copies it
 * into custom claims (claims.ts) whenever it changes.
 *
 * Role rules, checked in one place (`checkRoleChange`): nobody grants a role above their own; only owners
 * grant, revoke or remove the owner role; nobody changes their own role; the last owner stays an owner.
 */
import type { Caller } from "../platform/auth.js";
import { auditActor, recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { Transaction } from "../platform/ports.js";
import { memberPath, tenantPath, tenantSchema, type Role } from "../platform/tenancy.js";
import { syncMemberClaims, type ClaimsSetter, type TenantClaims } from "./claims.js";
import {
  memberSchema,
  membersPath,
  membershipPath,
  membershipSchema,
  membershipsPath,
  roleRank,
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

const view = (id: string, m: Member): MemberView => ({ id, ...m });

// ----- writes shared by sign-up, invitations and Firebase onboarding ------------------------------

/**
 * Adds a tenant document to a transaction. `createTenant` in tenancy.ts writes on its own; a new tenant
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
  const record: Member = { role: member.role, email: member.email, createdAt: now };
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

/**
 * Reads the member and checks the rules in one transaction with the write, so two owners demoting each
 * other at once cannot leave the tenant without one (the second transaction sees the first's change).
 */
async function changeMember(
  deps: Deps,
  caller: Caller,
  memberId: string,
  next: Role | null,
  claims: ClaimsSetter | undefined,
): Promise<{ before: MemberView; after: MemberView | null }> {
  const tenantId = caller.tenantId;
  const path = memberPath(tenantId, memberId);
  const result = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return null;
    const before = view(memberId, memberSchema.parse(snap.data));
    checkRoleChange(caller, before, next);
    if (next === before.role) return { before, after: before };
    if (before.role === "owner" && (await ownerCount(tx, tenantId)) <= 1) {
      throw new AppError(
        "failed-precondition",
        next === null
          ? "The last owner cannot be removed; make another member an owner first"
          : "The last owner cannot be demoted; make another member an owner first",
      );
    }
    const target = { type: "member", id: memberId };
    if (next === null) {
      tx.delete(path);
      tx.delete(membershipPath(memberId, tenantId));
      await recordAudit(
        deps,
        { tenantId, actor: auditActor(caller), action: "member.remove", target, before, after: null },
        tx,
      );
      return { before, after: null };
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
    return { before, after };
  });
  // After the commit: claims follow the member document, never lead it. Synced even when nothing changed
  // (or the member is gone), so repeating a request whose claims update failed repairs the claims.
  if (claims) await syncMemberClaims(claims, memberId, tenantId, result?.after?.role ?? null);
  if (!result) throw new AppError("not-found", `Member ${memberId} not found`);
  return result;
}

/** Changes a member's role. In Firebase mode pass the claims setter so their claims follow at once. */
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

/** Removes a member (their sessions stop working at once). Admins may remove themselves to leave. */
export async function removeMember(
  deps: Deps,
  caller: Caller,
  memberId: string,
  claims?: ClaimsSetter,
): Promise<MemberView> {
  return (await changeMember(deps, caller, memberId, null, claims)).before;
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
