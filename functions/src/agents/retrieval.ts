/**
 * What a turn retrieves and how: the question, and for a short follow-up that found little, the question
 * together with the previous one; the results merged by chunk, screened for instruction-like text and
 * numbered as the model will see them; and how specific the question's terms are in the knowledge bases
 * searched (what the answer's confidence weighs them by).
 */
import { termWeights, type Evidence, type TermWeights } from "../accountability/assess.js";
import { screenEvidence, type ExcludedEvidence } from "../accountability/exclusion.js";
import { questionTermStats, searchKnowledgeBases, type SearchResult } from "../knowledge/search.js";
import type { Deps } from "../platform/deps.js";
import { tokenize } from "../platform/text/analyzer.js";
import type { AgentConfig } from "./schema.js";

/** How many passages the model sees per turn (tools may add more). */
const evidenceCount = 5;
/** Below this best score a short follow-up is retried together with the previous question. */
const weakRetrieval = 0.5;
/** A follow-up this short ("and for contractors?") usually leans on the previous question. */
const followUpMaxTerms = 8;

/** Of a follow-up's passages, how many the question's own search keeps, whatever the combined search finds. */
const ownShare = Math.ceil(evidenceCount / 2);

/** How a passage ranks: by the cross-encoder's relevance when one ran (search.ts orders by it), else its score. */
const strength = (r: SearchResult): number => r.rerankScore ?? r.score;

/**
 * Merges result lists by chunk, keeping each chunk's best strength and the query that found it. The question's
 * own list (the first) keeps its best `ownShare` passages: a question on a new topic that merely looks like
 * a follow-up must not lose its passages to the previous question's topic, whose words the combined query
 * repeats and whose passages then score higher.
 */
export function mergeResults(lists: readonly SearchResult[][]): { result: SearchResult; query: number }[] {
  const best = new Map<string, { result: SearchResult; query: number }>();
  lists.forEach((list, query) => {
    for (const result of list) {
      const seen = best.get(result.chunkId);
      if (!seen || strength(result) > strength(seen.result)) best.set(result.chunkId, { result, query });
    }
  });
  const byScore = (a: { result: SearchResult }, b: { result: SearchResult }) =>
    strength(b.result) - strength(a.result);
  const reserved = new Set((lists[0] ?? []).slice(0, ownShare).map((r) => r.chunkId));
  const merged = [...best.values()];
  const kept = merged.filter((m) => reserved.has(m.result.chunkId));
  const rest = merged.filter((m) => !reserved.has(m.result.chunkId)).sort(byScore);
  return [...kept, ...rest.slice(0, evidenceCount - kept.length)].sort(byScore);
}

export interface Retrieval {
  readonly queries: { text: string; reason: string }[];
  /** Passages offered to the model, numbered [1], [2]… */
  readonly evidence: Evidence[];
  /** Passages withheld as instruction-like, numbered X1, X2… (the model never sees them). */
  readonly excluded: ExcludedEvidence[];
  /** chunkId → the index in `queries` of the query that found it. */
  readonly queryOf: Map<string, number>;
  /** How specific the question's terms are in the knowledge bases searched. */
  readonly termWeights: TermWeights;
}

export async function retrieve(
  deps: Deps,
  tenantId: string,
  config: AgentConfig,
  question: string,
  history: readonly { role: string; content: string }[],
): Promise<Retrieval> {
  const queries = [{ text: question, reason: "the question" }];
  const lists = [
    await searchKnowledgeBases(deps, tenantId, config.knowledgeBaseIds, question, evidenceCount),
  ];
  const previous = [...history].reverse().find((m) => m.role === "user");
  const top = lists[0]?.[0]?.score ?? 0;
  if (previous && top < weakRetrieval && tokenize(question).length <= followUpMaxTerms) {
    const text = `${previous.content}\n${question}`;
    queries.push({ text, reason: "a short follow-up: searched again together with the previous question" });
    lists.push(await searchKnowledgeBases(deps, tenantId, config.knowledgeBaseIds, text, evidenceCount));
  }
  const merged = mergeResults(lists);
  const queryOf = new Map<string, number>();
  for (const { result, query } of merged) queryOf.set(result.chunkId, query);
  // Screened before numbering: the model's markers run [1], [2]… over what it is shown, with no gaps.
  const screened = screenEvidence(merged.map(({ result }) => ({ ref: "", ...result })));
  const weights = termWeights(await questionTermStats(deps, tenantId, config.knowledgeBaseIds, question));
  return {
    queries,
    evidence: screened.offered.map((e, i) => ({ ...e, ref: String(i + 1) })),
    excluded: screened.excluded.map((e, i) => ({ ...e, ref: `X${i + 1}` })),
    queryOf,
    termWeights: weights,
  };
}
