/**
 * Reading a cited passage where it sits, over the API of the in-process local platform: one passage by
 * its chunk id, a document version's extracted text (which the passage's offsets point into), and a
 * version's original file (a PDF with its pages). Then the hostile side: unknown, foreign and malformed ids,
 * bad versions, deleted documents and replaced versions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { textPdf } from "./parse/testing/fixtures.js";

let platform: TestPlatform;

const handbook = `# Acme handbook

## Vacation

Full-time employees receive 25 vacation days per calendar year. Up to 5 unused days can be carried over.

## Expenses

Submit expense claims in the finance portal within 30 days.
`;

const travelPage = `<!doctype html><html><head><title>Travel</title><script>steal()</script></head>
<body><h1>Travel policy</h1><h2>Flights</h2><p>Book <b>economy class</b> for flights under six hours.</p>
<h2>Hotels</h2><p>Hotels are booked through the travel desk.</p></body></html>`;

interface Passage {
  id: string;
  kbId: string;
  docId: string;
  docName: string;
  docType: string;
  docVersion: number;
  activeVersion: number | null;
  index: number;
  text: string;
  location: { startOffset: number; endOffset: number; headingPath: string[]; page?: number };
}

interface DocumentText {
  docId: string;
  name: string;
  type: string;
  version: number;
  text: string;
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function errorCode(res: Response): Promise<[number, string]> {
  return [res.status, (await json<{ error: { code: string } }>(res)).error.code];
}

async function createKb(name: string): Promise<string> {
  const res = await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name } });
  return (await json<{ id: string }>(res)).id;
}

async function uploadText(kbId: string, name: string, text: string): Promise<string> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
    method: "POST",
    json: { name, text },
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await json<{ id: string }>(res)).id;
}

async function uploadFile(kbId: string, name: string, bytes: Uint8Array): Promise<string> {
  const form = new FormData();
  form.append("file", new Blob([bytes]), name);
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, { method: "POST", body: form });
  expect(res.status, await res.clone().text()).toBe(202);
  return (await json<{ id: string }>(res)).id;
}

/** The chunk id of the best passage for `query`, as a citation would name it. */
async function chunkFor(kbId: string, query: string): Promise<string> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/search`, {
    method: "POST",
    json: { query, k: 1 },
  });
  const { results } = await json<{ results: { chunkId: string }[] }>(res);
  expect(results[0], `no passage found for "${query}"`).toBeDefined();
  return results[0]?.chunkId as string;
}

async function passage(kbId: string, chunkId: string, key?: string): Promise<Passage> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/chunks/${chunkId}`, { key });
  expect(res.status, await res.clone().text()).toBe(200);
  return json<Passage>(res);
}

async function documentText(kbId: string, docId: string, query = ""): Promise<DocumentText> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${docId}/text${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return json<DocumentText>(res);
}

let kbId: string;
let handbookId: string;
let pdfId: string;
let pdfBytes: Uint8Array;

beforeAll(async () => {
  platform = await startTestPlatform();
  kbId = await createKb("Policies");
  handbookId = await uploadText(kbId, "handbook.md", handbook);
  await uploadText(kbId, "travel.html", travelPage);
  pdfBytes = await textPdf([
    ["# Expenses policy", "Claims are paid with the next salary."],
    ["# Company cars", "Company cars are returned with a full tank of fuel."],
  ]);
  pdfId = await uploadFile(kbId, "expenses.pdf", pdfBytes);
  await platform.host.runner.idle();
}, 60_000);

afterAll(async () => {
  await platform?.close();
});

describe("a passage by its chunk id", () => {
  it("answers the passage with its document, version, headings and offsets into the version's text", async () => {
    const chunkId = await chunkFor(kbId, "How many vacation days do full-time employees receive?");
    const found = await passage(kbId, chunkId, platform.keys.viewer);
    expect(found).toMatchObject({
      id: chunkId,
      kbId,
      docId: handbookId,
      docName: "handbook.md",
      docType: "markdown",
      docVersion: 1,
      activeVersion: 1,
      location: { headingPath: ["Acme handbook", "Vacation"] },
    });
    expect(found.text).toContain("25 vacation days per calendar year");

    // The offsets point into the text the document endpoint answers: the passage is found where it sits.
    const { text, version, type } = await documentText(kbId, handbookId);
    expect([version, type]).toEqual([1, "markdown"]);
    const where = text.slice(found.location.startOffset, found.location.endOffset);
    expect(where).toBe(
      "Full-time employees receive 25 vacation days per calendar year. Up to 5 unused days can be carried over.",
    );
    expect(text.slice(0, found.location.startOffset)).toContain("## Vacation");
  });

  it("reads an HTML page's text as ingestion extracted it: no markup, no script, offsets that match", async () => {
    const chunkId = await chunkFor(kbId, "Which class are flights under six hours booked in?");
    const found = await passage(kbId, chunkId);
    expect(found).toMatchObject({ docName: "travel.html", docType: "html" });
    const { text } = await documentText(kbId, found.docId);
    expect(text).not.toMatch(/<|steal\(\)/);
    expect(text.slice(found.location.startOffset, found.location.endOffset)).toContain(
      "Book economy class for flights under six hours.",
    );
  });

  it("names the page of a PDF passage, and serves the PDF as uploaded to open it there", async () => {
    const chunkId = await chunkFor(kbId, "How are company cars returned?");
    const found = await passage(kbId, chunkId);
    expect(found).toMatchObject({ docId: pdfId, docType: "pdf", location: { page: 2 } });

    const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${pdfId}/file`, {
      key: platform.keys.viewer,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe("attachment; filename*=UTF-8''expenses.pdf");
    expect(res.headers.get("x-document-version")).toBe("1");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(pdfBytes);
  });

  it("never serves an uploaded page as a page of the platform", async () => {
    const docs = await json<{ documents: { id: string; name: string }[] }>(
      await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`),
    );
    const html = docs.documents.find((d) => d.name === "travel.html")?.id;
    const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${html}/file`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe("sandbox; default-src 'none'");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toBe(travelPage);
  });
});

describe("versions", () => {
  it("reads the searchable version by default and any stored version on request", async () => {
    const docId = await uploadText(kbId, "notice.md", "# Notice\n\nThe office closes at 6 pm.");
    await platform.host.runner.idle();
    const oldChunk = await chunkFor(kbId, "When does the office close?");
    expect((await passage(kbId, oldChunk)).docVersion).toBe(1);
    await uploadText(kbId, "notice.md", "# Notice\n\nThe office closes at 8 pm on Thursdays.");
    await platform.host.runner.idle();

    expect(await documentText(kbId, docId)).toMatchObject({
      version: 2,
      text: expect.stringContaining("8 pm"),
    });
    expect(await documentText(kbId, docId, "?version=1")).toMatchObject({
      version: 1,
      text: expect.stringContaining("6 pm"),
    });
    const v1 = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${docId}/file?version=1`);
    expect(await v1.text()).toBe("# Notice\n\nThe office closes at 6 pm.");

    // The replaced version's passages are gone once the new one is searchable.
    const gone = await platform.fetch(`/v1/knowledge-bases/${kbId}/chunks/${oldChunk}`);
    expect(await errorCode(gone)).toEqual([404, "not-found"]);
    const fresh = await passage(kbId, await chunkFor(kbId, "When does the office close on Thursdays?"));
    expect(fresh).toMatchObject({ docId, docVersion: 2, activeVersion: 2 });
  });

  it.each([
    ["a version that does not exist", "?version=7", 404, "not-found"],
    ["version 0", "?version=0", 400, "invalid-argument"],
    ["a version that is not a number", "?version=latest", 400, "invalid-argument"],
    ["a fractional version", "?version=1.5", 400, "invalid-argument"],
    ["a negative version", "?version=-1", 400, "invalid-argument"],
    ["an unknown parameter", "?versoin=1", 400, "invalid-argument"],
  ])("answers %s with a clear error", async (_what, query, status, code) => {
    for (const what of ["text", "file"]) {
      const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${handbookId}/${what}${query}`);
      expect(await errorCode(res), `${what}${query}`).toEqual([status, code]);
    }
  });
});

describe("hostile ids", () => {
  const routes = (ids: { kb: string; doc: string; chunk: string }) => [
    `/v1/knowledge-bases/${ids.kb}/chunks/${ids.chunk}`,
    `/v1/knowledge-bases/${ids.kb}/documents/${ids.doc}/text`,
    `/v1/knowledge-bases/${ids.kb}/documents/${ids.doc}/file`,
  ];
  let chunkId: string;
  beforeAll(async () => {
    chunkId = await chunkFor(kbId, "When must expense claims be submitted?");
  });

  it("shows another workspace nothing: its owner gets 404 for this one's ids, without its content", async () => {
    for (const path of routes({ kb: kbId, doc: handbookId, chunk: chunkId })) {
      const res = await platform.fetch(path, { key: platform.keys.otherTenantOwner });
      const text = await res.text();
      expect(res.status, path).toBe(404);
      expect(text).not.toMatch(/expense claims|finance portal|handbook\.md/);
    }
  });

  it("answers 404 for unknown knowledge bases, documents and passages", async () => {
    const unknown = [
      ...routes({ kb: "kb_nope", doc: handbookId, chunk: chunkId }),
      `/v1/knowledge-bases/${kbId}/chunks/${handbookId}-v1-999`,
      `/v1/knowledge-bases/${kbId}/documents/doc_nope/text`,
      `/v1/knowledge-bases/${kbId}/documents/doc_nope/file`,
    ];
    for (const path of unknown)
      expect(await errorCode(await platform.fetch(path)), path).toEqual([404, "not-found"]);
  });

  it("answers 400 for malformed ids, never a 5xx", async () => {
    for (const bad of ["bad.id", "a%20b", "x".repeat(200), "%F0%9F%92%A5"]) {
      const paths = [
        ...routes({ kb: bad, doc: handbookId, chunk: chunkId }),
        ...routes({ kb: kbId, doc: bad, chunk: bad }),
      ];
      for (const path of paths)
        expect(await errorCode(await platform.fetch(path)), path).toEqual([400, "invalid-argument"]);
    }
  });

  it("needs a credential", async () => {
    for (const path of routes({ kb: kbId, doc: handbookId, chunk: chunkId })) {
      expect((await platform.fetch(path, { key: null })).status, path).toBe(401);
    }
  });

  it("forgets a deleted document's passages, text and file", async () => {
    const docId = await uploadText(kbId, "memo.md", "# Memo\n\nThe parking garage reopens in May.");
    await platform.host.runner.idle();
    const memoChunk = await chunkFor(kbId, "When does the parking garage reopen?");
    expect((await passage(kbId, memoChunk)).docId).toBe(docId);
    expect(
      (await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${docId}`, { method: "DELETE" })).status,
    ).toBe(204);
    await platform.host.runner.idle();
    for (const path of routes({ kb: kbId, doc: docId, chunk: memoChunk }))
      expect(await errorCode(await platform.fetch(path)), path).toEqual([404, "not-found"]);
  });
});

describe("the API description", () => {
  it("describes the passage and the text as JSON, and the file as the bytes of the original", async () => {
    type Operation = { summary: string; responses: Record<string, { content?: Record<string, unknown> }> };
    const doc = await json<{ paths: Record<string, { get?: Operation }> }>(
      await platform.fetch("/v1/openapi.json", { key: null }),
    );
    const content = (path: string) => Object.keys(doc.paths[path]?.get?.responses["200"]?.content ?? {});
    expect(content("/v1/knowledge-bases/{kbId}/chunks/{chunkId}")).toEqual(["application/json"]);
    expect(content("/v1/knowledge-bases/{kbId}/documents/{docId}/text")).toEqual(["application/json"]);
    expect(content("/v1/knowledge-bases/{kbId}/documents/{docId}/file")).toEqual([
      "application/octet-stream",
    ]);
    expect(doc.paths["/v1/knowledge-bases/{kbId}/documents/{docId}/text"]?.get?.summary).toMatch(
      /\?version=/,
    );
  });
});
