/**
 * Word documents through mammoth: DOCX to semantic HTML (Word's heading styles become h1-h6, lists ul/li),
 * then the same HTML-to-text as web pages, so headings and list items survive into chunks.
 * The package is unpacked here first, with every inflated byte counted, and mammoth gets a copy of only the
 * parts it reads, already unpacked: a ZIP bomb stops at the limit before mammoth sees anything.
 * mammoth is imported on first use only.
 */
import { AppError } from "../../platform/errors.js";
import { log } from "../../platform/log.js";
import type { ParsedDocument } from "./parsed.js";
import { docxTooLargeUnpacked, noText, tooMuchText, type ParseLimits } from "./limits.js";
import { htmlToText } from "./text.js";
import { storedZip, unpackEntries, zipEntries } from "./zip.js";

export const wordBody = "word/document.xml";

export const damagedDocx = (): AppError =>
  new AppError(
    "invalid-argument",
    "This Word document (DOCX) is damaged or incomplete and could not be read; open it in Word, save it again and upload the new copy",
  );

/**
 * The parts mammoth parses are XML (`.xml`, `.rels`). Everything else (images, embedded fonts and objects)
 * is never inflated: it goes to mammoth empty, so an image entry cannot smuggle a bomb in either.
 */
const isXmlPart = (name: string): boolean => /\.(xml|rels)$/i.test(name);

export async function parseDocx(bytes: Uint8Array, limits: ParseLimits): Promise<ParsedDocument> {
  const entries = zipEntries(bytes);
  if (!entries?.some((e) => e.name === wordBody)) throw damagedDocx();
  const xmlEntries = entries.filter((e) => isXmlPart(e.name));
  const unpacked = unpackEntries(bytes, xmlEntries, limits.maxUnpackedBytes, {
    tooLarge: () => docxTooLargeUnpacked(limits),
    damaged: damagedDocx,
  });
  const empty = new Uint8Array(0);
  const pkg = storedZip(entries.map((e) => [e.name, unpacked.get(e) ?? empty] as const));

  const { default: mammoth } = await import("mammoth");
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(pkg.buffer, pkg.byteOffset, pkg.byteLength) },
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
