/**
 * Long-term memory end to end over HTTP, against the local platform and its built-in (extractive) model:
 *   - a scripted three-session conversation: a fact from session 1 is superseded in session 2 ("moved to"),
 *     recalled and cited as [M1] in session 3, and "forget that" removes it (with its history);
 *   - a contradiction planted across two versions of a knowledge-base document is detected, explained to the
 *     end user and recorded (trace, consistency flag);
 *   - an erasure request leaves no memory, statement, flag or end-user document behind, checked in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Trace } from "../accountability/schema.js";
import {
  consistencyFlagsPath,
  endUserKeyOf,
  endUserPath,
  endUsersPath,
  memoriesPath,
  statementsPath,
} from "./schema.js";

let platform: TestPlatform;
let kbId: string;

const handbookV1 = `# Acme handbook

## Vacation

Full-time employees receive 25 vacation days per calendar year.

## Expenses

Submit expense claims in the finance portal within 30 days.
`;
const handbookV2 = handbookV1.replace("receive 25 vacation days", "receive 20 vacation days");

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function upload(text: string): Promise<void> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
    method: "POST",
    json: { name: "handbook.md", text },
  });
  expect(res.status).toBe(202);
  await platform.host.runner.idle();
}

async function createAgent(longTermMemory: Record<string, unknown>): Promise<string> {
  const created = await json<{ id: string }>(
    await platform.fetch("/v1/agents", {
      method: "POST",
      json: { name: "HR bot", knowledgeBaseIds: [kbId], longTermMemory },
    }),
  );
  const published = await platform.fetch(`/v1/agents/${created.id}/publish`, { method: "POST", json: {} });
  expect(published.status).toBe(200);
  return created.id;
}

async function startSession(agentId: string, endUserRef: string): Promise<string> {
  const res = await platform.fetch(`/v1/agents/${agentId}/conversations`, {
    method: "POST",
    json: { endUserRef },
  });
  expect(res.status).toBe(201);
  return (await json<{ id: string }>(res)).id;
}

interface Answer {
  content: string;
  citations: { ref: string; docId: string; docName: string }[];
  traceId: string;
  abstained: boolean;
}

async function say(conversationId: string, content: string): Promise<{ answer: Answer; trace: Trace }> {
  const res = await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
    method: "POST",
    json: { content },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const { message: answer } = await json<{ message: Answer }>(res);
  const trace = await json<Trace>(await platform.fetch(`/v1/traces/${answer.traceId}`));
  return { answer, trace };
}

const count = async (collection: string, endUserKey: string): Promise<number> =>
  platform.deps.store.count({ collection, where: [{ field: "endUserKey", op: "==", value: endUserKey }] });

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  kbId = (
    await json<{ id: string }>(
      await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "HR" } }),
    )
  ).id;
  await upload(handbookV1);
});
afterAll(async () => {
  await platform?.close();
});

describe("long-term memory across sessions", () => {
  it("remembers a fact, supersedes it, cites it in a later session, and forgets it on request", async () => {
    const agentId = await createAgent({ enabled: true });
    const ref = "customer-3-sessions";
    const key = endUserKeyOf(ref);

    // Session 1: the end user says where they live.
    const s1 = await startSession(agentId, ref);
    const first = await say(s1, "Hi, my name is Dana and I live in Paris.");
    expect(first.trace.memory?.written.map((w) => w.key).sort()).toEqual(["city", "name"]);

    // Session 2: they moved. The new city supersedes the old one, which stays as history.
    const s2 = await startSession(agentId, ref);
    const second = await say(s2, "I moved to Berlin last month.");
    const moved = second.trace.memory?.written.find((w) => w.key === "city");
    expect(moved?.supersedes).toBeTruthy();
    const page = await json<{ memories: { id: string; key: string; text: string; status: string }[] }>(
      await platform.fetch(`/v1/end-users/${key}`),
    );
    const cities = page.memories.filter((m) => m.key === "city");
    expect(cities.map((m) => [m.status, m.text])).toEqual([
      ["active", expect.stringContaining("Berlin")],
      ["superseded", expect.stringContaining("Paris")],
    ]);

    // Session 3: the fact from the earlier sessions is recalled, used and cited as a memory.
    const s3 = await startSession(agentId, ref);
    const third = await say(s3, "Which city do I live in?");
    expect(third.answer.abstained, third.trace.explanation).toBe(false);
    expect(third.answer.content).toContain("Berlin");
    const cited = third.answer.citations.find((c) => c.ref.startsWith("M"));
    expect(cited?.docId).toBe(`memory:${moved?.memoryId}`);
    expect(third.trace.memory?.used.find((u) => u.memoryId === moved?.memoryId)?.cited).toBe(true);

    // "Forget that" deletes what the previous answer cited from memory, with its history (Paris).
    const forgot = await say(s3, "Please forget that.");
    expect(forgot.answer.content).toMatch(/forgotten/i);
    expect(forgot.trace.memory?.forgotten).toBe(2);
    const after = await json<{ memories: { key: string }[] }>(await platform.fetch(`/v1/end-users/${key}`));
    expect(after.memories.filter((m) => m.key === "city")).toEqual([]);
    expect(after.memories.map((m) => m.key)).toEqual(["name"]);
    const again = await say(s3, "Which city do I live in?");
    expect(again.answer.content).not.toContain("Berlin");
    expect(again.trace.memory?.used.some((u) => u.text.includes("Berlin"))).toBe(false);

    // Erasure leaves nothing of the narrative behind, in the store itself.
    const erased = await platform.fetch("/v1/privacy/erase", { method: "POST", json: { endUserRef: ref } });
    expect(erased.status).toBe(200);
    for (const collection of [memoriesPath("acme"), statementsPath("acme"), consistencyFlagsPath("acme")])
      expect(await count(collection, key)).toBe(0);
    expect(await platform.deps.store.get(endUserPath("acme", key))).toBeNull();
    const list = await json<{ endUsers: { endUserRef: string }[] }>(await platform.fetch("/v1/end-users"));
    expect(list.endUsers.map((u) => u.endUserRef)).not.toContain(ref);
  });

  it("keeps nothing for an agent whose memory is off, or a conversation without an end user", async () => {
    const off = await createAgent({ enabled: false });
    const s = await startSession(off, "customer-off");
    const { trace } = await say(s, "My name is Robin.");
    expect(trace.memory).toBeUndefined();
    expect(await platform.deps.store.get(endUserPath("acme", endUserKeyOf("customer-off")))).toBeNull();

    const on = await createAgent({ enabled: true });
    const anonymous = await json<{ id: string }>(
      await platform.fetch(`/v1/agents/${on}/conversations`, { method: "POST", json: {} }),
    );
    const second = await say(anonymous.id, "My name is Robin.");
    expect(second.trace.memory).toBeUndefined();
    const users = await platform.deps.store.query({ collection: endUsersPath("acme") });
    expect(users.every((u) => u.data.endUserRef !== "customer-off")).toBe(true);
  });

  it("exports the end user's memories with the privacy export", async () => {
    const agentId = await createAgent({ enabled: true });
    const ref = "customer-export";
    const s = await startSession(agentId, ref);
    await say(s, "My name is Kim.");
    const exported = await json<{ memory: { memories: { text: string; method: string }[] } }>(
      await platform.fetch("/v1/privacy/export", { method: "POST", json: { endUserRef: ref } }),
    );
    expect(exported.memory.memories).toEqual([
      expect.objectContaining({ text: "Your name is Kim.", method: "rules" }),
    ]);
  });
});

describe("coherence with what the end user was told before", () => {
  it("detects a contradiction planted across two knowledge-base versions, corrects it and records it", async () => {
    const agentId = await createAgent({ enabled: true });
    const ref = "customer-coherence";
    const key = endUserKeyOf(ref);
    const before = await say(
      await startSession(agentId, ref),
      "How many vacation days do full-time employees get?",
    );
    expect(before.answer.content).toContain("25");
    expect(before.trace.memory?.contradictions).toEqual([]);

    await upload(handbookV2);
    const after = await say(
      await startSession(agentId, ref),
      "How many vacation days do full-time employees get?",
    );
    expect(after.answer.content).toContain("20");
    // The answer follows the current evidence and says what changed.
    expect(after.answer.content).toMatch(
      /Correction: on \d{4}-\d{2}-\d{2} I told you ".*25 vacation days.*"/,
    );
    const [contradiction] = after.trace.memory?.contradictions ?? [];
    expect(contradiction?.earlier).toContain("25");
    expect(contradiction?.now).toContain("20");
    expect(after.trace.explanation).toMatch(/contradicts 1 thing/);

    const page = await json<{
      flags: { id: string; status: string; earlier: { claim: string }; now: { claim: string } }[];
    }>(await platform.fetch(`/v1/end-users/${key}`));
    expect(page.flags).toHaveLength(1);
    expect(page.flags[0]?.earlier.claim).toContain("25");
    expect(page.flags[0]?.now.claim).toContain("20");
    const reviewed = await platform.fetch(`/v1/end-users/${key}/flags/${page.flags[0]?.id}`, {
      method: "PATCH",
      json: { status: "reviewed" },
    });
    expect(reviewed.status).toBe(200);

    // Asked again, the same answer contradicts nothing: the earlier statement was corrected once.
    const third = await say(
      await startSession(agentId, ref),
      "How many vacation days do full-time employees get?",
    );
    expect(third.trace.memory?.contradictions).toEqual([]);

    // Across versions, the same change is drift: flagged with both answers and the document's two versions (by
    // the trigger on new traces, once it ran).
    await platform.host.runner.idle();
    const drift = await json<{ flags: { difference: string; causes: { type: string }[] }[] }>(
      await platform.fetch(`/v1/drift?agentId=${agentId}`),
    );
    expect(drift.flags).toHaveLength(1);
    expect(drift.flags[0]?.causes.map((c) => c.type)).toEqual(["knowledge"]);

    // Erasing the end user deletes their narrative and the copies of their answers that drift keeps.
    await platform.fetch("/v1/privacy/erase", { method: "POST", json: { endUserRef: ref } });
    const afterErasure = await json<{ flags: unknown[] }>(
      await platform.fetch(`/v1/drift?agentId=${agentId}`),
    );
    expect(afterErasure.flags).toEqual([]);
    const questions = await json<{ questions: { lastAnswer: unknown }[] }>(
      await platform.fetch(`/v1/canonical-questions?agentId=${agentId}`),
    );
    expect(questions.questions.map((q) => q.lastAnswer)).toEqual([null]);
    expect(await count(statementsPath("acme"), key)).toBe(0);
    await upload(handbookV1);
  });
});
