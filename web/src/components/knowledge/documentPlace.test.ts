import { describe, expect, it } from "vitest";
import { documentPlaceOf, documentPlaceUrl, placeInText, quoteSpans } from "./documentPlace";

describe("the address of a place in a document", () => {
  it("carries the version, the offsets, the heading and the page, and reads them back", () => {
    const place = {
      kbId: "kb/1",
      docId: "doc 2",
      version: 3,
      startOffset: 120,
      endOffset: 480,
      heading: "Time off & leave",
      page: 7,
    };
    const url = documentPlaceUrl(place);
    expect(url).toBe(
      "/knowledge/kb%2F1/documents/doc%202?version=3&start=120&end=480&heading=Time+off+%26+leave&page=7",
    );
    expect(documentPlaceOf("kb/1", "doc 2", new URL(url, "http://studio").searchParams)).toEqual(place);
    expect(documentPlaceUrl({ kbId: "kb", docId: "doc" })).toBe("/knowledge/kb/documents/doc");
  });

  it("leaves out what is missing or malformed instead of guessing", () => {
    const read = (query: string) => documentPlaceOf("kb", "doc", new URLSearchParams(query));
    expect(read("version=0&page=-2&start=50&end=10&heading=%20")).toEqual({ kbId: "kb", docId: "doc" });
    expect(read("version=two&start=1e3&end=2000")).toEqual({ kbId: "kb", docId: "doc" });
    expect(read("start=5")).toEqual({ kbId: "kb", docId: "doc" });
  });
});

describe("placeInText", () => {
  const text = "# Handbook\n\n## Vacation\n\n25 days a year.\n\n## Sick leave ##\n\nCall in by 9:00.";

  it("takes the offsets when they fit the text", () => {
    const start = text.indexOf("25 days");
    expect(placeInText(text, { startOffset: start, endOffset: start + 15, heading: "Sick leave" })).toEqual({
      start,
      end: start + 15,
    });
  });

  it("falls back to the heading's line (any level, any case), then to nothing", () => {
    const line = "## Sick leave ##";
    const start = text.indexOf(line);
    expect(placeInText(text, { startOffset: 10, endOffset: 500, heading: "sick LEAVE" })).toEqual({
      start,
      end: start + line.length,
    });
    expect(placeInText(text, { heading: "Parking" })).toBeUndefined();
    expect(placeInText(text, {})).toBeUndefined();
  });
});

describe("quoteSpans", () => {
  const passage =
    "Vacation\n\nFull-time employees receive 25 days.\nPart-time employees receive\nleave pro rata.";

  it("finds each quote, also when the passage wraps it differently", () => {
    const spans = quoteSpans(passage, [
      "Full-time employees receive 25 days.",
      "Part-time employees receive leave pro rata.",
    ]);
    expect(spans.map((s) => passage.slice(s.start, s.end))).toEqual([
      "Full-time employees receive 25 days.",
      "Part-time employees receive\nleave pro rata.",
    ]);
  });

  it("merges overlapping quotes, and skips empty ones and ones the passage does not hold", () => {
    const spans = quoteSpans(passage, [
      "employees receive 25",
      "receive 25 days.",
      "",
      "Nothing like this (at all).",
    ]);
    expect(spans.map((s) => passage.slice(s.start, s.end))).toEqual(["employees receive 25 days."]);
  });
});
