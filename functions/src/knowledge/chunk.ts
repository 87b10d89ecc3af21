/**
 * Structure-aware chunking: sections follow headings, chunks follow paragraphs, and each chunk keeps
 * its heading path and character offsets so a citation can point at the exact place; PDF chunks also keep
 * their pages. Records (CSV rows, JSON elements) are grouped whole and keep their rows.
 */
import type { ParsedDocument } from "./parse.js";
import type { ChunkLocation } from "./schema.js";

export interface ChunkOptions {
  /** Target size in characters; a chunk closes at the first paragraph boundary past it. */
  readonly targetChars: number;
  /** A single paragraph longer than this is split at sentence boundaries. */
  readonly maxChars: number;
  /**
   * Characters of the previous chunk's tail repeated at the start of the next one (same section only).
   * Records get none: each carries its own field names, and a partial record would be a split one.
   */
  readonly overlapChars: number;
}

export const defaultChunkOptions: ChunkOptions = { targetChars: 900, maxChars: 1500, overlapChars: 150 };

export interface TextChunk {
  readonly text: string;
  readonly location: ChunkLocation;
}

interface Block {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly headingPath: readonly string[];
}

/** An ATX heading: at most three spaces before the `#`s (more is indented code, as in Markdown). */
const headingLine = /^ {0,3}(#{1,6})\s+(.+?)\s*#*\s*$/;
const fenceLine = /^\s{0,3}(```|~~~)/;

/**
 * A heading as a reader sees it: README titles often carry badges (`[![npm][badge]][link]`), links and inline
 * HTML (`<sup>`), whose image names and URLs would otherwise be repeated as the heading of every chunk below.
 */
export function readableHeading(raw: string): string {
  return raw
    .replace(/!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])?/g, " ") // images, inline or by reference
    .replace(/\[\s*\](?:\([^)]*\)|\[[^\]]*\])/g, " ") // links left empty by a removed badge
    .replace(/\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])/g, "$1") // links keep their text
    .replace(/<\/?[a-z][a-z0-9-]*\b[^>]*>/gi, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Paragraph blocks with offsets into `text`, each tagged with the headings above it. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  const headings: string[] = [];
  const paragraph = /[^\n]+(?:\n(?!\s*\n)[^\n]*)*/g;
  // A `# comment` inside fenced code is code, not a heading.
  let inFence = false;
  for (let m = paragraph.exec(text); m; m = paragraph.exec(text)) {
    const raw = m[0];
    const lines = raw.split("\n");
    let offset = m.index;
    let bodyLines: string[] = [];
    let bodyStart = offset;
    const flush = (end: number) => {
      const body = bodyLines.join("\n").trim();
      if (body) out.push({ text: body, start: bodyStart, end, headingPath: [...headings] });
      bodyLines = [];
    };
    for (const line of lines) {
      if (fenceLine.test(line)) inFence = !inFence;
      const h = inFence ? null : headingLine.exec(line.trimEnd());
      if (h) {
        flush(offset);
        const level = (h[1] as string).length;
        headings.length = Math.min(headings.length, level - 1);
        headings[level - 1] = readableHeading(h[2] as string);
        for (let i = 0; i < level - 1; i++) headings[i] ??= "";
        bodyStart = offset + line.length + 1;
      } else {
        if (bodyLines.length === 0) bodyStart = offset;
        bodyLines.push(line);
      }
      offset += line.length + 1;
    }
    flush(m.index + raw.length);
  }
  return out.map((b) => ({ ...b, headingPath: b.headingPath.filter((h) => h.length > 0) }));
}

/** Splits an oversized block at sentence ends (or hard at maxChars when a "sentence" never ends). */
function splitLong(block: Block, maxChars: number): Block[] {
  if (block.text.length <= maxChars) return [block];
  const parts: Block[] = [];
  // Punctuation ends a sentence only before whitespace or the end: `jwt.sign(…)` and `1.2.3` stay whole.
  const sentence = /(?:[^.!?\n]|[.!?]+(?!["')\]]*(?:\s|$)))+(?:[.!?]+["')\]]*|\n|$)\s*/g;
  let current = "";
  let currentStart = block.start;
  const base = block.start;
  let cursor = 0;
  for (let m = sentence.exec(block.text); m && m[0].length > 0; m = sentence.exec(block.text)) {
    let piece = m[0];
    while (piece.length > maxChars) {
      if (current) {
        parts.push({ ...block, text: current.trim(), start: currentStart, end: base + cursor });
        current = "";
      }
      parts.push({
        ...block,
        text: piece.slice(0, maxChars).trim(),
        start: base + cursor,
        end: base + cursor + maxChars,
      });
      cursor += maxChars;
      piece = piece.slice(maxChars);
      currentStart = base + cursor;
    }
    if (current.length + piece.length > maxChars && current) {
      parts.push({ ...block, text: current.trim(), start: currentStart, end: base + cursor });
      current = "";
      currentStart = base + cursor;
    }
    if (!current) currentStart = base + cursor;
    current += piece;
    cursor += piece.length;
  }
  if (current.trim()) parts.push({ ...block, text: current.trim(), start: currentStart, end: block.end });
  return parts;
}

const sameSection = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((h, i) => h === b[i]);

type Pages = NonNullable<ParsedDocument["pages"]>;

/** The page holding `offset` (the last page starting at or before it). */
function pageAt(pages: Pages, offset: number): number {
  let lo = 0;
  let hi = pages.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((pages[mid] as Pages[number]).startOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return (pages[lo] as Pages[number]).page;
}

function chunkProse(text: string, options: ChunkOptions, pages?: Pages): TextChunk[] {
  const pieces = blocks(text).flatMap((b) => splitLong(b, options.maxChars));
  const chunks: TextChunk[] = [];
  let group: Block[] = [];
  const close = () => {
    if (group.length === 0) return;
    const first = group[0] as Block;
    const last = group[group.length - 1] as Block;
    const prev = chunks[chunks.length - 1];
    let body = group.map((b) => b.text).join("\n\n");
    let start = first.start;
    if (prev && options.overlapChars > 0 && sameSection(prev.location.headingPath, first.headingPath)) {
      const tail = prev.text.slice(-options.overlapChars);
      const cut = tail.search(/\s\S/); // begin the overlap at a word boundary
      const overlap = cut >= 0 ? tail.slice(cut + 1) : "";
      if (overlap) {
        body = `${overlap}\n\n${body}`;
        start = Math.max(prev.location.startOffset, prev.location.endOffset - overlap.length);
      }
    }
    const heading = first.headingPath.length > 0 ? `${first.headingPath.join(" > ")}\n\n` : "";
    // Pages follow the chunk's own text: a citation should name the page its new content is on.
    const page = pages && pages.length > 0 ? pageAt(pages, first.start) : undefined;
    const pageEnd =
      pages && pages.length > 0 ? pageAt(pages, Math.max(first.start, last.end - 1)) : undefined;
    chunks.push({
      // The heading path is part of the chunk text: it carries meaning ("Refunds") the paragraph may not repeat.
      text: `${heading}${body}`,
      location: {
        startOffset: start,
        endOffset: last.end,
        headingPath: [...first.headingPath],
        ...(page !== undefined ? { page } : {}),
        ...(page !== undefined && pageEnd !== undefined && pageEnd > page ? { pageEnd } : {}),
      },
    });
    group = [];
  };
  let size = 0;
  for (const piece of pieces) {
    const first = group[0];
    if (first && (!sameSection(first.headingPath, piece.headingPath) || size >= options.targetChars)) {
      close();
      size = 0;
    }
    if (group.length > 0 && size + piece.text.length > options.maxChars) {
      close();
      size = 0;
    }
    group.push(piece);
    size += piece.text.length;
  }
  close();
  return chunks;
}

/** Prose (TXT, Markdown, HTML): chunks follow headings and paragraphs. */
export function chunkText(text: string, options: ChunkOptions = defaultChunkOptions): TextChunk[] {
  return chunkProse(text, options);
}

type RecordSpan = NonNullable<ParsedDocument["records"]>[number];

const fieldSeparator = "; ";

/**
 * A record longer than maxChars, cut between fields (a single huge field is cut between words).
 * Every part after the first starts with the record's first field, so it still says whose data it is.
 */
function splitRecord(text: string, record: RecordSpan, maxChars: number): TextChunk[] {
  const body = text.slice(record.startOffset, record.endOffset);
  const firstEnd = body.indexOf(fieldSeparator);
  const label = firstEnd > 0 && firstEnd <= 80 ? `${body.slice(0, firstEnd)} (continued)\n` : "";
  const budget = Math.max(1, maxChars - label.length);
  const parts: TextChunk[] = [];
  // The open part: [from, to) within the record; from < 0 when none is open.
  let from = -1;
  let to = -1;
  const emit = () => {
    if (from < 0) return;
    const piece = body.slice(from, to);
    parts.push({
      text: parts.length > 0 ? `${label}${piece}` : piece,
      location: {
        startOffset: record.startOffset + from,
        endOffset: record.startOffset + to,
        headingPath: [],
        row: record.row,
      },
    });
    from = -1;
  };
  for (let fieldStart = 0; fieldStart < body.length;) {
    const sep = body.indexOf(fieldSeparator, fieldStart);
    const fieldEnd = sep < 0 ? body.length : sep;
    if (from >= 0 && fieldEnd - from <= budget) to = fieldEnd;
    else if (fieldEnd - fieldStart <= budget) {
      emit();
      from = fieldStart;
      to = fieldEnd;
    } else {
      // A field longer than a part: cut between words, its first piece filling the open part.
      let s = fieldStart;
      while (s < fieldEnd) {
        const start = from >= 0 ? from : s;
        let e = Math.min(fieldEnd, start + budget);
        if (e < fieldEnd) {
          const space = body.lastIndexOf(" ", e);
          if (space > s) e = space;
          else if (from >= 0) {
            emit();
            continue;
          }
        }
        if (from < 0) from = s;
        to = e;
        if (e < fieldEnd) emit();
        s = e;
        while (s < fieldEnd && body[s] === " ") s++;
      }
    }
    fieldStart = fieldEnd + fieldSeparator.length;
  }
  emit();
  return parts;
}

/** Records grouped whole into chunks of about targetChars, one record a line. */
function chunkRecords(text: string, records: readonly RecordSpan[], options: ChunkOptions): TextChunk[] {
  const chunks: TextChunk[] = [];
  let group: RecordSpan[] = [];
  let size = 0;
  const close = () => {
    const first = group[0];
    const last = group[group.length - 1];
    if (!first || !last) return;
    chunks.push({
      text: group.map((r) => text.slice(r.startOffset, r.endOffset)).join("\n"),
      location: {
        startOffset: first.startOffset,
        endOffset: last.endOffset,
        headingPath: [],
        row: first.row,
        ...(last.row !== first.row ? { rowEnd: last.row } : {}),
      },
    });
    group = [];
    size = 0;
  };
  for (const record of records) {
    const length = record.endOffset - record.startOffset;
    if (length > options.maxChars) {
      close();
      chunks.push(...splitRecord(text, record, options.maxChars));
      continue;
    }
    if (group.length > 0 && (size >= options.targetChars || size + 1 + length > options.maxChars)) close();
    size += (group.length > 0 ? 1 : 0) + length;
    group.push(record);
  }
  close();
  return chunks;
}

/** Chunks for one parsed document: records whole when it has records, prose with pages otherwise. */
export function chunkDocument(doc: ParsedDocument, options: ChunkOptions = defaultChunkOptions): TextChunk[] {
  if (doc.records && doc.records.length > 0) return chunkRecords(doc.text, doc.records, options);
  return chunkProse(doc.text, options, doc.pages);
}
