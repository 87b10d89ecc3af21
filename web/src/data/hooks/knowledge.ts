/** Knowledge bases and their documents as pages read them: the listings live, one knowledge base once. */
import { useCallback, useMemo } from "react";
import type { KnowledgeBase, KnowledgeDocument } from "../knowledge";
import { useStudio } from "../studio";
import { useLiveData } from "../useLiveData";
import { useRemoteData, type RemoteData } from "../useRemoteData";

export function useKnowledgeBaseList(): RemoteData<KnowledgeBase[]> {
  const source = useStudio();
  const watch = useMemo(() => source.watchKnowledgeBases(), [source]);
  return useLiveData(watch);
}

export function useKnowledgeBase(kbId: string): RemoteData<KnowledgeBase> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getKnowledgeBase(kbId, signal), [source, kbId]);
  return useRemoteData(load);
}

export function useDocuments(kbId: string): RemoteData<KnowledgeDocument[]> {
  const source = useStudio();
  const watch = useMemo(() => source.watchDocuments(kbId), [source, kbId]);
  return useLiveData(watch);
}
