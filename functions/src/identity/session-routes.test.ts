/**
 * Sessions that end, over real HTTP: signing out, signing out everywhere and changing the password, with
 * replayed tokens, the wrong credentials, another tenant's sessions, rate limits and Firebase mode.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferedBody } from "../platform/http/http.js";
import { Router } from "../platform/http/router.js";
import { listAuditLog } from "../platform/audit.js";
import { loadConfig } from "../platform/config.js";
import { openLocalDeps } from "@alchemist/local/adapters/deps";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { identityRoutes } from "./routes.js";
import { changePassword, signUp as signUpAccount } from "./accounts.js";
import { accountPath } from "./schema.js";
import { callerFromSession, verifySession } from "./sessions.js";
import { invite, accept, json, logIn, signUp, type Person } from "./testing/people.js";
import { authenticate } from "./authenticate.js";

let platform: TestPlatform;

beforeAll(async () => {
  // These tests sign in far more often than a person would; the rate limit has its own platform below.
  platform = await startTestPlatform({ RATE_LIMIT_PUBLIC_PER_IP: "0" });
});
afterAll(async () => {
  await platform?.close();
});

const post = (p: TestPlatform, path: string, key: string | null, body?: unknown) =>
  p.fetch(path, { method: "POST", key, ...(body !== undefined ? { json: body } : {}) });
const works = async (token: string) => (await platform.fetch("/v1/agents", { key: token })).status;
const errorOf = async (res: Response) =>
  (await json<{ error: { code: string; message: string } }>(res)).error;

async function signIn(person: Person, tenantId?: string): Promise<string> {
  const res = await logIn(platform, person.email, person.password, tenantId);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await json<{ token: string }>(res)).token;
}

describe("POST /auth/logout", () => {
  it("ends the token sent, and only that session: a replay is refused", async () => {
    const ada = await signUp(platform);
    const laptop = await signIn(ada);
    const res = await post(platform, "/auth/logout", laptop);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toMatchObject({ endedAt: expect.any(String) });
    expect(await works(laptop)).toBe(401);
    expect(await works(ada.token)).toBe(200);

    const replay = await post(platform, "/auth/logout", laptop);
    expect(replay.status).toBe(401);
    expect((await errorOf(replay)).message).toMatch(/signed out; sign in again/);
    const { entries } = await listAuditLog(platform.deps, ada.tenantId, { action: "session.end" });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.actor).toBe(ada.accountId);
  });

  it("ends the tokens the session took to other tenants with the switcher", async () => {
    const ada = await signUp(platform, { tenantName: "Ada's workshop" });
    const babbage = await signUp(platform, { tenantName: "Difference Engines Ltd" });
    const invitation = await invite(platform, babbage.token, ada.email, "editor");
    expect((await accept(platform, invitation.token, ada.password)).status).toBe(200);
    const home = await signIn(ada);
    const switched = await post(platform, "/auth/switch-tenant", home, { tenantId: babbage.tenantId });
    expect(switched.status).toBe(200);
    const there = (await json<{ token: string }>(switched)).token;
    expect(await works(there)).toBe(200);

    expect((await post(platform, "/auth/logout", there)).status).toBe(200);
    expect(await works(home)).toBe(401);
    expect(await works(there)).toBe(401);
  });

  it("needs a session token: an API key, nothing or a forged token is refused, and nothing ends", async () => {
    const ada = await signUp(platform);
    for (const key of [platform.keys.owner, null, `${ada.token}x`, "als_e30.e30"]) {
      const res = await post(platform, "/auth/logout", key);
      expect(res.status, String(key)).toBe(401);
    }
    expect(await works(ada.token)).toBe(200);
  });
});

describe("POST /auth/logout-everywhere", () => {
  it("ends every session of the account in every tenant, and a new sign-in works", async () => {
    const ada = await signUp(platform);
    const grace = await signUp(platform);
    const invitation = await invite(platform, grace.token, ada.email, "viewer");
    expect((await accept(platform, invitation.token, ada.password)).status).toBe(200);
    const phone = await signIn(ada);
    const elsewhere = await signIn(ada, grace.tenantId);

    const res = await post(platform, "/auth/logout-everywhere", phone);
    expect(res.status, await res.clone().text()).toBe(200);
    for (const token of [ada.token, phone, elsewhere]) expect(await works(token)).toBe(401);
    expect((await post(platform, "/auth/logout-everywhere", phone)).status).toBe(401);
    // Another account's session, in a tenant Ada belongs to, goes on.
    expect(await works(grace.token)).toBe(200);
    expect(await works(await signIn(ada))).toBe(200);
    const { entries } = await listAuditLog(platform.deps, ada.tenantId, { action: "session.endAll" });
    expect(entries.map((e) => e.target)).toEqual([{ type: "account", id: ada.accountId }]);
  });
});

describe("POST /auth/change-password", () => {
  const change = (token: string | null, currentPassword: string, newPassword: string) =>
    post(platform, "/auth/change-password", token, { currentPassword, newPassword });

  it("changes it, ends every other session and continues this one with a fresh token", async () => {
    const ada = await signUp(platform);
    const other = await signIn(ada);
    const res = await change(ada.token, ada.password, "a brand new passphrase");
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await json<{ token: string; tenantId: string; role: string; tenants: unknown[] }>(res);
    expect(body).toMatchObject({ tenantId: ada.tenantId, role: "owner" });
    expect(body.tenants).toHaveLength(1);
    expect(await works(body.token)).toBe(200);
    expect(await works(other)).toBe(401);
    expect(await works(ada.token)).toBe(401);

    expect((await logIn(platform, ada.email, ada.password)).status).toBe(401);
    expect((await logIn(platform, ada.email, "a brand new passphrase")).status).toBe(200);
    // The fresh token is the same session: signing out with it ends it.
    expect((await post(platform, "/auth/logout", body.token)).status).toBe(200);
    expect(await works(body.token)).toBe(401);

    const { entries } = await listAuditLog(platform.deps, ada.tenantId, { action: "account.changePassword" });
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries[0])).not.toContain("brand new");
    const stored = JSON.stringify((await platform.deps.store.get(accountPath(ada.accountId)))?.data);
    expect(stored).not.toContain("brand new");
  });

  it("refuses a wrong current password with 403 (the session stays valid) and changes nothing", async () => {
    const ada = await signUp(platform);
    const res = await change(ada.token, "not my password at all", "a brand new passphrase");
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toMatch(/current password is not correct/);
    expect(await works(ada.token)).toBe(200);
    expect((await logIn(platform, ada.email, ada.password)).status).toBe(200);
  });

  it("refuses a new password that is too short, too long or the same, before anything changes", async () => {
    const ada = await signUp(platform);
    for (const next of ["short", "x".repeat(201), ada.password]) {
      const res = await change(ada.token, ada.password, next);
      expect(res.status, next.slice(0, 10)).toBe(400);
    }
    expect(await works(ada.token)).toBe(200);
  });

  it("refuses a replayed request whose token the first one ended", async () => {
    const ada = await signUp(platform);
    const first = await change(ada.token, ada.password, "the second passphrase");
    expect(first.status).toBe(200);
    const replay = await change(ada.token, ada.password, "a third passphrase");
    expect(replay.status).toBe(401);
    expect((await logIn(platform, ada.email, "the second passphrase")).status).toBe(200);
  });

  it("needs a session token: an API key, or another account's session, cannot change a password", async () => {
    const ada = await signUp(platform);
    const eve = await signUp(platform, { password: "eve's very own passphrase" });
    expect((await change(platform.keys.owner, ada.password, "an attacker's passphrase")).status).toBe(401);
    // Eve's own session changes Eve's password only, and only with Eve's current one.
    expect((await change(eve.token, ada.password, "an attacker's passphrase")).status).toBe(403);
    expect((await logIn(platform, ada.email, ada.password)).status).toBe(200);
    expect(await works(ada.token)).toBe(200);
  });
});

describe("password attempts", () => {
  it("are rate limited per account as well as per client address", async () => {
    // A platform of its own, without HTTP: a second test platform would replace this file's global deps.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-password-limit-"));
    const deps = await openLocalDeps(
      loadConfig({
        ALCHEMIST_MODE: "local",
        ALCHEMIST_DATA_DIR: dataDir,
        RATE_LIMIT_PUBLIC_PER_IP: "60",
        RATE_LIMIT_PUBLIC_PER_IP_BURST: "3",
      }),
    );
    try {
      const password = "ada's own long passphrase";
      const ada = await signUpAccount(deps, { email: "ada@example.com", password, tenantName: "Acme" });
      // Straight to the service, past the router's per-address budget: the account's own bucket still
      // runs out, so guesses spread over many addresses gain nothing.
      const session = await verifySession(deps, ada.token);
      const outcomes: string[] = [];
      for (let n = 1; n <= 5; n++) {
        outcomes.push(
          await changePassword(deps, session, {
            currentPassword: `guess number ${n}`,
            newPassword: "a brand new passphrase",
          }).then(
            () => "changed",
            (e: { code?: string }) => e.code ?? "error",
          ),
        );
      }
      expect(outcomes).toEqual([
        "permission-denied",
        "permission-denied",
        "permission-denied",
        "resource-exhausted",
        "resource-exhausted",
      ]);
      // Through the routes the answer is 429 with Retry-After, even with the right password.
      const res = await new Router(identityRoutes, authenticate).handle(deps, {
        method: "POST",
        path: "/auth/change-password",
        query: new URLSearchParams(),
        headers: { "content-type": "application/json", authorization: `Bearer ${ada.token}` },
        body: bufferedBody(
          Buffer.from(JSON.stringify({ currentPassword: password, newPassword: "another one!" })),
        ),
        requestId: "test",
        ip: "198.51.100.7",
      });
      expect(res.status).toBe(429);
      expect(res.headers?.["retry-after"]).toMatch(/^\d+$/);
      expect(await callerFromSession(deps, ada.token)).toMatchObject({ uid: ada.accountId });
    } finally {
      deps.local.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("Firebase mode", () => {
  it("answers the session routes 404, whatever the credentials: Firebase Auth owns sessions there", async () => {
    const ada = await signUp(platform);
    const deps = { ...platform.deps, config: { ...platform.deps.config, mode: "firebase" as const } };
    const router = new Router(identityRoutes, authenticate);
    for (const [path, body] of [
      ["/auth/logout", undefined],
      ["/auth/logout-everywhere", undefined],
      ["/auth/change-password", { currentPassword: ada.password, newPassword: "a brand new passphrase" }],
    ] as const) {
      const res = await router.handle(deps, {
        method: "POST",
        path,
        query: new URLSearchParams(),
        headers: { "content-type": "application/json", authorization: `Bearer ${ada.token}` },
        body: bufferedBody(Buffer.from(body === undefined ? "" : JSON.stringify(body))),
        requestId: "test",
      });
      expect(res.status, path).toBe(404);
      expect(JSON.stringify(res.body)).toContain("Firebase Auth");
    }
    expect(await works(ada.token)).toBe(200);
  });
});
