/**
 * Session tokens against a real local store and a hand-moved clock: lifetime, where the role comes from,
 * the signing secret, and how `authenticate()` tells sessions, API keys and Firebase ID tokens apart.
 */
import { createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { authenticate } from "./authenticate.js";
import { manualClock } from "../platform/clock.js";
import { loadConfig } from "../platform/config.js";
import type { Deps } from "../platform/deps.js";
import type { Transaction } from "../platform/ports.js";
import { openLocalDeps, type LocalDeps } from "@alchemist/local/adapters/deps";
import { createApiKey } from "./api-keys.js";
import { createTenant } from "./tenants.js";
import { memberPath } from "./schema.js";
import { type Role } from "../platform/caller.js";
import { hashPassword, writeNewAccount } from "./accounts.js";
import { writeMember } from "./members.js";
import { accountPath, endedSessionsPath } from "./schema.js";
import {
  endAllSessions,
  endSession,
  issueSession,
  readSessionToken,
  sessionSecret,
  sessionTtlMs,
  signSessionToken,
  verifySession,
} from "./sessions.js";

const opened: { deps: LocalDeps; dataDir: string }[] = [];

async function openPlatform(env: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-sessions-"));
  const clock = manualClock();
  const config = loadConfig({ ...env, ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir });
  const deps = await openLocalDeps(config, { clock });
  opened.push({ deps, dataDir });
  await createTenant(deps, "acme", "Acme");
  await createTenant(deps, "globex", "Globex");
  const password = await hashPassword("ada's long passphrase");
  await deps.store.runTransaction(async (tx) => {
    await writeNewAccount(tx, deps, { accountId: "ada", email: "ada@example.com", password });
    join(tx, deps, "acme", "editor");
  });
  return { deps, clock, dataDir };
}

/** Ada joins a tenant (again), as an invitation's acceptance would. */
function join(tx: Transaction, deps: Deps, tenantId: string, role: Role): void {
  writeMember(tx, deps, { tenantId, memberId: "ada", email: "ada@example.com", role, tenantName: tenantId });
}

afterEach(() => {
  for (const { deps, dataDir } of opened.splice(0)) {
    deps.local.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

const bearer = (token: string) => `Bearer ${token}`;

describe("a session", () => {
  it("lasts 12 hours by the platform's clock, then is refused as expired", async () => {
    const { deps, clock } = await openPlatform();
    const { token, expiresAt } = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    expect(expiresAt).toBe(new Date(clock.now().getTime() + sessionTtlMs).toISOString());
    expect(await authenticate(deps, bearer(token))).toEqual({
      tenantId: "acme",
      role: "editor",
      uid: "ada",
      via: "session",
      mfa: false,
    });
    clock.advance(sessionTtlMs - 1000);
    await expect(authenticate(deps, bearer(token))).resolves.toMatchObject({ uid: "ada" });
    clock.advance(2000);
    await expect(authenticate(deps, bearer(token))).rejects.toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/expired/),
    });
  });

  it("acts with the membership's current role, whatever role the token was issued with", async () => {
    const { deps } = await openPlatform();
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    await deps.store.update(memberPath("acme", "ada"), { role: "viewer" });
    expect(readSessionToken(await sessionSecret(deps.config), token).role).toBe("editor");
    expect((await authenticate(deps, bearer(token))).role).toBe("viewer");
  });

  it("is not issued, nor accepted, for a tenant the account is not a member of", async () => {
    const { deps } = await openPlatform();
    await expect(issueSession(deps, { accountId: "ada", tenantId: "globex" })).rejects.toMatchObject({
      code: "permission-denied",
    });
    // A well-signed token naming another tenant (as if the secret had leaked) still meets the membership.
    const secret = await sessionSecret(deps.config);
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    const forged = signSessionToken(secret, { ...readSessionToken(secret, token), tid: "globex" });
    await expect(authenticate(deps, bearer(forged))).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("refuses the tokens of the previous format (they named no session), asking to sign in again", async () => {
    const { deps, clock } = await openPlatform();
    const iat = Math.floor(clock.now().getTime() / 1000);
    const signed = `als_${Buffer.from(
      JSON.stringify({ sub: "ada", tid: "acme", role: "editor", iat, exp: iat + 3600, ver: 1 }),
    ).toString("base64url")}`;
    const sig = createHmac("sha256", await sessionSecret(deps.config))
      .update(signed)
      .digest("base64url");
    await expect(authenticate(deps, bearer(`${signed}.${sig}`))).rejects.toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/sign in again/),
    });
  });

  it("is refused in Firebase mode, where sessions are Firebase ID tokens", async () => {
    const { deps } = await openPlatform();
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    const firebase: Deps = { ...deps, config: { ...deps.config, mode: "firebase" } };
    await expect(authenticate(firebase, bearer(token))).rejects.toMatchObject({ code: "unauthenticated" });
  });
});

describe("the signing secret", () => {
  it("is made once per data folder, readable by its owner only, and is what signs the tokens", async () => {
    const { deps, dataDir } = await openPlatform();
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    const file = path.join(dataDir, "session-secret");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const secret = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64url");
    expect(secret.length).toBe(32);
    expect(readSessionToken(secret, token)).toMatchObject({ sub: "ada", tid: "acme" });
    expect(() => readSessionToken(Buffer.alloc(32, 1), token)).toThrow(/Invalid session token/);
    // A second token from the same folder uses the same secret (the file is not made again).
    await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    expect(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64url").equals(secret)).toBe(true);
  });

  it("is ALCHEMIST_SESSION_SECRET when set, and then no file is written", async () => {
    const configured = "a configured secret of forty characters!";
    const { deps, dataDir } = await openPlatform({ ALCHEMIST_SESSION_SECRET: configured });
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    expect(readSessionToken(Buffer.from(configured, "utf8"), token)).toMatchObject({ sub: "ada" });
    expect(fs.existsSync(path.join(dataDir, "session-secret"))).toBe(false);
  });

  it("must be at least 32 characters when configured", () => {
    expect(() => loadConfig({ ALCHEMIST_SESSION_SECRET: "too short" })).toThrow(/ALCHEMIST_SESSION_SECRET/);
  });
});

describe("authenticate()", () => {
  it("still takes API keys, and Firebase ID tokens when a verifier is set, but never for an als_ token", async () => {
    const { deps } = await openPlatform();
    const { key } = await createApiKey(deps, "acme", { name: "ci", role: "admin" });
    expect(await authenticate(deps, bearer(key))).toMatchObject({ tenantId: "acme", via: "api-key" });

    const verified: string[] = [];
    const withIdTokens: Deps = {
      ...deps,
      idTokens: {
        verify: async (token) => {
          verified.push(token);
          return { uid: "firebase-user", claims: { tenantId: "acme", role: "viewer" } };
        },
      },
    };
    const idToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    expect(await authenticate(withIdTokens, bearer(idToken))).toEqual({
      tenantId: "acme",
      role: "viewer",
      uid: "firebase-user",
      via: "id-token",
    });
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    expect(await authenticate(withIdTokens, bearer(token))).toMatchObject({ uid: "ada", via: "session" });
    await expect(authenticate(withIdTokens, bearer("als_e30.e30.e30"))).rejects.toMatchObject({
      code: "unauthenticated",
    });
    expect(verified).toEqual([idToken]);
  });
});

describe("ending sessions", () => {
  const verified = async (deps: Deps, token: string) => verifySession(deps, token);

  it("signing out ends that session's tokens, in every tenant it switched to, and no other session", async () => {
    const { deps } = await openPlatform();
    await deps.store.runTransaction(async (tx) => join(tx, deps, "globex", "viewer"));
    const first = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    const switched = await issueSession(deps, {
      accountId: "ada",
      tenantId: "globex",
      sessionId: first.sessionId,
    });
    const other = await issueSession(deps, { accountId: "ada", tenantId: "acme" });

    await endSession(deps, await verified(deps, first.token));
    for (const token of [first.token, switched.token]) {
      await expect(authenticate(deps, bearer(token))).rejects.toMatchObject({
        code: "unauthenticated",
        message: expect.stringMatching(/signed out/),
      });
    }
    expect(await authenticate(deps, bearer(other.token))).toMatchObject({ uid: "ada", tenantId: "acme" });
  });

  it("keeps a sign-out entry only while its tokens could live: the next sign-out clears it", async () => {
    const { deps, clock } = await openPlatform();
    const first = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    await endSession(deps, await verified(deps, first.token));
    const entries = () => deps.store.query({ collection: endedSessionsPath("ada") });
    expect((await entries()).map((e) => e.id)).toEqual([first.sessionId]);

    clock.advance(sessionTtlMs + 1000);
    await expect(authenticate(deps, bearer(first.token))).rejects.toMatchObject({
      message: expect.stringMatching(/expired/),
    });
    const second = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    await endSession(deps, await verified(deps, second.token));
    expect((await entries()).map((e) => e.id)).toEqual([second.sessionId]);
  });

  it("signing out everywhere ends every session of the account, even one issued the same millisecond", async () => {
    const { deps } = await openPlatform();
    await deps.store.runTransaction(async (tx) => join(tx, deps, "globex", "viewer"));
    // The clock does not move: the generation, not a time, orders the tokens and the sign-out.
    const a = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    const b = await issueSession(deps, { accountId: "ada", tenantId: "globex" });
    await endSession(deps, await verified(deps, b.token));
    await endAllSessions(deps, await verified(deps, a.token));
    for (const token of [a.token, b.token]) {
      await expect(authenticate(deps, bearer(token))).rejects.toMatchObject({ code: "unauthenticated" });
    }
    // The sign-out entries it made useless are gone; a new sign-in works at once.
    expect(await deps.store.query({ collection: endedSessionsPath("ada") })).toEqual([]);
    expect((await deps.store.get(accountPath("ada")))?.data).toMatchObject({ sessionGeneration: 1 });
    const fresh = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    expect(await authenticate(deps, bearer(fresh.token))).toMatchObject({ uid: "ada" });
  });

  it("a token from before a removal stays dead after a re-invitation, even in the same millisecond", async () => {
    const { deps } = await openPlatform();
    const before = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    await deps.store.delete(memberPath("acme", "ada"));
    await deps.store.runTransaction(async (tx) => join(tx, deps, "acme", "admin"));
    await expect(authenticate(deps, bearer(before.token))).rejects.toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/no longer valid for this tenant/),
    });
    const after = await issueSession(deps, { accountId: "ada", tenantId: "acme" });
    expect(await authenticate(deps, bearer(after.token))).toMatchObject({ role: "admin" });
  });
});
