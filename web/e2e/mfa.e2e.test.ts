/**
 * Two-step sign-in in local mode, in Chromium, as a person does it: sign up, set it up from the account
 * menu (the test reads the key off the page and computes the codes an authenticator app would show), save
 * the recovery codes, sign out, sign in with a code, sign out, sign in with a recovery code, which then no
 * longer works. The screens on the way are checked with axe and saved as screenshots (web/e2e/artifacts).
 */
import { createHmac } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect } from "vitest";
import {
  assertNoBlockingViolations,
  checkScreen,
  collectPageErrors,
  launchChromium,
  newContext,
  type ScreenCheck,
} from "./support/browser";
import { e2eIt, flowSteps, platform, runnable } from "./support/suite";

// ----- an authenticator app (RFC 6238: SHA-1, 6 digits, 30 s), about what functions/src/platform/totp.ts does

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/\s/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totp(key: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** Never shows the same step twice: the platform refuses a code once used (it waits for the next one). */
function authenticator(secret: string) {
  const key = base32Decode(secret);
  let last = -1;
  return () => {
    last = Math.max(last + 1, Math.floor(Date.now() / 30_000));
    return totp(key, last);
  };
}

// ----- the flow ---------------------------------------------------------------------------------------

describe("Two-step sign-in in local mode", () => {
  const step = flowSteps();
  const email = `grace.${Date.now()}@example.com`;
  const password = "a long and careful passphrase";
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[] = [];
  let nextCode: () => string;
  let recoveryCodes: string[] = [];
  const checks = new Map<string, ScreenCheck>();
  const heading = (name: string, level = 1) => page.getByRole("heading", { level, name });

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

  async function signOut(): Promise<void> {
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("menuitem", { name: "Sign out", exact: true }).click();
    await heading("Sign in").waitFor();
  }

  async function typePassword(): Promise<void> {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  }

  step("signs up for a new workspace", async () => {
    await page.goto(`${platform().url}/sign-up`);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByLabel("Workspace name").fill("Hopper Compilers");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL((url) => url.pathname !== "/sign-up");
  });

  step("opens Account › Two-step sign-in and sees it is off", async () => {
    await page.getByRole("button", { name: "Account" }).click();
    await page.getByRole("menuitem", { name: "Two-step sign-in" }).click();
    await heading("Two-step sign-in").waitFor();
    await heading("Two-step sign-in is off", 2).waitFor();
    expect(new URL(page.url()).pathname).toBe("/account/two-step");
  });

  step("sets it up: a QR code and the key, then a code from the app", async () => {
    await page.getByRole("button", { name: "Set up two-step sign-in" }).click();
    const qr = page.getByRole("img", { name: "QR code of your two-step sign-in key" });
    await qr.waitFor();
    expect(await qr.getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
    const secret = (await page.getByTestId("two-step-secret").innerText()).replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const link = await page
      .getByRole("link", { name: "Open in an authenticator app on this device" })
      .getAttribute("href");
    expect(link).toContain(`secret=${secret}`);
    checks.set("two-step-setup", await checkScreen(page, "41-two-step-setup"));
    nextCode = authenticator(secret);

    await page.getByLabel("6-digit code").fill(nextCode());
    await page.getByRole("button", { name: "Turn on" }).click();
    const list = page.getByRole("list", { name: "Recovery codes" });
    await list.waitFor();
    recoveryCodes = (await list.getByRole("listitem").allInnerTexts()).map((c) => c.trim());
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}$/);
    checks.set("two-step-recovery-codes", await checkScreen(page, "42-two-step-recovery-codes"));
  });

  step("saves the recovery codes; the page then says it is on, with 10 codes left", async () => {
    await page.getByRole("button", { name: "I saved them" }).click();
    await heading("Two-step sign-in is on", 2).waitFor();
    await page.getByText("10 recovery codes left.").waitFor();
    await page.getByText("You signed in to this session with your code.").waitFor();
    checks.set("two-step-on", await checkScreen(page, "43-two-step-on"));
  });

  step("signs out, and signing in again asks for the code after the password", async () => {
    await signOut();
    await typePassword();
    await heading("Two-step sign-in").waitFor();
    checks.set("two-step-sign-in", await checkScreen(page, "44-two-step-sign-in"));
  });

  step("a wrong code is refused and can be typed again; the app's code signs in", async () => {
    const code = page.getByLabel("Code or recovery code");
    const right = nextCode();
    await code.fill(right === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText(/4 tries left/).waitFor();
    await code.fill(right);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL((url) => url.pathname !== "/sign-in");
    await page.getByRole("button", { name: "Account" }).waitFor();
  });

  step("signs out, and signs in with a recovery code instead", async () => {
    await signOut();
    await typePassword();
    await page.getByLabel("Code or recovery code").fill(recoveryCodes[0] as string);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL((url) => url.pathname !== "/sign-in");
    await page.goto(`${platform().url}/account/two-step`);
    await page.getByText("9 recovery codes left.").waitFor();
  });

  step("the recovery code used once does not work again", async () => {
    await signOut();
    await typePassword();
    await page.getByLabel("Code or recovery code").fill(recoveryCodes[0] as string);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText(/not right, or was used already/).waitFor();
    expect(new URL(page.url()).pathname).toBe("/sign-in");
  });

  step("no uncaught errors in the page along the way", async () => {
    expect(pageErrors).toEqual([]);
  });

  describe("accessibility (axe): no serious or critical violations", () => {
    for (const screen of ["two-step-setup", "two-step-recovery-codes", "two-step-on", "two-step-sign-in"]) {
      e2eIt(screen, async () => {
        const check = checks.get(screen);
        expect(check, `the flow did not reach the ${screen} screen`).toBeDefined();
        assertNoBlockingViolations(check!);
      });
    }
  });
});
