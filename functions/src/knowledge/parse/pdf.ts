/**
 * PDF text layers through unpdf (a serverless build of Mozilla's pdf.js), page by page so every chunk
 * can cite its page. unpdf is imported on first use only: it is megabytes of code a cold start must not pay for.
 * What the streams unpack to is counted first (pdf-streams.ts); the time a page takes is bounded by the
 * worker that runs the parse (pool.ts), which pdf.js cannot be interrupted from inside.
 */
import { AppError } from "../../platform/errors.js";
import { log } from "../../platform/log.js";
import type { ParsedDocument } from "./parsed.js";
import { noText, tooManyPages, tooMuchText, type ParseLimits } from "./limits.js";
import { checkPdfStreams } from "./pdf-streams.js";

type PdfDocument = Awaited<ReturnType<(typeof import("unpdf"))["getDocumentProxy"]>>;
type PdfPage = Awaited<ReturnType<PdfDocument["getPage"]>>;
type PdfTextPart = Awaited<ReturnType<PdfPage["getTextContent"]>>["items"][number];

const pdfSignature = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"
const endMarker = [0x25, 0x25, 0x45, 0x4f, 0x46]; // "%%EOF"

function indexOf(bytes: Uint8Array, pattern: readonly number[], from: number, to: number): number {
  outer: for (let i = Math.max(0, from); i <= Math.min(to, bytes.length) - pattern.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

/** pdf.js accepts a header a little after the start (some generators prepend junk); so do we. */
export const looksLikePdf = (bytes: Uint8Array): boolean => indexOf(bytes, pdfSignature, 0, 1024) >= 0;

/**
 * A PDF ends with `%%EOF`; a file cut off in transfer does not. pdf.js would salvage what it can, and the
 * document would be silently incomplete, so a missing end marker is refused. Trailing padding is tolerated.
 */
export const isCompletePdf = (bytes: Uint8Array): boolean =>
  indexOf(bytes, endMarker, bytes.length - 8192, bytes.length) >= 0;

const incompletePdf = (): AppError =>
  new AppError(
    "invalid-argument",
    "This PDF is incomplete (the file is cut off before its end); download or export it again, then upload the new copy",
  );

const damagedPdf = (): AppError =>
  new AppError(
    "invalid-argument",
    "This PDF is damaged and could not be read; open it in a PDF viewer, save a new copy and upload that",
  );

/** What pdf.js throws, in words a user can act on. */
function unreadable(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof Error && e.name === "PasswordException") {
    return new AppError(
      "failed-precondition",
      "This PDF is password-protected; remove the password and upload it again",
    );
  }
  log.warn("a PDF could not be read", { err: e });
  return damagedPdf();
}

interface Line {
  readonly text: string;
  /** Baseline height on the page (PDF space: larger is higher). */
  readonly y: number;
  /** Font size, as the tallest text on the line. */
  readonly size: number;
  /** In the top or bottom band of the page, where running headers, footers and page numbers live. */
  readonly margin: boolean;
}

/** Lines in reading order as pdf.js reports them; a change of baseline ends a line even without an EOL flag. */
function pageLines(items: readonly PdfTextPart[], bottom: number, top: number): Line[] {
  const band = (top - bottom) * 0.08;
  const lines: Line[] = [];
  let text = "";
  let y = Number.NaN;
  let size = 0;
  const end = () => {
    const t = text.replace(/\s+/g, " ").trim();
    if (t) lines.push({ text: t, y, size, margin: y < bottom + band || y > top - band });
    text = "";
    y = Number.NaN;
    size = 0;
  };
  for (const item of items) {
    if (!("str" in item)) continue;
    const itemY = Number(item.transform[5]);
    if (item.str.trim() && text.trim() && Math.abs(itemY - y) > Math.max(2, size * 0.6)) end();
    if (item.str) {
      if (Number.isNaN(y) && item.str.trim()) y = itemY;
      text += item.str;
      if (item.str.trim()) size = Math.max(size, item.height || Math.abs(Number(item.transform[3])) || 0);
    }
    if (item.hasEOL) end();
  }
  end();
  return lines;
}

const pageNumber = /^(page\s*)?\d{1,5}(\s*(of|\/)\s*\d{1,5})?$|^[-–—]\s*\d{1,5}\s*[-–—]$/i;
const runningKey = (text: string): string => text.toLowerCase().replace(/\d+/g, "#");

/**
 * Drops page furniture: bare page numbers in the margins, and margin lines that repeat (digits aside)
 * on at least half the pages, such as "Security Policy - Page 3 of 7". They would otherwise sit in every chunk.
 */
function withoutFurniture(pages: readonly (readonly Line[])[]): Line[][] {
  const seen = new Map<string, number>();
  for (const lines of pages) {
    for (const key of new Set(lines.filter((l) => l.margin).map((l) => runningKey(l.text)))) {
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  const withText = pages.filter((lines) => lines.length > 0).length;
  const running = (l: Line) => {
    const count = seen.get(runningKey(l.text)) ?? 0;
    return count >= 2 && count >= withText / 2;
  };
  return pages.map((lines) => lines.filter((l) => !(l.margin && (pageNumber.test(l.text) || running(l)))));
}

const sizeKey = (size: number): number => Math.round(size * 2) / 2;

/**
 * Heading levels from font sizes: the size carrying most of the text is the body; short lines set clearly
 * larger are headings, the largest size level 1. Sizes that carry much of the text are not headings.
 */
function headingLevels(pages: readonly (readonly Line[])[]): (line: Line) => number {
  const chars = new Map<number, number>();
  let total = 0;
  for (const line of pages.flat()) {
    chars.set(sizeKey(line.size), (chars.get(sizeKey(line.size)) ?? 0) + line.text.length);
    total += line.text.length;
  }
  const body = [...chars.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const sizes = [...chars.entries()]
    .filter(([size, n]) => body > 0 && size >= body * 1.15 && n < total * 0.3)
    .map(([size]) => size)
    .sort((a, b) => b - a);
  return (line) => {
    const level = sizes.indexOf(sizeKey(line.size)) + 1;
    return level > 0 && line.text.length <= 120 && /\p{L}/u.test(line.text) ? Math.min(level, 6) : 0;
  };
}

const bullet = /^[•◦▪‣●○■□]\s*/;

/**
 * The document's usual line spacing: the lower quartile of the gaps between consecutive body lines.
 * Taken over the whole document, so a page with three lines still knows what a paragraph gap looks like.
 */
function lineSpacing(pages: readonly (readonly Line[])[], levelOf: (line: Line) => number): number {
  const gaps: number[] = [];
  for (const lines of pages) {
    lines.forEach((line, i) => {
      const prev = lines[i - 1];
      if (!prev || levelOf(prev) > 0 || levelOf(line) > 0) return;
      const gap = prev.y - line.y;
      if (gap > 1 && gap < 3 * Math.max(line.size, prev.size)) gaps.push(gap);
    });
  }
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor((gaps.length - 1) / 4)] ?? 0;
}

/**
 * A page's text: lines joined into paragraphs (a gap clearly wider than the usual line spacing starts a
 * new one), headings as `#` lines, bullets as `- ` lines.
 */
function pageText(lines: readonly Line[], levelOf: (line: Line) => number, usual: number): string {
  let out = "";
  let previousLevel = 0;
  lines.forEach((line, i) => {
    const level = levelOf(line);
    const text = line.text.replace(bullet, "- ");
    if (i > 0) {
      const gap = (lines[i - 1] as Line).y - line.y;
      if (level > 0 && level === previousLevel && gap > 0 && gap <= line.size * 1.6) {
        out += ` ${text}`; // a heading wrapped onto a second line
        return;
      }
      if (level > 0 || previousLevel > 0) out += "\n\n";
      else if (Math.abs(gap) <= 1) out += " ";
      else if (gap < 0 || (usual > 0 && gap > usual * 1.35 + 0.5)) out += "\n\n";
      else out += "\n";
    }
    out += level > 0 ? `${"#".repeat(level)} ${text}` : text;
    previousLevel = level;
  });
  return out;
}

export async function parsePdf(bytes: Uint8Array, limits: ParseLimits): Promise<ParsedDocument> {
  if (!isCompletePdf(bytes)) throw incompletePdf();
  checkPdfStreams(bytes, limits);
  const { getDocumentProxy } = await import("unpdf");
  let pdf: PdfDocument;
  try {
    // A copy: pdf.js may take ownership of (detach) the buffer it is given.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, isEvalSupported: false });
  } catch (e) {
    throw unreadable(e);
  }
  try {
    if (pdf.numPages > limits.maxPages) throw tooManyPages(pdf.numPages, limits);
    const raw: Line[][] = [];
    let length = 0;
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const [, bottom = 0, , top = 792] = page.view;
      const lines = pageLines((await page.getTextContent()).items, bottom, top);
      page.cleanup();
      raw.push(lines);
      length += lines.reduce((sum, l) => sum + l.text.length + 1, 0);
      if (length > limits.maxTextChars) throw tooMuchText(limits);
    }
    const pagesLines = withoutFurniture(raw);
    const levelOf = headingLevels(pagesLines);
    const usual = lineSpacing(pagesLines, levelOf);
    let text = "";
    const pages: { page: number; startOffset: number; endOffset: number }[] = [];
    pagesLines.forEach((lines, i) => {
      const body = pageText(lines, levelOf, usual);
      if (!body) return;
      if (text) text += "\n\n";
      pages.push({ page: i + 1, startOffset: text.length, endOffset: text.length + body.length });
      text += body;
    });
    if (text.length > limits.maxTextChars) throw tooMuchText(limits);
    if (pages.length === 0) {
      if (pdf.numPages === 0) throw noText();
      throw new AppError(
        "unsupported-media-type",
        "This PDF has no text layer (it looks scanned); OCR is not supported yet. Upload a PDF with selectable text, or the document as DOCX or text",
      );
    }
    return { text, pages };
  } catch (e) {
    throw unreadable(e);
  } finally {
    await pdf.destroy().catch(() => undefined);
  }
}
