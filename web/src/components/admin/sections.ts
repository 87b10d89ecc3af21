/**
 * The operator console's tabs, each an address: `/admin` (Workspaces) and `/admin/<tab>`; one workspace is
 * `/admin/workspaces/<tenantId>`.
 */
export const adminTabIds = ["workspaces", "users", "audit", "health", "billing", "deployments"] as const;
export type AdminTabId = (typeof adminTabIds)[number];

export interface AdminTab {
  readonly id: AdminTabId;
  readonly label: string;
}

export const adminTabs: readonly AdminTab[] = [
  { id: "workspaces", label: "Workspaces" },
  { id: "users", label: "Users" },
  { id: "audit", label: "Audit" },
  { id: "health", label: "Health" },
  { id: "billing", label: "Billing" },
  { id: "deployments", label: "Deployments" },
];

export const adminRoot = "/admin";

export function adminPath(tab: AdminTabId): string {
  return tab === "workspaces" ? adminRoot : `${adminRoot}/${tab}`;
}

export function adminWorkspacePath(tenantId: string): string {
  return `${adminRoot}/workspaces/${encodeURIComponent(tenantId)}`;
}

/** The audit tab filtered to one workspace. */
export function adminAuditPath(tenantId: string): string {
  return `${adminPath("audit")}?${new URLSearchParams({ tenantId }).toString()}`;
}
