/**
 * Word documents through mammoth: DOCX to semantic HTML (Word's heading styles become h1-h6, lists ul/li),
 * then the same HTML-to-text as web pages, so headings and list items survive into chunks.
 * mammoth is imported on first use only.
 */
import { AppError } from "../../platform/errors.js";
import { log } from "../../platform/log.js";
import type { ParsedDocument } from "../parse.js";
import { noText, tooMuchText, type ParseLimits } from "./limits.js";
import { htmlToText } from "./text.js";
import { zipEntries } from "./zip.js";

export const wordBody = "word/document.xml";

export const damagedDocx = (): AppError =>
  new AppError(
    "invalid-argument",
    "This Word document (DOCX) is damaged or incomplete and could not be read; open it in Word, save it again and upload the new copy",
  );

export async function parseDocx(bytes: Uint8Array, limits: ParseLimits): Promise<ParsedDocument> {
  const entries = zipEntries(bytes);
  if (!entries?.some((e) => e.name === wordBody)) throw damagedDocx();
  // Declared sizes are cheap to read and stop a ZIP bomb before anything is inflated; media is never read.
  const unzipped = entries.filter((e) => !e.name.startsWith("word/media/")).reduce((n, e) => n + e.size, 0);
  if (unzipped > limits.maxUnzippedBytes) throw tooMuchText(limits);

  const { default: mammoth } = await import("mammoth");
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      {
        // Never follow links to files outside the document, and skip inlining images as base64.
        externalFileAccess: false,
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: "" })),
      },
    );
    html = result.value;
  } catch (e) {
    log.warn("a DOCX could not be read", { err: e });
    throw damagedDocx();
  }
  const text = htmlToText(html);
  if (!text) throw noText();
  if (text.length > limits.maxTextChars) throw tooMuchText(limits);
  return { text };
}
