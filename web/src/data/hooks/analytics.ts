import { useCallback } from "react";
import { analyticsRequestOf, type Analytics, type AnalyticsQuery } from "../analytics";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

/**
 * Analytics of the last `query.days` days. The window is computed when the request goes out, so a retry
 * after midnight (UTC) asks for the new day.
 */
export function useAnalytics(query: AnalyticsQuery): RemoteData<Analytics> {
  const source = useStudio();
  const { days, agentId } = query;
  const load = useCallback(
    (signal: AbortSignal) => source.getAnalytics(analyticsRequestOf({ days, agentId }, new Date()), signal),
    [source, days, agentId],
  );
  return useRemoteData(load);
}
