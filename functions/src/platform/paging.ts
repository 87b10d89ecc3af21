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
