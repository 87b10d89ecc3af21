/**
 * Firebase mode's keyword index is built on the DocStore port, so its contract runs here over the local
 * SQLite store (real SQLite, temp folder); Firestore-specific limits (array-contains-any with at most 30
 * terms, count() aggregations) are what the adapter is written against.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { systemClock } from "./clock.js";
import { openDatabase } from "@alchemist/local/adapters/database";
import { SqliteDocStore } from "@alchemist/local/adapters/sqlite-docstore";
import { describeKeywordIndexContract } from "./testing/keywordindex-contract.js";
import { docStoreKeywordIndex } from "./docstore-keyword-index.js";

function openStore() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kw-docstore-"));
  const db = openDatabase({ file: path.join(dir, "alchemist.sqlite") });
  return {
    store: new SqliteDocStore(db, systemClock),
    close: async () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describeKeywordIndexContract("Firestore-style index over the DocStore port", async () => {
  const { store, close } = openStore();
  return { index: docStoreKeywordIndex(store), close };
});

describe("Firestore-style keyword index", () => {
  it("keeps the totals right when the same entries are indexed twice (a retried step)", async () => {
    const { store, close } = openStore();
    const index = docStoreKeywordIndex(store);
    const entries = [
      { id: "a", group: "d1", text: "refunds are issued within fourteen days" },
      { id: "b", group: "d1", text: "shipping takes three days" },
    ];
    await index.upsert("kb/x/chunks", entries);
    await index.upsert("kb/x/chunks", entries);
    const stats = await store.get<{ entries: number; totalLength: number }>(
      "kb/x/chunks_keywords_stats/totals",
    );
    expect(stats?.data.entries).toBe(2);
    await index.removeGroup("kb/x/chunks", "d1");
    expect((await store.get<{ entries: number }>("kb/x/chunks_keywords_stats/totals"))?.data.entries).toBe(0);
    await close();
  });

  it("uses at most 30 query terms, Firestore's array-contains-any limit", async () => {
    const { store, close } = openStore();
    const index = docStoreKeywordIndex(store);
    await index.upsert("kb/y/chunks", [{ id: "a", group: "g", text: "zebra" }]);
    const query = Array.from({ length: 40 }, (_, i) => `word${i}x`).join(" ") + " zebra";
    // The 41st term is beyond the cap, so it is not searched: no error, no match.
    expect(await index.search("kb/y/chunks", query, 5)).toEqual([]);
    expect((await index.search("kb/y/chunks", "zebra", 5))[0]?.id).toBe("a");
    await close();
  });
});

describe("document frequencies", () => {
  it("are counted once for a search and the term statistics that follow it, and again after a write", async () => {
    const { store, close } = openStore();
    let counts = 0;
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === "count") {
          return (...args: Parameters<typeof store.count>) => {
            counts++;
            return target.count(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const index = docStoreKeywordIndex(counting);
    await index.upsert("kb", [
      { id: "a", group: "d1", text: "refunds are issued within fourteen days" },
      { id: "b", group: "d1", text: "shipping takes three days" },
    ]);

    const question = "how many days for refunds";
    const terms = (await index.termStats("kb", question)).terms.length;
    expect(counts).toBe(terms);
    await index.search("kb", question, 5);
    expect(counts).toBe(terms);

    // A write forgets the counts: the next statistics see the new entry.
    await index.upsert("kb", [{ id: "c", group: "d2", text: "refunds for damaged goods" }]);
    const after = await index.termStats("kb", question);
    expect(counts).toBe(2 * terms);
    expect(after.terms.find((t) => t.term.startsWith("refund"))?.df).toBe(2);
    await close();
  });
});
