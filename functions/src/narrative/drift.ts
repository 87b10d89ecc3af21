/**
 * Drift ("story loss"): an agent that used to answer a question one way and now answers it another.
 *
 *   tenants/{t}/canonicalQuestions/{id}   one question an agent is asked (its phrasings clustered, cluster.ts),
 *                                         how often, and the answer it gave last
 *   tenants/{t}/driftFlags/{id}           a material change between two answers to one canonical question,
 *                                         with both answers, their sources and what changed in between
 *
 * `observeAnswer` runs after a turn is written (the Agent Engine calls it, and never lets it fail a turn). The
 * caller leaves out sandbox and synthetic turns (eval runs, replays, probes): they ask on purpose what an end
 * user did not, and a replay against another version would flag its own experiment. Declined turns (a blocked
 * topic) are not answers either.
 *
 * Finding the canonical question: the matcher only merges questions with the same content words, so each
 * canonical question stores that set's hash (`contentKey`, cluster.ts) and an observation reads the agent's
 * canonical questions of its key with one indexed equality query (a handful of documents), then lets the matcher
 * choose. This replaces an in-process index: it is never stale across instances (a cached index would let two
 * instances open two canonical questions for one question within its TTL), costs one small query per turn, and
 * needs no memory per agent. A new canonical question's id is a hash of the agent and its phrasing, so two turns
 * racing to open the same one collide in a transaction instead of opening two. An agent keeps at most
 * `maxCanonicalQuestionsPerAgent`; opening one more deletes the least recently asked.
 *
 * What counts as a material change (`materialChange`), between the canonical question's last answer and the new
 * one, in this order:
 * - answered ↔ abstained;
 * - a supported claim now contradicts one before: two claims about the same thing (at least 2 shared content
 *   terms and a Jaccard index of their terms of at least `relatedClaimOverlap`, numbers aside) where each
 *   states a number the other does not (a substitution, "25" → "20"; a number only added or dropped is more or
 *   less detail, not a contradiction), or one negates what the other states (accountability/entailment.ts);
 * - no claim relates to any before, and the cited documents are disjoint: the answer now says other things
 *   from other documents.
 * Rephrasing the same facts changes none of these. Answers that cite an end user's memories or a tool's output
 * are personal (the balance of one account, the name of one person) and are never compared: they are counted
 * but do not become the canonical question's last answer.
 *
 * What changed in between (`causes`): the agent version (`agent-version`), and each cited document whose version
 * differs (`knowledge`): a document both answers cite at different versions (a chunk id records its document's
 * version, knowledge/schema.ts `chunkId`), one only the earlier answer cites that is now at another version or
 * gone, one only the new answer cites whose version was uploaded after the earlier answer. A material change with
 * no cause (a model's nondeterminism, retrieval that now ranks another passage first) is still flagged, with
 * `causes: []`: a team should see that its agent is unstable on that question.
 *
 * Each before/after pair is flagged once: a flag's id is a hash of the canonical question and both answers' text,
 * so a replay, or the same flip seen again, finds the flag it made. Replaying a trace is a no-op: a canonical
 * question remembers its last `maxRecentObservations` traces.
 *
 * Hot questions: every observation writes its canonical question in a transaction. Firestore sustains about one
 * write per second per document, so a question asked faster than that can see some observations fail after
 * their retries (the caller logs them); its count then undercounts. No answer is affected.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { normalizeQuestion } from "../accountability/annotations.js";
import { entailmentFailure, numbersOf } from "../accountability/entailment.js";
import { citationSchema, tracePath, traceSchema } from "../accountability/schema.js";
import { documentPath, knowledgeDocumentSchema } from "../knowledge/schema.js";
import { auditActor, recordAudit } from "../platform/audit.js";
import { checkId, tenantPath, type Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { deleteEveryMatch, pageLimit } from "../platform/paging.js";
import { AppError } from "../platform/errors.js";
import type { DocSnapshot, Filter } from "../platform/ports.js";
import { splitSentences } from "../platform/text/sentences.js";
import { idSchema, validate } from "../platform/validation.js";
import {
  assignToCluster,
  contentKeyOf,
  maxClustersPerKey,
  phrasingOf,
  questionShape,
  shapeOfPhrasing,
} from "./cluster.js";
import { claimKey, contentTerms } from "./coherence.js";

// ---------------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------------

/** The most canonical questions one agent keeps; opening one more deletes the least recently asked. */
export const maxCanonicalQuestionsPerAgent = 5000;
/** Distinct phrasings counted per canonical question (`variants` stops growing there). */
export const maxTrackedVariants = 100;
/** Traces remembered per canonical question, so replaying one of them changes nothing. */
export const maxRecentObservations = 20;
export const maxStoredQuestionChars = 2000;
export const maxStoredAnswerChars = 4000;
export const maxSourcesPerAnswer = 10;
export const maxQuoteChars = 500;
export const maxClaimsPerAnswer = 20;
export const maxDriftNoteChars = 2000;
/** Two claims are about the same thing from this Jaccard index of their content terms (numbers aside). */
export const relatedClaimOverlap = 0.5;

export const driftStatuses = ["open", "reviewed", "dismissed"] as const;

export const answerSourceSchema = z.object({
  kbId: z.string(),
  docId: z.string(),
  docName: z.string(),
  /** The document version the cited passage was taken from (from its chunk id); null when unknown. */
  version: z.number().int().nullable(),
  quote: z.string(),
});
export type AnswerSource = z.infer<typeof answerSourceSchema>;

/** One answer to a canonical question, as a flag and a canonical question show it. */
export const driftAnswerSchema = z.object({
  traceId: z.string(),
  conversationId: z.string(),
  answer: z.string(),
  abstained: z.boolean(),
  /** The published version that answered; null for the draft. */
  agentVersion: z.number().int().nullable(),
  at: z.string(),
  sources: z.array(answerSourceSchema),
});
export type DriftAnswer = z.infer<typeof driftAnswerSchema>;

/** An answer as stored: also its supported claims, what the next answer is compared with. */
const storedAnswerSchema = driftAnswerSchema.extend({ claims: z.array(z.string()) });
export type StoredAnswer = z.infer<typeof storedAnswerSchema>;

export const canonicalQuestionSchema = z.object({
  agentId: z.string(),
  /** The phrasing that opened it (every later phrasing matched this one). */
  question: z.string(),
  /** That phrasing's words as the matcher reads them (cluster.ts `phrasingOf`). */
  questionKey: z.string(),
  /** The hash of its content words (cluster.ts `contentKeyOf`): what an observation looks it up by. */
  contentKey: z.string(),
  /** Distinct phrasings seen (counted up to `maxTrackedVariants`). */
  variants: z.number().int().min(1),
  variantKeys: z.array(z.string()),
  count: z.number().int().min(1),
  firstAskedAt: z.string(),
  lastAskedAt: z.string(),
  /** The latest answer from the knowledge bases (or abstention); null while it was only answered personally. */
  lastAnswer: storedAnswerSchema.nullable(),
  /**
   * The conversation of `lastAnswer`, apart so it can be queried: deleting that conversation (erasure, retention)
   * clears the answer (`forgetConversationInDrift`).
   */
  lastConversationId: z.string().nullable().default(null),
  /** The last observations' traces and the flag each raised, newest last. */
  recent: z.array(z.object({ traceId: z.string(), flagId: z.string().nullable() })),
  updatedAt: z.string(),
});
export type CanonicalQuestion = z.infer<typeof canonicalQuestionSchema>;

export const driftCauseSchema = z.object({
  type: z.enum(["agent-version", "knowledge"]),
  description: z.string(),
  agentVersion: z.object({ from: z.number().int().nullable(), to: z.number().int().nullable() }).optional(),
  document: z
    .object({
      kbId: z.string(),
      docId: z.string(),
      docName: z.string(),
      /** null: the document did not exist (or had no version) when the earlier answer was given. */
      fromVersion: z.number().int().nullable(),
      /** null: the document is gone. */
      toVersion: z.number().int().nullable(),
    })
    .optional(),
});
export type DriftCause = z.infer<typeof driftCauseSchema>;

export const driftChanges = ["now-abstains", "now-answers", "contradicts", "sources-changed"] as const;

export const driftFlagSchema = z.object({
  agentId: z.string(),
  canonicalQuestionId: z.string(),
  question: z.string(),
  status: z.enum(driftStatuses),
  note: z.string(),
  createdAt: z.string(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  before: storedAnswerSchema,
  after: storedAnswerSchema,
  /** What kind of change it is (see the module's comment). */
  change: z.enum(driftChanges),
  /** What changed between the two answers; empty when nothing did (the agent is unstable on the question). */
  causes: z.array(driftCauseSchema),
  /** The change in one line: "answered 25 vacation days, now 20". */
  difference: z.string(),
  /** The two answers' conversations: deleting either deletes the flag (`forgetConversationInDrift`). */
  conversationIds: z.array(z.string()).default([]),
});
export type DriftFlag = z.infer<typeof driftFlagSchema>;

export type DriftFlagView = Omit<DriftFlag, "before" | "after"> & {
  readonly id: string;
  readonly before: DriftAnswer;
  readonly after: DriftAnswer;
};
export interface CanonicalQuestionView {
  readonly id: string;
  readonly agentId: string;
  readonly question: string;
  readonly variants: number;
  readonly count: number;
  readonly firstAskedAt: string;
  readonly lastAskedAt: string;
  readonly lastAnswer: DriftAnswer | null;
}

export const canonicalQuestionsPath = (tenantId: string): string =>
  `${tenantPath(tenantId)}/canonicalQuestions`;
export const canonicalQuestionPath = (tenantId: string, id: string): string =>
  `${canonicalQuestionsPath(tenantId)}/${checkId(id, "canonical question id")}`;
export const driftFlagsPath = (tenantId: string): string => `${tenantPath(tenantId)}/driftFlags`;
export const driftFlagPath = (tenantId: string, flagId: string): string =>
  `${driftFlagsPath(tenantId)}/${checkId(flagId, "drift flag id")}`;

const hashId = (...parts: string[]): string =>
  createHash("sha256").update(parts.join("\u0000"), "utf8").digest("hex").slice(0, 32);

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

// ---------------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------------

/** Bounds of an observation: far above any turn's (a turn's message and answer are bounded before it). */
const maxObservedQuestionChars = 20_000;
const maxObservedAnswerChars = 200_000;
const maxObservedCitations = 500;

export const answerObservationSchema = z.object({
  agentId: idSchema,
  /** The published version that answered; null for the draft. */
  agentVersion: z.number().int().min(1).nullable(),
  traceId: idSchema,
  conversationId: idSchema,
  question: z
    .string()
    .max(maxObservedQuestionChars, `must be at most ${maxObservedQuestionChars} characters`),
  answer: z.string().max(maxObservedAnswerChars, `must be at most ${maxObservedAnswerChars} characters`),
  abstained: z.boolean(),
  citations: z.array(citationSchema).max(maxObservedCitations, `must be at most ${maxObservedCitations}`),
  createdAt: z.iso.datetime({ offset: true }),
});
export type AnswerObservation = z.infer<typeof answerObservationSchema>;

/** The document version of a cited passage, from its chunk id (`{docId}-v{version}-{index}`); null otherwise. */
export function chunkVersionOf(docId: string, chunkId: string): number | null {
  const prefix = `${docId}-v`;
  if (!chunkId.startsWith(prefix)) return null;
  const m = /^(\d{1,9})-\d+$/.exec(chunkId.slice(prefix.length));
  return m ? Number(m[1]) : null;
}

/** Markers such as [1], [M2] or [1][3], with the space before them. */
const markers = /\s*\[(?:M?\d+)\]/g;

/**
 * An answer cites an end user's memory or a tool's output (no knowledge base): it is about that person, and a
 * different answer to another person is not drift.
 */
const isPersonal = (o: AnswerObservation): boolean =>
  o.citations.some((c) => c.kbId === "" || c.docId.startsWith("memory:"));

function storedAnswerOf(o: AnswerObservation): StoredAnswer {
  const sources: AnswerSource[] = [];
  const seen = new Set<string>();
  for (const c of o.citations) {
    const key = `${c.kbId}/${c.docId}/${c.quote}`;
    if (seen.has(key) || sources.length >= maxSourcesPerAnswer) continue;
    seen.add(key);
    sources.push({
      kbId: c.kbId,
      docId: c.docId,
      docName: c.docName,
      version: chunkVersionOf(c.docId, c.chunkId),
      quote: cut(c.quote, maxQuoteChars),
    });
  }
  // The supported sentences: each citation names the sentence it supports; older ones do not, and then the
  // answer's sentences that carry a marker are its claims.
  let claims = [
    ...new Set(o.citations.flatMap((c) => (c.claim ? [c.claim.replace(markers, "").trim()] : []))),
  ];
  if (claims.length === 0 && !o.abstained) {
    const sentences = splitSentences(o.answer);
    const marked = sentences.filter((s) => /\[\d+\]/.test(s));
    claims = (marked.length > 0 ? marked : sentences).map((s) => s.replace(markers, "").trim());
  }
  return {
    traceId: o.traceId,
    conversationId: o.conversationId,
    answer: cut(o.answer, maxStoredAnswerChars),
    abstained: o.abstained,
    agentVersion: o.agentVersion,
    at: o.createdAt,
    sources,
    claims: claims
      .filter((c) => c !== "")
      .slice(0, maxClaimsPerAnswer)
      .map((c) => cut(c, maxQuoteChars)),
  };
}

const viewOfAnswer = ({ claims: _claims, ...answer }: StoredAnswer): DriftAnswer => answer;

/** What makes two answers the same answer for a flag's id: abstention, or the words of the text. */
const fingerprintOf = (a: StoredAnswer): string =>
  a.abstained ? "abstained" : hashId(normalizeQuestion(a.answer.replace(markers, " ")).join(" "));

// ---------------------------------------------------------------------------------------------------
// Comparing two answers
// ---------------------------------------------------------------------------------------------------

export interface MaterialChange {
  readonly change: (typeof driftChanges)[number];
  readonly difference: string;
}

/** entailmentFailure's reason for a number one side states and the other does not. */
const numberReason = /^states .+, which the source does not$/;
/** entailmentFailure's reasons for a negation one side has and the other lacks. */
const polarityReason = /^(?:negates what the source states|states what the source negates)$/;

/** Two claims about the same thing (see `relatedClaimOverlap`), so a contradiction between them means something. */
export function relatedClaims(a: string, b: string): boolean {
  const x = contentTerms(a);
  const y = contentTerms(b);
  let shared = 0;
  for (const t of x) if (y.has(t)) shared++;
  const union = x.size + y.size - shared;
  return shared >= 2 && union > 0 && shared / union >= relatedClaimOverlap;
}

/** The words after a number in a claim ("25 vacation days"), up to two, stopping at punctuation. */
function numberPhrase(claim: string, n: string): string {
  const plain = claim.replace(/(\d),(\d{3})/g, "$1$2");
  const at = plain.search(new RegExp(`(?<![\\p{L}\\d])${n.replace(".", "\\.")}(?![\\d])`, "u"));
  if (at < 0) return n;
  const after = plain.slice(at + n.length);
  const words = /^((?:\s+[\p{L}'-]+){0,2})/u.exec(after)?.[1] ?? "";
  return `${n}${words}`.trim();
}

const quoted = (text: string): string => `"${cut(text, 100)}"`;
const summaryOf = (a: StoredAnswer): string => quoted(a.claims[0] ?? a.answer.replace(markers, ""));
const docNamesOf = (a: StoredAnswer): string =>
  [...new Set(a.sources.map((s) => s.docName))].slice(0, 3).join(", ");

/**
 * Whether `after` says something materially different from `before` (see the module's comment), and the change
 * in one line; null when it does not.
 */
export function materialChange(before: StoredAnswer, after: StoredAnswer): MaterialChange | null {
  if (before.abstained && after.abstained) return null;
  if (!before.abstained && after.abstained)
    return { change: "now-abstains", difference: `answered ${summaryOf(before)}, now abstains` };
  if (before.abstained && !after.abstained)
    return { change: "now-answers", difference: `abstained, now answers ${summaryOf(after)}` };
  // A claim both answers make is no change, and never one side of a contradiction: compared with another claim
  // of the other answer ("25 vacation days" with "2.08 days a month") it would look like one.
  const had = new Set(before.claims.map(claimKey));
  const has = new Set(after.claims.map(claimKey));
  const added = after.claims.filter((c) => !had.has(claimKey(c)));
  const dropped = before.claims.filter((c) => !has.has(claimKey(c)));
  if (added.length === 0 && dropped.length === 0 && before.claims.length > 0) return null;
  let related = false;
  for (const now of added) {
    for (const earlier of dropped) {
      if (!relatedClaims(now, earlier)) continue;
      related = true;
      const forward = entailmentFailure(now, earlier);
      const backward = entailmentFailure(earlier, now);
      if (forward && backward && numberReason.test(forward) && numberReason.test(backward)) {
        const was = new Set(numbersOf(earlier));
        const is = new Set(numbersOf(now));
        const gone = [...was].filter((n) => !is.has(n));
        const come = [...is].filter((n) => !was.has(n));
        return {
          change: "contradicts",
          difference: `answered ${gone.map((n) => numberPhrase(earlier, n)).join(", ")}, now ${come.join(", ")}`,
        };
      }
      if ((forward && polarityReason.test(forward)) || (backward && polarityReason.test(backward)))
        return { change: "contradicts", difference: `answered ${quoted(earlier)}, now ${quoted(now)}` };
    }
  }
  if (related || before.sources.length === 0 || after.sources.length === 0) return null;
  const docsBefore = new Set(before.sources.map((s) => `${s.kbId}/${s.docId}`));
  if (after.sources.some((s) => docsBefore.has(`${s.kbId}/${s.docId}`))) return null;
  return {
    change: "sources-changed",
    difference: `answered from ${docNamesOf(before)}, now from ${docNamesOf(after)}: ${summaryOf(after)}`,
  };
}

const versionName = (v: number | null): string => (v === null ? "the draft" : `version ${v}`);

/** What changed between the two answers: the agent version and the cited documents' versions. */
async function causesOf(
  deps: Deps,
  tenantId: string,
  before: StoredAnswer,
  after: StoredAnswer,
): Promise<DriftCause[]> {
  const causes: DriftCause[] = [];
  if (before.agentVersion !== after.agentVersion) {
    causes.push({
      type: "agent-version",
      description: `The agent answered with ${versionName(before.agentVersion)}, now with ${versionName(after.agentVersion)}`,
      agentVersion: { from: before.agentVersion, to: after.agentVersion },
    });
  }
  interface Cited {
    kbId: string;
    docId: string;
    docName: string;
    before: number | null | undefined;
    after: number | null | undefined;
  }
  const docs = new Map<string, Cited>();
  for (const [side, answer] of [
    ["before", before],
    ["after", after],
  ] as const) {
    for (const s of answer.sources) {
      const key = `${s.kbId}/${s.docId}`;
      const doc = docs.get(key) ?? {
        kbId: s.kbId,
        docId: s.docId,
        docName: s.docName,
        before: undefined,
        after: undefined,
      };
      if (doc[side] === undefined || doc[side] === null) doc[side] = s.version;
      if (side === "after") doc.docName = s.docName;
      docs.set(key, doc);
    }
  }
  for (const doc of [...docs.values()].slice(0, maxSourcesPerAnswer * 2)) {
    if (doc.before === null || doc.after === null) continue; // a passage whose version is unknown says nothing
    let from: number | null;
    let to: number | null;
    if (doc.before !== undefined && doc.after !== undefined) {
      from = doc.before;
      to = doc.after;
    } else {
      // Cited on one side only: what the document was (or is) on the other, from its record.
      const record = await documentRecord(deps, tenantId, doc.kbId, doc.docId);
      if (doc.after === undefined) {
        from = doc.before ?? null;
        to = record && record.status !== "deleting" ? record.activeVersion : null;
      } else {
        if (!record) continue; // gone since: when its versions were uploaded is no longer known
        const earlier = record.versions.filter((v) => v.createdAt <= before.at);
        from = earlier.length > 0 ? Math.max(...earlier.map((v) => v.version)) : null;
        to = doc.after;
      }
    }
    if (from === to) continue;
    const description =
      to === null
        ? `${doc.docName} (version ${from}) was deleted after the earlier answer`
        : from === null
          ? `${doc.docName} (version ${to}) was added after the earlier answer`
          : `${doc.docName} changed from version ${from} to ${to}`;
    causes.push({
      type: "knowledge",
      description,
      document: { kbId: doc.kbId, docId: doc.docId, docName: doc.docName, fromVersion: from, toVersion: to },
    });
  }
  return causes;
}

async function documentRecord(deps: Deps, tenantId: string, kbId: string, docId: string) {
  let path: string;
  try {
    path = documentPath(tenantId, kbId, docId);
  } catch {
    return null;
  }
  const snap = await deps.store.get(path);
  const parsed = snap ? knowledgeDocumentSchema.safeParse(snap.data) : null;
  return parsed?.success ? parsed.data : null;
}

// ---------------------------------------------------------------------------------------------------
// Observing an answer
// ---------------------------------------------------------------------------------------------------

/** The canonical question changed between reading it and writing it: read it again. */
class Stale extends Error {}

const maxAttempts = 5;

/**
 * Records a turn's answer under the agent's canonical question for its question (opening one when none
 * matches), and flags drift when the answer changed materially since the last one (see the module's comment).
 * The caller skips sandbox, synthetic and declined turns, and catches errors: drift never fails a turn.
 * Replaying a trace changes nothing and answers as the first time.
 */
export async function observeAnswer(
  deps: Deps,
  tenantId: string,
  observation: AnswerObservation,
): Promise<{ canonicalQuestionId: string; flagId: string | null }> {
  const valid = validate(answerObservationSchema, observation, "answer observation");
  // One time format throughout, so that times compare as strings.
  const o = { ...valid, createdAt: new Date(valid.createdAt).toISOString() };
  const shape = questionShape(o.question);
  if (shape.set.size === 0)
    throw new AppError("invalid-argument", "Invalid answer observation: question: has no words to compare");
  const contentKey = contentKeyOf(shape);
  const phrasing = phrasingOf(shape);
  const variantKey = hashId(phrasing).slice(0, 16);
  const answer = storedAnswerOf(o);
  const personal = isPersonal(o);
  const collection = canonicalQuestionsPath(tenantId);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const candidates = await deps.store.query({
      collection,
      where: [
        { field: "agentId", op: "==", value: o.agentId },
        { field: "contentKey", op: "==", value: contentKey },
      ],
      limit: maxClustersPerKey,
    });
    const parsed = candidates.flatMap((s) => {
      const cq = canonicalQuestionSchema.safeParse(s.data);
      return cq.success ? [{ snap: s, cq: cq.data }] : [];
    });
    const found = assignToCluster(
      shape,
      parsed.map(({ snap, cq }) => ({ id: snap.id, shape: shapeOfPhrasing(cq.questionKey) })),
    );
    try {
      if (!found) {
        const id = hashId(o.agentId, phrasing);
        const path = canonicalQuestionPath(tenantId, id);
        const created = await deps.store.runTransaction(async (tx) => {
          // Another turn opened it since the query (or a query limit hid it): look again.
          if (await tx.get(path)) return false;
          const now = deps.clock.nowIso();
          const record: CanonicalQuestion = {
            agentId: o.agentId,
            question: cut(o.question, maxStoredQuestionChars),
            questionKey: phrasing,
            contentKey,
            variants: 1,
            variantKeys: [variantKey],
            count: 1,
            firstAskedAt: o.createdAt,
            lastAskedAt: o.createdAt,
            lastAnswer: personal ? null : answer,
            lastConversationId: personal ? null : answer.conversationId,
            recent: [{ traceId: o.traceId, flagId: null }],
            updatedAt: now,
          };
          tx.create(path, record);
          return true;
        });
        if (!created) continue;
        await evictBeyondCap(deps, tenantId, o.agentId, id);
        return { canonicalQuestionId: id, flagId: null };
      }
      const entry = parsed.find((p) => p.snap.id === found.id);
      if (!entry) continue;
      const replayed = entry.cq.recent.find((r) => r.traceId === o.traceId);
      if (replayed) return { canonicalQuestionId: found.id, flagId: replayed.flagId };
      const before = entry.cq.lastAnswer;
      // An answer older than the last one (turns finishing out of order) is counted, never compared.
      const comparable = !personal && before !== null && before.at <= answer.at;
      const change = comparable ? materialChange(before, answer) : null;
      const causes = change && before ? await causesOf(deps, tenantId, before, answer) : [];
      const flagId = change && before ? hashId(found.id, fingerprintOf(before), fingerprintOf(answer)) : null;
      const flagId2 = await deps.store.runTransaction(async (tx) => {
        const path = canonicalQuestionPath(tenantId, found.id);
        const snap = await tx.get(path);
        const current = snap ? canonicalQuestionSchema.safeParse(snap.data) : null;
        if (!current?.success || current.data.count !== entry.cq.count) throw new Stale();
        const cq = current.data;
        const flagPath = flagId ? driftFlagPath(tenantId, flagId) : null;
        const flagExists = flagPath ? (await tx.get(flagPath)) !== null : false;
        const now = deps.clock.nowIso();
        const variantKeys =
          cq.variantKeys.includes(variantKey) || cq.variantKeys.length >= maxTrackedVariants
            ? cq.variantKeys
            : [...cq.variantKeys, variantKey];
        tx.update(path, {
          count: cq.count + 1,
          lastAskedAt: o.createdAt > cq.lastAskedAt ? o.createdAt : cq.lastAskedAt,
          variantKeys,
          variants: variantKeys.length,
          ...(personal || (cq.lastAnswer && cq.lastAnswer.at > answer.at)
            ? {}
            : { lastAnswer: answer, lastConversationId: answer.conversationId }),
          recent: [...cq.recent, { traceId: o.traceId, flagId }].slice(-maxRecentObservations),
          updatedAt: now,
        });
        if (flagPath && !flagExists && change && before) {
          const flag: DriftFlag = {
            agentId: o.agentId,
            canonicalQuestionId: found.id,
            question: cq.question,
            status: "open",
            note: "",
            createdAt: now,
            reviewedBy: null,
            reviewedAt: null,
            before,
            after: answer,
            change: change.change,
            causes,
            difference: change.difference,
            conversationIds: [...new Set([before.conversationId, answer.conversationId])],
          };
          tx.create(flagPath, flag);
        }
        return flagId;
      });
      return { canonicalQuestionId: found.id, flagId: flagId2 };
    } catch (e) {
      if (e instanceof Stale) continue;
      throw e;
    }
  }
  throw new AppError("aborted", "The question's record kept changing while this answer was recorded");
}

/** An agent's least recently asked canonical questions first: what eviction deletes. */
export function leastRecentlyAskedSpec(tenantId: string, agentId: string, limit: number) {
  return {
    collection: canonicalQuestionsPath(tenantId),
    where: [{ field: "agentId", op: "==", value: agentId }] as Filter[],
    orderBy: [{ field: "lastAskedAt", direction: "asc" as const }],
    limit,
  };
}

/** Deletes the agent's least recently asked canonical questions beyond the cap (never the one just opened). */
async function evictBeyondCap(deps: Deps, tenantId: string, agentId: string, keep: string): Promise<void> {
  const collection = canonicalQuestionsPath(tenantId);
  const where: Filter[] = [{ field: "agentId", op: "==", value: agentId }];
  const total = await deps.store.count({ collection, where });
  const excess = total - maxCanonicalQuestionsPerAgent;
  if (excess <= 0) return;
  const oldest = await deps.store.query(leastRecentlyAskedSpec(tenantId, agentId, Math.min(excess + 1, 450)));
  const batch = deps.store.batch();
  for (const s of oldest.filter((s) => s.id !== keep).slice(0, excess)) batch.delete(s.path);
  await batch.commit();
}

// ---------------------------------------------------------------------------------------------------
// Reading and reviewing (the REST API, drift-routes.ts)
// ---------------------------------------------------------------------------------------------------

export const driftListQuery = z
  .object({
    agentId: idSchema.optional(),
    status: z.enum(driftStatuses, { error: "must be open, reviewed or dismissed" }).optional(),
    limit: pageLimit,
    cursor: idSchema.optional(),
  })
  .strict();

export const canonicalQuestionListQuery = z
  .object({ agentId: idSchema.optional(), limit: pageLimit, cursor: idSchema.optional() })
  .strict();

export const reviewDriftInput = z
  .object({
    status: z.enum(driftStatuses, { error: "must be open, reviewed or dismissed" }),
    note: z
      .string()
      .max(maxDriftNoteChars, `must be at most ${maxDriftNoteChars.toLocaleString("en-US")} characters`)
      .optional(),
  })
  .strict();
export type ReviewDriftInput = z.infer<typeof reviewDriftInput>;

const flagViewOf = (id: string, flag: DriftFlag): DriftFlagView => ({
  id,
  ...flag,
  before: viewOfAnswer(flag.before),
  after: viewOfAnswer(flag.after),
});

const canonicalViewOf = (id: string, cq: CanonicalQuestion): CanonicalQuestionView => ({
  id,
  agentId: cq.agentId,
  question: cq.question,
  variants: cq.variants,
  count: cq.count,
  firstAskedAt: cq.firstAskedAt,
  lastAskedAt: cq.lastAskedAt,
  lastAnswer: cq.lastAnswer ? viewOfAnswer(cq.lastAnswer) : null,
});

/** The query behind one page of a listing: the filters, newest first, one more than the page. */
export function driftListSpec(tenantId: string, q: z.infer<typeof driftListQuery>) {
  const where: Filter[] = [];
  if (q.agentId) where.push({ field: "agentId", op: "==", value: q.agentId });
  if (q.status) where.push({ field: "status", op: "==", value: q.status });
  return {
    collection: driftFlagsPath(tenantId),
    where,
    orderBy: [{ field: "createdAt", direction: "desc" as const }],
    limit: q.limit + 1,
  };
}

export function canonicalQuestionListSpec(tenantId: string, q: z.infer<typeof canonicalQuestionListQuery>) {
  const where: Filter[] = q.agentId ? [{ field: "agentId", op: "==", value: q.agentId }] : [];
  return {
    collection: canonicalQuestionsPath(tenantId),
    where,
    orderBy: [{ field: "lastAskedAt", direction: "desc" as const }],
    limit: q.limit + 1,
  };
}

/** The document a cursor names, which the next page starts after. */
async function cursorSnap(
  deps: Deps,
  collection: string,
  cursor: string | undefined,
): Promise<DocSnapshot | undefined> {
  if (!cursor) return undefined;
  const snap = await deps.store.get(`${collection}/${checkId(cursor, "cursor")}`);
  if (!snap)
    throw new AppError(
      "invalid-argument",
      "Invalid query parameter: cursor: must be the nextCursor of a previous page",
    );
  return snap;
}

/**
 * The workspace's drift flags, newest first, of one agent and/or status when asked. A flag's `createdAt` never
 * changes, so the cursor (the last flag's id) is exact.
 */
export async function listDriftFlags(
  deps: Deps,
  tenantId: string,
  query: Record<string, string>,
): Promise<{ flags: DriftFlagView[]; nextCursor: string | null }> {
  const q = validate(driftListQuery, query, "query parameter");
  const spec = driftListSpec(tenantId, q);
  const after = await cursorSnap(deps, spec.collection, q.cursor);
  const snaps = await deps.store.query({ ...spec, ...(after ? { startAfter: after } : {}) });
  const page = snaps.slice(0, q.limit);
  return {
    flags: page.map((s) => flagViewOf(s.id, driftFlagSchema.parse(s.data))),
    nextCursor: snaps.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getDriftFlag(deps: Deps, tenantId: string, flagId: string): Promise<DriftFlagView> {
  const snap = await deps.store.get(driftFlagPath(tenantId, flagId));
  if (!snap) throw new AppError("not-found", `Drift flag ${flagId} not found`);
  return flagViewOf(snap.id, driftFlagSchema.parse(snap.data));
}

/**
 * Marks a flag reviewed or dismissed (or open again), with an optional note (replacing the previous one); who
 * and when are recorded, and the change is audited.
 */
export async function reviewDriftFlag(
  deps: Deps,
  caller: Caller,
  flagId: string,
  input: ReviewDriftInput,
): Promise<DriftFlagView> {
  const path = driftFlagPath(caller.tenantId, flagId);
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    if (!snap) throw new AppError("not-found", `Drift flag ${flagId} not found`);
    const flag = driftFlagSchema.parse(snap.data);
    const now = deps.clock.nowIso();
    const reviewed = input.status !== "open";
    const patch = {
      status: input.status,
      note: input.note ?? flag.note,
      reviewedBy: reviewed ? caller.uid : null,
      reviewedAt: reviewed ? now : null,
    };
    tx.update(path, patch);
    await recordAudit(
      deps,
      {
        tenantId: caller.tenantId,
        actor: auditActor(caller),
        action: "driftFlag.review",
        target: { type: "driftFlag", id: flagId },
        before: { status: flag.status, note: flag.note },
        after: { status: patch.status, note: patch.note },
      },
      tx,
    );
    return flagViewOf(flagId, { ...flag, ...patch });
  });
}

/**
 * The workspace's canonical questions (of one agent when asked), most recently asked first. Asking a question
 * moves it up, so a page read while questions are asked can repeat or miss one.
 */
export async function listCanonicalQuestions(
  deps: Deps,
  tenantId: string,
  query: Record<string, string>,
): Promise<{ questions: CanonicalQuestionView[]; nextCursor: string | null }> {
  const q = validate(canonicalQuestionListQuery, query, "query parameter");
  const spec = canonicalQuestionListSpec(tenantId, q);
  const after = await cursorSnap(deps, spec.collection, q.cursor);
  const snaps = await deps.store.query({ ...spec, ...(after ? { startAfter: after } : {}) });
  const page = snaps.slice(0, q.limit);
  return {
    questions: page.map((s) => canonicalViewOf(s.id, canonicalQuestionSchema.parse(s.data))),
    nextCursor: snaps.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/**
 * A conversation is being deleted (an end user's erasure, retention): its answers leave drift too. Flags that
 * show one of its answers are deleted, and a canonical question whose last answer came from it forgets that
 * answer (the next answer to it starts the comparison afresh). The canonical question's phrasing stays: it was
 * recorded as the trace keeps the question, redacted of personal data under the agent's guardrails.
 */
export async function forgetConversationInDrift(
  deps: Deps,
  tenantId: string,
  conversationId: string,
): Promise<{ flags: number; answers: number }> {
  const counts = { flags: 0, answers: 0 };
  counts.flags = await deleteEveryMatch(deps.store, {
    collection: driftFlagsPath(tenantId),
    where: [{ field: "conversationIds", op: "array-contains", value: conversationId }],
  });
  for (;;) {
    const page = await deps.store.query({
      collection: canonicalQuestionsPath(tenantId),
      where: [{ field: "lastConversationId", op: "==", value: conversationId }],
      limit: 400,
    });
    if (page.length === 0) break;
    const batch = deps.store.batch();
    for (const cq of page) batch.update(cq.path, { lastAnswer: null, lastConversationId: null });
    await batch.commit();
    counts.answers += page.length;
  }
  return counts;
}

/**
 * The fields of a trace an observation reads: parsing only these keeps the trigger's cost off the retrieval
 * candidates, tool outputs and timings a whole trace carries.
 */
const observedTraceSchema = traceSchema
  .pick({
    agentId: true,
    agentVersion: true,
    conversationId: true,
    question: true,
    status: true,
    abstained: true,
    confidence: true,
    checks: true,
    citations: true,
    createdAt: true,
    synthetic: true,
    sandbox: true,
    annotationReply: true,
    memory: true,
  })
  .extend({ toolCalls: z.array(z.object({ status: z.string() })).default([]) });

/**
 * Observes the answer a trace records: what the `narrative-observeAnswers` trigger runs for every new trace, off
 * the turn's path (a turn never waits for drift, nor fails for it). Only live answers the checks assessed are
 * observed: not a Sandbox turn or a probe, a declined topic, an editor's correction, a forget request, a failed
 * turn or one waiting on a confirmation. The answer is the supported sentences with their markers, as the turn
 * composed them; the question as the trace keeps it (redacted of personal data under the agent's guardrails).
 */
export async function observeTrace(
  deps: Deps,
  tenantId: string,
  traceId: string,
): Promise<{ canonicalQuestionId: string; flagId: string | null } | null> {
  const snap = await deps.store.get(tracePath(tenantId, traceId));
  const parsed = snap ? observedTraceSchema.safeParse(snap.data) : null;
  if (!parsed?.success) return null;
  const t = parsed.data;
  const assessed = t.confidence !== null && (t.status === "answered" || t.status === "abstained");
  const waiting = t.toolCalls.some((c) => c.status === "awaiting-confirmation");
  if (!assessed || waiting || t.synthetic || t.sandbox || t.annotationReply || (t.memory?.forgotten ?? 0) > 0)
    return null;
  if (questionShape(t.question).set.size === 0) return null;
  const answer = t.abstained
    ? ""
    : t.checks
        .filter((c) => c.verdict === "supported")
        .map((c) => (c.refs[0] ? `${c.sentence} [${c.refs[0]}]` : c.sentence))
        .join(" ");
  return observeAnswer(deps, tenantId, {
    agentId: t.agentId,
    agentVersion: typeof t.agentVersion === "number" ? t.agentVersion : null,
    traceId,
    conversationId: t.conversationId,
    question: t.question,
    answer,
    abstained: t.abstained,
    citations: t.citations,
    createdAt: t.createdAt,
  });
}
