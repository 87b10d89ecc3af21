/**
 * The annotation-reply matcher (annotations.ts `matchQuestion`) on labelled question pairs
 * (testing/annotation-pairs.json), split by a hash of each pair's id into a tuning half and a held-out half:
 * - the threshold is chosen on the tuning half alone (the lowest with no false positive), and must be the one the
 *   code serves with (`annotationReplyThreshold`): its figures are IN-SAMPLE;
 * - the held-out half is measured at that threshold: OUT-OF-SAMPLE. The bar is no false positive there (a wrong
 *   annotation reply answers another question); its recall is printed, not asserted.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { annotationReplyThreshold, matchQuestion, normalizeQuestion, questionShape } from "./annotations.js";
import {
  chooseThreshold,
  evaluatePairs,
  formatFigures,
  loadQuestionPairs,
  splitPairs,
  sweptThresholds,
} from "./testing/annotation-eval.js";

const pairsFile = fileURLToPath(new URL("./testing/annotation-pairs.json", import.meta.url));

describe("the annotation-reply matcher", () => {
  it("normalizes case, punctuation and spaces", () => {
    expect(normalizeQuestion("  What's the DEADLINE —  for expense-claims?? ")).toEqual([
      "what",
      "s",
      "the",
      "deadline",
      "for",
      "expense",
      "claims",
    ]);
    expect(normalizeQuestion("?!")).toEqual([]);
  });

  it("matches only the same question: never another number, negation, entity or argument order", () => {
    const same = (a: string, b: string) => matchQuestion(questionShape(a), questionShape(b)).matches;
    expect(
      same(
        "How many vacation days do full-time employees get?",
        "hi, how many vacation days do full time employees get",
      ),
    ).toBe(true);
    // Only filler differs, but too much of it for so short a question.
    expect(same("How many vacation days do I get?", "hi, how many vacation days do I get please")).toBe(
      false,
    );
    expect(same("Can I carry over 5 days?", "Can I carry over 6 days?")).toBe(false);
    expect(same("Is parking free?", "Is parking not free?")).toBe(false);
    expect(
      same("How do I move money from savings to checking?", "How do I move money from checking to savings?"),
    ).toBe(false);
    expect(same("?!", "...")).toBe(false);
    expect(matchQuestion(questionShape("Parking?"), questionShape("parking")).similarity).toBe(1);
  });

  it("serves at the threshold chosen on the tuning half, with no false positive on the held-out half", async () => {
    const pairs = await loadQuestionPairs(pairsFile);
    const { tuning, heldOut } = splitPairs(pairs);
    expect(tuning.length).toBeGreaterThanOrEqual(60);
    expect(heldOut.length).toBeGreaterThanOrEqual(60);
    for (const half of [tuning, heldOut]) {
      expect(half.filter((p) => p.label === "paraphrase").length).toBeGreaterThanOrEqual(25);
      expect(half.filter((p) => p.label === "different").length).toBeGreaterThanOrEqual(25);
    }
    const chosen = chooseThreshold(tuning);
    const lines = ["Annotation-reply matcher: threshold sweep on the tuning half (IN-SAMPLE)"];
    for (const t of sweptThresholds) {
      const f = evaluatePairs(tuning, t);
      lines.push(
        `  ${t.toFixed(2)}  precision ${(f.precision * 100).toFixed(1)}%  recall ${(f.recall * 100).toFixed(1)}%  false positives ${f.falsePositives}`,
      );
    }
    const inSample = evaluatePairs(tuning, chosen);
    const outOfSample = evaluatePairs(heldOut, chosen);
    lines.push(formatFigures("Tuning half (IN-SAMPLE)", inSample));
    lines.push(formatFigures("Held-out half (OUT-OF-SAMPLE)", outOfSample));
    lines.push(`  held-out misses: ${outOfSample.missedIds.join(", ") || "none"}`);
    console.log(`\n${lines.join("\n")}`);
    expect(chosen).toBe(annotationReplyThreshold);
    expect(outOfSample.falsePositiveIds).toEqual([]);
    expect(inSample.falsePositives).toBe(0);
    // It must still do its job: a matcher that never matches would pass the bar.
    expect(inSample.recall).toBeGreaterThan(0.25);
  });
});
