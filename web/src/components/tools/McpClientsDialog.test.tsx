import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { renderApp } from "../../test/renderApp";
import { annSession, signInAs } from "../../test/session";
import { billingKey, billingToolSet } from "../../test/toolFixtures";
import "../../routes/tool-set";

afterEach(() => {
  vi.unstubAllGlobals();
});

const billingPath = "/v1/tool-sets/ts_billing";
const url = "https://studio.acme.example/mcp/tool-sets/ts_billing";
const name = "alchemist-acme-billing-api";
const headers = { Authorization: "Bearer <YOUR_API_KEY>" };

/** `GET /v1/tool-sets/ts_billing/mcp-config` as the platform answers it (channels/mcp/client-config.ts). */
function mcpConfig(overrides: { version?: number | null; writes?: boolean } = {}) {
  const writes = overrides.writes ?? false;
  return {
    toolSetId: "ts_billing",
    name: "Acme Billing API",
    url,
    version: overrides.version === undefined ? 1 : overrides.version,
    latestVersion: 1,
    mcpExport: { writes },
    tools: [
      { name: "listInvoices", description: "List a customer's invoices.", sideEffect: "read" },
      ...(writes ? [{ name: "refundInvoice", description: "Refund an invoice.", sideEffect: "write" }] : []),
    ],
    apiKeyPlaceholder: "<YOUR_API_KEY>",
    clients: [
      {
        client: "claude-code",
        label: "Claude Code",
        format: "command",
        file: null,
        content: `claude mcp add --transport http ${name} ${url} --header "Authorization: Bearer <YOUR_API_KEY>"`,
        note: "Run it in a terminal.",
      },
      {
        client: "cursor",
        label: "Cursor",
        format: "json",
        file: ".cursor/mcp.json",
        content: JSON.stringify({ mcpServers: { [name]: { url, headers } } }, null, 2),
        note: "Save it in the project.",
      },
      {
        client: "vscode",
        label: "VS Code",
        format: "json",
        file: ".vscode/mcp.json",
        content: JSON.stringify({ servers: { [name]: { type: "http", url, headers } } }, null, 2),
        note: "Save it in the workspace.",
      },
      // A client a newer platform knows and this studio does not: left out, the rest still shown.
      { client: "zed", label: "Zed", format: "json", file: null, content: "{}", note: "" },
    ],
  };
}

function billingPlatform(config: () => Response = () => jsonResponse(mcpConfig())) {
  return stubPlatform({
    [`GET ${billingPath}`]: () => jsonResponse(billingToolSet),
    "GET /v1/tool-credentials": () => jsonResponse({ credentials: [billingKey] }),
    [`GET ${billingPath}/mcp-config`]: config,
  });
}

async function openDialog() {
  const user = userEvent.setup();
  renderApp("/tools/ts_billing");
  await user.click(await screen.findByRole("button", { name: "Use from MCP clients" }));
  const dialog = await screen.findByRole("dialog", { name: "Use Acme Billing API from MCP clients" });
  await within(dialog).findByText(url);
  return { user, dialog };
}

describe("Use from MCP clients", { timeout: 30_000 }, () => {
  it("shows the endpoint and each client's configuration to copy, with a placeholder for the key", async () => {
    signInAs();
    billingPlatform();
    const { user, dialog } = await openDialog();

    expect(dialog).toHaveTextContent("Serves version 1: 1 read tool.");
    expect(dialog).toHaveTextContent("<YOUR_API_KEY>");
    const tabs = within(dialog).getByRole("tablist", { name: "MCP client" });
    expect(
      within(tabs)
        .getAllByRole("tab")
        .map((t) => t.textContent),
    ).toEqual(["Claude Code", "Cursor", "VS Code"]);

    const command = `claude mcp add --transport http ${name} ${url} --header "Authorization: Bearer <YOUR_API_KEY>"`;
    expect(within(dialog).getByRole("tabpanel", { name: "Claude Code" })).toHaveTextContent(command);
    await user.click(within(dialog).getByRole("button", { name: "Copy: Claude Code configuration" }));
    expect(await navigator.clipboard.readText()).toBe(command);

    await user.click(within(tabs).getByRole("tab", { name: "VS Code" }));
    const vscode = within(dialog).getByRole("tabpanel", { name: "VS Code" });
    expect(vscode).toHaveTextContent(".vscode/mcp.json: Save it in the workspace.");
    await user.click(within(vscode).getByRole("button", { name: "Copy: VS Code configuration" }));
    const copied = JSON.parse(await navigator.clipboard.readText()) as {
      servers: Record<string, { type: string; url: string }>;
    };
    expect(copied.servers[name]).toMatchObject({ type: "http", url });

    await user.click(within(dialog).getByRole("button", { name: "Copy: MCP endpoint" }));
    expect(await navigator.clipboard.readText()).toBe(url);
  });

  it("lets an editor serve the write tools, once confirmed, and shows what is served then", async () => {
    signInAs(annSession({ role: "editor" }));
    const platform = billingPlatform();
    platform.routes[`PATCH ${billingPath}`] = () => {
      platform.routes[`GET ${billingPath}/mcp-config`] = () => jsonResponse(mcpConfig({ writes: true }));
      return jsonResponse(billingToolSet);
    };
    const { user, dialog } = await openDialog();

    const toggle = within(dialog).getByRole("switch", { name: /Serve write tools too/ });
    expect(toggle).not.toBeChecked();
    await user.click(toggle);
    const confirm = await screen.findByRole("dialog", { name: "Serve write tools to MCP clients?" });
    expect(platform.sent(`PATCH ${billingPath}`)).toHaveLength(0);
    await user.click(within(confirm).getByRole("button", { name: "Serve write tools" }));

    expect(await within(dialog).findByRole("status")).toHaveTextContent(
      "Write tools are served to MCP clients, for editors' keys.",
    );
    expect(platform.sent(`PATCH ${billingPath}`).map((r) => r.body)).toEqual([
      { mcpExport: { writes: true } },
    ]);
    expect(await within(dialog).findByText(/1 write tool \(editors and up\)/)).toBeInTheDocument();
    expect(within(dialog).getByRole("switch", { name: /Serve write tools too/ })).toBeChecked();
  });

  it("tells a viewer what is served without offering to change it, and that nothing is before a publish", async () => {
    signInAs(annSession({ role: "viewer" }));
    billingPlatform(() => jsonResponse(mcpConfig({ version: null })));
    const { dialog } = await openDialog();

    expect(within(dialog).queryByRole("switch")).not.toBeInTheDocument();
    expect(dialog).toHaveTextContent("Write tools are not served over MCP: only the reads.");
    expect(dialog).toHaveTextContent(
      "Nothing is served yet: the endpoint answers once a version of this tool set is published.",
    );
  });

  it("says why the configurations could not be loaded, and tries again", async () => {
    signInAs();
    const user = userEvent.setup();
    const platform = billingPlatform(() => errorResponse(503, "unavailable", "The platform is restarting"));
    renderApp("/tools/ts_billing");
    await user.click(await screen.findByRole("button", { name: "Use from MCP clients" }));
    const dialog = await screen.findByRole("dialog", { name: "Use Acme Billing API from MCP clients" });
    expect(await within(dialog).findByText(/The platform is restarting/)).toBeInTheDocument();

    platform.routes[`GET ${billingPath}/mcp-config`] = () => jsonResponse(mcpConfig());
    await user.click(within(dialog).getByRole("button", { name: /Try again|Retry/ }));
    expect(await within(dialog).findByText(url)).toBeInTheDocument();
  });
});
