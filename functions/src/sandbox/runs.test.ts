/**
 * Eval runs as a service, on the local adapters with the task run by hand: a run goes through every item
 * once, even when its task crashes and another takes over (the stale one cannot write twice); it can be
 * cancelled midway; it fails saying why when its agent stops answering or every turn fails; starts are
 * idempotent with a key and duplicates are refused; scripts send every message; and what a run does stays
 * out of production: its conversations are not listed, its turns are marked and metered as sandbox usage,
 * which billing reports on its own line and analytics leave out.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalDeps, type LocalDeps } from "@alchemist/local/adapters/deps";
import { traceSchema, tracesPath } from "../accountability/schema.js";
import { archiveAgent, createAgent, publishAgent, updateAgent } from "../agents/agents.js";
import { listConversations, startConversation } from "../agents/conversations.js";
import { conversationsPath } from "../agents/schema.js";
import { changePlan } from "../billing/ledger.js";
import { meterEvent } from "../billing/meter.js";
import { usageReport } from "../billing/report.js";
import { rollupSchema, usageDailyPath } from "../billing/schema.js";
import { usageEventPath, usageEventSchema } from "../billing/usage.js";
import { createTenant } from "../identity/tenants.js";
import { loadAnalytics, summarizeRollups, withoutSandbox } from "../monitor/analytics.js";
import { manualClock } from "../platform/clock.js";
import { loadConfig } from "../platform/config.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { ChatModel, ChatRequest } from "../platform/ports.js";
import { addItem, createDataset, importItems } from "./datasets.js";
import { cancelRun, getRun, listResults, reuseKeyOf, runEvalTask, startRun } from "./runs.js";

const tenantId = "acme";
let deps: LocalDeps;
let dataDir: string;
const clock = manualClock(new Date("2026-03-02T10:00:00.000Z"));
let agentId: string;

beforeAll(async () => {
  process.env.LOG_LEVEL ??= "ERROR"; // the failures below are expected
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-runs-"));
  deps = await openLocalDeps(loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir }), { clock });
  await createTenant(deps, tenantId, "Acme");
  await changePlan(deps, tenantId, "enterprise");
  // No knowledge base: the agent abstains on everything, which items expecting abstentions score correct.
  agentId = (await createAgent(deps, tenantId, { name: "Policy bot" })).id;
  await publishAgent(deps, tenantId, agentId, { note: "" }, "tester");
});

afterAll(() => {
  deps?.local.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** A dataset of `n` questions the agent should abstain on. */
async function dataset(n: number, name = "Abstentions"): Promise<string> {
  const { id } = await createDataset(deps, tenantId, { name }, "tester");
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ question: `What is the code name of project ${i}?`, shouldAbstain: true }),
  );
  await importItems(deps, tenantId, id, { format: "jsonl", content: lines.join("\n") }, "tester");
  return id;
}

/** The built-in model, each call first waiting for `hold(n)` when it returns a promise (n counts from 1). */
function heldChat(hold: (n: number) => Promise<void> | undefined): ChatModel & { calls: ChatRequest[] } {
  const inner = deps.chat;
  const calls: ChatRequest[] = [];
  const gate = async (request: ChatRequest) => {
    calls.push(request);
    await hold(calls.length);
  };
  return {
    info: inner.info,
    calls,
    complete: async (request) => {
      await gate(request);
      return inner.complete(request);
    },
    async *stream(request) {
      await gate(request);
      yield* inner.stream(request);
    },
  };
}

const deferred = () => {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
};

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const task = (runId: string) => ({ tenantId, runId });

describe("an eval run", () => {
  it("runs every item once and scores them", async () => {
    const datasetId = await dataset(12);
    const { run } = await startRun(deps, tenantId, { datasetId, target: { agentId, version: 1 } }, "tester");
    expect(run).toMatchObject({ status: "queued", progress: { done: 0, total: 12 } });
    expect(await runEvalTask(deps, task(run.id))).toBe("completed: 12 item(s) scored");
    const done = await getRun(deps, tenantId, run.id);
    expect(done).toMatchObject({
      status: "completed",
      datasetRevision: 1,
      progress: { done: 12, total: 12, errors: 0 },
    });
    expect(done.scores).toMatchObject({ items: 12, correct: 12, accuracy: 1, errors: 0 });
    expect(done.scores?.abstention).toMatchObject({ truePositives: 12, precision: 1, recall: 1 });
    expect(done.scores?.tokens.input).toBeGreaterThan(0);
    const { results } = await listResults(deps, tenantId, run.id, { limit: "5" });
    expect(results).toHaveLength(5);
    expect(results[0]).toMatchObject({
      status: "done",
      abstained: true,
      score: { correct: true, method: "abstention" },
    });
    // A task that comes again (a duplicate delivery) finds nothing to do.
    expect(await runEvalTask(deps, task(run.id))).toBe("nothing to do");
  });

  it("is taken over after its task crashed, without recording any item twice", async () => {
    const datasetId = await dataset(6, "Crash");
    const { run } = await startRun(deps, tenantId, { datasetId, target: { agentId, version: 1 } }, "tester");
    const stuck = deferred();
    // The third model call never returns, as if the process died in the middle of it.
    const crashing: Deps = { ...deps, chat: heldChat((n) => (n === 3 ? stuck.promise : undefined)) };
    const first = runEvalTask(crashing, task(run.id));
    await until(async () => (await getRun(deps, tenantId, run.id)).progress.done >= 2, "two items");
    // While the lease runs, another task is refused (the queue retries it later)...
    await expect(runEvalTask(deps, task(run.id))).rejects.toThrow(/being worked on by another task/);
    // ...once it has run out, the retry takes the run over and finishes it.
    clock.advance(60 * 60_000);
    expect(await runEvalTask(deps, task(run.id))).toBe("completed: 6 item(s) scored");
    // The crashed task wakes up: its item is already recorded by the other, and it writes nothing.
    stuck.release();
    expect(await first).toBe("lease lost to another task");
    const done = await getRun(deps, tenantId, run.id);
    expect(done.progress).toEqual({ done: 6, total: 6, errors: 0 });
    const { results } = await listResults(deps, tenantId, run.id);
    expect(results.map((r) => r.status)).toEqual(Array(6).fill("done"));
    expect(new Set(results.map((r) => r.conversationId)).size).toBe(6);
  });

  it("stops when cancelled: the item in flight finishes and counts, nothing more starts", async () => {
    const datasetId = await dataset(10, "Cancel");
    const { run } = await startRun(deps, tenantId, { datasetId, target: { agentId, version: 1 } }, "tester");
    const held = deferred();
    // The first answer comes at once; the next ones (up to four at a time) wait.
    const slow: Deps = { ...deps, chat: heldChat((n) => (n >= 2 ? held.promise : undefined)) };
    const working = runEvalTask(slow, task(run.id));
    await until(async () => (await getRun(deps, tenantId, run.id)).progress.done >= 1, "the first item");
    const cancelled = await cancelRun(deps, tenantId, run.id, "tester");
    expect(cancelled).toMatchObject({ status: "cancelled", cancelledBy: "tester" });
    held.release();
    expect(await working).toMatch(/item\(s\) scored$/);
    const done = await getRun(deps, tenantId, run.id);
    expect(done.status).toBe("cancelled");
    expect(done.progress.done).toBeLessThan(10);
    expect(done.scores?.items).toBe(done.progress.done);
    expect(done.error).toEqual({ code: "cancelled", message: "Cancelled by tester" });
    const { results } = await listResults(deps, tenantId, run.id);
    expect(results.filter((r) => r.status === "pending").length).toBe(10 - done.progress.done);
    // A cancelled run stays so, and cannot be cancelled into anything else.
    await expect(cancelRun(deps, tenantId, run.id, "tester")).resolves.toMatchObject({ status: "cancelled" });
    expect(await runEvalTask(deps, task(run.id))).toBe("nothing to do");
  });

  it("fails, saying why, when its agent stops answering midway", async () => {
    const other = (await createAgent(deps, tenantId, { name: "Soon archived" })).id;
    const datasetId = await dataset(10, "Archived");
    const { run } = await startRun(
      deps,
      tenantId,
      { datasetId, target: { agentId: other, version: "draft" } },
      "t",
    );
    const held = deferred();
    const working = runEvalTask(
      { ...deps, chat: heldChat((n) => (n >= 2 ? held.promise : undefined)) },
      task(run.id),
    );
    await until(async () => (await getRun(deps, tenantId, run.id)).progress.done >= 1, "the first item");
    await archiveAgent(deps, tenantId, other, "tester");
    held.release();
    expect(await working).toMatch(/^failed: Agent .* is archived/);
    const failed = await getRun(deps, tenantId, run.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toEqual({
      code: "failed-precondition",
      message: `Agent ${other} is archived and no longer answers`,
    });
    await expect(cancelRun(deps, tenantId, run.id, "t")).rejects.toThrow(
      /already failed; there is nothing to cancel/,
    );
  });

  it("fails when every item's turn failed, with the first failure", async () => {
    const datasetId = await dataset(3, "Broken model");
    const { run } = await startRun(deps, tenantId, { datasetId, target: { agentId, version: 1 } }, "tester");
    const broken: ChatModel = {
      info: deps.chat.info,
      complete: () => Promise.reject(new AppError("unavailable", "The model provider is down")),
      // eslint-disable-next-line require-yield
      async *stream() {
        throw new AppError("unavailable", "The model provider is down");
      },
    };
    await runEvalTask({ ...deps, chat: broken }, task(run.id));
    const failed = await getRun(deps, tenantId, run.id);
    expect(failed.status).toBe("failed");
    expect(failed.progress).toEqual({ done: 3, total: 3, errors: 3 });
    expect(failed.error?.message).toMatch(/^Every item's turn failed; the first: The model provider is down/);
    expect(failed.scores).toMatchObject({ items: 3, errors: 3, accuracy: 0 });
    const { results } = await listResults(deps, tenantId, run.id);
    // The failed turns' traces are kept and linked.
    expect(results[0]?.traceIds).toHaveLength(1);
    expect(results[0]?.score).toMatchObject({ method: "error", correct: false });
  });

  it("sends every message of a script and scores the last answer", async () => {
    const { id: datasetId } = await createDataset(deps, tenantId, { name: "Scripts" }, "tester");
    await addItem(
      deps,
      tenantId,
      datasetId,
      { turns: ["Hello", "About the plan", "And the code name?"], shouldAbstain: true },
      "t",
    );
    const { run } = await startRun(deps, tenantId, { datasetId, target: { agentId, version: 1 } }, "tester");
    const counting = heldChat(() => undefined);
    await runEvalTask({ ...deps, chat: counting }, task(run.id));
    const { results } = await listResults(deps, tenantId, run.id);
    expect(results[0]?.traceIds).toHaveLength(3);
    expect(results[0]?.traceId).toBe(results[0]?.traceIds[2]);
    const last = counting.calls.at(-1);
    expect(last?.messages.at(-1)?.content).toContain("And the code name?");
    // The earlier turns are the conversation's history.
    expect(JSON.stringify(last?.messages)).toContain("About the plan");
  });
});

describe("starting a run", () => {
  it("answers a repeated start with the same key with the same run, and refuses the key for another", async () => {
    const datasetId = await dataset(2, "Replayed");
    const input = { datasetId, target: { agentId, version: 1 }, idempotencyKey: "ci-build-1234" };
    const first = await startRun(deps, tenantId, input, "tester");
    const again = await startRun(deps, tenantId, input, "tester");
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ run: first.run, replayed: true });
    await expect(
      startRun(deps, tenantId, { ...input, target: { agentId, version: "draft" } }, "tester"),
    ).rejects.toMatchObject({
      code: "already-exists",
      message: expect.stringMatching(/already started run/),
    });
    // Without a key, the same dataset against the same target while it is queued is a clear duplicate.
    await expect(
      startRun(deps, tenantId, { datasetId, target: { agentId, version: 1 } }, "tester"),
    ).rejects.toMatchObject({ code: "already-exists", details: { runId: first.run.id } });
    await runEvalTask(deps, task(first.run.id));
    // Once it finished, the same run may be started again (a new run).
    const later = await startRun(deps, tenantId, { datasetId, target: { agentId, version: 1 } }, "tester");
    expect(later.run.id).not.toBe(first.run.id);
    await cancelRun(deps, tenantId, later.run.id, "tester");
  });

  it("refuses what cannot run: an empty dataset, a missing version, another tenant's agent or dataset", async () => {
    const { id: empty } = await createDataset(deps, tenantId, { name: "Empty" }, "tester");
    await expect(
      startRun(deps, tenantId, { datasetId: empty, target: { agentId, version: 1 } }, "t"),
    ).rejects.toThrow(/has no items to run/);
    const datasetId = await dataset(1, "Targets");
    await expect(
      startRun(deps, tenantId, { datasetId, target: { agentId, version: 9 } }, "t"),
    ).rejects.toMatchObject({
      code: "not-found",
    });
    await createTenant(deps, "globex", "Globex");
    await changePlan(deps, "globex", "enterprise");
    const theirs = (await createAgent(deps, "globex", { name: "Theirs" })).id;
    await expect(
      startRun(deps, tenantId, { datasetId, target: { agentId: theirs, version: "draft" } }, "t"),
    ).rejects.toMatchObject({ code: "not-found", message: `Agent ${theirs} not found` });
    await expect(
      startRun(deps, "globex", { datasetId, target: { agentId: theirs, version: "draft" } }, "t"),
    ).rejects.toMatchObject({ code: "not-found", message: `Dataset ${datasetId} not found` });
  });
});

describe("what a run does stays out of production", () => {
  it("pages conversation listings past Sandbox conversations, listing every other one once", async () => {
    await createTenant(deps, "initech", "Initech");
    await changePlan(deps, "initech", "enterprise");
    const bot = (await createAgent(deps, "initech", { name: "Desk" })).id;
    const real: string[] = [];
    // Newest first: 3 Sandbox conversations, a real one, 9 Sandbox ones, two real ones, 12 Sandbox ones...
    for (const [kind, n] of [
      ["real", 1],
      ["sandbox", 12],
      ["real", 2],
      ["sandbox", 9],
      ["real", 1],
      ["sandbox", 3],
    ] as const) {
      for (let i = 0; i < n; i++) {
        clock.advance(1000);
        const { id } = await startConversation(deps, "initech", bot, {
          channel: "api",
          version: "draft",
          ...(kind === "sandbox" ? { sandbox: true } : {}),
        });
        if (kind === "real") real.unshift(id);
      }
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listConversations(deps, "initech", { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.conversations.map((c) => c.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 20);
    expect(seen).toEqual(real);
    // The first page filled up past the three Sandbox conversations on top of it.
    expect((await listConversations(deps, "initech", { limit: 2 })).conversations).toHaveLength(2);
  });

  it("is not listed, is marked sandbox, is billed on its own line and left out of analytics", async () => {
    const before = (await listConversations(deps, tenantId, { limit: 200 })).conversations.length;
    const datasetId = await dataset(4, "Isolation");
    const { run } = await startRun(deps, tenantId, { datasetId, target: { agentId, version: 1 } }, "tester");
    await runEvalTask(deps, task(run.id));
    const { results } = await listResults(deps, tenantId, run.id);

    // Conversations: stored, marked, never listed; a listing page fills past them.
    const stored = await deps.store.query({ collection: conversationsPath(tenantId) });
    expect(
      stored.filter((s) => (s.data as { sandbox?: boolean }).sandbox === true).length,
    ).toBeGreaterThanOrEqual(4);
    const listed = await listConversations(deps, tenantId, { limit: 200 });
    expect(listed.conversations).toHaveLength(before);
    expect(listed.conversations.every((c) => !results.some((r) => r.conversationId === c.id))).toBe(true);

    // Traces and usage events are marked; a sandbox conversation starts no billable conversation.
    const traceId = results[0]?.traceId as string;
    const trace = traceSchema.parse((await deps.store.get(`${tracesPath(tenantId)}/${traceId}`))?.data);
    expect(trace.sandbox).toBe(true);
    const event = usageEventSchema.parse((await deps.store.get(usageEventPath(tenantId, traceId)))?.data);
    expect(event).toMatchObject({ kind: "turn", sandbox: true, firstTurn: false });

    // Metered: billed (the totals hold it), and counted apart.
    for (const r of results) await meterEvent(deps, tenantId, r.traceId as string);
    const day = "2026-03-02";
    const rollup = rollupSchema.parse((await deps.store.get(usageDailyPath(tenantId, day)))?.data);
    expect(rollup.sandbox?.abstained).toBe(4);
    expect(rollup.abstained).toBeGreaterThanOrEqual(4);
    expect(Object.values(rollup.channels).reduce((n, c) => n + c.abstained, 0)).toBe(rollup.abstained - 4);
    expect(withoutSandbox(rollup).abstained).toBe(rollup.abstained - 4);
    const summary = summarizeRollups([rollup], [day]);
    expect(summary.totals.abstained).toBe(rollup.abstained - 4);
    // The analytics route's figures and knowledge gaps: none of the run's turns, its abstentions included.
    const analytics = await loadAnalytics(deps, tenantId, { from: day });
    expect(analytics.totals.abstained).toBe(rollup.abstained - 4);
    expect(analytics.knowledgeGaps.map((g) => g.question)).not.toContain(
      "What is the code name of project 0?",
    );
    expect(analytics.knowledgeGaps).toEqual([]);
    const report = await usageReport(deps, tenantId, { from: day, to: day });
    expect(report.sandbox.abstained).toBe(4);
    expect(report.sandbox.inputTokens).toBe(
      run.id ? (await getRun(deps, tenantId, run.id)).scores?.tokens.input : 0,
    );
    expect(report.totals.inputTokens).toBeGreaterThanOrEqual(report.sandbox.inputTokens);
  });
});

describe("a run of the draft", () => {
  const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");
  const instructionsOf = async (runId: string): Promise<string[]> => {
    const { results } = await listResults(deps, tenantId, runId);
    return Promise.all(
      results.map(
        async (r) =>
          traceSchema.parse((await deps.store.get(`${tracesPath(tenantId)}/${r.traceId}`))?.data).prompt
            .instructionsSha256,
      ),
    );
  };

  it("is another draft for reuse once its prompt label moved, or its knowledge changed", () => {
    const target = { agentId: "a1", version: "draft" as const };
    const draft = (version: number) =>
      ({
        prompt: { templateId: "t1", label: "production", version, variables: {} },
      }) as unknown as Parameters<typeof reuseKeyOf>[3]["draft"];
    const key = (version: number, knowledge = "k1") =>
      reuseKeyOf("d1", 3, target, { draftOf: "2026-03-02T10:00:00.000Z", knowledge, draft: draft(version) });
    expect(key(1)).toBe(key(1));
    expect(key(2)).not.toBe(key(1));
    expect(key(1, "k2")).not.toBe(key(1));
    // A version's key depends on the version and the knowledge only.
    const version = (knowledge: string) =>
      reuseKeyOf("d1", 3, { agentId: "a1", version: 2 }, { draftOf: null, knowledge });
    expect(version("k1")).toBe(version("k1"));
    expect(version("k2")).not.toBe(version("k1"));
  });

  it("answers with the draft as it was when the run started, whatever is edited meanwhile", async () => {
    const drafty = (
      await createAgent(deps, tenantId, { name: "Drafty", instructions: "First instructions." })
    ).id;
    const datasetId = await dataset(6, "Draft snapshot");
    const target = { agentId: drafty, version: "draft" as const };
    const { run } = await startRun(deps, tenantId, { datasetId, target }, "tester");
    // Edited after the run started and before any item ran.
    await updateAgent(deps, tenantId, drafty, { instructions: "Edited while the run waited." });
    expect(await runEvalTask(deps, task(run.id))).toBe("completed: 6 item(s) scored");
    expect(await instructionsOf(run.id)).toEqual(Array(6).fill(sha256("First instructions.")));
    // Its view names the draft it ran by when it was saved, without the configuration.
    const view = await getRun(deps, tenantId, run.id);
    expect(view.draftOf).toBeTruthy();
    expect("draft" in view).toBe(false);

    // A run started after the edit answers with the edit.
    const { run: after } = await startRun(deps, tenantId, { datasetId, target }, "tester");
    await runEvalTask(deps, task(after.id));
    expect(await instructionsOf(after.id)).toEqual(Array(6).fill(sha256("Edited while the run waited.")));
  });
});
