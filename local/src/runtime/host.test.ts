/**
 * The local runtime end to end: real firebase-functions v2 functions (./testing/host-fixture.ts) hosted
 * over real HTTP, on local deps over a temp data folder. Time is a manual clock, so retries and schedules
 * happen when the test says, not after real minutes.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "@alchemist/functions/platform/clock";
import { loadConfig } from "@alchemist/functions/platform/config";
import { setDeps } from "@alchemist/functions/platform/process-deps";
import { setLogSink } from "@alchemist/functions/platform/log";
import { vector } from "@alchemist/functions/platform/ports";
import { createApiKey } from "@alchemist/functions/identity/api-keys";
import { createTenant } from "@alchemist/functions/identity/tenants";
import { openLocalDeps, type LocalDeps } from "../adapters/deps.js";
import type { RunningHost } from "./host.js";
import { authenticate } from "@alchemist/functions/identity/authenticate";

// firebase-functions reads the project and the default bucket from these, as when deployed; they must be set
// before the fixture (and firebase-functions) is imported below.
const projectId = "demo-test";
const bucket = "demo-test.appspot.com";
process.env.FIREBASE_CONFIG = JSON.stringify({ projectId, storageBucket: bucket });
process.env.GCLOUD_PROJECT = projectId;

type Fixture = typeof import("./testing/host-fixture.js");

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-host-"));
const config = loadConfig({
  ALCHEMIST_MODE: "local",
  ALCHEMIST_DATA_DIR: dataDir,
  PORT: "0",
  GCLOUD_PROJECT: projectId,
  // Keeps the body limit (uploads + 1 MiB) small enough to exceed cheaply.
  MAX_UPLOAD_BYTES: "1024",
});
// One second before a minute boundary: the "every 1 minutes" schedule is due 250 ms after the start.
const clock = manualClock(new Date("2026-01-01T00:00:59.750Z"));
const firstSlot = "2026-01-01T00:01:00.000Z";

let fixture: Fixture;
let deps: LocalDeps;
let host: RunningHost;
const logLines: string[] = [];
const restoreLogs = setLogSink((line) => void logLines.push(line));

async function start(): Promise<void> {
  deps = await openLocalDeps(config, { clock });
  setDeps(deps);
  const { startHost } = await import("./host.js");
  host = await startHost({
    deps,
    authenticate,
    exports: fixture,
    rewrites: [{ source: "/v1/**", function: "echo" }],
    bucket,
  });
}

async function stop(): Promise<void> {
  await host.close();
  deps.local.close();
  setDeps(undefined);
}

beforeAll(async () => {
  fixture = await import("./testing/host-fixture.js");
  await start();
});

afterAll(async () => {
  await stop();
  setLogSink(restoreLogs);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Polls until `check` passes (for work that happens on timers). */
async function waitFor(check: () => Promise<void> | void, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() - started > timeoutMs) throw e;
      await new Promise((r) => setTimeout(r, 15));
    }
  }
}

const fn = (name: string, rest = "") => `${host.url}/${projectId}/us-central1/${name}${rest}`;
const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const record = async (docPath: string) => (await deps.store.get(docPath))?.data ?? null;

describe("local host", () => {
  it("listens on the port the OS chose and reports its real URL; discovers every fixture function", () => {
    const match = /^http:\/\/127\.0\.0\.1:(\d+)$/.exec(host.url);
    expect(match).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThan(0);
    expect(Object.fromEntries(host.functions.map((f) => [f.name, f.kind]))).toEqual({
      echo: "https",
      greet: "callable",
      flaky: "task",
      deriveThing: "firestore",
      recordUpload: "storage",
      recordOtherBucket: "storage",
      everyMinute: "schedule",
    });
  });

  describe("HTTPS functions", () => {
    it("serves a function at its emulator URL, which it sees as '/' plus what follows, query included", async () => {
      const below = await fetch(fn("echo", "/reports/q3?format=csv&lang=en"));
      expect(below.status).toBe(200);
      expect(await below.json()).toMatchObject({
        method: "GET",
        path: "/reports/q3",
        query: { format: "csv", lang: "en" },
      });
      const root = await fetch(fn("echo", "?format=csv"));
      expect(await root.json()).toMatchObject({ path: "/", query: { format: "csv" } });
    });

    it("serves it through a hosting rewrite at the production path, with JSON and raw bodies", async () => {
      const json = await postJson(`${host.url}/v1/agents/a1/conversations?stream=false`, {
        content: "How many vacation days?",
      });
      expect(json.status).toBe(200);
      const body = JSON.stringify({ content: "How many vacation days?" });
      expect(await json.json()).toEqual({
        method: "POST",
        path: "/v1/agents/a1/conversations",
        query: { stream: "false" },
        body: { content: "How many vacation days?" },
        rawBodyBytes: Buffer.byteLength(body),
        contentType: "application/json",
      });
      const raw = await fetch(`${host.url}/v1/uploads`, {
        method: "POST",
        headers: { "content-type": "application/pdf" },
        body: "%PDF-1.7",
      });
      expect(await raw.json()).toMatchObject({ body: { bytes: 8 }, rawBodyBytes: 8 });
    });

    it("answers unknown routes, other projects and non-HTTP functions with a 404 JSON error", async () => {
      for (const url of [
        `${host.url}/nothing/here`,
        `${host.url}/other-project/us-central1/echo`,
        fn("flaky"),
        fn("missing"),
      ]) {
        const res = await fetch(url);
        expect(res.status, url).toBe(404);
        expect(await res.json()).toEqual({
          error: { code: "not-found", message: expect.stringContaining("No route") },
        });
      }
    });

    it("answers Firebase Hosting's /__/firebase/init.json with local mode though no studio is served, and other /__/ URLs with a 404", async () => {
      for (const method of ["GET", "HEAD"]) {
        const res = await fetch(`${host.url}/__/firebase/init.json`, { method });
        expect(res.status, method).toBe(200);
        expect(res.headers.get("content-type"), method).toMatch(/^application\/json\b/);
        expect(res.headers.get("cache-control"), method).toBe("no-store");
        expect(await res.text(), method).toBe(method === "GET" ? '{"alchemist":{"mode":"local"}}' : "");
      }
      for (const url of [`${host.url}/__/firebase/init.js`, `${host.url}/__/auth/handler`]) {
        const res = await fetch(url);
        expect(res.status, url).toBe(404);
        expect(await res.json()).toEqual({
          error: { code: "not-found", message: expect.stringContaining("No route") },
        });
      }
    });

    it("rejects a body over the limit with a 413 JSON error", async () => {
      const tooBig = new Uint8Array(1024 + 1024 * 1024 + 4096);
      const res = await fetch(`${host.url}/v1/uploads`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: tooBig,
      });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        error: { code: "payload-too-large", message: expect.stringContaining("exceeds") },
      });
      // The connection and the server are fine afterwards.
      expect((await fetch(fn("echo"))).status).toBe(200);
    });
  });

  describe("callable functions", () => {
    it("speak the callable protocol: {data} in, {result} out", async () => {
      const res = await postJson(fn("greet"), { data: { name: "Ada" } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        result: { greeting: "Hello, Ada", uid: null, tenantId: null, role: null },
      });
    });

    it("answer a request without data with 400 INVALID_ARGUMENT, and an HttpsError with its own code", async () => {
      const missing = await postJson(fn("greet"), { name: "Ada" });
      expect(missing.status).toBe(400);
      expect(await missing.json()).toEqual({
        error: { status: "INVALID_ARGUMENT", message: expect.stringContaining("data") },
      });
      const notJson = await fetch(fn("greet"), {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "hello",
      });
      expect(notJson.status).toBe(400);
      const get = await fetch(fn("greet"));
      expect(get.status).toBe(400);
      const thrown = await postJson(fn("greet"), { data: { name: 42 } });
      expect(thrown.status).toBe(400);
      expect(await thrown.json()).toEqual({
        error: { status: "INVALID_ARGUMENT", message: "name must be a non-empty string" },
      });
    });

    it("stream chunks as server-sent events when the client accepts text/event-stream, then the result", async () => {
      const res = await postJson(fn("greet"), { data: { name: "Ada" } }, { accept: "text/event-stream" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const events = (await res.text())
        .split("\n\n")
        .filter((e) => e.length > 0)
        .map((e) => {
          expect(e.startsWith("data: ")).toBe(true);
          return JSON.parse(e.slice("data: ".length)) as unknown;
        });
      expect(events).toEqual([
        { message: { word: "Hello" } },
        { message: { word: "Ada" } },
        { result: { greeting: "Hello, Ada", uid: null, tenantId: null, role: null } },
      ]);
    });

    it("resolve an API key into request.auth with the tenant and role, and refuse an invalid key with 401", async () => {
      await createTenant(deps, "acme", "Acme Bank");
      const { id, key } = await createApiKey(deps, "acme", { name: "CI", role: "editor" });
      const ok = await postJson(fn("greet"), { data: { name: "Ada" } }, { authorization: `Bearer ${key}` });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({
        result: { greeting: "Hello, Ada", uid: `apikey:${id}`, tenantId: "acme", role: "editor" },
      });
      const bad = await postJson(
        fn("greet"),
        { data: { name: "Ada" } },
        { authorization: "Bearer alk_not-a-real-key-at-all" },
      );
      expect(bad.status).toBe(401);
      expect(await bad.json()).toEqual({ error: { status: "UNAUTHENTICATED", message: "Invalid API key" } });
    });
  });

  describe("background work", () => {
    it("runs a task queue function, retries it after its backoff when it fails, until it succeeds", async () => {
      await deps.tasks.enqueue("flaky", { job: "report-q3" }, { id: "report-q3" });
      await waitFor(async () => {
        expect(await record(fixture.records.task("report-q3"))).toMatchObject({
          attempts: 1,
          retryCounts: [0],
        });
        expect(deps.tasks.stats("flaky")).toMatchObject({ pending: 1, running: 0 });
      });
      // minBackoffSeconds is 1: not due a moment before, due at it.
      clock.advance(999);
      host.runner.wake();
      expect(deps.tasks.stats("flaky")).toMatchObject({ pending: 1, running: 0 });
      clock.advance(1);
      host.runner.wake();
      await host.runner.idle(3000);
      expect(await record(fixture.records.task("report-q3"))).toEqual({
        attempts: 2,
        retryCounts: [0, 1],
        queue: "flaky",
        succeeded: true,
      });
      expect(deps.tasks.stats("flaky")).toEqual({ pending: 0, running: 0, failed: 0, done: 1 });
    });

    it("delivers a document-created event once per created document, with the document's data and params", async () => {
      await deps.store.create("tenants/acme/things/t1", {
        title: "quarterly report",
        options: { values: ["pdf", "csv"] },
        embedding: vector([0.6, 0.8]),
      });
      await deps.store.update("tenants/acme/things/t1", { title: "changed later" }); // an update is not a creation
      await deps.store.create("tenants/acme/other/x1", { title: "not a thing" });
      await host.runner.idle(3000);
      const derived = await record(fixture.records.derived("acme", "t1"));
      expect(derived).toMatchObject({
        title: "QUARTERLY REPORT",
        source: "tenants/acme/things/t1",
        // A map holding `values` stays a map; a vector arrives as its numbers.
        copy: { title: "quarterly report", options: { values: ["pdf", "csv"] }, embedding: [0.6, 0.8] },
        deliveries: 1,
      });
      expect((derived?.eventIds as string[]).length).toBe(1);
      expect(await deps.store.query({ collectionGroup: "derived" })).toHaveLength(1);
    });

    it("delivers two creations of the same document within one millisecond as two events", async () => {
      // The manual clock stands still: both creations carry the very same timestamps.
      await deps.store.create("tenants/acme/things/t2", { title: "first" });
      await deps.store.delete("tenants/acme/things/t2");
      await deps.store.create("tenants/acme/things/t2", { title: "second" });
      await host.runner.idle(3000);
      const derived = await record(fixture.records.derived("acme", "t2"));
      expect(derived).toMatchObject({ deliveries: 2 });
      expect(new Set(derived?.eventIds as string[]).size).toBe(2);
    });

    it("delivers an object-finalized event for blobs.put to the default bucket's function only", async () => {
      const bytes = new TextEncoder().encode("%PDF-1.7 quarterly report");
      const info = await deps.blobs.put("tenants/acme/uploads/report.pdf", bytes, {
        contentType: "application/pdf",
      });
      await host.runner.idle(3000);
      expect(await record(fixture.records.upload("tenants/acme/uploads/report.pdf"))).toEqual({
        name: "tenants/acme/uploads/report.pdf",
        bucket,
        size: String(bytes.byteLength),
        contentType: "application/pdf",
        md5Hash: Buffer.from(info.md5, "hex").toString("base64"),
        deliveries: 1,
      });
      expect(await record(fixture.records.otherBucketUploads)).toBeNull();
    });

    it("runs a schedule at its slot, once, with the slot as its scheduleTime", async () => {
      await waitFor(async () => {
        expect(await record(fixture.records.schedule(firstSlot))).toEqual({
          jobName: "local-everyMinute",
          runs: 1,
        });
      });
      expect(await deps.store.query({ collection: "fixtureSchedules" })).toHaveLength(1);
    });
  });

  describe("after a restart", () => {
    it("keeps every document and object, and delivers no event or task a second time", async () => {
      await host.runner.idle(3000);
      await stop();
      clock.advance(5_000);
      await start();
      await host.runner.idle(3000);
      await new Promise((r) => setTimeout(r, 50)); // room for anything wrongly re-delivered to show up
      await host.runner.idle(3000);

      expect(await record("tenants/acme/things/t1")).toMatchObject({ title: "changed later" });
      expect((await deps.blobs.get("tenants/acme/uploads/report.pdf"))?.data.toString("utf8")).toBe(
        "%PDF-1.7 quarterly report",
      );
      expect(await record(fixture.records.derived("acme", "t1"))).toMatchObject({ deliveries: 1 });
      expect(await record(fixture.records.derived("acme", "t2"))).toMatchObject({ deliveries: 2 });
      expect(await record(fixture.records.upload("tenants/acme/uploads/report.pdf"))).toMatchObject({
        deliveries: 1,
      });
      expect(await record(fixture.records.task("report-q3"))).toMatchObject({ attempts: 2, succeeded: true });
      expect(await record(fixture.records.schedule(firstSlot))).toMatchObject({ runs: 1 });
      // The task id still deduplicates after the restart.
      expect(await deps.tasks.enqueue("flaky", { job: "report-q3" }, { id: "report-q3" })).toEqual({
        enqueued: false,
      });
    });

    it("serves requests and delivers new events on the reopened data", async () => {
      expect((await postJson(fn("greet"), { data: { name: "Grace" } })).status).toBe(200);
      await deps.store.create("tenants/acme/things/t3", { title: "after restart" });
      await host.runner.idle(3000);
      expect(await record(fixture.records.derived("acme", "t3"))).toMatchObject({
        title: "AFTER RESTART",
        deliveries: 1,
      });
    });
  });

  it("logged no errors along the way", () => {
    const errors = logLines.filter((line) => (JSON.parse(line) as { severity: string }).severity === "ERROR");
    expect(errors).toEqual([]);
  });
});
