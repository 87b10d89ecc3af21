/**
 * The `billing` function group: the meter (a trigger on every new usage event), the Stripe webhook's and
 * the billing meter's task queues, and the daily job. The webhook and the owners' routes are part of `api`.
 */
import { onDocumentCreated } from "firebase-functions/v2/firestore";
import { onSchedule } from "firebase-functions/v2/scheduler";
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { z } from "zod";
import { getDeps } from "../platform/process-deps.js";
import { log, withLogContext } from "../platform/log.js";
import { stripeSecretKey, stripeWebhookSecret } from "../platform/params.js";
import { dailyStripeJobs, requeueStripeEvents, sweepUnmetered } from "./daily.js";
import { meterEvent } from "./meter.js";
import { processStripeEvent, reconcileDailyUsage, reportDailyUsage } from "./stripe.js";

/** Folds each new usage event into the rollups and the ledger; retried on failure (metering is idempotent). */
export const meter = onDocumentCreated(
  { document: "tenants/{tenantId}/usageEvents/{eventId}", retry: true, memory: "256MiB", timeoutSeconds: 60 },
  async (event) => {
    await withLogContext({ requestId: event.id }, async () => {
      await meterEvent(await getDeps(), event.params.tenantId, event.params.eventId);
    });
  },
);

const stripeEventTask = z.object({ eventId: z.string().min(1).max(255) });

export const stripeEvent = onTaskDispatched(
  {
    retryConfig: { maxAttempts: 8, minBackoffSeconds: 10, maxBackoffSeconds: 600 },
    rateLimits: { maxConcurrentDispatches: 4 },
    memory: "256MiB",
    secrets: [stripeSecretKey, stripeWebhookSecret],
  },
  async (request) => {
    const task = stripeEventTask.safeParse(request.data);
    if (!task.success) {
      log.error("dropping a malformed stripe event task");
      return;
    }
    await withLogContext({ requestId: request.id }, async () => {
      const outcome = await processStripeEvent(await getDeps(), task.data.eventId);
      log.info("stripe event processed", { eventId: task.data.eventId, outcome });
    });
  },
);

const usageTask = z.object({
  tenantId: z.string().min(1).max(128),
  day: z.iso.date(),
  action: z.enum(["report", "reconcile"]),
});

export const reportUsage = onTaskDispatched(
  {
    // Stripe's rate limits and outages: back off up to an hour; the identifier makes a retry harmless.
    retryConfig: { maxAttempts: 10, minBackoffSeconds: 30, maxBackoffSeconds: 3600, maxDoublings: 7 },
    rateLimits: { maxConcurrentDispatches: 2 },
    memory: "256MiB",
    secrets: [stripeSecretKey, stripeWebhookSecret],
  },
  async (request) => {
    const task = usageTask.safeParse(request.data);
    if (!task.success) {
      log.error("dropping a malformed usage report task");
      return;
    }
    await withLogContext({ requestId: request.id }, async () => {
      const deps = await getDeps();
      const { action, ...day } = task.data;
      const outcome =
        action === "report" ? await reportDailyUsage(deps, day) : await reconcileDailyUsage(deps, day);
      log.info(`stripe usage ${action}`, { ...day, outcome });
    });
  },
);

export const sweep = onSchedule(
  // Every step is idempotent: a failed run may simply run again.
  { schedule: "every 15 minutes", retryCount: 1, memory: "256MiB", timeoutSeconds: 540 },
  async (event) => {
    await withLogContext({ requestId: `billing-sweep-${event.scheduleTime}` }, async () => {
      const deps = await getDeps();
      await sweepUnmetered(deps);
      await requeueStripeEvents(deps);
    });
  },
);

export const daily = onSchedule(
  {
    schedule: "0 1 * * *",
    timeZone: "UTC",
    retryCount: 2,
    memory: "256MiB",
    timeoutSeconds: 540,
    // It asks Stripe nothing itself, but only sees that Stripe is connected with the secrets bound.
    secrets: [stripeSecretKey, stripeWebhookSecret],
  },
  async (event) => {
    await withLogContext({ requestId: `billing-daily-${event.scheduleTime}` }, async () => {
      await dailyStripeJobs(await getDeps());
    });
  },
);
