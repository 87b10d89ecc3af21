/**
 * firestore.rules and storage.rules, with @firebase/rules-unit-testing against the Firebase emulators.
 * They need the Firestore and Storage emulators, which need Java 21 and a download from Google: on a
 * machine without them these tests are skipped and say why. Run them with
 *   npx firebase-tools emulators:exec --only firestore,storage "npm exec -w functions -- vitest run src/rules"
 * (firebase-tools sets FIRESTORE_EMULATOR_HOST and FIREBASE_STORAGE_EMULATOR_HOST).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from "@firebase/rules-unit-testing";
import { afterAll, beforeAll, describe, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const firestoreHost = process.env.FIRESTORE_EMULATOR_HOST;
const storageHost = process.env.FIREBASE_STORAGE_EMULATOR_HOST;
if ((!firestoreHost || !storageHost) && process.env.ALCHEMIST_REQUIRE_EMULATORS === "1")
  throw new Error("ALCHEMIST_REQUIRE_EMULATORS=1 but the Firestore or Storage emulator is not running");
const skipReason =
  "the Firestore and Storage emulators are not running (they need Java 21 and a download from Google); " +
  "run under `firebase emulators:exec --only firestore,storage`";

let env: RulesTestEnvironment;

const hostPort = (value: string): { host: string; port: number } => {
  const [host, port] = value.replace(/^https?:\/\//, "").split(":");
  return { host: host ?? "127.0.0.1", port: Number(port) };
};

describe.skipIf(!firestoreHost || !storageHost)(`security rules (skipped when ${skipReason})`, () => {
  beforeAll(async () => {
    env = await initializeTestEnvironment({
      projectId: "demo-alchemist-rules",
      firestore: {
        ...hostPort(firestoreHost as string),
        rules: fs.readFileSync(path.join(repoRoot, "firestore.rules"), "utf8"),
      },
      storage: {
        ...hostPort(storageHost as string),
        rules: fs.readFileSync(path.join(repoRoot, "storage.rules"), "utf8"),
      },
    });
    await env.withSecurityRulesDisabled(async (ctx) => {
      const db = ctx.firestore();
      for (const [p, data] of [
        ["tenants/acme", { name: "Acme" }],
        ["tenants/acme/agents/a1", { name: "Bot" }],
        ["tenants/acme/knowledgeBases/kb1/documents/d1", { name: "h.md" }],
        ["tenants/acme/conversations/c1", { agentId: "a1" }],
        ["tenants/acme/conversations/c1/messages/m1", { content: "hello" }],
        ["tenants/acme/traces/t1", { question: "hello" }],
        ["tenants/acme/members/alice", { role: "viewer" }],
        ["tenants/acme/members/bob", { role: "admin" }],
        ["tenants/acme/apiKeys/k1", { hash: "x".repeat(64) }],
        ["tenants/acme/auditLog/e1", { action: "agent.publish" }],
        ["tenants/acme/invitations/i1", { tokenHash: "y" }],
        ["tenants/globex", { name: "Globex" }],
        ["tenants/globex/agents/g1", { name: "Theirs" }],
        ["accounts/alice", { email: "alice@example.com" }],
        ["accounts/alice/memberships/acme", { role: "viewer" }],
        ["system/seed", { done: true }],
      ] as const) {
        await db.doc(p).set(data);
      }
    });
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  const as = (uid: string, tenantId: string, role: string) =>
    env.authenticatedContext(uid, { tenantId, role }).firestore();

  it("lets members read their tenant's workspace, and no one else's", async () => {
    const viewer = as("alice", "acme", "viewer");
    await assertSucceeds(viewer.doc("tenants/acme").get());
    await assertSucceeds(viewer.doc("tenants/acme/agents/a1").get());
    await assertSucceeds(viewer.doc("tenants/acme/knowledgeBases/kb1/documents/d1").get());
    await assertFails(viewer.doc("tenants/globex").get());
    await assertFails(viewer.doc("tenants/globex/agents/g1").get());
    await assertFails(env.unauthenticatedContext().firestore().doc("tenants/acme/agents/a1").get());
  });

  it("keeps conversations and traces to editors and up", async () => {
    await assertFails(as("alice", "acme", "viewer").doc("tenants/acme/conversations/c1").get());
    await assertFails(as("alice", "acme", "viewer").doc("tenants/acme/traces/t1").get());
    await assertSucceeds(as("ed", "acme", "editor").doc("tenants/acme/conversations/c1/messages/m1").get());
    await assertSucceeds(as("ed", "acme", "editor").doc("tenants/acme/traces/t1").get());
  });

  it("never shows key hashes or invitation tokens; the audit log only to admins", async () => {
    await assertFails(as("o", "acme", "owner").doc("tenants/acme/apiKeys/k1").get());
    await assertFails(as("o", "acme", "owner").doc("tenants/acme/invitations/i1").get());
    await assertFails(as("ed", "acme", "editor").doc("tenants/acme/auditLog/e1").get());
    await assertSucceeds(as("bob", "acme", "admin").doc("tenants/acme/auditLog/e1").get());
  });

  it("shows a member their own membership, and all of them to admins", async () => {
    await assertSucceeds(as("alice", "acme", "viewer").doc("tenants/acme/members/alice").get());
    await assertFails(as("alice", "acme", "viewer").doc("tenants/acme/members/bob").get());
    await assertSucceeds(as("bob", "acme", "admin").doc("tenants/acme/members/alice").get());
  });

  it("lets a user list their own memberships, and nobody else's", async () => {
    await assertSucceeds(as("alice", "acme", "viewer").doc("accounts/alice/memberships/acme").get());
    await assertFails(as("bob", "acme", "admin").doc("accounts/alice/memberships/acme").get());
    await assertFails(as("alice", "acme", "viewer").doc("accounts/alice").get());
  });

  it("denies every client write, whatever the role, and platform documents entirely", async () => {
    const owner = as("o", "acme", "owner");
    await assertFails(owner.doc("tenants/acme/agents/a1").set({ name: "changed" }));
    await assertFails(owner.doc("tenants/acme/traces/t1").update({ question: "rewritten" }));
    await assertFails(owner.doc("tenants/acme/auditLog/e2").set({ action: "forged" }));
    await assertFails(owner.doc("tenants/acme/members/o").set({ role: "owner" }));
    await assertFails(owner.doc("accounts/alice").get());
    await assertFails(owner.doc("system/seed").get());
  });

  it("takes uploads only into the caller's tenant folder, from editors, within size and type limits", async () => {
    const upload = async (tenantId: string, role: string, target: string, bytes: number, type: string) => {
      await env
        .authenticatedContext("u", { tenantId, role })
        .storage()
        .ref(target)
        .put(new Uint8Array(bytes), { contentType: type });
    };
    const ok = "tenants/acme/knowledgeBases/kb1/documents/d1/v1/h.md";
    await assertSucceeds(upload("acme", "editor", ok, 10, "text/markdown"));
    await assertFails(upload("acme", "viewer", ok, 10, "text/markdown"));
    await assertFails(upload("globex", "owner", ok, 10, "text/markdown"));
    await assertFails(upload("acme", "editor", ok, 0, "text/markdown"));
    await assertFails(upload("acme", "editor", ok, 26 * 1024 * 1024, "text/markdown"));
    await assertFails(upload("acme", "editor", ok, 10, "application/x-msdownload"));
    await assertFails(upload("acme", "editor", "tenants/acme/elsewhere/h.md", 10, "text/markdown"));
  });
});
