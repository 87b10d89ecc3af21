/**
 * Usage metering over real HTTP: every turn on every channel leaves exactly one usage event, under its trace's
 * id, with the channel, the status and the tokens the trace records; nothing personal is in it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { traceSchema } from "../accountability/schema.js";
import {
  json,
  setUpAgents,
  vacationQuestion,
  type OpenAIFixture,
} from "../channels/openai/testing/fixture.js";
import { turnEventSchema } from "./usage.js";

let platform: TestPlatform;
let agents: OpenAIFixture["agents"];

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PUBLIC_PER_IP: "0" });
  ({ agents } = await setUpAgents(platform));
});

afterAll(async () => {
  await platform?.close();
});

describe("usage events", () => {
  it("meters one event per turn on each channel, matching the turn's trace", async () => {
    // The REST API.
    const conversation = await json<{ id: string }>(
      await platform.fetch(`/v1/agents/${agents.hr}/conversations`, { method: "POST", json: {} }),
    );
    for (const content of [vacationQuestion, "What is the capital of Peru?"]) {
      const res = await platform.fetch(`/v1/conversations/${conversation.id}/messages`, {
        method: "POST",
        json: { content },
      });
      expect(res.status).toBe(200);
    }
    // The OpenAI-compatible API.
    const completion = await platform.fetch("/v1/chat/completions", {
      method: "POST",
      json: { model: agents.hr, messages: [{ role: "user", content: vacationQuestion }] },
    });
    expect(completion.status).toBe(200);
    // The web chat widget.
    const widget = await json<{ key: string }>(
      await platform.fetch("/v1/widgets", {
        method: "POST",
        json: { agentId: agents.hr, allowedOrigins: ["https://shop.example.com"] },
      }),
    );
    const turn = await fetch(`${platform.url}/widget/v1/${widget.key}/messages`, {
      method: "POST",
      headers: {
        origin: "https://shop.example.com",
        "content-type": "application/json",
        "x-widget-visitor": "visitor-of-the-usage-test",
      },
      body: JSON.stringify({ content: vacationQuestion }),
    });
    expect(turn.status).toBe(200);

    const traces = await platform.deps.store.query({ collection: "tenants/acme/traces" });
    const events = (await platform.deps.store.query({ collection: "tenants/acme/usageEvents" })).filter(
      (e) => (e.data as { kind?: string }).kind === "turn",
    );
    expect(events.map((e) => e.id).sort()).toEqual(traces.map((t) => t.id).sort());
    const byChannel: Record<string, number> = {};
    for (const snap of events) {
      const event = turnEventSchema.parse(snap.data);
      const trace = traceSchema.parse(traces.find((t) => t.id === snap.id)?.data);
      expect(event).toMatchObject({
        agentId: trace.agentId,
        conversationId: trace.conversationId,
        channel: trace.channel,
        status: trace.status,
        inputTokens: trace.generation.usage.inputTokens,
        outputTokens: trace.generation.usage.outputTokens,
        at: trace.createdAt,
      });
      expect(event.inputTokens).toBeGreaterThan(0);
      byChannel[event.channel] = (byChannel[event.channel] ?? 0) + 1;
    }
    expect(byChannel).toEqual({ api: 2, "openai-compatible": 1, widget: 1 });
    // Ids, channel and counts only: not the question, not the answer.
    expect(JSON.stringify(events.map((e) => e.data))).not.toMatch(/vacation|Peru|handbook/i);
  });
});
