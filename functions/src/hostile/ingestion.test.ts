/**
 * Hostile documents against the built runtime (as `npm start` runs it) as a child process: decompression
 * bombs, files that keep a parser busy forever, absurd shapes and broken archives, uploaded by one tenant
 * while another keeps working. For each: the document ends `failed` with a message naming the limit it hit,
 * the process stays up, `/health` answers within 100 ms at the 99th percentile while the file is being read,
 * and the other tenant's own upload meanwhile becomes ready. Default limits, except a 10-second wall clock
 * per document instead of 240, so the stalling files are stopped within the test's time.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  docxBomb,
  docxWithTruncatedPart,
  pdfBomb,
  pdfThatStalls,
  wideCsv,
} from "../knowledge/parse/testing/bombs.js";
import { handbookDocx } from "../knowledge/parse/testing/fixtures.js";
import {
  startChildRuntime,
  stopChildRuntime,
  type ChildRuntime,
} from "@alchemist/local/testing/child-runtime";
import { expectUnharmed, signUpNeighbour, underSiege, type Neighbour } from "./testing/siege.js";

const ownerKey = "alk_hostile_ingest_owner_key_0123456789";
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-hostile-ingest-"));
let runtime: ChildRuntime;
let neighbour: Neighbour;
let kbId: string;

type Doc = { id: string; status: string; error?: string };

async function call(pathname: string, init: RequestInit = {}, token = ownerKey): Promise<Response> {
  return fetch(`${runtime.url}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, ...init.headers },
  });
}

async function uploadFile(kb: string, name: string, bytes: Uint8Array, token = ownerKey): Promise<Response> {
  const form = new FormData();
  form.append("file", new Blob([bytes]), name);
  return call(`/v1/knowledge-bases/${kb}/documents`, { method: "POST", body: form }, token);
}

/** Polls a document until it is ready or failed. */
async function outcome(kb: string, docId: string, token = ownerKey, timeoutMs = 90_000): Promise<Doc> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const doc = (await (await call(`/v1/knowledge-bases/${kb}/documents/${docId}`, {}, token)).json()) as Doc;
    if (doc.status === "ready" || doc.status === "failed") return doc;
    if (Date.now() > deadline) throw new Error(`document still ${doc.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let neighbourUploads = 0;

/**
 * Uploads `bytes` as `name` under siege; meanwhile the neighbour uploads a document of its own, which must
 * become ready while the hostile one is being read. Returns the hostile document's end state.
 */
async function attack(name: string, bytes: Uint8Array): Promise<Doc> {
  let hostile: Doc | undefined;
  const report = await underSiege(runtime, neighbour, name, async () => {
    const res = await uploadFile(kbId, name, bytes);
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const own = await call(
      `/v1/knowledge-bases/${neighbour.kbId}/documents`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name: `notice-${++neighbourUploads}.md`,
          text: `Notice ${neighbourUploads}: the lifts are serviced on Fridays.`,
        }),
      },
      neighbour.token,
    );
    expect(own.status).toBe(202);
    const ownId = ((await own.json()) as { id: string }).id;
    expect(await outcome(neighbour.kbId, ownId, neighbour.token)).toMatchObject({ status: "ready" });
    hostile = await outcome(kbId, id);
  });
  expectUnharmed(runtime, report);
  return hostile as unknown as Doc;
}

beforeAll(async () => {
  runtime = await startChildRuntime(dataDir, { ALCHEMIST_API_KEY: ownerKey, PARSE_TIMEOUT_SECONDS: "10" });
  neighbour = await signUpNeighbour(runtime);
  const token = neighbour.token;
  // The neighbour's first document: the ingestion path is loaded and a parse worker is warm before any
  // attack is measured (what is measured is an attack, not the runtime's first upload).
  const first = await uploadFile(
    neighbour.kbId,
    "parking.md",
    new TextEncoder().encode("Visitor parking is on level -1."),
    token,
  );
  expect(await outcome(neighbour.kbId, ((await first.json()) as { id: string }).id, token)).toMatchObject({
    status: "ready",
  });
  const own = await call("/v1/knowledge-bases", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "Uploads" }),
  });
  kbId = ((await own.json()) as { id: string }).id;
}, 60_000);

afterAll(async () => {
  if (runtime) await stopChildRuntime(runtime);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("hostile documents against the built runtime", () => {
  it("a DOCX whose document part inflates to 110 MB fails at the unpacked-size limit", async () => {
    const doc = await attack("bomb.docx", docxBomb(110));
    expect(doc).toMatchObject({ status: "failed" });
    expect(doc.error).toContain("expands to more than 64 MB of content when unpacked");
  });

  it("a DOCX whose headers lie about its sizes fails at the same limit", async () => {
    const doc = await attack("liar.docx", docxBomb(110, { lie: true }));
    expect(doc.error).toContain("expands to more than 64 MB of content when unpacked");
  });

  it("a PDF whose one page inflates to 100 MB fails at the per-part limit", async () => {
    const doc = await attack("bomb.pdf", pdfBomb(100));
    expect(doc.error).toContain("expands to more than 32 MB when unpacked; the limit is 32 MB per part");
  });

  it("a CSV with a million columns fails at the column limit", async () => {
    const doc = await attack("wide.csv", wideCsv());
    expect(doc.error).toContain("more than 16,384 columns");
  });

  it("a PDF that keeps pdf.js busy forever is stopped at the wall clock", async () => {
    const doc = await attack("stall.pdf", pdfThatStalls());
    expect(doc.error).toBe(
      "Reading this file took longer than 10 seconds, the limit for one document, and was stopped; split it into smaller files, or save it again from the application that made it, and upload that",
    );
  });

  it("a DOCX that keeps the Word reader busy (an unclosed document of 1 MB) is stopped at the wall clock", async () => {
    const doc = await attack("unclosed.docx", docxBomb(1, { lie: true }));
    expect(doc.error).toContain("took longer than 10 seconds");
  });

  it("a DOCX cut off inside its data fails as damaged; one cut off as a file is refused at upload", async () => {
    const doc = await attack("cut.docx", docxWithTruncatedPart());
    expect(doc.error).toContain("This Word document (DOCX) is damaged or incomplete");
    const whole = await handbookDocx();
    const res = await uploadFile(kbId, "short.docx", whole.subarray(0, whole.length - 100));
    expect(res.status).toBe(400);
  });

  it("reads sound documents afterwards, with the workers the attacks left", async () => {
    const res = await uploadFile(kbId, "handbook.docx", await handbookDocx());
    const { id } = (await res.json()) as { id: string };
    expect(await outcome(kbId, id)).toMatchObject({ status: "ready" });
    expect(runtime.alive()).toBe(true);
  });
});
