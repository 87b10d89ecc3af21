// Bench phase 1 (its own process): ingests the synthetic corpus into a fresh local-mode database the way
// the Knowledge Vault pipeline writes it (parse + chunk in a parse worker thread → one parsed-batch document
// per 64 chunks → per batch: read it, embed, write each chunk once with its vector in a transaction that
// checks the document is still wanted, upsert keyword entries), and measures throughput. A small
// knowledge base (10k chunks) is followed by a large one (100k); the large one is searched once early, so
// its in-memory indexes are then kept current by the remaining 90k writes, and the answers of those
// maintained indexes are saved for phase 2 to compare with indexes built from scratch.
import fs from "node:fs";
import path from "node:path";
import { lib, localLib, paths, scopeOf, vectorSpec } from "./common.mjs";
import { syntheticCorpus } from "./corpus.mjs";

const [dataDir, smallArg, largeArg, queriesArg] = process.argv.slice(2);
const small = Number(smallArg);
const large = Number(largeArg);
const queryCount = Number(queriesArg);

const { openDatabase } = await import(localLib("adapters/database.js"));
const { SqliteDocStore } = await import(localLib("adapters/sqlite-docstore.js"));
const { SqliteKeywordIndex } = await import(localLib("adapters/sqlite-keyword-index.js"));
const { localHashEmbedder } = await import(lib("platform/models/local-embedder.js"));
const { ParsePool, defaultParseWorkers } = await import(lib("knowledge/parse/pool.js"));
const { vector } = await import(lib("platform/ports.js"));
const { systemClock } = await import(lib("platform/clock.js"));

const db = openDatabase({
  file: path.join(dataDir, "alchemist.sqlite"),
  synchronous: process.env.ALCHEMIST_SQLITE_SYNC === "FULL" ? "FULL" : "NORMAL",
});
const store = new SqliteDocStore(db, systemClock);
const keywords = new SqliteKeywordIndex(db);
const embedder = localHashEmbedder(256);
const corpus = syntheticCorpus();

const batchDocsPerCommit = 16;
const embedBatch = 64;
// The pipeline's pool, with the default limits (PARSE_MEMORY_MB, PARSE_TIMEOUT_SECONDS).
const pool = new ParsePool({ workers: defaultParseWorkers(), memoryMb: 1024, timeoutMs: 240_000 });
const time = { parseAndChunk: 0, writeBatches: 0, embed: 0, writeChunks: 0, keywords: 0 };
// Documents read ahead in the parse worker while the main thread writes and embeds the current one, as the
// pipeline overlaps them (the ingest queue runs 4 documents at a time, the embed queue 6 batches).
// BENCH_PARSE_AHEAD=0 waits for each parse in turn: the worker's round trip then shows in full.
const parseAhead = Number(process.env.BENCH_PARSE_AHEAD ?? 2);
const batchScope = (kbId, docId) => `tenants/bench/knowledgeBases/${kbId}/documents/${docId}/chunkBatches`;
const clock = () => performance.now();

/** Ingests whole documents (the last one cut) until the knowledge base holds `target` chunks. */
async function ingestKnowledgeBase(kbId, firstDoc, target, onProgress) {
  const scope = scopeOf(kbId);
  let chunks = 0;
  let bytes = 0;
  let words = 0;
  let doc = firstDoc;
  const started = clock();
  let paused = 0;
  const reading = new Map();
  const readAhead = (n) => {
    for (let i = n; i <= n + parseAhead; i++) {
      if (reading.has(i)) continue;
      const t = clock();
      const text = corpus.document(i);
      paused += clock() - t; // generating the corpus is not ingestion
      const parsed = pool.run("markdown", Buffer.from(text));
      parsed.catch(() => undefined); // read ahead past the end: never awaited, ended by pool.close()
      reading.set(i, { text, parsed });
    }
  };
  while (chunks < target) {
    const docId = `doc${doc}`;
    readAhead(doc);
    const { text, parsed } = reading.get(doc);
    reading.delete(doc++);
    let t = clock();
    const pieces = (await parsed).slice(0, target - chunks);
    time.parseAndChunk += clock() - t;
    bytes += Buffer.byteLength(text); // a cut document counts whole: its text was parsed and chunked
    const ids = pieces.map((_, i) => `${docId}-v1-${i}`);
    // As the pipeline does (knowledge/ingest.ts): the ingest task writes one document per embedding batch;
    // each embed task reads its batch, embeds it, writes every chunk once with its vector, indexes keywords.
    // The document's record (written by the upload, not by these steps): what the chunk writes check.
    t = clock();
    const docPath = `tenants/bench/knowledgeBases/${kbId}/documents/${docId}`;
    await store.set(docPath, { name: `${docId}.md`, version: 1, status: "processing" });
    paused += clock() - t;
    t = clock();
    const batches = [];
    for (let i = 0, b = 0; i < pieces.length; i += embedBatch, b++) {
      batches.push({
        version: 1,
        batch: b,
        chunks: pieces
          .slice(i, i + embedBatch)
          .map((c, j) => ({ index: i + j, text: c.text, location: c.location })),
      });
    }
    for (let i = 0; i < batches.length; i += batchDocsPerCommit) {
      const commit = store.batch();
      for (const b of batches.slice(i, i + batchDocsPerCommit))
        commit.set(`${batchScope(kbId, docId)}/v1-${b.batch}`, b);
      await commit.commit();
    }
    time.writeBatches += clock() - t;
    for (const b of batches) {
      t = clock();
      const parsed = (await store.get(`${batchScope(kbId, docId)}/v1-${b.batch}`)).data;
      time.writeBatches += clock() - t;
      t = clock();
      const vectors = await embedder.embed(
        parsed.chunks.map((c) => c.text),
        { kind: "document" },
      );
      time.embed += clock() - t;
      t = clock();
      // As embedRange does: the chunks are written only while their document is still wanted.
      await store.runTransaction(async (tx) => {
        if ((await tx.get(docPath))?.data.status !== "processing") throw new Error("document gone");
        parsed.chunks.forEach((c, j) =>
          tx.set(`${scope}/${ids[c.index]}`, {
            docId,
            docVersion: 1,
            docName: `${docId}.md`,
            index: c.index,
            text: c.text,
            location: c.location,
            embeddingModel: "alchemist-hash-v1@1/256",
            tags: [],
            createdAt: "2026-03-01T09:00:00.000Z",
            embedding: vector(vectors[j]),
          }),
        );
      });
      time.writeChunks += clock() - t;
      t = clock();
      await keywords.upsert(
        scope,
        parsed.chunks.map((c) => ({ id: ids[c.index], group: docId, text: c.text })),
      );
      time.keywords += clock() - t;
    }
    const p = clock();
    for (const c of pieces) words += c.text.split(/\s+/).length;
    const before = chunks;
    chunks += pieces.length;
    if (onProgress) await onProgress(before, chunks);
    paused += clock() - p;
  }
  return { chunks, bytes, words, seconds: (clock() - started - paused) / 1000, nextDoc: doc };
}

const answers = async (kbId, firstDoc, endDoc) => {
  const out = [];
  for (let i = 0; i < queryCount; i++) {
    const q = corpus.query(i, firstDoc, endDoc);
    const [qv] = await embedder.embed([q], { kind: "query" });
    const hits = await store.findNearest(vectorSpec(kbId, qv));
    const kw = await keywords.search(scopeOf(kbId), q, 50);
    out.push({ vector: hits.map((h) => [h.id, h.distance]), keyword: kw.map((h) => [h.id, h.score]) });
  }
  return out;
};

const smallRun = await ingestKnowledgeBase("small", 0, small);
let warmed = 0;
const largeRun = await ingestKnowledgeBase("large", smallRun.nextDoc, large, async (before, after) => {
  // Once the large base passes the small one's size, search it: from then on its indexes are in memory
  // and every further write goes through the index hooks.
  if (before < small && after >= small) {
    const [qv] = await embedder.embed(["vacation policy"], { kind: "query" });
    await store.findNearest(vectorSpec("large", qv));
    await keywords.search(scopeOf("large"), "vacation policy", 50);
    warmed = after;
  }
});

// Answers of the indexes maintained through 90k writes, for phase 2 to compare with fresh ones.
fs.writeFileSync(
  paths.maintained(dataDir),
  JSON.stringify(await answers("large", smallRun.nextDoc, largeRun.nextDoc)),
);
await pool.close();
db.close();

const total = {
  chunks: smallRun.chunks + largeRun.chunks,
  bytes: smallRun.bytes + largeRun.bytes,
  words: smallRun.words + largeRun.words,
  seconds: smallRun.seconds + largeRun.seconds,
};
console.log(
  JSON.stringify({
    total,
    time,
    warmedAt: warmed,
    docs: { small: smallRun.nextDoc, large: largeRun.nextDoc },
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
