/**
 * End users, their memories and consistency flags, and drift over the platform's REST API (both modes: the
 * records are the platform's, and firestore.rules gives the studio no direct read of them): the requests,
 * and the reading of their answers, checked at the edge so the pages can trust every field they show.
 */
import {
  consistencyFlagStatuses,
  driftStatuses,
  memoryKinds,
  memoryMethods,
  type ConsistencyFlag,
  type DriftAnswer,
  type DriftCause,
  type DriftFlag,
  type DriftQuery,
  type EndUserConversation,
  type EndUserDetail,
  type EndUserPage,
  type EndUserSummary,
  type Memory,
  type MemorySource,
  type NarrativeSource,
  type StatementSource,
  type TraceMemory,
} from "../narrative";
import { isRecord } from "../platform";
import { requestAsSignedIn } from "../session";
import {
  field,
  isBoolean,
  isCount,
  isInstant,
  isNullableInstant,
  isNullableNumber,
  isNullableString,
  isNumber,
  isOneOf,
  isString,
  isStringArray,
  list,
  nested,
  optional,
  parseWith,
  record,
  within,
} from "./shape";

export const endUsersPath = "/v1/end-users";
export const endUserPath = (endUserKey: string) => `${endUsersPath}/${encodeURIComponent(endUserKey)}`;
const memoriesPath = (endUserKey: string) => `${endUserPath(endUserKey)}/memories`;
const memoryPath = (endUserKey: string, memoryId: string) =>
  `${memoriesPath(endUserKey)}/${encodeURIComponent(memoryId)}`;
const flagPath = (endUserKey: string, flagId: string) =>
  `${endUserPath(endUserKey)}/flags/${encodeURIComponent(flagId)}`;
export const driftPath = "/v1/drift";
const driftFlagPath = (flagId: string) => `${driftPath}/${encodeURIComponent(flagId)}`;

/** `GET /v1/end-users?q=…&cursor=…`, with only the parameters that say something. */
export function endUsersRequestPath(query: { readonly q?: string | undefined }, cursor: string | null) {
  const params = new URLSearchParams();
  const q = query.q?.trim();
  if (q) params.set("q", q);
  if (cursor !== null) params.set("cursor", cursor);
  const search = params.toString();
  return search ? `${endUsersPath}?${search}` : endUsersPath;
}

/** `GET /v1/drift?agentId=…&status=…&cursor=…`. */
export function driftRequestPath(query: DriftQuery, cursor: string | null) {
  const params = new URLSearchParams();
  if (query.agentId !== undefined) params.set("agentId", query.agentId);
  if (query.status !== undefined) params.set("status", query.status);
  if (cursor !== null) params.set("cursor", cursor);
  const search = params.toString();
  return search ? `${driftPath}?${search}` : driftPath;
}

async function changeMemory(
  method: "POST" | "PATCH",
  path: string,
  body: Record<string, unknown>,
): Promise<Memory> {
  const answer = await requestAsSignedIn(path, { method, body });
  return parseWith(() => parseMemory(answer), `${method} ${path}`, path, "a memory");
}

export const restNarrative: NarrativeSource = {
  async listEndUsers(query, cursor, signal) {
    const path = endUsersRequestPath(query, cursor);
    return parseEndUserPage(await requestAsSignedIn(path, { signal }), path);
  },
  async getEndUser(endUserKey, signal) {
    const path = endUserPath(endUserKey);
    return parseEndUserDetail(await requestAsSignedIn(path, { signal }), path);
  },
  createMemory: (endUserKey, memory) =>
    changeMemory("POST", memoriesPath(endUserKey), {
      agentId: memory.agentId,
      kind: memory.kind,
      text: memory.text.trim(),
      // A blank key fills no slot: the memory never replaces another.
      ...(memory.key?.trim() ? { key: memory.key.trim() } : {}),
      ...(memory.expiresAt ? { expiresAt: memory.expiresAt } : {}),
    }),
  updateMemory: (endUserKey, memoryId, change) =>
    changeMemory("PATCH", memoryPath(endUserKey, memoryId), {
      ...(change.text !== undefined ? { text: change.text.trim() } : {}),
      ...(change.kind !== undefined ? { kind: change.kind } : {}),
      ...(change.expiresAt !== undefined ? { expiresAt: change.expiresAt } : {}),
    }),
  async deleteMemory(endUserKey, memoryId) {
    await requestAsSignedIn(memoryPath(endUserKey, memoryId), { method: "DELETE" });
  },
  async reviewConsistencyFlag(endUserKey, flagId, status) {
    const path = flagPath(endUserKey, flagId);
    const answer = await requestAsSignedIn(path, { method: "PATCH", body: { status } });
    return parseWith(() => parseConsistencyFlag(answer), `PATCH ${path}`, path, "a consistency flag");
  },

  async listDriftFlags(query, cursor, signal) {
    const path = driftRequestPath(query, cursor);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(
      () => ({
        flags: list(body, "flags").map((v, i) => within(`flags[${i}]`, () => parseDriftFlag(v))),
        nextCursor: field(record(body, "body"), "nextCursor", isNullableString),
      }),
      `GET ${path}`,
      path,
      "a list of drift flags",
    );
  },
  async reviewDriftFlag(flagId, review) {
    const path = driftFlagPath(flagId);
    const note = review.note?.trim();
    const answer = await requestAsSignedIn(path, {
      method: "PATCH",
      body: { status: review.status, ...(note ? { note } : {}) },
    });
    return parseWith(() => parseDriftFlag(answer), `PATCH ${path}`, path, "a drift flag");
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

const isKey = (v: unknown): v is string => isString(v) && v !== "";

function parseEndUserSummary(value: unknown): EndUserSummary {
  const user = record(value, "endUser");
  return {
    endUserKey: field(user, "endUserKey", isKey),
    endUserRef: field(user, "endUserRef", isString),
    firstSeenAt: field(user, "firstSeenAt", isInstant),
    lastSeenAt: field(user, "lastSeenAt", isInstant),
    agentIds: field(user, "agentIds", isStringArray),
    memoryCount: field(user, "memoryCount", isCount),
    openFlags: field(user, "openFlags", isCount),
  };
}

export function parseEndUserPage(body: unknown, path: string): EndUserPage {
  return parseWith(
    () => ({
      endUsers: list(body, "endUsers").map((v, i) => within(`endUsers[${i}]`, () => parseEndUserSummary(v))),
      nextCursor: field(record(body, "body"), "nextCursor", isNullableString),
    }),
    `GET ${path}`,
    path,
    "a list of end users",
  );
}

function parseMemorySource(value: Record<string, unknown>): MemorySource {
  return {
    conversationId: field(value, "conversationId", isString),
    messageSeq: field(value, "messageSeq", isCount),
    traceId: field(value, "traceId", isNullableString),
    quote: field(value, "quote", isString),
  };
}

export function parseMemory(value: unknown): Memory {
  const memory = record(value, "memory");
  return {
    id: field(memory, "id", isKey),
    endUserKey: field(memory, "endUserKey", isString),
    scopeKey: field(memory, "scopeKey", isString),
    agentId: field(memory, "agentId", isNullableString),
    kind: field(memory, "kind", isOneOf(memoryKinds)),
    key: field(memory, "key", isNullableString),
    text: field(memory, "text", isString),
    confidence: field(memory, "confidence", isNumber),
    method: field(memory, "method", isOneOf(memoryMethods)),
    pattern: optional(memory, "pattern", isString, null),
    source: memory.source === null ? null : nested(memory, "source", parseMemorySource),
    status: field(memory, "status", isOneOf(["active", "superseded"] as const)),
    supersedes: optional(memory, "supersedes", isString, null),
    supersededBy: optional(memory, "supersededBy", isString, null),
    supersededAt: optional(memory, "supersededAt", isInstant, null),
    createdAt: field(memory, "createdAt", isInstant),
    updatedAt: field(memory, "updatedAt", isInstant),
    expiresAt: field(memory, "expiresAt", isNullableInstant),
    editedBy: optional(memory, "editedBy", isString, null),
  };
}

function parseStatementSources(parent: Record<string, unknown>): StatementSource[] {
  return field(parent, "sources", Array.isArray).map((v, i) =>
    within(`sources[${i}]`, () => {
      const source = record(v, "source");
      return {
        kbId: field(source, "kbId", isString),
        docId: field(source, "docId", isString),
        docName: field(source, "docName", isString),
        quote: field(source, "quote", isString),
      };
    }),
  );
}

export function parseConsistencyFlag(value: unknown): ConsistencyFlag {
  const flag = record(value, "flag");
  return {
    id: field(flag, "id", isKey),
    agentId: field(flag, "agentId", isString),
    conversationId: field(flag, "conversationId", isString),
    traceId: field(flag, "traceId", isString),
    createdAt: field(flag, "createdAt", isInstant),
    earlier: nested(flag, "earlier", (earlier) => ({
      claim: field(earlier, "claim", isString),
      conversationId: field(earlier, "conversationId", isString),
      traceId: field(earlier, "traceId", isString),
      at: field(earlier, "at", isInstant),
      sources: parseStatementSources(earlier),
    })),
    now: nested(flag, "now", (now) => ({
      claim: field(now, "claim", isString),
      sources: parseStatementSources(now),
    })),
    reason: field(flag, "reason", isString),
    status: field(flag, "status", isOneOf(consistencyFlagStatuses)),
    reviewedBy: field(flag, "reviewedBy", isNullableString),
    reviewedAt: field(flag, "reviewedAt", isNullableInstant),
  };
}

function parseConversation(value: unknown): EndUserConversation {
  const conversation = record(value, "conversation");
  return {
    id: field(conversation, "id", isKey),
    agentId: field(conversation, "agentId", isString),
    channel: field(conversation, "channel", isString),
    createdAt: field(conversation, "createdAt", isInstant),
    updatedAt: field(conversation, "updatedAt", isInstant),
    messageCount: field(conversation, "messageCount", isCount),
  };
}

export function parseEndUserDetail(body: unknown, path: string): EndUserDetail {
  return parseWith(
    () => {
      const answer = record(body, "body");
      return {
        endUser: nested(answer, "endUser", (user) => ({
          endUserKey: field(user, "endUserKey", isKey),
          endUserRef: field(user, "endUserRef", isString),
          firstSeenAt: field(user, "firstSeenAt", isInstant),
          lastSeenAt: field(user, "lastSeenAt", isInstant),
          agentIds: field(user, "agentIds", isStringArray),
        })),
        memories: list(answer, "memories").map((v, i) => within(`memories[${i}]`, () => parseMemory(v))),
        conversations: list(answer, "conversations").map((v, i) =>
          within(`conversations[${i}]`, () => parseConversation(v)),
        ),
        flags: list(answer, "flags").map((v, i) => within(`flags[${i}]`, () => parseConsistencyFlag(v))),
      };
    },
    `GET ${path}`,
    path,
    "an end user",
  );
}

// ----- drift ----------------------------------------------------------------------------------------------

function parseDriftAnswer(answer: Record<string, unknown>): DriftAnswer {
  return {
    traceId: field(answer, "traceId", isString),
    conversationId: optional(answer, "conversationId", isKey, null),
    answer: field(answer, "answer", isString),
    abstained: field(answer, "abstained", isBoolean),
    agentVersion: field(answer, "agentVersion", isNullableNumber),
    at: field(answer, "at", isInstant),
    sources: field(answer, "sources", Array.isArray).map((v, i) =>
      within(`sources[${i}]`, () => {
        const source = record(v, "source");
        return {
          kbId: field(source, "kbId", isString),
          docId: field(source, "docId", isString),
          docName: field(source, "docName", isString),
          version: optional(source, "version", isNumber, null),
          quote: field(source, "quote", isString),
        };
      }),
    ),
  };
}

function parseDriftCause(value: unknown): DriftCause {
  const cause = record(value, "cause");
  const version = isRecord(cause.agentVersion)
    ? nested(cause, "agentVersion", (v) => ({
        from: field(v, "from", isNullableNumber),
        to: field(v, "to", isNullableNumber),
      }))
    : undefined;
  const document = isRecord(cause.document)
    ? nested(cause, "document", (d) => ({
        kbId: field(d, "kbId", isString),
        docId: field(d, "docId", isString),
        docName: field(d, "docName", isString),
        fromVersion: optional(d, "fromVersion", isNumber, null),
        toVersion: optional(d, "toVersion", isNumber, null),
      }))
    : undefined;
  return {
    // A kind of cause newer than this studio still shows, by its description.
    type: field(cause, "type", isString),
    description: field(cause, "description", isString),
    ...(version ? { agentVersion: version } : {}),
    ...(document ? { document } : {}),
  };
}

export function parseDriftFlag(value: unknown): DriftFlag {
  const flag = record(value, "flag");
  return {
    id: field(flag, "id", isKey),
    agentId: field(flag, "agentId", isString),
    canonicalQuestionId: field(flag, "canonicalQuestionId", isString),
    question: field(flag, "question", isString),
    status: field(flag, "status", isOneOf(driftStatuses)),
    note: optional(flag, "note", isString, null),
    createdAt: field(flag, "createdAt", isInstant),
    reviewedBy: optional(flag, "reviewedBy", isString, null),
    reviewedAt: optional(flag, "reviewedAt", isInstant, null),
    before: nested(flag, "before", parseDriftAnswer),
    after: nested(flag, "after", parseDriftAnswer),
    causes: field(flag, "causes", Array.isArray).map((v, i) =>
      within(`causes[${i}]`, () => parseDriftCause(v)),
    ),
    difference: field(flag, "difference", isString),
  };
}

// ----- a trace's memory section ------------------------------------------------------------------------

const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter(isRecord) : [];
const text = (value: unknown): string => (isString(value) ? value : "");
const count = (value: unknown): number => (isCount(value) ? value : 0);
const nullableText = (value: unknown): string | null => (isString(value) ? value : null);

/**
 * A trace's `memory` section; undefined when the turn had none (memory off, or a platform from before it).
 * Read leniently, like the rest of a trace: a field this studio does not know is shown empty, never fails
 * the trace.
 */
export function parseTraceMemory(value: unknown): TraceMemory | undefined {
  if (!isRecord(value)) return undefined;
  return {
    recalled: count(value.recalled),
    used: records(value.used).map((m) => ({
      ref: text(m.ref),
      memoryId: text(m.memoryId),
      kind: text(m.kind),
      key: nullableText(m.key),
      text: text(m.text),
      score: isNumber(m.score) ? m.score : 0,
      cited: m.cited === true,
    })),
    written: records(value.written).map((m) => ({
      memoryId: text(m.memoryId),
      kind: text(m.kind),
      key: nullableText(m.key),
      supersedes: nullableText(m.supersedes),
      method: text(m.method),
    })),
    forgotten: count(value.forgotten),
    contradictions: records(value.contradictions).map((c) => ({
      statementId: text(c.statementId),
      earlier: text(c.earlier),
      earlierAt: text(c.earlierAt),
      now: text(c.now),
      reason: text(c.reason),
      flagId: nullableText(c.flagId),
    })),
  };
}
