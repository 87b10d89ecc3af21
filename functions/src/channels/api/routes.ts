/**
 * The REST API v1 route table. Handlers are thin: the router has already authenticated the caller,
 * checked the role and validated params and body; each handler calls one service function with the
 * caller's tenant (never a tenant from the request).
 */
import { z } from "zod";
import { citationSchema } from "../../accountability/schema.js";
import { getTrace } from "../../accountability/traces.js";
import {
  archiveAgent,
  createAgent,
  createAgentInput,
  getAgent,
  lastActivityOf,
  listAgents,
  listVersions,
  pauseAgent,
  publishAgent,
  publishAgentInput,
  resumeAgent,
  rollbackAgent,
  rollbackAgentInput,
  updateAgent,
  updateAgentInput,
} from "../../agents/agents.js";
import {
  conversationListQuery,
  listConversations,
  listMessages,
  openConversation,
  sendMessage,
  sendMessageInput,
  startConversation,
} from "../../agents/conversation.js";
import { agentChannels, agentsPath, versionSelectorSchema } from "../../agents/schema.js";
import { documentsPath, knowledgeBasesPath } from "../../knowledge/schema.js";
import {
  type AddedDocument,
  addDocument,
  addDocuments,
  deleteDocument,
  getDocument,
  listDocuments,
  restoreVersion,
} from "../../knowledge/documents.js";
import {
  createKnowledgeBase,
  createKnowledgeBaseInput,
  getKnowledgeBase,
  listKnowledgeBases,
} from "../../knowledge/knowledge-bases.js";
import { searchInput, searchKnowledgeBase } from "../../knowledge/search.js";
import { analyticsResponseSchema, loadAnalytics } from "../../monitor/analytics.js";
import { checkHealth } from "../../monitor/health.js";
import { requirePermission } from "../../platform/permissions.js";
import { AppError } from "../../platform/errors.js";
import { createApiKey, listApiKeys, revokeApiKey } from "../../identity/api-keys.js";
import { roles, roleSchema } from "../../platform/caller.js";
import { idPattern } from "../../platform/ids.js";
import { wantsEventStream, type SseSend } from "../../platform/http/http.js";
import { openApiDocument, route, type Route } from "../../platform/http/router.js";
import { openaiRoutes } from "../openai/compat.js";
import { privacyRoutes } from "../../privacy/routes.js";
import { identityRoutes } from "../../identity/routes.js";
import { agentRoutes } from "../../agents/routes.js";
import { nameSchema } from "../../platform/validation.js";

const id = z.string().regex(idPattern, "must be 1-128 letters, digits, '-' or '_'");
const kbParams = z.object({ kbId: id });
const docParams = z.object({ kbId: id, docId: id });
const agentParams = z.object({ agentId: id });
const conversationParams = z.object({ conversationId: id });
const traceParams = z.object({ traceId: id });

const idResponse = z.object({ id: z.string() });

const createApiKeyInput = z.object({
  name: nameSchema("name", 120),
  role: roleSchema,
  /** Limit the key to talking to this agent (for a channel or a widget). */
  agentId: id.optional(),
});

const startConversationInput = z.object({
  /** "published" (default), a version number, or "draft" (the studio playground; editors only). */
  version: versionSelectorSchema.optional(),
  /** The end user's identity on the channel (e.g. a customer id), for privacy export and erasure. */
  endUserRef: z.string().trim().min(1).max(200).optional(),
});

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

const messageResponse = z.object({
  id: z.string(),
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  citations: z.array(citationSchema),
  confidence: z.number().nullable(),
  abstained: z.boolean(),
  explanation: z.string().nullable(),
  traceId: z.string().nullable(),
  agentVersion: z.union([z.literal("draft"), z.number()]).nullable(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).nullable(),
  createdAt: z.string(),
});

const conversationPageResponse = z.object({
  conversations: z.array(
    z.object({
      id: z.string(),
      agentId: z.string(),
      /** What the conversation talks to: "published" (follows the agent), a pinned version, or "draft". */
      agentVersion: versionSelectorSchema,
      channel: z.enum(agentChannels),
      endUserRef: z.string().nullable(),
      /** The credential that started it (an account or Firebase uid, or apikey:<id>); null if not recorded. */
      startedBy: z.string().nullable(),
      messageCount: z.number(),
      createdAt: z.string(),
      updatedAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
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

export const routes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/health",
    summary: "Platform health: run mode, version, store checks and the models in use",
    tag: "Platform",
    permission: null,
    raw: true,
    handle: async ({ deps }) => {
      const report = await checkHealth(deps);
      return { status: report.status === "down" ? 503 : 200, body: report };
    },
  }),
  route({
    method: "GET",
    path: "/v1/openapi.json",
    summary: "This API's OpenAPI 3.1 description",
    tag: "Platform",
    permission: null,
    raw: true,
    handle: async ({ deps }) => ({
      status: 200,
      body: openApiDocument(routes, { version: deps.config.version }),
    }),
  }),

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
          location: r.location,
        })),
      };
    },
  }),

  // ----- API keys -----
  route({
    method: "POST",
    path: "/v1/api-keys",
    summary:
      "Create an API key with a role (at most your own), optionally limited to one agent; the key is in " +
      "this response only",
    tag: "Identity",
    permission: "keys.manage",
    body: { kind: "json", schema: createApiKeyInput },
    status: 201,
    response: z.object({ id: z.string(), key: z.string() }),
    handle: async ({ deps, caller, body }) => {
      if (roles.indexOf(body.role) > roles.indexOf(caller.role)) {
        throw new AppError(
          "permission-denied",
          `You cannot create a key with the ${body.role} role: yours is ${caller.role}`,
        );
      }
      if (body.agentId) await getAgent(deps, caller.tenantId, body.agentId);
      return createApiKey(deps, caller.tenantId, {
        name: body.name,
        role: body.role,
        agentId: body.agentId ?? null,
        createdBy: caller.uid,
      });
    },
  }),
  route({
    method: "GET",
    path: "/v1/api-keys",
    summary: "List API keys (never the keys themselves), with their role, agent, and last use",
    tag: "Identity",
    permission: "keys.manage",
    handle: async ({ deps, caller }) => ({ keys: await listApiKeys(deps, caller.tenantId) }),
  }),
  route({
    method: "DELETE",
    path: "/v1/api-keys/{keyId}",
    summary: "Revoke an API key: it stops working at once",
    tag: "Identity",
    permission: "keys.manage",
    params: z.object({ keyId: id }),
    handle: ({ deps, caller, params }) => revokeApiKey(deps, caller, params.keyId),
  }),

  // ----- Agents -----
  route({
    method: "GET",
    path: "/v1/agents",
    summary:
      "List agents, most recently changed first (archived ones with ?includeArchived=true), each with " +
      "lastActivityAt: when its newest conversation last changed (null if none)",
    tag: "Agents",
    permission: "workspace.read",
    live: ({ caller }) => ({ collection: agentsPath(caller.tenantId) }),
    handle: async ({ deps, caller, request }) => {
      const agents = await listAgents(deps, caller.tenantId, {
        includeArchived: request.query.get("includeArchived") === "true",
      });
      const activity = await lastActivityOf(
        deps,
        caller.tenantId,
        agents.map((a) => a.id),
      );
      return { agents: agents.map((a) => ({ ...a, lastActivityAt: activity.get(a.id) ?? null })) };
    },
  }),
  route({
    method: "POST",
    path: "/v1/agents",
    summary: "Create an agent; it starts as a draft",
    tag: "Agents",
    permission: "agents.manage",
    body: { kind: "json", schema: createAgentInput },
    status: 201,
    response: idResponse,
    handle: ({ deps, caller, body }) => createAgent(deps, caller.tenantId, body, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/agents/{agentId}",
    summary: "Get an agent: its draft configuration, status and published version",
    tag: "Agents",
    permission: "workspace.read",
    params: agentParams,
    handle: ({ deps, caller, params }) => getAgent(deps, caller.tenantId, params.agentId),
  }),
  route({
    method: "PATCH",
    path: "/v1/agents/{agentId}",
    summary: "Change the draft configuration (published versions never change)",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    body: { kind: "json", schema: updateAgentInput },
    handle: ({ deps, caller, params, body }) =>
      updateAgent(deps, caller.tenantId, params.agentId, body, caller.uid),
  }),
  route({
    method: "DELETE",
    path: "/v1/agents/{agentId}",
    summary: "Archive an agent: it stops answering; its versions, conversations and traces stay readable",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    status: 204,
    raw: true,
    handle: async ({ deps, caller, params }) => {
      await archiveAgent(deps, caller.tenantId, params.agentId, caller.uid);
      return { status: 204 };
    },
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/publish",
    summary: "Publish the draft as the next immutable version and serve it",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    body: { kind: "json", schema: publishAgentInput },
    handle: ({ deps, caller, params, body }) =>
      publishAgent(deps, caller.tenantId, params.agentId, body, caller.uid),
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/rollback",
    summary: "Serve an earlier published version again (the draft is unchanged)",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    body: { kind: "json", schema: rollbackAgentInput },
    handle: ({ deps, caller, params, body }) =>
      rollbackAgent(deps, caller.tenantId, params.agentId, body.version, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/agents/{agentId}/versions",
    summary: "List an agent's published versions, newest first",
    tag: "Agents",
    permission: "workspace.read",
    params: agentParams,
    handle: async ({ deps, caller, params }) => ({
      versions: await listVersions(deps, caller.tenantId, params.agentId),
    }),
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/pause",
    summary: "Pause a published agent: it stops answering until resumed",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    handle: ({ deps, caller, params }) => pauseAgent(deps, caller.tenantId, params.agentId, caller.uid),
  }),
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/resume",
    summary: "Resume a paused agent",
    tag: "Agents",
    permission: "agents.manage",
    params: agentParams,
    handle: ({ deps, caller, params }) => resumeAgent(deps, caller.tenantId, params.agentId, caller.uid),
  }),

  // ----- Conversations -----
  route({
    method: "POST",
    path: "/v1/agents/{agentId}/conversations",
    summary:
      "Start a conversation with the published version (default), a pinned version, or the draft (editors only)",
    tag: "Conversations",
    permission: "conversations.converse",
    agentOf: ({ params }) => params.agentId,
    params: agentParams,
    body: { kind: "json", schema: startConversationInput },
    status: 201,
    handle: ({ deps, caller, params, body }) => {
      if (body.version === "draft") requirePermission(caller, "agents.manage");
      return startConversation(deps, caller.tenantId, params.agentId, {
        channel: body.version === "draft" ? "studio" : "api",
        version: body.version,
        endUserRef: body.endUserRef,
        startedBy: caller.uid,
      });
    },
  }),
  route({
    method: "GET",
    path: "/v1/conversations",
    summary:
      "List conversations, most recent activity first. Filters: ?agentId=, ?channel= (api, " +
      "openai-compatible, callable, studio), ?from= and ?to= (last activity in [from, to): ISO dates, " +
      "midnight UTC, or date-times with an offset). Pages: ?limit= (1-200, default 50) and ?cursor= " +
      "(the previous page's nextCursor; null on the last page)",
    tag: "Conversations",
    permission: "conversations.view",
    response: conversationPageResponse,
    // Watches exactly the page it lists: a new conversation, or one that gets a message, changes it.
    live: ({ caller, request }) => conversationListQuery(caller.tenantId, Object.fromEntries(request.query)),
    handle: ({ deps, caller, request }) =>
      listConversations(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
  route({
    method: "GET",
    path: "/v1/conversations/{conversationId}",
    summary:
      "Get a conversation: one the credential started, or any with the conversations.view permission (editors)",
    tag: "Conversations",
    permission: "conversations.converse",
    params: conversationParams,
    handle: ({ deps, caller, params }) => openConversation(deps, caller, params.conversationId, "read"),
  }),
  route({
    method: "POST",
    path: "/v1/conversations/{conversationId}/messages",
    summary:
      "Send a message; the answer carries citations, confidence, abstention and a trace id. With " +
      "'Accept: text/event-stream' or {stream: true} the answer streams as server-sent events: 'delta' events " +
      "with text as the model writes, then one 'message' event with the checked message (or an 'error' event). " +
      "Only the credential that started a conversation may continue it",
    tag: "Conversations",
    permission: "conversations.converse",
    params: conversationParams,
    body: { kind: "json", schema: sendMessageInput.extend({ stream: z.boolean().optional() }) },
    response: z.object({ message: messageResponse }),
    raw: true,
    handle: async ({ deps, caller, params, body, request }) => {
      await openConversation(deps, caller, params.conversationId, "continue");
      const input = { content: body.content };
      if (!wantsEventStream(request, body)) {
        const message = await sendMessage(deps, caller.tenantId, params.conversationId, input);
        return { status: 200, body: { message: toMessageResponse(message) } };
      }
      return {
        status: 200,
        stream: async (send: SseSend) => {
          const message = await sendMessage(deps, caller.tenantId, params.conversationId, input, {
            onDelta: (text) => send({ text }, "delta"),
          });
          send({ message: toMessageResponse(message) }, "message");
        },
      };
    },
  }),
  route({
    method: "GET",
    path: "/v1/conversations/{conversationId}/messages",
    summary:
      "List a conversation's messages, oldest first (a conversation the credential started, or any with " +
      "conversations.view)",
    tag: "Conversations",
    permission: "conversations.converse",
    params: conversationParams,
    response: z.object({ messages: z.array(messageResponse) }),
    handle: async ({ deps, caller, params }) => {
      await openConversation(deps, caller, params.conversationId, "read");
      return {
        messages: (await listMessages(deps, caller.tenantId, params.conversationId)).map(toMessageResponse),
      };
    },
  }),
  route({
    method: "GET",
    path: "/v1/traces/{traceId}",
    summary: "Get the immutable decision trace of one answer",
    tag: "Accountability",
    permission: "conversations.view",
    params: traceParams,
    handle: ({ deps, caller, params }) => getTrace(deps, caller.tenantId, params.traceId),
  }),
  route({
    method: "GET",
    path: "/v1/analytics",
    summary:
      "Conversation analytics per UTC day, in total and by channel: conversations, turns, abstention rate, " +
      "declined and failed turns, average confidence, latency p50/p95/p99 and tokens (?agentId=, " +
      "?from= and ?to= as ISO dates, to exclusive, default the last 30 days, at most 90; ?bucket=day). " +
      "At most 50,000 turns are counted, the newest first; 'truncated' says when the window held more",
    tag: "Accountability",
    permission: "conversations.view",
    response: analyticsResponseSchema,
    handle: ({ deps, caller, request }) =>
      loadAnalytics(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
  ...openaiRoutes,
  ...privacyRoutes,
  ...identityRoutes,
  ...agentRoutes,
];

function toMessageResponse(
  m: Awaited<ReturnType<typeof listMessages>>[number],
): z.infer<typeof messageResponse> {
  return {
    id: m.id,
    role: m.role,
    content: m.content,
    citations: m.citations,
    confidence: m.confidence,
    abstained: m.abstained,
    explanation: m.explanation,
    traceId: m.traceId,
    agentVersion: m.agentVersion,
    usage: m.usage,
    createdAt: m.createdAt,
  };
}
