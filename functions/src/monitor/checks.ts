/**
 * The dependency checks the monitor runs every minute (and `GET /health?deep=1` on demand): the document
 * store, the file store, the task queues (depth and the oldest due task's age), the chat model and the
 * embedder (a cheap call each), Stripe when configured, and whatever the function wiring adds (WhatsApp
 * numbers' tokens live in channels/, above this service). Each result is kept with a history of the last
 * 60, which the Health page draws.
 */
import type { CheckOutcome, ContributedCheck } from "../platform/checks.js";
import type { Deps } from "../platform/deps.js";
import { checkHealth, timed, type HealthCheck } from "./health.js";
import { monitorRoot } from "../platform/metrics/schema.js";
import { documentsCollectionId } from "../knowledge/schema.js";
import { stalledAfterMs } from "../knowledge/sweep.js";
import { checksPath, operatorChecksPath, platformScope } from "./schema.js";

/** One check's outcome (platform/checks.ts). */
export type CheckResult = CheckOutcome;

/** A check another part of the platform contributes (e.g. the WhatsApp tokens); it names itself. */
export type ExtraCheck = ContributedCheck;

/** A queue whose oldest due task waited longer than this is degraded. */
export const queueAgeLimitSeconds = 300;
const historyLength = 60;

const fromHealth = (name: string, c: HealthCheck): CheckResult => ({
  name,
  status: c.status,
  latencyMs: c.latencyMs,
  detail: c.detail ?? null,
});

export async function runChecks(deps: Deps, extra: readonly ExtraCheck[] = []): Promise<CheckResult[]> {
  const [shallow, chat, embedder, queues, stuck, stripe, ...more] = await Promise.all([
    checkHealth(deps),
    deps.chat.ping ? timed(() => (deps.chat.ping as () => Promise<void>)()) : null,
    timed(() => deps.embedder.embed(["health check"], { kind: "query" })),
    queueCheck(deps),
    stuckDocuments(deps),
    deps.payments ? timed(() => (deps.payments as NonNullable<Deps["payments"]>).ping()) : null,
    ...extra.map((check) =>
      check(deps).catch((e: unknown): CheckResult[] => [
        { name: "extra", status: "down", latencyMs: null, detail: (e as Error).message },
      ]),
    ),
  ]);
  return [
    ...Object.entries(shallow.checks).map(([name, c]) => fromHealth(name, c)),
    chat
      ? fromHealth("chat model", chat)
      : {
          name: "chat model",
          status: "unknown" as const,
          latencyMs: null,
          // Never a completion on someone's behalf: a check must not spend tokens nor consume a scripted reply.
          detail: "this model offers no call that checks it without generating an answer",
        },
    fromHealth("embedder", embedder),
    queues,
    stuck,
    ...(stripe ? [fromHealth("stripe", stripe)] : []),
    ...more.flat(),
  ];
}

/**
 * Documents whose ingestion made no progress for longer than the stalled-document sweep allows (it restarts
 * them every few minutes; a count that stays up means the sweep cannot help). The operator's check: the
 * count spans every workspace.
 */
async function stuckDocuments(deps: Deps): Promise<CheckResult> {
  const started = performance.now();
  const cutoff = new Date(deps.clock.now().getTime() - stalledAfterMs(deps)).toISOString();
  try {
    const stuck = await deps.store.count({
      collectionGroup: documentsCollectionId,
      where: [
        { field: "status", op: "in", value: ["queued", "processing"] },
        { field: "updatedAt", op: "<", value: cutoff },
      ],
    });
    return {
      scope: platformScope,
      name: "stuck documents",
      status: stuck > 0 ? "degraded" : "ok",
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
      detail: `${stuck} document${stuck === 1 ? "" : "s"} without progress for ${Math.round(stalledAfterMs(deps) / 60_000)} min`,
    };
  } catch (e) {
    return {
      scope: platformScope,
      name: "stuck documents",
      status: "down",
      latencyMs: null,
      detail: (e as Error).message,
    };
  }
}

async function queueCheck(deps: Deps): Promise<CheckResult> {
  if (!deps.tasks.depths) {
    return {
      name: "task queues",
      status: "unknown",
      latencyMs: null,
      detail:
        "Cloud Tasks' depth and age are in Cloud Monitoring (cloudtasks.googleapis.com/queue/depth), not in the API this platform speaks",
    };
  }
  const started = performance.now();
  try {
    const depths = await deps.tasks.depths();
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const stuck = depths.filter((d) => d.oldestDueAgeSeconds > queueAgeLimitSeconds);
    const waiting = depths.reduce((n, d) => n + d.waiting, 0);
    return {
      name: "task queues",
      status: stuck.length > 0 ? "degraded" : "ok",
      latencyMs,
      detail:
        stuck.length > 0
          ? `Waiting over ${queueAgeLimitSeconds} s: ${stuck.map((d) => `${d.queue} (${d.oldestDueAgeSeconds} s, ${d.waiting} waiting)`).join(", ")}`
          : `${waiting} task${waiting === 1 ? "" : "s"} waiting`,
    };
  } catch (e) {
    return { name: "task queues", status: "down", latencyMs: null, detail: (e as Error).message };
  }
}

export interface StoredCheck extends CheckResult {
  readonly checkedAt: string;
  readonly history: { at: string; status: CheckResult["status"]; latencyMs: number | null }[];
}

/** Shared checks every Health page shows; the operator's own (`_platform`); a workspace's own. */
const collectionOf = (scope: string | undefined) =>
  scope === undefined
    ? checksPath
    : scope === platformScope
      ? operatorChecksPath
      : `${monitorRoot(scope)}/monitorChecks`;
const pathOf = (r: Pick<CheckResult, "scope" | "name">) => `${collectionOf(r.scope)}/${checkDocId(r.name)}`;

/** Keeps each check's latest result and its recent history (one document per check). */
export async function recordChecks(deps: Deps, results: readonly CheckResult[]): Promise<void> {
  const at = deps.clock.nowIso();
  const existing = await deps.store.getAll<StoredCheck>(results.map(pathOf));
  for (let i = 0; i < results.length; i += 400) {
    const batch = deps.store.batch();
    results.slice(i, i + 400).forEach((r, j) => {
      const prior = existing[i + j]?.data;
      const history = [...(prior?.history ?? []), { at, status: r.status, latencyMs: r.latencyMs }].slice(
        -historyLength,
      );
      batch.set(pathOf(r), { ...r, checkedAt: at, history } satisfies StoredCheck);
    });
    await batch.commit();
  }
}

/** The installation's checks, and a workspace's own when one is named. */
export async function storedChecks(deps: Deps, scope?: string): Promise<StoredCheck[]> {
  const [shared, own] = await Promise.all([
    deps.store.query<StoredCheck>({ collection: checksPath, limit: 100 }),
    scope
      ? deps.store.query<StoredCheck>({ collection: collectionOf(scope), limit: 100 })
      : Promise.resolve([]),
  ]);
  return [...shared, ...own].map((d) => d.data).sort((a, b) => a.name.localeCompare(b.name));
}

const checkDocId = (name: string) => name.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 100) || "check";
