/**
 * Local mode's accounts: email + password (scrypt), one account per email, signed in to one tenant at a
 * time with a session token (sessions.ts), after a second factor when the account has one (mfa.ts). Firebase mode signs people in with Firebase Auth instead and
 * these entry points answer `unimplemented` there.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { DocSnapshot, Transaction } from "../platform/ports.js";
import { limitPublic } from "../platform/rate-limit.js";
import type { Role } from "../platform/caller.js";
import { tenantsOf, writeMember, writeNewTenant, type TenantMembership } from "./members.js";
import {
  accountEmailPath,
  accountEmailSchema,
  accountPath,
  accountSchema,
  emailSchema,
  passwordSchema,
  tenantNameSchema,
  type Account,
  type PasswordHash,
} from "./schema.js";
import { idSchema } from "../platform/validation.js";
import { issueSession, readSessionsOf, writeSessionsEnded, type VerifiedSession } from "./sessions.js";

// ----- passwords ----------------------------------------------------------------------------------

/** N = 2^15, r = 8, p = 1: about 32 MiB and ~100 ms per hash, OWASP's scrypt baseline. */
const scryptCost = { N: 2 ** 15, r: 8, p: 1 } as const;
const keyLength = 64;
const saltLength = 16;

function derive(password: string, salt: Buffer, length: number, cost: ScryptOptions): Promise<Buffer> {
  const N = cost.N ?? scryptCost.N;
  const r = cost.r ?? scryptCost.r;
  // Node's default maxmem (32 MiB) is just below what N = 2^15, r = 8 needs.
  const options = { ...cost, maxmem: 256 * N * r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, length, options, (e, key) => (e ? reject(e) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(saltLength);
  const hash = await derive(password, salt, keyLength, scryptCost);
  return { algorithm: "scrypt", ...scryptCost, salt: salt.toString("base64"), hash: hash.toString("base64") };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, "base64");
  const actual = await derive(password, Buffer.from(stored.salt, "base64"), expected.length, stored);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** What an unknown email is checked against, so it costs a login the same time as a known one. */
const unknownAccountHash: PasswordHash = {
  algorithm: "scrypt",
  ...scryptCost,
  salt: randomBytes(saltLength).toString("base64"),
  hash: randomBytes(keyLength).toString("base64"),
};

// ----- mode ---------------------------------------------------------------------------------------

/** Local accounts exist in local mode only; Firebase mode has Firebase Auth. */
export function requireLocalAccounts(deps: Deps): void {
  if (deps.config.mode !== "local") {
    // 404 rather than 501: a client probing these routes is not a server fault worth an error log.
    throw new AppError(
      "not-found",
      "There are no local accounts in Firebase mode: sign up and sign in with Firebase Auth " +
        "(email/password or Google), then call the identity-createTenant or identity-acceptInvitation function",
    );
  }
}

// ----- accounts -----------------------------------------------------------------------------------

export async function findAccount(deps: Deps, email: string): Promise<DocSnapshot<Account> | null> {
  const index = await deps.store.get(accountEmailPath(email));
  if (!index) return null;
  const snap = await deps.store.get(accountPath(accountEmailSchema.parse(index.data).accountId));
  return snap ? { ...snap, data: accountSchema.parse(snap.data) } : null;
}

export const accountExistsError = () =>
  new AppError("already-exists", "An account with this email already exists; sign in instead");

/** Adds a new account and its email index entry to a transaction; fails if the email is taken. */
export async function writeNewAccount(
  tx: Transaction,
  deps: Deps,
  account: { readonly accountId: string; readonly email: string; readonly password: PasswordHash },
): Promise<void> {
  if (await tx.get(accountEmailPath(account.email))) throw accountExistsError();
  tx.create(accountEmailPath(account.email), { accountId: account.accountId });
  const record: Account = {
    email: account.email,
    password: account.password,
    createdAt: deps.clock.nowIso(),
    sessionGeneration: 0,
  };
  tx.create(accountPath(account.accountId), record);
}

// ----- sign up, sign in, switch tenant ------------------------------------------------------------

export const signUpInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  tenantName: tenantNameSchema,
});

export const logInInput = z.object({
  email: emailSchema,
  // No length rule here: a wrong-length password is simply a wrong password.
  password: z.string().max(1000),
  /** The tenant to sign in to; default: the only one, or the oldest membership. */
  tenantId: idSchema.optional(),
});

export interface SignedIn {
  readonly token: string;
  readonly expiresAt: string;
  readonly tenantId: string;
  readonly role: Role;
  readonly accountId: string;
}

export interface LoggedIn extends SignedIn {
  readonly tenants: TenantMembership[];
}

/** Creates an account and a tenant it owns, and signs it in to that tenant. */
export async function signUp(deps: Deps, input: z.infer<typeof signUpInput>): Promise<SignedIn> {
  requireLocalAccounts(deps);
  // Checked again in the transaction; this only spares a taken email the cost of hashing.
  if (await deps.store.get(accountEmailPath(input.email))) throw accountExistsError();
  const password = await hashPassword(input.password);
  const accountId = deps.ids.newId();
  const tenantId = deps.ids.newId();
  await deps.store.runTransaction(async (tx) => {
    await writeNewAccount(tx, deps, { accountId, email: input.email, password });
    writeNewTenant(tx, deps, tenantId, input.tenantName);
    writeMember(tx, deps, {
      tenantId,
      memberId: accountId,
      email: input.email,
      role: "owner",
      tenantName: input.tenantName,
    });
    await recordAudit(
      deps,
      {
        tenantId,
        actor: accountId,
        action: "account.signUp",
        target: { type: "member", id: accountId },
        after: { email: input.email, role: "owner", tenantName: input.tenantName },
      },
      tx,
    );
  });
  const { token, expiresAt, role } = await issueSession(deps, { accountId, tenantId });
  return { token, expiresAt, tenantId, role, accountId };
}

const badCredentials = () => new AppError("unauthenticated", "Incorrect email or password");

/**
 * The first step of signing in: the account whose email and password these are. Unknown emails and wrong
 * passwords get the same answer after the same work. It opens no session: `logIn` (mfa.ts) does, or asks for
 * the second factor first when the account has one.
 */
export async function checkPassword(
  deps: Deps,
  input: { readonly email: string; readonly password: string },
): Promise<DocSnapshot<Account>> {
  requireLocalAccounts(deps);
  const account = await findAccount(deps, input.email);
  const matches = await verifyPassword(input.password, account?.data.password ?? unknownAccountHash);
  if (!account || !matches) throw badCredentials();
  return account;
}

/**
 * A token for another tenant of the same account (the studio's tenant switcher). It continues the same
 * session, so signing out ends the tokens of every tenant it visited, and keeps its second factor.
 */
export async function switchTenant(
  deps: Deps,
  { payload }: VerifiedSession,
  tenantId: string,
): Promise<LoggedIn> {
  requireLocalAccounts(deps);
  return openSession(deps, payload.sub, tenantId, payload.sid, payload.mfa === true);
}

/** The account's tenants and the one to sign in to: `tenantId`, or the oldest membership. */
export async function chooseTenant(
  deps: Deps,
  accountId: string,
  tenantId?: string,
): Promise<{ chosen: TenantMembership; tenants: TenantMembership[] }> {
  const tenants = await tenantsOf(deps, accountId);
  if (tenants.length === 0) {
    throw new AppError(
      "permission-denied",
      "This account is not a member of any tenant; ask an admin for an invitation",
    );
  }
  const chosen = tenantId === undefined ? tenants[0] : tenants.find((t) => t.tenantId === tenantId);
  if (!chosen) throw new AppError("permission-denied", `You are not a member of tenant ${tenantId}`);
  return { chosen, tenants };
}

/**
 * A session token for the account in `tenantId` (or its oldest membership). `sessionId` continues a session
 * (a tenant switch, a password change); `mfa` says the sign-in passed a second factor.
 */
export async function openSession(
  deps: Deps,
  accountId: string,
  tenantId?: string,
  sessionId?: string,
  mfa = false,
): Promise<LoggedIn> {
  const { chosen, tenants } = await chooseTenant(deps, accountId, tenantId);
  const { token, expiresAt, role } = await issueSession(deps, {
    accountId,
    tenantId: chosen.tenantId,
    ...(sessionId !== undefined ? { sessionId } : {}),
    mfa,
  });
  return { token, expiresAt, tenantId: chosen.tenantId, role, accountId, tenants };
}

// ----- changing the password ------------------------------------------------------------------------

export const changePasswordInput = z.object({
  // No length rule: a wrong-length current password is simply a wrong one.
  currentPassword: z.string().max(1000),
  newPassword: passwordSchema,
});

/**
 * Changes the password of the session's account: every other session ends (in every tenant), and this
 * one continues with the fresh token returned. Attempts are charged to a bucket of the account as well as
 * the client's address, so a stolen token cannot guess the password from many addresses.
 */
export async function changePassword(
  deps: Deps,
  session: VerifiedSession,
  input: z.infer<typeof changePasswordInput>,
): Promise<LoggedIn> {
  requireLocalAccounts(deps);
  const { sub: accountId, tid: tenantId, sid: sessionId, gen, mfa } = session.payload;
  const limit = deps.config.rateLimits.publicPerIp;
  if (limit) {
    await limitPublic(deps, `password:${accountId}`, {
      ...limit,
      subject: "password attempts for this account",
    });
  }
  const snap = await deps.store.get(accountPath(accountId));
  if (!snap) throw new AppError("unauthenticated", "This account no longer exists; sign in again");
  const stored = accountSchema.parse(snap.data).password;
  if (!(await verifyPassword(input.currentPassword, stored))) {
    // 403, not 401: the session is fine, and a client must not take a typo for being signed out.
    throw new AppError("permission-denied", "The current password is not correct", {
      issues: [{ path: "currentPassword", message: "This is not your current password" }],
    });
  }
  if (input.newPassword === input.currentPassword) {
    throw new AppError("invalid-argument", "The new password must be different from the current one", {
      issues: [{ path: "newPassword", message: "Choose a password different from the current one" }],
    });
  }
  const password = await hashPassword(input.newPassword);
  await deps.store.runTransaction(async (tx) => {
    const { account, stale } = await readSessionsOf(tx, accountId);
    if (account.sessionGeneration !== gen) {
      throw new AppError("unauthenticated", "This session was ended meanwhile; sign in again");
    }
    if (account.password.hash !== stored.hash) {
      throw new AppError("aborted", "The password was changed meanwhile; sign in with the new one");
    }
    const changedAt = deps.clock.nowIso();
    writeSessionsEnded(tx, accountId, account, stale, { password, passwordChangedAt: changedAt });
    await recordAudit(
      deps,
      {
        tenantId,
        actor: accountId,
        action: "account.changePassword",
        target: { type: "account", id: accountId },
        after: { changedAt, otherSessionsEnded: true },
      },
      tx,
    );
  });
  return openSession(deps, accountId, tenantId, sessionId, mfa === true);
}
