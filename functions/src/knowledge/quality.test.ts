/**
 * Retrieval quality on the fixture corpus (every supported format, 100+ marked questions): hybrid search
 * must beat both vector-only and keyword-only retrieval. The full lexical reranking (rerank.ts; by default only
 * its navigation rule applies) is printed beside them: its weights were chosen on this corpus and the held-out
 * tuning half, so its figures here are in sample. heldout-retrieval.test.ts reports the held-out corpus.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { addDocument } from "./documents.js";
import { createKnowledgeBase } from "./knowledge-bases.js";
import { loadCorpus, type AnswerableQuestion } from "./testing/corpus.js";
import { defaultRerankWeights, type RerankWeights } from "./rerank.js";
import { defaultSearchMode, type SearchMode } from "./search.js";
import { evaluateRetrieval, formatQuality, type ModeQuality } from "./testing/retrieval-eval.js";

let platform: TestPlatform;
let kbId: string;
let questions: AnswerableQuestion[];
const rows: ModeQuality[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  const corpus = await loadCorpus();
  questions = corpus.questions.filter((q): q is AnswerableQuestion => q.answerable);
  kbId = (await createKnowledgeBase(platform.deps, "acme", { name: "Northwind corpus" })).id;
  for (const file of corpus.files) {
    await addDocument(platform.deps, "acme", kbId, { fileName: file.name, bytes: file.bytes });
  }
  await platform.host.runner.idle(120_000);
}, 180_000);

afterAll(async () => {
  if (rows.length > 0) console.log(`\nRetrieval quality on the fixture corpus\n${formatQuality(rows)}\n`);
  await platform?.close();
});

describe("retrieval quality", () => {
  it("indexes every document of the corpus", async () => {
    const docs = await platform.deps.store.query<{ status: string; name: string; error: string | null }>({
      collection: `tenants/acme/knowledgeBases/${kbId}/documents`,
    });
    expect(
      docs.filter((d) => d.data.status !== "ready").map((d) => `${d.data.name}: ${d.data.error}`),
    ).toEqual([]);
    expect(docs.length).toBeGreaterThanOrEqual(8);
  });

  it("hybrid retrieval beats vector-only and keyword-only on recall@5 and MRR", async () => {
    const evaluate = (
      mode: SearchMode,
      options: { fusion?: "weighted" | "rrf"; lexical?: RerankWeights } = {},
    ) => evaluateRetrieval(platform.deps, "acme", [kbId], questions, { k: 5, mode, ...options });
    const vector = await evaluate("vector");
    const keyword = await evaluate("keyword");
    const hybrid = await evaluate("hybrid");
    const rrf = await evaluate("hybrid", { fusion: "rrf" });
    rows.push(vector, keyword, hybrid, rrf);
    rows.push(await evaluate("keyword", { lexical: defaultRerankWeights }));
    rows.push(await evaluate("hybrid", { lexical: defaultRerankWeights }));
    expect(questions.length).toBeGreaterThanOrEqual(60);
    expect(defaultSearchMode).toBe("hybrid");
    expect(hybrid.recallAtK).toBeGreaterThanOrEqual(Math.max(vector.recallAtK, keyword.recallAtK));
    expect(hybrid.mrr).toBeGreaterThan(vector.mrr);
    expect(hybrid.mrr).toBeGreaterThan(keyword.mrr);
  }, 120_000);
});
