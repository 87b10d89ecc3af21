/**
 * The Evaluations page's tabs, each an address (`/evaluations` is Datasets, `/evaluations/<tab>` the others),
 * and the addresses of a dataset, a run and a comparison.
 */
export const evaluationTabIds = [
  "datasets",
  "runs",
  "replays",
  "simulations",
  "corrections",
  "tuning",
] as const;
export type EvaluationTabId = (typeof evaluationTabIds)[number];

export const evaluationTabs: readonly { readonly id: EvaluationTabId; readonly label: string }[] = [
  { id: "datasets", label: "Datasets" },
  { id: "runs", label: "Runs" },
  { id: "replays", label: "Replays" },
  { id: "simulations", label: "Simulations" },
  { id: "corrections", label: "Corrections" },
  { id: "tuning", label: "Tuning data" },
];

export const evaluationsRoot = "/evaluations";

export function evaluationsPath(tab: EvaluationTabId): string {
  return tab === "datasets" ? evaluationsRoot : `${evaluationsRoot}/${tab}`;
}

export const datasetAddress = (datasetId: string) =>
  `${evaluationsRoot}/datasets/${encodeURIComponent(datasetId)}`;
export const runAddress = (runId: string) => `${evaluationsRoot}/runs/${encodeURIComponent(runId)}`;
export const compareAddress = (baseRunId: string, otherRunId: string) =>
  `${evaluationsRoot}/compare?${new URLSearchParams({ base: baseRunId, other: otherRunId }).toString()}`;
/** The transcript view of a conversation (the sandbox's too), where each answer's trace opens. */
export const conversationAddress = (conversationId: string) =>
  `/conversations/${encodeURIComponent(conversationId)}`;
