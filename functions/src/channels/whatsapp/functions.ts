/**
 * The `whatsapp` function group: the task that answers each incoming WhatsApp message. Loading it also gives
 * the monitor's tick the numbers' token check (platform/checks.ts).
 */
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { registerCheck } from "../../platform/checks.js";
import { whatsappTokenChecks } from "./health.js";
import { getDeps } from "../../platform/process-deps.js";
import { log, withLogContext } from "../../platform/log.js";
import { openaiApiKey } from "../../platform/params.js";
import { replyTaskSchema } from "./schema.js";
import { answer } from "./webhook.js";

registerCheck(whatsappTokenChecks);

export const reply = onTaskDispatched(
  {
    retryConfig: { maxAttempts: 5, minBackoffSeconds: 5, maxBackoffSeconds: 300 },
    // Answers share an instance with the webhook, which must acknowledge Meta fast: a few at a time.
    rateLimits: { maxConcurrentDispatches: 4 },
    memory: "512MiB",
    timeoutSeconds: 120,
    secrets: [openaiApiKey],
  },
  async (request) => {
    const task = replyTaskSchema.safeParse(request.data);
    if (!task.success) {
      log.error("dropping a malformed whatsapp task");
      return;
    }
    await withLogContext({ requestId: request.id }, async () => answer(await getDeps(), task.data));
  },
);
