/**
 * Hybrid retrieval over one or more knowledge bases: nearest neighbours of the query embedding and BM25
 * keyword matches, each restricted to the documents' active versions (so replaced, deleted or half-indexed
 * chunks never surface) and to vectors of the current embedding model, then fused. Every result carries a
 * 0..1 score and the two signals it came from. The best candidates are then reordered: lexically (rerank.ts)
 * and, when the instance has a cross-encoder (`deps.reranker`, from LOCAL_MODELS_DIR), by its relevance.
 * Searching never writes.
 */
import { z } from "zod";
import { assertCanSpend } from "../billing/limits.js";
import type { Deps } from "../platform/deps.js";
import { idPattern } from "../platform/ids.js";
import { VectorValue, type DocSnapshot, type TermStats } from "../platform/ports.js";
import { log } from "../platform/log.js";
import { cosineSimilarity } from "../platform/vectors.js";
import { embeddingModelId } from "./ingest.js";
import { lexicalRerank, navigationOnly, type RerankWeights } from "./rerank.js";
import { loadKnowledgeBase } from "./knowledge-bases.js";
import {
  chunkSchema,
  chunksPath,
  chunkVectorField,
  type Chunk,
  type ChunkLocation,
  type KnowledgeBase,
} from "./schema.js";

export const searchModes = ["hybrid", "vector", "keyword"] as const;
export type SearchMode = (typeof searchModes)[number];
/**
 * What a search and an agent's retrieval use unless told otherwise. Kept by measurement: on the held-out
 * corpus's test half hybrid ranks at least as well as keyword-only (src/knowledge/heldout-retrieval.test.ts
 * asserts it), although the built-in hashing embedder's similarity is mostly the lexical signal again.
 */
export const defaultSearchMode: SearchMode = "hybrid";

export const searchFiltersSchema = z.object({
  docIds: z.array(z.string().regex(idPattern)).max(100).optional(),
  tags: z.array(z.string().trim().toLowerCase()).max(20).optional(),
});
export type SearchFilters = z.infer<typeof searchFiltersSchema>;

export const searchInput = z.object({
  query: z.string().trim().min(1, "query is required").max(4000),
  k: z.number().int().min(1).max(50).default(5),
  mode: z.enum(searchModes).default(defaultSearchMode),
  filters: searchFiltersSchema.optional(),
});

export interface SearchResult {
  readonly kbId: string;
  readonly docId: string;
  readonly docName: string;
  readonly chunkId: string;
  readonly text: string;
  /** Evidence strength in 0..1 (what the results are ordered by). */
  readonly score: number;
  /** Cosine similarity of the chunk to the query, 0..1 (null in keyword mode). */
  readonly vectorScore: number | null;
  /** BM25 mapped to 0..1 (null in vector mode; 0 when the chunk matched no query term). */
  readonly keywordScore: number | null;
  /**
   * The cross-encoder's relevance mapped to 0..1 (a logistic of its logit), when one reordered the results;
   * results are then in this order rather than by `score`. Absent when no reranker ran.
   */
  readonly rerankScore?: number;
  readonly location: ChunkLocation;
}

export type Fusion = "weighted" | "rrf";

export interface SearchOptions {
  readonly mode?: SearchMode;
  readonly filters?: SearchFilters;
  /** Whether the instance's cross-encoder (`deps.reranker`) reorders the best candidates; default true. */
  readonly crossEncoder?: boolean;
  /** `weighted` orders by the combined 0..1 score; `rrf` by reciprocal rank fusion (k = 60). */
  readonly fusion?: Fusion;
  /**
   * The lexical reranking of the fused candidates (rerank.ts). By default (keyword and hybrid modes) it only
   * ranks navigation matter down: its other signals helped on the fixture corpus and the held-out tuning
   * half they were tuned on, not on the held-out test half (see the README). `false` turns it off.
   */
  readonly lexical?: RerankWeights | false;
}

/** How many of the best fused candidates the lexical reranking reorders. */
const lexicalPool = (k: number): number => Math.max(20, k * 4);
/** How many of the lexically ranked candidates a cross-encoder reads (about 0.1 s per 20 on 2 cores). */
const crossEncoderPool = (k: number): number => Math.max(20, k);

/** Firestore's findNearest returns at most 1000 neighbours. */
const maxCandidates = 1000;
/** A BM25 score at which the keyword signal counts as half way to certain. */
const keywordHalfScore = 4;
const rrfK = 60;
/**
 * In hybrid mode, how much of the score comes from the vector signal. Chosen on the fixture corpus
 * (src/knowledge/testing): with the built-in lexical embedder the vector signal mostly breaks ties and
 * catches word-form variants, so it weighs 0.2 (MRR was flat from 0.1 to 0.2 and fell from 0.3 up; RRF
 * did worse than either single mode). A neural embedder deserves re-tuning with the same harness.
 */
const vectorWeight = 0.2;

const keywordNorm = (bm25: number): number => bm25 / (bm25 + keywordHalfScore);
const clamp01 = (x: number): number => Math.max(0, Math.min(1, x));

interface Candidate {
  readonly chunk: Chunk;
  readonly chunkId: string;
  vectorScore: number | null;
  keywordScore: number | null;
  vectorRank: number | null;
  keywordRank: number | null;
}

async function searchOne(
  deps: Deps,
  tenantId: string,
  kbId: string,
  kb: KnowledgeBase,
  query: string,
  queryVector: readonly number[] | null,
  k: number,
  options: SearchOptions,
): Promise<(SearchResult & { rrf: number })[]> {
  const active = kb.active;
  if (Object.keys(active).length === 0) return [];
  // Vectors of another model are never compared with this query (keyword matching still finds their
  // chunks); a search only reads: the re-embedding sweep (sweep.ts) brings them to the current model.
  const model = embeddingModelId(deps);
  const mode = options.mode ?? defaultSearchMode;
  const filters = options.filters;
  const scope = chunksPath(tenantId, kbId);
  const limit = Math.min(maxCandidates, Math.max(50, k * 8));

  const accept = (chunk: Chunk): boolean =>
    active[chunk.docId]?.version === chunk.docVersion &&
    (!filters?.docIds || filters.docIds.includes(chunk.docId)) &&
    (!filters?.tags || filters.tags.length === 0 || filters.tags.some((t) => chunk.tags.includes(t)));

  const candidates = new Map<string, Candidate>();
  const vectorOf = (snap: DocSnapshot): readonly number[] | null => {
    const v = snap.data[chunkVectorField];
    return v instanceof VectorValue && snap.data.embeddingModel === model ? v.values : null;
  };

  if (mode !== "keyword" && queryVector) {
    const hits = await deps.store.findNearest({
      collection: scope,
      vectorField: chunkVectorField,
      queryVector,
      limit,
      distanceMeasure: "COSINE",
    });
    let rank = 0;
    for (const hit of hits) {
      const parsed = chunkSchema.safeParse(hit.data);
      if (!parsed.success || !accept(parsed.data) || hit.data.embeddingModel !== model) continue;
      candidates.set(hit.id, {
        chunk: parsed.data,
        chunkId: hit.id,
        vectorScore: clamp01(1 - hit.distance),
        keywordScore: mode === "vector" ? null : 0,
        vectorRank: ++rank,
        keywordRank: null,
      });
    }
  }

  if (mode !== "vector") {
    const hits = await deps.keywords.search(scope, query, limit);
    const missing = hits.filter((h) => !candidates.has(h.id)).map((h) => `${scope}/${h.id}`);
    const loaded = new Map(
      (await deps.store.getAll(missing)).flatMap((s) => (s ? [[s.id, s] as const] : [])),
    );
    let rank = 0;
    for (const hit of hits) {
      let candidate = candidates.get(hit.id);
      if (!candidate) {
        const snap = loaded.get(hit.id);
        const parsed = snap ? chunkSchema.safeParse(snap.data) : null;
        if (!snap || !parsed?.success || !accept(parsed.data)) continue;
        const vec = queryVector ? vectorOf(snap) : null;
        candidate = {
          chunk: parsed.data,
          chunkId: hit.id,
          vectorScore:
            mode === "keyword" ? null : vec && queryVector ? clamp01(cosineSimilarity(vec, queryVector)) : 0,
          keywordScore: 0,
          vectorRank: null,
          keywordRank: null,
        };
        candidates.set(hit.id, candidate);
      }
      candidate.keywordScore = keywordNorm(hit.score);
      candidate.keywordRank = ++rank;
    }
  }

  return [...candidates.values()].map((c) => {
    const score =
      mode === "vector"
        ? (c.vectorScore ?? 0)
        : mode === "keyword"
          ? (c.keywordScore ?? 0)
          : vectorWeight * (c.vectorScore ?? 0) + (1 - vectorWeight) * (c.keywordScore ?? 0);
    const rrf =
      (c.vectorRank ? 1 / (rrfK + c.vectorRank) : 0) + (c.keywordRank ? 1 / (rrfK + c.keywordRank) : 0);
    return {
      kbId,
      docId: c.chunk.docId,
      docName: c.chunk.docName,
      chunkId: c.chunkId,
      text: c.chunk.text,
      score: round4(score),
      vectorScore: c.vectorScore === null ? null : round4(c.vectorScore),
      keywordScore: c.keywordScore === null ? null : round4(c.keywordScore),
      location: c.chunk.location,
      rrf,
    };
  });
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

export async function searchKnowledgeBases(
  deps: Deps,
  tenantId: string,
  kbIds: readonly string[],
  query: string,
  k: number,
  options: SearchOptions = {},
): Promise<SearchResult[]> {
  if (kbIds.length === 0) return [];
  // Every knowledge base is read (and a missing one refused) before the query costs an embedding.
  const kbs = await Promise.all(kbIds.map((kbId) => loadKnowledgeBase(deps, tenantId, kbId)));
  const mode = options.mode ?? defaultSearchMode;
  const queryVector =
    mode === "keyword" ? null : ((await deps.embedder.embed([query], { kind: "query" }))[0] ?? null);
  const perKb = await Promise.all(
    kbIds.map((kbId, i) =>
      searchOne(deps, tenantId, kbId, kbs[i] as KnowledgeBase, query, queryVector, k, options),
    ),
  );
  const byRrf = options.fusion === "rrf" && mode === "hybrid";
  const fused = perKb
    .flat()
    .sort((a, b) => (byRrf ? b.rrf - a.rrf : b.score - a.score) || (a.chunkId < b.chunkId ? -1 : 1))
    .map(({ rrf: _rrf, ...result }) => result);
  // Only the pool is reordered and rescored; what lies beyond it is never returned.
  const lexical = options.lexical ?? (mode === "vector" ? false : navigationOnly);
  const ranked = lexical ? lexicalRerank(query, fused.slice(0, lexicalPool(k)), lexical) : fused;
  if (!deps.reranker || options.crossEncoder === false) return ranked.slice(0, k);
  return (await crossEncoderRerank(deps, query, ranked.slice(0, crossEncoderPool(k)))).slice(0, k);
}

/**
 * What the cross-encoder reads of a passage: its text, after its headings when the text does not begin with
 * them (a section's later chunks), so a passage is read under its title.
 */
function rerankText(r: SearchResult): string {
  const headings = r.location.headingPath;
  const own = headings[headings.length - 1];
  return own === undefined || r.text.startsWith(own) ? r.text : `${headings.join(" > ")}\n${r.text}`;
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Reorders `results` by the instance's cross-encoder. A model that fails at run time does not fail the search:
 * the lexical order is kept and the failure logged (a broken model directory is refused at start instead).
 */
async function crossEncoderRerank(
  deps: Deps,
  query: string,
  results: readonly SearchResult[],
): Promise<readonly SearchResult[]> {
  const reranker = deps.reranker;
  if (!reranker || results.length === 0) return results;
  const logits: number[] = [];
  try {
    const size = Math.max(1, reranker.maxBatchSize);
    for (let i = 0; i < results.length; i += size) {
      const batch = results.slice(i, i + size);
      const scores = await reranker.score(query, batch.map(rerankText));
      if (scores.length !== batch.length || !scores.every(Number.isFinite)) {
        throw new Error(`returned ${scores.length} scores for ${batch.length} passages, or a non-number`);
      }
      logits.push(...scores);
    }
  } catch (err) {
    log.warn("the reranker failed; search keeps its lexical order", {
      reranker: reranker.info.model,
      error: err instanceof Error ? err.message : String(err),
    });
    return results;
  }
  return results
    .map((r, i) => ({ result: r, logit: logits[i] as number, i }))
    .sort((a, b) => b.logit - a.logit || a.i - b.i)
    .map(({ result, logit }) => ({ ...result, rerankScore: round4(logistic(logit)) }));
}

export async function searchKnowledgeBase(
  deps: Deps,
  tenantId: string,
  kbId: string,
  input: z.infer<typeof searchInput>,
): Promise<SearchResult[]> {
  if (input.mode !== "keyword") await assertCanSpend(deps, tenantId); // the query is embedded
  return searchKnowledgeBases(deps, tenantId, [kbId], input.query, input.k, {
    mode: input.mode,
    filters: input.filters,
  });
}

/**
 * How specific a question's terms are in each knowledge base: its number of entries, and how many hold
 * each of the question's terms. What an answer's confidence weighs the question's terms by.
 */
export async function questionTermStats(
  deps: Deps,
  tenantId: string,
  kbIds: readonly string[],
  question: string,
): Promise<TermStats[]> {
  return Promise.all(kbIds.map((kbId) => deps.keywords.termStats(chunksPath(tenantId, kbId), question)));
}
