/**
 * The real Firebase claims setter and ID-token checks, against the Firebase Auth emulator: claims set by
 * `firebaseClaimsSetter` reach the user's next ID token, `callerFromClaims` reads tenant and role from it,
 * and a role change or a removal revokes the old token. Needs the Auth emulator (Node only, no Java):
 * `npm run test:firebase` (part of `npm test`) runs this file under `firebase emulators:exec`
 * (FIREBASE_AUTH_EMULATOR_HOST set). Without it the tests are skipped and say why.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFromClaims } from "./authenticate.js";
import { loadConfig } from "../platform/config.js";
import { openLocalDeps } from "@alchemist/local/adapters/deps";
import { createTenant } from "./tenants.js";
import { firebaseClaimsSetter } from "../platform/firebase/claims-setter.js";
import { syncMemberClaims } from "./claims.js";
import { removeMember, writeMember } from "./members.js";

const emulator = process.env.FIREBASE_AUTH_EMULATOR_HOST;
if (!emulator && process.env.ALCHEMIST_REQUIRE_EMULATORS === "1")
  throw new Error(
    "ALCHEMIST_REQUIRE_EMULATORS=1 but FIREBASE_AUTH_EMULATOR_HOST is not set: the Auth emulator is not running",
  );
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
  "Firebase Auth claims (skipped when the Auth emulator is not running: npm run test:firebase)",
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
      const setter = firebaseClaimsSetter(auth);
      await setter.set(uid, { tenantId: "acme", role: "editor" });
      expect(await setter.get(uid)).toEqual({ plan: "beta", tenantId: "acme", role: "editor" });
      const decoded = await auth.verifyIdToken(await signIn(email, password), true);
      const caller = callerFromClaims(decoded.uid, decoded as unknown as Record<string, unknown>);
      expect(caller).toMatchObject({ tenantId: "acme", role: "editor", uid, via: "id-token" });
    });

    it("a role change revokes the tokens issued before it, and the new token carries the new role", async () => {
      const before = await signIn(email, password);
      await new Promise((r) => setTimeout(r, 1100)); // revocation is per second
      await syncMemberClaims(firebaseClaimsSetter(auth), uid, "acme", "viewer");
      await expect(auth.verifyIdToken(before, true)).rejects.toMatchObject({ code: "auth/id-token-revoked" });
      const after = await auth.verifyIdToken(await signIn(email, password), true);
      expect(after).toMatchObject({ tenantId: "acme", role: "viewer" });
    });

    it("removing the member clears the claims: the account belongs to no tenant", async () => {
      await syncMemberClaims(firebaseClaimsSetter(auth), uid, "acme", null);
      expect(await firebaseClaimsSetter(auth).get(uid)).toEqual({ plan: "beta" });
      const decoded = await auth.verifyIdToken(await signIn(email, password), true);
      expect(() => callerFromClaims(decoded.uid, decoded as unknown as Record<string, unknown>)).toThrow(
        /not a member of any tenant/,
      );
    });

    it("removing a member revokes their ID tokens, even when their claims now name another tenant", async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-claims-emulator-"));
      const deps = await openLocalDeps(loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir }));
      try {
        const setter = firebaseClaimsSetter(auth);
        await createTenant(deps, "hopper", "Hopper Systems");
        await deps.store.runTransaction(async (tx) => {
          for (const [memberId, role] of [
            ["uid-grace", "owner"],
            [uid, "editor"],
          ] as const) {
            writeMember(tx, deps, {
              tenantId: "hopper",
              memberId,
              email,
              role,
              tenantName: "Hopper Systems",
            });
          }
        });
        await setter.set(uid, { tenantId: "hopper", role: "editor" });
        const hopperToken = await signIn(email, password);
        await new Promise((r) => setTimeout(r, 1100)); // revocation is per second
        // They switched to another workspace since: their claims no longer name Hopper, the token still does.
        await setter.set(uid, { tenantId: "elsewhere", role: "owner" });
        const grace = { tenantId: "hopper", role: "owner", uid: "uid-grace", via: "id-token" } as const;
        await removeMember(deps, grace, uid, setter);
        await expect(auth.verifyIdToken(hopperToken, true)).rejects.toMatchObject({
          code: "auth/id-token-revoked",
        });
        expect(await setter.get(uid)).toMatchObject({ tenantId: "elsewhere", role: "owner" });
      } finally {
        deps.local.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it("grants the operator's claim by email, keeping tenant claims, and taking it back revokes the token", async () => {
      const setter = firebaseClaimsSetter(auth);
      await setter.set(uid, { tenantId: "acme", role: "owner" });
      expect(await setter.setPlatformAdmin(email.toUpperCase().toLowerCase(), true)).toBe(uid);
      const granted = await auth.verifyIdToken(await signIn(email, password), true);
      const caller = callerFromClaims(granted.uid, granted as unknown as Record<string, unknown>);
      expect(caller).toMatchObject({ tenantId: "acme", role: "owner", platformAdmin: true });
      // Signed in with a password only: no second factor.
      expect(caller.mfa).toBeUndefined();
      const token = await signIn(email, password);
      await new Promise((r) => setTimeout(r, 1100)); // revocation is per second
      await setter.setPlatformAdmin(email, false);
      await expect(auth.verifyIdToken(token, true)).rejects.toMatchObject({ code: "auth/id-token-revoked" });
      const after = await auth.verifyIdToken(await signIn(email, password), true);
      expect(
        callerFromClaims(after.uid, after as unknown as Record<string, unknown>).platformAdmin,
      ).toBeUndefined();
      expect(await setter.get(uid)).toEqual({ plan: "beta", tenantId: "acme", role: "owner" });
      await expect(setter.setPlatformAdmin("nobody-here@acme.example", true)).rejects.toThrow(/sign up/);
      await syncMemberClaims(setter, uid, "acme", null);
    });

    it("reads a user that does not exist as having no claims", async () => {
      expect(await firebaseClaimsSetter(auth).get("no-such-user")).toEqual({});
    });
  },
);
