/**
 * Reading metrics back, and rolling minutes up. Readers ask for a grain (minute, hour, day) over a window;
 * the documents each process wrote for a minute are added together, and hours and days not rolled up yet are
 * computed from the finer grain, so a window always reads every sample once. Percentiles come from the summed
 * histograms (platform/metrics/histogram.ts), never from the requests.
 *
 * The monitor's tick rolls closed hours into hour documents and closed days into day documents. A minute
 * written late (an instance whose flushes failed for a while) is noticed by its `writtenAt` and its hour (and
 * day) rolled up again, so a rollup never misses what arrived after it.
 */
import type { Deps } from "../platform/deps.js";
import type { DocSnapshot } from "../platform/ports.js";
import { quantile, type Histogram, emptyHistogram, addHistogram } from "../platform/metrics/histogram.js";
import { mergeSeries } from "../platform/metrics/recorder.js";
import {
  bucketKey,
  bucketSchema,
  bucketsPath,
  floorTo,
  grainMs,
  monitorRoot,
  type Grain,
  type MetricBucket,
  type Series,
  type SeriesKind,
} from "../platform/metrics/schema.js";

/** One unit of a grain (a minute, an hour, a day) with every series measured in it. */
export interface Unit {
  readonly at: Date;
  readonly series: Map<string, Series>;
  /** Per SLA target (`api`, `agent:{id}`): minutes observed and minutes failed (hours and days only). */
  readonly sla: Map<string, { observed: number; failed: number }>;
}

/** Minutes kept; hours kept. Days are kept as long as the workspace. */
export const retention = { minuteMs: 8 * 86_400_000, hourMs: 92 * 86_400_000 };
/** How long after an hour ends its minutes are taken as complete (instances flush every 10 s). */
const rollupGraceMs = 3 * 60_000;

const statePath = (scope: string) => `${monitorRoot(scope)}/monitorState/rollup`;

interface RollupState {
  /** Hours before this are rolled up (ISO); null: nothing yet. */
  hoursThrough: string | null;
  daysThrough: string | null;
  /** The last run: minutes written after it, in rolled hours, are rolled again. */
  lastRunAt: string | null;
}

async function readState(deps: Deps, scope: string): Promise<RollupState> {
  const snap = await deps.store.get<RollupState>(statePath(scope));
  return snap?.data ?? { hoursThrough: null, daysThrough: null, lastRunAt: null };
}

function parseBucket(snap: DocSnapshot): MetricBucket | null {
  const parsed = bucketSchema.safeParse(snap.data);
  return parsed.success ? parsed.data : null;
}

/** The stored documents of one grain in [from, to), added up per unit. */
async function readStored(
  deps: Deps,
  scope: string,
  grain: Grain,
  from: Date,
  to: Date,
): Promise<Map<number, Unit>> {
  const units = new Map<number, Unit>();
  if (to <= from) return units;
  const docs = await deps.store.query({
    collection: bucketsPath(scope, grain),
    where: [
      { field: "at", op: ">=", value: from.toISOString() },
      { field: "at", op: "<", value: to.toISOString() },
    ],
    orderBy: [{ field: "at", direction: "asc" }],
  });
  for (const snap of docs) {
    const bucket = parseBucket(snap);
    if (!bucket) continue;
    const at = Date.parse(bucket.at);
    let unit = units.get(at);
    if (!unit) {
      unit = { at: new Date(at), series: new Map(), sla: new Map() };
      units.set(at, unit);
    }
    for (const s of bucket.series) mergeSeries(unit.series, s);
    const sla = (snap.data as { sla?: Record<string, { observed: number; failed: number }> }).sla;
    if (sla) for (const [target, v] of Object.entries(sla)) addSla(unit.sla, target, v.observed, v.failed);
  }
  return units;
}

function addSla(
  into: Map<string, { observed: number; failed: number }>,
  target: string,
  observed: number,
  failed: number,
): void {
  const have = into.get(target) ?? { observed: 0, failed: 0 };
  have.observed += observed;
  have.failed += failed;
  into.set(target, have);
}

/**
 * The units of `grain` in [from, to) that hold data, oldest first: stored rollups where they exist, and the
 * rest computed from the finer grain. `from` is taken back to the start of its unit (a unit is read whole).
 */
export async function readUnits(
  deps: Deps,
  scope: string,
  grain: Grain,
  fromAt: Date,
  to: Date,
): Promise<Unit[]> {
  const from = floorTo(fromAt, grain);
  if (grain === "minute") {
    const minutes = await readStored(deps, scope, "minute", from, to);
    for (const unit of minutes.values()) classifyInto(unit.sla, unit.series);
    return [...minutes.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  }
  const state = await readState(deps, scope);
  const through = grain === "hour" ? state.hoursThrough : state.daysThrough;
  const rolledTo = through ? new Date(Math.min(Date.parse(through), to.getTime())) : from;
  const stored =
    rolledTo > from ? await readStored(deps, scope, grain, from, rolledTo) : new Map<number, Unit>();
  const restFrom = rolledTo > from ? rolledTo : from;
  if (restFrom < to) {
    const finer: Grain = grain === "hour" ? "minute" : "hour";
    for (const unit of await readUnits(deps, scope, finer, restFrom, to)) {
      const at = floorTo(unit.at, grain).getTime();
      let into = stored.get(at);
      if (!into) {
        into = { at: new Date(at), series: new Map(), sla: new Map() };
        stored.set(at, into);
      }
      for (const s of unit.series.values()) mergeSeries(into.series, s);
      for (const [target, v] of unit.sla) addSla(into.sla, target, v.observed, v.failed);
    }
  }
  return [...stored.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

// ---------------------------------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------------------------------

export interface SeriesFilter {
  readonly kind: SeriesKind;
  readonly agentId?: string;
  readonly route?: string;
  readonly channel?: string;
  /** Synthetic probe turns are left out unless asked for. */
  readonly synthetic?: boolean;
}

export interface Summary {
  count: number;
  errors: number;
  sumMs: number;
  hist: Histogram;
  counts: Record<string, number>;
}

export function emptySummary(): Summary {
  return { count: 0, errors: 0, sumMs: 0, hist: emptyHistogram(), counts: {} };
}

export function matches(s: Series, f: SeriesFilter): boolean {
  if (s.kind !== f.kind) return false;
  if (f.agentId !== undefined && s.labels.agent !== f.agentId) return false;
  if (f.route !== undefined && s.labels.route !== f.route) return false;
  if (f.channel !== undefined && s.labels.channel !== f.channel) return false;
  if (s.kind === "turn" && (s.labels.synthetic === "true") !== (f.synthetic ?? false)) return false;
  return true;
}

/** Adds up the series of some units that match a filter. */
export function summarize(units: Iterable<Unit>, filter: SeriesFilter, into = emptySummary()): Summary {
  for (const unit of units) {
    for (const s of unit.series.values()) {
      if (!matches(s, filter)) continue;
      into.count += s.count;
      into.errors += s.errors;
      into.sumMs += s.sumMs;
      addHistogram(into.hist, s.hist);
      for (const [k, v] of Object.entries(s.counts)) into.counts[k] = (into.counts[k] ?? 0) + v;
    }
  }
  return into;
}

export interface Point {
  readonly at: string;
  readonly count: number;
  readonly errors: number;
  readonly errorRate: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly abstained: number;
  /** abstained / (answered + abstained), as analytics defines it; null without either. */
  readonly abstentionRate: number | null;
  readonly tokensIn: number;
  readonly tokensOut: number;
}

export function pointOf(at: Date, s: Summary): Point {
  const abstained = s.counts.abstained ?? 0;
  const decided = (s.counts.answered ?? 0) + abstained;
  return {
    at: at.toISOString(),
    count: s.count,
    errors: s.errors,
    errorRate: s.count === 0 ? null : s.errors / s.count,
    p50: quantile(s.hist, 0.5),
    p95: quantile(s.hist, 0.95),
    p99: quantile(s.hist, 0.99),
    abstained,
    abstentionRate: decided === 0 ? null : abstained / decided,
    tokensIn: s.counts.tokensIn ?? 0,
    tokensOut: s.counts.tokensOut ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------------
// SLA minutes
// ---------------------------------------------------------------------------------------------------

/**
 * A minute fails for a target when a synthetic probe of it failed in that minute, or when at least 5% of its
 * real traffic in that minute failed on the server's side (and at least one request or turn did): for `api`,
 * 5xx answers out of all requests; for an agent, failed turns out of its turns. A minute with neither traffic
 * nor a probe is unobserved: it counts neither way.
 */
export const slaFailureShare = 0.05;

export function classifyInto(
  into: Map<string, { observed: number; failed: number }>,
  series: ReadonlyMap<string, Series>,
): void {
  const tally = new Map<string, { count: number; errors: number; probeFailed: boolean }>();
  const at = (target: string) => {
    let t = tally.get(target);
    if (!t) {
      t = { count: 0, errors: 0, probeFailed: false };
      tally.set(target, t);
    }
    return t;
  };
  for (const s of series.values()) {
    if (s.kind === "request") {
      const t = at("api");
      t.count += s.count;
      t.errors += s.errors;
    } else if (s.kind === "turn" && s.labels.agent) {
      const t = at(`agent:${s.labels.agent}`);
      t.count += s.count;
      t.errors += s.errors;
    } else if (s.kind === "probe" && s.labels.agent) {
      const t = at(`agent:${s.labels.agent}`);
      t.count += s.count;
      if (s.errors > 0) t.probeFailed = true;
    }
  }
  for (const [target, t] of tally) {
    if (t.count === 0) continue;
    const failed = t.probeFailed || (t.errors > 0 && t.errors / t.count >= slaFailureShare);
    addSla(into, target, 1, failed ? 1 : 0);
  }
}

// ---------------------------------------------------------------------------------------------------
// Rollups (the tick)
// ---------------------------------------------------------------------------------------------------

/** At most this many hours are rolled up per run (a long-idle scope catches up over a few ticks). */
const maxHoursPerRun = 48;

function toDoc(grain: Grain, unit: Unit, writtenAt: string): Record<string, unknown> {
  return {
    grain,
    at: unit.at.toISOString(),
    writtenAt,
    series: [...unit.series.values()],
    sla: Object.fromEntries(unit.sla),
  };
}

/** Rolls closed hours and days of a scope up, rolls again those that received late minutes, prunes. */
export async function rollUp(deps: Deps, scope: string): Promise<{ hours: number; days: number }> {
  const now = deps.clock.now();
  const runAt = now.toISOString();
  const state = await readState(deps, scope);
  const writtenAt = runAt;
  let hours = 0;
  let days = 0;

  // Where to start: the last hour rolled, or the scope's oldest minute kept.
  let hourCursor: Date | null = state.hoursThrough ? new Date(state.hoursThrough) : null;
  if (!hourCursor) {
    const [oldest] = await deps.store.query({
      collection: bucketsPath(scope, "minute"),
      orderBy: [{ field: "at", direction: "asc" }],
      limit: 1,
    });
    const at = oldest ? parseBucket(oldest)?.at : undefined;
    hourCursor = at ? floorTo(new Date(at), "hour") : floorTo(now, "hour");
  }

  // Late minutes in hours already rolled: roll those hours (and their days) again.
  const redo = new Set<number>();
  if (state.lastRunAt && state.hoursThrough) {
    const late = await deps.store.query({
      collection: bucketsPath(scope, "minute"),
      where: [{ field: "writtenAt", op: ">=", value: state.lastRunAt }],
      limit: 500,
    });
    for (const snap of late) {
      const b = parseBucket(snap);
      if (b && b.at < state.hoursThrough) redo.add(floorTo(new Date(b.at), "hour").getTime());
    }
  }

  const rollHour = async (start: Date) => {
    const end = new Date(start.getTime() + grainMs.hour);
    const minutes = await readUnits(deps, scope, "minute", start, end);
    const path = `${bucketsPath(scope, "hour")}/${bucketKey(start, "hour")}`;
    if (minutes.length === 0) return deps.store.delete(path);
    const unit: Unit = { at: start, series: new Map(), sla: new Map() };
    for (const m of minutes) {
      for (const s of m.series.values()) mergeSeries(unit.series, s);
      for (const [target, v] of m.sla) addSla(unit.sla, target, v.observed, v.failed);
    }
    hours++;
    await deps.store.set(path, toDoc("hour", unit, writtenAt));
  };

  for (const at of redo) await rollHour(new Date(at));
  const firstHour = hourCursor;
  let rolled = 0;
  while (hourCursor.getTime() + grainMs.hour + rollupGraceMs <= now.getTime() && rolled < maxHoursPerRun) {
    await rollHour(hourCursor);
    hourCursor = new Date(hourCursor.getTime() + grainMs.hour);
    rolled++;
  }

  // Days whose hours are all rolled; and days holding an hour rolled again.
  let dayCursor = state.daysThrough ? new Date(state.daysThrough) : floorTo(firstHour, "day");
  const rollDay = async (start: Date) => {
    const end = new Date(start.getTime() + grainMs.day);
    const stored = await readStored(deps, scope, "hour", start, end);
    const path = `${bucketsPath(scope, "day")}/${bucketKey(start, "day")}`;
    if (stored.size === 0) return deps.store.delete(path);
    const unit: Unit = { at: start, series: new Map(), sla: new Map() };
    for (const h of stored.values()) {
      for (const s of h.series.values()) mergeSeries(unit.series, s);
      for (const [target, v] of h.sla) addSla(unit.sla, target, v.observed, v.failed);
    }
    days++;
    await deps.store.set(path, toDoc("day", unit, writtenAt));
  };
  const redoDays = new Set([...redo].map((h) => floorTo(new Date(h), "day").getTime()));
  for (const d of redoDays) if (d < dayCursor.getTime()) await rollDay(new Date(d));
  while (dayCursor.getTime() + grainMs.day <= hourCursor.getTime()) {
    await rollDay(dayCursor);
    dayCursor = new Date(dayCursor.getTime() + grainMs.day);
  }

  await deps.store.set(statePath(scope), {
    hoursThrough: hourCursor.toISOString(),
    daysThrough: dayCursor.toISOString(),
    lastRunAt: runAt,
  } satisfies RollupState);
  await prune(deps, scope, now, hourCursor, dayCursor);
  return { hours, days };
}

/**
 * Drops minutes and hours past their retention (a few hundred per run), but never one not rolled up yet: a
 * scope catching up 48 hours a run (after the tick stopped for over a week) would otherwise lose them.
 */
async function prune(
  deps: Deps,
  scope: string,
  now: Date,
  hoursThrough: Date,
  daysThrough: Date,
): Promise<void> {
  for (const [grain, keepMs, rolledThrough] of [
    ["minute", retention.minuteMs, hoursThrough],
    ["hour", retention.hourMs, daysThrough],
  ] as const) {
    const before = Math.min(now.getTime() - keepMs, rolledThrough.getTime());
    const old = await deps.store.query({
      collection: bucketsPath(scope, grain),
      where: [{ field: "at", op: "<", value: new Date(before).toISOString() }],
      limit: 400,
    });
    if (old.length === 0) continue;
    const batch = deps.store.batch();
    for (const snap of old) batch.delete(snap.path);
    await batch.commit();
  }
}
