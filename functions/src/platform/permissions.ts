/**
 * Who may do what: one table, checked by one function (`requirePermission`) from every route, callable
 * and trigger that acts for a caller. Roles are ranked viewer < editor < admin < owner; each permission
 * names the lowest role that holds it.
 *
 * An API key may also be scoped to one agent: it then holds only the permissions a channel needs to talk
 * to that agent (`agentScopedPermissions`), and every request it makes must concern that agent.
 */
import { AppError } from "./errors.js";
import { roles, type Role } from "./caller.js";
import type { Caller } from "./caller.js";

export const permissionTable = {
  /** Read agents, knowledge bases and documents; search knowledge. */
  "workspace.read": "viewer",
  /** Start conversations and send messages (the playground and the channels). */
  "conversations.converse": "viewer",
  /** Read conversations other than one's own turn, and their traces: they hold end users' data. */
  "conversations.view": "editor",
  /** Create, change, publish, roll back, pause and archive agents; talk to drafts. */
  "agents.manage": "editor",
  /** Create knowledge bases; upload, delete and restore documents. */
  "knowledge.manage": "editor",
  /** Import, edit, try and publish tool sets (Tool Forge). */
  "tools.manage": "editor",
  /** Create, list and revoke API keys. */
  "keys.manage": "admin",
  /** Invite, change and remove members. */
  "members.manage": "admin",
  /** Connect channels that hold credentials (WhatsApp numbers). */
  "channels.manage": "admin",
  /** Create, rotate and delete the credentials tools authenticate with (their secrets are write-only). */
  "credentials.manage": "admin",
  /** Tenant settings such as retention. */
  "settings.manage": "admin",
  /** Read the audit log. */
  "audit.view": "admin",
  /** Export and erase an end user's data. */
  "privacy.manage": "admin",
  /** Read the plan, credits, usage, limits and billing notices. */
  "billing.view": "admin",
  /** The Health page: dependency checks, metrics, alerts, incidents, SLA reports. */
  "monitor.view": "admin",
  /** Alert rules, notification channels, probes; acknowledging and silencing alerts. */
  "monitor.manage": "admin",
  /** Plans, payment methods, top-ups and invoices. */
  "billing.manage": "owner",
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof permissionTable;

/** What a key scoped to one agent may do, whatever its role. */
export const agentScopedPermissions: ReadonlySet<Permission> = new Set(["conversations.converse"]);

export function hasPermission(caller: Caller, permission: Permission): boolean {
  if (caller.agentId && !agentScopedPermissions.has(permission)) return false;
  return roles.indexOf(caller.role) >= roles.indexOf(permissionTable[permission]);
}

export function requirePermission(caller: Caller, permission: Permission): void {
  if (caller.agentId && !agentScopedPermissions.has(permission)) {
    throw new AppError(
      "permission-denied",
      `This API key is limited to talking to agent ${caller.agentId}; it cannot be used for this`,
    );
  }
  const needed = permissionTable[permission];
  if (roles.indexOf(caller.role) < roles.indexOf(needed)) {
    throw new AppError(
      "permission-denied",
      `This action needs the ${needed} role; your credential has ${caller.role}`,
    );
  }
}

/**
 * For a caller whose key is scoped to one agent: refuses a request about another agent. A foreign agent
 * reads as not found, as it would for another tenant, so a scoped key cannot probe what exists.
 */
export function requireAgentAccess(caller: Caller, agentId: string): void {
  if (caller.agentId && caller.agentId !== agentId)
    throw new AppError("not-found", `Agent ${agentId} not found`);
}
