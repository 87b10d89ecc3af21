/**
 * The Sandbox's evaluation routes over real HTTP against the local platform, with the handbook fixture and
 * the built-in extractive model: datasets and items, CSV and JSONL uploads (and every hostile upload: bad
 * quoting, wrong types, 10,000 lines, 6 MB, non-UTF-8), items from a trace and a transcript, runs run by the
 * platform's own task queue (progress, results, replayed and duplicate starts, another tenant's agent,
 * cancelling a finished run), comparing two runs, and the publish gate refusing a worse draft with the diff,
 * letting a good one through and timing out when its runs outlast it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { setUpAgents, vacationQuestion } from "../channels/openai/testing/fixture.js";
import { setDeps } from "../platform/process-deps.js";
import type { ChatModel } from "../platform/ports.js";

let platform: TestPlatform;
let hr: string;
let globexAgent: string;
let kbId: string;

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  ({
    kbId,
    agents: { hr, globex: globexAgent },
  } = await setUpAgents(platform));
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface RunBody {
  id: string;
  status: string;
  replayed?: boolean;
  progress: { done: number; total: number; errors: number };
  scores: { accuracy: number; items: number; correct: number; citationPrecision: number | null } | null;
  error: { code: string; message: string } | null;
}

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  init: { key?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const res = await platform.fetch(path, {
    method,
    ...(body !== undefined ? { json: body } : {}),
    ...(init.key ? { key: init.key } : {}),
    ...(init.headers ? { headers: init.headers } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function newDataset(name: string): Promise<string> {
  const res = await call<{ id: string }>("POST", "/v1/eval/datasets", { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const handbookItems = [
  { question: vacationQuestion, expectedFacts: ["25 vacation days"], expectedSources: ["handbook.md"] },
  {
    question: "How many unused vacation days can be carried over?",
    expectedFacts: ["5 unused vacation days"],
  },
  { question: "Within how many days must expense claims be submitted?", expectedFacts: ["30 days"] },
  { question: "Who is the chief executive of the company?", shouldAbstain: true },
];

async function handbookDataset(name: string): Promise<string> {
  const id = await newDataset(name);
  const up = await call("POST", `/v1/eval/datasets/${id}/upload`, {
    format: "jsonl",
    content: handbookItems.map((i) => JSON.stringify(i)).join("\n"),
  });
  expect(up.status, JSON.stringify(up.body)).toBe(200);
  return id;
}

/** Makes the platform's model wait until released (each answer then comes as usual). */
function holdModel(): { release: () => void } {
  const inner = platform.deps.chat;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const slow: ChatModel = {
    info: inner.info,
    complete: async (r) => {
      await held;
      return inner.complete(r);
    },
    async *stream(r) {
      await held;
      yield* inner.stream(r);
    },
  };
  setDeps({ ...platform.deps, chat: slow });
  return {
    release: () => {
      release();
      setDeps(platform.deps);
    },
  };
}

async function finishedRun(runId: string): Promise<RunBody> {
  await platform.host.runner.idle();
  const res = await call<RunBody>("GET", `/v1/eval/runs/${runId}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe("datasets and items", () => {
  it("are created, listed, changed and deleted by editors, and read by no one below", async () => {
    const id = await newDataset("Golden set");
    const item = await call<{ id: string; seq: number; origin: { kind: string } }>(
      "POST",
      `/v1/eval/datasets/${id}/items`,
      { question: "How long is the notice period?", referenceAnswer: "Three months", tags: ["hr"] },
    );
    expect(item.status).toBe(201);
    expect(item.body).toMatchObject({ seq: 0, origin: { kind: "manual" } });
    expect((await call("GET", `/v1/eval/datasets/${id}`)).body).toMatchObject({ itemCount: 1, revision: 1 });
    const put = await call("PUT", `/v1/eval/datasets/${id}/items/${item.body.id}`, {
      question: "How long is the notice period?",
      expectedFacts: ["three months"],
    });
    expect(put.body).toMatchObject({ expectedFacts: ["three months"], referenceAnswer: null, seq: 0 });
    expect((await call("GET", `/v1/eval/datasets/${id}`)).body).toMatchObject({ revision: 2 });
    const bad = await call<ErrorBody>("POST", `/v1/eval/datasets/${id}/items`, {
      question: "Nothing to score?",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/give expectedFacts, a referenceAnswer or shouldAbstain/);
    expect((await call("GET", `/v1/eval/datasets`, undefined, { key: platform.keys.viewer })).status).toBe(
      403,
    );
    expect((await call("PATCH", `/v1/eval/datasets/${id}`, { name: "Renamed" })).body).toMatchObject({
      name: "Renamed",
    });
    expect((await call("DELETE", `/v1/eval/datasets/${id}/items/${item.body.id}`)).status).toBe(204);
    expect((await call("GET", `/v1/eval/datasets/${id}/items/${item.body.id}`)).status).toBe(404);
    expect((await call("DELETE", `/v1/eval/datasets/${id}`)).status).toBe(204);
    expect((await call("GET", `/v1/eval/datasets/${id}`)).status).toBe(404);
  });

  it("upload CSV as JSON or multipart, and page through more items than one batch writes", async () => {
    const id = await newDataset("Uploaded");
    const csv = [
      "question,expected_facts,should_abstain,tags",
      `"How many vacation days, per year?",25 vacation days,no,hr|leave`,
      "Who is the CEO?,,yes,",
    ].join("\r\n");
    const up = await call("POST", `/v1/eval/datasets/${id}/upload`, { format: "csv", content: csv });
    expect(up.body).toEqual({ added: 2, itemCount: 2, revision: 1 });

    const lines = Array.from({ length: 1200 }, (_, i) =>
      JSON.stringify({ question: `Question ${i}?`, shouldAbstain: true }),
    );
    const form = new FormData();
    form.append("file", new Blob([lines.join("\n")], { type: "application/x-ndjson" }), "golden.jsonl");
    const multipart = await platform.fetch(`/v1/eval/datasets/${id}/upload`, { method: "POST", body: form });
    expect(multipart.status, await multipart.clone().text()).toBe(200);
    expect(await multipart.json()).toEqual({ added: 1200, itemCount: 1202, revision: 2 });

    const first = await call<{ items: { seq: number; question: string }[]; nextCursor: string }>(
      "GET",
      `/v1/eval/datasets/${id}/items?limit=500`,
    );
    expect(first.body.items).toHaveLength(500);
    expect(first.body.items[0]).toMatchObject({ seq: 0, question: "How many vacation days, per year?" });
    const third = await call<{ items: { seq: number }[]; nextCursor: string | null }>(
      "GET",
      `/v1/eval/datasets/${id}/items?limit=500&cursor=999`,
    );
    expect(third.body.items.map((i) => i.seq)).toEqual(Array.from({ length: 202 }, (_, i) => 1000 + i));
    expect(third.body.nextCursor).toBeNull();
  });

  it("refuse hostile uploads whole, saying which line and field, and write nothing", async () => {
    const id = await newDataset("Hostile");
    const count = async () =>
      (await call<{ itemCount: number }>("GET", `/v1/eval/datasets/${id}`)).body.itemCount;

    const quoting = await call<ErrorBody>("POST", `/v1/eval/datasets/${id}/upload`, {
      format: "csv",
      content: 'question,should_abstain\nFine?,yes\nSay "hi",yes\n"open,yes\n',
    });
    expect(quoting.status).toBe(400);
    expect(quoting.body.error.message).toMatch(
      /^The CSV file has 2 problem\(s\); nothing was added\. First: line 3:/,
    );
    expect(quoting.body.error.details?.errors).toEqual([
      {
        line: 3,
        field: null,
        message: 'a double quote inside an unquoted field: quote the whole field and double the quote ("")',
      },
      { line: 4, field: null, message: "a quoted field opened on this line is never closed" },
    ]);

    const types = await call<ErrorBody>("POST", `/v1/eval/datasets/${id}/upload`, {
      format: "jsonl",
      content:
        '{"question": "ok?", "shouldAbstain": true}\n{"question": ["not", "text"], "shouldAbstain": "no"}',
    });
    expect(types.status).toBe(400);
    expect(types.body.error.details?.errors).toEqual([
      { line: 2, field: "question", message: "question must be text" },
      { line: 2, field: "shouldAbstain", message: "shouldAbstain must be true or false" },
    ]);

    const tenThousand = Array.from({ length: 10_000 }, (_, i) =>
      JSON.stringify({ question: `Q${i}?`, shouldAbstain: true }),
    );
    const many = await call<ErrorBody>("POST", `/v1/eval/datasets/${id}/upload`, {
      format: "jsonl",
      content: tenThousand.join("\n"),
    });
    expect(many.status).toBe(400);
    expect(many.body.error.message).toBe(
      "A dataset holds at most 2,000 items; this one has 0, and 10,000 more were sent",
    );

    const huge = await call<ErrorBody>("POST", `/v1/eval/datasets/${id}/upload`, {
      format: "csv",
      content: `question,should_abstain\n${"x".repeat(6 * 1024 * 1024)},yes\n`,
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error.message).toMatch(/an upload is at most 5,242,880 bytes/);

    const form = new FormData();
    form.append("file", new Blob([Buffer.from([0x71, 0x75, 0xff, 0xfe, 0x0a])]), "items.csv");
    const binary = await platform.fetch(`/v1/eval/datasets/${id}/upload`, { method: "POST", body: form });
    expect(binary.status).toBe(400);
    expect(((await binary.json()) as ErrorBody).error.message).toBe("The file is not UTF-8 text");

    const unnamed = new FormData();
    unnamed.append("file", new Blob(["question\nq"]), "items.txt");
    const unknown = await platform.fetch(`/v1/eval/datasets/${id}/upload`, { method: "POST", body: unnamed });
    expect(((await unknown.json()) as ErrorBody).error.message).toMatch(/name it \.csv or \.jsonl/);

    const format = await call<ErrorBody>("POST", `/v1/eval/datasets/${id}/upload`, {
      format: "xlsx",
      content: "",
    });
    expect(format.body.error.message).toMatch(/format must be "csv" or "jsonl"/);

    expect(await count()).toBe(0);
  });

  it("take an item from a trace and a multi-turn item from a transcript", async () => {
    const id = await newDataset("From production");
    const conv = await call<{ id: string }>("POST", `/v1/agents/${hr}/conversations`, {});
    const first = await call<{ message: { traceId: string } }>(
      "POST",
      `/v1/conversations/${conv.body.id}/messages`,
      {
        content: vacationQuestion,
      },
    );
    await call("POST", `/v1/conversations/${conv.body.id}/messages`, {
      content: "How many of them can be carried over?",
    });
    const fromTrace = await call<Record<string, unknown>>("POST", `/v1/eval/datasets/${id}/from-trace`, {
      traceId: first.body.message.traceId,
      tags: ["vacation"],
    });
    expect(fromTrace.status, JSON.stringify(fromTrace.body)).toBe(201);
    expect(fromTrace.body).toMatchObject({
      question: vacationQuestion,
      referenceAnswer: expect.stringMatching(/25 vacation days/),
      expectedSources: ["handbook.md"],
      shouldAbstain: false,
      tags: ["vacation"],
      origin: { kind: "trace", traceId: first.body.message.traceId, conversationId: conv.body.id },
    });
    const fromConversation = await call<Record<string, unknown>>(
      "POST",
      `/v1/eval/datasets/${id}/from-conversation`,
      { conversationId: conv.body.id },
    );
    expect(fromConversation.status, JSON.stringify(fromConversation.body)).toBe(201);
    expect(fromConversation.body).toMatchObject({
      question: null,
      turns: [vacationQuestion, "How many of them can be carried over?"],
      origin: { kind: "conversation", conversationId: conv.body.id },
    });
    // Another workspace's trace and conversation are not found; its datasets cannot take ours either.
    const theirs = await call<ErrorBody>(
      "POST",
      `/v1/eval/datasets/${id}/from-trace`,
      { traceId: first.body.message.traceId },
      { key: platform.keys.otherTenantOwner },
    );
    expect(theirs.status).toBe(404);
    const globexDataset = (
      await call<{ id: string }>(
        "POST",
        "/v1/eval/datasets",
        { name: "Theirs" },
        { key: platform.keys.otherTenantOwner },
      )
    ).body.id;
    const crossTrace = await call<ErrorBody>(
      "POST",
      `/v1/eval/datasets/${globexDataset}/from-trace`,
      { traceId: first.body.message.traceId },
      { key: platform.keys.otherTenantOwner },
    );
    expect(crossTrace.status).toBe(404);
    expect(crossTrace.body.error.message).toBe(`Trace ${first.body.message.traceId} not found`);
    const crossConversation = await call<ErrorBody>(
      "POST",
      `/v1/eval/datasets/${globexDataset}/from-conversation`,
      { conversationId: conv.body.id },
      { key: platform.keys.otherTenantOwner },
    );
    expect(crossConversation.status).toBe(404);
  });
});

describe("runs", () => {
  it("run a dataset on the task queue, with progress, scores, paged results and sandbox isolation", async () => {
    const datasetId = await handbookDataset("Handbook golden set");
    const before = await call<{ conversations: unknown[] }>("GET", "/v1/conversations?limit=200");
    const started = await call<RunBody>("POST", "/v1/eval/runs", {
      datasetId,
      target: { agentId: hr, version: 1 },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({
      status: "queued",
      replayed: false,
      progress: { done: 0, total: 4 },
    });
    const run = await finishedRun(started.body.id);
    expect(run).toMatchObject({ status: "completed", progress: { done: 4, total: 4, errors: 0 } });
    expect(run.scores).toMatchObject({ items: 4, correct: 4, accuracy: 1, citationPrecision: 1 });
    const page = await call<{
      results: { itemId: string; answer: string; score: { correct: boolean } }[];
      nextCursor: string;
    }>("GET", `/v1/eval/runs/${run.id}/results?limit=3`);
    expect(page.body.results).toHaveLength(3);
    expect(page.body.results[0]?.answer).toMatch(/25 vacation days/);
    const rest = await call<{ results: unknown[]; nextCursor: string | null }>(
      "GET",
      `/v1/eval/runs/${run.id}/results?cursor=${page.body.nextCursor}`,
    );
    expect(rest.body).toMatchObject({ nextCursor: null });
    expect(rest.body.results).toHaveLength(1);
    // Its conversations are not listed.
    const after = await call<{ conversations: unknown[] }>("GET", "/v1/conversations?limit=200");
    expect(after.body.conversations).toHaveLength(before.body.conversations.length);
    const listed = await call<{ runs: { id: string }[] }>("GET", `/v1/eval/runs?datasetId=${datasetId}`);
    expect(listed.body.runs.map((r) => r.id)).toEqual([run.id]);
    const byAgent = await call<{ runs: { id: string }[] }>("GET", `/v1/eval/runs?agentId=${hr}&limit=1`);
    expect(byAgent.body.runs).toHaveLength(1);
    // Finished: nothing to cancel.
    const cancel = await call<ErrorBody>("POST", `/v1/eval/runs/${run.id}/cancel`);
    expect(cancel.status).toBe(400);
    expect(cancel.body.error.message).toBe(`Run ${run.id} is already completed; there is nothing to cancel`);
  });

  it("complete a 100-item run with every item scored once (its time is the bench's: scripts/bench/eval.mjs)", async () => {
    const datasetId = await newDataset("Hundred");
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify(handbookItems[i % 4]));
    await call("POST", `/v1/eval/datasets/${datasetId}/upload`, {
      format: "jsonl",
      content: lines.join("\n"),
    });
    const started = await call<RunBody>("POST", "/v1/eval/runs", {
      datasetId,
      target: { agentId: hr, version: 1 },
    });
    const run = await finishedRun(started.body.id);
    expect(run).toMatchObject({ status: "completed", progress: { done: 100, total: 100, errors: 0 } });
    expect(run.scores).toMatchObject({ items: 100, correct: 100, accuracy: 1 });
    const results = await call<{ results: { status: string; itemId: string; traceId: string }[] }>(
      "GET",
      `/v1/eval/runs/${run.id}/results?limit=500`,
    );
    expect(results.body.results).toHaveLength(100);
    expect(results.body.results.every((r) => r.status === "done" && r.traceId)).toBe(true);
    expect(new Set(results.body.results.map((r) => r.itemId)).size).toBe(100);
  });

  it("answer a replayed start with the same run, refuse a duplicate and another tenant's agent", async () => {
    const datasetId = await handbookDataset("Replays");
    const body = { datasetId, target: { agentId: hr, version: "draft" } };
    const headers = { "idempotency-key": "pipeline-42" };
    // The model waits, so the run is still going when the duplicate comes.
    const held = holdModel();
    const first = await call<RunBody>("POST", "/v1/eval/runs", body, { headers });
    const again = await call<RunBody>("POST", "/v1/eval/runs", body, { headers });
    const duplicate = await call<ErrorBody>("POST", "/v1/eval/runs", body);
    held.release();
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, replayed: true });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.details).toEqual({ runId: first.body.id });
    expect((await finishedRun(first.body.id)).status).toBe("completed");
    const reused = await call<ErrorBody>(
      "POST",
      "/v1/eval/runs",
      { ...body, target: { agentId: hr, version: 1 } },
      { headers },
    );
    expect(reused.status).toBe(409);
    expect(reused.body.error.message).toMatch(/^This idempotency key already started run/);
    const foreign = await call<ErrorBody>("POST", "/v1/eval/runs", {
      datasetId,
      target: { agentId: globexAgent, version: 1 },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toBe(`Agent ${globexAgent} not found`);
    const theirs = await call<ErrorBody>(
      "POST",
      "/v1/eval/runs",
      { datasetId, target: { agentId: globexAgent, version: 1 } },
      { key: platform.keys.otherTenantOwner },
    );
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.message).toBe(`Dataset ${datasetId} not found`);
    const viewer = await call<ErrorBody>("POST", "/v1/eval/runs", body, { key: platform.keys.viewer });
    expect(viewer.status).toBe(403);
  });

  it("compare two runs item by item", async () => {
    const datasetId = await handbookDataset("Compared");
    const base = await call<RunBody>("POST", "/v1/eval/runs", {
      datasetId,
      target: { agentId: hr, version: 1 },
    });
    // A draft that declines everything about vacation.
    const agent = await call<{ id: string }>("POST", "/v1/agents", {
      name: "Strict HR",
      instructions: "Answer HR questions from the handbook.",
      knowledgeBaseIds: (await call<{ knowledgeBaseIds: string[] }>("GET", `/v1/agents/${hr}`)).body
        .knowledgeBaseIds,
      confidenceThreshold: 0.5,
      guardrails: { blockedTopics: ["vacation"] },
    });
    const other = await call<RunBody>("POST", "/v1/eval/runs", {
      datasetId,
      target: { agentId: agent.body.id, version: "draft" },
    });
    await finishedRun(base.body.id);
    expect((await finishedRun(other.body.id)).scores).toMatchObject({ correct: 2 });
    const compared = await call<{
      counts: Record<string, number>;
      deltas: { accuracy: number };
      items: {
        change: string;
        question: string;
        base: { answer: string; traceId: string };
        other: { traceId: string };
      }[];
    }>("GET", `/v1/eval/runs/${base.body.id}/compare/${other.body.id}`);
    expect(compared.status).toBe(200);
    expect(compared.body.counts).toEqual({ better: 0, worse: 2, same: 2, "only-base": 0, "only-other": 0 });
    expect(compared.body.deltas.accuracy).toBe(-0.5);
    expect(compared.body.items.slice(0, 2).map((i) => i.change)).toEqual(["worse", "worse"]);
    expect(compared.body.items[0]?.base.answer).toMatch(/vacation days/);
    expect(compared.body.items[0]?.other.traceId).toEqual(expect.any(String));
    const worseOnly = await call<{ items: unknown[] }>(
      "GET",
      `/v1/eval/runs/${base.body.id}/compare/${other.body.id}?changes=worse&limit=1`,
    );
    expect(worseOnly.body.items).toHaveLength(1);
  });
});

describe("the publish gate", () => {
  it("refuses a draft that scores lower by more than the margin, with the diff, and lets a good one through", async () => {
    const datasetId = await handbookDataset("Gate");
    const set = await call<{ publishGate: Record<string, unknown> }>("PUT", `/v1/agents/${hr}/publish-gate`, {
      datasetId,
      maxDrop: 0.1,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.publishGate).toEqual({ enabled: true, datasetId, maxDrop: 0.1, timeoutSeconds: 120 });
    const versions = async () =>
      (await call<{ latestVersion: number }>("GET", `/v1/agents/${hr}`)).body.latestVersion;
    const before = await versions();

    await call("PATCH", `/v1/agents/${hr}`, { guardrails: { blockedTopics: ["vacation"], redactPii: true } });
    const refused = await call<ErrorBody>("POST", `/v1/agents/${hr}/publish`, {});
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.body.error.code).toBe("failed-precondition");
    expect(refused.body.error.message).toMatch(
      /^The draft's accuracy on dataset \S+ is 50\.0% against 100\.0% for version \d+: a drop of 50\.0%, more than the gate allows \(10\.0%\)\. 2 item\(s\) got worse, 0 better\. Nothing was published\.$/,
    );
    const details = refused.body.error.details as {
      drop: number;
      comparison: { worse: { change: string; question: string }[] };
    };
    expect(details.drop).toBe(0.5);
    expect(details.comparison.worse.map((w) => w.question).sort()).toEqual(
      [vacationQuestion, "How many unused vacation days can be carried over?"].sort(),
    );
    expect(await versions()).toBe(before);

    // The same draft again: the completed runs are reused, and it is refused at once.
    const runsBefore = (await call<{ runs: unknown[] }>("GET", `/v1/eval/runs?datasetId=${datasetId}`)).body
      .runs.length;
    expect((await call("POST", `/v1/agents/${hr}/publish`, {})).status).toBe(400);
    expect(
      (await call<{ runs: unknown[] }>("GET", `/v1/eval/runs?datasetId=${datasetId}`)).body.runs,
    ).toHaveLength(runsBefore);

    // Once the knowledge changed (a document added), neither run is reused: both are run again.
    const added = await call<{ id: string }>("POST", `/v1/knowledge-bases/${kbId}/documents`, {
      name: "gate-note.md",
      text: "# Parking\n\nEmployees may park in the north garage.\n",
    });
    expect(added.status, JSON.stringify(added.body)).toBe(202);
    await platform.host.runner.idle();
    expect((await call("POST", `/v1/agents/${hr}/publish`, {})).status).toBe(400);
    expect(
      (await call<{ runs: unknown[] }>("GET", `/v1/eval/runs?datasetId=${datasetId}`)).body.runs,
    ).toHaveLength(runsBefore + 2);
    expect((await call(`DELETE`, `/v1/knowledge-bases/${kbId}/documents/${added.body.id}`)).status).toBe(204);
    await platform.host.runner.idle();

    await call("PATCH", `/v1/agents/${hr}`, { guardrails: { blockedTopics: [], redactPii: true } });
    const published = await call<{ publishedVersion: number }>("POST", `/v1/agents/${hr}/publish`, {});
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body.publishedVersion).toBe(before + 1);
    expect((await call("DELETE", `/v1/agents/${hr}/publish-gate`)).status).toBe(204);
  });

  it("refuses a gate on another tenant's dataset, and a publish whose gate lost its dataset", async () => {
    const theirs = (
      await call<{ id: string }>(
        "POST",
        "/v1/eval/datasets",
        { name: "Theirs" },
        { key: platform.keys.otherTenantOwner },
      )
    ).body.id;
    const foreign = await call<ErrorBody>("PUT", `/v1/agents/${hr}/publish-gate`, {
      datasetId: theirs,
      maxDrop: 0,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toBe(`Dataset ${theirs} not found`);
    const gone = await handbookDataset("Soon gone");
    await call("PUT", `/v1/agents/${hr}/publish-gate`, { datasetId: gone, maxDrop: 0.05 });
    await call("DELETE", `/v1/eval/datasets/${gone}`);
    const refused = await call<ErrorBody>("POST", `/v1/agents/${hr}/publish`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/The publish gate's dataset \S+ no longer exists/);
    await call("DELETE", `/v1/agents/${hr}/publish-gate`);
  });

  it("gives up after its timeout, saying how long it waited, and publishes nothing", async () => {
    const datasetId = await handbookDataset("Slow gate");
    await call("PUT", `/v1/agents/${hr}/publish-gate`, { datasetId, maxDrop: 0.1, timeoutSeconds: 10 });
    await call("PATCH", `/v1/agents/${hr}`, { description: "A change to publish" });
    const held = holdModel();
    try {
      const started = Date.now();
      const refused = await call<ErrorBody>("POST", `/v1/agents/${hr}/publish`, {});
      expect(refused.status).toBe(504);
      expect(refused.body.error.message).toMatch(
        /^The publish gate's evaluation did not finish within 10 s \(the gate's timeoutSeconds\)\. Nothing was published\./,
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    } finally {
      held.release();
    }
    await platform.host.runner.idle();
    // Once its runs completed, publishing again reuses them.
    const published = await call("POST", `/v1/agents/${hr}/publish`, {});
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    await call("DELETE", `/v1/agents/${hr}/publish-gate`);
  }, 60_000);
});
