import { describe, expect, it } from "vitest";
import { analyticsNow } from "../test/analyticsFixtures";
import { analyticsRequestOf } from "./analytics";

describe("the analytics window", () => {
  it("is the last n UTC days, today included, ending at the next midnight", () => {
    expect(analyticsRequestOf({ days: 7 }, analyticsNow)).toEqual({ from: "2026-11-19", to: "2026-11-26" });
    expect(analyticsRequestOf({ days: 30 }, analyticsNow)).toEqual({ from: "2026-10-27", to: "2026-11-26" });
    expect(analyticsRequestOf({ days: 90, agentId: "agt_hr" }, analyticsNow)).toEqual({
      from: "2026-08-28",
      to: "2026-11-26",
      agentId: "agt_hr",
    });
  });

  it("follows the UTC day, whatever the time of day", () => {
    expect(analyticsRequestOf({ days: 7 }, new Date("2026-11-25T23:59:59.999Z")).from).toBe("2026-11-19");
    expect(analyticsRequestOf({ days: 7 }, new Date("2026-11-26T00:00:00.000Z")).from).toBe("2026-11-20");
  });
});
