/**
 * Enforcement before the work: a workspace past a hard limit, out of credits or restricted for a failed
 * payment is refused with HTTP 402 naming the limit, its value and when it resets, before any model or
 * embedder call; public channels word it for their end users; admins get a notice once per period.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json, setUpAgents, vacationQuestion } from "../channels/openai/testing/fixture.js";
import type { Deps } from "../platform/deps.js";
import { addCredits, changePlan, loadAccount, periodOf } from "./ledger.js";
import { formatMoney } from "./limits.js";
import { meterEvent } from "./meter.js";
import { accountPath, noticesPath, usageMonthlyPath } from "./schema.js";

let platform: TestPlatform;
let deps: Deps;
let hr: string;
let kbId: string;
const calls = { model: 0, embedder: 0 };

interface ErrorBody {
  error: { code: string; message: string; details?: { billing?: Record<string, unknown> } };
}

beforeAll(async () => {
  // Rate limits have their own tests: here every refusal must be billing's.
  platform = await startTestPlatform({
    RATE_LIMIT_PUBLIC_PER_IP: "0",
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
  });
  deps = platform.deps as unknown as Deps;
  ({
    kbId,
    agents: { hr },
  } = await setUpAgents(platform));
  // Count every model and embedder call the platform makes from here on.
  const chat = platform.deps.chat as { complete: Deps["chat"]["complete"]; stream: Deps["chat"]["stream"] };
  const complete = chat.complete.bind(chat);
  const stream = chat.stream.bind(chat);
  chat.complete = (r) => {
    calls.model++;
    return complete(r);
  };
  chat.stream = (r) => {
    calls.model++;
    return stream(r);
  };
  const embedder = platform.deps.embedder as { embed: Deps["embedder"]["embed"] };
  const embed = embedder.embed.bind(embedder);
  embedder.embed = (t, o) => {
    calls.embedder++;
    return embed(t, o);
  };
});

afterAll(async () => {
  await platform?.close();
});

beforeEach(async () => {
  await changePlan(deps, "acme", "enterprise");
});

/** Spends the workspace's whole balance (an operator adjustment), so a plan without overage must refuse. */
async function spendAll(): Promise<void> {
  const account = await loadAccount(deps, "acme");
  if (account.balanceMicros > 0) {
    await addCredits(deps, "acme", {
      id: `test_spend_${Date.now()}`,
      kind: "adjustment",
      amountMicros: -account.balanceMicros,
      ref: "test",
    });
  }
}

async function conversation(): Promise<string> {
  const res = await platform.fetch(`/v1/agents/${hr}/conversations`, { method: "POST", json: {} });
  expect(res.status).toBe(201);
  return (await json<{ id: string }>(res)).id;
}

describe("money and times in refusals", () => {
  it("formats integer micros exactly, in the currency", () => {
    expect(formatMoney(5_000_000, "usd")).toBe("$5.00");
    expect(formatMoney(1_234_567_890, "usd")).toBe("$1,234.56789");
    expect(formatMoney(3_100, "usd")).toBe("$0.0031");
    expect(formatMoney(-1_250_000, "eur")).toBe("-1.25 EUR");
    expect(formatMoney(0, "usd")).toBe("$0.00");
  });
});

describe("enforcement before the work", () => {
  it("refuses a turn, a search and an upload with 402 before any model or embedder call when credits ran out", async () => {
    const id = await conversation();
    await changePlan(deps, "acme", "free");
    await spendAll();
    const before = { ...calls };
    const res = await platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content: vacationQuestion },
    });
    expect(res.status).toBe(402);
    const body = await json<ErrorBody>(res);
    expect(body.error.code).toBe("payment-required");
    expect(body.error.message).toMatch(/no credits left/);
    expect(body.error.message).toMatch(/includes \$5\.00 a month\); they renew at \d{4}-\d{2}-01 00:00 UTC/);
    expect(body.error.details?.billing).toMatchObject({ limit: "credits", plan: "free" });

    const search = await platform.fetch(`/v1/knowledge-bases/${kbId}/search`, {
      method: "POST",
      json: { query: "vacation days" },
    });
    expect(search.status).toBe(402);
    const upload = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      json: { name: "more.md", text: "# More\n\nSome text." },
    });
    expect(upload.status).toBe(402);
    // The OpenAI-compatible API answers in OpenAI's error shape.
    const completion = await platform.fetch("/v1/chat/completions", {
      method: "POST",
      json: { model: hr, messages: [{ role: "user", content: vacationQuestion }] },
    });
    expect(completion.status).toBe(402);
    expect((await json<{ error: { type: string; code: string } }>(completion)).error).toMatchObject({
      type: "insufficient_quota",
      code: "insufficient_quota",
    });
    expect(calls).toEqual(before);

    // The admins are told once for the period, however many refusals.
    const notices = await platform.deps.store.query({ collection: noticesPath("acme") });
    expect(notices.filter((n) => n.id.startsWith("limit-refused_credits_"))).toHaveLength(1);

    // A top-up lets the work through again.
    await addCredits(deps, "acme", { id: "test_topup", kind: "topup", amountMicros: 1_000_000, ref: "test" });
    const again = await platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content: vacationQuestion },
    });
    expect(again.status).toBe(200);
    expect(calls.model).toBeGreaterThan(before.model);
  });

  it("refuses past the monthly tokens limit, saying when it resets; overage plans are not stopped by credits", async () => {
    const id = await conversation();
    await changePlan(deps, "acme", "free");
    const month = periodOf(new Date().toISOString());
    await deps.store.set(usageMonthlyPath("acme", month), {
      period: month,
      inputTokens: 4_000_000,
      outputTokens: 1_000_000,
    });
    const before = { ...calls };
    const res = await platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content: "Hi?" },
    });
    expect(res.status).toBe(402);
    const body = await json<ErrorBody>(res);
    expect(body.error.message).toMatch(
      /limit of 5,000,000 model tokens per month \(Free plan\); it resets at/,
    );
    expect(body.error.details?.billing).toMatchObject({
      limit: "tokensPerMonth",
      value: 5_000_000,
      used: 5_000_000,
    });
    expect(calls).toEqual(before);
    await deps.store.delete(usageMonthlyPath("acme", month));

    // Pro allows overage: a negative balance does not stop it.
    await changePlan(deps, "acme", "pro");
    await spendAll();
    await addCredits(deps, "acme", {
      id: `test_debt_${Date.now()}`,
      kind: "adjustment",
      amountMicros: -5,
      ref: "test",
    });
    const ok = await platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content: "Hi?" },
    });
    expect(ok.status).toBe(200);
  });

  it("restricts a workspace whose payment failed once its grace period ended", async () => {
    const id = await conversation();
    await loadAccount(deps, "acme");
    // Only the status changes: the balance stays the ledger's.
    await deps.store.update(accountPath("acme"), {
      status: "past_due",
      graceUntil: new Date(Date.now() + 60_000).toISOString(),
    });
    const during = await platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content: "Hi?" },
    });
    expect(during.status).toBe(200);
    // Only the status changes: the balance stays the ledger's.
    await deps.store.update(accountPath("acme"), {
      status: "past_due",
      graceUntil: "2020-01-01T00:00:00.000Z",
    });
    const after = await platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content: "Hi?" },
    });
    expect(after.status).toBe(402);
    expect((await json<ErrorBody>(after)).error.message).toMatch(
      /a payment failed and the grace period ended/,
    );
    await deps.store.update(accountPath("acme"), { status: "active", graceUntil: null });
  });

  it("caps agents and members on the plan's stock limits", async () => {
    await changePlan(deps, "acme", "free");
    const agents = await deps.store.count({
      collection: "tenants/acme/agents",
      where: [{ field: "status", op: "!=", value: "archived" }],
    });
    for (let i = agents; i < 5; i++) {
      const ok = await platform.fetch("/v1/agents", {
        method: "POST",
        json: {
          name: `Filler ${i}`,
          instructions: "x",
          knowledgeBaseIds: [],
          confidenceThreshold: 0.5,
          memoryWindow: 4,
        },
      });
      expect(ok.status).toBe(201);
    }
    const sixth = await platform.fetch("/v1/agents", {
      method: "POST",
      json: {
        name: "Sixth",
        instructions: "x",
        knowledgeBaseIds: [],
        confidenceThreshold: 0.5,
        memoryWindow: 4,
      },
    });
    expect(sixth.status).toBe(402);
    expect((await json<ErrorBody>(sixth)).error.message).toMatch(
      /limit of 5 agents \(Free plan\); remove some or upgrade/,
    );

    for (let i = 0; ; i++) {
      const res = await platform.fetch("/v1/invitations", {
        method: "POST",
        json: { email: `person${i}@acme.example`, role: "viewer" },
      });
      if (res.status === 402) {
        expect((await json<ErrorBody>(res)).error.message).toMatch(/limit of 5 members/);
        break;
      }
      expect(res.status).toBe(201);
      expect(i).toBeLessThan(5);
    }
  });

  it("applies an agent's per-end-user quota on the widget, and words the refusal for the visitor", async () => {
    const patch = await platform.fetch(`/v1/agents/${hr}`, {
      method: "PATCH",
      json: { quotas: { conversationsPerEndUserPerDay: 2 } },
    });
    expect(patch.status, await patch.clone().text()).toBe(200);
    expect((await platform.fetch(`/v1/agents/${hr}/publish`, { method: "POST", json: {} })).status).toBe(200);
    const widget = await json<{ key: string }>(
      await platform.fetch("/v1/widgets", {
        method: "POST",
        json: { agentId: hr, allowedOrigins: ["https://shop.example.com"] },
      }),
    );
    const ask = (visitor: string) =>
      fetch(`${platform.url}/widget/v1/${widget.key}/messages`, {
        method: "POST",
        headers: {
          origin: "https://shop.example.com",
          "content-type": "application/json",
          "x-widget-visitor": visitor,
        },
        body: JSON.stringify({ content: vacationQuestion }),
      });
    const reset = (visitor: string) =>
      fetch(`${platform.url}/widget/v1/${widget.key}/reset`, {
        method: "POST",
        headers: { origin: "https://shop.example.com", "x-widget-visitor": visitor },
      });
    const first = await ask("visitor-aaaaaaaaaaaaaaaaaaaa");
    expect(first.status, await first.clone().text()).toBe(200);
    expect((await reset("visitor-aaaaaaaaaaaaaaaaaaaa")).status).toBeLessThan(300);
    expect((await ask("visitor-aaaaaaaaaaaaaaaaaaaa")).status).toBe(200);
    expect((await reset("visitor-aaaaaaaaaaaaaaaaaaaa")).status).toBeLessThan(300);
    const third = await ask("visitor-aaaaaaaaaaaaaaaaaaaa");
    expect(third.status).toBe(402);
    const body = await json<ErrorBody>(third);
    expect(body.error.message).toMatch(/You have reached today's limit of conversations with this assistant/);
    // Nothing about the workspace's plan reaches the visitor.
    expect(JSON.stringify(body)).not.toMatch(/plan|credits|micros/i);
    // Another visitor is unaffected.
    expect((await ask("visitor-bbbbbbbbbbbbbbbbbbbb")).status).toBe(200);
    await platform.fetch(`/v1/agents/${hr}`, {
      method: "PATCH",
      json: { quotas: { conversationsPerEndUserPerDay: null } },
    });
    await platform.fetch(`/v1/agents/${hr}/publish`, { method: "POST", json: {} });
  });

  it("50 parallel turns on a few turns' credits: the balance is the sum of the ledger, the overspend within its bound", async () => {
    const conversations = await Promise.all(Array.from({ length: 50 }, () => conversation()));
    await changePlan(deps, "acme", "free");
    await spendAll();
    await addCredits(deps, "acme", { id: "test_few_turns", kind: "grant", amountMicros: 1_500, ref: "test" });
    const answers = await Promise.all(
      conversations.map((id) =>
        platform.fetch(`/v1/conversations/${id}/messages`, {
          method: "POST",
          json: { content: vacationQuestion },
        }),
      ),
    );
    const admitted = answers.filter((r) => r.status === 200).length;
    const odd = answers.filter((r) => r.status !== 200 && r.status !== 402);
    expect(await Promise.all(odd.map((r) => r.text()))).toEqual([]);
    expect(admitted).toBeGreaterThan(0);
    // Every event metered, then the ledger adds up.
    const end = Date.now() + 30_000;
    for (;;) {
      const events = await platform.deps.store.query({ collection: "tenants/acme/usageEvents" });
      if (events.every((e) => typeof (e.data as { meteredAt?: unknown }).meteredAt === "string")) break;
      if (Date.now() > end) throw new Error("events were not metered");
      await new Promise((r) => setTimeout(r, 50));
    }
    const entries = (await platform.deps.store.query({ collection: "tenants/acme/creditEntries" })).map(
      (e) => e.data as { amountMicros: number; kind: string; ref: string },
    );
    const account = await loadAccount(deps, "acme");
    expect(account.balanceMicros).toBe(entries.reduce((n, e) => n + e.amountMicros, 0));
    // The bound (README: Billing → Enforcement): what the admitted turns cost, at most.
    const costs = entries.filter((e) => e.kind === "consumption").map((e) => -e.amountMicros);
    const maxTurnCost = Math.max(...costs);
    expect(account.balanceMicros).toBeLessThan(0);
    expect(-account.balanceMicros).toBeLessThanOrEqual(admitted * maxTurnCost);
    // Once metered, the next turn is refused.
    const next = await platform.fetch(`/v1/conversations/${conversations[0]}/messages`, {
      method: "POST",
      json: { content: vacationQuestion },
    });
    expect(next.status).toBe(402);
  });

  it("notifies the admins once when a soft limit crosses 80% and 100%", async () => {
    await changePlan(deps, "acme", "pro");
    const month = periodOf(new Date().toISOString());
    const limit = 200_000_000;
    await deps.store.set(usageMonthlyPath("acme", month), {
      period: month,
      inputTokens: Math.ceil(limit * 0.8) - 50,
    });
    const event = (id: string, tokens: number) =>
      deps.store.create(`tenants/acme/usageEvents/${id}`, {
        kind: "turn",
        agentId: hr,
        agentVersion: 1,
        conversationId: "c-soft",
        channel: "api",
        status: "answered",
        model: "local/extractive",
        inputTokens: tokens,
        outputTokens: 0,
        at: new Date().toISOString(),
        meteredAt: null,
      });
    await event("soft-1", 100);
    await event("soft-2", 10);
    await meterEvent(deps, "acme", "soft-1");
    await meterEvent(deps, "acme", "soft-2");
    const notices = await platform.deps.store.query({ collection: noticesPath("acme") });
    const soft = notices.filter((n) => n.id === `limit-80_tokensPerMonth_${month}`);
    expect(soft).toHaveLength(1);
    expect((soft[0]?.data as { message: string }).message).toMatch(/\(80%\)\.$/);
    await deps.store.delete(usageMonthlyPath("acme", month));
  });
});
