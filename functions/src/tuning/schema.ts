/**
 * Agent Tuning's collections (schemas + paths): training-data exports, fine-tuning jobs and the models they
 * produced. Annotations are the Tuning service's too, but their schema lives in accountability/annotations.ts,
 * because the Agent Engine reads them during a turn.
 *
 * `tenants/{t}/tuningExports/{id}`   one export: what went in, counts, tokens, cost estimate, validation report,
 *                                     and where its files are (`tenants/{t}/tuningExports/{id}/*.jsonl` in the
 *                                     blob store, readable only through the API)
 * `tenants/{t}/tuningExportConversations/{exportId}-{hash}`
 *                                     one per (export, conversation it holds examples of): how erasure and retention
 *                                     find the exports to rewrite without reading every export's manifest
 * `tenants/{t}/tuningJobs/{id}`      a fine-tuning job at an OpenAI-compatible provider, as last seen
 * `tenants/{t}/tunedModels/{id}`     a model a job produced (id = the job's): its schema is prompts/tuned-models.ts
 */
import { createHash } from "node:crypto";
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

/** A job created from the export before examples were withdrawn, and what became of its copy at the provider. */
export const withdrawnJobSchema = z.object({
  jobId: z.string(),
  /**
   * `deleted`: the files uploaded for it were deleted at the provider; `kept`: they are still there (`reason`
   * says why). Either way a model it trained keeps what it learned from them.
   */
  providerFiles: z.enum(["deleted", "kept"]),
  reason: z.string().nullable(),
});
export type WithdrawnJob = z.infer<typeof withdrawnJobSchema>;

/** Examples taken out of an export after it was made, because their conversations were deleted. */
export const withdrawalSchema = z.object({
  examples: z.number().int(),
  conversations: z.number().int(),
  /** When examples were last withdrawn. */
  lastAt: z.string(),
  jobs: z.array(withdrawnJobSchema),
});
export type Withdrawal = z.infer<typeof withdrawalSchema>;

/** One line of an export's manifest: where an example is (file and 1-based line) and where it came from. */
export const manifestEntrySchema = z.object({
  file: z.enum(["train", "validation"]),
  line: z.number().int().min(1),
  conversationId: z.string(),
  messageId: z.string(),
  traceId: z.string(),
  agentId: z.string(),
  agentVersion: z.union([z.number().int(), z.literal("draft")]),
  source: z.enum(["rated", "annotation"]),
  annotationId: z.string().nullable(),
  tokens: z.number().int(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

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
  /** 0 as exported; one more each time its files are rewritten (their paths name the revision). */
  revision: z.number().int().min(0).default(0),
  /**
   * What erasure and retention took out since (privacy/purge.ts): counts, files, tokens, cost and validation
   * above describe what is left. Null when nothing was.
   */
  withdrawn: withdrawalSchema.nullable().default(null),
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

/**
 * How the job is followed in the background (follow.ts): whether it still is, and if not why; when the provider
 * was last asked by a background check and when it will be next. Absent on jobs created before jobs were followed.
 */
export const tuningJobFollowSchema = z.object({
  followed: z.boolean(),
  /** Why it is no longer followed (null while it is). */
  reason: z
    .object({ code: z.enum(["finished", "limit", "no-provider", "not-queued"]), message: z.string() })
    .nullable(),
  /** The number of the next background check (1: the first after the job was created). */
  check: z.number().int().min(1),
  /** When a background check last asked the provider (answered or not). `checkedAt` is the last answer read. */
  lastCheckedAt: z.string().nullable(),
  /** When the next background check is due (null when not followed). */
  nextCheckAt: z.string().nullable(),
  /** Why the last background check got no answer (cleared by the next answer). */
  lastError: z.string().nullable(),
  /** When following began: it stops `followLimitDays` later. */
  since: z.string(),
});
export type TuningJobFollow = z.infer<typeof tuningJobFollowSchema>;

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
  follow: tuningJobFollowSchema.optional(),
});
export type TuningJob = z.infer<typeof tuningJobSchema>;
export type TuningJobView = TuningJob & { readonly id: string };

// ---------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------

export const tuningExportsPath = (tenantId: string): string => `${tenantPath(tenantId)}/tuningExports`;
export const tuningExportPath = (tenantId: string, exportId: string): string =>
  `${tuningExportsPath(tenantId)}/${checkId(exportId, "export id")}`;
/**
 * The blob of one of an export's files; the same prefix as its document, so it is plainly the tenant's. A rewrite
 * (examples withdrawn) writes new files under its own `revision` name and then points the document at them.
 */
export const tuningExportFilePath = (
  tenantId: string,
  exportId: string,
  file: ExportFile,
  revision?: string,
): string =>
  `${tuningExportFilesPrefix(tenantId, exportId)}${file}${revision ? `.${checkId(revision, "revision")}` : ""}.jsonl`;
/** Every file of an export, whatever its revision, is under this prefix. */
export const tuningExportFilesPrefix = (tenantId: string, exportId: string): string =>
  `${tuningExportPath(tenantId, exportId)}/`;

/** One (export, conversation) pair: the export holds `examples` examples from that conversation. */
export const tuningExportConversationSchema = z.object({
  exportId: z.string(),
  conversationId: z.string(),
  examples: z.number().int().min(1),
  createdAt: z.string(),
});
export type TuningExportConversation = z.infer<typeof tuningExportConversationSchema>;

export const tuningExportConversationsPath = (tenantId: string): string =>
  `${tenantPath(tenantId)}/tuningExportConversations`;
/** Keyed by both ids (the conversation's hashed: two ids of up to 128 characters would not fit an id). */
export const tuningExportConversationPath = (
  tenantId: string,
  exportId: string,
  conversationId: string,
): string =>
  `${tuningExportConversationsPath(tenantId)}/${checkId(exportId, "export id")}-${createHash("sha256")
    .update(conversationId, "utf8")
    .digest("hex")
    .slice(0, 32)}`;
export const tuningJobsPath = (tenantId: string): string => `${tenantPath(tenantId)}/tuningJobs`;
export const tuningJobPath = (tenantId: string, jobId: string): string =>
  `${tuningJobsPath(tenantId)}/${checkId(jobId, "job id")}`;
