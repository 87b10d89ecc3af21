/**
 * What this process measures, aggregated as it happens: per request (route template, method, status class),
 * per turn (agent, channel, outcome, tokens, tool errors), per model call, per task attempt, per probe and per
 * ingested document. Nothing is written per request: samples are added into the current minute's series in
 * memory, and a flush every few seconds writes one document per workspace and minute (see schema.ts) holding
 * this instance's running totals. The same samples also feed per-process totals that `GET /metrics` exposes in
 * Prometheus' text format (prometheus.ts).
 *
 * Losslessness: a flush overwrites whole documents with running totals, so a failed flush is simply tried
 * again with everything since; a minute is forgotten only after a flush that wrote it succeeded, and a process
 * that stops (SIGTERM in Cloud Run, `close()` locally) flushes first. A process that dies without warning loses
 * at most the samples since its last flush (`flushEveryMs`, 10 s by default).
 */
import { randomBytes } from "node:crypto";
import type { Clock, DocStore } from "../ports.js";
import { log } from "../log.js";
import { addHistogram, emptyHistogram, observe, type Histogram } from "./histogram.js";
import {
  activeScopesPath,
  bucketKey,
  bucketsPath,
  floorTo,
  platformScope,
  seriesKey,
  type MetricBucket,
  type Series,
  type SeriesKind,
} from "./schema.js";

/** The labels a series may carry per scope: a workspace sees its agents, the platform scope does not. */
const agentLabel = "agent";

/** More series than this in one workspace's minute fold into one `other` series (a runaway label). */
export const maxSeriesPerBucket = 400;

export interface RequestSample {
  readonly tenantId: string | null;
  readonly method: string;
  /** The route's template (`/v1/agents/{agentId}`), never the raw path; `unmatched` when none matched. */
  readonly route: string;
  readonly status: number;
  readonly ms: number;
}

export interface TurnSample {
  readonly tenantId: string;
  readonly agentId: string;
  readonly channel: string;
  readonly status: "answered" | "abstained" | "declined" | "failed";
  readonly ms: number;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly toolCalls: number;
  readonly toolErrors: number;
  /** A synthetic probe's turn: counted in its own series, never with real traffic. */
  readonly synthetic?: boolean;
}

export interface ModelSample {
  readonly kind: "chat" | "embed";
  readonly provider: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly tenantId?: string;
}

export interface TaskSample {
  readonly queue: string;
  readonly ok: boolean;
  readonly ms: number;
}

export interface ProbeSample {
  readonly tenantId: string;
  readonly agentId: string;
  readonly ok: boolean;
  readonly ms: number;
}

export interface IngestionSample {
  readonly tenantId: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly chunks: number;
  readonly bytes: number;
}

interface MinuteState {
  readonly scope: string;
  readonly at: Date;
  readonly series: Map<string, Series>;
  dirty: boolean;
  /** The workspace was marked active for this minute (activeScopesPath). */
  announced: boolean;
}

/** Per-process totals since start, for Prometheus. */
export interface ProcessTotals {
  readonly startedAt: Date;
  readonly series: ReadonlyMap<string, Series>;
  readonly flushFailures: number;
}

export interface RecorderOptions {
  readonly flushEveryMs?: number;
  /** Off: every sample is dropped (METRICS_ENABLED=false, the bench's baseline). */
  readonly enabled?: boolean;
}

export class MetricsRecorder {
  readonly instance = `${process.pid.toString(36)}${randomBytes(4).toString("hex")}`;
  /** Per scope, per minute (ms since the epoch). */
  private readonly minutes = new Map<string, Map<number, MinuteState>>();
  private readonly totals = new Map<string, Series>();
  private readonly startedAt: Date;
  private flushFailures = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly flushEveryMs: number;

  constructor(
    private readonly store: DocStore,
    private readonly clock: Clock,
    options: RecorderOptions = {},
  ) {
    this.startedAt = clock.now();
    this.flushEveryMs = options.flushEveryMs ?? 10_000;
    this.closed = options.enabled === false;
  }

  request(s: RequestSample): void {
    const labels = { method: s.method, route: s.route, status: statusClass(s.status) };
    this.add(s.tenantId, "request", labels, s.ms, s.status >= 500, {});
  }

  turn(s: TurnSample): void {
    const labels = {
      agent: s.agentId,
      channel: s.channel,
      ...(s.synthetic ? { synthetic: "true" } : {}),
    };
    this.add(s.tenantId, "turn", labels, s.ms, s.status === "failed", {
      answered: s.status === "answered" ? 1 : 0,
      abstained: s.status === "abstained" ? 1 : 0,
      declined: s.status === "declined" ? 1 : 0,
      tokensIn: s.tokensIn,
      tokensOut: s.tokensOut,
      toolCalls: s.toolCalls,
      toolErrors: s.toolErrors,
    });
  }

  model(s: ModelSample): void {
    this.add(s.tenantId ?? null, "model", { kind: s.kind, provider: s.provider }, s.ms, !s.ok, {});
  }

  task(s: TaskSample): void {
    this.add(null, "task", { queue: s.queue }, s.ms, !s.ok, {});
  }

  probe(s: ProbeSample): void {
    this.add(s.tenantId, "probe", { agent: s.agentId }, s.ms, !s.ok, {});
  }

  ingestion(s: IngestionSample): void {
    this.add(s.tenantId, "ingestion", {}, s.ms, !s.ok, { chunks: s.chunks, bytes: s.bytes });
  }

  /** Totals since this process started (Prometheus' counters and histograms). */
  processTotals(): ProcessTotals {
    return { startedAt: this.startedAt, series: this.totals, flushFailures: this.flushFailures };
  }

  /** Adds one sample to its workspace's minute, to the platform's minute, and to the process totals. */
  private add(
    tenantId: string | null,
    kind: SeriesKind,
    labels: Record<string, string>,
    ms: number,
    error: boolean,
    counts: Record<string, number>,
  ): void {
    if (this.closed) return;
    // A clock that stepped back, or a caller's NaN, must not poison a sum that is never reset.
    ms = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const now = this.clock.now().getTime();
    const minute = now - (((now % 60_000) + 60_000) % 60_000);
    // Labels come in sorted order (see the sample methods), so keys need no sorting on this hot path.
    const platformLabels = agentLabel in labels ? withoutAgent(labels) : labels;
    const platformKey = keyOf(kind, platformLabels);
    if (tenantId) {
      const key = platformLabels === labels ? platformKey : keyOf(kind, labels);
      this.addTo(this.minute(tenantId, minute), key, kind, labels, ms, error, counts);
    }
    this.addTo(this.minute(platformScope, minute), platformKey, kind, platformLabels, ms, error, counts);
    addSample(this.totals, platformKey, kind, platformLabels, ms, error, counts, Number.POSITIVE_INFINITY);
    this.schedule();
  }

  private minute(scope: string, minute: number): MinuteState {
    let byMinute = this.minutes.get(scope);
    if (!byMinute) {
      byMinute = new Map();
      this.minutes.set(scope, byMinute);
    }
    let state = byMinute.get(minute);
    if (!state) {
      state = {
        scope,
        at: new Date(minute),
        series: new Map(),
        dirty: false,
        announced: scope === platformScope,
      };
      byMinute.set(minute, state);
    }
    return state;
  }

  private addTo(
    state: MinuteState,
    key: string,
    kind: SeriesKind,
    labels: Record<string, string>,
    ms: number,
    error: boolean,
    counts: Record<string, number>,
  ): void {
    addSample(state.series, key, kind, labels, ms, error, counts, maxSeriesPerBucket);
    state.dirty = true;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushEveryMs);
    this.timer.unref();
  }

  /**
   * Writes every minute with new samples (one document per workspace and minute), then forgets the minutes
   * that are over and written. One flush runs at a time; a failed one leaves everything for the next.
   */
  flush(): Promise<void> {
    const previous = this.flushing ?? Promise.resolve();
    const next = previous.then(() => this.flushOnce());
    this.flushing = next.finally(() => {
      if (this.flushing === next) this.flushing = undefined;
    });
    return next;
  }

  private async flushOnce(): Promise<void> {
    const dirty = this.allMinutes().filter((m) => m.dirty);
    const writtenAt = this.clock.nowIso();
    // Marked clean before the writes: a sample arriving during them marks its minute dirty again.
    for (const m of dirty) m.dirty = false;
    const announcing = dirty.filter((m) => !m.announced);
    try {
      for (let i = 0; i < dirty.length; i += 200) {
        const batch = this.store.batch();
        for (const m of dirty.slice(i, i + 200)) {
          const doc: MetricBucket = {
            grain: "minute",
            at: m.at.toISOString(),
            instance: this.instance,
            writtenAt,
            series: [...m.series.values()],
          };
          batch.set(`${bucketsPath(m.scope, "minute")}/${bucketKey(m.at, "minute")}_${this.instance}`, doc);
          if (!m.announced)
            batch.set(`${activeScopesPath}/${m.scope}`, { lastActiveAt: doc.at }, { merge: true });
        }
        await batch.commit();
      }
      for (const m of announcing) m.announced = true;
    } catch (e) {
      for (const m of dirty) m.dirty = true;
      this.flushFailures++;
      log.warn("metrics flush failed; kept for the next one", { err: e, minutes: dirty.length });
      this.schedule();
      return;
    }
    const current = floorTo(this.clock.now(), "minute").getTime();
    for (const [scope, byMinute] of this.minutes) {
      for (const [minute, m] of byMinute) if (!m.dirty && minute < current) byMinute.delete(minute);
      if (byMinute.size === 0) this.minutes.delete(scope);
    }
    if (this.allMinutes().some((m) => m.dirty)) this.schedule();
  }

  private allMinutes(): MinuteState[] {
    return [...this.minutes.values()].flatMap((byMinute) => [...byMinute.values()]);
  }

  /** Flushes what is left and stops: no sample is taken after. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    this.closed = true;
  }
}

function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/** `seriesKey` for labels already in sorted order (the recorder's own). */
function keyOf(kind: SeriesKind, labels: Readonly<Record<string, string>>): string {
  let key = `${kind}|`;
  let first = true;
  for (const k in labels) {
    key += `${first ? "" : "|"}${k}=${labels[k]}`;
    first = false;
  }
  return key;
}

function withoutAgent(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in labels) if (k !== agentLabel) out[k] = labels[k] as string;
  return out;
}

function addSample(
  into: Map<string, Series>,
  key: string,
  kind: SeriesKind,
  labels: Record<string, string>,
  ms: number,
  error: boolean,
  counts: Record<string, number>,
  cap: number,
): void {
  let series = into.get(key);
  if (!series) {
    if (into.size >= cap) {
      labels = { other: "true" };
      key = seriesKey(kind, labels);
      series = into.get(key);
    }
    if (!series) {
      series = { kind, labels, count: 0, errors: 0, sumMs: 0, hist: emptyHistogram(), counts: {} };
      into.set(key, series);
    }
  }
  series.count++;
  if (error) series.errors++;
  series.sumMs += ms;
  observe(series.hist, ms);
  for (const k in counts) {
    const v = counts[k] as number;
    if (v) series.counts[k] = (series.counts[k] ?? 0) + v;
  }
}

/** Adds one series into a map of series (rollups and readers merge buckets with it). */
export function mergeSeries(into: Map<string, Series>, s: Series): void {
  const key = seriesKey(s.kind, s.labels);
  const have = into.get(key);
  if (!have) {
    into.set(key, { ...s, hist: [...s.hist] as Histogram, counts: { ...s.counts } });
    return;
  }
  have.count += s.count;
  have.errors += s.errors;
  have.sumMs += s.sumMs;
  addHistogram(have.hist, s.hist);
  for (const [k, v] of Object.entries(s.counts)) have.counts[k] = (have.counts[k] ?? 0) + v;
}

// ---------------------------------------------------------------------------------------------------
// One recorder per store (a process has one; tests that open several platforms get one each)
// ---------------------------------------------------------------------------------------------------

/** Keyed by store and clock: a test that runs the platform on a simulated clock gets its own recorder. */
const recorders = new WeakMap<DocStore, Map<Clock, MetricsRecorder>>();

/** The recorder writing to these deps' store, made on first use. */
export function metricsOf(deps: {
  readonly store: DocStore;
  readonly clock: Clock;
  readonly config: { readonly monitor: { readonly metricsEnabled: boolean; readonly flushEveryMs: number } };
}): MetricsRecorder {
  let byClock = recorders.get(deps.store);
  if (!byClock) {
    byClock = new Map();
    recorders.set(deps.store, byClock);
  }
  let recorder = byClock.get(deps.clock);
  if (!recorder) {
    recorder = new MetricsRecorder(deps.store, deps.clock, {
      flushEveryMs: deps.config.monitor.flushEveryMs,
      enabled: deps.config.monitor.metricsEnabled,
    });
    byClock.set(deps.clock, recorder);
  }
  return recorder;
}

/** Flushes and stops the recorders of these deps' store, if it has any (a host shutting down). */
export async function closeMetrics(deps: { readonly store: DocStore }): Promise<void> {
  const byClock = recorders.get(deps.store);
  if (!byClock) return;
  recorders.delete(deps.store);
  await Promise.all([...byClock.values()].map((r) => r.close()));
}
