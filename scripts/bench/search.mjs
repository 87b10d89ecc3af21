// Bench phase 2 (a fresh process, like the local runtime after a restart): opens the database that
// phase 1 wrote, builds the in-memory indexes on the first queries, then measures search latency for
// vector-only, keyword-only and hybrid searches at both sizes, the resident memory, the full scan that
// findNearest did before the index (for comparison and as an exactness check), and whether the indexes
// phase 1 kept current through its writes answer exactly like the ones built here from scratch. Last, the
// baselines: the same chunks and queries through a plain SQLite FTS5 table (BM25) and a brute-force scan
// of the same embeddings, with each mode's quality against the chunk its query was drawn from.
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { candidates, lib, localLib, paths, percentile, scopeOf, vectorSpec } from "./common.mjs";
import { syntheticCorpus, words } from "./corpus.mjs";

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
  return [...fused.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
}

const modes = {
  vector: async (kbId, q) => store.findNearest(vectorSpec(kbId, await embedQuery(q))),
  keyword: async (kbId, q) => keywords.search(scopeOf(kbId), q, candidates),
  both: hybrid,
};
/** The chunk ids a mode answered, best first. */
const idsOf = (mode, answer) => (mode === "both" ? answer.map(([id]) => id) : answer.map((h) => h.id));
/** The vector mode's answers with their distances, for the brute-force scan below to compare. */
const vectorAnswers = { small: [], large: [] };

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
/** Chunk ids each mode answered, per query after the warm-up (for the quality figures below). */
const answered = {};
for (const kbId of ["small", "large"]) {
  latency[kbId] = {};
  answered[kbId] = {};
  const qs = queries(kbId);
  for (const [mode, run] of Object.entries(modes)) {
    for (const q of qs.slice(0, 20)) await run(kbId, q); // warm-up
    const times = [];
    const ids = [];
    for (const q of qs.slice(20)) {
      const t = clock();
      const answer = await run(kbId, q);
      times.push(clock() - t);
      ids.push(idsOf(mode, answer));
      if (mode === "vector") vectorAnswers[kbId].push(answer.map((h) => [h.id, h.distance]));
    }
    times.sort((a, b) => a - b);
    latency[kbId][mode] = { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) };
    answered[kbId][mode] = ids;
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

const peakWithOldScan = process.resourceUsage().maxRSS / 1024;

// ----- baselines: plain SQLite FTS5 and a brute-force scan over the same chunks and queries ------------
const stats = (times) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) };
};

/** Longest run of consecutive words two word lists share. */
function longestRun(a, b) {
  let best = 0;
  let previous = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const current = new Int32Array(b.length + 1);
    for (let j = 1; j <= b.length; j++)
      if (a[i - 1] === b[j - 1]) best = Math.max(best, (current[j] = previous[j - 1] + 1));
    previous = current;
  }
  return best;
}

/**
 * Relevance labels (the synthetic corpus has none): the chunk a query was drawn from, i.e. the chunk of its
 * source document holding the longest run of the words it was picked from (every such chunk on a tie, as
 * when the run is split equally between two). Null when no chunk holds 3 of them in a row (the query came
 * from the cut-off part of the last document).
 */
function labelOf(kbId, i, chunksOfDoc) {
  const [first, end] = ranges[kbId];
  const { doc, window } = corpus.querySource(i, first, end);
  let best = 0;
  let label = [];
  for (const chunk of chunksOfDoc.get(`doc${doc}`) ?? []) {
    const run = longestRun(window, (chunk.words ??= words(chunk.text)));
    if (run > best) [best, label] = [run, [chunk.id]];
    else if (run === best) label.push(chunk.id);
  }
  return best >= Math.min(3, window.length) ? new Set(label) : null;
}

/** hit@10 (a labelled chunk among the first 10 answers) and MRR@10, over the labelled queries. */
function quality(labels, answers) {
  let hits = 0;
  let reciprocal = 0;
  let n = 0;
  labels.forEach((label, j) => {
    if (!label) return;
    n++;
    const rank = answers[j].slice(0, 10).findIndex((id) => label.has(id));
    if (rank >= 0) {
      hits++;
      reciprocal += 1 / (rank + 1);
    }
  });
  return { hitAt10: hits / n, mrrAt10: reciprocal / n, labelled: n };
}

const ftsDb = new Database(path.join(dataDir, "baselines.sqlite"));
ftsDb.pragma("journal_mode = WAL");
const baselines = {};
for (const kbId of ["small", "large"]) {
  const scope = scopeOf(kbId);
  // The scope's chunks in path order (the store's tie order): texts for FTS5, doubles for the scan.
  let t = clock();
  const chunkRows = db
    .prepare("SELECT id, json_extract(data, '$.text') AS text FROM docs WHERE parent = ? ORDER BY path")
    .all(scope);
  ftsDb.exec(`CREATE VIRTUAL TABLE fts_${kbId} USING fts5(text, tokenize = 'porter unicode61')`);
  const insert = ftsDb.prepare(`INSERT INTO fts_${kbId} (rowid, text) VALUES (?, ?)`);
  ftsDb.transaction(() => chunkRows.forEach((c, i) => insert.run(i + 1, c.text)))();
  const ftsBuildMs = clock() - t;
  const ftsQuery = ftsDb.prepare(
    `SELECT rowid, bm25(fts_${kbId}) AS score FROM fts_${kbId} WHERE fts_${kbId} MATCH ? ORDER BY bm25(fts_${kbId}) LIMIT ${candidates}`,
  );
  /** Every word of the question, quoted (FTS5's query syntax) and OR-ed; FTS5 drops no stop words. */
  const ftsSearch = (q) => {
    const terms = [...new Set(q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
    if (terms.length === 0) return [];
    const rows = ftsQuery.all(terms.map((w) => `"${w}"`).join(" OR "));
    return rows.map((r) => ({ id: chunkRows[r.rowid - 1].id, score: -r.score }));
  };

  t = clock();
  const dims = 256;
  const where = "FROM vectors WHERE parent = ? AND field = 'embedding' AND dims = 256";
  const count = db.prepare(`SELECT count(*) ${where}`).pluck().get(scope);
  const values = new Float64Array(count * dims);
  const norms = new Float64Array(count);
  const vectorIds = [];
  for (const row of db.prepare(`SELECT path, vec ${where} ORDER BY path`).iterate(scope)) {
    const o = vectorIds.length * dims;
    values.set(new Float64Array(Uint8Array.from(row.vec).buffer), o);
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += values[o + d] * values[o + d];
    norms[vectorIds.length] = Math.sqrt(norm);
    vectorIds.push(row.path.slice(scope.length + 1));
  }
  const vectorLoadMs = clock() - t;
  /** Every stored vector scored in Float64, as `exactDistance` sums it; the 50 nearest, ties in path order. */
  const scan = (qv) => {
    let queryNorm = 0;
    for (let d = 0; d < dims; d++) queryNorm += qv[d] ** 2;
    queryNorm = Math.sqrt(queryNorm);
    const top = [];
    for (let r = 0; r < vectorIds.length; r++) {
      let dot = 0;
      const o = r * dims;
      for (let d = 0; d < dims; d++) dot += values[o + d] * qv[d];
      if (norms[r] === 0 || queryNorm === 0) continue;
      const distance = 1 - dot / (norms[r] * queryNorm);
      if (top.length === candidates && distance >= top[candidates - 1][1]) continue;
      let at = top.length;
      while (at > 0 && top[at - 1][1] > distance) at--;
      top.splice(at, 0, [r, distance]);
      if (top.length > candidates) top.pop();
    }
    return top.map(([r, distance]) => ({ id: vectorIds[r], distance }));
  };
  /** As findNearest answers: the nearest chunks' documents, read. */
  const scanSearch = async (q) => {
    const hits = scan(await embedQuery(q));
    await store.getAll(hits.map((h) => `${scope}/${h.id}`));
    return hits;
  };

  const qs = queries(kbId);
  for (const q of qs.slice(0, 20)) {
    ftsSearch(q);
    await scanSearch(q);
  }
  const times = { keyword: [], vector: [], both: [] };
  const answers = { keyword: [], vector: [], both: [] };
  let identicalVector = 0;
  for (const [j, q] of qs.slice(20).entries()) {
    // Hybrid as the platform's bench runs it: both retrievers, the keyword hits' documents, RRF.
    const t0 = clock();
    const kw = ftsSearch(q);
    const t1 = clock();
    const hits = await scanSearch(q);
    const t2 = clock();
    const seen = new Set(hits.map((h) => h.id));
    await store.getAll(kw.filter((h) => !seen.has(h.id)).map((h) => `${scope}/${h.id}`));
    const fused = new Map();
    hits.forEach((h, i) => fused.set(h.id, 1 / (60 + i + 1)));
    kw.forEach((h, i) => fused.set(h.id, (fused.get(h.id) ?? 0) + 1 / (60 + i + 1)));
    const both = [...fused.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    const t3 = clock();
    times.keyword.push(t1 - t0);
    times.vector.push(t2 - t1);
    times.both.push(t3 - t0);
    answers.keyword.push(kw.map((h) => h.id));
    answers.vector.push(hits.map((h) => h.id));
    answers.both.push(both.map(([id]) => id));
    // The index is exact: the same chunks, in the same order, at the same distances as this scan.
    const scanned = JSON.stringify(hits.map((h) => [h.id, h.distance]));
    if (scanned === JSON.stringify(vectorAnswers[kbId][j])) identicalVector++;
  }

  const chunksOfDoc = new Map();
  for (const c of chunkRows) {
    const docId = c.id.slice(0, c.id.indexOf("-v1-"));
    if (!chunksOfDoc.has(docId)) chunksOfDoc.set(docId, []);
    chunksOfDoc.get(docId).push(c);
  }
  const labels = qs.slice(20).map((_, j) => labelOf(kbId, j + 20, chunksOfDoc));
  baselines[kbId] = {
    build: { ftsMs: ftsBuildMs, vectorsMs: vectorLoadMs },
    latency: Object.fromEntries(Object.entries(times).map(([mode, xs]) => [mode, stats(xs)])),
    quality: Object.fromEntries(Object.entries(answers).map(([mode, a]) => [mode, quality(labels, a)])),
    platformQuality: Object.fromEntries(
      Object.entries(answered[kbId]).map(([mode, a]) => [mode, quality(labels, a)]),
    ),
    identicalVector,
    queries: qs.length - 20,
  };
}
ftsDb.close();

const chunks = db.prepare("SELECT coll, count(*) AS n FROM vectors GROUP BY coll").all();
db.close();
console.log(
  JSON.stringify({
    rss: {
      open: rssOpen,
      indexed: rssIndexed,
      peak: peakRuntime,
      peakWithOldScan,
      peakWithBaselines: process.resourceUsage().maxRSS / 1024,
    },
    memory: steps,
    build,
    latency,
    before: { p50: percentile(before.times, 50), max: before.times.at(-1), ...before },
    consistency,
    baselines,
    vectors: chunks,
  }),
);
