/**
 * The Agent Studio end to end, as a person uses it, against the real platform: sign in with the demo
 * account, create a knowledge base and upload two files to it, watch them become ready, build an agent on it
 * and the demo knowledge base, ask it in the playground and open a citation, publish v1, change the draft and
 * publish v2, roll back to v1 and see v1 served. Every main screen on the way is checked with axe and saved
 * as screenshots (web/e2e/artifacts) at 1280×800 and 390×844.
 *
 * Selectors are roles and labels only: finding a control by its label is also the proof that it has one.
 */
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import {
  assertNoBlockingViolations,
  checkScreen,
  collectPageErrors,
  launchChromium,
  newContext,
  signInWithForm,
  type ScreenCheck,
} from "./support/browser";
import { e2eIt, flowSteps, platform, runnable } from "./support/suite";

/** Answered by the demo handbook (emulator-data/seed/handbook/employee-handbook.md) with high confidence. */
const question = "How many vacation days do full-time employees receive per year?";
const answerText = "Full-time employees receive 25 vacation days per calendar year.";
/** Version 2 declines the question's topic before any search: the served version shows in the answer. */
const blockedTopic = "vacation";

/** The two files uploaded to the new knowledge base, and a question only one of them answers. */
const uploads = [
  {
    name: "cycling-to-work.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(
      "# Cycling to work\n\nEmployees who cycle to work receive a monthly bicycle allowance of 30 euros, paid with the salary.\n\n" +
        "Secure bicycle storage is in the basement of every Acme office; ask reception for a badge.\n",
    ),
  },
  {
    name: "parking-faq.txt",
    mimeType: "text/plain",
    buffer: Buffer.from(
      "Parking FAQ\n\nWhere can visitors park?\nVisitors park on level -1 of the office garage. Reception hands out day tickets.\n\n" +
        "Do employees pay for parking?\nEmployee parking costs 40 euros per month and is booked in the facilities portal.\n",
    ),
  },
];
const uploadQuestion = "How much bicycle allowance do employees who cycle to work receive each month?";
const uploadAnswer = "Employees who cycle to work receive a monthly bicycle allowance of 30 euros";

const step = flowSteps();
const checks = new Map<string, ScreenCheck>();

describe("Agent Studio: from sign-in to rollback", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[] = [];
  const runId = Date.now().toString(36);
  const agentName = `Travel desk ${runId}`;
  const kbName = `Commuting ${runId}`;
  let agentPath = "";

  beforeAll(async () => {
    if (!runnable) return;
    browser = await launchChromium();
    context = await newContext(browser);
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
  const path = () => new URL(page.url()).pathname;
  const status = () => page.getByRole("status");

  /** Asks the playground, waits for the checked answer, and answers the streamed response. */
  async function ask(text: string): Promise<Response> {
    await page.getByRole("textbox", { name: "Message" }).fill(text);
    const streamed = page.waitForResponse(
      (r) => r.request().method() === "POST" && /\/v1\/conversations\/[^/]+\/messages$/.test(r.url()),
    );
    await page.getByRole("button", { name: "Send", exact: true }).click();
    const response = await streamed;
    // The question shows at once; the answer replaces "Thinking…/Writing…" when the stream ends.
    await page.getByRole("log", { name: "Conversation" }).getByText(text, { exact: true }).waitFor();
    await page.getByRole("button", { name: "Send", exact: true }).waitFor();
    await page.getByRole("textbox", { name: "Message" }).and(page.locator(":enabled")).waitFor();
    return response;
  }

  step("signs in with the demo account and lands on the agents list", async () => {
    const { url } = platform();
    await page.goto(`${url}/agents`);
    // Not signed in: the studio sends to the sign-in page, and comes back to the agents after.
    await heading("Sign in").waitFor();
    expect(path()).toBe("/sign-in");
    checks.set("sign-in", await checkScreen(page, "01-sign-in"));

    await signInWithForm(page, platform());
    expect(path()).toBe("/agents");
    await page
      .getByRole("table", { name: "Agents" })
      .getByRole("link", { name: "Acme HR assistant" })
      .waitFor();
    checks.set("agents", await checkScreen(page, "02-agents"));
  });

  step("creates a knowledge base on the Knowledge page", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Knowledge" }).click();
    await heading("Knowledge").waitFor();
    await page
      .getByRole("table", { name: "Knowledge bases" })
      .getByRole("link", { name: /Acme Corp/ })
      .waitFor();
    await page.getByRole("button", { name: "Create knowledge base" }).click();
    const dialog = page.getByRole("dialog", { name: "Create a knowledge base" });
    await dialog.getByRole("textbox", { name: "Name", exact: true }).fill(kbName);
    await dialog
      .getByRole("textbox", { name: "Description (optional)" })
      .fill("Getting to the office: cycling and parking.");
    checks.set("knowledge-create", await checkScreen(page, "03-knowledge-create-dialog"));
    await dialog.getByRole("button", { name: "Create", exact: true }).click();
    await heading(kbName).waitFor();
    expect(path()).toMatch(/^\/knowledge\/[^/]+$/);
    await page.getByText("No documents yet").waitFor();
  });

  step("uploads two files with Choose files and watches both become ready", async () => {
    const chooser = page.waitForEvent("filechooser");
    await page.getByRole("button", { name: "Choose files" }).click();
    await (await chooser).setFiles(uploads);

    const sent = page.getByRole("list", { name: "Uploads" });
    const documents = page.getByRole("table", { name: "Documents" });
    for (const file of uploads) {
      await sent.getByRole("listitem", { name: file.name }).waitFor();
      const row = documents.getByRole("row").filter({ hasText: file.name });
      // Live: the row moves through its ingestion steps to Ready without a reload.
      await row.getByText("Ready", { exact: true }).waitFor();
      await row.getByText(/^Searchable: \d+ passages?$/).waitFor();
    }
    await page.getByRole("status").getByText("2 files finished.").waitFor();
    checks.set("knowledge-base", await checkScreen(page, "04-knowledge-base-ready"));
  });

  step("creates an agent in the builder: name, instructions, both knowledge bases; saves", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Agents" }).click();
    await heading("Agents").waitFor();
    await page.getByRole("link", { name: "Create agent" }).click();
    await heading("New agent").waitFor();
    expect(path()).toBe("/agents/new");
    checks.set("builder-new", await checkScreen(page, "05-builder-new"));

    await page.getByRole("textbox", { name: "Name", exact: true }).fill(agentName);
    await page.getByRole("textbox", { name: "Description" }).fill("Answers travel and time-off questions.");
    const instructions = page.getByRole("textbox", { name: "Instructions", exact: true });
    await instructions.fill(
      "You answer Acme Corp employees' questions about travel and time off from the handbook, in one or two sentences. " +
        "If the handbook does not say, answer that you do not know.",
    );
    const knowledgeBases = page.getByRole("combobox", { name: "Knowledge bases" });
    for (const kb of ["Acme Corp employee handbook", kbName]) {
      await knowledgeBases.click();
      await page.getByRole("option", { name: new RegExp(`^${kb}`) }).click();
      await page.keyboard.press("Escape");
      await expect(
        page.getByRole("button", { name: kb }).count(),
        `the chosen knowledge base ${kb} shows as a chip`,
      ).resolves.toBe(1);
    }

    await page.getByRole("button", { name: "Save draft" }).click();
    await heading(agentName).waitFor();
    expect(path()).toMatch(/^\/agents\/[^/]+$/);
    agentPath = path();
    await page.getByText("All changes saved.").waitFor();
    await expect(
      page.getByRole("textbox", { name: "Instructions", exact: true }).inputValue(),
    ).resolves.toContain("travel and time off");
    await page.getByText("Not published yet. Publish the draft to create version 1.").waitFor();
    checks.set("builder", await checkScreen(page, "06-builder-saved"));
  });

  step("asks the draft in the playground, sees the streamed answer with its citation, opens it", async () => {
    await page.getByRole("link", { name: "Try it" }).click();
    await heading(`Playground · ${agentName}`).waitFor();
    expect(path()).toBe(`${agentPath}/playground`);
    await expect(page.getByRole("combobox", { name: "Version" }).textContent()).resolves.toBe(
      "Draft (unpublished changes)",
    );

    const response = await ask(question);
    expect(response.headers()["content-type"]).toContain("text/event-stream");
    const log = page.getByRole("log", { name: "Conversation" });
    await log.getByText(answerText).waitFor();
    const citation = log.getByRole("button", { name: "[1] employee-handbook.md" });
    await citation.waitFor();
    await log.getByText(/^Confidence \d+%$/).waitFor();
    checks.set("playground", await checkScreen(page, "07-playground-answer"));

    await citation.click();
    const dialog = page.getByRole("dialog", { name: "[1] employee-handbook.md" });
    await dialog.waitFor();
    // Each sentence citing the passage shows its own quote.
    expect((await dialog.locator("blockquote").allTextContents()).join(" ")).toContain(answerText);
    await dialog.getByText("Location: Acme Corp Employee Handbook › Time off › Vacation").waitFor();
    checks.set("citation", await checkScreen(page, "08-playground-citation"));
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });

    // And from the files uploaded a moment ago.
    await ask(uploadQuestion);
    await log.getByText(uploadAnswer).waitFor();
    await log.getByRole("button", { name: "[1] cycling-to-work.md" }).click();
    const uploaded = page.getByRole("dialog", { name: "[1] cycling-to-work.md" });
    expect((await uploaded.locator("blockquote").allTextContents()).join(" ")).toContain(uploadAnswer);
    await uploaded.getByRole("button", { name: "Close" }).click();
    await uploaded.waitFor({ state: "hidden" });
  });

  step("publishes version 1 with a note", async () => {
    await page.getByRole("link", { name: "← Agent" }).click();
    await heading(agentName).waitFor();
    await page.getByRole("button", { name: "Publish…" }).click();
    const dialog = page.getByRole("dialog", { name: "Publish version 1" });
    await dialog.waitFor();
    await dialog
      .getByRole("textbox", { name: "Release note (optional)" })
      .fill("First release: handbook answers");
    checks.set("publish-dialog", await checkScreen(page, "09-publish-dialog"));
    await dialog.getByRole("button", { name: "Publish", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
    await status().getByText("Published version 1.").waitFor();

    const versions = page.getByRole("list", { name: "Published versions" });
    const v1 = versions.getByRole("listitem", { name: "Version 1" });
    await v1.getByText("First release: handbook answers").waitFor();
    await v1.getByText("Serving").waitFor();
  });

  step("changes the draft (blocks a topic) and publishes version 2", async () => {
    const topics = page.getByRole("combobox", { name: "Blocked topics" });
    await topics.fill(blockedTopic);
    await topics.press("Enter");
    await page.getByRole("button", { name: blockedTopic }).waitFor();
    await page.getByText("You have unsaved changes.").waitFor();

    await page.getByRole("button", { name: "Publish…" }).click();
    const dialog = page.getByRole("dialog", { name: "Publish version 2" });
    await dialog.getByRole("textbox", { name: "Release note (optional)" }).fill("Decline vacation questions");
    // Unsaved edits are saved first, and the button says so.
    await dialog.getByRole("button", { name: "Save and publish" }).click();
    await dialog.waitFor({ state: "hidden" });
    await status().getByText("Published version 2.").waitFor();
    await page.getByText("All changes saved.").waitFor();

    const versions = page.getByRole("list", { name: "Published versions" });
    await versions.getByRole("listitem", { name: "Version 2" }).getByText("Serving").waitFor();
    await expect(
      versions.getByRole("listitem", { name: "Version 1" }).getByText("Serving").count(),
    ).resolves.toBe(0);
    checks.set("builder-versions", await checkScreen(page, "10-builder-two-versions"));
  });

  step("version 2 is served: the playground's published version declines the blocked topic", async () => {
    await page.getByRole("link", { name: "Try it" }).click();
    await heading(`Playground · ${agentName}`).waitFor();
    // "Try it" from the builder opens the draft; the served version is picked from the list.
    await expect(page.getByRole("combobox", { name: "Version" }).textContent()).resolves.toBe(
      "Draft (unpublished changes)",
    );
    await page.getByRole("combobox", { name: "Version" }).click();
    await page.getByRole("option", { name: "Version 2 (serving)" }).click();
    await ask(question);
    const log = page.getByRole("log", { name: "Conversation" });
    await log.getByText(`I'm sorry, I can't help with questions about ${blockedTopic}.`).waitFor();
    await expect(
      log.getByText(answerText).count(),
      "version 2 must not answer the blocked topic",
    ).resolves.toBe(0);
    await expect(log.getByRole("button", { name: /employee-handbook\.md/ }).count()).resolves.toBe(0);
  });

  step("rolls back to version 1, and version 1 is served again", async () => {
    await page.getByRole("link", { name: "← Agent" }).click();
    await heading(agentName).waitFor();
    const versions = page.getByRole("list", { name: "Published versions" });
    await versions
      .getByRole("listitem", { name: "Version 1" })
      .getByRole("button", { name: "Roll back to this version" })
      .click();
    const dialog = page.getByRole("dialog", { name: "Roll back to version 1?" });
    checks.set("rollback-dialog", await checkScreen(page, "11-rollback-dialog"));
    await dialog.getByRole("button", { name: "Roll back to version 1" }).click();
    await dialog.waitFor({ state: "hidden" });
    await status().getByText("Conversations now get version 1.").waitFor();
    await versions.getByRole("listitem", { name: "Version 1" }).getByText("Serving").waitFor();
    await page.getByText("Serving: v1 of 2 (newer in other environments or rolled back)").waitFor();

    // The playground offers every version, the served one marked, and it answers as version 1 did.
    await page.getByRole("link", { name: "Try it" }).click();
    await heading(`Playground · ${agentName}`).waitFor();
    await page.getByRole("combobox", { name: "Version" }).click();
    await expect(page.getByRole("option").allTextContents()).resolves.toEqual([
      "Draft (unpublished changes)",
      "Version 2",
      "Version 1 (serving)",
    ]);
    await page.getByRole("option", { name: "Version 1 (serving)" }).click();
    await ask(question);
    const log = page.getByRole("log", { name: "Conversation" });
    await log.getByText(answerText).waitFor();
    await log.getByRole("button", { name: "[1] employee-handbook.md" }).waitFor();

    // And so do the channels: a conversation over the API gets version 1 too.
    const { url, apiKey } = platform();
    const agentId = decodeURIComponent(agentPath.split("/")[2]!);
    const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
    const started = await fetch(`${url}/v1/agents/${encodeURIComponent(agentId)}/conversations`, {
      method: "POST",
      headers,
      body: "{}",
    });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    const answered = await fetch(`${url}/v1/conversations/${encodeURIComponent(id)}/messages`, {
      method: "POST",
      headers,
      body: JSON.stringify({ content: question }),
    });
    expect(answered.status).toBe(200);
    const { message } = (await answered.json()) as { message: { agentVersion: number; content: string } };
    expect(message.agentVersion).toBe(1);
    expect(message.content).toContain(answerText);
  });

  step("no uncaught errors in the page along the way", async () => {
    expect(pageErrors).toEqual([]);
  });

  describe("accessibility (axe): no serious or critical violations", () => {
    for (const screen of [
      "sign-in",
      "agents",
      "knowledge-create",
      "knowledge-base",
      "builder-new",
      "builder",
      "playground",
      "citation",
      "publish-dialog",
      "builder-versions",
      "rollback-dialog",
    ]) {
      e2eIt(screen, async () => {
        const check = checks.get(screen);
        expect(check, `the flow did not reach the ${screen} screen`).toBeDefined();
        assertNoBlockingViolations(check!);
      });
    }
  });
});
