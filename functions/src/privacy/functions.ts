/** Privacy triggers: the daily retention job (the audit log and privacy requests are REST routes of `api`). */
import { onSchedule } from "firebase-functions/v2/scheduler";
import { getDeps } from "../platform/process-deps.js";
import { withLogContext } from "../platform/log.js";
import { enforceRetention as enforce } from "./retention.js";

export const enforceRetention = onSchedule(
  // A run is idempotent (it deletes what is still too old), so a failed run may simply be retried.
  { schedule: "every 24 hours", retryCount: 2, memory: "512MiB", timeoutSeconds: 540 },
  async (event) => {
    await withLogContext({ requestId: `retention-${event.scheduleTime}` }, async () => {
      const deps = await getDeps();
      await enforce(deps, deps.clock.now());
    });
  },
);
