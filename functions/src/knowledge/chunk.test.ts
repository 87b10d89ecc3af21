import { describe, expect, it } from "vitest";
import { chunkDocument, chunkText, defaultChunkOptions, type ChunkOptions, type TextChunk } from "./chunk.js";
import { parseDocument, type ParsedDocument } from "./parse.js";
import { chunkLocationSchema } from "./schema.js";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const noOverlap: ChunkOptions = { ...defaultChunkOptions, overlapChars: 0 };

/** A document laid out as a PDF parse returns it: pages of paragraphs, page numbers from 1. */
function pdfLike(pages: readonly (readonly string[])[]): ParsedDocument {
  let text = "";
  const spans: { page: number; startOffset: number; endOffset: number }[] = [];
  pages.forEach((paragraphs, i) => {
    if (text) text += "\n\n";
    const body = paragraphs.join("\n\n");
    spans.push({ page: i + 1, startOffset: text.length, endOffset: text.length + body.length });
    text += body;
  });
  return { text, pages: spans };
}

function expectValidLocations(chunks: readonly TextChunk[]): void {
  for (const c of chunks) {
    expect(chunkLocationSchema.strict().parse(c.location)).toEqual(c.location);
    // Firestore refuses undefined fields: optional ones are absent, not undefined.
    expect(Object.values(c.location)).not.toContain(undefined);
  }
}

describe("chunkText (prose)", () => {
  const handbook = [
    "# Employee Handbook",
    "Welcome to Acme. This handbook explains how we work.",
    "## Vacation",
    "Full-time employees receive 25 vacation days per calendar year.",
    "Unused days carry over until March 31 of the following year.",
    "## Sick leave",
    "Report sick to your manager before 9:00 on the first day.",
  ].join("\n\n");

  it("keeps the heading path of each section and never mixes sections", () => {
    const chunks = chunkText(handbook, noOverlap);
    expect(chunks.map((c) => c.location.headingPath)).toEqual([
      ["Employee Handbook"],
      ["Employee Handbook", "Vacation"],
      ["Employee Handbook", "Sick leave"],
    ]);
    expect(chunks[1]?.text).toBe(
      "Employee Handbook > Vacation\n\nFull-time employees receive 25 vacation days per calendar year.\n\n" +
        "Unused days carry over until March 31 of the following year.",
    );
    const vacation = chunks[1]?.location;
    expect(handbook.slice(vacation?.startOffset, vacation?.endOffset)).toBe(
      "Full-time employees receive 25 vacation days per calendar year.\n\n" +
        "Unused days carry over until March 31 of the following year.",
    );
    expectValidLocations(chunks);
  });

  it("does not take a # comment inside fenced code for a heading", () => {
    const md = [
      "# Deploying",
      "Run the script from the repository root:",
      "```sh\n# install dependencies first\nnpm ci\n\n# then deploy\nnpm run deploy\n```",
      "The deploy takes about five minutes.",
    ].join("\n\n");
    const chunks = chunkText(md, noOverlap);
    expect(chunks.map((c) => c.location.headingPath)).toEqual([["Deploying"]]);
    expect(chunks[0]?.text).toContain("# then deploy\nnpm run deploy");
  });

  it("does not take an indented # line (code, a comment in a listing) for a heading", () => {
    const md = [
      "# Building",
      "Configure the build with these defines:",
      "    #  define MAX_DEPTH 64\n    # comment: keep this in sync",
      "Then run make.",
    ].join("\n\n");
    const chunks = chunkText(md, noOverlap);
    expect(chunks.map((c) => c.location.headingPath)).toEqual([["Building"]]);
    expect(chunks[0]?.text).toContain("#  define MAX_DEPTH 64");
    // Up to three spaces is still a heading, as in Markdown.
    expect(chunkText("   ## Options\n\nThe options.", noOverlap)[0]?.location.headingPath).toEqual([
      "Options",
    ]);
  });

  it("repeats the configured overlap from the previous chunk of the same section, and none when it is 0", () => {
    const paragraphs = [
      "Expense claims are filed in the finance portal within thirty days of the purchase.",
      "Claims above five hundred euros need a second approval from the department head.",
      "Approved claims are paid with the next monthly salary run.",
    ];
    const text = paragraphs.join("\n\n");
    const options = { targetChars: 60, maxChars: 400 };
    const plain = chunkText(text, { ...options, overlapChars: 0 });
    expect(plain.map((c) => c.text)).toEqual(paragraphs);

    const overlapped = chunkText(text, { ...options, overlapChars: 40 });
    expect(overlapped).toHaveLength(3);
    // The tail of the previous chunk, starting at a word, no longer than overlapChars.
    expect(overlapped[1]?.text).toBe(`within thirty days of the purchase.\n\n${paragraphs[1]}`);
    expect(overlapped[1]?.location.startOffset).toBeLessThan(plain[1]?.location.startOffset ?? 0);
    expect(overlapped[1]?.location.endOffset).toBe(plain[1]?.location.endOffset);
  });
});

describe("chunkDocument: PDF pages", () => {
  const doc = pdfLike([
    ["Travel requests must be approved by your manager before anything is booked."],
    [
      "Economy class is required for flights shorter than six hours.",
      "Business class may be booked for longer flights with approval.",
    ],
    ["Receipts must be submitted within 30 days of returning from a trip."],
  ]);

  it("gives each chunk the page where its own text starts, and pageEnd when it runs onto a later page", () => {
    const chunks = chunkDocument(doc, { targetChars: 100, maxChars: 400, overlapChars: 60 });
    const summary = chunks.map((c) => [c.location.page, c.location.pageEnd]);
    expect(summary).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(chunks[0]?.text).toContain("Economy class");
    // The second chunk opens with overlap from page 2, yet its page is where its new content begins.
    expect(chunks[1]?.text.startsWith("Business class")).toBe(false);
    expectValidLocations(chunks);
  });

  it("keeps pages on single-page chunks without a pageEnd", () => {
    const chunks = chunkDocument(doc, { targetChars: 10, maxChars: 400, overlapChars: 0 });
    expect(chunks.map((c) => c.location.page)).toEqual([1, 2, 2, 3]);
    expect(chunks.every((c) => c.location.pageEnd === undefined)).toBe(true);
  });

  it("gives no page to documents that have none", () => {
    const [chunk] = chunkDocument({ text: "Just a note." });
    expect(chunk?.location).toEqual({ startOffset: 0, endOffset: 12, headingPath: [] });
  });
});

describe("chunkDocument: records", () => {
  const customers = [
    "name,plan,seats,renewal",
    ...Array.from(
      { length: 40 },
      (_, i) => `Customer ${i + 1},${i % 3 === 0 ? "Pro" : "Team"},${i + 2},2026-0${(i % 9) + 1}-15`,
    ),
  ].join("\n");

  it("groups whole records into chunks and never splits one", async () => {
    const doc = await parseDocument("csv", utf8(customers));
    const chunks = chunkDocument(doc, { targetChars: 200, maxChars: 300, overlapChars: 150 });
    expect(chunks.length).toBeGreaterThan(5);
    const records = (doc.records ?? []).map((r) => doc.text.slice(r.startOffset, r.endOffset));
    // Every line of every chunk is one whole record, each record appears exactly once, in order.
    expect(chunks.flatMap((c) => c.text.split("\n"))).toEqual(records);
    for (const c of chunks) {
      const lines = c.text.split("\n");
      expect(c.location.row).toBe(Number(/Customer (\d+)/.exec(lines[0] ?? "")?.[1]) + 1);
      const lastRow = Number(/Customer (\d+)/.exec(lines[lines.length - 1] ?? "")?.[1]) + 1;
      expect(c.location.rowEnd ?? c.location.row).toBe(lastRow);
      expect(c.text.length).toBeLessThanOrEqual(300);
    }
    expect(chunks[0]?.text.split("\n")[0]).toBe("name: Customer 1; plan: Pro; seats: 2; renewal: 2026-01-15");
    expect(chunks[0]?.location).toMatchObject({ row: 2, headingPath: [] });
    expectValidLocations(chunks);
  });

  it("splits a giant record between fields, keeping its row and who it is about", async () => {
    const notes = Array.from({ length: 12 }, (_, i) => `note${i + 1}`);
    const header = ["name", ...notes].join(",");
    const row = [
      "Globex",
      ...notes.map((n) => `${n} says the account prefers quarterly invoices and email contact only`),
    ].join(",");
    const doc = await parseDocument("csv", utf8(`${header}\nInitech,short\n${row}\nHooli,brief\n`));
    const chunks = chunkDocument(doc, { targetChars: 300, maxChars: 400, overlapChars: 0 });
    const giant = chunks.filter((c) => c.location.row === 3);
    expect(giant.length).toBeGreaterThan(2);
    for (const [i, part] of giant.entries()) {
      expect(part.text.length).toBeLessThanOrEqual(400);
      expect(part.location.rowEnd).toBeUndefined();
      const body = doc.text.slice(part.location.startOffset, part.location.endOffset);
      // Cut at field boundaries: each part is whole `key: value` fields.
      expect(body.split("; ").every((f) => /^(name|note\d+): /.test(f))).toBe(true);
      expect(part.text.startsWith(i === 0 ? "name: Globex; " : "name: Globex (continued)\n")).toBe(true);
    }
    const rebuilt = giant.map((p) => doc.text.slice(p.location.startOffset, p.location.endOffset)).join("; ");
    expect(rebuilt).toBe(doc.text.split("\n")[1]);
    expect(chunks.find((c) => c.text.includes("Hooli"))?.location.row).toBe(4);
  });

  it("cuts a single field longer than a chunk between words", () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(" ");
    const text = `id: 7; body: ${words}`;
    const chunks = chunkDocument(
      { text, records: [{ row: 7, startOffset: 0, endOffset: text.length }] },
      { targetChars: 100, maxChars: 150, overlapChars: 0 },
    );
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(150);
      expect(c.location.row).toBe(7);
      // Each part ends where a word ends.
      expect([undefined, " "]).toContain(text[c.location.endOffset]);
    }
    const bodies = chunks.map((c) => text.slice(c.location.startOffset, c.location.endOffset));
    expect(bodies.join(" ").replace("id: 7; ", "id: 7 ").split(/[ ;]+/).filter(Boolean)).toEqual(
      text.split(/[ ;]+/).filter(Boolean),
    );
  });
});
