/**
 * Conversation history: the workspace's conversations (filtered by agent, channel and dates, most recent
 * activity first, the first page live and the rest a page at a time) and one conversation as it happened,
 * with each answer's accountability; the data layer's section for them, and how pages of a listing merge.
 */
import { agentChannels } from "./agents";
import type { AssistantMessage } from "./conversations";
import type { Watch } from "./live";

/** Where a conversation came from: the channels of the agents schema. */
export const conversationChannels = agentChannels;
export type ConversationChannel = (typeof conversationChannels)[number];

export function isConversationChannel(value: string): value is ConversationChannel {
  return (conversationChannels as readonly string[]).includes(value);
}

/** What a conversation talks to: the agent's published version (following it), a pinned one, or the draft. */
export type ConversationVersion =
  | "published"
  | "draft"
  | number
  /** Follows what one environment serves (an API key, widget or number bound to it). */
  | { readonly environment: string };

/** A conversation as the history lists it. */
export interface ConversationSummary {
  readonly id: string;
  readonly agentId: string;
  readonly agentVersion: ConversationVersion;
  /** One of `conversationChannels`, or a newer channel. */
  readonly channel: string;
  /** The end user's identity on the channel (a customer id), when the channel gave one. */
  readonly endUserRef: string | null;
  readonly messageCount: number;
  readonly createdAt: string;
  /** The last message (or the start): what the list is ordered and the dates filter by. */
  readonly updatedAt: string;
}

export interface ConversationPage {
  readonly conversations: readonly ConversationSummary[];
  /** Asks for the next page; null on the last one. */
  readonly nextCursor: string | null;
}

/** What the history is narrowed to; dates are ISO instants (last activity in [from, to)). */
export interface ConversationFilter {
  readonly agentId?: string | undefined;
  readonly channel?: ConversationChannel | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** How far an answer delivered after the turn (WhatsApp) got to the end user, as the channel last reported. */
export interface Delivery {
  readonly status: "accepted" | "sent" | "delivered" | "read" | "failed" | "not-sent";
  readonly at: string;
  /** The channel's code and message when it failed or was not sent. */
  readonly error: { readonly code: string; readonly message: string } | null;
}

export const deliveryStatuses: readonly Delivery["status"][] = [
  "accepted",
  "sent",
  "delivered",
  "read",
  "failed",
  "not-sent",
];

export type TranscriptMessage =
  | { readonly role: "user"; readonly id: string; readonly content: string; readonly createdAt: string }
  | {
      readonly role: "assistant";
      readonly id: string;
      readonly createdAt: string;
      readonly answer: AssistantMessage;
      /** Only on answers a channel delivers after the turn. */
      readonly delivery?: Delivery;
    };

/** One conversation and its messages, oldest first. */
export interface ConversationTranscript {
  readonly conversation: ConversationSummary;
  readonly messages: readonly TranscriptMessage[];
}

export interface ConversationHistorySource {
  /** The first page of the filtered history, most recent activity first: now and after every change. */
  watchConversationList(filter: ConversationFilter): Watch<ConversationPage>;
  /** The page after `cursor` (a previous page's `nextCursor`). */
  listConversationPage(
    filter: ConversationFilter,
    cursor: string,
    signal: AbortSignal,
  ): Promise<ConversationPage>;
  getConversation(conversationId: string, signal: AbortSignal): Promise<ConversationSummary>;
  /** Oldest first. */
  listConversationMessages(conversationId: string, signal: AbortSignal): Promise<TranscriptMessage[]>;
}

/** How many conversations a page holds. */
export const conversationPageSize = 25;

// ----- dates --------------------------------------------------------------------------------------------

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The local midnight starting a `YYYY-MM-DD` day (as a date input gives it); undefined for anything else. */
export function startOfLocalDay(day: string): Date | undefined {
  const match = datePattern.exec(day);
  if (!match) return undefined;
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const start = new Date(year, month, date);
  // Refuse dates that roll over (2025-02-30).
  if (start.getFullYear() !== year || start.getMonth() !== month || start.getDate() !== date)
    return undefined;
  return start;
}

/**
 * The filter's window from days as people pick them: from the start of `fromDay` to the end of `toDay`
 * (both in the browser's time zone, both included).
 */
export function dayRange(
  fromDay: string | undefined,
  toDay: string | undefined,
): { from?: string; to?: string } {
  const from = fromDay ? startOfLocalDay(fromDay) : undefined;
  const toStart = toDay ? startOfLocalDay(toDay) : undefined;
  const to = toStart ? new Date(toStart.getFullYear(), toStart.getMonth(), toStart.getDate() + 1) : undefined;
  return { ...(from ? { from: from.toISOString() } : {}), ...(to ? { to: to.toISOString() } : {}) };
}

// ----- pages --------------------------------------------------------------------------------------------

/** Most recent activity first; ties as the platform orders them (by id, descending). */
function byActivity(a: ConversationSummary, b: ConversationSummary): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The list on screen: the live first page over what was already shown further down. The live copy of a
 * conversation wins (it is fresher), and a conversation pushed off the first page by newer ones stays
 * where it was instead of falling between the pages.
 */
export function mergeConversationPages(
  live: readonly ConversationSummary[],
  shown: readonly ConversationSummary[],
): ConversationSummary[] {
  const byId = new Map<string, ConversationSummary>();
  for (const conversation of shown) byId.set(conversation.id, conversation);
  for (const conversation of live) byId.set(conversation.id, conversation);
  return [...byId.values()].sort(byActivity);
}
