/**
 * Conversation analytics: the percentiles of a latency histogram, the aggregation of hand-made rollups (days,
 * edges, rates, channels, tokens, an agent's models), the knowledge gaps of hand-made turns, then the API
 * over real HTTP against the in-process local platform, from real turns metered by the real meter: answered,
 * abstained, declined (a blocked topic) and failed (the model provider down); and what a request reads.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trace } from "../accountability/schema.js";
import {
  countersSchema,
  latencyBoundsMs,
  latencyBucketOf,
  rollupSchema,
  usageDailyPath,
  type Counters,
  type Rollup,
} from "../billing/schema.js";
import { setDeps } from "../platform/process-deps.js";
import { AppError } from "../platform/errors.js";
import { setLogSink } from "../platform/log.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { ChatModel, DocSnapshot, DocStore, QuerySpec } from "../platform/ports.js";
import {
  analyticsQuerySchema,
  analyticsWindow,
  daysOf,
  knowledgeGapsOf,
  loadAnalytics,
  percentileOf,
  questionKey,
  summarizeRollups,
  type Analytics,
  type AnalyticsMetrics,
  type TurnRecord,
} from "./analytics.js";

const bounds: readonly number[] = latencyBoundsMs;

/** A latency histogram as the meter keeps it, of these latencies (ms). */
const histogram = (...latencies: number[]): number[] => {
  const buckets = Array.from({ length: bounds.length + 1 }, () => 0);
  for (const ms of latencies) buckets[latencyBucketOf(ms)] = (buckets[latencyBucketOf(ms)] ?? 0) + 1;
  return buckets;
};

/** The nearest-rank percentile of raw values: what the histogram's answer approximates. */
const truePercentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p * sorted.length) / 100) - 1)] as number;
};

/** A percentile read from the histogram is the bound of the bucket holding the true one. */
function expectBucketOf(reported: number | null, truth: number): void {
  expect(reported).not.toBeNull();
  const i = bounds.indexOf(reported as number);
  expect(i, `${reported} is a bucket bound`).toBeGreaterThanOrEqual(0);
  if (truth > (bounds.at(-1) as number)) {
    expect(reported).toBe(bounds.at(-1));
    return;
  }
  expect(reported).toBeGreaterThanOrEqual(truth);
  if (i > 0) expect(bounds[i - 1]).toBeLessThan(truth);
}

describe("percentileOf", () => {
  it("answers the upper bound of the bucket holding the nearest rank, failed turns' latencies included", () => {
    // 1..20 seconds, shuffled.
    const seconds = [7, 3, 19, 1, 12, 5, 16, 9, 2, 14, 20, 8, 11, 4, 18, 6, 13, 10, 17, 15];
    const h = histogram(...seconds.map((s) => s * 1000));
    // True p50 10 s (bucket up to 10 s), p95 19 s and p99 20 s (bucket 15..20 s).
    expect([50, 95, 99].map((p) => percentileOf(h, p))).toEqual([10_000, 20_000, 20_000]);
    expect(percentileOf(histogram(850), 50)).toBe(1000);
    expect(percentileOf(histogram(850), 99)).toBe(1000);
    expect(percentileOf(histogram(25, 26), 50)).toBe(25);
    expect(percentileOf(histogram(25, 26), 51)).toBe(50);
  });

  it("is never below the true percentile, and above it by at most one bucket", () => {
    let seed = 7;
    const latencies = Array.from({ length: 1000 }, () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return Math.round((seed / 2_147_483_647) ** 3 * 40_000);
    });
    const h = histogram(...latencies);
    for (const p of [1, 10, 50, 90, 95, 99, 100])
      expectBucketOf(percentileOf(h, p), truePercentile(latencies, p));
  });

  it("reads the open last bucket as the last bound: at least that slow", () => {
    expect(percentileOf(histogram(150_000), 50)).toBe(120_000);
    expect(percentileOf(histogram(100, 100, 100, 600_000), 99)).toBe(120_000);
    expect(percentileOf(histogram(100, 100, 100, 600_000), 50)).toBe(100);
  });

  it("has no percentile without turns, and reads a histogram shorter than the bounds", () => {
    expect(percentileOf([], 50)).toBeNull();
    expect(percentileOf(histogram(), 95)).toBeNull();
    expect(percentileOf([0, 3], 50)).toBe(50);
  });
});

const may = { from: new Date("2024-05-01T00:00:00.000Z"), to: new Date("2024-05-08T00:00:00.000Z") };
const mayDays = daysOf(may);

/** One turn's counters, as the meter adds them. */
const answeredTurn = (ms = 1200, confidence = 0.8): Partial<Counters> => ({
  turns: 1,
  answered: 1,
  confidenceSum: confidence,
  confidenceCount: 1,
  latency: histogram(ms),
  lastAt: "2024-05-02T09:30:00.000Z",
});

/** A day's rollup: each channel's counters, and the day's own, their sum (as the meter keeps them). */
function rollup(period: string, channels: Record<string, Partial<Counters>>): Rollup {
  const parsed = Object.fromEntries(Object.entries(channels).map(([c, v]) => [c, countersSchema.parse(v)]));
  const sum = countersSchema.parse({});
  for (const c of Object.values(parsed)) {
    for (const key of Object.keys(sum) as (keyof Counters)[]) {
      const [a, b] = [sum[key], c[key]];
      if (typeof a === "number" && typeof b === "number") (sum as Record<string, unknown>)[key] = a + b;
    }
    c.latency.forEach((n, i) => (sum.latency[i] = (sum.latency[i] ?? 0) + n));
    if (c.lastAt && (!sum.lastAt || c.lastAt > sum.lastAt)) sum.lastAt = c.lastAt;
  }
  return rollupSchema.parse({ ...sum, period, channels: parsed });
}

const idle: AnalyticsMetrics = {
  conversations: 0,
  turns: 0,
  answered: 0,
  abstained: 0,
  declined: 0,
  failed: 0,
  abstentionRate: null,
  averageConfidence: null,
  latencyMs: { p50: null, p95: null, p99: null },
  tokens: { input: 0, output: 0 },
};

describe("daysOf", () => {
  it("lists every UTC day a window overlaps, whole, even when it does not start or end at midnight", () => {
    expect(mayDays).toEqual([
      "2024-05-01",
      "2024-05-02",
      "2024-05-03",
      "2024-05-04",
      "2024-05-05",
      "2024-05-06",
      "2024-05-07",
    ]);
    expect(
      daysOf({ from: new Date("2024-05-01T12:00:00.000Z"), to: new Date("2024-05-03T06:00:00.000Z") }),
    ).toEqual(["2024-05-01", "2024-05-02", "2024-05-03"]);
    expect(
      daysOf({ from: new Date("2024-05-01T23:59:59.999Z"), to: new Date("2024-05-02T00:00:00.001Z") }),
    ).toEqual(["2024-05-01", "2024-05-02"]);
    // 90 days that do not start at midnight overlap 91.
    expect(
      daysOf({ from: new Date("2024-01-01T12:00:00.000Z"), to: new Date("2024-03-31T12:00:00.000Z") }),
    ).toHaveLength(91);
  });
});

describe("summarizeRollups", () => {
  it("has an entry for every day of the window, days without rollups as zeros, other days ignored", () => {
    const summary = summarizeRollups(
      [
        rollup("2024-04-30", { api: answeredTurn() }),
        rollup("2024-05-02", { api: answeredTurn() }),
        rollup("2024-05-05", { api: answeredTurn() }),
        rollup("2024-05-06", { api: answeredTurn() }),
        rollup("2024-05-08", { api: answeredTurn() }),
      ],
      mayDays,
    );
    expect(summary.series.map((d) => d.date)).toEqual(mayDays);
    expect(summary.series.map((d) => d.turns)).toEqual([0, 1, 0, 0, 1, 1, 0]);
    expect(summary.series[0]).toEqual({ date: "2024-05-01", ...idle, byChannel: {} });
    expect(summary.totals.turns).toBe(3);
  });

  it("rates abstention over answered and abstained turns only, and averages answered confidence", () => {
    const summary = summarizeRollups(
      [
        rollup("2024-05-02", {
          api: {
            turns: 6,
            answered: 3,
            abstained: 1,
            declined: 2,
            failed: 1,
            confidenceSum: 0.9 + 0.6 + 0.75,
            confidenceCount: 3,
          },
        }),
      ],
      mayDays,
    );
    expect(summary.totals).toMatchObject({
      turns: 6,
      answered: 3,
      abstained: 1,
      declined: 2,
      failed: 1,
      abstentionRate: 0.25,
    });
    expect(summary.totals.averageConfidence).toBeCloseTo(0.75, 10);
  });

  it("has no abstention rate or confidence when nothing was answered or abstained", () => {
    const summary = summarizeRollups(
      [rollup("2024-05-02", { api: { turns: 1, declined: 1, failed: 1, latency: histogram(10, 20) } })],
      mayDays,
    );
    expect(summary.totals).toMatchObject({
      turns: 1,
      failed: 1,
      abstentionRate: null,
      averageConfidence: null,
    });
  });

  it("takes latency percentiles from the days' histograms added up", () => {
    const seconds = [7, 3, 19, 1, 12, 5, 16, 9, 2, 14, 20, 8, 11, 4, 18, 6, 13, 10, 17, 15];
    const summary = summarizeRollups(
      seconds.map((s, i) =>
        rollup(mayDays[i % 7] as string, { api: { turns: 1, answered: 1, latency: histogram(s * 1000) } }),
      ),
      mayDays,
    );
    expect(summary.totals.latencyMs).toEqual({ p50: 10_000, p95: 20_000, p99: 20_000 });
    for (const p of [50, 95, 99] as const) {
      expectBucketOf(summary.totals.latencyMs[`p${p}`], truePercentile(seconds, p) * 1000);
    }
  });

  it("counts conversations started in the period, on their first turn's day", () => {
    const summary = summarizeRollups(
      [
        // Two conversations start on the 2nd; one goes on the 3rd, where none starts.
        rollup("2024-05-02", { api: { ...answeredTurn(), turns: 3, answered: 3, conversations: 2 } }),
        rollup("2024-05-03", { api: answeredTurn() }),
      ],
      mayDays,
    );
    expect(summary.series[1]).toMatchObject({ conversations: 2, turns: 3 });
    expect(summary.series[2]).toMatchObject({ conversations: 0, turns: 1 });
    expect(summary.totals.conversations).toBe(2);
  });

  it("sums tokens over every turn, a failed one's spending included", () => {
    const summary = summarizeRollups(
      [
        rollup("2024-05-02", {
          api: { turns: 2, answered: 2, inputTokens: 2400, outputTokens: 420 },
          widget: { failed: 1, inputTokens: 700 },
        }),
      ],
      mayDays,
    );
    expect(summary.totals.tokens).toEqual({ input: 3100, output: 420 });
    expect(summary.series[1]?.tokens).toEqual({ input: 3100, output: 420 });
  });

  it("breaks the figures down by channel, busiest first, each with its latest activity", () => {
    const at = (day: string, time: string) => `${day}T${time}.000Z`;
    const summary = summarizeRollups(
      [
        rollup("2024-05-01", {
          studio: { turns: 2, answered: 2, conversations: 1, lastAt: at("2024-05-01", "08:00:00") },
          api: { turns: 1, answered: 1, conversations: 1, lastAt: at("2024-05-01", "09:00:00") },
        }),
        rollup("2024-05-02", {
          studio: { turns: 2, answered: 2, conversations: 1, lastAt: at("2024-05-02", "10:00:00") },
          api: { turns: 1, abstained: 1, failed: 1, conversations: 1, lastAt: at("2024-05-02", "11:30:00") },
          "openai-compatible": {
            turns: 1,
            answered: 1,
            conversations: 1,
            lastAt: at("2024-05-02", "07:00:00"),
          },
          // Messages sent without a turn (no conversation activity of its own): not a channel with turns.
          whatsapp: { messagesSent: 3, lastAt: at("2024-05-02", "12:00:00") },
        }),
      ],
      mayDays,
    );
    expect(
      summary.byChannel.map((c) => [c.channel, c.conversations, c.turns, c.failed, c.lastActivityAt]),
    ).toEqual([
      ["studio", 2, 4, 0, "2024-05-02T10:00:00.000Z"],
      ["api", 2, 2, 1, "2024-05-02T11:30:00.000Z"],
      ["openai-compatible", 1, 1, 0, "2024-05-02T07:00:00.000Z"],
    ]);
    expect(summary.byChannel[1]?.abstentionRate).toBe(0.5);
    expect(summary.totals.turns).toBe(7);
    expect(summary.series.slice(0, 3).map((d) => [d.date, d.byChannel])).toEqual([
      ["2024-05-01", { studio: { turns: 2, failed: 0 }, api: { turns: 1, failed: 0 } }],
      [
        "2024-05-02",
        {
          studio: { turns: 2, failed: 0 },
          api: { turns: 1, failed: 1 },
          "openai-compatible": { turns: 1, failed: 0 },
        },
      ],
      ["2024-05-03", {}],
    ]);
  });

  it("adds up an agent's models of the same day", () => {
    const summary = summarizeRollups(
      [
        rollup("2024-05-02", { api: { ...answeredTurn(400, 0.9), inputTokens: 100 } }),
        rollup("2024-05-02", { api: { ...answeredTurn(2500, 0.7), inputTokens: 50 } }),
      ],
      mayDays,
    );
    expect(summary.series[1]).toMatchObject({ turns: 2, answered: 2, tokens: { input: 150, output: 0 } });
    expect(summary.series[1]?.averageConfidence).toBeCloseTo(0.8, 10);
    expect(summary.series[1]?.latencyMs).toEqual({ p50: 500, p95: 3000, p99: 3000 });
    expect(summary.byChannel).toHaveLength(1);
  });

  it("answers an empty window with zeros, nulls and no channels", () => {
    const summary = summarizeRollups([], mayDays);
    expect(summary.totals).toEqual(idle);
    expect(summary.byChannel).toEqual([]);
    expect(summary.series.every((d) => d.turns === 0 && d.latencyMs.p50 === null)).toBe(true);
  });
});

/** A turn as a trace records it: what a knowledge gap reads. */
const turn = (overrides: Partial<TurnRecord> = {}): TurnRecord => ({
  status: "answered",
  createdAt: "2024-05-02T09:30:00.000Z",
  ...overrides,
});

/** A retrieved passage as a trace records it. */
const candidate = (docName: string, score: number, headingPath: string[] = [], extra = {}) => ({
  kbId: "kb_hr",
  docId: `doc_${docName}`,
  docName,
  chunkId: `doc_${docName}-v1-0`,
  headingPath,
  score,
  excluded: false,
  ...extra,
});

const abstention = (question: string, createdAt: string, candidates: ReturnType<typeof candidate>[] = []) =>
  turn({ status: "abstained", question, createdAt, retrieval: { candidates } });

describe("knowledgeGapsOf", () => {
  it("treats questions differing only in case, accents, punctuation and spacing as one", () => {
    expect(questionKey("  How do I reset my VPN token?! ")).toBe("how do i reset my vpn token");
    expect(questionKey("Où est le café ?")).toBe(questionKey("ou est le cafe"));
    expect(questionKey("Can I park at HQ?")).not.toBe(questionKey("Can I park at the HQ?"));
  });

  it("lists the questions abstained on most, with counts, the newest wording and when last asked", () => {
    const gaps = knowledgeGapsOf(
      [
        abstention("How do I reset my VPN token?", "2024-05-02T09:00:00.000Z"),
        abstention("how do i reset my vpn token", "2024-05-04T10:00:00.000Z"),
        abstention("How do I reset my VPN token ?", "2024-05-03T10:00:00.000Z"),
        abstention("Can I bring my dog?", "2024-05-05T08:00:00.000Z"),
        abstention("Is there a gym?", "2024-05-06T08:00:00.000Z"),
        abstention("Is there a gym", "2024-05-01T08:00:00.000Z"),
        // Not gaps: answered, declined (a blocked topic) and failed turns, and turns outside the window.
        turn({ status: "answered", question: "Can I bring my dog?" }),
        turn({ status: "declined", question: "Can I bring my dog?" }),
        turn({ status: "failed", question: "Can I bring my dog?" }),
        abstention("Can I bring my dog?", "2024-05-08T00:00:00.000Z"),
        abstention("Can I bring my dog?", "2024-04-30T23:59:59.999Z"),
      ],
      may,
    );
    expect(gaps.map((g) => [g.question, g.count, g.lastAskedAt])).toEqual([
      ["how do i reset my vpn token", 3, "2024-05-04T10:00:00.000Z"],
      ["Is there a gym?", 2, "2024-05-06T08:00:00.000Z"],
      ["Can I bring my dog?", 1, "2024-05-05T08:00:00.000Z"],
    ]);
    // Case, punctuation and spacing aside, the three VPN questions are one phrasing.
    expect(gaps.map((g) => g.variants)).toEqual([1, 1, 1]);
  });

  it("makes near-identical phrasings of one question one gap, and keeps a different question apart", () => {
    const gaps = knowledgeGapsOf(
      [
        abstention("How many vacation days do full-time employees get?", "2024-05-02T09:00:00.000Z", [
          candidate("benefits.md", 0.3),
        ]),
        abstention("hi, how many vacation days do full time employees get", "2024-05-03T09:00:00.000Z", [
          candidate("leave.md", 0.45, ["Leave"]),
        ]),
        abstention("How many vacation days do full-time employees get please?", "2024-05-04T09:00:00.000Z"),
        abstention("How many vacation days do full-time employees get?", "2024-05-01T09:00:00.000Z"),
        // Shares nearly every word, but asks about other days: another question.
        abstention("How many sick days do full-time employees get?", "2024-05-05T09:00:00.000Z"),
        abstention("Can I carry over 6 days?", "2024-05-05T10:00:00.000Z"),
        abstention("Can I carry over 5 days?", "2024-05-05T11:00:00.000Z"),
      ],
      may,
    );
    expect(gaps.map((g) => [g.question, g.count, g.variants, g.lastAskedAt])).toEqual([
      ["How many vacation days do full-time employees get please?", 4, 3, "2024-05-04T09:00:00.000Z"],
      ["Can I carry over 5 days?", 1, 1, "2024-05-05T11:00:00.000Z"],
      ["Can I carry over 6 days?", 1, 1, "2024-05-05T10:00:00.000Z"],
      ["How many sick days do full-time employees get?", 1, 1, "2024-05-05T09:00:00.000Z"],
    ]);
    // The closest material is the best over every phrasing of the question.
    expect(gaps[0]?.closest).toMatchObject({ docName: "leave.md", score: 0.45, headingPath: ["Leave"] });
  });

  it("names the closest material: the best passage over the group, never a withheld one or a tool output", () => {
    const [gap] = knowledgeGapsOf(
      [
        abstention("Can I expense a gym membership?", "2024-05-02T09:00:00.000Z", [
          candidate("benefits.md", 0.41, ["Benefits", "Wellbeing"]),
          candidate("expenses.md", 0.38, ["Expenses"]),
        ]),
        abstention("Can I expense a gym membership", "2024-05-03T09:00:00.000Z", [
          candidate("expenses.md", 0.52, ["Expenses", "What is covered"]),
          candidate("injected.md", 0.97, [], { excluded: true }),
          candidate("Tool search_policies", 1, [], { kbId: "" }),
        ]),
      ],
      may,
    );
    expect(gap?.closest).toEqual({
      kbId: "kb_hr",
      docId: "doc_expenses.md",
      docName: "expenses.md",
      chunkId: "doc_expenses.md-v1-0",
      headingPath: ["Expenses", "What is covered"],
      score: 0.52,
    });
  });

  it("has no closest material when nothing was retrieved, and no headings on traces without them", () => {
    const gaps = knowledgeGapsOf(
      [
        abstention("Where is the moon base?", "2024-05-02T09:00:00.000Z"),
        turn({
          status: "abstained",
          question: "Who founded Acme?",
          retrieval: {
            candidates: [{ kbId: "kb", docId: "d", docName: "history.md", chunkId: "c", score: 0.3 }],
          },
        }),
      ],
      may,
    );
    // Once each: the most recently asked first.
    expect(gaps.map((g) => [g.question, g.closest?.docName ?? null, g.closest?.headingPath ?? null])).toEqual(
      [
        ["Who founded Acme?", "history.md", []],
        ["Where is the moon base?", null, null],
      ],
    );
  });

  it("keeps the most frequent, most recent first, up to the limit", () => {
    const turns = Array.from({ length: 14 }, (_, i) =>
      abstention(`Question ${i}?`, `2024-05-0${1 + (i % 7)}T0${i % 10}:00:00.000Z`),
    );
    turns.push(abstention("Question 13?", "2024-05-01T00:00:00.000Z"));
    const gaps = knowledgeGapsOf(turns, may, 10);
    expect(gaps).toHaveLength(10);
    expect(gaps[0]).toMatchObject({ question: "Question 13?", count: 2 });
    const rest = gaps.slice(1).map((g) => g.lastAskedAt);
    expect(rest).toEqual([...rest].sort().reverse());
  });
});

describe("analyticsWindow", () => {
  const now = new Date("2024-05-10T15:20:00.000Z");
  const windowOf = (query: Record<string, string>) => analyticsWindow(analyticsQuerySchema.parse(query), now);

  it("defaults to the last 30 UTC days, today included", () => {
    const { from, to } = windowOf({});
    expect([from.toISOString(), to.toISOString()]).toEqual([
      "2024-04-11T00:00:00.000Z",
      "2024-05-11T00:00:00.000Z",
    ]);
  });

  it("reads dates as UTC midnights and date-times with their offset", () => {
    const { from, to } = windowOf({ from: "2024-03-01", to: "2024-03-02T02:00:00+02:00" });
    expect([from.toISOString(), to.toISOString()]).toEqual([
      "2024-03-01T00:00:00.000Z",
      "2024-03-02T00:00:00.000Z",
    ]);
  });

  it("accepts 90 days and refuses 91, an empty window and a reversed one", () => {
    expect(() => windowOf({ from: "2024-01-01", to: "2024-03-31" })).not.toThrow();
    expect(() => windowOf({ from: "2024-01-01", to: "2024-04-01" })).toThrow(/longer than 90 days/);
    expect(() => windowOf({ from: "2024-01-01", to: "2024-01-01" })).toThrow(AppError);
    expect(() => windowOf({ from: "2024-02-01", to: "2024-01-01" })).toThrow(/must be before/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Over HTTP
// ---------------------------------------------------------------------------------------------------

const handbook = `# Acme handbook

## Vacation

Full-time employees receive 25 vacation days per calendar year. Up to 5 unused vacation days can be carried over into the next year.

## Expenses

Submit expense claims in the finance portal within 30 days. Attach an itemised receipt for every expense above 10 euros.
`;

let platform: TestPlatform;

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function post<T = { id: string }>(path: string, body: unknown): Promise<T> {
  const res = await platform.fetch(path, { method: "POST", json: body });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return json<T>(res);
}

interface Answer {
  abstained: boolean;
  traceId: string;
}

async function ask(conversationId: string, content: string): Promise<Answer> {
  const { message } = await post<{ message: Answer }>(`/v1/conversations/${conversationId}/messages`, {
    content,
  });
  return message;
}

async function analytics(query = "", key?: string): Promise<Analytics> {
  const res = await platform.fetch(`/v1/analytics${query}`, { key });
  expect(res.status, await res.clone().text()).toBe(200);
  return json<Analytics>(res);
}

const unavailableModel = (info: ChatModel["info"]): ChatModel => ({
  info,
  complete: () => Promise.reject(new AppError("unavailable", "The model provider is down")),
  stream: () => {
    throw new AppError("unavailable", "The model provider is down");
  },
});

/**
 * Waits until the meter (a trigger, run asynchronously by the local runtime) has folded every usage event of
 * the tenant into the rollups: analytics count a turn once it is metered.
 */
async function everyUsageEventMetered(tenantId: string, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await platform.deps.store.query({ collection: `tenants/${tenantId}/usageEvents` });
    const pending = events.filter((e) => typeof e.data.meteredAt !== "string");
    if (pending.length === 0) return events.length;
    if (Date.now() > deadline) {
      throw new Error(`${pending.length} usage events of ${tenantId} still unmetered after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Read {
  readonly collection: string;
  readonly where: QuerySpec["where"];
  readonly limit: number | undefined;
  readonly docs: readonly DocSnapshot[];
}

/** The platform's store, recording every query it answers and every document it gets by path. */
function recordingStore(store: DocStore): { store: DocStore; queries: Read[]; gets: string[] } {
  const queries: Read[] = [];
  const gets: string[] = [];
  const recording = new Proxy(store, {
    get(target, prop) {
      if (prop === "query") {
        return async (spec: QuerySpec) => {
          const docs = await target.query(spec);
          queries.push({
            collection: spec.collection ?? `**/${spec.collectionGroup}`,
            where: spec.where,
            limit: spec.limit,
            docs,
          });
          return docs;
        };
      }
      if (prop === "get") {
        return (path: string) => {
          gets.push(path);
          return target.get(path);
        };
      }
      if (prop === "getAll") {
        return (paths: readonly string[]) => {
          gets.push(...paths);
          return target.getAll(paths);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: recording, queries, gets };
}

const dayAfter = (day: string, n = 1): string =>
  new Date(Date.parse(day) + n * 86_400_000).toISOString().slice(0, 10);

describe("GET /v1/analytics", () => {
  let hrAgent: string;
  let guardedAgent: string;
  /** Every trace of the arrangement, as the API shows them. */
  let traces: Trace[];

  beforeAll(async () => {
    platform = await startTestPlatform();
    const kbId = (await post("/v1/knowledge-bases", { name: "HR" })).id;
    await post(`/v1/knowledge-bases/${kbId}/documents`, { name: "handbook.md", text: handbook });
    await platform.host.runner.idle();
    const agent = {
      instructions: "Answer HR questions.",
      knowledgeBaseIds: [kbId],
      confidenceThreshold: 0.5,
    };
    hrAgent = (await post("/v1/agents", { name: "HR bot", ...agent })).id;
    await post(`/v1/agents/${hrAgent}/publish`, {});
    guardedAgent = (
      await post("/v1/agents", {
        name: "Guarded bot",
        ...agent,
        guardrails: { blockedTopics: ["salary negotiation"], redactPii: true },
      })
    ).id;
    await post(`/v1/agents/${guardedAgent}/publish`, {});

    const api = (await post(`/v1/agents/${hrAgent}/conversations`, {})).id;
    const studio = (await post(`/v1/agents/${hrAgent}/conversations`, { version: "draft" })).id;
    const guarded = (await post(`/v1/agents/${guardedAgent}/conversations`, {})).id;
    const answered = await ask(api, "How many vacation days do full-time employees get?");
    const abstained = await ask(api, "What is the airspeed velocity of an unladen swallow?");
    const declined = await ask(guarded, "Any tips for my salary negotiation next week?");
    const studioAnswer = await ask(studio, "Within how many days must expense claims be submitted?");
    expect([answered, abstained, declined, studioAnswer].map((a) => a.abstained)).toEqual([
      false,
      true,
      true,
      false,
    ]);
    // The provider is down for one turn (the router logs the 503 it causes; kept out of the test output).
    setDeps({ ...platform.deps, chat: unavailableModel(platform.deps.chat.info) });
    const previousSink = setLogSink(() => {});
    const failed = await platform
      .fetch(`/v1/conversations/${api}/messages`, {
        method: "POST",
        json: { content: "How many vacation days can be carried over?" },
      })
      .finally(() => {
        setDeps(platform.deps);
        setLogSink(previousSink);
      });
    expect(failed.status).toBe(503);
    const failedTraceId = (await json<{ error: { details: { traceId: string } } }>(failed)).error.details
      .traceId;

    traces = [];
    for (const id of [answered, abstained, declined, studioAnswer]
      .map((a) => a.traceId)
      .concat(failedTraceId))
      traces.push(await json<Trace>(await platform.fetch(`/v1/traces/${id}`)));
    expect(traces.map((t) => t.status)).toEqual(["answered", "abstained", "declined", "answered", "failed"]);
    // The five turns and the handbook's ingestion, each folded into the rollups.
    expect(await everyUsageEventMetered("acme")).toBeGreaterThanOrEqual(6);
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
  });

  it("shows the turns just taken: counts, rates, confidence, latency, tokens and channels", async () => {
    const result = await analytics();
    const answeredConfidence = traces.filter((t) => t.status === "answered").map((t) => t.confidence?.value);
    const latencies = traces.map((t) => t.timingsMs.total);
    expect(result.totals).toMatchObject({
      conversations: 3,
      turns: 4,
      answered: 2,
      abstained: 1,
      declined: 1,
      failed: 1,
      abstentionRate: 1 / 3,
      tokens: {
        input: traces.reduce((n, t) => n + t.generation.usage.inputTokens, 0),
        output: traces.reduce((n, t) => n + t.generation.usage.outputTokens, 0),
      },
    });
    expect(result.totals.tokens.input).toBeGreaterThan(0);
    // Within one histogram bucket of the true nearest-rank percentiles of the five turns, the failed one too.
    for (const p of [50, 95, 99] as const) {
      expectBucketOf(result.totals.latencyMs[`p${p}`], truePercentile(latencies, p));
    }
    expect(result.totals.averageConfidence).toBeCloseTo(
      ((answeredConfidence[0] ?? NaN) + (answeredConfidence[1] ?? NaN)) / 2,
      10,
    );
    expect(result.byChannel.map((c) => [c.channel, c.conversations, c.turns, c.failed])).toEqual([
      ["api", 2, 3, 1],
      ["studio", 1, 1, 0],
    ]);
    expect(result).toMatchObject({
      truncated: false,
      countedFrom: null,
      window: { bucket: "day", agentId: null },
    });
  });

  it("defaults to 30 UTC days ending today, every day present", async () => {
    const { series, window } = await analytics();
    const today = new Date().toISOString().slice(0, 10);
    expect(series).toHaveLength(30);
    expect(series.at(-1)?.date).toBe(today);
    expect(window.to.slice(0, 10)).toBe(new Date(Date.parse(today) + 86_400_000).toISOString().slice(0, 10));
    const active = series.filter((d) => d.turns + d.failed > 0).map((d) => d.date);
    expect(active).toEqual([...new Set(traces.map((t) => t.createdAt.slice(0, 10)))].sort());
    expect(series.reduce((n, d) => n + d.turns + d.failed, 0)).toBe(5);
  });

  it("counts only the window asked for", async () => {
    const day = traces[0]?.createdAt.slice(0, 10) as string;
    const [next, after] = [dayAfter(day), dayAfter(day, 2)];
    const that = await analytics(`?from=${day}&to=${next}`);
    expect(that.series.map((d) => d.date)).toEqual([day]);
    expect(that.totals.turns + that.totals.failed).toBeGreaterThan(0);
    const later = await analytics(`?from=${next}&to=${after}`);
    expect(later.totals).toMatchObject({ turns: 0, failed: 0, conversations: 0 });
  });

  it("filters by agent", async () => {
    const result = await analytics(`?agentId=${guardedAgent}`);
    expect(result.totals).toMatchObject({ conversations: 1, turns: 1, declined: 1, answered: 0, failed: 0 });
    expect(result.window.agentId).toBe(guardedAgent);
    const hr = await analytics(`?agentId=${hrAgent}`);
    expect(hr.totals).toMatchObject({ conversations: 2, turns: 3, failed: 1 });
  });

  it("counts turns from the rollups: a trace without a metered usage event is no figure", async () => {
    // Traces alone, as an import or a bug might leave them: three abstentions and an answer, in January.
    const question = "Is the office open on public holidays?";
    for (const [id, status, createdAt] of [
      ["trc_jan_1", "abstained", "2024-01-10T09:00:00.000Z"],
      ["trc_jan_2", "abstained", "2024-01-11T09:00:00.000Z"],
      ["trc_jan_3", "abstained", "2024-01-12T09:00:00.000Z"],
      ["trc_jan_4", "answered", "2024-01-13T09:00:00.000Z"],
    ] as const) {
      await platform.deps.store.set(`tenants/acme/traces/${id}`, { status, createdAt, question });
    }
    const january = await analytics("?from=2024-01-01&to=2024-02-01");
    expect(january.totals).toMatchObject({ turns: 0, abstained: 0, failed: 0, conversations: 0 });
    // The gaps still read them: the abstentions only.
    expect(january.knowledgeGaps.map((g) => [g.question, g.count, g.lastAskedAt])).toEqual([
      [question, 3, "2024-01-12T09:00:00.000Z"],
    ]);
    expect(january).toMatchObject({ truncated: false, countedFrom: null });
  });

  it("says when the window held more abstentions than the gaps may read, and draws them from the newest", async () => {
    const query = { from: "2024-01-01", to: "2024-02-01" };
    const bounded = await loadAnalytics(platform.deps, "acme", query, { maxAbstentions: 2, pageSize: 1 });
    expect(bounded).toMatchObject({ truncated: true, countedFrom: "2024-01-11T09:00:00.000Z" });
    expect(bounded.knowledgeGaps.map((g) => g.count)).toEqual([2]);
    const exact = await loadAnalytics(platform.deps, "acme", query, { maxAbstentions: 3, pageSize: 2 });
    expect(exact).toMatchObject({ truncated: false, countedFrom: null });
    expect(exact.knowledgeGaps.map((g) => g.count)).toEqual([3]);
  });

  it("reads no trace but abstained ones, and at most 91 day rollups for 90 days", async () => {
    // 120 days of rollups in 2023, one turn each; 90 days from noon to noon overlap 91 of them.
    for (let i = 0; i < 120; i++) {
      const day = dayAfter("2023-01-01", i);
      await platform.deps.store.set(
        usageDailyPath("acme", day),
        rollupSchema.parse({
          period: day,
          turns: 1,
          answered: 1,
          latency: histogram(300),
          channels: {
            api: { turns: 1, answered: 1, latency: histogram(300), lastAt: `${day}T12:00:00.000Z` },
          },
        }),
      );
    }
    const reads = recordingStore(platform.deps.store);
    const result = await loadAnalytics({ ...platform.deps, store: reads.store }, "acme", {
      from: "2023-01-15T12:00:00Z",
      to: "2023-04-15T12:00:00Z",
    });
    expect(result.series).toHaveLength(91);
    expect(result.totals).toMatchObject({ turns: 91, latencyMs: { p50: 300, p95: 300, p99: 300 } });
    expect(result.series.every((d) => d.turns === 1)).toBe(true);

    const rollupReads = reads.queries.filter((q) => q.collection === "tenants/acme/usageDaily");
    expect(rollupReads).toHaveLength(1);
    expect(rollupReads[0]?.limit).toBe(91);
    expect(rollupReads[0]?.docs).toHaveLength(91);
    const traceReads = reads.queries.filter((q) => q.collection === "tenants/acme/traces");
    expect(traceReads.length).toBeGreaterThan(0);
    for (const q of traceReads) {
      expect(q.where).toContainEqual({ field: "status", op: "==", value: "abstained" });
      expect(q.docs.every((d) => d.data.status === "abstained")).toBe(true);
    }
    // Nothing else: no trace by path, no other collection.
    expect(reads.queries.length).toBe(rollupReads.length + traceReads.length);
    expect(reads.gets).toEqual([]);

    // Per agent: the agent's model rollups and its abstentions, nothing else but the agent itself.
    const perAgent = recordingStore(platform.deps.store);
    const hr = await loadAnalytics({ ...platform.deps, store: perAgent.store }, "acme", { agentId: hrAgent });
    expect(hr.totals).toMatchObject({ turns: 3, failed: 1 });
    expect(perAgent.queries.map((q) => q.collection).sort()).toEqual(
      ["tenants/acme/traces", "tenants/acme/usageByModel"].sort(),
    );
    for (const q of perAgent.queries)
      expect(q.where).toContainEqual({ field: "agentId", op: "==", value: hrAgent });
    expect(perAgent.queries.find((q) => q.collection.endsWith("/traces"))?.where).toContainEqual({
      field: "status",
      op: "==",
      value: "abstained",
    });
    expect(perAgent.gets.every((path) => !path.includes("/traces/"))).toBe(true);
  });

  it("lists the abstained question as a knowledge gap, with the closest passage its trace retrieved", async () => {
    const abstainedTrace = traces.find((t) => t.status === "abstained") as Trace;
    const top = abstainedTrace.retrieval.candidates
      .filter((c) => !c.excluded)
      .sort((a, b) => b.score - a.score)[0];
    // Traces now keep where each passage sits.
    expect(top?.headingPath?.[0]).toBe("Acme handbook");
    const { knowledgeGaps } = await analytics();
    expect(knowledgeGaps).toEqual([
      {
        question: "What is the airspeed velocity of an unladen swallow?",
        count: 1,
        variants: 1,
        lastAskedAt: abstainedTrace.createdAt,
        closest: {
          kbId: top?.kbId,
          docId: top?.docId,
          docName: "handbook.md",
          chunkId: top?.chunkId,
          headingPath: top?.headingPath,
          score: top?.score,
        },
      },
    ]);
    // Per agent: the guarded agent only declined (a blocked topic), which is no gap.
    expect((await analytics(`?agentId=${guardedAgent}`)).knowledgeGaps).toEqual([]);
    expect((await analytics(`?agentId=${hrAgent}`)).knowledgeGaps).toHaveLength(1);
    // And per window: none the day after.
    const day = abstainedTrace.createdAt.slice(0, 10);
    const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    const after = new Date(Date.parse(day) + 2 * 86_400_000).toISOString().slice(0, 10);
    expect((await analytics(`?from=${next}&to=${after}`)).knowledgeGaps).toEqual([]);
    expect((await analytics("", platform.keys.otherTenantOwner)).knowledgeGaps).toEqual([]);
  });

  it("is refused to a viewer: it summarizes end users' conversations", async () => {
    const res = await platform.fetch("/v1/analytics", { key: platform.keys.viewer });
    expect(res.status).toBe(403);
    expect((await analytics("", platform.keys.editor)).totals.turns).toBe(4);
  });

  it("shows another tenant none of these turns, nor this tenant's agents", async () => {
    const other = await analytics("", platform.keys.otherTenantOwner);
    expect(other.totals).toMatchObject({
      conversations: 0,
      turns: 0,
      failed: 0,
      tokens: { input: 0, output: 0 },
    });
    expect(other.byChannel).toEqual([]);
    const probe = await platform.fetch(`/v1/analytics?agentId=${hrAgent}`, {
      key: platform.keys.otherTenantOwner,
    });
    expect(probe.status).toBe(404);
  });

  it.each([
    ["a date that is not one", "?from=yesterday"],
    ["a day that does not exist", "?from=2024-02-30"],
    ["a date-time without its offset", "?to=2024-05-01T10:00:00"],
    ["from after to", "?from=2024-05-10&to=2024-05-01"],
    ["more than 90 days", "?from=2024-01-01&to=2024-06-01"],
    ["another bucket", "?bucket=week"],
    ["a malformed agent id", "?agentId=..%2Fagents"],
    ["an unknown parameter", "?form=2024-05-01"],
  ])("answers 400 to %s", async (_what, query) => {
    const res = await platform.fetch(`/v1/analytics${query}`);
    expect(res.status, await res.clone().text()).toBe(400);
    expect((await json<{ error: { code: string } }>(res)).error.code).toBe("invalid-argument");
  });

  it("answers 404 for an agent that does not exist", async () => {
    expect((await platform.fetch("/v1/analytics?agentId=nope")).status).toBe(404);
  });
});
