/**
 * Lexical reranking of fused search candidates: what BM25 over a chunk's bag of words cannot see.
 *
 * - **Headings** are a field of their own: a query term in the chunk's heading path says what the whole
 *   passage is about, where the same term in a code comment says little.
 * - **Proximity**: query terms that stand next to each other in the query and in the passage ("parameter
 *   limit") count for more than the same terms scattered.
 * - **Coverage**: the share of the query's terms the passage holds, each weighed by how rare it is among the
 *   candidates (a term every candidate holds tells them apart by nothing).
 * - **Navigation matter** (a table of contents, a list of links, licence text) matches many query terms
 *   while answering none: it is ranked below content.
 *
 * Dependency-free and deterministic; it only reorders and rescores the candidates it is given. The weights
 * were chosen on the fixture corpus and the held-out corpus's tuning half (src/knowledge/testing), never on
 * the held-out test half. With zero heading, proximity and coverage weights the scores of content are left
 * exactly as they were and only navigation matter moves.
 */
import { analyze } from "../platform/text/analyzer.js";
import type { ChunkLocation } from "./schema.js";

export interface RerankWeights {
  /** Added per unit of heading coverage (idf-weighted share of query terms in the heading path). */
  readonly heading: number;
  /** Added per unit of proximity (share of the query's adjacent term pairs adjacent in the passage). */
  readonly proximity: number;
  /** Added per unit of idf-weighted coverage of the query's terms. */
  readonly coverage: number;
  /** Multiplies the score of navigation matter, unless the query asks about it ("which licence…"). */
  readonly navigation: number;
}

/**
 * What search applies by default: navigation matter ranked down, nothing else. The full set below helped on
 * the data it was tuned on and not on the held-out test half (README, Knowledge Vault), so it is opt-in.
 */
export const navigationOnly: RerankWeights = { heading: 0, proximity: 0, coverage: 0, navigation: 0.25 };

export const defaultRerankWeights: RerankWeights = {
  heading: 0.1,
  proximity: 0.2,
  coverage: 0.1,
  navigation: 0.25,
};

/** Query words that ask for navigation matter itself: such a query's licence or contents is its answer. */
const asksForNavigation =
  /\b(?:licen[cs]e[ds]?|licensing|copyright|contents|toc|index|credits?|contributors?|authors?|sponsors?|backers|changelog|release notes|permission)\b/i;

export interface RerankCandidate {
  readonly text: string;
  readonly score: number;
  readonly location: ChunkLocation;
}

const navigationHeading =
  /^(?:table of contents|contents|toc|index|licen[cs]e|licensing|copyright|credits|contributors|authors|acknowledg(?:e)?ments|sponsors|backers|changelog|change log|release notes|see also)$/i;
/** A line that is only a link or a link reference: `- [Usage](#usage)`, `[npm]: https://…`, `* <a href>`. */
const linkLine =
  /^\s*(?:[-*+]\s+|\d+[.)]\s+)?(?:\[[^\]]*\]\([^)]*\)|\[[^\]]+\]:\s*\S+|<a\s[^>]*>.*<\/a>)\s*[.,;]?\s*$/i;
/** A table-of-contents line: a title, dot leaders, a page number. */
const leaderLine = /\S.*(?:\.{3,}|…|\s{3,})\s*\d{1,4}\s*$/;
const licenceText =
  /permission is hereby granted|the software is provided "?as is"?|licensed under the apache license|redistribution and use in source and binary forms|gnu (?:lesser )?general public license/i;

/**
 * Whether a chunk is navigation matter: under a contents, index or licence heading, mostly links or
 * dot-leader lines, or licence boilerplate.
 */
export function isNavigation(text: string, location: ChunkLocation): boolean {
  const last = location.headingPath[location.headingPath.length - 1];
  if (last && navigationHeading.test(last.replace(/[^\p{L}\s]/gu, "").trim())) return true;
  if (licenceText.test(text)) return true;
  const lines = text
    .split("\n")
    .slice(location.headingPath.length > 0 ? 1 : 0) // the heading path line the chunker prepends
    .filter((l) => l.trim().length > 0);
  if (lines.length < 4) return false;
  const nav = lines.filter((l) => linkLine.test(l) || leaderLine.test(l)).length;
  return nav / lines.length >= 0.6;
}

/** Reorders candidates by their fused score adjusted by the signals above; scores stay in 0..1. */
export function lexicalRerank<T extends RerankCandidate>(
  query: string,
  candidates: readonly T[],
  weights: RerankWeights = defaultRerankWeights,
): T[] {
  const queryTerms = analyze(query).map((t) => t.term);
  const unique = [...new Set(queryTerms)];
  if (unique.length === 0 || candidates.length === 0) return [...candidates];
  const demote = weights.navigation !== 1 && !asksForNavigation.test(query);
  const lexical = weights.heading + weights.proximity + weights.coverage;
  const rounded = (x: number): number => Math.round(Math.min(1, x) * 10_000) / 10_000;
  if (lexical === 0) {
    // The default: only navigation matter moves, and no passage needs analysing (this runs every search).
    if (!demote) return [...candidates];
    return candidates
      .map((c, index) => ({
        candidate: c,
        index,
        score: isNavigation(c.text, c.location) ? rounded(c.score * weights.navigation) : c.score,
      }))
      .sort((x, y) => y.score - x.score || x.index - y.index)
      .map((r) => ({ ...r.candidate, score: r.score }));
  }
  const pairs = new Set<string>();
  for (let i = 1; i < queryTerms.length; i++) {
    if (queryTerms[i - 1] !== queryTerms[i]) pairs.add(`${queryTerms[i - 1]} ${queryTerms[i]}`);
  }
  const analysed = candidates.map((c) => {
    const heading = new Set(analyze(c.location.headingPath.join(" ")).map((t) => t.term));
    const terms = analyze(c.text).map((t) => t.term);
    return { heading, terms, present: new Set(terms) };
  });
  // Rarity among the candidates: a term all of them hold weighs ~0.
  const n = candidates.length;
  const weight = new Map<string, number>();
  for (const term of unique) {
    const df = analysed.filter((a) => a.present.has(term)).length;
    weight.set(term, Math.log(1 + (n - df + 0.5) / (df + 0.5)));
  }
  const total = unique.reduce((sum, t) => sum + (weight.get(t) ?? 0), 0) || 1;
  const rescored = candidates.map((c, i) => {
    const a = analysed[i] as (typeof analysed)[number];
    let headingShare = 0;
    let coverage = 0;
    for (const term of unique) {
      const w = weight.get(term) ?? 0;
      if (a.heading.has(term)) headingShare += w;
      if (a.present.has(term)) coverage += w;
    }
    let adjacent = 0;
    if (pairs.size > 0) {
      const seen = new Set<string>();
      for (let j = 1; j < a.terms.length; j++) {
        const pair = `${a.terms[j - 1]} ${a.terms[j]}`;
        if (pairs.has(pair)) seen.add(pair);
      }
      adjacent = seen.size / pairs.size;
    }
    const base = demote && isNavigation(c.text, c.location) ? c.score * weights.navigation : c.score;
    const bonus =
      weights.heading * (headingShare / total) +
      weights.proximity * adjacent +
      weights.coverage * (coverage / total);
    return { candidate: c, score: (base + bonus) / (1 + lexical), index: i };
  });
  rescored.sort((x, y) => y.score - x.score || x.index - y.index);
  return rescored.map((r) => ({ ...r.candidate, score: rounded(r.score) }));
}
