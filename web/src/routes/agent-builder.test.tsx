import { screen, waitFor, waitForElementToBeRemoved, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defaultInstructions } from "../data/agents";
import { hrAssistant, hrVersions, knowledgeBaseList } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform, type RecordedRequest } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";
import { billingToolSet } from "../test/toolFixtures";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/**
 * The platform's side of one agent, following its rules: PATCH merges the draft, publish adds a version,
 * rollback serves another one, pause and resume change the status, DELETE archives.
 */
function stubAgentPlatform(options: { knowledgeBases?: "listed" | "missing" } = {}) {
  let agent: Record<string, unknown> = { ...hrAssistant };
  let versions = [...hrVersions];
  const now = () => new Date().toISOString();
  const change = (patch: Record<string, unknown>) => {
    agent = { ...agent, ...patch, updatedAt: now() };
    return jsonResponse(agent);
  };
  const platform = stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [agent] }),
    "GET /v1/agents/agt_hr": () => jsonResponse(agent),
    "GET /v1/agents/agt_hr/versions": () => jsonResponse({ versions }),
    "GET /v1/tool-sets": () => jsonResponse({ toolSets: [] }),
    "GET /v1/knowledge-bases": () =>
      options.knowledgeBases === "missing"
        ? errorResponse(404, "not-found", "No route for GET /v1/knowledge-bases")
        : jsonResponse(knowledgeBaseList),
    "PATCH /v1/agents/agt_hr": (request) => change(request.body as Record<string, unknown>),
    "POST /v1/agents/agt_hr/publish": (request) => {
      const version = (agent.latestVersion as number) + 1;
      const { note } = request.body as { note: string };
      versions = [
        {
          id: `v${version}`,
          version,
          config: agent as never,
          note,
          publishedAt: now(),
          publishedBy: "acc_ann",
        },
        ...versions,
      ];
      return change({ status: "published", publishedVersion: version, latestVersion: version });
    },
    "POST /v1/agents/agt_hr/rollback": (request) =>
      change({ publishedVersion: (request.body as { version: number }).version }),
    "POST /v1/agents/agt_hr/pause": () => change({ status: "paused" }),
    "POST /v1/agents/agt_hr/resume": () => change({ status: "published" }),
    "DELETE /v1/agents/agt_hr": () => {
      agent = { ...agent, status: "archived", updatedAt: now() };
      return new Response(null, { status: 204 });
    },
  });
  const changes = () =>
    platform.requests.filter((r: RecordedRequest) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);
  return { ...platform, changes };
}

async function openHrAssistant() {
  renderApp("/agents/agt_hr");
  expect(await screen.findByRole("heading", { level: 1, name: "Acme HR assistant" })).toBeInTheDocument();
  await screen.findByRole("list", { name: "Published versions" });
}

const instructionsField = () => screen.getByRole("textbox", { name: "Instructions" });

describe("Agent builder: editing the draft", () => {
  it("estimates the instructions' tokens as they are typed", async () => {
    const user = userEvent.setup();
    stubAgentPlatform();
    renderApp("/agents/new");
    await screen.findByRole("heading", { level: 1, name: "New agent" });

    expect(instructionsField()).toHaveValue(defaultInstructions);
    expect(instructionsField()).toHaveAccessibleDescription(
      `${defaultInstructions.length} / 20,000 characters · about 19 tokens (estimated at 4 characters per token)`,
    );

    await user.clear(instructionsField());
    await user.type(instructionsField(), "Be brief.");
    expect(instructionsField()).toHaveAccessibleDescription(/^9 \/ 20,000 characters · about 3 tokens/);
    await user.type(instructionsField(), " Quote the handbook.");
    expect(instructionsField()).toHaveAccessibleDescription(/^29 \/ 20,000 characters · about 8 tokens/);
  });

  it("saves only the draft fields that changed", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();
    expect(screen.getByText("All changes saved.")).toBeInTheDocument();

    await user.type(instructionsField(), "\nNever guess a number.");
    const threshold = screen.getByRole("slider", { name: "Confidence threshold" });
    expect(threshold).toHaveAccessibleDescription(/Answers below this calibrated probability abstain/);
    threshold.focus();
    await user.keyboard("{ArrowRight}");
    expect(screen.getByText("You have unsaved changes.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Save draft" }));

    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    const [patch] = platform.sent("PATCH /v1/agents/agt_hr");
    expect(patch?.body).toEqual({
      instructions: `${hrAssistant.instructions}\nNever guess a number.`,
      confidenceThreshold: 0.55,
    });
    expect(patch?.authorization).toBe("Bearer als_ann_acme.signature");
    expect(screen.getByRole("status")).toHaveTextContent("Draft saved.");
  });

  it("saves with Ctrl+S, sending knowledge bases picked by name and guardrails whole", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();

    const knowledgeBases = screen.getByRole("combobox", { name: "Knowledge bases" });
    expect(screen.getByRole("button", { name: "Acme Corp employee handbook" })).toBeInTheDocument();
    await user.click(knowledgeBases);
    const option = await screen.findByRole("option", { name: /IT security FAQ/ });
    expect(option).toHaveTextContent("1 document");
    await user.click(option);

    await user.type(screen.getByRole("combobox", { name: "Blocked topics" }), "layoffs{Enter}");
    expect(screen.getByRole("button", { name: "layoffs" })).toBeInTheDocument();
    await user.click(screen.getByRole("switch", { name: "Redact personal data" }));

    await user.keyboard("{Control>}s{/Control}");

    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr")[0]?.body).toEqual({
      knowledgeBaseIds: ["kb_handbook", "kb_it"],
      guardrails: { blockedTopics: ["salaries of colleagues", "layoffs"], redactPii: false },
    });
  });

  it("shows the platform's validation errors next to the field they are about", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform({ knowledgeBases: "missing" });
    platform.routes["PATCH /v1/agents/agt_hr"] = () =>
      errorResponse(
        400,
        "invalid-argument",
        "Invalid request body: knowledgeBaseIds.1: invalid knowledge base id",
        {
          issues: [{ path: "knowledgeBaseIds.1", message: "invalid knowledge base id" }],
        },
      );
    await openHrAssistant();

    // Without `GET /v1/knowledge-bases`, attached ones show by id and an id can be typed.
    const knowledgeBases = screen.getByRole("combobox", { name: "Knowledge bases" });
    expect(knowledgeBases).toHaveAccessibleDescription(/cannot list knowledge bases yet/);
    expect(screen.getByRole("button", { name: "kb_handbook" })).toBeInTheDocument();
    await user.type(knowledgeBases, "travel policy{Enter}");
    await user.click(screen.getByRole("button", { name: "Save draft" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The draft was not saved");
    expect(alert).toHaveTextContent("Invalid request body: knowledgeBaseIds.1: invalid knowledge base id");
    expect(knowledgeBases).toHaveAccessibleDescription("invalid knowledge base id");
    expect(screen.getByText("Fix the fields marked in red.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr")[0]?.body).toEqual({
      knowledgeBaseIds: ["kb_handbook", "travel policy"],
    });
  });

  it("asks before leaving with unsaved changes", async () => {
    const user = userEvent.setup();
    stubAgentPlatform();
    const { router } = renderApp("/agents");
    await user.click(await screen.findByRole("link", { name: "Acme HR assistant" }));
    await screen.findByRole("heading", { level: 1, name: "Acme HR assistant" });

    await user.type(screen.getByRole("textbox", { name: "Name" }), " (beta)");
    await user.click(screen.getByRole("link", { name: "← Agents" }));

    const dialog = await screen.findByRole("dialog", { name: "Leave without saving?" });
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitForElementToBeRemoved(dialog);
    expect(router.state.location.pathname).toBe("/agents/agt_hr");
    expect(screen.getByRole("textbox", { name: "Name" })).toHaveValue("Acme HR assistant (beta)");

    await user.click(screen.getByRole("link", { name: "← Agents" }));
    await user.click(
      within(await screen.findByRole("dialog", { name: "Leave without saving?" })).getByRole("button", {
        name: "Leave without saving",
      }),
    );
    expect(await screen.findByRole("heading", { level: 1, name: "Agents" })).toBeInTheDocument();
  });

  it("opens the Playground from Try it", async () => {
    const user = userEvent.setup();
    stubAgentPlatform();
    await openHrAssistant();

    await user.click(screen.getByRole("link", { name: "Try it" }));

    expect(
      await screen.findByRole("heading", { level: 1, name: "Playground · Acme HR assistant" }),
    ).toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Version" })).toHaveTextContent(
      "Draft (unpublished changes)",
    );
  });

  it("says so when the agent does not exist in this workspace", async () => {
    stubPlatform({
      "GET /v1/agents/agt_gone": () => errorResponse(404, "not-found", "Agent agt_gone not found"),
    });
    renderApp("/agents/agt_gone");
    expect(await screen.findByRole("heading", { level: 1, name: "Agent not found" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "See all agents" })).toHaveAttribute("href", "/agents");
  });
});

describe("Agent builder: a new agent", () => {
  it("asks for a name, then creates the agent and opens it", async () => {
    const user = userEvent.setup();
    const created = {
      ...hrAssistant,
      id: "agt_travel",
      name: "Travel desk",
      status: "draft",
      publishedVersion: null,
      latestVersion: 0,
    };
    const platform = stubPlatform({
      "GET /v1/knowledge-bases": () => jsonResponse(knowledgeBaseList),
      "POST /v1/agents": () => jsonResponse({ id: "agt_travel" }, 201),
      "GET /v1/agents/agt_travel": () => jsonResponse(created),
      "GET /v1/agents/agt_travel/versions": () => jsonResponse({ versions: [] }),
    });
    const { router } = renderApp("/agents/new");
    await screen.findByRole("heading", { level: 1, name: "New agent" });

    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(screen.getByRole("textbox", { name: "Name" })).toHaveAccessibleDescription(
      "Give the agent a name.",
    );
    expect(platform.sent("POST /v1/agents")).toHaveLength(0);

    await user.type(screen.getByRole("textbox", { name: "Name" }), "Travel desk");
    await user.click(screen.getByRole("button", { name: "Save draft" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Travel desk" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/agents/agt_travel");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(
      await screen.findByText("Not published yet. Publish the draft to create version 1."),
    ).toBeInTheDocument();
    expect(platform.sent("POST /v1/agents")[0]?.body).toEqual({
      name: "Travel desk",
      description: "",
      instructions: defaultInstructions,
      model: { name: null, temperature: 0.2, maxOutputTokens: 800 },
      knowledgeBaseIds: [],
      guardrails: { blockedTopics: [], redactPii: true },
      confidenceThreshold: 0.8,
      memoryWindow: 6,
      tools: [],
      maxToolSteps: 4,
      contextBudgetTokens: 8000,
      channels: ["api", "openai-compatible", "callable", "studio", "mcp", "whatsapp", "widget"],
      longTermMemory: { enabled: false, retentionDays: 365, scope: "agent" },
    });
  });
});

describe("Agent builder: channels", () => {
  const channelsSection = () => screen.getByRole("region", { name: "Channels" });
  const channel = (name: string) => within(channelsSection()).getByRole("checkbox", { name });
  const checkedChannels = () =>
    within(channelsSection())
      .getAllByRole("checkbox")
      .filter((box) => (box as HTMLInputElement).checked)
      .map((box) => box.closest("label")?.textContent);

  it("checks the channels the agent answers on, each said in a line", async () => {
    stubAgentPlatform();
    await openHrAssistant();

    expect(checkedChannels()).toEqual([
      "REST API",
      "OpenAI-compatible API",
      "Firebase callable",
      "Studio playground",
    ]);
    expect(channel("WhatsApp")).not.toBeChecked();
    expect(channel("Web chat widget")).not.toBeChecked();
    expect(channel("MCP")).not.toBeChecked();
    expect(channel("WhatsApp")).toHaveAccessibleDescription(
      "Messages to the WhatsApp Business numbers connected to this agent.",
    );
    expect(channel("Studio playground")).toHaveAccessibleDescription(
      /The draft can always be tried there, whatever is checked here\./,
    );
    expect(channelsSection()).toHaveTextContent("A change here reaches them once you publish it.");
    // The draft answers where version 2 does: nothing to publish yet.
    expect(channelsSection()).not.toHaveTextContent("End users get version 2");
  });

  it("saves a changed list with the draft, and nothing when it ends as it was", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();

    await user.click(channel("WhatsApp"));
    await user.click(channel("Web chat widget"));
    expect(screen.getByText("You have unsaved changes.")).toBeInTheDocument();
    expect(channelsSection()).toHaveTextContent(
      "End users get version 2, which answers on REST API, OpenAI-compatible API, Firebase callable, " +
        "Studio playground. Publish to apply the channels above.",
    );
    await user.click(screen.getByRole("button", { name: "Save draft" }));

    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr").map((r) => r.body)).toEqual([
      { channels: ["api", "openai-compatible", "callable", "studio", "whatsapp", "widget"] },
    ]);

    // Off and on again: the same set, so nothing is sent.
    await user.click(channel("REST API"));
    expect(screen.getByText("You have unsaved changes.")).toBeInTheDocument();
    await user.click(channel("REST API"));
    expect(screen.getByText("All changes saved.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await screen.findByText("Nothing to save: the draft is up to date.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr")).toHaveLength(1);

    await user.click(screen.getByRole("button", { name: "Publish…" }));
    const dialog = await screen.findByRole("dialog", { name: "Publish version 3" });
    await user.click(within(dialog).getByRole("button", { name: "Publish" }));
    expect(await screen.findByText("Published version 3.")).toBeInTheDocument();
    await waitFor(() => expect(channelsSection()).not.toHaveTextContent("End users get version"));
  });

  it("warns that an agent with no channel answers only in the playground, and saves it so", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();
    const warning = "This agent will answer nowhere but the playground once published";
    expect(screen.queryByText(new RegExp(warning))).not.toBeInTheDocument();

    for (const name of ["REST API", "OpenAI-compatible API", "Firebase callable"]) {
      await user.click(channel(name));
    }
    expect(screen.queryByText(new RegExp(warning))).not.toBeInTheDocument();
    await user.click(channel("Studio playground"));
    expect(within(channelsSection()).getByRole("alert")).toHaveTextContent(warning);
    expect(channelsSection()).toHaveTextContent(/End users get version 2, which answers on REST API/);

    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr")[0]?.body).toEqual({ channels: [] });
    expect(within(channelsSection()).getByRole("alert")).toHaveTextContent(warning);

    await user.click(channel("MCP"));
    expect(within(channelsSection()).queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows the platform's refusal of a channel next to the channels", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    // A platform older than the widget channel.
    const message =
      'Invalid option: expected one of "api"|"openai-compatible"|"callable"|"studio"|"mcp"|"whatsapp"';
    platform.routes["PATCH /v1/agents/agt_hr"] = () =>
      errorResponse(400, "invalid-argument", `Invalid request body: channels.4: ${message}`, {
        issues: [{ path: "channels.4", message }],
      });
    await openHrAssistant();

    await user.click(channel("Web chat widget"));
    await user.click(screen.getByRole("button", { name: "Save draft" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The draft was not saved");
    expect(channel("Web chat widget")).toHaveAccessibleDescription(
      `The web chat widgets made for this agent, on your sites. ${message}`,
    );
    expect(screen.getByText("Fix the fields marked in red.")).toBeInTheDocument();

    // Editing the channels clears their error.
    await user.click(channel("Web chat widget"));
    expect(channel("Web chat widget")).toHaveAccessibleDescription(
      "The web chat widgets made for this agent, on your sites.",
    );
  });

  it("lists channel changes when a version is compared with the draft", async () => {
    const user = userEvent.setup();
    stubAgentPlatform();
    await openHrAssistant();
    await user.click(channel("WhatsApp"));
    await user.click(channel("Firebase callable"));

    await user.click(
      within(screen.getByRole("listitem", { name: "Version 2" })).getByRole("button", {
        name: "Compare with draft",
      }),
    );
    const dialog = await screen.findByRole("dialog", { name: "Version 2 compared with the draft" });
    expect(dialog).toHaveTextContent("1 field differs.");
    const row = within(dialog).getByRole("row", { name: /^Channels/ });
    expect(row).toHaveTextContent("Changed");
    expect(row).toHaveTextContent(
      "REST API, OpenAI-compatible API, Firebase callable, Studio playground" +
        "REST API, OpenAI-compatible API, Studio playground, WhatsApp" +
        "Adds WhatsApp. Removes Firebase callable.",
    );
  });
});

describe("Agent builder: tools", () => {
  /** Replaces a field's text as a paste does (typing long text key by key is slow in a big form). */
  async function fill(user: ReturnType<typeof userEvent.setup>, field: HTMLElement, text: string) {
    await user.clear(field);
    await user.click(field);
    await user.paste(text);
  }

  it("switches built-in tools and adds an HTTP tool checked before it joins the draft", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();
    const tools = screen.getByRole("region", { name: "Tools" });

    expect(within(tools).getByRole("checkbox", { name: /search_knowledge/ })).toBeChecked();
    await user.click(within(tools).getByRole("checkbox", { name: /current_time/ }));
    await user.click(within(tools).getByRole("button", { name: "Add HTTP tool" }));

    const dialog = await screen.findByRole("dialog", { name: "Add an HTTP tool" });
    const name = within(dialog).getByRole("textbox", { name: "Tool name" });
    await fill(user, name, "get balance");
    await fill(user, within(dialog).getByRole("textbox", { name: "URL" }), "ftp://bank");
    const schema = within(dialog).getByRole("textbox", { name: "Arguments (JSON Schema)" });
    await fill(user, schema, "{ not json");
    await user.click(within(dialog).getByRole("button", { name: "Add tool" }));

    expect(name).toHaveAccessibleDescription(/letters, digits, '_' or '-'/);
    expect(within(dialog).getByRole("textbox", { name: "What it does" })).toHaveAccessibleDescription(
      /Say what the tool does/,
    );
    expect(within(dialog).getByRole("textbox", { name: "URL" })).toHaveAccessibleDescription(
      "A full http:// or https:// address.",
    );
    expect(schema).toHaveAccessibleDescription(/Not valid JSON/);

    await fill(user, name, "get_balance");
    await fill(
      user,
      within(dialog).getByRole("textbox", { name: "What it does" }),
      "The balance of a customer's account.",
    );
    await fill(user, within(dialog).getByRole("textbox", { name: "URL" }), "https://bank.example/balance");
    await fill(user, schema, '{"type": "object", "properties": {}}');
    await user.click(within(dialog).getByRole("button", { name: "Add tool" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    const list = within(tools).getByRole("list", { name: "HTTP tools" });
    expect(list).toHaveTextContent("get_balance");
    expect(list).toHaveTextContent("POST https://bank.example/balance");

    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr")[0]?.body).toEqual({
      tools: [
        { kind: "builtin", name: "search_knowledge" },
        { kind: "builtin", name: "current_time" },
        {
          kind: "http",
          name: "get_balance",
          description: "The balance of a customer's account.",
          method: "POST",
          url: "https://bank.example/balance",
          timeoutMs: 10000,
          parameters: { type: "object", properties: {} },
        },
      ],
    });
  });

  it("edits and removes an HTTP tool, refusing a name another tool has", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    const lookup = {
      kind: "http",
      name: "order_status",
      description: "Where an order is.",
      method: "GET",
      url: "https://shop.example/orders",
      timeoutMs: 5000,
      parameters: { type: "object", properties: { orderId: { type: "string" } } },
    };
    platform.routes["GET /v1/agents/agt_hr"] = () =>
      jsonResponse({ ...hrAssistant, tools: [...hrAssistant.tools, lookup] });
    await openHrAssistant();
    const tools = screen.getByRole("region", { name: "Tools" });

    await user.click(within(tools).getByRole("button", { name: "Edit tool order_status" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit tool order_status" });
    const name = within(dialog).getByRole("textbox", { name: "Tool name" });
    expect(name).toHaveValue("order_status");
    await fill(user, name, "search_knowledge");
    await user.click(within(dialog).getByRole("button", { name: "Apply changes" }));
    expect(name).toHaveAccessibleDescription("Another tool of this agent has this name.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    await user.click(within(tools).getByRole("button", { name: "Remove tool order_status" }));
    expect(within(tools).queryByRole("list", { name: "HTTP tools" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr")[0]?.body).toEqual({
      tools: [{ kind: "builtin", name: "search_knowledge" }],
    });
  });
});

describe("Agent builder: what the platform offers", () => {
  const offered = {
    models: {
      default: {
        model: "gpt-4o-mini",
        label: "gpt-4o-mini via api.openai.com",
        provider: "openai-compatible",
      },
      allowed: ["gpt-4o-mini", "gpt-4o"],
    },
    maxOutputTokens: { min: 16, max: 2000, default: 800 },
    contextBudgetTokens: { min: 1000, max: 16_000, default: 8000 },
    toolHosts: ["api.example.com", "*.partner.test"],
  };

  it("offers only the operator's models and bounds the answer and the context by its caps", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    platform.routes["GET /v1/agent-options"] = () => jsonResponse(offered);
    await openHrAssistant();

    const model = await screen.findByRole("combobox", { name: "Model" });
    expect(model).toHaveTextContent("Platform default · gpt-4o-mini via api.openai.com");
    expect(screen.queryByRole("textbox", { name: "Model name" })).not.toBeInTheDocument();
    await user.click(model);
    const choices = within(await screen.findByRole("listbox")).getAllByRole("option");
    expect(choices.map((o) => o.textContent)).toEqual([
      "Platform default · gpt-4o-mini via api.openai.com",
      "gpt-4o-mini",
      "gpt-4o",
    ]);
    await user.click(choices[2] as HTMLElement);

    const output = screen.getByRole("textbox", { name: "Max output tokens" });
    expect(output).toHaveAccessibleDescription("The longest answer, from 16 to 2,000 tokens.");
    await user.clear(output);
    await user.click(output);
    await user.paste("4000");
    const context = screen.getByRole("slider", { name: "Context budget" });
    expect(context).toHaveAttribute("aria-valuemax", "16000");
    context.focus();
    await user.keyboard("{ArrowRight}");
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(output).toHaveAccessibleDescription("A whole number from 16 to 2,000.");
    expect(platform.sent("PATCH /v1/agents/agt_hr")).toHaveLength(0);

    await user.clear(output);
    await user.click(output);
    await user.paste("1500");
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr")[0]?.body).toEqual({
      model: { name: "gpt-4o", temperature: 0.2, maxOutputTokens: 1500 },
      contextBudgetTokens: 9000,
    });
  });

  it("marks a model or a budget the platform no longer allows, and saves nothing until they are changed", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    platform.routes["GET /v1/agent-options"] = () => jsonResponse(offered);
    platform.routes["GET /v1/agents/agt_hr"] = () =>
      jsonResponse({
        ...hrAssistant,
        model: { ...hrAssistant.model, name: "gpt-4-legacy" },
        contextBudgetTokens: 64_000,
      });
    await openHrAssistant();

    const model = await screen.findByRole("combobox", { name: "Model" });
    expect(model).toHaveTextContent("gpt-4-legacy (no longer offered)");
    expect(model).toHaveAccessibleDescription(
      "This platform no longer offers this model: pick one it offers.",
    );
    await user.type(screen.getByRole("textbox", { name: "Name" }), " (2024)");
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(screen.getByRole("slider", { name: "Context budget" })).toHaveAccessibleDescription(
      "At most 16,000 tokens on this platform.",
    );
    expect(platform.sent("PATCH /v1/agents/agt_hr")).toHaveLength(0);

    await user.click(model);
    await user.click(await screen.findByRole("option", { name: /^Platform default/ }));
    const context = screen.getByRole("slider", { name: "Context budget" });
    context.focus();
    await user.keyboard("{Home}");
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    expect(platform.sent("PATCH /v1/agents/agt_hr")[0]?.body).toEqual({
      name: "Acme HR assistant (2024)",
      model: { name: null, temperature: 0.2, maxOutputTokens: 800 },
      contextBudgetTokens: 1000,
    });
  });

  it("starts a new agent within caps lower than the usual defaults", async () => {
    const user = userEvent.setup();
    const platform = stubPlatform({
      "GET /v1/knowledge-bases": () => jsonResponse(knowledgeBaseList),
      "GET /v1/agent-options": () =>
        jsonResponse({
          ...offered,
          maxOutputTokens: { min: 16, max: 500, default: 500 },
          contextBudgetTokens: { min: 1000, max: 4000, default: 4000 },
        }),
      "POST /v1/agents": () => errorResponse(500, "internal", "stop here"),
    });
    renderApp("/agents/new");
    await screen.findByRole("heading", { level: 1, name: "New agent" });
    await waitFor(() =>
      expect(screen.getByRole("textbox", { name: "Max output tokens" })).toHaveValue("500"),
    );
    expect(screen.getByRole("slider", { name: "Context budget" })).toHaveAttribute("aria-valuenow", "4000");

    await user.type(screen.getByRole("textbox", { name: "Name" }), "Travel desk");
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    await screen.findByRole("alert");
    expect(platform.sent("POST /v1/agents")[0]?.body).toMatchObject({
      model: { name: null, temperature: 0.2, maxOutputTokens: 500 },
      contextBudgetTokens: 4000,
    });
  });

  it("says which hosts HTTP tools may call, and refuses another before it joins the draft", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    platform.routes["GET /v1/agent-options"] = () => jsonResponse(offered);
    await openHrAssistant();
    await screen.findByRole("combobox", { name: "Model" });
    await user.click(screen.getByRole("button", { name: "Add HTTP tool" }));
    const dialog = await screen.findByRole("dialog", { name: "Add an HTTP tool" });
    /** Replaces a field's text as a paste does (typing key by key is slow in a big form). */
    const fill = async (field: HTMLElement, text: string) => {
      await user.clear(field);
      await user.click(field);
      await user.paste(text);
    };
    const url = within(dialog).getByRole("textbox", { name: "URL" });
    expect(url).toHaveAccessibleDescription(/on one of api\.example\.com, \*\.partner\.test/);
    await fill(within(dialog).getByRole("textbox", { name: "Tool name" }), "get_balance");
    await fill(within(dialog).getByRole("textbox", { name: "What it does" }), "The balance of an account.");
    await fill(url, "https://bank.example/balance");
    await user.click(within(dialog).getByRole("button", { name: "Add tool" }));
    expect(url).toHaveAccessibleDescription(
      "This platform's tools may only call api.example.com, *.partner.test.",
    );
    await fill(url, "https://ledger.partner.test/balance");
    await user.click(within(dialog).getByRole("button", { name: "Add tool" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByRole("list", { name: "HTTP tools" })).toHaveTextContent("ledger.partner.test");
  });
});

describe("Agent builder: publishing and versions", () => {
  it("publishes the draft with a note and lists the new version", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();

    await user.click(screen.getByRole("button", { name: "Publish…" }));
    const dialog = await screen.findByRole("dialog", { name: "Publish version 3" });
    await user.type(
      within(dialog).getByRole("textbox", { name: "Release note (optional)" }),
      "Blocks salary questions",
    );
    await user.click(within(dialog).getByRole("button", { name: "Publish" }));

    expect(await screen.findByRole("heading", { level: 3, name: "Version 3" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("Published version 3.");
    expect(platform.sent("POST /v1/agents/agt_hr/publish")[0]?.body).toEqual({
      note: "Blocks salary questions",
    });
    const newest = screen.getByRole("listitem", { name: "Version 3" });
    expect(newest).toHaveTextContent("Blocks salary questions");
    expect(newest).toHaveTextContent("by you");
    expect(within(newest).getByText("Serving")).toBeInTheDocument();
    expect(platform.changes()).toEqual(["POST /v1/agents/agt_hr/publish"]);
  });

  it("saves unsaved changes before publishing them", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();

    await user.clear(screen.getByRole("textbox", { name: "Model name" }));
    await user.type(screen.getByRole("textbox", { name: "Model name" }), "gpt-4o-mini");
    await user.click(screen.getByRole("button", { name: "Publish…" }));
    const dialog = await screen.findByRole("dialog", { name: "Publish version 3" });
    await user.click(within(dialog).getByRole("button", { name: "Save and publish" }));

    expect(await screen.findByText("Published version 3.")).toBeInTheDocument();
    expect(platform.changes()).toEqual(["PATCH /v1/agents/agt_hr", "POST /v1/agents/agt_hr/publish"]);
    expect(platform.sent("PATCH /v1/agents/agt_hr")[0]?.body).toEqual({
      model: { name: "gpt-4o-mini", temperature: 0.2, maxOutputTokens: 800 },
    });
  });

  it("rolls back to an earlier version only after confirmation", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();

    const serving = screen.getByRole("listitem", { name: "Version 2" });
    expect(within(serving).getByText("Serving")).toBeInTheDocument();
    expect(
      within(serving).queryByRole("button", { name: "Roll back to this version" }),
    ).not.toBeInTheDocument();

    const older = screen.getByRole("listitem", { name: "Version 1" });
    expect(older).toHaveTextContent("by acc_bob");
    await user.click(within(older).getByRole("button", { name: "Roll back to this version" }));
    let dialog = await screen.findByRole("dialog", { name: "Roll back to version 1?" });
    expect(dialog).toHaveTextContent("Conversations get version 1 from their next message.");
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));
    await waitForElementToBeRemoved(dialog);
    expect(platform.changes()).toEqual([]);

    await user.click(within(older).getByRole("button", { name: "Roll back to this version" }));
    dialog = await screen.findByRole("dialog", { name: "Roll back to version 1?" });
    await user.click(within(dialog).getByRole("button", { name: "Roll back to version 1" }));
    await waitForElementToBeRemoved(dialog);

    expect(screen.getByRole("status")).toHaveTextContent("Conversations now get version 1.");
    expect(platform.sent("POST /v1/agents/agt_hr/rollback")[0]?.body).toEqual({ version: 1 });
    expect(screen.getByText(/Serving:/)).toHaveTextContent(
      "Serving: v1 of 2 (newer in other environments or rolled back)",
    );
    expect(
      within(screen.getByRole("listitem", { name: "Version 1" })).getByText("Serving"),
    ).toBeInTheDocument();
  });

  it("compares a version with the draft field by field, unsaved edits included", async () => {
    const user = userEvent.setup();
    stubAgentPlatform();
    await openHrAssistant();
    const memory = screen.getByRole("slider", { name: "Memory window" });
    memory.focus();
    await user.keyboard("{ArrowLeft}{ArrowLeft}");

    await user.click(
      within(screen.getByRole("listitem", { name: "Version 1" })).getByRole("button", {
        name: "Compare with draft",
      }),
    );
    const dialog = await screen.findByRole("dialog", { name: "Version 1 compared with the draft" });
    expect(dialog).toHaveTextContent("4 fields differ.");
    const table = within(dialog).getByRole("table");
    expect(within(table).getByRole("columnheader", { name: "Draft (unsaved)" })).toBeInTheDocument();

    const row = (field: string) => within(table).getByRole("row", { name: new RegExp(`^${field}`) });
    const changed = within(table)
      .getAllByText("Changed")
      .map((chip) => chip.closest("tr")?.querySelector("th")?.firstChild?.textContent);
    expect(changed).toEqual(["Instructions", "Blocked topics", "Confidence threshold", "Memory window"]);
    expect(row("Confidence threshold")).toHaveTextContent("0.750.50");
    expect(row("Memory window")).toHaveTextContent("6 messages4 messages");
    expect(row("Name")).not.toHaveTextContent("Changed");
    expect(row("Knowledge bases")).toHaveTextContent("Acme Corp employee handbook");

    const instructions = within(row("Instructions")).getByRole("group", {
      name: "Instructions, line by line",
    });
    expect(instructions.querySelector("del")).toHaveTextContent(
      "Answer employees' questions about policies from the handbook.",
    );
    expect(instructions.querySelector("ins")).toHaveTextContent(
      "Answer employees' questions about policies from the handbook, briefly and precisely.",
    );
    expect(instructions.querySelectorAll("del, ins")).toHaveLength(2);

    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    await waitForElementToBeRemoved(dialog);
  });
});

describe("Agent builder: status", () => {
  it("pauses a published agent and resumes it", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();

    await user.click(screen.getByRole("button", { name: "Pause" }));
    expect(await screen.findByText("Paused", { selector: ".MuiChip-label" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("the agent does not answer until you resume it");

    await user.click(screen.getByRole("button", { name: "Resume" }));
    expect(await screen.findByText("Published", { selector: ".MuiChip-label" })).toBeInTheDocument();
    expect(platform.changes()).toEqual(["POST /v1/agents/agt_hr/pause", "POST /v1/agents/agt_hr/resume"]);
  });

  it("archives only after confirmation, then shows the agent read-only", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    await openHrAssistant();

    await user.click(screen.getByRole("button", { name: "Archive…" }));
    let dialog = await screen.findByRole("dialog", { name: "Archive Acme HR assistant?" });
    expect(dialog).toHaveTextContent("Archiving cannot be undone.");
    await user.keyboard("{Escape}");
    await waitForElementToBeRemoved(dialog);
    expect(platform.changes()).toEqual([]);

    await user.click(screen.getByRole("button", { name: "Archive…" }));
    dialog = await screen.findByRole("dialog", { name: "Archive Acme HR assistant?" });
    await user.click(within(dialog).getByRole("button", { name: "Archive agent" }));

    expect(await screen.findByText(/This agent is archived/)).toBeInTheDocument();
    // The page reloads the agent as it archives it, so the dialog may go with its old tree: whichever way
    // it leaves, none may remain.
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.changes()).toEqual(["DELETE /v1/agents/agt_hr"]);
    expect(screen.getByRole("textbox", { name: "Name" })).toBeDisabled();
    expect(screen.getByRole("checkbox", { name: "REST API" })).toBeDisabled();
    expect(screen.queryByRole("button", { name: "Save draft" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Roll back to this version" })).not.toBeInTheDocument();
  });
});

describe("Agent builder: Tool Forge tool sets", () => {
  it("pins a tool set's published version, moves it to a newer one, and saves the pin", async () => {
    const user = userEvent.setup();
    const platform = stubAgentPlatform();
    platform.routes["GET /v1/tool-sets"] = () =>
      jsonResponse({
        toolSets: [
          { ...billingToolSet, latestVersion: 2 },
          { ...billingToolSet, id: "ts_never", name: "Never published", latestVersion: 0 },
        ],
      });
    await openHrAssistant();
    const add = screen.getByRole("combobox", { name: "Add a tool set" });
    await user.click(add);
    // Only tool sets with a published version can be pinned.
    expect(screen.queryByRole("option", { name: /Never published/ })).not.toBeInTheDocument();
    await user.click(await screen.findByRole("option", { name: "Acme Billing API (version 2)" }));
    await user.click(screen.getByRole("button", { name: "Add" }));
    const pinned = screen.getByRole("list", { name: "Tool sets" });
    expect(within(pinned).getByRole("link", { name: "Acme Billing API" })).toHaveAttribute(
      "href",
      "/tools/ts_billing",
    );
    await user.click(within(pinned).getByRole("combobox", { name: /^Version/ }));
    await user.click(await screen.findByRole("option", { name: "Version 1" }));
    await user.click(screen.getByRole("button", { name: "Save draft" }));
    expect(await screen.findByText("All changes saved.")).toBeInTheDocument();
    const [patch] = platform.sent("PATCH /v1/agents/agt_hr");
    expect((patch?.body as { tools: unknown[] }).tools).toContainEqual({
      kind: "toolset",
      toolSetId: "ts_billing",
      version: 1,
    });
  });

  it("shows an agent that pins a tool set (it has no tool name) without failing", async () => {
    const platform = stubAgentPlatform();
    platform.routes["GET /v1/agents/agt_hr"] = () =>
      jsonResponse({ ...hrAssistant, tools: [{ kind: "toolset", toolSetId: "ts_billing", version: 1 }] });
    platform.routes["GET /v1/tool-sets"] = () => jsonResponse({ toolSets: [billingToolSet] });
    await openHrAssistant();
    const pinned = screen.getByRole("list", { name: "Tool sets" });
    expect(await within(pinned).findByRole("link", { name: "Acme Billing API" })).toBeInTheDocument();
  });
});
