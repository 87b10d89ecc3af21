// Bench phase, with LOCAL_MODELS_DIR only: the models in that folder, loaded as the runtime loads them
// (local/src/adapters/onnx-models.ts). Measures the embedder's throughput on passages and its latency on one
// question, and the cross-encoder's throughput and its latency for one question's 20 candidates, on passages
// of the synthetic corpus. Prints one JSON line; asserts nothing.
import { localLib, percentile } from "./common.mjs";
import { prng, syntheticCorpus } from "./corpus.mjs";

const [, modelsDir, passagesArg, questionsArg] = process.argv.slice(2);
const passageCount = Number(passagesArg ?? 256);
const questionCount = Number(questionsArg ?? 30);
/** Candidates a search gives the cross-encoder (search.ts: max(20, k)). */
const candidates = 20;

const { openLocalModels } = await import(localLib("adapters/onnx-models.js"));
const clock = () => performance.now();
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), n: s.length };
};

const loadStarted = clock();
const { embedder, reranker } = await openLocalModels(modelsDir);
const loadSeconds = (clock() - loadStarted) / 1000;

// Passages: the corpus's paragraphs (50-70 words, like a chunk's sentences); questions: 3-8 words from them.
const corpus = syntheticCorpus();
const passages = [];
for (let d = 0; passages.length < passageCount; d++) {
  for (const paragraph of corpus.document(d).split("\n\n")) {
    if (!paragraph.startsWith("#") && passages.length < passageCount) passages.push(paragraph);
  }
}
const questions = Array.from({ length: questionCount }, (_, i) => corpus.query(i, 0, 50));
const rand = prng(20261205);

const result = { loadSeconds, passages: passages.length, questions: questions.length };

if (embedder) {
  const started = clock();
  for (let i = 0; i < passages.length; i += embedder.maxBatchSize) {
    await embedder.embed(passages.slice(i, i + embedder.maxBatchSize), { kind: "document" });
  }
  const seconds = (clock() - started) / 1000;
  const query = [];
  for (const q of questions) {
    const t = clock();
    await embedder.embed([q], { kind: "query" });
    query.push(clock() - t);
  }
  result.embedder = {
    label: embedder.info.label,
    dimensions: embedder.info.dimensions,
    passagesPerSecond: passages.length / seconds,
    queryMs: stats(query),
  };
}

if (reranker) {
  const perQuestion = [];
  const started = clock();
  for (const q of questions) {
    const pool = Array.from({ length: candidates }, () => passages[Math.floor(rand() * passages.length)]);
    const t = clock();
    await reranker.score(q, pool);
    perQuestion.push(clock() - t);
  }
  const seconds = (clock() - started) / 1000;
  result.reranker = {
    label: reranker.info.label,
    pairsPerSecond: (questions.length * candidates) / seconds,
    questionMs: stats(perQuestion),
  };
}

console.log(JSON.stringify(result));
