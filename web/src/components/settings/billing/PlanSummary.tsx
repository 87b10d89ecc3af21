import type { ReactNode } from "react";
import { Alert, AlertTitle, Box, Button, Chip, Paper, Stack, Typography } from "@mui/material";
import type { AccountStatus, BillingOverview } from "../../../data/billing";
import { warningDark } from "../../../theme";
import { formatInstant } from "../../shared/format";
import { FormErrorAlert } from "../../FormErrorAlert";
import { formatMoney } from "../../shared/money";
import type { StripeActions } from "./stripeActions";

const statusLabels: Record<AccountStatus, string> = {
  active: "Active",
  past_due: "Payment overdue",
  restricted: "Restricted",
  canceled: "Canceled",
};

const monthFormat = new Intl.DateTimeFormat("en", { month: "long", year: "numeric", timeZone: "UTC" });

/** `2026-11` → "November 2026". */
function formatPeriod(period: string): string {
  const at = Date.parse(`${period}-01T00:00:00Z`);
  return Number.isNaN(at) ? period : monthFormat.format(at);
}

interface PlanSummaryProps {
  readonly overview: BillingOverview;
  readonly owner: boolean;
  readonly stripe: StripeActions;
}

/** The plan and its status, the period, the credits; the banners a status calls for; the Portal's button. */
export function PlanSummary({ overview, owner, stripe }: PlanSummaryProps) {
  const { plan, account, currency, connected } = overview;
  const money = (micros: number) => formatMoney(micros, currency);
  const canOpenPortal = owner && connected && account.stripeCustomer;
  const portalError = stripe.error("portal");

  return (
    <Stack spacing={2}>
      {!connected && <NotConnectedNotice />}
      <StatusBanner overview={overview} owner={owner} />
      <Paper component="section" aria-label="Current plan" sx={{ p: { xs: 2, sm: 3 } }}>
        <Box
          sx={{
            display: "flex",
            flexWrap: "wrap",
            gap: 2,
            alignItems: "flex-start",
            justifyContent: "space-between",
            mb: 2,
          }}
        >
          <Box>
            <Typography variant="h3" component="p">
              {plan.name} plan
            </Typography>
            {plan.priceLabel && <Typography color="text.secondary">{plan.priceLabel}</Typography>}
          </Box>
          <Chip
            label={statusLabels[account.status]}
            color={
              account.status === "active" ? "success" : account.status === "past_due" ? "warning" : "error"
            }
            variant={account.status === "active" ? "outlined" : "filled"}
            sx={account.status === "past_due" ? { bgcolor: warningDark } : undefined}
          />
        </Box>
        <Box
          component="dl"
          sx={{
            m: 0,
            display: "grid",
            gridTemplateColumns: { xs: "1fr", sm: "max-content 1fr" },
            columnGap: 3,
            rowGap: { xs: 0.25, sm: 1.5 },
          }}
        >
          <Figure term="Period">
            {formatPeriod(account.period)} · ends {formatInstant(account.periodEnd)}
          </Figure>
          <Figure term="Credits balance">
            <Box
              component="span"
              sx={{ fontWeight: 600, color: account.balanceMicros < 0 ? "error.main" : undefined }}
            >
              {money(account.balanceMicros)}
            </Box>
            <Typography variant="body2" color="text.secondary">
              {account.balanceMicros < 0
                ? "Usage went past the credits; what is over is charged as overage."
                : plan.overage
                  ? "Usage may go past the credits; what is over is charged as overage."
                  : "Work stops when the credits run out, until they renew or someone tops up."}
            </Typography>
          </Figure>
          <Figure term="Included credits left">
            {money(account.includedRemainingMicros)} of {money(plan.includedCreditsMicros)} this period
            <Typography variant="body2" color="text.secondary">
              Spent first; what is left expires when the period ends.
            </Typography>
          </Figure>
          <Figure term="This month" last>
            {money(overview.thisMonth.costMicros)} of usage · {overview.thisMonth.turns.toLocaleString("en")}{" "}
            {overview.thisMonth.turns === 1 ? "turn" : "turns"}
          </Figure>
        </Box>
        {canOpenPortal && (
          <Stack spacing={1} sx={{ mt: 2, alignItems: "flex-start" }}>
            <Button variant="outlined" onClick={stripe.openPortal}>
              {stripe.busy === "portal" ? "Opening Stripe…" : "Manage billing"}
            </Button>
            <Typography variant="body2" color="text.secondary">
              Payment methods, invoices and the subscription, on Stripe&apos;s pages.
            </Typography>
          </Stack>
        )}
      </Paper>
      {portalError && <FormErrorAlert title="The billing portal did not open" error={portalError} />}
    </Stack>
  );
}

function Figure({ term, children, last = false }: { term: string; children: ReactNode; last?: boolean }) {
  return (
    <>
      <Typography component="dt" color="text.secondary">
        {term}
      </Typography>
      <Box component="dd" sx={{ m: 0, mb: { xs: last ? 0 : 1.5, sm: 0 } }}>
        {children}
      </Box>
    </>
  );
}

/** Without Stripe, the workspace runs on credits the operator grants; nothing here can be bought. */
function NotConnectedNotice() {
  return (
    <Alert severity="info">
      <AlertTitle>Billing is not connected</AlertTitle>
      This workspace runs on credits an operator grants (<code>npm run billing -- grant …</code>). Buying a
      plan or credits, the billing portal and invoices appear here once the operator connects Stripe.
    </Alert>
  );
}

/** What a status other than active means for the workspace's work, and who can settle it. */
function StatusBanner({ overview, owner }: { readonly overview: BillingOverview; readonly owner: boolean }) {
  const { account, connected } = overview;
  const settle = owner
    ? connected && account.stripeCustomer
      ? " Update the payment method or pay the invoice with Manage billing."
      : ""
    : " An owner of this workspace can settle it.";
  switch (account.status) {
    case "active":
      return null;
    case "past_due":
      return (
        <Alert severity="warning">
          <AlertTitle>A payment failed</AlertTitle>
          {account.graceUntil
            ? `Agents keep working until ${formatInstant(account.graceUntil)}; after that, new work is refused until it is paid.`
            : "New work will be refused once the grace period ends, until it is paid."}
          {settle}
        </Alert>
      );
    case "restricted":
      return (
        <Alert severity="error">
          <AlertTitle>This workspace is restricted</AlertTitle>A payment failed and the grace period ended
          {account.graceUntil ? ` on ${formatInstant(account.graceUntil)}` : ""}: agents, uploads and searches
          are refused until it is paid.{settle}
        </Alert>
      );
    case "canceled":
      return (
        <Alert severity="error">
          <AlertTitle>The subscription was canceled</AlertTitle>
          New work is refused.
          {owner
            ? connected
              ? " Choose a plan below to subscribe again."
              : " Ask the operator to set a plan."
            : " An owner of this workspace can subscribe again."}
        </Alert>
      );
  }
}
