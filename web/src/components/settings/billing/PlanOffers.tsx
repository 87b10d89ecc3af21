import { useId } from "react";
import { Box, Button, Chip, Paper, Stack, Typography } from "@mui/material";
import type { BillingOverview, PlanOffer } from "../../../data/billing";
import { FormErrorAlert } from "../../FormErrorAlert";
import { SectionHeader } from "../../shared/SectionHeader";
import { formatMoney } from "../../shared/money";
import type { StripeActions } from "./stripeActions";

interface PlanOffersProps {
  readonly overview: BillingOverview;
  readonly owner: boolean;
  readonly stripe: StripeActions;
}

/**
 * The catalog's plans, the current one marked. An owner buys another through Stripe Checkout, when billing is
 * connected and the plan has a Stripe price; a workspace that already pays a subscription changes it in the
 * Customer Portal instead (a second Checkout would start a second subscription).
 */
export function PlanOffers({ overview, owner, stripe }: PlanOffersProps) {
  const headingId = useId();
  const { plans, plan: current, account, connected, currency } = overview;
  const canBuy = owner && connected && !account.subscribed;
  const failed = plans.map((p) => stripe.error(`plan:${p.id}`)).find((e) => e !== undefined);

  let description: string;
  if (!connected) description = "The plans the operator offers. The operator sets the workspace's plan.";
  else if (!owner) description = "The plans on offer. Only owners change the plan or buy credits.";
  else if (account.subscribed) {
    description = account.stripeCustomer
      ? "The plans on offer. The workspace pays a subscription: change or cancel it with Manage billing."
      : "The plans on offer. The workspace pays a subscription: ask the operator to change it.";
  } else description = "The plans on offer; upgrading opens Stripe's secure payment page.";

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader id={headingId} title="Plans" level="h3" description={description} />
      <Box
        component="ul"
        sx={{
          m: 0,
          p: 0,
          listStyle: "none",
          display: "grid",
          gap: 2,
          gridTemplateColumns: { xs: "minmax(0, 1fr)", sm: "repeat(auto-fill, minmax(220px, 1fr))" },
        }}
      >
        {plans.map((offer) => (
          <li key={offer.id}>
            <OfferCard
              offer={offer}
              current={offer.id === current.id}
              currency={currency}
              onBuy={canBuy && offer.purchasable && offer.id !== current.id ? stripe.buyPlan : undefined}
              busy={stripe.busy === `plan:${offer.id}`}
            />
          </li>
        ))}
      </Box>
      {failed && <FormErrorAlert title="Checkout did not open" error={failed} />}
    </Stack>
  );
}

interface OfferCardProps {
  readonly offer: PlanOffer;
  readonly current: boolean;
  readonly currency: string;
  /** Absent when this plan cannot be bought here, by this person, now. */
  readonly onBuy: ((planId: string) => void) | undefined;
  readonly busy: boolean;
}

function OfferCard({ offer, current, currency, onBuy, busy }: OfferCardProps) {
  const nameId = useId();
  return (
    <Paper
      component="article"
      aria-labelledby={nameId}
      sx={{
        p: 2,
        height: "100%",
        display: "flex",
        flexDirection: "column",
        gap: 1,
        borderColor: current ? "primary.main" : undefined,
      }}
    >
      <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
        <Typography id={nameId} sx={{ fontWeight: 700 }}>
          {offer.name}
        </Typography>
        {current && <Chip size="small" color="primary" label="Current plan" />}
      </Box>
      {offer.priceLabel && <Typography>{offer.priceLabel}</Typography>}
      <Typography variant="body2" color="text.secondary">
        {offer.includedCreditsMicros > 0
          ? `${formatMoney(offer.includedCreditsMicros, currency)} of credits included each month.`
          : "No credits included."}{" "}
        {offer.overage ? "Usage past them is charged." : "Work stops when they run out."}
      </Typography>
      {onBuy && (
        <Button
          variant="contained"
          onClick={() => onBuy(offer.id)}
          sx={{ mt: "auto", alignSelf: "flex-start" }}
        >
          {busy ? "Opening Stripe…" : `Upgrade to ${offer.name}`}
        </Button>
      )}
    </Paper>
  );
}

interface TopUpsProps {
  readonly overview: BillingOverview;
  readonly stripe: StripeActions;
}

/** Credits an owner can buy at once, through Stripe Checkout (only shown when billing is connected). */
export function TopUps({ overview, stripe }: TopUpsProps) {
  const headingId = useId();
  const { topUpOptionsMicros: options, currency } = overview;
  if (options.length === 0) return null;
  const failed = options.map((amount) => stripe.error(`topup:${amount}`)).find((e) => e !== undefined);
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Buy credits"
        level="h3"
        description="Credits are added to the balance once Stripe confirms the payment. They do not expire at the period's end."
      />
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1.5 }}>
        {options.map((amount) => {
          const label = formatMoney(amount, currency);
          return (
            <Button key={amount} variant="outlined" onClick={() => stripe.buyCredits(amount)}>
              {stripe.busy === `topup:${amount}` ? "Opening Stripe…" : `Buy ${label} of credits`}
            </Button>
          );
        })}
      </Box>
      {failed && <FormErrorAlert title="Checkout did not open" error={failed} />}
    </Stack>
  );
}
