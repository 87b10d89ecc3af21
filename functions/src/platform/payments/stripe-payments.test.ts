/**
 * The Stripe adapter through the real `stripe` SDK against the fake Stripe server: what the SDK actually sent,
 * what the adapter made of the answers, and how refusals and failures reach the platform.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { manualClock } from "../clock.js";
import { loadConfig } from "../config.js";
import { AppError } from "../errors.js";
import { setLogSink } from "../log.js";
import type { Payments } from "../ports.js";
import {
  FAKE_STRIPE_METER,
  checkoutCompletedEvent,
  invoicePaidEvent,
  signedWebhook,
  startFakeStripeServer,
  subscriptionUpdatedEvent,
  type FakeStripeServer,
} from "../testing/fake-stripe-server.js";
import { choosePayments } from "./index.js";
import { openStripePayments } from "./stripe-payments.js";

let fake: FakeStripeServer;
let payments: Payments;
/** What the adapter logged (failures are logged as warnings): kept out of the test output, and read. */
const logged: string[] = [];
let restoreLog: ReturnType<typeof setLogSink>;

beforeAll(async () => {
  restoreLog = setLogSink((line) => void logged.push(line));
  fake = await startFakeStripeServer();
  payments = await openStripePayments({
    secretKey: fake.secretKey,
    webhookSecret: fake.webhookSecret,
    apiUrl: fake.url,
    timeoutMs: 5000,
  });
});
afterAll(async () => {
  setLogSink(restoreLog);
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  logged.length = 0;
});

/** The AppError a call fails with (the test fails if it succeeds or throws anything else). */
async function failure(call: () => unknown): Promise<AppError> {
  try {
    await call();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}

const newCustomer = async (name = "Acme Corp"): Promise<string> =>
  (
    await payments.createCustomer({
      name,
      metadata: { tenantId: "acme" },
      idempotencyKey: `customer-${name}`,
    })
  ).id;

describe("customers", () => {
  it("creates one customer per idempotency key, with the workspace in its metadata", async () => {
    const first = await payments.createCustomer({
      name: "Acme Corp",
      metadata: { tenantId: "acme" },
      idempotencyKey: "customer-acme",
    });
    const again = await payments.createCustomer({
      name: "Acme Corp",
      metadata: { tenantId: "acme" },
      idempotencyKey: "customer-acme",
    });
    expect(first.id).toMatch(/^cus_/);
    expect(again.id).toBe(first.id);
    expect([...fake.customers.keys()]).toEqual([first.id]);
    expect(fake.customers.get(first.id)).toMatchObject({ name: "Acme Corp", metadata: { tenantId: "acme" } });
    const sent = fake.requestsTo("POST", "/v1/customers");
    expect(sent.map((r) => r.idempotencyKey)).toEqual(["customer-acme", "customer-acme"]);
    expect(sent[0]?.body).toEqual({ name: "Acme Corp", metadata: { tenantId: "acme" } });

    const other = await payments.createCustomer({
      name: "Globex",
      metadata: { tenantId: "globex" },
      idempotencyKey: "customer-globex",
    });
    expect(other.id).not.toBe(first.id);
    expect(fake.customers.size).toBe(2);
  });
});

describe("checkout", () => {
  it("opens a subscription checkout for the plan's price, its metadata on the session and the subscription", async () => {
    const customerId = await newCustomer();
    const price = fake.addPrice({
      id: "price_pro_monthly",
      unitAmount: 4900,
      recurring: { interval: "month" },
    });
    const session = await payments.createCheckoutSession({
      customerId,
      mode: "subscription",
      priceId: "price_pro_monthly",
      successUrl: "https://app.example.com/billing?checkout=done",
      cancelUrl: "https://app.example.com/billing",
      metadata: { tenantId: "acme", plan: "pro" },
      idempotencyKey: "checkout-acme-pro-1",
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`https://checkout.stripe.com/c/pay/${session.id}`);
    const [sent] = fake.requestsTo("POST", "/v1/checkout/sessions");
    expect(sent?.idempotencyKey).toBe("checkout-acme-pro-1");
    expect(sent?.body).toEqual({
      mode: "subscription",
      customer: customerId,
      line_items: [{ price: price.id, quantity: "1" }],
      subscription_data: { metadata: { tenantId: "acme", plan: "pro" } },
      metadata: { tenantId: "acme", plan: "pro" },
      success_url: "https://app.example.com/billing?checkout=done",
      cancel_url: "https://app.example.com/billing",
    });

    // Paid, the subscription carries the metadata its later webhooks will bring back.
    const events = fake.completeCheckout(session.id);
    expect(events.map((e) => e.type)).toEqual([
      "checkout.session.completed",
      "customer.subscription.created",
      "invoice.paid",
    ]);
    expect(events[1]?.data.object).toMatchObject({
      customer: customerId,
      status: "active",
      metadata: { tenantId: "acme", plan: "pro" },
    });
  });

  it("opens a one-off payment checkout for a credit top-up", async () => {
    const customerId = await newCustomer();
    const session = await payments.createCheckoutSession({
      customerId,
      mode: "payment",
      amount: { currency: "usd", unitAmount: 2500, name: "Alchemist credits: 25 USD" },
      successUrl: "https://app.example.com/billing?topup=done",
      cancelUrl: "https://app.example.com/billing",
      metadata: { tenantId: "acme", kind: "topup" },
      idempotencyKey: "topup-acme-1",
    });
    const [sent] = fake.requestsTo("POST", "/v1/checkout/sessions");
    expect(sent?.body).toEqual({
      mode: "payment",
      customer: customerId,
      line_items: [
        {
          price_data: {
            currency: "usd",
            unit_amount: "2500",
            product_data: { name: "Alchemist credits: 25 USD" },
          },
          quantity: "1",
        },
      ],
      metadata: { tenantId: "acme", kind: "topup" },
      success_url: "https://app.example.com/billing?topup=done",
      cancel_url: "https://app.example.com/billing",
    });
    expect(fake.checkoutSessions.get(session.id)).toMatchObject({ amount_total: 2500, mode: "payment" });
  });

  it("refuses a checkout it cannot describe before calling Stripe, and passes Stripe's refusals on", async () => {
    const customerId = await newCustomer();
    const base = {
      customerId,
      successUrl: "https://app.example.com/ok",
      cancelUrl: "https://app.example.com/no",
      metadata: { tenantId: "acme" },
    };
    expect(
      (
        await failure(() =>
          payments.createCheckoutSession({ ...base, mode: "subscription", idempotencyKey: "a" }),
        )
      ).code,
    ).toBe("invalid-argument");
    expect(
      (await failure(() => payments.createCheckoutSession({ ...base, mode: "payment", idempotencyKey: "b" })))
        .code,
    ).toBe("invalid-argument");
    expect(fake.requestsTo("POST", "/v1/checkout/sessions")).toHaveLength(0);

    const unknownPrice = await failure(() =>
      payments.createCheckoutSession({
        ...base,
        mode: "subscription",
        priceId: "price_gone",
        idempotencyKey: "c",
      }),
    );
    expect(unknownPrice.code).toBe("invalid-argument");
    expect(unknownPrice.message).toContain("No such price: 'price_gone'");
  });
});

describe("customer portal", () => {
  it("opens a portal session that returns to the billing page", async () => {
    const customerId = await newCustomer();
    const portal = await payments.createPortalSession({
      customerId,
      returnUrl: "https://app.example.com/billing",
    });
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\/test_/);
    const [sent] = fake.requestsTo("POST", "/v1/billing_portal/sessions");
    expect(sent?.body).toEqual({ customer: customerId, return_url: "https://app.example.com/billing" });
    expect(fake.portalSessions.size).toBe(1);
  });
});

describe("webhooks", () => {
  const event = checkoutCompletedEvent({
    customer: "cus_acme",
    mode: "subscription",
    subscription: "sub_acme",
    metadata: { tenantId: "acme", plan: "pro" },
  });
  const now = (): number => Math.floor(Date.now() / 1000);

  it("accepts a delivery signed with the endpoint's secret, as the provider's event", () => {
    const delivery = fake.signedWebhook(event);
    const verified = payments.verifyWebhook(Buffer.from(delivery.body), delivery.signature);
    expect(verified).toEqual({
      id: event.id,
      type: "checkout.session.completed",
      created: event.created,
      data: event.data.object,
    });
    expect(verified.data).toMatchObject({
      metadata: { tenantId: "acme", plan: "pro" },
      subscription: "sub_acme",
    });
  });

  it("accepts a delivery 299 seconds old", () => {
    const delivery = fake.signedWebhook(event, { timestamp: now() - 299 });
    expect(payments.verifyWebhook(Buffer.from(delivery.body), delivery.signature).id).toBe(event.id);
  });

  it.each([
    [
      "a body changed after signing",
      () => {
        const d = fake.signedWebhook(event);
        return [Buffer.from(d.body.replace('"pro"', '"enterprise"')), d.signature] as const;
      },
      /does not match the body/,
    ],
    [
      "a signature made with another secret",
      () => {
        const d = signedWebhook(event, "whsec_someone_else_0123456789");
        return [Buffer.from(d.body), d.signature] as const;
      },
      /does not match the body/,
    ],
    [
      "no Stripe-Signature header",
      () => [Buffer.from(fake.signedWebhook(event).body), undefined] as const,
      /header is missing/,
    ],
    [
      "an empty Stripe-Signature header",
      () => [Buffer.from(fake.signedWebhook(event).body), ""] as const,
      /missing/,
    ],
    [
      "a signature older than 300 seconds (a replay)",
      () => {
        const d = fake.signedWebhook(event, { timestamp: now() - 301 });
        return [Buffer.from(d.body), d.signature] as const;
      },
      /more than 300 seconds old/,
    ],
    [
      "a header that is not a signature",
      () => [Buffer.from(fake.signedWebhook(event).body), "v1=deadbeef"] as const,
      /does not match the body/,
    ],
  ])("refuses %s as invalid-argument", (_label, make, reason) => {
    const [body, signature] = make();
    let thrown: unknown;
    try {
      payments.verifyWebhook(body, signature);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe("invalid-argument");
    expect((thrown as AppError).message).toMatch(reason);
    expect((thrown as AppError).message).not.toContain(fake.webhookSecret);
  });

  it("refuses a correctly signed body that is not a Stripe event", () => {
    for (const body of ["not json", "{}", '{"id":"evt_1","type":"invoice.paid","created":1,"data":{}}']) {
      const delivery = signedWebhook(body, fake.webhookSecret);
      expect(() => payments.verifyWebhook(Buffer.from(delivery.body), delivery.signature)).toThrow(
        /^Invalid Stripe webhook: the body is not (JSON|a Stripe event)/,
      );
    }
  });

  it("judges a delivery's age by the platform's clock", async () => {
    const clock = manualClock(new Date("2026-03-01T12:00:00Z"));
    const clocked = await openStripePayments({
      secretKey: fake.secretKey,
      webhookSecret: fake.webhookSecret,
      apiUrl: fake.url,
      clock,
    });
    const signedAt = Date.parse("2026-03-01T11:58:00Z") / 1000;
    const delivery = fake.signedWebhook(invoicePaidEvent({ customer: "cus_acme", amountDue: 4900 }), {
      timestamp: signedAt,
    });
    expect(clocked.verifyWebhook(Buffer.from(delivery.body), delivery.signature).type).toBe("invoice.paid");
    clock.advance(5 * 60_000);
    expect(() => clocked.verifyWebhook(Buffer.from(delivery.body), delivery.signature)).toThrow(
      /more than 300 seconds old/,
    );
  });

  it("keeps what the event builders put in: ids, types and subscription fields", () => {
    const updated = subscriptionUpdatedEvent(
      {
        customer: "cus_acme",
        priceId: "price_pro_monthly",
        status: "past_due",
        metadata: { tenantId: "acme" },
      },
      { previousAttributes: { status: "active" } },
    );
    const delivery = fake.signedWebhook(updated);
    const verified = payments.verifyWebhook(Buffer.from(delivery.body), delivery.signature);
    expect(verified.id).toMatch(/^evt_/);
    expect(verified.type).toBe("customer.subscription.updated");
    expect(verified.data).toMatchObject({
      object: "subscription",
      status: "past_due",
      metadata: { tenantId: "acme" },
    });
  });
});

describe("usage meter", () => {
  const meterId = FAKE_STRIPE_METER.id;
  const eventName = FAKE_STRIPE_METER.eventName;
  /** A minute boundary an hour ago. */
  const base = Math.floor(Date.now() / 1000 / 60) * 60 - 3600;

  it("reports each event once by its identifier and sums the customer's events over [start, end)", async () => {
    const acme = await newCustomer("Acme Corp");
    const globex = await newCustomer("Globex");
    const event = (identifier: string, customerId: string, value: number, at: number) => ({
      identifier,
      eventName,
      customerId,
      value,
      timestamp: at,
    });
    await payments.reportMeterEvents([
      event("turn-1", acme, 120, base + 10),
      event("turn-2", acme, 80, base + 70),
      event("turn-1", acme, 120, base + 10),
      event("turn-3", globex, 999, base + 20),
      event("turn-4", acme, 5, base + 600),
    ]);
    // A retried report (the same identifiers) adds nothing.
    await payments.reportMeterEvents([event("turn-2", acme, 80, base + 70)]);
    expect(fake.meterEvents.map((e) => e.identifier)).toEqual(["turn-1", "turn-2", "turn-3", "turn-4"]);
    const [first] = fake.requestsTo("POST", "/v1/billing/meter_events");
    expect(first?.body).toEqual({
      event_name: eventName,
      identifier: "turn-1",
      timestamp: String(base + 10),
      payload: { stripe_customer_id: acme, value: "120" },
    });

    expect(await payments.meterTotal({ meterId, customerId: acme, start: base, end: base + 3600 })).toBe(205);
    expect(await payments.meterTotal({ meterId, customerId: globex, start: base, end: base + 3600 })).toBe(
      999,
    );
    // The end is exclusive: the event at base+600 falls outside [base, base+600).
    expect(await payments.meterTotal({ meterId, customerId: acme, start: base, end: base + 600 })).toBe(200);
  });

  it("asks Stripe for minute-aligned windows that cover the range given", async () => {
    const acme = await newCustomer();
    await payments.reportMeterEvents([
      { identifier: "t-1", eventName, customerId: acme, value: 7, timestamp: base + 65 },
    ]);
    expect(await payments.meterTotal({ meterId, customerId: acme, start: base + 17, end: base + 100 })).toBe(
      7,
    );
    const [sent] = fake.requestsTo("GET", `/v1/billing/meters/${meterId}/event_summaries`);
    expect(sent?.query).toEqual({ customer: acme, start_time: String(base), end_time: String(base + 120) });
  });

  it("refuses a fractional value before sending anything", async () => {
    const acme = await newCustomer();
    const refused = await failure(() =>
      payments.reportMeterEvents([
        { identifier: "x", eventName, customerId: acme, value: 1.5, timestamp: base },
      ]),
    );
    expect(refused.code).toBe("invalid-argument");
    expect(fake.requestsTo("POST", "/v1/billing/meter_events")).toHaveLength(0);
  });

  it("names an unknown meter as not found", async () => {
    const acme = await newCustomer();
    const refused = await failure(() =>
      payments.meterTotal({ meterId: "mtr_missing", customerId: acme, start: base, end: base + 60 }),
    );
    expect(refused.code).toBe("not-found");
  });

  it("adds up every page of summaries", async () => {
    const paged = await startFakeStripeServer({ groupSummariesBy: "hour" });
    try {
      const client = await openStripePayments({
        secretKey: paged.secretKey,
        webhookSecret: paged.webhookSecret,
        apiUrl: paged.url,
      });
      const { id: customerId } = await client.createCustomer({
        name: "Acme",
        metadata: {},
        idempotencyKey: "c",
      });
      const hour = Math.floor(Date.now() / 1000 / 3600) * 3600 - 14 * 3600;
      const events = Array.from({ length: 13 }, (_, i) => ({
        identifier: `h-${i}`,
        eventName,
        customerId,
        value: i + 1,
        timestamp: hour + i * 3600 + 30,
      }));
      await client.reportMeterEvents(events);
      // 13 hourly summaries, 10 to a page: two pages, 1 + 2 + ... + 13 = 91.
      expect(await client.meterTotal({ meterId, customerId, start: hour, end: hour + 14 * 3600 })).toBe(91);
      const pages = paged.requestsTo("GET", `/v1/billing/meters/${meterId}/event_summaries`);
      expect(pages).toHaveLength(2);
      expect(pages[1]?.query.starting_after).toEqual(expect.stringMatching(/^mtrusg_/));
    } finally {
      await paged.close();
    }
  });
});

describe("invoices", () => {
  it("lists the customer's newest invoices first, mapped to the platform's summary", async () => {
    const acme = await newCustomer("Acme Corp");
    const globex = await newCustomer("Globex");
    const t = Date.parse("2026-04-01T00:00:00Z") / 1000;
    fake.addInvoice({
      id: "in_march",
      customer: acme,
      subscription: "sub_1",
      amountDue: 4900,
      created: t - 31 * 86400,
      number: "ALC-0001",
    });
    const april = fake.addInvoice({
      id: "in_april",
      customer: acme,
      subscription: "sub_1",
      amountDue: 4900,
      status: "open",
      created: t,
      number: "ALC-0002",
    });
    fake.addInvoice({ id: "in_feb", customer: acme, amountDue: 2500, created: t - 60 * 86400 });
    fake.addInvoice({ id: "in_globex", customer: globex, amountDue: 100, created: t + 10 });

    const listed = await payments.listInvoices(acme, 2);
    expect(listed).toEqual([
      {
        id: "in_april",
        number: "ALC-0002",
        status: "open",
        amountDue: 4900,
        amountPaid: 0,
        currency: "usd",
        created: "2026-04-01T00:00:00.000Z",
        hostedInvoiceUrl: april.hosted_invoice_url,
        pdfUrl: april.invoice_pdf,
      },
      {
        id: "in_march",
        number: "ALC-0001",
        status: "paid",
        amountDue: 4900,
        amountPaid: 4900,
        currency: "usd",
        created: "2026-03-01T00:00:00.000Z",
        hostedInvoiceUrl: expect.stringMatching(/^https:\/\/invoice\.stripe\.com\//),
        pdfUrl: expect.stringMatching(/\/pdf$/),
      },
    ]);
    expect(fake.requestsTo("GET", "/v1/invoices")[0]?.query).toEqual({ customer: acme, limit: "2" });
  });
});

describe("failures", () => {
  it("retries a transient 500 and succeeds, with one customer made", async () => {
    fake.failNext(1, { status: 500 });
    const { id } = await payments.createCustomer({ name: "Acme", metadata: {}, idempotencyKey: "retry-1" });
    const sent = fake.requestsTo("POST", "/v1/customers");
    expect(sent.map((r) => r.status)).toEqual([500, 200]);
    expect([...fake.customers.keys()]).toEqual([id]);
  });

  it("makes one customer when the first answer is lost after Stripe acted (the retry is replayed)", async () => {
    fake.failNext(1, { status: 500, when: "after" });
    const { id } = await payments.createCustomer({ name: "Acme", metadata: {}, idempotencyKey: "retry-2" });
    expect(fake.customers.size).toBe(1);
    expect(fake.customers.has(id)).toBe(true);
    expect(fake.requestsTo("POST", "/v1/customers").map((r) => r.status)).toEqual([500, 200]);
  });

  it("gives up after its retries as unavailable", async () => {
    fake.failNext(3, { status: 500 });
    const refused = await failure(() =>
      payments.createCustomer({ name: "Acme", metadata: {}, idempotencyKey: "retry-3" }),
    );
    expect(refused.code).toBe("unavailable");
    expect(fake.requestsTo("POST", "/v1/customers")).toHaveLength(3);
    expect(fake.customers.size).toBe(0);
  });

  it("reports a rate limit as resource-exhausted, retrying it only when Stripe says so", async () => {
    fake.failNext(1, { status: 429 });
    expect(
      (await failure(() => payments.createPortalSession({ customerId: "cus_x", returnUrl: "https://x" })))
        .code,
    ).toBe("resource-exhausted");
    const acme = await newCustomer();
    fake.failNext(1, { status: 429, shouldRetry: true });
    await payments.createPortalSession({ customerId: acme, returnUrl: "https://app.example.com/billing" });
    expect(fake.requestsTo("POST", "/v1/billing_portal/sessions").map((r) => r.status)).toEqual([
      429, 429, 200,
    ]);
  });

  it("names a rejected key without repeating it", async () => {
    const wrongKey = "sk_test_wrong0123456789abcdefXYZ";
    const wrong = await openStripePayments({
      secretKey: wrongKey,
      webhookSecret: fake.webhookSecret,
      apiUrl: fake.url,
    });
    const refused = await failure(() =>
      wrong.createCustomer({ name: "A", metadata: {}, idempotencyKey: "k" }),
    );
    expect(refused.code).toBe("failed-precondition");
    expect(refused.message).toContain("STRIPE_SECRET_KEY");
    expect(refused.message).not.toContain("wrong0123");
    expect(JSON.stringify(refused.details)).not.toContain("wrong0123");
    expect(logged.join("\n")).toContain("a Stripe customer request failed");
    expect(logged.join("\n")).not.toContain("wrong0123");
  });
});

describe("choosePayments", () => {
  it("takes no payments without a secret key, and Stripe with one", async () => {
    expect(await choosePayments(loadConfig({}))).toBeUndefined();
    expect(
      await choosePayments(loadConfig({ STRIPE_SECRET_KEY: "none", STRIPE_WEBHOOK_SECRET: "none" })),
    ).toBeUndefined();
    const chosen = await choosePayments(loadConfig({ ...fake.env }));
    expect(chosen).toBeDefined();
    const { id } = await chosen!.createCustomer({ name: "Acme", metadata: {}, idempotencyKey: "chosen" });
    expect(fake.customers.has(id)).toBe(true);
  });
});
