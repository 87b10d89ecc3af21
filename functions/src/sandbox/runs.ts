/**
 * Eval runs: a dataset run against an agent version or the draft, on a task queue, item by item.
 *
 * Starting a run checks the dataset and the target and queues it. Its task (`sandbox-runEval`, functions.ts)
 * first copies the dataset's items into pending results keyed by item id (so later edits never change a
 * run, and the run records the revision it ran), then works through them a few at a time, each as a
 * Sandbox conversation (every message of a script sent, the last answer scored; Sandbox turns are billed as
 * sandbox usage and left out of analytics). A task works for `taskBudgetMs`, then queues the next one.
 *
 * One task at a time holds a run's lease; each result is written in a transaction that checks the lease and
 * that the result is still pending, so an item is recorded once however tasks are retried or duplicated. A
 * task that crashes leaves its items pending: its retry (once the lease runs out) runs them again. A
 * cancelled run starts nothing more (the items in flight finish and count); a run fails, saying why, when
 * its target cannot answer (archived, paused, the version gone, no credits) or every item's turn failed.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { getTrace } from "../accountability/traces.js";
import { assertAnswering, draftSnapshot, getAgent, resolveConfig, type AgentView } from "../agents/agents.js";
import type { AgentConfig } from "../agents/schema.js";
import { startConversation } from "../agents/conversations.js";
import { sendMessage } from "../agents/turn.js";
import { catalogAt, costOf } from "../billing/catalog.js";
import { meterModelCall, usageEventPath, usageEventSchema } from "../billing/usage.js";
import { knowledgeFingerprint } from "../knowledge/knowledge-bases.js";
import type { Deps } from "../platform/deps.js";
import { AppError, toAppError, type ErrorCode } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { log } from "../platform/log.js";
import { everyMatch, pageOfRecords, recordPageQuery } from "../platform/paging.js";
import type { DocSnapshot, Filter } from "../platform/ports.js";
import { Slots } from "../platform/slots.js";
import { idSchema, validate } from "../platform/validation.js";
import { getDataset, itemsForRun } from "./datasets.js";
import { hasGenerativeModel, judgeAnswer } from "./judge.js";
import {
  activeStatuses,
  evalLimits,
  resultPath,
  resultSchema,
  resultsPath,
  runPath,
  runSchema,
  runsPath,
  runTargetSchema,
  scriptOf,
  type ItemContent,
  type Result,
  type Run,
  type RunTarget,
} from "./schema.js";
import {
  citationSupport,
  diffItems,
  scoreDeltas,
  scoreItem,
  scoreRun,
  type ComparedSide,
  type ItemChange,
  type ItemOutcome,
  type ScoredItem,
} from "./scoring.js";

/** The queue of run tasks: the `sandbox-runEval` task function. */
export const evalQueue = "sandbox-runEval";
export const evalRetry = { maxAttempts: 10, minBackoffSeconds: 5, maxBackoffSeconds: 120 } as const;

/** How long one task works on a run before it queues the next (well inside the function's 540 s). */
export const taskBudgetMs = 240_000;
/** A lease outlives the budget by the longest a turn may take: a live task never loses it. */
const leaseMs = taskBudgetMs + 180_000;
/** Items run at once by one task. */
const itemConcurrency = 4;
/**
 * Items of every run this process works on, at once. In local mode one process also serves the API to every
 * workspace: however many runs are going (five per workspace), their turns take these slots in turn, so the
 * platform stays responsive (the hostile suite floods it with runs). A Cloud Functions instance of
 * `sandbox-runEval` serves no API, and gets the same bound per instance.
 */
const itemSlots = new Slots(itemConcurrency);
/** Results copied (and read) per batch. */
const batchSize = 450;
/** Turn failures that stop the whole run: the target cannot answer at all (no retry would help). */
const fatalCodes: ReadonlySet<ErrorCode> = new Set([
  "not-found",
  "failed-precondition",
  "payment-required",
  "permission-denied",
]);

export const runTaskSchema = z.object({
  tenantId: z.string().regex(idPattern),
  runId: z.string().regex(idPattern),
});
export type RunTask = z.infer<typeof runTaskSchema>;

export const startRunInput = z
  .object({
    datasetId: idSchema,
    target: runTargetSchema,
    /**
     * Makes a retried start safe: a second start with the same key answers the first run (the same dataset
     * and target), or is refused when it names another.
     */
    idempotencyKey: z
      .string()
      .regex(/^[\w.:-]{1,100}$/, "must be 1-100 letters, digits, '_', '-', '.' or ':'")
      .optional(),
  })
  .strict();
export type StartRunInput = z.input<typeof startRunInput>;

export type RunView = Omit<Run, "lease" | "reuseKey" | "idempotencyKey" | "prepared" | "draft"> & {
  readonly id: string;
};

export const runView = (id: string, run: Run): RunView => {
  // The draft's snapshot stays internal: a run's view says which draft it was by `draftOf`.
  const {
    lease: _lease,
    reuseKey: _reuse,
    idempotencyKey: _key,
    prepared: _prepared,
    draft: _draft,
    ...rest
  } = run;
  return { id, ...rest };
};

const versionLabel = (version: RunTarget["version"]): string =>
  version === "draft" ? "the draft" : `version ${version}`;

/** Runs of the same items against the same configuration share this key (see `Run.reuseKey`). */
export function reuseKeyOf(
  datasetId: string,
  revision: number,
  target: RunTarget,
  basis: {
    readonly draftOf: string | null;
    readonly knowledge: string | null;
    readonly draft?: AgentConfig | null;
  },
): string {
  // A draft that follows a prompt label is another draft once the label moves (its snapshot pins the version).
  const prompt = basis.draft?.prompt?.version ? `+p${basis.draft.prompt.version}` : "";
  const version = target.version === "draft" ? `draft@${basis.draftOf ?? ""}${prompt}` : `v${target.version}`;
  return `${datasetId}|r${revision}|${target.agentId}|${version}|k${basis.knowledge ?? ""}`;
}

/** What a run of a target answers with, fixed when it starts. */
export interface RunBasis {
  /** The draft's `updatedAt` (runs of the draft). */
  readonly draftOf: string | null;
  /** The draft's configuration then (runs of the draft). */
  readonly draft: AgentConfig | null;
  /** The fingerprint of the knowledge bases the target searches. */
  readonly knowledge: string;
}

/**
 * The basis of a run of `version` of `agent` now: for the draft, its snapshot; for any target, the fingerprint
 * of the knowledge its configuration searches. Throws what resolving the configuration throws (a version
 * that does not exist, a prompt that no longer renders).
 */
export async function runBasis(
  deps: Deps,
  tenantId: string,
  agent: AgentView,
  version: RunTarget["version"],
): Promise<RunBasis> {
  const draft = version === "draft" ? await draftSnapshot(deps, tenantId, agent) : null;
  const { config } = await resolveConfig(deps, tenantId, agent, version, {
    endUserKey: "",
    experiments: false,
    ...(draft ? { draft } : {}),
  });
  return {
    draftOf: version === "draft" ? agent.updatedAt : null,
    draft,
    knowledge: await knowledgeFingerprint(deps, tenantId, config.knowledgeBaseIds),
  };
}

async function readRun(deps: Deps, tenantId: string, runId: string): Promise<Run> {
  const snap = await deps.store.get(runPath(tenantId, runId));
  if (!snap) throw new AppError("not-found", `Run ${runId} not found`);
  return runSchema.parse(snap.data);
}

export async function getRun(deps: Deps, tenantId: string, runId: string): Promise<RunView> {
  return runView(runId, await readRun(deps, tenantId, runId));
}

/**
 * Starts a run of `input.datasetId` against `input.target` and queues it. Refused before anything is
 * stored: another tenant's dataset or agent (404), an empty dataset, a target that cannot answer, a run of
 * the same items against the same target already queued or running (409, naming it), or too many runs at
 * once. A start repeated with the same `idempotencyKey` answers the run it started (`replayed: true`).
 */
export async function startRun(
  deps: Deps,
  tenantId: string,
  input: StartRunInput,
  actor: string,
  origin: Run["origin"] = "api",
): Promise<{ run: RunView; replayed: boolean }> {
  const { datasetId, target, idempotencyKey } = validate(startRunInput, input, "request body");
  const runId = idempotencyKey
    ? `k${createHash("sha256").update(`${tenantId}\n${idempotencyKey}`).digest("hex").slice(0, 40)}`
    : deps.ids.newId();
  if (idempotencyKey) {
    const earlier = await deps.store.get(runPath(tenantId, runId));
    if (earlier)
      return { run: replayOf(runId, runSchema.parse(earlier.data), datasetId, target), replayed: true };
  }
  const dataset = await getDataset(deps, tenantId, datasetId);
  if (dataset.itemCount === 0) {
    throw new AppError("failed-precondition", `Dataset ${datasetId} has no items to run; add or upload some`);
  }
  const agent = await getAgent(deps, tenantId, target.agentId);
  assertAnswering(agent, target.version);
  const basis = await runBasis(deps, tenantId, agent, target.version);
  const reuseKey = reuseKeyOf(datasetId, dataset.revision, target, basis);

  const same = await deps.store.query({
    collection: runsPath(tenantId),
    where: [{ field: "reuseKey", op: "==", value: reuseKey }],
    limit: 50,
  });
  const running = same.find((s) => activeStatuses.includes(runSchema.parse(s.data).status));
  if (running) {
    throw new AppError(
      "already-exists",
      `Run ${running.id} of dataset ${datasetId} (this revision) against ${versionLabel(target.version)} of agent ` +
        `${target.agentId} is already queued or running: wait for it, or cancel it first`,
      { runId: running.id },
    );
  }
  const active = await deps.store.count({
    collection: runsPath(tenantId),
    where: [{ field: "status", op: "in", value: [...activeStatuses] }],
  });
  if (active >= evalLimits.activeRuns) {
    throw new AppError(
      "resource-exhausted",
      `${active} eval runs are already queued or running in this workspace (at most ${evalLimits.activeRuns}); ` +
        "wait for one to finish or cancel one",
    );
  }
  const now = deps.clock.nowIso();
  const run: Run = {
    datasetId,
    datasetName: dataset.name,
    datasetRevision: null,
    target,
    draftOf: basis.draftOf,
    draft: basis.draft,
    knowledge: basis.knowledge,
    status: "queued",
    progress: { done: 0, total: dataset.itemCount, errors: 0 },
    scores: null,
    error: null,
    origin,
    idempotencyKey: idempotencyKey ?? null,
    reuseKey,
    lease: null,
    prepared: false,
    createdBy: actor,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
    updatedAt: now,
    cancelledBy: null,
  };
  try {
    await deps.store.create(runPath(tenantId, runId), run);
  } catch (e) {
    // The same key, started twice at once: the other request created it.
    if (idempotencyKey && toAppError(e).code === "already-exists") {
      return {
        run: replayOf(runId, await readRun(deps, tenantId, runId), datasetId, target),
        replayed: true,
      };
    }
    throw e;
  }
  try {
    await deps.tasks.enqueue(evalQueue, { tenantId, runId } satisfies RunTask, { id: `eval-${runId}-start` });
  } catch (e) {
    const error = toAppError(e);
    await finish(deps, tenantId, runId, "failed", {
      code: error.code,
      message: `The run could not be queued: ${error.message}`,
    });
    throw error;
  }
  return { run: runView(runId, run), replayed: false };
}

/** The run an idempotency key started, when the repeated request names the same dataset and target. */
function replayOf(runId: string, run: Run, datasetId: string, target: RunTarget): RunView {
  if (run.datasetId !== datasetId || JSON.stringify(run.target) !== JSON.stringify(target)) {
    throw new AppError(
      "already-exists",
      `This idempotency key already started run ${runId} (dataset ${run.datasetId}, agent ${run.target.agentId}, ` +
        `${versionLabel(run.target.version)}); use a new key for another run`,
      { runId },
    );
  }
  return runView(runId, run);
}

/** Cancels a queued or running run: nothing more starts; what is done stays, and is scored. */
export async function cancelRun(
  deps: Deps,
  tenantId: string,
  runId: string,
  actor: string,
): Promise<RunView> {
  const path = runPath(tenantId, runId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Run ${runId} not found`);
    const run = runSchema.parse(snap.data);
    if (run.status === "cancelled") return runView(runId, run);
    if (!activeStatuses.includes(run.status)) {
      throw new AppError(
        "failed-precondition",
        `Run ${runId} is already ${run.status}; there is nothing to cancel`,
      );
    }
    const now = deps.clock.nowIso();
    const patch = {
      status: "cancelled" as const,
      cancelledBy: actor,
      error: { code: "cancelled", message: `Cancelled by ${actor}` },
      updatedAt: now,
    };
    tx.update(path, patch);
    return runView(runId, { ...run, ...patch });
  });
}

/** `cursor` is the `nextCursor` of the previous page. */
export const runListQuery = recordPageQuery
  .extend({ datasetId: idSchema.optional(), agentId: idSchema.optional() })
  .strict();

/**
 * A workspace's runs, newest first, of one dataset or one agent when asked (composite indexes datasetId +
 * createdAt and target.agentId + createdAt in firestore.indexes.json).
 */
export async function listRuns(
  deps: Deps,
  tenantId: string,
  query: Record<string, string | undefined> = {},
): Promise<{ runs: RunView[]; nextCursor: string | null }> {
  const parsed = validate(runListQuery, query, "query parameter");
  if (parsed.datasetId && parsed.agentId) {
    throw new AppError(
      "invalid-argument",
      "Invalid query parameter: filter by datasetId or by agentId, not both",
    );
  }
  const where: Filter[] = [];
  if (parsed.datasetId) where.push({ field: "datasetId", op: "==", value: parsed.datasetId });
  if (parsed.agentId) where.push({ field: "target.agentId", op: "==", value: parsed.agentId });
  const { items, nextCursor } = await pageOfRecords(
    deps.store,
    runsPath(tenantId),
    where,
    { limit: parsed.limit, cursor: parsed.cursor },
    (s) => runView(s.id, runSchema.parse(s.data)),
  );
  return { runs: items, nextCursor };
}

export type ResultView = Result & { readonly itemId: string };

export const resultPageQuery = z
  .object({
    limit: z.coerce
      .number({ error: "must be a whole number from 1 to 500" })
      .int("must be a whole number from 1 to 500")
      .min(1, "must be a whole number from 1 to 500")
      .max(500, "must be a whole number from 1 to 500")
      .default(100),
    cursor: z.coerce
      .number({ error: "must be the nextCursor of a previous page" })
      .int("must be the nextCursor of a previous page")
      .min(0, "must be the nextCursor of a previous page")
      .optional(),
  })
  .strict();

/** A page of a run's results, in the dataset's order (pending ones too, while it runs). */
export async function listResults(
  deps: Deps,
  tenantId: string,
  runId: string,
  query: Record<string, string | undefined> = {},
): Promise<{ results: ResultView[]; nextCursor: string | null }> {
  const { limit, cursor } = validate(resultPageQuery, query, "query parameter");
  await readRun(deps, tenantId, runId);
  const snaps = await deps.store.query({
    collection: resultsPath(tenantId, runId),
    ...(cursor !== undefined ? { where: [{ field: "seq", op: ">", value: cursor }] } : {}),
    orderBy: [{ field: "seq" }],
    limit: limit + 1,
  });
  const page = snaps.slice(0, limit).map((s) => ({ itemId: s.id, ...resultSchema.parse(s.data) }));
  return { results: page, nextCursor: snaps.length > limit ? String(page.at(-1)?.seq ?? "") : null };
}

async function allResults(deps: Deps, tenantId: string, runId: string): Promise<ResultView[]> {
  const results: ResultView[] = [];
  for await (const snap of everyMatch(
    deps.store,
    { collection: resultsPath(tenantId, runId), orderBy: [{ field: "seq" }] },
    batchSize,
  )) {
    results.push({ itemId: snap.id, ...resultSchema.parse(snap.data) });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------
// Comparing runs
// ---------------------------------------------------------------------------------------------------

export const compareQuery = z
  .object({
    /** Only these changes (comma-separated: worse, better, same, only-base, only-other). */
    changes: z
      .string()
      .transform((s) => s.split(",").map((c) => c.trim()))
      .pipe(z.array(z.enum(["better", "worse", "same", "only-base", "only-other"])))
      .optional(),
    limit: z.coerce
      .number({ error: "must be a whole number from 1 to 2000" })
      .int("must be a whole number from 1 to 2000")
      .min(1, "must be a whole number from 1 to 2000")
      .max(2000, "must be a whole number from 1 to 2000")
      .default(200),
  })
  .strict();

/** Answers shown in a comparison are cut to this; the full ones are in each run's results. */
const comparedAnswerChars = 1000;
const changeOrder: Record<ItemChange, number> = {
  worse: 0,
  better: 1,
  "only-base": 2,
  "only-other": 3,
  same: 4,
};

export interface RunComparison {
  readonly base: RunView;
  readonly other: RunView;
  /** `other` − `base` for each figure. */
  readonly deltas: ReturnType<typeof scoreDeltas>;
  readonly counts: Record<ItemChange, number>;
  /** Worse first, then better, then the rest; at most `limit` (the counts cover every item). */
  readonly items: {
    readonly itemId: string;
    readonly question: string;
    readonly change: ItemChange;
    readonly base: ComparedSide | null;
    readonly other: ComparedSide | null;
  }[];
}

const sideOf = (r: ResultView): ComparedSide => ({
  correct: r.score?.correct ?? false,
  answer: r.answer === null ? null : r.answer.slice(0, comparedAnswerChars),
  abstained: r.abstained,
  traceId: r.traceId,
  reason: r.score?.reason ?? "",
});

/**
 * Two finished runs side by side, item by item (`diffItems`: better, worse, same) with the figures'
 * deltas. Both must have scores (completed, or cancelled after some items).
 */
export async function compareRuns(
  deps: Deps,
  tenantId: string,
  baseId: string,
  otherId: string,
  query: Record<string, string | undefined> = {},
): Promise<RunComparison> {
  const { changes, limit } = validate(compareQuery, query, "query parameter");
  const [base, other] = await Promise.all([
    readRun(deps, tenantId, baseId),
    readRun(deps, tenantId, otherId),
  ]);
  for (const [id, run] of [
    [baseId, base],
    [otherId, other],
  ] as const) {
    if (!run.scores) {
      throw new AppError(
        "failed-precondition",
        `Run ${id} is ${run.status} and has no scores yet; compare it once it has finished`,
      );
    }
  }
  const [a, b] = await Promise.all([allResults(deps, tenantId, baseId), allResults(deps, tenantId, otherId)]);
  const done = (rs: ResultView[]) => new Map(rs.filter((r) => r.status === "done").map((r) => [r.itemId, r]));
  const baseDone = done(a);
  const otherDone = done(b);
  const diff = diffItems(
    new Map([...baseDone].map(([id, r]) => [id, sideOf(r)])),
    new Map([...otherDone].map(([id, r]) => [id, sideOf(r)])),
  );
  const counts: Record<ItemChange, number> = {
    better: 0,
    worse: 0,
    same: 0,
    "only-base": 0,
    "only-other": 0,
  };
  for (const d of diff) counts[d.change] += 1;
  const questionOf = (id: string): string => {
    const item = (baseDone.get(id) ?? otherDone.get(id))?.item;
    return item ? (scriptOf(item).at(-1) ?? "") : "";
  };
  const items = diff
    .filter((d) => !changes || changes.includes(d.change))
    .sort((x, y) => changeOrder[x.change] - changeOrder[y.change])
    .slice(0, limit)
    .map((d) => ({ ...d, question: questionOf(d.itemId) }));
  return {
    base: runView(baseId, base),
    other: runView(otherId, other),
    deltas: scoreDeltas(
      base.scores as NonNullable<Run["scores"]>,
      other.scores as NonNullable<Run["scores"]>,
    ),
    counts,
    items,
  };
}

// ---------------------------------------------------------------------------------------------------
// The task
// ---------------------------------------------------------------------------------------------------

/** A turn failure that ends the whole run. */
class RunStopped extends Error {
  constructor(readonly error: { code: string; message: string }) {
    super(error.message);
  }
}
/** Another task took the run over (this one's lease ran out): this one stops without writing. */
class LeaseLost extends Error {}

/**
 * One task's work on a run (see the module comment): returns what it did, for the log. `attempt` is the
 * queue's retry count and how many attempts it allows: an unexpected error on the last one fails the run.
 */
export async function runEvalTask(
  deps: Deps,
  task: RunTask,
  attempt: { retryCount: number; maxAttempts: number } = {
    retryCount: 0,
    maxAttempts: evalRetry.maxAttempts,
  },
): Promise<string> {
  const { tenantId, runId } = task;
  const holder = deps.ids.newId();
  let run: Run | null;
  try {
    run = await takeLease(deps, tenantId, runId, holder);
  } catch (e) {
    // Another task holds the run: it carries on; this one is retried later (it may find the run done).
    if (attempt.retryCount + 1 >= attempt.maxAttempts) return "left to the task holding the run";
    throw e;
  }
  if (!run) return "nothing to do";
  try {
    return await work(deps, tenantId, runId, holder, run);
  } catch (e) {
    if (e instanceof LeaseLost) return "lease lost to another task";
    if (e instanceof RunStopped) {
      await finish(deps, tenantId, runId, "failed", e.error);
      return `failed: ${e.error.message}`;
    }
    const error = toAppError(e);
    log.error("eval run task failed", { err: e, tenantId, runId, attempt: attempt.retryCount });
    if (attempt.retryCount + 1 >= attempt.maxAttempts) {
      await finish(deps, tenantId, runId, "failed", {
        code: error.code,
        message: `The run stopped after ${attempt.maxAttempts} attempts: ${error.message}`,
      });
      return "failed for good";
    }
    await releaseLease(deps, tenantId, runId, holder);
    throw e;
  }
}

/** Takes the run's lease; null when the run is gone or finished. Throws while another task holds it. */
async function takeLease(deps: Deps, tenantId: string, runId: string, holder: string): Promise<Run | null> {
  const path = runPath(tenantId, runId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return null;
    const run = runSchema.parse(snap.data);
    if (run.status === "completed" || run.status === "failed") return null;
    // A cancelled run is finished once its done items were scored.
    if (run.status === "cancelled" && run.finishedAt !== null) return null;
    const now = deps.clock.now();
    if (run.lease && run.lease.holder !== holder && Date.parse(run.lease.until) > now.getTime()) {
      throw new AppError("unavailable", `Run ${runId} is being worked on by another task`);
    }
    const lease = { holder, until: new Date(now.getTime() + leaseMs).toISOString() };
    const patch: Partial<Run> = {
      lease,
      updatedAt: now.toISOString(),
      ...(run.status === "queued" ? { status: "running" as const, startedAt: now.toISOString() } : {}),
    };
    tx.update(path, patch);
    return { ...run, ...patch };
  });
}

async function releaseLease(deps: Deps, tenantId: string, runId: string, holder: string): Promise<void> {
  const path = runPath(tenantId, runId);
  await deps.store
    .runTransaction(async (tx) => {
      const snap = await tx.get(path);
      if (!snap) return;
      const run = runSchema.parse(snap.data);
      if (run.lease?.holder === holder) tx.update(path, { lease: null });
    })
    .catch((e: unknown) => log.warn("could not release an eval run's lease", { err: e, runId }));
}

async function work(
  deps: Deps,
  tenantId: string,
  runId: string,
  holder: string,
  start: Run,
): Promise<string> {
  const started = performance.now();
  let run = start;
  if (!run.prepared && run.status !== "cancelled") run = await prepare(deps, tenantId, runId, holder, run);
  let cancelled = run.status === "cancelled";
  while (!cancelled) {
    if (performance.now() - started > taskBudgetMs) {
      await releaseLease(deps, tenantId, runId, holder);
      const fresh = await readRun(deps, tenantId, runId);
      await deps.tasks.enqueue(evalQueue, { tenantId, runId } satisfies RunTask, {
        id: `eval-${runId}-after-${fresh.progress.done}`,
      });
      return `continued in a new task after ${fresh.progress.done} of ${fresh.progress.total}`;
    }
    const pending = await deps.store.query({
      collection: resultsPath(tenantId, runId),
      where: [{ field: "status", op: "==", value: "pending" }],
      limit: itemConcurrency * 4,
    });
    if (pending.length === 0) break;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(itemConcurrency, pending.length) }, async () => {
        while (!cancelled && next < pending.length) {
          const snap = pending[next++] as DocSnapshot;
          const result = resultSchema.parse(snap.data);
          const recorded = await itemSlots.run(async () =>
            cancelled ? "skipped" : runItem(deps, tenantId, runId, holder, run, snap.id, result),
          );
          if (recorded === "cancelled") cancelled = true;
        }
      }),
    );
  }
  const fresh = await readRun(deps, tenantId, runId);
  if (fresh.lease?.holder !== holder) throw new LeaseLost();
  return finish(deps, tenantId, runId, fresh.status === "cancelled" ? "cancelled" : "completed", null);
}

/** Copies the dataset's items into pending results, once (the lease holder alone writes them). */
async function prepare(deps: Deps, tenantId: string, runId: string, holder: string, run: Run): Promise<Run> {
  let taken: Awaited<ReturnType<typeof itemsForRun>>;
  try {
    taken = await itemsForRun(deps, tenantId, run.datasetId);
  } catch (e) {
    const error = toAppError(e);
    if (error.code === "not-found") {
      throw new RunStopped({
        code: "not-found",
        message: `Dataset ${run.datasetId} was deleted before the run started`,
      });
    }
    throw e;
  }
  if (taken.items.length === 0) {
    throw new RunStopped({
      code: "failed-precondition",
      message: `Dataset ${run.datasetId} has no items any more`,
    });
  }
  for (let i = 0; i < taken.items.length; i += batchSize) {
    const batch = deps.store.batch();
    for (const item of taken.items.slice(i, i + batchSize)) {
      const result: Result = {
        seq: item.seq,
        item: {
          question: item.question,
          turns: item.turns,
          expectedFacts: item.expectedFacts,
          referenceAnswer: item.referenceAnswer,
          expectedSources: item.expectedSources,
          shouldAbstain: item.shouldAbstain,
          tags: item.tags,
        },
        status: "pending",
        answer: null,
        abstained: false,
        confidence: null,
        traceId: null,
        traceIds: [],
        conversationId: null,
        citations: [],
        latencyMs: null,
        tokens: { input: 0, output: 0 },
        costMicros: 0,
        score: null,
        judgement: null,
        annotationId: null,
        error: null,
        finishedAt: null,
      };
      batch.set(resultPath(tenantId, runId, item.id), result);
    }
    await batch.commit();
  }
  const path = runPath(tenantId, runId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new LeaseLost();
    const current = runSchema.parse(snap.data);
    if (current.lease?.holder !== holder) throw new LeaseLost();
    const patch = {
      prepared: true,
      datasetRevision: taken.revision,
      reuseKey: reuseKeyOf(run.datasetId, taken.revision, run.target, run),
      progress: { done: 0, total: taken.items.length, errors: 0 },
      updatedAt: deps.clock.nowIso(),
    };
    tx.update(path, patch);
    return { ...current, ...patch };
  });
}

/** What the turns of one item spent: tokens from their usage events, priced with billing's catalog. */
async function spentBy(
  deps: Deps,
  tenantId: string,
  traceIds: readonly string[],
): Promise<{ tokens: { input: number; output: number }; costMicros: number }> {
  const spent = { tokens: { input: 0, output: 0 }, costMicros: 0 };
  for (const traceId of traceIds) {
    const snap = await deps.store.get(usageEventPath(tenantId, traceId));
    const event = usageEventSchema.safeParse(snap?.data);
    if (!event.success || event.data.kind !== "turn") continue;
    spent.tokens.input += event.data.inputTokens;
    spent.tokens.output += event.data.outputTokens;
    spent.costMicros += costOf(event.data, await catalogAt(deps, event.data.at));
  }
  return spent;
}

/**
 * Runs one item as a Sandbox conversation and records its result (once: the result must still be pending
 * and the lease this task's). Returns "cancelled" when the run was cancelled meanwhile.
 */
async function runItem(
  deps: Deps,
  tenantId: string,
  runId: string,
  holder: string,
  run: Run,
  itemId: string,
  pending: Result,
): Promise<"recorded" | "skipped" | "cancelled"> {
  const item: ItemContent = pending.item;
  const conversation = await startConversation(deps, tenantId, run.target.agentId, {
    channel: "api",
    version: run.target.version,
    startedBy: `eval:${runId}`,
    sandbox: true,
  }).catch((e: unknown) => {
    const error = toAppError(e);
    throw fatalCodes.has(error.code) ? new RunStopped({ code: error.code, message: error.message }) : e;
  });
  const traceIds: string[] = [];
  let last: Awaited<ReturnType<typeof sendMessage>> | null = null;
  let error: { code: string; message: string } | null = null;
  let latencyMs: number | null = null;
  for (const content of scriptOf(item)) {
    const t = performance.now();
    try {
      last = await sendMessage(
        deps,
        tenantId,
        conversation.id,
        { content },
        { sandbox: true, ...(run.draft ? { draft: run.draft } : {}) },
      );
      latencyMs = Math.round((performance.now() - t) * 10) / 10;
      if (last.traceId) traceIds.push(last.traceId);
    } catch (e) {
      const failure = toAppError(e);
      if (fatalCodes.has(failure.code))
        throw new RunStopped({ code: failure.code, message: failure.message });
      const traceId = (failure.details as { traceId?: unknown } | undefined)?.traceId;
      if (typeof traceId === "string") traceIds.push(traceId);
      error = { code: failure.code, message: failure.message };
      last = null;
      latencyMs = null;
      break;
    }
  }
  const trace = last?.traceId ? await getTrace(deps, tenantId, last.traceId).catch(() => null) : null;
  const spent = await spentBy(deps, tenantId, traceIds);
  const citations = trace ? citationSupport(trace) : [];
  const outcome: ItemOutcome = {
    answer: last?.content ?? null,
    abstained: last?.abstained ?? false,
    confidence: last?.confidence ?? null,
    citations,
    latencyMs,
    tokens: spent.tokens,
    costMicros: spent.costMicros,
    error,
  };
  const score = scoreItem(item, outcome);
  const judgement = await judged(deps, tenantId, runId, run.target.agentId, item, outcome);
  const result: Result = {
    ...pending,
    status: "done",
    answer: outcome.answer,
    abstained: outcome.abstained,
    confidence: outcome.confidence,
    traceId: last?.traceId ?? traceIds.at(-1) ?? null,
    traceIds,
    conversationId: conversation.id,
    citations,
    latencyMs,
    tokens: spent.tokens,
    costMicros: spent.costMicros,
    score,
    judgement,
    annotationId: trace?.annotationReply?.annotationId ?? null,
    error,
    finishedAt: deps.clock.nowIso(),
  };
  const path = runPath(tenantId, runId);
  return deps.store.runTransaction(async (tx) => {
    const [runSnap, resultSnap] = await Promise.all([
      tx.get(path),
      tx.get(resultPath(tenantId, runId, itemId)),
    ]);
    if (!runSnap) throw new LeaseLost();
    const current = runSchema.parse(runSnap.data);
    if (current.lease?.holder !== holder) throw new LeaseLost();
    if (!resultSnap || resultSchema.parse(resultSnap.data).status !== "pending") return "skipped";
    const now = deps.clock.now();
    tx.set(resultPath(tenantId, runId, itemId), result);
    tx.update(path, {
      progress: {
        ...current.progress,
        done: current.progress.done + 1,
        errors: current.progress.errors + (error ? 1 : 0),
      },
      lease: { holder, until: new Date(now.getTime() + leaseMs).toISOString() },
      updatedAt: now.toISOString(),
    });
    return current.status === "cancelled" ? "cancelled" : "recorded";
  });
}

/**
 * The LLM judge's verdict, only when a model that can judge is configured (sandbox/judge.ts) and there is
 * an answer to grade against facts or a reference. A judge that fails leaves the item to the rules alone.
 */
async function judged(
  deps: Deps,
  tenantId: string,
  runId: string,
  agentId: string,
  item: ItemContent,
  outcome: ItemOutcome,
): Promise<Result["judgement"]> {
  if (!hasGenerativeModel(deps) || outcome.answer === null || outcome.abstained || item.shouldAbstain)
    return null;
  if (item.expectedFacts.length === 0 && item.referenceAnswer === null) return null;
  try {
    const verdict = await judgeAnswer(deps, {
      question: scriptOf(item).at(-1) ?? "",
      answer: outcome.answer,
      referenceAnswer: item.referenceAnswer,
      expectedFacts: item.expectedFacts,
    });
    // The judge's tokens are the workspace's Sandbox usage, like the turns it graded (an unparsed reply too:
    // the tokens were spent).
    if (verdict) {
      await meterModelCall(deps.store, tenantId, deps.ids.newId(), {
        purpose: "judge",
        agentId,
        source: `run:${runId}`,
        model: `${deps.chat.info.provider}/${verdict.model}`,
        inputTokens: verdict.usage.inputTokens,
        outputTokens: verdict.usage.outputTokens,
        at: deps.clock.nowIso(),
      }).catch((e: unknown) =>
        log.error("could not meter the LLM judge's call", { err: e, tenantId, runId }),
      );
    }
    return (
      verdict && {
        verdict: verdict.verdict,
        score: verdict.score,
        rationale: verdict.rationale,
        model: verdict.model,
      }
    );
  } catch (e) {
    log.warn("the LLM judge failed; the item is scored by the rules alone", { err: e });
    return null;
  }
}

/**
 * Ends a run: scores what was done (a cancelled run too), and sets its status. A run whose every item
 * failed is failed, with the first failure's reason.
 */
async function finish(
  deps: Deps,
  tenantId: string,
  runId: string,
  status: "completed" | "failed" | "cancelled",
  error: { code: string; message: string } | null,
): Promise<string> {
  const results = (await allResults(deps, tenantId, runId)).filter((r) => r.status === "done");
  const scored: ScoredItem[] = results.map((r) => ({
    item: r.item,
    outcome: {
      answer: r.answer,
      abstained: r.abstained,
      confidence: r.confidence,
      citations: r.citations,
      latencyMs: r.latencyMs,
      tokens: r.tokens,
      costMicros: r.costMicros,
      error: r.error,
    },
    score: r.score ?? scoreItem(r.item, { ...r, error: r.error }),
    judgeScore: r.judgement?.score ?? null,
  }));
  const { currency } = await catalogAt(deps, deps.clock.nowIso());
  const scores = scored.length > 0 ? scoreRun(scored, { currency }) : null;
  let final = status;
  let reason = error;
  if (status === "completed" && scores && scores.errors === scores.items) {
    const first = results.find((r) => r.error)?.error;
    final = "failed";
    reason = {
      code: first?.code ?? "internal",
      message: `Every item's turn failed; the first: ${first?.message ?? "unknown"}`,
    };
  }
  const path = runPath(tenantId, runId);
  const now = deps.clock.nowIso();
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) return;
    const run = runSchema.parse(snap.data);
    // A run cancelled meanwhile stays cancelled; a failure keeps what it says.
    const next = run.status === "cancelled" ? "cancelled" : final;
    tx.update(path, {
      status: next,
      scores,
      error: run.status === "cancelled" ? run.error : reason,
      lease: null,
      finishedAt: now,
      updatedAt: now,
    });
  });
  return `${final}: ${results.length} item(s) scored`;
}
