/**
 * Decision traces: recorded as a turn runs, redacted when the agent's guardrails ask for it, written once
 * (with the turn's messages, or alone when the turn failed) and never changed, then read back.
 *
 * The turn tells a recorder what happened, step by step; the recorder builds the whole trace when the
 * turn ends. A turn that fails midway still gets a trace of every step it finished.
 */
import { createHash } from "node:crypto";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { currentRequestId } from "../platform/log.js";
import type { TokenUsage } from "../platform/ports.js";
import type { Assessment, Evidence } from "./assess.js";
import type { ExcludedEvidence } from "./exclusion.js";
import { redactDeep, redactPii } from "./guardrails.js";
import { tracePath, traceSchema, type Trace, type TraceMemory } from "./schema.js";

export async function getTrace(
  deps: Deps,
  tenantId: string,
  traceId: string,
): Promise<Trace & { id: string }> {
  const snap = await deps.store.get(tracePath(tenantId, traceId));
  if (!snap) throw new AppError("not-found", `Trace ${traceId} not found`);
  return { id: snap.id, ...traceSchema.parse(snap.data) };
}

/** Writes a finished trace: alone (`deps.store`) or with the turn's messages (its transaction). */
export async function writeTrace(
  writer: { create(path: string, data: Trace): unknown },
  tenantId: string,
  traceId: string,
  trace: Trace,
): Promise<void> {
  await writer.create(tracePath(tenantId, traceId), trace);
}

type Step = keyof Omit<Trace["timingsMs"], "total">;

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Times each step of a turn; started when the turn is, before the agent is even loaded. */
export class Stopwatch {
  readonly started = performance.now();
  readonly ms: Record<Step, number> = {
    guardrails: 0,
    retrieval: 0,
    context: 0,
    generation: 0,
    tools: 0,
    checks: 0,
  };
  async time<R>(step: Step, work: () => Promise<R> | R): Promise<R> {
    const t = performance.now();
    try {
      return await work();
    } finally {
      this.ms[step] += performance.now() - t;
    }
  }
  total(): Trace["timingsMs"] {
    const rounded = Object.fromEntries(
      Object.entries(this.ms).map(([k, v]) => [k, round1(v)]),
    ) as Stopwatch["ms"];
    return { ...rounded, total: round1(performance.now() - this.started) };
  }
}

/** What is known of a turn before it runs: who answers, with what, and the question. */
export interface TurnStart {
  readonly conversationId: string;
  readonly agentId: string;
  readonly agentVersion: Trace["agentVersion"];
  readonly channel: string;
  readonly question: string;
  /** Instructions the API caller added for this turn, under the agent's own (OpenAI-compatible APIs). */
  readonly callerInstructions?: string;
  /** The agent version's settings that the trace records. */
  readonly config: {
    readonly instructions: string;
    readonly model: {
      readonly name?: string | null;
      readonly temperature: number | null;
      readonly maxOutputTokens: number | null;
    };
    readonly knowledgeBaseIds: string[];
    readonly contextBudgetTokens: number;
    readonly redactPii: boolean;
  };
  /** Settings brought within the operator's caps for this turn. */
  readonly clamped: string[];
  /** The Prompt Engine template the instructions were rendered from, when the agent uses one. */
  readonly template?: {
    readonly templateId: string;
    readonly version: number;
    readonly label: string | null;
  };
  /** The experiment variant that served the turn, when an experiment runs on the agent. */
  readonly experiment?: { readonly id: string; readonly variant: string };
}

type Candidate = Trace["retrieval"]["candidates"][number];
type ToolCallRecord = Trace["toolCalls"][number];

/** What the steps of a turn reported; `traceOf` makes the trace of it. */
interface TurnEvents {
  declined: { topic: string; explanation: string } | null;
  queries: Trace["retrieval"]["queries"];
  context: Omit<Trace["context"], "budgetTokens"> | null;
  generation: Trace["generation"] | null;
  toolCalls: ToolCallRecord[];
  screening: { candidates: Candidate[]; injectionFlagged: number } | null;
  assessment: { assessment: Assessment; explanation: string } | null;
  annotated: { reply: NonNullable<Trace["annotationReply"]>; explanation: string } | null;
  memory: TraceMemory | null;
  forgot: { explanation: string } | null;
}

export interface TraceRecorder {
  /** Times one step of the turn (steps may be timed more than once; their times add up). */
  time<R>(step: Step, work: () => Promise<R> | R): Promise<R>;
  /** The question matched a blocked topic: nothing was searched, no model was called. */
  declined(topic: string, explanation: string): void;
  /** An editor's correction answered a near-identical question: nothing was searched, no model was called. */
  annotated(reply: NonNullable<Trace["annotationReply"]>, explanation: string): void;
  retrieved(queries: Trace["retrieval"]["queries"]): void;
  contextBuilt(context: Omit<Trace["context"], "budgetTokens">): void;
  /** After each model call: the steps so far, the last call's output, and the usage of all of them. */
  generated(generation: Trace["generation"]): void;
  toolsRan(runs: readonly ToolCallRecord[]): void;
  /** The evidence offered to the model and withheld from it; `queryOf` maps a chunk to the query that found it. */
  evidence(
    offered: readonly Evidence[],
    excluded: readonly ExcludedEvidence[],
    queryOf: ReadonlyMap<string, number>,
  ): void;
  /** The answer's checks; `explanation` is the assessment's, with what was excluded and why. */
  assessed(assessment: Assessment, explanation: string): void;
  /** What long-term memory did in the turn (narrative/). */
  remembered(memory: TraceMemory): void;
  /**
   * The end user asked to forget: the memories were deleted and the platform answered itself, so nothing was
   * searched and no model was called.
   */
  forgot(explanation: string): void;
  /** The trace of a turn that ended with an answer (`messageId`), as stored. */
  finished(messageId: string): Trace;
  /** The trace of a turn that failed, as stored. */
  failed(error: { code: string; message: string }): Trace;
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** A recorder for one turn; `clock` was started with the turn. */
export function recordTurn(deps: Deps, start: TurnStart, clock: Stopwatch): TraceRecorder {
  const head = {
    start,
    requestId: currentRequestId() ?? null,
    chat: deps.chat.info,
    embedder: deps.embedder.info,
    reranker: deps.reranker?.info ?? null,
    createdAt: deps.clock.nowIso(),
  };
  const events: TurnEvents = {
    declined: null,
    queries: [],
    context: null,
    generation: null,
    toolCalls: [],
    screening: null,
    assessment: null,
    annotated: null,
    memory: null,
    forgot: null,
  };
  const stored = (end: TurnEnd): Trace => {
    const trace = traceOf(head, events, end, clock.total());
    if (!start.config.redactPii) return trace;
    // An annotation reply's provenance holds ids and dates the platform wrote, no end user's words: the
    // redactor would take the editor's credential id for a secret and hide who wrote the answer.
    const { annotated } = events;
    return annotated
      ? { ...redacted(trace), annotationReply: annotated.reply, explanation: annotated.explanation }
      : redacted(trace);
  };
  return {
    time: (step, work) => clock.time(step, work),
    declined: (topic, explanation) => void (events.declined = { topic, explanation }),
    annotated: (reply, explanation) => void (events.annotated = { reply, explanation }),
    retrieved: (queries) => void (events.queries = queries),
    contextBuilt: (context) => void (events.context = context),
    generated: (generation) => void (events.generation = generation),
    toolsRan: (runs) => void (events.toolCalls = [...runs]),
    evidence(offered, excluded, queryOf) {
      const candidate = (e: Evidence, signals: string[]): Candidate => ({
        ref: e.ref,
        query: queryOf.get(e.chunkId) ?? null,
        kbId: e.kbId,
        chunkId: e.chunkId,
        docId: e.docId,
        docName: e.docName,
        headingPath: [...e.location.headingPath],
        score: e.score,
        vectorScore: e.vectorScore,
        keywordScore: e.keywordScore,
        ...(e.rerankScore !== undefined ? { rerankScore: e.rerankScore } : {}),
        injectionSignals: signals,
        excluded: signals.length > 0,
      });
      events.screening = {
        candidates: [
          ...offered.map((e) => candidate(e, [])),
          ...excluded.map((e) => candidate(e, e.signals)),
        ],
        injectionFlagged: excluded.length,
      };
    },
    assessed: (assessment, explanation) => void (events.assessment = { assessment, explanation }),
    remembered: (memory) => void (events.memory = memory),
    forgot: (explanation) => void (events.forgot = { explanation }),
    finished: (messageId) => stored({ messageId, error: null }),
    failed: (error) => stored({ messageId: null, error }),
  };
}

type TurnEnd =
  { messageId: string; error: null } | { messageId: null; error: { code: string; message: string } };

/** The whole trace of a turn, from what its steps reported and how it ended. */
function traceOf(
  head: {
    start: TurnStart;
    requestId: string | null;
    chat: Deps["chat"]["info"];
    embedder: Deps["embedder"]["info"];
    reranker: NonNullable<Deps["reranker"]>["info"] | null;
    createdAt: string;
  },
  events: TurnEvents,
  end: TurnEnd,
  timingsMs: Trace["timingsMs"],
): Trace {
  const { start } = head;
  const { config } = start;
  const { declined, assessment, annotated, forgot } = events;
  const noUsage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const status: Trace["status"] = end.error
    ? "failed"
    : declined
      ? "declined"
      : annotated || forgot
        ? "answered"
        : assessment?.assessment.abstained
          ? "abstained"
          : assessment
            ? "answered"
            : "failed";
  return {
    conversationId: start.conversationId,
    messageId: end.messageId,
    agentId: start.agentId,
    agentVersion: start.agentVersion,
    prompt: {
      instructionsSha256: sha256(config.instructions),
      instructionsChars: config.instructions.length,
      ...(start.callerInstructions
        ? {
            callerInstructionsSha256: sha256(start.callerInstructions),
            callerInstructionsChars: start.callerInstructions.length,
          }
        : {}),
      ...(start.template
        ? {
            templateId: start.template.templateId,
            version: start.template.version,
            label: start.template.label,
          }
        : {}),
    },
    channel: start.channel,
    requestId: head.requestId,
    status,
    error: end.error,
    question: start.question,
    model: {
      provider: head.chat.provider,
      model: config.model.name ?? head.chat.model,
      label: head.chat.label,
      temperature: config.model.temperature,
      maxOutputTokens: config.model.maxOutputTokens,
      clamped: start.clamped,
    },
    embedder: {
      provider: head.embedder.provider,
      model: head.embedder.model,
      version: head.embedder.version,
      dimensions: head.embedder.dimensions,
    },
    reranker: head.reranker && { provider: head.reranker.provider, model: head.reranker.model },
    guardrails: {
      blockedTopic: declined?.topic ?? null,
      piiRedacted: [],
      injectionFlagged: events.screening?.injectionFlagged ?? 0,
      toolCallsRefused: events.toolCalls.filter((r) => r.screened?.action === "refused").length,
    },
    context: {
      verbatimMessages: events.context?.verbatimMessages ?? 0,
      summarizedMessages: events.context?.summarizedMessages ?? 0,
      droppedForBudget: events.context?.droppedForBudget ?? 0,
      estimatedTokens: events.context?.estimatedTokens ?? 0,
      budgetTokens: config.contextBudgetTokens,
    },
    retrieval: {
      queries: events.queries,
      knowledgeBaseIds: config.knowledgeBaseIds,
      candidates: events.screening?.candidates ?? [],
    },
    generation: events.generation ?? { steps: 0, rawContent: "", finishReason: "", usage: noUsage },
    toolCalls: events.toolCalls,
    checks: assessment?.assessment.checks ?? [],
    citations: assessment?.assessment.citations ?? [],
    confidence: assessment?.assessment.confidence ?? null,
    abstained: declined !== null || (assessment?.assessment.abstained ?? false),
    explanation:
      declined?.explanation ?? annotated?.explanation ?? forgot?.explanation ?? assessment?.explanation ?? "",
    timingsMs,
    createdAt: head.createdAt,
    ...(start.experiment
      ? { experiment: { id: start.experiment.id, variant: start.experiment.variant } }
      : {}),
    ...(annotated ? { annotationReply: annotated.reply } : {}),
    ...(events.memory ? { memory: events.memory } : {}),
  };
}

/** The trace with personal data redacted, and the kinds of it that were found. */
function redacted(trace: Trace): Trace {
  const kinds = new Set<string>();
  for (const text of [
    trace.question,
    trace.generation.rawContent,
    ...trace.toolCalls.map((t) => t.arguments),
  ])
    for (const kind of redactPii(text).found) kinds.add(kind);
  const clean = redactDeep(trace) as Trace;
  return { ...clean, guardrails: { ...clean.guardrails, piiRedacted: [...kinds].sort() } };
}
