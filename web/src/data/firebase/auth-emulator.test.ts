/**
 * Firebase mode's sign-in against the real Firebase Auth emulator, through the real SDK (sdk.ts) and
 * session.ts: accounts, passwords and ID tokens are the emulator's. The identity callables are NOT the real
 * functions here (the Functions emulator would need the Firestore emulator, which needs Java 21): a stand-in
 * sets the custom claims on the emulator exactly as `firebaseClaimsSetter` does (the Admin API's
 * `accounts:update` with `customAttributes`), so what is proven is the client's side of the flow: claims
 * set by a function arrive in the session after the forced token refresh.
 *
 * Runs only when FIREBASE_AUTH_EMULATOR_HOST is set, i.e. under the emulator:
 *   npx firebase-tools emulators:exec --project demo-alchemist --only auth \
 *     "npm exec -w web -- vitest run src/data/firebase/auth-emulator.test.ts"
 */
import { deleteApp, initializeApp, type FirebaseApp } from "firebase/app";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  asSignedIn,
  changePassword,
  currentSessionState,
  installAuthBackend,
  signIn,
  signOut,
  signUp,
  switchWorkspace,
} from "../session";
import { firebaseAuthBackend, identityCallables, type WorkspaceDirectory } from "./auth";
import type { EmulatorHosts } from "./mode";
import type { Callables, FirebaseAuthPort } from "./ports";
import { connectAuth, firebaseAuthPort } from "./sdk";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const emulatorHost = env.FIREBASE_AUTH_EMULATOR_HOST;
if (!emulatorHost && env.ALCHEMIST_REQUIRE_EMULATORS === "1")
  throw new Error(
    "ALCHEMIST_REQUIRE_EMULATORS=1 but FIREBASE_AUTH_EMULATOR_HOST is not set: the Auth emulator is not running",
  );
const projectId = env.GCLOUD_PROJECT ?? "demo-alchemist";

/** The claims of an ID token (the emulator's tokens are unsigned JWTs). */
function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1] ?? "";
  return JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
}

describe.skipIf(!emulatorHost)(
  "Firebase Auth sessions against the Auth emulator (skipped without FIREBASE_AUTH_EMULATOR_HOST: run under emulators:exec)",
  () => {
    let app: FirebaseApp;
    let auth: FirebaseAuthPort;
    const tenants = new Map<string, { name: string; members: Map<string, string> }>();
    const run = Date.now().toString(36);
    const email = `ann.${run}@acme.example`;
    const password = "correct horse battery";

    /** What `firebaseClaimsSetter().set` does with firebase-admin, over the emulator's REST API. */
    async function setClaims(uid: string, claims: Record<string, unknown>) {
      const response = await fetch(
        `http://${emulatorHost}/identitytoolkit.googleapis.com/v1/projects/${projectId}/accounts:update`,
        {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: "Bearer owner" },
          body: JSON.stringify({ localId: uid, customAttributes: JSON.stringify(claims) }),
        },
      );
      expect(response.status).toBe(200);
    }

    /** The identity callables' effect on claims (functions/src/identity/members.ts), for the signed-in user. */
    const callables: Callables = {
      async call(name, data) {
        const uid = auth.currentUser()?.uid;
        if (!uid) throw Object.assign(new Error("Sign in first"), { code: "functions/unauthenticated" });
        const input = data as { tenantName?: string; tenantId?: string };
        if (name === identityCallables.createTenant) {
          const tenantId = `acme${run}`;
          tenants.set(tenantId, { name: input.tenantName ?? "", members: new Map([[uid, "owner"]]) });
          tenants.set(`globex${run}`, { name: "Globex", members: new Map([[uid, "viewer"]]) });
          await setClaims(uid, { tenantId, role: "owner" });
          return { tenantId, role: "owner", name: input.tenantName };
        }
        if (name === identityCallables.switchTenant) {
          const role = tenants.get(input.tenantId ?? "")?.members.get(uid);
          if (!role) throw Object.assign(new Error("Not a member"), { code: "functions/permission-denied" });
          await setClaims(uid, { tenantId: input.tenantId, role });
          return { tenantId: input.tenantId, role };
        }
        throw Object.assign(new Error(`No function ${name}`), { code: "functions/not-found" });
      },
    };

    const directory: WorkspaceDirectory = {
      memberships: async (uid) =>
        [...tenants].filter(([, t]) => t.members.has(uid)).map(([tenantId]) => ({ tenantId })),
      tenantName: async (tenantId) => tenants.get(tenantId)?.name,
    };

    beforeAll(() => {
      const [host = "127.0.0.1", port = "9099"] = (emulatorHost ?? "").split(":");
      const unused = { host, port: 0 };
      const hosts: EmulatorHosts = {
        auth: { host, port: Number(port) },
        firestore: unused,
        storage: unused,
        functions: unused,
      };
      app = initializeApp({ apiKey: "fake-api-key", projectId }, `auth-emulator-${run}`);
      auth = firebaseAuthPort(connectAuth(app, hosts));
      installAuthBackend(firebaseAuthBackend({ auth, callables, directory }));
    });

    afterAll(async () => {
      signOut();
      installAuthBackend(undefined);
      await deleteApp(app);
    });

    it("signs up, creates the workspace, and the refreshed ID token carries its claims", async () => {
      const session = await signUp({ email, password, workspaceName: "Acme Corp" });

      expect(session).toMatchObject({
        tenantId: `acme${run}`,
        role: "owner",
        email,
        signedInWith: "firebase",
        workspaces: [{ tenantId: `acme${run}`, name: "Acme Corp", role: "owner" }],
      });
      expect(claimsOf(session.token)).toMatchObject({ tenantId: `acme${run}`, role: "owner", email });
      expect(Date.parse(session.expiresAt) - Date.now()).toBeGreaterThan(50 * 60_000);
      // What a request sends: the session's token, still fresh.
      expect(await asSignedIn("/v1/agents", async (token) => token)).toBe(session.token);
    });

    it("refuses a second account with the same email, next to the email field", async () => {
      await expect(
        signUp({ email, password: "another long password", workspaceName: "Acme 2" }),
      ).rejects.toMatchObject({
        status: 409,
        issues: [{ path: "email" }],
      });
    });

    it("signs in again with the password, into the workspace the claims name", async () => {
      await expect(signIn({ email, password: "wrong password" })).rejects.toMatchObject({
        status: 401,
        reason: "Incorrect email or password",
      });
      const session = await signIn({ email, password });
      expect(session).toMatchObject({
        tenantId: `acme${run}`,
        role: "owner",
        accountId: auth.currentUser()?.uid,
      });
      expect(currentSessionState().session?.token).toBe(session.token);
    });

    it("switches workspace: the new claims arrive with the forced refresh", async () => {
      await signIn({ email, password });
      const session = await switchWorkspace(`globex${run}`);

      expect(session).toMatchObject({ tenantId: `globex${run}`, role: "viewer", email });
      expect(claimsOf(session.token)).toMatchObject({ tenantId: `globex${run}`, role: "viewer" });
      expect(session.workspaces.map((w) => w.name)).toEqual(["Acme Corp", "Globex"]);
      expect(await asSignedIn("/v1/agents", async (token) => token)).toBe(session.token);
    });

    it("changes the password after checking the current one; the old one no longer signs in", async () => {
      await signIn({ email, password });
      await expect(
        changePassword({ currentPassword: "wrong password", newPassword: "a brand new passphrase" }),
      ).rejects.toMatchObject({ status: 403, issues: [{ path: "currentPassword" }] });
      const session = await changePassword({
        currentPassword: password,
        newPassword: "a brand new passphrase",
      });
      expect(session).toMatchObject({ email, signedInWith: "firebase" });
      expect(await asSignedIn("/v1/agents", async (token) => token)).toBe(session.token);
      signOut();
      await expect(signIn({ email, password })).rejects.toMatchObject({ status: 401 });
      await expect(signIn({ email, password: "a brand new passphrase" })).resolves.toMatchObject({ email });
    });
  },
);
