/**
 * The statistics an experiment's results show: the two-proportion z-test and the confidence interval of the
 * difference, and percentiles. Pure functions, checked against textbook values in significance.test.ts.
 *
 * Method (named in every result): for proportions p1 = x1/n1 (baseline) and p2 = x2/n2 (variant),
 *   pooled p = (x1 + x2) / (n1 + n2),  z = (p2 − p1) / sqrt(p(1 − p)(1/n1 + 1/n2)),  two-sided p-value = 2·Φ(−|z|);
 *   95% CI of p2 − p1 = (p2 − p1) ± 1.959964·sqrt(p1(1 − p1)/n1 + p2(1 − p2)/n2)   (Wald, unpooled).
 * The normal approximation needs enough data: each variant must have at least `minSamples` observations and
 * at least 5 expected successes and failures under the pooled proportion (n·p ≥ 5, n·(1 − p) ≥ 5); below that
 * the result says "not enough data" and computes nothing.
 */

/** Observations per variant below which no test is run. */
export const minSamples = 30;
/** Expected successes and failures (under the pooled proportion) each variant needs. */
export const minExpected = 5;
export const confidenceLevel = 0.95;
/** The 97.5th percentile of the standard normal distribution. */
export const z975 = 1.959963984540054;

export const testMethod =
  "two-proportion z-test (pooled standard error), two-sided; 95% Wald confidence interval of the difference";

const logSqrt2Pi = 0.9189385332046728; // ln(√(2π))

/**
 * Φ(x), the standard normal distribution function. For |x| < 7, Marsaglia's series (J. Statistical Software
 * 11(4), 2004): Φ(x) = ½ + φ(x)·(x + x³/3 + x⁵/(3·5) + ...), about 1e-15 absolute. Beyond, the tail's
 * continued fraction (Laplace) Q(x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + ...)))), which converges fast there.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= -40) return 0;
  if (x >= 40) return 1;
  if (Math.abs(x) < 7) {
    let sum = x;
    let term = x;
    const q = x * x;
    for (let i = 3; i < 1000; i += 2) {
      term *= q / i;
      const next = sum + term;
      if (next === sum) break;
      sum = next;
    }
    return 0.5 + sum * Math.exp(-0.5 * q - logSqrt2Pi);
  }
  const a = Math.abs(x);
  let fraction = a;
  for (let k = 60; k >= 1; k--) fraction = a + k / fraction;
  const tail = Math.exp(-0.5 * a * a - logSqrt2Pi) / fraction;
  return x < 0 ? tail : 1 - tail;
}

export interface ProportionTest {
  readonly method: string;
  readonly enoughData: boolean;
  /** Why there is not enough data (or "" when there is). */
  readonly reason: string;
  readonly baseline: { readonly successes: number; readonly n: number; readonly rate: number | null };
  readonly variant: { readonly successes: number; readonly n: number; readonly rate: number | null };
  /** Variant rate − baseline rate. */
  readonly difference: number | null;
  readonly z: number | null;
  readonly pValue: number | null;
  readonly ci: readonly [number, number] | null;
  readonly confidenceLevel: number;
}

export function twoProportionTest(
  baseline: { successes: number; n: number },
  variant: { successes: number; n: number },
): ProportionTest {
  const rate = (s: { successes: number; n: number }) => (s.n > 0 ? s.successes / s.n : null);
  const r1 = rate(baseline);
  const r2 = rate(variant);
  const common = {
    method: testMethod,
    baseline: { ...baseline, rate: r1 },
    variant: { ...variant, rate: r2 },
    confidenceLevel,
  };
  const n = baseline.n + variant.n;
  const pooled = n > 0 ? (baseline.successes + variant.successes) / n : 0;
  const short: string[] = [];
  for (const [name, s] of [
    ["baseline", baseline],
    ["variant", variant],
  ] as const) {
    if (s.n < minSamples) short.push(`the ${name} has ${s.n} observations (needs ${minSamples})`);
    else if (s.n * pooled < minExpected || s.n * (1 - pooled) < minExpected) {
      short.push(
        `the ${name} expects ${Math.min(s.n * pooled, s.n * (1 - pooled)).toFixed(1)} of the rarer outcome (needs ${minExpected})`,
      );
    }
  }
  if (short.length > 0 || r1 === null || r2 === null) {
    return {
      ...common,
      enoughData: false,
      reason: `not enough data: ${short.join("; ")}`,
      difference: r1 !== null && r2 !== null ? r2 - r1 : null,
      z: null,
      pValue: null,
      ci: null,
    };
  }
  const difference = r2 - r1;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.n + 1 / variant.n));
  const z = se > 0 ? difference / se : 0;
  const pValue = Math.min(1, 2 * normalCdf(-Math.abs(z)));
  const seDiff = Math.sqrt((r1 * (1 - r1)) / baseline.n + (r2 * (1 - r2)) / variant.n);
  return {
    ...common,
    enoughData: true,
    reason: "",
    difference,
    z,
    pValue,
    ci: [difference - z975 * seDiff, difference + z975 * seDiff],
  };
}

/** The q-quantile (0..1) of `values` by the nearest-rank method; null for none. */
export function percentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}
