import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrGoldenSet } from "../test/evaluationFixtures";
import { hrAssistant, hrVersions, knowledgeBaseList } from "../test/fixtures";
import { errorResponse, jsonResponse, stubPlatform, type PlatformRoute } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const gate = { enabled: true, datasetId: "ds_golden", maxDrop: 0.05, timeoutSeconds: 120 };

/** The refusal `checkPublishGate` answers when the draft scores lower than the gate allows. */
const gateRefusal = () =>
  errorResponse(
    400,
    "failed-precondition",
    "The draft's accuracy on dataset ds_golden is 33.3% against 66.7% for version 2: a drop of 33.3%, more than the gate allows (5.0%). 1 item(s) got worse, 0 better. Nothing was published.",
    {
      gate: { datasetId: "ds_golden", maxDrop: 0.05 },
      published: { runId: "run_pub", version: 2, accuracy: 0.6667 },
      draft: { runId: "run_drf", accuracy: 0.3333 },
      drop: 0.3334,
      comparison: {
        counts: { worse: 1, better: 0, same: 2, "only-base": 0, "only-other": 0 },
        deltas: {},
        worse: [
          {
            itemId: "itm_vacation",
            question: "How many vacation days do full-time employees get?",
            change: "worse",
            base: {
              correct: true,
              answer: "25 days [1].",
              abstained: false,
              traceId: "trc_a",
              reason: "contains every expected fact",
            },
            other: {
              correct: false,
              answer: "20 days.",
              abstained: false,
              traceId: "trc_b",
              reason: "missing: 25 days",
            },
          },
        ],
      },
    },
  );

function platformWith(agentPatch: Record<string, unknown>, extra: Record<string, PlatformRoute> = {}) {
  let agent: Record<string, unknown> = { ...hrAssistant, ...agentPatch };
  const platform = stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [agent] }),
    "GET /v1/agents/agt_hr": () => jsonResponse(agent),
    "GET /v1/agents/agt_hr/versions": () => jsonResponse({ versions: hrVersions }),
    "GET /v1/tool-sets": () => jsonResponse({ toolSets: [] }),
    "GET /v1/knowledge-bases": () => jsonResponse(knowledgeBaseList),
    "GET /v1/eval/datasets": () => jsonResponse({ datasets: [hrGoldenSet] }),
    "PUT /v1/agents/agt_hr/publish-gate": (request) => {
      const body = request.body as Record<string, unknown>;
      agent = { ...agent, publishGate: body };
      return jsonResponse({ publishGate: body });
    },
    "DELETE /v1/agents/agt_hr/publish-gate": () => {
      agent = { ...agent, publishGate: null };
      return new Response(null, { status: 204 });
    },
    ...extra,
  });
  return platform;
}

async function openHrAssistant() {
  renderApp("/agents/agt_hr");
  expect(await screen.findByRole("heading", { level: 1, name: "Acme HR assistant" })).toBeInTheDocument();
  return screen.findByRole("region", { name: "Publish gate" });
}

describe("Agent page: the publish gate", { timeout: 30_000 }, () => {
  it("sets a gate from the workspace's datasets, in points and seconds, after checking the fields", async () => {
    const user = userEvent.setup();
    const platform = platformWith({});
    const panel = await openHrAssistant();
    expect(panel).toHaveTextContent("No gate: publishing does not run an evaluation first.");
    // Without a gate nothing of the Sandbox is read.
    expect(platform.requests.some((r) => r.path.startsWith("/v1/eval"))).toBe(false);

    await user.click(within(panel).getByRole("button", { name: "Set a gate…" }));
    const dialog = await screen.findByRole("dialog", { name: "Set a publish gate" });
    const timeout = within(dialog).getByRole("spinbutton", { name: "Wait for the runs at most (seconds)" });
    await user.clear(timeout);
    await user.type(timeout, "300");
    await user.click(within(dialog).getByRole("button", { name: "Save gate" }));
    expect(within(dialog).getByText("Choose the dataset the gate runs.")).toBeInTheDocument();
    expect(within(dialog).getByText("A whole number of seconds from 10 to 240.")).toBeInTheDocument();
    expect(platform.sent("PUT /v1/agents/agt_hr/publish-gate")).toEqual([]);

    await user.click(within(dialog).getByRole("combobox", { name: "Golden dataset" }));
    await user.click(await screen.findByRole("option", { name: "HR golden set (3 items)" }));
    const drop = within(dialog).getByRole("spinbutton", { name: "Largest drop allowed (percentage points)" });
    await user.clear(drop);
    await user.type(drop, "2.5");
    await user.clear(timeout);
    await user.type(timeout, "90");
    await user.click(within(dialog).getByRole("button", { name: "Save gate" }));

    expect(await screen.findByText("Publish gate saved.")).toBeInTheDocument();
    expect(platform.sent("PUT /v1/agents/agt_hr/publish-gate")[0]?.body).toEqual({
      enabled: true,
      datasetId: "ds_golden",
      maxDrop: 0.025,
      timeoutSeconds: 90,
    });
    expect(panel).toHaveTextContent(
      "On: publishing runs “HR golden set” against the draft and version 2, and refuses a drop in accuracy of more than 2.5 points. It waits up to 90 s for the runs.",
    );
  });

  it("removes the gate after asking", async () => {
    const user = userEvent.setup();
    const platform = platformWith({ publishGate: gate });
    const panel = await openHrAssistant();
    expect(await within(panel).findByRole("link", { name: "“HR golden set”" })).toHaveAttribute(
      "href",
      "/evaluations/datasets/ds_golden",
    );
    await user.click(within(panel).getByRole("button", { name: "Remove gate…" }));
    const dialog = await screen.findByRole("dialog", { name: "Remove the publish gate?" });
    await user.click(within(dialog).getByRole("button", { name: "Remove gate" }));
    expect(
      await screen.findByText("Publish gate removed: publishing no longer runs an evaluation first."),
    ).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/agents/agt_hr/publish-gate")).toHaveLength(1);
    expect(panel).toHaveTextContent("No gate");
  });

  it("says the gate runs first, and shows its verdict when it refuses the draft", async () => {
    const user = userEvent.setup();
    platformWith({ publishGate: gate }, { "POST /v1/agents/agt_hr/publish": gateRefusal });
    await openHrAssistant();
    await user.click(screen.getByRole("button", { name: "Publish…" }));
    const dialog = await screen.findByRole("dialog", { name: "Publish version 3" });
    expect(
      await within(dialog).findByText(
        /The publish gate runs first: “HR golden set” is evaluated against the draft and version 2/,
      ),
    ).toHaveTextContent("publishing waits for them, up to 120 s. A drop in accuracy of more than 5 points");
    await user.click(within(dialog).getByRole("button", { name: "Publish" }));

    const verdict = await within(dialog).findByRole("alert");
    expect(verdict).toHaveTextContent("The publish gate refused the draft: nothing was published");
    expect(verdict).toHaveTextContent(
      "On “HR golden set”, the draft scored 33.3% and version 2 66.7%: a drop of 33.3 points, more than the 5 points the gate allows. 1 item got worse, 0 better.",
    );
    const worse = within(verdict).getByRole("list", { name: "Items that got worse" });
    expect(worse).toHaveTextContent("How many vacation days do full-time employees get?");
    expect(worse).toHaveTextContent("Version 2 (correct): 25 days [1].");
    expect(worse).toHaveTextContent("The draft (incorrect): 20 days. — missing: 25 days");
    expect(
      within(verdict).getByRole("link", {
        name: "Compare the two runs item by item, with each answer's trace",
      }),
    ).toHaveAttribute("href", "/evaluations/compare?base=run_pub&other=run_drf");
    expect(screen.queryByText("Published version 3.")).not.toBeInTheDocument();
  });

  it("says the runs go on when they outlast the gate's wait", async () => {
    const user = userEvent.setup();
    platformWith(
      { publishGate: gate },
      {
        "POST /v1/agents/agt_hr/publish": () =>
          errorResponse(
            504,
            "deadline-exceeded",
            "The publish gate's evaluation did not finish within 120 s",
            {
              runs: { published: "run_pub", draft: "run_drf" },
              timeoutSeconds: 120,
            },
          ),
      },
    );
    await openHrAssistant();
    await user.click(screen.getByRole("button", { name: "Publish…" }));
    const dialog = await screen.findByRole("dialog", { name: "Publish version 3" });
    await user.click(within(dialog).getByRole("button", { name: "Publish" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("The publish gate's evaluation is still running: nothing was published");
    expect(alert).toHaveTextContent(
      "Its runs did not finish within the gate's 120 s. They go on: publish again once they have completed, and they are reused",
    );
    expect(within(alert).getByRole("link", { name: "The draft's run" })).toHaveAttribute(
      "href",
      "/evaluations/runs/run_drf",
    );
  });

  it("shows a viewer the gate without a way to change it", async () => {
    signInAs(
      annSession({ role: "viewer", workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "viewer" }] }),
    );
    const platform = platformWith({ publishGate: gate });
    const panel = await openHrAssistant();
    expect(panel).toHaveTextContent("refuses a drop in accuracy of more than 5 points");
    // A viewer may not read the Sandbox's datasets: the gate names its dataset by id, nothing is asked.
    expect(within(panel).getByRole("link", { name: "ds_golden" })).toBeInTheDocument();
    expect(platform.requests.some((r) => r.path.startsWith("/v1/eval"))).toBe(false);
    expect(within(panel).queryByRole("button")).not.toBeInTheDocument();
  });
});
