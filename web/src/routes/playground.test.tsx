import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** An event-stream answer the test writes to as it goes, as the platform streams a turn. */
function eventStream() {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    response: new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }),
    write: (text: string) => controller?.enqueue(encoder.encode(text)),
    close: () => controller?.close(),
  };
}

/** A stream that is already complete, cut mid-frame to prove the page does not rely on whole frames. */
function completeStream(text: string): Response {
  const stream = eventStream();
  const middle = Math.floor(text.length / 2);
  stream.write(text.slice(0, middle));
  stream.write(text.slice(middle));
  stream.close();
  return stream.response;
}

const annualLeave = {
  ref: "1",
  kbId: "kb_handbook",
  docId: "doc_leave",
  docName: "Leave policy.pdf",
  chunkId: "chk_leave_3",
  quote: "Full-time employees accrue 25 days of paid annual leave per calendar year.",
  location: { startOffset: 1200, endOffset: 1650, headingPath: ["Time off", "Annual leave"], page: 3 },
  score: 0.87,
};

const checkedAnswer = {
  id: "msg_2",
  role: "assistant",
  content: "Full-time employees get 25 days of paid annual leave per year [1].",
  citations: [annualLeave],
  confidence: 0.82,
  abstained: false,
  explanation: "Answered from 1 passage of the handbook; every sentence is supported.",
  traceId: "trc_1",
  agentVersion: "draft",
  usage: { inputTokens: 412, outputTokens: 38 },
  createdAt: new Date().toISOString(),
};

const trace = {
  id: "trc_1",
  conversationId: "cnv_1",
  messageId: "msg_2",
  agentId: "agt_hr",
  agentVersion: "draft",
  status: "answered",
  error: null,
  question: "How many days of annual leave do I get?",
  model: { provider: "local-extractive", model: "extractive-v1", label: "Local extractive responder" },
  retrieval: {
    queries: [{ text: "annual leave days", reason: "question" }],
    knowledgeBaseIds: ["kb_handbook"],
    candidates: [
      {
        ref: "1",
        query: 0,
        kbId: "kb_handbook",
        chunkId: "chk_leave_3",
        docId: "doc_leave",
        docName: "Leave policy.pdf",
        score: 0.87,
        vectorScore: 0.8,
        keywordScore: 0.9,
        injectionSignals: [],
      },
      {
        ref: "2",
        query: 0,
        kbId: "kb_handbook",
        chunkId: "chk_travel_1",
        docId: "doc_travel",
        docName: "Travel policy.pdf",
        score: 0.31,
        vectorScore: 0.3,
        keywordScore: 0.2,
        injectionSignals: [],
      },
    ],
  },
  toolCalls: [
    {
      step: 1,
      id: "call_1",
      name: "search_knowledge",
      arguments: "{}",
      status: "ok",
      output: "",
      error: null,
      durationMs: 12,
      refs: ["1"],
    },
  ],
  checks: [
    {
      sentence: "Full-time employees get 25 days of paid annual leave per year [1].",
      refs: ["1"],
      support: 0.92,
      verdict: "supported",
    },
  ],
  timingsMs: {
    guardrails: 0.4,
    retrieval: 18,
    context: 1.2,
    generation: 240,
    tools: 12,
    checks: 3,
    total: 275,
  },
};

function stubPlaygroundPlatform(answer: () => Response) {
  return stubPlatform({
    "GET /v1/agents/agt_hr": () => jsonResponse(hrAssistant),
    "POST /v1/agents/agt_hr/conversations": () => jsonResponse({ id: "cnv_1", agentVersion: "draft" }, 201),
    "POST /v1/conversations/cnv_1/messages": answer,
    "GET /v1/traces/trc_1": () => jsonResponse(trace),
  });
}

async function ask(question: string) {
  const user = userEvent.setup();
  const box = await screen.findByRole("textbox", { name: "Message" });
  await user.type(box, question);
  await user.keyboard("{Enter}");
  return { user, box };
}

describe("Playground", () => {
  it("streams the answer in, then shows the checked message in its place", async () => {
    const stream = eventStream();
    const platform = stubPlaygroundPlatform(() => stream.response);
    renderApp("/agents/agt_hr/playground");

    const { box } = await ask("How many days of annual leave do I get?");
    const thread = screen.getByRole("log", { name: "Conversation" });
    expect(await within(thread).findByText("How many days of annual leave do I get?")).toBeInTheDocument();
    expect(box).toBeDisabled();

    stream.write(frame("delta", { text: "Full-time employees get " }));
    stream.write(frame("delta", { text: "25 days" }));
    expect(await within(thread).findByText("Full-time employees get 25 days")).toBeInTheDocument();
    expect(within(thread).getByText("Writing…")).toBeInTheDocument();

    stream.write(frame("message", { message: checkedAnswer }));
    stream.close();
    expect(await within(thread).findByText(checkedAnswer.content)).toBeInTheDocument();
    expect(within(thread).queryByText("Full-time employees get 25 days")).not.toBeInTheDocument();
    expect(within(thread).getByText("Confidence 82%")).toBeInTheDocument();
    expect(within(thread).queryByText("Abstained")).not.toBeInTheDocument();
    await waitFor(() => expect(box).toBeEnabled());
    expect(box).toHaveValue("");

    // The editor's default is the draft; the message asked for a stream.
    expect(platform.sent("POST /v1/agents/agt_hr/conversations")[0]?.body).toEqual({ version: "draft" });
    expect(platform.sent("POST /v1/conversations/cnv_1/messages")[0]?.body).toEqual({
      content: "How many days of annual leave do I get?",
      stream: true,
    });
  });

  it("shows an abstention and the explanation on demand", async () => {
    stubPlaygroundPlatform(() =>
      completeStream(
        frame("message", {
          message: {
            ...checkedAnswer,
            content: "The handbook does not cover this. Please contact people@acme.example.",
            citations: [],
            confidence: 0.21,
            abstained: true,
            explanation: "No passage of the handbook mentions parking.",
          },
        }),
      ),
    );
    renderApp("/agents/agt_hr/playground");
    const { user } = await ask("Where can I park?");

    expect(await screen.findByText("Abstained")).toBeInTheDocument();
    expect(screen.getByText("Confidence 21%")).toBeInTheDocument();
    expect(screen.getByText("No passage of the handbook mentions parking.")).not.toBeVisible();
    await user.click(screen.getByRole("button", { name: "Why this answer" }));
    await waitFor(() =>
      expect(screen.getByText("No passage of the handbook mentions parking.")).toBeVisible(),
    );
  });

  it("opens a citation's passage with its quote and location", async () => {
    stubPlaygroundPlatform(() => completeStream(frame("message", { message: checkedAnswer })));
    renderApp("/agents/agt_hr/playground");
    const { user } = await ask("How many days of annual leave do I get?");

    await user.click(await screen.findByRole("button", { name: "[1] Leave policy.pdf" }));

    const dialog = await screen.findByRole("dialog", { name: "[1] Leave policy.pdf" });
    expect(dialog).toHaveTextContent(annualLeave.quote);
    expect(dialog).toHaveTextContent("Location: Page 3 · Time off › Annual leave");
  });

  it("shows the trace of an answer: timings, candidates, tool calls and checks", async () => {
    const platform = stubPlaygroundPlatform(() =>
      completeStream(frame("message", { message: checkedAnswer })),
    );
    renderApp("/agents/agt_hr/playground");
    const { user } = await ask("How many days of annual leave do I get?");

    await user.click(await screen.findByRole("button", { name: "Trace" }));

    const timings = await screen.findByRole("table", { name: "Timings per step" });
    expect(within(timings).getByRole("row", { name: "Generation 240 ms" })).toBeInTheDocument();
    expect(within(timings).getByRole("row", { name: "Total 275 ms" })).toBeInTheDocument();
    const candidates = screen.getByRole("table", { name: "Retrieval candidates" });
    expect(within(candidates).getByRole("row", { name: "[1] Leave policy.pdf 0.87" })).toBeInTheDocument();
    expect(within(candidates).getByRole("row", { name: "[2] Travel policy.pdf 0.31" })).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Tool calls" })).toHaveTextContent("search_knowledge");
    expect(screen.getByText("Status: answered")).toBeInTheDocument();
    expect(screen.getByText(/supported, support 92%/)).toBeInTheDocument();
    expect(platform.sent("GET /v1/traces/trc_1")).toHaveLength(1);
  });

  it("shows the platform's error and keeps the question in the box to try again", async () => {
    stubPlaygroundPlatform(() =>
      completeStream(
        frame("delta", { text: "Full-time" }) +
          frame("error", {
            error: { code: "unavailable", message: "The chat model did not answer in time." },
          }),
      ),
    );
    renderApp("/agents/agt_hr/playground");
    const { box } = await ask("How many days of annual leave do I get?");

    expect(await screen.findByRole("alert")).toHaveTextContent("The chat model did not answer in time.");
    expect(box).toHaveValue("How many days of annual leave do I get?");
    expect(box).toBeEnabled();
    expect(screen.queryByText("Full-time")).not.toBeInTheDocument();
  });

  it("shows an HTTP refusal the same way", async () => {
    stubPlaygroundPlatform(() => errorResponse(409, "failed-precondition", "Agent agt_hr is paused"));
    renderApp("/agents/agt_hr/playground");
    const { box } = await ask("Hello?");

    expect(await screen.findByRole("alert")).toHaveTextContent("Agent agt_hr is paused");
    expect(box).toHaveValue("Hello?");
  });

  it("talks to the published version for a viewer, and Shift+Enter starts a new line", async () => {
    signInAs(annSession({ role: "viewer" }));
    const platform = stubPlaygroundPlatform(() =>
      completeStream(frame("message", { message: checkedAnswer })),
    );
    renderApp("/agents/agt_hr/playground");

    expect(await screen.findByRole("combobox", { name: "Version" })).toHaveTextContent(
      "Version 2 (published)",
    );
    const user = userEvent.setup();
    const box = screen.getByRole("textbox", { name: "Message" });
    await user.type(box, "Line one{Shift>}{Enter}{/Shift}line two");
    expect(box).toHaveValue("Line one\nline two");
    expect(platform.sent("POST /v1/agents/agt_hr/conversations")).toHaveLength(0);

    await user.keyboard("{Enter}");
    expect(await screen.findByText(checkedAnswer.content)).toBeInTheDocument();
    expect(platform.sent("POST /v1/agents/agt_hr/conversations")[0]?.body).toEqual({ version: 2 });
  });
});
