/**
 * Retrieval over one or more knowledge bases: nearest neighbours of the query embedding, restricted to
 * each document's active version (so replaced or half-indexed chunks never surface), scored 0..1.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import {
  chunkSchema,
  chunksPath,
  chunkVectorField,
  documentsPath,
  knowledgeDocumentSchema,
  type ChunkLocation,
} from "./schema.js";
import { getKnowledgeBase } from "./ingest.js";

export const searchInput = z.object({
  query: z.string().trim().min(1, "query is required").max(4000),
  k: z.number().int().min(1).max(50).default(5),
});

export interface SearchResult {
  readonly kbId: string;
  readonly docId: string;
  readonly docName: string;
  readonly chunkId: string;
  readonly text: string;
  /** Cosine similarity mapped to 0..1. */
  readonly score: number;
  readonly location: ChunkLocation;
}

/** Firestore's findNearest returns at most 1000 neighbours. */
const maxCandidates = 1000;

async function activeVersions(deps: Deps, tenantId: string, kbId: string): Promise<Map<string, number>> {
  const docs = await deps.store.query({
    collection: documentsPath(tenantId, kbId),
    where: [{ field: "status", op: "==", value: "ready" }],
  });
  const active = new Map<string, number>();
  for (const d of docs) {
    const parsed = knowledgeDocumentSchema.safeParse(d.data);
    if (parsed.success && parsed.data.activeVersion !== null) active.set(d.id, parsed.data.activeVersion);
  }
  return active;
}

export async function searchKnowledgeBases(
  deps: Deps,
  tenantId: string,
  kbIds: readonly string[],
  query: string,
  k: number,
): Promise<SearchResult[]> {
  if (kbIds.length === 0) return [];
  const [queryVector] = await deps.embedder.embed([query], { kind: "query" });
  const perKb = await Promise.all(
    kbIds.map(async (kbId) => {
      const active = await activeVersions(deps, tenantId, kbId);
      if (active.size === 0) return [];
      const hits = await deps.store.findNearest({
        collection: chunksPath(tenantId, kbId),
        vectorField: chunkVectorField,
        queryVector: queryVector as number[],
        // Over-fetch: chunks of inactive versions are dropped below.
        limit: Math.min(maxCandidates, k * 4),
        distanceMeasure: "COSINE",
      });
      const results: SearchResult[] = [];
      for (const hit of hits) {
        const chunk = chunkSchema.safeParse(hit.data);
        if (!chunk.success || active.get(chunk.data.docId) !== chunk.data.docVersion) continue;
        results.push({
          kbId,
          docId: chunk.data.docId,
          docName: chunk.data.docName,
          chunkId: hit.id,
          text: chunk.data.text,
          score: Math.max(0, Math.min(1, 1 - hit.distance)),
          location: chunk.data.location,
        });
      }
      return results;
    }),
  );
  return perKb
    .flat()
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

export async function searchKnowledgeBase(
  deps: Deps,
  tenantId: string,
  kbId: string,
  input: z.infer<typeof searchInput>,
): Promise<SearchResult[]> {
  await getKnowledgeBase(deps, tenantId, kbId);
  return searchKnowledgeBases(deps, tenantId, [kbId], input.query, input.k);
}
