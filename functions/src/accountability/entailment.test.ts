/** Claims that share the words of their source and still say something else. */
import { describe, expect, it } from "vitest";
import { entailmentFailure } from "./entailment.js";
import { assessAnswer } from "./assess.js";
import { evidence } from "./testing/evidence.js";

describe("entailmentFailure", () => {
  it("passes a sentence quoted verbatim, and numbers written with or without separators", () => {
    const s = "Full-time employees receive 25 vacation days per calendar year.";
    expect(entailmentFailure(s, s)).toBeNull();
    expect(
      entailmentFailure("qs parses up to 1000 parameters.", "qs will only parse up to 1,000 parameters."),
    ).toBeNull();
    expect(
      entailmentFailure("Refunds are not possible after 30 days.", "Refunds aren't possible after 30 days."),
    ).toBeNull();
  });

  it("fails a changed number, a flipped negation and a swapped bound", () => {
    const source = "Full-time employees receive 25 vacation days per calendar year.";
    expect(entailmentFailure("Full-time employees receive 30 vacation days per calendar year.", source)).toBe(
      "states 30, which the source does not",
    );
    expect(
      entailmentFailure(
        "Refunds are not available for digital goods.",
        "Refunds are available for digital goods.",
      ),
    ).toBe("negates what the source states");
    expect(
      entailmentFailure(
        "Refunds are available for digital goods.",
        "Refunds are never available for digital goods.",
      ),
    ).toBe("states what the source negates");
    expect(
      entailmentFailure("You may carry over at least 5 days.", "You may carry over at most 5 days."),
    ).toBe("states a lower bound the source does not");
    expect(entailmentFailure("Claims are paid before the audit.", "Claims are paid after the audit.")).toBe(
      "states before the source does not",
    );
  });
});

describe("assessAnswer with a claim its source contradicts", () => {
  const passages = [
    evidence(
      "1",
      "handbook.md",
      "Vacation\n\nFull-time employees receive 25 vacation days per calendar year. Unused days expire in March.",
    ),
  ];

  it("removes the sentence, says why in its check, and abstains when nothing else is left", () => {
    const result = assessAnswer({
      question: "How many vacation days do full-time employees get?",
      answer: "Full-time employees receive 30 vacation days per calendar year [1].",
      evidence: passages,
      threshold: 0.5,
    });
    expect(result.checks).toEqual([
      expect.objectContaining({
        verdict: "unsupported-removed",
        reason: "The sentence states 30, which the source does not.",
      }),
    ]);
    expect(result.abstained).toBe(true);
    expect(result.citations).toEqual([]);
  });

  it("keeps the faithful sentence of a mixed answer", () => {
    const result = assessAnswer({
      question: "How many vacation days do full-time employees get?",
      answer:
        "Full-time employees receive 25 vacation days per calendar year [1]. Unused days never expire [1].",
      evidence: passages,
      threshold: 0,
    });
    expect(result.checks.map((c) => c.verdict)).toEqual(["supported", "unsupported-removed"]);
    expect(result.checks[1]?.reason).toBe("The sentence negates what the source states.");
  });
});
