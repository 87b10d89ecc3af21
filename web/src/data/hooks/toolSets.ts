/** Tool Forge as pages read it: the workspace's tool sets, one tool set, and the credentials tools use. */
import { useCallback } from "react";
import { useStudio } from "../studio";
import type { ToolCredential, ToolSet } from "../toolSets";
import { useRemoteData, type RemoteData } from "../useRemoteData";

export function useToolSets(): RemoteData<ToolSet[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listToolSets(signal), [source]);
  return useRemoteData(load);
}

export function useToolSet(toolSetId: string): RemoteData<ToolSet> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getToolSet(toolSetId, signal),
    [source, toolSetId],
  );
  return useRemoteData(load);
}

export function useToolCredentials(): RemoteData<ToolCredential[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listToolCredentials(signal), [source]);
  return useRemoteData(load);
}
