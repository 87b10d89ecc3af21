/** The operator's billing command: amounts without floating point, grants, plans and catalog versions. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogAt, defaultCatalog } from "@alchemist/functions/billing/catalog";
import { loadAccount } from "@alchemist/functions/billing/ledger";
import type { Deps } from "@alchemist/functions/platform/deps";
import { parseAmount, runBillingCommand } from "./billing-cli.js";
import { startTestPlatform, type TestPlatform } from "./testing/platform.js";

let platform: TestPlatform;
let deps: Deps;

beforeAll(async () => {
  platform = await startTestPlatform();
  deps = platform.deps as unknown as Deps;
});
afterAll(async () => {
  await platform?.close();
});

describe("npm run billing", () => {
  it("reads amounts as exact micros", () => {
    expect(parseAmount("10")).toBe(10_000_000);
    expect(parseAmount("2.5")).toBe(2_500_000);
    expect(parseAmount("0.000001")).toBe(1);
    expect(parseAmount("-1.25")).toBe(-1_250_000);
    // 0.1 + 0.2 in floating point is not 0.3; in micros it is.
    expect(parseAmount("0.1") + parseAmount("0.2")).toBe(parseAmount("0.3"));
    for (const bad of ["", "1e3", "1.0000001", "ten", "1,5", "--1"])
      expect(() => parseAmount(bad)).toThrow(/not an amount/);
  });

  it("grants credits, changes plans and shows the account", async () => {
    const before = (await loadAccount(deps, "acme")).balanceMicros;
    expect(await runBillingCommand(deps, ["grant", "acme", "12.50", "welcome", "credit"])).toMatch(
      /granted 12500000 micros/,
    );
    expect((await loadAccount(deps, "acme")).balanceMicros).toBe(before + 12_500_000);
    await expect(runBillingCommand(deps, ["grant", "acme", "-3"])).rejects.toThrow(/must be positive/);
    expect(await runBillingCommand(deps, ["plan", "acme", "pro"])).toMatch(/plan pro/);
    await expect(runBillingCommand(deps, ["plan", "acme", "platinum"])).rejects.toThrow(
      /Plan "platinum" is not in billing catalog/,
    );
    const shown = JSON.parse(await runBillingCommand(deps, ["account", "acme"])) as {
      latestEntries: { note: string }[];
    };
    expect(shown.latestEntries.some((e) => e.note === "welcome credit")).toBe(true);
    await expect(runBillingCommand(deps, ["refund"])).rejects.toThrow(/usage: npm run billing/);
  });

  it("publishes catalog versions that apply from their date, never backdated", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catalog-"));
    const file = path.join(dir, "catalog.json");
    const { version: _v, effectiveFrom: _e, ...draft } = defaultCatalog;
    const future = new Date(Date.now() + 86_400_000).toISOString();
    fs.writeFileSync(file, JSON.stringify({ ...draft, prices: { ...draft.prices, toolCall: 999 } }));
    expect(await runBillingCommand(deps, ["catalog", "set", file, "--from", future])).toMatch(
      /catalog version 1 published; it applies from/,
    );
    expect((await catalogAt(deps, new Date().toISOString())).prices.toolCall).toBe(
      defaultCatalog.prices.toolCall,
    );
    expect((await catalogAt(deps, new Date(Date.now() + 2 * 86_400_000).toISOString())).prices.toolCall).toBe(
      999,
    );
    await expect(
      runBillingCommand(deps, ["catalog", "set", file, "--from", "2020-01-01T00:00:00Z"]),
    ).rejects.toThrow(/is in the past/);
    fs.writeFileSync(file, JSON.stringify({ ...draft, plans: { pro: draft.plans.pro } }));
    await expect(runBillingCommand(deps, ["catalog", "set", file])).rejects.toThrow(
      /must define the free plan/,
    );
    fs.writeFileSync(file, "{not json");
    await expect(runBillingCommand(deps, ["catalog", "set", file])).rejects.toThrow(/Cannot read/);
  });
});
