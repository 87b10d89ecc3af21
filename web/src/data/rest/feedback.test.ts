import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { parseAssistantMessage } from "./conversations";
import { restFeedback } from "./feedback";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const feedbackPath = "/v1/conversations/cnv_1/messages/msg_2/feedback";

const stored = {
  id: "trc_1",
  traceId: "trc_1",
  conversationId: "cnv_1",
  messageId: "msg_2",
  agentId: "agt_hr",
  agentVersion: 2,
  channel: "studio",
  rating: "down",
  comment: "It forgot part-time staff.",
  by: "acc_ann",
  experiment: null,
  createdAt: "2026-11-25T10:00:00.000Z",
  updatedAt: "2026-11-25T10:05:00.000Z",
};

describe("rating answers over REST", () => {
  it("sends the rating with a trimmed comment, and reads the rating back as the message shows it", async () => {
    const platform = stubPlatform({ [`PUT ${feedbackPath}`]: () => jsonResponse(stored) });
    const rating = await restFeedback.rateAnswer("cnv_1", "msg_2", {
      rating: "down",
      comment: "  It forgot part-time staff. ",
    });
    expect(platform.sent(`PUT ${feedbackPath}`)[0]?.body).toEqual({
      rating: "down",
      comment: "It forgot part-time staff.",
    });
    expect(rating).toEqual({
      rating: "down",
      comment: "It forgot part-time staff.",
      at: "2026-11-25T10:05:00.000Z",
    });
  });

  it("sends no comment at all when there is none, and takes a rating back with DELETE", async () => {
    const platform = stubPlatform({
      [`PUT ${feedbackPath}`]: () => jsonResponse({ ...stored, rating: "up", comment: null }),
      [`DELETE ${feedbackPath}`]: () => new Response(null, { status: 204 }),
    });
    await restFeedback.rateAnswer("cnv_1", "msg_2", { rating: "up", comment: "   " });
    await restFeedback.clearAnswerRating("cnv_1", "msg_2");
    expect(platform.sent(`PUT ${feedbackPath}`)[0]?.body).toEqual({ rating: "up" });
    expect(platform.sent(`DELETE ${feedbackPath}`)).toHaveLength(1);
  });

  it("reports the platform's refusal (a failed turn has no answer to rate)", async () => {
    stubPlatform({
      [`PUT ${feedbackPath}`]: () =>
        errorResponse(412, "failed-precondition", "Trace trc_1 is a failed turn: it has no answer to rate"),
    });
    await expect(restFeedback.rateAnswer("cnv_1", "msg_2", { rating: "up" })).rejects.toThrow(
      /HTTP 412: Trace trc_1 is a failed turn/,
    );
  });

  it("reads a message's rating, and ignores a malformed one rather than failing the transcript", () => {
    const message = { id: "msg_2", content: "25 days.", traceId: "trc_1" };
    expect(
      parseAssistantMessage({
        ...message,
        feedback: { rating: "up", comment: null, at: "2026-11-25T10:05:00.000Z" },
      })?.feedback,
    ).toEqual({ rating: "up", comment: null, at: "2026-11-25T10:05:00.000Z" });
    expect(parseAssistantMessage({ ...message, feedback: { rating: "meh" } })?.feedback).toBeUndefined();
    expect(parseAssistantMessage(message)?.feedback).toBeUndefined();
  });
});

describe("correcting answers over REST", () => {
  it("posts the correction and reads the annotation", async () => {
    const platform = stubPlatform({
      "POST /v1/annotations": () =>
        jsonResponse(
          {
            id: "trc_1",
            traceId: "trc_1",
            agentId: "agt_hr",
            conversationId: "cnv_1",
            messageId: "msg_2",
            question: "How many vacation days do I get?",
            questionKey: "how many vacation days i get",
            original: "20 days.",
            corrected: "Full-time employees get 25 days; part-time staff pro rata.",
            note: "",
            serveAsReply: true,
            evalItem: { datasetId: "ds_ann", itemId: "itm_1" },
            by: "acc_ann",
            createdAt: "2026-11-25T10:06:00.000Z",
            updatedBy: "acc_ann",
            updatedAt: "2026-11-25T10:06:00.000Z",
          },
          201,
        ),
    });
    const annotation = await restFeedback.annotateAnswer({
      traceId: "trc_1",
      corrected: "Full-time employees get 25 days; part-time staff pro rata.",
      note: "",
      serveAsReply: true,
    });
    expect(annotation).toMatchObject({
      id: "trc_1",
      serveAsReply: true,
      evalItem: { datasetId: "ds_ann", itemId: "itm_1" },
    });
    expect(platform.sent("POST /v1/annotations")[0]?.body).toEqual({
      traceId: "trc_1",
      corrected: "Full-time employees get 25 days; part-time staff pro rata.",
      note: "",
      serveAsReply: true,
    });
  });
});
