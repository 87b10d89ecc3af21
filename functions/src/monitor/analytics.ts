/**
 * Conversation analytics for the studio's dashboard, computed from the tenant's decision traces (one per
 * turn, failed turns included): per UTC day, in total and per channel, and the knowledge gaps (the questions
 * the agents abstained on most, with the closest material they found). `summarizeTraces` and
 * `knowledgeGapsOf` are the pure aggregations; `loadAnalytics` reads one window of traces (at most
 * `maxTracesPerRequest`) and summarizes it.
 */
import { z } from "zod";
import { tracesPath, traceSchema } from "../accountability/schema.js";
import { getAgent } from "../agents/agents.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { log } from "../platform/log.js";
import type { DocSnapshot, Filter } from "../platform/ports.js";
import { validate } from "../platform/validation.js";

const dayMs = 86_400_000;
export const defaultWindowDays = 30;
export const maxWindowDays = 90;
/**
 * The most traces one request reads. Traces are large documents (retrieval candidates, checks) and the
 * port has no field mask, so this bounds a request's reads and memory; the newest ones are counted first.
 */
export const maxTracesPerRequest = 50_000;
const tracePage = 1000;

/** `2024-05-01` (midnight UTC) or a full ISO-8601 date-time with its offset. */
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((s) => new Date(s));

export const analyticsQuerySchema = z
  .object({
    agentId: z.string().regex(idPattern, "must be 1-128 letters, digits, '-' or '_'").optional(),
    /** Inclusive. Default: `to` minus 30 days. */
    from: instant.optional(),
    /** Exclusive. Default: the end of the current UTC day, so today is the last day of the series. */
    to: instant.optional(),
    bucket: z.enum(["day"]).default("day"),
  })
  .strict();
/** The query string as sent (`loadAnalytics` validates it). */
export type AnalyticsQuery = Record<string, string | undefined>;

/** What a knowledge gap keeps of a retrieved passage (a trace candidate). */
const gapCandidateSchema = z.object({
  kbId: z.string(),
  docId: z.string(),
  docName: z.string(),
  chunkId: z.string(),
  headingPath: z.array(z.string()).optional(),
  score: z.number(),
  excluded: z.boolean().default(false),
});

/** The fields of a trace the figures come from; a full `Trace` is one. Parsing strips the rest. */
export const turnRecordSchema = z.object({
  conversationId: traceSchema.shape.conversationId,
  channel: traceSchema.shape.channel,
  status: traceSchema.shape.status,
  confidence: z.object({ value: z.number() }).nullable(),
  timingsMs: z.object({ total: z.number() }),
  generation: z.object({ usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }) }),
  createdAt: traceSchema.shape.createdAt,
  /** The question and what was retrieved for it: what a knowledge gap is made of. */
  question: z.string().optional(),
  retrieval: z.object({ candidates: z.array(gapCandidateSchema) }).optional(),
});
export type TurnRecord = z.input<typeof turnRecordSchema>;

const nullableNumber = z.number().nullable();

export const analyticsMetricsSchema = z.object({
  /** Distinct conversations with at least one turn (failed ones included) in the period. */
  conversations: z.number().int(),
  /** Messages answered: turns that added a reply to the conversation (answered + abstained + declined). */
  turns: z.number().int(),
  answered: z.number().int(),
  abstained: z.number().int(),
  /** Declined before any search or model call: the question matched a blocked topic. */
  declined: z.number().int(),
  /** Turns that failed (model timeout, provider error): nothing was added to the conversation. */
  failed: z.number().int(),
  /** abstained / (answered + abstained); declined and failed turns are left out. Null with neither. */
  abstentionRate: nullableNumber,
  /** Mean confidence (0..1) of answered turns; null without any. */
  averageConfidence: nullableNumber,
  /** Nearest-rank percentiles of `timingsMs.total` over every turn, failed ones included (null: no turns). */
  latencyMs: z.object({ p50: nullableNumber, p95: nullableNumber, p99: nullableNumber }),
  /** Model tokens, summed over every turn (a failed turn counts what it spent before failing). */
  tokens: z.object({ input: z.number(), output: z.number() }),
});
export type AnalyticsMetrics = z.infer<typeof analyticsMetricsSchema>;

export const analyticsSummarySchema = z.object({
  totals: analyticsMetricsSchema,
  /** One entry per UTC day of the window, oldest first, days without activity included (zeros, nulls). */
  series: z.array(
    analyticsMetricsSchema.extend({
      date: z.string(),
      /** That day's turns and failed turns per channel with activity (the day's split by channel). */
      byChannel: z.record(z.string(), z.object({ turns: z.number().int(), failed: z.number().int() })),
    }),
  ),
  /** One entry per channel with activity, busiest first, with its latest turn in the window. */
  byChannel: z.array(analyticsMetricsSchema.extend({ channel: z.string(), lastActivityAt: z.string() })),
});
export type AnalyticsSummary = z.infer<typeof analyticsSummarySchema>;

export const knowledgeGapSchema = z.object({
  /** The question as it was last asked (the group's newest wording). */
  question: z.string(),
  /** Abstentions on it in the window: questions equal once case, accents, punctuation and spacing are ignored. */
  count: z.number().int(),
  lastAskedAt: z.string(),
  /**
   * The closest material found: the best-scored passage retrieved for it (over all its abstentions), with its
   * document and the headings above it (empty on traces recorded before headings were); null when no
   * knowledge base passage was retrieved at all.
   */
  closest: z
    .object({
      kbId: z.string(),
      docId: z.string(),
      docName: z.string(),
      chunkId: z.string(),
      headingPath: z.array(z.string()),
      score: z.number(),
    })
    .nullable(),
});
export type KnowledgeGap = z.infer<typeof knowledgeGapSchema>;

/** The knowledge gaps an answer lists, most frequent first. */
export const maxKnowledgeGaps = 10;

export const analyticsResponseSchema = analyticsSummarySchema.extend({
  /** The questions abstained on most in the window, most often first (at most 10). */
  knowledgeGaps: z.array(knowledgeGapSchema),
  window: z.object({
    from: z.string(),
    to: z.string(),
    bucket: z.literal("day"),
    agentId: z.string().nullable(),
  }),
  /**
   * True when the window held more than 50,000 turns: only the newest 50,000 are counted, those from
   * `countedFrom` on; figures before that instant are incomplete. Narrow the window to see them all.
   */
  truncated: z.boolean(),
  countedFrom: z.string().nullable(),
});
export type Analytics = z.infer<typeof analyticsResponseSchema>;

// ---------------------------------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------------------------------

interface Tally {
  readonly conversations: Set<string>;
  answered: number;
  abstained: number;
  declined: number;
  failed: number;
  confidenceSum: number;
  confidenceCount: number;
  readonly latencies: number[];
  inputTokens: number;
  outputTokens: number;
}

const newTally = (): Tally => ({
  conversations: new Set(),
  answered: 0,
  abstained: 0,
  declined: 0,
  failed: 0,
  confidenceSum: 0,
  confidenceCount: 0,
  latencies: [],
  inputTokens: 0,
  outputTokens: 0,
});

function count(tally: Tally, turn: TurnRecord): void {
  tally.conversations.add(turn.conversationId);
  tally[turn.status] += 1;
  if (turn.status === "answered" && turn.confidence !== null) {
    tally.confidenceSum += turn.confidence.value;
    tally.confidenceCount += 1;
  }
  tally.latencies.push(turn.timingsMs.total);
  tally.inputTokens += turn.generation.usage.inputTokens;
  tally.outputTokens += turn.generation.usage.outputTokens;
}

/** Nearest rank: the smallest value with at least p% of the values at or below it (an observed value). */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

function metricsOf(tally: Tally): AnalyticsMetrics {
  const sorted = [...tally.latencies].sort((a, b) => a - b);
  const decided = tally.answered + tally.abstained;
  return {
    conversations: tally.conversations.size,
    turns: tally.answered + tally.abstained + tally.declined,
    answered: tally.answered,
    abstained: tally.abstained,
    declined: tally.declined,
    failed: tally.failed,
    abstentionRate: decided === 0 ? null : tally.abstained / decided,
    averageConfidence: tally.confidenceCount === 0 ? null : tally.confidenceSum / tally.confidenceCount,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) },
    tokens: { input: tally.inputTokens, output: tally.outputTokens },
  };
}

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Totals, a per-UTC-day series and a per-channel breakdown of the turns in [from, to). Every day the
 * window touches has an entry, so a chart gets a continuous axis; turns outside the window are ignored.
 */
export function summarizeTraces(
  traces: Iterable<TurnRecord>,
  window: { readonly from: Date; readonly to: Date },
): AnalyticsSummary {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const days = new Map<
    string,
    { tally: Tally; channels: Record<string, { turns: number; failed: number }> }
  >();
  for (let day = Date.parse(utcDay(from)); day < to; day += dayMs) {
    days.set(utcDay(day), { tally: newTally(), channels: {} });
  }
  const totals = newTally();
  const channels = new Map<string, { tally: Tally; last: string }>();
  for (const turn of traces) {
    const at = Date.parse(turn.createdAt);
    if (!(at >= from && at < to)) continue;
    count(totals, turn);
    const day = days.get(utcDay(at));
    if (day) {
      count(day.tally, turn);
      const split = (day.channels[turn.channel] ??= { turns: 0, failed: 0 });
      if (turn.status === "failed") split.failed += 1;
      else split.turns += 1;
    }
    let channel = channels.get(turn.channel);
    if (!channel) channels.set(turn.channel, (channel = { tally: newTally(), last: turn.createdAt }));
    count(channel.tally, turn);
    if (turn.createdAt > channel.last) channel.last = turn.createdAt;
  }
  const byChannel = [...channels].map(([channel, { tally, last }]) => ({
    channel,
    ...metricsOf(tally),
    lastActivityAt: last,
  }));
  byChannel.sort((a, b) => b.turns + b.failed - (a.turns + a.failed) || (a.channel < b.channel ? -1 : 1));
  return {
    totals: metricsOf(totals),
    series: [...days].map(([date, { tally, channels: split }]) => ({
      date,
      ...metricsOf(tally),
      byChannel: split,
    })),
    byChannel,
  };
}

/**
 * What makes two questions the same gap: letters and digits only, lower case, accents dropped, one space
 * between words ("How do I reset my VPN token?" and "how do i reset my vpn token" are one question).
 */
export function questionKey(question: string): string {
  return question
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * The questions abstained on most in [from, to), grouped by `questionKey`, most abstentions first (then the
 * most recently asked), at most `limit`. Declined turns (a blocked topic) are not gaps: the agent was told
 * not to answer. The closest material is the best-scored knowledge base passage retrieved for the group,
 * instruction-like passages (withheld from the model) and tool outputs left out.
 */
export function knowledgeGapsOf(
  traces: Iterable<TurnRecord>,
  window: { readonly from: Date; readonly to: Date },
  limit = maxKnowledgeGaps,
): KnowledgeGap[] {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const groups = new Map<string, KnowledgeGap>();
  for (const turn of traces) {
    const at = Date.parse(turn.createdAt);
    if (turn.status !== "abstained" || turn.question === undefined || !(at >= from && at < to)) continue;
    const key = questionKey(turn.question);
    const gap = groups.get(key) ?? {
      question: turn.question,
      count: 0,
      lastAskedAt: turn.createdAt,
      closest: null,
    };
    gap.count += 1;
    if (turn.createdAt > gap.lastAskedAt) {
      gap.lastAskedAt = turn.createdAt;
      gap.question = turn.question;
    }
    for (const c of turn.retrieval?.candidates ?? []) {
      if (c.excluded === true || c.kbId === "") continue;
      if (gap.closest && gap.closest.score >= c.score) continue;
      gap.closest = {
        kbId: c.kbId,
        docId: c.docId,
        docName: c.docName,
        chunkId: c.chunkId,
        headingPath: c.headingPath ?? [],
        score: c.score,
      };
    }
    groups.set(key, gap);
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        b.count - a.count ||
        (a.lastAskedAt < b.lastAskedAt ? 1 : a.lastAskedAt > b.lastAskedAt ? -1 : 0) ||
        (a.question < b.question ? -1 : 1),
    )
    .slice(0, limit);
}

// ---------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------

/** The window a query asks for, with the defaults applied; refuses an empty, reversed or too long one. */
export function analyticsWindow(
  query: z.output<typeof analyticsQuerySchema>,
  now: Date,
): { from: Date; to: Date } {
  const to = query.to ?? new Date(Date.parse(utcDay(now.getTime())) + dayMs);
  const from = query.from ?? new Date(to.getTime() - defaultWindowDays * dayMs);
  if (from.getTime() >= to.getTime()) {
    throw new AppError(
      "invalid-argument",
      `from (${from.toISOString()}) must be before to (${to.toISOString()})`,
    );
  }
  if (to.getTime() - from.getTime() > maxWindowDays * dayMs) {
    throw new AppError(
      "invalid-argument",
      `The window from ${from.toISOString()} to ${to.toISOString()} is longer than ${maxWindowDays} days`,
    );
  }
  return { from, to };
}

/**
 * Analytics of a tenant's turns in one window, optionally of one agent (an unknown agent is not found).
 * Reads the traces newest first, a page at a time, keeping only the fields the figures need; stops after
 * `maxTraces` and says so. Filtering by agent needs the composite index (agentId, createdAt desc) on traces.
 */
export async function loadAnalytics(
  deps: Deps,
  tenantId: string,
  query: AnalyticsQuery,
  options: { maxTraces?: number; pageSize?: number } = {},
): Promise<Analytics> {
  const parsed = validate(analyticsQuerySchema, query, "query parameter");
  const window = analyticsWindow(parsed, deps.clock.now());
  if (parsed.agentId !== undefined) await getAgent(deps, tenantId, parsed.agentId);
  const maxTraces = options.maxTraces ?? maxTracesPerRequest;
  const pageSize = options.pageSize ?? tracePage;
  const where: Filter[] = [
    ...(parsed.agentId !== undefined ? [{ field: "agentId", op: "==" as const, value: parsed.agentId }] : []),
    { field: "createdAt", op: ">=", value: window.from.toISOString() },
    { field: "createdAt", op: "<", value: window.to.toISOString() },
  ];

  const turns: TurnRecord[] = [];
  let read = 0;
  let unreadable = 0;
  let truncated = false;
  let after: DocSnapshot | undefined;
  while (!truncated) {
    // Up to one more than the bound, to know whether the window held more.
    const limit = Math.min(pageSize, maxTraces + 1 - read);
    const page = await deps.store.query({
      collection: tracesPath(tenantId),
      where,
      orderBy: [{ field: "createdAt", direction: "desc" }],
      limit,
      ...(after ? { startAfter: after } : {}),
    });
    for (const snap of page) {
      if (read >= maxTraces) {
        truncated = true;
        break;
      }
      read += 1;
      const turn = turnRecordSchema.safeParse(snap.data);
      if (turn.success) turns.push(turn.data);
      else unreadable += 1;
    }
    if (page.length < limit) break;
    after = page[page.length - 1];
  }
  if (unreadable > 0) log.warn("analytics skipped unreadable traces", { tenantId, unreadable });

  return {
    window: {
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      bucket: parsed.bucket,
      agentId: parsed.agentId ?? null,
    },
    truncated,
    countedFrom: truncated ? (turns[turns.length - 1]?.createdAt ?? null) : null,
    ...summarizeTraces(turns, window),
    knowledgeGaps: knowledgeGapsOf(turns, window),
  };
}
