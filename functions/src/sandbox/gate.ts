/**
 * The publish gate: an agent may name a golden dataset and a margin; publishing then runs the dataset
 * against the draft and the published version (reusing a completed run of the same dataset revision and the
 * same configuration when there is one) and refuses a draft whose accuracy is lower by more than the margin,
 * with the comparison. The gate is stored on the agent, outside its versions (agents/schema.ts
 * `publishGate`); the publish route runs `checkPublishGate` because channels/api/routes.ts composes it in
 * (agents cannot import the Sandbox).
 *
 * The wait is bounded by the gate's `timeoutSeconds` (120 s unless set, at most 240 s, inside the API
 * function's 300 s): past it the publish is refused as timed out, saying so; the runs go on, and publishing
 * again once they completed reuses them.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { getAgent, setPublishGate as storeGate } from "../agents/agents.js";
import type { AgentView } from "../agents/agents.js";
import type { PublishGate } from "../agents/schema.js";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError, isAppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import { idSchema } from "../platform/validation.js";
import { getDataset } from "./datasets.js";
import { compareRuns, getRun, reuseKeyOf, runBasis, startRun, type RunView } from "./runs.js";
import { activeStatuses, runSchema, runsPath, type RunTarget } from "./schema.js";

export const publishGateInput = z
  .object({
    enabled: z.boolean().default(true),
    datasetId: idSchema,
    /** The largest drop in accuracy the draft may show, 0..1 (0.05: five points). */
    maxDrop: z.number({ error: "maxDrop must be a number from 0 to 1" }).min(0).max(1),
    timeoutSeconds: z.number().int().min(10).max(240).default(120),
  })
  .strict();

/** Sets an agent's publish gate, once its dataset is found to be the workspace's own. */
export async function setPublishGate(
  deps: Deps,
  caller: Caller,
  agentId: string,
  input: z.infer<typeof publishGateInput>,
): Promise<AgentView> {
  await getAgent(deps, caller.tenantId, agentId);
  await getDataset(deps, caller.tenantId, input.datasetId);
  const gate: PublishGate = { ...input };
  return storeGate(deps, caller.tenantId, agentId, gate, caller.uid);
}

export async function removePublishGate(deps: Deps, caller: Caller, agentId: string): Promise<AgentView> {
  return storeGate(deps, caller.tenantId, agentId, null, caller.uid);
}

/** How often the gate reads its runs while it waits. */
const pollMs = 200;

/**
 * Runs the agent's publish gate, when it has one enabled and a published version to compare with (a first
 * publish has none: it passes). Throws `failed-precondition` (400) with the comparison when the draft scores
 * lower than allowed or a run failed, `deadline-exceeded` (504) when the runs outlast the gate's timeout.
 */
export async function checkPublishGate(deps: Deps, caller: Caller, agentId: string): Promise<void> {
  const tenantId = caller.tenantId;
  const agent = await getAgent(deps, tenantId, agentId);
  const gate = agent.publishGate;
  if (!gate?.enabled || agent.publishedVersion === null) return;
  const deadline = Date.now() + gate.timeoutSeconds * 1000;
  try {
    await getDataset(deps, tenantId, gate.datasetId);
  } catch (e) {
    if (isAppError(e) && e.code === "not-found") {
      throw new AppError(
        "failed-precondition",
        `The publish gate's dataset ${gate.datasetId} no longer exists: choose another (PUT /v1/agents/${agentId}/publish-gate) ` +
          "or disable the gate. Nothing was published.",
      );
    }
    throw e;
  }
  const published = await runFor(deps, caller, gate.datasetId, agent, agent.publishedVersion);
  const draft = await runFor(deps, caller, gate.datasetId, agent, "draft");
  const [base, candidate] = await Promise.all([
    finished(deps, tenantId, published, deadline),
    finished(deps, tenantId, draft, deadline),
  ]);
  if (!base || !candidate) {
    throw new AppError(
      "deadline-exceeded",
      `The publish gate's evaluation did not finish within ${gate.timeoutSeconds} s (the gate's timeoutSeconds). ` +
        `Nothing was published. Its runs go on (${published} of version ${agent.publishedVersion}, ${draft} of the ` +
        "draft): publish again once they have completed, and they are reused.",
      { runs: { published, draft }, timeoutSeconds: gate.timeoutSeconds },
    );
  }
  for (const [run, what] of [
    [base, `version ${agent.publishedVersion}`],
    [candidate, "the draft"],
  ] as const) {
    if (run.status !== "completed" || !run.scores || run.scores.accuracy === null) {
      throw new AppError(
        "failed-precondition",
        `The publish gate's run ${run.id} of ${what} ${run.status}` +
          (run.error ? `: ${run.error.message}` : "") +
          ". Nothing was published.",
        { runs: { published, draft } },
      );
    }
  }
  const baseAccuracy = base.scores?.accuracy ?? 0;
  const draftAccuracy = candidate.scores?.accuracy ?? 0;
  const drop = Math.round((baseAccuracy - draftAccuracy) * 10_000) / 10_000;
  // The draft may have been edited while the gate ran: what was evaluated is not what would be published.
  const now = await getAgent(deps, tenantId, agentId);
  if (now.updatedAt !== agent.updatedAt) {
    throw new AppError(
      "aborted",
      `Agent ${agentId}'s draft changed while the publish gate evaluated it; publish again. Nothing was published.`,
    );
  }
  if (drop > gate.maxDrop + 1e-9) {
    const comparison = await compareRuns(deps, tenantId, published, draft, { changes: "worse", limit: "50" });
    throw new AppError(
      "failed-precondition",
      `The draft's accuracy on dataset ${gate.datasetId} is ${pct(draftAccuracy)} against ${pct(baseAccuracy)} for ` +
        `version ${agent.publishedVersion}: a drop of ${pct(drop)}, more than the gate allows (${pct(gate.maxDrop)}). ` +
        `${comparison.counts.worse} item(s) got worse, ${comparison.counts.better} better. Nothing was published.`,
      {
        gate: { datasetId: gate.datasetId, maxDrop: gate.maxDrop },
        published: { runId: published, version: agent.publishedVersion, accuracy: baseAccuracy },
        draft: { runId: draft, accuracy: draftAccuracy },
        drop,
        comparison: { counts: comparison.counts, deltas: comparison.deltas, worse: comparison.items },
      },
    );
  }
  log.info("publish gate passed", { tenantId, agentId, published, draft, drop });
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * The run the gate reads for `target`: a completed one of the dataset's current revision and the same
 * configuration, one already queued or running, or a new one.
 */
async function runFor(
  deps: Deps,
  caller: Caller,
  datasetId: string,
  agent: AgentView,
  version: RunTarget["version"],
): Promise<string> {
  const target: RunTarget = { agentId: agent.id, version };
  const dataset = await getDataset(deps, caller.tenantId, datasetId);
  const basis = await runBasis(deps, caller.tenantId, agent, version);
  const reuseKey = reuseKeyOf(datasetId, dataset.revision, target, basis);
  const snaps = await deps.store.query({
    collection: runsPath(caller.tenantId),
    where: [{ field: "reuseKey", op: "==", value: reuseKey }],
    limit: 50,
  });
  const runs = snaps.map((s) => ({ id: s.id, run: runSchema.parse(s.data) }));
  const usable =
    runs
      .filter((r) => r.run.status === "completed")
      .sort((a, b) => (a.run.createdAt < b.run.createdAt ? 1 : -1))[0] ??
    runs.find((r) => activeStatuses.includes(r.run.status));
  if (usable) return usable.id;
  try {
    const { run } = await startRun(deps, caller.tenantId, { datasetId, target }, caller.uid, "gate");
    return run.id;
  } catch (e) {
    // Started by another publish meanwhile: wait for that one.
    const runId = isAppError(e) ? (e.details as { runId?: unknown } | undefined)?.runId : undefined;
    if (isAppError(e) && e.code === "already-exists" && typeof runId === "string") return runId;
    throw e;
  }
}

/** The run once it is finished, or null at the deadline. */
async function finished(
  deps: Deps,
  tenantId: string,
  runId: string,
  deadline: number,
): Promise<RunView | null> {
  for (;;) {
    const run = await getRun(deps, tenantId, runId);
    if (!activeStatuses.includes(run.status)) return run;
    if (Date.now() >= deadline) return null;
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
  }
}
