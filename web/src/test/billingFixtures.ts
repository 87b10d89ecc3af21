/**
 * Acme Corp's billing as the platform answers it (functions/src/billing/report.ts `billingOverview` and
 * `usageReport`, the Stripe port's `InvoiceSummary`): on the Pro plan in November 2026, paying with Stripe,
 * part way through the month. Money is integer micros (invoices: cents), as the platform sends it.
 */
import { jsonResponse, type PlatformRoute } from "./platformFetch";

/** "Today" for billing tests: Nov 25, 2026 (UTC). */
export const billingNow = new Date("2026-11-25T15:00:00.000Z");

const counterNames = [
  "turns",
  "answered",
  "abstained",
  "declined",
  "failed",
  "conversations",
  "inputTokens",
  "outputTokens",
  "embeddingTokens",
  "toolCalls",
  "documents",
  "pages",
  "bytes",
  "messagesSent",
  "costMicros",
] as const;
type Counters = Record<(typeof counterNames)[number], number>;

export function counters(values: Partial<Counters> = {}): Counters {
  return { ...(Object.fromEntries(counterNames.map((n) => [n, 0])) as Counters), ...values };
}

/** A day of HR assistant traffic: `turns` answered turns at about 350 input and 60 output tokens each. */
function busyDay(turns: number, costMicros: number): Partial<Counters> {
  return {
    turns,
    answered: turns - 1,
    abstained: 1,
    conversations: Math.ceil(turns / 3),
    inputTokens: turns * 350,
    outputTokens: turns * 60,
    embeddingTokens: turns * 12,
    toolCalls: Math.floor(turns / 4),
    costMicros,
  };
}

export const thisMonth = counters({
  ...busyDay(1840, 12_496_900),
  documents: 14,
  pages: 212,
  bytes: 18_400_000,
});

export const proPlan = {
  id: "pro",
  name: "Pro",
  includedCreditsMicros: 50_000_000,
  overage: true,
  stripePriceId: "price_1PRO",
  priceLabel: "$49 / month",
  limits: {
    conversationsPerDay: { value: 20_000, hard: false },
    conversationsPerEndUserPerDay: { value: 200, hard: true },
    tokensPerMonth: { value: 200_000_000, hard: false },
    documents: { value: 10_000, hard: true },
    storageBytes: { value: 10 * 1024 * 1024 * 1024, hard: true },
    members: { value: 50, hard: true },
    agents: { value: 100, hard: true },
  },
};

/** `GET /v1/billing` for the owner of a workspace that pays for Pro with Stripe. */
export function billingOverview(overrides: Record<string, unknown> = {}) {
  return {
    connected: true,
    currency: "usd",
    catalogVersion: 3,
    plan: proPlan,
    account: {
      status: "active",
      balanceMicros: 47_503_100,
      includedRemainingMicros: 37_503_100,
      period: "2026-11",
      periodEnd: "2026-12-01T00:00:00.000Z",
      graceUntil: null,
      stripeCustomer: true,
      subscribed: true,
    },
    thisMonth,
    today: counters(busyDay(64, 431_250)),
    limits: [
      {
        name: "conversationsPerDay",
        label: "conversations per day",
        value: 20_000,
        hard: false,
        used: 22,
        resetsAt: "2026-11-26T00:00:00.000Z",
      },
      {
        name: "conversationsPerEndUserPerDay",
        label: "conversations per end user per day",
        value: 200,
        hard: true,
        used: null,
        resetsAt: "2026-11-26T00:00:00.000Z",
      },
      {
        name: "tokensPerMonth",
        label: "model tokens per month",
        value: 200_000_000,
        hard: false,
        used: 754_400,
        resetsAt: "2026-12-01T00:00:00.000Z",
      },
      { name: "documents", label: "documents", value: 10_000, hard: true, used: 212, resetsAt: null },
      {
        name: "storageBytes",
        label: "bytes of documents stored",
        value: 10 * 1024 * 1024 * 1024,
        hard: true,
        used: 18_400_000,
        resetsAt: null,
      },
      { name: "members", label: "members", value: 50, hard: true, used: 4, resetsAt: null },
      { name: "agents", label: "agents", value: 100, hard: true, used: 2, resetsAt: null },
    ],
    plans: [
      {
        id: "free",
        name: "Free",
        priceLabel: "$0",
        includedCreditsMicros: 5_000_000,
        overage: false,
        purchasable: false,
      },
      {
        id: "pro",
        name: "Pro",
        priceLabel: "$49 / month",
        includedCreditsMicros: 50_000_000,
        overage: true,
        purchasable: true,
      },
      {
        id: "enterprise",
        name: "Enterprise",
        priceLabel: "Custom",
        includedCreditsMicros: 0,
        overage: true,
        purchasable: false,
      },
    ],
    topUpOptionsMicros: [10_000_000, 50_000_000, 200_000_000],
    notices: [
      {
        id: "limit-80_tokensPerMonth_2026-10",
        kind: "limit-80",
        limit: "tokensPerMonth",
        message: "This workspace has used 80% of its 200,000,000 model tokens per month (Pro plan).",
        period: "2026-10",
        at: "2026-10-28T09:12:00.000Z",
      },
    ],
    ledger: [
      {
        id: "use_evt_8f2a",
        kind: "consumption",
        amountMicros: -3_100,
        balanceAfterMicros: 47_503_100,
        at: "2026-11-25T14:58:00.000Z",
        ref: "evt_8f2a",
        note: "",
      },
      {
        id: "topup_evt_1QxY",
        kind: "topup",
        amountMicros: 10_000_000,
        balanceAfterMicros: 47_506_200,
        at: "2026-11-20T10:00:00.000Z",
        ref: "evt_1QxY",
        note: "Stripe Checkout",
      },
      {
        id: "grant_period_2026-11",
        kind: "grant",
        amountMicros: 50_000_000,
        balanceAfterMicros: 50_000_000,
        at: "2026-11-01T00:00:00.000Z",
        ref: "2026-11",
        note: "Pro plan: included credits for 2026-11",
      },
    ],
    ...overrides,
  };
}

/** The Free plan as the platform runs it without Stripe: credits an operator granted, nothing to buy. */
export function unconnectedOverview() {
  const overview = billingOverview();
  return billingOverview({
    connected: false,
    plan: { ...proPlan, id: "free", name: "Free", stripePriceId: null, priceLabel: "$0", overage: false },
    account: { ...overview.account, stripeCustomer: false, subscribed: false },
    plans: overview.plans.map((p) => ({ ...p, purchasable: false })),
  });
}

const dayMs = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * `GET /v1/billing/usage` for [from, to]: quiet days, and the HR assistant's traffic on the days of `busy`
 * (day → [turns, cost in micros]). Totals and the breakdown add up the days, as the platform's do.
 */
export function usageAnswer(from: string, to: string, busy: Readonly<Record<string, [number, number]>> = {}) {
  const days = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += dayMs) {
    const day = isoDay(t);
    const traffic = busy[day];
    days.push({ day, ...counters(traffic ? busyDay(...traffic) : {}) });
  }
  const totals = counters();
  for (const day of days) for (const n of counterNames) totals[n] += day[n];
  const byModel =
    totals.turns > 0
      ? [
          {
            agentId: "agt_hr",
            model: "openai/gpt-4o-mini",
            turns: totals.turns,
            failed: totals.failed,
            inputTokens: totals.inputTokens,
            outputTokens: totals.outputTokens,
            toolCalls: totals.toolCalls,
            costMicros: totals.costMicros,
          },
        ]
      : [];
  return { from, to, currency: "usd", days, totals, byModel };
}

/** Three busy days of the last week of November 2026. */
export const novemberTraffic: Record<string, [number, number]> = {
  "2026-11-20": [120, 812_400],
  "2026-11-23": [45, 3_100],
  "2026-11-25": [64, 431_250],
};

export const invoices = {
  invoices: [
    {
      id: "in_1Nov",
      number: "ALC-0002",
      status: "paid",
      amountDue: 4900,
      amountPaid: 4900,
      currency: "usd",
      created: "2026-11-01T00:00:00.000Z",
      hostedInvoiceUrl: "https://invoice.stripe.com/i/acct_1/test_nov",
      pdfUrl: "https://pay.stripe.com/invoice/acct_1/test_nov/pdf",
    },
    {
      id: "in_1Oct",
      number: "ALC-0001",
      status: "paid",
      amountDue: 4900,
      amountPaid: 4900,
      currency: "usd",
      created: "2026-10-01T00:00:00.000Z",
      hostedInvoiceUrl: "https://invoice.stripe.com/i/acct_1/test_oct",
      pdfUrl: "https://pay.stripe.com/invoice/acct_1/test_oct/pdf",
    },
  ],
};

/** Every billing route of Acme Corp, answering `overview` (and the usage of the window asked). */
export function billingRoutes(overview: unknown = billingOverview()): Record<string, PlatformRoute> {
  return {
    "GET /v1/billing": () => jsonResponse(overview),
    "GET /v1/billing/usage": (request) =>
      jsonResponse(
        usageAnswer(request.query.get("from") ?? "", request.query.get("to") ?? "", novemberTraffic),
      ),
    "GET /v1/billing/invoices": () => jsonResponse(invoices),
  };
}
