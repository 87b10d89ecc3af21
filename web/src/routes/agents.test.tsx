import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import {
  connectionRefused,
  deferredResponse,
  errorResponse,
  jsonResponse,
  stubPlatform,
} from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function rowOf(name: string) {
  return screen.getByRole("row", { name: new RegExp(name) });
}

describe("Agents", () => {
  it("lists each agent with its status, the version it serves and when it last changed", async () => {
    const rolledBack = {
      ...hrAssistant,
      id: "agt_travel",
      name: "Travel desk",
      publishedVersion: 1,
      status: "paused",
    };
    const lastActivityAt = new Date(Date.now() - 2 * 60 * 1000).toISOString();
    stubPlatform({
      "GET /v1/agents": () =>
        jsonResponse({
          agents: [
            { ...hrAssistant, lastActivityAt },
            { ...rolledBack, lastActivityAt: null },
            // From a platform that does not report activity.
            itHelpdesk,
          ],
        }),
    });
    renderApp("/agents");

    const table = await screen.findByRole("table", { name: "Agents" });
    expect(within(table).getAllByRole("row")).toHaveLength(4);

    const hr = rowOf("Acme HR assistant");
    expect(within(hr).getByRole("link", { name: "Acme HR assistant" })).toHaveAttribute(
      "href",
      "/agents/agt_hr",
    );
    expect(hr).toHaveTextContent("Answers employees' questions about time off, equipment and travel.");
    expect(within(hr).getByText("Published")).toBeInTheDocument();
    expect(hr).toHaveTextContent("v2");
    expect(within(hr).getByText("5 minutes ago")).toHaveAttribute("dateTime", hrAssistant.updatedAt);
    expect(within(hr).getByText("2 minutes ago")).toHaveAttribute("dateTime", lastActivityAt);

    const travel = rowOf("Travel desk");
    expect(within(travel).getByText("Paused")).toBeInTheDocument();
    expect(travel).toHaveTextContent("v1 of 2 (newer in other environments or rolled back)");
    expect(travel).toHaveTextContent("No conversations yet");

    const it = rowOf("IT helpdesk");
    expect(within(it).getByText("Draft")).toBeInTheDocument();
    expect(it).toHaveTextContent("Not published");
    expect(it).toHaveTextContent("Unknown");
    expect(it).toHaveTextContent("3 hours ago");

    expect(screen.getByRole("link", { name: "Create agent" })).toHaveAttribute("href", "/agents/new");
  });

  it("shows that it is loading until the platform answers", async () => {
    const answer = deferredResponse();
    stubPlatform({ "GET /v1/agents": () => answer.promise });
    renderApp("/agents");

    expect(await screen.findByText("Loading agents…")).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();

    answer.resolve(jsonResponse({ agents: [hrAssistant] }));
    expect(await screen.findByRole("table", { name: "Agents" })).toBeInTheDocument();
    expect(screen.queryByText("Loading agents…")).not.toBeInTheDocument();
  });

  it("invites to create the first agent when there is none", async () => {
    const user = userEvent.setup();
    stubPlatform({ "GET /v1/agents": () => jsonResponse({ agents: [] }) });
    renderApp("/agents");

    const empty = await screen.findByRole("region", { name: "No agents yet" });
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    await user.click(within(empty).getByRole("link", { name: "Create agent" }));

    expect(await screen.findByRole("heading", { level: 1, name: "New agent" })).toBeInTheDocument();
  });

  it("does not offer to create agents to a viewer", async () => {
    signInAs(annSession({ role: "viewer" }));
    stubPlatform({ "GET /v1/agents": () => jsonResponse({ agents: [] }) });
    renderApp("/agents");

    const empty = await screen.findByRole("region", { name: "No agents yet" });
    expect(empty).toHaveTextContent("Agents appear here once an editor of this workspace creates one.");
    expect(screen.queryByRole("link", { name: "Create agent" })).not.toBeInTheDocument();
  });

  it("says why the list could not load, and Retry recovers", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "GET /v1/agents": () =>
        errorResponse(500, "internal", "An internal error occurred. It has been logged."),
    });
    renderApp("/agents");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(
      "GET /v1/agents answered HTTP 500: An internal error occurred. It has been logged.",
    );

    platform.routes["GET /v1/agents"] = () => jsonResponse({ agents: [itHelpdesk] });
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("link", { name: "IT helpdesk" })).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says when the platform cannot be reached", async () => {
    stubPlatform({ "GET /v1/agents": connectionRefused });
    renderApp("/agents");
    expect(await screen.findByRole("alert")).toHaveTextContent("Is the runtime running?");
  });

  it("shows archived agents on request", async () => {
    const user = userEvent.setup();
    const archived = { ...itHelpdesk, id: "agt_old", name: "Old FAQ bot", status: "archived" };
    const platform = stubPlatform({
      "GET /v1/agents": (request) =>
        jsonResponse({
          agents: request.query.get("includeArchived") === "true" ? [hrAssistant, archived] : [hrAssistant],
        }),
    });
    const { router } = renderApp("/agents");
    await screen.findByRole("link", { name: "Acme HR assistant" });
    expect(screen.queryByRole("link", { name: "Old FAQ bot" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("switch", { name: "Show archived agents" }));

    expect(await screen.findByRole("link", { name: "Old FAQ bot" })).toBeInTheDocument();
    expect(within(rowOf("Old FAQ bot")).getByText("Archived")).toBeInTheDocument();
    expect(router.state.location.search).toBe("?archived=shown");
    expect(platform.sent("GET /v1/agents").map((r) => r.query.get("includeArchived"))).toEqual([
      null,
      "true",
    ]);
  });
});
