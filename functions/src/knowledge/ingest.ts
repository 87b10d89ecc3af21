/**
 * Ingestion: an upload becomes searchable chunks through idempotent steps, each safe to run twice:
 *   upload (API or Cloud Storage) → storage trigger → ingest task (parse, chunk) → embed tasks (one per batch)
 * The document's `status`, `stage` and `progress` are written as it goes. A version becomes searchable
 * only when its last batch is embedded: one transaction marks it ready and flips the knowledge base's
 * `active` entry, so nothing half-indexed is ever found, and the previous version's chunks are removed
 * after. A permanent error, or a transient one on the last attempt, ends in `failed` with a reason.
 * When the embedding model changes, the active version is re-embedded by the same tasks.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import { FieldOps, vector, type BlobInfo } from "../platform/ports.js";
import { chunkDocument } from "./chunk.js";
import { markFailed, registerDirectUpload } from "./documents.js";
import { parseDocument } from "./parse.js";
import {
  chunkBatchesPath,
  chunkBatchPath,
  chunkBatchSchema,
  chunkId,
  chunksPath,
  chunkVectorField,
  documentPath,
  knowledgeBasePath,
  knowledgeDocumentSchema,
  parseUploadPath,
  type Chunk,
  type ChunkBatch,
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

/** Batch documents per commit: ~64 chunks each keeps a commit well under Firestore's 10 MiB request limit. */
const batchDocsPerCommit = 16;
const embedBatchChunks = 64;

const embedBatchSize = (deps: Deps): number =>
  Math.max(1, Math.min(embedBatchChunks, deps.embedder.maxBatchSize));

/** How chunk vectors name their model: vectors of two models are never compared. */
export const embeddingModelId = (deps: Deps): string =>
  `${deps.embedder.info.model}@${deps.embedder.info.version}/${deps.embedder.info.dimensions}`;

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
  /** `index` embeds a new version; `reembed` replaces the active version's vectors for a new model. */
  purpose: z.enum(["index", "reembed"]).default("index"),
});
export type EmbedTask = z.infer<typeof embedTaskSchema>;

export interface Attempt {
  /** Attempts made before this one. */
  readonly retryCount: number;
  readonly maxAttempts: number;
}

/** Storage trigger: a finalized upload under a document's folder starts its ingestion (once). */
export async function startIngestion(deps: Deps, object: BlobInfo): Promise<void> {
  const ref = parseUploadPath(object.path);
  if (!ref) {
    log.debug("ignoring an object outside knowledge uploads", { path: object.path });
    return;
  }
  let snap = await deps.store.get(documentPath(ref.tenantId, ref.kbId, ref.docId));
  if (!snap) {
    if (!(await registerDirectUpload(deps, ref, object))) {
      log.warn("an upload has no document record and cannot be accepted; ignoring it", { path: object.path });
      return;
    }
    snap = await deps.store.get(documentPath(ref.tenantId, ref.kbId, ref.docId));
    if (!snap) return;
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
  if (doc.version !== task.version || !["queued", "processing"].includes(doc.status)) return null;
  return doc;
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

async function enqueueBatches(
  deps: Deps,
  task: DocumentTask,
  chunkCount: number,
  purpose: EmbedTask["purpose"],
): Promise<number> {
  const perBatch = embedBatchSize(deps);
  const totalBatches = Math.ceil(chunkCount / perBatch);
  const tag = purpose === "reembed" ? `reembed-${embeddingModelId(deps).replace(/[^\w-]/g, "_")}` : "embed";
  for (let b = 0; b < totalBatches; b++) {
    const to = Math.min(chunkCount, (b + 1) * perBatch);
    const payload: EmbedTask = { ...task, batch: b, from: b * perBatch, to, purpose };
    await deps.tasks.enqueue(embedQueue, payload, { id: `${tag}-${task.docId}-v${task.version}-${b}` });
  }
  return totalBatches;
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
    await enqueueBatches(deps, task, plan.chunkCount, "index");
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
  const chunks = chunkDocument(await parseDocument(doc.type, blob.data));
  if (chunks.length === 0) throw new AppError("invalid-argument", "The document contains no text to index");

  const perBatch = embedBatchSize(deps);
  const batches: ChunkBatch[] = [];
  for (let i = 0, b = 0; i < chunks.length; i += perBatch, b++) {
    batches.push({
      version: task.version,
      batch: b,
      chunks: chunks
        .slice(i, i + perBatch)
        .map((c, j) => ({ index: i + j, text: c.text, location: c.location })),
    });
  }
  for (let i = 0; i < batches.length; i += batchDocsPerCommit) {
    const commit = deps.store.batch();
    for (const b of batches.slice(i, i + batchDocsPerCommit)) {
      commit.set(chunkBatchPath(task.tenantId, task.kbId, task.docId, task.version, b.batch), b);
    }
    await commit.commit();
  }
  const plan = { chunkCount: chunks.length, totalBatches: batches.length };
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
  if (task.purpose === "reembed") {
    await reembedBatch(deps, task);
    return;
  }
  await step(deps, task, attempt, async () => {
    const doc = await loadCurrent(deps, task);
    if (!doc || doc.embeddedBatches.includes(task.batch)) return;
    await embedRange(deps, task, doc);

    const path = documentPath(task.tenantId, task.kbId, task.docId);
    const kbPath = knowledgeBasePath(task.tenantId, task.kbId);
    const info = deps.embedder.info;
    const became = await deps.store.runTransaction(async (tx) => {
      const snap = await tx.get(path);
      if (!snap) return null;
      const current = knowledgeDocumentSchema.parse(snap.data);
      if (current.version !== task.version || current.status !== "processing") return null;
      if (current.embeddedBatches.includes(task.batch)) return null;
      const done = current.embeddedBatches.length + 1;
      const now = deps.clock.nowIso();
      if (done < current.totalBatches) {
        tx.update(path, {
          embeddedBatches: FieldOps.arrayUnion(task.batch),
          progress: 0.2 + (0.8 * done) / current.totalBatches,
          updatedAt: now,
        });
        return null;
      }
      tx.update(path, {
        embeddedBatches: FieldOps.arrayUnion(task.batch),
        status: "ready",
        stage: "done",
        progress: 1,
        activeVersion: task.version,
        embedder: { model: info.model, version: info.version, dimensions: info.dimensions },
        updatedAt: now,
      });
      tx.update(kbPath, {
        [`active.${task.docId}`]: { version: task.version, model: embeddingModelId(deps) },
        updatedAt: now,
      });
      return current;
    });
    if (became) await removeOtherVersions(deps, task);
  });
}

/**
 * Embeds one batch of a version's chunks, writes each chunk once (text, location and vector) and indexes
 * its text for keyword search. A new version's chunks come from the batch document the ingest task wrote;
 * re-embedding reads the existing chunks.
 */
async function embedRange(deps: Deps, task: EmbedTask, doc: KnowledgeDocument): Promise<void> {
  const scope = chunksPath(task.tenantId, task.kbId);
  let chunks: { id: string; data: Chunk }[];
  if (task.purpose === "reembed") {
    const paths: string[] = [];
    for (let i = task.from; i < task.to; i++) paths.push(`${scope}/${chunkId(task.docId, task.version, i)}`);
    chunks = (await deps.store.getAll<Chunk>(paths)).map((s, i) => {
      if (!s)
        throw new AppError("failed-precondition", `Chunk ${paths[i]} is missing; upload the document again`);
      return { id: s.id, data: s.data };
    });
  } else {
    const snap = await deps.store.get(
      chunkBatchPath(task.tenantId, task.kbId, task.docId, task.version, task.batch),
    );
    if (!snap)
      throw new AppError(
        "failed-precondition",
        "A batch of parsed text is missing; upload the document again",
      );
    const now = deps.clock.nowIso();
    chunks = chunkBatchSchema.parse(snap.data).chunks.map((c) => ({
      id: chunkId(task.docId, task.version, c.index),
      data: {
        docId: task.docId,
        docVersion: task.version,
        docName: doc.name,
        index: c.index,
        text: c.text,
        location: c.location,
        embeddingModel: null,
        tags: doc.tags,
        createdAt: now,
      },
    }));
  }
  const vectors = await deps.embedder.embed(
    chunks.map((c) => c.data.text),
    { kind: "document" },
  );
  const model = embeddingModelId(deps);
  const batch = deps.store.batch();
  chunks.forEach((c, i) =>
    batch.set(`${scope}/${c.id}`, {
      ...c.data,
      [chunkVectorField]: vector(vectors[i] as number[]),
      embeddingModel: model,
    }),
  );
  await batch.commit();
  await deps.keywords.upsert(
    scope,
    chunks.map((c) => ({ id: c.id, group: task.docId, text: c.data.text })),
  );
}

/**
 * After a version becomes active, the chunks of older versions go (search already ignores them),
 * and so do the parsed batches, which were only needed until now.
 */
async function removeOtherVersions(deps: Deps, task: DocumentTask): Promise<void> {
  // Only this version's and older ones: a newer upload may already be parsing into its own batches.
  const batches = await deps.store.query({
    collection: chunkBatchesPath(task.tenantId, task.kbId, task.docId),
    where: [{ field: "version", op: "<=", value: task.version }],
  });
  for (let i = 0; i < batches.length; i += 400) {
    const commit = deps.store.batch();
    for (const b of batches.slice(i, i + 400)) commit.delete(b.path);
    await commit.commit();
  }
  // A first version has no older chunks (a deleted document's chunks go before its record does): skip the
  // query, which in local mode scans the knowledge base's chunks and made bulk uploads slow down as the
  // base grew (measured with the agent bench: 0.21 MB/s over 1,433 uploads).
  if (task.version === 1) return;
  const scope = chunksPath(task.tenantId, task.kbId);
  for (;;) {
    const stale = await deps.store.query({
      collection: scope,
      where: [
        { field: "docId", op: "==", value: task.docId },
        { field: "docVersion", op: "<", value: task.version },
      ],
      limit: 400,
    });
    if (stale.length === 0) return;
    const batch = deps.store.batch();
    for (const c of stale) batch.delete(c.path);
    await batch.commit();
    await deps.keywords.remove(
      scope,
      stale.map((c) => c.id),
    );
  }
}

/**
 * The embedding model changed: queue re-embedding of a document's active version. Until it finishes,
 * vector search skips that document's chunks (keyword search still finds them); vectors are never mixed.
 */
export async function requestReembedding(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
): Promise<void> {
  // Searches keep asking while the work runs; one request per document and model per process is enough
  // (another instance asking again finds the job recorded and does nothing).
  const key = `${tenantId}/${kbId}/${docId}/${embeddingModelId(deps)}`;
  if (reembeddingRequested.has(key)) return;
  if (reembeddingRequested.size >= 10_000) reembeddingRequested.clear();
  reembeddingRequested.add(key);
  try {
    await startReembedding(deps, tenantId, kbId, docId);
  } catch (e) {
    reembeddingRequested.delete(key);
    throw e;
  }
}

const reembeddingRequested = new Set<string>();

async function startReembedding(deps: Deps, tenantId: string, kbId: string, docId: string): Promise<void> {
  const path = documentPath(tenantId, kbId, docId);
  const model = deps.embedder.info;
  const started = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return null;
    const doc = knowledgeDocumentSchema.parse(snap.data);
    if (doc.activeVersion === null || doc.status === "deleting") return null;
    const job = doc.reembedding;
    if (
      job &&
      job.model === model.model &&
      job.version === model.version &&
      job.dimensions === model.dimensions
    ) {
      return null;
    }
    const activeChunks = doc.activeVersion === doc.version ? doc.chunkCount : null;
    if (activeChunks === null) return null; // a newer version is being indexed with the current model already
    const totalBatches = Math.ceil(activeChunks / embedBatchSize(deps));
    tx.update(path, {
      reembedding: {
        model: model.model,
        version: model.version,
        dimensions: model.dimensions,
        totalBatches,
        doneBatches: [],
      },
      updatedAt: deps.clock.nowIso(),
    });
    return { version: doc.activeVersion, chunkCount: activeChunks };
  });
  if (!started) return;
  log.info("re-embedding a document for a new embedding model", {
    tenantId,
    kbId,
    docId,
    model: model.model,
  });
  await enqueueBatches(
    deps,
    { tenantId, kbId, docId, version: started.version },
    started.chunkCount,
    "reembed",
  );
}

async function reembedBatch(deps: Deps, task: EmbedTask): Promise<void> {
  const path = documentPath(task.tenantId, task.kbId, task.docId);
  const snap = await deps.store.get(path);
  if (!snap) return;
  const doc = knowledgeDocumentSchema.parse(snap.data);
  const model = deps.embedder.info;
  const job = doc.reembedding;
  const sameModel = (j: typeof job): boolean =>
    j !== null && j.model === model.model && j.version === model.version && j.dimensions === model.dimensions;
  if (doc.activeVersion !== task.version || !sameModel(job)) return;
  if (job?.doneBatches.includes(task.batch)) return;
  await embedRange(deps, task, doc);
  const kbPath = knowledgeBasePath(task.tenantId, task.kbId);
  await deps.store.runTransaction(async (tx) => {
    const current = await tx.get(path);
    if (!current) return;
    const d = knowledgeDocumentSchema.parse(current.data);
    const j = d.reembedding;
    if (!j || !sameModel(j) || j.doneBatches.includes(task.batch)) return;
    const now = deps.clock.nowIso();
    if (j.doneBatches.length + 1 < j.totalBatches) {
      tx.update(path, { reembedding: { ...j, doneBatches: [...j.doneBatches, task.batch] }, updatedAt: now });
      return;
    }
    tx.update(path, {
      reembedding: null,
      embedder: { model: model.model, version: model.version, dimensions: model.dimensions },
      updatedAt: now,
    });
    tx.update(kbPath, {
      [`active.${task.docId}`]: { version: task.version, model: embeddingModelId(deps) },
      updatedAt: now,
    });
  });
}
