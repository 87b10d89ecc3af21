import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { analyticsAnswer, analyticsNow, hrWeekTurns } from "../test/analyticsFixtures";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import {
  deferredResponse,
  errorResponse,
  jsonResponse,
  stubPlatform,
  type RecordedRequest,
} from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeAll(async () => {
  // Loads the page and its chart library once, on its own clock, before tests that time out.
  await import("./analytics");
}, 60_000);

beforeEach(() => {
  // Only the clock is fake: "today" is Nov 25, 2026 (UTC); timers stay real for transitions and user events.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(analyticsNow);
  signInAs();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** The days a request asked for, as the window's length. */
function daysAsked(request: RecordedRequest | undefined): number {
  const from = Date.parse(request?.query.get("from") ?? "");
  const to = Date.parse(request?.query.get("to") ?? "");
  return (to - from) / 86_400_000;
}

/** A platform whose analytics answer with `turns`, for the window and agent asked. */
function platformWith(turns = hrWeekTurns) {
  return stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk] }),
    "GET /v1/analytics": (request) =>
      jsonResponse(
        analyticsAnswer(turns, { days: daysAsked(request), agentId: request.query.get("agentId") }),
      ),
  });
}

/**
 * The headline figures of a period, once the page shows it. Waits on text, which is cheap to look for while
 * the charts draw, then looks the section up by role once (role queries walk the whole page).
 */
async function totalsOf(period: string) {
  await screen.findByText(`${period} · days in UTC`, { exact: false });
  return screen.getByRole("region", { name: `Totals, ${period}` });
}

function figure(totals: HTMLElement, name: string) {
  return within(totals).getByRole("group", { name });
}

/** Opens a chart's table of numbers. */
async function openNumbers(chart: string) {
  const user = userEvent.setup();
  const card = screen.getByRole("region", { name: chart });
  await user.click(within(card).getByRole("button", { name: `Show the numbers: ${chart}` }));
  return within(card).findByRole("table", { name: chart });
}

/** The row a table gives a day or a channel (found by its header cell: naming whole rows is slow in jsdom). */
function rowOf(table: HTMLElement, header: string) {
  const cell = within(table).getByRole("rowheader", { name: header });
  return cell.closest("tr") ?? cell;
}

// Seven charts drawn in jsdom make these pages heavier than most: on a busy machine a test can pass the
// suite's 15 s without anything being wrong.
describe("Analytics", { timeout: 30_000 }, () => {
  it("shows the range's totals weighted over messages, not averaged over days", async () => {
    const platform = platformWith();
    renderApp("/analytics?range=7");

    expect(await screen.findByRole("heading", { level: 1, name: "Analytics" })).toBeInTheDocument();
    const totals = await totalsOf("Nov 19, 2026 – Nov 25, 2026");

    // The days count conv_a twice (Nov 20 and Nov 25): the range has 3 distinct conversations, not 4.
    expect(figure(totals, "Conversations")).toHaveTextContent("3");
    expect(figure(totals, "Messages")).toHaveTextContent("12");
    expect(figure(totals, "Messages")).toHaveTextContent(
      "10 answered · 2 abstained · 0 declined · 1 turn failed",
    );
    // 2 of 12 questions (16.7%), where the mean of the days' rates (50% and 10%) would be 30%.
    expect(figure(totals, "Abstention rate")).toHaveTextContent("16.7%");
    expect(figure(totals, "Abstention rate")).toHaveTextContent("2 of 12 questions");
    // (0.8 + 9 × 0.6) / 10 answers = 62%, where the mean of the days' averages would be 70%.
    expect(figure(totals, "Average confidence")).toHaveTextContent("62%");
    expect(figure(totals, "Average confidence")).toHaveTextContent("over 10 answers");
    // Over every turn, the failed one's 2.4 s included: the 13th of 13.
    expect(figure(totals, "Latency (p95)")).toHaveTextContent("2.4 s");
    expect(figure(totals, "Latency (p95)")).toHaveTextContent("p50 80 ms · p99 2.4 s");
    expect(figure(totals, "Tokens")).toHaveTextContent("6,935");
    expect(figure(totals, "Tokens")).toHaveTextContent("6,582 in · 353 out");

    const [request] = platform.sent("GET /v1/analytics");
    expect(Object.fromEntries(request?.query ?? [])).toEqual({ from: "2026-11-19", to: "2026-11-26" });
  });

  it("asks for the range chosen, and keeps it in the address", async () => {
    const user = userEvent.setup();
    const platform = platformWith();
    const { router } = renderApp("/analytics");

    await totalsOf("Oct 27, 2026 – Nov 25, 2026");
    const range = screen.getByRole("group", { name: "Range" });
    expect(within(range).getByRole("button", { name: "30 days" })).toHaveAttribute("aria-pressed", "true");

    await user.click(within(range).getByRole("button", { name: "7 days" }));
    expect(within(range).getByRole("button", { name: "7 days" })).toHaveAttribute("aria-pressed", "true");
    await totalsOf("Nov 19, 2026 – Nov 25, 2026");
    expect(router.state.location.search).toBe("?range=7");
    expect(platform.sent("GET /v1/analytics").map((r) => r.query.get("from"))).toEqual([
      "2026-10-27",
      "2026-11-19",
    ]);
  });

  it("keeps the figures on screen, marked as updating, while another range loads", async () => {
    const user = userEvent.setup();
    const later = deferredResponse();
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/analytics": () => jsonResponse(analyticsAnswer(hrWeekTurns, { days: 7 })),
    });
    renderApp("/analytics?range=7");
    await totalsOf("Nov 19, 2026 – Nov 25, 2026");

    platform.routes["GET /v1/analytics"] = () => later.promise;
    await user.click(screen.getByRole("button", { name: "30 days" }));

    const updating = await screen.findByRole("progressbar", { name: "Updating analytics" });
    expect(updating.closest("[aria-busy]")).toHaveAttribute("aria-busy", "true");
    expect(screen.getByRole("region", { name: "Totals, Nov 19, 2026 – Nov 25, 2026" })).toBeInTheDocument();

    later.resolve(jsonResponse(analyticsAnswer(hrWeekTurns, { days: 30 })));
    await totalsOf("Oct 27, 2026 – Nov 25, 2026");
    expect(screen.queryByRole("progressbar", { name: "Updating analytics" })).not.toBeInTheDocument();
  });

  it("asks for the agent chosen, and keeps it in the address", async () => {
    const user = userEvent.setup();
    const platform = platformWith([]);
    const { router } = renderApp("/analytics?range=7");
    await screen.findByRole("region", { name: "No conversations in the last 7 days" });

    await user.click(screen.getByRole("combobox", { name: "Agent" }));
    await user.click(await screen.findByRole("option", { name: "Acme HR assistant" }));
    await waitFor(() => expect(router.state.location.search).toBe("?range=7&agent=agt_hr"));
    expect(await screen.findByText(/days in UTC · Acme HR assistant/)).toBeInTheDocument();

    await user.click(screen.getByRole("combobox", { name: "Agent" }));
    await user.click(await screen.findByRole("option", { name: "All agents" }));
    await waitFor(() => expect(router.state.location.search).toBe("?range=7"));
    expect(await screen.findByText(/days in UTC · all agents/)).toBeInTheDocument();

    expect(
      platform.sent("GET /v1/analytics").map((r) => [r.query.get("from"), r.query.get("agentId")]),
    ).toEqual([
      ["2026-11-19", null],
      ["2026-11-19", "agt_hr"],
      ["2026-11-19", null],
    ]);
  });

  it("opens on the range and agent a shared link names", async () => {
    const platform = platformWith();
    renderApp("/analytics?range=90&agent=agt_hr");

    await totalsOf("Aug 28, 2026 – Nov 25, 2026");
    expect(screen.getByRole("button", { name: "90 days" })).toHaveAttribute("aria-pressed", "true");
    expect(await screen.findByRole("combobox", { name: "Agent" })).toHaveTextContent("Acme HR assistant");
    const [request] = platform.sent("GET /v1/analytics");
    expect(Object.fromEntries(request?.query ?? [])).toEqual({
      from: "2026-08-28",
      to: "2026-11-26",
      agentId: "agt_hr",
    });
  });

  it("draws every chart as a figure named by its heading and described in words", async () => {
    platformWith();
    renderApp("/analytics?range=7");
    await totalsOf("Nov 19, 2026 – Nov 25, 2026");

    const figures = screen.getAllByRole("figure");
    const charts = [
      "Conversations per day",
      "Messages per day",
      "Messages per day by channel",
      "Abstention rate per day",
      "Average confidence per day",
      "Latency per day",
      "Token use per day",
      "By channel",
    ];
    expect(figures).toHaveLength(charts.length);
    charts.forEach((chart, i) => expect(figures[i]).toHaveAccessibleName(chart));
    // Each holds the chart's drawing (hidden from screen readers, which get the words and the numbers).
    for (const figure of figures) expect(figure.querySelector("svg")).not.toBeNull();
    expect(figures[1]).toHaveAccessibleDescription(
      "12 messages: 10 answered, 2 abstained, 0 declined; 1 turn failed. Busiest day: Nov 25, with 10.",
    );
    expect(figures[3]).toHaveAccessibleDescription(
      "16.7% over the range: the share of questions the agents declined to answer for lack of evidence. " +
        "Highest on Nov 20: 50%. Days without such messages have no point.",
    );
    expect(figures[2]).toHaveAccessibleDescription(
      /^2 channels had messages \(failed turns included\)\. REST API: 11, .+: 2\.$/,
    );
    expect(figures[7]).toHaveAccessibleDescription(
      "2 channels. The busiest, REST API, had 84.6% of the turns.",
    );
  });

  it("gives each chart's numbers as a table, one row per day, quiet days included", async () => {
    platformWith();
    renderApp("/analytics?range=7");
    await totalsOf("Nov 19, 2026 – Nov 25, 2026");

    const messages = await openNumbers("Messages per day");
    // A header row and one row per day of the range, the quiet ones with zeros.
    expect(within(messages).getAllByRole("row")).toHaveLength(8);
    expect(rowOf(messages, "Nov 25, 2026")).toHaveTextContent(/^Nov 25, 2026910110$/);
    expect(rowOf(messages, "Nov 22, 2026")).toHaveTextContent(/^Nov 22, 202600000$/);

    const abstention = await openNumbers("Abstention rate per day");
    expect(rowOf(abstention, "Nov 20, 2026")).toHaveTextContent(/^Nov 20, 202650%11$/);
    expect(rowOf(abstention, "Nov 25, 2026")).toHaveTextContent(/^Nov 25, 202610%19$/);
    // No question that day: no rate, rather than a 0% that would read as "never abstained".
    expect(rowOf(abstention, "Nov 22, 2026")).toHaveTextContent(/^Nov 22, 2026—00$/);
  });

  it("gives latency and token use per day as tables too", async () => {
    platformWith();
    renderApp("/analytics?range=7");
    await totalsOf("Nov 19, 2026 – Nov 25, 2026");

    const latency = await openNumbers("Latency per day");
    expect(rowOf(latency, "Nov 20, 2026")).toHaveTextContent(/^Nov 20, 202695 ms120 ms120 ms$/);
    expect(rowOf(latency, "Nov 21, 2026")).toHaveTextContent(/^Nov 21, 2026———$/);

    const tokens = await openNumbers("Token use per day");
    expect(rowOf(tokens, "Nov 25, 2026")).toHaveTextContent(/^Nov 25, 20265,7923156,107$/);
  });

  it("splits the figures by channel", async () => {
    platformWith();
    renderApp("/analytics?range=7");
    await totalsOf("Nov 19, 2026 – Nov 25, 2026");

    const channels = within(screen.getByRole("region", { name: "By channel" })).getByRole("table", {
      name: "Figures by channel",
    });
    // Conversations, messages, failed, abstention rate, confidence, p95 latency, tokens.
    expect(rowOf(channels, "REST API")).toHaveTextContent(/^REST API21109.1%62%120 ms6,183$/);
    expect(rowOf(channels, "Studio (drafts)")).toHaveTextContent(/^Studio \(drafts\)111100%—2.4 s752$/);
  });

  it("lists the knowledge gaps: each question once, how often and when last, and the closest material", async () => {
    platformWith();
    renderApp("/analytics?range=7");
    await totalsOf("Nov 19, 2026 – Nov 25, 2026");

    const section = screen.getByRole("region", { name: "Knowledge gaps" });
    expect(section).toHaveTextContent("The questions the agents abstained on most (2 abstentions)");
    const gaps = within(section).getByRole("table", { name: "Knowledge gaps" });
    // Asked on Nov 20 and again today in other words: one gap, in its newest wording.
    expect(within(gaps).getAllByRole("row")).toHaveLength(2);
    const row = rowOf(gaps, "can I bring my dog to the office");
    expect(row).toHaveTextContent(/^can I bring my dog to the office2/);
    expect(within(row).getByRole("time")).toHaveAttribute("datetime", "2026-11-25T11:00:00.000Z");
    const closest = within(row).getByRole("link", {
      name: "employee-handbook.md › Acme Corp Employee Handbook › Office life › Visitors",
    });
    expect(closest).toHaveAttribute("href", "/knowledge/kb_handbook/documents/doc_handbook?heading=Visitors");
  });

  it("says so when the agents abstained on nothing, and asks for the gaps of the agent chosen", async () => {
    const platform = platformWith(hrWeekTurns.filter((turn) => turn.status !== "abstained"));
    renderApp("/analytics?range=7&agent=agt_hr");
    await totalsOf("Nov 19, 2026 – Nov 25, 2026");

    const section = screen.getByRole("region", { name: "Knowledge gaps" });
    expect(section).toHaveTextContent("The agents abstained on no question in this range.");
    expect(within(section).queryByRole("table")).not.toBeInTheDocument();
    expect(platform.sent("GET /v1/analytics")[0]?.query.get("agentId")).toBe("agt_hr");
  });

  it("says so when the range had no conversation, and where to start", async () => {
    platformWith([]);
    renderApp("/analytics?range=7&agent=agt_hr");

    const empty = await screen.findByRole("region", { name: "No conversations in the last 7 days" });
    expect(empty).toHaveTextContent("Acme HR assistant answered no messages in this range.");
    expect(within(empty).getByRole("link", { name: "Open the playground" })).toHaveAttribute(
      "href",
      "/agents/agt_hr/playground",
    );
    expect(screen.queryByRole("region", { name: /^Totals/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("figure")).not.toBeInTheDocument();
  });

  it("shows that it is loading until the platform answers", async () => {
    const answer = deferredResponse();
    stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/analytics": () => answer.promise,
    });
    renderApp("/analytics?range=7");

    expect(await screen.findByText("Loading analytics…")).toBeInTheDocument();
    answer.resolve(jsonResponse(analyticsAnswer(hrWeekTurns, { days: 7 })));
    const totals = await totalsOf("Nov 19, 2026 – Nov 25, 2026");
    expect(figure(totals, "Messages")).toHaveTextContent("12");
    expect(screen.queryByText("Loading analytics…")).not.toBeInTheDocument();
  });

  it("says why the analytics could not load, and Retry recovers", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/analytics": () =>
        errorResponse(500, "internal", "An internal error occurred. It has been logged."),
    });
    renderApp("/analytics?range=7");

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(
      "GET /v1/analytics?from=2026-11-19&to=2026-11-26 answered HTTP 500: An internal error occurred. It has been logged.",
    );

    platform.routes["GET /v1/analytics"] = () => jsonResponse(analyticsAnswer(hrWeekTurns, { days: 7 }));
    await user.click(within(alert).getByRole("button", { name: "Retry" }));
    const totals = await totalsOf("Nov 19, 2026 – Nov 25, 2026");
    expect(figure(totals, "Abstention rate")).toHaveTextContent("16.7%");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("says plainly when the knowledge gaps come from part of the range", async () => {
    stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/analytics": () => jsonResponse(analyticsAnswer(hrWeekTurns, { days: 7, truncated: true })),
    });
    renderApp("/analytics?range=7");

    const notice = await screen.findByRole("alert");
    expect(notice).toHaveTextContent("Knowledge gaps from part of this range");
    expect(notice).toHaveTextContent(
      "the knowledge gaps come from those asked from Nov 20, 2026, 09:12 UTC on.",
    );
    expect(notice).toHaveTextContent("The figures count every message.");
    // The counted part is still shown.
    expect(figure(await totalsOf("Nov 19, 2026 – Nov 25, 2026"), "Messages")).toHaveTextContent("12");
  });

  it("tells a viewer that analytics need the editor role", async () => {
    signInAs(annSession({ role: "viewer" }));
    stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/analytics": () =>
        errorResponse(
          403,
          "permission-denied",
          "This action needs the editor role; your credential has viewer",
        ),
    });
    renderApp("/analytics");

    const notice = await screen.findByRole("alert");
    expect(notice).toHaveTextContent("Analytics are for editors, admins and owners");
    expect(notice).toHaveTextContent("Ask an admin of the workspace for the editor role.");
  });

  it("offers every agent back when the chosen one does not exist", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/analytics": (request) =>
        request.query.get("agentId") === "agt_gone"
          ? errorResponse(404, "not-found", "Agent agt_gone not found")
          : jsonResponse(analyticsAnswer(hrWeekTurns, { days: 7 })),
    });
    const { router } = renderApp("/analytics?range=7&agent=agt_gone");

    const notice = await screen.findByRole("alert");
    expect(notice).toHaveTextContent("The workspace has no agent with the id agt_gone");
    expect(screen.getByRole("combobox", { name: "Agent" })).toHaveTextContent("Unknown agent (agt_gone)");

    await user.click(within(notice).getByRole("button", { name: "Show all agents" }));
    expect(figure(await totalsOf("Nov 19, 2026 – Nov 25, 2026"), "Messages")).toHaveTextContent("12");
    expect(router.state.location.search).toBe("?range=7");
    expect(platform.sent("GET /v1/analytics").map((r) => r.query.get("agentId"))).toEqual(["agt_gone", null]);
  });
});
