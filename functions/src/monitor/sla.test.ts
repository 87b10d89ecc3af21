/**
 * The monthly SLA report (sla.ts) over minute buckets written straight into the store: a month of known minutes
 * for two agents and the API, some of them written by two instances at once (their counts add up before a
 * minute is classified), probe failures, and minutes outside the month or of another workspace that must not
 * count. The same report is read before any rollup (every minute from the minute buckets) and after the tick's
 * rollups turned most of the month into day and hour documents (and pruned the old minutes): the totals must not
 * change. Then the CSV, and the route that serves both.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { createAgent } from "../agents/agents.js";
import { changePlan } from "../billing/ledger.js";
import { createApiKey } from "../identity/api-keys.js";
import { createTenant } from "../identity/tenants.js";
import { manualClock } from "../platform/clock.js";
import type { Deps } from "../platform/deps.js";
import { emptyHistogram, observe } from "../platform/metrics/histogram.js";
import {
  bucketKey,
  bucketsPath,
  monitorRoot,
  type MetricBucket,
  type Series,
} from "../platform/metrics/schema.js";
import { rollUp } from "./buckets.js";
import { slaCsv, slaReport, type SlaReport } from "./sla.js";

let platform: TestPlatform;
/** The workspace measured here: a fresh one nothing else writes metrics for (so no tick rolls it up meanwhile). */
const tenant = "initech";
let payroll: string;
let formula: string;
/** An agent with no traffic this month: it has no row. */
let quiet: string;
let adminKey: string;

const payrollName = 'Payroll, "North" desk';
const formulaName = '=HYPERLINK("https://evil.example/","open")';

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  await createTenant(platform.deps, tenant, "Initech");
  await changePlan(platform.deps, tenant, "enterprise");
  // Made through the service, not the API: a request of this workspace would make it active for the tick.
  payroll = (await createAgent(platform.deps, tenant, { name: payrollName })).id;
  formula = (await createAgent(platform.deps, tenant, { name: formulaName })).id;
  quiet = (await createAgent(platform.deps, tenant, { name: "Quiet" })).id;
  adminKey = (await createApiKey(platform.deps, tenant, { name: "admin", role: "admin" })).key;
  await writeMonth();
}, 60_000);

afterAll(async () => {
  await platform?.close();
});

// ---------------------------------------------------------------------------------------------------
// The month written
// ---------------------------------------------------------------------------------------------------

const hist = (count: number, ms: number): number[] => {
  const h = emptyHistogram();
  for (let i = 0; i < count; i++) observe(h, ms);
  return h;
};

const turns = (agent: string, count: number, errors: number): Series => ({
  kind: "turn",
  labels: { agent, channel: "api" },
  count,
  errors,
  sumMs: count * 800,
  hist: hist(count, 800),
  counts: { answered: count - errors },
});

/** `count` requests of which `errors` answered 5xx. */
const requests = (count: number, errors: number): Series[] => [
  ...(count > errors
    ? [
        {
          kind: "request" as const,
          labels: { route: "/v1/agents", method: "GET", status: "2xx" },
          count: count - errors,
          errors: 0,
          sumMs: (count - errors) * 20,
          hist: hist(count - errors, 20),
          counts: {},
        },
      ]
    : []),
  ...(errors > 0
    ? [
        {
          kind: "request" as const,
          labels: { route: "/v1/agents", method: "GET", status: "5xx" },
          count: errors,
          errors,
          sumMs: errors * 20,
          hist: hist(errors, 20),
          counts: {},
        },
      ]
    : []),
];

const probe = (agent: string, ok: boolean): Series => ({
  kind: "probe",
  labels: { agent },
  count: 1,
  errors: ok ? 0 : 1,
  sumMs: 900,
  hist: hist(1, 900),
  counts: {},
});

type Target = "api" | "payroll" | "formula";

/**
 * One minute as the instances wrote it, and what it must count as per target (written by hand, not derived
 * from the series): `true` failed, `false` observed and good, absent unobserved.
 */
interface MinuteCase {
  readonly at: string;
  readonly scope?: string;
  readonly byInstance: Record<string, () => Series[]>;
  readonly counts: Partial<Record<Target, boolean>>;
}

function minutes(): MinuteCase[] {
  const cases: MinuteCase[] = [];
  // Every day of January, ten good minutes at noon: the agent and the API both observed.
  for (let day = 1; day <= 31; day++) {
    for (let m = 0; m < 10; m++) {
      cases.push({
        at: `2025-01-${String(day).padStart(2, "0")}T12:0${m}:00.000Z`,
        byInstance: { a: () => [turns(payroll, 5, 0), ...requests(8, 0)] },
        counts: { payroll: false, api: false },
      });
    }
  }
  cases.push(
    // Two instances, one minute: 1 failed of 10 + 0 of 10 = 1 of 20, 5%: failed.
    {
      at: "2025-01-02T10:00:00.000Z",
      byInstance: { a: () => [turns(payroll, 10, 1)], b: () => [turns(payroll, 10, 0)] },
      counts: { payroll: true },
    },
    // 1 of 30: under 5%.
    {
      at: "2025-01-02T10:01:00.000Z",
      byInstance: { a: () => [turns(payroll, 30, 1)] },
      counts: { payroll: false },
    },
    // Instance a alone would be 10% failed; with instance b it is 1 of 30: good.
    {
      at: "2025-01-02T10:02:00.000Z",
      byInstance: { a: () => [turns(payroll, 10, 1)], b: () => [turns(payroll, 20, 0)] },
      counts: { payroll: false },
    },
    // The API: 1 of 10 answered 5xx.
    { at: "2025-01-03T05:00:00.000Z", byInstance: { a: () => requests(10, 1) }, counts: { api: true } },
    // 0 of 10 and 1 of 10 on two instances: 1 of 20, 5%.
    {
      at: "2025-01-03T05:01:00.000Z",
      byInstance: { a: () => requests(10, 0), b: () => requests(10, 1) },
      counts: { api: true },
    },
    // 1 of 10 and 0 of 20: 1 of 30.
    {
      at: "2025-01-03T05:02:00.000Z",
      byInstance: { a: () => requests(10, 1), b: () => requests(20, 0) },
      counts: { api: false },
    },
    // Only model calls (failing): neither the API nor an agent was observed.
    {
      at: "2025-01-05T07:00:00.000Z",
      byInstance: {
        a: () => [
          {
            kind: "model",
            labels: { kind: "chat", provider: "openai" },
            count: 4,
            errors: 4,
            sumMs: 400,
            hist: hist(4, 100),
            counts: {},
          },
        ],
      },
      counts: {},
    },
    // 50 good turns, but the probe failed: the minute failed.
    {
      at: "2025-01-10T23:59:00.000Z",
      byInstance: { a: () => [turns(payroll, 50, 0), probe(payroll, false)] },
      counts: { payroll: true },
    },
    // Only a probe, which passed: observed, good.
    {
      at: "2025-01-11T00:00:00.000Z",
      byInstance: { b: () => [probe(payroll, true)] },
      counts: { payroll: false },
    },
    // Inside the hours that get rolled up, but not their days.
    {
      at: "2025-01-20T04:30:00.000Z",
      byInstance: { a: () => [turns(payroll, 5, 5), ...requests(4, 4)] },
      counts: { payroll: true, api: true },
    },
    // After the last rollup: read from the minutes.
    ...[0, 1, 2].map((m) => ({
      at: `2025-01-25T08:0${m}:00.000Z`,
      byInstance: { a: () => [turns(payroll, 5, 5)] },
      counts: { payroll: true } as const,
    })),
    {
      at: "2025-01-15T09:00:00.000Z",
      byInstance: { b: () => [turns(formula, 3, 0)] },
      counts: { formula: false },
    },
    {
      at: "2025-01-26T09:00:00.000Z",
      byInstance: { b: () => [turns(formula, 3, 0)] },
      counts: { formula: false },
    },
    // The month's last minute.
    {
      at: "2025-01-31T23:59:00.000Z",
      byInstance: { a: () => [turns(payroll, 5, 5), ...requests(3, 0)] },
      counts: { payroll: true, api: false },
    },
    // None of these count: outside the month, another workspace, an agent that no longer exists.
    {
      at: "2024-12-31T23:59:00.000Z",
      byInstance: { a: () => [turns(payroll, 5, 5), ...requests(5, 5)] },
      counts: {},
    },
    {
      at: "2025-02-01T00:00:00.000Z",
      byInstance: { a: () => [turns(payroll, 5, 5), ...requests(5, 5)] },
      counts: {},
    },
    {
      at: "2025-01-02T10:00:00.000Z",
      scope: "acme",
      byInstance: { c: () => [turns(payroll, 5, 5), ...requests(5, 5)] },
      counts: {},
    },
    { at: "2025-01-07T07:07:00.000Z", byInstance: { a: () => [turns("deletedagent01", 5, 5)] }, counts: {} },
  );
  return cases;
}

async function writeMonth(): Promise<void> {
  const batch = platform.deps.store.batch();
  for (const c of minutes()) {
    const at = new Date(c.at);
    const scope = c.scope ?? tenant;
    for (const [instance, series] of Object.entries(c.byInstance)) {
      const doc: MetricBucket = {
        grain: "minute",
        at: c.at,
        instance,
        writtenAt: new Date(at.getTime() + 10_000).toISOString(),
        series: series(),
      };
      batch.set(`${bucketsPath(scope, "minute")}/${bucketKey(at, "minute")}_${instance}`, doc);
    }
  }
  await batch.commit();
}

/** What the hand-written cases say each target's month adds up to. */
function expected(target: Target): { observed: number; failed: number } {
  const counted = minutes().filter((c) => (c.scope ?? tenant) === tenant && c.counts[target] !== undefined);
  return { observed: counted.length, failed: counted.filter((c) => c.counts[target] === true).length };
}

const minutesInJanuary = 31 * 1440;
/** A report asked on February 2nd, after the month. */
const reportDeps = (): Deps => ({
  ...platform.deps,
  clock: manualClock(new Date("2025-02-02T09:00:00.000Z")),
});
const january = (target = 99.9): Promise<SlaReport> =>
  slaReport(reportDeps(), tenant, { month: "2025-01", target });

const row = (report: SlaReport, target: string) => {
  const r = report.targets.find((t) => t.target === target);
  if (!r) throw new Error(`no row for ${target} in ${JSON.stringify(report.targets.map((t) => t.target))}`);
  return r;
};

// ---------------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------------

describe("the monthly SLA report", () => {
  let fromMinutes: SlaReport;

  beforeAll(async () => {
    fromMinutes = await january();
  });

  it("counts observed and failed minutes per target as the minutes say", () => {
    // The hand count, written out: 310 good noon minutes, plus the special ones above.
    expect(expected("payroll")).toEqual({ observed: 320, failed: 7 });
    expect(expected("api")).toEqual({ observed: 315, failed: 3 });
    expect(expected("formula")).toEqual({ observed: 2, failed: 0 });

    expect(fromMinutes).toMatchObject({
      month: "2025-01",
      from: "2025-01-01T00:00:00.000Z",
      to: "2025-02-01T00:00:00.000Z",
      targetPercent: 99.9,
    });
    for (const [target, id] of [
      ["payroll", `agent:${payroll}`],
      ["api", "api"],
      ["formula", `agent:${formula}`],
    ] as const) {
      const { observed, failed } = expected(target);
      const r = row(fromMinutes, id);
      expect(r, target).toMatchObject({
        observedMinutes: observed,
        failedMinutes: failed,
        unobservedMinutes: minutesInJanuary - observed,
      });
      expect(r.availability, target).toBeCloseTo((observed - failed) / observed, 12);
    }
    expect(row(fromMinutes, "api").name).toBe("API");
    expect(row(fromMinutes, `agent:${payroll}`).name).toBe(payrollName);
  });

  it("lists the API first, then only this workspace's agents that were observed", () => {
    expect(fromMinutes.targets[0]?.target).toBe("api");
    expect(fromMinutes.targets.map((t) => t.target).sort()).toEqual(
      ["api", `agent:${payroll}`, `agent:${formula}`].sort(),
    );
    expect(JSON.stringify(fromMinutes)).not.toContain(quiet);
    expect(JSON.stringify(fromMinutes)).not.toContain("deletedagent01");
  });

  it("gives the error budget as (100% - target) of the observed minutes, and says whether it was met", async () => {
    // Payroll: 320 observed, 7 failed. At 99.9%: 0.32 minutes of budget (cut to hundredths), 6.68 overspent.
    const p = row(fromMinutes, `agent:${payroll}`);
    expect(p.errorBudgetMinutes).toBe(0.32);
    expect(p.errorBudgetRemainingMinutes).toBe(-6.68);
    expect(p.met).toBe(false);
    // The formula agent never failed.
    expect(row(fromMinutes, `agent:${formula}`)).toMatchObject({
      availability: 1,
      failedMinutes: 0,
      met: true,
    });

    // At 97%: 9.6 minutes of budget; 313 of 320 good (97.8%) meets it. The API's 312 of 315 (99.05%) too.
    const lenient = await january(97);
    expect(row(lenient, `agent:${payroll}`)).toMatchObject({
      errorBudgetMinutes: 9.6,
      errorBudgetRemainingMinutes: 2.6,
      met: true,
    });
    expect(row(lenient, "api").met).toBe(true);
    expect(row(fromMinutes, "api").met).toBe(false);
  });

  it("says nothing is known of a month without traffic: the API row has no availability", async () => {
    const report = await slaReport(reportDeps(), tenant, { month: "2024-06", target: 99.9 });
    expect(report.targets).toEqual([
      {
        target: "api",
        name: "API",
        observedMinutes: 0,
        failedMinutes: 0,
        unobservedMinutes: 30 * 1440,
        availability: null,
        errorBudgetMinutes: 0,
        errorBudgetRemainingMinutes: 0,
        met: null,
      },
    ]);
  });

  it("refuses a month that has not started", async () => {
    await expect(slaReport(reportDeps(), tenant, { month: "2025-03", target: 99.9 })).rejects.toMatchObject({
      code: "invalid-argument",
    });
  });

  it("adds up to the same totals once most of the month is rolled up into hours and days", async () => {
    // The tick on January 20th, 05:30: every closed hour before 05:00 rolls up, days before the 20th too, and
    // the minutes older than 8 days are pruned. It rolls at most 48 hours a run, so it runs until caught up.
    const tick: Deps = { ...platform.deps, clock: manualClock(new Date("2025-01-20T05:30:00.000Z")) };
    const statePath = `${monitorRoot(tenant)}/monitorState/rollup`;
    for (let run = 0; run < 40; run++) {
      await rollUp(tick, tenant);
      const state = (await platform.deps.store.get<{ hoursThrough: string }>(statePath))?.data;
      if (state?.hoursThrough === "2025-01-20T05:00:00.000Z") break;
    }
    // A few more runs finish the pruning (a few hundred documents a run).
    for (let run = 0; run < 5; run++) await rollUp(tick, tenant);
    const exists = async (grain: "minute" | "hour" | "day", at: string, suffix = "") =>
      (await platform.deps.store.get(
        `${bucketsPath(tenant, grain)}/${bucketKey(new Date(at), grain)}${suffix}`,
      )) !== null;
    // The month is now read from three grains: days up to the 20th, hours of the 20th's early morning, minutes.
    expect(await exists("day", "2025-01-01T00:00:00.000Z")).toBe(true);
    expect(await exists("day", "2025-01-19T00:00:00.000Z")).toBe(true);
    expect(await exists("day", "2025-01-20T00:00:00.000Z")).toBe(false);
    expect(await exists("hour", "2025-01-20T04:00:00.000Z")).toBe(true);
    expect(await exists("minute", "2025-01-02T10:00:00.000Z", "_a")).toBe(false);
    expect(await exists("minute", "2025-01-25T08:00:00.000Z", "_a")).toBe(true);

    const rolled = await january();
    expect(rolled).toEqual(fromMinutes);
  });
});

// ---------------------------------------------------------------------------------------------------
// CSV and the route
// ---------------------------------------------------------------------------------------------------

describe("the SLA as CSV", () => {
  it("quotes every name and neutralizes one that starts like a formula", async () => {
    const report = await january();
    const csv = slaCsv(report);
    const lines = csv.split("\r\n");
    expect(lines.at(-1)).toBe("");
    expect(lines[0]).toBe(
      "month,target,name,observed_minutes,failed_minutes,unobserved_minutes,availability_percent," +
        "target_percent,error_budget_minutes,error_budget_remaining_minutes,met",
    );
    expect(lines).toHaveLength(report.targets.length + 2);
    expect(lines).toContain(
      `"2025-01","agent:${payroll}","Payroll, ""North"" desk",320,7,${minutesInJanuary - 320},97.8125,99.9,0.32,-6.68,false`,
    );
    expect(lines).toContain(
      `"2025-01","api","API",315,3,${minutesInJanuary - 315},99.0476,99.9,0.31,-2.69,false`,
    );
    // The formula is text in any spreadsheet: quoted, and led by an apostrophe.
    expect(csv).toContain(`"'=HYPERLINK(""https://evil.example/"",""open"")"`);
    for (const line of lines) expect(line).not.toMatch(/(^|,)"?[=+@]/);
  });

  it("is served by GET /v1/monitor/sla?format=csv as a file, and as JSON without it", async () => {
    const csv = await platform.fetch("/v1/monitor/sla?month=2025-01&format=csv", { key: adminKey });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="sla-2025-01.csv"');
    expect(await csv.text()).toBe(slaCsv(await january()));

    const json = await platform.fetch("/v1/monitor/sla?month=2025-01", { key: adminKey });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual(await january());
  });

  it("refuses a malformed month, target or format with 400", async () => {
    for (const query of [
      "month=2026-13",
      "month=2025-1",
      "month=January",
      "target=10",
      "target=abc",
      "format=xml",
    ]) {
      const res = await platform.fetch(`/v1/monitor/sla?${query}`, { key: adminKey });
      expect(res.status, query).toBe(400);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code, query).toBe("invalid-argument");
      expect(error.message, query).toMatch(/Invalid query parameter: (month|target|format)/);
    }
    const future = await platform.fetch("/v1/monitor/sla?month=2999-01", { key: adminKey });
    expect(future.status).toBe(400);
    expect(((await future.json()) as { error: { message: string } }).error.message).toContain(
      "has not started",
    );
  });
});
