import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  adminRoutes,
  auditLogPage,
  cust42Erasure,
  cust42Export,
  olderAuditLogPage,
  permissionDenied,
} from "../test/adminFixtures";
import { analyticsAnswer } from "../test/analyticsFixtures";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
import { whatsAppRoutes } from "../test/whatsappFixtures";
import { helpCenterWidget, widgetRoutes } from "../test/widgetFixtures";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const adminPaths = [
  "/v1/members",
  "/v1/invitations",
  "/v1/api-keys",
  "/v1/settings",
  "/v1/audit-log",
  "/v1/whatsapp/connections",
  "/v1/widgets",
];

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

/** jsdom's Blob has no `text()`; its FileReader reads one. */
function readBlob(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error("unreadable blob"));
    reader.readAsText(blob);
  });
}

function sectionLinks() {
  const nav = screen.getByRole("navigation", { name: "Settings sections" });
  return within(nav)
    .getAllByRole("link")
    .map((link) => link.querySelector(".MuiListItemText-primary")?.textContent);
}

describe("Settings: who sees what", () => {
  it("shows an owner every section and opens Members", async () => {
    stubPlatform({ ...adminRoutes(), "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }) });
    const { router } = renderApp("/settings");

    expect(await screen.findByRole("table", { name: "Members" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings/members");
    expect(sectionLinks()).toEqual([
      "Members",
      "API keys",
      "Channels",
      "Workspace",
      "Billing",
      "Audit log",
      "Privacy",
    ]);
    expect(screen.getByRole("link", { name: /Members/ })).toHaveAttribute("aria-current", "page");
    expect(document.title).toBe("Members · Settings · Alchemist");
  });

  it("shows a viewer only Channels, says an admin manages the rest, and asks nothing of the admin routes", async () => {
    signInWithRole("viewer");
    const platform = stubPlatform({
      ...adminRoutes(),
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk] }),
    });
    const { router } = renderApp("/settings");

    expect(await screen.findByRole("heading", { level: 2, name: "Channels" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings/channels");
    expect(sectionLinks()).toEqual(["Channels"]);
    expect(screen.getByText(/You are a Viewer in Acme Corp/)).toBeInTheDocument();
    expect(screen.getByText(/managed by the workspace's admins and owners/)).toBeInTheDocument();
    expect(screen.getByText(/Ask an admin or owner of this workspace for one/)).toBeInTheDocument();
    expect(platform.requests.filter((r) => adminPaths.includes(r.path))).toEqual([]);
  });

  it("tells an editor who opens an admin section by its URL who manages it", async () => {
    signInWithRole("editor");
    const platform = stubPlatform(adminRoutes());
    renderApp("/settings/api-keys");

    expect(await screen.findByText(/Only admins and owners manage api keys/)).toBeInTheDocument();
    expect(screen.getByText(/You are an Editor in Acme Corp/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to Channels" })).toHaveAttribute(
      "href",
      "/settings/channels",
    );
    expect(platform.requests.filter((r) => adminPaths.includes(r.path))).toEqual([]);
  });

  it("says plainly when the platform refuses a section the studio thought allowed", async () => {
    // The session says owner, but the role changed since sign-in.
    stubPlatform({ ...adminRoutes(), "GET /v1/settings": () => permissionDenied("admin", "viewer") });
    renderApp("/settings/workspace");

    const alert = await screen.findByText("Your role does not allow this");
    expect(alert.closest('[role="alert"]')).toHaveTextContent(
      "The platform says: This action needs the admin role; your credential has viewer.",
    );
    expect(screen.getByRole("button", { name: "Check again" })).toBeInTheDocument();
  });

  it("says when a section does not exist", async () => {
    stubPlatform(adminRoutes());
    renderApp("/settings/invoices");
    expect(await screen.findByText(/There is no settings section called “invoices”/)).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to Members" })).toBeInTheDocument();
  });
});

describe("Settings: channels", () => {
  it("shows the two APIs with their base URL and examples, and every channel's card", async () => {
    stubPlatform({
      ...whatsAppRoutes(),
      ...widgetRoutes(),
      "GET /v1/agents": () => jsonResponse({ agents: [itHelpdesk, hrAssistant] }),
      // Each channel's recent activity (settings-channel-activity.test.tsx): a quiet month here.
      "GET /v1/analytics": () => jsonResponse(analyticsAnswer([])),
    });
    renderApp("/settings/channels");

    const rest = await screen.findByRole("region", { name: "REST API" });
    const origin = window.location.origin;
    expect(rest).toHaveTextContent(`Base URL${origin}/v1`);
    // The published agent, not the draft one, fills the examples.
    await waitFor(() => expect(rest).toHaveTextContent(`${origin}/v1/agents/agt_hr/conversations`));
    expect(rest).toHaveTextContent("Authorization: Bearer $ALCHEMIST_API_KEY");

    const openAi = screen.getByRole("region", { name: "OpenAI-compatible API" });
    expect(openAi).toHaveTextContent(`OpenAI(base_url="${origin}/v1"`);
    expect(openAi).toHaveTextContent('model="agt_hr"');
    // The Responses API, as the Vercel AI SDK's default provider model calls it.
    expect(openAi).toHaveTextContent(`createOpenAI({ baseURL: "${origin}/v1"`);
    expect(openAi).toHaveTextContent('model: openai("agt_hr")');
    expect(screen.getByRole("link", { name: "Create an API key" })).toHaveAttribute(
      "href",
      "/settings/api-keys",
    );

    const mcp = screen.getByRole("region", { name: "MCP" });
    expect(within(mcp).getByText("Available")).toBeInTheDocument();
    expect(mcp).toHaveTextContent(`"url": "${origin}/mcp"`);
    expect(mcp).toHaveTextContent(`${origin}/mcp/agents/agt_hr`);

    const whatsapp = screen.getByRole("region", { name: "WhatsApp Business" });
    expect(within(whatsapp).getByText("Available")).toBeInTheDocument();
    expect(await within(whatsapp).findByRole("article", { name: "Support line" })).toBeInTheDocument();
    // The API stays one click away, for admins who script their setup.
    expect(within(whatsapp).getByRole("button", { name: "Use the API instead" })).toHaveAttribute(
      "aria-expanded",
      "false",
    );
    expect(whatsapp).toHaveTextContent(`curl -X POST ${origin}/v1/whatsapp/connections`);

    // The widget is no longer a channel to come: admins manage its widgets here (settings-widgets.test.tsx).
    const widget = screen.getByRole("region", { name: "Web chat widget" });
    expect(within(widget).getByText("Available")).toBeInTheDocument();
    expect(within(widget).queryByText("Not available yet")).not.toBeInTheDocument();
    expect(await within(widget).findByRole("region", { name: "Help center" })).toHaveTextContent(
      `<script src="${origin}/widget.js" data-key="${helpCenterWidget.key}" async></script>`,
    );
  });
});

describe("Settings: workspace", () => {
  it("checks the retention before saving it", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...adminRoutes(),
      "PATCH /v1/settings": (request) => jsonResponse(request.body),
    });
    renderApp("/settings/workspace");

    expect(await screen.findByText("Acme Corp")).toBeInTheDocument();
    expect(screen.getByText(/cannot rename a workspace yet/)).toBeInTheDocument();
    expect(await screen.findByRole("radio", { name: "Until someone deletes them" })).toBeChecked();

    await user.click(screen.getByRole("radio", { name: "For a number of days" }));
    const days = screen.getByRole("textbox", { name: "Days" });
    await user.clear(days);
    await user.type(days, "0");
    await user.click(screen.getByRole("button", { name: "Save retention" }));
    expect(screen.getByText("A number of days from 1 to 3,650 (about ten years).")).toBeInTheDocument();

    await user.clear(days);
    await user.type(days, "30.5");
    await user.click(screen.getByRole("button", { name: "Save retention" }));
    expect(screen.getByText("A whole number of days, from 1 to 3,650.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/settings")).toHaveLength(0);

    await user.clear(days);
    await user.type(days, "30");
    expect(
      screen.getByText(/conversations not updated for 30 days are deleted at the next daily run/),
    ).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save retention" }));

    expect(
      await screen.findByText("Saved: conversations not updated for 30 days are deleted."),
    ).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/settings").map((r) => r.body)).toEqual([{ retentionDays: 30 }]);
    expect(screen.getByText("No unsaved changes.")).toBeInTheDocument();
  });

  it("shows the platform's own validation message on the field", async () => {
    const user = userEvent.setup();
    stubPlatform({
      ...adminRoutes(),
      "GET /v1/settings": () => jsonResponse({ retentionDays: 365 }),
      "PATCH /v1/settings": () =>
        errorResponse(400, "invalid-argument", "Invalid request body", {
          issues: [{ path: "retentionDays", message: "retentionDays is at most 3650" }],
        }),
    });
    renderApp("/settings/workspace");

    const days = await screen.findByRole("textbox", { name: "Days" });
    expect(days).toHaveValue("365");
    await user.clear(days);
    await user.type(days, "400");
    await user.click(screen.getByRole("button", { name: "Save retention" }));
    expect(await screen.findByText("retentionDays is at most 3650")).toBeInTheDocument();
  });
});

describe("Settings: audit log", () => {
  it("lists recent entries with who, what and when, and pages back", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...adminRoutes(),
      "GET /v1/audit-log": (request) =>
        jsonResponse(request.query.get("before") ? olderAuditLogPage : auditLogPage),
    });
    renderApp("/settings/audit-log");

    const table = await screen.findByRole("table", { name: "Audit log" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(4);
    // People and keys by name once the members and keys are known.
    await waitFor(() => expect(rows[1]).toHaveTextContent("bob@acme.example"));
    expect(rows[1]).toHaveTextContent("Changed a member's role");
    expect(rows[1]).toHaveTextContent("Member acc_chen");
    expect(rows[1]).toHaveTextContent("15 minutes ago");
    await waitFor(() => expect(rows[2]).toHaveTextContent("API key “Intranet backend”"));
    expect(rows[2]).toHaveTextContent("Published an agent");
    expect(rows[3]).toHaveTextContent("The platform");
    expect(rows[3]).toHaveTextContent("Deleted expired conversations");

    const row1 = rows[1] as HTMLElement;
    await user.click(
      within(row1).getByRole("button", { name: /Show the details of “Changed a member's role”/ }),
    );
    const details = await screen.findByText("Before");
    expect(details.parentElement).toHaveTextContent('"role": "viewer"');
    expect(screen.getByText("After").parentElement).toHaveTextContent('"role": "editor"');

    await user.click(screen.getByRole("button", { name: "Show older entries" }));
    expect(await within(table).findByText("Created the workspace")).toBeInTheDocument();
    expect(platform.sent("GET /v1/audit-log").map((r) => r.query.get("before"))).toEqual([
      null,
      auditLogPage.nextCursor,
    ]);
    expect(screen.queryByRole("button", { name: "Show older entries" })).not.toBeInTheDocument();
  });

  it("says when nothing is recorded yet", async () => {
    stubPlatform({
      ...adminRoutes(),
      "GET /v1/audit-log": () => jsonResponse({ entries: [], nextCursor: null }),
    });
    renderApp("/settings/audit-log");
    expect(await screen.findByText("Nothing has been recorded in this workspace yet.")).toBeInTheDocument();
  });
});

describe("Settings: privacy", () => {
  it("exports an end user's data as a JSON download", async () => {
    const user = userEvent.setup();
    const downloads: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      downloads.push(blob);
      return "blob:export";
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    const platform = stubPlatform({
      ...adminRoutes(),
      "POST /v1/privacy/export": () => jsonResponse(cust42Export),
    });
    renderApp("/settings/privacy");

    const form = await screen.findByRole("region", { name: "Export an end user's data" });
    await user.type(within(form).getByRole("textbox", { name: "End-user reference" }), " cust-42 ");
    await user.click(within(form).getByRole("button", { name: "Export data" }));

    expect(await within(form).findByText("Exported 1 conversation about cust-42")).toBeInTheDocument();
    expect(form).toHaveTextContent("Your browser downloaded end-user-cust-42-2026-11-25.json.");
    expect(form).toHaveTextContent("Traces are exported as stored");
    expect(platform.sent("POST /v1/privacy/export").map((r) => r.body)).toEqual([{ endUserRef: "cust-42" }]);
    expect(click).toHaveBeenCalledTimes(1);
    expect(downloads).toHaveLength(1);
    expect(JSON.parse(await readBlob(downloads[0] as Blob))).toEqual(cust42Export);
  });

  it("erases an end user's data only once the reference is typed again", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...adminRoutes(),
      "POST /v1/privacy/erase": () => jsonResponse(cust42Erasure),
    });
    renderApp("/settings/privacy");

    const form = await screen.findByRole("region", { name: "Erase an end user's data" });
    await user.type(within(form).getByRole("textbox", { name: "End-user reference to erase" }), "cust-42");
    await user.click(within(form).getByRole("button", { name: "Erase data…" }));

    const dialog = await screen.findByRole("dialog", { name: "Erase everything about cust-42?" });
    const erase = within(dialog).getByRole("button", { name: "Erase data" });
    expect(erase).toBeDisabled();
    const confirmation = within(dialog).getByRole("textbox", { name: "Type cust-42 to confirm" });
    await user.type(confirmation, "cust-4");
    expect(erase).toBeDisabled();
    await user.type(confirmation, "{Enter}");
    expect(platform.sent("POST /v1/privacy/erase")).toHaveLength(0);
    await user.type(confirmation, "2");
    expect(erase).toBeEnabled();
    await user.click(erase);

    expect(
      await screen.findByText("Erased cust-42: 1 conversation, 2 messages and 1 trace deleted."),
    ).toBeInTheDocument();
    expect(platform.sent("POST /v1/privacy/erase").map((r) => r.body)).toEqual([{ endUserRef: "cust-42" }]);
  });

  it("keeps the confirmation open with the reason when the erasure fails", async () => {
    const user = userEvent.setup();
    stubPlatform({
      ...adminRoutes(),
      "POST /v1/privacy/erase": () => errorResponse(503, "unavailable", "The store is busy; try again"),
    });
    renderApp("/settings/privacy");

    const form = await screen.findByRole("region", { name: "Erase an end user's data" });
    await user.click(within(form).getByRole("button", { name: "Erase data…" }));
    expect(within(form).getByText("Enter the end user's reference.")).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();

    await user.type(within(form).getByRole("textbox", { name: "End-user reference to erase" }), "cust-42");
    await user.click(within(form).getByRole("button", { name: "Erase data…" }));
    const dialog = await screen.findByRole("dialog", { name: "Erase everything about cust-42?" });
    await user.type(within(dialog).getByRole("textbox", { name: "Type cust-42 to confirm" }), "cust-42");
    await user.click(within(dialog).getByRole("button", { name: "Erase data" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("Nothing was erased");
    expect(alert).toHaveTextContent("The store is busy; try again");
  });
});
