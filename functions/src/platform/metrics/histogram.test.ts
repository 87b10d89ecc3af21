/**
 * Percentiles read from bucket histograms agree with the exact percentile of the raw samples within the
 * width of the bucket the exact value falls in, for the distributions turn latencies take (log-normal, a
 * fast mode and a slow mode, uniform, constant), whatever way the samples were split into minutes and
 * instances before being added up.
 */
import { describe, expect, it } from "vitest";
import {
  addHistogram,
  bucketOf,
  bucketRange,
  emptyHistogram,
  latencyBoundsMs,
  observe,
  quantile,
} from "./histogram.js";

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

/** The reference: the nearest-rank percentile of the raw samples. */
function exact(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

const distributions: Record<string, (r: () => number) => number> = {
  "log-normal around 800 ms": (r) =>
    Math.exp(Math.log(800) + 0.6 * Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r())),
  "fast and slow modes": (r) => (r() < 0.8 ? 5 + 20 * r() : 2000 + 6000 * r()),
  "uniform 0 to 3 s": (r) => 3000 * r(),
  "sub-millisecond": (r) => r(),
  constant: () => 123,
};

describe("percentiles from buckets", () => {
  for (const [name, draw] of Object.entries(distributions)) {
    it(`match the raw samples within one bucket's width: ${name}`, () => {
      const random = seeded(name.length * 7919);
      const samples = Array.from({ length: 20_000 }, () => draw(random));
      // Split over 60 minutes and 3 instances, then added up as the readers do.
      const parts = Array.from({ length: 180 }, () => emptyHistogram());
      for (const ms of samples) observe(parts[Math.floor(random() * parts.length)] as number[], ms);
      const merged = emptyHistogram();
      for (const p of parts) addHistogram(merged, p);
      expect(merged.reduce((n, c) => n + c, 0)).toBe(samples.length);
      for (const q of [0.5, 0.9, 0.95, 0.99]) {
        const reference = exact(samples, q);
        const [lower, upper] = bucketRange(bucketOf(reference));
        const estimate = quantile(merged, q) as number;
        expect(
          Math.abs(estimate - reference),
          `p${q * 100}: ${estimate} vs ${reference}`,
        ).toBeLessThanOrEqual(upper - lower);
      }
    });
  }

  it("puts a value on a boundary in the bucket it bounds, and the slowest in the open bucket", () => {
    expect(bucketOf(100)).toBe(latencyBoundsMs.indexOf(100));
    expect(bucketOf(100.01)).toBe(latencyBoundsMs.indexOf(100) + 1);
    expect(bucketOf(10 ** 9)).toBe(latencyBoundsMs.length);
    expect(quantile(emptyHistogram(), 0.5)).toBeNull();
    const h = emptyHistogram();
    observe(h, Number.NaN);
    observe(h, -5);
    expect(h[0]).toBe(2);
  });

  it("adds histograms of older, shorter layouts without losing counts", () => {
    const into = emptyHistogram();
    addHistogram(into, [1, 2, 3]);
    addHistogram(into, new Array<number>(latencyBoundsMs.length + 5).fill(1));
    expect(into.reduce((n, c) => n + c, 0)).toBe(6 + latencyBoundsMs.length + 5);
  });
});
