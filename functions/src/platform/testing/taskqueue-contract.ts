/**
 * The TaskQueue contract: one suite every TaskQueue adapter runs (Cloud Tasks, the local durable queue).
 * Enqueue semantics are proved everywhere; delivery only where the adapter can run its tasks here, which
 * it shows by handing the suite a `drain` function. Ids carry a per-run prefix, so a shared emulator
 * needs no reset.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskQueue } from "../ports.js";
import { expectAppError } from "./docstore-contract.js";

/** Groups of behaviour an adapter may not support here; `delivery` also skips itself when there is no `drain`. */
export type TaskQueueFeature = "delivery";

export interface TaskQueueContractOptions {
  /** Features this adapter cannot prove here, each with the reason shown in the skipped test's name. */
  readonly skip?: Partial<Record<TaskQueueFeature, string>>;
  /**
   * Two queues the suite may use. Defaults to fresh names; an emulator that only knows the queues of
   * deployed `onTaskDispatched` functions needs real ones.
   */
  readonly queues?: readonly [string, string];
}

export interface OpenedTaskQueue {
  readonly queue: TaskQueue;
  readonly close: () => Promise<void>;
  /** Runs every task due on `queueName` and returns the payloads delivered, if this adapter can run tasks here. */
  readonly drain?: (queueName: string) => Promise<unknown[]>;
}

const noDrain = "needs an adapter that runs its tasks here (open() returned no drain)";

export function describeTaskQueueContract(
  name: string,
  open: () => Promise<OpenedTaskQueue>,
  options: TaskQueueContractOptions = {},
): void {
  describe(`TaskQueue contract: ${name}`, () => {
    let opened: OpenedTaskQueue | undefined;
    const tasks = (): TaskQueue => {
      if (opened === undefined) throw new Error("the queue is not open");
      return opened.queue;
    };
    const drain = (queueName: string): Promise<unknown[]> => {
      if (opened?.drain === undefined) throw new Error("this adapter has no drain");
      return opened.drain(queueName);
    };

    const run = randomBytes(4).toString("hex");
    const [first, second] = options.queues ?? [`contract-${run}-a`, `contract-${run}-b`];
    let sequence = 0;
    /** An id (or payload marker) no other test or earlier run uses. */
    const unique = (label: string): string => `${label}-${run}-${++sequence}`;
    /** Payloads this test enqueued, picked out of everything a drain delivered. */
    const marked = (payloads: readonly unknown[], marker: string) =>
      payloads.filter(
        (payload) =>
          typeof payload === "object" &&
          payload !== null &&
          (payload as { marker?: unknown }).marker === marker,
      );

    // Whether `drain` exists is only known once `open` ran, after the tests were registered: a delivery
    // test without it skips itself at run time, with the reason as the skip note.
    const deliveryTest = (title: string, body: () => Promise<void>): void => {
      const reason = options.skip?.delivery;
      if (reason !== undefined) {
        it.skip(`${title} [delivery skipped: ${reason}]`, body);
        return;
      }
      it(title, async (context) => {
        if (opened?.drain === undefined) context.skip(noDrain);
        await body();
      });
    };

    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened?.close();
    });

    it("enqueue accepts a task and answers enqueued: true", async () => {
      expect(await tasks().enqueue(first, { tenantId: "t1", docId: "d1" })).toEqual({ enqueued: true });
    });

    it("a second task with the same id on the same queue is dropped: enqueued false", async () => {
      const id = unique("ingest-d1-v1");
      expect(await tasks().enqueue(first, { docId: "d1" }, { id })).toEqual({ enqueued: true });
      expect(await tasks().enqueue(first, { docId: "d1", again: true }, { id })).toEqual({ enqueued: false });
    });

    it("the same id on another queue is independent", async () => {
      const id = unique("usage-e1");
      expect(await tasks().enqueue(first, { eventId: "e1" }, { id })).toEqual({ enqueued: true });
      expect(await tasks().enqueue(second, { eventId: "e1" }, { id })).toEqual({ enqueued: true });
    });

    it("tasks without an id are never deduplicated", async () => {
      const payload = { tenantId: "t1", check: "health" };
      expect(await tasks().enqueue(first, payload)).toEqual({ enqueued: true });
      expect(await tasks().enqueue(first, payload)).toEqual({ enqueued: true });
    });

    it("ids with characters beyond letters, digits, '-' and '_' deduplicate too, and stay distinct", async () => {
      const id = unique("tenants/t1/documents/d1:v2");
      expect(await tasks().enqueue(first, { n: 1 }, { id })).toEqual({ enqueued: true });
      expect(await tasks().enqueue(first, { n: 2 }, { id })).toEqual({ enqueued: false });
      // Ids that differ only in the characters Cloud Tasks refuses must not collide.
      const base = unique("kb");
      for (const variant of [`${base}/x`, `${base}_x`, `${base}:x`, `${base}.x`, `${base}_2Fx`]) {
        expect(await tasks().enqueue(first, { variant }, { id: variant })).toEqual({ enqueued: true });
      }
    });

    it("a delayed task is accepted", async () => {
      expect(
        await tasks().enqueue(first, { remind: "trial-ends" }, { id: unique("delay"), delaySeconds: 3600 }),
      ).toEqual({
        enqueued: true,
      });
    });

    it("a payload JSON cannot represent is rejected with invalid-argument", async () => {
      const cyclic: Record<string, unknown> = { name: "loop" };
      cyclic.self = cyclic;
      await expectAppError(() => tasks().enqueue(first, { size: 10n }), "invalid-argument");
      await expectAppError(() => tasks().enqueue(first, cyclic), "invalid-argument");
      await expectAppError(() => tasks().enqueue(first, () => "work"), "invalid-argument");
      await expectAppError(() => tasks().enqueue(first, undefined), "invalid-argument");
    });

    deliveryTest("enqueued payloads are delivered as JSON, unchanged", async () => {
      const marker = unique("deliver");
      const payloads = [
        {
          marker,
          tenantId: "t1",
          docId: "Refund policy.pdf",
          chunks: [0, 1, 2],
          options: { ocr: false, lang: "fr" },
        },
        { marker, tenantId: "t1", note: "café ☕", nothing: null },
      ];
      for (const payload of payloads) await tasks().enqueue(first, payload);
      const delivered = marked(await drain(first), marker);
      expect(delivered).toHaveLength(2);
      expect(delivered).toEqual(expect.arrayContaining(payloads));
    });

    deliveryTest("a task dropped as a duplicate is delivered once", async () => {
      const marker = unique("dedup");
      const id = unique("embed-d1");
      await tasks().enqueue(first, { marker, n: 1 }, { id });
      await tasks().enqueue(first, { marker, n: 2 }, { id });
      expect(marked(await drain(first), marker)).toEqual([{ marker, n: 1 }]);
    });

    deliveryTest("draining one queue does not deliver another queue's tasks", async () => {
      const marker = unique("other-queue");
      await tasks().enqueue(second, { marker });
      expect(marked(await drain(first), marker)).toEqual([]);
      expect(marked(await drain(second), marker)).toEqual([{ marker }]);
    });
  });
}
