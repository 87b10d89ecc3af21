/**
 * Turns an uploaded file into text the chunker understands (Markdown-style headings mark structure).
 * The type is decided from the bytes as well as the name, so a renamed PDF is recognised as a PDF.
 */
import path from "node:path";
import { AppError } from "../platform/errors.js";
import type { DocumentType } from "./schema.js";

export interface DetectedType {
  readonly type: DocumentType;
  readonly contentType: string;
}

const byExtension: Record<string, DetectedType> = {
  ".txt": { type: "text", contentType: "text/plain" },
  ".text": { type: "text", contentType: "text/plain" },
  ".md": { type: "markdown", contentType: "text/markdown" },
  ".markdown": { type: "markdown", contentType: "text/markdown" },
  ".html": { type: "html", contentType: "text/html" },
  ".htm": { type: "html", contentType: "text/html" },
};

const notYet: Record<string, string> = {
  pdf: "PDF",
  docx: "DOCX",
};

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

/** Rejects what is not text: NUL bytes or many control characters in the first 8 KB. */
function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 8192);
  let control = 0;
  for (const b of sample) {
    if (b === 0) return false;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return control / Math.max(1, sample.length) < 0.02;
}

export function detectType(fileName: string, bytes: Uint8Array): DetectedType {
  if (bytes.byteLength === 0) throw new AppError("invalid-argument", `"${fileName}" is empty (0 bytes)`);
  const ext = path.extname(fileName).toLowerCase();
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) {
    throw new AppError(
      "unsupported-media-type",
      `"${fileName}" is a ${notYet.pdf} file; this version ingests TXT, Markdown and HTML only`,
    );
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    const kind = ext === ".docx" ? notYet.docx : "ZIP-based (e.g. DOCX, XLSX)";
    throw new AppError(
      "unsupported-media-type",
      `"${fileName}" is a ${kind} file; this version ingests TXT, Markdown and HTML only`,
    );
  }
  if (!looksLikeText(bytes)) {
    throw new AppError("unsupported-media-type", `"${fileName}" is not a text document (binary content)`);
  }
  const head = Buffer.from(bytes.subarray(0, 512)).toString("utf8").trimStart().toLowerCase();
  if (head.startsWith("<!doctype html") || head.startsWith("<html"))
    return byExtension[".html"] as DetectedType;
  const known = byExtension[ext];
  if (known) return known;
  if (ext === "" || ext === ".csv" || ext === ".log") return byExtension[".txt"] as DetectedType;
  throw new AppError(
    "unsupported-media-type",
    `"${fileName}" has an unsupported type "${ext}"; upload .txt, .md or .html files`,
  );
}

function decodeUtf8(bytes: Uint8Array): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
    if (code[0] === "#") {
      const n = code[1]?.toLowerCase() === "x" ? parseInt(code.slice(2), 16) : parseInt(code.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n < 0x110000 ? String.fromCodePoint(n) : whole;
    }
    return entities[code.toLowerCase()] ?? whole;
  });
}

/** HTML to heading-structured text: drops scripts, styles and page chrome (nav, header, footer, aside). */
export function htmlToText(html: string): string {
  let s = html.replace(/<!--[\s\S]*?-->/g, " ");
  s = s.replace(
    /<(script|style|noscript|template|svg|nav|header|footer|aside|form)\b[\s\S]*?<\/\1\s*>/gi,
    " ",
  );
  s = s.replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_m, level: string, inner: string) => {
    const text = inner
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    return `\n\n${"#".repeat(Number(level))} ${text}\n\n`;
  });
  s = s.replace(/<li\b[^>]*>/gi, "\n- ");
  s = s.replace(/<(br)\s*\/?>/gi, "\n");
  s = s.replace(/<\/?(p|div|section|article|main|ul|ol|table|tr|blockquote|pre|dl|dt|dd)\b[^>]*>/gi, "\n\n");
  s = s.replace(/<\/?(td|th)\b[^>]*>/gi, " ");
  s = s.replace(/<[^>]+>/g, " ");
  s = decodeEntities(s);
  return s
    .split("\n")
    .map((line) => line.replace(/[ \t\f\v]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export function extractText(type: DocumentType, bytes: Uint8Array): string {
  const raw = decodeUtf8(bytes);
  const text = type === "html" ? htmlToText(raw) : raw.trim();
  if (text.replace(/\s+/g, "").length === 0) {
    throw new AppError("invalid-argument", "The document contains no text to index");
  }
  return text;
}

/** A safe display and object name: the base name only, no control characters or path tricks. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const cleaned = [...base]
    .filter((ch) => ch.charCodeAt(0) > 0x1f && ch.charCodeAt(0) !== 0x7f)
    .join("")
    .replace(/^\.+/, "")
    .trim()
    .slice(0, 200);
  if (cleaned.length === 0) throw new AppError("invalid-argument", "The file needs a name, e.g. handbook.md");
  return cleaned;
}
