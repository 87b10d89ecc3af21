import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";
import {
  billingKey,
  billingToolSet,
  createTicketTool,
  helpCenterToolSet,
  searchArticlesTool,
} from "../test/toolFixtures";
import "./tool-set";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const helpCenterPath = "/v1/tool-sets/ts_helpcenter";

/** The help center as the server lists it now: get_article gone, two new tools, search_articles takes a limit. */
const refreshedHelpCenter = {
  ...helpCenterToolSet,
  source: { ...helpCenterToolSet.source, serverVersion: "1.0.0" },
  tools: [
    {
      ...searchArticlesTool,
      parameters: {
        ...searchArticlesTool.parameters,
        properties: { ...searchArticlesTool.parameters.properties, limit: { type: "integer" } },
      },
    },
    createTicketTool,
    {
      ...createTicketTool,
      name: "list_categories",
      description: "List the help center's categories.",
      sideEffect: "read",
      parameters: { type: "object", properties: {} },
      operation: { kind: "mcp", tool: "list_categories", headers: {} },
    },
    {
      ...createTicketTool,
      name: "close_ticket",
      description: "Close a support ticket.",
      operation: { kind: "mcp", tool: "close_ticket", headers: {} },
    },
  ],
};

function platformWith(toolSet: { readonly id: string }, overrides: Parameters<typeof stubPlatform>[0] = {}) {
  return stubPlatform({
    [`GET /v1/tool-sets/${toolSet.id}`]: () => jsonResponse(toolSet),
    "GET /v1/tool-credentials": () => jsonResponse({ credentials: [billingKey] }),
    ...overrides,
  });
}

async function open(toolSet: { readonly id: string; readonly name: string }) {
  renderApp(`/tools/${toolSet.id}`);
  await screen.findByRole("heading", { level: 1, name: toolSet.name });
  return screen.getByRole("table", { name: "Tools" });
}

describe("Tool set: refreshing an MCP server's tools", { timeout: 30_000 }, () => {
  it("lists the server again, says what was added, removed and changed, and shows the new draft", async () => {
    const user = userEvent.setup();
    const platform = platformWith(helpCenterToolSet, {
      [`POST ${helpCenterPath}/refresh`]: () =>
        jsonResponse({
          ...refreshedHelpCenter,
          added: ["list_categories", "close_ticket"],
          removed: ["get_article"],
          changed: ["search_articles"],
        }),
    });
    const table = await open(helpCenterToolSet);
    expect(within(table).getByRole("row", { name: /get_article/ })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Refresh from server" }));

    expect(await screen.findByRole("status")).toHaveTextContent(
      "Refreshed from the server: 2 added (list_categories, close_ticket), 1 removed (get_article), 1 changed (search_articles). New tools start switched off. Publish to give agents the changes.",
    );
    expect(platform.sent(`POST ${helpCenterPath}/refresh`).map((r) => r.body)).toEqual([{}]);
    const refreshed = screen.getByRole("table", { name: "Tools" });
    expect(within(refreshed).queryByRole("row", { name: /get_article/ })).not.toBeInTheDocument();
    expect(within(refreshed).getByRole("row", { name: /list_categories/ })).toBeInTheDocument();
    expect(within(refreshed).getByRole("row", { name: /close_ticket/ })).toBeInTheDocument();
    expect(screen.getByText(/1 of 4 tools enabled/)).toBeInTheDocument();
  });

  it("says so when the server lists the same tools", async () => {
    const user = userEvent.setup();
    platformWith(helpCenterToolSet, {
      [`POST ${helpCenterPath}/refresh`]: () =>
        jsonResponse({ ...helpCenterToolSet, added: [], removed: [], changed: [] }),
    });
    await open(helpCenterToolSet);

    await user.click(screen.getByRole("button", { name: "Refresh from server" }));
    expect(await screen.findByRole("status")).toHaveTextContent(
      "Refreshed from the server: no tool added, removed or changed.",
    );
  });

  it("shows why the server could not be listed, and keeps the draft as it was", async () => {
    const user = userEvent.setup();
    platformWith(helpCenterToolSet, {
      [`POST ${helpCenterPath}/refresh`]: () =>
        errorResponse(
          412,
          "failed-precondition",
          "The MCP server's tools could not be listed: the server did not answer within 10 s",
        ),
    });
    const table = await open(helpCenterToolSet);

    await user.click(screen.getByRole("button", { name: "Refresh from server" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Not refreshed");
    expect(alert).toHaveTextContent("the server did not answer within 10 s");
    expect(within(table).getByRole("row", { name: /get_article/ })).toBeInTheDocument();
  });

  it("is not offered for a tool set imported from OpenAPI", async () => {
    platformWith(billingToolSet);
    await open(billingToolSet);
    expect(screen.getByRole("button", { name: "Publish" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Refresh from server" })).not.toBeInTheDocument();
  });

  it("is not offered to viewers", async () => {
    signInAs(annSession({ role: "viewer" }));
    platformWith(helpCenterToolSet);
    await open(helpCenterToolSet);
    expect(screen.getByText(/Served by the MCP server acme-help-center/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Refresh from server" })).not.toBeInTheDocument();
  });
});
