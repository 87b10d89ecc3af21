/**
 * How the knowledge screens write documents, their ingestion and sizes, and search results: the place a
 * passage comes from, its own text, and the query's words marked in it.
 */
import type { IngestionStage, KnowledgeDocument, PassageLocation, SearchResult } from "../../data/knowledge";

const typeLabels: Readonly<Record<string, string>> = {
  pdf: "PDF",
  docx: "Word",
  text: "Text",
  markdown: "Markdown",
  html: "HTML",
  csv: "CSV",
  json: "JSON",
};

export function documentTypeLabel(type: string): string {
  return typeLabels[type] ?? type.toUpperCase();
}

/** "54 B", "2.4 KB", "3.1 MB" (binary units, as file managers count). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = value < 10 ? 1 : 0;
  return `${Number(value.toFixed(digits)).toLocaleString("en")} ${units[unit] ?? "GB"}`;
}

/** One step of ingestion as people read it, with how far the whole ingestion is (0..100). */
export interface IngestionStep {
  readonly label: string;
  readonly percent: number;
}

const failedDuring: Readonly<Record<IngestionStage, string>> = {
  upload: "Failed before it was read",
  parse: "Failed while reading the file",
  embed: "Failed while embedding its passages",
  done: "Failed while indexing",
};

/** Where a document is in upload → parse → embed → index, for its status line and progress bar. */
export function ingestionStep(doc: KnowledgeDocument): IngestionStep {
  const percent = Math.round(Math.max(0, Math.min(1, doc.progress)) * 100);
  switch (doc.status) {
    case "ready":
      return {
        label: `Searchable: ${doc.chunkCount.toLocaleString("en")} ${doc.chunkCount === 1 ? "passage" : "passages"}`,
        percent: 100,
      };
    case "failed":
      return { label: failedDuring[doc.stage], percent };
    case "deleting":
      return { label: "Being deleted", percent };
    case "queued":
      return { label: "Waiting to be read", percent };
    case "processing":
      if (doc.stage === "parse" || doc.stage === "upload") return { label: "Reading the file", percent };
      if (doc.stage === "embed" && percent < 100) return { label: "Embedding passages", percent };
      return { label: "Indexing", percent };
  }
}

/** Whether the document is still on its way to ready or failed. */
export function isIngesting(doc: KnowledgeDocument): boolean {
  return doc.status === "queued" || doc.status === "processing";
}

/** "Page 3", "Pages 3–4", "Rows 12–14", with the headings above the passage: where to find it. */
export function describeLocation(location: PassageLocation): string {
  const parts: string[] = [];
  if (location.page !== null) {
    parts.push(
      location.pageEnd !== null && location.pageEnd !== location.page
        ? `Pages ${location.page}–${location.pageEnd}`
        : `Page ${location.page}`,
    );
  }
  if (location.row !== null) {
    parts.push(
      location.rowEnd !== null && location.rowEnd !== location.row
        ? `Rows ${location.row}–${location.rowEnd}`
        : `Row ${location.row}`,
    );
  }
  if (location.headingPath.length > 0) parts.push(location.headingPath.join(" › "));
  return parts.join(" · ");
}

/**
 * A passage's own text. The platform starts each passage with its heading trail ("Handbook > Time off") so
 * it embeds with its context; the location already shows those headings.
 */
export function passageText(result: SearchResult): string {
  const trail = result.location.headingPath.join(" > ");
  if (trail !== "" && result.text.startsWith(`${trail}\n`))
    return result.text.slice(trail.length).trimStart();
  return result.text;
}

/** Words too common to be worth marking in a passage. */
const commonWords = new Set(
  (
    "a about an and any are as at be by can could do does for from get has have how i if in is it many me " +
    "much my of on or our should tell the their there this to was we what when where which who why will " +
    "with would you your"
  ).split(" "),
);

/** The query's words worth finding in a passage, lowercased, longest first. */
export function searchTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const terms = [...new Set(words)].filter((w) => !commonWords.has(w) && (w.length > 1 || /\d/.test(w)));
  return terms.sort((a, b) => b.length - a.length);
}

export interface TextPiece {
  readonly text: string;
  readonly match: boolean;
}

/**
 * The text cut into pieces, the words that match the query marked: a word matches a term it starts with, so
 * "vacation" marks "vacations" too (the keyword index matches word forms the same way).
 */
export function markSearchTerms(text: string, query: string): TextPiece[] {
  const terms = searchTerms(query);
  if (terms.length === 0) return [{ text, match: false }];
  const pieces: TextPiece[] = [];
  let plain = "";
  for (const token of text.split(/([\p{L}\p{N}]+)/u)) {
    if (token === "") continue;
    const word = token.toLowerCase();
    const match = /[\p{L}\p{N}]/u.test(token) && terms.some((term) => word.startsWith(term));
    if (match) {
      if (plain !== "") pieces.push({ text: plain, match: false });
      plain = "";
      pieces.push({ text: token, match: true });
    } else {
      plain += token;
    }
  }
  if (plain !== "") pieces.push({ text: plain, match: false });
  return pieces;
}
