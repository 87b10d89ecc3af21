// Bench phase 1 (its own process): ingests the synthetic corpus into a fresh local-mode database the way
// the Knowledge Vault pipeline writes it (chunk → one parsed-batch document per 64 chunks → per batch: read
// it, embed, write each chunk once with its vector, upsert keyword entries), and measures throughput. A small
// knowledge base (10k chunks) is followed by a large one (100k); the large one is searched once early, so
// its in-memory indexes are then kept current by the remaining 90k writes, and the answers of those
// maintained indexes are saved for phase 2 to compare with indexes built from scratch.
import fs from "node:fs";
import path from "node:path";
import { lib, paths, scopeOf, vectorSpec } from "./common.mjs";
import { syntheticCorpus } from "./corpus.mjs";

const [dataDir, smallArg, largeArg, queriesArg] = process.argv.slice(2);
const small = Number(smallArg);
const large = Number(largeArg);
const queryCount = Number(queriesArg);

const { openDatabase } = await import(lib("platform/local/database.js"));
const { SqliteDocStore } = await import(lib("platform/local/sqlite-docstore.js"));
const { SqliteKeywordIndex } = await import(lib("platform/local/sqlite-keyword-index.js"));
const { localHashEmbedder } = await import(lib("platform/models/local-embedder.js"));
const { chunkText } = await import(lib("knowledge/chunk.js"));
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
const time = { chunk: 0, writeBatches: 0, embed: 0, writeChunks: 0, keywords: 0 };
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
  while (chunks < target) {
    const docId = `doc${doc}`;
    let t = clock();
    const text = corpus.document(doc++);
    paused += clock() - t; // generating the corpus is not ingestion
    t = clock();
    const pieces = chunkText(text).slice(0, target - chunks);
    time.chunk += clock() - t;
    bytes += Buffer.byteLength(text); // a cut document counts whole: its text was parsed and chunked
    const ids = pieces.map((_, i) => `${docId}-v1-${i}`);
    // As the pipeline does (knowledge/ingest.ts): the ingest task writes one document per embedding batch;
    // each embed task reads its batch, embeds it, writes every chunk once with its vector, indexes keywords.
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
      const batch = store.batch();
      parsed.chunks.forEach((c, j) =>
        batch.set(`${scope}/${ids[c.index]}`, {
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
      await batch.commit();
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
