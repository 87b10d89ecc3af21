/**
 * The `tuning` function group: the task queue that follows fine-tuning jobs in the background (follow.ts,
 * finetune.ts `followFineTuneJob`). Agent Tuning's routes are part of `api`.
 */
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { getDeps } from "../platform/process-deps.js";
import { log, withLogContext } from "../platform/log.js";
import { openaiApiKey } from "../platform/params.js";
import { followFineTuneJob } from "./finetune.js";
import { followRetry, followTaskSchema } from "./follow.js";

export const followJob = onTaskDispatched(
  {
    retryConfig: followRetry,
    // A check is one read of the provider and one write: a few at a time are plenty.
    rateLimits: { maxConcurrentDispatches: 4 },
    memory: "256MiB",
    timeoutSeconds: 120,
    secrets: [openaiApiKey],
  },
  async (request) => {
    const task = followTaskSchema.safeParse(request.data);
    if (!task.success) {
      log.error("dropping a malformed fine-tuning follow task");
      return;
    }
    await withLogContext({ requestId: request.id }, async () => {
      const outcome = await followFineTuneJob(await getDeps(), task.data);
      log.info("fine-tuning job check", { jobId: task.data.jobId, check: task.data.check, outcome });
    });
  },
);
