/**
 * Firestore documents → the bodies the REST API answers for the same data, so Firebase mode hands the
 * studio's existing parsers exactly what local mode does. Each mapper mirrors one backend response:
 * the zod schema's defaults (`functions/src/<service>/schema.ts`: a field left out reads as its default)
 * and the route's view (`functions/src/channels/api/routes.ts`, the services' `…View` functions).
 * Documents keep their times as ISO strings; a Timestamp (a document written by another tool) becomes one.
 *
 * Key order matters where a screen lists a map's entries (a trace's timings): Firestore answers map keys
 * sorted, the REST API in the schema's order, so those maps are put back in the schema's order.
 */
import { agentChannels } from "../agents";
import { isRecord } from "../platform";
import type { FirestoreDoc } from "./ports";

// ----- values -------------------------------------------------------------------------------------------

interface TimestampLike {
  readonly seconds: number;
  readonly nanoseconds: number;
  toDate(): Date;
}

function isTimestampLike(value: unknown): value is TimestampLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { toDate?: unknown }).toDate === "function" &&
    typeof (value as { seconds?: unknown }).seconds === "number" &&
    typeof (value as { nanoseconds?: unknown }).nanoseconds === "number"
  );
}

/** A Firestore value as JSON would carry it: Timestamps and Dates become ISO strings, at any depth. */
export function plainValue(value: unknown): unknown {
  if (isTimestampLike(value)) return value.toDate().toISOString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainValue(inner)]));
  }
  return value;
}

/** zod's `.default(d)`: applies only when the field is absent. */
const orDefault = <T>(value: unknown, fallback: T): unknown => (value === undefined ? fallback : value);

const asRecord = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});

/** The map with `order`'s keys first, in that order, then any others as they were. */
function inKeyOrder(value: unknown, order: readonly string[]): unknown {
  if (!isRecord(value)) return value;
  const ordered: Record<string, unknown> = {};
  for (const key of order) if (key in value) ordered[key] = value[key];
  for (const [key, inner] of Object.entries(value)) if (!(key in ordered)) ordered[key] = inner;
  return ordered;
}

/** Newest change first, then by id: the order of the REST API's agent and knowledge base listings. */
export function byUpdatedAtDesc(
  a: { id: string; updatedAt: unknown },
  b: { id: string; updatedAt: unknown },
) {
  const ua = String(a.updatedAt);
  const ub = String(b.updatedAt);
  return ua < ub ? 1 : ua > ub ? -1 : a.id < b.id ? -1 : 1;
}

// ----- agents (functions/src/agents/schema.ts) ----------------------------------------------------------

/** `toolSchema`: a discriminated union whose http tools default `method` and `timeoutMs`. */
function toolBody(value: unknown): unknown {
  if (!isRecord(value)) return value;
  if (value.kind === "builtin") return { kind: value.kind, name: value.name };
  if (value.kind === "http") {
    return {
      kind: value.kind,
      name: value.name,
      description: value.description,
      parameters: value.parameters,
      url: value.url,
      method: orDefault(value.method, "POST"),
      timeoutMs: orDefault(value.timeoutMs, 10_000),
    };
  }
  return value;
}

/** `agentConfigSchema`, with its defaults. */
function agentConfigBody(value: unknown): Record<string, unknown> {
  const config = asRecord(value);
  const model = config.model === undefined ? undefined : asRecord(config.model);
  const guardrails = config.guardrails === undefined ? undefined : asRecord(config.guardrails);
  const tools = orDefault(config.tools, []);
  return {
    name: config.name,
    description: orDefault(config.description, ""),
    instructions: config.instructions,
    model: model
      ? {
          name: orDefault(model.name, null),
          temperature: orDefault(model.temperature, 0.2),
          maxOutputTokens: orDefault(model.maxOutputTokens, 800),
        }
      : { name: null, temperature: 0.2, maxOutputTokens: 800 },
    knowledgeBaseIds: config.knowledgeBaseIds,
    tools: Array.isArray(tools) ? tools.map(toolBody) : tools,
    maxToolSteps: orDefault(config.maxToolSteps, 4),
    guardrails: guardrails
      ? {
          blockedTopics: orDefault(guardrails.blockedTopics, []),
          redactPii: orDefault(guardrails.redactPii, true),
        }
      : { blockedTopics: [], redactPii: true },
    confidenceThreshold: config.confidenceThreshold,
    memoryWindow: config.memoryWindow,
    contextBudgetTokens: orDefault(config.contextBudgetTokens, 8000),
    channels: orDefault(config.channels, [...agentChannels]),
    // Absent from agents saved before long-term memory: the parser reads that as off.
    ...(config.longTermMemory === undefined ? {} : { longTermMemory: config.longTermMemory }),
  };
}

/** `GET /v1/agents/{id}`: `{ id, ...agentSchema.parse(data) }`. */
export function agentBody(doc: FirestoreDoc): Record<string, unknown> {
  const data = asRecord(plainValue(doc.data));
  return {
    id: doc.id,
    ...agentConfigBody(data),
    status: data.status,
    publishedVersion: orDefault(data.publishedVersion, null),
    latestVersion: orDefault(data.latestVersion, 0),
    createdAt: data.createdAt,
    updatedAt: data.updatedAt,
    // Stored on the agent outside its versions (agents/schema.ts `publishGate`).
    publishGate: orDefault(data.publishGate, null),
  };
}

/** `GET /v1/agents`: archived agents only when asked for, most recently changed first. */
export function agentListBody(docs: readonly FirestoreDoc[], includeArchived: boolean) {
  const agents = docs
    .map(agentBody)
    .filter((agent) => includeArchived || agent.status !== "archived")
    .sort((a, b) =>
      byUpdatedAtDesc(
        { id: String(a.id), updatedAt: a.updatedAt },
        { id: String(b.id), updatedAt: b.updatedAt },
      ),
    );
  return { agents };
}

/** One of `GET /v1/agents/{id}/versions`: `{ id, ...agentVersionSchema.parse(data) }`. */
export function agentVersionBody(doc: FirestoreDoc): Record<string, unknown> {
  const data = asRecord(plainValue(doc.data));
  return {
    id: doc.id,
    version: data.version,
    config: agentConfigBody(data.config),
    note: orDefault(data.note, ""),
    publishedAt: data.publishedAt,
    publishedBy: data.publishedBy,
  };
}

// ----- knowledge (functions/src/knowledge/schema.ts, knowledge-bases.ts, documents.ts) -------------------

/** `toView`: the internal `active` map becomes the number of searchable documents. */
export function knowledgeBaseBody(doc: FirestoreDoc): Record<string, unknown> {
  const data = asRecord(plainValue(doc.data));
  return {
    id: doc.id,
    name: data.name,
    description: orDefault(data.description, ""),
    createdAt: data.createdAt,
    updatedAt: data.updatedAt,
    documentCount: Object.keys(asRecord(data.active)).length,
  };
}

/** `GET /v1/knowledge-bases`: most recently changed first. */
export function knowledgeBaseListBody(docs: readonly FirestoreDoc[]) {
  const knowledgeBases = docs
    .map(knowledgeBaseBody)
    .sort((a, b) =>
      byUpdatedAtDesc(
        { id: String(a.id), updatedAt: a.updatedAt },
        { id: String(b.id), updatedAt: b.updatedAt },
      ),
    );
  return { knowledgeBases };
}

/** A document being deleted is already gone for readers (`listDocuments`, `loadDocument`). */
export function isListedDocument(doc: FirestoreDoc): boolean {
  return doc.data.status !== "deleting";
}

/** `documentView`: internal fields left out, progress to three decimals, `error` only when there is one. */
export function knowledgeDocumentBody(doc: FirestoreDoc): Record<string, unknown> {
  const data = asRecord(plainValue(doc.data));
  const versions = Array.isArray(data.versions) ? data.versions : [];
  return {
    id: doc.id,
    name: data.name,
    type: data.type,
    size: data.size,
    version: data.version,
    activeVersion: data.activeVersion,
    status: data.status === "deleting" ? "processing" : data.status,
    stage: data.stage,
    progress: typeof data.progress === "number" ? Math.round(data.progress * 1000) / 1000 : data.progress,
    chunkCount: data.chunkCount,
    tags: orDefault(data.tags, []),
    ...(data.error ? { error: data.error } : {}),
    versions: versions.map((entry) => {
      const { version, size, createdAt, restoredFrom } = asRecord(entry);
      return { version, size, createdAt, ...(restoredFrom !== undefined ? { restoredFrom } : {}) };
    }),
    createdAt: data.createdAt,
    updatedAt: data.updatedAt,
  };
}

/** `GET …/documents`: by name (the query orders them), without those being deleted. */
export function knowledgeDocumentListBody(docs: readonly FirestoreDoc[]) {
  return { documents: docs.filter(isListedDocument).map(knowledgeDocumentBody) };
}

// ----- conversations (functions/src/agents/schema.ts) ---------------------------------------------------

/** A listing row (`ConversationListItem`): the conversation without its summary, which quotes the end user. */
export function conversationListItemBody(doc: FirestoreDoc): Record<string, unknown> {
  const { summary: _summary, ...conversation } = conversationBody(doc);
  return conversation;
}

/** `GET /v1/conversations/{id}`: `{ id, ...conversationSchema.parse(data) }`. */
export function conversationBody(doc: FirestoreDoc): Record<string, unknown> {
  const data = asRecord(plainValue(doc.data));
  return {
    id: doc.id,
    agentId: data.agentId,
    agentVersion: data.agentVersion,
    channel: data.channel,
    endUserRef: data.endUserRef,
    messageCount: data.messageCount,
    summary: orDefault(data.summary, null),
    createdAt: data.createdAt,
    updatedAt: data.updatedAt,
  };
}

/** `toMessageResponse` over `messageSchema`'s defaults. */
export function messageBody(doc: FirestoreDoc): Record<string, unknown> {
  const data = asRecord(plainValue(doc.data));
  return {
    id: doc.id,
    role: data.role,
    content: data.content,
    citations: orDefault(data.citations, []),
    confidence: orDefault(data.confidence, null),
    abstained: orDefault(data.abstained, false),
    explanation: orDefault(data.explanation, null),
    traceId: orDefault(data.traceId, null),
    agentVersion: orDefault(data.agentVersion, null),
    usage: orDefault(data.usage, null),
    createdAt: data.createdAt,
    ...(data.delivery !== undefined ? { delivery: data.delivery } : {}),
    ...(data.confirmation !== undefined ? { confirmation: data.confirmation } : {}),
    ...(data.feedback !== undefined ? { feedback: data.feedback } : {}),
  };
}

// ----- traces (functions/src/accountability/schema.ts) --------------------------------------------------

/** `traceSchema.timingsMs`, in the order the trace view lists its steps. */
export const traceTimingSteps = [
  "guardrails",
  "retrieval",
  "context",
  "generation",
  "tools",
  "checks",
  "total",
] as const;

/** `GET /v1/traces/{id}`: `{ id, ...traceSchema.parse(data) }`. */
export function traceBody(doc: FirestoreDoc): Record<string, unknown> {
  const data = asRecord(plainValue(doc.data));
  return {
    id: doc.id,
    ...data,
    citations: orDefault(data.citations, []),
    timingsMs: inKeyOrder(data.timingsMs, traceTimingSteps),
  };
}
