/**
 * The `Payments` port over Stripe's official `stripe` SDK: customers, Checkout, the Customer Portal, webhook
 * verification, billing meter events and totals, invoices. The SDK is loaded with `await import("stripe")`
 * when the adapter is opened (at deps time, never at module scope), so a function group that opens no deps
 * never loads it; opening is async so that `verifyWebhook` can stay synchronous.
 *
 * Stripe failures become `AppError`s with the platform's codes. Keys never appear in an error or a log
 * line: messages about rejected keys and signatures are our own, and Stripe's text is redacted.
 */
import type { Stripe } from "stripe";
import { systemClock } from "../clock.js";
import { AppError, type ErrorCode } from "../errors.js";
import { log } from "../log.js";
import type {
  CheckoutRequest,
  Clock,
  InvoiceSummary,
  MeterEventInput,
  Payments,
  PaymentEvent,
} from "../ports.js";

type Sdk = typeof import("stripe");

export const DEFAULT_STRIPE_API_URL = "https://api.stripe.com";

/** How long Stripe signs a webhook for: an older delivery is refused as a possible replay. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export interface StripePaymentsOptions {
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** The API's origin (`http://127.0.0.1:<port>` for a fake server); unset, Stripe's own. */
  readonly apiUrl?: string;
  /** Per request, each attempt. Stripe's own default (80 s) outlasts most function timeouts. */
  readonly timeoutMs?: number;
  /** Retries of connection errors, 409s and 5xx (and 429s Stripe marks retriable), with backoff. */
  readonly maxNetworkRetries?: number;
  /** What a webhook's signature timestamp is checked against: the platform's clock. */
  readonly clock?: Clock;
}

/** Meter events in flight at once: Stripe takes 1,000 a second, one per request. */
const METER_EVENT_CONCURRENCY = 8;

/** The SDK's `host`/`port`/`protocol` options for an API origin. */
export function stripeHostOptions(apiUrl: string): Pick<Stripe.StripeConfig, "host" | "port" | "protocol"> {
  const url = new URL(apiUrl);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return {
    // An IPv6 literal comes back in brackets, which Node's `http.request` does not take as a host.
    host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? (protocol === "http" ? 80 : 443) : Number(url.port),
    protocol,
  };
}

// ---------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------

/** Removes anything that looks like a Stripe key or secret from Stripe's text before it reaches a message. */
function redact(text: string, options: StripePaymentsOptions): string {
  let out = text;
  for (const secret of [options.secretKey, options.webhookSecret]) {
    if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  }
  return out
    .replace(/\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9*]+/g, "[redacted]")
    .replace(/\bwhsec_[A-Za-z0-9*]+/g, "[redacted]")
    .replace(/\bBearer\s+\S+/gi, "Bearer [redacted]");
}

function toPaymentsError(e: unknown, sdk: Sdk, options: StripePaymentsOptions, what: string): AppError {
  if (e instanceof AppError) return e;
  const errors = sdk.Stripe.errors;
  if (!(e instanceof errors.StripeError)) {
    log.error(`unexpected error during a Stripe ${what} request`, { err: e });
    return new AppError("internal", "An internal error occurred. It has been logged.");
  }
  const status = e.statusCode;
  const said = redact(e.message, options);
  const details: Record<string, unknown> = { provider: "stripe" };
  if (status !== undefined) details.status = status;
  if (e.requestId) details.requestId = e.requestId;
  if (typeof e.code === "string") details.providerCode = e.code;
  let code: ErrorCode;
  let message: string;
  if (e instanceof errors.StripeConnectionError) {
    code = "unavailable";
    message = said.includes("timeout")
      ? `Stripe did not answer the ${what} request in time (after ${options.maxNetworkRetries ?? 2} retries).`
      : `Could not reach Stripe for the ${what} request (after ${options.maxNetworkRetries ?? 2} retries).`;
  } else if (e instanceof errors.StripeAuthenticationError || e instanceof errors.StripePermissionError) {
    // Our own words only: Stripe's message names (part of) the key it received.
    code = "failed-precondition";
    message = `Stripe rejected the secret key (HTTP ${status ?? "?"}). Check STRIPE_SECRET_KEY and STRIPE_API_URL.`;
  } else if (e instanceof errors.StripeRateLimitError) {
    code = "resource-exhausted";
    message = `Stripe's rate limit was exceeded during the ${what} request: ${said}`;
  } else if (e instanceof errors.StripeIdempotencyError) {
    code = "aborted";
    message = `Stripe refused the ${what} request's idempotency key: ${said}`;
  } else if (e instanceof errors.StripeInvalidRequestError || e instanceof errors.StripeCardError) {
    code = status === 404 ? "not-found" : status === 402 ? "failed-precondition" : "invalid-argument";
    message = `Stripe refused the ${what} request (HTTP ${status ?? "?"}): ${said}`;
  } else {
    // 5xx after the SDK's retries, or a response it could not read.
    code = "unavailable";
    message = `Stripe failed the ${what} request (HTTP ${status ?? "?"}): ${said}`;
  }
  log.warn(`a Stripe ${what} request failed`, { code, status, requestId: e.requestId });
  return new AppError(code, message, details);
}

// ---------------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------------

const invalidWebhook = (reason: string): AppError =>
  new AppError("invalid-argument", `Invalid Stripe webhook: ${reason}`);

function eventOf(value: unknown): PaymentEvent {
  const event = value as {
    id?: unknown;
    type?: unknown;
    created?: unknown;
    data?: { object?: unknown };
  } | null;
  const object = event?.data?.object;
  if (
    typeof event?.id !== "string" ||
    typeof event.type !== "string" ||
    typeof event.created !== "number" ||
    typeof object !== "object" ||
    object === null ||
    Array.isArray(object)
  ) {
    throw invalidWebhook("the body is not a Stripe event (id, type, created, data.object).");
  }
  return { id: event.id, type: event.type, created: event.created, data: object as Record<string, unknown> };
}

// ---------------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------------

const whole = (n: number, what: string): number => {
  if (!Number.isSafeInteger(n)) throw new AppError("invalid-argument", `${what} must be a whole number.`);
  return n;
};

/** Stripe sums a meter over minute-aligned windows: the minutes that cover [start, end). */
const minuteFloor = (seconds: number): number => Math.floor(seconds / 60) * 60;
const minuteCeil = (seconds: number): number => Math.ceil(seconds / 60) * 60;

/** Runs `fn` over `items`, `limit` at a time; every call settles before the first failure is thrown. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        if (!failed) [failed, failure] = [true, e];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failure;
}

/** Loads the SDK once and returns the adapter; fails with `internal` when the package cannot be loaded. */
export async function openStripePayments(options: StripePaymentsOptions): Promise<Payments> {
  let sdk: Sdk;
  try {
    sdk = await import("stripe");
  } catch (e) {
    log.error("the stripe package could not be loaded", { err: e });
    throw new AppError("internal", "The payments client could not be loaded.");
  }
  const clock = options.clock ?? systemClock;
  const stripe = new sdk.Stripe(options.secretKey, {
    ...stripeHostOptions(options.apiUrl ?? DEFAULT_STRIPE_API_URL),
    timeout: options.timeoutMs ?? 20_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    telemetry: false,
    appInfo: { name: "Alchemist" },
  });

  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (e) {
      throw toPaymentsError(e, sdk, options, what);
    }
  };

  return {
    async createCustomer(input) {
      const customer = await call("customer", () =>
        stripe.customers.create(
          { name: input.name, metadata: { ...input.metadata } },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      return { id: customer.id };
    },

    async createCheckoutSession(input: CheckoutRequest) {
      const common = {
        customer: input.customerId,
        metadata: { ...input.metadata },
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
      };
      let params: Stripe.Checkout.SessionCreateParams;
      if (input.mode === "subscription") {
        if (!input.priceId)
          throw new AppError("invalid-argument", "A subscription checkout needs a price id.");
        params = {
          mode: "subscription",
          line_items: [{ price: input.priceId, quantity: 1 }],
          // The subscription's own metadata is what its later webhooks (renewals, cancellations) carry.
          subscription_data: { metadata: { ...input.metadata } },
          ...common,
        };
      } else {
        if (!input.amount) throw new AppError("invalid-argument", "A payment checkout needs an amount.");
        params = {
          mode: "payment",
          line_items: [
            {
              price_data: {
                currency: input.amount.currency,
                unit_amount: whole(input.amount.unitAmount, "The amount"),
                product_data: { name: input.amount.name },
              },
              quantity: 1,
            },
          ],
          ...common,
        };
      }
      const session = await call("checkout session", () =>
        stripe.checkout.sessions.create(params, { idempotencyKey: input.idempotencyKey }),
      );
      if (!session.url) {
        throw new AppError("unavailable", "Stripe returned a Checkout Session without a payment page URL.");
      }
      return { id: session.id, url: session.url };
    },

    async createPortalSession(input) {
      const session = await call("customer portal session", () =>
        stripe.billingPortal.sessions.create({ customer: input.customerId, return_url: input.returnUrl }),
      );
      return { url: session.url };
    },

    verifyWebhook(rawBody, signature) {
      if (signature === undefined || signature.trim() === "") {
        throw invalidWebhook("the Stripe-Signature header is missing.");
      }
      const receivedAt = clock.now().getTime();
      let event: unknown;
      try {
        event = stripe.webhooks.constructEvent(
          rawBody,
          signature,
          options.webhookSecret,
          WEBHOOK_TOLERANCE_SECONDS,
          undefined,
          receivedAt,
        );
      } catch (e) {
        if (e instanceof sdk.Stripe.errors.StripeSignatureVerificationError) {
          // Stripe's message may quote the header and hint at the secret: say in our words which check failed.
          let stale = false;
          try {
            // Tolerance 0 skips the age check: a signature that passes now was only too old.
            stale =
              stripe.webhooks.signature?.verifyHeader(rawBody, signature, options.webhookSecret, 0) ?? false;
          } catch {
            stale = false;
          }
          throw invalidWebhook(
            stale
              ? `the signature is more than ${WEBHOOK_TOLERANCE_SECONDS} seconds old (a replayed delivery?).`
              : "the signature does not match the body (wrong signing secret, or a body changed on its way).",
          );
        }
        if (e instanceof SyntaxError) throw invalidWebhook("the body is not JSON.");
        log.warn("a Stripe webhook could not be read", { err: e });
        throw invalidWebhook("the delivery could not be read.");
      }
      return eventOf(event);
    },

    async reportMeterEvents(events: readonly MeterEventInput[]) {
      for (const e of events) {
        whole(e.value, "A meter event's value");
        whole(e.timestamp, "A meter event's timestamp");
      }
      await eachLimited(events, METER_EVENT_CONCURRENCY, async (e) => {
        await call("meter event", () =>
          stripe.billing.meterEvents.create({
            event_name: e.eventName,
            // Stripe drops a second event with the same identifier: a retried report counts once.
            identifier: e.identifier,
            timestamp: e.timestamp,
            payload: { stripe_customer_id: e.customerId, value: String(e.value) },
          }),
        );
      });
    },

    async meterTotal(input) {
      const start = minuteFloor(input.start);
      const end = minuteCeil(input.end);
      if (end <= start) return 0;
      return call("meter summary", async () => {
        let total = 0;
        for await (const summary of stripe.billing.meters.listEventSummaries(input.meterId, {
          customer: input.customerId,
          start_time: start,
          end_time: end,
        })) {
          total += summary.aggregated_value;
        }
        return total;
      });
    },

    async ping() {
      await call("balance", () => stripe.balance.retrieve());
    },

    async listInvoices(customerId, limit) {
      const page = await call("invoice list", () =>
        // Stripe lists 1 to 100 a page; the newest first.
        stripe.invoices.list({
          customer: customerId,
          limit: Number.isFinite(limit) ? Math.min(100, Math.max(1, Math.floor(limit))) : 10,
        }),
      );
      return page.data.map((invoice): InvoiceSummary => ({
        id: invoice.id,
        number: invoice.number,
        status: invoice.status,
        amountDue: invoice.amount_due,
        amountPaid: invoice.amount_paid,
        currency: invoice.currency,
        created: new Date(invoice.created * 1000).toISOString(),
        hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
        pdfUrl: invoice.invoice_pdf ?? null,
      }));
    },
  };
}
