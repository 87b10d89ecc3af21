/**
 * Issue 21's acceptance: a model that fails 20% of its calls for 6 minutes fires the turn error-rate alert
 * exactly once, delivers exactly one signed `fired` webhook, and resolves exactly once after recovery (one
 * signed `resolved` webhook). The turns run on a simulated clock (one tick per simulated minute) against the
 * real local platform; the webhook goes out through the notification queue and the egress guard to a
 * receiver in this process.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { startConversation } from "../agents/conversations.js";
import { sendMessage } from "../agents/turn.js";
import { setUpAgents, vacationQuestion } from "../channels/openai/testing/fixture.js";
import { manualClock } from "../platform/clock.js";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import type { ChatModel } from "../platform/ports.js";
import { createChannel, verifySignature } from "./notify.js";
import { incidentSchema, incidentsPath, notificationSchema, type Notification } from "./schema.js";
import { monitorTick } from "./tick.js";

interface Received {
  readonly body: string;
  readonly signature: string | undefined;
  readonly notification: Notification;
}

let platform: TestPlatform;
let hr: string;
let receiver: http.Server;
let receiverUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({
        body,
        signature: req.headers["x-alchemist-signature"] as string | undefined,
        notification: notificationSchema.parse(JSON.parse(body)),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
  platform = await startTestPlatform({
    ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true",
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
  });
  ({
    agents: { hr },
  } = await setUpAgents(platform));
}, 120_000);

afterAll(async () => {
  await platform?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

/** A random source that repeats from its seed: the injected faults are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The chat model, failing `rate` of its calls while `failing()` says so. */
function faultyChat(chat: ChatModel, rate: number, failing: () => boolean, random: () => number): ChatModel {
  const fail = () => failing() && random() < rate;
  return {
    info: chat.info,
    complete: (request) =>
      fail()
        ? Promise.reject(new AppError("unavailable", "injected fault: the model provider is down"))
        : chat.complete(request),
    stream: (request) => {
      if (fail()) throw new AppError("unavailable", "injected fault: the model provider is down");
      return chat.stream(request);
    },
  };
}

describe("injected model faults", () => {
  it("fire the error-rate alert once, deliver one signed webhook, and resolve once", async () => {
    // Half a minute past a minute: each tick evaluates the minutes that just ended.
    const clock = manualClock(new Date("2030-03-04T10:00:30.000Z"));
    let minute = 0;
    const faultFrom = 3;
    const faultMinutes = 6;
    const failing = () => minute >= faultFrom && minute < faultFrom + faultMinutes;
    const sim: Deps = {
      ...platform.deps,
      clock,
      chat: faultyChat(platform.deps.chat, 0.2, failing, seeded(21)),
    };
    const channel = await createChannel(sim, "acme", { type: "webhook", name: "on-call", url: receiverUrl });
    expect(channel.secret).toBeTruthy();

    const turnsPerMinute = 20;
    let failedTurns = 0;
    const timeline: { minute: number; state: string; value: number | null }[] = [];
    for (; minute < 20; minute++) {
      for (let i = 0; i < turnsPerMinute; i++) {
        const { id } = await startConversation(sim, "acme", hr, { channel: "api" });
        try {
          await sendMessage(sim, "acme", id, { content: vacationQuestion });
        } catch (e) {
          expect((e as AppError).code).toBe("unavailable");
          failedTurns++;
        }
      }
      clock.advance(60_000);
      const report = await monitorTick(sim);
      expect(report.failedScopes).toEqual([]);
      const errorRate = report.evaluations.acme?.find((e) => e.ruleId === "error-rate");
      timeline.push({ minute, state: errorRate?.state ?? "none", value: errorRate?.value ?? null });
      await platform.host.runner.idle();
    }

    // The faults were real: about 20% of the turns in the six minutes failed.
    expect(failedTurns).toBeGreaterThan(turnsPerMinute * faultMinutes * 0.1);
    expect(failedTurns).toBeLessThan(turnsPerMinute * faultMinutes * 0.3);

    // The alert fired during the faults and was back to ok by the end.
    const firing = timeline.filter((t) => t.state === "firing");
    expect(firing.length).toBeGreaterThan(0);
    expect(firing[0]?.minute).toBeGreaterThanOrEqual(faultFrom);
    expect(firing[0]?.minute).toBeLessThan(faultFrom + faultMinutes);
    expect(timeline.at(-1)?.state).toBe("ok");

    // One incident, fired once and resolved once.
    const incidents = (await platform.deps.store.query({ collection: incidentsPath("acme") }))
      .map((d) => incidentSchema.parse(d.data))
      .filter((i) => i.ruleId === "error-rate");
    expect(incidents).toHaveLength(1);
    const incident = incidents[0] as (typeof incidents)[number];
    expect(incident.status).toBe("resolved");
    expect(incident.events.filter((e) => e.type === "fired")).toHaveLength(1);
    expect(incident.events.filter((e) => e.type === "resolved")).toHaveLength(1);
    expect(incident.peak).toBeGreaterThan(0.05);

    // Exactly one `fired` and one `resolved` webhook, each signed with the channel's secret.
    const ofRule = received.filter((r) => r.notification.ruleId === "error-rate");
    expect(ofRule.map((r) => r.notification.type)).toEqual(["fired", "resolved"]);
    for (const r of ofRule) {
      const t = Number(/t=(\d+)/.exec(r.signature ?? "")?.[1]);
      expect(verifySignature(channel.secret as string, r.signature ?? "", r.body, t)).toBe(true);
      expect(verifySignature("another-secret-entirely-0000000000", r.signature ?? "", r.body, t)).toBe(false);
    }
    // No other rule fired on this traffic (the answers were the same; only failures were added).
    expect(received.filter((r) => r.notification.ruleId !== "error-rate")).toEqual([]);
  }, 180_000);
});
