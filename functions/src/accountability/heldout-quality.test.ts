/**
 * Answer quality out of sample: the held-out corpus (knowledge/testing/heldout), real documentation the project
 * did not write, with questions written without looking at the answering code. Every document goes into one
 * knowledge base, and an agent with the defaults a user gets answers every question in a new conversation.
 *
 * The corpus is split by document into a tuning half and a test half. Thresholds, weights and the confidence
 * model may be tuned on the fixture corpus and the tuning half only; the test half is what to quote. The
 * assertions below hold the test half at today's figures (a floor against regressions, measured 2026-12-04),
 * not at issue 17's goals, which are printed beside them and are not met yet.
 *
 * `npm run calibrate` prints this with the fixture corpus's report; with OPENAI_* set, for that provider.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  formatAnswerQuality,
  formatByType,
  providerEnvOf,
  publishedAgentOver,
  runAnswerEval,
  summarize,
  summarizeByType,
  usesBuiltInModels,
  type QuestionOutcome,
} from "../agents/testing/answer-eval.js";
import { loadHeldout, type HeldoutQuestion } from "../knowledge/testing/heldout.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";

let platform: TestPlatform;
let questions: HeldoutQuestion[] = [];
let outcomes: QuestionOutcome[] = [];
const splitOf = new Map<string, "tune" | "test">();
const typeById = new Map<string, string>();

const providerEnv = providerEnvOf();

beforeAll(async () => {
  platform = await startTestPlatform(providerEnv);
  const heldout = await loadHeldout();
  questions = heldout.questions;
  const documentSplit = new Map(heldout.sources.map((s) => [s.ingestAs, s.split]));
  for (const q of questions) {
    splitOf.set(q.id, documentSplit.get(q.document) as "tune" | "test");
    typeById.set(q.id, q.type);
  }
  const { kbId, agentId } = await publishedAgentOver(platform, heldout.files, {
    knowledgeBase: "Library manuals",
    agent: "Library assistant",
  });
  outcomes = await runAnswerEval(platform.deps, "acme", agentId, kbId, questions);
}, 600_000);

const half = (split: "tune" | "test") => outcomes.filter((o) => splitOf.get(o.id) === split);
const typeOf = (id: string): string => typeById.get(id) ?? "?";

afterAll(async () => {
  if (outcomes.length > 0) {
    const label = platform.deps.chat.info.label;
    console.log(
      [
        "",
        "Answer quality on the held-out corpus (real documents; split by document; judge: must-contain facts)",
        ...(["tune", "test"] as const).flatMap((split) => [
          `${split === "test" ? "TEST half (out of sample: the figures to quote)" : "tuning half (may be tuned on)"}`,
          formatAnswerQuality(label, summarize(half(split))),
          "  by question type",
          formatByType(summarizeByType(half(split), typeOf)),
        ]),
        "issue 17's goals on the test half: ≤ 5% of unanswerable answered, ECE ≤ 0.10, ≥ 60% answered right, citation precision ≥ 95%",
        "",
      ].join("\n"),
    );
  }
  await platform?.close();
});

/**
 * The test half with the built-in models on 2026-12-04, the floor this suite holds: 24 of 66 answerable
 * questions right (36.4%), 1 of 18 unanswerable ones answered (5.6%), ECE 0.116, 37 of 42 citations precise
 * (88.1%). Raise it when the figures improve; never lower it to let a change through.
 */
const TODAY = { accuracy: 0.36, wrongOnUnanswerable: 0.056, ece: 0.12, citationPrecision: 0.88 };

const local = usesBuiltInModels(providerEnv);

describe.runIf(local)("answer quality out of sample, with the built-in extractive responder", () => {
  it("asks every question of both halves", () => {
    expect(half("tune").length).toBeGreaterThanOrEqual(60);
    expect(half("test").length).toBeGreaterThanOrEqual(60);
    expect(outcomes.length).toBe(questions.length);
  });

  it("holds the test half at least at today's figures", () => {
    const q = summarize(half("test"));
    expect(q.accuracy).toBeGreaterThanOrEqual(TODAY.accuracy);
    expect(q.wrongOnUnanswerable).toBeLessThanOrEqual(TODAY.wrongOnUnanswerable);
    expect(q.ece).toBeLessThanOrEqual(TODAY.ece);
    expect(q.citationPrecision).toBeGreaterThanOrEqual(TODAY.citationPrecision);
  });
});
