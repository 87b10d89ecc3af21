import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, hrVersions } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
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
    {
      sentence: "Unused days never expire [1].",
      refs: ["1"],
      support: 1,
      verdict: "unsupported-removed",
      reason: "The sentence negates what the source states.",
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

/** The passage `annualLeave` cites, as `GET …/chunks/{chunkId}` answers it. */
const leavePassage = {
  id: "chk_leave_3",
  kbId: "kb_handbook",
  docId: "doc_leave",
  docName: "Leave policy.pdf",
  docType: "pdf",
  docVersion: 2,
  activeVersion: 2,
  index: 3,
  text:
    "Time off > Annual leave\n\nFull-time employees accrue 25 days of paid annual leave per calendar year. " +
    "Part-time employees accrue leave in proportion to their hours.",
  location: { startOffset: 1200, endOffset: 1650, headingPath: ["Time off", "Annual leave"], page: 3 },
};

function stubPlaygroundPlatform(answer: () => Response) {
  return stubPlatform({
    "GET /v1/agents/agt_hr": () => jsonResponse(hrAssistant),
    "GET /v1/agents/agt_hr/versions": () => jsonResponse({ versions: hrVersions }),
    "POST /v1/agents/agt_hr/conversations": () => jsonResponse({ id: "cnv_1", agentVersion: 2 }, 201),
    "POST /v1/conversations/cnv_1/messages": answer,
    "GET /v1/traces/trc_1": () => jsonResponse(trace),
    "GET /v1/knowledge-bases/kb_handbook/chunks/chk_leave_3": () => jsonResponse(leavePassage),
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
  it("talks as an end user when given a reference, so long-term memory remembers them", async () => {
    const platform = stubPlaygroundPlatform(() =>
      completeStream(frame("message", { message: checkedAnswer })),
    );
    renderApp("/agents/agt_hr/playground");
    const user = userEvent.setup();
    await user.type(
      await screen.findByRole("textbox", { name: "Talk as end user (optional)" }),
      " test:dana ",
    );
    await ask("How many days of annual leave do I get?");
    const thread = screen.getByRole("log", { name: "Conversation" });
    expect(await within(thread).findByText(checkedAnswer.content)).toBeInTheDocument();
    expect(platform.sent("POST /v1/agents/agt_hr/conversations")[0]?.body).toEqual({
      version: 2,
      endUserRef: "test:dana",
    });
  });

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

    // The default is the version conversations get (2); the message asked for a stream.
    expect(platform.sent("POST /v1/agents/agt_hr/conversations")[0]?.body).toEqual({ version: 2 });
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

  describe("a citation in context", () => {
    /** Opens the answer's citation, once the passage around it has loaded. */
    async function openCitation(
      answer = checkedAnswer,
      prepare: (platform: ReturnType<typeof stubPlaygroundPlatform>) => void = () => undefined,
    ) {
      const platform = stubPlaygroundPlatform(() => completeStream(frame("message", { message: answer })));
      prepare(platform);
      renderApp("/agents/agt_hr/playground");
      const { user } = await ask("How many days of annual leave do I get?");
      const name = `[${answer.citations[0]?.ref}] ${answer.citations[0]?.docName}`;
      await user.click(await screen.findByRole("button", { name }));
      const dialog = await screen.findByRole("dialog", { name });
      return { platform, user, dialog };
    }

    it("shows the whole passage with the quote marked, its headings, page and version", async () => {
      const { platform, dialog } = await openCitation();
      const passage = await within(dialog).findByRole("region", { name: "Passage" });
      expect(passage).toHaveTextContent("Part-time employees accrue leave in proportion to their hours.");
      expect(passage.querySelectorAll("mark")).toHaveLength(1);
      expect(passage.querySelector("mark")).toHaveTextContent(annualLeave.quote);
      expect(dialog).toHaveTextContent("Page 3 · Time off › Annual leave · version 2");
      expect(platform.sent("GET /v1/knowledge-bases/kb_handbook/chunks/chk_leave_3")).toHaveLength(1);
    });

    it("opens a PDF's original at the passage's page, and its text at the passage", async () => {
      const opened = vi.fn((_url?: string | URL) => ({ opener: {} }) as Window);
      vi.stubGlobal("open", opened);
      const objectUrls: Blob[] = [];
      vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
        objectUrls.push(blob as Blob);
        return "blob:http://localhost/pdf-1";
      });
      vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
      const { platform, user, dialog } = await openCitation();
      platform.routes["GET /v1/knowledge-bases/kb_handbook/documents/doc_leave/file"] = () =>
        new Response(new Uint8Array([0x25, 0x50, 0x44, 0x46]), {
          headers: { "Content-Type": "application/pdf" },
        });

      const text = await within(dialog).findByRole("link", { name: /Read it in the document's text/ });
      expect(text).toHaveAccessibleName("Read it in the document's text (opens in a new tab)");
      expect(text).toHaveAttribute("target", "_blank");
      expect(text).toHaveAttribute(
        "href",
        "/knowledge/kb_handbook/documents/doc_leave?version=2&start=1200&end=1650&heading=Annual+leave&page=3",
      );

      await user.click(within(dialog).getByRole("button", { name: "Open the PDF at page 3" }));
      await waitFor(() =>
        expect(opened).toHaveBeenCalledWith("blob:http://localhost/pdf-1#page=3", "_blank"),
      );
      const [request] = platform.sent("GET /v1/knowledge-bases/kb_handbook/documents/doc_leave/file");
      expect(request?.query.get("version")).toBe("2");
      expect(request?.authorization).toBe("Bearer als_ann_acme.signature");
      // Whatever the answer said it was, it opens as a PDF.
      expect(objectUrls[0]?.type).toBe("application/pdf");
    });

    it("offers a link when the browser blocks the new tab", async () => {
      vi.stubGlobal(
        "open",
        vi.fn(() => null),
      );
      vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:http://localhost/pdf-2");
      vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
      const { platform, user, dialog } = await openCitation();
      platform.routes["GET /v1/knowledge-bases/kb_handbook/documents/doc_leave/file"] = () =>
        new Response(new Uint8Array([0x25]), { headers: { "Content-Type": "application/pdf" } });

      await user.click(await within(dialog).findByRole("button", { name: "Open the PDF at page 3" }));
      expect(await within(dialog).findByText(/kept the PDF from opening a new tab/)).toBeInTheDocument();
      expect(within(dialog).getByRole("link", { name: "Open the PDF at page 3" })).toHaveAttribute(
        "href",
        "blob:http://localhost/pdf-2#page=3",
      );
    });

    it("opens a Markdown document's text at the passage; no PDF to open", async () => {
      const markdown = {
        ...annualLeave,
        docName: "employee-handbook.md",
        chunkId: "doc_hb-v1-4",
        docId: "doc_hb",
        location: { startOffset: 310, endOffset: 402, headingPath: ["Handbook", "Vacation"] },
      };
      const platform = stubPlaygroundPlatform(() =>
        completeStream(frame("message", { message: { ...checkedAnswer, citations: [markdown] } })),
      );
      platform.routes["GET /v1/knowledge-bases/kb_handbook/chunks/doc_hb-v1-4"] = () =>
        jsonResponse({
          ...leavePassage,
          id: "doc_hb-v1-4",
          docId: "doc_hb",
          docName: "employee-handbook.md",
          docType: "markdown",
          docVersion: 1,
          activeVersion: 1,
          location: markdown.location,
        });
      renderApp("/agents/agt_hr/playground");
      const { user } = await ask("How many vacation days?");
      await user.click(await screen.findByRole("button", { name: "[1] employee-handbook.md" }));
      const dialog = await screen.findByRole("dialog", { name: "[1] employee-handbook.md" });

      const link = await within(dialog).findByRole("link", { name: /Open the document here/ });
      expect(link).toHaveAttribute(
        "href",
        "/knowledge/kb_handbook/documents/doc_hb?version=1&start=310&end=402&heading=Vacation",
      );
      expect(within(dialog).queryByRole("button", { name: /Open the PDF/ })).not.toBeInTheDocument();
    });

    it("says when the passage is gone since, and still opens the document at its heading", async () => {
      const { dialog } = await openCitation(checkedAnswer, (platform) => {
        platform.routes["GET /v1/knowledge-bases/kb_handbook/chunks/chk_leave_3"] = () =>
          errorResponse(404, "not-found", "Passage chk_leave_3 not found");
      });
      expect(await within(dialog).findByText(/This passage is no longer stored/)).toBeInTheDocument();
      expect(dialog).toHaveTextContent(annualLeave.quote);
      expect(within(dialog).getByRole("link", { name: /Read it in the document's text/ })).toHaveAttribute(
        "href",
        "/knowledge/kb_handbook/documents/doc_leave?heading=Annual+leave",
      );
      expect(within(dialog).getByRole("button", { name: "Open the PDF at page 3" })).toBeInTheDocument();
    });

    it("reads nothing more for a tool's output, which has no document", async () => {
      const toolCitation = {
        ...annualLeave,
        ref: "T1",
        kbId: "",
        docId: "tool:lookup",
        docName: "Tool lookup",
        chunkId: "tool-call:c1",
      };
      const { platform, dialog } = await openCitation({ ...checkedAnswer, citations: [toolCitation] });
      expect(dialog).toHaveTextContent(annualLeave.quote);
      expect(within(dialog).queryByRole("region", { name: "Passage" })).not.toBeInTheDocument();
      expect(platform.requests.some((r) => r.path.includes("/chunks/"))).toBe(false);
    });
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
    expect(
      screen.getByText(/unsupported-removed, support 100%: The sentence negates what the source states\./),
    ).toBeInTheDocument();
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

    expect(await screen.findByRole("combobox", { name: "Version" })).toHaveTextContent("Version 2 (serving)");
    const user = userEvent.setup();
    const box = screen.getByRole("textbox", { name: "Message" });
    await user.type(box, "Line one{Shift>}{Enter}{/Shift}line two");
    expect(box).toHaveValue("Line one\nline two");
    expect(platform.sent("POST /v1/agents/agt_hr/conversations")).toHaveLength(0);

    await user.keyboard("{Enter}");
    expect(await screen.findByText(checkedAnswer.content)).toBeInTheDocument();
    expect(platform.sent("POST /v1/agents/agt_hr/conversations")[0]?.body).toEqual({ version: 2 });
  });

  it("offers every published version, the serving one chosen; another starts a new conversation on it", async () => {
    const platform = stubPlaygroundPlatform(() =>
      completeStream(frame("message", { message: { ...checkedAnswer, agentVersion: 1 } })),
    );
    renderApp("/agents/agt_hr/playground");
    const user = userEvent.setup();

    const select = await screen.findByRole("combobox", { name: "Version" });
    expect(select).toHaveTextContent("Version 2 (serving)");
    await user.click(select);
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      "Draft (unpublished changes)",
      "Version 2 (serving)",
      "Version 1",
    ]);
    await user.click(screen.getByRole("option", { name: "Version 1" }));
    expect(select).toHaveTextContent("Version 1");

    await ask("How many days of annual leave do I get?");
    expect(await screen.findByText("Answered by version 1")).toBeInTheDocument();
    expect(platform.sent("POST /v1/agents/agt_hr/conversations")[0]?.body).toEqual({ version: 1 });
  });

  it("starts on the version a link asks for: the draft from the builder, or a number", async () => {
    const platform = stubPlaygroundPlatform(() =>
      completeStream(frame("message", { message: { ...checkedAnswer, agentVersion: 1 } })),
    );
    const first = renderApp("/agents/agt_hr/playground?version=draft");
    expect(await screen.findByRole("combobox", { name: "Version" })).toHaveTextContent(
      "Draft (unpublished changes)",
    );
    first.unmount();

    renderApp("/agents/agt_hr/playground?version=1");
    expect(await screen.findByRole("combobox", { name: "Version" })).toHaveTextContent("Version 1");
    await ask("How many days of annual leave do I get?");
    expect(platform.sent("POST /v1/agents/agt_hr/conversations")[0]?.body).toEqual({ version: 1 });
  });

  it("ignores a version parameter that is not one", async () => {
    stubPlaygroundPlatform(() => completeStream(frame("message", { message: checkedAnswer })));
    renderApp("/agents/agt_hr/playground?version=latest");
    expect(await screen.findByRole("combobox", { name: "Version" })).toHaveTextContent("Version 2 (serving)");
  });

  it("still offers the serving version and the draft when the versions cannot be listed", async () => {
    const platform = stubPlaygroundPlatform(() =>
      completeStream(frame("message", { message: checkedAnswer })),
    );
    platform.routes["GET /v1/agents/agt_hr/versions"] = () => errorResponse(500, "internal", "Boom");
    renderApp("/agents/agt_hr/playground");
    const user = userEvent.setup();

    const select = await screen.findByRole("combobox", { name: "Version" });
    expect(await screen.findByText(/Earlier versions could not be listed/)).toBeInTheDocument();
    await user.click(select);
    expect((await screen.findAllByRole("option")).map((o) => o.textContent)).toEqual([
      "Draft (unpublished changes)",
      "Version 2 (serving)",
    ]);
  });
});

describe("Playground: a tool's write waits for the user", () => {
  const transferBody = JSON.stringify({ fromAccountId: "acc_1", payeeId: "pay_1", amount: "25.00" });
  const asking = {
    ...checkedAnswer,
    id: "msg_4",
    content: "I prepared a transfer of 25.00 EUR to your landlord; please confirm it [T1].",
    citations: [],
    traceId: "trc_2",
    confirmation: {
      id: "cnf_1",
      toolName: "createTransfer",
      summary: `createTransfer: POST https://bank.example/v1/transfers ${transferBody}`,
      request: {
        method: "POST",
        url: "https://bank.example/v1/transfers",
        headers: { accept: "application/json", authorization: "Bearer ***" },
        body: transferBody,
      },
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      status: "pending",
    },
  };
  const done = {
    ...checkedAnswer,
    id: "msg_6",
    content: "Transfer trf_1 of 25.00 EUR is completed [T1].",
    citations: [],
    traceId: "trc_3",
  };

  it("shows exactly what will be sent, and sends the decision only when the user confirms", async () => {
    const platform = stubPlaygroundPlatform(() => completeStream(frame("message", { message: asking })));
    platform.routes["POST /v1/conversations/cnv_1/confirmations/cnf_1"] = () =>
      completeStream(frame("delta", { text: "Transfer trf_1 " }) + frame("message", { message: done }));
    renderApp("/agents/agt_hr/playground");
    const { user } = await ask("Send 25 euros to my landlord");

    const card = await screen.findByRole("alert", { name: "Confirmation for createTransfer" });
    expect(within(card).getByText("Confirm createTransfer?")).toBeInTheDocument();
    expect(card).toHaveTextContent("POST https://bank.example/v1/transfers");
    expect(card).toHaveTextContent("authorization: Bearer ***");
    expect(card).toHaveTextContent('"amount": "25.00"');
    expect(platform.sent("POST /v1/conversations/cnv_1/confirmations/cnf_1")).toHaveLength(0);

    await user.click(within(card).getByRole("button", { name: "Confirm" }));
    const thread = screen.getByRole("log", { name: "Conversation" });
    expect(await within(thread).findByText(done.content)).toBeInTheDocument();
    expect(platform.sent("POST /v1/conversations/cnv_1/confirmations/cnf_1")[0]?.body).toEqual({
      decision: "confirm",
      stream: true,
    });
    expect(within(thread).getByText("Confirmed: createTransfer")).toBeInTheDocument();
    expect(within(card).queryByRole("button", { name: "Confirm" })).not.toBeInTheDocument();
    expect(within(card).getByText("Confirmed")).toBeInTheDocument();
  });

  it("says why when the platform refuses the decision (expired), and sends nothing else", async () => {
    const platform = stubPlaygroundPlatform(() => completeStream(frame("message", { message: asking })));
    platform.routes["POST /v1/conversations/cnv_1/confirmations/cnf_1"] = () =>
      errorResponse(409, "aborted", "Confirmation cnf_1 expired at 10:00: nothing was sent.");
    renderApp("/agents/agt_hr/playground");
    const { user } = await ask("Send 25 euros to my landlord");
    const card = await screen.findByRole("alert", { name: "Confirmation for createTransfer" });
    await user.click(within(card).getByRole("button", { name: "Cancel" }));
    expect(await screen.findByText(/expired at 10:00: nothing was sent/)).toBeInTheDocument();
    expect(platform.sent("POST /v1/conversations/cnv_1/confirmations/cnf_1")[0]?.body).toEqual({
      decision: "cancel",
      stream: true,
    });
  });
});
