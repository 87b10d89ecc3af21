/**
 * Two sweeps, each a scheduled function (knowledge/functions.ts).
 *
 * The stalled-document sweep: finds documents `queued` or `processing` that have
 * made no progress for longer than any step can take without writing, across every knowledge base, and
 * settles each one. A crash between the `queued` record and the file write, a lost storage event, a task
 * that ran out of attempts while its process was down, or a process killed mid-parse would otherwise leave
 * a document "Queued · 0%" or "Processing" forever.
 *   - its file never reached storage → failed, asking for the upload again;
 *   - a parse started and never finished → failed: the process died reading it, and the file may be why;
 *   - restarted too often already → failed;
 *   - otherwise → ingestion restarts, with task ids of its own (the first ones are spent).
 *
 * The re-embedding sweep: after the embedding model changes, starts re-embedding every document whose
 * searchable vectors are of another model. Search only reads: until a document is re-embedded, vector
 * search skips its chunks and keyword search still finds them.
 */
import type { Deps } from "../platform/deps.js";
import { everyMatch } from "../platform/paging.js";
import { log } from "../platform/log.js";
import {
  embeddingModelId,
  ingestQueue,
  ingestTaskFor,
  ingestTaskId,
  interruptedParse,
  parseRunningMs,
  startReembedding,
} from "./ingest.js";
import {
  documentPath,
  documentsCollectionId,
  knowledgeBasesCollectionId,
  knowledgeBaseSchema,
  knowledgeDocumentSchema,
  parseDocumentPath,
  parseKnowledgeBasePath,
  type KnowledgeDocument,
} from "./schema.js";

/** Restarts of one version before the sweep gives up on it. */
export const maxResumes = 3;

/**
 * No progress for this long means stalled: longer than a parse may run (its wall-clock limit) and than a
 * busy queue plausibly keeps a document waiting. Every step writes `updatedAt` when it makes progress.
 */
export const stalledAfterMs = (deps: Deps): number =>
  Math.max(15 * 60_000, parseRunningMs(deps) + 5 * 60_000);

const pageSize = 200;

export interface SweepReport {
  readonly resumed: number;
  readonly failed: number;
}

type Ref = { tenantId: string; kbId: string; docId: string };

/** The reason a stalled version fails, or null when it should be restarted. */
async function verdict(deps: Deps, doc: KnowledgeDocument): Promise<string | null> {
  if ((await deps.blobs.stat(doc.blobPath)) === null) {
    return "The upload was interrupted before the file was stored, so there is nothing to index; upload it again";
  }
  if (doc.parse && doc.parse.finishedAt === null) return interruptedParse().message;
  if (doc.resumes >= maxResumes) {
    return `Indexing stopped making progress and was restarted ${maxResumes} times without finishing; upload the file again`;
  }
  return null;
}

/**
 * Settles one stalled document, unless it moved meanwhile: the write happens in a transaction that checks
 * the record is still the one the query saw (same version, upload and `updatedAt`).
 */
async function settle(deps: Deps, ref: Ref, seen: KnowledgeDocument): Promise<"resumed" | "failed" | null> {
  const reason = await verdict(deps, seen);
  const path = documentPath(ref.tenantId, ref.kbId, ref.docId);
  const outcome = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return null;
    const doc = knowledgeDocumentSchema.parse(snap.data);
    const unchanged =
      doc.version === seen.version &&
      doc.uploadId === seen.uploadId &&
      doc.updatedAt === seen.updatedAt &&
      (doc.status === "queued" || doc.status === "processing");
    if (!unchanged) return null;
    const now = deps.clock.nowIso();
    if (reason !== null) {
      tx.update(path, { status: "failed", error: reason, updatedAt: now });
      return { kind: "failed" as const };
    }
    tx.update(path, { resumes: doc.resumes + 1, updatedAt: now });
    return { kind: "resumed" as const, resume: doc.resumes + 1 };
  });
  if (!outcome) return null;
  if (outcome.kind === "failed") {
    log.warn("a stalled document failed", { ...ref, version: seen.version, reason });
    return "failed";
  }
  const task = ingestTaskFor(ref, seen, outcome.resume);
  await deps.tasks.enqueue(ingestQueue, task, { id: ingestTaskId(task) });
  log.info("a stalled document's ingestion restarted", {
    ...ref,
    version: seen.version,
    resume: outcome.resume,
  });
  return "resumed";
}

/** One pass over every knowledge base (a collection-group query; see firestore.indexes.json). */
export async function sweepStalledDocuments(deps: Deps, now: Date = deps.clock.now()): Promise<SweepReport> {
  const cutoff = new Date(now.getTime() - stalledAfterMs(deps)).toISOString();
  let resumed = 0;
  let failed = 0;
  const stalled = everyMatch(
    deps.store,
    {
      collectionGroup: documentsCollectionId,
      where: [
        { field: "status", op: "in", value: ["queued", "processing"] },
        { field: "updatedAt", op: "<", value: cutoff },
      ],
      orderBy: [{ field: "updatedAt" }],
    },
    pageSize,
  );
  for await (const snap of stalled) {
    const ref = parseDocumentPath(snap.path);
    const parsed = knowledgeDocumentSchema.safeParse(snap.data);
    if (!ref || !parsed.success) continue;
    try {
      const outcome = await settle(deps, ref, parsed.data);
      if (outcome === "resumed") resumed++;
      if (outcome === "failed") failed++;
    } catch (e) {
      // One document's trouble (a storage hiccup) must not stop the sweep of the others.
      log.error("sweeping a stalled document failed", { err: e, ...ref });
    }
  }
  if (resumed + failed > 0) log.info("stalled documents swept", { resumed, failed });
  return { resumed, failed };
}

/**
 * One pass over every knowledge base (a collection-group query): each document whose active vectors are
 * of another model than the embedder's gets a re-embedding job, unless one for this model is under way.
 */
export async function sweepOutdatedEmbeddings(deps: Deps): Promise<{ started: number }> {
  const model = embeddingModelId(deps);
  let started = 0;
  for await (const snap of everyMatch(
    deps.store,
    { collectionGroup: knowledgeBasesCollectionId },
    pageSize,
  )) {
    const ref = parseKnowledgeBasePath(snap.path);
    const parsed = knowledgeBaseSchema.safeParse(snap.data);
    if (!ref || !parsed.success) continue;
    for (const [docId, entry] of Object.entries(parsed.data.active)) {
      if (entry.model === model) continue;
      try {
        if (await startReembedding(deps, ref.tenantId, ref.kbId, docId)) started++;
      } catch (e) {
        // One document's trouble must not stop the others: the next run asks again.
        log.error("starting a document's re-embedding failed", { err: e, ...ref, docId });
      }
    }
  }
  if (started > 0) log.info("re-embedding started for a new embedding model", { started, model });
  return { started };
}
