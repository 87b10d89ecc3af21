/** HTML manuals as the chunker needs them: code listings stay code, and named characters are characters. */
import { describe, expect, it } from "vitest";
import { chunkText, defaultChunkOptions } from "../chunk.js";
import { splitSentences } from "../../platform/text/sentences.js";
import { htmlToText, normalizeMarkdown } from "./text.js";

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

  it("keeps each table row with its column labels, one row a line, so a row quoted alone still says what it is", () => {
    const html = `<h2>Rounding</h2><table><caption>Rounding modes</caption>
      <tr><th>Property</th><th>Value</th><th>Description</th></tr>
      <tr><td><b>ROUND_UP</b></td><td class='centre'>0</td>
        <td>Rounds away from zero.<br />Also for negatives.</td></tr>
      <tr><td>ROUND_FLOOR<td>3<td>Rounds towards &minus;Infinity.</tr>
    </table><p>See also the config.</p>`;
    const text = htmlToText(html);
    expect(text).toContain(
      [
        "Rounding modes",
        "- Property: ROUND_UP; Value: 0; Description: Rounds away from zero. Also for negatives.",
        "- Property: ROUND_FLOOR; Value: 3; Description: Rounds towards −Infinity.",
      ].join("\n"),
    );
    const chunks = chunkText(text, { ...defaultChunkOptions, overlapChars: 0 });
    expect(chunks[0]?.text).toContain("Property: ROUND_FLOOR; Value: 3");
  });

  it("joins the cells of a table without a header row, and leaves nested tables to the plain rules", () => {
    expect(htmlToText("<table><tr><td>a</td><td>1</td></tr><tr><td></td><td>2</td></tr></table>")).toBe(
      "- a; 1\n- 2",
    );
    const nested = htmlToText(
      "<table><tr><td><table><tr><td>x</td></tr></table></td><td>y</td></tr></table>",
    );
    expect(nested).toContain("x");
    expect(nested).toContain("y");
  });

  it("keeps a definition with its term", () => {
    const html =
      "<dl><dt>maxPayload</dt><dd>The largest message allowed, in bytes.</dd><dt>backlog</dt><dd>The queue length.</dd></dl>";
    expect(htmlToText(html)).toBe(
      "maxPayload: The largest message allowed, in bytes.\n\nbacklog: The queue length.",
    );
  });

  it("reads a Markdown pipe table the same way, leaving code and lone rules alone", () => {
    const markdown = [
      "| Option | Default | Meaning |",
      "| :--- | ---: | --- |",
      "| `depth` | 5 | How deep to parse \\| nest |",
      "| arrayLimit | 20 |  |",
      "",
      "```",
      "| a | b |",
      "| --- | --- |",
      "```",
      "",
      "Title",
      "---",
    ].join("\n");
    expect(normalizeMarkdown(markdown).split("\n")).toEqual([
      "- Option: `depth`; Default: 5; Meaning: How deep to parse | nest",
      "- Option: arrayLimit; Default: 20",
      "",
      "```",
      "| a | b |",
      "| --- | --- |",
      "```",
      "",
      "## Title",
    ]);
    // Each row is a sentence of its own, so one row can be quoted without the next.
    expect(splitSentences(normalizeMarkdown(markdown))).toContain("Option: arrayLimit; Default: 20");
  });
});
