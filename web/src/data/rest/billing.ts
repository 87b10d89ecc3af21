/**
 * Billing over the platform's REST API (both modes: the platform computes it; see billing.ts for the
 * interface): the requests, and the reading of their answers, checked at the edge. Money must be whole
 * micros (or cents), and a link Stripe answers must be an http(s) address before the studio sends anyone to it.
 */
import {
  accountStatuses,
  usageCounterNames,
  type AccountStatus,
  type BillingAccount,
  type BillingNotice,
  type BillingOverview,
  type BillingPlan,
  type BillingSource,
  type BillingUsage,
  type CreditEntry,
  type Invoice,
  type LimitStanding,
  type ModelUsage,
  type PlanLimit,
  type PlanOffer,
  type StripeRedirect,
  type UsageCounters,
  type UsageDay,
  type UsageWindow,
} from "../billing";
import { requestAsSignedIn } from "../session";
import {
  field,
  isBoolean,
  isCount,
  isInstant,
  isNullableInstant,
  isString,
  isWebAddress,
  list,
  optional,
  parseWith,
  record,
  ShapeError,
  within,
} from "./shape";

export const billingPath = "/v1/billing";
export const billingUsagePath = "/v1/billing/usage";
export const invoicesPath = "/v1/billing/invoices";
export const checkoutPath = "/v1/billing/checkout";
export const portalPath = "/v1/billing/portal";

export function billingUsageRequestPath(window: UsageWindow): string {
  return `${billingUsagePath}?${new URLSearchParams({ from: window.from, to: window.to }).toString()}`;
}

export const restBilling: BillingSource = {
  async getBillingOverview(signal) {
    const body = await requestAsSignedIn(billingPath, { signal });
    return parseWith(
      () => parseBillingOverview(body),
      `GET ${billingPath}`,
      billingPath,
      "a billing overview",
    );
  },
  async getBillingUsage(window, signal) {
    const path = billingUsageRequestPath(window);
    const body = await requestAsSignedIn(path, { signal });
    return parseWith(() => parseBillingUsage(body), `GET ${path}`, path, "a usage report");
  },
  async listInvoices(signal) {
    const body = await requestAsSignedIn(invoicesPath, { signal });
    return parseWith(
      () => list(body, "invoices").map((v, i) => within(`invoices[${i}]`, () => parseInvoice(v))),
      `GET ${invoicesPath}`,
      invoicesPath,
      "a list of invoices",
    );
  },
  async startCheckout(request) {
    const body = await requestAsSignedIn(checkoutPath, { method: "POST", body: request });
    return parseWith(() => parseRedirect(body), `POST ${checkoutPath}`, checkoutPath, "a Checkout session");
  },
  async openBillingPortal(returnUrl) {
    const body = await requestAsSignedIn(portalPath, { method: "POST", body: { returnUrl } });
    return parseWith(() => parseRedirect(body), `POST ${portalPath}`, portalPath, "a billing portal session");
  },
};

// ----- parsing ----------------------------------------------------------------------------------------

/** Money and anything signed: a whole number (a balance may be negative). */
const isInteger = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
const isDay = (v: unknown): v is string => isString(v) && /^\d{4}-\d{2}-\d{2}$/.test(v);
const isStatus = (v: unknown): v is AccountStatus =>
  isString(v) && (accountStatuses as readonly string[]).includes(v);
const isCountArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isCount);

function parseCounters(value: unknown): UsageCounters {
  const c = record(value, "counters");
  const counters = Object.fromEntries(usageCounterNames.map((name) => [name, field(c, name, isCount)]));
  return counters as unknown as UsageCounters;
}

function parseLimit(value: unknown): PlanLimit {
  const l = record(value, "limit");
  return { value: field(l, "value", isCount), hard: field(l, "hard", isBoolean) };
}

function parsePlan(value: unknown): BillingPlan {
  const p = record(value, "plan");
  const limits = p.limits === undefined ? {} : record(p.limits, "limits");
  return {
    id: field(p, "id", isString),
    name: field(p, "name", isString),
    includedCreditsMicros: field(p, "includedCreditsMicros", isCount),
    overage: field(p, "overage", isBoolean),
    stripePriceId: optional(p, "stripePriceId", isString, null),
    priceLabel: optional(p, "priceLabel", isString, ""),
    limits: Object.fromEntries(
      Object.entries(limits).map(([name, limit]) => [
        name,
        within(`limits.${name}`, () => parseLimit(limit)),
      ]),
    ),
  };
}

function parseAccount(value: unknown): BillingAccount {
  const a = record(value, "account");
  return {
    status: field(a, "status", isStatus),
    balanceMicros: field(a, "balanceMicros", isInteger),
    includedRemainingMicros: field(a, "includedRemainingMicros", isCount),
    period: field(a, "period", isString),
    periodEnd: field(a, "periodEnd", isInstant),
    graceUntil: field(a, "graceUntil", isNullableInstant),
    stripeCustomer: field(a, "stripeCustomer", isBoolean),
    subscribed: field(a, "subscribed", isBoolean),
  };
}

function parseLimitStanding(value: unknown): LimitStanding {
  const l = record(value, "limit");
  const used = l.used ?? null;
  if (used !== null && !isCount(used)) throw new ShapeError("used");
  return {
    name: field(l, "name", isString),
    label: field(l, "label", isString),
    value: field(l, "value", isCount),
    hard: field(l, "hard", isBoolean),
    used,
    resetsAt: optional(l, "resetsAt", isInstant, null),
  };
}

function parsePlanOffer(value: unknown): PlanOffer {
  const p = record(value, "plan");
  return {
    id: field(p, "id", isString),
    name: field(p, "name", isString),
    priceLabel: optional(p, "priceLabel", isString, ""),
    includedCreditsMicros: field(p, "includedCreditsMicros", isCount),
    overage: field(p, "overage", isBoolean),
    purchasable: field(p, "purchasable", isBoolean),
  };
}

function parseNotice(value: unknown): BillingNotice {
  const n = record(value, "notice");
  return {
    id: field(n, "id", isString),
    kind: field(n, "kind", isString),
    limit: optional(n, "limit", isString, null),
    message: field(n, "message", isString),
    period: field(n, "period", isString),
    at: field(n, "at", isInstant),
  };
}

function parseCreditEntry(value: unknown): CreditEntry {
  const e = record(value, "entry");
  return {
    id: field(e, "id", isString),
    kind: field(e, "kind", isString),
    amountMicros: field(e, "amountMicros", isInteger),
    balanceAfterMicros: field(e, "balanceAfterMicros", isInteger),
    at: field(e, "at", isInstant),
    ref: optional(e, "ref", isString, ""),
    note: optional(e, "note", isString, ""),
  };
}

/** Reads `GET /v1/billing`'s answer. */
export function parseBillingOverview(body: unknown): BillingOverview {
  const b = record(body, "body");
  const listOf = <T>(key: string, parse: (v: unknown) => T): T[] =>
    field(b, key, Array.isArray).map((v, i) => within(`${key}[${i}]`, () => parse(v)));
  return {
    connected: field(b, "connected", isBoolean),
    currency: field(b, "currency", isString),
    catalogVersion: field(b, "catalogVersion", isCount),
    plan: within("plan", () => parsePlan(b.plan)),
    account: within("account", () => parseAccount(b.account)),
    thisMonth: within("thisMonth", () => parseCounters(b.thisMonth)),
    today: within("today", () => parseCounters(b.today)),
    limits: listOf("limits", parseLimitStanding),
    plans: listOf("plans", parsePlanOffer),
    topUpOptionsMicros: field(b, "topUpOptionsMicros", isCountArray),
    notices: listOf("notices", parseNotice),
    ledger: listOf("ledger", parseCreditEntry),
  };
}

function parseModelUsage(value: unknown): ModelUsage {
  const m = record(value, "model");
  return {
    agentId: field(m, "agentId", isString),
    model: field(m, "model", isString),
    turns: field(m, "turns", isCount),
    failed: field(m, "failed", isCount),
    inputTokens: field(m, "inputTokens", isCount),
    outputTokens: field(m, "outputTokens", isCount),
    toolCalls: field(m, "toolCalls", isCount),
    costMicros: field(m, "costMicros", isCount),
  };
}

/** Reads `GET /v1/billing/usage`'s answer. */
export function parseBillingUsage(body: unknown): BillingUsage {
  const b = record(body, "body");
  return {
    from: field(b, "from", isDay),
    to: field(b, "to", isDay),
    currency: field(b, "currency", isString),
    days: field(b, "days", Array.isArray).map((v, i): UsageDay =>
      within(`days[${i}]`, () => ({ day: field(record(v, "day"), "day", isDay), ...parseCounters(v) })),
    ),
    totals: within("totals", () => parseCounters(b.totals)),
    byModel: field(b, "byModel", Array.isArray).map((v, i) =>
      within(`byModel[${i}]`, () => parseModelUsage(v)),
    ),
  };
}

function parseInvoice(value: unknown): Invoice {
  const i = record(value, "invoice");
  return {
    id: field(i, "id", isString),
    number: optional(i, "number", isString, null),
    status: optional(i, "status", isString, null),
    amountDue: field(i, "amountDue", isCount),
    amountPaid: field(i, "amountPaid", isCount),
    currency: field(i, "currency", isString),
    created: field(i, "created", isInstant),
    // A link that is not a web address is left out rather than offered.
    hostedInvoiceUrl: isWebAddress(i.hostedInvoiceUrl) ? i.hostedInvoiceUrl : null,
    pdfUrl: isWebAddress(i.pdfUrl) ? i.pdfUrl : null,
  };
}

function parseRedirect(body: unknown): StripeRedirect {
  return { url: field(record(body, "body"), "url", isWebAddress) };
}
