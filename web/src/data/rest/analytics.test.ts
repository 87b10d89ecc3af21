import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { analyticsAnswer, hrWeekTurns } from "../../test/analyticsFixtures";
import { errorResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import type { AnalyticsDay } from "../analytics";
import { PlatformRequestError } from "../platform";
import { analyticsRequestPath, parseAnalytics, restAnalytics } from "./analytics";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the analytics request", () => {
  it("puts the window and the agent in the query string", () => {
    expect(analyticsRequestPath({ from: "2026-11-19", to: "2026-11-26" })).toBe(
      "/v1/analytics?from=2026-11-19&to=2026-11-26",
    );
    expect(analyticsRequestPath({ from: "2026-11-19", to: "2026-11-26", agentId: "agt/../x" })).toBe(
      "/v1/analytics?from=2026-11-19&to=2026-11-26&agentId=agt%2F..%2Fx",
    );
  });
});

describe("parseAnalytics", () => {
  const path = "/v1/analytics?from=2026-11-19&to=2026-11-26";

  it("reads the platform's answer: totals, every day and every channel", () => {
    const analytics = parseAnalytics(analyticsAnswer(hrWeekTurns, { days: 7 }), path);

    expect(analytics.window).toEqual({
      from: "2026-11-19T00:00:00.000Z",
      to: "2026-11-26T00:00:00.000Z",
      agentId: null,
    });
    expect(analytics.totals).toMatchObject({
      conversations: 3,
      turns: 12,
      answered: 10,
      abstained: 2,
      failed: 1,
      abstentionRate: 2 / 12,
      tokens: { input: 6582, output: 353 },
    });
    expect(analytics.totals.averageConfidence).toBeCloseTo(0.62);
    expect(analytics.series.map((day) => day.date)).toEqual([
      "2026-11-19",
      "2026-11-20",
      "2026-11-21",
      "2026-11-22",
      "2026-11-23",
      "2026-11-24",
      "2026-11-25",
    ]);
    expect(analytics.series[2]).toMatchObject({ turns: 0, abstentionRate: null, latencyMs: { p95: null } });
    expect(analytics.byChannel.map((c) => [c.channel, c.turns, c.failed])).toEqual([
      ["api", 11, 0],
      ["studio", 1, 1],
    ]);
    expect(analytics.truncated).toBe(false);
  });

  it("fills the days a source left out as quiet days, so the axis has no holes", () => {
    const answer = analyticsAnswer(hrWeekTurns, { days: 7 });
    const busyDaysOnly = { ...answer, series: answer.series.filter((day) => day.turns > 0) };
    expect(busyDaysOnly.series).toHaveLength(2);

    const series = parseAnalytics(busyDaysOnly, path).series;

    expect(series).toHaveLength(7);
    expect(series.map((day) => day.turns)).toEqual([0, 2, 0, 0, 0, 0, 10]);
    const quiet = series[0] as AnalyticsDay;
    expect(quiet).toEqual({
      date: "2026-11-19",
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
      byChannel: {},
    });
  });

  it("reads each day's split by channel and each channel's latest turn, and refuses a malformed split", () => {
    const answer = analyticsAnswer(hrWeekTurns, { days: 7 });
    const parsed = parseAnalytics(answer, path);
    const busiest = parsed.series.at(-1) as AnalyticsDay;
    const split = Object.values(busiest.byChannel ?? {});
    expect(split.reduce((n, c) => n + c.turns, 0)).toBe(busiest.turns);
    expect(split.reduce((n, c) => n + c.failed, 0)).toBe(busiest.failed);
    expect(parsed.byChannel.every((c) => c.lastActivityAt !== null)).toBe(true);
    const broken = structuredClone(answer);
    (broken.series.at(-1) as { byChannel: unknown }).byChannel = { api: { turns: "ten" } };
    expect(() => parseAnalytics(broken, path)).toThrow(/not analytics/);
    // A platform from before the split: no split, no latest turn, still read.
    const older = structuredClone(answer) as unknown as {
      series: Record<string, unknown>[];
      byChannel: Record<string, unknown>[];
    };
    for (const day of older.series) delete day.byChannel;
    for (const channel of older.byChannel) delete channel.lastActivityAt;
    const read = parseAnalytics(older, path);
    expect(read.series.every((d) => Object.keys(d.byChannel ?? {}).length === 0)).toBe(true);
    expect(read.byChannel.every((c) => c.lastActivityAt === null)).toBe(true);
  });

  it("reads the knowledge gaps: equal questions as one, with the closest material found", () => {
    const { knowledgeGaps } = parseAnalytics(analyticsAnswer(hrWeekTurns, { days: 7 }), path);
    expect(knowledgeGaps).toEqual([
      {
        question: "can I bring my dog to the office",
        count: 2,
        lastAskedAt: "2026-11-25T11:00:00.000Z",
        closest: {
          kbId: "kb_handbook",
          docId: "doc_handbook",
          docName: "employee-handbook.md",
          chunkId: "doc_handbook-v1-9",
          headingPath: ["Acme Corp Employee Handbook", "Office life", "Visitors"],
          score: 0.41,
        },
      },
    ]);
  });

  it("has no knowledge gaps from a platform that does not list them, and refuses malformed ones", () => {
    const { knowledgeGaps: _listed, ...older } = analyticsAnswer(hrWeekTurns, { days: 7 });
    expect(parseAnalytics(older, path).knowledgeGaps).toEqual([]);
    const nothingFound = {
      ...older,
      knowledgeGaps: [{ question: "Q?", count: 1, lastAskedAt: "2026-11-25T11:00:00.000Z", closest: null }],
    };
    expect(parseAnalytics(nothingFound, path).knowledgeGaps[0]?.closest).toBeNull();
    const broken = {
      ...older,
      knowledgeGaps: [
        { question: "Q?", count: 1, lastAskedAt: "2026-11-25T11:00:00.000Z", closest: { docName: 3 } },
      ],
    };
    expect(() => parseAnalytics(broken, path)).toThrow(/not analytics \(knowledgeGaps\[0\]\.closest\.kbId\)/);
  });

  it("refuses an answer that is not analytics, naming the field", () => {
    const answer = analyticsAnswer(hrWeekTurns, { days: 7 });
    const broken = {
      ...answer,
      series: answer.series.map((day, i) => (i === 3 ? { ...day, abstentionRate: "12%" } : day)),
    };
    expect(() => parseAnalytics(broken, path)).toThrow(
      new PlatformRequestError(
        "invalid-response",
        path,
        `GET ${path} answered with something that is not analytics (series[3].abstentionRate).`,
      ),
    );
    expect(() => parseAnalytics({ agents: [] }, path)).toThrow(/not analytics \(window is not an object\)/);
  });
});

describe("restAnalytics.getAnalytics", () => {
  beforeEach(() => {
    signInAs();
  });

  it("asks the platform for the window and agent, as the signed-in person", async () => {
    const platform = stubPlatform({
      "GET /v1/analytics": () => jsonResponse(analyticsAnswer(hrWeekTurns, { days: 7, agentId: "agt_hr" })),
    });

    const analytics = await restAnalytics.getAnalytics(
      { from: "2026-11-19", to: "2026-11-26", agentId: "agt_hr" },
      new AbortController().signal,
    );

    expect(analytics.window.agentId).toBe("agt_hr");
    const [request] = platform.sent("GET /v1/analytics");
    expect(Object.fromEntries(request?.query ?? [])).toEqual({
      from: "2026-11-19",
      to: "2026-11-26",
      agentId: "agt_hr",
    });
    expect(request?.authorization).toBe("Bearer als_ann_acme.signature");
  });

  it("passes the platform's refusal on", async () => {
    stubPlatform({
      "GET /v1/analytics": () => errorResponse(404, "not-found", "Agent agt_gone not found"),
    });
    await expect(
      restAnalytics.getAnalytics(
        { from: "2026-11-19", to: "2026-11-26", agentId: "agt_gone" },
        new AbortController().signal,
      ),
    ).rejects.toMatchObject({ status: 404, code: "not-found", reason: "Agent agt_gone not found" });
  });
});
