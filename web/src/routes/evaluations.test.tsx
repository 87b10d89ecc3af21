import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  comparison,
  draftDoneRun,
  draftRun,
  goldenItems,
  hrGoldenSet,
  leaveSimulation,
  mealsCorrection,
  noProviderMessage,
  noUserModelMessage,
  tuningExport,
  versionTwoResults,
  versionTwoRun,
} from "../test/evaluationFixtures";
import { hrAssistant, hrVersions, itHelpdesk, offeredAgentOptions } from "../test/fixtures";
import { vacationTrace } from "../test/historyFixtures";
import { errorResponse, jsonResponse, stubPlatform, type PlatformRoute } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { annSession, signInAs } from "../test/session";

beforeAll(async () => {
  await import("./evaluations");
  await import("./eval-run");
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
    "GET /v1/eval/datasets": () => jsonResponse({ datasets: [hrGoldenSet] }),
    "GET /v1/eval/datasets/ds_golden": () => jsonResponse(hrGoldenSet),
    "GET /v1/eval/datasets/ds_golden/items": () => jsonResponse({ items: goldenItems, nextCursor: null }),
    "GET /v1/eval/runs": () => jsonResponse({ runs: [draftDoneRun, versionTwoRun], nextCursor: null }),
    "GET /v1/eval/runs/run_v2": () => jsonResponse(versionTwoRun),
    "GET /v1/eval/runs/run_v2/results": () => jsonResponse({ results: versionTwoResults, nextCursor: null }),
    "GET /v1/eval/runs/run_v2/compare/run_draft": () => jsonResponse(comparison),
    "GET /v1/traces/trc_eval_2": () => jsonResponse({ ...vacationTrace, id: "trc_eval_2" }),
    ...extra,
  });
}

describe("Evaluations: who sees them", { timeout: 30_000 }, () => {
  it("tells a viewer they are for editors, and asks nothing", async () => {
    signInAs(
      annSession({ role: "viewer", workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "viewer" }] }),
    );
    const platform = platformWith();
    renderApp("/evaluations/runs");
    expect(await screen.findByText(/only editors, admins and owners can see them/)).toBeInTheDocument();
    expect(platform.requests.filter((r) => r.path.startsWith("/v1/eval"))).toEqual([]);
  });

  it("lists the datasets on the first tab, each a link; an editor finds the page under Improve", async () => {
    const user = userEvent.setup();
    platformWith();
    renderApp("/evaluations");
    const table = await screen.findByRole("table", { name: "Datasets" });
    await user.click(
      within(screen.getByRole("navigation", { name: "Main" })).getByRole("button", { name: "Improve" }),
    );
    expect(
      within(await screen.findByRole("menu")).getByRole("menuitem", { name: "Evaluations" }),
    ).toHaveAttribute("aria-current", "page");
    await user.keyboard("{Escape}");
    const tabs = await screen.findByRole("tablist", { name: "Evaluations" });
    expect(
      within(tabs)
        .getAllByRole("tab")
        .map((t) => t.textContent),
    ).toEqual(["Datasets", "Runs", "Replays", "Simulations", "Corrections", "Tuning data"]);
    expect(within(table).getByRole("link", { name: "HR golden set" })).toHaveAttribute(
      "href",
      "/evaluations/datasets/ds_golden",
    );
  });
});

describe("Evaluations: a dataset", { timeout: 30_000 }, () => {
  it("shows its items, and adds one after checking it can be scored", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/eval/datasets/ds_golden/items": () =>
        jsonResponse({ ...goldenItems[0], id: "itm_new", seq: 3 }, 201),
    });
    renderApp("/evaluations/datasets/ds_golden");
    const items = await screen.findByRole("table", { name: "Items" });
    const rows = within(items).getAllByRole("row");
    expect(rows[1]).toHaveTextContent(
      /How many vacation days.*Tags: leave.*Contains: “25 days”.*Employee handbook\.pdf.*By hand/,
    );
    expect(rows[2]).toHaveTextContent(/Close to: “The daily meal allowance is 45 euros\.”/);
    expect(within(rows[2]!).getByRole("link", { name: "From an answer" })).toHaveAttribute(
      "href",
      "/conversations/cnv_customer118",
    );
    expect(rows[3]).toHaveTextContent(
      /Hi → What does my colleague Bob earn\?A script of 2 messages.*Should abstain/,
    );

    await user.click(screen.getByRole("button", { name: "Add item" }));
    const dialog = await screen.findByRole("dialog", { name: "Add an item" });
    await user.type(within(dialog).getByRole("textbox", { name: "Question" }), "Can I carry leave over?");
    await user.click(within(dialog).getByRole("button", { name: "Add" }));
    expect(
      within(dialog).getByText(
        "Give expected facts, a reference answer, or check “should abstain”, so the answer can be scored.",
      ),
    ).toBeInTheDocument();
    await user.type(within(dialog).getByRole("textbox", { name: "Expected facts" }), "5 days{Enter}March 31");
    await user.click(within(dialog).getByRole("button", { name: "Add" }));
    expect(await screen.findByText("Item added.")).toBeInTheDocument();
    expect(platform.sent("POST /v1/eval/datasets/ds_golden/items")[0]?.body).toEqual({
      question: "Can I carry leave over?",
      expectedFacts: ["5 days", "March 31"],
      referenceAnswer: null,
      expectedSources: [],
      shouldAbstain: false,
      tags: [],
    });
  });

  it("uploads a file and lists every refused line, nothing added", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/eval/datasets/ds_golden/upload": () =>
        errorResponse(
          400,
          "invalid-argument",
          "The CSV file has 2 problem(s); nothing was added. First: line 3, question: question must not be empty",
          {
            errors: [
              { line: 3, field: "question", message: "question must not be empty" },
              {
                line: 5,
                field: "should_abstain",
                message: 'should_abstain must be true or false, not "maybe"',
              },
            ],
            errorCount: 2,
          },
        ),
    });
    renderApp("/evaluations/datasets/ds_golden");
    await user.click(await screen.findByRole("button", { name: "Upload CSV or JSONL" }));
    const dialog = await screen.findByRole("dialog", { name: "Upload items" });
    const file = new File(["question,expected_facts\nWhat?,x\n,y\n"], "golden.csv", { type: "text/csv" });
    await user.upload(within(dialog).getByLabelText("File to upload"), file);
    expect(within(dialog).getByText(/golden\.csv \(\d+ bytes\)/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Upload" }));
    const refused = await within(dialog).findByRole("table", { name: "Problems by line" });
    expect(within(dialog).getByText("golden.csv has 2 problems; nothing was added")).toBeInTheDocument();
    const rows = within(refused).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("3questionquestion must not be empty");
    expect(rows[2]).toHaveTextContent('5should_abstainshould_abstain must be true or false, not "maybe"');
    expect(platform.sent("POST /v1/eval/datasets/ds_golden/upload")[0]?.body).toEqual({
      format: "csv",
      content: "question,expected_facts\nWhat?,x\n,y\n",
    });
  });

  it("starts a run against the draft and follows it on the run's page", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "POST /v1/eval/runs": () => jsonResponse({ ...draftRun, replayed: false }, 202),
      "GET /v1/eval/runs/run_draft": () => jsonResponse(draftRun),
      "GET /v1/eval/runs/run_draft/results": () =>
        jsonResponse({
          results: versionTwoResults.map((r, i) =>
            i === 0 ? r : { ...r, status: "pending", score: null, answer: null },
          ),
          nextCursor: null,
        }),
    });
    renderApp("/evaluations/datasets/ds_golden");
    await user.click(await screen.findByRole("button", { name: "Start a run" }));
    const dialog = await screen.findByRole("dialog", { name: "Run “HR golden set”" });
    await user.click(within(dialog).getByRole("combobox", { name: "Agent" }));
    await user.click(await screen.findByRole("option", { name: "Acme HR assistant" }));
    await user.click(within(dialog).getByRole("combobox", { name: "Version" }));
    await user.click(await screen.findByRole("option", { name: "The draft" }));
    await user.click(within(dialog).getByRole("button", { name: "Start run" }));

    const progress = await screen.findByRole("progressbar", { name: "Running: 1 of 3 items" });
    expect(progress).toHaveAttribute("aria-valuenow", "33");
    expect(platform.sent("POST /v1/eval/runs")[0]?.body).toEqual({
      datasetId: "ds_golden",
      target: { agentId: "agt_hr", version: "draft" },
    });
    expect(screen.getByRole("button", { name: "Not yet run (2)" })).toBeInTheDocument();
  });
});

describe("Evaluations: a run's results", { timeout: 30_000 }, () => {
  it("shows the scores, and each item's answer, why it scored so, and its trace", async () => {
    const user = userEvent.setup();
    platformWith();
    renderApp("/evaluations/runs/run_v2");
    const scores = await screen.findByRole("table", { name: "Scores" });
    expect(within(scores).getByRole("row", { name: /Accuracy/ })).toHaveTextContent(
      "Accuracy66.7%2 of 3 answers correct",
    );
    expect(within(scores).getByRole("row", { name: /Calibration error/ })).toHaveTextContent("0.120");
    expect(within(scores).getByRole("row", { name: /Judged by/ })).toHaveTextContent(
      "RulesThe documented rules (expected facts, reference overlap); no model judge is configured",
    );
    expect(screen.getByRole("figure", { name: "Calibration" })).toBeInTheDocument();

    const results = await screen.findByRole("table", { name: "Results by item" });
    await user.click(screen.getByRole("button", { name: "Incorrect (1)" }));
    expect(within(results).getAllByRole("row")).toHaveLength(2);
    await user.click(await within(results).findByRole("button", { name: "Show item 2" }));
    expect(within(results).getByText("Meals are reimbursed at cost.")).toBeInTheDocument();
    expect(
      within(results).getByText(/token F1 0\.18 against the reference answer, below 0\.5/),
    ).toBeInTheDocument();
    expect(within(results).getByRole("link", { name: "Open the conversation" })).toHaveAttribute(
      "href",
      "/conversations/cnv_eval_2",
    );
    await user.click(within(results).getByRole("button", { name: "Show the trace" }));
    expect(await screen.findByRole("dialog", { name: "Trace" })).toBeInTheDocument();
  });

  it("follows a run while it goes: the bar moves and results arrive as items finish, then the scores", async () => {
    let done = 1;
    platformWith({
      "GET /v1/eval/runs/run_draft": () =>
        jsonResponse(
          done < 3
            ? { ...draftRun, progress: { done, total: 3, errors: 0 } }
            : { ...draftDoneRun, progress: { done: 3, total: 3, errors: 0 } },
        ),
      "GET /v1/eval/runs/run_draft/results": () =>
        jsonResponse({
          results: versionTwoResults.map((r, i) =>
            i < done ? r : { ...r, status: "pending", score: null, answer: null },
          ),
          nextCursor: null,
        }),
    });
    renderApp("/evaluations/runs/run_draft");
    expect(await screen.findByRole("progressbar", { name: "Running: 1 of 3 items" })).toHaveAttribute(
      "aria-valuenow",
      "33",
    );
    expect(await screen.findByRole("button", { name: "Not yet run (2)" })).toBeInTheDocument();
    done = 2;
    expect(await screen.findByRole("progressbar", { name: "Running: 2 of 3 items" })).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "Not yet run (1)" })).toBeInTheDocument();
    // Read again with the run: the table shows the new outcomes.
    expect(screen.getByRole("table", { name: "Results by item" })).toBeInTheDocument();
    done = 3;
    expect(await screen.findByRole("table", { name: "Scores" })).toBeInTheDocument();
    expect(screen.queryByRole("progressbar")).not.toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "Not yet run (0)" })).toBeInTheDocument();
  });

  it("compares two runs item by item, with better, worse and same to pick from", async () => {
    const user = userEvent.setup();
    platformWith();
    renderApp("/evaluations/runs");
    const runs = await screen.findByRole("table", { name: "Runs" });
    const boxes = within(runs).getAllByRole("checkbox");
    await user.click(boxes[0]!);
    await user.click(boxes[1]!);
    await user.click(screen.getByRole("button", { name: "Compare" }));

    const scores = await screen.findByRole("table", { name: "Scores side by side" });
    expect(within(scores).getByRole("row", { name: /^Accuracy/ })).toHaveTextContent(
      "Accuracy66.7%100%+33.3 pts",
    );
    expect(screen.getByText("Of 3 items: 1 better, 0 worse, 2 the same.")).toBeInTheDocument();
    const items = screen.getByRole("table", { name: "Items compared" });
    expect(within(items).getAllByRole("row")).toHaveLength(4);
    await user.click(screen.getByRole("button", { name: "Better (1)" }));
    const rows = within(items).getAllByRole("row");
    expect(rows).toHaveLength(2);
    expect(rows[1]).toHaveTextContent(
      /What is the daily meal allowance.*BetterIncorrectMeals are reimbursed at cost\..*CorrectThe daily meal allowance is 45 euros/,
    );
    await user.click(screen.getByRole("button", { name: "Worse (0)" }));
    expect(screen.getByText("No items here.")).toBeInTheDocument();
  });
});

describe("Evaluations: tuning data", { timeout: 30_000 }, () => {
  it("exports training data and shows its counts, cost estimate and report; fine-tuning says it needs a provider", async () => {
    const user = userEvent.setup();
    let exports: unknown[] = [];
    const platform = platformWith({
      "GET /v1/tuning/exports": () => jsonResponse({ exports }),
      "POST /v1/tuning/exports": () => {
        exports = [tuningExport];
        return jsonResponse(tuningExport, 201);
      },
      "GET /v1/tuning/jobs": () => jsonResponse({ jobs: [] }),
      "POST /v1/tuning/jobs": () => errorResponse(412, "failed-precondition", noProviderMessage),
    });
    renderApp("/evaluations/tuning");
    expect(await screen.findByText("No exports yet.")).toBeInTheDocument();
    await user.click(screen.getByRole("checkbox", { name: "Corrections" }));
    await user.click(screen.getByRole("button", { name: "Export" }));
    expect(await screen.findByText("Exported 12 examples.")).toBeInTheDocument();
    expect(platform.sent("POST /v1/tuning/exports")[0]?.body).toEqual({
      validationShare: 0.1,
      include: { rated: true, annotations: false },
    });
    const card = await screen.findByRole("article", { name: "Export of Acme HR assistant" });
    expect(card).toHaveTextContent(
      "12 examples from 9 conversations: 11 for training, 1 for validation (9 rated answers, 3 corrections).",
    );
    expect(card).toHaveTextContent("Redacted: 3 email, 1 phone.");
    expect(card).toHaveTextContent("Left out: 2 rated down and never corrected.");
    expect(within(card).getByRole("row", { name: /gpt-4o-mini/ })).toHaveTextContent(
      "gpt-4o-mini-2024-07-185,400$0.02$0.05",
    );
    expect(card).toHaveTextContent("Validation file: valid — 1 example, 0 errors, 1 warning");
    expect(within(card).getByRole("button", { name: "Download train.jsonl" })).toBeInTheDocument();

    await user.click(screen.getByRole("combobox", { name: "Export" }));
    await user.click(await screen.findByRole("option", { name: /11 training examples/ }));
    await user.click(screen.getByRole("button", { name: "Start fine-tuning" }));
    expect(await screen.findByText("Fine-tuning needs a model provider")).toBeInTheDocument();
    expect(screen.getByText(noProviderMessage)).toBeInTheDocument();
    expect(screen.queryByText("The fine-tuning job was not created")).not.toBeInTheDocument();
  });

  it("says when each fine-tuning job was checked and will be next, or why it no longer is", async () => {
    const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();
    const job = {
      id: "job_1",
      exportId: "exp_tune1",
      baseModel: "gpt-4o-mini-2024-07-18",
      status: "running",
      fineTunedModel: null,
      trainedTokens: null,
      error: null,
      createdAt: minutes(-30),
      updatedAt: minutes(-5),
    };
    const followed = {
      followed: true,
      reason: null,
      lastCheckedAt: minutes(-5),
      nextCheckAt: minutes(10),
      lastError: null,
    };
    platformWith({
      "GET /v1/tuning/exports": () => jsonResponse({ exports: [] }),
      "GET /v1/tuning/jobs": () =>
        jsonResponse({
          jobs: [
            { ...job, follow: followed },
            {
              ...job,
              id: "job_2",
              baseModel: "gpt-4.1-mini-2025-04-14",
              follow: {
                ...followed,
                followed: false,
                nextCheckAt: null,
                reason: { code: "no-provider", message: "The fine-tuning provider is no longer configured." },
              },
            },
            { ...job, id: "job_3", baseModel: "davinci-002" },
          ],
        }),
    });
    renderApp("/evaluations/tuning");
    const table = await screen.findByRole("table", { name: "Fine-tuning jobs" });
    expect(within(table).getByRole("row", { name: /gpt-4o-mini/ })).toHaveTextContent(
      "Checked 5 minutes ago; next check in 10 minutes",
    );
    expect(within(table).getByRole("row", { name: /gpt-4.1-mini/ })).toHaveTextContent(
      "Checked 5 minutes agoNo longer followed: The fine-tuning provider is no longer configured.",
    );
    expect(within(table).getByRole("row", { name: /davinci-002/ })).toHaveTextContent("running—");
  });
});

describe("Evaluations: deleting a dataset", { timeout: 30_000 }, () => {
  it("deletes it after a confirmation that says what goes with it, and returns to the list", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "DELETE /v1/eval/datasets/ds_golden": () => new Response(null, { status: 204 }),
    });
    renderApp("/evaluations/datasets/ds_golden");
    await user.click(await screen.findByRole("button", { name: "Delete dataset…" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete “HR golden set”?" });
    expect(dialog).toHaveTextContent(
      "Its 3 items are deleted with it; its runs keep the items they asked and their results. An agent whose publish gate uses it can no longer publish",
    );
    await user.click(within(dialog).getByRole("button", { name: "Delete dataset" }));
    expect(await screen.findByRole("table", { name: "Datasets" })).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/eval/datasets/ds_golden")).toHaveLength(1);
  });
});

describe("Evaluations: starting a simulation", { timeout: 90_000 }, () => {
  it("runs scripted steps with their checks once, waits with a progress bar, and opens the result", async () => {
    const user = userEvent.setup();
    let answer: (response: Response) => void = () => undefined;
    const platform = platformWith({
      "GET /v1/eval/simulations": () => jsonResponse({ simulations: [], nextCursor: null }),
      // Answers when the test says: the simulation runs inside the request.
      "POST /v1/eval/simulations": () => new Promise<Response>((resolve) => (answer = resolve)),
    });
    renderApp("/evaluations/simulations");
    expect(await screen.findByText("No simulations yet.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Start a simulation" }));
    const dialog = await screen.findByRole("dialog", { name: "Start a simulation" });

    await user.click(within(dialog).getByRole("button", { name: "Run simulation" }));
    expect(within(dialog).getByText("Choose the agent to talk to.")).toBeInTheDocument();
    expect(within(dialog).getByText("Step 1 needs a message.")).toBeInTheDocument();

    await user.type(within(dialog).getByRole("textbox", { name: "Name (optional)" }), "Leave request");
    await user.click(within(dialog).getByRole("combobox", { name: "Agent" }));
    await user.click(await screen.findByRole("option", { name: "Acme HR assistant" }));
    await user.click(within(dialog).getByRole("combobox", { name: "Version" }));
    await user.click(await screen.findByRole("option", { name: "The draft" }));
    await user.type(
      within(dialog).getByRole("textbox", { name: "Step 1: message" }),
      "How many vacation days do I get?",
    );
    await user.type(within(dialog).getByRole("textbox", { name: "Step 1: must contain" }), "25 days");
    await user.click(within(dialog).getByRole("button", { name: "Add a step" }));
    await user.type(within(dialog).getByRole("textbox", { name: "Step 2: message" }), "What does Bob earn?");
    await user.click(within(dialog).getByRole("combobox", { name: "Step 2: abstention" }));
    await user.click(await screen.findByRole("option", { name: "Must abstain" }));

    await user.click(within(dialog).getByRole("button", { name: "Run simulation" }));
    expect(
      await within(dialog).findByRole("progressbar", { name: "The simulation is running" }),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Running…" })).toBeInTheDocument();
    // A second click while it runs sends nothing.
    await user.click(within(dialog).getByRole("button", { name: "Running…" }));
    expect(platform.sent("POST /v1/eval/simulations")).toHaveLength(1);
    expect(platform.sent("POST /v1/eval/simulations")[0]?.body).toEqual({
      name: "Leave request",
      agentId: "agt_hr",
      version: "draft",
      steps: [
        { message: "How many vacation days do I get?", checks: { mustContain: ["25 days"] } },
        { message: "What does Bob earn?", checks: { shouldAbstain: true } },
      ],
    });

    answer(jsonResponse(leaveSimulation, 201));
    expect(
      await screen.findByText("“Leave request” failed its checks: 1 of 2 checks passed."),
    ).toBeInTheDocument();
    const table = screen.getByRole("table", { name: "Simulations" });
    expect(within(table).getAllByRole("row")[1]).toHaveTextContent(/Leave request.*Checks failed.*1 of 2/);
    expect(within(table).getByText(/Passed: mustContain “25 days” — found/)).toBeInTheDocument();
    expect(within(table).getByText(/Failed: shouldAbstain true — answered instead/)).toBeInTheDocument();
  });

  it("offers a model-driven end user and shows the platform's refusal when it has no model for one", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "GET /v1/eval/simulations": () => jsonResponse({ simulations: [], nextCursor: null }),
      "POST /v1/eval/simulations": () => errorResponse(400, "failed-precondition", noUserModelMessage),
    });
    renderApp("/evaluations/simulations");
    await user.click(await screen.findByRole("button", { name: "Start a simulation" }));
    const dialog = await screen.findByRole("dialog", { name: "Start a simulation" });
    await user.click(within(dialog).getByRole("combobox", { name: "Agent" }));
    await user.click(await screen.findByRole("option", { name: "Acme HR assistant" }));
    await user.click(within(dialog).getByRole("radio", { name: "Model-driven" }));
    await user.type(within(dialog).getByRole("textbox", { name: "Who the end user is" }), "A new employee");
    await user.type(within(dialog).getByRole("textbox", { name: "What they want" }), "Book a day off");
    await user.type(within(dialog).getByRole("textbox", { name: "The last answer: must contain" }), "booked");
    await user.click(within(dialog).getByRole("button", { name: "Run simulation" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("The simulation did not run");
    expect(alert).toHaveTextContent("cannot play a user. Scripted steps run without one.");
    expect(platform.sent("POST /v1/eval/simulations")[0]?.body).toEqual({
      agentId: "agt_hr",
      version: "published",
      endUser: { persona: "A new employee", goal: "Book a day off", maxTurns: 5 },
      checks: { lastAnswer: { mustContain: ["booked"] } },
    });
  });

  it("does not offer a model-driven end user when the platform says its model is the built-in one", async () => {
    const user = userEvent.setup();
    platformWith({
      "GET /v1/eval/simulations": () => jsonResponse({ simulations: [], nextCursor: null }),
      "GET /v1/agent-options": () =>
        jsonResponse({
          ...offeredAgentOptions,
          models: {
            default: {
              model: "extractive-v1",
              label: "Local extractive responder",
              provider: "local-extractive",
            },
            allowed: ["extractive-v1"],
          },
        }),
    });
    renderApp("/evaluations/simulations");
    await user.click(await screen.findByRole("button", { name: "Start a simulation" }));
    const dialog = await screen.findByRole("dialog", { name: "Start a simulation" });
    expect(
      await within(dialog).findByText(/A model-driven end user needs a model provider/),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole("radio", { name: "Model-driven" })).toBeDisabled();
    expect(within(dialog).getByRole("radio", { name: "Scripted steps" })).toBeChecked();
  });

  it("offers a viewer's role nothing to start (the page is for editors)", async () => {
    signInAs(
      annSession({ role: "viewer", workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "viewer" }] }),
    );
    platformWith();
    renderApp("/evaluations/simulations");
    expect(await screen.findByText(/only editors, admins and owners can see them/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Start a simulation" })).not.toBeInTheDocument();
  });
});

describe("Evaluations: corrections", { timeout: 30_000 }, () => {
  it("lists editors' corrections with both answers, who made them and their trace, and deletes one", async () => {
    const user = userEvent.setup();
    const platform = platformWith({
      "GET /v1/annotations": () => jsonResponse({ annotations: [mealsCorrection], nextCursor: null }),
      "DELETE /v1/annotations/trc_meals": () => new Response(null, { status: 204 }),
      "GET /v1/traces/trc_meals": () => jsonResponse({ ...vacationTrace, id: "trc_meals" }),
    });
    renderApp("/evaluations/corrections");
    const table = await screen.findByRole("table", { name: "Corrections" });
    const row = within(table).getAllByRole("row")[1]!;
    expect(row).toHaveTextContent(
      /What is the daily meal allowance on business trips\?Acme HR assistantMeals are reimbursed at cost\.The daily meal allowance is 45 euros\.Note: Policy changed in March\.Its eval itemYesyou/,
    );
    expect(row).toHaveTextContent(/changed by acc_bob/);
    expect(within(row).getByRole("link", { name: "Its eval item" })).toHaveAttribute(
      "href",
      "/evaluations/datasets/ds_golden",
    );
    expect(
      within(row).getByRole("link", {
        name: "Conversation of “What is the daily meal allowance on business trips?”",
      }),
    ).toHaveAttribute("href", "/conversations/cnv_customer118");

    await user.click(
      within(row).getByRole("button", {
        name: "Trace of the answer to “What is the daily meal allowance on business trips?”",
      }),
    );
    expect(await screen.findByRole("dialog", { name: "Trace" })).toBeInTheDocument();
    await user.keyboard("{Escape}");

    await user.click(
      await within(row).findByRole("button", {
        name: "Delete the correction of “What is the daily meal allowance on business trips?”",
      }),
    );
    const dialog = await screen.findByRole("dialog", { name: "Delete this correction?" });
    expect(dialog).toHaveTextContent(
      "it is no longer served as the reply. Its eval item stays in its dataset.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    expect(await screen.findByText("Correction deleted.")).toBeInTheDocument();
    expect(screen.queryByRole("table", { name: "Corrections" })).not.toBeInTheDocument();
    expect(screen.getByText(/No corrections yet/)).toBeInTheDocument();
    expect(platform.sent("DELETE /v1/annotations/trc_meals")).toHaveLength(1);
  });
});
