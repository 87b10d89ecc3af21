/** `GET /v1/agents` says when each agent last talked with someone (the agents list's "last activity"). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

interface Listed {
  readonly id: string;
  readonly lastActivityAt: string | null;
}

async function listed(): Promise<Map<string, string | null>> {
  const res = await platform.fetch("/v1/agents");
  expect(res.status).toBe(200);
  const { agents } = (await res.json()) as { agents: Listed[] };
  return new Map(agents.map((a) => [a.id, a.lastActivityAt]));
}

async function createAgent(name: string): Promise<string> {
  const res = await platform.fetch("/v1/agents", {
    method: "POST",
    json: { name, instructions: "Answer briefly.", knowledgeBaseIds: [] },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("agents' last activity", () => {
  it("is null until a conversation starts, then the newest conversation's last change, per agent", async () => {
    const quiet = await createAgent("Quiet");
    const busy = await createAgent("Busy");
    expect((await listed()).get(busy)).toBeNull();

    const started = await platform.fetch(`/v1/agents/${busy}/conversations`, {
      method: "POST",
      json: { version: "draft" },
    });
    expect(started.status).toBe(201);
    const { id: conversationId } = (await started.json()) as { id: string };
    const conversation = (await (await platform.fetch(`/v1/conversations/${conversationId}`)).json()) as {
      updatedAt: string;
    };

    const activity = await listed();
    expect(activity.get(busy)).toBe(conversation.updatedAt);
    expect(activity.get(quiet)).toBeNull();
  });
});
