import { workspaceProfile } from "../test/environmentFixtures";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant } from "../test/fixtures";
import { monitorRoutes } from "../test/monitorFixtures";
import { acmeWorkspace, globexWorkspace, operatorNow, operatorRoutes } from "../test/operatorFixtures";
import {
  deferredResponse,
  errorResponse,
  jsonResponse,
  stubPlatform,
  type PlatformRoute,
} from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";

beforeAll(async () => {
  // Loads the console's pages once, on their own clock, before tests that time out.
  await import("./admin");
  await import("./admin-workspace");
}, 60_000);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(operatorNow);
  signInAs();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const notAnOperator = (r: { method: string; path: string }) =>
  errorResponse(404, "not-found", `No route for ${r.method} ${r.path}`);

function operatorPlatform(extra: Record<string, PlatformRoute> = {}) {
  return stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
    ...operatorRoutes(extra),
  });
}

async function openWorkspace(tenantId: string, heading: string) {
  renderApp(`/admin/workspaces/${tenantId}`);
  expect(await screen.findByRole("heading", { level: 1, name: heading })).toBeInTheDocument();
}

describe("Admin console: who sees it", { timeout: 45_000 }, () => {
  it("is not in a non-operator's navigation, and /admin is not found, as the platform answers them", async () => {
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/workspace": () => jsonResponse(workspaceProfile()),
      "GET /v1/admin/me": notAnOperator,
    });
    renderApp("/admin");

    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Agents" })).toBeInTheDocument();
    expect(within(nav).queryByRole("link", { name: "Admin" })).not.toBeInTheDocument();
    // Nothing else of the console was asked for, and the 404 was not shown as an error.
    // Only the page itself asked whether they operate (the shell did not: the workspace said they do not).
    expect(platform.requests.filter((r) => r.path.startsWith("/v1/admin/")).map((r) => r.path)).toEqual([
      "/v1/admin/me",
    ]);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("gives an operator the Admin link and the workspaces, with their plan, status, usage and balance", async () => {
    const user = userEvent.setup();
    operatorPlatform();
    renderApp("/agents");
    await screen.findByRole("heading", { level: 1, name: "Agents" }, { timeout: 30_000 });

    const nav = screen.getByRole("navigation", { name: "Main" });
    await user.click(await within(nav).findByRole("link", { name: "Admin" }, { timeout: 30_000 }));

    // The console's code and the operator check, on a busy machine: more than the default second.
    expect(
      await screen.findByRole("heading", { level: 1, name: "Admin" }, { timeout: 30_000 }),
    ).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "Workspaces" });
    const [header, acme, globex] = within(table).getAllByRole("row");
    expect(header).toHaveTextContent("Usage (2026-11)");
    expect(acme).toHaveTextContent(/Acme Corp.*acme.*Pro.*Active.*3.*2.*\$12\.4969.*1,840 turns.*\$47\.5031/);
    expect(globex).toHaveTextContent(/Globex.*Free.*Suspended.*\$5\.25.*31 turns.*-\$1\.25/);
    expect(within(acme!).getByRole("link", { name: "Acme Corp" })).toHaveAttribute(
      "href",
      "/admin/workspaces/acme",
    );
  });

  it("searches by name and filters by status, asking the platform", async () => {
    const user = userEvent.setup();
    const platform = operatorPlatform();
    renderApp("/admin");
    await screen.findByRole("table", { name: "Workspaces" });

    await user.type(screen.getByRole("textbox", { name: "Search by name or id" }), "glob");
    await user.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() => expect(screen.getAllByRole("row")).toHaveLength(2));
    expect(screen.getByRole("table", { name: "Workspaces" })).toHaveTextContent("Globex");
    expect(platform.sent("GET /v1/admin/workspaces").at(-1)?.query.get("q")).toBe("glob");

    await user.click(screen.getByRole("combobox", { name: "Status" }));
    await user.click(await screen.findByRole("option", { name: "Active" }));
    expect(await screen.findByRole("heading", { name: "No workspaces found" })).toBeInTheDocument();
    const last = platform.sent("GET /v1/admin/workspaces").at(-1);
    expect(last?.query.get("status")).toBe("active");
    expect(last?.query.get("q")).toBe("glob");
  });

  it("pages with the platform's cursor, and goes back", async () => {
    const user = userEvent.setup();
    const platform = operatorPlatform({
      "GET /v1/admin/workspaces": (r) =>
        r.query.get("cursor") === "page2"
          ? jsonResponse({ workspaces: [globexWorkspace()], nextCursor: null })
          : jsonResponse({ workspaces: [acmeWorkspace()], nextCursor: "page2" }),
    });
    renderApp("/admin");
    expect(await screen.findByRole("link", { name: "Acme Corp" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByRole("link", { name: "Globex" })).toBeInTheDocument();
    expect(screen.getByText("Page 2")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Next page" })).toBeDisabled();
    expect(platform.sent("GET /v1/admin/workspaces").at(-1)?.query.get("cursor")).toBe("page2");

    await user.click(screen.getByRole("button", { name: "Previous page" }));
    expect(await screen.findByRole("link", { name: "Acme Corp" })).toBeInTheDocument();
  });

  it("says what failed when the workspaces cannot be listed, and tries again", async () => {
    const user = userEvent.setup();
    const platform = operatorPlatform({
      "GET /v1/admin/workspaces": () => errorResponse(503, "unavailable", "The store is unavailable"),
    });
    renderApp("/admin");
    expect(await screen.findByText(/The store is unavailable/)).toBeInTheDocument();

    platform.routes["GET /v1/admin/workspaces"] = () => jsonResponse({ workspaces: [], nextCursor: null });
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(await screen.findByRole("heading", { name: "No workspaces found" })).toBeInTheDocument();
    expect(screen.getByText(/Nobody has created a workspace/)).toBeInTheDocument();
  });
});

describe("Admin console: one workspace", { timeout: 30_000 }, () => {
  it("shows its overview, members, features and sign-in policy", async () => {
    operatorPlatform();
    await openWorkspace("acme", "Acme Corp");

    const overview = screen.getByRole("region", { name: "Overview" });
    expect(overview).toHaveTextContent("PlanPro");
    expect(overview).toHaveTextContent("Balance$47.5031");
    expect(overview).toHaveTextContent("Credits used (2026-11)$12.4969");
    expect(overview).toHaveTextContent("Turns this period1,840");
    const members = within(screen.getByRole("table", { name: "Members" })).getAllByRole("row");
    expect(members).toHaveLength(4);
    expect(members[2]).toHaveTextContent("bob@acme.example");
    expect(screen.getByRole("switch", { name: "whatsapp" })).toBeChecked();
    expect(
      screen.getByRole("switch", { name: "Require two-step sign-in for admins and owners" }),
    ).not.toBeChecked();
  });

  it("suspends only with a reason, sends it, and shows the new status", async () => {
    const user = userEvent.setup();
    const platform = operatorPlatform();
    await openWorkspace("acme", "Acme Corp");

    await user.click(screen.getByRole("button", { name: "Suspend…" }));
    const dialog = await screen.findByRole("dialog", { name: "Suspend Acme Corp?" });
    await user.click(within(dialog).getByRole("button", { name: "Suspend workspace" }));
    expect(within(dialog).getByRole("textbox", { name: "Reason" })).toHaveAccessibleDescription(
      "Give a reason: the workspace's members see it on every page.",
    );
    expect(platform.sent("POST /v1/admin/workspaces/acme/suspend")).toEqual([]);

    await user.type(within(dialog).getByRole("textbox", { name: "Reason" }), "  Card declined three times  ");
    await user.click(within(dialog).getByRole("button", { name: "Suspend workspace" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent("POST /v1/admin/workspaces/acme/suspend").map((r) => r.body)).toEqual([
      { reason: "Card declined three times" },
    ]);
    expect(screen.getByRole("status")).toHaveTextContent("Acme Corp is suspended.");
    expect(screen.getByText("Suspended", { selector: ".MuiChip-label" })).toBeInTheDocument();
    expect(screen.getByText("Reason: Card declined three times")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Resume…" })).toBeInTheDocument();
  });

  it("resumes a suspended workspace after asking", async () => {
    const user = userEvent.setup();
    const platform = operatorPlatform();
    await openWorkspace("globex", "Globex");
    expect(screen.getByText("Reason: Unpaid invoices since September")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Resume…" }));
    const dialog = await screen.findByRole("dialog", { name: "Resume Globex?" });
    await user.click(within(dialog).getByRole("button", { name: "Resume workspace" }));

    await waitFor(() => expect(screen.getByRole("status")).toHaveTextContent("Globex is active again."));
    expect(platform.sent("POST /v1/admin/workspaces/globex/resume")).toHaveLength(1);
    expect(screen.getByText("Active", { selector: ".MuiChip-label" })).toBeInTheDocument();
    expect(screen.queryByText(/Reason:/)).not.toBeInTheDocument();
  });

  it("grants credits once per dialog: a retry after a failure sends the same request id", async () => {
    const user = userEvent.setup();
    const first = deferredResponse();
    let calls = 0;
    const grant = operatorRoutes()["POST /v1/admin/workspaces/acme/credits"]!;
    const platform = operatorPlatform({
      "POST /v1/admin/workspaces/acme/credits": (r) => (++calls === 1 ? first.promise : grant(r)),
    });
    await openWorkspace("acme", "Acme Corp");

    await user.click(screen.getByRole("button", { name: "Grant credits…" }));
    let dialog = await screen.findByRole("dialog", { name: "Grant credits to Acme Corp" });
    const amount = within(dialog).getByRole("textbox", { name: "Amount" });
    await user.type(amount, "ten");
    await user.click(within(dialog).getByRole("button", { name: "Grant credits" }));
    expect(amount).toHaveAccessibleDescription("A positive amount with a dot for decimals, such as 2.50.");

    await user.clear(amount);
    await user.type(amount, "2.50");
    expect(amount).toHaveAccessibleDescription("The balance becomes $50.0031.");
    await user.type(within(dialog).getByRole("textbox", { name: "Note" }), "Sorry for the outage");
    await user.dblClick(within(dialog).getByRole("button", { name: "Grant credits" }));
    expect(within(dialog).getByRole("button", { name: "Granting…" })).toBeInTheDocument();
    expect(platform.sent("POST /v1/admin/workspaces/acme/credits")).toHaveLength(1);
    first.resolve(errorResponse(500, "internal", "The ledger is busy"));
    expect(await within(dialog).findByText(/The ledger is busy/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Grant credits" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const sent = platform
      .sent("POST /v1/admin/workspaces/acme/credits")
      .map((r) => r.body as Record<string, string>);
    // The double click sent one request; trying again after the failure sent the same grant again.
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual({ amount: "2.50", note: "Sorry for the outage", requestId: sent[1]?.requestId });
    expect(sent[0]?.requestId).toMatch(/^grant_[0-9a-f]{32}$/);
    expect(screen.getByRole("status")).toHaveTextContent("Credits granted: the balance is $50.0031.");
    expect(screen.getByRole("region", { name: "Overview" })).toHaveTextContent("Balance$50.0031");

    // Opening the dialog again is another grant, with another id.
    await user.click(screen.getByRole("button", { name: "Grant credits…" }));
    dialog = await screen.findByRole("dialog", { name: "Grant credits to Acme Corp" });
    expect(within(dialog).getByRole("textbox", { name: "Amount" })).toHaveValue("");
    await user.type(within(dialog).getByRole("textbox", { name: "Amount" }), "1");
    await user.click(within(dialog).getByRole("button", { name: "Grant credits" }));
    await waitFor(() => expect(platform.sent("POST /v1/admin/workspaces/acme/credits")).toHaveLength(3));
    const third = platform.sent("POST /v1/admin/workspaces/acme/credits")[2]?.body as Record<string, string>;
    expect(third.requestId).not.toBe(sent[0]?.requestId);
    expect(third).not.toHaveProperty("note");
  });

  it("turns a feature off and on with its switch, and requires two-step sign-in", async () => {
    const user = userEvent.setup();
    const platform = operatorPlatform();
    await openWorkspace("acme", "Acme Corp");

    await user.click(screen.getByRole("switch", { name: "whatsapp" }));
    await waitFor(() => expect(screen.getByRole("switch", { name: "whatsapp" })).not.toBeChecked());
    expect(screen.getByRole("status")).toHaveTextContent("whatsapp is off for this workspace.");
    await waitFor(() => expect(screen.getByRole("switch", { name: "whatsapp" })).toBeEnabled());
    await user.click(screen.getByRole("switch", { name: "whatsapp" }));
    await waitFor(() => expect(screen.getByRole("switch", { name: "whatsapp" })).toBeChecked());
    expect(platform.sent("PUT /v1/admin/workspaces/acme/flags").map((r) => r.body)).toEqual([
      { flags: { whatsapp: false } },
      { flags: { whatsapp: true } },
    ]);

    await waitFor(() =>
      expect(
        screen.getByRole("switch", { name: "Require two-step sign-in for admins and owners" }),
      ).toBeEnabled(),
    );
    await user.click(screen.getByRole("switch", { name: "Require two-step sign-in for admins and owners" }));
    await waitFor(() =>
      expect(
        screen.getByRole("switch", { name: "Require two-step sign-in for admins and owners" }),
      ).toBeChecked(),
    );
    expect(platform.sent("PUT /v1/admin/workspaces/acme/security").map((r) => r.body)).toEqual([
      { mfaRequired: true },
    ]);
  });

  it("keeps a switch as it was when the platform refuses the change", async () => {
    const user = userEvent.setup();
    operatorPlatform({
      "PUT /v1/admin/workspaces/acme/flags": () => errorResponse(400, "invalid-argument", "Unknown flag"),
    });
    await openWorkspace("acme", "Acme Corp");
    await user.click(screen.getByRole("switch", { name: "mcp" }));
    expect(await screen.findByText("The feature was not changed")).toBeInTheDocument();
    expect(screen.getByRole("switch", { name: "mcp" })).toBeChecked();
  });

  it("changes the plan to one of the catalog's", async () => {
    const user = userEvent.setup();
    const platform = operatorPlatform();
    await openWorkspace("acme", "Acme Corp");

    await user.click(screen.getByRole("button", { name: "Change plan…" }));
    const dialog = await screen.findByRole("dialog", { name: "Change the plan of Acme Corp" });
    expect(within(dialog).getByRole("button", { name: "Change plan" })).toBeDisabled();
    await user.click(await within(dialog).findByRole("combobox", { name: "Plan" }));
    await user.click(await screen.findByRole("option", { name: "Business" }));
    await user.click(within(dialog).getByRole("button", { name: "Change plan" }));

    await waitFor(() =>
      expect(screen.getByRole("status")).toHaveTextContent("Acme Corp is now on the Business plan."),
    );
    expect(platform.sent("PUT /v1/admin/workspaces/acme/plan").map((r) => r.body)).toEqual([
      { plan: "business" },
    ]);
    expect(screen.getByRole("region", { name: "Overview" })).toHaveTextContent("PlanBusiness");
  });

  it("says so when the workspace does not exist", async () => {
    operatorPlatform();
    renderApp("/admin/workspaces/initech");
    expect(await screen.findByText(/No route for GET \/v1\/admin\/workspaces\/initech/)).toBeInTheDocument();
  });
});

describe("Admin console: users, audit, billing, deployments, health", { timeout: 30_000 }, () => {
  it("lists users with their workspaces, roles and sign-in", async () => {
    operatorPlatform();
    renderApp("/admin/users");
    const table = await screen.findByRole("table", { name: "Users" });
    const [, ann, hank] = within(table).getAllByRole("row");
    expect(ann).toHaveTextContent(/ann@acme\.example.*Operator.*Acme Corp \(owner\).*Two-step/);
    expect(hank).toHaveTextContent(/hank@globex\.example.*Globex \(owner\).*Password only/);
  });

  it("filters the audit trail by workspace and action", async () => {
    const user = userEvent.setup();
    const platform = operatorPlatform();
    renderApp("/admin/audit?tenantId=globex");
    const table = await screen.findByRole("table", { name: "Audit trail" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent("workspace.suspend");
    expect(platform.sent("GET /v1/admin/audit")[0]?.query.get("tenantId")).toBe("globex");

    await user.type(screen.getByRole("textbox", { name: "Action" }), "agent.publish");
    await user.click(screen.getByRole("button", { name: "Filter" }));
    await waitFor(() => expect(platform.sent("GET /v1/admin/audit")).toHaveLength(2));
    const last = platform.sent("GET /v1/admin/audit")[1];
    expect(last?.query.get("action")).toBe("agent.publish");
    expect(last?.query.get("tenantId")).toBe("globex");
  });

  it("sums up this period's billing", async () => {
    operatorPlatform();
    renderApp("/admin/billing");
    const totals = await screen.findByRole("region", { name: "2026-11" });
    expect(totals).toHaveTextContent("Workspaces2");
    expect(totals).toHaveTextContent("Credits used$17.7469");
    expect(totals).toHaveTextContent("Turns1,871");
    expect(totals).toHaveTextContent("By plan: Pro 1 · Free 1");
    expect(screen.getByRole("table", { name: "Negative balances" })).toHaveTextContent("Globex-$1.25");
    expect(screen.getByRole("table", { name: "Most usage" })).toHaveTextContent("Acme Corp$12.49691,840");
  });

  it("lists deployments and the checks that failed", async () => {
    operatorPlatform();
    renderApp("/admin/deployments");
    const table = await screen.findByRole("table", { name: "Deployments" });
    const [, latest, older] = within(table).getAllByRole("row");
    expect(latest).toHaveTextContent(/Succeeded.*ef315d1a9c3b.*alchemist-prod.*2 passed/);
    expect(older).toHaveTextContent(/Rolled back.*smoke failed: POST \/v1\/agents answered 500/);
  });

  it("shows the installation's health from the operator's monitor routes", async () => {
    const operatorMonitor = Object.fromEntries(
      Object.entries(monitorRoutes()).map(([key, route]) => [
        key.replace(" /v1/monitor/", " /v1/operator/monitor/"),
        route,
      ]),
    );
    const platform = operatorPlatform(operatorMonitor);
    renderApp("/admin/health");
    expect(await screen.findByRole("heading", { name: "Overall status" })).toBeInTheDocument();
    expect(await screen.findByText(/Turn error rate above 5% for 5 minutes: 8.3%/)).toBeInTheDocument();
    expect(platform.requests.some((r) => r.path.startsWith("/v1/monitor/"))).toBe(false);
    expect(platform.sent("GET /v1/operator/monitor/overview")).toHaveLength(1);
  });
});
