/**
 * Reading a cited passage where it sits: one stored passage (chunk) with the document it belongs to, a
 * document version's extracted text (what a passage's offsets point into), and a version's original file
 * (a PDF opens at the passage's page). Everything is read under the caller's tenant, so another workspace's
 * ids are simply not found.
 */
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { loadDocument } from "./documents.js";
import { loadKnowledgeBase } from "./knowledge-bases.js";
import { parsePool, parsePoolSettings } from "./parse/pool.js";
import { chunkPath, chunkSchema, type ChunkLocation, type KnowledgeDocument } from "./schema.js";

export interface PassageView {
  readonly id: string;
  readonly kbId: string;
  readonly docId: string;
  readonly docName: string;
  readonly docType: KnowledgeDocument["type"];
  /** The document version this passage was read from (its offsets point into that version's text). */
  readonly docVersion: number;
  /** The version search uses now: a passage of another version is from an older or newer copy. */
  readonly activeVersion: number | null;
  /** Its position among the version's passages, from 0. */
  readonly index: number;
  /** The passage as the agent saw it: the headings above it, then its text. */
  readonly text: string;
  readonly location: ChunkLocation;
}

/**
 * One passage of a knowledge base, by the chunk id a citation names. A passage of a deleted document, or of
 * a version that has since been replaced and removed, is not found.
 */
export async function getPassage(
  deps: Deps,
  tenantId: string,
  kbId: string,
  chunkId: string,
): Promise<PassageView> {
  await loadKnowledgeBase(deps, tenantId, kbId);
  const snap = await deps.store.get(chunkPath(tenantId, kbId, chunkId));
  if (!snap) throw new AppError("not-found", `Passage ${chunkId} not found`);
  const chunk = chunkSchema.parse(snap.data);
  let doc: KnowledgeDocument;
  try {
    doc = await loadDocument(deps, tenantId, kbId, chunk.docId);
  } catch (e) {
    // Its document is being deleted: the passage goes with it.
    if (e instanceof AppError && e.code === "not-found")
      throw new AppError("not-found", `Passage ${chunkId} not found`);
    throw e;
  }
  return {
    id: snap.id,
    kbId,
    docId: chunk.docId,
    docName: chunk.docName,
    docType: doc.type,
    docVersion: chunk.docVersion,
    activeVersion: doc.activeVersion,
    index: chunk.index,
    text: chunk.text,
    location: chunk.location,
  };
}

/** A document and one stored version of it: `version` when given, else the searchable one (else the newest). */
async function documentVersion(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
  version: number | undefined,
): Promise<{ doc: KnowledgeDocument; version: number; blobPath: string }> {
  await loadKnowledgeBase(deps, tenantId, kbId);
  const doc = await loadDocument(deps, tenantId, kbId, docId);
  const wanted = version ?? doc.activeVersion ?? doc.version;
  const stored = doc.versions.find((v) => v.version === wanted);
  if (!stored) throw new AppError("not-found", `Document ${docId} has no version ${wanted}`);
  return { doc, version: wanted, blobPath: stored.blobPath };
}

async function versionBytes(deps: Deps, docId: string, version: number, blobPath: string) {
  const blob = await deps.blobs.get(blobPath);
  if (!blob) {
    throw new AppError(
      "not-found",
      `The file of version ${version} of document ${docId} is no longer stored`,
    );
  }
  return blob;
}

export interface DocumentText {
  readonly docId: string;
  readonly name: string;
  readonly type: KnowledgeDocument["type"];
  readonly version: number;
  /** The extracted text of that version: what its passages' `startOffset`/`endOffset` count in. */
  readonly text: string;
}

/**
 * The extracted text of a document version, read again from its stored file in a parse worker (the text
 * is not kept: it is as long as the document, and the file is). The same reader and limits as ingestion,
 * so the offsets of the version's passages point into exactly this text.
 */
export async function getDocumentText(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
  version?: number,
): Promise<DocumentText> {
  const found = await documentVersion(deps, tenantId, kbId, docId, version);
  const blob = await versionBytes(deps, docId, found.version, found.blobPath);
  const text = await parsePool(parsePoolSettings(deps.config)).readText(found.doc.type, blob.data);
  return { docId, name: found.doc.name, type: found.doc.type, version: found.version, text };
}

export interface DocumentFile {
  readonly name: string;
  readonly contentType: string;
  readonly version: number;
  readonly bytes: Buffer;
}

/** The original file of a document version, as uploaded. */
export async function getDocumentFile(
  deps: Deps,
  tenantId: string,
  kbId: string,
  docId: string,
  version?: number,
): Promise<DocumentFile> {
  const found = await documentVersion(deps, tenantId, kbId, docId, version);
  const blob = await versionBytes(deps, docId, found.version, found.blobPath);
  return {
    name: found.doc.name,
    contentType: found.doc.contentType || blob.info.contentType || "application/octet-stream",
    version: found.version,
    bytes: blob.data,
  };
}
