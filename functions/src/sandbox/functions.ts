/**
 * The `sandbox` function group: the task queue that works through eval runs (runs.ts). The Sandbox's routes
 * are part of `api`.
 */
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { getDeps } from "../platform/process-deps.js";
import { log, withLogContext } from "../platform/log.js";
import { openaiApiKey } from "../platform/params.js";
import { evalRetry, runEvalTask, runTaskSchema } from "./runs.js";

export const runEval = onTaskDispatched(
  {
    retryConfig: evalRetry,
    // Each run is worked on by one task at a time (its lease); a few runs may advance at once.
    rateLimits: { maxConcurrentDispatches: 4 },
    memory: "1GiB",
    // A task works for 240 s (runs.ts `taskBudgetMs`), then queues the next; the rest is a turn's worst case.
    timeoutSeconds: 540,
    secrets: [openaiApiKey],
  },
  async (request) => {
    const task = runTaskSchema.safeParse(request.data);
    if (!task.success) {
      log.error("dropping a malformed eval run task");
      return;
    }
    await withLogContext({ requestId: request.id }, async () => {
      const outcome = await runEvalTask(await getDeps(), task.data, {
        retryCount: request.retryCount,
        maxAttempts: evalRetry.maxAttempts,
      });
      log.info("eval run task", { runId: task.data.runId, outcome });
    });
  },
);
