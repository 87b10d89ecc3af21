import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  alertState,
  emailChannel,
  errorRateRule,
  firingIncident,
  hrProbe,
  outboxEmail,
  overview,
  rulePreview,
  slaReport,
  webhookChannel,
} from "../../test/monitorFixtures";
import { errorResponse, jsonResponse, stubFetch, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { PlatformRequestError } from "../platform";
import {
  parseAlertRule,
  parseCreatedChannel,
  parseMonitorOverview,
  parseMonitorSeries,
  parseProbe,
  parseTestOutcome,
  restMonitor,
  seriesRequestPath,
  slaRequestPath,
} from "./monitor";

beforeEach(() => {
  signInAs();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the monitor's requests", () => {
  it("puts a series' window, step, kind and agent in the query string", () => {
    expect(
      seriesRequestPath({
        from: "2026-11-25T14:00:00.000Z",
        to: "2026-11-25T15:00:00.000Z",
        step: "minute",
        kind: "turn",
        agentId: "agt/../x",
      }),
    ).toBe(
      "/v1/monitor/series?from=2026-11-25T14%3A00%3A00.000Z&to=2026-11-25T15%3A00%3A00.000Z&step=minute&kind=turn&agentId=agt%2F..%2Fx",
    );
    expect(slaRequestPath({ month: "2026-11", targetPercent: 99.9 }, "csv")).toBe(
      "/v1/monitor/sla?month=2026-11&target=99.9&format=csv",
    );
  });

  it("silences for the minutes asked, and saves a probe with only the fields the platform takes", async () => {
    const platform = stubPlatform({
      "POST /v1/monitor/alerts/error-rate/silence": () =>
        jsonResponse(alertState("error-rate", { silencedUntil: "2026-11-25T19:00:00.000Z" })),
      "PUT /v1/monitor/probes/agt_hr": () => jsonResponse({}),
    });

    const state = await restMonitor.silenceAlert("error-rate", 240);
    // A probe as listed, with its last run and dates: only its settings are sent.
    await restMonitor.saveProbe("agt_hr", parseProbe(hrProbe));

    expect(state).toEqual({
      state: "firing",
      since: "2026-11-25T14:51:00.000Z",
      value: 0.083,
      acknowledgedBy: null,
      silencedUntil: "2026-11-25T19:00:00.000Z",
    });
    expect(platform.sent("POST /v1/monitor/alerts/error-rate/silence")[0]?.body).toEqual({ minutes: 240 });
    expect(platform.sent("PUT /v1/monitor/probes/agt_hr")[0]?.body).toEqual({
      question: "How many vacation days do full-time employees receive per year?",
      expect: "answers",
      mustContain: ["25"],
      everyMinutes: 5,
      enabled: true,
    });
  });

  it("downloads the SLA report as CSV with the session's token", async () => {
    const csv = "target,name,availability\napi,REST API,0.9996\n";
    const fetchMock = stubFetch(
      () => new Response(csv, { status: 200, headers: { "Content-Type": "text/csv" } }),
    );

    const blob = await restMonitor.downloadSlaCsv({ month: "2026-11", targetPercent: 99.9 });

    expect(await blob.text()).toBe(csv);
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(String(url)).toBe("/v1/monitor/sla?month=2026-11&target=99.9&format=csv");
    const headers = new Headers(init?.headers);
    expect(headers.get("Accept")).toBe("text/csv");
    expect(headers.get("Authorization")).toBe("Bearer als_ann_acme.signature");
  });

  it("reports a refused CSV in the platform's words", async () => {
    stubFetch(() => errorResponse(403, "permission-denied", "This action needs the admin role"));
    await expect(restMonitor.downloadSlaCsv({ month: "2026-11", targetPercent: 99.9 })).rejects.toThrow(
      /answered HTTP 403: This action needs the admin role/,
    );
  });
});

describe("parseMonitorOverview", () => {
  it("reads checks, agents with their probes, and active alerts", () => {
    const parsed = parseMonitorOverview(overview);
    expect(parsed.status).toBe("degraded");
    expect(parsed.checks.map((c) => [c.name, c.status, c.history.length])).toEqual([
      ["docStore", "ok", 30],
      ["chatModel", "degraded", 30],
      ["stripe", "unknown", 0],
    ]);
    expect(parsed.agents[0]?.probe?.last).toMatchObject({ ok: false, traceId: "tr_probe_17" });
    expect(parsed.agents[1]?.probe).toBeNull();
    expect(parsed.activeAlerts.map((a) => [a.ruleId, a.state])).toEqual([
      ["error-rate", "firing"],
      ["latency-p95", "pending"],
    ]);
  });

  it.each([
    ["an unknown overall status", { status: "fine" }, /^status$/],
    [
      "a rate that is not a share",
      { agents: [{ ...overview.agents[0], errorRate: 8.3 }] },
      /agents\[0\]\.errorRate/,
    ],
    [
      "an alert in an unknown state",
      { activeAlerts: [{ ...overview.activeAlerts[0], state: "ok" }] },
      /activeAlerts\[0\]\.state/,
    ],
    [
      "a check without its history",
      { checks: [{ ...overview.checks[0], history: undefined }] },
      /checks\[0\]\.history/,
    ],
  ])("refuses %s, naming the field", (_what, change, field) => {
    expect(() => parseMonitorOverview({ ...overview, ...change })).toThrow(field);
  });

  it("is reported as an unexpected answer by the request that got it", async () => {
    stubPlatform({ "GET /v1/monitor/overview": () => jsonResponse({ ...overview, checks: {} }) });
    const failure = restMonitor.getMonitorOverview(new AbortController().signal);
    await expect(failure).rejects.toBeInstanceOf(PlatformRequestError);
    await expect(failure).rejects.toThrow(
      /GET \/v1\/monitor\/overview answered with something that is not an overview/,
    );
  });
});

describe("parseMonitorSeries", () => {
  const point = (at: string, count: number) => ({
    at,
    count,
    errors: 0,
    errorRate: 0,
    p50: 900,
    p95: 1800,
    p99: 2100,
    abstained: 0,
    abstentionRate: 0,
    tokensIn: count * 350,
    tokensOut: count * 60,
  });

  it("fills the steps the platform left out as quiet ones, oldest first", () => {
    const series = parseMonitorSeries({
      step: "minute",
      from: "2026-11-25T14:55:00.000Z",
      to: "2026-11-25T15:00:00.000Z",
      points: [point("2026-11-25T14:58:00.000Z", 4), point("2026-11-25T14:56:00.000Z", 2)],
    });
    expect(series.points.map((p) => [p.at.slice(11, 16), p.count])).toEqual([
      ["14:55", 0],
      ["14:56", 2],
      ["14:57", 0],
      ["14:58", 4],
      ["14:59", 0],
    ]);
    expect(series.points[0]).toMatchObject({ errorRate: null, p95: null, abstentionRate: null, tokensIn: 0 });
  });

  it("keeps points off the step grid as sent rather than inventing steps", () => {
    const series = parseMonitorSeries({
      step: "hour",
      from: "2026-11-25T13:00:00.000Z",
      to: "2026-11-25T15:00:00.000Z",
      points: [point("2026-11-25T13:30:00.000Z", 1)],
    });
    expect(series.points.map((p) => p.at)).toEqual(["2026-11-25T13:30:00.000Z"]);
  });

  it("refuses a negative latency or an unknown step", () => {
    const body = { step: "minute", from: "2026-11-25T14:59:00.000Z", to: "2026-11-25T15:00:00.000Z" };
    expect(() =>
      parseMonitorSeries({ ...body, points: [{ ...point("2026-11-25T14:59:00.000Z", 1), p95: -1 }] }),
    ).toThrow(/points\[0\]\.p95/);
    expect(() => parseMonitorSeries({ ...body, step: "week", points: [] })).toThrow(/step/);
  });
});

describe("rules, incidents and channels", () => {
  it("reads a rule's condition, filter and state", () => {
    const rule = parseAlertRule({ ...errorRateRule, filter: { agentId: "agt_hr" } });
    expect(rule).toMatchObject({
      id: "error-rate",
      metric: "error-rate",
      filter: { agentId: "agt_hr" },
      condition: { type: "threshold", op: ">", value: 0.05 },
      builtIn: true,
      state: { state: "firing", value: 0.083 },
    });
    expect(parseAlertRule({ ...errorRateRule, condition: { type: "absent" }, state: null })).toMatchObject({
      condition: { type: "absent" },
      state: null,
    });
    expect(() =>
      parseAlertRule({ ...errorRateRule, condition: { type: "threshold", op: "!=", value: 1 } }),
    ).toThrow(/condition\.op/);
  });

  it("lists incidents with their timelines, and asks for one status", async () => {
    const platform = stubPlatform({
      "GET /v1/monitor/incidents": () => jsonResponse({ incidents: [firingIncident] }),
    });
    const [incident] = await restMonitor.listIncidents("firing", new AbortController().signal);
    expect(platform.requests[0]?.query.get("status")).toBe("firing");
    expect(incident?.events.map((e) => e.type)).toEqual(["pending", "fired", "acknowledged"]);
    expect(incident?.peak).toBe(0.125);
  });

  it("posts a rule to preview and reads how often it would have fired", async () => {
    const platform = stubPlatform({ "POST /v1/monitor/rules/preview": () => jsonResponse(rulePreview) });
    const {
      id: _id,
      builtIn: _b,
      createdAt: _c,
      updatedAt: _u,
      state: _s,
      ...input
    } = parseAlertRule(errorRateRule);
    const preview = await restMonitor.previewAlertRule(input, new AbortController().signal);
    expect(platform.sent("POST /v1/monitor/rules/preview")[0]?.body).toEqual(input);
    expect(preview.fired).toBe(3);
    expect(preview.firings[2]).toEqual({
      firedAt: "2026-11-25T14:51:00.000Z",
      resolvedAt: null,
      peak: 0.083,
    });
  });

  it("keeps a new webhook's secret apart from the channel", () => {
    const created = parseCreatedChannel({ ...webhookChannel, lastDelivery: null, secret: "whsec_3f9a" });
    expect(created.secret).toBe("whsec_3f9a");
    expect(created.channel).toMatchObject({ id: "ch_pager", type: "webhook", hasSecret: true });
    expect(created.channel).not.toHaveProperty("secret");
    expect(parseCreatedChannel(emailChannel)).toMatchObject({
      secret: undefined,
      channel: { to: ["ops@acme.example", "ann@acme.example"], url: null },
    });
  });

  it("reads what a test did for the channel tested", () => {
    const answer = {
      notificationId: "test-7",
      deliveries: [
        { channelId: "ch_email", type: "email", outcome: "written" },
        { channelId: "ch_pager", type: "webhook", outcome: "queued" },
      ],
      inbox: "skipped",
    };
    expect(parseTestOutcome(answer, "ch_pager")).toBe("queued");
    expect(parseTestOutcome(answer, "ch_email")).toBe("written");
    expect(() => parseTestOutcome(answer, "ch_slack")).toThrow(/deliveries/);
  });

  it("reads the outbox's emails from the Trigger Email documents", async () => {
    stubPlatform({ "GET /v1/monitor/outbox": () => jsonResponse({ emails: [outboxEmail] }) });
    const [email] = await restMonitor.listOutbox(new AbortController().signal);
    expect(email).toEqual({
      id: "alert-inc_0042-fired_ch_email",
      to: ["ops@acme.example", "ann@acme.example"],
      subject: "[CRITICAL] Turn error rate above 5% for 5 minutes firing",
      text: "Turn error rate above 5% for 5 minutes: 8.3% over the last 5 min\nValue: 0.083",
      createdAt: "2026-11-25T14:51:00.000Z",
    });
  });

  it("reads the SLA report, an overspent budget and a target without data included", async () => {
    stubPlatform({ "GET /v1/monitor/sla": () => jsonResponse(slaReport()) });
    const report = await restMonitor.getSlaReport(
      { month: "2026-11", targetPercent: 99.9 },
      new AbortController().signal,
    );
    expect(report.targets.map((t) => [t.target, t.met, t.errorBudgetRemainingMinutes])).toEqual([
      ["api", true, 18.24],
      ["agent:agt_hr", false, -21.2],
      ["agent:agt_it", null, 0],
    ]);
  });
});
