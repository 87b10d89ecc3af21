// Bench phase 2 (a fresh process, like the local runtime after a restart): opens the database that
// phase 1 wrote, builds the in-memory indexes on the first queries, then measures search latency for
// vector-only, keyword-only and hybrid searches at both sizes, the resident memory, the full scan that
// findNearest did before the index (for comparison and as an exactness check), and whether the indexes
// phase 1 kept current through its writes answer exactly like the ones built here from scratch.
import fs from "node:fs";
import path from "node:path";
import { candidates, lib, localLib, paths, percentile, scopeOf, vectorSpec } from "./common.mjs";
import { syntheticCorpus } from "./corpus.mjs";

const [dataDir, docsJson, queriesArg] = process.argv.slice(2);
const docs = JSON.parse(docsJson);
const queryCount = Number(queriesArg);
const ranges = { small: [0, docs.small], large: [docs.small, docs.large] };

const { openDatabase } = await import(localLib("adapters/database.js"));
const { SqliteDocStore } = await import(localLib("adapters/sqlite-docstore.js"));
const { SqliteKeywordIndex } = await import(localLib("adapters/sqlite-keyword-index.js"));
const { localHashEmbedder } = await import(lib("platform/models/local-embedder.js"));
const { systemClock } = await import(lib("platform/clock.js"));

const db = openDatabase({ file: path.join(dataDir, "alchemist.sqlite") });
const store = new SqliteDocStore(db, systemClock);
const keywords = new SqliteKeywordIndex(db);
const embedder = localHashEmbedder(256);
const corpus = syntheticCorpus();
const clock = () => performance.now();
const mb = (bytes) => bytes / 1024 / 1024;
const gc = () => globalThis.gc?.();

gc();
const rssOpen = mb(process.memoryUsage().rss);

const queries = (kbId) => {
  const [first, end] = ranges[kbId];
  return Array.from({ length: queryCount + 20 }, (_, i) => corpus.query(i, first, end));
};

const embedQuery = async (q) => (await embedder.embed([q], { kind: "query" }))[0];

/** The hybrid search's retrieval, as the Knowledge Vault runs it: both retrievers, then the missing chunks. */
async function hybrid(kbId, q) {
  const qv = await embedQuery(q);
  const hits = await store.findNearest(vectorSpec(kbId, qv));
  const seen = new Set(hits.map((h) => h.id));
  const kw = await keywords.search(scopeOf(kbId), q, candidates);
  const missing = kw.filter((h) => !seen.has(h.id)).map((h) => `${scopeOf(kbId)}/${h.id}`);
  await store.getAll(missing);
  // Reciprocal rank fusion of the two lists.
  const fused = new Map();
  hits.forEach((h, i) => fused.set(h.id, 1 / (60 + i + 1)));
  kw.forEach((h, i) => fused.set(h.id, (fused.get(h.id) ?? 0) + 1 / (60 + i + 1)));
  return [...fused.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
}

const modes = {
  vector: async (kbId, q) => store.findNearest(vectorSpec(kbId, await embedQuery(q))),
  keyword: async (kbId, q) => keywords.search(scopeOf(kbId), q, candidates),
  both: hybrid,
};

// ----- index builds (the first query of each scope) ------------------------------------------------
const build = {};
const memory = (label) => {
  gc();
  const m = process.memoryUsage();
  return { label, rss: mb(m.rss), heap: mb(m.heapUsed), arrayBuffers: mb(m.arrayBuffers) };
};
const steps = [memory("open")];
for (const kbId of ["small", "large"]) {
  const qv = await embedQuery(queries(kbId)[0]);
  const t = clock();
  await store.findNearest(vectorSpec(kbId, qv));
  build[kbId] = { vectorMs: clock() - t };
}
steps.push(memory("vector indexes"));
for (const kbId of ["small", "large"]) {
  const t = clock();
  await keywords.search(scopeOf(kbId), queries(kbId)[0], candidates);
  build[kbId].keywordMs = clock() - t;
}
steps.push(memory("keyword indexes"));
const rssIndexed = steps.at(-1).rss;

// ----- latency ----------------------------------------------------------------------------------
const latency = {};
for (const kbId of ["small", "large"]) {
  latency[kbId] = {};
  const qs = queries(kbId);
  for (const [mode, run] of Object.entries(modes)) {
    for (const q of qs.slice(0, 20)) await run(kbId, q); // warm-up
    const times = [];
    for (const q of qs.slice(20)) {
      const t = clock();
      await run(kbId, q);
      times.push(clock() - t);
    }
    times.sort((a, b) => a - b);
    latency[kbId][mode] = { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) };
  }
}

steps.push(memory("after the latency runs"));
// The runtime's peak: before the old full scan below, which holds a whole scope's vectors at once.
const peakRuntime = process.resourceUsage().maxRSS / 1024;

// ----- the full scan findNearest did before the index (reads every vector of the scope) ----------
function scanBefore(kbId, queryVector) {
  const rows = db
    .prepare("SELECT path, vec FROM vectors WHERE parent = ? AND field = ? AND dims = ?")
    .all(scopeOf(kbId), "embedding", queryVector.length);
  const query = Float64Array.from(queryVector);
  let queryNorm = 0;
  for (let i = 0; i < query.length; i++) queryNorm += query[i] ** 2;
  queryNorm = Math.sqrt(queryNorm);
  const scored = [];
  for (const row of rows) {
    const v = new Float64Array(row.vec.buffer, row.vec.byteOffset, query.length);
    let dot = 0;
    let norm = 0;
    for (let i = 0; i < query.length; i++) {
      dot += v[i] * query[i];
      norm += v[i] * v[i];
    }
    if (norm === 0 || queryNorm === 0) continue;
    scored.push({ path: row.path, distance: 1 - dot / (Math.sqrt(norm) * queryNorm) });
  }
  scored.sort((a, b) => a.distance - b.distance);
  return scored.slice(0, candidates);
}
const before = { times: [], mismatches: 0, queries: 0 };
for (const q of queries("large").slice(0, 8)) {
  const qv = await embedQuery(q);
  const t = clock();
  const old = scanBefore("large", qv);
  for (const hit of old) await store.get(hit.path); // the old findNearest read each hit's document too
  before.times.push(clock() - t);
  const now = await store.findNearest(vectorSpec("large", qv));
  before.queries++;
  const same =
    now.length === old.length &&
    now.every((h, i) => h.path === old[i].path && h.distance === old[i].distance);
  if (!same) before.mismatches++;
}
before.times.sort((a, b) => a - b);

// ----- indexes kept current through phase 1's writes vs built from scratch here ---------------------
const maintained = JSON.parse(fs.readFileSync(paths.maintained(dataDir), "utf8"));
const consistency = { queries: 0, vectorMismatches: 0, keywordMismatches: 0 };
const largeQueries = ranges.large;
for (let i = 0; i < maintained.length; i++) {
  const q = corpus.query(i, largeQueries[0], largeQueries[1]);
  const hits = await store.findNearest(vectorSpec("large", await embedQuery(q)));
  const kw = await keywords.search(scopeOf("large"), q, candidates);
  const m = maintained[i];
  consistency.queries++;
  if (JSON.stringify(hits.map((h) => [h.id, h.distance])) !== JSON.stringify(m.vector))
    consistency.vectorMismatches++;
  if (JSON.stringify(kw.map((h) => [h.id, h.score])) !== JSON.stringify(m.keyword))
    consistency.keywordMismatches++;
}

const chunks = db.prepare("SELECT coll, count(*) AS n FROM vectors GROUP BY coll").all();
db.close();
console.log(
  JSON.stringify({
    rss: {
      open: rssOpen,
      indexed: rssIndexed,
      peak: peakRuntime,
      peakWithOldScan: process.resourceUsage().maxRSS / 1024,
    },
    memory: steps,
    build,
    latency,
    before: { p50: percentile(before.times, 50), max: before.times.at(-1), ...before },
    consistency,
    vectors: chunks,
  }),
);
