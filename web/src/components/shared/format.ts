/**
 * How the analytics screen writes its figures. English, like the rest of the studio (RelativeTime), so a
 * chart, its summary line and its table always read the same; days are UTC days, as the platform counts.
 */

const dayFormat = new Intl.DateTimeFormat("en", { day: "numeric", month: "short", timeZone: "UTC" });
const dayWithYearFormat = new Intl.DateTimeFormat("en", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const instantFormat = new Intl.DateTimeFormat("en", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
  timeZoneName: "short",
});
const countFormat = new Intl.NumberFormat("en");
const compactFormat = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const rateFormat = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 1 });
const confidenceFormat = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 0 });
const secondsFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });

const utcDate = (day: string) => new Date(`${day}T00:00:00Z`);

/** `2026-11-25` → "Nov 25". */
export function formatDay(day: string): string {
  return dayFormat.format(utcDate(day));
}

/** `2026-11-25` → "Nov 25, 2026". */
export function formatDayWithYear(day: string): string {
  return dayWithYearFormat.format(utcDate(day));
}

/** An instant, in UTC like the days: "Nov 25, 2026, 17:46 UTC". */
export function formatInstant(iso: string): string {
  return instantFormat.format(new Date(iso));
}

/** 12345 → "12,345". */
export function formatCount(value: number): string {
  return countFormat.format(value);
}

/** For axes: 12345 → "12.3K". */
export function formatCompact(value: number): string {
  return compactFormat.format(value);
}

/** A share (0..1) with one decimal: "28.6%"; "—" when there is nothing to divide. */
export function formatRate(value: number | null): string {
  return value === null ? "—" : rateFormat.format(value);
}

/** A confidence (0..1) as the playground shows it: "65%". */
export function formatConfidence(value: number | null): string {
  return value === null ? "—" : confidenceFormat.format(value);
}

/** "91 ms", "1.25 s". */
export function formatLatency(ms: number | null): string {
  if (ms === null) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${secondsFormat.format(ms / 1000)} s`;
}

export function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

const channelNames: Record<string, string> = {
  api: "REST API",
  "openai-compatible": "OpenAI-compatible API",
  callable: "Callable function",
  studio: "Studio (drafts)",
  widget: "Web chat widget",
  whatsapp: "WhatsApp",
  mcp: "MCP",
};

/** The channel as people call it; an unknown one keeps the platform's name. */
export function channelLabel(channel: string): string {
  return channelNames[channel] ?? channel;
}
