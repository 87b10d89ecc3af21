/**
 * The Sandbox's evaluation documents: their zod schemas, limits and path helpers, in one place.
 *
 * ```
 * tenants/{t}/evalDatasets/{datasetId}                 name, description, itemCount, revision
 * tenants/{t}/evalDatasets/{datasetId}/items/{itemId}  a question (or a multi-turn script) and what a good answer holds
 * tenants/{t}/evalRuns/{runId}                         a dataset run against an agent version or the draft
 * tenants/{t}/evalRuns/{runId}/results/{itemId}        one item's answer and score, keyed by the item
 * ```
 * Replays and simulations keep their own documents (replay.ts, simulations.ts).
 */
import { z } from "zod";
import { checkId, tenantPath } from "../platform/caller.js";
import { agentConfigSchema } from "../agents/schema.js";
import { maxMessageChars } from "../agents/turn.js";
import { idPattern } from "../platform/ids.js";

// ---------------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------------

export const evalLimits = {
  datasetsPerWorkspace: 500,
  itemsPerDataset: 2_000,
  /** A question, or one message of a script: what a conversation turn accepts. */
  questionChars: maxMessageChars,
  turnsPerScript: 20,
  facts: 20,
  factChars: 500,
  referenceChars: 8_000,
  sources: 20,
  sourceChars: 300,
  tags: 20,
  tagChars: 60,
  /** A CSV or JSONL upload, as text. */
  uploadBytes: 5 * 1024 * 1024,
  /** Per-line errors an upload reports (the count says how many there were in all). */
  uploadErrors: 100,
  /** Runs queued or running at once in one workspace. */
  activeRuns: 5,
} as const;

const count = z.number().int().min(0);

// ---------------------------------------------------------------------------------------------------
// Datasets and items
// ---------------------------------------------------------------------------------------------------

export const datasetSchema = z.object({
  name: z.string(),
  description: z.string().default(""),
  /** Items that are part of the dataset (an import's items count once it commits). */
  itemCount: count.default(0),
  /** Grows with every change to the items: a run records the revision it ran, a gate reuses runs of it. */
  revision: count.default(0),
  /** The next item's `seq` (items keep the order they were added in). */
  nextSeq: count.default(0),
  /**
   * Imports still being written (more items than one atomic batch holds): their items are not part of the
   * dataset until the import commits, and are removed if it never does.
   */
  pendingImports: z.array(z.object({ id: z.string(), startedAt: z.string() })).default([]),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Dataset = z.infer<typeof datasetSchema>;

export const itemOrigins = ["manual", "upload", "trace", "conversation", "annotation"] as const;

/** What a good answer holds; a run copies it into each result, so later edits never change a past run. */
export const itemContentSchema = z.object({
  /** A single question; null when `turns` scripts a conversation. */
  question: z.string().nullable(),
  /** A multi-turn script: every message is sent, the last answer is scored. Null for a single question. */
  turns: z.array(z.string()).nullable(),
  /** Strings the answer must contain, all of them (case and spacing ignored). */
  expectedFacts: z.array(z.string()),
  /** Used when there are no expected facts: the answer must overlap it (token F1, see scoring.ts). */
  referenceAnswer: z.string().nullable(),
  /** Document names or ids the answer should cite (citation precision checks them). */
  expectedSources: z.array(z.string()),
  /** The agent should abstain (the knowledge does not hold the answer). */
  shouldAbstain: z.boolean(),
  tags: z.array(z.string()),
});
export type ItemContent = z.infer<typeof itemContentSchema>;

export const itemSchema = itemContentSchema.extend({
  seq: count,
  origin: z.object({
    kind: z.enum(itemOrigins),
    traceId: z.string().nullable().default(null),
    conversationId: z.string().nullable().default(null),
  }),
  /** The upload that wrote it, while that upload is being committed (see `Dataset.pendingImports`). */
  importId: z.string().nullable().default(null),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Item = z.infer<typeof itemSchema>;

/** The messages an item sends: its script, or its one question. */
export const scriptOf = (item: Pick<ItemContent, "question" | "turns">): string[] =>
  item.turns ?? (item.question === null ? [] : [item.question]);

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} must be text` })
    .trim()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} is at most ${max.toLocaleString("en")} characters`);

const list = (field: string, itemField: string, max: number, itemMax: number) =>
  z
    .array(text(itemField, itemMax), { error: `${field} must be a list of texts` })
    .max(max, `${field} holds at most ${max} entries`);

/**
 * An item as the API, CSV and JSONL uploads give it: exactly one of `question` or `turns`, and something to
 * score the answer against (expected facts, a reference answer, or `shouldAbstain`).
 */
export const itemInputSchema = z
  .object({
    question: text("question", evalLimits.questionChars).optional(),
    turns: z
      .array(text("a turn", evalLimits.questionChars), { error: "turns must be a list of messages" })
      .min(1, "turns must hold at least one message")
      .max(evalLimits.turnsPerScript, `turns holds at most ${evalLimits.turnsPerScript} messages`)
      .optional(),
    expectedFacts: list("expectedFacts", "an expected fact", evalLimits.facts, evalLimits.factChars).default(
      [],
    ),
    referenceAnswer: z
      .string({ error: "referenceAnswer must be text or null" })
      .trim()
      .max(evalLimits.referenceChars, `referenceAnswer is at most ${evalLimits.referenceChars} characters`)
      .nullable()
      .default(null)
      .transform((v) => (v === "" ? null : v)),
    expectedSources: list(
      "expectedSources",
      "an expected source",
      evalLimits.sources,
      evalLimits.sourceChars,
    ).default([]),
    shouldAbstain: z.boolean({ error: "shouldAbstain must be true or false" }).default(false),
    tags: list("tags", "a tag", evalLimits.tags, evalLimits.tagChars).default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.question === undefined) === (v.turns === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["question"],
        message: "give either a question or turns (a multi-turn script), not both and not neither",
      });
    }
    if (v.expectedFacts.length === 0 && v.referenceAnswer === null && !v.shouldAbstain) {
      ctx.addIssue({
        code: "custom",
        path: ["expectedFacts"],
        message: "give expectedFacts, a referenceAnswer or shouldAbstain: true, so the answer can be scored",
      });
    }
  });
export type ItemInput = z.input<typeof itemInputSchema>;

/** The stored content of a valid input. */
export function contentOf(input: z.output<typeof itemInputSchema>): ItemContent {
  return {
    question: input.question ?? null,
    turns: input.turns ?? null,
    expectedFacts: input.expectedFacts,
    referenceAnswer: input.referenceAnswer,
    expectedSources: input.expectedSources,
    shouldAbstain: input.shouldAbstain,
    tags: input.tags,
  };
}

// ---------------------------------------------------------------------------------------------------
// Runs and results
// ---------------------------------------------------------------------------------------------------

export const runStatuses = ["queued", "running", "completed", "failed", "cancelled"] as const;
export type RunStatus = (typeof runStatuses)[number];
export const activeStatuses: readonly RunStatus[] = ["queued", "running"];

export const runTargetSchema = z
  .object({
    agentId: z.string().regex(idPattern, "must be an agent id"),
    /** A published version's number, or the draft. */
    version: z.union([z.literal("draft"), z.number().int().min(1)], {
      error: 'must be a version number (1 or more) or "draft"',
    }),
  })
  .strict();
export type RunTarget = z.infer<typeof runTargetSchema>;

const errorSchema = z.object({ code: z.string(), message: z.string() });

/** One bin of the calibration table: answers whose confidence fell in [lower, upper). */
export const calibrationBinSchema = z.object({
  lower: z.number(),
  upper: z.number(),
  count: count,
  /** Share of them that were correct. */
  accuracy: z.number().nullable(),
  /** Their mean confidence. */
  confidence: z.number().nullable(),
});

/** A run's overall scores (scoring.ts says how each is computed). */
export const runScoresSchema = z.object({
  items: count,
  /** Items whose turn failed (a model timeout): scored incorrect, left out of the other figures. */
  errors: count,
  correct: count,
  accuracy: z.number().nullable(),
  citations: count,
  preciseCitations: count,
  citationPrecision: z.number().nullable(),
  abstention: z.object({
    truePositives: count,
    falsePositives: count,
    falseNegatives: count,
    precision: z.number().nullable(),
    recall: z.number().nullable(),
  }),
  /** Expected calibration error over answered items, 10 equal-width bins; lower is better. */
  ece: z.number().nullable(),
  calibration: z.array(calibrationBinSchema),
  latencyMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable() }),
  tokens: z.object({ input: count, output: count }),
  /** What the run's turns cost, priced with billing's catalog; micros of `currency`. */
  costMicros: count,
  currency: z.string(),
  /** `rules`: scored by the documented rules alone; `llm`: a configured model also judged the answers. */
  judge: z.enum(["rules", "llm"]),
  /** The LLM judge's mean score (0..1) over the items it judged, when it ran. */
  judgeScore: z.number().nullable().default(null),
});
export type RunScores = z.infer<typeof runScoresSchema>;

export const runSchema = z.object({
  datasetId: z.string(),
  datasetName: z.string(),
  /** The dataset revision the items were taken from; null until the run has taken them. */
  datasetRevision: z.number().int().nullable(),
  target: runTargetSchema,
  /** For a run of the draft: the agent's `updatedAt` when it started (a later edit is another draft). */
  draftOf: z.string().nullable(),
  /**
   * For a run of the draft: the draft as it was when the run started (`draftSnapshot`), which every item
   * answers with. Null on runs of a version, and on runs stored before snapshots (they ran the live draft).
   */
  draft: agentConfigSchema.nullable().default(null),
  /**
   * The fingerprint of the target's knowledge when the run started (`knowledgeFingerprint`): a run is reused
   * only under the same documents. Null on runs stored before it.
   */
  knowledge: z.string().nullable().default(null),
  status: z.enum(runStatuses),
  progress: z.object({ done: count, total: count, errors: count }),
  scores: runScoresSchema.nullable(),
  /** Why the run failed (or what stopped it); null otherwise. */
  error: errorSchema.nullable(),
  /** Started through the API (or the CLI), or by a publish gate. */
  origin: z.enum(["api", "gate"]),
  idempotencyKey: z.string().nullable(),
  /** Completed runs of the same dataset revision and target share it: a publish gate may reuse them. */
  reuseKey: z.string(),
  /** The task execution working on the run, and until when (a crashed one's lease runs out). */
  lease: z.object({ holder: z.string(), until: z.string() }).nullable(),
  /** The items have been copied into pending results. */
  prepared: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  updatedAt: z.string(),
  cancelledBy: z.string().nullable(),
});
export type Run = z.infer<typeof runSchema>;

/** A citation of the scored answer, with what the trace's claim-support check said of it. */
export const resultCitationSchema = z.object({
  ref: z.string(),
  docId: z.string(),
  docName: z.string(),
  claim: z.string().nullable(),
  quote: z.string(),
  /** The passage supports the cited sentence, per the trace's check. */
  supported: z.boolean(),
});
export type ResultCitation = z.infer<typeof resultCitationSchema>;

export const itemScoreSchema = z.object({
  correct: z.boolean(),
  /** What decided it: the expected facts, the reference answer, the expected abstention, or a failed turn. */
  method: z.enum(["facts", "reference", "abstention", "error"]),
  missingFacts: z.array(z.string()),
  /** Token F1 against the reference answer, when that decided. */
  f1: z.number().nullable(),
  citations: count,
  preciseCitations: count,
  reason: z.string(),
});
export type ItemScore = z.infer<typeof itemScoreSchema>;

/** The LLM judge's verdict on one answer (sandbox/judge.ts), when a model judged it. */
export const resultJudgementSchema = z.object({
  verdict: z.string(),
  score: z.number().nullable(),
  rationale: z.string(),
  model: z.string(),
});

export const resultSchema = z.object({
  seq: count,
  item: itemContentSchema,
  status: z.enum(["pending", "done"]),
  /** The scored (last) answer; null while pending or when the turn failed. */
  answer: z.string().nullable(),
  abstained: z.boolean(),
  confidence: z.number().nullable(),
  /** The scored turn's trace, and every turn's (a script has several). */
  traceId: z.string().nullable(),
  traceIds: z.array(z.string()),
  conversationId: z.string().nullable(),
  citations: z.array(resultCitationSchema),
  /** The scored turn, as the run measured it (the call, the writes included). */
  latencyMs: z.number().nullable(),
  tokens: z.object({ input: count, output: count }),
  costMicros: count,
  score: itemScoreSchema.nullable(),
  judgement: resultJudgementSchema.nullable().default(null),
  /**
   * The annotation that answered the scored turn (an annotation reply), if one did: a run answers as production
   * would, so an item near-identical to an annotated question scores the editor's correction, and says so.
   */
  annotationId: z.string().nullable().default(null),
  error: errorSchema.nullable(),
  finishedAt: z.string().nullable(),
});
export type Result = z.infer<typeof resultSchema>;

// ---------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------

export const datasetsPath = (tenantId: string): string => `${tenantPath(tenantId)}/evalDatasets`;
export const datasetPath = (tenantId: string, datasetId: string): string =>
  `${datasetsPath(tenantId)}/${checkId(datasetId, "dataset id")}`;
export const itemsPath = (tenantId: string, datasetId: string): string =>
  `${datasetPath(tenantId, datasetId)}/items`;
export const itemPath = (tenantId: string, datasetId: string, itemId: string): string =>
  `${itemsPath(tenantId, datasetId)}/${checkId(itemId, "item id")}`;
export const runsPath = (tenantId: string): string => `${tenantPath(tenantId)}/evalRuns`;
export const runPath = (tenantId: string, runId: string): string =>
  `${runsPath(tenantId)}/${checkId(runId, "run id")}`;
export const resultsPath = (tenantId: string, runId: string): string => `${runPath(tenantId, runId)}/results`;
export const resultPath = (tenantId: string, runId: string, itemId: string): string =>
  `${resultsPath(tenantId, runId)}/${checkId(itemId, "item id")}`;
