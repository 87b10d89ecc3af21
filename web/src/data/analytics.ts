/**
 * Conversation analytics (`GET /v1/analytics`): per UTC day and per channel, how many conversations and
 * messages the workspace's agents had, how often they abstained, how confident they were, how long turns
 * took and how many model tokens they spent. Checked at the edge, with every day of the window present, so
 * screens can trust and chart every field.
 */
import { useCallback } from "react";
import { isRecord, PlatformRequestError } from "./platform";
import { isBoolean, isNullableNumber, isNullableString, isNumber, isString, ShapeError } from "./shape";
import { useStudio } from "./studio";
import { useRemoteData, type RemoteData } from "./useRemoteData";

/** The figures of one period (the whole window, a day, a channel). */
export interface AnalyticsMetrics {
  /** Distinct conversations with at least one turn in the period. */
  readonly conversations: number;
  /** Messages answered: answered + abstained + declined (failed turns added nothing to the conversation). */
  readonly turns: number;
  readonly answered: number;
  readonly abstained: number;
  /** Declined before any search or model call: the question matched a blocked topic. */
  readonly declined: number;
  /** Turns that failed (model timeout, provider error). */
  readonly failed: number;
  /** abstained / (answered + abstained), 0..1; null when there was neither. */
  readonly abstentionRate: number | null;
  /** Mean confidence (0..1) of answered turns; null without any. */
  readonly averageConfidence: number | null;
  /** Nearest-rank percentiles over every turn; null without any. */
  readonly latencyMs: {
    readonly p50: number | null;
    readonly p95: number | null;
    readonly p99: number | null;
  };
  readonly tokens: { readonly input: number; readonly output: number };
}

export interface AnalyticsDay extends AnalyticsMetrics {
  /** The UTC day, `2026-11-25`. */
  readonly date: string;
}

export interface ChannelAnalytics extends AnalyticsMetrics {
  /** `api`, `studio`, `openai-compatible`, `callable`… */
  readonly channel: string;
}

export interface Analytics {
  /** `from` inclusive, `to` exclusive (ISO date-times); `agentId` null for every agent. */
  readonly window: { readonly from: string; readonly to: string; readonly agentId: string | null };
  /** For the whole window: weighted over every turn, distinct conversations, true percentiles. */
  readonly totals: AnalyticsMetrics;
  /** One entry per UTC day of the window, oldest first, days without traffic included. */
  readonly series: readonly AnalyticsDay[];
  /** Channels with activity, busiest first. */
  readonly byChannel: readonly ChannelAnalytics[];
  /** The window held more turns than one request counts: only those from `countedFrom` on are counted. */
  readonly truncated: boolean;
  readonly countedFrom: string | null;
}

// ----- the query ------------------------------------------------------------------------------------

/** The ranges the screen offers, in days; the platform allows at most 90. */
export const analyticsRanges = [7, 30, 90] as const;
export type AnalyticsRange = (typeof analyticsRanges)[number];
export const defaultAnalyticsRange: AnalyticsRange = 30;

export function isAnalyticsRange(value: unknown): value is AnalyticsRange {
  return analyticsRanges.some((range) => range === value);
}

/** What a screen asks for: the last `days` UTC days (today included), of one agent or of all. */
export interface AnalyticsQuery {
  readonly days: AnalyticsRange;
  readonly agentId?: string | undefined;
}

/** What a source sends: UTC dates, `from` inclusive, `to` exclusive. */
export interface AnalyticsRequest {
  readonly from: string;
  readonly to: string;
  readonly agentId?: string | undefined;
}

const dayMs = 86_400_000;
/** The platform refuses longer windows. */
const maxWindowDays = 90;
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days, today included: the platform's own default window, `days` long. */
export function analyticsRequestOf(query: AnalyticsQuery, now: Date): AnalyticsRequest {
  const to = Date.parse(isoDay(now.getTime())) + dayMs;
  return {
    from: isoDay(to - query.days * dayMs),
    to: isoDay(to),
    ...(query.agentId !== undefined ? { agentId: query.agentId } : {}),
  };
}

export const analyticsPath = "/v1/analytics";

export function analyticsRequestPath(request: AnalyticsRequest): string {
  const params = new URLSearchParams({ from: request.from, to: request.to });
  if (request.agentId !== undefined) params.set("agentId", request.agentId);
  return `${analyticsPath}?${params.toString()}`;
}

// ----- the source section and the hook --------------------------------------------------------------

export interface AnalyticsSource {
  /** Analytics of one window, per UTC day and per channel. An unknown agent is a 404. */
  getAnalytics(request: AnalyticsRequest, signal: AbortSignal): Promise<Analytics>;
}

/**
 * Analytics of the last `query.days` days. The window is computed when the request goes out, so a retry
 * after midnight (UTC) asks for the new day.
 */
export function useAnalytics(query: AnalyticsQuery): RemoteData<Analytics> {
  const source = useStudio();
  const { days, agentId } = query;
  const load = useCallback(
    (signal: AbortSignal) => source.getAnalytics(analyticsRequestOf({ days, agentId }, new Date()), signal),
    [source, days, agentId],
  );
  return useRemoteData(load);
}

// ----- figures derived for the screen ---------------------------------------------------------------

/** Turns of any outcome, failed ones included: zero means nothing happened. */
export function activityOf(metrics: AnalyticsMetrics): number {
  return metrics.turns + metrics.failed;
}

export function totalTokens(metrics: AnalyticsMetrics): number {
  return metrics.tokens.input + metrics.tokens.output;
}

// ----- parsing ----------------------------------------------------------------------------------------

const isDay = (v: unknown): v is string => isString(v) && /^\d{4}-\d{2}-\d{2}$/.test(v);
const isInstant = (v: unknown): v is string => isString(v) && !Number.isNaN(Date.parse(v));

function record(value: unknown, name: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ShapeError(`${name} is not an object`);
  return value;
}

function field<T>(
  object: Record<string, unknown>,
  name: string,
  check: (v: unknown) => v is T,
  where: string,
): T {
  const value = object[name];
  if (!check(value)) throw new ShapeError(`${where}.${name}`);
  return value;
}

function parseMetrics(value: unknown, where: string): AnalyticsMetrics {
  const metrics = record(value, where);
  const latency = record(metrics.latencyMs, `${where}.latencyMs`);
  const tokens = record(metrics.tokens, `${where}.tokens`);
  const count = (name: string) => field(metrics, name, isNumber, where);
  return {
    conversations: count("conversations"),
    turns: count("turns"),
    answered: count("answered"),
    abstained: count("abstained"),
    declined: count("declined"),
    failed: count("failed"),
    abstentionRate: field(metrics, "abstentionRate", isNullableNumber, where),
    averageConfidence: field(metrics, "averageConfidence", isNullableNumber, where),
    latencyMs: {
      p50: field(latency, "p50", isNullableNumber, `${where}.latencyMs`),
      p95: field(latency, "p95", isNullableNumber, `${where}.latencyMs`),
      p99: field(latency, "p99", isNullableNumber, `${where}.latencyMs`),
    },
    tokens: {
      input: field(tokens, "input", isNumber, `${where}.tokens`),
      output: field(tokens, "output", isNumber, `${where}.tokens`),
    },
  };
}

/** A day without any turn, as the platform reports one. */
export const quietMetrics: AnalyticsMetrics = {
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

/**
 * Every UTC day the window touches, oldest first. The platform sends them all; a day it left out (another
 * source, an older platform) had no traffic, so it becomes a quiet day instead of a hole in the axis.
 */
function everyDay(window: Analytics["window"], reported: readonly AnalyticsDay[]): AnalyticsDay[] {
  const byDate = new Map(reported.map((day) => [day.date, day]));
  const to = Date.parse(window.to);
  if (to - Date.parse(window.from) > maxWindowDays * dayMs) throw new ShapeError("window is too long");
  const days: AnalyticsDay[] = [];
  for (let day = Date.parse(isoDay(Date.parse(window.from))); day < to; day += dayMs) {
    const date = isoDay(day);
    days.push(byDate.get(date) ?? { date, ...quietMetrics });
  }
  return days;
}

/** Reads `GET /v1/analytics`'s answer; a shape it does not expect becomes an "invalid response". */
export function parseAnalytics(body: unknown, path: string): Analytics {
  try {
    const answer = record(body, "body");
    const window = record(answer.window, "window");
    const parsedWindow = {
      from: field(window, "from", isInstant, "window"),
      to: field(window, "to", isInstant, "window"),
      agentId: field(window, "agentId", isNullableString, "window"),
    };
    const series = field(answer, "series", Array.isArray, "body").map((value, i): AnalyticsDay => {
      const where = `series[${i}]`;
      return { date: field(record(value, where), "date", isDay, where), ...parseMetrics(value, where) };
    });
    const byChannel = field(answer, "byChannel", Array.isArray, "body").map((value, i): ChannelAnalytics => {
      const where = `byChannel[${i}]`;
      return {
        channel: field(record(value, where), "channel", isString, where),
        ...parseMetrics(value, where),
      };
    });
    return {
      window: parsedWindow,
      totals: parseMetrics(answer.totals, "totals"),
      series: everyDay(parsedWindow, series),
      byChannel,
      truncated: field(answer, "truncated", isBoolean, "body"),
      countedFrom: field(answer, "countedFrom", isNullableString, "body"),
    };
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new PlatformRequestError(
      "invalid-response",
      path,
      `GET ${path} answered with something that is not analytics (${error.message}).`,
    );
  }
}
