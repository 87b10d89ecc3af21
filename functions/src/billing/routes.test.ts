/**
 * Billing's routes under hostile input: malformed and out-of-range queries and bodies are clear 400s that
 * change nothing, another workspace's owner sees only their own figures, and the overview and usage read
 * rollups only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json } from "../channels/openai/testing/fixture.js";
import type { Deps } from "../platform/deps.js";
import { addCredits } from "./ledger.js";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
  const deps = platform.deps as unknown as Deps;
  await addCredits(deps, "acme", { id: "routes_grant", kind: "grant", amountMicros: 7_654_321, ref: "test" });
  const day = new Date().toISOString().slice(0, 10);
  await deps.store.set(`tenants/acme/usageDaily/${day}`, { period: day, turns: 7, costMicros: 4242 });
});

afterAll(async () => {
  await platform?.close();
});

const errorOf = async (res: Response) =>
  (await json<{ error: { code: string; message: string } }>(res)).error;

describe("billing routes", () => {
  it("answers malformed usage and ledger queries with clear 400s", async () => {
    for (const [query, message] of [
      ["?from=2026-13-01", /from/],
      ["?from=yesterday", /from/],
      ["?from=2026-05-10&to=2026-05-01", /is after to/],
      ["?from=2025-01-01&to=2026-01-01", /at most 92 days/],
      ["?days=5", /days|Unrecognized/i],
    ] as const) {
      const res = await platform.fetch(`/v1/billing/usage${query}`);
      expect(res.status, query).toBe(400);
      expect((await errorOf(res)).message).toMatch(message);
    }
    for (const query of ["?limit=0", "?limit=100000", "?before=not-a-date", "?limit=abc"]) {
      expect((await platform.fetch(`/v1/billing/ledger${query}`)).status, query).toBe(400);
    }
  });

  it("refuses malformed checkouts and return URLs that leave the studio, creating nothing", async () => {
    const before = (await platform.deps.store.query({ collection: "stripeCustomers" })).length;
    for (const body of [
      {},
      { kind: "gift" },
      { kind: "topup", amountMicros: -10, returnUrl: "http://localhost:0/x" },
      { kind: "topup", amountMicros: 1.5, returnUrl: "http://localhost:0/x" },
      { kind: "topup", amountMicros: 10_000_000, returnUrl: "not a url" },
      { kind: "subscription", planId: "../../etc", returnUrl: "http://localhost:0/x" },
      { kind: "topup", amountMicros: 10_000_000, returnUrl: "http://localhost:0/x", extra: true },
    ]) {
      const res = await platform.fetch("/v1/billing/checkout", { method: "POST", json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const big = await platform.fetch("/v1/billing/checkout", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        kind: "topup",
        amountMicros: 1,
        returnUrl: `http://x/${"a".repeat(3_000_000)}`,
      }),
    });
    expect([400, 413]).toContain(big.status);
    expect((await platform.deps.store.query({ collection: "stripeCustomers" })).length).toBe(before);
  });

  it("shows each workspace its own account and usage only", async () => {
    const acme = await json<{ account: { balanceMicros: number }; today: { turns: number } }>(
      await platform.fetch("/v1/billing"),
    );
    expect(acme.today.turns).toBe(7);
    const globex = await platform.fetch("/v1/billing", { key: platform.keys.otherTenantOwner });
    const text = await globex.text();
    expect(globex.status).toBe(200);
    expect(text).not.toContain("7654321");
    expect((JSON.parse(text) as { today: { turns: number } }).today.turns).toBe(0);
    const usage = await json<{ totals: { costMicros: number } }>(
      await platform.fetch("/v1/billing/usage", { key: platform.keys.otherTenantOwner }),
    );
    expect(usage.totals.costMicros).toBe(0);
    // Admins read billing; editors and viewers do not.
    expect((await platform.fetch("/v1/billing", { key: platform.keys.admin })).status).toBe(200);
    expect((await platform.fetch("/v1/billing", { key: platform.keys.editor })).status).toBe(403);
  });
});
