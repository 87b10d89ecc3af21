/**
 * Structure-aware chunking: sections follow headings, chunks follow paragraphs, and each chunk keeps
 * its heading path and character offsets so a citation can point at the exact place.
 */
import type { ChunkLocation } from "./schema.js";

export interface ChunkOptions {
  /** Target size in characters; a chunk closes at the first paragraph boundary past it. */
  readonly targetChars: number;
  /** A single paragraph longer than this is split at sentence boundaries. */
  readonly maxChars: number;
  /** Characters of the previous chunk's tail repeated at the start of the next one (same section only). */
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

const headingLine = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** Paragraph blocks with offsets into `text`, each tagged with the headings above it. */
function blocks(text: string): Block[] {
  const out: Block[] = [];
  const headings: string[] = [];
  const paragraph = /[^\n]+(?:\n(?!\s*\n)[^\n]*)*/g;
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
      const h = headingLine.exec(line.trim());
      if (h) {
        flush(offset);
        const level = (h[1] as string).length;
        headings.length = Math.min(headings.length, level - 1);
        headings[level - 1] = (h[2] as string).trim();
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
  const sentence = /[^.!?\n]+(?:[.!?]+["')\]]*|\n|$)\s*/g;
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

export function chunkText(text: string, options: ChunkOptions = defaultChunkOptions): TextChunk[] {
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
    chunks.push({
      // The heading path is part of the chunk text: it carries meaning ("Refunds") the paragraph may not repeat.
      text: `${heading}${body}`,
      location: { startOffset: start, endOffset: last.end, headingPath: [...first.headingPath] },
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
