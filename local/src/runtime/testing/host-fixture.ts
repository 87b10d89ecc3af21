/**
 * Real firebase-functions v2 functions for the local host's tests, one per trigger kind. Each records what
 * it saw in the DocStore (as real handlers write through the ports), so a test reads outcomes, not mocks.
 * Import it only after FIREBASE_CONFIG names a storage bucket: `onObjectFinalized` reads it when defined.
 */
import { onDocumentCreated } from "firebase-functions/v2/firestore";
import { HttpsError, onCall, onRequest } from "firebase-functions/v2/https";
import { onSchedule } from "firebase-functions/v2/scheduler";
import { onObjectFinalized } from "firebase-functions/v2/storage";
import { onTaskDispatched } from "firebase-functions/v2/tasks";
import { getDeps } from "@alchemist/functions/platform/process-deps";
import { FieldOps } from "@alchemist/functions/platform/ports";

/** Where the fixture functions record their work. */
export const records = {
  task: (id: string) => `fixtureTasks/${id}`,
  upload: (objectName: string) => `fixtureUploads/${objectName.replaceAll("/", "~")}`,
  otherBucketUploads: "fixtureUploads/other-bucket",
  schedule: (slot: string) => `fixtureSchedules/${slot}`,
  derived: (tenantId: string, thingId: string) => `tenants/${tenantId}/derived/${thingId}`,
};

/** Answers with what it received, as an HTTPS function of the API would see it. */
export const echo = onRequest(async (req, res) => {
  res.status(200).json({
    method: req.method,
    path: req.path,
    query: req.query,
    body: Buffer.isBuffer(req.body) ? { bytes: req.body.length } : (req.body ?? null),
    rawBodyBytes: req.rawBody?.length ?? 0,
    contentType: req.header("content-type") ?? null,
  });
});

/** A callable that greets, streaming the greeting word by word when the client accepts a stream. */
export const greet = onCall(async (request, response) => {
  const name = (request.data as { name?: unknown } | null)?.name;
  if (typeof name !== "string" || name.length === 0)
    throw new HttpsError("invalid-argument", "name must be a non-empty string");
  const words = ["Hello", name];
  if (request.acceptsStreaming) for (const word of words) await response?.sendChunk({ word });
  return {
    greeting: words.join(", "),
    uid: request.auth?.uid ?? null,
    tenantId: (request.auth?.token as { tenantId?: string } | undefined)?.tenantId ?? null,
    role: (request.auth?.token as { role?: string } | undefined)?.role ?? null,
  };
});

/** Fails its first attempt, then succeeds: the queue's retry policy must bring it back. */
export const flaky = onTaskDispatched<{ job: string }>(
  { retryConfig: { maxAttempts: 3, minBackoffSeconds: 1 }, rateLimits: { maxConcurrentDispatches: 2 } },
  async (request) => {
    const deps = await getDeps();
    await deps.store.set(
      records.task(request.data.job),
      {
        attempts: FieldOps.increment(1),
        retryCounts: FieldOps.arrayUnion(request.retryCount),
        queue: request.queueName,
      },
      { merge: true },
    );
    if (request.retryCount === 0) throw new Error("the model provider timed out");
    await deps.store.set(records.task(request.data.job), { succeeded: true }, { merge: true });
  },
);

/** Derives a document from each new `things` document, counting its deliveries. */
export const deriveThing = onDocumentCreated("tenants/{tenantId}/things/{thingId}", async (event) => {
  const deps = await getDeps();
  const data = event.data?.data() ?? {};
  await deps.store.set(
    records.derived(event.params.tenantId, event.params.thingId),
    {
      title: String(data.title ?? "").toUpperCase(),
      source: event.document,
      copy: data,
      eventIds: FieldOps.arrayUnion(event.id),
      deliveries: FieldOps.increment(1),
    },
    { merge: true },
  );
});

/** Records every finalized object of the default bucket. */
export const recordUpload = onObjectFinalized(async (event) => {
  const deps = await getDeps();
  await deps.store.set(
    records.upload(event.data.name),
    {
      name: event.data.name,
      bucket: event.data.bucket,
      size: event.data.size,
      contentType: event.data.contentType ?? null,
      md5Hash: event.data.md5Hash ?? null,
      deliveries: FieldOps.increment(1),
    },
    { merge: true },
  );
});

/** Bound to another bucket: uploads to the default bucket must not reach it. */
export const recordOtherBucket = onObjectFinalized({ bucket: "demo-test-exports" }, async (event) => {
  const deps = await getDeps();
  await deps.store.set(
    records.otherBucketUploads,
    { names: FieldOps.arrayUnion(event.data.name) },
    { merge: true },
  );
});

/** Records each slot it runs for. */
export const everyMinute = onSchedule("every 1 minutes", async (event) => {
  const deps = await getDeps();
  await deps.store.set(
    records.schedule(event.scheduleTime),
    { jobName: event.jobName ?? null, runs: FieldOps.increment(1) },
    { merge: true },
  );
});
