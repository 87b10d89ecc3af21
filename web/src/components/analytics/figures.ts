/** Figures the analytics screens derive from the platform's counts. */
import type { AnalyticsMetrics } from "../../data/analytics";

/** Turns of any outcome, failed ones included: zero means nothing happened. */
export function activityOf(metrics: AnalyticsMetrics): number {
  return metrics.turns + metrics.failed;
}

export function totalTokens(metrics: AnalyticsMetrics): number {
  return metrics.tokens.input + metrics.tokens.output;
}
