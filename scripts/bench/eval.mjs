// Bench phase: a 100-item eval run (the Sandbox) end to end. Starts the compiled local runtime as a child
// process with the built-in models (as `npm start` runs it), ingests a handbook of 40 office pages through
// the upload API, creates and publishes an agent on it, uploads a 100-item JSONL dataset (80 questions the
// handbook answers, 20 it does not), then times the run from its start request to `completed`, reading its
// progress as a client would. Goal: ≤ 60 s. Prints readable lines then one JSON line; asserts nothing.
//
//   node scripts/bench/eval.mjs [dataDir] [items]
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startRuntime, stopRuntime } from "./common.mjs";

const dataDir = process.argv[2] ?? fs.mkdtempSync(path.join(os.tmpdir(), "bench-eval-"));
const itemCount = Number(process.argv[3] ?? process.env.BENCH_EVAL_ITEMS ?? 100);
const runtimeDir = path.join(dataDir, "eval-runtime");
const apiKey = `bench-${randomBytes(16).toString("hex")}`;

const cities = [
  "Amsterdam",
  "Berlin",
  "Lisbon",
  "Madrid",
  "Oslo",
  "Prague",
  "Vienna",
  "Warsaw",
  "Dublin",
  "Helsinki",
  "Athens",
  "Budapest",
  "Copenhagen",
  "Stockholm",
  "Zurich",
  "Milan",
  "Porto",
  "Krakow",
  "Tallinn",
  "Riga",
  "Vilnius",
  "Sofia",
  "Zagreb",
  "Ljubljana",
  "Bratislava",
  "Brussels",
  "Antwerp",
  "Lyon",
  "Marseille",
  "Munich",
  "Hamburg",
  "Cologne",
  "Geneva",
  "Basel",
  "Seville",
  "Valencia",
  "Bilbao",
  "Gdansk",
  "Bergen",
  "Turku",
];
const office = (i) => ({
  city: cities[i],
  opens: `${7 + (i % 4)}:${i % 2 === 0 ? "00" : "30"}`,
  floor: 2 + (i % 9),
  code: `B-${1000 + i * 37}`,
  seats: 40 + i * 5,
});
const handbook = [
  "# Office handbook",
  "",
  ...cities.flatMap((_, i) => {
    const o = office(i);
    return [
      `## The ${o.city} office`,
      "",
      `The ${o.city} office opens at ${o.opens} on weekdays. Its reception is on floor ${o.floor}. ` +
        `Visitors to the ${o.city} office sign in with badge code ${o.code}. The ${o.city} office has ${o.seats} desks.`,
      "",
    ];
  }),
].join("\n");

function items(n) {
  const out = [];
  for (let i = 0; out.length < n; i++) {
    const o = office(i % cities.length);
    if (i % 5 === 4) {
      out.push({
        question: `Who is the managing director of the ${o.city} subsidiary?`,
        shouldAbstain: true,
        tags: ["unanswerable"],
      });
      continue;
    }
    const kind = i % 4;
    out.push(
      kind === 0
        ? {
            question: `What time does the ${o.city} office open?`,
            expectedFacts: [o.opens],
            expectedSources: ["offices.md"],
          }
        : kind === 1
          ? {
              question: `On which floor is the reception of the ${o.city} office?`,
              expectedFacts: [`floor ${o.floor}`],
            }
          : kind === 2
            ? {
                question: `Which badge code do visitors to the ${o.city} office use?`,
                expectedFacts: [o.code],
              }
            : {
                question: `How many desks does the ${o.city} office have?`,
                expectedFacts: [`${o.seats} desks`],
              },
    );
  }
  return out;
}

const { child, url } = await startRuntime(runtimeDir, {
  ALCHEMIST_API_KEY: apiKey,
  RATE_LIMIT_PER_KEY: "0",
  RATE_LIMIT_PER_TENANT: "0",
});

async function must(method, pathname, json) {
  const res = await fetch(`${url}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(json !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: json !== undefined ? JSON.stringify(json) : undefined,
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

try {
  const kb = await must("POST", "/v1/knowledge-bases", { name: "Offices" });
  const doc = await must("POST", `/v1/knowledge-bases/${kb.id}/documents`, {
    name: "offices.md",
    text: handbook,
  });
  for (const deadline = Date.now() + 120_000; ;) {
    const view = await must("GET", `/v1/knowledge-bases/${kb.id}/documents/${doc.id}`);
    if (view.status === "ready") break;
    if (view.status === "failed" || Date.now() > deadline)
      throw new Error(`ingestion: ${JSON.stringify(view)}`);
    await sleep(100);
  }
  const agent = await must("POST", "/v1/agents", {
    name: "Office desk",
    instructions: "Answer employees' questions about the offices from the handbook.",
    knowledgeBaseIds: [kb.id],
  });
  const { publishedVersion } = await must("POST", `/v1/agents/${agent.id}/publish`, {});
  const dataset = await must("POST", "/v1/eval/datasets", { name: "Offices golden set" });
  const upload = await must("POST", `/v1/eval/datasets/${dataset.id}/upload`, {
    format: "jsonl",
    content: items(itemCount)
      .map((i) => JSON.stringify(i))
      .join("\n"),
  });

  const started = performance.now();
  let run = await must("POST", "/v1/eval/runs", {
    datasetId: dataset.id,
    target: { agentId: agent.id, version: publishedVersion },
  });
  const progress = [];
  while (run.status === "queued" || run.status === "running") {
    await sleep(100);
    run = await must("GET", `/v1/eval/runs/${run.id}`);
    progress.push({ s: (performance.now() - started) / 1000, done: run.progress.done });
  }
  const seconds = (performance.now() - started) / 1000;
  const s = run.scores;
  console.log(
    `Eval run of ${upload.added} items against ${agent.id} v${publishedVersion} (built-in models): ${run.status} in ` +
      `${seconds.toFixed(1)} s (${(upload.added / seconds).toFixed(1)} items/s)`,
  );
  if (s)
    console.log(
      `  accuracy ${s.accuracy}, citation precision ${s.citationPrecision}, abstention P/R ${s.abstention.precision}/` +
        `${s.abstention.recall}, ECE ${s.ece}; turn latency p50 ${s.latencyMs.p50} ms, p95 ${s.latencyMs.p95} ms; ` +
        `${s.tokens.input + s.tokens.output} tokens, ${s.errors} failed turns`,
    );
  console.log(
    JSON.stringify({
      items: upload.added,
      status: run.status,
      seconds,
      progress: run.progress,
      scores: s && {
        accuracy: s.accuracy,
        citationPrecision: s.citationPrecision,
        abstention: s.abstention,
        ece: s.ece,
        latencyMs: s.latencyMs,
        errors: s.errors,
      },
    }),
  );
} finally {
  await stopRuntime(child);
}
