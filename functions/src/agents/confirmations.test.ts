/**
 * Writes wait for their end user: the Banking API example imported through Tool Forge, its transfer tool
 * enabled with a platform limit, and an agent whose model asks for transfers. The answer carries the exact
 * request as a confirmation; nothing reaches the bank until the conversation's own credential confirms; a
 * confirmation runs once (replays, expiry, a conversation that moved on and a cancel send nothing); the limit
 * is the platform's, not the model's; both the request and the decision are in the traces.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json } from "../channels/openai/testing/fixture.js";
import { startFakeGraph } from "../channels/whatsapp/testing/fake-graph.js";
import { setDeps } from "../platform/process-deps.js";
import {
  asCustomer,
  bankSpec,
  createBankCredential,
  DEMO_CREDENTIALS,
  startTestBank,
  type RunningBank,
} from "../tools/testing/bank.js";
import { answer, callTools, scriptedModel, type Step } from "./testing/scripted-model.js";

let platform: TestPlatform;
const graph = startFakeGraph(() => "EAAG-token-of-the-bank-line");
let bank: RunningBank;
let agentId = "";
let fromAccount = "";
let payeeId = "";

interface Confirmation {
  id: string;
  toolName: string;
  summary: string;
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  expiresAt: string;
  status: string;
}
interface Reply {
  message: { id: string; content: string; traceId: string; abstained: boolean; confirmation?: Confirmation };
}
interface TraceRun {
  name: string;
  status: string;
  error: string | null;
  request?: { url: string; headers: Record<string, string>; body: string | null };
  confirmation?: { id: string; decision?: string; decidedBy?: string; requestTraceId?: string };
}

const bankGet = <T>(pathname: string): Promise<T> => asCustomer<T>(bank, pathname);
const available = async (): Promise<string> =>
  (await bankGet<{ available: string }>(`/v1/accounts/${fromAccount}/balance`)).available;

let keyCount = 0;
/** The model asking for one transfer of `amount`, then saying what it asked. */
const asksTransfer = (amount: string): Step[] => [
  () =>
    callTools({
      id: `call-${++keyCount}`,
      name: "createTransfer",
      arguments: JSON.stringify({
        "Idempotency-Key": `confirm-test-${keyCount}-${Date.now()}`,
        fromAccountId: fromAccount,
        payeeId,
        amount,
        currency: "EUR",
        reference: "Rent",
      }),
    }),
  () => answer(`I prepared a transfer of ${amount} EUR; please confirm it [T1].`),
];

async function conversation(key?: string): Promise<string> {
  return (
    await json<{ id: string }>(
      await platform.fetch(`/v1/agents/${agentId}/conversations`, {
        method: "POST",
        json: {},
        ...(key ? { key } : {}),
      }),
    )
  ).id;
}

async function say(conversationId: string, content: string, steps: Step[]): Promise<Reply> {
  setDeps({ ...platform.deps, chat: scriptedModel(steps) });
  const res = await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
    method: "POST",
    json: { content },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return json<Reply>(res);
}

function decide(conversationId: string, id: string, decision: string, steps: Step[], key?: string) {
  setDeps({ ...platform.deps, chat: scriptedModel(steps) });
  return platform.fetch(`/v1/conversations/${conversationId}/confirmations/${id}`, {
    method: "POST",
    json: { decision },
    ...(key ? { key } : {}),
  });
}

const trace = async (id: string) =>
  json<{ toolCalls: TraceRun[]; question: string }>(await platform.fetch(`/v1/traces/${id}`));

beforeAll(async () => {
  bank = await startTestBank();
  platform = await startTestPlatform({
    ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true",
    WHATSAPP_GRAPH_URL: await graph.start(),
  });
  const credentialId = await createBankCredential(platform, bank);
  const set = await json<{ id: string; tools: { name: string; limits: unknown[] }[] }>(
    await platform.fetch("/v1/tool-sets/import", {
      method: "POST",
      json: { spec: bankSpec, name: "Demo bank", baseUrl: bank.baseUrl, credentialId, enable: "all" },
    }),
  );
  // The workspace's own bound, under the bank's 1,000.00: the platform checks it, whatever the model says.
  const tools = set.tools.map((t) =>
    t.name === "createTransfer" ? { ...t, limits: [{ argument: "/amount", max: 100 }] } : t,
  );
  const patched = await platform.fetch(`/v1/tool-sets/${set.id}`, { method: "PATCH", json: { tools } });
  expect(patched.status, await patched.clone().text()).toBe(200);
  expect((await platform.fetch(`/v1/tool-sets/${set.id}/publish`, { method: "POST" })).status).toBe(201);
  const agent = await json<{ id: string }>(
    await platform.fetch("/v1/agents", {
      method: "POST",
      json: {
        name: "Banking assistant",
        instructions: "Help the customer with their accounts using the bank's tools.",
        knowledgeBaseIds: [],
        tools: [{ kind: "toolset", toolSetId: set.id, version: 1 }],
        confidenceThreshold: 0.1,
      },
    }),
  );
  agentId = agent.id;
  expect((await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} })).status).toBe(
    200,
  );
  const accounts = await bankGet<{ data: { id: string }[] }>("/v1/accounts");
  fromAccount = accounts.data[0]?.id as string;
  const payees = await bankGet<{ data: { id: string }[] }>("/v1/payees");
  payeeId = payees.data[0]?.id as string;
});

afterAll(async () => {
  setDeps(platform.deps);
  await platform?.close();
  await bank?.close();
  await graph.close();
});

describe("write tools wait for their end user's confirmation", () => {
  it("shows the exact request, sends nothing until confirmed, then runs it once and answers from the result", async () => {
    const id = await conversation();
    const before = await available();
    const asked = await say(id, "Send 25 euros to my landlord", asksTransfer("25.00"));
    const confirmation = asked.message.confirmation as Confirmation;
    expect(confirmation).toMatchObject({ toolName: "createTransfer", status: "pending" });
    expect(confirmation.request).toMatchObject({ method: "POST", url: `${bank.baseUrl}/v1/transfers` });
    expect(confirmation.request.headers.authorization).toBe("Bearer ***");
    expect(JSON.parse(confirmation.request.body as string)).toMatchObject({ amount: "25.00", payeeId });
    expect(confirmation.summary).toMatch(/^createTransfer: POST .*\/v1\/transfers .*25\.00/);
    expect(Date.parse(confirmation.expiresAt) - Date.now()).toBeGreaterThan(5 * 60_000);
    expect(await available()).toBe(before); // nothing sent yet
    const asking = await trace(asked.message.traceId);
    expect(asking.toolCalls[0]).toMatchObject({
      name: "createTransfer",
      status: "awaiting-confirmation",
      confirmation: { id: confirmation.id },
    });

    const done = await decide(id, confirmation.id, "confirm", [
      (request) => {
        // The model sees its own call and the bank's answer.
        const tool = request.messages.find((m) => m.role === "tool");
        expect(tool?.content).toMatch(/"status":"done"/);
        const sent = JSON.parse((tool?.content ?? "").replace(/^\[T1\] /, "")) as {
          answer: { id: string; status: string };
        };
        return answer(`Transfer ${sent.answer.id} of 25.00 EUR is ${sent.answer.status} [T1].`);
      },
    ]);
    expect(done.status, await done.clone().text()).toBe(200);
    const result = await json<Reply>(done);
    expect(result.message.content).toMatch(/of 25\.00 EUR is completed\. \[T1\]/);
    expect(Number(await available())).toBeCloseTo(Number(before) - 25, 2);
    const carried = await trace(result.message.traceId);
    expect(carried.question).toMatch(/^Confirmed: createTransfer/);
    expect(carried.toolCalls[0]).toMatchObject({
      name: "createTransfer",
      status: "ok",
      confirmation: { id: confirmation.id, decision: "confirmed", requestTraceId: asked.message.traceId },
    });
    expect(carried.toolCalls[0]?.request?.headers.authorization).toBe("Bearer ***");
    expect(JSON.stringify(carried)).not.toContain(DEMO_CREDENTIALS.maria.clientSecret);

    // The asking answer now shows the decision; a replay is refused and sends nothing.
    const messages = await json<{ messages: { id: string; confirmation?: Confirmation }[] }>(
      await platform.fetch(`/v1/conversations/${id}/messages`),
    );
    expect(messages.messages.find((m) => m.id === asked.message.id)?.confirmation?.status).toBe("confirmed");
    const after = await available();
    const replay = await decide(id, confirmation.id, "confirm", []);
    expect(replay.status).toBe(409);
    expect(await replay.text()).toMatch(/already confirmed/);
    expect(await available()).toBe(after);
  });

  it("holds the workspace's limit whatever the model says: no confirmation is offered, nothing is sent", async () => {
    const id = await conversation();
    const before = await available();
    const reply = await say(id, "Send 500 euros", [
      ...asksTransfer("500.00").slice(0, 1),
      (request) => {
        const tool = request.messages.find((m) => m.role === "tool");
        expect(tool?.content).toMatch(/^\[T1\] .*above the limit of 100/);
        return answer("The amount 500.00 is above the limit of 100 [T1].");
      },
    ]);
    expect(reply.message.confirmation).toBeUndefined();
    // The refusal is the platform's fact, cited like an output: the answer saying so stands.
    expect(reply.message).toMatchObject({
      content: "The amount 500.00 is above the limit of 100. [T1]",
      abstained: false,
    });
    const run = (await trace(reply.message.traceId)).toolCalls[0];
    expect(run).toMatchObject({ status: "error" });
    expect(run?.error).toMatch(/amount is "500\.00", above the limit of 100/);
    expect(await available()).toBe(before);
  });

  it("cancels: nothing is sent and the answer says so", async () => {
    const id = await conversation();
    const before = await available();
    const asked = await say(id, "Send 10 euros", asksTransfer("10.00"));
    const cancelled = await decide(id, asked.message.confirmation?.id as string, "cancel", [
      (request) => {
        expect(request.messages.find((m) => m.role === "tool")?.content).toMatch(/nothing was sent/);
        return answer("Understood, nothing was sent [T1].");
      },
    ]);
    expect(cancelled.status).toBe(200);
    const result = await json<Reply>(cancelled);
    const run = (await trace(result.message.traceId)).toolCalls[0];
    expect(run).toMatchObject({ status: "cancelled", confirmation: { decision: "cancelled" } });
    expect(await available()).toBe(before);
  });

  it("expires, and lapses when the conversation moves on: both refused, nothing sent", async () => {
    const id = await conversation();
    const before = await available();
    const asked = await say(id, "Send 12 euros", asksTransfer("12.00"));
    const confirmation = asked.message.confirmation as Confirmation;
    const later = new Date(Date.parse(confirmation.expiresAt) + 1000);
    setDeps({
      ...platform.deps,
      chat: scriptedModel([]),
      clock: { now: () => later, nowIso: () => later.toISOString() } as typeof platform.deps.clock,
    });
    const expired = await platform.fetch(`/v1/conversations/${id}/confirmations/${confirmation.id}`, {
      method: "POST",
      json: { decision: "confirm" },
    });
    expect(expired.status).toBe(409);
    expect(await expired.text()).toMatch(/expired/);
    setDeps(platform.deps);
    const shown = await json<{ messages: { id: string; confirmation?: Confirmation }[] }>(
      await platform.fetch(`/v1/conversations/${id}/messages`),
    );
    expect(shown.messages.find((m) => m.id === asked.message.id)?.confirmation?.status).toBe("expired");

    const again = await say(id, "Send 13 euros", asksTransfer("13.00"));
    const first = again.message.confirmation as Confirmation;
    await say(id, "Actually, what is my balance?", [() => answer("Let me check.")]);
    const lapsed = await decide(id, first.id, "confirm", []);
    expect(lapsed.status).toBe(409);
    expect(await lapsed.text()).toMatch(/moved on/);
    expect(await available()).toBe(before);
  });

  it("is decided only by the conversation's own credential; malformed decisions change nothing", async () => {
    const id = await conversation();
    const asked = await say(id, "Send 5 euros", asksTransfer("5.00"));
    const cid = asked.message.confirmation?.id as string;
    expect((await decide(id, cid, "confirm", [], platform.keys.otherTenantOwner)).status).toBe(404);
    expect((await decide(id, cid, "confirm", [], platform.keys.editor)).status).toBe(403);
    expect((await decide(id, cid, "maybe", [])).status).toBe(400);
    expect((await decide(id, "not a valid id!", "confirm", [])).status).toBe(400);
    expect((await decide(id, "a".repeat(20), "confirm", [])).status).toBe(404);
    const oversized = await platform.fetch(`/v1/conversations/${id}/confirmations/${cid}`, {
      method: "POST",
      json: { decision: "confirm", extra: "x".repeat(2_000_000) },
    });
    expect([400, 413]).toContain(oversized.status);
    const still = await json<{ messages: { id: string; confirmation?: Confirmation }[] }>(
      await platform.fetch(`/v1/conversations/${id}/messages`),
    );
    expect(still.messages.find((m) => m.id === asked.message.id)?.confirmation?.status).toBe("pending");
  });

  it("two confirmations racing run the transfer once", async () => {
    const id = await conversation();
    const before = await available();
    const asked = await say(id, "Send 7 euros", asksTransfer("7.00"));
    const cid = asked.message.confirmation?.id as string;
    setDeps({
      ...platform.deps,
      chat: scriptedModel([() => answer("Sent [T1]."), () => answer("Sent [T1].")]),
    });
    const send = () =>
      platform.fetch(`/v1/conversations/${id}/confirmations/${cid}`, {
        method: "POST",
        json: { decision: "confirm" },
      });
    const statuses = (await Promise.all([send(), send()])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect(Number(await available())).toBeCloseTo(Number(before) - 7, 2);
  });
});

describe("confirming on the web chat widget", () => {
  const site = "https://shop.example";
  const widgetCall = (key: string, path: string, visitor: string, body?: unknown, origin = site) =>
    fetch(`${platform.url}/widget/v1/${key}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        origin,
        "x-widget-visitor": visitor,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it("lets only the visitor whose conversation asked decide, from an allowed origin, once", async () => {
    const widget = await json<{ key: string }>(
      await platform.fetch("/v1/widgets", {
        method: "POST",
        json: { name: "Bank site", agentId, allowedOrigins: [site] },
      }),
    );
    const before = await available();
    setDeps({ ...platform.deps, chat: scriptedModel(asksTransfer("9.00")) });
    const asked = await widgetCall(widget.key, "/messages", "visitor-aaaaaaaaaaaaaa", { content: "Pay 9" });
    expect(asked.status, await asked.clone().text()).toBe(200);
    const { message } = (await asked.json()) as {
      message: { confirmation?: { id: string; request: Record<string, unknown>; status: string } };
    };
    expect(message.confirmation?.status).toBe("pending");
    // The end user sees what is sent, not how the workspace authenticates.
    expect(message.confirmation?.request).not.toHaveProperty("headers");
    const id = message.confirmation?.id as string;

    setDeps({ ...platform.deps, chat: scriptedModel([() => answer("Done [T1].")]) });
    const stranger = await widgetCall(widget.key, `/confirmations/${id}`, "visitor-bbbbbbbbbbbbbb", {
      decision: "confirm",
    });
    expect(stranger.status).toBe(404);
    const elsewhere = await widgetCall(
      widget.key,
      `/confirmations/${id}`,
      "visitor-aaaaaaaaaaaaaa",
      { decision: "confirm" },
      "https://evil.example",
    );
    expect(elsewhere.status).toBe(403);
    expect(await available()).toBe(before);

    const confirmed = await widgetCall(widget.key, `/confirmations/${id}`, "visitor-aaaaaaaaaaaaaa", {
      decision: "confirm",
    });
    expect(confirmed.status, await confirmed.clone().text()).toBe(200);
    expect(Number(await available())).toBeCloseTo(Number(before) - 9, 2);
    const replay = await widgetCall(widget.key, `/confirmations/${id}`, "visitor-aaaaaaaaaaaaaa", {
      decision: "confirm",
    });
    expect(replay.status).toBe(409);
    expect(Number(await available())).toBeCloseTo(Number(before) - 9, 2);
  });
});

describe("confirming on WhatsApp", () => {
  const phoneNumberId = "1098765777";
  const appSecret = "app-secret-of-the-bank-line";
  let connectionId = "";
  let counter = 0;

  /** One message from the contact, signed as Meta signs it: text, or a tap on a reply button. */
  async function deliver(message: Record<string, unknown>, from = "31611112222"): Promise<void> {
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "2233445566",
          changes: [
            {
              field: "messages",
              value: {
                metadata: { phone_number_id: phoneNumberId },
                messages: [
                  {
                    from,
                    id: `wamid.BANK${++counter}.${Date.now()}`,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    ...message,
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const res = await fetch(`${platform.url}/webhooks/whatsapp/${connectionId}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": `sha256=${createHmac("sha256", appSecret).update(body).digest("hex")}`,
      },
      body,
    });
    expect(res.status).toBe(200);
    await platform.host.runner.idle();
  }
  const text = (body: string) => ({ type: "text", text: { body } });
  const tap = (id: string, title: string) => ({
    type: "interactive",
    interactive: { type: "button_reply", button_reply: { id, title } },
  });
  const sent = () => graph.calls.filter((c) => !c.failed && c.body.type !== undefined);
  const lastText = () =>
    sent()
      .filter((c) => c.body.type === "text")
      .at(-1)?.body.text?.body ?? "";

  it("asks with Confirm / Cancel buttons; a tap or a typed yes decides; replays and strangers send nothing", async () => {
    const res = await platform.fetch("/v1/whatsapp/connections", {
      method: "POST",
      json: {
        phoneNumberId,
        wabaId: "2233445566",
        agentId,
        accessToken: "EAAG-token-of-the-bank-line",
        appSecret,
        verifyToken: "verify-token-of-the-bank-line",
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    connectionId = (await json<{ id: string }>(res)).id;
    const before = await available();

    setDeps({ ...platform.deps, chat: scriptedModel(asksTransfer("11.00")) });
    await deliver(text("Send 11 euros to my landlord"));
    const buttons = sent().at(-1)?.body as {
      type: string;
      interactive?: {
        body: { text: string };
        action: { buttons: { reply: { id: string; title: string } }[] };
      };
    };
    expect(buttons.type).toBe("interactive");
    expect(buttons.interactive?.body.text).toMatch(/^Confirm createTransfer\?/);
    expect(buttons.interactive?.body.text).toContain(`POST ${bank.baseUrl}/v1/transfers`);
    expect(buttons.interactive?.body.text).toContain('"amount": "11.00"');
    const [confirm, cancel] = buttons.interactive?.action.buttons ?? [];
    expect(confirm?.reply.title).toBe("Confirm");
    expect(cancel?.reply.id).toMatch(/^cancel:/);
    expect(await available()).toBe(before);

    // Someone else tapping the same button (a forwarded message) decides nothing.
    setDeps({ ...platform.deps, chat: scriptedModel([() => answer("Done [T1].")]) });
    await deliver(tap(confirm?.reply.id as string, "Confirm"), "31633334444");
    expect(lastText()).toMatch(/^Nothing was sent/);
    expect(await available()).toBe(before);

    setDeps({
      ...platform.deps,
      chat: scriptedModel([
        (request) => {
          const tool = request.messages.find((m) => m.role === "tool")?.content ?? "";
          const id = /"id":"(trf_[^"]+)"/.exec(tool)?.[1];
          return answer(`Transfer ${id} is completed [T1].`);
        },
      ]),
    });
    await deliver(tap(confirm?.reply.id as string, "Confirm"));
    expect(lastText()).toMatch(/Transfer trf_\w+ is completed/);
    expect(Number(await available())).toBeCloseTo(Number(before) - 11, 2);

    // The same tap again (Meta redelivers, the contact taps twice): refused, nothing sent.
    await deliver(tap(confirm?.reply.id as string, "Confirm"));
    expect(lastText()).toMatch(/^Nothing was sent: .*already confirmed/);
    expect(Number(await available())).toBeCloseTo(Number(before) - 11, 2);

    // "yes" typed while a confirmation is pending decides it too.
    setDeps({ ...platform.deps, chat: scriptedModel(asksTransfer("4.00")) });
    await deliver(text("And 4 euros more"));
    setDeps({ ...platform.deps, chat: scriptedModel([() => answer("Sent [T1].")]) });
    await deliver(text("Yes!"));
    expect(Number(await available())).toBeCloseTo(Number(before) - 15, 2);
  });
});

describe("channels that cannot show a confirmation", () => {
  it("refuses a write on the OpenAI-compatible API: the model is told, nothing is sent or left pending", async () => {
    const before = await available();
    let told = "";
    setDeps({
      ...platform.deps,
      chat: scriptedModel([
        ...asksTransfer("6.00").slice(0, 1),
        (request) => {
          told = request.messages.find((m) => m.role === "tool")?.content ?? "";
          return answer("I cannot send money from here.");
        },
      ]),
    });
    const res = await platform.fetch("/v1/chat/completions", {
      method: "POST",
      json: { model: agentId, messages: [{ role: "user", content: "Send 6 euros" }] },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(told).toMatch(/runs only after the end user confirms it, which this channel cannot ask for/);
    expect(await available()).toBe(before);
    const pending = await platform.deps.store.query({
      collection: "tenants/acme/conversations",
      where: [{ field: "channel", op: "==", value: "openai-compatible" }],
    });
    for (const c of pending)
      expect((c.data as { pendingConfirmationId: unknown }).pendingConfirmationId).toBeNull();
  });
});

describe("an answer whose words about the write are not supported", () => {
  it("states the request waiting for confirmation, word for word, instead of abstaining above the button", async () => {
    const id = await conversation();
    const reply = await say(id, "Pay my landlord", [
      ...asksTransfer("8.00").slice(0, 1),
      () => answer("Your landlord Mr Smith will be delighted with the rent."),
    ]);
    const confirmation = reply.message.confirmation as Confirmation;
    expect(confirmation.status).toBe("pending");
    expect(reply.message).toMatchObject({
      abstained: false,
      content: `This needs your confirmation before anything is sent: ${confirmation.summary}`,
    });
    const recorded = await json<{ abstained: boolean; explanation: string }>(
      await platform.fetch(`/v1/traces/${reply.message.traceId}`),
    );
    // The trace keeps what the checks found, and says what the answer did instead.
    expect(recorded.abstained).toBe(true);
    expect(recorded.explanation).toMatch(/states the request waiting for confirmation instead/);
  });
});
