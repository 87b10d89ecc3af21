/**
 * The monitor's WhatsApp token check against a fake Graph API (nothing talks to Meta): a number whose token
 * Meta accepts is ok, an expired one is down and says so without ever showing the token, each number is
 * checked at most every 15 minutes and 25 a minute, its result is its own workspace's, and a disconnected
 * number's line is retired. End to end, the minute tick puts the check on the workspace's Health page only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { storedChecks } from "../../monitor/checks.js";
import { monitorTick } from "../../monitor/tick.js";
import { manualClock } from "../../platform/clock.js";
import type { Deps } from "../../platform/deps.js";
import { setLogSink } from "../../platform/log.js";
import { json } from "../openai/testing/fixture.js";
import { tokenCheckSpacingMs, whatsappTokenChecks } from "./health.js";
import { expiredToken, startFakeGraph } from "./testing/fake-graph.js";

const accessToken = "EAAG-health-access-token-0123456789";
const graph = startFakeGraph(() => accessToken);
const acmePhone = "1098765411";
const globexPhone = "1098765422";
const clock = manualClock(new Date("2030-05-06T09:00:30.000Z"));
let platform: TestPlatform;
let sim: Deps;
let acmeAgent = "";
let acmeConnection = "";
let globexConnection = "";

/** Publishes an agent in the workspace of `key` and connects a number to it; the connection's id. */
async function connect(key: string, agentId: string, phoneNumberId: string): Promise<string> {
  const res = await platform.fetch("/v1/whatsapp/connections", {
    method: "POST",
    key,
    json: {
      label: "Support line",
      phoneNumberId,
      wabaId: "2233445511",
      agentId,
      accessToken,
      appSecret: "health-app-secret",
      verifyToken: "health-verify-token",
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json<{ id: string }>(res)).id;
}

async function publishedAgent(key: string): Promise<string> {
  const agent = await json<{ id: string }>(
    await platform.fetch("/v1/agents", {
      method: "POST",
      key,
      json: { name: "Front desk", instructions: "Help." },
    }),
  );
  const published = await platform.fetch(`/v1/agents/${agent.id}/publish`, { method: "POST", key, json: {} });
  expect(published.status, await published.clone().text()).toBe(200);
  return agent.id;
}

/** Runs the check with every log line captured (at every level, so a leak could not hide below ERROR). */
async function checkCapturingLogs() {
  const lines: string[] = [];
  const level = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "DEBUG";
  const previous = setLogSink((line) => lines.push(line));
  try {
    return { results: await whatsappTokenChecks(sim), lines };
  } finally {
    setLogSink(previous);
    process.env.LOG_LEVEL = level;
  }
}

beforeAll(async () => {
  platform = await startTestPlatform({ WHATSAPP_GRAPH_URL: await graph.start() });
  sim = { ...platform.deps, clock };
  graph.displayNumbers.set(acmePhone, "+31 20 555 0111");
  graph.displayNumbers.set(globexPhone, "+44 20 7946 0222");
  acmeAgent = await publishedAgent(platform.keys.owner);
  acmeConnection = await connect(platform.keys.owner, acmeAgent, acmePhone);
  globexConnection = await connect(
    platform.keys.otherTenantOwner,
    await publishedAgent(platform.keys.otherTenantOwner),
    globexPhone,
  );
}, 60_000);

afterAll(async () => {
  await platform?.close();
  await graph.close();
});

describe("registration", () => {
  it("is given to the monitor's tick by the whatsapp function group when it loads", async () => {
    await import("./functions.js");
    const { registeredChecks } = await import("../../platform/checks.js");
    expect(registeredChecks()).toContain(whatsappTokenChecks);
  });
});

describe("the WhatsApp token check", () => {
  it("reports each number whose token Meta accepts as ok, to its own workspace only", async () => {
    const results = await whatsappTokenChecks(sim);
    expect(results.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {
        scope: "acme",
        name: "WhatsApp +31 20 555 0111",
        status: "ok",
        latencyMs: expect.any(Number),
        detail: "Support line: Meta accepts the access token",
      },
      {
        scope: "globex",
        name: "WhatsApp +44 20 7946 0222",
        status: "ok",
        latencyMs: expect.any(Number),
        detail: "Support line: Meta accepts the access token",
      },
    ]);
    // Each number was read once, with its own token.
    expect(graph.tokenChecks.map((c) => c.phoneNumberId).sort()).toEqual([acmePhone, globexPhone]);
    expect(graph.tokenChecks.every((c) => c.auth === `Bearer ${accessToken}`)).toBe(true);
  });

  it("checks a number at most every 15 minutes", async () => {
    const asked = graph.tokenChecks.length;
    expect(await whatsappTokenChecks(sim)).toEqual([]);
    clock.advance(tokenCheckSpacingMs - 60_000);
    expect(await whatsappTokenChecks(sim)).toEqual([]);
    expect(graph.tokenChecks.length).toBe(asked);
    clock.advance(60_000);
    expect((await whatsappTokenChecks(sim)).map((r) => r.scope).sort()).toEqual(["acme", "globex"]);
    expect(graph.tokenChecks.length).toBe(asked + 2);
  });

  it("reports an expired token as down, saying it expired, and never shows the token", async () => {
    graph.tokenFailures.set(acmePhone, expiredToken);
    // Meta quotes a malformed token back in its message: that one must not get through either.
    graph.tokenFailures.set(globexPhone, {
      status: 400,
      error: { message: `Malformed access token ${accessToken}`, type: "OAuthException", code: 190 },
    });
    clock.advance(tokenCheckSpacingMs);
    try {
      const { results, lines } = await checkCapturingLogs();
      const acme = results.find((r) => r.scope === "acme");
      expect(acme).toMatchObject({ name: "WhatsApp +31 20 555 0111", status: "down" });
      expect(acme?.detail).toMatch(/access token is invalid or has expired/);
      expect(acme?.detail).toMatch(/Session has expired/);
      const globex = results.find((r) => r.scope === "globex");
      expect(globex).toMatchObject({
        status: "down",
        detail: expect.stringContaining("Malformed access token"),
      });
      // The failures were logged (so the next assertion could fail), without the token.
      expect(lines.join("\n")).toMatch(/token check failed/);
      expect(JSON.stringify(results)).not.toContain(accessToken);
      expect(lines.join("\n")).not.toContain(accessToken);
    } finally {
      graph.tokenFailures.clear();
    }
  });
});

describe("the monitor's minute", () => {
  it("shows a workspace its own numbers' token checks on its Health page, and no one else's", async () => {
    graph.tokenFailures.set(acmePhone, expiredToken);
    clock.advance(tokenCheckSpacingMs);
    try {
      const report = await monitorTick(sim, [whatsappTokenChecks]);
      expect(report.checks.find((c) => c.name === "WhatsApp +31 20 555 0111")).toMatchObject({
        scope: "acme",
        status: "down",
      });
    } finally {
      graph.tokenFailures.clear();
    }
    type Overview = { status: string; checks: { name: string; status: string; detail: string | null }[] };
    const acme = await json<Overview>(
      await platform.fetch("/v1/monitor/overview", { key: platform.keys.admin }),
    );
    const line = acme.checks.find((c) => c.name === "WhatsApp +31 20 555 0111");
    expect(line).toMatchObject({ status: "down", detail: expect.stringMatching(/has expired/) });
    expect(acme.status).toBe("down");
    const globex = await json<Overview>(
      await platform.fetch("/v1/monitor/overview", { key: platform.keys.otherTenantOwner }),
    );
    expect(globex.checks.filter((c) => c.name.startsWith("WhatsApp"))).toEqual([
      expect.objectContaining({ name: "WhatsApp +44 20 7946 0222", status: "ok" }),
    ]);
    expect(acme.checks.map((c) => c.name)).not.toContain("WhatsApp +44 20 7946 0222");
    // The connection itself is untouched: it still reads as the studio shows it.
    expect((await platform.fetch(`/v1/whatsapp/connections/${acmeConnection}`)).status).toBe(200);
    expect(JSON.stringify(await storedChecks(platform.deps, "acme"))).not.toContain(accessToken);
  });
});

describe("numbers coming and going", () => {
  it("retires a disconnected number's line once", async () => {
    const res = await platform.fetch(`/v1/whatsapp/connections/${globexConnection}`, {
      method: "DELETE",
      key: platform.keys.otherTenantOwner,
    });
    expect(res.status).toBeLessThan(300);
    expect(await whatsappTokenChecks(sim)).toEqual([
      {
        scope: "globex",
        name: "WhatsApp +44 20 7946 0222",
        status: "unknown",
        latencyMs: null,
        detail: "This number is no longer connected",
      },
    ]);
    expect(await whatsappTokenChecks(sim)).toEqual([]);
  });

  it("checks at most 25 numbers a minute, the longest unchecked first", async () => {
    for (let i = 0; i < 26; i++) await connect(platform.keys.owner, acmeAgent, `20000000${10 + i}`);
    clock.advance(tokenCheckSpacingMs);
    const first = await whatsappTokenChecks(sim);
    expect(first).toHaveLength(25);
    // Never-checked numbers went first: the one checked before waits for the next minute.
    expect(first.map((r) => r.name)).not.toContain("WhatsApp +31 20 555 0111");
    clock.advance(60_000);
    const second = await whatsappTokenChecks(sim);
    expect(second.map((r) => r.name).sort()).toEqual([
      expect.stringMatching(/^WhatsApp \+20000000\d\d$/),
      "WhatsApp +31 20 555 0111",
    ]);
    // Between the two minutes, every new number was checked once.
    expect(new Set([...first, ...second].map((r) => r.name)).size).toBe(27);
    clock.advance(60_000);
    expect(await whatsappTokenChecks(sim)).toEqual([]);
  });
});
