/** Prompt templates and their versions, as the Prompts pages read them. */
import { useCallback } from "react";
import type { PromptTemplate, PromptVersion } from "../prompts";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

export function usePrompts(): RemoteData<PromptTemplate[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listPrompts(signal), [source]);
  return useRemoteData(load);
}

export function usePrompt(promptId: string): RemoteData<PromptTemplate> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getPrompt(promptId, signal), [source, promptId]);
  return useRemoteData(load);
}

/** Newest first. */
export function usePromptVersions(promptId: string): RemoteData<PromptVersion[]> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.listPromptVersions(promptId, signal),
    [source, promptId],
  );
  return useRemoteData(load);
}
