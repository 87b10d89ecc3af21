import { Link as RouterLink } from "react-router";
import { Link, Typography } from "@mui/material";
import { hasPermission } from "../data/admin";
import { billingRefusalOf } from "../data/billing";
import type { PlatformRequestError } from "../data/platform";
import { useSession } from "../data/session";
import { formatInstant } from "./shared/format";
import { settingsPath } from "./settingsSections";

/**
 * A refusal for the workspace's plan, its limits, its credits or a payment (HTTP 402), in words: the
 * platform's sentence, with the moment it resets written as the studio writes times (its sentence has the
 * ISO form), and "no credits left" without the platform's micros. `undefined` for any other error.
 */
export function paymentRequiredReason(error: PlatformRequestError): string | undefined {
  const refusal = billingRefusalOf(error);
  if (!refusal) return undefined;
  if (refusal.limit === "credits") {
    return (
      "This workspace has used all its credits" +
      (refusal.resetsAt ? `; they renew on ${formatInstant(refusal.resetsAt)}.` : ".")
    );
  }
  const reason = error.reason ?? error.message;
  return refusal.resetsAt ? reason.replaceAll(refusal.resetsAt, formatInstant(refusal.resetsAt)) : reason;
}

/** What an error says, a billing refusal in the studio's words (see `paymentRequiredReason`). */
export function errorSentence(error: PlatformRequestError): string {
  return paymentRequiredReason(error) ?? error.reason ?? error.message;
}

/**
 * Under a billing refusal: where its limits and credits are (Settings → Billing for admins and owners), or
 * whom to ask. Nothing for any other error.
 */
export function PaymentRequiredNote({ error }: { readonly error: PlatformRequestError }) {
  const { session } = useSession();
  if (!billingRefusalOf(error)) return null;
  const canSeeBilling = session !== undefined && hasPermission(session.role, "billing.view");
  return (
    <Typography variant="body2" sx={{ mt: 1 }}>
      {canSeeBilling ? (
        <>
          The plan&apos;s limits, the credits and how to add more are under{" "}
          <Link component={RouterLink} to={settingsPath("billing")} color="inherit">
            Settings → Billing
          </Link>
          .
        </>
      ) : (
        "This is about the workspace's plan or credits: an admin or owner of this workspace can see them under Settings → Billing."
      )}
    </Typography>
  );
}
