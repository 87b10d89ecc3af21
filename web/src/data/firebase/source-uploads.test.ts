/**
 * Several files through Firebase mode's source: no batching there (one Storage object per new document),
 * so the queue is told to send each file alone, and a call with several still answers one outcome per file.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { signInAs, annSession } from "../../test/session";
import { stubXhr } from "../../test/xhr";
import type { UploadProgress } from "../knowledge";
import type { StorageUploader } from "./ports";
import { createFirebaseSource } from "./source";
import { fakeFirestore, type FakeFirestore } from "./testing/fakeFirestore";

const kb = "tenants/acme/knowledgeBases/kb_handbook";
let firestore: FakeFirestore;
let stored: string[];
let storage: StorageUploader;

beforeEach(() => {
  firestore = fakeFirestore();
  stored = [];
  storage = {
    async upload(path, file, _contentType, onProgress) {
      stored.push(path);
      await Promise.resolve();
      onProgress(file.size, file.size);
    },
  };
  signInAs(annSession());
  firestore.set(kb, {
    name: "Acme Corp employee handbook",
    createdAt: "2026-01-10T09:00:00.000Z",
    updatedAt: "2026-01-10T09:00:00.000Z",
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** What the storage trigger writes for a new document (registerDirectUpload). */
const registeredDocument = (name: string, size: number) => ({
  name,
  type: "markdown",
  contentType: "text/markdown",
  size,
  version: 1,
  activeVersion: null,
  status: "queued",
  stage: "upload",
  progress: 0,
  chunkCount: 0,
  error: null,
  versions: [{ version: 1, size, createdAt: "2026-02-01T16:40:00.000Z" }],
  createdAt: "2026-02-01T16:40:00.000Z",
  updatedAt: "2026-02-01T16:40:00.000Z",
});

describe("uploads in Firebase mode", () => {
  it("asks the queue for one file per call: each new document is its own Storage object", () => {
    const source = createFirebaseSource({ firestore: firestore.reader, storage });
    expect(source.uploadBatching.maxFiles).toBe(1);
  });

  it("sends several files one by one and answers one outcome per file, a refusal stopping only its own", async () => {
    const xhr = stubXhr();
    const source = createFirebaseSource({ firestore: firestore.reader, storage });
    const handbook = new File(
      ["# Handbook\n\nEmployees receive 16 weeks of paid parental leave.\n"],
      "handbook.md",
    );
    const budget = new File(["PK\u0003\u0004"], "budget.xlsx");
    const progress: [number, UploadProgress][] = [];

    const uploaded = source.uploadDocuments(
      "kb_handbook",
      [handbook, budget],
      (index, p) => progress.push([index, p]),
      new AbortController().signal,
    );
    await vi.waitFor(() => expect(stored).toHaveLength(1));
    expect(stored[0]).toBe(`${kb}/documents/oKHKFe-ToyjMIMhyk2Ls8XMR/v1/handbook.md`);
    expect(xhr.requests).toHaveLength(0);
    firestore.set(
      `${kb}/documents/oKHKFe-ToyjMIMhyk2Ls8XMR`,
      registeredDocument("handbook.md", handbook.size),
    );

    // A type storage.rules refuses goes through the API, which says why.
    await vi.waitFor(() => expect(xhr.requests).toHaveLength(1));
    expect(xhr.requests[0]?.file?.name).toBe("budget.xlsx");
    xhr.requests[0]!.respond(400, {
      error: { code: "invalid-argument", message: "Excel workbooks cannot be read: save each sheet as CSV" },
    });

    const outcomes = await uploaded;
    expect(outcomes.map((o) => (o.ok ? o.document.id : o.error.reason))).toEqual([
      "oKHKFe-ToyjMIMhyk2Ls8XMR",
      "Excel workbooks cannot be read: save each sheet as CSV",
    ]);
    expect(progress).toEqual([[0, { sent: handbook.size, total: handbook.size }]]);
  });

  it("stops at a cancel, as a request would", async () => {
    stubXhr();
    const source = createFirebaseSource({ firestore: firestore.reader, storage });
    const controller = new AbortController();
    const uploaded = source.uploadDocuments(
      "kb_handbook",
      [new File(["# A\n"], "a.md"), new File(["# B\n"], "b.md")],
      () => undefined,
      controller.signal,
    );
    await vi.waitFor(() => expect(stored).toHaveLength(1));
    controller.abort();
    await expect(uploaded).rejects.toMatchObject({ name: "AbortError" });
    expect(stored).toHaveLength(1);
  });
});
