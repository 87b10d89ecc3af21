/**
 * What can be uploaded: the platform's rules, repeated to refuse a file before sending it and to tell people
 * what to send instead. The platform checks again.
 */
import { maxUploadBytes } from "../../data/knowledge";
import { formatBytes } from "./describe";

/** Extensions the platform reads, by the kind of document they are. */
const readableExtensions: Readonly<Record<string, string>> = {
  ".pdf": "PDF",
  ".docx": "Word",
  ".txt": "Text",
  ".text": "Text",
  ".log": "Text",
  ".md": "Markdown",
  ".markdown": "Markdown",
  ".html": "HTML",
  ".htm": "HTML",
  ".csv": "CSV",
  ".tsv": "CSV",
  ".json": "JSON",
  ".jsonl": "JSON",
  ".ndjson": "JSON",
};

/** For the file picker's `accept`: the browser offers only these. */
export const acceptedFileTypes = Object.keys(readableExtensions).join(",");

export const supportedFormats = "PDF, Word (DOCX), text, Markdown, HTML, CSV or JSON";

/** What to do instead, for formats people often try. */
const refusals: Readonly<Record<string, string>> = {
  ".doc": "Word 97-2003 documents (.doc) cannot be read: save it as DOCX and upload that.",
  ".xls": "Excel workbooks cannot be read: save each sheet as CSV and upload that.",
  ".xlsx": "Excel workbooks cannot be read: save each sheet as CSV and upload that.",
  ".ppt": "Presentations cannot be read: save it as PDF and upload that.",
  ".pptx": "Presentations cannot be read: save it as PDF and upload that.",
  ".rtf": "Rich Text (RTF) cannot be read: save it as DOCX and upload that.",
  ".zip": "Archives cannot be read: unpack it and upload the documents inside.",
};
const imageExtensions = [".png", ".jpg", ".jpeg", ".gif", ".webp", ".tif", ".tiff", ".heic", ".bmp"];

function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot).toLowerCase();
}

/**
 * Why the platform would refuse this file, found before sending it; `undefined` when it can be sent. A file
 * without an extension is sent: the platform reads it as text when it is text.
 */
export function uploadRefusal(file: { readonly name: string; readonly size: number }): string | undefined {
  const extension = extensionOf(file.name);
  if (extension !== "" && readableExtensions[extension] === undefined) {
    if (imageExtensions.includes(extension)) {
      return `Images cannot be read (no OCR yet): upload a PDF with selectable text instead.`;
    }
    return refusals[extension] ?? `${extension} files cannot be read. Upload ${supportedFormats} files.`;
  }
  if (file.size === 0) return "The file is empty (0 bytes).";
  if (file.size > maxUploadBytes) {
    return `The file is ${formatBytes(file.size)}; the limit is ${formatBytes(maxUploadBytes)}. Split it into smaller files.`;
  }
  return undefined;
}
