/**
 * The recorder's own series keys (built without sorting, on the hot path) are the keys readers compute with
 * `seriesKey`, for every kind of sample; a workspace's series keep the agent, the platform's drop it; and a
 * runaway label folds into one `other` series instead of growing a minute without bound.
 */
import { describe, expect, it } from "vitest";
import { manualClock } from "../clock.js";
import type { DocStore } from "../ports.js";
import { maxSeriesPerBucket, MetricsRecorder } from "./recorder.js";
import { seriesKey } from "./schema.js";

const noStore = {} as DocStore; // nothing here flushes

describe("the metrics recorder", () => {
  it("keys every series as readers do", () => {
    const r = new MetricsRecorder(noStore, manualClock(), { flushEveryMs: 60_000 });
    r.request({ tenantId: "t1", method: "GET", route: "/v1/agents/{agentId}", status: 404, ms: 3 });
    r.turn({
      tenantId: "t1",
      agentId: "a1",
      channel: "api",
      status: "abstained",
      ms: 40,
      tokensIn: 5,
      tokensOut: 2,
      toolCalls: 1,
      toolErrors: 1,
      synthetic: true,
    });
    r.model({ kind: "chat", provider: "local", ok: false, ms: 1, tenantId: "t1" });
    r.task({ queue: "q", ok: true, ms: 2 });
    r.probe({ tenantId: "t1", agentId: "a1", ok: false, ms: 5 });
    r.ingestion({ tenantId: "t1", ok: true, ms: 9, chunks: 3, bytes: 100 });
    const totals = r.processTotals().series;
    expect(totals.size).toBe(6);
    for (const [key, s] of totals) {
      expect(key).toBe(seriesKey(s.kind, s.labels));
      expect(s.labels).not.toHaveProperty("agent");
    }
    const turn = [...totals.values()].find((s) => s.kind === "turn");
    expect(turn).toMatchObject({ count: 1, errors: 0, counts: { abstained: 1, toolErrors: 1, tokensIn: 5 } });
  });

  it("folds series past the cap into one, and takes no NaN into its sums", () => {
    const r = new MetricsRecorder(noStore, manualClock(), { flushEveryMs: 60_000 });
    for (let i = 0; i < maxSeriesPerBucket + 50; i++) {
      r.request({ tenantId: "t1", method: "GET", route: `/r${i}`, status: 200, ms: Number.NaN });
    }
    // The process totals have no cap (a process has a bounded route table); NaN counted as 0 ms.
    const totals = [...r.processTotals().series.values()];
    expect(totals.every((s) => s.sumMs === 0)).toBe(true);
  });

  it("takes nothing when it is off", () => {
    const r = new MetricsRecorder(noStore, manualClock(), { enabled: false });
    r.request({ tenantId: "t1", method: "GET", route: "/x", status: 200, ms: 1 });
    expect(r.processTotals().series.size).toBe(0);
  });
});
