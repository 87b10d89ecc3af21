// Bench phase: bulk uploads over HTTP, the way a client moving a folder of small documents would. Starts the
// compiled local runtime as a child process with its default limits (what a user gets) and uploads the same
// `files` small documents (about 3.3 KB each, 1.6 MB for 485) into a fresh knowledge base twice:
//   - one file per request, 8 requests in flight, honouring Retry-After (what a client did before several
//     files could share a request);
//   - several files per request (the `files` field), `perRequest` at a time, a few requests in flight.
// For each: seconds until every upload was answered, and until every document was ready (searchable).
// Prints one JSON line; asserts nothing.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startRuntime, stopRuntime } from "./common.mjs";
import { syntheticCorpus } from "./corpus.mjs";

const [dataDir, filesArg, perRequestArg] = process.argv.slice(2);
const fileCount = Number(filesArg ?? 485);
const perRequest = Number(perRequestArg ?? 100);
const runtimeDir = path.join(dataDir, "bulk-runtime");
const apiKey = `bench-${randomBytes(16).toString("hex")}`;
const corpus = syntheticCorpus(20261204);
const clock = () => performance.now();

/** A small document: a corpus document cut at a paragraph near 3.3 KB. */
function smallDocument(i) {
  const text = corpus.document(i);
  const cut = text.lastIndexOf("\n\n", 3400);
  return cut > 1000 ? text.slice(0, cut) : text.slice(0, 3400);
}
const files = Array.from({ length: fileCount }, (_, i) => ({
  name: `note-${String(i).padStart(4, "0")}.md`,
  text: smallDocument(i),
}));
const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.text), 0);

const { child, url } = await startRuntime(runtimeDir, { ALCHEMIST_API_KEY: apiKey });
const auth = { authorization: `Bearer ${apiKey}` };

/** Sends a request again after Retry-After for as long as it is answered 429; counts the waits. */
async function withRetry(send, waits) {
  for (;;) {
    const response = await send();
    if (response.status !== 429) return response;
    waits.count += 1;
    waits.seconds += Number(response.headers.get("retry-after") ?? 1);
    await response.arrayBuffer();
    await sleep(Number(response.headers.get("retry-after") ?? 1) * 1000);
  }
}

async function pool(items, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

async function newKnowledgeBase(name) {
  const response = await fetch(`${url}/v1/knowledge-bases`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`creating a knowledge base: ${response.status}`);
  return (await response.json()).id;
}

async function untilReady(kbId, started) {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const response = await fetch(`${url}/v1/knowledge-bases/${kbId}`, { headers: auth });
    const view = await response.json();
    if (view.documentCount === files.length) return (clock() - started) / 1000;
    if (Date.now() > deadline) throw new Error(`only ${view.documentCount}/${files.length} became ready`);
    await sleep(100);
  }
}

async function oneFilePerRequest() {
  const kbId = await newKnowledgeBase("One per request");
  const waits = { count: 0, seconds: 0 };
  const started = clock();
  await pool(files, 8, async (f) => {
    const response = await withRetry(() => {
      const form = new FormData();
      form.append("file", new Blob([f.text], { type: "text/markdown" }), f.name);
      return fetch(`${url}/v1/knowledge-bases/${kbId}/documents`, {
        method: "POST",
        headers: auth,
        body: form,
      });
    }, waits);
    if (response.status !== 202) throw new Error(`${f.name}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  });
  const uploadedSeconds = (clock() - started) / 1000;
  return { requests: files.length, uploadedSeconds, readySeconds: await untilReady(kbId, started), waits };
}

async function severalFilesPerRequest() {
  const kbId = await newKnowledgeBase("Several per request");
  const batches = [];
  for (let i = 0; i < files.length; i += perRequest) batches.push(files.slice(i, i + perRequest));
  const waits = { count: 0, seconds: 0 };
  const started = clock();
  await pool(batches, 3, async (batch) => {
    const response = await withRetry(() => {
      const form = new FormData();
      for (const f of batch) form.append("files", new Blob([f.text], { type: "text/markdown" }), f.name);
      return fetch(`${url}/v1/knowledge-bases/${kbId}/documents`, {
        method: "POST",
        headers: auth,
        body: form,
      });
    }, waits);
    if (response.status !== 202) throw new Error(`a batch: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  });
  const uploadedSeconds = (clock() - started) / 1000;
  return { requests: batches.length, uploadedSeconds, readySeconds: await untilReady(kbId, started), waits };
}

try {
  const batched = await severalFilesPerRequest();
  const single = await oneFilePerRequest();
  console.log(JSON.stringify({ files: files.length, bytes, perRequest, single, batched }));
} finally {
  await stopRuntime(child);
}
