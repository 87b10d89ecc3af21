// Money is never a float. Inside the service an amount is an integer number of euro cents; on the wire it is a
// decimal string with exactly two decimals ("1234.50", "-12.30"), so no sum is ever rounded by a double.

/** An amount in cents, an integer. Negative for money leaving an account. */
export type Cents = number;

export const CURRENCY = "EUR";
export type Currency = typeof CURRENCY;

// Twelve integer digits (under a trillion euros) keeps every sum of cents well inside Number.MAX_SAFE_INTEGER.
export const AMOUNT_PATTERN = "^(0|[1-9][0-9]{0,11})\\.[0-9]{2}$";
export const SIGNED_AMOUNT_PATTERN = "^-?(0|[1-9][0-9]{0,11})\\.[0-9]{2}$";
const amountPattern = new RegExp(AMOUNT_PATTERN);

/** Reads a non-negative wire amount ("12.50"); undefined when it is not one. */
export function parseAmount(text: string): Cents | undefined {
  if (!amountPattern.test(text)) return undefined;
  const [euros = "0", cents = "0"] = text.split(".");
  return Number(euros) * 100 + Number(cents);
}

/** The wire form: "1234.50", "-12.30". */
export function formatAmount(cents: Cents): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`not an amount in cents: ${cents}`);
  const sign = cents < 0 ? "-" : "";
  const magnitude = Math.abs(cents);
  return `${sign}${Math.floor(magnitude / 100)}.${String(magnitude % 100).padStart(2, "0")}`;
}

/** The human form for messages a person or a model reads: "1,000.00 EUR". */
export function describeAmount(cents: Cents): string {
  const [euros = "0", decimals = "00"] = formatAmount(cents).split(".");
  return `${euros.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${decimals} ${CURRENCY}`;
}
