/**
 * Money through Stripe, against the local fake of Stripe's API (the real `stripe` SDK, webhooks signed by its
 * own test helper): Checkout for top-ups and subscriptions, the webhook exactly once per event, plans and
 * failed payments, the Customer Portal and invoices, usage reported to the billing meter and reconciled.
 * Nothing talks to Stripe.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json } from "../channels/openai/testing/fixture.js";
import type { Deps } from "../platform/deps.js";
import {
  invoicePaymentFailedEvent,
  signedWebhook,
  startFakeStripeServer,
  subscriptionDeletedEvent,
  subscriptionUpdatedEvent,
  type FakeStripeServer,
  type StripeEventPayload,
} from "../platform/testing/fake-stripe-server.js";
import { defaultCatalog, publishCatalog } from "./catalog.js";
import { changePlan, loadAccount } from "./ledger.js";
import { accountPath, accountSchema, creditEntriesPath, noticesPath, stripeEventPath } from "./schema.js";
import { reconcileDailyUsage, reportDailyUsage } from "./stripe.js";

let stripe: FakeStripeServer;
let platform: TestPlatform;
let deps: Deps;
let proPrice: string;
let returnUrl: string;

beforeAll(async () => {
  stripe = await startFakeStripeServer();
  platform = await startTestPlatform({ ...stripe.env, RATE_LIMIT_PUBLIC_PER_IP: "0" });
  deps = platform.deps as unknown as Deps;
  returnUrl = `${platform.url}/settings/billing`;
  proPrice = stripe.addPrice({ unitAmount: 4900, recurring: { interval: "month" } }).id as string;
  const { version: _v, effectiveFrom: _e, ...draft } = defaultCatalog;
  await publishCatalog(
    deps,
    {
      ...draft,
      effectiveFrom: new Date().toISOString(),
      plans: { ...draft.plans, pro: { ...draft.plans.pro, stripePriceId: proPrice } },
    },
    "test",
  );
  await changePlan(deps, "acme", "free");
}, 60_000);

afterAll(async () => {
  await platform?.close();
  await stripe?.close();
});

async function deliver(event: object, init: { signature?: string; body?: string } = {}): Promise<Response> {
  const signed = stripe.signedWebhook(event);
  return fetch(`${platform.url}/webhooks/stripe`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(init.signature === "" ? {} : { "stripe-signature": init.signature ?? signed.signature }),
    },
    body: init.body ?? signed.body,
  });
}

async function processed(eventId: string): Promise<{ status: string; outcome: string | null }> {
  const end = Date.now() + 20_000;
  for (;;) {
    const snap = await platform.deps.store.get(stripeEventPath(eventId));
    const record = snap?.data as { status: string; outcome: string | null } | undefined;
    if (record && record.status !== "queued") return record;
    if (Date.now() > end) throw new Error(`event ${eventId} was not processed`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function entries(tenantId: string) {
  return platform.deps.store.query({ collection: creditEntriesPath(tenantId) });
}

async function checkout(body: Record<string, unknown>): Promise<{ url: string; sessionId: string }> {
  const res = await platform.fetch("/v1/billing/checkout", {
    method: "POST",
    headers: { origin: platform.url },
    json: { returnUrl, ...body },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return json(res);
}

describe("Stripe", () => {
  it("a top-up: Checkout, then a webhook replayed 3 times grants the credits once", async () => {
    const before = await loadAccount(deps, "acme");
    const session = await checkout({ kind: "topup", amountMicros: 10_000_000 });
    expect(session.url).toMatch(/^https?:\/\//);
    const created = stripe.checkoutSessions.get(session.sessionId) as Record<string, unknown>;
    expect(created).toMatchObject({
      mode: "payment",
      metadata: { tenantId: "acme", kind: "topup", creditsMicros: "10000000" },
    });
    expect(String(created.success_url)).toBe(`${returnUrl}?checkout=success`);
    // One customer per workspace, created lazily and reused.
    expect(stripe.customers.size).toBe(1);
    await checkout({ kind: "topup", amountMicros: 50_000_000 });
    expect(stripe.customers.size).toBe(1);

    const [completed] = stripe.completeCheckout(session.sessionId) as [StripeEventPayload];
    for (let i = 0; i < 3; i++) expect((await deliver(completed)).status).toBe(200);
    expect(await processed(completed.id)).toMatchObject({
      status: "processed",
      outcome: "granted 10000000 micros",
    });
    // Replays after processing are recorded as duplicates and change nothing either.
    expect(await json<{ duplicate: boolean }>(await deliver(completed))).toMatchObject({ duplicate: true });
    const topups = (await entries("acme")).filter((e) => e.id.startsWith("topup_"));
    expect(topups).toHaveLength(1);
    const after = await loadAccount(deps, "acme");
    expect(after.balanceMicros - before.balanceMicros).toBe(10_000_000);
  });

  it("a bad, missing, stale or foreign signature is a 400 and stores nothing", async () => {
    const event = {
      id: "evt_forged_1",
      object: "event",
      type: "checkout.session.completed",
      created: 1,
      data: { object: {} },
    };
    const signed = stripe.signedWebhook(event);
    const stale = stripe.signedWebhook(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    const cases = [
      { body: signed.body.replace("evt_forged_1", "evt_forged_2"), signature: signed.signature }, // tampered
      { body: signed.body, signature: "" }, // missing
      { body: stale.body, signature: stale.signature }, // stale
      { body: signed.body, signature: "t=1,v1=deadbeef" }, // garbage
    ];
    const before = (await entries("acme")).length;
    for (const c of cases) {
      const res = await deliver(event, c);
      expect(res.status).toBe(400);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe("invalid-argument");
    }
    expect(await platform.deps.store.get(stripeEventPath("evt_forged_1"))).toBeNull();
    expect(await platform.deps.store.get(stripeEventPath("evt_forged_2"))).toBeNull();
    expect((await entries("acme")).length).toBe(before);
    // Signed JSON that is not an event object, and an oversized body, are refused too.
    const notJson = signedWebhook("not json at all", stripe.webhookSecret);
    expect((await deliver({}, { body: notJson.body, signature: notJson.signature })).status).toBe(400);
    const big = await deliver({}, { body: "x".repeat(3 * 1024 * 1024) });
    expect([400, 413]).toContain(big.status);
  });

  it("a subscription: Checkout, the plan takes effect, a failed payment starts a grace period, cancelling ends it", async () => {
    const session = await checkout({ kind: "subscription", planId: "pro" });
    expect(stripe.checkoutSessions.get(session.sessionId)).toMatchObject({ mode: "subscription" });
    const events = stripe.completeCheckout(session.sessionId);
    expect(events.map((e) => e.type)).toEqual([
      "checkout.session.completed",
      "customer.subscription.created",
      "invoice.paid",
    ]);
    for (const e of events) {
      expect((await deliver(e)).status).toBe(200);
      await processed(e.id);
    }
    let account = await loadAccount(deps, "acme");
    expect(account).toMatchObject({ planId: "pro", status: "active" });
    expect(account.stripeSubscriptionId).toMatch(/^sub_/);
    const grants = (await entries("acme")).filter((e) => e.id.startsWith("grant_plan_pro_"));
    expect(grants).toHaveLength(1);
    // A second subscription is refused: the plan changes through the Portal.
    const second = await platform.fetch("/v1/billing/checkout", {
      method: "POST",
      headers: { origin: platform.url },
      json: { kind: "subscription", planId: "pro", returnUrl },
    });
    expect(second.status).toBe(400);
    expect((await json<{ error: { message: string } }>(second)).error.message).toMatch(
      /already has a subscription/,
    );

    const customer = account.stripeCustomerId as string;
    const failed = invoicePaymentFailedEvent({
      customer,
      amountDue: 4900,
      subscription: account.stripeSubscriptionId,
    });
    await deliver(failed);
    await processed(failed.id);
    account = await loadAccount(deps, "acme");
    expect(account.status).toBe("past_due");
    expect(Date.parse(account.graceUntil as string)).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    const notices = await platform.deps.store.query({ collection: noticesPath("acme") });
    expect(notices.some((n) => n.id === `payment-failed_${failed.id}`)).toBe(true);

    // A subscription event older than the last one applied is ignored (Stripe does not promise order).
    const old = subscriptionUpdatedEvent(
      { id: account.stripeSubscriptionId as string, customer, priceId: proPrice, status: "unpaid" },
      { created: 1000 },
    );
    await deliver(old);
    expect(await processed(old.id)).toMatchObject({ status: "ignored" });

    const ended = subscriptionDeletedEvent(
      { id: account.stripeSubscriptionId as string, customer, priceId: proPrice },
      { created: Math.floor(Date.now() / 1000) + 5 },
    );
    await deliver(ended);
    await processed(ended.id);
    account = await loadAccount(deps, "acme");
    expect(account).toMatchObject({ planId: "free", stripeSubscriptionId: null });
  });

  it("an event naming another workspace than its customer's is ignored", async () => {
    const account = accountSchema.parse((await platform.deps.store.get(accountPath("acme")))?.data);
    const before = (await entries("globex")).length;
    const session = await checkout({ kind: "topup", amountMicros: 10_000_000 });
    const [completed] = stripe.completeCheckout(session.sessionId) as [StripeEventPayload];
    const forged = structuredClone(completed) as unknown as {
      id: string;
      data: { object: { metadata: Record<string, string> } };
    };
    forged.id = "evt_cross_tenant";
    forged.data.object.metadata.tenantId = "globex";
    await deliver(forged);
    expect(await processed("evt_cross_tenant")).toMatchObject({ status: "ignored" });
    expect((await entries("globex")).length).toBe(before);
    expect(account.stripeCustomerId).toBeTruthy();
  });

  it("opens the Customer Portal, lists invoices, and refuses return URLs off the studio's origins", async () => {
    const portal = await platform.fetch("/v1/billing/portal", {
      method: "POST",
      headers: { origin: platform.url },
      json: { returnUrl },
    });
    expect(portal.status).toBe(200);
    expect((await json<{ url: string }>(portal)).url).toMatch(/^https?:\/\//);
    const account = await loadAccount(deps, "acme");
    stripe.addInvoice({
      customer: account.stripeCustomerId as string,
      amountDue: 4900,
      status: "paid",
      number: "ACME-0001",
    });
    const invoices = await json<{ invoices: { number: string; amountPaid: number }[] }>(
      await platform.fetch("/v1/billing/invoices"),
    );
    expect(invoices.invoices.some((i) => i.number === "ACME-0001" && i.amountPaid === 4900)).toBe(true);
    const evil = await platform.fetch("/v1/billing/portal", {
      method: "POST",
      headers: { origin: platform.url },
      json: { returnUrl: "https://evil.example/phish" },
    });
    expect(evil.status).toBe(400);
    const viewer = await platform.fetch("/v1/billing/checkout", {
      method: "POST",
      key: platform.keys.admin,
      json: { kind: "topup", amountMicros: 10_000_000, returnUrl },
    });
    expect(viewer.status).toBe(403);
    const odd = await platform.fetch("/v1/billing/checkout", {
      method: "POST",
      headers: { origin: platform.url },
      json: { kind: "topup", amountMicros: 1_234_567, returnUrl },
    });
    expect(odd.status).toBe(400);
    // A transient Stripe failure is retried by the SDK.
    stripe.failNext(1, { status: 500 });
    const retried = await platform.fetch("/v1/billing/portal", {
      method: "POST",
      headers: { origin: platform.url },
      json: { returnUrl },
    });
    expect(retried.status).toBe(200);
  });

  it("reports a closed day's usage to the billing meter once, and reconciles it", async () => {
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await deps.store.set(`tenants/acme/usageDaily/${day}`, { period: day, costMicros: 123_456 });
    expect(await reportDailyUsage(deps, { tenantId: "acme", day })).toBe("reported 123456");
    expect(await reportDailyUsage(deps, { tenantId: "acme", day })).toBe("reported 123456");
    const events = stripe.meterEvents.filter((e) => e.identifier === `acme_${day}`);
    expect(events).toHaveLength(1);
    expect(await reconcileDailyUsage(deps, { tenantId: "acme", day })).toBe(0);
    // The rollup moved after reporting (a late event): the drift is found and noticed.
    await deps.store.set(`tenants/acme/usageDaily/${day}`, { period: day, costMicros: 123_500 });
    expect(await reconcileDailyUsage(deps, { tenantId: "acme", day })).toBe(-44);
    const notices = await platform.deps.store.query({ collection: noticesPath("acme") });
    expect(notices.some((n) => n.id === `meter-drift_${day}`)).toBe(true);
  });
});

describe("without Stripe", () => {
  let plain: TestPlatform;
  beforeAll(async () => {
    plain = await startTestPlatform();
  });
  afterAll(async () => {
    await plain?.close();
  });

  it("runs on credits: the overview says billing is not connected, Checkout and the webhook refuse clearly", async () => {
    const overview = await json<{ connected: boolean; plan: { id: string } }>(
      await plain.fetch("/v1/billing"),
    );
    expect(overview.connected).toBe(false);
    const res = await plain.fetch("/v1/billing/checkout", {
      method: "POST",
      json: { kind: "topup", amountMicros: 10_000_000, returnUrl: `${plain.url}/settings/billing` },
    });
    expect(res.status).toBe(400);
    expect((await json<{ error: { message: string } }>(res)).error.message).toMatch(
      /not connected to Stripe/,
    );
    const hook = await fetch(`${plain.url}/webhooks/stripe`, { method: "POST", body: "{}" });
    expect(hook.status).toBe(400);
  });
});
