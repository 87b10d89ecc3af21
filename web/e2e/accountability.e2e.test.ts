/**
 * The studio side of accountability, end to end against the real platform: an agent on the demo handbook
 * and a policy PDF, published twice (version 2 declines vacation questions). In the playground the serving
 * version abstains on a question neither answers; switched to version 1, the agent answers a vacation
 * question, and its citation opens the passage in context, then the handbook's text at that place in a new
 * tab; a citation of the PDF opens the original at its page.
 * Analytics then lists the abstained question as a knowledge gap, with the closest material found. Every
 * new screen is checked with axe and saved as screenshots (web/e2e/artifacts).
 *
 * Selectors are roles and labels only, as in the other flows.
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
  type ScreenCheck,
} from "./support/browser";
import { api, e2eIt, flowSteps, platform, runnable } from "./support/suite";

/** Not in the handbook: the agent abstains. */
const gapQuestion = "Can I bring my dog to the office?";
/** In the handbook (emulator-data/seed/handbook/employee-handbook.md), under Time off › Vacation. */
const vacationQuestion = "How many vacation days do full-time employees receive per year?";
const vacationAnswer = "Full-time employees receive 25 vacation days per calendar year.";

/** A policy PDF whose second page answers `pdfQuestion`. */
const pdfPages = [
  ["# Fleet policy", "Company cars are assigned by the facilities team to employees who travel weekly."],
  [
    "# Returning a company car",
    "Employees return a company car with a full tank of fuel and both keys at reception.",
  ],
];
const pdfQuestion = "What must be in the tank when a company car is returned?";

/**
 * A text PDF written by hand (the studio's tests do not depend on a PDF library): one page per entry, a line
 * starting with "# " set as a 16 pt heading, other lines in 11 pt Helvetica.
 */
function textPdf(pages: readonly (readonly string[])[]): Uint8Array<ArrayBuffer> {
  const escape = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);
  const objects: string[] = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${4 + 2 * i} 0 R`).join(" ")}] /Count ${pages.length} >>`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  pages.forEach((lines, i) => {
    let y = 780;
    const text = lines
      .map((line) => {
        const heading = line.startsWith("# ");
        const command = `BT /F1 ${heading ? 16 : 11} Tf 56 ${y} Td (${escape(heading ? line.slice(2) : line)}) Tj ET`;
        y -= heading ? 26 : 14;
        return command;
      })
      .join("\n");
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${5 + 2 * i} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
      `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    );
  });
  let pdf = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(pdf);
}

const step = flowSteps();
const checks = new Map<string, ScreenCheck>();

describe("Accountability in the studio: abstention, versions, citations in context, knowledge gaps", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[] = [];
  const runId = Date.now().toString(36);
  const agentName = `Gaps desk ${runId}`;
  let agentId = "";

  beforeAll(async () => {
    if (!runnable) return;
    browser = await launchChromium();
    context = await newContext(browser, await signedInState(browser, platform()));
    page = await context.newPage();
    pageErrors = collectPageErrors(page);

    // A knowledge base with a policy PDF, next to the demo handbook.
    const kb = await api<{ id: string }>("POST", "/v1/knowledge-bases", { name: `Fleet ${runId}` });
    const form = new FormData();
    form.append("file", new Blob([textPdf(pdfPages)], { type: "application/pdf" }), "fleet-policy.pdf");
    const uploaded = await fetch(
      `${platform().url}/v1/knowledge-bases/${encodeURIComponent(kb.id)}/documents`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${platform().apiKey}` },
        body: form,
      },
    );
    expect(uploaded.status, await uploaded.clone().text()).toBe(202);
    const { id: docId } = (await uploaded.json()) as { id: string };
    for (let tries = 0; ; tries++) {
      const doc = await api<{ status: string; error?: string }>(
        "GET",
        `/v1/knowledge-bases/${encodeURIComponent(kb.id)}/documents/${encodeURIComponent(docId)}`,
      );
      if (doc.status === "ready") break;
      if (doc.status === "failed" || tries > 100)
        throw new Error(`fleet-policy.pdf: ${doc.status} ${doc.error ?? ""}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Version 1 answers from both; version 2, served, declines vacation questions.
    const { id } = await api<{ id: string }>("POST", "/v1/agents", {
      name: agentName,
      instructions: "You answer Acme Corp employees' questions from the handbook, in one or two sentences.",
      knowledgeBaseIds: [platform().demo.knowledgeBaseId, kb.id],
      confidenceThreshold: 0.5,
    });
    agentId = id;
    await api("POST", `/v1/agents/${encodeURIComponent(agentId)}/publish`, { note: "Handbook answers" });
    await api("PATCH", `/v1/agents/${encodeURIComponent(agentId)}`, {
      guardrails: { blockedTopics: ["vacation"], redactPii: true },
    });
    await api("POST", `/v1/agents/${encodeURIComponent(agentId)}/publish`, {
      note: "Decline vacation questions",
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  const heading = (name: string | RegExp) => page.getByRole("heading", { level: 1, name });
  const log = () => page.getByRole("log", { name: "Conversation" });

  /** Asks the playground and waits for the checked answer (the Send button is back). */
  async function ask(text: string): Promise<void> {
    await page.getByRole("textbox", { name: "Message" }).fill(text);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await log().getByText(text, { exact: true }).waitFor();
    await page.getByRole("button", { name: "Send", exact: true }).waitFor();
    await page.getByRole("textbox", { name: "Message" }).and(page.locator(":enabled")).waitFor();
  }

  step("the playground talks to the serving version, which abstains on what the handbook lacks", async () => {
    await page.goto(`${platform().url}/agents/${encodeURIComponent(agentId)}/playground`);
    await heading(`Playground · ${agentName}`).waitFor();
    const version = page.getByRole("combobox", { name: "Version" });
    await expect(version.textContent()).resolves.toBe("Version 2 (serving)");

    await ask(gapQuestion);
    await log().getByText("Abstained", { exact: true }).waitFor();
    await log().getByText("Answered by version 2").waitFor();
    await expect(
      log()
        .getByRole("button", { name: /^\[\d+\] / })
        .count(),
    ).resolves.toBe(0);
  });

  step("offers every published version; version 1 answers what version 2 declines", async () => {
    await page.getByRole("combobox", { name: "Version" }).click();
    await expect(page.getByRole("option").allTextContents()).resolves.toEqual([
      "Draft (unpublished changes)",
      "Version 2 (serving)",
      "Version 1",
    ]);
    await page.getByRole("option", { name: "Version 1", exact: true }).click();
    // Another version is another conversation: the log starts empty.
    await expect(log().getByText(gapQuestion, { exact: true }).count()).resolves.toBe(0);

    await ask(vacationQuestion);
    await log().getByText(vacationAnswer).waitFor();
    await log().getByText("Answered by version 1").waitFor();
    checks.set("playground-version-1", await checkScreen(page, "40-playground-version-1"));
  });

  step("opens the citation in context: the passage, the quote marked, its headings and version", async () => {
    await log().getByRole("button", { name: "[1] employee-handbook.md" }).click();
    const dialog = page.getByRole("dialog", { name: "[1] employee-handbook.md" });
    const passage = dialog.getByRole("region", { name: "Passage", exact: true });
    await passage.waitFor();
    await expect(passage.textContent()).resolves.toContain("Part-time employees receive vacation days");
    await expect(passage.locator("mark").allTextContents()).resolves.toContain(vacationAnswer);
    await dialog.getByText(/^Acme Corp Employee Handbook › Time off › Vacation · version \d+$/).waitFor();
    // A Markdown document opens as its text; only PDFs offer their original.
    await expect(dialog.getByRole("button", { name: /Open the PDF/ }).count()).resolves.toBe(0);
    checks.set("citation-in-context", await checkScreen(page, "41-citation-in-context"));
  });

  step("opens the handbook's text at that place in a new tab, the passage marked and focused", async () => {
    const dialog = page.getByRole("dialog", { name: "[1] employee-handbook.md" });
    const opened = context.waitForEvent("page");
    await dialog.getByRole("link", { name: "Open the document here (opens in a new tab)" }).click();
    const tab = await opened;
    const tabErrors = collectPageErrors(tab);
    try {
      await tab.getByRole("heading", { level: 1, name: "employee-handbook.md" }).waitFor();
      const url = new URL(tab.url());
      expect(url.pathname).toMatch(/^\/knowledge\/[^/]+\/documents\/[^/]+$/);
      expect(url.searchParams.get("version")).toMatch(/^\d+$/);
      const text = tab.getByRole("article", { name: "Text of employee-handbook.md" });
      const marked = text.locator("mark");
      await expect(marked.textContent()).resolves.toContain(vacationAnswer);
      await expect(marked.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
      // The rest of the handbook is there around it.
      await expect(text.textContent()).resolves.toContain("## Sick leave");
      const check = await checkScreen(tab, "42-document-at-passage");
      checks.set("document-at-passage", check);
      expect(tabErrors).toEqual([]);
    } finally {
      await tab.close();
    }
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });
  });

  step("a PDF's citation opens the original at the passage's page, in the browser's viewer", async () => {
    // A new conversation (with the draft): after the vacation question, this one would read as a follow-up.
    await page.getByRole("combobox", { name: "Version" }).click();
    await page.getByRole("option", { name: "Draft (unpublished changes)" }).click();
    await ask(pdfQuestion);
    await log().getByText("Answered by the draft").waitFor();
    await log()
      .getByText(/full tank of fuel/)
      .first()
      .waitFor();
    await log()
      .getByRole("button", { name: /^\[\d+\] fleet-policy\.pdf$/ })
      .first()
      .click();
    const dialog = page.getByRole("dialog", { name: /fleet-policy\.pdf$/ });
    await dialog.getByRole("region", { name: "Passage", exact: true }).waitFor();
    await dialog.getByText(/^Page 2 · Returning a company car · version 1$/).waitFor();

    const opened = context.waitForEvent("page");
    await dialog.getByRole("button", { name: "Open the PDF at page 2" }).click();
    const tab = await opened;
    try {
      expect(tab.url()).toMatch(/^blob:http:\/\/[^/]+\/[0-9a-f-]+#page=2$/);
      // Chromium shows it in its PDF viewer (a frame of its own), the studio's CSP notwithstanding.
      await expect
        .poll(() => tab.frames().some((f) => f.url().startsWith("chrome-extension://")), { timeout: 15_000 })
        .toBe(true);
    } finally {
      await tab.close();
    }
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "hidden" });
  });

  step("Analytics lists the abstained question as a knowledge gap, with the closest material", async () => {
    await page.goto(`${platform().url}/analytics?range=7&agent=${encodeURIComponent(agentId)}`);
    await heading("Analytics").waitFor();
    const section = page.getByRole("region", { name: "Knowledge gaps" });
    const gaps = section.getByRole("table", { name: "Knowledge gaps" });
    const row = gaps.getByRole("row").filter({ has: page.getByRole("rowheader", { name: gapQuestion }) });
    await row.waitFor();
    await expect(row.getByRole("cell").first().textContent()).resolves.toBe("1");
    // The answered question is no gap.
    await expect(gaps.getByRole("rowheader", { name: vacationQuestion }).count()).resolves.toBe(0);
    const closest = row.getByRole("link", {
      name: /^employee-handbook\.md|^travel-and-expenses\.html|^it-security-faq\.txt/,
    });
    await closest.waitFor();
    checks.set("analytics-knowledge-gaps", await checkScreen(page, "43-analytics-knowledge-gaps"));

    // The closest material opens where it sits.
    await closest.click();
    await page.getByRole("article", { name: /^Text of / }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/knowledge\/[^/]+\/documents\/[^/]+$/);
  });

  step("no uncaught errors in the page along the way", async () => {
    expect(pageErrors).toEqual([]);
  });

  describe("accessibility (axe): no serious or critical violations", () => {
    for (const screen of [
      "playground-version-1",
      "citation-in-context",
      "document-at-passage",
      "analytics-knowledge-gaps",
    ]) {
      e2eIt(screen, async () => {
        const check = checks.get(screen);
        expect(check, `the flow did not reach the ${screen} screen`).toBeDefined();
        assertNoBlockingViolations(check!);
      });
    }
  });
});
