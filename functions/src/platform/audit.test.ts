/**
 * The audit log: agent and knowledge changes recorded with who, what, when, a before/after summary and
 * the request id, read newest first in pages, for admins only, and never holding a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditSummary, changedFields, listAuditLog, recordAudit, type AuditEntryView } from "./audit.js";
import { manualClock } from "./clock.js";
import type { Deps } from "./deps.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { createApiKey } from "../identity/api-keys.js";
import { createTenant } from "../identity/tenants.js";
import { documentIdFor, registerDirectUpload } from "../knowledge/documents.js";
import { uploadPath } from "../knowledge/schema.js";

let platform: TestPlatform;
/** An editor key whose id we know, so entries can be checked against `apikey:<id>`. */
let editor: { id: string; key: string };

beforeAll(async () => {
  platform = await startTestPlatform();
  editor = await createApiKey(platform.deps, "acme", { name: "audit editor", role: "editor" });
});
afterAll(async () => {
  await platform?.close();
});

async function call<T = Record<string, unknown>>(
  path: string,
  init: { method?: string; json?: unknown; key?: string; requestId?: string } = {},
): Promise<{ status: number; body: T }> {
  const res = await platform.fetch(path, {
    method: init.method ?? "GET",
    json: init.json,
    key: init.key ?? editor.key,
    headers: init.requestId ? { "x-request-id": init.requestId } : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

type Page = { entries: AuditEntryView[]; nextCursor: string | null };

async function auditLog(query = "", key = platform.keys.admin): Promise<Page> {
  const res = await call<Page>(`/v1/audit-log${query}`, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe("agent changes", () => {
  let agentId: string;
  let entries: AuditEntryView[];
  const longInstructions = "Answer questions about the Acme employee handbook politely. ".repeat(10);

  beforeAll(async () => {
    const created = await call<{ id: string }>("/v1/agents", {
      method: "POST",
      json: { name: "HR bot", instructions: "Answer HR questions." },
      requestId: "req-agent-create",
    });
    expect(created.status).toBe(201);
    agentId = created.body.id;
    const steps: [string, string, unknown?][] = [
      ["PATCH", "", { name: "People bot", instructions: longInstructions, memoryWindow: 6 }],
      ["POST", "/publish", { note: "first" }],
      ["POST", "/publish", { note: "second" }],
      ["POST", "/rollback", { version: 1 }],
      ["POST", "/pause"],
      ["POST", "/resume"],
      ["DELETE", ""],
    ];
    for (const [method, suffix, json] of steps) {
      const res = await call(`/v1/agents/${agentId}${suffix}`, {
        method,
        json,
        requestId: `req-${method.toLowerCase()}${suffix.replace("/", "-")}`,
      });
      expect(res.status, `${method} ${suffix}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    }
    entries = (await auditLog("?targetType=agent&limit=200")).entries.filter((e) => e.target.id === agentId);
  });

  it("records every lifecycle change, newest first, as the caller who made it", () => {
    expect(entries.map((e) => e.action)).toEqual([
      "agent.archive",
      "agent.resume",
      "agent.pause",
      "agent.rollback",
      "agent.publish",
      "agent.publish",
      "agent.update",
      "agent.create",
    ]);
    for (const e of entries) {
      expect(e.actor).toBe(`apikey:${editor.id}`);
      expect(e.target).toEqual({ type: "agent", id: agentId });
    }
    const times = entries.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("keeps only the fields that changed, with long text cut short", () => {
    const update = entries.find((e) => e.action === "agent.update");
    // memoryWindow was sent unchanged (6 is the default): it is not a change.
    expect(update?.before).toEqual({ name: "HR bot", instructions: "Answer HR questions." });
    const after = update?.after as { name: string; instructions: string };
    expect(Object.keys(after).sort()).toEqual(["instructions", "name"]);
    expect(after.name).toBe("People bot");
    expect(after.instructions.startsWith(longInstructions.slice(0, 200))).toBe(true);
    expect(after.instructions).toContain(`(${longInstructions.length} chars)`);
    expect(after.instructions.length).toBeLessThan(230);
  });

  it("summarizes publish, rollback and archive by the state they moved", () => {
    const [archive, , , rollback, secondPublish, firstPublish] = entries;
    expect(firstPublish).toMatchObject({
      before: { status: "draft", publishedVersion: null, latestVersion: 0 },
      after: { status: "published", publishedVersion: 1, latestVersion: 1 },
    });
    expect(secondPublish).toMatchObject({
      before: { publishedVersion: 1, latestVersion: 1 },
      after: { publishedVersion: 2, latestVersion: 2 },
    });
    expect(rollback).toMatchObject({ before: { publishedVersion: 2 }, after: { publishedVersion: 1 } });
    expect(archive).toMatchObject({ before: { status: "published" }, after: { status: "archived" } });
  });

  it("carries the id of the request that made each change", () => {
    const byAction = (action: string) => entries.find((e) => e.action === action);
    expect(byAction("agent.create")?.requestId).toBe("req-agent-create");
    expect(byAction("agent.update")?.requestId).toBe("req-patch");
    expect(byAction("agent.pause")?.requestId).toBe("req-post-pause");
    expect(byAction("agent.archive")?.requestId).toBe("req-delete");
  });

  it("records nothing for a change that changes nothing", async () => {
    const res = await call<{ id: string }>("/v1/agents", { method: "POST", json: { name: "Quiet" } });
    const before = (await auditLog("?action=agent.update")).entries.length;
    const patch = await call(`/v1/agents/${res.body.id}`, { method: "PATCH", json: { name: "Quiet" } });
    expect(patch.status).toBe(200);
    expect((await auditLog("?action=agent.update")).entries.length).toBe(before);
    await call(`/v1/agents/${res.body.id}`, { method: "PATCH", json: { name: "Louder" } });
    expect((await auditLog("?action=agent.update")).entries.length).toBe(before + 1);
  });
});

describe("knowledge changes", () => {
  it("records a knowledge base, a document's versions, a restore and a deletion", async () => {
    const kb = await call<{ id: string }>("/v1/knowledge-bases", {
      method: "POST",
      json: { name: "Policies", description: "HR policies" },
    });
    const kbId = kb.body.id;
    const upload = (text: string) =>
      call<{ id: string }>(`/v1/knowledge-bases/${kbId}/documents`, {
        method: "POST",
        json: { name: "leave.md", text, tags: ["hr"] },
      });
    const first = await upload("# Leave\n\nEmployees receive 25 days of paid leave per year.");
    await platform.host.runner.idle();
    await upload("# Leave\n\nEmployees receive 27 days of paid leave per year.");
    await platform.host.runner.idle();
    const docId = first.body.id;
    const restored = await call(`/v1/knowledge-bases/${kbId}/documents/${docId}/restore`, {
      method: "POST",
      json: { version: 1 },
    });
    expect(restored.status).toBe(202);
    await platform.host.runner.idle();
    const deleted = await call(`/v1/knowledge-bases/${kbId}/documents/${docId}`, { method: "DELETE" });
    expect(deleted.status).toBe(204);

    const log = (await auditLog("?limit=200")).entries;
    const kbEntry = log.find((e) => e.target.type === "knowledgeBase" && e.target.id === kbId);
    expect(kbEntry).toMatchObject({
      action: "knowledgeBase.create",
      actor: `apikey:${editor.id}`,
      before: null,
      after: { name: "Policies", description: "HR policies" },
    });
    const docEntries = log.filter((e) => e.target.id === `${kbId}/${docId}`);
    expect(docEntries.map((e) => e.action)).toEqual([
      "document.delete",
      "document.restore",
      "document.version",
      "document.create",
    ]);
    const [del, restore, version, create] = docEntries;
    expect(create?.after).toMatchObject({ name: "leave.md", version: 1, tags: ["hr"] });
    expect(version).toMatchObject({ before: { version: 1 }, after: { version: 2 } });
    expect(restore).toMatchObject({ before: { version: 2 }, after: { version: 3, restoredFrom: 1 } });
    expect(del).toMatchObject({ before: { name: "leave.md", version: 3 }, after: null });
    // The content itself is never in the log.
    expect(JSON.stringify(docEntries)).not.toContain("paid leave");
  });
  it("records a direct upload once, as the platform, however often its event is delivered", async () => {
    const kb = await call<{ id: string }>("/v1/knowledge-bases", {
      method: "POST",
      json: { name: "Studio" },
    });
    const name = "studio-upload.md";
    const docId = documentIdFor(name);
    const info = await platform.deps.blobs.put(
      uploadPath("acme", kb.body.id, docId, 1, name),
      new TextEncoder().encode("# Onboarding\n\nNew hires get a laptop on day one."),
      { contentType: "text/markdown" },
    );
    await platform.host.runner.idle();
    // The storage trigger has registered it; a redelivered event must not record it again.
    const ref = { tenantId: "acme", kbId: kb.body.id, docId, version: 1 };
    expect(await registerDirectUpload(platform.deps, ref, info)).toBe(true);
    const entries = (await auditLog("?action=document.create&limit=200")).entries.filter(
      (e) => e.target.id === `${kb.body.id}/${docId}`,
    );
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: "system", after: { name, version: 1 } });
  });
});

describe("secrets", () => {
  it("never appear in an entry, wherever they hide in the change", async () => {
    const secrets = ["sk-proj-abcdefghijklmnopqrstuvwxyz0123", "hunter2-Very-Secret", "tok_live_0123456789"];
    const res = await call<{ id: string }>("/v1/agents", {
      method: "POST",
      json: {
        name: "Banking bot",
        instructions: `Call the bank with the key ${secrets[0]} when asked about balances.`,
        tools: [
          {
            kind: "http",
            name: "balance",
            description: "Reads an account balance",
            parameters: {
              type: "object",
              properties: { accountId: { type: "string" } },
              token: secrets[2],
            },
            url: `https://bot:${secrets[1]}@bank.example.com/balance`,
          },
        ],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const entry = (await auditLog("?action=agent.create")).entries.find((e) => e.target.id === res.body.id);
    expect(entry).toBeDefined();
    const text = JSON.stringify(entry);
    for (const secret of secrets) expect(text).not.toContain(secret);
    // What is not secret is still there to read.
    expect(text).toContain("Banking bot");
    expect(text).toContain("bank.example.com/balance");
  });

  it("drops credential-named fields, cuts long strings and counts big arrays", () => {
    const summary = auditSummary({
      name: "Support key",
      hash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
      apiKey: "plain",
      accessToken: "plain",
      password: "plain",
      clientSecret: "plain",
      note: "x".repeat(1000),
      knowledgeBaseIds: Array.from({ length: 50 }, (_, i) => `kb${i}`),
      tags: ["a", "b"],
      nested: { deeper: { deepest: { bottom: { floor: 1 } } } },
      grid: [[1, 2]],
      contact: "write to jane.doe@example.com",
      missing: undefined,
    }) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual([
      "contact",
      "grid",
      "knowledgeBaseIds",
      "name",
      "nested",
      "note",
      "tags",
    ]);
    expect((summary.note as string).length).toBeLessThan(220);
    expect(summary.knowledgeBaseIds).toBe("[50 items]");
    expect(summary.tags).toEqual(["a", "b"]);
    expect(summary.grid).toEqual(["[2 items]"]);
    expect(summary.nested).toEqual({ deeper: { deepest: { bottom: "{…}" } } });
    expect(summary.contact).toBe("write to [email]");
  });
});

describe("reading the log", () => {
  /** A tenant of its own, on a clock that stands still: order must not depend on time moving. */
  let deps: Deps;
  const tenantId = "initech";

  beforeAll(async () => {
    deps = { ...platform.deps, clock: manualClock(new Date("2026-03-01T09:00:00.000Z")) };
    await createTenant(deps, tenantId, "Initech");
    for (let i = 1; i <= 7; i++) {
      await recordAudit(deps, {
        tenantId,
        actor: "apikey:k1",
        action: i % 2 ? "agent.update" : "knowledgeBase.create",
        target: { type: i % 2 ? "agent" : "knowledgeBase", id: `t${i}` },
        after: { n: i },
      });
    }
  });

  it("pages newest first with a cursor, in the order entries were written", async () => {
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAuditLog(deps, tenantId, { limit: 3, before: cursor });
      pages.push(page.entries.length);
      seen.push(...page.entries.map((e) => e.target.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([3, 3, 1]);
    expect(seen).toEqual(["t7", "t6", "t5", "t4", "t3", "t2", "t1"]);
  });

  it("filters by action and by target type", async () => {
    const updates = await listAuditLog(deps, tenantId, { action: "agent.update" });
    expect(updates.entries.map((e) => e.target.id)).toEqual(["t7", "t5", "t3", "t1"]);
    const kbs = await listAuditLog(deps, tenantId, { targetType: "knowledgeBase", limit: 2 });
    expect(kbs.entries.map((e) => e.target.id)).toEqual(["t6", "t4"]);
    const rest = await listAuditLog(deps, tenantId, {
      targetType: "knowledgeBase",
      before: kbs.nextCursor ?? undefined,
    });
    expect(rest.entries.map((e) => e.target.id)).toEqual(["t2"]);
    expect(rest.nextCursor).toBeNull();
  });

  it("lets admins and owners read it, not editors or viewers", async () => {
    for (const role of ["viewer", "editor"] as const) {
      const res = await call<{ error: { code: string } }>("/v1/audit-log", { key: platform.keys[role] });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("permission-denied");
    }
    for (const role of ["admin", "owner"] as const) {
      expect((await call("/v1/audit-log", { key: platform.keys[role] })).status).toBe(200);
    }
  });

  it("shows a tenant only its own entries", async () => {
    const acme = await auditLog("?limit=200");
    expect(acme.entries.length).toBeGreaterThan(0);
    const globex = await auditLog("?limit=200", platform.keys.otherTenantOwner);
    // Globex's own history (the creation of its owner key) and nothing of Acme's.
    expect(globex.entries.map((e) => e.action)).toEqual(["apikey.create"]);
    const acmeIds = new Set(acme.entries.map((e) => e.id));
    expect(globex.entries.filter((e) => acmeIds.has(e.id))).toEqual([]);
  });

  it("refuses bad query parameters and unknown cursors", async () => {
    for (const query of ["?limit=0", "?limit=201", "?limit=ten", "?action=DROP", "?sort=asc"]) {
      const res = await call(`/v1/audit-log${query}`, { key: platform.keys.admin });
      expect(res.status, query).toBe(400);
    }
    const res = await call("/v1/audit-log?before=20260101T000000000Z-000001-nothere", {
      key: platform.keys.admin,
    });
    expect(res.status).toBe(400);
  });
});

describe("changedFields", () => {
  it("compares deeply and ignores bookkeeping fields", () => {
    const diff = changedFields(
      { model: { name: null, temperature: 0.2 }, tags: ["a"], updatedAt: "1" },
      { model: { temperature: 0.2, name: null }, tags: ["a", "b"], updatedAt: "2" },
    );
    expect(diff).toEqual({ before: { tags: ["a"] }, after: { tags: ["a", "b"] } });
  });
});
