/**
 * Two-step sign-in against a real local store and a hand-moved clock: enrolment, the sign-in challenge and
 * its limits, replays, recovery codes, turning it off, and what a session remembers of its second factor.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listAuditLog } from "../platform/audit.js";
import { manualClock } from "../platform/clock.js";
import { loadConfig } from "../platform/config.js";
import { base32Decode, hotp, totpStep } from "../platform/totp.js";
import { openLocalDeps, type LocalDeps } from "@alchemist/local/adapters/deps";
import { changePassword, signUp, switchTenant } from "./accounts.js";
import { writeMember } from "./members.js";
import { createTenant } from "./tenants.js";
import {
  challengeTtlMs,
  confirmEnrolment,
  disableMfa,
  enrolmentTtlMs,
  logIn,
  mfaStatus,
  regenerateRecoveryCodes,
  startEnrolment,
  verifyChallenge,
  type MfaChallenge,
} from "./mfa.js";
import { accountPath, accountSchema, mfaChallengesPath } from "./schema.js";
import { verifySession } from "./sessions.js";

const opened: { deps: LocalDeps; dataDir: string }[] = [];

afterEach(() => {
  for (const { deps, dataDir } of opened.splice(0)) {
    deps.local.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

async function openPlatform() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-mfa-"));
  const clock = manualClock();
  // The per-account attempt bucket is tested over HTTP (mfa-routes.test.ts); here it would only slow down.
  const config = loadConfig({
    ALCHEMIST_MODE: "local",
    ALCHEMIST_DATA_DIR: dataDir,
    RATE_LIMIT_PUBLIC_PER_IP: "0",
  });
  const deps = await openLocalDeps(config, { clock });
  opened.push({ deps, dataDir });
  return { deps, clock };
}

type Platform = Awaited<ReturnType<typeof openPlatform>>;

const password = "ada's long passphrase";

/** An account with its own workspace, its secret and a function giving the code of a step (default: now). */
async function enrolled(p: Platform, email = "ada@example.com") {
  const signed = await signUp(p.deps, { email, password, tenantName: "Lovelace Analytics" });
  const session = await verifySession(p.deps, signed.token);
  const enrolment = await startEnrolment(p.deps, session);
  const key = base32Decode(enrolment.secret);
  const step = () => totpStep(p.clock.now().getTime());
  const code = (at = step()) => hotp(key, at);
  const enabled = await confirmEnrolment(p.deps, session, { code: code() });
  return { ...signed, email, enrolment, key, code, step, enabled };
}

const challengeOf = (answer: unknown): MfaChallenge => {
  expect(answer).toMatchObject({ mfaRequired: true, challenge: expect.stringMatching(/^alm_/) });
  return answer as MfaChallenge;
};

describe("enrolment", () => {
  it("shows a secret and an otpauth URI, and turns on only with a code of that secret", async () => {
    const p = await openPlatform();
    const ada = await signUp(p.deps, { email: "ada@example.com", password, tenantName: "Lovelace" });
    const session = await verifySession(p.deps, ada.token);
    const enrolment = await startEnrolment(p.deps, session);
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.otpauthUri).toBe(
      `otpauth://totp/Alchemist:ada%40example.com?secret=${enrolment.secret}&issuer=Alchemist` +
        "&algorithm=SHA1&digits=6&period=30",
    );
    // The secret is stored sealed, never in the clear.
    const stored = JSON.stringify((await p.deps.store.get(accountPath(ada.accountId)))?.data);
    expect(stored).not.toContain(enrolment.secret);

    const wrong = hotp(Buffer.from("another secret of twenty bytes"), totpStep(p.clock.now().getTime()));
    await expect(confirmEnrolment(p.deps, session, { code: wrong })).rejects.toMatchObject({
      code: "permission-denied",
    });
    await expect(confirmEnrolment(p.deps, session, { code: "abcd-2345" })).rejects.toMatchObject({
      code: "invalid-argument",
    });
    expect((await mfaStatus(p.deps, session)).mfaEnrolled).toBe(false);

    const code = hotp(base32Decode(enrolment.secret), totpStep(p.clock.now().getTime()));
    const enabled = await confirmEnrolment(p.deps, session, { code });
    expect(enabled.recoveryCodes).toHaveLength(10);
    for (const c of enabled.recoveryCodes) expect(c).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(new Set(enabled.recoveryCodes).size).toBe(10);
    const after = JSON.stringify((await p.deps.store.get(accountPath(ada.accountId)))?.data);
    expect(after).not.toContain(enrolment.secret);
    for (const c of enabled.recoveryCodes) expect(after).not.toContain(c);

    // The session that confirmed goes on, marked as signed in with the second factor; the old token ended.
    const continued = await verifySession(p.deps, enabled.token);
    expect(continued.caller.mfa).toBe(true);
    expect(continued.payload.sid).toBe(session.payload.sid);
    await expect(verifySession(p.deps, ada.token)).rejects.toMatchObject({ code: "unauthenticated" });
    expect(await mfaStatus(p.deps, continued)).toMatchObject({
      mfaEnrolled: true,
      mfa: true,
      recoveryCodesLeft: 10,
    });
    const { entries } = await listAuditLog(p.deps, ada.tenantId, { action: "account.mfa.enable" });
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain(enrolment.secret);
  });

  it("expires after 10 minutes, and cannot start again while it is on", async () => {
    const p = await openPlatform();
    const ada = await signUp(p.deps, { email: "ada@example.com", password, tenantName: "Lovelace" });
    const session = await verifySession(p.deps, ada.token);
    const enrolment = await startEnrolment(p.deps, session);
    p.clock.advance(enrolmentTtlMs + 1000);
    const code = hotp(base32Decode(enrolment.secret), totpStep(p.clock.now().getTime()));
    await expect(confirmEnrolment(p.deps, session, { code })).rejects.toThrow(/expired/);

    const on = await enrolled(p, "grace@example.com");
    const graceSession = await verifySession(p.deps, on.enabled.token);
    await expect(startEnrolment(p.deps, graceSession)).rejects.toThrow(/already on/);
  });

  it("ends the account's other sessions", async () => {
    const p = await openPlatform();
    const ada = await signUp(p.deps, { email: "ada@example.com", password, tenantName: "Lovelace" });
    const laptop = (await logIn(p.deps, { email: "ada@example.com", password })) as {
      token: string;
    };
    const session = await verifySession(p.deps, ada.token);
    const enrolment = await startEnrolment(p.deps, session);
    const code = hotp(base32Decode(enrolment.secret), totpStep(p.clock.now().getTime()));
    await confirmEnrolment(p.deps, session, { code });
    await expect(verifySession(p.deps, laptop.token)).rejects.toMatchObject({ code: "unauthenticated" });
  });
});

describe("signing in with a second factor", () => {
  it("asks for a code after the password, and the code opens a session marked with it", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    const answer = await logIn(p.deps, { email: ada.email, password });
    const { challenge, expiresAt } = challengeOf(answer);
    expect(answer).not.toHaveProperty("token");
    expect(Date.parse(expiresAt) - p.clock.now().getTime()).toBe(challengeTtlMs);

    // The code of the step confirmed at enrolment was used: the next one is needed.
    const signedIn = await verifyChallenge(p.deps, { challenge, code: ada.code(ada.step() + 1) });
    expect(signedIn).toMatchObject({ tenantId: ada.tenantId, role: "owner", accountId: ada.accountId });
    const session = await verifySession(p.deps, signedIn.token);
    expect(session.caller.mfa).toBe(true);
    expect(session.payload.mfa).toBe(true);
    // The challenge opens one session only.
    p.clock.advance(30_000);
    await expect(verifyChallenge(p.deps, { challenge, code: ada.code(ada.step() + 1) })).rejects.toThrow(
      /used already/,
    );
  });

  it("refuses a wrong password before any code, as for every account", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    await expect(logIn(p.deps, { email: ada.email, password: "not the password" })).rejects.toMatchObject({
      code: "unauthenticated",
      message: "Incorrect email or password",
    });
  });

  it("refuses a code already used, at sign-in or at enrolment, and a code two steps old", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    const first = challengeOf(await logIn(p.deps, { email: ada.email, password })).challenge;
    // The enrolment's own code, at once.
    await expect(verifyChallenge(p.deps, { challenge: first, code: ada.code() })).rejects.toMatchObject({
      code: "permission-denied",
    });
    p.clock.advance(30_000);
    const code = ada.code();
    await verifyChallenge(p.deps, { challenge: first, code });
    const second = challengeOf(await logIn(p.deps, { email: ada.email, password })).challenge;
    await expect(verifyChallenge(p.deps, { challenge: second, code })).rejects.toThrow(/used already/);
    p.clock.advance(90_000);
    await expect(
      verifyChallenge(p.deps, { challenge: second, code: ada.code(ada.step() - 2) }),
    ).rejects.toMatchObject({ code: "permission-denied" });
    await verifyChallenge(p.deps, { challenge: second, code: ada.code() });
  });

  it("ends a challenge after 5 wrong codes: the 6th attempt fails even with the right code", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    p.clock.advance(30_000);
    const { challenge } = challengeOf(await logIn(p.deps, { email: ada.email, password }));
    const wrong = ada.code() === "000000" ? "111111" : "000000";
    for (let tries = 4; tries >= 1; tries--) {
      await expect(verifyChallenge(p.deps, { challenge, code: wrong })).rejects.toMatchObject({
        code: "permission-denied",
        message: expect.stringContaining(`${tries} ${tries === 1 ? "try" : "tries"} left`),
      });
    }
    await expect(verifyChallenge(p.deps, { challenge, code: wrong })).rejects.toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/Too many wrong codes/),
    });
    await expect(verifyChallenge(p.deps, { challenge, code: ada.code() })).rejects.toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/Too many wrong codes/),
    });
    // A new sign-in gets a new challenge, and the right code works there.
    const again = challengeOf(await logIn(p.deps, { email: ada.email, password })).challenge;
    await expect(verifyChallenge(p.deps, { challenge: again, code: ada.code() })).resolves.toMatchObject({
      accountId: ada.accountId,
    });
  });

  it("refuses an expired challenge, and one from before a password change", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    const { challenge } = challengeOf(await logIn(p.deps, { email: ada.email, password }));
    p.clock.advance(challengeTtlMs);
    await expect(verifyChallenge(p.deps, { challenge, code: ada.code() })).rejects.toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/expired/),
    });

    const pending = challengeOf(await logIn(p.deps, { email: ada.email, password })).challenge;
    const session = await verifySession(p.deps, ada.enabled.token);
    await changePassword(p.deps, session, {
      currentPassword: password,
      newPassword: "a brand new passphrase",
    });
    p.clock.advance(30_000);
    await expect(verifyChallenge(p.deps, { challenge: pending, code: ada.code() })).rejects.toThrow(
      /account changed/,
    );
  });

  it("does not let one account's challenge be answered with another's code, nor be altered", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    const grace = await enrolled(p, "grace@example.com");
    p.clock.advance(30_000);
    const adas = challengeOf(await logIn(p.deps, { email: ada.email, password })).challenge;
    await expect(verifyChallenge(p.deps, { challenge: adas, code: grace.code() })).rejects.toMatchObject({
      code: "permission-denied",
    });
    // Grace's account id in Ada's challenge: the signature no longer matches.
    const [signed, sig] = adas.split(".") as [string, string];
    const payload = JSON.parse(Buffer.from(signed.slice(4), "base64url").toString()) as Record<
      string,
      unknown
    >;
    const forged = `alm_${Buffer.from(JSON.stringify({ ...payload, sub: grace.accountId })).toString("base64url")}.${sig}`;
    await expect(verifyChallenge(p.deps, { challenge: forged, code: grace.code() })).rejects.toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/not valid/),
    });
    // A session token is not a challenge, and a challenge is not a session token.
    await expect(
      verifyChallenge(p.deps, { challenge: ada.enabled.token, code: ada.code() }),
    ).rejects.toMatchObject({ code: "unauthenticated" });
    await expect(verifySession(p.deps, adas)).rejects.toMatchObject({ code: "unauthenticated" });
    // Ada's challenge still works with her own code.
    await expect(verifyChallenge(p.deps, { challenge: adas, code: ada.code() })).resolves.toMatchObject({
      accountId: ada.accountId,
    });
  });

  it("accepts each recovery code once, in any case and without the hyphen, and audits its use", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    const [first, second] = ada.enabled.recoveryCodes as [string, string];
    const one = challengeOf(await logIn(p.deps, { email: ada.email, password })).challenge;
    const signedIn = await verifyChallenge(p.deps, { challenge: one, code: ` ${first.toUpperCase()} ` });
    expect((await verifySession(p.deps, signedIn.token)).caller.mfa).toBe(true);

    const two = challengeOf(await logIn(p.deps, { email: ada.email, password })).challenge;
    await expect(verifyChallenge(p.deps, { challenge: two, code: first })).rejects.toMatchObject({
      code: "permission-denied",
    });
    await verifyChallenge(p.deps, { challenge: two, code: second.replace("-", "") });
    const session = await verifySession(p.deps, signedIn.token);
    expect((await mfaStatus(p.deps, session)).recoveryCodesLeft).toBe(8);
    const { entries } = await listAuditLog(p.deps, ada.tenantId, { action: "account.mfa.recoveryCodeUsed" });
    expect(entries).toHaveLength(2);
    expect(JSON.stringify(entries)).not.toContain(first);
  });

  it("cleans up expired challenge records as new ones are made", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    for (let i = 0; i < 3; i++) await logIn(p.deps, { email: ada.email, password });
    p.clock.advance(challengeTtlMs);
    await logIn(p.deps, { email: ada.email, password });
    const left = await p.deps.store.query({ collection: mfaChallengesPath(ada.accountId), limit: 10 });
    expect(left).toHaveLength(1);
  });
});

describe("a session signed in with a second factor", () => {
  it("keeps the mark through a tenant switch and a password change", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    await createTenant(p.deps, "globex", "Globex");
    await p.deps.store.runTransaction(async (tx) => {
      writeMember(tx, p.deps, {
        tenantId: "globex",
        memberId: ada.accountId,
        email: ada.email,
        role: "viewer",
        tenantName: "Globex",
      });
    });
    p.clock.advance(30_000);
    const { challenge } = challengeOf(await logIn(p.deps, { email: ada.email, password }));
    const signedIn = await verifyChallenge(p.deps, { challenge, code: ada.code() });
    const switched = await switchTenant(p.deps, await verifySession(p.deps, signedIn.token), "globex");
    const there = await verifySession(p.deps, switched.token);
    expect(there.caller).toMatchObject({ tenantId: "globex", mfa: true });
    const changed = await changePassword(p.deps, there, {
      currentPassword: password,
      newPassword: "a brand new passphrase",
    });
    expect((await verifySession(p.deps, changed.token)).caller.mfa).toBe(true);
  });

  it("is not marked when signed in with the password only", async () => {
    const p = await openPlatform();
    const ada = await signUp(p.deps, { email: "ada@example.com", password, tenantName: "Lovelace" });
    const answer = (await logIn(p.deps, { email: "ada@example.com", password })) as { token: string };
    expect((await verifySession(p.deps, answer.token)).caller.mfa).toBe(false);
    expect((await verifySession(p.deps, ada.token)).payload).not.toHaveProperty("mfa");
  });
});

describe("turning it off and new recovery codes", () => {
  it("needs the password and a code; then sign-in asks for the password only", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    const session = await verifySession(p.deps, ada.enabled.token);
    p.clock.advance(30_000);
    await expect(
      disableMfa(p.deps, session, { password: "wrong password", code: ada.code() }),
    ).rejects.toMatchObject({
      code: "permission-denied",
      details: { issues: [{ path: "password" }] },
    });
    await expect(disableMfa(p.deps, session, { password, code: "123" })).rejects.toMatchObject({
      code: "invalid-argument",
    });
    const wrong = ada.code() === "000000" ? "111111" : "000000";
    await expect(disableMfa(p.deps, session, { password, code: wrong })).rejects.toMatchObject({
      code: "permission-denied",
      details: { issues: [{ path: "code" }] },
    });
    const off = await disableMfa(p.deps, session, { password, code: ada.code() });
    const continued = await verifySession(p.deps, off.token);
    expect(continued.caller.mfa).toBe(false);
    expect(await mfaStatus(p.deps, continued)).toMatchObject({ mfaEnrolled: false, recoveryCodesLeft: null });
    const account = accountSchema.parse((await p.deps.store.get(accountPath(ada.accountId)))?.data);
    expect(account.mfa ?? null).toBeNull();
    expect(await logIn(p.deps, { email: ada.email, password })).toHaveProperty("token");
    const { entries } = await listAuditLog(p.deps, ada.tenantId, { action: "account.mfa.disable" });
    expect(entries).toHaveLength(1);
  });

  it("accepts a recovery code to turn it off", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    const session = await verifySession(p.deps, ada.enabled.token);
    const off = await disableMfa(p.deps, session, { password, code: ada.enabled.recoveryCodes[3] as string });
    expect(off.tenantId).toBe(ada.tenantId);
  });

  it("replaces every recovery code: the old ones stop working", async () => {
    const p = await openPlatform();
    const ada = await enrolled(p);
    const session = await verifySession(p.deps, ada.enabled.token);
    p.clock.advance(30_000);
    const { recoveryCodes } = await regenerateRecoveryCodes(p.deps, session, { code: ada.code() });
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodes).not.toContain(ada.enabled.recoveryCodes[0]);
    const challenge = challengeOf(await logIn(p.deps, { email: ada.email, password })).challenge;
    await expect(
      verifyChallenge(p.deps, { challenge, code: ada.enabled.recoveryCodes[0] as string }),
    ).rejects.toMatchObject({ code: "permission-denied" });
    await verifyChallenge(p.deps, { challenge, code: recoveryCodes[0] as string });
    const { entries } = await listAuditLog(p.deps, ada.tenantId, {
      action: "account.mfa.regenerateRecoveryCodes",
    });
    expect(entries).toHaveLength(1);
  });
});
