/**
 * Billing (`/v1/billing*`): the workspace's plan and account (status, credits), its limits and how much of
 * each is used, usage per UTC day and by agent and model, the credits ledger, notices, Stripe invoices, and
 * the two ways out to Stripe (Checkout, the Customer Portal). The shapes the platform answers
 * (functions/src/billing/report.ts), the usage windows a screen asks for, and the data layer's section.
 *
 * Money is integer micros of the currency (1 USD = 1,000,000 micros), as the platform keeps it; invoices are
 * in the currency's smallest unit (cents), as Stripe keeps them. Neither is ever a float here.
 */
import { isRecord, type PlatformRequestError } from "./platform";

/** What a period's usage adds up to (a day, a month, a window). */
export interface UsageCounters {
  /** Turns that added an answer: answered + abstained + declined. */
  readonly turns: number;
  readonly answered: number;
  readonly abstained: number;
  readonly declined: number;
  /** Turns that failed (their tokens still count). */
  readonly failed: number;
  /** Conversations whose first turn was in the period. */
  readonly conversations: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Search queries and ingested passages, estimated from their text. */
  readonly embeddingTokens: number;
  readonly toolCalls: number;
  /** Document versions ingested, their pages and bytes. */
  readonly documents: number;
  readonly pages: number;
  readonly bytes: number;
  /** Messages sent on a channel that charges per message (WhatsApp). */
  readonly messagesSent: number;
  /** What the period cost, in micros. */
  readonly costMicros: number;
}

export const usageCounterNames = [
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
] as const satisfies readonly (keyof UsageCounters)[];

export const accountStatuses = ["active", "past_due", "restricted", "canceled"] as const;
/**
 * `past_due`: a payment failed and work continues until `graceUntil`; `restricted`: the grace ended and work
 * is refused until it is paid; `canceled`: the subscription ended and work is refused.
 */
export type AccountStatus = (typeof accountStatuses)[number];

export interface PlanLimit {
  readonly value: number;
  /** A hard limit refuses work past it (HTTP 402); a soft one only notifies. */
  readonly hard: boolean;
}

export interface BillingPlan {
  readonly id: string;
  readonly name: string;
  /** Credits granted at the start of each monthly period (unused ones expire at its end). */
  readonly includedCreditsMicros: number;
  /** Whether usage may go on past the credits, charged as metered usage. */
  readonly overage: boolean;
  readonly stripePriceId: string | null;
  /** The operator's words for the price, e.g. "$49 / month" (may be empty). */
  readonly priceLabel: string;
  readonly limits: Readonly<Record<string, PlanLimit>>;
}

export interface BillingAccount {
  readonly status: AccountStatus;
  /** Credits left, included ones counted; negative when overage ran past them. */
  readonly balanceMicros: number;
  /** What is left of this period's included credits (spent first). */
  readonly includedRemainingMicros: number;
  /** The monthly period, `2026-11` (UTC). */
  readonly period: string;
  /** When the period ends (ISO-8601: the first instant of the next one). */
  readonly periodEnd: string;
  /** While `past_due`: when work stops being accepted. */
  readonly graceUntil: string | null;
  /** Whether the workspace is a Stripe customer (the Customer Portal has something to show). */
  readonly stripeCustomer: boolean;
  /** Whether it pays for its plan with a Stripe subscription. */
  readonly subscribed: boolean;
}

/** One of the plan's limits with how much of it is used now. */
export interface LimitStanding {
  /** `conversationsPerDay`, `tokensPerMonth`, `documents`… */
  readonly name: string;
  /** How it reads in a sentence: "conversations per day". */
  readonly label: string;
  readonly value: number;
  readonly hard: boolean;
  /** `null` when it is not counted workspace-wide (per end user, say). */
  readonly used: number | null;
  /** When the count starts again; `null` for what is stocked (documents, members…). */
  readonly resetsAt: string | null;
}

/** A plan of the catalog, as offered. */
export interface PlanOffer {
  readonly id: string;
  readonly name: string;
  readonly priceLabel: string;
  readonly includedCreditsMicros: number;
  readonly overage: boolean;
  /** Whether Checkout can sell it (the operator gave it a Stripe price). */
  readonly purchasable: boolean;
}

export interface BillingNotice {
  readonly id: string;
  /** `limit-80`, `limit-100`, `limit-refused`, `credits-exhausted`, `payment-failed`, `meter-drift`. */
  readonly kind: string;
  readonly limit: string | null;
  /** The platform's sentence. */
  readonly message: string;
  readonly period: string;
  readonly at: string;
}

export interface CreditEntry {
  readonly id: string;
  /** `grant`, `topup`, `consumption`, `refund`, `expiry`, `adjustment`. */
  readonly kind: string;
  /** Signed: what it added (or took, negative). */
  readonly amountMicros: number;
  readonly balanceAfterMicros: number;
  readonly at: string;
  /** What caused it: a usage event, a Stripe event, a period, an operator. */
  readonly ref: string;
  readonly note: string;
}

/** `GET /v1/billing`. */
export interface BillingOverview {
  /** Whether the operator connected Stripe: without it, Checkout, the Portal and invoices are not there. */
  readonly connected: boolean;
  /** ISO 4217, lower case (`usd`). */
  readonly currency: string;
  readonly catalogVersion: number;
  readonly plan: BillingPlan;
  readonly account: BillingAccount;
  readonly thisMonth: UsageCounters;
  readonly today: UsageCounters;
  readonly limits: readonly LimitStanding[];
  readonly plans: readonly PlanOffer[];
  /** The top-ups on offer, in micros. */
  readonly topUpOptionsMicros: readonly number[];
  /** Newest first. */
  readonly notices: readonly BillingNotice[];
  /** The latest credit entries, newest first. */
  readonly ledger: readonly CreditEntry[];
}

export interface UsageDay extends UsageCounters {
  /** The UTC day, `2026-11-25`. */
  readonly day: string;
}

/** One agent's turns on one model over the window. */
export interface ModelUsage {
  readonly agentId: string;
  /** `provider/model`. */
  readonly model: string;
  readonly turns: number;
  readonly failed: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly toolCalls: number;
  readonly costMicros: number;
}

/** `GET /v1/billing/usage`. */
export interface BillingUsage {
  /** First and last day, inclusive. */
  readonly from: string;
  readonly to: string;
  readonly currency: string;
  /** Every day of the window, oldest first, quiet ones included. */
  readonly days: readonly UsageDay[];
  readonly totals: UsageCounters;
  /** Costliest first. */
  readonly byModel: readonly ModelUsage[];
}

/** A Stripe invoice; amounts in the currency's smallest unit (cents). */
export interface Invoice {
  readonly id: string;
  readonly number: string | null;
  /** `draft`, `open`, `paid`, `uncollectible`, `void`. */
  readonly status: string | null;
  readonly amountDue: number;
  readonly amountPaid: number;
  readonly currency: string;
  readonly created: string;
  readonly hostedInvoiceUrl: string | null;
  readonly pdfUrl: string | null;
}

export type CheckoutRequest =
  | { readonly kind: "subscription"; readonly planId: string; readonly returnUrl: string }
  | { readonly kind: "topup"; readonly amountMicros: number; readonly returnUrl: string };

/** Where to send the browser: Stripe's page. */
export interface StripeRedirect {
  readonly url: string;
}

// ----- the usage window ------------------------------------------------------------------------------

export const usageRanges = [7, 30, 90] as const;
export type UsageRange = (typeof usageRanges)[number];
export const defaultUsageRange: UsageRange = 30;

export interface UsageWindow {
  /** First and last UTC day, inclusive (`2026-11-25`). */
  readonly from: string;
  readonly to: string;
}

const dayMs = 86_400_000;
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days, today included. */
export function usageWindowOf(days: UsageRange, now: Date): UsageWindow {
  const today = Date.parse(isoDay(now.getTime()));
  return { from: isoDay(today - (days - 1) * dayMs), to: isoDay(today) };
}

// ----- refusals for the plan or the credits (HTTP 402) --------------------------------------------------

/** What a `payment-required` refusal says in `details.billing`. */
export interface BillingRefusal {
  /** A limit's name, `credits` or `payment`. */
  readonly limit: string | null;
  readonly value: number | null;
  readonly used: number | null;
  readonly resetsAt: string | null;
}

/** Whether the platform refused for the plan's limits, the credits or a payment (HTTP 402). */
export function isPaymentRequired(error: PlatformRequestError): boolean {
  return error.code === "payment-required" || (error.failure === "http" && error.status === 402);
}

/** The refusal's facts, when `error` is one and says them (a public channel's refusal says less). */
export function billingRefusalOf(error: PlatformRequestError): BillingRefusal | undefined {
  if (!isPaymentRequired(error)) return undefined;
  const billing = isRecord(error.details) ? error.details.billing : undefined;
  if (!isRecord(billing)) return { limit: null, value: null, used: null, resetsAt: null };
  const numberOrNull = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return {
    limit: typeof billing.limit === "string" ? billing.limit : null,
    value: numberOrNull(billing.value),
    used: numberOrNull(billing.used),
    resetsAt: typeof billing.resetsAt === "string" ? billing.resetsAt : null,
  };
}

// ----- the source section --------------------------------------------------------------------------

export interface BillingSource {
  /** Admins and owners; others get a 403. */
  getBillingOverview(signal: AbortSignal): Promise<BillingOverview>;
  /** At most 92 days. */
  getBillingUsage(window: UsageWindow, signal: AbortSignal): Promise<BillingUsage>;
  /** Owners; a 400 (`failed-precondition`) when Stripe is not connected. Newest first. */
  listInvoices(signal: AbortSignal): Promise<Invoice[]>;
  /** Owners: a Checkout session for a plan or a top-up; the browser goes to its `url`. */
  startCheckout(request: CheckoutRequest): Promise<StripeRedirect>;
  /** Owners: a Customer Portal session that comes back to `returnUrl`. */
  openBillingPortal(returnUrl: string): Promise<StripeRedirect>;
}
