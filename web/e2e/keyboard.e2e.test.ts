/**
 * The main flows with the keyboard only (Tab, Shift+Tab, Enter, Space, arrows, Escape), checking where the
 * focus lands at each step: sign in, skip to the content, open an agent, change a field and a slider, save;
 * then ask in the playground and open a citation, and get the focus back when it closes.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import {
  collectPageErrors,
  focusedElement,
  isFocused,
  launchChromium,
  newContext,
  tabTo,
} from "./support/browser";
import { flowSteps, platform, runnable } from "./support/suite";

const step = flowSteps();

describe("Agent Studio with the keyboard only", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[] = [];
  const note = `Checked with the keyboard ${Date.now().toString(36)}.`;

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

  const heading = (name: string) => page.getByRole("heading", { level: 1, name });
  const expectFocused = async (locator: ReturnType<Page["getByRole"]>, what: string) =>
    expect(await isFocused(locator), `${what} should have the focus, not ${await focusedElement(page)}`).toBe(
      true,
    );

  step("signs in: the email field has the focus, Tab reaches the password, Enter submits", async () => {
    const { url, account } = platform();
    await page.goto(`${url}/sign-in`);
    await heading("Sign in").waitFor();
    await expectFocused(page.getByRole("textbox", { name: "Email" }), "the email field");
    await page.keyboard.type(account.email);
    await page.keyboard.press("Tab");
    await expectFocused(page.getByRole("textbox", { name: "Password" }), "the password field");
    await page.keyboard.type(account.password);
    await page.keyboard.press("Enter");
    await heading("Agents").waitFor();
    expect(new URL(page.url()).pathname).toBe("/agents");
  });

  step("after signing in, Tab continues in the page's content, not back in the header", async () => {
    await page.getByRole("table", { name: "Agents" }).waitFor();
    await page.keyboard.press("Tab");
    expect(
      await page.getByRole("main").evaluate((main) => main.contains(document.activeElement)),
      `the focus should be in the agents page, not ${await focusedElement(page)}`,
    ).toBe(true);
  });

  step(
    "on a fresh load the first Tab reaches the skip link, which moves the focus to the content",
    async () => {
      await page.reload();
      await page.getByRole("table", { name: "Agents" }).waitFor();
      await page.keyboard.press("Tab");
      const skip = page.getByRole("link", { name: "Skip to content" });
      await expectFocused(skip, "the skip link");
      expect(await skip.isVisible(), "the skip link shows when focused").toBe(true);
      await page.keyboard.press("Enter");
      await expectFocused(page.getByRole("main"), "the main content");
      // From the content, the next stop is its first control, past the navigation.
      await page.keyboard.press("Tab");
      await expectFocused(page.getByRole("link", { name: "Create agent" }), "the Create agent link");
    },
  );

  step("opens the demo agent from the table with Enter", async () => {
    const agent = page
      .getByRole("table", { name: "Agents" })
      .getByRole("link", { name: "Acme HR assistant" });
    await tabTo(page, agent, { limit: 10 });
    await page.keyboard.press("Enter");
    await heading("Acme HR assistant").waitFor();
    await page.getByText("All changes saved.").waitFor();
  });

  step("changes the description and the temperature (arrows), and saves with Space", async () => {
    const description = page.getByRole("textbox", { name: "Description" });
    await tabTo(page, description);
    await page.keyboard.press("Control+End");
    await page.keyboard.type(` ${note}`);
    expect(await description.inputValue()).toContain(note);

    const temperature = page.getByRole("slider", { name: "Temperature" });
    const before = Number(await temperature.getAttribute("aria-valuenow"));
    await tabTo(page, temperature);
    await page.keyboard.press("ArrowRight");
    const after = Number(await temperature.getAttribute("aria-valuenow"));
    expect(after).toBeCloseTo(before + 0.1, 5);
    await page.getByText("You have unsaved changes.").waitFor();

    const save = page.getByRole("button", { name: "Save draft" });
    await tabTo(page, save);
    await page.keyboard.press("Space");
    await page.getByRole("status").getByText("Draft saved.").waitFor();
    await page.getByText("All changes saved.").waitFor();
    await expectFocused(save, "the Save draft button, after saving");

    // Saved on the platform, not only in the form.
    await page.reload();
    await heading("Acme HR assistant").waitFor();
    expect(await page.getByRole("textbox", { name: "Description" }).inputValue()).toContain(note);
    expect(
      Number(await page.getByRole("slider", { name: "Temperature" }).getAttribute("aria-valuenow")),
    ).toBeCloseTo(after, 5);
  });

  step("asks in the playground, opens the citation with Enter, and Escape gives the focus back", async () => {
    const tryIt = page.getByRole("link", { name: "Try it" });
    // 16: the demo owner operates the platform here, so the bar has the Admin link too.
    await tabTo(page, tryIt, { limit: 16 });
    await page.keyboard.press("Enter");
    await heading("Playground · Acme HR assistant").waitFor();

    const message = page.getByRole("textbox", { name: "Message" });
    await tabTo(page, message, { limit: 15 });
    await page.keyboard.type("How many vacation days do full-time employees receive per year?");
    await page.keyboard.press("Enter");
    const log = page.getByRole("log", { name: "Conversation" });
    await log.getByText("Full-time employees receive 25 vacation days per calendar year.").waitFor();

    const citation = log.getByRole("button", { name: "[1] employee-handbook.md" });
    await tabTo(page, citation, { limit: 15, backwards: true });
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "[1] employee-handbook.md" });
    await dialog.waitFor();
    expect(
      await dialog.evaluate((el) => el.contains(document.activeElement)),
      `the focus moves into the dialog, not ${await focusedElement(page)}`,
    ).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await expectFocused(citation, "the citation that opened the dialog");
  });

  step("no uncaught errors in the page along the way", async () => {
    expect(pageErrors).toEqual([]);
  });
});
