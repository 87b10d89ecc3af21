import { describe, expect, it } from "vitest";
import { describeHistory } from "./DependencyChecks";
import {
  describeCondition,
  formatAvailability,
  formatMetricValue,
  formatMinutes,
  formatPointTime,
  formatTick,
  fromThresholdInput,
  toThresholdInput,
} from "./format";
import { previewSentence } from "./RulePreviewPanel";

describe("how the Health page writes the monitor's figures", () => {
  it("writes each metric in its unit", () => {
    expect(formatMetricValue("error-rate", 0.083)).toBe("8.3%");
    expect(formatMetricValue("latency-p95", 15_800)).toBe("15.8 s");
    expect(formatMetricValue("latency-p95", 420)).toBe("420 ms");
    expect(formatMetricValue("queue-age", 312.4)).toBe("312.4 s");
    expect(formatMetricValue("probe-failures", 3)).toBe("3");
    expect(formatMetricValue("budget", null)).toBe("—");
  });

  it("says a rule's condition as a sentence", () => {
    expect(describeCondition("error-rate", { type: "threshold", op: ">", value: 0.05 })).toBe(
      "Error rate above 5%",
    );
    expect(describeCondition("latency-p95", { type: "threshold", op: "<=", value: 800 })).toBe(
      "p95 latency at or below 800 ms",
    );
    expect(describeCondition("abstention-rate", { type: "change", factor: 2 })).toBe(
      "Abstention rate at least 2× the window before",
    );
    expect(describeCondition("turns", { type: "absent" })).toBe("No data for turns");
  });

  it("types shares as percentages and sends them back as shares, without float noise", () => {
    expect(toThresholdInput("error-rate", 0.07)).toBe(7);
    expect(fromThresholdInput("error-rate", 7)).toBe(0.07);
    expect(fromThresholdInput("abstention-rate", 12.5)).toBe(0.125);
    expect(toThresholdInput("latency-p95", 15_000)).toBe(15_000);
    expect(fromThresholdInput("turns", 3)).toBe(3);
  });

  it("writes durations in the largest units that fit", () => {
    expect(formatMinutes(5)).toBe("5 min");
    expect(formatMinutes(90)).toBe("1 h 30 min");
    expect(formatMinutes(1440)).toBe("1 day");
    expect(formatMinutes(10_080)).toBe("7 days");
  });

  it("writes times in UTC, as precise as the step", () => {
    const at = new Date("2026-11-25T14:05:00.000Z");
    expect(formatTick(at, "minute")).toBe("14:05");
    expect(formatTick(at, "hour")).toBe("Nov 25, 14:05");
    expect(formatTick(at, "day")).toBe("Nov 25");
    expect(formatPointTime("2026-11-25T14:05:00.000Z", "minute")).toBe("Nov 25, 14:05 UTC");
    expect(formatPointTime("2026-11-25T00:00:00.000Z", "day")).toBe("Nov 25");
  });

  it("never rounds an availability up to a target it missed", () => {
    expect(formatAvailability(0.99999)).toBe("99.999%");
    expect(formatAvailability(0.999996)).toBe("99.999%");
    expect(formatAvailability(0.99960317)).toBe("99.96%");
    expect(formatAvailability(1)).toBe("100.00%");
    expect(formatAvailability(null)).toBe("—");
  });

  it("sums a check's history up for screen readers", () => {
    expect(
      describeHistory([
        { at: "2026-11-25T14:57:00.000Z", status: "ok", latencyMs: 2 },
        { at: "2026-11-25T14:58:00.000Z", status: "degraded", latencyMs: 8000 },
        { at: "2026-11-25T14:59:00.000Z", status: "ok", latencyMs: 2 },
      ]),
    ).toBe("Last 3 results since Nov 25, 14:57 UTC: 2 ok, 1 degraded");
    expect(describeHistory([])).toBe("No earlier results");
  });

  it("says how often a rule would have fired, and warns when the week had little data", () => {
    expect(
      previewSentence({ days: 7, evaluations: 10_080, fired: 3, firings: [], minutesWithData: 2_000 }),
    ).toBe(
      "It would have fired 3 times in the last 7 days: it had data for 1 day 9 h 20 min of them, so it may fire more often once there is more traffic.",
    );
    expect(
      previewSentence({ days: 7, evaluations: 10_080, fired: 1, firings: [], minutesWithData: 9_000 }),
    ).toBe("It would have fired once in the last 7 days: it had data for 6 days 6 h of them.");
    expect(previewSentence({ days: 7, evaluations: 10_080, fired: 0, firings: [], minutesWithData: 0 })).toBe(
      "It would not have fired in the last 7 days: there was no data for it.",
    );
  });
});
