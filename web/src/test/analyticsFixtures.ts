/**
 * `GET /v1/analytics` answers, built from turns the way the platform builds them
 * (functions/src/monitor/analytics.ts: one entry per UTC day of the window, weighted rates, distinct
 * conversations, nearest-rank percentiles, abstained questions grouped into knowledge gaps), so totals and
 * days always agree as they do in production.
 */

export type TurnStatus = "answered" | "abstained" | "declined" | "failed";

export interface FixtureTurn {
  /** When the turn happened (ISO). */
  readonly at: string;
  readonly conversationId: string;
  readonly status: TurnStatus;
  /** Defaults to the REST API. */
  readonly channel?: string;
  /** Of an answered turn. */
  readonly confidence?: number;
  readonly latencyMs: number;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** What was asked (knowledge gaps list the abstained ones). */
  readonly question?: string;
  /** The best passage retrieved for it. */
  readonly closest?: {
    readonly kbId: string;
    readonly docId: string;
    readonly docName: string;
    readonly chunkId: string;
    readonly headingPath: readonly string[];
    readonly score: number;
  };
}

/** The studio's clock in analytics tests: mid-afternoon UTC, so "today" is the same day everywhere. */
export const analyticsNow = new Date("2026-11-25T15:00:00.000Z");

const dayMs = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

function metricsOf(turns: readonly FixtureTurn[]) {
  const count = (status: TurnStatus) => turns.filter((t) => t.status === status).length;
  const answered = count("answered");
  const abstained = count("abstained");
  const declined = count("declined");
  const confidences = turns.flatMap((t) =>
    t.status === "answered" && t.confidence !== undefined ? [t.confidence] : [],
  );
  const latencies = turns.map((t) => t.latencyMs).sort((a, b) => a - b);
  const decided = answered + abstained;
  return {
    conversations: new Set(turns.map((t) => t.conversationId)).size,
    turns: answered + abstained + declined,
    answered,
    abstained,
    declined,
    failed: count("failed"),
    abstentionRate: decided === 0 ? null : abstained / decided,
    averageConfidence:
      confidences.length === 0 ? null : confidences.reduce((a, b) => a + b, 0) / confidences.length,
    latencyMs: {
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
    },
    tokens: {
      input: turns.reduce((sum, t) => sum + (t.inputTokens ?? 0), 0),
      output: turns.reduce((sum, t) => sum + (t.outputTokens ?? 0), 0),
    },
  };
}

/** `questionKey` of functions/src/monitor/analytics.ts: what makes two questions one gap. */
const questionKey = (question: string) =>
  question
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

/** The knowledge gaps of `turns`, as the platform lists them: most abstentions first, then most recent. */
function knowledgeGapsOf(turns: readonly FixtureTurn[]) {
  const gaps = new Map<
    string,
    { question: string; count: number; lastAskedAt: string; closest: FixtureTurn["closest"] | null }
  >();
  for (const turn of turns) {
    if (turn.status !== "abstained" || turn.question === undefined) continue;
    const key = questionKey(turn.question);
    const gap = gaps.get(key) ?? { question: turn.question, count: 0, lastAskedAt: turn.at, closest: null };
    gap.count += 1;
    if (turn.at > gap.lastAskedAt) Object.assign(gap, { lastAskedAt: turn.at, question: turn.question });
    if (turn.closest && (!gap.closest || turn.closest.score > gap.closest.score)) gap.closest = turn.closest;
    gaps.set(key, gap);
  }
  return [...gaps.values()]
    .sort((a, b) => b.count - a.count || b.lastAskedAt.localeCompare(a.lastAskedAt))
    .slice(0, 10);
}

/**
 * The platform's answer for the last `days` UTC days up to `now` (today included), of `turns`. `truncated`
 * pretends the window held more turns than one request counts, the oldest counted being the first of `turns`.
 */
export function analyticsAnswer(
  turns: readonly FixtureTurn[],
  options: {
    readonly days?: number;
    readonly now?: Date;
    readonly agentId?: string | null;
    readonly truncated?: boolean;
  } = {},
) {
  const to = Date.parse(isoDay((options.now ?? analyticsNow).getTime())) + dayMs;
  const from = to - (options.days ?? 30) * dayMs;
  const inWindow = turns.filter((t) => Date.parse(t.at) >= from && Date.parse(t.at) < to);
  const series = [];
  for (let day = from; day < to; day += dayMs) {
    const date = isoDay(day);
    const ofDay = inWindow.filter((t) => t.at.startsWith(date));
    const byChannel: Record<string, { turns: number; failed: number }> = {};
    for (const t of ofDay) {
      const split = (byChannel[t.channel ?? "api"] ??= { turns: 0, failed: 0 });
      if (t.status === "failed") split.failed += 1;
      else split.turns += 1;
    }
    series.push({ date, ...metricsOf(ofDay), byChannel });
  }
  const channels = [...new Set(inWindow.map((t) => t.channel ?? "api"))].map((channel) => {
    const ofChannel = inWindow.filter((t) => (t.channel ?? "api") === channel);
    return {
      channel,
      ...metricsOf(ofChannel),
      lastActivityAt: ofChannel
        .map((t) => t.at)
        .sort()
        .at(-1) as string,
    };
  });
  channels.sort((a, b) => b.turns + b.failed - (a.turns + a.failed));
  const oldest = [...inWindow].sort((a, b) => a.at.localeCompare(b.at))[0];
  return {
    window: {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      bucket: "day",
      agentId: options.agentId ?? null,
    },
    truncated: options.truncated ?? false,
    countedFrom: options.truncated ? (oldest?.at ?? null) : null,
    totals: metricsOf(inWindow),
    series,
    byChannel: channels,
    knowledgeGaps: knowledgeGapsOf(inWindow),
  };
}

/**
 * A week of the demo HR assistant, as the local runtime answered after a few questions: two busy days with
 * very different abstention rates (so the range's rate is not the mean of the days'), quiet days between
 * them, and traffic from the REST API and the studio's playground.
 */
export const hrWeekTurns: readonly FixtureTurn[] = [
  // Nov 20: 2 questions in one conversation, one abstained (50%).
  {
    at: "2026-11-20T09:12:00.000Z",
    conversationId: "conv_a",
    status: "answered",
    confidence: 0.8,
    latencyMs: 120,
    inputTokens: 410,
    outputTokens: 38,
  },
  {
    at: "2026-11-20T09:13:30.000Z",
    conversationId: "conv_a",
    status: "abstained",
    latencyMs: 95,
    inputTokens: 380,
    outputTokens: 0,
    question: "Can I bring my dog to the office?",
    closest: {
      kbId: "kb_handbook",
      docId: "doc_handbook",
      docName: "employee-handbook.md",
      chunkId: "doc_handbook-v1-7",
      headingPath: ["Acme Corp Employee Handbook", "Office life"],
      score: 0.34,
    },
  },
  // Nov 25 (today): 10 questions in three conversations (conv_a goes on), one abstained (10%), and a
  // failed turn. Three distinct conversations over the week, though the days count 1 + 3.
  ...Array.from({ length: 9 }, (_, i): FixtureTurn => ({
    at: `2026-11-25T10:${String(10 + i).padStart(2, "0")}:00.000Z`,
    conversationId: i < 5 ? "conv_b" : "conv_a",
    status: "answered",
    confidence: 0.6,
    latencyMs: 30 + i * 10,
    inputTokens: 560,
    outputTokens: 35,
  })),
  {
    at: "2026-11-25T11:00:00.000Z",
    conversationId: "conv_d",
    channel: "studio",
    status: "abstained",
    latencyMs: 40,
    inputTokens: 376,
    outputTokens: 0,
    // The same question as on Nov 20, worded a little differently: one knowledge gap, asked twice.
    question: "can I bring my dog to the office",
    closest: {
      kbId: "kb_handbook",
      docId: "doc_handbook",
      docName: "employee-handbook.md",
      chunkId: "doc_handbook-v1-9",
      headingPath: ["Acme Corp Employee Handbook", "Office life", "Visitors"],
      score: 0.41,
    },
  },
  {
    at: "2026-11-25T11:05:00.000Z",
    conversationId: "conv_d",
    channel: "studio",
    status: "failed",
    latencyMs: 2400,
    inputTokens: 376,
    outputTokens: 0,
  },
];
