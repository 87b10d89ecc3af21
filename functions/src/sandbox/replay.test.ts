/**
 * Replay over real HTTP against the local platform (and the service directly where a scripted model stands
 * in): a version-1 answer replayed against version 2, whose knowledge says otherwise, with the word diff,
 * the citations gained and lost, the confidence delta and the abstention change; a later turn of a
 * conversation replayed with its history; probe, sandbox and failed traces replayed; a replayed turn that
 * fails stored as a failed replay; refusals that store nothing (archived agent, missing version, no
 * credits); other workspaces' traces and agents; malformed input; listing and paging.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { recordPageSpec } from "../platform/paging.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Trace } from "../accountability/schema.js";
import { startConversation } from "../agents/conversations.js";
import { conversationsPath } from "../agents/schema.js";
import { sendMessage } from "../agents/turn.js";
import { answer, scriptedModel } from "../agents/testing/scripted-model.js";
import { addCredits, changePlan, loadAccount } from "../billing/ledger.js";
import { listProbes, putProbe, runProbe } from "../monitor/probes.js";
import type { Caller } from "../platform/caller.js";
import { AppError } from "../platform/errors.js";
import type { Deps } from "../platform/deps.js";
import {
  diffAnswers,
  diffWords,
  replayListing,
  replaysPath,
  replayTrace,
  type ReplayAnswer,
  type ReplayView,
} from "./replay.js";

let platform: TestPlatform;
/** Version 1 answers from the 2026 handbook, version 2 from the 2027 one. */
let agentId: string;
let globexAgent: string;
/** A version-1 answer to the vacation question, and the second turn of a two-turn conversation. */
let firstTraceId: string;
let followUpTraceId: string;

const handbook2026 = `# Acme handbook 2026

## Vacation

Full-time employees receive 25 vacation days per calendar year. Up to 5 unused vacation days can be carried over into the next year.

## Expenses

Submit expense claims in the finance portal within 30 days. Attach an itemised receipt for every expense above 10 euros.
`;

const handbook2027 = `# Acme handbook 2027

## Vacation

Full-time employees receive 30 vacation days per calendar year. Unused vacation days expire at the end of the year.
`;

const vacationQuestion = "How many vacation days do full-time employees get?";

const owner: Caller = { tenantId: "acme", role: "owner", uid: "apikey:replay-test", via: "api-key" };

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function post<T = { id: string }>(pathname: string, body: unknown, key?: string): Promise<T> {
  const res = await platform.fetch(pathname, { method: "POST", json: body, key });
  expect(res.status, `${pathname}: ${await res.clone().text()}`).toBeLessThan(300);
  return json<T>(res);
}

async function knowledgeBase(name: string, docName: string, text: string): Promise<string> {
  const kbId = (await post("/v1/knowledge-bases", { name })).id;
  await post(`/v1/knowledge-bases/${kbId}/documents`, { name: docName, text });
  return kbId;
}

async function ask(conversationId: string, content: string): Promise<{ traceId: string; content: string }> {
  return (
    await post<{ message: { traceId: string; content: string } }>(
      `/v1/conversations/${conversationId}/messages`,
      { content },
    )
  ).message;
}

const replayCount = async (): Promise<number> =>
  platform.deps.store.count({ collection: replaysPath("acme") });
const sandboxConversations = async (): Promise<number> =>
  platform.deps.store.count({
    collection: conversationsPath("acme"),
    where: [{ field: "sandbox", op: "==", value: true }],
  });

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  const kb2026 = await knowledgeBase("Handbook 2026", "handbook-2026.md", handbook2026);
  const kb2027 = await knowledgeBase("Handbook 2027", "handbook-2027.md", handbook2027);
  await platform.host.runner.idle();
  agentId = (
    await post("/v1/agents", {
      name: "HR assistant",
      instructions: "Answer HR questions from the handbook.",
      knowledgeBaseIds: [kb2026],
      confidenceThreshold: 0.3,
    })
  ).id;
  await post(`/v1/agents/${agentId}/publish`, {});
  const patched = await platform.fetch(`/v1/agents/${agentId}`, {
    method: "PATCH",
    json: { knowledgeBaseIds: [kb2027] },
  });
  expect(patched.status).toBe(200);
  await post(`/v1/agents/${agentId}/publish`, {});
  globexAgent = (
    await post(
      "/v1/agents",
      { name: "Globex helper", knowledgeBaseIds: [], confidenceThreshold: 0.3 },
      platform.keys.otherTenantOwner,
    )
  ).id;

  const first = (await post(`/v1/agents/${agentId}/conversations`, { version: 1 })).id;
  firstTraceId = (await ask(first, vacationQuestion)).traceId;
  const second = (await post(`/v1/agents/${agentId}/conversations`, { version: 1 })).id;
  await ask(second, vacationQuestion);
  followUpTraceId = (await ask(second, "How many unused vacation days can be carried over?")).traceId;
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

describe("the word diff", () => {
  it("keeps what both answers share and marks what changed, removed before added", () => {
    const d = diffWords("Employees receive 25 vacation days [1].", "Employees receive 30 vacation days [1].");
    expect(d.words).toEqual([
      { op: "same", text: "Employees receive" },
      { op: "removed", text: "25" },
      { op: "added", text: "30" },
      { op: "same", text: "vacation days [1]." },
    ]);
    expect(d).toMatchObject({ wordsAdded: 1, wordsRemoved: 1, coarse: false });
  });

  it("aligns insertions and deletions in the middle on the longest common run", () => {
    const d = diffWords("a b c d e", "a x c d y e");
    expect(d.words).toEqual([
      { op: "same", text: "a" },
      { op: "removed", text: "b" },
      { op: "added", text: "x" },
      { op: "same", text: "c d" },
      { op: "added", text: "y" },
      { op: "same", text: "e" },
    ]);
  });

  it("treats a missing answer as no words, and identical answers as unchanged", () => {
    expect(diffWords(null, "Now it answers.")).toMatchObject({
      words: [{ op: "added", text: "Now it answers." }],
      wordsAdded: 3,
      wordsRemoved: 0,
    });
    expect(diffWords("Same  words\nhere", "Same words here")).toMatchObject({
      words: [{ op: "same", text: "Same words here" }],
      wordsAdded: 0,
    });
  });

  it("reports answers too long and too different to align as removed and added whole, and says so", () => {
    const before = Array.from({ length: 2100 }, (_, i) => `old${i}`).join(" ");
    const after = Array.from({ length: 2100 }, (_, i) => `new${i}`).join(" ");
    const d = diffWords(`Intro ${before} end.`, `Intro ${after} end.`);
    expect(d.coarse).toBe(true);
    expect(d.words.map((w) => w.op)).toEqual(["same", "removed", "added", "same"]);
    expect(d).toMatchObject({ wordsAdded: 2100, wordsRemoved: 2100 });
  });

  it("compares citations by document and quote, and reports confidence and abstention changes", () => {
    const side = (over: Partial<ReplayAnswer>): ReplayAnswer => ({
      traceId: "t",
      agentId: "a",
      agentVersion: 1,
      status: "answered",
      answer: "x",
      answerFrom: "message",
      answerTruncated: false,
      confidence: 0.8,
      abstained: false,
      citations: [],
      error: null,
      latencyMs: 10,
      ...over,
    });
    const kept = { docId: "d1", docName: "a.md", quote: "Kept  quote." };
    const d = diffAnswers(
      side({ citations: [kept, { docId: "d1", docName: "a.md", quote: "Old quote." }] }),
      side({
        status: "abstained",
        abstained: true,
        confidence: 0.35,
        citations: [
          { ...kept, quote: "kept quote." },
          { docId: "d2", docName: "b.md", quote: "New." },
        ],
      }),
    );
    expect(d.citationsRemoved).toEqual([{ docId: "d1", docName: "a.md", quote: "Old quote." }]);
    expect(d.citationsAdded).toEqual([{ docId: "d2", docName: "b.md", quote: "New." }]);
    expect(d).toMatchObject({ confidenceDelta: -0.45, abstention: "now-abstains", statusChanged: true });
    expect(diffAnswers(side({ abstained: true, confidence: null }), side({})).abstention).toBe("now-answers");
    expect(diffAnswers(side({ confidence: null }), side({})).confidenceDelta).toBeNull();
  });
});

describe("replaying a trace against another version", () => {
  it("answers the version-1 question from version 2's knowledge and stores both answers with their diff", async () => {
    const res = await platform.fetch("/v1/eval/replays", {
      method: "POST",
      json: { traceId: firstTraceId, target: { version: 2 } },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const replay = await json<ReplayView>(res);
    expect(replay).toMatchObject({
      traceId: firstTraceId,
      target: { agentId, version: 2 },
      status: "completed",
      question: vacationQuestion,
      questionFrom: "message",
      historyMessages: 0,
      error: null,
    });
    expect(replay.original).toMatchObject({
      traceId: firstTraceId,
      agentVersion: 1,
      answerFrom: "message",
      abstained: false,
    });
    expect(replay.original.answer).toContain("25 vacation days");
    expect(replay.replay).toMatchObject({
      agentVersion: 2,
      answerFrom: "turn",
      abstained: false,
      error: null,
    });
    expect(replay.replay.answer).toContain("30 vacation days");
    expect(replay.replay.traceId).not.toBe(firstTraceId);

    const diff = replay.diff;
    expect(diff?.words).toContainEqual({ op: "removed", text: expect.stringContaining("25") as unknown });
    expect(diff?.words).toContainEqual({ op: "added", text: expect.stringContaining("30") as unknown });
    expect(diff?.citationsRemoved.map((c) => c.docName)).toContain("handbook-2026.md");
    expect(diff?.citationsAdded.map((c) => c.docName)).toContain("handbook-2027.md");
    expect(diff?.abstention).toBe("unchanged");
    expect(diff?.confidenceDelta).toBeCloseTo(
      (replay.replay.confidence ?? 0) - (replay.original.confidence ?? 0),
      3,
    );

    // The replayed turn is a sandbox turn, in a sandbox conversation that conversation lists leave out.
    const trace = await json<Trace>(await platform.fetch(`/v1/traces/${replay.replay.traceId}`));
    expect(trace).toMatchObject({ sandbox: true, agentVersion: 2, question: vacationQuestion });
    const listed = await json<{ conversations: { id: string }[] }>(
      await platform.fetch("/v1/conversations?limit=200"),
    );
    expect(listed.conversations.map((c) => c.id)).not.toContain(replay.conversationId);

    // Read back as stored.
    const got = await json<ReplayView>(await platform.fetch(`/v1/eval/replays/${replay.id}`));
    expect(got).toEqual(replay);
  });

  it("replays against the draft, the published version, and another agent of the workspace", async () => {
    const draft = await post<ReplayView>("/v1/eval/replays", {
      traceId: firstTraceId,
      target: { version: "draft" },
    });
    expect(draft.target).toEqual({ agentId, version: "draft" });
    expect(draft.replay.answer).toContain("30 vacation days");
    const published = await post<ReplayView>("/v1/eval/replays", {
      traceId: firstTraceId,
      target: { version: "published" },
    });
    // "published" is pinned to the number it was, so the record says which version answered.
    expect(published.target).toEqual({ agentId, version: 2 });
    const other = (
      await post("/v1/agents", { name: "Empty desk", knowledgeBaseIds: [], confidenceThreshold: 0.3 })
    ).id;
    const elsewhere = await post<ReplayView>("/v1/eval/replays", {
      traceId: firstTraceId,
      target: { agentId: other, version: "draft" },
    });
    expect(elsewhere.target).toEqual({ agentId: other, version: "draft" });
    // With no knowledge it abstains: the diff says the agent now abstains and cites nothing.
    expect(elsewhere.replay.abstained).toBe(true);
    expect(elsewhere.diff).toMatchObject({ abstention: "now-abstains", citationsAdded: [] });
    expect(elsewhere.diff?.citationsRemoved.length).toBeGreaterThan(0);
  });

  it("passes a later turn's earlier messages as the replay's history", async () => {
    const model = scriptedModel([() => answer("I cannot find that.")]);
    const deps: Deps = { ...platform.deps, chat: model };
    const replay = await replayTrace(deps, owner, { traceId: followUpTraceId, target: { version: 1 } });
    expect(replay.historyMessages).toBe(2);
    expect(replay.question).toBe("How many unused vacation days can be carried over?");
    const sent = model.requests[0]?.messages ?? [];
    const users = sent.filter((m) => m.role === "user").map((m) => m.content);
    expect(users[0]).toBe(vacationQuestion);
    expect(users.at(-1)).toBe("How many unused vacation days can be carried over?");
    expect(sent.some((m) => m.role === "assistant" && m.content.includes("25 vacation days"))).toBe(true);
    // The original conversation is not touched: the replay ran in its own.
    expect(replay.conversationId).not.toBe(
      (await json<Trace>(await platform.fetch(`/v1/traces/${followUpTraceId}`))).conversationId,
    );
  });

  it("replays a monitor probe's trace (its conversation deleted) from what the trace keeps", async () => {
    await putProbe(platform.deps, "acme", agentId, {
      question: vacationQuestion,
      expect: "answers",
      mustContain: [],
      everyMinutes: 60,
      enabled: false,
    });
    const probe = (await listProbes(platform.deps, "acme")).find((p) => p.agentId === agentId);
    expect(probe).toBeDefined();
    await runProbe(platform.deps, "acme", probe as NonNullable<typeof probe>);
    const traceId = (await listProbes(platform.deps, "acme")).find((p) => p.agentId === agentId)?.last
      ?.traceId;
    expect(traceId).toBeTruthy();
    const replay = await post<ReplayView>("/v1/eval/replays", { traceId, target: { version: 1 } });
    expect(replay).toMatchObject({
      status: "completed",
      questionFrom: "trace",
      historyMessages: 0,
      question: vacationQuestion,
    });
    // Rebuilt from the trace's supported sentences, with their markers, as the answer joined them.
    expect(replay.original).toMatchObject({ answerFrom: "trace", agentVersion: 2 });
    expect(replay.original.answer).toContain("30 vacation days");
    expect(replay.replay.answer).toContain("25 vacation days");
  });

  it("replays a sandbox trace (a replay's own turn)", async () => {
    const first = await post<ReplayView>("/v1/eval/replays", {
      traceId: firstTraceId,
      target: { version: 2 },
    });
    const again = await post<ReplayView>("/v1/eval/replays", {
      traceId: first.replay.traceId,
      target: { version: 1 },
    });
    expect(again.original).toMatchObject({ traceId: first.replay.traceId, agentVersion: 2 });
    expect(again.replay.answer).toContain("25 vacation days");
    expect(again.diff?.citationsAdded.map((c) => c.docName)).toContain("handbook-2026.md");
  });

  it("replays a failed trace: the original has no answer, the diff says the status changed", async () => {
    const failing = scriptedModel([
      () => {
        throw new AppError("unavailable", "The model provider is down");
      },
    ]);
    const { id } = await startConversation(platform.deps, "acme", agentId, { channel: "api", version: 1 });
    const failure = await sendMessage({ ...platform.deps, chat: failing }, "acme", id, {
      content: vacationQuestion,
    }).then(
      () => null,
      (e: unknown) => e as AppError,
    );
    const traceId = (failure?.details as { traceId: string }).traceId;
    const replay = await post<ReplayView>("/v1/eval/replays", { traceId, target: { version: 1 } });
    expect(replay.original).toMatchObject({
      status: "failed",
      answer: null,
      answerFrom: "trace",
      error: { code: "unavailable" },
    });
    expect(replay.status).toBe("completed");
    expect(replay.replay.answer).toContain("25 vacation days");
    expect(replay.diff).toMatchObject({ statusChanged: true, wordsRemoved: 0 });
    expect(replay.diff?.wordsAdded).toBeGreaterThan(3);
  });

  it("stores a replay whose turn fails as failed, with the reason and the failed turn's trace", async () => {
    const failing = scriptedModel([
      () => {
        throw new AppError("deadline-exceeded", "The model provider did not answer within 1000 ms.");
      },
    ]);
    const replay = await replayTrace({ ...platform.deps, chat: failing }, owner, {
      traceId: firstTraceId,
      target: { version: 2 },
    });
    expect(replay).toMatchObject({ status: "failed", diff: null, error: { code: "deadline-exceeded" } });
    expect(replay.error?.message).toMatch(/did not answer within 1000 ms/);
    expect(replay.replay).toMatchObject({
      status: "failed",
      answer: null,
      error: { code: "deadline-exceeded" },
    });
    const trace = await json<Trace>(await platform.fetch(`/v1/traces/${replay.replay.traceId}`));
    expect(trace).toMatchObject({ status: "failed", sandbox: true });
    expect(await json<ReplayView>(await platform.fetch(`/v1/eval/replays/${replay.id}`))).toMatchObject({
      status: "failed",
    });
  });
});

describe("refusals store nothing", () => {
  const refused = async (body: unknown, key?: string) => {
    const [replays, conversations] = [await replayCount(), await sandboxConversations()];
    const res = await platform.fetch("/v1/eval/replays", { method: "POST", json: body, key });
    const error = (await json<{ error: { code: string; message: string } }>(res)).error;
    expect(await replayCount()).toBe(replays);
    expect(await sandboxConversations()).toBe(conversations);
    return { status: res.status, ...error };
  };

  it("refuses an archived agent, a version that does not exist, and an agent never published", async () => {
    const archived = (
      await post("/v1/agents", { name: "Old desk", knowledgeBaseIds: [], confidenceThreshold: 0.3 })
    ).id;
    await post(`/v1/agents/${archived}/publish`, {});
    expect((await platform.fetch(`/v1/agents/${archived}`, { method: "DELETE" })).status).toBe(204);
    expect(await refused({ traceId: firstTraceId, target: { agentId: archived, version: 1 } })).toMatchObject(
      {
        status: 400,
        code: "failed-precondition",
        message: expect.stringMatching(/archived/) as unknown,
      },
    );
    expect(await refused({ traceId: firstTraceId, target: { version: 9 } })).toMatchObject({
      status: 404,
      message: expect.stringMatching(/no version 9/) as unknown,
    });
    const unpublished = (
      await post("/v1/agents", { name: "New desk", knowledgeBaseIds: [], confidenceThreshold: 0.3 })
    ).id;
    expect(
      await refused({ traceId: firstTraceId, target: { agentId: unpublished, version: "published" } }),
    ).toMatchObject({
      status: 400,
      message: expect.stringMatching(/no published version/) as unknown,
    });
  });

  it("refuses a workspace without credits with 402, removing the sandbox conversation it started", async () => {
    await changePlan(platform.deps, "acme", "free");
    const account = await loadAccount(platform.deps, "acme");
    await addCredits(platform.deps, "acme", {
      id: "replay_test_spend",
      kind: "adjustment",
      amountMicros: -account.balanceMicros,
      ref: "test",
    });
    try {
      expect(await refused({ traceId: firstTraceId, target: { version: 2 } })).toMatchObject({
        status: 402,
        code: "payment-required",
      });
    } finally {
      await changePlan(platform.deps, "acme", "enterprise");
    }
  });

  it("treats another workspace's trace and agent as not found", async () => {
    // Globex's owner names acme's trace: it is not theirs.
    const foreign = await refused(
      { traceId: firstTraceId, target: { version: 1 } },
      platform.keys.otherTenantOwner,
    );
    expect(foreign).toMatchObject({ status: 404, message: `Trace ${firstTraceId} not found` });
    // Acme replays its own trace against globex's agent.
    expect(
      await refused({ traceId: firstTraceId, target: { agentId: globexAgent, version: "draft" } }),
    ).toMatchObject({ status: 404, message: `Agent ${globexAgent} not found` });
    expect(
      (
        await platform
          .fetch(`/v1/eval/replays?traceId=${firstTraceId}`, { key: platform.keys.otherTenantOwner })
          .then((r) => json<{ replays: unknown[] }>(r))
      ).replays,
    ).toEqual([]);
  });

  it.each([
    ["no target", { traceId: "abc" }, /target/],
    ["a version that is no version", { traceId: "abc", target: { version: "latest" } }, /version/],
    ["version 0", { traceId: "abc", target: { version: 0 } }, /version/],
    ["a trace id with a slash", { traceId: "../traces/x", target: { version: 1 } }, /traceId/],
    [
      "an unknown field",
      { traceId: "abc", target: { version: 1 }, tenantId: "globex" },
      /tenantId|unrecognized/i,
    ],
    [
      "an unknown target field",
      { traceId: "abc", target: { version: 1, model: "gpt" } },
      /model|unrecognized/i,
    ],
    [
      "a trace that does not exist",
      { traceId: "nosuchtrace", target: { version: 1 } },
      /Trace nosuchtrace not found/,
    ],
  ])("refuses %s clearly", async (_name, body, message) => {
    const error = await refused(body);
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(500);
    expect(error.message).toMatch(message);
  });

  it("is refused to viewers, who may not run agents nor read traces", async () => {
    const res = await platform.fetch("/v1/eval/replays", {
      method: "POST",
      json: { traceId: firstTraceId, target: { version: 1 } },
      key: platform.keys.viewer,
    });
    expect(res.status).toBe(403);
    expect(
      (await platform.fetch(`/v1/eval/replays?traceId=${firstTraceId}`, { key: platform.keys.viewer }))
        .status,
    ).toBe(403);
  });
});

describe("listing replays", () => {
  it("lists a trace's replays newest first, a page at a time", async () => {
    const { id: conversationId } = await post(`/v1/agents/${agentId}/conversations`, { version: 1 });
    const traceId = (await ask(conversationId, vacationQuestion)).traceId;
    const made: string[] = [];
    for (const version of [1, 2, "draft"])
      made.push((await post<ReplayView>("/v1/eval/replays", { traceId, target: { version } })).id);
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { replays: ReplayView[]; nextCursor: string | null } = await json(
        await platform.fetch(
          `/v1/eval/replays?traceId=${traceId}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        ),
      );
      expect(page.replays.every((r) => r.traceId === traceId)).toBe(true);
      pages.push(page.replays.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.flat().sort()).toEqual([...made].sort());
    expect(pages[0]).toHaveLength(2);
    const all = await json<{ replays: ReplayView[] }>(await platform.fetch("/v1/eval/replays?limit=100"));
    const times = all.replays.map((r) => r.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(all.replays.length).toBeGreaterThan(3);
  });

  it.each([
    ["limit=0", /limit/],
    ["limit=101", /limit/],
    ["limit=ten", /limit/],
    ["cursor=nosuchreplay", /cursor/],
    ["cursor=..%2F..", /cursor/],
    ["traceId=a%2Fb", /traceId/],
    ["agent=x", /agent|unrecognized/i],
  ])("refuses the query %s clearly", async (query, message) => {
    const res = await platform.fetch(`/v1/eval/replays?${query}`);
    expect(res.status).toBe(400);
    expect((await json<{ error: { message: string } }>(res)).error.message).toMatch(message);
  });

  it("is a 404 for a replay that does not exist or is another workspace's", async () => {
    const mine = (await json<{ replays: ReplayView[] }>(await platform.fetch("/v1/eval/replays?limit=1")))
      .replays[0];
    expect(mine).toBeDefined();
    expect(
      (await platform.fetch(`/v1/eval/replays/${mine?.id}`, { key: platform.keys.otherTenantOwner })).status,
    ).toBe(404);
    expect((await platform.fetch("/v1/eval/replays/nosuchreplay")).status).toBe(404);
  });

  it("asks Firestore only for queries firestore.indexes.json has an index for", () => {
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
    const { indexes } = JSON.parse(
      fs.readFileSync(path.join(repoRoot, "firestore.indexes.json"), "utf8"),
    ) as {
      indexes: {
        collectionGroup: string;
        queryScope: string;
        fields: { fieldPath: string; order?: string }[];
      }[];
    };
    const listing = replayListing("acme", { traceId: "t1" });
    const spec = recordPageSpec(listing.collection, listing.where, listing.page.limit);
    const wanted = [
      ...(spec.where ?? []).map((f) => `${f.field}:ASCENDING`),
      ...(spec.orderBy ?? []).map((o) => `${o.field}:${o.direction === "desc" ? "DESCENDING" : "ASCENDING"}`),
    ];
    expect(wanted).toEqual(["traceId:ASCENDING", "createdAt:DESCENDING"]);
    const covered = indexes.some(
      (i) =>
        i.collectionGroup === "evalReplays" &&
        i.queryScope === "COLLECTION" &&
        JSON.stringify(i.fields.map((f) => `${f.fieldPath}:${f.order}`)) === JSON.stringify(wanted),
    );
    expect(covered).toBe(true);
  });
});
