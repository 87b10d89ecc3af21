/**
 * Experiments over real HTTP against the local platform, with real turns: the checks at creation (shares that do
 * not sum to 1, variant counts, models, another workspace's knowledge base or agent), one running experiment
 * per agent (also under concurrent starts), sticky variants recorded in each trace (repeated turns, a second
 * conversation, stop/start), experiments only on the published selector, a variant's prompt pinned at the start,
 * the results recomputed independently from the traces and feedback, and promotion: one new agent version, the
 * experiment promoted and stopped, a replayed promotion answering the same version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { startConversation } from "../agents/conversations.js";
import { sendMessage } from "../agents/turn.js";
import { getTrace } from "../accountability/traces.js";
import { json, setUpAgents, vacationQuestion } from "../channels/openai/testing/fixture.js";
import { assignVariant } from "./experiments.js";
import type { Variant } from "./schema.js";

let platform: TestPlatform;
let kbId: string;
let globexAgent: string;
let globexKb: string;
let globexTemplate: string;
let templateId: string;

interface ErrorBody {
  error: { code: string; message: string };
}
interface ExperimentView {
  id: string;
  agentId: string;
  status: string;
  variants: Variant[];
  periods: { startedAt: string; stoppedAt: string | null }[];
  promotedVariantId: string | null;
  promotedVersion: number | null;
}
interface TraceView {
  status: string;
  agentVersion: number | "draft";
  experiment?: { id: string; variant: string };
  prompt: { version?: number; templateId?: string };
  model: { temperature: number | null };
  retrieval: { knowledgeBaseIds: string[] };
}
interface AgentView {
  latestVersion: number;
  publishedVersion: number;
  knowledgeBaseIds: string[];
  model: { temperature: number };
  prompt?: unknown;
}

async function call<T>(
  path: string,
  init: Parameters<TestPlatform["fetch"]>[1] = {},
  status = 200,
): Promise<T> {
  const res = await platform.fetch(path, init);
  const text = await res.text();
  expect(res.status, `${init.method ?? "GET"} ${path}: ${text}`).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}
const post = <T>(path: string, body: unknown, status = 200) =>
  call<T>(path, { method: "POST", json: body }, status);
const refused = async (path: string, body: unknown, status: number, method = "POST") =>
  (await call<ErrorBody>(path, { method, json: body }, status)).error;

async function newAgent(name: string): Promise<string> {
  const { id } = await post<{ id: string }>(
    "/v1/agents",
    {
      name,
      instructions: "Answer HR questions from the handbook.",
      knowledgeBaseIds: [kbId],
      confidenceThreshold: 0.5,
    },
    201,
  );
  await post(`/v1/agents/${id}/publish`, {});
  return id;
}

/** One turn in a new conversation of `endUserRef` (or none); its trace. */
async function turn(
  agentId: string,
  endUserRef?: string,
  version?: unknown,
): Promise<TraceView & { id: string; conversationId: string; messageId: string }> {
  const conv = await post<{ id: string }>(
    `/v1/agents/${agentId}/conversations`,
    { ...(endUserRef ? { endUserRef } : {}), ...(version !== undefined ? { version } : {}) },
    201,
  );
  const answer = await post<{ message: { id: string; traceId: string } }>(
    `/v1/conversations/${conv.id}/messages`,
    {
      content: vacationQuestion,
    },
  );
  const trace = await call<TraceView>(`/v1/traces/${answer.message.traceId}`);
  return { ...trace, id: answer.message.traceId, conversationId: conv.id, messageId: answer.message.id };
}

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  const fixture = await setUpAgents(platform);
  kbId = fixture.kbId;
  globexAgent = fixture.agents.globex;
  globexKb = (
    await json<{ id: string }>(
      await platform.fetch("/v1/knowledge-bases", {
        method: "POST",
        json: { name: "Globex KB" },
        key: platform.keys.otherTenantOwner,
      }),
    )
  ).id;
  globexTemplate = (
    await json<{ id: string }>(
      await platform.fetch("/v1/prompts", {
        method: "POST",
        json: { name: "Globex voice", text: "Speak for Globex." },
        key: platform.keys.otherTenantOwner,
      }),
    )
  ).id;
  templateId = (
    await post<{ id: string }>(
      "/v1/prompts",
      {
        name: "HR",
        text: "Answer HR questions for {{company}} from the handbook.",
        variables: [{ name: "company", type: "string" }],
        labels: ["production"],
      },
      201,
    )
  ).id;
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

describe("creating an experiment", () => {
  it("refuses shares that do not sum to 1, too few or too many variants, and repeated variant ids", async () => {
    const agentId = await newAgent("Checks");
    const create = (variants: unknown) => refused("/v1/experiments", { agentId, name: "x", variants }, 400);
    expect(
      (
        await create([
          { name: "a", share: 0.5 },
          { name: "b", share: 0.4 },
        ])
      ).message,
    ).toContain("the shares add up to 0.9, not 1");
    expect(
      (
        await create([
          { name: "a", share: 0.5 },
          { name: "b", share: 0.5 + 1e-7 },
        ])
      ).message,
    ).toContain("not 1");
    expect((await create([{ name: "a", share: 1 }])).message).toContain("at least 2 variants");
    expect(
      (await create(Array.from({ length: 6 }, (_, i) => ({ name: `v${i}`, share: 1 / 6 })))).message,
    ).toContain("at most 5 variants");
    expect(
      (
        await create([
          { name: "a", share: 0 },
          { name: "b", share: 1 },
        ])
      ).message,
    ).toContain("above 0");
    expect(
      (
        await create([
          { id: "x", name: "a", share: 0.5 },
          { id: "x", name: "b", share: 0.5 },
        ])
      ).message,
    ).toContain('variant id "x" is used twice');
    // Three thirds sum to 1 within the tolerance.
    await post(
      "/v1/experiments",
      { agentId, name: "thirds", variants: [1, 2, 3].map((i) => ({ name: `v${i}`, share: 1 / 3 })) },
      201,
    );
  });

  it("refuses overrides the platform or workspace cannot serve, and another workspace's agent or knowledge base", async () => {
    const agentId = await newAgent("Overrides");
    const variants = (overrides: unknown) => [
      { name: "control", share: 0.5 },
      { name: "b", share: 0.5, overrides },
    ];
    const create = (overrides: unknown, status = 400) =>
      refused("/v1/experiments", { agentId, name: "x", variants: variants(overrides) }, status);
    expect((await create({ modelName: "gpt-unknown" })).message).toContain(
      'model "gpt-unknown" is not offered',
    );
    expect((await create({ agentVersion: 9 })).message).toContain("has no version 9");
    expect((await create({ knowledgeBaseIds: [globexKb] }, 404)).message).toContain("not found");
    expect((await create({ prompt: { templateId: globexTemplate, version: 1 } }, 404)).message).toBe(
      `Prompt template ${globexTemplate} not found`,
    );
    expect((await create({ prompt: { templateId, label: "production" } })).message).toContain(
      'variants.1.overrides.prompt: variable "company" is required',
    );
    expect((await create({ temperature: 3 })).message).toContain("temperature");
    expect((await create({ unknown: true })).message).toContain("unknown");
    const foreign = await platform.fetch("/v1/experiments", {
      method: "POST",
      json: { agentId: globexAgent, name: "x", variants: variants({}) },
    });
    expect(foreign.status).toBe(404);
  });
});

describe("running an experiment", () => {
  it("runs at most one experiment per agent, also when two starts race", async () => {
    const agentId = await newAgent("One at a time");
    const make = async (name: string) =>
      (
        await post<ExperimentView>(
          "/v1/experiments",
          {
            agentId,
            name,
            variants: [
              { name: "a", share: 0.5 },
              { name: "b", share: 0.5, overrides: { temperature: 0 } },
            ],
          },
          201,
        )
      ).id;
    const [first, second, third] = [await make("first"), await make("second"), await make("third")];
    // Two different experiments started at once: exactly one runs.
    const raced = await Promise.all(
      [first, second].map((id) => platform.fetch(`/v1/experiments/${id}/start`, { method: "POST" })),
    );
    expect(raced.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = raced[0]?.status === 200 ? first : second;
    const conflict = await refused(`/v1/experiments/${third}/start`, undefined, 409);
    expect(conflict.message).toContain(`Experiment ${winner} is already running on agent ${agentId}`);
    // The same experiment started many times at once: it runs once, with one running period.
    await post(`/v1/experiments/${winner}/stop`, undefined);
    const again = await Promise.all(
      Array.from({ length: 5 }, () => platform.fetch(`/v1/experiments/${third}/start`, { method: "POST" })),
    );
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const running = await call<ExperimentView>(`/v1/experiments/${third}`);
    expect(running.periods).toHaveLength(1);
    expect(
      (
        await call<{ experiments: ExperimentView[] }>(`/v1/experiments?agentId=${agentId}&status=running`)
      ).experiments.map((e) => e.id),
    ).toEqual([third]);
    // Locked once started: variants and metric; a running experiment cannot be deleted.
    expect(
      (
        await refused(
          `/v1/experiments/${third}`,
          {
            variants: [
              { name: "a", share: 0.9 },
              { name: "b", share: 0.1 },
            ],
          },
          400,
          "PATCH",
        )
      ).message,
    ).toContain("locked");
    expect(
      (await refused(`/v1/experiments/${third}`, { metric: "feedbackScore" }, 400, "PATCH")).message,
    ).toContain("fixed");
    expect((await refused(`/v1/experiments/${third}`, undefined, 400, "DELETE")).message).toContain(
      "stop it first",
    );
    await call(`/v1/experiments/${third}`, { method: "PATCH", json: { name: "renamed" } });
  });

  it("keeps each end user on one variant across turns, conversations and stop/start, on the published selector only", async () => {
    const agentId = await newAgent("Sticky");
    const experiment = await post<ExperimentView>(
      "/v1/experiments",
      {
        agentId,
        name: "Temperature and prompt",
        variants: [
          { name: "control", share: 0.34 },
          { name: "cold", share: 0.33, overrides: { temperature: 0 } },
          {
            name: "templated",
            share: 0.33,
            overrides: { prompt: { templateId, label: "production", variables: { company: "Acme" } } },
          },
        ],
      },
      201,
    );
    const started = await post<ExperimentView>(`/v1/experiments/${experiment.id}/start`, undefined);
    expect(started.variants[2]?.resolvedPrompt).toEqual({
      templateId,
      version: 1,
      label: "production",
      variables: { company: "Acme" },
    });
    // The label moves on during the experiment: the variant keeps the version pinned at the start.
    await post(
      `/v1/prompts/${templateId}/versions`,
      {
        text: "Answer HR questions for {{company}} from the newest handbook.",
        variables: [{ name: "company", type: "string" }],
        labels: ["production"],
      },
      201,
    );

    const seen = new Map<string, string>();
    for (let i = 0; i < 12; i++) {
      const user = `employee-${i}`;
      const expected = assignVariant(experiment.id, started.variants, user);
      for (let round = 0; round < 2; round++) {
        const trace = await turn(agentId, user);
        expect(trace.experiment).toEqual({ id: experiment.id, variant: expected.id });
        if (expected.id === "b") expect(trace.model.temperature).toBe(0);
        if (expected.id === "c") expect(trace.prompt).toMatchObject({ templateId, version: 1 });
        else expect(trace.prompt.templateId).toBeUndefined();
      }
      seen.set(user, expected.id);
    }
    expect(new Set(seen.values()).size).toBe(3);
    // Without an endUserRef, the conversation is the end user.
    const anonymous = await turn(agentId);
    expect(anonymous.experiment?.variant).toBe(
      assignVariant(experiment.id, started.variants, anonymous.conversationId).id,
    );
    // Not on the draft, not on a pinned version.
    expect((await turn(agentId, "employee-0", "draft")).experiment).toBeUndefined();
    expect((await turn(agentId, "employee-0", 1)).experiment).toBeUndefined();
    // Nor on a Sandbox turn or a monitor probe, which are not live traffic.
    for (const kind of [{ sandbox: true }, { synthetic: true }]) {
      const conv = await startConversation(platform.deps, "acme", agentId, {
        channel: "api",
        endUserRef: "employee-0",
        ...kind,
      });
      const answer = await sendMessage(platform.deps, "acme", conv.id, { content: vacationQuestion }, kind);
      expect((await getTrace(platform.deps, "acme", answer.traceId as string)).experiment).toBeUndefined();
    }

    await post(`/v1/experiments/${experiment.id}/stop`, undefined);
    expect((await turn(agentId, "employee-1")).experiment).toBeUndefined();
    const restarted = await post<ExperimentView>(`/v1/experiments/${experiment.id}/start`, undefined);
    expect(restarted.variants).toEqual(started.variants);
    expect(restarted.periods).toHaveLength(2);
    for (const [user, variant] of seen) expect((await turn(agentId, user)).experiment?.variant).toBe(variant);
  });
});

describe("results", () => {
  it(
    "computes per-variant figures that equal a recount of the traces and feedback, and tests the difference",
    { timeout: 180_000 },
    async () => {
      const agentId = await newAgent("Measured");
      const experiment = await post<ExperimentView>(
        "/v1/experiments",
        {
          agentId,
          name: "Without the handbook",
          variants: [
            { name: "control", share: 0.5 },
            { name: "no knowledge", share: 0.5, overrides: { knowledgeBaseIds: [] } },
          ],
        },
        201,
      );
      await post(`/v1/experiments/${experiment.id}/start`, undefined);
      const traces: Awaited<ReturnType<typeof turn>>[] = [];
      for (let i = 0; i < 90; i++) traces.push(await turn(agentId, `worker-${i}`));
      // Thumbs on some answers of each variant: up on answered ones, down on the rest.
      for (const t of traces.slice(0, 40)) {
        await call(`/v1/conversations/${t.conversationId}/messages/${t.messageId}/feedback`, {
          method: "PUT",
          json: { rating: t.status === "answered" ? "up" : "down" },
        });
      }

      const results = await call<{
        variants: {
          variantId: string;
          turns: number;
          answered: number;
          answerRate: number;
          abstentionRate: number;
          ratings: number;
          feedbackScore: number | null;
          tokens: number;
          costMicros: number;
          latencyP50Ms: number;
          latencyP95Ms: number;
        }[];
        significance: {
          metric: string;
          variantId: string;
          enoughData: boolean;
          z: number | null;
          pValue: number | null;
          ci: [number, number] | null;
          method: string;
          significant: boolean;
          reason: string;
        }[];
        winnerVariantId: string | null;
      }>(`/v1/experiments/${experiment.id}/results`);

      for (const v of results.variants) {
        const mine = traces.filter((t) => t.experiment?.variant === v.variantId);
        const answered = mine.filter((t) => t.status === "answered").length;
        expect(v.turns).toBe(mine.length);
        expect(v.answered).toBe(answered);
        expect(v.answerRate).toBeCloseTo(answered / mine.length, 12);
        const rated = traces.slice(0, 40).filter((t) => t.experiment?.variant === v.variantId);
        expect(v.ratings).toBe(rated.length);
        expect(v.feedbackScore).toBeCloseTo(
          rated.filter((t) => t.status === "answered").length / rated.length,
          12,
        );
        expect(v.tokens).toBeGreaterThan(0);
        expect(v.costMicros).toBeGreaterThan(0);
        expect(v.latencyP95Ms).toBeGreaterThanOrEqual(v.latencyP50Ms);
      }
      const [control, noKnowledge] = results.variants;
      expect(control?.answerRate).toBeGreaterThan(0.9);
      expect(noKnowledge?.answerRate).toBe(0);
      expect(noKnowledge?.abstentionRate).toBe(1);
      // The test, recomputed here from the counts: pooled z and the Wald interval.
      const answerTest = results.significance.find((s) => s.metric === "answerRate");
      const [n1, x1, n2, x2] = [control!.turns, control!.answered, noKnowledge!.turns, noKnowledge!.answered];
      expect(Math.min(n1, n2)).toBeGreaterThanOrEqual(30);
      const pooled = (x1 + x2) / (n1 + n2);
      const z = (x2 / n2 - x1 / n1) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
      expect(answerTest).toMatchObject({
        enoughData: true,
        significant: true,
        method: expect.stringContaining("two-proportion z-test"),
      });
      expect(answerTest?.z).toBeCloseTo(z, 10);
      expect(answerTest?.pValue).toBeLessThan(1e-6);
      expect(results.winnerVariantId).toBe("a");
      // Twenty ratings a variant: too few for the test, and said so.
      expect(results.significance.find((s) => s.metric === "feedbackScore")?.reason).toContain(
        "not enough data",
      );

      // An eval run of the version the control serves gives the control its eval score; the variant that
      // overrides the knowledge bases is no agent version, so no run can score it.
      const dataset = await post<{ id: string }>("/v1/eval/datasets", { name: "Vacation" }, 201);
      await post(
        `/v1/eval/datasets/${dataset.id}/items`,
        { question: vacationQuestion, expectedFacts: ["25"] },
        201,
      );
      const run = await post<{ id: string }>(
        "/v1/eval/runs",
        { datasetId: dataset.id, target: { agentId, version: 1 } },
        202,
      );
      await platform.host.runner.idle();
      const finished = await call<{ status: string; scores: { accuracy: number } }>(
        `/v1/eval/runs/${run.id}`,
      );
      expect(finished.status).toBe("completed");
      const scored = await call<{
        variants: { evalScore: number | null; evalRunId: string | null; evalVersion: number | null }[];
      }>(`/v1/experiments/${experiment.id}/results`);
      expect(scored.variants[0]).toEqual(
        expect.objectContaining({ evalScore: finished.scores.accuracy, evalRunId: run.id, evalVersion: 1 }),
      );
      expect(scored.variants[1]).toEqual(expect.objectContaining({ evalScore: null, evalVersion: null }));
    },
  );
});

describe("promoting a variant", () => {
  it("publishes one new version with the overrides, promotes and stops the experiment; a replay answers the same version", async () => {
    const agentId = await newAgent("Promoted");
    const experiment = await post<ExperimentView>(
      "/v1/experiments",
      {
        agentId,
        name: "Cold and templated",
        variants: [
          { name: "control", share: 0.5 },
          {
            name: "winner",
            share: 0.5,
            overrides: { temperature: 0, prompt: { templateId, version: 1, variables: { company: "Acme" } } },
          },
        ],
      },
      201,
    );
    expect(
      (await refused(`/v1/experiments/${experiment.id}/promote`, { variantId: "b" }, 400)).message,
    ).toContain("has not run");
    await post(`/v1/experiments/${experiment.id}/start`, undefined);
    await post(`/v1/experiments/${experiment.id}/stop`, undefined);
    const before = await call<AgentView>(`/v1/agents/${agentId}`);

    // Two promotions race: one publishes; the other answers the same version or is refused, never a second one.
    const raced = await Promise.all(
      [1, 2].map(() =>
        platform.fetch(`/v1/experiments/${experiment.id}/promote`, {
          method: "POST",
          json: { variantId: "b" },
        }),
      ),
    );
    expect(raced.map((r) => r.status).every((s) => s === 200 || s === 409)).toBe(true);
    expect(raced.some((r) => r.status === 200)).toBe(true);
    const agent = await call<AgentView>(`/v1/agents/${agentId}`);
    expect(agent.latestVersion).toBe(before.latestVersion + 1);
    expect(agent.publishedVersion).toBe(agent.latestVersion);
    // The draft took the overridden fields.
    expect(agent.model.temperature).toBe(0);
    expect(agent.prompt).toEqual({ templateId, version: 1, variables: { company: "Acme" } });

    const replay = await post<{ version: number; replayed: boolean; experiment: ExperimentView }>(
      `/v1/experiments/${experiment.id}/promote`,
      { variantId: "b" },
    );
    expect(replay).toMatchObject({ version: agent.latestVersion, replayed: true });
    expect(replay.experiment).toMatchObject({
      status: "promoted",
      promotedVariantId: "b",
      promotedVersion: agent.latestVersion,
    });
    expect((await call<AgentView>(`/v1/agents/${agentId}`)).latestVersion).toBe(agent.latestVersion);
    expect(
      (await refused(`/v1/experiments/${experiment.id}/promote`, { variantId: "a" }, 409)).message,
    ).toContain("already promoted");
    expect((await refused(`/v1/experiments/${experiment.id}/start`, undefined, 400)).message).toContain(
      "promoted",
    );

    const versions = await call<{
      versions: {
        version: number;
        note: string;
        config: { model: { temperature: number }; prompt: unknown };
      }[];
    }>(`/v1/agents/${agentId}/versions`);
    expect(versions.versions[0]).toMatchObject({
      version: agent.latestVersion,
      note: expect.stringContaining('Promoted variant "winner"'),
      config: { model: { temperature: 0 }, prompt: { templateId, version: 1 } },
    });
    // The promoted version serves, with no experiment any more.
    const served = await turn(agentId, "after-promotion");
    expect(served).toMatchObject({ agentVersion: agent.latestVersion, prompt: { templateId, version: 1 } });
    expect(served.experiment).toBeUndefined();
  });

  it("stops a running experiment when promoting it, freeing the agent for the next one", async () => {
    const agentId = await newAgent("Promote running");
    const mk = async () =>
      (
        await post<ExperimentView>(
          "/v1/experiments",
          {
            agentId,
            name: "x",
            variants: [
              { name: "a", share: 0.5 },
              { name: "b", share: 0.5, overrides: { temperature: 1 } },
            ],
          },
          201,
        )
      ).id;
    const first = await mk();
    await post(`/v1/experiments/${first}/start`, undefined);
    const promoted = await post<{ experiment: ExperimentView }>(`/v1/experiments/${first}/promote`, {
      variantId: "b",
    });
    expect(promoted.experiment.status).toBe("promoted");
    expect(promoted.experiment.periods.every((p) => p.stoppedAt !== null)).toBe(true);
    const next = await mk();
    expect((await post<ExperimentView>(`/v1/experiments/${next}/start`, undefined)).status).toBe("running");
  });
});
