// Bench phase 1 (its own process): ingests the synthetic corpus into a fresh local-mode database the way
// the Knowledge Vault pipeline writes it (chunk → write chunk documents in batches of 400 → per 64 chunks:
// read them back, embed, write the vectors, upsert keyword entries), and measures throughput. A small
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

const chunkWriteBatch = 400;
const embedBatch = 64;
const time = { chunk: 0, writeChunks: 0, embed: 0, writeVectors: 0, keywords: 0 };
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
    t = clock();
    for (let i = 0; i < pieces.length; i += chunkWriteBatch) {
      const batch = store.batch();
      pieces.slice(i, i + chunkWriteBatch).forEach((c, j) =>
        batch.set(`${scope}/${ids[i + j]}`, {
          docId,
          docVersion: 1,
          docName: `${docId}.md`,
          index: i + j,
          text: c.text,
          location: c.location,
          embeddingModel: null,
          tags: [],
          createdAt: "2026-03-01T09:00:00.000Z",
        }),
      );
      await batch.commit();
    }
    time.writeChunks += clock() - t;
    for (let i = 0; i < pieces.length; i += embedBatch) {
      const chunkPaths = ids.slice(i, i + embedBatch).map((id) => `${scope}/${id}`);
      t = clock();
      const snaps = await store.getAll(chunkPaths);
      time.writeChunks += clock() - t;
      t = clock();
      const vectors = await embedder.embed(
        snaps.map((s) => s.data.text),
        { kind: "document" },
      );
      time.embed += clock() - t;
      t = clock();
      const batch = store.batch();
      // As the pipeline does (knowledge/ingest.ts embedRange): the chunk is written back whole.
      snaps.forEach((s, j) =>
        batch.set(chunkPaths[j], {
          ...s.data,
          embedding: vector(vectors[j]),
          embeddingModel: "alchemist-hash-v1@1/256",
        }),
      );
      await batch.commit();
      time.writeVectors += clock() - t;
      t = clock();
      await keywords.upsert(
        scope,
        snaps.map((s) => ({ id: s.id, group: docId, text: s.data.text })),
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
