// Bench phase: provider-sized embeddings in local mode. 100k synthetic 1,536-dimensional unit vectors
// (seeded; clustered like real embeddings: a shared direction, 100 topics of 20 subtopics, per-dimension
// spread, most of each vector its own), written as chunk documents through the SQLite DocStore (`write`,
// its own process), then, in a fresh process like the runtime after a restart (`search`): the index build on
// the first findNearest, query latency, peak RSS, and recall@10 against an exact brute-force scan of the
// stored doubles. Queries are near a stored chunk (cosine ≈ 0.7 to it), as a question is to its passage.
// Prints one JSON line; asserts nothing.
import path from "node:path";
import { lib, localLib, percentile } from "./common.mjs";
import { prng } from "./corpus.mjs";

const [dataDir, command, rowsArg, queriesArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const queryCount = Number(queriesArg ?? 0);
const dims = 1536;
const seed = 20261204;
const topics = 100;
const subtopicsPerTopic = 20;
const scope = "tenants/bench/knowledgeBases/provider1536/chunks";
const k = 10;

const { openDatabase } = await import(localLib("adapters/database.js"));
const { SqliteDocStore } = await import(localLib("adapters/sqlite-docstore.js"));
const { systemClock } = await import(lib("platform/clock.js"));

const db = openDatabase({ file: path.join(dataDir, "vectors1536.sqlite") });
const store = new SqliteDocStore(db, systemClock);
const clock = () => performance.now();
const mb = (bytes) => bytes / 1024 / 1024;
const gc = () => globalThis.gc?.();
const memory = (label) => {
  gc();
  const m = process.memoryUsage();
  return { label, rss: mb(m.rss), heap: mb(m.heapUsed), arrayBuffers: mb(m.arrayBuffers) };
};
const idOf = (i) => `c${String(i).padStart(6, "0")}`;

/** Standard normal values from a uniform source (Box–Muller, both outputs used). */
function normals(rand) {
  let spare = null;
  return () => {
    if (spare !== null) {
      const x = spare;
      spare = null;
      return x;
    }
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

function normalize(v) {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** A random unit direction. */
function direction(gauss) {
  const v = new Float64Array(dims);
  for (let i = 0; i < dims; i++) v[i] = gauss();
  return normalize(v);
}

/**
 * The synthetic embedding space: squared weights 0.09 shared direction, 0.2 topic, 0.2 subtopic, 0.5 the
 * chunk's own, each dimension's spread drawn log-normal (real embeddings have dimensions of unequal
 * spread). Chunks of one subtopic are at cosine ≈ 0.5, of one topic ≈ 0.3, unrelated ones ≈ 0.1.
 */
function embeddingSpace() {
  const gauss = normals(prng(seed));
  const spread = Float64Array.from({ length: dims }, () => Math.exp(0.35 * gauss()));
  const shared = direction(gauss);
  const topicDirs = Array.from({ length: topics }, () => direction(gauss));
  const subtopicDirs = Array.from({ length: topics * subtopicsPerTopic }, () => direction(gauss));
  return {
    /** Chunk i's vector and subtopic: the same on every run and machine. */
    chunk(i) {
      const rand = prng(seed ^ Math.imul(i + 1, 0x9e3779b1));
      const own = normals(rand);
      const subtopic = Math.floor(rand() * topics * subtopicsPerTopic);
      const t = topicDirs[Math.floor(subtopic / subtopicsPerTopic)];
      const s = subtopicDirs[subtopic];
      const v = new Float64Array(dims);
      const ownWeight = Math.SQRT1_2 / Math.sqrt(dims);
      for (let d = 0; d < dims; d++)
        v[d] = spread[d] * (0.3 * shared[d] + 0.447 * t[d] + 0.447 * s[d] + ownWeight * own());
      return { values: Array.from(normalize(v)), subtopic };
    },
  };
}

/** Query j: a stored chunk (chosen by the seed) moved away to cosine ≈ 0.7, as a question is to its passage. */
async function queryVectors() {
  const out = [];
  for (let j = 0; j < queryCount; j++) {
    const rand = prng(seed ^ Math.imul(j + 11, 0x85ebca6b));
    const source = Math.floor(rand() * rows);
    const doc = await store.get(`${scope}/${idOf(source)}`);
    const values = doc.data.embedding.values;
    const gauss = normals(rand);
    const noise = Math.SQRT1_2 / Math.sqrt(dims);
    out.push(normalize(values.map((x) => Math.SQRT1_2 * x + noise * gauss())));
  }
  return out;
}

const spec = (queryVector, limit) => ({
  collection: scope,
  vectorField: "embedding",
  queryVector,
  limit,
  distanceMeasure: "COSINE",
});

if (command === "write") {
  // ----- the chunks, through the DocStore as the ingest pipeline writes them --------------------------
  const { vector } = await import(lib("platform/ports.js"));
  const space = embeddingSpace();
  let generating = 0;
  let writing = 0;
  for (let first = 0; first < rows; first += 500) {
    let t = clock();
    const batch = store.batch();
    const chunks = [];
    for (let i = first; i < Math.min(rows, first + 500); i++) chunks.push([i, space.chunk(i)]);
    generating += clock() - t;
    t = clock();
    for (const [i, c] of chunks)
      batch.set(`${scope}/${idOf(i)}`, {
        docId: `doc${Math.floor(i / 20)}`,
        index: i % 20,
        subtopic: c.subtopic,
        embeddingModel: "synthetic-1536",
        embedding: vector(c.values),
      });
    await batch.commit();
    writing += clock() - t;
  }
  const fileBytes =
    db.prepare("PRAGMA page_count").pluck().get() * db.prepare("PRAGMA page_size").pluck().get();
  db.close();
  console.log(
    JSON.stringify({
      rows,
      generateSeconds: generating / 1000,
      writeSeconds: writing / 1000,
      fileMb: mb(fileBytes),
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
} else if (command === "search") {
  // ----- a fresh process: build, latency, memory -------------------------------------------------------
  const { derivedState } = await import(localLib("adapters/database.js"));
  const { ScopedVectorIndexes } = await import(localLib("adapters/vector-index.js"));
  const steps = [memory("open")];
  const queries = await queryVectors();
  let t = clock();
  await store.findNearest(spec(queries[0], k));
  const buildMs = clock() - t;
  steps.push(memory("index built"));

  const warmup = Math.min(10, queries.length);
  for (const q of queries.slice(0, warmup)) await store.findNearest(spec(q, k));
  const times = { 10: [], 50: [] };
  const found = [];
  for (const q of queries) {
    t = clock();
    const hits = await store.findNearest(spec(q, k));
    times[10].push(clock() - t);
    found.push(hits.map((h) => [h.path, h.distance]));
    t = clock();
    await store.findNearest(spec(q, 50)); // as many as the Knowledge Vault's search asks for
    times[50].push(clock() - t);
  }
  const latency = Object.fromEntries(
    Object.entries(times).map(([limit, xs]) => {
      xs.sort((a, b) => a - b);
      return [limit, { p50: percentile(xs, 50), p99: percentile(xs, 99), max: xs.at(-1) }];
    }),
  );
  steps.push(memory(`after ${queries.length} queries`));
  const peakMb = process.resourceUsage().maxRSS / 1024;

  // Rows re-scored from SQLite per query (the price of exact results), read from the store's own index.
  const index = derivedState(db, "vector-indexes", () => new ScopedVectorIndexes())
    .current()
    .get("parent", scope, "embedding", dims, () => []);
  const rescored = [];
  const load = db.prepare("SELECT vec FROM vectors WHERE path = ? AND field = 'embedding'").pluck();
  for (const q of queries.slice(0, 50)) {
    const ranking = index.rank(q, "COSINE");
    ranking.top(k, (p) => {
      const blob = load.get(p);
      return new Float64Array(Uint8Array.from(blob).buffer);
    });
    rescored.push(ranking.rescored);
  }
  rescored.sort((a, b) => a - b);

  // ----- exact brute force over the stored doubles, every query at once, rows in path order --------------
  // Each dot product is summed in the same order as the full scan's, so distances compare exactly.
  t = clock();
  const queryNorms = queries.map((q) => Math.sqrt(q.reduce((s, x) => s + x * x, 0)));
  const best = queries.map(() => []);
  const consider = (list, path, distance) => {
    if (list.length === k && distance >= list[k - 1][1]) return; // a tie keeps the earlier path
    let at = list.length;
    while (at > 0 && list[at - 1][1] > distance) at--;
    list.splice(at, 0, [path, distance]);
    if (list.length > k) list.pop();
  };
  const scan = db
    .prepare(
      "SELECT path, vec FROM vectors WHERE parent = ? AND field = 'embedding' AND dims = ? ORDER BY path",
    )
    .iterate(scope, dims);
  for (const row of scan) {
    const blob = row.vec;
    const a =
      blob.byteOffset % 8 === 0
        ? new Float64Array(blob.buffer, blob.byteOffset, dims)
        : new Float64Array(Uint8Array.from(blob).buffer);
    let norm = 0;
    for (let i = 0; i < dims; i++) norm += a[i] * a[i];
    const rowNorm = Math.sqrt(norm);
    for (let j = 0; j < queries.length; j += 4) {
      // Four queries at a time: four independent sums, each in index order.
      const q0 = queries[j];
      const q1 = queries[j + 1] ?? q0;
      const q2 = queries[j + 2] ?? q0;
      const q3 = queries[j + 3] ?? q0;
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      for (let i = 0; i < dims; i++) {
        const x = a[i];
        d0 += x * q0[i];
        d1 += x * q1[i];
        d2 += x * q2[i];
        d3 += x * q3[i];
      }
      const dotsOf = [d0, d1, d2, d3];
      for (let u = 0; u < 4 && j + u < queries.length; u++)
        consider(best[j + u], row.path, 1 - dotsOf[u] / (rowNorm * queryNorms[j + u]));
    }
  }
  const bruteSeconds = (clock() - t) / 1000;
  let recallSum = 0;
  let identical = 0;
  for (let j = 0; j < queries.length; j++) {
    const truth = new Set(best[j].map(([p]) => p));
    recallSum += found[j].filter(([p]) => truth.has(p)).length / truth.size;
    if (JSON.stringify(found[j]) === JSON.stringify(best[j])) identical++;
  }
  db.close();
  console.log(
    JSON.stringify({
      rows,
      queries: queries.length,
      buildMs,
      latency,
      rescored: { p50: percentile(rescored, 50), max: rescored.at(-1), queries: rescored.length },
      recallAt10: recallSum / queries.length,
      identical,
      bruteSeconds,
      memory: steps,
      peakMb,
      peakWithBruteForceMb: process.resourceUsage().maxRSS / 1024,
      keys: index.keys,
    }),
  );
} else {
  throw new Error(`usage: vectors1536.mjs <dataDir> write <rows> | search <rows> <queries>`);
}
