/** Plain text's own headings: numbered titles and manual-page section names become `#` lines. */
import { describe, expect, it } from "vitest";
import { chunkText, defaultChunkOptions } from "../chunk.js";
import { parseDocument } from "../parse.js";
import { plainTextHeadings } from "./text.js";

const noOverlap = { ...defaultChunkOptions, overlapChars: 0 };

describe("plainTextHeadings", () => {
  it("reads numbered titles, one level per part of the number", () => {
    const text = [
      "1. Introduction",
      "",
      "This guide covers setup.",
      "",
      "2.1 Scope of the guide",
      "",
      "It covers servers only.",
      "",
      "3.4.2. Limits",
      "",
      "At most 64 workers.",
    ].join("\n");
    expect(
      plainTextHeadings(text)
        .split("\n")
        .filter((l) => l.startsWith("#")),
    ).toEqual(["# 1. Introduction", "## 2.1 Scope of the guide", "### 3.4.2. Limits"]);
    const chunks = chunkText(plainTextHeadings(text), noOverlap);
    expect(chunks.map((c) => c.location.headingPath)).toEqual([
      ["1. Introduction"],
      ["1. Introduction", "2.1 Scope of the guide"],
      ["1. Introduction", "2.1 Scope of the guide", "3.4.2. Limits"],
    ]);
  });

  it("reads a manual page's capitalised section names", () => {
    const text = "NAME\n\n    ls - list directory contents\n\nEXIT STATUS\n\n    0 if OK.";
    expect(plainTextHeadings(text)).toBe(
      "# NAME\n\n    ls - list directory contents\n\n# EXIT STATUS\n\n    0 if OK.",
    );
  });

  it("leaves sentences, list items inside paragraphs, short capitals and code alone", () => {
    const unchanged = [
      "1. Install the package first.", // ends like a sentence
      "",
      "2. Then run it, and",
      "3. check the output", // not alone on its lines
      "",
      "42 is the answer to everything that anyone has ever asked about this tool here", // too long
      "",
      "OK", // too short for a section name
      "",
      "```",
      "",
      "2.1 Not A Heading",
      "",
      "```",
      "",
      "# Already a heading",
    ].join("\n");
    expect(plainTextHeadings(unchanged)).toBe(unchanged);
  });

  it("applies to .txt uploads only, never to Markdown (where `1. Item` is a list)", async () => {
    const bytes = new TextEncoder().encode("2.1 Scope\n\nServers only.\n");
    expect((await parseDocument("text", bytes)).text).toBe("## 2.1 Scope\n\nServers only.");
    expect((await parseDocument("markdown", bytes)).text).toBe("2.1 Scope\n\nServers only.");
  });
});
