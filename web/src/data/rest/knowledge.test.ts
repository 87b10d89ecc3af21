/**
 * Knowledge over the REST API: the platform's answers read at the edge, and uploads at the XMLHttpRequest
 * boundary: several files in one multipart request, each file's progress from the request's bytes, the
 * 202/207 answer read per file, and a spent upload budget (429) told apart with its Retry-After.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  batchAnswer,
  handbookDoc,
  perDiemPassage,
  queuedDoc,
  travelDoc,
  vacationPassage,
} from "../../test/knowledgeFixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { stubXhr } from "../../test/xhr";
import {
  RetryLaterError,
  type KnowledgeDocument,
  type UploadOutcome,
  type UploadProgress,
} from "../knowledge";
import { PlatformRequestError } from "../platform";
import {
  filesSent,
  parseDocuments,
  parseSearchResults,
  parseUploadedDocument,
  restKnowledge,
} from "./knowledge";

const path = "/v1/knowledge-bases/kb_handbook/documents";
const fileOf = (name: string, size: number) => new File([new Uint8Array(size).fill(65)], name);

function documentOf(raw: Record<string, unknown>): KnowledgeDocument {
  const [doc] = parseDocuments({ documents: [raw] }, path);
  if (!doc) throw new Error("no document");
  return doc;
}

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the platform's knowledge shapes", () => {
  it("reads documents with their versions, a restored one saying where it came from", () => {
    const travel = documentOf(travelDoc);
    expect(travel).toMatchObject({ id: "doc_travel", status: "ready", activeVersion: 3, error: null });
    expect(travel.versions.map((v) => [v.version, v.restoredFrom])).toEqual([
      [1, null],
      [2, null],
      [3, 1],
    ]);
  });

  it("reads a failed document's reason", () => {
    const failed = documentOf({
      ...handbookDoc,
      status: "failed",
      stage: "parse",
      error: "The PDF is encrypted",
    });
    expect(failed.error).toBe("The PDF is encrypted");
  });

  it("refuses a listing whose document has a status it does not know, naming the field", () => {
    expect(() => parseDocuments({ documents: [{ ...handbookDoc, status: "indexed" }] }, path)).toThrow(
      new PlatformRequestError(
        "invalid-response",
        path,
        `GET ${path} answered with something that is not a list of documents (status).`,
      ),
    );
  });

  it("tells a duplicate upload from a new version", () => {
    expect(
      parseUploadedDocument({ ...queuedDoc("doc_a", "a.md", 10), duplicate: true }, path).duplicate,
    ).toBe(true);
    expect(parseUploadedDocument(queuedDoc("doc_a", "a.md", 10), path).duplicate).toBe(false);
  });

  it("reads search results with pages, rows and headings where the platform gives them", () => {
    const [vacation, perDiem] = parseSearchResults({ results: [vacationPassage, perDiemPassage] }, "/search");
    expect(vacation?.location).toEqual({
      headingPath: ["Acme Corp Employee Handbook", "Time off", "Vacation"],
      page: null,
      pageEnd: null,
      row: null,
      rowEnd: null,
    });
    expect(perDiem?.location).toMatchObject({ page: 4, pageEnd: 5 });
  });
});

function uploadThree() {
  const xhr = stubXhr();
  const files = [fileOf("leave.md", 1000), fileOf("travel.md", 3000), fileOf("faq.md", 1000)];
  const progress: [number, UploadProgress][] = [];
  const uploaded = restKnowledge.uploadDocuments(
    "kb_handbook",
    files,
    (index, p) => progress.push([index, p]),
    new AbortController().signal,
  );
  return { xhr, files, progress, uploaded };
}

describe("a cited passage, its document's text and its file", () => {
  beforeEach(() => {
    signInAs();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });
  const signal = () => new AbortController().signal;
  const passage = {
    id: "doc_hb-v2-4",
    kbId: "kb_handbook",
    docId: "doc_hb",
    docName: "employee-handbook.md",
    docType: "markdown",
    docVersion: 2,
    activeVersion: 2,
    index: 4,
    text: "Vacation\n\nFull-time employees receive 25 vacation days per calendar year.",
    location: { startOffset: 310, endOffset: 372, headingPath: ["Handbook", "Vacation"] },
  };

  it("reads a passage with its offsets, as the signed-in person", async () => {
    const platform = stubPlatform({
      "GET /v1/knowledge-bases/kb_handbook/chunks/doc_hb-v2-4": () => jsonResponse(passage),
    });
    const { index: _index, ...shown } = passage;
    expect(await restKnowledge.getPassage("kb_handbook", "doc_hb-v2-4", signal())).toEqual({
      ...shown,
      location: { headingPath: ["Handbook", "Vacation"], page: null, pageEnd: null, row: null, rowEnd: null },
      startOffset: 310,
      endOffset: 372,
    });
    expect(platform.requests[0]?.authorization).toBe("Bearer als_ann_acme.signature");
  });

  it("refuses a passage without offsets, naming the field", async () => {
    stubPlatform({
      "GET /v1/knowledge-bases/kb_handbook/chunks/c1": () =>
        jsonResponse({ ...passage, location: { headingPath: [] } }),
    });
    await expect(restKnowledge.getPassage("kb_handbook", "c1", signal())).rejects.toThrow(
      "GET /v1/knowledge-bases/kb_handbook/chunks/c1 answered with something that is not a passage (startOffset).",
    );
  });

  it("asks for a version's text and file by number, or the searchable one without", async () => {
    const platform = stubPlatform({
      "GET /v1/knowledge-bases/kb_handbook/documents/doc_hb/text": (request) =>
        jsonResponse({
          docId: "doc_hb",
          name: "employee-handbook.md",
          type: "markdown",
          version: Number(request.query.get("version") ?? 2),
          text: "# Handbook",
        }),
      "GET /v1/knowledge-bases/kb_handbook/documents/doc_hb/file": () =>
        new Response("# Handbook", { headers: { "Content-Type": "text/markdown" } }),
    });
    expect((await restKnowledge.getDocumentText("kb_handbook", "doc_hb", 1, signal())).version).toBe(1);
    expect((await restKnowledge.getDocumentText("kb_handbook", "doc_hb", undefined, signal())).version).toBe(
      2,
    );
    const file = await restKnowledge.getDocumentFile("kb_handbook", "doc_hb", 2);
    expect(await file.text()).toBe("# Handbook");
    expect(platform.requests.map((r) => r.query.get("version"))).toEqual(["1", null, "2"]);
  });

  it("passes the platform's refusal of a file on", async () => {
    stubPlatform({
      "GET /v1/knowledge-bases/kb_handbook/documents/doc_hb/file": () =>
        errorResponse(404, "not-found", "Document doc_hb has no version 9"),
    });
    await expect(restKnowledge.getDocumentFile("kb_handbook", "doc_hb", 9)).rejects.toMatchObject({
      status: 404,
      reason: "Document doc_hb has no version 9",
    });
  });
});

describe("uploading several files over REST", () => {
  it("sends them as repeated 'files' parts of one request and reads one outcome per file, in order", async () => {
    const { xhr, progress, uploaded } = uploadThree();
    await vi.waitFor(() => expect(xhr.requests).toHaveLength(1));
    const [request] = xhr.requests;
    expect(request?.files.map((f) => f.name)).toEqual(["leave.md", "travel.md", "faq.md"]);
    expect(request?.file).toBeUndefined();

    request!.progress(2500);
    expect(progress).toEqual([
      [0, { sent: 1000, total: 1000 }],
      [1, { sent: 1500, total: 3000 }],
      [2, { sent: 0, total: 1000 }],
    ]);

    request!.respond(
      207,
      batchAnswer([
        { fileName: "leave.md", document: { ...queuedDoc("doc_leave", "leave.md", 1000), duplicate: true } },
        {
          fileName: "travel.md",
          error: { code: "invalid-argument", message: "The file is empty (0 bytes)" },
        },
        { fileName: "faq.md", document: queuedDoc("doc_faq", "faq.md", 1000) },
      ]),
    );
    const outcomes: UploadOutcome[] = await uploaded;
    expect(outcomes.map((o) => (o.ok ? [o.document.id, o.document.duplicate] : o.error.reason))).toEqual([
      ["doc_leave", true],
      "The file is empty (0 bytes)",
      ["doc_faq", false],
    ]);
    const refused = outcomes[1];
    expect(refused?.ok === false && refused.error).toMatchObject({
      code: "invalid-argument",
      message: `POST ${path} refused "travel.md": The file is empty (0 bytes)`,
    });
  });

  it("refuses an answer that does not give one result per file", async () => {
    const { xhr, uploaded } = uploadThree();
    await vi.waitFor(() => expect(xhr.requests).toHaveLength(1));
    xhr.requests[0]!.respond(
      202,
      batchAnswer([{ fileName: "leave.md", document: queuedDoc("doc_leave", "leave.md", 1000) }]),
    );
    await expect(uploaded).rejects.toMatchObject({
      failure: "invalid-response",
      message: `POST ${path} answered with something that is not one result per file (results: 1 for 3 files).`,
    });
  });

  it("refuses a result that is neither a document nor a refusal", async () => {
    const { xhr, uploaded } = uploadThree();
    await vi.waitFor(() => expect(xhr.requests).toHaveLength(1));
    xhr.requests[0]!.respond(202, { results: [{ fileName: "leave.md" }, {}, "faq.md"] });
    await expect(uploaded).rejects.toMatchObject({ failure: "invalid-response" });
  });

  it("tells a spent upload budget apart, with the seconds of its Retry-After", async () => {
    const { xhr, uploaded } = uploadThree();
    await vi.waitFor(() => expect(xhr.requests).toHaveLength(1));
    const message = "Rate limit exceeded for this tenant's uploads; retry in 12 s";
    xhr.requests[0]!.respond(
      429,
      { error: { code: "resource-exhausted", message, details: { retryAfterSeconds: 11.2 } } },
      { "Retry-After": "12" },
    );
    const error: unknown = await uploaded.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryLaterError);
    expect(error).toMatchObject({
      status: 429,
      code: "resource-exhausted",
      reason: message,
      retryAfterSeconds: 12,
    });
  });

  it("reads the wait from the error's details without a Retry-After header, and waits a little without either", async () => {
    const first = uploadThree();
    await vi.waitFor(() => expect(first.xhr.requests).toHaveLength(1));
    first.xhr.requests[0]!.respond(429, {
      error: { code: "resource-exhausted", message: "Slow down", details: { retryAfterSeconds: 7.5 } },
    });
    await expect(first.uploaded).rejects.toMatchObject({ retryAfterSeconds: 8 });

    const second = uploadThree();
    await vi.waitFor(() => expect(second.xhr.requests).toHaveLength(1));
    second.xhr.requests[0]!.respond(429, "Too Many Requests", { "Retry-After": "soon" });
    await expect(second.uploaded).rejects.toMatchObject({ retryAfterSeconds: 10 });
  });

  it("keeps other refusals as they were: the status and the platform's reason", async () => {
    const { xhr, uploaded } = uploadThree();
    await vi.waitFor(() => expect(xhr.requests).toHaveLength(1));
    xhr.requests[0]!.respond(413, {
      error: { code: "payload-too-large", message: "Send at most 2 files in one request" },
    });
    const error: unknown = await uploaded.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformRequestError);
    expect(error).not.toBeInstanceOf(RetryLaterError);
    expect(error).toMatchObject({ status: 413, reason: "Send at most 2 files in one request" });
  });
});

describe("each file's share of a request's bytes", () => {
  it("fills the files in order, with the multipart framing spread over them", () => {
    // 5000 bytes of files in a 5100-byte body: half the body is 2500 bytes of files.
    expect(filesSent([1000, 3000, 1000], 2550, 5100)).toEqual([1000, 1500, 0]);
    expect(filesSent([1000, 3000, 1000], 5100, 5100)).toEqual([1000, 3000, 1000]);
    expect(filesSent([1000, 3000, 1000], 0, 5100)).toEqual([0, 0, 0]);
    // A browser reporting nonsense (more than the body, or no total) never reads over 100% or under 0.
    expect(filesSent([1000], 9999, 5100)).toEqual([1000]);
    expect(filesSent([1000], 10, 0)).toEqual([0]);
  });
});
