/**
 * What people say about answers: a thumbs up or down with an optional comment on any answer (one per answer,
 * a second rating replaces the first), and an editor's correction of an answer (an annotation), which can be
 * served as the reply to near-identical questions later. The shapes the platform answers
 * (functions/src/accountability/feedback.ts, annotations.ts) and the data layer's section.
 */

export const ratings = ["up", "down"] as const;
export type Rating = (typeof ratings)[number];

/** The rating an answer carries, as its message shows it. */
export interface MessageFeedback {
  readonly rating: Rating;
  readonly comment: string | null;
  readonly at: string;
}

export interface FeedbackInput {
  readonly rating: Rating;
  readonly comment?: string;
}

/** An editor's correction of one answer (one per answer: keyed by its trace). */
export interface Annotation {
  readonly id: string;
  readonly traceId: string;
  readonly agentId: string;
  readonly question: string;
  readonly original: string;
  readonly corrected: string;
  readonly note: string;
  /** Served as the answer to near-identical questions to the agent. */
  readonly serveAsReply: boolean;
  /** The eval item made from it, when one was. */
  readonly evalItem: { readonly datasetId: string; readonly itemId: string } | null;
  readonly by: string;
  /** The conversation the answer was in (null once it is gone). */
  readonly conversationId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Who changed it last. */
  readonly updatedBy: string;
}

export interface AnnotationInput {
  readonly traceId: string;
  readonly corrected: string;
  readonly note: string;
  readonly serveAsReply: boolean;
  /** Also adds the corrected answer as an item of this eval dataset. */
  readonly datasetId?: string;
}

/** Rating needs `conversations.converse` (anyone who can talk to the agent); annotating `agents.manage`. */
export interface FeedbackSource {
  /** Rates an answer; answers the rating as stored. */
  rateAnswer(conversationId: string, messageId: string, input: FeedbackInput): Promise<MessageFeedback>;
  /** Takes a rating back. */
  clearAnswerRating(conversationId: string, messageId: string): Promise<void>;
  annotateAnswer(input: AnnotationInput): Promise<Annotation>;
  /** Corrections, newest first (the newest 200); needs `conversations.view`. */
  listAnnotations(signal: AbortSignal): Promise<Annotation[]>;
  /** No longer served as a reply; its eval item stays in its dataset. Needs `agents.manage`. */
  deleteAnnotation(annotationId: string): Promise<void>;
}

export const feedbackLimits = { comment: 2000, corrected: 8000, note: 2000 } as const;
