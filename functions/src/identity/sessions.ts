/**
 * Local mode's sessions: signed bearer tokens `als_<payload>.<signature>`, where the payload is base64url
 * JSON `{sub, tid, role, iat, exp, ver}` and the signature HMAC-SHA256 over `als_<payload>`. The prefix
 * routes them in `authenticate()`: they are never mistaken for API keys (`alk_`) or Firebase ID tokens.
 *
 * A token only says who signed in and to which tenant. Each request still reads the membership, so a
 * removed member is locked out at once and a role change applies at once (the token's role is ignored).
 * In Firebase mode sessions are Firebase ID tokens and this module refuses to verify anything.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { Caller } from "../platform/auth.js";
import type { Config } from "../platform/config.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { memberPath, roleSchema, type Role } from "../platform/tenancy.js";
import { memberSchema } from "./schema.js";

export const sessionTokenPrefix = "als_";
export const sessionTtlMs = 12 * 3600 * 1000;
/** The payload format; a token of another version is refused. */
const tokenVersion = 1;

export const sessionPayloadSchema = z.object({
  /** The account id. */
  sub: z.string().regex(idPattern),
  /** The tenant this session acts in. */
  tid: z.string().regex(idPattern),
  /** The role when the token was issued; informative only (verification uses the current one). */
  role: roleSchema,
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
const secretBytes = 32;
const secrets = new Map<string, Promise<Buffer>>();

/**
 * `ALCHEMIST_SESSION_SECRET` when set; otherwise 32 random bytes made once per data folder and kept in
 * `<dataDir>/session-secret` (owner-only), so sessions survive a restart. Deleting the file signs everyone out.
 */
export function sessionSecret(config: Config): Promise<Buffer> {
  if (config.sessionSecret) return Promise.resolve(Buffer.from(config.sessionSecret, "utf8"));
  const file = path.join(config.dataDir, secretFileName);
  let secret = secrets.get(file);
  if (!secret) {
    secret = readOrCreateSecret(file);
    secrets.set(file, secret);
    secret.catch(() => secrets.delete(file)); // a failure (e.g. a read-only folder) is retried next time
  }
  return secret;
}

async function readSecret(file: string): Promise<Buffer> {
  const secret = Buffer.from((await fs.readFile(file, "utf8")).trim(), "base64url");
  if (secret.length < secretBytes) {
    throw new Error(`${file} does not hold a ${secretBytes}-byte secret; delete it to make a new one`);
  }
  return secret;
}

async function readOrCreateSecret(file: string): Promise<Buffer> {
  try {
    return await readSecret(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    // `wx`: if another process made it first, theirs wins and both read the same one.
    await fs.writeFile(file, randomBytes(secretBytes).toString("base64url") + "\n", {
      mode: 0o600,
      flag: "wx",
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  return readSecret(file);
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

/** A new 12-hour session for an account acting in one tenant. */
export async function issueSession(
  deps: Deps,
  grant: { readonly accountId: string; readonly tenantId: string; readonly role: Role },
): Promise<Session> {
  const iat = Math.floor(deps.clock.now().getTime() / 1000);
  const exp = iat + sessionTtlMs / 1000;
  const token = signSessionToken(await sessionSecret(deps.config), {
    sub: grant.accountId,
    tid: grant.tenantId,
    role: grant.role,
    iat,
    exp,
    ver: tokenVersion,
  });
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/** The caller a session token stands for, with the role its membership has now. */
export async function callerFromSession(deps: Deps, token: string): Promise<Caller> {
  if (deps.config.mode !== "local") {
    throw new AppError(
      "unauthenticated",
      "Session tokens exist in local mode only; in Firebase mode send a Firebase ID token",
    );
  }
  const payload = readSessionToken(await sessionSecret(deps.config), token);
  if (payload.exp * 1000 <= deps.clock.now().getTime()) {
    throw new AppError("unauthenticated", "Your session has expired; sign in again");
  }
  const snap = await deps.store.get(memberPath(payload.tid, payload.sub));
  const member = snap ? memberSchema.safeParse(snap.data) : undefined;
  if (!member?.success) {
    throw new AppError("unauthenticated", "This session is no longer valid for this tenant; sign in again");
  }
  return { tenantId: payload.tid, role: member.data.role, uid: payload.sub, via: "session" };
}
