#!/usr/bin/env node
// `npm run bench`: Knowledge Vault search and ingestion, then the Agent Engine, the WhatsApp webhook's time to
// acknowledge (scripts/bench/whatsapp.mjs), then bulk uploads, in local
// mode with the built-in models, on a deterministic synthetic corpus, then the Agent Studio, measured against
// the issue's targets on this machine. Five processes: phase 1 ingests (throughput), phase 2 is a fresh
// process like the runtime after a restart (index build, latency, memory), phase 3 runs the local runtime as
// a child process and talks to an agent over HTTP (overhead per turn, turns per second), phase 4 uploads a
// folder's worth of small files over HTTP (batched and one per request), phase 5 builds the web app (bundle
// sizes, initial JS) and loads /agents in Debian's Chromium (first-load time). Phase 2 also runs the
// baselines (SQLite FTS5 with BM25, a brute-force vector scan) over the same chunks and queries. With
// BENCH_VECTORS1536=1, a last phase writes 100k synthetic 1,536-dimensional vectors through the store and
// measures the int8 index in a fresh process (about 3 minutes more). With LOCAL_MODELS_DIR, a phase measures
// the models in that folder: their throughput, and the turn overhead of a runtime that uses them (the other
// phases always run the built-in models). A phase imports the largest real OpenAPI documents with Tool Forge's
// importer (scripts/bench/openapi-import.mjs: time and peak RSS, a fresh process each), and its executor's
// overhead per HTTP tool call, the remote call left out (scripts/bench/tool-executor.mjs), then what metering
// adds to a turn and what the 90-day usage page reads (scripts/bench/billing.mjs), then what the monitor's
// metrics add to a turn (scripts/bench/metrics.mjs: two runtimes, METRICS_ENABLED on and off), then a 100-item
// Sandbox eval run over HTTP from start to completed (scripts/bench/eval.mjs, BENCH_EVAL_ITEMS), then what
// long-term memory adds to a turn with 1,000 memories (scripts/bench/memory.mjs, BENCH_MEMORY_TURNS). Prints figures,
// asserts nothing.
// Sizes: BENCH_SMALL, BENCH_LARGE, BENCH_QUERIES, BENCH_AGENT_TURNS, BENCH_AGENT_CONCURRENCY,
// BENCH_STUDIO_RUNS, BENCH_BULK_FILES, BENCH_VECTORS1536_ROWS, BENCH_VECTORS1536_QUERIES,
// BENCH_METRICS_ROUNDS, BENCH_METRICS_TURNS_PER_ROUND, BENCH_METRICS_BATCHES.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const small = Number(process.env.BENCH_SMALL ?? 10_000);
const large = Number(process.env.BENCH_LARGE ?? 100_000);
const queryCount = Number(process.env.BENCH_QUERIES ?? 300);
const agentTurns = Number(process.env.BENCH_AGENT_TURNS ?? 300);
const agentConcurrency = Number(process.env.BENCH_AGENT_CONCURRENCY ?? 100);
const studioRuns = Number(process.env.BENCH_STUDIO_RUNS ?? 10);
const bulkFiles = Number(process.env.BENCH_BULK_FILES ?? 485);
const vectors1536 = process.env.BENCH_VECTORS1536 === "1";
const vectors1536Rows = Number(process.env.BENCH_VECTORS1536_ROWS ?? 100_000);
const vectors1536Queries = Number(process.env.BENCH_VECTORS1536_QUERIES ?? 200);
/** Messages each concurrent conversation sends, one after another. */
const agentMessages = 5;
const targets = {
  p50: 20,
  p99: 60,
  rssMb: 400,
  ingestMbps: 2,
  turnP50: 15,
  turnP99: 50,
  initialJsKb: 300,
  agentsFirstLoadMs: 1500,
  bulkReadySeconds: 3,
  vectors1536RssMb: 500,
  whatsappAckP99: 50,
  openapiImportSeconds: 5,
  openapiImportRssMb: 300,
  toolExecutorP50: 2,
  meteringP50: 1,
  usagePageReads: 100,
  metricsOverheadPct: 2,
  evalRunSeconds: 60,
  memoryAddedP50: 5,
  vectors1536Recall: 0.98,
};
/**
 * Issue 17's figures for the tree before it (rate limits off, 10k chunks, this machine): turn overhead and
 * runtime CPU per turn under load, to stay within 20% of.
 */
const before17 = { turnP50: 9.4, turnP99: 20.6, cpuMsPerTurn: 13, retrievalP50: 7.3 };
const within = 1.2;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-bench-"));

/**
 * The bench measures the built-in models; LOCAL_MODELS_DIR is measured in a phase of its own (below), so it is
 * kept from every other phase and the runtimes they start.
 */
const modelsDir = process.env.LOCAL_MODELS_DIR?.trim() || null;
const builtInEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== "LOCAL_MODELS_DIR"),
);

function phase(script, args, env = builtInEnv) {
  const result = spawnSync(process.execPath, ["--expose-gc", path.join(here, script), dataDir, ...args], {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? "");
    throw new Error(`${script} failed with exit code ${result.status}`);
  }
  const lines = result.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

const fmt = (x, digits = 1) => x.toFixed(digits);
const ratio = (value, target, unit, lowerIsBetter = true) =>
  `(target ${lowerIsBetter ? "≤" : "≥"} ${target} ${unit}: ${fmt(value / target, 2)}×)`;
const k = (n) => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(n));

try {
  console.log(
    `Knowledge Vault bench: local mode, built-in hash embedder (256 dims), ${os.cpus().length} cores`,
  );
  console.log(
    `corpus: synthetic English (Zipf), seed 20260301; ${k(small)} + ${k(large)} chunks; ${queryCount} queries per figure`,
  );
  const started = performance.now();

  const ingest = phase("ingest.mjs", [String(small), String(large), String(Math.min(queryCount, 100))]);
  const t = ingest.total;
  const mbps = t.bytes / 1024 / 1024 / t.seconds;
  console.log(
    "\nIngest: parse-batch writes + embed + chunk writes (text and vector, once) + keyword upserts, measured",
  );
  console.log(
    "        directly with the pipeline's steps and sizes (64 chunks per embed batch); SQLite synchronous =",
    process.env.ALCHEMIST_SQLITE_SYNC === "FULL" ? "FULL" : "NORMAL",
  );
  console.log(
    `  ${t.chunks} chunks (${fmt(t.words / t.chunks, 0)} words each), ${fmt(t.bytes / 1024 / 1024)} MB of text in ${fmt(t.seconds)} s: ` +
      `${fmt(mbps, 2)} MB/s ${ratio(mbps, targets.ingestMbps, "MB/s", false)}, ${fmt(t.chunks / t.seconds, 0)} chunks/s`,
  );
  const parts = Object.entries(ingest.time)
    .map(([name, ms]) => `${name} ${fmt(ms / 1000)} s (${fmt((ms * 1000) / t.chunks, 0)} µs/chunk)`)
    .join(", ");
  console.log(`  time by step: ${parts}`);
  console.log(
    `  the large base's indexes were built at ${k(ingest.warmedAt)} chunks and kept current by the remaining writes`,
  );

  const search = phase("search.mjs", [JSON.stringify(ingest.docs), String(queryCount)]);
  console.log("\nIndex build (first query of a scope, in a fresh process):");
  for (const [kbId, size] of [
    ["small", small],
    ["large", large],
  ])
    console.log(
      `  ${k(size)} chunks: vector ${fmt(search.build[kbId].vectorMs, 0)} ms, keyword ${fmt(search.build[kbId].keywordMs, 0)} ms`,
    );

  console.log("\nSearch latency (50 candidates per retriever, as the Knowledge Vault's search asks):");
  const summary = [];
  for (const [kbId, size] of [
    ["small", small],
    ["large", large],
  ]) {
    for (const mode of ["vector", "keyword", "both"]) {
      const l = search.latency[kbId][mode];
      console.log(
        `  ${k(size).padStart(4)} ${mode.padEnd(7)}  p50 ${fmt(l.p50, 2).padStart(6)} ms ${ratio(l.p50, targets.p50, "ms")}` +
          `   p99 ${fmt(l.p99, 2).padStart(6)} ms ${ratio(l.p99, targets.p99, "ms")}`,
      );
      if (kbId === "large") summary.push({ mode, ...l });
    }
  }
  console.log(
    "  vector = embed the question + findNearest; keyword = KeywordIndex.search; both = the two, the",
  );
  console.log("  keyword hits' chunk documents read, and reciprocal rank fusion");
  console.log(
    "\nBaselines over the same chunks and queries: a plain SQLite FTS5 table (porter unicode61, bm25(), the",
  );
  console.log(
    "  question's words OR-ed) and a brute-force scan (every stored vector scored in Float64, a plain loop);",
  );
  console.log(
    "  each baseline returns what its platform mode returns (the scan also reads its 50 hits' documents,",
  );
  console.log(
    "  as findNearest does; hybrid = both, the keyword hits' documents, RRF). Quality: hit@10 / MRR@10 of",
  );
  console.log(
    "  the chunk each query was drawn from (the synthetic corpus has no relevance labels; the label is the",
  );
  console.log(
    "  chunk of the query's source document holding the longest run of the words it was picked from).",
  );
  const names = {
    keyword: ["keyword", "FTS5 bm25"],
    vector: ["vector", "brute force"],
    both: ["hybrid", "FTS5 + scan"],
  };
  for (const [kbId, size] of [
    ["small", small],
    ["large", large],
  ]) {
    const base = search.baselines[kbId];
    console.log(
      `  ${k(size)} chunks (FTS5 table built in ${fmt(base.build.ftsMs, 0)} ms, vectors loaded in ${fmt(base.build.vectorsMs, 0)} ms; ` +
        `${base.quality.keyword.labelled} of ${base.queries} queries labelled):`,
    );
    for (const mode of ["keyword", "vector", "both"]) {
      const p = search.latency[kbId][mode];
      const bl = base.latency[mode];
      const pq = base.platformQuality[mode];
      const bq = base.quality[mode];
      console.log(
        `    ${names[mode][0].padEnd(7)} platform p50 ${fmt(p.p50, 2).padStart(6)} / p99 ${fmt(p.p99, 2).padStart(6)} ms, ` +
          `${names[mode][1].padEnd(11)} p50 ${fmt(bl.p50, 2).padStart(6)} / p99 ${fmt(bl.p99, 2).padStart(6)} ms: ` +
          `platform/baseline ${fmt(p.p50 / bl.p50, 2)}× / ${fmt(p.p99 / bl.p99, 2)}×; ` +
          `hit@10 ${fmt(pq.hitAt10, 2)} vs ${fmt(bq.hitAt10, 2)}, MRR@10 ${fmt(pq.mrrAt10, 3)} vs ${fmt(bq.mrrAt10, 3)}`,
      );
    }
    console.log(
      `    vector answers identical to the brute-force scan (chunks, order, distances): ${base.identicalVector} of ${base.queries}`,
    );
  }
  const b = search.before;
  console.log(
    `\nBefore (findNearest reading every vector of the scope from SQLite, ${k(large)} chunks): p50 ${fmt(b.p50, 0)} ms over ${b.queries} queries; ` +
      `index results identical to it: ${b.mismatches === 0 ? "yes" : `NO (${b.mismatches} differ)`}`,
  );
  const c = search.consistency;
  console.log(
    `Indexes kept current through ${k(large - ingest.warmedAt)} writes vs built from scratch (${c.queries} queries): ` +
      (c.vectorMismatches + c.keywordMismatches === 0
        ? "identical"
        : `${c.vectorMismatches} vector and ${c.keywordMismatches} keyword answers DIFFER`),
  );

  const peak = search.rss.peak;
  console.log(
    `\nMemory of the search process (the runtime after a restart) with ${k(small + large)} chunks indexed:`,
  );
  console.log(
    `  RSS ${fmt(search.rss.open, 0)} MB after opening, ${fmt(search.rss.indexed, 0)} MB with indexes built, ` +
      `peak ${fmt(peak, 0)} MB ${ratio(peak, targets.rssMb, "MB")}`,
  );
  for (const s of search.memory)
    console.log(
      `    ${s.label.padEnd(24)} RSS ${fmt(s.rss, 0).padStart(4)} MB  JS heap ${fmt(s.heap, 0).padStart(4)} MB  typed arrays ${fmt(s.arrayBuffers, 0).padStart(4)} MB`,
    );
  console.log(
    `  (ingest process peak ${fmt(ingest.maxRssMb, 0)} MB, with both indexes kept current; the old full scan ` +
      `took the search process to ${fmt(search.rss.peakWithOldScan, 0)} MB, the baselines to ${fmt(search.rss.peakWithBaselines, 0)} MB)`,
  );

  const agent = phase("agent.mjs", [
    String(small),
    String(agentTurns),
    String(agentConcurrency),
    String(agentMessages),
  ]);
  const kb = agent.knowledgeBase;
  const seq = agent.sequential;
  const load = agent.load;
  const ms = (s, digits = 1) =>
    `p50 ${fmt(s.p50, digits).padStart(5)} ms   p99 ${fmt(s.p99, digits).padStart(5)} ms`;
  console.log(
    `\nAgent Engine: the compiled local runtime as a child process (as npm start runs it), built-in extractive`,
  );
  console.log(
    `  model, over HTTP on loopback; the load generator shares the ${os.cpus().length} cores with the runtime`,
  );
  console.log(
    `  knowledge base: ${kb.documents} uploads of ${kb.corpusDocumentsPerUpload} corpus documents, ${kb.chunks} chunks, ${fmt(kb.bytes / 1024 / 1024)} MB; ` +
      `ingested through the upload API and pipeline in ${fmt(kb.ingestSeconds)} s ` +
      `(${fmt(kb.bytes / 1024 / 1024 / kb.ingestSeconds, 2)} MB/s with the per-document steps)`,
  );
  console.log(
    `  first turn ${fmt(agent.firstTurnMs, 0)} ms (it builds the knowledge base's in-memory indexes)`,
  );
  const outcomes = Object.entries(seq.statuses)
    .sort((x, y) => y[1] - x[1])
    .map(([status, n]) => `${n} ${status}`)
    .join(", ");
  console.log(
    `\nPlatform overhead per turn, model time excluded (${seq.turns} sequential turns, ${seq.perConversation} per ` +
      `conversation; ${outcomes}; ${seq.errors} errors):`,
  );
  const o = seq.overhead;
  console.log(
    `  engine: trace total − generation        p50 ${fmt(o.p50).padStart(5)} ms ${ratio(o.p50, targets.turnP50, "ms")}` +
      `   p99 ${fmt(o.p99).padStart(5)} ms ${ratio(o.p99, targets.turnP99, "ms")}`,
  );
  console.log("    (total: from the start of the turn to just before the transaction that writes it)");
  if (seq.handlerLessGeneration)
    console.log(
      `  + authentication, validation, the write ${ms(seq.handlerLessGeneration)}   (the API's request time − generation)`,
    );
  console.log(
    `  + HTTP and the client                   ${ms(seq.httpLessGeneration)}   (round trip − generation)`,
  );
  const step = (name, s) => `${name} ${fmt(s.p50)}/${fmt(s.p99)}`;
  console.log(
    `  engine by step, p50/p99 ms: ${step("retrieval", seq.retrieval)}, ${step("context", seq.context)}, ` +
      `${step("checks", seq.checks)}, ${step("guardrails", seq.guardrails)}, ` +
      `${step("loading the conversation, agent and history", seq.unstepped)}; ` +
      `and the model ${fmt(seq.generation.p50)}/${fmt(seq.generation.p99)}`,
  );

  const cpuMsPerTurn = load.runtimeCpuSeconds === null ? null : (load.runtimeCpuSeconds * 1000) / load.turns;
  const vs17 = (value, before) =>
    `${fmt(value)} vs ${before} ms (${value > before ? "+" : ""}${fmt((value / before - 1) * 100, 0)}%)`;
  console.log(
    `  against issue 17's baseline (keep within +20%): overhead p50 ${vs17(o.p50, before17.turnP50)}, ` +
      `p99 ${vs17(o.p99, before17.turnP99)}, retrieval p50 ${vs17(seq.retrieval.p50, before17.retrievalP50)}` +
      (cpuMsPerTurn === null
        ? ""
        : `; runtime CPU per turn under load ${vs17(cpuMsPerTurn, before17.cpuMsPerTurn)}`),
  );

  const errors = load.errors + load.mismatchedConversations;
  console.log(
    `\nConcurrency: ${load.conversations} conversations at once, ${load.perConversation} messages each one after another ` +
      `(${load.turns} turns), over HTTP:`,
  );
  console.log(
    `  ${fmt(load.turnsPerSecond)} turns/s; errors ${load.errors} (target 0), conversations not holding exactly ` +
      `their ${2 * load.perConversation} messages in order ${load.mismatchedConversations}; ` +
      `latency p50 ${fmt(load.latency.p50, 0)} ms, p99 ${fmt(load.latency.p99, 0)} ms`,
  );
  if (load.errorSample.length > 0) console.log(`  first errors: ${JSON.stringify(load.errorSample)}`);
  if (load.runtimeCpuSeconds !== null)
    console.log(
      `  runtime CPU ${fmt(load.runtimeCpuSeconds)} s in ${fmt(load.seconds)} s (${fmt((load.runtimeCpuSeconds * 1000) / load.turns)} ms/turn; ` +
        `its JavaScript runs on one thread), load generator CPU ${fmt(load.benchCpuSeconds)} s; ` +
        `runtime peak RSS ${fmt(agent.runtimePeakRssMb, 0)} MB`,
    );

  if (modelsDir) {
    const m = phase("local-models.mjs", [modelsDir, "256", "30"], process.env);
    console.log(
      `\nLocal models (LOCAL_MODELS_DIR=${modelsDir}), loaded and tried in ${fmt(m.loadSeconds)} s:`,
    );
    if (m.embedder)
      console.log(
        `  embedder ${m.embedder.label}: ${fmt(m.embedder.passagesPerSecond, 0)} passages/s ` +
          `(${m.passages} corpus paragraphs of 50-70 words; issue 17's reference, a MiniLM-sized int8 embedder: ~170 sentences/s); ` +
          `one question ${ms(m.embedder.queryMs)}`,
      );
    if (m.reranker)
      console.log(
        `  reranker ${m.reranker.label}: ${fmt(m.reranker.pairsPerSecond, 0)} pairs/s (reference ~170 pairs/s); ` +
          `one question's 20 candidates ${ms(m.reranker.questionMs)}`,
      );
    const withModels = phase("agent.mjs", ["2000", "60", "10", String(agentMessages)], process.env);
    const w = withModels.sequential;
    console.log(
      `  a runtime with these models, ${withModels.knowledgeBase.chunks} chunks ingested in ${fmt(withModels.knowledgeBase.ingestSeconds)} s: ` +
        `turn overhead ${ms(w.overhead)} (retrieval ${fmt(w.retrieval.p50)}/${fmt(w.retrieval.p99)} ms p50/p99), ` +
        `${fmt(withModels.load.turnsPerSecond)} turns/s at ${withModels.load.conversations} conversations, ` +
        `${withModels.load.errors + withModels.load.mismatchedConversations} errors`,
    );
  } else {
    console.log("\nLocal models: not measured (set LOCAL_MODELS_DIR to measure the models in that folder)");
  }

  const wa = phase("whatsapp.mjs", ["300", "4"]);
  console.log(
    `\nWhatsApp webhook: ${wa.deliveries} signed deliveries, ${wa.concurrency} at a time, to the 200 (recorded and queued; ` +
      `answered after): p50 ${fmt(wa.ackMs.p50)} ms, p99 ${fmt(wa.ackMs.p99)} ms ${ratio(wa.ackMs.p99, targets.whatsappAckP99, "ms")}; ` +
      `${wa.failures} refused, ${wa.replies} replies sent (the answers run in the same process meanwhile)`,
  );

  const openapi = phase("openapi-import.mjs", []);
  console.log("\nTool Forge's OpenAPI import, each document in a fresh process (text → candidate tools):");
  for (const r of openapi.runs)
    console.log(
      `  ${r.file.padEnd(31)} ${fmt(r.bytes / 1024 / 1024).padStart(4)} MB of ${r.format}: ${r.operations} operations → ${r.tools} tools; ` +
        `first import ${fmt(r.firstMs / 1000, 2)} s (then ${fmt(r.bestMs / 1000, 2)} s), peak RSS ${fmt(r.peakRssMb, 0)} MB`,
    );
  const openapiLargest = openapi.runs[0];
  console.log(
    `  largest: ${fmt(openapiLargest.firstMs / 1000, 2)} s ${ratio(openapiLargest.firstMs / 1000, targets.openapiImportSeconds, "s")}, ` +
      `peak RSS ${fmt(openapiLargest.peakRssMb, 0)} MB ${ratio(openapiLargest.peakRssMb, targets.openapiImportRssMb, "MB")}`,
  );

  const executor = phase("tool-executor.mjs", []);
  const overheadMs = (p) =>
    `p50 ${fmt(p.p50, 2)} ms ${ratio(p.p50, targets.toolExecutorP50, "ms")}, p95 ${fmt(p.p95, 2)} ms, p99 ${fmt(p.p99, 2)} ms`;
  console.log(
    `\nTool Forge's executor, ${executor.calls} read-tool calls to a local server answering at once, one at a time:`,
  );
  console.log(
    `  overhead (callTool − a plain node:http request, per percentile) ${overheadMs(executor.overhead)}; ` +
      `the executor alone p50 ${fmt(executor.executor.p50, 3)} ms, the egress guard p50 ${fmt(executor.guard.p50, 3)} ms ` +
      `(plain request p50 ${fmt(executor.plain.p50, 2)} ms)`,
  );

  const billing = phase("billing.mjs", []);
  console.log(`\nBilling: metering and the usage page (scripts/bench/billing.mjs), on the local store:`);
  console.log(
    `  a turn's usage event, in the transaction that records the answer: overhead p50 ${fmt(billing.overhead.p50, 3)} ms ` +
      `${ratio(billing.overhead.p50, targets.meteringP50, "ms")}, p95 ${fmt(billing.overhead.p95, 3)} ms, p99 ${fmt(billing.overhead.p99, 3)} ms; ` +
      `the meter afterwards (its trigger) p50 ${fmt(billing.meter.p50, 2)} ms, p95 ${fmt(billing.meter.p95, 2)} ms`,
  );
  console.log(
    `  the usage page for ${billing.usageDays} days: ${billing.usageReads} documents ${ratio(billing.usageReads, targets.usagePageReads, "documents")}, ` +
      `the overview ${billing.overviewReads} documents`,
  );

  const metrics = phase("metrics.mjs", []);
  const pct = (x) => (x === null ? "n/a" : `${x >= 0 ? "+" : ""}${fmt(x, 2)}%`);
  const mo = metrics.e2e;
  console.log(`\nMonitor: what per-process metrics cost (scripts/bench/metrics.mjs):`);
  console.log(
    `  recording a sample: request p50 ${fmt(metrics.micro.request.on.p50, 0)} ns / p99 ${fmt(metrics.micro.request.on.p99, 0)} ns, ` +
      `turn p50 ${fmt(metrics.micro.turn.on.p50, 0)} ns / p99 ${fmt(metrics.micro.turn.on.p99, 0)} ns ` +
      `(${fmt(metrics.recordingPct, 3)}% of a turn)`,
  );
  console.log(
    `  a turn over HTTP, ${mo.on.turns} per runtime in ${mo.rounds} alternating rounds: METRICS_ENABLED=true p50 ${fmt(mo.on.p50, 2)} ms / ` +
      `p95 ${fmt(mo.on.p95, 2)} ms, false p50 ${fmt(mo.off.p50, 2)} ms / p95 ${fmt(mo.off.p95, 2)} ms ` +
      `(on/off ${fmt(mo.ratio.p50, 3)}× / ${fmt(mo.ratio.p95, 3)}×); runtime CPU ${pct(mo.cpuOverheadPct)}`,
  );
  console.log(
    `  metrics add ${pct(mo.pairedOverheadPct.median)} to turn latency (95% CI ${pct(mo.pairedOverheadPct.low)} … ` +
      `${pct(mo.pairedOverheadPct.high)}) (target ≤ ${targets.metricsOverheadPct}%); turns recorded ` +
      `${mo.on.storedTurns} with metrics on, ${mo.off.storedTurns} with them off`,
  );

  const evalRun = phase("eval.mjs", [String(Number(process.env.BENCH_EVAL_ITEMS ?? 100))]);
  console.log(
    `\nSandbox: a ${evalRun.items}-item eval run over HTTP (scripts/bench/eval.mjs), built-in models, from its start ` +
      `request to completed: ${fmt(evalRun.seconds)} s ${ratio(evalRun.seconds, targets.evalRunSeconds, "s")}, ` +
      `${evalRun.status}, ${evalRun.progress.done}/${evalRun.progress.total} items, ${evalRun.progress.errors} failed turns` +
      (evalRun.scores
        ? `; turn latency p50 ${fmt(evalRun.scores.latencyMs.p50)} ms / p95 ${fmt(evalRun.scores.latencyMs.p95)} ms, ` +
          `accuracy ${evalRun.scores.accuracy}`
        : ""),
  );

  const memory = phase("memory.mjs", [String(Number(process.env.BENCH_MEMORY_TURNS ?? 300))]);
  console.log(
    `\nLong-term memory (scripts/bench/memory.mjs): ${memory.memories} memories for one end user, ${memory.turns} ` +
      `turns per arm in-process, memory on and off alternately (built-in models, no knowledge base):`,
  );
  console.log(
    `  turn p50 ${fmt(memory.on.p50, 2)} ms with memory, ${fmt(memory.off.p50, 2)} ms without; memory adds ` +
      `${fmt(memory.addedMs.median, 2)} ms (median of pairs) ${ratio(memory.addedMs.median, targets.memoryAddedP50, "ms")}`,
  );
  console.log(
    `  recall alone: warm p50 ${fmt(memory.recall.warm.p50, 2)} ms / p99 ${fmt(memory.recall.warm.p99, 2)} ms; ` +
      `cold (after another instance wrote) p50 ${fmt(memory.recall.cold.p50, 1)} ms`,
  );

  const bulk = phase("bulk.mjs", [String(bulkFiles), "100"]);
  const mb = (bytes) => `${fmt(bytes / 1024 / 1024, 2)} MB`;
  console.log(
    `\nBulk upload over HTTP: ${bulk.files} small documents (${mb(bulk.bytes)}), the runtime's default limits:`,
  );
  for (const [label, run] of [
    [`several per request (${bulk.perRequest} a request)`, bulk.batched],
    ["one per request, 8 in flight", bulk.single],
  ])
    console.log(
      `  ${label.padEnd(34)} ${String(run.requests).padStart(4)} requests: answered in ${fmt(run.uploadedSeconds)} s, ` +
        `all ready in ${fmt(run.readySeconds)} s ${ratio(run.readySeconds, targets.bulkReadySeconds, "s")}` +
        (run.waits.count > 0 ? `; ${run.waits.count} 429s (${run.waits.seconds} s of Retry-After)` : ""),
    );

  const studio = phase("studio.mjs", [String(studioRuns)]);
  const kb1 = (bytes) => `${fmt(bytes / 1024)} KB`;
  const initialKb = studio.initial.gzip / 1024;
  console.log(
    "\nAgent Studio: the web app's production build (vite build), gzip at zlib's default level, as a server sends it",
  );
  console.log(
    `  ${studio.total.files} JS chunks, ${kb1(studio.total.bytes)} raw, ${kb1(studio.total.gzip)} gzipped; ` +
      "* = initial (index.html's entry and module preloads, with their static imports):",
  );
  for (const c of studio.chunks)
    console.log(
      `    ${c.initial ? "*" : " "} ${c.file.padEnd(40)} ${kb1(c.bytes).padStart(10)} raw ${kb1(c.gzip).padStart(10)} gzipped`,
    );
  console.log(
    `  initial JS: ${studio.initial.files.length} chunks, ${kb1(studio.initial.bytes)} raw, ${fmt(initialKb)} KB gzipped ` +
      `${ratio(initialKb, targets.initialJsKb, "KB")}; every page's own code loads when it is opened`,
  );
  const firstLoad = studio.firstLoad;
  if (firstLoad)
    console.log(
      `  first load of /agents (navigation start → agents table painted; fresh browser context, signed in, runtime warm),\n` +
        `  ${firstLoad.runs} runs in Debian's Chromium: p50 ${fmt(firstLoad.p50, 0)} ms ${ratio(firstLoad.p50, targets.agentsFirstLoadMs, "ms")}` +
        `   p95 ${fmt(firstLoad.p95, 0)} ms ${ratio(firstLoad.p95, targets.agentsFirstLoadMs, "ms")}; ` +
        `DOMContentLoaded p50 ${fmt(firstLoad.domContentLoadedP50, 0)} ms; ${firstLoad.jsFiles} JS files, ${kb1(firstLoad.jsTransferBytes)} transferred`,
    );
  else console.log(`  first load of /agents: skipped: ${studio.firstLoadSkipped}`);

  let v1536 = null;
  if (vectors1536) {
    const written = phase("vectors1536.mjs", ["write", String(vectors1536Rows)]);
    v1536 = phase("vectors1536.mjs", ["search", String(vectors1536Rows), String(vectors1536Queries)]);
    const v = v1536;
    console.log(
      `\nProvider-sized vectors (synthetic: seeded clustered unit vectors, ${v.rows} × 1536 dims, COSINE), through the SQLite store:`,
    );
    console.log(
      `  written as chunk documents in ${fmt(written.writeSeconds)} s (generating them ${fmt(written.generateSeconds)} s more), ` +
        `${fmt(written.fileMb, 0)} MB of database; writer peak RSS ${fmt(written.maxRssMb, 0)} MB`,
    );
    console.log(
      `  fresh process (the runtime after a restart), ${v.keys} keys: index built on the first findNearest in ${fmt(v.buildMs / 1000, 1)} s; ` +
        `peak RSS ${fmt(v.peakMb, 0)} MB ${ratio(v.peakMb, targets.vectors1536RssMb, "MB")}`,
    );
    for (const s of v.memory)
      console.log(
        `    ${s.label.padEnd(24)} RSS ${fmt(s.rss, 0).padStart(4)} MB  JS heap ${fmt(s.heap, 0).padStart(4)} MB  typed arrays ${fmt(s.arrayBuffers, 0).padStart(4)} MB`,
      );
    console.log(
      `  findNearest over ${v.queries} queries: limit 10 p50 ${fmt(v.latency[10].p50, 1)} ms / p99 ${fmt(v.latency[10].p99, 1)} ms, ` +
        `limit 50 p50 ${fmt(v.latency[50].p50, 1)} ms / p99 ${fmt(v.latency[50].p99, 1)} ms; ` +
        `rows re-scored from SQLite for the top 10: p50 ${v.rescored.p50}, max ${v.rescored.max} (${v.rescored.queries} queries)`,
    );
    console.log(
      `  recall@10 against an exact brute-force scan of the stored doubles: ${fmt(v.recallAt10, 4)} ` +
        `(target ≥ ${targets.vectors1536Recall}); identical answers (chunks, order, distances) ` +
        `${v.identical} of ${v.queries}; the scan took ${fmt(v.bruteSeconds)} s for all queries at once`,
    );
  }

  const both = summary.find((s) => s.mode === "both");
  const misses = [
    ...summary.flatMap((s) => [
      ...(s.p50 > targets.p50 ? [`${s.mode} p50 ${fmt(s.p50)} ms`] : []),
      ...(s.p99 > targets.p99 ? [`${s.mode} p99 ${fmt(s.p99)} ms`] : []),
    ]),
    ...(peak > targets.rssMb ? [`RSS ${fmt(peak, 0)} MB`] : []),
    ...(mbps < targets.ingestMbps ? [`ingest ${fmt(mbps, 2)} MB/s`] : []),
    ...(b.mismatches > 0 ? ["index results differ from the full scan"] : []),
    ...(c.vectorMismatches + c.keywordMismatches > 0 ? ["maintained indexes differ from fresh ones"] : []),
    ...(o.p50 > targets.turnP50 ? [`turn overhead p50 ${fmt(o.p50)} ms`] : []),
    ...(o.p99 > targets.turnP99 ? [`turn overhead p99 ${fmt(o.p99)} ms`] : []),
    ...(o.p50 > before17.turnP50 * within
      ? [`turn overhead p50 ${fmt(o.p50)} ms (> issue 17's 9.4 + 20%)`]
      : []),
    ...(o.p99 > before17.turnP99 * within
      ? [`turn overhead p99 ${fmt(o.p99)} ms (> issue 17's 20.6 + 20%)`]
      : []),
    ...(cpuMsPerTurn !== null && cpuMsPerTurn > before17.cpuMsPerTurn * within
      ? [`runtime CPU ${fmt(cpuMsPerTurn)} ms/turn (> issue 17's 13 + 20%)`]
      : []),
    ...(v1536 && v1536.peakMb > targets.vectors1536RssMb ? [`1536-dim RSS ${fmt(v1536.peakMb, 0)} MB`] : []),
    ...(v1536 && v1536.recallAt10 < targets.vectors1536Recall
      ? [`1536-dim recall@10 ${fmt(v1536.recallAt10, 3)}`]
      : []),
    ...(seq.errors > 0 ? [`${seq.errors} failed sequential turns`] : []),
    ...(wa.ackMs.p99 > targets.whatsappAckP99 ? [`WhatsApp webhook p99 ${fmt(wa.ackMs.p99)} ms`] : []),
    ...(openapiLargest.firstMs / 1000 > targets.openapiImportSeconds
      ? [`OpenAPI import ${fmt(openapiLargest.firstMs / 1000, 2)} s`]
      : []),
    ...(openapiLargest.peakRssMb > targets.openapiImportRssMb
      ? [`OpenAPI import RSS ${fmt(openapiLargest.peakRssMb, 0)} MB`]
      : []),
    ...(executor.overhead.p50 > targets.toolExecutorP50
      ? [`tool executor overhead p50 ${fmt(executor.overhead.p50, 2)} ms`]
      : []),
    ...(billing.overhead.p50 > targets.meteringP50
      ? [`metering p50 ${fmt(billing.overhead.p50, 3)} ms`]
      : []),
    ...(billing.usageReads > targets.usagePageReads ? [`usage page ${billing.usageReads} documents`] : []),
    ...(metrics.e2e.pairedOverheadPct.median > targets.metricsOverheadPct
      ? [`metrics add ${fmt(metrics.e2e.pairedOverheadPct.median, 2)}% to turn latency`]
      : []),
    ...(errors > 0 ? [`${errors} errors under load`] : []),
    ...(memory.addedMs.median > targets.memoryAddedP50
      ? [`long-term memory adds ${fmt(memory.addedMs.median, 2)} ms to a turn`]
      : []),
    ...(evalRun.status !== "completed" || evalRun.seconds > targets.evalRunSeconds
      ? [`${evalRun.items}-item eval run ${evalRun.status} in ${fmt(evalRun.seconds)} s`]
      : []),
    ...(bulk.batched.readySeconds > targets.bulkReadySeconds
      ? [`bulk upload ready in ${fmt(bulk.batched.readySeconds)} s`]
      : []),
    ...(initialKb > targets.initialJsKb ? [`initial JS ${fmt(initialKb)} KB gzipped`] : []),
    ...(firstLoad && firstLoad.p50 > targets.agentsFirstLoadMs
      ? [`/agents first load p50 ${fmt(firstLoad.p50, 0)} ms`]
      : []),
  ];
  console.log(
    `\nbench: ${misses.length === 0 ? "all targets met" : `missed: ${misses.join(", ")}`}; ` +
      `${k(large)} hybrid p50 ${fmt(both.p50)} ms / p99 ${fmt(both.p99)} ms, RSS peak ${fmt(peak, 0)} MB, ` +
      `ingest ${fmt(mbps, 2)} MB/s, turn overhead p50 ${fmt(o.p50)} ms / p99 ${fmt(o.p99)} ms, ` +
      `${fmt(load.turnsPerSecond)} turns/s at ${load.conversations} conversations with ${errors} errors` +
      (cpuMsPerTurn === null ? ", " : ` (${fmt(cpuMsPerTurn)} ms of runtime CPU a turn), `) +
      (v1536
        ? `${k(v1536.rows)} × 1536 dims in ${fmt(v1536.peakMb, 0)} MB peak RSS, recall@10 ${fmt(v1536.recallAt10, 3)}, ` +
          `p50 ${fmt(v1536.latency[10].p50, 0)} ms, `
        : "") +
      `OpenAPI import of ${fmt(openapiLargest.bytes / 1024 / 1024, 0)} MB in ${fmt(openapiLargest.firstMs / 1000, 2)} s / ${fmt(openapiLargest.peakRssMb, 0)} MB RSS, ` +
      `tool call overhead p50 ${fmt(executor.overhead.p50, 2)} ms, ` +
      `metrics ${pct(metrics.e2e.pairedOverheadPct.median)} a turn, ` +
      `${bulk.files} files ready in ${fmt(bulk.batched.readySeconds)} s (batched) / ${fmt(bulk.single.readySeconds)} s (one per request), ` +
      `initial JS ${fmt(initialKb)} KB gzipped, /agents first load ` +
      (firstLoad
        ? `p50 ${fmt(firstLoad.p50, 0)} ms / p95 ${fmt(firstLoad.p95, 0)} ms`
        : "skipped (no Chromium)") +
      `, in ${fmt((performance.now() - started) / 1000, 0)} s`,
  );
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
