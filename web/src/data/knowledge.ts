/**
 * Knowledge as the studio sees it: knowledge bases, their documents moving through ingestion
 * (upload → parse → embed → index), their versions, and retrieval results. The platform's shapes are checked
 * here, at the edge, so screens can trust every field; the section of the data layer (`KnowledgeSource`) and
 * the hooks pages read it with follow.
 */
import { useCallback, useMemo } from "react";
import { useLiveData, type Watch } from "./live";
import { knowledgeBasesPath } from "./knowledgeBases";
import {
  field,
  isBoolean,
  isNullableNumber,
  isNumber,
  isString,
  isStringArray,
  list,
  optional,
  parseWith,
  record,
  ShapeError,
} from "./shape";
import { PlatformRequestError, type PlatformErrorEnvelope } from "./platform";
import { useStudio } from "./studio";
import { useRemoteData, type RemoteData } from "./useRemoteData";

// ----- types ----------------------------------------------------------------------------------------

export interface KnowledgeBase {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Documents with a searchable version. */
  readonly documentCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface KnowledgeBaseInput {
  readonly name: string;
  readonly description: string;
}

export const documentStatuses = ["queued", "processing", "ready", "failed", "deleting"] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

/** Where ingestion is: `upload` (stored, waiting to be read), `parse`, `embed`, `done`. */
export type IngestionStage = "upload" | "parse" | "embed" | "done";
const ingestionStages: readonly string[] = ["upload", "parse", "embed", "done"];

export interface DocumentVersion {
  readonly version: number;
  readonly size: number;
  readonly createdAt: string;
  /** Set when this version is a restored copy of an earlier one. */
  readonly restoredFrom: number | null;
}

export interface KnowledgeDocument {
  readonly id: string;
  readonly name: string;
  /** `pdf`, `docx`, `text`, `markdown`, `html`, `csv`, `json`. */
  readonly type: string;
  readonly size: number;
  /** The newest version (the one `status` is about). */
  readonly version: number;
  /** The version search uses; null until a first version is ready. */
  readonly activeVersion: number | null;
  readonly status: DocumentStatus;
  readonly stage: IngestionStage;
  /** 0..1 through the whole ingestion. */
  readonly progress: number;
  /** Searchable passages of the newest version, once ready. */
  readonly chunkCount: number;
  readonly tags: readonly string[];
  /** Why ingestion failed, in the platform's words (written for people). */
  readonly error: string | null;
  /** Oldest first. */
  readonly versions: readonly DocumentVersion[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface UploadedDocument extends KnowledgeDocument {
  /** The same bytes were already the newest version: nothing new was stored. */
  readonly duplicate: boolean;
}

export interface PassageLocation {
  /** Headings above the passage, outermost first. */
  readonly headingPath: readonly string[];
  readonly page: number | null;
  readonly pageEnd: number | null;
  readonly row: number | null;
  readonly rowEnd: number | null;
}

export interface SearchResult {
  readonly docId: string;
  readonly docName: string;
  readonly chunkId: string;
  readonly text: string;
  /** Evidence strength, 0..1 (what results are ordered by). */
  readonly score: number;
  readonly location: PassageLocation;
}

/** Bytes of a file sent so far, as the browser reports them. */
export interface UploadProgress {
  readonly sent: number;
  readonly total: number;
}

/** One file's outcome in an upload of several: its document, or why the platform refused that file. */
export type UploadOutcome =
  | { readonly ok: true; readonly document: UploadedDocument }
  | { readonly ok: false; readonly error: PlatformRequestError };

/** How many files (and bytes) one `uploadDocuments` call should carry; a `maxFiles` of 1 sends each alone. */
export interface UploadBatching {
  readonly maxFiles: number;
  readonly maxBytes: number;
}

/**
 * The platform refused for now (429, its upload budget is spent): the same request may be sent again after
 * `retryAfterSeconds` (its `Retry-After`).
 */
export class RetryLaterError extends PlatformRequestError {
  constructor(
    path: string,
    message: string,
    envelope: PlatformErrorEnvelope,
    readonly retryAfterSeconds: number,
  ) {
    super("http", path, message, 429, envelope);
  }
}

// ----- the data layer's section ---------------------------------------------------------------------

/** Knowledge bases, their documents and retrieval (see studio.ts for the whole interface). */
export interface KnowledgeSource {
  /** The workspace's knowledge bases, most recently changed first, live. */
  watchKnowledgeBases(): Watch<KnowledgeBase[]>;
  getKnowledgeBase(kbId: string, signal: AbortSignal): Promise<KnowledgeBase>;
  createKnowledgeBase(input: KnowledgeBaseInput): Promise<{ id: string }>;
  /** A knowledge base's documents by name, live: each moves through ingestion as it is processed. */
  watchDocuments(kbId: string): Watch<KnowledgeDocument[]>;
  /**
   * Sends one file; a file with the name of an existing document becomes its next version. `onProgress`
   * follows the bytes sent; the answer is the document, queued for ingestion.
   */
  uploadDocument(
    kbId: string,
    file: File,
    onProgress: (progress: UploadProgress) => void,
    signal: AbortSignal,
  ): Promise<UploadedDocument>;
  /** How the upload queue should group files into `uploadDocuments` calls for this source. */
  readonly uploadBatching: UploadBatching;
  /**
   * Sends several files, each becoming a document (or the next version of one) as `uploadDocument` does.
   * Resolves with one outcome per file, in the order given: a file the platform refused does not stop the
   * others. Rejects when the request failed as a whole (no answer, signed out, the knowledge base is gone,
   * the upload budget is spent: a `RetryLaterError`). `onProgress` follows each file's bytes by its index.
   */
  uploadDocuments(
    kbId: string,
    files: readonly File[],
    onProgress: (index: number, progress: UploadProgress) => void,
    signal: AbortSignal,
  ): Promise<UploadOutcome[]>;
  /** Removes the document with all its versions and passages. */
  deleteDocument(kbId: string, docId: string): Promise<void>;
  /** Indexes an earlier version's file again, as the newest version. */
  restoreDocumentVersion(kbId: string, docId: string, version: number): Promise<KnowledgeDocument>;
  searchKnowledgeBase(kbId: string, query: string, signal: AbortSignal): Promise<SearchResult[]>;
}

// ----- hooks ----------------------------------------------------------------------------------------

export function useKnowledgeBaseList(): RemoteData<KnowledgeBase[]> {
  const source = useStudio();
  const watch = useMemo(() => source.watchKnowledgeBases(), [source]);
  return useLiveData(watch);
}

export function useKnowledgeBase(kbId: string): RemoteData<KnowledgeBase> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getKnowledgeBase(kbId, signal), [source, kbId]);
  return useRemoteData(load);
}

export function useDocuments(kbId: string): RemoteData<KnowledgeDocument[]> {
  const source = useStudio();
  const watch = useMemo(() => source.watchDocuments(kbId), [source, kbId]);
  return useLiveData(watch);
}

// ----- paths ----------------------------------------------------------------------------------------

export const knowledgeBasePath = (kbId: string) => `${knowledgeBasesPath}/${encodeURIComponent(kbId)}`;
export const documentsPath = (kbId: string) => `${knowledgeBasePath(kbId)}/documents`;
export const documentPath = (kbId: string, docId: string) =>
  `${documentsPath(kbId)}/${encodeURIComponent(docId)}`;

// ----- what can be uploaded (the platform's rules, repeated to refuse a file before sending it) ------

/** The platform's default upload limit (MAX_UPLOAD_BYTES); a platform with a lower one still says so. */
export const maxUploadBytes = 25 * 1024 * 1024;

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

// ----- presentation ---------------------------------------------------------------------------------

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

// ----- parsing --------------------------------------------------------------------------------------

function parseKnowledgeBaseRecord(value: unknown): KnowledgeBase {
  const kb = record(value, "knowledge base");
  return {
    id: field(kb, "id", isString),
    name: field(kb, "name", isString),
    description: optional(kb, "description", isString, ""),
    documentCount: optional(kb, "documentCount", isNumber, 0),
    createdAt: field(kb, "createdAt", isString),
    updatedAt: field(kb, "updatedAt", isString),
  };
}

const isStatus = (v: unknown): v is DocumentStatus =>
  isString(v) && (documentStatuses as readonly string[]).includes(v);
const isStage = (v: unknown): v is IngestionStage => isString(v) && ingestionStages.includes(v);

function parseVersionRecord(value: unknown): DocumentVersion {
  const version = record(value, "versions");
  return {
    version: field(version, "version", isNumber),
    size: field(version, "size", isNumber),
    createdAt: field(version, "createdAt", isString),
    restoredFrom: optional(version, "restoredFrom", isNumber, null),
  };
}

function parseDocumentRecord(value: unknown): KnowledgeDocument {
  const doc = record(value, "document");
  return {
    id: field(doc, "id", isString),
    name: field(doc, "name", isString),
    type: field(doc, "type", isString),
    size: field(doc, "size", isNumber),
    version: field(doc, "version", isNumber),
    activeVersion: field(doc, "activeVersion", isNullableNumber),
    status: field(doc, "status", isStatus),
    stage: field(doc, "stage", isStage),
    progress: field(doc, "progress", isNumber),
    chunkCount: optional(doc, "chunkCount", isNumber, 0),
    tags: optional(doc, "tags", isStringArray, []),
    error: optional(doc, "error", isString, null),
    versions: field(doc, "versions", Array.isArray).map(parseVersionRecord),
    createdAt: field(doc, "createdAt", isString),
    updatedAt: field(doc, "updatedAt", isString),
  };
}

function parseLocation(value: unknown): PassageLocation {
  const location = record(value, "location");
  return {
    headingPath: optional(location, "headingPath", isStringArray, []),
    page: optional(location, "page", isNumber, null),
    pageEnd: optional(location, "pageEnd", isNumber, null),
    row: optional(location, "row", isNumber, null),
    rowEnd: optional(location, "rowEnd", isNumber, null),
  };
}

function parseSearchResultRecord(value: unknown): SearchResult {
  const result = record(value, "results");
  return {
    docId: field(result, "docId", isString),
    docName: field(result, "docName", isString),
    chunkId: field(result, "chunkId", isString),
    text: field(result, "text", isString),
    score: field(result, "score", isNumber),
    location: parseLocation(result.location),
  };
}

export function parseKnowledgeBases(body: unknown, path: string): KnowledgeBase[] {
  return parseWith(
    () => list(body, "knowledgeBases").map(parseKnowledgeBaseRecord),
    `GET ${path}`,
    path,
    "a list of knowledge bases",
  );
}

export function parseKnowledgeBase(body: unknown, path: string): KnowledgeBase {
  return parseWith(() => parseKnowledgeBaseRecord(body), `GET ${path}`, path, "a knowledge base");
}

export function parseDocuments(body: unknown, path: string): KnowledgeDocument[] {
  return parseWith(
    () => list(body, "documents").map(parseDocumentRecord),
    `GET ${path}`,
    path,
    "a list of documents",
  );
}

export function parseDocument(body: unknown, request: string, path: string): KnowledgeDocument {
  return parseWith(() => parseDocumentRecord(body), request, path, "a document");
}

function parseUploadedDocumentRecord(value: unknown): UploadedDocument {
  return {
    ...parseDocumentRecord(value),
    duplicate: optional(record(value, "document"), "duplicate", isBoolean, false),
  };
}

export function parseUploadedDocument(body: unknown, path: string): UploadedDocument {
  return parseWith(() => parseUploadedDocumentRecord(body), `POST ${path}`, path, "a document");
}

/**
 * The answer to an upload of several files (202, or 207 when some were refused): one result per file in the
 * order sent, each the document or the platform's reason for refusing that file, which becomes its error.
 */
export function parseUploadBatch(
  body: unknown,
  path: string,
  files: readonly { readonly name: string }[],
): UploadOutcome[] {
  const request = `POST ${path}`;
  return parseWith(
    () => {
      const results = list(body, "results");
      if (results.length !== files.length) {
        throw new ShapeError(`results: ${results.length} for ${files.length} files`);
      }
      return results.map((value, index): UploadOutcome => {
        const result = record(value, "results");
        if (result.document !== undefined) {
          return { ok: true, document: parseUploadedDocumentRecord(result.document) };
        }
        const refusal = record(result.error, "results.error");
        const code = field(refusal, "code", isString);
        const reason = field(refusal, "message", isString);
        const fileName = optional(result, "fileName", isString, files[index]?.name ?? "");
        const message = `${request} refused "${fileName}": ${reason}`;
        return {
          ok: false,
          error: new PlatformRequestError("http", path, message, undefined, { code, reason }),
        };
      });
    },
    request,
    path,
    "one result per file",
  );
}

export function parseSearchResults(body: unknown, path: string): SearchResult[] {
  return parseWith(
    () => list(body, "results").map(parseSearchResultRecord),
    `POST ${path}`,
    path,
    "a list of search results",
  );
}

export function parseCreatedKnowledgeBase(body: unknown, path: string): { id: string } {
  return parseWith(
    () => ({ id: field(record(body, "body"), "id", isString) }),
    `POST ${path}`,
    path,
    "an id",
  );
}
