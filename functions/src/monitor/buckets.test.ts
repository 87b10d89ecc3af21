/**
 * Metrics through the store: what several instances flush for the same minutes adds up once; a failed
 * flush loses nothing; hours and days rolled up read the same as the minutes they came from, including a
 * minute that arrived after its hour was rolled; and percentiles read from stored buckets match the raw
 * samples within one bucket's width.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalDeps, type LocalDeps } from "@alchemist/local/adapters/deps";
import { manualClock } from "../platform/clock.js";
import { loadConfig } from "../platform/config.js";
import type { Deps } from "../platform/deps.js";
import type { DocStore } from "../platform/ports.js";
import { bucketOf, bucketRange, quantile } from "../platform/metrics/histogram.js";
import { MetricsRecorder } from "../platform/metrics/recorder.js";
import { emptySummary, readUnits, rollUp, summarize } from "./buckets.js";

let local: LocalDeps;
let dataDir: string;
const clock = manualClock(new Date("2031-05-06T22:00:00.000Z"));
let deps: Deps;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-buckets-"));
  local = await openLocalDeps(
    loadConfig({
      ALCHEMIST_MODE: "local",
      ALCHEMIST_DATA_DIR: dataDir,
      PORT: "0",
      GCLOUD_PROJECT: "demo-alchemist",
    }),
    { clock },
  );
  deps = local;
});

afterAll(() => {
  local?.local.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
}

const turn = (ms: number, failed: boolean) => ({
  tenantId: "t1",
  agentId: "a1",
  channel: "api",
  status: failed ? ("failed" as const) : ("answered" as const),
  ms,
  tokensIn: 10,
  tokensOut: 5,
  toolCalls: 0,
  toolErrors: 0,
});

/** A store whose next `failures` batch commits fail. */
function flaky(store: DocStore, failures: { left: number }): DocStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "batch") {
        return () => {
          const batch = target.batch();
          return new Proxy(batch, {
            get(b, p, r) {
              if (p === "commit") {
                return () => {
                  if (failures.left > 0) {
                    failures.left--;
                    return Promise.reject(new Error("injected: the store is unavailable"));
                  }
                  return b.commit();
                };
              }
              const value = Reflect.get(b, p, r) as unknown;
              return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(b) : value;
            },
          });
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

describe("metric buckets", () => {
  const raw: number[] = [];
  let failedTurns = 0;

  it("add up what several instances flushed for the same minutes, and lose nothing to a failed flush", async () => {
    const failures = { left: 0 };
    const a = new MetricsRecorder(local.store, clock, { flushEveryMs: 60_000 });
    const b = new MetricsRecorder(flaky(local.store, failures), clock, { flushEveryMs: 60_000 });
    const random = seeded(7);
    for (let minute = 0; minute < 90; minute++) {
      for (let i = 0; i < 30; i++) {
        const ms = Math.exp(Math.log(600) + 0.8 * (random() + random() + random() - 1.5));
        const failed = random() < 0.05;
        raw.push(ms);
        if (failed) failedTurns++;
        (i % 2 === 0 ? a : b).turn(turn(ms, failed));
        if (i === 15) {
          // Mid-minute flushes: each rewrites the instance's running totals, so repeats never count twice.
          await a.flush();
          failures.left = minute % 10 === 0 ? 1 : 0;
          await b.flush();
        }
      }
      clock.advance(60_000);
    }
    await a.close();
    await b.close();
    expect(b.processTotals().flushFailures).toBe(9);

    const units = await readUnits(deps, "t1", "minute", new Date("2031-05-06T22:00:00.000Z"), clock.now());
    const total = summarize(units, { kind: "turn", agentId: "a1" });
    expect(units).toHaveLength(90);
    expect(total.count).toBe(raw.length);
    expect(total.errors).toBe(failedTurns);
    expect(total.counts.tokensIn).toBe(raw.length * 10);
    // The platform scope has the same turns, without the agent label.
    const platform = summarize(
      await readUnits(deps, "_platform", "minute", new Date("2031-05-06T22:00:00.000Z"), clock.now()),
      { kind: "turn" },
    );
    expect(platform.count).toBe(raw.length);
  });

  it("read percentiles from stored buckets within one bucket's width of the raw samples", async () => {
    const units = await readUnits(deps, "t1", "hour", new Date("2031-05-06T22:00:00.000Z"), clock.now());
    const s = summarize(units, { kind: "turn" });
    const sorted = [...raw].sort((x, y) => x - y);
    for (const q of [0.5, 0.95, 0.99]) {
      const reference = sorted[Math.ceil(q * sorted.length) - 1] as number;
      const [lower, upper] = bucketRange(bucketOf(reference));
      expect(Math.abs((quantile(s.hist, q) as number) - reference)).toBeLessThanOrEqual(upper - lower);
    }
  });

  it("roll hours and days up to the same figures, and roll an hour again when a minute arrives late", async () => {
    const from = new Date("2031-05-06T22:00:00.000Z");
    const before = summarize(await readUnits(deps, "t1", "day", from, clock.now()), { kind: "turn" });
    clock.advance(3 * 3_600_000); // past the day's end and the grace period
    const to = clock.now();
    const rolled = await rollUp(deps, "t1");
    expect(rolled.hours).toBe(2);
    expect(rolled.days).toBe(1);
    const hourDocs = await local.store.query({ collection: "tenants/t1/metricHours" });
    expect(hourDocs.map((d) => d.id).sort()).toEqual(["2031050622", "2031050623"]);
    for (const grain of ["minute", "hour", "day"] as const) {
      const after = summarize(await readUnits(deps, "t1", grain, from, to), { kind: "turn" });
      expect(after.count, grain).toBe(before.count);
      expect(after.hist, grain).toEqual(before.hist);
    }

    // An instance whose flushes failed for hours finally writes a minute of the first hour.
    const late = new MetricsRecorder(local.store, clock, { flushEveryMs: 60_000 });
    const at = clock.now().getTime();
    clock.advance(new Date("2031-05-06T22:30:00.000Z").getTime() - at);
    late.turn(turn(50, false));
    clock.advance(at - clock.now().getTime());
    await late.close();
    expect(summarize(await readUnits(deps, "t1", "hour", from, to), { kind: "turn" }).count).toBe(
      before.count,
    );
    await rollUp(deps, "t1");
    for (const grain of ["minute", "hour", "day"] as const) {
      const after = summarize(await readUnits(deps, "t1", grain, from, to), { kind: "turn" });
      expect(after.count, grain).toBe(before.count + 1);
    }
    expect(emptySummary().count).toBe(0);
  });
});
