import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  billingNow,
  billingOverview,
  billingRoutes,
  invoices,
  proPlan,
  unconnectedOverview,
} from "../test/billingFixtures";
import { hrAssistant, knowledgeBaseList } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeAll(async () => {
  // Loads the settings page and the chart library once, on its own clock, before tests that time out.
  await import("./settings");
  await import("@mui/x-charts/BarChart");
}, 60_000);

beforeEach(() => {
  // Only the clock is fake: "today" is Nov 25, 2026 (UTC); timers stay real for transitions and user events.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(billingNow);
  signInAs();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const billingPage = `${window.location.origin}/settings/billing`;
const billingPaths = ["/v1/billing", "/v1/billing/usage", "/v1/billing/invoices"];

function signInWithRole(role: "admin" | "editor" | "viewer") {
  signInAs(
    annSession({
      accountId: "acc_bob",
      email: "bob@acme.example",
      role,
      workspaces: [{ tenantId: "acme", name: "Acme Corp", role }],
    }),
  );
}

function platformWith(overview: unknown = billingOverview(), extra: Parameters<typeof stubPlatform>[0] = {}) {
  return stubPlatform({
    ...billingRoutes(overview),
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
    ...extra,
  });
}

/** The page, once the plan has loaded. */
async function openBilling(path = "/settings/billing") {
  const rendered = renderApp(path);
  await screen.findByRole("region", { name: "Current plan" });
  return rendered;
}

/** Replaces `window.location` with a copy whose `assign` (leaving for Stripe) only records. */
function recordNavigation() {
  const assign = vi.fn();
  vi.stubGlobal("location", { ...window.location, origin: window.location.origin, assign });
  return assign;
}

function sectionLinks() {
  const nav = screen.getByRole("navigation", { name: "Settings sections" });
  return within(nav)
    .getAllByRole("link")
    .map((link) => link.querySelector(".MuiListItemText-primary")?.textContent);
}

describe("Billing: the plan and its money", { timeout: 30_000 }, () => {
  it("shows the plan, its period, and the credits to the cent and below", async () => {
    platformWith();
    await openBilling();

    const plan = screen.getByRole("region", { name: "Current plan" });
    expect(plan).toHaveTextContent("Pro plan");
    expect(plan).toHaveTextContent("$49 / month");
    expect(within(plan).getByText("Active")).toBeInTheDocument();
    expect(plan).toHaveTextContent("November 2026 · ends Dec 1, 2026, 00:00 UTC");
    expect(plan).toHaveTextContent("Credits balance$47.5031");
    expect(plan).toHaveTextContent("$37.5031 of $50.00 this period");
    expect(plan).toHaveTextContent("$12.4969 of usage · 1,840 turns");
    expect(within(plan).getByRole("button", { name: "Manage billing" })).toBeInTheDocument();

    const ledger = screen.getByRole("table", { name: "Latest credit entries" });
    const [, usage, topUp, grant] = within(ledger).getAllByRole("row");
    expect(usage).toHaveTextContent(/Usage.*-\$0\.0031\$47\.5031/);
    expect(topUp).toHaveTextContent(/Top-up.*\+\$10\.00\$47\.5062Stripe Checkout/);
    expect(grant).toHaveTextContent(/Grant.*\+\$50\.00\$50\.00Pro plan: included credits for 2026-11/);

    const notices = screen.getByRole("region", { name: "Notices" });
    expect(notices).toHaveTextContent("80% of a limit");
    expect(notices).toHaveTextContent(
      "This workspace has used 80% of its 200,000,000 model tokens per month",
    );

    // Paying a subscription already: the plan changes in the portal, not with a second Checkout.
    expect(screen.queryByRole("button", { name: /^Upgrade to/ })).not.toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Plans" })).toHaveTextContent(
      "change or cancel it with Manage billing",
    );
    expect(screen.getByRole("button", { name: "Buy $10.00 of credits" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Buy $200.00 of credits" })).toBeInTheDocument();

    const invoiceTable = await screen.findByRole("table", { name: "Invoices" });
    const [, november] = within(invoiceTable).getAllByRole("row");
    expect(november).toHaveTextContent("ALC-0002Nov 1, 2026Paid$49.00");
    expect(
      within(invoiceTable).getByRole("link", { name: "View invoice ALC-0002 (opens Stripe)" }),
    ).toHaveAttribute("href", invoices.invoices[0]?.hostedInvoiceUrl);
    expect(
      within(invoiceTable).getByRole("link", { name: "Download invoice ALC-0002 as PDF" }),
    ).toHaveAttribute("href", invoices.invoices[0]?.pdfUrl);
  });

  it("says billing is not connected and offers nothing to buy", async () => {
    const platform = platformWith(unconnectedOverview());
    await openBilling();

    const notice = screen.getByText("Billing is not connected").closest('[role="alert"]');
    expect(notice).toHaveTextContent("runs on credits an operator grants (npm run billing -- grant …)");
    expect(screen.getByRole("region", { name: "Current plan" })).toHaveTextContent("Free plan");
    expect(screen.queryByRole("button", { name: /^Upgrade to/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /of credits$/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Buy credits" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Manage billing" })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Invoices" })).not.toBeInTheDocument();
    expect(platform.sent("GET /v1/billing/invoices")).toHaveLength(0);
  });

  it("warns while a failed payment's grace runs, and says whom it concerns", async () => {
    const overview = billingOverview();
    platformWith(
      billingOverview({
        account: { ...overview.account, status: "past_due", graceUntil: "2026-11-28T15:00:00.000Z" },
      }),
    );
    await openBilling();

    const banner = screen.getByText("A payment failed").closest('[role="alert"]');
    expect(banner).toHaveTextContent("Agents keep working until Nov 28, 2026, 15:00 UTC");
    expect(banner).toHaveTextContent("Update the payment method or pay the invoice with Manage billing.");
    expect(
      within(screen.getByRole("region", { name: "Current plan" })).getByText("Payment overdue"),
    ).toBeVisible();
  });

  it("says a restricted workspace refuses work until it is paid", async () => {
    const overview = billingOverview();
    platformWith(
      billingOverview({
        account: { ...overview.account, status: "restricted", graceUntil: "2026-11-20T15:00:00.000Z" },
      }),
    );
    await openBilling();

    const banner = screen.getByText("This workspace is restricted").closest('[role="alert"]');
    expect(banner).toHaveTextContent(
      "A payment failed and the grace period ended on Nov 20, 2026, 15:00 UTC: agents, uploads and searches are refused until it is paid.",
    );
  });

  it("shows the platform's refusal when billing does not load, with a way to try again", async () => {
    platformWith(undefined, {
      "GET /v1/billing": () => errorResponse(503, "unavailable", "The store is not reachable"),
    });
    renderApp("/settings/billing");

    const alert = await screen.findByText(/The store is not reachable/);
    expect(alert.closest('[role="alert"]')).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });
});

describe("Billing: buying through Stripe", { timeout: 30_000 }, () => {
  it("posts a top-up of the amount chosen and sends the browser to Stripe's page", async () => {
    const user = userEvent.setup();
    const checkoutUrl = "https://checkout.stripe.com/c/pay/cs_test_a1B2c3";
    const platform = platformWith(undefined, {
      "POST /v1/billing/checkout": () => jsonResponse({ url: checkoutUrl, sessionId: "cs_test_a1B2c3" }),
    });
    await openBilling();
    const assign = recordNavigation();

    await user.click(screen.getByRole("button", { name: "Buy $50.00 of credits" }));

    await waitFor(() => expect(assign).toHaveBeenCalledWith(checkoutUrl));
    expect(platform.sent("POST /v1/billing/checkout").map((r) => r.body)).toEqual([
      { kind: "topup", amountMicros: 50_000_000, returnUrl: billingPage },
    ]);
  });

  it("starts a plan's subscription for a workspace that has none", async () => {
    const user = userEvent.setup();
    const overview = billingOverview();
    const checkoutUrl = "https://checkout.stripe.com/c/pay/cs_test_pro";
    const platform = platformWith(
      billingOverview({
        plan: { ...proPlan, id: "free", name: "Free", priceLabel: "$0", overage: false },
        account: { ...overview.account, subscribed: false, stripeCustomer: false },
      }),
      { "POST /v1/billing/checkout": () => jsonResponse({ url: checkoutUrl, sessionId: "cs_test_pro" }) },
    );
    await openBilling();
    const assign = recordNavigation();

    // Free is the current plan and Enterprise has no Stripe price: Pro is the one to buy.
    expect(screen.getAllByRole("button", { name: /^Upgrade to/ }).map((b) => b.textContent)).toEqual([
      "Upgrade to Pro",
    ]);
    expect(screen.queryByRole("button", { name: "Manage billing" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Upgrade to Pro" }));

    await waitFor(() => expect(assign).toHaveBeenCalledWith(checkoutUrl));
    expect(platform.sent("POST /v1/billing/checkout")[0]?.body).toEqual({
      kind: "subscription",
      planId: "pro",
      returnUrl: billingPage,
    });
  });

  it("opens the billing portal, and stays put when the platform refuses", async () => {
    const user = userEvent.setup();
    const platform = platformWith(undefined, {
      "POST /v1/billing/portal": () =>
        errorResponse(400, "failed-precondition", "Stripe is not connected on this platform"),
    });
    await openBilling();
    const assign = recordNavigation();

    await user.click(screen.getByRole("button", { name: "Manage billing" }));

    const alert = await screen.findByText("The billing portal did not open");
    expect(alert.closest('[role="alert"]')).toHaveTextContent("Stripe is not connected on this platform");
    expect(platform.sent("POST /v1/billing/portal")[0]?.body).toEqual({ returnUrl: billingPage });
    expect(assign).not.toHaveBeenCalled();
  });

  it("says what became of a Checkout when Stripe sends the browser back", async () => {
    const user = userEvent.setup();
    platformWith();
    const { router } = await openBilling("/settings/billing?checkout=success");

    const thanks = screen.getByText("Payment received").closest('[role="alert"]');
    expect(thanks).toHaveTextContent("the plan and credits below update when it does");
    await user.click(within(thanks as HTMLElement).getByRole("button", { name: "Close" }));
    expect(screen.queryByText("Payment received")).not.toBeInTheDocument();
    expect(router.state.location.search).toBe("");

    await router.navigate("/settings/billing?checkout=cancelled");
    expect(await screen.findByText("Checkout cancelled")).toBeInTheDocument();
    expect(screen.getByText("Nothing was bought and nothing was charged.")).toBeInTheDocument();
  });
});

describe("Billing: limits and usage", { timeout: 30_000 }, () => {
  it("marks a hard limit that is used up in red, one nearly used in amber, and soft ones as soft", async () => {
    const overview = billingOverview();
    platformWith(
      billingOverview({
        limits: [
          { name: "documents", label: "documents", value: 10_000, hard: true, used: 10_000, resetsAt: null },
          {
            name: "tokensPerMonth",
            label: "model tokens per month",
            value: 200_000_000,
            hard: false,
            used: 170_000_000,
            resetsAt: "2026-12-01T00:00:00.000Z",
          },
          ...overview.limits.filter(
            (l) => l.name === "members" || l.name === "conversationsPerEndUserPerDay",
          ),
        ],
      }),
    );
    await openBilling();
    const limits = screen.getByRole("region", { name: "Limits" });

    const documents = within(limits).getByRole("progressbar", { name: "Documents" });
    expect(documents).toHaveAttribute("aria-valuenow", "100");
    expect(documents).toHaveAttribute("aria-valuetext", "10,000 of 10,000");
    expect(documents).toHaveClass("MuiLinearProgress-colorError");
    const documentsRow = documents.closest("li") as HTMLElement;
    expect(documentsRow).toHaveTextContent("Limit reached: new work is refused");
    expect(documentsRow).toHaveTextContent("Does not reset");

    const tokens = within(limits).getByRole("progressbar", { name: "Model tokens per month" });
    expect(tokens).toHaveAttribute("aria-valuenow", "85");
    expect(tokens).toHaveClass("MuiLinearProgress-colorWarning");
    const tokensRow = tokens.closest("li") as HTMLElement;
    expect(within(tokensRow).getByText("Soft limit")).toBeInTheDocument();
    expect(tokensRow).toHaveTextContent("Nearly reached");
    expect(tokensRow).toHaveTextContent("Resets Dec 1, 2026, 00:00 UTC.");

    const members = within(limits).getByRole("progressbar", { name: "Members" });
    expect(members).toHaveClass("MuiLinearProgress-colorPrimary");
    expect(members.closest("li")).not.toHaveTextContent("Soft limit");
    // Not counted for the whole workspace: a figure, no bar.
    expect(
      within(limits).queryByRole("progressbar", { name: "Conversations per end user per day" }),
    ).toBeNull();
    expect(limits).toHaveTextContent("Counted for each end user");
  });

  it("charts the cost of each day of the range chosen, with a table of the same days", async () => {
    const user = userEvent.setup();
    const platform = platformWith();
    const { router } = await openBilling();

    // The last 30 days by default, today included.
    await screen.findByText("Oct 27, 2026 – Nov 25, 2026 · days in UTC");
    expect(Object.fromEntries(platform.sent("GET /v1/billing/usage")[0]?.query ?? [])).toEqual({
      from: "2026-10-27",
      to: "2026-11-25",
    });

    await user.click(
      within(screen.getByRole("group", { name: "Usage range" })).getByRole("button", { name: "7 days" }),
    );
    await screen.findByText("Nov 19, 2026 – Nov 25, 2026 · days in UTC");
    expect(router.state.location.search).toBe("?range=7");
    expect(Object.fromEntries(platform.sent("GET /v1/billing/usage").at(-1)?.query ?? [])).toEqual({
      from: "2026-11-19",
      to: "2026-11-25",
    });

    const chart = screen.getByRole("region", { name: "Cost per day" });
    expect(chart).toHaveTextContent("$1.24675 over 7 days.");
    expect(chart).toHaveTextContent("Costliest day: Nov 20, with $0.8124.");
    await user.click(within(chart).getByRole("button", { name: "Show the numbers: Cost per day" }));
    const table = await within(chart).findByRole("table", { name: "Cost per day" });
    const days = within(table)
      .getAllByRole("rowheader")
      .map((cell) => cell.textContent);
    expect(days).toEqual([
      "Nov 19, 2026",
      "Nov 20, 2026",
      "Nov 21, 2026",
      "Nov 22, 2026",
      "Nov 23, 2026",
      "Nov 24, 2026",
      "Nov 25, 2026",
    ]);
    const row = (day: string) => within(table).getByRole("rowheader", { name: day }).closest("tr");
    expect(row("Nov 20, 2026")).toHaveTextContent("1204049,20030$0.8124");
    expect(row("Nov 23, 2026")).toHaveTextContent("451518,45011$0.0031");
    expect(row("Nov 21, 2026")).toHaveTextContent("0000$0.00");

    const byModel = screen.getByRole("table", { name: /^Usage by agent and model/ });
    const [, hr] = within(byModel).getAllByRole("row");
    expect(hr).toHaveTextContent("Acme HR assistantopenai/gpt-4o-mini2290");
    expect(hr).toHaveTextContent("$1.24675");
  });
});

describe("Billing: who sees it", { timeout: 30_000 }, () => {
  it("lists Billing for owners and admins, and shows an admin no owner's actions", async () => {
    signInWithRole("admin");
    const platform = platformWith(billingOverview());
    await openBilling();

    expect(sectionLinks()).toEqual([
      "Members",
      "API keys",
      "Channels",
      "Workspace",
      "Billing",
      "Audit log",
      "Privacy",
    ]);
    expect(screen.getByRole("region", { name: "Current plan" })).toHaveTextContent("$47.5031");
    expect(screen.getByRole("region", { name: "Plans" })).toHaveTextContent(
      "Only owners change the plan or buy credits.",
    );
    expect(screen.queryByRole("button", { name: "Manage billing" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /of credits$/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Invoices" })).not.toBeInTheDocument();
    expect(platform.sent("GET /v1/billing/invoices")).toHaveLength(0);
  });

  it("hides Billing from an editor, and asks nothing of its routes when they open its address", async () => {
    signInWithRole("editor");
    const platform = platformWith();
    renderApp("/settings/billing");

    expect(await screen.findByText(/Only admins and owners manage billing/)).toBeInTheDocument();
    expect(sectionLinks()).toEqual(["Channels"]);
    expect(platform.requests.filter((r) => billingPaths.includes(r.path))).toEqual([]);
  });
});

describe(
  "Refusals for the plan or the credits (HTTP 402), elsewhere in the studio",
  { timeout: 30_000 },
  () => {
    const refusal = () =>
      errorResponse(
        402,
        "payment-required",
        "This workspace has reached its limit of 5 agents (Free plan); remove some or upgrade the plan to add more.",
        { billing: { limit: "agents", value: 5, used: 5, resetsAt: null, plan: "free" } },
      );

    async function createAgent() {
      const user = userEvent.setup();
      renderApp("/agents/new");
      await screen.findByRole("heading", { level: 1, name: "New agent" });
      await user.type(screen.getByRole("textbox", { name: "Name" }), "Travel desk");
      await user.click(screen.getByRole("button", { name: "Save draft" }));
      const title = await screen.findByText("The agent was not created");
      return title.closest('[role="alert"]') as HTMLElement;
    }

    it("gives an owner the platform's reason and the way to Billing", async () => {
      stubPlatform({
        "GET /v1/knowledge-bases": () => jsonResponse(knowledgeBaseList),
        "POST /v1/agents": refusal,
      });
      const alert = await createAgent();

      expect(alert).toHaveTextContent("This workspace has reached its limit of 5 agents (Free plan)");
      expect(within(alert).getByRole("link", { name: "Settings → Billing" })).toHaveAttribute(
        "href",
        "/settings/billing",
      );
    });

    it("tells an editor whom to ask, without a link they could not use", async () => {
      signInWithRole("editor");
      stubPlatform({
        "GET /v1/knowledge-bases": () => jsonResponse(knowledgeBaseList),
        "POST /v1/agents": refusal,
      });
      const alert = await createAgent();

      expect(alert).toHaveTextContent(
        "an admin or owner of this workspace can see them under Settings → Billing",
      );
      expect(within(alert).queryByRole("link")).not.toBeInTheDocument();
    });
  },
);
