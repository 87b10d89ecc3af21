/** A tool set's MCP endpoint and client configurations, as the "Use from MCP clients" dialog reads them. */
import { useCallback } from "react";
import { useStudio } from "../studio";
import type { ToolSetMcpConfig } from "../toolSetMcp";
import { useRemoteData, type RemoteData } from "../useRemoteData";

export function useToolSetMcpConfig(toolSetId: string): RemoteData<ToolSetMcpConfig> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getToolSetMcpConfig(toolSetId, signal),
    [source, toolSetId],
  );
  return useRemoteData(load);
}
