/** How a turn merges the question's own search with a follow-up's combined search. */
import { describe, expect, it } from "vitest";
import type { SearchResult } from "../knowledge/search.js";
import { mergeResults } from "./retrieval.js";

const result = (chunkId: string, score: number): SearchResult => ({
  kbId: "kb",
  docId: chunkId.split("#")[0] as string,
  docName: `${chunkId.split("#")[0]}.md`,
  chunkId,
  text: chunkId,
  score,
  vectorScore: score,
  keywordScore: score,
  location: { startOffset: 0, endOffset: 1, headingPath: [] },
});

describe("mergeResults", () => {
  it("keeps the question's own best passages when the combined search scores the previous topic higher", () => {
    const own = [
      result("parking#1", 0.4),
      result("parking#2", 0.3),
      result("parking#3", 0.2),
      result("parking#4", 0.1),
    ];
    const combined = ["a", "b", "c", "d", "e"].map((x, i) => result(`vacation#${x}`, 0.9 - i * 0.05));
    const merged = mergeResults([own, combined]);
    expect(merged).toHaveLength(5);
    expect(merged.map((m) => m.result.chunkId)).toEqual([
      "vacation#a",
      "vacation#b",
      "parking#1",
      "parking#2",
      "parking#3",
    ]);
    expect(merged.find((m) => m.result.chunkId === "parking#1")?.query).toBe(0);
    expect(merged.find((m) => m.result.chunkId === "vacation#a")?.query).toBe(1);
  });

  it("is the plain top five by score without a follow-up, and keeps each chunk's best score once", () => {
    const own = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4].map((s, i) => result(`doc#${i}`, s));
    expect(mergeResults([own]).map((m) => m.result.chunkId)).toEqual([
      "doc#0",
      "doc#1",
      "doc#2",
      "doc#3",
      "doc#4",
    ]);
    const merged = mergeResults([[result("doc#0", 0.3)], [result("doc#0", 0.6), result("doc#9", 0.5)]]);
    expect(merged.map((m) => [m.result.chunkId, m.result.score, m.query])).toEqual([
      ["doc#0", 0.6, 1],
      ["doc#9", 0.5, 1],
    ]);
  });

  it("ranks by the cross-encoder's relevance when one reordered the search, not by the lexical score", () => {
    const reranked = [
      { ...result("doc#low", 0.2), rerankScore: 0.9 },
      { ...result("doc#high", 0.8), rerankScore: 0.4 },
    ];
    expect(mergeResults([reranked]).map((m) => m.result.chunkId)).toEqual(["doc#low", "doc#high"]);
    const followUp = [{ ...result("doc#high", 0.9), rerankScore: 0.95 }];
    expect(mergeResults([reranked, followUp]).map((m) => [m.result.chunkId, m.query])).toEqual([
      ["doc#high", 1],
      ["doc#low", 0],
    ]);
  });
});
