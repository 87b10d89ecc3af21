/**
 * Two-step sign-in over real HTTP: the whole flow a studio goes through, the credentials the routes refuse,
 * malformed and oversized bodies, invitations accepted by an account that has it, rate limits and Firebase
 * mode. Codes come from the real clock, so each test takes the step after the last one it used.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bufferedBody } from "../platform/http/http.js";
import { Router } from "../platform/http/router.js";
import { loadConfig } from "../platform/config.js";
import { base32Decode, hotp, totpStep } from "../platform/totp.js";
import { openLocalDeps } from "@alchemist/local/adapters/deps";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { authenticate } from "./authenticate.js";
import { signUp as signUpAccount } from "./accounts.js";
import { logIn as logInService, startEnrolment, confirmEnrolment, verifyChallenge } from "./mfa.js";
import { identityRoutes } from "./routes.js";
import { verifySession } from "./sessions.js";
import { accept, invite, json, logIn, signUp, type Person } from "./testing/people.js";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PUBLIC_PER_IP: "0" });
});
afterAll(async () => {
  await platform?.close();
});

const post = (p: TestPlatform, path: string, key: string | null, body?: unknown) =>
  p.fetch(path, { method: "POST", key, ...(body !== undefined ? { json: body } : {}) });
const errorOf = async (res: Response) =>
  (await json<{ error: { code: string; message: string; details?: unknown } }>(res)).error;
const works = async (token: string) => (await platform.fetch("/v1/agents", { key: token })).status;

/** A TOTP app for one secret that never shows the same step twice (the platform would refuse it). */
function authenticator(secret: string) {
  const key = base32Decode(secret);
  let last = -1;
  return {
    next(): string {
      last = Math.max(last + 1, totpStep(Date.now()));
      return hotp(key, last);
    },
  };
}

/** Signs up and turns two-step sign-in on over HTTP; answers the person, their app and recovery codes. */
async function enrol(): Promise<{
  person: Person;
  app: ReturnType<typeof authenticator>;
  token: string;
  recoveryCodes: string[];
}> {
  const person = await signUp(platform);
  const started = await post(platform, "/auth/mfa/enroll", person.token);
  expect(started.status, await started.clone().text()).toBe(200);
  const { secret, otpauthUri } = await json<{ secret: string; otpauthUri: string }>(started);
  expect(otpauthUri).toContain(`secret=${secret}`);
  const app = authenticator(secret);
  const confirmed = await post(platform, "/auth/mfa/confirm", person.token, { code: app.next() });
  expect(confirmed.status, await confirmed.clone().text()).toBe(200);
  const body = await json<{ token: string; recoveryCodes: string[] }>(confirmed);
  return { person, app, token: body.token, recoveryCodes: body.recoveryCodes };
}

describe("the two-step sign-in flow over HTTP", () => {
  it("enrols, then sign-in answers a challenge, and the code opens a session marked with it", async () => {
    const ada = await signUp(platform);
    const before = await platform.fetch("/auth/mfa", { key: ada.token });
    expect(await json(before)).toEqual({
      mfaEnrolled: false,
      mfa: false,
      enabledAt: null,
      recoveryCodesLeft: null,
    });

    const { person, app, token, recoveryCodes } = await enrol();
    expect(recoveryCodes).toHaveLength(10);
    // The token that enrolled ended (every session of the account did); the new one goes on.
    expect(await works(person.token)).toBe(401);
    expect(await works(token)).toBe(200);

    const login = await logIn(platform, person.email, person.password);
    expect(login.status).toBe(200);
    const challenge = await json<{ mfaRequired: boolean; challenge: string; expiresAt: string }>(login);
    expect(challenge).toEqual({
      mfaRequired: true,
      challenge: expect.stringMatching(/^alm_/),
      expiresAt: expect.any(String),
    });
    expect(challenge).not.toHaveProperty("token");
    // The challenge is not a credential.
    expect(await works(challenge.challenge)).toBe(401);

    const verified = await post(platform, "/auth/mfa/verify", null, {
      challenge: challenge.challenge,
      code: app.next(),
    });
    expect(verified.status, await verified.clone().text()).toBe(200);
    const session = await json<{ token: string; tenantId: string; tenants: unknown[] }>(verified);
    expect(session).toMatchObject({ tenantId: person.tenantId, tenants: [expect.any(Object)] });
    expect(await works(session.token)).toBe(200);
    const status = await json(await platform.fetch("/auth/mfa", { key: session.token }));
    expect(status).toMatchObject({ mfaEnrolled: true, mfa: true, recoveryCodesLeft: 10 });

    // A switch to the same tenant keeps the mark.
    const switched = await post(platform, "/auth/switch-tenant", session.token, {
      tenantId: person.tenantId,
    });
    const again = (await json<{ token: string }>(switched)).token;
    expect(await json(await platform.fetch("/auth/mfa", { key: again }))).toMatchObject({ mfa: true });
  });

  it("answers a wrong code 403 naming the field, and the 5th wrong code ends the challenge (401)", async () => {
    const { person, app } = await enrol();
    const { challenge } = await json<{ challenge: string }>(
      await logIn(platform, person.email, person.password),
    );
    const right = app.next();
    const wrong = right === "000000" ? "111111" : "000000";
    const first = await post(platform, "/auth/mfa/verify", null, { challenge, code: wrong });
    expect(first.status).toBe(403);
    expect(await errorOf(first)).toMatchObject({
      code: "permission-denied",
      message: expect.stringContaining("4 tries left"),
      details: { issues: [{ path: "code" }] },
    });
    for (let i = 0; i < 3; i++) {
      expect((await post(platform, "/auth/mfa/verify", null, { challenge, code: wrong })).status).toBe(403);
    }
    const fifth = await post(platform, "/auth/mfa/verify", null, { challenge, code: wrong });
    expect(fifth.status).toBe(401);
    const sixth = await post(platform, "/auth/mfa/verify", null, { challenge, code: right });
    expect(sixth.status).toBe(401);
    expect((await errorOf(sixth)).message).toMatch(/Too many wrong codes; sign in again/);
  });

  it("accepts a recovery code once", async () => {
    const { person, recoveryCodes } = await enrol();
    const code = recoveryCodes[0] as string;
    const one = await json<{ challenge: string }>(await logIn(platform, person.email, person.password));
    const used = await post(platform, "/auth/mfa/verify", null, { challenge: one.challenge, code });
    expect(used.status, await used.clone().text()).toBe(200);
    const two = await json<{ challenge: string }>(await logIn(platform, person.email, person.password));
    const replayed = await post(platform, "/auth/mfa/verify", null, { challenge: two.challenge, code });
    expect(replayed.status).toBe(403);
  });

  it("turns off with the password and a code, and new recovery codes need a code", async () => {
    const { person, app, token } = await enrol();
    const noCode = await post(platform, "/auth/mfa/disable", token, { password: person.password });
    expect(noCode.status).toBe(400);
    const regenerated = await post(platform, "/auth/mfa/recovery-codes", token, { code: app.next() });
    expect(regenerated.status, await regenerated.clone().text()).toBe(200);
    // The app's next code would be two steps ahead (outside the window) until time moves on: a person
    // would wait half a minute; the test uses one of the new recovery codes instead.
    const { recoveryCodes } = await json<{ recoveryCodes: string[] }>(regenerated);
    expect(recoveryCodes).toHaveLength(10);
    const off = await post(platform, "/auth/mfa/disable", token, {
      password: person.password,
      code: recoveryCodes[0],
    });
    expect(off.status, await off.clone().text()).toBe(200);
    const next = (await json<{ token: string }>(off)).token;
    expect(await json(await platform.fetch("/auth/mfa", { key: next }))).toMatchObject({
      mfaEnrolled: false,
      mfa: false,
    });
    const login = await logIn(platform, person.email, person.password);
    expect(await json(login)).toHaveProperty("token");
  });
});

describe("what the routes refuse", () => {
  it("needs a session token for the settings: an API key, nothing or a challenge is refused", async () => {
    const { person, token } = await enrol();
    const { challenge } = await json<{ challenge: string }>(
      await logIn(platform, person.email, person.password),
    );
    for (const [method, route] of [
      ["GET", "/auth/mfa"],
      ["POST", "/auth/mfa/enroll"],
      ["POST", "/auth/mfa/confirm"],
      ["POST", "/auth/mfa/disable"],
      ["POST", "/auth/mfa/recovery-codes"],
    ] as const) {
      for (const key of [platform.keys.owner, null, challenge]) {
        const res = await platform.fetch(route, {
          method,
          key,
          ...(method === "POST" ? { json: { code: "123456", password: person.password } } : {}),
        });
        expect(res.status, `${route} with ${String(key).slice(0, 8)}`).toBe(401);
      }
    }
    expect(await works(token)).toBe(200);
  });

  it("answers malformed and oversized bodies with a clear 400", async () => {
    const { person } = await enrol();
    const { challenge } = await json<{ challenge: string }>(
      await logIn(platform, person.email, person.password),
    );
    const cases: [unknown, RegExp][] = [
      [{}, /challenge/],
      [{ challenge }, /code/],
      [{ challenge, code: "" }, /code/],
      [{ challenge, code: "1".repeat(33) }, /code/],
      [{ challenge, code: 123456 }, /code/],
      [{ challenge: "x".repeat(2001), code: "123456" }, /challenge/],
      [{ challenge, code: "12345" }, /6 digits|recovery code/],
      [{ challenge, code: "not-a-code!" }, /6 digits|recovery code/],
    ];
    for (const [body, message] of cases) {
      const res = await post(platform, "/auth/mfa/verify", null, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect((await errorOf(res)).message).toMatch(message);
    }
    const notJson = await platform.fetch("/auth/mfa/verify", {
      method: "POST",
      key: null,
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    // None of these counted as a wrong code: the challenge still has all its tries.
    const wrong = await post(platform, "/auth/mfa/verify", null, { challenge, code: "000000" });
    expect((await errorOf(wrong)).message).toMatch(/4 tries left|used already/);
  });

  it("refuses to start enrolling again while it is on, and a confirm with no enrolment", async () => {
    const { token } = await enrol();
    expect((await post(platform, "/auth/mfa/enroll", token)).status).toBe(400);
    const fresh = await signUp(platform);
    const res = await post(platform, "/auth/mfa/confirm", fresh.token, { code: "123456" });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/start again/);
  });
});

describe("accepting an invitation", () => {
  it("with the password of an account that has two-step sign-in answers a challenge, not a session", async () => {
    const { person, app } = await enrol();
    const inviter = await signUp(platform, { tenantName: "Difference Engines Ltd" });
    const invitation = await invite(platform, inviter.token, person.email, "editor");
    const res = await accept(platform, invitation.token, person.password);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await json<{ challenge: string; token?: string }>(res);
    expect(body).toMatchObject({ mfaRequired: true });
    expect(body.token).toBeUndefined();
    const verified = await post(platform, "/auth/mfa/verify", null, {
      challenge: body.challenge,
      code: app.next(),
    });
    expect(verified.status).toBe(200);
    expect(await json(verified)).toMatchObject({ tenantId: inviter.tenantId, role: "editor" });
  });
});

describe("rate limits", () => {
  it("charge code attempts to the client's address and to the account", async () => {
    // A platform of its own, without HTTP: a second test platform would replace this file's global deps.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-mfa-limit-"));
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
      const session = await verifySession(deps, ada.token);
      const { secret } = await startEnrolment(deps, session);
      const key = base32Decode(secret);
      await confirmEnrolment(deps, session, { code: hotp(key, totpStep(Date.now())) });
      // Straight to the service, past the router's per-address budget, with a fresh challenge each time:
      // the account's own bucket runs out (the confirmation above drew from it too).
      const outcomes: string[] = [];
      for (let n = 0; n < 4; n++) {
        const { challenge } = (await logInService(deps, {
          email: "ada@example.com",
          password,
        })) as {
          challenge: string;
        };
        outcomes.push(
          await verifyChallenge(deps, { challenge, code: "000000" }).then(
            () => "signed in",
            (e: { code?: string }) => e.code ?? "error",
          ),
        );
      }
      expect(outcomes.slice(0, 2)).toEqual(["permission-denied", "permission-denied"]);
      expect(outcomes.slice(2)).toEqual(["resource-exhausted", "resource-exhausted"]);

      // Through the router, one address's budget runs out too, whatever the body.
      const router = new Router(identityRoutes, authenticate);
      const statuses: number[] = [];
      for (let n = 0; n < 4; n++) {
        const res = await router.handle(deps, {
          method: "POST",
          path: "/auth/mfa/verify",
          query: new URLSearchParams(),
          headers: { "content-type": "application/json" },
          body: bufferedBody(Buffer.from(JSON.stringify({ challenge: "alm_x.y", code: "123456" }))),
          requestId: "test",
          ip: "198.51.100.9",
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      deps.local.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("Firebase mode", () => {
  it("answers the two-step routes 404: Firebase Auth's own multi-factor sign-in is used there", async () => {
    const ada = await signUp(platform);
    const deps = { ...platform.deps, config: { ...platform.deps.config, mode: "firebase" as const } };
    const router = new Router(identityRoutes, authenticate);
    for (const [method, path, body] of [
      ["GET", "/auth/mfa", undefined],
      ["POST", "/auth/mfa/enroll", undefined],
      ["POST", "/auth/mfa/confirm", { code: "123456" }],
      ["POST", "/auth/mfa/verify", { challenge: "alm_x.y", code: "123456" }],
    ] as const) {
      const res = await router.handle(deps, {
        method,
        path,
        query: new URLSearchParams(),
        headers: { "content-type": "application/json", authorization: `Bearer ${ada.token}` },
        body: bufferedBody(Buffer.from(body === undefined ? "" : JSON.stringify(body))),
        requestId: "test",
      });
      expect(res.status, path).toBe(404);
    }
  });
});
