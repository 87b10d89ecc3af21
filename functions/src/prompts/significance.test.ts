/**
 * The statistics against values computed independently: the normal distribution function against numerical
 * integration of the density and against printed table values, and the two-proportion test against a textbook
 * example (Agresti, "An Introduction to Categorical Data Analysis", 2nd ed., §2.2: the Physicians' Health Study,
 * myocardial infarction in 189 of 11,034 on placebo and 104 of 11,037 on aspirin) and a hand-computed one.
 */
import { describe, expect, it } from "vitest";
import { compareVariants, type VariantMetrics } from "./results.js";
import { minSamples, normalCdf, percentile, twoProportionTest } from "./significance.js";

/** P(|Z| > z) by Simpson's rule over the density from 0 to z: an independent computation. */
function twoSidedBySimpson(z: number): number {
  const n = 20_000;
  const h = Math.abs(z) / n;
  const pdf = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
  let sum = pdf(0) + pdf(Math.abs(z));
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * pdf(i * h);
  return 1 - 2 * ((h / 3) * sum);
}

describe("normalCdf", () => {
  it("matches printed table values", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1)).toBeCloseTo(0.8413447461, 9);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 12);
    expect(normalCdf(-2.575829303548901)).toBeCloseTo(0.005, 12);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316, 12);
  });

  it("matches Simpson integration of the density to 1e-10 from 0 to 6", () => {
    for (let z = 0; z <= 6; z += 0.25) expect(2 * normalCdf(-z)).toBeCloseTo(twoSidedBySimpson(z), 10);
  });

  it("stays monotone and within [0, 1] across the series/continued-fraction boundary and in the tails", () => {
    let last = 0;
    for (let z = -12; z <= 12; z += 0.01) {
      const p = normalCdf(z);
      expect(p).toBeGreaterThanOrEqual(last);
      expect(p).toBeLessThanOrEqual(1);
      last = p;
    }
    // Q(8) = 6.22096e-16 (Abramowitz & Stegun, table 26.1 and the asymptotic series).
    expect(normalCdf(-8) / 6.220960574271785e-16).toBeCloseTo(1, 6);
  });
});

describe("twoProportionTest", () => {
  it("reproduces Agresti's aspirin example: difference −0.0077, 95% CI (−0.0107, −0.0047), z ≈ −5.0", () => {
    const test = twoProportionTest({ successes: 189, n: 11_034 }, { successes: 104, n: 11_037 });
    expect(test.enoughData).toBe(true);
    expect(test.baseline.rate).toBeCloseTo(0.0171, 4);
    expect(test.variant.rate).toBeCloseTo(0.0094, 4);
    expect(test.difference).toBeCloseTo(-0.0077, 4);
    expect(test.ci?.[0]).toBeCloseTo(-0.0107, 4);
    expect(test.ci?.[1]).toBeCloseTo(-0.0047, 4);
    // Independently: pooled p = 293/22071, SE = sqrt(p(1−p)(1/11034 + 1/11037)).
    const p = 293 / 22_071;
    const z = (104 / 11_037 - 189 / 11_034) / Math.sqrt(p * (1 - p) * (1 / 11_034 + 1 / 11_037));
    expect(test.z).toBeCloseTo(z, 12);
    expect(z).toBeCloseTo(-5.0, 1);
    expect(test.pValue).toBeCloseTo(twoSidedBySimpson(z), 9);
    expect(test.pValue).toBeLessThan(1e-6);
  });

  it("reproduces a hand computation: 120/200 against 90/200", () => {
    // p1 = 0.6, p2 = 0.45, pooled 0.525, SE = sqrt(0.525 · 0.475 · 0.01) = 0.0499375, z = −0.15 / SE = −3.00375.
    const test = twoProportionTest({ successes: 120, n: 200 }, { successes: 90, n: 200 });
    expect(test.z).toBeCloseTo(-3.003757, 5);
    expect(test.pValue).toBeCloseTo(twoSidedBySimpson(3.003757), 6);
    expect(test.pValue).toBeCloseTo(0.002667, 5);
    // Wald: SE = sqrt(0.6·0.4/200 + 0.45·0.55/200) = sqrt(0.0012 + 0.0012375) = 0.0493710.
    expect(test.ci?.[0]).toBeCloseTo(-0.15 - 1.959964 * 0.049371, 5);
    expect(test.ci?.[1]).toBeCloseTo(-0.15 + 1.959964 * 0.049371, 5);
  });

  it("says 'not enough data' below the minimum per variant, and when an outcome is too rare", () => {
    const few = twoProportionTest({ successes: 20, n: 29 }, { successes: 10, n: 40 });
    expect(few.enoughData).toBe(false);
    expect(few.pValue).toBeNull();
    expect(few.reason).toBe(`not enough data: the baseline has 29 observations (needs ${minSamples})`);
    const rare = twoProportionTest({ successes: 0, n: 100 }, { successes: 2, n: 100 });
    expect(rare.enoughData).toBe(false);
    expect(rare.reason).toContain("expects 1.0 of the rarer outcome (needs 5)");
    expect(twoProportionTest({ successes: 30, n: 60 }, { successes: 30, n: 60 }).pValue).toBe(1);
  });
});

describe("compareVariants", () => {
  const metrics = (id: string, turns: number, answered: number, ratings = 0, up = 0): VariantMetrics => ({
    variantId: id,
    name: id,
    share: 0,
    turns,
    answered,
    abstained: turns - answered,
    failed: 0,
    answerRate: answered / turns,
    abstentionRate: (turns - answered) / turns,
    failureRate: 0,
    feedbackScore: ratings ? up / ratings : null,
    ratings,
    ratingsUp: up,
    latencyP50Ms: null,
    latencyP95Ms: null,
    inputTokens: 0,
    outputTokens: 0,
    tokens: 0,
    costMicros: 0,
    costPerTurnMicros: null,
    evalScore: null,
    evalRunId: null,
    evalVersion: null,
  });

  it("tests each variant against the first on each metric, Bonferroni-adjusting with more than two", () => {
    const results = compareVariants([metrics("a", 200, 90), metrics("b", 200, 120), metrics("c", 200, 95)]);
    const b = results.find((s) => s.metric === "answerRate" && s.variantId === "b");
    expect(b?.pValueAdjusted).toBeCloseTo(2 * (b?.pValue ?? 0), 12);
    expect(b?.significant).toBe(true);
    expect(b?.method).toContain("Bonferroni-adjusted for 2 comparisons");
    const abstention = results.find((s) => s.metric === "abstentionRate" && s.variantId === "b");
    expect(abstention?.difference).toBeCloseTo(-0.15, 12);
    expect(abstention?.higherIsBetter).toBe(false);
    expect(results.find((s) => s.metric === "feedbackScore")?.reason).toContain("not enough data");
  });
});

describe("percentile", () => {
  it("takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.95)).toBe(95);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});
