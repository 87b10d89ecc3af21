/**
 * WhatsApp reactions as feedback, end to end against the fake Graph API: a contact's 👍 or 👎 (any skin tone) on
 * one of our replies rates the answer it carried, removing the reaction takes the rating back, other emoji do
 * nothing, and a reaction is never answered. Replayed deliveries change nothing (not even after a later change);
 * a reaction to a reply meant for another contact, another number or another tenant rates nothing.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { feedbackPath } from "../../accountability/feedback.js";
import { json, setUpAgents, vacationQuestion, type OpenAIFixture } from "../openai/testing/fixture.js";
import { startFakeGraph } from "./testing/fake-graph.js";
import { ratingOfReaction } from "./webhook.js";

const accessToken = "EAAG-access-token-of-the-reactions-test";
const graph = startFakeGraph(() => accessToken);
let platform: TestPlatform;
let agents: OpenAIFixture["agents"];

interface Number {
  id: string;
  phoneNumberId: string;
  appSecret: string;
  tenantKey: string;
}
let acme: Number;
let acmeSecond: Number;
let globex: Number;
let counter = 0;

async function connect(phoneNumberId: string, agentId: string, key: string): Promise<Number> {
  const appSecret = `app-secret-${phoneNumberId}`;
  const res = await platform.fetch("/v1/whatsapp/connections", {
    method: "POST",
    json: {
      phoneNumberId,
      wabaId: "2233445566",
      agentId,
      accessToken,
      appSecret,
      verifyToken: `verify-${phoneNumberId}`,
    },
    key,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return { id: (await json<{ id: string }>(res)).id, phoneNumberId, appSecret, tenantKey: key };
}

beforeAll(async () => {
  platform = await startTestPlatform({
    WHATSAPP_GRAPH_URL: await graph.start(),
    RATE_LIMIT_PUBLIC_PER_IP: "0",
  });
  ({ agents } = await setUpAgents(platform));
  acme = await connect("1098700001", agents.hr, platform.keys.owner);
  acmeSecond = await connect("1098700002", agents.hr, platform.keys.owner);
  globex = await connect("1098700003", agents.globex, platform.keys.otherTenantOwner);
});

afterAll(async () => {
  await platform?.close();
  await graph.close();
});

beforeEach(() => {
  graph.calls.length = 0;
});

/** Meta's envelope of one message to `to`, signed with its app secret, posted to its webhook. */
async function deliver(to: Number, message: Record<string, unknown>) {
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "2233445566",
        changes: [
          {
            field: "messages",
            value: {
              metadata: { phone_number_id: to.phoneNumberId },
              messaging_product: "whatsapp",
              messages: [message],
            },
          },
        ],
      },
    ],
  });
  const res = await fetch(`${platform.url}/webhooks/whatsapp/${to.id}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${createHmac("sha256", to.appSecret).update(body).digest("hex")}`,
    },
    body,
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return json<{ received: { messages: number; duplicates: number; statuses: number } }>(res);
}

const now = () => String(Math.floor(Date.now() / 1000));

/** A contact asks on a number; the wamid of our reply and the answer it carried. */
async function askOn(to: Number, from: string) {
  await deliver(to, {
    from,
    id: `wamid.IN${++counter}`,
    timestamp: now(),
    type: "text",
    text: { body: vacationQuestion },
  });
  await platform.host.runner.idle();
  const sent = graph.calls.filter((c) => c.body.type === "text" && !c.failed);
  expect(sent.length).toBeGreaterThan(0);
  const tenant = to === globex ? "globex" : "acme";
  const outbound = await platform.deps.store.query<{
    wamid: string;
    conversationId: string;
    messageId: string;
  }>({
    collection: `tenants/${tenant}/whatsappOutbound`,
  });
  // The fake numbers its replies in order: the newest is ours.
  const reply = outbound.sort((a, b) => Number(b.data.wamid.slice(9)) - Number(a.data.wamid.slice(9)))[0]
    ?.data;
  const messages = await json<{ messages: { id: string; traceId: string }[] }>(
    await platform.fetch(`/v1/conversations/${reply?.conversationId}/messages`, { key: to.tenantKey }),
  );
  const answer = messages.messages.find((m) => m.id === reply?.messageId);
  return { wamid: reply?.wamid as string, traceId: answer?.traceId as string, ...reply };
}

/** A reaction as Meta delivers it; `emoji` "" is a removed reaction. */
const reaction = (from: string, wamid: string, emoji: string, id = `wamid.REACT${++counter}`) => ({
  from,
  id,
  timestamp: now(),
  type: "reaction",
  reaction: { message_id: wamid, emoji },
});

const ratingOf = async (tenant: string, traceId: string) =>
  (await platform.deps.store.get(feedbackPath(tenant, traceId)))?.data as
    { rating?: string; by?: string; channel?: string } | undefined;

describe("reactions to our replies", () => {
  it("read a thumbs up or down in any skin tone or presentation, removal, and nothing else", () => {
    for (const up of ["👍", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿", "👍️"]) expect(ratingOfReaction(up), up).toBe("up");
    for (const down of ["👎", "👎🏻", "👎🏿", "👎️"]) expect(ratingOfReaction(down), down).toBe("down");
    for (const removed of ["", undefined]) expect(ratingOfReaction(removed)).toBe("removed");
    for (const other of ["❤️", "😂", "🙏", "👍👍", "👍x", "+1", "🏽"])
      expect(ratingOfReaction(other), other).toBeNull();
  });

  it("rate the answer a reply carried, are never answered, and a removal takes the rating back", async () => {
    const from = "31611110001";
    const { wamid, traceId, conversationId, messageId } = await askOn(acme, from);
    graph.calls.length = 0;
    expect(await deliver(acme, reaction(from, wamid, "👍🏽"))).toEqual({
      received: { messages: 0, duplicates: 0, statuses: 0 },
    });
    expect(await ratingOf("acme", traceId)).toMatchObject({ rating: "up", channel: "whatsapp" });
    expect((await ratingOf("acme", traceId))?.by).toMatch(/^whatsapp:[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(await ratingOf("acme", traceId))).not.toContain(from);
    const messages = await json<{ messages: { id: string; feedback?: { rating: string } }[] }>(
      await platform.fetch(`/v1/conversations/${conversationId}/messages`),
    );
    expect(messages.messages.find((m) => m.id === messageId)?.feedback).toMatchObject({ rating: "up" });

    await deliver(acme, reaction(from, wamid, "👎🏿"));
    expect((await ratingOf("acme", traceId))?.rating).toBe("down");
    await deliver(acme, reaction(from, wamid, "❤️"));
    expect((await ratingOf("acme", traceId))?.rating).toBe("down");
    await deliver(acme, reaction(from, wamid, ""));
    expect(await ratingOf("acme", traceId)).toBeUndefined();
    await platform.host.runner.idle();
    // Nothing was sent for any of them: no reply, not even "I can only read text messages".
    expect(graph.calls.filter((c) => c.body.type === "text")).toEqual([]);
  });

  it("change nothing when replayed, even after a later change", async () => {
    const from = "31611110002";
    const { wamid, traceId } = await askOn(acme, from);
    const thumbsUp = reaction(from, wamid, "👍");
    await deliver(acme, thumbsUp);
    expect(await deliver(acme, thumbsUp)).toEqual({ received: { messages: 0, duplicates: 1, statuses: 0 } });
    expect((await ratingOf("acme", traceId))?.rating).toBe("up");
    await deliver(acme, reaction(from, wamid, ""));
    // Meta retries the first delivery after the removal: the rating stays removed.
    await deliver(acme, thumbsUp);
    expect(await ratingOf("acme", traceId)).toBeUndefined();
    const records = await platform.deps.store.query<{ status: string; kind: string }>({
      collection: "tenants/acme/whatsappInbound",
      where: [{ field: "kind", op: "==", value: "reaction" }],
    });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.data.status === "handled")).toBe(true);
  });

  it("rate nothing for another contact, another number of the tenant, or another tenant", async () => {
    const jane = "31611110003";
    const omar = "31611110004";
    const janes = await askOn(acme, jane);
    // Omar reacts to the reply Jane got.
    await deliver(acme, reaction(omar, janes.wamid, "👎"));
    // Jane reacts, through the tenant's other number, to the reply she got on the first.
    await deliver(acmeSecond, reaction(jane, janes.wamid, "👎"));
    // Jane reacts, through another tenant's number, to the same reply.
    await deliver(globex, reaction(jane, janes.wamid, "👎"));
    expect(await ratingOf("acme", janes.traceId)).toBeUndefined();

    // And the other way round: a globex reply's wamid sent to acme's webhook finds nothing there.
    const globexReply = await askOn(globex, jane);
    await deliver(acme, reaction(jane, globexReply.wamid, "👍"));
    expect(await ratingOf("globex", globexReply.traceId)).toBeUndefined();
    expect(await ratingOf("acme", globexReply.traceId)).toBeUndefined();
    // Only the contact the answer was for, on its own number, rates it.
    await deliver(globex, reaction(jane, globexReply.wamid, "👍"));
    expect((await ratingOf("globex", globexReply.traceId))?.rating).toBe("up");
  });

  it("ignore reactions to a message that is not one of our answers", async () => {
    const from = "31611110005";
    const { traceId } = await askOn(acme, from);
    for (const target of ["wamid.NEVER-SENT", "wamid.IN1", ""]) {
      expect((await deliver(acme, reaction(from, target, "👍"))).received.statuses).toBe(0);
    }
    expect(await ratingOf("acme", traceId)).toBeUndefined();
  });
});
