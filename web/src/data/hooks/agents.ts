/** Agents, their versions, what they may be configured with, and the playground's traces, as pages read them. */
import { useCallback } from "react";
import type { AgentOptions } from "../agentOptions";
import type { Agent, AgentVersion } from "../agents";
import type { Trace } from "../conversations";
import type { KnowledgeBaseList } from "../knowledgeBases";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

export function useAgents(options: { readonly includeArchived: boolean }): RemoteData<Agent[]> {
  const source = useStudio();
  const { includeArchived } = options;
  const load = useCallback(
    (signal: AbortSignal) => source.listAgents({ includeArchived }, signal),
    [source, includeArchived],
  );
  return useRemoteData(load);
}

export function useAgent(agentId: string): RemoteData<Agent> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getAgent(agentId, signal), [source, agentId]);
  return useRemoteData(load);
}

export function useAgentVersions(agentId: string): RemoteData<AgentVersion[]> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.listAgentVersions(agentId, signal),
    [source, agentId],
  );
  return useRemoteData(load);
}

export function useKnowledgeBases(): RemoteData<KnowledgeBaseList> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listKnowledgeBases(signal), [source]);
  return useRemoteData(load);
}

/** What this platform offers agents: the builder's model choices and limits. */
export function useAgentOptions(): RemoteData<AgentOptions> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getAgentOptions(signal), [source]);
  return useRemoteData(load);
}

/** The decision trace of one answer. */
export function useTrace(traceId: string): RemoteData<Trace> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getTrace(traceId, signal), [source, traceId]);
  return useRemoteData(load);
}
