import { describe, expect, it } from "vitest";
import { formatBytes, parseDocuments, parseUploadedDocument } from "../../data/knowledge";
import { PlatformRequestError } from "../../data/platform";
import { queuedDoc } from "../../test/knowledgeFixtures";
import { uploadStatus, uploadsReducer, uploadsToStart, type Upload } from "./useUploadQueue";

const path = "/v1/knowledge-bases/kb_handbook/documents";
const fileOf = (name: string, size = 2048) => new File([new Uint8Array(size)], name);

function waiting(...names: string[]): readonly Upload[] {
  return names.map((name) => ({ key: name, file: fileOf(name), phase: { kind: "waiting" } }));
}

describe("the upload queue", () => {
  it("starts at most three files at a time, oldest first", () => {
    let uploads = waiting("a.md", "b.md", "c.md", "d.md", "e.md");
    expect(uploadsToStart(uploads, 3).map((u) => u.key)).toEqual(["a.md", "b.md", "c.md"]);
    for (const key of ["a.md", "b.md", "c.md"]) uploads = uploadsReducer(uploads, { type: "start", key });
    expect(uploadsToStart(uploads, 3)).toEqual([]);

    const error = new PlatformRequestError("network", path, `POST ${path} got no response.`);
    uploads = uploadsReducer(uploads, { type: "failed", key: "b.md", error });
    expect(uploadsToStart(uploads, 3).map((u) => u.key)).toEqual(["d.md"]);
  });

  it("keeps the other files going when one fails, and sends a retried one again", () => {
    let uploads = waiting("a.md", "b.md");
    uploads = uploadsReducer(uploads, { type: "start", key: "a.md" });
    uploads = uploadsReducer(uploads, { type: "start", key: "b.md" });
    const error = new PlatformRequestError("network", path, `POST ${path} got no response.`);
    uploads = uploadsReducer(uploads, { type: "failed", key: "a.md", error });
    uploads = uploadsReducer(uploads, {
      type: "progress",
      key: "b.md",
      progress: { sent: 1024, total: 2048 },
    });
    expect(uploads.map((u) => u.phase.kind)).toEqual(["failed", "uploading"]);

    uploads = uploadsReducer(uploads, { type: "retry", key: "a.md" });
    expect(uploadsToStart(uploads, 3).map((u) => u.key)).toEqual(["a.md"]);
  });

  it("ignores news about a file after it was cancelled", () => {
    let uploads = waiting("a.md");
    uploads = uploadsReducer(uploads, { type: "start", key: "a.md" });
    uploads = uploadsReducer(uploads, { type: "remove", keys: ["a.md"] });
    const document = parseUploadedDocument(queuedDoc("doc_a", "a.md", 2048), path);
    expect(uploadsReducer(uploads, { type: "sent", key: "a.md", document })).toEqual([]);
  });
});

describe("an upload's status", () => {
  const sent = (overrides: Record<string, unknown> = {}): Upload => ({
    key: "a",
    file: fileOf("leave-policy.md", 4096),
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
      phase: { kind: "uploading", sent: 1024, total: 4096 },
    };
    expect(uploadStatus(upload, [], formatBytes)).toMatchObject({
      label: "Uploading: 1 KB of 4 KB (25%)",
      percent: 25,
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
