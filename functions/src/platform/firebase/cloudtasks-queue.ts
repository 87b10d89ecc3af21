/**
 * TaskQueue over Cloud Tasks (Firebase mode): each queue is the task queue of an `onTaskDispatched`
 * function, reached through firebase-admin's `getFunctions().taskQueue(...)`. Dedup ids become Cloud Tasks
 * task names, which is how a second task with the same id is refused.
 * https://firebase.google.com/docs/functions/task-functions
 */
import { createHash } from "node:crypto";
import type { Functions, TaskOptions } from "firebase-admin/functions";
import { taskPayloadJson } from "../validation.js";
import { AppError, type ErrorCode } from "../errors.js";
import type { EnqueueOptions, TaskQueue } from "../ports.js";

/** Cloud Tasks' own limit on a task id. */
export const MAX_TASK_ID_LENGTH = 500;

/** Deployed function names: what follows `functions/` in the queue's resource name. */
const queuePattern = /^[A-Za-z0-9_-]{1,100}$/;
const regionPattern = /^[a-z]+(-[a-z0-9]+)+$/;

/**
 * A Cloud Tasks id for any dedup key. Cloud Tasks accepts only letters, digits, `-` and `_`, so every other
 * character (and `_` itself) is written as `_XX` per UTF-8 byte: readable, and two keys never share an id.
 * Keys too long once escaped become `_h` + their SHA-256, a form escaping never produces.
 */
export function cloudTaskId(key: string): string {
  let escaped = "";
  for (const char of key) {
    if (/^[A-Za-z0-9-]$/.test(char)) escaped += char;
    else
      for (const byte of Buffer.from(char, "utf8"))
        escaped += `_${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (escaped.length > 0 && escaped.length <= MAX_TASK_ID_LENGTH) return escaped;
  return `_h${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/** firebase-admin's `FirebaseFunctionsError` codes (`functions/<code>`) → ours. */
const functionsCodes: Readonly<Record<string, ErrorCode>> = {
  "invalid-argument": "invalid-argument",
  "failed-precondition": "failed-precondition",
  aborted: "aborted",
  // A queue that does not exist is a deployment problem, not a missing resource of the caller's.
  "not-found": "failed-precondition",
};

function functionsErrorCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && code.startsWith("functions/")
    ? code.slice("functions/".length)
    : undefined;
}

/** A Cloud Tasks failure as an `AppError`; errors that did not come from firebase-admin pass through. */
export function fromTaskQueueError(error: unknown, queue: string): unknown {
  const code = functionsErrorCode(error);
  if (code === undefined) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new AppError(
    functionsCodes[code] ?? "internal",
    `Cloud Tasks enqueue on "${queue}" failed: ${detail}`,
  );
}

function taskOptions(options: EnqueueOptions | undefined): TaskOptions {
  const result: { id?: string; scheduleDelaySeconds?: number } = {};
  if (options?.id !== undefined) result.id = cloudTaskId(options.id);
  if (options?.delaySeconds !== undefined) {
    if (!Number.isFinite(options.delaySeconds))
      throw new AppError("invalid-argument", "delaySeconds must be a finite number");
    // Whole seconds, rounded up: a task must never run before the delay asked for.
    result.scheduleDelaySeconds = Math.max(0, Math.ceil(options.delaySeconds));
  }
  return result;
}

export function cloudTasksQueue(functions: Functions, region: string): TaskQueue {
  if (!regionPattern.test(region)) throw new AppError("invalid-argument", `Invalid region "${region}"`);
  return {
    async enqueue(queue, payload, options) {
      if (!queuePattern.test(queue)) throw new AppError("invalid-argument", `Invalid queue "${queue}"`);
      taskPayloadJson(payload);
      const opts = taskOptions(options);
      try {
        await functions
          .taskQueue(`locations/${region}/functions/${queue}`)
          .enqueue(payload as Record<string, unknown>, opts);
        return { enqueued: true };
      } catch (error) {
        // Cloud Tasks answers 409 for a task name it has seen (recently): the dedup we asked for.
        if (functionsErrorCode(error) === "task-already-exists") return { enqueued: false };
        throw fromTaskQueueError(error, queue);
      }
    },
  };
}
