/**
 * Long-term memory with an OpenAI-compatible provider, through the real `openai` SDK against the local fake
 * server: the model reads the end user's message for memories (recorded with method `model` and the model's
 * name, its tokens metered with the turn), recalled memories reach the model in their own labelled section, and
 * an answer that cites [M1] carries the memory as its citation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Trace } from "../accountability/schema.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { startFakeOpenAIServer, type FakeOpenAIServer } from "../platform/testing/fake-openai-server.js";
import { endUserKeyOf } from "./schema.js";

let fake: FakeOpenAIServer;
let platform: TestPlatform;
let agentId: string;

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

beforeAll(async () => {
  fake = await startFakeOpenAIServer();
  platform = await startTestPlatform({
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.baseURL,
    MODEL_TIMEOUT_MS: "2000",
    MODEL_MAX_RETRIES: "0",
  });
  agentId = (
    await json<{ id: string }>(
      await platform.fetch("/v1/agents", {
        method: "POST",
        // The fake server's embeddings are random: confidence from retrieval means nothing here.
        json: { name: "Concierge", confidenceThreshold: 0, longTermMemory: { enabled: true } },
      }),
    )
  ).id;
  await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} });
}, 60_000);
afterAll(async () => {
  await platform?.close();
  await fake?.close();
});
beforeEach(() => fake.reset());

async function say(conversationId: string, content: string) {
  const res = await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
    method: "POST",
    json: { content },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const { message } = await json<{
    message: { content: string; traceId: string; citations: { ref: string; memoryId?: string }[] };
  }>(res);
  return { message, trace: await json<Trace>(await platform.fetch(`/v1/traces/${message.traceId}`)) };
}

const start = async (endUserRef: string) =>
  (
    await json<{ id: string }>(
      await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: { endUserRef } }),
    )
  ).id;

describe("model-based memory", () => {
  it("records what the model read, with its method and model, and meters its tokens with the turn", async () => {
    fake.replyToChat(
      {
        kind: "answer",
        content: JSON.stringify([
          { kind: "fact", key: "city", value: "Lisbon", text: "You live in Lisbon.", confidence: 0.95 },
        ]),
        usage: { prompt_tokens: 120, completion_tokens: 30 },
        model: "gpt-reader",
      },
      { kind: "answer", content: "Thanks, noted.", usage: { prompt_tokens: 200, completion_tokens: 10 } },
    );
    // Portuguese: the rules read English only; the model reads any language.
    const { trace } = await say(await start("guest-model"), "Moro em Lisboa desde o ano passado.");
    expect(trace.memory?.written).toEqual([
      expect.objectContaining({ key: "city", method: "model", supersedes: null }),
    ]);
    expect(trace.generation.usage).toEqual({ inputTokens: 200, outputTokens: 10 });
    const page = await json<{ memories: { text: string; method: string; pattern: string }[] }>(
      await platform.fetch(`/v1/end-users/${endUserKeyOf("guest-model")}`),
    );
    expect(page.memories).toEqual([
      expect.objectContaining({ text: "You live in Lisbon.", method: "model", pattern: "gpt-reader" }),
    ]);
    const usage = await json<{ message: unknown }>(
      await platform.fetch(`/v1/conversations/${trace.conversationId}/messages`),
    );
    expect(JSON.stringify(usage)).toContain('"inputTokens":320');
  });

  it("gives recalled memories to the model in their own section and cites them", async () => {
    fake.replyToChat(
      { kind: "answer", content: "[]" },
      { kind: "answer", content: "You live in Lisbon. [M1]" },
    );
    const { message, trace } = await say(await start("guest-model"), "Where do I live?");
    const answerRequest = fake.requestsTo("/v1/chat/completions")[1]?.body as {
      messages: { role: string; content: string }[];
    };
    const grounding = answerRequest.messages.map((m) => m.content).join("\n");
    expect(grounding).toMatch(/What you remember about this user[^\n]*\n\[M1\] You live in Lisbon\./);
    expect(message.content).toBe("You live in Lisbon. [M1]");
    expect(message.citations).toEqual([expect.objectContaining({ ref: "M1", memoryId: expect.any(String) })]);
    expect(trace.memory?.used).toEqual([expect.objectContaining({ ref: "M1", cited: true })]);
  });

  it("keeps the rules' reading when the model's reply is not the JSON asked for", async () => {
    fake.replyToChat(
      { kind: "answer", content: "Sure! Here are the memories: none" },
      { kind: "answer", content: "Hello Sam." },
    );
    const { trace } = await say(await start("guest-rules"), "My name is Sam.");
    expect(trace.memory?.written).toEqual([expect.objectContaining({ key: "name", method: "rules" })]);
  });
});
