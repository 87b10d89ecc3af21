/**
 * The `monitor` function group: the minute tick (checks, probes, rollups, alerts) and the queue that
 * delivers alert notifications to webhooks and Slack. `/metrics`, `/health` and the routes are part of `api`.
 */
import { onSchedule } from "firebase-functions/v2/scheduler";
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { registeredChecks } from "../platform/checks.js";
import { getDeps } from "../platform/process-deps.js";
import { log, withLogContext } from "../platform/log.js";
import { openaiApiKey, stripeSecretKey, stripeWebhookSecret } from "../platform/params.js";
import { deliverNotification, notifyTaskSchema } from "./notify.js";
import { monitorTick } from "./tick.js";

export const tick = onSchedule(
  {
    schedule: "every 1 minutes",
    // A missed minute is not retried: the next tick covers it (every step is idempotent).
    retryCount: 0,
    memory: "512MiB",
    timeoutSeconds: 300,
    // The checks call the model provider, Stripe and Meta (with each number's sealed token).
    secrets: [openaiApiKey, stripeSecretKey, stripeWebhookSecret],
  },
  async (event) => {
    await withLogContext({ requestId: `monitor-tick-${event.scheduleTime}` }, async () => {
      const report = await monitorTick(await getDeps(), registeredChecks());
      log.info("monitor tick", {
        scopes: report.scopes,
        probes: report.probes.length,
        failedScopes: report.failedScopes.length,
        checks: Object.fromEntries(report.checks.map((c) => [c.name, c.status])),
      });
    });
  },
);

export const notify = onTaskDispatched(
  {
    retryConfig: { maxAttempts: 6, minBackoffSeconds: 1, maxBackoffSeconds: 300 },
    rateLimits: { maxConcurrentDispatches: 8 },
    memory: "256MiB",
  },
  async (request) => {
    const task = notifyTaskSchema.safeParse(request.data);
    if (!task.success) {
      log.error("dropping a malformed notification task");
      return;
    }
    await withLogContext({ requestId: request.id }, async () => {
      const outcome = await deliverNotification(await getDeps(), task.data);
      log.info("alert notification", { outcome, channelId: task.data.channelId });
    });
  },
);
