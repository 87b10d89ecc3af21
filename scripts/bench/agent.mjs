// Bench phase 3: the Agent Engine over HTTP. Starts the compiled local runtime as a child process (as
// `npm start` does), ingests the synthetic corpus through the real upload API and pipeline into one
// knowledge base, creates and publishes an agent on it, then measures
//   - platform overhead per turn, model time excluded: sequential turns, each one's decision trace read
//     back for its step timings (`timingsMs.total - timingsMs.generation`);
//   - throughput: many conversations at once, each sending its messages one after another, counting
//     every non-200 answer and every conversation that does not end with exactly its messages.
// Prints one JSON line; asserts nothing. The load generator and the runtime share this machine's cores.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { lib, percentile, startRuntime, stopRuntime } from "./common.mjs";
import { syntheticCorpus } from "./corpus.mjs";

const [dataDir, chunksArg, turnsArg, concurrencyArg, perConversationArg] = process.argv.slice(2);
const targetChunks = Number(chunksArg);
const turnCount = Number(turnsArg);
const concurrency = Number(concurrencyArg);
const perConversation = Number(perConversationArg);

const runtimeDir = path.join(dataDir, "agent-runtime");
const apiKey = `bench-${randomBytes(16).toString("hex")}`;
const corpus = syntheticCorpus();
const clock = () => performance.now();
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const stats = (xs) => {
  const s = sorted(xs);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1), n: s.length };
};

// ----- the runtime, as `npm start` runs it ----------------------------------------------------------
/** CPU seconds and peak RSS of the runtime process, from /proc (null where there is no /proc). */
function runtimeUsage(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return {
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
      peakRssMb: hwm ? Number(hwm[1]) / 1024 : null,
    };
  } catch {
    return null;
  }
}

// The load test measures the engine, not the API's protection: one key drives 100 conversations at once,
// far past a key's default 600 requests a minute, so this runtime turns the limits off for itself.
const { child, url, logFile } = await startRuntime(runtimeDir, {
  ALCHEMIST_API_KEY: apiKey,
  RATE_LIMIT_PER_KEY: "0",
  RATE_LIMIT_PER_TENANT: "0",
  RATE_LIMIT_UPLOAD_MB_PER_MINUTE: "0",
});

async function api(method, pathname, json) {
  const response = await fetch(`${url}${pathname}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(json !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: json !== undefined ? JSON.stringify(json) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function must(method, pathname, json) {
  const r = await api(method, pathname, json);
  if (r.status >= 300) throw new Error(`${method} ${pathname}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool(items, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

try {
  // ----- the knowledge base, through the upload API and the ingestion pipeline ---------------------
  // Each upload is a handbook of `perUpload` corpus documents (~66 KB, ~70 chunks; BENCH_AGENT_DOCS_PER_UPLOAD
  // changes it), until the chunker's count (the pipeline's own parse and chunk steps) reaches the target.
  // Uploads carry a fixed cost of their own (upload, trigger, tasks, the ready transaction): 1,433
  // separate corpus documents took ~22 s here, these 144 ~7 s.
  const { parseDocument } = await import(lib("knowledge/parse.js"));
  const { chunkDocument } = await import(lib("knowledge/chunk.js"));
  const perUpload = Number(process.env.BENCH_AGENT_DOCS_PER_UPLOAD ?? 10);
  const documents = [];
  for (let i = 0, chunks = 0; chunks < targetChunks; i += perUpload) {
    const text = Array.from({ length: perUpload }, (_, j) => corpus.document(i + j)).join("\n\n");
    chunks += chunkDocument(await parseDocument("markdown", Buffer.from(text))).length;
    documents.push({ name: `handbook-${String(i / perUpload).padStart(4, "0")}.md`, text });
  }
  const bytes = documents.reduce((n, d) => n + Buffer.byteLength(d.text), 0);

  const kb = await must("POST", "/v1/knowledge-bases", { name: "Bench corpus" });
  const ingestStarted = clock();
  await pool(documents, 8, (d) => must("POST", `/v1/knowledge-bases/${kb.id}/documents`, d));
  const uploadedSeconds = (clock() - ingestStarted) / 1000;
  const ingestDeadline = Date.now() + 300_000;
  for (let poll = 1; ; poll++) {
    const view = await must("GET", `/v1/knowledge-bases/${kb.id}`);
    if (view.documentCount === documents.length) break;
    if (poll % 10 === 0 || Date.now() > ingestDeadline) {
      const { documents: listed } = await must("GET", `/v1/knowledge-bases/${kb.id}/documents`);
      const failed = listed.filter((d) => d.status === "failed");
      if (failed.length > 0 || Date.now() > ingestDeadline)
        throw new Error(
          `ingestion did not finish: ${view.documentCount}/${documents.length} searchable, ${failed.length} failed` +
            (failed[0] ? ` (${failed[0].name}: ${failed[0].error})` : ""),
        );
    }
    await sleep(200);
  }
  const ingestSeconds = (clock() - ingestStarted) / 1000;
  const { documents: listed } = await must("GET", `/v1/knowledge-bases/${kb.id}/documents`);
  const chunkCount = listed.reduce((n, d) => n + d.chunkCount, 0);

  const agent = await must("POST", "/v1/agents", {
    name: "Policy assistant",
    instructions: "You answer employees' questions about company policy from the handbook.",
    knowledgeBaseIds: [kb.id],
  });
  await must("POST", `/v1/agents/${agent.id}/publish`, {});

  const question = (i) => corpus.query(i, 0, documents.length * perUpload);
  const startConversation = async () => (await must("POST", `/v1/agents/${agent.id}/conversations`, {})).id;

  /** One turn: the message request's round trip, and the answer (or the failure). */
  async function turn(conversationId, content) {
    const t = clock();
    try {
      const r = await api("POST", `/v1/conversations/${conversationId}/messages`, { content });
      return { ms: clock() - t, status: r.status, message: r.body?.message ?? null, error: r.body?.error };
    } catch (e) {
      return { ms: clock() - t, status: 0, message: null, error: String(e) };
    }
  }

  // ----- warm-up: the first search of the knowledge base builds its in-memory indexes ---------------
  const warm = await startConversation();
  const first = await turn(warm, question(1_000_000));
  if (first.status !== 200)
    throw new Error(`the first turn failed: ${first.status} ${JSON.stringify(first.error)}`);
  for (let i = 1; i < 20; i++) await turn(warm, question(1_000_000 + i));

  // ----- overhead: sequential turns, in conversations of `perConversation` messages -----------------
  const steps = ["guardrails", "retrieval", "context", "generation", "tools", "checks", "total"];
  const timings = Object.fromEntries(
    [...steps, "overhead", "unstepped", "http", "httpLessGeneration"].map((s) => [s, []]),
  );
  const generationOf = new Map();
  const statuses = {};
  let sequentialErrors = 0;
  let conversationId = null;
  for (let i = 0; i < turnCount; i++) {
    if (i % perConversation === 0) conversationId = await startConversation();
    const r = await turn(conversationId, question(i));
    if (r.status !== 200 || !r.message?.traceId) {
      sequentialErrors++;
      continue;
    }
    const trace = await must("GET", `/v1/traces/${r.message.traceId}`);
    const t = trace.timingsMs;
    for (const s of steps) timings[s].push(t[s]);
    timings.overhead.push(t.total - t.generation);
    // Inside `total` but in no step: loading the conversation, agent, config and history; trace bookkeeping.
    timings.unstepped.push(t.total - steps.slice(0, -1).reduce((n, s) => n + t[s], 0));
    timings.http.push(r.ms);
    timings.httpLessGeneration.push(r.ms - t.generation);
    generationOf.set(r.message.traceId, t.generation);
    statuses[trace.status] = (statuses[trace.status] ?? 0) + 1;
  }
  // The API's own request time (its "request" log line: authentication, validation, the turn and its
  // write), joined to each trace through the request id of the turn's log line.
  const requestMs = new Map();
  const traceOfRequest = new Map();
  for (const line of fs.readFileSync(logFile, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line);
    if (entry.message === "request" && entry.path?.endsWith("/messages"))
      requestMs.set(entry.requestId, entry.ms);
    if (entry.message === "conversation turn") traceOfRequest.set(entry.requestId, entry.traceId);
  }
  timings.handlerLessGeneration = [];
  for (const [requestId, traceId] of traceOfRequest) {
    if (generationOf.has(traceId) && requestMs.has(requestId))
      timings.handlerLessGeneration.push(requestMs.get(requestId) - generationOf.get(traceId));
  }
  const sequential = Object.fromEntries(
    Object.entries(timings).map(([s, xs]) => [s, xs.length > 0 ? stats(xs) : null]),
  );

  // ----- concurrency: every conversation started at once (each client on its own connection, as
  // separate users would be), then all of them talk at once ---------------------------------------------
  const conversations = await Promise.all(Array.from({ length: concurrency }, () => startConversation()));
  const sent = new Map(conversations.map((id) => [id, []]));
  const loadLatency = [];
  const failures = [];
  const before = { runtime: runtimeUsage(child.pid), bench: process.cpuUsage() };
  const loadStarted = clock();
  await Promise.all(
    conversations.map(async (id, c) => {
      for (let m = 0; m < perConversation; m++) {
        const content = question(500_000 + c * perConversation + m);
        const r = await turn(id, content);
        loadLatency.push(r.ms);
        if (r.status === 200) sent.get(id).push(content);
        else failures.push({ status: r.status, error: r.error });
      }
    }),
  );
  const loadSeconds = (clock() - loadStarted) / 1000;
  const after = { runtime: runtimeUsage(child.pid), bench: process.cpuUsage(before.bench) };
  // Consistency: each conversation holds exactly its questions, in order, each followed by its answer.
  let mismatched = 0;
  await pool(conversations, 16, async (id) => {
    const { messages } = await must("GET", `/v1/conversations/${id}/messages`);
    const asked = messages.filter((m) => m.role === "user").map((m) => m.content);
    const ok =
      messages.length === 2 * perConversation &&
      messages.every((m, i) => m.role === (i % 2 === 0 ? "user" : "assistant")) &&
      JSON.stringify(asked) === JSON.stringify(sent.get(id));
    if (!ok) mismatched++;
  });
  const turns = concurrency * perConversation;

  console.log(
    JSON.stringify({
      knowledgeBase: {
        documents: documents.length,
        corpusDocumentsPerUpload: perUpload,
        chunks: chunkCount,
        bytes,
        uploadSeconds: uploadedSeconds,
        ingestSeconds,
      },
      firstTurnMs: first.ms,
      sequential: { turns: turnCount, perConversation, errors: sequentialErrors, statuses, ...sequential },
      load: {
        conversations: concurrency,
        perConversation,
        turns,
        seconds: loadSeconds,
        turnsPerSecond: turns / loadSeconds,
        latency: stats(loadLatency),
        errors: failures.length,
        errorSample: failures.slice(0, 3),
        mismatchedConversations: mismatched,
        runtimeCpuSeconds:
          before.runtime && after.runtime ? after.runtime.cpuSeconds - before.runtime.cpuSeconds : null,
        benchCpuSeconds: (after.bench.user + after.bench.system) / 1e6,
      },
      runtimePeakRssMb: after.runtime?.peakRssMb ?? null,
    }),
  );
} catch (e) {
  process.stderr.write(`agent bench failed; the runtime's log is ${logFile}\n`);
  throw e;
} finally {
  await stopRuntime(child);
}
