/**
 * The durable task queue of local mode (its Cloud Tasks), stored in the same SQLite database as the
 * documents so that a write and the task it schedules commit together. The local runtime's task runner
 * leases due tasks, runs the matching `onTaskDispatched` function and reschedules failures with backoff.
 */
import { AppError } from "@alchemist/functions/platform/errors";
import type { Clock, EnqueueOptions, QueueDepth, TaskQueue } from "@alchemist/functions/platform/ports";
import { taskPayloadJson } from "@alchemist/functions/platform/validation";
import { statementCache, type SqliteHandle, type StatementCache } from "./database.js";
import { storageWriteError } from "./private-files.js";

export interface LeasedTask {
  readonly seq: number;
  readonly queue: string;
  readonly dedupKey: string | null;
  readonly payload: unknown;
  /** Attempts before this one. */
  readonly attempts: number;
  /** When the first attempt started (ms epoch): `maxRetrySeconds` counts from here. */
  readonly firstAttemptAt: number;
  readonly createdAt: number;
}

export interface QueueStats {
  readonly pending: number;
  readonly running: number;
  readonly failed: number;
  readonly done: number;
}

export class SqliteTaskQueue implements TaskQueue {
  private readonly wakeListeners: (() => void)[] = [];
  private wakePending = false;

  /** Statements are prepared once: the runner leases, completes and polls many times a second under load. */
  private readonly sql: StatementCache;
  /** Made once: better-sqlite3 builds a wrapper function for each `transaction()` call. */
  private readonly leaseTransaction: (
    queue: string,
    limit: number,
    leaseMs: number,
    now: number,
  ) => LeasedTask[];

  constructor(
    private readonly db: SqliteHandle,
    private readonly clock: Clock,
  ) {
    this.sql = statementCache(db);
    this.leaseTransaction = db.transaction(this.leaseDue.bind(this));
  }

  /** The runner subscribes to be woken when work arrives instead of waiting for its next poll. */
  onEnqueued(listener: () => void): void {
    this.wakeListeners.push(listener);
  }

  /** Synchronous form, safe inside a document commit hook (same SQLite transaction). */
  enqueueSync(queue: string, payload: unknown, options?: EnqueueOptions): { enqueued: boolean } {
    if (!/^[A-Za-z0-9_:.-]{1,200}$/.test(queue))
      throw new AppError("invalid-argument", `Invalid queue "${queue}"`);
    const json = taskPayloadJson(payload);
    const now = this.clock.now().getTime();
    const runAt = now + Math.max(0, options?.delaySeconds ?? 0) * 1000;
    let result: { changes: number };
    try {
      result = this.sql(
        `INSERT INTO tasks (queue, dedup_key, payload, status, run_at, created_at)
           VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING`,
      ).run(queue, options?.id ?? null, json, runAt, now);
    } catch (e) {
      throw storageWriteError(e);
    }
    const enqueued = result.changes === 1;
    // One wake-up for a burst of enqueues (a batch upload queues hundreds in one turn of the event loop).
    if (enqueued && !this.wakePending) {
      this.wakePending = true;
      setImmediate(() => {
        this.wakePending = false;
        for (const wake of this.wakeListeners) wake();
      });
    }
    return { enqueued };
  }

  async enqueue(queue: string, payload: unknown, options?: EnqueueOptions): Promise<{ enqueued: boolean }> {
    return this.enqueueSync(queue, payload, options);
  }

  /** Leases up to `limit` due tasks of one queue; a lease that expires (a crash) makes the task due again. */
  lease(queue: string, limit: number, leaseMs: number): LeasedTask[] {
    return this.leaseTransaction(queue, limit, leaseMs, this.clock.now().getTime());
  }

  /** The select and the marking commit together, so two processes on one database never lease one task. */
  private leaseDue(queue: string, limit: number, leaseMs: number, now: number): LeasedTask[] {
    const rows = this.sql(
      `SELECT seq, queue, dedup_key, payload, attempts, first_attempt_at, created_at, status FROM tasks
         WHERE queue = ? AND ((status = 'pending' AND run_at <= ?) OR (status = 'running' AND lease_until <= ?))
         ORDER BY run_at, seq LIMIT ?`,
    ).all(queue, now, now, limit) as {
      seq: number;
      queue: string;
      dedup_key: string | null;
      payload: string;
      attempts: number;
      first_attempt_at: number | null;
      created_at: number;
      status: "pending" | "running";
    }[];
    // A task still `running` past its lease was interrupted (a crash): that attempt counts, so a task
    // that kills the process every time runs out of attempts instead of looping forever.
    const mark = this.sql(
      `UPDATE tasks SET status = 'running', lease_until = ?, first_attempt_at = COALESCE(first_attempt_at, ?),
           attempts = attempts + ? WHERE seq = ?`,
    );
    for (const r of rows) {
      const interrupted = r.status === "running" ? 1 : 0;
      mark.run(now + leaseMs, now, interrupted, r.seq);
      r.attempts += interrupted;
    }
    return rows.map((r) => ({
      seq: r.seq,
      queue: r.queue,
      dedupKey: r.dedup_key,
      payload: JSON.parse(r.payload) as unknown,
      attempts: r.attempts,
      firstAttemptAt: r.first_attempt_at ?? now, // this lease is the first attempt
      createdAt: r.created_at,
    }));
  }

  /**
   * When each of `queues` next has a task to run (ms epoch): its earliest pending task, or a running one
   * whose lease runs out. Queues with nothing waiting are absent. One read for the runner's every wake-up.
   */
  dueTimes(queues: readonly string[]): Map<string, number> {
    if (queues.length === 0) return new Map();
    const rows = this.sql(
      `SELECT queue, MIN(CASE WHEN status = 'pending' THEN run_at ELSE lease_until END) AS due FROM tasks
       WHERE queue IN (${queues.map(() => "?").join(",")}) AND status IN ('pending', 'running')
       GROUP BY queue`,
    ).all(...queues) as { queue: string; due: number }[];
    return new Map(rows.map((r) => [r.queue, r.due]));
  }

  complete(seq: number): void {
    this.sql(
      `UPDATE tasks SET status = 'done', attempts = attempts + 1, finished_at = ?, lease_until = NULL WHERE seq = ?`,
    ).run(this.clock.now().getTime(), seq);
  }

  /** Gives up on a task without counting another attempt (its attempts already ran out). */
  abandon(seq: number, reason: string): void {
    this.sql(
      `UPDATE tasks SET status = 'failed', last_error = ?, finished_at = ?, lease_until = NULL WHERE seq = ?`,
    ).run(reason.slice(0, 2000), this.clock.now().getTime(), seq);
  }

  /** Records a failed attempt: retried at `retryAt`, or marked failed for good when it is null. */
  fail(seq: number, error: string, retryAt: number | null): void {
    if (retryAt === null) {
      this.sql(
        `UPDATE tasks SET status = 'failed', attempts = attempts + 1, last_error = ?, finished_at = ?, lease_until = NULL WHERE seq = ?`,
      ).run(error.slice(0, 2000), this.clock.now().getTime(), seq);
    } else {
      this.sql(
        `UPDATE tasks SET status = 'pending', attempts = attempts + 1, last_error = ?, run_at = ?, lease_until = NULL WHERE seq = ?`,
      ).run(error.slice(0, 2000), retryAt, seq);
    }
  }

  /** When the next task of these queues is due (ms epoch), or null when nothing waits. */
  nextDue(queues: readonly string[]): number | null {
    if (queues.length === 0) return null;
    const row = this.sql(
      `SELECT MIN(CASE WHEN status = 'pending' THEN run_at ELSE lease_until END) AS due FROM tasks
         WHERE queue IN (${queues.map(() => "?").join(",")}) AND status IN ('pending', 'running')`,
    ).get(...queues) as { due: number | null };
    return row.due;
  }

  stats(queue?: string): QueueStats {
    const rows = this.sql(
      `SELECT status, COUNT(*) AS n FROM tasks ${queue ? "WHERE queue = ?" : ""} GROUP BY status`,
    ).all(...(queue ? [queue] : [])) as { status: keyof QueueStats; n: number }[];
    const stats = { pending: 0, running: 0, failed: 0, done: 0 };
    for (const r of rows) stats[r.status] = r.n;
    return stats;
  }

  depths(): Promise<QueueDepth[]> {
    const now = this.clock.now().getTime();
    const rows = this.sql(
      `SELECT queue,
              SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS waiting,
              SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running,
              MIN(CASE WHEN status = 'pending' AND run_at <= ? THEN run_at END) AS oldest
         FROM tasks WHERE status IN ('pending', 'running') GROUP BY queue ORDER BY queue`,
    ).all(now) as { queue: string; waiting: number; running: number; oldest: number | null }[];
    return Promise.resolve(
      rows.map((r) => ({
        queue: r.queue,
        waiting: r.waiting,
        running: r.running,
        oldestDueAgeSeconds: r.oldest === null ? 0 : Math.max(0, Math.round((now - r.oldest) / 1000)),
      })),
    );
  }

  /** Finished tasks are kept for `keepMs` so their ids keep deduplicating, then dropped. */
  prune(keepMs: number): number {
    return this.sql(`DELETE FROM tasks WHERE status IN ('done', 'failed') AND finished_at < ?`).run(
      this.clock.now().getTime() - keepMs,
    ).changes;
  }
}
