import { screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { analyticsAnswer, analyticsNow, type FixtureTurn } from "../test/analyticsFixtures";
import { hrAssistant } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform, type RecordedRequest } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
import { whatsAppRoutes } from "../test/whatsappFixtures";
import { widgetRoutes } from "../test/widgetFixtures";

beforeEach(() => {
  // Only the clock is fake: "now" is Nov 25, 2026, 15:00 UTC; timers stay real for user events.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(analyticsNow);
  signInAs();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const turn = (
  at: string,
  channel: string,
  status: FixtureTurn["status"],
  conversationId = `conv_${channel}`,
): FixtureTurn => ({ at, channel, status, conversationId, latencyMs: 900, confidence: 0.7 });

/**
 * A month of Acme's HR assistant: the intranet's REST calls, employees on WhatsApp (one reply failed), the
 * help center's widget, a draft tried in the studio, and an MCP call from before the window.
 */
const monthTurns: readonly FixtureTurn[] = [
  turn("2026-11-24T09:00:00.000Z", "api", "answered"),
  turn("2026-11-24T09:05:00.000Z", "api", "answered"),
  turn("2026-11-25T13:30:00.000Z", "api", "abstained"),
  turn("2026-11-25T14:00:00.000Z", "api", "answered"),
  turn("2026-11-23T10:00:00.000Z", "whatsapp", "answered"),
  turn("2026-11-23T10:01:00.000Z", "whatsapp", "answered"),
  turn("2026-11-23T10:02:00.000Z", "whatsapp", "failed"),
  turn("2026-11-10T15:00:00.000Z", "widget", "abstained"),
  turn("2026-11-10T15:02:00.000Z", "widget", "answered"),
  turn("2026-11-25T14:58:00.000Z", "studio", "declined"),
  turn("2026-10-01T08:00:00.000Z", "mcp", "answered"),
];

function channelsPlatform(analytics: (request: RecordedRequest) => Response) {
  return stubPlatform({
    ...whatsAppRoutes(),
    ...widgetRoutes(),
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
    "GET /v1/analytics": analytics,
  });
}

function signInWithRole(role: "viewer" | "editor") {
  signInAs(
    annSession({
      accountId: "acc_dana",
      email: "dana@acme.example",
      role,
      workspaces: [{ tenantId: "acme", name: "Acme Corp", role }],
    }),
  );
}

/** A channel's row, by the channel's name: its cells' text, in column order. */
function rowOf(table: HTMLElement, channel: string): string[] {
  const row = within(table).getByRole("rowheader", { name: channel }).closest("tr");
  return Array.from(row?.querySelectorAll("td") ?? []).map((cell) => cell.textContent ?? "");
}

describe("Settings: channel activity", () => {
  it("shows each channel's messages, failed turns, abstention rate and last activity over 30 days", async () => {
    const platform = channelsPlatform(() => jsonResponse(analyticsAnswer(monthTurns)));
    renderApp("/settings/channels");

    const section = await screen.findByRole("region", { name: "Activity in the last 30 days" });
    const table = await within(section).findByRole("table", { name: "Activity in the last 30 days" });

    expect(
      within(table)
        .getAllByRole("rowheader")
        .map((cell) => cell.textContent),
    ).toEqual([
      "REST API",
      "OpenAI-compatible API",
      "MCP",
      "WhatsApp",
      "Web chat widget",
      "Callable function",
      "Studio (drafts)",
    ]);
    expect(rowOf(table, "REST API")).toEqual(["4", "0", "25%", "1 hour ago"]);
    expect(rowOf(table, "WhatsApp")).toEqual(["2", "1 failed", "0%", "2 days ago"]);
    expect(rowOf(table, "Web chat widget")).toEqual(["2", "0", "50%", "2 weeks ago"]);
    // A declined question is a message, but neither answered nor abstained: no rate.
    expect(rowOf(table, "Studio (drafts)")).toEqual(["1", "0", "—", "2 minutes ago"]);
    // The MCP call was before the window.
    for (const quiet of ["OpenAI-compatible API", "MCP", "Callable function"]) {
      expect(rowOf(table, quiet)).toEqual(["No messages"]);
    }
    expect(within(section).getByRole("link", { name: "Open analytics" })).toHaveAttribute(
      "href",
      "/analytics?range=30",
    );

    // Thirty UTC days up to today, every agent: the analytics page's default view.
    const [request] = platform.sent("GET /v1/analytics");
    expect(platform.sent("GET /v1/analytics")).toHaveLength(1);
    expect(request?.query.get("from")).toBe("2026-10-27");
    expect(request?.query.get("to")).toBe("2026-11-26");
    expect(request?.query.has("agentId")).toBe(false);
  });

  it("lists every channel as without messages in a quiet month, and one it does not know after them", async () => {
    channelsPlatform(() =>
      jsonResponse(analyticsAnswer([turn("2026-11-25T12:00:00.000Z", "slack", "answered")])),
    );
    renderApp("/settings/channels");

    const table = await screen.findByRole("table", { name: "Activity in the last 30 days" });

    expect(within(table).getAllByRole("rowheader")).toHaveLength(8);
    expect(rowOf(table, "REST API")).toEqual(["No messages"]);
    expect(rowOf(table, "slack")).toEqual(["1", "0", "0%", "3 hours ago"]);
  });

  it("shows an editor the activity too", async () => {
    signInWithRole("editor");
    channelsPlatform(() => jsonResponse(analyticsAnswer(monthTurns)));
    renderApp("/settings/channels");

    const table = await screen.findByRole("table", { name: "Activity in the last 30 days" });
    expect(rowOf(table, "WhatsApp")).toEqual(["2", "1 failed", "0%", "2 days ago"]);
  });

  it("shows a viewer nothing of it, and asks the platform nothing", async () => {
    signInWithRole("viewer");
    const platform = channelsPlatform(() => jsonResponse(analyticsAnswer(monthTurns)));
    renderApp("/settings/channels");

    expect(await screen.findByRole("region", { name: "REST API" })).toBeInTheDocument();
    expect(screen.queryByText(/Activity in the last/)).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Open analytics" })).not.toBeInTheDocument();
    expect(platform.sent("GET /v1/analytics")).toHaveLength(0);
  });

  it("says when the activity could not be read, and leaves the rest of the page", async () => {
    channelsPlatform(() => errorResponse(503, "unavailable", "The analytics store is restarting"));
    renderApp("/settings/channels");

    const section = await screen.findByRole("region", { name: "Activity in the last 30 days" });
    expect(await within(section).findByRole("button", { name: "Retry" })).toBeInTheDocument();
    expect(section).toHaveTextContent("The analytics store is restarting");
    expect(within(section).queryByRole("table")).not.toBeInTheDocument();
    expect(screen.getByRole("region", { name: "REST API" })).toBeInTheDocument();
  });

  it("shows the activity as complete when only the knowledge gaps were read in part", async () => {
    channelsPlatform(() => jsonResponse(analyticsAnswer(monthTurns, { truncated: true })));
    renderApp("/settings/channels");

    const section = await screen.findByRole("region", { name: "Activity in the last 30 days" });
    await within(section).findByRole("table");
    expect(section).not.toHaveTextContent(/incomplete|only those from/);
  });
});
