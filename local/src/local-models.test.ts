/**
 * An instance with LOCAL_MODELS_DIR, end to end: its embedder indexes and searches, its cross-encoder reorders
 * search results and an agent's evidence, /health and traces name both models, and a folder that cannot be
 * used stops `npm start` with a message instead of a crash later. Tiny random-weight models stand in for real
 * ones (testing/tiny-models): this proves the wiring, not retrieval quality.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeEntry } from "./testing/child-runtime.js";
import { startTestPlatform, type TestPlatform } from "./testing/platform.js";
import { writeTinyModel } from "./testing/tiny-models.js";

const words = ["refund", "policy", "days", "shipping", "warranty", "how", "many", "the", "is"];
let platform: TestPlatform;
let modelsDir: string;

beforeAll(async () => {
  modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-models-"));
  writeTinyModel(modelsDir, "embedder", { words, dimensions: 16, settings: { name: "tiny-embedder" } });
  writeTinyModel(modelsDir, "reranker", { words, dimensions: 16, settings: { name: "tiny-reranker" } });
  platform = await startTestPlatform({ LOCAL_MODELS_DIR: modelsDir });
}, 60_000);

afterAll(async () => {
  await platform?.close();
  fs.rmSync(modelsDir, { recursive: true, force: true });
});

async function json<T>(res: Response): Promise<T> {
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as T;
}

interface Result {
  chunkId: string;
  score: number;
  rerankScore?: number;
}

describe("an instance with LOCAL_MODELS_DIR", () => {
  it("names its models in /health, honestly", async () => {
    const health = await json<{ models: Record<string, Record<string, unknown> | null> }>(
      await platform.fetch("/health", { key: "" }),
    );
    expect(health.models.embedder).toEqual({
      provider: "local-onnx",
      model: "tiny-embedder",
      dimensions: 16,
      label: "tiny-embedder (local ONNX embedder, 16 dimensions)",
    });
    expect(health.models.reranker).toEqual({
      provider: "local-onnx",
      model: "tiny-reranker",
      label: "tiny-reranker (local ONNX cross-encoder)",
    });
  });

  it("indexes with its embedder and orders search results by its cross-encoder", async () => {
    const { id: kbId } = await json<{ id: string }>(
      await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Policies" } }),
    );
    const texts = {
      "refunds.md": "# Refunds\n\nThe refund policy is 30 days from delivery.",
      "shipping.md": "# Shipping\n\nShipping takes 5 days. The policy covers every order.",
      "warranty.md": "# Warranty\n\nThe warranty is two years; the policy names the exceptions.",
    };
    for (const [name, text] of Object.entries(texts)) {
      await json(
        await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
          method: "POST",
          json: { name, text },
        }),
      );
    }
    await platform.host.runner.idle();
    const chunks = await platform.deps.store.query<{ embeddingModel: string }>({
      collection: `tenants/acme/knowledgeBases/${kbId}/chunks`,
    });
    expect(chunks).toHaveLength(3);
    for (const c of chunks) expect(c.data.embeddingModel).toMatch(/^tiny-embedder@onnx-[0-9a-f]{16}\/16$/);

    const { results } = await json<{ results: Result[] }>(
      await platform.fetch(`/v1/knowledge-bases/${kbId}/search`, {
        method: "POST",
        json: { query: "How many days is the refund policy?", k: 3 },
      }),
    );
    expect(results).toHaveLength(3);
    const rerank = results.map((r) => r.rerankScore as number);
    rerank.forEach((s) => expect(s).toBeGreaterThan(0));
    expect(rerank).toEqual([...rerank].sort((a, b) => b - a));
    // Each score is the cross-encoder's own logit for the pair, mapped to 0..1 (each chunk begins with its heading).
    const logits = (await platform.deps.reranker?.score(
      "How many days is the refund policy?",
      results.map((r) => (r as Result & { text: string }).text),
    )) as number[];
    results.forEach((r, i) =>
      expect(r.rerankScore).toBeCloseTo(1 / (1 + Math.exp(-(logits[i] as number))), 4),
    );
  });

  it("records the reranker and each passage's rerank score in an answer's trace", async () => {
    const { id: kbId } = await json<{ id: string }>(
      await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Handbook" } }),
    );
    await json(
      await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
        method: "POST",
        json: { name: "handbook.md", text: "# Refunds\n\nThe refund policy is 30 days from delivery." },
      }),
    );
    await platform.host.runner.idle();
    const { id: agentId } = await json<{ id: string }>(
      await platform.fetch("/v1/agents", {
        method: "POST",
        json: { name: "Helper", knowledgeBaseIds: [kbId] },
      }),
    );
    await json(await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} }));
    const { id: conversationId } = await json<{ id: string }>(
      await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: {} }),
    );
    const { message } = await json<{ message: { traceId: string } }>(
      await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
        method: "POST",
        json: { content: "How many days is the refund policy?" },
      }),
    );
    const trace = await json<{
      embedder: { provider: string; model: string };
      reranker: { provider: string; model: string } | null;
      retrieval: { candidates: { rerankScore?: number }[] };
    }>(await platform.fetch(`/v1/traces/${message.traceId}`));
    expect(trace.embedder).toMatchObject({ provider: "local-onnx", model: "tiny-embedder" });
    expect(trace.reranker).toEqual({ provider: "local-onnx", model: "tiny-reranker" });
    expect(trace.retrieval.candidates.length).toBeGreaterThan(0);
    for (const c of trace.retrieval.candidates) expect(c.rerankScore).toBeGreaterThan(0);
  });
});

describe("npm start with a LOCAL_MODELS_DIR it cannot use", () => {
  const start = (dir: string) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-data-"));
    try {
      return spawnSync(process.execPath, [runtimeEntry], {
        env: { ...process.env, ALCHEMIST_DATA_DIR: dataDir, PORT: "0", LOCAL_MODELS_DIR: dir },
        encoding: "utf8",
        timeout: 60_000,
      });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };

  it("stops before serving, says what is wrong and how to start without it", () => {
    const missing = start(path.join(os.tmpdir(), "alchemist-no-models-here"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/LOCAL_MODELS_DIR: .*alchemist-no-models-here does not exist/);
    expect(missing.stderr).toMatch(/unset LOCAL_MODELS_DIR to start with the built-in models/);
    expect(missing.stdout).not.toMatch(/http:\/\//);

    const broken = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-models-"));
    const { dir } = writeTinyModel(broken, "reranker", { words });
    fs.writeFileSync(path.join(dir, "onnx", "model.onnx"), "garbage");
    const result = start(broken);
    fs.rmSync(broken, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/LOCAL_MODELS_DIR reranker: .* could not be loaded/);
  });
});
