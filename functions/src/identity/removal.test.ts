/**
 * Removal removes power, over real HTTP: a removed (or demoted) member's API keys and pending invitations
 * stop working with their membership, in the same transaction, and again where they are used should that
 * cascade be missed; nobody revokes a key above their own role; a removed member's old session stays dead
 * after a re-invitation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditLog } from "../platform/audit.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { apiKeyPath, apiKeysPath, createApiKey, hashApiKey } from "./api-keys.js";
import { memberPath } from "./schema.js";
import { type Role } from "../platform/caller.js";
import { membershipPath } from "./schema.js";
import { accept, invite, join, json, logIn, newEmail, signUp, type Person } from "./testing/people.js";

let platform: TestPlatform;

beforeAll(async () => {
  // These tests sign in far more often than a person would; the public rate limit has its own tests.
  platform = await startTestPlatform({ RATE_LIMIT_PUBLIC_PER_IP: "0" });
});
afterAll(async () => {
  await platform?.close();
});

interface CreatedKey {
  readonly id: string;
  readonly key: string;
}

async function createKey(token: string, role: Role, name = `${role} key`): Promise<CreatedKey> {
  const res = await platform.fetch("/v1/api-keys", { method: "POST", key: token, json: { name, role } });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

const remove = (token: string, memberId: string, query = "") =>
  platform.fetch(`/v1/members/${memberId}${query}`, { method: "DELETE", key: token });
const patchRole = (token: string, memberId: string, role: Role) =>
  platform.fetch(`/v1/members/${memberId}`, { method: "PATCH", key: token, json: { role } });
const works = async (credential: string) => (await platform.fetch("/v1/agents", { key: credential })).status;
const errorOf = async (res: Response) =>
  (await json<{ error: { code: string; message: string; details?: { reason?: string } } }>(res)).error;

async function keysOf(owner: Person) {
  const res = await platform.fetch("/v1/api-keys", { key: owner.token });
  return (await json<{ keys: { id: string; revokedAt: string | null; ownedBy?: string | null }[] }>(res))
    .keys;
}

/** A workspace with an owner, an admin and an editor. */
async function team() {
  const owner = await signUp(platform, { tenantName: "Hopper & Co" });
  const admin = await join(platform, owner, "admin");
  const editor = await join(platform, owner, "editor");
  return { owner, admin, editor };
}

describe("removing an admin", () => {
  it("revokes the keys they created, and keys created with those keys, in the removal itself", async () => {
    const { owner, admin } = await team();
    const theirs = await createKey(admin.token, "admin");
    const madeWithTheirKey = await createKey(theirs.key, "editor");
    const ownersKey = await createKey(owner.token, "admin");
    for (const k of [theirs, madeWithTheirKey, ownersKey]) expect(await works(k.key)).toBe(200);

    const res = await remove(owner.token, admin.accountId);
    expect(res.status, await res.clone().text()).toBe(200);
    const removed = await json<{ revokedApiKeys: string[]; transferredApiKeys: string[] }>(res);
    expect(removed.revokedApiKeys.sort()).toEqual([theirs.id, madeWithTheirKey.id].sort());
    expect(removed.transferredApiKeys).toEqual([]);

    for (const k of [theirs, madeWithTheirKey]) {
      const refused = await platform.fetch("/v1/agents", { key: k.key });
      expect(refused.status).toBe(401);
      expect((await errorOf(refused)).message).not.toContain(k.key);
    }
    expect(await works(ownersKey.key)).toBe(200);
    const listed = await keysOf(owner);
    expect(listed.find((k) => k.id === theirs.id)?.revokedAt).not.toBeNull();
    expect(listed.find((k) => k.id === ownersKey.id)?.revokedAt).toBeNull();

    const { entries } = await listAuditLog(platform.deps, owner.tenantId, { action: "apikey.revoke" });
    expect(
      entries.map((e) => [e.target.id, e.actor, (e.after as { reason?: string }).reason]).sort(),
    ).toEqual(
      [
        [theirs.id, owner.accountId, "member.remove"],
        [madeWithTheirKey.id, owner.accountId, "member.remove"],
      ].sort(),
    );
  });

  it("revokes their pending invitations, which can then not be accepted", async () => {
    const { owner, admin } = await team();
    const invitation = await invite(platform, admin.token, newEmail("friend"), "admin");
    const key = await createKey(admin.token, "admin");
    const viaKey = await invite(platform, key.key, newEmail("friend-of-key"), "editor");
    const ownersInvitation = await invite(platform, owner.token, newEmail("kept"), "viewer");

    const res = await remove(owner.token, admin.accountId);
    expect(res.status).toBe(200);
    expect((await json<{ revokedInvitations: string[] }>(res)).revokedInvitations.sort()).toEqual(
      [invitation.id, viaKey.id].sort(),
    );
    for (const token of [invitation.token, viaKey.token]) {
      const refused = await accept(platform, token, "a password for the friend");
      expect(refused.status).toBe(400);
      expect(await errorOf(refused)).toMatchObject({ details: { reason: "revoked" } });
    }
    expect((await accept(platform, ownersInvitation.token, "kept long password")).status).toBe(200);
    const { entries } = await listAuditLog(platform.deps, owner.tenantId, { action: "invitation.revoke" });
    expect(entries.map((e) => e.target.id).sort()).toEqual([invitation.id, viaKey.id].sort());
  });

  it("leaves them no credential to invite themselves back with", async () => {
    const { owner, admin } = await team();
    const key = await createKey(admin.token, "admin");
    expect((await remove(owner.token, admin.accountId)).status).toBe(200);
    for (const credential of [admin.token, key.key]) {
      const res = await platform.fetch("/v1/invitations", {
        method: "POST",
        key: credential,
        json: { email: admin.email, role: "admin" },
      });
      expect(res.status).toBe(401);
    }
    // Signing in again finds no workspace left either.
    expect((await logIn(platform, admin.email, admin.password)).status).toBe(403);
  });

  it("does not revive their old session when they are invited back", async () => {
    const { owner, admin } = await team();
    expect((await remove(owner.token, admin.accountId)).status).toBe(200);
    const again = await invite(platform, owner.token, admin.email, "viewer");
    const rejoined = await accept(platform, again.token, admin.password);
    expect(rejoined.status, await rejoined.clone().text()).toBe(200);
    expect(await works(admin.token)).toBe(401);
    expect(await works((await json<{ token: string }>(rejoined)).token)).toBe(200);
  });

  it("when asked, transfers their keys to the remover, who may then revoke them", async () => {
    const { owner, admin } = await team();
    const theirs = await createKey(admin.token, "editor");
    const res = await remove(owner.token, admin.accountId, "?apiKeys=transfer");
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toMatchObject({ transferredApiKeys: [theirs.id], revokedApiKeys: [] });
    expect(await works(theirs.key)).toBe(200);
    expect((await keysOf(owner)).find((k) => k.id === theirs.id)).toMatchObject({
      ownedBy: owner.accountId,
      revokedAt: null,
    });
    const { entries } = await listAuditLog(platform.deps, owner.tenantId, { action: "apikey.transfer" });
    expect(entries[0]).toMatchObject({
      actor: owner.accountId,
      target: { id: theirs.id },
      before: { ownedBy: admin.accountId },
      after: { ownedBy: owner.accountId, reason: "member.remove" },
    });
    // The key now lives by the owner's membership.
    expect(
      (await platform.fetch(`/v1/api-keys/${theirs.id}`, { method: "DELETE", key: owner.token })).status,
    ).toBe(200);
    expect(await works(theirs.key)).toBe(401);
  });

  it("never transfers a key above the remover's role: it is revoked instead", async () => {
    const { owner, admin } = await team();
    const other = await join(platform, owner, "admin", "other-admin");
    const fine = await createKey(other.token, "admin");
    // An owner key held by an admin: left over from before demotions revoked such keys.
    const above = await createKey(owner.token, "owner", "legacy");
    await platform.deps.store.update(apiKeyPath(owner.tenantId, above.id), { ownedBy: other.accountId });

    const res = await remove(admin.token, other.accountId, "?apiKeys=transfer");
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toMatchObject({ transferredApiKeys: [fine.id], revokedApiKeys: [above.id] });
    expect(await works(fine.key)).toBe(200);
    expect(await works(above.key)).toBe(401);
  });

  it("refuses a transfer to an API key, to a member who is leaving, or an unknown choice, changing nothing", async () => {
    const { owner, admin } = await team();
    const ownerKey = await createKey(owner.token, "owner");
    const theirs = await createKey(admin.token, "admin");
    for (const [credential, memberId, query] of [
      [ownerKey.key, admin.accountId, "?apiKeys=transfer"],
      [admin.token, admin.accountId, "?apiKeys=transfer"],
      [owner.token, admin.accountId, "?apiKeys=keep"],
    ] as const) {
      const res = await remove(credential, memberId, query);
      expect(res.status, `${query} ${credential.slice(0, 4)}`).toBe(400);
    }
    expect(await works(admin.token)).toBe(200);
    expect(await works(theirs.key)).toBe(200);
  });

  it("lets an admin leave: their own keys and invitations go with them", async () => {
    const { owner, admin } = await team();
    const theirs = await createKey(admin.token, "viewer");
    const invitation = await invite(platform, admin.token, newEmail(), "viewer");
    const res = await remove(admin.token, admin.accountId);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      revokedApiKeys: [theirs.id],
      revokedInvitations: [invitation.id],
    });
    expect(await works(theirs.key)).toBe(401);
    expect(await works(owner.token)).toBe(200);
  });
});

describe("a member with more credentials than one transaction holds", () => {
  it("has every one settled: the rest in further transactions after the removal", async () => {
    const { owner, admin } = await team();
    // As a busy integration account might: 230 keys and 20 invitations, made straight in the store.
    const ids: string[] = [];
    for (let n = 0; n < 230; n++) {
      const made = await createApiKey(platform.deps, owner.tenantId, {
        name: `integration ${n}`,
        role: "viewer",
        createdBy: admin.accountId,
      });
      ids.push(made.id);
    }
    for (let n = 0; n < 20; n++) await invite(platform, admin.token, newEmail(`bulk${n}`), "viewer");

    const res = await remove(owner.token, admin.accountId);
    expect(res.status, await res.clone().text()).toBe(200);
    const removed = await json<{ revokedApiKeys: string[]; revokedInvitations: string[] }>(res);
    expect(removed.revokedApiKeys.sort()).toEqual([...ids].sort());
    expect(removed.revokedInvitations).toHaveLength(20);
    const listed = await keysOf(owner);
    expect(listed.filter((k) => ids.includes(k.id) && k.revokedAt === null)).toEqual([]);
    const pending = await json<{ invitations: unknown[] }>(
      await platform.fetch("/v1/invitations", { key: owner.token }),
    );
    expect(pending.invitations).toEqual([]);
  });
});

describe("a demotion", () => {
  it("revokes the member's keys and pending invitations above the new role, and keeps the rest", async () => {
    const { owner, admin } = await team();
    const adminKey = await createKey(admin.token, "admin");
    const editorKey = await createKey(admin.token, "editor");
    const adminInvite = await invite(platform, admin.token, newEmail(), "admin");
    const viewerInvite = await invite(platform, admin.token, newEmail(), "viewer");

    expect((await patchRole(owner.token, admin.accountId, "editor")).status).toBe(200);
    expect(await works(adminKey.key)).toBe(401);
    expect(await works(editorKey.key)).toBe(200);
    expect((await accept(platform, adminInvite.token, "a long password")).status).toBe(400);
    expect((await accept(platform, viewerInvite.token, "a long password")).status).toBe(200);
    // Promoted again, the revoked key stays revoked.
    expect((await patchRole(owner.token, admin.accountId, "admin")).status).toBe(200);
    expect(await works(adminKey.key)).toBe(401);
  });
});

describe("when the cascade was missed", () => {
  // As if a removal had raced the key's creation, or the data predates the cascade: the membership is gone
  // from the store directly, and the credentials are untouched.
  async function vanish(owner: Person, member: Person) {
    await platform.deps.store.delete(memberPath(owner.tenantId, member.accountId));
    await platform.deps.store.delete(membershipPath(member.accountId, owner.tenantId));
  }

  it("a key whose creator is no longer a member does not work, nor keys made with it", async () => {
    const { owner, admin } = await team();
    const theirs = await createKey(admin.token, "admin");
    const child = await createKey(theirs.key, "viewer");
    await vanish(owner, admin);
    for (const key of [theirs.key, child.key]) {
      const res = await platform.fetch("/v1/agents", { key });
      expect(res.status).toBe(401);
      expect((await errorOf(res)).message).toMatch(/no longer in this workspace/);
    }
    expect((await keysOf(owner)).find((k) => k.id === theirs.id)?.revokedAt).toBeNull();
  });

  it("a key works only while its creator's role is at least the key's", async () => {
    const { owner, editor } = await team();
    const ownerKey = await createKey(owner.token, "owner");
    await platform.deps.store.update(apiKeyPath(owner.tenantId, ownerKey.id), { ownedBy: editor.accountId });
    const res = await platform.fetch("/v1/agents", { key: ownerKey.key });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/now editor, below the key's owner role/);
  });

  it("a key recorded before ownership existed is judged by who created it, through its chain", async () => {
    const { owner, admin } = await team();
    const theirs = await createKey(admin.token, "admin");
    const child = await createKey(theirs.key, "viewer");
    for (const id of [theirs.id, child.id]) {
      const path = apiKeyPath(owner.tenantId, id);
      const { ownedBy: _ownedBy, ...legacy } = (await platform.deps.store.get(path))?.data ?? {};
      await platform.deps.store.set(path, legacy);
    }
    expect(await works(child.key)).toBe(200);
    await vanish(owner, admin);
    expect(await works(child.key)).toBe(401);
  });

  it("an invitation whose creator left cannot be accepted", async () => {
    const { owner, admin } = await team();
    const invitation = await invite(platform, admin.token, newEmail(), "viewer");
    await vanish(owner, admin);
    const res = await accept(platform, invitation.token, "a long password");
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ code: "failed-precondition", details: { reason: "inviter" } });
  });

  it("the platform's own keys (seeded, made by 'system') belong to nobody and keep working", async () => {
    expect(await works(platform.keys.owner)).toBe(200);
    const seeded = await platform.deps.store.query({
      collection: apiKeysPath("acme"),
      where: [{ field: "hash", op: "==", value: hashApiKey(platform.keys.owner) }],
    });
    expect(seeded[0]?.data).toMatchObject({ createdBy: "system", ownedBy: null });
  });
});

describe("revoking keys", () => {
  it("refuses an admin an owner's key (403), and lets the owner revoke it", async () => {
    const { owner, admin } = await team();
    const ownerKey = await createKey(owner.token, "owner");
    const adminKey = await createKey(admin.token, "admin");
    for (const credential of [admin.token, adminKey.key]) {
      const res = await platform.fetch(`/v1/api-keys/${ownerKey.id}`, { method: "DELETE", key: credential });
      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toMatch(/owner role, above yours \(admin\)/);
    }
    expect(await works(ownerKey.key)).toBe(200);
    // Keys at or below the admin's own role are theirs to revoke, whoever made them.
    const ownersAdminKey = await createKey(owner.token, "admin");
    expect(
      (await platform.fetch(`/v1/api-keys/${ownersAdminKey.id}`, { method: "DELETE", key: admin.token }))
        .status,
    ).toBe(200);
    expect(
      (await platform.fetch(`/v1/api-keys/${ownerKey.id}`, { method: "DELETE", key: owner.token })).status,
    ).toBe(200);
    expect(await works(ownerKey.key)).toBe(401);
  });

  it("answers 404 for another workspace's key, and leaves it working", async () => {
    const { owner } = await team();
    const stranger = await signUp(platform, { tenantName: "Elsewhere" });
    const theirs = await createKey(stranger.token, "admin");
    const res = await platform.fetch(`/v1/api-keys/${theirs.id}`, { method: "DELETE", key: owner.token });
    expect(res.status).toBe(404);
    expect(await works(theirs.key)).toBe(200);
    // Nor can another workspace's owner remove this one's members.
    expect((await remove(stranger.token, owner.accountId)).status).toBe(404);
  });
});
