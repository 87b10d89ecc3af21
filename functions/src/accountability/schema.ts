/** eA³ records: citations on messages and the immutable decision trace of each turn. */
import { z } from "zod";
import { chunkLocationSchema } from "../knowledge/schema.js";
import { checkId, tenantPath } from "../platform/caller.js";

export const citationSchema = z.object({
  /** The marker the answer used, e.g. "1" for [1]. */
  ref: z.string(),
  kbId: z.string(),
  docId: z.string(),
  docName: z.string(),
  chunkId: z.string(),
  /** The exact sentence of the source that supports the cited claim (a substring of the chunk text). */
  quote: z.string(),
  /**
   * The sentence of the answer this citation supports: every sentence has its own citation and quote, so one
   * passage cited by two sentences appears twice. Absent on answers recorded before 2026-12.
   */
  claim: z.string().optional(),
  location: chunkLocationSchema,
  score: z.number(),
  /** A memory cited as `[M1]` (narrative/): which one. Its kbId is "" and its docId `memory:{memoryId}`. */
  memoryId: z.string().optional(),
});
export type Citation = z.infer<typeof citationSchema>;

export const claimCheckSchema = z.object({
  sentence: z.string(),
  refs: z.array(z.string()),
  /** Share of the sentence's terms found in its best supporting source sentence (0..1). */
  support: z.number(),
  /** injection-removed: the sentence cited, repeated or was itself instruction-like excluded text. */
  verdict: z.enum(["supported", "unsupported-removed", "injection-removed"]),
  /** Why a sentence sharing enough words with its source was still removed (entailment.ts). */
  reason: z.string().optional(),
});
export type ClaimCheck = z.infer<typeof claimCheckSchema>;

export const confidenceSchema = z.object({
  value: z.number().min(0).max(1),
  retrieval: z.number(),
  coverage: z.number(),
  support: z.number(),
  /** Share of the question's weight in terms the knowledge bases never mention. */
  unknown: z.number().default(0),
  /** Share of the question's weight the answer's own sentences state (absent before 2026-12). */
  answerCoverage: z.number().optional(),
  /** 1 when the answer holds the kind of answer the question asks for (a number, a command, a name). */
  typeMatch: z.number().optional(),
  /** 1 / the rank of the best-ranked passage the answer cites (1 when it cites the top passage). */
  topCited: z.number().optional(),
  threshold: z.number(),
});
export type Confidence = z.infer<typeof confidenceSchema>;

const usageSchema = z.object({ inputTokens: z.number(), outputTokens: z.number() });

/** One retrieved passage as the trace keeps it: enough to see why it was (or was not) chosen. */
const candidateSchema = z.object({
  ref: z.string(),
  /** Which query found it (index into `retrieval.queries`); tool searches record their call instead. */
  query: z.number().int().nullable(),
  kbId: z.string(),
  chunkId: z.string(),
  docId: z.string(),
  docName: z.string(),
  /** Headings above the passage, outermost first (absent on older traces). */
  headingPath: z.array(z.string()).optional(),
  score: z.number(),
  vectorScore: z.number().nullable(),
  keywordScore: z.number().nullable(),
  /** The cross-encoder's 0..1 relevance, when one reordered the passages. */
  rerankScore: z.number().optional(),
  /** Instruction-like text found in the passage (signal names, see accountability/injection.ts). */
  injectionSignals: z.array(z.string()),
  /** Flagged, so withheld from the model and never quoted (older traces: flagged passages were shown as data). */
  excluded: z.boolean().default(false),
});

/**
 * Long-term memory in a turn (narrative/): what was recalled and shown to the model (`used`, with whether the
 * answer cited it), what the turn learned or replaced (`written`), how many memories a "forget that" deleted,
 * and contradictions with what the agent told the same end user before. Absent when the agent's memory is off
 * or the conversation names no end user.
 */
export const traceMemorySchema = z.object({
  scope: z.string(),
  recalled: z.number().int(),
  used: z.array(
    z.object({
      ref: z.string(),
      memoryId: z.string(),
      kind: z.string(),
      key: z.string().nullable(),
      text: z.string(),
      score: z.number(),
      cited: z.boolean(),
    }),
  ),
  written: z.array(
    z.object({
      memoryId: z.string(),
      kind: z.string(),
      key: z.string().nullable(),
      supersedes: z.string().nullable(),
      method: z.string(),
    }),
  ),
  forgotten: z.number().int(),
  contradictions: z.array(
    z.object({
      statementId: z.string(),
      earlier: z.string(),
      earlierAt: z.string(),
      now: z.string(),
      reason: z.string(),
      flagId: z.string(),
    }),
  ),
});
export type TraceMemory = z.infer<typeof traceMemorySchema>;

export const toolRunSchema = z.object({
  step: z.number().int(),
  id: z.string(),
  name: z.string(),
  arguments: z.string(),
  /**
   * `awaiting-confirmation`: a write shown to the end user to confirm, not run; `cancelled`: a write the end
   * user declined, never run.
   */
  status: z.enum(["ok", "error", "awaiting-confirmation", "cancelled"]),
  output: z.string(),
  error: z.string().nullable(),
  durationMs: z.number(),
  refs: z.array(z.string()),
  /**
   * For a write: the confirmation it waits for (`id`, `expiresAt`), or, in the turn after the end user decided,
   * the decision it was run (or cancelled) on, who made it and when, and the trace of the turn that asked.
   */
  confirmation: z
    .object({
      id: z.string(),
      expiresAt: z.string(),
      decision: z.enum(["confirmed", "cancelled"]).optional(),
      decidedBy: z.string().optional(),
      decidedAt: z.string().optional(),
      requestTraceId: z.string().optional(),
    })
    .optional(),
  /** For a Tool Forge tool: the HTTP request it sent, secrets masked. */
  request: z
    .object({
      method: z.string(),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
      body: z.string().nullable(),
    })
    .optional(),
  /**
   * Set when the injection screen stopped the call or its output: "refused" (the arguments carried
   * content found only in excluded text; the call never ran) or "withheld" (its output was instruction-like).
   */
  screened: z
    .object({
      action: z.enum(["refused", "withheld"]),
      reason: z.string(),
      signals: z.array(z.string()),
      carried: z.array(
        z.object({
          kind: z.enum(["email", "url", "number", "phrase"]),
          value: z.string(),
          sources: z.array(z.string()),
        }),
      ),
    })
    .optional(),
});

/**
 * Everything that decided one turn, written once with the turn's messages (or alone, when the turn
 * failed) and never changed. Personal data is redacted when the agent's guardrails say so.
 */
export const traceSchema = z.object({
  conversationId: z.string(),
  /** The answer's message id; null when the turn failed and no message was written. */
  messageId: z.string().nullable(),
  agentId: z.string(),
  agentVersion: z.union([z.literal("draft"), z.number().int()]),
  /** The prompt that was used: the agent version's instructions, identified by a hash of their text. */
  prompt: z.object({
    instructionsSha256: z.string(),
    instructionsChars: z.number().int(),
    /** Instructions the API caller added under the agent's own (system/developer messages), when any. */
    callerInstructionsSha256: z.string().optional(),
    callerInstructionsChars: z.number().int().optional(),
    /**
     * When the instructions were rendered from a Prompt Engine template (prompts/): which template, the version
     * rendered, and the label the agent follows (null when it names a version).
     */
    templateId: z.string().optional(),
    version: z.number().int().optional(),
    label: z.string().nullable().optional(),
  }),
  channel: z.string(),
  requestId: z.string().nullable(),
  status: z.enum(["answered", "abstained", "declined", "failed"]),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  question: z.string(),
  model: z.object({
    provider: z.string(),
    model: z.string(),
    label: z.string(),
    temperature: z.number().nullable(),
    maxOutputTokens: z.number().nullable(),
    /** Settings of the agent version brought within the operator's caps for this turn (agents.ts). */
    clamped: z.array(z.string()).default([]),
  }),
  embedder: z.object({
    provider: z.string(),
    model: z.string(),
    version: z.string(),
    dimensions: z.number(),
  }),
  /** The cross-encoder that reordered the passages, when the instance has one (absent on older traces). */
  reranker: z.object({ provider: z.string(), model: z.string() }).nullable().optional(),
  guardrails: z.object({
    blockedTopic: z.string().nullable(),
    piiRedacted: z.array(z.string()),
    injectionFlagged: z.number().int(),
    /** Tool calls refused because their arguments carried content from excluded text. */
    toolCallsRefused: z.number().int().default(0),
  }),
  context: z.object({
    verbatimMessages: z.number().int(),
    summarizedMessages: z.number().int(),
    droppedForBudget: z.number().int(),
    estimatedTokens: z.number().int(),
    budgetTokens: z.number().int(),
  }),
  retrieval: z.object({
    queries: z.array(z.object({ text: z.string(), reason: z.string() })),
    knowledgeBaseIds: z.array(z.string()),
    candidates: z.array(candidateSchema),
  }),
  generation: z.object({
    /** Model calls made (one, plus one per tool-calling round). */
    steps: z.number().int(),
    rawContent: z.string(),
    finishReason: z.string(),
    usage: usageSchema,
  }),
  toolCalls: z.array(toolRunSchema),
  checks: z.array(claimCheckSchema),
  /** The evidence chosen: the passages the answer cites, with the quotes that support it. */
  citations: z.array(citationSchema).default([]),
  confidence: confidenceSchema.nullable(),
  abstained: z.boolean(),
  explanation: z.string(),
  timingsMs: z.object({
    guardrails: z.number(),
    retrieval: z.number(),
    context: z.number(),
    generation: z.number(),
    tools: z.number(),
    checks: z.number(),
    total: z.number(),
  }),
  createdAt: z.string(),
  /** A monitor probe's canary turn: kept like any trace, never billed nor counted in analytics. */
  synthetic: z.boolean().optional(),
  /**
   * A Sandbox turn (an eval run, a replay, a simulation): billed as sandbox usage, left out of analytics, the
   * monitor's figures and the knowledge gaps.
   */
  sandbox: z.literal(true).optional(),
  /** The experiment whose variant served this turn (prompts/experiments.ts), when one ran on the agent. */
  experiment: z.object({ id: z.string(), variant: z.string() }).optional(),
  /**
   * The answer was an editor's correction served for a near-identical question (accountability/annotations.ts):
   * which annotation (its id is the corrected answer's trace id), how similar the questions were (Jaccard index
   * of their words), and who wrote the correction and when. No passage was searched and no model was called.
   */
  memory: traceMemorySchema.optional(),
  annotationReply: z
    .object({
      annotationId: z.string(),
      similarity: z.number().min(0).max(1),
      annotatedBy: z.string(),
      annotatedAt: z.string(),
    })
    .optional(),
});
export type Trace = z.infer<typeof traceSchema>;

export const tracesPath = (tenantId: string): string => `${tenantPath(tenantId)}/traces`;
export const tracePath = (tenantId: string, traceId: string): string =>
  `${tracesPath(tenantId)}/${checkId(traceId, "trace id")}`;
