import { describe, expect, it } from "vitest";
import { checkIban, makeIban } from "./iban.js";

describe("IBAN validation", () => {
  it("accepts valid IBANs from several countries, typed with spaces and in lower case", () => {
    for (const iban of [
      "DE89370400440532013000",
      "DE89 3704 0044 0532 0130 00",
      "gb82 west 1234 5698 7654 32",
      "FR14 2004 1010 0505 0001 3M02 606",
      "NL91ABNA0417164300",
      "IT60X0542811101000000123456",
      "NO9386011117947",
    ]) {
      const check = checkIban(iban);
      expect(check, iban).toMatchObject({ valid: true });
      if (check.valid) expect(check.iban).toMatch(/^[A-Z]{2}\d{2}[A-Z0-9]+$/);
    }
  });

  it("refuses a single mistyped digit by its check digits", () => {
    expect(checkIban("DE89370400440532013001")).toEqual({
      valid: false,
      reason: "The IBAN's check digits do not match: a character is probably mistyped.",
    });
    // Two neighbouring digits swapped: the most common typing slip.
    expect(checkIban("DE89370400440532010300").valid).toBe(false);
  });

  it("says what is wrong with the length, the country or the characters", () => {
    expect(checkIban("DE8937040044053201300")).toEqual({
      valid: false,
      reason: "A DE IBAN has 22 characters; this one has 21.",
    });
    expect(checkIban("US12345678901234567")).toEqual({
      valid: false,
      reason: "US is not a country that issues IBANs.",
    });
    expect(checkIban("DE89-3704-0044")).toMatchObject({ valid: false });
    expect(checkIban("1234567890")).toMatchObject({ valid: false });
  });

  it("computes check digits that validate", () => {
    const iban = makeIban("DE", "445566771400237237");
    expect(iban).toBe("DE17445566771400237237");
    expect(checkIban(iban)).toEqual({ valid: true, iban });
  });
});
