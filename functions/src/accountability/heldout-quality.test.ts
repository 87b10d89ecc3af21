/**
 * Answer quality out of sample: the held-out corpus (knowledge/testing/heldout), real documentation the project
 * did not write, with questions written without looking at the answering code. Every document goes into one
 * knowledge base, and an agent with the defaults a user gets answers every question in a new conversation.
 *
 * The corpus is split by document into a tuning half and a test half. Thresholds, weights and the confidence
 * model may be tuned on the fixture corpus and the tuning half only; the test half is what to quote. The
 * assertions below hold the test half at issue 17's goals where they are met and at today's figure where
 * not (answer accuracy), a floor against regressions; the goals are printed beside the figures.
 *
 * `npm run calibrate` prints this with the fixture corpus's report; with OPENAI_* set, for that provider.
 * With ALCHEMIST_RELIABILITY_SVG=<file> (`npm run calibrate` sets it to docs/reliability.svg), it writes the
 * reliability diagram of both halves and the fixture corpus.
 * With ALCHEMIST_EVAL_DUMP=<file>, it also writes every tuning-half question with its answer, confidence and the
 * passages retrieved, one JSON object per line, to look at what went wrong; the test half is never written out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  formatAnswerQuality,
  formatByType,
  formatCalibration,
  fitCalibration,
  modelsLabel,
  providerEnvOf,
  publishedAgentOver,
  runAnswerEval,
  summarize,
  summarizeByType,
  usesBuiltInModels,
  type QuestionOutcome,
} from "../agents/testing/answer-eval.js";
import { writeFile } from "node:fs/promises";
import { reliabilitySvg } from "../agents/testing/reliability-svg.js";
import { z } from "zod";
import { traceSchema, tracePath } from "./schema.js";
import { chunksPath } from "../knowledge/schema.js";
import { loadCorpus } from "../knowledge/testing/corpus.js";
import { calibration } from "./calibration.js";
import { loadHeldout, type HeldoutQuestion } from "../knowledge/testing/heldout.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";

let platform: TestPlatform;
let questions: HeldoutQuestion[] = [];
let outcomes: QuestionOutcome[] = [];
let fixtureOutcomes: QuestionOutcome[] = [];
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
  evaluatedKb = kbId;
  outcomes = await runAnswerEval(platform.deps, "acme", agentId, kbId, questions);
  // The fixture corpus, which the confidence model is fitted on (its Platt map is fitted on the tuning half).
  const corpus = await loadCorpus();
  const fixture = await publishedAgentOver(platform, corpus.files, {
    knowledgeBase: "Northwind corpus",
    agent: "Northwind assistant",
  });
  fixtureOutcomes = await runAnswerEval(
    platform.deps,
    "acme",
    fixture.agentId,
    fixture.kbId,
    corpus.questions,
  );
}, 600_000);

const half = (split: "tune" | "test") => outcomes.filter((o) => splitOf.get(o.id) === split);
const typeOf = (id: string): string => typeById.get(id) ?? "?";

/** The tuning half, question by question, for ALCHEMIST_EVAL_DUMP (see the module comment). */
async function dumpTuningHalf(file: string, kbId: string): Promise<void> {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const lines: string[] = [];
  for (const o of half("tune")) {
    const q = byId.get(o.id) as HeldoutQuestion;
    const trace = traceSchema.parse((await platform.deps.store.get(tracePath("acme", o.traceId)))?.data);
    const passages = [];
    for (const c of trace.retrieval.candidates.slice(0, 5)) {
      const chunk = await platform.deps.store.get(`${chunksPath("acme", kbId)}/${c.chunkId}`);
      const text = z.object({ text: z.string() }).parse(chunk?.data).text;
      passages.push({
        ref: c.ref,
        doc: c.docName,
        score: c.score,
        holdsEvidence: [q.answerable ? q.evidence : []].flat().some((e) => text.includes(e)),
        text,
      });
    }
    lines.push(JSON.stringify({ ...q, ...o, passages }));
  }
  for (const o of fixtureOutcomes) lines.push(JSON.stringify({ ...o, corpus: "fixture", passages: [] }));
  await writeFile(file, lines.join("\n") + "\n");
}

let evaluatedKb = "";

afterAll(async () => {
  const dump = process.env["ALCHEMIST_EVAL_DUMP"];
  if (dump && outcomes.length > 0) await dumpTuningHalf(dump, evaluatedKb);
  const diagram = process.env["ALCHEMIST_RELIABILITY_SVG"];
  if (diagram && outcomes.length > 0) {
    const title = `Answer confidence: ${platform.deps.chat.info.label.split(" (")[0]}`;
    await writeFile(
      diagram,
      reliabilitySvg(title, [
        { label: "held-out test half (out of sample)", colour: "#1565c0", points: half("test") },
        { label: "held-out tuning half", colour: "#ef6c00", points: half("tune") },
        { label: "fixture corpus (in sample)", colour: "#9e9e9e", points: fixtureOutcomes },
      ]),
    );
  }
  if (outcomes.length > 0) {
    const label = modelsLabel(platform.deps);
    const fresh = fitCalibration([...fixtureOutcomes, ...half("tune")]);
    const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
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
        `A fresh calibration (model on the fixture corpus and the tuning half, Platt map on their out-of-fold log-odds; calibration.ts holds: ${calibration.fittedOn})`,
        `  ${formatCalibration(fresh, "fixture corpus + held-out tuning half, " + label)}`,
        "  out of fold, abstaining below each threshold gives (fixture | tuning half; the test half is never used to pick one)",
        ...[0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85].map((t) => {
          const line = (sample: readonly QuestionOutcome[]): string => {
            const q = summarize(
              sample.map((o) => {
                const confidence = fresh.outOfFold.get(o) ?? 0;
                return { ...o, confidence, abstained: !o.hasClaims || confidence < t };
              }),
            );
            return `right ${pct(q.accuracy)}, unanswerable answered ${pct(q.wrongOnUnanswerable)}, ECE ${q.ece.toFixed(3)}`;
          };
          return `    ${t.toFixed(2)}: ${line(fixtureOutcomes)} | ${line(half("tune"))}`;
        }),
        "",
      ].join("\n"),
    );
  }
  await platform?.close();
});

/**
 * The test half with the built-in models, measured 2026-12-04 after the responder and the confidence were
 * reworked (fitted on the fixture corpus and the tuning half only): 25 of 66 answerable questions right
 * (37.9%), none of 18 unanswerable ones answered, ECE 0.098, all 79 citations precise (after navigation
 * matter was ranked down in search: ECE 0.093, all 78 precise; after tables kept their labels: ECE 0.086, all 75
 * precise). Three of issue 17's
 * goals hold and are asserted as goals; answer accuracy (goal 60%) is held at today's figure, a floor to
 * raise when it improves, never to lower to let a change through.
 */
const TODAY = { accuracy: 0.378, wrongOnUnanswerable: 0.05, ece: 0.1, citationPrecision: 0.95 };

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

/** With a provider or a model folder configured (`npm run calibrate` with OPENAI_* or LOCAL_MODELS_DIR): the same
 * run, reported above for both halves, with no goals asserted for models this project does not ship. */
describe.skipIf(local)(
  "answer quality out of sample, with the configured models (reported, not asserted)",
  () => {
    it("asks every question of both halves", () => {
      expect(outcomes.length).toBe(questions.length);
      expect(half("test").length).toBeGreaterThanOrEqual(60);
    });
  },
);
