/**
 * Experiments (`/v1/experiments`): an agent's live traffic split between 2–5 variants, each a set of overrides
 * of the agent's configuration (a prompt version or label, a model, a temperature, knowledge bases, a published
 * agent version), with a sticky assignment per end user. Per-variant metrics, the significance of the
 * difference on the experiment's metric, and promotion of the winner (which publishes a new agent version).
 * The shapes the platform answers (functions/src/prompts/schema.ts) and the data layer's section.
 *
 * Rates and shares are 0..1; latencies milliseconds; costs micro-credits as the billing pages count them.
 */

export const experimentStatuses = ["draft", "running", "stopped", "promoted"] as const;
export type ExperimentStatus = (typeof experimentStatuses)[number];

/** The metric significance is computed on. */
export const experimentMetrics = ["answerRate", "feedbackScore", "abstentionRate"] as const;
export type ExperimentMetric = (typeof experimentMetrics)[number];

export const experimentMetricLabels: Record<ExperimentMetric, string> = {
  answerRate: "Answer rate",
  feedbackScore: "Feedback score (share of thumbs up)",
  abstentionRate: "Abstention rate (lower is better)",
};

/** A variant's prompt: a template at a label or at a version (exactly one). */
export interface PromptOverride {
  readonly templateId: string;
  readonly label?: string;
  readonly version?: number;
}

/** What a variant changes; an absent field keeps the agent's. */
export interface VariantOverrides {
  readonly prompt?: PromptOverride;
  /** `null`: the platform's default model. */
  readonly modelName?: string | null;
  readonly temperature?: number;
  readonly knowledgeBaseIds?: readonly string[];
  readonly agentVersion?: number;
}

export interface Variant {
  readonly id: string;
  readonly name: string;
  /** Share of the traffic, 0..1; the shares sum to 1. */
  readonly share: number;
  readonly overrides: VariantOverrides;
  /** Set at the first start: the prompt version the variant serves from then on, whatever labels do later. */
  readonly resolvedPrompt: {
    readonly templateId: string;
    readonly version: number;
    readonly label: string | null;
  } | null;
}

export interface Experiment {
  readonly id: string;
  readonly agentId: string;
  readonly name: string;
  readonly description: string;
  readonly status: ExperimentStatus;
  readonly variants: readonly Variant[];
  readonly metric: ExperimentMetric;
  /** The agent's published version when it first started (what the control served then). */
  readonly baseVersion: number | null;
  readonly startedAt: string | null;
  readonly stoppedAt: string | null;
  /** The variant promoted, once one is. */
  readonly promotedVariantId: string | null;
  /** The agent version the promotion published. */
  readonly promotedVersion: number | null;
  readonly promotedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface VariantInput {
  /** Short and stable (traces and feedback record it); `a`, `b`, … when left out. */
  readonly id?: string;
  readonly name: string;
  readonly share: number;
  readonly overrides: VariantOverrides;
}

export interface ExperimentInput {
  readonly agentId: string;
  readonly name: string;
  readonly description: string;
  readonly metric: ExperimentMetric;
  readonly variants: readonly VariantInput[];
}

/** One variant's figures over the experiment's live traffic; `null` where there is nothing to compute. */
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
  /** Estimated with the billing catalog, in micros of US dollars. */
  readonly costMicros: number;
  readonly costPerTurnMicros: number | null;
  /** The variant's score on an eval run of it, when one scored it. */
  readonly evalScore: number | null;
  readonly evalRunId: string | null;
}

export interface ProportionSide {
  readonly successes: number;
  readonly n: number;
  readonly rate: number | null;
}

/** One variant against the baseline (the first variant) on one metric. */
export interface Significance {
  readonly metric: ExperimentMetric;
  /** In the platform's words: "two-proportion z-test (pooled standard error), two-sided; …". */
  readonly method: string;
  readonly baselineVariantId: string;
  readonly variantId: string;
  /** `false`: too few samples for the test to say anything; `reason` says why. */
  readonly enoughData: boolean;
  readonly reason: string;
  readonly baseline: ProportionSide;
  readonly variant: ProportionSide;
  /** The variant's rate minus the baseline's. */
  readonly difference: number | null;
  readonly z: number | null;
  readonly pValue: number | null;
  /** The p-value × the number of comparisons (Bonferroni), what `significant` uses. */
  readonly pValueAdjusted: number | null;
  /** The confidence interval of the difference, at `confidenceLevel`. */
  readonly ci: readonly [number, number] | null;
  readonly confidenceLevel: number;
  readonly significant: boolean;
  /** Whether a positive difference is an improvement (false for the abstention rate). */
  readonly higherIsBetter: boolean;
}

export interface ExperimentResults {
  readonly experimentId: string;
  readonly generatedAt: string;
  readonly tracesRead: number;
  /** The figures cover the first traces read only. */
  readonly truncated: boolean;
  readonly variants: readonly VariantMetrics[];
  readonly significance: readonly Significance[];
  /** On the experiment's metric, the variant significantly better than the baseline; `null` otherwise. */
  readonly winnerVariantId: string | null;
}

export interface PromotionOutcome {
  readonly experiment: Experiment;
  /** The agent version the promotion published. */
  readonly version: number;
}

/** Reads need `workspace.read`; changes `agents.manage` (editors and up). */
export interface ExperimentsSource {
  /** Newest first; of one agent when `agentId` is given. */
  listExperiments(filter: { readonly agentId?: string }, signal: AbortSignal): Promise<Experiment[]>;
  getExperiment(experimentId: string, signal: AbortSignal): Promise<Experiment>;
  getExperimentResults(experimentId: string, signal: AbortSignal): Promise<ExperimentResults>;
  createExperiment(input: ExperimentInput): Promise<Experiment>;
  startExperiment(experimentId: string): Promise<Experiment>;
  stopExperiment(experimentId: string): Promise<Experiment>;
  /** Publishes a new agent version with the variant's overrides applied, and marks the experiment promoted. */
  promoteVariant(experimentId: string, variantId: string, note?: string): Promise<PromotionOutcome>;
  /** A draft or stopped experiment only: the platform refuses a running one (stop it first) and a promoted one. */
  deleteExperiment(experimentId: string): Promise<void>;
}

export const experimentLimits = { minVariants: 2, maxVariants: 5, name: 120, description: 2000 } as const;

/** Shares as whole percents sum to 100, within rounding. */
export function sharesProblem(shares: readonly number[]): string | undefined {
  if (shares.some((s) => !Number.isFinite(s) || s <= 0)) return "Every variant needs a share above 0%.";
  const total = shares.reduce((sum, s) => sum + s, 0);
  // The platform compares the sum with 1 within 1e-9: shares typed as percents are sent as exact hundredths.
  if (Math.abs(total - 1) > 1e-9) {
    return `The shares add up to ${Math.round(total * 1000) / 10}%; they must add up to 100%.`;
  }
  return undefined;
}

/** Equal shares for `count` variants, in whole percents, the first ones taking the remainder. */
export function evenShares(count: number): number[] {
  const base = Math.floor(100 / count);
  const extra = 100 - base * count;
  return Array.from({ length: count }, (_, i) => (base + (i < extra ? 1 : 0)) / 100);
}

/** What a variant's overrides change, in words: "prompt at label staging, model gpt-4o-mini". */
export function describeOverrides(overrides: VariantOverrides): string {
  const parts: string[] = [];
  if (overrides.prompt) {
    const p = overrides.prompt;
    parts.push(
      p.version !== undefined
        ? `prompt ${p.templateId} version ${p.version}`
        : `prompt ${p.templateId} at label ${p.label ?? "?"}`,
    );
  }
  if (overrides.agentVersion !== undefined) parts.push(`agent version ${overrides.agentVersion}`);
  if (overrides.modelName !== undefined)
    parts.push(
      overrides.modelName === null ? "the platform's default model" : `model ${overrides.modelName}`,
    );
  if (overrides.temperature !== undefined) parts.push(`temperature ${overrides.temperature}`);
  if (overrides.knowledgeBaseIds !== undefined) {
    const n = overrides.knowledgeBaseIds.length;
    parts.push(n === 0 ? "no knowledge bases" : `${n} knowledge base${n === 1 ? "" : "s"}`);
  }
  return parts.length === 0 ? "the agent as it is (control)" : parts.join(", ");
}
