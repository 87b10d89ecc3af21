/**
 * Which questions are "the same question": the clusters drift detection keeps one canonical question for, and
 * the knowledge gaps the analytics group abstentions by.
 *
 * Two questions are the same when the annotation-reply matcher says so (accountability/annotations.ts
 * `matchQuestion` at `annotationReplyThreshold`, 0.85): it was chosen on a labelled set of question pairs and
 * makes no false merge on the held-out half (annotation-matcher.test.ts). No new threshold is tuned here: a false
 * merge would make a false drift flag (two different questions answered differently look like a changed answer),
 * so precision comes first, and a question the matcher does not merge only costs a second cluster.
 *
 * The matcher implies a key: two questions it matches have exactly the same content words (every word only one
 * of them has must be a filler word). `contentKeyOf` is that set, sorted and hashed, so a question is compared
 * only with the clusters of its key (an exact lookup, or one indexed query in drift.ts), never with every cluster.
 * The key is a necessary condition, not a sufficient one: the matcher still decides within it.
 */
import { createHash } from "node:crypto";
import {
  annotationReplyThreshold,
  fillerWords,
  matchQuestion,
  questionShape,
  type QuestionShape,
} from "../accountability/annotations.js";

export { annotationReplyThreshold as sameQuestionThreshold, questionShape, type QuestionShape };

/** The most clusters `clusterQuestions` opens; questions that would open another are counted, not clustered. */
export const defaultMaxClusters = 5000;
/**
 * The most representatives one content key is compared with. Questions of one key differ only in filler words,
 * so a key rarely has more than a few clusters; this bounds a pathological input (thousands of filler variants).
 */
export const maxClustersPerKey = 50;

/**
 * The content words of a question (its words that are not filler), sorted and hashed: questions the matcher can
 * call the same always share it. 32 hex digits, so it is a valid id and an indexable field of any length question.
 */
export function contentKeyOf(shape: QuestionShape): string {
  const content = [...shape.set].filter((w) => !fillerWords.has(w)).sort();
  return createHash("sha256").update(content.join("\u0000"), "utf8").digest("hex").slice(0, 32);
}

/** A question's words as the matcher reads them, joined by single spaces (one phrasing, whatever its case). */
export const phrasingOf = (shape: QuestionShape): string => shape.words.join(" ");

/** The shape a stored phrasing (`phrasingOf`) stands for. */
export function shapeOfPhrasing(phrasing: string): QuestionShape {
  const words = phrasing === "" ? [] : phrasing.split(" ");
  return { words, set: new Set(words) };
}

export interface Representative {
  readonly id: string;
  readonly shape: QuestionShape;
}

/**
 * The cluster a question belongs to among `representatives` (the first question of each cluster, all of the
 * question's content key: see `contentKeyOf`), or null when it is a new question. The most similar
 * representative wins when several match; the earlier one in the list on a tie, so the answer is deterministic.
 * A question without words belongs to no cluster.
 */
export function assignToCluster(
  question: QuestionShape,
  representatives: readonly Representative[],
): { readonly id: string; readonly similarity: number } | null {
  if (question.set.size === 0) return null;
  let best: { id: string; similarity: number } | null = null;
  for (const r of representatives.slice(0, maxClustersPerKey)) {
    const match = matchQuestion(question, r.shape);
    if (match.matches && (!best || match.similarity > best.similarity))
      best = { id: r.id, similarity: match.similarity };
  }
  return best;
}

export interface QuestionCluster<T> {
  /** The question that opened the cluster: every other member matched it. */
  readonly representative: T;
  /** Every member, the representative first, in input order. */
  readonly members: T[];
  /** Distinct phrasings among the members (`phrasingOf`: case, punctuation and spacing ignored). */
  readonly phrasings: number;
}

/**
 * Greedy clustering in input order: each question joins the cluster whose representative it matches (see
 * `assignToCluster`) or opens a new one. Deterministic for a given order; O(n) lookups of its content key, each
 * comparing at most `maxClustersPerKey` representatives. At most `maxClusters` clusters: a question that would
 * open one more is left out and counted in `unclustered`. Questions without words are left out too.
 */
export function clusterQuestions<T>(
  items: Iterable<T>,
  questionOf: (item: T) => string,
  options: { readonly maxClusters?: number } = {},
): { clusters: QuestionCluster<T>[]; unclustered: number } {
  const maxClusters = options.maxClusters ?? defaultMaxClusters;
  const clusters: { representative: T; members: T[]; phrasings: Set<string> }[] = [];
  const byKey = new Map<string, Representative[]>();
  let unclustered = 0;
  for (const item of items) {
    const shape = questionShape(questionOf(item));
    if (shape.set.size === 0) {
      unclustered += 1;
      continue;
    }
    const key = contentKeyOf(shape);
    const candidates = byKey.get(key) ?? [];
    const found = assignToCluster(shape, candidates);
    if (found) {
      const cluster = clusters[Number(found.id)];
      if (cluster) {
        cluster.members.push(item);
        cluster.phrasings.add(phrasingOf(shape));
        continue;
      }
    }
    if (clusters.length >= maxClusters) {
      unclustered += 1;
      continue;
    }
    candidates.push({ id: String(clusters.length), shape });
    byKey.set(key, candidates);
    clusters.push({ representative: item, members: [item], phrasings: new Set([phrasingOf(shape)]) });
  }
  return {
    clusters: clusters.map((c) => ({
      representative: c.representative,
      members: c.members,
      phrasings: c.phrasings.size,
    })),
    unclustered,
  };
}
