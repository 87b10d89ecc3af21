/**
 * Event delivery in local mode. A document commit or a finished upload puts one task per matching
 * function on an internal queue (`trigger:<function>`), in the same SQLite transaction for documents, so
 * events survive a crash and are retried like Cloud Functions events when the function asks for retries.
 * The task runner then calls the function's `run` with the event shape firebase-functions passes handlers.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Deps } from "@alchemist/functions/platform/deps";
import { VectorValue, type BlobInfo, type DocSnapshot } from "@alchemist/functions/platform/ports";
import type { CommittedChange } from "../adapters/sqlite-docstore.js";
import type { LocalDeps } from "../adapters/deps.js";
import type { LeasedTask } from "../adapters/sqlite-taskqueue.js";
import { numberOption, type HostedFunction } from "./discover.js";
import type { QueueHandler } from "./task-runner.js";

export const triggerQueue = (fn: HostedFunction): string => `trigger:${fn.name}`;
export const scheduleQueue = (fn: HostedFunction): string => `schedule:${fn.name}`;

/** Matches `tenants/{tenantId}/usageEvents/{eventId}` (and `{rest=**}`) against a document path. */
export function matchDocumentPattern(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/");
  const s = path.split("/");
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i] as string;
    const wildcard = /^\{(\w+)(=\*\*)?\}$/.exec(seg);
    if (wildcard?.[2]) {
      params[wildcard[1] as string] = s.slice(i).join("/");
      return s.length > i ? params : null;
    }
    if (i >= s.length) return null;
    if (wildcard) params[wildcard[1] as string] = s[i] as string;
    else if (seg !== s[i]) return null;
  }
  return p.length === s.length ? params : null;
}

const firestoreEventKinds: Record<string, readonly CommittedChange["type"][]> = {
  "google.cloud.firestore.document.v1.created": ["added"],
  "google.cloud.firestore.document.v1.updated": ["modified"],
  "google.cloud.firestore.document.v1.deleted": ["removed"],
  "google.cloud.firestore.document.v1.written": ["added", "modified", "removed"],
};

interface SerializedSnapshot {
  readonly path: string;
  readonly data: Record<string, unknown>;
  readonly createTime: string;
  readonly updateTime: string;
}

interface FirestorePayload {
  readonly eventType: string;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly before: SerializedSnapshot | null;
  readonly after: SerializedSnapshot | null;
  readonly time: string;
}

interface StoragePayload {
  readonly eventType: string;
  readonly bucket: string;
  readonly object: BlobInfo;
  readonly time: string;
}

const serialize = (s: DocSnapshot | null): SerializedSnapshot | null =>
  s
    ? {
        path: s.path,
        data: s.data as Record<string, unknown>,
        createTime: s.createTime,
        updateTime: s.updateTime,
      }
    : null;

/** Vectors do not survive JSON; a trigger payload carries their values as plain arrays. */
function jsonSafe<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (_k, v: unknown) => (v instanceof VectorValue ? v.toArray() : v)),
  ) as T;
}

/** What a handler receives as a document: the parts of firebase-admin's DocumentSnapshot it uses. */
function snapshotView(s: SerializedSnapshot | null, path: string) {
  const id = path.split("/").pop() as string;
  return {
    id,
    exists: s !== null,
    ref: { id, path },
    createTime: s?.createTime,
    updateTime: s?.updateTime,
    data: () => (s ? s.data : undefined),
    get: (field: string) =>
      field
        .split(".")
        .reduce<unknown>(
          (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
          s?.data,
        ),
  };
}

function eventId(parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

/** Registers the store and bucket hooks that turn changes into trigger tasks. */
export function wireTriggers(deps: LocalDeps, functions: readonly HostedFunction[], bucket: string): void {
  const firestoreFns = functions.filter((f) => f.kind === "firestore");
  const storageFns = functions.filter((f) => f.kind === "storage");

  if (firestoreFns.length > 0) {
    deps.store.addCommitHook((changes) => {
      for (const fn of firestoreFns) {
        const trigger = fn.endpoint.eventTrigger!;
        const pattern = String(
          trigger.eventFilterPathPatterns?.document ?? trigger.eventFilters?.document ?? "",
        );
        const kinds = firestoreEventKinds[trigger.eventType] ?? [];
        for (const change of changes) {
          if (!kinds.includes(change.type)) continue;
          const params = matchDocumentPattern(pattern, change.path);
          if (!params) continue;
          const time = change.after?.updateTime ?? deps.clock.nowIso();
          const payload: FirestorePayload = jsonSafe({
            eventType: trigger.eventType,
            path: change.path,
            params,
            before: serialize(change.before),
            after: serialize(change.after),
            time,
          });
          // One commit is one event: the nonce keeps two writes within the same millisecond apart.
          const id = eventId([fn.name, change.path, time, change.type, randomBytes(8).toString("hex")]);
          deps.tasks.enqueueSync(triggerQueue(fn), payload, { id });
        }
      }
    });
  }

  if (storageFns.length > 0) {
    deps.blobs.onFinalized((object) => {
      for (const fn of storageFns) {
        if (fn.endpoint.eventTrigger?.eventType !== "google.cloud.storage.object.v1.finalized") continue;
        // A function bound to another bucket never hears of this one's uploads.
        const wanted = fn.endpoint.eventTrigger.eventFilters?.bucket;
        if (typeof wanted === "string" && wanted !== bucket) continue;
        const payload: StoragePayload = {
          eventType: "google.cloud.storage.object.v1.finalized",
          bucket,
          object,
          time: object.updated,
        };
        deps.tasks.enqueueSync(triggerQueue(fn), payload, {
          id: eventId([fn.name, object.path, object.updated, object.md5]),
        });
      }
    });
  }
}

function firestoreEvent(fn: HostedFunction, task: LeasedTask, projectId: string) {
  const p = task.payload as FirestorePayload;
  const before = snapshotView(p.before, p.path);
  const after = snapshotView(p.after, p.path);
  const data = p.eventType.endsWith(".created")
    ? after
    : p.eventType.endsWith(".deleted")
      ? before
      : { before, after };
  return {
    specversion: "1.0",
    id: task.dedupKey ?? String(task.seq),
    source: `//firestore.googleapis.com/projects/${projectId}/databases/(default)`,
    type: p.eventType,
    time: p.time,
    subject: `documents/${p.path}`,
    project: projectId,
    location: "local",
    database: "(default)",
    namespace: "(default)",
    document: p.path,
    params: p.params,
    data,
    function: fn.name,
  };
}

function storageEvent(task: LeasedTask) {
  const p = task.payload as StoragePayload;
  const o = p.object;
  return {
    specversion: "1.0",
    id: task.dedupKey ?? String(task.seq),
    source: `//storage.googleapis.com/projects/_/buckets/${p.bucket}`,
    type: p.eventType,
    time: p.time,
    subject: `objects/${o.path}`,
    bucket: p.bucket,
    data: {
      bucket: p.bucket,
      name: o.path,
      size: String(o.size),
      contentType: o.contentType,
      md5Hash: Buffer.from(o.md5, "hex").toString("base64"),
      metadata: o.metadata,
      timeCreated: o.updated,
      updated: o.updated,
      generation: String(Date.parse(o.updated)),
      metageneration: "1",
      storageClass: "STANDARD",
    },
  };
}

/** The internal queue handler for one event-triggered function. */
export function triggerHandler(fn: HostedFunction, deps: Deps): QueueHandler {
  const retries = fn.endpoint.eventTrigger?.retry === true;
  return {
    queue: triggerQueue(fn),
    // Cloud Functions drops a failed event unless the function was deployed with `retry: true`.
    retry: retries ? { maxAttempts: 20, minBackoffSeconds: 1, maxBackoffSeconds: 600 } : { maxAttempts: 1 },
    concurrency: 4,
    leaseMs: (numberOption(fn.endpoint.timeoutSeconds, 60) + 30) * 1000,
    run: async (task) => {
      const event =
        fn.kind === "storage" ? storageEvent(task) : firestoreEvent(fn, task, deps.config.projectId);
      await fn.fn.run!(event);
    },
  };
}
