/**
 * Eval scores, pure: one item's answer against what the item expects, and a run's figures over its items.
 *
 * Per item (`scoreItem`):
 * - a failed turn (model timeout, provider error) is incorrect, and left out of every other figure;
 * - `shouldAbstain`: correct when the agent abstained;
 * - otherwise an abstention is incorrect; an answer is correct when it contains every expected fact
 *   (`normalize`d: case, accents' compatibility forms, spacing and citation markers ignored), or, for an item
 *   without facts, when its token F1 against the reference answer is at least `referenceF1Cut` (0.5: half the
 *   reference's words in an answer not much longer than it; SQuAD's overlap measure, without its article
 *   stripping);
 * - a citation is precise when the trace's claim-support check found its passage supports the sentence it
 *   cites (accountability/assess.ts) and, when the item names expected sources, it cites one of them (by
 *   document id, or by name ignoring case).
 *
 * Per run (`scoreRun`):
 * - accuracy: correct items / items (failed turns count as incorrect);
 * - citation precision: precise citations / citations, over every answer (micro-averaged);
 * - abstention precision and recall, the positive class being "abstained": precision = abstained when it
 *   should / abstained, recall = abstained when it should / should have abstained;
 * - expected calibration error (ECE) over the items the agent answered (not abstained) with a confidence:
 *   the answers are put in 10 equal-width bins by confidence, [0, 0.1), [0.1, 0.2), ... [0.9, 1.0] (the last
 *   one closed), and ECE = Σ over bins of (answers in the bin / answers) × |share correct in the bin − mean
 *   confidence in the bin|. 0 is perfectly calibrated; an agent 90% sure and right half the time scores 0.4;
 * - latency p50 and p95: nearest-rank percentiles of the scored turns' latency (failed turns left out);
 * - tokens and cost: summed over every turn of every item, failed ones included (they were spent).
 */
import type { ClaimCheck, Citation } from "../accountability/schema.js";
import type { ItemContent, ItemScore, ResultCitation, RunScores } from "./schema.js";

/** An item is correct on its reference answer when the answer's token F1 against it reaches this. */
export const referenceF1Cut = 0.5;

/** What a run recorded of one item's answer. */
export interface ItemOutcome {
  /** The scored (last) answer; null when the turn failed. */
  readonly answer: string | null;
  readonly abstained: boolean;
  readonly confidence: number | null;
  readonly citations: readonly Pick<ResultCitation, "docId" | "docName" | "supported">[];
  readonly latencyMs: number | null;
  readonly tokens: { readonly input: number; readonly output: number };
  readonly costMicros: number;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** Citation markers such as `[1]` or `[T2]`, as answers carry them. */
const markers = /\s*\[[^\][\s]{1,12}\]/g;

/** Lower case, compatibility forms folded, citation markers dropped, runs of spaces made one. */
export function normalize(text: string): string {
  return text.normalize("NFKC").replace(markers, "").toLowerCase().replace(/\s+/g, " ").trim();
}

export const containsFact = (answer: string, fact: string): boolean =>
  normalize(answer).includes(normalize(fact));

const tokensOf = (text: string): string[] => normalize(text).match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * Token F1 of `answer` against `reference`: precision = shared tokens / the answer's tokens, recall =
 * shared tokens / the reference's tokens (a token shared as often as it appears in both), F1 their harmonic
 * mean; 0 when either is empty.
 */
export function tokenF1(answer: string, reference: string): number {
  const a = tokensOf(answer);
  const r = tokensOf(reference);
  if (a.length === 0 || r.length === 0) return 0;
  const left = new Map<string, number>();
  for (const t of r) left.set(t, (left.get(t) ?? 0) + 1);
  let shared = 0;
  for (const t of a) {
    const n = left.get(t) ?? 0;
    if (n > 0) {
      shared += 1;
      left.set(t, n - 1);
    }
  }
  if (shared === 0) return 0;
  const precision = shared / a.length;
  const recall = shared / r.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * The citations of a trace, each with whether its passage supports the sentence it cites: a claim check
 * that kept the sentence ("supported") and names the citation's marker. Answers recorded before citations
 * named their sentence match any supported check of the marker.
 */
export function citationSupport(trace: {
  readonly citations: readonly Citation[];
  readonly checks: readonly ClaimCheck[];
}): ResultCitation[] {
  return trace.citations.map((c) => ({
    ref: c.ref,
    docId: c.docId,
    docName: c.docName,
    claim: c.claim ?? null,
    quote: c.quote,
    supported: trace.checks.some(
      (k) =>
        k.verdict === "supported" &&
        k.refs.includes(c.ref) &&
        (c.claim === undefined || k.sentence === c.claim),
    ),
  }));
}

/** Whether a citation names one of the expected sources (any, when none are expected). */
export function citesExpectedSource(
  citation: Pick<ResultCitation, "docId" | "docName">,
  expected: readonly string[],
): boolean {
  if (expected.length === 0) return true;
  const name = citation.docName.trim().toLowerCase();
  return expected.some((s) => s.trim() === citation.docId || s.trim().toLowerCase() === name);
}

const quoted = (facts: readonly string[]): string => facts.map((f) => `"${f}"`).join(", ");

/** One item's score (see the module comment). */
export function scoreItem(item: ItemContent, outcome: ItemOutcome): ItemScore {
  if (outcome.error) {
    return {
      correct: false,
      method: "error",
      missingFacts: [...item.expectedFacts],
      f1: null,
      citations: 0,
      preciseCitations: 0,
      reason: `The turn failed (${outcome.error.code}): ${outcome.error.message}`,
    };
  }
  const citations = outcome.citations.length;
  const preciseCitations = outcome.citations.filter(
    (c) => c.supported && citesExpectedSource(c, item.expectedSources),
  ).length;
  const base = { citations, preciseCitations, f1: null };
  if (item.shouldAbstain) {
    return {
      ...base,
      correct: outcome.abstained,
      method: "abstention",
      missingFacts: [],
      reason: outcome.abstained
        ? "The agent abstained, as the item expects."
        : "The agent answered; the item expects it to abstain.",
    };
  }
  const method = item.expectedFacts.length > 0 ? "facts" : "reference";
  if (outcome.abstained || outcome.answer === null) {
    return {
      ...base,
      correct: false,
      method,
      missingFacts: [...item.expectedFacts],
      reason: "The agent abstained; the item expects an answer.",
    };
  }
  const answer = outcome.answer;
  if (method === "facts") {
    const missing = item.expectedFacts.filter((f) => !containsFact(answer, f));
    return {
      ...base,
      correct: missing.length === 0,
      method,
      missingFacts: missing,
      reason:
        missing.length === 0
          ? `The answer states every expected fact (${item.expectedFacts.length}).`
          : `The answer misses ${missing.length} of ${item.expectedFacts.length} expected fact(s): ${quoted(missing)}.`,
    };
  }
  const f1 = Math.round(tokenF1(answer, item.referenceAnswer ?? "") * 1000) / 1000;
  return {
    ...base,
    correct: f1 >= referenceF1Cut,
    method,
    missingFacts: [],
    f1,
    reason: `Token F1 against the reference answer is ${f1.toFixed(3)} (correct from ${referenceF1Cut}).`,
  };
}

/** Nearest-rank percentile `p` (0..100) of ascending `sorted`; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

/** ECE over (confidence, correct) points, with the 10 bins it was computed from (see the module comment). */
export function calibration(points: readonly { confidence: number; correct: boolean }[]): {
  ece: number | null;
  bins: RunScores["calibration"];
} {
  const bins = Array.from({ length: 10 }, (_, i) => ({
    lower: i / 10,
    upper: (i + 1) / 10,
    n: 0,
    right: 0,
    sum: 0,
  }));
  for (const p of points) {
    const bin = bins[Math.min(9, Math.max(0, Math.floor(p.confidence * 10)))] as (typeof bins)[number];
    bin.n += 1;
    bin.sum += p.confidence;
    if (p.correct) bin.right += 1;
  }
  const total = points.length;
  let ece = 0;
  for (const b of bins) if (b.n > 0) ece += (b.n / total) * Math.abs(b.right / b.n - b.sum / b.n);
  return {
    ece: total === 0 ? null : round4(ece),
    bins: bins.map((b) => ({
      lower: b.lower,
      upper: b.upper,
      count: b.n,
      accuracy: b.n === 0 ? null : round4(b.right / b.n),
      confidence: b.n === 0 ? null : round4(b.sum / b.n),
    })),
  };
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;
const ratio = (a: number, b: number): number | null => (b === 0 ? null : round4(a / b));

/** A scored item of a run. */
export interface ScoredItem {
  readonly item: Pick<ItemContent, "shouldAbstain">;
  readonly outcome: ItemOutcome;
  readonly score: ItemScore;
  /** The LLM judge's score (0..1), when a model judged the answer. */
  readonly judgeScore?: number | null;
}

/** A run's figures over its scored items (see the module comment). */
export function scoreRun(items: readonly ScoredItem[], options: { currency: string }): RunScores {
  const ran = items.filter((i) => i.outcome.error === null);
  const correct = items.filter((i) => i.score.correct).length;
  const citations = ran.reduce((n, i) => n + i.score.citations, 0);
  const preciseCitations = ran.reduce((n, i) => n + i.score.preciseCitations, 0);
  const tp = ran.filter((i) => i.outcome.abstained && i.item.shouldAbstain).length;
  const fp = ran.filter((i) => i.outcome.abstained && !i.item.shouldAbstain).length;
  const fn = ran.filter((i) => !i.outcome.abstained && i.item.shouldAbstain).length;
  const { ece, bins } = calibration(
    ran
      .filter((i) => !i.outcome.abstained && i.outcome.confidence !== null)
      .map((i) => ({ confidence: i.outcome.confidence as number, correct: i.score.correct })),
  );
  const latencies = ran
    .map((i) => i.outcome.latencyMs)
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  const judged = items.map((i) => i.judgeScore).filter((s): s is number => typeof s === "number");
  return {
    items: items.length,
    errors: items.length - ran.length,
    correct,
    accuracy: ratio(correct, items.length),
    citations,
    preciseCitations,
    citationPrecision: ratio(preciseCitations, citations),
    abstention: {
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      precision: ratio(tp, tp + fp),
      recall: ratio(tp, tp + fn),
    },
    ece,
    calibration: bins,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    tokens: {
      input: items.reduce((n, i) => n + i.outcome.tokens.input, 0),
      output: items.reduce((n, i) => n + i.outcome.tokens.output, 0),
    },
    costMicros: items.reduce((n, i) => n + i.outcome.costMicros, 0),
    currency: options.currency,
    judge: judged.length > 0 ? "llm" : "rules",
    judgeScore: judged.length > 0 ? round4(judged.reduce((a, b) => a + b, 0) / judged.length) : null,
  };
}

// ---------------------------------------------------------------------------------------------------
// Comparing two runs
// ---------------------------------------------------------------------------------------------------

export type ItemChange = "better" | "worse" | "same" | "only-base" | "only-other";

/** One item's side in a comparison. */
export interface ComparedSide {
  readonly correct: boolean;
  readonly answer: string | null;
  readonly abstained: boolean;
  readonly traceId: string | null;
  readonly reason: string;
}

/**
 * Per item: `better` when the other run got right what the base run got wrong, `worse` the reverse, `same`
 * when both agree; items only one run holds are marked so (a dataset edited between the runs).
 */
export function diffItems(
  base: ReadonlyMap<string, ComparedSide>,
  other: ReadonlyMap<string, ComparedSide>,
): { itemId: string; change: ItemChange; base: ComparedSide | null; other: ComparedSide | null }[] {
  const ids = [...new Set([...base.keys(), ...other.keys()])];
  return ids.map((itemId) => {
    const a = base.get(itemId) ?? null;
    const b = other.get(itemId) ?? null;
    const change: ItemChange = !a
      ? "only-other"
      : !b
        ? "only-base"
        : a.correct === b.correct
          ? "same"
          : b.correct
            ? "better"
            : "worse";
    return { itemId, change, base: a, other: b };
  });
}

const delta = (a: number | null, b: number | null): number | null =>
  a === null || b === null ? null : round4(b - a);

/** How the other run's figures differ from the base's (other − base); null where either has none. */
export function scoreDeltas(base: RunScores, other: RunScores) {
  return {
    accuracy: delta(base.accuracy, other.accuracy),
    citationPrecision: delta(base.citationPrecision, other.citationPrecision),
    abstentionPrecision: delta(base.abstention.precision, other.abstention.precision),
    abstentionRecall: delta(base.abstention.recall, other.abstention.recall),
    ece: delta(base.ece, other.ece),
    latencyP50Ms: delta(base.latencyMs.p50, other.latencyMs.p50),
    latencyP95Ms: delta(base.latencyMs.p95, other.latencyMs.p95),
    tokens: other.tokens.input + other.tokens.output - (base.tokens.input + base.tokens.output),
    costMicros: other.costMicros - base.costMicros,
  };
}
export type ScoreDeltas = ReturnType<typeof scoreDeltas>;
