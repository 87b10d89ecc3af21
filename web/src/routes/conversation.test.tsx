import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant } from "../test/fixtures";
import {
  customerConversation,
  customerConversationDocument,
  customerMessages,
  vacationTrace,
} from "../test/historyFixtures";
import {
  deferredResponse,
  errorResponse,
  jsonResponse,
  stubPlatform,
  type PlatformRoute,
} from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { pageRequests } from "../test/environmentFixtures";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const path = "/conversations/cnv_customer118";

function conversationPlatform(overrides: Record<string, PlatformRoute> = {}) {
  return stubPlatform({
    "GET /v1/conversations/cnv_customer118": () => jsonResponse(customerConversationDocument),
    "GET /v1/conversations/cnv_customer118/messages": () => jsonResponse({ messages: customerMessages }),
    "GET /v1/agents/agt_hr": () => jsonResponse(hrAssistant),
    "GET /v1/traces/trc_vacation": () => jsonResponse(vacationTrace),
    ...overrides,
  });
}

/** The definition list's value for a term. */
function fact(term: string) {
  const dt = screen.getByText(term, { selector: "dt" });
  return dt.nextElementSibling as HTMLElement;
}

describe("Conversation", () => {
  it("shows who talked to which agent, where and when", async () => {
    conversationPlatform();
    renderApp(path);

    expect(
      await screen.findByRole("heading", { level: 1, name: "Conversation with customer-118" }),
    ).toBeInTheDocument();
    expect(await within(fact("Agent")).findByRole("link", { name: "Acme HR assistant" })).toHaveAttribute(
      "href",
      "/agents/agt_hr",
    );
    expect(fact("Version")).toHaveTextContent("Published version (follows new releases)");
    expect(fact("Channel")).toHaveTextContent("REST API");
    expect(fact("End user")).toHaveTextContent("customer-118");
    expect(within(fact("Started")).getByText(/\d/)).toHaveAttribute(
      "dateTime",
      customerConversation.createdAt,
    );
    expect(fact("Last activity")).toHaveTextContent("12 minutes ago");
    expect(fact("Messages")).toHaveTextContent("4");
    expect(document.title).toBe("Conversation with customer-118 · Alchemist");
  });

  it("reads the messages in order, each answer with its confidence, sources and explanation", async () => {
    const user = userEvent.setup();
    conversationPlatform();
    renderApp(path);

    const messages = await screen.findByRole("list", { name: "Messages" });
    const items = within(messages).getAllByRole("listitem");
    expect(items.map((item) => item.getAttribute("aria-label"))).toEqual([
      "End user",
      "Agent",
      "End user",
      "Agent",
    ]);
    expect(items[0]).toHaveTextContent("How many vacation days do I get?");
    expect(items[2]).toHaveTextContent("What is the salary of my manager?");

    const vacation = items[1] as HTMLElement;
    expect(vacation).toHaveTextContent("Full-time employees receive 25 vacation days per calendar year.");
    expect(within(vacation).getByText("Confidence 73%")).toBeInTheDocument();
    expect(vacation).toHaveTextContent("answered by version 2");
    expect(within(vacation).queryByText("Abstained")).not.toBeInTheDocument();
    await user.click(within(vacation).getByRole("button", { name: "Why this answer" }));
    expect(await within(vacation).findByText(/2 of 2 sentence\(s\) were supported/)).toBeVisible();

    await user.click(within(vacation).getByRole("button", { name: "[1] employee-handbook.md" }));
    const dialog = await screen.findByRole("dialog", { name: "[1] employee-handbook.md" });
    expect(dialog).toHaveTextContent("Full-time employees receive 25 vacation days per calendar year.");
    expect(dialog).toHaveTextContent("Location: Acme Corp Employee Handbook › Time off › Vacation");
    await user.click(within(dialog).getByRole("button", { name: "Close" }));

    const declined = items[3] as HTMLElement;
    expect(declined).toHaveTextContent(
      "I'm sorry, I can't help with questions about salaries of colleagues.",
    );
    expect(within(declined).getByText("Abstained")).toBeInTheDocument();
    expect(within(declined).queryByText(/Confidence/)).not.toBeInTheDocument();
  });

  it("says how far a WhatsApp answer got, and why one was not delivered", async () => {
    const [, first, , second] = customerMessages as unknown as Record<string, unknown>[];
    conversationPlatform({
      "GET /v1/conversations/cnv_customer118/messages": () =>
        jsonResponse({
          messages: [
            customerMessages[0],
            { ...first, delivery: { status: "read", at: "2026-11-25T14:40:00.000Z", error: null } },
            customerMessages[2],
            {
              ...second,
              delivery: {
                status: "not-sent",
                at: "2026-11-25T14:41:00.000Z",
                error: { code: "131047", message: "More than 24 hours have passed" },
              },
            },
          ],
        }),
    });
    renderApp(path);

    const messages = await screen.findByRole("list", { name: "Messages" });
    const items = within(messages).getAllByRole("listitem");
    expect(items[1]).toHaveTextContent(/Read \(/);
    expect(within(items[1] as HTMLElement).queryByRole("alert")).not.toBeInTheDocument();
    const failure = within(items[3] as HTMLElement).getByRole("alert");
    expect(failure).toHaveTextContent(/^Not sent \(.+\): More than 24 hours have passed \(code 131047\)$/);
    // Answers of channels that answer in the response itself say nothing of delivery.
    expect(items[1]).not.toHaveTextContent(/Not sent/);
  });

  it("shows what an answer asked the end user to confirm, and how it was decided, without buttons", async () => {
    const [, first, , second] = customerMessages as unknown as Record<string, unknown>[];
    const request = {
      method: "POST",
      url: "https://bank.example/v1/transfers",
      headers: { authorization: "Bearer ***" },
      body: '{"amount":"25.00","payeeId":"pay_1"}',
    };
    const asked = (id: string, status: string) => ({
      id,
      toolName: "createTransfer",
      summary: `createTransfer: POST ${request.url} ${request.body}`,
      request,
      expiresAt: "2026-11-25T14:50:00.000Z",
      status,
    });
    conversationPlatform({
      "GET /v1/conversations/cnv_customer118/messages": () =>
        jsonResponse({
          messages: [
            customerMessages[0],
            { ...first, confirmation: asked("cnf_1", "confirmed") },
            customerMessages[2],
            { ...second, confirmation: asked("cnf_2", "pending") },
          ],
        }),
    });
    renderApp(path);

    const messages = await screen.findByRole("list", { name: "Messages" });
    const items = within(messages).getAllByRole("listitem");
    const decided = within(items[1] as HTMLElement).getByRole("alert", {
      name: "Confirmation for createTransfer",
    });
    expect(decided).toHaveTextContent("POST https://bank.example/v1/transfers");
    expect(decided).toHaveTextContent('"amount": "25.00"');
    expect(within(decided).getByText("Confirmed")).toBeInTheDocument();
    const waiting = within(items[3] as HTMLElement).getByRole("alert", {
      name: "Confirmation for createTransfer",
    });
    expect(within(waiting).getByText("Waiting for the end user's confirmation")).toBeInTheDocument();
    // Whoever reads the history is not the end user: nothing to decide here.
    expect(within(messages).queryByRole("button", { name: "Confirm" })).not.toBeInTheDocument();
  });

  it("refuses a delivery it cannot read instead of showing it wrong", async () => {
    const [, first] = customerMessages as unknown as Record<string, unknown>[];
    conversationPlatform({
      "GET /v1/conversations/cnv_customer118/messages": () =>
        jsonResponse({
          messages: [
            customerMessages[0],
            { ...first, delivery: { status: "lost", at: "2026-11-25T14:40:00.000Z", error: null } },
          ],
        }),
    });
    renderApp(path);
    expect(await screen.findByText(/not a list of messages|invalid|could not/i)).toBeInTheDocument();
  });

  it("shows the decision trace of an answer on request", async () => {
    const user = userEvent.setup();
    const platform = conversationPlatform();
    renderApp(path);

    const messages = await screen.findByRole("list", { name: "Messages" });
    expect(platform.sent("GET /v1/traces/trc_vacation")).toHaveLength(0);
    const vacation = within(messages).getAllByRole("listitem")[1] as HTMLElement;
    await user.click(within(vacation).getByRole("button", { name: "Trace" }));

    const trace = await screen.findByRole("region", { name: "Trace" });
    expect(await within(trace).findByText("Status: answered")).toBeInTheDocument();
    expect(trace).toHaveTextContent("Model: Built-in extractive responder");
    const candidates = within(trace).getByRole("table", { name: "Retrieval candidates" });
    expect(
      within(candidates)
        .getAllByRole("row")
        .map((r) => r.textContent),
    ).toEqual(["PassageScore", "[1] employee-handbook.md0.48", "[2] travel-and-expenses.html0.21"]);
    expect(within(trace).getByRole("table", { name: "Timings per step" })).toHaveTextContent("Total22 ms");
    expect(trace).toHaveTextContent("No tool was called.");
    expect(trace).toHaveTextContent("— supported, support 94%");
    expect(platform.sent("GET /v1/traces/trc_vacation")).toHaveLength(1);

    await user.click(within(trace).getByRole("button", { name: "Close trace" }));
    expect(screen.queryByRole("region", { name: "Trace" })).not.toBeInTheDocument();
  });

  it("says why a trace could not load, and Retry recovers", async () => {
    const user = userEvent.setup();
    const platform = conversationPlatform({
      "GET /v1/traces/trc_vacation": () => errorResponse(503, "unavailable", "The store is restarting."),
    });
    renderApp(path);

    const messages = await screen.findByRole("list", { name: "Messages" });
    await user.click(
      within(within(messages).getAllByRole("listitem")[1] as HTMLElement).getByRole("button", {
        name: "Trace",
      }),
    );
    const trace = await screen.findByRole("region", { name: "Trace" });
    const alert = await within(trace).findByRole("alert");
    expect(alert).toHaveTextContent("The store is restarting.");

    platform.routes["GET /v1/traces/trc_vacation"] = () => jsonResponse(vacationTrace);
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await within(trace).findByText("Status: answered")).toBeInTheDocument();
  });

  it("shows that it is loading until the platform answers", async () => {
    const messages = deferredResponse();
    conversationPlatform({ "GET /v1/conversations/cnv_customer118/messages": () => messages.promise });
    renderApp(path);

    expect(await screen.findByText("Loading the conversation…")).toBeInTheDocument();
    messages.resolve(jsonResponse({ messages: customerMessages }));
    expect(await screen.findByRole("list", { name: "Messages" })).toBeInTheDocument();
    expect(screen.queryByText("Loading the conversation…")).not.toBeInTheDocument();
  });

  it("says when a conversation has no message yet", async () => {
    conversationPlatform({
      "GET /v1/conversations/cnv_customer118": () =>
        jsonResponse({ ...customerConversationDocument, messageCount: 0 }),
      "GET /v1/conversations/cnv_customer118/messages": () => jsonResponse({ messages: [] }),
    });
    renderApp(path);

    expect(
      await screen.findByText("No messages yet: the conversation was started, but nobody has written in it."),
    ).toBeInTheDocument();
    expect(screen.queryByRole("list", { name: "Messages" })).not.toBeInTheDocument();
  });

  it("says when the workspace has no such conversation", async () => {
    conversationPlatform({
      "GET /v1/conversations/cnv_gone": () =>
        errorResponse(404, "not-found", "Conversation cnv_gone not found"),
      "GET /v1/conversations/cnv_gone/messages": () =>
        errorResponse(404, "not-found", "Conversation cnv_gone not found"),
    });
    renderApp("/conversations/cnv_gone");

    expect(
      await screen.findByText(/This workspace has no conversation with the id cnv_gone/),
    ).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "← Conversations" })).toHaveAttribute("href", "/conversations");
  });

  it("says why the conversation could not load, and Retry recovers", async () => {
    const user = userEvent.setup();
    const platform = conversationPlatform({
      "GET /v1/conversations/cnv_customer118/messages": () =>
        errorResponse(500, "internal", "An internal error occurred. It has been logged."),
    });
    renderApp(path);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(
      "GET /v1/conversations/cnv_customer118/messages answered HTTP 500: An internal error occurred.",
    );
    platform.routes["GET /v1/conversations/cnv_customer118/messages"] = () =>
      jsonResponse({ messages: customerMessages });
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("list", { name: "Messages" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("names the agent by its id when the agent cannot be read", async () => {
    conversationPlatform({
      "GET /v1/agents/agt_hr": () => errorResponse(404, "not-found", "Agent agt_hr not found"),
    });
    renderApp(path);

    await screen.findByRole("list", { name: "Messages" });
    expect(within(fact("Agent")).getByRole("link", { name: "agt_hr" })).toHaveAttribute(
      "href",
      "/agents/agt_hr",
    );
  });

  it("tells a viewer who may read conversations, without asking the platform", async () => {
    signInAs(annSession({ role: "viewer" }));
    const platform = conversationPlatform();
    renderApp(path);

    expect(await screen.findByText(/only editors, admins and owners can read them/)).toBeInTheDocument();
    expect(pageRequests(platform.requests)).toHaveLength(0);
  });
});
