/**
 * The operator's console over HTTP: invisible (404) to every workspace role, to API keys and to no credential;
 * open to an operator's session and to the operator token. Suspension, feature flags, the two-step sign-in
 * policy, plans, credits, people, the cross-workspace audit log, billing and deploy records; hostile input
 * on every body; and that another workspace never notices.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json, newEmail, signUp, type Person } from "../identity/testing/people.js";

const operatorToken = "operator-token-for-tests-0123456789";
const operatorEmail = newEmail("operator");
let platform: TestPlatform;
let operator: Person;
let stranger: Person;

const asOperator = (pathname: string, init: RequestInit & { json?: unknown } = {}) =>
  platform.fetch(pathname, { ...init, key: operator.token });

interface ErrorBody {
  error: { code: string; message: string };
}

beforeAll(async () => {
  platform = await startTestPlatform({
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
    RATE_LIMIT_PUBLIC_PER_IP: "0",
    PLATFORM_ADMINS: `someone-else@example.com, ${operatorEmail.toUpperCase()}`,
    MONITOR_OPERATOR_TOKEN: operatorToken,
  });
  operator = await signUp(platform, { email: operatorEmail, tenantName: "Operations" });
  stranger = await signUp(platform, { tenantName: "Stranger Things" });
});
afterAll(async () => {
  await platform?.close();
});

const adminRoutes: [string, string, unknown?][] = [
  ["GET", "/v1/admin/me"],
  ["GET", "/v1/admin/workspaces"],
  ["GET", "/v1/admin/workspaces/acme"],
  ["POST", "/v1/admin/workspaces/acme/suspend", { reason: "abuse" }],
  ["POST", "/v1/admin/workspaces/acme/resume"],
  ["PUT", "/v1/admin/workspaces/acme/plan", { plan: "free" }],
  ["POST", "/v1/admin/workspaces/acme/credits", { amount: "5", requestId: "grant-0001" }],
  ["PUT", "/v1/admin/workspaces/acme/flags", { flags: { whatsapp: false } }],
  ["PUT", "/v1/admin/workspaces/acme/security", { mfaRequired: true }],
  ["GET", "/v1/admin/plans"],
  ["GET", "/v1/admin/users"],
  ["GET", "/v1/admin/audit"],
  ["GET", "/v1/admin/billing"],
  ["GET", "/v1/admin/deployments"],
  ["POST", "/v1/admin/deployments", {}],
  ["GET", "/v1/operator/monitor/overview"],
];

describe("who may see the operator's routes", () => {
  it("answers 404, as for no route at all, to every workspace role, another tenant, a stranger and no credential", async () => {
    const credentials: [string, string | null][] = [
      ...(["viewer", "editor", "admin", "owner"] as const).map(
        (r) => [r, platform.keys[r]] as [string, string],
      ),
      ["other tenant's owner", platform.keys.otherTenantOwner],
      ["a signed-up owner", stranger.token],
      ["a wrong operator token", "operator-token-for-tests-WRONG"],
      ["garbage", "not a credential at all"],
      ["none", null],
    ];
    for (const [method, path, body] of adminRoutes) {
      for (const [who, key] of credentials) {
        const res = await platform.fetch(path, {
          method,
          key,
          ...(body !== undefined ? { json: body } : {}),
        });
        expect(res.status, `${who} ${method} ${path}`).toBe(404);
        const error = (await json<ErrorBody>(res)).error;
        expect(error.message, `${who} ${method} ${path}`).toBe(`No route for ${method} ${path}`);
      }
    }
    // Nothing changed on the way.
    const acme = await json<{ workspace: { status: string; flagsOff: string[] } }>(
      await asOperator("/v1/admin/workspaces/acme"),
    );
    expect(acme.workspace.status).toBe("active");
    expect(acme.workspace.flagsOff).toEqual([]);
  });

  it("leaves the operator's routes out of the public API description", async () => {
    const doc = await json<{ paths: Record<string, unknown> }>(
      await platform.fetch("/v1/openapi.json", { key: null }),
    );
    const paths = Object.keys(doc.paths);
    expect(paths.some((p) => p.startsWith("/v1/admin"))).toBe(false);
    expect(paths.some((p) => p.startsWith("/v1/operator"))).toBe(false);
    expect(paths).toContain("/v1/workspace");
  });

  it("opens them to an operator's session (PLATFORM_ADMINS, any case) and to the operator token", async () => {
    const me = await asOperator("/v1/admin/me");
    expect(me.status).toBe(200);
    expect(await json(me)).toEqual({ operator: true, uid: operator.accountId });
    const byToken = await platform.fetch("/v1/admin/workspaces", { key: operatorToken });
    expect(byToken.status).toBe(200);
    // The operator's monitor view of the installation, with a session too.
    expect((await asOperator("/v1/operator/monitor/overview")).status).toBe(200);
  });
});

describe("OPERATOR_REQUIRE_MFA", () => {
  it("refuses an operator's session without a second factor, but not the operator token", async () => {
    const config = platform.deps.config as { operatorRequiresMfa: boolean };
    config.operatorRequiresMfa = true;
    try {
      const refused = await asOperator("/v1/admin/me");
      expect(refused.status).toBe(403);
      expect((await json<ErrorBody>(refused)).error.code).toBe("mfa-required");
      expect((await platform.fetch("/v1/admin/me", { key: operatorToken })).status).toBe(200);
      // Everyone else still finds nothing there.
      expect((await platform.fetch("/v1/admin/me", { key: stranger.token })).status).toBe(404);
    } finally {
      config.operatorRequiresMfa = false;
    }
  });
});

describe("workspaces", () => {
  it("lists every workspace with plan, counts and usage; searches, filters and pages", async () => {
    const all = await json<{ workspaces: { id: string; name: string; plan: string; members: number }[] }>(
      await asOperator("/v1/admin/workspaces"),
    );
    const ids = all.workspaces.map((w) => w.id);
    expect(ids).toEqual(expect.arrayContaining(["acme", "globex", operator.tenantId, stranger.tenantId]));
    const mine = all.workspaces.find((w) => w.id === operator.tenantId);
    expect(mine).toMatchObject({ name: "Operations", plan: "enterprise", members: 1 });

    const found = await json<{ workspaces: { id: string }[] }>(
      await asOperator("/v1/admin/workspaces?q=stranger"),
    );
    expect(found.workspaces.map((w) => w.id)).toEqual([stranger.tenantId]);

    const first = await json<{ workspaces: { id: string }[]; nextCursor: string }>(
      await asOperator("/v1/admin/workspaces?limit=2"),
    );
    expect(first.workspaces).toHaveLength(2);
    const second = await json<{ workspaces: { id: string }[] }>(
      await asOperator(`/v1/admin/workspaces?limit=2&cursor=${first.nextCursor}`),
    );
    expect(second.workspaces.map((w) => w.id)).not.toContain(first.workspaces[0]?.id);
    expect([...first.workspaces, ...second.workspaces].map((w) => w.id)).toEqual(ids.slice(0, 4));

    for (const bad of [
      "limit=0",
      "limit=101",
      "status=frozen",
      "cursor=nope",
      "extra=1",
      `q=${"x".repeat(121)}`,
    ]) {
      const res = await asOperator(`/v1/admin/workspaces?${bad}`);
      expect(res.status, bad).toBe(400);
    }
    expect((await asOperator("/v1/admin/workspaces/no-such-workspace")).status).toBe(404);
  });

  it("suspends a workspace: writes and conversations refused with the reason, reads and privacy requests work, others unaffected", async () => {
    const agent = await json<{ id: string }>(
      await platform.fetch("/v1/agents", { method: "POST", json: { name: "Helper" } }),
    );
    expect(
      (await platform.fetch(`/v1/agents/${agent.id}/publish`, { method: "POST", json: {} })).status,
    ).toBe(200);

    expect((await asOperator("/v1/admin/workspaces/acme/suspend", { method: "POST", json: {} })).status).toBe(
      400,
    );
    expect(
      (await asOperator("/v1/admin/workspaces/acme/suspend", { method: "POST", json: { reason: "  " } }))
        .status,
    ).toBe(400);
    expect(
      (
        await asOperator("/v1/admin/workspaces/acme/suspend", {
          method: "POST",
          json: { reason: "x".repeat(501) },
        })
      ).status,
    ).toBe(400);
    const suspended = await asOperator("/v1/admin/workspaces/acme/suspend", {
      method: "POST",
      json: { reason: "Unpaid invoices since October" },
    });
    expect(suspended.status).toBe(200);
    const { workspace } = await json<{
      workspace: { status: string; suspension: { reason: string; by: string } };
    }>(suspended);
    expect(workspace.status).toBe("suspended");
    expect(workspace.suspension).toMatchObject({
      reason: "Unpaid invoices since October",
      by: `operator:${operator.accountId}`,
    });

    const write = await platform.fetch("/v1/agents", { method: "POST", json: { name: "Another" } });
    expect(write.status).toBe(403);
    const refusal = (await json<ErrorBody>(write)).error;
    expect(refusal.code).toBe("workspace-suspended");
    expect(refusal.message).toContain("Unpaid invoices since October");
    const talk = await platform.fetch(`/v1/agents/${agent.id}/conversations`, { method: "POST", json: {} });
    expect(talk.status).toBe(403);
    expect((await platform.fetch("/v1/agents")).status).toBe(200);
    const view = await json<{ status: string; suspension: { reason: string } }>(
      await platform.fetch("/v1/workspace"),
    );
    expect(view.status).toBe("suspended");
    expect(view.suspension.reason).toBe("Unpaid invoices since October");
    const exported = await platform.fetch("/v1/privacy/export", {
      method: "POST",
      json: { endUserRef: "someone" },
    });
    expect(exported.status).toBe(200);

    // Another workspace does not notice.
    const globex = await platform.fetch("/v1/agents", {
      method: "POST",
      key: platform.keys.otherTenantOwner,
      json: { name: "Unaffected" },
    });
    expect(globex.status).toBe(201);

    // Replaying the same suspension changes nothing; resuming opens the workspace again.
    expect(
      (
        await asOperator("/v1/admin/workspaces/acme/suspend", {
          method: "POST",
          json: { reason: "Unpaid invoices since October" },
        })
      ).status,
    ).toBe(200);
    const resumed = await asOperator("/v1/admin/workspaces/acme/resume", { method: "POST" });
    expect(
      (await json<{ workspace: { status: string; suspension: unknown } }>(resumed)).workspace,
    ).toMatchObject({
      status: "active",
      suspension: null,
    });
    expect(
      (await platform.fetch(`/v1/agents/${agent.id}/conversations`, { method: "POST", json: {} })).status,
    ).toBe(201);

    const log = await json<{ entries: { action: string; actor: string }[] }>(
      await platform.fetch("/v1/audit-log?targetType=tenant"),
    );
    const operatorActions = log.entries
      .filter((e) => e.actor === `operator:${operator.accountId}`)
      .map((e) => e.action);
    // Once each: the replayed suspension wrote nothing.
    expect(operatorActions.filter((a) => a === "tenant.suspend")).toHaveLength(1);
    expect(operatorActions).toContain("tenant.resume");
  });

  it("turns a feature off for one workspace only, and refuses unknown flags", async () => {
    const off = await asOperator("/v1/admin/workspaces/acme/flags", {
      method: "PUT",
      json: { flags: { openaiCompat: false } },
    });
    expect(off.status).toBe(200);
    const body = { model: "anything", messages: [{ role: "user", content: "hi" }] };
    const refused = await platform.fetch("/v1/chat/completions", { method: "POST", json: body });
    expect(refused.status).toBe(403);
    expect((await json<ErrorBody>(refused)).error.code).toBe("feature-disabled");
    const elsewhere = await platform.fetch("/v1/chat/completions", {
      method: "POST",
      key: platform.keys.otherTenantOwner,
      json: body,
    });
    expect(elsewhere.status).not.toBe(403);
    const view = await json<{ features: Record<string, boolean> }>(await platform.fetch("/v1/workspace"));
    expect(view.features).toMatchObject({ openaiCompat: false, whatsapp: true });

    for (const bad of [
      { flags: { nope: false } },
      { flags: {} },
      { flags: { whatsapp: "no" } },
      { flags: {}, x: 1 },
    ]) {
      const res = await asOperator("/v1/admin/workspaces/acme/flags", { method: "PUT", json: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    await asOperator("/v1/admin/workspaces/acme/flags", {
      method: "PUT",
      json: { flags: { openaiCompat: true } },
    });
    expect((await platform.fetch("/v1/chat/completions", { method: "POST", json: body })).status).not.toBe(
      403,
    );
  });

  it("requires two-step sign-in of admins and owners when told: sessions refused, keys and viewers not", async () => {
    const set = await asOperator(`/v1/admin/workspaces/${stranger.tenantId}/security`, {
      method: "PUT",
      json: { mfaRequired: true },
    });
    expect(set.status).toBe(200);
    const refused = await platform.fetch("/v1/agents", { key: stranger.token });
    expect(refused.status).toBe(403);
    const error = (await json<ErrorBody>(refused)).error;
    expect(error.code).toBe("mfa-required");
    expect(error.message).toContain("two-step sign-in");
    // Other workspaces, the operator included, carry on.
    expect((await platform.fetch("/v1/agents", { key: operator.token })).status).toBe(200);
    await asOperator(`/v1/admin/workspaces/${stranger.tenantId}/security`, {
      method: "PUT",
      json: { mfaRequired: false },
    });
    expect((await platform.fetch("/v1/agents", { key: stranger.token })).status).toBe(200);
    expect(
      (
        await asOperator(`/v1/admin/workspaces/${stranger.tenantId}/security`, {
          method: "PUT",
          json: { mfaRequired: "yes" },
        })
      ).status,
    ).toBe(400);
  });

  it("changes plans and grants credits once per request id", async () => {
    const plans = await json<{ plans: { id: string }[] }>(await asOperator("/v1/admin/plans"));
    expect(plans.plans.map((p) => p.id)).toContain("free");
    const moved = await asOperator("/v1/admin/workspaces/globex/plan", {
      method: "PUT",
      json: { plan: "free" },
    });
    expect((await json<{ workspace: { plan: string } }>(moved)).workspace.plan).toBe("free");
    expect(
      (await asOperator("/v1/admin/workspaces/globex/plan", { method: "PUT", json: { plan: "gold" } }))
        .status,
    ).toBe(400);
    await asOperator("/v1/admin/workspaces/globex/plan", { method: "PUT", json: { plan: "enterprise" } });

    const grant = { amount: "12.50", note: "Goodwill", requestId: "grant-globex-1" };
    const first = await json<{ applied: boolean; balanceMicros: number }>(
      await asOperator("/v1/admin/workspaces/globex/credits", { method: "POST", json: grant }),
    );
    expect(first.applied).toBe(true);
    const again = await json<{ applied: boolean; balanceMicros: number }>(
      await asOperator("/v1/admin/workspaces/globex/credits", { method: "POST", json: grant }),
    );
    expect(again).toMatchObject({ applied: false, balanceMicros: first.balanceMicros });
    for (const amount of ["0", "-5", "abc", "1e3", "10000000", "1.1234567"]) {
      const res = await asOperator("/v1/admin/workspaces/globex/credits", {
        method: "POST",
        json: { amount, requestId: `bad-${amount.length}-xyz` },
      });
      expect(res.status, amount).toBe(400);
    }
    expect(
      (
        await asOperator("/v1/admin/workspaces/globex/credits", {
          method: "POST",
          json: { amount: "1", requestId: "x" },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await asOperator("/v1/admin/workspaces/nowhere/credits", {
          method: "POST",
          json: { amount: "1", requestId: "grant-nowhere" },
        })
      ).status,
    ).toBe(404);
  });
});

describe("across workspaces", () => {
  it("lists people with their workspaces, and searches them", async () => {
    const all = await json<{
      users: { email: string; workspaces: { tenantId: string; role: string }[]; platformAdmin: boolean }[];
    }>(await asOperator(`/v1/admin/users?q=${encodeURIComponent(operatorEmail)}`));
    expect(all.users).toHaveLength(1);
    expect(all.users[0]).toMatchObject({
      email: operatorEmail,
      platformAdmin: true,
      workspaces: [{ tenantId: operator.tenantId, role: "owner" }],
    });
    expect((await asOperator("/v1/admin/users?limit=0")).status).toBe(400);
  });

  it("reads the audit log of every workspace, by workspace and by page", async () => {
    const all = await json<{ entries: { tenantId: string; action: string }[]; nextCursor: string | null }>(
      await asOperator("/v1/admin/audit?limit=200"),
    );
    const tenants = new Set(all.entries.map((e) => e.tenantId));
    expect(tenants.has("acme")).toBe(true);
    expect(tenants.has("globex")).toBe(true);
    const acmeOnly = await json<{ entries: { tenantId: string }[] }>(
      await asOperator("/v1/admin/audit?tenantId=acme"),
    );
    expect(acmeOnly.entries.every((e) => e.tenantId === "acme")).toBe(true);
    const page1 = await json<{ entries: { id: string }[]; nextCursor: string }>(
      await asOperator("/v1/admin/audit?limit=2"),
    );
    const page2 = await json<{ entries: { id: string }[] }>(
      await asOperator(`/v1/admin/audit?limit=2&cursor=${page1.nextCursor}`),
    );
    expect(page2.entries[0]?.id).not.toBe(page1.entries[0]?.id);
    expect(all.entries.slice(0, 4).map((e) => (e as unknown as { id: string }).id)).toEqual([
      ...page1.entries.map((e) => e.id),
      ...page2.entries.map((e) => e.id),
    ]);
    for (const bad of ["cursor=%25%25", "cursor=Zm9v", "tenantId=../x", "action=DROP"]) {
      expect((await asOperator(`/v1/admin/audit?${bad}`)).status, bad).toBe(400);
    }
  });

  it("sums the installation's billing", async () => {
    const billing = await json<{ workspaces: number; byPlan: { plan: string; workspaces: number }[] }>(
      await asOperator("/v1/admin/billing"),
    );
    expect(billing.workspaces).toBeGreaterThanOrEqual(4);
    expect(billing.byPlan.reduce((n, p) => n + p.workspaces, 0)).toBe(billing.workspaces);
  });

  it("records deploys once per id, refusing a different record under the same id", async () => {
    const record = {
      id: "deploy-0001-abcdef",
      project: "demo-alchemist",
      commit: "a".repeat(40),
      dirty: false,
      by: "ci@example.com",
      startedAt: "2026-12-05T10:00:00.000Z",
      finishedAt: "2026-12-05T10:03:00.000Z",
      targets: ["functions:agents", "hosting"],
      fingerprints: { "functions:agents": "b".repeat(64) },
      previousCommit: null,
      artifact: "c".repeat(64),
      outcome: "succeeded",
      checks: [{ name: "health", status: "passed", detail: "200 ok" }],
      rollback: null,
      error: null,
    };
    const post = (body: unknown) =>
      platform.fetch("/v1/admin/deployments", { method: "POST", key: operatorToken, json: body });
    expect((await post(record)).status).toBe(201);
    expect((await post(record)).status).toBe(201);
    // A long check detail (an error page's text) is kept, cut, rather than losing the record.
    const long = {
      ...record,
      id: "deploy-0004-abcdef",
      startedAt: "2026-12-05T11:00:00.000Z",
      checks: [{ name: "health", status: "failed", detail: "x".repeat(9000) }],
    };
    expect((await post(long)).status).toBe(201);
    expect((await post({ ...record, outcome: "failed" })).status).toBe(409);
    expect((await post({ ...record, id: "deploy-0002-abcdef", commit: "not-a-commit" })).status).toBe(400);
    expect((await post({ ...record, id: "deploy-0003-abcdef", extra: true })).status).toBe(400);
    const listed = await json<{ deployments: { id: string }[] }>(await asOperator("/v1/admin/deployments"));
    expect(listed.deployments.map((d) => d.id)).toEqual(["deploy-0004-abcdef", "deploy-0001-abcdef"]);
  });
});
