/**
 * The Cloud Tasks dispatch of a deployed queue function, under the Functions and Cloud Tasks emulators
 * (`npm run test:firebase`, part of `npm test`): a task enqueued through the platform's own Cloud Tasks
 * adapter, into the queue the Functions emulator created for `knowledge-ingestDocument`, reaches the built
 * function, which reads it with the ingest task schema, looks the document up in Firestore and acknowledges it.
 *
 * The task names a document that does not exist (its knowledge base was deleted before the task ran): the
 * function has nothing to ingest, so what is checked is the dispatch itself, the queue's dedupe, and that a
 * failing function leaves the task unacknowledged. The whole pipeline (upload, Storage trigger, ingest, embed,
 * ready) is the smoke flow's `document-ingest` step.
 */
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getFunctions } from "firebase-admin/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudTasksQueue } from "../platform/firebase/cloudtasks-queue.js";
import { region } from "../platform/params.js";
import { documentTaskSchema, ingestQueue, ingestTaskId } from "./ingest.js";

const tasksEmulator = process.env.CLOUD_TASKS_EMULATOR_HOST;
const functionsEmulator = process.env.FIREBASE_EMULATOR_HUB; // set by `firebase emulators:exec`
if (
  (tasksEmulator === undefined || functionsEmulator === undefined) &&
  process.env.ALCHEMIST_REQUIRE_EMULATORS === "1"
)
  throw new Error(
    "ALCHEMIST_REQUIRE_EMULATORS=1 but the Cloud Tasks and Functions emulators are not running (CLOUD_TASKS_EMULATOR_HOST, FIREBASE_EMULATOR_HUB)",
  );

const projectId = process.env.GCLOUD_PROJECT ?? "demo-alchemist";
/** The emulator's key for the queue of a deployed `onTaskDispatched` function. */
const queueKey = `queue:${projectId}-${region}-${ingestQueue}`;

interface QueueStats {
  readonly numberOfTasks: number;
  readonly completedLastMin: number;
  readonly failedTasks: number;
}

async function statsOf(key: string): Promise<QueueStats | undefined> {
  const res = await fetch(`http://${tasksEmulator}/queueStats`);
  if (!res.ok) throw new Error(`the Cloud Tasks emulator's queueStats answered ${res.status}`);
  return ((await res.json()) as Record<string, QueueStats>)[key];
}

describe.skipIf(tasksEmulator === undefined || functionsEmulator === undefined)(
  "Cloud Tasks dispatch of knowledge-ingestDocument (skipped without the Functions and Cloud Tasks emulators: npm run test:firebase)",
  () => {
    let app: App;

    beforeAll(() => {
      // A service account id spares firebase-admin a metadata-server lookup for the task's OIDC token.
      app = initializeApp(
        { projectId, serviceAccountId: `tasks@${projectId}.iam.gserviceaccount.com` },
        `dispatch-${process.pid}-${Date.now()}`,
      );
    });

    afterAll(async () => {
      if (app) await deleteApp(app);
    });

    it("delivers a task enqueued by the platform to the deployed function, which acknowledges it", async () => {
      const before = await statsOf(queueKey);
      expect(before, `the Functions emulator registered no queue ${queueKey}`).toBeDefined();

      const run = Date.now().toString(36);
      // Built and checked with the schema the function reads it with: a well-formed task, not one it drops.
      const task = documentTaskSchema.parse({
        tenantId: `dispatch-${run}`,
        kbId: "kb-deleted",
        docId: "doc-gone",
        version: 1,
        uploadId: `upload-${run}`,
      });
      const queue = cloudTasksQueue(getFunctions(app), region);
      expect(await queue.enqueue(ingestQueue, task, { id: ingestTaskId(task) })).toEqual({ enqueued: true });
      // The same id again is the same task: Cloud Tasks refuses it, and nothing is dispatched twice.
      expect(await queue.enqueue(ingestQueue, task, { id: ingestTaskId(task) })).toEqual({ enqueued: false });

      // Dispatched, run and acknowledged (2xx): the emulator counts it completed. A function that failed
      // or could not be reached would leave it queued for a retry.
      const deadline = Date.now() + 30_000;
      let now = before!;
      while (now.completedLastMin <= before!.completedLastMin) {
        if (Date.now() > deadline)
          throw new Error(`the task was not acknowledged within 30 s: ${JSON.stringify(now)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        now = (await statsOf(queueKey))!;
      }
      expect(now.completedLastMin).toBe(before!.completedLastMin + 1);
      expect(now.numberOfTasks).toBe(0);
      expect(now.failedTasks).toBe(before!.failedTasks);
    }, 40_000);
  },
);
