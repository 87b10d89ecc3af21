/** The lexical reranking (off by default, measured by the retrieval quality suites) and navigation matter. */
import { describe, expect, it } from "vitest";
import { defaultRerankWeights, isNavigation, lexicalRerank } from "./rerank.js";
import type { ChunkLocation } from "./schema.js";

const at = (...headingPath: string[]): ChunkLocation => ({ startOffset: 0, endOffset: 1, headingPath });
const withHeading = (headingPath: string[], body: string): string =>
  headingPath.length > 0 ? `${headingPath.join(" > ")}\n\n${body}` : body;

describe("isNavigation", () => {
  it("recognises contents, licence and link lists, by heading or by text", () => {
    expect(
      isNavigation(withHeading(["ws", "Table of Contents"], "- Installing"), at("ws", "Table of Contents")),
    ).toBe(true);
    expect(isNavigation(withHeading(["debug", "License"], "MIT"), at("debug", "License"))).toBe(true);
    expect(isNavigation("Permission is hereby granted, free of charge, to any person", at())).toBe(true);
    const links = ["- [Install](#install)", "- [Usage](#usage)", "- [API](#api)", "- [FAQ](#faq)"].join("\n");
    expect(isNavigation(withHeading(["Guide"], links), at("Guide"))).toBe(true);
    const leaders = [
      "Introduction ........ 1",
      "Installing ....... 4",
      "Options ........ 9",
      "Index ....... 30",
    ].join("\n");
    expect(isNavigation(leaders, at())).toBe(true);
  });

  it("leaves content alone, even with a link or two", () => {
    const body = [
      "Set `maxPayload` to limit message size.",
      "See [the options](#options) for more.",
      "The default is 100 MiB.",
      "Larger messages close the connection.",
    ].join("\n");
    expect(isNavigation(withHeading(["ws", "Options"], body), at("ws", "Options"))).toBe(false);
  });
});

describe("lexicalRerank", () => {
  const candidate = (id: string, headingPath: string[], body: string, score: number) => ({
    id,
    text: withHeading(headingPath, body),
    location: at(...headingPath),
    score,
  });

  it("prefers the passage holding the query's words side by side, and under a matching heading", () => {
    const scattered = candidate("a", ["Misc"], "The limit applies to each parameter of the request.", 0.8);
    const adjacent = candidate(
      "b",
      ["Parsing"],
      "qs parses up to 1000 parameters; the parameter limit is configurable.",
      0.78,
    );
    const ranked = lexicalRerank("What is the parameter limit?", [scattered, adjacent]);
    expect(ranked.map((r) => r.id)).toEqual(["b", "a"]);
    const byHeading = lexicalRerank("How do I parse dates?", [
      candidate("c", ["Formatting"], "Dates parse and format alike.", 0.7),
      candidate("d", ["Parsing dates"], "Use parse() with a format string.", 0.69),
    ]);
    expect(byHeading[0]?.id).toBe("d");
  });

  it("ranks navigation matter below content with the same words", () => {
    const toc = candidate(
      "toc",
      ["Table of Contents"],
      "- Parameter limit\n- Depth limit\n- Arrays\n- Encoding",
      0.9,
    );
    const content = candidate("body", ["Limits"], "The parameter limit defaults to 1000.", 0.6);
    expect(lexicalRerank("parameter limit", [toc, content]).map((r) => r.id)).toEqual(["body", "toc"]);
  });

  it("only reorders: the same candidates come back, with scores in 0..1, and nothing for an empty query", () => {
    const items = [
      candidate("a", [], "alpha beta", 1),
      candidate("b", [], "gamma", 0),
      candidate("c", [], "beta alpha", 0.5),
    ];
    const ranked = lexicalRerank("alpha beta", items, defaultRerankWeights);
    expect(ranked.map((r) => r.id).sort()).toEqual(["a", "b", "c"]);
    for (const r of ranked) expect(r.score).toBeGreaterThanOrEqual(0);
    for (const r of ranked) expect(r.score).toBeLessThanOrEqual(1);
    expect(lexicalRerank("the of and", items).map((r) => r.id)).toEqual(["a", "b", "c"]);
  });
});
