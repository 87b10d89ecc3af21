/**
 * Long-term memory in a turn: what the agent knows about the end user is loaded (once per change, see `rev`),
 * the memories relevant to the question are recalled as evidence `[M1]`, `[M2]`..., and what the turn learned
 * (new facts, a newer statement superseding an older one, a request to forget) is written in the turn's own
 * transaction, so a turn that fails leaves no memory behind and a memory never outlives the turn it came from.
 *
 * Recall is hybrid, like knowledge search: the question's words against each memory's words (weighted by how
 * rare they are among this end user's memories) and, when the memory was embedded by the current embedding
 * model, the cosine of the two vectors. The weights are fixed a priori (an equal blend, like the knowledge
 * search's default), not tuned: there is no labelled recall set to tune them on, and `npm run bench` measures
 * only the cost.
 */
import type { Evidence } from "../accountability/assess.js";
import { embeddingModelId } from "../knowledge/ingest.js";
import type { Deps } from "../platform/deps.js";
import type { DocStore, Transaction } from "../platform/ports.js";
import { tokenize } from "../platform/text/analyzer.js";
import { cosineSimilarity, queryNormOf } from "../platform/vectors.js";
import {
  consistencyFlagPath,
  endUserKeyOf,
  endUserPath,
  endUserSchema,
  maxMemoriesPerScope,
  memoriesPath,
  memoryPath,
  memorySchema,
  scopeKeyOf,
  statementPath,
  statementSchema,
  statementsPath,
  type ConsistencyFlag,
  type LongTermMemory,
  type Memory,
  type MemoryView,
  type Statement,
} from "./schema.js";

/** Who a turn remembers for: the end user, in the scope the agent's settings give. */
export interface MemoryScope {
  readonly tenantId: string;
  readonly agentId: string;
  readonly endUserRef: string;
  readonly endUserKey: string;
  readonly scopeKey: string;
  readonly settings: LongTermMemory;
}

/**
 * The scope of a turn's memory, or null when there is none: the agent's memory is off, or the conversation
 * names no end user (a studio test, an API call without `endUserRef`), so there is nobody to remember.
 */
export function memoryScopeOf(
  tenantId: string,
  agentId: string,
  endUserRef: string | null | undefined,
  settings: LongTermMemory | undefined,
): MemoryScope | null {
  if (!settings?.enabled || !endUserRef) return null;
  return {
    tenantId,
    agentId,
    endUserRef,
    endUserKey: endUserKeyOf(endUserRef),
    scopeKey: scopeKeyOf(settings.scope, agentId),
    settings,
  };
}

export type MemoryRecord = Memory & { readonly id: string };
export type StatementRecord = Statement & { readonly id: string };

/** What an end user's memory holds in one scope, as one instance read it at revision `rev`. */
export interface NarrativeState {
  /** The end user document's revision; null when the end user has no document yet (nothing remembered). */
  readonly rev: number | null;
  /** Active and superseded memories, newest first. */
  readonly memories: readonly MemoryRecord[];
  /** What the agent told them, newest first (the latest `maxStatements`). */
  readonly statements: readonly StatementRecord[];
  /** Per memory id: its terms, for the keyword half of recall. */
  readonly terms: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The most earlier statements a turn checks its answer against. */
export const maxStatements = 500;

const emptyState: NarrativeState = { rev: null, memories: [], statements: [], terms: new Map() };

/** The most end users' states one instance keeps; the least recently used go first. */
const maxCached = 500;
/** One cache per store: tests run several platforms in a process, each with its own documents. */
const caches = new WeakMap<DocStore, Map<string, NarrativeState>>();

function cacheOf(store: DocStore): Map<string, NarrativeState> {
  let cache = caches.get(store);
  if (!cache) {
    cache = new Map();
    caches.set(store, cache);
  }
  return cache;
}

const cacheKey = (scope: MemoryScope): string => `${scope.tenantId}/${scope.endUserKey}/${scope.scopeKey}`;

/**
 * The end user's memories and statements in the scope. One document read when nothing changed since this
 * instance last loaded them (the end user's `rev` is what every memory write bumps, in the same transaction),
 * so recall stays cheap with thousands of memories and is never stale across instances.
 */
export async function loadNarrative(deps: Deps, scope: MemoryScope): Promise<NarrativeState> {
  const snap = await deps.store.get(endUserPath(scope.tenantId, scope.endUserKey));
  if (!snap) return emptyState;
  const rev = endUserSchema.parse(snap.data).rev;
  const cache = cacheOf(deps.store);
  const key = cacheKey(scope);
  const cached = cache.get(key);
  if (cached && cached.rev === rev) {
    // Most recently used last: the first entry is the one to evict.
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const where = [
    { field: "endUserKey", op: "==", value: scope.endUserKey },
    { field: "scopeKey", op: "==", value: scope.scopeKey },
  ] as const;
  const [memorySnaps, statementSnaps] = await Promise.all([
    deps.store.query({
      collection: memoriesPath(scope.tenantId),
      where,
      orderBy: [{ field: "createdAt", direction: "desc" }],
      limit: maxMemoriesPerScope,
    }),
    deps.store.query({
      collection: statementsPath(scope.tenantId),
      where,
      orderBy: [{ field: "createdAt", direction: "desc" }],
      limit: maxStatements,
    }),
  ]);
  const memories = memorySnaps.map((s) => ({ id: s.id, ...parseMemory(s.data) }));
  const statements = statementSnaps.map((s) => ({ id: s.id, ...statementSchema.parse(s.data) }));
  const state: NarrativeState = {
    rev,
    memories,
    statements,
    terms: new Map(memories.map((m) => [m.id, new Set(memoryTerms(m))])),
  };
  cache.set(key, state);
  if (cache.size > maxCached) cache.delete(cache.keys().next().value as string);
  return state;
}

const memoryFields = memorySchema.omit({ embedding: true });

/**
 * A stored memory, checked. The vector is checked by hand: validating a thousand 1,536-number arrays element by
 * element with zod is most of the time a cold load takes.
 */
function parseMemory(data: unknown): Memory {
  const { embedding, ...rest } = (data ?? {}) as { embedding?: unknown };
  const fields = memoryFields.parse(rest);
  const vector =
    Array.isArray(embedding) && typeof embedding[0] === "number" ? (embedding as number[]) : null;
  return { ...fields, embedding: vector };
}

/** Drops every cached state of this store (tests; an erasure, which must not leave copies behind). */
export function forgetNarrativeCache(store: DocStore, tenantId?: string, endUserKey?: string): void {
  const cache = caches.get(store);
  if (!cache) return;
  if (!tenantId) return cache.clear();
  const prefix = endUserKey ? `${tenantId}/${endUserKey}/` : `${tenantId}/`;
  for (const key of [...cache.keys()]) if (key.startsWith(prefix)) cache.delete(key);
}

const memoryTerms = (m: Pick<Memory, "text" | "value" | "key">): string[] =>
  tokenize(`${m.text} ${m.value} ${(m.key ?? "").replace(/[:_-]/g, " ")}`);

/** Whether a memory may be recalled at `now`: current, not expired, within the agent's retention. */
export function isLive(m: Memory, now: Date, retentionDays: number): boolean {
  if (m.status !== "active") return false;
  if (m.expiresAt && m.expiresAt <= now.toISOString()) return false;
  return Date.parse(m.createdAt) > now.getTime() - retentionDays * 86_400_000;
}

export interface RecalledMemory {
  readonly memory: MemoryRecord;
  /** The marker it is shown under: M1, M2... */
  readonly ref: string;
  readonly score: number;
  readonly keywordScore: number;
  readonly vectorScore: number | null;
}

/** The most memories one turn is given. */
export const maxRecalled = 6;
/** Below this blended score a memory is not relevant to the question (an a-priori floor: one shared rare word). */
const minRecallScore = 0.2;
/** Preferences (how to answer, how to reach them) apply to every question, relevant words or not. */
const alwaysRecalledKinds: ReadonlySet<string> = new Set(["preference"]);
const maxAlwaysRecalled = 2;

/**
 * The memories relevant to `question`, best first, numbered M1..: hybrid scores over the live memories (words
 * weighted by their rarity among this end user's memories, blended equally with vector similarity when both
 * sides have a vector of the current model), above a floor; preferences ride along whatever the question.
 * `queryVector` is the question's embedding when the caller has it (null: words only).
 */
export function recallFrom(
  state: NarrativeState,
  question: string,
  queryVector: readonly number[] | null,
  model: string,
  now: Date,
  retentionDays: number,
): RecalledMemory[] {
  const live = state.memories.filter((m) => isLive(m, now, retentionDays));
  if (live.length === 0) return [];
  const asked = new Set(tokenize(question));
  // Document frequency of each asked term among the live memories: a word every memory has says little.
  const df = new Map<string, number>();
  for (const m of live)
    for (const t of state.terms.get(m.id) ?? []) if (asked.has(t)) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string): number =>
    Math.log(1 + (live.length - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5));
  const queryNorm = queryVector ? queryNormOf(queryVector) : 0;
  let askedWeight = 0;
  for (const t of asked) askedWeight += idf(t);
  const scored = live.map((memory) => {
    const terms = state.terms.get(memory.id) ?? new Set<string>();
    let hit = 0;
    for (const t of asked) if (terms.has(t)) hit += idf(t);
    const keywordScore = askedWeight === 0 ? 0 : hit / askedWeight;
    const vectorScore =
      queryVector && memory.embedding && memory.embeddingModel === model
        ? Math.max(0, cosineSimilarity(memory.embedding, queryVector, queryNorm))
        : null;
    const score = vectorScore === null ? keywordScore : 0.5 * keywordScore + 0.5 * vectorScore;
    return { memory, keywordScore, vectorScore, score };
  });
  const relevant = scored
    .filter((s) => s.keywordScore > 0 && s.score >= minRecallScore)
    .sort((a, b) => b.score - a.score || b.memory.createdAt.localeCompare(a.memory.createdAt))
    .slice(0, maxRecalled);
  const chosen = new Set(relevant.map((s) => s.memory.id));
  const always = scored
    .filter((s) => alwaysRecalledKinds.has(s.memory.kind) && !chosen.has(s.memory.id))
    .sort((a, b) => b.memory.createdAt.localeCompare(a.memory.createdAt))
    .slice(0, Math.max(0, Math.min(maxAlwaysRecalled, maxRecalled - relevant.length)));
  return [...relevant, ...always].map((s, i) => ({
    ...s,
    ref: `M${i + 1}`,
    score: round3(s.score),
    keywordScore: round3(s.keywordScore),
    vectorScore: s.vectorScore === null ? null : round3(s.vectorScore),
  }));
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Recalls for a turn: loads the state (cached) and embeds the question only when there is a memory to match. */
export async function recallMemories(
  deps: Deps,
  scope: MemoryScope,
  question: string,
): Promise<{ state: NarrativeState; recalled: RecalledMemory[] }> {
  const state = await loadNarrative(deps, scope);
  const now = new Date(deps.clock.nowIso());
  const model = embeddingModelId(deps);
  const embedded = state.memories.some(
    (m) => m.embeddingModel === model && isLive(m, now, scope.settings.retentionDays),
  );
  const queryVector = embedded
    ? ((await deps.embedder.embed([question], { kind: "query" }))[0] ?? null)
    : null;
  return {
    state,
    recalled: recallFrom(state, question, queryVector, model, now, scope.settings.retentionDays),
  };
}

/** A recalled memory as evidence the model is shown (and the answer may cite) under its `M` marker. */
export function memoryEvidence(recalled: readonly RecalledMemory[]): Evidence[] {
  return recalled.map((r) => ({
    ref: r.ref,
    kbId: "",
    docId: `memory:${r.memory.id}`,
    docName: memoryDocName(r.memory),
    chunkId: `memory:${r.memory.id}`,
    text: r.memory.text,
    score: r.score,
    vectorScore: r.vectorScore,
    keywordScore: r.keywordScore,
    location: { startOffset: 0, endOffset: r.memory.text.length, headingPath: [] },
  }));
}

/** How a cited memory is named in explanations: what the end user said, and when. */
export function memoryDocName(m: Pick<Memory, "createdAt" | "method">): string {
  const day = m.createdAt.slice(0, 10);
  return m.method === "editor" ? `a note an editor added on ${day}` : `what you told me on ${day}`;
}

export const memoryIdOfCitation = (docId: string): string | null =>
  docId.startsWith("memory:") ? docId.slice("memory:".length) : null;

/** A memory as the API shows it: without its vector. */
export function memoryView(m: MemoryRecord): MemoryView {
  const { embedding: _embedding, embeddingModel: _model, ...rest } = m;
  return rest;
}

// ---------------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------------

/** A memory a turn (or an editor) adds. */
export interface NewMemory {
  readonly kind: Memory["kind"];
  readonly key: string | null;
  readonly value: string;
  readonly text: string;
  readonly confidence: number;
  readonly method: Memory["method"];
  readonly pattern: string | null;
  readonly source: Memory["source"];
  readonly expiresAt?: string | null;
  readonly editedBy?: string | null;
}

/** A memory a turn will write. */
export interface PlannedMemory {
  readonly id: string;
  readonly memory: NewMemory;
  readonly supersedes: MemoryRecord | null;
  embedding: number[] | null;
  embeddingModel: string | null;
}

/** What one turn changes in an end user's memory: applied by `applyMemoryChanges` inside a transaction. */
export interface MemoryChanges {
  /**
   * New memories, with the id each gets, the active one of the same key it supersedes, and its vector with the
   * embedding model that made it (null until embedded).
   */
  readonly created: readonly PlannedMemory[];
  /** Memories to delete (forgotten), with their history. */
  readonly deleted: readonly string[];
  /** Statements the answer made, and earlier statements it contradicted (flag id per statement id). */
  readonly statements: readonly { id: string; statement: Statement }[];
  readonly contradicted: ReadonlyMap<string, string>;
  /** The consistency flags recording those contradictions. */
  readonly flags: readonly { id: string; flag: ConsistencyFlag }[];
}

export const noMemoryChanges: MemoryChanges = {
  created: [],
  deleted: [],
  statements: [],
  contradicted: new Map(),
  flags: [],
};

export const hasMemoryChanges = (c: MemoryChanges): boolean =>
  c.created.length + c.deleted.length + c.statements.length + c.contradicted.size > 0;

/**
 * The new memories of a turn against the current state: each supersedes the active memory of its key (the
 * newer statement wins: "I moved to Berlin" replaces "I live in Paris", which stays as history); one that
 * repeats the active memory's value adds nothing. Ids come from `newId`.
 */
export function planMemories(
  state: NarrativeState,
  extracted: readonly NewMemory[],
  newId: () => string,
): MemoryChanges["created"] {
  const planned: PlannedMemory[] = [];
  const seenKeys = new Set<string>();
  for (const memory of extracted) {
    if (memory.key !== null) {
      // One memory per key per turn: the last statement of the message wins.
      if (seenKeys.has(memory.key)) {
        const at = planned.findIndex((p) => p.memory.key === memory.key);
        if (at >= 0) planned.splice(at, 1);
      }
      seenKeys.add(memory.key);
    }
    const current =
      memory.key === null
        ? null
        : (state.memories.find((m) => m.status === "active" && m.key === memory.key) ?? null);
    const sameText = state.memories.find(
      (m) => m.status === "active" && m.text.toLowerCase() === memory.text.toLowerCase(),
    );
    if (sameText || (current && current.value.toLowerCase() === memory.value.toLowerCase())) continue;
    planned.push({ id: newId(), memory, supersedes: current, embedding: null, embeddingModel: null });
  }
  return planned.slice(0, maxLearnedPerTurn);
}

/** The most memories one turn learns (an 8,000-character message could state dozens). */
export const maxLearnedPerTurn = 10;

/**
 * The memories to delete so the scope stays within `maxMemoriesPerScope` once `adding` more are written: the
 * oldest superseded versions first, then the oldest memories. Keeping the scope within the cap is what lets
 * `loadNarrative` read all of it with one bounded query.
 */
export function overCap(state: NarrativeState, adding: number, deleting: readonly string[]): string[] {
  const gone = new Set(deleting);
  const kept = state.memories.filter((m) => !gone.has(m.id));
  const excess = kept.length + adding - maxMemoriesPerScope;
  if (excess <= 0) return [];
  const oldestFirst = (a: MemoryRecord, b: MemoryRecord) => a.createdAt.localeCompare(b.createdAt);
  const victims = [
    ...kept.filter((m) => m.status === "superseded").sort(oldestFirst),
    ...kept.filter((m) => m.status === "active").sort(oldestFirst),
  ];
  return victims.slice(0, excess).map((m) => m.id);
}

/**
 * The memories to delete so `ids` are forgotten with their history: each with the versions it superseded (and
 * those they superseded). A version that replaced one of them stays: forgetting "I lived in Paris" from the
 * history does not forget "I live in Berlin".
 */
export function withHistory(state: NarrativeState, ids: readonly string[]): string[] {
  const byId = new Map(state.memories.map((m) => [m.id, m]));
  const out = new Set<string>();
  const todo = [...ids];
  while (todo.length > 0) {
    const id = todo.pop() as string;
    if (out.has(id)) continue;
    out.add(id);
    const m = byId.get(id);
    if (m?.supersedes) todo.push(m.supersedes);
    for (const other of state.memories) if (other.supersededBy === id) todo.push(other.id);
  }
  return [...out];
}

/**
 * Writes a turn's memory changes with `tx` (which has read the end user's document: `endUser` is what it
 * read, null when there is none yet) and bumps the end user's revision, so every instance reloads.
 */
export function applyMemoryChanges(
  tx: Transaction,
  scope: MemoryScope,
  endUser: { readonly exists: boolean; readonly rev: number; readonly agentIds: readonly string[] },
  changes: MemoryChanges,
  now: string,
): AppliedMemory {
  const { tenantId } = scope;
  const written: MemoryRecord[] = [];
  const retentionEnd = new Date(Date.parse(now) + scope.settings.retentionDays * 86_400_000).toISOString();
  for (const { id, memory, supersedes, embedding, embeddingModel } of changes.created) {
    const explicit = memory.expiresAt ?? null;
    const record: Memory = {
      endUserKey: scope.endUserKey,
      endUserRef: scope.endUserRef,
      scopeKey: scope.scopeKey,
      agentId: scope.scopeKey === "workspace" && memory.method === "editor" ? null : scope.agentId,
      kind: memory.kind,
      key: memory.key,
      value: memory.value,
      text: memory.text,
      confidence: memory.confidence,
      method: memory.method,
      pattern: memory.pattern,
      source: memory.source,
      status: "active",
      supersedes: supersedes?.id ?? null,
      supersededBy: null,
      supersededAt: null,
      createdAt: now,
      updatedAt: now,
      // Retention bounds every memory: the earlier of its own expiry and the agent's retention period.
      expiresAt: explicit && explicit < retentionEnd ? explicit : retentionEnd,
      editedBy: memory.editedBy ?? null,
      embeddingModel: embedding ? embeddingModel : null,
      embedding,
    };
    tx.create(memoryPath(tenantId, id), record);
    written.push({ id, ...record });
    if (supersedes && !changes.deleted.includes(supersedes.id))
      tx.update(memoryPath(tenantId, supersedes.id), {
        status: "superseded",
        supersededBy: id,
        supersededAt: now,
        updatedAt: now,
      });
  }
  for (const id of changes.deleted) tx.delete(memoryPath(tenantId, id));
  for (const { id, statement } of changes.statements) tx.create(statementPath(tenantId, id), statement);
  for (const [statementId, flagId] of changes.contradicted)
    tx.update(statementPath(tenantId, statementId), { contradictedBy: flagId });
  for (const { id, flag } of changes.flags) tx.create(consistencyFlagPath(tenantId, id), flag);
  const agentIds = endUser.agentIds.includes(scope.agentId)
    ? [...endUser.agentIds]
    : [...endUser.agentIds, scope.agentId];
  // Only a change to what recall reads moves the revision: a turn that merely saw the end user keeps every
  // instance's cache.
  const rev = endUser.rev + (hasMemoryChanges(changes) ? 1 : 0);
  if (endUser.exists) tx.update(endUserPath(tenantId, scope.endUserKey), { rev, lastSeenAt: now, agentIds });
  else
    tx.create(endUserPath(tenantId, scope.endUserKey), {
      endUserRef: scope.endUserRef,
      firstSeenAt: now,
      lastSeenAt: now,
      rev,
      agentIds,
    });
  return { readRev: endUser.exists ? endUser.rev : null, rev, written, changes, now };
}

/** What a transaction wrote, for `rememberCommitted`. */
export interface AppliedMemory {
  /** The revision the transaction read (null: no end user document yet). */
  readonly readRev: number | null;
  readonly rev: number;
  readonly written: readonly MemoryRecord[];
  readonly changes: MemoryChanges;
  readonly now: string;
}

/**
 * After the turn's transaction committed: this instance knows the new state, so its cache moves to the new
 * revision instead of reading everything again on the next turn. When the transaction read another revision
 * than the one `state` was loaded at (another instance wrote in between), the entry is dropped instead.
 */
export function rememberCommitted(
  store: DocStore,
  scope: MemoryScope,
  state: NarrativeState,
  applied: AppliedMemory,
): void {
  const cache = cacheOf(store);
  const key = cacheKey(scope);
  if (applied.readRev !== state.rev || applied.rev === state.rev) {
    if (applied.readRev !== state.rev) cache.delete(key);
    return;
  }
  const { changes, now } = applied;
  const deleted = new Set(changes.deleted);
  const superseded = new Map(
    changes.created.filter((c) => c.supersedes).map((c) => [c.supersedes?.id as string, c.id]),
  );
  const memories = [
    ...applied.written,
    ...state.memories
      .filter((m) => !deleted.has(m.id))
      .map((m) => {
        const by = superseded.get(m.id);
        return by
          ? { ...m, status: "superseded" as const, supersededBy: by, supersededAt: now, updatedAt: now }
          : m;
      }),
  ].slice(0, maxMemoriesPerScope);
  const statements = [
    ...changes.statements.map((s) => ({ id: s.id, ...s.statement })),
    ...state.statements.map((s) => {
      const flag = changes.contradicted.get(s.id);
      return flag ? { ...s, contradictedBy: flag } : s;
    }),
  ].slice(0, maxStatements);
  const terms = new Map(state.terms);
  for (const id of deleted) terms.delete(id);
  for (const m of applied.written) terms.set(m.id, new Set(memoryTerms(m)));
  cache.delete(key);
  cache.set(key, { rev: applied.rev, memories, statements, terms });
}

/** Reads the end user's document in `tx` (before any write), for `applyMemoryChanges`. */
export async function readEndUser(
  tx: Transaction,
  scope: MemoryScope,
): Promise<{ exists: boolean; rev: number; agentIds: string[] }> {
  const snap = await tx.get(endUserPath(scope.tenantId, scope.endUserKey));
  if (!snap) return { exists: false, rev: 0, agentIds: [] };
  const endUser = endUserSchema.parse(snap.data);
  return { exists: true, rev: endUser.rev, agentIds: endUser.agentIds };
}
