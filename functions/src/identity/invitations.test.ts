/**
 * Invitations over real HTTP (create, list, revoke, accept as a new or an existing account, single use),
 * and their 7-day expiry against a hand-moved clock.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Caller } from "../platform/caller.js";
import { manualClock } from "../platform/clock.js";
import { loadConfig } from "../platform/config.js";
import { openLocalDeps } from "@alchemist/local/adapters/deps";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { createApiKey } from "./api-keys.js";
import { createTenant } from "./tenants.js";
import { acceptInvitationWithPassword, createInvitation } from "./invitations.js";
import { accept, invite, join, json, logIn, newEmail, signUp, type Person } from "./testing/people.js";

let platform: TestPlatform;
let owner: Person;
let admin: Person;
let editor: Person;

beforeAll(async () => {
  // These tests sign in far more often than a person would; the public rate limit has its own tests.
  platform = await startTestPlatform({ RATE_LIMIT_PUBLIC_PER_IP: "0" });
  owner = await signUp(platform, { tenantName: "Noether Labs" });
  admin = await join(platform, owner, "admin");
  editor = await join(platform, owner, "editor");
});
afterAll(async () => {
  await platform?.close();
});

const errorOf = async (res: Response) =>
  (await json<{ error: { code: string; message: string; details?: { reason?: string } } }>(res)).error;

describe("creating invitations", () => {
  it("gives an admin a one-time link that expires in 7 days, listed without its token", async () => {
    const email = newEmail("emmy");
    const before = Date.now();
    const invitation = await invite(platform, admin.token, email, "editor");
    expect(invitation.token).toMatch(/^ali_/);
    expect(invitation.acceptUrl).toBe(`/accept-invitation?token=${encodeURIComponent(invitation.token)}`);
    const after = Date.now();
    const week = 7 * 24 * 3600 * 1000;
    expect(Date.parse(invitation.expiresAt)).toBeGreaterThanOrEqual(before + week);
    expect(Date.parse(invitation.expiresAt)).toBeLessThanOrEqual(after + week);

    const res = await platform.fetch("/v1/invitations", { key: admin.token });
    expect(res.status).toBe(200);
    const text = await res.text();
    const listed = (JSON.parse(text) as { invitations: { id: string; email: string; role: string }[] })
      .invitations;
    expect(listed.find((i) => i.id === invitation.id)).toMatchObject({
      email,
      role: "editor",
      status: "pending",
    });
    expect(text).not.toContain(invitation.token.split(".")[2]);
    expect(text).not.toContain("tokenHash");
  });

  it("refuses editors, and admins inviting an owner; an admin may invite an admin", async () => {
    const byEditor = await platform.fetch("/v1/invitations", {
      method: "POST",
      key: editor.token,
      json: { email: newEmail(), role: "viewer" },
    });
    expect(byEditor.status).toBe(403);
    const ownerByAdmin = await platform.fetch("/v1/invitations", {
      method: "POST",
      key: admin.token,
      json: { email: newEmail(), role: "owner" },
    });
    expect(ownerByAdmin.status).toBe(403);
    await invite(platform, admin.token, newEmail(), "admin");
  });

  it("refuses to invite someone who is already a member", async () => {
    const res = await platform.fetch("/v1/invitations", {
      method: "POST",
      key: owner.token,
      json: { email: editor.email.toUpperCase(), role: "viewer" },
    });
    expect(res.status).toBe(409);
  });
});

describe("accepting invitations", () => {
  it("creates an account with the invited email and role, signed in to the tenant", async () => {
    const email = newEmail("sophie");
    const invitation = await invite(platform, admin.token, email, "viewer");
    const res = await accept(platform, invitation.token, "germain prime numbers");
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await json<{ token: string; tenantId: string; role: string }>(res);
    expect(body).toMatchObject({ tenantId: owner.tenantId, role: "viewer" });
    expect((await platform.fetch("/v1/agents", { key: body.token })).status).toBe(200);
    const create = await platform.fetch("/v1/agents", {
      method: "POST",
      key: body.token,
      json: { name: "Not allowed" },
    });
    expect(create.status).toBe(403);
    // The account is a real one: it signs in with its email and password.
    expect((await logIn(platform, email, "germain prime numbers")).status).toBe(200);
  });

  it("refuses a new account's password under 10 characters, and leaves the link usable", async () => {
    const invitation = await invite(platform, admin.token, newEmail(), "viewer");
    expect((await accept(platform, invitation.token, "short")).status).toBe(400);
    expect((await accept(platform, invitation.token)).status).toBe(400);
    expect((await accept(platform, invitation.token, "now long enough")).status).toBe(200);
  });

  it("joins an existing account only with that account's password", async () => {
    const marie = await signUp(platform, { tenantName: "Curie Institute" });
    const invitation = await invite(platform, owner.token, marie.email, "editor");
    expect((await accept(platform, invitation.token)).status).toBe(401);
    expect((await accept(platform, invitation.token, "somebody else's password")).status).toBe(401);
    const res = await accept(platform, invitation.token, marie.password);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      tenantId: owner.tenantId,
      role: "editor",
      accountId: marie.accountId,
    });
    const login = await json<{ tenants: { tenantId: string; role: string }[] }>(
      await logIn(platform, marie.email, marie.password),
    );
    expect(login.tenants.map((t) => [t.tenantId, t.role])).toEqual([
      [marie.tenantId, "owner"],
      [owner.tenantId, "editor"],
    ]);
  });

  it("works once: a second use is refused as used", async () => {
    const invitation = await invite(platform, admin.token, newEmail(), "viewer");
    expect((await accept(platform, invitation.token, "first and only use")).status).toBe(200);
    const again = await accept(platform, invitation.token, "first and only use");
    expect(again.status).toBe(400);
    expect(await errorOf(again)).toMatchObject({ code: "failed-precondition", details: { reason: "used" } });
  });

  it("works once even when accepted twice at the same moment", async () => {
    const invitation = await invite(platform, admin.token, newEmail(), "viewer");
    const results = await Promise.all([
      accept(platform, invitation.token, "racing passwords"),
      accept(platform, invitation.token, "racing passwords"),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it("stops working once revoked, and leaves the pending list", async () => {
    const invitation = await invite(platform, admin.token, newEmail(), "viewer");
    const revoked = await platform.fetch(`/v1/invitations/${invitation.id}`, {
      method: "DELETE",
      key: admin.token,
    });
    expect(revoked.status).toBe(200);
    expect(await json(revoked)).toMatchObject({
      id: invitation.id,
      status: "revoked",
      revokedBy: admin.accountId,
    });
    const res = await accept(platform, invitation.token, "too late for this");
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toMatchObject({ details: { reason: "revoked" } });
    const list = await json<{ invitations: { id: string }[] }>(
      await platform.fetch("/v1/invitations", { key: admin.token }),
    );
    expect(list.invitations.map((i) => i.id)).not.toContain(invitation.id);
  });

  it("refuses to revoke an accepted invitation, or another tenant's", async () => {
    const invitation = await invite(platform, admin.token, newEmail(), "viewer");
    expect((await accept(platform, invitation.token, "accepted already")).status).toBe(200);
    const res = await platform.fetch(`/v1/invitations/${invitation.id}`, {
      method: "DELETE",
      key: owner.token,
    });
    expect(res.status).toBe(400);
    const pending = await invite(platform, admin.token, newEmail(), "viewer");
    const foreign = await platform.fetch(`/v1/invitations/${pending.id}`, {
      method: "DELETE",
      key: platform.keys.otherTenantOwner,
    });
    expect(foreign.status).toBe(404);
  });

  it("refuses a link that was altered or made up", async () => {
    const invitation = await invite(platform, admin.token, newEmail(), "viewer");
    const [prefix, id, secret] = invitation.token.split(".") as [string, string, string];
    const altered = `${prefix}.${id}.${secret.startsWith("A") ? "B" : "A"}${secret.slice(1)}`;
    for (const token of [altered, `ali_globex.${id}.${secret}`, "ali_nothing", "not a token"]) {
      const res = await accept(platform, token, "whatever password");
      expect(res.status, token).toBe(404);
    }
    expect((await accept(platform, invitation.token, "the real one works")).status).toBe(200);
  });
});

describe("expiry", () => {
  it("refuses an invitation after 7 days, by the platform's clock", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-invitations-"));
    const clock = manualClock();
    const deps = await openLocalDeps(loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir }), {
      clock,
    });
    try {
      await createTenant(deps, "acme", "Acme");
      // Invitations are only as good as their creator: a real admin key, which still works at acceptance.
      const key = await createApiKey(deps, "acme", { name: "admin", role: "admin" });
      const caller: Caller = { tenantId: "acme", role: "admin", uid: `apikey:${key.id}`, via: "api-key" };
      const fresh = await createInvitation(deps, caller, { email: "kept@example.com", role: "viewer" });
      const stale = await createInvitation(deps, caller, { email: "late@example.com", role: "viewer" });
      clock.advance(7 * 24 * 3600 * 1000 - 1000);
      await expect(
        acceptInvitationWithPassword(deps, { token: fresh.token, password: "in time, just" }),
      ).resolves.toMatchObject({ tenantId: "acme", role: "viewer" });
      clock.advance(2000);
      await expect(
        acceptInvitationWithPassword(deps, { token: stale.token, password: "a day too late" }),
      ).rejects.toMatchObject({ code: "failed-precondition", details: { reason: "expired" } });
    } finally {
      deps.local.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
