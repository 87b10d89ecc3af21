/**
 * Local accounts and sessions over real HTTP: sign-up, sign-in, the tenant switcher, and session tokens on
 * /v1 routes (tampered, expired, after a role change, after removal).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Router } from "../platform/http/router.js";
import { bufferedBody } from "../platform/http/http.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { identityRoutes } from "./routes.js";
import { readSessionToken, sessionSecret, signSessionToken } from "./sessions.js";
import { invite, join, json, logIn, newEmail, signUp, accept, type Person } from "./testing/people.js";
import { authenticate } from "./authenticate.js";

let platform: TestPlatform;

beforeAll(async () => {
  // These tests sign in far more often than a person would; the public rate limit has its own tests.
  platform = await startTestPlatform({ RATE_LIMIT_PUBLIC_PER_IP: "0" });
});
afterAll(async () => {
  await platform?.close();
});

const errorOf = async (res: Response) =>
  (await json<{ error: { code: string; message: string } }>(res)).error;

describe("sign-up", () => {
  it("creates an owner whose token works on /v1 routes with owner permissions", async () => {
    const ada = await signUp(platform, {
      email: " Ada.Lovelace@Example.com ",
      tenantName: "Analytical Engines",
    });
    expect(ada.token).toMatch(/^als_/);

    const agents = await platform.fetch("/v1/agents", { key: ada.token });
    expect(agents.status).toBe(200);
    expect(await json(agents)).toEqual({ agents: [] });
    // An owner may create an owner key (keys.manage is admin; the role must not exceed the caller's).
    const key = await platform.fetch("/v1/api-keys", {
      method: "POST",
      key: ada.token,
      json: { name: "CI", role: "owner" },
    });
    expect(key.status, await key.clone().text()).toBe(201);

    const members = await json<{ members: { id: string; email: string; role: string }[] }>(
      await platform.fetch("/v1/members", { key: ada.token }),
    );
    expect(members.members).toEqual([
      expect.objectContaining({ id: ada.accountId, email: "ada.lovelace@example.com", role: "owner" }),
    ]);
    // The token acts in its own tenant only.
    const otherTenant = await platform.fetch("/v1/agents", { key: platform.keys.otherTenantOwner });
    expect(await otherTenant.text()).not.toContain(ada.tenantId);
  });

  it("refuses a second account for the same email, whatever its case", async () => {
    const email = newEmail("grace");
    await signUp(platform, { email });
    const again = await platform.fetch("/auth/signup", {
      method: "POST",
      key: null,
      json: { email: email.toUpperCase(), password: "another long password", tenantName: "Copycat" },
    });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe("already-exists");
  });

  it("refuses passwords shorter than 10 or longer than 200 characters, and a missing tenant name", async () => {
    for (const [password, tenantName] of [
      ["short", "Acme"],
      ["x".repeat(201), "Acme"],
      ["long enough password", "  "],
    ] as const) {
      const res = await platform.fetch("/auth/signup", {
        method: "POST",
        key: null,
        json: { email: newEmail(), password, tenantName },
      });
      expect(res.status, `${password.length} ${tenantName}`).toBe(400);
    }
  });
});

describe("sign-in", () => {
  let ada: Person;
  beforeAll(async () => {
    ada = await signUp(platform);
  });

  it("returns a token for the account's tenant and the list of its tenants", async () => {
    const res = await logIn(platform, ada.email.toUpperCase(), ada.password);
    expect(res.status).toBe(200);
    const body = await json<{ token: string; tenantId: string; tenants: unknown[] }>(res);
    expect(body.tenantId).toBe(ada.tenantId);
    expect(body.tenants).toEqual([{ tenantId: ada.tenantId, name: "Lovelace Analytics", role: "owner" }]);
    expect((await platform.fetch("/v1/agents", { key: body.token })).status).toBe(200);
  });

  it("answers a wrong password and an unknown email identically", async () => {
    const wrong = await logIn(platform, ada.email, "not the password at all");
    const unknown = await logIn(platform, newEmail("nobody"), ada.password);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });
});

describe("the tenant switcher", () => {
  let ada: Person;
  let babbage: Person;
  beforeAll(async () => {
    ada = await signUp(platform, { tenantName: "Ada's workshop" });
    babbage = await signUp(platform, { tenantName: "Difference Engines Ltd" });
    const created = await platform.fetch("/v1/agents", {
      method: "POST",
      key: babbage.token,
      json: { name: "Engine assistant", instructions: "Answer questions about the engine." },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const invitation = await invite(platform, babbage.token, ada.email, "editor");
    expect((await accept(platform, invitation.token, ada.password)).status).toBe(200);
  });

  it("signs in to the oldest membership by default and lists both with their roles", async () => {
    const body = await json<{ tenantId: string; tenants: { tenantId: string; role: string }[] }>(
      await logIn(platform, ada.email, ada.password),
    );
    expect(body.tenantId).toBe(ada.tenantId);
    expect(body.tenants).toEqual([
      { tenantId: ada.tenantId, name: "Ada's workshop", role: "owner" },
      { tenantId: babbage.tenantId, name: "Difference Engines Ltd", role: "editor" },
    ]);
  });

  it("signs in to a chosen tenant, and refuses one the account is not a member of", async () => {
    const res = await logIn(platform, ada.email, ada.password, babbage.tenantId);
    const body = await json<{ token: string; tenantId: string; role: string }>(res);
    expect(body).toMatchObject({ tenantId: babbage.tenantId, role: "editor" });
    const agents = await json<{ agents: { name: string }[] }>(
      await platform.fetch("/v1/agents", { key: body.token }),
    );
    expect(agents.agents.map((a) => a.name)).toEqual(["Engine assistant"]);
    expect((await logIn(platform, ada.email, ada.password, "globex")).status).toBe(403);
  });

  it("switches with a session token to another membership, not to a stranger's tenant", async () => {
    const switched = await platform.fetch("/auth/switch-tenant", {
      method: "POST",
      key: ada.token,
      json: { tenantId: babbage.tenantId },
    });
    expect(switched.status, await switched.clone().text()).toBe(200);
    const body = await json<{ token: string; tenantId: string; role: string }>(switched);
    expect(body).toMatchObject({ tenantId: babbage.tenantId, role: "editor" });
    // Editor there: may create agents, may not manage members.
    expect((await platform.fetch("/v1/members", { key: body.token })).status).toBe(403);
    expect((await platform.fetch("/v1/agents", { key: body.token })).status).toBe(200);

    const stranger = await platform.fetch("/auth/switch-tenant", {
      method: "POST",
      key: ada.token,
      json: { tenantId: "globex" },
    });
    expect(stranger.status).toBe(403);
  });

  it("refuses to switch with an API key or without credentials", async () => {
    for (const key of [platform.keys.owner, null]) {
      const res = await platform.fetch("/auth/switch-tenant", {
        method: "POST",
        key,
        json: { tenantId: "acme" },
      });
      expect(res.status).toBe(401);
    }
  });
});

describe("session tokens", () => {
  let ada: Person;
  beforeAll(async () => {
    ada = await signUp(platform);
  });

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  /** Ada's own session, re-signed with other times. */
  const payload = async (iat: number, exp: number) => ({
    ...readSessionToken(await sessionSecret(platform.deps.config), ada.token),
    iat,
    exp,
  });

  it("are refused once expired, and accepted until then", async () => {
    const secret = await sessionSecret(platform.deps.config);
    const live = signSessionToken(secret, await payload(nowSeconds() - 60, nowSeconds() + 60));
    const expired = signSessionToken(secret, await payload(nowSeconds() - 13 * 3600, nowSeconds() - 3600));
    expect((await platform.fetch("/v1/agents", { key: live })).status).toBe(200);
    const res = await platform.fetch("/v1/agents", { key: expired });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/expired/);
  });

  it("are refused when tampered with or signed with another secret", async () => {
    const [signed, signature] = ada.token.split(".") as [string, string];
    const body = JSON.parse(Buffer.from(signed.slice(4), "base64url").toString("utf8")) as Record<
      string,
      unknown
    >;
    const forgedPayload = Buffer.from(JSON.stringify({ ...body, tid: "acme" })).toString("base64url");
    const flipped = signature.startsWith("A") ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    for (const token of [
      `als_${forgedPayload}.${signature}`,
      `${signed}.${flipped}`,
      `${signed}.`,
      signSessionToken(Buffer.alloc(32, 7), await payload(nowSeconds(), nowSeconds() + 3600)),
    ]) {
      const res = await platform.fetch("/v1/agents", { key: token });
      expect(res.status, token).toBe(401);
    }
    expect((await platform.fetch("/v1/agents", { key: ada.token })).status).toBe(200);
  });

  it("carry the member's current role: a change applies at once, a removal locks them out", async () => {
    const editor = await join(platform, ada, "editor", "lin");
    const createAgent = () =>
      platform.fetch("/v1/agents", {
        method: "POST",
        key: editor.token,
        json: { name: "Draft helper", instructions: "Help with drafts." },
      });
    expect((await createAgent()).status).toBe(201);

    const demoted = await platform.fetch(`/v1/members/${editor.accountId}`, {
      method: "PATCH",
      key: ada.token,
      json: { role: "viewer" },
    });
    expect(demoted.status, await demoted.clone().text()).toBe(200);
    expect((await createAgent()).status).toBe(403);
    expect((await platform.fetch("/v1/agents", { key: editor.token })).status).toBe(200);

    const removed = await platform.fetch(`/v1/members/${editor.accountId}`, {
      method: "DELETE",
      key: ada.token,
    });
    expect(removed.status).toBe(200);
    expect((await platform.fetch("/v1/agents", { key: editor.token })).status).toBe(401);
    // Without a tenant left, the account can no longer sign in anywhere.
    expect((await logIn(platform, editor.email, editor.password)).status).toBe(403);
  });
});

describe("Firebase mode", () => {
  it("answers the local account routes with 404, pointing to Firebase Auth", async () => {
    const deps = { ...platform.deps, config: { ...platform.deps.config, mode: "firebase" as const } };
    const router = new Router(identityRoutes, authenticate);
    for (const [path, body] of [
      ["/auth/signup", { email: newEmail(), password: "long enough password", tenantName: "Acme" }],
      ["/auth/login", { email: newEmail(), password: "long enough password" }],
      [
        "/auth/accept-invitation",
        { token: "ali_acme.x.yyyyyyyyyyyyyyyyyyyy", password: "long enough password" },
      ],
    ] as const) {
      const res = await router.handle(deps, {
        method: "POST",
        path,
        query: new URLSearchParams(),
        headers: { "content-type": "application/json" },
        body: bufferedBody(Buffer.from(JSON.stringify(body))),
        requestId: "test",
      });
      expect(res.status, path).toBe(404);
      expect(JSON.stringify(res.body)).toContain("Firebase Auth");
    }
  });
});
