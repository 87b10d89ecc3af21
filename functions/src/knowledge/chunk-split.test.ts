/** A paragraph too long for one chunk is cut at sentence ends, never inside a dotted name or a version. */
import { describe, expect, it } from "vitest";
import { chunkText, defaultChunkOptions } from "./chunk.js";

const options = { ...defaultChunkOptions, targetChars: 200, maxChars: 400, overlapChars: 80 };

describe("splitting an oversized paragraph", () => {
  it("cuts at sentence ends only, never inside `jwt.sign(…)` or a version number", () => {
    const sentence =
      "Call jwt.sign(payload, secret) with semver 1.2.3 and then verify it with jwt.verify(token). ";
    const paragraph = sentence.repeat(12).trim();
    const chunks = chunkText(paragraph, { ...options, overlapChars: 0 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) {
      expect(c.text.startsWith("Call jwt.sign(payload, secret)")).toBe(true);
      expect(c.text.endsWith("jwt.verify(token).")).toBe(true);
    }
  });
});
