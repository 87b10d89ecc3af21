/**
 * Synthetic probes: a canary question per published agent, asked on a schedule, with an expected outcome
 * (it answers, or it abstains, and the answer contains given strings). A probe's turn is a real turn of the
 * published version, recorded with its trace marked `synthetic`: it is never billed nor counted in analytics,
 * its conversation is deleted after it, and its result feeds the `probe` series (alerts and the SLA).
 */
import { getAgent } from "../agents/agents.js";
import { startConversation } from "../agents/conversations.js";
import { conversationPath } from "../agents/schema.js";
import { sendMessage } from "../agents/turn.js";
import type { Deps } from "../platform/deps.js";
import { AppError, toAppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import { metricsOf } from "../platform/metrics/recorder.js";
import { probePath, probeSchema, probesPath, type Probe, type ProbeInput } from "./schema.js";

/** A workspace has at most one probe per agent, and at most this many. */
export const maxProbes = 50;
/** Probes run per tick across the installation, oldest due first (the rest wait for the next tick). */
const maxProbesPerTick = 20;

export type ProbeView = Probe & { readonly nextRunAt: string | null };

export async function listProbes(deps: Deps, tenantId: string): Promise<Probe[]> {
  const docs = await deps.store.query({ collection: probesPath(tenantId), limit: maxProbes });
  return docs.flatMap((d) => {
    const parsed = probeSchema.safeParse(d.data);
    return parsed.success ? [parsed.data] : [];
  });
}

export async function putProbe(
  deps: Deps,
  tenantId: string,
  agentId: string,
  input: ProbeInput,
): Promise<Probe> {
  await getAgent(deps, tenantId, agentId); // 404 for an agent that is not this workspace's
  const now = deps.clock.nowIso();
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(probePath(tenantId, agentId));
    if (!snap) {
      const count = (await tx.query({ collection: probesPath(tenantId), limit: maxProbes })).length;
      if (count >= maxProbes) {
        throw new AppError("failed-precondition", `A workspace has at most ${maxProbes} probes`);
      }
    }
    const prior = snap ? probeSchema.parse(snap.data) : null;
    const probe: Probe = {
      ...input,
      agentId,
      createdAt: prior?.createdAt ?? now,
      updatedAt: now,
      lastRunAt: prior?.lastRunAt ?? null,
      last: prior?.last ?? null,
    };
    // Due at once: a new or changed probe is tried at the next tick.
    tx.set(probePath(tenantId, agentId), { ...probe, tenantId, nextRunAt: input.enabled ? now : null });
    return probe;
  });
}

export async function deleteProbe(deps: Deps, tenantId: string, agentId: string): Promise<void> {
  const snap = await deps.store.get(probePath(tenantId, agentId));
  if (!snap) throw new AppError("not-found", `Agent ${agentId} has no probe`);
  await deps.store.delete(probePath(tenantId, agentId));
}

export interface ProbeRun {
  readonly tenantId: string;
  readonly agentId: string;
  readonly ok: boolean | null;
  readonly outcome: string;
}

/** Runs every probe that is due, across workspaces (the tick). */
export async function runDueProbes(deps: Deps): Promise<ProbeRun[]> {
  const now = deps.clock.nowIso();
  const due = await deps.store.query({
    collectionGroup: "probes",
    where: [{ field: "nextRunAt", op: "<=", value: now }],
    orderBy: [{ field: "nextRunAt", direction: "asc" }],
    limit: maxProbesPerTick,
  });
  const runs: ProbeRun[] = [];
  for (const snap of due) {
    const tenantId = (snap.data as { tenantId?: unknown }).tenantId;
    const parsed = probeSchema.safeParse(snap.data);
    if (
      typeof tenantId !== "string" ||
      !parsed.success ||
      snap.path !== probePath(tenantId, parsed.data.agentId)
    ) {
      continue;
    }
    runs.push(await runProbe(deps, tenantId, parsed.data));
  }
  return runs;
}

export async function runProbe(deps: Deps, tenantId: string, probe: Probe): Promise<ProbeRun> {
  const started = performance.now();
  const at = deps.clock.nowIso();
  let ok: boolean | null;
  let outcome: string;
  let detail: string;
  let traceId: string | null = null;
  let conversationId: string | null = null;
  try {
    const conversation = await startConversation(deps, tenantId, probe.agentId, {
      channel: "api",
      startedBy: "monitor-probe",
      synthetic: true,
    });
    conversationId = conversation.id;
    const answer = await sendMessage(
      deps,
      tenantId,
      conversation.id,
      { content: probe.question },
      { synthetic: true },
    );
    traceId = answer.traceId;
    outcome = answer.abstained ? "abstained" : "answered";
    const missing = probe.mustContain.filter((s) => !answer.content.toLowerCase().includes(s.toLowerCase()));
    const expected = probe.expect === "answers" ? !answer.abstained : answer.abstained;
    ok = expected && missing.length === 0;
    detail = !expected
      ? `Expected it to ${probe.expect === "answers" ? "answer" : "abstain"}; it ${outcome}`
      : missing.length > 0
        ? `The answer lacks: ${missing.map((m) => `"${m}"`).join(", ")}`
        : `It ${outcome} as expected`;
  } catch (e) {
    const error = toAppError(e);
    traceId = (error.details as { traceId?: string } | undefined)?.traceId ?? null;
    // A workspace out of credits, or an agent paused or unpublished, is not the agent failing.
    if (
      error.code === "payment-required" ||
      error.code === "failed-precondition" ||
      error.code === "not-found"
    ) {
      ok = null;
      outcome = "skipped";
    } else {
      ok = false;
      outcome = "failed";
    }
    detail = error.message;
  } finally {
    if (conversationId) {
      await deps.store
        .deleteRecursive(conversationPath(tenantId, conversationId))
        .catch((e: unknown) =>
          log.warn("could not delete a probe's conversation", { err: e, conversationId }),
        );
    }
  }
  const ms = Math.round(performance.now() - started);
  if (ok !== null) metricsOf(deps).probe({ tenantId, agentId: probe.agentId, ok, ms });
  const next = new Date(Date.parse(at) + probe.everyMinutes * 60_000).toISOString();
  await deps.store
    .update(probePath(tenantId, probe.agentId), {
      lastRunAt: at,
      nextRunAt: probe.enabled ? next : null,
      last: { ok: ok ?? false, at, ms, outcome, detail: detail.slice(0, 500), traceId },
    })
    .catch((e: unknown) => log.warn("could not record a probe's result", { err: e, agentId: probe.agentId }));
  return { tenantId, agentId: probe.agentId, ok, outcome };
}
