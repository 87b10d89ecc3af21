/**
 * Firebase mode's sessions, through session.ts's own functions (what the sign-in, sign-up, invitation pages
 * and the workspace switcher call), with Firebase Auth and the identity callables faked in memory
 * (testing/fakeAuth.ts). The real Auth SDK is exercised in auth-emulator.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { annSession, signInAs } from "../../test/session";
import {
  acceptInvitation,
  accountActions,
  changePassword,
  currentSessionState,
  installAuthBackend,
  logOut,
  requestAsSignedIn,
  sessionEndedNotice,
  signIn,
  signOut,
  signUp,
  switchWorkspace,
} from "../session";
import { firebaseAuthBackend, followFirebaseSignIn } from "./auth";
import { fakeFirebaseAuth, fakeIdentity, firebaseError, type FakeFirebaseAuth } from "./testing/fakeAuth";

let now: number;
let auth: FakeFirebaseAuth;
let identity: ReturnType<typeof fakeIdentity>;

beforeEach(() => {
  now = Date.parse("2026-02-03T09:00:00.000Z");
  auth = fakeFirebaseAuth({ now: () => now });
  identity = fakeIdentity(auth);
  installAuthBackend(
    firebaseAuthBackend({ auth: auth.port, callables: identity.callables, directory: identity.directory }),
  );
});

afterEach(() => {
  installAuthBackend(undefined);
  vi.unstubAllGlobals();
});

const session = () => currentSessionState().session;

describe("signing up", () => {
  it("creates the account, then its workspace with identity-createTenant, then reads the claims from a refreshed token", async () => {
    await signUp({
      email: " ann@acme.example ",
      password: "correct horse battery",
      workspaceName: " Acme Corp ",
    });

    expect(auth.calls).toEqual(["signUp ann@acme.example", "idToken force"]);
    expect(identity.calls).toEqual([{ name: "identity-createTenant", data: { tenantName: "Acme Corp" } }]);
    expect(session()).toEqual({
      token: "eyJ.uid1.2",
      expiresAt: "2026-02-03T10:00:00.000Z",
      tenantId: "tnt1",
      role: "owner",
      accountId: "uid1",
      email: "ann@acme.example",
      workspaces: [{ tenantId: "tnt1", name: "Acme Corp", role: "owner" }],
      signedInWith: "firebase",
    });
  });

  it("removes the new account when the function refuses the workspace, so the email can sign up again", async () => {
    identity.refuseCreateTenant(
      firebaseError(
        "functions/invalid-argument",
        "Invalid request: tenantName: Too big: expected string to have <=120 characters",
        {
          issues: [{ path: "tenantName", message: "Too big: expected string to have <=120 characters" }],
        },
      ),
    );

    const refused = signUp({
      email: "ann@acme.example",
      password: "correct horse battery",
      workspaceName: "A".repeat(121),
    });

    await expect(refused).rejects.toMatchObject({
      status: 400,
      code: "invalid-argument",
      issues: [{ path: "tenantName", message: "Too big: expected string to have <=120 characters" }],
    });
    expect(auth.accounts.has("ann@acme.example")).toBe(false);
    expect(auth.current).toBeUndefined();
    expect(session()).toBeUndefined();
  });

  it("says an email already has an account next to the email field", async () => {
    auth.addAccount("ann@acme.example", "correct horse battery");
    await expect(
      signUp({ email: "ann@acme.example", password: "another long password", workspaceName: "Acme" }),
    ).rejects.toMatchObject({ status: 409, issues: [{ path: "email" }] });
    expect(identity.calls).toEqual([]);
  });
});

describe("signing in", () => {
  beforeEach(() => {
    auth.addAccount("ann@acme.example", "correct horse battery", {
      uid: "ann",
      claims: { tenantId: "acme", role: "owner" },
    });
    identity.addTenant("acme", "Acme Corp", { ann: "owner" });
    identity.addTenant("globex", "Globex", { ann: "viewer" });
  });

  it("starts a session in the workspace the claims name", async () => {
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
    expect(session()).toMatchObject({
      tenantId: "acme",
      role: "owner",
      accountId: "ann",
      email: "ann@acme.example",
      signedInWith: "firebase",
      // Globex's own documents are not readable under firestore.rules until she switches to it: its name
      // and her role there come from her membership entry.
      workspaces: [
        { tenantId: "acme", name: "Acme Corp", role: "owner" },
        { tenantId: "globex", name: "Globex", role: "viewer" },
      ],
    });
  });

  it("lists only the workspaces it has seen when membership entries predate the name and role copies", async () => {
    identity.dropMembershipCopies("ann");
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
    expect(session()?.workspaces).toEqual([{ tenantId: "acme", name: "Acme Corp", role: "owner" }]);

    await switchWorkspace("globex");
    signOut();
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
    expect(session()?.workspaces.map((w) => w.name)).toEqual(["Acme Corp", "Globex"]);
  });

  it("gives the platform's sentence for a wrong password, and no session", async () => {
    await expect(signIn({ email: "ann@acme.example", password: "wrong password" })).rejects.toMatchObject({
      status: 401,
      reason: "Incorrect email or password",
    });
    expect(session()).toBeUndefined();
  });

  it("switches workspace with identity-switchTenant, and remembers both for the switcher", async () => {
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
    const before = session()?.token;

    await switchWorkspace("globex");

    expect(identity.calls.at(-1)).toEqual({ name: "identity-switchTenant", data: { tenantId: "globex" } });
    expect(session()).toMatchObject({
      tenantId: "globex",
      role: "viewer",
      email: "ann@acme.example",
      workspaces: [
        { tenantId: "acme", name: "Acme Corp", role: "owner" },
        { tenantId: "globex", name: "Globex", role: "viewer" },
      ],
    });
    expect(session()?.token).not.toBe(before);

    // Signing in again in this browser lists both.
    signOut();
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
    expect(session()?.workspaces.map((w) => w.name)).toEqual(["Acme Corp", "Globex"]);
  });

  it("points claims cleared elsewhere at the oldest membership left", async () => {
    auth.addAccount("bob@acme.example", "bob's long password", { uid: "bob" });
    identity.addTenant("initech", "Initech", { bob: "editor" });

    await signIn({ email: "bob@acme.example", password: "bob's long password" });

    expect(identity.calls).toEqual([{ name: "identity-switchTenant", data: { tenantId: "initech" } }]);
    expect(session()).toMatchObject({ tenantId: "initech", role: "editor" });
  });

  it("refuses an account that belongs to no workspace, and signs it out of Firebase Auth", async () => {
    auth.addAccount("carol@example.com", "carol's long password", { uid: "carol" });
    await expect(
      signIn({ email: "carol@example.com", password: "carol's long password" }),
    ).rejects.toMatchObject({
      status: 403,
      reason: "This account is not a member of any workspace yet; ask an admin for an invitation",
    });
    expect(auth.current).toBeUndefined();
    expect(session()).toBeUndefined();
  });
});

describe("requests as the signed-in person", () => {
  beforeEach(async () => {
    auth.addAccount("ann@acme.example", "correct horse battery", {
      uid: "ann",
      claims: { tenantId: "acme", role: "owner" },
    });
    identity.addTenant("acme", "Acme Corp", { ann: "owner" });
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
  });

  it("always send a token that has not expired: one about to expire is refreshed first, and the session keeps it", async () => {
    const platform = stubPlatform({ "GET /v1/agents": () => jsonResponse({ agents: [] }) });
    const first = session()?.token;

    await requestAsSignedIn("/v1/agents");
    expect(platform.requests[0]?.authorization).toBe(`Bearer ${first}`);

    now += 57 * 60_000; // three minutes before the hour is up
    await requestAsSignedIn("/v1/agents");
    const refreshed = session()?.token;
    expect(refreshed).not.toBe(first);
    expect(platform.requests[1]?.authorization).toBe(`Bearer ${refreshed}`);
    expect(session()?.expiresAt).toBe(new Date(now + 3600_000).toISOString());
  });

  it("end the session, and the Firebase sign-in, when the API refuses the token", async () => {
    stubPlatform({
      "GET /v1/agents": () => errorResponse(401, "unauthenticated", "Invalid or expired ID token"),
    });
    await expect(requestAsSignedIn("/v1/agents")).rejects.toMatchObject({ status: 401 });
    expect(currentSessionState()).toEqual({ session: undefined, notice: sessionEndedNotice });
    expect(auth.current).toBeUndefined();
  });

  it("end the session when the token's claims no longer name its workspace (removed by an admin)", async () => {
    const platform = stubPlatform({ "GET /v1/agents": () => jsonResponse({ agents: [] }) });
    auth.current!.claims = {};
    now += 56 * 60_000;
    await expect(requestAsSignedIn("/v1/agents")).rejects.toMatchObject({ status: 401 });
    expect(platform.requests).toEqual([]);
    expect(session()).toBeUndefined();
  });

  it("survive a reload after the hour: the stored session is Firebase's, whose token is refreshed on use", async () => {
    now += 2 * 3600_000;
    vi.setSystemTime(now);
    try {
      vi.resetModules();
      const reloaded = await import("../session");
      expect(reloaded.currentSessionState().session?.accountId).toBe("ann");
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("following Firebase Auth", () => {
  it("ends the session with the usual notice when Firebase Auth signs out elsewhere", async () => {
    auth.addAccount("ann@acme.example", "correct horse battery", {
      uid: "ann",
      claims: { tenantId: "acme", role: "owner" },
    });
    identity.addTenant("acme", "Acme Corp", { ann: "owner" });
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
    const stop = followFirebaseSignIn(auth.port);
    expect(session()).toBeDefined();

    auth.signOutElsewhere();

    expect(currentSessionState()).toEqual({ session: undefined, notice: sessionEndedNotice });
    stop();
  });

  it("ends a stored local-account session, which the API of a Firebase project does not know", () => {
    signInAs(annSession());
    const stop = followFirebaseSignIn(auth.port);
    expect(currentSessionState()).toEqual({ session: undefined, notice: sessionEndedNotice });
    stop();
  });
});

describe("accepting an invitation", () => {
  beforeEach(() => {
    identity.addTenant("globex", "Globex", {});
    identity.invite("inv-token-1", { tenantId: "globex", email: "dan@globex.example", role: "editor" });
  });

  it("asks to sign in first when nobody is", async () => {
    await expect(
      acceptInvitation({ token: "inv-token-1", password: "dan's long password" }),
    ).rejects.toMatchObject({
      status: 401,
      reason: expect.stringContaining("Sign in with the invited email's account first"),
    });
    expect(identity.calls).toEqual([]);
  });

  it("sends the verification link when the email is not verified yet, and says so", async () => {
    auth.addAccount("dan@globex.example", "dan's long password", { uid: "dan", emailVerified: false });
    await auth.port.signIn("dan@globex.example", "dan's long password");

    await expect(
      acceptInvitation({ token: "inv-token-1", password: "dan's long password" }),
    ).rejects.toMatchObject({
      code: "failed-precondition",
      reason: expect.stringContaining("a link is on its way to dan@globex.example"),
    });
    expect(auth.verificationsSent).toEqual(["dan@globex.example"]);
  });

  it("checks the password, joins with identity-acceptInvitation and opens the workspace", async () => {
    auth.addAccount("dan@globex.example", "dan's long password", { uid: "dan" });
    await auth.port.signIn("dan@globex.example", "dan's long password");

    await expect(acceptInvitation({ token: "inv-token-1", password: "not dan's" })).rejects.toMatchObject({
      reason: "Incorrect email or password",
    });
    await acceptInvitation({ token: "inv-token-1", password: "dan's long password" });

    expect(identity.calls).toEqual([{ name: "identity-acceptInvitation", data: { token: "inv-token-1" } }]);
    expect(session()).toMatchObject({
      tenantId: "globex",
      role: "editor",
      workspaces: [{ tenantId: "globex", name: "Globex", role: "editor" }],
    });
  });
});

describe("the account menu's actions", () => {
  beforeEach(() => {
    auth.addAccount("ann@acme.example", "correct horse battery", {
      uid: "ann",
      claims: { tenantId: "acme", role: "owner" },
    });
    identity.addTenant("acme", "Acme Corp", { ann: "owner" });
  });

  it("changes the password with Firebase Auth after checking the current one, and goes on signed in", async () => {
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
    const before = session()?.token;
    const platform = stubPlatform({});

    await changePassword({ currentPassword: "correct horse battery", newPassword: "a brand new passphrase" });

    expect(auth.calls.slice(-3)).toEqual(["reauthenticate", "updatePassword", "idToken force"]);
    expect(session()).toMatchObject({
      tenantId: "acme",
      email: "ann@acme.example",
      signedInWith: "firebase",
    });
    expect(session()?.token).not.toBe(before);
    // Firebase Auth owns the password: the platform's local route is never asked.
    expect(platform.requests).toHaveLength(0);
    signOut();
    await expect(
      signIn({ email: "ann@acme.example", password: "correct horse battery" }),
    ).rejects.toMatchObject({
      status: 401,
    });
    await signIn({ email: "ann@acme.example", password: "a brand new passphrase" });
  });

  it("answers a wrong current password with 403 on its field, and keeps the session", async () => {
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
    await expect(
      changePassword({ currentPassword: "not my password", newPassword: "a brand new passphrase" }),
    ).rejects.toMatchObject({
      status: 403,
      reason: "The current password is not correct",
      issues: [{ path: "currentPassword", message: "This is not your current password" }],
    });
    expect(auth.calls).not.toContain("updatePassword");
    expect(session()?.accountId).toBeDefined();
  });

  it("offers no 'sign out everywhere' (no client-side revocation), and signs out of Firebase Auth", async () => {
    expect(accountActions()).toEqual({ signOutEverywhere: false, changePassword: true });
    await signIn({ email: "ann@acme.example", password: "correct horse battery" });
    const platform = stubPlatform({});
    await logOut();
    expect(session()).toBeUndefined();
    expect(currentSessionState().notice).toBe("You signed out.");
    expect(auth.calls.at(-1)).toBe("signOut");
    expect(platform.requests).toHaveLength(0);
  });
});
