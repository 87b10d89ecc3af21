/**
 * The Knowledge Vault's retrieval-quality fixture: the documents of a fictional company (Northwind Labs,
 * maker of the Beacon project-management SaaS) in every supported format, and a question set whose
 * answering passage is marked by an exact evidence string.
 *
 * The documents live as source text under `corpus/`, so they can be read and reviewed in a diff;
 * `*.pdf.md` and `*.docx.md` sources are rendered here into real PDF (pdf-lib) and DOCX (docx) files, byte
 * for byte the same on every run, so a retrieval benchmark compares like with like.
 */
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const corpusDir = fileURLToPath(new URL("./corpus/", import.meta.url));

/** Written into PDF metadata, DOCX core properties and ZIP entries: rendering must not depend on the clock. */
const renderedAt = new Date("2025-03-14T09:00:00Z");

// ---------------------------------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------------------------------

/**
 * How a question is meant to be matched, so results can be broken down by what each retriever is good at:
 * - keyword: shares rare exact terms with its evidence (names, codes, numbers): where BM25 shines;
 * - paraphrase: says it in other words (synonyms, other word forms): where embeddings should help;
 * - conceptual: asks how or why something works, in several words none of which is decisive;
 * - record: the answer is one CSV row or one JSON record;
 * - page: names the PDF page it is about.
 */
export const answerableStyles = ["keyword", "paraphrase", "conceptual", "record", "page"] as const;
/** near-miss: on topic for the corpus, but the corpus never says; off-topic: nothing to do with it. */
export const unanswerableStyles = ["near-miss", "off-topic"] as const;

const questionId = z.string().regex(/^q\d{2,3}$/, "ids look like q01");

const answerableQuestionSchema = z.strictObject({
  id: questionId,
  question: z.string().min(10),
  answerable: z.literal(true),
  /** The file name as ingested (`security-policy.pdf`, not the `.pdf.md` source). */
  document: z.string().min(1),
  /**
   * An exact substring of the document's text as a parser gives it (no Markdown markers, no HTML tags),
   * short enough to sit inside one chunk. For CSV and JSON, a cell or string value of the answering record.
   */
  evidence: z.string().min(8).max(200),
  style: z.enum(answerableStyles),
  /** 1-based page of a PDF document that holds the evidence. */
  page: z.number().int().min(1).optional(),
});

const unanswerableQuestionSchema = z.strictObject({
  id: questionId,
  question: z.string().min(10),
  answerable: z.literal(false),
  style: z.enum(unanswerableStyles),
});

export const questionSchema = z.discriminatedUnion("answerable", [
  answerableQuestionSchema,
  unanswerableQuestionSchema,
]);

export type Question = z.infer<typeof questionSchema>;
export type AnswerableQuestion = z.infer<typeof answerableQuestionSchema>;

export async function loadQuestions(): Promise<Question[]> {
  const raw: unknown = JSON.parse(await readFile(`${corpusDir}questions.json`, "utf8"));
  return z.array(questionSchema).parse(raw);
}

// ---------------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------------

export type SourceFormat = "markdown" | "html" | "text" | "csv" | "json" | "pdf" | "docx";

export interface CorpusSource {
  /** The file under `corpus/` (`security-policy.pdf.md`). */
  readonly sourceName: string;
  /** The file as delivered for ingestion (`security-policy.pdf`). */
  readonly name: string;
  readonly format: SourceFormat;
  readonly text: string;
}

function describeSource(sourceName: string): { name: string; format: SourceFormat } | undefined {
  if (sourceName.endsWith(".pdf.md")) return { name: sourceName.slice(0, -3), format: "pdf" };
  if (sourceName.endsWith(".docx.md")) return { name: sourceName.slice(0, -3), format: "docx" };
  const byExtension: Record<string, SourceFormat> = {
    md: "markdown",
    html: "html",
    txt: "text",
    csv: "csv",
    json: "json",
  };
  const format = byExtension[sourceName.split(".").pop() ?? ""];
  return format ? { name: sourceName, format } : undefined;
}

/** Every document source, sorted by name; `questions.json` is the question set, not a document. */
export async function loadSources(): Promise<CorpusSource[]> {
  const entries = (await readdir(corpusDir)).filter((n) => n !== "questions.json").sort();
  const sources: CorpusSource[] = [];
  for (const sourceName of entries) {
    const described = describeSource(sourceName);
    if (!described) throw new Error(`corpus/${sourceName}: no known format`);
    const text = (await readFile(`${corpusDir}${sourceName}`, "utf8")).replace(/\r\n?/g, "\n");
    sources.push({ sourceName, ...described, text });
  }
  return sources;
}

// ---------------------------------------------------------------------------------------------------
// Plain text, as a parser should see it (for checking evidence strings)
// ---------------------------------------------------------------------------------------------------

const pageMarker = /^\s*---page---\s*$/;

function collapse(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** Markdown-ish sources: drop page markers, heading hashes and bullet dashes; keep the words. */
function markdownWords(text: string): string {
  return collapse(
    text
      .replace(/\f/g, "\n")
      .split("\n")
      .filter((line) => !pageMarker.test(line))
      .map((line) => line.replace(/^\s*#{1,6}\s+/, "").replace(/^\s*[-*]\s+/, ""))
      .join("\n"),
  );
}

const htmlEntities: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "\u2013",
  mdash: "\u2014",
  rsaquo: "\u203a",
  middot: "\u00b7",
  copy: "\u00a9",
  szlig: "\u00df",
};

/** The readable content of a page: no head, scripts or page chrome (nav, header, footer, aside, forms). */
function htmlWords(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(head|script|style|nav|header|footer|aside|form)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(#\d+|[a-z]+);/gi, (whole, code: string) =>
      code.startsWith("#") ? String.fromCodePoint(Number(code.slice(1))) : (htmlEntities[code] ?? whole),
    );
  return collapse(text);
}

/** CSV cells; the fixture's cells never hold commas or quotes, so a plain split is exact. */
function csvCells(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .flatMap((line) => line.split(","))
    .map(collapse)
    .filter((cell) => cell.length > 0);
}

function jsonStrings(value: unknown): string[] {
  if (typeof value === "string") return [collapse(value)];
  if (Array.isArray(value)) return value.flatMap(jsonStrings);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(jsonStrings);
  return [];
}

/**
 * The places an evidence string may sit in: the whole text of a prose document (whitespace collapsed),
 * or each cell of a CSV file and each string value of a JSON file, so that an evidence string always
 * belongs to one record, whatever way a parser lays records out.
 */
export function evidenceUnits(source: CorpusSource): string[] {
  switch (source.format) {
    case "markdown":
    case "pdf":
    case "docx":
      return [markdownWords(source.text)];
    case "html":
      return [htmlWords(source.text)];
    case "text":
      return [collapse(source.text)];
    case "csv":
      return csvCells(source.text);
    case "json":
      return jsonStrings(JSON.parse(source.text) as unknown);
  }
}

// ---------------------------------------------------------------------------------------------------
// Markdown-ish blocks, shared by the PDF and DOCX renderers
// ---------------------------------------------------------------------------------------------------

type Block =
  | { readonly kind: "heading"; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly kind: "paragraph" | "bullet"; readonly text: string }
  | { readonly kind: "page-break" };

/** `#`/`##`/`###` headings, `- ` bullets, paragraphs of consecutive lines, and `---page---` or `\f` breaks. */
function parseBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = (): void => {
    if (paragraph.length > 0) blocks.push({ kind: "paragraph", text: paragraph.join(" ") });
    paragraph = [];
  };
  for (const rawLine of source.replace(/\f/g, "\n---page---\n").split("\n")) {
    const line = rawLine.trim();
    const heading = /^(#{1,3})\s+(.+)$/.exec(line);
    if (line.length === 0) {
      flush();
    } else if (pageMarker.test(line)) {
      flush();
      blocks.push({ kind: "page-break" });
    } else if (heading) {
      flush();
      const level = (heading[1] as string).length as 1 | 2 | 3;
      blocks.push({ kind: "heading", level, text: heading[2] as string });
    } else if (/^[-*]\s+/.test(line)) {
      flush();
      blocks.push({ kind: "bullet", text: line.replace(/^[-*]\s+/, "") });
    } else {
      paragraph.push(line);
    }
  }
  flush();
  return blocks;
}

function documentTitle(blocks: readonly Block[], fallback: string): string {
  const first = blocks.find((b) => b.kind === "heading" && b.level === 1);
  return first && first.kind === "heading" ? first.text : fallback;
}

// ---------------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------------

const a4: readonly [number, number] = [595.28, 841.89];
const pdfMargin = { left: 64, right: 64, top: 72, bottom: 76 } as const;
const bulletIndent = 16;

interface TextStyle {
  readonly bold: boolean;
  readonly size: number;
  /** Baseline-to-baseline distance. */
  readonly leading: number;
  readonly spaceBefore: number;
  readonly spaceAfter: number;
}

const pdfStyles = {
  h1: { bold: true, size: 18, leading: 24, spaceBefore: 6, spaceAfter: 8 },
  h2: { bold: true, size: 13, leading: 18, spaceBefore: 8, spaceAfter: 4 },
  h3: { bold: true, size: 11.5, leading: 16, spaceBefore: 6, spaceAfter: 2 },
  body: { bold: false, size: 10.5, leading: 14.5, spaceBefore: 0, spaceAfter: 6 },
} as const satisfies Record<string, TextStyle>;

interface PlacedLine {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly style: TextStyle;
}

type Measure = (text: string, style: TextStyle) => number;

/** Greedy word wrap; a word wider than the line (a long URL) is cut where it no longer fits. */
function wrap(text: string, width: number, style: TextStyle, measure: Measure): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const candidate = current ? `${current} ${word}` : word;
    if (measure(candidate, style) <= width) {
      current = candidate;
      continue;
    }
    if (current) lines.push(current);
    current = word;
    while (measure(current, style) > width) {
      let cut = current.length - 1;
      while (cut > 1 && measure(current.slice(0, cut), style) > width) cut--;
      lines.push(current.slice(0, cut));
      current = current.slice(cut);
    }
  }
  if (current) lines.push(current);
  return lines;
}

/** Lays blocks out on A4 pages: a marker starts a page, a full page starts one, a heading keeps with its text. */
function layoutPages(blocks: readonly Block[], measure: Measure): PlacedLine[][] {
  const width = a4[0] - pdfMargin.left - pdfMargin.right;
  const top = a4[1] - pdfMargin.top;
  const pages: PlacedLine[][] = [[]];
  let y = top;
  const current = (): PlacedLine[] => pages[pages.length - 1] as PlacedLine[];
  const newPage = (): void => {
    if (current().length === 0) return;
    pages.push([]);
    y = top;
  };
  const fits = (height: number): boolean => y - height >= pdfMargin.bottom;

  blocks.forEach((block, index) => {
    if (block.kind === "page-break") {
      newPage();
      return;
    }
    const style =
      block.kind === "heading" ? [pdfStyles.h1, pdfStyles.h2, pdfStyles.h3][block.level - 1] : pdfStyles.body;
    if (!style) return;
    const indent = block.kind === "bullet" ? bulletIndent : 0;
    const lines = wrap(block.text, width - indent, style, measure);
    if (block.kind === "heading") {
      // Keep a heading with at least two lines of what follows it.
      const next = blocks[index + 1];
      const reserve =
        next && next.kind !== "page-break" && next.kind !== "heading" ? 2 * pdfStyles.body.leading : 0;
      if (!fits(style.spaceBefore + lines.length * style.leading + reserve)) newPage();
    }
    if (current().length > 0) y -= style.spaceBefore;
    lines.forEach((text, i) => {
      if (!fits(style.leading)) newPage();
      y -= style.leading;
      const bullet = block.kind === "bullet" && i === 0;
      if (bullet) current().push({ text: "\u2022", x: pdfMargin.left + 4, y, style });
      current().push({ text, x: pdfMargin.left + indent, y, style });
    });
    y -= style.spaceAfter;
  });
  return pages.filter((p) => p.length > 0);
}

export async function renderPdf(source: string, fallbackTitle: string): Promise<Uint8Array> {
  const { PDFDocument, StandardFonts, rgb } = await import("pdf-lib");
  const blocks = parseBlocks(source);
  const title = documentTitle(blocks, fallbackTitle);

  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(title);
  pdf.setAuthor("Northwind Labs");
  pdf.setSubject(title);
  pdf.setCreator("Alchemist knowledge corpus");
  pdf.setProducer("pdf-lib");
  pdf.setCreationDate(renderedAt);
  pdf.setModificationDate(renderedAt);

  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const fontOf = (style: TextStyle) => (style.bold ? bold : regular);
  const pages = layoutPages(blocks, (text, style) => fontOf(style).widthOfTextAtSize(text, style.size));

  pages.forEach((lines, i) => {
    const page = pdf.addPage([a4[0], a4[1]]);
    for (const line of lines) {
      page.drawText(line.text, { x: line.x, y: line.y, size: line.style.size, font: fontOf(line.style) });
    }
    const footer = `${title} - Page ${i + 1} of ${pages.length}`;
    page.drawText(footer, { x: pdfMargin.left, y: 40, size: 8, font: regular, color: rgb(0.45, 0.45, 0.45) });
  });
  return pdf.save();
}

// ---------------------------------------------------------------------------------------------------
// DOCX
// ---------------------------------------------------------------------------------------------------

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** docx stamps core properties with the current time; this replaces them with fixed ones. */
function coreProperties(title: string): string {
  const when = renderedAt.toISOString().replace(/\.\d{3}Z$/, "Z");
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${escapeXml(title)}</dc:title><dc:creator>Northwind Labs</dc:creator>` +
    `<cp:lastModifiedBy>Northwind Labs</cp:lastModifiedBy>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
    "</cp:coreProperties>"
  );
}

/**
 * docx's zip writer stamps every entry with the current time. The DOS date/time fields sit at fixed offsets
 * of each local header and central directory entry and are not covered by the CRC, so they can be rewritten.
 */
function fixZipTimestamps(zip: Uint8Array): Uint8Array {
  const out = new Uint8Array(zip);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const dosTime = (renderedAt.getUTCHours() << 11) | (renderedAt.getUTCMinutes() << 5);
  const dosDate =
    ((renderedAt.getUTCFullYear() - 1980) << 9) |
    ((renderedAt.getUTCMonth() + 1) << 5) |
    renderedAt.getUTCDate();
  let eocd = out.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("DOCX: no ZIP end-of-central-directory record");
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  for (let i = 0; i < entries; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("DOCX: malformed ZIP central directory");
    view.setUint16(at + 12, dosTime, true);
    view.setUint16(at + 14, dosDate, true);
    const local = view.getUint32(at + 42, true);
    view.setUint16(local + 10, dosTime, true);
    view.setUint16(local + 12, dosDate, true);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}

export async function renderDocx(source: string, fallbackTitle: string): Promise<Uint8Array> {
  const { Document, HeadingLevel, Packer, Paragraph } = await import("docx");
  const blocks = parseBlocks(source);
  const title = documentTitle(blocks, fallbackTitle);
  const headingLevels = [HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3] as const;
  const children = blocks.flatMap((block) => {
    switch (block.kind) {
      case "heading":
        return [new Paragraph({ text: block.text, heading: headingLevels[block.level - 1] })];
      case "bullet":
        return [new Paragraph({ text: block.text, bullet: { level: 0 } })];
      case "paragraph":
        return [new Paragraph({ text: block.text })];
      case "page-break":
        return [new Paragraph({ text: "", pageBreakBefore: true })];
    }
  });
  const doc = new Document({ creator: "Northwind Labs", title, sections: [{ children }] });
  const bytes = await Packer.toBuffer(doc, false, [
    { path: "docProps/core.xml", data: coreProperties(title) },
  ]);
  return fixZipTimestamps(new Uint8Array(bytes));
}

// ---------------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------------

export interface CorpusFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export async function renderSource(source: CorpusSource): Promise<Uint8Array> {
  if (source.format === "pdf") return renderPdf(source.text, source.name);
  if (source.format === "docx") return renderDocx(source.text, source.name);
  return new TextEncoder().encode(source.text);
}

/** The documents as they would be uploaded, and the questions about them. */
export async function loadCorpus(): Promise<{ files: CorpusFile[]; questions: Question[] }> {
  const sources = await loadSources();
  const files = await Promise.all(
    sources.map(async (source) => ({ name: source.name, bytes: await renderSource(source) })),
  );
  return { files, questions: await loadQuestions() };
}
