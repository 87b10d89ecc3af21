/**
 * Ingestion that nothing leaves stuck, over the in-process local platform: task ids unique per workspace,
 * knowledge base, document, version and upload; a parse that a dead process never finished is not run
 * again; deleting a document stops the worker reading it; and the sweep settles documents that stalled
 * (a crash between the record and the file write, a storage event that never arrived).
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileBlobStore } from "@alchemist/local/adapters/file-blobstore";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { FieldOps, type BlobStore } from "../platform/ports.js";
import { addDocument, documentIdFor } from "./documents.js";
import { ingestDocument, ingestQueue, ingestTaskFor, startIngestion } from "./ingest.js";
import { parsePool, parsePoolSettings } from "./parse/pool.js";
import { pdfThatStalls } from "./parse/testing/bombs.js";
import { textPdf } from "./parse/testing/fixtures.js";
import {
  chunkBatchesPath,
  chunksPath,
  documentPath,
  knowledgeDocumentSchema,
  uploadPath,
  type KnowledgeDocument,
} from "./schema.js";
import { stalledAfterMs, sweepStalledDocuments } from "./sweep.js";

let platform: TestPlatform;

beforeAll(async () => {
  // A long wall clock: the stalling PDF must still be parsing when the test deletes it.
  platform = await startTestPlatform({ PARSE_TIMEOUT_SECONDS: "30" });
});
afterAll(async () => {
  await platform?.close();
});

type Doc = { id: string; version: number; status: string; error?: string; duplicate?: boolean };

async function createKb(name: string, key?: string): Promise<string> {
  const res = await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name }, key });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function upload(kbId: string, name: string, text: string, key?: string): Promise<Doc> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
    method: "POST",
    json: { name, text },
    key,
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as Doc;
}

async function uploadFile(kbId: string, name: string, bytes: Uint8Array): Promise<Doc> {
  const form = new FormData();
  form.append("file", new Blob([bytes]), name);
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, { method: "POST", body: form });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await res.json()) as Doc;
}

async function settled(kbId: string, docId: string, key?: string): Promise<Doc> {
  await platform.host.runner.idle();
  return (await (
    await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${docId}`, { key })
  ).json()) as Doc;
}

async function record(kbId: string, docId: string, tenantId = "acme"): Promise<KnowledgeDocument> {
  const snap = await platform.deps.store.get(documentPath(tenantId, kbId, docId));
  return knowledgeDocumentSchema.parse(snap?.data);
}

async function searchTexts(kbId: string, query: string, key?: string): Promise<string> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/search`, {
    method: "POST",
    json: { query, k: 5, mode: "keyword" },
    key,
  });
  return ((await res.json()) as { results: { text: string }[] }).results.map((r) => r.text).join("\n");
}

const pool = () => parsePool(parsePoolSettings(platform.deps.config));

/** A blob store over the same folder that tells nobody: a stored file whose storage event never arrives. */
const silentBlobs = (): FileBlobStore =>
  new FileBlobStore(path.join(platform.deps.config.local.dataDir, "blobs"), platform.deps.clock);

/** The state a crash between the `queued` record and the file write leaves: the record, no file. */
const crashBeforeWrite = (): BlobStore => ({
  stat: (p) => platform.deps.blobs.stat(p),
  get: (p) => platform.deps.blobs.get(p),
  list: (prefix) => platform.deps.blobs.list(prefix),
  delete: (p) => platform.deps.blobs.delete(p),
  put: async (p, data) => ({
    path: p,
    size: data.byteLength,
    contentType: "text/plain",
    metadata: {},
    md5: "",
    updated: platform.deps.clock.nowIso(),
  }),
});

const inTwentyMinutes = () => new Date(Date.now() + 20 * 60_000);

describe("task ids", () => {
  it("ingests same-named files in two knowledge bases", async () => {
    const a = await createKb("Sales");
    const b = await createKb("Support");
    const first = await upload(a, "faq.md", "Sales answers quotes within two days.");
    const second = await upload(b, "faq.md", "Support answers tickets within four hours.");
    expect(first.id).toBe(second.id); // the id follows the name: only the task ids had to change
    expect(await settled(a, first.id)).toMatchObject({ status: "ready" });
    expect(await settled(b, second.id)).toMatchObject({ status: "ready" });
    expect(await searchTexts(b, "tickets hours")).toContain("four hours");
  });

  it("ingests same-named files in two workspaces", async () => {
    const mine = await createKb("Handbook");
    const theirs = await createKb("Handbook", platform.keys.otherTenantOwner);
    const a = await upload(mine, "holidays.md", "Acme closes between Christmas and New Year.");
    const b = await upload(
      theirs,
      "holidays.md",
      "Globex stays open all year round.",
      platform.keys.otherTenantOwner,
    );
    expect(await settled(mine, a.id)).toMatchObject({ status: "ready" });
    expect(await settled(theirs, b.id, platform.keys.otherTenantOwner)).toMatchObject({ status: "ready" });
    expect(await searchTexts(theirs, "open all year", platform.keys.otherTenantOwner)).toContain("Globex");
  });

  it("ingests a file uploaded again after its document was deleted", async () => {
    const kbId = await createKb("Again");
    const doc = await upload(kbId, "menu.md", "The canteen serves soup on Mondays.");
    expect(await settled(kbId, doc.id)).toMatchObject({ status: "ready", version: 1 });
    const del = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${doc.id}`, { method: "DELETE" });
    expect(del.status).toBe(204);
    // Same name, same version number, same file path as before: only the upload differs.
    const again = await upload(kbId, "menu.md", "The canteen serves curry on Mondays.");
    expect(again).toMatchObject({ id: doc.id, version: 1, status: "queued" });
    expect(await settled(kbId, doc.id)).toMatchObject({ status: "ready" });
    expect(await searchTexts(kbId, "canteen Mondays")).toContain("curry");
    // And the very same bytes as the deleted one are not a duplicate of anything either.
    await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${doc.id}`, { method: "DELETE" });
    const third = await upload(kbId, "menu.md", "The canteen serves soup on Mondays.");
    expect(third.duplicate).toBe(false);
    expect(await settled(kbId, doc.id)).toMatchObject({ status: "ready" });
  });

  it("ingests once when the storage event is delivered again", async () => {
    const kbId = await createKb("Replays");
    const done = () => platform.deps.tasks.stats(ingestQueue).done;
    const before = done();
    const doc = await upload(kbId, "rota.md", "The night shift starts at ten.");
    const object = await platform.deps.blobs.stat(uploadPath("acme", kbId, doc.id, 1, "rota.md"));
    expect(object).not.toBeNull();
    // Redelivered at once (while queued), and again after it is ready.
    await Promise.all([1, 2, 3].map(() => startIngestion(platform.deps, object!)));
    await settled(kbId, doc.id);
    await startIngestion(platform.deps, object!);
    expect(await settled(kbId, doc.id)).toMatchObject({ status: "ready", version: 1 });
    expect(done() - before).toBe(1);
    const chunks = await platform.deps.store.count({ collection: chunksPath("acme", kbId) });
    expect(chunks).toBe(1);
  });
});

describe("a parse that never finished", () => {
  /** A queued document, its ingest task not yet run, then marked as a dead process would leave it. */
  async function interrupted(kbId: string, name: string, startedMsAgo: number): Promise<KnowledgeDocument> {
    const docId = documentIdFor(name);
    const doc = await addDocument({ ...platform.deps, blobs: silentBlobs() }, "acme", kbId, {
      fileName: name,
      bytes: new TextEncoder().encode("Nothing here may be read again."),
    });
    expect(doc.status).toBe("queued");
    await platform.deps.store.update(documentPath("acme", kbId, docId), {
      status: "processing",
      stage: "parse",
      parse: { startedAt: new Date(Date.now() - startedMsAgo).toISOString(), finishedAt: null },
    });
    return record(kbId, docId);
  }

  it("fails the version with a reason instead of reading the file again", async () => {
    const kbId = await createKb("Poison");
    const doc = await interrupted(kbId, "bomb.md", 10 * 60_000);
    const dispatched = pool().stats().dispatched;
    const ref = { tenantId: "acme", kbId, docId: documentIdFor("bomb.md") };
    await ingestDocument(platform.deps, ingestTaskFor(ref, doc), { retryCount: 1, maxAttempts: 5 });
    const after = await record(kbId, ref.docId);
    expect(after.status).toBe("failed");
    expect(after.error).toBe(
      "Reading this file was interrupted: the server stopped while reading it, which a damaged or hostile file can cause, so it was not read again. If the file is sound, upload it again",
    );
    expect(pool().stats().dispatched).toBe(dispatched);
  });

  it("leaves alone a parse started moments ago: another delivery of the task is reading it", async () => {
    const kbId = await createKb("Twice");
    const doc = await interrupted(kbId, "busy.md", 1000);
    const dispatched = pool().stats().dispatched;
    const ref = { tenantId: "acme", kbId, docId: documentIdFor("busy.md") };
    await ingestDocument(platform.deps, ingestTaskFor(ref, doc), { retryCount: 0, maxAttempts: 5 });
    expect(await record(kbId, ref.docId)).toMatchObject({ status: "processing", updatedAt: doc.updatedAt });
    expect(pool().stats().dispatched).toBe(dispatched);
  });

  it("records each parse as started and finished", async () => {
    const kbId = await createKb("Marks");
    const doc = await upload(kbId, "marks.md", "Every parse leaves its start and end on the record.");
    await settled(kbId, doc.id);
    const { parse } = await record(kbId, doc.id);
    expect(parse?.finishedAt).toBeTruthy();
    expect(Date.parse(parse?.finishedAt ?? "")).toBeGreaterThanOrEqual(Date.parse(parse?.startedAt ?? ""));
  });
});

describe("deleting a document while it is read", () => {
  it("terminates the worker reading it, writes nothing, and the name can be used again", async () => {
    const kbId = await createKb("Cancel");
    const doc = await uploadFile(kbId, "stall.pdf", pdfThatStalls());
    const deadline = Date.now() + 20_000;
    while (pool().stats().busy === 0) {
      if (Date.now() > deadline) throw new Error("the PDF never reached a worker");
      await new Promise((r) => setTimeout(r, 25));
    }
    const workers = pool().stats().workers;
    const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${doc.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    const cancelled = Date.now();
    while (pool().stats().busy > 0) {
      if (Date.now() - cancelled > 5000) throw new Error("the worker kept reading a deleted document");
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(pool().stats().workers).toBe(workers - 1); // terminated, not left to run on
    await platform.host.runner.idle();
    expect((await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${doc.id}`)).status).toBe(404);
    expect(await platform.deps.store.count({ collection: chunksPath("acme", kbId) })).toBe(0);
    expect(await platform.deps.store.count({ collection: chunkBatchesPath("acme", kbId, doc.id) })).toBe(0);
    // The ingest task ended quietly: nothing failed, nothing is retried.
    expect(platform.deps.tasks.stats(ingestQueue)).toMatchObject({ pending: 0, running: 0, failed: 0 });
    // The same name is read again, by a worker that is not stuck.
    const again = await uploadFile(kbId, "stall.pdf", await textPdf([["A sound PDF under the same name."]]));
    expect(again.id).toBe(doc.id);
    expect(await settled(kbId, doc.id)).toMatchObject({ status: "ready" });
  }, 60_000);
});

describe("the stalled-document sweep", () => {
  it("repairs a crash between the record and the file write: the same bytes are not a duplicate", async () => {
    const kbId = await createKb("Crash");
    const bytes = new TextEncoder().encode("Parking passes are renewed every January.");
    const lost = await addDocument({ ...platform.deps, blobs: crashBeforeWrite() }, "acme", kbId, {
      fileName: "parking.md",
      bytes,
    });
    expect(lost).toMatchObject({ status: "queued", version: 1 });
    const again = await upload(kbId, "parking.md", "Parking passes are renewed every January.");
    expect(again).toMatchObject({ duplicate: false, version: 2 });
    expect(await settled(kbId, again.id)).toMatchObject({ status: "ready", version: 2 });
  });

  it("fails a document whose file never arrived, with a reason", async () => {
    const kbId = await createKb("Lost file");
    const lost = await addDocument({ ...platform.deps, blobs: crashBeforeWrite() }, "acme", kbId, {
      fileName: "lost.md",
      bytes: new TextEncoder().encode("This never reached storage."),
    });
    // Recent: left alone (it may still be on its way).
    expect(await sweepStalledDocuments(platform.deps)).toEqual({ resumed: 0, failed: 0 });
    const report = await sweepStalledDocuments(platform.deps, inTwentyMinutes());
    expect(report.failed).toBeGreaterThanOrEqual(1);
    expect(await settled(kbId, lost.id)).toMatchObject({
      status: "failed",
      error:
        "The upload was interrupted before the file was stored, so there is nothing to index; upload it again",
    });
  });

  it("restarts a document whose storage event never arrived, and it becomes ready", async () => {
    const kbId = await createKb("Lost event");
    const doc = await addDocument({ ...platform.deps, blobs: silentBlobs() }, "acme", kbId, {
      fileName: "visitors.md",
      bytes: new TextEncoder().encode("Visitors sign in at the front desk."),
    });
    await platform.host.runner.idle();
    expect((await record(kbId, doc.id)).status).toBe("queued");
    const report = await sweepStalledDocuments(platform.deps, inTwentyMinutes());
    expect(report.resumed).toBeGreaterThanOrEqual(1);
    expect(await settled(kbId, doc.id)).toMatchObject({ status: "ready" });
    expect((await record(kbId, doc.id)).resumes).toBe(1);
  });

  it("restarts a version stalled after parsing, with new embed task ids, and it becomes ready", async () => {
    const kbId = await createKb("Half done");
    const doc = await upload(kbId, "desk.md", "Hot desks are booked in the app.");
    await settled(kbId, doc.id);
    // As if the embed tasks had been lost: back to `processing` at the embed stage, nothing embedded.
    const kbPath = `tenants/acme/knowledgeBases/${kbId}`;
    await platform.deps.store.update(documentPath("acme", kbId, doc.id), {
      status: "processing",
      stage: "embed",
      embeddedBatches: [],
      activeVersion: null,
    });
    await platform.deps.store.update(kbPath, { [`active.${doc.id}`]: FieldOps.delete() });
    const current = await record(kbId, doc.id);
    await platform.deps.store.set(`${chunkBatchesPath("acme", kbId, doc.id)}/v1-0`, {
      version: 1,
      batch: 0,
      chunks: [
        {
          index: 0,
          text: "Hot desks are booked in the app.",
          location: { startOffset: 0, endOffset: 32, headingPath: [] },
        },
      ],
    });
    expect(current.stage).toBe("embed");
    expect((await sweepStalledDocuments(platform.deps, inTwentyMinutes())).resumed).toBeGreaterThanOrEqual(1);
    expect(await settled(kbId, doc.id)).toMatchObject({ status: "ready" });
  });

  it("fails a stalled document whose parse never finished, and one restarted too often", async () => {
    const kbId = await createKb("Gave up");
    const a = await addDocument({ ...platform.deps, blobs: silentBlobs() }, "acme", kbId, {
      fileName: "died.md",
      bytes: new TextEncoder().encode("A process died reading this."),
    });
    await platform.deps.store.update(documentPath("acme", kbId, a.id), {
      status: "processing",
      stage: "parse",
      parse: { startedAt: new Date().toISOString(), finishedAt: null },
    });
    const b = await addDocument({ ...platform.deps, blobs: silentBlobs() }, "acme", kbId, {
      fileName: "stuck.md",
      bytes: new TextEncoder().encode("This one never moves."),
    });
    await platform.deps.store.update(documentPath("acme", kbId, b.id), { resumes: 3 });
    await sweepStalledDocuments(platform.deps, inTwentyMinutes());
    expect((await record(kbId, a.id)).error).toContain("Reading this file was interrupted");
    expect(await record(kbId, b.id)).toMatchObject({
      status: "failed",
      error:
        "Indexing stopped making progress and was restarted 3 times without finishing; upload the file again",
    });
    expect(stalledAfterMs(platform.deps)).toBeGreaterThan(platform.deps.config.parse.timeoutMs);
  });
});

describe("one task or several", () => {
  const paragraph = (i: number) =>
    `## Section ${i}\n\nClause ${i} of the facilities handbook: meeting room ${i} seats ${i + 4} people and ` +
    `is booked through the front desk at least ${(i % 5) + 1} days ahead; cancellations free the room at once.\n`;

  it("indexes a small document in its ingest task, without batch documents or embed tasks", async () => {
    const kbId = await createKb("Small");
    const doc = await upload(kbId, "rooms.md", [1, 2, 3].map(paragraph).join("\n"));
    const embedsBefore = platform.deps.tasks.stats("knowledge-embedChunks");
    const done = await settled(kbId, doc.id);
    expect(done.status).toBe("ready");
    expect(platform.deps.tasks.stats("knowledge-embedChunks")).toEqual(embedsBefore);
    const batches = await platform.deps.store.query({ collection: chunkBatchesPath("acme", kbId, doc.id) });
    expect(batches).toEqual([]);
    expect(await record(kbId, doc.id)).toMatchObject({
      totalBatches: 1,
      embeddedBatches: [0],
      activeVersion: 1,
    });
    expect(await searchTexts(kbId, "meeting room 2 seats")).toContain("meeting room 2 seats 6 people");
  });

  it("fans a large document out to embed tasks, one per batch of 64 chunks, and indexes every chunk", async () => {
    const kbId = await createKb("Large");
    const text = Array.from({ length: 400 }, (_, i) => paragraph(i)).join("\n");
    const doc = await upload(kbId, "handbook.md", text);
    const done = await settled(kbId, doc.id);
    expect(done.status).toBe("ready");
    const stored = await record(kbId, doc.id);
    expect(stored.totalBatches).toBeGreaterThan(1);
    expect([...stored.embeddedBatches].sort((a, b) => a - b)).toEqual(
      Array.from({ length: stored.totalBatches }, (_, b) => b),
    );
    const chunks = await platform.deps.store.count({
      collection: chunksPath("acme", kbId),
      where: [{ field: "docId", op: "==", value: doc.id }],
    });
    expect(chunks).toBe(stored.chunkCount);
    // The parsed batches were only needed until the version was ready.
    expect(await platform.deps.store.query({ collection: chunkBatchesPath("acme", kbId, doc.id) })).toEqual(
      [],
    );
    expect(await searchTexts(kbId, "meeting room 399 seats")).toContain("meeting room 399 seats 403 people");
  });
});
