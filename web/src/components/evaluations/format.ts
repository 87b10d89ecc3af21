/** How the Evaluations pages write their figures (the analytics screen's formats, and a few of their own). */
import type { EvalRun, RunTargetVersion, RunStatus } from "../../data/evaluations";
import { formatRate } from "../shared/format";

export const runStatusWords: Record<RunStatus, string> = {
  queued: "Queued",
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** "Version 3", "The draft". */
export function targetLabel(version: RunTargetVersion): string {
  return version === "draft" ? "The draft" : `Version ${version}`;
}

/** "12 of 40 items". */
export function progressText(run: Pick<EvalRun, "progress">): string {
  const { done, total, errors } = run.progress;
  return `${done} of ${total} item${total === 1 ? "" : "s"}${errors > 0 ? ` (${errors} failed)` : ""}`;
}

/** A score difference in points: "+12.5 pts"; for a figure where lower is better, the sign still says which way it moved. */
export function formatPointsDelta(delta: number | null): string {
  if (delta === null) return "—";
  const points = Math.abs(delta * 100).toFixed(1);
  return `${delta > 0 ? "+" : delta < 0 ? "−" : "±"}${points} pts`;
}

/** Accuracy as the lists show it. */
export function accuracyOf(run: Pick<EvalRun, "scores">): string {
  return run.scores ? formatRate(run.scores.accuracy) : "—";
}

/** A margin or drop (0..1) in percentage points: "5 points", "12.5 points". */
export function formatPoints(share: number): string {
  const value = Math.round(share * 1000) / 10;
  return `${value} point${value === 1 ? "" : "s"}`;
}
