/**
 * DocStore over the embedded SQLite database (local mode). Documents are JSON rows keyed by path;
 * vectors live beside them as Float64 blobs, and `findNearest` ranks them with an in-memory index per
 * queried scope (`vector-index.ts`); queries narrow in SQL and apply Firestore's exact semantics
 * in `values.ts`. Transactions are optimistic like Firestore's: reads record a version, the commit
 * checks them and the transaction function is retried on conflict.
 */
import { assertCollectionPath, assertDocPath, collectionId } from "@alchemist/functions/platform/docpath";
import { AppError } from "@alchemist/functions/platform/errors";
import type {
  ChangeType,
  Clock,
  DocChange,
  DocData,
  DocSnapshot,
  DocStore,
  NearestHit,
  NearestSpec,
  QuerySpec,
  Transaction,
  Unsubscribe,
  WriteBatch,
} from "@alchemist/functions/platform/ports";
import { exactDistance, queryNormOf } from "@alchemist/functions/platform/vectors";
import {
  derivedState,
  statementCache,
  type DerivedState,
  type SqliteHandle,
  type StatementCache,
} from "./database.js";
import { storageWriteError } from "./private-files.js";
import { ScopedVectorIndexes, type NearestRow, type VectorWrite } from "./vector-index.js";
import {
  applyField,
  assertDocData,
  cloneData,
  compareForOrder,
  decodeDoc,
  effectiveOrderBy,
  encodeDoc,
  fieldParts,
  matchesFilter,
  materialize,
  mergeInto,
  orderDocs,
  validateFilter,
} from "./values.js";

type WriteOp =
  | { kind: "create" | "set"; path: string; data: DocData }
  | { kind: "merge"; path: string; data: DocData }
  | { kind: "update"; path: string; data: DocData }
  | { kind: "delete"; path: string };

/** One committed change, as commit hooks and subscribers see it. */
export interface CommittedChange {
  readonly type: ChangeType;
  readonly path: string;
  readonly before: DocSnapshot | null;
  readonly after: DocSnapshot | null;
}

/** Runs inside the SQLite transaction of a commit: what it writes commits (or rolls back) with the change. */
export type CommitHook = (changes: readonly CommittedChange[]) => void;

interface Row {
  path: string;
  data: string;
  version: number;
  create_time: string;
  update_time: string;
}

interface Versioned {
  snapshot: DocSnapshot;
  version: number;
}

class TransactionConflict extends Error {}

/** Stands for a row a write replaces without reading it (see `commit`); its fields are never shown. */
function unread(path: string, now: string): Versioned {
  const parts = path.split("/");
  return {
    version: 0,
    snapshot: { path, id: parts[parts.length - 1] as string, data: {}, createTime: now, updateTime: now },
  };
}

/** Vectors of one field already read, by document path. */
interface LoadedVectors {
  readonly field: string;
  readonly values: Map<string, Float64Array>;
}

const maxBatchWrites = 500;
const maxTransactionAttempts = 5;

function splitDocPath(path: string): { parent: string; coll: string; id: string } {
  const parts = assertDocPath(path);
  const parent = parts.slice(0, -1).join("/");
  return { parent, coll: parts[parts.length - 2] as string, id: parts[parts.length - 1] as string };
}

function validateScope(spec: { collection?: string; collectionGroup?: string }): void {
  if ((spec.collection === undefined) === (spec.collectionGroup === undefined)) {
    throw new AppError("invalid-argument", "A query needs exactly one of collection or collectionGroup");
  }
  if (spec.collection !== undefined) assertCollectionPath(spec.collection);
  if (spec.collectionGroup !== undefined && !/^[^/]+$/.test(spec.collectionGroup)) {
    throw new AppError("invalid-argument", `Invalid collection group "${spec.collectionGroup}"`);
  }
}

/** The SQLite JSON path of a field, or null where the stored JSON differs from the value (tagged maps). */
function jsonPath(field: string): string | null {
  const parts = fieldParts(field);
  if (parts.some((p) => p.startsWith("$"))) return null;
  return "$" + parts.map((p) => `."${p.replace(/["\\]/g, "\\$&")}"`).join("");
}

export class SqliteDocStore implements DocStore {
  private readonly hooks: CommitHook[] = [];
  private readonly listeners = new Set<Listener>();
  /** Shared by every store on the handle; dropped when another process writes (see `derivedState`). */
  private readonly vectorIndexes: DerivedState<ScopedVectorIndexes>;
  /** Prepared once: preparing costs about as much as a point read. */
  private readonly sql: StatementCache;

  constructor(
    private readonly db: SqliteHandle,
    private readonly clock: Clock,
  ) {
    this.vectorIndexes = derivedState(db, "vector-indexes", () => new ScopedVectorIndexes());
    this.sql = statementCache(db);
  }

  /** Registers a hook that runs inside every commit (the local runtime turns changes into trigger tasks). */
  addCommitHook(hook: CommitHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  // ----- reads -----------------------------------------------------------------------------------

  private readonly selectDoc = (path: string): Row | undefined =>
    this.sql("SELECT path, data, version, create_time, update_time FROM docs WHERE path = ?").get(path) as
      Row | undefined;

  private loadVectorValues(path: string, field: string): Float64Array | undefined {
    const row = this.sql("SELECT vec FROM vectors WHERE path = ? AND field = ?").get(path, field) as
      { vec: Buffer } | undefined;
    return row ? float64s(row.vec) : undefined;
  }

  private loadVector(path: string, field: string, loaded?: LoadedVectors): number[] | undefined {
    const values =
      (field === loaded?.field ? loaded.values.get(path) : undefined) ?? this.loadVectorValues(path, field);
    return values ? Array.from(values) : undefined;
  }

  /** `loaded`: vectors of one field already read for these documents (findNearest read them to rank). */
  private toVersioned(row: Row, loaded?: LoadedVectors): Versioned {
    const data = row.data.includes('"$vector"')
      ? decodeDoc(row.data, (field) => this.loadVector(row.path, field, loaded))
      : decodeDoc(row.data, () => undefined);
    const parts = row.path.split("/");
    return {
      version: row.version,
      snapshot: {
        path: row.path,
        id: parts[parts.length - 1] as string,
        data,
        createTime: row.create_time,
        updateTime: row.update_time,
      },
    };
  }

  /** The row's version and times without its data (for writes that replace the data anyway). */
  private readHead(path: string): Versioned | null {
    const row = this.sql("SELECT version, create_time, update_time FROM docs WHERE path = ?").get(path) as
      Omit<Row, "path" | "data"> | undefined;
    if (!row) return null;
    const parts = path.split("/");
    return {
      version: row.version,
      snapshot: {
        path,
        id: parts[parts.length - 1] as string,
        data: {},
        createTime: row.create_time,
        updateTime: row.update_time,
      },
    };
  }

  private readVersioned(path: string, loaded?: LoadedVectors): Versioned | null {
    assertDocPath(path);
    const row = this.selectDoc(path);
    return row ? this.toVersioned(row, loaded) : null;
  }

  async get<T = DocData>(path: string): Promise<DocSnapshot<T> | null> {
    return (this.readVersioned(path)?.snapshot as DocSnapshot<T> | undefined) ?? null;
  }

  async getAll<T = DocData>(paths: readonly string[]): Promise<(DocSnapshot<T> | null)[]> {
    return paths.map((p) => (this.readVersioned(p)?.snapshot as DocSnapshot<T> | undefined) ?? null);
  }

  private runQuery(spec: QuerySpec): Versioned[] {
    validateScope(spec);
    const filters = spec.where ?? [];
    filters.forEach(validateFilter);
    for (const o of spec.orderBy ?? []) fieldParts(o.field);
    if (spec.limit !== undefined && (!Number.isInteger(spec.limit) || spec.limit < 0)) {
      throw new AppError("invalid-argument", "limit must be a non-negative integer");
    }

    // Narrow in SQL with the equality filters on plain values (a superset: every filter is re-checked below).
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (spec.collection !== undefined) {
      clauses.push("parent = ?");
      params.push(spec.collection);
    } else {
      clauses.push("coll = ?");
      params.push(spec.collectionGroup);
    }
    for (const f of filters) {
      const at = jsonPath(f.field);
      if (at === null) continue;
      if (f.op === "==" && typeof f.value === "string") {
        clauses.push("json_extract(data, ?) = ?");
        params.push(at, f.value);
      } else if (f.op === "in" && (f.value as unknown[]).every((v) => typeof v === "string")) {
        const values = f.value as string[];
        clauses.push(`json_extract(data, ?) IN (${values.map(() => "?").join(",")})`);
        params.push(at, ...values);
      }
    }
    const rows = this.db
      .prepare(
        `SELECT path, data, version, create_time, update_time FROM docs WHERE ${clauses.join(" AND ")} ORDER BY path`,
      )
      .all(...params) as Row[];

    let docs = rows
      .map((r) => this.toVersioned(r))
      .filter((v) => filters.every((f) => matchesFilter(v.snapshot.data, f)));
    const orderBy = effectiveOrderBy(filters, spec.orderBy ?? []);
    const sorted = orderDocs(
      docs.map((v) => ({ path: v.snapshot.path, data: v.snapshot.data, v })),
      orderBy,
    );
    docs = sorted.map((s) => s.v);
    if (spec.startAfter) {
      const cursor = { path: spec.startAfter.path, data: spec.startAfter.data };
      const lastDir = orderBy.length > 0 ? (orderBy[orderBy.length - 1]?.direction ?? "asc") : "asc";
      docs = docs.filter(
        (v) =>
          compareForOrder({ path: v.snapshot.path, data: v.snapshot.data }, cursor, orderBy, lastDir) > 0,
      );
    }
    if (spec.limit !== undefined) docs = docs.slice(0, spec.limit);
    return docs;
  }

  async query<T = DocData>(spec: QuerySpec): Promise<DocSnapshot<T>[]> {
    return this.runQuery(spec).map((v) => v.snapshot as DocSnapshot<T>);
  }

  async count(spec: QuerySpec): Promise<number> {
    return this.runQuery(spec).length;
  }

  async findNearest<T = DocData>(spec: NearestSpec): Promise<NearestHit<T>[]> {
    validateScope(spec);
    (spec.where ?? []).forEach(validateFilter);
    fieldParts(spec.vectorField);
    if (!Number.isInteger(spec.limit) || spec.limit < 1 || spec.limit > 1000) {
      throw new AppError("invalid-argument", "findNearest limit must be between 1 and 1000");
    }
    const kind = spec.collection !== undefined ? "parent" : "coll";
    const scope = (spec.collection ?? spec.collectionGroup) as string;
    const filters = spec.where ?? [];

    const dims = spec.queryVector.length;
    const ranking =
      dims === 0
        ? null
        : this.vectorIndexes
            .current()
            .get(kind, scope, spec.vectorField, dims, () =>
              this.scopeVectors(kind, scope, spec.vectorField, dims),
            )
            .rank(spec.queryVector, spec.distanceMeasure);

    // Pre-filters are checked in distance order until the limit is met, so selective filters stay exact:
    // when they reject candidates, the next ones are ranked (4× as many each round).
    const hits: NearestHit<T>[] = [];
    const loaded: LoadedVectors = { field: spec.vectorField, values: new Map() };
    const load = (path: string): Float64Array | undefined => {
      const values = this.loadVectorValues(path, spec.vectorField);
      if (values) loaded.values.set(path, values);
      return values;
    };
    let checked = 0;
    for (let k = spec.limit; ; k *= 4) {
      const rows: NearestRow[] = ranking ? ranking.top(k, load) : this.scanNearest(spec, kind, scope);
      for (; checked < rows.length && hits.length < spec.limit; checked++) {
        const candidate = rows[checked] as NearestRow;
        const doc = this.readVersioned(candidate.path, loaded);
        if (!doc) continue;
        if (!filters.every((f) => matchesFilter(doc.snapshot.data, f))) continue;
        hits.push({ ...(doc.snapshot as DocSnapshot<T>), distance: candidate.distance });
      }
      if (hits.length >= spec.limit || !ranking || rows.length < k) return hits;
    }
  }

  private scopeVectors(
    kind: "parent" | "coll",
    scope: string,
    field: string,
    dims: number,
  ): Iterable<{ path: string; values: Float64Array }> {
    const rows = this.sql(
      `SELECT path, vec FROM vectors WHERE ${kind} = ? AND field = ? AND dims = ? ORDER BY path`,
    ).iterate(scope, field, dims) as IterableIterator<{ path: string; vec: Buffer }>;
    return (function* () {
      for (const row of rows) yield { path: row.path, values: float64s(row.vec) };
    })();
  }

  /**
   * Every stored vector of the scope scored in Float64, in the table's (path) order, then sorted
   * stably: for vectors outside the range the index's error bounds cover.
   */
  private scanNearest(spec: NearestSpec, kind: "parent" | "coll", scope: string): NearestRow[] {
    const query = Float64Array.from(spec.queryVector);
    const queryNorm = queryNormOf(query);
    const scored: NearestRow[] = [];
    for (const row of this.scopeVectors(kind, scope, spec.vectorField, query.length)) {
      const distance = exactDistance(spec.distanceMeasure, row.values, query, queryNorm);
      if (distance !== null) scored.push({ path: row.path, distance });
    }
    if (spec.distanceMeasure === "DOT_PRODUCT") scored.sort((a, b) => b.distance - a.distance);
    else scored.sort((a, b) => a.distance - b.distance);
    return scored;
  }

  // ----- writes ----------------------------------------------------------------------------------

  /** Applies writes atomically; `reads` are versions a transaction saw (0 = absent) and must still hold. */
  private commit(ops: readonly WriteOp[], reads?: ReadonlyMap<string, number>): void {
    if (ops.length > maxBatchWrites) {
      throw new AppError(
        "invalid-argument",
        `A batch or transaction can hold at most ${maxBatchWrites} writes`,
      );
    }
    for (const op of ops) {
      assertDocPath(op.path);
      if (op.kind !== "delete") assertDocData(op.data);
    }
    const now = this.clock.nowIso();
    const changes: CommittedChange[] = [];
    const vectorWrites: VectorWrite[] = [];
    const apply = this.db.transaction(() => {
      if (reads) {
        for (const [path, version] of reads) {
          const current = this.selectDoc(path)?.version ?? 0;
          if (current !== version) throw new TransactionConflict(path);
        }
      }
      const pending = new Map<string, Versioned | null>();
      const original = new Map<string, Versioned | null>();
      // Whole `before` snapshots are only read when someone sees them (a hook, a listener) or a merge or
      // update needs the old data; a plain set, create or delete only needs the row's version.
      const snapshotsSeen = this.hooks.length > 0 || this.listeners.size > 0;
      const load = (path: string, kind: WriteOp["kind"]): Versioned | null => {
        if (pending.has(path)) return pending.get(path) ?? null;
        let v: Versioned | null;
        if (kind === "merge" || kind === "update" || snapshotsSeen) v = this.readVersioned(path);
        else if (kind === "create") v = this.readHead(path);
        // A set or delete that nobody watches needs nothing of the old row: the upsert keeps its create
        // time and bumps its version in SQL.
        else v = unread(path, now);
        original.set(path, v);
        pending.set(path, v);
        return v;
      };
      for (const op of ops) {
        const existing = load(op.path, op.kind);
        let next: Record<string, unknown> | null;
        switch (op.kind) {
          case "create":
            if (existing) throw new AppError("already-exists", `Document already exists: ${op.path}`);
            next = materialize(op.data);
            break;
          case "set":
            next = materialize(op.data);
            break;
          case "merge":
            next = cloneData(existing?.snapshot.data ?? {});
            mergeInto(next, op.data);
            break;
          case "update":
            if (!existing) throw new AppError("not-found", `No document to update: ${op.path}`);
            next = cloneData(existing.snapshot.data);
            for (const [field, value] of Object.entries(op.data))
              if (value !== undefined) applyField(next, field, value);
            break;
          case "delete":
            next = null;
            break;
        }
        if (next === null) {
          pending.set(op.path, null);
        } else {
          pending.set(op.path, {
            version: (existing?.version ?? 0) + 1,
            snapshot: {
              path: op.path,
              id: splitDocPath(op.path).id,
              data: next,
              createTime: existing?.snapshot.createTime ?? now,
              updateTime: now,
            },
          });
        }
      }
      for (const [path, after] of pending) {
        const before = original.get(path) ?? null;
        if (!before && !after) continue;
        vectorWrites.push(this.writeRow(path, after));
        changes.push({
          type: !before ? "added" : !after ? "removed" : "modified",
          path,
          before: before?.snapshot ?? null,
          after: after?.snapshot ?? null,
        });
      }
      for (const hook of this.hooks) hook(changes);
    });
    try {
      apply();
    } catch (e) {
      throw storageWriteError(e);
    }
    // The vector indexes follow only committed writes. Inside someone else's transaction this commit is a
    // savepoint that may still roll back: then the indexes are dropped and rebuilt when next queried.
    if (this.db.inTransaction) this.vectorIndexes.peek().clear();
    else this.vectorIndexes.peek().apply(vectorWrites);
    if (changes.length > 0) this.notify(changes);
  }

  /** Writes (or deletes) one document row and its vectors; returns the vector change for the indexes. */
  private writeRow(path: string, after: Versioned | null): VectorWrite {
    const { parent, coll, id } = splitDocPath(path);
    this.sql("DELETE FROM vectors WHERE path = ?").run(path);
    if (!after) {
      this.sql("DELETE FROM docs WHERE path = ?").run(path);
      return { path, parent, coll, vectors: null };
    }
    const encoded = encodeDoc(after.snapshot.data);
    this.sql(
      `INSERT INTO docs (path, parent, coll, id, data, version, create_time, update_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(path) DO UPDATE SET data = excluded.data, version = docs.version + 1, update_time = excluded.update_time`,
    ).run(
      path,
      parent,
      coll,
      id,
      encoded.json,
      after.version,
      after.snapshot.createTime,
      after.snapshot.updateTime,
    );
    for (const v of encoded.vectors) {
      const blob = Buffer.from(Float64Array.from(v.values).buffer);
      this.sql("INSERT INTO vectors (path, field, parent, coll, dims, vec) VALUES (?, ?, ?, ?, ?, ?)").run(
        path,
        v.field,
        parent,
        coll,
        v.values.length,
        blob,
      );
    }
    return { path, parent, coll, vectors: encoded.vectors };
  }

  async create(path: string, data: DocData): Promise<void> {
    this.commit([{ kind: "create", path, data }]);
  }

  async set(path: string, data: DocData, options?: { merge?: boolean }): Promise<void> {
    this.commit([{ kind: options?.merge ? "merge" : "set", path, data }]);
  }

  async update(path: string, patch: DocData): Promise<void> {
    this.commit([{ kind: "update", path, data: patch }]);
  }

  async delete(path: string): Promise<void> {
    this.commit([{ kind: "delete", path }]);
  }

  async deleteRecursive(path: string): Promise<void> {
    assertDocPath(path);
    // Every path below starts with `path/`; '0' is the byte after '/', so this range holds them all,
    // whatever characters their ids use (SQLite compares text by its UTF-8 bytes).
    const below = this.db
      .prepare("SELECT path FROM docs WHERE path = ? OR (path > ? AND path < ?)")
      .all(path, `${path}/`, `${path}0`) as { path: string }[];
    // Committed in batches (as Firestore's recursiveDelete does): deletes are idempotent, so a crash midway
    // leaves a state that a second call finishes.
    for (let i = 0; i < below.length; i += maxBatchWrites) {
      this.commit(below.slice(i, i + maxBatchWrites).map((r) => ({ kind: "delete" as const, path: r.path })));
    }
  }

  batch(): WriteBatch {
    const ops: WriteOp[] = [];
    let committed = false;
    const batch: WriteBatch = {
      create: (path, data) => (ops.push({ kind: "create", path, data }), batch),
      set: (path, data, options) => (ops.push({ kind: options?.merge ? "merge" : "set", path, data }), batch),
      update: (path, data) => (ops.push({ kind: "update", path, data }), batch),
      delete: (path) => (ops.push({ kind: "delete", path }), batch),
      commit: async () => {
        if (committed) throw new AppError("failed-precondition", "This batch was already committed");
        committed = true;
        this.commit(ops);
      },
    };
    return batch;
  }

  async runTransaction<R>(fn: (tx: Transaction) => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      const reads = new Map<string, number>();
      const ops: WriteOp[] = [];
      const readGuard = () => {
        if (ops.length > 0) {
          throw new AppError("invalid-argument", "A transaction must do all its reads before its writes");
        }
      };
      const tx: Transaction = {
        get: async <T>(path: string) => {
          readGuard();
          const v = this.readVersioned(path);
          if (!reads.has(path)) reads.set(path, v?.version ?? 0);
          return (v?.snapshot as DocSnapshot<T> | undefined) ?? null;
        },
        query: async <T>(spec: QuerySpec) => {
          readGuard();
          const results = this.runQuery(spec);
          for (const v of results) if (!reads.has(v.snapshot.path)) reads.set(v.snapshot.path, v.version);
          return results.map((v) => v.snapshot as DocSnapshot<T>);
        },
        create: (path, data) => (ops.push({ kind: "create", path, data }), tx),
        set: (path, data, options) => (ops.push({ kind: options?.merge ? "merge" : "set", path, data }), tx),
        update: (path, data) => (ops.push({ kind: "update", path, data }), tx),
        delete: (path) => (ops.push({ kind: "delete", path }), tx),
      };
      const result = await fn(tx);
      try {
        this.commit(ops, reads);
        return result;
      } catch (e) {
        if (!(e instanceof TransactionConflict)) throw e;
        if (attempt >= maxTransactionAttempts) {
          throw new AppError(
            "aborted",
            "Too much contention on these documents; the transaction was not applied",
          );
        }
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  // ----- live changes ----------------------------------------------------------------------------

  subscribe(
    target: { readonly doc: string } | QuerySpec,
    onChanges: (changes: DocChange[]) => void,
    onError?: (error: Error) => void,
  ): Unsubscribe {
    if ("doc" in target) assertDocPath(target.doc);
    else validateScope(target);
    const listener = new Listener(target, onChanges, onError, (t) =>
      "doc" in t ? [this.readVersioned(t.doc)].filter((v): v is Versioned => v !== null) : this.runQuery(t),
    );
    this.listeners.add(listener);
    setImmediate(() => listener.refresh());
    return () => {
      listener.closed = true;
      this.listeners.delete(listener);
    };
  }

  private notify(changes: readonly CommittedChange[]): void {
    for (const listener of this.listeners) {
      if (changes.some((c) => listener.concerns(c.path))) setImmediate(() => listener.refresh());
    }
  }
}

/** The doubles of a stored vector blob (copied when the blob is not 8-byte aligned). */
function float64s(blob: Buffer): Float64Array {
  if (blob.byteOffset % 8 === 0) return new Float64Array(blob.buffer, blob.byteOffset, blob.byteLength / 8);
  return new Float64Array(Uint8Array.from(blob).buffer);
}

class Listener {
  closed = false;
  private current = new Map<string, Versioned>();

  constructor(
    private readonly target: { readonly doc: string } | QuerySpec,
    private readonly onChanges: (changes: DocChange[]) => void,
    private readonly onError: ((error: Error) => void) | undefined,
    private readonly read: (target: { readonly doc: string } | QuerySpec) => Versioned[],
  ) {}

  concerns(path: string): boolean {
    if ("doc" in this.target) return path === this.target.doc;
    const { parent } = splitDocPath(path);
    if (this.target.collection !== undefined) return parent === this.target.collection;
    return collectionId(parent) === this.target.collectionGroup;
  }

  refresh(): void {
    if (this.closed) return;
    let next: Versioned[];
    try {
      next = this.read(this.target);
    } catch (e) {
      this.onError?.(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const nextMap = new Map(next.map((v) => [v.snapshot.path, v]));
    const changes: DocChange[] = [];
    for (const v of next) {
      const before = this.current.get(v.snapshot.path);
      if (!before) changes.push({ type: "added", doc: v.snapshot });
      else if (before.version !== v.version) changes.push({ type: "modified", doc: v.snapshot });
    }
    for (const [path, v] of this.current)
      if (!nextMap.has(path)) changes.push({ type: "removed", doc: v.snapshot });
    this.current = nextMap;
    const first = !this.delivered;
    this.delivered = true;
    if (changes.length > 0 || first) this.onChanges(changes);
  }

  private delivered = false;
}
