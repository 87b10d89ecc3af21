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
import { answerTypeOf, hasAnswerType, type AnswerType } from "../text/question.js";

/** The whole answer when no passage sentence is relevant enough, or when there are no passages. */
export const COULD_NOT_FIND_ANSWER = "I could not find this in the provided sources.";

export const EXTRACTIVE_MODEL = "alchemist-extractive-v1";

/**
 * Tunable: the share of the question's informative term weight (IDF) a sentence must cover, counting the
 * words of its context (the passage's heading and the sentences either side), to be quoted.
 */
export const MIN_RELEVANCE = 0.4;
/** At most this many sentences are quoted (each with the lines it introduces). */
const MAX_SENTENCES = 3;
/** A sentence ending in a colon brings up to this many following lines (a listing, a command). */
const MAX_FOLLOWING_LINES = 3;
/** A further sentence is quoted only if it scores at least this share of the best one... */
const KEEP_RATIO = 0.75;
/** ...or adds at least this share of the question's weight that the sentences chosen so far leave out. */
const MIN_NEW_COVERAGE = 0.25;
/** How much a sentence's own words count against its context's (heading and neighbours) in its relevance. */
const OWN_WEIGHT = 0.6;
/** How much of its context's coverage a sentence that shares a question word is credited with. */
const CONTEXT_CREDIT = 0.8;
/** Score bonus, scaled by the share of the question's adjacent term pairs the sentence repeats. */
const BIGRAM_BONUS = 0.15;
/** Score bonus for the first-ranked passage, falling linearly to 0 for the last. */
const RANK_BONUS = 0.05;
/** Score bonus for a sentence holding the kind of answer the question asks for (a number, a command). */
const TYPE_BONUS = 0.15;
/** Shorter pieces (headings, labels) are never quoted on their own. */
const MIN_SENTENCE_WORDS = 3;
/** Credit for a term matched only by a shared prefix ("reimburs" ~ "reimbursement"). */
const PREFIX_MATCH = 0.6;

// ---------------------------------------------------------------------------------------------------
// Sentences
// ---------------------------------------------------------------------------------------------------

interface Candidate {
  readonly passage: number;
  readonly position: number;
  readonly text: string;
  readonly marker: string;
  readonly terms: ReadonlySet<string>;
  /** The sentence's terms with its passage heading's and its neighbours': what it is about. */
  readonly context: ReadonlySet<string>;
  readonly bigrams: ReadonlySet<string>;
  /** Ends with a colon: it introduces the line that follows ("Use the option:" → the code). */
  readonly introduces: boolean;
}

const bigramsOf = (terms: readonly string[]): Set<string> =>
  new Set(terms.slice(1).map((t, i) => `${terms[i]} ${t}`));

/** A heading path ("Handbook > Benefits > Pension"), which chunks carry as their first line. */
const isHeadingPath = (text: string): boolean => text.includes(" > ") && !/[.!?:;]["'”’)\]]*$/.test(text);

function candidatesOf(passages: readonly GroundingPassage[]): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  passages.forEach((p, passage) => {
    const sentences = splitSentences(p.text);
    const heading = sentences.filter((text, i) => i === 0 && isHeadingPath(text)).flatMap(tokenize);
    sentences.forEach((text, position) => {
      const terms = tokenize(text);
      const key = text.toLowerCase();
      // A heading such as "Expense reports" names a topic but answers nothing; nor does a heading path.
      if (terms.length === 0 || text.split(" ").length < MIN_SENTENCE_WORDS || seen.has(key)) return;
      if (isHeadingPath(text)) return;
      seen.add(key);
      const neighbours = [sentences[position - 1], sentences[position + 1]].flatMap((n) =>
        n === undefined ? [] : tokenize(n),
      );
      out.push({
        passage,
        position,
        text,
        marker: citationMarker(p.ref),
        terms: new Set(terms),
        context: new Set([...terms, ...heading, ...neighbours]),
        bigrams: bigramsOf(terms),
        introduces: /:\s*$/.test(text),
      });
    });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Scoring
// ---------------------------------------------------------------------------------------------------

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
  /** Share of the question's IDF weight the sentence and its context cover, 0..1: what the bar is about. */
  coverage: number;
  /** Coverage plus the bigram, type and rank bonuses: what orders the sentences. */
  score: number;
}

interface Question {
  readonly unique: readonly string[];
  readonly idf: ReadonlyMap<string, number>;
  readonly total: number;
}

function questionOf(question: string, candidates: readonly Candidate[]): Question | null {
  const unique = [...new Set(tokenize(question))];
  if (unique.length === 0 || candidates.length === 0) return null;
  const n = candidates.length;
  const idf = new Map<string, number>();
  for (const term of unique) {
    const df = candidates.reduce((count, c) => count + (c.terms.has(term) ? 1 : 0), 0);
    // A term no sentence contains counts as rare as the rarest one that does, not rarer: its absence says
    // nothing about how specific it is, and it should not make every question about it unanswerable.
    idf.set(term, Math.log(1 + (n + 1) / (Math.max(df, 1) + 0.5)));
  }
  return { unique, idf, total: unique.reduce((sum, t) => sum + (idf.get(t) ?? 0), 0) };
}

/** The share of the question's weight a set of terms covers, leaving out terms already `covered`. */
function coverageBy(q: Question, terms: ReadonlySet<string>, covered?: ReadonlySet<string>): number {
  let sum = 0;
  for (const t of q.unique) if (!covered?.has(t)) sum += (q.idf.get(t) ?? 0) * matchCredit(t, terms);
  return sum / q.total;
}

function scoreSentences(
  question: string,
  q: Question,
  type: AnswerType,
  candidates: readonly Candidate[],
  passageCount: number,
): Scored[] {
  const questionBigrams = bigramsOf(tokenize(question));
  return candidates.map((candidate) => {
    const own = coverageBy(q, candidate.terms);
    const inContext = coverageBy(q, candidate.context);
    const blended = OWN_WEIGHT * own + (1 - OWN_WEIGHT) * inContext;
    // A short answer ("Specifies an inclusive set.") under a heading that matches the question is relevant
    // through its context, as long as it shares a word with the question itself.
    const coverage = own > 0 ? Math.max(blended, inContext * CONTEXT_CREDIT) : blended;
    const pairs = [...questionBigrams].filter((b) => candidate.bigrams.has(b)).length;
    const bigramBonus = questionBigrams.size > 0 ? (BIGRAM_BONUS * pairs) / questionBigrams.size : 0;
    const rankBonus =
      passageCount > 1 ? RANK_BONUS * (1 - candidate.passage / (passageCount - 1)) : RANK_BONUS;
    const typeBonus = type !== "any" && own > 0 && hasAnswerType(type, candidate.text) ? TYPE_BONUS : 0;
    return { candidate, coverage, score: coverage + bigramBonus + rankBonus + typeBonus };
  });
}

function lastUserMessage(request: ChatRequest): string | undefined {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i];
    if (m?.role === "user") return m.content;
  }
  return undefined;
}

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

/**
 * The answer: the best relevant sentence, then up to two more that score nearly as well or cover parts of
 * the question it leaves out (from any passage), and the line a chosen sentence introduces with a colon;
 * in passage order, each followed by its own marker.
 */
export function extractiveAnswer(question: string, passages: readonly GroundingPassage[]): string {
  const candidates = candidatesOf(passages);
  const q = questionOf(question, candidates);
  if (!q) return COULD_NOT_FIND_ANSWER;
  const type = answerTypeOf(question);
  const all = creditAnswersOfQuestions(scoreSentences(question, q, type, candidates, passages.length));
  // A sentence without the kind of answer the question asks for (no number for "how many") is not an
  // answer to it, however many of its words it repeats; the line it introduces may be.
  const answers = (c: Candidate): boolean =>
    hasAnswerType(type, c.text) || (c.introduces && followers(c).some((f) => hasAnswerType(type, f.text)));
  const followers = (c: Candidate): Candidate[] => {
    if (!c.introduces) return [];
    const next = candidates.filter((n) => n.passage === c.passage && n.position > c.position);
    // Lines too short to be candidates ("});") leave gaps; the listing still ends a few lines on.
    const lines = next
      .filter((n) => n.position <= c.position + MAX_FOLLOWING_LINES)
      .slice(0, MAX_FOLLOWING_LINES);
    // Prose after the listing ("The token is a string.") is not part of what the colon introduced.
    const end = lines.findIndex((n, i) => i > 0 && /^\p{Lu}.*[.!?]$/u.test(n.text));
    return end === -1 ? lines : lines.slice(0, end);
  };
  const ranked = all
    .filter((s) => s.coverage >= MIN_RELEVANCE && answers(s.candidate))
    .sort(
      (a, b) =>
        b.score - a.score ||
        a.candidate.passage - b.candidate.passage ||
        a.candidate.position - b.candidate.position,
    );
  const best = ranked[0];
  if (!best) return COULD_NOT_FIND_ANSWER;
  const chosen: Candidate[] = [];
  const covered = new Set<string>();
  let units = 0;
  /** A sentence, with the lines it introduces: one unit of the answer. */
  const add = (c: Candidate): void => {
    if (units >= MAX_SENTENCES || chosen.includes(c)) return;
    units++;
    for (const piece of [c, ...followers(c)]) {
      if (chosen.includes(piece)) continue;
      chosen.push(piece);
      for (const t of q.unique) if (matchCredit(t, piece.terms) > 0) covered.add(t);
    }
  };
  add(best.candidate);
  for (const s of ranked.slice(1)) {
    if (units >= MAX_SENTENCES) break;
    if (s.score >= best.score * KEEP_RATIO || coverageBy(q, s.candidate.terms, covered) >= MIN_NEW_COVERAGE)
      add(s.candidate);
  }
  const pieces = chosen
    .sort((a, b) => a.passage - b.passage || a.position - b.position)
    .map((c) => `${c.text} ${c.marker}`);
  // A sentence that does not start like one (a line of code, a lower-case list item) goes on a paragraph of
  // its own, so that whoever splits the answer into sentences again finds the same ones.
  return pieces
    .map((piece, i) => (i === 0 ? piece : /^[\p{Lu}\p{N}"“(]/u.test(piece) ? ` ${piece}` : `\n\n${piece}`))
    .join("");
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
    // It runs in this process: answering a one-word question proves it loads and runs.
    ping: async () => {
      respond({ messages: [{ role: "user", content: "health check" }] });
    },
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
