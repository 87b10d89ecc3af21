/** How the narrative screens (end users, memories, flags, drift) write their facts. */
import type { Memory } from "../../data/narrative";

/** The agent's name once the list has it, its id until then (or for an agent deleted since). */
export type AgentName = (agentId: string) => string;

/** Who recalls a memory: "Only Acme HR assistant", "Every agent of the workspace". */
export function scopeLabel(memory: Pick<Memory, "scopeKey" | "agentId">, agentName: AgentName): string {
  if (memory.scopeKey === "workspace") return "Every agent of the workspace";
  return `Only ${agentName(memory.agentId ?? memory.scopeKey.replace(/^agent:/, ""))}`;
}

/** How a memory came to be, with the rule or model that found it: "Rules · name-statement". */
export function methodLabel(memory: Pick<Memory, "method" | "pattern">): string {
  const method = { rules: "Rules", model: "Model", editor: "Editor" }[memory.method];
  return memory.pattern && memory.method !== "editor" ? `${method} · ${memory.pattern}` : method;
}

/** A date input's value (`2027-01-31`) for an instant; empty for none. */
export function dateInputValue(iso: string | null): string {
  return iso === null ? "" : iso.slice(0, 10);
}

/** The instant a date input's day means for an expiry: the end of that UTC day; null when blank. */
export function expiryOf(day: string): string | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T23:59:59.999Z` : null;
}

/** The conversation page of a memory's or flag's source. */
export const conversationAddress = (conversationId: string) =>
  `/conversations/${encodeURIComponent(conversationId)}`;

export const endUserAddress = (endUserKey: string) => `/end-users/${encodeURIComponent(endUserKey)}`;
