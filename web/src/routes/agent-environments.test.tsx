import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { agentEnvironmentRoutes, suspendedProfile, workspaceProfile } from "../test/environmentFixtures";
import { hrAssistant, hrVersions, knowledgeBaseList } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform, type PlatformRoute } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeAll(async () => {
  await import("./agent-builder");
}, 60_000);

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The HR assistant with its environments; production's version is the agent's published version. */
function environmentsPlatform(extra: Record<string, PlatformRoute> = {}) {
  let agent: Record<string, unknown> = { ...hrAssistant, publishedVersion: 1 };
  const environments = agentEnvironmentRoutes(
    "agt_hr",
    { development: 2, staging: 1, production: 1 },
    (version) => {
      agent = { ...agent, publishedVersion: version };
    },
  );
  const platform = stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [agent] }),
    "GET /v1/agents/agt_hr": () => jsonResponse(agent),
    "GET /v1/agents/agt_hr/versions": () => jsonResponse({ versions: hrVersions }),
    "GET /v1/tool-sets": () => jsonResponse({ toolSets: [] }),
    "GET /v1/knowledge-bases": () => jsonResponse(knowledgeBaseList),
    "GET /v1/workspace": () => jsonResponse(workspaceProfile()),
    ...environments.routes,
    ...extra,
  });
  return { ...platform, environments };
}

async function openEnvironments() {
  renderApp("/agents/agt_hr");
  const section = await screen.findByRole("region", { name: "Environments" });
  await within(section).findByRole("list", { name: "Environments" });
  return section;
}

const environmentItem = (section: HTMLElement, label: string) =>
  within(within(section).getByRole("list", { name: "Environments" })).getByRole("listitem", { name: label });

describe("Agent builder: environments", { timeout: 30_000 }, () => {
  it("shows which version serves in each environment, and the history", async () => {
    environmentsPlatform();
    const section = await openEnvironments();

    expect(environmentItem(section, "Development")).toHaveTextContent("Version 2");
    expect(environmentItem(section, "Staging")).toHaveTextContent("Version 1");
    expect(environmentItem(section, "Production")).toHaveTextContent("Version 1");
    const history = within(section).getByRole("list", { name: "Promotion history" });
    expect(within(history).getAllByRole("listitem")[0]).toHaveTextContent(
      /Version 2 published to Development.*by you · Answer more questions/,
    );
    // Nothing to promote where the next environment already has the version; no rollback without an earlier one.
    expect(within(environmentItem(section, "Staging")).queryByRole("button", { name: /Promote/ })).toBeNull();
    expect(
      within(environmentItem(section, "Production")).queryByRole("button", { name: /Roll back/ }),
    ).toBeNull();
  });

  it("promotes development's version to staging, then staging's to production", async () => {
    const user = userEvent.setup();
    const platform = environmentsPlatform();
    const section = await openEnvironments();

    await user.click(
      within(environmentItem(section, "Development")).getByRole("button", { name: "Promote to Staging" }),
    );
    let dialog = await screen.findByRole("dialog", { name: "Promote version 2 to Staging?" });
    expect(dialog).toHaveTextContent("Staging serves version 1; from the next message it serves version 2");
    await user.click(within(dialog).getByRole("button", { name: "Promote to Staging" }));
    await waitFor(() => expect(environmentItem(section, "Staging")).toHaveTextContent("Version 2"));
    expect(within(section).getByRole("status")).toHaveTextContent("Staging now serves version 2.");

    await user.click(
      within(environmentItem(section, "Staging")).getByRole("button", { name: "Promote to Production" }),
    );
    dialog = await screen.findByRole("dialog", { name: "Promote version 2 to Production?" });
    await user.click(within(dialog).getByRole("button", { name: "Promote to Production" }));
    await waitFor(() => expect(environmentItem(section, "Production")).toHaveTextContent("Version 2"));

    expect(platform.sent("POST /v1/agents/agt_hr/environments/staging/promote").map((r) => r.body)).toEqual([
      { from: "development" },
    ]);
    expect(
      platform.sent("POST /v1/agents/agt_hr/environments/production/promote").map((r) => r.body),
    ).toEqual([{ from: "staging" }]);
    const history = within(section).getByRole("list", { name: "Promotion history" });
    expect(within(history).getAllByRole("listitem")[0]).toHaveTextContent(
      "Version 2 promoted to Production from Staging",
    );
    // Production is what the agent serves: the page's header follows.
    await waitFor(() => expect(platform.sent("GET /v1/agents/agt_hr").length).toBeGreaterThan(1));
  });

  it("rolls an environment back to the version it had before", async () => {
    const user = userEvent.setup();
    const platform = environmentsPlatform();
    const section = await openEnvironments();

    await user.click(
      within(environmentItem(section, "Development")).getByRole("button", { name: "Roll back Development" }),
    );
    const dialog = await screen.findByRole("dialog", { name: "Roll back Development?" });
    expect(dialog).toHaveTextContent(
      "Development serves version 2; from the next message it serves version 1 again.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Roll back Development" }));

    await waitFor(() => expect(environmentItem(section, "Development")).toHaveTextContent("Version 1"));
    expect(
      platform.sent("POST /v1/agents/agt_hr/environments/development/rollback").map((r) => r.body),
    ).toEqual([{}]);
    const history = within(section).getByRole("list", { name: "Promotion history" });
    expect(within(history).getAllByRole("listitem")[0]).toHaveTextContent(
      "Development rolled back to version 1 (was 2)",
    );
  });

  it("keeps the dialog open with the platform's reason when a promotion is refused", async () => {
    const user = userEvent.setup();
    environmentsPlatform({
      "POST /v1/agents/agt_hr/environments/staging/promote": () =>
        errorResponse(
          403,
          "workspace-suspended",
          "Workspace acme is suspended by the platform operator: unpaid",
        ),
    });
    const section = await openEnvironments();
    await user.click(
      within(environmentItem(section, "Development")).getByRole("button", { name: "Promote to Staging" }),
    );
    const dialog = await screen.findByRole("dialog", { name: "Promote version 2 to Staging?" });
    await user.click(within(dialog).getByRole("button", { name: "Promote to Staging" }));
    expect(
      await within(dialog).findByText(/is suspended by the platform operator: unpaid/),
    ).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(environmentItem(section, "Staging")).toHaveTextContent("Version 1");
  });

  it("puts a published version in development", async () => {
    const user = userEvent.setup();
    const platform = environmentsPlatform();
    const section = await openEnvironments();
    await user.click(within(section).getByRole("combobox", { name: "Version for Development" }));
    await user.click(await screen.findByRole("option", { name: "Version 1" }));
    await user.click(within(section).getByRole("button", { name: "Deploy to Development" }));
    const dialog = await screen.findByRole("dialog", { name: "Deploy version 1 to Development?" });
    await user.click(within(dialog).getByRole("button", { name: "Deploy to Development" }));
    await waitFor(() => expect(environmentItem(section, "Development")).toHaveTextContent("Version 1"));
    expect(
      platform.sent("POST /v1/agents/agt_hr/environments/development/promote").map((r) => r.body),
    ).toEqual([{ version: 1 }]);
  });

  it("only shows a viewer where versions serve", async () => {
    signInAs(
      annSession({ role: "viewer", workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "viewer" }] }),
    );
    environmentsPlatform();
    const section = await openEnvironments();
    expect(environmentItem(section, "Development")).toHaveTextContent("Version 2");
    expect(within(section).queryByRole("button")).toBeNull();
  });
});

describe("The shell: a suspended workspace", { timeout: 30_000 }, () => {
  it("says on every page that the workspace is suspended, and why", async () => {
    stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/workspace": () => jsonResponse(suspendedProfile),
    });
    renderApp("/agents");
    const banner = await screen.findByRole("alert");
    expect(banner).toHaveTextContent("Acme Corp is suspended");
    expect(banner).toHaveTextContent("The platform operator's reason: Unpaid invoices since September");
    expect(banner).toHaveTextContent("Its data is kept and can still be read and exported");
  });

  it("says nothing while the workspace is active, or when the platform cannot tell", async () => {
    const platform = stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
      "GET /v1/workspace": () => jsonResponse(workspaceProfile()),
    });
    renderApp("/agents");
    expect(await screen.findByRole("link", { name: "Acme HR assistant" })).toBeInTheDocument();
    await waitFor(() => expect(platform.sent("GET /v1/workspace")).toHaveLength(1));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
