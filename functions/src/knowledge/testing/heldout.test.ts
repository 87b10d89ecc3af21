import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { detectType, parseDocument } from "../parse.js";
import {
  answerableTypes,
  evidenceOf,
  heldoutSplits,
  heldoutTypes,
  loadHeldout,
  permissiveLicenses,
  pickSplit,
  readHeldoutText,
  type AnswerableHeldoutQuestion,
  type Heldout,
} from "./heldout.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
const heldoutDir = fileURLToPath(new URL("./heldout/", import.meta.url));

const collapse = (s: string): string => s.replace(/\s+/g, " ").trim();

/**
 * Markdown markers, HTML tags and heading hashes: evidence is text as a reader sees it. Placeholders such
 * as `<type>` in a command synopsis are text, so only HTML element names count as tags.
 */
const markup =
  /`|\*\*|<\/?(a|b|br|code|dd|details|div|dl|dt|em|h[1-6]|i|img|li|ol|p|pre|span|strong|summary|sup|table|td|th|tr|ul)\b[^>]*>|(^|\s)#{1,6}\s/i;

let heldout: Heldout;
let answerable: AnswerableHeldoutQuestion[];
/** Parsed text of each uploaded file by name, whitespace collapsed. */
const parsedText = new Map<string, string>();

beforeAll(async () => {
  heldout = await loadHeldout();
  answerable = heldout.questions.filter((q): q is AnswerableHeldoutQuestion => q.answerable);
  for (const file of heldout.files) {
    const detected = detectType(file.name, file.bytes);
    const parsed = await parseDocument(detected.type, file.bytes);
    parsedText.set(file.name, collapse(parsed.text));
  }
}, 60_000);

describe("held-out corpus sources", () => {
  it("has at least 12 documents with unique names, each present, permissively licensed", () => {
    const { sources } = heldout;
    expect(sources.length).toBeGreaterThanOrEqual(12);
    expect(new Set(sources.map((s) => s.ingestAs)).size).toBe(sources.length);
    expect(new Set(sources.map((s) => s.file)).size).toBe(sources.length);
    for (const source of sources) {
      expect(existsSync(`${heldoutDir}${source.file}`), source.file).toBe(true);
      expect(permissiveLicenses, source.file).toContain(source.license);
    }
  });

  it("names each source after its format, and the parser detects that format from the bytes", () => {
    const extension = { markdown: ".md", html: ".html", text: ".txt", pdf: ".pdf" } as const;
    for (const source of heldout.sources) {
      expect(source.ingestAs.endsWith(extension[source.format]), source.ingestAs).toBe(true);
      expect(source.file, source.file).toBe(
        source.format === "pdf" ? `${source.ingestAs}.md` : source.ingestAs,
      );
      const file = heldout.files.find((f) => f.name === source.ingestAs);
      if (!file) throw new Error(`no file for ${source.ingestAs}`);
      expect(detectType(file.name, file.bytes).type, source.ingestAs).toBe(source.format);
    }
  });

  it("keeps the text verbatim: equal to its origin, or a leading part of it when cut", async () => {
    const problems: string[] = [];
    for (const source of heldout.sources) {
      const manifest = `${repoRoot}node_modules/${source.package}/package.json`;
      // Only comparable while the installed package is the version that was copied.
      if (!existsSync(manifest)) continue;
      const installed = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
      if (installed !== source.version) continue;
      const original = readFileSync(`${repoRoot}${source.origin}`, "utf8").replace(/\r\n?/g, "\n");
      const copy = await readHeldoutText(source);
      if (source.cut === null) {
        if (copy !== original) problems.push(`${source.file} differs from ${source.origin}`);
        continue;
      }
      let common = 0;
      while (common < copy.length && copy[common] === original[common]) common++;
      // A cut document may only end with closing tags that were appended to keep it well-formed.
      const tail = copy.slice(common);
      if (common < copy.length / 2 || !/^(\s|<\/[a-z]+>)*$/i.test(tail)) {
        problems.push(`${source.file} is not a leading part of ${source.origin}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("splits by document, about half and half, with formats spread over both halves", () => {
    const tune = heldout.sources.filter((s) => s.split === "tune");
    const test = heldout.sources.filter((s) => s.split === "test");
    expect(Math.abs(tune.length - test.length)).toBeLessThanOrEqual(2);
    const formats = (half: typeof tune) => new Set(half.map((s) => s.format));
    expect(formats(test).has("html") || formats(test).has("pdf")).toBe(true);
    expect(formats(test).has("text")).toBe(true);
    expect(formats(tune).has("markdown") && formats(test).has("markdown")).toBe(true);
  });

  it("renders the PDF source into a real PDF", () => {
    for (const source of heldout.sources.filter((s) => s.format === "pdf")) {
      const file = heldout.files.find((f) => f.name === source.ingestAs);
      expect(Buffer.from(file?.bytes.subarray(0, 5) ?? []).toString("latin1")).toBe("%PDF-");
    }
  });

  it("picks a split: its documents, their files and the questions about them", () => {
    for (const split of heldoutSplits) {
      const half = pickSplit(heldout, split);
      const names = new Set(half.sources.map((s) => s.ingestAs));
      expect(half.sources.every((s) => s.split === split)).toBe(true);
      expect(half.files.map((f) => f.name).sort()).toEqual([...names].sort());
      expect(half.questions.every((q) => names.has(q.document))).toBe(true);
    }
    const sizes = heldoutSplits.map((split) => pickSplit(heldout, split).questions.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(heldout.questions.length);
  });
});

describe("held-out corpus questions", () => {
  it("has at least 160 questions, 36 of them unanswerable, with unique ids and wording", () => {
    const { questions } = heldout;
    expect(questions.length).toBeGreaterThanOrEqual(160);
    expect(questions.filter((q) => !q.answerable).length).toBeGreaterThanOrEqual(36);
    expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
    expect(new Set(questions.map((q) => q.question.toLowerCase())).size).toBe(questions.length);
  });

  it("asks at least 10 questions about every document, one or more unanswerable, and only about corpus documents", () => {
    const names = new Set(heldout.sources.map((s) => s.ingestAs));
    expect(heldout.questions.filter((q) => !names.has(q.document)).map((q) => q.id)).toEqual([]);
    const thin = heldout.sources
      .map((s) => {
        const about = heldout.questions.filter((q) => q.document === s.ingestAs);
        return {
          document: s.ingestAs,
          count: about.length,
          unanswerable: about.filter((q) => !q.answerable).length,
        };
      })
      .filter(({ count, unanswerable }) => count < 10 || unanswerable < 1);
    expect(thin).toEqual([]);
  });

  it("has every question type in both splits", () => {
    for (const split of heldoutSplits) {
      const types = new Set(pickSplit(heldout, split).questions.map((q) => q.type));
      for (const type of heldoutTypes) expect(types, `${split} lacks ${type}`).toContain(type);
    }
  });

  it("gives multi-part questions one required string per fact", () => {
    const problems: string[] = [];
    for (const q of answerable.filter((a) => a.type === "multi-part")) {
      const evidence = evidenceOf(q).map((e) => e.toLowerCase());
      if (evidence.length === 2) {
        const covered = evidence.every((e) => q.mustContain.some((m) => e.includes(m.toLowerCase())));
        if (!covered) problems.push(`${q.id}: a fact without a required string`);
      }
    }
    expect(problems).toEqual([]);
    expect(answerableTypes).toContain("multi-part");
  });

  it("marks evidence that is plain text, an exact substring of the parsed document (whitespace aside)", () => {
    const problems: string[] = [];
    for (const q of answerable) {
      const text = parsedText.get(q.document);
      if (text === undefined) {
        problems.push(`${q.id}: no document ${q.document}`);
        continue;
      }
      for (const evidence of evidenceOf(q)) {
        if (markup.test(evidence)) problems.push(`${q.id}: evidence holds markup: ${evidence}`);
        if (!text.includes(collapse(evidence)))
          problems.push(`${q.id}: evidence not in ${q.document}: ${evidence}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("requires only strings that sit inside the evidence (case-insensitively)", () => {
    const problems: string[] = [];
    for (const q of answerable) {
      const evidence = evidenceOf(q).map((e) => collapse(e).toLowerCase());
      for (const must of q.mustContain) {
        if (!evidence.some((e) => e.includes(collapse(must).toLowerCase()))) {
          problems.push(`${q.id}: "${must}" is not in its evidence`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
