import { roleLabels, type Role } from "../../data/session";

/** What each role may do, in the words of the platform's permission table (permissions.ts). */
export const roleDescriptions: Record<Role, string> = {
  viewer: "Reads agents and knowledge, and talks to agents.",
  editor: "Also builds agents and knowledge bases, and reads conversations.",
  admin: "Also manages members, API keys, settings, the audit log and privacy requests.",
  owner: "Also manages billing and other owners. A workspace always keeps at least one.",
};

/** "an Admin", "a Viewer". */
export function roleWithArticle(role: Role): string {
  return `${role === "viewer" ? "a" : "an"} ${roleLabels[role]}`;
}
