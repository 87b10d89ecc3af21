import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform, type RecordedRequest } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";
import { billingKey, billingToolSet } from "../test/toolFixtures";
import "./tool-set";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const billingPath = "/v1/tool-sets/ts_billing";
type Tool = (typeof billingToolSet.tools)[number];

/** The platform's PATCH: `enabled` switches tools by name, `tools` replaces them (as the real one does). */
function patched(request: RecordedRequest) {
  const body = request.body as { enabled?: Record<string, boolean>; tools?: Tool[] };
  const tools = (body.tools ?? billingToolSet.tools).map((t) =>
    body.enabled?.[t.name] !== undefined ? { ...t, enabled: body.enabled[t.name] } : t,
  );
  return jsonResponse({ ...billingToolSet, tools });
}

function billingPlatform(overrides: Parameters<typeof stubPlatform>[0] = {}) {
  return stubPlatform({
    [`GET ${billingPath}`]: () => jsonResponse(billingToolSet),
    "GET /v1/tool-credentials": () => jsonResponse({ credentials: [billingKey] }),
    [`PATCH ${billingPath}`]: patched,
    ...overrides,
  });
}

async function openBilling() {
  renderApp("/tools/ts_billing");
  await screen.findByRole("heading", { level: 1, name: "Acme Billing API" });
  return screen.getByRole("table", { name: "Tools" });
}

const toolRows = (table: HTMLElement) =>
  within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("cell")[0]?.querySelector("p")?.textContent);

describe("Tool set: finding and picking tools", { timeout: 30_000 }, () => {
  it("searches every word in the name, path and description", async () => {
    const user = userEvent.setup();
    billingPlatform();
    const table = await openBilling();

    const search = screen.getByRole("searchbox", { name: "Search tools" });
    await user.click(search);
    await user.paste("customer newest");
    expect(toolRows(table)).toEqual(["listInvoices"]); // "a customer's invoices, newest first"
    await user.clear(search);
    await user.click(search);
    await user.paste("/refunds");
    expect(toolRows(table)).toEqual(["refundInvoice"]);
    await user.clear(search);
    await user.click(search);
    await user.paste("shipping");
    expect(screen.getByText("No tool matches “shipping”.")).toBeInTheDocument();
  });

  it("filters by tag and switches on every tool of that tag with one PATCH", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform();
    const table = await openBilling();
    expect(within(table).getByRole("row", { name: /refundInvoice/ })).toHaveTextContent("invoicesrefunds");

    await user.click(screen.getByRole("combobox", { name: "Tag" }));
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      "All tags",
      "customers (1)",
      "invoices (3)",
      "refunds (1)",
    ]);
    await user.click(screen.getByRole("option", { name: "invoices (3)" }));
    expect(toolRows(table)).toEqual(["listInvoices", "getInvoice", "refundInvoice"]);
    expect(screen.getByText(/3 of 4 tools shown, 1 of them enabled/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Enable all tagged invoices" }));
    expect(await screen.findByRole("status")).toHaveTextContent("2 tools enabled.");
    expect(platform.sent(`PATCH ${billingPath}`).map((r) => r.body)).toEqual([
      { enabled: { getInvoice: true, refundInvoice: true } },
    ]);
    expect(screen.getByRole("switch", { name: "Enable refundInvoice" })).toBeChecked();
    expect(screen.getByRole("button", { name: "Enable all tagged invoices" })).toBeDisabled();
    expect(screen.getByText(/3 of 4 tools enabled/)).toBeInTheDocument();
    // updateCustomer is not in the tag: untouched, and still off once every tool is shown again.
    await user.click(screen.getByRole("combobox", { name: "Tag" }));
    await user.click(await screen.findByRole("option", { name: "All tags" }));
    expect(screen.getByRole("switch", { name: "Enable updateCustomer" })).not.toBeChecked();
  });

  it("switches every tool off, or every tool a search shows on", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform();
    await openBilling();

    await user.click(screen.getByRole("button", { name: "Disable all" }));
    expect(await screen.findByRole("status")).toHaveTextContent("listInvoices disabled.");
    expect(screen.getByRole("button", { name: "Disable all" })).toBeDisabled();

    await user.type(screen.getByRole("searchbox", { name: "Search tools" }), "invoice");
    await user.click(screen.getByRole("button", { name: "Enable the 3 shown" }));
    expect(await screen.findByRole("status")).toHaveTextContent("3 tools enabled.");
    expect(platform.sent(`PATCH ${billingPath}`).map((r) => r.body)).toEqual([
      { enabled: { listInvoices: false } },
      { enabled: { listInvoices: true, getInvoice: true, refundInvoice: true } },
    ]);
  });

  it("shows the platform's refusal of a bulk change", async () => {
    const user = userEvent.setup();
    billingPlatform({
      [`PATCH ${billingPath}`]: () =>
        errorResponse(403, "permission-denied", "Your role (viewer) cannot change tool sets"),
    });
    await openBilling();

    await user.click(screen.getByRole("button", { name: "Enable all" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The change was not saved");
    expect(alert).toHaveTextContent("Your role (viewer) cannot change tool sets");
    expect(screen.getByRole("switch", { name: "Enable getInvoice" })).not.toBeChecked();
  });
});

describe("Tool set: editing a tool", { timeout: 30_000 }, () => {
  it("renames a tool, rewrites its description and sets its response pointer, sending every tool back", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform();
    const table = await openBilling();

    await user.click(within(table).getByRole("button", { name: "Edit getInvoice" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit getInvoice" });
    expect(dialog).toHaveTextContent("GET /invoices/{invoiceId}");
    const name = within(dialog).getByRole("textbox", { name: "Name" });
    await user.clear(name);
    await user.click(name);
    await user.paste("get_invoice");
    const description = within(dialog).getByRole("textbox", { name: "Description" });
    await user.clear(description);
    await user.paste("One invoice by its number (inv_…): lines, payments, status.");
    await user.type(within(dialog).getByRole("textbox", { name: /Response pointer/ }), "/data");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(await screen.findByRole("status")).toHaveTextContent("getInvoice renamed get_invoice and saved.");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    const [sent] = platform.sent(`PATCH ${billingPath}`).map((r) => r.body as { tools: Tool[] });
    expect(sent?.tools.map((t) => t.name)).toEqual([
      "listInvoices",
      "get_invoice",
      "refundInvoice",
      "updateCustomer",
    ]);
    // Only the three fields change: the rest goes back as the platform stored it.
    expect(sent?.tools[1]).toEqual({
      ...billingToolSet.tools[1],
      name: "get_invoice",
      description: "One invoice by its number (inv_…): lines, payments, status.",
      select: "/data",
    });
    expect(sent?.tools[0]).toEqual(billingToolSet.tools[0]);
    const row = within(table).getByRole("row", { name: /get_invoice/ });
    expect(row).toHaveTextContent("Answer at /data");
  });

  it("shows a duplicate name, a bad name and a bad pointer next to their fields without sending", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform();
    const table = await openBilling();

    await user.click(within(table).getByRole("button", { name: "Edit getInvoice" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit getInvoice" });
    const name = within(dialog).getByRole("textbox", { name: "Name" });
    await user.clear(name);
    await user.click(name);
    await user.paste("listInvoices");
    const pointer = within(dialog).getByRole("textbox", { name: /Response pointer/ });
    await user.click(pointer);
    await user.paste("data.items");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(name).toHaveAccessibleDescription("Another tool of this set is named listInvoices.");
    expect(name).toHaveAttribute("aria-invalid", "true");
    expect(pointer).toHaveAccessibleDescription(/A JSON pointer starts with \//);

    await user.clear(name);
    await user.click(name);
    await user.paste("get invoice");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(name).toHaveAccessibleDescription(/1 to 64 letters, digits, '_' or '-'/);
    expect(platform.sent(`PATCH ${billingPath}`)).toHaveLength(0);

    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(await within(table).findByRole("row", { name: /getInvoice/ })).toBeInTheDocument();
  });

  it("shows what the platform refuses under the field it names, and keeps the dialog open", async () => {
    const user = userEvent.setup();
    billingPlatform({
      [`PATCH ${billingPath}`]: () =>
        errorResponse(
          400,
          "invalid-argument",
          "Invalid request body: tools.2.description: Too big: expected string to have <=2000 characters",
          {
            issues: [
              {
                path: "tools.2.description",
                message: "Too big: expected string to have <=2000 characters",
              },
            ],
          },
        ),
    });
    const table = await openBilling();

    await user.click(within(table).getByRole("button", { name: "Edit refundInvoice" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit refundInvoice" });
    await user.click(within(dialog).getByRole("textbox", { name: "Description" }));
    await user.paste(" Refunds take 5 days.");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent("The tool was not saved");
    expect(within(dialog).getByRole("textbox", { name: "Description" })).toHaveAccessibleDescription(
      "Too big: expected string to have <=2000 characters",
    );
  });
});

describe("Tool set: a tool's limits", { timeout: 30_000 }, () => {
  it("bounds an argument the platform holds, checked before sending, saved with the tool", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform();
    const table = await openBilling();
    await user.click(within(table).getByRole("button", { name: "Edit refundInvoice" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit refundInvoice" });
    await user.click(within(dialog).getByRole("button", { name: "Add a limit" }));
    const row = within(within(dialog).getByRole("list", { name: "Limits" })).getAllByRole("listitem")[0];
    if (!row) throw new Error("no limit row");
    await user.type(within(row).getByRole("textbox", { name: "Max" }), "lots");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(within(dialog).getByText(/Limit 1: name the argument it bounds/)).toBeInTheDocument();
    await user.type(within(row).getByRole("textbox", { name: "Argument 1" }), "amount");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(within(dialog).getByText("Limit 1: its maximum must be a number.")).toBeInTheDocument();
    expect(platform.sent(`PATCH ${billingPath}`)).toHaveLength(0);

    await user.clear(within(row).getByRole("textbox", { name: "Max" }));
    await user.type(within(row).getByRole("textbox", { name: "Max" }), "250");
    await user.type(within(row).getByRole("textbox", { name: "Only these values" }), "EUR, USD");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(platform.sent(`PATCH ${billingPath}`)).toHaveLength(1));
    const [sent] = platform.sent(`PATCH ${billingPath}`).map((r) => r.body as { tools: Tool[] });
    expect(sent?.tools[2]).toMatchObject({
      name: "refundInvoice",
      limits: [{ argument: "/amount", max: 250, oneOf: ["EUR", "USD"] }],
    });
  });
});
