import { describe, expect, it } from "vitest";
import { formatMinorUnits, formatMoney, formatMoneyAxis } from "./money";

describe("money as the studio writes it", () => {
  it("writes whole cents as cents", () => {
    expect(formatMoney(4_990_000, "usd")).toBe("$4.99");
    expect(formatMoney(10_000_000, "usd")).toBe("$10.00");
    expect(formatMoney(0, "usd")).toBe("$0.00");
    expect(formatMoney(1_234_567_890_000, "usd")).toBe("$1,234,567.89");
  });

  it("keeps what is finer than a cent, exactly, without float noise", () => {
    expect(formatMoney(3_100, "usd")).toBe("$0.0031");
    expect(formatMoney(1, "usd")).toBe("$0.000001");
    expect(formatMoney(47_503_100, "usd")).toBe("$47.5031");
    // 0.1 + 0.2 in floats is 0.30000000000000004; in micros it is 300,000.
    expect(formatMoney(100_000 + 200_000, "usd")).toBe("$0.30");
    expect(formatMoney(9_007_199_254_740_991, "usd")).toBe("$9,007,199,254.740991");
  });

  it("signs a ledger's amounts, and writes a negative balance with a minus", () => {
    expect(formatMoney(10_000_000, "usd", { signed: true })).toBe("+$10.00");
    expect(formatMoney(-3_100, "usd", { signed: true })).toBe("-$0.0031");
    expect(formatMoney(0, "usd", { signed: true })).toBe("$0.00");
    expect(formatMoney(-1_250_000, "usd")).toBe("-$1.25");
  });

  it("follows the currency's own decimals", () => {
    expect(formatMoney(1_500_000_000, "jpy")).toBe("¥1,500");
    expect(formatMoney(2_500_000, "eur")).toBe("€2.50");
    expect(formatMinorUnits(4900, "usd")).toBe("$49.00");
    expect(formatMinorUnits(4901, "usd")).toBe("$49.01");
    expect(formatMinorUnits(500, "jpy")).toBe("¥500");
  });

  it("writes a currency Intl does not know as the number and its code", () => {
    expect(formatMoney(1_500_000, "zz1")).toBe("1.500000 ZZ1");
  });

  it("keeps a chart's axis short", () => {
    expect(formatMoneyAxis(250_000, "usd")).toBe("$0.25");
    expect(formatMoneyAxis(1_234_000_000, "usd")).toBe("$1.23K");
  });
});
