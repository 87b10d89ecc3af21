/**
 * The `narrative` function group: drift detection, a trigger on every new trace. A turn writes its trace with its
 * answer; the trigger then files the answer under its canonical question and flags a material change, so the turn
 * itself never waits for drift (nor fails for it). Retried on failure: observing a trace twice changes nothing.
 */
import { onDocumentCreated } from "firebase-functions/v2/firestore";
import { getDeps } from "../platform/process-deps.js";
import { withLogContext } from "../platform/log.js";
import { observeTrace } from "./drift.js";

export const observeAnswers = onDocumentCreated(
  { document: "tenants/{tenantId}/traces/{traceId}", retry: true, memory: "256MiB", timeoutSeconds: 60 },
  async (event) => {
    await withLogContext({ requestId: event.id }, async () => {
      await observeTrace(await getDeps(), event.params.tenantId, event.params.traceId);
    });
  },
);
