/**
 * Tenant isolation and permissions, route by route, generated from the route table itself: every
 * authenticated route must have a case here (a new route without one fails the suite). For each route:
 * - every role below the route's permission gets 403;
 * - another tenant's owner, given this tenant's ids, gets 404 (no existence leak), or for lists and
 *   creations, nothing of this tenant;
 * - ids with slashes or path traversal are refused (400/404), never a 5xx and never a success.
 * Plus keys scoped to one agent, and role escalation attempted through request bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "../../platform/local/testing/platform.js";
import { permissionTable } from "../../platform/permissions.js";
import { createApiKey, createTenant, roles, type Role } from "../../platform/tenancy.js";
import { routes } from "./routes.js";

let platform: TestPlatform;

/** Acme's resources, created once. */
interface Ids {
  kbId: string;
  docId: string;
  agentId: string;
  otherAgentId: string;
  conversationId: string;
  otherConversationId: string;
  traceId: string;
  keyId: string;
  memberId: string;
  invitationId: string;
}
let ids: Ids;

async function body<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

beforeAll(async () => {
  // Public routes (accepting an invitation) are rate limited per IP; this suite makes many calls.
  platform = await startTestPlatform({ RATE_LIMIT_PUBLIC_PER_IP: "0" });
  const post = async (path: string, json: unknown) => {
    const res = await platform.fetch(path, { method: "POST", json });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return body<{ id: string; key?: string }>(res);
  };
  const kbId = (await post("/v1/knowledge-bases", { name: "Private" })).id;
  const docId = (
    await post(`/v1/knowledge-bases/${kbId}/documents`, {
      name: "secret.md",
      text: "The acquisition of Initech closes on March 3. Only the board knows.",
    })
  ).id;
  await platform.host.runner.idle();
  const agentId = (await post("/v1/agents", { name: "Board bot", knowledgeBaseIds: [kbId] })).id;
  await post(`/v1/agents/${agentId}/publish`, {});
  const otherAgentId = (await post("/v1/agents", { name: "Other bot", knowledgeBaseIds: [kbId] })).id;
  await post(`/v1/agents/${otherAgentId}/publish`, {});
  const conversationId = (await post(`/v1/agents/${agentId}/conversations`, {})).id;
  const otherConversationId = (await post(`/v1/agents/${otherAgentId}/conversations`, {})).id;
  const answer = await body<{ message: { traceId: string } }>(
    await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      json: { content: "When does the acquisition close?" },
    }),
  );
  const keyId = (await post("/v1/api-keys", { name: "spare", role: "viewer" })).id;
  const invited = await body<{ token: string }>(
    await platform.fetch("/v1/invitations", {
      method: "POST",
      json: { email: "lin@acme.example", role: "viewer" },
    }),
  );
  const accepted = await platform.fetch("/auth/accept-invitation", {
    method: "POST",
    json: { token: invited.token, password: "a long password" },
    key: null,
  });
  expect(accepted.status, await accepted.clone().text()).toBeLessThan(300);
  const memberId = (await body<{ accountId: string }>(accepted)).accountId;
  const invitationId = (await post("/v1/invitations", { email: "max@acme.example", role: "editor" })).id;
  ids = {
    kbId,
    docId,
    agentId,
    otherAgentId,
    conversationId,
    otherConversationId,
    traceId: answer.message.traceId,
    keyId,
    memberId,
    invitationId,
  };
}, 60_000);

afterAll(async () => {
  await platform?.close();
});

interface Case {
  /** The lowest role that may call it: the policy, written down independently of the route table. */
  readonly role: Role;
  /** A body that is valid for this tenant's ids (so a cross-tenant call reaches the lookup). */
  readonly body?: (ids: Ids) => unknown;
  /** What another tenant gets: 404, or `lists` for routes that only ever show the caller's own tenant. */
  readonly otherTenant: 404 | "own-data-only";
}

/** One entry per authenticated route, keyed "METHOD path". */
const cases: Record<string, Case> = {
  "POST /v1/knowledge-bases": {
    role: "editor",
    body: () => ({ name: "x" }),
    otherTenant: "own-data-only",
  },
  "GET /v1/knowledge-bases": {
    role: "viewer",
    otherTenant: "own-data-only",
  },
  "GET /v1/knowledge-bases/{kbId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/knowledge-bases/{kbId}/documents": {
    role: "editor",
    body: () => ({ name: "n.md", text: "hello world" }),
    otherTenant: 404,
  },
  "GET /v1/knowledge-bases/{kbId}/documents": {
    role: "viewer",
    otherTenant: 404,
  },
  "DELETE /v1/knowledge-bases/{kbId}/documents/{docId}": {
    role: "editor",
    otherTenant: 404,
  },
  "POST /v1/knowledge-bases/{kbId}/documents/{docId}/restore": {
    role: "editor",
    body: () => ({ version: 1 }),
    otherTenant: 404,
  },
  "GET /v1/knowledge-bases/{kbId}/documents/{docId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/knowledge-bases/{kbId}/search": {
    role: "viewer",
    body: () => ({ query: "acquisition" }),
    otherTenant: 404,
  },
  "POST /v1/api-keys": {
    role: "admin",
    body: (i) => ({ name: "k", role: "viewer", agentId: i.agentId }),
    otherTenant: 404,
  },
  "GET /v1/api-keys": {
    role: "admin",
    otherTenant: "own-data-only",
  },
  "DELETE /v1/api-keys/{keyId}": {
    role: "admin",
    otherTenant: 404,
  },
  "GET /v1/agents": {
    role: "viewer",
    otherTenant: "own-data-only",
  },
  "POST /v1/agents": {
    role: "editor",
    body: (i) => ({ name: "spy", knowledgeBaseIds: [i.kbId] }),
    otherTenant: 404,
  },
  "GET /v1/agents/{agentId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "PATCH /v1/agents/{agentId}": {
    role: "editor",
    body: () => ({ name: "renamed" }),
    otherTenant: 404,
  },
  "DELETE /v1/agents/{agentId}": {
    role: "editor",
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/publish": {
    role: "editor",
    body: () => ({}),
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/rollback": {
    role: "editor",
    body: () => ({ version: 1 }),
    otherTenant: 404,
  },
  "GET /v1/agents/{agentId}/versions": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/pause": {
    role: "editor",
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/resume": {
    role: "editor",
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/conversations": {
    role: "viewer",
    body: () => ({}),
    otherTenant: 404,
  },
  "GET /v1/conversations": {
    role: "editor",
    otherTenant: "own-data-only",
  },
  "GET /v1/conversations/{conversationId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/conversations/{conversationId}/messages": {
    role: "viewer",
    body: () => ({ content: "hello?" }),
    otherTenant: 404,
  },
  "GET /v1/conversations/{conversationId}/messages": {
    role: "viewer",
    otherTenant: 404,
  },
  "GET /v1/traces/{traceId}": {
    role: "editor",
    otherTenant: 404,
  },
  // Summarizes end users' conversations, so it needs what reading them needs.
  "GET /v1/analytics": {
    role: "editor",
    otherTenant: "own-data-only",
  },
  "GET /v1/audit-log": { role: "admin", otherTenant: "own-data-only" },
  "POST /v1/privacy/export": {
    role: "admin",
    body: () => ({ endUserRef: "customer-1" }),
    otherTenant: "own-data-only",
  },
  "POST /v1/privacy/erase": {
    role: "admin",
    body: () => ({ endUserRef: "customer-1" }),
    otherTenant: "own-data-only",
  },
  "GET /v1/settings": { role: "admin", otherTenant: "own-data-only" },
  "PATCH /v1/settings": { role: "admin", body: () => ({ retentionDays: 30 }), otherTenant: "own-data-only" },
  "GET /v1/members": { role: "admin", otherTenant: "own-data-only" },
  "PATCH /v1/members/{memberId}": { role: "admin", body: () => ({ role: "viewer" }), otherTenant: 404 },
  "DELETE /v1/members/{memberId}": { role: "admin", otherTenant: 404 },
  "POST /v1/invitations": {
    role: "admin",
    body: () => ({ email: "someone@example.com", role: "viewer" }),
    otherTenant: "own-data-only",
  },
  "GET /v1/invitations": { role: "admin", otherTenant: "own-data-only" },
  "DELETE /v1/invitations/{invitationId}": { role: "admin", otherTenant: 404 },
  "GET /v1/models": {
    role: "viewer",
    otherTenant: "own-data-only",
  },
  "GET /v1/models/{model}": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/chat/completions": {
    role: "viewer",
    body: (i) => ({ model: i.agentId, messages: [{ role: "user", content: "When does it close?" }] }),
    otherTenant: 404,
  },
};

const paramValue = (name: string, i: Ids): string => {
  const value = name === "model" ? i.agentId : (i as unknown as Record<string, string>)[name];
  if (!value) throw new Error(`no fixture id for path parameter ${name}`);
  return value;
};

const fill = (path: string, i: Ids, override?: string): string =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => override ?? encodeURIComponent(paramValue(name, i)));

const authenticated = routes.filter((r) => r.permission !== null);
const keyOf = (r: (typeof routes)[number]): string => `${r.method} ${r.path}`;

/** A key of each role for tenant acme (the test platform's keys). */
const keyFor = (role: Role): string => platform.keys[role];

describe("the isolation suite covers every route", () => {
  it("has a case for every authenticated route, and no case for a route that does not exist", () => {
    expect(authenticated.map(keyOf).filter((k) => !(k in cases))).toEqual([]);
    expect(Object.keys(cases).filter((k) => !authenticated.some((r) => keyOf(r) === k))).toEqual([]);
  });
});

describe.each(authenticated.map((r) => [keyOf(r), r] as const))("%s", (_name, r) => {
  const c = cases[keyOf(r)];
  const needed = c?.role ?? "viewer";
  const below = roles.slice(0, roles.indexOf(needed));

  it(`needs the ${needed} role, as the permission it declares says`, () => {
    expect(permissionTable[r.permission as keyof typeof permissionTable]).toBe(needed);
  });

  it.each(below.length > 0 ? below : ["(none)"])("is refused with 403 for the %s role", async (role) => {
    if (role === "(none)") return; // every role may call it
    const res = await platform.fetch(fill(r.path, ids), {
      method: r.method,
      key: keyFor(role as Role),
      ...(c?.body ? { json: c.body(ids) } : {}),
    });
    expect(res.status, await res.clone().text()).toBe(403);
  });

  it("shows another tenant nothing of this one", async () => {
    const json = c?.body ? c.body(ids) : undefined;
    const res = await platform.fetch(fill(r.path, ids), {
      method: r.method,
      key: platform.keys.otherTenantOwner,
      ...(json !== undefined ? { json } : {}),
    });
    // An error may repeat an id the caller sent ("Agent X not found"); it must not add any other.
    const sent = `${fill(r.path, ids)} ${JSON.stringify(json ?? null)}`;
    const text = await res.text();
    if (c?.otherTenant === 404) {
      expect(res.status, text).toBe(404);
    } else {
      expect(res.status, text).toBeLessThan(300);
    }
    for (const value of Object.values(ids)) if (!sent.includes(value)) expect(text).not.toContain(value);
    expect(text).not.toMatch(/Initech|Board bot|Other bot|acquisition closes/);
  });

  if (r.path.includes("{")) {
    it.each(["..%2F..%2Ftenants%2Fglobex", "a%2Fb", "%2E%2E", "x".repeat(300)])(
      "refuses the id %s cleanly",
      async (bad) => {
        const res = await platform.fetch(fill(r.path, ids, bad), {
          method: r.method,
          ...(c?.body ? { json: c.body(ids) } : {}),
        });
        // 405: the client itself resolved "%2E%2E" to "..", landing on another route that refuses the method.
        expect([400, 404, 405]).toContain(res.status);
        const error = await body<{ error?: { code: string } }>(res);
        expect(error.error?.code).toBeDefined();
      },
    );
  }
});

describe("keys scoped to one agent", () => {
  let scoped: string;
  beforeAll(async () => {
    const res = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "widget", role: "editor", agentId: ids.agentId },
    });
    expect(res.status).toBe(201);
    scoped = (await body<{ key: string }>(res)).key;
  });

  it("talks to its agent, in new and existing conversations", async () => {
    const started = await platform.fetch(`/v1/agents/${ids.agentId}/conversations`, {
      method: "POST",
      json: {},
      key: scoped,
    });
    expect(started.status).toBe(201);
    const { id } = await body<{ id: string }>(started);
    const answered = await platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content: "When does the acquisition close?" },
      key: scoped,
    });
    expect(answered.status).toBe(200);
    expect((await platform.fetch(`/v1/conversations/${id}/messages`, { key: scoped })).status).toBe(200);
  });

  it("cannot reach another agent of the same tenant, which reads as not found", async () => {
    for (const [method, path, json] of [
      ["POST", `/v1/agents/${ids.otherAgentId}/conversations`, {}],
      ["POST", `/v1/conversations/${ids.otherConversationId}/messages`, { content: "hi there" }],
      ["GET", `/v1/conversations/${ids.otherConversationId}/messages`, undefined],
      [
        "POST",
        "/v1/chat/completions",
        { model: ids.otherAgentId, messages: [{ role: "user", content: "hi" }] },
      ],
    ] as const) {
      const res = await platform.fetch(path, { method, key: scoped, ...(json ? { json } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const models = await body<{ data: { id: string }[] }>(
      await platform.fetch("/v1/models", { key: scoped }),
    );
    expect(models.data.map((m) => m.id)).toEqual([ids.agentId]);
  });

  it("holds no other permission, whatever its role", async () => {
    for (const path of [
      "/v1/agents",
      `/v1/agents/${ids.agentId}`,
      `/v1/knowledge-bases/${ids.kbId}`,
      "/v1/knowledge-bases",
      "/v1/conversations",
      "/v1/analytics",
      `/v1/analytics?agentId=${ids.agentId}`,
    ]) {
      expect((await platform.fetch(path, { key: scoped })).status, path).toBe(403);
    }
    const draft = await platform.fetch(`/v1/agents/${ids.agentId}/conversations`, {
      method: "POST",
      json: { version: "draft" },
      key: scoped,
    });
    expect(draft.status).toBe(403);
  });

  it("cannot be created for another tenant's agent, nor above the creator's role", async () => {
    const foreign = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "x", role: "viewer", agentId: ids.agentId },
      key: platform.keys.otherTenantOwner,
    });
    expect(foreign.status).toBe(404);
    const escalate = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "x", role: "owner" },
      key: platform.keys.admin,
    });
    expect(escalate.status).toBe(403);
  });
});

describe("credentials and bodies cannot choose the tenant or the role", () => {
  it("ignores a tenant or role named in a body", async () => {
    const res = await platform.fetch("/v1/agents", {
      method: "POST",
      json: { name: "Mine", tenantId: "globex", role: "owner", status: "published" },
      key: platform.keys.editor,
    });
    expect(res.status).toBe(201);
    const { id } = await body<{ id: string }>(res);
    expect((await platform.fetch(`/v1/agents/${id}`, { key: platform.keys.otherTenantOwner })).status).toBe(
      404,
    );
    expect((await body<{ status: string }>(await platform.fetch(`/v1/agents/${id}`))).status).toBe("draft");
  });

  it("refuses the keys of a deleted tenant", async () => {
    await createTenant(platform.deps, "initech", "Initech");
    const { key } = await createApiKey(platform.deps, "initech", { name: "owner", role: "owner" });
    expect((await platform.fetch("/v1/agents", { key })).status).toBe(200);
    await platform.deps.store.delete("tenants/initech");
    const res = await platform.fetch("/v1/agents", { key });
    expect(res.status).toBe(401);
  });

  it("refuses forged, malformed and revoked keys alike", async () => {
    const revoked = await body<{ id: string; key: string }>(
      await platform.fetch("/v1/api-keys", { method: "POST", json: { name: "old", role: "viewer" } }),
    );
    expect((await platform.fetch(`/v1/api-keys/${revoked.id}`, { method: "DELETE" })).status).toBe(200);
    for (const key of [
      revoked.key,
      `${platform.keys.owner}x`,
      "alk_forged_key_that_is_long_enough",
      "not a key",
    ]) {
      const res = await platform.fetch("/v1/agents", { key });
      expect(res.status, key).toBe(401);
      expect((await body<{ error: { message: string } }>(res)).error.message).not.toContain(key);
    }
    const listed = await body<{ keys: { id: string; revokedAt: string | null; hash?: string }[] }>(
      await platform.fetch("/v1/api-keys"),
    );
    expect(listed.keys.find((k) => k.id === revoked.id)?.revokedAt).not.toBeNull();
    expect(listed.keys.every((k) => k.hash === undefined)).toBe(true);
    // Both the creation and the revocation are in the audit log, with who did it.
    const audit = await body<{ entries: { action: string; actor: string; target: { id: string } }[] }>(
      await platform.fetch("/v1/audit-log?targetType=apiKey"),
    );
    const about = audit.entries.filter((e) => e.target.id === revoked.id).map((e) => e.action);
    expect(about).toEqual(["apikey.revoke", "apikey.create"]);
    expect(audit.entries.find((e) => e.target.id === revoked.id)?.actor).toMatch(/^apikey:/);
  });
});
