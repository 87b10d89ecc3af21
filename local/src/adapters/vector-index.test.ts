/**
 * The in-memory vector index must give exactly what scoring every stored vector in Float64 gives: same
 * rows, same order, same distances, with Float32 keys and with int8 keys. Checked against a brute-force
 * reference on random data (sparse queries from the built-in embedder, dense random ones, near-ties that
 * the keys cannot separate, duplicates, clustered 1,536-dimensional unit vectors), and through the SQLite
 * store after writes, deletes, compactions, rolled-back commits and another connection's writes.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { systemClock } from "@alchemist/functions/platform/clock";
import { localHashEmbedder } from "@alchemist/functions/platform/models/local-embedder";
import {
  vector,
  type DistanceMeasure,
  type Filter,
  type NearestSpec,
} from "@alchemist/functions/platform/ports";
import { openDatabase, type SqliteHandle } from "./database.js";
import { SqliteDocStore } from "./sqlite-docstore.js";
import { matchesFilter } from "./values.js";
import {
  VectorIndex,
  compareUtf8,
  int8KeysFromDims,
  vectorBlockRows,
  type NearestRow,
  type VectorKeyType,
} from "./vector-index.js";

const measures: readonly DistanceMeasure[] = ["COSINE", "EUCLIDEAN", "DOT_PRODUCT"];

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const denseVector = (rand: () => number, dims: number): number[] =>
  Array.from({ length: dims }, () => gaussian(rand));

/** Every row scored in Float64 and sorted stably in path order: what findNearest did before the index. */
function bruteForce(
  rows: ReadonlyMap<string, readonly number[]>,
  query: readonly number[],
  measure: DistanceMeasure,
): NearestRow[] {
  const queryNorm = Math.sqrt(query.reduce((s, x) => s + x ** 2, 0));
  const scored: NearestRow[] = [];
  for (const p of [...rows.keys()].sort(compareUtf8)) {
    const v = rows.get(p) as readonly number[];
    let dot = 0;
    let norm = 0;
    let sq = 0;
    for (let i = 0; i < query.length; i++) {
      const a = v[i] as number;
      const b = query[i] as number;
      dot += a * b;
      norm += a * a;
      sq += (a - b) * (a - b);
    }
    if (measure === "COSINE") {
      if (norm === 0 || queryNorm === 0) continue;
      scored.push({ path: p, distance: 1 - dot / (Math.sqrt(norm) * queryNorm) });
    } else scored.push({ path: p, distance: measure === "EUCLIDEAN" ? Math.sqrt(sq) : dot });
  }
  return measure === "DOT_PRODUCT"
    ? scored.sort((a, b) => b.distance - a.distance)
    : scored.sort((a, b) => a.distance - b.distance);
}

function search(
  index: VectorIndex,
  rows: ReadonlyMap<string, readonly number[]>,
  query: readonly number[],
  measure: DistanceMeasure,
  k: number,
): NearestRow[] {
  const ranking = index.rank(query, measure);
  if (!ranking) throw new Error("expected the fast path");
  return ranking.top(k, (p) => rows.get(p));
}

const keyTypes: readonly VectorKeyType[] = ["float32", "int8"];

describe.each(keyTypes)("VectorIndex with %s keys", (keys) => {
  const texts = [
    "Employees receive 25 vacation days per calendar year, accrued monthly.",
    "Unused vacation days carry over to the next year, up to five days.",
    "Expense reports must be submitted within 30 days with the original receipts.",
    "Travel expenses above 500 euros need the approval of a director.",
    "The security team rotates VPN certificates every quarter.",
    "Report phishing emails to the security helpdesk immediately.",
    "Parental leave is 16 weeks at full pay for every parent.",
    "Sick leave longer than three days requires a doctor's note.",
    "Mortgage applications are reviewed by the underwriting team within ten days.",
    "Wire transfers above 10,000 euros are checked for fraud before release.",
  ];

  it("returns exactly the brute-force neighbours for sparse queries from the built-in embedder", async () => {
    const embedder = localHashEmbedder(64);
    const rand = prng(7);
    const rows = new Map<string, number[]>();
    // Sentences mixed from the texts above: realistic sparse vectors with many shared dimensions.
    for (let i = 0; i < 300; i++) {
      const words = texts[i % texts.length]!.split(" ");
      const mixed = words.filter(() => rand() < 0.7).join(" ") + " " + texts[(i * 7) % texts.length];
      rows.set(`kb/chunks/c${i}`, (await embedder.embed([mixed]))[0]!);
    }
    const index = new VectorIndex(64, 32, keys);
    for (const [p, v] of rows) index.upsert(p, v);
    const queries = await embedder.embed([
      "how many vacation days",
      "expense receipts",
      "phishing",
      "parental leave weeks",
      "wire transfer fraud",
    ]);
    for (const q of queries) {
      expect(q.filter((x) => x !== 0).length).toBeLessThan(48); // sparse: the fast path skips the rest
      for (const measure of measures)
        for (const k of [1, 5, 40, 300, 1000])
          expect(search(index, rows, q, measure, k)).toEqual(bruteForce(rows, q, measure).slice(0, k));
    }
  });

  it("returns exactly the brute-force neighbours for dense queries, across block boundaries", () => {
    const rand = prng(11);
    const rows = new Map<string, number[]>();
    for (let i = 0; i < 257; i++) rows.set(`docs/d${i}`, denseVector(rand, 24));
    const index = new VectorIndex(24, 16, keys);
    for (const [p, v] of rows) index.upsert(p, v);
    for (let t = 0; t < 10; t++) {
      const q = denseVector(rand, 24).map((x) => x * 3);
      for (const measure of measures)
        for (const k of [1, 10, 100, 257])
          expect(search(index, rows, q, measure, k)).toEqual(bruteForce(rows, q, measure).slice(0, k));
    }
  });

  it("orders near-ties that the keys cannot tell apart, and exact ties by path as SQLite stores them", () => {
    const rand = prng(3);
    const base = denseVector(rand, 16);
    const rows = new Map<string, number[]>();
    // Differences around 1e-12: far below Float32's resolution, still distinct in Float64.
    for (let i = 0; i < 60; i++)
      rows.set(
        `near/n${i}`,
        base.map((x) => x + (rand() - 0.5) * 1e-12),
      );
    // Exact duplicates under ids whose UTF-16 and UTF-8 orders differ.
    for (const id of ["\uFFFF", "😀", "z", "A", "é"]) rows.set(`near/${id}`, [...base]);
    const index = new VectorIndex(16, 8, keys);
    for (const [p, v] of rows) index.upsert(p, v);
    for (const measure of measures) {
      const q = base.map((x) => x * 0.5 + 0.01);
      const expected = bruteForce(rows, q, measure);
      expect(search(index, rows, q, measure, 20)).toEqual(expected.slice(0, 20));
      expect(search(index, rows, q, measure, 65)).toEqual(expected);
    }
    expect(["near/😀", "near/\uFFFF"].sort(compareUtf8)).toEqual(["near/\uFFFF", "near/😀"]);
  });

  it("skips zero vectors for COSINE only, and a zero COSINE query matches nothing", () => {
    const rows = new Map<string, number[]>([
      ["v/a", [0, 0, 0]],
      ["v/b", [1, 0, 0]],
      ["v/c", [0, 2, 0]],
    ]);
    const index = new VectorIndex(3, vectorBlockRows, keys);
    for (const [p, v] of rows) index.upsert(p, v);
    expect(search(index, rows, [1, 1, 0], "COSINE", 10).map((r) => r.path)).toEqual(["v/b", "v/c"]);
    expect(search(index, rows, [1, 1, 0], "EUCLIDEAN", 10)).toEqual(bruteForce(rows, [1, 1, 0], "EUCLIDEAN"));
    expect(search(index, rows, [0, 0, 0], "COSINE", 10)).toEqual([]);
    expect(search(index, rows, [0, 0, 0], "DOT_PRODUCT", 10)).toEqual(
      bruteForce(rows, [0, 0, 0], "DOT_PRODUCT"),
    );
  });

  it("stays exact through updates and deletes, and compacts once garbage exceeds a third", () => {
    const rand = prng(5);
    const rows = new Map<string, number[]>();
    const index = new VectorIndex(12, 8, keys);
    const check = () => {
      expect(index.size).toBe(rows.size);
      const q = denseVector(rand, 12);
      for (const measure of measures)
        expect(search(index, rows, q, measure, 25)).toEqual(bruteForce(rows, q, measure).slice(0, 25));
    };
    for (let i = 0; i < 90; i++) {
      const v = denseVector(rand, 12);
      rows.set(`c/r${i}`, v);
      index.upsert(`c/r${i}`, v);
    }
    check();
    // Replace some in place.
    for (let i = 0; i < 90; i += 3) {
      const v = denseVector(rand, 12);
      rows.set(`c/r${i}`, v);
      index.upsert(`c/r${i}`, v);
    }
    check();
    // Delete below the threshold: the rows stay as garbage.
    for (let i = 0; i < 20; i++) {
      rows.delete(`c/r${i}`);
      index.remove(`c/r${i}`);
    }
    expect(index.garbageRows).toBe(20);
    check();
    // Past a third of the slots: compacted.
    for (let i = 20; i < 31; i++) {
      rows.delete(`c/r${i}`);
      index.remove(`c/r${i}`);
    }
    expect(index.garbageRows).toBe(0);
    check();
    // Rows added after a compaction, a removed path added again, and deleting everything.
    for (let i = 0; i < 40; i++) {
      const v = denseVector(rand, 12);
      rows.set(`c/s${i}`, v);
      index.upsert(`c/s${i}`, v);
    }
    rows.set("c/r3", denseVector(rand, 12));
    index.upsert("c/r3", rows.get("c/r3")!);
    check();
    for (const p of [...rows.keys()]) {
      rows.delete(p);
      index.remove(p);
    }
    check();
    expect(index.size).toBe(0);
  });

  it("refuses the fast path for values outside its proven range, and for a ranking used after a change", () => {
    const index = new VectorIndex(2, vectorBlockRows, keys);
    index.upsert("x/a", [1, 0]);
    expect(index.rank([1e-300, 1], "COSINE")).toBeNull();
    expect(index.rank([Number.NaN, 1], "COSINE")).toBeNull();
    index.upsert("x/b", [1e30, 1]);
    expect(index.rank([1, 1], "COSINE")).toBeNull();
    index.remove("x/b");
    const ranking = index.rank([1, 1], "COSINE");
    expect(ranking).not.toBeNull();
    index.upsert("x/c", [0, 1]);
    expect(() => ranking?.top(1, () => [1, 0])).toThrow(/changed/);
  });
});

/** A unit vector near `center` (weight `spread` of noise): clustered like real embeddings, not uniform noise. */
function nearUnit(rand: () => number, center: readonly number[], spread: number): number[] {
  const v = center.map((x) => x + spread * gaussian(rand));
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map((x) => x / norm);
}

const dotOf = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** The values an int8 row stands for: each rounded to a multiple of its row's step, max |value| / 127. */
const dequantized = (v: readonly number[]): number[] => {
  const step = Math.max(...v.map(Math.abs)) / 127;
  return v.map((x) => Math.round(x / step) * step);
};

describe("VectorIndex with int8 keys", () => {
  it("keeps Float32 keys below 512 dimensions (the built-in embedder's 256) and int8 keys from there", () => {
    expect(new VectorIndex(256).keys).toBe("float32");
    expect(new VectorIndex(int8KeysFromDims - 1).keys).toBe("float32");
    expect(new VectorIndex(int8KeysFromDims).keys).toBe("int8");
    expect(new VectorIndex(1536).keys).toBe("int8");
  });

  it("re-scores rows whose codes rank them in the wrong order, and returns them in exact order", () => {
    // a's 0.0042 rounds up to one step of its scale (1/127), b's 0.0045 to one step of its own (0.5/127):
    // by codes a·q > b·q, exactly b·q > a·q.
    const rows = new Map<string, number[]>([
      ["r/a", [1, 0.0042, 0, 0]],
      ["r/b", [0.5, 0.0045, 0, 0]],
    ]);
    const q = [0, 1, 0, 0];
    expect(dotOf(dequantized(rows.get("r/a")!), q)).toBeGreaterThan(dotOf(dequantized(rows.get("r/b")!), q));
    const index = new VectorIndex(4, vectorBlockRows, "int8");
    for (const [p, v] of rows) index.upsert(p, v);
    const ranking = index.rank(q, "DOT_PRODUCT")!;
    expect(ranking.top(1, (p) => rows.get(p))).toEqual([{ path: "r/b", distance: 0.0045 }]);
    expect(ranking.rescored).toBe(2);
    for (const measure of measures)
      expect(search(index, rows, q, measure, 2)).toEqual(bruteForce(rows, q, measure));
  });

  it("returns exactly the brute-force neighbours of clustered 1,536-dimensional unit vectors, re-scoring few rows", () => {
    const rand = prng(15);
    const centers = Array.from({ length: 16 }, () => nearUnit(rand, new Array(1536).fill(0), 1));
    const rows = new Map<string, number[]>();
    for (let i = 0; i < 400; i++) rows.set(`kb/c${i}`, nearUnit(rand, centers[i % 16]!, 0.03));
    const index = new VectorIndex(1536, 64);
    expect(index.keys).toBe("int8");
    for (const [p, v] of rows) index.upsert(p, v);
    const rescored: number[] = [];
    for (let t = 0; t < 5; t++) {
      const q = nearUnit(rand, rows.get(`kb/c${t * 37}`)!, 0.02);
      for (const measure of measures)
        for (const k of [1, 10, 50]) {
          const ranking = index.rank(q, measure)!;
          expect(ranking.top(k, (p) => rows.get(p))).toEqual(bruteForce(rows, q, measure).slice(0, k));
          if (k === 10) rescored.push(ranking.rescored);
        }
    }
    // 25 rows a cluster, the query near one of them: the 10th neighbour is a close call inside the cluster,
    // and no row of another cluster (far away) is re-scored.
    expect(Math.max(...rescored)).toBeLessThanOrEqual(25);
  });

  it("orders ties exactly: rows sharing codes, multiples of one row and duplicates under other ids", () => {
    const rand = prng(17);
    const base = denseVector(rand, 600);
    const step = Math.max(...base.map(Math.abs)) / 127;
    const rows = new Map<string, number[]>([
      ["t/base", base],
      ["t/double", base.map((x) => 2 * x)], // the same codes, twice the scale
      ["t/nudged", base.map((x, i) => (i % 7 === 0 ? x + step / 4 : x))], // the same codes, other doubles
      ["t/é", [...base]],
      ["t/z", [...base]],
      ["t/😀", [...base]],
      ["t/\uFFFF", [...base]],
    ]);
    for (let i = 0; i < 30; i++) rows.set(`t/o${i}`, denseVector(rand, 600));
    const index = new VectorIndex(600, 8, "int8");
    for (const [p, v] of rows) index.upsert(p, v);
    for (const q of [base.map((x) => x + 0.1 * gaussian(rand)), denseVector(rand, 600)])
      for (const measure of measures)
        for (const k of [1, 4, 7, rows.size])
          expect(search(index, rows, q, measure, k)).toEqual(bruteForce(rows, q, measure).slice(0, k));
  });

  it("codes negative values symmetrically: a row and its negation rank at opposite ends", () => {
    const rand = prng(19);
    const v = denseVector(rand, 520);
    const rows = new Map<string, number[]>([
      ["n/v", v],
      ["n/minus-v", v.map((x) => -x)],
      ["n/negative", v.map((x) => -Math.abs(x))],
    ]);
    for (let i = 0; i < 20; i++) rows.set(`n/o${i}`, denseVector(rand, 520));
    const index = new VectorIndex(520, 16, "int8");
    for (const [p, val] of rows) index.upsert(p, val);
    const q = v.map((x) => x + 0.5 * gaussian(rand));
    for (const measure of measures) {
      const found = search(index, rows, q, measure, rows.size);
      expect(found).toEqual(bruteForce(rows, q, measure));
      expect(found[0]!.path).toBe("n/v");
      expect(found.at(-1)!.path).toBe("n/minus-v");
    }
  });

  it("refuses a vector or a query of another size", () => {
    const index = new VectorIndex(600, 16, "int8");
    index.upsert("d/a", new Array(600).fill(0.5));
    expect(() => index.upsert("d/b", new Array(599).fill(0.5))).toThrow(RangeError);
    expect(index.rank(new Array(601).fill(1), "COSINE")).toBeNull();
    expect(index.size).toBe(1);
    expect(index.rank(new Array(600).fill(1), "COSINE")!.top(5, () => new Array(600).fill(0.5))).toHaveLength(
      1,
    );
  });

  it("hands over to the exact scan while a row or the query is not finite, and takes over again after", () => {
    const rand = prng(23);
    const index = new VectorIndex(600, 16, "int8");
    index.upsert("f/a", denseVector(rand, 600));
    const q = denseVector(rand, 600);
    expect(index.rank(q, "EUCLIDEAN")).not.toBeNull();
    index.upsert(
      "f/nan",
      denseVector(rand, 600).map((x, i) => (i === 3 ? Number.NaN : x)),
    );
    expect(index.rank(q, "EUCLIDEAN")).toBeNull();
    index.upsert("f/nan", denseVector(rand, 600)); // replaced by finite values
    expect(index.rank(q, "EUCLIDEAN")).not.toBeNull();
    index.upsert(
      "f/inf",
      denseVector(rand, 600).map((x, i) => (i === 0 ? -Infinity : x)),
    );
    expect(index.rank(q, "DOT_PRODUCT")).toBeNull();
    index.remove("f/inf");
    expect(index.rank(q, "DOT_PRODUCT")).not.toBeNull();
    expect(
      index.rank(
        q.map((x, i) => (i === 9 ? Infinity : x)),
        "COSINE",
      ),
    ).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------------
// Through the SQLite store
// ---------------------------------------------------------------------------------------------------

const folders: string[] = [];
afterAll(() => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-vectors-"));
  folders.push(dir);
  return path.join(dir, "alchemist.sqlite");
}

/** What findNearest did before the index: read every vector of the scope, score, sort, then filter. */
function referenceNearest(db: SqliteHandle, spec: NearestSpec): { path: string; distance: number }[] {
  const kind = spec.collection !== undefined ? "parent" : "coll";
  const rows = db
    .prepare(`SELECT path, vec FROM vectors WHERE ${kind} = ? AND field = ? AND dims = ?`)
    .all(spec.collection ?? spec.collectionGroup, spec.vectorField, spec.queryVector.length) as {
    path: string;
    vec: Buffer;
  }[];
  const map = new Map<string, number[]>();
  for (const r of rows) map.set(r.path, Array.from(new Float64Array(Uint8Array.from(r.vec).buffer)));
  const hits: { path: string; distance: number }[] = [];
  for (const c of bruteForce(map, spec.queryVector, spec.distanceMeasure)) {
    if (hits.length >= spec.limit) break;
    const doc = db.prepare("SELECT data FROM docs WHERE path = ?").get(c.path) as
      { data: string } | undefined;
    if (!doc) continue;
    const data = JSON.parse(doc.data) as Record<string, unknown>;
    if (!(spec.where ?? []).every((f: Filter) => matchesFilter(data, f))) continue;
    hits.push(c);
  }
  return hits;
}

describe("SqliteDocStore.findNearest with the vector index", () => {
  const open = (file = tempFile()) => {
    const db = openDatabase({ file });
    return { db, store: new SqliteDocStore(db, systemClock), file };
  };

  async function expectSameAsReference(db: SqliteHandle, store: SqliteDocStore, spec: NearestSpec) {
    const hits = await store.findNearest(spec);
    expect(hits.map((h) => ({ path: h.path, distance: h.distance }))).toEqual(referenceNearest(db, spec));
    return hits;
  }

  it("keeps queried scopes current through sets, updates, batches, transactions and deletes", async () => {
    const { db, store } = open();
    try {
      const rand = prng(21);
      const embedder = localHashEmbedder(32);
      const words = "vacation leave expense travel security password payroll pension mortgage loan".split(
        " ",
      );
      const phrase = () =>
        Array.from({ length: 6 }, () => words[Math.floor(rand() * words.length)]).join(" ");
      const chunk = async (kb: string, i: number) => ({
        docId: `doc${i % 5}`,
        index: i,
        embedding: vector((await embedder.embed([phrase()]))[0]!),
      });
      for (const kb of ["kb1", "kb2"])
        for (let i = 0; i < 60; i++)
          await store.set(`tenants/t1/knowledgeBases/${kb}/chunks/c${i}`, await chunk(kb, i));
      const [q] = await embedder.embed(["vacation leave payroll"]);
      const specs: NearestSpec[] = measures.flatMap((distanceMeasure) => [
        {
          collection: "tenants/t1/knowledgeBases/kb1/chunks",
          vectorField: "embedding",
          queryVector: q!,
          limit: 10,
          distanceMeasure,
        },
        { collectionGroup: "chunks", vectorField: "embedding", queryVector: q!, limit: 25, distanceMeasure },
        {
          collection: "tenants/t1/knowledgeBases/kb1/chunks",
          where: [{ field: "docId", op: "==", value: "doc3" }],
          vectorField: "embedding",
          queryVector: q!,
          limit: 5,
          distanceMeasure,
        },
      ]);
      const checkAll = async () => {
        for (const spec of specs) await expectSameAsReference(db, store, spec);
      };
      await checkAll(); // builds the indexes

      // Every kind of write, after the indexes exist.
      await store.set("tenants/t1/knowledgeBases/kb1/chunks/c1", await chunk("kb1", 1));
      await store.update("tenants/t1/knowledgeBases/kb1/chunks/c2", {
        embedding: vector((await embedder.embed(["vacation leave payroll"]))[0]!),
      });
      await store.update("tenants/t1/knowledgeBases/kb2/chunks/c3", { docId: "doc3" });
      await store.set("tenants/t1/knowledgeBases/kb1/chunks/c4", {
        docId: "doc3",
        note: "no vector any more",
      });
      await store.delete("tenants/t1/knowledgeBases/kb1/chunks/c5");
      const batch = store.batch();
      for (let i = 60; i < 70; i++)
        batch.set(`tenants/t1/knowledgeBases/kb1/chunks/c${i}`, await chunk("kb1", i));
      batch.delete("tenants/t1/knowledgeBases/kb2/chunks/c6");
      await batch.commit();
      await store.runTransaction(async (tx) => {
        await tx.get("tenants/t1/knowledgeBases/kb1/chunks/c7");
        tx.set("tenants/t1/knowledgeBases/kb1/chunks/c7", await chunk("kb1", 7));
      });
      // A vector of another size or field is not part of this index.
      await store.set("tenants/t1/knowledgeBases/kb1/chunks/c8", {
        docId: "doc3",
        embedding: vector([1, 0]),
      });
      await store.set("tenants/t1/knowledgeBases/kb1/chunks/c9", { docId: "doc3", other: vector(q!) });
      await checkAll();

      // Delete most of one scope (compactions along the way), then a whole knowledge base.
      for (let i = 10; i < 60; i++) await store.delete(`tenants/t1/knowledgeBases/kb1/chunks/c${i}`);
      await checkAll();
      await store.deleteRecursive("tenants/t1/knowledgeBases/kb2");
      await checkAll();
    } finally {
      db.close();
    }
  });

  it("does not apply a commit that rolled back", async () => {
    const { db, store } = open();
    try {
      await store.set("kb/a", { embedding: vector([1, 0]) });
      await store.set("kb/b", { embedding: vector([0, 1]) });
      const spec: NearestSpec = {
        collection: "kb",
        vectorField: "embedding",
        queryVector: [1, 0.1],
        limit: 2,
        distanceMeasure: "COSINE",
      };
      expect((await store.findNearest(spec)).map((h) => h.id)).toEqual(["a", "b"]);
      const remove = store.addCommitHook(() => {
        throw new Error("trigger queue unavailable");
      });
      await expect(store.set("kb/b", { embedding: vector([1, 0.1]) })).rejects.toThrow("unavailable");
      await expect(store.delete("kb/a")).rejects.toThrow("unavailable");
      remove();
      await expectSameAsReference(db, store, spec);
      expect((await store.findNearest(spec)).map((h) => h.id)).toEqual(["a", "b"]);
    } finally {
      db.close();
    }
  });

  it("sees writes made through another connection to the same file", async () => {
    const first = open();
    const second = open(first.file);
    try {
      await first.store.set("kb/a", { embedding: vector([1, 0]) });
      const spec: NearestSpec = {
        collection: "kb",
        vectorField: "embedding",
        queryVector: [0, 1],
        limit: 5,
        distanceMeasure: "EUCLIDEAN",
      };
      expect((await first.store.findNearest(spec)).map((h) => h.id)).toEqual(["a"]);
      await second.store.set("kb/b", { embedding: vector([0, 1]) });
      await second.store.delete("kb/a");
      expect((await first.store.findNearest(spec)).map((h) => h.id)).toEqual(["b"]);
      await expectSameAsReference(first.db, first.store, spec);
    } finally {
      second.db.close();
      first.db.close();
    }
  });

  it("shares the index between stores on one database handle", async () => {
    const { db, store } = open();
    try {
      const other = new SqliteDocStore(db, systemClock);
      await store.set("kb/a", { embedding: vector([1, 0]) });
      const spec: NearestSpec = {
        collection: "kb",
        vectorField: "embedding",
        queryVector: [0, 1],
        limit: 5,
        distanceMeasure: "DOT_PRODUCT",
      };
      expect((await store.findNearest(spec)).map((h) => h.id)).toEqual(["a"]);
      await other.set("kb/b", { embedding: vector([0, 1]) });
      expect((await store.findNearest(spec)).map((h) => h.id)).toEqual(["b", "a"]);
    } finally {
      db.close();
    }
  });

  it("scans exactly when stored values are outside the Float32 range, with the same results", async () => {
    const { db, store } = open();
    try {
      await store.set("kb/tiny", { embedding: vector([1e-300, 2e-300]) });
      await store.set("kb/huge", { embedding: vector([1e200, -1e200]) });
      await store.set("kb/plain", { embedding: vector([0.5, 0.5]) });
      for (const distanceMeasure of measures)
        await expectSameAsReference(db, store, {
          collection: "kb",
          vectorField: "embedding",
          queryVector: [1, 0],
          limit: 3,
          distanceMeasure,
        });
    } finally {
      db.close();
    }
  });

  it("answers 768-dimensional vectors exactly through int8 keys, through writes, deletes and compactions", async () => {
    const { db, store } = open();
    try {
      const rand = prng(29);
      const centers = Array.from({ length: 6 }, () => nearUnit(rand, new Array(768).fill(0), 1));
      const chunk = (i: number) => ({
        docId: `doc${i % 4}`,
        embedding: vector(nearUnit(rand, centers[i % 6]!, 0.04)),
      });
      const batch = store.batch();
      for (let i = 0; i < 240; i++) batch.set(`kb/c${i}`, chunk(i));
      batch.set("kb/small", { docId: "doc1", embedding: vector([1, 0, 0]) }); // another size, another index
      await batch.commit();
      const q = nearUnit(rand, centers[2]!, 0.04);
      const specs: NearestSpec[] = measures.flatMap((distanceMeasure) => [
        { collection: "kb", vectorField: "embedding", queryVector: q, limit: 10, distanceMeasure },
        {
          collection: "kb",
          where: [{ field: "docId", op: "==", value: "doc3" }],
          vectorField: "embedding",
          queryVector: q,
          limit: 7,
          distanceMeasure,
        },
      ]);
      const checkAll = async () => {
        for (const spec of specs) await expectSameAsReference(db, store, spec);
      };
      await checkAll(); // builds the index
      for (let i = 0; i < 240; i += 5) await store.set(`kb/c${i}`, chunk(i + 1));
      for (let i = 1; i < 240; i += 2) await store.delete(`kb/c${i}`); // half the rows: compacted
      await store.set("kb/c1", chunk(2)); // a deleted path written again
      await checkAll();
      const small = await store.findNearest({ ...specs[0]!, queryVector: [1, 0, 0], limit: 5 });
      expect(small.map((h) => h.id)).toEqual(["small"]);
    } finally {
      db.close();
    }
  });

  it("scans exactly when a 768-dimensional row holds a value outside the int8 bound's range or not finite", async () => {
    const { db, store } = open();
    try {
      const rand = prng(31);
      for (let i = 0; i < 20; i++) await store.set(`kb/c${i}`, { embedding: vector(denseVector(rand, 768)) });
      const spec = (distanceMeasure: DistanceMeasure): NearestSpec => ({
        collection: "kb",
        vectorField: "embedding",
        queryVector: denseVector(rand, 768),
        limit: 8,
        distanceMeasure,
      });
      await expectSameAsReference(db, store, spec("COSINE")); // the index exists from here on
      await store.set("kb/huge", { embedding: vector(denseVector(rand, 768).map((x) => x * 1e200)) });
      for (const distanceMeasure of measures) await expectSameAsReference(db, store, spec(distanceMeasure));
      await store.delete("kb/huge");
      await store.set("kb/inf", {
        embedding: vector(denseVector(rand, 768).map((x, i) => (i ? x : Infinity))),
      });
      // EUCLIDEAN puts it last (distance Infinity); COSINE would compare NaN distances, in no defined order.
      const hits = await expectSameAsReference(db, store, { ...spec("EUCLIDEAN"), limit: 21 });
      expect(hits.at(-1)?.id).toBe("inf");
      expect(hits.at(-1)?.distance).toBe(Infinity);
    } finally {
      db.close();
    }
  });

  it("ranks more candidates when selective pre-filters reject the nearest ones", async () => {
    const { db, store } = open();
    try {
      const rand = prng(9);
      const batch = store.batch();
      for (let i = 0; i < 400; i++)
        batch.set(`kb/c${i}`, {
          docId: i % 97 === 0 ? "rare" : "common",
          embedding: vector(denseVector(rand, 8)),
        });
      await batch.commit();
      const hits = await expectSameAsReference(db, store, {
        collection: "kb",
        where: [{ field: "docId", op: "==", value: "rare" }],
        vectorField: "embedding",
        queryVector: denseVector(rand, 8),
        limit: 4,
        distanceMeasure: "COSINE",
      });
      expect(hits.map((h) => h.data.docId)).toEqual(["rare", "rare", "rare", "rare"]);
    } finally {
      db.close();
    }
  });
});
