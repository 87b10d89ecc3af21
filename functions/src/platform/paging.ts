/**
 * Every document a query matches, one page at a time: each page starts after the last document of the one
 * before (`startAfter`), and the next page is read only once the caller has taken the whole page, so work
 * done on a page (settling, deleting) happens before the next is read. Stops early when the caller does.
 */
import type { DocSnapshot, DocStore, QuerySpec } from "./ports.js";

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
