/**
 * Conversation history over the platform's REST API: the listing's first page watched over SSE, later pages
 * and transcripts requested, and their answers read and checked at the edge. Firebase mode reads the history
 * from Firestore and runs the same parsers over the same bodies.
 */
import {
  conversationPageSize,
  deliveryStatuses,
  type ConversationFilter,
  type ConversationHistorySource,
  type ConversationPage,
  type ConversationSummary,
  type ConversationVersion,
  type Delivery,
  type TranscriptMessage,
} from "../history";
import { requestAsSignedIn } from "../session";
import { parseAssistantMessage } from "./conversations";
import { watchOverRest } from "./live";
import { ShapeError, field, isCount, isNullableString, isString, list, parseWith, record } from "./shape";

export const restConversationHistory: ConversationHistorySource = {
  watchConversationList(filter) {
    const path = conversationListPath(filter);
    return watchOverRest(path, (body) => parseConversationPage(body, path));
  },
  async listConversationPage(filter, cursor, signal) {
    const path = conversationListPath(filter, cursor);
    return parseConversationPage(await requestAsSignedIn(path, { signal }), path);
  },
  async getConversation(conversationId, signal) {
    const path = conversationPath(conversationId);
    return parseConversation(await requestAsSignedIn(path, { signal }), path);
  },
  async listConversationMessages(conversationId, signal) {
    const path = `${conversationPath(conversationId)}/messages`;
    return parseTranscriptMessages(await requestAsSignedIn(path, { signal }), path);
  },
};

// ----- requests -------------------------------------------------------------------------------------

/** `GET /v1/conversations` with the filter (and a cursor for a later page). */
export function conversationListPath(filter: ConversationFilter, cursor?: string): string {
  const query = new URLSearchParams();
  if (filter.agentId) query.set("agentId", filter.agentId);
  if (filter.channel) query.set("channel", filter.channel);
  if (filter.from) query.set("from", filter.from);
  if (filter.to) query.set("to", filter.to);
  query.set("limit", String(conversationPageSize));
  if (cursor) query.set("cursor", cursor);
  return `/v1/conversations?${query.toString()}`;
}

export const conversationPath = (conversationId: string): string =>
  `/v1/conversations/${encodeURIComponent(conversationId)}`;

// ----- parsing --------------------------------------------------------------------------------------

const isVersion = (v: unknown): v is ConversationVersion =>
  v === "published" ||
  v === "draft" ||
  (typeof v === "number" && Number.isInteger(v) && v > 0) ||
  (typeof v === "object" && v !== null && typeof (v as { environment?: unknown }).environment === "string");

function parseSummaryRecord(value: unknown): ConversationSummary {
  const c = record(value, "conversation");
  return {
    id: field(c, "id", isString),
    agentId: field(c, "agentId", isString),
    agentVersion: field(c, "agentVersion", isVersion),
    channel: field(c, "channel", isString),
    endUserRef: field(c, "endUserRef", isNullableString),
    messageCount: field(c, "messageCount", isCount),
    createdAt: field(c, "createdAt", isString),
    updatedAt: field(c, "updatedAt", isString),
  };
}

export function parseConversationPage(body: unknown, path: string): ConversationPage {
  return parseWith(
    () => {
      const page = record(body, "body");
      return {
        conversations: field(page, "conversations", Array.isArray).map(parseSummaryRecord),
        nextCursor: field(page, "nextCursor", isNullableString),
      };
    },
    `GET ${path}`,
    path,
    "a page of conversations",
  );
}

export function parseConversation(body: unknown, path: string): ConversationSummary {
  return parseWith(() => parseSummaryRecord(body), `GET ${path}`, path, "a conversation");
}

function parseTranscriptMessage(value: unknown): TranscriptMessage {
  const m = record(value, "message");
  const role = field(m, "role", (v): v is "user" | "assistant" => v === "user" || v === "assistant");
  const id = field(m, "id", isString);
  const createdAt = field(m, "createdAt", isString);
  if (role === "user") return { role, id, content: field(m, "content", isString), createdAt };
  const answer = parseAssistantMessage(m);
  if (!answer) throw new ShapeError("message");
  return {
    role,
    id,
    createdAt,
    answer,
    ...(m.delivery !== undefined ? { delivery: parseDelivery(m.delivery) } : {}),
  };
}

function parseDelivery(value: unknown): Delivery {
  const d = record(value, "delivery");
  const error = d.error === null ? null : record(d.error, "delivery.error");
  return {
    status: field(d, "status", (v): v is Delivery["status"] =>
      (deliveryStatuses as readonly unknown[]).includes(v),
    ),
    at: field(d, "at", isString),
    error:
      error === null
        ? null
        : { code: field(error, "code", isString), message: field(error, "message", isString) },
  };
}

export function parseTranscriptMessages(body: unknown, path: string): TranscriptMessage[] {
  return parseWith(
    () => list(body, "messages").map(parseTranscriptMessage),
    `GET ${path}`,
    path,
    "a list of messages",
  );
}
