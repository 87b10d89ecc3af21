/**
 * Administration of a workspace: its members and invitations, API keys, settings, audit log and end users'
 * privacy requests. The platform's shapes (checked at the edge, so screens can trust every field), who may
 * do what (a mirror of the platform's permission table, to show people only what they may use), and the
 * hooks the settings pages read with. The platform still decides: a screen handles its refusals too.
 */
import { useCallback } from "react";
import { PlatformRequestError } from "./platform";
import { ShapeError, field, isCount, isNullableString, isString, record } from "./shape";
import { roleAtLeast, roles, type Role } from "./session";
import { useStudio } from "./studio";
import { useRemoteData, type RemoteData } from "./useRemoteData";

export interface Member {
  /** The account id (local mode) or Firebase uid. */
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  /** When they joined. */
  readonly createdAt: string;
  readonly updatedAt?: string;
}

/** What becomes of a removed member's API keys: revoked (the platform's default), or handed to the remover. */
export type ApiKeyDisposition = "revoke" | "transfer";

/** What a removal took with it: the member's keys (revoked or transferred) and pending invitations. */
export interface MemberRemoval {
  readonly revokedApiKeys: number;
  readonly transferredApiKeys: number;
  readonly revokedInvitations: number;
}

/** A pending invitation (the platform lists only those, and never their tokens). */
export interface Invitation {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  /** Who invited (an account id). */
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface InvitationInput {
  readonly email: string;
  readonly role: Role;
}

/** A new invitation with its link: the only time the platform tells its token. */
export interface CreatedInvitation {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  /** The studio page that accepts it, as an absolute URL to share. */
  readonly link: string;
  readonly expiresAt: string;
}

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  /** The key's first characters, to tell keys apart (the key itself is never stored). */
  readonly prefix: string;
  readonly role: Role;
  /** When set, the key may only talk to this agent. */
  readonly agentId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface ApiKeyInput {
  readonly name: string;
  readonly role: Role;
  /** Limits the key to talking to this agent (a channel's or a widget's key). */
  readonly agentId?: string;
}

/** A new key: `key` is in this answer only. */
export interface CreatedApiKey {
  readonly id: string;
  readonly key: string;
}

export interface WorkspaceSettings {
  /** Conversations not updated for this many days are deleted; `null` keeps them. */
  readonly retentionDays: number | null;
}

export interface AuditEntry {
  readonly id: string;
  /** An account id, `apikey:<keyId>`, or the platform's own jobs (`system`, `seed`…). */
  readonly actor: string;
  /** `<thing>.<verb>`, e.g. `agent.publish`. */
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string };
  /** Short summaries of the state before and after, as the platform recorded them. */
  readonly before: unknown;
  readonly after: unknown;
  readonly at: string;
}

export interface AuditLogPage {
  /** Newest first. */
  readonly entries: readonly AuditEntry[];
  /** Where the next (older) page starts; `null` at the first entry ever recorded. */
  readonly nextCursor: string | null;
}

/** Everything stored about one end user: `document` is the platform's answer, as it is downloaded. */
export interface EndUserExport {
  readonly endUserRef: string;
  readonly exportedAt: string;
  readonly conversationCount: number;
  /** The platform's own sentences about what the export holds and does not. */
  readonly notes: readonly string[];
  readonly document: unknown;
}

export interface EndUserErasure {
  readonly endUserRef: string;
  readonly erasedAt: string;
  readonly deleted: { readonly conversations: number; readonly messages: number; readonly traces: number };
}

/** The administration part of the studio's source (see studio.ts). */
export interface AdminSource {
  /** Oldest first. */
  listMembers(signal: AbortSignal): Promise<Member[]>;
  /** The platform refuses what its role rules forbid (no escalation, the last owner stays). */
  changeMemberRole(memberId: string, role: Role): Promise<Member>;
  /** Their API keys are revoked, or with `apiKeys: "transfer"` become the caller's; see `MemberRemoval`. */
  removeMember(memberId: string, options?: { readonly apiKeys?: ApiKeyDisposition }): Promise<MemberRemoval>;
  /** Pending ones, newest first. */
  listInvitations(signal: AbortSignal): Promise<Invitation[]>;
  createInvitation(input: InvitationInput): Promise<CreatedInvitation>;
  revokeInvitation(invitationId: string): Promise<void>;

  /** Newest first, revoked ones included. */
  listApiKeys(signal: AbortSignal): Promise<ApiKey[]>;
  createApiKey(input: ApiKeyInput): Promise<CreatedApiKey>;
  /** Answers the key as it now is (revoked). */
  revokeApiKey(keyId: string): Promise<ApiKey>;

  getWorkspaceSettings(signal: AbortSignal): Promise<WorkspaceSettings>;
  updateWorkspaceSettings(patch: Partial<WorkspaceSettings>): Promise<WorkspaceSettings>;

  listAuditLog(query: { readonly before?: string }, signal: AbortSignal): Promise<AuditLogPage>;

  exportEndUser(endUserRef: string): Promise<EndUserExport>;
  eraseEndUser(endUserRef: string): Promise<EndUserErasure>;
}

// ----- who may do what ------------------------------------------------------------------------------

/**
 * The lowest role holding each permission the settings use: a copy of functions/src/platform/permissions.ts,
 * so people are not shown what the platform would refuse them.
 */
export const adminPermissions = {
  "workspace.read": "viewer",
  "keys.manage": "admin",
  "members.manage": "admin",
  "settings.manage": "admin",
  "audit.view": "admin",
  "privacy.manage": "admin",
} as const satisfies Record<string, Role>;

export type AdminPermission = keyof typeof adminPermissions;

export function hasPermission(role: Role, permission: AdminPermission): boolean {
  return roleAtLeast(role, adminPermissions[permission]);
}

/** The roles someone may give (to an invitee, a member or an API key): at most their own. */
export function grantableRoles(role: Role): Role[] {
  return roles.filter((r) => roleAtLeast(role, r));
}

/**
 * Whether `caller` may change `target`'s role or remove them, as the platform's role rules say; `undefined`
 * when they may, else why not. The platform checks again (and keeps the last owner).
 */
export function memberChangeRefusal(
  caller: { readonly accountId: string; readonly role: Role },
  target: Member,
): string | undefined {
  if (target.role === "owner" && caller.role !== "owner") return "Only an owner can change an owner.";
  if (!roleAtLeast(caller.role, target.role)) return `Your role cannot change a ${target.role}.`;
  return undefined;
}

// ----- limits (the platform's, repeated so the forms can say so before sending) ----------------------

export const adminLimits = {
  apiKeyName: 120,
  endUserRef: 200,
  minRetentionDays: 1,
  maxRetentionDays: 3650,
} as const;

/** Why a retention typed as text would be refused, or `undefined` when it is a whole number in range. */
export function retentionDaysProblem(text: string): string | undefined {
  const trimmed = text.trim();
  const range = `from ${adminLimits.minRetentionDays} to ${adminLimits.maxRetentionDays.toLocaleString("en")}`;
  if (trimmed === "") return `Enter a number of days, ${range}.`;
  if (!/^\d+$/.test(trimmed)) return `A whole number of days, ${range}.`;
  const days = Number(trimmed);
  if (days < adminLimits.minRetentionDays || days > adminLimits.maxRetentionDays)
    return `A number of days ${range} (about ten years).`;
  return undefined;
}

/** A rough check: the platform's validation has the last word. */
export function looksLikeEmail(text: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text.trim());
}

// ----- hooks ------------------------------------------------------------------------------------------

export function useMembers(): RemoteData<Member[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listMembers(signal), [source]);
  return useRemoteData(load);
}

export function useInvitations(): RemoteData<Invitation[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listInvitations(signal), [source]);
  return useRemoteData(load);
}

export function useApiKeys(): RemoteData<ApiKey[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listApiKeys(signal), [source]);
  return useRemoteData(load);
}

export function useWorkspaceSettings(): RemoteData<WorkspaceSettings> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getWorkspaceSettings(signal), [source]);
  return useRemoteData(load);
}

/** The newest page of the audit log (older pages: `useStudio().listAuditLog({ before })`). */
export function useAuditLog(): RemoteData<AuditLogPage> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listAuditLog({}, signal), [source]);
  return useRemoteData(load);
}

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
