/**
 * The operator's caps on what agents ask of its model account (ALLOWED_CHAT_MODELS, MAX_OUTPUT_TOKENS,
 * MAX_CONTEXT_TOKENS), over the local platform's REST API: what the studio is told, saves refused with
 * what is allowed, defaults that fit, and versions saved under higher caps clamped at turn time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Trace } from "../accountability/schema.js";
import { loadConfig } from "../platform/config.js";
import { type Deps } from "../platform/deps.js";
import { setDeps } from "../platform/process-deps.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { answer, scriptedModel } from "./testing/scripted-model.js";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({
    CHAT_MODEL: "gpt-4o-mini",
    ALLOWED_CHAT_MODELS: "gpt-4o, gpt-4.1-mini,gpt-4o",
    MAX_OUTPUT_TOKENS: "2000",
    MAX_CONTEXT_TOKENS: "16000",
    TOOL_ALLOWED_HOSTS: "api.example.com,*.partner.test",
  });
});
afterEach(() => {
  setDeps(platform.deps);
});
afterAll(async () => {
  await platform?.close();
});

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: { issues?: { path: string; message: string }[]; allowed?: unknown };
  };
}

/** The platform as it was before the operator lowered its caps. */
function withGenerousCaps(): void {
  const deps: Deps = {
    ...platform.deps,
    config: {
      ...platform.deps.config,
      modelCaps: {
        allowedChatModels: ["gpt-4o-mini", "gpt-5"],
        maxOutputTokens: 16_384,
        maxContextTokens: 1_000_000,
      },
    },
  };
  setDeps(deps);
}

const createAgent = (body: Record<string, unknown>) =>
  platform.fetch("/v1/agents", {
    method: "POST",
    json: { name: "Travel desk", instructions: "Answer travel questions.", confidenceThreshold: 0, ...body },
  });

async function created(res: Response): Promise<string> {
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("settings", () => {
  it("offer the platform's model and ALLOWED_CHAT_MODELS, with caps below the schema's maxima by default", () => {
    const defaults = loadConfig({ ALCHEMIST_MODE: "local" }).modelCaps;
    expect(defaults).toEqual({
      allowedChatModels: ["gpt-4o-mini"],
      maxOutputTokens: 4096,
      maxContextTokens: 32_000,
    });
    expect(
      loadConfig({ CHAT_MODEL: "llama3.1", ALLOWED_CHAT_MODELS: "qwen2.5, llama3.1" }).modelCaps
        .allowedChatModels,
    ).toEqual(["llama3.1", "qwen2.5"]);
    expect(() => loadConfig({ MAX_OUTPUT_TOKENS: "20000" })).toThrow(/MAX_OUTPUT_TOKENS/);
    expect(() => loadConfig({ MAX_CONTEXT_TOKENS: "500" })).toThrow(/MAX_CONTEXT_TOKENS/);
  });
});

describe("GET /v1/agent-options", () => {
  it("tells anyone in the workspace what an agent may be configured with", async () => {
    const res = await platform.fetch("/v1/agent-options", { key: platform.keys.viewer });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      models: {
        default: {
          model: platform.deps.chat.info.model,
          label: platform.deps.chat.info.label,
          provider: platform.deps.chat.info.provider,
        },
        allowed: ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"],
        // The workspace's fine-tuned models (none here; tuning/finetune.test.ts registers one).
        tuned: [],
      },
      maxOutputTokens: { min: 16, max: 2000, default: 800 },
      contextBudgetTokens: { min: 1000, max: 16_000, default: 8000 },
      toolHosts: ["api.example.com", "*.partner.test"],
    });
    expect((await platform.fetch("/v1/agent-options", { key: null })).status).toBe(401);
  });
});

describe("saving an agent", () => {
  it("refuses a model, output or context outside the caps, listing every problem and what is allowed", async () => {
    const res = await createAgent({
      model: { name: "gpt-5", temperature: 0.2, maxOutputTokens: 16_384 },
      contextBudgetTokens: 1_000_000,
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.code).toBe("invalid-argument");
    expect(error.message).toBe(
      'model.name: model "gpt-5" is not offered on this platform; choose one of gpt-4o-mini, gpt-4o, gpt-4.1-mini, ' +
        "or leave it empty for the platform's model (and 2 more)",
    );
    expect(error.details?.issues).toEqual([
      { path: "model.name", message: expect.stringContaining('"gpt-5" is not offered') },
      {
        path: "model.maxOutputTokens",
        message: "maxOutputTokens 16,384 is above this platform's limit of 2,000",
      },
      {
        path: "contextBudgetTokens",
        message: "contextBudgetTokens 1,000,000 is above this platform's limit of 16,000",
      },
    ]);
    expect(error.details?.allowed).toEqual({
      models: ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini"],
      maxOutputTokens: 2000,
      contextBudgetTokens: 16_000,
    });
  });

  it("accepts what is offered, refuses the same on a draft change, and still lets an old draft be renamed", async () => {
    const agentId = await created(
      await createAgent({
        model: { name: "gpt-4o", temperature: 0.2, maxOutputTokens: 2000 },
        contextBudgetTokens: 16_000,
      }),
    );
    const patch = await platform.fetch(`/v1/agents/${agentId}`, {
      method: "PATCH",
      json: { model: { name: "gpt-4o", maxOutputTokens: 4000 } },
    });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as ErrorBody).error.details?.issues?.[0]?.path).toBe(
      "model.maxOutputTokens",
    );

    withGenerousCaps();
    const old = await created(await createAgent({ model: { name: "gpt-5", maxOutputTokens: 16_384 } }));
    setDeps(platform.deps);
    const rename = await platform.fetch(`/v1/agents/${old}`, {
      method: "PATCH",
      json: { name: "Travel desk (old)" },
    });
    expect(rename.status).toBe(200);
  });

  it("fits the defaults under caps lower than them", async () => {
    setDeps({
      ...platform.deps,
      config: {
        ...platform.deps.config,
        modelCaps: { ...platform.deps.config.modelCaps, maxOutputTokens: 500, maxContextTokens: 4000 },
      },
    });
    const agentId = await created(await createAgent({}));
    const agent = (await (await platform.fetch(`/v1/agents/${agentId}`)).json()) as {
      model: { maxOutputTokens: number };
      contextBudgetTokens: number;
    };
    expect(agent.model.maxOutputTokens).toBe(500);
    expect(agent.contextBudgetTokens).toBe(4000);
  });

  it("refuses to publish a draft saved under higher caps", async () => {
    withGenerousCaps();
    const agentId = await created(await createAgent({ contextBudgetTokens: 100_000 }));
    setDeps(platform.deps);
    const res = await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(
      /^contextBudgetTokens: .*limit of 16,000/,
    );
  });
});

describe("a version saved under higher caps", () => {
  it("answers within today's caps, and the trace records each clamp", async () => {
    withGenerousCaps();
    const agentId = await created(
      await createAgent({
        model: { name: "gpt-5", temperature: 0.3, maxOutputTokens: 16_384 },
        contextBudgetTokens: 1_000_000,
      }),
    );
    expect((await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} })).status).toBe(
      200,
    );
    const model = scriptedModel([() => answer("I cannot find that.")]);
    setDeps({ ...platform.deps, chat: model });

    const conversation = (await (
      await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: {} })
    ).json()) as { id: string };
    const res = await platform.fetch(`/v1/conversations/${conversation.id}/messages`, {
      method: "POST",
      json: { content: "Can I fly business class?" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const { message } = (await res.json()) as { message: { traceId: string } };

    expect(model.requests[0]?.model).toBeUndefined(); // the platform's own model
    expect(model.requests[0]?.maxOutputTokens).toBe(2000);
    const trace = (await (await platform.fetch(`/v1/traces/${message.traceId}`)).json()) as Trace;
    expect(trace.model).toMatchObject({ model: "scripted", maxOutputTokens: 2000, temperature: 0.3 });
    expect(trace.model.clamped).toEqual([
      'model "gpt-5" is no longer offered: the platform\'s model answered instead',
      "maxOutputTokens 16384 lowered to the platform's limit of 2000",
      "contextBudgetTokens 1000000 lowered to the platform's limit of 16000",
    ]);
    expect(trace.context.budgetTokens).toBe(16_000);
  });

  it("records no clamp when the version fits", async () => {
    const agentId = await created(await createAgent({ model: { name: "gpt-4o", maxOutputTokens: 300 } }));
    expect((await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} })).status).toBe(
      200,
    );
    const model = scriptedModel([() => answer("I cannot find that.")]);
    setDeps({ ...platform.deps, chat: model });
    const conversation = (await (
      await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: {} })
    ).json()) as { id: string };
    const res = await platform.fetch(`/v1/conversations/${conversation.id}/messages`, {
      method: "POST",
      json: { content: "Can I fly business class?" },
    });
    const { message } = (await res.json()) as { message: { traceId: string } };
    expect(model.requests[0]).toMatchObject({ model: "gpt-4o", maxOutputTokens: 300 });
    const trace = (await (await platform.fetch(`/v1/traces/${message.traceId}`)).json()) as Trace;
    expect(trace.model.clamped).toEqual([]);
  });
});
