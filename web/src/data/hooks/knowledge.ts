/**
 * Knowledge bases and their documents as pages read them: the listings live, one knowledge base once, and a
 * cited passage with its document's text.
 */
import { useCallback, useMemo } from "react";
import type { DocumentText, KnowledgeBase, KnowledgeDocument, Passage } from "../knowledge";
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

/** The passage a citation names (`chunkId`), as stored now. */
export function usePassage(kbId: string, chunkId: string): RemoteData<Passage> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getPassage(kbId, chunkId, signal),
    [source, kbId, chunkId],
  );
  return useRemoteData(load);
}

/** A document version's extracted text; without a version, the one search uses. */
export function useDocumentText(
  kbId: string,
  docId: string,
  version: number | undefined,
): RemoteData<DocumentText> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getDocumentText(kbId, docId, version, signal),
    [source, kbId, docId, version],
  );
  return useRemoteData(load);
}
