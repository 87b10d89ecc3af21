/**
 * Annotations: an editor's correction of one answer, and the "annotation reply" that serves the correction when
 * the same question comes again.
 *
 * `tenants/{t}/annotations/{traceId}`: one per corrected answer, keyed by the answer's trace (a second
 * correction of the same answer changes it). The Tuning service writes them (tuning/annotations.ts); their
 * schema and the matcher live here because the Agent Engine looks them up during a turn, and agents may
 * import accountability but not tuning.
 *
 * Near-identical questions (`matchQuestion`): both are normalized (Unicode NFKC, lower case, punctuation and
 * symbols turned into spaces, spaces collapsed) and split into words. They match when
 * - the Jaccard index of their word sets is at least `annotationReplyThreshold`,
 * - every word only one of them has is a filler word (`fillerWords`: articles, greetings and courtesy, the
 *   frame of a request such as "can you tell me", present-tense auxiliaries, contraction tails): a number, a
 *   negation, a question word or any other content word that differs means another question, and
 * - the words they share come in the same order (from savings to checking is not from checking to savings).
 * Precision comes first: a question that does not match is answered as usual, from the knowledge bases, while
 * a wrong match serves an answer to another question. The threshold was chosen on a labelled set of question
 * pairs; testing/annotation-pairs.json and annotation-matcher.test.ts hold the set and both halves' figures.
 *
 * Lookups (`findAnnotationReply`) go through a small in-memory index per agent, loaded with one query (the
 * agent's annotations served as replies, at most `maxServedAnnotations`) and kept `indexTtlMs` per instance;
 * writes on this instance drop it at once (`forgetAnnotationIndex`), other instances see them within the TTL.
 */
import { z } from "zod";
import { checkId, tenantPath } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import type { DocStore } from "../platform/ports.js";
import { ttlCache, type TtlCache } from "../platform/ttl-cache.js";

export const maxCorrectedChars = 8000;
export const maxAnnotationNoteChars = 2000;
/** An agent's annotations served as replies are held in memory in full: this many at most. */
export const maxServedAnnotations = 2000;

export const annotationSchema = z.object({
  /** The corrected answer's trace (also the record's id). */
  traceId: z.string(),
  agentId: z.string(),
  /** Where the answer was (null when its conversation is gone). */
  conversationId: z.string().nullable(),
  messageId: z.string().nullable(),
  /** The question as the trace recorded it (redacted when the agent's guardrails redact personal data). */
  question: z.string(),
  /** The question's words as the matcher compares them (`normalizeQuestion`), joined by single spaces. */
  questionKey: z.string(),
  /** The answer as it was given. */
  original: z.string(),
  corrected: z.string(),
  note: z.string(),
  /** Serve `corrected` as the answer to near-identical questions to this agent. */
  serveAsReply: z.boolean(),
  /** The eval item made from it (sandbox/datasets.ts), when one was. */
  evalItem: z.object({ datasetId: z.string(), itemId: z.string() }).nullable(),
  by: z.string(),
  createdAt: z.string(),
  /** The last change, and who made it (the provenance an annotation reply cites). */
  updatedBy: z.string(),
  updatedAt: z.string(),
});
export type Annotation = z.infer<typeof annotationSchema>;
export type AnnotationView = Annotation & { readonly id: string };

export const annotationsPath = (tenantId: string): string => `${tenantPath(tenantId)}/annotations`;
export const annotationPath = (tenantId: string, annotationId: string): string =>
  `${annotationsPath(tenantId)}/${checkId(annotationId, "annotation id")}`;

// ---------------------------------------------------------------------------------------------------
// The matcher
// ---------------------------------------------------------------------------------------------------

/**
 * The lowest Jaccard index of two questions' word sets at which, the other checks passing, they are the same
 * question. Chosen as the lowest value with no false positive on the tuning half of the labelled pairs
 * (annotation-matcher.test.ts prints the sweep and both halves' precision and recall).
 */
export const annotationReplyThreshold = 0.85;

/**
 * Words that change how a question is put, not what it asks. Deliberately not here: question words (what,
 * when, where...), negations (not, no, never, "n't"), numbers, tense (did, was, will), prepositions,
 * pronouns other than the requester's "I"/"me" and the addressee's "you".
 */
export const fillerWords: ReadonlySet<string> = new Set(
  (
    "a an the hi hello hey please pls kindly thanks thank you can could would tell me i like to know want " +
    "wondering just quick question so ok okay do does is are s d ll re ve m"
  ).split(" "),
);

/** A question as the matcher reads it: its words, in order. */
export function normalizeQuestion(text: string): string[] {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .trim()
    .split(/\s+/u)
    .filter((w) => w !== "");
}

/** What the matcher keeps of a question, computed once per annotation. */
export interface QuestionShape {
  readonly words: readonly string[];
  readonly set: ReadonlySet<string>;
}

export const questionShape = (text: string): QuestionShape => {
  const words = normalizeQuestion(text);
  return { words, set: new Set(words) };
};

export interface QuestionMatch {
  /** The Jaccard index of the two word sets (0..1). */
  readonly similarity: number;
  readonly matches: boolean;
  /** Why not, when they do not match. */
  readonly reason: "below-threshold" | "content-differs" | "order-differs" | null;
}

/** Each word's first position: the order the shared words come in. */
const orderOf = (words: readonly string[], keep: (w: string) => boolean): string[] => {
  const seen = new Set<string>();
  const order: string[] = [];
  for (const w of words)
    if (keep(w) && !seen.has(w)) {
      seen.add(w);
      order.push(w);
    }
  return order;
};

/** Whether two questions are the same question (see the module's comment), and their similarity. */
export function matchQuestion(
  a: QuestionShape,
  b: QuestionShape,
  threshold = annotationReplyThreshold,
): QuestionMatch {
  let shared = 0;
  for (const w of a.set) if (b.set.has(w)) shared++;
  const union = a.set.size + b.set.size - shared;
  const similarity = union === 0 ? 0 : shared / union;
  if (union === 0 || similarity < threshold) return { similarity, matches: false, reason: "below-threshold" };
  for (const w of a.set)
    if (!b.set.has(w) && !fillerWords.has(w))
      return { similarity, matches: false, reason: "content-differs" };
  for (const w of b.set)
    if (!a.set.has(w) && !fillerWords.has(w))
      return { similarity, matches: false, reason: "content-differs" };
  const first = orderOf(a.words, (w) => b.set.has(w));
  const second = orderOf(b.words, (w) => a.set.has(w));
  if (first.some((w, i) => second[i] !== w)) return { similarity, matches: false, reason: "order-differs" };
  return { similarity, matches: true, reason: null };
}

// ---------------------------------------------------------------------------------------------------
// Annotation replies during a turn
// ---------------------------------------------------------------------------------------------------

/** What the turn serves, and what its trace records (`annotationReply`). */
export interface AnnotationReply {
  readonly annotationId: string;
  readonly traceId: string;
  readonly corrected: string;
  readonly similarity: number;
  readonly annotatedBy: string;
  readonly annotatedAt: string;
}

interface IndexEntry {
  readonly id: string;
  readonly shape: QuestionShape;
  readonly annotation: Annotation;
}

/** How long an instance keeps an agent's index before reading its annotations again. */
export const indexTtlMs = 30_000;

/** One cache per store: tests run several platforms in a process, each with its own documents. */
const indexes = new WeakMap<DocStore, TtlCache<readonly IndexEntry[]>>();

function indexCache(store: DocStore): TtlCache<readonly IndexEntry[]> {
  let cache = indexes.get(store);
  if (!cache) {
    cache = ttlCache<readonly IndexEntry[]>(indexTtlMs);
    indexes.set(store, cache);
  }
  return cache;
}

const indexKey = (tenantId: string, agentId: string): string => `${tenantId}/${agentId}`;

async function loadIndex(deps: Deps, tenantId: string, agentId: string): Promise<readonly IndexEntry[]> {
  const snaps = await deps.store.query({
    collection: annotationsPath(tenantId),
    where: [
      { field: "agentId", op: "==", value: agentId },
      { field: "serveAsReply", op: "==", value: true },
    ],
    limit: maxServedAnnotations,
  });
  return snaps.map((s) => {
    const annotation = annotationSchema.parse(s.data);
    return {
      id: s.id,
      annotation,
      shape: { words: annotation.questionKey.split(" "), set: new Set(annotation.questionKey.split(" ")) },
    };
  });
}

/** Drops an agent's index on this instance (after an annotation of it was written or deleted). */
export function forgetAnnotationIndex(deps: Deps, tenantId: string, agentId: string): void {
  indexCache(deps.store).forget(indexKey(tenantId, agentId));
}

/**
 * The correction to serve for `question` to this agent: the annotation served as a reply whose question is the
 * same (see `matchQuestion`), the most similar one when several are, the latest correction on a tie. Only the
 * agent's own annotations, in its own tenant, are ever considered.
 */
export async function findAnnotationReply(
  deps: Deps,
  tenantId: string,
  agentId: string,
  question: string,
): Promise<AnnotationReply | null> {
  const index = await indexCache(deps.store).get(indexKey(tenantId, agentId), () =>
    loadIndex(deps, tenantId, agentId),
  );
  if (index.length === 0) return null;
  const asked = questionShape(question);
  let best: { entry: IndexEntry; similarity: number } | null = null;
  for (const entry of index) {
    const match = matchQuestion(asked, entry.shape);
    if (!match.matches) continue;
    if (
      !best ||
      match.similarity > best.similarity ||
      (match.similarity === best.similarity && entry.annotation.updatedAt > best.entry.annotation.updatedAt)
    )
      best = { entry, similarity: match.similarity };
  }
  if (!best) return null;
  const { annotation } = best.entry;
  return {
    annotationId: best.entry.id,
    traceId: annotation.traceId,
    corrected: annotation.corrected,
    similarity: Math.round(best.similarity * 1000) / 1000,
    annotatedBy: annotation.updatedBy,
    annotatedAt: annotation.updatedAt,
  };
}

/**
 * Why the answer is what it is, for the message and the trace: whose correction it is, of which answer, when,
 * and how the question matched; and what was not done (no search, no model), so the answer carries no
 * citations and no computed confidence: its evidence is the editor's correction, which the trace names.
 */
export function explainAnnotationReply(reply: AnnotationReply): string {
  return (
    `This is a correction an editor (${reply.annotatedBy}) wrote on ${reply.annotatedAt.slice(0, 10)} for the ` +
    `answer of trace ${reply.traceId}, served because this question is the same as the one asked there (word ` +
    `similarity ${reply.similarity.toFixed(2)}; annotation ${reply.annotationId}). It is given as the editor ` +
    "wrote it: no source was searched and no model was called, so it has no citations and no computed confidence."
  );
}
