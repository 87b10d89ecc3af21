/**
 * The web chat widget's platform side over real HTTP: managing widgets (admins only, keys publishable,
 * identity secrets shown once and sealed), and the public endpoints the widget calls with its key: origins
 * enforced and answered in CORS, end users kept apart (anonymous visitors, verified users across devices),
 * streamed answers with their accountability, reset, rate limits, and the hostile cases (unknown or malformed
 * keys, forged identities, oversized or malformed messages, another tenant).
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resumeWorkspace, suspendWorkspace } from "../../admin/workspaces.js";
import type { Deps } from "../../platform/deps.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json, setUpAgents, vacationQuestion, type OpenAIFixture } from "../openai/testing/fixture.js";

interface Widget {
  id: string;
  key: string;
  agentId: string;
  allowedOrigins: string[];
  theme: { color: string; title: string; greeting: string; suggestedQuestions: string[]; position: string };
  identityVerification: boolean;
  lastActivityAt: string | null;
  lastError: { code: string; message: string } | null;
  identitySecret?: string;
}

interface WidgetMessage {
  id: string;
  role: string;
  content: string;
  citations: { ref: string; docName: string; quote: string }[];
  confidence: number | null;
  abstained: boolean;
}

const site = "https://shop.example.com";
let platform: TestPlatform;
let agents: OpenAIFixture["agents"];
let widget: Widget;
let visitorCount = 0;

/** A fresh anonymous visitor id, as the widget makes one (16 random bytes, base64url). */
const newVisitor = () => `visitor-${String(++visitorCount).padStart(14, "0")}`;

async function createWidget(body: Record<string, unknown>, key?: string): Promise<Response> {
  return platform.fetch("/v1/widgets", { method: "POST", json: body, key });
}

/** A request as the widget makes it: from a page on `origin`, as `visitor` (or a verified user). */
function call(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    origin?: string | null;
    visitor?: string | null;
    user?: { id: string; hash: string };
    accept?: string;
    key?: string;
  } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  const origin = init.origin === undefined ? site : init.origin;
  if (origin) headers.origin = origin;
  if (init.visitor) headers["x-widget-visitor"] = init.visitor;
  if (init.user) {
    headers["x-widget-user"] = init.user.id;
    headers["x-widget-user-hash"] = init.user.hash;
  }
  if (init.accept) headers.accept = init.accept;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${platform.url}/widget/v1/${init.key ?? widget.key}${path}`, {
    method: init.method ?? "GET",
    headers,
    body:
      init.body === undefined
        ? undefined
        : typeof init.body === "string"
          ? init.body
          : JSON.stringify(init.body),
  });
}

const ask = (content: string, visitor: string, extra: Parameters<typeof call>[1] = {}) =>
  call("/messages", { method: "POST", body: { content }, visitor, ...extra });

/** The server-sent events of a streamed answer, in order. */
async function events(res: Response): Promise<{ event: string; data: unknown }[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((frame) => frame.trim() !== "")
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "message";
      const data = frame
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      return { event, data: JSON.parse(data) as unknown };
    });
}

beforeAll(async () => {
  // Many public POSTs from one address in a few seconds: the per-address budget would refuse them first.
  platform = await startTestPlatform({
    RATE_LIMIT_PUBLIC_PER_IP: "0",
    RATE_LIMIT_WIDGET_PER_KEY: "60",
    RATE_LIMIT_WIDGET_PER_KEY_BURST: "12",
  });
  ({ agents } = await setUpAgents(platform));
  const res = await createWidget({
    agentId: agents.hr,
    allowedOrigins: [`${site}/`, "http://localhost:5173"],
  });
  expect(res.status, await res.clone().text()).toBe(201);
  widget = await json<Widget>(res);
});

afterAll(async () => {
  await platform?.close();
});

describe("managing widgets", () => {
  it("makes a publishable key, normalizes origins, themes from the agent, and returns no secret", () => {
    expect(widget.key).toMatch(/^wk_[A-Za-z0-9_-]{32}$/);
    expect(widget.allowedOrigins).toEqual([site, "http://localhost:5173"]);
    expect(widget.theme).toMatchObject({ title: "HR assistant", position: "bottom-right", color: "#1f6feb" });
    expect(widget.identityVerification).toBe(false);
    expect(widget).not.toHaveProperty("identitySecret");
  });

  it("refuses origins that are not a site's, agents that do not answer on the widget, and other roles", async () => {
    for (const origin of [
      "http://shop.example.com",
      "https://*.example.com",
      "https://a.com/path",
      "javascript:1",
      "",
    ]) {
      const res = await createWidget({ agentId: agents.hr, allowedOrigins: [origin] });
      expect(res.status, origin).toBe(400);
      expect(await res.text()).toMatch(/is not a site origin|allowedOrigins/);
    }
    expect((await createWidget({ agentId: agents.hr, allowedOrigins: [] })).status).toBe(400);
    const restOnly = await createWidget({ agentId: agents.apiOnly, allowedOrigins: [site] });
    expect(restOnly.status).toBe(400);
    expect(await restOnly.text()).toMatch(/not enabled on the widget channel: add the channel and publish/);
    expect((await createWidget({ agentId: agents.draft, allowedOrigins: [site] })).status).toBe(400);
    // Another tenant's agent does not exist here.
    expect((await createWidget({ agentId: agents.globex, allowedOrigins: [site] })).status).toBe(404);
    for (const key of [platform.keys.editor, platform.keys.viewer]) {
      expect((await platform.fetch("/v1/widgets", { key })).status).toBe(403);
      expect((await createWidget({ agentId: agents.hr, allowedOrigins: [site] }, key)).status).toBe(403);
    }
    const other = platform.keys.otherTenantOwner;
    expect((await platform.fetch(`/v1/widgets/${widget.id}`, { key: other })).status).toBe(404);
    const patch = await platform.fetch(`/v1/widgets/${widget.id}`, {
      method: "PATCH",
      json: { allowedOrigins: ["https://evil.example"] },
      key: other,
    });
    expect(patch.status).toBe(404);
    const listed = await json<{ widgets: Widget[] }>(await platform.fetch("/v1/widgets", { key: other }));
    expect(listed.widgets).toEqual([]);
  });

  it("merges a theme change, checks it, and keeps unknown fields out", async () => {
    const res = await platform.fetch(`/v1/widgets/${widget.id}`, {
      method: "PATCH",
      json: { theme: { color: "#aa3300", suggestedQuestions: [vacationQuestion] } },
    });
    expect(res.status).toBe(200);
    const changed = await json<Widget>(res);
    expect(changed.theme).toMatchObject({
      color: "#aa3300",
      title: "HR assistant",
      suggestedQuestions: [vacationQuestion],
    });
    for (const body of [
      { theme: { color: "red" } },
      { theme: { suggestedQuestions: ["a", "b", "c", "d", "e"] } },
      { theme: { position: "top" } },
      { key: "wk_chosen-by-the-caller-000000000000" },
      {},
    ]) {
      const bad = await platform.fetch(`/v1/widgets/${widget.id}`, { method: "PATCH", json: body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    const config = await json<{ theme: Widget["theme"]; agentName: string }>(await call("/config"));
    expect(config).toMatchObject({ agentName: "HR assistant", theme: { color: "#aa3300" } });
  });
});

describe("the widget's origin", () => {
  it("answers an allowed origin with CORS headers, and refuses any other with a 403 (unreadable but for the config)", async () => {
    const ok = await call("/conversation", { visitor: newVisitor() });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe(site);
    const evil = await call("/conversation", { origin: "https://evil.example", visitor: newVisitor() });
    expect(evil.status).toBe(403);
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    expect(await evil.text()).toMatch(/Origin https:\/\/evil\.example may not use this widget/);
    // The config's refusal is readable from any page, so the widget can tell its site owner why.
    const config = await call("/config", { origin: "https://evil.example" });
    expect(config.status).toBe(403);
    expect(config.headers.get("access-control-allow-origin")).toBe("*");
    expect(await config.text()).not.toMatch(/theme|agentName/);
    // A request with no page behind it (curl, a server) is refused too.
    expect((await call("/config", { origin: null })).status).toBe(403);
    // The API's own origins do not open the widget's endpoints, nor the widget's the API's.
    const api = await fetch(`${platform.url}/v1/agents`, { headers: { origin: site } });
    expect(api.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a preflight from an allowed origin with the widget's headers, and refuses others", async () => {
    const preflight = (origin: string, key = widget.key) =>
      fetch(`${platform.url}/widget/v1/${key}/messages`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type, x-widget-visitor",
        },
      });
    const ok = await preflight(site);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(site);
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/x-widget-visitor/);
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/x-widget-user-hash/);
    expect((await preflight("https://evil.example")).status).toBe(403);
    expect((await preflight(site, "wk_00000000000000000000000000000000")).status).toBe(403);
  });

  it("says plainly when a key is unknown or malformed", async () => {
    const unknown = await call("/config", { key: "wk_00000000000000000000000000000000" });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/No widget has this key/);
    expect((await call("/config", { key: "not-a-key" })).status).toBe(400);
    expect((await call("/config", { key: "wk_../../v1/agents" })).status).toBeGreaterThanOrEqual(400);
  });
});

describe("talking through the widget", () => {
  it("streams an answer with its sources and confidence, and continues the visitor's conversation", async () => {
    const visitor = newVisitor();
    const res = await ask(vacationQuestion, visitor, { accept: "text/event-stream" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    expect(res.headers.get("access-control-allow-origin")).toBe(site);
    const stream = await events(res);
    expect(stream.filter((e) => e.event === "delta").length).toBeGreaterThan(0);
    const last = stream.at(-1) as { event: string; data: { message: WidgetMessage } };
    expect(last.event).toBe("message");
    const answer = last.data.message;
    expect(answer.content).toMatch(/25/);
    expect(answer.citations[0]).toMatchObject({ ref: "1", docName: "handbook.md" });
    expect(answer.citations[0]?.quote).toMatch(/25 vacation days/);
    expect(answer.confidence).toBeGreaterThan(0);
    expect(answer.abstained).toBe(false);
    // The platform's internals stay inside.
    expect(JSON.stringify(answer)).not.toMatch(/traceId|kbId|chunkId|agentVersion/);

    const followUp = await ask("And how many can be carried over?", visitor);
    expect(followUp.status).toBe(200);
    const history = await json<{ conversationId: string; messages: WidgetMessage[] }>(
      await call("/conversation", { visitor }),
    );
    expect(history.messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    const stored = await platform.deps.store.get(`tenants/acme/conversations/${history.conversationId}`);
    expect(stored?.data).toMatchObject({ channel: "widget", agentId: agents.hr, agentVersion: "published" });
    expect(JSON.stringify(stored?.data)).not.toContain(visitor);

    // Another visitor sees nothing of it; reset starts the visitor afresh.
    expect(await json(await call("/conversation", { visitor: newVisitor() }))).toEqual({
      conversationId: null,
      messages: [],
    });
    expect((await call("/reset", { method: "POST", visitor })).status).toBe(200);
    await ask(vacationQuestion, visitor);
    const fresh = await json<{ conversationId: string; messages: WidgetMessage[] }>(
      await call("/conversation", { visitor }),
    );
    expect(fresh.conversationId).not.toBe(history.conversationId);
    expect(fresh.messages).toHaveLength(2);
  });

  it("answers a replayed or retried message once, with the first answer", async () => {
    let visitor = newVisitor();
    const body = { content: vacationQuestion, clientMessageId: "msg-0001-replayed" };
    const first = await json<{ message: WidgetMessage }>(
      await call("/messages", { method: "POST", body, visitor }),
    );
    const again = await json<{ message: WidgetMessage }>(
      await call("/messages", { method: "POST", body, visitor }),
    );
    expect(again.message).toEqual(first.message);
    // Streamed, a replay is the one message event.
    const streamed = await events(
      await call("/messages", { method: "POST", body, visitor, accept: "text/event-stream" }),
    );
    expect(streamed).toEqual([{ event: "message", data: { message: first.message } }]);
    // Two copies racing: one turn between them, the other waits (409) or gets the same answer.
    visitor = newVisitor();
    const racing = { content: "How many days can be carried over?", clientMessageId: "msg-0002-racing" };
    const both = await Promise.all([
      call("/messages", { method: "POST", body: racing, visitor }),
      call("/messages", { method: "POST", body: racing, visitor }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual(expect.arrayContaining([200]));
    for (const r of both) expect([200, 409]).toContain(r.status);
    const history = await json<{ messages: WidgetMessage[] }>(await call("/conversation", { visitor }));
    expect(history.messages).toHaveLength(2);
    // A new id is a new message; a malformed one is refused.
    await call("/messages", { method: "POST", body: { ...body, clientMessageId: "msg-0003-new" }, visitor });
    expect(
      (await json<{ messages: unknown[] }>(await call("/conversation", { visitor }))).messages,
    ).toHaveLength(4);
    const bad = await call("/messages", {
      method: "POST",
      body: { ...body, clientMessageId: "../x" },
      visitor,
    });
    expect(bad.status).toBe(400);
  });

  it("keeps the widget's conversations out of reach of API credentials", async () => {
    const visitor = newVisitor();
    await ask(vacationQuestion, visitor);
    const { conversationId } = await json<{ conversationId: string }>(
      await call("/conversation", { visitor }),
    );
    const cont = await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      json: { content: "hello" },
      key: platform.keys.owner,
    });
    expect(cont.status).toBe(403);
    const other = await platform.fetch(`/v1/conversations/${conversationId}`, {
      key: platform.keys.otherTenantOwner,
    });
    expect(other.status).toBe(404);
  });

  it("refuses what a visitor must not send, and stores nothing for it", async () => {
    const visitor = newVisitor();
    const tooLong = await ask("x".repeat(4001), visitor);
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toMatch(/limited to 4000 characters/);
    expect((await ask("   ", visitor)).status).toBe(400);
    const malformed = await call("/messages", { method: "POST", body: "{not json", visitor });
    expect(malformed.status).toBe(400);
    expect((await ask("hi", "short")).status).toBe(400);
    expect((await ask("hi", "has spaces in it and more than 22")).status).toBe(400);
    const noOne = await call("/messages", { method: "POST", body: { content: "hi" } });
    expect(noOne.status).toBe(400);
    expect(await noOne.text()).toMatch(/X-Widget-Visitor/);
    expect((await ask("hi", visitor, { origin: "https://evil.example" })).status).toBe(403);
    // A widget that does not verify identities refuses a claimed user instead of trusting it.
    const claimed = await call("/messages", {
      method: "POST",
      body: { content: "hi" },
      user: { id: "ceo", hash: "00" },
    });
    expect(claimed.status).toBe(400);
    expect(await json(await call("/conversation", { visitor }))).toEqual({
      conversationId: null,
      messages: [],
    });
  });

  it("limits each end user, saying when to retry", async () => {
    const visitor = newVisitor();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 20; i++) {
      const res = await call("/conversation", { visitor });
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another visitor is unaffected.
    expect((await call("/conversation", { visitor: newVisitor() })).status).toBe(200);
  });

  it("limits the turns of all end users of one key together", async () => {
    const res = await createWidget({ agentId: agents.hr, allowedOrigins: [site] });
    const busy = await json<Widget>(res);
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      statuses.push((await ask("hi", newVisitor(), { key: busy.key })).status);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    // The other widget's budget is its own.
    expect((await ask(vacationQuestion, newVisitor())).status).toBe(200);
  });

  it("records the last activity, and the last error when its agent cannot answer", async () => {
    const res = await platform.fetch(`/v1/widgets/${widget.id}`);
    expect((await json<Widget>(res)).lastActivityAt).not.toBeNull();
    const paused = await json<Widget>(
      await createWidget({ agentId: agents.hr, allowedOrigins: [site], name: "to be paused" }),
    );
    expect((await platform.fetch(`/v1/agents/${agents.hr}/pause`, { method: "POST" })).status).toBe(200);
    try {
      const refused = await ask(vacationQuestion, newVisitor(), { key: paused.key });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(/paused/);
      const after = await json<Widget>(await platform.fetch(`/v1/widgets/${paused.id}`));
      expect(after.lastError).toMatchObject({ code: "failed-precondition" });
      expect(after.lastError?.message).toMatch(/paused/);
    } finally {
      expect((await platform.fetch(`/v1/agents/${agents.hr}/resume`, { method: "POST" })).status).toBe(200);
    }
  });
});

describe("the platform operator's decisions", () => {
  const operator = { tenantId: "", role: "owner", uid: "ops", via: "api-key", platformAdmin: true } as const;

  it("answers a suspended workspace's visitors with a neutral message, never the operator's reason", async () => {
    const deps = platform.deps as unknown as Deps;
    // A widget of its own: the earlier tests used up the main one's turns.
    const { key } = await json<Widget>(await createWidget({ agentId: agents.hr, allowedOrigins: [site] }));
    await suspendWorkspace(deps, operator, "acme", "Chargeback fraud under review");
    try {
      const refused = await ask(vacationQuestion, newVisitor(), { key });
      expect(refused.status).toBe(403);
      const { error } = await json<{ error: { code: string; message: string } }>(refused);
      expect(error.code).toBe("workspace-suspended");
      expect(error.message).toBe("This service is temporarily unavailable. Please try again later.");
    } finally {
      await resumeWorkspace(deps, operator, "acme");
    }
    expect((await ask(vacationQuestion, newVisitor(), { key })).status).toBe(200);
  });

  it("binds a widget to an environment that serves its agent, and answers with that environment's version", async () => {
    const staging = await createWidget({
      agentId: agents.hr,
      allowedOrigins: [site],
      environment: "staging",
    });
    expect(staging.status).toBe(400);
    expect(await staging.text()).toMatch(/serves no version in staging/);
    expect(
      (await createWidget({ agentId: agents.hr, allowedOrigins: [site], environment: "qa" })).status,
    ).toBe(400);
    const promoted = await platform.fetch(`/v1/agents/${agents.hr}/environments/staging/promote`, {
      method: "POST",
      json: { from: "production" },
    });
    expect(promoted.status).toBe(200);
    const bound = await json<Widget & { environment: string }>(
      await createWidget({ agentId: agents.hr, allowedOrigins: [site], environment: "staging" }),
    );
    expect(bound.environment).toBe("staging");
    const answered = await ask(vacationQuestion, newVisitor(), { key: bound.key });
    expect(answered.status).toBe(200);
  });
});

describe("identity verification", () => {
  let verified: Widget;
  const sign = (userId: string, secret = verified.identitySecret as string) =>
    createHmac("sha256", secret).update(userId).digest("hex");

  beforeAll(async () => {
    const res = await createWidget({
      agentId: agents.hr,
      allowedOrigins: [site],
      identityVerification: true,
    });
    expect(res.status).toBe(201);
    verified = await json<Widget>(res);
  });

  it("shows the secret once, seals it, and never lists it", async () => {
    expect(verified.identitySecret).toMatch(/^wsec_/);
    const listed = JSON.stringify(await json(await platform.fetch("/v1/widgets")));
    expect(listed).not.toContain(verified.identitySecret);
    const got = JSON.stringify(await json(await platform.fetch(`/v1/widgets/${verified.id}`)));
    expect(got).not.toContain(verified.identitySecret);
    const stored = JSON.stringify((await platform.deps.store.get(`widgetSecrets/${verified.id}`))?.data);
    expect(stored).not.toContain(verified.identitySecret);
  });

  it("continues a signed user's conversation on any device, and refuses a forged one", async () => {
    const user = { id: "user-42", hash: sign("user-42") };
    const first = await call("/messages", {
      method: "POST",
      body: { content: vacationQuestion },
      user,
      key: verified.key,
    });
    expect(first.status).toBe(200);
    // Another device: no visitor id, the same signed user.
    const elsewhere = await json<{ messages: WidgetMessage[] }>(
      await call("/conversation", { user, key: verified.key, origin: site }),
    );
    expect(elsewhere.messages).toHaveLength(2);
    for (const forged of [
      { id: "user-42", hash: sign("user-43") },
      { id: "user-42", hash: "" },
      { id: "user-42", hash: "zz" },
      { id: "user-42", hash: sign("user-42", "wsec_guessed") },
    ]) {
      const res = await call("/conversation", { user: forged, key: verified.key });
      expect(res.status, JSON.stringify(forged)).toBe(401);
    }
    // An anonymous visitor of the same widget is someone else.
    const anonymous = await json(await call("/conversation", { visitor: newVisitor(), key: verified.key }));
    expect(anonymous).toEqual({ conversationId: null, messages: [] });
  });

  it("rotates the secret: the old signature stops working at once", async () => {
    const oldHash = sign("user-7");
    const res = await platform.fetch(`/v1/widgets/${verified.id}`, {
      method: "PATCH",
      json: { rotateIdentitySecret: true },
    });
    expect(res.status).toBe(200);
    const rotated = await json<Widget>(res);
    expect(rotated.identitySecret).toMatch(/^wsec_/);
    expect(rotated.identitySecret).not.toBe(verified.identitySecret);
    expect(
      (await call("/conversation", { user: { id: "user-7", hash: oldHash }, key: verified.key })).status,
    ).toBe(401);
    const newHash = sign("user-7", rotated.identitySecret);
    expect(
      (await call("/conversation", { user: { id: "user-7", hash: newHash }, key: verified.key })).status,
    ).toBe(200);
    verified = rotated;
  });

  it("stops answering a deleted widget's key at once, and leaves its secret nowhere", async () => {
    expect((await platform.fetch(`/v1/widgets/${verified.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await call("/config", { key: verified.key })).status).toBe(404);
    expect(await platform.deps.store.get(`widgetSecrets/${verified.id}`)).toBeNull();
    expect(await platform.deps.store.get(`widgetKeys/${verified.key}`)).toBeNull();
    expect((await platform.fetch(`/v1/widgets/${verified.id}`)).status).toBe(404);
  });
});
