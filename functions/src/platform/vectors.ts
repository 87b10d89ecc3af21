/**
 * Vector arithmetic shared by the local store's nearest-neighbour search and the services that score a
 * stored vector against a query: one definition of each distance, as Firestore reports it.
 */
import type { DistanceMeasure } from "./ports.js";

/**
 * The distance `findNearest` reports for one stored vector: the exact arithmetic of a full Float64 scan
 * (cosine distance, euclidean distance, or the dot product). Null for a zero vector under COSINE, which
 * Firestore skips.
 */
export function exactDistance(
  measure: DistanceMeasure,
  row: ArrayLike<number>,
  query: ArrayLike<number>,
  queryNorm: number,
): number | null {
  let dot = 0;
  let norm = 0;
  let sq = 0;
  for (let i = 0; i < query.length; i++) {
    const a = row[i] as number;
    const b = query[i] as number;
    dot += a * b;
    norm += a * a;
    sq += (a - b) * (a - b);
  }
  if (measure === "COSINE") {
    if (norm === 0 || queryNorm === 0) return null;
    return 1 - dot / (Math.sqrt(norm) * queryNorm);
  }
  if (measure === "EUCLIDEAN") return Math.sqrt(sq);
  return dot;
}

/**
 * Cosine similarity of a stored vector to a query (0 for a zero vector or vectors of other dimensions); pass the
 * query's norm when scoring many vectors against one query.
 */
export function cosineSimilarity(
  vec: ArrayLike<number>,
  query: ArrayLike<number>,
  queryNorm: number = queryNormOf(query),
): number {
  if (vec.length !== query.length) return 0;
  const distance = exactDistance("COSINE", vec, query, queryNorm);
  return distance === null ? 0 : 1 - distance;
}

/** The query norm as the full scan computes it. */
export function queryNormOf(query: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < query.length; i++) sum += (query[i] as number) ** 2;
  return Math.sqrt(sum);
}
