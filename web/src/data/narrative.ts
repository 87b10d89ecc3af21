/**
 * The Global Narrative Framework as the studio sees it (functions/src/narrative/): the end users an agent with
 * long-term memory has talked to, what it remembers about each (memories, with their superseded history), the
 * contradictions found between what it told them over time (consistency flags), and where answers to the same
 * question changed across users and versions (drift). The platform's shapes, and the data layer's section.
 */

export const memoryKinds = ["fact", "preference", "commitment"] as const;
export type MemoryKind = (typeof memoryKinds)[number];

/** How a memory came to be: the documented rule patterns, a model, or an editor in the studio. */
export const memoryMethods = ["rules", "model", "editor"] as const;
export type MemoryMethod = (typeof memoryMethods)[number];

/** The platform's limit on a memory's text, repeated so the form can say so before sending. */
export const maxMemoryTextChars = 500;
/** The platform's bounds on an agent's retention of memories, in days. */
export const retentionDaysRange = { min: 1, max: 3650 } as const;

/** An end user as the list shows them. */
export interface EndUserSummary {
  /** The id of their records: a SHA-256 prefix of `endUserRef`, so no address spells the reference. */
  readonly endUserKey: string;
  /** As their conversations record it: `whatsapp:+49…`, `widget:…`, an API client's `user`. */
  readonly endUserRef: string;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  /** Agents with long-term memory that talked to them. */
  readonly agentIds: readonly string[];
  readonly memoryCount: number;
  /** Contradictions found in what the agents told them, not reviewed yet. */
  readonly openFlags: number;
}

export interface EndUserPage {
  readonly endUsers: readonly EndUserSummary[];
  /** Where the next page starts; null on the last page. */
  readonly nextCursor: string | null;
}

/** Where a memory was learned: the message, its turn's trace, and the words it came from. */
export interface MemorySource {
  readonly conversationId: string;
  readonly messageSeq: number;
  readonly traceId: string | null;
  readonly quote: string;
}

/** One remembered fact, preference or commitment (`MemoryView`: the stored memory without its vector). */
export interface Memory {
  readonly id: string;
  readonly endUserKey: string;
  /** `agent:{agentId}` or `workspace`: who recalls it. */
  readonly scopeKey: string;
  /** The agent that learned it (or an editor added it for); null for a workspace memory an editor added. */
  readonly agentId: string | null;
  readonly kind: MemoryKind;
  /** The slot it fills ("city"): a newer memory with the same key supersedes this one. */
  readonly key: string | null;
  /** The memory as the model reads it, addressed to the end user: "You live in Berlin." */
  readonly text: string;
  readonly confidence: number;
  readonly method: MemoryMethod;
  /** The rule pattern's id, the model's name, or the editor's account. */
  readonly pattern: string | null;
  readonly source: MemorySource | null;
  readonly status: "active" | "superseded";
  readonly supersedes: string | null;
  readonly supersededBy: string | null;
  readonly supersededAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string | null;
  readonly editedBy: string | null;
}

/** A passage a statement stood on. */
export interface StatementSource {
  readonly kbId: string;
  readonly docId: string;
  readonly docName: string;
  readonly quote: string;
}

/** A contradiction between an answer and what the agent told the same end user before. */
export interface ConsistencyFlag {
  readonly id: string;
  readonly agentId: string;
  readonly conversationId: string;
  readonly traceId: string;
  readonly createdAt: string;
  readonly earlier: {
    readonly claim: string;
    readonly conversationId: string;
    readonly traceId: string;
    readonly at: string;
    readonly sources: readonly StatementSource[];
  };
  readonly now: { readonly claim: string; readonly sources: readonly StatementSource[] };
  /** Why the two disagree ("states 20 where the source states 25"). */
  readonly reason: string;
  readonly status: ConsistencyFlagStatus;
  readonly reviewedBy: string | null;
  readonly reviewedAt: string | null;
}

export const consistencyFlagStatuses = ["open", "reviewed"] as const;
export type ConsistencyFlagStatus = (typeof consistencyFlagStatuses)[number];

export interface EndUserConversation {
  readonly id: string;
  readonly agentId: string;
  readonly channel: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly messageCount: number;
}

/** `GET /v1/end-users/{endUserKey}`: the end user, what is remembered, their conversations, the flags. */
export interface EndUserDetail {
  readonly endUser: {
    readonly endUserKey: string;
    readonly endUserRef: string;
    readonly firstSeenAt: string;
    readonly lastSeenAt: string;
    readonly agentIds: readonly string[];
  };
  /** Active first, then superseded; newest first within each. */
  readonly memories: readonly Memory[];
  readonly conversations: readonly EndUserConversation[];
  readonly flags: readonly ConsistencyFlag[];
}

/** An editor's new memory; `agentId` null remembers it for every agent in workspace scope. */
export interface NewMemory {
  readonly agentId: string | null;
  readonly kind: MemoryKind;
  readonly key?: string | null;
  readonly text: string;
  readonly expiresAt?: string | null;
}

export interface MemoryChange {
  readonly text?: string;
  readonly kind?: MemoryKind;
  readonly expiresAt?: string | null;
}

// ----- a memory and its history ------------------------------------------------------------------------

/** An active memory with the memories it replaced, newest first. */
export interface MemoryWithHistory {
  readonly memory: Memory;
  readonly history: readonly Memory[];
}

/**
 * The active memories, each with the chain of memories it superseded (following `supersedes`), in the
 * platform's order; superseded memories no active one leads to (their chain was cut by a retention sweep)
 * come apart, so nothing the platform sent is hidden.
 */
export function memoriesWithHistory(memories: readonly Memory[]): {
  readonly active: readonly MemoryWithHistory[];
  readonly unlinked: readonly Memory[];
} {
  const byId = new Map(memories.map((m) => [m.id, m]));
  const linked = new Set<string>();
  const active = memories
    .filter((m) => m.status === "active")
    .map((memory) => {
      const history: Memory[] = [];
      let next = memory.supersedes === null ? undefined : byId.get(memory.supersedes);
      // A chain is finite, but a malformed one must not loop forever.
      while (next && !linked.has(next.id) && next.status === "superseded") {
        linked.add(next.id);
        history.push(next);
        next = next.supersedes === null ? undefined : byId.get(next.supersedes);
      }
      return { memory, history };
    });
  const unlinked = memories.filter((m) => m.status === "superseded" && !linked.has(m.id));
  return { active, unlinked };
}

// ----- drift -------------------------------------------------------------------------------------------

export const driftStatuses = ["open", "reviewed", "dismissed"] as const;
export type DriftStatus = (typeof driftStatuses)[number];

export function isDriftStatus(value: string | null): value is DriftStatus {
  return driftStatuses.some((status) => status === value);
}

export interface DriftSource {
  readonly kbId: string;
  readonly docId: string;
  readonly docName: string;
  readonly version: number | null;
  readonly quote: string;
}

/** One answer to a canonical question, as its trace recorded it. */
export interface DriftAnswer {
  readonly traceId: string;
  /** Its conversation; null from a platform that does not say. */
  readonly conversationId: string | null;
  readonly answer: string;
  readonly abstained: boolean;
  readonly agentVersion: number | null;
  readonly at: string;
  readonly sources: readonly DriftSource[];
}

/** What changed between the two answers: the agent's version, or a document of its knowledge. */
export interface DriftCause {
  readonly type: "agent-version" | "knowledge" | (string & {});
  readonly description: string;
  readonly agentVersion?: { readonly from: number | null; readonly to: number | null };
  readonly document?: {
    readonly kbId: string;
    readonly docId: string;
    readonly docName: string;
    readonly fromVersion: number | null;
    readonly toVersion: number | null;
  };
}

/** The answer to the same question changed: flagged for review ("story loss"). */
export interface DriftFlag {
  readonly id: string;
  readonly agentId: string;
  readonly canonicalQuestionId: string;
  readonly question: string;
  readonly status: DriftStatus;
  readonly note: string | null;
  readonly createdAt: string;
  readonly reviewedBy: string | null;
  readonly reviewedAt: string | null;
  readonly before: DriftAnswer;
  readonly after: DriftAnswer;
  readonly causes: readonly DriftCause[];
  /** What differs between the two answers, in a sentence. */
  readonly difference: string;
}

export interface DriftQuery {
  readonly agentId?: string | undefined;
  readonly status?: DriftStatus | undefined;
}

export interface DriftPage {
  readonly flags: readonly DriftFlag[];
  readonly nextCursor: string | null;
}

/** The platform's limit on a review's note. */
export const maxDriftNoteChars = 2000;

export interface DriftReview {
  readonly status: DriftStatus;
  /** Why it was reviewed or dismissed; omitted when blank. */
  readonly note?: string;
}

// ----- in a trace ----------------------------------------------------------------------------------------

/** A memory recalled for a turn and shown to the model as `[M1]`. */
export interface TraceMemoryUsed {
  readonly ref: string;
  readonly memoryId: string;
  readonly kind: string;
  readonly key: string | null;
  readonly text: string;
  readonly score: number;
  /** The answer cited it. */
  readonly cited: boolean;
}

export interface TraceMemoryWritten {
  readonly memoryId: string;
  readonly kind: string;
  readonly key: string | null;
  /** The memory it replaced, if any. */
  readonly supersedes: string | null;
  readonly method: string;
}

export interface TraceContradiction {
  readonly statementId: string;
  readonly earlier: string;
  readonly earlierAt: string;
  readonly now: string;
  readonly reason: string;
  readonly flagId: string | null;
}

/** A trace's `memory` section: what the turn recalled, learned, forgot, and contradicted. */
export interface TraceMemory {
  readonly recalled: number;
  readonly used: readonly TraceMemoryUsed[];
  readonly written: readonly TraceMemoryWritten[];
  readonly forgotten: number;
  readonly contradictions: readonly TraceContradiction[];
}

// ----- the source section --------------------------------------------------------------------------

/** End users, their memories and flags, and drift (see source.ts for the whole interface). */
export interface NarrativeSource {
  /** End users whose reference contains `q` (every one without it), most recently seen first. */
  listEndUsers(
    query: { readonly q?: string | undefined },
    cursor: string | null,
    signal: AbortSignal,
  ): Promise<EndUserPage>;
  getEndUser(endUserKey: string, signal: AbortSignal): Promise<EndUserDetail>;
  /** Remembers what an editor wrote (method "editor"); a memory with the same key is superseded. */
  createMemory(endUserKey: string, memory: NewMemory): Promise<Memory>;
  updateMemory(endUserKey: string, memoryId: string, change: MemoryChange): Promise<Memory>;
  /** Deletes the memory and the history it superseded. */
  deleteMemory(endUserKey: string, memoryId: string): Promise<void>;
  reviewConsistencyFlag(
    endUserKey: string,
    flagId: string,
    status: ConsistencyFlagStatus,
  ): Promise<ConsistencyFlag>;

  /** Answers that changed, newest first. */
  listDriftFlags(query: DriftQuery, cursor: string | null, signal: AbortSignal): Promise<DriftPage>;
  reviewDriftFlag(flagId: string, review: DriftReview): Promise<DriftFlag>;
}

// ----- how pages name things -------------------------------------------------------------------------

export const memoryKindLabels: Readonly<Record<MemoryKind, string>> = {
  fact: "Fact",
  preference: "Preference",
  commitment: "Commitment",
};
