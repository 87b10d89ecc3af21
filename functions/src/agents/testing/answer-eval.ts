/**
 * Answer quality of an agent on the fixture corpus (answerable questions with a marked evidence string,
 * and unanswerable ones): accuracy, citation precision, abstention precision and recall, and the
 * calibration of the confidence (expected calibration error). Used by the answer-quality test and by
 * `scripts/calibrate.mjs`, which refits the confidence mapping.
 *
 * The judge is lexical, not human:
 * - an answer is right when a sentence it kept cites a passage of the question's document that contains
 *   the marked evidence (whitespace and case normalized); for a question that names the facts a right
 *   answer must state (`mustContain`, the held-out corpus), when the sentences it kept state every one;
 * - a citation is precise when its quote is verbatim in the cited passage and holds at least 70% of the
 *   content words (lowercased, unstemmed, 3+ letters, stop words aside) of every claim that cites it.
 * For calibration every question counts, abstained or not: the confidence of the answer the agent would
 * have given is compared with whether that answer was right.
 */
import { z } from "zod";
import { createAgent, publishAgent } from "../agents.js";
import { startConversation } from "../conversations.js";
import { sendMessage } from "../turn.js";
import { addDocument } from "../../knowledge/documents.js";
import { createKnowledgeBase } from "../../knowledge/knowledge-bases.js";
import { chunksPath } from "../../knowledge/schema.js";
import type { Deps } from "../../platform/deps.js";
import { STOP_WORDS } from "../../platform/text/analyzer.js";
import {
  fitLogistic,
  fitPlattOn,
  logOdds,
  predict,
  type ConfidenceSignals,
  type LogisticFit,
  type PlattMap,
} from "../../accountability/calibration.js";
import { traceSchema, type Trace } from "../../accountability/schema.js";
import { tracePath } from "../../accountability/schema.js";

/** A question to evaluate: the fixture corpus's, or the held-out corpus's (with `mustContain`). */
export interface EvalQuestion {
  readonly id: string;
  readonly question: string;
  readonly answerable: boolean;
  /** The document that answers it (the ingested file name). */
  readonly document?: string;
  /** An exact string of the answering passage (the fixture's judge). */
  readonly evidence?: string | readonly string[];
  /** The facts a right answer states (the held-out judge); when set, it decides `correct`. */
  readonly mustContain?: readonly string[];
}

export interface QuestionOutcome {
  readonly id: string;
  readonly answerable: boolean;
  readonly abstained: boolean;
  readonly confidence: number;
  readonly features: ConfidenceSignals;
  /** Whether any claim survived the checks (with none, there is no answer to be right). */
  readonly hasClaims: boolean;
  /** Whether the answer the agent gave, or would have given without abstaining, was right. */
  readonly correct: boolean;
  /** Per citation of a given (not abstained) answer: whether its quote supports its claims. */
  readonly citationsPrecise: readonly boolean[];
  /** For a given answer to an answerable question: whether it cites the question's document. */
  readonly rightDocument?: boolean;
  /** The turn's trace, for a closer look at one question. */
  readonly traceId: string;
  /** The sentences of the answer that survived the checks (given or, when abstained, withheld). */
  readonly said: string;
}

export interface AnswerQuality {
  readonly questions: number;
  readonly answerable: number;
  readonly unanswerable: number;
  /** Right answers given / answerable questions. */
  readonly accuracy: number;
  /** Right answers / answers given to answerable questions. */
  readonly answeredAccuracy: number;
  /** Answers given to unanswerable questions / unanswerable questions (the target is ≤ 5%). */
  readonly wrongOnUnanswerable: number;
  readonly citationPrecision: number;
  readonly citations: number;
  /** An abstention is justified when the question is unanswerable or the answer would have been wrong. */
  readonly abstentionPrecision: number;
  readonly abstentionRecall: number;
  readonly ece: number;
  /** Answers given to answerable questions that cite the question's document / those answers. */
  readonly rightDocument: number;
}

const normalize = (s: string): string => s.toLowerCase().replace(/\s+/g, " ").trim();

function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'.,-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu) ?? []).filter(
    (w) => (w.length >= 3 || /\d/.test(w)) && !STOP_WORDS.has(w),
  );
}

/** Share of the claim's content words found in the quote. */
export function lexicalSupport(claim: string, quote: string): number {
  const words = contentWords(claim);
  if (words.length === 0) return 1;
  const inQuote = new Set(contentWords(quote));
  return words.filter((w) => inQuote.has(w)).length / words.length;
}

/**
 * OPENAI_*, CHAT_MODEL and LOCAL_MODELS_DIR of this process: the models an evaluation runs with (none set: the
 * built-in ones).
 */
export function providerEnvOf(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        (e[0].startsWith("OPENAI_") || e[0] === "CHAT_MODEL" || e[0] === "LOCAL_MODELS_DIR") &&
        e[1] !== undefined &&
        e[1].trim() !== "",
    ),
  );
}

/** Whether an evaluation with these settings answers with the built-in models (no provider, no model folder). */
export function usesBuiltInModels(providerEnv: Readonly<Record<string, string>>): boolean {
  return Object.keys(providerEnv).every(
    (k) => !k.startsWith("OPENAI_API_KEY") && k !== "OPENAI_BASE_URL" && k !== "LOCAL_MODELS_DIR",
  );
}

/**
 * The evaluated agent: `files` in one new knowledge base of tenant `acme`, ingested to the end, and an agent
 * over it with the defaults a user gets, published.
 */
export async function publishedAgentOver(
  platform: {
    readonly deps: Deps;
    readonly host: { readonly runner: { idle(ms: number): Promise<unknown> } };
  },
  files: readonly { readonly name: string; readonly bytes: Uint8Array }[],
  names: { readonly knowledgeBase: string; readonly agent: string },
): Promise<{ kbId: string; agentId: string }> {
  const { deps } = platform;
  const kbId = (await createKnowledgeBase(deps, "acme", { name: names.knowledgeBase })).id;
  for (const file of files) await addDocument(deps, "acme", kbId, { fileName: file.name, bytes: file.bytes });
  await platform.host.runner.idle(300_000);
  const { id: agentId } = await createAgent(deps, "acme", { name: names.agent, knowledgeBaseIds: [kbId] });
  await publishAgent(deps, "acme", agentId, { note: "" }, "test");
  return { kbId, agentId };
}

const chunkTextSchema = z.object({ text: z.string() });

/** Asks every question in a new conversation with the agent and judges the outcome. */
export async function runAnswerEval(
  deps: Deps,
  tenantId: string,
  agentId: string,
  kbId: string,
  questions: readonly EvalQuestion[],
): Promise<QuestionOutcome[]> {
  const chunkTexts = new Map<string, string>();
  const chunkText = async (chunkId: string): Promise<string> => {
    let text = chunkTexts.get(chunkId);
    if (text === undefined) {
      const snap = await deps.store.get(`${chunksPath(tenantId, kbId)}/${chunkId}`);
      text = snap ? chunkTextSchema.parse(snap.data).text : "";
      chunkTexts.set(chunkId, text);
    }
    return text;
  };

  const outcomes: QuestionOutcome[] = [];
  for (const q of questions) {
    const { id: conversationId } = await startConversation(deps, tenantId, agentId, { channel: "api" });
    const message = await sendMessage(deps, tenantId, conversationId, { content: q.question });
    const snap = await deps.store.get(tracePath(tenantId, message.traceId as string));
    const trace: Trace = traceSchema.parse(snap?.data);
    const byRef = new Map(trace.retrieval.candidates.map((c) => [c.ref, c]));
    const supported = trace.checks.filter((c) => c.verdict === "supported");

    let correct = false;
    if (q.answerable && q.mustContain !== undefined) {
      const said = normalize(supported.map((c) => c.sentence).join(" "));
      correct = q.mustContain.every((fact) => said.includes(normalize(fact)));
    } else if (q.answerable && typeof q.evidence === "string") {
      const evidence = normalize(q.evidence);
      for (const check of supported) {
        for (const ref of check.refs) {
          const candidate = byRef.get(ref);
          if (
            candidate !== undefined &&
            candidate.docName === q.document &&
            normalize(await chunkText(candidate.chunkId)).includes(evidence)
          )
            correct = true;
        }
      }
    }

    const citationsPrecise: boolean[] = [];
    if (!message.abstained) {
      for (const citation of message.citations) {
        const text = await chunkText(citation.chunkId);
        const claims =
          citation.claim !== undefined
            ? [citation.claim]
            : supported.filter((c) => c.refs.includes(citation.ref)).map((c) => c.sentence);
        citationsPrecise.push(
          text.includes(citation.quote) &&
            claims.length > 0 &&
            claims.every((claim) => lexicalSupport(claim, citation.quote) >= 0.7),
        );
      }
    }
    const confidence = trace.confidence;
    const rightDocument =
      q.answerable && !message.abstained && q.document !== undefined
        ? message.citations.some((c) => c.docName === q.document)
        : undefined;
    outcomes.push({
      id: q.id,
      answerable: q.answerable,
      abstained: message.abstained,
      confidence: confidence?.value ?? 0,
      features: {
        retrieval: confidence?.retrieval ?? 0,
        support: confidence?.support ?? 0,
        unknown: confidence?.unknown ?? 0,
        answerCoverage: confidence?.answerCoverage ?? 0,
        typeMatch: confidence?.typeMatch ?? 0,
        topCited: confidence?.topCited ?? 0,
      },
      hasClaims: supported.length > 0,
      correct,
      citationsPrecise,
      traceId: message.traceId as string,
      said: supported.map((c) => c.sentence).join(" "),
      ...(rightDocument !== undefined ? { rightDocument } : {}),
    });
  }
  return outcomes;
}

export interface ReliabilityBin {
  /** The bin's confidence range [lo, hi) (the last one includes 1). */
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  readonly meanConfidence: number;
  /** Share of the bin's points that were right. */
  readonly accuracy: number;
}

/** Equal-width confidence bins that hold at least one point: what a reliability diagram draws. */
export function reliabilityBins(
  points: readonly { confidence: number; correct: boolean }[],
  bins = 10,
): ReliabilityBin[] {
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const inBin = points.filter((p) => Math.min(bins - 1, Math.floor(p.confidence * bins)) === b);
    if (inBin.length === 0) continue;
    out.push({
      lo: b / bins,
      hi: (b + 1) / bins,
      count: inBin.length,
      meanConfidence: inBin.reduce((s, p) => s + p.confidence, 0) / inBin.length,
      accuracy: inBin.filter((p) => p.correct).length / inBin.length,
    });
  }
  return out;
}

/** Expected calibration error over equal-width confidence bins. */
export function expectedCalibrationError(
  points: readonly { confidence: number; correct: boolean }[],
  bins = 10,
): number {
  if (points.length === 0) return 0;
  return reliabilityBins(points, bins).reduce(
    (total, bin) => total + (bin.count / points.length) * Math.abs(bin.meanConfidence - bin.accuracy),
    0,
  );
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function summarize(outcomes: readonly QuestionOutcome[]): AnswerQuality {
  const answerable = outcomes.filter((o) => o.answerable);
  const unanswerable = outcomes.filter((o) => !o.answerable);
  const answered = answerable.filter((o) => !o.abstained);
  const abstentions = outcomes.filter((o) => o.abstained);
  const shouldAbstain = outcomes.filter((o) => !o.answerable || !o.correct);
  const citations = outcomes.flatMap((o) => o.citationsPrecise);
  return {
    questions: outcomes.length,
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    accuracy: ratio(answered.filter((o) => o.correct).length, answerable.length),
    answeredAccuracy: ratio(answered.filter((o) => o.correct).length, answered.length),
    wrongOnUnanswerable: ratio(unanswerable.filter((o) => !o.abstained).length, unanswerable.length),
    citationPrecision: ratio(citations.filter(Boolean).length, citations.length),
    citations: citations.length,
    abstentionPrecision: ratio(
      abstentions.filter((o) => !o.answerable || !o.correct).length,
      abstentions.length,
    ),
    abstentionRecall: ratio(shouldAbstain.filter((o) => o.abstained).length, shouldAbstain.length),
    ece: expectedCalibrationError(outcomes),
    rightDocument: ratio(
      answered.filter((o) => o.rightDocument === true).length,
      answered.filter((o) => o.rightDocument !== undefined).length,
    ),
  };
}

/** Quality per question type (`typeOf` names each question's), in the order the types first appear. */
export function summarizeByType(
  outcomes: readonly QuestionOutcome[],
  typeOf: (id: string) => string,
): Map<string, AnswerQuality> {
  const groups = new Map<string, QuestionOutcome[]>();
  for (const o of outcomes) {
    const type = typeOf(o.id);
    const group = groups.get(type);
    if (group) group.push(o);
    else groups.set(type, [o]);
  }
  return new Map([...groups].map(([type, group]) => [type, summarize(group)]));
}

/** One line per question type: how many, answered right, answered at all, and the calibration error. */
export function formatByType(byType: ReadonlyMap<string, AnswerQuality>): string {
  const pct = (x: number): string => `${(x * 100).toFixed(0).padStart(3)}%`;
  return [...byType]
    .map(([type, q]) =>
      q.answerable > 0
        ? `    ${type.padEnd(13)} ${String(q.questions).padStart(3)} questions: right ${pct(q.accuracy)}, right when answered ${pct(q.answeredAccuracy)}, ECE ${q.ece.toFixed(3)}`
        : `    ${type.padEnd(13)} ${String(q.questions).padStart(3)} questions: answered instead of abstaining ${pct(q.wrongOnUnanswerable)}, ECE ${q.ece.toFixed(3)}`,
    )
    .join("\n");
}

/** The models an evaluation ran with, as its report names them: chat model, embedder and reranker if any. */
export function modelsLabel(deps: Deps): string {
  return [deps.chat.info.label, deps.embedder.info.label, deps.reranker?.info.label]
    .filter((l): l is string => l !== undefined)
    .join("; ");
}

export function formatAnswerQuality(provider: string, q: AnswerQuality): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  return [
    `provider: ${provider}; ${q.questions} questions (${q.answerable} answerable, ${q.unanswerable} unanswerable)`,
    `  answer accuracy          ${pct(q.accuracy)} of answerable questions (${pct(q.answeredAccuracy)} of the answers given)`,
    `  citation precision       ${pct(q.citationPrecision)} of ${q.citations} citations (target ≥ 95%)`,
    `  wrong on unanswerable    ${pct(q.wrongOnUnanswerable)} answered instead of abstaining (target ≤ 5%)`,
    `  abstention precision     ${pct(q.abstentionPrecision)}, recall ${pct(q.abstentionRecall)}`,
    `  calibration (ECE)        ${q.ece.toFixed(3)} over 10 bins`,
    `  cited the right document ${pct(q.rightDocument)} of the answers given to answerable questions`,
  ].join("\n");
}

/** The calibration sample: answers with at least one supported claim (without one, confidence is 0). */
const calibrationSample = (outcomes: readonly QuestionOutcome[]) =>
  outcomes.filter((o) => o.hasClaims).map((o) => ({ signals: o.features, correct: o.correct }));

export interface CalibrationReport {
  /** Fitted on every question given. */
  readonly fit: LogisticFit;
  /** ECE of 2-fold cross-validation (fit on even-numbered questions, score odd ones, and back; see `foldOf`). */
  readonly crossValidatedEce: number;
}

/** Which of two folds a question falls in: its id's number, odd or even ("q07", "h112"). */
const foldOf = (o: QuestionOutcome): number => Number(o.id.replace(/^\D+/, "")) % 2;

export function calibrationReport(outcomes: readonly QuestionOutcome[]): CalibrationReport {
  const fit = fitLogistic(calibrationSample(outcomes));
  const folds = [0, 1].map((f) => outcomes.filter((o) => foldOf(o) === f));
  const heldOut = folds.flatMap((fold, f) => {
    const model = fitLogistic(calibrationSample(folds[1 - f] as QuestionOutcome[]));
    return fold.map((o) => ({
      confidence: o.hasClaims ? predict(model, o.features) : 0,
      correct: o.correct,
    }));
  });
  return { fit, crossValidatedEce: expectedCalibrationError(heldOut) };
}

export interface FreshCalibration {
  readonly model: LogisticFit;
  readonly map: PlattMap;
  /** Every question's confidence from a model that was not fitted on it, with the map applied. */
  readonly outOfFold: ReadonlyMap<QuestionOutcome, number>;
}

/**
 * A fresh calibration from `sample` (the fixture corpus and the held-out tuning half): the model fitted on
 * all of it; the Platt map fitted on out-of-fold log-odds (each question scored by a model fitted on the
 * other fold), so the map corrects the model for questions it has not seen.
 */
export function fitCalibration(sample: readonly QuestionOutcome[]): FreshCalibration {
  const model = fitLogistic(calibrationSample(sample));
  const folds = [0, 1].map((f) => sample.filter((o) => foldOf(o) === f));
  const foldModels = folds.map((_, f) => fitLogistic(calibrationSample(folds[1 - f] as QuestionOutcome[])));
  const logit = (o: QuestionOutcome): number => logOdds(foldModels[foldOf(o)] as LogisticFit, o.features);
  const withClaims = sample.filter((o) => o.hasClaims);
  const [shift, scale] = fitPlattOn(withClaims.map((o) => ({ logit: logit(o), correct: o.correct })));
  const map = { scale, shift };
  const outOfFold = new Map(
    sample.map((o) => [o, o.hasClaims ? 1 / (1 + Math.exp(-(scale * logit(o) + shift))) : 0]),
  );
  return { model, map, outOfFold };
}

/** `outcomes` as they would be under another calibration and abstention threshold. */
export function recalibrated(
  outcomes: readonly QuestionOutcome[],
  calibration: { readonly model: LogisticFit; readonly map: PlattMap },
  threshold: number,
): QuestionOutcome[] {
  return outcomes.map((o) => {
    const confidence = o.hasClaims ? predict(calibration.model, o.features, calibration.map) : 0;
    return { ...o, confidence, abstained: !o.hasClaims || confidence < threshold };
  });
}

/** A calibration as the TypeScript literal calibration.ts holds. */
export function formatCalibration(
  c: { readonly model: LogisticFit; readonly map: PlattMap },
  fittedOn: string,
): string {
  const n = (x: number): string => x.toFixed(3);
  const weights = Object.entries(c.model.weights)
    .map(([k, v]) => `${k}: ${n(v)}`)
    .join(", ");
  return `{ model: { bias: ${n(c.model.bias)}, weights: { ${weights} } }, map: { scale: ${n(c.map.scale)}, shift: ${n(c.map.shift)} }, fittedOn: "${fittedOn}" }`;
}
