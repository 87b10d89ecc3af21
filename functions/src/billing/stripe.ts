/**
 * Money through Stripe (the `Payments` port): Checkout for subscriptions and credit top-ups, the Customer
 * Portal, the webhook, and usage reported to a Stripe billing meter.
 *
 * - A workspace's Stripe customer is created on first need, with an idempotency key per workspace, and
 *   indexed (`stripeCustomers/{id}`) so webhooks find their workspace.
 * - The webhook verifies `Stripe-Signature` over the raw body (300 s tolerance), records the event under its
 *   id and queues it: it answers fast, and a replayed event is recorded once and processed once. A bad
 *   signature is a 400 and stores nothing.
 * - Processing applies an event in one transaction with its record, so it happens exactly once: a top-up
 *   adds credits (`topup_{eventId}`), subscription events set the plan, a failed invoice starts a grace
 *   period after which the workspace is restricted, a paid one ends it. Subscription events older than the
 *   last one applied are ignored (Stripe does not promise order).
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import type { Payments, PaymentEvent } from "../platform/ports.js";
import { catalogAt, planOf } from "./catalog.js";
import { accountAsOf, commitLedger, dayEnd, planGranted, readAccount, switchPlan } from "./ledger.js";
import { noticePath } from "./notices.js";
import {
  rollupSchema,
  stripeCustomerPath,
  stripeEventPath,
  stripeEventRecordSchema,
  usageDailyPath,
  type Catalog,
  type StripeEventRecord,
} from "./schema.js";

export const stripeEventQueue = "billing-stripeEvent";
export const meterUsageQueue = "billing-reportUsage";
/** How long a workspace keeps working after a failed payment before it is restricted. */
export const gracePeriodDays = 7;

export function requirePayments(deps: Deps): Payments {
  if (!deps.payments) {
    throw new AppError(
      "failed-precondition",
      "Billing is not connected to Stripe on this installation (STRIPE_SECRET_KEY is not set): the workspace runs on credits, which an operator grants",
    );
  }
  return deps.payments;
}

// ---------------------------------------------------------------------------------------------------
// Customers, Checkout, Portal
// ---------------------------------------------------------------------------------------------------

/** The workspace's Stripe customer, created (once, whatever races) on first need. */
export async function ensureCustomer(deps: Deps, tenantId: string, name: string): Promise<string> {
  const payments = requirePayments(deps);
  const existing = await readAccount(deps.store, tenantId);
  if (existing?.stripeCustomerId) return existing.stripeCustomerId;
  // The idempotency key makes a second creation (a race, a retry) return the same customer.
  const customer = await payments.createCustomer({
    name,
    metadata: { tenantId },
    idempotencyKey: `alchemist-customer-${tenantId}`,
  });
  const now = deps.clock.nowIso();
  const catalog = await catalogAt(deps, now);
  await deps.store.runTransaction(async (tx) => {
    const ledger = accountAsOf(await readAccount(tx, tenantId), now, catalog);
    ledger.account = { ...ledger.account, stripeCustomerId: customer.id, updatedAt: now };
    commitLedger(tx, tenantId, ledger);
    tx.set(stripeCustomerPath(customer.id), { tenantId, createdAt: now });
  });
  return customer.id;
}

export const checkoutInput = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("subscription"),
      planId: z.string().regex(/^[a-z0-9-]{1,40}$/, "must be a plan id such as pro"),
      returnUrl: z.url().max(2000),
    })
    .strict(),
  z
    .object({
      kind: z.literal("topup"),
      /** One of the catalog's `topUpOptionsMicros`. */
      amountMicros: z.number().int().min(1),
      returnUrl: z.url().max(2000),
    })
    .strict(),
]);

/**
 * Stripe may only send the browser back to the studio (never an open redirect): an origin the API allows, or
 * the origin of the page that asked (a browser's `Origin` header, which pages cannot forge; the studio is
 * served from the API's own origin in both modes).
 */
function checkReturnUrl(deps: Deps, url: string, requestOrigin: string | undefined): URL {
  const parsed = new URL(url);
  if (!deps.config.allowedOrigins.includes(parsed.origin) && parsed.origin !== requestOrigin) {
    throw new AppError(
      "invalid-argument",
      `returnUrl must be on one of the studio's origins (${deps.config.allowedOrigins.join(", ")}), not ${parsed.origin}`,
    );
  }
  return parsed;
}

const withParam = (url: URL, key: string, value: string): string => {
  const copy = new URL(url);
  copy.searchParams.set(key, value);
  return copy.toString();
};

export async function startCheckout(
  deps: Deps,
  tenant: { id: string; name: string },
  input: z.infer<typeof checkoutInput>,
  requestOrigin?: string,
): Promise<{ url: string; sessionId: string }> {
  const payments = requirePayments(deps);
  const back = checkReturnUrl(deps, input.returnUrl, requestOrigin);
  const now = deps.clock.nowIso();
  const catalog = await catalogAt(deps, now);
  const customerId = await ensureCustomer(deps, tenant.id, tenant.name);
  if (input.kind === "subscription") {
    const plan = planOf(catalog, input.planId);
    const account = await readAccount(deps.store, tenant.id);
    if (account?.stripeSubscriptionId) {
      // A second Checkout would start a second subscription: plan changes go through the one there is.
      throw new AppError(
        "failed-precondition",
        "This workspace already has a subscription: change or cancel it under Billing → Manage billing",
      );
    }
    if (!plan.stripePriceId) {
      throw new AppError(
        "failed-precondition",
        `The ${plan.name} plan cannot be bought through Checkout: the operator has not set its stripePriceId in the billing catalog`,
      );
    }
    const session = await payments.createCheckoutSession({
      customerId,
      mode: "subscription",
      priceId: plan.stripePriceId,
      successUrl: withParam(back, "checkout", "success"),
      cancelUrl: withParam(back, "checkout", "cancelled"),
      metadata: { tenantId: tenant.id, kind: "subscription", planId: input.planId },
      idempotencyKey: `alchemist-checkout-${tenant.id}-${deps.ids.newId()}`,
    });
    return { url: session.url, sessionId: session.id };
  }
  if (!catalog.topUpOptionsMicros.includes(input.amountMicros)) {
    throw new AppError(
      "invalid-argument",
      `amountMicros must be one of the top-ups on offer: ${catalog.topUpOptionsMicros.join(", ")}`,
    );
  }
  const session = await payments.createCheckoutSession({
    customerId,
    mode: "payment",
    // Micros to the currency's cents (2-decimal currencies): 10,000 micros a cent.
    amount: {
      currency: catalog.currency,
      unitAmount: Math.round(input.amountMicros / 10_000),
      name: `Alchemist credits (${(input.amountMicros / 1_000_000).toFixed(2)} ${catalog.currency.toUpperCase()})`,
    },
    successUrl: withParam(back, "checkout", "success"),
    cancelUrl: withParam(back, "checkout", "cancelled"),
    metadata: { tenantId: tenant.id, kind: "topup", creditsMicros: String(input.amountMicros) },
    idempotencyKey: `alchemist-checkout-${tenant.id}-${deps.ids.newId()}`,
  });
  return { url: session.url, sessionId: session.id };
}

export async function openPortal(
  deps: Deps,
  tenant: { id: string; name: string },
  returnUrl: string,
  requestOrigin?: string,
): Promise<{ url: string }> {
  const payments = requirePayments(deps);
  const back = checkReturnUrl(deps, returnUrl, requestOrigin);
  const customerId = await ensureCustomer(deps, tenant.id, tenant.name);
  return payments.createPortalSession({ customerId, returnUrl: back.toString() });
}

export async function listInvoices(deps: Deps, tenantId: string) {
  const payments = requirePayments(deps);
  const account = await readAccount(deps.store, tenantId);
  if (!account?.stripeCustomerId) return [];
  return payments.listInvoices(account.stripeCustomerId, 24);
}

// ---------------------------------------------------------------------------------------------------
// Webhook
// ---------------------------------------------------------------------------------------------------

/** Receives a webhook delivery: verified, recorded once, queued. */
export async function receiveStripeWebhook(
  deps: Deps,
  raw: Buffer,
  signature: string | undefined,
): Promise<{ received: true; duplicate: boolean }> {
  const payments = requirePayments(deps);
  const event = payments.verifyWebhook(raw, signature); // a bad signature throws before anything is stored
  const path = stripeEventPath(event.id);
  const record: StripeEventRecord = {
    type: event.type,
    event: { id: event.id, type: event.type, created: event.created, data: event.data },
    receivedAt: deps.clock.nowIso(),
    status: "queued",
    tenantId: null,
    processedAt: null,
    outcome: null,
  };
  const fresh = await deps.store.runTransaction(async (tx) => {
    if (await tx.get(path)) return false;
    tx.create(path, record);
    return true;
  });
  if (fresh) await enqueueStripeEvent(deps, event.id);
  return { received: true, duplicate: !fresh };
}

export const enqueueStripeEvent = (deps: Deps, eventId: string): Promise<{ enqueued: boolean }> =>
  deps.tasks.enqueue(stripeEventQueue, { eventId }, { id: `stripe-${eventId}` });

const metadataOf = (o: Record<string, unknown>): Record<string, string> => {
  const m = o.metadata;
  if (typeof m !== "object" || m === null) return {};
  return Object.fromEntries(Object.entries(m).filter((e): e is [string, string] => typeof e[1] === "string"));
};
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const idOf = (v: unknown): string | null =>
  str(v) ?? (typeof v === "object" && v !== null ? str((v as { id?: unknown }).id) : null);

/** Applies a recorded event, once. */
export async function processStripeEvent(deps: Deps, eventId: string): Promise<string> {
  const path = stripeEventPath(eventId);
  const snap = await deps.store.get(path);
  if (!snap) return "unknown event";
  const record = stripeEventRecordSchema.parse(snap.data);
  if (record.status !== "queued") return record.outcome ?? record.status;
  // The port hands over the event's object (a Checkout Session, an Invoice, a Subscription) as `data`.
  const object = record.event.data;
  const customerId = idOf(object.customer);
  const meta = metadataOf(object);
  let tenantId: string | null = null;
  if (customerId) {
    const owner = await deps.store.get(stripeCustomerPath(customerId));
    tenantId = str((owner?.data as { tenantId?: unknown } | undefined)?.tenantId);
  }
  // Metadata names the workspace too; when both do, they must agree.
  if (meta.tenantId && tenantId && meta.tenantId !== tenantId) {
    log.error("stripe event names two workspaces; ignored", { eventId, customerId });
    tenantId = null;
  } else tenantId ??= null;
  const now = deps.clock.nowIso();
  const catalog = await catalogAt(deps, now);
  return deps.store.runTransaction(async (tx) => {
    const current = await tx.get(path);
    const rec = current ? stripeEventRecordSchema.parse(current.data) : null;
    if (!rec || rec.status !== "queued") return rec?.outcome ?? "unknown event";
    const finish = (status: "processed" | "ignored", outcome: string): string => {
      tx.update(path, { status, outcome, tenantId, processedAt: now });
      return outcome;
    };
    if (!tenantId) return finish("ignored", "no workspace for this customer");
    // The plan this event may move to, and whether that plan's credits were granted this period already.
    const target = planTarget(record.type, object, meta, catalog);
    const granted = target ? await planGranted(tx, tenantId, target, now) : false;
    const ledger = accountAsOf(await readAccount(tx, tenantId), now, catalog);
    const account = ledger.account;
    const eventAt = record.event.created;
    let outcome: string;
    switch (record.type) {
      case "checkout.session.completed": {
        if (meta.kind === "topup") {
          const amount = Number(meta.creditsMicros);
          if (object.payment_status !== "paid" || !Number.isSafeInteger(amount) || amount <= 0) {
            return finish("ignored", `top-up not paid (payment_status ${String(object.payment_status)})`);
          }
          ledger.apply(`topup_${eventId}`, "topup", amount, eventId, "Stripe Checkout top-up");
          outcome = `granted ${amount} micros`;
        } else if (meta.kind === "subscription") {
          const planId = target ?? account.planId;
          switchPlan(ledger, planId, catalog, granted);
          ledger.account = {
            ...ledger.account,
            status: "active",
            graceUntil: null,
            stripeSubscriptionId: idOf(object.subscription) ?? account.stripeSubscriptionId,
            updatedAt: now,
          };
          outcome = `subscribed to ${planId}`;
        } else return finish("ignored", "checkout session not started by Alchemist");
        break;
      }
      case "invoice.paid": {
        ledger.account = { ...ledger.account, status: "active", graceUntil: null, updatedAt: now };
        outcome = "invoice paid: account active";
        break;
      }
      case "invoice.payment_failed": {
        const graceUntil =
          account.status === "past_due" && account.graceUntil
            ? account.graceUntil
            : new Date(Date.parse(now) + gracePeriodDays * 86_400_000).toISOString();
        if (account.status !== "restricted") {
          ledger.account = { ...ledger.account, status: "past_due", graceUntil, updatedAt: now };
        }
        tx.set(noticePath(tenantId, `payment-failed_${eventId}`), {
          kind: "payment-failed",
          limit: null,
          period: now.slice(0, 7),
          at: now,
          message: `A payment failed. The workspace keeps working until ${graceUntil}; update the payment method under Billing → Manage billing.`,
        });
        outcome = `payment failed: grace until ${graceUntil}`;
        break;
      }
      case "customer.subscription.created":
      case "customer.subscription.updated":
      case "customer.subscription.deleted": {
        if ((account.subscriptionEventAt ?? 0) > eventAt)
          return finish("ignored", "older than the last subscription event applied");
        const status = str(object.status);
        const deleted = record.type === "customer.subscription.deleted" || status === "canceled";
        const planId = target ?? account.planId;
        switchPlan(ledger, planId, catalog, granted);
        ledger.account = {
          ...ledger.account,
          stripeSubscriptionId: deleted ? null : (str(object.id) ?? account.stripeSubscriptionId),
          status: deleted
            ? "active"
            : status === "past_due"
              ? "past_due"
              : status === "unpaid"
                ? "restricted"
                : status === "active" || status === "trialing"
                  ? "active"
                  : account.status,
          graceUntil:
            status === "past_due"
              ? (account.graceUntil ?? new Date(Date.parse(now) + gracePeriodDays * 86_400_000).toISOString())
              : null,
          subscriptionEventAt: eventAt,
          updatedAt: now,
        };
        outcome = deleted
          ? "subscription ended: free plan"
          : `plan ${planId} (${status ?? "unknown status"})`;
        break;
      }
      default:
        return finish("ignored", `event type ${record.type} is not used`);
    }
    commitLedger(tx, tenantId, ledger);
    return finish("processed", outcome);
  });
}

/** The plan a subscription event moves the workspace to: its metadata's, else its price's; free when it ended. */
function planTarget(
  type: string,
  object: Record<string, unknown>,
  meta: Record<string, string>,
  catalog: Catalog,
): string | null {
  if (type === "checkout.session.completed") {
    return meta.kind === "subscription" && meta.planId && catalog.plans[meta.planId] ? meta.planId : null;
  }
  if (!type.startsWith("customer.subscription.")) return null;
  if (type === "customer.subscription.deleted" || object.status === "canceled") return "free";
  if (meta.planId && catalog.plans[meta.planId]) return meta.planId;
  const priceId = idOf(
    ((object.items as { data?: { price?: unknown }[] } | undefined)?.data ?? [])[0]?.price,
  );
  return (
    Object.entries(catalog.plans).find(
      ([, p]) => p.stripePriceId !== null && p.stripePriceId === priceId,
    )?.[0] ?? null
  );
}

// ---------------------------------------------------------------------------------------------------
// Usage to Stripe's billing meter, and reconciliation
// ---------------------------------------------------------------------------------------------------

export interface DayOfTenant {
  readonly tenantId: string;
  /** `yyyy-mm-dd`, a closed day. */
  readonly day: string;
}

/**
 * Reports one workspace-day's cost (micros) to the meter, under the rollup's id as Stripe's event identifier:
 * a retried or repeated report is dropped by Stripe. Days are reported once closed (the daily job).
 */
export async function reportDailyUsage(deps: Deps, task: DayOfTenant): Promise<string> {
  const payments = requirePayments(deps);
  const account = await readAccount(deps.store, task.tenantId);
  if (!account?.stripeCustomerId) return "no Stripe customer";
  const rollup = rollupSchema.parse(
    (await deps.store.get(usageDailyPath(task.tenantId, task.day)))?.data ?? { period: task.day },
  );
  if (rollup.costMicros === 0) return "nothing used";
  await payments.reportMeterEvents([
    {
      identifier: `${task.tenantId}_${task.day}`,
      eventName: deps.config.stripe.meterEventName,
      customerId: account.stripeCustomerId,
      value: rollup.costMicros,
      // The day's last second: usage belongs to the day it happened.
      timestamp: Math.floor(Date.parse(dayEnd(task.day)) / 1000) - 1,
    },
  ]);
  return `reported ${rollup.costMicros}`;
}

/**
 * Compares Stripe's meter total for a closed day with the rollup; a difference leaves a `meter-drift`
 * notice (and is logged as an error for the operator's alerting).
 */
export async function reconcileDailyUsage(deps: Deps, task: DayOfTenant): Promise<number | null> {
  const payments = requirePayments(deps);
  const meterId = deps.config.stripe.meterId;
  if (!meterId) return null;
  const account = await readAccount(deps.store, task.tenantId);
  if (!account?.stripeCustomerId) return null;
  const rollup = rollupSchema.parse(
    (await deps.store.get(usageDailyPath(task.tenantId, task.day)))?.data ?? { period: task.day },
  );
  const start = Math.floor(Date.parse(`${task.day}T00:00:00Z`) / 1000);
  const total = await payments.meterTotal({
    meterId,
    customerId: account.stripeCustomerId,
    start,
    end: start + 86_400,
  });
  const drift = total - rollup.costMicros;
  if (drift !== 0) {
    log.error("stripe meter drift", {
      tenantId: task.tenantId,
      day: task.day,
      stripe: total,
      rollup: rollup.costMicros,
    });
    await deps.store.set(noticePath(task.tenantId, `meter-drift_${task.day}`), {
      kind: "meter-drift",
      limit: null,
      period: task.day,
      at: deps.clock.nowIso(),
      message: `Stripe's meter holds ${total} for ${task.day}; the platform metered ${rollup.costMicros} (drift ${drift}).`,
    });
  }
  return drift;
}

export type { PaymentEvent };
