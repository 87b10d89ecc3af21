import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  evidenceUnits,
  loadCorpus,
  loadSources,
  renderPdf,
  renderSource,
  type AnswerableQuestion,
  type CorpusFile,
  type CorpusSource,
  type Question,
} from "./corpus.js";

const collapse = (s: string): string => s.replace(/\s+/g, " ").trim();

function occurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}

async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  const { extractText, getDocumentProxy } = await import("unpdf");
  // pdf.js takes ownership of the buffer it is given, so it gets a copy.
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: false });
  return text.map(collapse);
}

async function docxText(bytes: Uint8Array): Promise<string> {
  const { default: mammoth } = await import("mammoth");
  return collapse((await mammoth.extractRawText({ buffer: Buffer.from(bytes) })).value);
}

let files: CorpusFile[];
let questions: Question[];
let sources: CorpusSource[];
let answerable: AnswerableQuestion[];

beforeAll(async () => {
  ({ files, questions } = await loadCorpus());
  sources = await loadSources();
  answerable = questions.filter((q): q is AnswerableQuestion => q.answerable);
});

afterEach(() => {
  vi.useRealTimers();
});

const fileNamed = (name: string): CorpusFile => {
  const file = files.find((f) => f.name === name);
  if (!file) throw new Error(`no corpus file ${name}`);
  return file;
};

describe("knowledge corpus documents", () => {
  it("delivers one file per document in every supported format", () => {
    expect(files.map((f) => f.name)).toEqual([
      "beacon-product-faq.html",
      "employee-handbook.md",
      "it-onboarding-guide.docx",
      "office-locations.json",
      "price-list.csv",
      "release-notes.txt",
      "security-policy.pdf",
      "travel-expense-policy.pdf",
    ]);
    const head = (name: string): string =>
      Buffer.from(fileNamed(name).bytes.subarray(0, 5)).toString("latin1");
    expect(head("security-policy.pdf")).toBe("%PDF-");
    expect(head("travel-expense-policy.pdf")).toBe("%PDF-");
    expect(head("it-onboarding-guide.docx").slice(0, 2)).toBe("PK");
  });

  it("keeps every document between 600 and 2,500 words", () => {
    const outOfRange = sources
      .map((source) => ({
        document: source.name,
        words: evidenceUnits(source).join(" ").split(/\s+/).length,
      }))
      .filter(({ words }) => words < 600 || words > 2500);
    expect(outOfRange).toEqual([]);
  });

  it("renders PDFs that a PDF parser reads back, one page per marker", async () => {
    const security = await pdfPages(fileNamed("security-policy.pdf").bytes);
    const travel = await pdfPages(fileNamed("travel-expense-policy.pdf").bytes);
    expect(security).toHaveLength(7);
    expect(travel).toHaveLength(6);
    expect(security[1]).toContain("Passwords and authentication");
    expect(security[1]).toContain("Page 2 of 7");
    expect(travel[2]).toContain("Per diems and hotel caps");
  });

  it("continues a PDF on a new page when a page fills up", async () => {
    const handbook = sources.find((s) => s.name === "employee-handbook.md");
    if (!handbook) throw new Error("no handbook");
    const pages = await pdfPages(await renderPdf(handbook.text, handbook.name));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.at(-1)).toContain(
      "Working under the influence of alcohol or drugs is a breach of this code.",
    );
    expect(collapse(pages.join(" "))).toContain(evidenceUnits(handbook)[0]?.slice(0, 400));
  });

  it("renders a DOCX whose headings and bullets a DOCX parser reads back", async () => {
    const text = await docxText(fileNamed("it-onboarding-guide.docx").bytes);
    expect(text.startsWith("IT Onboarding Guide")).toBe(true);
    expect(text).toContain("Northwind Connect is our VPN, built on WireGuard.");
    expect(text).not.toMatch(/(^| )#{1,3} /);
  });

  it("renders the same bytes whatever the clock says", async () => {
    const binary = sources.filter((s) => s.format === "pdf" || s.format === "docx");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2031-07-04T17:45:13Z"));
    const later = await Promise.all(binary.map(renderSource));
    binary.forEach((source, i) => {
      expect(Buffer.from(later[i] as Uint8Array).equals(Buffer.from(fileNamed(source.name).bytes))).toBe(
        true,
      );
    });
  });
});

describe("knowledge corpus questions", () => {
  it("has at least 60 answerable and 20 unanswerable questions with unique ids", () => {
    expect(answerable.length).toBeGreaterThanOrEqual(60);
    expect(questions.filter((q) => !q.answerable).length).toBeGreaterThanOrEqual(20);
    expect(new Set(questions.map((q) => q.id)).size).toBe(questions.length);
    expect(new Set(questions.map((q) => q.question.toLowerCase())).size).toBe(questions.length);
  });

  it("asks at least 5 questions about every document, and only about corpus documents", () => {
    const fewerThanFive = files
      .map((file) => ({
        document: file.name,
        count: answerable.filter((q) => q.document === file.name).length,
      }))
      .filter(({ count }) => count < 5);
    expect(fewerThanFive).toEqual([]);
    const names = new Set(files.map((f) => f.name));
    expect(answerable.filter((q) => !names.has(q.document)).map((q) => q.id)).toEqual([]);
  });

  it("mixes question styles", () => {
    const styles = new Set(questions.map((q) => q.style));
    for (const style of ["keyword", "paraphrase", "conceptual", "record", "page", "near-miss", "off-topic"]) {
      expect(styles).toContain(style);
    }
  });

  it("marks evidence that occurs exactly once in its document and nowhere else in the corpus", () => {
    const problems: string[] = [];
    for (const q of answerable) {
      for (const source of sources) {
        const found = evidenceUnits(source).reduce((n, unit) => n + occurrences(unit, q.evidence), 0);
        const expected = source.name === q.document ? 1 : 0;
        if (found !== expected) problems.push(`${q.id}: found ${found} times in ${source.name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("marks evidence that survives PDF and DOCX parsing, on the page it names", async () => {
    const problems: string[] = [];
    for (const file of files.filter((f) => f.name.endsWith(".pdf"))) {
      const pages = await pdfPages(file.bytes);
      for (const q of answerable.filter((a) => a.document === file.name)) {
        const onPages = pages.flatMap((text, i) => (text.includes(q.evidence) ? [i + 1] : []));
        if (onPages.length !== 1 || (q.page !== undefined && onPages[0] !== q.page)) {
          problems.push(`${q.id}: evidence on pages [${onPages.join(", ")}], question says ${q.page}`);
        }
      }
    }
    const docx = files.filter((f) => f.name.endsWith(".docx"));
    for (const file of docx) {
      const text = await docxText(file.bytes);
      for (const q of answerable.filter((a) => a.document === file.name)) {
        if (!text.includes(q.evidence)) problems.push(`${q.id}: evidence not in the parsed DOCX`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("names a page only for PDF documents, and names one for every page-style question", () => {
    const misplaced = answerable.filter((q) => q.page !== undefined && !q.document.endsWith(".pdf"));
    const missing = answerable.filter((q) => q.style === "page" && q.page === undefined);
    expect([...misplaced, ...missing].map((q) => q.id)).toEqual([]);
  });
});
