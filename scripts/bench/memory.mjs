#!/usr/bin/env node
// Bench phase: what long-term memory (narrative/) adds to a turn when the end user has 1,000 memories.
//   - A turn: two published agents on the local store with the built-in models, the same configuration but for
//     long-term memory (on for one, off for the other), asked the same questions in-process (sendMessage, as
//     the API calls it) by the same end user, alternately (the arm that goes first alternates from question
//     to question), so drift on the machine falls on both alike. The headline is the median over questions of
//     (on − off) in milliseconds, beside each arm's p50/p95. The agents have no knowledge base, so the figure
//     is memory's cost alone, not a share of a search.
//   - Recall itself: `recallMemories` for the same questions, warm (this instance has the end user's memories
//     cached, the steady state: one document read for the revision) and cold (the cache dropped, so the 1,000
//     memories are read and indexed again, as after another instance wrote).
// The budget: recall adds ≤ 5 ms p50 to a turn with 1,000 memories. Prints readable lines then one
// JSON line; asserts nothing.
//
//   node scripts/bench/memory.mjs [dataDir] [turns] [memories]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { lib, localLib, percentile } from "./common.mjs";

// The turns log at INFO otherwise; the bench prints its own lines.
process.env.LOG_LEVEL = "ERROR";
const ownDir = !process.argv[2];
const dataDir = process.argv[2] || fs.mkdtempSync(path.join(os.tmpdir(), "bench-memory-"));
const turns = Number(process.argv[3] || process.env.BENCH_MEMORY_TURNS || 300);
const memoryCount = Number(process.argv[4] || process.env.BENCH_MEMORY_COUNT || 1000);
const warmup = 30;

const { loadConfig } = await import(lib("platform/config.js"));
const { openLocalDeps } = await import(localLib("adapters/deps.js"));
const { createTenant } = await import(lib("identity/tenants.js"));
const { changePlan } = await import(lib("billing/ledger.js"));
const { createAgent, publishAgent } = await import(lib("agents/agents.js"));
const { startConversation } = await import(lib("agents/conversations.js"));
const { sendMessage } = await import(lib("agents/turn.js"));
const { embeddingModelId } = await import(lib("knowledge/ingest.js"));
const { memoryScopeOf, recallMemories, forgetNarrativeCache } = await import(lib("narrative/memory.js"));
const { endUserKeyOf, endUserPath, memoryPath } = await import(lib("narrative/schema.js"));

const dir = path.join(dataDir, "memory");
fs.mkdirSync(dir, { recursive: true });
const deps = await openLocalDeps(
  loadConfig({
    ALCHEMIST_MODE: "local",
    ALCHEMIST_DATA_DIR: dir,
    PORT: "0",
    OPENAI_API_KEY: "none",
    LOG_LEVEL: "ERROR",
    METRICS_ENABLED: "false",
  }),
);
const tenant = "bench";
await createTenant(deps, tenant, "Bench");
await changePlan(deps, tenant, "enterprise");

async function agent(name, enabled) {
  const { id } = await createAgent(deps, tenant, { name, longTermMemory: { enabled } });
  await publishAgent(deps, tenant, id, { note: "" }, "bench");
  return id;
}
const on = await agent("memory on", true);
const off = await agent("memory off", false);

// ----- 1,000 memories for one end user -----------------------------------------------------------------
const endUserRef = "bench-user";
const endUserKey = endUserKeyOf(endUserRef);
const subjects = [
  ["pet", (i) => `You have a pet called Rex${i}.`],
  ["colleague", (i) => `Your colleague in project ${i} is named Sam${i}.`],
  ["order", (i) => `Your order ${1000 + i} was delivered to the warehouse in Lyon.`],
  ["hobby", (i) => `You play chess on Tuesdays with club ${i}.`],
  ["device", (i) => `Your laptop number ${i} runs Linux.`],
];
const now = deps.clock.nowIso();
const expires = new Date(Date.now() + 365 * 86_400_000).toISOString();
const texts = Array.from({ length: memoryCount }, (_, i) => {
  const [key, text] = subjects[i % subjects.length];
  return { key: `${key}:${i}`, text: text(i) };
});
const model = embeddingModelId(deps);
for (let start = 0; start < texts.length; start += 200) {
  const slice = texts.slice(start, start + 200);
  const vectors = await deps.embedder.embed(
    slice.map((t) => t.text),
    { kind: "document" },
  );
  const batch = deps.store.batch();
  slice.forEach((t, j) =>
    batch.create(memoryPath(tenant, `m${start + j}`), {
      endUserKey,
      endUserRef,
      scopeKey: `agent:${on}`,
      agentId: on,
      kind: "fact",
      key: t.key,
      value: t.text,
      text: t.text,
      confidence: 0.9,
      method: "rules",
      pattern: "bench",
      source: null,
      status: "active",
      supersedes: null,
      supersededBy: null,
      supersededAt: null,
      createdAt: now,
      updatedAt: now,
      expiresAt: expires,
      editedBy: null,
      embeddingModel: model,
      embedding: vectors[j],
    }),
  );
  await batch.commit();
}
await deps.store.create(endUserPath(tenant, endUserKey), {
  endUserRef,
  firstSeenAt: now,
  lastSeenAt: now,
  rev: 1,
  agentIds: [on],
});

// ----- turns, on and off, alternately ----------------------------------------------------------------------
const questions = [
  "What is my pet called?",
  "Who is my colleague in project 12?",
  "Where was order 1040 delivered?",
  "When do I play chess?",
  "Which system does my laptop run?",
  "What do you know about my hobbies?",
  "How many vacation days do I get?",
  "Can you remind me about my devices?",
];
const conversations = { [on]: null, [off]: null };
const sent = { [on]: 0, [off]: 0 };
async function turn(agentId, question) {
  if (sent[agentId] % 5 === 0)
    conversations[agentId] = (
      await startConversation(deps, tenant, agentId, { channel: "api", endUserRef })
    ).id;
  sent[agentId]++;
  const started = performance.now();
  await sendMessage(deps, tenant, conversations[agentId], { content: question });
  return performance.now() - started;
}
const times = { on: [], off: [] };
const paired = [];
for (let i = 0; i < warmup + turns; i++) {
  const question = questions[i % questions.length];
  const order = i % 2 === 0 ? [on, off] : [off, on];
  const t = {};
  for (const agentId of order) t[agentId] = await turn(agentId, question);
  if (i < warmup) continue;
  times.on.push(t[on]);
  times.off.push(t[off]);
  paired.push(t[on] - t[off]);
}

// ----- recall alone, warm and cold -------------------------------------------------------------------------
const scope = memoryScopeOf(tenant, on, endUserRef, { enabled: true, retentionDays: 365, scope: "agent" });
const warm = [];
const cold = [];
let recalled = 0;
for (let i = 0; i < 200; i++) {
  const question = questions[i % questions.length];
  let started = performance.now();
  const r = await recallMemories(deps, scope, question);
  warm.push(performance.now() - started);
  recalled += r.recalled.length;
  if (i % 4 === 0) {
    forgetNarrativeCache(deps.store, tenant, endUserKey);
    started = performance.now();
    await recallMemories(deps, scope, question);
    cold.push(performance.now() - started);
  }
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const stats = (xs) => {
  const s = sorted(xs);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
};
const result = {
  memories: memoryCount,
  turns,
  on: stats(times.on),
  off: stats(times.off),
  addedMs: { median: percentile(sorted(paired), 50), p95: percentile(sorted(paired), 95) },
  recall: { warm: stats(warm), cold: stats(cold), meanRecalled: recalled / warm.length },
};
const f = (x) => x.toFixed(2);
console.log(
  `memory: ${memoryCount} memories for one end user, ${turns} turns per arm (built-in models, no knowledge base)`,
);
console.log(
  `  turn p50 ${f(result.on.p50)} ms with memory, ${f(result.off.p50)} ms without; added (median of pairs) ` +
    `${f(result.addedMs.median)} ms`,
);
console.log(
  `  recall alone: warm p50 ${f(result.recall.warm.p50)} ms / p99 ${f(result.recall.warm.p99)} ms, cold p50 ` +
    `${f(result.recall.cold.p50)} ms; ${result.recall.meanRecalled.toFixed(1)} memories recalled a question`,
);
console.log(JSON.stringify(result));
deps.local?.close?.();
if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
