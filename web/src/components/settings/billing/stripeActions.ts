import type { PlatformRequestError } from "../../../data/platform";

/** A change that sends the browser to Stripe: a plan's Checkout, a top-up's, or the Customer Portal. */
export type StripeAction = `plan:${string}` | `topup:${number}` | "portal";

/** The owner's ways to Stripe, as the billing section's parts offer them. */
export interface StripeActions {
  /** The one on its way (the browser is leaving for Stripe). */
  readonly busy: StripeAction | undefined;
  readonly buyPlan: (planId: string) => void;
  readonly buyCredits: (amountMicros: number) => void;
  readonly openPortal: () => void;
  /** Why `action` last failed. */
  readonly error: (action: StripeAction) => PlatformRequestError | undefined;
}
