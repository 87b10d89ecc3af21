// IBAN validation as ISO 13616 defines it: the country's length, then the mod-97 checksum over the rearranged
// digits. The lengths are the SWIFT IBAN registry's (countries that issue IBANs).
// prettier-ignore
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18,
  FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24,
  ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29,
  PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23,
  ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
};

export const IBAN_PATTERN = "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$";

export type IbanCheck = { valid: true; iban: string } | { valid: false; reason: string };

/** Spaces are allowed as typed ("DE89 3704 0044 ..."), letters in any case; the answer is the compact form. */
export function normalizeIban(text: string): string {
  return text.replace(/\s+/g, "").toUpperCase();
}

export function checkIban(text: string): IbanCheck {
  const iban = normalizeIban(text);
  if (!/^[A-Z0-9]+$/.test(iban))
    return { valid: false, reason: "An IBAN has only letters, digits and spaces." };
  if (!/^[A-Z]{2}[0-9]{2}/.test(iban)) {
    return { valid: false, reason: "An IBAN starts with a two-letter country code and two check digits." };
  }
  const country = iban.slice(0, 2);
  const length = IBAN_LENGTHS[country];
  if (length === undefined) return { valid: false, reason: `${country} is not a country that issues IBANs.` };
  if (iban.length !== length) {
    return {
      valid: false,
      reason: `A ${country} IBAN has ${length} characters; this one has ${iban.length}.`,
    };
  }
  if (mod97(iban.slice(4) + iban.slice(0, 4)) !== 1) {
    return {
      valid: false,
      reason: "The IBAN's check digits do not match: a character is probably mistyped.",
    };
  }
  return { valid: true, iban };
}

/** Builds a valid IBAN from a country code and a basic bank account number, computing the check digits. */
export function makeIban(country: string, bban: string): string {
  const check = 98 - mod97(bban + country + "00");
  return `${country}${String(check).padStart(2, "0")}${bban}`;
}

// Letters count as two digits (A = 10 ... Z = 35); the remainder is taken piecewise so no number grows large.
function mod97(text: string): number {
  let remainder = 0;
  for (const char of text) {
    const value = Number.parseInt(char, 36);
    remainder = (value < 10 ? remainder * 10 + value : remainder * 100 + value) % 97;
  }
  return remainder;
}
