/**
 * `GET /metrics`: this process's totals since it started (recorder.ts) in Prometheus' text exposition format
 * 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format). Latencies are
 * histograms in seconds over the recorder's fixed boundaries (histogram.ts), so any number of instances add up
 * in PromQL (`sum by (le) (rate(..._bucket[5m]))`). Families, series and labels come out sorted: the same
 * totals always render the same text.
 */
import { latencyBoundsMs } from "./histogram.js";
import type { ProcessTotals } from "./recorder.js";
import type { Series } from "./schema.js";

/** A value sampled at scrape time (a queue's depth, its oldest task's age), rendered as a gauge. */
export interface Gauge {
  readonly name: string;
  readonly help: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

type Labels = Readonly<Record<string, string>>;

/** Samples are keyed by their labels as rendered (`signatureOf`), which also orders them. */
interface ValueFamily {
  readonly type: "counter" | "gauge";
  readonly help: string;
  readonly samples: Map<string, { value: number }>;
}

interface HistogramFamily {
  readonly type: "histogram";
  readonly help: string;
  readonly samples: Map<string, { hist: number[]; sumMs: number }>;
}

type Family = ValueFamily | HistogramFamily;

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function renderPrometheus(totals: ProcessTotals, gauges: readonly Gauge[] = []): string {
  const families = new Map<string, Family>();
  const counter = (name: string, help: string) => valueFamily(families, name, "counter", help);
  const histogram = (name: string, help: string) => histogramFamily(families, name, help);

  // Every family is declared even before its first sample, so a scraper knows it; unlabelled counters start
  // at 0 so that the first increment shows in rate() (a series that appears at 1 loses it).
  const requests = counter("alchemist_http_requests_total", "HTTP requests answered, by status class.");
  const requestSeconds = histogram(
    "alchemist_http_request_duration_seconds",
    "Time to answer an HTTP request, in seconds.",
  );
  const turns = counter("alchemist_turns_total", "Conversation turns, by outcome.");
  const turnSeconds = histogram(
    "alchemist_turn_duration_seconds",
    "Time a conversation turn took, in seconds.",
  );
  const tokens = counter("alchemist_tokens_total", "Model tokens used by conversation turns.");
  const toolCalls = counter("alchemist_tool_calls_total", "Tool calls made by conversation turns.");
  const toolErrors = counter("alchemist_tool_errors_total", "Tool calls that failed.");
  const models = counter("alchemist_model_calls_total", "Calls to chat and embedding models.");
  const modelSeconds = histogram(
    "alchemist_model_call_duration_seconds",
    "Time a chat or embedding model call took, in seconds.",
  );
  const tasks = counter("alchemist_task_attempts_total", "Attempts at queued tasks.");
  const taskSeconds = histogram("alchemist_task_duration_seconds", "Time a task attempt took, in seconds.");
  const probes = counter("alchemist_probes_total", "Synthetic probes of published agents.");
  const ingestions = counter("alchemist_ingestions_total", "Documents ingested into knowledge bases.");
  const flushFailures = counter(
    "alchemist_metrics_flush_failures_total",
    "Metric flushes that failed (their samples are kept for the next flush).",
  );
  const started = valueFamily(
    families,
    "process_start_time_seconds",
    "gauge",
    "Start time of the process since unix epoch in seconds.",
  );

  add(tokens, { direction: "in" }, 0);
  add(tokens, { direction: "out" }, 0);
  add(toolCalls, {}, 0);
  add(toolErrors, {}, 0);
  add(flushFailures, {}, totals.flushFailures);
  add(started, {}, totals.startedAt.getTime() / 1000);

  for (const s of totals.series.values()) {
    const ok = s.count - s.errors;
    switch (s.kind) {
      case "request": {
        const route = pick(s, "method", "route");
        add(requests, { ...route, ...pick(s, "status") }, s.count);
        observe(requestSeconds, route, s);
        break;
      }
      case "turn": {
        // A synthetic probe's turns keep their label: dashboards can leave them out of real traffic.
        const synthetic = pick(s, "synthetic");
        const channel = { ...pick(s, "channel"), ...synthetic };
        add(turns, { ...channel, outcome: "answered" }, s.counts.answered ?? 0);
        add(turns, { ...channel, outcome: "abstained" }, s.counts.abstained ?? 0);
        add(turns, { ...channel, outcome: "declined" }, s.counts.declined ?? 0);
        add(turns, { ...channel, outcome: "failed" }, s.errors);
        observe(turnSeconds, channel, s);
        add(tokens, { direction: "in", ...synthetic }, s.counts.tokensIn ?? 0);
        add(tokens, { direction: "out", ...synthetic }, s.counts.tokensOut ?? 0);
        add(toolCalls, synthetic, s.counts.toolCalls ?? 0);
        add(toolErrors, synthetic, s.counts.toolErrors ?? 0);
        break;
      }
      case "model": {
        const model = pick(s, "kind", "provider");
        add(models, { ...model, outcome: "ok" }, ok);
        add(models, { ...model, outcome: "error" }, s.errors);
        observe(modelSeconds, model, s);
        break;
      }
      case "task": {
        const queue = pick(s, "queue");
        add(tasks, { ...queue, outcome: "ok" }, ok);
        add(tasks, { ...queue, outcome: "error" }, s.errors);
        observe(taskSeconds, queue, s);
        break;
      }
      case "probe":
        add(probes, { outcome: "ok" }, ok);
        add(probes, { outcome: "error" }, s.errors);
        break;
      case "ingestion":
        add(ingestions, { outcome: "ok" }, ok);
        add(ingestions, { outcome: "error" }, s.errors);
        break;
    }
  }

  const builtIn = new Set(families.keys());
  for (const g of gauges) {
    if (builtIn.has(g.name)) throw new Error(`gauge ${g.name} would repeat a built-in metric family`);
    const family = valueFamily(families, g.name, "gauge", g.help);
    const signature = signatureOf(g.labels);
    if (family.samples.has(signature))
      throw new Error(`gauge ${g.name}{${signature}} is given twice; a family holds each label set once`);
    family.samples.set(signature, { value: g.value });
  }

  const lines: string[] = [];
  for (const name of [...families.keys()].sort()) {
    const family = families.get(name) as Family;
    lines.push(`# HELP ${name} ${escapeHelp(family.help)}`, `# TYPE ${name} ${family.type}`);
    const signatures = [...family.samples.keys()].sort();
    if (family.type !== "histogram") {
      for (const labels of signatures)
        lines.push(sample(name, labels, (family.samples.get(labels) as { value: number }).value));
      continue;
    }
    for (const labels of signatures) {
      const { hist, sumMs } = family.samples.get(labels) as { hist: number[]; sumMs: number };
      const withLe = (le: string) => (labels ? `${labels},le="${le}"` : `le="${le}"`);
      let cumulative = 0;
      latencyBoundsMs.forEach((bound, i) => {
        cumulative += hist[i] ?? 0;
        lines.push(sample(`${name}_bucket`, withLe(formatNumber(bound / 1000)), cumulative));
      });
      // The open bucket, and anything a longer histogram holds past it.
      for (let i = latencyBoundsMs.length; i < hist.length; i++) cumulative += hist[i] ?? 0;
      lines.push(sample(`${name}_bucket`, withLe("+Inf"), cumulative));
      lines.push(sample(`${name}_sum`, labels, sumMs / 1000));
      // _count is the +Inf bucket by definition: taken from it, the two cannot disagree.
      lines.push(sample(`${name}_count`, labels, cumulative));
    }
  }
  return `${lines.join("\n")}\n`;
}

function valueFamily(
  families: Map<string, Family>,
  name: string,
  type: "counter" | "gauge",
  help: string,
): ValueFamily {
  const have = families.get(name);
  if (have) {
    if (have.type !== type) throw new Error(`metric ${name} is both a ${have.type} and a ${type}`);
    return have as ValueFamily;
  }
  if (!metricName.test(name)) throw new Error(`${JSON.stringify(name)} is not a Prometheus metric name`);
  const family: ValueFamily = { type, help, samples: new Map() };
  families.set(name, family);
  return family;
}

function histogramFamily(families: Map<string, Family>, name: string, help: string): HistogramFamily {
  const family: HistogramFamily = { type: "histogram", help, samples: new Map() };
  families.set(name, family);
  return family;
}

/** The labels a series carries among `names` (an absent label is left out, as Prometheus reads it). */
function pick(s: Series, ...names: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const n of names) {
    const value = s.labels[n];
    if (value !== undefined && value !== "") labels[n] = value;
  }
  return labels;
}

/** Adds to a sample: several series (a route's status classes, a direction's channels) fold into one. */
function add(family: ValueFamily, labels: Labels, value: number): void {
  const signature = signatureOf(labels);
  const have = family.samples.get(signature);
  if (have) have.value += value;
  else family.samples.set(signature, { value });
}

function observe(family: HistogramFamily, labels: Labels, s: Series): void {
  const signature = signatureOf(labels);
  const have = family.samples.get(signature);
  if (!have) {
    family.samples.set(signature, { hist: [...s.hist], sumMs: s.sumMs });
    return;
  }
  for (let i = 0; i < s.hist.length; i++) have.hist[i] = (have.hist[i] ?? 0) + (s.hist[i] ?? 0);
  have.sumMs += s.sumMs;
}

/** The labels as they are rendered (`a="x",b="y"`, sorted by name): a series' key, and its place in the output. */
function signatureOf(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => {
      if (!labelName.test(k) || k.startsWith("__") || k === "le")
        throw new Error(`${JSON.stringify(k)} is not a label name a metric may carry`);
      return `${k}="${escapeLabelValue(labels[k] as string)}"`;
    })
    .join(",");
}

/** One sample line; `labels` as `signatureOf` renders them. */
function sample(name: string, labels: string, value: number): string {
  return `${name}${labels ? `{${labels}}` : ""} ${formatNumber(value)}`;
}

/** Label values escape backslash, double quote and line feed; nothing else. */
function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\\" ? "\\\\" : c === '"' ? '\\"' : "\\n"));
}

/** HELP text escapes backslash and line feed (a double quote stays as it is). */
function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === "\\" ? "\\\\" : "\\n"));
}

/** Go's float syntax, which Prometheus parses: `NaN`, `+Inf`, `-Inf`, else the shortest decimal. */
function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(n);
}
