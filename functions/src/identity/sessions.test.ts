/**
 * Session tokens against a real local store and a hand-moved clock: lifetime, where the role comes from,
 * the signing secret, and how `authenticate()` tells sessions, API keys and Firebase ID tokens apart.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { authenticate } from "../platform/auth.js";
import { manualClock } from "../platform/clock.js";
import { loadConfig } from "../platform/config.js";
import type { Deps } from "../platform/deps.js";
import { openLocalDeps, type LocalDeps } from "../platform/local/deps.js";
import { createApiKey, createTenant } from "../platform/tenancy.js";
import { writeMember } from "./members.js";
import { issueSession, readSessionToken, sessionTtlMs } from "./sessions.js";

const opened: { deps: LocalDeps; dataDir: string }[] = [];

async function openPlatform(env: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-sessions-"));
  const clock = manualClock();
  const config = loadConfig({ ...env, ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir });
  const deps = await openLocalDeps(config, { clock });
  opened.push({ deps, dataDir });
  await createTenant(deps, "acme", "Acme");
  await deps.store.runTransaction(async (tx) =>
    writeMember(tx, deps, {
      tenantId: "acme",
      memberId: "ada",
      email: "ada@example.com",
      role: "editor",
      tenantName: "Acme",
    }),
  );
  return { deps, clock, dataDir };
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
    const { token, expiresAt } = await issueSession(deps, {
      accountId: "ada",
      tenantId: "acme",
      role: "editor",
    });
    expect(expiresAt).toBe(new Date(clock.now().getTime() + sessionTtlMs).toISOString());
    expect(await authenticate(deps, bearer(token))).toEqual({
      tenantId: "acme",
      role: "editor",
      uid: "ada",
      via: "session",
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
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme", role: "owner" });
    expect((await authenticate(deps, bearer(token))).role).toBe("editor");
  });

  it("is refused for a tenant the account is not a member of", async () => {
    const { deps } = await openPlatform();
    await createTenant(deps, "globex", "Globex");
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "globex", role: "owner" });
    await expect(authenticate(deps, bearer(token))).rejects.toMatchObject({ code: "unauthenticated" });
  });

  it("is refused in Firebase mode, where sessions are Firebase ID tokens", async () => {
    const { deps } = await openPlatform();
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme", role: "editor" });
    const firebase: Deps = { ...deps, config: { ...deps.config, mode: "firebase" } };
    await expect(authenticate(firebase, bearer(token))).rejects.toMatchObject({ code: "unauthenticated" });
  });
});

describe("the signing secret", () => {
  it("is made once per data folder, readable by its owner only, and is what signs the tokens", async () => {
    const { deps, dataDir } = await openPlatform();
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme", role: "editor" });
    const file = path.join(dataDir, "session-secret");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const secret = Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64url");
    expect(secret.length).toBe(32);
    expect(readSessionToken(secret, token)).toMatchObject({ sub: "ada", tid: "acme" });
    expect(() => readSessionToken(Buffer.alloc(32, 1), token)).toThrow(/Invalid session token/);
    // A second token from the same folder uses the same secret (the file is not made again).
    await issueSession(deps, { accountId: "ada", tenantId: "acme", role: "editor" });
    expect(Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64url").equals(secret)).toBe(true);
  });

  it("is ALCHEMIST_SESSION_SECRET when set, and then no file is written", async () => {
    const configured = "a configured secret of forty characters!";
    const { deps, dataDir } = await openPlatform({ ALCHEMIST_SESSION_SECRET: configured });
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme", role: "editor" });
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
    const { token } = await issueSession(deps, { accountId: "ada", tenantId: "acme", role: "editor" });
    expect(await authenticate(withIdTokens, bearer(token))).toMatchObject({ uid: "ada", via: "session" });
    await expect(authenticate(withIdTokens, bearer("als_e30.e30.e30"))).rejects.toMatchObject({
      code: "unauthenticated",
    });
    expect(verified).toEqual([idToken]);
  });
});
