/**
 * The local Cloud Tasks: backoff as Cloud Tasks computes it, and a runner over the real SQLite queue that
 * runs tasks under each queue's concurrency limit, retries failures and gives up when the policy says so.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "@alchemist/functions/platform/clock";
import { setLogSink } from "@alchemist/functions/platform/log";
import { openDatabase, type SqliteHandle } from "../adapters/database.js";
import { SqliteTaskQueue, type LeasedTask } from "../adapters/sqlite-taskqueue.js";
import { retryConfigOf, type RetryConfig } from "./discover.js";
import { nextAttemptAt, TaskRunner, type QueueHandler } from "./task-runner.js";

const second = 1000;
const t0 = Date.parse("2026-01-01T00:00:00.000Z");

describe("nextAttemptAt", () => {
  /** Seconds to wait before each retry, for failures 1..n, all within the retry window. */
  const waits = (retry: RetryConfig, n: number): (number | null)[] =>
    Array.from({ length: n }, (_, i) => {
      const at = nextAttemptAt(retry, i + 1, t0, t0);
      return at === null ? null : (at - t0) / second;
    });

  it("starts at minBackoffSeconds and doubles", () => {
    expect(
      waits({ minBackoffSeconds: 1, maxBackoffSeconds: 3600, maxDoublings: 16, maxAttempts: 10 }, 5),
    ).toEqual([1, 2, 4, 8, 16]);
  });

  it("after maxDoublings grows linearly, and never waits longer than maxBackoffSeconds (Cloud Tasks' example)", () => {
    expect(
      waits({ minBackoffSeconds: 10, maxBackoffSeconds: 300, maxDoublings: 3, maxAttempts: 9 }, 8),
    ).toEqual([10, 20, 40, 80, 160, 240, 300, 300]);
    expect(
      waits({ minBackoffSeconds: 5, maxBackoffSeconds: 3600, maxDoublings: 0, maxAttempts: 9 }, 4),
    ).toEqual([5, 10, 15, 20]);
  });

  it("gives up once maxAttempts attempts have failed; -1 retries without limit", () => {
    expect(waits({ maxAttempts: 3, minBackoffSeconds: 1 }, 4)).toEqual([1, 2, null, null]);
    expect(waits({ maxAttempts: 1 }, 1)).toEqual([null]);
    expect(
      waits({ maxAttempts: -1, minBackoffSeconds: 1, maxBackoffSeconds: 60 }, 30).every((w) => w !== null),
    ).toBe(true);
  });

  it("with maxRetrySeconds as well, retries until both limits are reached", () => {
    const retry: RetryConfig = {
      maxAttempts: 2,
      maxRetrySeconds: 60,
      minBackoffSeconds: 1,
      maxBackoffSeconds: 1,
    };
    // Attempts are spent, but the minute is not over yet.
    expect(nextAttemptAt(retry, 5, t0, t0 + 30 * second)).toBe(t0 + 31 * second);
    // The minute is over, but not every attempt was made yet.
    expect(nextAttemptAt(retry, 1, t0, t0 + 120 * second)).toBe(t0 + 121 * second);
    // Both.
    expect(nextAttemptAt(retry, 2, t0, t0 + 61 * second)).toBeNull();
    // maxRetrySeconds alone does not give up while attempts remain (the default is 3 attempts).
    expect(
      nextAttemptAt({ maxRetrySeconds: 10, minBackoffSeconds: 1 }, 1, t0, t0 + 3600 * second),
    ).not.toBeNull();
    expect(
      nextAttemptAt({ maxRetrySeconds: 10, minBackoffSeconds: 1 }, 3, t0, t0 + 3600 * second),
    ).toBeNull();
  });

  it("unset settings fall back to the defaults: 3 attempts, 1 s doubling", () => {
    expect(waits({}, 3)).toEqual([1, 2, null]);
  });

  it("reads a real onTaskDispatched's retryConfig, whose unset fields firebase-functions fills with RESET_VALUE", () => {
    const fn = onTaskDispatched({ retryConfig: { maxAttempts: 5, minBackoffSeconds: 2 } }, async () => {});
    const raw = (fn.__endpoint.taskQueueTrigger?.retryConfig ?? {}) as Record<string, unknown>;
    expect(typeof raw.maxBackoffSeconds).toBe("object"); // RESET_VALUE, not a number
    const retry = retryConfigOf(raw);
    expect(retry).toEqual({ maxAttempts: 5, minBackoffSeconds: 2 });
    expect(waits(retry, 5)).toEqual([2, 4, 8, 16, null]);
  });
});

describe("TaskRunner", () => {
  const folders: string[] = [];
  let db: SqliteHandle;
  let queue: SqliteTaskQueue;
  let runner: TaskRunner | undefined;
  const logs: string[] = [];
  let restoreSink: ReturnType<typeof setLogSink> | undefined;

  beforeAll(() => {
    restoreSink = setLogSink((line) => void logs.push(line));
  });
  afterAll(() => {
    if (restoreSink) setLogSink(restoreSink);
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = (handlers: QueueHandler[]): TaskRunner => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-runner-"));
    folders.push(dir);
    db = openDatabase({ file: path.join(dir, "alchemist.sqlite") });
    queue = new SqliteTaskQueue(db, systemClock);
    runner = new TaskRunner(queue, systemClock, handlers);
    return runner;
  };
  afterEach(async () => {
    await runner?.stop(1000);
    runner = undefined;
    db.close();
  });

  const handler = (
    queueName: string,
    run: (task: LeasedTask) => Promise<void>,
    overrides: Partial<QueueHandler> = {},
  ): QueueHandler => ({
    queue: queueName,
    retry: { maxAttempts: 3, minBackoffSeconds: 0.01, maxBackoffSeconds: 0.05 },
    concurrency: 4,
    leaseMs: 60_000,
    run,
    ...overrides,
  });
  const row = (seq: number) =>
    db.prepare("SELECT status, attempts, last_error AS lastError FROM tasks WHERE seq = ?").get(seq) as {
      status: string;
      attempts: number;
      lastError: string | null;
    };

  it("runs every queued task once, each with its own queue's handler", async () => {
    const ran: string[] = [];
    const r = open([
      handler(
        "knowledge-ingestDocument",
        async (t) => void ran.push(`ingest:${(t.payload as { doc: string }).doc}`),
      ),
      handler(
        "knowledge-embedChunks",
        async (t) => void ran.push(`embed:${(t.payload as { doc: string }).doc}`),
      ),
    ]);
    await queue.enqueue("knowledge-ingestDocument", { doc: "d1" });
    r.start();
    await queue.enqueue("knowledge-ingestDocument", { doc: "d2" });
    await queue.enqueue("knowledge-embedChunks", { doc: "d1" });
    await r.idle(5000);
    expect(ran.sort()).toEqual(["embed:d1", "ingest:d1", "ingest:d2"]);
    expect(queue.stats()).toEqual({ pending: 0, running: 0, failed: 0, done: 3 });
  });

  it("never runs more tasks of a queue at once than its concurrency", async () => {
    let running = 0;
    let peak = 0;
    const r = open([
      handler(
        "embed",
        async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 15));
          running--;
        },
        { concurrency: 2 },
      ),
    ]);
    for (let i = 0; i < 7; i++) await queue.enqueue("embed", { batch: i });
    r.start();
    await r.idle(5000);
    expect(peak).toBe(2);
    expect(queue.stats("embed").done).toBe(7);
  });

  it("retries a failing task with backoff until it succeeds, telling it how many attempts came before", async () => {
    const seen: number[] = [];
    const r = open([
      handler(
        "flaky",
        async (task) => {
          seen.push(task.attempts);
          if (task.attempts < 2) throw new Error(`provider unavailable (attempt ${task.attempts + 1})`);
        },
        { retry: { maxAttempts: 5, minBackoffSeconds: 0.02 } },
      ),
    ]);
    await queue.enqueue("flaky", { doc: "d1" }, { id: "flaky-d1" });
    const started = Date.now();
    r.start();
    await r.idle(5000);
    expect(seen).toEqual([0, 1, 2]);
    // Two waits: 20 ms, then 40 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(row(1)).toEqual({ status: "done", attempts: 3, lastError: "provider unavailable (attempt 2)" });
  });

  it("gives up after maxAttempts and marks the task failed", async () => {
    let calls = 0;
    const r = open([
      handler("broken", async () => {
        calls++;
        throw new Error("the document cannot be parsed");
      }),
    ]);
    await queue.enqueue("broken", { doc: "corrupt.pdf" });
    r.start();
    await r.idle(5000);
    expect(calls).toBe(3);
    expect(row(1)).toEqual({ status: "failed", attempts: 3, lastError: "the document cannot be parsed" });
    expect(logs.some((l) => l.includes("task failed for good") && l.includes('"queue":"broken"'))).toBe(true);
  });

  it("runs a task whose lease a crashed process held, once the lease expires", async () => {
    const ran: unknown[] = [];
    const r = open([handler("ingest", async (t) => void ran.push(t.payload), { leaseMs: 50 })]);
    await queue.enqueue("ingest", { doc: "d1" });
    expect(queue.lease("ingest", 1, 80)).toHaveLength(1); // the process that died
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toEqual([]);
    await r.idle(5000);
    expect(ran).toEqual([{ doc: "d1" }]);
  });

  it("counts each crash as an attempt, so a task that keeps killing its process is given up", async () => {
    let calls = 0;
    const r = open([handler("crashy", async () => void calls++, { retry: { maxAttempts: 2 } })]);
    await queue.enqueue("crashy", { doc: "poison" });
    // Two processes leased it and died before finishing: both attempts are spent.
    for (let crash = 0; crash < 2; crash++) {
      expect(queue.lease("crashy", 1, 1)).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    r.start();
    await r.idle(5000);
    expect(calls).toBe(0);
    expect(row(1)).toEqual({
      status: "failed",
      attempts: 2,
      lastError: "the task was interrupted on its last attempt",
    });
  });

  it("idle() resolves at once when nothing is due, and does not wait for a task due in an hour", async () => {
    const r = open([handler("later", async () => {})]);
    r.start();
    await r.idle(1000);
    await queue.enqueue("later", { remind: "trial-ends" }, { delaySeconds: 3600 });
    const started = Date.now();
    await r.idle(1000);
    expect(Date.now() - started).toBeLessThan(500);
    expect(queue.stats("later").pending).toBe(1);
  });

  it("idle() fails when the queues stay busy past its timeout", async () => {
    let release: () => void = () => {};
    const r = open([handler("slow", () => new Promise<void>((resolve) => (release = resolve)))]);
    await queue.enqueue("slow", {});
    r.start();
    await expect(r.idle(100)).rejects.toThrow(/did not become idle/);
    release();
    await r.idle(1000);
  });

  it("stop() waits for running tasks and leases nothing new", async () => {
    let finished = 0;
    const r = open([
      handler(
        "work",
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          finished++;
        },
        { concurrency: 1 },
      ),
    ]);
    await queue.enqueue("work", { n: 1 });
    await queue.enqueue("work", { n: 2 });
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await r.stop(1000);
    expect(finished).toBe(1);
    await queue.enqueue("work", { n: 3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(finished).toBe(1);
    expect(queue.stats("work")).toMatchObject({ done: 1, pending: 2 });
  });
});
