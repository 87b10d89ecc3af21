/**
 * Feedback and corrections on answers, where people read them: the playground (thumbs up or down on each
 * answer) and a conversation's transcript (the rating, and an editor's correction, eval item and replay).
 */
import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrGoldenSet } from "../test/evaluationFixtures";
import { hrAssistant, hrVersions } from "../test/fixtures";
import { customerConversationDocument, customerMessages } from "../test/historyFixtures";
import { errorResponse, jsonResponse, stubPlatform, type PlatformRoute } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const rated = (rating: "up" | "down", comment: string | null) => ({
  id: "trc_vacation",
  traceId: "trc_vacation",
  conversationId: "cnv_customer118",
  messageId: "msg_a1",
  agentId: "agt_hr",
  agentVersion: 2,
  channel: "api",
  rating,
  comment,
  by: "acc_ann",
  experiment: null,
  createdAt: "2026-11-25T10:00:00.000Z",
  updatedAt: "2026-11-25T10:05:00.000Z",
});

const feedbackPath = "/v1/conversations/cnv_customer118/messages/msg_a1/feedback";

function transcriptPlatform(extra: Record<string, PlatformRoute> = {}) {
  return stubPlatform({
    "GET /v1/conversations/cnv_customer118": () => jsonResponse(customerConversationDocument),
    "GET /v1/conversations/cnv_customer118/messages": () => jsonResponse({ messages: customerMessages }),
    "GET /v1/agents/agt_hr": () => jsonResponse(hrAssistant),
    "GET /v1/eval/datasets": () => jsonResponse({ datasets: [hrGoldenSet] }),
    ...extra,
  });
}

/** The transcript's first answer, as a list item. */
async function firstAnswer() {
  const messages = await screen.findByRole("list", { name: "Messages" });
  return within(messages).getAllByRole("listitem", { name: "Agent" })[0]!;
}

describe("Rating answers in a transcript", { timeout: 30_000 }, () => {
  it("shows the rating an answer has, and changes it with a comment", async () => {
    const user = userEvent.setup();
    const platform = transcriptPlatform({
      "GET /v1/conversations/cnv_customer118/messages": () =>
        jsonResponse({
          messages: customerMessages.map((m) =>
            m.id === "msg_a1"
              ? { ...m, feedback: { rating: "up", comment: null, at: "2026-11-25T09:00:00.000Z" } }
              : m,
          ),
        }),
      [`PUT ${feedbackPath}`]: () => jsonResponse(rated("down", null)),
    });
    renderApp("/conversations/cnv_customer118");
    const answer = await firstAnswer();
    expect(within(answer).getByRole("button", { name: "Helpful" })).toHaveAttribute("aria-pressed", "true");
    expect(within(answer).getByText("Rated helpful.")).toBeInTheDocument();

    await user.click(within(answer).getByRole("button", { name: "Not helpful" }));
    expect(await within(answer).findByText("Rated not helpful.")).toBeInTheDocument();
    expect(within(answer).getByRole("button", { name: "Not helpful" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    expect(platform.sent(`PUT ${feedbackPath}`)[0]?.body).toEqual({ rating: "down" });

    // A thumbs down opens the comment box.
    platform.routes[`PUT ${feedbackPath}`] = () =>
      jsonResponse(rated("down", "Part-time staff are missing."));
    await user.type(
      within(answer).getByRole("textbox", { name: "Comment (optional)" }),
      "Part-time staff are missing.",
    );
    await user.click(within(answer).getByRole("button", { name: "Save comment" }));
    expect(await within(answer).findByText("Comment: “Part-time staff are missing.”")).toBeInTheDocument();
    expect(platform.sent(`PUT ${feedbackPath}`)[1]?.body).toEqual({
      rating: "down",
      comment: "Part-time staff are missing.",
    });
  });

  it("takes a rating back when the chosen thumb is pressed again, and says why a rating failed", async () => {
    const user = userEvent.setup();
    const platform = transcriptPlatform({
      [`PUT ${feedbackPath}`]: () => jsonResponse(rated("up", null)),
      [`DELETE ${feedbackPath}`]: () => new Response(null, { status: 204 }),
    });
    renderApp("/conversations/cnv_customer118");
    const answer = await firstAnswer();
    expect(within(answer).getByText("Not rated yet.")).toBeInTheDocument();
    await user.click(within(answer).getByRole("button", { name: "Helpful" }));
    expect(await within(answer).findByText("Rated helpful.")).toBeInTheDocument();
    await user.click(within(answer).getByRole("button", { name: "Helpful" }));
    expect(await within(answer).findByText("Rating removed.")).toBeInTheDocument();
    expect(platform.sent(`DELETE ${feedbackPath}`)).toHaveLength(1);

    platform.routes[`PUT ${feedbackPath}`] = () =>
      errorResponse(404, "not-found", "Message msg_a1 not found");
    await user.click(within(answer).getByRole("button", { name: "Not helpful" }));
    expect(await within(answer).findByText("The rating was not saved")).toBeInTheDocument();
    expect(within(answer).getByText(/Message msg_a1 not found/)).toBeInTheDocument();
  });
});

describe("Correcting an answer in a transcript", { timeout: 30_000 }, () => {
  it("saves an editor's correction, served as the reply to the same question", async () => {
    const user = userEvent.setup();
    const platform = transcriptPlatform({
      "POST /v1/annotations": () =>
        jsonResponse(
          {
            id: "trc_vacation",
            traceId: "trc_vacation",
            agentId: "agt_hr",
            conversationId: "cnv_customer118",
            messageId: "msg_a1",
            question: "How many vacation days do I get?",
            questionKey: "how many vacation days i get",
            original: customerMessages[1]!.content,
            corrected: "Full-time employees get 25 days; part-time staff pro rata.",
            note: "Part-time staff asked too.",
            serveAsReply: true,
            evalItem: { datasetId: "ds_golden", itemId: "itm_9" },
            by: "acc_ann",
            createdAt: "2026-11-25T10:06:00.000Z",
            updatedBy: "acc_ann",
            updatedAt: "2026-11-25T10:06:00.000Z",
          },
          201,
        ),
    });
    renderApp("/conversations/cnv_customer118");
    const answer = await firstAnswer();
    await user.click(within(answer).getByRole("button", { name: "Correct this answer" }));
    const dialog = await screen.findByRole("dialog", { name: "Correct this answer" });
    expect(within(dialog).getByText("How many vacation days do I get?")).toBeInTheDocument();
    const corrected = within(dialog).getByRole("textbox", { name: "Corrected answer" });
    expect(corrected).toHaveValue(customerMessages[1]!.content);
    await user.click(within(dialog).getByRole("button", { name: "Save the correction" }));
    expect(
      within(dialog).getByText("The correction is the same as the answer: change it first."),
    ).toBeInTheDocument();

    await user.clear(corrected);
    await user.type(corrected, "Full-time employees get 25 days; part-time staff pro rata.");
    await user.type(
      within(dialog).getByRole("textbox", { name: "Note (optional)" }),
      "Part-time staff asked too.",
    );
    await user.click(
      within(dialog).getByRole("checkbox", {
        name: "Serve this correction as the reply when the same question is asked again",
      }),
    );
    await user.click(within(dialog).getByRole("combobox", { name: "Also add it to the eval dataset" }));
    await user.click(await screen.findByRole("option", { name: "HR golden set" }));
    await user.click(within(dialog).getByRole("button", { name: "Save the correction" }));

    expect(
      await screen.findByText(
        "Correction saved: it is served for near-identical questions from now on, and added as an eval item.",
      ),
    ).toBeInTheDocument();
    expect(platform.sent("POST /v1/annotations")[0]?.body).toEqual({
      traceId: "trc_vacation",
      corrected: "Full-time employees get 25 days; part-time staff pro rata.",
      note: "Part-time staff asked too.",
      serveAsReply: true,
      datasetId: "ds_golden",
    });
  });

  it("adds an answer to a new dataset, and links a replay of its trace", async () => {
    const user = userEvent.setup();
    const platform = transcriptPlatform({
      "GET /v1/eval/datasets": () => jsonResponse({ datasets: [] }),
      "POST /v1/eval/datasets": () =>
        jsonResponse({ ...hrGoldenSet, id: "ds_new", name: "Leave questions", itemCount: 0 }, 201),
      "POST /v1/eval/datasets/ds_new/from-trace": () =>
        jsonResponse(
          {
            id: "itm_1",
            seq: 0,
            question: "How many vacation days do I get?",
            turns: null,
            expectedFacts: [],
            referenceAnswer: "Full-time employees receive 25 vacation days per calendar year.",
            expectedSources: ["employee-handbook.md"],
            shouldAbstain: false,
            tags: [],
            origin: { kind: "trace", traceId: "trc_vacation", conversationId: "cnv_customer118" },
            createdAt: "2026-11-25T10:06:00.000Z",
            updatedAt: "2026-11-25T10:06:00.000Z",
          },
          201,
        ),
    });
    renderApp("/conversations/cnv_customer118");
    const answer = await firstAnswer();
    expect(within(answer).getByRole("link", { name: "Replay against another version" })).toHaveAttribute(
      "href",
      "/evaluations/replays?trace=trc_vacation",
    );
    await user.click(within(answer).getByRole("button", { name: "Add to dataset" }));
    const dialog = await screen.findByRole("dialog", { name: "Add to an eval dataset" });
    await user.click(within(dialog).getByRole("button", { name: "Add" }));
    expect(within(dialog).getByText("Name the new dataset.")).toBeInTheDocument();
    await user.type(within(dialog).getByRole("textbox", { name: "New dataset's name" }), "Leave questions");
    await user.click(within(dialog).getByRole("button", { name: "Add" }));
    expect(await screen.findByText("Added to “Leave questions”.")).toBeInTheDocument();
    expect(platform.sent("POST /v1/eval/datasets")[0]?.body).toEqual({
      name: "Leave questions",
      description: "",
    });
    expect(platform.sent("POST /v1/eval/datasets/ds_new/from-trace")[0]?.body).toEqual({
      traceId: "trc_vacation",
    });
  });
});

// ----- the playground -------------------------------------------------------------------------------

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function streamed(text: string): Response {
  return new Response(text, { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

describe("Rating answers in the playground", { timeout: 30_000 }, () => {
  it("rates each answer of the conversation it is trying", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "GET /v1/agents/agt_hr": () => jsonResponse(hrAssistant),
      "GET /v1/agents/agt_hr/versions": () => jsonResponse({ versions: hrVersions }),
      "POST /v1/agents/agt_hr/conversations": () => jsonResponse({ id: "cnv_1", agentVersion: 2 }, 201),
      "POST /v1/conversations/cnv_1/messages": () =>
        streamed(
          frame("message", {
            message: {
              id: "msg_2",
              role: "assistant",
              content: "Full-time employees get 25 days.",
              citations: [],
              confidence: 0.8,
              abstained: false,
              explanation: null,
              traceId: "trc_1",
              agentVersion: 2,
              createdAt: new Date().toISOString(),
            },
          }),
        ),
      "PUT /v1/conversations/cnv_1/messages/msg_2/feedback": () =>
        jsonResponse({ ...rated("up", null), conversationId: "cnv_1", messageId: "msg_2", traceId: "trc_1" }),
    });
    renderApp("/agents/agt_hr/playground");
    const box = await screen.findByRole("textbox", { name: "Message" });
    await user.type(box, "How many vacation days?");
    await user.keyboard("{Enter}");
    const thread = screen.getByRole("log", { name: "Conversation" });
    expect(await within(thread).findByText("Full-time employees get 25 days.")).toBeInTheDocument();
    await user.click(within(thread).getByRole("button", { name: "Helpful" }));
    expect(await within(thread).findByText("Rated helpful.")).toBeInTheDocument();
    expect(platform.sent("PUT /v1/conversations/cnv_1/messages/msg_2/feedback")[0]?.body).toEqual({
      rating: "up",
    });
  });
});
