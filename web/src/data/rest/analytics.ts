/**
 * Analytics over the platform's REST API (both modes: the platform computes them): the request for a window,
 * and the reading of its answer, checked at the edge with every day of the window present.
 */
import {
  dayMs,
  isoDay,
  maxWindowDays,
  type Analytics,
  type AnalyticsDay,
  type AnalyticsMetrics,
  type AnalyticsRequest,
  type AnalyticsSource,
  type ChannelAnalytics,
  type ChannelDay,
  type KnowledgeGap,
} from "../analytics";
import { isRecord, PlatformRequestError } from "../platform";
import { requestAsSignedIn } from "../session";
import {
  isBoolean,
  isNullableNumber,
  isNullableString,
  isNumber,
  isString,
  isStringArray,
  ShapeError,
} from "./shape";

export const analyticsPath = "/v1/analytics";

export function analyticsRequestPath(request: AnalyticsRequest): string {
  const params = new URLSearchParams({ from: request.from, to: request.to });
  if (request.agentId !== undefined) params.set("agentId", request.agentId);
  return `${analyticsPath}?${params.toString()}`;
}

export const restAnalytics: AnalyticsSource = {
  async getAnalytics(request, signal) {
    const path = analyticsRequestPath(request);
    return parseAnalytics(await requestAsSignedIn(path, { signal }), path);
  },
};

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

function parseKnowledgeGap(value: unknown, where: string): KnowledgeGap {
  const gap = record(value, where);
  const closest = gap.closest === null ? null : record(gap.closest, `${where}.closest`);
  const at = `${where}.closest`;
  return {
    question: field(gap, "question", isString, where),
    count: field(gap, "count", isNumber, where),
    ...(gap.variants === undefined ? {} : { variants: field(gap, "variants", isNumber, where) }),
    lastAskedAt: field(gap, "lastAskedAt", isInstant, where),
    closest:
      closest === null
        ? null
        : {
            kbId: field(closest, "kbId", isString, at),
            docId: field(closest, "docId", isString, at),
            docName: field(closest, "docName", isString, at),
            chunkId: field(closest, "chunkId", isString, at),
            headingPath: field(closest, "headingPath", isStringArray, at),
            score: field(closest, "score", isNumber, at),
          },
  };
}

function parseChannelDays(value: unknown, where: string): Record<string, ChannelDay> {
  const channels = record(value, where);
  return Object.fromEntries(
    Object.entries(channels).map(([channel, split]) => {
      const at = `${where}.${channel}`;
      const counts = record(split, at);
      return [
        channel,
        { turns: field(counts, "turns", isNumber, at), failed: field(counts, "failed", isNumber, at) },
      ];
    }),
  );
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
    days.push(byDate.get(date) ?? { date, ...quietMetrics, byChannel: {} });
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
      const day = record(value, where);
      return {
        date: field(day, "date", isDay, where),
        ...parseMetrics(value, where),
        byChannel: day.byChannel === undefined ? {} : parseChannelDays(day.byChannel, `${where}.byChannel`),
      };
    });
    const byChannel = field(answer, "byChannel", Array.isArray, "body").map((value, i): ChannelAnalytics => {
      const where = `byChannel[${i}]`;
      return {
        channel: field(record(value, where), "channel", isString, where),
        ...parseMetrics(value, where),
        // A platform from before per-channel activity does not say.
        lastActivityAt:
          record(value, where).lastActivityAt === undefined
            ? null
            : field(record(value, where), "lastActivityAt", isInstant, where),
      };
    });
    // A platform from before knowledge gaps has none to list.
    const knowledgeGaps =
      answer.knowledgeGaps === undefined
        ? []
        : field(answer, "knowledgeGaps", Array.isArray, "body").map((value, i) =>
            parseKnowledgeGap(value, `knowledgeGaps[${i}]`),
          );
    return {
      window: parsedWindow,
      totals: parseMetrics(answer.totals, "totals"),
      series: everyDay(parsedWindow, series),
      byChannel,
      knowledgeGaps,
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
