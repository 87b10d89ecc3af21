/**
 * Tenant settings and retention: the retention period is set over the API (admins only, audited), and the
 * daily job deletes exactly the conversations older than it, with their messages and traces, in tenants
 * that set one. Time is a manual clock: conversations age when the test says.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tracesPath } from "../accountability/schema.js";
import { createAgent, publishAgent } from "../agents/agents.js";
import { startConversation } from "../agents/conversations.js";
import { sendMessage } from "../agents/turn.js";
import { conversationPath, messagesPath } from "../agents/schema.js";
import { listAuditLog } from "../platform/audit.js";
import { manualClock } from "../platform/clock.js";
import { type Deps } from "../platform/deps.js";
import { setDeps } from "../platform/process-deps.js";
import { parseSchedule } from "@alchemist/local/runtime/schedule";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { createTenant } from "../identity/tenants.js";
import { enforceRetention } from "./retention.js";
import { updateSettings } from "./settings.js";

const dayMs = 86_400_000;
let platform: TestPlatform;
let clock: ReturnType<typeof manualClock>;
let deps: Deps;

beforeAll(async () => {
  platform = await startTestPlatform();
  clock = manualClock(new Date("2026-01-01T08:00:00.000Z"));
  deps = { ...platform.deps, clock };
  await createTenant(deps, "initech", "Initech");
  await createTenant(deps, "umbrella", "Umbrella");
});
afterAll(async () => {
  await platform?.close();
});

async function call<T = Record<string, unknown>>(
  path: string,
  init: { method?: string; json?: unknown; key?: string } = {},
): Promise<{ status: number; body: T }> {
  const res = await platform.fetch(path, {
    method: init.method ?? "GET",
    json: init.json,
    key: init.key ?? platform.keys.admin,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const agents = new Map<string, string>();

async function agentOf(tenantId: string): Promise<string> {
  let id = agents.get(tenantId);
  if (!id) {
    id = (await createAgent(deps, tenantId, { name: "Support" })).id;
    await publishAgent(deps, tenantId, id, { note: "" }, "system");
    agents.set(tenantId, id);
  }
  return id;
}

/** A conversation with one answered question, at the clock's current time. */
async function conversation(tenantId: string, question = "Where is my order?"): Promise<string> {
  const { id } = await startConversation(deps, tenantId, await agentOf(tenantId), {
    channel: "api",
    endUserRef: "customer-1",
  });
  await sendMessage(deps, tenantId, id, { content: question });
  return id;
}

const exists = async (tenantId: string, conversationId: string): Promise<boolean> =>
  (await deps.store.get(conversationPath(tenantId, conversationId))) !== null;

describe("settings", () => {
  it("start with no retention: conversations are kept forever", async () => {
    const res = await call("/v1/settings");
    expect(res).toEqual({ status: 200, body: { retentionDays: null } });
  });

  it("set a retention period, audited with before and after", async () => {
    const res = await call("/v1/settings", { method: "PATCH", json: { retentionDays: 30 } });
    expect(res).toEqual({ status: 200, body: { retentionDays: 30 } });
    expect((await call("/v1/settings")).body).toEqual({ retentionDays: 30 });
    const { entries } = await listAuditLog(deps, "acme", { action: "settings.update" });
    expect(entries[0]).toMatchObject({
      actor: expect.stringMatching(/^apikey:/),
      target: { type: "tenant", id: "acme" },
      before: { retentionDays: null },
      after: { retentionDays: 30 },
    });
  });

  it("refuse periods outside 1..3650 whole days and unknown settings", async () => {
    for (const json of [
      { retentionDays: 0 },
      { retentionDays: 3651 },
      { retentionDays: 1.5 },
      { retentionDays: "30" },
      { colour: "red" },
    ]) {
      const res = await call("/v1/settings", { method: "PATCH", json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    expect((await call("/v1/settings")).body).toEqual({ retentionDays: 30 });
  });

  it("are for admins: editors and viewers are refused", async () => {
    for (const role of ["viewer", "editor"] as const) {
      expect((await call("/v1/settings", { key: platform.keys[role] })).status).toBe(403);
      const patch = await call("/v1/settings", {
        method: "PATCH",
        json: { retentionDays: 1 },
        key: platform.keys[role],
      });
      expect(patch.status).toBe(403);
    }
  });

  it("belong to one tenant", async () => {
    expect((await call("/v1/settings", { key: platform.keys.otherTenantOwner })).body).toEqual({
      retentionDays: null,
    });
  });
});

describe("retention", () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // Day 0: conversations in acme (30 days), globex (no retention) and initech (90 days).
    ids.acmeOld = await conversation("acme");
    ids.acmeResumed = await conversation("acme");
    ids.globexOld = await conversation("globex");
    ids.initechOld = await conversation("initech");
    clock.advance(40 * dayMs);
    // Day 40: a new conversation, and an old one the customer came back to.
    ids.acmeNew = await conversation("acme");
    await sendMessage(deps, "acme", ids.acmeResumed as string, { content: "Any news on my order?" });
    await updateSettings(deps, "initech", { retentionDays: 90 }, "system");
  });

  it("deletes the conversations older than the period, with their messages and traces", async () => {
    const oldId = ids.acmeOld as string;
    const traces = await deps.store.query({
      collection: tracesPath("acme"),
      where: [{ field: "conversationId", op: "==", value: oldId }],
    });
    expect(traces).toHaveLength(1);

    const results = await enforceRetention(deps, clock.now());

    expect(results.map((r) => r.tenantId).sort()).toEqual(["acme", "initech"]);
    const acme = results.find((r) => r.tenantId === "acme");
    expect(acme).toMatchObject({
      retentionDays: 30,
      cutoff: "2026-01-11T08:00:00.000Z",
      deleted: { conversations: 1, messages: 2, traces: 1 },
      more: false,
    });
    expect(await exists("acme", oldId)).toBe(false);
    expect(await deps.store.query({ collection: messagesPath("acme", oldId) })).toEqual([]);
    expect(await deps.store.getAll(traces.map((t) => t.path))).toEqual([null]);
  });

  it("keeps recent conversations, conversations still in use, and tenants without a period", async () => {
    expect(await exists("acme", ids.acmeNew as string)).toBe(true);
    expect(await exists("acme", ids.acmeResumed as string)).toBe(true);
    expect(
      await deps.store.query({ collection: messagesPath("acme", ids.acmeResumed as string) }),
    ).toHaveLength(4);
    expect(await exists("globex", ids.globexOld as string)).toBe(true);
    // 40 days old, under initech's 90.
    expect(await exists("initech", ids.initechOld as string)).toBe(true);
  });

  it("records each purge in the tenant's audit log, with counts", async () => {
    const acme = await listAuditLog(deps, "acme", { action: "retention.purge" });
    expect(acme.entries).toHaveLength(1);
    expect(acme.entries[0]).toMatchObject({
      actor: "system",
      target: { type: "tenant", id: "acme" },
      after: { retentionDays: 30, deleted: { conversations: 1, messages: 2, traces: 1 }, more: false },
    });
    // Nothing was deleted in initech: nothing to record.
    expect((await listAuditLog(deps, "initech", { action: "retention.purge" })).entries).toEqual([]);
  });

  it("catches up as time passes, and stops for a tenant that turns retention off", async () => {
    clock.advance(60 * dayMs); // day 100
    await updateSettings(deps, "acme", { retentionDays: null }, "system");
    const results = await enforceRetention(deps, clock.now());
    expect(results.map((r) => [r.tenantId, r.deleted.conversations])).toEqual([["initech", 1]]);
    expect(await exists("initech", ids.initechOld as string)).toBe(false);
    expect(await exists("acme", ids.acmeNew as string)).toBe(true);
    await updateSettings(deps, "acme", { retentionDays: 30 }, "system");
  });

  it("does a bounded amount of work per tenant and run; the next run continues", async () => {
    const old = [
      await conversation("umbrella"),
      await conversation("umbrella"),
      await conversation("umbrella"),
    ];
    clock.advance(10 * dayMs);
    await updateSettings(deps, "umbrella", { retentionDays: 7 }, "system");
    const first = await enforceRetention(deps, clock.now(), { maxConversationsPerTenant: 2 });
    expect(first.find((r) => r.tenantId === "umbrella")).toMatchObject({
      deleted: { conversations: 2 },
      more: true,
    });
    const second = await enforceRetention(deps, clock.now(), { maxConversationsPerTenant: 2 });
    expect(second.find((r) => r.tenantId === "umbrella")).toMatchObject({
      deleted: { conversations: 1 },
      more: false,
    });
    for (const id of old) expect(await exists("umbrella", id)).toBe(false);
  });
});

describe("the scheduled function", () => {
  it("runs daily and enforces retention with the platform's deps and clock", async () => {
    process.env.GCLOUD_PROJECT ??= "demo-alchemist";
    const { enforceRetention: scheduled } = await import("./functions.js");
    const schedule = String(scheduled.__endpoint.scheduleTrigger?.schedule);
    expect(schedule).toBe("every 24 hours");
    const next = parseSchedule(schedule).next(clock.now());
    expect(next.getTime() - clock.now().getTime()).toBeLessThanOrEqual(dayMs);

    const id = await conversation("acme");
    clock.advance(31 * dayMs);
    setDeps(deps);
    try {
      await scheduled.run({ scheduleTime: clock.nowIso(), jobName: "test" });
    } finally {
      setDeps(platform.deps);
    }
    expect(await exists("acme", id)).toBe(false);
  });
});
