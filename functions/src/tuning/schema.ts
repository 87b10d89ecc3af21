/**
 * Agent Tuning's collections (schemas + paths): training-data exports, fine-tuning jobs and the models they
 * produced. Annotations are the Tuning service's too, but their schema lives in accountability/annotations.ts,
 * because the Agent Engine reads them during a turn.
 *
 * `tenants/{t}/tuningExports/{id}`   one export: what went in, counts, tokens, cost estimate, validation report,
 *                                     and where its files are (`tenants/{t}/tuningExports/{id}/*.jsonl` in the
 *                                     blob store, readable only through the API)
 * `tenants/{t}/tuningJobs/{id}`      a fine-tuning job at an OpenAI-compatible provider, as last seen
 * `tenants/{t}/tunedModels/{id}`     a model a job produced (id = the job's): its schema is prompts/tuned-models.ts
 */
import { z } from "zod";
import { checkId, tenantPath } from "../platform/caller.js";

// ---------------------------------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------------------------------

export const exportFiles = ["train", "validation", "manifest"] as const;
export type ExportFile = (typeof exportFiles)[number];

/** One problem the validator found, with the 1-based line of the file it is on (0: the file as a whole). */
export const validationIssueSchema = z.object({
  line: z.number().int().min(0),
  code: z.string(),
  message: z.string(),
});
export type ValidationIssue = z.infer<typeof validationIssueSchema>;

export const validationReportSchema = z.object({
  /** No errors (warnings allowed). */
  valid: z.boolean(),
  /** Lines holding an example. */
  examples: z.number().int(),
  /** The first problems found (at most `maxReportedIssues` of each kind); the totals count them all. */
  errors: z.array(validationIssueSchema),
  warnings: z.array(validationIssueSchema),
  errorCount: z.number().int(),
  warningCount: z.number().int(),
});
export type ValidationReport = z.infer<typeof validationReportSchema>;

const exportFileSchema = z.object({
  /** The blob store path (under the tenant). */
  path: z.string(),
  bytes: z.number().int(),
  lines: z.number().int(),
  sha256: z.string(),
});

const tokenStatsSchema = z.object({
  min: z.number().int(),
  max: z.number().int(),
  mean: z.number(),
  p50: z.number().int(),
  p95: z.number().int(),
});

export const modelCostSchema = z.object({
  model: z.string(),
  usdPerMillionTrainingTokens: z.number(),
  /** Longer examples are cut to this length in training (and billed for it only). */
  maxExampleTokens: z.number().int(),
  /** Billed training tokens of one epoch over the training file, and what they cost. */
  tokensPerEpoch: z.number().int(),
  usdPerEpoch: z.number(),
});

export const tuningExportSchema = z.object({
  agentId: z.string().nullable(),
  filters: z.object({
    /** The window [from, to) of when the answers were given. */
    from: z.string().nullable(),
    to: z.string().nullable(),
    /** Rated answers below this confidence were left out (corrections are people's words: never). */
    minConfidence: z.number().nullable(),
    include: z.object({ rated: z.boolean(), annotations: z.boolean() }),
  }),
  validationShare: z.number(),
  seed: z.string(),
  counts: z.object({
    examples: z.number().int(),
    train: z.number().int(),
    validation: z.number().int(),
    conversations: z.number().int(),
    trainConversations: z.number().int(),
    validationConversations: z.number().int(),
    /** Examples whose answer is a rated-up answer as given, and examples whose answer is an editor's correction. */
    fromRatings: z.number().int(),
    fromAnnotations: z.number().int(),
  }),
  /** Candidates left out, by reason (see export.ts `ExclusionReason`). */
  excluded: z.record(z.string(), z.number().int()),
  /** Personal data replaced in the examples, by kind (`email`, `phone`, ...). */
  redactions: z.record(z.string(), z.number().int()),
  tokens: z.object({
    /** How tokens were counted (the tokenizer and the per-message overhead). */
    method: z.string(),
    train: z.number().int(),
    validation: z.number().int(),
    perExample: tokenStatsSchema.nullable(),
  }),
  cost: z.object({
    currency: z.literal("USD"),
    /** When the price table was taken from the provider's published prices. */
    pricesAsOf: z.string(),
    source: z.string(),
    /** The number of epochs OpenAI's documented default heuristic would pick for this many examples. */
    suggestedEpochs: z.number().int(),
    models: z.array(modelCostSchema),
    note: z.string(),
  }),
  validation: z.object({ train: validationReportSchema, validation: validationReportSchema }),
  files: z.object({ train: exportFileSchema, validation: exportFileSchema, manifest: exportFileSchema }),
  /** Plain-language remarks on the result (few examples, an empty validation file...). */
  notes: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type TuningExport = z.infer<typeof tuningExportSchema>;
export type TuningExportView = TuningExport & { readonly id: string };

// ---------------------------------------------------------------------------------------------------
// Fine-tuning jobs and tuned models
// ---------------------------------------------------------------------------------------------------

/** The provider's job states (OpenAI's `fine_tuning.job.status`). */
export const fineTuneJobStatuses = [
  "validating_files",
  "queued",
  "running",
  "succeeded",
  "failed",
  "cancelled",
] as const;
export type FineTuneJobStatus = (typeof fineTuneJobStatuses)[number];
export const finishedJobStatuses: ReadonlySet<FineTuneJobStatus> = new Set([
  "succeeded",
  "failed",
  "cancelled",
]);

export const hyperparametersSchema = z.object({
  nEpochs: z.number().int().min(1).max(50).optional(),
  batchSize: z.number().int().min(1).max(256).optional(),
  learningRateMultiplier: z.number().gt(0).max(10).optional(),
});
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;

export const tuningJobSchema = z.object({
  exportId: z.string(),
  agentId: z.string().nullable(),
  baseModel: z.string(),
  suffix: z.string().nullable(),
  hyperparameters: hyperparametersSchema,
  provider: z.object({
    /** The provider's address as shown to people (no credentials). */
    baseURL: z.string(),
    jobId: z.string(),
    trainingFileId: z.string(),
    validationFileId: z.string().nullable(),
  }),
  status: z.enum(fineTuneJobStatuses),
  fineTunedModel: z.string().nullable(),
  /** Tokens the provider says it trained on (billed), once it knows. */
  trainedTokens: z.number().int().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** The registered model (`tunedModels/{id}`), once the job succeeded. */
  tunedModelId: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** When the provider's status was last read. */
  checkedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type TuningJob = z.infer<typeof tuningJobSchema>;
export type TuningJobView = TuningJob & { readonly id: string };

// ---------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------

export const tuningExportsPath = (tenantId: string): string => `${tenantPath(tenantId)}/tuningExports`;
export const tuningExportPath = (tenantId: string, exportId: string): string =>
  `${tuningExportsPath(tenantId)}/${checkId(exportId, "export id")}`;
/** The blob of one of an export's files; the same prefix as its document, so it is plainly the tenant's. */
export const tuningExportFilePath = (tenantId: string, exportId: string, file: ExportFile): string =>
  `${tuningExportPath(tenantId, exportId)}/${file}.jsonl`;
export const tuningJobsPath = (tenantId: string): string => `${tenantPath(tenantId)}/tuningJobs`;
export const tuningJobPath = (tenantId: string, jobId: string): string =>
  `${tuningJobsPath(tenantId)}/${checkId(jobId, "job id")}`;
