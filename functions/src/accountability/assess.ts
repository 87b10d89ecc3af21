/**
 * Holds an answer to account: every sentence must be supported by the passage it cites, unsupported
 * sentences are removed (and recorded), a confidence is computed from retrieval strength, how much of
 * the question the cited evidence covers, and how well it supports the claims; below the agent's
 * threshold the agent abstains and says what it did find instead.
 *
 * Evidence excluded as instruction-like (exclusion.ts) is passed separately and only ever used to remove
 * sentences: one that cites it, repeats a sentence of it, or is itself instruction-like is dropped, so
 * an injected passage is never quoted even when the model saw it by some other route. Excluded evidence
 * is never cited and so never raises the confidence: retrieval strength and coverage come from cited
 * passages only, which keeps the calibration (fitted on a corpus without injections) honest.
 */
import { entailmentFailure } from "./entailment.js";
import { splitSentences } from "../platform/text/sentences.js";
import { tokenize } from "../platform/text/analyzer.js";
import { answerTypeOf, hasAnswerType, type AnswerType } from "../platform/text/question.js";
import type { SearchResult } from "../knowledge/search.js";
import type { TermStats } from "../platform/ports.js";
import { calibratedConfidence } from "./calibration.js";
import { detectInjection } from "./injection.js";
import type { Citation, ClaimCheck, Confidence } from "./schema.js";

/** A retrieved passage and the marker (`[ref]`) the model was shown it under. */
export interface Evidence extends SearchResult {
  readonly ref: string;
}

export interface Assessment {
  readonly content: string;
  readonly citations: Citation[];
  readonly checks: ClaimCheck[];
  readonly confidence: Confidence;
  readonly abstained: boolean;
  readonly explanation: string;
}

/** A sentence is kept when this share of its terms appears in one sentence of a cited passage. */
const supportThreshold = 0.6;
/** Without a marker, a sentence is attributed to a passage only on much stronger overlap. */
const implicitSupportThreshold = 0.85;

const markerPattern = /\[([^\][]{1,12})\]/g;

function termsOf(text: string): Set<string> {
  return new Set(tokenize(text));
}

function overlap(claim: Set<string>, source: Set<string>): number {
  if (claim.size === 0) return 0;
  let hit = 0;
  for (const t of claim) if (source.has(t)) hit++;
  return hit / claim.size;
}

/**
 * The exact text of the passage a (whitespace-collapsed) sentence came from: passages keep their line
 * breaks, sentences do not, and a citation must quote the source verbatim.
 */
export function verbatimSpan(passage: string, sentence: string): string {
  if (passage.includes(sentence)) return sentence;
  const words = sentence.split(/\s+/).filter(Boolean);
  if (words.length === 0) return sentence;
  const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s+"), "u");
  return pattern.exec(passage)?.[0] ?? sentence;
}

/**
 * The source sentence that best supports a claim, and how well: the one sharing most of its terms among
 * those that also entail it (entailment.ts: its numbers, polarity and bounds). When only contradicting
 * sentences share enough terms, the best of them is returned with why it fails.
 */
function bestQuote(
  claim: string,
  claimTerms: Set<string>,
  passage: Evidence,
  needed: number,
): { quote: string; support: number; failure: string | null } {
  type Quote = { quote: string; support: number; failure: string | null };
  let entailed: Quote = { quote: "", support: 0, failure: null };
  let contradicted: Quote | null = null;
  for (const sentence of splitSentences(passage.text)) {
    const support = overlap(claimTerms, termsOf(sentence));
    const failure = support >= needed ? entailmentFailure(claim, sentence) : null;
    if (failure === null) {
      if (support > entailed.support) entailed = { quote: sentence, support, failure };
    } else if (!contradicted || support > contradicted.support) {
      contradicted = { quote: sentence, support, failure };
    }
  }
  const chosen = entailed.support < needed && contradicted ? contradicted : entailed;
  return { ...chosen, quote: chosen.quote ? verbatimSpan(passage.text, chosen.quote) : "" };
}

/**
 * The share of the question's weight the cited evidence covers, each term weighted by how specific it is
 * in the knowledge bases (its IDF): a question whose rare, decisive word appears nowhere in the evidence
 * ("... for their own wedding?") is not answered by evidence that shares its common words.
 */
function weightedCoverage(
  questionTerms: ReadonlySet<string>,
  evidenceTerms: ReadonlySet<string>,
  weights: ReadonlyMap<string, number> | undefined,
): number {
  let total = 0;
  let covered = 0;
  for (const t of questionTerms) {
    const w = weights?.get(t) ?? 1;
    total += w;
    if (evidenceTerms.has(t)) covered += w;
  }
  return total === 0 ? 0 : covered / total;
}

export function abstentionMessage(evidence: readonly Evidence[]): string {
  const found = [...new Set(evidence.filter((e) => e.score > 0.2).map((e) => e.docName))].slice(0, 3);
  const base = "I couldn't find an answer to that in the knowledge available to me.";
  if (found.length === 0) return base;
  return `${base} The closest material I found is in ${found.map((n) => `"${n}"`).join(", ")}, which may help.`;
}

/** Whitespace-collapsed, lower-case text, for "does this sentence repeat that passage" checks. */
const flat = (text: string): string => text.replace(/\s+/g, " ").trim().toLowerCase();
/** Shorter sentences ("Refunds are available.") may repeat anything; they are not evidence of copying. */
const minRepeatChars = 24;

export function assessAnswer(input: {
  readonly question: string;
  readonly answer: string;
  /** The evidence the model was offered (and may cite). */
  readonly evidence: readonly Evidence[];
  readonly threshold: number;
  /** How specific the question's terms are in the knowledge bases searched (see `termWeights`). */
  readonly termWeights?: TermWeights;
  /** Evidence excluded as instruction-like: never cited, only used to remove sentences that repeat it. */
  readonly excluded?: readonly Evidence[];
  /**
   * The confidence of each memory offered (`M` refs, narrative/): how sure the reading of the end user's words
   * was. An answer that cites memories only is as confident as its least certain memory, times its support.
   */
  readonly memoryConfidence?: ReadonlyMap<string, number>;
}): Assessment {
  const byRef = new Map(input.evidence.map((e) => [e.ref, e]));
  const excludedRefs = new Set((input.excluded ?? []).map((e) => e.ref));
  const excludedText = (input.excluded ?? []).map((e) => flat(e.text));
  const offeredText = input.evidence.map((e) => flat(e.text));
  const checks: ClaimCheck[] = [];
  const kept: string[] = [];
  const citations: Citation[] = [];
  let supportSum = 0;

  const citedRefs = (raw: string): string[] =>
    [...raw.matchAll(markerPattern)].map((m) => (m[1] as string).trim());
  /** Cites excluded evidence, repeats a sentence only excluded evidence holds, or is an instruction itself. */
  const fromExcluded = (raw: string, sentence: string): boolean => {
    if (citedRefs(raw).some((r) => excludedRefs.has(r))) return true;
    const text = flat(sentence).replace(/[.!?]+$/, "");
    if (
      text.length >= minRepeatChars &&
      excludedText.some((t) => t.includes(text)) &&
      !offeredText.some((t) => t.includes(text))
    )
      return true;
    return detectInjection(sentence).flagged;
  };

  for (const raw of splitSentences(input.answer)) {
    const refs = [...raw.matchAll(markerPattern)]
      .map((m) => (m[1] as string).trim())
      .filter((r) => byRef.has(r));
    const sentence = raw
      .replace(markerPattern, "")
      .replace(/\s+([.,;:!?])/g, "$1")
      .trim();
    if (!sentence) continue;
    const claimTerms = termsOf(sentence);
    if (claimTerms.size === 0) continue; // connective text ("In short:") carries no claim
    if (fromExcluded(raw, sentence)) {
      checks.push({ sentence, refs: citedRefs(raw), support: 0, verdict: "injection-removed" });
      continue;
    }
    const candidates = refs.length > 0 ? refs.map((r) => byRef.get(r) as Evidence) : [...input.evidence];
    const needed = refs.length > 0 ? supportThreshold : implicitSupportThreshold;
    let best: { evidence: Evidence; quote: string; support: number; failure: string | null } | null = null;
    for (const evidence of candidates) {
      const q = bestQuote(sentence, claimTerms, evidence, needed);
      const entailed = (x: { failure: string | null; support: number }) =>
        x.failure === null && x.support >= needed;
      if (
        !best ||
        (entailed(q) && !entailed(best)) ||
        (entailed(q) === entailed(best) && q.support > best.support)
      )
        best = { evidence, ...q };
    }
    const supported = best !== null && best.support >= needed && best.failure === null;
    checks.push({
      sentence,
      refs: supported && best ? [best.evidence.ref] : refs,
      support: Math.round((best?.support ?? 0) * 1000) / 1000,
      verdict: supported ? "supported" : "unsupported-removed",
      ...(!supported && best?.failure ? { reason: `The sentence ${best.failure}.` } : {}),
    });
    if (!supported || !best) continue;
    supportSum += best.support;
    kept.push(`${sentence} [${best.evidence.ref}]`);
    const e = best.evidence;
    citations.push({
      ref: e.ref,
      kbId: e.kbId,
      docId: e.docId,
      docName: e.docName,
      chunkId: e.chunkId,
      quote: best.quote,
      claim: sentence,
      location: e.location,
      score: e.score,
      ...(e.docId.startsWith("memory:") ? { memoryId: e.docId.slice("memory:".length) } : {}),
    });
  }

  const passagesCited = new Set(citations.map((c) => c.chunkId)).size;
  const claims = checks.length;
  const support = kept.length > 0 ? (supportSum / kept.length) * (kept.length / Math.max(1, claims)) : 0;
  // How well the cited passages matched: the fused search score, or the semantic similarity when higher.
  // The fused score's keyword part grows with the size of the knowledge base (IDF); the similarity does
  // not, so an answer from a base of two passages is not doubted for the base's size alone.
  const retrieval = Math.max(
    0,
    ...citations.map((c) => {
      const e = input.evidence.find((x) => x.chunkId === c.chunkId);
      return Math.max(c.score, e?.vectorScore ?? 0);
    }),
  );

  const questionTerms = termsOf(input.question);
  const citedTerms = termsOf(
    citations.map((c) => input.evidence.find((e) => e.chunkId === c.chunkId)?.text ?? "").join(" "),
  );
  const coverage = weightedCoverage(questionTerms, citedTerms, input.termWeights?.idf);
  // A term the knowledge bases never mention may still be in the evidence offered (a tool's output).
  const offeredTerms = termsOf(input.evidence.map((e) => e.text).join(" "));
  const unknown = unknownShare(questionTerms, input.termWeights, offeredTerms);
  const statements = checks.filter((c) => c.verdict === "supported").map((c) => c.sentence);
  const answerCoverage = weightedCoverage(
    questionTerms,
    termsOf(statements.join(" ")),
    input.termWeights?.idf,
  );
  // A tool's output (`T` marker) is the answer to a call the model chose, not a search hit: its place among
  // the turn's calls (a lookup first, then the read it needed) is no rank, so cited it counts as first. So is
  // a memory (`M` marker, narrative/): what the end user said about themselves ranks with nothing.
  const ranks = citations
    .map((c) => {
      const rank = input.evidence.findIndex((e) => e.chunkId === c.chunkId);
      const ref = input.evidence[rank]?.ref ?? "";
      return rank >= 0 && (ref.startsWith("T") || ref.startsWith("M")) ? 0 : rank;
    })
    .filter((r) => r >= 0);
  const topCited = ranks.length > 0 ? 1 / (1 + Math.min(...ranks)) : 0;
  const wantedType = answerTypeOf(input.question);
  const typeMatch = hasAnswerType(wantedType, statements.join("\n")) ? 1 : 0;
  // The calibration was fitted on answers from documents. An answer from memories alone repeats what the end user
  // said about themselves: its confidence is the memories' own (how sure their extraction was), not a document
  // search's, which would count the question's words about the person ("which city") as unknown to the corpus.
  const memoryOnly =
    citations.length > 0 && citations.every((c) => input.memoryConfidence?.has(c.ref) === true);
  const value =
    kept.length === 0
      ? 0
      : memoryOnly
        ? Math.min(...citations.map((c) => input.memoryConfidence?.get(c.ref) ?? 0)) * support
        : calibratedConfidence({ retrieval, support, unknown, answerCoverage, typeMatch, topCited });
  const confidence: Confidence = {
    value: round3(value),
    retrieval: round3(retrieval),
    coverage: round3(coverage),
    support: round3(support),
    unknown: round3(unknown),
    answerCoverage: round3(answerCoverage),
    typeMatch,
    topCited: round3(topCited),
    threshold: input.threshold,
  };
  const abstained = kept.length === 0 || typeMatch === 0 || value < input.threshold;
  const removed = checks.filter((c) => c.verdict === "unsupported-removed").length;
  const quotedInjection = checks.filter((c) => c.verdict === "injection-removed").length;
  const injectionNote =
    quotedInjection > 0
      ? ` ${quotedInjection} sentence(s) that cited or repeated excluded instruction-like text were removed.`
      : "";

  if (abstained) {
    return {
      content: abstentionMessage(input.evidence),
      citations: [],
      checks,
      confidence,
      abstained,
      explanation:
        (input.evidence.length === 0
          ? (input.excluded ?? []).length > 0
            ? "No usable passage remained once instruction-like text was excluded, so the agent abstained."
            : "No passage in the agent's knowledge bases matched the question, so the agent abstained."
          : abstentionReason({
              kept: kept.length,
              claims,
              typeMatch,
              wantedType,
              value,
              threshold: input.threshold,
            })) + injectionNote,
    };
  }
  const docs = [...new Set(citations.map((c) => `"${c.docName}"`))].join(", ");
  if (memoryOnly)
    return {
      content: kept.join(" "),
      citations,
      checks,
      confidence,
      abstained,
      explanation:
        `Answered from ${passagesCited} memory(ies) of what the end user said before (${docs}); ${kept.length} of ` +
        `${claims} sentence(s) were supported by them${removed > 0 ? `; ${removed} unsupported sentence(s) were removed` : ""}. ` +
        `Confidence ${value.toFixed(2)} is the least certain memory's, times the support.${injectionNote}`,
    };
  return {
    content: kept.join(" "),
    citations,
    checks,
    confidence,
    abstained,
    explanation:
      `Answered from ${passagesCited} passage(s) in ${docs}. ${kept.length} of ${claims} sentence(s) were supported by their sources` +
      `${removed > 0 ? `; ${removed} unsupported sentence(s) were removed` : ""}. The cited evidence covers ${pct(coverage)} of the question (retrieval similarity ${retrieval.toFixed(2)}).${injectionNote}`,
  };
}

const typeNames: Record<AnswerType, string> = {
  number: "a number",
  date: "a date",
  instruction: "a command, option or call",
  name: "a name",
  any: "an answer",
};

/** Why an answer with evidence was withheld, in terms that do not contradict each other. */
function abstentionReason(r: {
  kept: number;
  claims: number;
  typeMatch: number;
  wantedType: AnswerType;
  value: number;
  threshold: number;
}): string {
  if (r.kept === 0)
    return r.claims === 0
      ? "No sentence of the passages found answered the question, so the agent abstained."
      : `None of the ${r.claims} sentence(s) drafted was supported by the passage it cited, so the agent abstained.`;
  if (r.typeMatch === 0)
    return `The question asks for ${typeNames[r.wantedType]}, and the supported sentences state none, so the agent abstained.`;
  return (
    `A supported answer was drafted, but its confidence ${r.value.toFixed(2)} (how often answers like it, ` +
    `judged by how the cited passage ranked and how much of the question it states, turn out right) is below ` +
    `the agent's threshold ${r.threshold.toFixed(2)}, so the agent abstained rather than guess.`
  );
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const pct = (x: number): string => `${Math.round(x * 100)}%`;

export interface TermWeights {
  /** IDF of each question term, as BM25 computes it: ln(1 + (N − df + 0.5) / (df + 0.5)). */
  readonly idf: ReadonlyMap<string, number>;
  /** Question terms no entry of the knowledge bases holds. */
  readonly unknown: ReadonlySet<string>;
}

/** A question's term weights from the knowledge bases' keyword statistics, summed over the bases. */
export function termWeights(stats: readonly TermStats[]): TermWeights {
  const entries = stats.reduce((n, s) => n + s.entries, 0);
  const df = new Map<string, number>();
  for (const s of stats) for (const t of s.terms) df.set(t.term, (df.get(t.term) ?? 0) + t.df);
  return {
    idf: new Map([...df].map(([term, d]) => [term, Math.log(1 + (entries - d + 0.5) / (d + 0.5))])),
    unknown: new Set([...df].filter(([, d]) => d === 0).map(([term]) => term)),
  };
}

/**
 * The share of the question's weight in terms the knowledge bases never mention: "Who is the CEO?" of a
 * corpus without "CEO" cannot be answered from it, however well its other words match.
 */
function unknownShare(
  questionTerms: ReadonlySet<string>,
  weights: TermWeights | undefined,
  offeredTerms: ReadonlySet<string>,
): number {
  if (!weights || questionTerms.size === 0) return 0;
  let total = 0;
  let unknown = 0;
  for (const t of questionTerms) {
    const w = weights.idf.get(t) ?? 1;
    total += w;
    if (weights.unknown.has(t) && !offeredTerms.has(t)) unknown += w;
  }
  return total === 0 ? 0 : unknown / total;
}
