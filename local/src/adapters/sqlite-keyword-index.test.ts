/**
 * The KeywordIndex contract over the SQLite adapter (a real database file in a temp folder), plus what
 * only local mode promises: entries survive a restart, writes through another connection are seen, the
 * in-memory index never keeps a write that rolled back, and scores are BM25 with k1 = 1.2, b = 0.75.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tokenize } from "@alchemist/functions/platform/text/analyzer";
import type { KeywordEntry } from "@alchemist/functions/platform/ports";
import { describeKeywordIndexContract } from "@alchemist/functions/platform/testing/keywordindex-contract";
import { openDatabase } from "./database.js";
import { SqliteKeywordIndex } from "./sqlite-keyword-index.js";

const folders: string[] = [];
const tempFile = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-keywords-"));
  folders.push(dir);
  return path.join(dir, "alchemist.sqlite");
};
afterAll(() => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

describeKeywordIndexContract("SQLite (local mode)", async () => {
  const db = openDatabase({ file: tempFile() });
  return {
    index: new SqliteKeywordIndex(db),
    close: async () => {
      db.close();
    },
  };
});

const policies: readonly KeywordEntry[] = [
  { id: "p1", group: "hr", text: "Employees receive 25 vacation days per year." },
  { id: "p2", group: "hr", text: "Unused vacation days carry over, up to five days." },
  { id: "p3", group: "finance", text: "Expense reports need the original receipts within 30 days." },
  { id: "p4", group: "it", text: "Report a lost laptop to the helpdesk the same day." },
];

/** BM25 written out once more, independently: idf = ln(1 + (N − df + 0.5) / (df + 0.5)). */
function bm25(entries: readonly KeywordEntry[], query: string): Map<string, number> {
  const docs = entries.map((e) => ({ id: e.id, terms: tokenize(e.text) }));
  const avgdl = docs.reduce((s, d) => s + d.terms.length, 0) / docs.length;
  const scores = new Map<string, number>();
  for (const term of new Set(tokenize(query))) {
    const df = docs.filter((d) => d.terms.includes(term)).length;
    const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
    for (const d of docs) {
      const f = d.terms.filter((t) => t === term).length;
      if (f === 0) continue;
      const part = (idf * f * 2.2) / (f + 1.2 * (0.25 + (0.75 * d.terms.length) / avgdl));
      scores.set(d.id, (scores.get(d.id) ?? 0) + part);
    }
  }
  return scores;
}

describe("SqliteKeywordIndex in local mode", () => {
  it("scores with BM25, k1 = 1.2 and b = 0.75, over the scope's entries", async () => {
    const db = openDatabase({ file: tempFile() });
    try {
      const index = new SqliteKeywordIndex(db);
      await index.upsert("kb/chunks", policies);
      await index.upsert("other/chunks", [{ id: "x", group: "g", text: "vacation vacation days days days" }]);
      for (const query of ["vacation days", "lost laptop receipts", "days"]) {
        const expected = bm25(policies, query);
        const hits = await index.search("kb/chunks", query, 10);
        expect(hits.map((h) => h.id).sort()).toEqual([...expected.keys()].sort());
        for (const h of hits) expect(h.score).toBeCloseTo(expected.get(h.id) ?? 0, 12);
      }
    } finally {
      db.close();
    }
  });

  it("keeps entries across a restart", async () => {
    const file = tempFile();
    const first = openDatabase({ file });
    const index = new SqliteKeywordIndex(first);
    await index.upsert("kb/chunks", policies);
    const before = await index.search("kb/chunks", "vacation days", 5);
    first.close();
    const second = openDatabase({ file });
    try {
      expect(await new SqliteKeywordIndex(second).search("kb/chunks", "vacation days", 5)).toEqual(before);
    } finally {
      second.close();
    }
  });

  it("sees entries written through another connection to the same file", async () => {
    const file = tempFile();
    const a = openDatabase({ file });
    const b = openDatabase({ file });
    try {
      const mine = new SqliteKeywordIndex(a);
      await mine.upsert("kb/chunks", policies);
      expect((await mine.search("kb/chunks", "pension", 5)).map((h) => h.id)).toEqual([]);
      await new SqliteKeywordIndex(b).upsert("kb/chunks", [
        { id: "p5", group: "finance", text: "The pension plan matches contributions." },
      ]);
      await new SqliteKeywordIndex(b).removeGroup("kb/chunks", "it");
      expect((await mine.search("kb/chunks", "pension", 5)).map((h) => h.id)).toEqual(["p5"]);
      expect(await mine.search("kb/chunks", "laptop", 5)).toEqual([]);
    } finally {
      b.close();
      a.close();
    }
  });

  it("does not keep an entry whose enclosing transaction rolled back", async () => {
    const db = openDatabase({ file: tempFile() });
    try {
      const index = new SqliteKeywordIndex(db);
      await index.upsert("kb/chunks", policies);
      expect(await index.search("kb/chunks", "pension", 5)).toEqual([]);
      expect(() =>
        db.transaction(() => {
          void index.upsert("kb/chunks", [{ id: "p5", group: "g", text: "pension plan" }]);
          void index.remove("kb/chunks", ["p1"]);
          throw new Error("the enclosing write failed");
        })(),
      ).toThrow("the enclosing write failed");
      expect(await index.search("kb/chunks", "pension", 5)).toEqual([]);
      expect((await index.search("kb/chunks", "employees", 5)).map((h) => h.id)).toEqual(["p1"]);
    } finally {
      db.close();
    }
  });

  it("stays exact while entries are replaced and removed, through its rebuilds", async () => {
    const db = openDatabase({ file: tempFile() });
    const other = openDatabase({ file: tempFile() });
    try {
      const index = new SqliteKeywordIndex(db);
      const fresh = new SqliteKeywordIndex(other);
      const words = "vacation expense laptop pension travel payroll helpdesk receipt badge parking".split(
        " ",
      );
      const entries = (round: number): KeywordEntry[] =>
        Array.from({ length: 60 }, (_, i) => ({
          id: `c${i}`,
          group: `doc${i % 10}`,
          text: Array.from(
            { length: 4 + ((i * round) % 7) },
            (_, j) => words[(i + j * round) % words.length],
          ).join(" "),
        }));
      // What the scope should hold, kept beside it.
      const model = new Map<string, KeywordEntry>();
      for (const e of entries(1)) model.set(e.id, e);
      await index.upsert("kb/chunks", entries(1));
      await index.search("kb/chunks", "vacation", 1); // in memory from here on
      // Each round leaves ~13 garbage slots: some rounds update the index in place, some rebuild it.
      for (let round = 2; round <= 8; round++) {
        const replaced = entries(round).slice(round * 5, round * 5 + 5);
        await index.upsert("kb/chunks", replaced);
        for (const e of replaced) model.set(e.id, e);
        await index.removeGroup("kb/chunks", `doc${round}`);
        for (const [id, e] of model) if (e.group === `doc${round}`) model.delete(id);
        await index.remove("kb/chunks", [`c${round + 50}`, "c1"]);
        model.delete(`c${round + 50}`);
        model.delete("c1");
        // The same entries indexed from scratch in another database.
        const scope = `fresh${round}/chunks`;
        await fresh.upsert(scope, [...model.values()]);
        for (const query of ["vacation laptop", "pension travel receipt", "badge"]) {
          const got = await index.search("kb/chunks", query, 60);
          const want = await fresh.search(scope, query, 60);
          expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
          got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i]?.score ?? 0, 12));
        }
      }
    } finally {
      other.close();
      db.close();
    }
  });
});
