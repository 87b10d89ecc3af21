import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { billingOverview, counters, invoices, usageAnswer } from "../../test/billingFixtures";
import { jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { PlatformRequestError } from "../platform";
import { parseBillingOverview, parseBillingUsage, restBilling } from "./billing";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

const signal = new AbortController().signal;

describe("the billing overview", () => {
  it("reads every field the platform sends", () => {
    const body = billingOverview();
    const overview = parseBillingOverview(body);
    expect(overview.plan).toEqual(body.plan);
    expect(overview.account).toEqual(body.account);
    expect(overview.limits).toEqual(body.limits);
    expect(overview.ledger).toEqual(body.ledger);
    expect(overview.thisMonth.costMicros).toBe(12_496_900);
  });

  it.each([
    [
      "money that is not whole micros",
      { account: { ...billingOverview().account, balanceMicros: 47.5031 } },
      /account\.balanceMicros/,
    ],
    [
      "a status the studio does not know",
      { account: { ...billingOverview().account, status: "frozen" } },
      /account\.status/,
    ],
    [
      "a limit used a fraction",
      { limits: [{ ...billingOverview().limits[0], used: 0.5 }] },
      /limits\[0\]\.used/,
    ],
    ["a day's cost that is not a count", { today: counters({ costMicros: -1 }) }, /today\.costMicros/],
    ["top-ups that are not amounts", { topUpOptionsMicros: ["10"] }, /topUpOptionsMicros/],
  ])("refuses %s, naming the field", async (_what, change, field) => {
    stubPlatform({ "GET /v1/billing": () => jsonResponse(billingOverview(change)) });
    const error = await restBilling.getBillingOverview(signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlatformRequestError);
    expect((error as Error).message).toMatch(
      /GET \/v1\/billing answered with something that is not a billing overview/,
    );
    expect((error as Error).message).toMatch(field);
  });
});

describe("usage", () => {
  it("asks for the window's first and last day, and reads every day", async () => {
    const platform = stubPlatform({
      "GET /v1/billing/usage": (request) =>
        jsonResponse(usageAnswer(request.query.get("from") ?? "", request.query.get("to") ?? "")),
    });
    const usage = await restBilling.getBillingUsage({ from: "2026-11-19", to: "2026-11-25" }, signal);
    expect(platform.sent("GET /v1/billing/usage")[0]?.query.toString()).toBe("from=2026-11-19&to=2026-11-25");
    expect(usage.days.map((d) => d.day)).toHaveLength(7);
    expect(usage.totals).toEqual(counters());
  });

  it("refuses a day that is not a date", () => {
    const body = { ...usageAnswer("2026-11-24", "2026-11-25"), days: [{ ...counters(), day: "yesterday" }] };
    expect(() => parseBillingUsage(body)).toThrow("days[0].day");
  });
});

describe("Stripe's answers", () => {
  it("drops an invoice link that is not a web address", async () => {
    const [first] = invoices.invoices;
    stubPlatform({
      "GET /v1/billing/invoices": () =>
        jsonResponse({ invoices: [{ ...first, hostedInvoiceUrl: "javascript:alert(1)", pdfUrl: null }] }),
    });
    const [invoice] = await restBilling.listInvoices(signal);
    expect(invoice).toMatchObject({
      number: "ALC-0002",
      amountDue: 4900,
      hostedInvoiceUrl: null,
      pdfUrl: null,
    });
  });

  it("will not send the browser to an address that is not a web page", async () => {
    stubPlatform({
      "POST /v1/billing/checkout": () => jsonResponse({ url: "javascript:alert(1)", sessionId: "cs_1" }),
    });
    await expect(
      restBilling.startCheckout({
        kind: "topup",
        amountMicros: 10_000_000,
        returnUrl: "http://localhost:3000/",
      }),
    ).rejects.toThrow(
      /POST \/v1\/billing\/checkout answered with something that is not a Checkout session \(url\)/,
    );
  });
});
