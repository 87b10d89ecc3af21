/**
 * The fine-tuning suites' platform: the local platform with the fake of OpenAI's API as its provider, a small
 * handbook, published agents that answer from it and conversations whose answers are rated up (what an export
 * turns into training examples).
 */
import { expect } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { startFakeOpenAIServer, type FakeOpenAIServer } from "../../platform/testing/fake-openai-server.js";

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export interface TuningPlatform {
  readonly fake: FakeOpenAIServer;
  readonly platform: TestPlatform;
  /** A published agent over the handbook. */
  makeAgent(name: string): Promise<string>;
  /** `n` conversations with `agentId`, each with one answer rated up; answers their ids. */
  ratedAnswers(agentId: string, n: number): Promise<string[]>;
}

export async function startTuningPlatform(): Promise<TuningPlatform> {
  const fake = await startFakeOpenAIServer({ fineTuningPolls: 3 });
  const platform = await startTestPlatform({
    OPENAI_API_KEY: fake.apiKey,
    OPENAI_BASE_URL: fake.baseURL,
    MODEL_TIMEOUT_MS: "2000",
    MODEL_MAX_RETRIES: "0",
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
  });
  const kb = await json<{ id: string }>(
    await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "HR" } }),
  );
  await platform.fetch(`/v1/knowledge-bases/${kb.id}/documents`, {
    method: "POST",
    json: {
      name: "handbook.md",
      text: "# Vacation\n\nFull-time employees receive 25 vacation days per year.\n",
    },
  });
  await platform.host.runner.idle();
  return {
    fake,
    platform,
    async makeAgent(name) {
      const id = (
        await json<{ id: string }>(
          await platform.fetch("/v1/agents", {
            method: "POST",
            // The fake server's embeddings are random: never abstain for want of confidence.
            json: {
              name,
              instructions: "You answer HR questions.",
              knowledgeBaseIds: [kb.id],
              confidenceThreshold: 0,
            },
          }),
        )
      ).id;
      await platform.fetch(`/v1/agents/${id}/publish`, { method: "POST", json: {} });
      return id;
    },
    async ratedAnswers(agentId, n) {
      const conversations: string[] = [];
      for (let i = 0; i < n; i++) {
        const started = await json<{ id: string }>(
          await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: {} }),
        );
        const res = await platform.fetch(`/v1/conversations/${started.id}/messages`, {
          method: "POST",
          json: { content: `Question ${i}: how many vacation days do full-time employees get?` },
        });
        expect(res.status, await res.clone().text()).toBe(200);
        const { message } = await json<{ message: { id: string } }>(res);
        const rated = await platform.fetch(
          `/v1/conversations/${started.id}/messages/${message.id}/feedback`,
          { method: "PUT", json: { rating: "up" } },
        );
        expect(rated.status).toBe(200);
        conversations.push(started.id);
      }
      return conversations;
    },
  };
}
