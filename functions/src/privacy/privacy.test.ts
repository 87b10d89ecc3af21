/**
 * Export and erasure of an end user's data over the API of the in-process local platform: exactly their
 * conversations (not another end user's, not another tenant's), with messages and traces (failed turns'
 * included), erased completely, idempotently, after a crash midway, and recorded in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tracePath } from "../accountability/schema.js";
import { conversationPath, conversationsPath, messagesPath } from "../agents/schema.js";
import { sendMessage } from "../agents/turn.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { AuditEntryView } from "../platform/audit.js";
import type { ChatModel } from "../platform/ports.js";
import { endUserTarget, type EndUserExport } from "./privacy.js";

let platform: TestPlatform;
let acmeAgent: string;
let globexAgent: string;

/** Jane writes on WhatsApp; Omar is another customer of the same tenant. */
const jane = "whatsapp:+14155550132";
const omar = "whatsapp:+14155550199";

async function call<T = Record<string, unknown>>(
  path: string,
  init: { method?: string; json?: unknown; key?: string } = {},
): Promise<{ status: number; body: T }> {
  const res = await platform.fetch(path, {
    method: init.method ?? "POST",
    json: init.json,
    key: init.key ?? platform.keys.admin,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function publishedAgent(key: string): Promise<string> {
  const created = await call<{ id: string }>("/v1/agents", {
    json: { name: "Support", instructions: "Help customers with their orders." },
    key,
  });
  expect(created.status).toBe(201);
  const published = await call(`/v1/agents/${created.body.id}/publish`, { json: {}, key });
  expect(published.status).toBe(200);
  return created.body.id;
}

/** A conversation of `endUserRef` with one message per question; returns its id. */
async function converse(
  agentId: string,
  endUserRef: string,
  questions: string[],
  key = platform.keys.viewer,
): Promise<string> {
  const started = await call<{ id: string }>(`/v1/agents/${agentId}/conversations`, {
    json: { endUserRef },
    key,
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  for (const content of questions) {
    const res = await call(`/v1/conversations/${started.body.id}/messages`, { json: { content }, key });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return started.body.id;
}

/** A model that is down: the turn fails and leaves only its trace. */
const unavailableModel = (info: ChatModel["info"]): ChatModel => ({
  info,
  complete: () => Promise.reject(new Error("connection reset")),
  // eslint-disable-next-line require-yield
  stream: async function* () {
    throw new Error("connection reset");
  },
});

async function auditEntries(action: string): Promise<AuditEntryView[]> {
  const res = await call<{ entries: AuditEntryView[] }>(`/v1/audit-log?action=${action}&limit=200`, {
    method: "GET",
  });
  expect(res.status).toBe(200);
  return res.body.entries;
}

async function exportOf(endUserRef: string): Promise<EndUserExport> {
  const res = await call<EndUserExport>("/v1/privacy/export", { json: { endUserRef } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

let janeConversations: string[];
let failedTraceId: string;
let omarConversation: string;
let globexConversation: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  acmeAgent = await publishedAgent(platform.keys.editor);
  globexAgent = await publishedAgent(platform.keys.otherTenantOwner);
  const first = await converse(acmeAgent, jane, ["Where is my order 1042?", "Can I change the address?"]);
  const second = await converse(acmeAgent, jane, ["Do you ship to Canada?"]);
  // The OpenAI-compatible channel records its `user` as the end user.
  const completion = await call<{ alchemist: { conversationId: string } }>("/v1/chat/completions", {
    json: {
      model: acmeAgent,
      user: jane,
      messages: [{ role: "user", content: "What is your refund policy?" }],
    },
    key: platform.keys.viewer,
  });
  expect(completion.status, JSON.stringify(completion.body)).toBe(200);
  // A turn that failed: a trace that names the conversation, and no message.
  const deps = { ...platform.deps, chat: unavailableModel(platform.deps.chat.info) };
  const failed = await sendMessage(deps, "acme", second, { content: "Hello?" }).then(
    () => expect.fail("the turn should have failed"),
    (e: { details?: { traceId?: string } }) => e,
  );
  failedTraceId = failed.details?.traceId as string;
  expect(failedTraceId).toBeTruthy();
  janeConversations = [first, second, completion.body.alchemist.conversationId];
  omarConversation = await converse(acmeAgent, omar, ["Where is my parcel?"]);
  globexConversation = await converse(
    globexAgent,
    jane,
    ["Hi, is my order late?"],
    platform.keys.otherTenantOwner,
  );
});
afterAll(async () => {
  await platform?.close();
});

describe("export", () => {
  it("returns exactly the end user's conversations, with their messages and traces", async () => {
    const data = await exportOf(jane);
    expect(data.endUserRef).toBe(jane);
    expect(data.conversations.map((c) => c.id).sort()).toEqual([...janeConversations].sort());
    for (const c of data.conversations) expect(c.endUserRef).toBe(jane);

    const first = data.conversations.find((c) => c.id === janeConversations[0]);
    expect(first?.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Where is my order 1042?"],
      ["assistant", expect.any(String)],
      ["user", "Can I change the address?"],
      ["assistant", expect.any(String)],
    ]);
    // One trace per answer, and the ones the answers name.
    const answerTraces = first?.messages.map((m) => m.traceId).filter(Boolean);
    expect(first?.traces.map((t) => t.id).sort()).toEqual([...(answerTraces as string[])].sort());

    const second = data.conversations.find((c) => c.id === janeConversations[1]);
    expect(second?.messages).toHaveLength(2);
    // The failed turn wrote no message; its trace is found by the conversation it names.
    expect(second?.traces.map((t) => t.id)).toContain(failedTraceId);
    expect(second?.traces.find((t) => t.id === failedTraceId)).toMatchObject({ status: "failed" });

    const openai = data.conversations.find((c) => c.id === janeConversations[2]);
    expect(openai).toMatchObject({ channel: "openai-compatible" });
    expect(openai?.messages[0]).toMatchObject({ content: "What is your refund policy?" });
  });

  it("exports long-term memory, empty when no agent with memory talked to the end user", async () => {
    const data = await exportOf(jane);
    expect(data.memory).toEqual({ endUser: null, memories: [], statements: [], consistencyFlags: [] });
    expect(data.notes.join(" ")).toMatch(/empty when no such agent talked to them/);
  });

  it("returns nothing for an end user the tenant has never talked to", async () => {
    const data = await exportOf("whatsapp:+4930901820");
    expect(data.conversations).toEqual([]);
  });

  it("is recorded in the audit log: who exported whose data, without naming them in clear", async () => {
    await exportOf(jane);
    const [entry] = await auditEntries("privacy.export");
    expect(entry?.actor).toMatch(/^apikey:/);
    expect(entry?.target).toEqual(endUserTarget(jane));
    expect(entry?.after).toEqual({ exported: { memories: 0, conversations: 3, messages: 8, traces: 5 } });
    expect(JSON.stringify(entry)).not.toContain("4155550132");
  });
});

describe("who may ask", () => {
  it("needs an admin: editors and viewers are refused", async () => {
    for (const role of ["viewer", "editor"] as const) {
      for (const path of ["/v1/privacy/export", "/v1/privacy/erase"]) {
        const res = await call(path, { json: { endUserRef: jane }, key: platform.keys[role] });
        expect(res.status, `${role} ${path}`).toBe(403);
      }
    }
  });

  it("refuses an empty or overlong reference", async () => {
    for (const endUserRef of ["", "   ", "x".repeat(201)]) {
      const res = await call("/v1/privacy/export", { json: { endUserRef } });
      expect(res.status).toBe(400);
    }
    expect((await call("/v1/privacy/erase", { json: {} })).status).toBe(400);
  });
});

describe("erasure", () => {
  let traceIds: string[];
  let messageCount: number;

  beforeAll(async () => {
    const data = await exportOf(jane);
    traceIds = data.conversations.flatMap((c) => c.traces.map((t) => t.id));
    messageCount = data.conversations.reduce((n, c) => n + c.messages.length, 0);
  });

  it("deletes the end user's conversations, messages and traces, and reports the counts", async () => {
    const res = await call<{ deleted: Record<string, number> }>("/v1/privacy/erase", {
      json: { endUserRef: jane },
    });
    expect(res.status).toBe(200);
    expect(res.body.deleted).toEqual({
      conversations: 3,
      messages: messageCount,
      traces: traceIds.length,
      memory: { memories: 0, statements: 0, consistencyFlags: 0, endUsers: 0 },
    });

    const store = platform.deps.store;
    const left = await store.query({
      collection: conversationsPath("acme"),
      where: [{ field: "endUserRef", op: "==", value: jane }],
    });
    expect(left).toEqual([]);
    for (const id of janeConversations) {
      expect(await store.query({ collection: messagesPath("acme", id) })).toEqual([]);
    }
    const traces = await store.getAll(traceIds.map((id) => tracePath("acme", id)));
    expect(traces.every((t) => t === null)).toBe(true);
    expect((await exportOf(jane)).conversations).toEqual([]);
  });

  it("leaves other end users and other tenants alone", async () => {
    const omars = await exportOf(omar);
    expect(omars.conversations.map((c) => c.id)).toEqual([omarConversation]);
    expect(omars.conversations[0]?.traces).toHaveLength(1);
    expect(await platform.deps.store.get(conversationPath("globex", globexConversation))).not.toBeNull();
    const globex = await call<EndUserExport>("/v1/privacy/export", {
      json: { endUserRef: jane },
      key: platform.keys.otherTenantOwner,
    });
    expect(globex.body.conversations.map((c) => c.id)).toEqual([globexConversation]);
    expect(globex.body.conversations[0]?.messages).toHaveLength(2);
  });

  it("is idempotent: erasing again deletes nothing and succeeds", async () => {
    const res = await call<{ deleted: Record<string, number> }>("/v1/privacy/erase", {
      json: { endUserRef: jane },
    });
    expect(res.status).toBe(200);
    expect(res.body.deleted).toEqual({
      conversations: 0,
      messages: 0,
      traces: 0,
      memory: { memories: 0, statements: 0, consistencyFlags: 0, endUsers: 0 },
    });
  });

  it("is recorded in the audit log with counts, not content", async () => {
    const entries = await auditEntries("privacy.erase");
    expect(entries.map((e) => e.after)).toEqual([
      {
        deleted: {
          conversations: 0,
          messages: 0,
          traces: 0,
          memory: { memories: 0, statements: 0, consistencyFlags: 0, endUsers: 0 },
        },
      },
      {
        deleted: {
          conversations: 3,
          messages: messageCount,
          traces: traceIds.length,
          memory: { memories: 0, statements: 0, consistencyFlags: 0, endUsers: 0 },
        },
      },
    ]);
    for (const e of entries) {
      expect(e.target).toEqual(endUserTarget(jane));
      expect(e.actor).toMatch(/^apikey:/);
    }
    const text = JSON.stringify(entries);
    expect(text).not.toContain("4155550132");
    expect(text).not.toContain("order 1042");
  });

  it("finishes an erasure that stopped midway", async () => {
    const lina = "customer-8812";
    const conversationId = await converse(acmeAgent, lina, ["Where is my order?", "And the invoice?"]);
    const before = (await exportOf(lina)).conversations[0];
    expect(before?.traces).toHaveLength(2);
    // As if a run stopped after deleting the messages: the traces are now found only by the conversation.
    for (const m of await platform.deps.store.query({ collection: messagesPath("acme", conversationId) })) {
      await platform.deps.store.delete(m.path);
    }
    const res = await call<{ deleted: Record<string, number> }>("/v1/privacy/erase", {
      json: { endUserRef: lina },
    });
    expect(res.body.deleted).toEqual({
      conversations: 1,
      messages: 0,
      traces: 2,
      memory: { memories: 0, statements: 0, consistencyFlags: 0, endUsers: 0 },
    });
    const traces = await platform.deps.store.getAll(
      (before?.traces ?? []).map((t) => tracePath("acme", t.id)),
    );
    expect(traces).toEqual([null, null]);
    expect(await platform.deps.store.get(conversationPath("acme", conversationId))).toBeNull();
  });
});
