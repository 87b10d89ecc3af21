/**
 * How the Health page writes what the monitor reports: statuses, metrics with their units, rules as a
 * sentence, durations and times. English and UTC, like the analytics screens (whose number formats it
 * shares), so a chart, its summary, its table and the printed SLA report always read the same.
 */
import type {
  AgentHealthStatus,
  AlertMetric,
  CheckStatus,
  Comparison,
  IncidentEventType,
  IncidentStatus,
  MetricStep,
  RuleCondition,
  RuleState,
  Severity,
} from "../../data/monitor";
import { formatCount, formatLatency, formatRate } from "../shared/format";

export type ChipColor = "default" | "success" | "warning" | "error";

/** What a chip says, and the colour that repeats it (the word carries the meaning). */
export interface Presentation {
  readonly label: string;
  readonly color: ChipColor;
}

export const checkStatusPresentation: Record<CheckStatus, Presentation> = {
  ok: { label: "OK", color: "success" },
  degraded: { label: "Degraded", color: "warning" },
  down: { label: "Down", color: "error" },
  unknown: { label: "Not checked yet", color: "default" },
};

export const agentStatusPresentation: Record<AgentHealthStatus, Presentation> = {
  ok: { label: "OK", color: "success" },
  failing: { label: "Failing", color: "error" },
  idle: { label: "Idle", color: "default" },
};

export const severityPresentation: Record<Severity, Presentation> = {
  info: { label: "Info", color: "default" },
  warning: { label: "Warning", color: "warning" },
  critical: { label: "Critical", color: "error" },
};

export const ruleStatePresentation: Record<RuleState, Presentation> = {
  ok: { label: "OK", color: "success" },
  pending: { label: "Pending", color: "warning" },
  firing: { label: "Firing", color: "error" },
  resolving: { label: "Resolving", color: "default" },
};

export const incidentStatusPresentation: Record<IncidentStatus, Presentation> = {
  pending: { label: "Pending", color: "warning" },
  firing: { label: "Firing", color: "error" },
  resolved: { label: "Resolved", color: "success" },
  cancelled: { label: "Cancelled", color: "default" },
};

export const incidentEventLabels: Record<IncidentEventType, string> = {
  pending: "Condition met",
  fired: "Fired",
  renotified: "Notified again",
  acknowledged: "Acknowledged",
  silenced: "Silenced",
  resolving: "Condition cleared",
  refired: "Fired again",
  resolved: "Resolved",
};

// ----- metrics ----------------------------------------------------------------------------------------

type Unit = "share" | "ms" | "count" | "seconds";

const metrics: Record<AlertMetric, { readonly label: string; readonly unit: Unit }> = {
  "error-rate": { label: "Error rate", unit: "share" },
  "latency-p95": { label: "p95 latency", unit: "ms" },
  "abstention-rate": { label: "Abstention rate", unit: "share" },
  turns: { label: "Turns", unit: "count" },
  "queue-age": { label: "Oldest queued task", unit: "seconds" },
  "probe-failures": { label: "Probe failures", unit: "count" },
  budget: { label: "Included credits spent", unit: "share" },
};

export function metricLabel(metric: AlertMetric): string {
  return metrics[metric].label;
}

/**
 * What a rule's threshold is typed in, for the metric: shares as percentages (the platform keeps 0..1),
 * the rest in their own unit.
 */
export function thresholdUnit(metric: AlertMetric): string {
  const unit = metrics[metric].unit;
  return unit === "share" ? "%" : unit === "ms" ? "ms" : unit === "seconds" ? "s" : "";
}

/** The platform's value (a share 0..1, ms, a count) as typed in the rule editor (a percentage, ms, …). */
export function toThresholdInput(metric: AlertMetric, value: number): number {
  // Rounded: 0.07 * 100 is 7.000000000000001.
  return metrics[metric].unit === "share" ? Math.round(value * 100 * 1e6) / 1e6 : value;
}

/** The inverse of `toThresholdInput`. */
export function fromThresholdInput(metric: AlertMetric, typed: number): number {
  return metrics[metric].unit === "share" ? Math.round((typed / 100) * 1e8) / 1e8 : typed;
}

const secondsFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

/** A metric's value with its unit: "4.2%", "1.25 s", "37", "90 s". */
export function formatMetricValue(metric: AlertMetric, value: number | null): string {
  if (value === null) return "—";
  switch (metrics[metric].unit) {
    case "share":
      return formatRate(value);
    case "ms":
      return formatLatency(value);
    case "seconds":
      return `${secondsFormat.format(value)} s`;
    case "count":
      return formatCount(value);
  }
}

const comparisonWords: Record<Comparison, string> = {
  ">": "above",
  ">=": "at or above",
  "<": "below",
  "<=": "at or below",
};

export const comparisonLabels: Record<Comparison, string> = {
  ">": "is above",
  ">=": "is at or above",
  "<": "is below",
  "<=": "is at or below",
};

const factorFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });

/** "Error rate above 5%", "Turns at least 2× the window before", "No turns". */
export function describeCondition(metric: AlertMetric, condition: RuleCondition): string {
  const label = metricLabel(metric);
  switch (condition.type) {
    case "threshold":
      return `${label} ${comparisonWords[condition.op]} ${formatMetricValue(metric, condition.value)}`;
    case "change":
      return `${label} at least ${factorFormat.format(condition.factor)}× the window before`;
    case "absent":
      return `No data for ${label.toLowerCase()}`;
  }
}

// ----- time -------------------------------------------------------------------------------------------

/** 5 → "5 min", 90 → "1 h 30 min", 1440 → "1 day", 10080 → "7 days". */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${formatCount(minutes)} min`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  const parts = [
    days > 0 ? `${formatCount(days)} ${days === 1 ? "day" : "days"}` : "",
    hours > 0 ? `${hours} h` : "",
    rest > 0 ? `${rest} min` : "",
  ];
  return parts.filter((p) => p !== "").join(" ");
}

const timeFormat = new Intl.DateTimeFormat("en", {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});
const dayTimeFormat = new Intl.DateTimeFormat("en", {
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});
const dayFormat = new Intl.DateTimeFormat("en", { day: "numeric", month: "short", timeZone: "UTC" });
const monthFormat = new Intl.DateTimeFormat("en", { month: "long", year: "numeric", timeZone: "UTC" });

/** An axis tick for a step: "14:05" for minutes, "Nov 25, 14:00" for hours, "Nov 25" for days. */
export function formatTick(at: Date, step: MetricStep): string {
  if (step === "minute") return timeFormat.format(at);
  if (step === "hour") return dayTimeFormat.format(at);
  return dayFormat.format(at);
}

/** A point in a table or a summary: the day always, the time unless the step is a day (UTC). */
export function formatPointTime(iso: string, step: MetricStep): string {
  const at = new Date(iso);
  return step === "day" ? dayFormat.format(at) : `${dayTimeFormat.format(at)} UTC`;
}

/** `2026-11` → "November 2026". */
export function formatMonth(month: string): string {
  return monthFormat.format(new Date(`${month}-01T00:00:00Z`));
}

// ----- availability -----------------------------------------------------------------------------------

const percentFormat = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 3 });

/**
 * An availability (0..1) as a percentage to three decimals, rounded down: 0.99999 is "99.999%", never
 * "100%", which only a month without a failed minute earns.
 */
export function formatAvailability(share: number | null): string {
  if (share === null) return "—";
  return `${percentFormat.format(Math.floor(share * 100_000) / 1000)}%`;
}

/** A target in percent: 99.9 → "99.9%". */
export function formatTargetPercent(percent: number): string {
  return `${new Intl.NumberFormat("en", { maximumFractionDigits: 3 }).format(percent)}%`;
}
