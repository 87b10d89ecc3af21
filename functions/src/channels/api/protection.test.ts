/**
 * The API under abuse, over real HTTP against the in-process local platform: rate limits (per key, per
 * client address on public routes) answered with 429 and `Retry-After`, oversized bodies, bursts of bad
 * and good requests, and CORS. Every rejection must be clean: the error envelope, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../platform/config.js";
import type { Deps } from "../../platform/deps.js";
import { setLogSink } from "../../platform/log.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { createApiKey } from "../../identity/api-keys.js";
import { bufferedBody, type ApiRequest } from "../../platform/http/http.js";
import { Router, route } from "../../platform/http/router.js";
import { authenticate } from "../../identity/authenticate.js";

let platform: TestPlatform;
let logLines: string[] = [];
let restoreSink: ReturnType<typeof setLogSink>;
const previousLogLevel = process.env.LOG_LEVEL;

const studio = "https://studio.example.com";

beforeAll(async () => {
  // Warnings (each refusal) are what this suite checks; INFO request lines would only add noise.
  process.env.LOG_LEVEL = "WARNING";
  restoreSink = setLogSink((line) => logLines.push(line));
  platform = await startTestPlatform({
    // One request a minute with a burst of 50: nothing refills while a test runs, so counts are exact.
    RATE_LIMIT_PER_KEY: "1",
    RATE_LIMIT_PER_KEY_BURST: "50",
    RATE_LIMIT_PER_TENANT: "3000",
    ALLOWED_ORIGINS: studio,
  });
});

afterAll(async () => {
  await platform?.close();
  setLogSink(restoreSink);
  if (previousLogLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = previousLogLevel;
});

/** A key no other test has drawn from. */
const freshKey = async (name: string): Promise<string> =>
  (await createApiKey(platform.deps, "acme", { name, role: "editor" })).key;

interface ErrorEnvelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

const statusCounts = (responses: readonly Response[]): Record<number, number> => {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

describe("rate limits", () => {
  it("lets exactly a burst of 50 through 200 concurrent requests and answers the rest 429 with Retry-After", async () => {
    const key = await freshKey("burst-50");
    logLines = [];
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => platform.fetch("/v1/agents", { key })),
    );
    const ms = performance.now() - started;
    console.log(`200 concurrent requests on one key (burst 50): ${Math.round(ms)} ms`);

    expect(statusCounts(responses)).toEqual({ 200: 50, 429: 150 });
    for (const res of responses.filter((r) => r.status === 429)) {
      const retryAfter = res.headers.get("retry-after");
      expect(retryAfter).toMatch(/^[1-9]\d*$/);
      expect(res.headers.get("x-request-id")).toBeTruthy();
      const body = (await res.json()) as ErrorEnvelope;
      expect(body.error).toEqual({
        code: "resource-exhausted",
        message: `Rate limit exceeded for this API key; retry in ${retryAfter} s`,
        details: { retryAfterSeconds: Number(retryAfter) },
      });
    }
    await Promise.all(responses.filter((r) => r.status === 200).map((r) => r.arrayBuffer()));

    // One warning per refusal, each under the request id its 429 answer carries.
    const refusals = logLines
      .filter((l) => l.includes('"rate limited"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(refusals).toHaveLength(150);
    expect(refusals[0]).toMatchObject({ severity: "WARNING", bucket: "credential" });
    expect(new Set(refusals.map((r) => r.requestId))).toEqual(
      new Set(responses.filter((r) => r.status === 429).map((r) => r.headers.get("x-request-id"))),
    );
    for (const line of logLines) expect(line).not.toContain(key);
  });

  it("keeps other keys of the tenant working while one key is exhausted", async () => {
    const greedy = await freshKey("greedy");
    await Promise.all(Array.from({ length: 60 }, () => platform.fetch("/v1/agents", { key: greedy })));
    expect((await platform.fetch("/v1/agents", { key: greedy })).status).toBe(429);
    expect((await platform.fetch("/v1/agents", { key: await freshKey("patient") })).status).toBe(200);
  });

  it("charges the converse callable from the same budget as the API", async () => {
    const key = await freshKey("callable");
    await Promise.all(Array.from({ length: 50 }, () => platform.fetch("/v1/agents", { key })));
    // The agent does not exist: the budget is checked before anything else is looked up.
    const res = await platform.fetch("/demo-alchemist/us-central1/agents-converse", {
      method: "POST",
      json: { data: { agentId: "any-agent", content: "hello" } },
      key,
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe("RESOURCE_EXHAUSTED");
  });

  it("limits public POST routes per client address, with Retry-After, and leaves public reads alone", async () => {
    // A public sign-in route of the kind the identity service adds, through the same router.
    const router = new Router(
      [
        route({
          method: "POST",
          path: "/v1/auth/login",
          summary: "Sign in",
          tag: "Identity",
          permission: null,
          handle: async () => ({ signedIn: true }),
        }),
        route({
          method: "GET",
          path: "/v1/status",
          summary: "Status",
          tag: "Platform",
          permission: null,
          handle: async () => ({ ok: true }),
        }),
      ],
      authenticate,
    );
    const deps: Deps = {
      ...platform.deps,
      config: {
        ...platform.deps.config,
        rateLimits: { ...platform.deps.config.rateLimits, publicPerIp: { rate: 1 / 60, burst: 3 } },
      },
    };
    const request = (method: string, path: string, ip: string): ApiRequest => ({
      method,
      path,
      query: new URLSearchParams(),
      headers: { "content-type": "application/json" },
      body: bufferedBody(method === "POST" ? Buffer.from('{"email":"ada@example.com"}') : undefined),
      requestId: "req-login",
      ip,
    });

    const attacker = await Promise.all(
      Array.from({ length: 5 }, () => router.handle(deps, request("POST", "/v1/auth/login", "198.51.100.4"))),
    );
    expect(attacker.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(attacker[3]?.headers?.["retry-after"]).toBe("60");

    const neighbour = await router.handle(deps, request("POST", "/v1/auth/login", "198.51.100.5"));
    expect(neighbour.status).toBe(200);
    const read = await router.handle(deps, request("GET", "/v1/status", "198.51.100.4"));
    expect(read.status).toBe(200);
  });

  it("describes the 429 answer in the OpenAPI document", async () => {
    const res = await platform.fetch("/v1/openapi.json", { key: null });
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { responses: Record<string, { headers?: Record<string, unknown> }> };
    };
    expect(doc.paths["/v1/agents"]?.get?.responses["429"]).toEqual({
      $ref: "#/components/responses/RateLimited",
    });
    expect(doc.components.responses.RateLimited?.headers).toHaveProperty("Retry-After");
  });
});

describe("bursts", () => {
  it("rejects 1,000 requests with a bad key 401, cleanly, and stays responsive", async () => {
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        platform.fetch("/v1/agents", { key: `alk_not-a-real-key-${i}` }),
      ),
    );
    console.log(`1,000 bad-key requests: ${Math.round(performance.now() - started)} ms`);
    expect(statusCounts(responses)).toEqual({ 401: 1000 });
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<ErrorEnvelope>));
    expect(new Set(bodies.map((b) => JSON.stringify(b)))).toEqual(
      new Set([JSON.stringify({ error: { code: "unauthenticated", message: "Invalid API key" } })]),
    );

    const health = await platform.fetch("/health", { key: null });
    expect(health.status).toBe(200);
  });

  it("answers 1,000 authenticated requests with only 200s and 429s", async () => {
    const key = await freshKey("burst-1000");
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 1000 }, () => platform.fetch("/v1/agents", { key })),
    );
    console.log(`1,000 requests on one key (burst 50): ${Math.round(performance.now() - started)} ms`);
    expect(statusCounts(responses)).toEqual({ 200: 50, 429: 950 });
    await Promise.all(responses.map((r) => r.arrayBuffer()));
    expect((await platform.fetch("/health", { key: null })).status).toBe(200);
  });
});

describe("body size", () => {
  it("refuses a 10 MB JSON body with 413 and the error envelope", async () => {
    const key = await freshKey("big-body");
    const body = JSON.stringify({ name: "x".repeat(10 * 1024 * 1024) });
    const started = performance.now();
    const res = await platform.fetch("/v1/knowledge-bases", {
      method: "POST",
      key,
      headers: { "content-type": "application/json" },
      body,
    });
    const envelope = (await res.json()) as ErrorEnvelope;
    console.log(`10 MB JSON body refused in ${Math.round(performance.now() - started)} ms`);
    expect(res.status).toBe(413);
    expect(envelope.error).toEqual({
      code: "payload-too-large",
      message: `The JSON body is ${body.length} bytes; the limit is ${1024 * 1024} bytes`,
    });
    expect((await platform.fetch("/health", { key: null })).status).toBe(200);
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    platform.fetch("/v1/agents", {
      method: "OPTIONS",
      key: null,
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });

  it("answers a preflight from an allowed origin", async () => {
    const res = await preflight(studio);
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(studio);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-headers")).toBe(
      "authorization, content-type, x-request-id, accept, mcp-protocol-version, mcp-method, mcp-name, mcp-session-id, last-event-id, x-widget-visitor, x-widget-user, x-widget-user-hash",
    );
    expect(Number(res.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    expect(res.headers.get("vary")).toContain("Origin");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("refuses a preflight from any other origin, without CORS headers", async () => {
    const res = await preflight("https://evil.example.net");
    expect(res.status).toBe(403);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(((await res.json()) as ErrorEnvelope).error.code).toBe("permission-denied");
  });

  it("lets an allowed page read responses (and Retry-After), and gives others nothing to read", async () => {
    const key = await freshKey("cors");
    const allowed = await platform.fetch("/v1/agents", { key, headers: { origin: studio } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(studio);
    expect(allowed.headers.get("access-control-expose-headers")).toContain("retry-after");

    const other = await platform.fetch("/v1/agents", {
      key,
      headers: { origin: "https://evil.example.net" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    expect(other.headers.get("vary")).toContain("Origin");
  });

  it("allows only the project's own sites unless ALLOWED_ORIGINS says otherwise", () => {
    const firebase = loadConfig({ GCLOUD_PROJECT: "acme-prod" });
    expect(firebase.allowedOrigins).toEqual([
      "https://acme-prod.web.app",
      "https://acme-prod.firebaseapp.com",
    ]);
    const local = loadConfig({ ALCHEMIST_MODE: "local", PORT: "8787" });
    expect(local.allowedOrigins).toEqual(["http://127.0.0.1:8787", "http://localhost:8787"]);
    const listed = loadConfig({ ALLOWED_ORIGINS: "https://App.Example.com/, http://localhost:5173" });
    expect(listed.allowedOrigins).toEqual(["https://app.example.com", "http://localhost:5173"]);
    expect(() => loadConfig({ ALLOWED_ORIGINS: "app.example.com/path" })).toThrow(/ALLOWED_ORIGINS/);
  });
});
