/**
 * Agent Tuning over the platform's REST API (both modes): exports of training data, their files, and
 * fine-tuning jobs. Answers are read and checked at the edge; a file is downloaded with the session's token.
 */
import { sendPlatformRequest } from "../platform";
import { asSignedIn, requestAsSignedIn } from "../session";
import type {
  FineTuneJob,
  FineTuneJobFollow,
  TuningExport,
  TuningSource,
  ValidationIssue,
  ValidationReport,
} from "../tuning";
import {
  field,
  isBoolean,
  isCount,
  isInstant,
  isNullableInstant,
  isNullableString,
  isNumber,
  isString,
  list,
  nested,
  optional,
  parseWith,
  record,
  ShapeError,
  within,
} from "./shape";

export const exportsPath = "/v1/tuning/exports";
export const jobsPath = "/v1/tuning/jobs";
export const modelsPath = "/v1/tuning/models";
export const tuningFilePath = (exportId: string, file: string) =>
  `${exportsPath}/${encodeURIComponent(exportId)}/files/${encodeURIComponent(file)}`;

export const restTuning: TuningSource = {
  async listTuningExports(signal) {
    const body = await requestAsSignedIn(exportsPath, { signal });
    return parseWith(
      () => list(body, "exports").map((v, i) => within(`exports[${i}]`, () => parseTuningExport(v))),
      `GET ${exportsPath}`,
      exportsPath,
      "a list of exports",
    );
  },
  async createTuningExport(input) {
    const body = await requestAsSignedIn(exportsPath, { method: "POST", body: input });
    return parseWith(() => parseTuningExport(body), `POST ${exportsPath}`, exportsPath, "an export");
  },
  async downloadTuningFile(exportId, file) {
    const path = tuningFilePath(exportId, file);
    const response = await asSignedIn(path, (token) =>
      sendPlatformRequest(path, { token, accept: "application/jsonl" }),
    );
    return response.blob();
  },
  async listFineTuneJobs(signal) {
    const body = await requestAsSignedIn(jobsPath, { signal });
    return parseWith(
      () => list(body, "jobs").map((v, i) => within(`jobs[${i}]`, () => parseJob(v))),
      `GET ${jobsPath}`,
      jobsPath,
      "a list of fine-tuning jobs",
    );
  },
  async listTunedModels(signal) {
    const body = await requestAsSignedIn(modelsPath, { signal });
    return parseWith(
      () =>
        list(body, "models").map((v, i) =>
          within(`models[${i}]`, () => {
            const m = record(v, "model");
            return {
              id: field(m, "id", isString),
              name: field(m, "name", isString),
              baseModel: field(m, "baseModel", isString),
              createdAt: field(m, "createdAt", isInstant),
            };
          }),
        ),
      `GET ${modelsPath}`,
      modelsPath,
      "a list of tuned models",
    );
  },
  async createFineTuneJob(input) {
    const body = await requestAsSignedIn(jobsPath, { method: "POST", body: input });
    return parseWith(() => parseJob(body), `POST ${jobsPath}`, jobsPath, "a fine-tuning job");
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

/** Counts by name (`{ email: 3, phone: 1 }`); absent is none. */
function counts(value: unknown): Record<string, number> {
  const r = record(value ?? {}, "counts");
  const parsed: Record<string, number> = {};
  for (const [key, n] of Object.entries(r)) {
    if (!isCount(n)) throw new ShapeError(key);
    parsed[key] = n;
  }
  return parsed;
}

function parseIssue(value: unknown): ValidationIssue {
  const i = record(value, "issue");
  return {
    line: field(i, "line", isCount),
    code: field(i, "code", isString),
    message: field(i, "message", isString),
  };
}

function parseReport(value: unknown): ValidationReport {
  const r = record(value, "report");
  return {
    valid: field(r, "valid", isBoolean),
    examples: field(r, "examples", isCount),
    errors: field(r, "errors", Array.isArray).map((v, i) => within(`errors[${i}]`, () => parseIssue(v))),
    warnings: field(r, "warnings", Array.isArray).map((v, i) =>
      within(`warnings[${i}]`, () => parseIssue(v)),
    ),
    errorCount: field(r, "errorCount", isCount),
    warningCount: field(r, "warningCount", isCount),
  };
}

export function parseTuningExport(value: unknown): TuningExport {
  const e = record(value, "export");
  return {
    id: field(e, "id", isString),
    agentId: optional(e, "agentId", isString, null),
    validationShare: field(e, "validationShare", isNumber),
    counts: nested(e, "counts", (c) => ({
      examples: field(c, "examples", isCount),
      train: field(c, "train", isCount),
      validation: field(c, "validation", isCount),
      conversations: field(c, "conversations", isCount),
      fromRatings: field(c, "fromRatings", isCount),
      fromAnnotations: field(c, "fromAnnotations", isCount),
    })),
    excluded: within("excluded", () => counts(e.excluded)),
    redactions: within("redactions", () => counts(e.redactions)),
    tokens: nested(e, "tokens", (tokens) => ({
      method: field(tokens, "method", isString),
      train: field(tokens, "train", isCount),
      validation: field(tokens, "validation", isCount),
    })),
    cost: nested(e, "cost", (cost) => ({
      pricesAsOf: field(cost, "pricesAsOf", isString),
      source: field(cost, "source", isString),
      suggestedEpochs: field(cost, "suggestedEpochs", isCount),
      models: field(cost, "models", Array.isArray).map((m, i) =>
        within(`models[${i}]`, () => {
          const x = record(m, "model");
          return {
            model: field(x, "model", isString),
            usdPerMillionTrainingTokens: field(x, "usdPerMillionTrainingTokens", isNumber),
            tokensPerEpoch: field(x, "tokensPerEpoch", isCount),
            usdPerEpoch: field(x, "usdPerEpoch", isNumber),
          };
        }),
      ),
      note: optional(cost, "note", isString, ""),
    })),
    validation: nested(e, "validation", (validation) => ({
      train: within("train", () => parseReport(validation.train)),
      validation: within("validation", () => parseReport(validation.validation)),
    })),
    notes: optional(e, "notes", Array.isArray, []).map((n, i) => {
      if (!isString(n)) throw new ShapeError(`notes[${i}]`);
      return n;
    }),
    createdAt: field(e, "createdAt", isInstant),
  };
}

export function parseJob(value: unknown): FineTuneJob {
  const j = record(value, "job");
  const error = j.error === null || j.error === undefined ? null : record(j.error, "error");
  return {
    id: field(j, "id", isString),
    exportId: field(j, "exportId", isString),
    baseModel: field(j, "baseModel", isString),
    status: field(j, "status", isString),
    fineTunedModel: optional(j, "fineTunedModel", isNullableString, null),
    trainedTokens: optional(j, "trainedTokens", isCount, null),
    error: error && { code: field(error, "code", isString), message: field(error, "message", isString) },
    createdAt: field(j, "createdAt", isInstant),
    updatedAt: field(j, "updatedAt", isInstant),
    follow: j.follow === undefined || j.follow === null ? null : nested(j, "follow", parseFollow),
  };
}

function parseFollow(f: Record<string, unknown>): FineTuneJobFollow {
  const reason = f.reason === null || f.reason === undefined ? null : record(f.reason, "reason");
  return {
    followed: field(f, "followed", isBoolean),
    reason: reason && {
      code: within("reason", () => field(reason, "code", isString)),
      message: within("reason", () => field(reason, "message", isString)),
    },
    lastCheckedAt: optional(f, "lastCheckedAt", isNullableInstant, null),
    nextCheckAt: optional(f, "nextCheckAt", isNullableInstant, null),
    lastError: optional(f, "lastError", isNullableString, null),
  };
}
