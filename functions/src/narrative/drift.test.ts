/**
 * Drift detection (drift.ts) over the local adapters: real agents answering from real, versioned knowledge
 * bases for the causes (a document updated from 25 to 20 vacation days; an agent republished without its
 * knowledge), and direct observations for the comparison rules, replay, tenant isolation and the cap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Citation } from "../accountability/schema.js";
import { json } from "../channels/openai/testing/fixture.js";
import { AppError } from "../platform/errors.js";
import {
  canonicalQuestionPath,
  canonicalQuestionSchema,
  canonicalQuestionsPath,
  chunkVersionOf,
  driftFlagPath,
  driftFlagSchema,
  driftFlagsPath,
  listCanonicalQuestions,
  listDriftFlags,
  maxCanonicalQuestionsPerAgent,
  observeAnswer,
  type AnswerObservation,
} from "./drift.js";
import { contentKeyOf, phrasingOf, questionShape } from "./cluster.js";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
}, 60_000);

afterAll(async () => {
  await platform?.close();
});

const policy = (days: number) => `# Leave policy

## Vacation

Full-time employees receive ${days} vacation days per calendar year. Vacation requests go to your manager.
`;

async function ok<T>(res: Response, status = 200): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return json<T>(res);
}

async function uploadPolicy(kbId: string, days: number): Promise<string> {
  const doc = await ok<{ id: string }>(
    await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      json: { name: "leave-policy.md", text: policy(days) },
    }),
    202,
  );
  await platform.host.runner.idle();
  return doc.id;
}

async function newAgent(name: string, kbId: string): Promise<string> {
  const agent = await ok<{ id: string }>(
    await platform.fetch("/v1/agents", {
      method: "POST",
      json: {
        name,
        instructions: "Answer from the leave policy.",
        knowledgeBaseIds: [kbId],
        confidenceThreshold: 0.5,
      },
    }),
    201,
  );
  await ok(await platform.fetch(`/v1/agents/${agent.id}/publish`, { method: "POST", json: {} }));
  return agent.id;
}

interface AnswerMessage {
  content: string;
  citations: Citation[];
  abstained: boolean;
  traceId: string;
  createdAt: string;
}

/** Asks the agent in a new conversation (so the latest published version answers), as the turn observes it. */
async function ask(agentId: string, question: string): Promise<AnswerObservation> {
  const conversation = await ok<{ id: string }>(
    await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: {} }),
    201,
  );
  const { message } = await ok<{ message: AnswerMessage }>(
    await platform.fetch(`/v1/conversations/${conversation.id}/messages`, {
      method: "POST",
      json: { content: question },
    }),
  );
  const trace = await ok<{ question: string; agentVersion: number | "draft" }>(
    await platform.fetch(`/v1/traces/${message.traceId}`),
  );
  return {
    agentId,
    agentVersion: typeof trace.agentVersion === "number" ? trace.agentVersion : null,
    traceId: message.traceId,
    conversationId: conversation.id,
    question: trace.question,
    answer: message.content,
    abstained: message.abstained,
    citations: message.citations,
    createdAt: message.createdAt,
  };
}

async function flagOf(tenantId: string, flagId: string) {
  const snap = await platform.deps.store.get(driftFlagPath(tenantId, flagId));
  expect(snap).not.toBeNull();
  return driftFlagSchema.parse(snap?.data);
}

const flagCount = async (tenantId: string): Promise<number> =>
  platform.deps.store.count({ collection: driftFlagsPath(tenantId) });

describe("drift over real agents and knowledge bases", () => {
  it("does not flag the same question answered the same way", async () => {
    const kbId = (
      await ok<{ id: string }>(
        await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Steady" } }),
        201,
      )
    ).id;
    await uploadPolicy(kbId, 25);
    const agentId = await newAgent("Steady bot", kbId);
    const first = await ask(agentId, "How many vacation days do full-time employees get?");
    expect(first.abstained).toBe(false);
    expect(first.answer).toContain("25");
    const again = await ask(agentId, "hi, how many vacation days do full time employees get");
    const a = await observeAnswer(platform.deps, "acme", first);
    const b = await observeAnswer(platform.deps, "acme", again);
    expect(b.canonicalQuestionId).toBe(a.canonicalQuestionId);
    expect(b.flagId).toBeNull();
    const cq = canonicalQuestionSchema.parse(
      (await platform.deps.store.get(canonicalQuestionPath("acme", a.canonicalQuestionId)))?.data,
    );
    expect(cq).toMatchObject({ count: 2, variants: 2, question: first.question });
    expect(cq.lastAnswer?.traceId).toBe(again.traceId);
  }, 30_000);

  it("flags an answer changed by a new document version, naming both versions", async () => {
    const kbId = (
      await ok<{ id: string }>(
        await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Leave" } }),
        201,
      )
    ).id;
    const docId = await uploadPolicy(kbId, 25);
    const agentId = await newAgent("Leave bot", kbId);
    const before = await ask(agentId, "How many vacation days do full-time employees get?");
    expect(before.answer).toContain("25");
    expect(before.citations.map((c) => chunkVersionOf(c.docId, c.chunkId))).toContain(1);
    const first = await observeAnswer(platform.deps, "acme", before);
    expect(first.flagId).toBeNull();

    expect(await uploadPolicy(kbId, 20)).toBe(docId); // the same name: version 2 of the document
    const after = await ask(agentId, "How many vacation days do full-time employees get?");
    expect(after.answer).toContain("20");
    const second = await observeAnswer(platform.deps, "acme", after);
    expect(second.canonicalQuestionId).toBe(first.canonicalQuestionId);
    expect(second.flagId).not.toBeNull();
    const flag = await flagOf("acme", second.flagId as string);
    expect(flag).toMatchObject({
      agentId,
      status: "open",
      change: "contradicts",
      difference: "answered 25 vacation days, now 20",
      causes: [
        {
          type: "knowledge",
          description: "leave-policy.md changed from version 1 to 2",
          document: { kbId, docId, docName: "leave-policy.md", fromVersion: 1, toVersion: 2 },
        },
      ],
    });
    expect(flag.before.traceId).toBe(before.traceId);
    expect(flag.after.traceId).toBe(after.traceId);
    expect(flag.before.sources[0]).toMatchObject({ docId, version: 1 });
    expect(flag.after.sources[0]).toMatchObject({ docId, version: 2 });

    // A replay of the trace changes nothing and answers as the first time.
    const flags = await flagCount("acme");
    const replayed = await observeAnswer(platform.deps, "acme", after);
    expect(replayed).toEqual(second);
    expect(await flagCount("acme")).toBe(flags);
    const cq = canonicalQuestionSchema.parse(
      (await platform.deps.store.get(canonicalQuestionPath("acme", second.canonicalQuestionId)))?.data,
    );
    expect(cq.count).toBe(2);

    // The next answer, from the same version, is the same answer: no new flag.
    const steady = await ask(agentId, "How many vacation days do full-time employees get?");
    expect((await observeAnswer(platform.deps, "acme", steady)).flagId).toBeNull();
    expect(await flagCount("acme")).toBe(flags);
  }, 30_000);

  it("flags an agent version that abstains where the one before answered", async () => {
    const kbId = (
      await ok<{ id: string }>(
        await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Leave too" } }),
        201,
      )
    ).id;
    await uploadPolicy(kbId, 25);
    const agentId = await newAgent("Forgetful bot", kbId);
    const before = await ask(agentId, "How many vacation days do full-time employees get?");
    expect(before).toMatchObject({ abstained: false, agentVersion: 1 });
    await observeAnswer(platform.deps, "acme", before);

    // Version 2 lost its knowledge base.
    await ok(
      await platform.fetch(`/v1/agents/${agentId}`, { method: "PATCH", json: { knowledgeBaseIds: [] } }),
    );
    await ok(await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} }));
    const after = await ask(agentId, "How many vacation days do full-time employees get?");
    expect(after).toMatchObject({ abstained: true, agentVersion: 2 });
    const { flagId } = await observeAnswer(platform.deps, "acme", after);
    const flag = await flagOf("acme", flagId as string);
    expect(flag.change).toBe("now-abstains");
    expect(flag.difference).toMatch(/^answered ".*25 vacation days.*", now abstains$/);
    // The document the earlier answer cited did not change: the agent version is the only cause.
    expect(flag.causes).toEqual([
      {
        type: "agent-version",
        description: "The agent answered with version 1, now with version 2",
        agentVersion: { from: 1, to: 2 },
      },
    ]);
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------------
// The comparison rules, on direct observations
// ---------------------------------------------------------------------------------------------------

let traceSeq = 0;
let minute = 0;

function citation(claim: string, quote: string, doc = "handbook", version = 1): Citation {
  return {
    ref: "1",
    kbId: "kb1",
    docId: doc,
    docName: `${doc}.md`,
    chunkId: `${doc}-v${version}-0`,
    quote,
    claim,
    location: { startOffset: 0, endOffset: quote.length, headingPath: [] },
    score: 0.9,
  };
}

function observation(
  agentId: string,
  question: string,
  claims: readonly string[],
  options: { version?: number | null; doc?: string; docVersion?: number; abstained?: boolean } = {},
): AnswerObservation {
  traceSeq += 1;
  minute += 1;
  const abstained = options.abstained ?? false;
  return {
    agentId,
    agentVersion: options.version === undefined ? 1 : options.version,
    traceId: `trace${traceSeq}`,
    conversationId: `conv${traceSeq}`,
    question,
    answer: abstained ? "I could not find this in my sources." : claims.map((c) => `${c} [1]`).join(" "),
    abstained,
    citations: abstained ? [] : claims.map((c) => citation(c, c, options.doc, options.docVersion)),
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
  };
}

async function sequence(agentId: string, ...answers: AnswerObservation[]) {
  const results = [];
  for (const a of answers) results.push(await observeAnswer(platform.deps, "acme", { ...a, agentId }));
  return results;
}

describe("what counts as a material change", () => {
  const q = "Can I carry unused vacation days over?";

  it("does not flag a rephrasing with the same facts, nor an answer that only adds or drops detail", async () => {
    const results = await sequence(
      "rulesRephrase",
      observation("x", q, ["Up to 5 unused vacation days can be carried over into the next year."]),
      observation("x", "can i carry unused vacation days over", [
        "You can carry over up to 5 unused vacation days into the next year.",
      ]),
      observation("x", q, [
        "You can carry over up to 5 unused vacation days into the next year, until 31 March.",
      ]),
      observation("x", q, ["You can carry over up to 5 unused vacation days."]),
    );
    expect(results.map((r) => r.flagId)).toEqual([null, null, null, null]);
    expect(new Set(results.map((r) => r.canonicalQuestionId)).size).toBe(1);
  });

  it("never sets two sentences of the same answer against each other", async () => {
    const total = "Full-time employees receive 25 vacation days per calendar year.";
    const accrual = "Vacation days accrue monthly, at 2.08 days per month for full-time employees.";
    const results = await sequence(
      "rulesTwoClaims",
      observation("x", q, [total, accrual]),
      observation("x", q, [total, accrual]),
      observation("x", q, [total.replace("25", "20"), accrual]),
    );
    expect(results.map((r) => r.flagId === null)).toEqual([true, true, false]);
  });

  it("flags a negation that reverses a claim", async () => {
    const [, changed] = await sequence(
      "rulesPolarity",
      observation("x", q, ["Unused vacation days can be carried over into the next year."]),
      observation("x", q, ["Unused vacation days cannot be carried over into the next year."], {
        version: 2,
      }),
    );
    const flag = await flagOf("acme", changed?.flagId as string);
    expect(flag.change).toBe("contradicts");
    expect(flag.difference).toBe(
      'answered "Unused vacation days can be carried over into the next year.", now "Unused vacation days cannot be carried over into the next year."',
    );
  });

  it("does not compare unrelated sentences, and flags other sources saying other things", async () => {
    const [, unrelated, moved] = await sequence(
      "rulesUnrelated",
      observation("x", q, ["Unused vacation days can be carried over for 3 months."]),
      observation("x", q, [
        "Unused vacation days can be carried over for 3 months.",
        "The office closes for 2 weeks in August.",
      ]),
      observation("x", q, ["Leftover leave expires at the end of the year."], { doc: "expiry-rules" }),
    );
    expect(unrelated?.flagId).toBeNull();
    const flag = await flagOf("acme", moved?.flagId as string);
    expect(flag.change).toBe("sources-changed");
    expect(flag.difference).toBe(
      'answered from handbook.md, now from expiry-rules.md: "Leftover leave expires at the end of the year."',
    );
  });

  it("flags a change with nothing changed in between with no cause: the agent is unstable on it", async () => {
    const [, unstable] = await sequence(
      "rulesUnstable",
      observation("x", "How long is parental leave?", ["Parental leave lasts 14 weeks."]),
      observation("x", "How long is parental leave?", ["Parental leave lasts 16 weeks."]),
    );
    const flag = await flagOf("acme", unstable?.flagId as string);
    expect(flag.causes).toEqual([]);
    expect(flag.difference).toBe("answered 14 weeks, now 16");
  });

  it("flags the same flip once, and an abstention that turns into an answer", async () => {
    const a = observation("x", "Is parking free?", ["Parking is free for employees."]);
    const b = observation("x", "Is parking free?", ["Parking is not free for employees."]);
    const a2 = { ...a, traceId: "traceFlipA2", createdAt: "2026-01-02T00:00:00.000Z" };
    const b2 = { ...b, traceId: "traceFlipB2", createdAt: "2026-01-02T00:01:00.000Z" };
    const results = await sequence("rulesFlip", a, b, a2, b2);
    expect(results[1]?.flagId).not.toBeNull();
    expect(results[3]?.flagId).toBe(results[1]?.flagId); // the same before/after pair: the same flag
    expect(results[2]?.flagId).not.toBeNull(); // the reverse change is another
    const { flags } = await listDriftFlags(platform.deps, "acme", { agentId: "rulesFlip" });
    expect(flags).toHaveLength(2);

    const [, answered] = await sequence(
      "rulesNowAnswers",
      observation("x", "Who approves vacation?", [], { abstained: true }),
      observation("x", "Who approves vacation?", ["Vacation requests go to your manager."]),
    );
    expect((await flagOf("acme", answered?.flagId as string)).difference).toBe(
      'abstained, now answers "Vacation requests go to your manager."',
    );
  });

  it("never compares personal answers (memories, tools) nor an answer older than the last", async () => {
    const personal = observation("x", "What is my name?", ["Your name is Dana."]);
    personal.citations = personal.citations.map((c) => ({ ...c, kbId: "", docId: "memory:m1" }));
    const other = observation("x", "What is my name?", ["Your name is Max."]);
    other.citations = other.citations.map((c) => ({ ...c, kbId: "", docId: "memory:m2" }));
    const results = await sequence("rulesPersonal", personal, other);
    expect(results.map((r) => r.flagId)).toEqual([null, null]);
    const cq = canonicalQuestionSchema.parse(
      (
        await platform.deps.store.get(
          canonicalQuestionPath("acme", results[0]?.canonicalQuestionId as string),
        )
      )?.data,
    );
    expect(cq).toMatchObject({ count: 2, lastAnswer: null });

    const late = observation("x", "How long is sick leave?", ["Sick leave is paid for 6 weeks."]);
    const early = { ...observation("x", "How long is sick leave?", ["Sick leave is paid for 8 weeks."]) };
    early.createdAt = "2025-06-01T00:00:00.000Z";
    const [, outOfOrder] = await sequence("rulesOrder", late, early);
    expect(outOfOrder?.flagId).toBeNull();
  });

  it("keeps different questions apart", async () => {
    const results = await sequence(
      "rulesApart",
      observation("x", "Can I carry over 5 days?", ["Yes, 5 days can be carried over."]),
      observation("x", "Can I carry over 6 days?", ["No, at most 5 days can be carried over."]),
    );
    expect(results[0]?.canonicalQuestionId).not.toBe(results[1]?.canonicalQuestionId);
    expect(results.map((r) => r.flagId)).toEqual([null, null]);
  });

  it("refuses a malformed observation, naming the field", async () => {
    const good = observation("rulesBad", "How long is parental leave?", ["Parental leave lasts 14 weeks."]);
    for (const [bad, field] of [
      [{ ...good, traceId: "../../x" }, "traceId"],
      [{ ...good, agentId: "a/b" }, "agentId"],
      [{ ...good, createdAt: "yesterday" }, "createdAt"],
      [{ ...good, question: "?!" }, "question"],
      [{ ...good, question: "why ".repeat(5001) }, "question"],
      [{ ...good, citations: Array.from({ length: 501 }, () => good.citations[0] as Citation) }, "citations"],
    ] as const) {
      const error = await observeAnswer(platform.deps, "acme", bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("invalid-argument");
      expect((error as AppError).message).toContain(field);
    }
  });
});

describe("tenants and limits", () => {
  it("keeps each tenant's canonical questions and flags to itself", async () => {
    const q = "How long is the notice period?";
    const acme = await sequence(
      "sharedAgentId",
      observation("x", q, ["The notice period is 3 months."]),
      observation("x", q, ["The notice period is 1 month."], { version: 2 }),
    );
    const globex = await observeAnswer(platform.deps, "globex", {
      ...observation("sharedAgentId", q, ["The notice period is 2 weeks."], { version: 5 }),
      traceId: acme[1]?.canonicalQuestionId.slice(0, 20) as string,
    });
    expect(globex.flagId).toBeNull(); // globex's first answer: nothing to compare with
    expect(
      await platform.deps.store.get(canonicalQuestionPath("globex", acme[0]?.canonicalQuestionId as string)),
    ).not.toBeNull(); // the same agent id and phrasing: the same id, in another tenant's path
    expect((await listDriftFlags(platform.deps, "globex", {})).flags).toEqual([]);
    const globexQuestions = await listCanonicalQuestions(platform.deps, "globex", {});
    expect(globexQuestions.questions.map((c) => c.lastAnswer?.answer)).toEqual([
      "The notice period is 2 weeks. [1]",
    ]);
    const acmeCq = canonicalQuestionSchema.parse(
      (await platform.deps.store.get(canonicalQuestionPath("acme", acme[0]?.canonicalQuestionId as string)))
        ?.data,
    );
    expect(acmeCq.count).toBe(2);
  });

  it(`keeps at most ${maxCanonicalQuestionsPerAgent} canonical questions per agent, evicting the least recently asked`, async () => {
    const agentId = "capAgent";
    const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
    for (let start = 0; start < maxCanonicalQuestionsPerAgent; start += 500) {
      const batch = platform.deps.store.batch();
      for (let i = start; i < start + 500; i++) {
        const shape = questionShape(`What is the rule number ${i}?`);
        batch.create(canonicalQuestionPath("acme", `capq${i}`), {
          agentId,
          question: `What is the rule number ${i}?`,
          questionKey: phrasingOf(shape),
          contentKey: contentKeyOf(shape),
          variants: 1,
          variantKeys: ["v"],
          count: 1,
          firstAskedAt: at(i),
          // The first one was asked last of all: it stays; the second is the least recently asked.
          lastAskedAt: i === 0 ? at(10_000) : at(i),
          lastAnswer: null,
          recent: [],
          updatedAt: at(i),
        });
      }
      await batch.commit();
    }
    // Another agent's questions are not counted against this one's cap.
    await observeAnswer(
      platform.deps,
      "acme",
      observation("capNeighbour", "Where is the office?", ["It is in Berlin."]),
    );
    const count = () =>
      platform.deps.store.count({
        collection: canonicalQuestionsPath("acme"),
        where: [{ field: "agentId", op: "==", value: agentId }],
      });
    expect(await count()).toBe(maxCanonicalQuestionsPerAgent);

    // Asking an existing one opens nothing.
    await observeAnswer(
      platform.deps,
      "acme",
      observation(agentId, "What is the rule number 7?", ["Rule 7 applies."]),
    );
    expect(await count()).toBe(maxCanonicalQuestionsPerAgent);

    const { canonicalQuestionId } = await observeAnswer(
      platform.deps,
      "acme",
      observation(agentId, "What is the dress code?", ["Business casual."]),
    );
    expect(await count()).toBe(maxCanonicalQuestionsPerAgent);
    expect(await platform.deps.store.get(canonicalQuestionPath("acme", canonicalQuestionId))).not.toBeNull();
    expect(await platform.deps.store.get(canonicalQuestionPath("acme", "capq1"))).toBeNull();
    expect(await platform.deps.store.get(canonicalQuestionPath("acme", "capq0"))).not.toBeNull();
    expect(await platform.deps.store.get(canonicalQuestionPath("acme", "capq2"))).not.toBeNull();
    const neighbours = await listCanonicalQuestions(platform.deps, "acme", { agentId: "capNeighbour" });
    expect(neighbours.questions).toHaveLength(1);
  }, 60_000);
});
