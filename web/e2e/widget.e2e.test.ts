/**
 * The web chat widget on a customer's site, end to end: an admin creates a widget for the published demo
 * agent through the API, allowing one origin; a page on that origin (a different origin from the platform,
 * with CSS written to break anything it can reach) embeds it with the one-line snippet. In Chromium a visitor
 * opens it, asks, watches the words stream in and then the checked answer with its sources, opens a source's
 * quote, reloads and finds the conversation again, and starts a new one. The same page at 320 px gets a
 * panel that fits the screen; a page on an origin the widget does not allow gets a 403 from the API and a
 * plain refusal in the panel (and one console warning for its owner).
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import {
  artifactsDir,
  blocking,
  collectPageErrors,
  describeViolations,
  launchChromium,
  newContext,
  runAxe,
  settle,
} from "./support/browser";
import { api, flowSteps, platform, runnable } from "./support/suite";

/** Answered by the demo handbook (emulator-data/seed/handbook/employee-handbook.md), citing it as [1]. */
const question = "How many vacation days do full-time employees receive per year?";
const answerText = "Full-time employees receive 25 vacation days per calendar year.";
const theme = {
  title: "Acme HR assistant",
  color: "#0b6e4f",
  greeting: "Hi! Ask me about Acme's policies.",
  suggestedQuestions: [question],
  position: "bottom-right",
};
const themeRgb = "rgb(11, 110, 79)";

interface HostSite {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A customer's page with the snippet, on its own origin. Its CSS resets and reddens everything and hides
 * every div, button and text box it can reach: none of it may reach into the widget.
 */
async function serveHostSite(snippet: () => string): Promise<HostSite> {
  const page = () => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Corp intranet</title>
<style>
  * { all: unset; color: red !important; font-family: "Comic Sans MS", cursive !important; }
  head, style, script { display: none !important; }
  body { display: block; margin: 24px; font-size: 40px !important; line-height: 3 !important; }
  div, button, textarea, input, p { display: none !important; visibility: hidden !important; }
</style>
<script>window.__globalsBefore = Object.getOwnPropertyNames(window);</script>
</head>
<body>
<h1>Acme Corp intranet</h1>
<p>Questions about your benefits? Ask the HR assistant.</p>
${snippet()}
</body>
</html>`;
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && (req.url === "/" || req.url?.startsWith("/?"))) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
      res.end(page());
    } else {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Whether the element has the focus inside the widget's shadow root (document.activeElement is the host). */
const hasFocus = (locator: Locator) =>
  locator.evaluate((el) => (el.getRootNode() as ShadowRoot | Document).activeElement === el);

const widgetPath = (key: string, route: string) => `/widget/v1/${key}/${route}`;

const step = flowSteps();

describe("the web chat widget on a customer's site", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let allowed: HostSite;
  let refused: HostSite;
  let key = "";
  const pageErrors: string[][] = [];
  const visitorHeaders: string[] = [];

  beforeAll(async () => {
    if (!runnable) return;
    const snippet = () => `<script src="${platform().url}/widget.js" data-key="${key}" async></script>`;
    allowed = await serveHostSite(snippet);
    refused = await serveHostSite(snippet);
    browser = await launchChromium();
    context = await newContext(browser);
    page = await context.newPage();
    pageErrors.push(collectPageErrors(page));
    page.on("request", (request: Request) => {
      if (request.url().endsWith("/conversation"))
        visitorHeaders.push(request.headers()["x-widget-visitor"] ?? "");
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await allowed?.close();
    await refused?.close();
  });

  const launcher = (on: Page = page) => on.getByRole("button", { name: `Chat with ${theme.title}` });
  const dialog = (on: Page = page) => on.getByRole("dialog", { name: theme.title });
  const log = (on: Page = page) => dialog(on).getByRole("log", { name: "Conversation" });
  const textbox = (on: Page = page) => dialog(on).getByRole("textbox", { name: "Message" });

  step("an admin creates a widget for the published demo agent, allowing the intranet's origin", async () => {
    expect(allowed.origin).not.toBe(new URL(platform().url).origin);
    const widget = await api<{ key: string; allowedOrigins: string[]; theme: typeof theme }>(
      "POST",
      "/v1/widgets",
      {
        name: "Intranet chat",
        agentId: platform().demo.agentId,
        allowedOrigins: [allowed.origin],
        theme,
      },
    );
    expect(widget.key).toMatch(/^wk_[A-Za-z0-9_-]{32}$/);
    expect(widget.allowedOrigins).toEqual([allowed.origin]);
    key = widget.key;
    // The bundle the snippet loads is served by the platform, under its fixed name.
    const bundle = await fetch(`${platform().url}/widget.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("content-type")).toMatch(/javascript/);
  });

  step(
    "the page shows the launcher in the theme's corner and colour, untouched by the page's CSS",
    async () => {
      const config = page.waitForResponse((r) => r.url().endsWith(widgetPath(key, "config")));
      await page.goto(`${allowed.origin}/`);
      expect((await config).status()).toBe(200);
      await launcher().waitFor();
      expect(await launcher().getAttribute("aria-expanded")).toBe("false");
      const look = await launcher().evaluate((el) => {
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {
          background: style.backgroundColor,
          position: style.position,
          display: style.display,
          visibility: style.visibility,
          right: Math.round(window.innerWidth - box.right),
          bottom: Math.round(window.innerHeight - box.bottom),
          size: [Math.round(box.width), Math.round(box.height)],
        };
      });
      expect(look).toEqual({
        background: themeRgb,
        position: "fixed",
        display: "flex",
        visibility: "visible",
        right: 20,
        bottom: 20,
        size: [56, 56],
      });
      // One global, namespaced: window.AlchemistWidget.
      const added = await page.evaluate(() => {
        const before = (window as unknown as { __globalsBefore: string[] }).__globalsBefore;
        return Object.getOwnPropertyNames(window).filter(
          (name) => !before.includes(name) && name !== "__globalsBefore",
        );
      });
      expect(added).toEqual(["AlchemistWidget"]);
    },
  );

  step("opens from the launcher: a dialog named by the title, the focus in the text box", async () => {
    const conversation = page.waitForResponse((r) => r.url().endsWith(widgetPath(key, "conversation")));
    await launcher().click();
    expect((await conversation).status()).toBe(200);
    await dialog().waitFor();
    expect(await launcher().getAttribute("aria-expanded")).toBe("true");
    expect(await hasFocus(textbox())).toBe(true);
    await dialog().getByText(theme.greeting).waitFor();
    await dialog()
      .getByRole("group", { name: "Suggested questions" })
      .getByRole("button", { name: question })
      .waitFor();
    expect(visitorHeaders[0]).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const panel = await dialog().evaluate((el) => {
      const box = el.getBoundingClientRect();
      return { width: Math.round(box.width), right: Math.round(window.innerWidth - box.right) };
    });
    expect(panel).toEqual({ width: 380, right: 20 });
  });

  step("asks: the words stream in, then the checked answer replaces them, with its sources", async () => {
    // What the visitor saw while the answer streamed: the streaming bubble's text, at every change.
    await page.evaluate(() => {
      const shadow = document.querySelector("alchemist-widget")!.shadowRoot!;
      const seen: string[] = [];
      (window as unknown as { __streamed: string[] }).__streamed = seen;
      new MutationObserver(() => {
        const streaming = shadow.querySelector('[aria-busy="true"] .text');
        if (streaming?.textContent) seen.push(streaming.textContent);
      }).observe(shadow, { subtree: true, childList: true, characterData: true });
    });
    const answered = page.waitForResponse(
      (r) => r.url().endsWith(widgetPath(key, "messages")) && r.request().method() === "POST",
    );
    await textbox().fill(question);
    await textbox().press("Enter");
    const response = await answered;
    expect(response.status()).toBe(200);
    // (The body itself is not kept by the browser: the page read it as a stream.)
    expect(response.headers()["content-type"]).toContain("text/event-stream");

    await log().getByText(question).waitFor();
    const answer = log().getByText(answerText).first();
    await answer.waitFor();
    const streamed = await page.evaluate(() => (window as unknown as { __streamed: string[] }).__streamed);
    expect(streamed.length, "the streamed words showed before the checked answer").toBeGreaterThan(0);
    expect(streamed.at(-1)).toContain("Full-time employees");
    // The streamed words are gone: only the checked answer remains, with how sure it is and its sources.
    await expect(page.locator('alchemist-widget [aria-busy="true"]').count()).resolves.toBe(0);
    await log()
      .getByText(/^Confidence \d+%$/)
      .waitFor();
    await log()
      .getByRole("list", { name: "Sources" })
      .getByRole("button", { name: "[1] employee-handbook.md" })
      .waitFor();
    // The page's red does not reach the answer.
    expect(await answer.evaluate((el) => getComputedStyle(el).color)).toBe("rgb(26, 26, 26)");
    expect(await hasFocus(textbox())).toBe(true);
  });

  step("opens a citation: its quote shows under the answer, and closes again", async () => {
    await log().getByRole("button", { name: "Source 1: employee-handbook.md" }).first().click();
    const source = log().getByRole("button", { name: "[1] employee-handbook.md" });
    expect(await source.getAttribute("aria-expanded")).toBe("true");
    expect(await hasFocus(source)).toBe(true);
    const quote = log().locator("blockquote").first();
    await quote.waitFor();
    expect(await quote.textContent()).toContain(answerText);
    fs.mkdirSync(artifactsDir, { recursive: true });
    await settle(page);
    await page.screenshot({ path: path.join(artifactsDir, "widget-01-answer.desktop.png") });

    // axe on the widget as it is now (the host page's own deliberate problems are not the widget's).
    const violations = blocking(await runAxe(page))
      .map((v) => ({ ...v, nodes: v.nodes.filter((n) => n.target.startsWith("alchemist-widget")) }))
      .filter((v) => v.nodes.length > 0);
    expect(violations, describeViolations(violations)).toEqual([]);

    await source.press("Enter");
    expect(await source.getAttribute("aria-expanded")).toBe("false");
    await quote.waitFor({ state: "hidden" });
  });

  step("Escape closes the panel and gives the focus back to the launcher", async () => {
    await textbox().focus();
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "hidden" });
    expect(await launcher().getAttribute("aria-expanded")).toBe("false");
    expect(await hasFocus(launcher())).toBe(true);
  });

  step("after a reload the conversation continues, and a new one can be started", async () => {
    await page.reload();
    await launcher().click();
    await log().getByText(question).waitFor();
    await log().getByText(answerText).first().waitFor();
    // The same visitor: the id kept in the page's localStorage.
    expect(visitorHeaders).toHaveLength(2);
    expect(visitorHeaders[1]).toBe(visitorHeaders[0]);

    const reset = page.waitForResponse((r) => r.url().endsWith(widgetPath(key, "reset")));
    await dialog().getByRole("button", { name: "New conversation" }).click();
    expect((await reset).status()).toBe(200);
    await expect(log().getByText(question).count()).resolves.toBe(0);
    await dialog().getByRole("button", { name: question }).waitFor();

    await page.reload();
    const conversation = page.waitForResponse((r) => r.url().endsWith(widgetPath(key, "conversation")));
    await launcher().click();
    expect(await (await conversation).json()).toEqual({ conversationId: null, messages: [] });
    await dialog().getByRole("button", { name: question }).waitFor();
  });

  step("at 320 px wide the panel fills the screen, and the text box and send button are on it", async () => {
    const narrow = await newContext(browser);
    try {
      const small = await narrow.newPage();
      pageErrors.push(collectPageErrors(small));
      await small.setViewportSize({ width: 320, height: 640 });
      await small.goto(`${allowed.origin}/`);
      await launcher(small).click();
      await dialog(small).waitFor();
      const inside = async (locator: Locator) => {
        const box = await locator.boundingBox();
        expect(box, `${String(locator)} has a box`).not.toBeNull();
        return box!.x >= 0 && box!.y >= 0 && box!.x + box!.width <= 320 && box!.y + box!.height <= 640;
      };
      const panel = await dialog(small).boundingBox();
      expect(panel).toEqual({ x: 0, y: 0, width: 320, height: 640 });
      expect(await inside(textbox(small))).toBe(true);
      expect(await inside(dialog(small).getByRole("button", { name: "Send" }))).toBe(true);
      expect(await inside(dialog(small).getByRole("button", { name: "Close chat" }))).toBe(true);
      const overflow = await dialog(small).evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(overflow).toBe(0);
      await settle(small);
      await small.screenshot({ path: path.join(artifactsDir, "widget-02-panel.320.png") });
      // Closing gives the launcher back (hidden under the full-screen panel while it was open).
      await dialog(small).getByRole("button", { name: "Close chat" }).click();
      expect(await hasFocus(launcher(small))).toBe(true);
    } finally {
      await narrow.close();
    }
  });

  step("a site whose origin is not allowed: the API answers 403 and the widget says so", async () => {
    const other = await context.newPage();
    pageErrors.push(collectPageErrors(other));
    const warnings: string[] = [];
    other.on("console", (message) => {
      if (message.type() === "warning" && message.text().includes("[Alchemist widget]"))
        warnings.push(message.text());
    });
    try {
      const config = other.waitForResponse((r) => r.url().endsWith(widgetPath(key, "config")));
      await other.goto(`${refused.origin}/`);
      expect((await config).status()).toBe(403);
      // Refused before the theme could load: the launcher has the default title.
      const fallback = other.getByRole("button", { name: "Chat", exact: true });
      await fallback.click();
      const panel = other.getByRole("dialog");
      await panel.getByText("This chat is not available on this website.").waitFor();
      await expect(panel.getByRole("textbox", { name: "Message" }).count()).resolves.toBe(0);
      await expect.poll(() => warnings.length).toBe(1);
      expect(warnings[0]).toContain(refused.origin);
      expect(warnings[0]).toContain("allowed origins");
      await settle(other);
      await other.screenshot({ path: path.join(artifactsDir, "widget-03-refused.desktop.png") });
    } finally {
      await other.close();
    }
  });

  step("no uncaught errors in any of the pages", async () => {
    expect(pageErrors.flat()).toEqual([]);
  });
});
