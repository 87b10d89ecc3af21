/**
 * Knowledge Vault triggers: a finalized upload starts ingestion; two task queues run its steps
 * (parse + chunk, then embedding batches) with retries and backoff; schedules settle documents that
 * stopped making progress and re-embed documents after the embedding model changes.
 */
import { onSchedule } from "firebase-functions/v2/scheduler";
import { onObjectFinalized } from "firebase-functions/v2/storage";
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { getDeps } from "../platform/process-deps.js";
import { md5HexFromBase64 } from "../platform/firebase/storage-blobstore.js";
import { log, withLogContext } from "../platform/log.js";
import { openaiApiKey } from "../platform/params.js";
import * as ingest from "./ingest.js";
import * as sweep from "./sweep.js";

export const onDocumentUploaded = onObjectFinalized({ memory: "256MiB" }, async (event) => {
  await withLogContext({ requestId: event.id }, async () => {
    const o = event.data;
    await ingest.startIngestion(await getDeps(), {
      path: o.name,
      size: Number(o.size),
      contentType: o.contentType ?? "application/octet-stream",
      metadata: { ...(o.metadata ?? {}) },
      md5: o.md5Hash ? md5HexFromBase64(o.md5Hash) : "",
      updated: String(o.updated ?? event.time),
    });
  });
});

/** A payload that does not parse is logged and dropped: retrying it could never succeed. */
function parsePayload<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  data: unknown,
): T | null {
  const parsed = schema.safeParse(data);
  if (!parsed.success) log.error("dropping a malformed task payload", { payload: data });
  return parsed.success ? parsed.data : null;
}

export const ingestDocument = onTaskDispatched(
  {
    retryConfig: ingest.ingestRetry,
    rateLimits: { maxConcurrentDispatches: 4 },
    // The parse worker's heap is capped at PARSE_MEMORY_MB (1 GiB by default); the instance needs room
    // for it and for the main thread, or the container is killed before V8's limit is reached.
    memory: "2GiB",
    timeoutSeconds: 540,
    // A small document is embedded in this same task (one batch): it needs the model secret, or Firebase
    // mode would embed it with the built-in embedder and leave it for the re-embedding sweep.
    secrets: [openaiApiKey],
  },
  async (request) => {
    const task = parsePayload(ingest.documentTaskSchema, request.data);
    if (!task) return;
    await withLogContext({ requestId: request.id }, async () => {
      await ingest.ingestDocument(await getDeps(), task, {
        retryCount: request.retryCount,
        maxAttempts: ingest.ingestRetry.maxAttempts,
      });
    });
  },
);

export const embedChunks = onTaskDispatched(
  {
    retryConfig: ingest.ingestRetry,
    // Bounded so a large upload cannot exhaust the embedding provider's rate limit.
    rateLimits: { maxConcurrentDispatches: 6 },
    memory: "512MiB",
    timeoutSeconds: 300,
    secrets: [openaiApiKey],
  },
  async (request) => {
    const task = parsePayload(ingest.embedTaskSchema, request.data);
    if (!task) return;
    await withLogContext({ requestId: request.id }, async () => {
      await ingest.embedChunks(await getDeps(), task, {
        retryCount: request.retryCount,
        maxAttempts: ingest.ingestRetry.maxAttempts,
      });
    });
  },
);

export const sweepStalledDocuments = onSchedule(
  // Idempotent: a document it settled no longer matches, so a failed run may simply run again.
  { schedule: "every 5 minutes", retryCount: 1, memory: "256MiB", timeoutSeconds: 300 },
  async (event) => {
    await withLogContext({ requestId: `sweep-${event.scheduleTime}` }, async () => {
      await sweep.sweepStalledDocuments(await getDeps());
    });
  },
);

export const sweepOutdatedEmbeddings = onSchedule(
  // Idempotent: a document whose job is recorded is not asked again. It reads the embedder's model, so it
  // needs the model secret (without it, it would take the built-in embedder for the current model).
  {
    schedule: "every 5 minutes",
    retryCount: 1,
    memory: "256MiB",
    timeoutSeconds: 300,
    secrets: [openaiApiKey],
  },
  async (event) => {
    await withLogContext({ requestId: `reembed-${event.scheduleTime}` }, async () => {
      await sweep.sweepOutdatedEmbeddings(await getDeps());
    });
  },
);
