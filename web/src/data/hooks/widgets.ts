/** The workspace's web chat widgets, as the Channels page reads them (admins and owners only). */
import { useCallback } from "react";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";
import type { Widget } from "../widgets";

export function useWidgets(): RemoteData<Widget[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listWidgets(signal), [source]);
  return useRemoteData(load);
}
