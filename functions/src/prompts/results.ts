/**
 * An experiment's results: per-variant figures over the traces its turns recorded (`experiment: {id, variant}`)
 * and the feedback on those answers (accountability/feedback.ts), and whether the differences are significant.
 *
 * Per variant: turns; answer rate (answered / turns); abstention rate (abstained or declined / turns); failure
 * rate; feedback score (thumbs up / rated answers); latency p50/p95 (nearest rank over the turns' total time);
 * tokens in and out; cost estimated with the billing catalog in force when each turn ran (billing/catalog.ts,
 * the same prices the meter charges); and the eval score when a reader is configured (the Sandbox's).
 * Significance: each variant against the first (the baseline) on answer rate, abstention rate and feedback
 * score, by the two-proportion z-test (significance.ts). With more than two variants the p-values are also
 * Bonferroni-adjusted (× the number of comparisons), and `significant` uses the adjusted value, so adding
 * variants does not make a chance difference look real.
 */
import { feedbackForTraces } from "../accountability/feedback.js";
import { tracesPath, traceSchema, type Trace } from "../accountability/schema.js";
import { catalogAt, costOf } from "../billing/catalog.js";
import { usageEventOf } from "../billing/usage.js";
import type { Deps } from "../platform/deps.js";
import { everyMatch } from "../platform/paging.js";
import { getExperiment, type ExperimentView } from "./experiments.js";
import type { ExperimentMetric, Variant } from "./schema.js";
import { percentile, twoProportionTest, type ProportionTest } from "./significance.js";

/**
 * The Sandbox's score (0..1) of an agent version on an eval dataset, and the run that measured it; null when
 * no run did. Eval runs target agent versions, so only a variant that serves a whole version has one: the
 * control (the version published when the experiment started) or a variant that only names `agentVersion`.
 */
export type EvalScoreReader = (
  deps: Deps,
  tenantId: string,
  target: { readonly agentId: string; readonly version: number },
) => Promise<{ readonly score: number; readonly runId: string } | null>;

/** The agent version a variant serves as a whole (what an eval run can target), or null. */
export function evalTargetOf(variant: Variant, baseVersion: number | null): number | null {
  const { agentVersion, ...others } = variant.overrides;
  if (Object.values(others).some((v) => v !== undefined)) return null;
  return agentVersion ?? baseVersion;
}

/** Traces read per experiment; beyond, the figures cover the first ones read and say `truncated`. */
export const maxTracesRead = 100_000;

export interface VariantMetrics {
  readonly variantId: string;
  readonly name: string;
  readonly share: number;
  readonly turns: number;
  readonly answered: number;
  readonly abstained: number;
  readonly failed: number;
  readonly answerRate: number | null;
  readonly abstentionRate: number | null;
  readonly failureRate: number | null;
  /** Share of rated answers rated up. */
  readonly feedbackScore: number | null;
  readonly ratings: number;
  readonly ratingsUp: number;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly tokens: number;
  /** Estimated cost in micros of the catalog's currency, and per turn. */
  readonly costMicros: number;
  readonly costPerTurnMicros: number | null;
  /** The Sandbox's accuracy for the agent version this variant serves (see `EvalScoreReader`). */
  readonly evalScore: number | null;
  readonly evalRunId: string | null;
  readonly evalVersion: number | null;
}

export interface Significance extends ProportionTest {
  readonly metric: ExperimentMetric;
  readonly baselineVariantId: string;
  readonly variantId: string;
  /** The p-value × the number of comparisons with the baseline (capped at 1). */
  readonly pValueAdjusted: number | null;
  readonly significant: boolean;
  /** Whether a positive difference is an improvement (false for the abstention rate). */
  readonly higherIsBetter: boolean;
}

export interface ExperimentResults {
  readonly experimentId: string;
  readonly experiment: ExperimentView;
  readonly generatedAt: string;
  readonly tracesRead: number;
  readonly truncated: boolean;
  readonly variants: VariantMetrics[];
  readonly significance: Significance[];
  /**
   * On the experiment's metric: the variant significantly better than the baseline by the most, or the
   * baseline when every other variant is significantly worse; null while nothing is significant.
   */
  readonly winnerVariantId: string | null;
}

interface Tally {
  turns: number;
  answered: number;
  abstained: number;
  failed: number;
  latencies: number[];
  inputTokens: number;
  outputTokens: number;
  costMicros: number;
  traceIds: string[];
}

const newTally = (): Tally => ({
  turns: 0,
  answered: 0,
  abstained: 0,
  failed: 0,
  latencies: [],
  inputTokens: 0,
  outputTokens: 0,
  costMicros: 0,
  traceIds: [],
});

const higherIsBetter: Record<ExperimentMetric, boolean> = {
  answerRate: true,
  feedbackScore: true,
  abstentionRate: false,
};

export async function experimentResults(
  deps: Deps,
  tenantId: string,
  experimentId: string,
  evalScore?: EvalScoreReader,
): Promise<ExperimentResults> {
  const experiment = await getExperiment(deps, tenantId, experimentId);
  const tallies = new Map(experiment.variants.map((v) => [v.id, newTally()]));
  let read = 0;
  let truncated = false;
  for await (const snap of everyMatch(
    deps.store,
    { collection: tracesPath(tenantId), where: [{ field: "experiment.id", op: "==", value: experimentId }] },
    500,
  )) {
    if (read >= maxTracesRead) {
      truncated = true;
      break;
    }
    read++;
    const trace: Trace = traceSchema.parse(snap.data);
    const tally = trace.experiment && tallies.get(trace.experiment.variant);
    // Experiments never run on Sandbox or probe turns; a trace marked so is not live traffic.
    if (!tally || trace.sandbox || trace.synthetic) continue;
    tally.turns++;
    if (trace.status === "answered") tally.answered++;
    else if (trace.status === "failed") tally.failed++;
    else tally.abstained++;
    tally.latencies.push(trace.timingsMs.total);
    tally.inputTokens += trace.generation.usage.inputTokens;
    tally.outputTokens += trace.generation.usage.outputTokens;
    tally.costMicros += costOf(usageEventOf(trace, false), await catalogAt(deps, trace.createdAt));
    if (trace.status !== "failed") tally.traceIds.push(snap.id);
  }

  const variants: VariantMetrics[] = [];
  const ups = new Map<string, { up: number; rated: number }>();
  for (const v of experiment.variants) {
    const t = tallies.get(v.id) ?? newTally();
    const feedback = await feedbackForTraces(deps, tenantId, t.traceIds);
    const up = [...feedback.values()].filter((f) => f.rating === "up").length;
    ups.set(v.id, { up, rated: feedback.size });
    const evalVersion = evalTargetOf(v, experiment.baseVersion);
    const score =
      evalScore && evalVersion !== null
        ? await evalScore(deps, tenantId, { agentId: experiment.agentId, version: evalVersion })
        : null;
    const rate = (x: number) => (t.turns > 0 ? x / t.turns : null);
    variants.push({
      variantId: v.id,
      name: v.name,
      share: v.share,
      turns: t.turns,
      answered: t.answered,
      abstained: t.abstained,
      failed: t.failed,
      answerRate: rate(t.answered),
      abstentionRate: rate(t.abstained),
      failureRate: rate(t.failed),
      feedbackScore: feedback.size > 0 ? up / feedback.size : null,
      ratings: feedback.size,
      ratingsUp: up,
      latencyP50Ms: percentile(t.latencies, 0.5),
      latencyP95Ms: percentile(t.latencies, 0.95),
      inputTokens: t.inputTokens,
      outputTokens: t.outputTokens,
      tokens: t.inputTokens + t.outputTokens,
      costMicros: t.costMicros,
      costPerTurnMicros: t.turns > 0 ? t.costMicros / t.turns : null,
      evalScore: score?.score ?? null,
      evalRunId: score?.runId ?? null,
      evalVersion,
    });
  }

  const significance = compareVariants(variants);
  return {
    experimentId,
    experiment,
    generatedAt: deps.clock.nowIso(),
    tracesRead: read,
    truncated,
    variants,
    significance,
    winnerVariantId: winnerOf(experiment.metric, variants, significance),
  };
}

/** Each variant against the first, on each metric. */
export function compareVariants(variants: readonly VariantMetrics[]): Significance[] {
  const [baseline, ...others] = variants;
  if (!baseline) return [];
  const comparisons = others.length;
  const counts: Record<ExperimentMetric, (v: VariantMetrics) => { successes: number; n: number }> = {
    answerRate: (v) => ({ successes: v.answered, n: v.turns }),
    abstentionRate: (v) => ({ successes: v.abstained, n: v.turns }),
    feedbackScore: (v) => ({ successes: v.ratingsUp, n: v.ratings }),
  };
  const out: Significance[] = [];
  for (const metric of ["answerRate", "abstentionRate", "feedbackScore"] as const) {
    for (const v of others) {
      const test = twoProportionTest(counts[metric](baseline), counts[metric](v));
      const adjusted = test.pValue === null ? null : Math.min(1, test.pValue * comparisons);
      out.push({
        ...test,
        method:
          comparisons > 1
            ? `${test.method}; Bonferroni-adjusted for ${comparisons} comparisons`
            : test.method,
        metric,
        baselineVariantId: baseline.variantId,
        variantId: v.variantId,
        pValueAdjusted: adjusted,
        significant: adjusted !== null && adjusted < 1 - test.confidenceLevel,
        higherIsBetter: higherIsBetter[metric],
      });
    }
  }
  return out;
}

function winnerOf(
  metric: ExperimentMetric,
  variants: readonly VariantMetrics[],
  significance: readonly Significance[],
): string | null {
  const tests = significance.filter((s) => s.metric === metric);
  const better = (s: Significance) =>
    s.significant && s.difference !== null && (higherIsBetter[metric] ? s.difference > 0 : s.difference < 0);
  const improving = tests
    .filter(better)
    .sort((a, b) => Math.abs(b.difference ?? 0) - Math.abs(a.difference ?? 0));
  if (improving[0]) return improving[0].variantId;
  const baseline = variants[0];
  if (baseline && tests.length > 0 && tests.every((s) => s.significant && !better(s)))
    return baseline.variantId;
  return null;
}
