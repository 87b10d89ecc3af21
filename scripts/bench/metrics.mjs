#!/usr/bin/env node
// Bench phase: what the monitor's metrics cost (platform/metrics).
//   - Recording: one request sample and one turn sample on a MetricsRecorder, in nanoseconds a call, over many
//     batches (p50/p99 of the batches' means), beside the same calls on a recorder turned off. The flush runs
//     every few seconds off the request path: it is left out here and counted in the next figure.
//   - A turn: two compiled local runtimes (as `npm start` runs them), one with METRICS_ENABLED=true and one with
//     false, each with its demo agent, asked the same questions over HTTP in interleaved rounds (question by
//     question, the runtime that goes first alternating from round to round), so drift on the machine falls on
//     both alike. The turn latency is the message request's round trip (routing, the turn, its write, and
//     whatever recording adds to them); the headline is the median over questions of (on / off − 1), with a
//     bootstrap 95% interval, beside each arm's p50/p95; the runtimes' CPU time per turn is read from /proc.
//     The issue's budget: metrics add ≤ 2% to turn latency. Afterwards,
//     the turns each runtime's recorder stored (and its /metrics counted, once served) show that the "on" arm
//     measured and the "off" arm did not (warm-up turns included).
// Prints readable lines then one JSON line; asserts nothing.
//
//   node --expose-gc scripts/bench/metrics.mjs [dataDir] [rounds] [turnsPerRound]
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { lib, localLib, percentile, startRuntime, stopRuntime } from "./common.mjs";

/** run.mjs passes its data folder (and removes it); run alone, the phase makes and removes its own. */
const ownDir = !process.argv[2];
const dataDir = process.argv[2] || fs.mkdtempSync(path.join(os.tmpdir(), "bench-metrics-"));
const rounds = Number(process.argv[3] || process.env.BENCH_METRICS_ROUNDS || 40);
const perRound = Number(process.argv[4] || process.env.BENCH_METRICS_TURNS_PER_ROUND || 25);
/** Turns each runtime answers before the measured ones. */
const warmupTurns = 30;
/** Messages a conversation holds before the next one starts (history grows the turn's context). */
const perConversation = 5;
const budgetPct = 2;

const sortedOf = (xs) => [...xs].sort((a, b) => a - b);
const fmt = (x, d = 1) => (x === null ? "n/a" : x.toFixed(d));

// ----- recording, one call at a time -------------------------------------------------------------------
const { MetricsRecorder } = await import(lib("platform/metrics/recorder.js"));
const { systemClock } = await import(lib("platform/clock.js"));

/** Nothing is written: the flush interval is longer than this measurement. */
const unusedStore = {
  batch: () => ({ set() {}, commit: async () => {} }),
};
const on = new MetricsRecorder(unusedStore, systemClock, { flushEveryMs: 3_600_000 });
const off = new MetricsRecorder(unusedStore, systemClock, { flushEveryMs: 3_600_000, enabled: false });

// Samples as a busy installation sends them: a few workspaces, route templates, statuses and channels.
const routes = [
  ["POST", "/v1/conversations/{conversationId}/messages"],
  ["GET", "/v1/agents"],
  ["GET", "/v1/agents/{agentId}"],
  ["GET", "/v1/conversations/{conversationId}/messages"],
  ["POST", "/v1/knowledge-bases/{kbId}/documents"],
  ["GET", "/v1/traces/{traceId}"],
  ["POST", "/v1/chat/completions"],
  ["GET", "/health"],
];
const statuses = [200, 200, 200, 200, 201, 200, 404, 429, 200, 503];
const channels = ["api", "api", "web", "whatsapp", "openai"];
const turnStatuses = ["answered", "answered", "answered", "abstained", "declined", "failed"];
const requestSamples = Array.from({ length: 1024 }, (_, i) => ({
  tenantId: i % 13 === 0 ? null : `tenant-${i % 5}`,
  method: routes[i % routes.length][0],
  route: routes[i % routes.length][1],
  status: statuses[i % statuses.length],
  ms: 2 + ((i * 37) % 400) / 3,
}));
const turnSamples = Array.from({ length: 1024 }, (_, i) => ({
  tenantId: `tenant-${i % 5}`,
  agentId: `agent-${i % 7}`,
  channel: channels[i % channels.length],
  status: turnStatuses[i % turnStatuses.length],
  ms: 20 + ((i * 53) % 3000),
  tokensIn: 1200 + (i % 900),
  tokensOut: 80 + (i % 300),
  toolCalls: i % 3,
  toolErrors: i % 17 === 0 ? 1 : 0,
  ...(i % 50 === 0 ? { synthetic: true } : {}),
}));

const batches = Number(process.env.BENCH_METRICS_BATCHES || 300);
const callsPerBatch = 5000;
const cases = {
  request: {
    on: (i) => on.request(requestSamples[i & 1023]),
    off: (i) => off.request(requestSamples[i & 1023]),
  },
  turn: { on: (i) => on.turn(turnSamples[i & 1023]), off: (i) => off.turn(turnSamples[i & 1023]) },
};
/** Mean nanoseconds a call over one batch. */
function batch(call) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < callsPerBatch; i++) call(i);
  return Number(process.hrtime.bigint() - t0) / callsPerBatch;
}
const perCall = { request: { on: [], off: [] }, turn: { on: [], off: [] } };
// Warm-up (the JIT), then the four cases taken in turn, batch by batch.
for (let b = 0; b < 30; b++)
  for (const c of Object.values(cases)) {
    batch(c.on);
    batch(c.off);
  }
globalThis.gc?.();
for (let b = 0; b < batches; b++)
  for (const [kind, c] of Object.entries(cases)) {
    perCall[kind].on.push(batch(c.on));
    perCall[kind].off.push(batch(c.off));
  }
const micro = Object.fromEntries(
  Object.entries(perCall).map(([kind, arms]) => [
    kind,
    Object.fromEntries(
      Object.entries(arms).map(([arm, xs]) => {
        const s = sortedOf(xs);
        return [arm, { p50: percentile(s, 50), p99: percentile(s, 99) }];
      }),
    ),
  ]),
);
const recordedSeries = on.processTotals().series.size;

// ----- a turn, metrics on and off -------------------------------------------------------------------------
const apiKey = `bench-${randomBytes(16).toString("hex")}`;
const operatorToken = randomBytes(32).toString("base64url");
const questions = [
  "How many vacation days do I get?",
  "Can I work from home?",
  "How do I claim expenses?",
  "What is the daily allowance when I travel?",
  "How do I report a phishing email?",
  "Can I carry unused vacation days over to next year?",
  "Which laptop do new employees get?",
  "Do I need approval before booking a flight?",
  "What are the core working hours?",
  "Is there a company gym?",
];

/** CPU milliseconds the process has used so far, from /proc (null where there is none). */
function cpuMsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15 of stat, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function open(label, metricsEnabled) {
  const runtime = await startRuntime(path.join(dataDir, `metrics-${label}`), {
    ALCHEMIST_API_KEY: apiKey,
    METRICS_ENABLED: String(metricsEnabled),
    MONITOR_OPERATOR_TOKEN: operatorToken,
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
  });
  const call = async (method, pathname, json, token = apiKey) => {
    const response = await fetch(`${runtime.url}${pathname}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(json === undefined ? {} : { "content-type": "application/json" }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    return { status: response.status, text };
  };
  const must = async (method, pathname, json) => {
    const r = await call(method, pathname, json);
    if (r.status >= 300) throw new Error(`${label}: ${method} ${pathname}: ${r.status} ${r.text}`);
    return JSON.parse(r.text);
  };
  return { label, metricsEnabled, ...runtime, call, must, ms: [], cpuMs: 0, cpuKnown: true, errors: 0 };
}

/** The demo agent, once its knowledge base (seeded on first start) is searchable. */
async function demoAgent(rt) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { knowledgeBases } = await rt.must("GET", "/v1/knowledge-bases");
    const lists = await Promise.all(
      knowledgeBases.map((kb) => rt.must("GET", `/v1/knowledge-bases/${kb.id}/documents`)),
    );
    const docs = lists.flatMap((l) => l.documents);
    if (docs.some((d) => d.status === "failed"))
      throw new Error(`${rt.label}: the demo documents failed to ingest`);
    if (docs.length > 0 && docs.every((d) => d.status === "ready")) break;
    if (Date.now() > deadline) throw new Error(`${rt.label}: the demo documents were not ready in 2 minutes`);
    await sleep(200);
  }
  const { agents } = await rt.must("GET", "/v1/agents");
  const agent = agents.find((a) => a.publishedVersion !== null);
  if (!agent) throw new Error(`${rt.label}: no published demo agent`);
  return agent.id;
}

/** One turn: the message request's round trip (null if it failed). */
async function turn(rt, conversationId, content) {
  const t0 = performance.now();
  const r = await rt.call("POST", `/v1/conversations/${conversationId}/messages`, { content });
  const ms = performance.now() - t0;
  if (r.status !== 200) return null;
  return ms;
}

/** Conversation turns (not synthetic ones) the runtime's `GET /metrics` counted; null if it serves none. */
async function scrapedTurns(rt) {
  const r = await rt.call("GET", "/metrics", undefined, operatorToken);
  // Until the route exists, the studio's fallback answers it with a page: only the exposition counts.
  if (r.status !== 200 || !r.text.includes("# TYPE alchemist_turns_total counter")) return null;
  return r.text
    .split("\n")
    .filter((l) => l.startsWith("alchemist_turns_total{") && !l.includes('synthetic="true"'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

/** A seeded random source, so the bootstrap below gives the same interval for the same figures. */
function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The median of `xs` and its 95% bootstrap interval (percentile method, 2,000 resamples). */
function medianWithInterval(xs) {
  const random = seeded(20260301);
  const medians = [];
  for (let b = 0; b < 2000; b++) {
    const resample = Array.from({ length: xs.length }, () => xs[Math.floor(random() * xs.length)]);
    medians.push(percentile(sortedOf(resample), 50));
  }
  const m = sortedOf(medians);
  return { median: percentile(sortedOf(xs), 50), low: percentile(m, 2.5), high: percentile(m, 97.5) };
}

const opened = await Promise.allSettled([open("on", true), open("off", false)]);
if (opened.some((o) => o.status === "rejected")) {
  await Promise.all(opened.map((o) => (o.status === "fulfilled" ? stopRuntime(o.value.child) : undefined)));
  throw opened.find((o) => o.status === "rejected").reason;
}
const [metricsOn, metricsOff] = opened.map((o) => o.value);
let e2e;
try {
  const [agentOn, agentOff] = await Promise.all([demoAgent(metricsOn), demoAgent(metricsOff)]);
  metricsOn.agentId = agentOn;
  metricsOff.agentId = agentOff;

  /**
   * Turns `first`.. `first + count - 1`, each question asked of both runtimes back to back (`order` says
   * which first), each runtime in its own conversations of `perConversation` messages. Answers the pairs.
   */
  async function ask(first, count, order) {
    const pairs = [];
    const conversations = new Map();
    for (let i = first; i < first + count; i++) {
      const pair = {};
      for (const rt of order) {
        if ((i - first) % perConversation === 0)
          conversations.set(rt, (await rt.must("POST", `/v1/agents/${rt.agentId}/conversations`, {})).id);
        pair[rt.label] = await turn(rt, conversations.get(rt), questions[i % questions.length]);
      }
      pairs.push(pair);
    }
    return pairs;
  }

  // Warm-up: the first search builds the knowledge base's indexes; the JIT settles.
  await ask(0, warmupTurns, [metricsOn, metricsOff]);

  const cpu0 = { on: cpuMsOf(metricsOn.child.pid), off: cpuMsOf(metricsOff.child.pid) };
  const pairs = [];
  // Interleaved rounds: within a round the runtimes take turns question by question, and the one that goes
  // first alternates from round to round, so neither gains from going first (warm caches) or from drift.
  for (let r = 0; r < rounds; r++)
    pairs.push(
      ...(await ask(r * perRound, perRound, r % 2 === 0 ? [metricsOn, metricsOff] : [metricsOff, metricsOn])),
    );
  // The whole process, flushes and timers included, over the measured turns.
  const cpu1 = { on: cpuMsOf(metricsOn.child.pid), off: cpuMsOf(metricsOff.child.pid) };

  const arm = (label) => {
    const ms = pairs.map((p) => p[label]).filter((x) => x !== null);
    const s = sortedOf(ms);
    const cpu =
      cpu0[label] === null || cpu1[label] === null ? null : (cpu1[label] - cpu0[label]) / pairs.length;
    return {
      turns: pairs.length,
      errors: pairs.length - ms.length,
      p50: percentile(s, 50),
      p95: percentile(s, 95),
      cpuMsPerTurn: cpu,
    };
  };
  const a = { ...arm("on"), scrapedTurns: await scrapedTurns(metricsOn) };
  const b = { ...arm("off"), scrapedTurns: await scrapedTurns(metricsOff) };
  // Each question's two answers compared: the spread between questions (a few ms to tens of ms) cancels out.
  const paired = medianWithInterval(
    pairs.filter((p) => p.on !== null && p.off !== null).map((p) => (p.on / p.off - 1) * 100),
  );
  e2e = {
    rounds,
    perRound,
    on: a,
    off: b,
    ratio: { p50: a.p50 / b.p50, p95: a.p95 / b.p95 },
    overheadPct: { p50: (a.p50 / b.p50 - 1) * 100, p95: (a.p95 / b.p95 - 1) * 100 },
    pairedOverheadPct: paired,
    cpuOverheadPct:
      a.cpuMsPerTurn !== null && b.cpuMsPerTurn !== null ? (a.cpuMsPerTurn / b.cpuMsPerTurn - 1) * 100 : null,
  };
} finally {
  await Promise.all([stopRuntime(metricsOn.child), stopRuntime(metricsOff.child)]);
}

/**
 * The turns each runtime's recorder wrote to its store (its platform-scope minute documents, flushed at the
 * latest on shutdown): proof the "on" arm measured and the "off" arm did not, whether or not /metrics is served.
 */
async function storedTurns(rt) {
  const { loadConfig } = await import(lib("platform/config.js"));
  const { openLocalDeps } = await import(localLib("adapters/deps.js"));
  const { bucketsPath, platformScope } = await import(lib("platform/metrics/schema.js"));
  const deps = await openLocalDeps(
    loadConfig({
      ALCHEMIST_MODE: "local",
      ALCHEMIST_DATA_DIR: path.dirname(rt.logFile),
      PORT: "0",
      OPENAI_API_KEY: "none",
      LOG_LEVEL: "ERROR",
    }),
  );
  try {
    const minutes = await deps.store.query({ collection: bucketsPath(platformScope, "minute") });
    return minutes
      .flatMap((m) => m.data.series)
      .filter((s) => s.kind === "turn" && s.labels.synthetic !== "true")
      .reduce((n, s) => n + s.count, 0);
  } finally {
    deps.local.close();
  }
}
e2e.on.storedTurns = await storedTurns(metricsOn);
e2e.off.storedTurns = await storedTurns(metricsOff);
if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });

const { on: a, off: b } = e2e;
// What recording alone adds to a turn: the turn's request sample and its turn sample, against the turn.
const recordingPct = ((micro.request.on.p50 + micro.turn.on.p50) / 1e6 / b.p50) * 100;
const pct = (x) => (x === null ? "n/a" : `${x >= 0 ? "+" : ""}${fmt(x, 2)}%`);
const ns = (s) => `p50 ${fmt(s.p50, 0).padStart(5)} ns, p99 ${fmt(s.p99, 0).padStart(5)} ns`;
console.log(
  `recording one sample on a MetricsRecorder (${batches} batches of ${callsPerBatch} calls; ${recordedSeries} series in the totals):`,
);
for (const kind of ["request", "turn"])
  console.log(`  ${kind.padEnd(7)} metrics on ${ns(micro[kind].on)}; off ${ns(micro[kind].off)}`);
console.log(
  `  a turn's request and turn samples: ${fmt((micro.request.on.p50 + micro.turn.on.p50) / 1000, 1)} µs, ` +
    `${fmt(recordingPct, 3)}% of the turn's p50 below`,
);
const turnLine = (s) =>
  `p50 ${fmt(s.p50, 2)} ms, p95 ${fmt(s.p95, 2)} ms, runtime CPU ${fmt(s.cpuMsPerTurn, 2)} ms/turn, ` +
  `${s.errors} errors; turns recorded: ${s.storedTurns} of ${warmupTurns + s.turns} in its store, ` +
  `${s.scrapedTurns === null ? "/metrics not served" : `${s.scrapedTurns} in /metrics`}`;
console.log(
  `turn latency over HTTP (round trip), the demo agent, two runtimes taking turns: ${rounds} rounds of ` +
    `${perRound} questions, ${a.turns} turns each:`,
);
console.log(`  METRICS_ENABLED=true   ${turnLine(a)}`);
console.log(`  METRICS_ENABLED=false  ${turnLine(b)}`);
console.log(
  `  on/off: p50 ${fmt(e2e.ratio.p50, 4)}× (${pct(e2e.overheadPct.p50)}), p95 ${fmt(e2e.ratio.p95, 4)}× ` +
    `(${pct(e2e.overheadPct.p95)}); runtime CPU ${pct(e2e.cpuOverheadPct)}`,
);
const p = e2e.pairedOverheadPct;
console.log(
  `  metrics add ${pct(p.median)} to turn latency (median over questions of on/off − 1; 95% CI ` +
    `${pct(p.low)} … ${pct(p.high)}); budget ≤ ${budgetPct}%: ` +
    (p.high <= budgetPct ? "within" : p.low > budgetPct ? "OVER" : "not resolved at this size (more rounds)"),
);
console.log(JSON.stringify({ micro, recordedSeries, e2e, recordingPct, budgetPct }));
