import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
import { billingKey, billingToolSet, crmClient, getInvoiceTool } from "../test/toolFixtures";
import "./tool-set";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const billingPath = "/v1/tool-sets/ts_billing";

function billingPlatform(overrides: Parameters<typeof stubPlatform>[0] = {}) {
  return stubPlatform({
    [`GET ${billingPath}`]: () => jsonResponse(billingToolSet),
    "GET /v1/tool-credentials": () => jsonResponse({ credentials: [billingKey, crmClient] }),
    ...overrides,
  });
}

async function openBilling() {
  renderApp("/tools/ts_billing");
  await screen.findByRole("heading", { level: 1, name: "Acme Billing API" });
  return screen.getByRole("table", { name: "Tools" });
}

describe("Tool set", { timeout: 30_000 }, () => {
  it("shows the draft's tools, the operations that were skipped, and filters by text", async () => {
    const user = userEvent.setup();
    billingPlatform();
    const table = await openBilling();

    expect(within(table).getAllByRole("row")).toHaveLength(5);
    const refund = within(table).getByRole("row", { name: /refundInvoice/ });
    expect(refund).toHaveTextContent("POST/invoices/{invoiceId}/refunds");
    expect(refund).toHaveTextContent("Write");
    expect(within(table).getByRole("row", { name: /listInvoices/ })).toHaveTextContent("Read");
    expect(screen.getByText("Version 1")).toBeInTheDocument();

    await user.click(
      screen.getByRole("button", { name: /1 operation of the document could not become tools/ }),
    );
    expect(await screen.findByText("POST /invoices/{invoiceId}/attachments")).toBeVisible();
    expect(screen.getByText(/multipart\/form-data bodies/)).toBeVisible();

    await user.type(screen.getByRole("searchbox", { name: "Search tools" }), "REFUND");
    expect(within(table).getAllByRole("row")).toHaveLength(2); // the header and refundInvoice
    expect(within(table).queryByRole("row", { name: /listInvoices/ })).not.toBeInTheDocument();
  });

  it("switches a tool on with a PATCH of `enabled` and shows the platform's answer", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform({
      [`PATCH ${billingPath}`]: () =>
        jsonResponse({
          ...billingToolSet,
          tools: billingToolSet.tools.map((t) => (t.name === "getInvoice" ? { ...t, enabled: true } : t)),
        }),
    });
    await openBilling();

    const toggle = screen.getByRole("switch", { name: "Enable getInvoice" });
    expect(toggle).not.toBeChecked();
    await user.click(toggle);

    expect(await screen.findByRole("status")).toHaveTextContent("getInvoice enabled.");
    expect(screen.getByRole("switch", { name: "Enable getInvoice" })).toBeChecked();
    expect(platform.sent(`PATCH ${billingPath}`).map((r) => r.body)).toEqual([
      { enabled: { getInvoice: true } },
    ]);
    expect(screen.getByText(/2 of 4 tools enabled/)).toBeInTheDocument();
  });

  it("changes the credential with a PATCH", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform({
      [`PATCH ${billingPath}`]: () => jsonResponse({ ...billingToolSet, credentialId: "cred_crm" }),
    });
    await openBilling();

    await user.click(screen.getByRole("combobox", { name: "Credential" }));
    await user.click(await screen.findByRole("option", { name: "CRM client" }));

    expect(await screen.findByText("Credential changed.")).toBeInTheDocument();
    expect(platform.sent(`PATCH ${billingPath}`).map((r) => r.body)).toEqual([{ credentialId: "cred_crm" }]);
  });

  it("publishes, and shows the platform's refusal when no tool is enabled", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform({
      [`POST ${billingPath}/publish`]: () =>
        errorResponse(
          412,
          "failed-precondition",
          "Tool set Acme Billing API has no enabled tool to publish: enable at least one",
        ),
    });
    await openBilling();

    await user.click(screen.getByRole("button", { name: "Publish" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Tool set Acme Billing API has no enabled tool to publish: enable at least one",
    );

    platform.routes[`POST ${billingPath}/publish`] = () =>
      jsonResponse(
        {
          version: 2,
          baseUrl: billingToolSet.baseUrl,
          credentialId: "cred_billing",
          tools: [billingToolSet.tools[0]],
          createdAt: new Date().toISOString(),
          createdBy: "acc_ann",
        },
        201,
      );
    await user.click(screen.getByRole("button", { name: "Publish" }));
    expect(await screen.findByRole("status")).toHaveTextContent("Published version 2 with 1 tool.");
    expect(screen.getByText("Version 2")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(platform.sent(`POST ${billingPath}/publish`)).toHaveLength(2);
  });

  it("tries a read tool from a form made of its schema and shows the request and the answer", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform({
      [`POST ${billingPath}/tools/listInvoices/try`]: () =>
        jsonResponse({
          ok: true,
          status: 200,
          output: '{"invoices":[{"id":"inv_1042","total":129.5,"status":"open"}]}',
          request: {
            method: "GET",
            url: "https://billing.acme.example/v2/invoices?customerId=cus_381&status=open&limit=5",
            headers: { accept: "application/json", "X-Api-Key": "••••••" },
            body: null,
          },
          attempts: 1,
        }),
    });
    await openBilling();

    await user.click(screen.getByRole("button", { name: "Try listInvoices" }));
    const panel = await screen.findByRole("region", { name: "Try listInvoices" });
    const customer = within(panel).getByRole("textbox", { name: "customerId" });
    expect(customer).toBeRequired();
    expect(within(panel).getByRole("textbox", { name: "limit" })).not.toBeRequired();
    expect(within(panel).queryByRole("checkbox")).not.toBeInTheDocument();

    await user.click(within(panel).getByRole("button", { name: "Try" }));
    expect(within(panel).getByText("Required.")).toBeInTheDocument();
    expect(platform.sent(`POST ${billingPath}/tools/listInvoices/try`)).toHaveLength(0);

    await user.type(customer, "cus_381");
    await user.click(within(panel).getByRole("combobox", { name: "status" }));
    await user.click(await screen.findByRole("option", { name: "open" }));
    await user.type(within(panel).getByRole("textbox", { name: "limit" }), "5");
    await user.click(within(panel).getByRole("button", { name: "Try" }));

    const result = await within(panel).findByRole("region", { name: "Result" });
    expect(result).toHaveTextContent("HTTP 200");
    const request = within(result).getByLabelText("Request sent");
    expect(request).toHaveTextContent(
      "GET https://billing.acme.example/v2/invoices?customerId=cus_381&status=open&limit=5",
    );
    expect(request).toHaveTextContent("X-Api-Key: ••••••");
    expect(within(result).getByLabelText("Output").textContent).toBe(
      JSON.stringify({ invoices: [{ id: "inv_1042", total: 129.5, status: "open" }] }, null, 2),
    );
    expect(platform.sent(`POST ${billingPath}/tools/listInvoices/try`).map((r) => r.body)).toEqual([
      { arguments: { customerId: "cus_381", status: "open", limit: 5 }, confirm: false },
    ]);
  });

  it("tries a write tool only once the person confirms, sending confirm: true", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform({
      [`POST ${billingPath}/tools/refundInvoice/try`]: () =>
        jsonResponse({
          ok: false,
          status: 409,
          error: "the API answered HTTP 409: invoice inv_1042 is not paid",
        }),
    });
    await openBilling();

    await user.click(screen.getByRole("button", { name: "Try refundInvoice" }));
    const panel = await screen.findByRole("region", { name: "Try refundInvoice" });
    await user.type(within(panel).getByRole("textbox", { name: "invoiceId" }), "inv_1042");
    await user.type(within(panel).getByRole("textbox", { name: "amount" }), "12.5");
    const tryButton = within(panel).getByRole("button", { name: "Try" });
    expect(tryButton).toBeDisabled();

    await user.click(
      within(panel).getByRole("checkbox", {
        name: "This changes something at billing.acme.example: I confirm",
      }),
    );
    await user.click(tryButton);

    expect(await within(panel).findByRole("alert")).toHaveTextContent("invoice inv_1042 is not paid");
    expect(platform.sent(`POST ${billingPath}/tools/refundInvoice/try`).map((r) => r.body)).toEqual([
      { arguments: { invoiceId: "inv_1042", amount: 12.5 }, confirm: true },
    ]);
  });

  it("offers a JSON editor for arguments too rich for a form", async () => {
    const user = userEvent.setup();
    const platform = billingPlatform({
      [`POST ${billingPath}/tools/updateCustomer/try`]: () =>
        jsonResponse({
          ok: true,
          status: 200,
          output: "updated",
          request: {
            method: "PATCH",
            url: "https://billing.acme.example/v2/customers/cus_381",
            headers: {},
            body: "{}",
          },
          attempts: 1,
        }),
    });
    await openBilling();

    await user.click(screen.getByRole("button", { name: "Try updateCustomer" }));
    const panel = await screen.findByRole("region", { name: "Try updateCustomer" });
    const editor = within(panel).getByRole("textbox", { name: "Arguments (JSON)" });
    await user.clear(editor);
    await user.click(editor);
    await user.paste('{"customerId":"cus_381","address":{"city":"Lyon"}}');
    await user.click(within(panel).getByRole("checkbox", { name: /I confirm/ }));
    await user.click(within(panel).getByRole("button", { name: "Try" }));

    expect(await within(panel).findByLabelText("Output")).toHaveTextContent("updated");
    expect(platform.sent(`POST ${billingPath}/tools/updateCustomer/try`).map((r) => r.body)).toEqual([
      { arguments: { customerId: "cus_381", address: { city: "Lyon" } }, confirm: true },
    ]);
  });

  it("shows a viewer the tools without switches, publishing or trying", async () => {
    signInAs(annSession({ role: "viewer" }));
    billingPlatform();
    const table = await openBilling();

    expect(within(table).getByRole("row", { name: /listInvoices/ })).toHaveTextContent("On");
    expect(within(table).getByRole("row", { name: new RegExp(getInvoiceTool.name) })).toHaveTextContent(
      "Off",
    );
    expect(screen.queryByRole("switch")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Publish" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Try/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("combobox", { name: "Credential" })).not.toBeInTheDocument();
    expect(await screen.findByText("Billing API key")).toBeInTheDocument();
  });

  it("says so when the tool set does not exist", async () => {
    stubPlatform({
      "GET /v1/tool-sets/ts_gone": () => errorResponse(404, "not-found", "Tool set ts_gone not found"),
      "GET /v1/tool-credentials": () => jsonResponse({ credentials: [] }),
    });
    renderApp("/tools/ts_gone");
    expect(await screen.findByRole("heading", { level: 1, name: "Tool set not found" })).toBeInTheDocument();
  });
});
