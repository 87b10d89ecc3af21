/**
 * Coherence with one end user: each answer's supported sentences are compared with what the agent told the same
 * end user before (their `statements`). A sentence about the same thing that states another number, the
 * opposite polarity or another bound ("25 vacation days" then "20 vacation days") is a contradiction: the answer
 * keeps the current evidence, tells the end user what changed in so many words, and the trace and a
 * consistency flag record both sentences with their sources.
 *
 * "About the same thing" is word overlap with the numbers set aside: most of the shorter sentence's words must
 * be in the other, and at least `minSharedTerms` of them. "Says something else" is the entailment check the
 * accountability layer already applies to quotes (accountability/entailment.ts), so the two layers agree on
 * what a contradiction is. Both rules are deterministic and were not tuned on data.
 */
import { entailmentFailure } from "../accountability/entailment.js";
import type { Citation } from "../accountability/schema.js";
import { tokenize } from "../platform/text/analyzer.js";
import type { StatementRecord } from "./memory.js";
import type { Statement } from "./schema.js";

/** A sentence of the current answer and the knowledge passages that support it. */
export interface Claim {
  readonly claim: string;
  readonly sources: Statement["sources"];
}

/**
 * The claims an answer makes from knowledge: each supported sentence with the documents it cites. Sentences
 * supported only by a memory or a tool's output are not the organisation's statements: they are not kept.
 */
export function claimsOf(citations: readonly Citation[]): Claim[] {
  const byClaim = new Map<string, Claim["sources"][number][]>();
  for (const c of citations) {
    if (!c.kbId || !c.claim) continue;
    const sources = byClaim.get(c.claim) ?? [];
    sources.push({ kbId: c.kbId, docId: c.docId, docName: c.docName, quote: c.quote });
    byClaim.set(c.claim, sources);
  }
  return [...byClaim].map(([claim, sources]) => ({ claim, sources }));
}

export interface Contradiction {
  readonly earlier: StatementRecord;
  readonly now: Claim;
  /** Why they disagree, in the entailment check's words. */
  readonly reason: string;
}

/** Shared words (numbers aside) two sentences need before they are compared at all. */
const minSharedTerms = 3;
/** The share of the shorter sentence's words the other must hold. */
const minOverlap = 0.7;

/** A sentence's words with its numbers set aside: what "about the same thing" is judged on. */
export const contentTerms = (text: string): Set<string> =>
  new Set(tokenize(text).filter((t) => !/^\d/.test(t)));

/** Two sentences are the same claim when they are the same words, case and spacing aside. */
export const claimKey = (claim: string): string => claim.replace(/\s+/g, " ").trim().toLowerCase();

function sameSubject(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared >= minSharedTerms && shared / Math.min(a.size, b.size) >= minOverlap;
}

/**
 * The earlier statements the current claims contradict: for each claim, the most recent earlier statement on the
 * same subject that it does not entail (and that was not contradicted already). Each earlier statement is
 * contradicted once.
 */
export function findContradictions(
  claims: readonly Claim[],
  earlier: readonly StatementRecord[],
): Contradiction[] {
  const found: Contradiction[] = [];
  const used = new Set<string>();
  // A sentence said before and again now is consistent; and one the end user was told again now was not
  // contradicted by another sentence of the same answer ("25 vacation days" beside "2.08 days a month").
  const toldBefore = new Set(earlier.map((s) => claimKey(s.claim)));
  const toldNow = new Set(claims.map((c) => claimKey(c.claim)));
  const open = earlier.filter((s) => s.contradictedBy === null && !toldNow.has(claimKey(s.claim)));
  const fresh = claims.filter((c) => !toldBefore.has(claimKey(c.claim)));
  const earlierWords = new Map(open.map((s) => [s.id, contentTerms(s.claim)]));
  for (const now of fresh) {
    const words = contentTerms(now.claim);
    // Statements are newest first: the latest thing the end user was told is the one to correct.
    for (const statement of open) {
      if (used.has(statement.id)) continue;
      if (!sameSubject(words, earlierWords.get(statement.id) ?? new Set())) continue;
      const reason = entailmentFailure(now.claim, statement.claim);
      if (reason === null) continue;
      found.push({ earlier: statement, now, reason });
      used.add(statement.id);
      break;
    }
  }
  return found;
}

/**
 * What the end user is told when the answer contradicts an earlier one: the earlier sentence, when it was said,
 * and that the current source says otherwise ("Earlier I said 25; the current handbook says 20").
 */
export function correctionNote(contradictions: readonly Contradiction[]): string {
  return contradictions
    .map((c) => {
      const day = c.earlier.createdAt.slice(0, 10);
      const source = c.now.sources[0]?.docName;
      const current = source ? `the current version of "${source}"` : "the current sources";
      return `Correction: on ${day} I told you "${stripEnd(c.earlier.claim)}". That is no longer right: ${current} says "${stripEnd(c.now.claim)}", and this answer follows it.`;
    })
    .join(" ");
}

const stripEnd = (s: string): string => s.trim().replace(/[.!?]+$/, "");
