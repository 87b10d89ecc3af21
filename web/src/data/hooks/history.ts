/** Conversation history as pages read it: the listing (its first page live, more on request) and one transcript. */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  mergeConversationPages,
  type ConversationFilter,
  type ConversationPage,
  type ConversationSummary,
  type ConversationTranscript,
} from "../history";
import { asRequestError, type PlatformRequestError } from "../platform";
import { useStudio } from "../studio";
import { useLiveData } from "../useLiveData";
import { useRemoteData, type RemoteData } from "../useRemoteData";

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
