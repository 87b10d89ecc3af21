/**
 * Evaluations over the platform's REST API (both modes: runs, replays and simulations are the platform's
 * work): datasets and items, runs with their results and comparisons, replays and simulations. Answers are
 * read and checked at the edge; listings the platform pages are read page by page up to what a screen shows.
 */
import {
  itemChanges,
  itemOrigins,
  runStatuses,
  type AnswerDiff,
  type CitedSource,
  type ComparedItem,
  type ComparedSide,
  type EvalDataset,
  type EvalItem,
  type EvalItemContent,
  type EvalResult,
  type EvalRun,
  type EvaluationsSource,
  type ItemChange,
  type Replay,
  type ReplayAnswer,
  type RunComparison,
  type RunScores,
  type ScoreDeltas,
  type Simulation,
  type SimulationStep,
} from "../evaluations";
import { requestAsSignedIn } from "../session";
import {
  field,
  isBoolean,
  isCount,
  isInstant,
  isNullableNumber,
  isNullableString,
  isNumber,
  isOneOf,
  isString,
  isStringArray,
  list,
  nested,
  optional,
  parseWith,
  record,
  ShapeError,
  within,
} from "./shape";

const evalPath = "/v1/eval";
export const datasetsPath = `${evalPath}/datasets`;
export const datasetPath = (datasetId: string) => `${datasetsPath}/${encodeURIComponent(datasetId)}`;
const itemsPath = (datasetId: string) => `${datasetPath(datasetId)}/items`;
const itemPath = (datasetId: string, itemId: string) =>
  `${itemsPath(datasetId)}/${encodeURIComponent(itemId)}`;
export const runsPath = `${evalPath}/runs`;
export const runPath = (runId: string) => `${runsPath}/${encodeURIComponent(runId)}`;
export const replaysPath = `${evalPath}/replays`;
export const simulationsPath = `${evalPath}/simulations`;

/** Pages read at most, for a listing read whole: 2,000 items or results at 500 a page, and one to spare. */
const maxPages = 5;

/** Every row of a listing paged by `nextCursor`, `key` naming its array. */
async function readAllPages<T>(
  path: string,
  key: string,
  parse: (value: unknown) => T,
  signal: AbortSignal,
  what: string,
): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const url: string = `${path}?limit=500${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
    const body = await requestAsSignedIn(url, { signal });
    const parsed: { rows: T[]; next: string | null } = parseWith(
      () => ({
        rows: list(body, key).map((v, i) => within(`${key}[${i}]`, () => parse(v))),
        next: field(record(body, "body"), "nextCursor", isNullableString),
      }),
      `GET ${url}`,
      url,
      what,
    );
    rows.push(...parsed.rows);
    cursor = parsed.next;
    if (cursor === null) break;
  }
  return rows;
}

async function send<T>(
  method: "POST" | "PUT",
  path: string,
  body: unknown,
  parse: (value: unknown) => T,
  what: string,
): Promise<T> {
  const answer = await requestAsSignedIn(path, { method, body });
  return parseWith(() => parse(answer), `${method} ${path}`, path, what);
}

async function get<T>(
  path: string,
  signal: AbortSignal,
  parse: (value: unknown) => T,
  what: string,
): Promise<T> {
  const body = await requestAsSignedIn(path, { signal });
  return parseWith(() => parse(body), `GET ${path}`, path, what);
}

export const restEvaluations: EvaluationsSource = {
  listEvalDatasets: (signal) =>
    get(
      datasetsPath,
      signal,
      (body) => list(body, "datasets").map((v, i) => within(`datasets[${i}]`, () => parseDataset(v))),
      "a list of datasets",
    ),
  getEvalDataset: (datasetId, signal) => get(datasetPath(datasetId), signal, parseDataset, "a dataset"),
  createEvalDataset: (input) => send("POST", datasetsPath, input, parseDataset, "a dataset"),
  async deleteEvalDataset(datasetId) {
    await requestAsSignedIn(datasetPath(datasetId), { method: "DELETE" });
  },
  listEvalItems: (datasetId, signal) =>
    readAllPages(itemsPath(datasetId), "items", parseItem, signal, "a page of dataset items"),
  addEvalItem: (datasetId, item) => send("POST", itemsPath(datasetId), item, parseItem, "a dataset item"),
  updateEvalItem: (datasetId, itemId, item) =>
    send("PUT", itemPath(datasetId, itemId), item, parseItem, "a dataset item"),
  async deleteEvalItem(datasetId, itemId) {
    await requestAsSignedIn(itemPath(datasetId, itemId), { method: "DELETE" });
  },
  uploadEvalItems: (datasetId, format, content) =>
    send(
      "POST",
      `${datasetPath(datasetId)}/upload`,
      { format, content },
      (body) => {
        const r = record(body, "body");
        return { added: field(r, "added", isCount), itemCount: field(r, "itemCount", isCount) };
      },
      "an upload report",
    ),
  addEvalItemFromTrace: (datasetId, traceId) =>
    send("POST", `${datasetPath(datasetId)}/from-trace`, { traceId }, parseItem, "a dataset item"),

  listEvalRuns(filter, signal) {
    const query = new URLSearchParams({ limit: "100" });
    if (filter.datasetId) query.set("datasetId", filter.datasetId);
    else if (filter.agentId) query.set("agentId", filter.agentId);
    return get(
      `${runsPath}?${query.toString()}`,
      signal,
      (body) => list(body, "runs").map((v, i) => within(`runs[${i}]`, () => parseRun(v))),
      "a list of runs",
    );
  },
  getEvalRun: (runId, signal) => get(runPath(runId), signal, parseRun, "a run"),
  startEvalRun: ({ datasetId, agentId, version }) =>
    send("POST", runsPath, { datasetId, target: { agentId, version } }, parseRun, "a run"),
  cancelEvalRun: (runId) => send("POST", `${runPath(runId)}/cancel`, undefined, parseRun, "a run"),
  listEvalResults: (runId, signal) =>
    readAllPages(`${runPath(runId)}/results`, "results", parseResult, signal, "a page of results"),
  compareEvalRuns: (baseRunId, otherRunId, signal) =>
    get(
      `${runPath(baseRunId)}/compare/${encodeURIComponent(otherRunId)}?limit=2000`,
      signal,
      parseComparison,
      "a comparison of runs",
    ),

  listReplays: (signal) =>
    get(
      `${replaysPath}?limit=100`,
      signal,
      (body) => list(body, "replays").map((v, i) => within(`replays[${i}]`, () => parseReplay(v))),
      "a list of replays",
    ),
  createReplay: (input) => send("POST", replaysPath, input, parseReplay, "a replay"),
  listSimulations: (signal) =>
    get(
      `${simulationsPath}?limit=100`,
      signal,
      (body) =>
        list(body, "simulations").map((v, i) => within(`simulations[${i}]`, () => parseSimulation(v))),
      "a list of simulations",
    ),
  createSimulation: (input) => send("POST", simulationsPath, input, parseSimulation, "a simulation"),
};

// ----- parsing ----------------------------------------------------------------------------------------

const isShare = (v: unknown): v is number => isNumber(v) && v >= 0 && v <= 1;
const isNullableShare = (v: unknown): v is number | null => v === null || isShare(v);
const isTargetVersion = (v: unknown): v is number | "draft" => v === "draft" || (isCount(v) && v > 0);
const isNullableStringArray = (v: unknown): v is string[] | null => v === null || isStringArray(v);

function parseError(value: unknown): { code: string; message: string } | null {
  if (value === null || value === undefined) return null;
  const e = record(value, "error");
  return { code: field(e, "code", isString), message: field(e, "message", isString) };
}

export function parseDataset(value: unknown): EvalDataset {
  const d = record(value, "dataset");
  return {
    id: field(d, "id", isString),
    name: field(d, "name", isString),
    description: optional(d, "description", isString, ""),
    itemCount: field(d, "itemCount", isCount),
    revision: optional(d, "revision", isCount, 0),
    createdAt: field(d, "createdAt", isInstant),
    updatedAt: field(d, "updatedAt", isInstant),
  };
}

function parseContent(value: unknown): EvalItemContent {
  const c = record(value, "item");
  return {
    question: field(c, "question", isNullableString),
    turns: field(c, "turns", isNullableStringArray),
    expectedFacts: field(c, "expectedFacts", isStringArray),
    referenceAnswer: field(c, "referenceAnswer", isNullableString),
    expectedSources: field(c, "expectedSources", isStringArray),
    shouldAbstain: field(c, "shouldAbstain", isBoolean),
    tags: field(c, "tags", isStringArray),
  };
}

export function parseItem(value: unknown): EvalItem {
  const i = record(value, "item");
  return {
    ...parseContent(i),
    id: field(i, "id", isString),
    seq: field(i, "seq", isCount),
    origin: within("origin", () => {
      const origin = record(i.origin, "origin");
      return {
        kind: field(origin, "kind", isOneOf(itemOrigins)),
        traceId: optional(origin, "traceId", isString, null),
        conversationId: optional(origin, "conversationId", isString, null),
      };
    }),
    createdAt: field(i, "createdAt", isInstant),
    updatedAt: field(i, "updatedAt", isInstant),
  };
}

function parseScores(value: unknown): RunScores {
  const s = record(value, "scores");
  return {
    items: field(s, "items", isCount),
    errors: field(s, "errors", isCount),
    correct: field(s, "correct", isCount),
    accuracy: field(s, "accuracy", isNullableShare),
    citations: field(s, "citations", isCount),
    citationPrecision: field(s, "citationPrecision", isNullableShare),
    abstentionPrecision: nested(s, "abstention", (a) => field(a, "precision", isNullableShare)),
    abstentionRecall: nested(s, "abstention", (a) => field(a, "recall", isNullableShare)),
    ece: field(s, "ece", isNullableShare),
    calibration: optional(s, "calibration", Array.isArray, []).map((b, i) =>
      within(`calibration[${i}]`, () => {
        const bin = record(b, "bin");
        return {
          lower: field(bin, "lower", isNumber),
          upper: field(bin, "upper", isNumber),
          count: field(bin, "count", isCount),
          accuracy: field(bin, "accuracy", isNullableShare),
          confidence: field(bin, "confidence", isNullableShare),
        };
      }),
    ),
    latencyP50Ms: nested(s, "latencyMs", (l) => field(l, "p50", isNullableNumber)),
    latencyP95Ms: nested(s, "latencyMs", (l) => field(l, "p95", isNullableNumber)),
    tokensIn: nested(s, "tokens", (t) => field(t, "input", isCount)),
    tokensOut: nested(s, "tokens", (t) => field(t, "output", isCount)),
    costMicros: field(s, "costMicros", isCount),
    currency: optional(s, "currency", isString, "usd"),
    judge: field(s, "judge", isOneOf(["rules", "llm"] as const)),
    judgeScore: optional(s, "judgeScore", isShare, null),
  };
}

export function parseRun(value: unknown): EvalRun {
  const r = record(value, "run");
  return {
    id: field(r, "id", isString),
    datasetId: field(r, "datasetId", isString),
    datasetName: optional(r, "datasetName", isString, ""),
    datasetRevision: optional(r, "datasetRevision", isCount, null),
    agentId: nested(r, "target", (t) => field(t, "agentId", isString)),
    version: nested(r, "target", (t) => field(t, "version", isTargetVersion)),
    status: field(r, "status", isOneOf(runStatuses)),
    progress: nested(r, "progress", (p) => ({
      done: field(p, "done", isCount),
      total: field(p, "total", isCount),
      errors: optional(p, "errors", isCount, 0),
    })),
    scores:
      r.scores === null || r.scores === undefined ? null : within("scores", () => parseScores(r.scores)),
    error: within("error", () => parseError(r.error)),
    origin: optional(r, "origin", isString, "api"),
    createdAt: field(r, "createdAt", isInstant),
    startedAt: optional(r, "startedAt", isInstant, null),
    finishedAt: optional(r, "finishedAt", isInstant, null),
  };
}

export function parseResult(value: unknown): EvalResult {
  const r = record(value, "result");
  const score = r.score === null || r.score === undefined ? null : record(r.score, "score");
  const judgement =
    r.judgement === null || r.judgement === undefined ? null : record(r.judgement, "judgement");
  return {
    itemId: field(r, "itemId", isString),
    seq: field(r, "seq", isCount),
    item: within("item", () => parseContent(r.item)),
    status: field(r, "status", isOneOf(["pending", "done"] as const)),
    answer: field(r, "answer", isNullableString),
    abstained: field(r, "abstained", isBoolean),
    confidence: optional(r, "confidence", isShare, null),
    traceId: optional(r, "traceId", isString, null),
    conversationId: optional(r, "conversationId", isString, null),
    citations: optional(r, "citations", Array.isArray, []).map((c, i) =>
      within(`citations[${i}]`, () => {
        const x = record(c, "citation");
        return {
          ref: field(x, "ref", isString),
          docName: field(x, "docName", isString),
          quote: optional(x, "quote", isString, ""),
          supported: field(x, "supported", isBoolean),
        };
      }),
    ),
    latencyMs: optional(r, "latencyMs", isNumber, null),
    costMicros: optional(r, "costMicros", isCount, 0),
    score:
      score &&
      within("score", () => ({
        correct: field(score, "correct", isBoolean),
        method: field(score, "method", isString),
        missingFacts: optional(score, "missingFacts", isStringArray, []),
        f1: optional(score, "f1", isNumber, null),
        reason: optional(score, "reason", isString, ""),
      })),
    judgement:
      judgement &&
      within("judgement", () => ({
        verdict: field(judgement, "verdict", isString),
        score: optional(judgement, "score", isNumber, null),
        rationale: optional(judgement, "rationale", isString, ""),
        model: optional(judgement, "model", isString, ""),
      })),
    error: within("error", () => parseError(r.error)),
  };
}

function parseSide(value: unknown): ComparedSide | null {
  if (value === null) return null;
  const s = record(value, "side");
  return {
    correct: field(s, "correct", isBoolean),
    answer: field(s, "answer", isNullableString),
    abstained: field(s, "abstained", isBoolean),
    traceId: field(s, "traceId", isNullableString),
    reason: optional(s, "reason", isString, ""),
  };
}

function parseDeltas(value: unknown): ScoreDeltas {
  const d = record(value, "deltas");
  const n = (key: string) => field(d, key, isNullableNumber);
  return {
    accuracy: n("accuracy"),
    citationPrecision: n("citationPrecision"),
    abstentionPrecision: n("abstentionPrecision"),
    abstentionRecall: n("abstentionRecall"),
    ece: n("ece"),
    latencyP50Ms: n("latencyP50Ms"),
    latencyP95Ms: n("latencyP95Ms"),
    tokens: field(d, "tokens", isNumber),
    costMicros: field(d, "costMicros", isNumber),
  };
}

export function parseComparison(value: unknown): RunComparison {
  const c = record(value, "body");
  return {
    base: within("base", () => parseRun(c.base)),
    other: within("other", () => parseRun(c.other)),
    deltas: within("deltas", () => parseDeltas(c.deltas)),
    counts: nested(
      c,
      "counts",
      (counts) =>
        Object.fromEntries(
          itemChanges.map((change) => [change, optional(counts, change, isCount, 0)]),
        ) as Record<ItemChange, number>,
    ),
    items: field(c, "items", Array.isArray).map((v, i) =>
      within(`items[${i}]`, (): ComparedItem => {
        const item = record(v, "item");
        return {
          itemId: field(item, "itemId", isString),
          question: optional(item, "question", isString, ""),
          change: field(item, "change", isOneOf(itemChanges)),
          base: within("base", () => parseSide(item.base ?? null)),
          other: within("other", () => parseSide(item.other ?? null)),
        };
      }),
    ),
  };
}

function parseCited(value: unknown): CitedSource {
  const c = record(value, "citation");
  return {
    docId: optional(c, "docId", isString, ""),
    docName: field(c, "docName", isString),
    quote: optional(c, "quote", isString, ""),
  };
}

const turnStatuses = ["answered", "abstained", "declined", "failed"] as const;

function parseReplayAnswer(value: unknown): ReplayAnswer {
  const a = record(value, "answer");
  return {
    traceId: field(a, "traceId", isNullableString),
    agentId: field(a, "agentId", isString),
    agentVersion: field(a, "agentVersion", isTargetVersion),
    status: field(a, "status", isOneOf(turnStatuses)),
    answer: field(a, "answer", isNullableString),
    confidence: optional(a, "confidence", isNumber, null),
    abstained: field(a, "abstained", isBoolean),
    citations: optional(a, "citations", Array.isArray, []).map((c, i) =>
      within(`citations[${i}]`, () => parseCited(c)),
    ),
    error: within("error", () => parseError(a.error)),
    latencyMs: optional(a, "latencyMs", isNumber, null),
  };
}

function parseDiff(value: unknown): AnswerDiff | null {
  if (value === null || value === undefined) return null;
  const d = record(value, "diff");
  return {
    words: field(d, "words", Array.isArray).map((w, i) =>
      within(`words[${i}]`, () => {
        const x = record(w, "word");
        return {
          op: field(x, "op", isOneOf(["same", "added", "removed"] as const)),
          text: field(x, "text", isString),
        };
      }),
    ),
    wordsAdded: field(d, "wordsAdded", isCount),
    wordsRemoved: field(d, "wordsRemoved", isCount),
    coarse: optional(d, "coarse", isBoolean, false),
    citationsAdded: optional(d, "citationsAdded", Array.isArray, []).map(parseCited),
    citationsRemoved: optional(d, "citationsRemoved", Array.isArray, []).map(parseCited),
    confidenceDelta: optional(d, "confidenceDelta", isNumber, null),
    abstention: field(d, "abstention", isOneOf(["unchanged", "now-abstains", "now-answers"] as const)),
    statusChanged: optional(d, "statusChanged", isBoolean, false),
  };
}

export function parseReplay(value: unknown): Replay {
  const r = record(value, "replay");
  return {
    id: field(r, "id", isString),
    traceId: field(r, "traceId", isString),
    target: nested(r, "target", (t) => ({
      agentId: field(t, "agentId", isString),
      version: field(t, "version", isTargetVersion),
    })),
    status: field(r, "status", isOneOf(["completed", "failed"] as const)),
    question: field(r, "question", isString),
    conversationId: optional(r, "conversationId", isString, null),
    original: within("original", () => parseReplayAnswer(r.original)),
    replay: within("replay", () => parseReplayAnswer(r.replay)),
    diff: within("diff", () => parseDiff(r.diff)),
    error: within("error", () => parseError(r.error)),
    createdAt: field(r, "createdAt", isInstant),
    durationMs: optional(r, "durationMs", isNumber, 0),
  };
}

function parseStep(value: unknown): SimulationStep {
  const s = record(value, "step");
  return {
    index: field(s, "index", isCount),
    user: field(s, "user", isString),
    userFrom: field(s, "userFrom", isOneOf(["script", "model"] as const)),
    status: field(s, "status", isOneOf([...turnStatuses, "not-run"] as const)),
    answer: field(s, "answer", isNullableString),
    traceId: field(s, "traceId", isNullableString),
    confidence: optional(s, "confidence", isNumber, null),
    abstained: field(s, "abstained", isBoolean),
    checks: optional(s, "checks", Array.isArray, []).map((c, i) =>
      within(`checks[${i}]`, () => {
        const x = record(c, "check");
        const expected = x.expected;
        if (typeof expected !== "string" && typeof expected !== "boolean") throw new ShapeError("expected");
        return {
          kind: field(
            x,
            "kind",
            isOneOf(["mustContain", "mustNotContain", "shouldAbstain", "mustCite"] as const),
          ),
          expected,
          passed: field(x, "passed", isBoolean),
          detail: optional(x, "detail", isString, ""),
        };
      }),
    ),
    passed: field(s, "passed", isBoolean),
    error: within("error", () => parseError(s.error)),
    ms: optional(s, "ms", isNumber, null),
  };
}

export function parseSimulation(value: unknown): Simulation {
  const s = record(value, "simulation");
  return {
    id: field(s, "id", isString),
    name: field(s, "name", isString),
    agentId: field(s, "agentId", isString),
    version: field(s, "version", isTargetVersion),
    mode: field(s, "mode", isOneOf(["scripted", "model-driven"] as const)),
    status: field(s, "status", isOneOf(["completed", "failed"] as const)),
    passed: field(s, "passed", isBoolean),
    endedBy: field(s, "endedBy", isString),
    error: within("error", () => parseError(s.error)),
    conversationId: field(s, "conversationId", isString),
    steps: field(s, "steps", Array.isArray).map((v, i) => within(`steps[${i}]`, () => parseStep(v))),
    summary: nested(s, "summary", (summary) => ({
      stepsRun: field(summary, "stepsRun", isCount),
      stepsPassed: field(summary, "stepsPassed", isCount),
      checks: field(summary, "checks", isCount),
      checksPassed: field(summary, "checksPassed", isCount),
    })),
    createdAt: field(s, "createdAt", isInstant),
    durationMs: optional(s, "durationMs", isNumber, 0),
  };
}
