/**
 * Turns an uploaded file into text the chunker understands: Markdown-style `#` headings mark structure,
 * PDFs keep where each page's text lies, CSV and JSON keep one record per line with its row.
 * The type is decided from the bytes as well as the name, so a renamed PDF is recognised as a PDF.
 * Every failure a user can cause is an `AppError` whose message says what to do; no library error leaks.
 */
import path from "node:path";
import { AppError } from "../platform/errors.js";
import { nameProblem } from "../platform/validation.js";
import { damagedDocx, parseDocx, wordBody } from "./parse/docx.js";
import { defaultParseLimits, noText, tooMuchText, type ParseLimits } from "./parse/limits.js";
import { isCompletePdf, looksLikePdf, parsePdf } from "./parse/pdf.js";
import { parseCsv, parseJson } from "./parse/records.js";
import { decodeText, htmlToText, looksLikeText, normalizeMarkdown, plainTextHeadings } from "./parse/text.js";
import type { ParsedDocument } from "./parse/parsed.js";
import { zipEntries } from "./parse/zip.js";
import type { DocumentType } from "./schema.js";

export { htmlToText } from "./parse/text.js";
export { defaultParseLimits, type ParseLimits } from "./parse/limits.js";
export type { ParsedDocument } from "./parse/parsed.js";

export interface DetectedType {
  readonly type: DocumentType;
  readonly contentType: string;
}

const types = {
  text: { type: "text", contentType: "text/plain" },
  markdown: { type: "markdown", contentType: "text/markdown" },
  html: { type: "html", contentType: "text/html" },
  pdf: { type: "pdf", contentType: "application/pdf" },
  docx: {
    type: "docx",
    contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  },
  csv: { type: "csv", contentType: "text/csv" },
  tsv: { type: "csv", contentType: "text/tab-separated-values" },
  json: { type: "json", contentType: "application/json" },
  jsonl: { type: "json", contentType: "application/x-ndjson" },
} as const satisfies Record<string, DetectedType>;

const byExtension: Record<string, DetectedType> = {
  ".txt": types.text,
  ".text": types.text,
  ".log": types.text,
  "": types.text,
  ".md": types.markdown,
  ".markdown": types.markdown,
  ".html": types.html,
  ".htm": types.html,
  ".csv": types.csv,
  ".tsv": types.tsv,
  ".json": types.json,
  ".jsonl": types.jsonl,
  ".ndjson": types.jsonl,
};

/** Extensions of binary formats: a file named so but holding plain text was mislabelled. */
const binaryNames: Record<string, string> = {
  ".pdf": "a PDF",
  ".docx": "a Word document",
  ".doc": "a Word document",
  ".xlsx": "an Excel workbook",
  ".xls": "an Excel workbook",
  ".pptx": "a PowerPoint presentation",
  ".ppt": "a PowerPoint presentation",
};

const supported = "upload PDF, DOCX, TXT, Markdown, HTML, CSV or JSON files";

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

const images: readonly (readonly number[])[] = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF
  [0x49, 0x49, 0x2a, 0x00], // TIFF
  [0x4d, 0x4d, 0x00, 0x2a], // TIFF
];
const isWebp = (bytes: Uint8Array): boolean =>
  startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes.subarray(8), [0x57, 0x45, 0x42, 0x50]);

/** Office Open XML and friends: the central directory names the package without inflating anything. */
function detectZip(fileName: string, ext: string, bytes: Uint8Array): DetectedType {
  const entries = zipEntries(bytes);
  if (!entries) {
    if (ext === ".docx") throw damagedDocx();
    throw new AppError(
      "invalid-argument",
      `"${fileName}" is a damaged or incomplete ZIP file; save or download it again and upload the new copy`,
    );
  }
  const names = new Set(entries.map((e) => e.name));
  if (names.has(wordBody)) return types.docx;
  const refuse = (what: string, instead: string) =>
    new AppError("unsupported-media-type", `"${fileName}" is ${what}, which is not supported; ${instead}`);
  if (names.has("xl/workbook.xml"))
    throw refuse("an Excel workbook (XLSX)", "save each sheet as CSV and upload that");
  if (names.has("ppt/presentation.xml"))
    throw refuse("a PowerPoint presentation (PPTX)", "save it as PDF and upload that");
  if (names.has("content.xml") && names.has("mimetype"))
    throw refuse("an OpenDocument file", "save it as DOCX (or CSV for a spreadsheet) and upload that");
  throw refuse("a ZIP archive", "unpack it and upload the documents inside one by one");
}

/** Older Office files share one container format (OLE); the name tells which application made it. */
function refuseLegacyOffice(fileName: string, ext: string): AppError {
  const [what, instead] =
    ext === ".xls"
      ? ["an Excel 97-2003 workbook (.xls)", "save each sheet as CSV and upload that"]
      : ext === ".ppt"
        ? ["a PowerPoint 97-2003 presentation (.ppt)", "save it as PDF and upload that"]
        : ["a Word 97-2003 document (.doc)", "open it in Word, save it as DOCX and upload that"];
  return new AppError(
    "unsupported-media-type",
    `"${fileName}" is ${what}, which is not supported; ${instead}`,
  );
}

/** Decides a document's type from its bytes first and its name second. Cheap: no parsing. */
export function detectType(fileName: string, bytes: Uint8Array): DetectedType {
  if (bytes.byteLength === 0) throw new AppError("invalid-argument", `"${fileName}" is empty (0 bytes)`);
  const ext = path.extname(fileName).toLowerCase();
  if (looksLikePdf(bytes)) {
    if (!isCompletePdf(bytes)) {
      throw new AppError(
        "invalid-argument",
        `"${fileName}" is an incomplete PDF (the file is cut off before its end); download or export it again, then upload the new copy`,
      );
    }
    return types.pdf;
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    return detectZip(fileName, ext, bytes);
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw refuseLegacyOffice(fileName, ext);
  }
  if (images.some((signature) => startsWith(bytes, signature)) || isWebp(bytes)) {
    throw new AppError(
      "unsupported-media-type",
      `"${fileName}" is an image; OCR is not supported yet, so ${supported} with selectable text`,
    );
  }
  if (!looksLikeText(bytes)) {
    throw new AppError(
      "unsupported-media-type",
      `"${fileName}" is not a text document (binary content); ${supported}`,
    );
  }
  const head = decodeText(bytes.subarray(0, 512)).trimStart().toLowerCase();
  const claimed = binaryNames[ext];
  if (claimed) {
    throw new AppError(
      "unsupported-media-type",
      `"${fileName}" is named like ${claimed} but holds plain text${head.startsWith("<") ? " or HTML (often a web page saved under the wrong name)" : ""}; download or export it again, then upload the new copy`,
    );
  }
  if (head.startsWith("{\\rtf")) {
    throw new AppError(
      "unsupported-media-type",
      `"${fileName}" is a Rich Text (RTF) document, which is not supported; save it as DOCX and upload that`,
    );
  }
  if (head.startsWith("<!doctype html") || head.startsWith("<html")) return types.html;
  const known = byExtension[ext];
  if (known) return known;
  throw new AppError(
    "unsupported-media-type",
    `"${fileName}" has an unsupported type "${ext}"; ${supported}`,
  );
}

/** Reads one document version into text plus its pages or records. Heavy parsers load on first use. */
export async function parseDocument(
  type: DocumentType,
  bytes: Uint8Array,
  limits: ParseLimits = defaultParseLimits,
): Promise<ParsedDocument> {
  if (bytes.byteLength === 0) throw new AppError("invalid-argument", "The file is empty (0 bytes)");
  if (type === "pdf") return parsePdf(bytes, limits);
  if (type === "docx") return parseDocx(bytes, limits);
  const raw = decodeText(bytes);
  let parsed: ParsedDocument;
  switch (type) {
    case "csv":
      parsed = parseCsv(raw, limits);
      break;
    case "json":
      parsed = parseJson(raw, limits);
      break;
    case "html":
      parsed = { text: htmlToText(raw) };
      break;
    case "markdown":
      parsed = { text: normalizeMarkdown(raw).trim() };
      break;
    case "text":
      // Plain text often underlines its titles too (=== / ---), or numbers them (`2.1 Scope`), or writes
      // them in capitals as manual pages do (`OPTIONS`).
      parsed = { text: plainTextHeadings(normalizeMarkdown(raw)).trim() };
      break;
  }
  if (parsed.text.replace(/\s+/g, "").length === 0) throw noText();
  if (parsed.text.length > limits.maxTextChars) throw tooMuchText(limits);
  return parsed;
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
  // Lone surrogates, bidirectional overrides ("gpj.exe" shown backwards) and names of nothing visible.
  const problem = nameProblem(cleaned, "The file name");
  if (problem) throw new AppError("invalid-argument", problem);
  return cleaned;
}
