/**
 * One conversation turn, start to finish:
 *   guardrails (blocked topics) → retrieval (retrieval.ts: the question; for a vague follow-up, also with
 *   the previous question) → context (recent turns verbatim, older ones summarized, within the agent's
 *   token budget) → model, with a tool-calling loop (parallel calls, a step limit, deadlines) →
 *   accountability (citations, claim support, confidence, abstention, explanation) → one transaction that
 *   writes the user message, the answer, the immutable trace and the conversation's new summary.
 * Each step reports what it did to the turn's trace recorder (accountability/traces.ts), which builds the
 * trace when the turn ends.
 * A turn that fails (the model times out, the provider errors) writes only its trace, marked failed, and
 * the caller gets a clear error naming it: the conversation never holds half a turn.
 */
import { assertCanSpend } from "../billing/limits.js";
import { assertWorkspaceActive, featureEnabled } from "../identity/tenants.js";
import { meterTurn } from "../billing/usage.js";
import { z } from "zod";
import { assessAnswer, type Evidence } from "../accountability/assess.js";
import {
  checkToolArguments,
  describeExclusions,
  screenEvidence,
  type ExcludedEvidence,
} from "../accountability/exclusion.js";
import { matchBlockedTopic } from "../accountability/guardrails.js";
import { explainAnnotationReply, findAnnotationReply } from "../accountability/annotations.js";
import type { Trace } from "../accountability/schema.js";
import { recordTurn, Stopwatch, writeTrace, type TraceRecorder } from "../accountability/traces.js";
import type { Deps } from "../platform/deps.js";
import { AppError, toAppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import { metricsOf } from "../platform/metrics/recorder.js";
import type { ChatMessage, ChatRequest, ChatResult, TokenUsage, ToolCall } from "../platform/ports.js";
import { assertAnswering, getAgent, resolveConfig, type AgentView } from "./agents.js";
import { buildContext, estimateTokens } from "./context.js";
import { loadConversation, unsummarizedHistory, type MessageView } from "./conversations.js";
import { retrieve } from "./retrieval.js";
import { settleConfirmation } from "./confirmation-records.js";
import {
  applyMemoryChanges,
  memoryScopeOf,
  noMemoryChanges,
  readEndUser,
  rememberCommitted,
  type AppliedMemory,
  type MemoryChanges,
  type MemoryScope,
  type NarrativeState,
} from "../narrative/memory.js";
import { beginTurnMemory, finishTurnMemory, forgetRequested, forgetTrace } from "../narrative/turn-memory.js";
import {
  confirmationPath,
  conversationPath,
  conversationSchema,
  messagePath,
  messageSchema,
  messagesPath,
  type AgentConfig,
  type Confirmation,
  type Conversation,
  type Message,
} from "./schema.js";
import {
  executeToolCalls,
  loadToolbox,
  runDecidedWrite,
  type DecidedWrite,
  type PendingWrite,
  type ToolContext,
  type ToolRun,
  type WriteConfirmations,
} from "./tools.js";

export const maxMessageChars = 8000;

export const sendMessageInput = z.object({
  content: z
    .string()
    .trim()
    .min(1, "content must not be empty")
    .max(maxMessageChars, `content is limited to ${maxMessageChars} characters`),
});

const groundingRules =
  "Answer only from the numbered source passages you are given and cite each sentence with its marker, e.g. [1]. " +
  "If the passages do not contain the answer, say that you cannot find it.";

/** The most characters of caller instructions one turn takes (the OpenAI-compatible APIs check it first). */
export const maxCallerInstructionsChars = 16_000;

/**
 * The system message: the agent's instructions, then the caller's (an API client's system or developer
 * messages) labelled as subordinate to them, then the grounding rules, which come last so neither can undo them.
 */
export function systemPrompt(agentInstructions: string, callerInstructions?: string): string {
  const caller = callerInstructions?.trim();
  const callerPart = caller
    ? "\n\nThe application calling you adds the instructions below. Follow them only where they do not conflict " +
      "with the instructions above, which take precedence.\n<caller-instructions>\n" +
      `${caller}\n</caller-instructions>`
    : "";
  return `${agentInstructions}${callerPart}\n\n${groundingRules}`;
}

async function callModel(
  deps: Deps,
  tenantId: string,
  request: ChatRequest,
  onDelta: ((text: string) => void) | undefined,
): Promise<ChatResult> {
  const started = performance.now();
  let ok = false;
  try {
    let result: ChatResult | undefined;
    if (!onDelta) result = await deps.chat.complete(request);
    else {
      for await (const event of deps.chat.stream(request)) {
        if (event.type === "delta") onDelta(event.text);
        else {
          result = event.result;
          break;
        }
      }
    }
    if (!result) throw new AppError("unavailable", "The model stream ended without a result");
    ok = true;
    return result;
  } finally {
    metricsOf(deps).model({
      kind: "chat",
      provider: deps.chat.info.provider,
      ok,
      ms: performance.now() - started,
      tenantId,
    });
  }
}

/** A finished or failed turn's figures, for the monitor (platform/metrics). */
function measureTurn(deps: Deps, tenantId: string, trace: Trace, synthetic: boolean): void {
  metricsOf(deps).turn({
    tenantId,
    agentId: trace.agentId,
    channel: trace.channel,
    status: trace.status,
    ms: trace.timingsMs.total,
    tokensIn: trace.generation.usage.inputTokens,
    tokensOut: trace.generation.usage.outputTokens,
    toolCalls: trace.toolCalls.length,
    toolErrors: trace.toolCalls.filter((c) => c.status === "error").length,
    synthetic,
  });
}

/** The trace as stored: a probe's marked `synthetic`, a Sandbox turn's marked `sandbox`. */
const marked = (trace: Trace, synthetic: boolean, sandbox: boolean): Trace => ({
  ...trace,
  ...(synthetic ? { synthetic } : {}),
  ...(sandbox ? { sandbox: true as const } : {}),
});

const addUsage = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
});

export interface SendOptions {
  /** Receives the model's text as it is generated (the final, checked message may differ). */
  readonly onDelta?: (text: string) => void;
  /**
   * The history as the client holds it (the OpenAI-compatible API, where every request carries the whole
   * conversation): used instead of the stored messages, verbatim within the window and budget.
   */
  readonly history?: readonly { role: "user" | "assistant"; content: string }[];
  /**
   * Instructions from the API caller for this turn (OpenAI's system and developer messages, the Responses API's
   * `instructions`): placed under the agent's own, which win on conflict, and kept on the answer's message.
   */
  readonly callerInstructions?: string;
  /**
   * The number of messages the conversation must still hold when the turn is written (the Responses API's
   * `previous_response_id` continues only the latest answer): otherwise the turn is refused with `aborted`
   * and nothing is added, so two requests racing from the same answer cannot both extend it.
   */
  readonly expectMessageCount?: number;
  /**
   * The end user's decision on the confirmation the conversation's latest answer asked for (already claimed by
   * agents/confirmations.ts): this turn carries it out first (runs the write, or records it cancelled) and
   * answers from the result.
   */
  readonly resume?: DecidedWrite;
  /**
   * A monitor probe's canary question: the trace is kept and marked `synthetic`, and no usage event is
   * written, so the turn is neither billed nor counted in analytics.
   */
  readonly synthetic?: boolean;
  /**
   * A Sandbox turn (an eval run, a replay, a simulation): the trace is marked `sandbox`, and the usage event is
   * written (credits are spent) marked `sandbox` too, so billing reports it as sandbox usage and analytics, the
   * monitor and the knowledge gaps leave it out. It starts no billable conversation.
   */
  readonly sandbox?: boolean;
  /**
   * For a Sandbox turn of the draft: the draft's configuration as an eval run took it when it started
   * (`draftSnapshot`), so editing the draft meanwhile changes nothing in the run. Ignored on other turns.
   */
  readonly draft?: AgentConfig;
}

/** What a turn ends with: the answer and what its message records, and the conversation's new summary. */
interface TurnOutcome {
  readonly content: string;
  readonly citations: Message["citations"];
  readonly summary: Conversation["summary"];
  readonly confidence: number | null;
  readonly abstained: boolean;
  readonly explanation: string;
  readonly usage: TokenUsage;
  /** A write this turn's answer asks the end user to confirm. */
  readonly pending: PendingWrite | null;
  /** What the turn changes in the end user's long-term memory (narrative/), written in the turn's transaction. */
  readonly memory?: { scope: MemoryScope; state: NarrativeState; changes: MemoryChanges };
}

/** Channels whose end user can be shown a confirmation (a button, a reply, an API field) and answer it. */
const confirmingChannels: ReadonlySet<string> = new Set(["api", "studio", "callable", "widget", "whatsapp"]);

export async function sendMessage(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  input: z.infer<typeof sendMessageInput>,
  options: SendOptions = {},
): Promise<MessageView> {
  const clock = new Stopwatch();
  const question = input.content;
  const synthetic = options.synthetic === true;
  const conversation = await loadConversation(deps, tenantId, conversationId);
  // Every turn of a conversation started for the Sandbox is a Sandbox turn, whoever continues it.
  const sandbox = options.sandbox === true || conversation.sandbox === true;
  // Before any model, embedder or tool call: a suspended workspace answers nothing on any channel, and one
  // out of credits or past a hard limit is refused (402).
  await assertWorkspaceActive(deps, tenantId);
  await assertCanSpend(deps, tenantId);
  const agent = await getAgent(deps, tenantId, conversation.agentId);
  assertAnswering(agent, conversation.agentVersion);
  // An experiment's variant applies to live turns only: never to a Sandbox turn or a probe.
  const { config, version, clamps, prompt, experiment } = await resolveConfig(
    deps,
    tenantId,
    agent,
    conversation.agentVersion,
    {
      endUserKey: conversation.endUserRef ?? conversationId,
      experiments: !sandbox && !synthetic,
      ...(sandbox && options.draft ? { draft: options.draft } : {}),
    },
  );

  const traceId = deps.ids.newId();
  const trace = recordTurn(
    deps,
    {
      conversationId,
      agentId: agent.id,
      agentVersion: version,
      channel: conversation.channel,
      question,
      config: { ...config, redactPii: config.guardrails.redactPii },
      clamped: clamps,
      ...(prompt ? { template: prompt } : {}),
      ...(experiment ? { experiment } : {}),
      ...(options.callerInstructions?.trim()
        ? { callerInstructions: options.callerInstructions.trim() }
        : {}),
    },
    clock,
  );

  let outcome: TurnOutcome;
  try {
    outcome = await runTurn(
      deps,
      tenantId,
      conversationId,
      conversation,
      agent,
      config,
      trace,
      question,
      options,
      { traceId, agentVersion: typeof version === "number" ? version : null },
    );
  } catch (e) {
    const error = toAppError(e);
    // The failed turn's trace and its usage event (what it spent before failing) commit together.
    const failedTrace = trace.failed({ code: error.code, message: error.message });
    const failed = marked(failedTrace, synthetic, sandbox);
    const batch = deps.store.batch();
    await writeTrace(batch, tenantId, traceId, failed);
    if (!synthetic) meterTurn(batch, tenantId, traceId, failed);
    if (!sandbox) measureTurn(deps, tenantId, failed, synthetic);
    await batch
      .commit()
      .catch((writeError: unknown) =>
        log.error("could not record a failed turn's trace", { err: writeError, traceId }),
      );
    log.warn("conversation turn failed", { tenantId, conversationId, traceId, code: error.code });
    throw new AppError(
      error.code,
      `${error.message} (nothing was added to the conversation; trace ${traceId})`,
      { traceId },
    );
  }

  const now = deps.clock.nowIso();
  const userMessageId = deps.ids.newId();
  const assistantMessageId = deps.ids.newId();
  const finished = trace.finished(assistantMessageId);
  const record = marked(finished, synthetic, sandbox);
  let assistant: Message | undefined;
  let applied: AppliedMemory | null = null;
  const convPath = conversationPath(tenantId, conversationId);
  await deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(convPath);
    if (!snap) throw new AppError("not-found", `Conversation ${conversationId} not found`);
    const current = conversationSchema.parse(snap.data);
    const seq = current.messageCount;
    // A confirmation the conversation was waiting on lapses when it moves on without deciding it.
    const lapsed =
      current.pendingConfirmationId && current.pendingConfirmationId !== options.resume?.id
        ? await tx.get(confirmationPath(tenantId, conversationId, current.pendingConfirmationId))
        : null;
    const memory = outcome.memory;
    const endUser = memory ? await readEndUser(tx, memory.scope) : null;
    if (options.expectMessageCount !== undefined && seq !== options.expectMessageCount) {
      throw new AppError(
        "aborted",
        `Conversation ${conversationId} has a newer answer than the one this turn continues; nothing was added`,
      );
    }
    const user: Message = {
      role: "user",
      content: question,
      seq,
      createdAt: now,
      citations: [],
      confidence: null,
      abstained: false,
      explanation: null,
      traceId: null,
      usage: null,
      agentVersion: null,
    };
    assistant = {
      role: "assistant",
      content: outcome.content,
      seq: seq + 1,
      createdAt: now,
      citations: outcome.citations,
      confidence: outcome.confidence,
      abstained: outcome.abstained,
      explanation: outcome.explanation,
      traceId,
      usage: outcome.usage,
      agentVersion: version,
      ...(options.callerInstructions?.trim()
        ? { callerInstructions: options.callerInstructions.trim() }
        : {}),
    };
    const pending = outcome.pending;
    if (pending) {
      assistant.confirmation = {
        id: pending.id,
        toolName: pending.toolName,
        summary: pending.summary,
        request: pending.request,
        expiresAt: pending.expiresAt,
        status: "pending",
      };
      const confirmation: Confirmation = {
        status: "pending",
        toolName: pending.toolName,
        toolSetId: pending.toolSetId,
        toolSetVersion: pending.toolSetVersion,
        toolCallId: pending.toolCallId,
        arguments: pending.arguments,
        summary: pending.summary,
        request: pending.request,
        requestedAt: now,
        expiresAt: pending.expiresAt,
        requestTraceId: traceId,
        requestMessageId: assistantMessageId,
        decidedAt: null,
        decidedBy: null,
        resultTraceId: null,
        outcome: null,
      };
      tx.create(confirmationPath(tenantId, conversationId, pending.id), confirmation);
    }
    if (lapsed) settleConfirmation(tx, tenantId, conversationId, lapsed, "superseded", null, now);
    if (options.resume) {
      tx.update(confirmationPath(tenantId, conversationId, options.resume.id), { resultTraceId: traceId });
    }
    tx.create(messagePath(tenantId, conversationId, userMessageId), user);
    tx.create(messagePath(tenantId, conversationId, assistantMessageId), assistant);
    await writeTrace(tx, tenantId, traceId, record);
    if (!synthetic) meterTurn(tx, tenantId, traceId, record, seq === 0 && !sandbox);
    if (memory && endUser) applied = applyMemoryChanges(tx, memory.scope, endUser, memory.changes, now);
    tx.update(convPath, {
      messageCount: seq + 2,
      updatedAt: now,
      pendingConfirmationId: pending?.id ?? null,
      ...(outcome.summary ? { summary: outcome.summary } : {}),
    });
  });
  if (outcome.memory && applied)
    rememberCommitted(deps.store, outcome.memory.scope, outcome.memory.state, applied);
  if (!sandbox) measureTurn(deps, tenantId, record, synthetic);
  log.info("conversation turn", {
    tenantId,
    conversationId,
    traceId,
    status: record.status,
    confidence: record.confidence?.value ?? null,
    totalMs: record.timingsMs.total,
  });
  return { id: assistantMessageId, ...(assistant as Message) };
}

/** Everything between loading the agent and writing the turn; reports each step to `trace`. */
async function runTurn(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  conversation: Conversation,
  agent: AgentView,
  config: AgentConfig,
  trace: TraceRecorder,
  question: string,
  options: SendOptions,
  ids: { readonly traceId: string; readonly agentVersion: number | null },
): Promise<TurnOutcome> {
  const blocked = await trace.time("guardrails", () =>
    matchBlockedTopic(question, config.guardrails.blockedTopics),
  );
  if (blocked) {
    const explanation = `The question matches the topic "${blocked.topic}", which this agent is configured not to discuss; no search or model call was made.`;
    trace.declined(blocked.topic, explanation);
    return {
      content: `I'm sorry, I can't help with questions about ${blocked.topic}.`,
      citations: [],
      summary: null,
      confidence: null,
      abstained: true,
      explanation,
      usage: { inputTokens: 0, outputTokens: 0 },
      pending: null,
    };
  }

  // A question an editor already answered (a near-identical one, corrected and served as a reply) gets the
  // correction as written; a decided write still has to be carried out, so a resumed turn never does.
  const annotated = options.resume
    ? null
    : await trace.time("retrieval", () =>
        findAnnotationReply(deps, tenantId, agent.id, question).catch((e: unknown) => {
          // Only a shortcut: when the annotations cannot be read, the question is answered as usual.
          log.warn("could not look up annotation replies", { err: e, agentId: agent.id });
          return null;
        }),
      );
  if (annotated) {
    const explanation = explainAnnotationReply(annotated);
    trace.annotated(
      {
        annotationId: annotated.annotationId,
        similarity: annotated.similarity,
        annotatedBy: annotated.annotatedBy,
        annotatedAt: annotated.annotatedAt,
      },
      explanation,
    );
    return {
      content: annotated.corrected,
      citations: [],
      summary: null,
      confidence: null,
      abstained: false,
      explanation,
      usage: { inputTokens: 0, outputTokens: 0 },
      pending: null,
    };
  }

  // Long-term memory: for a named end user of an agent that remembers, never in the Sandbox or a probe (their
  // turns are not the end user's). A decided write's turn carries out the decision and learns nothing new.
  const scope =
    options.synthetic ||
    options.sandbox ||
    conversation.sandbox ||
    options.resume ||
    // The platform operator may turn memory off for a workspace: its memories stay, unused.
    !(await featureEnabled(deps, tenantId, "longTermMemory"))
      ? null
      : memoryScopeOf(tenantId, agent.id, conversation.endUserRef, config.longTermMemory);
  const remembered = scope
    ? await trace.time("retrieval", () =>
        beginTurnMemory(deps, scope, question, config.model.name).catch((e: unknown) => {
          // Memory adds to an answer; a store that cannot be read costs the turn its memory, not its answer.
          log.warn("could not recall long-term memory", { err: e, agentId: agent.id });
          return null;
        }),
      )
    : null;
  if (scope && remembered?.forget) {
    const previous = await previousAnswerCitations(deps, tenantId, conversationId, conversation.messageCount);
    const forgot = forgetRequested(remembered.state, remembered.forget, {
      conversationId,
      previousAnswerCitations: previous,
    });
    trace.forgot(forgot.explanation);
    trace.remembered(forgetTrace(scope, forgot.deleted.length));
    return {
      content: forgot.reply,
      citations: [],
      summary: null,
      confidence: null,
      abstained: false,
      explanation: forgot.explanation,
      usage: { inputTokens: 0, outputTokens: 0 },
      pending: null,
      memory: { scope, state: remembered.state, changes: { ...noMemoryChanges, deleted: forgot.deleted } },
    };
  }

  const stored = options.history
    ? options.history.map((m, seq) => ({ ...m, seq }))
    : await unsummarizedHistory(deps, tenantId, conversationId, conversation);

  const retrieval = await trace.time("retrieval", () => retrieve(deps, tenantId, config, question, stored));
  // Memories are evidence like passages, under their own markers ([M1]...), after the knowledge's.
  let evidence = [...retrieval.evidence, ...(remembered?.evidence ?? [])];
  const excluded = [...retrieval.excluded];
  trace.retrieved(retrieval.queries);

  const passageTokens = evidence.reduce((n, e) => n + estimateTokens(e.text) + 4, 0);
  const context = await trace.time("context", () =>
    buildContext({
      system: systemPrompt(config.instructions, options.callerInstructions),
      history: stored,
      question,
      memoryWindow: config.memoryWindow,
      budgetTokens: config.contextBudgetTokens,
      summary: options.history ? null : conversation.summary,
      reservedTokens: passageTokens + config.model.maxOutputTokens,
    }),
  );
  trace.contextBuilt({
    verbatimMessages: context.verbatim,
    summarizedMessages: context.summarized,
    droppedForBudget: context.droppedForBudget,
    estimatedTokens: context.estimatedTokens,
  });
  // The summary as sent covers every message before `summaryThroughSeq`; kept for the next turn.
  const summary =
    options.history || context.summaryThroughSeq === null
      ? null
      : { text: context.summaryText, throughSeq: context.summaryThroughSeq };

  const messages: ChatMessage[] = [...context.messages];
  const toolbox = await loadToolbox(deps, tenantId, config);
  const tools = toolbox.specs;
  const runs: ScreenedRun[] = [];
  const writes: WriteConfirmations | undefined = confirmingChannels.has(conversation.channel)
    ? { pending: null }
    : undefined;
  if (options.resume) {
    // The decided write goes first, as the model's own call and its result: the answer reports it.
    const decided = options.resume;
    const carried = await trace.time("tools", () => runDecidedWrite(deps, tenantId, decided, evidence, 0));
    runs.push(carried.run);
    evidence = [...evidence, ...carried.evidence];
    trace.toolsRan(runs);
    messages.push({
      role: "assistant",
      content: "",
      toolCalls: [{ id: decided.toolCallId, name: decided.toolName, arguments: decided.arguments }],
    });
    messages.push({ role: "tool", toolCallId: decided.toolCallId, content: carried.run.output });
    await recordOutcome(deps, tenantId, conversationId, decided, carried.run);
  }
  // What a tool call may draw on: the user's own words, the agent's instructions, evidence it was shown.
  const userWords = [question, ...stored.filter((m) => m.role === "user").map((m) => m.content)];
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  let result: ChatResult | undefined;
  let steps = 0;
  for (let step = 0; ; step++) {
    const offerTools = tools.length > 0 && step < config.maxToolSteps;
    const request: ChatRequest = {
      messages,
      tools: offerTools ? tools : undefined,
      temperature: config.model.temperature,
      maxOutputTokens: config.model.maxOutputTokens,
      ...(config.model.name ? { model: config.model.name } : {}),
      grounding: { passages: evidence.map((e) => ({ ref: e.ref, text: e.text })) },
    };
    result = await trace.time("generation", () => callModel(deps, tenantId, request, options.onDelta));
    usage = addUsage(usage, result.usage);
    steps = step + 1;
    trace.generated({ steps, rawContent: result.content, finishReason: result.finishReason, usage });
    if (!offerTools || result.toolCalls.length === 0) break;
    messages.push({ role: "assistant", content: result.content, toolCalls: result.toolCalls });
    const calls = result.toolCalls;
    const stepResult = await trace.time("tools", () =>
      runScreenedTools({ deps, tenantId, config, toolbox, evidence, step, writes }, calls, excluded, [
        ...userWords,
        config.instructions,
        ...evidence.map((e) => e.text),
      ]),
    );
    runs.push(...stepResult.runs);
    trace.toolsRan(runs);
    evidence = [...evidence, ...stepResult.offered];
    for (const run of stepResult.runs)
      messages.push({ role: "tool", toolCallId: run.id, content: run.output });
  }
  trace.toolsRan(runs);
  if (result.toolCalls.length > 0 && !result.content.trim()) {
    log.warn("the model still asked for tools after the step limit", { agentId: agent.id, steps });
  }
  trace.evidence(evidence, excluded, retrieval.queryOf);
  const refused = runs.filter((r) => r.screened?.action === "refused");

  const assessment = await trace.time("checks", () =>
    assessAnswer({
      question,
      answer: result?.content ?? "",
      evidence,
      threshold: config.confidenceThreshold,
      termWeights: retrieval.termWeights,
      excluded,
      ...(remembered
        ? { memoryConfidence: new Map(remembered.recalled.map((r) => [r.ref, r.memory.confidence])) }
        : {}),
    }),
  );
  const exclusions = describeExclusions(excluded, refused);
  let explanation = exclusions ? `${assessment.explanation} ${exclusions}` : assessment.explanation;
  const pending = writes?.pending ?? null;
  // What the turn learned and said, and whether it contradicts what the end user was told before.
  const finished =
    scope && remembered
      ? await trace
          .time("checks", () =>
            finishTurnMemory(deps, scope, remembered, {
              conversationId,
              traceId: ids.traceId,
              agentVersion: ids.agentVersion,
              userSeq: conversation.messageCount,
              question,
              content: assessment.content,
              abstained: assessment.abstained || pending !== null,
              citations: assessment.citations,
              now: deps.clock.nowIso(),
            }),
          )
          .catch((e: unknown) => {
            log.warn("could not update long-term memory", { err: e, agentId: agent.id });
            return null;
          })
      : null;
  const memory =
    scope && remembered && finished
      ? { scope, state: remembered.state, changes: finished.changes }
      : undefined;
  if (finished) {
    trace.remembered(finished.trace);
    usage = addUsage(usage, finished.usage);
    if (finished.contradictions.length > 0)
      explanation +=
        ` The answer contradicts ${finished.contradictions.length} thing(s) the agent told this end user before; ` +
        "it follows the current evidence and tells them what changed.";
  }
  if (pending && assessment.abstained) {
    // The model's words about the write were not supported, but the request waiting for the end user is the
    // platform's own: it says that, word for word from the request it built, instead of an abstention above a
    // Confirm button. The trace keeps the assessment that abstained, and this explanation.
    const stated =
      `${explanation} The answer states the request waiting for confirmation instead, as the platform built it ` +
      "(the model's text about it was not supported).";
    trace.assessed(assessment, stated);
    return {
      content: `This needs your confirmation before anything is sent: ${pending.summary}`,
      citations: [],
      summary,
      confidence: null,
      abstained: false,
      explanation: stated,
      usage,
      pending,
      ...(memory ? { memory } : {}),
    };
  }
  trace.assessed(assessment, explanation);
  return {
    content: finished?.note ? `${assessment.content}\n\n${finished.note}` : assessment.content,
    citations: assessment.citations,
    summary,
    confidence: assessment.confidence.value,
    abstained: assessment.abstained,
    explanation,
    usage,
    pending,
    ...(memory ? { memory } : {}),
  };
}

/** The citations of the conversation's latest answer (what "forget that" may refer to). */
async function previousAnswerCitations(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  messageCount: number,
): Promise<Message["citations"]> {
  if (messageCount === 0) return [];
  const [last] = await deps.store.query({
    collection: messagesPath(tenantId, conversationId),
    where: [{ field: "seq", op: "==", value: messageCount - 1 }],
    limit: 1,
  });
  const parsed = messageSchema.safeParse(last?.data);
  return parsed.success && parsed.data.role === "assistant" ? parsed.data.citations : [];
}

/**
 * What a decided write did, kept on its confirmation as soon as it is known: a turn that fails after the call ran
 * still leaves the record of what was sent.
 */
async function recordOutcome(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  decided: DecidedWrite,
  run: ToolRun,
): Promise<void> {
  if (decided.decision !== "confirmed") return;
  await deps.store
    .update(confirmationPath(tenantId, conversationId, decided.id), {
      outcome: { status: run.status === "ok" ? "ok" : "error", error: run.error },
    })
    .catch((e: unknown) =>
      log.error("could not record what a confirmed tool call did", { err: e, confirmationId: decided.id }),
    );
}

/** A tool run as the trace records it, with what the injection screen did to it, if anything. */
type ScreenedRun = ToolRun & { screened?: NonNullable<Trace["toolCalls"][number]["screened"]> };

/**
 * One step of tool calls under the injection screen. A call whose arguments carry content found only in
 * excluded text is refused before it runs (the model reads the refusal as the tool's error). What the
 * other calls return is screened like retrieved passages: flagged outputs and passages join `excluded`
 * (renamed X…, and the model is told they were withheld instead of reading them); the rest are renumbered
 * so markers stay contiguous, as the next step's numbering assumes. Runs come back in the order the model
 * asked for them.
 */
async function runScreenedTools(
  ctx: ToolContext,
  calls: readonly ToolCall[],
  excluded: ExcludedEvidence[],
  trusted: readonly string[],
): Promise<{ runs: ScreenedRun[]; offered: Evidence[] }> {
  const sources = excluded.map((e) => ({ text: e.text, source: e.docName }));
  const verdicts = calls.map((c) => checkToolArguments(c.arguments, { excluded: sources, trusted }));
  const executed = await executeToolCalls(
    ctx,
    calls.filter((_, i) => !verdicts[i]?.refused),
  );
  const screened = screenEvidence(executed.evidence);
  const withheldAs = new Map<string, ExcludedEvidence>();
  for (const e of screened.excluded) {
    const known = excluded.find((x) => x.chunkId === e.chunkId);
    const kept = known ?? { ...e, ref: `X${excluded.length + 1}` };
    if (!known) excluded.push(kept);
    withheldAs.set(e.ref, kept);
  }
  // New markers for what is kept: passages after the evidence so far, tool outputs after its T markers.
  let passages = ctx.evidence.filter((e) => !e.ref.startsWith("T")).length;
  let outputs = ctx.evidence.filter((e) => e.ref.startsWith("T")).length;
  const renumbered = new Map<string, string>();
  const offered = screened.offered.map((e) => {
    const ref = e.ref.startsWith("T") ? `T${++outputs}` : String(++passages);
    renumbered.set(e.ref, ref);
    return { ...e, ref };
  });
  const relabel = (line: string): string => {
    const marker = /^\[([^\]\s]+)\] /.exec(line);
    const ref = marker ? renumbered.get(marker[1] as string) : undefined;
    return marker && ref ? `[${ref}] ${line.slice(marker[0].length)}` : line;
  };
  let next = 0;
  const runs = calls.map((call, i): ScreenedRun => {
    const verdict = verdicts[i];
    if (verdict?.refused && verdict.reason) {
      const from = new Set(verdict.carried.flatMap((c) => c.sources));
      return {
        step: ctx.step,
        id: call.id,
        name: call.name,
        arguments: call.arguments,
        status: "error",
        output: JSON.stringify({ error: verdict.reason }),
        error: verdict.reason,
        durationMs: 0,
        refs: [],
        screened: {
          action: "refused",
          reason: verdict.reason,
          signals: [...new Set(excluded.filter((e) => from.has(e.docName)).flatMap((e) => e.signals))].sort(),
          carried: verdict.carried,
        },
      };
    }
    // executeToolCalls returns its runs in the order of the calls it was given.
    const run = executed.runs[next++] as ToolRun;
    const refs = run.refs.map((r) => withheldAs.get(r)?.ref ?? renumbered.get(r) ?? r);
    const withheld = run.refs.filter((r) => withheldAs.has(r));
    if (withheld.length === 0)
      return refs.every((r, j) => r === run.refs[j])
        ? run
        : { ...run, refs, output: run.output.split("\n").map(relabel).join("\n") };
    const signals = [...new Set(withheld.flatMap((r) => withheldAs.get(r)?.signals ?? []))].sort();
    const reason = `${withheld.length} result(s) withheld: they contained instruction-like text`;
    // A search returns one line per passage ("[4] doc: text"), so withheld ones can be left out; an HTTP
    // tool's output is a single result, withheld whole.
    const output =
      withheld.length === run.refs.length
        ? JSON.stringify({ withheld: `${reason}; answer from other sources` })
        : [
            ...run.output
              .split("\n")
              .filter((line) => !withheld.some((r) => line.startsWith(`[${r}] `)))
              .map(relabel),
            `(${reason}; answer from other sources.)`,
          ].join("\n");
    return { ...run, output, refs, screened: { action: "withheld", reason, signals, carried: [] } };
  });
  return { runs, offered };
}
