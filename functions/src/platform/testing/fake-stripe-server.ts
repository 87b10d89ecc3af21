/**
 * A small local server that speaks the parts of Stripe's API the platform uses, so the real `stripe` SDK can
 * be exercised without a network or an account: customers, Checkout Sessions, Customer Portal sessions,
 * billing meter events and their summaries, invoices. Bodies are form-encoded as the SDK sends them
 * (`line_items[0][price_data][currency]=usd`), the key is checked (401 in Stripe's error shape otherwise),
 * idempotency keys replay the first response, and objects live in memory where tests can read them.
 *
 * Where Stripe checks something only later (a meter event's customer and value are validated asynchronously),
 * the fake refuses at once, so a test sees the mistake. Tests can also make the next requests fail (500, 429,
 * before or after the request took effect), complete a Checkout Session into the events Stripe would send,
 * and sign webhook deliveries with the SDK's own test helper.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

/** A Stripe object as JSON: tests read its fields with `toMatchObject` or casts. */
export type StripeObject = Record<string, unknown>;

/** An event as Stripe delivers it to a webhook endpoint. */
export interface StripeEventPayload {
  readonly id: string;
  readonly object: "event";
  readonly api_version: string;
  readonly created: number;
  readonly data: { readonly object: StripeObject; readonly previous_attributes?: StripeObject };
  readonly livemode: false;
  readonly pending_webhooks: number;
  readonly request: { readonly id: string | null; readonly idempotency_key: string | null };
  readonly type: string;
}

export interface FakeStripeRequest {
  readonly method: string;
  /** Without the query string, e.g. `/v1/checkout/sessions`. */
  readonly path: string;
  /** The query string, parsed like a body (GET requests carry their parameters here). */
  readonly query: StripeObject;
  /** The form body parsed into nested objects and arrays, values as sent (strings). */
  readonly body: StripeObject;
  readonly headers: http.IncomingHttpHeaders;
  readonly idempotencyKey: string | undefined;
  /** The status the fake answered with. */
  status: number;
}

export interface FakeMeter {
  readonly id: string;
  readonly eventName: string;
}

export interface FakeStripeServerOptions {
  /** The key the server accepts; a fixed test key when left out. */
  readonly secretKey?: string;
  /** The signing secret `signedWebhook` uses by default. */
  readonly webhookSecret?: string;
  /** Billing meters; by default one, `mtr_test_alchemist_usage`, for the event name `alchemist_usage`. */
  readonly meters?: readonly FakeMeter[];
  /** Milliseconds since the epoch: the fake's time for `created`, periods and the meter event window. */
  readonly now?: () => number;
  /**
   * Splits meter event summaries into hour or day windows when a request names no `value_grouping_window`
   * (Stripe then returns a single summary): lets a test exercise a client's paging over summaries.
   */
  readonly groupSummariesBy?: "hour" | "day";
}

export interface FakeFailure {
  /** 500 (`api_error`) by default; 429 is Stripe's rate limit (`rate_limit`). */
  readonly status?: number;
  /** Sends `Stripe-Should-Retry` (the SDK retries a 429 only when it says `true`). */
  readonly shouldRetry?: boolean;
  /** `after`: the request takes effect (and its idempotent result is kept), then the answer is a failure. */
  readonly when?: "before" | "after";
  /** Only requests to this path fail (all paths when left out). */
  readonly path?: string;
}

export interface PriceInput {
  readonly id?: string;
  readonly unitAmount: number;
  readonly currency?: string;
  /** A subscription price; one-off when left out. */
  readonly recurring?: { readonly interval: "day" | "week" | "month" | "year" };
  readonly product?: string;
}

export interface CheckoutSessionInput {
  readonly id?: string;
  readonly customer: string;
  readonly mode: "payment" | "subscription";
  readonly metadata?: Readonly<Record<string, string>>;
  readonly subscription?: string | null;
  readonly invoice?: string | null;
  readonly amountTotal?: number;
  readonly currency?: string;
  readonly status?: "open" | "complete" | "expired";
  readonly paymentStatus?: "paid" | "unpaid" | "no_payment_required";
  readonly created?: number;
  readonly successUrl?: string;
  readonly cancelUrl?: string;
}

export interface SubscriptionInput {
  readonly id?: string;
  readonly customer: string;
  readonly priceId: string;
  readonly unitAmount?: number;
  readonly currency?: string;
  readonly status?: "active" | "past_due" | "unpaid" | "canceled" | "incomplete" | "trialing" | "paused";
  readonly metadata?: Readonly<Record<string, string>>;
  /** Seconds since the epoch; the period defaults to a month from `created`. */
  readonly currentPeriodStart?: number;
  readonly currentPeriodEnd?: number;
  readonly cancelAtPeriodEnd?: boolean;
  readonly canceledAt?: number | null;
  readonly created?: number;
}

export interface InvoiceInput {
  readonly id?: string;
  readonly customer: string;
  /** The subscription that generated it (`parent.subscription_details`), or none for a one-off invoice. */
  readonly subscription?: string | null;
  readonly subscriptionMetadata?: Readonly<Record<string, string>>;
  readonly status?: "draft" | "open" | "paid" | "uncollectible" | "void";
  readonly amountDue: number;
  /** Defaults to `amountDue` when paid, else 0. */
  readonly amountPaid?: number;
  readonly currency?: string;
  readonly number?: string | null;
  readonly created?: number;
  readonly periodStart?: number;
  readonly periodEnd?: number;
  readonly attemptCount?: number;
  readonly billingReason?: string;
  readonly priceId?: string;
}

export interface EventOptions {
  readonly id?: string;
  /** Seconds since the epoch; now by default. */
  readonly created?: number;
  readonly previousAttributes?: StripeObject;
}

export interface FakeStripeServer {
  /** `http://127.0.0.1:<port>`: STRIPE_API_URL, or the adapter's `apiUrl`. */
  readonly url: string;
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** The settings that point the platform at this server (`loadConfig`, `startTestPlatform`). */
  readonly env: Readonly<Record<string, string>>;
  /** Every request received, in order, failed ones included. */
  readonly requests: FakeStripeRequest[];
  readonly customers: Map<string, StripeObject>;
  readonly checkoutSessions: Map<string, StripeObject>;
  readonly portalSessions: Map<string, StripeObject>;
  readonly subscriptions: Map<string, StripeObject>;
  readonly invoices: Map<string, StripeObject>;
  readonly prices: Map<string, StripeObject>;
  readonly meters: Map<string, FakeMeter>;
  /** Meter events accepted, in order; a repeated identifier is not stored (nor counted) again. */
  readonly meterEvents: StripeObject[];
  /** Recorded requests with this method and path, e.g. `("POST", "/v1/customers")`. */
  requestsTo(method: string, path: string): FakeStripeRequest[];
  addPrice(input: PriceInput): StripeObject;
  /** Stores an invoice (listed by `GET /v1/invoices`) and returns it. */
  addInvoice(input: InvoiceInput): StripeObject;
  addMeter(meter: FakeMeter): void;
  /**
   * Pays an open Checkout Session as a customer would: completes it and, in subscription mode, starts the
   * subscription (with `subscription_data.metadata`) and its first paid invoice. Returns the events Stripe
   * sends: `checkout.session.completed`, then `customer.subscription.created` and `invoice.paid`.
   */
  completeCheckout(sessionId: string): StripeEventPayload[];
  /** The next `count` requests (to `failure.path`, if given) fail. */
  failNext(count: number, failure?: FakeFailure): void;
  /** `signedWebhook` with this server's webhook secret. */
  signedWebhook(
    event: object,
    options?: { readonly timestamp?: number },
  ): { body: string; signature: string };
  /** Forgets requests, objects, scripted failures and idempotent results (meters stay). */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_STRIPE_SECRET_KEY = "sk_test_fake0123456789abcdefABCDEF";
export const FAKE_STRIPE_WEBHOOK_SECRET = "whsec_fake0123456789abcdefABCDEF";
export const FAKE_STRIPE_METER: FakeMeter = { id: "mtr_test_alchemist_usage", eventName: "alchemist_usage" };

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** An id of Stripe's shape: `prefix_` and random base62 characters. */
export function stripeId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return `${prefix}_${out}`;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A month later, by the calendar (UTC), as Stripe bills monthly prices. */
function addInterval(seconds: number, interval: string): number {
  const d = new Date(seconds * 1000);
  if (interval === "day") d.setUTCDate(d.getUTCDate() + 1);
  else if (interval === "week") d.setUTCDate(d.getUTCDate() + 7);
  else if (interval === "year") d.setUTCFullYear(d.getUTCFullYear() + 1);
  else d.setUTCMonth(d.getUTCMonth() + 1);
  return Math.floor(d.getTime() / 1000);
}

// ---------------------------------------------------------------------------------------------------
// Objects and events, as Stripe's API version of the pinned SDK shapes them
// ---------------------------------------------------------------------------------------------------

export function checkoutSessionObject(input: CheckoutSessionInput): StripeObject {
  const id = input.id ?? stripeId("cs_test", 58);
  const created = input.created ?? nowSeconds();
  const status = input.status ?? "complete";
  return {
    id,
    object: "checkout.session",
    amount_subtotal: input.amountTotal ?? null,
    amount_total: input.amountTotal ?? null,
    cancel_url: input.cancelUrl ?? null,
    client_reference_id: null,
    created,
    currency: input.currency ?? "usd",
    customer: input.customer,
    customer_details: { email: null, name: null, phone: null, tax_exempt: "none" },
    expires_at: created + 24 * 3600,
    invoice: input.invoice ?? null,
    livemode: false,
    metadata: { ...input.metadata },
    mode: input.mode,
    payment_intent: input.mode === "payment" && status === "complete" ? stripeId("pi") : null,
    payment_status: input.paymentStatus ?? (status === "complete" ? "paid" : "unpaid"),
    status,
    subscription: input.subscription ?? null,
    success_url: input.successUrl ?? null,
    ui_mode: "hosted",
    url: status === "open" ? `https://checkout.stripe.com/c/pay/${id}` : null,
  };
}

function priceObject(id: string, unitAmount: number, currency: string, interval?: string): StripeObject {
  return {
    id,
    object: "price",
    active: true,
    billing_scheme: "per_unit",
    created: nowSeconds(),
    currency,
    livemode: false,
    metadata: {},
    nickname: null,
    product: stripeId("prod", 14),
    recurring: interval
      ? { interval, interval_count: 1, meter: null, trial_period_days: null, usage_type: "licensed" }
      : null,
    tax_behavior: "unspecified",
    type: interval ? "recurring" : "one_time",
    unit_amount: unitAmount,
  };
}

export function subscriptionObject(input: SubscriptionInput): StripeObject {
  const id = input.id ?? stripeId("sub");
  const created = input.created ?? nowSeconds();
  const start = input.currentPeriodStart ?? created;
  const end = input.currentPeriodEnd ?? addInterval(start, "month");
  const status = input.status ?? "active";
  const canceledAt = input.canceledAt ?? (status === "canceled" ? nowSeconds() : null);
  const currency = input.currency ?? "usd";
  return {
    id,
    object: "subscription",
    billing_cycle_anchor: start,
    cancel_at: input.cancelAtPeriodEnd ? end : null,
    cancel_at_period_end: input.cancelAtPeriodEnd ?? false,
    canceled_at: canceledAt,
    cancellation_details: {
      comment: null,
      feedback: null,
      reason: canceledAt ? "cancellation_requested" : null,
    },
    collection_method: "charge_automatically",
    created,
    currency,
    customer: input.customer,
    ended_at: status === "canceled" ? canceledAt : null,
    items: {
      object: "list",
      data: [
        {
          id: stripeId("si", 14),
          object: "subscription_item",
          created,
          // Since API 2025-03-31 the period lives on each item, not on the subscription.
          current_period_end: end,
          current_period_start: start,
          metadata: {},
          price: priceObject(input.priceId, input.unitAmount ?? 0, currency, "month"),
          quantity: 1,
          subscription: id,
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: false,
    metadata: { ...input.metadata },
    start_date: created,
    status,
    trial_end: null,
    trial_start: null,
  };
}

export function invoiceObject(input: InvoiceInput): StripeObject {
  const id = input.id ?? stripeId("in");
  const created = input.created ?? nowSeconds();
  const status = input.status ?? "paid";
  const amountPaid = input.amountPaid ?? (status === "paid" ? input.amountDue : 0);
  const periodStart = input.periodStart ?? created;
  const periodEnd = input.periodEnd ?? (input.subscription ? addInterval(periodStart, "month") : created);
  const currency = input.currency ?? "usd";
  const token = stripeId("test", 40).slice(5);
  return {
    id,
    object: "invoice",
    account_country: "US",
    account_name: "Alchemist (test)",
    amount_due: input.amountDue,
    amount_overpaid: 0,
    amount_paid: amountPaid,
    amount_remaining: Math.max(0, input.amountDue - amountPaid),
    attempt_count: input.attemptCount ?? (status === "draft" ? 0 : 1),
    attempted: status !== "draft",
    auto_advance: status === "open",
    billing_reason: input.billingReason ?? (input.subscription ? "subscription_cycle" : "manual"),
    collection_method: "charge_automatically",
    created,
    currency,
    customer: input.customer,
    customer_email: null,
    customer_name: null,
    description: null,
    due_date: null,
    hosted_invoice_url: status === "draft" ? null : `https://invoice.stripe.com/i/acct_fake/test_${token}`,
    invoice_pdf: status === "draft" ? null : `https://pay.stripe.com/invoice/acct_fake/test_${token}/pdf`,
    lines: {
      object: "list",
      data: [
        {
          id: stripeId("il", 14),
          object: "line_item",
          amount: input.amountDue,
          currency,
          description: null,
          invoice: id,
          livemode: false,
          metadata: {},
          parent: input.subscription
            ? {
                type: "subscription_item_details",
                subscription_item_details: { subscription: input.subscription },
              }
            : null,
          period: { start: periodStart, end: periodEnd },
          pricing: input.priceId
            ? {
                type: "price_details",
                price_details: { price: input.priceId, product: stripeId("prod", 14) },
              }
            : null,
          quantity: 1,
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/invoices/${id}/lines`,
    },
    livemode: false,
    metadata: {},
    next_payment_attempt: status === "open" ? created + 3 * 24 * 3600 : null,
    number:
      input.number === undefined
        ? status === "draft"
          ? null
          : `FAKE-${id.slice(-6).toUpperCase()}`
        : input.number,
    // Since API 2025-03-31 an invoice names its subscription here, not in `subscription`.
    parent: input.subscription
      ? {
          type: "subscription_details",
          quote_details: null,
          subscription_details: {
            metadata: { ...input.subscriptionMetadata },
            subscription: input.subscription,
          },
        }
      : null,
    period_end: periodEnd,
    period_start: periodStart,
    status,
    status_transitions: {
      finalized_at: status === "draft" ? null : created,
      marked_uncollectible_at: status === "uncollectible" ? created : null,
      paid_at: status === "paid" ? created : null,
      voided_at: status === "void" ? created : null,
    },
    subtotal: input.amountDue,
    total: input.amountDue,
  };
}

/** An event around `object`, as a webhook endpoint receives it. */
export function stripeEvent(
  type: string,
  object: StripeObject,
  options: EventOptions = {},
): StripeEventPayload {
  return {
    id: options.id ?? stripeId("evt"),
    object: "event",
    api_version: Stripe.API_VERSION,
    created: options.created ?? nowSeconds(),
    data: options.previousAttributes
      ? { object, previous_attributes: options.previousAttributes }
      : { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export const checkoutCompletedEvent = (input: CheckoutSessionInput, options?: EventOptions) =>
  stripeEvent("checkout.session.completed", checkoutSessionObject(input), options);

export const invoicePaidEvent = (input: Omit<InvoiceInput, "status">, options?: EventOptions) =>
  stripeEvent("invoice.paid", invoiceObject({ ...input, status: "paid" }), options);

export const invoicePaymentFailedEvent = (input: Omit<InvoiceInput, "status">, options?: EventOptions) =>
  stripeEvent(
    "invoice.payment_failed",
    invoiceObject({ billingReason: "subscription_cycle", ...input, status: "open", amountPaid: 0 }),
    options,
  );

export const subscriptionCreatedEvent = (input: SubscriptionInput, options?: EventOptions) =>
  stripeEvent("customer.subscription.created", subscriptionObject(input), options);

/** `previousAttributes` are the fields that changed, with their old values (`{ status: "active" }`). */
export const subscriptionUpdatedEvent = (input: SubscriptionInput, options?: EventOptions) =>
  stripeEvent("customer.subscription.updated", subscriptionObject(input), options);

export const subscriptionDeletedEvent = (input: Omit<SubscriptionInput, "status">, options?: EventOptions) =>
  stripeEvent("customer.subscription.deleted", subscriptionObject({ ...input, status: "canceled" }), options);

/**
 * A delivery as Stripe makes it: the event's JSON (or a body given as text, as is) and its `Stripe-Signature`
 * header, signed with `secret` by the SDK's own test helper. `timestamp` (seconds) defaults to now; an old
 * one makes a stale delivery.
 */
export function signedWebhook(
  event: object | string,
  secret: string,
  options: { readonly timestamp?: number } = {},
): { body: string; signature: string } {
  const body = typeof event === "string" ? event : JSON.stringify(event, null, 2);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
  });
  return { body, signature };
}

// ---------------------------------------------------------------------------------------------------
// Form bodies: `a[b][0][c]=v` into nested objects and arrays
// ---------------------------------------------------------------------------------------------------

const unsafeKeys = new Set(["__proto__", "constructor", "prototype"]);

/** Objects whose keys are 0..n-1 become arrays, as Stripe reads `line_items[0]`, `line_items[1]`. */
function arraysOf(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value as StripeObject).map(([k, v]) => [k, arraysOf(v)] as const);
  const keys = entries.map(([k]) => k);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return entries.map(([, v]) => v);
  return Object.fromEntries(entries);
}

export function parseStripeForm(text: string): StripeObject {
  const root: StripeObject = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    const path = match
      ? [match[1] as string, ...[...(match[2] ?? "").matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] as string)]
      : [key];
    if (path.some((p) => unsafeKeys.has(p))) continue;
    let node = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value;
        return;
      }
      const child = node[part];
      if (typeof child !== "object" || child === null) node[part] = {};
      node = node[part] as StripeObject;
    });
  }
  return arraysOf(root) as StripeObject;
}

// ---------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------

/** A refusal in Stripe's error shape. */
class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; message: string; code?: string; param?: string },
  ) {
    super(body.message);
  }
}

const invalid = (message: string, param?: string, code?: string): StripeApiError =>
  new StripeApiError(400, {
    type: "invalid_request_error",
    message,
    ...(code ? { code } : {}),
    ...(param ? { param } : {}),
  });

const missingParam = (param: string): StripeApiError =>
  invalid(`Missing required param: ${param}.`, param, "parameter_missing");

const noSuch = (what: string, id: string, param: string, status = 400): StripeApiError =>
  new StripeApiError(status, {
    type: "invalid_request_error",
    code: "resource_missing",
    param,
    message: `No such ${what}: '${id}'`,
  });

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const obj = (v: unknown): StripeObject | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as StripeObject) : undefined;

function integer(value: unknown, param: string): number {
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) {
    throw invalid(`Invalid integer: ${String(value)}`, param, "parameter_invalid_integer");
  }
  return Number(value);
}

/** Stripe's metadata limits: 50 keys, keys up to 40 characters, values up to 500. */
function metadataOf(value: unknown, param: string): Record<string, string> {
  if (value === undefined || value === "") return {};
  const m = obj(value);
  if (!m) throw invalid("Invalid object", param);
  const out: Record<string, string> = {};
  const entries = Object.entries(m);
  if (entries.length > 50) throw invalid("Metadata can have at most 50 keys.", param);
  for (const [k, v] of entries) {
    if (typeof v !== "string") throw invalid("Metadata values must be strings.", `${param}[${k}]`);
    if (k.length > 40) throw invalid("Metadata keys can be at most 40 characters long.", `${param}[${k}]`);
    if (v.length > 500)
      throw invalid("Metadata values can be at most 500 characters long.", `${param}[${k}]`);
    if (v !== "") out[k] = v;
  }
  return out;
}

interface StoredResponse {
  readonly method: string;
  readonly path: string;
  readonly params: string;
  readonly status: number;
  readonly body: unknown;
}

interface SessionDetails {
  readonly lineItems: { price: StripeObject; quantity: number }[];
  readonly subscriptionMetadata: Record<string, string>;
}

async function readText(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A stable text of parsed parameters: the same request encoded in another key order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as StripeObject)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

export async function startFakeStripeServer(
  options: FakeStripeServerOptions = {},
): Promise<FakeStripeServer> {
  const secretKey = options.secretKey ?? FAKE_STRIPE_SECRET_KEY;
  const webhookSecret = options.webhookSecret ?? FAKE_STRIPE_WEBHOOK_SECRET;
  const now = (): number => Math.floor((options.now?.() ?? Date.now()) / 1000);
  const requests: FakeStripeRequest[] = [];
  const customers = new Map<string, StripeObject>();
  const checkoutSessions = new Map<string, StripeObject>();
  const sessionDetails = new Map<string, SessionDetails>();
  const portalSessions = new Map<string, StripeObject>();
  const subscriptions = new Map<string, StripeObject>();
  const invoices = new Map<string, StripeObject>();
  const prices = new Map<string, StripeObject>();
  const meters = new Map<string, FakeMeter>((options.meters ?? [FAKE_STRIPE_METER]).map((m) => [m.id, m]));
  const meterEvents: StripeObject[] = [];
  const meterEventsById = new Map<string, StripeObject>();
  const idempotent = new Map<string, StoredResponse>();
  let failures: FakeFailure[] = [];

  const customerOf = (id: unknown, param: string): StripeObject => {
    const customer = typeof id === "string" ? customers.get(id) : undefined;
    if (!customer) throw noSuch("customer", String(id), param);
    return customer;
  };

  // --- handlers: each returns the response body, or throws a StripeApiError ---

  const createCustomer = (body: StripeObject): StripeObject => {
    const customer = {
      id: stripeId("cus", 14),
      object: "customer",
      address: null,
      balance: 0,
      created: now(),
      currency: null,
      default_source: null,
      delinquent: false,
      description: str(body.description) ?? null,
      email: str(body.email) ?? null,
      invoice_prefix: randomBytes(4).toString("hex").toUpperCase(),
      livemode: false,
      metadata: metadataOf(body.metadata, "metadata"),
      name: str(body.name) ?? null,
      phone: null,
      preferred_locales: [],
      shipping: null,
      tax_exempt: "none",
      test_clock: null,
    };
    customers.set(customer.id, customer);
    return customer;
  };

  const lineItemOf = (raw: unknown, i: number): { price: StripeObject; quantity: number } => {
    const param = `line_items[${i}]`;
    const item = obj(raw);
    if (!item) throw invalid("Invalid object", param);
    if (item.quantity === undefined) throw missingParam(`${param}[quantity]`);
    const quantity = integer(item.quantity, `${param}[quantity]`);
    if (quantity < 1) throw invalid("This value must be greater than or equal to 1.", `${param}[quantity]`);
    if (item.price !== undefined && item.price_data !== undefined) {
      throw invalid("You may only specify one of these parameters: price, price_data.", param);
    }
    if (item.price !== undefined) {
      const price = prices.get(String(item.price));
      if (!price) throw noSuch("price", String(item.price), `${param}[price]`);
      return { price, quantity };
    }
    const data = obj(item.price_data);
    if (!data) throw invalid("You must specify either `price` or `price_data` for each line item.", param);
    const currency = str(data.currency);
    if (!currency) throw missingParam(`${param}[price_data][currency]`);
    if (data.unit_amount === undefined) throw missingParam(`${param}[price_data][unit_amount]`);
    const unitAmount = integer(data.unit_amount, `${param}[price_data][unit_amount]`);
    if (unitAmount < 0)
      throw invalid("This value must be greater than or equal to 0.", `${param}[price_data][unit_amount]`);
    const product = obj(data.product_data);
    if (!product && data.product === undefined) {
      throw invalid(
        "You must specify either `product` or `product_data` when creating a price.",
        `${param}[price_data]`,
      );
    }
    if (product && !str(product.name)) throw missingParam(`${param}[price_data][product_data][name]`);
    const interval = str(obj(data.recurring)?.interval);
    return {
      price: priceObject(stripeId("price", 24), unitAmount, currency.toLowerCase(), interval),
      quantity,
    };
  };

  const createCheckoutSession = (body: StripeObject): StripeObject => {
    const mode = str(body.mode);
    if (!mode) throw missingParam("mode");
    if (mode !== "payment" && mode !== "subscription") {
      throw invalid(
        `Invalid mode: must be one of payment or subscription (the fake has no ${mode} mode)`,
        "mode",
      );
    }
    if (body.customer !== undefined) customerOf(body.customer, "customer");
    const rawItems = body.line_items;
    if (!Array.isArray(rawItems) || rawItems.length === 0) throw missingParam("line_items");
    const lineItems = rawItems.map(lineItemOf);
    const recurring = lineItems.filter((l) => l.price.type === "recurring");
    if (mode === "subscription" && recurring.length === 0) {
      throw invalid(
        "You must provide at least one recurring price in `subscription` mode when using prices.",
        "line_items",
      );
    }
    if (mode === "payment" && recurring.length > 0) {
      throw invalid(
        "You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.",
        "line_items",
      );
    }
    if (mode === "payment" && body.subscription_data !== undefined) {
      throw invalid("You can not pass `subscription_data` in `payment` mode.", "subscription_data");
    }
    const currencies = new Set(lineItems.map((l) => l.price.currency));
    if (currencies.size > 1) throw invalid("All prices must be in the same currency.", "line_items");
    const amount = lineItems.reduce((sum, l) => sum + (l.price.unit_amount as number) * l.quantity, 0);
    const session = checkoutSessionObject({
      customer: str(body.customer) ?? "",
      mode,
      metadata: metadataOf(body.metadata, "metadata"),
      amountTotal: amount,
      currency: [...currencies][0] as string,
      status: "open",
      paymentStatus: "unpaid",
      created: now(),
      ...(str(body.success_url) ? { successUrl: str(body.success_url) } : {}),
      ...(str(body.cancel_url) ? { cancelUrl: str(body.cancel_url) } : {}),
    });
    if (body.customer === undefined) session.customer = null;
    checkoutSessions.set(session.id as string, session);
    sessionDetails.set(session.id as string, {
      lineItems,
      subscriptionMetadata: metadataOf(obj(body.subscription_data)?.metadata, "subscription_data[metadata]"),
    });
    return session;
  };

  const createPortalSession = (body: StripeObject): StripeObject => {
    if (body.customer === undefined) throw missingParam("customer");
    customerOf(body.customer, "customer");
    const id = stripeId("bps");
    const session = {
      id,
      object: "billing_portal.session",
      configuration: "bpc_fake_default",
      created: now(),
      customer: body.customer,
      flow: null,
      livemode: false,
      locale: null,
      on_behalf_of: null,
      return_url: str(body.return_url) ?? null,
      url: `https://billing.stripe.com/p/session/test_${id.slice(4)}`,
    };
    portalSessions.set(id, session);
    return session;
  };

  const createMeterEvent = (body: StripeObject): StripeObject => {
    const eventName = str(body.event_name);
    if (!eventName) throw missingParam("event_name");
    const payload = obj(body.payload);
    if (!payload) throw missingParam("payload");
    const identifier = str(body.identifier) ?? stripeId("mev");
    const timestamp = body.timestamp === undefined ? now() : integer(body.timestamp, "timestamp");
    const t = now();
    if (timestamp < t - 35 * 24 * 3600 || timestamp > t + 5 * 60) {
      throw invalid(
        "Timestamp must be within the past 35 calendar days or up to 5 minutes in the future.",
        "timestamp",
      );
    }
    // Stripe checks these when it processes the event; the fake refuses at once so tests see the mistake.
    customerOf(payload.stripe_customer_id, "payload[stripe_customer_id]");
    if (typeof payload.value !== "string" || !/^-?\d+$/.test(payload.value)) {
      throw invalid("The payload's value must be a whole number.", "payload[value]");
    }
    const event = {
      object: "billing.meter_event",
      created: t,
      event_name: eventName,
      identifier,
      livemode: false,
      payload: { ...payload },
      timestamp,
    };
    // A repeated identifier is accepted and answered with the first event, which alone counts.
    const first = meterEventsById.get(identifier);
    if (first) return first;
    meterEventsById.set(identifier, event);
    meterEvents.push(event);
    return event;
  };

  const list = (all: StripeObject[], url: string, query: StripeObject): StripeObject => {
    const limit = query.limit === undefined ? 10 : integer(query.limit, "limit");
    if (limit < 1 || limit > 100) throw invalid("This value must be between 1 and 100.", "limit");
    let from = 0;
    const after = str(query.starting_after);
    if (after !== undefined) {
      const i = all.findIndex((o) => o.id === after);
      if (i < 0) throw noSuch("object", after, "starting_after");
      from = i + 1;
    }
    const data = all.slice(from, from + limit);
    return { object: "list", data, has_more: from + limit < all.length, url };
  };

  const eventSummaries = (meterId: string, query: StripeObject): StripeObject => {
    const meter = meters.get(meterId);
    if (!meter) throw noSuch("billing meter", meterId, "id", 404);
    if (query.customer === undefined) throw missingParam("customer");
    if (query.start_time === undefined) throw missingParam("start_time");
    if (query.end_time === undefined) throw missingParam("end_time");
    const customer = String(query.customer);
    const start = integer(query.start_time, "start_time");
    const end = integer(query.end_time, "end_time");
    for (const [param, t] of [
      ["start_time", start],
      ["end_time", end],
    ] as const) {
      if (t % 60 !== 0) throw invalid(`${param} must be aligned with minute boundaries.`, param);
    }
    if (end <= start) throw invalid("end_time must be after start_time.", "end_time");
    const grouping = str(query.value_grouping_window) ?? options.groupSummariesBy;
    const step = grouping === "day" ? 86_400 : grouping === "hour" ? 3600 : end - start;
    if (query.value_grouping_window !== undefined && (start % step !== 0 || end % step !== 0)) {
      throw invalid(
        `start_time and end_time must be aligned with ${grouping} boundaries.`,
        "value_grouping_window",
      );
    }
    const sums = new Map<number, number>();
    for (const e of meterEvents) {
      const payload = e.payload as Record<string, string>;
      const t = e.timestamp as number;
      if (e.event_name !== meter.eventName || payload.stripe_customer_id !== customer) continue;
      if (t < start || t >= end) continue;
      const window = start + Math.floor((t - start) / step) * step;
      sums.set(window, (sums.get(window) ?? 0) + Number(payload.value));
    }
    // One summary for the whole range; grouped, one per window that saw events, newest first.
    const windows = grouping ? [...sums.keys()].sort((a, b) => b - a) : [start];
    const summaries = windows.map((w) => ({
      id: `mtrusg_${meterId.replace(/^mtr_/, "")}_${w}`,
      object: "billing.meter_event_summary",
      aggregated_value: sums.get(w) ?? 0,
      end_time: Math.min(w + step, end),
      livemode: false,
      meter: meterId,
      start_time: w,
    }));
    return list(summaries, `/v1/billing/meters/${meterId}/event_summaries`, query);
  };

  const listInvoices = (query: StripeObject): StripeObject => {
    const customer = str(query.customer);
    const all = [...invoices.values()]
      .filter((i) => customer === undefined || i.customer === customer)
      .sort((a, b) => (b.created as number) - (a.created as number));
    return list(all, "/v1/invoices", query);
  };

  const route = (method: string, path: string, body: StripeObject, query: StripeObject): unknown => {
    if (method === "POST" && path === "/v1/customers") return createCustomer(body);
    if (method === "POST" && path === "/v1/checkout/sessions") return createCheckoutSession(body);
    if (method === "POST" && path === "/v1/billing_portal/sessions") return createPortalSession(body);
    if (method === "POST" && path === "/v1/billing/meter_events") return createMeterEvent(body);
    const summaries = /^\/v1\/billing\/meters\/([^/]+)\/event_summaries$/.exec(path);
    if (method === "GET" && summaries)
      return eventSummaries(decodeURIComponent(summaries[1] as string), query);
    if (method === "GET" && path === "/v1/invoices") return listInvoices(query);
    if (method === "GET" && path === "/v1/balance") {
      return { object: "balance", available: [{ amount: 0, currency: "usd" }], livemode: false, pending: [] };
    }
    throw new StripeApiError(404, {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${method}: ${path}). The fake Stripe server speaks only the API the platform uses.`,
    });
  };

  const send = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = JSON.stringify(body, null, 2);
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
      "request-id": stripeId("req", 14),
      "stripe-version": Stripe.API_VERSION,
      ...headers,
    });
    res.end(text);
  };

  const sendFailure = (res: http.ServerResponse, failure: FakeFailure): void => {
    const status = failure.status ?? 500;
    const error =
      status === 429
        ? {
            type: "invalid_request_error",
            code: "rate_limit",
            message:
              "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
          }
        : { type: "api_error", message: "An unknown error occurred (scripted by the fake Stripe server)." };
    send(
      res,
      status,
      { error },
      failure.shouldRetry === undefined ? {} : { "stripe-should-retry": String(failure.shouldRetry) },
    );
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const text = await readText(req);
      const method = req.method ?? "GET";
      const [path = "/", search = ""] = (req.url ?? "/").split("?");
      const body = parseStripeForm(text);
      const query = parseStripeForm(search);
      const header = req.headers["idempotency-key"];
      const idempotencyKey = typeof header === "string" && header !== "" ? header : undefined;
      const recorded: FakeStripeRequest = {
        method,
        path,
        query,
        body,
        headers: req.headers,
        idempotencyKey,
        status: 0,
      };
      requests.push(recorded);
      const reply = (status: number, payload: unknown, headers?: Record<string, string>): void => {
        recorded.status = status;
        send(res, status, payload, headers);
      };

      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        // Like Stripe, the message shows the key's end only.
        const received = (req.headers.authorization ?? "").replace(/^Bearer\s+/i, "");
        reply(401, {
          error: {
            type: "invalid_request_error",
            message:
              received === ""
                ? "You did not provide an API key. You need to provide your API key in the Authorization header."
                : `Invalid API Key provided: ${received.slice(0, 8)}${"*".repeat(Math.max(0, received.length - 12))}${received.slice(-4)}`,
          },
        });
        return;
      }

      const failureAt = failures.findIndex((f) => f.path === undefined || f.path === path);
      const failure = failureAt >= 0 ? failures.splice(failureAt, 1)[0] : undefined;
      if (failure && (failure.when ?? "before") === "before") {
        recorded.status = failure.status ?? 500;
        sendFailure(res, failure);
        return;
      }

      // Idempotent results: a POST with a key seen before gets the first answer again.
      const params = canonical(body);
      const previous = method === "POST" && idempotencyKey ? idempotent.get(idempotencyKey) : undefined;
      let status: number;
      let payload: unknown;
      let headers: Record<string, string> = {};
      if (previous) {
        if (previous.method !== method || previous.path !== path || previous.params !== params) {
          status = 400;
          payload = {
            error: {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            },
          };
        } else {
          [status, payload, headers] = [previous.status, previous.body, { "idempotent-replayed": "true" }];
        }
      } else {
        try {
          [status, payload] = [200, route(method, path, body, query)];
          // Stripe keeps the result of a request that ran; one refused by validation is not kept.
          if (method === "POST" && idempotencyKey) {
            idempotent.set(idempotencyKey, { method, path, params, status, body: payload });
          }
        } catch (e) {
          if (!(e instanceof StripeApiError)) throw e;
          [status, payload] = [e.status, { error: e.body }];
        }
      }
      if (failure) {
        recorded.status = failure.status ?? 500;
        sendFailure(res, failure);
        return;
      }
      reply(status, payload, headers);
    })().catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { type: "api_error", message: String(e) } });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const defaultMeter = [...meters.values()][0];

  return {
    url,
    secretKey,
    webhookSecret,
    env: {
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_URL: url,
      ...(defaultMeter
        ? { STRIPE_METER_ID: defaultMeter.id, STRIPE_METER_EVENT_NAME: defaultMeter.eventName }
        : {}),
    },
    requests,
    customers,
    checkoutSessions,
    portalSessions,
    subscriptions,
    invoices,
    prices,
    meters,
    meterEvents,
    requestsTo: (method, path) => requests.filter((r) => r.method === method && r.path === path),
    addPrice(input) {
      const price = priceObject(
        input.id ?? stripeId("price"),
        input.unitAmount,
        input.currency ?? "usd",
        input.recurring?.interval,
      );
      if (input.product) price.product = input.product;
      prices.set(price.id as string, price);
      return price;
    },
    addInvoice(input) {
      const invoice = invoiceObject({ created: now(), ...input });
      invoices.set(invoice.id as string, invoice);
      return invoice;
    },
    addMeter(meter) {
      meters.set(meter.id, meter);
    },
    completeCheckout(sessionId) {
      const session = checkoutSessions.get(sessionId);
      const details = sessionDetails.get(sessionId);
      if (!session || !details) throw new Error(`fake Stripe: no Checkout Session ${sessionId}`);
      if (session.status !== "open")
        throw new Error(`fake Stripe: Checkout Session ${sessionId} is ${String(session.status)}`);
      const t = now();
      const events: StripeEventPayload[] = [];
      Object.assign(session, { status: "complete", payment_status: "paid", url: null });
      const customer = String(session.customer);
      if (session.mode === "payment") {
        session.payment_intent = stripeId("pi");
        events.push(stripeEvent("checkout.session.completed", { ...session }, { created: t }));
        return events;
      }
      const line = details.lineItems.find(
        (l) => l.price.type === "recurring",
      ) as SessionDetails["lineItems"][number];
      const subscription = subscriptionObject({
        customer,
        priceId: line.price.id as string,
        unitAmount: line.price.unit_amount as number,
        currency: line.price.currency as string,
        metadata: details.subscriptionMetadata,
        created: t,
        currentPeriodEnd: addInterval(t, String(obj(line.price.recurring)?.interval ?? "month")),
      });
      const invoice = invoiceObject({
        customer,
        subscription: subscription.id as string,
        subscriptionMetadata: details.subscriptionMetadata,
        status: "paid",
        amountDue: session.amount_total as number,
        currency: line.price.currency as string,
        created: t,
        periodStart: t,
        periodEnd: t,
        billingReason: "subscription_create",
        priceId: line.price.id as string,
      });
      subscription.latest_invoice = invoice.id;
      subscriptions.set(subscription.id as string, subscription);
      invoices.set(invoice.id as string, invoice);
      Object.assign(session, { subscription: subscription.id, invoice: invoice.id });
      events.push(
        stripeEvent("checkout.session.completed", { ...session }, { created: t }),
        stripeEvent("customer.subscription.created", subscription, { created: t }),
        stripeEvent("invoice.paid", invoice, { created: t }),
      );
      return events;
    },
    failNext(count, failure = {}) {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    signedWebhook: (event, signOptions) => signedWebhook(event, webhookSecret, signOptions),
    reset() {
      requests.length = 0;
      for (const m of [
        customers,
        checkoutSessions,
        sessionDetails,
        portalSessions,
        subscriptions,
        invoices,
        prices,
      ]) {
        m.clear();
      }
      meterEvents.length = 0;
      meterEventsById.clear();
      idempotent.clear();
      failures = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK keeps connections alive; close them so the server can stop.
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
