/**
 * Administration over the platform's REST API, as the signed-in person (see admin.ts for the interface): the
 * requests, and the reading of their answers, checked at the edge so screens can trust every field.
 */
import type {
  AdminSource,
  ApiKey,
  AuditEntry,
  AuditLogPage,
  CreatedApiKey,
  CreatedInvitation,
  EndUserErasure,
  EndUserExport,
  Invitation,
  Member,
  MemberRemoval,
  WorkspaceSettings,
} from "../admin";
import { PlatformRequestError } from "../platform";
import { requestAsSignedIn, roles, type Role } from "../session";
import { defaultEnvironment } from "../environments";
import { ShapeError, field, isCount, isNullableString, isString, optional, record } from "./shape";

const memberPath = (memberId: string) => `/v1/members/${encodeURIComponent(memberId)}`;
const invitationPath = (invitationId: string) => `/v1/invitations/${encodeURIComponent(invitationId)}`;
const apiKeyPath = (keyId: string) => `/v1/api-keys/${encodeURIComponent(keyId)}`;

export const restAdmin: AdminSource = {
  async listMembers(signal) {
    const body = await requestAsSignedIn("/v1/members", { signal });
    return parseAnswer(body, "GET /v1/members", "a list of members", parseMemberList);
  },
  async changeMemberRole(memberId, role) {
    const path = memberPath(memberId);
    const body = await requestAsSignedIn(path, { method: "PATCH", body: { role } });
    return parseAnswer(body, `PATCH ${path}`, "a member", parseMember);
  },
  async removeMember(memberId, options = {}) {
    // Revoking is the platform's default; only a transfer is asked for by name.
    const path = `${memberPath(memberId)}${options.apiKeys === "transfer" ? "?apiKeys=transfer" : ""}`;
    const body = await requestAsSignedIn(path, { method: "DELETE" });
    return parseAnswer(body, `DELETE ${path}`, "a removed member", parseMemberRemoval);
  },
  async listInvitations(signal) {
    const body = await requestAsSignedIn("/v1/invitations", { signal });
    return parseAnswer(body, "GET /v1/invitations", "a list of invitations", parseInvitationList);
  },
  async createInvitation(input) {
    const body = await requestAsSignedIn("/v1/invitations", { method: "POST", body: input });
    // The accept page is the studio's own, so its link starts with the studio's origin.
    return parseAnswer(body, "POST /v1/invitations", "an invitation", (b) =>
      parseCreatedInvitation(b, window.location.origin),
    );
  },
  async revokeInvitation(invitationId) {
    await requestAsSignedIn(invitationPath(invitationId), { method: "DELETE" });
  },

  async listApiKeys(signal) {
    const body = await requestAsSignedIn("/v1/api-keys", { signal });
    return parseAnswer(body, "GET /v1/api-keys", "a list of API keys", parseApiKeyList);
  },
  async createApiKey(input) {
    const body = await requestAsSignedIn("/v1/api-keys", { method: "POST", body: input });
    return parseAnswer(body, "POST /v1/api-keys", "a new API key", parseCreatedApiKey);
  },
  async revokeApiKey(keyId) {
    const path = apiKeyPath(keyId);
    const body = await requestAsSignedIn(path, { method: "DELETE" });
    return parseAnswer(body, `DELETE ${path}`, "an API key", parseApiKey);
  },

  async getWorkspaceSettings(signal) {
    const body = await requestAsSignedIn("/v1/settings", { signal });
    return parseAnswer(body, "GET /v1/settings", "the workspace's settings", parseWorkspaceSettings);
  },
  async updateWorkspaceSettings(patch) {
    const body = await requestAsSignedIn("/v1/settings", { method: "PATCH", body: patch });
    return parseAnswer(body, "PATCH /v1/settings", "the workspace's settings", parseWorkspaceSettings);
  },

  async listAuditLog({ before }, signal) {
    const path = before ? `/v1/audit-log?before=${encodeURIComponent(before)}` : "/v1/audit-log";
    const body = await requestAsSignedIn(path, { signal });
    return parseAnswer(body, `GET ${path}`, "a page of the audit log", parseAuditLogPage);
  },

  async exportEndUser(endUserRef) {
    const body = await requestAsSignedIn("/v1/privacy/export", { method: "POST", body: { endUserRef } });
    return parseAnswer(body, "POST /v1/privacy/export", "an end user's data", parseEndUserExport);
  },
  async eraseEndUser(endUserRef) {
    const body = await requestAsSignedIn("/v1/privacy/erase", { method: "POST", body: { endUserRef } });
    return parseAnswer(body, "POST /v1/privacy/erase", "an erasure receipt", parseEndUserErasure);
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

const isRole = (v: unknown): v is Role => isString(v) && (roles as readonly string[]).includes(v);
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);

/**
 * Runs a parser over an answer; a shape it does not expect becomes an "invalid response" that names the
 * request and the field.
 */
export function parseAnswer<T>(body: unknown, request: string, what: string, parse: (body: unknown) => T): T {
  try {
    return parse(body);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    const path = request.slice(request.indexOf(" ") + 1);
    throw new PlatformRequestError(
      "invalid-response",
      path,
      `${request} answered with something that is not ${what} (${error.message}).`,
    );
  }
}

export function parseMember(value: unknown): Member {
  const m = record(value, "member");
  const updatedAt = m.updatedAt;
  return {
    id: field(m, "id", isString),
    email: field(m, "email", isString),
    role: field(m, "role", isRole),
    createdAt: field(m, "createdAt", isString),
    ...(isString(updatedAt) ? { updatedAt } : {}),
  };
}

/** The answer of `DELETE /v1/members/{id}`; a platform from before the removal cascade names no credentials. */
export function parseMemberRemoval(body: unknown): MemberRemoval {
  const m = record(body, "body");
  parseMember(m);
  const count = (name: string) => (Array.isArray(m[name]) ? (m[name] as unknown[]).length : 0);
  return {
    revokedApiKeys: count("revokedApiKeys"),
    transferredApiKeys: count("transferredApiKeys"),
    revokedInvitations: count("revokedInvitations"),
  };
}

export function parseMemberList(body: unknown): Member[] {
  return field(record(body, "body"), "members", isArray).map(parseMember);
}

function parseInvitation(value: unknown): Invitation {
  const i = record(value, "invitation");
  return {
    id: field(i, "id", isString),
    email: field(i, "email", isString),
    role: field(i, "role", isRole),
    createdBy: field(i, "createdBy", isString),
    createdAt: field(i, "createdAt", isString),
    expiresAt: field(i, "expiresAt", isString),
  };
}

export function parseInvitationList(body: unknown): Invitation[] {
  return field(record(body, "body"), "invitations", isArray).map(parseInvitation);
}

/** `acceptUrl` is a studio page relative to the studio's origin: the link to share is absolute. */
export function parseCreatedInvitation(body: unknown, studioOrigin: string): CreatedInvitation {
  const i = record(body, "body");
  return {
    id: field(i, "id", isString),
    email: field(i, "email", isString),
    role: field(i, "role", isRole),
    link: new URL(field(i, "acceptUrl", isString), studioOrigin).href,
    expiresAt: field(i, "expiresAt", isString),
  };
}

export function parseApiKey(value: unknown): ApiKey {
  const k = record(value, "key");
  return {
    id: field(k, "id", isString),
    name: field(k, "name", isString),
    prefix: field(k, "prefix", isString),
    role: field(k, "role", isRole),
    agentId: field(k, "agentId", isNullableString),
    // A platform from before environments names none: its keys talk to production.
    environment: optional(k, "environment", isString, defaultEnvironment),
    createdBy: field(k, "createdBy", isString),
    createdAt: field(k, "createdAt", isString),
    lastUsedAt: field(k, "lastUsedAt", isNullableString),
    revokedAt: field(k, "revokedAt", isNullableString),
  };
}

export function parseApiKeyList(body: unknown): ApiKey[] {
  return field(record(body, "body"), "keys", isArray).map(parseApiKey);
}

export function parseCreatedApiKey(body: unknown): CreatedApiKey {
  const k = record(body, "body");
  return { id: field(k, "id", isString), key: field(k, "key", isString) };
}

export function parseWorkspaceSettings(body: unknown): WorkspaceSettings {
  const s = record(body, "body");
  const retentionDays = s.retentionDays ?? null;
  if (retentionDays !== null && !isCount(retentionDays)) throw new ShapeError("retentionDays");
  return { retentionDays };
}

function parseAuditEntry(value: unknown): AuditEntry {
  const e = record(value, "entry");
  const target = record(e.target, "target");
  return {
    id: field(e, "id", isString),
    actor: field(e, "actor", isString),
    action: field(e, "action", isString),
    target: { type: field(target, "type", isString), id: field(target, "id", isString) },
    before: e.before ?? null,
    after: e.after ?? null,
    at: field(e, "at", isString),
  };
}

export function parseAuditLogPage(body: unknown): AuditLogPage {
  const page = record(body, "body");
  return {
    entries: field(page, "entries", isArray).map(parseAuditEntry),
    nextCursor: field(page, "nextCursor", isNullableString),
  };
}

export function parseEndUserExport(body: unknown): EndUserExport {
  const e = record(body, "body");
  return {
    endUserRef: field(e, "endUserRef", isString),
    exportedAt: field(e, "exportedAt", isString),
    conversationCount: field(e, "conversations", isArray).length,
    notes: field(e, "notes", isArray).filter(isString),
    document: body,
  };
}

export function parseEndUserErasure(body: unknown): EndUserErasure {
  const e = record(body, "body");
  const deleted = record(e.deleted, "deleted");
  return {
    endUserRef: field(e, "endUserRef", isString),
    erasedAt: field(e, "erasedAt", isString),
    deleted: {
      conversations: field(deleted, "conversations", isCount),
      messages: field(deleted, "messages", isCount),
      traces: field(deleted, "traces", isCount),
    },
  };
}
