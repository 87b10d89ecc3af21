/**
 * Agent Tuning (`/v1/tuning/...`): training data exported as OpenAI fine-tuning JSONL (chat format) from answers
 * rated thumbs-up and editors' corrections, personal data redacted, split by conversation into training and
 * validation, with token counts, a cost estimate and the format validator's report; and fine-tuning jobs, which
 * need an OpenAI-compatible provider (without one the platform refuses with `failed-precondition` and says which
 * settings it needs). The shapes the platform answers (functions/src/tuning/schema.ts) and the data layer's
 * section.
 */

export interface TuningExportInput {
  readonly agentId?: string;
  /** Answers given in [from, to). */
  readonly from?: string;
  readonly to?: string;
  /** Leave out rated answers below this confidence (corrections are always kept). */
  readonly minConfidence?: number;
  /** Share of conversations held out for validation, 0..0.5. */
  readonly validationShare: number;
  readonly include: { readonly rated: boolean; readonly annotations: boolean };
}

export interface ValidationIssue {
  /** 1-based line of the file; 0 for the file as a whole. */
  readonly line: number;
  readonly code: string;
  readonly message: string;
}

export interface ValidationReport {
  readonly valid: boolean;
  readonly examples: number;
  /** The first problems found; the counts cover them all. */
  readonly errors: readonly ValidationIssue[];
  readonly warnings: readonly ValidationIssue[];
  readonly errorCount: number;
  readonly warningCount: number;
}

export interface ModelCost {
  readonly model: string;
  readonly usdPerMillionTrainingTokens: number;
  readonly tokensPerEpoch: number;
  readonly usdPerEpoch: number;
}

export interface TuningExport {
  readonly id: string;
  readonly agentId: string | null;
  readonly validationShare: number;
  readonly counts: {
    readonly examples: number;
    readonly train: number;
    readonly validation: number;
    readonly conversations: number;
    readonly fromRatings: number;
    readonly fromAnnotations: number;
  };
  /** Candidates left out, by reason. */
  readonly excluded: Readonly<Record<string, number>>;
  /** Personal data replaced, by kind (`email`, `phone`, …). */
  readonly redactions: Readonly<Record<string, number>>;
  readonly tokens: { readonly method: string; readonly train: number; readonly validation: number };
  readonly cost: {
    readonly pricesAsOf: string;
    readonly source: string;
    readonly suggestedEpochs: number;
    readonly models: readonly ModelCost[];
    readonly note: string;
  };
  readonly validation: { readonly train: ValidationReport; readonly validation: ValidationReport };
  /** Plain-language remarks (few examples, an empty validation file…). */
  readonly notes: readonly string[];
  readonly createdAt: string;
}

export const tuningFiles = ["train", "validation", "manifest"] as const;
export type TuningFile = (typeof tuningFiles)[number];

export interface FineTuneJob {
  readonly id: string;
  readonly exportId: string;
  readonly baseModel: string;
  readonly status: string;
  readonly fineTunedModel: string | null;
  readonly trainedTokens: number | null;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** How the platform follows the job in the background; null for jobs created before it did. */
  readonly follow: FineTuneJobFollow | null;
}

export interface FineTuneJobFollow {
  readonly followed: boolean;
  /** Why it is no longer followed (`finished`, `limit`, `no-provider`, `not-queued`), in words to show. */
  readonly reason: { readonly code: string; readonly message: string } | null;
  /** When a background check last asked the provider, and when the next one is due. */
  readonly lastCheckedAt: string | null;
  readonly nextCheckAt: string | null;
  /** Why the last check got no answer. */
  readonly lastError: string | null;
}

/** A model a fine-tuning job produced: an agent's or an experiment variant's model may name it. */
export interface TunedModel {
  readonly id: string;
  /** The provider's model name (`ft:gpt-4o-mini-2024-07-18:org::abc123`). */
  readonly name: string;
  readonly baseModel: string;
  readonly createdAt: string;
}

export interface FineTuneJobInput {
  readonly exportId: string;
  /** The provider's name of the model to fine-tune (`gpt-4o-mini-2024-07-18`). */
  readonly baseModel: string;
  readonly suffix?: string;
}

/** Everything needs `agents.manage` (editors and up): exports hold end users' words. */
export interface TuningSource {
  /** Newest first (at most 50). */
  listTuningExports(signal: AbortSignal): Promise<TuningExport[]>;
  createTuningExport(input: TuningExportInput): Promise<TuningExport>;
  /** One of the export's JSONL files, to save. */
  downloadTuningFile(exportId: string, file: TuningFile): Promise<Blob>;
  /** Newest first. */
  listFineTuneJobs(signal: AbortSignal): Promise<FineTuneJob[]>;
  /** Refused with `failed-precondition` (and the settings it needs) when no provider is configured. */
  createFineTuneJob(input: FineTuneJobInput): Promise<FineTuneJob>;
  /** The models this workspace's jobs produced, newest first. */
  listTunedModels(signal: AbortSignal): Promise<TunedModel[]>;
}

/** A base model OpenAI fine-tunes, offered first in the form (any name the provider knows may be typed). */
export const suggestedBaseModel = "gpt-4o-mini-2024-07-18";
