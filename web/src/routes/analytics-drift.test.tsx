import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { analyticsAnswer, analyticsNow, hrWeekTurns } from "../test/analyticsFixtures";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import { vacationDrift } from "../test/narrativeFixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeAll(async () => {
  // Loads the page and its chart library once, on its own clock, before tests that time out.
  await import("./analytics");
}, 60_000);

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function driftPlatform() {
  let flag: Record<string, unknown> = { ...vacationDrift };
  return stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk] }),
    "GET /v1/drift": (request) => {
      const status = request.query.get("status");
      return jsonResponse({
        flags: status === null || status === flag.status ? [flag] : [],
        nextCursor: null,
      });
    },
    "PATCH /v1/drift/dft_vacation": (request) => {
      flag = {
        ...flag,
        ...(request.body as object),
        reviewedBy: "acc_ann",
        reviewedAt: new Date().toISOString(),
      };
      return jsonResponse(flag);
    },
  });
}

describe("Analytics: drift", { timeout: 30_000 }, () => {
  it("shows an answer that changed: the question, both answers with sources and versions, the cause", async () => {
    const platform = driftPlatform();
    renderApp("/analytics/drift");

    expect(await screen.findByRole("heading", { level: 1, name: "Analytics" })).toBeInTheDocument();
    expect(screen.getByRole("tab", { name: "Drift" })).toHaveAttribute("aria-selected", "true");
    const flag = await screen.findByRole("article", { name: vacationDrift.question });
    expect(within(flag).getByText("Open")).toBeInTheDocument();
    expect(within(flag).getByText(/^Acme HR assistant · flagged/)).toBeInTheDocument();
    expect(within(flag).getByRole("heading", { name: /^Before: agent version 2/ })).toBeInTheDocument();
    expect(within(flag).getByRole("list", { name: "Before: sources" })).toHaveTextContent(
      "employee-handbook.md (version 1): “Full-time employees receive 25 vacation days per calendar year.”",
    );
    expect(within(flag).getByRole("list", { name: "After: sources" })).toHaveTextContent(
      "employee-handbook.md (version 2)",
    );
    expect(within(flag).getByRole("list", { name: "Causes" })).toHaveTextContent(
      "Knowledge changed: employee-handbook.md, version 1 → version 2: The vacation paragraph changed from 25 to 20 days.",
    );
    expect(flag).toHaveTextContent("The number of vacation days went from 25 to 20.");
    expect(within(flag).getByRole("link", { name: "After: the conversation" })).toHaveAttribute(
      "href",
      "/conversations/cnv_after",
    );
    // Open flags by default.
    expect(Object.fromEntries(platform.sent("GET /v1/drift")[0]?.query ?? [])).toEqual({ status: "open" });
    expect(document.title).toBe("Drift · Analytics · Alchemist");
  });

  it("marks a flag reviewed with a note, then dismisses and reopens another way", async () => {
    const user = userEvent.setup();
    const platform = driftPlatform();
    renderApp("/analytics/drift?status=all");
    const flag = await screen.findByRole("article", { name: vacationDrift.question });

    await user.type(within(flag).getByRole("textbox", { name: "Note (optional)" }), "Handbook v2 is right.");
    await user.click(within(flag).getByRole("button", { name: "Mark reviewed" }));
    expect(
      await within(flag).findByText(/^Reviewed by acc_ann on .*: “Handbook v2 is right\.”$/),
    ).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent(`“${vacationDrift.question}” is marked reviewed.`);

    await user.click(within(flag).getByRole("button", { name: "Reopen" }));
    await user.click(await within(flag).findByRole("button", { name: "Dismiss" }));
    await waitFor(() => expect(within(flag).getByText("Dismissed")).toBeInTheDocument());
    expect(platform.sent("PATCH /v1/drift/dft_vacation").map((r) => r.body)).toEqual([
      { status: "reviewed", note: "Handbook v2 is right." },
      { status: "open" },
      { status: "dismissed" },
    ]);
  });

  it("filters by agent and status, keeping both in the address", async () => {
    const user = userEvent.setup();
    const platform = driftPlatform();
    const { router } = renderApp("/analytics/drift");
    await screen.findByRole("article", { name: vacationDrift.question });

    await user.click(screen.getByRole("combobox", { name: "Agent" }));
    await user.click(await screen.findByRole("option", { name: "IT helpdesk" }));
    await user.click(screen.getByRole("combobox", { name: "Status" }));
    await user.click(await screen.findByRole("option", { name: "Dismissed" }));

    expect(await screen.findByText("No drift flags")).toBeInTheDocument();
    expect(
      screen.getByText("Nothing matches these filters. Try another agent or status."),
    ).toBeInTheDocument();
    expect(new URLSearchParams(router.state.location.search).get("agent")).toBe("agt_it");
    expect(new URLSearchParams(router.state.location.search).get("status")).toBe("dismissed");
    expect(Object.fromEntries(platform.sent("GET /v1/drift").at(-1)?.query ?? [])).toEqual({
      agentId: "agt_it",
      status: "dismissed",
    });
  });

  it("shows a refusal with a retry", async () => {
    const user = userEvent.setup();
    const platform = driftPlatform();
    platform.routes["GET /v1/drift"] = () => errorResponse(503, "unavailable", "The store is busy");
    renderApp("/analytics/drift");
    expect(await screen.findByText(/The store is busy/)).toBeInTheDocument();

    platform.routes["GET /v1/drift"] = () => jsonResponse({ flags: [vacationDrift], nextCursor: null });
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("article", { name: vacationDrift.question })).toBeInTheDocument();
  });

  it("tells a viewer that drift holds end users' answers, without asking for it", async () => {
    signInAs(annSession({ role: "viewer" }));
    const platform = driftPlatform();
    renderApp("/analytics/drift");
    expect(await screen.findByText(/only editors, admins and owners can read it/)).toBeInTheDocument();
    expect(platform.sent("GET /v1/drift")).toHaveLength(0);
  });
});

describe("Analytics: knowledge gaps", { timeout: 30_000 }, () => {
  it("says how many phrasings a gap was asked in", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(analyticsNow);
    const answer = analyticsAnswer(hrWeekTurns, { days: 30 });
    const [first, ...rest] = answer.knowledgeGaps;
    expect(first).toBeDefined();
    stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/analytics": () =>
        jsonResponse({
          ...answer,
          knowledgeGaps: [{ ...first, count: 12, variants: 3 }, ...rest.map((g) => ({ ...g, variants: 1 }))],
        }),
    });
    renderApp("/analytics");
    const gaps = await screen.findByRole("table", { name: "Knowledge gaps" });
    expect(within(gaps).getByText("Asked 12 times in 3 phrasings")).toBeInTheDocument();
    // One phrasing says nothing more than the count does.
    expect(within(gaps).getAllByText(/phrasing/)).toHaveLength(1);
    expect(screen.getByRole("tab", { name: "Activity" })).toHaveAttribute("aria-selected", "true");
  });
});
