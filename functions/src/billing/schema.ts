/**
 * Billing's documents: their zod schemas and path helpers, in one place.
 *
 * ```
 * tenants/{t}/usageEvents/{eventId}          metering input, one per billable unit of work (usage.ts)
 * tenants/{t}/usageDaily/{yyyy-mm-dd}        the workspace's counters for one UTC day
 * tenants/{t}/usageMonthly/{yyyy-mm}         the same for one calendar month (what monthly limits read)
 * tenants/{t}/usageByModel/{day}_{agent}_{m} one agent's turns on one model for one day
 * tenants/{t}/billing/account                plan, status, credits balance, Stripe ids
 * tenants/{t}/creditEntries/{entryId}        the append-only credits ledger
 * tenants/{t}/billingNotices/{noticeId}      limits reached and payment problems, once per period each
 * stripeEvents/{eventId}                     Stripe webhook events received, processed once each
 * stripeCustomers/{customerId}              the workspace of a Stripe customer
 * billingCatalogs/{version}                  the operator's price book and plans, versioned, effective from a date
 * ```
 *
 * Money is integer micro-units of the catalog's currency (1 USD = 1,000,000 micros): never a float.
 */
import { z } from "zod";
import { checkId, tenantPath } from "../platform/caller.js";

const int = z.number().int();
const count = int.min(0);

// ---------------------------------------------------------------------------------------------------
// Counters: what a rollup adds up
// ---------------------------------------------------------------------------------------------------

/**
 * Upper bounds (ms, inclusive) of the turn latency histogram's buckets; one more bucket holds everything
 * slower. A percentile read from the histogram is the upper bound of the bucket it falls in, so it is off
 * by at most that bucket's width.
 */
export const latencyBoundsMs = [
  25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10_000, 15_000, 20_000, 30_000, 60_000,
  120_000,
] as const;

export const latencyBucketOf = (ms: number): number => {
  const i = latencyBoundsMs.findIndex((bound) => ms <= bound);
  return i === -1 ? latencyBoundsMs.length : i;
};

export const countersSchema = z.object({
  /** Turns that added an answer (answered + abstained + declined). */
  turns: count.default(0),
  answered: count.default(0),
  abstained: count.default(0),
  declined: count.default(0),
  /** Turns that failed: nothing was added to the conversation (their tokens still count). */
  failed: count.default(0),
  /** Conversations whose first turn was in the period (a conversation counts once, on its first turn's day). */
  conversations: count.default(0),
  inputTokens: count.default(0),
  outputTokens: count.default(0),
  /** Tokens embedded: search queries of turns, and ingested passages. Estimated from text, 4 characters each. */
  embeddingTokens: count.default(0),
  toolCalls: count.default(0),
  /** Document versions ingested, their pages (a text file is one page) and bytes. */
  documents: count.default(0),
  pages: count.default(0),
  bytes: count.default(0),
  /** Messages the platform sent on a channel that charges per message (WhatsApp). */
  messagesSent: count.default(0),
  /** What the period's usage cost, priced when each event was metered. */
  costMicros: count.default(0),
  /** Sum and count of answered turns' confidence (0..1): the mean is their ratio. Not money. */
  confidenceSum: z.number().min(0).default(0),
  confidenceCount: count.default(0),
  /** Turns (failed ones too) per latency bucket (`latencyBoundsMs`). */
  latency: z.array(count).default([]),
  /** ISO-8601 time of the newest event counted. */
  lastAt: z.string().nullable().default(null),
});
export type Counters = z.infer<typeof countersSchema>;

export const emptyCounters = (): Counters => countersSchema.parse({});

export const modelUsageSchema = z.object({
  agentId: z.string(),
  model: z.string(),
  turns: count.default(0),
  failed: count.default(0),
  inputTokens: count.default(0),
  outputTokens: count.default(0),
  toolCalls: count.default(0),
  costMicros: count.default(0),
});
export type ModelUsage = z.infer<typeof modelUsageSchema>;

export const rollupSchema = countersSchema.extend({
  /** `yyyy-mm-dd` for a day, `yyyy-mm` for a month. */
  period: z.string(),
  /** The same counters for each channel with activity (api, widget, whatsapp, ...). */
  channels: z.record(z.string(), countersSchema).default({}),
  /** Turns by agent and model (`{agentId}|{provider/model}`): the period's breakdown, read with the rollup. */
  models: z.record(z.string(), modelUsageSchema).default({}),
  /**
   * The part of the counters above that Sandbox turns (eval runs, replays, simulations) made: they are billed
   * like any turn, so the counters hold them, and kept here too so the usage report shows them on their own
   * line and analytics subtract them. Sandbox turns are in no channel's counters. Absent: none.
   */
  sandbox: countersSchema.optional(),
});
export type Rollup = z.infer<typeof rollupSchema>;

export const modelRollupSchema = rollupSchema.extend({
  agentId: z.string(),
  /** `provider/model`. */
  model: z.string(),
});
export type ModelRollup = z.infer<typeof modelRollupSchema>;

export const usageDailyPath = (tenantId: string, day: string): string =>
  `${tenantPath(tenantId)}/usageDaily/${day}`;
export const usageDailyCollection = (tenantId: string): string => `${tenantPath(tenantId)}/usageDaily`;
export const usageMonthlyPath = (tenantId: string, month: string): string =>
  `${tenantPath(tenantId)}/usageMonthly/${month}`;
export const usageByModelCollection = (tenantId: string): string => `${tenantPath(tenantId)}/usageByModel`;

/** A model name as part of a document id: `/` and anything unusual become `_`, with a short hash against clashes. */
export function modelKey(model: string): string {
  let h = 0;
  for (const c of model) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return `${model.replace(/[^A-Za-z0-9.-]/g, "_").slice(0, 80)}-${h.toString(36)}`;
}
export const usageByModelPath = (tenantId: string, day: string, agentId: string, model: string): string =>
  `${usageByModelCollection(tenantId)}/${day}_${checkId(agentId, "agent id")}_${modelKey(model)}`;

// ---------------------------------------------------------------------------------------------------
// The catalog: price book and plans
// ---------------------------------------------------------------------------------------------------

const micros = count;

export const limitNames = [
  "conversationsPerDay",
  "conversationsPerEndUserPerDay",
  "tokensPerMonth",
  "documents",
  "storageBytes",
  "members",
  "agents",
] as const;
export type LimitName = (typeof limitNames)[number];

/** How each limit reads in a message. */
export const limitLabels: Record<LimitName, string> = {
  conversationsPerDay: "conversations per day",
  conversationsPerEndUserPerDay: "conversations per end user per day",
  tokensPerMonth: "model tokens per month",
  documents: "documents",
  storageBytes: "bytes of documents stored",
  members: "members",
  agents: "agents",
};

/**
 * A limit: `hard` refuses what would go past `value` (HTTP 402) and notifies at 80%; a soft limit never
 * refuses and notifies at 80% and at 100%.
 */
export const limitSchema = z.object({ value: count, hard: z.boolean() });

export const planSchema = z.object({
  name: z.string().min(1).max(80),
  /** Credits granted at the start of every monthly period; unused ones expire at its end. */
  includedCreditsMicros: micros,
  /** Whether usage may continue once credits run out (charged as metered usage through Stripe). */
  overage: z.boolean(),
  /** The Stripe Price of the plan's subscription; a plan without one cannot be bought through Checkout. */
  stripePriceId: z.string().min(1).max(200).nullable().default(null),
  /** What the studio shows as the price, e.g. "$49 / month". */
  priceLabel: z.string().max(80).default(""),
  limits: z.partialRecord(z.enum(limitNames), limitSchema).default({}),
});
export type Plan = z.infer<typeof planSchema>;

/** Price per million tokens, in micros: 150,000 is $0.15 per million. */
const tokenPrice = z.object({ inputPerMillion: micros, outputPerMillion: micros });

export const priceBookSchema = z.object({
  /** By `provider/model`; models not listed use `defaultModel`. */
  models: z.record(z.string(), tokenPrice).default({}),
  defaultModel: tokenPrice,
  embeddingPerMillion: micros,
  toolCall: micros,
  conversation: micros,
  page: micros,
  /** Per message sent on a channel that charges per message (WhatsApp). */
  message: micros,
});
export type PriceBook = z.infer<typeof priceBookSchema>;

export const catalogSchema = z.object({
  version: int.min(0),
  /** From this instant on, usage is priced and plans are read from this version. */
  effectiveFrom: z.iso.datetime({ offset: true }),
  /** ISO 4217, lower case, as Stripe spells it. */
  currency: z.string().regex(/^[a-z]{3}$/, "must be a 3-letter ISO 4217 code such as usd"),
  prices: priceBookSchema,
  plans: z.record(z.string().regex(/^[a-z0-9-]{1,40}$/), planSchema).refine((p) => "free" in p, {
    message: "must define the free plan (every new workspace starts on it)",
  }),
  /** Credits a top-up may buy, in micros (Checkout's line item is this amount in the currency's cents). */
  topUpOptionsMicros: z.array(micros.min(1_000_000)).max(10).default([10_000_000, 50_000_000, 200_000_000]),
  note: z.string().max(500).default(""),
  createdAt: z.string().optional(),
  createdBy: z.string().optional(),
});
export type Catalog = z.infer<typeof catalogSchema>;

export const catalogsCollection = "billingCatalogs";
export const catalogPath = (version: number): string =>
  `${catalogsCollection}/${String(version).padStart(8, "0")}`;

// ---------------------------------------------------------------------------------------------------
// Account and credits ledger
// ---------------------------------------------------------------------------------------------------

export const accountStatuses = ["active", "past_due", "restricted", "canceled"] as const;

export const accountSchema = z.object({
  planId: z.string(),
  /** `past_due`: a payment failed, usage continues until `graceUntil`; `restricted`: refused until paid. */
  status: z.enum(accountStatuses),
  /** Always the sum of the ledger's entries. */
  balanceMicros: int,
  /** What is left of the period's included credits (spent first; expires at the period's end). */
  includedRemainingMicros: micros,
  /** The current monthly period, `yyyy-mm` (UTC). */
  period: z.string(),
  graceUntil: z.string().nullable(),
  stripeCustomerId: z.string().nullable(),
  stripeSubscriptionId: z.string().nullable(),
  /** `created` (seconds) of the last subscription event applied: older ones arriving late are ignored. */
  subscriptionEventAt: z.number().int().nullable().default(null),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Account = z.infer<typeof accountSchema>;

export const accountPath = (tenantId: string): string => `${tenantPath(tenantId)}/billing/account`;

export const creditKinds = ["grant", "topup", "consumption", "refund", "expiry", "adjustment"] as const;
export type CreditKind = (typeof creditKinds)[number];

export const creditEntrySchema = z.object({
  kind: z.enum(creditKinds),
  /** Signed: grants and top-ups add, consumption and expiries subtract. */
  amountMicros: int,
  balanceAfterMicros: int,
  at: z.string(),
  /** What caused it: a usage event id, a Stripe event id, a period, an operator. */
  ref: z.string(),
  note: z.string().default(""),
});
export type CreditEntry = z.infer<typeof creditEntrySchema>;

export const creditEntriesPath = (tenantId: string): string => `${tenantPath(tenantId)}/creditEntries`;
export const creditEntryPath = (tenantId: string, id: string): string =>
  `${creditEntriesPath(tenantId)}/${id}`;

export const noticeSchema = z.object({
  kind: z.enum([
    "limit-80",
    "limit-100",
    "limit-refused",
    "credits-exhausted",
    "payment-failed",
    "meter-drift",
  ]),
  /** The limit concerned, when it is about one. */
  limit: z.string().nullable(),
  message: z.string(),
  /** The period it is about: once per period per limit and kind. */
  period: z.string(),
  at: z.string(),
});
export type Notice = z.infer<typeof noticeSchema>;
export const noticesPath = (tenantId: string): string => `${tenantPath(tenantId)}/billingNotices`;

/** A Stripe webhook event as received: processed once (by its id), whichever workspace it concerns. */
export const stripeEventRecordSchema = z.object({
  type: z.string(),
  /** The verified event as Stripe sent it: the queued task reads it from here. */
  event: z.object({
    id: z.string(),
    type: z.string(),
    created: int,
    data: z.record(z.string(), z.unknown()),
  }),
  receivedAt: z.string(),
  status: z.enum(["queued", "processed", "ignored"]),
  tenantId: z.string().nullable(),
  processedAt: z.string().nullable(),
  /** What it changed, in words: "granted 10,000,000 micros", "plan pro", "no workspace". */
  outcome: z.string().nullable(),
});
export type StripeEventRecord = z.infer<typeof stripeEventRecordSchema>;
export const stripeEventPath = (eventId: string): string => `stripeEvents/${checkId(eventId, "event id")}`;
/** Which workspace a Stripe customer is (written when billing creates the customer). */
export const stripeCustomerPath = (customerId: string): string =>
  `stripeCustomers/${checkId(customerId, "customer id")}`;
