import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, hrVersions, itHelpdesk } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform, type PlatformRoute } from "../test/platformFetch";
import { earlyResults, hrPrompt, shorterAnswers, shorterAnswersResults } from "../test/promptFixtures";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeAll(async () => {
  // Loads the pages and the chart library once, on their own clock, before tests that time out.
  await import("./experiment");
  await import("./experiments");
  await import("@mui/x-charts/BarChart");
}, 60_000);

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function platformWith(extra: Record<string, PlatformRoute> = {}) {
  return stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant, itHelpdesk] }),
    "GET /v1/agents/agt_hr": () => jsonResponse(hrAssistant),
    "GET /v1/agents/agt_hr/versions": () => jsonResponse({ versions: hrVersions }),
    "GET /v1/agent-options": () =>
      jsonResponse({
        models: {
          default: { model: "extractive-v1", label: "Local extractive responder" },
          allowed: ["gpt-4o-mini"],
        },
        maxOutputTokens: { min: 16, max: 4000, default: 800 },
        contextBudgetTokens: { min: 1000, max: 100000, default: 8000 },
        toolHosts: null,
      }),
    "GET /v1/knowledge-bases": () =>
      jsonResponse({ knowledgeBases: [{ id: "kb_handbook", name: "Employee handbook", documentCount: 3 }] }),
    "GET /v1/prompts": () => jsonResponse({ prompts: [hrPrompt] }),
    "GET /v1/tuning/models": () =>
      jsonResponse({
        models: [
          {
            id: "job_1",
            name: "ft:gpt-4o-mini-2024-07-18:acme::hr1",
            baseModel: "gpt-4o-mini-2024-07-18",
            jobId: "job_1",
            exportId: "exp_tune1",
            agentId: "agt_hr",
            createdAt: "2026-11-20T10:00:00.000Z",
          },
        ],
      }),
    "GET /v1/experiments": () => jsonResponse({ experiments: [shorterAnswers] }),
    "GET /v1/experiments/exp_short": () => jsonResponse(shorterAnswers),
    "GET /v1/experiments/exp_short/results": () => jsonResponse(shorterAnswersResults),
    ...extra,
  });
}

describe("Experiments: the list and a new one", { timeout: 30_000 }, () => {
  it("lists experiments for a viewer, filtered by agent, without the editors' actions", async () => {
    const user = userEvent.setup();
    signInAs(
      annSession({ role: "viewer", workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "viewer" }] }),
    );
    const platform = platformWith();
    renderApp("/experiments");
    const table = await screen.findByRole("table", { name: "Experiments" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(
      /Shorter answersAcme HR assistantRunning2Feedback score/,
    );
    expect(screen.queryByRole("link", { name: "New experiment" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("combobox", { name: "Agent" }));
    await user.click(await screen.findByRole("option", { name: "Acme HR assistant" }));
    await screen.findByRole("table", { name: "Experiments" });
    expect(platform.sent("GET /v1/experiments").at(-1)?.query.get("agentId")).toBe("agt_hr");
  });

  it("creates an experiment: checks the shares add up, sends each variant's changes, opens its dashboard", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/experiments": () =>
        jsonResponse({ ...shorterAnswers, status: "draft", startedAt: null }, 201),
    });
    renderApp("/experiments/new?agent=agt_hr");
    await user.type(await screen.findByRole("textbox", { name: "Name" }), "Shorter answers");
    const second = screen.getByRole("group", { name: "Variant 2" });
    const share = within(second).getByRole("textbox", { name: "Share of traffic (%)" });
    await user.clear(share);
    await user.type(share, "40");
    await user.click(screen.getByRole("button", { name: "Create experiment" }));
    expect(
      await screen.findByText("The shares add up to 90%; they must add up to 100%."),
    ).toBeInTheDocument();
    expect(platform.sent("POST /v1/experiments")).toEqual([]);

    await user.clear(share);
    await user.type(share, "50");
    await user.click(within(second).getByRole("combobox", { name: "Prompt" }));
    await user.click(await screen.findByRole("option", { name: "A template at a label" }));
    await user.click(within(second).getByRole("combobox", { name: "Template" }));
    await user.click(await screen.findByRole("option", { name: "HR assistant instructions" }));
    await user.click(within(second).getByRole("combobox", { name: "Label" }));
    await user.click(await screen.findByRole("option", { name: "staging (version 3)" }));
    await user.type(within(second).getByRole("textbox", { name: "Temperature" }), "0.1");
    // The workspace's fine-tuned model is offered beside the operator's models, to A/B it.
    await user.click(within(second).getByRole("combobox", { name: "Model" }));
    await user.click(await screen.findByRole("option", { name: "ft:gpt-4o-mini-2024-07-18:acme::hr1" }));
    await user.click(screen.getByRole("button", { name: "Create experiment" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Shorter answers" })).toBeInTheDocument();
    expect(platform.sent("POST /v1/experiments")[0]?.body).toEqual({
      agentId: "agt_hr",
      name: "Shorter answers",
      description: "",
      metric: "answerRate",
      variants: [
        { name: "Control", share: 0.5, overrides: {} },
        {
          name: "Variant B",
          share: 0.5,
          overrides: {
            prompt: { templateId: "prm_hr", label: "staging" },
            modelName: "ft:gpt-4o-mini-2024-07-18:acme::hr1",
            temperature: 0.1,
          },
        },
      ],
    });
  });

  it("shows the platform's refusal of a variant on its field", async () => {
    const user = userEvent.setup();
    platformWith({
      "POST /v1/experiments": () =>
        errorResponse(400, "invalid-argument", "variants.1.overrides.modelName: gpt-5 is not offered here", {
          issues: [{ path: "variants.1.overrides.modelName", message: "gpt-5 is not offered here" }],
        }),
    });
    renderApp("/experiments/new?agent=agt_hr");
    await user.type(await screen.findByRole("textbox", { name: "Name" }), "New model");
    await user.click(screen.getByRole("button", { name: "Create experiment" }));
    const second = screen.getByRole("group", { name: "Variant 2" });
    expect(await within(second).findByText("gpt-5 is not offered here")).toBeInTheDocument();
    expect(screen.getByText("The experiment was not created")).toBeInTheDocument();
  });
});

describe("Experiments: the dashboard", { timeout: 30_000 }, () => {
  it("shows every variant's figures as a table and charts, and the significance with the method named", async () => {
    platformWith();
    renderApp("/experiments/exp_short");
    const figures = await screen.findByRole("table", { name: "Per-variant figures" });
    const [, control, staging] = within(figures).getAllByRole("row");
    expect(control).toHaveTextContent(
      /Control50%61285%14\.4%62%93 up of 150840 ms2\.1 s291,000\$1\.53\$0\.0025—/,
    );
    expect(staging).toHaveTextContent(
      /Staging prompt50%62886%13\.7%78%125 up of 160760 ms1\.9 s270,000\$1\.256\$0\.00284%/,
    );
    for (const chart of ["Answers, abstentions and feedback", "Latency", "Cost per turn", "Traffic"]) {
      expect(screen.getByRole("figure", { name: chart })).toBeInTheDocument();
    }

    const significance = screen.getByRole("region", { name: "Significance" });
    expect(significance).toHaveTextContent(
      "Decided on: Feedback score (share of thumbs up). Method: two-proportion z-test (pooled standard error), two-sided; 95% Wald confidence interval of the difference.",
    );
    expect(
      within(significance).getByText("Staging prompt is significantly better on feedback score."),
    ).toBeInTheDocument();
    const rows = within(within(significance).getByRole("table")).getAllByRole("row");
    expect(rows[1]).toHaveTextContent(
      /Feedback score \(decides\)Staging prompt vs\. Control62% \(93\/150\)78\.1% \(125\/160\)\+16\.1 pts\+6\.1 pts to \+26\.1 pts0\.0020\.002Significantly better/,
    );
    expect(rows[3]).toHaveTextContent(/Abstention rate.*−0\.7 pts.*0\.730.*No significant difference/);
    expect(screen.getByRole("rowheader", { name: "Staging prompt — winner" })).toBeInTheDocument();
  });

  it("says plainly when there is not enough data, and why", async () => {
    platformWith({ "GET /v1/experiments/exp_short/results": () => jsonResponse(earlyResults) });
    renderApp("/experiments/exp_short");
    expect(
      await screen.findByText(
        /Not enough data yet to tell the variants apart on feedback score: the baseline has 12 observations \(needs 30\); the variant has 12 observations \(needs 30\)/,
      ),
    ).toBeInTheDocument();
    const table = screen.getByRole("table", { name: "Significance of each variant against the baseline" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(
      /78\.1% \(125\/160\)————Not enough data\s*the baseline has 12 observations/,
    );
  });

  it("promotes the winner after a confirmation that says it publishes a new agent version", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/experiments/exp_short/promote": () =>
        jsonResponse({
          experiment: { ...shorterAnswers, status: "promoted", promotedVariantId: "b", promotedVersion: 3 },
          version: 3,
          replayed: false,
        }),
    });
    renderApp("/experiments/exp_short");
    await user.click(await screen.findByRole("button", { name: "Promote winner Staging prompt" }));
    const dialog = await screen.findByRole("dialog", { name: "Promote “Staging prompt”?" });
    expect(dialog).toHaveTextContent(
      "This publishes a new version of Acme HR assistant with this variant's changes (prompt prm_hr at label staging, temperature 0.1 (prompt fixed at version 3)) and stops the experiment.",
    );
    expect(
      within(dialog).queryByText(/not show this variant to be significantly better/),
    ).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Promote and publish" }));
    expect(
      await screen.findByText("“Staging prompt” is now version 3 of Acme HR assistant."),
    ).toBeInTheDocument();
    expect(screen.getByText(/was promoted: it became version 3 of Acme HR assistant/)).toBeInTheDocument();
    expect(platform.sent("POST /v1/experiments/exp_short/promote")[0]?.body).toEqual({ variantId: "b" });
    const variants = screen.getByRole("table", { name: "Variants" });
    expect(within(variants).queryByRole("button")).not.toBeInTheDocument();
  });

  it("warns before promoting a variant the figures do not favour, and stops the experiment on request", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/experiments/exp_short/stop": () =>
        jsonResponse({ ...shorterAnswers, status: "stopped", stoppedAt: new Date().toISOString() }),
    });
    renderApp("/experiments/exp_short");
    await user.click(await screen.findByRole("button", { name: "Promote Control" }));
    const dialog = await screen.findByRole("dialog", { name: "Promote “Control”?" });
    expect(
      within(dialog).getByText(/do not show this variant to be significantly better/),
    ).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Cancel" }));

    await user.click(await screen.findByRole("button", { name: "Stop" }));
    const stop = await screen.findByRole("dialog", { name: "Stop the experiment?" });
    await user.click(within(stop).getByRole("button", { name: "Stop" }));
    expect(await screen.findByText("The experiment is stopped.")).toBeInTheDocument();
    expect(platform.sent("POST /v1/experiments/exp_short/stop")).toHaveLength(1);
    expect(screen.getByRole("button", { name: "Start again" })).toBeInTheDocument();
  });

  it("deletes a stopped experiment after a confirmation, showing the platform's refusal first", async () => {
    const user = userEvent.setup();
    const stopped = { ...shorterAnswers, status: "stopped", stoppedAt: new Date().toISOString() };
    let refuse = true;
    const platform = platformWith({
      "GET /v1/experiments/exp_short": () => jsonResponse(stopped),
      "DELETE /v1/experiments/exp_short": () => {
        if (!refuse) return new Response(null, { status: 204 });
        refuse = false;
        // Someone started it again meanwhile.
        return errorResponse(400, "failed-precondition", "Experiment exp_short is running: stop it first");
      },
    });
    renderApp("/experiments/exp_short");
    await user.click(await screen.findByRole("button", { name: "Delete…" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete “Shorter answers”?" });
    expect(dialog).toHaveTextContent("Acme HR assistant is not changed");
    await user.click(within(dialog).getByRole("button", { name: "Delete experiment" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("The experiment was not deleted");
    expect(alert).toHaveTextContent("Experiment exp_short is running: stop it first");

    await user.click(within(dialog).getByRole("button", { name: "Delete experiment" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Experiments" })).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/experiments/exp_short")).toHaveLength(2);
  });

  it("offers no delete while an experiment runs", async () => {
    platformWith();
    renderApp("/experiments/exp_short");
    expect(await screen.findByRole("button", { name: "Stop" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete…" })).not.toBeInTheDocument();
  });

  it("shows a draft's variants without figures, and starts it", async () => {
    const user = userEvent.setup();
    const draft = { ...shorterAnswers, status: "draft", startedAt: null };
    const platform = platformWith({
      "GET /v1/experiments/exp_short": () => jsonResponse(draft),
      "POST /v1/experiments/exp_short/start": () => jsonResponse(shorterAnswers),
    });
    renderApp("/experiments/exp_short");
    expect(await screen.findByText(/This experiment has not started/)).toBeInTheDocument();
    expect(platform.sent("GET /v1/experiments/exp_short/results")).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Start" }));
    await user.click(
      within(await screen.findByRole("dialog", { name: "Start the experiment?" })).getByRole("button", {
        name: "Start",
      }),
    );
    expect(await screen.findByText("The experiment is running.")).toBeInTheDocument();
    expect(await screen.findByRole("table", { name: "Per-variant figures" })).toBeInTheDocument();
  });
});
