import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import {
  customerConversation,
  customerConversationDocument,
  customerMessages,
  manyConversations,
  partnerConversation,
  playgroundConversation,
  type ConversationListed,
} from "../test/historyFixtures";
import {
  deferredResponse,
  errorResponse,
  eventStreamResponse,
  jsonResponse,
  stubPlatform,
  type RecordedRequest,
} from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const archivedAgent = { ...itHelpdesk, id: "agt_old", name: "Old FAQ bot", status: "archived" };

/** The first page as the platform streams it to a watcher: one snapshot, and the stream stays open. */
function liveListing(conversations: readonly ConversationListed[], nextCursor: string | null = null) {
  const stream = eventStreamResponse();
  stream.send("snapshot", { conversations, nextCursor });
  return stream.response;
}

/** A platform with agents, and conversations answered by `listing` (the first page, or a later one). */
function historyPlatform(listing: (request: RecordedRequest) => Response | Promise<Response>) {
  return stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk, archivedAgent] }),
    "GET /v1/conversations": listing,
  });
}

function rowOf(name: string) {
  return screen.getByRole("row", { name: new RegExp(name) });
}

/** The filters a request asked for (everything but the page size). */
function filtersOf(request: RecordedRequest | undefined) {
  const query = new URLSearchParams(request?.query);
  expect(query.get("limit")).toBe("25");
  query.delete("limit");
  return Object.fromEntries(query);
}

/** The local midnight starting a day, as the platform receives it. */
const localMidnight = (year: number, month: number, day: number) =>
  new Date(year, month - 1, day).toISOString();

describe("Conversations", () => {
  it("lists conversations with their end user, agent, channel, size and last activity", async () => {
    const platform = historyPlatform(() =>
      liveListing([customerConversation, playgroundConversation, partnerConversation]),
    );
    renderApp("/conversations");

    const table = await screen.findByRole("table", { name: "Conversations" });
    expect(within(table).getAllByRole("row")).toHaveLength(4);

    const customer = rowOf("customer-118");
    expect(within(customer).getByRole("link", { name: "customer-118" })).toHaveAttribute(
      "href",
      "/conversations/cnv_customer118",
    );
    expect(customer).toHaveTextContent("Acme HR assistant");
    expect(customer).toHaveTextContent("Published");
    expect(customer).toHaveTextContent("REST API");
    expect(within(customer).getByText("12 minutes ago")).toHaveAttribute(
      "dateTime",
      customerConversation.updatedAt,
    );
    expect(within(customer).getAllByRole("cell")[3]).toHaveTextContent("4");

    const playground = rowOf("Anonymous end user");
    expect(playground).toHaveTextContent("IT helpdesk");
    expect(playground).toHaveTextContent("Draft");
    expect(playground).toHaveTextContent("Studio playground");
    expect(playground).toHaveTextContent("3 hours ago");

    const partner = rowOf("partner:travelco");
    expect(partner).toHaveTextContent("v1");
    expect(partner).toHaveTextContent("OpenAI-compatible API");
    expect(partner).toHaveTextContent("2 days ago");

    expect(screen.getByText("Showing all 3 conversations.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(filtersOf(platform.sent("GET /v1/conversations")[0])).toEqual({});
    // Archived agents keep their history, so the filter offers them.
    expect(platform.sent("GET /v1/agents")[0]?.query.get("includeArchived")).toBe("true");
  });

  it("shows that it is loading until the platform answers", async () => {
    const answer = deferredResponse();
    historyPlatform(() => answer.promise);
    renderApp("/conversations");

    expect(await screen.findByText("Loading conversations…")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();

    answer.resolve(liveListing([customerConversation]));
    expect(await screen.findByRole("table", { name: "Conversations" })).toBeInTheDocument();
    expect(screen.queryByText("Loading conversations…")).not.toBeInTheDocument();
  });

  it("filters by agent, channel and days, in the request and in the address", async () => {
    const user = userEvent.setup();
    const platform = historyPlatform((request) =>
      liveListing(
        request.query.get("agentId") === "agt_it"
          ? [playgroundConversation]
          : [customerConversation, playgroundConversation],
      ),
    );
    const { router } = renderApp("/conversations");
    await screen.findByRole("link", { name: "customer-118" });

    await user.click(screen.getByRole("combobox", { name: "Agent" }));
    const agents = await screen.findByRole("listbox");
    expect(
      within(agents)
        .getAllByRole("option")
        .map((o) => o.textContent),
    ).toEqual(["All agents", "Acme HR assistant", "IT helpdesk", "Old FAQ bot (archived)"]);
    await user.click(within(agents).getByRole("option", { name: "IT helpdesk" }));
    await waitFor(() => expect(screen.queryByRole("link", { name: "customer-118" })).not.toBeInTheDocument());
    expect(screen.getByRole("link", { name: "Anonymous end user" })).toBeInTheDocument();

    await user.click(screen.getByRole("combobox", { name: "Channel" }));
    await user.click(await screen.findByRole("option", { name: "Studio playground" }));
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2025-03-01" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2025-03-31" } });

    await waitFor(() =>
      expect(filtersOf(platform.sent("GET /v1/conversations").at(-1))).toEqual({
        agentId: "agt_it",
        channel: "studio",
        from: localMidnight(2025, 3, 1),
        // The To day is included: the window ends at the next midnight.
        to: localMidnight(2025, 4, 1),
      }),
    );
    expect(new URLSearchParams(router.state.location.search)).toEqual(
      new URLSearchParams({ agent: "agt_it", channel: "studio", from: "2025-03-01", to: "2025-03-31" }),
    );
    expect(filtersOf(platform.sent("GET /v1/conversations")[1])).toEqual({ agentId: "agt_it" });
  });

  it("opens a shared view with its filters from the address", async () => {
    const platform = historyPlatform(() => liveListing([customerConversation]));
    renderApp("/conversations?agent=agt_hr&channel=api&from=2025-03-01&to=2025-03-01");

    await screen.findByRole("link", { name: "customer-118" });
    expect(filtersOf(platform.sent("GET /v1/conversations")[0])).toEqual({
      agentId: "agt_hr",
      channel: "api",
      from: localMidnight(2025, 3, 1),
      to: localMidnight(2025, 3, 2),
    });
    expect(screen.getByRole("combobox", { name: "Agent" })).toHaveTextContent("Acme HR assistant");
    expect(screen.getByRole("combobox", { name: "Channel" })).toHaveTextContent("REST API");
    expect(screen.getByLabelText("From")).toHaveValue("2025-03-01");
    expect(screen.getByLabelText("To")).toHaveValue("2025-03-01");
  });

  it("ignores what the address cannot hold, and says when the days are reversed", async () => {
    const platform = historyPlatform(() => liveListing([customerConversation]));
    const { router } = renderApp("/conversations?channel=fax&from=2025-02-30&to=2025-03-01");

    await screen.findByRole("link", { name: "customer-118" });
    expect(filtersOf(platform.sent("GET /v1/conversations")[0])).toEqual({ to: localMidnight(2025, 3, 2) });

    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2025-03-05" } });
    expect(await screen.findByText(/The From day is after the To day/)).toBeInTheDocument();
    expect(screen.getByText("Pick a day on or after the From day.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    expect(platform.sent("GET /v1/conversations")).toHaveLength(1);
    expect(router.state.location.search).toContain("from=2025-03-05");
  });

  it("loads more conversations a page at a time, with the same filters", async () => {
    const user = userEvent.setup();
    const platform = historyPlatform((request) =>
      request.query.get("cursor") === "after-3"
        ? jsonResponse({ conversations: manyConversations(2, 3), nextCursor: null })
        : liveListing(manyConversations(3), "after-3"),
    );
    renderApp("/conversations?channel=api");

    const table = await screen.findByRole("table", { name: "Conversations" });
    expect(within(table).getAllByRole("row")).toHaveLength(4);
    expect(screen.getByText("Showing the 3 most recent conversations.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Load more" }));

    expect(await screen.findByRole("link", { name: "customer-504" })).toBeInTheDocument();
    const names = within(table)
      .getAllByRole("row")
      .slice(1)
      .map((row) => within(row).getByRole("link").textContent);
    expect(names).toEqual(["customer-500", "customer-501", "customer-502", "customer-503", "customer-504"]);
    expect(screen.getByText("Showing all 5 conversations.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(filtersOf(platform.sent("GET /v1/conversations")[1])).toEqual({
      channel: "api",
      cursor: "after-3",
    });
  });

  it("says when the next page could not load, and tries again", async () => {
    const user = userEvent.setup();
    let attempts = 0;
    historyPlatform((request) => {
      if (!request.query.get("cursor")) return liveListing(manyConversations(2), "after-2");
      attempts += 1;
      return attempts === 1
        ? errorResponse(503, "unavailable", "The store is busy; try again in a moment.")
        : jsonResponse({ conversations: manyConversations(1, 2), nextCursor: null });
    });
    renderApp("/conversations");
    await screen.findByRole("table", { name: "Conversations" });

    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "More conversations could not be loaded. The store is busy; try again in a moment.",
    );
    // What was already listed stays.
    expect(screen.getAllByRole("row")).toHaveLength(3);

    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("link", { name: "customer-502" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("adds a conversation as soon as the platform reports it", async () => {
    const stream = eventStreamResponse();
    historyPlatform(() => stream.response);
    renderApp("/conversations");

    stream.send("snapshot", { conversations: [partnerConversation], nextCursor: null });
    const table = await screen.findByRole("table", { name: "Conversations" });
    expect(within(table).getAllByRole("row")).toHaveLength(2);

    stream.send("snapshot", { conversations: [customerConversation, partnerConversation], nextCursor: null });
    expect(await screen.findByRole("link", { name: "customer-118" })).toBeInTheDocument();
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent("customer-118");
  });

  it("keeps the conversations loaded further down when new ones push the first page along", async () => {
    const user = userEvent.setup();
    const stream = eventStreamResponse();
    const first = manyConversations(3);
    historyPlatform((request) =>
      request.query.get("cursor")
        ? jsonResponse({ conversations: manyConversations(2, 3), nextCursor: null })
        : stream.response,
    );
    renderApp("/conversations");
    stream.send("snapshot", { conversations: first, nextCursor: "after-3" });
    await screen.findByRole("table", { name: "Conversations" });
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await screen.findByRole("link", { name: "customer-504" });

    // A new conversation arrives, and customer-501 gets a message: the live first page drops its oldest
    // (customer-502), which stays listed, and holds customer-501 once, fresher.
    const now = Date.now();
    const arrival = { ...customerConversation, updatedAt: new Date(now).toISOString() };
    const answered = { ...first[1], messageCount: 6, updatedAt: new Date(now - 1000).toISOString() };
    stream.send("snapshot", { conversations: [arrival, answered, first[0]], nextCursor: "after-500" });

    expect(await screen.findByRole("link", { name: "customer-118" })).toBeInTheDocument();
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getByRole("link").textContent)).toEqual([
      "customer-118",
      "customer-501",
      "customer-500",
      "customer-502",
      "customer-503",
      "customer-504",
    ]);
    expect(within(rows[1] as HTMLElement).getAllByRole("cell")[3]).toHaveTextContent("6");
  });

  it("invites to talk to an agent when the workspace has no conversation yet", async () => {
    const user = userEvent.setup();
    historyPlatform(() => liveListing([]));
    renderApp("/conversations");

    const empty = await screen.findByRole("region", { name: "No conversations yet" });
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    await user.click(within(empty).getByRole("link", { name: "Go to agents" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Agents" })).toBeInTheDocument();
  });

  it("says when no conversation matches the filters, and clears them", async () => {
    const user = userEvent.setup();
    const platform = historyPlatform((request) =>
      liveListing(request.query.get("channel") === "callable" ? [] : [customerConversation]),
    );
    const { router } = renderApp("/conversations?channel=callable");

    const empty = await screen.findByRole("region", { name: "No conversations match these filters" });
    await user.click(within(empty).getByRole("button", { name: "Clear filters" }));

    expect(await screen.findByRole("link", { name: "customer-118" })).toBeInTheDocument();
    expect(router.state.location.search).toBe("");
    expect(filtersOf(platform.sent("GET /v1/conversations").at(-1))).toEqual({});
  });

  it("says why the list could not load, and Retry recovers", async () => {
    const user = userEvent.setup();
    const platform = historyPlatform(() =>
      errorResponse(500, "internal", "An internal error occurred. It has been logged."),
    );
    renderApp("/conversations");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(
      "GET /v1/conversations?limit=25 answered HTTP 500: An internal error occurred. It has been logged.",
    );

    platform.routes["GET /v1/conversations"] = () => liveListing([customerConversation]);
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("link", { name: "customer-118" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("tells a viewer who may read conversations, without asking the platform", async () => {
    signInAs(annSession({ role: "viewer" }));
    const platform = historyPlatform(() => liveListing([customerConversation]));
    renderApp("/conversations");

    expect(
      await screen.findByText(/only editors, admins and owners can read them\. Ask an admin of Acme Corp/),
    ).toBeInTheDocument();
    expect(screen.queryByRole("group", { name: "Filters" })).not.toBeInTheDocument();
    expect(platform.sent("GET /v1/conversations")).toHaveLength(0);
  });

  it("opens a conversation and leads back to the same filtered list", async () => {
    const user = userEvent.setup();
    const platform = historyPlatform(() => liveListing([customerConversation]));
    platform.routes["GET /v1/conversations/cnv_customer118"] = () =>
      jsonResponse(customerConversationDocument);
    platform.routes["GET /v1/conversations/cnv_customer118/messages"] = () =>
      jsonResponse({ messages: customerMessages });
    platform.routes["GET /v1/agents/agt_hr"] = () => jsonResponse(hrAssistant);
    const { router } = renderApp("/conversations?agent=agt_hr");

    await user.click(await screen.findByRole("link", { name: "customer-118" }));

    expect(
      await screen.findByRole("heading", { level: 1, name: "Conversation with customer-118" }),
    ).toBeInTheDocument();
    await user.click(screen.getByRole("link", { name: "← Conversations" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Conversations" })).toBeInTheDocument();
    expect(router.state.location.search).toBe("?agent=agt_hr");
  });
});
