#!/usr/bin/env node
// Bench phase: what metering costs.
//   - A turn: the only work metering adds to a turn is its usage event, created in the transaction that
//     records the answer (the meter runs afterwards, in its trigger). The same turn transaction as
//     agents/turn.ts writes it (two messages, an 8 KB trace, the conversation's update) is committed with and
//     without the event, alternately, on the local store; the overhead at each percentile is the difference.
//   - The meter: one event folded into the day, month and model rollups and the ledger (its own transaction).
//   - Reading usage: 90 days of rollups for the billing page (`usageReport` and `billingOverview`), counting the
//     documents the store hands back.
// Goals: metering ≤ 1 ms p50 on a turn, the 90-day usage page ≤ 100 documents. Prints readable lines then one
// JSON line; asserts nothing.
//
//   node scripts/bench/billing.mjs [dataDir] [turns]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { lib, localLib, percentile } from "./common.mjs";

const turns = Number(process.argv[3] ?? process.env.BENCH_BILLING_TURNS ?? 2000);
const warmup = 200;

const { loadConfig } = await import(lib("platform/config.js"));
const { openLocalDeps } = await import(localLib("adapters/deps.js"));
const { meterTurn } = await import(lib("billing/usage.js"));
const { meterEvent } = await import(lib("billing/meter.js"));
const { usageReport, billingOverview } = await import(lib("billing/report.js"));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-billing-"));
const deps = await openLocalDeps(
  loadConfig({
    ALCHEMIST_MODE: "local",
    ALCHEMIST_DATA_DIR: dir,
    PORT: "0",
    OPENAI_API_KEY: "none",
    LOG_LEVEL: "ERROR",
  }),
);
const tenant = "bench";
const trace = {
  agentId: "agent-1",
  agentVersion: 3,
  conversationId: "conv",
  channel: "api",
  status: "answered",
  model: { provider: "local", model: "extractive" },
  generation: { usage: { inputTokens: 1800, outputTokens: 220 } },
  toolCalls: [],
  retrieval: { queries: [{ text: "How many vacation days do full-time employees get?" }] },
  confidence: { value: 0.86 },
  timingsMs: { total: 140 },
  createdAt: new Date().toISOString(),
  padding: "x".repeat(8000),
};

let n = 0;
async function turnTx(withEvent) {
  const i = n++;
  const convPath = `tenants/${tenant}/conversations/c${i % 50}`;
  const t0 = performance.now();
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(convPath);
    const seq = snap?.data.messageCount ?? 0;
    tx.create(`${convPath}/messages/u${i}`, { role: "user", content: "question", seq });
    tx.create(`${convPath}/messages/a${i}`, {
      role: "assistant",
      content: "answer ".repeat(60),
      seq: seq + 1,
    });
    tx.create(`tenants/${tenant}/traces/t${i}`, trace);
    if (withEvent) meterTurn(tx, tenant, `t${i}`, trace, seq === 0);
    tx.set(convPath, { messageCount: seq + 2, updatedAt: new Date().toISOString() });
  });
  return { ms: performance.now() - t0, id: `t${i}`, metered: withEvent };
}

const plain = [];
const metered = [];
const events = [];
for (let i = 0; i < warmup + turns; i++) {
  const a = await turnTx(false);
  const b = await turnTx(true);
  if (i >= warmup) {
    plain.push(a.ms);
    metered.push(b.ms);
  }
  events.push(b.id);
}
plain.sort((x, y) => x - y);
metered.sort((x, y) => x - y);
const at = (p) => ({ plain: percentile(plain, p), metered: percentile(metered, p) });
const overhead = Object.fromEntries([50, 95, 99].map((p) => [`p${p}`, at(p).metered - at(p).plain]));

// The meter, one event at a time (the events just written; the runtime's trigger is not running here).
const meterMs = [];
for (const id of events.slice(0, 1000)) {
  const t0 = performance.now();
  await meterEvent(deps, tenant, id);
  meterMs.push(performance.now() - t0);
}
meterMs.sort((x, y) => x - y);

// 90 days of rollups, then the billing page's reads.
const today = new Date();
for (let d = 0; d < 90; d++) {
  const day = new Date(today.getTime() - d * 86_400_000).toISOString().slice(0, 10);
  await deps.store.set(`tenants/${tenant}/usageDaily/${day}`, {
    period: day,
    turns: 100 + d,
    inputTokens: 100_000,
    outputTokens: 10_000,
    costMicros: 21_000,
    models: { "agent-1|local/extractive": { agentId: "agent-1", model: "local/extractive", turns: 100 + d } },
  });
}
let reads = 0;
const counting = new Proxy(deps.store, {
  get(target, prop) {
    const value = Reflect.get(target, prop);
    if (prop === "get")
      return async (p) => {
        const r = await value.call(target, p);
        if (r) reads++;
        return r;
      };
    if (prop === "getAll")
      return async (ps) => {
        const r = await value.call(target, ps);
        reads += r.filter(Boolean).length;
        return r;
      };
    if (prop === "query")
      return async (spec) => {
        const r = await value.call(target, spec);
        reads += r.length;
        return r;
      };
    if (prop === "count")
      return async (spec) => {
        reads += 1;
        return value.call(target, spec);
      };
    return typeof value === "function" ? value.bind(target) : value;
  },
});
const countingDeps = { ...deps, store: counting };
const from = new Date(today.getTime() - 89 * 86_400_000).toISOString().slice(0, 10);
reads = 0;
const report = await usageReport(countingDeps, tenant, { from, to: today.toISOString().slice(0, 10) });
const usageReads = reads;
reads = 0;
await billingOverview(countingDeps, tenant, { documents: 0, storageBytes: 0, members: 1, agents: 1 });
const overviewReads = reads;

deps.local.close();
fs.rmSync(dir, { recursive: true, force: true });

const fmt = (x, d = 3) => x.toFixed(d);
console.log(
  `metering on a turn's transaction (${turns} alternating pairs): overhead p50 ${fmt(overhead.p50)} ms, p95 ${fmt(overhead.p95)} ms, p99 ${fmt(overhead.p99)} ms ` +
    `(turn transaction p50 ${fmt(at(50).plain)} ms without, ${fmt(at(50).metered)} ms with)`,
);
console.log(
  `the meter per event: p50 ${fmt(percentile(meterMs, 50))} ms, p95 ${fmt(percentile(meterMs, 95))} ms; ` +
    `usage page: ${report.days.length} days in ${usageReads} documents, overview ${overviewReads} documents`,
);
console.log(
  JSON.stringify({
    turns,
    overhead,
    turnTx: at(50),
    meter: { p50: percentile(meterMs, 50), p95: percentile(meterMs, 95), p99: percentile(meterMs, 99) },
    usageDays: report.days.length,
    usageReads,
    overviewReads,
  }),
);
