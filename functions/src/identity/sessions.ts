/**
 * Local mode's sessions: signed bearer tokens `als_<payload>.<signature>`, where the payload is base64url
 * JSON `{sub, tid, role, sid, gen, jid?, mfa?, iat, exp, ver}` and the signature HMAC-SHA256 over `als_<payload>`.
 * The prefix routes them in `authenticate()`: they are never mistaken for API keys (`alk_`) or Firebase ID
 * tokens.
 *
 * A token only says who signed in and to which tenant. Each request reads the membership, the account and
 * the session's sign-out entry (one `getAll`), so:
 * - a removed member is locked out at once, and a role change applies at once (the token's role is ignored);
 * - a token names the join it was issued under (`jid`, the member's `joinId`), so a member removed and
 *   invited again cannot use a token from before the removal;
 * - "sign out everywhere" and a password change raise the account's `sessionGeneration`, which every older
 *   token (`gen`) then fails;
 * - signing out ends one session (`sid`, shared by the tokens a sign-in and its tenant switches hand out)
 *   through an entry under the account, kept until those tokens would have expired anyway.
 * In Firebase mode sessions are Firebase ID tokens and this module refuses to verify anything.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import path from "node:path";
import { keyFromFile } from "../platform/key-file.js";
import { z } from "zod";
import type { Caller } from "../platform/caller.js";
import type { Config } from "../platform/config.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { DocData, Transaction } from "../platform/ports.js";
import { idPattern } from "../platform/ids.js";
import { recordAudit } from "../platform/audit.js";
import { memberPath } from "./schema.js";
import { roleSchema, type Role } from "../platform/caller.js";
import {
  accountPath,
  accountSchema,
  endedSessionPath,
  endedSessionSchema,
  endedSessionsPath,
  memberSchema,
  type Account,
} from "./schema.js";

export const sessionTokenPrefix = "als_";
export const sessionTtlMs = 12 * 3600 * 1000;
/** The payload format; a token of another version is refused (version 1 tokens named no session). */
const tokenVersion = 2;

export const sessionPayloadSchema = z.object({
  /** The account id. */
  sub: z.string().regex(idPattern),
  /** The tenant this session acts in. */
  tid: z.string().regex(idPattern),
  /** The role when the token was issued; informative only (verification uses the current one). */
  role: roleSchema,
  /** The session: one sign-in, kept through tenant switches and password changes; what logout ends. */
  sid: z.string().regex(idPattern),
  /** The account's `sessionGeneration` when the token was issued. */
  gen: z.number().int().min(0),
  /** The member's `joinId` when the token was issued (absent for members who have none). */
  jid: z.string().regex(idPattern).optional(),
  /**
   * Present when the sign-in passed a second factor (mfa.ts); kept through tenant switches and password
   * changes, which continue the same sign-in. Optional, so tokens issued before it existed stay valid.
   */
  mfa: z.literal(true).optional(),
  /** Seconds since the epoch, as in a JWT. */
  iat: z.number().int(),
  exp: z.number().int(),
  ver: z.literal(tokenVersion),
});
export type SessionPayload = z.infer<typeof sessionPayloadSchema>;

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
}

// ----- the signing secret ---------------------------------------------------------------------------

const secretFileName = "session-secret";

/**
 * `ALCHEMIST_SESSION_SECRET` when set; otherwise 32 random bytes made once per data folder and kept in
 * `<dataDir>/session-secret` (owner-only), so sessions survive a restart. Deleting the file signs everyone out.
 */
export function sessionSecret(config: Config): Promise<Buffer> {
  if (config.sessionSecret) return Promise.resolve(Buffer.from(config.sessionSecret, "utf8"));
  if (config.mode !== "local") {
    // Firebase mode signs people in with Firebase Auth; it has no data folder to keep a secret in.
    return Promise.reject(
      new AppError(
        "failed-precondition",
        "Session tokens are local mode's; set ALCHEMIST_SESSION_SECRET to use them here",
      ),
    );
  }
  return keyFromFile(path.join(config.local.dataDir, secretFileName));
}

// ----- tokens -------------------------------------------------------------------------------------

const signature = (secret: Buffer, signed: string): Buffer =>
  createHmac("sha256", secret).update(signed, "utf8").digest();

/** Signs a payload as is. `issueSession` is the normal way in; this one lets tests make expired tokens. */
export function signSessionToken(secret: Buffer, payload: SessionPayload): string {
  const signed = `${sessionTokenPrefix}${Buffer.from(JSON.stringify(payload), "utf8").toString("base64url")}`;
  return `${signed}.${signature(secret, signed).toString("base64url")}`;
}

const invalidSession = () => new AppError("unauthenticated", "Invalid session token; sign in again");

/** Checks the signature (in constant time) and the payload's shape; not the expiry nor the membership. */
export function readSessionToken(secret: Buffer, token: string): SessionPayload {
  const match = /^(als_[A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token);
  if (!match) throw invalidSession();
  const [, signed, sig] = match as unknown as [string, string, string];
  const expected = signature(secret, signed);
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidSession();
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(signed.slice(sessionTokenPrefix.length), "base64url").toString("utf8"));
  } catch {
    throw invalidSession();
  }
  const parsed = sessionPayloadSchema.safeParse(json);
  if (!parsed.success) throw invalidSession();
  return parsed.data;
}

/** A new 12-hour token for an account acting in one tenant, with the role it has there now. */
export async function issueSession(
  deps: Deps,
  grant: {
    readonly accountId: string;
    readonly tenantId: string;
    /** The session this token continues (a tenant switch, a password change); a new one by default. */
    readonly sessionId?: string;
    /** The sign-in passed a second factor (a TOTP code or a recovery code). */
    readonly mfa?: boolean;
  },
): Promise<Session & { readonly role: Role; readonly sessionId: string }> {
  const [memberSnap, accountSnap] = await deps.store.getAll([
    memberPath(grant.tenantId, grant.accountId),
    accountPath(grant.accountId),
  ]);
  if (!memberSnap) {
    throw new AppError("permission-denied", `You are not a member of tenant ${grant.tenantId}`);
  }
  if (!accountSnap) throw new AppError("unauthenticated", "This account no longer exists");
  const member = memberSchema.parse(memberSnap.data);
  const account = accountSchema.parse(accountSnap.data);
  const sessionId = grant.sessionId ?? deps.ids.newId();
  const iat = Math.floor(deps.clock.now().getTime() / 1000);
  const exp = iat + sessionTtlMs / 1000;
  const token = signSessionToken(await sessionSecret(deps.config), {
    sub: grant.accountId,
    tid: grant.tenantId,
    role: member.role,
    sid: sessionId,
    gen: account.sessionGeneration,
    ...(member.joinId !== undefined ? { jid: member.joinId } : {}),
    ...(grant.mfa === true ? { mfa: true as const } : {}),
    iat,
    exp,
    ver: tokenVersion,
  });
  return { token, expiresAt: new Date(exp * 1000).toISOString(), role: member.role, sessionId };
}

/** A session that verified: who it is now, and what its token says (for logout and password change). */
export interface VerifiedSession {
  readonly caller: Caller;
  readonly payload: SessionPayload;
}

const sessionEnded = (why: string) => new AppError("unauthenticated", `${why}; sign in again`);

/** Checks a session token completely: signature, expiry, membership, join, generation and sign-out. */
export async function verifySession(deps: Deps, token: string): Promise<VerifiedSession> {
  if (deps.config.mode !== "local") {
    throw new AppError(
      "unauthenticated",
      "Session tokens exist in local mode only; in Firebase mode send a Firebase ID token",
    );
  }
  const payload = readSessionToken(await sessionSecret(deps.config), token);
  if (payload.exp * 1000 <= deps.clock.now().getTime()) throw sessionEnded("Your session has expired");
  const [memberSnap, accountSnap, endedSnap] = await deps.store.getAll([
    memberPath(payload.tid, payload.sub),
    accountPath(payload.sub),
    endedSessionPath(payload.sub, payload.sid),
  ]);
  const member = memberSnap ? memberSchema.safeParse(memberSnap.data) : undefined;
  // A member removed and invited again has a new joinId: tokens of the old membership stay dead.
  if (!member?.success || member.data.joinId !== payload.jid) {
    throw sessionEnded("This session is no longer valid for this tenant");
  }
  const account = accountSnap ? accountSchema.safeParse(accountSnap.data) : undefined;
  if (!account?.success || account.data.sessionGeneration !== payload.gen) {
    throw sessionEnded("This session was ended (signed out everywhere, or the password was changed)");
  }
  if (endedSnap) throw sessionEnded("This session was signed out");
  return {
    caller: {
      tenantId: payload.tid,
      role: member.data.role,
      uid: payload.sub,
      via: "session",
      mfa: payload.mfa === true,
      // Local mode's operators are the accounts PLATFORM_ADMINS lists (config.ts).
      ...(deps.config.platformAdmins.includes(account.data.email.toLowerCase())
        ? { platformAdmin: true as const }
        : {}),
    },
    payload,
  };
}

/** The caller a session token stands for, with the role its membership has now. */
export async function callerFromSession(deps: Deps, token: string): Promise<Caller> {
  return (await verifySession(deps, token)).caller;
}

/**
 * The session behind an `Authorization` header, for the routes only a session may use (switching tenant,
 * signing out, changing the password): an API key or an ID token is refused with `refusal`.
 */
export async function sessionFromAuthorization(
  deps: Deps,
  authorization: string | undefined,
  refusal: string,
): Promise<VerifiedSession> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  const token = match?.[1];
  if (!token?.startsWith(sessionTokenPrefix)) throw new AppError("unauthenticated", refusal);
  return verifySession(deps, token);
}

// ----- signing out --------------------------------------------------------------------------------

/** Sign-out entries a sign-out also clears when they are no longer needed (bounded, so it stays cheap). */
const staleEntriesPerWrite = 50;

/**
 * Ends one session: every token it handed out (in any tenant it switched to) stops working at once. The
 * entry lasts one token lifetime from now, the longest any of those tokens could still live.
 */
export async function endSession(deps: Deps, { payload }: VerifiedSession): Promise<{ endedAt: string }> {
  const now = deps.clock.now();
  const endedAt = now.toISOString();
  const entry = endedSessionSchema.parse({
    endedAt,
    expiresAt: new Date(now.getTime() + sessionTtlMs).toISOString(),
  });
  await deps.store.runTransaction(async (tx) => {
    const stale = await tx.query({
      collection: endedSessionsPath(payload.sub),
      where: [{ field: "expiresAt", op: "<=", value: endedAt }],
      limit: staleEntriesPerWrite,
    });
    for (const old of stale) tx.delete(old.path);
    tx.set(endedSessionPath(payload.sub, payload.sid), entry);
    await recordAudit(
      deps,
      {
        tenantId: payload.tid,
        actor: payload.sub,
        action: "session.end",
        target: { type: "session", id: payload.sid },
      },
      tx,
    );
  });
  return { endedAt };
}

/**
 * Raises the account's session generation in `tx` (after its reads), which ends every session of the
 * account in every tenant, and clears the sign-out entries it makes useless. `alsoSet` joins the same
 * update of the account (one write per document and transaction).
 */
export function writeSessionsEnded(
  tx: Transaction,
  accountId: string,
  account: { readonly sessionGeneration: number },
  stale: readonly { readonly path: string }[],
  alsoSet: DocData = {},
): void {
  tx.update(accountPath(accountId), { ...alsoSet, sessionGeneration: account.sessionGeneration + 1 });
  for (const old of stale) tx.delete(old.path);
}

/** Reads what `writeSessionsEnded` needs, in a transaction: the account and its sign-out entries. */
export async function readSessionsOf(
  tx: Transaction,
  accountId: string,
): Promise<{ account: Account; stale: { path: string }[] }> {
  const snap = await tx.get(accountPath(accountId));
  if (!snap) throw new AppError("unauthenticated", "This account no longer exists");
  const stale = await tx.query({ collection: endedSessionsPath(accountId), limit: staleEntriesPerWrite });
  return { account: accountSchema.parse(snap.data), stale };
}

/** "Sign out everywhere": every session of the account, this one included, in every tenant. */
export async function endAllSessions(deps: Deps, { payload }: VerifiedSession): Promise<{ endedAt: string }> {
  const endedAt = deps.clock.nowIso();
  await deps.store.runTransaction(async (tx) => {
    const { account, stale } = await readSessionsOf(tx, payload.sub);
    writeSessionsEnded(tx, payload.sub, account, stale);
    await recordAudit(
      deps,
      {
        tenantId: payload.tid,
        actor: payload.sub,
        action: "session.endAll",
        target: { type: "account", id: payload.sub },
      },
      tx,
    );
  });
  return { endedAt };
}
