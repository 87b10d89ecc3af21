/**
 * Firebase mode's identity logic (custom claims) against the real local store and an in-memory
 * ClaimsSetter: creating a tenant, accepting an invitation, switching tenants, and claims that follow role
 * changes and removals. The firebase-admin setter itself needs Firebase Auth and is not run here.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CallableRequest } from "firebase-functions/v2/https";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { callerFromClaims } from "./authenticate.js";
import { loadConfig } from "../platform/config.js";
import { setDeps } from "../platform/process-deps.js";
import { openLocalDeps, type LocalDeps } from "@alchemist/local/adapters/deps";
import type { ClaimsSetter } from "../platform/deps.js";
import { createTenant as createTenantCallable } from "./functions.js";
import { acceptInvitationForUser, createInvitation } from "./invitations.js";
import {
  changeMemberRole,
  createTenantForUser,
  getMember,
  removeMember,
  switchTenantForUser,
  tenantsOf,
  type FirebaseUser,
} from "./members.js";

/** Firebase Auth's custom claims, in memory. */
function fakeClaims() {
  const users = new Map<string, Record<string, unknown>>();
  const revoked: string[] = [];
  const setter: ClaimsSetter = {
    get: async (uid) => ({ ...users.get(uid) }),
    set: async (uid, claims) => {
      const { tenantId: _t, role: _r, ...others } = users.get(uid) ?? {};
      users.set(uid, claims ? { ...others, ...claims } : others);
    },
    revokeSessions: async (uid) => {
      revoked.push(uid);
    },
    setPlatformAdmin: () => Promise.reject(new Error("not used by these tests")),
  };
  return { setter, users, revoked };
}

let deps: LocalDeps;
let dataDir: string;
let claims: ReturnType<typeof fakeClaims>;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-claims-"));
  deps = await openLocalDeps(loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir }));
  claims = fakeClaims();
});
afterEach(() => {
  setDeps(undefined);
  deps.local.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The user as a callable would see them: their ID token carries their current custom claims. */
const user = (uid: string, email: string, emailVerified = true): FirebaseUser => ({
  uid,
  email,
  emailVerified,
  claims: { ...claims.users.get(uid), email, email_verified: emailVerified },
});

/** The caller a Firebase ID token with the user's current claims resolves to. */
const callerOf = (uid: string) => callerFromClaims(uid, claims.users.get(uid) ?? {});

async function ownerWithTenant(uid = "uid-grace", email = "grace@example.com") {
  const created = await createTenantForUser(deps, claims.setter, user(uid, email), "Hopper Systems");
  return { uid, email, tenantId: created.tenantId };
}

async function invitedMember(
  tenantOwner: string,
  uid: string,
  email: string,
  role: "admin" | "editor" | "viewer",
) {
  const { token } = await createInvitation(deps, callerOf(tenantOwner), { email, role });
  return acceptInvitationForUser(deps, claims.setter, user(uid, email), token);
}

describe("createTenant", () => {
  it("makes a user without a tenant the owner of a new one, member first, then claims", async () => {
    const grace = await ownerWithTenant();
    expect(claims.users.get(grace.uid)).toEqual({ tenantId: grace.tenantId, role: "owner" });
    expect(await getMember(deps, grace.tenantId, grace.uid)).toMatchObject({
      role: "owner",
      email: "grace@example.com",
    });
    expect(await tenantsOf(deps, grace.uid)).toEqual([
      { tenantId: grace.tenantId, name: "Hopper Systems", role: "owner" },
    ]);
  });

  it("refuses a user who already has a tenant claim, and creates nothing", async () => {
    const grace = await ownerWithTenant();
    await expect(
      createTenantForUser(deps, claims.setter, user(grace.uid, grace.email), "Second company"),
    ).rejects.toMatchObject({ code: "failed-precondition" });
    expect(await tenantsOf(deps, grace.uid)).toHaveLength(1);
  });

  it("as a deployed callable, answers unimplemented in local mode and unauthenticated without sign-in", async () => {
    setDeps(deps);
    const call = (auth: unknown) =>
      createTenantCallable.run({ data: { tenantName: "Acme" }, auth } as unknown as CallableRequest);
    await expect(call({ uid: "u1", token: { email: "a@example.com" } })).rejects.toMatchObject({
      code: "unimplemented",
    });
    await expect(call(undefined)).rejects.toMatchObject({ code: "unauthenticated" });
  });
});

describe("acceptInvitation", () => {
  it("adds a user whose verified email is the invited one, and points their claims at the tenant", async () => {
    const grace = await ownerWithTenant();
    const { token } = await createInvitation(deps, callerOf(grace.uid), {
      email: "alan@example.com",
      role: "editor",
    });
    const result = await acceptInvitationForUser(
      deps,
      claims.setter,
      user("uid-alan", "Alan@Example.com"),
      token,
    );
    expect(result).toEqual({ tenantId: grace.tenantId, role: "editor" });
    expect(claims.users.get("uid-alan")).toEqual({ tenantId: grace.tenantId, role: "editor" });
    expect(await getMember(deps, grace.tenantId, "uid-alan")).toMatchObject({ role: "editor" });
    await expect(
      acceptInvitationForUser(deps, claims.setter, user("uid-alan", "alan@example.com"), token),
    ).rejects.toMatchObject({ code: "failed-precondition", details: { reason: "used" } });
  });

  it("refuses an unverified email or another email, and leaves the invitation usable", async () => {
    const grace = await ownerWithTenant();
    const { token } = await createInvitation(deps, callerOf(grace.uid), {
      email: "alan@example.com",
      role: "viewer",
    });
    await expect(
      acceptInvitationForUser(deps, claims.setter, user("uid-alan", "alan@example.com", false), token),
    ).rejects.toMatchObject({ code: "failed-precondition" });
    await expect(
      acceptInvitationForUser(deps, claims.setter, user("uid-eve", "eve@example.com"), token),
    ).rejects.toMatchObject({ code: "permission-denied" });
    expect(claims.users.has("uid-eve")).toBe(false);
    expect(await getMember(deps, grace.tenantId, "uid-eve")).toBeNull();
    await expect(
      acceptInvitationForUser(deps, claims.setter, user("uid-alan", "alan@example.com"), token),
    ).resolves.toMatchObject({ role: "viewer" });
  });
});

describe("claims follow role changes and removals", () => {
  it("updates the claims of a member signed in to this tenant and signs them out", async () => {
    const grace = await ownerWithTenant();
    await invitedMember(grace.uid, "uid-alan", "alan@example.com", "editor");
    claims.users.set("uid-alan", { ...claims.users.get("uid-alan"), beta: true });

    await changeMemberRole(deps, callerOf(grace.uid), "uid-alan", "viewer", claims.setter);
    expect(claims.users.get("uid-alan")).toEqual({ tenantId: grace.tenantId, role: "viewer", beta: true });
    expect(claims.revoked).toEqual(["uid-alan"]);

    await removeMember(deps, callerOf(grace.uid), "uid-alan", claims.setter);
    expect(claims.users.get("uid-alan")).toEqual({ beta: true });
    expect(claims.revoked).toEqual(["uid-alan", "uid-alan"]);
  });

  it("leaves alone the claims of a member now in another tenant, but revokes their ID tokens", async () => {
    const grace = await ownerWithTenant();
    const ada = await ownerWithTenant("uid-ada", "ada@example.com");
    await invitedMember(grace.uid, ada.uid, ada.email, "editor");
    // Ada switches back to her own tenant, then Grace demotes her in Hopper Systems.
    await switchTenantForUser(deps, claims.setter, user(ada.uid, ada.email), ada.tenantId);
    await changeMemberRole(deps, callerOf(grace.uid), ada.uid, "viewer", claims.setter);
    expect(claims.users.get(ada.uid)).toEqual({ tenantId: ada.tenantId, role: "owner" });
    // An ID token from before her switch still names Hopper Systems as an editor: only revocation ends it.
    expect(claims.revoked).toEqual([ada.uid]);
    expect(await getMember(deps, grace.tenantId, ada.uid)).toMatchObject({ role: "viewer" });
  });

  it("changes no claims when the role change is refused", async () => {
    const grace = await ownerWithTenant();
    await invitedMember(grace.uid, "uid-alan", "alan@example.com", "admin");
    await invitedMember(grace.uid, "uid-lin", "lin@example.com", "viewer");
    await expect(
      changeMemberRole(deps, callerOf("uid-alan"), "uid-lin", "owner", claims.setter),
    ).rejects.toMatchObject({ code: "permission-denied" });
    expect(claims.users.get("uid-lin")).toEqual({ tenantId: grace.tenantId, role: "viewer" });
    expect(claims.revoked).toEqual([]);
  });
});

describe("claims that could not be updated", () => {
  it("are repaired by repeating the request, even a removal whose member is already gone", async () => {
    const grace = await ownerWithTenant();
    await invitedMember(grace.uid, "uid-alan", "alan@example.com", "editor");
    const flaky: ClaimsSetter = {
      ...claims.setter,
      set: async () => {
        throw new Error("Firebase Auth is unavailable");
      },
    };
    await expect(removeMember(deps, callerOf(grace.uid), "uid-alan", flaky)).rejects.toThrow(/unavailable/);
    expect(await getMember(deps, grace.tenantId, "uid-alan")).toBeNull();
    expect(claims.users.get("uid-alan")).toEqual({ tenantId: grace.tenantId, role: "editor" });

    await expect(removeMember(deps, callerOf(grace.uid), "uid-alan", claims.setter)).rejects.toMatchObject({
      code: "not-found",
    });
    expect(claims.users.get("uid-alan")).toEqual({});
    expect(claims.revoked).toEqual(["uid-alan"]);
  });

  it("are left alone, and the user stays signed in, when they already match", async () => {
    const grace = await ownerWithTenant();
    await invitedMember(grace.uid, "uid-alan", "alan@example.com", "editor");
    await changeMemberRole(deps, callerOf(grace.uid), "uid-alan", "editor", claims.setter);
    expect(claims.revoked).toEqual([]);
  });
});

describe("switchTenant", () => {
  it("points the claims at another membership with its role, and refuses a stranger's tenant", async () => {
    const grace = await ownerWithTenant();
    const ada = await ownerWithTenant("uid-ada", "ada@example.com");
    await invitedMember(grace.uid, ada.uid, ada.email, "viewer");
    expect(claims.users.get(ada.uid)).toEqual({ tenantId: grace.tenantId, role: "viewer" });
    await switchTenantForUser(deps, claims.setter, user(ada.uid, ada.email), ada.tenantId);
    expect(claims.users.get(ada.uid)).toEqual({ tenantId: ada.tenantId, role: "owner" });

    const eve = await ownerWithTenant("uid-eve", "eve@example.com");
    await expect(
      switchTenantForUser(deps, claims.setter, user(ada.uid, ada.email), eve.tenantId),
    ).rejects.toMatchObject({ code: "permission-denied" });
    expect(claims.users.get(ada.uid)).toEqual({ tenantId: ada.tenantId, role: "owner" });
  });
});
