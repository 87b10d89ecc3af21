/**
 * Ingestion: an upload becomes searchable chunks through idempotent steps, each safe to run twice:
 *   upload (API or Cloud Storage) → storage trigger → ingest task (parse, chunk) → embed tasks (one per batch)
 * The document's `status`, `stage` and `progress` are written as it goes. A version becomes searchable
 * only when its last batch is embedded: one transaction marks it ready and flips the knowledge base's
 * `active` entry, so nothing half-indexed is ever found, and the previous version's chunks are removed
 * after. A permanent error, or a transient one on the last attempt, ends in `failed` with a reason.
 * When the embedding model changes, the active version is re-embedded by the same tasks.
 *
 * Parsing runs in a worker thread with memory and time limits (parse/pool.ts). The document records when a
 * parse starts and ends, so a process that died while reading a file (the file may be what killed it) does
 * not read it again on the retry: the version fails with a reason instead. Task ids are unique per tenant,
 * knowledge base, document, version and upload, so no two uploads, anywhere, ever share one.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import { metricsOf } from "../platform/metrics/recorder.js";
import { FieldOps, type BlobInfo, type Transaction } from "../platform/ports.js";
import type { TextChunk } from "./chunk.js";
import { deleteChunks, deletePaths, storeChunks } from "./chunks.js";
import { ingestionEventPath, meterIngestion } from "../billing/usage.js";
import { markFailed, registerDirectUpload } from "./documents.js";
import { parsePool, parsePoolSettings } from "./parse/pool.js";
import {
  chunkBatchesPath,
  chunkBatchPath,
  chunkBatchSchema,
  chunkId,
  chunksPath,
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
  /** The upload this task belongs to (absent in tasks queued before uploads had ids). */
  uploadId: z.string().optional(),
  /** Set by the stalled-document sweep: each restart of a version gets task ids of its own. */
  resume: z.number().int().min(1).optional(),
});
export type DocumentTask = z.infer<typeof documentTaskSchema>;

/**
 * What makes a task id unique. Queues keep ids for days (Cloud Tasks refuses a name it has seen recently,
 * local mode keeps finished tasks a week) and across the whole instance: an id made of the document alone
 * once left a same-named file in another knowledge base, another workspace, or uploaded again after a
 * deletion, queued forever.
 */
function taskKey(task: DocumentTask): string {
  const parts = [task.tenantId, task.kbId, task.docId, `v${task.version}`, task.uploadId ?? "-"];
  if (task.resume !== undefined) parts.push(`r${task.resume}`);
  return parts.join("/");
}

export const ingestTaskId = (task: DocumentTask): string => `ingest/${taskKey(task)}`;

/** The task that ingests a document's current version (its upload, and the sweep's restart if any). */
export function ingestTaskFor(
  ref: { tenantId: string; kbId: string; docId: string },
  doc: KnowledgeDocument,
  resume?: number,
): DocumentTask {
  return {
    tenantId: ref.tenantId,
    kbId: ref.kbId,
    docId: ref.docId,
    version: doc.version,
    ...(doc.uploadId !== undefined ? { uploadId: doc.uploadId } : {}),
    ...(resume !== undefined ? { resume } : {}),
  };
}

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
  // Under way, done or failed: a replayed event changes nothing (the sweep restarts what stalls).
  if (doc.status !== "queued") return;
  const task = ingestTaskFor(ref, doc);
  await deps.tasks.enqueue(ingestQueue, task, { id: ingestTaskId(task) });
}

/** Whether `doc` is still the version and upload `task` works on, and still being ingested. */
function isCurrent(doc: KnowledgeDocument, task: DocumentTask): boolean {
  return (
    doc.version === task.version &&
    (task.uploadId === undefined || doc.uploadId === task.uploadId) &&
    (doc.status === "queued" || doc.status === "processing")
  );
}

async function loadCurrent(deps: Deps, task: DocumentTask): Promise<KnowledgeDocument | null> {
  const snap = await deps.store.get(documentPath(task.tenantId, task.kbId, task.docId));
  if (!snap) return null;
  const doc = knowledgeDocumentSchema.parse(snap.data);
  // A newer version or upload, a deletion or an earlier failure makes this task stale: it does nothing.
  return isCurrent(doc, task) ? doc : null;
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
    // The document was deleted or replaced while its file was being read: nothing to fail, nothing to retry.
    if (isAppError(e) && e.code === "cancelled") return;
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
      metricsOf(deps).ingestion({ tenantId: task.tenantId, ok: false, ms: 0, chunks: 0, bytes: 0 });
      return;
    }
    throw e; // transient: the queue retries with backoff
  }
}

/** Queues a version's embedding batches; `job` names a re-embedding job (its ids are its own). */
async function enqueueBatches(
  deps: Deps,
  task: DocumentTask,
  chunkCount: number,
  purpose: EmbedTask["purpose"],
  job?: string,
): Promise<number> {
  const perBatch = embedBatchSize(deps);
  const totalBatches = Math.ceil(chunkCount / perBatch);
  const prefix = purpose === "reembed" ? `reembed/${taskKey(task)}/${job ?? "-"}` : `embed/${taskKey(task)}`;
  for (let b = 0; b < totalBatches; b++) {
    const to = Math.min(chunkCount, (b + 1) * perBatch);
    const payload: EmbedTask = { ...task, batch: b, from: b * perBatch, to, purpose };
    await deps.tasks.enqueue(embedQueue, payload, { id: `${prefix}/b${b}` });
  }
  return totalBatches;
}

/** Why a version fails when an earlier attempt started reading its file and never finished. */
export function interruptedParse(): AppError {
  return new AppError(
    "failed-precondition",
    "Reading this file was interrupted: the server stopped while reading it, which a damaged or hostile file can cause, so it was not read again. If the file is sound, upload it again",
  );
}

/**
 * How long a parse may be under way before it cannot be: the worker's wall-clock limit and a minute for
 * the file to load. An unfinished attempt younger than this may still be running on another instance (a
 * task delivered twice); an older one died with its process.
 */
export const parseRunningMs = (deps: Deps): number => deps.config.parse.timeoutMs + 60_000;

/** Calls `onGone` when the document stops being what `task` works on: deleted, replaced or failed. */
function watchDocument(deps: Deps, task: DocumentTask, onGone: () => void): () => void {
  const path = documentPath(task.tenantId, task.kbId, task.docId);
  return deps.store.subscribe(
    { doc: path },
    (changes) => {
      for (const change of changes) {
        const parsed = change.type === "removed" ? null : knowledgeDocumentSchema.safeParse(change.doc.data);
        if (!parsed?.success || !isCurrent(parsed.data, task)) onGone();
      }
    },
    (e) => log.warn("watching a document while it is read failed", { err: e, ...task }),
  );
}

/**
 * Task: parse and chunk one document version, then embed it. A version of one batch (most documents: up to
 * 64 chunks) is embedded and made searchable here; a larger one is stored in batches and fanned out to
 * `embedChunks` tasks. The shortcut saves a small document its batch document, a task and half its writes,
 * which is most of what a bulk upload of small files costs.
 */
export async function ingestDocument(deps: Deps, task: DocumentTask, attempt: Attempt): Promise<void> {
  await step(deps, task, attempt, async () => {
    const doc = await loadCurrent(deps, task);
    if (!doc) return;
    if (doc.stage === "embed") {
      // A retry after the fan-out only re-enqueues the batches: their dedup ids drop those already queued.
      await enqueueBatches(deps, task, doc.chunkCount, "index");
      return;
    }
    const chunks = await readChunks(deps, task, doc);
    if (!chunks) return;
    const plan = planOf(deps, chunks);
    if (plan.totalBatches === 1) {
      const records = chunkRecords(
        deps,
        task,
        doc,
        chunks.map((c, index) => ({ index, text: c.text, location: c.location })),
      );
      const range: EmbedTask = { ...task, batch: 0, from: 0, to: chunks.length, purpose: "index" };
      if (!(await embedRange(deps, range, doc, (d) => isCurrent(d, task), records))) return;
      // A first version made this way left no parsed batches, and has no older chunks: nothing to remove.
      const ready = await markReady(deps, task, plan);
      if (ready) measureIngestion(deps, task, doc, plan.chunkCount);
      if (ready && task.version > 1) await removeOtherVersions(deps, task);
      log.info("document indexed", { ...task, ...plan });
      return;
    }
    if (!(await storeBatches(deps, task, chunks))) return;
    await enqueueBatches(deps, task, plan.chunkCount, "index");
    log.info("document parsed", { ...task, ...plan });
  });
}

/** What reading a version found: its chunks and batches, its pages and the characters of its text. */
function planOf(deps: Deps, chunks: readonly TextChunk[]): Plan {
  const pages = new Set<number>();
  let textChars = 0;
  for (const c of chunks) {
    textChars += c.text.length;
    if (c.location.page !== undefined) pages.add(c.location.page);
  }
  return {
    chunkCount: chunks.length,
    totalBatches: Math.ceil(chunks.length / embedBatchSize(deps)),
    pages: Math.max(1, pages.size),
    textChars,
  };
}

interface Plan {
  readonly chunkCount: number;
  readonly totalBatches: number;
  readonly pages: number;
  readonly textChars: number;
}

/** A new version's chunks as stored: text, location and the document's name and tags (vectors to come). */
function chunkRecords(
  deps: Deps,
  task: DocumentTask,
  doc: KnowledgeDocument,
  chunks: readonly { readonly index: number; readonly text: string; readonly location: Chunk["location"] }[],
): { id: string; data: Chunk }[] {
  const now = deps.clock.nowIso();
  return chunks.map((c) => ({
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

/**
 * What makes a version searchable, written in one transaction: the document is ready (all its batches
 * embedded), the knowledge base's `active` entry points at it, and its ingestion usage event is recorded
 * (billing/usage.ts: once per version, whatever retries led here).
 */
async function writeReady(
  tx: Transaction,
  deps: Deps,
  task: DocumentTask,
  doc: KnowledgeDocument,
  patch: {
    chunkCount?: number;
    totalBatches: number;
    embeddedBatches?: unknown;
    pages?: number;
    textChars?: number;
  },
): Promise<void> {
  const info = deps.embedder.info;
  const now = deps.clock.nowIso();
  // Read before any write: a version made searchable again (a restarted ingestion) is metered once.
  const version = { kbId: task.kbId, docId: task.docId, docVersion: task.version, uploadId: doc.uploadId };
  const metered = (await tx.get(ingestionEventPath(task.tenantId, version))) !== null;
  tx.update(documentPath(task.tenantId, task.kbId, task.docId), {
    embeddedBatches: Array.from({ length: patch.totalBatches }, (_, b) => b),
    ...patch,
    status: "ready",
    stage: "done",
    progress: 1,
    activeVersion: task.version,
    embedder: { model: info.model, version: info.version, dimensions: info.dimensions },
    updatedAt: now,
  });
  tx.update(knowledgeBasePath(task.tenantId, task.kbId), {
    [`active.${task.docId}`]: { version: task.version, model: embeddingModelId(deps), bytes: doc.size },
    updatedAt: now,
  });
  const textChars = patch.textChars ?? doc.textChars ?? 0;
  if (metered) return;
  meterIngestion(
    tx,
    task.tenantId,
    {
      kbId: task.kbId,
      docId: task.docId,
      docVersion: task.version,
      pages: patch.pages ?? doc.pages ?? 1,
      bytes: doc.size,
      chunks: patch.chunkCount ?? doc.chunkCount,
      embeddingTokens: Math.ceil(textChars / 4),
      at: now,
    },
    doc.uploadId,
  );
}

/** A version became searchable: its time from upload, chunks and bytes, for the monitor's ingestion figures. */
function measureIngestion(deps: Deps, task: DocumentTask, doc: KnowledgeDocument, chunks: number): void {
  const uploaded = doc.versions.find((v) => v.version === task.version)?.createdAt;
  metricsOf(deps).ingestion({
    tenantId: task.tenantId,
    ok: true,
    ms: uploaded ? deps.clock.now().getTime() - Date.parse(uploaded) : 0,
    chunks,
    bytes: doc.size,
  });
}

/** Makes a version of one batch searchable. False when it was replaced, deleted or failed meanwhile. */
async function markReady(deps: Deps, task: DocumentTask, plan: Plan): Promise<boolean> {
  const path = documentPath(task.tenantId, task.kbId, task.docId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    const doc = snap ? knowledgeDocumentSchema.parse(snap.data) : null;
    if (!doc || !isCurrent(doc, task)) return false;
    await writeReady(tx, deps, task, doc, plan);
    return true;
  });
}

/**
 * Reads the file into chunks in a parse worker. Null when there is nothing to do: the version was replaced
 * or deleted, or another delivery of this task is reading it right now.
 */
async function readChunks(
  deps: Deps,
  task: DocumentTask,
  doc: KnowledgeDocument,
): Promise<TextChunk[] | null> {
  const path = documentPath(task.tenantId, task.kbId, task.docId);
  // The file first: a storage outage is a transient error and must not look like an interrupted parse.
  const blob = await deps.blobs.get(doc.blobPath);
  if (!blob) {
    throw new AppError("failed-precondition", "The uploaded file is missing from storage; upload it again");
  }
  const start = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    const current = snap ? knowledgeDocumentSchema.parse(snap.data) : null;
    if (!current || !isCurrent(current, task) || current.stage === "embed") return "stale";
    const now = deps.clock.now();
    if (current.parse && current.parse.finishedAt === null) {
      const age = now.getTime() - Date.parse(current.parse.startedAt);
      return age < parseRunningMs(deps) ? "busy" : "interrupted";
    }
    tx.update(path, {
      status: "processing",
      stage: "parse",
      progress: 0.05,
      parse: { startedAt: now.toISOString(), finishedAt: null },
      updatedAt: now.toISOString(),
    });
    return "started";
  });
  if (start === "interrupted") throw interruptedParse();
  if (start !== "started") return null;

  const cancel = new AbortController();
  const unwatch = watchDocument(deps, task, () => cancel.abort());
  let chunks: TextChunk[];
  try {
    chunks = await parsePool(parsePoolSettings(deps.config)).run(doc.type, blob.data, {
      signal: cancel.signal,
    });
  } finally {
    unwatch();
    // Finished, whatever the outcome: only a process that dies mid-parse leaves the attempt open.
    await deps.store.runTransaction(async (tx) => {
      const snap = await tx.get(path);
      const current = snap ? knowledgeDocumentSchema.parse(snap.data) : null;
      if (!current?.parse || current.version !== task.version || current.uploadId !== doc.uploadId) return;
      tx.update(path, { parse: { startedAt: current.parse.startedAt, finishedAt: deps.clock.nowIso() } });
    });
  }
  if (chunks.length === 0) throw new AppError("invalid-argument", "The document contains no text to index");
  return chunks;
}

/**
 * Stores a version's chunks in batch documents for the `embedChunks` tasks and moves the document to the
 * embed stage. False when the version was replaced or deleted meanwhile (the batches are removed again).
 */
async function storeBatches(deps: Deps, task: DocumentTask, chunks: readonly TextChunk[]): Promise<boolean> {
  const path = documentPath(task.tenantId, task.kbId, task.docId);
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
  const plan = planOf(deps, chunks);
  const embedding = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    const current = snap ? knowledgeDocumentSchema.parse(snap.data) : null;
    if (!current || !isCurrent(current, task)) return false;
    tx.update(path, {
      stage: "embed",
      progress: 0.2,
      ...plan,
      embeddedBatches: [],
      updatedAt: deps.clock.nowIso(),
    });
    return true;
  });
  if (!embedding) {
    // Deleted or replaced while the batches were written: they go, rather than linger under a dead record.
    await deletePaths(
      deps,
      batches.map((b) => chunkBatchPath(task.tenantId, task.kbId, task.docId, task.version, b.batch)),
    );
    return false;
  }
  return true;
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
    if (!(await embedRange(deps, task, doc, (d) => isCurrent(d, task)))) return;

    const path = documentPath(task.tenantId, task.kbId, task.docId);
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
      await writeReady(tx, deps, task, current, {
        totalBatches: current.totalBatches,
        embeddedBatches: FieldOps.arrayUnion(task.batch),
      });
      return current;
    });
    if (became) {
      measureIngestion(deps, task, became, became.chunkCount);
      await removeOtherVersions(deps, task);
    }
  });
}

/**
 * Embeds one batch of a version's chunks and stores them (chunks.ts: each chunk written once, with its
 * vector, and indexed for keyword search). A new version's chunks come from the batch document the ingest
 * task wrote; re-embedding reads the existing chunks. Chunks are stored only while `wanted` holds for the
 * document: a document deleted meanwhile gets no chunks. False when it no longer wanted them.
 */
async function embedRange(
  deps: Deps,
  task: EmbedTask,
  doc: KnowledgeDocument,
  wanted: (doc: KnowledgeDocument) => boolean,
  given?: { id: string; data: Chunk }[],
): Promise<boolean> {
  const scope = chunksPath(task.tenantId, task.kbId);
  let chunks: { id: string; data: Chunk }[];
  if (given) {
    chunks = given;
  } else if (task.purpose === "reembed") {
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
    chunks = chunkRecords(deps, task, doc, chunkBatchSchema.parse(snap.data).chunks);
  }
  const vectors = await deps.embedder.embed(
    chunks.map((c) => c.data.text),
    { kind: "document" },
  );
  const path = documentPath(task.tenantId, task.kbId, task.docId);
  return storeChunks(deps, task, chunks, vectors, embeddingModelId(deps), async (read) => {
    const snap = await read(path);
    return snap !== null && wanted(knowledgeDocumentSchema.parse(snap.data));
  });
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
  await deletePaths(
    deps,
    batches.map((b) => b.path),
  );
  // A first version has no older chunks (a deleted document's chunks go before its record does): skip the
  // query, which in local mode scans the knowledge base's chunks and made bulk uploads slow down as the
  // base grew (measured with the agent bench: 0.21 MB/s over 1,433 uploads).
  if (task.version === 1) return;
  await deleteChunks(deps, task, { belowVersion: task.version });
}

/**
 * The embedding model changed: queue re-embedding of a document's active version (the re-embedding sweep
 * asks, sweep.ts). Until it finishes, vector search skips that document's chunks (keyword search still
 * finds them); vectors are never mixed. Asking again while the job runs does nothing: the job is recorded
 * on the document. True when a job started.
 */
export async function startReembedding(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
): Promise<boolean> {
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
    const jobId = deps.ids.newId();
    tx.update(path, {
      reembedding: {
        model: model.model,
        version: model.version,
        dimensions: model.dimensions,
        totalBatches,
        doneBatches: [],
        jobId,
      },
      updatedAt: deps.clock.nowIso(),
    });
    return { version: doc.activeVersion, chunkCount: activeChunks, uploadId: doc.uploadId, jobId };
  });
  if (!started) return false;
  log.info("re-embedding a document for a new embedding model", {
    tenantId,
    kbId,
    docId,
    model: model.model,
  });
  const task: DocumentTask = {
    tenantId,
    kbId,
    docId,
    version: started.version,
    ...(started.uploadId !== undefined ? { uploadId: started.uploadId } : {}),
  };
  await enqueueBatches(deps, task, started.chunkCount, "reembed", started.jobId);
  return true;
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
  const active = (d: KnowledgeDocument) => d.activeVersion === task.version && d.status !== "deleting";
  if (!(await embedRange(deps, task, doc, active))) return;
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
      [`active.${task.docId}`]: { version: task.version, model: embeddingModelId(deps), bytes: d.size },
      updatedAt: now,
    });
  });
}
