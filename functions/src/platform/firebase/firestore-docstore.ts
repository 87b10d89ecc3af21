/**
 * DocStore over firebase-admin's Firestore (Firebase mode). Our plain data goes in and comes out:
 * `VectorValue` ⇄ Firestore vectors, `FieldOps` → `FieldValue` sentinels, Firestore timestamps → ISO strings,
 * and Firestore's gRPC failures → `AppError` codes. Paths are checked with docpath.ts before Firestore sees them.
 */
import {
  FieldValue,
  Timestamp,
  type DocumentData,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type Query,
  type SetOptions,
  type Transaction as FirestoreTransaction,
  type UpdateData,
} from "firebase-admin/firestore";
import { assertCollectionPath, assertDocPath, segments } from "../docpath.js";
import { AppError, type ErrorCode } from "../errors.js";
import {
  VectorValue,
  isFieldTransform,
  type DocChange,
  type DocData,
  type DocSnapshot,
  type DocStore,
  type FieldTransform,
  type NearestHit,
  type NearestSpec,
  type QuerySpec,
  type Transaction,
  type Unsubscribe,
  type WriteBatch,
} from "../ports.js";

/** Firestore caps a batch at 500 writes; ports.ts promises the same limit in every adapter. */
export const MAX_BATCH_WRITES = 500;

/** Where `findNearest` asks Firestore to put each hit's distance; removed from the data we return. */
const DISTANCE_FIELD = "__alchemist_distance";

// ---------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------

type FirestoreVector = ReturnType<typeof FieldValue.vector>;
// firebase-admin does not export its VectorValue class; the constructor of one it made is that class.
const FirestoreVectorClass = FieldValue.vector([0]).constructor;
const isFirestoreVector = (value: unknown): value is FirestoreVector => value instanceof FirestoreVectorClass;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function toFieldValue(transform: FieldTransform): FieldValue {
  switch (transform.__transform) {
    case "increment":
      return FieldValue.increment(transform.by);
    case "delete":
      return FieldValue.delete();
    case "arrayUnion":
      return FieldValue.arrayUnion(...transform.values.map(toFirestoreValue));
    case "arrayRemove":
      return FieldValue.arrayRemove(...transform.values.map(toFirestoreValue));
  }
}

/** Our value → what firebase-admin writes. */
function toFirestoreValue(value: unknown): unknown {
  if (value instanceof VectorValue) return FieldValue.vector(value.toArray());
  if (isFieldTransform(value)) return toFieldValue(value);
  if (Array.isArray(value)) return value.map(toFirestoreValue);
  if (isPlainObject(value)) return toFirestoreData(value);
  return value;
}

/**
 * Undefined properties are dropped, as JSON (and so the local store) drops them; firebase-admin would
 * otherwise reject the whole write, and a service would behave differently in the two modes.
 */
export function toFirestoreData(data: Record<string, unknown>): DocumentData {
  const out: DocumentData = {};
  for (const [key, value] of Object.entries(data)) {
    if (value !== undefined) out[key] = toFirestoreValue(value);
  }
  return out;
}

/** What firebase-admin read → our plain value. */
export function fromFirestoreValue(value: unknown): unknown {
  if (isFirestoreVector(value)) return new VectorValue(value.toArray());
  // Documents keep times as ISO strings; a Timestamp can only come from a writer outside this adapter.
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (Array.isArray(value)) return value.map(fromFirestoreValue);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = fromFirestoreValue(inner);
    return out;
  }
  return value;
}

function toDocSnapshot<T>(snap: DocumentSnapshot, omit?: string): DocSnapshot<T> | null {
  if (!snap.exists) return null;
  const data = fromFirestoreValue(snap.data() ?? {}) as Record<string, unknown>;
  if (omit !== undefined) delete data[omit];
  // An existing document always has both times; readTime is only a type-level fallback.
  const createTime = snap.createTime ?? snap.readTime;
  const updateTime = snap.updateTime ?? snap.readTime;
  return {
    path: snap.ref.path,
    id: snap.id,
    data: data as T,
    createTime: createTime.toDate().toISOString(),
    updateTime: updateTime.toDate().toISOString(),
  };
}

function existing<T>(snap: DocumentSnapshot, omit?: string): DocSnapshot<T> {
  const doc = toDocSnapshot<T>(snap, omit);
  if (doc === null) throw new AppError("internal", `Firestore returned a missing document in a result set`);
  return doc;
}

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html) → our codes. */
const grpcCodes: Readonly<Record<number, ErrorCode>> = {
  1: "cancelled",
  2: "internal",
  3: "invalid-argument",
  4: "deadline-exceeded",
  5: "not-found",
  6: "already-exists",
  7: "permission-denied",
  8: "resource-exhausted",
  9: "failed-precondition",
  10: "aborted",
  11: "out-of-range",
  12: "unimplemented",
  13: "internal",
  14: "unavailable",
  15: "internal",
  16: "unauthenticated",
};

/**
 * A Firestore failure as an `AppError`; `what` names the operation (`update "tenants/t1"`).
 * Errors without a gRPC code (including our own `AppError`s thrown inside a transaction) pass through.
 */
export function fromFirestoreError(error: unknown, what: string): unknown {
  if (error instanceof AppError) return error;
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== "number") return error;
  const appCode = grpcCodes[code] ?? "internal";
  if (appCode === "not-found") return new AppError(appCode, `Firestore ${what}: document not found`);
  if (appCode === "already-exists")
    return new AppError(appCode, `Firestore ${what}: document already exists`);
  // Keep Firestore's own words for the rest: a missing-index message carries the link that creates it.
  const detail = error instanceof Error ? error.message : String(error);
  return new AppError(appCode, `Firestore ${what} failed: ${detail}`);
}

async function withErrorMapping<R>(what: string, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (error) {
    throw fromFirestoreError(error, what);
  }
}

/**
 * firebase-admin validates arguments (field paths, values, operators) synchronously while a query or a
 * write is being built; such a throw always means the caller's input was invalid.
 */
function building<R>(what: string, build: () => R): R {
  try {
    return build();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppError("invalid-argument", `Firestore ${what}: ${detail}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------------

function queryTarget(spec: { collection?: string; collectionGroup?: string }): string {
  if ((spec.collection === undefined) === (spec.collectionGroup === undefined)) {
    throw new AppError("invalid-argument", "A query names exactly one of `collection` or `collectionGroup`");
  }
  return spec.collection ?? `collection group "${spec.collectionGroup}"`;
}

/** The collection (or group) and its filters: what plain queries and nearest-neighbour queries share. */
function filteredQuery(db: Firestore, spec: QuerySpec | NearestSpec): Query {
  const target = queryTarget(spec);
  let query: Query;
  if (spec.collection !== undefined) {
    assertCollectionPath(spec.collection);
    query = db.collection(spec.collection);
  } else {
    const id = spec.collectionGroup ?? "";
    if (segments(id).length !== 1) throw new AppError("invalid-argument", `"${id}" is not a collection id`);
    query = db.collectionGroup(id);
  }
  return building(`query ${target}`, () => {
    for (const filter of spec.where ?? [])
      query = query.where(filter.field, filter.op, toFirestoreValue(filter.value));
    return query;
  });
}

/** Filters, order and limit: everything but the cursor, which needs a read. */
function baseQuery(db: Firestore, spec: QuerySpec): Query {
  let query = filteredQuery(db, spec);
  return building(`query ${queryTarget(spec)}`, () => {
    for (const order of spec.orderBy ?? []) query = query.orderBy(order.field, order.direction ?? "asc");
    if (spec.limit !== undefined) query = query.limit(spec.limit);
    return query;
  });
}

/**
 * `startAfter` needs Firestore's own snapshot of the cursor document: it carries the values of every
 * (implicit) order field. A cursor document deleted since the previous page has none to offer.
 */
async function withCursor(db: Firestore, query: Query, spec: QuerySpec): Promise<Query> {
  if (spec.startAfter === undefined) return query;
  const path = spec.startAfter.path;
  assertDocPath(path);
  const cursor = await withErrorMapping(`get "${path}"`, () => db.doc(path).get());
  if (!cursor.exists) {
    throw new AppError(
      "failed-precondition",
      `The cursor document "${path}" no longer exists; restart from the first page`,
    );
  }
  return building(`query ${queryTarget(spec)}`, () => query.startAfter(cursor));
}

async function buildQuery(db: Firestore, spec: QuerySpec): Promise<Query> {
  return withCursor(db, baseQuery(db, spec), spec);
}

// ---------------------------------------------------------------------------------------------------
// Transactions and batches
// ---------------------------------------------------------------------------------------------------

/** The write half shared by transactions and batches: both stage writes on a firebase-admin object. */
interface Stager {
  create(path: string, data: DocData): void;
  set(path: string, data: DocData, merge: boolean): void;
  update(path: string, patch: DocData): void;
  delete(path: string): void;
}

/** The write methods firebase-admin's Transaction and WriteBatch have in common. */
interface WriteTarget {
  create(ref: DocumentReference, data: DocumentData): unknown;
  set(ref: DocumentReference, data: DocumentData, options: SetOptions): unknown;
  update(ref: DocumentReference, data: UpdateData<DocumentData>): unknown;
  delete(ref: DocumentReference): unknown;
}

function stager(db: Firestore, target: WriteTarget): Stager {
  return {
    create(path, data) {
      assertDocPath(path);
      building(`create "${path}"`, () => target.create(db.doc(path), toFirestoreData(data)));
    },
    set(path, data, merge) {
      assertDocPath(path);
      building(`set "${path}"`, () => target.set(db.doc(path), toFirestoreData(data), { merge }));
    },
    update(path, patch) {
      assertDocPath(path);
      // Keys of an update are field paths (`a.b` patches inside map `a`), as in firebase-admin.
      building(`update "${path}"`, () => target.update(db.doc(path), toFirestoreData(patch)));
    },
    delete(path) {
      assertDocPath(path);
      building(`delete "${path}"`, () => target.delete(db.doc(path)));
    },
  };
}

function transactionOf(db: Firestore, tx: FirestoreTransaction): Transaction {
  const writes = stager(db, tx);
  const self: Transaction = {
    async get<T>(path: string) {
      assertDocPath(path);
      const snap = await withErrorMapping(`get "${path}"`, () => tx.get(db.doc(path)));
      return toDocSnapshot<T>(snap);
    },
    async query<T>(spec: QuerySpec) {
      const query = await buildQuery(db, spec);
      const result = await withErrorMapping(`query ${queryTarget(spec)}`, () => tx.get(query));
      return result.docs.map((doc) => existing<T>(doc));
    },
    create(path, data) {
      writes.create(path, data);
      return self;
    },
    set(path, data, options) {
      writes.set(path, data, options?.merge ?? false);
      return self;
    },
    update(path, patch) {
      writes.update(path, patch);
      return self;
    },
    delete(path) {
      writes.delete(path);
      return self;
    },
  };
  return self;
}

function batchOf(db: Firestore): WriteBatch {
  const batch = db.batch();
  const writes = stager(db, batch);
  let count = 0;
  const self: WriteBatch = {
    create(path, data) {
      writes.create(path, data);
      count++;
      return self;
    },
    set(path, data, options) {
      writes.set(path, data, options?.merge ?? false);
      count++;
      return self;
    },
    update(path, patch) {
      writes.update(path, patch);
      count++;
      return self;
    },
    delete(path) {
      writes.delete(path);
      count++;
      return self;
    },
    async commit() {
      if (count > MAX_BATCH_WRITES) {
        throw new AppError(
          "invalid-argument",
          `A batch holds at most ${MAX_BATCH_WRITES} writes, got ${count}`,
        );
      }
      await withErrorMapping("batch commit", () => batch.commit());
    },
  };
  return self;
}

/** One write committed alone: staged like a batch so argument errors and commit errors map the same way. */
async function commitOne(db: Firestore, what: string, stage: (writes: Stager) => void): Promise<void> {
  const batch = db.batch();
  stage(stager(db, batch));
  await withErrorMapping(what, () => batch.commit());
}

// ---------------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------------

function docChangesOf(before: DocSnapshot | null, after: DocSnapshot | null): DocChange[] {
  if (after !== null) return [{ type: before === null ? "added" : "modified", doc: after }];
  return before === null ? [] : [{ type: "removed", doc: before }];
}

function subscribeDoc(
  db: Firestore,
  path: string,
  onChanges: (changes: DocChange[]) => void,
  onError?: (error: Error) => void,
): Unsubscribe {
  assertDocPath(path);
  let previous: DocSnapshot | null = null;
  let first = true;
  return db.doc(path).onSnapshot(
    (snap) => {
      const current = toDocSnapshot<DocData>(snap);
      const changes = docChangesOf(previous, current);
      previous = current;
      // The first call reports the current state even when the document does not exist yet.
      if (first || changes.length > 0) onChanges(changes);
      first = false;
    },
    (error) => onError?.(asError(fromFirestoreError(error, `listen "${path}"`))),
  );
}

function subscribeQuery(
  db: Firestore,
  spec: QuerySpec,
  onChanges: (changes: DocChange[]) => void,
  onError?: (error: Error) => void,
): Unsubscribe {
  const what = `listen ${queryTarget(spec)}`;
  const base = baseQuery(db, spec);
  let stop: Unsubscribe | null = null;
  let cancelled = false;
  let first = true;
  const listen = (query: Query): void => {
    if (cancelled) return;
    stop = query.onSnapshot(
      (snap) => {
        const changes = snap
          .docChanges()
          .map((change) => ({ type: change.type, doc: existing<DocData>(change.doc) }));
        if (first || changes.length > 0) onChanges(changes);
        first = false;
      },
      (error) => onError?.(asError(fromFirestoreError(error, what))),
    );
  };
  // Only a cursor needs a read before listening; everything else starts synchronously.
  if (spec.startAfter === undefined) listen(base);
  else withCursor(db, base, spec).then(listen, (error: unknown) => onError?.(asError(error)));
  return () => {
    cancelled = true;
    stop?.();
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

// ---------------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------------

export function firestoreDocStore(db: Firestore): DocStore {
  return {
    async get<T>(path: string) {
      assertDocPath(path);
      const snap = await withErrorMapping(`get "${path}"`, () => db.doc(path).get());
      return toDocSnapshot<T>(snap);
    },

    async getAll<T>(paths: readonly string[]) {
      for (const path of paths) assertDocPath(path);
      if (paths.length === 0) return [];
      const snaps = await withErrorMapping("getAll", () => db.getAll(...paths.map((path) => db.doc(path))));
      // firebase-admin returns snapshots in the order of the references asked for.
      return snaps.map((snap) => toDocSnapshot<T>(snap));
    },

    create(path, data) {
      return commitOne(db, `create "${path}"`, (writes) => writes.create(path, data));
    },

    set(path, data, options) {
      return commitOne(db, `set "${path}"`, (writes) => writes.set(path, data, options?.merge ?? false));
    },

    update(path, patch) {
      return commitOne(db, `update "${path}"`, (writes) => writes.update(path, patch));
    },

    delete(path) {
      return commitOne(db, `delete "${path}"`, (writes) => writes.delete(path));
    },

    async deleteRecursive(path) {
      assertDocPath(path);
      await withErrorMapping(`deleteRecursive "${path}"`, () => db.recursiveDelete(db.doc(path)));
    },

    async query<T>(spec: QuerySpec) {
      const query = await buildQuery(db, spec);
      const result = await withErrorMapping(`query ${queryTarget(spec)}`, () => query.get());
      return result.docs.map((doc) => existing<T>(doc));
    },

    async count(spec) {
      const query = await buildQuery(db, spec);
      const result = await withErrorMapping(`count ${queryTarget(spec)}`, () => query.count().get());
      return result.data().count;
    },

    async findNearest<T>(spec: NearestSpec) {
      const what = `findNearest ${queryTarget(spec)}`;
      const vectorQuery = building(what, () =>
        filteredQuery(db, spec).findNearest({
          vectorField: spec.vectorField,
          queryVector: [...spec.queryVector],
          limit: spec.limit,
          distanceMeasure: spec.distanceMeasure,
          distanceResultField: DISTANCE_FIELD,
        }),
      );
      const result = await withErrorMapping(what, () => vectorQuery.get());
      return result.docs.map((doc): NearestHit<T> => {
        const distance: unknown = doc.get(DISTANCE_FIELD);
        // A hit without its distance comes from a server that ran the query without the vector search (a
        // stand-in emulator does that): its order and scores would mean nothing, and a NaN score would flow
        // into confidence. Said, not guessed.
        if (typeof distance !== "number" || !Number.isFinite(distance)) {
          throw new AppError(
            "internal",
            `${what}: Firestore returned a hit without its distance; this Firestore does not run vector search`,
          );
        }
        return { ...existing<T>(doc, DISTANCE_FIELD), distance };
      });
    },

    runTransaction(fn) {
      // firebase-admin retries the function when Firestore aborts the transaction on contention.
      return withErrorMapping("transaction", () => db.runTransaction((tx) => fn(transactionOf(db, tx))));
    },

    batch() {
      return batchOf(db);
    },

    subscribe(target, onChanges, onError) {
      if ("doc" in target) return subscribeDoc(db, target.doc, onChanges, onError);
      return subscribeQuery(db, target, onChanges, onError);
    },
  };
}
