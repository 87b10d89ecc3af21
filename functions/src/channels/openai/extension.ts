/**
 * The accountability extension of the OpenAI-compatible APIs, as types a client can copy: every chat
 * completion and every response carries an `alchemist` field beside OpenAI's own, which clients that do not
 * know it ignore. Self-contained on purpose (it imports only the `openai` package's types), so the README can
 * show it whole and a TypeScript client can paste it to make `completion.alchemist` and `response.alchemist`
 * type-check. The tests hold it to what the server sends (extension.test.ts).
 */
import type OpenAI from "openai";

/** One source an answer's sentence cites. */
export interface AlchemistCitation {
  /** The marker the answer uses, e.g. "1" for [1]. */
  readonly ref: string;
  readonly kbId: string;
  readonly docId: string;
  readonly docName: string;
  /** The passage (GET /v1/knowledge-bases/{kbId}/chunks/{chunkId} shows it in context). */
  readonly chunkId: string;
  /** The exact sentence of the source that supports the claim. */
  readonly quote: string;
  /** The sentence of the answer this citation supports. */
  readonly claim?: string;
  readonly location: {
    readonly startOffset: number;
    readonly endOffset: number;
    readonly headingPath: readonly string[];
    readonly page?: number;
    readonly pageEnd?: number;
    readonly row?: number;
    readonly rowEnd?: number;
  };
  /** The passage's search score, 0..1. */
  readonly score: number;
}

/** The accountability of one answer. */
export interface AlchemistAnswer {
  readonly conversationId: string;
  readonly messageId: string;
  /** The decision trace: GET /v1/traces/{traceId}. */
  readonly traceId: string | null;
  readonly agentVersion: number | "draft" | null;
  readonly citations: readonly AlchemistCitation[];
  /** The probability that the answer is right, 0..1 (null when the agent declined a blocked topic). */
  readonly confidence: number | null;
  /** True when the agent said it could not answer from its sources (or declined). */
  readonly abstained: boolean;
  readonly explanation: string | null;
}

export type AlchemistChatCompletion = OpenAI.ChatCompletion & { readonly alchemist: AlchemistAnswer };
/** Only the chunk that finishes the answer carries `alchemist`. */
export type AlchemistChatCompletionChunk = OpenAI.ChatCompletionChunk & {
  readonly alchemist?: AlchemistAnswer;
};

export type AlchemistResponse = OpenAI.Responses.Response & { readonly alchemist: AlchemistAnswer };
/** The streamed events; the created, in-progress and completed ones carry the response with `alchemist`. */
export type AlchemistResponseStreamEvent =
  | Exclude<
      OpenAI.Responses.ResponseStreamEvent,
      | OpenAI.Responses.ResponseCreatedEvent
      | OpenAI.Responses.ResponseInProgressEvent
      | OpenAI.Responses.ResponseCompletedEvent
    >
  | (OpenAI.Responses.ResponseCreatedEvent & { readonly response: AlchemistResponse })
  | (OpenAI.Responses.ResponseInProgressEvent & { readonly response: AlchemistResponse })
  | (OpenAI.Responses.ResponseCompletedEvent & { readonly response: AlchemistResponse });
