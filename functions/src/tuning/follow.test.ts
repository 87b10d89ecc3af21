/**
 * Fine-tuning jobs followed in the background, against the local fake of OpenAI's API through the real `openai`
 * SDK: the checks alone take a job from queued to succeeded and register its model once, even when a check is
 * delivered twice or at once; a failed or cancelled job ends the chain; the checks wait what the schedule says;
 * a provider that cannot answer is asked again at the next check; a crash between queuing the next check and
 * recording this one is retried to the same end; after the follow limit, without a provider, or for a job that is
 * gone the chain ends, saying why where there is a job to say it on; another tenant's job is never touched.
 *
 * The checks are run by hand from a recording queue on a clock the tests move (the schedule is minutes to days);
 * one test runs a check through the deployed `tuning-followJob` function on the local task runner.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TestPlatform } from "@alchemist/local/testing/platform";
import { manualClock } from "../platform/clock.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { EnqueueOptions, TaskQueue } from "../platform/ports.js";
import type { FakeOpenAIServer } from "../platform/testing/fake-openai-server.js";
import { tunedModelPath, tunedModelsPath } from "../prompts/tuned-models.js";
import { cancelFineTuneJob, createFineTuneJob, followFineTuneJob, getFineTuneJob } from "./finetune.js";
import {
  followDelaySeconds,
  followLimitDays,
  followQueue,
  followTaskId,
  followTaskSchema,
  nextCheck,
  type FollowTask,
} from "./follow.js";
import { tuningJobPath, tuningJobSchema, type TuningJobView } from "./schema.js";
import { startTuningPlatform } from "./testing/provider-platform.js";

let fake: FakeOpenAIServer;
let platform: TestPlatform;
let exportId: string;
const clock = manualClock(new Date());
const minute = 60_000;
const day = 24 * 60 * minute;

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface Queued {
  readonly task: FollowTask;
  readonly id: string | undefined;
  readonly delaySeconds: number | undefined;
  readonly dueAt: number;
  done: boolean;
}

/** A task queue that keeps what is queued, dropping a second task with an id it has seen, like the real ones. */
function recordingQueue(): TaskQueue & { queued: Queued[]; failNext: number } {
  const seen = new Set<string>();
  const q = {
    queued: [] as Queued[],
    failNext: 0,
    enqueue(queue: string, payload: unknown, options?: EnqueueOptions) {
      if (q.failNext > 0) {
        q.failNext--;
        return Promise.reject(new AppError("unavailable", "Cloud Tasks is unavailable"));
      }
      expect(queue).toBe(followQueue);
      const id = options?.id;
      if (id !== undefined && seen.has(id)) return Promise.resolve({ enqueued: false });
      if (id !== undefined) seen.add(id);
      q.queued.push({
        task: followTaskSchema.parse(payload),
        id,
        delaySeconds: options?.delaySeconds,
        dueAt: clock.now().getTime() + (options?.delaySeconds ?? 0) * 1000,
        done: false,
      });
      return Promise.resolve({ enqueued: true });
    },
  };
  return q;
}

let queue: ReturnType<typeof recordingQueue>;
const deps = (): Deps => ({ ...platform.deps, clock, tasks: queue });

/** Runs the queue's next task of `jobId` at its due time (the clock moves there), like the task runner. */
async function runNext(jobId: string): Promise<{ task: FollowTask; outcome: string; delaySeconds?: number }> {
  const next = queue.queued.find((q) => !q.done && q.task.jobId === jobId);
  if (!next) throw new Error(`no check of ${jobId} is queued`);
  next.done = true;
  const now = clock.now().getTime();
  if (next.dueAt > now) clock.advance(next.dueAt - now);
  return { task: next.task, outcome: await followFineTuneJob(deps(), next.task) };
}

const pending = (jobId: string) => queue.queued.filter((q) => !q.done && q.task.jobId === jobId);
const stored = async (jobId: string): Promise<TuningJobView> => {
  const snap = await platform.deps.store.get(tuningJobPath("acme", jobId));
  if (!snap) throw new Error(`job ${jobId} has no record`);
  return { id: jobId, ...tuningJobSchema.parse(snap.data) };
};
const retrievals = (job: TuningJobView) =>
  fake.requestsTo(`/v1/fine_tuning/jobs/${job.provider.jobId}`).length;
const create = (baseModel: string, d: Deps = deps()) =>
  createFineTuneJob(d, "acme", { exportId, baseModel }, "apikey:follow-test");

beforeAll(async () => {
  const tuning = await startTuningPlatform();
  ({ fake, platform } = tuning);
  const agentId = await tuning.makeAgent("HR bot");
  await tuning.ratedAnswers(agentId, 11);
  const exported = await platform.fetch("/v1/tuning/exports", {
    method: "POST",
    json: { agentId, validationShare: 0 },
  });
  expect(exported.status, await exported.clone().text()).toBe(201);
  exportId = (await json<{ id: string }>(exported)).id;
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await fake?.close();
});

beforeEach(() => {
  queue = recordingQueue();
  fake.reset();
});

describe("a job followed by its checks alone", () => {
  it("goes from queued to succeeded with no request for it, and its model is registered once", async () => {
    const job = await create("gpt-4o-mini-2024-07-18");
    const createdAt = clock.now().getTime();
    expect(job.follow).toEqual({
      followed: true,
      reason: null,
      check: 1,
      lastCheckedAt: null,
      nextCheckAt: new Date(createdAt + 60_000).toISOString(),
      lastError: null,
      since: job.createdAt,
    });
    expect(queue.queued.map((q) => [q.task, q.id, q.delaySeconds])).toEqual([
      [{ tenantId: "acme", jobId: job.id, check: 1 }, `tuning-follow-acme-${job.id}-1`, 60],
    ]);

    const first = await runNext(job.id);
    expect(first.outcome).toBe(`queued; check 2 at ${new Date(createdAt + 3 * minute).toISOString()}`);
    expect(await stored(job.id)).toMatchObject({
      status: "queued",
      checkedAt: new Date(createdAt + minute).toISOString(),
      follow: {
        followed: true,
        check: 2,
        lastCheckedAt: new Date(createdAt + minute).toISOString(),
        nextCheckAt: new Date(createdAt + 3 * minute).toISOString(),
      },
    });
    // Check 1 delivered again (Cloud Tasks delivers at least once): it was done, the provider is not asked.
    expect(await followFineTuneJob(deps(), first.task)).toBe("ended: check 1 was already done");
    expect(retrievals(job)).toBe(1);

    expect((await runNext(job.id)).outcome).toMatch(/^running; check 3 at /);
    // The last check delivered twice at once: both may ask the provider, one registers the model.
    const last = pending(job.id);
    expect(last.map((q) => q.task.check)).toEqual([3]);
    const [a, b] = await Promise.all([runNext(job.id), followFineTuneJob(deps(), last[0]!.task)]);
    expect([a.outcome, b]).toContain("ended: succeeded (finished)");

    const done = await stored(job.id);
    expect(done).toMatchObject({
      status: "succeeded",
      tunedModelId: job.id,
      fineTunedModel: expect.stringMatching(/^ft:gpt-4o-mini-2024-07-18:org-fake:/) as unknown,
      follow: {
        followed: false,
        reason: { code: "finished" },
        nextCheckAt: null,
        lastCheckedAt: new Date(createdAt + 8 * minute).toISOString(),
        lastError: null,
      },
    });
    const models = await platform.deps.store.query({ collection: tunedModelsPath("acme") });
    expect(models.filter((m) => m.data.jobId === job.id)).toHaveLength(1);
    expect((await platform.deps.store.get(tunedModelPath("acme", job.id)))?.data).toMatchObject({
      name: done.fineTunedModel,
    });
    // The delays between checks are the schedule's, and nothing follows a finished job.
    expect(queue.queued.map((q) => q.delaySeconds)).toEqual([1, 2, 3].map(followDelaySeconds));
    expect(pending(job.id)).toEqual([]);
    // Nobody asked for the job; the provider was read by the checks only (the last one delivered twice).
    expect(fake.requestsTo("/v1/fine_tuning/jobs").length).toBe(1);
    expect(retrievals(job)).toBeLessThanOrEqual(4);
    const before = retrievals(job);
    expect(await followFineTuneJob(deps(), { tenantId: "acme", jobId: job.id, check: 4 })).toBe(
      "ended: the job is not followed",
    );
    expect(retrievals(job)).toBe(before);

    // The job's view says it all, through the API too (new fields only).
    const viewed = await json<TuningJobView>(await platform.fetch(`/v1/tuning/jobs/${job.id}`));
    expect(viewed.follow).toEqual(done.follow);
    expect(retrievals(job)).toBe(before);
  });

  it("ends the chain of a job that fails, with no model registered", async () => {
    fake.fineTuningOutcomes("failed");
    const job = await create("gpt-4.1-mini-2025-04-14");
    const outcomes: string[] = [];
    while (pending(job.id).length > 0) outcomes.push((await runNext(job.id)).outcome);
    expect(outcomes).toEqual([
      expect.stringMatching(/^queued; check 2/),
      expect.stringMatching(/^running; check 3/),
      "ended: failed (finished)",
    ]);
    expect(await stored(job.id)).toMatchObject({
      status: "failed",
      error: { code: "invalid_training_file" },
      tunedModelId: null,
      follow: { followed: false, reason: { code: "finished" }, nextCheckAt: null },
    });
    expect(await platform.deps.store.get(tunedModelPath("acme", job.id))).toBeNull();
  });

  it("ends the chain quietly once the job is cancelled, without asking the provider again", async () => {
    const job = await create("gpt-4.1-nano-2025-04-14");
    await runNext(job.id);
    const cancelled = await cancelFineTuneJob(deps(), "acme", job.id);
    expect(cancelled.follow).toMatchObject({
      followed: false,
      reason: { code: "finished" },
      nextCheckAt: null,
    });
    const asked = retrievals(job);
    expect((await runNext(job.id)).outcome).toBe("ended: the job is not followed");
    expect(retrievals(job)).toBe(asked);
    expect(pending(job.id)).toEqual([]);
  });

  it("ends the chain quietly for a job deleted meanwhile", async () => {
    const job = await create("gpt-4o-2024-08-06");
    await platform.deps.store.delete(tuningJobPath("acme", job.id));
    expect((await runNext(job.id)).outcome).toBe("ended: the job no longer exists");
    expect(retrievals(job)).toBe(0);
    expect(pending(job.id)).toEqual([]);
  });
});

describe("the schedule", () => {
  it("waits 1, 2, 5 and 10 minutes, then 15 minutes between checks", () => {
    expect(Array.from({ length: 8 }, (_, i) => followDelaySeconds(i + 1))).toEqual([
      60, 120, 300, 600, 900, 900, 900, 900,
    ]);
  });

  it(`stops queuing checks ${followLimitDays} days after the job was created`, () => {
    const since = "2026-03-01T00:00:00.000Z";
    const limit = Date.parse(since) + followLimitDays * day;
    expect(nextCheck(since, 9, new Date(limit - 900_000))).toMatchObject({
      at: new Date(limit).toISOString(),
      pastLimit: false,
    });
    expect(nextCheck(since, 9, new Date(limit - 899_999)).pastLimit).toBe(true);
    expect(nextCheck("not a date", 2, new Date(since)).pastLimit).toBe(true);
  });

  it("names each check's task after its tenant, job and number", () => {
    expect(followTaskId({ tenantId: "acme", jobId: "j1", check: 7 })).toBe("tuning-follow-acme-j1-7");
    expect(followTaskId({ tenantId: "acme", jobId: "j1", check: 7 })).not.toBe(
      followTaskId({ tenantId: "acme", jobId: "j1", check: 8 }),
    );
  });

  it("refuses malformed tasks: ids that are not ids, checks out of range, unknown fields", () => {
    for (const bad of [
      { tenantId: "acme", jobId: "../globex/tuningJobs/x", check: 1 },
      { tenantId: "acme/../globex", jobId: "j1", check: 1 },
      { tenantId: "acme", jobId: "j".repeat(200), check: 1 },
      { tenantId: "acme", jobId: "j1", check: 0 },
      { tenantId: "acme", jobId: "j1", check: 1.5 },
      { tenantId: "acme", jobId: "j1", check: "1" },
      { tenantId: "acme", jobId: "j1", check: 1, status: "succeeded" },
      null,
      "acme/j1",
    ]) {
      expect(followTaskSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("when the provider does not answer", () => {
  it("records the error and asks again at the next check, changing nothing else", async () => {
    const job = await create("gpt-3.5-turbo-0125");
    fake.replyToFineTuning({ kind: "error", status: 500 });
    const failed = await runNext(job.id);
    expect(failed.outcome).toMatch(/^the provider did not answer \(unavailable\); check 2 at /);
    const after = await stored(job.id);
    expect(after).toMatchObject({
      status: "validating_files",
      checkedAt: job.checkedAt,
      updatedAt: job.updatedAt,
      follow: {
        followed: true,
        check: 2,
        lastCheckedAt: clock.nowIso(),
        lastError: expect.stringContaining("HTTP 500") as unknown,
      },
    });
    expect(after.follow?.lastError).not.toContain(fake.apiKey);
    expect(pending(job.id).map((q) => [q.task.check, q.delaySeconds])).toEqual([[2, followDelaySeconds(2)]]);
    expect((await runNext(job.id)).outcome).toMatch(/^queued; check 3/);
    expect((await stored(job.id)).follow).toMatchObject({ followed: true, check: 3, lastError: null });
    await cancelFineTuneJob(deps(), "acme", job.id);
  });

  it("a crash between queuing the next check and recording this one is retried to the same end", async () => {
    const job = await create("davinci-002");
    const store = platform.deps.store;
    let failures = 1;
    const crashing: Deps = {
      ...deps(),
      store: Object.assign(Object.create(Object.getPrototypeOf(store) as object) as typeof store, store, {
        runTransaction: ((fn) =>
          failures-- > 0
            ? Promise.reject(new Error("store unavailable"))
            : store.runTransaction(fn)) as typeof store.runTransaction,
      }),
    };
    const check1 = pending(job.id)[0]!;
    check1.done = true;
    clock.advance(minute);
    await expect(followFineTuneJob(crashing, check1.task)).rejects.toThrow("store unavailable");
    // The next check is queued, this one is not recorded: the queue retries it.
    expect(pending(job.id).map((q) => q.task.check)).toEqual([2]);
    expect((await stored(job.id)).follow).toMatchObject({ check: 1, lastCheckedAt: null });
    expect(await followFineTuneJob(crashing, check1.task)).toMatch(/^running; check 2/);
    // The retry queued check 2 again: the queue dropped the copy.
    expect(pending(job.id).map((q) => q.task.check)).toEqual([2]);
    expect((await stored(job.id)).follow).toMatchObject({ followed: true, check: 2 });
    expect((await runNext(job.id)).outcome).toBe("ended: succeeded (finished)");
    expect(await platform.deps.store.get(tunedModelPath("acme", job.id))).not.toBeNull();
  });
});

describe("when following stops", () => {
  it(`after ${followLimitDays} days it stops, says so, and a request still reads the job`, async () => {
    const job = await create("gpt-4o-mini-limit");
    await runNext(job.id);
    // The job waits at the provider for a week (the next check would be past the limit).
    const check2 = pending(job.id)[0]!;
    check2.done = true;
    // Check 2 runs a minute short of the limit: check 3, 5 minutes later, would be past it.
    clock.advance(followLimitDays * day - 2 * minute);
    expect(await followFineTuneJob(deps(), check2.task)).toBe("ended: running (limit)");
    const stopped = await stored(job.id);
    expect(stopped).toMatchObject({
      status: "running",
      follow: {
        followed: false,
        reason: { code: "limit", message: expect.stringContaining(`${followLimitDays} days`) as unknown },
        nextCheckAt: null,
        lastCheckedAt: clock.nowIso(),
      },
    });
    expect(pending(job.id)).toEqual([]);
    expect((await getFineTuneJob(deps(), "acme", job.id)).status).toBe("succeeded");
  });

  it("ends with a reason when no provider is configured any more, or another one is", async () => {
    const job = await create("gpt-4o-mini-noprovider");
    const withoutProvider: Deps = { ...deps(), fineTuning: undefined };
    expect((await runNext(job.id)).outcome).toMatch(/^queued/);
    const check2 = pending(job.id)[0]!;
    check2.done = true;
    expect(await followFineTuneJob(withoutProvider, check2.task)).toBe("ended: no provider");
    expect((await stored(job.id)).follow).toMatchObject({
      followed: false,
      reason: { code: "no-provider", message: expect.stringContaining("OPENAI_API_KEY") as unknown },
      nextCheckAt: null,
    });
    expect(pending(job.id)).toEqual([]);

    const other = await create("gpt-4o-mini-otherprovider");
    const elsewhere: Deps = {
      ...deps(),
      fineTuning: {
        ...platform.deps.fineTuning!,
        info: { ...platform.deps.fineTuning!.info, baseURL: "https://llm.example.com/v1" },
      },
    };
    const first = pending(other.id)[0]!;
    first.done = true;
    expect(await followFineTuneJob(elsewhere, first.task)).toBe("ended: no provider");
    expect((await stored(other.id)).follow?.reason?.message).toContain("https://llm.example.com/v1");
    expect(retrievals(other)).toBe(0);
    await cancelFineTuneJob(deps(), "acme", other.id);
  });

  it("records a job whose first check could not be queued as not followed, and still creates it", async () => {
    queue.failNext = 1;
    const job = await create("gpt-4o-mini-notqueued");
    expect(job.follow).toMatchObject({
      followed: false,
      reason: {
        code: "not-queued",
        message: expect.stringContaining("Cloud Tasks is unavailable") as unknown,
      },
      nextCheckAt: null,
    });
    expect((await stored(job.id)).status).toBe("validating_files");
    expect((await getFineTuneJob(deps(), "acme", job.id)).status).toBe("queued");
    await cancelFineTuneJob(deps(), "acme", job.id);
  });
});

describe("another tenant", () => {
  it("never touches a job through a check that names its own tenant", async () => {
    const job = await create("gpt-4o-mini-tenants");
    const before = await platform.deps.store.get(tuningJobPath("acme", job.id));
    fake.reset();
    for (let check = 1; check <= 3; check++) {
      expect(await followFineTuneJob(deps(), { tenantId: "globex", jobId: job.id, check })).toBe(
        "ended: the job no longer exists",
      );
    }
    expect(fake.requests).toEqual([]);
    expect(await platform.deps.store.get(tuningJobPath("acme", job.id))).toEqual(before);
    expect(queue.queued.filter((q) => q.task.tenantId === "globex")).toEqual([]);
    await cancelFineTuneJob(deps(), "acme", job.id);
  });
});

describe("the deployed task function", () => {
  it("runs a check on the local task runner and queues the next one there", async () => {
    const job = await create("gpt-4o-mini-runner");
    await platform.deps.tasks.enqueue(followQueue, { tenantId: "acme", jobId: job.id, check: 1 });
    // A malformed task is dropped, not retried.
    await platform.deps.tasks.enqueue(followQueue, { tenantId: "acme", jobId: "../x", check: 1 });
    await platform.host.runner.idle();
    const checked = await stored(job.id);
    expect(checked).toMatchObject({
      status: "queued",
      follow: { followed: true, check: 2, lastError: null },
    });
    expect(checked.follow?.lastCheckedAt).not.toBeNull();
    const depths = await platform.deps.tasks.depths?.();
    expect(depths?.find((d) => d.queue === followQueue)).toMatchObject({ waiting: 1, running: 0 });
    await cancelFineTuneJob(deps(), "acme", job.id);
  });
});
