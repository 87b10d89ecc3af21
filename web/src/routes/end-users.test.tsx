import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import { customerListed, danaKey, danaListed, manyEndUsers } from "../test/narrativeFixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { pageRequests } from "../test/environmentFixtures";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The table's row for an end user, found by their link. */
function rowOf(table: HTMLElement, endUserRef: string) {
  return within(table).getByRole("link", { name: endUserRef }).closest("tr") as HTMLElement;
}

describe("End users", () => {
  it("lists end users with their agents, memories and open flags, each linking to their page", async () => {
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk] }),
      "GET /v1/end-users": () => jsonResponse({ endUsers: [danaListed, customerListed], nextCursor: null }),
    });
    renderApp("/end-users");

    expect(await screen.findByRole("heading", { level: 1, name: "End users" })).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "End users" });
    const dana = rowOf(table, "widget:dana");
    expect(within(dana).getByRole("link", { name: "widget:dana" })).toHaveAttribute(
      "href",
      `/end-users/${danaKey}`,
    );
    const cells = within(dana)
      .getAllByRole("cell")
      .map((cell) => cell.textContent);
    expect(cells.slice(1, 5)).toEqual(["Acme HR assistant", "3", "1", "15 minutes ago"]);
    expect(within(dana).getByText(/^First seen/)).toBeInTheDocument();
    expect(within(rowOf(table, "customer-118")).getAllByRole("cell")[1]).toHaveTextContent(
      `Acme HR assistant, ${itHelpdesk.name}`,
    );
    expect(screen.getByRole("status")).toHaveTextContent("Showing all 2 end users.");
    expect(platform.sent("GET /v1/end-users")[0]?.query.toString()).toBe("");
  });

  it("searches by a part of the reference, keeping the search in the address", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/end-users": (request) =>
        jsonResponse({
          endUsers: [danaListed, customerListed].filter((u) =>
            u.endUserRef.includes(request.query.get("q") ?? ""),
          ),
          nextCursor: null,
        }),
    });
    const { router } = renderApp("/end-users");
    await screen.findByRole("table", { name: "End users" });

    await user.type(screen.getByRole("textbox", { name: "End user reference contains" }), "dana{Enter}");
    expect(await screen.findByText("Showing 1 end user.")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?q=dana");
    expect(platform.sent("GET /v1/end-users").at(-1)?.query.get("q")).toBe("dana");

    await user.clear(screen.getByRole("textbox", { name: "End user reference contains" }));
    await user.type(screen.getByRole("textbox", { name: "End user reference contains" }), "nobody");
    await user.click(screen.getByRole("button", { name: "Search" }));
    expect(await screen.findByRole("heading", { name: "No end user matches" })).toBeInTheDocument();
    expect(screen.getByText(/No end user's reference contains “nobody”/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Show everyone" }));
    expect(await screen.findByText("Showing all 2 end users.")).toBeInTheDocument();
    expect(router.state.location.search).toBe("");
  });

  it("loads more with the cursor of the page before, and says when there is no more", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/end-users": (request) =>
        jsonResponse(
          request.query.get("cursor") === "p2"
            ? { endUsers: manyEndUsers(2, 50), nextCursor: null }
            : { endUsers: manyEndUsers(50), nextCursor: "p2" },
        ),
    });
    renderApp("/end-users");
    const table = await screen.findByRole("table", { name: "End users" });
    expect(screen.getByRole("status")).toHaveTextContent("Showing the 50 most recently seen end users.");

    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Showing all 52 end users.")).toBeInTheDocument();
    expect(within(table).getByRole("link", { name: "customer-551" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(platform.sent("GET /v1/end-users").map((r) => r.query.get("cursor"))).toEqual([null, "p2"]);
  });

  it("says how end users come to be listed when there are none, and shows a refusal with a retry", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [] }),
      "GET /v1/end-users": () => errorResponse(500, "internal", "The store is unavailable"),
    });
    renderApp("/end-users");
    expect(await screen.findByText(/The store is unavailable/)).toBeInTheDocument();

    platform.routes["GET /v1/end-users"] = () => jsonResponse({ endUsers: [], nextCursor: null });
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("heading", { name: "No end users yet" })).toBeInTheDocument();
    expect(screen.getByText(/Turn it on in an agent's builder, under Long-term memory/)).toBeInTheDocument();
  });

  it("tells a viewer that memories are end users' data, without asking the platform", async () => {
    signInAs(annSession({ role: "viewer" }));
    const platform = stubPlatform({});
    renderApp("/end-users");
    expect(await screen.findByText(/only editors, admins and owners can read it/)).toBeInTheDocument();
    expect(pageRequests(platform.requests)).toHaveLength(0);
  });

  it("is found under Conversations in the main navigation", async () => {
    const user = userEvent.setup();
    stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [] }),
      "GET /v1/end-users": () => jsonResponse({ endUsers: [], nextCursor: null }),
      "GET /v1/conversations": () => jsonResponse({ conversations: [], nextCursor: null }),
    });
    renderApp("/end-users");
    await screen.findByRole("heading", { name: "No end users yet" });
    const nav = screen.getByRole("navigation", { name: "Main" });
    const group = within(nav).getByRole("button", { name: "Conversations" });
    expect(group).toHaveClass("active");
    await user.click(group);
    const menu = await screen.findByRole("menu");
    const item = within(menu).getByRole("menuitem", { name: "End users" });
    expect(item).toHaveAttribute("aria-current", "page");
    expect(within(menu).getByRole("menuitem", { name: "Conversations" })).toHaveAttribute(
      "href",
      "/conversations",
    );
  });
});
