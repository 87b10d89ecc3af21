/**
 * Fixed-boundary latency histograms. Every bucket document, every process and every instance uses the same
 * boundaries, so histograms add up by adding their counts, and a percentile over any window is read from the
 * summed counts instead of from the requests themselves. The price is precision: a percentile is known to
 * within the width of the bucket it falls in (about a third of its value with these boundaries, interpolated
 * inside the bucket, which is usually much closer).
 */

/** Upper bounds (inclusive) in milliseconds; a last, open bucket takes everything slower. */
export const latencyBoundsMs: readonly number[] = [
  1, 2, 3, 5, 7, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 4000,
  5000, 7500, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000,
];

/** Counts per bucket: `latencyBoundsMs.length + 1` entries, the last one for anything slower. */
export type Histogram = number[];

export function emptyHistogram(): Histogram {
  return new Array<number>(latencyBoundsMs.length + 1).fill(0);
}

/** The bucket a duration falls in. */
export function bucketOf(ms: number): number {
  // A binary search: this runs on every request.
  let lo = 0;
  let hi = latencyBoundsMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= (latencyBoundsMs[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function observe(histogram: Histogram, ms: number): void {
  const i = bucketOf(Number.isFinite(ms) && ms > 0 ? ms : 0);
  histogram[i] = (histogram[i] ?? 0) + 1;
}

/** Adds `from` into `into` (histograms of other lengths, from older documents, are padded or folded). */
export function addHistogram(into: Histogram, from: readonly number[]): void {
  for (let i = 0; i < from.length; i++) {
    const j = Math.min(i, into.length - 1);
    into[j] = (into[j] ?? 0) + (from[i] ?? 0);
  }
}

/** The bounds of bucket `i`: [lower, upper] in ms; the open bucket's upper bound is Infinity. */
export function bucketRange(i: number): [number, number] {
  const lower = i === 0 ? 0 : (latencyBoundsMs[i - 1] as number);
  const upper = i < latencyBoundsMs.length ? (latencyBoundsMs[i] as number) : Number.POSITIVE_INFINITY;
  return [lower, upper];
}

/**
 * The `q` quantile (0..1) of the durations a histogram counted, interpolated linearly inside its bucket;
 * null when it counted nothing. A quantile in the open bucket reads as that bucket's lower bound.
 */
export function quantile(histogram: readonly number[], q: number): number | null {
  const total = histogram.reduce((n, c) => n + c, 0);
  if (total === 0) return null;
  // The rank of the sample the quantile names (nearest-rank definition, 1-based).
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i] ?? 0;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const [lower, upper] = bucketRange(i);
      if (!Number.isFinite(upper)) return lower;
      // Samples spread evenly over the bucket: the k-th of n sits at k/n of its width.
      return Math.round((lower + ((rank - seen) / count) * (upper - lower)) * 10) / 10;
    }
    seen += count;
  }
  return bucketRange(histogram.length - 1)[0];
}
