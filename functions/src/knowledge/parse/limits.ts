/**
 * Bounds on one parse, so a huge or hostile file ends in a clear error instead of a hung task. Sizes are
 * counted on the bytes actually unpacked, never on what a file declares about itself. The hard limits on
 * memory and wall-clock time belong to the worker that runs a parse (parse/pool.ts, set in config.ts).
 */
import { AppError } from "../../platform/errors.js";

export interface ParseLimits {
  /** A PDF with more pages is refused before any page is read. */
  readonly maxPages: number;
  /** Characters of extracted text (about 20 MB of plain text). */
  readonly maxTextChars: number;
  /** Bytes a DOCX's parts (images aside) unpack to, counted while inflating: a guard against ZIP bombs. */
  readonly maxUnpackedBytes: number;
  /** Bytes one PDF stream (a page's content, a font, an object stream) unpacks to, counted while inflating. */
  readonly maxPdfStreamBytes: number;
  /** Bytes all of a PDF's streams (images aside) unpack to together. */
  readonly maxPdfUnpackedBytes: number;
  /** Fields in one CSV row: Excel's own maximum, so no real spreadsheet export is refused. */
  readonly maxColumns: number;
}

const mb = 1024 * 1024;

export const defaultParseLimits: ParseLimits = {
  maxPages: 2000,
  maxTextChars: 20_000_000,
  // A 1,000-page Word document holds 10-20 MB of XML; mammoth needs about 40× that in memory.
  maxUnpackedBytes: 64 * mb,
  // A text page's content stream is kilobytes; 32 MB is a drawing, or a bomb (pdf.js reads ~4 MB/s of it).
  maxPdfStreamBytes: 32 * mb,
  maxPdfUnpackedBytes: 256 * mb,
  maxColumns: 16_384,
};

const count = (n: number): string => n.toLocaleString("en-US");
const megabytes = (bytes: number): string => `${count(Math.round(bytes / mb))} MB`;

export function tooMuchText(limits: ParseLimits): AppError {
  return new AppError(
    "payload-too-large",
    `This document holds more than ${count(limits.maxTextChars)} characters of text; split it into smaller files and upload them separately`,
  );
}

export function tooManyPages(pages: number, limits: ParseLimits): AppError {
  return new AppError(
    "payload-too-large",
    `This PDF has ${count(pages)} pages; the limit is ${count(limits.maxPages)} pages. Split it into smaller files and upload them separately`,
  );
}

/** A DOCX whose parts unpack past the limit: either an enormous document or a ZIP bomb. */
export function docxTooLargeUnpacked(limits: ParseLimits): AppError {
  return new AppError(
    "payload-too-large",
    `This Word document expands to more than ${megabytes(limits.maxUnpackedBytes)} of content when unpacked (images aside); the limit is ${megabytes(limits.maxUnpackedBytes)}. Split it into smaller documents and upload them separately`,
  );
}

/** One PDF stream past the limit: a page drawn with tens of megabytes of instructions, or a bomb. */
export function pdfStreamTooLarge(limits: ParseLimits): AppError {
  return new AppError(
    "payload-too-large",
    `This PDF has a part (a page's content, a font or an embedded object) that expands to more than ${megabytes(limits.maxPdfStreamBytes)} when unpacked; the limit is ${megabytes(limits.maxPdfStreamBytes)} per part. Print or export it to a new PDF and upload that`,
  );
}

export function pdfTooLargeUnpacked(limits: ParseLimits): AppError {
  return new AppError(
    "payload-too-large",
    `This PDF expands to more than ${megabytes(limits.maxPdfUnpackedBytes)} of content when unpacked (images aside); the limit is ${megabytes(limits.maxPdfUnpackedBytes)}. Split it into smaller files and upload them separately`,
  );
}

export function tooManyColumns(row: number, limits: ParseLimits): AppError {
  return new AppError(
    "payload-too-large",
    `This CSV file has more than ${count(limits.maxColumns)} columns in row ${count(row)}; the limit is ${count(limits.maxColumns)} columns (as in a spreadsheet). Check that it is split by the right delimiter, or split it into several files`,
  );
}

export function noText(): AppError {
  return new AppError("invalid-argument", "The document contains no text to index");
}
