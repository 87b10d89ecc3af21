/**
 * Firebase mode's two-step sign-in (Firebase Auth's TOTP multi-factor) through session.ts and twoStep.ts,
 * against the in-memory fake of testing/fakeAuth.ts. The Firebase Auth emulator cannot make TOTP secrets
 * (firebase-tools#6224), so the real SDK calls in sdk.ts are type-checked only: this is the fake's contract.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  completeSignIn,
  currentSessionState,
  installAuthBackend,
  SecondFactorRequired,
  signIn,
  type SecondFactorChallenge,
} from "../session";
import { twoStep } from "../twoStep";
import { firebaseAuthBackend } from "./auth";
import { fakeFirebaseAuth, fakeIdentity, type FakeFirebaseAuth } from "./testing/fakeAuth";

let auth: FakeFirebaseAuth;
let identity: ReturnType<typeof fakeIdentity>;

beforeEach(() => {
  auth = fakeFirebaseAuth();
  identity = fakeIdentity(auth);
  identity.addTenant("acme", "Acme Corp", { ann: "owner" });
  installAuthBackend(
    firebaseAuthBackend({ auth: auth.port, callables: identity.callables, directory: identity.directory }),
  );
});

afterEach(() => {
  installAuthBackend(undefined);
});

const password = "correct horse battery";
const session = () => currentSessionState().session;

async function challengeOf(attempt: Promise<unknown>): Promise<SecondFactorChallenge> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecondFactorRequired);
  return (error as SecondFactorRequired).challenge;
}

describe("enrolling", () => {
  it("makes a TOTP secret with Firebase Auth, confirms it with a code and renews the ID token", async () => {
    auth.addAccount("ann@acme.example", password, {
      uid: "ann",
      claims: { tenantId: "acme", role: "owner" },
    });
    await signIn({ email: "ann@acme.example", password });
    const before = session()?.token;

    expect(await twoStep().status()).toMatchObject({
      enrolled: false,
      thisSession: false,
      recoveryCodesLeft: null,
    });
    expect(twoStep().recoveryCodes).toBe(false);
    const enrolment = await twoStep().startEnrolment();
    expect(enrolment.secret).toBe("JBSWY3DPEHPK3PXP");
    expect(enrolment.otpauthUri).toMatch(/^otpauth:\/\/totp\/Alchemist:ann%40acme\.example\?secret=/);
    expect(auth.calls).toContain("startTotpEnrolment ann@acme.example Alchemist");

    await expect(enrolment.confirm("000000")).rejects.toMatchObject({
      status: 403,
      issues: [{ path: "code" }],
    });
    expect(await enrolment.confirm(auth.totp.code)).toEqual({ recoveryCodes: [] });
    expect(session()?.token).not.toBe(before);
    expect(await twoStep().status()).toMatchObject({ enrolled: true, thisSession: true });
  });

  it("says an unverified email must be verified first", async () => {
    auth.addAccount("ann@acme.example", password, {
      uid: "ann",
      emailVerified: false,
      claims: { tenantId: "acme", role: "owner" },
    });
    await signIn({ email: "ann@acme.example", password });
    await expect(twoStep().startEnrolment()).rejects.toMatchObject({
      status: 400,
      reason: "Verify your email address before setting up two-step sign-in",
    });
  });
});

describe("signing in", () => {
  beforeEach(() => {
    auth.addAccount("ann@acme.example", password, {
      uid: "ann",
      totp: true,
      claims: { tenantId: "acme", role: "owner" },
    });
  });

  it("asks for the code after the password, and the resolver's sign-in becomes the session", async () => {
    const challenge = await challengeOf(signIn({ email: "ann@acme.example", password }));
    expect(challenge.acceptsRecoveryCodes).toBe(false);
    expect(session()).toBeUndefined();

    await expect(completeSignIn(challenge, "111111")).rejects.toMatchObject({
      status: 403,
      code: "permission-denied",
    });
    expect(session()).toBeUndefined();

    await completeSignIn(challenge, auth.totp.code);
    expect(session()).toMatchObject({ accountId: "ann", tenantId: "acme", signedInWith: "firebase" });
    expect(await twoStep().status()).toMatchObject({ enrolled: true, thisSession: true });
  });

  it("refuses a wrong password before any code", async () => {
    await expect(signIn({ email: "ann@acme.example", password: "wrong password" })).rejects.toMatchObject({
      status: 401,
      reason: "Incorrect email or password",
    });
  });
});

describe("turning it off", () => {
  beforeEach(async () => {
    auth.addAccount("ann@acme.example", password, {
      uid: "ann",
      totp: true,
      claims: { tenantId: "acme", role: "owner" },
    });
    await completeSignIn(await challengeOf(signIn({ email: "ann@acme.example", password })), auth.totp.code);
  });

  it("reauthenticates with the password and the code, then removes the factor", async () => {
    await expect(
      twoStep().disable({ password: "wrong password", code: auth.totp.code }),
    ).rejects.toMatchObject({
      status: 403,
      issues: [{ path: "password" }],
    });
    await expect(twoStep().disable({ password, code: "000000" })).rejects.toMatchObject({
      status: 403,
      issues: [{ path: "code" }],
    });
    expect(auth.calls).not.toContain("unenrollTotp");
    await twoStep().disable({ password, code: auth.totp.code });
    expect(auth.calls).toContain("unenrollTotp");
    expect(await twoStep().status()).toMatchObject({ enrolled: false });
  });

  it("has no recovery codes to make", async () => {
    await expect(twoStep().regenerateRecoveryCodes(auth.totp.code)).rejects.toMatchObject({ status: 501 });
  });
});
