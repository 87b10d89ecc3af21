import { useEffect, useId, useState } from "react";
import { useSearchParams } from "react-router";
import { Alert, AlertTitle, Button, Stack } from "@mui/material";
import { hasPermission } from "../../../data/admin";
import { defaultUsageRange, usageRanges, type CheckoutRequest, type UsageRange } from "../../../data/billing";
import { useBillingOverview, useBillingUsage, useInvoices } from "../../../data/hooks/billing";
import type { Session } from "../../../data/session";
import { useStudio } from "../../../data/studio";
import { useMutation } from "../../../data/useMutation";
import { FormErrorAlert } from "../../FormErrorAlert";
import { PageLoading } from "../../PageLoading";
import { settingsPath } from "../../settingsSections";
import { SectionHeader } from "../../shared/SectionHeader";
import { SectionLoadError } from "../SectionLoadError";
import { BillingNotices } from "./BillingNotices";
import { CreditLedger } from "./CreditLedger";
import { InvoicesPanel } from "./InvoicesPanel";
import { LimitsPanel } from "./LimitsPanel";
import { PlanOffers, TopUps } from "./PlanOffers";
import { PlanSummary } from "./PlanSummary";
import type { StripeAction, StripeActions } from "./stripeActions";
import { UsagePanel } from "./UsagePanel";

/** `?range=7|30|90` (default 30): the usage window, in the address so a view can be shared. */
function rangeOf(param: string | null): UsageRange {
  return usageRanges.find((range) => String(range) === param) ?? defaultUsageRange;
}

/** Stripe sends the browser back here, with `?checkout=success` or `?checkout=cancelled`. */
type CheckoutOutcome = "success" | "cancelled";

function checkoutOutcomeOf(param: string | null): CheckoutOutcome | undefined {
  return param === "success" || param === "cancelled" ? param : undefined;
}

/** While a payment Stripe took is on its way to the platform (its webhook), the overview is read again. */
const afterCheckoutRefreshMs = 5000;

/**
 * `/settings/billing` (admins and owners): the plan and its status, credits, the limits and how much of each
 * is used, usage per day and by agent and model, notices, the credits ledger and invoices. Owners also buy:
 * a plan or credits through Stripe Checkout, and manage payment through Stripe's Customer Portal; both are
 * Stripe's pages, which send the browser back here.
 */
export function BillingSection({ session }: { readonly session: Session }) {
  const headingId = useId();
  const studio = useStudio();
  const [searchParams, setSearchParams] = useSearchParams();
  const checkout = checkoutOutcomeOf(searchParams.get("checkout"));
  const days = rangeOf(searchParams.get("range"));
  const overview = useBillingOverview(checkout === "success" ? afterCheckoutRefreshMs : undefined);
  const usage = useBillingUsage(days);
  const owner = hasPermission(session.role, "billing.manage");
  const connected = overview.data?.connected === true;
  const invoices = useInvoices(owner && connected);
  const stripe = useMutation<StripeAction>();
  // Set once the browser is on its way to Stripe: the buttons stay busy until the page is gone.
  const [leaving, setLeaving] = useState<StripeAction | undefined>(undefined);
  useEffect(() => {
    // Back from Stripe through the back/forward cache, the page is as it was left: busy no more.
    const onPageShow = (event: PageTransitionEvent) => {
      if (event.persisted) setLeaving(undefined);
    };
    window.addEventListener("pageshow", onPageShow);
    return () => window.removeEventListener("pageshow", onPageShow);
  }, []);

  const setParam = (name: "range" | "checkout", value: string | undefined) =>
    setSearchParams(
      (params) => {
        const next = new URLSearchParams(params);
        if (value === undefined) next.delete(name);
        else next.set(name, value);
        return next;
      },
      { replace: true },
    );

  /** This page's own address, without its query: where Stripe sends the browser back (`?checkout=…` added). */
  const returnUrl = new URL(settingsPath("billing"), window.location.origin).href;

  const goToStripe = (action: StripeAction, open: () => Promise<{ readonly url: string }>) => {
    if (leaving) return;
    void stripe.run(action, async () => {
      const { url } = await open();
      setLeaving(action);
      window.location.assign(url);
    });
  };

  const buy = (action: StripeAction, request: CheckoutRequest) =>
    goToStripe(action, () => studio.startCheckout(request));
  const stripeActions: StripeActions = {
    busy: leaving ?? stripe.busy,
    buyPlan: (planId: string) => buy(`plan:${planId}`, { kind: "subscription", planId, returnUrl }),
    buyCredits: (amountMicros: number) =>
      buy(`topup:${amountMicros}`, { kind: "topup", amountMicros, returnUrl }),
    openPortal: () => goToStripe("portal", () => studio.openBillingPortal(returnUrl)),
    error: stripe.error,
  };

  const data = overview.data;
  return (
    <Stack spacing={5}>
      <Stack component="section" aria-labelledby={headingId} spacing={2}>
        <SectionHeader
          id={headingId}
          title="Billing"
          description="The workspace's plan, credits and limits, and what its usage cost."
          action={
            data ? (
              <Button
                variant="outlined"
                onClick={() => {
                  overview.retry();
                  usage.retry();
                  invoices?.retry();
                }}
              >
                {overview.pending ? "Refreshing…" : "Refresh"}
              </Button>
            ) : undefined
          }
        />
        {checkout && (
          <CheckoutOutcomeAlert outcome={checkout} onClose={() => setParam("checkout", undefined)} />
        )}
        {overview.error && !data && (
          <SectionLoadError error={overview.error} onRetry={overview.retry} retrying={overview.pending} />
        )}
        {overview.error && data && (
          <FormErrorAlert title="Billing could not be refreshed" error={overview.error} />
        )}
        {!data && !overview.error && <PageLoading label="Loading billing…" />}
        {data && <PlanSummary overview={data} owner={owner} stripe={stripeActions} />}
      </Stack>
      {data && (
        <>
          <PlanOffers overview={data} owner={owner} stripe={stripeActions} />
          {data.connected && owner && <TopUps overview={data} stripe={stripeActions} />}
          <LimitsPanel limits={data.limits} />
        </>
      )}
      <UsagePanel
        days={days}
        onDaysChange={(range) => setParam("range", String(range))}
        usage={usage}
        currency={data?.currency}
      />
      {data && (
        <>
          <BillingNotices notices={data.notices} />
          <CreditLedger entries={data.ledger} currency={data.currency} />
          {invoices && <InvoicesPanel invoices={invoices} />}
        </>
      )}
    </Stack>
  );
}

interface CheckoutOutcomeAlertProps {
  readonly outcome: CheckoutOutcome;
  readonly onClose: () => void;
}

/** What became of a Checkout, when Stripe sends the browser back. */
function CheckoutOutcomeAlert({ outcome, onClose }: CheckoutOutcomeAlertProps) {
  if (outcome === "cancelled") {
    return (
      <Alert severity="info" onClose={onClose}>
        <AlertTitle>Checkout cancelled</AlertTitle>
        Nothing was bought and nothing was charged.
      </Alert>
    );
  }
  return (
    <Alert severity="success" onClose={onClose}>
      <AlertTitle>Payment received</AlertTitle>
      Thank you. Stripe tells the platform in a moment; the plan and credits below update when it does.
    </Alert>
  );
}
