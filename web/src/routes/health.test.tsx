import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import {
  abstentionRule,
  alertState,
  latencyRule,
  monitorNow,
  monitorRoutes,
  seriesAnswer,
  webhookChannel,
} from "../test/monitorFixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeAll(async () => {
  // Loads the page and its chart library once, on its own clock, before tests that time out.
  await import("./health");
  await import("@mui/x-charts/LineChart");
}, 60_000);

beforeEach(() => {
  // Only the clock is fake: "now" is Nov 25, 2026, 15:00 UTC; timers stay real for transitions and debounces.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(monitorNow);
  signInAs();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

function platformWith(extra: Parameters<typeof stubPlatform>[0] = {}) {
  return stubPlatform({
    ...monitorRoutes(),
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk] }),
    ...extra,
  });
}

function signInWithRole(role: "admin" | "editor") {
  signInAs(
    annSession({
      accountId: "acc_bob",
      email: "bob@acme.example",
      role,
      workspaces: [{ tenantId: "acme", name: "Acme Corp", role }],
    }),
  );
}

const monitorRequests = (platform: ReturnType<typeof stubPlatform>) =>
  platform.requests.filter((r) => r.path.startsWith("/v1/monitor"));

/** The row a table gives something, found by a cell's text. */
function rowWith(table: HTMLElement, text: string | RegExp) {
  const cell = within(table).getByText(text);
  return cell.closest("tr") ?? cell;
}

describe("Health: who sees it", { timeout: 30_000 }, () => {
  it("is in an admin's navigation, and opens on the Status tab", async () => {
    signInWithRole("admin");
    platformWith();
    renderApp("/monitor");

    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Health" })).toHaveAttribute("href", "/monitor");
    expect(await screen.findByRole("heading", { level: 1, name: "Health" })).toBeInTheDocument();
    const tabs = screen.getByRole("tablist", { name: "Health" });
    expect(
      within(tabs)
        .getAllByRole("tab")
        .map((tab) => tab.textContent),
    ).toEqual(["Status", "Metrics", "Incidents", "Alert rules", "Notifications", "SLA"]);
    expect(within(tabs).getByRole("tab", { name: "Status" })).toHaveAttribute("aria-selected", "true");
    expect(screen.getByRole("tabpanel", { name: "Status" })).toBeInTheDocument();
  });

  it("is not in an editor's navigation, and its address says it is for admins without asking anything", async () => {
    signInWithRole("editor");
    const platform = platformWith();
    renderApp("/monitor/rules");

    expect(
      await screen.findByText(/Only admins and owners see the workspace's health. Your role is Editor./),
    ).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Health" })).not.toBeInTheDocument();
    expect(within(nav).getByRole("link", { name: "Analytics" })).toBeInTheDocument();
    expect(screen.queryByRole("tablist")).not.toBeInTheDocument();
    expect(monitorRequests(platform)).toEqual([]);
  });

  it("says so when the platform refuses, as the role changed since sign-in", async () => {
    platformWith({
      "GET /v1/monitor/overview": () =>
        errorResponse(
          403,
          "permission-denied",
          "This action needs the admin role; your credential has editor",
        ),
    });
    renderApp("/monitor");
    expect(await screen.findByText("Your role does not allow this")).toBeInTheDocument();
    expect(
      screen.getByText(/This action needs the admin role; your credential has editor./),
    ).toBeInTheDocument();
  });
});

describe("Health: Status", { timeout: 30_000 }, () => {
  it("shows the overall status, the dependencies with their history, and each agent's last hour", async () => {
    platformWith();
    renderApp("/monitor");

    const overall = await screen.findByRole("region", { name: "Overall status" });
    expect(within(overall).getByText("Degraded")).toBeInTheDocument();
    expect(overall).toHaveTextContent("Something is slow or failing");

    const checks = screen.getByRole("table", { name: "Dependencies" });
    expect(rowWith(checks, "chatModel")).toHaveTextContent(
      /chatModel.*DegradedDegraded|chatModel.*Degraded8.42 s/,
    );
    expect(
      within(rowWith(checks, "chatModel") as HTMLElement).getByRole("img", {
        name: "Last 30 results since Nov 25, 14:30 UTC: 17 ok, 12 degraded, 1 down",
      }),
    ).toBeInTheDocument();
    expect(rowWith(checks, "stripe")).toHaveTextContent("Not checked yet");

    const agents = screen.getByRole("table", { name: "Agents" });
    expect(rowWith(agents, "Acme HR assistant")).toHaveTextContent(
      /Acme HR assistantFailing968.3%14.2 s12.5%Failed.*The turn failed: the model provider timed out/,
    );
    expect(rowWith(agents, "IT helpdesk")).toHaveTextContent(/IT helpdeskNot publishedIdle0———No probe/);
  });

  it("acknowledges an alert, and silences another for the time picked", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/monitor/alerts/error-rate/acknowledge": () =>
        jsonResponse(
          alertState("error-rate", { acknowledgedBy: "acc_ann", acknowledgedAt: monitorNow.toISOString() }),
        ),
      "POST /v1/monitor/alerts/latency-p95/silence": () =>
        jsonResponse(
          alertState("latency-p95", { state: "pending", silencedUntil: "2026-11-25T19:00:00.000Z" }),
        ),
    });
    renderApp("/monitor");

    const alerts = await screen.findByRole("table", { name: "Active alerts" });
    const firing = rowWith(alerts, "Turn error rate above 5% for 5 minutes") as HTMLElement;
    expect(firing).toHaveTextContent(/CriticalFiring/);
    // The rules say how to write the value: a share.
    await waitFor(() => expect(firing).toHaveTextContent("8.3%"));
    expect(within(firing).getByRole("link", { name: "View the incident" })).toHaveAttribute(
      "href",
      "/monitor/incidents?incident=inc_0042",
    );

    await user.click(
      within(firing).getByRole("button", { name: "Acknowledge Turn error rate above 5% for 5 minutes" }),
    );
    expect(
      await screen.findByText(
        "Turn error rate above 5% for 5 minutes is acknowledged: it will not notify again until it resolves.",
      ),
    ).toBeInTheDocument();
    expect(firing).toHaveTextContent("acknowledged by acc_ann");
    expect(within(firing).getByRole("button", { name: /^Acknowledge/ })).toBeDisabled();

    const pending = rowWith(alerts, "Turn latency p95 above 15 s for 10 minutes") as HTMLElement;
    expect(pending).toHaveTextContent("15.8 s");
    await user.click(
      within(pending).getByRole("button", { name: "Silence Turn latency p95 above 15 s for 10 minutes" }),
    );
    const dialog = await screen.findByRole("dialog", {
      name: "Silence Turn latency p95 above 15 s for 10 minutes",
    });
    await user.click(within(dialog).getByRole("radio", { name: "4 h" }));
    await user.click(within(dialog).getByRole("button", { name: "Silence for 4 h" }));

    expect(
      await screen.findByText("Turn latency p95 above 15 s for 10 minutes is silenced for 4 h."),
    ).toBeInTheDocument();
    expect(platform.sent("POST /v1/monitor/alerts/latency-p95/silence")[0]?.body).toEqual({ minutes: 240 });
    expect(pending).toHaveTextContent("silenced until Nov 25, 2026, 19:00 UTC");
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
  });
});

describe("Health: Metrics", { timeout: 30_000 }, () => {
  it("charts the last 24 hours by the minute, has the numbers as a table, and asks again for another window", async () => {
    const user = userEvent.setup();
    const platform = platformWith();
    renderApp("/monitor/metrics");

    const latency = await screen.findByRole("region", { name: "Latency" });
    const [first] = platform.sent("GET /v1/monitor/series");
    expect(first?.query.get("step")).toBe("minute");
    expect(first?.query.get("kind")).toBe("turn");
    expect(first?.query.get("from")).toBe("2026-11-24T15:01:00.000Z");
    expect(first?.query.get("agentId")).toBeNull();
    expect(latency).toHaveTextContent("Slowest p95: 14 s, at Nov 25, 14:47 UTC.");
    expect(screen.getByRole("region", { name: "Error rate" })).toHaveTextContent(
      "10.8% over the window: 13 failed turns of 120. Highest at Nov 25, 14:47 UTC: 16.7%.",
    );

    // An hour's numbers (a day's are 1,440 rows: slow to query in jsdom).
    await user.click(screen.getByRole("button", { name: "1 hour" }));
    await screen.findByText(/Nov 25, 14:01 UTC – Nov 25, 15:00 UTC/);
    expect(platform.sent("GET /v1/monitor/series")[1]?.query.get("from")).toBe("2026-11-25T14:01:00.000Z");
    const hour = screen.getByRole("region", { name: "Latency" });
    await user.click(within(hour).getByRole("button", { name: "Show the numbers: Latency" }));
    const table = await within(hour).findByRole("table", { name: "Latency" });
    expect(within(table).getAllByRole("row")).toHaveLength(61);
    const cell = within(table).getByRole("rowheader", { name: "Nov 25, 14:50 UTC" });
    expect(cell.closest("tr")).toHaveTextContent("3.2 s14 s19.5 s");
    expect(
      within(table).getByRole("rowheader", { name: "Nov 25, 14:30 UTC" }).closest("tr"),
    ).toHaveTextContent("———");

    await user.click(screen.getByRole("button", { name: "7 days" }));
    await waitFor(() => expect(platform.sent("GET /v1/monitor/series")).toHaveLength(3));
    expect(platform.sent("GET /v1/monitor/series")[2]?.query.get("step")).toBe("hour");
  });

  it("filters on an agent, and measures API requests without one", async () => {
    const user = userEvent.setup();
    const platform = platformWith();
    renderApp("/monitor/metrics?window=1h&agent=agt_hr");

    await screen.findByRole("heading", { level: 2, name: "Turns of Acme HR assistant, last 1 hour" });
    expect(platform.sent("GET /v1/monitor/series")[0]?.query.get("agentId")).toBe("agt_hr");

    await user.click(screen.getByRole("button", { name: "API requests" }));
    await screen.findByRole("heading", { level: 2, name: "API requests, last 1 hour" });
    const last = platform.sent("GET /v1/monitor/series").at(-1);
    expect(last?.query.get("kind")).toBe("request");
    expect(last?.query.get("agentId")).toBeNull();
    expect(screen.queryByRole("combobox", { name: "Agent" })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Abstention rate" })).not.toBeInTheDocument();
  });

  it("says when the window had no traffic", async () => {
    platformWith({
      "GET /v1/monitor/series": (request) => jsonResponse(seriesAnswer(request, { quiet: true })),
    });
    renderApp("/monitor/metrics?window=1h");
    expect(await screen.findByRole("heading", { name: "No turns in the last 1 hour" })).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Latency" })).not.toBeInTheDocument();
  });
});

describe("Health: Incidents", { timeout: 30_000 }, () => {
  it("lists incidents newest first, each with its timeline, and marks the one a notification links to", async () => {
    platformWith();
    renderApp("/monitor/incidents?incident=inc_0042");

    const firing = await screen.findByRole("article", { name: "Turn error rate above 5% for 5 minutes" });
    expect(firing).toHaveAttribute("aria-current", "true");
    expect(firing).toHaveFocus();
    expect(firing).toHaveTextContent("Worst value12.5%");
    expect(firing).toHaveTextContent("Open for13 min");
    const timeline = within(firing).getByRole("list", {
      name: "Timeline of Turn error rate above 5% for 5 minutes",
    });
    expect(
      within(timeline)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual([
      "Nov 25, 2026, 14:47 UTCCondition met · 6.2%Condition met: 6.2%",
      "Nov 25, 2026, 14:51 UTCFired · 8.3%Notified 2 channels",
      "Nov 25, 2026, 14:55 UTCAcknowledgedAcknowledged by acc_ann",
    ]);
    const resolved = screen.getByRole("article", { name: "A synthetic probe failed twice in 15 minutes" });
    expect(resolved).toHaveTextContent("Lasted46 min");
    expect(resolved).not.toHaveAttribute("aria-current");
  });

  it("lists one status at a time, and says when there is none", async () => {
    const user = userEvent.setup();
    const platform = platformWith();
    renderApp("/monitor/incidents");
    await screen.findByRole("article", { name: "A synthetic probe failed twice in 15 minutes" });

    await user.click(screen.getByRole("button", { name: "Pending" }));
    expect(await screen.findByRole("heading", { name: "No pending incidents" })).toBeInTheDocument();
    expect(platform.sent("GET /v1/monitor/incidents").at(-1)?.query.get("status")).toBe("pending");
  });
});

describe("Health: Alert rules", { timeout: 30_000 }, () => {
  it("lists the rules in words, with their state", async () => {
    platformWith();
    renderApp("/monitor/rules");
    const table = await screen.findByRole("table", { name: "Alert rules" });
    expect(rowWith(table, "Turn error rate above 5% for 5 minutes")).toHaveTextContent(
      /Built in.*Error rate above 5% over 5 min.*Critical.*Firing/,
    );
    expect(rowWith(table, "Abstention rate doubled (last hour against the hour before)")).toHaveTextContent(
      /Abstention rate at least 2× the window before over 1 h.*Not checked yet/,
    );
  });

  it("previews a new rule on the last 7 days as it is typed, then creates it", async () => {
    const user = userEvent.setup();
    const created = {
      id: "r_hr_slow",
      builtIn: false,
      createdAt: monitorNow.toISOString(),
      updatedAt: monitorNow.toISOString(),
      state: null,
    };
    const platform = platformWith({
      "POST /v1/monitor/rules": (request) => jsonResponse({ ...(request.body as object), ...created }, 201),
    });
    renderApp("/monitor/rules");
    await user.click(await screen.findByRole("button", { name: "New rule" }));
    const dialog = await screen.findByRole("dialog", { name: "New alert rule" });

    // Asked at once for the rule the form starts with, without a name.
    const preview = within(dialog).getByRole("region", { name: "Over the last 7 days" });
    expect(
      await within(preview).findByText(
        "It would have fired 3 times in the last 7 days: it had data for 3 days of them, so it may fire more often once there is more traffic.",
      ),
    ).toBeInTheDocument();
    expect(within(preview).getByRole("list", { name: "When it would have fired" })).toHaveTextContent(
      "Nov 25, 2026, 14:51 UTC, still firing (worst 8.3%)",
    );

    await user.type(within(dialog).getByRole("textbox", { name: "Name" }), "HR assistant errors");
    await user.selectOptions(within(dialog).getByRole("combobox", { name: "Of" }), "agt_hr");
    const threshold = within(dialog).getByRole("textbox", { name: "Threshold" });
    await user.clear(threshold);
    await user.type(threshold, "2.5");
    // Once typing pauses, the rule as typed is previewed.
    await waitFor(() =>
      expect(platform.sent("POST /v1/monitor/rules/preview").at(-1)?.body).toMatchObject({
        filter: { agentId: "agt_hr" },
        condition: { type: "threshold", op: ">", value: 0.025 },
      }),
    );
    const previews = platform.sent("POST /v1/monitor/rules/preview").length;
    expect(previews).toBeLessThan(6);

    await user.click(within(dialog).getByRole("checkbox", { name: "On-call pager" }));
    await user.click(within(dialog).getByRole("button", { name: "Create rule" }));

    expect(await screen.findByText("HR assistant errors is created and watching.")).toBeInTheDocument();
    expect(platform.sent("POST /v1/monitor/rules")[0]?.body).toEqual({
      name: "HR assistant errors",
      metric: "error-rate",
      filter: { agentId: "agt_hr" },
      condition: { type: "threshold", op: ">", value: 0.025 },
      windowMinutes: 10,
      forMinutes: 5,
      minSamples: 20,
      severity: "warning",
      renotifyMinutes: 60,
      channels: ["ch_pager"],
      enabled: true,
    });
    const table = screen.getByRole("table", { name: "Alert rules" });
    expect(rowWith(table, "HR assistant errors")).toHaveTextContent(
      "Error rate above 2.5% over 10 min, for 5 min · Acme HR assistant",
    );
  });

  it("does not send a rule with a field it would refuse, and says which", async () => {
    const user = userEvent.setup();
    const platform = platformWith();
    renderApp("/monitor/rules");
    await user.click(await screen.findByRole("button", { name: "New rule" }));
    const dialog = await screen.findByRole("dialog", { name: "New alert rule" });
    const over = within(dialog).getByRole("textbox", { name: "Over" });
    await user.clear(over);
    await user.type(over, "2000");
    await user.click(within(dialog).getByRole("button", { name: "Create rule" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent("Check the fields marked in red.");
    expect(within(dialog).getByText("Give the rule a name.")).toBeInTheDocument();
    expect(within(dialog).getByText("From 1 to 1,440.")).toBeInTheDocument();
    expect(platform.sent("POST /v1/monitor/rules")).toHaveLength(0);
  });

  it("edits a rule, disables one, and deletes one", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "PATCH /v1/monitor/rules/latency-p95": (request) =>
        jsonResponse({ ...latencyRule, ...(request.body as object) }),
      "PATCH /v1/monitor/rules/abstention-doubling": (request) =>
        jsonResponse({ ...abstentionRule, ...(request.body as object) }),
      "DELETE /v1/monitor/rules/error-rate": () => new Response(null, { status: 204 }),
    });
    renderApp("/monitor/rules");
    const table = await screen.findByRole("table", { name: "Alert rules" });

    await user.click(
      within(table).getByRole("button", { name: "Edit Turn latency p95 above 15 s for 10 minutes" }),
    );
    const dialog = await screen.findByRole("dialog", {
      name: "Edit Turn latency p95 above 15 s for 10 minutes",
    });
    const threshold = within(dialog).getByRole("textbox", { name: "Threshold" });
    expect(threshold).toHaveValue("15000");
    await user.clear(threshold);
    await user.type(threshold, "12000");
    await user.click(within(dialog).getByRole("button", { name: "Save rule" }));
    expect(
      await screen.findByText("Turn latency p95 above 15 s for 10 minutes is saved."),
    ).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/monitor/rules/latency-p95")[0]?.body).toMatchObject({
      condition: { type: "threshold", op: ">", value: 12_000 },
    });
    expect(rowWith(table, "Turn latency p95 above 15 s for 10 minutes")).toHaveTextContent("above 12 s");

    await user.click(
      within(table).getByRole("switch", {
        name: "Enabled: Abstention rate doubled (last hour against the hour before)",
      }),
    );
    expect(
      await screen.findByText("Abstention rate doubled (last hour against the hour before) is disabled."),
    ).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/monitor/rules/abstention-doubling")[0]?.body).toEqual({ enabled: false });

    await user.click(
      within(table).getByRole("button", { name: "Delete Turn error rate above 5% for 5 minutes" }),
    );
    const confirm = await screen.findByRole("dialog", {
      name: "Delete Turn error rate above 5% for 5 minutes?",
    });
    expect(confirm).toHaveTextContent("It came with the platform, and nothing brings it back once deleted");
    await user.click(within(confirm).getByRole("button", { name: "Delete rule" }));
    expect(await screen.findByText("Turn error rate above 5% for 5 minutes is deleted.")).toBeInTheDocument();
    expect(within(table).queryByText("Turn error rate above 5% for 5 minutes")).not.toBeInTheDocument();
  });

  it("sets up a probe for an agent, and shows the last run of another", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "PUT /v1/monitor/probes/agt_it": (request) =>
        jsonResponse({ agentId: "agt_it", ...(request.body as object) }),
    });
    renderApp("/monitor/rules");
    const probes = await screen.findByRole("table", { name: "Probes" });
    expect(rowWith(probes, "Acme HR assistant")).toHaveTextContent(
      /“How many vacation days do full-time employees receive per year\?”Expects an answer containing “25” · every 5 minFailed/,
    );
    const it = rowWith(probes, "IT helpdesk") as HTMLElement;
    expect(it).toHaveTextContent("Not published: probes ask the published version");

    await user.click(within(it).getByRole("button", { name: "Add probe to IT helpdesk" }));
    const dialog = await screen.findByRole("dialog", { name: "Probe of IT helpdesk" });
    await user.click(within(dialog).getByRole("textbox", { name: "Question" }));
    await user.paste("How do I reset my VPN password?");
    await user.click(within(dialog).getByRole("textbox", { name: "The answer must contain" }));
    await user.paste("self-service\nportal");
    await user.click(within(dialog).getByRole("button", { name: "Save probe" }));

    expect(
      await screen.findByText("The probe of IT helpdesk is saved: it runs every 5 min."),
    ).toBeInTheDocument();
    expect(platform.sent("PUT /v1/monitor/probes/agt_it")[0]?.body).toEqual({
      question: "How do I reset my VPN password?",
      expect: "answers",
      mustContain: ["self-service", "portal"],
      everyMinutes: 5,
      enabled: true,
    });
  });
});

describe("Health: Notifications", { timeout: 30_000 }, () => {
  it("lists the channels with their last delivery, and the inbox and the outbox", async () => {
    platformWith();
    renderApp("/monitor/notifications");
    const table = await screen.findByRole("table", { name: "Notification channels" });
    expect(rowWith(table, "On-call pager")).toHaveTextContent(
      /Webhook · signed.*https:\/\/hooks.acme.example\/alchemist.*Delivered.*HTTP 200/,
    );
    expect(rowWith(table, "#ops-alerts")).toHaveTextContent(
      /Slack.*The rest of the address is sealed.*Failed.*HTTP 404 · no_service/,
    );
    expect(rowWith(table, "Ops team")).toHaveTextContent("ops@acme.example, ann@acme.example");

    const inbox = await screen.findByRole("region", { name: "Inbox" });
    expect(
      await within(inbox).findByText("Firing: Turn error rate above 5% for 5 minutes"),
    ).toBeInTheDocument();
    const outbox = screen.getByRole("region", { name: "Outbox" });
    expect(
      await within(outbox).findByText("[CRITICAL] Turn error rate above 5% for 5 minutes firing"),
    ).toBeInTheDocument();
    expect(outbox).toHaveTextContent("to ops@acme.example, ann@acme.example");
  });

  it("adds a webhook and shows its signing secret once", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/monitor/channels": () =>
        jsonResponse(
          {
            ...webhookChannel,
            id: "ch_new",
            name: "Status page",
            url: "https://status.acme.example/hooks/alchemist",
            lastDelivery: null,
            secret: "whsec_9f2c41d7e0b84a6f",
          },
          201,
        ),
    });
    renderApp("/monitor/notifications");
    await user.click(await screen.findByRole("button", { name: "Add channel" }));
    const dialog = await screen.findByRole("dialog", { name: "Add a notification channel" });
    await user.type(within(dialog).getByRole("textbox", { name: "Name" }), "Status page");
    await user.type(
      within(dialog).getByRole("textbox", { name: "Address" }),
      "https://status.acme.example/hooks/alchemist",
    );
    await user.click(within(dialog).getByRole("button", { name: "Add channel" }));

    const secret = await screen.findByRole("dialog", { name: "Signing secret of Status page" });
    expect(secret).toHaveTextContent("whsec_9f2c41d7e0b84a6f");
    expect(secret).toHaveTextContent("You will not see this secret again.");
    expect(within(secret).getByRole("button", { name: "Copy: Signing secret" })).toBeInTheDocument();
    expect(platform.sent("POST /v1/monitor/channels")[0]?.body).toEqual({
      type: "webhook",
      name: "Status page",
      url: "https://status.acme.example/hooks/alchemist",
    });
    await user.click(within(secret).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByText("whsec_9f2c41d7e0b84a6f")).not.toBeInTheDocument());
    expect(
      rowWith(screen.getByRole("table", { name: "Notification channels" }), "Status page"),
    ).toHaveTextContent("Nothing sent yet");
  });

  it("sends a test through one channel, and deletes one", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/monitor/channels/ch_email/test": () =>
        jsonResponse(
          {
            notificationId: "test-1",
            deliveries: [{ channelId: "ch_email", type: "email", outcome: "written" }],
            inbox: "skipped",
          },
          202,
        ),
      "DELETE /v1/monitor/channels/ch_slack": () => jsonResponse({ id: "ch_slack", deleted: true }),
    });
    renderApp("/monitor/notifications");
    const table = await screen.findByRole("table", { name: "Notification channels" });
    await waitFor(() => expect(platform.sent("GET /v1/monitor/outbox")).toHaveLength(1));

    await user.click(within(table).getByRole("button", { name: "Send a test to Ops team" }));
    expect(
      await screen.findByText("A test email to ops@acme.example, ann@acme.example is in the outbox below."),
    ).toBeInTheDocument();
    // The outbox is read again to show it.
    await waitFor(() => expect(platform.sent("GET /v1/monitor/outbox")).toHaveLength(2));

    await user.click(within(table).getByRole("button", { name: "Delete #ops-alerts" }));
    const confirm = await screen.findByRole("dialog", { name: "Delete #ops-alerts?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete channel" }));
    expect(await screen.findByText("#ops-alerts is deleted.")).toBeInTheDocument();
    expect(within(table).queryByText("#ops-alerts")).not.toBeInTheDocument();
  });
});

describe("Health: SLA", { timeout: 30_000 }, () => {
  it("reports the month's availability against the target, and another month on request", async () => {
    const user = userEvent.setup();
    const platform = platformWith();
    renderApp("/monitor/sla");

    const report = await screen.findByRole("region", { name: "November 2026, against 99.9%" });
    const table = within(report).getByRole("table", { name: "Availability, November 2026" });
    expect(
      within(table)
        .getByRole("rowheader", { name: /REST API/ })
        .closest("tr"),
    ).toHaveTextContent(/99.96%Met12.*30.2 min18.2 min/);
    expect(
      within(table)
        .getByRole("rowheader", { name: /Acme HR assistant/ })
        .closest("tr"),
    ).toHaveTextContent(/99.683%Missed31.*-21.2 min/);
    expect(
      within(table)
        .getByRole("rowheader", { name: /IT helpdesk/ })
        .closest("tr"),
    ).toHaveTextContent("—No data");
    expect(screen.getByRole("link", { name: "Printable report" })).toHaveAttribute(
      "href",
      "/monitor/sla/print?month=2026-11&target=99.9",
    );

    await user.selectOptions(screen.getByRole("combobox", { name: "Month" }), "2026-10");
    await user.selectOptions(screen.getByRole("combobox", { name: "Availability target" }), "99.95");
    expect(await screen.findByRole("region", { name: "October 2026, against 99.95%" })).toBeInTheDocument();
    expect(platform.sent("GET /v1/monitor/sla").at(-1)?.query.toString()).toBe("month=2026-10&target=99.95");
  });

  it("downloads the report as a CSV file", async () => {
    const user = userEvent.setup();
    const csv = "target,name,availability\napi,REST API,0.99960317\n";
    const downloads: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      downloads.push(blob);
      return "blob:sla";
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    const platform = platformWith({
      "GET /v1/monitor/sla": (request) =>
        request.query.get("format") === "csv"
          ? new Response(csv, { status: 200, headers: { "Content-Type": "text/csv" } })
          : (monitorRoutes()["GET /v1/monitor/sla"] as (r: typeof request) => Response)(request),
    });
    renderApp("/monitor/sla");
    await screen.findByRole("region", { name: "November 2026, against 99.9%" });

    await user.click(screen.getByRole("button", { name: "Download CSV" }));
    expect(await screen.findByText("Your browser downloaded sla-2026-11-99.9.csv.")).toBeInTheDocument();
    const request = platform.sent("GET /v1/monitor/sla").find((r) => r.query.get("format") === "csv");
    expect(request?.authorization).toBe("Bearer als_ann_acme.signature");
    expect(click).toHaveBeenCalledTimes(1);
    expect(await (downloads[0] as Blob).text()).toBe(csv);
  });

  it("lays the report out for paper, with a Print button", async () => {
    const user = userEvent.setup();
    const print = vi.fn();
    vi.stubGlobal("print", print);
    platformWith();
    renderApp("/monitor/sla/print?month=2026-10&target=99.5");

    expect(
      await screen.findByRole("heading", { level: 1, name: "Availability report, October 2026" }),
    ).toBeInTheDocument();
    expect(screen.getByText("Acme Corp · target 99.5%")).toBeInTheDocument();
    const table = await screen.findByRole("table", { name: "Availability, October 2026" });
    expect(within(table).getByRole("columnheader", { name: "Observed minutes" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Print" }));
    expect(print).toHaveBeenCalledTimes(1);
  });
});
