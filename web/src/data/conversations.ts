/**
 * Conversations with an agent, as the Playground holds them: the version a conversation talks to, the checked
 * answer with its citations, and the parts of an answer's decision trace the studio shows.
 */
import type { MessageFeedback } from "./feedback";
import type { TraceMemory } from "./narrative";

/** Which configuration a conversation talks to: the draft (editors only) or a published version. */
export type VersionChoice = "draft" | number;

export interface CitationLocation {
  readonly headingPath: readonly string[];
  readonly page?: number;
  readonly pageEnd?: number;
  readonly row?: number;
  readonly rowEnd?: number;
  /** Where the passage sits in its document version's extracted text. */
  readonly startOffset?: number;
  readonly endOffset?: number;
}

export interface Citation {
  /** The marker the answer used: "1" for [1]. */
  readonly ref: string;
  /** The knowledge base and document of the passage; empty for a tool's output, which has neither. */
  readonly kbId: string;
  readonly docId: string;
  readonly docName: string;
  readonly quote: string;
  /** The sentence of the answer the quote supports (each sentence has its own citation); absent on older answers. */
  readonly claim?: string;
  /** Set by the studio when several sentences cite this passage: each sentence with the quote supporting it. */
  readonly supports?: readonly { readonly claim: string; readonly quote: string }[];
  readonly location: CitationLocation;
  readonly score: number;
  readonly chunkId: string;
  /** Set when the answer cites something remembered about the end user ([M1]) rather than a passage. */
  readonly memoryId?: string;
}

/** A citation of a memory ([M1]): its `ref` starts with "M"; it has no knowledge base or document. */
export function isMemoryCitation(citation: Pick<Citation, "ref">): boolean {
  return /^M\d+$/.test(citation.ref);
}

/** A tool's write an answer asks its user to confirm (a transfer): exactly what will be sent, secrets masked. */
export interface Confirmation {
  readonly id: string;
  readonly toolName: string;
  /** One line: the tool, the method and URL, and the body. */
  readonly summary: string;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string | null;
  };
  readonly expiresAt: string;
  /** pending until decided; confirmed, cancelled, expired, or superseded (the conversation moved on). */
  readonly status: string;
}

export type ConfirmationDecision = "confirm" | "cancel";

export interface AssistantMessage {
  readonly id: string;
  readonly content: string;
  readonly citations: readonly Citation[];
  /** 0..1; null when the turn was declined before any retrieval. */
  readonly confidence: number | null;
  readonly abstained: boolean;
  readonly explanation: string | null;
  readonly traceId: string | null;
  readonly agentVersion: VersionChoice | null;
  /** Set when the answer asks its user to confirm a tool's write. */
  readonly confirmation?: Confirmation;
  /** The answer's rating (thumbs up or down, and a comment), when it has one. */
  readonly feedback?: MessageFeedback;
}

export interface TraceCandidate {
  readonly ref: string;
  readonly docName: string;
  readonly chunkId: string;
  readonly score: number;
}

export interface TraceToolCall {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly durationMs: number;
}

export interface TraceCheck {
  readonly sentence: string;
  readonly verdict: string;
  readonly support: number;
  /** Why a sentence that shared its source's words was still removed (a changed number, a flipped "not"). */
  readonly reason?: string;
}

/** The parts of `GET /v1/traces/{id}` the Playground shows. */
export interface Trace {
  readonly id: string;
  readonly status: string;
  readonly model: { readonly label: string; readonly model: string; readonly provider: string };
  /** Milliseconds per step (guardrails, retrieval, …, total), in the platform's order. */
  readonly timingsMs: readonly (readonly [step: string, ms: number])[];
  readonly candidates: readonly TraceCandidate[];
  readonly toolCalls: readonly TraceToolCall[];
  readonly checks: readonly TraceCheck[];
  /** What the turn recalled about its end user, learned, forgot and contradicted; absent without long-term memory. */
  readonly memory?: TraceMemory;
}
