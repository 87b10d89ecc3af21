/**
 * Every document a query matches, one page at a time: each page starts after the last document of the one
 * before (`startAfter`), and the next page is read only once the caller has taken the whole page, so work
 * done on a page (settling, deleting) happens before the next is read. Stops early when the caller does.
 */
import { z } from "zod";
import { checkId } from "./caller.js";
import { AppError } from "./errors.js";
import type { DocSnapshot, DocStore, Filter, QuerySpec } from "./ports.js";
import { idSchema } from "./validation.js";

export async function* everyMatch(
  store: DocStore,
  spec: Omit<QuerySpec, "limit" | "startAfter">,
  pageSize: number,
): AsyncGenerator<DocSnapshot> {
  let after: DocSnapshot | undefined;
  for (;;) {
    const page = await store.query({ ...spec, limit: pageSize, ...(after ? { startAfter: after } : {}) });
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1];
  }
}

/**
 * Deletes every document a query matches, one batch at a time: each page is deleted (atomically) before the next is
 * read, so the same query walks the whole set. Answers how many were deleted. `batchSize` stays below Firestore's
 * 500 writes per batch.
 */
export async function deleteEveryMatch(
  store: DocStore,
  spec: Omit<QuerySpec, "limit" | "startAfter">,
  batchSize = 400,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const page = await store.query({ ...spec, limit: batchSize });
    if (page.length === 0) return deleted;
    const batch = store.batch();
    for (const doc of page) batch.delete(doc.path);
    await batch.commit();
    deleted += page.length;
  }
}

// Pages of records written once (replays, simulations, eval runs), listed newest first.

/** A listing's `limit` query parameter: a page size from 1 to 100, 20 unless given. */
export const pageLimit = z.coerce
  .number({ error: "must be a whole number from 1 to 100" })
  .int("must be a whole number from 1 to 100")
  .min(1, "must be a whole number from 1 to 100")
  .max(100, "must be a whole number from 1 to 100")
  .default(20);

/** The query string of a listing of records written once: a page size and the previous page's `nextCursor`. */
export const recordPageQuery = z.object({ limit: pageLimit, cursor: idSchema.optional() });

/** The query behind a page of records: newest first, one more than the page (to know whether more follow). */
export function recordPageSpec(collection: string, where: readonly Filter[], limit: number): QuerySpec {
  return { collection, where, orderBy: [{ field: "createdAt", direction: "desc" }], limit: limit + 1 };
}

/**
 * One page of immutable records, newest first, each page after the record named by `cursor` (the last id
 * of the previous one). Records never change once written, so a document cursor is exact. An equality
 * filter with this order needs a composite index (firestore.indexes.json).
 */
export async function pageOfRecords<T>(
  store: DocStore,
  collection: string,
  where: Filter[],
  page: { limit: number; cursor?: string | undefined },
  parse: (snap: DocSnapshot) => T,
): Promise<{ items: T[]; nextCursor: string | null }> {
  let after: DocSnapshot | undefined;
  if (page.cursor) {
    const snap = await store.get(`${collection}/${checkId(page.cursor, "cursor")}`);
    if (!snap) {
      throw new AppError(
        "invalid-argument",
        "Invalid query parameter: cursor: must be the nextCursor of a previous page",
      );
    }
    after = snap;
  }
  const snaps = await store.query({
    ...recordPageSpec(collection, where, page.limit),
    ...(after ? { startAfter: after } : {}),
  });
  const items = snaps.slice(0, page.limit);
  return {
    items: items.map(parse),
    nextCursor: snaps.length > page.limit ? (items.at(-1)?.id ?? null) : null,
  };
}
