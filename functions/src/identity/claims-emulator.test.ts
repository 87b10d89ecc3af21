/**
 * The real Firebase claims setter and ID-token checks, against the Firebase Auth emulator: claims set by
 * `firebaseClaimsSetter` reach the user's next ID token, `callerFromClaims` reads tenant and role from it,
 * and a role change revokes the old token. Needs the Auth emulator (Node only, no Java):
 *   npm run test:emulators
 * which runs this file under `firebase emulators:exec --only auth` (FIREBASE_AUTH_EMULATOR_HOST set).
 * Without it the tests are skipped and say why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFromClaims } from "../platform/auth.js";
import { firebaseClaimsSetter, syncMemberClaims } from "./claims.js";

const emulator = process.env.FIREBASE_AUTH_EMULATOR_HOST;
const projectId = process.env.GCLOUD_PROJECT ?? "demo-alchemist";

/** Signs in through the emulator's REST API, as the web SDK would, and returns a fresh ID token. */
async function signIn(email: string, password: string): Promise<string> {
  const res = await fetch(
    `http://${emulator}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=emulator-key`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password, returnSecureToken: true }),
    },
  );
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { idToken: string }).idToken;
}

describe.skipIf(!emulator)(
  "Firebase Auth claims (skipped when the Auth emulator is not running: npm run test:emulators)",
  () => {
    let auth: import("firebase-admin/auth").Auth;
    let uid: string;
    const email = `member-${Date.now()}@acme.example`;
    const password = "a long enough password";

    beforeAll(async () => {
      process.env.GCLOUD_PROJECT ??= projectId;
      const { getApps, initializeApp } = await import("firebase-admin/app");
      const { getAuth } = await import("firebase-admin/auth");
      auth = getAuth(getApps()[0] ?? initializeApp({ projectId }));
      uid = (await auth.createUser({ email, password })).uid;
      await auth.setCustomUserClaims(uid, { plan: "beta" });
    });
    afterAll(async () => {
      await auth?.deleteUser(uid).catch(() => undefined);
    });

    it("puts tenant and role in the next ID token, keeping other claims", async () => {
      const setter = firebaseClaimsSetter();
      await setter.set(uid, { tenantId: "acme", role: "editor" });
      expect(await setter.get(uid)).toEqual({ plan: "beta", tenantId: "acme", role: "editor" });
      const decoded = await auth.verifyIdToken(await signIn(email, password), true);
      const caller = callerFromClaims(decoded.uid, decoded as unknown as Record<string, unknown>);
      expect(caller).toMatchObject({ tenantId: "acme", role: "editor", uid, via: "id-token" });
    });

    it("a role change revokes the tokens issued before it, and the new token carries the new role", async () => {
      const before = await signIn(email, password);
      await new Promise((r) => setTimeout(r, 1100)); // revocation is per second
      await syncMemberClaims(firebaseClaimsSetter(), uid, "acme", "viewer");
      await expect(auth.verifyIdToken(before, true)).rejects.toMatchObject({ code: "auth/id-token-revoked" });
      const after = await auth.verifyIdToken(await signIn(email, password), true);
      expect(after).toMatchObject({ tenantId: "acme", role: "viewer" });
    });

    it("removing the member clears the claims: the account belongs to no tenant", async () => {
      await syncMemberClaims(firebaseClaimsSetter(), uid, "acme", null);
      expect(await firebaseClaimsSetter().get(uid)).toEqual({ plan: "beta" });
      const decoded = await auth.verifyIdToken(await signIn(email, password), true);
      expect(() => callerFromClaims(decoded.uid, decoded as unknown as Record<string, unknown>)).toThrow(
        /not a member of any tenant/,
      );
    });

    it("reads a user that does not exist as having no claims", async () => {
      expect(await firebaseClaimsSetter().get("no-such-user")).toEqual({});
    });
  },
);
