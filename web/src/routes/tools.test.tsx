import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
import { billingKey, billingToolSet, crmClient, statusToolSet } from "../test/toolFixtures";
// Compiled with the test file: the lazy routes' first load would otherwise count against the first test's time.
import "./tools";
import "./tool-set";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const billingSpec = `openapi: 3.1.0
info: { title: Acme Billing API, version: 2.3.0 }
servers: [{ url: "https://billing.acme.example/v2" }]
paths:
  /invoices:
    get: { operationId: listInvoices, responses: { "200": { description: OK } } }
`;

function platformWithTools(overrides: Parameters<typeof stubPlatform>[0] = {}) {
  return stubPlatform({
    "GET /v1/tool-sets": () => jsonResponse({ toolSets: [billingToolSet, statusToolSet] }),
    "GET /v1/tool-credentials": () => jsonResponse({ credentials: [billingKey, crmClient] }),
    ...overrides,
  });
}

describe("Tools", { timeout: 30_000 }, () => {
  it("lists each tool set with its source, base URL, enabled tools and published version", async () => {
    platformWithTools();
    renderApp("/tools");

    const table = await screen.findByRole("table", { name: "Tool sets" });
    const billing = within(table).getByRole("row", { name: /Acme Billing API/ });
    expect(within(billing).getByRole("link", { name: "Acme Billing API" })).toHaveAttribute(
      "href",
      "/tools/ts_billing",
    );
    const cells = within(billing)
      .getAllByRole("cell")
      .map((c) => c.textContent);
    expect(cells).toEqual([
      "Acme Billing API",
      "OpenAPI",
      "https://billing.acme.example/v2",
      "1 / 4",
      "Version 1",
    ]);
    const status = within(table).getByRole("row", { name: /Status page/ });
    expect(status).toHaveTextContent("Manual");
    expect(status).toHaveTextContent("0 / 0");
    expect(status).toHaveTextContent("Not yet");
    // The navigation leads here too.
    expect(screen.getByRole("link", { name: "Tools" })).toHaveAttribute("href", "/tools");
  });

  it("imports a pasted OpenAPI document with its reads enabled and opens the new tool set", async () => {
    const user = userEvent.setup();
    const platform = platformWithTools({
      "POST /v1/tool-sets/import": () =>
        jsonResponse({ ...billingToolSet, id: "ts_new", securitySchemes: [], warnings: [] }, 201),
      "GET /v1/tool-sets/ts_new": () => jsonResponse({ ...billingToolSet, id: "ts_new" }),
    });
    renderApp("/tools");

    await user.click(await screen.findByRole("button", { name: "Import OpenAPI" }));
    const dialog = await screen.findByRole("dialog", { name: "Import an OpenAPI document" });
    await user.click(within(dialog).getByRole("textbox", { name: "Or paste the document" }));
    await user.paste(billingSpec);
    await user.click(within(dialog).getByRole("textbox", { name: /Base URL/ }));
    await user.paste("https://sandbox.billing.acme.example/v2");
    await user.click(within(dialog).getByRole("combobox", { name: /Credential/ }));
    await user.click(await screen.findByRole("option", { name: "Billing API key" }));
    await user.click(within(dialog).getByRole("radio", { name: /The reads/ }));
    await user.click(within(dialog).getByRole("button", { name: "Import" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Acme Billing API" })).toBeInTheDocument();
    expect(platform.sent("POST /v1/tool-sets/import").map((r) => r.body)).toEqual([
      {
        spec: billingSpec,
        enable: "read",
        baseUrl: "https://sandbox.billing.acme.example/v2",
        credentialId: "cred_billing",
      },
    ]);
  });

  it("imports an uploaded file", async () => {
    const user = userEvent.setup();
    const platform = platformWithTools({
      "POST /v1/tool-sets/import": () => jsonResponse({ ...billingToolSet, id: "ts_new" }, 201),
      "GET /v1/tool-sets/ts_new": () => jsonResponse({ ...billingToolSet, id: "ts_new" }),
    });
    renderApp("/tools");

    await user.click(await screen.findByRole("button", { name: "Import OpenAPI" }));
    const dialog = await screen.findByRole("dialog", { name: "Import an OpenAPI document" });
    const file = new File([billingSpec], "billing.yaml", { type: "application/yaml" });
    await user.upload(within(dialog).getByLabelText("OpenAPI file (JSON or YAML)"), file);
    expect(await within(dialog).findByText(/billing\.yaml/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Import" }));
    await screen.findByRole("heading", { level: 1, name: "Acme Billing API" });
    expect(platform.sent("POST /v1/tool-sets/import").map((r) => r.body)).toEqual([
      { spec: billingSpec, enable: "none" },
    ]);
  });

  it("keeps the dialog open with the platform's reason when the document is refused", async () => {
    const user = userEvent.setup();
    platformWithTools({
      "POST /v1/tool-sets/import": () =>
        errorResponse(
          400,
          "invalid-argument",
          "The document names no absolute server URL to call: send baseUrl (e.g. https://api.example.com/v1)",
        ),
    });
    renderApp("/tools");

    await user.click(await screen.findByRole("button", { name: "Import OpenAPI" }));
    const dialog = await screen.findByRole("dialog", { name: "Import an OpenAPI document" });
    await user.click(within(dialog).getByRole("button", { name: "Import" }));
    expect(within(dialog).getByRole("alert")).toHaveTextContent(
      "Upload the API's OpenAPI document or paste it.",
    );

    await user.click(within(dialog).getByRole("textbox", { name: "Or paste the document" }));
    await user.paste(billingSpec);
    await user.click(within(dialog).getByRole("button", { name: "Import" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("The document was not imported");
    expect(alert).toHaveTextContent("The document names no absolute server URL to call: send baseUrl");
    expect(screen.getByRole("dialog", { name: "Import an OpenAPI document" })).toBeInTheDocument();
  });

  it("lets an admin add a credential, saying its secret will not be shown again", async () => {
    const user = userEvent.setup();
    const created = {
      ...billingKey,
      id: "cred_new",
      name: "Shipping API token",
      kind: "bearer",
      placement: null,
    };
    const platform = platformWithTools({ "POST /v1/tool-credentials": () => jsonResponse(created, 201) });
    renderApp("/tools");

    const section = await screen.findByRole("region", { name: "Credentials" });
    expect(section).toHaveTextContent("never shows them again");
    expect(within(section).getByRole("row", { name: /CRM client/ })).toHaveTextContent(
      "studio-agents at https://crm.acme.example/oauth/token",
    );
    await user.click(within(section).getByRole("button", { name: "Add credential" }));
    const dialog = await screen.findByRole("dialog", { name: "Add a credential" });
    await user.click(within(dialog).getByRole("combobox", { name: "Kind" }));
    await user.click(await screen.findByRole("option", { name: "Bearer token" }));
    await user.click(within(dialog).getByRole("textbox", { name: /Name/ }));
    await user.paste("Shipping API token");
    const secret = within(dialog).getByLabelText(/Token/);
    expect(secret).toHaveAttribute("type", "password");
    await user.click(secret);
    await user.paste("shp_live_7f3a9c");
    await user.click(within(dialog).getByRole("button", { name: "Add" }));

    expect(await within(section).findByRole("row", { name: /Shipping API token/ })).toBeInTheDocument();
    expect(platform.sent("POST /v1/tool-credentials").map((r) => r.body)).toEqual([
      { name: "Shipping API token", kind: "bearer", secret: "shp_live_7f3a9c" },
    ]);
    expect(within(section).getByRole("status")).toHaveTextContent("Its secret will not be shown again.");
  });

  it("shows a viewer the tool sets and credentials without any way to change them", async () => {
    signInAs(annSession({ role: "viewer" }));
    platformWithTools();
    renderApp("/tools");

    await screen.findByRole("table", { name: "Tool sets" });
    const section = await screen.findByRole("region", { name: "Credentials" });
    await within(section).findByRole("row", { name: /Billing API key/ });
    expect(screen.queryByRole("button", { name: "Import OpenAPI" })).not.toBeInTheDocument();
    expect(within(section).queryByRole("button", { name: "Add credential" })).not.toBeInTheDocument();
    expect(within(section).queryByRole("button", { name: /Delete|Rotate/ })).not.toBeInTheDocument();
  });

  it("lets an editor import but not manage credentials", async () => {
    signInAs(annSession({ role: "editor" }));
    platformWithTools();
    renderApp("/tools");

    expect(await screen.findByRole("button", { name: "Import OpenAPI" })).toBeInTheDocument();
    const section = await screen.findByRole("region", { name: "Credentials" });
    await within(section).findByRole("row", { name: /Billing API key/ });
    expect(within(section).queryByRole("button", { name: "Add credential" })).not.toBeInTheDocument();
  });
});
