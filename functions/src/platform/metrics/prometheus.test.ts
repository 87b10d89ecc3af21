/**
 * `GET /metrics` as Prometheus reads it: a real recorder's totals rendered, then parsed back with an
 * independent parser of the text format (parse-prometheus-text-format, a port of the Python client's parser).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalDeps, type LocalDeps } from "@alchemist/local/adapters/deps";
import { manualClock } from "../clock.js";
import { loadConfig } from "../config.js";
import { latencyBoundsMs } from "./histogram.js";
import { renderPrometheus, type Gauge } from "./prometheus.js";
import { MetricsRecorder, type RequestSample, type TurnSample } from "./recorder.js";

/** Label values a careless route, channel or provider name could hold: everything the format escapes. */
const hostileRoute = '/v1/say/"hi"\\there\nnext';
const hostileChannel = 'web"chat\\\n';
const hostileProvider = 'C:\\models\\"local"';

const started = new Date("2026-03-01T08:00:00.000Z");
let deps: LocalDeps;
let dataDir: string;
const recorders: MetricsRecorder[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-prometheus-"));
  deps = await openLocalDeps(loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir }));
});

afterAll(async () => {
  for (const r of recorders) await r.close();
  deps?.local.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

function recorder(): MetricsRecorder {
  const r = new MetricsRecorder(deps.store, manualClock(started), { flushEveryMs: 3_600_000 });
  recorders.push(r);
  return r;
}

const turn = (over: Partial<TurnSample>): TurnSample => ({
  tenantId: "acme",
  agentId: "hr-assistant",
  channel: "api",
  status: "answered",
  ms: 140,
  tokensIn: 1800,
  tokensOut: 220,
  toolCalls: 0,
  toolErrors: 0,
  ...over,
});

const requests: RequestSample[] = [
  { tenantId: "acme", method: "GET", route: "/v1/agents/{agentId}", status: 200, ms: 0.4 },
  { tenantId: "acme", method: "GET", route: "/v1/agents/{agentId}", status: 200, ms: 100 },
  { tenantId: "globex", method: "GET", route: "/v1/agents/{agentId}", status: 404, ms: 3 },
  { tenantId: null, method: "GET", route: "/v1/agents/{agentId}", status: 503, ms: 250_000 },
  { tenantId: "acme", method: "POST", route: hostileRoute, status: 201, ms: 12.5 },
];

const turns: TurnSample[] = [
  turn({ status: "answered", ms: 140, toolCalls: 2 }),
  turn({ status: "answered", ms: 95, agentId: "it-helpdesk" }),
  turn({ status: "abstained", ms: 60, tokensOut: 40 }),
  turn({ status: "declined", ms: 8, tokensIn: 300, tokensOut: 0 }),
  turn({ status: "failed", ms: 31_000, toolCalls: 1, toolErrors: 1 }),
  turn({ channel: hostileChannel, status: "answered", ms: 1200 }),
  turn({ channel: "api", status: "answered", ms: 700, synthetic: true, tokensIn: 500, tokensOut: 50 }),
];

const gauges: Gauge[] = [
  {
    name: "alchemist_task_queue_depth",
    help: "Tasks waiting, by queue.",
    labels: { queue: "ingest" },
    value: 3,
  },
  {
    name: "alchemist_task_queue_depth",
    help: "Tasks waiting, by queue.",
    labels: { queue: "embed" },
    value: 0,
  },
  {
    name: "alchemist_task_queue_oldest_age_seconds",
    help: "Age of the oldest waiting task, by queue.",
    labels: { queue: "ingest" },
    value: 12.5,
  },
];

/** Feeds every kind of sample, in the given order of kinds, into a fresh recorder. */
function fed(order: "forward" | "reverse" = "forward"): MetricsRecorder {
  const r = recorder();
  const steps: (() => void)[] = [
    () => requests.forEach((s) => r.request(s)),
    () => turns.forEach((s) => r.turn(s)),
    () => {
      r.model({ kind: "chat", provider: hostileProvider, ok: true, ms: 900, tenantId: "acme" });
      r.model({ kind: "chat", provider: hostileProvider, ok: false, ms: 30_000 });
      r.model({ kind: "embed", provider: "local", ok: true, ms: 4 });
    },
    () => {
      r.task({ queue: "ingest", ok: true, ms: 2500 });
      r.task({ queue: "ingest", ok: true, ms: 1800 });
      r.task({ queue: "ingest", ok: false, ms: 40 });
    },
    () => {
      r.probe({ tenantId: "acme", agentId: "hr-assistant", ok: true, ms: 700 });
      r.probe({ tenantId: "acme", agentId: "it-helpdesk", ok: false, ms: 20_000 });
    },
    () => {
      r.ingestion({ tenantId: "acme", ok: true, ms: 5000, chunks: 70, bytes: 66_000 });
      r.ingestion({ tenantId: "acme", ok: true, ms: 3000, chunks: 12, bytes: 9000 });
      r.ingestion({ tenantId: "globex", ok: false, ms: 90, chunks: 0, bytes: 0 });
    },
  ];
  for (const step of order === "forward" ? steps : [...steps].reverse()) step();
  return r;
}

// The exposition grammar, stricter than the parser (which skips what it cannot place): a name, optional
// labels with only \\, \" and \n escaped inside their values, one space, a Go float.
const name = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const label = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const sampleLine = new RegExp(
  `^${name}(?:\\{${label}(?:,${label})*\\})? (?:NaN|[+-]Inf|-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)$`,
);
const helpLine = new RegExp(`^# HELP ${name} .*$`);
const typeLine = new RegExp(`^# TYPE ${name} (?:counter|gauge|histogram)$`);

function parse(text: string): Map<string, PrometheusFamily> {
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.slice(0, -1).split("\n"))
    expect(sampleLine.test(line) || helpLine.test(line) || typeLine.test(line), line).toBe(true);
  const families = parsePrometheusTextFormat(text);
  const byName = new Map(families.map((f) => [f.name, f]));
  // A family split in two, or declared twice, comes back from the parser as two families of one name.
  expect(byName.size).toBe(families.length);
  for (const f of families) {
    expect(text.split(`# HELP ${f.name} `).length - 1, f.name).toBe(1);
    expect(text.split(`# TYPE ${f.name} `).length - 1, f.name).toBe(1);
  }
  return byName;
}

/** A counter's or gauge's value at exactly these labels. */
function valueAt(families: Map<string, PrometheusFamily>, family: string, labels: Record<string, string>) {
  const matches = (families.get(family)?.metrics ?? []).filter(
    (m) => JSON.stringify(sorted(m.labels ?? {})) === JSON.stringify(sorted(labels)),
  );
  expect(matches, `${family} ${JSON.stringify(labels)}`).toHaveLength(1);
  return Number(matches[0]?.value);
}

const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort());

interface ParsedHistogram {
  labels: Record<string, string>;
  buckets: [le: number, count: number][];
  sum: number;
  count: number;
}

/**
 * A histogram family's series. The parser folds every series of a labelled histogram into one (it keys
 * buckets by `le` alone and drops their `_sum` and `_count`), so the histograms are read sample by sample:
 * the same text with their TYPE made untyped, which the parser returns as `_bucket`, `_sum` and `_count`
 * families of plain samples, labels intact.
 */
function histograms(text: string, family: string): ParsedHistogram[] {
  const untyped = parsePrometheusTextFormat(
    text.replace(new RegExp(`^# TYPE ${family} histogram$`, "m"), `# TYPE ${family} untyped`),
  );
  // Each series' `_bucket`, `_sum` and `_count` lines come back as families of their own, one run each.
  const samples = (suffix: string) =>
    untyped.filter((f) => f.name === `${family}${suffix}`).flatMap((f) => f.metrics);
  const series = new Map<string, ParsedHistogram>();
  const of = (labels: Record<string, string>) => {
    const key = JSON.stringify(sorted(labels));
    let h = series.get(key);
    if (!h) series.set(key, (h = { labels, buckets: [], sum: Number.NaN, count: Number.NaN }));
    return h;
  };
  for (const m of samples("_bucket")) {
    const { le, ...labels } = m.labels ?? {};
    of(labels).buckets.push([le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), Number(m.value)]);
  }
  for (const m of samples("_sum")) of(m.labels ?? {}).sum = Number(m.value);
  for (const m of samples("_count")) of(m.labels ?? {}).count = Number(m.value);
  return [...series.values()];
}

/** What a histogram must be whatever it counted: every bound, in order, cumulative, +Inf equal to _count. */
function expectWellFormed(h: ParsedHistogram): void {
  expect(h.buckets.map(([le]) => le)).toEqual([...latencyBoundsMs.map((b) => b / 1000), Infinity]);
  for (let i = 1; i < h.buckets.length; i++)
    expect(h.buckets[i]?.[1]).toBeGreaterThanOrEqual(h.buckets[i - 1]?.[1] as number);
  expect(h.buckets.at(-1)?.[1]).toBe(h.count);
  expect(Number.isFinite(h.sum)).toBe(true);
}

const seriesWith = (hs: ParsedHistogram[], labels: Record<string, string>) => {
  const found = hs.filter((h) => JSON.stringify(sorted(h.labels)) === JSON.stringify(sorted(labels)));
  expect(found, JSON.stringify(labels)).toHaveLength(1);
  return found[0] as ParsedHistogram;
};
const countAt = (h: ParsedHistogram, le: number) => h.buckets.find(([b]) => b === le)?.[1];

const expectedTypes: Record<string, PrometheusFamily["type"]> = {
  alchemist_http_requests_total: "COUNTER",
  alchemist_http_request_duration_seconds: "HISTOGRAM",
  alchemist_turns_total: "COUNTER",
  alchemist_turn_duration_seconds: "HISTOGRAM",
  alchemist_tokens_total: "COUNTER",
  alchemist_tool_calls_total: "COUNTER",
  alchemist_tool_errors_total: "COUNTER",
  alchemist_model_calls_total: "COUNTER",
  alchemist_model_call_duration_seconds: "HISTOGRAM",
  alchemist_task_attempts_total: "COUNTER",
  alchemist_task_duration_seconds: "HISTOGRAM",
  alchemist_probes_total: "COUNTER",
  alchemist_ingestions_total: "COUNTER",
  alchemist_metrics_flush_failures_total: "COUNTER",
  process_start_time_seconds: "GAUGE",
};

describe("renderPrometheus", () => {
  it("renders every family once, with its type, in name order, gauges included", () => {
    const text = renderPrometheus(fed().processTotals(), gauges);
    const families = parse(text);
    expect(Object.fromEntries([...families].map(([n, f]) => [n, f.type]))).toEqual({
      ...expectedTypes,
      alchemist_task_queue_depth: "GAUGE",
      alchemist_task_queue_oldest_age_seconds: "GAUGE",
    });
    expect([...families.keys()]).toEqual([...families.keys()].sort());
    for (const f of families.values()) expect(f.help).not.toBe("");
    expect(valueAt(families, "alchemist_task_queue_depth", { queue: "ingest" })).toBe(3);
    expect(valueAt(families, "alchemist_task_queue_depth", { queue: "embed" })).toBe(0);
    expect(valueAt(families, "alchemist_task_queue_oldest_age_seconds", { queue: "ingest" })).toBe(12.5);
    expect(valueAt(families, "process_start_time_seconds", {})).toBe(started.getTime() / 1000);
  });

  it("counts requests by method, route template and status class, label values escaped and read back", () => {
    const families = parse(renderPrometheus(fed().processTotals()));
    const agentRoute = { method: "GET", route: "/v1/agents/{agentId}" };
    expect(valueAt(families, "alchemist_http_requests_total", { ...agentRoute, status: "2xx" })).toBe(2);
    expect(valueAt(families, "alchemist_http_requests_total", { ...agentRoute, status: "4xx" })).toBe(1);
    expect(valueAt(families, "alchemist_http_requests_total", { ...agentRoute, status: "5xx" })).toBe(1);
    expect(
      valueAt(families, "alchemist_http_requests_total", {
        method: "POST",
        route: hostileRoute,
        status: "2xx",
      }),
    ).toBe(1);
    expect(families.get("alchemist_http_requests_total")?.metrics).toHaveLength(4);
  });

  it("gives each route one latency histogram in seconds, every status class in it", () => {
    const text = renderPrometheus(fed().processTotals());
    const hs = histograms(text, "alchemist_http_request_duration_seconds");
    expect(hs).toHaveLength(2);
    hs.forEach(expectWellFormed);
    const agents = seriesWith(hs, { method: "GET", route: "/v1/agents/{agentId}" });
    expect(agents.count).toBe(4);
    expect(agents.sum).toBeCloseTo((0.4 + 100 + 3 + 250_000) / 1000, 9);
    // Bounds are inclusive: 100 ms is in le="0.1", not below it; 250 s is past the last bound.
    expect(countAt(agents, 0.001)).toBe(1);
    expect(countAt(agents, 0.075)).toBe(2);
    expect(countAt(agents, 0.1)).toBe(3);
    expect(countAt(agents, 120)).toBe(3);
    expect(countAt(agents, Infinity)).toBe(4);
    const hostile = seriesWith(hs, { method: "POST", route: hostileRoute });
    expect([hostile.count, hostile.sum, countAt(hostile, 0.01), countAt(hostile, 0.015)]).toEqual([
      1, 0.0125, 0, 1,
    ]);
  });

  it("counts turns by channel and outcome, keeps synthetic ones apart, and adds up tokens and tools", () => {
    const text = renderPrometheus(fed().processTotals());
    const families = parse(text);
    const at = (labels: Record<string, string>) => valueAt(families, "alchemist_turns_total", labels);
    expect(at({ channel: "api", outcome: "answered" })).toBe(2);
    expect(at({ channel: "api", outcome: "abstained" })).toBe(1);
    expect(at({ channel: "api", outcome: "declined" })).toBe(1);
    expect(at({ channel: "api", outcome: "failed" })).toBe(1);
    expect(at({ channel: hostileChannel, outcome: "answered" })).toBe(1);
    expect(at({ channel: hostileChannel, outcome: "failed" })).toBe(0);
    expect(at({ channel: "api", outcome: "answered", synthetic: "true" })).toBe(1);
    expect(at({ channel: "api", outcome: "failed", synthetic: "true" })).toBe(0);

    expect(valueAt(families, "alchemist_tokens_total", { direction: "in" })).toBe(1800 * 4 + 300 + 1800);
    expect(valueAt(families, "alchemist_tokens_total", { direction: "out" })).toBe(220 * 3 + 40 + 0 + 220);
    expect(valueAt(families, "alchemist_tokens_total", { direction: "in", synthetic: "true" })).toBe(500);
    expect(valueAt(families, "alchemist_tokens_total", { direction: "out", synthetic: "true" })).toBe(50);
    expect(valueAt(families, "alchemist_tool_calls_total", {})).toBe(3);
    expect(valueAt(families, "alchemist_tool_errors_total", {})).toBe(1);
    expect(valueAt(families, "alchemist_tool_calls_total", { synthetic: "true" })).toBe(0);

    const hs = histograms(text, "alchemist_turn_duration_seconds");
    hs.forEach(expectWellFormed);
    expect(hs).toHaveLength(3);
    const api = seriesWith(hs, { channel: "api" });
    expect([api.count, countAt(api, 0.1), countAt(api, 30), countAt(api, 60)]).toEqual([5, 3, 4, 5]);
    expect(api.sum).toBeCloseTo((140 + 95 + 60 + 8 + 31_000) / 1000, 9);
    expect(seriesWith(hs, { channel: hostileChannel }).sum).toBe(1.2);
    expect(seriesWith(hs, { channel: "api", synthetic: "true" }).count).toBe(1);
  });

  it("counts model calls, task attempts, probes and ingestions by outcome", () => {
    const text = renderPrometheus(fed().processTotals());
    const families = parse(text);
    const chat = { kind: "chat", provider: hostileProvider };
    expect(valueAt(families, "alchemist_model_calls_total", { ...chat, outcome: "ok" })).toBe(1);
    expect(valueAt(families, "alchemist_model_calls_total", { ...chat, outcome: "error" })).toBe(1);
    expect(
      valueAt(families, "alchemist_model_calls_total", { kind: "embed", provider: "local", outcome: "ok" }),
    ).toBe(1);
    expect(valueAt(families, "alchemist_task_attempts_total", { queue: "ingest", outcome: "ok" })).toBe(2);
    expect(valueAt(families, "alchemist_task_attempts_total", { queue: "ingest", outcome: "error" })).toBe(1);
    expect(valueAt(families, "alchemist_probes_total", { outcome: "ok" })).toBe(1);
    expect(valueAt(families, "alchemist_probes_total", { outcome: "error" })).toBe(1);
    expect(valueAt(families, "alchemist_ingestions_total", { outcome: "ok" })).toBe(2);
    expect(valueAt(families, "alchemist_ingestions_total", { outcome: "error" })).toBe(1);
    expect(valueAt(families, "alchemist_metrics_flush_failures_total", {})).toBe(0);

    const models = histograms(text, "alchemist_model_call_duration_seconds");
    models.forEach(expectWellFormed);
    expect(seriesWith(models, chat)).toMatchObject({ count: 2, sum: 30.9 });
    const tasks = histograms(text, "alchemist_task_duration_seconds");
    tasks.forEach(expectWellFormed);
    expect(seriesWith(tasks, { queue: "ingest" })).toMatchObject({ count: 3, sum: 4.34 });
  });

  it("renders the same totals as the same text, whatever order the samples came in", () => {
    const forward = renderPrometheus(fed("forward").processTotals(), gauges);
    expect(renderPrometheus(fed("reverse").processTotals(), [...gauges].reverse())).toBe(forward);
  });

  it("renders a valid document before anything is measured", () => {
    const text = renderPrometheus(recorder().processTotals());
    const families = parse(text);
    expect(Object.fromEntries([...families].map(([n, f]) => [n, f.type]))).toEqual(expectedTypes);
    expect(valueAt(families, "process_start_time_seconds", {})).toBe(started.getTime() / 1000);
    expect(valueAt(families, "alchemist_metrics_flush_failures_total", {})).toBe(0);
    expect(valueAt(families, "alchemist_tool_calls_total", {})).toBe(0);
    expect(valueAt(families, "alchemist_tokens_total", { direction: "in" })).toBe(0);
    expect(families.get("alchemist_turns_total")?.metrics).toEqual([]);
    expect(histograms(text, "alchemist_http_request_duration_seconds")).toEqual([]);
  });

  it("refuses gauges that would make the document invalid", () => {
    const totals = recorder().processTotals();
    const depth = gauges[0] as Gauge;
    expect(() => renderPrometheus(totals, [depth, { ...depth, value: 4 }])).toThrow(/given twice/);
    expect(() => renderPrometheus(totals, [{ ...depth, name: "alchemist_tool_calls_total" }])).toThrow(
      /built-in/,
    );
    expect(() => renderPrometheus(totals, [{ ...depth, name: "queue-depth" }])).toThrow(/metric name/);
    expect(() => renderPrometheus(totals, [{ ...depth, labels: { le: "1" } }])).toThrow(/label name/);
  });
});
