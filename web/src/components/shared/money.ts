/**
 * How the studio writes money. The platform counts in integer micros of the currency and Stripe in its
 * smallest unit (cents); both are turned into an exact decimal string with integer arithmetic and only then
 * formatted (`Intl.NumberFormat` formats such a string exactly), so "$0.0031" never reads "$0.0030999999".
 * English, like the rest of the studio.
 */

/** Digits after the decimal point the platform keeps: micros. */
const microDigits = 6;

const formats = new Map<string, Intl.NumberFormat>();

function currencyFormat(currency: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${currency}|${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat("en", { style: "currency", currency, ...options });
    formats.set(key, format);
  }
  return format;
}

/** The currency's usual number of decimals: 2 for USD and EUR, 0 for JPY. */
export function currencyDigits(currency: string): number {
  try {
    return currencyFormat(currency, {}).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** `amount` (a whole number) divided by 10^`scale`, as an exact decimal string: (-3100, 6) → "-0.003100". */
function decimalOf(amount: number, scale: number): `${number}` {
  const whole = Math.trunc(amount);
  const sign = whole < 0 ? "-" : "";
  const digits = String(Math.abs(whole)).padStart(scale + 1, "0");
  const integer = scale === 0 ? digits : digits.slice(0, -scale);
  const fraction = scale === 0 ? "" : `.${digits.slice(-scale)}`;
  return `${sign}${integer}${fraction}` as `${number}`;
}

interface MoneyOptions {
  /** Writes a + before gains, as a ledger does ("+$10.00", "-$0.0031"). */
  readonly signed?: boolean;
}

function formatScaled(amount: number, scale: number, currency: string, options: MoneyOptions): string {
  const decimal = decimalOf(amount, scale);
  const digits = currencyDigits(currency);
  try {
    return currencyFormat(currency, {
      // Whole cents read as cents ("$4.99", "$10.00"); what is finer keeps its digits ("$0.0031").
      minimumFractionDigits: digits,
      maximumFractionDigits: Math.max(digits, scale),
      ...(options.signed ? { signDisplay: "exceptZero" as const } : {}),
    }).format(decimal);
  } catch {
    // A currency Intl does not know: the number, then its code.
    return `${options.signed && amount > 0 ? "+" : ""}${decimal} ${currency.toUpperCase()}`;
  }
}

/** Micros of `currency` as people read them: 4,990,000 → "$4.99", 3,100 → "$0.0031". */
export function formatMoney(micros: number, currency: string, options: MoneyOptions = {}): string {
  return formatScaled(micros, microDigits, currency, options);
}

/** An amount in the currency's smallest unit, as Stripe counts: 4900 (USD cents) → "$49.00". */
export function formatMinorUnits(amount: number, currency: string): string {
  return formatScaled(amount, currencyDigits(currency), currency, {});
}

/** For a chart's axis: short, in whole cents at most ("$0.25", "$1.2K"); the table gives the exact figures. */
export function formatMoneyAxis(micros: number, currency: string): string {
  try {
    return currencyFormat(currency, { notation: "compact", maximumSignificantDigits: 3 }).format(
      decimalOf(Math.round(micros), microDigits),
    );
  } catch {
    return formatMoney(Math.round(micros), currency);
  }
}
