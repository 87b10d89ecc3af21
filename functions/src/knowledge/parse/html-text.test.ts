/** HTML manuals as the chunker needs them: code listings stay code, and named characters are characters. */
import { describe, expect, it } from "vitest";
import { chunkText, defaultChunkOptions } from "../chunk.js";
import { htmlToText } from "./text.js";

describe("htmlToText on manuals", () => {
  it("fences preformatted text, so a # comment or #define in a listing never becomes a heading", () => {
    const html = `<html><body><h2>Building</h2><p>Set the limits first:</p>
      <pre>#  define MAX_DEPTH 64
# the stack grows by MAX_DEPTH frames
make all</pre><p>Then install it.</p></body></html>`;
    const text = htmlToText(html);
    expect(text).toContain(
      "```\n# define MAX_DEPTH 64\n# the stack grows by MAX_DEPTH frames\nmake all\n```",
    );
    const chunks = chunkText(text, { ...defaultChunkOptions, overlapChars: 0 });
    expect(chunks.map((c) => c.location.headingPath)).toEqual([["Building"]]);
    expect(chunks[0]?.text).toContain("Then install it.");
  });

  it("decodes named characters, telling &rArr; from &rarr; by case", () => {
    expect(htmlToText("<p>x &rArr; y, a &rarr; b, &plusmn;1, 2&times;3, &le; 5 &hellip;</p>")).toBe(
      "x ⇒ y, a → b, ±1, 2×3, ≤ 5 …",
    );
    // An unknown name is left as written.
    expect(htmlToText("<p>&notanentity; stays</p>")).toBe("&notanentity; stays");
  });
});
