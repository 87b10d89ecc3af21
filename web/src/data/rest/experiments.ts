/**
 * Experiments over the platform's REST API (both modes: the platform assigns traffic and computes the
 * figures): the requests, and the reading of their answers, checked at the edge so the dashboard can trust
 * every figure it charts.
 */
import {
  experimentMetrics,
  experimentStatuses,
  type Experiment,
  type ExperimentResults,
  type ExperimentsSource,
  type ProportionSide,
  type Significance,
  type Variant,
  type VariantMetrics,
  type VariantOverrides,
} from "../experiments";
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

export const experimentsPath = "/v1/experiments";
export const experimentPath = (experimentId: string) =>
  `${experimentsPath}/${encodeURIComponent(experimentId)}`;

async function changeExperiment(path: string, body?: unknown): Promise<Experiment> {
  const answer = await requestAsSignedIn(path, { method: "POST", ...(body === undefined ? {} : { body }) });
  return parseWith(() => parseExperiment(answer), `POST ${path}`, path, "an experiment");
}

export const restExperiments: ExperimentsSource = {
  async listExperiments(filter, signal) {
    const path = filter.agentId
      ? `${experimentsPath}?${new URLSearchParams({ agentId: filter.agentId }).toString()}`
      : experimentsPath;
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(
      () => list(body, "experiments").map((v, i) => within(`experiments[${i}]`, () => parseExperiment(v))),
      `GET ${path}`,
      path,
      "a list of experiments",
    );
  },
  async getExperiment(experimentId, signal) {
    const path = experimentPath(experimentId);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseExperiment(body), `GET ${path}`, path, "an experiment");
  },
  async getExperimentResults(experimentId, signal) {
    const path = `${experimentPath(experimentId)}/results`;
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseExperimentResults(body), `GET ${path}`, path, "an experiment's results");
  },
  createExperiment: (input) => changeExperiment(experimentsPath, input),
  startExperiment: (experimentId) => changeExperiment(`${experimentPath(experimentId)}/start`),
  stopExperiment: (experimentId) => changeExperiment(`${experimentPath(experimentId)}/stop`),
  async promoteVariant(experimentId, variantId, note) {
    const path = `${experimentPath(experimentId)}/promote`;
    const body = await requestAsSignedIn(path, {
      method: "POST",
      body: { variantId, ...(note ? { note } : {}) },
    });
    return parseWith(
      () => {
        const b = record(body, "body");
        return {
          experiment: within("experiment", () => parseExperiment(b.experiment)),
          version: field(b, "version", isCount),
        };
      },
      `POST ${path}`,
      path,
      "a promotion",
    );
  },
  async deleteExperiment(experimentId) {
    await requestAsSignedIn(experimentPath(experimentId), { method: "DELETE" });
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

const isVersion = (v: unknown): v is number => isCount(v) && v > 0;
const isShare = (v: unknown): v is number => isNumber(v) && v >= 0 && v <= 1;
const isNullableShare = (v: unknown): v is number | null => v === null || isShare(v);

function parseOverrides(value: unknown): VariantOverrides {
  const o = record(value ?? {}, "overrides");
  const overrides: { -readonly [K in keyof VariantOverrides]: VariantOverrides[K] } = {};
  if (o.prompt !== undefined) {
    overrides.prompt = nested(o, "prompt", (p) => ({
      templateId: field(p, "templateId", isString),
      ...(p.label !== undefined ? { label: field(p, "label", isString) } : {}),
      ...(p.version !== undefined ? { version: field(p, "version", isVersion) } : {}),
    }));
  }
  if (o.modelName !== undefined) overrides.modelName = field(o, "modelName", isNullableString);
  if (o.temperature !== undefined) overrides.temperature = field(o, "temperature", isNumber);
  if (o.knowledgeBaseIds !== undefined)
    overrides.knowledgeBaseIds = field(o, "knowledgeBaseIds", isStringArray);
  if (o.agentVersion !== undefined) overrides.agentVersion = field(o, "agentVersion", isVersion);
  return overrides;
}

function parseVariant(value: unknown): Variant {
  const v = record(value, "variant");
  const pinned =
    v.resolvedPrompt === undefined || v.resolvedPrompt === null
      ? null
      : record(v.resolvedPrompt, "resolvedPrompt");
  return {
    id: field(v, "id", isString),
    name: field(v, "name", isString),
    share: field(v, "share", isShare),
    overrides: within("overrides", () => parseOverrides(v.overrides)),
    resolvedPrompt:
      pinned &&
      within("resolvedPrompt", () => ({
        templateId: field(pinned, "templateId", isString),
        version: field(pinned, "version", isVersion),
        label: optional(pinned, "label", isString, null),
      })),
  };
}

export function parseExperiment(value: unknown): Experiment {
  const e = record(value, "experiment");
  return {
    id: field(e, "id", isString),
    agentId: field(e, "agentId", isString),
    name: field(e, "name", isString),
    description: optional(e, "description", isString, ""),
    status: field(e, "status", isOneOf(experimentStatuses)),
    metric: field(e, "metric", isOneOf(experimentMetrics)),
    variants: field(e, "variants", Array.isArray).map((v, i) =>
      within(`variants[${i}]`, () => parseVariant(v)),
    ),
    baseVersion: optional(e, "baseVersion", isVersion, null),
    startedAt: optional(e, "startedAt", isInstant, null),
    stoppedAt: optional(e, "stoppedAt", isInstant, null),
    promotedVariantId: optional(e, "promotedVariantId", isString, null),
    promotedVersion: optional(e, "promotedVersion", isVersion, null),
    promotedAt: optional(e, "promotedAt", isInstant, null),
    createdAt: field(e, "createdAt", isInstant),
    updatedAt: field(e, "updatedAt", isInstant),
  };
}

function parseVariantMetrics(value: unknown): VariantMetrics {
  const m = record(value, "variant");
  const tokensIn = field(m, "inputTokens", isCount);
  const tokensOut = field(m, "outputTokens", isCount);
  return {
    variantId: field(m, "variantId", isString),
    name: field(m, "name", isString),
    share: field(m, "share", isShare),
    turns: field(m, "turns", isCount),
    answered: field(m, "answered", isCount),
    abstained: field(m, "abstained", isCount),
    failed: field(m, "failed", isCount),
    answerRate: field(m, "answerRate", isNullableShare),
    abstentionRate: field(m, "abstentionRate", isNullableShare),
    failureRate: field(m, "failureRate", isNullableShare),
    feedbackScore: field(m, "feedbackScore", isNullableShare),
    ratings: field(m, "ratings", isCount),
    ratingsUp: field(m, "ratingsUp", isCount),
    latencyP50Ms: field(m, "latencyP50Ms", isNullableNumber),
    latencyP95Ms: field(m, "latencyP95Ms", isNullableNumber),
    inputTokens: tokensIn,
    outputTokens: tokensOut,
    costMicros: field(m, "costMicros", isNumber),
    costPerTurnMicros: field(m, "costPerTurnMicros", isNullableNumber),
    evalScore: optional(m, "evalScore", isShare, null),
    evalRunId: optional(m, "evalRunId", isString, null),
  };
}

function parseSide(value: unknown, where: string): ProportionSide {
  const s = record(value, where);
  return {
    successes: field(s, "successes", isCount),
    n: field(s, "n", isCount),
    rate: field(s, "rate", isNullableShare),
  };
}

const isInterval = (v: unknown): v is readonly [number, number] =>
  Array.isArray(v) && v.length === 2 && isNumber(v[0]) && isNumber(v[1]);

function parseSignificance(value: unknown): Significance {
  const s = record(value, "significance");
  const ci = s.ci === null || s.ci === undefined ? null : field(s, "ci", isInterval);
  return {
    metric: field(s, "metric", isOneOf(experimentMetrics)),
    method: field(s, "method", isString),
    baselineVariantId: field(s, "baselineVariantId", isString),
    variantId: field(s, "variantId", isString),
    enoughData: field(s, "enoughData", isBoolean),
    reason: optional(s, "reason", isString, ""),
    baseline: within("baseline", () => parseSide(s.baseline, "baseline")),
    variant: within("variant", () => parseSide(s.variant, "variant")),
    difference: optional(s, "difference", isNumber, null),
    z: optional(s, "z", isNumber, null),
    pValue: optional(s, "pValue", isNumber, null),
    pValueAdjusted: optional(s, "pValueAdjusted", isNumber, null),
    ci: ci === null ? null : [ci[0], ci[1]],
    confidenceLevel: field(s, "confidenceLevel", isShare),
    significant: field(s, "significant", isBoolean),
    higherIsBetter: field(s, "higherIsBetter", isBoolean),
  };
}

export function parseExperimentResults(value: unknown): ExperimentResults {
  const r = record(value, "body");
  const variants = field(r, "variants", Array.isArray).map((v, i) =>
    within(`variants[${i}]`, () => parseVariantMetrics(v)),
  );
  const winner = field(r, "winnerVariantId", isNullableString);
  if (winner !== null && !variants.some((v) => v.variantId === winner))
    throw new ShapeError("winnerVariantId");
  return {
    experimentId: field(r, "experimentId", isString),
    generatedAt: field(r, "generatedAt", isInstant),
    tracesRead: field(r, "tracesRead", isCount),
    truncated: field(r, "truncated", isBoolean),
    variants,
    significance: field(r, "significance", Array.isArray).map((s, i) =>
      within(`significance[${i}]`, () => parseSignificance(s)),
    ),
    winnerVariantId: winner,
  };
}
