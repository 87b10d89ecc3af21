/** Environments as pages read them: the workspace's list and profile, and where each agent version serves. */
import { useCallback } from "react";
import type { AgentEnvironments, Environment, WorkspaceProfile } from "../environments";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

/**
 * The signed-in workspace's profile, read again when `sessionKey` (its tenant and account) changes; `null`
 * without a session (nothing is asked).
 */
export function useWorkspaceProfile(sessionKey: string | undefined): RemoteData<WorkspaceProfile | null> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) =>
      sessionKey === undefined ? Promise.resolve(null) : source.getWorkspaceProfile(signal),
    [source, sessionKey],
  );
  return useRemoteData(load);
}

export function useEnvironments(): RemoteData<Environment[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listEnvironments(signal), [source]);
  return useRemoteData(load);
}

export function useAgentEnvironments(agentId: string): RemoteData<AgentEnvironments> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getAgentEnvironments(agentId, signal),
    [source, agentId],
  );
  return useRemoteData(load);
}
