/**
 * The Sandbox's evaluations (`/v1/eval/...`): datasets of questions with what a good answer holds, runs of a
 * dataset against an agent version or the draft (isolated from production analytics, billed as sandbox usage)
 * with their scores, the comparison of two runs item by item, replays of a stored trace against another
 * version, and simulations of a multi-turn end user. The shapes the platform answers
 * (functions/src/sandbox/schema.ts) and the data layer's section.
 *
 * Scores and rates are 0..1; latencies milliseconds; costs micro-credits.
 */
import { isRecord, type PlatformRequestError } from "./platform";

export const itemOrigins = ["manual", "upload", "trace", "conversation", "annotation"] as const;
export type ItemOrigin = (typeof itemOrigins)[number];

export interface EvalDataset {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly itemCount: number;
  /** Grows with every change to the items; a run records the revision it ran. */
  readonly revision: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a good answer to one question (or a multi-turn script) holds, as the API takes it. */
export interface EvalItemInput {
  /** One question; absent when `turns` scripts several. */
  readonly question?: string;
  readonly turns?: readonly string[];
  /** Strings the answer must contain (case and spacing ignored). */
  readonly expectedFacts: readonly string[];
  /** Used when there are no expected facts: the answer must overlap it. */
  readonly referenceAnswer: string | null;
  /** Document names or ids the answer should cite. */
  readonly expectedSources: readonly string[];
  readonly shouldAbstain: boolean;
  readonly tags: readonly string[];
}

export interface EvalItemContent {
  readonly question: string | null;
  readonly turns: readonly string[] | null;
  readonly expectedFacts: readonly string[];
  readonly referenceAnswer: string | null;
  readonly expectedSources: readonly string[];
  readonly shouldAbstain: boolean;
  readonly tags: readonly string[];
}

export interface EvalItem extends EvalItemContent {
  readonly id: string;
  readonly seq: number;
  readonly origin: {
    readonly kind: ItemOrigin;
    readonly traceId: string | null;
    readonly conversationId: string | null;
  };
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An upload's outcome: how many items were added, and the dataset's count after it. */
export interface UploadReport {
  readonly added: number;
  readonly itemCount: number;
}

/** One refused line of an upload (the platform adds nothing when any line is refused). */
export interface UploadLineError {
  /** 1-based line of the file (for CSV, where the record starts). */
  readonly line: number;
  /** The column (CSV) or field (JSONL) at fault; null when the whole line is. */
  readonly field: string | null;
  readonly message: string;
}

/** Why an upload was refused, line by line: the first problems, and how many there were in all. */
export interface UploadRefusal {
  readonly errors: readonly UploadLineError[];
  readonly errorCount: number;
}

export type UploadFormat = "csv" | "jsonl";

export const runStatuses = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof runStatuses)[number];

export type RunTargetVersion = number | "draft";

export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly accuracy: number | null;
  readonly confidence: number | null;
}

/** A run's overall scores; `null` where nothing could be scored (no item should abstain, say). */
export interface RunScores {
  readonly items: number;
  readonly errors: number;
  readonly correct: number;
  readonly accuracy: number | null;
  readonly citations: number;
  readonly citationPrecision: number | null;
  readonly abstentionPrecision: number | null;
  readonly abstentionRecall: number | null;
  /** Expected calibration error: lower is better. */
  readonly ece: number | null;
  readonly calibration: readonly CalibrationBin[];
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  readonly tokensIn: number;
  readonly tokensOut: number;
  readonly costMicros: number;
  readonly currency: string;
  /** `llm` when a configured model also judged answers; `rules` when only the documented rules did. */
  readonly judge: "rules" | "llm";
  readonly judgeScore: number | null;
}

export interface EvalRun {
  readonly id: string;
  readonly datasetId: string;
  readonly datasetName: string;
  readonly datasetRevision: number | null;
  readonly agentId: string;
  readonly version: RunTargetVersion;
  readonly status: RunStatus;
  readonly progress: { readonly done: number; readonly total: number; readonly errors: number };
  readonly scores: RunScores | null;
  /** Why it failed (or what stopped it). */
  readonly error: { readonly code: string; readonly message: string } | null;
  /** Started through the API, or by a publish gate. */
  readonly origin: string;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface ResultCitation {
  readonly ref: string;
  readonly docName: string;
  readonly quote: string;
  readonly supported: boolean;
}

export interface EvalResult {
  readonly itemId: string;
  readonly seq: number;
  readonly item: EvalItemContent;
  readonly status: "pending" | "done";
  readonly answer: string | null;
  readonly abstained: boolean;
  readonly confidence: number | null;
  readonly traceId: string | null;
  readonly conversationId: string | null;
  readonly citations: readonly ResultCitation[];
  readonly latencyMs: number | null;
  readonly costMicros: number;
  readonly score: {
    readonly correct: boolean;
    readonly method: string;
    readonly missingFacts: readonly string[];
    readonly f1: number | null;
    readonly reason: string;
  } | null;
  readonly judgement: {
    readonly verdict: string;
    readonly score: number | null;
    readonly rationale: string;
    readonly model: string;
  } | null;
  readonly error: { readonly code: string; readonly message: string } | null;
}

export const itemChanges = ["worse", "better", "same", "only-base", "only-other"] as const;
/** `better`: the other run got right what the base run got wrong; `only-…`: an item one run does not hold. */
export type ItemChange = (typeof itemChanges)[number];

/** One item's side in a comparison (its answer cut to 1,000 characters). */
export interface ComparedSide {
  readonly correct: boolean;
  readonly answer: string | null;
  readonly abstained: boolean;
  readonly traceId: string | null;
  readonly reason: string;
}

export interface ComparedItem {
  readonly itemId: string;
  readonly question: string;
  readonly change: ItemChange;
  readonly base: ComparedSide | null;
  readonly other: ComparedSide | null;
}

/** Other − base for each figure; `null` where either has none. */
export interface ScoreDeltas {
  readonly accuracy: number | null;
  readonly citationPrecision: number | null;
  readonly abstentionPrecision: number | null;
  readonly abstentionRecall: number | null;
  readonly ece: number | null;
  readonly latencyP50Ms: number | null;
  readonly latencyP95Ms: number | null;
  readonly tokens: number;
  readonly costMicros: number;
}

export interface RunComparison {
  readonly base: EvalRun;
  readonly other: EvalRun;
  readonly deltas: ScoreDeltas;
  /** Over every item. */
  readonly counts: Readonly<Record<ItemChange, number>>;
  /** Worse first, then better, then the rest. */
  readonly items: readonly ComparedItem[];
}

// ----- replays and simulations (functions/src/sandbox/replay.ts, simulations.ts) -----------------------

/** What a replay or simulation asks: a published version, the draft, or whichever is published now. */
export type TargetVersion = number | "draft" | "published";

export interface ReplayInput {
  readonly traceId: string;
  readonly target: { readonly agentId?: string; readonly version: TargetVersion };
}

export interface CitedSource {
  readonly docId: string;
  readonly docName: string;
  readonly quote: string;
}

export type TurnStatus = "answered" | "abstained" | "declined" | "failed";

/** One side of a replay: the stored answer, or the replayed one. */
export interface ReplayAnswer {
  readonly traceId: string | null;
  readonly agentId: string;
  readonly agentVersion: number | "draft";
  readonly status: TurnStatus;
  readonly answer: string | null;
  readonly confidence: number | null;
  readonly abstained: boolean;
  readonly citations: readonly CitedSource[];
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly latencyMs: number | null;
}

export interface WordChange {
  readonly op: "same" | "added" | "removed";
  readonly text: string;
}

export interface AnswerDiff {
  readonly words: readonly WordChange[];
  readonly wordsAdded: number;
  readonly wordsRemoved: number;
  /** Too long and too different to align word by word: shown removed whole and added whole. */
  readonly coarse: boolean;
  readonly citationsAdded: readonly CitedSource[];
  readonly citationsRemoved: readonly CitedSource[];
  readonly confidenceDelta: number | null;
  readonly abstention: "unchanged" | "now-abstains" | "now-answers";
  readonly statusChanged: boolean;
}

export interface Replay {
  readonly id: string;
  readonly traceId: string;
  readonly target: { readonly agentId: string; readonly version: number | "draft" };
  readonly status: "completed" | "failed";
  readonly question: string;
  readonly conversationId: string | null;
  readonly original: ReplayAnswer;
  readonly replay: ReplayAnswer;
  readonly diff: AnswerDiff | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly createdAt: string;
  readonly durationMs: number;
}

export interface SimulationCheck {
  readonly kind: "mustContain" | "mustNotContain" | "shouldAbstain" | "mustCite";
  readonly expected: string | boolean;
  readonly passed: boolean;
  readonly detail: string;
}

export interface SimulationStep {
  readonly index: number;
  readonly user: string;
  readonly userFrom: "script" | "model";
  readonly status: TurnStatus | "not-run";
  readonly answer: string | null;
  readonly traceId: string | null;
  readonly confidence: number | null;
  readonly abstained: boolean;
  readonly checks: readonly SimulationCheck[];
  readonly passed: boolean;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly ms: number | null;
}

export interface Simulation {
  readonly id: string;
  readonly name: string;
  readonly agentId: string;
  readonly version: number | "draft";
  readonly mode: "scripted" | "model-driven";
  readonly status: "completed" | "failed";
  readonly passed: boolean;
  readonly endedBy: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly conversationId: string;
  readonly steps: readonly SimulationStep[];
  readonly summary: {
    readonly stepsRun: number;
    readonly stepsPassed: number;
    readonly checks: number;
    readonly checksPassed: number;
  };
  readonly createdAt: string;
  readonly durationMs: number;
}

/** What an answer must (not) hold; every list is optional, an absent one checks nothing. */
export interface AnswerChecks {
  readonly mustContain?: readonly string[];
  readonly mustNotContain?: readonly string[];
  /** true: the agent must abstain; false: it must answer. */
  readonly shouldAbstain?: boolean;
  /** Document names (with or without extension) or ids the answer must cite. */
  readonly mustCite?: readonly string[];
}

/** `POST /v1/eval/simulations`: a scripted end user (`steps`) or a model-driven one (`endUser`), never both. */
export type SimulationInput = {
  readonly name?: string;
  readonly agentId: string;
  readonly version: TargetVersion;
} & (
  | { readonly steps: readonly { readonly message: string; readonly checks: AnswerChecks }[] }
  | {
      readonly endUser: {
        readonly persona: string;
        readonly goal: string;
        readonly maxTurns: number;
        readonly openingMessage?: string;
      };
      readonly checks?: { readonly everyAnswer?: AnswerChecks; readonly lastAnswer?: AnswerChecks };
    }
);

/** The platform's limits on a simulation (functions/src/sandbox/simulations.ts), to say so before sending. */
export const simulationLimits = {
  steps: 30,
  checkStrings: 20,
  checkChars: 500,
  messageChars: 8000,
  nameChars: 120,
  personaChars: 2000,
  goalChars: 2000,
} as const;

// ----- the publish gate's verdict (functions/src/sandbox/gate.ts) -------------------------------------

/** Why the gate refused a publish (a 400 `failed-precondition`'s details): the two runs and what got worse. */
export interface PublishGateVerdict {
  readonly datasetId: string;
  readonly maxDrop: number;
  readonly published: { readonly runId: string; readonly version: number; readonly accuracy: number };
  readonly draft: { readonly runId: string; readonly accuracy: number };
  /** published − draft accuracy, 0..1. */
  readonly drop: number;
  readonly counts: Readonly<Record<ItemChange, number>>;
  /** The items the draft got wrong that the published version got right (the first 50). */
  readonly worse: readonly ComparedItem[];
}

/** A gate's runs outlasted its timeout (a 504 `deadline-exceeded`): they go on, and publishing again reuses them. */
export interface PublishGateTimeout {
  readonly runs: { readonly published: string; readonly draft: string };
  readonly timeoutSeconds: number | null;
}

/** Reads need `conversations.view` (results hold answers and traces); changes and runs `agents.manage`. */
export interface EvaluationsSource {
  /** Most recently changed first. */
  listEvalDatasets(signal: AbortSignal): Promise<EvalDataset[]>;
  getEvalDataset(datasetId: string, signal: AbortSignal): Promise<EvalDataset>;
  createEvalDataset(input: { readonly name: string; readonly description: string }): Promise<EvalDataset>;
  deleteEvalDataset(datasetId: string): Promise<void>;
  /** Every item, in the order they were added. */
  listEvalItems(datasetId: string, signal: AbortSignal): Promise<EvalItem[]>;
  addEvalItem(datasetId: string, item: EvalItemInput): Promise<EvalItem>;
  updateEvalItem(datasetId: string, itemId: string, item: EvalItemInput): Promise<EvalItem>;
  deleteEvalItem(datasetId: string, itemId: string): Promise<void>;
  /** All or nothing: a refused file throws, its lines' problems in `uploadRefusalOf(error)`. */
  uploadEvalItems(datasetId: string, format: UploadFormat, content: string): Promise<UploadReport>;
  /** An item from a real answer: its question, and the answer's supported sentences as the reference. */
  addEvalItemFromTrace(datasetId: string, traceId: string): Promise<EvalItem>;

  /** Newest first (the newest 100); of one dataset or one agent when given. */
  listEvalRuns(
    filter: { readonly datasetId?: string; readonly agentId?: string },
    signal: AbortSignal,
  ): Promise<EvalRun[]>;
  getEvalRun(runId: string, signal: AbortSignal): Promise<EvalRun>;
  startEvalRun(input: {
    readonly datasetId: string;
    readonly agentId: string;
    readonly version: RunTargetVersion;
  }): Promise<EvalRun>;
  cancelEvalRun(runId: string): Promise<EvalRun>;
  /** Every result, in the dataset's order (pending ones too, while the run goes). */
  listEvalResults(runId: string, signal: AbortSignal): Promise<EvalResult[]>;
  compareEvalRuns(baseRunId: string, otherRunId: string, signal: AbortSignal): Promise<RunComparison>;

  /** Newest first (the newest 100). */
  listReplays(signal: AbortSignal): Promise<Replay[]>;
  createReplay(input: ReplayInput): Promise<Replay>;
  /** Newest first (the newest 100). */
  listSimulations(signal: AbortSignal): Promise<Simulation[]>;
  /** Runs the scenario inside the request (up to 240 s) and answers it finished, pass or fail per check. */
  createSimulation(input: SimulationInput): Promise<Simulation>;
}

/** The platform's limits (functions/src/sandbox/schema.ts `evalLimits`), to say so before sending. */
export const evalLimits = {
  itemsPerDataset: 2_000,
  turnsPerScript: 20,
  facts: 20,
  factChars: 500,
  referenceChars: 8_000,
  sources: 20,
  tags: 20,
  uploadBytes: 5 * 1024 * 1024,
} as const;

/** A run still going: the screen reads it again until it is done. */
export function isRunActive(run: Pick<EvalRun, "status">): boolean {
  return run.status === "queued" || run.status === "running";
}

export function versionLabel(version: RunTargetVersion): string {
  return version === "draft" ? "the draft" : `version ${version}`;
}

/** The lines an upload was refused for (its error's `details`), or undefined for any other failure. */
export function uploadRefusalOf(error: PlatformRequestError): UploadRefusal | undefined {
  const details = error.details;
  if (!isRecord(details) || !Array.isArray(details.errors)) return undefined;
  const errors = details.errors
    .filter(isRecord)
    .flatMap((e): UploadLineError[] =>
      typeof e.line === "number" && typeof e.message === "string"
        ? [{ line: e.line, field: typeof e.field === "string" ? e.field : null, message: e.message }]
        : [],
    );
  const errorCount = typeof details.errorCount === "number" ? details.errorCount : errors.length;
  return { errors, errorCount };
}

const isNumberIn = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const stringOr = (v: unknown, fallback: string): string => (typeof v === "string" ? v : fallback);

function gateSide(value: unknown): ComparedSide | null {
  if (!isRecord(value) || typeof value.correct !== "boolean") return null;
  return {
    correct: value.correct,
    answer: typeof value.answer === "string" ? value.answer : null,
    abstained: value.abstained === true,
    traceId: typeof value.traceId === "string" ? value.traceId : null,
    reason: stringOr(value.reason, ""),
  };
}

/**
 * The publish gate's verdict from a refused publish (400 `failed-precondition` with the comparison in its
 * details), or undefined for any other refusal (a failed run, a deleted dataset: its message says why).
 */
export function publishGateVerdictOf(error: PlatformRequestError): PublishGateVerdict | undefined {
  const d = error.details;
  if (error.code !== "failed-precondition" || !isRecord(d)) return undefined;
  const { gate, published, draft, comparison } = d;
  if (
    !isRecord(gate) ||
    !isRecord(published) ||
    !isRecord(draft) ||
    !isRecord(comparison) ||
    typeof gate.datasetId !== "string" ||
    !isNumberIn(gate.maxDrop) ||
    typeof published.runId !== "string" ||
    !isNumberIn(published.version) ||
    !isNumberIn(published.accuracy) ||
    typeof draft.runId !== "string" ||
    !isNumberIn(draft.accuracy) ||
    !isNumberIn(d.drop)
  ) {
    return undefined;
  }
  const counts = isRecord(comparison.counts) ? comparison.counts : {};
  const worse = (Array.isArray(comparison.worse) ? comparison.worse : [])
    .filter(isRecord)
    .flatMap((item): ComparedItem[] =>
      typeof item.itemId === "string"
        ? [
            {
              itemId: item.itemId,
              question: stringOr(item.question, ""),
              change: "worse",
              base: gateSide(item.base),
              other: gateSide(item.other),
            },
          ]
        : [],
    );
  return {
    datasetId: gate.datasetId,
    maxDrop: gate.maxDrop,
    published: { runId: published.runId, version: published.version, accuracy: published.accuracy },
    draft: { runId: draft.runId, accuracy: draft.accuracy },
    drop: d.drop,
    counts: Object.fromEntries(
      itemChanges.map((change) => [change, isNumberIn(counts[change]) ? counts[change] : 0]),
    ) as Record<ItemChange, number>,
    worse,
  };
}

/** A publish refused because the gate's runs outlasted its timeout (504 `deadline-exceeded`), or undefined. */
export function publishGateTimeoutOf(error: PlatformRequestError): PublishGateTimeout | undefined {
  const d = error.details;
  if (error.code !== "deadline-exceeded" || !isRecord(d) || !isRecord(d.runs)) return undefined;
  const { published, draft } = d.runs;
  if (typeof published !== "string" || typeof draft !== "string") return undefined;
  return {
    runs: { published, draft },
    timeoutSeconds: isNumberIn(d.timeoutSeconds) ? d.timeoutSeconds : null,
  };
}
