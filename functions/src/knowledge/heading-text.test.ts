/** Headings as a reader sees them: README badges, links and inline HTML never become heading text. */
import { describe, expect, it } from "vitest";
import { chunkText, defaultChunkOptions, readableHeading } from "./chunk.js";

describe("readableHeading", () => {
  it("drops badge images, keeps link text, drops inline HTML", () => {
    expect(readableHeading("qs <sup>[![Version Badge][npm-version-svg]][package-url]</sup>")).toBe("qs");
    expect(
      readableHeading(
        "uuid [![CI](https://github.com/x/y/workflows/CI/badge.svg)](https://github.com/x/y/actions) [![npm](https://img.shields.io/npm/v/uuid)](https://npm.im/uuid)",
      ),
    ).toBe("uuid");
    expect(readableHeading("See [the options](#options) <em>first</em>")).toBe("See the options first");
    expect(readableHeading("Plain `code()` title")).toBe("Plain `code()` title");
  });

  it("gives every chunk under a badge title the clean heading path", () => {
    const text =
      "# cookie [![NPM Version][npm-version-image]][npm-url]\n\nBasic HTTP cookie parser.\n\n## API\n\nParse it.";
    const chunks = chunkText(text, { ...defaultChunkOptions, overlapChars: 0 });
    expect(chunks.map((c) => c.location.headingPath)).toEqual([["cookie"], ["cookie", "API"]]);
    expect(chunks[1]?.text.startsWith("cookie > API\n\n")).toBe(true);
  });
});
