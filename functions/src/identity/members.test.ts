/**
 * Members and their roles over real HTTP: who may list, promote, demote and remove whom, and the audit
 * entries those changes leave.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditLog } from "../platform/audit.js";
import type { Caller } from "../platform/caller.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { checkRoleChange, type MemberView } from "./members.js";
import { membershipPath } from "./schema.js";
import { join, json, signUp, type Person } from "./testing/people.js";

let platform: TestPlatform;

beforeAll(async () => {
  // These tests sign in far more often than a person would; the public rate limit has its own tests.
  platform = await startTestPlatform({ RATE_LIMIT_PUBLIC_PER_IP: "0" });
});
afterAll(async () => {
  await platform?.close();
});

const patchRole = (token: string, memberId: string, role: string) =>
  platform.fetch(`/v1/members/${memberId}`, { method: "PATCH", key: token, json: { role } });
const remove = (token: string, memberId: string) =>
  platform.fetch(`/v1/members/${memberId}`, { method: "DELETE", key: token });
const roleOf = async (owner: Person, memberId: string) =>
  (
    await json<{ members: { id: string; role: string }[] }>(
      await platform.fetch("/v1/members", { key: owner.token }),
    )
  ).members.find((m) => m.id === memberId)?.role;
const codeOf = async (res: Response) => (await json<{ error: { code: string } }>(res)).error.code;

/** A tenant with one member of each role. */
async function team() {
  const owner = await signUp(platform, { tenantName: "Hopper & Co" });
  const admin = await join(platform, owner, "admin");
  const editor = await join(platform, owner, "editor");
  const viewer = await join(platform, owner, "viewer");
  return { owner, admin, editor, viewer };
}

describe("listing members", () => {
  it("is for admins: they see everyone with their role; editors are refused", async () => {
    const { owner, admin, editor, viewer } = await team();
    const res = await platform.fetch("/v1/members", { key: admin.token });
    expect(res.status).toBe(200);
    const { members } = await json<{ members: { id: string; email: string; role: string }[] }>(res);
    expect(members.map((m) => [m.id, m.email, m.role])).toEqual([
      [owner.accountId, owner.email, "owner"],
      [admin.accountId, admin.email, "admin"],
      [editor.accountId, editor.email, "editor"],
      [viewer.accountId, viewer.email, "viewer"],
    ]);
    expect((await platform.fetch("/v1/members", { key: editor.token })).status).toBe(403);
  });
});

describe("changing roles", () => {
  let t: Awaited<ReturnType<typeof team>>;
  beforeAll(async () => {
    t = await team();
  });

  it("lets an admin promote and demote below the owner role", async () => {
    const res = await patchRole(t.admin.token, t.viewer.accountId, "editor");
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toMatchObject({ id: t.viewer.accountId, role: "editor" });
    expect(await roleOf(t.owner, t.viewer.accountId)).toBe("editor");
    expect((await patchRole(t.admin.token, t.viewer.accountId, "viewer")).status).toBe(200);
    expect(await roleOf(t.owner, t.viewer.accountId)).toBe("viewer");
  });

  it("never lets anyone grant a role above their own, nor an admin touch the owner role", async () => {
    for (const [who, target, role] of [
      [t.admin, t.viewer, "owner"], // above an admin's own role
      [t.admin, t.owner, "admin"], // revoking owner
      [t.admin, t.editor, "owner"],
    ] as const) {
      const res = await patchRole(who.token, target.accountId, role);
      expect(res.status, `${role} for ${target.email}`).toBe(403);
    }
    expect((await remove(t.admin.token, t.owner.accountId)).status).toBe(403);
    expect(await roleOf(t.owner, t.owner.accountId)).toBe("owner");
    expect(await roleOf(t.owner, t.viewer.accountId)).toBe("viewer");
  });

  it("refuses editors and viewers outright", async () => {
    expect((await patchRole(t.editor.token, t.viewer.accountId, "editor")).status).toBe(403);
    expect((await remove(t.viewer.token, t.editor.accountId)).status).toBe(403);
  });

  it("does not let a member change their own role, even upward by an owner or downward by an admin", async () => {
    const ownSelf = await patchRole(t.owner.token, t.owner.accountId, "admin");
    expect(ownSelf.status).toBe(403);
    expect((await patchRole(t.admin.token, t.admin.accountId, "editor")).status).toBe(403);
    expect(await roleOf(t.owner, t.admin.accountId)).toBe("admin");
  });

  it("answers 404 for a member of another tenant, or nobody", async () => {
    const stranger = await signUp(platform, { tenantName: "Elsewhere" });
    expect((await patchRole(t.owner.token, stranger.accountId, "viewer")).status).toBe(404);
    expect((await remove(t.owner.token, "no-such-member")).status).toBe(404);
    expect(await roleOf(stranger, stranger.accountId)).toBe("owner");
  });

  it("records each change in the audit log", async () => {
    expect((await patchRole(t.owner.token, t.editor.accountId, "viewer")).status).toBe(200);
    const { entries } = await listAuditLog(platform.deps, t.owner.tenantId, { action: "member.changeRole" });
    expect(entries[0]).toMatchObject({
      actor: t.owner.accountId,
      target: { type: "member", id: t.editor.accountId },
      before: { role: "editor" },
      after: { role: "viewer" },
    });
  });
});

describe("owners", () => {
  it("may make another owner, who may then demote the first; the last owner stays", async () => {
    const { owner, admin } = await team();
    expect((await patchRole(owner.token, admin.accountId, "owner")).status).toBe(200);
    expect((await patchRole(admin.token, owner.accountId, "editor")).status).toBe(200);
    expect(await roleOf(admin, owner.accountId)).toBe("editor");
    // `admin` is now the only owner: an owner API key may try to demote or remove them, and cannot.
    const key = await json<{ key: string }>(
      await platform.fetch("/v1/api-keys", {
        method: "POST",
        key: admin.token,
        json: { name: "ops", role: "owner" },
      }),
    );
    const demote = await patchRole(key.key, admin.accountId, "admin");
    expect(demote.status).toBe(400);
    expect(await codeOf(demote)).toBe("failed-precondition");
    expect((await remove(key.key, admin.accountId)).status).toBe(400);
    // Nor may the last owner leave.
    expect((await remove(admin.token, admin.accountId)).status).toBe(400);
    expect(await roleOf(admin, admin.accountId)).toBe("owner");
  });

  it("can remove an admin, whose token then stops working and who leaves the audit log an entry", async () => {
    const { owner, admin } = await team();
    expect((await platform.fetch("/v1/members", { key: admin.token })).status).toBe(200);
    const res = await remove(owner.token, admin.accountId);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: admin.accountId, role: "admin" });
    expect((await platform.fetch("/v1/members", { key: admin.token })).status).toBe(401);
    expect(await roleOf(owner, admin.accountId)).toBeUndefined();
    const { entries } = await listAuditLog(platform.deps, owner.tenantId, { action: "member.remove" });
    expect(entries.map((e) => e.target)).toEqual([{ type: "member", id: admin.accountId }]);
  });

  it("lets an admin leave by removing themselves (members below admin cannot use the route)", async () => {
    const { owner, admin, editor } = await team();
    expect((await remove(editor.token, editor.accountId)).status).toBe(403);
    expect((await remove(admin.token, admin.accountId)).status).toBe(200);
    expect(await roleOf(owner, admin.accountId)).toBeUndefined();
    expect(await roleOf(owner, editor.accountId)).toBe("editor");
  });
});

describe("the account's index of its workspaces", () => {
  const entryOf = async (accountId: string, tenantId: string) =>
    (await platform.deps.store.get(membershipPath(accountId, tenantId)))?.data;

  it("carries the workspace's name and the current role, through joins, role changes and removal", async () => {
    const { owner, editor } = await team();
    expect(await entryOf(owner.accountId, owner.tenantId)).toMatchObject({
      tenantId: owner.tenantId,
      tenantName: "Hopper & Co",
      role: "owner",
    });
    expect(await entryOf(editor.accountId, owner.tenantId)).toMatchObject({
      tenantName: "Hopper & Co",
      role: "editor",
    });

    expect((await patchRole(owner.token, editor.accountId, "admin")).status).toBe(200);
    expect(await entryOf(editor.accountId, owner.tenantId)).toMatchObject({ role: "admin" });

    expect((await remove(owner.token, editor.accountId)).status).toBe(200);
    expect(await entryOf(editor.accountId, owner.tenantId)).toBeUndefined();
  });
});

describe("the role rules, whatever role the routes require", () => {
  // The routes need members.manage (admin), which already keeps editors out; the rules must hold alone.
  const editor: Caller = { tenantId: "acme", role: "editor", uid: "lin", via: "session" };
  const member = (role: MemberView["role"]): MemberView => ({
    id: "kim",
    email: "kim@example.com",
    role,
    createdAt: "2026-01-01T00:00:00.000Z",
  });

  it("refuses a grant above the caller's own role, and allows one at or below it", () => {
    expect(() => checkRoleChange(editor, member("viewer"), "admin")).toThrow(/cannot grant the admin role/);
    expect(() => checkRoleChange(editor, member("viewer"), "editor")).not.toThrow();
  });
});
