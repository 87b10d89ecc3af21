import type { AdminPermission } from "../data/admin";

export const settingsSectionIds = [
  "members",
  "api-keys",
  "channels",
  "workspace",
  "billing",
  "audit-log",
  "privacy",
] as const;
export type SettingsSectionId = (typeof settingsSectionIds)[number];

export interface SettingsSection {
  readonly id: SettingsSectionId;
  readonly label: string;
  /** What the section is for, under its name in the navigation. */
  readonly summary: string;
  /** The permission its requests need: people without it do not see the section. */
  readonly permission: AdminPermission;
}

/** In the order of the navigation; each is a URL, `/settings/<id>`. */
export const settingsSections: readonly SettingsSection[] = [
  { id: "members", label: "Members", summary: "People, roles, invitations", permission: "members.manage" },
  { id: "api-keys", label: "API keys", summary: "Keys for your services", permission: "keys.manage" },
  { id: "channels", label: "Channels", summary: "Where agents answer", permission: "workspace.read" },
  { id: "workspace", label: "Workspace", summary: "Name, data retention", permission: "settings.manage" },
  { id: "billing", label: "Billing", summary: "Plan, credits, usage", permission: "billing.view" },
  { id: "audit-log", label: "Audit log", summary: "Who changed what", permission: "audit.view" },
  { id: "privacy", label: "Privacy", summary: "End users' data requests", permission: "privacy.manage" },
];

export const settingsPath = (id: SettingsSectionId) => `/settings/${id}`;
