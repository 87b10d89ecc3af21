/**
 * The annotation-reply matcher measured on labelled question pairs (annotation-pairs.json): which pairs it
 * calls the same question at a threshold, precision and recall, the sweep of thresholds, and the split into a
 * tuning half and a held-out half (by a hash of each pair's id, so neither half was chosen by looking at it).
 *
 * Figures: a positive is a pair the matcher calls the same question. Precision = paraphrases matched / pairs
 * matched (1 when nothing matched); recall = paraphrases matched / paraphrases.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { matchQuestion, questionShape } from "../annotations.js";

export const questionPairSchema = z.object({
  id: z.string().min(1).max(20),
  label: z.enum(["paraphrase", "different"]),
  kind: z.string().min(1).max(40),
  a: z.string().min(1).max(500),
  b: z.string().min(1).max(500),
});
export type QuestionPair = z.infer<typeof questionPairSchema>;

const corpusSchema = z
  .object({ description: z.string(), pairs: z.array(questionPairSchema).min(1) })
  .refine((c) => new Set(c.pairs.map((p) => p.id)).size === c.pairs.length, {
    message: "pair ids must be unique",
  });

export async function loadQuestionPairs(file: string): Promise<QuestionPair[]> {
  return corpusSchema.parse(JSON.parse(await readFile(file, "utf8"))).pairs;
}

/** The tuning half (the first byte of the id's SHA-256 is even) and the held-out half (odd). */
export function splitPairs(pairs: readonly QuestionPair[]): {
  tuning: QuestionPair[];
  heldOut: QuestionPair[];
} {
  const even = (p: QuestionPair) => (createHash("sha256").update(p.id).digest()[0] as number) % 2 === 0;
  return { tuning: pairs.filter(even), heldOut: pairs.filter((p) => !even(p)) };
}

export interface MatcherFigures {
  readonly threshold: number;
  readonly paraphrases: number;
  readonly different: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly precision: number;
  readonly recall: number;
  /** The pairs the matcher got wrong, by id. */
  readonly falsePositiveIds: string[];
  readonly missedIds: string[];
}

export function evaluatePairs(pairs: readonly QuestionPair[], threshold: number): MatcherFigures {
  const matched = pairs.filter(
    (p) => matchQuestion(questionShape(p.a), questionShape(p.b), threshold).matches,
  );
  const paraphrases = pairs.filter((p) => p.label === "paraphrase");
  const truePositives = matched.filter((p) => p.label === "paraphrase");
  const falsePositives = matched.filter((p) => p.label === "different");
  return {
    threshold,
    paraphrases: paraphrases.length,
    different: pairs.length - paraphrases.length,
    truePositives: truePositives.length,
    falsePositives: falsePositives.length,
    precision: matched.length === 0 ? 1 : truePositives.length / matched.length,
    recall: paraphrases.length === 0 ? 0 : truePositives.length / paraphrases.length,
    falsePositiveIds: falsePositives.map((p) => p.id),
    missedIds: paraphrases.filter((p) => !matched.includes(p)).map((p) => p.id),
  };
}

/** Thresholds from 0.30 to 1.00 in steps of 0.05. */
export const sweptThresholds = Array.from({ length: 15 }, (_, i) => Math.round((0.3 + i * 0.05) * 100) / 100);

/** The lowest threshold with no false positive on `pairs` (the most recall at perfect precision). */
export function chooseThreshold(pairs: readonly QuestionPair[]): number {
  const clean = sweptThresholds.find((t) => evaluatePairs(pairs, t).falsePositives === 0);
  if (clean === undefined) throw new Error("no threshold keeps the tuning half free of false positives");
  return clean;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatFigures(title: string, f: MatcherFigures): string {
  return (
    `${title}: threshold ${f.threshold.toFixed(2)}, ${f.paraphrases} paraphrases / ${f.different} different; ` +
    `matched ${f.truePositives + f.falsePositives} (${f.falsePositives} false positives); ` +
    `precision ${pct(f.precision)}, recall ${pct(f.recall)}`
  );
}
