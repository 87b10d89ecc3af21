import { describe, expect, it } from "vitest";
import { describeAmount, formatAmount, parseAmount } from "./money.js";

describe("money on the wire", () => {
  it("reads two-decimal strings as whole cents and writes them back unchanged", () => {
    for (const text of ["0.01", "0.10", "25.00", "999.99", "1000.00", "123456789012.34"]) {
      const cents = parseAmount(text);
      expect(Number.isInteger(cents)).toBe(true);
      expect(formatAmount(cents ?? NaN)).toBe(text);
    }
  });

  it("adds amounts exactly where floating point would not", () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(formatAmount((parseAmount("0.10") ?? 0) + (parseAmount("0.20") ?? 0))).toBe("0.30");
  });

  it("refuses anything but a plain two-decimal amount", () => {
    for (const text of ["1.5", "1", "1.005", "1,00", "-1.00", "+1.00", "01.00", " 1.00", "1e2", "", "NaN"]) {
      expect(parseAmount(text), text).toBeUndefined();
    }
  });

  it("writes negative amounts with a sign and people's amounts with thousands separators", () => {
    expect(formatAmount(-4210)).toBe("-42.10");
    expect(formatAmount(-5)).toBe("-0.05");
    expect(describeAmount(250_000)).toBe("2,500.00 EUR");
    expect(describeAmount(123_456_789)).toBe("1,234,567.89 EUR");
  });
});
