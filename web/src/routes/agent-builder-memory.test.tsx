import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, hrVersions, knowledgeBaseList } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The HR assistant's platform: PATCH merges the draft, as the platform does. */
function agentPlatform(initial: Record<string, unknown> = hrAssistant) {
  let agent: Record<string, unknown> = { ...initial };
  return stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [agent] }),
    "GET /v1/agents/agt_hr": () => jsonResponse(agent),
    "GET /v1/agents/agt_hr/versions": () => jsonResponse({ versions: hrVersions }),
    "GET /v1/tool-sets": () => jsonResponse({ toolSets: [] }),
    "GET /v1/knowledge-bases": () => jsonResponse(knowledgeBaseList),
    "PATCH /v1/agents/agt_hr": (request) => {
      agent = { ...agent, ...(request.body as object), updatedAt: new Date().toISOString() };
      return jsonResponse(agent);
    },
  });
}

async function memorySection() {
  renderApp("/agents/agt_hr");
  await screen.findByRole("heading", { level: 1, name: "Acme HR assistant" });
  await screen.findByRole("list", { name: "Published versions" });
  return screen.getByRole("region", { name: "Long-term memory" });
}

describe("Agent builder: long-term memory", () => {
  it("is off for an agent saved before it existed, and says what is remembered and how to forget", async () => {
    const { longTermMemory: _absent, ...legacy } = hrAssistant;
    agentPlatform(legacy);
    const section = await memorySection();
    const enabled = within(section).getByRole("switch", { name: "Remember end users" });
    expect(enabled).not.toBeChecked();
    expect(enabled).toHaveAccessibleDescription(/End users can say “forget that”/);
    expect(section).toHaveTextContent(/facts and preferences they state/);
    // Editable while off, kept for when memory is turned on.
    expect(within(section).getByRole("textbox", { name: "Keep memories for (days)" })).toBeEnabled();
  });

  it("saves it with the draft: on, a retention and a scope, only what changed", async () => {
    const user = userEvent.setup();
    const platform = agentPlatform();
    const section = await memorySection();

    await user.click(within(section).getByRole("switch", { name: "Remember end users" }));
    const days = within(section).getByRole("textbox", { name: "Keep memories for (days)" });
    await user.clear(days);
    await user.type(days, "90");
    await user.click(within(section).getByRole("combobox", { name: "Who recalls them" }));
    await user.click(await screen.findByRole("option", { name: "The whole workspace" }));
    expect(within(section).getByText(/Shared with every agent of the workspace/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr")[0]?.body).toEqual({
      longTermMemory: { enabled: true, retentionDays: 90, scope: "workspace" },
    });
  });

  it("refuses a retention outside 1 to 3,650 days before sending", async () => {
    const user = userEvent.setup();
    const platform = agentPlatform({
      ...hrAssistant,
      longTermMemory: { enabled: true, retentionDays: 365, scope: "agent" },
    });
    const section = await memorySection();
    expect(within(section).getByRole("switch", { name: "Remember end users" })).toBeChecked();
    const days = within(section).getByRole("textbox", { name: "Keep memories for (days)" });
    expect(days).toHaveValue("365");

    await user.clear(days);
    await user.type(days, "4000");
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(days).toHaveAccessibleDescription("A whole number of days from 1 to 3,650.");
    expect(platform.sent("PATCH /v1/agents/agt_hr")).toHaveLength(0);
  });

  it("shows the platform's refusal of a memory setting under its field", async () => {
    const user = userEvent.setup();
    const platform = agentPlatform({
      ...hrAssistant,
      longTermMemory: { enabled: true, retentionDays: 365, scope: "agent" },
    });
    platform.routes["PATCH /v1/agents/agt_hr"] = () =>
      errorResponse(400, "invalid-argument", "longTermMemory.retentionDays: too long for this plan", {
        issues: [{ path: "longTermMemory.retentionDays", message: "At most 30 days on the Free plan." }],
      });
    const section = await memorySection();
    const days = within(section).getByRole("textbox", { name: "Keep memories for (days)" });
    await user.clear(days);
    await user.type(days, "400");
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await within(section).findByText("At most 30 days on the Free plan.")).toBeInTheDocument();
    expect(days).toHaveAccessibleDescription("At most 30 days on the Free plan.");
  });
});
