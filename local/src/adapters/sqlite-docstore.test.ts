/**
 * The DocStore contract over the embedded SQLite store (a real database file in a temp folder, nothing
 * skipped), plus what only local mode promises: data survives a restart, vectors keep every bit, commit
 * hooks share the write's transaction, and a conflicting transaction is retried.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "@alchemist/functions/platform/clock";
import { AppError } from "@alchemist/functions/platform/errors";
import { FieldOps, VectorValue, vector } from "@alchemist/functions/platform/ports";
import { describeDocStoreContract } from "@alchemist/functions/platform/testing/docstore-contract";
import Database from "better-sqlite3";
import { migrations, openDatabase, type SqliteHandle } from "./database.js";
import { SqliteDocStore, type CommittedChange } from "./sqlite-docstore.js";
import { systemClock } from "@alchemist/functions/platform/clock";

const folders: string[] = [];
const tempFolder = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-docstore-"));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

describeDocStoreContract("SQLite file (local mode)", async () => {
  const db = openDatabase({ file: path.join(tempFolder(), "alchemist.sqlite") });
  return {
    store: new SqliteDocStore(db, systemClock),
    close: async () => {
      db.close();
    },
  };
});

describe("SqliteDocStore in local mode", () => {
  const open = (file: string): { db: SqliteHandle; store: SqliteDocStore } => {
    const db = openDatabase({ file });
    return { db, store: new SqliteDocStore(db, systemClock) };
  };

  it("keeps documents, vectors and sub-collections after the database file is closed and reopened", async () => {
    const file = path.join(tempFolder(), "alchemist.sqlite");
    const first = open(file);
    await first.store.create("tenants/acme", {
      name: "Acme Bank",
      plan: "pro",
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    await first.store.set("tenants/acme/knowledgeBases/kb1/chunks/c1", {
      docId: "handbook",
      text: "Employees get 25 vacation days a year.",
      location: { page: 12 },
      embedding: vector([0.6, 0.8]),
    });
    await first.store.update("tenants/acme", { plan: "enterprise", seats: FieldOps.increment(5) });
    const before = await first.store.get("tenants/acme");
    first.db.close();

    const second = open(file);
    try {
      const tenant = await second.store.get("tenants/acme");
      expect(tenant?.data).toEqual({
        name: "Acme Bank",
        plan: "enterprise",
        seats: 5,
        createdAt: "2026-01-01T00:00:00.000Z",
      });
      expect(tenant?.createTime).toBe(before?.createTime);
      expect(tenant?.updateTime).toBe(before?.updateTime);
      const chunk = await second.store.get("tenants/acme/knowledgeBases/kb1/chunks/c1");
      expect(chunk?.data.embedding).toBeInstanceOf(VectorValue);
      const hits = await second.store.findNearest({
        collectionGroup: "chunks",
        vectorField: "embedding",
        queryVector: [0.6, 0.8],
        limit: 1,
        distanceMeasure: "COSINE",
      });
      expect(hits.map((h) => h.path)).toEqual(["tenants/acme/knowledgeBases/kb1/chunks/c1"]);
      expect(hits[0]?.distance).toBeCloseTo(0, 12);
      // Writes after a restart continue the document's history (the version check still works).
      await second.store.runTransaction(async (tx) => {
        const t = await tx.get<{ seats: number }>("tenants/acme");
        tx.update("tenants/acme", { seats: (t?.data.seats ?? 0) + 1 });
      });
      expect((await second.store.get<{ seats: number }>("tenants/acme"))?.data.seats).toBe(6);
    } finally {
      second.db.close();
    }
  });

  it("upgrades a database written before the rowid tables (schema 2) with every document and vector", async () => {
    const file = path.join(tempFolder(), "alchemist.sqlite");
    const old = new Database(file);
    old.pragma("journal_mode = WAL");
    for (const step of migrations.slice(0, 2)) old.exec(step);
    old.pragma("user_version = 2");
    const oldStore = new SqliteDocStore(old, systemClock);
    const scope = "tenants/acme/knowledgeBases/kb1/chunks";
    // Written out of path order, so a scan that followed insertion order would show it.
    for (const id of ["c3", "c1", "c2"])
      await oldStore.set(`${scope}/${id}`, { text: `chunk ${id}`, embedding: vector([1, Number(id[1])]) });
    await oldStore.update(`${scope}/c2`, { text: "chunk c2, edited" });
    const before = await oldStore.get(`${scope}/c2`);
    old.close();

    const { db, store } = open(file);
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(migrations.length);
      const docs = await store.query({ collection: scope });
      expect(docs.map((d) => [d.id, d.data.text])).toEqual([
        ["c1", "chunk c1"],
        ["c2", "chunk c2, edited"],
        ["c3", "chunk c3"],
      ]);
      const c2 = await store.get(`${scope}/c2`);
      expect(c2?.updateTime).toBe(before?.updateTime);
      expect((c2?.data.embedding as VectorValue).toArray()).toEqual([1, 2]);
      // Equal distances come back in path order, as before the upgrade.
      const hits = await store.findNearest({
        collection: scope,
        vectorField: "embedding",
        queryVector: [1, 0],
        limit: 3,
        distanceMeasure: "DOT_PRODUCT",
      });
      expect(hits.map((h) => h.id)).toEqual(["c1", "c2", "c3"]);
      await store.set(`${scope}/c1`, { text: "replaced", embedding: vector([0, 1]) });
      expect((await store.get(`${scope}/c1`))?.data.text).toBe("replaced");
    } finally {
      db.close();
    }
  });

  it("round-trips vectors exactly, bit for bit, at the top level, in maps and after a reopen", async () => {
    const file = path.join(tempFolder(), "alchemist.sqlite");
    const values = [0.1, -1 / 3, Math.PI, 1e-300, -0, 5e-324, Number.MAX_VALUE, 0.30000000000000004];
    const wide = Array.from({ length: 2048 }, (_, i) => Math.sin(i) / (i + 1));
    const first = open(file);
    await first.store.set("kb/d1", {
      embedding: vector(values),
      meta: { sparse: vector(wide), label: "wide" },
      list: [1, 2, 3],
    });
    const check = async (store: SqliteDocStore) => {
      const doc = await store.get("kb/d1");
      const top = doc?.data.embedding as VectorValue;
      expect(top).toBeInstanceOf(VectorValue);
      expect(top.toArray()).toHaveLength(values.length);
      top.toArray().forEach((v, i) => expect(Object.is(v, values[i])).toBe(true));
      const nested = (doc?.data.meta as { sparse: VectorValue; label: string }).sparse;
      expect(nested).toBeInstanceOf(VectorValue);
      expect(nested.toArray()).toEqual(wide);
      expect(doc?.data.list).toEqual([1, 2, 3]);
    };
    await check(first.store);
    first.db.close();
    const second = open(file);
    try {
      await check(second.store);
    } finally {
      second.db.close();
    }
  });

  it("replacing or removing a vector field drops its stored values", async () => {
    const { db, store } = open(path.join(tempFolder(), "alchemist.sqlite"));
    try {
      await store.set("kb/d1", { embedding: vector([1, 0]) });
      await store.update("kb/d1", { embedding: FieldOps.delete() });
      const search = () =>
        store.findNearest({
          collection: "kb",
          vectorField: "embedding",
          queryVector: [1, 0],
          limit: 5,
          distanceMeasure: "EUCLIDEAN",
        });
      expect(await search()).toEqual([]);
      await store.update("kb/d1", { embedding: vector([0, 1]) });
      expect((await search()).map((h) => h.distance)).toEqual([Math.SQRT2]);
      await store.delete("kb/d1");
      expect(await search()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("runs commit hooks inside the write's transaction: a throwing hook rolls the write back", async () => {
    const { db, store } = open(path.join(tempFolder(), "alchemist.sqlite"));
    try {
      const seen: CommittedChange[][] = [];
      const removeRecorder = store.addCommitHook((changes) => {
        seen.push([...changes]);
        // What a hook writes commits with the change (the runtime enqueues trigger tasks this way).
        db.prepare(
          "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        ).run("last-change", changes.map((c) => `${c.type}:${c.path}`).join(","));
      });
      await store.create("tenants/t1/agents/a1", { name: "Support bot" });
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject([
        {
          type: "added",
          path: "tenants/t1/agents/a1",
          before: null,
          after: { data: { name: "Support bot" } },
        },
      ]);

      const removeFailing = store.addCommitHook(() => {
        throw new Error("the trigger queue is full");
      });
      await expect(store.update("tenants/t1/agents/a1", { name: "Renamed" })).rejects.toThrow(
        "the trigger queue is full",
      );
      await expect(store.create("tenants/t1/agents/a2", { name: "Sales bot" })).rejects.toThrow(
        "the trigger queue is full",
      );
      expect((await store.get("tenants/t1/agents/a1"))?.data).toEqual({ name: "Support bot" });
      expect(await store.get("tenants/t1/agents/a2")).toBeNull();
      // The recorder's own write was rolled back with them.
      expect(db.prepare("SELECT value FROM meta WHERE key = 'last-change'").get()).toEqual({
        value: "added:tenants/t1/agents/a1",
      });

      removeFailing();
      await store.update("tenants/t1/agents/a1", { name: "Renamed" });
      expect(seen.at(-1)).toMatchObject([
        { type: "modified", before: { data: { name: "Support bot" } }, after: { data: { name: "Renamed" } } },
      ]);
      await store.delete("tenants/t1/agents/a1");
      expect(seen.at(-1)).toMatchObject([{ type: "removed", path: "tenants/t1/agents/a1", after: null }]);
      // Deleting a missing document changes nothing and reports nothing.
      const count = seen.length;
      await store.delete("tenants/t1/agents/none");
      expect(seen.at(-1)).toEqual([]);
      expect(seen.length).toBe(count + 1);
      removeRecorder();
      await store.create("tenants/t1/agents/a3", { name: "Quiet" });
      expect(seen.length).toBe(count + 1);
    } finally {
      db.close();
    }
  });

  it("retries a transaction whose read changed before it committed, and applies it once", async () => {
    const { db, store } = open(path.join(tempFolder(), "alchemist.sqlite"));
    try {
      await store.set("tenants/t1/usage/credits", { balance: 100 });
      let attempts = 0;
      const result = await store.runTransaction(async (tx) => {
        attempts++;
        const doc = await tx.get<{ balance: number }>("tenants/t1/usage/credits");
        // Another writer changes the document between this transaction's read and its commit, once.
        if (attempts === 1)
          await store.update("tenants/t1/usage/credits", { balance: FieldOps.increment(50) });
        tx.update("tenants/t1/usage/credits", { balance: (doc?.data.balance ?? 0) - 30 });
        return doc?.data.balance;
      });
      expect(attempts).toBe(2);
      expect(result).toBe(150);
      expect((await store.get("tenants/t1/usage/credits"))?.data).toEqual({ balance: 120 });
    } finally {
      db.close();
    }
  });

  it("a transaction that read a missing document conflicts when someone creates it", async () => {
    const { db, store } = open(path.join(tempFolder(), "alchemist.sqlite"));
    try {
      let attempts = 0;
      await store.runTransaction(async (tx) => {
        attempts++;
        const doc = await tx.get("tenants/t1/members/u1");
        if (attempts === 1) await store.create("tenants/t1/members/u1", { role: "viewer" });
        if (!doc) tx.create("tenants/t1/members/u1", { role: "owner" });
      });
      expect(attempts).toBe(2);
      expect((await store.get("tenants/t1/members/u1"))?.data).toEqual({ role: "viewer" });
    } finally {
      db.close();
    }
  });

  it("gives up with aborted when the contention never ends, without applying the transaction", async () => {
    const { db, store } = open(path.join(tempFolder(), "alchemist.sqlite"));
    try {
      await store.set("counters/c", { n: 0 });
      let attempts = 0;
      const error = await store
        .runTransaction(async (tx) => {
          attempts++;
          const doc = await tx.get<{ n: number }>("counters/c");
          await store.update("counters/c", { n: FieldOps.increment(1) });
          tx.set("counters/c", { n: (doc?.data.n ?? 0) + 100 });
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("aborted");
      expect(attempts).toBe(5);
      expect((await store.get("counters/c"))?.data).toEqual({ n: 5 });
    } finally {
      db.close();
    }
  });

  it("orders an inequality query by the filtered field, so a limit keeps the smallest values", async () => {
    const { db, store } = open(path.join(tempFolder(), "alchemist.sqlite"));
    try {
      for (const [id, size] of [
        ["a", 300],
        ["b", 20],
        ["c", 5],
        ["d", 150],
      ] as const)
        await store.set(`docs/${id}`, { size });
      const bigger = await store.query({
        collection: "docs",
        where: [{ field: "size", op: ">", value: 10 }],
        limit: 2,
      });
      expect(bigger.map((d) => d.id)).toEqual(["b", "d"]);
      const page2 = await store.query({
        collection: "docs",
        where: [{ field: "size", op: ">", value: 10 }],
        startAfter: bigger[1],
      });
      expect(page2.map((d) => d.id)).toEqual(["a"]);
      const notSmall = await store.query({
        collection: "docs",
        where: [{ field: "size", op: "!=", value: 5 }],
      });
      expect(notSmall.map((d) => d.id)).toEqual(["b", "d", "a"]);
    } finally {
      db.close();
    }
  });

  it("finds documents by fields whose names hold quotes, backslashes, dots in map keys or '$'", async () => {
    const { db, store } = open(path.join(tempFolder(), "alchemist.sqlite"));
    try {
      await store.set("tools/t1", {
        'say "hi"': "yes",
        "C:\\path": "win",
        headers: { "x.request.id": "r1" },
        $price: { $number: "12" },
      });
      const find = (field: string, value: unknown) =>
        store.query({ collection: "tools", where: [{ field, op: "==", value }] });
      expect(await find('say "hi"', "yes")).toHaveLength(1);
      expect(await find("C:\\path", "win")).toHaveLength(1);
      expect(await find("$price.$number", "12")).toHaveLength(1);
      expect((await store.get("tools/t1"))?.data).toEqual({
        'say "hi"': "yes",
        "C:\\path": "win",
        headers: { "x.request.id": "r1" },
        $price: { $number: "12" },
      });
    } finally {
      db.close();
    }
  });

  it("deleteRecursive removes sub-collection documents whatever characters their collection ids use", async () => {
    const { db, store } = open(path.join(tempFolder(), "alchemist.sqlite"));
    try {
      // Collection ids right below the tenant that sort after U+FFFF in UTF-8.
      const below = ["tenants/t1/😀/a", "tenants/t1/\uFFFF/b", "tenants/t1/agents/a/versions/1"];
      for (const p of ["tenants/t1", ...below, "tenants/t10/agents/keep", "tenants/t1x/agents/keep"])
        await store.set(p, { p });
      await store.deleteRecursive("tenants/t1");
      expect(await store.getAll(["tenants/t1", ...below])).toEqual([null, null, null, null]);
      expect(await store.get("tenants/t10/agents/keep")).not.toBeNull();
      expect(await store.get("tenants/t1x/agents/keep")).not.toBeNull();
    } finally {
      db.close();
    }
  });

  it("stamps documents with the store's clock", async () => {
    const clock = manualClock(new Date("2026-03-01T09:00:00.000Z"));
    const db = openDatabase({ file: path.join(tempFolder(), "alchemist.sqlite") });
    try {
      const store = new SqliteDocStore(db, clock);
      await store.create("tenants/t1", { name: "Acme" });
      clock.advance(60_000);
      await store.update("tenants/t1", { name: "Acme Bank" });
      const doc = await store.get("tenants/t1");
      expect(doc?.createTime).toBe("2026-03-01T09:00:00.000Z");
      expect(doc?.updateTime).toBe("2026-03-01T09:01:00.000Z");
    } finally {
      db.close();
    }
  });
});
