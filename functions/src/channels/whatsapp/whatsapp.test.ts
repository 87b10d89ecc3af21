/**
 * WhatsApp Business end to end against a fake Graph API server the test starts (nothing talks to Meta):
 * connecting a number (secrets write-only), the webhook handshake, signed deliveries answered once however
 * often they are replayed, conversations per contact with reset, statuses, the 24-hour window, retries, and
 * the hostile cases (unsigned, forged, malformed, oversized, another tenant).
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json, setUpAgents, vacationQuestion, type OpenAIFixture } from "../openai/testing/fixture.js";
import { whatsappGraph } from "./graph.js";
import { startFakeGraph } from "./testing/fake-graph.js";
import { splitReply } from "./webhook.js";

const graph = startFakeGraph(() => accessToken);
let platform: TestPlatform;
let agents: OpenAIFixture["agents"];
let connectionId = "";
const appSecret = "app-secret-of-the-test";
const verifyToken = "verify-token-of-the-test";
const accessToken = "EAAG-access-token-of-the-test";
const phoneNumberId = "1098765432";
let counter = 0;

beforeAll(async () => {
  const graphUrl = await graph.start();
  platform = await startTestPlatform({ WHATSAPP_GRAPH_URL: graphUrl });
  ({ agents } = await setUpAgents(platform));
  const res = await platform.fetch("/v1/whatsapp/connections", {
    method: "POST",
    json: {
      label: "Support line",
      phoneNumberId,
      wabaId: "2233445566",
      agentId: agents.hr,
      accessToken,
      appSecret,
      verifyToken,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  connectionId = (await json<{ id: string }>(res)).id;
});

afterAll(async () => {
  await platform?.close();
  await graph.close();
});

beforeEach(() => {
  graph.calls.length = 0;
  graph.failures.length = 0;
});

/** Meta's envelope around one change of the connected number. */
const event = (value: Record<string, unknown>) =>
  JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "2233445566",
        changes: [{ field: "messages", value: { metadata: { phone_number_id: phoneNumberId }, ...value } }],
      },
    ],
  });

/** A delivery as Meta sends it: one text message from `from`, sent `ageSeconds` ago. */
function delivery(text: string, from = "31612345678", extra: Record<string, unknown> = {}, ageSeconds = 5) {
  const id = `wamid.IN${++counter}.${Date.now()}`;
  const message = {
    from,
    id,
    timestamp: String(Math.floor(Date.now() / 1000) - ageSeconds),
    type: "text",
    text: { body: text },
    ...extra,
  };
  return {
    id,
    body: event({
      messaging_product: "whatsapp",
      contacts: [{ wa_id: from, profile: { name: "Test" } }],
      messages: [message],
    }),
  };
}

const sign = (body: string, secret = appSecret) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

function post(body: string, signature: string | null = sign(body), id = connectionId) {
  return fetch(`${platform.url}/webhooks/whatsapp/${id}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signature ? { "x-hub-signature-256": signature } : {}),
    },
    body,
  });
}

/** The texts delivered (calls the fake answered with a message id). */
const texts = () =>
  graph.calls.filter((c) => c.body.type === "text" && !c.failed).map((c) => c.body.text?.body ?? "");
const inboundCount = () => platform.deps.store.count({ collection: "tenants/acme/whatsappInbound" });

describe("connecting a number", () => {
  it("keeps its secrets write-only and sealed, and lets admins only manage it", async () => {
    const listed = await json<{ connections: Record<string, unknown>[] }>(
      await platform.fetch("/v1/whatsapp/connections"),
    );
    const text = JSON.stringify(listed);
    for (const secret of [accessToken, appSecret, verifyToken]) expect(text).not.toContain(secret);
    expect(listed.connections[0]).toMatchObject({
      id: connectionId,
      webhookPath: `/webhooks/whatsapp/${connectionId}`,
      agentId: agents.hr,
    });
    // Sealed where they are stored, too.
    const stored = JSON.stringify((await platform.deps.store.get(`whatsappSecrets/${connectionId}`))?.data);
    for (const secret of [accessToken, appSecret, verifyToken]) expect(stored).not.toContain(secret);
    for (const key of [platform.keys.editor, platform.keys.viewer]) {
      expect((await platform.fetch("/v1/whatsapp/connections", { key })).status).toBe(403);
    }
    const other = await platform.fetch(`/v1/whatsapp/connections/${connectionId}`, {
      key: platform.keys.otherTenantOwner,
    });
    expect(other.status).toBe(404);
  });

  it("refuses a number connected twice, an agent that does not answer on WhatsApp, and malformed ids", async () => {
    const base = {
      phoneNumberId,
      wabaId: "2233445566",
      agentId: agents.hr,
      accessToken,
      appSecret,
      verifyToken,
    };
    expect((await platform.fetch("/v1/whatsapp/connections", { method: "POST", json: base })).status).toBe(
      409,
    );
    const draft = await platform.fetch("/v1/whatsapp/connections", {
      method: "POST",
      json: { ...base, phoneNumberId: "555000111", agentId: agents.draft },
    });
    expect(draft.status).toBe(400);
    const restOnly = await platform.fetch("/v1/whatsapp/connections", {
      method: "POST",
      json: { ...base, phoneNumberId: "555000222", agentId: agents.apiOnly },
    });
    expect(restOnly.status).toBe(400);
    expect(await restOnly.text()).toMatch(/not enabled on the whatsapp channel: add the channel and publish/);
    const bad = await platform.fetch("/v1/whatsapp/connections", {
      method: "POST",
      json: { ...base, phoneNumberId: "../../x" },
    });
    expect(bad.status).toBe(400);
  });
});

describe("changing a number", () => {
  it("changes only what is sent, and refuses an empty change or the number's ids", async () => {
    const patch = (body: unknown) =>
      platform.fetch(`/v1/whatsapp/connections/${connectionId}`, { method: "PATCH", json: body });
    expect((await patch({ template: { name: "kept_template", language: "en" } })).status).toBe(200);
    const renamed = await json<{ label: string; template: unknown }>(await patch({ label: "Sales line" }));
    expect(renamed).toMatchObject({
      label: "Sales line",
      template: { name: "kept_template", language: "en" },
    });
    const retemplated = await json<{ label: string; template: unknown }>(await patch({ template: null }));
    expect(retemplated).toMatchObject({ label: "Sales line", template: null });
    expect((await patch({})).status).toBe(400);
    expect((await patch({ phoneNumberId: "99999999" })).status).toBe(400);
    expect((await patch({ label: "Support line" })).status).toBe(200);
  });
});

describe("the webhook", () => {
  it("answers Meta's handshake with the challenge only for the right verify token", async () => {
    const url = (token: string) =>
      `${platform.url}/webhooks/whatsapp/${connectionId}?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`;
    const ok = await fetch(url(verifyToken));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    expect((await fetch(url("wrong-token"))).status).toBe(403);
    expect(
      (
        await fetch(
          `${platform.url}/webhooks/whatsapp/nope?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1`,
        )
      ).status,
    ).toBe(403);
  });

  it("answers a signed message once, with its sources, however often the delivery is replayed", async () => {
    const { body } = delivery(vacationQuestion);
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(await json(first)).toEqual({ received: { messages: 1, duplicates: 0, statuses: 0 } });
    for (let i = 0; i < 3; i++) {
      expect(await json(await post(body))).toEqual({ received: { messages: 0, duplicates: 1, statuses: 0 } });
    }
    await platform.host.runner.idle();
    expect(texts()).toHaveLength(1);
    expect(texts()[0]).toContain("25 vacation days");
    expect(texts()[0]).toMatch(/\n\nSources:\n\[1\] handbook\.md/);
    expect(graph.calls.some((c) => c.body.status === "read")).toBe(true);
    // Once sent, the record keeps no words: they live in the conversation, under its retention and erasure.
    const done = await platform.deps.store.query<{ status: string; text: string; reply: string | null }>({
      collection: "tenants/acme/whatsappInbound",
      where: [{ field: "status", op: "==", value: "sent" }],
    });
    expect(done.length).toBeGreaterThan(0);
    for (const d of done) expect([d.data.text, d.data.reply]).toEqual(["", null]);
    expect(
      graph.calls.every(
        (c) => c.auth === `Bearer ${accessToken}` && c.path === `/v23.0/${phoneNumberId}/messages`,
      ),
    ).toBe(true);
  });

  it("keeps a contact in one conversation, and starts a new one on 'reset'", async () => {
    const from = "31698765432";
    await post(delivery(vacationQuestion, from).body);
    await platform.host.runner.idle();
    await post(delivery("How many unused days can be carried over?", from).body);
    await platform.host.runner.idle();
    expect(texts()[1]).toContain("5 unused vacation days");
    const conversations = await platform.deps.store.query<{ endUserRef: string }>({
      collection: "tenants/acme/conversations",
      where: [{ field: "channel", op: "==", value: "whatsapp" }],
    });
    const mine = conversations.filter((c) => c.data.endUserRef.startsWith("whatsapp:"));
    const counts = new Map<string, number>();
    for (const c of mine) counts.set(c.data.endUserRef, (counts.get(c.data.endUserRef) ?? 0) + 1);
    // The contact's number is not stored, only a hash of it.
    expect(JSON.stringify(mine)).not.toContain(from);
    await post(delivery("reset", from).body);
    await platform.host.runner.idle();
    expect(texts()[2]).toMatch(/Started a new conversation/);
    const after = await platform.deps.store.query({
      collection: "tenants/acme/conversations",
      where: [{ field: "channel", op: "==", value: "whatsapp" }],
    });
    expect(after.length).toBe(conversations.length + 1);
  });

  it("answers an empty message, and a message its paused agent cannot take, once each, without retrying", async () => {
    await post(delivery("", "31677777777").body);
    await platform.host.runner.idle();
    expect(texts()).toEqual(["Please type your question."]);

    // A second number, served by a paused agent: the turn is refused, so the contact is told, once.
    const res = await platform.fetch("/v1/whatsapp/connections", {
      method: "POST",
      json: {
        phoneNumberId: "1098765499",
        wabaId: "2233445566",
        agentId: agents.paused,
        accessToken,
        appSecret,
        verifyToken,
      },
    });
    const paused = (await json<{ id: string }>(res)).id;
    const message = delivery(vacationQuestion, "31688888888");
    const body = message.body.replace(phoneNumberId, "1098765499");
    expect((await post(body, sign(body), paused)).status).toBe(200);
    await platform.host.runner.idle();
    expect(texts()).toEqual(["Please type your question.", "Sorry, I can't answer that right now."]);
    const connection = await json<{ lastError: { code: string } | null }>(
      await platform.fetch(`/v1/whatsapp/connections/${paused}`),
    );
    expect(connection.lastError?.code).toBe("failed-precondition");
  });

  it("starts a new conversation for a contact whose conversation retention or erasure deleted", async () => {
    const from = "31699999999";
    await post(delivery(vacationQuestion, from).body);
    await platform.host.runner.idle();
    const before = await platform.deps.store.query<{ endUserRef: string }>({
      collection: "tenants/acme/conversations",
      where: [{ field: "channel", op: "==", value: "whatsapp" }],
    });
    // The newest WhatsApp conversation is this contact's: delete it as the privacy purge would.
    const contacts = await platform.deps.store.query<{ conversationId: string; updatedAt: string }>({
      collection: "tenants/acme/whatsappContacts",
    });
    const mine = contacts.sort((a, b) => (a.data.updatedAt < b.data.updatedAt ? 1 : -1))[0];
    await platform.deps.store.deleteRecursive(`tenants/acme/conversations/${mine?.data.conversationId}`);
    await post(delivery("How many unused days can be carried over?", from).body);
    await platform.host.runner.idle();
    expect(texts().at(-1)).toContain("5 unused vacation days");
    const after = await platform.deps.store.query({
      collection: "tenants/acme/conversations",
      where: [{ field: "channel", op: "==", value: "whatsapp" }],
    });
    expect(after.length).toBe(before.length);
  });

  it("says plainly what it cannot read, and answers an image from its caption", async () => {
    await post(delivery("", "31611111111", { type: "audio", audio: { id: "media1" }, text: undefined }).body);
    await post(
      delivery("", "31622222222", {
        type: "image",
        image: { id: "m2", caption: vacationQuestion },
        text: undefined,
      }).body,
    );
    await platform.host.runner.idle();
    expect(texts().some((t) => /can't listen to voice messages/.test(t))).toBe(true);
    expect(texts().some((t) => t.includes("25 vacation days"))).toBe(true);
  });

  it("records delivery statuses on the replies it sent", async () => {
    await post(delivery(vacationQuestion, "31633333333").body);
    await platform.host.runner.idle();
    const outId = `wamid.OUT${graph.calls.length}`;
    const sentId = graph.calls.length > 0 ? outId : "";
    const statuses = event({
      statuses: [
        {
          id: sentId,
          status: "delivered",
          timestamp: String(Math.floor(Date.now() / 1000)),
          recipient_id: "31633333333",
        },
      ],
    });
    expect(await json(await post(statuses))).toEqual({
      received: { messages: 0, duplicates: 0, statuses: 1 },
    });
    const outbound = await platform.deps.store.query<{ wamid?: string; status: string }>({
      collection: "tenants/acme/whatsappOutbound",
    });
    expect(outbound.some((o) => o.data.status === "delivered")).toBe(true);

    // Shown on the answer in the transcript: delivered, then read; a late "sent" does not move it back.
    const reply = outbound.find((o) => o.data.wamid === sentId)?.data as unknown as {
      conversationId: string;
      messageId: string;
    };
    const { conversationId, messageId } = reply;
    expect(messageId).toEqual(expect.any(String));
    const deliveryOf = async () => {
      const { messages } = await json<{ messages: { id: string; delivery?: { status: string } }[] }>(
        await platform.fetch(`/v1/conversations/${conversationId}/messages`),
      );
      return messages.find((m) => m.id === messageId)?.delivery;
    };
    expect(await deliveryOf()).toMatchObject({ status: "delivered", error: null });
    const report = (status: string, errors?: unknown[]) =>
      post(
        event({
          statuses: [
            {
              id: sentId,
              status,
              timestamp: String(Math.floor(Date.now() / 1000)),
              ...(errors ? { errors } : {}),
            },
          ],
        }),
      );
    await report("read");
    await report("sent");
    expect(await deliveryOf()).toMatchObject({ status: "read" });
    await report("failed", [{ code: 131026, title: "Message undeliverable" }]);
    expect(await deliveryOf()).toMatchObject({
      status: "failed",
      error: { code: "131026", message: "Message undeliverable" },
    });
  });

  it("outside the 24-hour window sends the template, or records that it could not reply (131047)", async () => {
    await post(delivery(vacationQuestion, "31644444444", {}, 2 * 24 * 3600).body);
    await platform.host.runner.idle();
    expect(texts()).toHaveLength(0);
    const inbound = await platform.deps.store.query<{ status: string; notSent: { code: string } | null }>({
      collection: "tenants/acme/whatsappInbound",
      where: [{ field: "status", op: "==", value: "not-sent" }],
    });
    expect(inbound.map((i) => i.data.notSent?.code)).toContain("131047");
    // The transcript says so on the answer, too.
    const notSent = inbound.find((i) => i.data.notSent?.code === "131047")?.data as unknown as {
      conversationId: string;
      messageId: string;
    };
    const { messages } = await json<{ messages: { id: string; delivery?: unknown }[] }>(
      await platform.fetch(`/v1/conversations/${notSent.conversationId}/messages`),
    );
    expect(messages.find((m) => m.id === notSent.messageId)?.delivery).toMatchObject({
      status: "not-sent",
      error: { code: "131047" },
    });
    const connection = await json<{ lastError: { code: string } | null }>(
      await platform.fetch(`/v1/whatsapp/connections/${connectionId}`),
    );
    expect(connection.lastError?.code).toBe("131047");

    await platform.fetch(`/v1/whatsapp/connections/${connectionId}`, {
      method: "PATCH",
      json: { template: { name: "follow_up", language: "en_US" } },
    });
    await post(delivery(vacationQuestion, "31655555555", {}, 2 * 24 * 3600).body);
    await platform.host.runner.idle();
    expect(graph.calls.some((c) => c.body.type === "template" && c.body.template?.name === "follow_up")).toBe(
      true,
    );
    await platform.fetch(`/v1/whatsapp/connections/${connectionId}`, {
      method: "PATCH",
      json: { template: null },
    });
  });

  it("retries the Graph API on 429 and 5xx, and sends the reply once", async () => {
    graph.failures.push({ status: 429, code: 4 }, { status: 503, code: 2 });
    await post(delivery(vacationQuestion, "31666666666").body);
    await platform.host.runner.idle();
    expect(graph.calls.filter((c) => c.body.type === "text").map((c) => c.failed)).toEqual([
      true,
      true,
      false,
    ]);
    expect(texts()).toHaveLength(1);
  });

  it("adds a document an allowed sender sends to the knowledge base, and only theirs", async () => {
    const kb = await json<{ id: string }>(
      await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "From WhatsApp" } }),
    );
    const staff = "31677777777";
    const setUp = await platform.fetch(`/v1/whatsapp/connections/${connectionId}`, {
      method: "PATCH",
      json: { documents: { knowledgeBaseId: kb.id, senders: [staff] } },
    });
    expect(setUp.status).toBe(200);
    graph.media.set("media-policy", {
      bytes: Buffer.from("# Parking\n\nStaff park on level -2. Visitors park on level -1.\n"),
      mimeType: "text/markdown",
    });
    const documentFrom = (from: string, id: string, filename: string, caption?: string) =>
      delivery("", from, {
        type: "document",
        text: undefined,
        document: { id, filename, mime_type: "text/markdown", ...(caption ? { caption } : {}) },
      }).body;
    const documents = () =>
      platform
        .fetch(`/v1/knowledge-bases/${kb.id}/documents`)
        .then((r) => json<{ documents: { name: string }[] }>(r));

    // A customer's document is not added: its caption is answered, as any other message.
    await post(documentFrom("31688888888", "media-policy", "parking.md", vacationQuestion));
    await platform.host.runner.idle();
    expect((await documents()).documents).toEqual([]);
    expect(texts().at(-1)).toMatch(/25 vacation days/);

    await post(documentFrom(staff, "media-policy", "parking.md"));
    await platform.host.runner.idle();
    expect((await documents()).documents.map((d) => d.name)).toEqual(["parking.md"]);
    expect(texts().at(-1)).toMatch(/Added parking\.md to the knowledge base/);
    // The same file again is recognised; a type the platform cannot read is answered, not retried.
    await post(documentFrom(staff, "media-policy", "parking.md"));
    await platform.host.runner.idle();
    expect(texts().at(-1)).toMatch(/parking\.md is already in the knowledge base/);
    graph.media.set("media-binary", {
      bytes: Buffer.from([0, 1, 2, 3]),
      mimeType: "application/octet-stream",
    });
    await post(documentFrom(staff, "media-binary", "data.bin"));
    await platform.host.runner.idle();
    expect(texts().at(-1)).toMatch(/I couldn't add data\.bin/);
    // Media Meta no longer has (expired) is said plainly too.
    await post(documentFrom(staff, "media-gone", "gone.md"));
    await platform.host.runner.idle();
    expect(texts().at(-1)).toMatch(/I couldn't add gone\.md: Unknown media/);
    expect((await documents()).documents.map((d) => d.name)).toEqual(["parking.md"]);

    // A file over the limit is refused before it is read whole, whether Meta declares its size or not.
    const client = whatsappGraph(platform.deps.config, phoneNumberId, accessToken);
    await expect(client.downloadMedia("media-policy", 10)).rejects.toMatchObject({ code: "media-too-large" });
    graph.media.set("undeclared-big", { bytes: Buffer.alloc(256 * 1024, 65), mimeType: "text/plain" });
    await expect(client.downloadMedia("undeclared-big", 64 * 1024)).rejects.toMatchObject({
      code: "media-too-large",
    });
    expect((await client.downloadMedia("undeclared-big", 512 * 1024)).bytes.length).toBe(256 * 1024);
    expect((await client.downloadMedia("media-policy", 1000)).bytes.length).toBeGreaterThan(10);
    // A knowledge base of another tenant, or none, cannot be configured.
    const foreign = await platform.fetch(`/v1/whatsapp/connections/${connectionId}`, {
      method: "PATCH",
      json: { documents: { knowledgeBaseId: "kb-of-nobody", senders: [staff] } },
    });
    expect(foreign.status).toBe(404);
    await platform.fetch(`/v1/whatsapp/connections/${connectionId}`, {
      method: "PATCH",
      json: { documents: null },
    });
  });

  it("refuses unsigned, forged, malformed and oversized deliveries, storing nothing", async () => {
    const before = await inboundCount();
    const { body } = delivery(vacationQuestion);
    expect((await post(body, null)).status).toBe(401);
    expect((await post(body, sign(body, "another-secret"))).status).toBe(401);
    expect((await post(body, "sha256=zz")).status).toBe(401);
    expect((await post(body.replace("vacation", "VACATION"), sign(body))).status).toBe(401);
    expect((await post("{not json", sign("{not json"))).status).toBe(400);
    expect((await post('{"object":"page"}', sign('{"object":"page"}'))).status).toBe(400);
    expect((await post(body, sign(body), "no-such-connection")).status).toBe(404);
    const huge = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [],
      pad: "x".repeat(2_000_000),
    });
    expect((await post(huge, sign(huge))).status).toBe(413);
    expect(await inboundCount()).toBe(before);
    await platform.host.runner.idle();
    expect(texts()).toHaveLength(0);
  });
});

describe("splitReply", () => {
  it("cuts long replies at sentence ends into parts of at most 4,096 characters", () => {
    const sentence = "This sentence is forty characters long. ";
    const parts = splitReply(sentence.repeat(250));
    expect(parts.length).toBe(3);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(4096);
      expect(part.endsWith(".")).toBe(true);
    }
    expect(parts.join(" ")).toBe(sentence.repeat(250).trim());
    expect(splitReply("short")).toEqual(["short"]);
  });
});
