/**
 * Conversation analytics for the studio's dashboard: per UTC day, in total and per channel, and the knowledge
 * gaps (the questions the agents abstained on most, with the closest material they found).
 *
 * The figures come from billing's rollups, never from traces: the meter folds every turn's usage event, once,
 * into the workspace's day (`usageDaily`) and into its agent × model × day (`usageByModel`), so a window costs
 * one read per day (per day and model with `agentId`) however busy it was. They are per whole UTC day: a day
 * counts, whole, when it overlaps [from, to); a turn shows once metered (the meter is a trigger: seconds).
 * Usage events hold no end-user text, so the knowledge gaps still read traces: the window's abstained ones
 * only, newest first, at most `maxAbstentionsPerRequest`.
 *
 * `summarizeRollups`, `percentileOf` and `knowledgeGapsOf` are the pure aggregations; `loadAnalytics` reads.
 */
import { z } from "zod";
import { tracesPath, traceSchema } from "../accountability/schema.js";
import { getAgent } from "../agents/agents.js";
import {
  latencyBoundsMs,
  modelRollupSchema,
  rollupSchema,
  usageByModelCollection,
  usageDailyCollection,
  type Counters,
  type Rollup,
} from "../billing/schema.js";
import { clusterQuestions } from "../narrative/cluster.js";
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
 * The most abstained traces one request reads for its knowledge gaps, the newest first. Traces are large
 * documents (retrieval candidates, checks) and the port has no field mask, so this bounds a request's reads
 * and memory; `truncated` says when the window held more.
 */
export const maxAbstentionsPerRequest = 2_000;
const tracePage = 500;

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

/** The fields of a trace a knowledge gap is made of; a full `Trace` is one. Parsing strips the rest. */
export const turnRecordSchema = z.object({
  status: traceSchema.shape.status,
  createdAt: traceSchema.shape.createdAt,
  /** The question and what was retrieved for it. */
  question: z.string().optional(),
  retrieval: z.object({ candidates: z.array(gapCandidateSchema) }).optional(),
  /** A monitor probe's turn: never a knowledge gap. */
  synthetic: z.boolean().optional(),
  /** A Sandbox turn (an eval run, a replay, a simulation): never a knowledge gap either. */
  sandbox: z.boolean().optional(),
});
export type TurnRecord = z.input<typeof turnRecordSchema>;

const nullableNumber = z.number().nullable();

export const analyticsMetricsSchema = z.object({
  /**
   * Conversations started in the period: those whose first turn (a failed one aside) was in it. A
   * conversation counts once, on its first turn's day, channel and agent; one started before the window
   * counts in none of its figures, however many turns it had in it.
   */
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
  /**
   * Nearest-rank percentiles of every turn's latency, failed ones included, read from the rollups' latency
   * histogram (billing's `latencyBoundsMs`): each is the upper bound of the bucket holding that rank, so at
   * most one bucket's width above the true value (a p95 of 1500 is a true p95 in (1000, 1500] ms). The last
   * bucket is open: a rank in it reads as the last bound (120,000), meaning "at least that". Null: no turns.
   */
  latencyMs: z.object({ p50: nullableNumber, p95: nullableNumber, p99: nullableNumber }),
  /** Model tokens, summed over every turn (a failed turn counts what it spent before failing). */
  tokens: z.object({ input: z.number(), output: z.number() }),
});
export type AnalyticsMetrics = z.infer<typeof analyticsMetricsSchema>;

export const analyticsSummarySchema = z.object({
  /** The whole UTC days the window overlaps, added up. */
  totals: analyticsMetricsSchema,
  /** One entry per UTC day the window overlaps, oldest first, days without activity included (zeros, nulls). */
  series: z.array(
    analyticsMetricsSchema.extend({
      date: z.string(),
      /** That day's turns and failed turns per channel with activity (the day's split by channel). */
      byChannel: z.record(z.string(), z.object({ turns: z.number().int(), failed: z.number().int() })),
    }),
  ),
  /**
   * One entry per channel with turns, busiest first, with its latest activity (a turn, or a message sent on
   * a channel that charges per message) in the window's days.
   */
  byChannel: z.array(analyticsMetricsSchema.extend({ channel: z.string(), lastActivityAt: z.string() })),
});
export type AnalyticsSummary = z.infer<typeof analyticsSummarySchema>;

export const knowledgeGapSchema = z.object({
  /** The question as it was last asked (the group's newest wording). */
  question: z.string(),
  /**
   * Abstentions on it in the window: near-identical questions count as one (narrative/cluster.ts: the same
   * content words, put the same way up to filler such as "hi", "please", "can you tell me").
   */
  count: z.number().int(),
  /** The distinct phrasings grouped in it (case, accents, punctuation and spacing ignored). */
  variants: z.number().int().min(1),
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
  /**
   * The questions abstained on most in the window's days, most often first (at most 10); drawn from the
   * abstained traces still kept (retention and erasure delete traces, not the figures).
   */
  knowledgeGaps: z.array(knowledgeGapSchema),
  /** As asked (`to` exclusive); the figures and the gaps cover every UTC day it overlaps, whole. */
  window: z.object({
    from: z.string(),
    to: z.string(),
    bucket: z.literal("day"),
    agentId: z.string().nullable(),
  }),
  /**
   * About the knowledge gaps only: true when the window's days held more than 2,000 abstained turns, so the
   * gaps are drawn from the newest 2,000, those from `countedFrom` on (their counts are then lower bounds).
   * The figures always count every metered turn of the window's days.
   */
  truncated: z.boolean(),
  countedFrom: z.string().nullable(),
});
export type Analytics = z.infer<typeof analyticsResponseSchema>;

// ---------------------------------------------------------------------------------------------------
// Aggregation
// ---------------------------------------------------------------------------------------------------

/** The counters of a rollup the figures are made of, added up over rollups. */
type Tally = Pick<
  Counters,
  | "answered"
  | "abstained"
  | "declined"
  | "failed"
  | "conversations"
  | "inputTokens"
  | "outputTokens"
  | "confidenceSum"
  | "confidenceCount"
  | "latency"
  | "lastAt"
>;

const summed = [
  "answered",
  "abstained",
  "declined",
  "failed",
  "conversations",
  "inputTokens",
  "outputTokens",
  "confidenceSum",
  "confidenceCount",
] as const;

const newTally = (): Tally => ({
  answered: 0,
  abstained: 0,
  declined: 0,
  failed: 0,
  conversations: 0,
  inputTokens: 0,
  outputTokens: 0,
  confidenceSum: 0,
  confidenceCount: 0,
  latency: [],
  lastAt: null,
});

function add(tally: Tally, counters: Counters): void {
  for (const key of summed) tally[key] += counters[key];
  counters.latency.forEach((n, i) => {
    tally.latency[i] = (tally.latency[i] ?? 0) + n;
  });
  if (counters.lastAt !== null && (tally.lastAt === null || counters.lastAt > tally.lastAt)) {
    tally.lastAt = counters.lastAt;
  }
}

/**
 * Nearest-rank percentile `p` of a latency histogram (bucket i counts latencies <= `latencyBoundsMs[i]`, the
 * last bucket the slower ones): the upper bound of the bucket holding the ⌈p% × n⌉-th fastest turn. The true
 * percentile v sits in that bucket, so the bound before it < v <= the answer. The last bucket has no upper
 * bound: it answers the last bound, a lower edge ("at least"). Null for an empty histogram.
 */
export function percentileOf(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((n, c) => n + c, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p * total) / 100));
  let seen = 0;
  let bucket = histogram.length - 1;
  for (const [i, c] of histogram.entries()) {
    seen += c;
    if (seen >= rank) {
      bucket = i;
      break;
    }
  }
  return latencyBoundsMs[Math.min(bucket, latencyBoundsMs.length - 1)] ?? null;
}

function metricsOf(tally: Tally): AnalyticsMetrics {
  const decided = tally.answered + tally.abstained;
  return {
    conversations: tally.conversations,
    turns: tally.answered + tally.abstained + tally.declined,
    answered: tally.answered,
    abstained: tally.abstained,
    declined: tally.declined,
    failed: tally.failed,
    abstentionRate: decided === 0 ? null : tally.abstained / decided,
    averageConfidence: tally.confidenceCount === 0 ? null : tally.confidenceSum / tally.confidenceCount,
    latencyMs: {
      p50: percentileOf(tally.latency, 50),
      p95: percentileOf(tally.latency, 95),
      p99: percentileOf(tally.latency, 99),
    },
    tokens: { input: tally.inputTokens, output: tally.outputTokens },
  };
}

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The UTC days [from, to) overlaps, oldest first: what the figures cover, each one whole. */
export function daysOf(window: { readonly from: Date; readonly to: Date }): string[] {
  const days: string[] = [];
  for (let day = Date.parse(utcDay(window.from.getTime())); day < window.to.getTime(); day += dayMs) {
    days.push(utcDay(day));
  }
  return days;
}

/** The window widened to whole UTC days: the first day's midnight to the midnight after the last. */
function wholeDays(window: { readonly from: Date; readonly to: Date }): { from: Date; to: Date } {
  return {
    from: new Date(Date.parse(utcDay(window.from.getTime()))),
    to: new Date(Date.parse(utcDay(window.to.getTime() - 1)) + dayMs),
  };
}

/**
 * A rollup's counters without its Sandbox turns (eval runs, replays, simulations): billing counts them with
 * the rest and keeps their share in `sandbox`; analytics are about real traffic. Channels never hold them.
 */
export function withoutSandbox(rollup: Rollup): Counters {
  const sandbox = rollup.sandbox;
  if (!sandbox) return rollup;
  const own: Counters = { ...rollup, latency: [...rollup.latency] };
  for (const key of summed) own[key] = Math.max(0, own[key] - sandbox[key]);
  sandbox.latency.forEach((n, i) => {
    own.latency[i] = Math.max(0, (own.latency[i] ?? 0) - n);
  });
  return own;
}

const hasTurns = (tally: Tally): boolean =>
  tally.answered + tally.abstained + tally.declined + tally.failed > 0;

/**
 * Totals, a per-UTC-day series and a per-channel breakdown of rollups: day rollups, or an agent's day ×
 * model rollups (a day's models add up). Every day `days` lists has an entry, so a chart gets a continuous
 * axis; rollups of other days are ignored. A channel shows once it has turns (not just messages sent).
 */
export function summarizeRollups(rollups: Iterable<Rollup>, days: readonly string[]): AnalyticsSummary {
  const series = new Map<string, { tally: Tally; channels: Map<string, Tally> }>(
    days.map((day) => [day, { tally: newTally(), channels: new Map() }]),
  );
  const totals = newTally();
  const channels = new Map<string, Tally>();
  for (const rollup of rollups) {
    const day = series.get(rollup.period);
    if (!day) continue;
    const production = withoutSandbox(rollup);
    add(totals, production);
    add(day.tally, production);
    for (const [channel, counters] of Object.entries(rollup.channels)) {
      const ofDay = day.channels.get(channel) ?? newTally();
      day.channels.set(channel, ofDay);
      add(ofDay, counters);
      const overall = channels.get(channel) ?? newTally();
      channels.set(channel, overall);
      add(overall, counters);
    }
  }
  const byChannel = [...channels].flatMap(([channel, tally]) =>
    hasTurns(tally) && tally.lastAt !== null
      ? [{ channel, ...metricsOf(tally), lastActivityAt: tally.lastAt }]
      : [],
  );
  byChannel.sort((a, b) => b.turns + b.failed - (a.turns + a.failed) || (a.channel < b.channel ? -1 : 1));
  return {
    totals: metricsOf(totals),
    series: [...series].map(([date, { tally, channels: split }]) => ({
      date,
      ...metricsOf(tally),
      byChannel: Object.fromEntries(
        [...split]
          .filter(([, c]) => hasTurns(c))
          .map(([channel, c]) => [
            channel,
            { turns: c.answered + c.abstained + c.declined, failed: c.failed },
          ]),
      ),
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
 * The questions abstained on most in [from, to), most abstentions first (then the most recently asked), at most
 * `limit`. Questions equal by `questionKey` are one phrasing; phrasings the question matcher calls the same
 * question (narrative/cluster.ts, the annotation-reply matcher: precise, so two different questions are not
 * merged) are one gap, shown in its most recent wording. Declined turns (a blocked topic) are not gaps: the
 * agent was told not to answer. The closest material is the best-scored knowledge base passage retrieved for
 * the gap, instruction-like passages (withheld from the model) and tool outputs left out.
 */
export function knowledgeGapsOf(
  traces: Iterable<TurnRecord>,
  window: { readonly from: Date; readonly to: Date },
  limit = maxKnowledgeGaps,
): KnowledgeGap[] {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const groups = new Map<string, Omit<KnowledgeGap, "variants">>();
  for (const turn of traces) {
    const at = Date.parse(turn.createdAt);
    if (
      turn.status !== "abstained" ||
      turn.synthetic ||
      turn.sandbox ||
      turn.question === undefined ||
      !(at >= from && at < to)
    )
      continue;
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
  return mergeSameQuestions(groups)
    .sort(
      (a, b) =>
        b.count - a.count ||
        (a.lastAskedAt < b.lastAskedAt ? 1 : a.lastAskedAt > b.lastAskedAt ? -1 : 0) ||
        (a.question < b.question ? -1 : 1),
    )
    .slice(0, limit);
}

/**
 * One gap per question: the phrasings (`questionKey` groups) clustered, the most asked phrasing opening its
 * cluster (ties: the most recent), so the order, and with it the result, is deterministic. A phrasing without
 * words ("?!") stays a gap of its own.
 */
function mergeSameQuestions(groups: ReadonlyMap<string, Omit<KnowledgeGap, "variants">>): KnowledgeGap[] {
  const phrasings = [...groups.entries()].sort(
    ([ka, a], [kb, b]) =>
      b.count - a.count ||
      (a.lastAskedAt < b.lastAskedAt ? 1 : a.lastAskedAt > b.lastAskedAt ? -1 : 0) ||
      (ka < kb ? -1 : 1),
  );
  const { clusters } = clusterQuestions(
    phrasings.filter(([key]) => key !== ""),
    ([key]) => key,
    { maxClusters: phrasings.length },
  );
  const gaps: KnowledgeGap[] = phrasings
    .filter(([key]) => key === "")
    .map(([, g]) => ({ ...g, variants: 1 }));
  for (const cluster of clusters) {
    const gap: KnowledgeGap = { ...cluster.representative[1], variants: cluster.members.length };
    for (const [, other] of cluster.members.slice(1)) {
      gap.count += other.count;
      if (other.lastAskedAt > gap.lastAskedAt) {
        gap.lastAskedAt = other.lastAskedAt;
        gap.question = other.question;
      }
      if (other.closest && (!gap.closest || other.closest.score > gap.closest.score))
        gap.closest = other.closest;
    }
    gaps.push(gap);
  }
  return gaps;
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
 * The rollups of `days`: the workspace's day rollups (one read per day with activity: at most 91 for 90
 * days that do not start at midnight), or one agent's day × model rollups (needs the composite index
 * agentId + period on usageByModel).
 */
async function readRollups(
  deps: Deps,
  tenantId: string,
  days: readonly string[],
  agentId: string | undefined,
): Promise<Rollup[]> {
  const period: Filter[] = [
    { field: "period", op: ">=", value: days[0] },
    { field: "period", op: "<=", value: days.at(-1) },
  ];
  const snaps =
    agentId === undefined
      ? await deps.store.query({
          collection: usageDailyCollection(tenantId),
          where: period,
          limit: days.length,
        })
      : await deps.store.query({
          collection: usageByModelCollection(tenantId),
          where: [{ field: "agentId", op: "==", value: agentId }, ...period],
        });
  const schema = agentId === undefined ? rollupSchema : modelRollupSchema;
  const rollups: Rollup[] = [];
  for (const snap of snaps) {
    const rollup = schema.safeParse(snap.data);
    if (rollup.success) rollups.push(rollup.data);
    else log.error("analytics skipped a rollup that does not parse", { tenantId, path: snap.path });
  }
  return rollups;
}

/**
 * The abstained traces of [from, to), newest first, a page at a time, keeping only what a gap needs; stops
 * after `max` and says so (needs the composite index status + createdAt on traces, with agentId first when
 * filtered by agent).
 */
async function readAbstentions(
  deps: Deps,
  tenantId: string,
  window: { readonly from: Date; readonly to: Date },
  agentId: string | undefined,
  options: { readonly max: number; readonly pageSize: number },
): Promise<{ abstentions: TurnRecord[]; truncated: boolean }> {
  const where: Filter[] = [
    ...(agentId !== undefined ? [{ field: "agentId", op: "==" as const, value: agentId }] : []),
    { field: "status", op: "==", value: "abstained" },
    { field: "createdAt", op: ">=", value: window.from.toISOString() },
    { field: "createdAt", op: "<", value: window.to.toISOString() },
  ];
  const abstentions: TurnRecord[] = [];
  let read = 0;
  let skipped = 0;
  let unreadable = 0;
  let truncated = false;
  let after: DocSnapshot | undefined;
  while (!truncated) {
    // Up to one more than the bound, to know whether the window held more.
    const limit = Math.min(options.pageSize, options.max + 1 - read);
    const page = await deps.store.query({
      collection: tracesPath(tenantId),
      where,
      orderBy: [{ field: "createdAt", direction: "desc" }],
      limit,
      ...(after ? { startAfter: after } : {}),
    });
    for (const snap of page) {
      // Sandbox turns (an eval run of 2,000 questions) do not use up the bound meant for real ones; they
      // are still read, so at most as many again are skipped before the gaps are cut short.
      if ((snap.data as { sandbox?: unknown }).sandbox === true && skipped < options.max) {
        skipped += 1;
        continue;
      }
      if (read >= options.max) {
        truncated = true;
        break;
      }
      read += 1;
      const turn = turnRecordSchema.safeParse(snap.data);
      if (turn.success) abstentions.push(turn.data);
      else unreadable += 1;
    }
    if (page.length < limit) break;
    after = page[page.length - 1];
  }
  if (unreadable > 0) log.warn("analytics skipped unreadable traces", { tenantId, unreadable });
  return { abstentions, truncated };
}

/**
 * Analytics of a tenant's turns in one window, optionally of one agent (an unknown agent is not found): the
 * figures from the rollups of every UTC day the window overlaps, the knowledge gaps from at most
 * `maxAbstentions` of those days' abstained traces, the newest first.
 */
export async function loadAnalytics(
  deps: Deps,
  tenantId: string,
  query: AnalyticsQuery,
  options: { maxAbstentions?: number; pageSize?: number } = {},
): Promise<Analytics> {
  const parsed = validate(analyticsQuerySchema, query, "query parameter");
  const window = analyticsWindow(parsed, deps.clock.now());
  if (parsed.agentId !== undefined) await getAgent(deps, tenantId, parsed.agentId);
  const days = daysOf(window);
  const counted = wholeDays(window);
  const [rollups, { abstentions, truncated }] = await Promise.all([
    readRollups(deps, tenantId, days, parsed.agentId),
    readAbstentions(deps, tenantId, counted, parsed.agentId, {
      max: options.maxAbstentions ?? maxAbstentionsPerRequest,
      pageSize: options.pageSize ?? tracePage,
    }),
  ]);
  return {
    window: {
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      bucket: parsed.bucket,
      agentId: parsed.agentId ?? null,
    },
    truncated,
    countedFrom: truncated ? (abstentions[abstentions.length - 1]?.createdAt ?? null) : null,
    ...summarizeRollups(rollups, days),
    knowledgeGaps: knowledgeGapsOf(abstentions, counted),
  };
}
