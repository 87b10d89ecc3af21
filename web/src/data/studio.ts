/**
 * The studio's data layer: one interface for everything pages read and change in a workspace, and the hooks
 * pages use (`useAgents()`, `useAgent(id)`…). Pages never call `fetch` and never know where data comes from.
 *
 * The interface is made of one section per area (agents and the playground here; knowledge, conversation
 * history, analytics and administration in their own modules, each with its hooks). Two sources implement
 * it: the REST API (`restSource.ts`, local mode: requests, and server-sent events for live data), and
 * Firebase mode's source, which reads with Firestore listeners and writes through the API. One is chosen
 * at start, with `StudioSourceContext.Provider` in `main.tsx`.
 */
import { createContext, useCallback, useContext } from "react";
import type { AgentOptions } from "./agentOptions";
import type { Agent, AgentCreateInput, AgentPatch, AgentVersion } from "./agents";
import type { AssistantMessage, Trace, VersionChoice } from "./conversations";
import type { AdminSource } from "./admin";
import type { AnalyticsSource } from "./analytics";
import type { ConversationHistorySource } from "./history";
import type { KnowledgeSource } from "./knowledge";
import type { KnowledgeBaseList } from "./knowledgeBases";
import { restSource } from "./restSource";
import { useRemoteData, type RemoteData } from "./useRemoteData";

export interface StudioSource
  extends AgentsSource, KnowledgeSource, ConversationHistorySource, AnalyticsSource, AdminSource {}

/** Agents, their versions, and the playground's conversations. */
export interface AgentsSource {
  /** Most recently changed first. */
  listAgents(options: { readonly includeArchived: boolean }, signal: AbortSignal): Promise<Agent[]>;
  getAgent(agentId: string, signal: AbortSignal): Promise<Agent>;
  /** Published versions, newest first. */
  listAgentVersions(agentId: string, signal: AbortSignal): Promise<AgentVersion[]>;
  listKnowledgeBases(signal: AbortSignal): Promise<KnowledgeBaseList>;
  /** What agents may be configured with here (models, token caps, tool hosts); asked of the API in both modes. */
  getAgentOptions(signal: AbortSignal): Promise<AgentOptions>;

  createAgent(input: AgentCreateInput): Promise<{ id: string }>;
  /** Changes the draft configuration; published versions never change. */
  updateAgent(agentId: string, patch: AgentPatch): Promise<Agent>;
  /** Copies the draft into the next immutable version and serves it. */
  publishAgent(agentId: string, note: string): Promise<Agent>;
  /** Serves an earlier published version again; the draft is unchanged. */
  rollbackAgent(agentId: string, version: number): Promise<Agent>;
  pauseAgent(agentId: string): Promise<Agent>;
  resumeAgent(agentId: string): Promise<Agent>;
  /** Final: the agent stops answering and changing; its history stays readable. */
  archiveAgent(agentId: string): Promise<void>;

  /** Starts a conversation with the draft or a published version; answers its id. */
  startConversation(agentId: string, version: VersionChoice): Promise<string>;
  /** Sends a message; `onDelta` gets the answer's text as it streams, the promise the checked answer. */
  sendMessage(
    conversationId: string,
    content: string,
    onDelta: (text: string) => void,
  ): Promise<AssistantMessage>;
  /** The decision trace of one answer. */
  getTrace(traceId: string, signal: AbortSignal): Promise<Trace>;
}

export const StudioSourceContext = createContext<StudioSource>(restSource);

/** The source, for changes (`useStudio().publishAgent(…)`); reads go through the hooks below. */
export function useStudio(): StudioSource {
  return useContext(StudioSourceContext);
}

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
