/**
 * A fixed number of slots shared by everything in this process that takes one: work beyond them waits its turn,
 * first come first served. Background work that shares a process with the API (Sandbox runs in local mode, where
 * one process serves every workspace) takes a slot per unit, so one workspace's backlog runs at a bounded pace
 * and requests keep being answered. Each slot is given up before the next waiter starts, on the next turn of the
 * event loop, so waiting I/O (an HTTP request) runs in between.
 */
import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * Lets waiting I/O (an HTTP request, a timer) run before going on. Awaiting a store that answers at once (local
 * mode's SQLite) does not: its promises resolve as microtasks, so a long loop of them holds the event loop.
 */
export const yieldToIo = (): Promise<void> => nextTurn();

export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`Slots need a whole number of at least 1, not ${size}`);
    this.free = size;
  }

  /** Runs `work` in a slot, after waiting for one. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      await yieldToIo();
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }

  /** How many are waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }
}
