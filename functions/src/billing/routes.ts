/**
 * Billing's REST routes. The counts stock limits compare against (documents, members, agents) belong to the
 * services above billing, so the API composes them in (`BillingHooks`), as it does for API keys' agents.
 */
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { route, type Route } from "../platform/http/router.js";
import { validate } from "../platform/validation.js";
import { catalogAt } from "./catalog.js";
import { billingOverview, usageQuerySchema, usageReport, type Stock } from "./report.js";
import { creditEntriesPath, creditEntrySchema } from "./schema.js";
import { checkoutInput, listInvoices, openPortal, receiveStripeWebhook, startCheckout } from "./stripe.js";

export interface BillingHooks {
  /** The workspace's documents, stored bytes, members and agents. */
  readonly stock: (deps: Deps, tenantId: string) => Promise<Stock>;
  /** The workspace's name (its Stripe customer's). */
  readonly tenantName: (deps: Deps, tenantId: string) => Promise<string>;
}

const tag = "Billing";

const ledgerQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** The `at` of the last entry of the previous page: entries strictly older come next. */
    before: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

const portalInput = z.object({ returnUrl: z.url().max(2000) }).strict();

/** A query string validated like a body: a clear 400 naming the parameter. */
function query<T>(schema: z.ZodType<T>, q: URLSearchParams): T {
  return validate(schema, Object.fromEntries(q), "query");
}

export function billingRoutes(hooks: BillingHooks): Route<unknown, unknown>[] {
  return [
    route({
      method: "GET",
      path: "/v1/billing",
      summary:
        "The workspace's billing: plan, status, credits balance, this period's usage, each limit with how much " +
        "of it is used and when it resets, the plans on offer, notices and the latest ledger entries",
      tag,
      permission: "billing.view",
      handle: async ({ deps, caller }) =>
        billingOverview(deps, caller.tenantId, await hooks.stock(deps, caller.tenantId)),
    }),
    route({
      method: "GET",
      path: "/v1/billing/usage",
      summary:
        "Usage per UTC day (?from= and ?to= inclusive ISO dates, default the last 30 days, at most 92): turns, " +
        "conversations, tokens, tool calls, documents, pages, messages and cost in micros, with totals and the " +
        "breakdown by agent and model. Read from daily rollups: never more than one document per day",
      tag,
      permission: "billing.view",
      handle: ({ deps, caller, request }) =>
        usageReport(deps, caller.tenantId, query(usageQuerySchema, request.query)),
    }),
    route({
      method: "GET",
      path: "/v1/billing/ledger",
      summary:
        "The credits ledger, newest first (?limit=, ?before= the last entry's `at` for the next page): grants, " +
        "top-ups, consumption, refunds and expiries, each with the balance after it",
      tag,
      permission: "billing.view",
      handle: async ({ deps, caller, request }) => {
        const q = query(ledgerQuery, request.query);
        const snaps = await deps.store.query({
          collection: creditEntriesPath(caller.tenantId),
          ...(q.before ? { where: [{ field: "at", op: "<", value: q.before }] } : {}),
          orderBy: [{ field: "at", direction: "desc" }],
          limit: q.limit,
        });
        return { entries: snaps.map((s) => ({ id: s.id, ...creditEntrySchema.parse(s.data) })) };
      },
    }),
    route({
      method: "GET",
      path: "/v1/billing/catalog",
      summary:
        "The price book and plans in force (prices in micros of the currency; token prices per million)",
      tag,
      permission: "billing.view",
      handle: ({ deps }) => catalogAt(deps, deps.clock.nowIso()),
    }),
    route({
      method: "GET",
      path: "/v1/billing/invoices",
      summary: "The workspace's Stripe invoices, newest first (400 when Stripe is not connected)",
      tag,
      permission: "billing.manage",
      handle: async ({ deps, caller }) => ({ invoices: await listInvoices(deps, caller.tenantId) }),
    }),
    route({
      method: "POST",
      path: "/v1/billing/checkout",
      summary:
        "Start a Stripe Checkout: a plan's subscription ({kind: subscription, planId}) or a credit top-up " +
        "({kind: topup, amountMicros} from the catalog's options); answers the URL to send the browser to. " +
        "returnUrl must be on one of the studio's origins",
      tag,
      permission: "billing.manage",
      body: { kind: "json", schema: checkoutInput },
      handle: async ({ deps, caller, body, request }) =>
        startCheckout(
          deps,
          { id: caller.tenantId, name: await hooks.tenantName(deps, caller.tenantId) },
          body as z.infer<typeof checkoutInput>,
          request.headers.origin,
        ),
    }),
    route({
      method: "POST",
      path: "/v1/billing/portal",
      summary: "Open Stripe's Customer Portal (payment methods, invoices, cancellation); answers its URL",
      tag,
      permission: "billing.manage",
      body: { kind: "json", schema: portalInput },
      handle: async ({ deps, caller, body, request }) =>
        openPortal(
          deps,
          { id: caller.tenantId, name: await hooks.tenantName(deps, caller.tenantId) },
          (body as z.infer<typeof portalInput>).returnUrl,
          request.headers.origin,
        ),
    }),
    route({
      method: "POST",
      path: "/webhooks/stripe",
      summary:
        "Stripe webhook: Stripe-Signature is verified over the raw body (300 s tolerance) before anything is " +
        "stored; each event is recorded once by its id and processed in the background",
      tag,
      permission: null,
      body: { kind: "raw" },
      ipLimited: false,
      handle: async ({ deps, body, request }) => {
        return receiveStripeWebhook(deps, body as unknown as Buffer, request.headers["stripe-signature"]);
      },
    }),
  ];
}
