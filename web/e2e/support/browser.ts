/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), and what every e2e file does
 * with it: sign in as a person would, check a screen with axe, and save its screenshots at the two sizes the
 * studio must look finished at.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import type { PlatformInfo } from "./platform";

/** Debian's package (`apt-get install -y chromium`); CHROMIUM_PATH points elsewhere, e.g. another distribution's. */
export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Why the e2e tests cannot run here, or undefined when they can. */
export const chromiumMissing: string | undefined = fs.existsSync(chromiumPath)
  ? undefined
  : `Chromium is not installed at ${chromiumPath}: the studio's end-to-end tests are skipped. ` +
    "Install Debian's package (`apt-get install -y chromium`; .ci/run does it when missing) or set CHROMIUM_PATH.";

export const artifactsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "artifacts");

export const viewports = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof viewports;

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** A fresh context (no cache, no storage unless given) at the desktop size, with patient defaults. */
export async function newContext(
  browser: Browser,
  storageState?: Awaited<ReturnType<BrowserContext["storageState"]>>,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: viewports.desktop,
    locale: "en-US",
    timezoneId: "UTC",
    reducedMotion: "reduce",
    ...(storageState ? { storageState } : {}),
  });
  // Waits are for what a person sees; a loaded 2-core machine can be slow, so be patient.
  context.setDefaultTimeout(30_000);
  context.setDefaultNavigationTimeout(30_000);
  return context;
}

/** Uncaught errors in the page: a finished studio has none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.stack ?? error.message));
  return errors;
}

/**
 * Everything a browser reports as going wrong while a page loads and runs: messages logged as errors (a
 * failed fetch logs "Failed to load resource" too), uncaught errors, requests that got no answer, and
 * answers with an error status. A finished studio loads with none; each entry says what and where.
 */
export function collectLoadProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const { url, lineNumber } = message.location();
    problems.push(`console error: ${message.text()}${url ? ` (at ${url}:${lineNumber + 1})` : ""}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught error: ${error.stack ?? error.message}`));
  page.on("requestfailed", (request) =>
    problems.push(
      `request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText ?? "no reason"}`,
    ),
  );
  page.on("response", (response) => {
    if (response.status() >= 400)
      problems.push(`error status: ${response.request().method()} ${response.url()}: ${response.status()}`);
  });
  return problems;
}

/** Signs in on the sign-in page with the demo owner's account and waits for the agents page. */
export async function signInWithForm(page: Page, platform: PlatformInfo): Promise<void> {
  await page.getByLabel("Email").fill(platform.account.email);
  await page.getByLabel("Password").fill(platform.account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1, name: "Agents" }).waitFor();
}

/** A signed-in browser state (localStorage session), to open more fresh contexts without signing in again. */
export async function signedInState(
  browser: Browser,
  platform: PlatformInfo,
): Promise<Awaited<ReturnType<BrowserContext["storageState"]>>> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(`${platform.url}/sign-in`);
    await signInWithForm(page, platform);
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/** Two animation frames and the fonts: the layout a person would see now. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  });
}

// ----- axe ---------------------------------------------------------------------------------------------

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly helpUrl: string;
  readonly nodes: { readonly target: string; readonly html: string; readonly summary: string }[];
}

/** Runs axe-core (every default rule, none disabled) on the page as it is now. */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  // Evaluated rather than added as a <script>, so a Content-Security-Policy cannot keep it out.
  const loaded = await page.evaluate(() => "axe" in window);
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    interface AxeResult {
      violations: {
        id: string;
        impact?: string | null;
        help: string;
        helpUrl: string;
        nodes: { target: unknown[]; html: string; failureSummary?: string }[];
      }[];
    }
    const axe = (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResult> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.map(String).join(" "),
        html: n.html.slice(0, 300),
        summary: n.failureSummary ?? "",
      })),
    }));
  });
}

export const blocking = (violations: readonly AxeViolation[]) =>
  violations.filter((v) => v.impact === "serious" || v.impact === "critical");

/** A readable list of violations (the first elements of each), for a failed assertion and for the report. */
export function describeViolations(violations: readonly AxeViolation[], perRule = 3): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, perRule)
        .map(
          (n) =>
            `    at ${n.target}\n      ${n.html.slice(0, 160)}\n      ${n.summary.replace(/\s+/g, " ").slice(0, 220)}`,
        );
      const more = v.nodes.length > perRule ? [`    … and ${v.nodes.length - perRule} more`] : [];
      return [`  ${v.impact ?? "?"} ${v.id} (${v.nodes.length} elements): ${v.help}`, ...nodes, ...more].join(
        "\n",
      );
    })
    .join("\n");
}

// ----- screens: screenshots and axe at both sizes -------------------------------------------------------

export interface ScreenCheck {
  readonly screen: string;
  readonly url: string;
  readonly violations: Record<ViewportName, AxeViolation[]>;
  readonly screenshots: Record<ViewportName, string>;
}

const reportFile = path.join(artifactsDir, "axe-report.json");

/**
 * Saves a full-page screenshot of the screen at 1280×800 and at 390×844 (`<name>.desktop.png`,
 * `<name>.mobile.png` in web/e2e/artifacts) and runs axe at each size; leaves the page at the desktop size.
 * Records every violation (any impact) in artifacts/axe-report.json; the caller asserts.
 */
export async function checkScreen(page: Page, name: string): Promise<ScreenCheck> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const violations = {} as Record<ViewportName, AxeViolation[]>;
  const screenshots = {} as Record<ViewportName, string>;
  for (const size of ["desktop", "mobile"] as const) {
    await page.setViewportSize(viewports[size]);
    await settle(page);
    // What a person sees at this size, from the top of the page.
    const file = path.join(artifactsDir, `${name}.${size}.png`);
    await page.screenshot({ path: file, animations: "disabled" });
    screenshots[size] = path.relative(process.cwd(), file);
    violations[size] = await runAxe(page);
    // And the whole page, on a window as tall as the page (so sticky bars sit where they end up).
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    if (height > viewports[size].height + 1) {
      await page.setViewportSize({ width: viewports[size].width, height: Math.min(height, 8000) });
      await settle(page);
      await page.screenshot({
        path: path.join(artifactsDir, `${name}.${size}.full.png`),
        animations: "disabled",
      });
    }
  }
  await page.setViewportSize(viewports.desktop);
  await settle(page);
  const check: ScreenCheck = { screen: name, url: new URL(page.url()).pathname, violations, screenshots };
  recordCheck(check);
  return check;
}

function recordCheck(check: ScreenCheck): void {
  let report: Record<string, ScreenCheck> = {};
  try {
    report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as Record<string, ScreenCheck>;
  } catch {
    // First screen of the run.
  }
  report[check.screen] = check;
  fs.writeFileSync(reportFile, JSON.stringify(report, null, 2) + "\n");
}

/** Fails with the serious and critical violations of a screen at either size, listed readably. */
export function assertNoBlockingViolations(check: ScreenCheck): void {
  const found = (["desktop", "mobile"] as const).flatMap((size) => {
    const list = blocking(check.violations[size]);
    return list.length === 0
      ? []
      : [`${check.screen} at ${size} (${check.url}):\n${describeViolations(list)}`];
  });
  if (found.length > 0)
    throw new Error(`axe: serious or critical accessibility violations\n${found.join("\n")}`);
}

// ----- keyboard ------------------------------------------------------------------------------------------

/** A short description of the focused element, for messages: `link "Agents"`, `textbox "Email"`. */
export async function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    const labelled = el.getAttribute("aria-labelledby");
    const byLabelledBy = labelled
      ? labelled
          .split(" ")
          .map((id) => document.getElementById(id)?.textContent ?? "")
          .join(" ")
      : "";
    const labels = (el as HTMLInputElement).labels;
    const name =
      el.getAttribute("aria-label") ??
      (byLabelledBy ||
        (labels && labels.length > 0 ? labels[0]!.textContent : "") ||
        (el.textContent ?? "").trim().slice(0, 40));
    const role = el.getAttribute("role") ?? el.tagName.toLowerCase();
    return `${role} "${(name ?? "").replace(/\s+/g, " ").trim()}"`;
  });
}

export async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === document.activeElement);
}

/**
 * Presses Tab (or Shift+Tab) until `target` has the focus, at most `limit` times; fails with the path the
 * focus took. Answers how many presses it took.
 */
export async function tabTo(
  page: Page,
  target: Locator,
  { limit = 40, backwards = false }: { limit?: number; backwards?: boolean } = {},
): Promise<number> {
  const trail: string[] = [];
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press(backwards ? "Shift+Tab" : "Tab");
    if (await isFocused(target)) return presses;
    trail.push(await focusedElement(page));
  }
  throw new Error(
    `the focus never reached ${String(target)} in ${limit} presses; it went:\n  ${trail.join("\n  ")}`,
  );
}
