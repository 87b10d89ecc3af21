/**
 * Health of the running platform: can it read its document store and its file store, and which models
 * is it using. Served at `GET /health` in both modes.
 */
import type { Deps } from "../platform/deps.js";

export type HealthStatus = "ok" | "degraded" | "down";

export interface HealthCheck {
  readonly status: HealthStatus;
  readonly latencyMs: number;
  readonly detail?: string;
}

export interface HealthReport {
  readonly status: HealthStatus;
  readonly mode: "local" | "firebase";
  readonly version: string;
  readonly checks: Record<string, HealthCheck>;
  readonly models: {
    readonly chat: { provider: string; model: string; label: string };
    readonly embedder: { provider: string; model: string; dimensions: number; label: string };
    /** The cross-encoder reordering search results, or null: none (the default). */
    readonly reranker: { provider: string; model: string; label: string } | null;
  };
}

const checkTimeoutMs = 3000;

export async function timed(probe: () => Promise<unknown>): Promise<HealthCheck> {
  const started = performance.now();
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs).unref(),
      ),
    ]);
    return { status: "ok", latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (e) {
    return {
      status: "down",
      latencyMs: Math.round(performance.now() - started),
      detail: (e as Error).message,
    };
  }
}

/** How long a write probe's result is reused: `/health` may be asked several times a second. */
const writeProbeTtlMs = 5000;
const writeProbes = new WeakMap<Deps, { at: number; check: Promise<HealthCheck> }>();

/**
 * Whether the document store still takes writes. Local mode only: there a full disk stops every write
 * while reads go on, which a read probe would never notice. (Firestore has no disk to fill; a probe write
 * per call there would only make `system/health` a hot document.)
 */
function writeProbe(deps: Deps): Promise<HealthCheck> {
  const now = Date.now();
  const last = writeProbes.get(deps);
  if (last && now - last.at < writeProbeTtlMs) return last.check;
  const check = timed(() => deps.store.set("system/health", { checkedAt: deps.clock.nowIso() }));
  writeProbes.set(deps, { at: now, check });
  return check;
}

export async function checkHealth(deps: Deps): Promise<HealthReport> {
  const [documents, files, writes] = await Promise.all([
    timed(() => deps.store.get("system/health")),
    timed(() => deps.blobs.stat("system/health")),
    deps.config.mode === "local" ? writeProbe(deps) : undefined,
  ]);
  const checks = { documents, files, ...(writes ? { writes } : {}) };
  const statuses = Object.values(checks).map((c) => c.status);
  const status: HealthStatus = statuses.every((s) => s === "ok")
    ? "ok"
    : statuses.every((s) => s === "down")
      ? "down"
      : "degraded";
  return {
    status,
    mode: deps.config.mode,
    version: deps.config.version,
    checks,
    models: {
      chat: { ...deps.chat.info },
      embedder: {
        provider: deps.embedder.info.provider,
        model: deps.embedder.info.model,
        dimensions: deps.embedder.info.dimensions,
        label: deps.embedder.info.label,
      },
      reranker: deps.reranker ? { ...deps.reranker.info } : null,
    },
  };
}
