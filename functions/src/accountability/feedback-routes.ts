/**
 * Feedback's REST routes: rate an answer (thumbs up or down, an optional comment), take the rating back, and
 * list the workspace's feedback. Finding the answer, and deciding whether the caller may see its
 * conversation, is the Agent Engine's (which this service may not import): `channels/api/routes.ts` passes it
 * in as `openAnswer`.
 */
import { z } from "zod";
import type { Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { route, type Route } from "../platform/http/router.js";
import { idSchema } from "../platform/validation.js";
import {
  feedbackInput,
  feedbackSchema,
  listFeedback,
  rateAnswer,
  removeFeedback,
  type AnswerRef,
} from "./feedback.js";

/**
 * The answer `messageId` of conversation `conversationId`, if `caller` may see that conversation (the
 * credential that started it, or `conversations.view`); otherwise the conversation is not found.
 */
export type OpenAnswer = (
  deps: Deps,
  caller: Caller,
  conversationId: string,
  messageId: string,
) => Promise<AnswerRef>;

const params = z.object({ conversationId: idSchema, messageId: idSchema });

const feedbackResponse = feedbackSchema.extend({ id: z.string() });

export function feedbackRoutes(options: { openAnswer: OpenAnswer }): Route<unknown, unknown>[] {
  const { openAnswer } = options;
  return [
    route({
      method: "PUT",
      path: "/v1/conversations/{conversationId}/messages/{messageId}/feedback",
      summary:
        "Rate an answer: {rating: 'up' | 'down', comment?: up to 2,000 characters}. A second rating replaces the " +
        "first. The credential that started the conversation may rate its answers, as may anyone with " +
        "conversations.view (editors); the rating shows on the message as `feedback`",
      tag: "Feedback",
      permission: "conversations.converse",
      params,
      body: { kind: "json", schema: feedbackInput },
      response: feedbackResponse,
      handle: async ({ deps, caller, params: p, body }) => {
        const answer = await openAnswer(deps, caller, p.conversationId, p.messageId);
        return rateAnswer(deps, caller.tenantId, answer, body, caller.uid);
      },
    }),
    route({
      method: "DELETE",
      path: "/v1/conversations/{conversationId}/messages/{messageId}/feedback",
      summary:
        "Take an answer's rating back (from the feedback records and the message). Answers 204 whether or not " +
        "it was rated, so a retry is harmless",
      tag: "Feedback",
      permission: "conversations.converse",
      params,
      status: 204,
      handle: async ({ deps, caller, params: p }) => {
        const answer = await openAnswer(deps, caller, p.conversationId, p.messageId);
        await removeFeedback(deps, caller.tenantId, answer);
        return undefined;
      },
    }),
    route({
      method: "GET",
      path: "/v1/feedback",
      summary:
        "List feedback on answers, last rated first. Filters: ?agentId=, ?experimentId=, ?rating=up|down, " +
        "?from= and ?to= (last rated in [from, to): ISO dates or date-times with an offset). Pages: ?limit= " +
        "(1-200, default 50) and ?cursor= (the previous page's nextCursor; null on the last page)",
      tag: "Feedback",
      permission: "conversations.view",
      response: z.object({ feedback: z.array(feedbackResponse), nextCursor: z.string().nullable() }),
      handle: ({ deps, caller, request }) =>
        listFeedback(deps, caller.tenantId, Object.fromEntries(request.query)),
    }),
  ];
}
