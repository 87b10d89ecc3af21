/**
 * Simulations with a scripted end user over real HTTP against the local platform (the built-in extractive
 * model answers; scripted models stand in where a turn must fail or time must pass): the transcript in one
 * sandbox conversation, each check's result, pass and fail; a turn that fails mid-way; the time budget;
 * refusals that store nothing (an archived agent, another workspace's agent, a model-driven end user with
 * only the built-in model); oversized and malformed scenarios; listing.
 */
import { recordPageSpec } from "../platform/paging.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Trace } from "../accountability/schema.js";
import { conversationsPath } from "../agents/schema.js";
import { answer, scriptedModel } from "../agents/testing/scripted-model.js";
import type { Caller } from "../platform/caller.js";
import { manualClock } from "../platform/clock.js";
import { AppError } from "../platform/errors.js";
import {
  evaluateChecks,
  maxSimulationSteps,
  runSimulation,
  simulationBudgetMs,
  simulationListing,
  simulationsPath,
  type SimulationView,
} from "./simulations.js";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let platform: TestPlatform;
let agentId: string;
let globexAgent: string;

const handbook = `# Acme handbook

## Vacation

Full-time employees receive 25 vacation days per calendar year. Up to 5 unused vacation days can be carried over into the next year.

## Expenses

Submit expense claims in the finance portal within 30 days. Attach an itemised receipt for every expense above 10 euros.
`;

const owner: Caller = { tenantId: "acme", role: "owner", uid: "apikey:simulation-test", via: "api-key" };

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function post<T = { id: string }>(pathname: string, body: unknown, key?: string): Promise<T> {
  const res = await platform.fetch(pathname, { method: "POST", json: body, key });
  expect(res.status, `${pathname}: ${await res.clone().text()}`).toBeLessThan(300);
  return json<T>(res);
}

const simulationCount = (): Promise<number> =>
  platform.deps.store.count({ collection: simulationsPath("acme") });
const sandboxConversations = (): Promise<number> =>
  platform.deps.store.count({
    collection: conversationsPath("acme"),
    where: [{ field: "sandbox", op: "==", value: true }],
  });

/** A three-step walk through the handbook whose every check holds. */
const passingSteps = [
  {
    message: "How many vacation days do full-time employees get?",
    checks: { mustContain: ["25 vacation days"], mustCite: ["handbook"], shouldAbstain: false },
  },
  {
    message: "How many unused vacation days can be carried over?",
    checks: {
      mustContain: ["5 unused vacation days"],
      mustNotContain: ["30 vacation days"],
      mustCite: ["handbook.md"],
    },
  },
  {
    message: "What is the dress code for the Mars office?",
    checks: { shouldAbstain: true },
  },
];

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  const kbId = (await post("/v1/knowledge-bases", { name: "Handbook" })).id;
  await post(`/v1/knowledge-bases/${kbId}/documents`, { name: "handbook.md", text: handbook });
  await platform.host.runner.idle();
  agentId = (
    await post("/v1/agents", {
      name: "HR assistant",
      instructions: "Answer HR questions from the handbook.",
      knowledgeBaseIds: [kbId],
      confidenceThreshold: 0.3,
    })
  ).id;
  await post(`/v1/agents/${agentId}/publish`, {});
  globexAgent = (
    await post(
      "/v1/agents",
      { name: "Globex helper", knowledgeBaseIds: [], confidenceThreshold: 0.3 },
      platform.keys.otherTenantOwner,
    )
  ).id;
  await post(`/v1/agents/${globexAgent}/publish`, {}, platform.keys.otherTenantOwner);
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

describe("the checks", () => {
  const cited = [{ docId: "doc1", docName: "Travel Policy.pdf", quote: "Economy class is required." }];
  const reply = {
    content: "Economy  class is REQUIRED [1] for short flights.",
    abstained: false,
    citations: cited,
  };

  it("match ignoring case, spacing and citation markers, and name what they found", () => {
    expect(
      evaluateChecks(
        {
          mustContain: ["economy class is required for short"],
          mustNotContain: ["business class"],
          shouldAbstain: false,
          mustCite: ["travel policy", "doc1", "Travel Policy.PDF"],
        },
        reply,
      ),
    ).toEqual([
      { kind: "mustContain", expected: "economy class is required for short", passed: true, detail: "found" },
      { kind: "mustNotContain", expected: "business class", passed: true, detail: "absent" },
      { kind: "shouldAbstain", expected: false, passed: true, detail: "the agent answered" },
      { kind: "mustCite", expected: "travel policy", passed: true, detail: "cited" },
      { kind: "mustCite", expected: "doc1", passed: true, detail: "cited" },
      { kind: "mustCite", expected: "Travel Policy.PDF", passed: true, detail: "cited" },
    ]);
  });

  it("fail with what was found instead", () => {
    const results = evaluateChecks(
      {
        mustContain: ["first class"],
        mustNotContain: ["economy"],
        shouldAbstain: true,
        mustCite: ["expenses.md"],
      },
      reply,
    );
    expect(results.map((r) => [r.kind, r.passed, r.detail])).toEqual([
      ["mustContain", false, "not in the answer"],
      ["mustNotContain", false, "found in the answer"],
      ["shouldAbstain", false, "the agent answered"],
      ["mustCite", false, "cited instead: Travel Policy.pdf"],
    ]);
    expect(
      evaluateChecks({ mustCite: ["x"] }, { content: "", abstained: true, citations: [] })[0]?.detail,
    ).toBe("nothing was cited");
  });
});

describe("a scripted end user", () => {
  it("walks the scenario in one sandbox conversation and stores the transcript, the checks and the traces", async () => {
    const res = await platform.fetch("/v1/eval/simulations", {
      method: "POST",
      json: { name: "Vacation walk-through", agentId, version: 1, steps: passingSteps },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const sim = await json<SimulationView>(res);
    expect(sim).toMatchObject({
      name: "Vacation walk-through",
      agentId,
      version: 1,
      mode: "scripted",
      status: "completed",
      passed: true,
      endedBy: "script-end",
      error: null,
      userModel: null,
      summary: { stepsRun: 3, stepsPassed: 3, checks: 7, checksPassed: 7 },
    });
    expect(sim.steps.map((s) => [s.user, s.userFrom, s.status])).toEqual([
      [passingSteps[0]?.message, "script", "answered"],
      [passingSteps[1]?.message, "script", "answered"],
      [passingSteps[2]?.message, "script", "abstained"],
    ]);
    expect(sim.steps[0]?.answer).toContain("25 vacation days");
    expect(sim.steps[0]?.citations[0]).toMatchObject({ docName: "handbook.md" });
    expect(sim.steps.every((s) => typeof s.ms === "number")).toBe(true);
    expect(Date.parse(sim.finishedAt)).toBeGreaterThanOrEqual(Date.parse(sim.startedAt));
    expect(sim.scenario.steps).toHaveLength(3);

    // Each step's trace is a sandbox turn of the same conversation, which holds the whole transcript.
    for (const step of sim.steps) {
      const trace = await json<Trace>(await platform.fetch(`/v1/traces/${step.traceId}`));
      expect(trace).toMatchObject({ sandbox: true, conversationId: sim.conversationId, agentVersion: 1 });
    }
    const messages = await json<{ messages: { role: string; content: string }[] }>(
      await platform.fetch(`/v1/conversations/${sim.conversationId}/messages`),
    );
    expect(messages.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(
      passingSteps.map((s) => s.message),
    );
    const listed = await json<{ conversations: { id: string }[] }>(
      await platform.fetch("/v1/conversations?limit=200"),
    );
    expect(listed.conversations.map((c) => c.id)).not.toContain(sim.conversationId);

    expect(await json<SimulationView>(await platform.fetch(`/v1/eval/simulations/${sim.id}`))).toEqual(sim);
  });

  it("fails a simulation whose checks fail, saying which and why", async () => {
    const sim = await post<SimulationView>("/v1/eval/simulations", {
      agentId,
      steps: [
        {
          message: "How many vacation days do full-time employees get?",
          checks: { mustContain: ["30 vacation days"], mustCite: ["travel.md"] },
        },
        { message: "What is the dress code for the Mars office?", checks: { shouldAbstain: false } },
      ],
    });
    expect(sim).toMatchObject({
      status: "completed",
      passed: false,
      version: 1,
      summary: { stepsRun: 2, stepsPassed: 0, checks: 3, checksPassed: 0 },
    });
    expect(sim.steps[0]?.checks).toEqual([
      { kind: "mustContain", expected: "30 vacation days", passed: false, detail: "not in the answer" },
      { kind: "mustCite", expected: "travel.md", passed: false, detail: "cited instead: handbook.md" },
    ]);
    expect(sim.steps[1]?.checks[0]).toMatchObject({
      kind: "shouldAbstain",
      passed: false,
      detail: "the agent abstained",
    });
  });

  it("stops at a turn that fails: that step failed with its trace, the rest not run", async () => {
    const model = scriptedModel([
      () => answer("Full-time employees receive 25 vacation days per calendar year [1]."),
      () => {
        throw new AppError("unavailable", "The model provider is down");
      },
    ]);
    const sim = await runSimulation({ ...platform.deps, chat: model }, owner, {
      agentId,
      version: "draft",
      steps: passingSteps,
    });
    expect(sim).toMatchObject({
      status: "failed",
      passed: false,
      endedBy: "turn-failed",
      error: { code: "unavailable" },
    });
    expect(sim.steps.map((s) => s.status)).toEqual(["answered", "failed", "not-run"]);
    expect(sim.steps[1]?.traceId).toBeTruthy();
    expect(sim.steps[1]?.checks.every((c) => !c.passed && c.detail === "not checked: the turn failed")).toBe(
      true,
    );
    expect(sim.steps[2]?.checks[0]?.detail).toMatch(/stopped before this step/);
    expect(sim.summary).toMatchObject({ stepsRun: 2, stepsPassed: 1 });
    const trace = await json<Trace>(await platform.fetch(`/v1/traces/${sim.steps[1]?.traceId}`));
    expect(trace).toMatchObject({ status: "failed", sandbox: true });
    expect(await json<SimulationView>(await platform.fetch(`/v1/eval/simulations/${sim.id}`))).toMatchObject({
      status: "failed",
    });
  });

  it("starts no step once its time budget is spent, and is stored as failed saying how far it got", async () => {
    const clock = manualClock(new Date());
    // Each answer takes the simulated clock forward a third of the budget and a bit.
    const model = scriptedModel([
      () => {
        clock.advance(simulationBudgetMs / 3 + 1000);
        return answer("Full-time employees receive 25 vacation days per calendar year [1].");
      },
    ]);
    const steps = Array.from({ length: 10 }, () => ({
      message: "How many vacation days do full-time employees get?",
    }));
    const sim = await runSimulation({ ...platform.deps, chat: model, clock }, owner, {
      agentId,
      version: 1,
      steps,
    });
    expect(sim).toMatchObject({
      status: "failed",
      endedBy: "time-budget",
      error: { code: "deadline-exceeded" },
    });
    expect(sim.error?.message).toMatch(/after 3 step\(s\)/);
    expect(sim.steps.filter((s) => s.status === "answered")).toHaveLength(3);
    expect(sim.steps.filter((s) => s.status === "not-run")).toHaveLength(7);
  });
});

describe("refusals store nothing", () => {
  const refused = async (body: unknown, key?: string) => {
    const [before, conversations] = [await simulationCount(), await sandboxConversations()];
    const res = await platform.fetch("/v1/eval/simulations", { method: "POST", json: body, key });
    const error = (await json<{ error: { code: string; message: string } }>(res)).error;
    expect(await simulationCount()).toBe(before);
    expect(await sandboxConversations()).toBe(conversations);
    return { status: res.status, ...error };
  };
  const step = { message: "How many vacation days do full-time employees get?" };

  it("refuses a scenario whose agent is archived", async () => {
    const archived = (
      await post("/v1/agents", { name: "Old desk", knowledgeBaseIds: [], confidenceThreshold: 0.3 })
    ).id;
    await post(`/v1/agents/${archived}/publish`, {});
    expect((await platform.fetch(`/v1/agents/${archived}`, { method: "DELETE" })).status).toBe(204);
    for (const version of [1, "draft", "published"]) {
      expect(await refused({ agentId: archived, version, steps: [step] })).toMatchObject({
        status: 400,
        code: "failed-precondition",
        message: `Agent ${archived} is archived and no longer answers`,
      });
    }
  });

  it("refuses a model-driven end user when only the built-in model is configured, naming what is needed", async () => {
    const error = await refused({
      agentId,
      endUser: { persona: "A new hire", goal: "Learn the vacation rules" },
    });
    expect(error).toMatchObject({ status: 400, code: "failed-precondition" });
    expect(error.message).toMatch(/needs a model provider \(set OPENAI_API_KEY/);
    expect(error.message).toMatch(/built-in extractive model .* cannot play a user/);
  });

  it("treats another workspace's agent as not found, both ways", async () => {
    expect(await refused({ agentId: globexAgent, steps: [step] })).toMatchObject({
      status: 404,
      message: `Agent ${globexAgent} not found`,
    });
    expect(await refused({ agentId, steps: [step] }, platform.keys.otherTenantOwner)).toMatchObject({
      status: 404,
    });
  });

  it("refuses a version that does not exist", async () => {
    expect(await refused({ agentId, version: 7, steps: [step] })).toMatchObject({
      status: 404,
      message: expect.stringMatching(/no version 7/) as unknown,
    });
  });

  const tooMany = Array.from({ length: maxSimulationSteps + 1 }, () => step);
  const checked = (checks: unknown) => ({ steps: [{ ...step, checks }] });
  // The agent id is added when the test runs: the agent is created in beforeAll, after this table is read.
  it.each<[string, Record<string, unknown>, RegExp]>([
    ["31 steps", { steps: tooMany }, /steps: a scenario has at most 30 steps/],
    ["no steps", { steps: [] }, /steps needs at least one message/],
    [
      "a message over 8,000 characters",
      { steps: [{ message: "x".repeat(8001) }] },
      /message is limited to 8000 characters/,
    ],
    ["an empty message", { steps: [{ message: "   " }] }, /message must not be empty/],
    ["a misspelt check", checked({ mustContian: ["25"] }), /mustContian|unrecognized/i],
    ["an empty must-contain", checked({ mustContain: [""] }), /mustContain: an entry must not be empty/],
    ["a must-cite that is not a list", checked({ mustCite: "handbook.md" }), /mustCite/],
    ["should-abstain as a string", checked({ shouldAbstain: "yes" }), /shouldAbstain/],
    [
      "21 must-contain strings",
      checked({ mustContain: Array.from({ length: 21 }, (_, i) => `f${i}`) }),
      /at most 20 entries/,
    ],
    ["a 501-character check", checked({ mustNotContain: ["y".repeat(501)] }), /at most 500 characters/],
    [
      "both steps and an end user",
      { steps: [step], endUser: { persona: "p", goal: "g" } },
      /either steps .* or endUser/,
    ],
    ["neither steps nor an end user", {}, /either steps .* or endUser/],
    [
      "scenario checks with scripted steps",
      { steps: [step], checks: { everyAnswer: {} } },
      /checks apply to a model-driven endUser/,
    ],
    [
      "31 model-driven turns",
      { endUser: { persona: "p", goal: "g", maxTurns: 31 } },
      /maxTurns is at most 30/,
    ],
    [
      "a persona over 2,000 characters",
      { endUser: { persona: "p".repeat(2001), goal: "g" } },
      /persona is at most 2000/,
    ],
    ["an agent id with a slash", { agentId: "../agents/x", steps: [step] }, /agentId/],
    ["an unknown field", { steps: [step], tenantId: "globex" }, /tenantId|unrecognized/i],
  ])("refuses %s with a 400 naming the field", async (_name, body, message) => {
    const error = await refused({ agentId, ...body });
    expect(error.status).toBe(400);
    expect(error.message).toMatch(message);
  });

  it("refuses viewers, who may not run agents", async () => {
    const res = await platform.fetch("/v1/eval/simulations", {
      method: "POST",
      json: { agentId, steps: [step] },
      key: platform.keys.viewer,
    });
    expect(res.status).toBe(403);
  });
});

describe("listing simulations", () => {
  it("lists the workspace's simulations newest first, of one agent when asked, a page at a time", async () => {
    const other = (
      await post("/v1/agents", { name: "Second desk", knowledgeBaseIds: [], confidenceThreshold: 0.3 })
    ).id;
    const made = await post<SimulationView>("/v1/eval/simulations", {
      agentId: other,
      version: "draft",
      steps: [{ message: "Hello?" }],
    });
    const mine = await json<{ simulations: SimulationView[]; nextCursor: string | null }>(
      await platform.fetch(`/v1/eval/simulations?agentId=${other}`),
    );
    expect(mine).toEqual({ simulations: [made], nextCursor: null });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { simulations: SimulationView[]; nextCursor: string | null } = await json(
        await platform.fetch(`/v1/eval/simulations?limit=2${cursor ? `&cursor=${cursor}` : ""}`),
      );
      expect(page.simulations.length).toBeLessThanOrEqual(2);
      seen.push(...page.simulations.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(await simulationCount());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen[0]).toBe(made.id);
    const theirs = await json<{ simulations: unknown[] }>(
      await platform.fetch("/v1/eval/simulations", { key: platform.keys.otherTenantOwner }),
    );
    expect(theirs.simulations).toEqual([]);
    expect(
      (await platform.fetch(`/v1/eval/simulations/${made.id}`, { key: platform.keys.otherTenantOwner }))
        .status,
    ).toBe(404);
  });

  it.each(["limit=0", "limit=500", "cursor=nosuchsimulation", "agentId=a%2Fb", "status=failed"])(
    "refuses the query %s with a 400",
    async (query) => {
      expect((await platform.fetch(`/v1/eval/simulations?${query}`)).status).toBe(400);
    },
  );

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
    const listing = simulationListing("acme", { agentId: "a1" });
    const spec = recordPageSpec(listing.collection, listing.where, listing.page.limit);
    const wanted = [
      ...(spec.where ?? []).map((f) => `${f.field}:ASCENDING`),
      ...(spec.orderBy ?? []).map((o) => `${o.field}:${o.direction === "desc" ? "DESCENDING" : "ASCENDING"}`),
    ];
    expect(wanted).toEqual(["agentId:ASCENDING", "createdAt:DESCENDING"]);
    expect(
      indexes.some(
        (i) =>
          i.collectionGroup === "evalSimulations" &&
          i.queryScope === "COLLECTION" &&
          JSON.stringify(i.fields.map((f) => `${f.fieldPath}:${f.order}`)) === JSON.stringify(wanted),
      ),
    ).toBe(true);
  });
});
