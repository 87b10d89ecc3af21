/**
 * The Health page's tabs, each an address: `/monitor` (Status) and `/monitor/<tab>`. The page is not at
 * `/health`: that is the platform's own health check (the API answers it on the studio's origin, and the
 * dev server forwards every path under it).
 */
export const healthTabIds = ["status", "metrics", "incidents", "rules", "notifications", "sla"] as const;
export type HealthTabId = (typeof healthTabIds)[number];

export interface HealthTab {
  readonly id: HealthTabId;
  readonly label: string;
}

export const healthTabs: readonly HealthTab[] = [
  { id: "status", label: "Status" },
  { id: "metrics", label: "Metrics" },
  { id: "incidents", label: "Incidents" },
  { id: "rules", label: "Alert rules" },
  { id: "notifications", label: "Notifications" },
  { id: "sla", label: "SLA" },
];

export const healthRoot = "/monitor";

export function healthPath(tab: HealthTabId): string {
  return tab === "status" ? healthRoot : `${healthRoot}/${tab}`;
}

/** An incident on the Incidents tab, scrolled to and marked. */
export function incidentPath(incidentId: string): string {
  return `${healthPath("incidents")}?${new URLSearchParams({ incident: incidentId }).toString()}`;
}

/** The printable SLA report of a month and target. */
export function slaPrintPath(month: string, targetPercent: number): string {
  return `${healthRoot}/sla/print?${new URLSearchParams({ month, target: String(targetPercent) }).toString()}`;
}
