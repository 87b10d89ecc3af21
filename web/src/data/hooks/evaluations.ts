/**
 * Eval datasets, runs, comparisons, replays, simulations, corrections and tuning exports, as the Evaluations
 * pages read them.
 */
import { useCallback } from "react";
import type {
  EvalDataset,
  EvalItem,
  EvalResult,
  EvalRun,
  Replay,
  RunComparison,
  Simulation,
} from "../evaluations";
import type { Annotation } from "../feedback";
import type { FineTuneJob, TunedModel, TuningExport } from "../tuning";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

/** How often a run still going is read again: its progress bar moves item by item. */
export const runRefreshMs = 2_000;

export function useEvalDatasets(): RemoteData<EvalDataset[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listEvalDatasets(signal), [source]);
  return useRemoteData(load);
}

export function useEvalDataset(datasetId: string): RemoteData<EvalDataset> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getEvalDataset(datasetId, signal),
    [source, datasetId],
  );
  return useRemoteData(load);
}

export function useEvalItems(datasetId: string): RemoteData<EvalItem[]> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.listEvalItems(datasetId, signal),
    [source, datasetId],
  );
  return useRemoteData(load);
}

export function useEvalRuns(filter: { readonly datasetId?: string }): RemoteData<EvalRun[]> {
  const source = useStudio();
  const { datasetId } = filter;
  const load = useCallback(
    (signal: AbortSignal) => source.listEvalRuns(datasetId === undefined ? {} : { datasetId }, signal),
    [source, datasetId],
  );
  return useRemoteData(load);
}

/** A run, read again every 2 s while `live` (queued or running). */
export function useEvalRun(runId: string, live: boolean): RemoteData<EvalRun> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getEvalRun(runId, signal), [source, runId]);
  return useRemoteData(load, live ? { refreshMs: runRefreshMs } : {});
}

/** A run's results, in the dataset's order (pending ones too while it runs). */
export function useEvalResults(runId: string): RemoteData<EvalResult[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listEvalResults(runId, signal), [source, runId]);
  return useRemoteData(load);
}

export function useRunComparison(baseRunId: string, otherRunId: string): RemoteData<RunComparison> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.compareEvalRuns(baseRunId, otherRunId, signal),
    [source, baseRunId, otherRunId],
  );
  return useRemoteData(load);
}

export function useReplays(): RemoteData<Replay[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listReplays(signal), [source]);
  return useRemoteData(load);
}

export function useSimulations(): RemoteData<Simulation[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listSimulations(signal), [source]);
  return useRemoteData(load);
}

/** Editors' corrections of answers, newest first. */
export function useAnnotations(): RemoteData<Annotation[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listAnnotations(signal), [source]);
  return useRemoteData(load);
}

export function useTuningExports(): RemoteData<TuningExport[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listTuningExports(signal), [source]);
  return useRemoteData(load);
}

export function useFineTuneJobs(): RemoteData<FineTuneJob[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listFineTuneJobs(signal), [source]);
  return useRemoteData(load);
}

/** The workspace's fine-tuned models (editors and up), for an experiment variant's model. */
export function useTunedModels(): RemoteData<TunedModel[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listTunedModels(signal), [source]);
  return useRemoteData(load);
}
