/**
 * The rules behind a workspace's standing, without a server: who counts as an operator or as signed in with a
 * second factor from Firebase claims, whom the two-step policy refuses, what a tenant document means, and
 * which environment lists are acceptable.
 */
import { describe, expect, it } from "vitest";
import type { Caller } from "../platform/caller.js";
import { callerFromClaims } from "./authenticate.js";
import { defaultEnvironments, environmentsSchema } from "./environments.js";
import { mfaRefusal, standingOf, tenantSchema } from "./tenants.js";

describe("callerFromClaims", () => {
  const base = { tenantId: "acme", role: "owner" };

  it("reads the operator's claim, and the second factor Firebase Auth reports", () => {
    expect(callerFromClaims("u1", { ...base, platformAdmin: true })).toMatchObject({ platformAdmin: true });
    expect(callerFromClaims("u1", { ...base, platformAdmin: "true" }).platformAdmin).toBeUndefined();
    expect(callerFromClaims("u1", base).platformAdmin).toBeUndefined();
    const totp = callerFromClaims("u1", { ...base, firebase: { sign_in_second_factor: "totp" } });
    expect(totp.mfa).toBe(true);
    expect(
      callerFromClaims("u1", { ...base, firebase: { sign_in_provider: "password" } }).mfa,
    ).toBeUndefined();
  });

  it("never makes an operator of a token minted for an API key", () => {
    const caller = callerFromClaims("u1", { ...base, apiKey: "k1", platformAdmin: true });
    expect(caller.via).toBe("api-key");
    expect(caller.platformAdmin).toBeUndefined();
  });
});

describe("the two-step sign-in policy", () => {
  const required = standingOf(
    tenantSchema.parse({ name: "A", createdAt: "x", security: { mfaRequired: true } }),
  );
  const open = standingOf(tenantSchema.parse({ name: "A", createdAt: "x" }));
  const caller = (over: Partial<Caller>): Caller => ({
    tenantId: "acme",
    role: "owner",
    uid: "u1",
    via: "session",
    ...over,
  });

  it.each([
    ["an owner's session without a second factor", caller({}), true],
    ["an admin's ID token without a second factor", caller({ role: "admin", via: "id-token" }), true],
    ["an owner who used a second factor", caller({ mfa: true }), false],
    ["an editor", caller({ role: "editor" }), false],
    ["a viewer", caller({ role: "viewer" }), false],
    ["an owner's API key", caller({ via: "api-key" }), false],
  ])("%s: refused %s", (_who, c, refused) => {
    const refusal = mfaRefusal(c, required);
    expect(refusal !== null).toBe(refused);
    if (refusal) expect(refusal.code).toBe("mfa-required");
    expect(mfaRefusal(c, open)).toBeNull();
  });
});

describe("a tenant document", () => {
  it("reads an old document (no standing fields) as active, with every feature on and the default environments", () => {
    const standing = standingOf(
      tenantSchema.parse({ name: "Old", createdAt: "2025-01-01T00:00:00Z", plan: "free" }),
    );
    expect(standing).toEqual({
      suspension: null,
      featuresOff: [],
      mfaRequired: false,
      environments: defaultEnvironments,
    });
  });

  it("lists only known features that are off, and a suspension only while suspended", () => {
    const tenant = tenantSchema.parse({
      name: "A",
      createdAt: "x",
      features: { whatsapp: false, mcp: true, somethingOld: false },
      status: "active",
      suspension: { reason: "old", at: "x", by: "operator:o" },
    });
    expect(standingOf(tenant)).toMatchObject({ featuresOff: ["whatsapp"], suspension: null });
  });
});

describe("environment lists", () => {
  it("accepts 2-6 uniquely named environments ending with production", () => {
    expect(environmentsSchema.safeParse(defaultEnvironments).success).toBe(true);
    const bad = [
      [{ name: "production", label: "P" }],
      [
        { name: "staging", label: "S" },
        { name: "development", label: "D" },
      ],
      [
        { name: "qa", label: "Q" },
        { name: "qa", label: "Q2" },
        { name: "production", label: "P" },
      ],
      [
        { name: "QA", label: "Q" },
        { name: "production", label: "P" },
      ],
      [
        { name: "qa", label: "" },
        { name: "production", label: "P" },
      ],
      [
        { name: "../x", label: "X" },
        { name: "production", label: "P" },
      ],
    ];
    for (const list of bad)
      expect(environmentsSchema.safeParse(list).success, JSON.stringify(list)).toBe(false);
  });
});
