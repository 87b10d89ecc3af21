/**
 * Two-step sign-in for local accounts: a TOTP authenticator (RFC 6238, platform/totp.ts) plus ten single-use
 * recovery codes. Firebase mode uses Firebase Auth's own TOTP multi-factor instead (the studio enrols with
 * the Firebase SDK) and these entry points answer 404 there, like the other local account routes.
 *
 * Enrolment, from a signed-in session: `enroll` shows a secret (kept pending, sealed, for 10 minutes),
 * `confirm` turns it on with a code from the app and answers the recovery codes once (stored as sha256);
 * turning it on or off ends the account's other sessions, as a password change does, because they were
 * signed in under the old rule.
 *
 * Signing in: a correct password for an account with a second factor opens no session but answers a
 * challenge, a signed 5-minute token naming the account, the tenant and a record in the store that counts
 * wrong codes (at the 5th the challenge is dead) and is marked used by the one session it opens. Every code
 * accepted moves the account's `lastStep` past its time step and every recovery code is marked used, so no
 * code is ever accepted twice, at sign-in or anywhere else.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import type { Transaction } from "../platform/ports.js";
import { limitPublic } from "../platform/rate-limit.js";
import { seal, unseal, type Sealed } from "../platform/secrets.js";
import { base32Decode, base32Encode, matchTotp, otpauthUri } from "../platform/totp.js";
import {
  checkPassword,
  chooseTenant,
  openSession,
  requireLocalAccounts,
  verifyPassword,
  type LoggedIn,
  type SignedIn,
} from "./accounts.js";
import { acceptInvitationWithPassword, type acceptInvitationInput } from "./invitations.js";
import {
  accountPath,
  accountSchema,
  mfaChallengePath,
  mfaChallengeSchema,
  mfaChallengesPath,
  sha256Hex,
  type Account,
  type AccountMfa,
  type MfaChallengeRecord,
} from "./schema.js";
import { readSessionsOf, sessionSecret, writeSessionsEnded, type VerifiedSession } from "./sessions.js";

/** What authenticator apps show as the account's issuer. */
export const totpIssuer = "Alchemist";
export const enrolmentTtlMs = 10 * 60 * 1000;
export const challengeTtlMs = 5 * 60 * 1000;
/** Wrong codes a challenge survives: the fifth ends it, and the password must be typed again. */
export const maxWrongCodes = 5;
export const recoveryCodeCount = 10;
/** RFC 4226 §4 asks for at least 128 bits and recommends 160. */
const secretBytes = 20;

// ----- codes --------------------------------------------------------------------------------------

/** A code as typed: six digits from the app (spaces allowed), or a recovery code `xxxx-xxxx`. */
export const codeSchema = z
  .string()
  .trim()
  .min(1, "enter the 6-digit code from your authenticator app, or a recovery code")
  .max(32, "a code is 6 digits, or a recovery code like abcd-2345");

type TypedCode =
  { readonly kind: "totp"; readonly code: string } | { readonly kind: "recovery"; readonly hash: string };

/** Lowercase letters and digits without the look-alikes (0/o, 1/l/i), so a code copied by hand survives. */
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

const badCodeShape = () =>
  new AppError(
    "invalid-argument",
    "A code is the 6 digits your authenticator app shows, or one of your recovery codes (like abcd-2345)",
    { issues: [{ path: "code", message: "Enter 6 digits, or a recovery code like abcd-2345" }] },
  );

function readCode(typed: string, accept: "totp" | "any"): TypedCode {
  const digits = typed.replace(/\s/g, "");
  if (/^\d{6}$/.test(digits)) return { kind: "totp", code: digits };
  const recovery = typed.toLowerCase().replace(/[\s-]/g, "");
  if (accept === "any" && /^[a-z0-9]{8}$/.test(recovery))
    return { kind: "recovery", hash: sha256Hex(recovery) };
  if (accept === "totp") {
    throw new AppError("invalid-argument", "Enter the 6-digit code your authenticator app shows now", {
      issues: [{ path: "code", message: "Enter the 6 digits your authenticator app shows" }],
    });
  }
  throw badCodeShape();
}

/** Ten fresh recovery codes, and what the account keeps of them. */
function newRecoveryCodes(): { codes: string[]; stored: AccountMfa["recoveryCodes"] } {
  const codes = Array.from({ length: recoveryCodeCount }, () => {
    let code = "";
    for (let i = 0; i < 8; i++) code += recoveryAlphabet[randomInt(recoveryAlphabet.length)];
    return `${code.slice(0, 4)}-${code.slice(4)}`;
  });
  return { codes, stored: codes.map((c) => ({ hash: sha256Hex(c.replace("-", "")), usedAt: null })) };
}

const sealContext = {
  active: (accountId: string) => `accounts/${accountId}/mfa/secret`,
  pending: (accountId: string) => `accounts/${accountId}/mfaPending/secret`,
};

const openSecret = async (deps: Deps, sealed: Sealed, context: string): Promise<Buffer> =>
  base32Decode(await unseal(deps.config, sealed, context));

/**
 * Checks a code against the account's second factor. Answers the factor as it must be stored after (the
 * step moved on, or the recovery code marked used), or undefined for a wrong or already used code. The
 * recovery codes are all compared, in constant time, whichever matches.
 */
async function acceptCode(
  deps: Deps,
  accountId: string,
  mfa: AccountMfa,
  code: TypedCode,
): Promise<{ readonly mfa: AccountMfa; readonly used: "totp" | "recovery" } | undefined> {
  const now = deps.clock.now();
  if (code.kind === "totp") {
    const key = await openSecret(deps, mfa.secret, sealContext.active(accountId));
    const step = matchTotp(key, code.code, now.getTime(), { after: mfa.lastStep });
    return step === undefined ? undefined : { mfa: { ...mfa, lastStep: step }, used: "totp" };
  }
  const given = Buffer.from(code.hash, "hex");
  let index = -1;
  mfa.recoveryCodes.forEach((stored, i) => {
    const same = timingSafeEqual(Buffer.from(stored.hash, "hex"), given);
    if (same && stored.usedAt === null && index < 0) index = i;
  });
  if (index < 0) return undefined;
  const recoveryCodes = mfa.recoveryCodes.map((c, i) =>
    i === index ? { ...c, usedAt: now.toISOString() } : c,
  );
  return { mfa: { ...mfa, recoveryCodes }, used: "recovery" };
}

const wrongCode = (message: string) =>
  new AppError("permission-denied", message, { issues: [{ path: "code", message }] });

/**
 * Code attempts are charged to a bucket of the account too (as password changes are), so codes cannot be
 * guessed from many addresses or through many challenges at once.
 */
async function limitAttempts(deps: Deps, accountId: string): Promise<void> {
  const limit = deps.config.rateLimits.publicPerIp;
  if (limit) {
    await limitPublic(deps, `mfa:${accountId}`, {
      ...limit,
      subject: "two-step sign-in attempts for this account",
    });
  }
}

// ----- status and enrolment (a signed-in session) ---------------------------------------------------

export interface MfaStatus {
  /** The account has two-step sign-in on. */
  readonly mfaEnrolled: boolean;
  /** This session was signed in with a second factor. */
  readonly mfa: boolean;
  readonly enabledAt: string | null;
  readonly recoveryCodesLeft: number | null;
}

async function readAccount(deps: Deps, accountId: string): Promise<Account> {
  const snap = await deps.store.get(accountPath(accountId));
  if (!snap) throw new AppError("unauthenticated", "This account no longer exists; sign in again");
  return accountSchema.parse(snap.data);
}

export async function mfaStatus(deps: Deps, session: VerifiedSession): Promise<MfaStatus> {
  requireLocalAccounts(deps);
  const { mfa } = await readAccount(deps, session.payload.sub);
  return {
    mfaEnrolled: Boolean(mfa),
    mfa: session.payload.mfa === true,
    enabledAt: mfa?.enabledAt ?? null,
    recoveryCodesLeft: mfa ? mfa.recoveryCodes.filter((c) => c.usedAt === null).length : null,
  };
}

export interface Enrolment {
  /** Base32, for typing into an app by hand. */
  readonly secret: string;
  /** What a QR code carries for an app to scan. */
  readonly otpauthUri: string;
  readonly expiresAt: string;
}

const alreadyOn = () =>
  new AppError(
    "failed-precondition",
    "Two-step sign-in is already on for this account; turn it off first to move it to another authenticator",
  );

/** Starts enrolment: a new secret, pending until `confirmEnrolment` sees a code of it (a new call replaces it). */
export async function startEnrolment(deps: Deps, session: VerifiedSession): Promise<Enrolment> {
  requireLocalAccounts(deps);
  const accountId = session.payload.sub;
  const account = await readAccount(deps, accountId);
  if (account.mfa) throw alreadyOn();
  const secret = base32Encode(randomBytes(secretBytes));
  const expiresAt = new Date(deps.clock.now().getTime() + enrolmentTtlMs).toISOString();
  const sealed = await seal(deps.config, secret, sealContext.pending(accountId));
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(accountPath(accountId));
    if (!snap) throw new AppError("unauthenticated", "This account no longer exists; sign in again");
    if (accountSchema.parse(snap.data).mfa) throw alreadyOn();
    tx.update(accountPath(accountId), { mfaPending: { secret: sealed, expiresAt } });
  });
  return {
    secret,
    otpauthUri: otpauthUri({ issuer: totpIssuer, account: account.email, secret }),
    expiresAt,
  };
}

export const confirmEnrolmentInput = z.object({ code: codeSchema });

/** What turning it on answers: the session to go on with, and the recovery codes (shown this once). */
export interface Enabled extends LoggedIn {
  readonly recoveryCodes: string[];
}

/** The session's generation still current: a session ended meanwhile changes nothing. */
function requireCurrent(account: Account, session: VerifiedSession): void {
  if (account.sessionGeneration !== session.payload.gen) {
    throw new AppError("unauthenticated", "This session was ended meanwhile; sign in again");
  }
}

/**
 * Turns two-step sign-in on with a code of the pending secret. Other sessions of the account end; this one
 * goes on with a new token that counts as signed in with the second factor (it just showed one).
 */
export async function confirmEnrolment(
  deps: Deps,
  session: VerifiedSession,
  input: z.infer<typeof confirmEnrolmentInput>,
): Promise<Enabled> {
  requireLocalAccounts(deps);
  const { sub: accountId, tid: tenantId, sid: sessionId } = session.payload;
  const code = readCode(input.code, "totp");
  await limitAttempts(deps, accountId);
  const { codes, stored } = newRecoveryCodes();
  await deps.store.runTransaction(async (tx) => {
    const { account, stale } = await readSessionsOf(tx, accountId);
    requireCurrent(account, session);
    if (account.mfa) throw alreadyOn();
    const pending = account.mfaPending;
    if (!pending || Date.parse(pending.expiresAt) <= deps.clock.now().getTime()) {
      throw new AppError(
        "failed-precondition",
        "The setup expired (10 minutes) or was not started: start again to get a new secret",
      );
    }
    const secret = await unseal(deps.config, pending.secret, sealContext.pending(accountId));
    const step =
      code.kind === "totp"
        ? matchTotp(base32Decode(secret), code.code, deps.clock.now().getTime())
        : undefined;
    if (step === undefined) {
      throw wrongCode(
        "This is not the code your app shows for this secret; check the app's clock and try the next one",
      );
    }
    const mfa: AccountMfa = {
      secret: await seal(deps.config, secret, sealContext.active(accountId)),
      enabledAt: deps.clock.nowIso(),
      recoveryCodes: stored,
      lastStep: step,
    };
    writeSessionsEnded(tx, accountId, account, stale, { mfa, mfaPending: null });
    await recordAudit(
      deps,
      {
        tenantId,
        actor: accountId,
        action: "account.mfa.enable",
        target: { type: "account", id: accountId },
        after: { method: "totp", recoveryCodes: recoveryCodeCount, otherSessionsEnded: true },
      },
      tx,
    );
  });
  return { ...(await openSession(deps, accountId, tenantId, sessionId, true)), recoveryCodes: codes };
}

export const disableInput = z.object({
  // No length rule: a wrong-length password is simply a wrong one.
  password: z.string().max(1000),
  code: codeSchema,
});

/**
 * Reads the account in `tx` and accepts `code` for it, or throws: the session ended meanwhile, two-step
 * sign-in is off, or the code is wrong or used.
 */
async function accountAcceptingCode(
  deps: Deps,
  tx: Transaction,
  session: VerifiedSession,
  code: TypedCode,
): Promise<{ account: Account; stale: { path: string }[]; mfa: AccountMfa; used: "totp" | "recovery" }> {
  const accountId = session.payload.sub;
  const { account, stale } = await readSessionsOf(tx, accountId);
  requireCurrent(account, session);
  if (!account.mfa) throw new AppError("failed-precondition", "Two-step sign-in is not on for this account");
  const accepted = await acceptCode(deps, accountId, account.mfa, code);
  if (!accepted) {
    throw wrongCode(
      "This code is not right, or was used already: use the code your app shows now, or an unused recovery code",
    );
  }
  return { account, stale, ...accepted };
}

/** Turns it off, with the password and a code (or a recovery code). Other sessions end; this one goes on. */
export async function disableMfa(
  deps: Deps,
  session: VerifiedSession,
  input: z.infer<typeof disableInput>,
): Promise<LoggedIn> {
  requireLocalAccounts(deps);
  const { sub: accountId, tid: tenantId, sid: sessionId } = session.payload;
  const code = readCode(input.code, "any");
  await limitAttempts(deps, accountId);
  const stored = (await readAccount(deps, accountId)).password;
  if (!(await verifyPassword(input.password, stored))) {
    throw new AppError("permission-denied", "The password is not correct", {
      issues: [{ path: "password", message: "This is not your password" }],
    });
  }
  await deps.store.runTransaction(async (tx) => {
    const { account, stale, used } = await accountAcceptingCode(deps, tx, session, code);
    writeSessionsEnded(tx, accountId, account, stale, { mfa: null, mfaPending: null });
    await recordAudit(
      deps,
      {
        tenantId,
        actor: accountId,
        action: "account.mfa.disable",
        target: { type: "account", id: accountId },
        after: {
          with: used === "recovery" ? "recovery code" : "authenticator code",
          otherSessionsEnded: true,
        },
      },
      tx,
    );
  });
  // No second factor any more: the session goes on as a password-only one.
  return openSession(deps, accountId, tenantId, sessionId, false);
}

export const regenerateInput = z.object({ code: codeSchema });

/** Replaces every recovery code (used or not) with ten new ones, shown this once. */
export async function regenerateRecoveryCodes(
  deps: Deps,
  session: VerifiedSession,
  input: z.infer<typeof regenerateInput>,
): Promise<{ recoveryCodes: string[] }> {
  requireLocalAccounts(deps);
  const { sub: accountId, tid: tenantId } = session.payload;
  const code = readCode(input.code, "any");
  await limitAttempts(deps, accountId);
  const { codes, stored } = newRecoveryCodes();
  await deps.store.runTransaction(async (tx) => {
    const { mfa, used } = await accountAcceptingCode(deps, tx, session, code);
    tx.update(accountPath(accountId), { mfa: { ...mfa, recoveryCodes: stored } });
    await recordAudit(
      deps,
      {
        tenantId,
        actor: accountId,
        action: "account.mfa.regenerateRecoveryCodes",
        target: { type: "account", id: accountId },
        after: {
          recoveryCodes: recoveryCodeCount,
          with: used === "recovery" ? "recovery code" : "authenticator code",
        },
      },
      tx,
    );
  });
  return { recoveryCodes: codes };
}

// ----- signing in -----------------------------------------------------------------------------------

export const challengeTokenPrefix = "alm_";
const challengeVersion = 1;

const challengePayloadSchema = z.object({
  /** The account. */
  sub: z.string().regex(idPattern),
  /** The tenant the session will be for (chosen at the password step). */
  tid: z.string().regex(idPattern),
  /** The challenge record: wrong codes and use. */
  cid: z.string().regex(idPattern),
  /** The account's session generation: "sign out everywhere" or a password change ends pending challenges. */
  gen: z.number().int().min(0),
  exp: z.number().int(),
  ver: z.literal(challengeVersion),
});
type ChallengePayload = z.infer<typeof challengePayloadSchema>;

/** A key of its own, derived from the session secret, so a challenge and a session token never verify as each other. */
async function challengeKey(deps: Deps): Promise<Buffer> {
  return createHmac("sha256", await sessionSecret(deps.config))
    .update("alchemist/mfa-challenge/v1")
    .digest();
}

const challengeSignature = (key: Buffer, signed: string): Buffer =>
  createHmac("sha256", key).update(signed, "utf8").digest();

function signChallenge(key: Buffer, payload: ChallengePayload): string {
  const signed = `${challengeTokenPrefix}${Buffer.from(JSON.stringify(payload), "utf8").toString("base64url")}`;
  return `${signed}.${challengeSignature(key, signed).toString("base64url")}`;
}

const challengeEnded = (why: string) =>
  new AppError("unauthenticated", `${why}; sign in again with your password`, {
    reason: "mfa-challenge-ended",
  });

function readChallenge(key: Buffer, token: string): ChallengePayload {
  const match = /^(alm_[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!match) throw challengeEnded("This sign-in attempt is not valid");
  const [, signed, sig] = match as unknown as [string, string, string];
  const expected = challengeSignature(key, signed);
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw challengeEnded("This sign-in attempt is not valid");
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(signed.slice(challengeTokenPrefix.length), "base64url").toString("utf8"));
  } catch {
    throw challengeEnded("This sign-in attempt is not valid");
  }
  const parsed = challengePayloadSchema.safeParse(json);
  if (!parsed.success) throw challengeEnded("This sign-in attempt is not valid");
  return parsed.data;
}

export interface MfaChallenge {
  readonly mfaRequired: true;
  /** Send back with the code to `POST /auth/mfa/verify`. */
  readonly challenge: string;
  readonly expiresAt: string;
}

/** Challenge records a new one also clears when they are expired (bounded, so it stays cheap). */
const staleChallengesPerWrite = 20;

async function startChallenge(
  deps: Deps,
  accountId: string,
  account: Account,
  tenantId: string | undefined,
): Promise<MfaChallenge> {
  // The tenant is settled now, so a sign-in to a tenant the account is not in fails before the code step.
  const { chosen } = await chooseTenant(deps, accountId, tenantId);
  const challengeId = deps.ids.newId();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + challengeTtlMs);
  const record: MfaChallengeRecord = {
    tenantId: chosen.tenantId,
    failures: 0,
    expiresAt: expiresAt.toISOString(),
    usedAt: null,
  };
  await deps.store.runTransaction(async (tx) => {
    const stale = await tx.query({
      collection: mfaChallengesPath(accountId),
      where: [{ field: "expiresAt", op: "<=", value: now.toISOString() }],
      limit: staleChallengesPerWrite,
    });
    for (const old of stale) tx.delete(old.path);
    tx.create(mfaChallengePath(accountId, challengeId), record);
  });
  const challenge = signChallenge(await challengeKey(deps), {
    sub: accountId,
    tid: chosen.tenantId,
    cid: challengeId,
    gen: account.sessionGeneration,
    exp: Math.floor(expiresAt.getTime() / 1000),
    ver: challengeVersion,
  });
  return { mfaRequired: true, challenge, expiresAt: expiresAt.toISOString() };
}

/**
 * Signs in with an email and password: the session at once, or, for an account with two-step sign-in, a
 * challenge to answer with a code (`verifyChallenge`).
 */
export async function logIn(
  deps: Deps,
  input: { readonly email: string; readonly password: string; readonly tenantId?: string | undefined },
): Promise<LoggedIn | MfaChallenge> {
  const account = await checkPassword(deps, input);
  if (account.data.mfa) return startChallenge(deps, account.id, account.data, input.tenantId);
  return openSession(deps, account.id, input.tenantId);
}

/**
 * Accepting an invitation with an existing account's password is a sign-in too: for an account with
 * two-step sign-in it joins the tenant, but the session waits for a code like a login's (otherwise anyone
 * who knew the password could invite the email to a workspace of theirs and sign in without the code).
 */
export async function acceptInvitation(
  deps: Deps,
  input: z.infer<typeof acceptInvitationInput>,
): Promise<SignedIn | MfaChallenge> {
  const joined = await acceptInvitationWithPassword(deps, input);
  const account = await readAccount(deps, joined.accountId);
  return account.mfa ? startChallenge(deps, joined.accountId, account, joined.tenantId) : joined;
}

export const verifyChallengeInput = z.object({
  challenge: z.string().min(1).max(2000),
  code: codeSchema,
});

/** The second step of signing in: the challenge and a code open the session, marked as signed in with it. */
export async function verifyChallenge(
  deps: Deps,
  input: z.infer<typeof verifyChallengeInput>,
): Promise<LoggedIn> {
  requireLocalAccounts(deps);
  const payload = readChallenge(await challengeKey(deps), input.challenge);
  if (payload.exp * 1000 <= deps.clock.now().getTime()) throw challengeEnded("This sign-in attempt expired");
  const code = readCode(input.code, "any");
  await limitAttempts(deps, payload.sub);
  const path = mfaChallengePath(payload.sub, payload.cid);
  const outcome = await deps.store.runTransaction(async (tx) => {
    const [challengeSnap, accountSnap] = await Promise.all([tx.get(path), tx.get(accountPath(payload.sub))]);
    const record = challengeSnap ? mfaChallengeSchema.safeParse(challengeSnap.data) : undefined;
    if (!record?.success || record.data.tenantId !== payload.tid) {
      throw challengeEnded("This sign-in attempt is not valid");
    }
    if (record.data.usedAt !== null) throw challengeEnded("This sign-in attempt was used already");
    if (record.data.failures >= maxWrongCodes) throw challengeEnded("Too many wrong codes");
    const account = accountSnap ? accountSchema.safeParse(accountSnap.data) : undefined;
    if (!account?.success || account.data.sessionGeneration !== payload.gen || !account.data.mfa) {
      throw challengeEnded("The account changed since the password was checked");
    }
    const accepted = await acceptCode(deps, payload.sub, account.data.mfa, code);
    if (!accepted) {
      // Written, not thrown: a throw would roll the count back.
      const failures = record.data.failures + 1;
      tx.update(path, { failures });
      return { left: maxWrongCodes - failures };
    }
    tx.update(path, { usedAt: deps.clock.nowIso() });
    tx.update(accountPath(payload.sub), { mfa: accepted.mfa });
    if (accepted.used === "recovery") {
      await recordAudit(
        deps,
        {
          tenantId: payload.tid,
          actor: payload.sub,
          action: "account.mfa.recoveryCodeUsed",
          target: { type: "account", id: payload.sub },
          after: {
            recoveryCodesLeft: accepted.mfa.recoveryCodes.filter((c) => c.usedAt === null).length,
          },
        },
        tx,
      );
    }
    return { left: undefined };
  });
  if (outcome.left !== undefined) {
    if (outcome.left === 0) throw challengeEnded("Too many wrong codes");
    throw wrongCode(
      `This code is not right, or was used already; ${outcome.left} ${outcome.left === 1 ? "try" : "tries"} left`,
    );
  }
  return openSession(deps, payload.sub, payload.tid, undefined, true);
}
