/**
 * Whether a deployment takes payments: Stripe when STRIPE_SECRET_KEY is set, otherwise none (`deps.payments`
 * stays unset and billing runs on credits alone). The Stripe adapter, and with it the `stripe` SDK, is loaded
 * only when chosen.
 */
import type { Config } from "../config.js";
import type { Clock, Payments } from "../ports.js";

export async function choosePayments(config: Config, clock?: Clock): Promise<Payments | undefined> {
  const { secretKey, webhookSecret, apiUrl } = config.stripe;
  // loadConfig refuses a secret key without a webhook secret; both are checked again for hand-made configs.
  if (!secretKey || !webhookSecret) return undefined;
  const { openStripePayments } = await import("./stripe-payments.js");
  return openStripePayments({
    secretKey,
    webhookSecret,
    ...(apiUrl ? { apiUrl } : {}),
    ...(clock ? { clock } : {}),
  });
}
