/** Bounds on one parse, so a huge or hostile file ends in a clear error instead of a hung task. */
import { AppError } from "../../platform/errors.js";

export interface ParseLimits {
  /** A PDF with more pages is refused before any page is read. */
  readonly maxPages: number;
  /** Characters of extracted text (about 20 MB of plain text). */
  readonly maxTextChars: number;
  /** Declared uncompressed size of a DOCX's parts (media excluded): a guard against ZIP bombs. */
  readonly maxUnzippedBytes: number;
  /** Wall-clock budget for reading a PDF page by page; the ingest task itself times out at 540 s. */
  readonly maxParseMillis: number;
}

export const defaultParseLimits: ParseLimits = {
  maxPages: 2000,
  maxTextChars: 20_000_000,
  maxUnzippedBytes: 256 * 1024 * 1024,
  maxParseMillis: 240_000,
};

const count = (n: number): string => n.toLocaleString("en-US");

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

export function noText(): AppError {
  return new AppError("invalid-argument", "The document contains no text to index");
}
