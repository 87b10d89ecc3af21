/**
 * How a fine-tuning job is followed in the background: the queue its checks run on, when each check runs, and
 * for how long a job is followed at all. The checks themselves are in finetune.ts (`followFineTuneJob`), on the
 * same code path as reading a job.
 *
 * A job is a chain of tasks, one per check, each queuing the next: check 1 a minute after the job was created,
 * then 2, 5 and 10 minutes apart, then every 15 minutes (a supervised job takes minutes to hours), until the job
 * is finished or it has been followed for `followLimitDays`. A task's id is (tenant, job, check number), so a task
 * delivered twice, or queued again by a retry, is refused by the queue or finds its check already done.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { idPattern } from "../platform/ids.js";
import type { TuningJobFollow } from "./schema.js";

/** The `tuning-followJob` task function (functions.ts). */
export const followQueue = "tuning-followJob";

/** Seconds before checks 1, 2, 3 and 4; every later check waits `followEverySeconds`. */
export const followDelaysSeconds: readonly number[] = [60, 120, 300, 600];
export const followEverySeconds = 900;
/** A job still unfinished this long after it was created is no longer followed (reading it still refreshes it). */
export const followLimitDays = 7;
const followLimitMs = followLimitDays * 24 * 3600 * 1000;

/**
 * Retries of a task whose check could not be recorded (the store failed). A provider that cannot answer is not
 * retried this way: the check is recorded as failed and the next one queued on the schedule.
 */
export const followRetry = { maxAttempts: 5, minBackoffSeconds: 30, maxBackoffSeconds: 600 } as const;

export const followTaskSchema = z
  .object({
    tenantId: z.string().regex(idPattern),
    jobId: z.string().regex(idPattern),
    /** Which check this is (1 = the first after the job was created). */
    check: z.number().int().min(1).max(100_000),
  })
  .strict();
export type FollowTask = z.infer<typeof followTaskSchema>;

/** How long before check `check` runs, counted from the previous one (or from the job's creation). */
export function followDelaySeconds(check: number): number {
  return followDelaysSeconds[check - 1] ?? followEverySeconds;
}

/** One id per job and check: the queue drops a second task with it. */
export const followTaskId = (task: FollowTask): string =>
  `tuning-follow-${task.tenantId}-${task.jobId}-${task.check}`;

/** Check `check` as it would be queued now: after how long, when, and whether that is past the follow limit. */
export interface NextCheck {
  readonly check: number;
  readonly delaySeconds: number;
  readonly at: string;
  /** Past `followLimitDays` after the job was created (`since`): not to be queued. */
  readonly pastLimit: boolean;
}

export function nextCheck(since: string, check: number, now: Date): NextCheck {
  const delaySeconds = followDelaySeconds(check);
  const at = now.getTime() + delaySeconds * 1000;
  return {
    check,
    delaySeconds,
    at: new Date(at).toISOString(),
    pastLimit: !(at <= Date.parse(since) + followLimitMs),
  };
}

/** Queues check `check` of a job (a second queuing of the same check is dropped by the queue). */
export async function queueCheck(
  deps: Deps,
  tenantId: string,
  jobId: string,
  next: NextCheck,
): Promise<void> {
  const task: FollowTask = { tenantId, jobId, check: next.check };
  await deps.tasks.enqueue(followQueue, task, { id: followTaskId(task), delaySeconds: next.delaySeconds });
}

/** Why a job is no longer followed, in words the studio can show. */
export const stopReasons = {
  finished: "The job has finished: there is nothing more to follow.",
  limit: `The job was followed for ${followLimitDays} days without finishing; reading it still asks the provider.`,
  noProvider:
    "The fine-tuning provider the job was created at is no longer configured (OPENAI_API_KEY, OPENAI_BASE_URL); " +
    "its last known status is shown.",
  notQueued: "Its first check could not be queued; reading the job asks the provider.",
} as const;

export const stoppedFollowing = (
  follow: TuningJobFollow,
  code: NonNullable<TuningJobFollow["reason"]>["code"],
  message: string,
): TuningJobFollow => ({ ...follow, followed: false, nextCheckAt: null, reason: { code, message } });
