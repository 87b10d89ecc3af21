/** Experiments and their results, as the Experiments pages read them. */
import { useCallback } from "react";
import type { Experiment, ExperimentResults } from "../experiments";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

/** How often a running experiment's dashboard reads its results again. */
export const resultsRefreshMs = 30_000;

export function useExperiments(agentId?: string): RemoteData<Experiment[]> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.listExperiments(agentId === undefined ? {} : { agentId }, signal),
    [source, agentId],
  );
  return useRemoteData(load);
}

export function useExperiment(experimentId: string): RemoteData<Experiment> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getExperiment(experimentId, signal),
    [source, experimentId],
  );
  return useRemoteData(load);
}

/** The figures and significance; read again every 30 s while `live` (the experiment runs). */
export function useExperimentResults(experimentId: string, live: boolean): RemoteData<ExperimentResults> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getExperimentResults(experimentId, signal),
    [source, experimentId],
  );
  return useRemoteData(load, live ? { refreshMs: resultsRefreshMs } : {});
}
