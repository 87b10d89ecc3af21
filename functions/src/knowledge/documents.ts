/**
 * Documents of a knowledge base and their versions. A document is identified by its name within the
 * knowledge base: uploading the same name again creates a new version, which replaces the old one in
 * search only once it is fully indexed. Every version's file is kept, so any version can be restored.
 */
import { createHash } from "node:crypto";
import { assertCanSpend, assertWithinLimit } from "../billing/limits.js";
import { recordAudit } from "../platform/audit.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import { FieldOps, type BlobInfo } from "../platform/ports.js";
import { deleteChunks } from "./chunks.js";
import { loadKnowledgeBase } from "./knowledge-bases.js";
import { detectType, safeFileName, type DetectedType } from "./parse.js";
import {
  documentPath,
  documentsPath,
  knowledgeBasePath,
  knowledgeBaseSchema,
  knowledgeBasesPath,
  knowledgeDocumentSchema,
  uploadPath,
  type KnowledgeDocument,
} from "./schema.js";

export interface DocumentView {
  readonly id: string;
  readonly name: string;
  readonly type: KnowledgeDocument["type"];
  readonly size: number;
  readonly version: number;
  /** The version search uses; null until a first version is ready. */
  readonly activeVersion: number | null;
  readonly status: Exclude<KnowledgeDocument["status"], "deleting">;
  readonly stage: KnowledgeDocument["stage"];
  readonly progress: number;
  readonly chunkCount: number;
  readonly tags: readonly string[];
  readonly error?: string;
  readonly versions: readonly { version: number; size: number; createdAt: string; restoredFrom?: number }[];
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
    activeVersion: d.activeVersion,
    status: d.status === "deleting" ? "processing" : d.status,
    stage: d.stage,
    progress: Math.round(d.progress * 1000) / 1000,
    chunkCount: d.chunkCount,
    tags: d.tags,
    ...(d.error ? { error: d.error } : {}),
    versions: d.versions.map(({ version, size, createdAt, restoredFrom }) => ({
      version,
      size,
      createdAt,
      ...(restoredFrom !== undefined ? { restoredFrom } : {}),
    })),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** What the audit log keeps of a document: enough to tell versions apart, never their content. */
function auditedDocument(d: KnowledgeDocument): Record<string, unknown> {
  const restoredFrom = d.versions.find((v) => v.version === d.version)?.restoredFrom;
  return { name: d.name, version: d.version, size: d.size, tags: d.tags, restoredFrom };
}

/** A document that exists and is not being deleted (one being deleted is already gone for readers). */
export async function loadDocument(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
): Promise<KnowledgeDocument> {
  const snap = await deps.store.get(documentPath(tenantId, kbId, docId));
  const doc = snap ? knowledgeDocumentSchema.parse(snap.data) : null;
  if (!doc || doc.status === "deleting") throw new AppError("not-found", `Document ${docId} not found`);
  return doc;
}

export async function getDocument(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
): Promise<DocumentView> {
  await loadKnowledgeBase(deps, tenantId, kbId);
  return documentView(docId, await loadDocument(deps, tenantId, kbId, docId));
}

export async function listDocuments(deps: Deps, tenantId: string, kbId: string): Promise<DocumentView[]> {
  await loadKnowledgeBase(deps, tenantId, kbId);
  const snaps = await deps.store.query({
    collection: documentsPath(tenantId, kbId),
    orderBy: [{ field: "name" }],
  });
  return snaps
    .map((s) => ({ id: s.id, doc: knowledgeDocumentSchema.parse(s.data) }))
    .filter(({ doc }) => doc.status !== "deleting")
    .map(({ id, doc }) => documentView(id, doc));
}

/** A document's id follows from its name, so two uploads of one name race into one record, not two. */
export function documentIdFor(name: string): string {
  return createHash("sha256").update(name.normalize("NFC"), "utf8").digest("base64url").slice(0, 24);
}

const md5Of = (bytes: Uint8Array): string => createHash("md5").update(bytes).digest("hex");

const maxTags = 20;

function cleanTags(tags: readonly string[] | undefined): string[] {
  const out = [...new Set((tags ?? []).map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];
  if (out.length > maxTags)
    throw new AppError("invalid-argument", `A document can have at most ${maxTags} tags`);
  if (out.some((t) => t.length > 60))
    throw new AppError("invalid-argument", "A tag is at most 60 characters");
  return out;
}

/** Ends a version's ingestion in `failed` with a reason a person can act on (a newer version is left alone). */
export async function markFailed(
  deps: Deps,
  task: { tenantId: string; kbId: string; docId: string; version: number },
  reason: string,
): Promise<void> {
  const path = documentPath(task.tenantId, task.kbId, task.docId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return;
    const doc = knowledgeDocumentSchema.parse(snap.data);
    if (doc.version !== task.version || doc.status === "deleting") return;
    tx.update(path, { status: "failed", error: reason, updatedAt: deps.clock.nowIso() });
  });
}

/** A new version, queued for ingestion; the previous version (if any) stays searchable until it is ready. */
function queuedVersion(input: {
  readonly name: string;
  readonly detected: DetectedType;
  readonly size: number;
  readonly md5: string;
  readonly blobPath: string;
  readonly uploadId: string;
  readonly tags: string[];
  readonly now: string;
  readonly current: KnowledgeDocument | null;
  readonly restoredFrom?: number;
}): KnowledgeDocument {
  const { current, now } = input;
  const version = (current?.version ?? 0) + 1;
  return {
    name: input.name,
    type: input.detected.type,
    contentType: input.detected.contentType,
    size: input.size,
    version,
    activeVersion: current?.activeVersion ?? null,
    status: "queued",
    stage: "upload",
    progress: 0,
    chunkCount: 0,
    totalBatches: 0,
    embeddedBatches: [],
    blobPath: input.blobPath,
    error: null,
    embedder: current?.embedder ?? null,
    md5: input.md5,
    uploadId: input.uploadId,
    parse: null,
    resumes: 0,
    tags: input.tags,
    versions: [
      ...(current?.versions ?? []),
      {
        version,
        size: input.size,
        md5: input.md5,
        blobPath: input.blobPath,
        uploadId: input.uploadId,
        createdAt: now,
        ...(input.restoredFrom !== undefined ? { restoredFrom: input.restoredFrom } : {}),
      },
    ],
    reembedding: null,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
  };
}

export interface AddedDocument extends DocumentView {
  /** True when the same bytes were already the current version: nothing new was stored. */
  readonly duplicate: boolean;
}

/**
 * Stores an upload as a new document or a new version of the document with the same name, and records
 * it as `queued`. Ingestion starts from the storage trigger, exactly as for a direct Cloud Storage upload.
 */
export async function addDocument(
  deps: Deps,
  tenantId: string,
  kbId: string,
  upload: DocumentUpload,
  actor = "system",
): Promise<AddedDocument> {
  await loadKnowledgeBase(deps, tenantId, kbId);
  await assertRoomFor(deps, tenantId, kbId, [upload]);
  return addToKnowledgeBase(deps, tenantId, kbId, upload, actor);
}

/**
 * The workspace's searchable documents and their bytes, over every knowledge base (their `active` entries:
 * one read per knowledge base, however many documents), and each knowledge base's entries.
 */
export async function documentStock(
  deps: Deps,
  tenantId: string,
): Promise<{ documents: number; storageBytes: number; activeIn: Map<string, Record<string, unknown>> }> {
  const kbs = await deps.store.query({ collection: knowledgeBasesPath(tenantId) });
  let documents = 0;
  let storageBytes = 0;
  const activeIn = new Map<string, Record<string, unknown>>();
  for (const snap of kbs) {
    const kb = knowledgeBaseSchema.parse(snap.data);
    for (const entry of Object.values(kb.active)) {
      documents += 1;
      storageBytes += entry.bytes;
    }
    activeIn.set(snap.id, kb.active);
  }
  return { documents, storageBytes, activeIn };
}

/**
 * Refuses uploads the workspace's plan has no room for (billing/limits.ts, HTTP 402): no credits to ingest
 * with, or past the documents or stored bytes limit. The workspace's documents are the searchable ones of
 * every knowledge base (their `active` entries); a new version of one of them is not a new document.
 */
async function assertRoomFor(
  deps: Deps,
  tenantId: string,
  kbId: string,
  uploads: readonly DocumentUpload[],
): Promise<void> {
  await assertCanSpend(deps, tenantId);
  const { documents, storageBytes: bytes, activeIn } = await documentStock(deps, tenantId);
  const here = activeIn.get(kbId) ?? {};
  const fresh = uploads.filter((u) => {
    try {
      return !(documentIdFor(safeFileName(u.fileName)) in here);
    } catch {
      return false; // a name refused on its own is answered with its own error
    }
  }).length;
  await assertWithinLimit(deps, tenantId, "documents", documents, fresh);
  const adding = uploads.reduce((n, u) => n + u.bytes.byteLength, 0);
  await assertWithinLimit(deps, tenantId, "storageBytes", bytes, adding);
}

export interface DocumentUpload {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly tags?: readonly string[];
  readonly restoredFrom?: number;
}

/**
 * Several uploads into one knowledge base (a folder), in the order given: each becomes its own document or
 * version (with its own audit entry), as `addDocument` would make it. A file refused for what it is (its
 * type, size, name) is answered with its error and does not stop the others; the knowledge base missing,
 * or the platform failing, ends the whole call. The knowledge base is read once, not once per file.
 */
export async function addDocuments(
  deps: Deps,
  tenantId: string,
  kbId: string,
  uploads: readonly DocumentUpload[],
  actor = "system",
): Promise<(AddedDocument | AppError)[]> {
  await loadKnowledgeBase(deps, tenantId, kbId);
  await assertRoomFor(deps, tenantId, kbId, uploads);
  const outcomes: (AddedDocument | AppError)[] = [];
  for (const upload of uploads) {
    try {
      outcomes.push(await addToKnowledgeBase(deps, tenantId, kbId, upload, actor));
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      outcomes.push(e);
    }
  }
  return outcomes;
}

async function addToKnowledgeBase(
  deps: Deps,
  tenantId: string,
  kbId: string,
  upload: DocumentUpload,
  actor: string,
): Promise<AddedDocument> {
  const name = safeFileName(upload.fileName);
  if (upload.bytes.byteLength > deps.config.limits.maxUploadBytes) {
    throw new AppError(
      "payload-too-large",
      `"${name}" is ${upload.bytes.byteLength} bytes; the limit is ${deps.config.limits.maxUploadBytes} bytes`,
    );
  }
  const detected = detectType(name, upload.bytes);
  const tags = cleanTags(upload.tags);
  const md5 = md5Of(upload.bytes);
  const docId = documentIdFor(name);
  const path = documentPath(tenantId, kbId, docId);

  const outcome = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    const now = deps.clock.nowIso();
    const current = snap ? knowledgeDocumentSchema.parse(snap.data) : null;
    if (current?.status === "deleting") {
      throw new AppError("aborted", `"${name}" is being deleted; upload it again in a moment`);
    }
    // Identical bytes are a duplicate only when they were actually stored: a crash between this record
    // and the file write leaves a version whose file never arrived, and the same upload must repair it.
    if (
      current &&
      current.md5 === md5 &&
      current.status !== "failed" &&
      upload.restoredFrom === undefined &&
      (await deps.blobs.stat(current.blobPath)) !== null
    ) {
      return { record: current, duplicate: true };
    }
    const blobPath = uploadPath(tenantId, kbId, docId, (current?.version ?? 0) + 1, name);
    const record = queuedVersion({
      name,
      detected,
      size: upload.bytes.byteLength,
      md5,
      blobPath,
      uploadId: deps.ids.newId(),
      tags: upload.tags === undefined && current ? current.tags : tags,
      now,
      current,
      restoredFrom: upload.restoredFrom,
    });
    tx.set(path, record);
    const action =
      upload.restoredFrom !== undefined
        ? "document.restore"
        : current
          ? "document.version"
          : "document.create";
    await recordAudit(
      deps,
      {
        tenantId,
        actor,
        action,
        target: { type: "document", id: `${kbId}/${docId}` },
        before: current ? auditedDocument(current) : undefined,
        after: auditedDocument(record),
      },
      tx,
    );
    return { record, duplicate: false };
  });

  if (!outcome.duplicate) {
    const { record } = outcome;
    try {
      await deps.blobs.put(record.blobPath, upload.bytes, {
        contentType: detected.contentType,
        metadata: { tenantId, kbId, docId, version: String(record.version) },
      });
    } catch (e) {
      log.error("storing an upload failed", { err: e, path: record.blobPath });
      await markFailed(
        deps,
        { tenantId, kbId, docId, version: record.version },
        "The file could not be stored; please upload it again",
      );
      throw new AppError("unavailable", "The file could not be stored; please try again");
    }
  }
  return { ...documentView(docId, outcome.record), duplicate: outcome.duplicate };
}

/** Re-ingests an earlier version's file as the newest version (the history keeps both). */
export async function restoreVersion(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
  version: number,
  actor = "system",
): Promise<AddedDocument> {
  const doc = await loadDocument(deps, tenantId, kbId, docId);
  const entry = doc.versions.find((v) => v.version === version);
  if (!entry) throw new AppError("not-found", `Document ${docId} has no version ${version}`);
  const blob = await deps.blobs.get(entry.blobPath);
  if (!blob) throw new AppError("failed-precondition", `The file of version ${version} is no longer stored`);
  const upload = { fileName: doc.name, bytes: blob.data, restoredFrom: version };
  return addDocument(deps, tenantId, kbId, upload, actor);
}

/**
 * Deletes a document with its chunks, keyword entries and files. It disappears from search first (the
 * knowledge base's `active` map and a `deleting` status, in one transaction); the rest is removed after,
 * and a repeated call finishes an interrupted deletion.
 */
export async function deleteDocument(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
  actor = "system",
): Promise<void> {
  await loadKnowledgeBase(deps, tenantId, kbId);
  const path = documentPath(tenantId, kbId, docId);
  const kbPath = knowledgeBasePath(tenantId, kbId);
  const doc = await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Document ${docId} not found`);
    const current = knowledgeDocumentSchema.parse(snap.data);
    tx.update(kbPath, { [`active.${docId}`]: FieldOps.delete(), updatedAt: deps.clock.nowIso() });
    tx.update(path, { status: "deleting", updatedAt: deps.clock.nowIso() });
    if (current.status !== "deleting") {
      // A repeated call finishing an interrupted deletion is not a second deletion.
      const target = { type: "document", id: `${kbId}/${docId}` };
      const before = auditedDocument(current);
      await recordAudit(deps, { tenantId, actor, action: "document.delete", target, before }, tx);
    }
    return current;
  });
  await deleteChunks(deps, { tenantId, kbId, docId });
  const folder = `${path}/`;
  // Every version's file lives in the document's folder (see uploadPath).
  for (const blob of await deps.blobs.list(folder)) await deps.blobs.delete(blob.path);
  await deps.store.deleteRecursive(path); // with any parsed batches still waiting
  log.info("document deleted", { tenantId, kbId, docId, versions: doc.versions.length });
}

/**
 * A file uploaded straight to Cloud Storage (the studio's resumable upload) under
 * `tenants/{t}/knowledgeBases/{kb}/documents/{docId}/v1/{name}` with no record yet: record it, so the
 * storage trigger can ingest it like an API upload. Returns false when the upload cannot be accepted.
 */
export async function registerDirectUpload(
  deps: Deps,
  ref: { tenantId: string; kbId: string; docId: string; version: number },
  object: BlobInfo,
): Promise<boolean> {
  const name = object.path.slice(object.path.lastIndexOf("/") + 1);
  const kb = await deps.store.get(knowledgeBasePath(ref.tenantId, ref.kbId));
  if (!kb || ref.version !== 1 || ref.docId !== documentIdFor(name)) return false;
  const blob = await deps.blobs.get(object.path);
  if (!blob) return false;
  const now = deps.clock.nowIso();
  let detected: ReturnType<typeof detectType>;
  try {
    detected = detectType(name, blob.data);
  } catch (e) {
    log.warn("a direct upload was refused", { path: object.path, err: e });
    await deps.blobs.delete(object.path);
    return false;
  }
  const record = queuedVersion({
    name,
    detected,
    size: blob.data.byteLength,
    md5: object.md5,
    blobPath: object.path,
    uploadId: deps.ids.newId(),
    tags: [],
    now,
    current: null,
  });
  const batch = deps.store.batch();
  batch.create(documentPath(ref.tenantId, ref.kbId, ref.docId), record);
  // The uploader is not known here (a Storage upload carries no verified identity).
  const target = { type: "document", id: `${ref.kbId}/${ref.docId}` };
  const entry = { tenantId: ref.tenantId, actor: "system", action: "document.create", target };
  await recordAudit(deps, { ...entry, after: auditedDocument(record) }, batch);
  try {
    await batch.commit();
  } catch (e) {
    if (e instanceof AppError && e.code === "already-exists") return true; // a redelivered event
    throw e;
  }
  return true;
}
