/**
 * The shape of stored metrics. Each process (an instance) adds what it measures into per-minute series in
 * memory and writes, every few seconds, one document per workspace and minute holding its running totals for
 * that minute (`{minute}_{instance}`): a flush overwrites its own document, so a retried flush never counts
 * twice, and instances never contend. The monitor's tick rolls closed minutes up into hour and day documents.
 * Operator-wide figures live under the platform scope (`system/monitor`), with the agent label dropped.
 */
import { z } from "zod";
import { tenantPath } from "../caller.js";

/** The scope of everything the installation measures, across workspaces and unauthenticated requests. */
export const platformScope = "_platform";

export type Grain = "minute" | "hour" | "day";

export const seriesKinds = ["request", "turn", "model", "task", "probe", "ingestion"] as const;
export type SeriesKind = (typeof seriesKinds)[number];

export const seriesSchema = z.object({
  kind: z.enum(seriesKinds),
  /** What the series is about: route + method + status class, agent + channel, queue, provider... */
  labels: z.record(z.string(), z.string()),
  count: z.number().int().nonnegative(),
  /** Failures: 5xx answers, failed turns, model calls that threw, failed task attempts, failed probes. */
  errors: z.number().int().nonnegative(),
  sumMs: z.number().nonnegative(),
  /** Latency counts per bucket of `latencyBoundsMs` (histogram.ts). */
  hist: z.array(z.number().int().nonnegative()),
  /** Kind-specific counters: abstained, declined, tokensIn, tokensOut, toolCalls, toolErrors, synthetic... */
  counts: z.record(z.string(), z.number()).default({}),
});
export type Series = z.infer<typeof seriesSchema>;

export const bucketSchema = z.object({
  grain: z.enum(["minute", "hour", "day"]),
  /** The start of the minute, hour or day, ISO-8601 UTC (`2026-12-05T06:01:00.000Z`). */
  at: z.string(),
  /** The process that wrote a minute; absent on rollups (they add every instance up). */
  instance: z.string().optional(),
  /** When this document was last written: the tick finds late minutes of hours it already rolled up. */
  writtenAt: z.string(),
  series: z.array(seriesSchema),
});
export type MetricBucket = z.infer<typeof bucketSchema>;

const collectionOf: Record<Grain, string> = {
  minute: "metricMinutes",
  hour: "metricHours",
  day: "metricDays",
};

/**
 * The workspaces with recent metrics (`{lastActiveAt}` per workspace, written by the recorder once per
 * minute it measures something): the monitor's tick rolls up and evaluates these, not every workspace.
 */
export const activeScopesPath = "system/monitor/activeScopes";

/** Where a scope keeps what the monitor stores about it (its rules, alerts, incidents and metrics). */
export function monitorRoot(scope: string): string {
  return scope === platformScope ? "system/monitor" : tenantPath(scope);
}

export function bucketsPath(scope: string, grain: Grain): string {
  return `${monitorRoot(scope)}/${collectionOf[grain]}`;
}

/** The start of the minute, hour or day holding `at`. */
export function floorTo(at: Date, grain: Grain): Date {
  const d = new Date(at.getTime());
  d.setUTCSeconds(0, 0);
  if (grain !== "minute") d.setUTCMinutes(0);
  if (grain === "day") d.setUTCHours(0);
  return d;
}

export const grainMs: Record<Grain, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** A sortable document id for a bucket start: `202612050601` (minute), `2026120506` (hour), `20261205` (day). */
export function bucketKey(at: Date, grain: Grain): string {
  const iso = at.toISOString();
  const digits = iso.slice(0, 16).replace(/[-T:]/g, "");
  return grain === "minute" ? digits : grain === "hour" ? digits.slice(0, 10) : digits.slice(0, 8);
}

/** The identity of a series within a bucket: its kind and sorted labels. */
export function seriesKey(kind: SeriesKind, labels: Readonly<Record<string, string>>): string {
  return `${kind}|${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join("|")}`;
}
