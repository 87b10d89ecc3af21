/**
 * The monitor's minute: flush this process's metrics, run the dependency checks, run the probes that are
 * due, then per scope (the platform, and every workspace with recent metrics, an open alert or an absence
 * rule) roll closed hours and days up and evaluate the alert rules. Every step is idempotent: a tick that
 * runs twice, or late, does no harm.
 */
import type { Deps } from "../platform/deps.js";
import { log } from "../platform/log.js";
import { metricsOf } from "../platform/metrics/recorder.js";
import { activeScopesPath, platformScope } from "../platform/metrics/schema.js";
import { evaluateScope, type Evaluation } from "./alerts.js";
import { rollUp } from "./buckets.js";
import { recordChecks, runChecks, type CheckResult, type ExtraCheck } from "./checks.js";
import { runDueProbes, type ProbeRun } from "./probes.js";

/** Workspaces with metrics this recent are rolled up and evaluated (long enough to roll their last day). */
const activeWithinMs = 3 * 3_600_000;
/** Scopes handled at once. */
const concurrency = 4;

export interface TickReport {
  readonly checks: readonly CheckResult[];
  readonly probes: readonly ProbeRun[];
  readonly scopes: number;
  readonly evaluations: Record<string, readonly Evaluation[]>;
  readonly failedScopes: readonly string[];
}

export async function monitorTick(deps: Deps, extraChecks: readonly ExtraCheck[] = []): Promise<TickReport> {
  const recorder = metricsOf(deps);
  await recorder.flush();
  const checks = await runChecks(deps, extraChecks);
  await recordChecks(deps, checks);
  const probes = await runDueProbes(deps);
  await recorder.flush();

  const scopes = await scopesToWatch(deps);
  const evaluations: Record<string, readonly Evaluation[]> = {};
  const failedScopes: string[] = [];
  const queue = [...scopes];
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let scope = queue.shift(); scope !== undefined; scope = queue.shift()) {
        try {
          await rollUp(deps, scope);
          evaluations[scope] = await evaluateScope(deps, scope);
        } catch (e) {
          // One workspace's failure (a corrupt document) does not stop the others'.
          failedScopes.push(scope);
          log.error("monitor: a scope could not be evaluated", { err: e, scope });
        }
      }
    }),
  );
  return { checks, probes, scopes: scopes.length, evaluations, failedScopes };
}

async function scopesToWatch(deps: Deps): Promise<string[]> {
  const since = new Date(deps.clock.now().getTime() - activeWithinMs).toISOString();
  const [active, open, absent] = await Promise.all([
    deps.store.query({
      collection: activeScopesPath,
      where: [{ field: "lastActiveAt", op: ">=", value: since }],
    }),
    deps.store.query({
      collectionGroup: "alertStates",
      where: [{ field: "state", op: "in", value: ["pending", "firing", "resolving"] }],
      limit: 1000,
    }),
    deps.store.query({
      collectionGroup: "alertRules",
      where: [{ field: "condition.type", op: "==", value: "absent" }],
      limit: 1000,
    }),
  ]);
  const scopes = new Set<string>([platformScope]);
  for (const d of active) scopes.add(d.id);
  for (const d of [...open, ...absent]) {
    const m = /^tenants\/([^/]+)\//.exec(d.path);
    if (m) scopes.add(m[1] as string);
  }
  return [...scopes];
}
