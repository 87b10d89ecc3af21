import { describe, expect, it } from "vitest";
import { customerConversation, customerMessages, partnerConversation } from "../../test/historyFixtures";
import { PlatformRequestError } from "../platform";
import { conversationListPath, parseConversationPage, parseTranscriptMessages } from "./history";

describe("asking for the history", () => {
  it("puts every filter and the cursor in the query string, encoded", () => {
    const path = conversationListPath(
      { agentId: "agt_hr", channel: "openai-compatible", from: "2025-03-01T00:00:00.000Z" },
      "eyJ1IjoiMjAyNS0wMy0wMVQwMDowMDowMC4wMDBaIn0+/=",
    );
    const url = new URL(path, "http://studio.test");
    expect(url.pathname).toBe("/v1/conversations");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      agentId: "agt_hr",
      channel: "openai-compatible",
      from: "2025-03-01T00:00:00.000Z",
      limit: "25",
      cursor: "eyJ1IjoiMjAyNS0wMy0wMVQwMDowMDowMC4wMDBaIn0+/=",
    });
  });
});

describe("reading the history", () => {
  it("reads a page of conversations as the platform lists it", () => {
    const page = parseConversationPage(
      { conversations: [customerConversation, partnerConversation], nextCursor: "next" },
      "/v1/conversations",
    );
    expect(page).toEqual({ conversations: [customerConversation, partnerConversation], nextCursor: "next" });
  });

  it("names the field of a listing it cannot read", () => {
    const read = () =>
      parseConversationPage(
        { conversations: [{ ...customerConversation, messageCount: "four" }], nextCursor: null },
        "/v1/conversations?limit=25",
      );
    expect(read).toThrow(PlatformRequestError);
    expect(read).toThrow(
      "GET /v1/conversations?limit=25 answered with something that is not a page of conversations (messageCount).",
    );
    expect(() => parseConversationPage({ conversations: [] }, "/v1/conversations")).toThrow(/nextCursor/);
  });

  it("reads a transcript: questions as they were asked, answers with their accountability", () => {
    const [question, answer] = parseTranscriptMessages(
      { messages: customerMessages },
      "/v1/conversations/cnv_customer118/messages",
    );
    expect(question).toEqual({
      role: "user",
      id: "msg_q1",
      content: "How many vacation days do I get?",
      createdAt: customerConversation.createdAt,
    });
    expect(answer).toMatchObject({
      role: "assistant",
      id: "msg_a1",
      answer: {
        confidence: 0.728,
        abstained: false,
        traceId: "trc_vacation",
        agentVersion: 2,
        citations: [{ ref: "1", docName: "employee-handbook.md" }],
      },
    });
    expect(() =>
      parseTranscriptMessages({ messages: [{ ...customerMessages[0], role: "system" }] }, "/v1/x"),
    ).toThrow(/not a list of messages \(role\)/);
  });
});
