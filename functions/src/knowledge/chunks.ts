/**
 * Chunk storage: the one place a document's chunks (text, location, vector) and their keyword entries are
 * written and removed, so the store and the keyword index agree on what exists. Ingestion writes them and
 * removes replaced versions; deleting a document removes them all.
 */
import type { Deps } from "../platform/deps.js";
import { vector, type Filter } from "../platform/ports.js";
import { chunksPath, chunkVectorField, type Chunk } from "./schema.js";

/** Below Firestore's 500 writes per batch. */
const deletesPerBatch = 400;

export interface DocumentRef {
  readonly tenantId: string;
  readonly kbId: string;
  readonly docId: string;
}

/** Reads a document (in a transaction or not) and says whether its chunks are still wanted. */
export type StillWanted = (read: (path: string) => Promise<{ data: unknown } | null>) => Promise<boolean>;

/**
 * Writes chunks with their vectors (of `model`) and indexes their text for keyword search. The chunks are
 * written only while `wanted` holds (checked in the transaction that writes them, and again after the
 * keyword index): a document deleted meanwhile gets no chunks. False when it no longer wanted them.
 */
export async function storeChunks(
  deps: Deps,
  ref: DocumentRef,
  chunks: readonly { id: string; data: Chunk }[],
  vectors: readonly (readonly number[])[],
  model: string,
  wanted: StillWanted,
): Promise<boolean> {
  const scope = chunksPath(ref.tenantId, ref.kbId);
  const written = await deps.store.runTransaction(async (tx) => {
    if (!(await wanted((p) => tx.get(p)))) return false;
    chunks.forEach((c, i) =>
      tx.set(`${scope}/${c.id}`, {
        ...c.data,
        [chunkVectorField]: vector(vectors[i] as number[]),
        embeddingModel: model,
      }),
    );
    return true;
  });
  if (!written) return false;
  await deps.keywords.upsert(
    scope,
    chunks.map((c) => ({ id: c.id, group: ref.docId, text: c.data.text })),
  );
  // A deletion that started after the chunks were written may have cleared the keyword index before these
  // entries arrived: take them (and the chunks) back out, since the deletion will not look again.
  if (await wanted((p) => deps.store.get(p))) return true;
  await deps.keywords.remove(
    scope,
    chunks.map((c) => c.id),
  );
  const undo = deps.store.batch();
  for (const c of chunks) undo.delete(`${scope}/${c.id}`);
  await undo.commit();
  return false;
}

/**
 * Removes a document's chunks and their keyword entries: every version's, or only those of versions
 * before `belowVersion` (the active one and newer stay). Each page is deleted before the next is read, so
 * the same query walks them all.
 */
export async function deleteChunks(
  deps: Deps,
  ref: DocumentRef,
  options: { belowVersion?: number } = {},
): Promise<void> {
  const scope = chunksPath(ref.tenantId, ref.kbId);
  const older = options.belowVersion;
  const where: Filter[] = [{ field: "docId", op: "==", value: ref.docId }];
  if (older !== undefined) where.push({ field: "docVersion", op: "<", value: older });
  for (;;) {
    const page = await deps.store.query({ collection: scope, where, limit: deletesPerBatch });
    if (page.length === 0) break;
    const batch = deps.store.batch();
    for (const c of page) batch.delete(c.path);
    await batch.commit();
    // Some versions: their entries go with their chunks (the document's group holds the active ones too).
    if (older !== undefined)
      await deps.keywords.remove(
        scope,
        page.map((c) => c.id),
      );
  }
  // Every version: the document's whole group, with any entry whose chunk was never written.
  if (older === undefined) await deps.keywords.removeGroup(scope, ref.docId);
}

/** Deletes documents by path, a batch at a time (parsed batches that are no longer needed). */
export async function deletePaths(deps: Deps, paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += deletesPerBatch) {
    const commit = deps.store.batch();
    for (const path of paths.slice(i, i + deletesPerBatch)) commit.delete(path);
    await commit.commit();
  }
}
