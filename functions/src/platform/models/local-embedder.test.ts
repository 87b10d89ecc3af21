import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { localHashEmbedder } from "./local-embedder.js";
import { stem, tokenize } from "../text/analyzer.js";

const norm = (v: readonly number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const cosine = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

describe("tokenize", () => {
  it("lowercases, drops stop words and stems English suffixes", () => {
    expect(tokenize("How many vacation days do employees get?")).toEqual(["vacation", "day", "employe"]);
    expect(tokenize("Expenses were reimbursed after submitting the reports.")).toEqual([
      "expens",
      "reimburs",
      "submit",
      "report",
    ]);
  });

  it("keeps numbers whole and folds thousands separators and Latin accents", () => {
    expect(tokenize("Version 3.5 costs 1,000 euros at the café")).toEqual([
      "version",
      "3.5",
      "cost",
      "1000",
      "euro",
      "cafe",
    ]);
  });

  it("handles non-Latin scripts: words stay whole, CJK characters become terms", () => {
    expect(tokenize("Отпуск сотрудников")).toEqual(["отпуск", "сотрудников"]);
    expect(tokenize("年間休暇")).toEqual(["年", "間", "休", "暇"]);
  });

  it("stems related forms to one term", () => {
    expect(new Set(["expense", "expenses", "expensed"].map(stem))).toEqual(new Set(["expens"]));
    expect(new Set(["policy", "policies"].map(stem))).toEqual(new Set(["policy"]));
    expect(new Set(["submit", "submitted", "submitting", "submits"].map(stem))).toEqual(new Set(["submit"]));
  });
});

describe("localHashEmbedder", () => {
  it("describes itself as a lexical embedder, not a neural model", () => {
    expect(localHashEmbedder(256).info).toEqual({
      provider: "local-hash",
      model: "alchemist-hash-v1",
      dimensions: 256,
      version: "1",
      label: "Built-in local embedder (lexical feature hashing, not a neural model)",
    });
  });

  it("gives the same vector for the same text, every time and in any batch", async () => {
    const embedder = localHashEmbedder(128);
    const text = "Full-time employees accrue 20 paid vacation days per calendar year.";
    const [a] = await embedder.embed([text]);
    const [, b] = await localHashEmbedder(128).embed(["something else first", text]);
    expect(a).toEqual(b);
    // Pinned values: if these change, stored vectors no longer match new ones and `info.version` must change.
    expect(a?.slice(0, 5)).toEqual([-0.10929649809428517, 0, 0.1700167748133325, 0, 0.30360138359523664]);
    const fingerprint = (a ?? []).reduce((s, x, i) => s + x * (i + 1), 0);
    expect(fingerprint).toBeCloseTo(-59.973478789650386, 10);
  });

  it("returns unit-length vectors of the configured dimension", async () => {
    for (const dimensions of [8, 256, 1536]) {
      const vectors = await localHashEmbedder(dimensions).embed([
        "Expense reports are due within 30 days.",
        "Vacation",
      ]);
      for (const v of vectors) {
        expect(v).toHaveLength(dimensions);
        expect(norm(v)).toBeCloseTo(1, 10);
      }
    }
  });

  it("places related texts closer than unrelated ones", async () => {
    const [query, vacation, expenses, security] = await localHashEmbedder(256).embed([
      "How many vacation days do I get each year?",
      "Full-time employees accrue 20 paid vacation days per calendar year; unused days carry over.",
      "Expense reports must be submitted within 30 days of purchase, with itemized receipts.",
      "Laptops must use full-disk encryption and lock after five minutes of inactivity.",
    ]);
    if (!query || !vacation || !expenses || !security) throw new Error("missing vectors");
    expect(cosine(query, vacation)).toBeGreaterThan(cosine(query, expenses) + 0.1);
    expect(cosine(query, vacation)).toBeGreaterThan(cosine(query, security) + 0.1);
  });

  it("matches inflected forms through the stemmer and spelling fragments", async () => {
    const [a, b, c] = await localHashEmbedder(256).embed([
      "submitting expenses",
      "expense submitted",
      "quarterly revenue forecast",
    ]);
    if (!a || !b || !c) throw new Error("missing vectors");
    expect(cosine(a, b)).toBeGreaterThan(0.5);
    expect(cosine(a, c)).toBeLessThan(0.2);
  });

  it("gives texts without terms a fixed unit vector instead of a zero vector", async () => {
    const [empty, stopWords] = await localHashEmbedder(16).embed(["", "the of and to"]);
    expect(empty).toEqual([1, ...new Array<number>(15).fill(0)]);
    expect(stopWords).toEqual(empty);
  });

  it("rejects impossible dimensions", () => {
    expect(() => localHashEmbedder(0)).toThrow(AppError);
    expect(() => localHashEmbedder(4096)).toThrow(AppError);
    expect(() => localHashEmbedder(12.5)).toThrow(AppError);
  });
});
