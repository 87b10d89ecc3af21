/**
 * Monitor's REST routes over real HTTP against the local platform: health (shallow and deep), Prometheus
 * metrics, the Health page's overview and series after real turns, alert rules (CRUD, validation, limits,
 * roles, tenants) and their 7-day preview over traffic with failures, acknowledge and silence, probes (run by
 * the tick, not billed, marked synthetic, cleaned up), the operator's routes behind their token, and hostile
 * requests. Turns with injected failures run on a simulated clock a few hours back, so the preview over HTTP
 * sees them while the last hour (overview, series) holds only this file's real traffic.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { conversationPath, messagesPath } from "../agents/schema.js";
import { startConversation } from "../agents/conversations.js";
import { sendMessage } from "../agents/turn.js";
import { tracePath } from "../accountability/schema.js";
import { usageEventPath } from "../billing/usage.js";
import { routes as apiRoutes } from "../channels/api/routes.js";
import { json, setUpAgents, vacationQuestion } from "../channels/openai/testing/fixture.js";
import { manualClock } from "../platform/clock.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { metricsOf } from "../platform/metrics/recorder.js";
import { floorTo } from "../platform/metrics/schema.js";
import type { ChatModel } from "../platform/ports.js";
import { previewRule, type Preview } from "./alerts.js";
import { alertStatePath, incidentPath, ruleInputSchema, type AlertState, type Incident } from "./schema.js";
import { monitorTick } from "./tick.js";

const operatorToken = "operator-token-of-the-monitor-routes-suite-0123456789";

let platform: TestPlatform;
let hr: string;
/** Published, REST only: the series test's traffic, and a probe expected to fail. */
let apiOnly: string;
let globexAgent: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    MONITOR_OPERATOR_TOKEN: operatorToken,
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
  });
  ({
    agents: { hr, apiOnly, globex: globexAgent },
  } = await setUpAgents(platform));
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

interface ErrorBody {
  error: { code: string; message: string };
}

interface RuleView {
  id: string;
  name: string;
  metric: string;
  builtIn: boolean;
  enabled: boolean;
  minSamples: number;
  windowMinutes: number;
  filter: Record<string, string>;
  state: AlertState | null;
}

const operator = { key: operatorToken };
const admin = () => ({ key: platform.keys.admin });

/** Starts a conversation with an agent through the API and asks one question; the answer. */
async function ask(agentId: string, content = vacationQuestion) {
  const started = await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: {} });
  expect(started.status, await started.clone().text()).toBe(201);
  const { id } = await json<{ id: string }>(started);
  const res = await platform.fetch(`/v1/conversations/${id}/messages`, { method: "POST", json: { content } });
  expect(res.status, await res.clone().text()).toBe(200);
  return {
    conversationId: id,
    ...(await json<{ message: { content: string; abstained: boolean } }>(res)).message,
  };
}

/** A refusal's status and error, checked to be the envelope. */
async function refusal(res: Response, status: number): Promise<ErrorBody["error"]> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return (JSON.parse(text) as ErrorBody).error;
}

/** What a route that does not exist answers: the operator's routes must look the same without the token. */
async function expectNoRoute(res: Response, method: string, path: string): Promise<void> {
  const error = await refusal(res, 404);
  expect(error).toEqual({ code: "not-found", message: `No route for ${method} ${path}` });
}

const newRule = (overrides: Record<string, unknown> = {}) => ({
  name: "Turn errors above 10%",
  metric: "error-rate",
  condition: { type: "threshold", op: ">", value: 0.1 },
  windowMinutes: 5,
  severity: "warning",
  ...overrides,
});

async function createRule(body: Record<string, unknown> = newRule(), key = platform.keys.admin) {
  const res = await platform.fetch("/v1/monitor/rules", { method: "POST", json: body, key });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<RuleView>(res);
}

async function listRules(key = platform.keys.admin): Promise<RuleView[]> {
  const res = await platform.fetch("/v1/monitor/rules", { key });
  expect(res.status).toBe(200);
  return (await json<{ rules: RuleView[] }>(res)).rules;
}

// ---------------------------------------------------------------------------------------------------
// Health and metrics
// ---------------------------------------------------------------------------------------------------

describe("GET /health", () => {
  it("answers everyone the shallow report", async () => {
    const res = await platform.fetch("/health", { key: null });
    expect(res.status).toBe(200);
    const report = await json<{ status: string; mode: string; checks: Record<string, { status: string }> }>(
      res,
    );
    expect(report).toMatchObject({ status: "ok", mode: "local" });
    expect(Object.keys(report.checks).sort()).toEqual(["documents", "files", "writes"]);
  });

  it("runs every dependency check with ?deep=1 for the operator only, and is no route for anyone else", async () => {
    for (const key of [null, `${operatorToken}x`, operatorToken.slice(0, -1), platform.keys.owner]) {
      await expectNoRoute(await platform.fetch("/health?deep=1", { key }), "GET", "/health");
    }
    const res = await platform.fetch("/health?deep=1", operator);
    expect(res.status).toBe(200);
    const deep = await json<{
      status: string;
      checks: { name: string; status: string; latencyMs: number }[];
    }>(res);
    expect(deep.status).toBe("ok");
    const names = deep.checks.map((c) => c.name);
    for (const name of ["chat model", "embedder", "task queues", "documents", "files"]) {
      expect(names, name).toContain(name);
      expect(deep.checks.find((c) => c.name === name)?.status, name).toBe("ok");
    }
  });
});

describe("GET /metrics", () => {
  it("is no route without the operator token, whatever else the caller holds", async () => {
    for (const key of [null, platform.keys.owner, platform.keys.otherTenantOwner, `${operatorToken}x`]) {
      await expectNoRoute(await platform.fetch("/metrics", { key }), "GET", "/metrics");
    }
    const basic = await platform.fetch("/metrics", {
      key: null,
      headers: { authorization: `Basic ${Buffer.from(`operator:${operatorToken}`).toString("base64")}` },
    });
    await expectNoRoute(basic, "GET", "/metrics");
  });

  it("serves Prometheus text with route templates as labels, never a raw path", async () => {
    await platform.fetch("/v1/agents");
    await platform.fetch(`/v1/agents/${hr}`);
    await platform.fetch(`/v1/agents/${hr}/no-such-thing/here`);
    const { conversationId } = await ask(hr);

    const res = await platform.fetch("/metrics", operator);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const requests = (route: string, method: string) =>
      Number(
        new RegExp(
          `^alchemist_http_requests_total\\{method="${method}",route="${route.replace(/[{}/]/g, "\\$&")}",status="2xx"\\} (\\d+)$`,
          "m",
        ).exec(text)?.[1] ?? 0,
      );
    expect(requests("/v1/agents", "GET")).toBeGreaterThanOrEqual(1);
    expect(requests("/v1/agents/{agentId}", "GET")).toBeGreaterThanOrEqual(1);
    expect(requests("/v1/conversations/{conversationId}/messages", "POST")).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(
      /^alchemist_http_requests_total\{method="GET",route="unmatched",status="4xx"\} \d+$/m,
    );
    expect(text).toMatch(/^alchemist_turns_total\{channel="api",outcome="answered"\} [1-9]\d*$/m);
    // No id, no path as it was sent.
    for (const id of [hr, conversationId, "no-such-thing"]) expect(text).not.toContain(id);
    const templates = new Set(["unmatched", ...apiRoutes.map((r) => r.path)]);
    const labels = [...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThan(0);
    for (const route of labels) expect(templates.has(route as string), route).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
// Overview and series
// ---------------------------------------------------------------------------------------------------

interface OverviewAgent {
  agentId: string;
  name: string;
  turns: number;
  errorRate: number | null;
  status: string;
  probe: { last: { ok: boolean } | null } | null;
}
interface Overview {
  status: string;
  checks: { name: string; status: string; checkedAt: string; history: unknown[] }[];
  agents: OverviewAgent[];
  activeAlerts: { ruleId: string; state: string; acknowledgedBy: string | null }[];
}

async function overview(key = platform.keys.admin): Promise<Overview> {
  const res = await platform.fetch("/v1/monitor/overview", { key });
  expect(res.status, await res.clone().text()).toBe(200);
  return json<Overview>(res);
}
const agentIn = (o: Overview, agentId: string) => o.agents.find((a) => a.agentId === agentId);

describe("GET /v1/monitor/overview", () => {
  it("counts the last hour's turns per agent once they are flushed", async () => {
    await metricsOf(platform.deps).flush();
    const before = agentIn(await overview(), hr)?.turns ?? 0;
    for (let i = 0; i < 3; i++) await ask(hr);
    await metricsOf(platform.deps).flush();
    const after = await overview();
    const agent = agentIn(after, hr);
    expect(agent).toMatchObject({ name: "HR assistant", errorRate: 0, status: "ok" });
    expect(agent?.turns).toBe(before + 3);
    // Only this workspace's agents.
    expect(after.agents.map((a) => a.agentId)).not.toContain(globexAgent);
  });

  it("shows the dependency checks the tick ran", async () => {
    const ticked = new Date().toISOString();
    await monitorTick(platform.deps);
    const o = await overview();
    const names = o.checks.map((c) => c.name);
    for (const name of ["chat model", "embedder", "task queues", "documents", "files"]) {
      expect(names, name).toContain(name);
      const check = o.checks.find((c) => c.name === name);
      expect(check?.status, name).toBe("ok");
      expect((check?.checkedAt ?? "") >= ticked, name).toBe(true);
      expect(check?.history.length, name).toBeGreaterThanOrEqual(1);
    }
    expect(o.status).toBe("ok");
  });
});

interface SeriesPoint {
  at: string;
  count: number;
  errors: number;
  errorRate: number | null;
  p95: number | null;
  tokensIn: number;
}
interface Series {
  step: string;
  kind: string;
  from: string;
  to: string;
  points: SeriesPoint[];
}

describe("GET /v1/monitor/series", () => {
  const sent = 4;
  let firstMinute: number;
  let lastMinute: number;

  beforeAll(async () => {
    firstMinute = floorTo(new Date(), "minute").getTime();
    for (let i = 0; i < sent; i++) await ask(apiOnly);
    lastMinute = floorTo(new Date(), "minute").getTime();
    await metricsOf(platform.deps).flush();
  });

  it("gives a point per minute of the last hour, counting the turns sent in the minutes they were sent", async () => {
    const res = await platform.fetch(`/v1/monitor/series?agentId=${apiOnly}`, admin());
    expect(res.status).toBe(200);
    const series = await json<Series>(res);
    expect(series).toMatchObject({ step: "minute", kind: "turn" });
    expect(series.points).toHaveLength(60);
    series.points.forEach((p, i) => expect(Date.parse(p.at)).toBe(Date.parse(series.from) + i * 60_000));
    expect(series.points.reduce((n, p) => n + p.count, 0)).toBe(sent);
    for (const p of series.points) {
      if (p.count === 0) {
        expect(p).toMatchObject({ errors: 0, errorRate: null, p95: null });
        continue;
      }
      expect(Date.parse(p.at)).toBeGreaterThanOrEqual(firstMinute);
      expect(Date.parse(p.at)).toBeLessThanOrEqual(lastMinute);
      expect(p).toMatchObject({ errors: 0, errorRate: 0 });
      expect(p.p95).toBeGreaterThan(0);
      expect(p.tokensIn).toBeGreaterThan(0);
    }
  });

  it("adds the same turns up by the hour", async () => {
    const res = await platform.fetch(`/v1/monitor/series?agentId=${apiOnly}&step=hour`, admin());
    expect(res.status).toBe(200);
    const series = await json<Series>(res);
    expect(series.points).toHaveLength(60);
    expect(series.points.reduce((n, p) => n + p.count, 0)).toBe(sent);
  });

  it("counts requests with kind=request", async () => {
    const res = await platform.fetch("/v1/monitor/series?kind=request", admin());
    expect(res.status).toBe(200);
    const series = await json<Series>(res);
    expect(series.kind).toBe("request");
    // At least the conversations started and the messages sent above.
    expect(series.points.reduce((n, p) => n + p.count, 0)).toBeGreaterThanOrEqual(2 * sent);
  });

  it("refuses windows and values it cannot serve with 400 and says why", async () => {
    const day = 86_400_000;
    const cases: [string, RegExp][] = [
      [
        `step=minute&from=${new Date(Date.now() - 2 * day).toISOString()}`,
        /A minute series has at most 1440 points; this window has \d+ \(use a larger step\)/,
      ],
      [`step=day&from=2000-01-01T00:00:00Z`, /A day series has at most 400 points/],
      ["from=yesterday", /Invalid query parameter: from/],
      ["from=2026-02-31T00:00:00Z", /Invalid query parameter: from/],
      ["to=2026-01-01", /Invalid query parameter: to/],
      ["from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", /from must be before to/],
      ["step=week", /Invalid query parameter: step/],
      ["kind=model", /Invalid query parameter: kind/],
      [`agentId=${"x".repeat(8000)}`, /Invalid query parameter: agentId/],
      [`from=${"9".repeat(8000)}`, /Invalid query parameter: from/],
    ];
    for (const [query, message] of cases) {
      const error = await refusal(await platform.fetch(`/v1/monitor/series?${query}`, admin()), 400);
      expect(error.code, query.slice(0, 80)).toBe("invalid-argument");
      expect(error.message, query.slice(0, 80)).toMatch(message);
      expect(error.message.length, query.slice(0, 80)).toBeLessThan(1000);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Alert rules
// ---------------------------------------------------------------------------------------------------

describe("alert rules", () => {
  it("starts a workspace with the built-in rules", async () => {
    const rules = await listRules();
    expect(rules.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        "error-rate",
        "latency-p95",
        "abstention-doubling",
        "probe-failing",
        "budget-80",
        "budget-100",
      ]),
    );
    expect(rules.filter((r) => r.builtIn)).toHaveLength(6);
    // Platform rules are the operator's, not a workspace's.
    expect(rules.map((r) => r.id)).not.toContain("api-error-rate");
  });

  it("creates, changes only what a PATCH names, and deletes a rule", async () => {
    const created = await createRule(
      newRule({ minSamples: 5, enabled: false, filter: { agentId: hr }, channels: [] }),
    );
    expect(created).toMatchObject({
      name: "Turn errors above 10%",
      builtIn: false,
      minSamples: 5,
      enabled: false,
      forMinutes: 0,
      renotifyMinutes: 60,
      filter: { agentId: hr },
    });
    expect((await listRules()).find((r) => r.id === created.id)).toMatchObject({
      state: null,
      enabled: false,
    });

    const patched = await platform.fetch(`/v1/monitor/rules/${created.id}`, {
      method: "PATCH",
      json: { name: "Turn errors above 20%", condition: { type: "threshold", op: ">", value: 0.2 } },
      ...admin(),
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    // The fields the PATCH did not name keep their values (no defaults filled back in).
    expect(await json(patched)).toMatchObject({
      id: created.id,
      name: "Turn errors above 20%",
      condition: { type: "threshold", op: ">", value: 0.2 },
      minSamples: 5,
      enabled: false,
      filter: { agentId: hr },
      windowMinutes: 5,
    });
    expect((await listRules()).find((r) => r.id === created.id)).toMatchObject({
      name: "Turn errors above 20%",
      minSamples: 5,
      enabled: false,
    });

    const deleted = await platform.fetch(`/v1/monitor/rules/${created.id}`, { method: "DELETE", ...admin() });
    expect(deleted.status).toBe(204);
    expect((await listRules()).map((r) => r.id)).not.toContain(created.id);
    const again = await refusal(
      await platform.fetch(`/v1/monitor/rules/${created.id}`, { method: "DELETE", ...admin() }),
      404,
    );
    expect(again.message).toContain(created.id);
  });

  it("refuses rules it could not evaluate, naming the problem", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [newRule({ metric: "cpu" }), /metric/],
      [newRule({ windowMinutes: 0 }), /windowMinutes/],
      [newRule({ windowMinutes: 1441 }), /windowMinutes/],
      [newRule({ name: "x".repeat(100_000) }), /name/],
      [newRule({ filter: { agentId: "x".repeat(201) } }), /filter\.agentId/],
      [newRule({ filter: { tenantId: "globex" } }), /filter/],
      [newRule({ channels: Array.from({ length: 21 }, (_, i) => `c${i}`) }), /channels/],
      [newRule({ condition: { type: "threshold", op: "!=", value: 1 } }), /condition/],
      [newRule({ condition: { type: "threshold", op: ">", value: "0.1" } }), /condition/],
      [
        newRule({ metric: "queue-age", condition: { type: "threshold", op: ">", value: 300 } }),
        /queue-age is an operator metric/,
      ],
      [newRule({ condition: { type: "absent" } }), /absence condition watches `turns`/],
      [
        newRule({ metric: "budget", condition: { type: "change", factor: 2 } }),
        /A change condition does not apply to budget/,
      ],
    ];
    for (const [body, message] of cases) {
      const error = await refusal(
        await platform.fetch("/v1/monitor/rules", { method: "POST", json: body, ...admin() }),
        400,
      );
      expect(error.code).toBe("invalid-argument");
      expect(error.message, JSON.stringify(body).slice(0, 120)).toMatch(message);
    }
    // An absence rule on turns is fine (and deleted again: it would make every tick watch this workspace).
    const absent = await createRule(
      newRule({ metric: "turns", condition: { type: "absent" }, enabled: false }),
    );
    expect(
      (await platform.fetch(`/v1/monitor/rules/${absent.id}`, { method: "DELETE", ...admin() })).status,
    ).toBe(204);
  });

  it("refuses a PATCH with unknown keys or one that makes the rule invalid", async () => {
    const rule = await createRule(newRule({ enabled: false }));
    const patch = (body: unknown) =>
      platform.fetch(`/v1/monitor/rules/${rule.id}`, { method: "PATCH", json: body, ...admin() });
    for (const [body, message] of [
      [{ name: "ok", builtIn: true }, /builtIn/],
      [{ tenantId: "globex" }, /tenantId/],
      [{ windowMinutes: 0 }, /windowMinutes/],
      [{ metric: "queue-age", condition: { type: "threshold", op: ">", value: 1 } }, /queue-age/],
      [{ condition: { type: "absent" } }, /absence condition/],
    ] as const) {
      const error = await refusal(await patch(body), 400);
      expect(error.message, JSON.stringify(body)).toMatch(message);
    }
    expect((await listRules()).find((r) => r.id === rule.id)).toMatchObject({
      metric: "error-rate",
      builtIn: false,
    });
    expect(
      (await platform.fetch(`/v1/monitor/rules/${rule.id}`, { method: "DELETE", ...admin() })).status,
    ).toBe(204);
  });

  it("holds at most 50 rules per workspace", async () => {
    const existing = (await listRules()).length;
    const created: string[] = [];
    for (let i = existing; i < 50; i++) {
      created.push((await createRule(newRule({ name: `Rule ${i}`, enabled: false }))).id);
    }
    expect(await listRules()).toHaveLength(50);
    const error = await refusal(
      await platform.fetch("/v1/monitor/rules", { method: "POST", json: newRule(), ...admin() }),
      400,
    );
    expect(error).toEqual({
      code: "failed-precondition",
      message: "A workspace has at most 50 alert rules; delete one first",
    });
    for (const id of created) {
      expect((await platform.fetch(`/v1/monitor/rules/${id}`, { method: "DELETE", ...admin() })).status).toBe(
        204,
      );
    }
    expect(await listRules()).toHaveLength(existing);
  });

  it("lets only admins manage rules, alerts and probes", async () => {
    const rule = await createRule(newRule({ enabled: false }));
    const calls: [string, string, unknown][] = [
      ["GET", "/v1/monitor/rules", undefined],
      ["POST", "/v1/monitor/rules", newRule()],
      ["POST", "/v1/monitor/rules/preview", newRule()],
      ["PATCH", `/v1/monitor/rules/${rule.id}`, { name: "renamed" }],
      ["DELETE", `/v1/monitor/rules/${rule.id}`, undefined],
      ["POST", `/v1/monitor/alerts/${rule.id}/acknowledge`, undefined],
      ["POST", `/v1/monitor/alerts/${rule.id}/silence`, { minutes: 10 }],
      ["PUT", `/v1/monitor/probes/${hr}`, { question: vacationQuestion, expect: "answers" }],
      ["DELETE", `/v1/monitor/probes/${hr}`, undefined],
    ];
    for (const role of ["viewer", "editor"] as const) {
      for (const [method, path, body] of calls) {
        const res = await platform.fetch(path, {
          method,
          key: platform.keys[role],
          ...(body !== undefined ? { json: body } : {}),
        });
        expect((await refusal(res, 403)).code, `${role} ${method} ${path}`).toBe("permission-denied");
      }
    }
    // Nothing changed.
    expect((await listRules()).find((r) => r.id === rule.id)).toMatchObject({ name: rule.name });
    expect(
      (await platform.fetch(`/v1/monitor/rules/${rule.id}`, { method: "DELETE", ...admin() })).status,
    ).toBe(204);
  });

  it("keeps one workspace's rules out of another's reach", async () => {
    const rule = await createRule(newRule({ name: "Acme only", enabled: false }));
    const globex = platform.keys.otherTenantOwner;
    expect((await listRules(globex)).map((r) => r.id)).not.toContain(rule.id);
    for (const [method, path, body] of [
      ["PATCH", `/v1/monitor/rules/${rule.id}`, { name: "Taken over" }],
      ["DELETE", `/v1/monitor/rules/${rule.id}`, undefined],
      ["POST", `/v1/monitor/alerts/${rule.id}/acknowledge`, undefined],
      ["POST", `/v1/monitor/alerts/${rule.id}/silence`, { minutes: 60 }],
    ] as const) {
      const res = await platform.fetch(path, { method, key: globex, ...(body ? { json: body } : {}) });
      expect((await refusal(res, 404)).message, `${method} ${path}`).toBe(`Alert rule ${rule.id} not found`);
    }
    const mine = (await listRules()).find((r) => r.id === rule.id);
    expect(mine).toMatchObject({ name: "Acme only", state: null });
    expect(
      (await platform.fetch(`/v1/monitor/rules/${rule.id}`, { method: "DELETE", ...admin() })).status,
    ).toBe(204);
  });
});

// ---------------------------------------------------------------------------------------------------
// Preview over traffic with failures
// ---------------------------------------------------------------------------------------------------

/** The chat model, failing every call while `failing()` says so. */
function faultyChat(chat: ChatModel, failing: () => boolean): ChatModel {
  const fault = () => new AppError("unavailable", "injected fault: the model provider is down");
  return {
    info: chat.info,
    complete: (request) => (failing() ? Promise.reject(fault()) : chat.complete(request)),
    stream: (request) => {
      if (failing()) throw fault();
      return chat.stream(request);
    },
  };
}

describe("POST /v1/monitor/rules/preview", () => {
  /** The first simulated minute: three hours ago, so in the last 7 days and out of the last hour. */
  let m0: number;
  let sim: Deps;
  const preview = async (body: Record<string, unknown>) => {
    const res = await platform.fetch("/v1/monitor/rules/preview", { method: "POST", json: body, ...admin() });
    expect(res.status, await res.clone().text()).toBe(200);
    return json<Preview>(res);
  };
  const lowThreshold = () =>
    newRule({
      windowMinutes: 1,
      minSamples: 5,
      filter: { agentId: hr },
      condition: { type: "threshold", op: ">", value: 0.1 },
    });

  beforeAll(async () => {
    m0 = floorTo(new Date(Date.now() - 3 * 3_600_000), "minute").getTime();
    const clock = manualClock(new Date(m0 + 30_000));
    let failNext = false;
    sim = { ...platform.deps, clock, chat: faultyChat(platform.deps.chat, () => failNext) };
    // Eight minutes of 10 turns each; in minutes 2, 3 and 4, three of the ten fail (30%).
    for (let minute = 0; minute < 8; minute++) {
      for (let i = 0; i < 10; i++) {
        failNext = minute >= 2 && minute <= 4 && i < 3;
        const { id } = await startConversation(sim, "acme", hr, { channel: "api" });
        await sendMessage(sim, "acme", id, { content: vacationQuestion }).catch((e: unknown) => {
          expect((e as AppError).code).toBe("unavailable");
        });
      }
      clock.advance(60_000);
    }
    failNext = false;
    // What a tick would flush; no tick here, it would evaluate this workspace's live rules at a past minute.
    await metricsOf(sim).flush();
  }, 60_000);

  it("replays a low threshold over the last 7 days: it fires once, at the failures, and resolves", async () => {
    const p = await preview(lowThreshold());
    expect(p).toMatchObject({ days: 7, evaluations: 7 * 1440, fired: 1 });
    // The first failing minute (m0 + 2) is evaluated when it ends; two clear minutes after the last failing one
    // (m0 + 4) the alert resolves.
    expect(p.firings).toEqual([
      {
        firedAt: new Date(m0 + 3 * 60_000).toISOString(),
        resolvedAt: new Date(m0 + 8 * 60_000).toISOString(),
        peak: 0.3,
      },
    ]);
    expect(p.minutesWithData).toBeGreaterThanOrEqual(8);
  });

  it("does not fire a threshold the traffic never reached", async () => {
    const p = await preview({ ...lowThreshold(), condition: { type: "threshold", op: ">", value: 0.99 } });
    expect(p).toMatchObject({ days: 7, evaluations: 7 * 1440, fired: 0, firings: [] });
    expect(p.minutesWithData).toBeGreaterThanOrEqual(8);
  });

  it("replays the same on the simulated clock through previewRule", async () => {
    // The simulated clock stands just after the traffic: the 7 days end there.
    const now = sim.clock.nowIso();
    const rule = { ...ruleInputSchema.parse(lowThreshold()), builtIn: false, createdAt: now, updatedAt: now };
    const p = await previewRule(sim, "acme", rule);
    expect(p).toMatchObject({ evaluations: 7 * 1440, fired: 1 });
    expect(p.firings).toEqual([
      {
        firedAt: new Date(m0 + 3 * 60_000).toISOString(),
        resolvedAt: new Date(m0 + 8 * 60_000).toISOString(),
        peak: 0.3,
      },
    ]);
    const strict = await previewRule(sim, "acme", {
      ...rule,
      condition: { type: "threshold", op: ">", value: 0.99 },
    });
    expect(strict.fired).toBe(0);
  });

  it("has no history to replay for budget rules, and refuses what a rule would refuse", async () => {
    const p = await preview(
      newRule({ metric: "budget", condition: { type: "threshold", op: ">=", value: 0.8 } }),
    );
    expect(p).toEqual({ days: 7, evaluations: 0, fired: 0, firings: [], minutesWithData: 0 });
    const error = await refusal(
      await platform.fetch("/v1/monitor/rules/preview", {
        method: "POST",
        json: newRule({ metric: "queue-age" }),
        ...admin(),
      }),
      400,
    );
    expect(error.message).toMatch(/queue-age is an operator metric/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Acknowledge and silence
// ---------------------------------------------------------------------------------------------------

describe("acknowledging and silencing alerts", () => {
  const post = (path: string, body?: unknown, key = platform.keys.admin) =>
    platform.fetch(path, { method: "POST", key, ...(body !== undefined ? { json: body } : {}) });

  it("refuses to acknowledge an alert that is not firing", async () => {
    const error = await refusal(await post("/v1/monitor/alerts/latency-p95/acknowledge"), 400);
    expect(error).toEqual({
      code: "failed-precondition",
      message: "The alert is not firing: nothing to acknowledge",
    });
  });

  it("acknowledges a firing alert, on its incident's timeline too", async () => {
    // A disabled rule (the tick leaves it alone) whose state says it fired a minute ago.
    const rule = await createRule(newRule({ name: "Fired by hand", enabled: false }));
    const at = new Date(Date.now() - 60_000).toISOString();
    const incidentId = `handmade_${rule.id}`;
    const incident: Incident = {
      ruleId: rule.id,
      ruleName: rule.name,
      metric: "error-rate",
      severity: "warning",
      status: "firing",
      openedAt: at,
      firedAt: at,
      resolvedAt: null,
      peak: 0.4,
      summary: "Fired by hand: 40.0% over the last 5 min",
      events: [{ at, type: "fired", value: 0.4, detail: "The condition holds" }],
    };
    const state: AlertState = {
      ruleId: rule.id,
      state: "firing",
      since: at,
      incidentId,
      value: 0.4,
      lastEvaluatedAt: at,
      lastNotifiedAt: at,
      acknowledgedBy: null,
      acknowledgedAt: null,
      silencedUntil: null,
      flaps: 0,
    };
    await platform.deps.store.set(incidentPath("acme", incidentId), incident);
    await platform.deps.store.set(alertStatePath("acme", rule.id), state);

    const res = await post(`/v1/monitor/alerts/${rule.id}/acknowledge`);
    expect(res.status, await res.clone().text()).toBe(200);
    const acked = await json<AlertState>(res);
    expect(acked).toMatchObject({
      state: "firing",
      acknowledgedBy: expect.stringMatching(/^apikey:/) as unknown,
    });
    expect((await overview()).activeAlerts.find((a) => a.ruleId === rule.id)).toMatchObject({
      state: "firing",
      acknowledgedBy: acked.acknowledgedBy,
    });
    const incidents = await json<{ incidents: (Incident & { id: string })[] }>(
      await platform.fetch("/v1/monitor/incidents?status=firing", admin()),
    );
    const mine = incidents.incidents.find((i) => i.id === incidentId);
    expect(mine?.events.map((e) => e.type)).toEqual(["fired", "acknowledged"]);

    // Deleting the rule closes its incident as cancelled.
    expect(
      (await platform.fetch(`/v1/monitor/rules/${rule.id}`, { method: "DELETE", ...admin() })).status,
    ).toBe(204);
    const closed = await json<{ incidents: (Incident & { id: string })[] }>(
      await platform.fetch("/v1/monitor/incidents?status=cancelled", admin()),
    );
    expect(closed.incidents.find((i) => i.id === incidentId)?.status).toBe("cancelled");
    await refusal(await platform.fetch("/v1/monitor/incidents?status=open", admin()), 400);
  });

  it("silences an alert for some minutes, and lifts the silence with 0", async () => {
    const before = Date.now();
    const res = await post("/v1/monitor/alerts/latency-p95/silence", { minutes: 10 });
    expect(res.status, await res.clone().text()).toBe(200);
    const silenced = await json<AlertState>(res);
    const until = Date.parse(silenced.silencedUntil ?? "");
    expect(until).toBeGreaterThanOrEqual(before + 10 * 60_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
    expect((await listRules()).find((r) => r.id === "latency-p95")?.state?.silencedUntil).toBe(
      silenced.silencedUntil,
    );

    const lifted = await json<AlertState>(
      await post("/v1/monitor/alerts/latency-p95/silence", { minutes: 0 }),
    );
    expect(lifted.silencedUntil).toBeNull();
  });

  it("refuses a silence longer than a week, and rules that do not exist", async () => {
    for (const body of [{ minutes: 99_999 }, { minutes: -1 }, { minutes: 1.5 }, { minutes: "10" }, {}]) {
      const error = await refusal(await post("/v1/monitor/alerts/latency-p95/silence", body), 400);
      expect(error.message, JSON.stringify(body)).toMatch(/Invalid request body: minutes/);
    }
    for (const path of [
      "/v1/monitor/alerts/nosuchrule/acknowledge",
      "/v1/monitor/alerts/nosuchrule/silence",
    ]) {
      const error = await refusal(
        await post(path, path.endsWith("silence") ? { minutes: 10 } : undefined),
        404,
      );
      expect(error.message).toBe("Alert rule nosuchrule not found");
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Probes
// ---------------------------------------------------------------------------------------------------

interface ProbeView {
  agentId: string;
  question: string;
  expect: string;
  mustContain: string[];
  everyMinutes: number;
  enabled: boolean;
  lastRunAt: string | null;
  last: { ok: boolean; outcome: string; detail: string; traceId: string | null } | null;
}

describe("probes", () => {
  const put = (agentId: string, body: unknown, key = platform.keys.admin) =>
    platform.fetch(`/v1/monitor/probes/${agentId}`, { method: "PUT", json: body, key });
  const listProbes = async () =>
    (await json<{ probes: ProbeView[] }>(await platform.fetch("/v1/monitor/probes", admin()))).probes;

  it("sets a probe on one of the workspace's agents only", async () => {
    const res = await put(hr, { question: vacationQuestion, expect: "answers", mustContain: ["25"] });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toMatchObject({
      agentId: hr,
      question: vacationQuestion,
      expect: "answers",
      mustContain: ["25"],
      everyMinutes: 5,
      enabled: true,
      lastRunAt: null,
      last: null,
    });
    for (const agentId of [globexAgent, "nosuchagent000000000"]) {
      const error = await refusal(await put(agentId, { question: vacationQuestion, expect: "answers" }), 404);
      expect(error.code).toBe("not-found");
    }
    // Globex cannot set one on acme's agent either.
    await refusal(await put(hr, { question: "Hi", expect: "answers" }, platform.keys.otherTenantOwner), 404);
    for (const body of [
      { question: "", expect: "answers" },
      { question: "x".repeat(2001), expect: "answers" },
      { question: "Hi", expect: "maybe" },
      { question: "Hi", expect: "answers", everyMinutes: 0 },
      { question: "Hi", expect: "answers", mustContain: Array.from({ length: 11 }, () => "a") },
    ]) {
      await refusal(await put(apiOnly, body), 400);
    }
    expect((await listProbes()).map((p) => p.agentId)).toEqual([hr]);
  });

  it("runs at the next tick: a real, synthetic turn that is not billed and leaves no conversation", async () => {
    // The same question, expected to abstain: this probe must fail.
    expect((await put(apiOnly, { question: vacationQuestion, expect: "abstains" })).status).toBe(200);
    await metricsOf(platform.deps).flush();
    const turnsBefore = agentIn(await overview(), hr)?.turns;
    const usageBefore = await platform.deps.store.count({ collection: "tenants/acme/usageEvents" });

    await monitorTick(platform.deps);

    const probes = await listProbes();
    const good = probes.find((p) => p.agentId === hr);
    expect(good?.last).toMatchObject({ ok: true, outcome: "answered", detail: "It answered as expected" });
    expect(good?.lastRunAt).not.toBeNull();
    const bad = probes.find((p) => p.agentId === apiOnly);
    expect(bad?.last).toMatchObject({
      ok: false,
      outcome: "answered",
      detail: "Expected it to abstain; it answered",
    });

    for (const probe of [good, bad]) {
      const traceId = probe?.last?.traceId as string;
      expect(traceId).toBeTruthy();
      const trace = await platform.deps.store.get<{
        synthetic?: boolean;
        conversationId: string;
        agentId: string;
      }>(tracePath("acme", traceId));
      expect(trace?.data).toMatchObject({ synthetic: true, agentId: probe?.agentId });
      // Not billed: no usage event for its turn.
      expect(await platform.deps.store.get(usageEventPath("acme", traceId))).toBeNull();
      // Its conversation and messages are gone.
      const conversationId = trace?.data.conversationId as string;
      expect(await platform.deps.store.get(conversationPath("acme", conversationId))).toBeNull();
      expect(await platform.deps.store.query({ collection: messagesPath("acme", conversationId) })).toEqual(
        [],
      );
    }
    expect(await platform.deps.store.count({ collection: "tenants/acme/usageEvents" })).toBe(usageBefore);
    // Not counted with real traffic; the failed probe marks its agent failing.
    const after = await overview();
    expect(agentIn(after, hr)?.turns).toBe(turnsBefore);
    expect(agentIn(after, apiOnly)?.status).toBe("failing");
    expect(agentIn(after, hr)?.probe?.last?.ok).toBe(true);
  });

  it("removes a probe, once", async () => {
    for (const agentId of [hr, apiOnly]) {
      const res = await platform.fetch(`/v1/monitor/probes/${agentId}`, { method: "DELETE", ...admin() });
      expect(res.status).toBe(204);
      const again = await refusal(
        await platform.fetch(`/v1/monitor/probes/${agentId}`, { method: "DELETE", ...admin() }),
        404,
      );
      expect(again.message).toBe(`Agent ${agentId} has no probe`);
    }
    expect(await listProbes()).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// The operator's scope
// ---------------------------------------------------------------------------------------------------

describe("the operator's routes", () => {
  it("are no route without the operator token", async () => {
    for (const key of [null, platform.keys.owner, platform.keys.otherTenantOwner, `${operatorToken}x`]) {
      for (const path of [
        "/v1/operator/monitor/overview",
        "/v1/operator/monitor/rules",
        "/v1/operator/monitor/sla",
      ]) {
        await expectNoRoute(await platform.fetch(path, { key }), "GET", path);
      }
      const create = await platform.fetch("/v1/operator/monitor/rules", {
        method: "POST",
        json: newRule({ metric: "queue-age", condition: { type: "threshold", op: ">", value: 60 } }),
        key,
      });
      await expectNoRoute(create, "POST", "/v1/operator/monitor/rules");
      // Nor do a malformed id, a body that is not JSON or one over the limit give it away (400, 413).
      const badId = "/v1/operator/monitor/rules/not%20an%20id";
      await expectNoRoute(await platform.fetch(badId, { method: "DELETE", key }), "DELETE", badId);
      const notJson = await platform.fetch("/v1/operator/monitor/rules", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
        key,
      });
      await expectNoRoute(notJson, "POST", "/v1/operator/monitor/rules");
      const huge = await platform.fetch("/v1/operator/monitor/rules", {
        method: "POST",
        json: { name: "x".repeat(2 * 1024 * 1024) },
        key,
      });
      await expectNoRoute(huge, "POST", "/v1/operator/monitor/rules");
    }
    // Nothing was created.
    const rules = await json<{ rules: RuleView[] }>(
      await platform.fetch("/v1/operator/monitor/rules", operator),
    );
    expect(rules.rules.map((r) => r.id).sort()).toEqual(["api-error-rate", "queue-age"]);
  });

  it("show the whole installation with it: no workspace's agents, the platform's own rules", async () => {
    const res = await platform.fetch("/v1/operator/monitor/overview", operator);
    expect(res.status).toBe(200);
    const o = await json<Overview>(res);
    expect(o.agents).toEqual([]);
    expect(o.checks.map((c) => c.name)).toContain("chat model");
    const text = JSON.stringify(o);
    for (const id of [hr, apiOnly, globexAgent]) expect(text).not.toContain(id);

    const rules = (
      await json<{ rules: RuleView[] }>(await platform.fetch("/v1/operator/monitor/rules", operator))
    ).rules;
    expect(rules.find((r) => r.id === "api-error-rate")).toMatchObject({
      metric: "error-rate",
      builtIn: true,
    });
    expect(rules.find((r) => r.id === "queue-age")).toMatchObject({ metric: "queue-age", builtIn: true });

    // A queue-age rule is the operator's to make; it is not any workspace's.
    const created = await platform.fetch("/v1/operator/monitor/rules", {
      method: "POST",
      json: newRule({
        name: "Queues stuck",
        metric: "queue-age",
        condition: { type: "threshold", op: ">", value: 60 },
      }),
      ...operator,
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const { id } = await json<{ id: string }>(created);
    expect((await listRules()).map((r) => r.id)).not.toContain(id);
    await refusal(await platform.fetch(`/v1/monitor/rules/${id}`, { method: "DELETE", ...admin() }), 404);
    expect(
      (await platform.fetch(`/v1/operator/monitor/rules/${id}`, { method: "DELETE", ...operator })).status,
    ).toBe(204);

    const sla = await json<{ targets: { target: string }[] }>(
      await platform.fetch("/v1/operator/monitor/sla", operator),
    );
    expect(sla.targets.map((t) => t.target)).toEqual(["api"]);
    // Probes belong to workspaces' agents: there is no operator variant.
    await expectNoRoute(
      await platform.fetch("/v1/operator/monitor/probes", operator),
      "GET",
      "/v1/operator/monitor/probes",
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Hostile requests
// ---------------------------------------------------------------------------------------------------

describe("hostile requests", () => {
  it("refuses oversized, malformed and non-JSON bodies, and huge query strings, and keeps serving", async () => {
    const oversized = await platform.fetch("/v1/monitor/rules", {
      method: "POST",
      json: newRule({ name: "x".repeat(1024 * 1024 + 1) }),
      ...admin(),
    });
    expect((await refusal(oversized, 413)).code).toBe("payload-too-large");

    const malformed = await platform.fetch("/v1/monitor/rules", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name": "half a rule",',
      ...admin(),
    });
    expect((await refusal(malformed, 400)).message).toMatch(/^Malformed JSON body/);

    const text = await platform.fetch("/v1/monitor/rules", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "metric=error-rate",
      ...admin(),
    });
    expect((await refusal(text, 415)).code).toBe("unsupported-media-type");

    for (const body of [[], "rule", 42, null]) {
      const res = await platform.fetch("/v1/monitor/rules", { method: "POST", json: body, ...admin() });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }

    for (const path of [
      `/v1/monitor/series?step=${"minute".repeat(1200)}`,
      `/v1/monitor/sla?month=${"2026-01".repeat(1000)}`,
      `/v1/monitor/incidents?status=${"firing".repeat(1200)}`,
      `/v1/monitor/series?${Array.from({ length: 500 }, (_, i) => `agentId=a${i}`).join("&")}&agentId=${"%2F".repeat(300)}`,
    ]) {
      const res = await platform.fetch(path, admin());
      expect(res.status, path.slice(0, 60)).toBe(400);
    }
    // A request line longer than the server takes is refused before the router, still not as a server error.
    const huge = await platform.fetch(`/v1/monitor/series?from=${"9".repeat(100_000)}`, admin());
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);

    const health = await platform.fetch("/health", { key: null });
    expect(health.status).toBe(200);
    expect((await json<{ status: string }>(health)).status).toBe("ok");
  });
});
