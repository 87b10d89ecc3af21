/**
 * Knowledge over the platform's REST API: live listings over server-sent events, uploads with progress (one
 * file, or several in one request), and the reading of the answers, checked at the edge so screens can trust
 * every field. Firebase mode reads knowledge from Firestore and runs the same parsers over the same bodies.
 */
import {
  documentStatuses,
  ingestionStages,
  RetryLaterError,
  type DocumentStatus,
  type DocumentVersion,
  type IngestionStage,
  type KnowledgeBase,
  type KnowledgeDocument,
  type DocumentText,
  type KnowledgeSource,
  type Passage,
  type PassageLocation,
  type SearchResult,
  type UploadBatching,
  type UploadedDocument,
  type UploadOutcome,
} from "../knowledge";
import { isRecord, PlatformRequestError, platformErrorEnvelope, sendPlatformRequest } from "../platform";
import { asSignedIn, requestAsSignedIn } from "../session";
import { watchOverRest } from "./live";
import {
  field,
  isBoolean,
  isNullableNumber,
  isNumber,
  isString,
  isStringArray,
  list,
  optional,
  parseCreatedId,
  parseWith,
  record,
  ShapeError,
} from "./shape";

// ----- paths ----------------------------------------------------------------------------------------

export const knowledgeBasesPath = "/v1/knowledge-bases";
export const knowledgeBasePath = (kbId: string) => `${knowledgeBasesPath}/${encodeURIComponent(kbId)}`;
export const documentsPath = (kbId: string) => `${knowledgeBasePath(kbId)}/documents`;
export const documentPath = (kbId: string, docId: string) =>
  `${documentsPath(kbId)}/${encodeURIComponent(docId)}`;
export const passagePath = (kbId: string, chunkId: string) =>
  `${knowledgeBasePath(kbId)}/chunks/${encodeURIComponent(chunkId)}`;
/** A document version's `text` or `file`; without a version, the one search uses. */
export const documentVersionPath = (
  kbId: string,
  docId: string,
  what: "text" | "file",
  version: number | undefined,
) => `${documentPath(kbId, docId)}/${what}${version === undefined ? "" : `?version=${version}`}`;

/** How many passages "try a search" shows. */
const searchResultCount = 8;

/**
 * What the REST source groups into one request. The platform takes up to MAX_UPLOAD_FILES (1000 by default)
 * files in a body of at most MAX_UPLOAD_BYTES + 1 MB (26 MB by default); a batch stays far below both, so a
 * platform configured lower still takes it, and small enough that its bar moves, a cancel or a dropped
 * connection re-sends little, and the platform answers it (one document at a time) within seconds: 100
 * files or 4 MB. 485 small files are then 5 requests instead of 485.
 */
export const restUploadBatching: UploadBatching = { maxFiles: 100, maxBytes: 4 * 1024 * 1024 };

export const restKnowledge: KnowledgeSource = {
  watchKnowledgeBases: () =>
    watchOverRest(knowledgeBasesPath, (body) => parseKnowledgeBases(body, knowledgeBasesPath)),
  async getKnowledgeBase(kbId, signal) {
    const path = knowledgeBasePath(kbId);
    return parseKnowledgeBase(await requestAsSignedIn(path, { signal }), path);
  },
  async createKnowledgeBase(input) {
    const path = knowledgeBasesPath;
    return parseCreatedId(await requestAsSignedIn(path, { method: "POST", body: input }), path);
  },
  watchDocuments(kbId) {
    const path = documentsPath(kbId);
    return watchOverRest(path, (body) => parseDocuments(body, path));
  },
  async uploadDocument(kbId, file, onProgress, signal) {
    const path = documentsPath(kbId);
    const form = new FormData();
    form.append("file", file, file.name);
    const report = (loaded: number, total: number) => {
      const [sent = 0] = filesSent([file.size], loaded, total);
      onProgress({ sent, total: file.size });
    };
    const body = await asSignedIn(path, (token) => sendForm(path, form, token, report, signal));
    return parseUploadedDocument(body, path);
  },
  uploadBatching: restUploadBatching,
  async uploadDocuments(kbId, files, onProgress, signal) {
    if (files.length === 0) return [];
    const path = documentsPath(kbId);
    // Repeated `files` parts: the platform answers one result per file, in this order.
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    const sizes = files.map((file) => file.size);
    const reported = sizes.map(() => -1);
    const report = (loaded: number, total: number) => {
      filesSent(sizes, loaded, total).forEach((sent, index) => {
        if (sent === reported[index]) return;
        reported[index] = sent;
        onProgress(index, { sent, total: sizes[index] ?? 0 });
      });
    };
    const body = await asSignedIn(path, (token) => sendForm(path, form, token, report, signal));
    return parseUploadBatch(body, path, files);
  },
  async deleteDocument(kbId, docId) {
    await requestAsSignedIn(documentPath(kbId, docId), { method: "DELETE" });
  },
  async restoreDocumentVersion(kbId, docId, version) {
    const path = `${documentPath(kbId, docId)}/restore`;
    const answer = await requestAsSignedIn(path, { method: "POST", body: { version } });
    return parseDocument(answer, `POST ${path}`, path);
  },
  async searchKnowledgeBase(kbId, query, signal) {
    const path = `${knowledgeBasePath(kbId)}/search`;
    const answer = await requestAsSignedIn(path, {
      method: "POST",
      body: { query, k: searchResultCount },
      signal,
    });
    return parseSearchResults(answer, path);
  },
  async getPassage(kbId, chunkId, signal) {
    const path = passagePath(kbId, chunkId);
    return parsePassage(await requestAsSignedIn(path, { signal }), path);
  },
  async getDocumentText(kbId, docId, version, signal) {
    const path = documentVersionPath(kbId, docId, "text", version);
    return parseDocumentText(await requestAsSignedIn(path, { signal }), path);
  },
  async getDocumentFile(kbId, docId, version, signal) {
    const path = documentVersionPath(kbId, docId, "file", version);
    const response = await asSignedIn(path, (token) =>
      sendPlatformRequest(path, { token, accept: "*/*", ...(signal ? { signal } : {}) }),
    );
    return response.blob();
  },
};

/**
 * Each file's bytes sent, from the request's: parts are sent in order, so the bytes sent so far fill the
 * files one after the other. The multipart framing (a few hundred bytes a part) is spread over the files
 * in proportion, so the last file reads 100% only once the whole body is sent.
 */
export function filesSent(sizes: readonly number[], loaded: number, total: number): number[] {
  const bytes = sizes.reduce((sum, size) => sum + size, 0);
  const share = total > 0 ? Math.min(1, Math.max(0, loaded / total)) : 0;
  let left = Math.round(share * bytes);
  return sizes.map((size) => {
    const sent = Math.min(size, left);
    left -= sent;
    return sent;
  });
}

/** `Retry-After` in seconds (the header, else the error's `details.retryAfterSeconds`), at least 1. */
function retryAfterSeconds(header: string | null, body: unknown): number {
  const fromHeader = header === null ? Number.NaN : Number(header.trim());
  const details = isRecord(body) && isRecord(body.error) ? body.error.details : undefined;
  const fromBody = isRecord(details) ? Number(details.retryAfterSeconds) : Number.NaN;
  const seconds = Number.isFinite(fromHeader) ? fromHeader : fromBody;
  // No hint (a proxy's 429): wait a little rather than not at all; a huge one is capped at ten minutes.
  return Number.isFinite(seconds) ? Math.min(600, Math.max(1, Math.ceil(seconds))) : 10;
}

/**
 * Posts a multipart form. XMLHttpRequest rather than `fetch`: only it reports the bytes sent as they go
 * (`onProgress(loaded, total)` of the whole body). Failures are the same `PlatformRequestError`s
 * `sendPlatformRequest` answers, a 429 a `RetryLaterError`; a cancelled upload rejects with the
 * `AbortError` fetch would.
 */
function sendForm(
  path: string,
  form: FormData,
  token: string,
  onProgress: (loaded: number, total: number) => void,
  signal: AbortSignal,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const aborted = () => new DOMException("The upload was cancelled.", "AbortError");
    if (signal.aborted) {
      reject(aborted());
      return;
    }
    const xhr = new XMLHttpRequest();
    const cancel = () => xhr.abort();
    signal.addEventListener("abort", cancel, { once: true });
    const settle = () => signal.removeEventListener("abort", cancel);

    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      settle();
      const body = readJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        if (body === undefined) {
          reject(
            new PlatformRequestError("invalid-response", path, `POST ${path} did not answer with JSON.`),
          );
        } else {
          resolve(body);
        }
        return;
      }
      const envelope = platformErrorEnvelope(body);
      if (!envelope.reason && (xhr.status === 502 || xhr.status === 504)) {
        reject(
          new PlatformRequestError(
            "network",
            path,
            `POST ${path} got no response from the platform (the proxy answered HTTP ${xhr.status}).`,
            xhr.status,
          ),
        );
        return;
      }
      const explained = envelope.reason ? `: ${envelope.reason}` : ".";
      const message = `POST ${path} answered HTTP ${xhr.status}${explained}`;
      if (xhr.status === 429) {
        const seconds = retryAfterSeconds(xhr.getResponseHeader("Retry-After"), body);
        reject(new RetryLaterError(path, message, envelope, seconds));
        return;
      }
      reject(new PlatformRequestError("http", path, message, xhr.status, envelope));
    };
    xhr.onerror = () => {
      settle();
      reject(new PlatformRequestError("network", path, `POST ${path} got no response.`));
    };
    xhr.onabort = () => {
      settle();
      reject(aborted());
    };
    xhr.send(form);
  });
}

function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
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
const isStage = (v: unknown): v is IngestionStage =>
  isString(v) && (ingestionStages as readonly string[]).includes(v);

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

export function parsePassage(body: unknown, path: string): Passage {
  return parseWith(
    () => {
      const passage = record(body, "body");
      const location = record(passage.location, "location");
      return {
        id: field(passage, "id", isString),
        kbId: field(passage, "kbId", isString),
        docId: field(passage, "docId", isString),
        docName: field(passage, "docName", isString),
        docType: field(passage, "docType", isString),
        docVersion: field(passage, "docVersion", isNumber),
        activeVersion: field(passage, "activeVersion", isNullableNumber),
        text: field(passage, "text", isString),
        location: parseLocation(location),
        startOffset: field(location, "startOffset", isNumber),
        endOffset: field(location, "endOffset", isNumber),
      };
    },
    `GET ${path}`,
    path,
    "a passage",
  );
}

export function parseDocumentText(body: unknown, path: string): DocumentText {
  return parseWith(
    () => {
      const text = record(body, "body");
      return {
        docId: field(text, "docId", isString),
        name: field(text, "name", isString),
        type: field(text, "type", isString),
        version: field(text, "version", isNumber),
        text: field(text, "text", isString),
      };
    },
    `GET ${path}`,
    path,
    "a document's text",
  );
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
