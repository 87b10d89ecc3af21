/**
 * What the OpenAI-compatible API's suites talk to: a handbook in a knowledge base of tenant acme, and agents in
 * each state a model can be in (served, unpublished, not on the channel, paused, another tenant's).
 */
import OpenAI from "openai";
import { expect } from "vitest";
import type { TestPlatform } from "@alchemist/local/testing/platform";

export const handbook = `# Acme handbook

## Vacation

Full-time employees receive 25 vacation days per calendar year. Up to 5 unused vacation days can be carried over into the next year.

## Expenses

Submit expense claims in the finance portal within 30 days. Attach an itemised receipt for every expense above 10 euros.
`;

export const vacationQuestion = "How many vacation days do full-time employees get?";

export interface OpenAIFixture {
  readonly kbId: string;
  /** Agents of tenant acme in each state, and one of tenant globex. */
  readonly agents: {
    readonly hr: string;
    readonly draft: string;
    readonly apiOnly: string;
    readonly paused: string;
    readonly globex: string;
  };
}

export async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export async function setUpAgents(platform: TestPlatform): Promise<OpenAIFixture> {
  const createAgent = async (body: Record<string, unknown>, key?: string): Promise<string> => {
    // A small handbook: answers score lower than in a real knowledge base (see calibration.ts).
    const res = await platform.fetch("/v1/agents", {
      method: "POST",
      json: { confidenceThreshold: 0.5, ...body },
      key,
    });
    expect(res.status).toBe(201);
    return (await json<{ id: string }>(res)).id;
  };
  const publish = async (agentId: string, key?: string): Promise<void> => {
    const res = await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {}, key });
    expect(res.status).toBe(200);
  };

  const kb = await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Handbook" } });
  const kbId = (await json<{ id: string }>(kb)).id;
  const doc = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
    method: "POST",
    json: { name: "handbook.md", text: handbook },
  });
  const docId = (await json<{ id: string }>(doc)).id;
  await platform.host.runner.idle();
  const ready = await json<{ status: string }>(
    await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${docId}`),
  );
  expect(ready.status).toBe("ready");

  const hr = { instructions: "Answer HR questions from the handbook.", knowledgeBaseIds: [kbId] };
  const served = await createAgent({ name: "HR assistant", description: "Answers from the handbook", ...hr });
  await publish(served);
  const draft = await createAgent({ name: "Unpublished", ...hr });
  const apiOnly = await createAgent({ name: "REST only", channels: ["api"], ...hr });
  await publish(apiOnly);
  const paused = await createAgent({ name: "Paused", ...hr });
  await publish(paused);
  expect((await platform.fetch(`/v1/agents/${paused}/pause`, { method: "POST" })).status).toBe(200);
  const globex = await createAgent({ name: "Globex helper" }, platform.keys.otherTenantOwner);
  await publish(globex, platform.keys.otherTenantOwner);
  return { kbId, agents: { hr: served, draft, apiOnly, paused, globex } };
}

/** The official client against the platform, as an application would configure it. */
export function openaiClient(platform: TestPlatform, apiKey: string, fetchImpl?: typeof fetch): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${platform.url}/v1`, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
}

/** The error a promise rejects with, so tests can assert on its class and fields. */
export async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(OpenAI.APIError);
  return outcome as InstanceType<typeof OpenAI.APIError>;
}
