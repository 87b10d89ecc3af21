/**
 * Retrieval quality on the fixture corpus: recall@k and MRR of each search mode over the answerable
 * questions. A result counts as a hit when it comes from the question's document and its text contains
 * the marked evidence (whitespace and case normalized). Used by the quality test and by `npm run bench`.
 */
import type { Deps } from "../../platform/deps.js";
import { searchKnowledgeBases, type Fusion, type SearchMode } from "../search.js";

export interface EvalQuestion {
  readonly id: string;
  readonly question: string;
  readonly document: string;
  readonly evidence: string;
}

export interface ModeQuality {
  readonly mode: SearchMode;
  readonly fusion?: Fusion;
  readonly questions: number;
  readonly recallAtK: number;
  readonly mrr: number;
  /** Ids of the questions whose evidence was not in the top k. */
  readonly misses: readonly string[];
}

const normalize = (s: string): string => s.toLowerCase().replace(/\s+/g, " ").trim();

export async function evaluateRetrieval(
  deps: Deps,
  tenantId: string,
  kbIds: readonly string[],
  questions: readonly EvalQuestion[],
  options: { k?: number; mode: SearchMode; fusion?: Fusion },
): Promise<ModeQuality> {
  const k = options.k ?? 5;
  let found = 0;
  let reciprocal = 0;
  const misses: string[] = [];
  for (const q of questions) {
    const results = await searchKnowledgeBases(deps, tenantId, kbIds, q.question, k, {
      mode: options.mode,
      fusion: options.fusion,
    });
    const evidence = normalize(q.evidence);
    const rank = results.findIndex((r) => r.docName === q.document && normalize(r.text).includes(evidence));
    if (rank >= 0) {
      found++;
      reciprocal += 1 / (rank + 1);
    } else misses.push(q.id);
  }
  const n = questions.length;
  return {
    mode: options.mode,
    ...(options.fusion ? { fusion: options.fusion } : {}),
    questions: n,
    recallAtK: n === 0 ? 0 : found / n,
    mrr: n === 0 ? 0 : reciprocal / n,
    misses,
  };
}

export function formatQuality(rows: readonly ModeQuality[], k = 5): string {
  const lines = [`mode               questions  recall@${k}   MRR`];
  for (const r of rows) {
    const name = r.fusion ? `${r.mode} (${r.fusion})` : r.mode;
    lines.push(
      `${name.padEnd(18)} ${String(r.questions).padStart(9)}  ${r.recallAtK.toFixed(3).padStart(8)}  ${r.mrr.toFixed(3)}`,
    );
  }
  return lines.join("\n");
}
