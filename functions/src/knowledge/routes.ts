/** The Knowledge Vault's REST routes: knowledge bases, their documents (uploads, versions) and search. */
import { z } from "zod";
import { AppError } from "../platform/errors.js";
import { route, type Route } from "../platform/http/router.js";
import { idResponse, idSchema, nameSchema, validate } from "../platform/validation.js";
import {
  type AddedDocument,
  addDocument,
  addDocuments,
  deleteDocument,
  getDocument,
  listDocuments,
  restoreVersion,
} from "./documents.js";
import {
  createKnowledgeBase,
  createKnowledgeBaseInput,
  getKnowledgeBase,
  listKnowledgeBases,
} from "./knowledge-bases.js";
import { getDocumentFile, getDocumentText, getPassage } from "./reading.js";
import { chunkLocationSchema, documentsPath, documentTypes, knowledgeBasesPath } from "./schema.js";
import { searchInput, searchKnowledgeBase } from "./search.js";

const kbParams = z.object({ kbId: idSchema });
const docParams = z.object({ kbId: idSchema, docId: idSchema });
const chunkParams = z.object({ kbId: idSchema, chunkId: idSchema });

/** `?version=` of a document's text or file: a version number; without it, the searchable version. */
const versionQuery = z
  .object({
    version: z
      .string()
      .regex(/^[1-9]\d{0,8}$/, "must be a version number: 1, 2, …")
      .transform(Number)
      .optional(),
  })
  .strict();

const passageResponse = z.object({
  id: z.string(),
  kbId: z.string(),
  docId: z.string(),
  docName: z.string(),
  docType: z.enum(documentTypes),
  docVersion: z.number(),
  activeVersion: z.number().nullable(),
  index: z.number(),
  text: z.string(),
  location: chunkLocationSchema,
});

const documentTextResponse = z.object({
  docId: z.string(),
  name: z.string(),
  type: z.enum(documentTypes),
  version: z.number(),
  text: z.string(),
});

/** `filename*` of a Content-Disposition header (RFC 6266 / 5987), for any name a document may have. */
const attachment = (name: string): string =>
  `attachment; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;

const documentResponse = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  size: z.number(),
  version: z.number(),
  activeVersion: z.number().nullable(),
  status: z.enum(["queued", "processing", "ready", "failed"]),
  stage: z.string(),
  progress: z.number(),
  chunkCount: z.number(),
  tags: z.array(z.string()),
  error: z.string().optional(),
  versions: z.array(
    z.object({
      version: z.number(),
      size: z.number(),
      createdAt: z.string(),
      restoredFrom: z.number().optional(),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const batchUploadResponse = z.object({
  accepted: z.number(),
  refused: z.number(),
  results: z.array(
    z.union([
      z.object({ fileName: z.string(), document: documentResponse.extend({ duplicate: z.boolean() }) }),
      z.object({ fileName: z.string(), error: z.object({ code: z.string(), message: z.string() }) }),
    ]),
  ),
});

type BatchResult =
  | { readonly fileName: string; readonly document: AddedDocument }
  | { readonly fileName: string; readonly error: { code: string; message: string } };

const knowledgeBaseResponse = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  /** Documents with a searchable version. */
  documentCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const tagsInput = z.array(z.string().max(60)).max(20);

const textDocumentInput = z.object({
  name: nameSchema("name", 200),
  text: z.string().min(1, "text must not be empty"),
  tags: tagsInput.optional(),
});

/** Multipart uploads carry tags as one comma-separated field. */
const tagsField = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(",")
        .map((t) => t.trim())
        .filter((t) => t.length > 0);

export const knowledgeRoutes: Route<unknown, unknown>[] = [
  // ----- Knowledge Vault -----
  route({
    method: "POST",
    path: "/v1/knowledge-bases",
    summary: "Create a knowledge base",
    tag: "Knowledge",
    permission: "knowledge.manage",
    body: { kind: "json", schema: createKnowledgeBaseInput },
    status: 201,
    response: idResponse,
    handle: ({ deps, caller, body }) => createKnowledgeBase(deps, caller.tenantId, body, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/knowledge-bases",
    summary: "List knowledge bases, most recently changed first",
    tag: "Knowledge",
    permission: "workspace.read",
    live: ({ caller }) => ({ collection: knowledgeBasesPath(caller.tenantId) }),
    response: z.object({ knowledgeBases: z.array(knowledgeBaseResponse) }),
    handle: async ({ deps, caller }) => ({
      knowledgeBases: await listKnowledgeBases(deps, caller.tenantId),
    }),
  }),
  route({
    method: "GET",
    path: "/v1/knowledge-bases/{kbId}",
    summary: "Get a knowledge base",
    tag: "Knowledge",
    permission: "workspace.read",
    params: kbParams,
    response: knowledgeBaseResponse,
    handle: ({ deps, caller, params }) => getKnowledgeBase(deps, caller.tenantId, params.kbId),
  }),
  route({
    method: "POST",
    path: "/v1/knowledge-bases/{kbId}/documents",
    summary:
      "Upload documents: multipart field 'file' (one; answers the document), or 'files' repeated (several; " +
      "answers 202 with one result per file, or 207 when some were refused), or JSON {name, text}. An optional " +
      "'tags' field (comma-separated) applies to every file. Ingestion runs in the background. Uploads are " +
      "charged to the tenant's upload budget by size (each file at least 64 KB), not by request",
    tag: "Knowledge",
    permission: "knowledge.manage",
    params: kbParams,
    body: { kind: "upload", jsonAlternative: textDocumentInput },
    status: 202,
    response: z.union([documentResponse, batchUploadResponse]),
    raw: true,
    handle: async ({ deps, caller, params, body, upload }) => {
      if (!upload) {
        if (!body) throw new AppError("invalid-argument", "Send a file or {name, text}");
        const text = { fileName: body.name, bytes: Buffer.from(body.text, "utf8"), tags: body.tags };
        return { status: 202, body: await addDocument(deps, caller.tenantId, params.kbId, text, caller.uid) };
      }
      const tags = tagsField(upload.fields.tags);
      const single = upload.files.filter((f) => f.field === "file");
      const several = upload.files.filter((f) => f.field === "files");
      if (single.length + several.length !== upload.files.length) {
        const other = upload.files.find((f) => f.field !== "file" && f.field !== "files");
        throw new AppError(
          "invalid-argument",
          `Unexpected file field '${other?.field}': send one file as 'file' or several as 'files'`,
        );
      }
      if (single.length > 0 && several.length > 0)
        throw new AppError("invalid-argument", "Send either one 'file' or several 'files', not both");
      if (single.length > 1)
        throw new AppError("invalid-argument", "Send several files as repeated 'files' fields, not 'file'");
      const [file] = single;
      if (file) {
        const added = await addDocument(
          deps,
          caller.tenantId,
          params.kbId,
          { fileName: file.fileName, bytes: file.bytes, tags },
          caller.uid,
        );
        return { status: 202, body: added };
      }
      if (several.length === 0)
        throw new AppError("invalid-argument", "The multipart body has no 'file' field");
      const outcomes = await addDocuments(
        deps,
        caller.tenantId,
        params.kbId,
        several.map((f) => ({ fileName: f.fileName, bytes: f.bytes, tags })),
        caller.uid,
      );
      const results: BatchResult[] = outcomes.map((outcome, i) => {
        const fileName = several[i]?.fileName ?? "";
        return outcome instanceof AppError
          ? { fileName, error: { code: outcome.code, message: outcome.message } }
          : { fileName, document: outcome };
      });
      const refused = results.filter((r) => "error" in r).length;
      return {
        status: refused > 0 ? 207 : 202,
        body: { accepted: results.length - refused, refused, results },
      };
    },
  }),
  route({
    method: "GET",
    path: "/v1/knowledge-bases/{kbId}/documents",
    summary: "List a knowledge base's documents with their versions and status",
    tag: "Knowledge",
    permission: "workspace.read",
    params: kbParams,
    live: ({ caller, params }) => ({ collection: documentsPath(caller.tenantId, params.kbId) }),
    response: z.object({ documents: z.array(documentResponse) }),
    handle: async ({ deps, caller, params }) => ({
      documents: await listDocuments(deps, caller.tenantId, params.kbId),
    }),
  }),
  route({
    method: "DELETE",
    path: "/v1/knowledge-bases/{kbId}/documents/{docId}",
    summary: "Delete a document with all its versions, chunks and files",
    tag: "Knowledge",
    permission: "knowledge.manage",
    params: docParams,
    status: 204,
    raw: true,
    handle: async ({ deps, caller, params }) => {
      await deleteDocument(deps, caller.tenantId, params.kbId, params.docId, caller.uid);
      return { status: 204 };
    },
  }),
  route({
    method: "POST",
    path: "/v1/knowledge-bases/{kbId}/documents/{docId}/restore",
    summary: "Restore an earlier version: it is re-indexed as the newest version",
    tag: "Knowledge",
    permission: "knowledge.manage",
    params: docParams,
    body: { kind: "json", schema: z.object({ version: z.number().int().min(1) }) },
    status: 202,
    response: documentResponse,
    handle: ({ deps, caller, params, body }) =>
      restoreVersion(deps, caller.tenantId, params.kbId, params.docId, body.version, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/knowledge-bases/{kbId}/documents/{docId}",
    summary: "Get a document's ingestion status and progress",
    tag: "Knowledge",
    permission: "workspace.read",
    params: docParams,
    response: documentResponse,
    handle: ({ deps, caller, params }) => getDocument(deps, caller.tenantId, params.kbId, params.docId),
  }),
  route({
    method: "GET",
    path: "/v1/knowledge-bases/{kbId}/documents/{docId}/text",
    summary:
      "Get a document version's extracted text, the text its passages' location offsets (startOffset, " +
      "endOffset) count in: ?version= (default the searchable version). Read again from the stored file",
    tag: "Knowledge",
    permission: "workspace.read",
    params: docParams,
    response: documentTextResponse,
    handle: ({ deps, caller, params, request }) => {
      const { version } = validate(versionQuery, Object.fromEntries(request.query), "query parameter");
      return getDocumentText(deps, caller.tenantId, params.kbId, params.docId, version);
    },
  }),
  route({
    method: "GET",
    path: "/v1/knowledge-bases/{kbId}/documents/{docId}/file",
    summary:
      "Download a document version's original file, as uploaded, with its content type: ?version= " +
      "(default the searchable version). A PDF can then be opened at a passage's page (#page=N)",
    tag: "Knowledge",
    permission: "workspace.read",
    params: docParams,
    fileResponse: true,
    raw: true,
    handle: async ({ deps, caller, params, request }) => {
      const { version } = validate(versionQuery, Object.fromEntries(request.query), "query parameter");
      const file = await getDocumentFile(deps, caller.tenantId, params.kbId, params.docId, version);
      return {
        status: 200,
        headers: {
          "content-type": file.contentType,
          "content-disposition": attachment(file.name),
          // Uploaded content is never run as a page of this origin, whatever it holds.
          "content-security-policy": "sandbox; default-src 'none'",
          "x-document-version": String(file.version),
        },
        body: file.bytes,
      };
    },
  }),
  route({
    method: "GET",
    path: "/v1/knowledge-bases/{kbId}/chunks/{chunkId}",
    summary:
      "Get one passage (chunk) by the chunkId a citation names: its text, its location (heading path, page, " +
      "offsets into the document version's text) and its document's name, type and version",
    tag: "Knowledge",
    permission: "workspace.read",
    params: chunkParams,
    response: passageResponse,
    handle: ({ deps, caller, params }) => getPassage(deps, caller.tenantId, params.kbId, params.chunkId),
  }),
  route({
    method: "POST",
    path: "/v1/knowledge-bases/{kbId}/search",
    summary: "Search a knowledge base (hybrid vector + keyword by default); results carry a 0..1 score",
    tag: "Knowledge",
    permission: "workspace.read",
    params: kbParams,
    body: { kind: "json", schema: searchInput },
    handle: async ({ deps, caller, params, body }) => {
      const results = await searchKnowledgeBase(deps, caller.tenantId, params.kbId, body);
      return {
        results: results.map((r) => ({
          docId: r.docId,
          docName: r.docName,
          chunkId: r.chunkId,
          text: r.text,
          score: r.score,
          vectorScore: r.vectorScore,
          keywordScore: r.keywordScore,
          ...(r.rerankScore !== undefined ? { rerankScore: r.rerankScore } : {}),
          location: r.location,
        })),
      };
    },
  }),
];
