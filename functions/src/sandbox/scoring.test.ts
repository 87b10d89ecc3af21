/**
 * Eval scores against an independent computation: a fixed, hand-made dataset of eight answered items, scored
 * by scoring.ts and by a second implementation written differently in this file (its own normalization,
 * overlap count, binning and percentile), both checked against figures worked out by hand in the comments.
 */
import { describe, expect, it } from "vitest";
import type { Citation, ClaimCheck } from "../accountability/schema.js";
import type { ItemContent } from "./schema.js";
import {
  calibration,
  citationSupport,
  citesExpectedSource,
  containsFact,
  diffItems,
  normalize,
  percentile,
  referenceF1Cut,
  scoreDeltas,
  scoreItem,
  scoreRun,
  tokenF1,
  type ItemOutcome,
} from "./scoring.js";

const item = (over: Partial<ItemContent>): ItemContent => ({
  question: "q",
  turns: null,
  expectedFacts: [],
  referenceAnswer: null,
  expectedSources: [],
  shouldAbstain: false,
  tags: [],
  ...over,
});

const outcome = (over: Partial<ItemOutcome>): ItemOutcome => ({
  answer: null,
  abstained: false,
  confidence: null,
  citations: [],
  latencyMs: null,
  tokens: { input: 0, output: 0 },
  costMicros: 0,
  error: null,
  ...over,
});

const cite = (docName: string, supported: boolean, docId = `id-${docName}`) => ({
  docId,
  docName,
  supported,
});

/**
 * The fixed dataset. By hand:
 * 1. facts ["25 vacation days"]; "Employees get 25 Vacation  days per year [1]." contains it once case, the
 *    double space and the marker are ignored: CORRECT. One citation, supported, of the expected handbook.md:
 *    precise. Answered, confidence 0.9.
 * 2. facts ["30 days", "itemised receipt"]; the answer states only the first: INCORRECT (misses one).
 *    One supported citation, no expected sources: precise. Answered, 0.85.
 * 3. reference "Contractors are not entitled to paid vacation days"; answer "Contractors are not entitled to
 *    paid vacation." shares 7 tokens; precision 7/7, recall 7/8, F1 = 2·1·0.875/1.875 = 0.9333 ≥ 0.5: CORRECT.
 *    Citations: policy.md supported but not the expected Handbook.md → not precise; handbook.md expected (names
 *    match ignoring case) but unsupported → not precise: 0 of 2. Answered, 0.72.
 * 4. shouldAbstain, abstained (confidence 0.3): CORRECT; a true positive.
 * 5. shouldAbstain, answered "The CEO is Jane [1]." (0.81) with one supported citation: INCORRECT; a false
 *    negative; 1 citation, precise (no expected sources).
 * 6. facts ["monthly"], abstained (0.4): INCORRECT; a false positive.
 * 7. the turn failed: INCORRECT, and in no other figure but tokens and cost.
 * 8. reference "Parking permits are issued by the facilities desk"; answer "The desk on the ground floor
 *    handles badges." shares "the" and "desk": precision 2/8, recall 2/8, F1 0.25 < 0.5: INCORRECT. Answered, 0.65.
 *
 * Run figures:
 * - accuracy: items 1, 3, 4 correct of 8 = 0.375;
 * - citation precision: items 1, 2, 3, 5 cite 1 + 1 + 2 + 1 = 5 times, precisely 1 + 1 + 0 + 1 = 3: 0.6;
 * - abstention: TP 1 (item 4), FP 1 (item 6), FN 1 (item 5): precision 1/2, recall 1/2;
 * - ECE over the 5 answered items (1, 2, 3, 5, 8): bin [0.9, 1.0] holds 0.9 (right): 1/5 · |1 − 0.9| = 0.02;
 *   bin [0.8, 0.9) holds 0.85 and 0.81 (both wrong): 2/5 · |0 − 0.83| = 0.332; bin [0.7, 0.8) holds 0.72
 *   (right): 1/5 · 0.28 = 0.056; bin [0.6, 0.7) holds 0.65 (wrong): 1/5 · 0.65 = 0.13; ECE = 0.538;
 * - latency over the 7 items that ran: 50, 60, 80, 90, 120, 200, 300; p50 = the ⌈3.5⌉ = 4th = 90; p95 = the
 *   ⌈6.65⌉ = 7th = 300;
 * - tokens: input 100+110+90+50+100+70+40+120 = 680, output 20+25+30+10+20+15+0+40 = 160;
 *   cost 27+31+32+14+27+20+6+42 = 199 micros.
 */
const dataset: { item: ItemContent; outcome: ItemOutcome }[] = [
  {
    item: item({ expectedFacts: ["25 vacation days"], expectedSources: ["handbook.md"] }),
    outcome: outcome({
      answer: "Employees get 25 Vacation  days per year [1].",
      confidence: 0.9,
      citations: [cite("handbook.md", true)],
      latencyMs: 120,
      tokens: { input: 100, output: 20 },
      costMicros: 27,
    }),
  },
  {
    item: item({ expectedFacts: ["30 days", "itemised receipt"] }),
    outcome: outcome({
      answer: "Submit claims within 30 days [1].",
      confidence: 0.85,
      citations: [cite("handbook.md", true)],
      latencyMs: 80,
      tokens: { input: 110, output: 25 },
      costMicros: 31,
    }),
  },
  {
    item: item({
      referenceAnswer: "Contractors are not entitled to paid vacation days",
      expectedSources: ["Handbook.md"],
    }),
    outcome: outcome({
      answer: "Contractors are not entitled to paid vacation.",
      confidence: 0.72,
      citations: [cite("policy.md", true), cite("handbook.md", false)],
      latencyMs: 200,
      tokens: { input: 90, output: 30 },
      costMicros: 32,
    }),
  },
  {
    item: item({ shouldAbstain: true }),
    outcome: outcome({
      answer: "I couldn't find an answer to that.",
      abstained: true,
      confidence: 0.3,
      latencyMs: 50,
      tokens: { input: 50, output: 10 },
      costMicros: 14,
    }),
  },
  {
    item: item({ shouldAbstain: true }),
    outcome: outcome({
      answer: "The CEO is Jane [1].",
      confidence: 0.81,
      citations: [cite("people.md", true)],
      latencyMs: 90,
      tokens: { input: 100, output: 20 },
      costMicros: 27,
    }),
  },
  {
    item: item({ expectedFacts: ["monthly"] }),
    outcome: outcome({
      answer: "I couldn't find an answer to that.",
      abstained: true,
      confidence: 0.4,
      latencyMs: 60,
      tokens: { input: 70, output: 15 },
      costMicros: 20,
    }),
  },
  {
    item: item({ expectedFacts: ["10 euros"] }),
    outcome: outcome({
      error: { code: "deadline-exceeded", message: "The model did not answer in time" },
      tokens: { input: 40, output: 0 },
      costMicros: 6,
    }),
  },
  {
    item: item({ referenceAnswer: "Parking permits are issued by the facilities desk" }),
    outcome: outcome({
      answer: "The desk on the ground floor handles badges.",
      confidence: 0.65,
      latencyMs: 300,
      tokens: { input: 120, output: 40 },
      costMicros: 42,
    }),
  },
];

// ---------------------------------------------------------------------------------------------------
// The independent computation: the same definitions, implemented another way.
// ---------------------------------------------------------------------------------------------------

function words(text: string): string[] {
  const out: string[] = [];
  let current = "";
  for (const ch of text.toLowerCase().replace(/\[[^\]]*\]/g, " ")) {
    if (/[a-z0-9]/.test(ch)) current += ch;
    else if (current) {
      out.push(current);
      current = "";
    }
  }
  if (current) out.push(current);
  return out;
}

function independentCorrect(it: ItemContent, o: ItemOutcome): boolean {
  if (o.error) return false;
  if (it.shouldAbstain) return o.abstained;
  if (o.abstained || o.answer === null) return false;
  if (it.expectedFacts.length > 0) {
    const hay = ` ${words(o.answer).join(" ")} `;
    return it.expectedFacts.every((f) => hay.includes(` ${words(f).join(" ")} `));
  }
  const a = words(o.answer).sort();
  const r = words(it.referenceAnswer ?? "").sort();
  // Overlap of two sorted multisets, by walking both.
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < r.length) {
    if (a[i] === r[j]) {
      shared++;
      i++;
      j++;
    } else if ((a[i] as string) < (r[j] as string)) i++;
    else j++;
  }
  const f1 = shared === 0 ? 0 : (2 * shared) / (a.length + r.length);
  return f1 >= 0.5;
}

function independentScores(rows: typeof dataset) {
  const ran = rows.filter((r) => r.outcome.error === null);
  const correct = rows.map((r) => independentCorrect(r.item, r.outcome));
  let cited = 0;
  let precise = 0;
  for (const r of ran)
    for (const c of r.outcome.citations) {
      cited++;
      const expected = r.item.expectedSources.map((s) => s.toLowerCase());
      if (c.supported && (expected.length === 0 || expected.includes(c.docName.toLowerCase()))) precise++;
    }
  const tp = ran.filter((r) => r.item.shouldAbstain && r.outcome.abstained).length;
  const predicted = ran.filter((r) => r.outcome.abstained).length;
  const actual = ran.filter((r) => r.item.shouldAbstain).length;
  const points = rows
    .map((r, k) => ({ r, ok: correct[k] as boolean }))
    .filter(({ r }) => r.outcome.error === null && !r.outcome.abstained && r.outcome.confidence !== null);
  let ece = 0;
  for (let k = 0; k < 10; k++) {
    const inBin = points.filter(({ r }) => {
      const c = r.outcome.confidence as number;
      return k === 9 ? c >= 0.9 : c >= k / 10 && c < (k + 1) / 10;
    });
    if (inBin.length === 0) continue;
    const acc = inBin.filter((p) => p.ok).length / inBin.length;
    const conf = inBin.reduce((s, p) => s + (p.r.outcome.confidence as number), 0) / inBin.length;
    ece += (inBin.length / points.length) * Math.abs(acc - conf);
  }
  const lat = ran.map((r) => r.outcome.latencyMs as number).sort((x, y) => x - y);
  const nearest = (p: number) => lat[Math.ceil((p * lat.length) / 100) - 1];
  return {
    accuracy: correct.filter(Boolean).length / rows.length,
    citationPrecision: precise / cited,
    abstentionPrecision: tp / predicted,
    abstentionRecall: tp / actual,
    ece,
    p50: nearest(50),
    p95: nearest(95),
    input: rows.reduce((s, r) => s + r.outcome.tokens.input, 0),
    output: rows.reduce((s, r) => s + r.outcome.tokens.output, 0),
    cost: rows.reduce((s, r) => s + r.outcome.costMicros, 0),
  };
}

describe("a run's scores", () => {
  const scored = dataset.map((r) => ({ ...r, score: scoreItem(r.item, r.outcome) }));
  const scores = scoreRun(scored, { currency: "usd" });
  const independent = independentScores(dataset);

  it("match the independent computation and the figures worked out by hand", () => {
    expect(scored.map((s) => s.score.correct)).toEqual([true, false, true, true, false, false, false, false]);
    expect(scored.map((s) => s.score.correct)).toEqual(
      dataset.map((r) => independentCorrect(r.item, r.outcome)),
    );

    expect(scores.accuracy).toBe(0.375);
    expect(independent.accuracy).toBe(0.375);
    expect(scores.correct).toBe(3);
    expect(scores.errors).toBe(1);
    expect(scores.items).toBe(8);

    expect(scores.citations).toBe(5);
    expect(scores.preciseCitations).toBe(3);
    expect(scores.citationPrecision).toBe(0.6);
    expect(independent.citationPrecision).toBe(0.6);

    expect(scores.abstention).toEqual({
      truePositives: 1,
      falsePositives: 1,
      falseNegatives: 1,
      precision: 0.5,
      recall: 0.5,
    });
    expect(independent.abstentionPrecision).toBe(0.5);
    expect(independent.abstentionRecall).toBe(0.5);

    expect(scores.ece).toBeCloseTo(0.538, 10);
    expect(independent.ece).toBeCloseTo(0.538, 10);

    expect(scores.latencyMs).toEqual({ p50: 90, p95: 300 });
    expect([independent.p50, independent.p95]).toEqual([90, 300]);

    expect(scores.tokens).toEqual({ input: 680, output: 160 });
    expect([independent.input, independent.output]).toEqual([680, 160]);
    expect(scores.costMicros).toBe(199);
    expect(independent.cost).toBe(199);
    expect(scores.judge).toBe("rules");
    expect(scores.judgeScore).toBeNull();
  });

  it("show the calibration table the ECE came from", () => {
    const filled = scores.calibration.filter((b) => b.count > 0);
    expect(filled).toEqual([
      { lower: 0.6, upper: 0.7, count: 1, accuracy: 0, confidence: 0.65 },
      { lower: 0.7, upper: 0.8, count: 1, accuracy: 1, confidence: 0.72 },
      { lower: 0.8, upper: 0.9, count: 2, accuracy: 0, confidence: 0.83 },
      { lower: 0.9, upper: 1, count: 1, accuracy: 1, confidence: 0.9 },
    ]);
    expect(scores.calibration).toHaveLength(10);
  });

  it("say why each item scored as it did", () => {
    expect(scored[1]?.score).toMatchObject({ method: "facts", missingFacts: ["itemised receipt"] });
    expect(scored[1]?.score.reason).toBe('The answer misses 1 of 2 expected fact(s): "itemised receipt".');
    expect(scored[2]?.score).toMatchObject({
      method: "reference",
      f1: 0.933,
      citations: 2,
      preciseCitations: 0,
    });
    expect(scored[3]?.score.reason).toBe("The agent abstained, as the item expects.");
    expect(scored[4]?.score.reason).toBe("The agent answered; the item expects it to abstain.");
    expect(scored[5]?.score).toMatchObject({ method: "facts", missingFacts: ["monthly"] });
    expect(scored[5]?.score.reason).toBe("The agent abstained; the item expects an answer.");
    expect(scored[6]?.score).toMatchObject({ method: "error", correct: false });
    expect(scored[6]?.score.reason).toMatch(/^The turn failed \(deadline-exceeded\)/);
    expect(scored[7]?.score.f1).toBe(0.25);
  });

  it("are null where nothing could be measured", () => {
    const none = scoreRun([], { currency: "usd" });
    expect(none).toMatchObject({ items: 0, accuracy: null, citationPrecision: null, ece: null });
    expect(none.abstention).toMatchObject({ precision: null, recall: null });
    expect(none.latencyMs).toEqual({ p50: null, p95: null });
    // All failed: accuracy 0, every other figure empty.
    const failed = scoreRun(
      [dataset[6]].map((r) => ({ ...r!, score: scoreItem(r!.item, r!.outcome) })),
      { currency: "usd" },
    );
    expect(failed).toMatchObject({ accuracy: 0, citationPrecision: null, ece: null });
  });

  it("say when a judge scored answers, and its mean", () => {
    const judged = scored.map((s, i) => ({ ...s, judgeScore: i < 2 ? [1, 0.5][i] : null }));
    expect(scoreRun(judged, { currency: "usd" })).toMatchObject({ judge: "llm", judgeScore: 0.75 });
  });
});

describe("the pieces", () => {
  it("normalize case, compatibility forms, spacing and citation markers", () => {
    expect(normalize("  Twenty-Five\u00a0DAYS [1][T2]  per\tyear ")).toBe("twenty-five days per year");
    expect(containsFact("You get ２５ days [3].", "25 DAYS")).toBe(true);
    expect(containsFact("You get 25 days.", "26 days")).toBe(false);
  });

  it("count each shared token only as often as both hold it, in token F1", () => {
    expect(tokenF1("the the the", "the cat")).toBeCloseTo((2 * (1 / 3) * (1 / 2)) / (1 / 3 + 1 / 2), 10);
    expect(tokenF1("", "anything")).toBe(0);
    expect(tokenF1("same words", "Same, words!")).toBe(1);
    expect(referenceF1Cut).toBe(0.5);
  });

  it("take a citation as supported only when a kept claim check names its marker and sentence", () => {
    const base = {
      kbId: "kb",
      docId: "d1",
      docName: "handbook.md",
      chunkId: "c1",
      quote: "Employees get 25 days.",
      location: { page: null, headingPath: [], charStart: 0, charEnd: 10 },
      score: 0.9,
    } as unknown as Citation;
    const checks: ClaimCheck[] = [
      { sentence: "Employees get 25 days.", refs: ["1"], support: 1, verdict: "supported" },
      { sentence: "They also get a car.", refs: ["2"], support: 0.2, verdict: "unsupported-removed" },
    ];
    const citations: Citation[] = [
      { ...base, ref: "1", claim: "Employees get 25 days." },
      { ...base, ref: "2", claim: "They also get a car." },
      { ...base, ref: "1", claim: "A sentence no check kept." },
      // Recorded before citations named their sentence: any supported check of the marker.
      { ...base, ref: "1" },
    ];
    expect(citationSupport({ citations, checks }).map((c) => c.supported)).toEqual([
      true,
      false,
      false,
      true,
    ]);
  });

  it("match expected sources by document id, or by name ignoring case", () => {
    const c = { docId: "doc42", docName: "Handbook.md" };
    expect(citesExpectedSource(c, [])).toBe(true);
    expect(citesExpectedSource(c, ["doc42"])).toBe(true);
    expect(citesExpectedSource(c, ["handbook.MD"])).toBe(true);
    expect(citesExpectedSource(c, ["DOC42", "other.md"])).toBe(false);
  });

  it("read nearest-rank percentiles", () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
    expect(percentile([1, 2, 3, 4], 100)).toBe(4);
  });

  it("put a confidence of exactly 1 in the last bin and a perfectly calibrated set at 0", () => {
    expect(calibration([{ confidence: 1, correct: true }]).ece).toBe(0);
    const half = [0.5, 0.5, 0.5, 0.5].map((confidence, i) => ({ confidence, correct: i < 2 }));
    expect(calibration(half).ece).toBe(0);
    expect(calibration([{ confidence: 0.9, correct: false }]).ece).toBe(0.9);
  });

  it("diff two runs item by item, and their figures", () => {
    const side = (correct: boolean) => ({ correct, answer: "a", abstained: false, traceId: "t", reason: "" });
    const diff = diffItems(
      new Map([
        ["a", side(true)],
        ["b", side(false)],
        ["c", side(true)],
        ["d", side(true)],
      ]),
      new Map([
        ["a", side(false)],
        ["b", side(true)],
        ["c", side(true)],
        ["e", side(true)],
      ]),
    );
    expect(Object.fromEntries(diff.map((d) => [d.itemId, d.change]))).toEqual({
      a: "worse",
      b: "better",
      c: "same",
      d: "only-base",
      e: "only-other",
    });
    const scored = dataset.map((r) => ({ ...r, score: scoreItem(r.item, r.outcome) }));
    const base = scoreRun(scored, { currency: "usd" });
    const other = scoreRun(scored.slice(0, 4), { currency: "usd" });
    // The first four: items 1, 3 and 4 correct = 0.75; 0.75 − 0.375.
    expect(scoreDeltas(base, other).accuracy).toBe(0.375);
    expect(scoreDeltas(base, other).costMicros).toBe(27 + 31 + 32 + 14 - 199);
  });
});
