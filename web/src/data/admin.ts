/**
 * Administration of a workspace: its members and invitations, API keys, settings, audit log and end users'
 * privacy requests. The platform's shapes, the data layer's section for them (`AdminSource`), who may do
 * what (a mirror of the platform's permission table, to show people only what they may use), and the limits
 * forms check before sending. The platform still decides: a screen handles its refusals too.
 */
import { roleAtLeast, roles, type Role } from "./session";

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
  /** The environment whose agent versions its conversations get (environments.ts); production by default. */
  readonly environment: string;
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
  /** The environment it talks to; the platform's default is production. */
  readonly environment?: string;
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

/** The administration part of the studio's source (see source.ts). */
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
  "channels.manage": "admin",
  /** Conversations and the analytics drawn from them (end users' data). */
  "conversations.view": "editor",
  /** The plan, credits, usage, limits and billing notices. */
  "billing.view": "admin",
  /** The Health page: dependency checks, metrics, alerts, incidents, SLA reports. */
  "monitor.view": "admin",
  /** Alert rules, notification channels, probes; acknowledging and silencing alerts. */
  "monitor.manage": "admin",
  /** Plans, payment methods, top-ups and invoices. */
  "billing.manage": "owner",
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
