/**
 * The grounded extractive responder: the chat model used when no model API is configured. It never
 * generates text. It answers only by quoting the sentences of `request.grounding.passages` that best
 * match the last user message, each followed by its citation marker, or says it could not find the
 * answer. Whether to abstain is the accountability layer's decision; this responder only guarantees that
 * every word it returns was copied from a passage (whitespace collapsed, list markers dropped).
 */
import { AppError } from "../errors.js";
import type {
  ChatModel,
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  GroundingPassage,
  ModelInfo,
} from "../ports.js";
import { citationMarker } from "./grounding.js";
import { tokenize } from "../text/analyzer.js";
import { splitSentences } from "../text/sentences.js";

/** The whole answer when no passage sentence is relevant enough, or when there are no passages. */
export const COULD_NOT_FIND_ANSWER = "I could not find this in the provided sources.";

export const EXTRACTIVE_MODEL = "alchemist-extractive-v1";

/** Tunable: the share of the question's informative term weight (IDF) a sentence must cover to be quoted. */
export const MIN_RELEVANCE = 0.4;
/** At most this many sentences are quoted. */
const MAX_SENTENCES = 3;
/** A second or third sentence is quoted only if it scores at least this share of the best one. */
const KEEP_RATIO = 0.75;
/** Score bonus, scaled by the share of the question's adjacent term pairs the sentence repeats. */
const BIGRAM_BONUS = 0.15;
/** Score bonus for the first-ranked passage, falling linearly to 0 for the last. */
const RANK_BONUS = 0.05;
/** Shorter pieces (headings, labels) are never quoted on their own. */
const MIN_SENTENCE_WORDS = 3;
/** Credit for a term matched only by a shared prefix ("reimburs" ~ "reimbursement"). */
const PREFIX_MATCH = 0.6;

// ---------------------------------------------------------------------------------------------------
// Sentences
// ---------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------------------------------

interface Candidate {
  readonly passage: number;
  readonly position: number;
  readonly text: string;
  readonly marker: string;
  readonly terms: ReadonlySet<string>;
  readonly bigrams: ReadonlySet<string>;
}

const bigramsOf = (terms: readonly string[]): Set<string> =>
  new Set(terms.slice(1).map((t, i) => `${terms[i]} ${t}`));

function candidatesOf(passages: readonly GroundingPassage[]): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  passages.forEach((p, passage) => {
    splitSentences(p.text).forEach((text, position) => {
      const terms = tokenize(text);
      const key = text.toLowerCase();
      // A heading such as "Expense reports" names a topic but answers nothing.
      if (terms.length === 0 || text.split(" ").length < MIN_SENTENCE_WORDS || seen.has(key)) return;
      // Nor does a heading path ("Handbook > Benefits > Pension"), which chunks carry as their first line.
      if (text.includes(" > ") && !/[.!?:;]["'”’)\]]*$/.test(text)) return;
      seen.add(key);
      out.push({
        passage,
        position,
        text,
        marker: citationMarker(p.ref),
        terms: new Set(terms),
        bigrams: bigramsOf(terms),
      });
    });
  });
  return out;
}

function matchCredit(term: string, sentence: ReadonlySet<string>): number {
  if (sentence.has(term)) return 1;
  if (term.length < 5) return 0;
  for (const s of sentence) {
    if (s.length >= 5 && (s.startsWith(term) || term.startsWith(s))) return PREFIX_MATCH;
  }
  return 0;
}

interface Scored {
  readonly candidate: Candidate;
  /** Share of the question's IDF weight the sentence covers, 0..1: what the relevance bar is about. */
  coverage: number;
  /** Coverage plus the bigram and rank bonuses: what orders the sentences. */
  score: number;
}

function scoreSentences(question: string, candidates: readonly Candidate[], passageCount: number): Scored[] {
  const questionTerms = tokenize(question);
  const unique = [...new Set(questionTerms)];
  if (unique.length === 0 || candidates.length === 0) return [];
  const questionBigrams = bigramsOf(questionTerms);
  const n = candidates.length;
  const idf = new Map<string, number>();
  for (const term of unique) {
    const df = candidates.reduce((count, c) => count + (c.terms.has(term) ? 1 : 0), 0);
    // A term no sentence contains counts as rare as the rarest one that does, not rarer: its absence says
    // nothing about how specific it is, and it should not make every question about it unanswerable.
    idf.set(term, Math.log(1 + (n + 1) / (Math.max(df, 1) + 0.5)));
  }
  const total = unique.reduce((sum, t) => sum + (idf.get(t) ?? 0), 0);
  return candidates.map((candidate) => {
    const covered = unique.reduce((sum, t) => sum + (idf.get(t) ?? 0) * matchCredit(t, candidate.terms), 0);
    const coverage = covered / total;
    const pairs = [...questionBigrams].filter((b) => candidate.bigrams.has(b)).length;
    const bigramBonus = questionBigrams.size > 0 ? (BIGRAM_BONUS * pairs) / questionBigrams.size : 0;
    const rankBonus =
      passageCount > 1 ? RANK_BONUS * (1 - candidate.passage / (passageCount - 1)) : RANK_BONUS;
    return { candidate, coverage, score: coverage + bigramBonus + rankBonus };
  });
}

function lastUserMessage(request: ChatRequest): string | undefined {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m?.role === "user") return m.content;
  }
  return undefined;
}

/** The answer: the best 1–3 relevant sentences in passage order, each followed by its marker. */
/**
 * A question in a passage (an FAQ entry) names a topic but answers nothing: its relevance passes to the
 * sentence that follows it, and the question itself is never quoted.
 */
function creditAnswersOfQuestions(scored: readonly Scored[]): Scored[] {
  const out = scored.map((s) => ({ ...s }));
  out.forEach((s, i) => {
    const next = out[i + 1];
    if (!s.candidate.text.trimEnd().endsWith("?") || !next || next.candidate.passage !== s.candidate.passage)
      return;
    if (next.candidate.text.trimEnd().endsWith("?")) return;
    if (s.coverage > next.coverage) {
      next.score += s.coverage - next.coverage;
      next.coverage = s.coverage;
    }
  });
  return out.filter((s) => !s.candidate.text.trimEnd().endsWith("?"));
}

export function extractiveAnswer(question: string, passages: readonly GroundingPassage[]): string {
  const scored = creditAnswersOfQuestions(scoreSentences(question, candidatesOf(passages), passages.length))
    .filter((s) => s.coverage >= MIN_RELEVANCE)
    .sort(
      (a, b) =>
        b.score - a.score ||
        a.candidate.passage - b.candidate.passage ||
        a.candidate.position - b.candidate.position,
    );
  const best = scored[0];
  if (!best) return COULD_NOT_FIND_ANSWER;
  const chosen = scored.filter((s) => s.score >= best.score * KEEP_RATIO).slice(0, MAX_SENTENCES);
  return chosen
    .map((s) => s.candidate)
    .sort((a, b) => a.passage - b.passage || a.position - b.position)
    .map((c) => `${c.text} ${c.marker}`)
    .join(" ");
}

// ---------------------------------------------------------------------------------------------------
// The ChatModel
// ---------------------------------------------------------------------------------------------------

/** Token counts are estimates: there is no tokenizer here, and words × 1.3 is close for English. */
const approxTokens = (text: string): number => Math.round((text.match(/\S+/g)?.length ?? 0) * 1.3);

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError("cancelled", "The model request was cancelled.");
}

function respond(request: ChatRequest): ChatResult {
  throwIfAborted(request.signal);
  const passages = request.grounding?.passages ?? [];
  const question = lastUserMessage(request);
  const content =
    question === undefined || passages.length === 0
      ? COULD_NOT_FIND_ANSWER
      : extractiveAnswer(question, passages);
  const input = [...request.messages.map((m) => m.content), ...passages.map((p) => p.text)].join(" ");
  return {
    content,
    toolCalls: [],
    usage: { inputTokens: approxTokens(input), outputTokens: approxTokens(content) },
    finishReason: "stop",
    model: EXTRACTIVE_MODEL,
  };
}

export function localExtractiveModel(): ChatModel {
  const info: ModelInfo = {
    provider: "local-extractive",
    model: EXTRACTIVE_MODEL,
    label: "Built-in extractive responder (quotes retrieved passages; no generative model)",
  };
  return {
    info,
    complete: async (request) => respond(request),
    async *stream(request): AsyncGenerator<ChatStreamEvent> {
      const result = respond(request);
      for (const word of result.content.match(/\S+\s*/g) ?? []) {
        throwIfAborted(request.signal);
        yield { type: "delta", text: word };
      }
      yield { type: "done", result };
    },
  };
}
