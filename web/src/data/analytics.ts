/**
 * Conversation analytics (`GET /v1/analytics`): per UTC day and per channel, how many conversations and
 * messages the workspace's agents had, how often they abstained, how confident they were, how long turns
 * took and how many model tokens they spent, and the questions they abstained on most (knowledge gaps); the
 * window a screen asks for, and the data layer's section.
 * The REST source checks the answer at the edge, with every day of the window present, so screens can trust
 * and chart every field.
 */

/** The figures of one period (the whole window, a day, a channel). */
export interface AnalyticsMetrics {
  /** Conversations started in the period (counted once, on the day of their first turn). */
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
  /** Percentiles from the platform's latency histogram (each a bucket's upper bound); null without turns. */
  readonly latencyMs: {
    readonly p50: number | null;
    readonly p95: number | null;
    readonly p99: number | null;
  };
  readonly tokens: { readonly input: number; readonly output: number };
}

/** One channel's share of a day: its turns, and its failed turns apart. */
export interface ChannelDay {
  readonly turns: number;
  readonly failed: number;
}

export interface AnalyticsDay extends AnalyticsMetrics {
  /** The UTC day, `2026-11-25`. */
  readonly date: string;
  /** The day split by channel (channels with activity only; absent from a platform that does not split). */
  readonly byChannel?: Readonly<Record<string, ChannelDay>>;
}

export interface ChannelAnalytics extends AnalyticsMetrics {
  /** `api`, `studio`, `openai-compatible`, `callable`… */
  readonly channel: string;
  /** Its latest turn in the window (null from a platform that does not say). */
  readonly lastActivityAt: string | null;
}

/** A question the agents abstained on, with the closest material they found: what to add to the knowledge. */
export interface KnowledgeGap {
  /** As last asked; equal questions (case, accents, punctuation and spacing aside) count as one. */
  readonly question: string;
  /** Abstentions on it in the window. */
  readonly count: number;
  /**
   * How many distinct phrasings of it were asked (near-identical questions count as one gap); absent from a
   * platform that grouped exact questions only.
   */
  readonly variants?: number;
  readonly lastAskedAt: string;
  /** The best passage retrieved for it; null when nothing was found at all. */
  readonly closest: {
    readonly kbId: string;
    readonly docId: string;
    readonly docName: string;
    readonly chunkId: string;
    /** The headings above it, outermost first (empty when the platform did not record them). */
    readonly headingPath: readonly string[];
    readonly score: number;
  } | null;
}

export interface Analytics {
  /** `from` inclusive, `to` exclusive (ISO date-times); `agentId` null for every agent. */
  readonly window: { readonly from: string; readonly to: string; readonly agentId: string | null };
  /** For the whole window: over every turn, conversations started, percentiles from the summed histogram. */
  readonly totals: AnalyticsMetrics;
  /** One entry per UTC day of the window, oldest first, days without traffic included. */
  readonly series: readonly AnalyticsDay[];
  /** Channels with activity, busiest first. */
  readonly byChannel: readonly ChannelAnalytics[];
  /** The questions abstained on most, most often first (none from a platform that does not list them). */
  readonly knowledgeGaps: readonly KnowledgeGap[];
  /**
   * The window held more abstentions than one request reads: the knowledge gaps come from those from
   * `countedFrom` on. The figures always count every turn.
   */
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

export const dayMs = 86_400_000;
/** The platform refuses longer windows. */
export const maxWindowDays = 90;
/** The UTC day of an instant: `2026-11-25`. */
export const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days, today included: the platform's own default window, `days` long. */
export function analyticsRequestOf(query: AnalyticsQuery, now: Date): AnalyticsRequest {
  const to = Date.parse(isoDay(now.getTime())) + dayMs;
  return {
    from: isoDay(to - query.days * dayMs),
    to: isoDay(to),
    ...(query.agentId !== undefined ? { agentId: query.agentId } : {}),
  };
}

// ----- the source section --------------------------------------------------------------------------

export interface AnalyticsSource {
  /** Analytics of one window, per UTC day and per channel. An unknown agent is a 404. */
  getAnalytics(request: AnalyticsRequest, signal: AbortSignal): Promise<Analytics>;
}
