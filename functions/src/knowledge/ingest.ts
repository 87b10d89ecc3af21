/**
 * Ingestion: an upload becomes searchable chunks through idempotent steps, each safe to run twice:
 *   upload (API or Cloud Storage) → storage trigger → ingest task (parse, chunk) → embed tasks (one per batch)
 * The document's `status`, `stage` and `progress` are written as it goes. Chunks become searchable only
 * when the last batch is embedded and `activeVersion` flips in one transaction, so nothing half-indexed
 * is ever found. A permanent error, or a transient one on the last attempt, ends in `failed` with a reason.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import { FieldOps, vector, type BlobInfo } from "../platform/ports.js";
import { chunkText } from "./chunk.js";
import { detectType, extractText, safeFileName } from "./parse.js";
import {
  chunkId,
  chunkPath,
  chunkVectorField,
  documentPath,
  knowledgeBasePath,
  knowledgeBasesPath,
  knowledgeBaseSchema,
  knowledgeDocumentSchema,
  parseUploadPath,
  uploadPath,
  type Chunk,
  type KnowledgeBase,
  type KnowledgeDocument,
} from "./schema.js";

/** Queue names are the deployed names of the task functions in knowledge/functions.ts. */
export const ingestQueue = "knowledge-ingestDocument";
export const embedQueue = "knowledge-embedChunks";

/** Retries for both queues; the handlers use `maxAttempts` to know when an attempt is the last. */
export const ingestRetry = {
  maxAttempts: 5,
  minBackoffSeconds: 2,
  maxBackoffSeconds: 120,
  maxDoublings: 5,
} as const;

const chunkWriteBatch = 400;
const embedBatchChunks = 64;

const embedBatchSize = (deps: Deps): number =>
  Math.max(1, Math.min(embedBatchChunks, deps.embedder.maxBatchSize));

export const documentTaskSchema = z.object({
  tenantId: z.string(),
  kbId: z.string(),
  docId: z.string(),
  version: z.number().int().min(1),
});
export type DocumentTask = z.infer<typeof documentTaskSchema>;

export const embedTaskSchema = documentTaskSchema.extend({
  batch: z.number().int().min(0),
  from: z.number().int().min(0),
  to: z.number().int().min(1),
});
export type EmbedTask = z.infer<typeof embedTaskSchema>;

export interface Attempt {
  /** Attempts made before this one. */
  readonly retryCount: number;
  readonly maxAttempts: number;
}

// ---------------------------------------------------------------------------------------------------
// Knowledge bases
// ---------------------------------------------------------------------------------------------------

export const createKnowledgeBaseInput = z.object({
  name: z.string().trim().min(1, "name is required").max(120),
  description: z.string().max(2000).optional(),
});

export async function createKnowledgeBase(
  deps: Deps,
  tenantId: string,
  input: z.infer<typeof createKnowledgeBaseInput>,
): Promise<{ id: string }> {
  const id = deps.ids.newId();
  const now = deps.clock.nowIso();
  const kb: KnowledgeBase = {
    name: input.name,
    description: input.description ?? "",
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.create(`${knowledgeBasesPath(tenantId)}/${id}`, kb);
  return { id };
}

export async function getKnowledgeBase(
  deps: Deps,
  tenantId: string,
  kbId: string,
): Promise<KnowledgeBase & { id: string }> {
  const snap = await deps.store.get(knowledgeBasePath(tenantId, kbId));
  if (!snap) throw new AppError("not-found", `Knowledge base ${kbId} not found`);
  return { id: snap.id, ...knowledgeBaseSchema.parse(snap.data) };
}

// ---------------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------------

export interface DocumentView {
  readonly id: string;
  readonly name: string;
  readonly type: KnowledgeDocument["type"];
  readonly size: number;
  readonly version: number;
  readonly status: KnowledgeDocument["status"];
  readonly stage: KnowledgeDocument["stage"];
  readonly progress: number;
  readonly chunkCount: number;
  readonly error?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function documentView(id: string, d: KnowledgeDocument): DocumentView {
  return {
    id,
    name: d.name,
    type: d.type,
    size: d.size,
    version: d.version,
    status: d.status,
    stage: d.stage,
    progress: Math.round(d.progress * 1000) / 1000,
    chunkCount: d.chunkCount,
    ...(d.error ? { error: d.error } : {}),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

export async function getDocument(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
): Promise<DocumentView> {
  const snap = await deps.store.get(documentPath(tenantId, kbId, docId));
  if (!snap) throw new AppError("not-found", `Document ${docId} not found`);
  return documentView(snap.id, knowledgeDocumentSchema.parse(snap.data));
}

/**
 * Stores an upload and records the document as `queued`. Ingestion starts from the storage trigger,
 * exactly as it does when the studio uploads straight to Cloud Storage.
 */
export async function addDocument(
  deps: Deps,
  tenantId: string,
  kbId: string,
  upload: { fileName: string; bytes: Uint8Array },
): Promise<DocumentView> {
  await getKnowledgeBase(deps, tenantId, kbId);
  const name = safeFileName(upload.fileName);
  if (upload.bytes.byteLength > deps.config.limits.maxUploadBytes) {
    throw new AppError(
      "payload-too-large",
      `"${name}" is ${upload.bytes.byteLength} bytes; the limit is ${deps.config.limits.maxUploadBytes} bytes`,
    );
  }
  const detected = detectType(name, upload.bytes);
  const docId = deps.ids.newId();
  const version = 1;
  const now = deps.clock.nowIso();
  const blobPath = uploadPath(tenantId, kbId, docId, version, name);
  const record: KnowledgeDocument = {
    name,
    type: detected.type,
    contentType: detected.contentType,
    size: upload.bytes.byteLength,
    version,
    activeVersion: null,
    status: "queued",
    stage: "upload",
    progress: 0,
    chunkCount: 0,
    totalBatches: 0,
    embeddedBatches: [],
    blobPath,
    error: null,
    embedder: null,
    createdAt: now,
    updatedAt: now,
  };
  const path = documentPath(tenantId, kbId, docId);
  await deps.store.create(path, record);
  try {
    await deps.blobs.put(blobPath, upload.bytes, {
      contentType: detected.contentType,
      metadata: { tenantId, kbId, docId, version: String(version) },
    });
  } catch (e) {
    log.error("storing an upload failed", { err: e, path: blobPath });
    await markFailed(
      deps,
      { tenantId, kbId, docId, version },
      "The file could not be stored; please upload it again",
    );
    throw new AppError("unavailable", "The file could not be stored; please try again");
  }
  return documentView(docId, record);
}

/** Storage trigger: a finalized upload under a document's folder starts its ingestion (once). */
export async function startIngestion(deps: Deps, object: Pick<BlobInfo, "path">): Promise<void> {
  const ref = parseUploadPath(object.path);
  if (!ref) {
    log.debug("ignoring an object outside knowledge uploads", { path: object.path });
    return;
  }
  const snap = await deps.store.get(documentPath(ref.tenantId, ref.kbId, ref.docId));
  if (!snap) {
    log.warn("an upload has no document record; ignoring it", { path: object.path });
    return;
  }
  const doc = knowledgeDocumentSchema.parse(snap.data);
  if (doc.version !== ref.version || doc.blobPath !== object.path) return; // superseded by a newer upload
  await deps.tasks.enqueue(ingestQueue, ref satisfies DocumentTask, {
    id: `ingest-${ref.docId}-v${ref.version}`,
  });
}

async function loadCurrent(deps: Deps, task: DocumentTask): Promise<KnowledgeDocument | null> {
  const snap = await deps.store.get(documentPath(task.tenantId, task.kbId, task.docId));
  if (!snap) return null;
  const doc = knowledgeDocumentSchema.parse(snap.data);
  // A newer version, a deletion or an earlier failure makes this task stale: it does nothing.
  if (doc.version !== task.version || doc.status === "failed" || doc.status === "ready") return null;
  return doc;
}

export async function markFailed(deps: Deps, task: DocumentTask, reason: string): Promise<void> {
  const path = documentPath(task.tenantId, task.kbId, task.docId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return;
    const doc = knowledgeDocumentSchema.parse(snap.data);
    if (doc.version !== task.version) return;
    tx.update(path, { status: "failed", error: reason, updatedAt: deps.clock.nowIso() });
  });
}

/** Runs one pipeline step; decides between retrying (rethrow) and failing the document for good. */
async function step(
  deps: Deps,
  task: DocumentTask,
  attempt: Attempt,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (e) {
    const permanent =
      isAppError(e) &&
      ["invalid-argument", "unsupported-media-type", "failed-precondition", "payload-too-large"].includes(
        e.code,
      );
    const last = attempt.retryCount + 1 >= attempt.maxAttempts;
    if (permanent || last) {
      const reason = isAppError(e)
        ? e.message
        : "Indexing failed after several attempts; please upload the file again";
      log.warn("document ingestion failed", { err: e, ...task, permanent });
      await markFailed(deps, task, reason);
      return;
    }
    throw e; // transient: the queue retries with backoff
  }
}

/** Task: parse and chunk one document version, then fan out embedding batches. */
export async function ingestDocument(deps: Deps, task: DocumentTask, attempt: Attempt): Promise<void> {
  await step(deps, task, attempt, async () => {
    const doc = await loadCurrent(deps, task);
    if (!doc) return;
    // A retry after the fan-out only re-enqueues the batches: their dedup ids drop those already queued.
    const plan =
      doc.stage === "embed"
        ? { chunkCount: doc.chunkCount, totalBatches: doc.totalBatches }
        : await parseAndChunk(deps, task, doc);
    const perBatch = embedBatchSize(deps);
    for (let b = 0; b < plan.totalBatches; b++) {
      const to = Math.min(plan.chunkCount, (b + 1) * perBatch);
      const payload: EmbedTask = { ...task, batch: b, from: b * perBatch, to };
      await deps.tasks.enqueue(embedQueue, payload, { id: `embed-${task.docId}-v${task.version}-${b}` });
    }
    log.info("document parsed", { ...task, ...plan });
  });
}

async function parseAndChunk(
  deps: Deps,
  task: DocumentTask,
  doc: KnowledgeDocument,
): Promise<{ chunkCount: number; totalBatches: number }> {
  const path = documentPath(task.tenantId, task.kbId, task.docId);
  await deps.store.update(path, {
    status: "processing",
    stage: "parse",
    progress: 0.05,
    updatedAt: deps.clock.nowIso(),
  });
  const blob = await deps.blobs.get(doc.blobPath);
  if (!blob) throw new AppError("failed-precondition", "The uploaded file is missing from storage");
  const chunks = chunkText(extractText(doc.type, blob.data));
  if (chunks.length === 0) throw new AppError("invalid-argument", "The document contains no text to index");

  const now = deps.clock.nowIso();
  for (let i = 0; i < chunks.length; i += chunkWriteBatch) {
    const batch = deps.store.batch();
    chunks.slice(i, i + chunkWriteBatch).forEach((c, j) => {
      const index = i + j;
      const chunk: Chunk = {
        docId: task.docId,
        docVersion: task.version,
        docName: doc.name,
        index,
        text: c.text,
        location: c.location,
        embeddingModel: null,
        createdAt: now,
      };
      batch.set(chunkPath(task.tenantId, task.kbId, chunkId(task.docId, task.version, index)), chunk);
    });
    await batch.commit();
  }
  const plan = { chunkCount: chunks.length, totalBatches: Math.ceil(chunks.length / embedBatchSize(deps)) };
  await deps.store.update(path, {
    stage: "embed",
    progress: 0.2,
    ...plan,
    embeddedBatches: [],
    updatedAt: deps.clock.nowIso(),
  });
  return plan;
}

/** Task: embed one batch of chunks; the last batch to finish makes the version searchable. */
export async function embedChunks(deps: Deps, task: EmbedTask, attempt: Attempt): Promise<void> {
  await step(deps, task, attempt, async () => {
    const doc = await loadCurrent(deps, task);
    if (!doc || doc.embeddedBatches.includes(task.batch)) return;
    const paths: string[] = [];
    for (let i = task.from; i < task.to; i++)
      paths.push(chunkPath(task.tenantId, task.kbId, chunkId(task.docId, task.version, i)));
    const snaps = await deps.store.getAll(paths);
    const texts = snaps.map((s, i) => {
      if (!s)
        throw new AppError(
          "failed-precondition",
          `Chunk ${paths[i]} is missing; the document must be re-ingested`,
        );
      return (s.data as Chunk).text;
    });
    const vectors = await deps.embedder.embed(texts, { kind: "document" });
    const info = deps.embedder.info;
    const batch = deps.store.batch();
    paths.forEach((p, i) =>
      batch.update(p, {
        [chunkVectorField]: vector(vectors[i] as number[]),
        embeddingModel: `${info.model}@${info.version}`,
      }),
    );
    await batch.commit();

    const path = documentPath(task.tenantId, task.kbId, task.docId);
    await deps.store.runTransaction(async (tx) => {
      const snap = await tx.get(path);
      if (!snap) return;
      const current = knowledgeDocumentSchema.parse(snap.data);
      if (current.version !== task.version || current.status !== "processing") return;
      if (current.embeddedBatches.includes(task.batch)) return;
      const done = current.embeddedBatches.length + 1;
      const now = deps.clock.nowIso();
      if (done >= current.totalBatches) {
        tx.update(path, {
          embeddedBatches: FieldOps.arrayUnion(task.batch),
          status: "ready",
          stage: "done",
          progress: 1,
          activeVersion: task.version,
          embedder: { model: info.model, version: info.version, dimensions: info.dimensions },
          updatedAt: now,
        });
      } else {
        tx.update(path, {
          embeddedBatches: FieldOps.arrayUnion(task.batch),
          progress: 0.2 + (0.8 * done) / current.totalBatches,
          updatedAt: now,
        });
      }
    });
  });
}
