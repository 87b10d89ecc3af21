/**
 * Ratings and corrections of answers over the platform's REST API (both modes: the platform writes the
 * feedback record and its mirror on the message together). The answers are read and checked at the edge.
 */
import { ratings, type Annotation, type FeedbackSource, type MessageFeedback } from "../feedback";
import { isRecord } from "../platform";
import { requestAsSignedIn } from "../session";
import {
  field,
  isBoolean,
  isInstant,
  isNullableString,
  isOneOf,
  isString,
  list,
  optional,
  parseWith,
  record,
  within,
} from "./shape";

export const feedbackPath = (conversationId: string, messageId: string) =>
  `/v1/conversations/${encodeURIComponent(conversationId)}/messages/${encodeURIComponent(messageId)}/feedback`;
export const annotationsPath = "/v1/annotations";

export const restFeedback: FeedbackSource = {
  async rateAnswer(conversationId, messageId, input) {
    const path = feedbackPath(conversationId, messageId);
    const comment = input.comment?.trim();
    const body = await requestAsSignedIn(path, {
      method: "PUT",
      body: { rating: input.rating, ...(comment ? { comment } : {}) },
    });
    return parseWith(() => parseFeedbackRecord(body), `PUT ${path}`, path, "a rating");
  },
  async clearAnswerRating(conversationId, messageId) {
    await requestAsSignedIn(feedbackPath(conversationId, messageId), { method: "DELETE" });
  },
  async annotateAnswer(input) {
    const body = await requestAsSignedIn(annotationsPath, { method: "POST", body: input });
    return parseWith(
      () => parseAnnotation(body),
      `POST ${annotationsPath}`,
      annotationsPath,
      "an annotation",
    );
  },
  async listAnnotations(signal) {
    const path = `${annotationsPath}?limit=200`;
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(
      () => list(body, "annotations").map((v, i) => within(`annotations[${i}]`, () => parseAnnotation(v))),
      `GET ${path}`,
      path,
      "a list of annotations",
    );
  },
  async deleteAnnotation(annotationId) {
    await requestAsSignedIn(`${annotationsPath}/${encodeURIComponent(annotationId)}`, { method: "DELETE" });
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

const isRating = isOneOf(ratings);

/** The feedback record a PUT answers, as the message shows it. */
export function parseFeedbackRecord(value: unknown): MessageFeedback {
  const f = record(value, "body");
  return {
    rating: field(f, "rating", isRating),
    comment: field(f, "comment", isNullableString),
    at: field(f, "updatedAt", isInstant),
  };
}

/** A message's `feedback` mirror; anything else (absent, malformed) is no rating. */
export function parseMessageFeedback(value: unknown): MessageFeedback | undefined {
  if (!isRecord(value) || !isRating(value.rating) || !isInstant(value.at)) return undefined;
  return {
    rating: value.rating,
    comment: typeof value.comment === "string" && value.comment !== "" ? value.comment : null,
    at: value.at,
  };
}

export function parseAnnotation(value: unknown): Annotation {
  const a = record(value, "body");
  const evalItem = a.evalItem === undefined || a.evalItem === null ? null : record(a.evalItem, "evalItem");
  return {
    id: field(a, "id", isString),
    traceId: field(a, "traceId", isString),
    agentId: field(a, "agentId", isString),
    question: field(a, "question", isString),
    original: field(a, "original", isString),
    corrected: field(a, "corrected", isString),
    note: optional(a, "note", isString, ""),
    serveAsReply: field(a, "serveAsReply", isBoolean),
    evalItem: evalItem && {
      datasetId: field(evalItem, "datasetId", isString),
      itemId: field(evalItem, "itemId", isString),
    },
    by: field(a, "by", isString),
    conversationId: optional(a, "conversationId", isString, null),
    createdAt: field(a, "createdAt", isInstant),
    updatedAt: field(a, "updatedAt", isInstant),
    updatedBy: optional(a, "updatedBy", isString, field(a, "by", isString)),
  };
}
