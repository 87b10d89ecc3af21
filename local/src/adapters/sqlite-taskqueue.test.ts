/**
 * The TaskQueue contract over the durable SQLite queue (delivery proved by leasing and completing), plus
 * the queue mechanics the local runner relies on: leases that expire after a crash, retries and final
 * failures, delays, pruning that keeps recent ids deduplicating, and tasks that commit with documents.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { manualClock, systemClock } from "@alchemist/functions/platform/clock";
import { AppError } from "@alchemist/functions/platform/errors";
import { describeTaskQueueContract } from "@alchemist/functions/platform/testing/taskqueue-contract";
import { openDatabase, type SqliteHandle } from "./database.js";
import { SqliteDocStore } from "./sqlite-docstore.js";
import { SqliteTaskQueue } from "./sqlite-taskqueue.js";

const folders: string[] = [];
const tempFile = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-tasks-"));
  folders.push(dir);
  return path.join(dir, "alchemist.sqlite");
};
afterAll(() => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

describeTaskQueueContract("SQLite queue (local mode)", async () => {
  const db = openDatabase({ file: tempFile() });
  const queue = new SqliteTaskQueue(db, systemClock);
  return {
    queue,
    close: async () => {
      db.close();
    },
    drain: async (queueName) => {
      const delivered: unknown[] = [];
      for (;;) {
        const leased = queue.lease(queueName, 100, 60_000);
        if (leased.length === 0) return delivered;
        for (const task of leased) {
          delivered.push(task.payload);
          queue.complete(task.seq);
        }
      }
    },
  };
});

describe("SqliteTaskQueue in local mode", () => {
  const minute = 60_000;
  const open = (file = tempFile()) => {
    const clock = manualClock(new Date("2026-01-01T00:00:00.000Z"));
    const db = openDatabase({ file });
    return { db, clock, queue: new SqliteTaskQueue(db, clock), file };
  };
  const statusOf = (db: SqliteHandle, seq: number) =>
    db
      .prepare("SELECT status, attempts, last_error AS lastError, run_at AS runAt FROM tasks WHERE seq = ?")
      .get(seq) as {
      status: string;
      attempts: number;
      lastError: string | null;
      runAt: number;
    };

  it("a leased task is not handed out twice, until its lease expires (a crash) and it is due again", () => {
    const { db, clock, queue } = open();
    try {
      queue.enqueueSync("knowledge-ingestDocument", { docId: "d1" }, { id: "ingest-d1-v1" });
      const [first] = queue.lease("knowledge-ingestDocument", 10, 2 * minute);
      expect(first).toMatchObject({ payload: { docId: "d1" }, dedupKey: "ingest-d1-v1", attempts: 0 });
      expect(first?.firstAttemptAt).toBe(clock.now().getTime());
      expect(queue.stats("knowledge-ingestDocument")).toEqual({ pending: 0, running: 1, failed: 0, done: 0 });

      clock.advance(2 * minute - 1);
      expect(queue.lease("knowledge-ingestDocument", 10, 2 * minute)).toEqual([]);
      expect(queue.nextDue(["knowledge-ingestDocument"])).toBe(clock.now().getTime() + 1);

      // The process died holding the lease: once it expires the task runs again, keeping its first attempt time.
      clock.advance(1);
      const [again] = queue.lease("knowledge-ingestDocument", 10, 2 * minute);
      expect(again?.seq).toBe(first?.seq);
      expect(again?.firstAttemptAt).toBe(first?.firstAttemptAt);
      queue.complete(again!.seq);
      expect(queue.stats("knowledge-ingestDocument")).toEqual({ pending: 0, running: 0, failed: 0, done: 1 });
      expect(queue.nextDue(["knowledge-ingestDocument"])).toBeNull();
    } finally {
      db.close();
    }
  });

  it("a lease survives a restart: the reopened queue waits for it to expire", () => {
    const first = open();
    first.queue.enqueueSync("q", { n: 1 });
    expect(first.queue.lease("q", 1, minute)).toHaveLength(1);
    first.db.close();
    const second = open(first.file);
    try {
      expect(second.queue.lease("q", 1, minute)).toEqual([]);
      second.clock.advance(minute);
      expect(second.queue.lease("q", 1, minute).map((t) => t.payload)).toEqual([{ n: 1 }]);
    } finally {
      second.db.close();
    }
  });

  it("fail with a retry time reschedules the task; fail with null fails it for good", () => {
    const { db, clock, queue } = open();
    try {
      queue.enqueueSync("embed", { batch: 1 });
      const [task] = queue.lease("embed", 1, minute);
      queue.fail(task!.seq, "the embedding provider answered 503", clock.now().getTime() + 10_000);
      expect(statusOf(db, task!.seq)).toMatchObject({
        status: "pending",
        attempts: 1,
        lastError: "the embedding provider answered 503",
      });
      expect(queue.nextDue(["embed"])).toBe(clock.now().getTime() + 10_000);
      expect(queue.lease("embed", 1, minute)).toEqual([]);

      clock.advance(10_000);
      const [retry] = queue.lease("embed", 1, minute);
      expect(retry).toMatchObject({ seq: task!.seq, attempts: 1, firstAttemptAt: task!.firstAttemptAt });
      queue.fail(retry!.seq, "x".repeat(5000), null);
      const final = statusOf(db, task!.seq);
      expect(final).toMatchObject({ status: "failed", attempts: 2 });
      expect(final.lastError).toHaveLength(2000);
      clock.advance(24 * 60 * minute);
      expect(queue.lease("embed", 1, minute)).toEqual([]);
      expect(queue.nextDue(["embed"])).toBeNull();
      expect(queue.stats()).toEqual({ pending: 0, running: 0, failed: 1, done: 0 });
    } finally {
      db.close();
    }
  });

  it("a delayed task waits for its time; due tasks come oldest first, per queue and up to the limit", () => {
    const { db, clock, queue } = open();
    try {
      queue.enqueueSync("mail", { n: "later" }, { delaySeconds: 30 });
      clock.advance(1);
      queue.enqueueSync("mail", { n: 1 });
      queue.enqueueSync("mail", { n: 2 });
      queue.enqueueSync("other", { n: "elsewhere" });
      queue.enqueueSync("mail", { n: 3 });
      expect(queue.lease("mail", 2, minute).map((t) => t.payload)).toEqual([{ n: 1 }, { n: 2 }]);
      expect(queue.lease("mail", 5, minute).map((t) => t.payload)).toEqual([{ n: 3 }]);
      expect(queue.nextDue(["mail"])).toBe(Date.parse("2026-01-01T00:00:30.000Z"));
      clock.advance(30_000);
      expect(queue.lease("mail", 5, minute).map((t) => t.payload)).toEqual([{ n: "later" }]);
      expect(queue.nextDue([])).toBeNull();
    } finally {
      db.close();
    }
  });

  it("prune drops old finished tasks but keeps recent ones, so their ids still deduplicate", () => {
    const { db, clock, queue } = open();
    try {
      const hour = 60 * minute;
      expect(queue.enqueueSync("usage", { e: 1 }, { id: "event-1" }).enqueued).toBe(true);
      expect(queue.enqueueSync("usage", { e: 2 }, { id: "event-2" }).enqueued).toBe(true);
      expect(queue.enqueueSync("usage", { e: 3 }, { id: "event-3" }).enqueued).toBe(true);
      const [one, two] = queue.lease("usage", 2, minute);
      queue.complete(one!.seq);
      queue.fail(two!.seq, "bad payload", null);

      clock.advance(30 * minute);
      expect(queue.prune(hour)).toBe(0);
      expect(queue.enqueueSync("usage", { e: 1 }, { id: "event-1" }).enqueued).toBe(false);
      expect(queue.enqueueSync("usage", { e: 2 }, { id: "event-2" }).enqueued).toBe(false);

      clock.advance(31 * minute);
      expect(queue.prune(hour)).toBe(2);
      // Past the window the id is free again; the task still waiting was never pruned.
      expect(queue.enqueueSync("usage", { e: 1 }, { id: "event-1" }).enqueued).toBe(true);
      expect(queue.enqueueSync("usage", { e: 3 }, { id: "event-3" }).enqueued).toBe(false);
      expect(queue.stats("usage")).toEqual({ pending: 2, running: 0, failed: 0, done: 0 });
    } finally {
      db.close();
    }
  });

  it("ids keep deduplicating after a restart", () => {
    const first = open();
    first.queue.enqueueSync("ingest", { v: 1 }, { id: "doc-1-v1" });
    first.db.close();
    const second = open(first.file);
    try {
      expect(second.queue.enqueueSync("ingest", { v: 1 }, { id: "doc-1-v1" })).toEqual({ enqueued: false });
      expect(second.queue.stats("ingest").pending).toBe(1);
    } finally {
      second.db.close();
    }
  });

  it("a task enqueued inside a document commit commits or rolls back with the write", async () => {
    const { db, clock, queue } = open();
    try {
      const store = new SqliteDocStore(db, clock);
      let failNext = false;
      store.addCommitHook((changes) => {
        for (const c of changes) queue.enqueueSync("index", { path: c.path }, { id: c.path });
        if (failNext) throw new Error("hook failed after enqueueing");
      });
      await store.create("kb/d1", { name: "handbook" });
      failNext = true;
      await expect(store.create("kb/d2", { name: "faq" })).rejects.toThrow("hook failed");
      expect(queue.lease("index", 10, minute).map((t) => t.payload)).toEqual([{ path: "kb/d1" }]);
      expect(await store.get("kb/d2")).toBeNull();
      failNext = false;
      // The rolled-back task left no id behind: the retried write enqueues it.
      await store.create("kb/d2", { name: "faq" });
      expect(queue.lease("index", 10, minute).map((t) => t.payload)).toEqual([{ path: "kb/d2" }]);
    } finally {
      db.close();
    }
  });

  it("wakes its listeners when a task arrives, not when a duplicate is dropped", async () => {
    const { db, queue } = open();
    try {
      let wakes = 0;
      queue.onEnqueued(() => wakes++);
      queue.enqueueSync("q", {}, { id: "a" });
      queue.enqueueSync("q", {}, { id: "a" });
      await new Promise((r) => setImmediate(r));
      expect(wakes).toBe(1);
    } finally {
      db.close();
    }
  });

  it("rejects queue names outside letters, digits and _ : . -", () => {
    const { db, queue } = open();
    try {
      for (const name of ["", "has space", "a/b", "x".repeat(201)]) {
        expect(() => queue.enqueueSync(name, {})).toThrow(AppError);
      }
      expect(queue.enqueueSync("trigger:knowledge-onDocumentUploaded", {}).enqueued).toBe(true);
    } finally {
      db.close();
    }
  });
});
