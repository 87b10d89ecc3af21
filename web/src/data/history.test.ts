import { describe, expect, it } from "vitest";
import {
  customerConversation,
  customerMessages,
  partnerConversation,
  playgroundConversation,
} from "../test/historyFixtures";
import {
  conversationListPath,
  dayRange,
  mergeConversationPages,
  parseConversationPage,
  parseTranscriptMessages,
  startOfLocalDay,
} from "./history";
import { PlatformRequestError } from "./platform";

describe("the history's filters", () => {
  it("asks for days from the first midnight to the midnight after the last day, in the reader's time zone", () => {
    expect(dayRange("2025-03-01", "2025-03-31")).toEqual({
      from: new Date(2025, 2, 1).toISOString(),
      to: new Date(2025, 3, 1).toISOString(),
    });
    // The last day of a year rolls over into the next.
    expect(dayRange(undefined, "2025-12-31")).toEqual({ to: new Date(2026, 0, 1).toISOString() });
    expect(dayRange(undefined, undefined)).toEqual({});
  });

  it("refuses what is not a day of the calendar", () => {
    expect(startOfLocalDay("2025-02-29")).toBeUndefined();
    expect(startOfLocalDay("2024-02-29")).toEqual(new Date(2024, 1, 29));
    expect(startOfLocalDay("yesterday")).toBeUndefined();
    expect(startOfLocalDay("2025-3-1")).toBeUndefined();
  });

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

describe("the list on screen", () => {
  const at = (minutesAgo: number) =>
    new Date(Date.UTC(2025, 2, 3, 12, 0) - minutesAgo * 60_000).toISOString();
  const a = { ...customerConversation, id: "cnv_a", updatedAt: at(1) };
  const b = { ...playgroundConversation, id: "cnv_b", updatedAt: at(2) };
  const c = { ...partnerConversation, id: "cnv_c", updatedAt: at(3) };
  const d = { ...customerConversation, id: "cnv_d", updatedAt: at(4) };

  it("keeps what was shown below the live page, most recent activity first, each conversation once", () => {
    const fresher = { ...c, updatedAt: at(0), messageCount: 8 };
    expect(mergeConversationPages([fresher, a], [a, b, c, d]).map((x) => [x.id, x.messageCount])).toEqual([
      ["cnv_c", 8],
      ["cnv_a", a.messageCount],
      ["cnv_b", b.messageCount],
      ["cnv_d", d.messageCount],
    ]);
  });

  it("orders conversations with the same last activity as the platform does, by id descending", () => {
    const tie = at(5);
    const listed = mergeConversationPages(
      [{ ...a, id: "cnv_x", updatedAt: tie }],
      [
        { ...a, id: "cnv_y", updatedAt: tie },
        { ...a, id: "cnv_w", updatedAt: tie },
      ],
    );
    expect(listed.map((x) => x.id)).toEqual(["cnv_y", "cnv_x", "cnv_w"]);
  });
});
