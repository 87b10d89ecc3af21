/** End users, their memories and flags, and drift, as pages read them: one-shot reads, and lists paged by cursor. */
import { useCallback, useEffect, useRef, useState } from "react";
import type { DriftFlag, DriftQuery, EndUserDetail, EndUserSummary } from "../narrative";
import { asRequestError, type PlatformRequestError } from "../platform";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

export interface PagedList<T> {
  /** The first page: its loading and error state, and `retry` (which starts the list over). */
  readonly first: Pick<RemoteData<unknown>, "error" | "pending" | "updatedAt" | "retry">;
  /** Every item shown so far; undefined until the first page. */
  readonly items: readonly T[] | undefined;
  readonly hasMore: boolean;
  readonly loadMore: () => void;
  readonly loadingMore: boolean;
  /** Why the last "load more" failed; cleared by the next attempt. */
  readonly loadMoreError: PlatformRequestError | undefined;
  /** Replaces one item in place (a review's answer), without asking again. */
  readonly update: (match: (item: T) => boolean, next: T) => void;
}

interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

interface Later<T> {
  /** The first page these follow: a new first page (another filter, a retry) starts over. */
  readonly after: Page<T> | undefined;
  readonly items: readonly T[];
  readonly cursor: string | null;
  readonly loading: boolean;
  readonly error: PlatformRequestError | undefined;
}

/**
 * A list the platform pages with `nextCursor`: the first page through `useRemoteData`, more on request.
 * `loadPage` must be stable (memoized on what it reads); a new one starts the list over.
 */
function usePagedList<T>(
  loadPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>,
): PagedList<T> {
  const loadFirst = useCallback((signal: AbortSignal) => loadPage(null, signal), [loadPage]);
  const first = useRemoteData(loadFirst);
  const [later, setLater] = useState<Later<T> | undefined>(undefined);
  const [edits, setEdits] = useState<{ readonly after: Page<T> | undefined; readonly items: Map<T, T> }>({
    after: undefined,
    items: new Map(),
  });
  const controller = useRef<AbortController | undefined>(undefined);
  const current = later && later.after === first.data ? later : undefined;

  useEffect(
    () => () => {
      controller.current?.abort();
    },
    [loadPage],
  );

  const shown = first.data ? [...first.data.items, ...(current?.items ?? [])] : undefined;
  const cursor = current ? current.cursor : (first.data?.nextCursor ?? null);
  const edited = edits.after === first.data ? edits.items : undefined;
  const items = shown && edited ? shown.map((item) => edited.get(item) ?? item) : shown;

  const loadMore = useCallback(() => {
    const after = first.data;
    if (!after || cursor === null || current?.loading) return;
    const request = new AbortController();
    controller.current?.abort();
    controller.current = request;
    const before = current?.items ?? [];
    setLater({ after, items: before, cursor, loading: true, error: undefined });
    loadPage(cursor, request.signal).then(
      (page) => {
        if (request.signal.aborted) return;
        setLater({
          after,
          items: [...before, ...page.items],
          cursor: page.nextCursor,
          loading: false,
          error: undefined,
        });
      },
      (error: unknown) => {
        if (request.signal.aborted) return;
        setLater({ after, items: before, cursor, loading: false, error: asRequestError(error) });
      },
    );
  }, [first.data, cursor, current, loadPage]);

  const update = useCallback(
    (match: (item: T) => boolean, next: T) => {
      const after = first.data;
      if (!after) return;
      const all = [...after.items, ...(current?.items ?? [])];
      setEdits((e) => {
        const map = new Map(e.after === after ? e.items : undefined);
        for (const item of all) if (match(item)) map.set(item, next);
        return { after, items: map };
      });
    },
    [first.data, current],
  );

  return {
    first,
    items,
    hasMore: cursor !== null,
    loadMore,
    loadingMore: current?.loading ?? false,
    loadMoreError: current?.error,
    update,
  };
}

/** End users whose reference contains `q` (all of them for an empty one), most recently seen first. */
export function useEndUserList(q: string): PagedList<EndUserSummary> {
  const source = useStudio();
  const loadPage = useCallback(
    async (cursor: string | null, signal: AbortSignal) => {
      const page = await source.listEndUsers({ q }, cursor, signal);
      return { items: page.endUsers, nextCursor: page.nextCursor };
    },
    [source, q],
  );
  return usePagedList(loadPage);
}

export function useEndUser(endUserKey: string): RemoteData<EndUserDetail> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getEndUser(endUserKey, signal),
    [source, endUserKey],
  );
  return useRemoteData(load);
}

/**
 * The key of the end user with exactly this reference, when an agent with long-term memory has talked to them
 * (null otherwise): asked of the platform, which owns how keys are made, by searching for the reference.
 */
export function useEndUserKeyOf(endUserRef: string | null): RemoteData<string | null> {
  const source = useStudio();
  const load = useCallback(
    async (signal: AbortSignal) => {
      if (endUserRef === null) return null;
      const page = await source.listEndUsers({ q: endUserRef }, null, signal);
      return page.endUsers.find((user) => user.endUserRef === endUserRef)?.endUserKey ?? null;
    },
    [source, endUserRef],
  );
  return useRemoteData(load);
}

/** Answers to the same question that changed, of one agent or all, in one status or all; newest first. */
export function useDriftFlags(query: DriftQuery): PagedList<DriftFlag> {
  const source = useStudio();
  const { agentId, status } = query;
  const loadPage = useCallback(
    async (cursor: string | null, signal: AbortSignal) => {
      const page = await source.listDriftFlags({ agentId, status }, cursor, signal);
      return { items: page.flags, nextCursor: page.nextCursor };
    },
    [source, agentId, status],
  );
  return usePagedList(loadPage);
}
