/** How the history screens write a conversation's facts. */
import {
  isConversationChannel,
  type ConversationChannel,
  type ConversationVersion,
} from "../../data/history";

const instantFormat = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short" });

/** An instant in the reader's time zone: "Mar 3, 2025, 10:00 AM". */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : instantFormat.format(date);
}

/** Which configuration a conversation talks to. */
export function conversationVersionLabel(version: ConversationVersion): string {
  if (version === "published") return "Published version (follows new releases)";
  if (version === "draft") return "Draft (playground)";
  if (typeof version === "object") return `What ${version.environment} serves (follows its promotions)`;
  return `Version ${version} (pinned)`;
}

/** The same, in a few characters for a table cell. */
export function conversationVersionShort(version: ConversationVersion): string {
  if (version === "published") return "Published";
  if (version === "draft") return "Draft";
  if (typeof version === "object") return version.environment;
  return `v${version}`;
}

/** The end user as a list names them. */
export function endUserLabel(endUserRef: string | null): string {
  return endUserRef ?? "Anonymous end user";
}

/** The channels as people read them. */
export const channelLabels: Readonly<Record<ConversationChannel, string>> = {
  api: "REST API",
  "openai-compatible": "OpenAI-compatible API",
  callable: "Firebase callable",
  studio: "Studio playground",
  mcp: "MCP",
  whatsapp: "WhatsApp",
  widget: "Web chat widget",
};

/** A channel as people read it; one the studio does not know yet keeps the platform's name. */
export function channelLabel(channel: string): string {
  return isConversationChannel(channel) ? channelLabels[channel] : channel;
}
