/**
 * Invitations: an admin invites an email with a role; the invitee follows a link carrying a one-time
 * token. Nothing sends email here: the API returns the link for the admin to share.
 *
 * The token is `ali_<tenantId>.<invitationId>.<secret>`: it names its document, so accepting it is one
 * read (no collection-group index); the document keeps only its sha256. A token is accepted once, within
 * 7 days, unless revoked, and only while whoever created it (a member, or an API key that still works)
 * may still grant its role; acceptance re-checks all of that in the transaction that adds the member.
 */
import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Caller } from "../platform/caller.js";
import { auditActor, recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { assertWithinLimit } from "../billing/limits.js";
import { AppError } from "../platform/errors.js";
import type { Transaction } from "../platform/ports.js";
import { idPattern } from "../platform/ids.js";
import { apiKeyPath, apiKeyRefusal, apiKeySchema } from "./api-keys.js";
import { memberPath } from "./schema.js";
import { roleSchema, tenantPath, type Role } from "../platform/caller.js";
import { tenantSchema } from "./tenants.js";
import { validate } from "../platform/validation.js";
import {
  findAccount,
  hashPassword,
  requireLocalAccounts,
  verifyPassword,
  writeNewAccount,
  type SignedIn,
} from "./accounts.js";
import type { ClaimsSetter, TenantClaims } from "../platform/deps.js";
import { writeMember, type FirebaseUser } from "./members.js";
import {
  accountEmailPath,
  accountEmailSchema,
  emailSchema,
  invitationPath,
  invitationSchema,
  invitationsPath,
  invitationTtlMs,
  memberSchema,
  membersPath,
  passwordSchema,
  roleRank,
  sha256Hex,
  type Invitation,
  type PasswordHash,
} from "./schema.js";
import { issueSession } from "./sessions.js";

export const invitationTokenPrefix = "ali_";

export const createInvitationInput = z.object({ email: emailSchema, role: roleSchema });

export const acceptInvitationInput = z.object({
  token: z.string().min(1, "token is required").max(600),
  /** The new account's password, or the existing account's when the invited email already has one. */
  password: z.string().max(1000).optional(),
});

export type InvitationView = Omit<Invitation, "tokenHash"> & { readonly id: string };

export interface CreatedInvitation {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  /** Shown once: only its hash is stored. */
  readonly token: string;
  /** The studio page that accepts it, relative to the studio's origin. */
  readonly acceptUrl: string;
  readonly expiresAt: string;
}

const view = (id: string, { tokenHash: _hash, ...rest }: Invitation): InvitationView => ({ id, ...rest });

// ----- admin side ---------------------------------------------------------------------------------

export async function createInvitation(
  deps: Deps,
  caller: Caller,
  input: z.infer<typeof createInvitationInput>,
): Promise<CreatedInvitation> {
  if (roleRank(input.role) > roleRank(caller.role)) {
    throw new AppError(
      "permission-denied",
      `You cannot invite someone as ${input.role}: your role is ${caller.role}`,
    );
  }
  const tenantId = caller.tenantId;
  const members = await deps.store.query({
    collection: membersPath(tenantId),
    where: [{ field: "email", op: "==", value: input.email }],
    limit: 1,
  });
  if (members.length > 0) throw new AppError("already-exists", `${input.email} is already a member`);
  // Members and the invitations still open both take a seat of the plan's members limit.
  const [memberCount, openInvitations] = await Promise.all([
    deps.store.count({ collection: membersPath(tenantId) }),
    deps.store.count({
      collection: invitationsPath(tenantId),
      where: [
        { field: "status", op: "==", value: "pending" },
        { field: "expiresAt", op: ">", value: deps.clock.nowIso() },
      ],
    }),
  ]);
  await assertWithinLimit(deps, tenantId, "members", memberCount + openInvitations);

  const id = deps.ids.newId();
  const token = `${invitationTokenPrefix}${tenantId}.${id}.${deps.ids.newSecret(32)}`;
  const now = deps.clock.now();
  const record: Invitation = {
    email: input.email,
    role: input.role,
    tokenHash: sha256Hex(token),
    status: "pending",
    createdBy: caller.uid,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + invitationTtlMs).toISOString(),
    acceptedAt: null,
    acceptedBy: null,
    revokedAt: null,
    revokedBy: null,
  };
  const batch = deps.store.batch();
  batch.create(invitationPath(tenantId, id), record);
  await recordAudit(
    deps,
    {
      tenantId,
      actor: auditActor(caller),
      action: "invitation.create",
      target: { type: "invitation", id },
      after: view(id, record),
    },
    batch,
  );
  await batch.commit();
  return {
    id,
    email: record.email,
    role: record.role,
    token,
    acceptUrl: `/accept-invitation?token=${encodeURIComponent(token)}`,
    expiresAt: record.expiresAt,
  };
}

/** Invitations that can still be accepted, newest first, without their token hashes. */
export async function listInvitations(deps: Deps, tenantId: string): Promise<InvitationView[]> {
  const now = deps.clock.nowIso();
  const snaps = await deps.store.query({
    collection: invitationsPath(tenantId),
    where: [{ field: "status", op: "==", value: "pending" }],
  });
  return snaps
    .map((s) => view(s.id, invitationSchema.parse(s.data)))
    .filter((i) => i.expiresAt > now)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
}

/** Revokes a pending invitation (idempotent); its link stops working at once. */
export async function revokeInvitation(
  deps: Deps,
  caller: Caller,
  invitationId: string,
): Promise<InvitationView> {
  const path = invitationPath(caller.tenantId, invitationId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Invitation ${invitationId} not found`);
    const invitation = invitationSchema.parse(snap.data);
    if (invitation.status === "accepted") {
      throw new AppError(
        "failed-precondition",
        `Invitation ${invitationId} was already accepted; remove the member instead`,
      );
    }
    if (invitation.status === "revoked") return view(invitationId, invitation);
    const revoked: Invitation = {
      ...invitation,
      status: "revoked",
      revokedAt: deps.clock.nowIso(),
      revokedBy: caller.uid,
    };
    tx.update(path, { status: revoked.status, revokedAt: revoked.revokedAt, revokedBy: revoked.revokedBy });
    await recordAudit(
      deps,
      {
        tenantId: caller.tenantId,
        actor: auditActor(caller),
        action: "invitation.revoke",
        target: { type: "invitation", id: invitationId },
        before: { status: invitation.status },
        after: { status: revoked.status },
      },
      tx,
    );
    return view(invitationId, revoked);
  });
}

// ----- invitee side -------------------------------------------------------------------------------

interface OpenInvitation {
  readonly tenantId: string;
  readonly tenantName: string;
  readonly id: string;
  readonly path: string;
  readonly invitation: Invitation;
}

const tokenPattern = /^ali_([A-Za-z0-9_-]{1,128})\.([A-Za-z0-9_-]{1,128})\.[A-Za-z0-9_-]{16,}$/;

const notValid = () =>
  new AppError("not-found", "This invitation link is not valid; check that it was copied whole");

/** The invitation a token opens, if it can still be accepted; read through `reader` (a transaction). */
async function openInvitation(
  deps: Deps,
  reader: Pick<Transaction, "get">,
  token: string,
): Promise<OpenInvitation> {
  const match = tokenPattern.exec(token);
  if (!match) throw notValid();
  const [, tenantId, id] = match as unknown as [string, string, string];
  const path = invitationPath(tenantId, id);
  const snap = await reader.get(path);
  if (!snap) throw notValid();
  const invitation = invitationSchema.parse(snap.data);
  const given = Buffer.from(sha256Hex(token), "hex");
  if (!timingSafeEqual(given, Buffer.from(invitation.tokenHash, "hex"))) throw notValid();
  if (invitation.status === "accepted") {
    throw new AppError("failed-precondition", "This invitation has already been used", { reason: "used" });
  }
  if (invitation.status === "revoked") {
    throw new AppError("failed-precondition", "This invitation was revoked; ask for a new one", {
      reason: "revoked",
    });
  }
  if (invitation.expiresAt <= deps.clock.nowIso()) {
    throw new AppError(
      "failed-precondition",
      `This invitation expired on ${invitation.expiresAt}; ask for a new one`,
      { reason: "expired" },
    );
  }
  const tenant = await reader.get(tenantPath(tenantId));
  // A deleted tenant's invitations open nothing.
  if (!tenant) throw notValid();
  if (!(await creatorMayGrant(reader, tenantId, invitation))) {
    throw new AppError(
      "failed-precondition",
      "Whoever sent this invitation can no longer grant this access; ask an admin of the workspace for a new one",
      { reason: "inviter" },
    );
  }
  return { tenantId, tenantName: tenantSchema.parse(tenant.data).name, id, path, invitation };
}

const apiKeyActorPrefix = "apikey:";

/**
 * Whether the invitation's creator could still grant its role: a member with at least that role, or an
 * API key that still works (`apiKeyRefusal`) with at least that role. Removing a member revokes their
 * pending invitations; this holds even when that cascade was missed or raced.
 */
async function creatorMayGrant(
  reader: Pick<Transaction, "get">,
  tenantId: string,
  invitation: Invitation,
): Promise<boolean> {
  const by = invitation.createdBy;
  let role: Role;
  if (by.startsWith(apiKeyActorPrefix)) {
    const keyId = by.slice(apiKeyActorPrefix.length);
    if (!idPattern.test(keyId)) return false;
    const snap = await reader.get(apiKeyPath(tenantId, keyId));
    const key = snap ? apiKeySchema.safeParse(snap.data) : undefined;
    if (!key?.success || (await apiKeyRefusal(reader, tenantId, key.data)) !== undefined) return false;
    role = key.data.role;
  } else {
    if (!idPattern.test(by)) return false;
    const snap = await reader.get(memberPath(tenantId, by));
    const member = snap ? memberSchema.safeParse(snap.data) : undefined;
    if (!member?.success) return false;
    role = member.data.role;
  }
  return roleRank(invitation.role) <= roleRank(role);
}

/** Marks the invitation used and adds the member, in the caller's transaction (after all its reads). */
async function joinTenant(
  tx: Transaction,
  deps: Deps,
  open: OpenInvitation,
  memberId: string,
  email: string,
): Promise<void> {
  tx.update(open.path, { status: "accepted", acceptedAt: deps.clock.nowIso(), acceptedBy: memberId });
  writeMember(tx, deps, {
    tenantId: open.tenantId,
    memberId,
    email,
    role: open.invitation.role,
    tenantName: open.tenantName,
  });
  await recordAudit(
    deps,
    {
      tenantId: open.tenantId,
      actor: memberId,
      action: "invitation.accept",
      target: { type: "invitation", id: open.id },
      before: { status: "pending" },
      after: { status: "accepted", memberId, role: open.invitation.role },
    },
    tx,
  );
}

const alreadyMember = () => new AppError("already-exists", "You are already a member of this tenant");

/**
 * Local mode: joins with the invited email's account (its password must match) or creates that account
 * with the given password, and signs in to the tenant. Whoever holds the link chooses the new account's
 * password: local mode sends no email, so the link is the proof of being invited.
 */
export async function acceptInvitationWithPassword(
  deps: Deps,
  input: z.infer<typeof acceptInvitationInput>,
): Promise<SignedIn> {
  requireLocalAccounts(deps);
  // Checked first outside the transaction, so a used link is reported before any password work.
  const { invitation } = await openInvitation(deps, deps.store, input.token);
  const email = invitation.email;
  const existing = await findAccount(deps, email);
  let accountId: string;
  let newPassword: PasswordHash | undefined;
  if (existing) {
    if (input.password === undefined || !(await verifyPassword(input.password, existing.data.password))) {
      throw new AppError(
        "unauthenticated",
        "An account with the invited email exists: send its password to join with it",
      );
    }
    accountId = existing.id;
  } else {
    if (input.password === undefined) {
      throw new AppError(
        "invalid-argument",
        "Choose a password (at least 10 characters) for your new account",
      );
    }
    newPassword = await hashPassword(validate(passwordSchema, input.password, "password"));
    accountId = deps.ids.newId();
  }

  const open = await deps.store.runTransaction(async (tx) => {
    const open = await openInvitation(deps, tx, input.token);
    const index = await tx.get(accountEmailPath(email));
    const indexed = index ? accountEmailSchema.parse(index.data).accountId : undefined;
    if (indexed !== existing?.id) {
      throw new AppError("aborted", "The account of this email changed while joining; try again");
    }
    if (await tx.get(memberPath(open.tenantId, accountId))) throw alreadyMember();
    if (newPassword) await writeNewAccount(tx, deps, { accountId, email, password: newPassword });
    await joinTenant(tx, deps, open, accountId, email);
    return open;
  });
  const { token, expiresAt, role } = await issueSession(deps, { accountId, tenantId: open.tenantId });
  return { token, expiresAt, tenantId: open.tenantId, role, accountId };
}

/**
 * Firebase mode: the signed-in user joins if their verified email is the invited one; their claims then
 * point at the new tenant (the client refreshes its ID token to use it).
 */
export async function acceptInvitationForUser(
  deps: Deps,
  claims: ClaimsSetter,
  user: FirebaseUser,
  token: string,
): Promise<TenantClaims> {
  const email = user.email?.trim().toLowerCase();
  if (!email || !user.emailVerified) {
    throw new AppError("failed-precondition", "Verify your email address before accepting an invitation");
  }
  const open = await deps.store.runTransaction(async (tx) => {
    const open = await openInvitation(deps, tx, token);
    if (open.invitation.email !== email) {
      throw new AppError(
        "permission-denied",
        "This invitation was sent to another email address; sign in with that one",
      );
    }
    if (await tx.get(memberPath(open.tenantId, user.uid))) throw alreadyMember();
    await joinTenant(tx, deps, open, user.uid, email);
    return open;
  });
  const granted = { tenantId: open.tenantId, role: open.invitation.role };
  await claims.set(user.uid, granted);
  return granted;
}
