/**
 * A widget's end user rating answers over real HTTP: only answers of their own current conversation on that
 * widget, from an allowed origin, within the widget's per-user budget; the rating shows on the message when the
 * conversation is loaded again, and is the same record the API and the studio read. Hostile cases: another
 * visitor's answer, a question instead of an answer, another widget's key, a refused origin, malformed ratings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { feedbackPath } from "../../accountability/feedback.js";
import { json, setUpAgents, vacationQuestion, type OpenAIFixture } from "../openai/testing/fixture.js";

const site = "https://shop.example.com";
let platform: TestPlatform;
let agents: OpenAIFixture["agents"];
let key = "";
let otherKey = "";
let widgetId = "";
let visitors = 0;

const newVisitor = () => `feedback-visitor-${String(++visitors).padStart(8, "0")}`;

interface WidgetMessage {
  id: string;
  role: string;
  feedback?: { rating: string; comment: string | null };
}

function call(
  path: string,
  init: { method?: string; body?: unknown; visitor: string; origin?: string; key?: string },
): Promise<Response> {
  const headers: Record<string, string> = { origin: init.origin ?? site, "x-widget-visitor": init.visitor };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${platform.url}/widget/v1/${init.key ?? key}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const rate = (
  visitor: string,
  messageId: string,
  body: unknown,
  extra: { origin?: string; key?: string } = {},
) => call(`/messages/${messageId}/feedback`, { method: "PUT", body, visitor, ...extra });

/** Asks as `visitor`; the question's and the answer's messages. */
async function ask(
  visitor: string,
  content = vacationQuestion,
): Promise<{ question: WidgetMessage; answer: WidgetMessage }> {
  const res = await call("/messages", { method: "POST", body: { content }, visitor });
  expect(res.status, await res.clone().text()).toBe(200);
  const { messages } = await json<{ messages: WidgetMessage[] }>(await call("/conversation", { visitor }));
  return { question: messages.at(-2) as WidgetMessage, answer: messages.at(-1) as WidgetMessage };
}

beforeAll(async () => {
  // Many requests from one address: the per-address budget stays out of the way, the per-visitor one does not.
  platform = await startTestPlatform({
    RATE_LIMIT_PUBLIC_PER_IP: "0",
    RATE_LIMIT_WIDGET_PER_USER_BURST: "12",
  });
  ({ agents } = await setUpAgents(platform));
  for (const origins of [[site], ["https://other.example.com"]]) {
    const res = await platform.fetch("/v1/widgets", {
      method: "POST",
      json: { agentId: agents.hr, allowedOrigins: origins },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const made = await json<{ id: string; key: string }>(res);
    if (!key) [key, widgetId] = [made.key, made.id];
    else otherKey = made.key;
  }
});

afterAll(async () => {
  await platform?.close();
});

describe("rating answers in the widget", () => {
  it("rates the visitor's own answer, shows it when the conversation loads, changes and takes it back", async () => {
    const visitor = newVisitor();
    const { answer } = await ask(visitor);
    const res = await rate(visitor, answer.id, { rating: "up", comment: "Exactly what I needed" });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toEqual({ feedback: { rating: "up", comment: "Exactly what I needed" } });
    expect(res.headers.get("access-control-allow-origin")).toBe(site);
    const loaded = async () =>
      (await json<{ messages: WidgetMessage[] }>(await call("/conversation", { visitor }))).messages.find(
        (m) => m.id === answer.id,
      );
    expect((await loaded())?.feedback).toEqual({ rating: "up", comment: "Exactly what I needed" });

    // The same record the workspace reads, naming the widget and the end user (a hash, not their id).
    const record = (
      await platform.deps.store.query<{ by: string; channel: string; rating: string }>({
        collection: "tenants/acme/feedback",
        where: [{ field: "messageId", op: "==", value: answer.id }],
      })
    )[0]?.data;
    expect(record).toMatchObject({ channel: "widget", rating: "up" });
    expect(record?.by).toMatch(new RegExp(`^widget:${widgetId}:[A-Za-z0-9_-]{32}$`));
    expect(record?.by).not.toContain(visitor);

    expect(await json(await rate(visitor, answer.id, { rating: "down" }))).toEqual({
      feedback: { rating: "down", comment: null },
    });
    for (let i = 0; i < 2; i++) {
      const removed = await call(`/messages/${answer.id}/feedback`, { method: "DELETE", visitor });
      expect(removed.status).toBe(200);
      expect(await json(removed)).toEqual({ feedback: null });
    }
    expect(await loaded()).not.toHaveProperty("feedback");
  });

  it("refuses another visitor's answer, the visitor's own question, and an answer after a reset", async () => {
    const owner = newVisitor();
    const { question, answer } = await ask(owner);
    const stranger = newVisitor();
    await ask(stranger, "How many unused days can be carried over?");
    for (const visitor of [stranger, newVisitor()]) {
      const res = await rate(visitor, answer.id, { rating: "down" });
      expect(res.status, await res.clone().text()).toBe(404);
    }
    const own = await rate(owner, question.id, { rating: "up" });
    expect(own.status).toBe(400);
    expect((await json<{ error: { message: string } }>(own)).error.message).toMatch(
      /only the agent's answers/,
    );
    expect((await call("/reset", { method: "POST", body: {}, visitor: owner })).status).toBe(200);
    expect((await rate(owner, answer.id, { rating: "up" })).status).toBe(404);
    const traces = await platform.deps.store.query({
      collection: "tenants/acme/feedback",
      where: [{ field: "messageId", op: "==", value: answer.id }],
    });
    expect(traces).toEqual([]);
  });

  it("refuses a refused origin, another widget's key, an unknown key and malformed ratings, writing nothing", async () => {
    const visitor = newVisitor();
    const { answer } = await ask(visitor);
    const cases: [Promise<Response>, number][] = [
      [rate(visitor, answer.id, { rating: "up" }, { origin: "https://evil.example.com" }), 403],
      // The other widget allows another site: from there, this visitor has no conversation on it.
      [
        rate(visitor, answer.id, { rating: "up" }, { key: otherKey, origin: "https://other.example.com" }),
        404,
      ],
      [rate(visitor, answer.id, { rating: "up" }, { key: `wk_${"x".repeat(32)}` }), 404],
      [rate(visitor, answer.id, { rating: "sideways" }), 400],
      [rate(visitor, answer.id, { rating: "up", comment: "y".repeat(2001) }), 400],
      [rate(visitor, answer.id, { rating: "up", extra: true }), 400],
      [rate(visitor, "..%2F..%2Fx", { rating: "up" }), 400],
    ];
    for (const [pending, status] of cases) {
      const res = await pending;
      expect(res.status, await res.clone().text()).toBe(status);
    }
    const snaps = await platform.deps.store.query({
      collection: "tenants/acme/feedback",
      where: [{ field: "messageId", op: "==", value: answer.id }],
    });
    expect(snaps).toEqual([]);
    expect(await platform.deps.store.get(feedbackPath("acme", "none"))).toBeNull();
  });

  it("draws from the visitor's budget like the widget's other calls", async () => {
    const visitor = newVisitor();
    const { answer } = await ask(visitor);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++)
      statuses.push((await rate(visitor, answer.id, { rating: i % 2 ? "up" : "down" })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // Another visitor's budget is their own.
    const other = newVisitor();
    const theirs = await ask(other);
    expect((await rate(other, theirs.answer.id, { rating: "up" })).status).toBe(200);
  });
});
