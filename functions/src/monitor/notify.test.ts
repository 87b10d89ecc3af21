/**
 * Alert notifications end to end: channels created over the real API, notifications queued and delivered to a
 * receiver on this machine (egress allows loopback for it), emails in the `mail` collection, the in-app inbox,
 * and the hostile side: malformed and oversized input, private destinations, other workspaces, lower roles, and
 * a signing secret that is shown once and never again, nor logged.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { createApiKey } from "../identity/api-keys.js";
import { createTenant } from "../identity/tenants.js";
import type { Deps } from "../platform/deps.js";
import { nodeEgress } from "../platform/egress/node-egress.js";
import { setLogSink } from "../platform/log.js";
import type { Egress } from "../platform/ports.js";
import {
  deliverNotification,
  notify,
  notifyQueue,
  notifyTaskSchema,
  signatureHeader,
  verifySignature,
  type ChannelView,
} from "./notify.js";
import type { Notification } from "./schema.js";

// ---------------------------------------------------------------------------------------------------
// A receiver on this machine
// ---------------------------------------------------------------------------------------------------

interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Statuses a path answers, in order; 200 once they are used up. */
  readonly plans: Map<string, number[]>;
  at(path: string): Received[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const plans = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const status = plans.get(path)?.shift() ?? 200;
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : `nope ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    plans,
    at: (path) => received.filter((r) => r.path === path),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------------

let platform: TestPlatform;
let receiver: Receiver;
let deps: Deps;
/** The owner key of a third workspace, for the channel limit. */
let initechOwner: string;

beforeAll(async () => {
  receiver = await startReceiver();
  platform = await startTestPlatform({
    ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true",
    STUDIO_URL: "http://localhost:5173",
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
  });
  deps = platform.deps as unknown as Deps;
  await createTenant(deps, "initech", "Initech");
  initechOwner = (await createApiKey(deps, "initech", { name: "owner", role: "owner" })).key;
});

afterAll(async () => {
  await platform?.close();
  await receiver?.close();
});

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

const errorOf = async (res: Response) =>
  (await json<{ error: { code: string; message: string } }>(res)).error;

type Created = ChannelView & { secret?: string };

async function addChannel(input: Record<string, unknown>, key?: string): Promise<Created> {
  const res = await platform.fetch("/v1/monitor/channels", { method: "POST", json: input, key });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<Created>(res);
}

const webhook = (path: string, name = `Hook ${path}`) =>
  addChannel({ type: "webhook", name, url: `${receiver.url}${path}` });

async function listChannels(key?: string): Promise<ChannelView[]> {
  const res = await platform.fetch("/v1/monitor/channels", { key });
  expect(res.status).toBe(200);
  return (await json<{ channels: ChannelView[] }>(res)).channels;
}

const channel = async (id: string): Promise<ChannelView | undefined> =>
  (await listChannels()).find((c) => c.id === id);

let counter = 0;
function firing(overrides: Partial<Notification> = {}): Notification {
  counter += 1;
  return {
    id: `inc-${counter}-fired-${Date.now()}`,
    scope: "acme",
    type: "fired",
    incidentId: `inc-${counter}`,
    ruleId: "error-rate",
    ruleName: "Error rate above 5%",
    severity: "critical",
    metric: "error-rate",
    value: 0.23,
    summary: "23% of turns failed over the last 5 minutes (46 of 200)",
    at: new Date().toISOString(),
    url: "http://localhost:5173/monitor/notifications",
    ...overrides,
  };
}

const hosted = (): boolean => platform.host.functions.some((f) => f.name === notifyQueue);

/**
 * Runs the `monitor-notify` tasks until none is left. With the queue's function hosted, its runner does (with
 * the function's backoff); until then, the tasks are leased here and delivered as the runner would: a delivery
 * that throws is tried again, up to 6 attempts.
 */
async function drain(): Promise<void> {
  if (hosted()) {
    await platform.host.runner.idle();
    return;
  }
  const queue = platform.deps.tasks;
  for (;;) {
    const tasks = queue.lease(notifyQueue, 10, 60_000);
    if (tasks.length === 0) return;
    for (const task of tasks) {
      try {
        await deliverNotification(deps, notifyTaskSchema.parse(task.payload));
        queue.complete(task.seq);
      } catch (e) {
        queue.fail(task.seq, String(e), task.attempts + 1 >= 6 ? null : Date.now());
      }
    }
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------------

describe("signed webhooks", () => {
  it("delivers a notification with a signature verifySignature accepts, and refuses tampering", async () => {
    const hook = await webhook("/signed");
    expect(hook.secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const secret = hook.secret as string;
    const n = firing();
    const outcome = await notify(deps, "acme", n, [hook.id]);
    expect(outcome.deliveries).toEqual([{ channelId: hook.id, type: "webhook", outcome: "queued" }]);
    await drain();

    const [got, ...more] = receiver.at("/signed");
    expect(more).toEqual([]);
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers["user-agent"]).toBe("Alchemist-Monitor/1");
    expect(got?.headers["x-alchemist-event"]).toBe("fired");
    expect(got?.headers["x-alchemist-delivery"]).toBe(n.id);
    expect(JSON.parse(got?.body ?? "null")).toEqual(n);
    const header = got?.headers["x-alchemist-signature"] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const body = got?.body as string;
    const now = nowSeconds();

    expect(verifySignature(secret, header, body, now)).toBe(true);
    expect(verifySignature(secret, header, Buffer.from(body), now)).toBe(true);
    expect(verifySignature(secret, header, body.replace("0.23", "0.01"), now)).toBe(false);
    expect(verifySignature(`${secret}x`, header, body, now)).toBe(false);
    expect(verifySignature("another-secret-entirely", header, body, now)).toBe(false);
    // Replayed later than the tolerance (or stamped in the future): refused.
    expect(verifySignature(secret, header, body, now + 301 + 5)).toBe(false);
    expect(verifySignature(secret, header, body, now - 400)).toBe(false);
    expect(verifySignature(secret, header, body, now + 250)).toBe(true);
    for (const bad of [undefined, "", "v1=abc", `t=${now}`, "t=abc,v1=00", header.replace(/v1=./, "v1=z")]) {
      expect(verifySignature(secret, bad, body, now), String(bad)).toBe(false);
    }
    // The channel records the delivery.
    expect((await channel(hook.id))?.lastDelivery).toMatchObject({ ok: true, status: 200, error: null });
  });

  it("signs over '<t>.<raw body>' with HMAC-SHA256, as the README tells receivers", () => {
    const body = '{"a":1}';
    const expected = createHmac("sha256", "s3cret").update(`1700000000.${body}`).digest("hex");
    expect(signatureHeader("s3cret", 1_700_000_000, body)).toBe(`t=1700000000,v1=${expected}`);
    expect(verifySignature("s3cret", `t=1700000000,v1=${expected}`, body, 1_700_000_100)).toBe(true);
  });

  it("retries a receiver that answers 500 twice, then delivers once it answers 200", async () => {
    const hook = await webhook("/flaky");
    receiver.plans.set("/flaky", [500, 500]);
    const n = firing();
    await notify(deps, "acme", n, [hook.id]);
    await drain();
    const got = receiver.at("/flaky");
    expect(got.map((r) => r.headers["x-alchemist-delivery"])).toEqual([n.id, n.id, n.id]);
    expect((await channel(hook.id))?.lastDelivery).toMatchObject({ ok: true, status: 200 });
  }, 30_000);

  it("throws on 408, 429 and 5xx (the queue retries) and gives up on other 4xx, recording each", async () => {
    const hook = await webhook("/answers");
    const task = { scope: "acme", channelId: hook.id, notification: firing() };
    for (const status of [408, 429, 503]) {
      receiver.plans.set("/answers", [status]);
      await expect(deliverNotification(deps, task)).rejects.toThrow(`HTTP ${status}`);
      expect((await channel(hook.id))?.lastDelivery).toMatchObject({ ok: false, status });
    }
    receiver.plans.set("/answers", [410]);
    await expect(deliverNotification(deps, task)).resolves.toBe("failed");
    expect((await channel(hook.id))?.lastDelivery).toMatchObject({
      ok: false,
      status: 410,
      error: "The receiver answered HTTP 410: nope 410",
    });
    await expect(deliverNotification(deps, task)).resolves.toBe("delivered");
  });

  it("notifies once per notification id, however many times it is asked", async () => {
    const hook = await webhook("/once");
    const email = await addChannel({ type: "email", name: "On call", to: ["oncall@acme.example"] });
    const inApp = await addChannel({ type: "in-app", name: "Studio" });
    const n = firing();
    const first = await notify(deps, "acme", n, [hook.id, email.id, inApp.id]);
    const second = await notify(deps, "acme", n, [hook.id, email.id, inApp.id]);
    expect(first.deliveries.map((d) => d.outcome).sort()).toEqual(["queued", "written", "written"]);
    expect(first.inbox).toBe("written");
    expect(second.deliveries.map((d) => d.outcome)).toEqual(["duplicate", "duplicate", "duplicate"]);
    expect(second.inbox).toBe("duplicate");
    await drain();
    expect(receiver.at("/once")).toHaveLength(1);
    const mails = await deps.store.query({
      collection: "mail",
      where: [{ field: "notificationId", op: "==", value: n.id }],
    });
    expect(mails).toHaveLength(1);
    const inbox = await json<{ notifications: Notification[] }>(await platform.fetch("/v1/monitor/inbox"));
    expect(inbox.notifications.filter((x) => x.id === n.id)).toHaveLength(1);
  });

  it("rotates the signing secret: the new one verifies, the old one no longer does", async () => {
    const hook = await webhook("/rotated");
    const rotated = await json<{ id: string; secret: string }>(
      await platform.fetch(`/v1/monitor/channels/${hook.id}/rotate-secret`, { method: "POST" }),
    );
    expect(rotated.secret).not.toBe(hook.secret);
    await notify(deps, "acme", firing(), [hook.id]);
    await drain();
    const [got] = receiver.at("/rotated");
    const header = got?.headers["x-alchemist-signature"] as string;
    expect(verifySignature(rotated.secret, header, got?.body ?? "", nowSeconds())).toBe(true);
    expect(verifySignature(hook.secret as string, header, got?.body ?? "", nowSeconds())).toBe(false);
    const email = await addChannel({ type: "email", name: "No secret", to: ["a@acme.example"] });
    const refused = await platform.fetch(`/v1/monitor/channels/${email.id}/rotate-secret`, {
      method: "POST",
    });
    expect(refused.status).toBe(400);
  });

  it("drops the deliveries of a deleted channel quietly", async () => {
    const hook = await webhook("/deleted");
    const n = firing();
    const deleted = await platform.fetch(`/v1/monitor/channels/${hook.id}`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    // A delivery queued before the deletion (queued here after it, so no runner can deliver it first).
    await deps.tasks.enqueue(notifyQueue, { scope: "acme", channelId: hook.id, notification: n });
    await drain();
    expect(receiver.at("/deleted")).toEqual([]);
    await expect(
      deliverNotification(deps, { scope: "acme", channelId: hook.id, notification: n }),
    ).resolves.toBe("dropped");
    expect(await deps.store.get(`monitorChannelSecrets/${hook.id}`)).toBeNull();
    expect((await platform.fetch(`/v1/monitor/channels/${hook.id}/test`, { method: "POST" })).status).toBe(
      404,
    );
  });

  it("sends a test notification through one channel only", async () => {
    const hook = await webhook("/tested");
    const other = await webhook("/not-tested");
    const res = await platform.fetch(`/v1/monitor/channels/${hook.id}/test`, { method: "POST" });
    expect(res.status, await res.clone().text()).toBe(202);
    const outcome = await json<{ notificationId: string; deliveries: { channelId: string }[] }>(res);
    expect(outcome.deliveries.map((d) => d.channelId)).toEqual([hook.id]);
    await drain();
    const [got] = receiver.at("/tested");
    expect(got?.headers["x-alchemist-event"]).toBe("test");
    expect(JSON.parse(got?.body ?? "{}")).toMatchObject({
      id: outcome.notificationId,
      type: "test",
      scope: "acme",
      url: "http://localhost:5173/monitor/notifications",
    });
    expect(receiver.at("/not-tested")).toEqual([]);
    expect(other.id).not.toBe(hook.id);
  });
});

// ---------------------------------------------------------------------------------------------------
// Egress
// ---------------------------------------------------------------------------------------------------

describe("destinations egress refuses", () => {
  it("records a clear refusal for private and metadata addresses, and does not retry", async () => {
    for (const url of ["http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/"]) {
      const hook = await addChannel({ type: "webhook", name: "Inside", url });
      await expect(
        deliverNotification(deps, { scope: "acme", channelId: hook.id, notification: firing() }),
      ).resolves.toBe("failed");
      const last = (await channel(hook.id))?.lastDelivery;
      expect(last).toMatchObject({ ok: false, status: null });
      expect(last?.error).toMatch(/^Refused: .*(private|link-local) address.*only public internet hosts/);
    }
  });

  it("refuses this machine's own receiver when loopback is not allowed", async () => {
    const hook = await webhook("/loopback");
    const strict: Deps = {
      ...deps,
      egress: nodeEgress({ policy: { allowedHosts: undefined, allowLoopback: false } }),
    };
    await expect(
      deliverNotification(strict, { scope: "acme", channelId: hook.id, notification: firing() }),
    ).resolves.toBe("failed");
    expect(receiver.at("/loopback")).toEqual([]);
    expect((await channel(hook.id))?.lastDelivery?.error).toMatch(/loopback address/);
  });
});

// ---------------------------------------------------------------------------------------------------
// Slack, email, in-app
// ---------------------------------------------------------------------------------------------------

describe("slack, email and the in-app inbox", () => {
  it("posts a readable line to a Slack URL that stays sealed", async () => {
    const slackUrl = "https://hooks.slack.example.test/services/T0ACME/B0OPS/n0tShownAgain";
    const slack = await addChannel({ type: "slack", name: "#ops", url: slackUrl });
    expect(slack.url).toBe("https://hooks.slack.example.test");
    expect(JSON.stringify(await listChannels())).not.toContain("n0tShownAgain");
    // The receiver here speaks plain HTTP: requests for the Slack URL are sent to it instead.
    const asked: string[] = [];
    const redirected: Egress = {
      check: (url) => deps.egress.check(url),
      request: (r) => {
        asked.push(r.url);
        return deps.egress.request({ ...r, url: `${receiver.url}/slack` });
      },
    };
    const n = firing({ summary: "Failures <b>spiked</b> & stayed high" });
    await expect(
      deliverNotification(
        { ...deps, egress: redirected },
        { scope: "acme", channelId: slack.id, notification: n },
      ),
    ).resolves.toBe("delivered");
    expect(asked).toEqual([slackUrl]);
    const [got] = receiver.at("/slack");
    expect(got?.headers["x-alchemist-signature"]).toBeUndefined();
    expect(JSON.parse(got?.body ?? "{}")).toEqual({
      text:
        "[CRITICAL] Error rate above 5% firing: error-rate = 0.23 — Failures &lt;b&gt;spiked&lt;/b&gt; &amp; " +
        "stayed high <http://localhost:5173/monitor/notifications|Open in Alchemist>",
    });
  });

  it("writes an email in the Trigger Email extension's shape, once, and lists it in the outbox", async () => {
    const email = await addChannel({
      type: "email",
      name: "Ops",
      to: ["ops@acme.example", "OPS@acme.example", "cto@acme.example"],
    });
    expect(email.to).toEqual(["ops@acme.example", "cto@acme.example"]);
    const n = firing({ ruleName: "Latency <p95>", metric: "latency-p95", value: 2150.5 });
    await notify(deps, "acme", n, [email.id]);
    const doc = await deps.store.get(`mail/${n.id}_${email.id}`);
    expect(doc?.data).toEqual({
      to: ["ops@acme.example", "cto@acme.example"],
      message: {
        subject: "[Alchemist] [CRITICAL] Latency <p95> firing: latency-p95 = 2150.5",
        text: expect.stringContaining(n.summary) as unknown,
        html: expect.stringContaining("<strong>[CRITICAL] Latency &lt;p95&gt; firing") as unknown,
      },
      tenantId: "acme",
      notificationId: n.id,
      createdAt: expect.any(String) as unknown,
    });
    expect((doc?.data as { message: { html: string } }).message.html).not.toContain("<p95>");

    const outbox = await json<{ emails: { id: string; to: string[]; tenantId?: string }[] }>(
      await platform.fetch("/v1/monitor/outbox"),
    );
    expect(outbox.emails[0]).toMatchObject({
      id: `${n.id}_${email.id}`,
      to: ["ops@acme.example", "cto@acme.example"],
    });
    expect(outbox.emails[0]?.tenantId).toBeUndefined();
    const theirs = await platform.fetch("/v1/monitor/outbox", { key: platform.keys.otherTenantOwner });
    expect(await theirs.text()).not.toContain(n.id);
  });

  it("writes the in-app inbox of a workspace without channels, and shows it to that workspace only", async () => {
    const n = firing({ scope: "globex" });
    const outcome = await notify(deps, "globex", n);
    expect(outcome).toEqual({ notificationId: n.id, deliveries: [], inbox: "written" });
    const theirs = await json<{ notifications: Notification[] }>(
      await platform.fetch("/v1/monitor/inbox", { key: platform.keys.otherTenantOwner }),
    );
    expect(theirs.notifications.map((x) => x.id)).toContain(n.id);
    expect(theirs.notifications.find((x) => x.id === n.id)).toMatchObject({ summary: n.summary });
    const ours = await platform.fetch("/v1/monitor/inbox");
    expect(await ours.text()).not.toContain(n.id);
  });

  it("falls back to the inbox when every channel a rule names is gone", async () => {
    const n = firing();
    const outcome = await notify(deps, "acme", n, ["goneChannel000000000"]);
    expect(outcome.inbox).toBe("written");
  });
});

// ---------------------------------------------------------------------------------------------------
// Hostile input and access
// ---------------------------------------------------------------------------------------------------

describe("hostile input and access", () => {
  it("refuses malformed, oversized and invalid channels with clear 400s, creating nothing", async () => {
    const before = (await listChannels()).length;
    const malformed = await platform.fetch("/v1/monitor/channels", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"type": "webhook", "name": ',
    });
    expect(malformed.status).toBe(400);
    const oversized = await platform.fetch("/v1/monitor/channels", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "in-app", name: "x".repeat(3_000_000) }),
    });
    expect([400, 413]).toContain(oversized.status);

    const cases: [unknown, RegExp][] = [
      [
        { type: "email", name: "Too many", to: Array.from({ length: 11 }, (_, i) => `p${i}@acme.example`) },
        /at most 10/,
      ],
      [{ type: "email", name: "None", to: [] }, /at least one/],
      [{ type: "email", name: "Bad", to: ["not-an-address"] }, /email/],
      [{ type: "email", name: "Injected", to: ["a@acme.example\r\nBcc: all@acme.example"] }, /email/],
      [{ type: "webhook", name: "Creds", url: "https://user:pass@hooks.example.test/x" }, /credentials/],
      [{ type: "webhook", name: "Token", url: "https://token@hooks.example.test/x" }, /credentials/],
      [{ type: "webhook", name: "Ftp", url: "ftp://hooks.example.test/x" }, /http/],
      [{ type: "webhook", name: "Js", url: "javascript:alert(1)" }, /http/],
      [{ type: "webhook", name: "Relative", url: "/hooks/x" }, /absolute/],
      [{ type: "webhook", name: "Long", url: `https://hooks.example.test/${"a".repeat(2048)}` }, /2048/],
      [{ type: "slack", name: "Plain", url: "http://hooks.slack.example.test/services/x" }, /https/],
      [{ type: "sms", name: "Pager", to: ["+15550100"] }, /type|Invalid/],
      [{ type: "in-app", name: "Extra", tenantId: "globex" }, /Unrecognized|tenantId/],
      [{ type: "in-app", name: "" }, /name/],
      [{ type: "in-app", name: "bell\u0007" }, /control/],
      [{ type: "webhook", name: "No url" }, /url/],
      [[], /Invalid/],
    ];
    for (const [input, message] of cases) {
      const res = await platform.fetch("/v1/monitor/channels", { method: "POST", json: input });
      expect(res.status, JSON.stringify(input).slice(0, 200)).toBe(400);
      expect((await errorOf(res)).message, JSON.stringify(input).slice(0, 200)).toMatch(message);
    }
    expect((await listChannels()).length).toBe(before);
  });

  it("refuses a 21st channel with a clear 400", async () => {
    for (let i = 0; i < 20; i++) await addChannel({ type: "in-app", name: `Inbox ${i}` }, initechOwner);
    const res = await platform.fetch("/v1/monitor/channels", {
      method: "POST",
      json: { type: "in-app", name: "One too many" },
      key: initechOwner,
    });
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("failed-precondition");
    expect(error.message).toMatch(/20 notification channels/);
    expect((await listChannels(initechOwner)).length).toBe(20);
  });

  it("answers another workspace's channel ids with 404 and leaves them untouched", async () => {
    const hook = await webhook("/theirs");
    const sealedBefore = await deps.store.get(`monitorChannelSecrets/${hook.id}`);
    const key = platform.keys.otherTenantOwner;
    for (const [method, path] of [
      ["DELETE", `/v1/monitor/channels/${hook.id}`],
      ["POST", `/v1/monitor/channels/${hook.id}/test`],
      ["POST", `/v1/monitor/channels/${hook.id}/rotate-secret`],
    ] as const) {
      const res = await platform.fetch(path, { method, key });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect(JSON.stringify(await listChannels(key))).not.toContain(hook.id);
    expect(await channel(hook.id)).toBeDefined();
    expect((await deps.store.get(`monitorChannelSecrets/${hook.id}`))?.data).toEqual(sealedBefore?.data);
    await drain();
    expect(receiver.at("/theirs")).toEqual([]);
  });

  it("lets admins manage channels and refuses viewers and editors with 403", async () => {
    const hook = await webhook("/roles");
    for (const role of ["viewer", "editor"] as const) {
      const key = platform.keys[role];
      for (const [method, path, body] of [
        ["GET", "/v1/monitor/channels", undefined],
        ["POST", "/v1/monitor/channels", { type: "in-app", name: "Mine" }],
        ["DELETE", `/v1/monitor/channels/${hook.id}`, undefined],
        ["POST", `/v1/monitor/channels/${hook.id}/test`, undefined],
        ["POST", `/v1/monitor/channels/${hook.id}/rotate-secret`, undefined],
        ["GET", "/v1/monitor/outbox", undefined],
        ["GET", "/v1/monitor/inbox", undefined],
      ] as const) {
        const res = await platform.fetch(path, { method, key, ...(body ? { json: body } : {}) });
        expect(res.status, `${role} ${method} ${path}`).toBe(403);
      }
    }
    const admin = await platform.fetch("/v1/monitor/channels", {
      method: "POST",
      json: { type: "in-app", name: "Admin's" },
      key: platform.keys.admin,
    });
    expect(admin.status).toBe(201);
    expect(await channel(hook.id)).toBeDefined();
  });

  it("shows a webhook's secret once: never in lists, never in stored records, never in logs", async () => {
    const logged: string[] = [];
    const previousLevel = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = "DEBUG";
    const previousSink = setLogSink((line) => logged.push(line));
    onTestFinished(() => {
      setLogSink(previousSink);
      process.env.LOG_LEVEL = previousLevel;
    });

    const hook = await webhook("/secretive");
    const secret = hook.secret as string;
    expect(secret.length).toBeGreaterThanOrEqual(40);
    receiver.plans.set("/secretive", [503]);
    await notify(deps, "acme", firing(), [hook.id]);
    await drain();
    expect(receiver.at("/secretive")).toHaveLength(2);
    const inside = await addChannel({ type: "webhook", name: "Inside", url: "http://10.0.0.1/x" });
    await deliverNotification(deps, { scope: "acme", channelId: inside.id, notification: firing() });

    const listed = await platform.fetch("/v1/monitor/channels");
    const text = await listed.text();
    expect(text).not.toContain(secret);
    const mine = (JSON.parse(text) as { channels: Record<string, unknown>[] }).channels.find(
      (c) => c.id === hook.id,
    );
    expect(mine).toMatchObject({ hasSecret: true, lastDelivery: { ok: true } });
    expect(mine).not.toHaveProperty("secret");
    expect(
      JSON.stringify((await deps.store.get(`tenants/acme/alertChannels/${hook.id}`))?.data),
    ).not.toContain(secret);
    expect(JSON.stringify((await deps.store.get(`monitorChannelSecrets/${hook.id}`))?.data)).not.toContain(
      secret,
    );
    const openapi = await platform.fetch("/v1/openapi.json", { key: null });
    expect(await openapi.text()).not.toContain(secret);

    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).not.toContain(secret);
  });
});
