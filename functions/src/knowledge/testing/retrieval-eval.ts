/**
 * Retrieval quality: recall@1, recall@k and MRR@k of a search mode over answerable questions. A result counts
 * as a hit when it comes from the question's document and its text contains (one of) the question's evidence
 * passages, compared as a reader sees them: whitespace, case and Markdown emphasis and code markers aside.
 * Used by the fixture corpus's and the held-out corpus's quality tests.
 */
import type { Deps } from "../../platform/deps.js";
import type { RerankWeights } from "../rerank.js";
import { searchKnowledgeBases, type Fusion, type SearchMode } from "../search.js";

export interface EvalQuestion {
  readonly id: string;
  readonly question: string;
  readonly document: string;
  /** One passage, or one per fact (a hit holds any of them). */
  readonly evidence: string | readonly string[];
}

export interface ModeQuality {
  readonly mode: SearchMode;
  readonly fusion?: Fusion;
  /** True when the lexical reranking (rerank.ts) reordered the results. */
  readonly reranked?: true;
  readonly questions: number;
  /** Share of questions whose first result holds the evidence. */
  readonly recallAt1: number;
  readonly recallAtK: number;
  readonly mrr: number;
  /** Ids of the questions whose evidence was not in the top k. */
  readonly misses: readonly string[];
}

const normalize = (s: string): string =>
  s
    .replace(/`|\*\*|(^|\s)#{1,6}\s/g, " ")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();

export async function evaluateRetrieval(
  deps: Deps,
  tenantId: string,
  kbIds: readonly string[],
  questions: readonly EvalQuestion[],
  options: { k?: number; mode: SearchMode; fusion?: Fusion; lexical?: RerankWeights },
): Promise<ModeQuality> {
  const k = options.k ?? 5;
  let first = 0;
  let found = 0;
  let reciprocal = 0;
  const misses: string[] = [];
  for (const q of questions) {
    const results = await searchKnowledgeBases(deps, tenantId, kbIds, q.question, k, {
      mode: options.mode,
      fusion: options.fusion,
      ...(options.lexical ? { lexical: options.lexical } : {}),
    });
    const evidence = [q.evidence].flat().map(normalize);
    const rank = results.findIndex((r) => {
      if (r.docName !== q.document) return false;
      const text = normalize(r.text);
      return evidence.some((e) => text.includes(e));
    });
    if (rank >= 0) {
      found++;
      if (rank === 0) first++;
      reciprocal += 1 / (rank + 1);
    } else misses.push(q.id);
  }
  const n = questions.length;
  return {
    mode: options.mode,
    ...(options.fusion ? { fusion: options.fusion } : {}),
    ...(options.lexical ? { reranked: true as const } : {}),
    questions: n,
    recallAt1: n === 0 ? 0 : first / n,
    recallAtK: n === 0 ? 0 : found / n,
    mrr: n === 0 ? 0 : reciprocal / n,
    misses,
  };
}

export function formatQuality(rows: readonly ModeQuality[], k = 5, label = (_r: ModeQuality) => ""): string {
  const lines = [`mode                         questions  recall@1  recall@${k}  MRR@${k}`];
  for (const r of rows) {
    const name = `${label(r)}${r.fusion ? `${r.mode} (${r.fusion})` : r.mode}${r.reranked ? " reranked" : ""}`;
    lines.push(
      `${name.padEnd(28)} ${String(r.questions).padStart(9)}  ${r.recallAt1.toFixed(3).padStart(8)}  ${r.recallAtK.toFixed(3).padStart(8)}  ${r.mrr.toFixed(3)}`,
    );
  }
  return lines.join("\n");
}
