/**
 * An in-memory Firestore behind the `FirestoreReader` port, for tests of what the studio does with what it
 * reads: documents by path, queries (equality and range filters, order, limit) and listeners that get the
 * whole result again after each change, asynchronously, as `onSnapshot` does. It does not evaluate
 * firestore.rules: a test refuses a path with `refuse` to see what a denial does. Not a Firestore emulator:
 * query semantics beyond these (indexes, `in`, `!=`, array-contains) are not modelled.
 */
import type { CollectionQuery, FirestoreDoc, FirestoreReader } from "../ports";

/** An SDK error as Firestore gives it (`FirestoreError` has a bare gRPC code). */
export function firestoreError(code: string, message = `Firestore said ${code}`): Error & { code: string } {
  return Object.assign(new Error(message), { code, name: "FirebaseError" });
}

interface DocWatcher {
  readonly path: string;
  readonly next: (doc: FirestoreDoc | undefined) => void;
  readonly error: (error: unknown) => void;
}

interface QueryWatcher {
  readonly query: CollectionQuery;
  readonly next: (docs: FirestoreDoc[]) => void;
  readonly error: (error: unknown) => void;
}

const idOf = (path: string) => path.slice(path.lastIndexOf("/") + 1);
const parentOf = (path: string) => path.slice(0, path.lastIndexOf("/"));

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function matches(
  data: Readonly<Record<string, unknown>>,
  [field, op, value]: readonly [string, string, unknown],
) {
  const actual = data[field];
  if (actual === undefined) return false;
  const order = compare(actual, value);
  switch (op) {
    case "==":
      return order === 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
    default:
      throw new Error(`The fake Firestore does not model the ${op} filter`);
  }
}

export function fakeFirestore() {
  const docs = new Map<string, Readonly<Record<string, unknown>>>();
  const refusals = new Map<string, unknown>();
  const docWatchers = new Set<DocWatcher>();
  const queryWatchers = new Set<QueryWatcher>();
  /** Every read, as `get <path>`, `query <path>`, `watch <path>` or `listen <path>`. */
  const reads: string[] = [];

  const refusalFor = (path: string) => {
    for (const [prefix, error] of refusals)
      if (path === prefix || path.startsWith(`${prefix}/`)) return error;
    return undefined;
  };

  const getDoc = (path: string): FirestoreDoc | undefined => {
    const data = docs.get(path);
    return data === undefined ? undefined : { id: idOf(path), data };
  };

  const run = (query: CollectionQuery): FirestoreDoc[] => {
    let result = [...docs.entries()]
      .filter(([path]) => parentOf(path) === query.path)
      .map(([path, data]) => ({ id: idOf(path), data }))
      .filter((doc) => (query.where ?? []).every((clause) => matches(doc.data, clause)));
    const orderBy = query.orderBy ?? [];
    // Ties fall back to the document id, in the direction of the last order (Firestore's implicit order).
    const lastDirection = orderBy.at(-1)?.[1] ?? "asc";
    result = result
      .filter((doc) => orderBy.every(([field]) => doc.data[field] !== undefined))
      .sort((a, b) => {
        for (const [field, direction] of orderBy) {
          const order = compare(a.data[field], b.data[field]);
          if (order !== 0) return direction === "desc" ? -order : order;
        }
        const byId = compare(a.id, b.id);
        return lastDirection === "desc" ? -byId : byId;
      });
    return query.limit === undefined ? result : result.slice(0, query.limit);
  };

  const later = (work: () => void) => queueMicrotask(work);

  const notify = () => {
    for (const watcher of docWatchers)
      later(() => docWatchers.has(watcher) && watcher.next(getDoc(watcher.path)));
    for (const watcher of queryWatchers)
      later(() => queryWatchers.has(watcher) && watcher.next(run(watcher.query)));
  };

  const reader: FirestoreReader = {
    async getDocument(path) {
      reads.push(`get ${path}`);
      await Promise.resolve();
      const refusal = refusalFor(path);
      if (refusal) throw refusal;
      return getDoc(path);
    },
    async getCollection(query) {
      reads.push(`query ${query.path}`);
      await Promise.resolve();
      const refusal = refusalFor(query.path);
      if (refusal) throw refusal;
      return run(query);
    },
    watchDocument(path, next, error) {
      reads.push(`watch ${path}`);
      const watcher: DocWatcher = { path, next, error };
      docWatchers.add(watcher);
      later(() => {
        if (!docWatchers.has(watcher)) return;
        const refusal = refusalFor(path);
        if (refusal) {
          docWatchers.delete(watcher);
          error(refusal);
        } else next(getDoc(path));
      });
      return () => docWatchers.delete(watcher);
    },
    watchCollection(query, next, error) {
      reads.push(`listen ${query.path}`);
      const watcher: QueryWatcher = { query, next, error };
      queryWatchers.add(watcher);
      later(() => {
        if (!queryWatchers.has(watcher)) return;
        const refusal = refusalFor(query.path);
        if (refusal) {
          queryWatchers.delete(watcher);
          error(refusal);
        } else next(run(query));
      });
      return () => queryWatchers.delete(watcher);
    },
  };

  return {
    reader,
    reads,
    set(path: string, data: Record<string, unknown>) {
      docs.set(path, data);
      notify();
    },
    remove(path: string) {
      docs.delete(path);
      notify();
    },
    /** Refuses reads at and below `path` from now on; current listeners there end with `error`. */
    refuse(path: string, error: unknown) {
      refusals.set(path, error);
      const under = (p: string) => p === path || p.startsWith(`${path}/`);
      for (const watcher of [...docWatchers].filter((w) => under(w.path))) {
        docWatchers.delete(watcher);
        later(() => watcher.error(error));
      }
      for (const watcher of [...queryWatchers].filter((w) => under(w.query.path))) {
        queryWatchers.delete(watcher);
        later(() => watcher.error(error));
      }
    },
    allow(path: string) {
      refusals.delete(path);
    },
    /** How many listeners are open (a watch that stopped must leave none behind). */
    get listeners() {
      return docWatchers.size + queryWatchers.size;
    },
  };
}

export type FakeFirestore = ReturnType<typeof fakeFirestore>;
