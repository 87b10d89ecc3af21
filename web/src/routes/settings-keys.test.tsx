import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { adminRoutes, apiKeyList, backendKey, widgetKey } from "../test/adminFixtures";
import { hrAssistant, itHelpdesk } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const newKey = "alk_rTMpO0R9sB4IiEVxzf_by6Y60d9NcHeOTiN3Lxq06vc";

function keyRoutes() {
  return {
    ...adminRoutes(),
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk] }),
  };
}

function keyRow(name: string) {
  return within(screen.getByRole("table", { name: "API keys" })).getByRole("row", {
    name: new RegExp(name),
  });
}

describe("Settings: API keys", () => {
  it("lists the keys with their role, agent, creation and last use", async () => {
    const user = userEvent.setup();
    stubPlatform(keyRoutes());
    renderApp("/settings/api-keys");

    const table = await screen.findByRole("table", { name: "API keys" });
    expect(within(table).getAllByRole("row")).toHaveLength(3);

    const widget = keyRow("Website widget");
    expect(widget).toHaveTextContent("alk_rTMp…");
    expect(widget).toHaveTextContent("Viewer");
    expect(await within(widget).findByRole("link", { name: "Acme HR assistant" })).toHaveAttribute(
      "href",
      "/agents/agt_hr",
    );
    expect(widget).toHaveTextContent("2 days ago");
    expect(widget).toHaveTextContent("10 minutes ago");

    const backend = keyRow("Intranet backend");
    expect(backend).toHaveTextContent("Editor");
    expect(backend).toHaveTextContent("Any agent");
    expect(backend).toHaveTextContent("Never");

    // Revoked keys stay listed for the record, on request.
    expect(within(table).queryByText("Old importer")).not.toBeInTheDocument();
    await user.click(screen.getByRole("switch", { name: "Show revoked keys (1)" }));
    const old = keyRow("Old importer");
    expect(within(old).getByText("Revoked")).toBeInTheDocument();
    expect(within(old).queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument();
  });

  it("shows a new key once, then never again after closing", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      ...keyRoutes(),
      "POST /v1/api-keys": () => jsonResponse({ id: "key_new", key: newKey }, 201),
    });
    renderApp("/settings/api-keys");
    await screen.findByRole("table", { name: "API keys" });
    const created = {
      ...backendKey,
      id: "key_new",
      name: "Support widget",
      prefix: newKey.slice(0, 8),
      role: "viewer",
      agentId: "agt_hr",
      createdAt: new Date().toISOString(),
    };
    platform.routes["GET /v1/api-keys"] = () => jsonResponse({ keys: [created, ...apiKeyList.keys] });

    await user.click(screen.getByRole("button", { name: "Create API key" }));
    const form = await screen.findByRole("dialog", { name: "Create API key" });
    await user.type(within(form).getByRole("textbox", { name: "Name" }), "Support widget");
    await within(form).findByRole("option", { name: "Acme HR assistant" });
    await user.selectOptions(within(form).getByRole("combobox", { name: "Agent" }), "agt_hr");
    expect(form).toHaveTextContent("The key can only talk to this agent, whatever its role");
    await user.click(within(form).getByRole("button", { name: "Create key" }));

    const shown = await screen.findByRole("dialog", { name: "Your new API key: Support widget" });
    expect(shown).toHaveTextContent(newKey);
    expect(shown).toHaveTextContent("You will not see this key again.");
    expect(shown).toHaveTextContent("It can do what a Viewer can, and only talk to Acme HR assistant.");
    // A key limited to one agent may only talk to it: the example does just that.
    expect(shown).toHaveTextContent(`curl -X POST ${window.location.origin}/v1/agents/agt_hr/conversations`);
    expect(platform.sent("POST /v1/api-keys").map((r) => r.body)).toEqual([
      { name: "Support widget", role: "viewer", agentId: "agt_hr" },
    ]);
    await user.click(within(shown).getByRole("button", { name: "Copy: API key" }));
    expect(await navigator.clipboard.readText()).toBe(newKey);

    await user.click(within(shown).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.queryByText(newKey)).not.toBeInTheDocument();
    // The list shows the new key by its prefix only.
    expect(await screen.findByRole("row", { name: /Support widget/ })).toHaveTextContent("alk_rTMp…");
    expect(document.body).not.toHaveTextContent(newKey);
  });

  it("offers roles up to the creator's own, and names a key before creating it", async () => {
    const user = userEvent.setup();
    signInAs(
      annSession({
        accountId: "acc_bob",
        role: "admin",
        workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "admin" }],
      }),
    );
    const platform = stubPlatform(keyRoutes());
    renderApp("/settings/api-keys");
    await screen.findByRole("table", { name: "API keys" });

    await user.click(screen.getByRole("button", { name: "Create API key" }));
    const form = await screen.findByRole("dialog", { name: "Create API key" });
    const roles = within(within(form).getByRole("combobox", { name: "Role" })).getAllByRole("option");
    expect(roles.map((o) => o.textContent)).toEqual(["Viewer", "Editor", "Admin"]);

    await user.click(within(form).getByRole("button", { name: "Create key" }));
    expect(within(form).getByText(/Give the key a name/)).toBeInTheDocument();
    expect(platform.sent("POST /v1/api-keys")).toHaveLength(0);
  });

  it("shows the platform's refusal in the form and keeps what was typed", async () => {
    const user = userEvent.setup();
    stubPlatform({
      ...keyRoutes(),
      "POST /v1/api-keys": () =>
        errorResponse(
          403,
          "permission-denied",
          "You cannot create a key with the owner role: yours is admin",
        ),
    });
    renderApp("/settings/api-keys");
    await screen.findByRole("table", { name: "API keys" });

    await user.click(screen.getByRole("button", { name: "Create API key" }));
    const form = await screen.findByRole("dialog", { name: "Create API key" });
    await user.type(within(form).getByRole("textbox", { name: "Name" }), "Ops");
    await user.selectOptions(within(form).getByRole("combobox", { name: "Role" }), "owner");
    await user.click(within(form).getByRole("button", { name: "Create key" }));

    const alert = await within(form).findByRole("alert");
    expect(alert).toHaveTextContent("No key was created");
    expect(alert).toHaveTextContent("You cannot create a key with the owner role: yours is admin");
    expect(within(form).getByRole("textbox", { name: "Name" })).toHaveValue("Ops");
  });

  it("revokes a key only after confirmation", async () => {
    const user = userEvent.setup();
    const revokedAt = new Date().toISOString();
    const platform = stubPlatform({
      ...keyRoutes(),
      "DELETE /v1/api-keys/key_widget": () => jsonResponse({ ...widgetKey, revokedAt }),
    });
    renderApp("/settings/api-keys");
    await screen.findByRole("table", { name: "API keys" });

    await user.click(screen.getByRole("button", { name: "Revoke Website widget" }));
    let dialog = await screen.findByRole("dialog", { name: "Revoke Website widget?" });
    expect(dialog).toHaveTextContent("Anything that uses this key (alk_rTMp…) is refused");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent("DELETE /v1/api-keys/key_widget")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Revoke Website widget" }));
    dialog = await screen.findByRole("dialog", { name: "Revoke Website widget?" });
    await user.click(within(dialog).getByRole("button", { name: "Revoke key" }));

    expect(await screen.findByText("Website widget was revoked: it no longer works.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent("DELETE /v1/api-keys/key_widget")).toHaveLength(1);
    expect(screen.queryByRole("row", { name: /Website widget/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole("switch", { name: "Show revoked keys (2)" }));
    expect(within(keyRow("Website widget")).getByText("Revoked")).toBeInTheDocument();
  });

  it("invites to create the first key when there is none", async () => {
    const user = userEvent.setup();
    stubPlatform({ ...keyRoutes(), "GET /v1/api-keys": () => jsonResponse({ keys: [] }) });
    renderApp("/settings/api-keys");

    const empty = await screen.findByRole("region", { name: "No API keys yet" });
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    await user.click(within(empty).getByRole("button", { name: "Create API key" }));
    expect(await screen.findByRole("dialog", { name: "Create API key" })).toBeInTheDocument();
  });
});
