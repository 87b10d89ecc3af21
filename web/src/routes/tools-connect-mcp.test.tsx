import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
import { billingKey, billingToolSet, crmClient, helpCenterToolSet } from "../test/toolFixtures";
// Compiled with the test file: the lazy routes' first load would otherwise count against the first test's time.
import "./tools";
import "./tool-set";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function platformWithTools(overrides: Parameters<typeof stubPlatform>[0] = {}) {
  return stubPlatform({
    "GET /v1/tool-sets": () => jsonResponse({ toolSets: [billingToolSet] }),
    "GET /v1/tool-credentials": () => jsonResponse({ credentials: [billingKey, crmClient] }),
    ...overrides,
  });
}

async function openConnect() {
  const user = userEvent.setup();
  await user.click(await screen.findByRole("button", { name: "Connect MCP server" }));
  const dialog = await screen.findByRole("dialog", { name: "Connect an MCP server" });
  return { user, dialog, url: within(dialog).getByRole("textbox", { name: "Server URL" }) };
}

describe("Tools: connecting an MCP server", { timeout: 30_000 }, () => {
  it("sends the server's URL, name, credential and choice, then opens the new tool set", async () => {
    const platform = platformWithTools({
      "POST /v1/tool-sets/mcp": () => jsonResponse({ ...helpCenterToolSet, credentialId: "cred_crm" }, 201),
      "GET /v1/tool-sets/ts_helpcenter": () =>
        jsonResponse({ ...helpCenterToolSet, credentialId: "cred_crm" }),
    });
    renderApp("/tools");

    const { user, dialog, url } = await openConnect();
    await user.click(url);
    await user.paste(" https://help.acme.example/mcp ");
    await user.click(within(dialog).getByRole("textbox", { name: /Name/ }));
    await user.paste("Acme Help Center");
    await user.click(within(dialog).getByRole("combobox", { name: /Credential/ }));
    await user.click(await screen.findByRole("option", { name: "CRM client" }));
    await user.click(within(dialog).getByRole("radio", { name: /The reads/ }));
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Acme Help Center" })).toBeInTheDocument();
    expect(
      screen.getByText(/Served by the MCP server acme-help-center at https:\/\/help\.acme\.example\/mcp\./),
    ).toBeInTheDocument();
    expect(platform.sent("POST /v1/tool-sets/mcp").map((r) => r.body)).toEqual([
      {
        url: "https://help.acme.example/mcp",
        enable: "read",
        name: "Acme Help Center",
        credentialId: "cred_crm",
      },
    ]);
  });

  it("asks for an https URL (plain http only for localhost) before sending anything", async () => {
    const platform = platformWithTools({
      "POST /v1/tool-sets/mcp": () =>
        jsonResponse({ ...helpCenterToolSet, baseUrl: "http://localhost:8808/mcp" }, 201),
      "GET /v1/tool-sets/ts_helpcenter": () => jsonResponse(helpCenterToolSet),
    });
    renderApp("/tools");

    const { user, dialog, url } = await openConnect();
    const connect = within(dialog).getByRole("button", { name: "Connect" });
    await user.click(connect);
    expect(url).toHaveAccessibleDescription(
      "Give the MCP server's URL, such as https://mcp.example.com/mcp.",
    );
    expect(url).toHaveAttribute("aria-invalid", "true");

    for (const [typed, why] of [
      ["ftp://help.acme.example/mcp", /An https:\/\/ address/],
      ["help.acme.example/mcp", /An https:\/\/ address/],
      ["http://help.acme.example/mcp", /plain http:\/\/ is only for a server on this machine/],
      ["https://ann:hunter2@help.acme.example/mcp", /keep them in a credential/],
    ] as const) {
      await user.clear(url);
      await user.click(url);
      await user.paste(typed);
      await user.click(connect);
      expect(url).toHaveAccessibleDescription(why);
    }
    expect(platform.sent("POST /v1/tool-sets/mcp")).toHaveLength(0);

    await user.clear(url);
    await user.click(url);
    await user.paste("http://localhost:8808/mcp");
    await user.click(connect);
    await screen.findByRole("heading", { level: 1, name: "Acme Help Center" });
    expect(platform.sent("POST /v1/tool-sets/mcp").map((r) => r.body)).toEqual([
      { url: "http://localhost:8808/mcp", enable: "none" },
    ]);
  });

  it("shows why the platform could not list the server under its URL, and keeps the dialog open", async () => {
    const refusal =
      "The MCP server's URL cannot be called: 10.0.0.12 is a private network address (10.0.0.0/8); only public internet hosts may be called";
    platformWithTools({
      "POST /v1/tool-sets/mcp": () =>
        errorResponse(400, "invalid-argument", refusal, { issues: [{ path: "url", message: refusal }] }),
    });
    const { router } = renderApp("/tools");

    const { user, dialog, url } = await openConnect();
    await user.click(url);
    await user.paste("https://10.0.0.12/mcp");
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("The MCP server was not connected");
    expect(alert).toHaveTextContent("10.0.0.12 is a private network address");
    expect(url).toHaveAccessibleDescription(refusal);
    expect(url).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByRole("dialog", { name: "Connect an MCP server" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/tools");
  });

  it("says in an alert why, when the refusal is not about the URL", async () => {
    platformWithTools({
      "POST /v1/tool-sets/mcp": () =>
        errorResponse(404, "not-found", "Credential cred_crm not found in this workspace"),
    });
    renderApp("/tools");

    const { user, dialog, url } = await openConnect();
    await user.click(url);
    await user.paste("https://help.acme.example/mcp");
    await user.click(within(dialog).getByRole("combobox", { name: /Credential/ }));
    await user.click(await screen.findByRole("option", { name: "CRM client" }));
    await user.click(within(dialog).getByRole("button", { name: "Connect" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Credential cred_crm not found in this workspace",
    );
    expect(url).not.toHaveAttribute("aria-invalid", "true");
  });

  it("is not offered to viewers", async () => {
    signInAs(annSession({ role: "viewer" }));
    platformWithTools();
    renderApp("/tools");
    await screen.findByRole("table", { name: "Tool sets" });
    expect(screen.queryByRole("button", { name: "Connect MCP server" })).not.toBeInTheDocument();
  });

  it("is offered to editors, next to the import", async () => {
    signInAs(annSession({ role: "editor" }));
    platformWithTools();
    renderApp("/tools");
    expect(await screen.findByRole("button", { name: "Connect MCP server" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Import OpenAPI" })).toBeInTheDocument();
  });
});
