import { describe, expect, it } from "vitest";
import { assessAnswer, termWeights } from "./assess.js";
import { evidence } from "./testing/evidence.js";

const leave = evidence(
  "1",
  "handbook.md",
  "Full-time employees accrue 20 paid vacation days per year. Up to 5 unused days carry over into the next year.",
);
const expenses = evidence("2", "expenses.md", "Submit expense reports within 30 days of the purchase date.");

describe("assessAnswer", () => {
  it("gives every sentence its own citation, with its own quote and the claim it supports", () => {
    const a = assessAnswer({
      question: "How many vacation days do I get, and how many carry over?",
      answer:
        "Full-time employees accrue 20 paid vacation days per year. [1] Up to 5 unused days carry over into the next year. [1]",
      evidence: [leave, expenses],
      threshold: 0,
    });
    expect(a.abstained).toBe(false);
    expect(a.citations.map((c) => [c.ref, c.quote, c.claim])).toEqual([
      [
        "1",
        "Full-time employees accrue 20 paid vacation days per year.",
        "Full-time employees accrue 20 paid vacation days per year.",
      ],
      [
        "1",
        "Up to 5 unused days carry over into the next year.",
        "Up to 5 unused days carry over into the next year.",
      ],
    ]);
    expect(a.explanation).toMatch(/^Answered from 1 passage\(s\)/);
  });

  it("abstains when the answer lacks the kind of answer the question asks for, and says so", () => {
    const a = assessAnswer({
      question: "How many days do I have to submit an expense report?",
      answer: "Submit expense reports promptly. [2]",
      evidence: [evidence("2", "expenses.md", "Submit expense reports promptly.")],
      threshold: 0,
    });
    expect(a.checks[0]?.verdict).toBe("supported");
    expect(a.confidence.typeMatch).toBe(0);
    expect(a.abstained).toBe(true);
    expect(a.explanation).toBe(
      "The question asks for a number, and the supported sentences state none, so the agent abstained.",
    );
  });

  it("does not call its evidence weak when it abstains for want of confidence", () => {
    const a = assessAnswer({
      question: "How many vacation days do full-time employees accrue?",
      answer: "Full-time employees accrue 20 paid vacation days per year. [1]",
      evidence: [leave],
      threshold: 1,
    });
    expect(a.abstained).toBe(true);
    expect(a.explanation).toMatch(/^A supported answer was drafted, but its confidence 0\.\d\d/);
    expect(a.explanation).not.toMatch(/covered \d+% of the question/);
  });

  it("counts a term the knowledge bases never mention as known when the evidence offered (a tool's output) holds it", () => {
    const balance = evidence("T1", "Tool get_balance", "The balance of ACC-77 is 1,250.00 EUR.");
    const weights = termWeights([
      {
        entries: 10,
        terms: [
          { term: "balanc", df: 2 },
          { term: "acc", df: 0 },
          { term: "77", df: 0 },
        ],
      },
    ]);
    const a = assessAnswer({
      question: "What is the balance of ACC-77?",
      answer: "The balance of ACC-77 is 1,250.00 EUR. [T1]",
      evidence: [balance],
      threshold: 0,
      termWeights: weights,
    });
    expect(a.confidence.unknown).toBe(0);
    expect(a.abstained).toBe(false);
  });

  it("ranks an answer quoted from the first passage above the same answer quoted from the fifth", () => {
    const filler = [1, 2, 3, 4].map((i) => evidence(`F${i}`, `other-${i}.md`, `Unrelated text number ${i}.`));
    const moved = { ...leave, ref: "5" };
    const first = assessAnswer({
      question: "How many vacation days do full-time employees accrue?",
      answer: "Full-time employees accrue 20 paid vacation days per year. [1]",
      evidence: [leave, ...filler],
      threshold: 0,
    });
    const fifth = assessAnswer({
      question: "How many vacation days do full-time employees accrue?",
      answer: "Full-time employees accrue 20 paid vacation days per year. [5]",
      evidence: [...filler, moved],
      threshold: 0,
    });
    expect(first.confidence.topCited).toBe(1);
    expect(fifth.confidence.topCited).toBe(0.2);
    expect(first.confidence.value).toBeGreaterThan(fifth.confidence.value);
  });

  it("does not rank a tool's output by the calls made before it: the balance read after a lookup is as sure", () => {
    const accounts = evidence("T1", "Tool listAccounts", '[{"id":"acc_1","name":"Everyday account"}]');
    const balance = evidence("T2", "Tool getAccountBalance", '{"accountId":"acc_1","available":"2150.00"}');
    const question = "What is my balance?";
    const answer = "The available balance of account acc_1 is 2150.00 [T2].";
    const direct = assessAnswer({ question, answer, evidence: [balance], threshold: 0.8 });
    const afterLookup = assessAnswer({ question, answer, evidence: [accounts, balance], threshold: 0.8 });
    expect(afterLookup.confidence.topCited).toBe(1);
    expect(afterLookup.confidence.value).toBe(direct.confidence.value);
    expect(afterLookup.abstained).toBe(false);
  });
});
