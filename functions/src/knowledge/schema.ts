/** Knowledge Vault collections: knowledge bases, their documents and chunks (schemas + paths). */
import { z } from "zod";
import { checkId, tenantPath } from "../platform/tenancy.js";

export const documentStatuses = ["queued", "processing", "ready", "failed"] as const;
export type DocumentStatus = (typeof documentStatuses)[number];

export const documentTypes = ["text", "markdown", "html"] as const;
export type DocumentType = (typeof documentTypes)[number];

export const knowledgeBaseSchema = z.object({
  name: z.string().min(1).max(120),
  description: z.string().max(2000).default(""),
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
  totalBatches: z.number().int().min(0),
  embeddedBatches: z.array(z.number().int()),
  blobPath: z.string(),
  error: z.string().nullable(),
  embedder: z.object({ model: z.string(), version: z.string(), dimensions: z.number().int() }).nullable(),
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
  embeddingModel: z.string().nullable(),
  createdAt: z.string(),
});
export type Chunk = z.infer<typeof chunkSchema>;

/** The vector field of a chunk (kept out of the zod schema: adapters return a VectorValue). */
export const chunkVectorField = "embedding";

export const knowledgeBasesPath = (tenantId: string): string => `${tenantPath(tenantId)}/knowledgeBases`;
export const knowledgeBasePath = (tenantId: string, kbId: string): string =>
  `${knowledgeBasesPath(tenantId)}/${checkId(kbId, "knowledge base id")}`;
export const documentsPath = (tenantId: string, kbId: string): string =>
  `${knowledgeBasePath(tenantId, kbId)}/documents`;
export const documentPath = (tenantId: string, kbId: string, docId: string): string =>
  `${documentsPath(tenantId, kbId)}/${checkId(docId, "document id")}`;
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

const uploadPattern =
  /^tenants\/([A-Za-z0-9_-]{1,128})\/knowledgeBases\/([A-Za-z0-9_-]{1,128})\/documents\/([A-Za-z0-9_-]{1,128})\/v(\d{1,6})\/[^/]+$/;

export function parseUploadPath(
  objectPath: string,
): { tenantId: string; kbId: string; docId: string; version: number } | null {
  const m = uploadPattern.exec(objectPath);
  if (!m) return null;
  return { tenantId: m[1] as string, kbId: m[2] as string, docId: m[3] as string, version: Number(m[4]) };
}
