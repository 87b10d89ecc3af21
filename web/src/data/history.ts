/**
 * Conversation history: the workspace's conversations (filtered by agent, channel and dates, most recent
 * activity first, the first page live and the rest a page at a time) and one conversation as it happened,
 * with each answer's accountability. Shapes are checked at the edge, so screens can trust every field.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { parseAssistantMessage, type AssistantMessage } from "./conversations";
import { useLiveData, type Watch } from "./live";
import { asRequestError, type PlatformRequestError } from "./platform";
import { ShapeError, field, isCount, isNullableString, isString, list, parseWith, record } from "./shape";
import { useStudio } from "./studio";
import { useRemoteData, type RemoteData } from "./useRemoteData";

/** Where a conversation came from: the channels of the agents schema. */
export const conversationChannels = ["api", "openai-compatible", "callable", "studio"] as const;
export type ConversationChannel = (typeof conversationChannels)[number];

export const channelLabels: Readonly<Record<ConversationChannel, string>> = {
  api: "REST API",
  "openai-compatible": "OpenAI-compatible API",
  callable: "Firebase callable",
  studio: "Studio playground",
};

export function isConversationChannel(value: string): value is ConversationChannel {
  return (conversationChannels as readonly string[]).includes(value);
}

/** A channel as people read it; one the studio does not know yet keeps the platform's name. */
export function channelLabel(channel: string): string {
  return isConversationChannel(channel) ? channelLabels[channel] : channel;
}

/** What a conversation talks to: the agent's published version (following it), a pinned one, or the draft. */
export type ConversationVersion = "published" | "draft" | number;

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

export type TranscriptMessage =
  | { readonly role: "user"; readonly id: string; readonly content: string; readonly createdAt: string }
  | {
      readonly role: "assistant";
      readonly id: string;
      readonly createdAt: string;
      readonly answer: AssistantMessage;
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

// ----- requests ------------------------------------------------------------------------------------------

/** How many conversations a page holds. */
export const conversationPageSize = 25;

/** `GET /v1/conversations` with the filter (and a cursor for a later page). */
export function conversationListPath(filter: ConversationFilter, cursor?: string): string {
  const query = new URLSearchParams();
  if (filter.agentId) query.set("agentId", filter.agentId);
  if (filter.channel) query.set("channel", filter.channel);
  if (filter.from) query.set("from", filter.from);
  if (filter.to) query.set("to", filter.to);
  query.set("limit", String(conversationPageSize));
  if (cursor) query.set("cursor", cursor);
  return `/v1/conversations?${query.toString()}`;
}

export const conversationPath = (conversationId: string): string =>
  `/v1/conversations/${encodeURIComponent(conversationId)}`;

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

// ----- parsing ------------------------------------------------------------------------------------------

const isVersion = (v: unknown): v is ConversationVersion =>
  v === "published" || v === "draft" || (typeof v === "number" && Number.isInteger(v) && v > 0);

function parseSummaryRecord(value: unknown): ConversationSummary {
  const c = record(value, "conversation");
  return {
    id: field(c, "id", isString),
    agentId: field(c, "agentId", isString),
    agentVersion: field(c, "agentVersion", isVersion),
    channel: field(c, "channel", isString),
    endUserRef: field(c, "endUserRef", isNullableString),
    messageCount: field(c, "messageCount", isCount),
    createdAt: field(c, "createdAt", isString),
    updatedAt: field(c, "updatedAt", isString),
  };
}

export function parseConversationPage(body: unknown, path: string): ConversationPage {
  return parseWith(
    () => {
      const page = record(body, "body");
      return {
        conversations: field(page, "conversations", Array.isArray).map(parseSummaryRecord),
        nextCursor: field(page, "nextCursor", isNullableString),
      };
    },
    `GET ${path}`,
    path,
    "a page of conversations",
  );
}

export function parseConversation(body: unknown, path: string): ConversationSummary {
  return parseWith(() => parseSummaryRecord(body), `GET ${path}`, path, "a conversation");
}

function parseTranscriptMessage(value: unknown): TranscriptMessage {
  const m = record(value, "message");
  const role = field(m, "role", (v): v is "user" | "assistant" => v === "user" || v === "assistant");
  const id = field(m, "id", isString);
  const createdAt = field(m, "createdAt", isString);
  if (role === "user") return { role, id, content: field(m, "content", isString), createdAt };
  const answer = parseAssistantMessage(m);
  if (!answer) throw new ShapeError("message");
  return { role, id, createdAt, answer };
}

export function parseTranscriptMessages(body: unknown, path: string): TranscriptMessage[] {
  return parseWith(
    () => list(body, "messages").map(parseTranscriptMessage),
    `GET ${path}`,
    path,
    "a list of messages",
  );
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

// ----- hooks --------------------------------------------------------------------------------------------

export interface ConversationList {
  /** The live first page: its loading and error state, and `retry`. */
  readonly first: RemoteData<ConversationPage>;
  /** Every conversation shown so far, most recent activity first; undefined until the first page. */
  readonly conversations: readonly ConversationSummary[] | undefined;
  readonly hasMore: boolean;
  readonly loadMore: () => void;
  readonly loadingMore: boolean;
  /** Why the last "load more" failed; cleared by the next attempt. */
  readonly loadMoreError: PlatformRequestError | undefined;
}

interface LaterPages {
  /** The filter these pages belong to: another filter starts over. */
  readonly key: string;
  /** What was on screen below the live page (undefined: nothing loaded beyond the first page). */
  readonly shown: readonly ConversationSummary[] | undefined;
  readonly cursor: string | null;
  readonly loading: boolean;
  readonly error: PlatformRequestError | undefined;
}

/** The workspace's conversations: the first page live, more on request. */
export function useConversationList(filter: ConversationFilter): ConversationList {
  const source = useStudio();
  const { agentId, channel, from, to } = filter;
  const key = JSON.stringify([agentId, channel, from, to]);
  const watch = useMemo(
    () => source.watchConversationList({ agentId, channel, from, to }),
    [source, agentId, channel, from, to],
  );
  const first = useLiveData(watch);
  const empty: LaterPages = { key, shown: undefined, cursor: null, loading: false, error: undefined };
  const [later, setLater] = useState<LaterPages>(empty);
  const current = later.key === key ? later : empty;
  const controller = useRef<AbortController | undefined>(undefined);

  // A new filter (or leaving the page) abandons a page on its way.
  useEffect(
    () => () => {
      controller.current?.abort();
      controller.current = undefined;
    },
    [key],
  );

  const conversations = useMemo(
    () => (first.data ? mergeConversationPages(first.data.conversations, current.shown ?? []) : undefined),
    [first.data, current.shown],
  );
  const cursor = current.shown === undefined ? (first.data?.nextCursor ?? null) : current.cursor;

  const loadMore = useCallback(() => {
    if (cursor === null || current.loading || !conversations) return;
    const request = new AbortController();
    controller.current?.abort();
    controller.current = request;
    const shown = conversations;
    setLater({ key, shown: current.shown, cursor: current.cursor, loading: true, error: undefined });
    source.listConversationPage({ agentId, channel, from, to }, cursor, request.signal).then(
      (page) => {
        if (request.signal.aborted) return;
        setLater({
          key,
          shown: mergeConversationPages(page.conversations, shown),
          cursor: page.nextCursor,
          loading: false,
          error: undefined,
        });
      },
      (error: unknown) => {
        if (request.signal.aborted) return;
        setLater((s) => (s.key === key ? { ...s, loading: false, error: asRequestError(error) } : s));
      },
    );
  }, [cursor, current, conversations, key, source, agentId, channel, from, to]);

  return {
    first,
    conversations,
    hasMore: cursor !== null,
    loadMore,
    loadingMore: current.loading,
    loadMoreError: current.error,
  };
}

/** One conversation and its messages, read together (one loading state, one retry). */
export function useConversationTranscript(conversationId: string): RemoteData<ConversationTranscript> {
  const source = useStudio();
  const load = useCallback(
    async (signal: AbortSignal): Promise<ConversationTranscript> => {
      const [conversation, messages] = await Promise.all([
        source.getConversation(conversationId, signal),
        source.listConversationMessages(conversationId, signal),
      ]);
      return { conversation, messages };
    },
    [source, conversationId],
  );
  return useRemoteData(load);
}
