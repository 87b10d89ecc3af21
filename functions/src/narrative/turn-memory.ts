/**
 * What one conversation turn does with long-term memory, in the order the turn (agents/turn.ts) calls it:
 *   `beginTurnMemory`  before the model: recall the memories relevant to the question (evidence `[M…]`) and read
 *                      what the end user's message states about them (extract.ts) or asks to forget;
 *   `forgetRequested`  when the message asks to forget: which memories go, and what the end user is told;
 *   `finishTurnMemory` after the checks: the new memories (superseding older ones), the answer's statements,
 *                      contradictions with earlier answers and the correction the end user is told, and the
 *                      trace's `memory` section. Nothing is written here: the turn writes it all in its own
 *                      transaction with `applyMemoryChanges` (memory.ts).
 */
import type { Evidence } from "../accountability/assess.js";
import type { Citation, TraceMemory } from "../accountability/schema.js";
import { embeddingModelId } from "../knowledge/ingest.js";
import type { Deps } from "../platform/deps.js";
import { log } from "../platform/log.js";
import type { TokenUsage } from "../platform/ports.js";
import { claimsOf, correctionNote, findContradictions, type Contradiction } from "./coherence.js";
import {
  extractCommitments,
  extractFromUserMessage,
  type ExtractedMemory,
  type ForgetRequest,
} from "./extract.js";
import { extractWithModel, usesModelExtraction } from "./extract-model.js";
import {
  memoryEvidence,
  memoryIdOfCitation,
  overCap,
  planMemories,
  recallMemories,
  withHistory,
  type MemoryChanges,
  type MemoryScope,
  type NarrativeState,
  type NewMemory,
  type RecalledMemory,
} from "./memory.js";
import type { ConsistencyFlag, Memory, Statement } from "./schema.js";

export interface TurnMemoryStart {
  readonly state: NarrativeState;
  readonly recalled: readonly RecalledMemory[];
  readonly evidence: readonly Evidence[];
  readonly forget: ForgetRequest | null;
  /** What the end user's message states (rules now; a model's reading joins in `finishTurnMemory`). */
  readonly extracted: readonly ExtractedMemory[];
  /** The model's reading of the message, running alongside the turn when a provider is configured. */
  readonly modelExtraction: Promise<{ memories: ExtractedMemory[]; usage: TokenUsage }> | null;
}

/** Recalls and reads the message. A memory store that cannot be read costs the turn its memory, not its answer. */
export async function beginTurnMemory(
  deps: Deps,
  scope: MemoryScope,
  question: string,
  /** The agent's chat model, which reads the message when a provider is configured (null: the platform's). */
  model: string | null = null,
): Promise<TurnMemoryStart> {
  const { memories: extracted, forget } = extractFromUserMessage(question);
  const modelExtraction =
    forget === null && usesModelExtraction(deps.chat)
      ? extractWithModel(deps.chat, question, model ? { model } : {})
      : null;
  const { state, recalled } = await recallMemories(deps, scope, question);
  return { state, recalled, evidence: memoryEvidence(recalled), forget, extracted, modelExtraction };
}

/** How the end user's forget request is answered: which memories go (with their history), and what they are told. */
export interface ForgetOutcome {
  readonly deleted: string[];
  readonly reply: string;
  readonly explanation: string;
}

/**
 * The memories a forget request names. "Forget that": what the previous answer cited from memory, else what the
 * end user's previous message in this conversation taught, else the newest memory this conversation taught.
 * "Forget my address" / "forget where I live": every memory of that key. "Forget about my children": memories
 * whose words include the terms. Each goes with its whole history (what it superseded).
 */
export function forgetRequested(
  state: NarrativeState,
  forget: ForgetRequest,
  context: { conversationId: string; previousAnswerCitations: readonly Citation[] },
): ForgetOutcome {
  const active = state.memories.filter((m) => m.status === "active");
  let targets: string[] = [];
  if (forget.what === "key" && forget.key)
    targets = active.filter((m) => m.key === forget.key).map((m) => m.id);
  else if (forget.what === "terms" && forget.terms?.length) {
    const terms = forget.terms.map((t) => t.toLowerCase());
    targets = active
      .filter((m) => terms.some((t) => `${m.text} ${m.value} ${m.key ?? ""}`.toLowerCase().includes(t)))
      .map((m) => m.id);
  } else {
    const cited = context.previousAnswerCitations
      .map((c) => memoryIdOfCitation(c.docId))
      .filter((id): id is string => id !== null && active.some((m) => m.id === id));
    const here = active.filter((m) => m.source?.conversationId === context.conversationId);
    const lastSeq = Math.max(-1, ...here.map((m) => m.source?.messageSeq ?? -1));
    targets =
      cited.length > 0
        ? cited
        : here.filter((m) => (m.source?.messageSeq ?? -2) === lastSeq).map((m) => m.id);
  }
  const deleted = withHistory(state, targets);
  const how = `The end user asked to forget ("${forget.quote.slice(0, 200)}", pattern ${forget.pattern}).`;
  if (targets.length === 0) {
    return {
      deleted: [],
      reply:
        "I don't have anything from our recent exchange to forget. To remove something specific, say for example " +
        '"forget where I live", or ask the team that runs this service to erase your data.',
      explanation: `${how} No remembered fact matched, so nothing was deleted; no search or model call was made.`,
    };
  }
  return {
    deleted,
    reply: `Done: I've forgotten that. I won't use it in our conversations any more.`,
    explanation:
      `${how} ${targets.length} memory(ies) and ${deleted.length - targets.length} earlier version(s) of them ` +
      "were deleted; no search or model call was made.",
  };
}

/** Everything the turn writes and records about memory, decided after the answer's checks. */
export interface TurnMemoryFinish {
  readonly changes: MemoryChanges;
  readonly contradictions: readonly Contradiction[];
  /** The correction to add to the answer ("" when nothing contradicts an earlier answer). */
  readonly note: string;
  readonly trace: TraceMemory;
  /** Tokens the model spent reading the message for memories (metered with the turn). */
  readonly usage: TokenUsage;
}

export interface AnswerFacts {
  readonly conversationId: string;
  readonly traceId: string;
  readonly agentVersion: number | null;
  /** The seq the end user's message gets (the answer's is the next). */
  readonly userSeq: number;
  readonly question: string;
  readonly content: string;
  readonly abstained: boolean;
  readonly citations: readonly Citation[];
  readonly now: string;
}

const toNew = (
  e: ExtractedMemory,
  method: Memory["method"],
  source: NonNullable<Memory["source"]>,
): NewMemory => ({
  kind: e.kind,
  key: e.key,
  value: e.value,
  text: e.text,
  confidence: e.confidence,
  method,
  pattern: e.pattern,
  source,
});

export async function finishTurnMemory(
  deps: Deps,
  scope: MemoryScope,
  start: TurnMemoryStart,
  facts: AnswerFacts,
): Promise<TurnMemoryFinish> {
  const userSource = (quote: string) => ({
    conversationId: facts.conversationId,
    messageSeq: facts.userSeq,
    traceId: facts.traceId,
    quote,
  });
  let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const fromModel = start.modelExtraction
    ? await start.modelExtraction.catch((e: unknown) => {
        log.warn("model-based memory extraction failed; the rules' reading is kept", { err: e });
        return null;
      })
    : null;
  if (fromModel) usage = fromModel.usage;
  // The rules' reading and the model's: where both fill a key, the model's (it read the whole message) wins.
  const modelKeys = new Set((fromModel?.memories ?? []).map((m) => m.key).filter((k) => k !== null));
  const extracted: NewMemory[] = [
    ...start.extracted
      .filter((m) => m.key === null || !modelKeys.has(m.key))
      .map((m) => toNew(m, "rules", userSource(m.quote))),
    ...(fromModel?.memories ?? []).map((m) => toNew(m, "model", userSource(m.quote))),
    // What the agent promised ("I'll send you the form by Friday"), from the answer the end user will read.
    ...(facts.abstained ? [] : extractCommitments(facts.content)).map((m) =>
      toNew(m, "rules", { ...userSource(m.quote), messageSeq: facts.userSeq + 1 }),
    ),
  ];
  const created = planMemories(start.state, extracted, () => deps.ids.newId());
  if (created.length > 0) {
    const vectors = await deps.embedder
      .embed(
        created.map((c) => c.memory.text),
        { kind: "document" },
      )
      .catch((e: unknown) => {
        // Recalled by its words until then: a memory is never lost for want of a vector.
        log.warn("could not embed new memories; they are matched by their words", { err: e });
        return [];
      });
    const model = embeddingModelId(deps);
    created.forEach((c, i) => {
      c.embedding = vectors[i] ?? null;
      c.embeddingModel = c.embedding ? model : null;
    });
  }

  const claims = facts.abstained ? [] : claimsOf(facts.citations);
  const contradictions = findContradictions(claims, start.state.statements);
  const contradicted = new Map<string, string>();
  const flags: { id: string; flag: ConsistencyFlag }[] = [];
  for (const c of contradictions) {
    const id = deps.ids.newId();
    contradicted.set(c.earlier.id, id);
    flags.push({
      id,
      flag: {
        endUserKey: scope.endUserKey,
        agentId: scope.agentId,
        conversationId: facts.conversationId,
        traceId: facts.traceId,
        createdAt: facts.now,
        earlier: {
          statementId: c.earlier.id,
          claim: c.earlier.claim,
          traceId: c.earlier.traceId,
          conversationId: c.earlier.conversationId,
          at: c.earlier.createdAt,
          sources: c.earlier.sources,
        },
        now: { claim: c.now.claim, sources: c.now.sources },
        reason: c.reason,
        resolution: "corrected",
        status: "open",
        reviewedBy: null,
        reviewedAt: null,
      },
    });
  }
  const statements = claims.map((claim) => ({
    id: deps.ids.newId(),
    statement: {
      endUserKey: scope.endUserKey,
      endUserRef: scope.endUserRef,
      scopeKey: scope.scopeKey,
      agentId: scope.agentId,
      agentVersion: facts.agentVersion,
      conversationId: facts.conversationId,
      traceId: facts.traceId,
      claim: claim.claim,
      sources: claim.sources,
      createdAt: facts.now,
      expiresAt: new Date(Date.parse(facts.now) + scope.settings.retentionDays * 86_400_000).toISOString(),
      contradictedBy: null,
    } satisfies Statement,
  }));
  const cited = new Set(facts.citations.map((c) => memoryIdOfCitation(c.docId)).filter((id) => id !== null));
  const trace: TraceMemory = {
    scope: scope.scopeKey,
    recalled: start.recalled.length,
    used: start.recalled.map((r) => ({
      ref: r.ref,
      memoryId: r.memory.id,
      kind: r.memory.kind,
      key: r.memory.key,
      text: r.memory.text,
      score: r.score,
      cited: cited.has(r.memory.id),
    })),
    written: created.map((c) => ({
      memoryId: c.id,
      kind: c.memory.kind,
      key: c.memory.key,
      supersedes: c.supersedes?.id ?? null,
      method: c.memory.method,
    })),
    forgotten: 0,
    contradictions: contradictions.map((c) => ({
      statementId: c.earlier.id,
      earlier: c.earlier.claim,
      earlierAt: c.earlier.createdAt,
      now: c.now.claim,
      reason: c.reason,
      flagId: contradicted.get(c.earlier.id) as string,
    })),
  };
  return {
    // Within the scope's cap: the oldest history makes room (and then the oldest memories).
    changes: { created, deleted: overCap(start.state, created.length, []), statements, contradicted, flags },
    contradictions,
    note: correctionNote(contradictions),
    trace,
    usage,
  };
}

/** The trace's memory section of a turn that only forgot. */
export function forgetTrace(scope: MemoryScope, deleted: number): TraceMemory {
  return {
    scope: scope.scopeKey,
    recalled: 0,
    used: [],
    written: [],
    forgotten: deleted,
    contradictions: [],
  };
}
