/**
 * Fine-tuning jobs from an export, at the OpenAI-compatible provider the platform is configured with
 * (`Deps.fineTuning`): the export's files are uploaded, a supervised job is created, its status is read back from
 * the provider by background checks (follow.ts) and whenever the job is asked for, and the model it produces is
 * registered (`tenants/{t}/tunedModels/{jobId}`) so an agent, or an experiment's variant, can name it as its model.
 *
 * Nothing is half-written: the job's record is written only once the provider accepted the job. If the upload or
 * the creation fails, the files already uploaded are deleted again; if the record cannot be written, the job is
 * cancelled and its files deleted. A status read that fails changes nothing. With the built-in local models there
 * is no provider, and creating or cancelling a job says which settings it needs.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { AppError, toAppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { log } from "../platform/log.js";
import type { FineTuning, FineTuningJobState } from "../platform/ports.js";
import { validate } from "../platform/validation.js";
import { getTuningExport, readTuningExportFile } from "./export.js";
import {
  finishedJobStatuses,
  hyperparametersSchema,
  tuningJobPath,
  tuningJobSchema,
  tuningJobsPath,
  type TuningJob,
  type TuningJobFollow,
  type TuningJobView,
} from "./schema.js";
import {
  nextCheck,
  queueCheck,
  stopReasons,
  stoppedFollowing,
  type FollowTask,
  type NextCheck,
} from "./follow.js";
import { tunedModelPath, type TunedModel } from "../prompts/tuned-models.js";
import { minTrainingExamples } from "./validate-jsonl.js";

export const noProviderMessage =
  "Fine-tuning needs an OpenAI-compatible provider: set OPENAI_API_KEY (and OPENAI_BASE_URL for a provider other " +
  "than OpenAI) and restart. The built-in local models cannot be fine-tuned; exports work without a provider.";

export const createJobInput = z
  .object({
    exportId: z.string().regex(idPattern, "must be an export id"),
    /** The provider's name of the model to fine-tune, e.g. gpt-4o-mini-2024-07-18. */
    baseModel: z
      .string()
      .trim()
      .min(1, "baseModel must name the model to fine-tune")
      .max(200, "baseModel is at most 200 characters")
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, "baseModel must be a model name (letters, digits, . _ : / -)"),
    /** Added to the tuned model's name (OpenAI allows up to 64 characters; this platform 40). */
    suffix: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,40}$/, "suffix is 1-40 letters, digits or dashes")
      .optional(),
    hyperparameters: hyperparametersSchema.strict().optional(),
  })
  .strict();
export type CreateJobInput = z.input<typeof createJobInput>;

function requireFineTuning(deps: Deps): FineTuning {
  if (!deps.fineTuning) throw new AppError("failed-precondition", noProviderMessage);
  return deps.fineTuning;
}

/** Finished, and its model registered if it made one: nothing the provider says can change it any more. */
const settled = (job: TuningJob): boolean =>
  finishedJobStatuses.has(job.status) && !(job.status === "succeeded" && job.tunedModelId === null);

/** What the provider says settles the job once recorded (a success that names no model does not). */
const settles = (state: FineTuningJobState): boolean =>
  finishedJobStatuses.has(state.status) && !(state.status === "succeeded" && state.fineTunedModel === null);

async function getJobRecord(deps: Deps, tenantId: string, jobId: string): Promise<TuningJobView> {
  const snap = await deps.store.get(tuningJobPath(tenantId, jobId));
  if (!snap) throw new AppError("not-found", `Fine-tuning job ${jobId} not found`);
  return { id: snap.id, ...tuningJobSchema.parse(snap.data) };
}

/** Best effort: a clean-up that fails is logged, and the original error is what the caller sees. */
async function quietly(what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    log.error(`tuning: could not ${what}`, { err: e });
  }
}

/** Uploads an export's files and creates a fine-tuning job on them. */
export async function createFineTuneJob(
  deps: Deps,
  tenantId: string,
  input: CreateJobInput,
  by: string,
): Promise<TuningJobView> {
  const q = validate(createJobInput, input, "request body");
  // Another tenant's export is not found before anything else is said.
  const exported = await getTuningExport(deps, tenantId, q.exportId);
  const provider = requireFineTuning(deps);
  const report = exported.validation.train;
  if (!report.valid) {
    const first = report.errors[0];
    throw new AppError(
      "failed-precondition",
      `Export ${q.exportId}'s training file did not pass validation` +
        (first ? ` (line ${first.line}: ${first.message})` : "") +
        "; export again.",
    );
  }
  if (exported.counts.train < minTrainingExamples) {
    throw new AppError(
      "failed-precondition",
      `Export ${q.exportId} has ${exported.counts.train} training example(s); a fine-tuning job needs at least ${minTrainingExamples}. Rate or correct more answers and export again.`,
    );
  }
  // A retried or doubled request must not start (and bill) a second identical training.
  const running = (
    await deps.store.query({
      collection: tuningJobsPath(tenantId),
      where: [{ field: "exportId", op: "==", value: q.exportId }],
      limit: 100,
    })
  )
    .map((s) => ({ id: s.id, ...tuningJobSchema.parse(s.data) }))
    .find((j) => j.baseModel === q.baseModel && !finishedJobStatuses.has(j.status));
  if (running) {
    throw new AppError(
      "already-exists",
      `Job ${running.id} is already fine-tuning ${q.baseModel} on export ${q.exportId} (${running.status}); wait for it or cancel it first`,
      { jobId: running.id },
    );
  }
  const train = await readTuningExportFile(deps, tenantId, q.exportId, "train");
  const validation =
    exported.counts.validation > 0
      ? await readTuningExportFile(deps, tenantId, q.exportId, "validation")
      : null;

  const id = deps.ids.newId();
  const uploaded: string[] = [];
  let job: FineTuningJobState;
  try {
    const trainingFileId = (await provider.uploadFile(`${q.exportId}-train.jsonl`, train.data)).id;
    uploaded.push(trainingFileId);
    const validationFileId = validation
      ? (await provider.uploadFile(`${q.exportId}-validation.jsonl`, validation.data)).id
      : undefined;
    if (validationFileId) uploaded.push(validationFileId);
    job = await provider.createJob({
      baseModel: q.baseModel,
      trainingFileId,
      ...(validationFileId ? { validationFileId } : {}),
      ...(q.hyperparameters ? { hyperparameters: q.hyperparameters } : {}),
      ...(q.suffix ? { suffix: q.suffix } : {}),
      idempotencyKey: `alchemist-tuning-job-${id}`,
    });
  } catch (e) {
    // The provider keeps no files of a job that was never created.
    await Promise.all(uploaded.map((f) => quietly("delete an uploaded file", () => provider.deleteFile(f))));
    throw e;
  }

  const now = deps.clock.nowIso();
  // The first check is queued before the record is written: if the record then fails, the check finds no job
  // and ends; the other order could leave a job that says it is followed with no check queued.
  const first = nextCheck(now, 1, deps.clock.now());
  let follow: TuningJobFollow = {
    followed: true,
    reason: null,
    check: 1,
    lastCheckedAt: null,
    nextCheckAt: first.at,
    lastError: null,
    since: now,
  };
  if (!settles(job)) {
    try {
      await queueCheck(deps, tenantId, id, first);
    } catch (e) {
      // The job is made and recorded all the same: reading it asks the provider, as before jobs were followed.
      log.error("tuning: could not queue a fine-tuning job's first check", { err: e, tenantId, jobId: id });
      follow = stoppedFollowing(follow, "not-queued", `${stopReasons.notQueued} (${toAppError(e).message})`);
    }
  }
  const record: TuningJob = {
    exportId: q.exportId,
    agentId: exported.agentId,
    baseModel: q.baseModel,
    suffix: q.suffix ?? null,
    hyperparameters: q.hyperparameters ?? {},
    provider: {
      baseURL: provider.info.baseURL,
      jobId: job.id,
      trainingFileId: uploaded[0] as string,
      validationFileId: uploaded[1] ?? null,
    },
    status: job.status,
    fineTunedModel: job.fineTunedModel,
    trainedTokens: job.trainedTokens,
    error: job.error,
    tunedModelId: null,
    createdBy: by,
    createdAt: now,
    updatedAt: now,
    checkedAt: now,
    finishedAt: job.finishedAt,
    follow,
  };
  try {
    await deps.store.create(tuningJobPath(tenantId, id), record);
  } catch (e) {
    // A job nobody can see would train (and bill) for nothing.
    await quietly("cancel a job whose record was not written", () => provider.cancelJob(job.id));
    await Promise.all(uploaded.map((f) => quietly("delete an uploaded file", () => provider.deleteFile(f))));
    throw e;
  }
  log.info("tuning: fine-tuning job created", {
    tenantId,
    jobId: id,
    providerJobId: job.id,
    exportId: q.exportId,
  });
  // A job the provider finished at once (a small file on a fast server) registers its model now.
  return finishedJobStatuses.has(job.status) ? applyState(deps, tenantId, id, job) : { id, ...record };
}

/**
 * Records what the provider says about a job, in one transaction with the tuned model's registration when it
 * succeeded. A job already finished is left as it is (a late read cannot move it back). Whoever read the state
 * (a request or a background check), a job it settles is no longer followed; a background check also says, in
 * `followUp`, what it did and what comes next.
 */
async function applyState(
  deps: Deps,
  tenantId: string,
  jobId: string,
  state: FineTuningJobState,
  followUp?: (follow: TuningJobFollow) => TuningJobFollow,
): Promise<TuningJobView> {
  const path = tuningJobPath(tenantId, jobId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Fine-tuning job ${jobId} not found`);
    const current = tuningJobSchema.parse(snap.data);
    if (settled(current)) return { id: jobId, ...current };
    const modelPath = tunedModelPath(tenantId, jobId);
    const registered = state.status === "succeeded" && state.fineTunedModel ? await tx.get(modelPath) : null;
    const now = deps.clock.nowIso();
    const next: TuningJob = {
      ...current,
      status: state.status,
      fineTunedModel: state.fineTunedModel,
      trainedTokens: state.trainedTokens,
      error: state.error,
      finishedAt: state.finishedAt ?? (finishedJobStatuses.has(state.status) ? now : null),
      checkedAt: now,
      updatedAt: current.status === state.status ? current.updatedAt : now,
    };
    if (state.status === "succeeded" && state.fineTunedModel) {
      if (!registered) {
        const model: TunedModel = {
          name: state.fineTunedModel,
          baseModel: current.baseModel,
          jobId,
          exportId: current.exportId,
          agentId: current.agentId,
          createdAt: now,
        };
        tx.create(modelPath, model);
      }
      next.tunedModelId = jobId;
    }
    if (next.follow) {
      next.follow = settled(next)
        ? stoppedFollowing(followUp ? followUp(next.follow) : next.follow, "finished", stopReasons.finished)
        : followUp
          ? followUp(next.follow)
          : next.follow;
    }
    tx.set(path, next);
    return { id: jobId, ...next };
  });
}

/** A job as last recorded, after reading its current status from the provider while it is unfinished. */
export async function getFineTuneJob(deps: Deps, tenantId: string, jobId: string): Promise<TuningJobView> {
  const record = await getJobRecord(deps, tenantId, jobId);
  if (settled(record)) return record;
  // Without a provider (the configuration changed since), the last known status is all there is.
  if (!deps.fineTuning) return record;
  const state = await deps.fineTuning.getJob(record.provider.jobId);
  return applyState(deps, tenantId, jobId, state);
}

export async function cancelFineTuneJob(deps: Deps, tenantId: string, jobId: string): Promise<TuningJobView> {
  const record = await getJobRecord(deps, tenantId, jobId);
  if (finishedJobStatuses.has(record.status)) {
    throw new AppError(
      "failed-precondition",
      `Fine-tuning job ${jobId} has already ${record.status}: nothing to cancel`,
    );
  }
  const provider = requireFineTuning(deps);
  const state = await provider.cancelJob(record.provider.jobId);
  return applyState(deps, tenantId, jobId, state);
}

/** The tenant's jobs, newest first, as last recorded (each is refreshed when read on its own). */
export async function listFineTuneJobs(deps: Deps, tenantId: string, limit = 50): Promise<TuningJobView[]> {
  const snaps = await deps.store.query({
    collection: tuningJobsPath(tenantId),
    orderBy: [{ field: "createdAt", direction: "desc" }],
    limit,
  });
  return snaps.map((s) => ({ id: s.id, ...tuningJobSchema.parse(s.data) }));
}

/**
 * Changes how a job is followed, unless a later check already did (`task.check` behind the record's: a task run
 * twice, or overtaken). Answers whether it changed anything.
 */
async function updateFollow(
  deps: Deps,
  task: FollowTask,
  change: (follow: TuningJobFollow) => TuningJobFollow,
): Promise<boolean> {
  const path = tuningJobPath(task.tenantId, task.jobId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return false;
    const follow = tuningJobSchema.parse(snap.data).follow;
    if (!follow?.followed || task.check < follow.check) return false;
    tx.update(path, { follow: change(follow) });
    return true;
  });
}

/** What a check records when it is done: the next check, or why there is none (past the follow limit). */
function afterCheck(
  task: FollowTask,
  next: NextCheck,
  checkedAt: string,
  lastError: string | null,
): (follow: TuningJobFollow) => TuningJobFollow {
  return (follow) => {
    if (task.check < follow.check || !follow.followed) return follow;
    const checked = { ...follow, lastCheckedAt: checkedAt, lastError };
    return next.pastLimit
      ? stoppedFollowing(checked, "limit", stopReasons.limit)
      : { ...checked, check: next.check, nextCheckAt: next.at };
  };
}

/**
 * One background check of a job (the `tuning-followJob` task): reads its status from the provider as a request
 * for the job does, records it (registering its model once when it succeeded), and queues the next check; a
 * provider that cannot answer is recorded and asked again at the next check. The chain ends quietly for a job
 * deleted, finished or no longer followed, and with a recorded reason when the provider is no longer configured
 * or the follow limit is reached. Errors of the store are thrown, for the queue to retry the task.
 *
 * The next check is queued before this one is recorded, so a crash between the two is retried to the same end
 * (the queue drops the second copy of the next check); a task behind the record's check number does nothing.
 */
export async function followFineTuneJob(deps: Deps, task: FollowTask): Promise<string> {
  const { tenantId, jobId } = task;
  const snap = await deps.store.get(tuningJobPath(tenantId, jobId));
  if (!snap) return "ended: the job no longer exists";
  const record = tuningJobSchema.parse(snap.data);
  const follow = record.follow;
  if (!follow?.followed) return "ended: the job is not followed";
  if (task.check < follow.check) return `ended: check ${task.check} was already done`;
  if (settled(record)) {
    await updateFollow(deps, task, (f) => stoppedFollowing(f, "finished", stopReasons.finished));
    return `ended: the job has ${record.status}`;
  }
  const provider = deps.fineTuning;
  if (!provider || provider.info.baseURL !== record.provider.baseURL) {
    const message = provider
      ? `The job was created at ${record.provider.baseURL}; the provider now configured is ${provider.info.baseURL}, which does not know it. Its last known status is shown.`
      : stopReasons.noProvider;
    await updateFollow(deps, task, (f) => stoppedFollowing(f, "no-provider", message));
    return "ended: no provider";
  }
  const now = deps.clock.now();
  const next = nextCheck(follow.since, task.check + 1, now);
  let state: FineTuningJobState;
  try {
    state = await provider.getJob(record.provider.jobId);
  } catch (e) {
    const error = toAppError(e);
    if (!next.pastLimit) await queueCheck(deps, tenantId, jobId, next);
    await updateFollow(deps, task, afterCheck(task, next, now.toISOString(), error.message));
    log.warn("tuning: a fine-tuning job's provider did not answer its check", {
      tenantId,
      jobId,
      check: task.check,
      err: error,
    });
    return next.pastLimit
      ? `ended: the provider did not answer (${error.code}) and the follow limit is reached`
      : `the provider did not answer (${error.code}); check ${next.check} at ${next.at}`;
  }
  if (!settles(state) && !next.pastLimit) await queueCheck(deps, tenantId, jobId, next);
  const view = await applyState(
    deps,
    tenantId,
    jobId,
    state,
    afterCheck(task, next, now.toISOString(), null),
  );
  if (view.follow?.followed) return `${view.status}; check ${next.check} at ${next.at}`;
  return `ended: ${view.status} (${view.follow?.reason?.code ?? "not followed"})`;
}
