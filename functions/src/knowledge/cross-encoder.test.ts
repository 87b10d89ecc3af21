/**
 * Search with the instance's cross-encoder (`deps.reranker`, local mode's LOCAL_MODELS_DIR): it reorders the best
 * candidates, batches to its limit, can be turned off per search, and a model failing at run time leaves the
 * search answering in its lexical order. The adapter itself is tested in local/src/adapters/onnx-models.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Deps } from "../platform/deps.js";
import type { Reranker } from "../platform/ports.js";
import { addDocument } from "./documents.js";
import { createKnowledgeBase } from "./knowledge-bases.js";
import { searchKnowledgeBases } from "./search.js";

let platform: TestPlatform;
let kbId: string;

const documents = {
  "alpha.md": "# Alpha\n\nThe alpha policy covers refunds within 30 days.",
  "beta.md": "# Beta\n\nBeta refunds: the policy gives 14 days.",
  "gamma.md": "# Gamma\n\nGamma mentions the refund policy once.",
};

beforeAll(async () => {
  platform = await startTestPlatform();
  kbId = (await createKnowledgeBase(platform.deps, "acme", { name: "Policies" })).id;
  for (const [fileName, text] of Object.entries(documents)) {
    await addDocument(platform.deps, "acme", kbId, { fileName, bytes: new TextEncoder().encode(text) });
  }
  await platform.host.runner.idle();
});

afterAll(async () => {
  await platform?.close();
});

/** A reranker that prefers passages holding `favourite`, recording what it was asked. */
function fakeReranker(favourite: string, maxBatchSize = 16) {
  const calls: { query: string; passages: string[] }[] = [];
  const reranker: Reranker = {
    info: { provider: "local-onnx", model: "fake", label: "fake cross-encoder" },
    maxBatchSize,
    score(query, passages) {
      calls.push({ query, passages: [...passages] });
      return Promise.resolve(passages.map((p) => (p.includes(favourite) ? 3 : -1)));
    },
  };
  return { reranker, calls };
}

const search = (deps: Deps, options: { crossEncoder?: boolean } = {}) =>
  searchKnowledgeBases(deps, "acme", [kbId], "alpha refund policy days", 3, options);

describe("search with a cross-encoder", () => {
  it("orders the candidates by its relevance, and gives each result its 0..1 rerank score", async () => {
    const plain = await search(platform.deps);
    expect(plain[0]?.docName).toBe("alpha.md");
    expect(plain.every((r) => r.rerankScore === undefined)).toBe(true);

    const { reranker, calls } = fakeReranker("Gamma");
    const results = await search({ ...platform.deps, reranker });
    expect(results.map((r) => r.docName)).toEqual(["gamma.md", "alpha.md", "beta.md"]);
    expect(results.map((r) => r.rerankScore)).toEqual([0.9526, 0.2689, 0.2689]);
    // Ties keep the lexical order; the scores the results carry are still the lexical ones.
    expect(results.find((r) => r.docName === "alpha.md")?.score).toBe(plain[0]?.score);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.query).toBe("alpha refund policy days");
    expect(calls[0]?.passages.sort()).toEqual(
      Object.values(documents)
        .map((t) => t.slice(2))
        .sort(),
    );
  });

  it("sends no more passages per call than the model takes", async () => {
    const { reranker, calls } = fakeReranker("Beta", 2);
    const results = await search({ ...platform.deps, reranker });
    expect(results[0]?.docName).toBe("beta.md");
    expect(calls.map((c) => c.passages.length)).toEqual([2, 1]);
  });

  it("is skipped when a search asks for no cross-encoder", async () => {
    const { reranker, calls } = fakeReranker("Gamma");
    const results = await search({ ...platform.deps, reranker }, { crossEncoder: false });
    expect(results[0]?.docName).toBe("alpha.md");
    expect(calls).toHaveLength(0);
  });

  it("keeps the lexical order when the model fails or answers with the wrong shape", async () => {
    const plain = await search(platform.deps);
    const failing: Reranker = {
      info: { provider: "local-onnx", model: "broken", label: "broken" },
      maxBatchSize: 16,
      score: () => Promise.reject(new Error("onnxruntime: out of memory")),
    };
    expect(await search({ ...platform.deps, reranker: failing })).toEqual(plain);
    const short: Reranker = { ...failing, score: () => Promise.resolve([1]) };
    expect(await search({ ...platform.deps, reranker: short })).toEqual(plain);
    const notNumbers: Reranker = { ...failing, score: (_q, p) => Promise.resolve(p.map(() => Number.NaN)) };
    expect(await search({ ...platform.deps, reranker: notNumbers })).toEqual(plain);
  });
});
