/**
 * The embedded database of local mode: one SQLite file holding documents, vectors and the task queue,
 * so a write and the task it schedules commit together. WAL journaling with synchronous=NORMAL: a commit
 * survives the process crashing or being killed, the file is never corrupted, and readers never block the
 * writer. A power cut may lose the last commits before the WAL is synced; set ALCHEMIST_SQLITE_SYNC=FULL to
 * fsync every commit (measured: bulk ingestion is several times slower).
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ensurePrivateDir, privateFileMode, tighten } from "./private-files.js";

export type SqliteHandle = Database.Database;

/** Schema steps, applied in order; `user_version` counts those applied. Exported for upgrade tests. */
export const migrations: readonly string[] = [
  `CREATE TABLE docs (
     path TEXT PRIMARY KEY,
     parent TEXT NOT NULL,
     coll TEXT NOT NULL,
     id TEXT NOT NULL,
     data TEXT NOT NULL,
     version INTEGER NOT NULL,
     create_time TEXT NOT NULL,
     update_time TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX docs_by_parent ON docs(parent, path);
   CREATE INDEX docs_by_coll ON docs(coll, path);
   CREATE TABLE vectors (
     path TEXT NOT NULL,
     field TEXT NOT NULL,
     parent TEXT NOT NULL,
     coll TEXT NOT NULL,
     dims INTEGER NOT NULL,
     vec BLOB NOT NULL,
     PRIMARY KEY (path, field)
   ) WITHOUT ROWID;
   CREATE INDEX vectors_by_parent ON vectors(parent, field);
   CREATE INDEX vectors_by_coll ON vectors(coll, field);
   CREATE TABLE tasks (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     queue TEXT NOT NULL,
     dedup_key TEXT,
     payload TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
     attempts INTEGER NOT NULL DEFAULT 0,
     run_at INTEGER NOT NULL,
     lease_until INTEGER,
     first_attempt_at INTEGER,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     finished_at INTEGER
   );
   CREATE UNIQUE INDEX tasks_dedup ON tasks(queue, dedup_key) WHERE dedup_key IS NOT NULL;
   CREATE INDEX tasks_due ON tasks(status, run_at);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // Keyword entries (sqlite-keyword-index.ts): the analyzed terms of each entry, in order, joined by spaces.
  `CREATE TABLE keywords (
     scope TEXT NOT NULL,
     id TEXT NOT NULL,
     grp TEXT NOT NULL,
     terms TEXT NOT NULL,
     PRIMARY KEY (scope, id)
   ) WITHOUT ROWID;
   CREATE INDEX keywords_by_group ON keywords(scope, grp);`,
  // Documents and vectors move to rowid tables. A WITHOUT ROWID row larger than about a tenth of a page
  // spills into overflow pages of its own, and chunk rows (~1.3 KB of JSON) and vectors (2 KB) all did:
  // the file shrinks by about a quarter and bulk writes get faster (measured with `npm run bench`). The
  // indexes end in `path`, so scans by parent or collection still come out in path order.
  `CREATE TABLE docs_v3 (
     path TEXT NOT NULL UNIQUE,
     parent TEXT NOT NULL,
     coll TEXT NOT NULL,
     id TEXT NOT NULL,
     data TEXT NOT NULL,
     version INTEGER NOT NULL,
     create_time TEXT NOT NULL,
     update_time TEXT NOT NULL
   );
   INSERT INTO docs_v3 (path, parent, coll, id, data, version, create_time, update_time)
     SELECT path, parent, coll, id, data, version, create_time, update_time FROM docs ORDER BY path;
   DROP TABLE docs;
   ALTER TABLE docs_v3 RENAME TO docs;
   CREATE INDEX docs_by_parent ON docs(parent, path);
   CREATE INDEX docs_by_coll ON docs(coll, path);
   CREATE TABLE vectors_v3 (
     path TEXT NOT NULL,
     field TEXT NOT NULL,
     parent TEXT NOT NULL,
     coll TEXT NOT NULL,
     dims INTEGER NOT NULL,
     vec BLOB NOT NULL,
     UNIQUE (path, field)
   );
   INSERT INTO vectors_v3 (path, field, parent, coll, dims, vec)
     SELECT path, field, parent, coll, dims, vec FROM vectors ORDER BY path, field;
   DROP TABLE vectors;
   ALTER TABLE vectors_v3 RENAME TO vectors;
   CREATE INDEX vectors_by_parent ON vectors(parent, field, path);
   CREATE INDEX vectors_by_coll ON vectors(coll, field, path);`,
  // Leasing a queue's due tasks reads that queue's rows only: with one index on status, each lease walked
  // every pending task of every queue (hundreds during a bulk upload), many times a second.
  `CREATE INDEX tasks_by_queue ON tasks(queue, status, run_at, seq);`,
];

/** A prepared statement for a fixed SQL text, prepared once per handle: preparing costs more than a run. */
export type StatementCache = (text: string) => Database.Statement<unknown[]>;

export function statementCache(db: SqliteHandle): StatementCache {
  const prepared = new Map<string, Database.Statement<unknown[]>>();
  return (text) => {
    let statement = prepared.get(text);
    if (!statement) {
      statement = db.prepare(text);
      prepared.set(text, statement);
    }
    return statement;
  };
}

export interface OpenOptions {
  /** A file path, or ":memory:" for throwaway stores in tests. */
  readonly file: string;
  /** `NORMAL` (default) is crash-safe; `FULL` also survives a power cut, at a cost in write speed. */
  readonly synchronous?: "NORMAL" | "FULL";
}

export function openDatabase({ file, synchronous = "NORMAL" }: OpenOptions): SqliteHandle {
  if (file !== ":memory:") {
    ensurePrivateDir(path.dirname(file));
    // SQLite gives its -wal and -shm files the database file's mode, so the file exists owner-only first.
    fs.closeSync(fs.openSync(file, "a", privateFileMode));
    for (const f of [file, `${file}-wal`, `${file}-shm`]) tighten(f, privateFileMode);
  }
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma("foreign_keys = ON");
  // Another process (a second `npm start`) waits briefly instead of failing with SQLITE_BUSY.
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

function migrate(db: SqliteHandle): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `The local database was written by a newer Alchemist (schema ${current}, this build knows ${migrations.length}).`,
    );
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/**
 * In-memory state derived from the database (the search indexes), shared by every adapter on one handle so
 * a write through any of them keeps it current. `current()` also checks SQLite's `data_version`, which moves
 * only when another connection (another process) commits: the state is then recreated empty, to be rebuilt
 * from the tables. `peek()` skips that check, for the write path that updates the state in place.
 */
export interface DerivedState<T> {
  current(): T;
  peek(): T;
}

const derivedStates = new WeakMap<SqliteHandle, Map<string, { value: unknown; dataVersion: number }>>();

export function derivedState<T>(db: SqliteHandle, name: string, create: () => T): DerivedState<T> {
  let states = derivedStates.get(db);
  if (!states) {
    states = new Map();
    derivedStates.set(db, states);
  }
  const dataVersion = (): number => db.pragma("data_version", { simple: true }) as number;
  const slot = (): { value: unknown; dataVersion: number } => {
    let s = states.get(name);
    if (!s) {
      s = { value: create(), dataVersion: dataVersion() };
      states.set(name, s);
    }
    return s;
  };
  return {
    current() {
      const s = slot();
      const version = dataVersion();
      if (version !== s.dataVersion) {
        s.value = create();
        s.dataVersion = version;
      }
      return s.value as T;
    },
    peek: () => slot().value as T,
  };
}
