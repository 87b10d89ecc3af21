/**
 * Knowledge as the studio sees it: knowledge bases, their documents moving through ingestion
 * (upload → parse → embed → index), their versions, retrieval results, and a cited passage read where it
 * sits (the passage, its document's text, its original file); the section of the data layer for them
 * (`KnowledgeSource`), and the platform's upload limit.
 */
import type { Watch } from "./live";
import { PlatformRequestError, type PlatformErrorEnvelope } from "./platform";

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
export const ingestionStages = ["upload", "parse", "embed", "done"] as const;
export type IngestionStage = (typeof ingestionStages)[number];

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

/**
 * One passage as a citation names it (`GET …/chunks/{chunkId}`): its text as the agent read it, where it
 * sits, and the document version it comes from.
 */
export interface Passage {
  readonly id: string;
  readonly kbId: string;
  readonly docId: string;
  readonly docName: string;
  /** `pdf`, `markdown`, `html`, … */
  readonly docType: string;
  /** The version the passage was read from; its offsets count in that version's text. */
  readonly docVersion: number;
  /** The version search uses now (another one means the document changed since). */
  readonly activeVersion: number | null;
  /** The headings above it, then its text. */
  readonly text: string;
  readonly location: PassageLocation;
  /** Where it sits in its version's extracted text (`DocumentText.text`). */
  readonly startOffset: number;
  readonly endOffset: number;
}

/** A document version's extracted text: what passages' offsets count in. */
export interface DocumentText {
  readonly docId: string;
  readonly name: string;
  readonly type: string;
  readonly version: number;
  readonly text: string;
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

/** Knowledge bases, their documents and retrieval (see source.ts for the whole interface). */
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
  /** One passage by the chunk id a citation names; a 404 once its document or its version is gone. */
  getPassage(kbId: string, chunkId: string, signal: AbortSignal): Promise<Passage>;
  /** A document version's extracted text; without a version, the one search uses. */
  getDocumentText(
    kbId: string,
    docId: string,
    version: number | undefined,
    signal: AbortSignal,
  ): Promise<DocumentText>;
  /** A document version's original file, as uploaded; without a version, the one search uses. */
  getDocumentFile(
    kbId: string,
    docId: string,
    version: number | undefined,
    signal?: AbortSignal,
  ): Promise<Blob>;
}

/** The platform's default upload limit (MAX_UPLOAD_BYTES); a platform with a lower one still says so. */
export const maxUploadBytes = 25 * 1024 * 1024;
