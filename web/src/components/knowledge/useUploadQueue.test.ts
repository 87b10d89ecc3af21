import { describe, expect, it } from "vitest";
import { PlatformRequestError } from "../../data/platform";
import { parseDocuments, parseUploadedDocument } from "../../data/rest/knowledge";
import { queuedDoc } from "../../test/knowledgeFixtures";
import { formatBytes } from "./describe";
import { nextBatches, uploadStatus, uploadsReducer, type Upload } from "./useUploadQueue";

const path = "/v1/knowledge-bases/kb_handbook/documents";
const fileOf = (name: string, size = 2048) => new File([new Uint8Array(size)], name);
const kb = 1024;
const batching = { maxFiles: 3, maxBytes: 10 * kb };

function waiting(...files: (string | [string, number])[]): readonly Upload[] {
  return files.map((f) => {
    const [name, size] = typeof f === "string" ? [f, 2 * kb] : f;
    return { key: name, file: fileOf(name, size), path: name, phase: { kind: "waiting" } };
  });
}

const keysOf = (batches: readonly (readonly Upload[])[]) => batches.map((b) => b.map((u) => u.key));
const networkError = () => new PlatformRequestError("network", path, `POST ${path} got no response.`);

describe("the upload queue", () => {
  it("groups small files into requests of at most maxFiles files and maxBytes bytes, oldest first", () => {
    const uploads = waiting("a.md", "b.md", "c.md", "d.md", ["e.pdf", 9 * kb], "f.md", "g.md");
    // 3 files a request; e.pdf (9 KB) does not fit beside d.md (2 KB) in 10 KB, so it waits for the next.
    expect(keysOf(nextBatches(uploads, 3, batching))).toEqual([
      ["a.md", "b.md", "c.md"],
      ["d.md", "f.md", "g.md"],
      ["e.pdf"],
    ]);
  });

  it("sends a file larger than a batch, or any file where the source does not batch, alone", () => {
    const uploads = waiting("a.md", ["manual.pdf", 11 * kb], "b.md");
    expect(keysOf(nextBatches(uploads, 3, batching))).toEqual([["a.md", "b.md"], ["manual.pdf"]]);
    expect(keysOf(nextBatches(uploads, 3, { maxFiles: 1, maxBytes: 25 * 1024 * kb }))).toEqual([
      ["a.md"],
      ["manual.pdf"],
      ["b.md"],
    ]);
  });

  it("starts no more requests than there are free slots, and never a file already sending", () => {
    const uploads = waiting("a.md", "b.md", "c.md", "d.md", "e.md", "f.md", "g.md");
    expect(keysOf(nextBatches(uploads, 1, batching))).toEqual([["a.md", "b.md", "c.md"]]);
    expect(nextBatches(uploads, 0, batching)).toEqual([]);
    expect(keysOf(nextBatches(uploads, 3, batching, new Set(["a.md", "b.md", "c.md"])))).toEqual([
      ["d.md", "e.md", "f.md"],
      ["g.md"],
    ]);

    let started = uploadsReducer(uploads, { type: "start", keys: ["a.md", "b.md"], request: "r1" });
    expect(keysOf(nextBatches(started, 1, batching))).toEqual([["c.md", "d.md", "e.md"]]);
    started = uploadsReducer(started, { type: "failed", key: "b.md", error: networkError() });
    expect(started.map((u) => u.phase.kind)).toEqual([
      "uploading",
      "failed",
      "waiting",
      "waiting",
      "waiting",
      "waiting",
      "waiting",
    ]);
  });

  it("sends alone the files of a request refused as a whole, and marks those waiting for the budget", () => {
    let uploads = waiting("a.md", "b.md", "c.md");
    uploads = uploadsReducer(uploads, { type: "start", keys: ["a.md", "b.md"], request: "r1" });
    uploads = uploadsReducer(uploads, { type: "requeue", keys: ["a.md", "b.md"], alone: true });
    expect(keysOf(nextBatches(uploads, 3, batching))).toEqual([["a.md"], ["b.md"], ["c.md"]]);

    uploads = uploadsReducer(uploads, { type: "start", keys: ["c.md"], request: "r2" });
    uploads = uploadsReducer(uploads, { type: "requeue", keys: ["c.md"], forBudget: true });
    const labels = () => uploads.map((u) => uploadStatus(u, [], formatBytes).label);
    expect(labels()).toEqual(["Waiting to upload", "Waiting to upload", "Waiting for the upload budget"]);
    uploads = uploadsReducer(uploads, { type: "release" });
    expect(labels()).toEqual(["Waiting to upload", "Waiting to upload", "Waiting to upload"]);
    // A requeue reaches only files that were sending: a finished one stays as it is.
    uploads = uploadsReducer(uploads, { type: "start", keys: ["a.md"], request: "r3" });
    uploads = uploadsReducer(uploads, { type: "failed", key: "a.md", error: networkError() });
    expect(uploadsReducer(uploads, { type: "requeue", keys: ["a.md"] })).toEqual(uploads);
  });

  it("keeps the other files going when one fails, and sends a retried one again", () => {
    let uploads = waiting("a.md", "b.md");
    uploads = uploadsReducer(uploads, { type: "start", keys: ["a.md", "b.md"], request: "r1" });
    uploads = uploadsReducer(uploads, { type: "failed", key: "a.md", error: networkError() });
    uploads = uploadsReducer(uploads, {
      type: "progress",
      key: "b.md",
      progress: { sent: 1024, total: 2048 },
    });
    expect(uploads.map((u) => u.phase.kind)).toEqual(["failed", "uploading"]);

    uploads = uploadsReducer(uploads, { type: "retry", key: "a.md" });
    expect(keysOf(nextBatches(uploads, 3, batching, new Set(["b.md"])))).toEqual([["a.md"]]);
  });

  it("ignores news about a file after it was cancelled", () => {
    let uploads = waiting("a.md");
    uploads = uploadsReducer(uploads, { type: "start", keys: ["a.md"], request: "r1" });
    uploads = uploadsReducer(uploads, { type: "remove", keys: ["a.md"] });
    const document = parseUploadedDocument(queuedDoc("doc_a", "a.md", 2048), path);
    expect(uploadsReducer(uploads, { type: "sent", key: "a.md", document })).toEqual([]);
  });
});

describe("an upload's status", () => {
  const sent = (overrides: Record<string, unknown> = {}): Upload => ({
    key: "a",
    file: fileOf("leave-policy.md", 4096),
    path: "leave-policy.md",
    phase: {
      kind: "sent",
      document: parseUploadedDocument(queuedDoc("doc_leave", "leave-policy.md", 4096, overrides), path),
    },
  });
  const listing = (overrides: Record<string, unknown>) =>
    parseDocuments({ documents: [queuedDoc("doc_leave", "leave-policy.md", 4096, overrides)] }, path);

  it("counts the bytes sent while uploading", () => {
    const upload: Upload = {
      key: "a",
      file: fileOf("leave-policy.md", 4096),
      path: "leave-policy.md",
      phase: { kind: "uploading", sent: 1024, total: 4096, request: "r1" },
    };
    expect(uploadStatus(upload, [], formatBytes)).toMatchObject({
      label: "Uploading: 1 KB of 4 KB (25%)",
      percent: 25,
      settled: false,
    });
    const allSent: Upload = {
      ...upload,
      phase: { kind: "uploading", sent: 4096, total: 4096, request: "r1" },
    };
    expect(uploadStatus(allSent, [], formatBytes)).toMatchObject({
      label: "Sent; waiting for the platform to accept it",
      percent: 100,
      settled: false,
    });
  });

  it("follows the document through ingestion in the live listing, until ready", () => {
    expect(uploadStatus(sent(), undefined, formatBytes)).toMatchObject({
      label: "Uploaded; waiting to be read (0%)",
      settled: false,
    });
    const embedding = listing({ status: "processing", stage: "embed", progress: 0.6 });
    expect(uploadStatus(sent(), embedding, formatBytes)).toMatchObject({
      label: "Uploaded; embedding passages (60%)",
      percent: 60,
    });
    const ready = listing({ status: "ready", stage: "done", progress: 1, chunkCount: 3, activeVersion: 1 });
    expect(uploadStatus(sent(), ready, formatBytes)).toMatchObject({
      label: "Searchable: 3 passages (version 1)",
      tone: "done",
      settled: true,
    });
  });

  it("gives the platform's reason when ingestion failed, and offers to send the file again", () => {
    const failed = listing({ status: "failed", stage: "parse", error: "The PDF is password-protected" });
    expect(uploadStatus(sent(), failed, formatBytes)).toMatchObject({
      label: "Failed while reading the file",
      problem: "The PDF is password-protected",
      tone: "error",
      canRetry: true,
    });
  });

  it("says when the same file was already the newest version", () => {
    expect(uploadStatus(sent({ duplicate: true, version: 2 }), undefined, formatBytes)).toMatchObject({
      label: "Already up to date: the same file is version 2",
      settled: true,
    });
  });
});
