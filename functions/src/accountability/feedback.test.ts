/**
 * Feedback on answers over the REST API of the in-process local platform: who may rate (the credential that
 * started the conversation, or conversations.view), the record and the message's mirror kept in agreement
 * (re-rating, removal, ratings racing), the trace's experiment copied, listing with filters and pages, erasure,
 * and the hostile cases (oversized or malformed input, the end user's own message, another conversation's
 * message, another credential's or tenant's conversation, a message whose trace does not match it).
 */
import { annotationPath } from "./annotations.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { createApiKey } from "../identity/api-keys.js";
import { messagePath } from "../agents/schema.js";
import {
  json,
  setUpAgents,
  vacationQuestion,
  type OpenAIFixture,
} from "../channels/openai/testing/fixture.js";
import { feedbackForTraces, feedbackPath, rateAnswer } from "./feedback.js";
import { tracePath } from "./schema.js";

let platform: TestPlatform;
let agents: OpenAIFixture["agents"];

interface Message {
  id: string;
  role: string;
  traceId: string | null;
  feedback?: { rating: string; comment: string | null; at: string };
}
interface FeedbackRecord {
  id: string;
  traceId: string;
  conversationId: string;
  messageId: string;
  agentId: string;
  channel: string;
  rating: string;
  comment: string | null;
  by: string;
  experiment: { id: string; variant: string } | null;
  createdAt: string;
  updatedAt: string;
}

beforeAll(async () => {
  platform = await startTestPlatform();
  ({ agents } = await setUpAgents(platform));
});

afterAll(async () => {
  await platform?.close();
});

/** A conversation `key` starts with the HR agent, and its answer to each question. */
async function converse(
  key: string,
  questions: string[] = [vacationQuestion],
  body: Record<string, unknown> = {},
): Promise<{ conversationId: string; question: Message; answers: Message[] }> {
  const started = await platform.fetch(`/v1/agents/${agents.hr}/conversations`, {
    method: "POST",
    json: body,
    key,
  });
  expect(started.status, await started.clone().text()).toBe(201);
  const conversationId = (await json<{ id: string }>(started)).id;
  for (const content of questions) {
    const res = await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      json: { content },
      key,
    });
    expect(res.status, await res.clone().text()).toBe(200);
  }
  const messages = await messagesOf(conversationId, key);
  return {
    conversationId,
    question: messages[0] as Message,
    answers: messages.filter((m) => m.role === "assistant"),
  };
}

async function messagesOf(conversationId: string, key = platform.keys.owner): Promise<Message[]> {
  const res = await platform.fetch(`/v1/conversations/${conversationId}/messages`, { key });
  return (await json<{ messages: Message[] }>(res)).messages;
}

const feedbackUrl = (conversationId: string, messageId: string) =>
  `/v1/conversations/${conversationId}/messages/${messageId}/feedback`;

const rate = (conversationId: string, messageId: string, body: unknown, key = platform.keys.owner) =>
  platform.fetch(feedbackUrl(conversationId, messageId), { method: "PUT", json: body, key });

const unrate = (conversationId: string, messageId: string, key = platform.keys.owner) =>
  platform.fetch(feedbackUrl(conversationId, messageId), { method: "DELETE", key });

const stored = async (traceId: string) =>
  (await platform.deps.store.get(feedbackPath("acme", traceId)))?.data as FeedbackRecord | undefined;

describe("rating an answer", () => {
  it("is the starter's: recorded with the trace's answer, mirrored on the message, replaced by a second rating", async () => {
    const { key, id: keyId } = await createApiKey(platform.deps, "acme", { name: "app", role: "viewer" });
    const { conversationId, answers } = await converse(key);
    const answer = answers[0] as Message;
    const first = await rate(
      conversationId,
      answer.id,
      { rating: "up", comment: "  Clear and sourced.  " },
      key,
    );
    expect(first.status, await first.clone().text()).toBe(200);
    const record = await json<FeedbackRecord>(first);
    expect(record).toMatchObject({
      id: answer.traceId,
      traceId: answer.traceId,
      conversationId,
      messageId: answer.id,
      agentId: agents.hr,
      channel: "api",
      rating: "up",
      comment: "Clear and sourced.",
      by: `apikey:${keyId}`,
      experiment: null,
    });
    const shown = (await messagesOf(conversationId, key)).find((m) => m.id === answer.id);
    expect(shown?.feedback).toEqual({ rating: "up", comment: "Clear and sourced.", at: record.updatedAt });

    const second = await json<FeedbackRecord>(await rate(conversationId, answer.id, { rating: "down" }, key));
    expect(second).toMatchObject({ rating: "down", comment: null, createdAt: record.createdAt });
    expect(second.updatedAt >= record.updatedAt).toBe(true);
    expect((await messagesOf(conversationId, key)).find((m) => m.id === answer.id)?.feedback).toEqual({
      rating: "down",
      comment: null,
      at: second.updatedAt,
    });
    // One record per answer, whatever the number of ratings.
    const all = await platform.deps.store.query({
      collection: "tenants/acme/feedback",
      where: [{ field: "messageId", op: "==", value: answer.id }],
    });
    expect(all).toHaveLength(1);
  });

  it("takes a rating back from the record and the message together, and answers a repeat the same", async () => {
    const { conversationId, answers } = await converse(platform.keys.owner);
    const answer = answers[0] as Message;
    expect((await rate(conversationId, answer.id, { rating: "up" })).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await unrate(conversationId, answer.id);
      expect(res.status).toBe(204);
    }
    expect(await stored(answer.traceId as string)).toBeUndefined();
    expect((await messagesOf(conversationId)).find((m) => m.id === answer.id)).not.toHaveProperty("feedback");
  });

  it("lets editors rate anyone's conversation, and hides it from a viewer key and a key for another agent", async () => {
    const { conversationId, answers } = await converse(
      (await createApiKey(platform.deps, "acme", { name: "starter", role: "viewer" })).key,
    );
    const answer = answers[0] as Message;
    const otherViewer = (await createApiKey(platform.deps, "acme", { name: "other", role: "viewer" })).key;
    const scopedElsewhere = (
      await createApiKey(platform.deps, "acme", { name: "scoped", role: "owner", agentId: agents.apiOnly })
    ).key;
    for (const key of [otherViewer, scopedElsewhere, platform.keys.otherTenantOwner]) {
      for (const res of [
        await rate(conversationId, answer.id, { rating: "down" }, key),
        await unrate(conversationId, answer.id, key),
      ]) {
        expect(res.status, await res.clone().text()).toBe(404);
      }
    }
    expect(await stored(answer.traceId as string)).toBeUndefined();
    const byEditor = await rate(
      conversationId,
      answer.id,
      { rating: "down", comment: "Wrong policy" },
      platform.keys.editor,
    );
    expect(byEditor.status).toBe(200);
    expect((await json<FeedbackRecord>(byEditor)).by).toMatch(/^apikey:/);
  });

  it("refuses oversized, malformed and unknown input with a 400 naming the field, and changes nothing", async () => {
    const { conversationId, answers } = await converse(platform.keys.owner);
    const answer = answers[0] as Message;
    expect((await rate(conversationId, answer.id, { rating: "up", comment: "kept" })).status).toBe(200);
    const refusals: [unknown, RegExp][] = [
      [{ rating: "up", comment: "x".repeat(2001) }, /comment is at most 2,000 characters/],
      [{ rating: "meh" }, /rating must be "up" or "down"/],
      [{ rating: "UP" }, /rating must be "up" or "down"/],
      [{}, /rating/],
      [{ rating: "down", comment: 42 }, /comment must be a string/],
      [{ rating: "down", comment: "bell\u0007" }, /comment must be plain text/],
      [{ rating: "down", comment: "half \ud800 a pair" }, /comment must be plain text/],
      [{ rating: "down", by: "someone-else" }, /by/],
      [[{ rating: "down" }], /request body/],
    ];
    for (const [body, message] of refusals) {
      const res = await rate(conversationId, answer.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json<{ error: { message: string } }>(res)).error.message).toMatch(message);
    }
    const raw = await platform.fetch(feedbackUrl(conversationId, answer.id), {
      method: "PUT",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(raw.status).toBe(400);
    expect(await stored(answer.traceId as string)).toMatchObject({ rating: "up", comment: "kept" });
    // Exactly the limit is taken; line breaks are text.
    const longest = `${"x".repeat(1998)}\n.`;
    expect((await rate(conversationId, answer.id, { rating: "down", comment: longest })).status).toBe(200);
    expect((await stored(answer.traceId as string))?.comment).toBe(longest);
  });

  it("refuses the end user's own message, another conversation's answer, and ids that name nothing", async () => {
    const mine = await converse(platform.keys.owner);
    const other = await converse(platform.keys.owner);
    const own = await rate(mine.conversationId, mine.question.id, { rating: "up" });
    expect(own.status).toBe(400);
    expect((await json<{ error: { message: string } }>(own)).error.message).toMatch(
      /end user's own message; only the agent's answers can be rated/,
    );
    const crossed = await rate(mine.conversationId, (other.answers[0] as Message).id, { rating: "up" });
    expect(crossed.status).toBe(404);
    expect((await rate(mine.conversationId, "no-such-message", { rating: "up" })).status).toBe(404);
    expect(
      (await rate("no-such-conversation", (mine.answers[0] as Message).id, { rating: "up" })).status,
    ).toBe(404);
    expect((await rate(mine.conversationId, "..%2F..%2Fx", { rating: "up" })).status).toBeGreaterThanOrEqual(
      400,
    );
  });

  it("keeps one record, equal to the message's mirror, when ratings race", async () => {
    const { conversationId, answers } = await converse(platform.keys.owner);
    const answer = answers[0] as Message;
    const bodies = Array.from({ length: 12 }, (_, i) => ({
      rating: i % 2 === 0 ? "up" : "down",
      comment: `rating ${i}`,
    }));
    const results = await Promise.all(bodies.map((b) => rate(conversationId, answer.id, b)));
    expect(results.map((r) => r.status)).toEqual(bodies.map(() => 200));
    const record = await stored(answer.traceId as string);
    const mirror = (await messagesOf(conversationId)).find((m) => m.id === answer.id)?.feedback;
    expect(mirror).toEqual({ rating: record?.rating, comment: record?.comment, at: record?.updatedAt });
    // The first rating's time is kept, whichever ran first.
    const created = await Promise.all(results.map(async (r) => (await json<FeedbackRecord>(r)).createdAt));
    expect(record?.createdAt).toBe([...created].sort()[0]);
  });

  it("refuses a message whose trace belongs to another message, and a failed turn's trace", async () => {
    const { conversationId, answers } = await converse(platform.keys.owner, [
      vacationQuestion,
      "And expenses?",
    ]);
    const [a, b] = answers as [Message, Message];
    const path = messagePath("acme", conversationId, a.id);
    const answerRef = { conversationId, messageId: a.id, traceId: b.traceId as string, messagePath: path };
    await expect(
      rateAnswer(platform.deps, "acme", answerRef, { rating: "up" }, "test"),
    ).rejects.toMatchObject({
      code: "failed-precondition",
      message: expect.stringMatching(/does not match its trace/) as unknown,
    });
    await platform.deps.store.update(tracePath("acme", a.traceId as string), { status: "failed" });
    const own = { ...answerRef, traceId: a.traceId as string };
    await expect(rateAnswer(platform.deps, "acme", own, { rating: "up" }, "test")).rejects.toMatchObject({
      code: "failed-precondition",
      message: expect.stringMatching(/failed turn/) as unknown,
    });
    expect(await stored(a.traceId as string)).toBeUndefined();
    expect(await stored(b.traceId as string)).toBeUndefined();
  });

  it("copies the experiment variant that served the answer, when its trace names one", async () => {
    const { conversationId, answers } = await converse(platform.keys.owner);
    const answer = answers[0] as Message;
    // As the Prompt Engine's assignment records it on the trace.
    await platform.deps.store.update(tracePath("acme", answer.traceId as string), {
      experiment: { id: "exp-tone", variant: "friendly" },
    });
    const record = await json<FeedbackRecord>(await rate(conversationId, answer.id, { rating: "up" }));
    expect(record.experiment).toEqual({ id: "exp-tone", variant: "friendly" });
    const listed = await json<{ feedback: FeedbackRecord[] }>(
      await platform.fetch("/v1/feedback?experimentId=exp-tone", { key: platform.keys.editor }),
    );
    expect(listed.feedback.map((f) => f.traceId)).toEqual([answer.traceId]);
  });
});

describe("reading feedback", () => {
  let rated: { traceId: string; rating: string }[] = [];

  beforeAll(async () => {
    const { conversationId, answers } = await converse(platform.keys.owner, [
      vacationQuestion,
      "How many unused days can be carried over?",
      "Where do I submit expense claims?",
      "When must expense claims be submitted?",
      "Which expenses need a receipt?",
    ]);
    rated = [];
    for (const [i, answer] of answers.entries()) {
      const rating = i % 3 === 0 ? "down" : "up";
      expect((await rate(conversationId, answer.id, { rating })).status).toBe(200);
      rated.push({ traceId: answer.traceId as string, rating });
    }
  });

  const list = async (query: string) => {
    const res = await platform.fetch(`/v1/feedback${query}`, { key: platform.keys.editor });
    expect(res.status, await res.clone().text()).toBe(200);
    return json<{ feedback: FeedbackRecord[]; nextCursor: string | null }>(res);
  };

  it("lists by rating and agent, last rated first, a page at a time without repeats", async () => {
    const ids = new Set(rated.map((r) => r.traceId));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?agentId=${agents.hr}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.feedback.length).toBeLessThanOrEqual(2);
      seen.push(...page.feedback.map((f) => f.traceId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    const downs = await list(`?rating=down&agentId=${agents.hr}&limit=200`);
    expect(downs.feedback.every((f) => f.rating === "down")).toBe(true);
    for (const r of rated.filter((x) => x.rating === "down"))
      expect(downs.feedback.map((f) => f.traceId)).toContain(r.traceId);
    expect((await list(`?agentId=${agents.paused}`)).feedback).toEqual([]);
    const found = await feedbackForTraces(platform.deps, "acme", [...ids, "never-rated"]);
    expect([...found.keys()].sort()).toEqual([...ids].sort());
  });

  it("filters by a window of when it was last rated, and refuses malformed queries", async () => {
    expect((await list("?from=2000-01-01&to=2000-01-02")).feedback).toEqual([]);
    expect(
      (await list(`?from=${new Date(Date.now() - 3600_000).toISOString()}`)).feedback.length,
    ).toBeGreaterThan(0);
    for (const query of [
      "?rating=meh",
      "?limit=0",
      "?limit=201",
      "?from=yesterday",
      "?cursor=abc",
      "?agent=x",
      "?from=2024-02-02&to=2024-02-01",
    ]) {
      const res = await platform.fetch(`/v1/feedback${query}`, { key: platform.keys.editor });
      expect(res.status, query).toBe(400);
    }
    // Feedback quotes end users: viewers and other tenants see none of it.
    expect((await platform.fetch("/v1/feedback", { key: platform.keys.viewer })).status).toBe(403);
    const other = await json<{ feedback: unknown[] }>(
      await platform.fetch("/v1/feedback", { key: platform.keys.otherTenantOwner }),
    );
    expect(other.feedback).toEqual([]);
  });

  it("goes with the end user's conversations when they are erased", async () => {
    const { conversationId, answers } = await converse(platform.keys.owner, [vacationQuestion], {
      endUserRef: "customer-erased",
    });
    const answer = answers[0] as Message;
    expect(
      (await rate(conversationId, answer.id, { rating: "down", comment: "my email is a@b.example" })).status,
    ).toBe(200);
    // An editor's correction of that answer keeps the question as asked: it goes too.
    const annotated = await platform.fetch("/v1/annotations", {
      method: "POST",
      json: { traceId: answer.traceId, corrected: "Twenty-five days." },
      key: platform.keys.editor,
    });
    expect(annotated.status, await annotated.clone().text()).toBe(201);
    const annotationStored = () =>
      platform.deps.store.get(annotationPath("acme", answer.traceId as string)).then((s) => s?.data);
    expect(await annotationStored()).toBeDefined();
    const erased = await platform.fetch("/v1/privacy/erase", {
      method: "POST",
      json: { endUserRef: "customer-erased" },
      key: platform.keys.admin,
    });
    expect(erased.status).toBe(200);
    expect(await stored(answer.traceId as string)).toBeUndefined();
    expect(await annotationStored()).toBeUndefined();
  });
});
