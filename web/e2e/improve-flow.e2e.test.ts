/**
 * Changing an agent with evidence, through the studio, against the real platform: a prompt template edited
 * (an undeclared placeholder flagged before saving, then declared), a label moved and a preview rendered; an
 * experiment created, started and stopped; an answer rated, corrected and made an eval item from its
 * transcript; a dataset uploaded to (a refused file listing its lines), run against the draft to completion
 * and its results opened; training data exported, and fine-tuning saying it needs a provider (locally there
 * is none). The dialogs on the way are checked with axe and saved as screenshots.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import {
  assertNoBlockingViolations,
  checkScreen,
  collectPageErrors,
  launchChromium,
  newContext,
  signedInState,
} from "./support/browser";
import { api, e2eIt, flowSteps, platform, runnable } from "./support/suite";

/**
 * Asked only here: the flow serves a correction as the reply to it, which would change another file's answer
 * to its own question (the files share one platform). The correction is deleted at the end.
 */
const question = "How many weeks of paid parental leave do employees receive?";
const step = flowSteps();

describe("Studio: prompts, experiments, feedback and evaluations", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[] = [];
  let conversationId = "";
  let traceId: string | null = null;
  let agentId = "";
  const runId = Date.now().toString(36);
  const templateName = `Greeting ${runId}`;
  const datasetName = `Corrections ${runId}`;

  beforeAll(async () => {
    if (!runnable) return;
    agentId = platform().demo.agentId;
    // Another file's experiment may still run on the demo agent: at most one runs per agent.
    const { experiments } = await api<{ experiments: { id: string; status: string }[] }>(
      "GET",
      `/v1/experiments?agentId=${agentId}&status=running`,
    );
    for (const e of experiments) await api("POST", `/v1/experiments/${e.id}/stop`);
    const { id } = await api<{ id: string }>("POST", `/v1/agents/${agentId}/conversations`, {});
    const { message } = await api<{ message: { traceId: string | null } }>(
      "POST",
      `/v1/conversations/${id}/messages`,
      { content: question },
    );
    conversationId = id;
    traceId = message.traceId;
    browser = await launchChromium();
    context = await newContext(browser, await signedInState(browser, platform()));
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    // The correction is keyed by the answer's trace; deleting it stops it being served (none: a 404).
    if (!runnable || !traceId) return;
    const { url, apiKey } = platform();
    const response = await fetch(`${url}/v1/annotations/${traceId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${apiKey}` },
    });
    if (!response.ok && response.status !== 404) {
      throw new Error(`DELETE /v1/annotations/${traceId}: ${response.status} ${await response.text()}`);
    }
  });

  const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
  const go = (path: string) => page.goto(`${platform().url}${path}`);

  step(
    "creates a prompt template, flags an undeclared placeholder, declares it and saves version 2",
    async () => {
      await go("/prompts");
      await heading("Prompts").waitFor();
      await page.getByRole("button", { name: "Create template" }).click();
      const create = page.getByRole("dialog", { name: "Create a prompt template" });
      await create.getByRole("textbox", { name: "Name" }).fill(templateName);
      await create.getByRole("textbox", { name: "Text" }).fill("Hello {{name}}, welcome to Acme.");
      await create.getByRole("button", { name: "Create", exact: true }).click();
      await heading(templateName).waitFor();

      const text = page.getByRole("textbox", { name: "Text" });
      await text.fill("Hello {{name}}, welcome to the {{team}} team at Acme.");
      const hints = page.getByRole("group", { name: "Placeholders" });
      await hints.getByText("{{team}} not declared").waitFor();
      await page.getByRole("button", { name: "Save as version 2" }).click();
      await page
        .getByText(/The text uses \{\{team\}\}, which is not declared/)
        .first()
        .waitFor();
      assertNoBlockingViolations(await checkScreen(page, "80-prompt-undeclared-placeholder"));

      await hints.getByRole("button", { name: "Declare {{team}}" }).click();
      await page.getByRole("button", { name: "Save as version 2" }).click();
      await page.getByText("Saved as version 2.").waitFor();
    },
  );

  step("moves production to version 2 after confirming, and renders a preview with values", async () => {
    await page.getByRole("button", { name: "Make production: version 2" }).click();
    const dialog = page.getByRole("dialog", { name: "Move “production” to version 2?" });
    await dialog.waitFor();
    assertNoBlockingViolations(await checkScreen(page, "81-prompt-move-label"));
    await dialog.getByRole("button", { name: "Move label" }).click();
    await page.getByText("“production” now points at version 2.").waitFor();

    const preview = page.getByRole("region", { name: "Preview" });
    await preview.getByRole("textbox", { name: "name" }).fill("Dana");
    await preview.getByRole("textbox", { name: "team" }).fill("travel");
    await preview.getByRole("button", { name: "Render preview" }).click();
    await expect
      .poll(() => preview.getByRole("status", { name: "Rendered text" }).textContent())
      .toBe("Hello Dana, welcome to the travel team at Acme.");
  });

  step("creates an experiment on the demo agent, starts it and stops it", async () => {
    await go(`/experiments/new?agent=${agentId}`);
    await heading("New experiment").waitFor();
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(`Cooler answers ${runId}`);
    const second = page.getByRole("group", { name: "Variant 2" });
    await second.getByRole("textbox", { name: "Temperature" }).fill("0");
    await page.getByRole("button", { name: "Create experiment" }).click();
    await heading(`Cooler answers ${runId}`).waitFor();
    await page.getByText(/This experiment has not started/).waitFor();

    await page.getByRole("button", { name: "Start", exact: true }).click();
    await page
      .getByRole("dialog", { name: "Start the experiment?" })
      .getByRole("button", { name: "Start" })
      .click();
    await page.getByText("The experiment is running.").waitFor();
    await page.getByRole("table", { name: "Per-variant figures" }).waitFor();
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page
      .getByRole("dialog", { name: "Stop the experiment?" })
      .getByRole("button", { name: "Stop" })
      .click();
    await page.getByText("The experiment is stopped.").waitFor();
  });

  step("rates an answer in its transcript, and the rating is stored on the message", async () => {
    await go(`/conversations/${conversationId}`);
    const answer = page.getByRole("listitem", { name: "Agent" }).first();
    await answer.getByRole("button", { name: "Helpful", exact: true }).click();
    await answer.getByText("Rated helpful.").waitFor();
    const { messages } = await api<{ messages: { role: string; feedback?: { rating: string } }[] }>(
      "GET",
      `/v1/conversations/${conversationId}/messages`,
    );
    expect(messages.find((m) => m.role === "assistant")?.feedback?.rating).toBe("up");
  });

  step("corrects the answer, served as the reply, and adds it to a new dataset", async () => {
    const answer = page.getByRole("listitem", { name: "Agent" }).first();
    await answer.getByRole("button", { name: "Correct this answer" }).click();
    const dialog = page.getByRole("dialog", { name: "Correct this answer" });
    await dialog
      .getByRole("textbox", { name: "Corrected answer" })
      .fill("Employees with six months of service receive 16 weeks of fully paid parental leave.");
    await dialog
      .getByRole("checkbox", {
        name: "Serve this correction as the reply when the same question is asked again",
      })
      .check();
    assertNoBlockingViolations(await checkScreen(page, "82-correct-answer"));
    await dialog.getByRole("button", { name: "Save the correction" }).click();
    await page.getByText(/Correction saved: it is served for near-identical questions/).waitFor();

    await answer.getByRole("button", { name: "Add to dataset" }).click();
    const add = page.getByRole("dialog", { name: "Add to an eval dataset" });
    await add.getByRole("combobox", { name: "Dataset" }).click();
    await page.getByRole("option", { name: "A new dataset…" }).click();
    await add.getByRole("textbox", { name: "New dataset's name" }).fill(datasetName);
    await add.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByText(`Added to “${datasetName}”.`).waitFor();
  });

  step("uploads a file with a bad line (refused, each line named), then a good one", async () => {
    await go("/evaluations");
    await page.getByRole("table", { name: "Datasets" }).getByRole("link", { name: datasetName }).click();
    await heading(datasetName).waitFor();
    await page.getByRole("table", { name: "Items" }).waitFor();

    await page.getByRole("button", { name: "Upload CSV or JSONL" }).click();
    const dialog = page.getByRole("dialog", { name: "Upload items" });
    await dialog.getByLabel("File to upload").setInputFiles({
      name: "golden.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        'question,expected_facts,should_abstain\n"What is the daily meal allowance on business trips?",45 euros,false\n,,maybe\n',
      ),
    });
    await dialog.getByRole("button", { name: "Upload", exact: true }).click();
    const problems = dialog.getByRole("table", { name: "Problems by line" });
    await problems.waitFor();
    expect(await problems.getByRole("rowheader").allTextContents()).toContain("3");
    assertNoBlockingViolations(await checkScreen(page, "83-upload-refused"));

    await dialog.getByLabel("File to upload").setInputFiles({
      name: "golden.jsonl",
      mimeType: "application/jsonl",
      buffer: Buffer.from(
        JSON.stringify({
          question: "What is the daily meal allowance on business trips?",
          expectedFacts: ["45"],
        }) + "\n",
      ),
    });
    await dialog.getByRole("button", { name: "Upload", exact: true }).click();
    await dialog.getByText(/Added 1 item; the dataset now holds 2\./).waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();
    await page.getByText("Items (2)").waitFor();
  });

  step("runs the dataset against the draft to completion and opens an item's conversation", async () => {
    await page.getByRole("button", { name: "Start a run" }).click();
    const dialog = page.getByRole("dialog", { name: `Run “${datasetName}”` });
    await dialog.getByRole("combobox", { name: "Agent" }).click();
    await page.getByRole("option", { name: "Acme HR assistant" }).click();
    await dialog.getByRole("combobox", { name: "Version" }).click();
    await page.getByRole("option", { name: "The draft" }).click();
    await dialog.getByRole("button", { name: "Start run" }).click();
    await heading(`${datasetName} against the draft`).waitFor();
    await page.getByRole("table", { name: "Scores" }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole("table", { name: "Scores" }).getByRole("row").first().textContent()).toMatch(
      /^Accuracy/,
    );
    const results = page.getByRole("table", { name: "Results by item" });
    await results.getByRole("button", { name: "Show item 1" }).click();
    const open = results.getByRole("link", { name: "Open the conversation" });
    expect(await open.getAttribute("href")).toMatch(/^\/conversations\/[^/]+$/);
  });

  step("exports training data, and fine-tuning says it needs a provider", async () => {
    await go("/evaluations/tuning");
    await page.getByRole("button", { name: "Export", exact: true }).click();
    await page.getByText(/^Exported \d+ examples?\.$/).waitFor();
    await page.getByRole("combobox", { name: "Export", exact: true }).click();
    await page.getByRole("option").first().click();
    await page.getByRole("button", { name: "Start fine-tuning" }).click();
    await page.getByText("Fine-tuning needs a model provider").waitFor();
    await page
      .getByText(/OpenAI-compatible provider/)
      .first()
      .waitFor();
    assertNoBlockingViolations(await checkScreen(page, "84-fine-tuning-needs-provider"));
  });

  step("sets a publish gate on an agent, and a worse draft is refused with the gate's verdict", async () => {
    // An agent of its own (the demo agent is shared with other files), published, and a golden dataset of one
    // question its knowledge answers.
    const gateRun = `${runId}g`;
    const { id: gated } = await api<{ id: string }>("POST", "/v1/agents", {
      name: `Gated ${gateRun}`,
      knowledgeBaseIds: [platform().demo.knowledgeBaseId],
    });
    await api("POST", `/v1/agents/${gated}/publish`, {});
    const { id: golden } = await api<{ id: string }>("POST", "/v1/eval/datasets", {
      name: `Golden ${gateRun}`,
    });
    await api("POST", `/v1/eval/datasets/${golden}/items`, {
      question: "What is the daily meal allowance on business trips?",
      expectedFacts: ["45"],
    });

    await go(`/agents/${gated}`);
    await heading(`Gated ${gateRun}`).waitFor();
    const panel = page.getByRole("region", { name: "Publish gate" });
    await panel.getByRole("button", { name: "Set a gate…" }).click();
    const set = page.getByRole("dialog", { name: "Set a publish gate" });
    await set.getByRole("combobox", { name: "Golden dataset" }).click();
    await page.getByRole("option", { name: `Golden ${gateRun} (1 item)` }).click();
    await set.getByRole("spinbutton", { name: "Largest drop allowed (percentage points)" }).fill("0");
    assertNoBlockingViolations(await checkScreen(page, "85-publish-gate"));
    await set.getByRole("button", { name: "Save gate" }).click();
    await page.getByText("Publish gate saved.").waitFor();

    // The draft now refuses the topic the golden question is about.
    await api("PATCH", `/v1/agents/${gated}`, { guardrails: { blockedTopics: ["meal"], redactPii: true } });
    await page.reload();
    await heading(`Gated ${gateRun}`).waitFor();
    await page.getByRole("button", { name: "Publish…" }).click();
    const publish = page.getByRole("dialog", { name: "Publish version 2" });
    await publish.getByText(/The publish gate runs first/).waitFor();
    await publish.getByRole("button", { name: "Publish" }).click();
    const verdict = publish.getByRole("alert");
    await verdict
      .getByText("The publish gate refused the draft: nothing was published")
      .waitFor({ timeout: 60_000 });
    expect(await verdict.getByRole("list", { name: "Items that got worse" }).textContent()).toContain(
      "What is the daily meal allowance on business trips?",
    );
    assertNoBlockingViolations(await checkScreen(page, "86-publish-gate-refused"));
    const agent = await api<{ publishedVersion: number }>("GET", `/v1/agents/${gated}`);
    expect(agent.publishedVersion).toBe(1);
  });

  e2eIt("raised no uncaught error in the page", async () => {
    expect(pageErrors).toEqual([]);
  });
});
