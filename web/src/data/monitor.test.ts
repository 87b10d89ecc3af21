import { describe, expect, it } from "vitest";
import { monitorNow } from "../test/monitorFixtures";
import { recentMonths, seriesRequestOf, slaFileName, slaRequestOf } from "./monitor";

describe("the metrics window", () => {
  it("reads each window at its step, ending with the step now is in", () => {
    const now = new Date("2026-11-25T15:07:42.000Z");
    expect(seriesRequestOf("1h", { kind: "turn" }, now)).toEqual({
      from: "2026-11-25T14:08:00.000Z",
      to: "2026-11-25T15:08:00.000Z",
      step: "minute",
      kind: "turn",
    });
    expect(seriesRequestOf("24h", { kind: "turn" }, now)).toMatchObject({
      from: "2026-11-24T15:08:00.000Z",
      to: "2026-11-25T15:08:00.000Z",
      step: "minute",
    });
    expect(seriesRequestOf("7d", { kind: "turn" }, now)).toMatchObject({
      from: "2026-11-18T16:00:00.000Z",
      to: "2026-11-25T16:00:00.000Z",
      step: "hour",
    });
    expect(seriesRequestOf("30d", { kind: "turn" }, now)).toMatchObject({
      from: "2026-10-27T00:00:00.000Z",
      to: "2026-11-26T00:00:00.000Z",
      step: "day",
    });
  });

  it("names the agent for turns only: API requests belong to no agent", () => {
    expect(seriesRequestOf("1h", { kind: "turn", agentId: "agt_hr" }, monitorNow).agentId).toBe("agt_hr");
    expect(seriesRequestOf("1h", { kind: "request", agentId: "agt_hr" }, monitorNow)).not.toHaveProperty(
      "agentId",
    );
  });
});

describe("the SLA report's month and target", () => {
  it("lists this month and the ones before it, across a new year", () => {
    expect(recentMonths(new Date("2027-02-10T00:00:00Z"), 4)).toEqual([
      "2027-02",
      "2027-01",
      "2026-12",
      "2026-11",
    ]);
  });

  it("takes a past month and an offered target from the address, and this month otherwise", () => {
    expect(slaRequestOf("2026-10", "99.95", monitorNow)).toEqual({ month: "2026-10", targetPercent: 99.95 });
    expect(slaRequestOf(null, null, monitorNow)).toEqual({ month: "2026-11", targetPercent: 99.9 });
    expect(slaRequestOf("2026-13", "42", monitorNow)).toEqual({ month: "2026-11", targetPercent: 99.9 });
    // A month still to come has nothing to report.
    expect(slaRequestOf("2027-01", "99", monitorNow)).toEqual({ month: "2026-11", targetPercent: 99 });
  });

  it("names the CSV after the month and target", () => {
    expect(slaFileName({ month: "2026-11", targetPercent: 99.9 })).toBe("sla-2026-11-99.9.csv");
  });
});
