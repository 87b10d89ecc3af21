/** Knowledge Vault collections: knowledge bases, their documents and chunks (schemas + paths). */
import { z } from "zod";
import { checkId, tenantPath } from "../platform/caller.js";

/** `deleting` is internal: such a document is already gone for readers while its chunks and files are removed. */
export const documentStatuses = ["queued", "processing", "ready", "failed", "deleting"] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

export const documentTypes = ["text", "markdown", "html", "pdf", "docx", "csv", "json"] as const;
export type DocumentType = (typeof documentTypes)[number];

/** What search may see of one document: its active version and the embedding model of its vectors. */
export const activeEntrySchema = z.object({
  version: z.number().int().min(1),
  model: z.string(),
  /** The version's size in bytes: what the workspace's storage limit adds up (absent on older entries: 0). */
  bytes: z.number().int().min(0).default(0),
});
export type ActiveEntry = z.infer<typeof activeEntrySchema>;

export const knowledgeBaseSchema = z.object({
  name: z.string().min(1).max(120),
  description: z.string().max(2000).default(""),
  /**
   * docId → its searchable version. Flipped in the same transaction that marks a version ready, so a
   * search reads one document to know which chunks count (and never sees half of a new version).
   */
  active: z.record(z.string(), activeEntrySchema).default({}),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type KnowledgeBase = z.infer<typeof knowledgeBaseSchema>;

export const chunkLocationSchema = z.object({
  /** Character offsets into the extracted text of the document version. */
  startOffset: z.number().int().min(0),
  endOffset: z.number().int().min(0),
  /** Headings above the chunk, outermost first. */
  headingPath: z.array(z.string()),
  /** PDF: the page where the chunk's own text starts (overlap carried from the previous chunk aside)... */
  page: z.number().int().min(1).optional(),
  /** ...and the page where it ends, when that is a later page. */
  pageEnd: z.number().int().min(1).optional(),
  /** CSV/JSON: the row of the chunk's first record (see ParsedDocument.records for what a row is)... */
  row: z.number().int().min(1).optional(),
  /** ...and of its last record, when the chunk holds several. */
  rowEnd: z.number().int().min(1).optional(),
});
export type ChunkLocation = z.infer<typeof chunkLocationSchema>;

export const knowledgeDocumentSchema = z.object({
  name: z.string(),
  type: z.enum(documentTypes),
  contentType: z.string(),
  size: z.number().int().min(0),
  version: z.number().int().min(1),
  /** The version whose chunks are searchable; null until the first version is ready. */
  activeVersion: z.number().int().min(1).nullable(),
  status: z.enum(documentStatuses),
  stage: z.enum(["upload", "parse", "embed", "done"]),
  progress: z.number().min(0).max(1),
  chunkCount: z.number().int().min(0),
  /** The current version's pages (a PDF's; 1 for other files) and the characters of its text, once read. */
  pages: z.number().int().min(0).optional(),
  textChars: z.number().int().min(0).optional(),
  totalBatches: z.number().int().min(0),
  embeddedBatches: z.array(z.number().int()),
  blobPath: z.string(),
  error: z.string().nullable(),
  embedder: z.object({ model: z.string(), version: z.string(), dimensions: z.number().int() }).nullable(),
  /** md5 of the current version's bytes: an identical re-upload creates no new version. */
  md5: z.string(),
  /**
   * The current version's upload (a fresh id for every upload, restore and re-upload after a deletion):
   * what makes its task ids unique. Absent on records written before it existed.
   */
  uploadId: z.string().optional(),
  /**
   * The current version's parse attempt: set when a worker starts reading the file, finished when it stops.
   * One started long ago and never finished means the process died reading it: the file is not read again.
   */
  parse: z.object({ startedAt: z.string(), finishedAt: z.string().nullable() }).nullable().default(null),
  /** Times the stalled-document sweep restarted this version's ingestion. */
  resumes: z.number().int().min(0).default(0),
  tags: z.array(z.string()).default([]),
  /** Every uploaded version, oldest first; their files are kept so a version can be restored. */
  versions: z.array(
    z.object({
      version: z.number().int().min(1),
      size: z.number().int().min(0),
      md5: z.string(),
      blobPath: z.string(),
      uploadId: z.string().optional(),
      createdAt: z.string(),
      restoredFrom: z.number().int().optional(),
    }),
  ),
  /** Set while the active version's chunks are re-embedded for a new embedding model. */
  reembedding: z
    .object({
      model: z.string(),
      version: z.string(),
      dimensions: z.number().int(),
      totalBatches: z.number().int(),
      doneBatches: z.array(z.number().int()),
      /** Makes the job's task ids unique: the same model may come back after another one. */
      jobId: z.string().optional(),
    })
    .nullable()
    .default(null),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type KnowledgeDocument = z.infer<typeof knowledgeDocumentSchema>;

export const chunkSchema = z.object({
  docId: z.string(),
  docVersion: z.number().int(),
  docName: z.string(),
  index: z.number().int().min(0),
  text: z.string(),
  location: chunkLocationSchema,
  /** `<model>@<version>` of the vector in `embedding`; chunks of another model are never compared with a query. */
  embeddingModel: z.string().nullable(),
  tags: z.array(z.string()).default([]),
  createdAt: z.string(),
});
export type Chunk = z.infer<typeof chunkSchema>;

/**
 * The chunks of one embedding batch, as parsed, waiting to be embedded: the ingest task writes one of these
 * per batch (one write instead of one per chunk), and the embed task writes each chunk once, complete with
 * its vector. Removed when the version is ready.
 */
export const chunkBatchSchema = z.object({
  version: z.number().int().min(1),
  batch: z.number().int().min(0),
  chunks: z.array(
    z.object({ index: z.number().int().min(0), text: z.string(), location: chunkLocationSchema }),
  ),
});
export type ChunkBatch = z.infer<typeof chunkBatchSchema>;

/** The vector field of a chunk (kept out of the zod schema: adapters return a VectorValue). */
export const chunkVectorField = "embedding";

export const knowledgeBasesPath = (tenantId: string): string => `${tenantPath(tenantId)}/knowledgeBases`;
export const knowledgeBasePath = (tenantId: string, kbId: string): string =>
  `${knowledgeBasesPath(tenantId)}/${checkId(kbId, "knowledge base id")}`;
export const documentsPath = (tenantId: string, kbId: string): string =>
  `${knowledgeBasePath(tenantId, kbId)}/documents`;
export const documentPath = (tenantId: string, kbId: string, docId: string): string =>
  `${documentsPath(tenantId, kbId)}/${checkId(docId, "document id")}`;
export const chunkBatchesPath = (tenantId: string, kbId: string, docId: string): string =>
  `${documentPath(tenantId, kbId, docId)}/chunkBatches`;
export const chunkBatchPath = (
  tenantId: string,
  kbId: string,
  docId: string,
  version: number,
  batch: number,
): string => `${chunkBatchesPath(tenantId, kbId, docId)}/v${version}-${batch}`;
export const chunksPath = (tenantId: string, kbId: string): string =>
  `${knowledgeBasePath(tenantId, kbId)}/chunks`;
export const chunkId = (docId: string, version: number, index: number): string =>
  `${docId}-v${version}-${index}`;
export const chunkPath = (tenantId: string, kbId: string, id: string): string =>
  `${chunksPath(tenantId, kbId)}/${checkId(id, "chunk id")}`;

/**
 * Where an uploaded file lives in the bucket. The storage trigger parses this path back, and
 * storage.rules allows client uploads only below the caller's own tenant.
 */
export const uploadPath = (
  tenantId: string,
  kbId: string,
  docId: string,
  version: number,
  fileName: string,
): string => `${documentPath(tenantId, kbId, docId)}/v${version}/${fileName}`;

const documentPattern =
  /^tenants\/([A-Za-z0-9_-]{1,128})\/knowledgeBases\/([A-Za-z0-9_-]{1,128})\/documents\/([A-Za-z0-9_-]{1,128})$/;

/** The knowledge base document a path names, or null (a collection-group query may meet other `documents`). */
export function parseDocumentPath(path: string): { tenantId: string; kbId: string; docId: string } | null {
  const m = documentPattern.exec(path);
  if (!m) return null;
  return { tenantId: m[1] as string, kbId: m[2] as string, docId: m[3] as string };
}

/** The collection id of documents, for collection-group queries across every knowledge base. */
export const documentsCollectionId = "documents";

/** The collection id of knowledge bases, for collection-group queries across every tenant. */
export const knowledgeBasesCollectionId = "knowledgeBases";

const knowledgeBasePattern = /^tenants\/([A-Za-z0-9_-]{1,128})\/knowledgeBases\/([A-Za-z0-9_-]{1,128})$/;

/** The knowledge base a path names, or null. */
export function parseKnowledgeBasePath(path: string): { tenantId: string; kbId: string } | null {
  const m = knowledgeBasePattern.exec(path);
  if (!m) return null;
  return { tenantId: m[1] as string, kbId: m[2] as string };
}

const uploadPattern =
  /^tenants\/([A-Za-z0-9_-]{1,128})\/knowledgeBases\/([A-Za-z0-9_-]{1,128})\/documents\/([A-Za-z0-9_-]{1,128})\/v(\d{1,6})\/[^/]+$/;

export function parseUploadPath(
  objectPath: string,
): { tenantId: string; kbId: string; docId: string; version: number } | null {
  const m = uploadPattern.exec(objectPath);
  if (!m) return null;
  return { tenantId: m[1] as string, kbId: m[2] as string, docId: m[3] as string, version: Number(m[4]) };
}
