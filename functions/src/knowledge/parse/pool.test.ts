/**
 * The parse pool with real worker threads: documents are read off the event loop, a worker is reused while
 * healthy, and one that runs out of memory or time, or whose document is cancelled, is replaced.
 */
import { afterAll, describe, expect, it } from "vitest";
import { AppError } from "../../platform/errors.js";
import { ParsePool } from "./pool.js";
import { pdfThatStalls, wideCsv } from "./testing/bombs.js";
import { textPdf } from "./testing/fixtures.js";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const pools: ParsePool[] = [];
const pool = (settings: { workers?: number; memoryMb?: number; timeoutMs?: number } = {}): ParsePool => {
  const p = new ParsePool({ workers: 1, memoryMb: 256, timeoutMs: 30_000, ...settings });
  pools.push(p);
  return p;
};
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

async function failure(work: Promise<unknown>): Promise<AppError> {
  const e = await work.then(
    () => new Error("expected a failure"),
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe("parse pool", () => {
  it("parses and chunks in a worker, and reuses it for the next documents", async () => {
    const p = pool();
    const chunks = await p.run("markdown", utf8("# Leave\n\nEmployees receive 25 days of annual leave."));
    expect(chunks).toEqual([
      expect.objectContaining({ text: "Leave\n\nEmployees receive 25 days of annual leave." }),
    ]);
    const pdf = await p.run("pdf", await textPdf([["# Travel", "Economy class for short flights."]]));
    expect(pdf[0]?.location.page).toBe(1);
    await p.run("text", utf8("A third document."));
    expect(p.stats()).toMatchObject({ started: 1, workers: 1, dispatched: 3, busy: 0, queued: 0 });
  }, 60_000);

  it("reads a document's whole text in the same worker: what its chunks' offsets count in", async () => {
    const p = pool();
    const markdown = utf8(
      "# Leave\n\nEmployees receive 25 days of annual leave.\n\n## Sick leave\n\nTell your manager.",
    );
    const [chunks, text] = await Promise.all([p.run("markdown", markdown), p.readText("markdown", markdown)]);
    expect(text).toBe(
      "# Leave\n\nEmployees receive 25 days of annual leave.\n\n## Sick leave\n\nTell your manager.",
    );
    expect(chunks.map((c) => text.slice(c.location.startOffset, c.location.endOffset))).toEqual([
      "Employees receive 25 days of annual leave.",
      "Tell your manager.",
    ]);
    const html = await p.readText(
      "html",
      utf8("<h1>Travel</h1><p>Book <b>economy</b> class.</p><script>x()</script>"),
    );
    expect(html).not.toMatch(/<|x\(\)/);
    expect(html).toContain("Book economy class.");
    expect((await failure(p.readText("text", utf8("  \n ")))).code).toBe("invalid-argument");
    expect(p.stats()).toMatchObject({ started: 1, dispatched: 4 });
  }, 60_000);

  it("passes a parser's own error through, and the worker stays", async () => {
    const p = pool();
    const err = await failure(p.run("csv", wideCsv()));
    expect(err.code).toBe("payload-too-large");
    expect(err.message).toContain("more than 16,384 columns");
    expect(await p.run("text", utf8("Still here."))).toHaveLength(1);
    expect(p.stats().started).toBe(1);
  }, 60_000);

  it("stops a document past the wall-clock limit, and a fresh worker takes the next one", async () => {
    const p = pool({ timeoutMs: 1500 });
    const err = await failure(p.run("pdf", pdfThatStalls()));
    expect([err.code, err.message]).toEqual([
      "payload-too-large",
      "Reading this file took longer than 2 seconds, the limit for one document, and was stopped; split it into smaller files, or save it again from the application that made it, and upload that",
    ]);
    expect(await p.run("text", utf8("After the stall."))).toHaveLength(1);
    expect(p.stats()).toMatchObject({ started: 2, workers: 1 });
  }, 60_000);

  it("ends a worker that runs out of memory with the memory limit, not a crash of the process", async () => {
    const p = pool({ memoryMb: 32 });
    const records = Array.from({ length: 400_000 }, (_, i) => ({
      name: `item ${i}`,
      price: i,
      tags: ["a", "b"],
    }));
    const err = await failure(p.run("json", utf8(JSON.stringify(records))));
    expect([err.code, err.message]).toEqual([
      "payload-too-large",
      "Reading this file needs more than 32 MB of memory, the limit for one document, and was stopped; split it into smaller files and upload them separately",
    ]);
    expect(await p.run("text", utf8("Memory is back."))).toHaveLength(1);
  }, 60_000);

  it("cancels a running document by terminating its worker, and a waiting one before it starts", async () => {
    const p = pool();
    const running = new AbortController();
    const waiting = new AbortController();
    const first = p.run("pdf", pdfThatStalls(), { signal: running.signal });
    const second = p.run("text", utf8("Never read."), { signal: waiting.signal });
    while (p.stats().busy === 0) await new Promise((r) => setTimeout(r, 20));
    waiting.abort();
    expect((await failure(second)).code).toBe("cancelled");
    const cancelledAt = Date.now();
    running.abort();
    const err = await failure(first);
    expect(err.code).toBe("cancelled");
    expect(Date.now() - cancelledAt).toBeLessThan(5000);
    expect(p.stats()).toMatchObject({ busy: 0, queued: 0, dispatched: 1 });
    expect(await p.run("text", utf8("Next."))).toHaveLength(1);
  }, 60_000);

  it("runs documents side by side on several workers", async () => {
    const p = pool({ workers: 2, timeoutMs: 4000 });
    const stalled = p.run("pdf", pdfThatStalls());
    // While one worker is stuck, the other keeps reading.
    for (let i = 0; i < 5; i++) expect(await p.run("text", utf8(`Document ${i}.`))).toHaveLength(1);
    expect(p.stats().busy).toBe(1);
    expect((await failure(stalled)).message).toContain("took longer than 4 seconds");
  }, 60_000);
});
