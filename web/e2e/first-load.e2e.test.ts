/**
 * The studio's first load in local mode, as a new visitor gets it: a fresh browser (no session, no cache)
 * opens the studio, is sent to the sign-in page, signs in and lands on the agents list. The browser's
 * console stays clean the whole way: no error logged, no uncaught error, no request without an answer and
 * no answer with an error status. That includes how the studio learns its mode (data/firebase/mode.ts):
 * the local runtime answers Firebase Hosting's /__/firebase/init.json itself, where a 404 used to log
 * "Failed to load resource" on every load.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { collectLoadProblems, launchChromium, newContext, signInWithForm } from "./support/browser";
import { e2eIt, platform, runnable } from "./support/suite";

/** Until the page has made no request for half a second: whatever the screen fetches has been answered. */
async function quiet(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle", { timeout: 15_000 });
}

describe("Agent Studio's first load in local mode", () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!runnable) return;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  e2eIt("the sign-in page, then the agents list: no console error and no failed request", async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const problems = collectLoadProblems(page);
      const modeAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === "/__/firebase/init.json");
      const heading = (name: string) => page.getByRole("heading", { level: 1, name });

      await page.goto(`${platform().url}/agents`);
      await heading("Sign in").waitFor();
      await quiet(page);
      expect(problems, "loading the sign-in page").toEqual([]);

      await signInWithForm(page, platform());
      expect(new URL(page.url()).pathname).toBe("/agents");
      await page
        .getByRole("table", { name: "Agents" })
        .getByRole("link", { name: "Acme HR assistant" })
        .waitFor();
      await quiet(page);
      expect(problems, "signing in and loading the agents list").toEqual([]);

      // The studio asked the platform for its mode, and the local runtime said so.
      const mode = await modeAnswer;
      expect(mode.status()).toBe(200);
      expect(await mode.json()).toEqual({ alchemist: { mode: "local" } });
    } finally {
      await context.close();
    }
  });
});
