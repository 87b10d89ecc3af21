/**
 * Local mode's Cloud Tasks: leases due tasks from the durable queue, runs each with its queue's handler
 * under the queue's concurrency limit, and reschedules failures with Cloud Tasks' exponential backoff.
 * A task interrupted by a crash keeps its lease until it expires, then runs again.
 */
import { log } from "@alchemist/functions/platform/log";
import type { Clock } from "@alchemist/functions/platform/ports";
import type { LeasedTask, SqliteTaskQueue } from "../adapters/sqlite-taskqueue.js";
import type { RetryConfig } from "./discover.js";

export interface QueueHandler {
  readonly queue: string;
  readonly retry: RetryConfig;
  readonly concurrency: number;
  /** How long a running task is protected from being run twice; past it a crash is assumed. */
  readonly leaseMs: number;
  run(task: LeasedTask): Promise<void>;
}

/** Used where a queue declares no retry policy (Cloud Tasks' own defaults are far longer). */
export const defaultRetry: Required<RetryConfig> = {
  maxAttempts: 3,
  maxRetrySeconds: 0,
  minBackoffSeconds: 1,
  maxBackoffSeconds: 3600,
  maxDoublings: 16,
};

const maxPollMs = 5000;

/**
 * When to try again after `attemptsSoFar` failed attempts, or null to give up. Cloud Tasks' rules
 * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#retryconfig): retrying
 * stops only once both limits are reached, `maxAttempts` (-1: unlimited) and `maxRetrySeconds` (0: none);
 * the wait starts at `minBackoffSeconds`, doubles `maxDoublings` times, then grows linearly by the last
 * doubled step, and never exceeds `maxBackoffSeconds` (10s, 20s, 40s, 80s, 160s, 240s, 300s, 300s, ...).
 */
export function nextAttemptAt(
  retry: RetryConfig,
  attemptsSoFar: number,
  firstAttemptAt: number,
  now: number,
): number | null {
  const r = { ...defaultRetry, ...retry };
  const attemptsSpent = r.maxAttempts >= 0 && attemptsSoFar >= r.maxAttempts;
  const timeSpent = r.maxRetrySeconds <= 0 || now - firstAttemptAt > r.maxRetrySeconds * 1000;
  if (attemptsSpent && timeSpent) return null;
  const retryNumber = Math.max(1, attemptsSoFar);
  const doublings = Math.min(retryNumber - 1, Math.max(0, r.maxDoublings));
  const doubled = r.minBackoffSeconds * 2 ** doublings;
  const seconds = Math.min(r.maxBackoffSeconds, doubled + doubled * Math.max(0, retryNumber - 1 - doublings));
  return now + seconds * 1000;
}

export class TaskRunner {
  private readonly running = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private ticking = false;
  private again = false;

  constructor(
    private readonly queue: SqliteTaskQueue,
    private readonly clock: Clock,
    private readonly handlers: readonly QueueHandler[],
    /** Told of every attempt (the monitor's task metrics). */
    private readonly onAttempt?: (queue: string, ok: boolean, ms: number) => void,
  ) {
    queue.onEnqueued(() => this.wake());
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Stops leasing new work and waits (up to `graceMs`) for running tasks to finish. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const all = Promise.allSettled([...this.inFlight]);
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    let next: number | null = null;
    try {
      do {
        this.again = false;
        next = this.tick();
      } while (this.again && !this.stopped);
    } finally {
      this.ticking = false;
    }
    this.scheduleNext(next);
  }

  /** Resolves once no task of these queues is due or running (tests and the seeding step wait on it). */
  async idle(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const busy = [...this.running.values()].some((n) => n > 0);
      const due = this.queue.nextDue(this.handlers.map((h) => h.queue));
      if (!busy && (due === null || due > this.clock.now().getTime() + 60_000)) return;
      if (Date.now() > deadline) throw new Error("The task queues did not become idle in time");
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /**
   * Leases what is due on every queue with room, from one read of when each queue next has work; returns
   * when the earliest work not started now falls due (null: nothing waits). Work on a queue that was full
   * starts when one of its running tasks finishes, which wakes the runner again.
   */
  private tick(): number | null {
    const now = this.clock.now().getTime();
    const dueTimes = this.queue.dueTimes(this.handlers.map((h) => h.queue));
    let next: number | null = null;
    for (const handler of this.handlers) {
      const due = dueTimes.get(handler.queue);
      if (due === undefined) continue;
      const free = handler.concurrency - (this.running.get(handler.queue) ?? 0);
      if (due > now) next = next === null ? due : Math.min(next, due);
      else if (free > 0) {
        for (const task of this.queue.lease(handler.queue, free, handler.leaseMs)) this.launch(handler, task);
      }
    }
    return next;
  }

  private launch(handler: QueueHandler, task: LeasedTask): void {
    this.running.set(handler.queue, (this.running.get(handler.queue) ?? 0) + 1);
    const work = (async () => {
      const now = this.clock.now().getTime();
      if (
        task.attempts > 0 &&
        nextAttemptAt(handler.retry, task.attempts, task.firstAttemptAt, now) === null
      ) {
        this.queue.abandon(task.seq, "the task was interrupted on its last attempt");
        log.warn("task failed for good: interrupted on its last attempt", {
          queue: handler.queue,
          seq: task.seq,
        });
        return;
      }
      const started = performance.now();
      try {
        await handler.run(task);
        this.queue.complete(task.seq);
        this.onAttempt?.(handler.queue, true, performance.now() - started);
      } catch (e) {
        this.onAttempt?.(handler.queue, false, performance.now() - started);
        const now = this.clock.now().getTime();
        const retryAt = nextAttemptAt(handler.retry, task.attempts + 1, task.firstAttemptAt, now);
        const message = e instanceof Error ? e.message : String(e);
        this.queue.fail(task.seq, message, retryAt);
        log.warn(retryAt === null ? "task failed for good" : "task failed; will retry", {
          queue: handler.queue,
          seq: task.seq,
          attempt: task.attempts + 1,
          err: e,
          ...(retryAt !== null ? { retryInMs: retryAt - now } : {}),
        });
      }
    })().finally(() => {
      this.running.set(handler.queue, (this.running.get(handler.queue) ?? 1) - 1);
      this.inFlight.delete(work);
      this.wake();
    });
    this.inFlight.add(work);
  }

  private scheduleNext(due: number | null): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const wait =
      due === null ? maxPollMs : Math.max(10, Math.min(maxPollMs, due - this.clock.now().getTime()));
    this.timer = setTimeout(() => this.wake(), wait);
    this.timer.unref();
  }
}
