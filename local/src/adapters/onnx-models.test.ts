/**
 * LOCAL_MODELS_DIR's adapter against tiny random-weight models the tests write themselves (testing/tiny-models):
 * what the models return is recomputed from the same weights in plain TypeScript, so tokenization, batching,
 * pooling and prefixes are checked for real; broken folders must stop the start with a message naming the file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import {
  referenceEmbedding,
  referenceLogits,
  tinyVocabulary,
  writeTinyModel,
} from "../testing/tiny-models.js";
import { LocalModelsError, openLocalModels } from "./onnx-models.js";

const words = ["the", "refund", "policy", "is", "days", "how", "many", "query", "passage"];
const roots: string[] = [];
function modelsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-models-"));
  roots.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of roots) fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

/** Token ids the way a BERT WordPiece tokenizer splits these tests' texts, computed independently. */
function idsOf(vocabulary: readonly string[], text: string): number[] {
  const id = (t: string) => {
    const i = vocabulary.indexOf(t);
    if (i < 0) throw new Error(`no token ${t}`);
    return i;
  };
  const out: number[] = [];
  for (const word of text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? []) {
    if (vocabulary.includes(word)) out.push(id(word));
    else out.push(...[...word].map((ch, i) => id(i === 0 ? ch : `##${ch}`)));
  }
  return out;
}

const close = (actual: readonly number[], expected: readonly number[]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((x, i) => expect(x).toBeCloseTo(expected[i] as number, 5));
};

describe("the local ONNX embedder", () => {
  it("embeds as the model computes: WordPiece ids, masked mean pooling, unit length", async () => {
    const dir = modelsDir();
    const model = writeTinyModel(dir, "embedder", { words, dimensions: 8 });
    const { embedder, reranker } = await openLocalModels(dir);
    expect(reranker).toBeUndefined();
    expect(embedder?.info).toMatchObject({
      provider: "local-onnx",
      model: "embedder",
      dimensions: 8,
      label: "embedder (local ONNX embedder, 8 dimensions)",
    });
    const text = "The refund policy is 30 days.";
    const cls = model.vocabulary.indexOf("[CLS]");
    const sep = model.vocabulary.indexOf("[SEP]");
    const expected = referenceEmbedding(model.weights, [cls, ...idsOf(model.vocabulary, text), sep]);
    const [vector] = (await embedder?.embed([text])) ?? [];
    close(vector ?? [], expected);
    expect(Math.hypot(...(vector ?? []))).toBeCloseTo(1, 6);
  });

  it("batches long lists without changing a vector (padding is masked) and keeps their order", async () => {
    const dir = modelsDir();
    writeTinyModel(dir, "embedder", { words, settings: { batchSize: 3 } });
    const { embedder } = await openLocalModels(dir);
    expect(embedder?.maxBatchSize).toBe(3);
    const texts = Array.from({ length: 8 }, (_, i) => `how many days ${"x".repeat(i * 5)} ${i}`);
    const together = (await embedder?.embed(texts)) ?? [];
    expect(together).toHaveLength(8);
    for (const [i, text] of texts.entries()) {
      const [alone] = (await embedder?.embed([text])) ?? [];
      close(together[i] ?? [], alone ?? []);
    }
    expect(await embedder?.embed([])).toEqual([]);
  });

  it("puts the configured prefixes before questions and passages (E5-style models)", async () => {
    const prefixedDir = modelsDir();
    const plainDir = modelsDir();
    const settings = { queryPrefix: "query: ", documentPrefix: "passage: ", name: "tiny-e5" };
    writeTinyModel(prefixedDir, "embedder", { words, settings });
    writeTinyModel(plainDir, "embedder", { words });
    const prefixed = (await openLocalModels(prefixedDir)).embedder;
    const plain = (await openLocalModels(plainDir)).embedder;
    expect(prefixed?.info.label).toBe("tiny-e5 (local ONNX embedder, 8 dimensions)");
    // The same weights: the prefixed model's question is the plain model's "query: …" text, and so on.
    expect(await prefixed?.embed(["refund"], { kind: "query" })).toEqual(
      await plain?.embed(["query: refund"]),
    );
    expect(await prefixed?.embed(["refund"], { kind: "document" })).toEqual(
      await plain?.embed(["passage: refund"]),
    );
    expect(await prefixed?.embed(["refund"])).toEqual(await plain?.embed(["passage: refund"]));
    // Settings are part of the version: vectors made with other prefixes are not compared.
    expect(prefixed?.info.version).not.toBe(plain?.info.version);
  });

  it("keys stored vectors by the weights: other weights give another version", async () => {
    const a = modelsDir();
    const b = modelsDir();
    writeTinyModel(a, "embedder", { words, seed: 1 });
    writeTinyModel(b, "embedder", { words, seed: 7 });
    const [first, second, again] = await Promise.all([
      openLocalModels(a),
      openLocalModels(b),
      openLocalModels(a),
    ]);
    expect(first.embedder?.info.version).not.toBe(second.embedder?.info.version);
    expect(first.embedder?.info.version).toBe(again.embedder?.info.version);
    // Loaded at the same time, each instance still reads its own folder.
    expect(await first.embedder?.embed(["policy"])).not.toEqual(await second.embedder?.embed(["policy"]));
  });
});

describe("the local ONNX reranker", () => {
  it("scores query-passage pairs as the model computes, one score per passage, in batches", async () => {
    const dir = modelsDir();
    const model = writeTinyModel(dir, "reranker", { words, settings: { batchSize: 2 } });
    const { embedder, reranker } = await openLocalModels(dir);
    expect(embedder).toBeUndefined();
    expect(reranker?.info).toEqual({
      provider: "local-onnx",
      model: "reranker",
      label: "reranker (local ONNX cross-encoder)",
    });
    const query = "How many days?";
    const passages = ["The refund policy is 30 days.", "Nothing here", "policy", "days days days", "is"];
    const scores = (await reranker?.score(query, passages)) ?? [];
    const v = model.vocabulary;
    const [cls, sep] = [v.indexOf("[CLS]"), v.indexOf("[SEP]")];
    const q = idsOf(v, query);
    const expected = passages.map((p) => {
      const ids = [cls, ...q, sep, ...idsOf(v, p), sep];
      const types = ids.map((_, i) => (i <= q.length + 1 ? 0 : 1));
      return referenceLogits(model.weights, ids, types)[0] as number;
    });
    close(scores, expected);
  });

  it("reads a two-label model as log-odds of 'relevant'", async () => {
    const dir = modelsDir();
    const model = writeTinyModel(dir, "reranker", { words, labels: 2 });
    const { reranker } = await openLocalModels(dir);
    const [score] = (await reranker?.score("policy", ["days"])) ?? [];
    const v = model.vocabulary;
    const ids = [
      v.indexOf("[CLS]"),
      v.indexOf("policy"),
      v.indexOf("[SEP]"),
      v.indexOf("days"),
      v.indexOf("[SEP]"),
    ];
    const [notRelevant, relevant] = referenceLogits(model.weights, ids, [0, 0, 0, 1, 1]);
    expect(score).toBeCloseTo((relevant as number) - (notRelevant as number), 5);
  });
});

describe("LOCAL_MODELS_DIR that cannot be used stops the start with a clear error", () => {
  const refused = async (dir: string, message: RegExp) => {
    const error = await openLocalModels(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LocalModelsError);
    expect((error as Error).message).toMatch(message);
  };

  it("a folder that does not exist, a file, or a folder with neither model", async () => {
    await refused(path.join(os.tmpdir(), "alchemist-no-such-models"), /does not exist/);
    const file = path.join(modelsDir(), "file");
    fs.writeFileSync(file, "x");
    await refused(file, /is not a folder/);
    await refused(modelsDir(), /neither an embedder\/ nor a reranker\/ folder/);
  });

  it("a model folder without its ONNX file, or without the variant its settings ask for", async () => {
    const dir = modelsDir();
    const { dir: embedderDir } = writeTinyModel(dir, "embedder", { words });
    fs.rmSync(path.join(embedderDir, "onnx", "model.onnx"));
    await refused(dir, /embedder: .*model\.onnx is missing .*no onnx\/ folder with a model/);

    const other = modelsDir();
    writeTinyModel(other, "reranker", { words, settings: { dtype: "q8" } });
    await refused(
      other,
      /reranker: .*model_quantized\.onnx is missing \(the q8 variant; onnx\/ holds model\.onnx\)/,
    );
  });

  it("settings, config or tokenizer that do not parse, naming the file and the field", async () => {
    const dir = modelsDir();
    writeTinyModel(dir, "embedder", { words, settings: { pooling: "max" } });
    await refused(dir, /alchemist\.json: pooling: /);

    const unknownKey = modelsDir();
    writeTinyModel(unknownKey, "embedder", { words, settings: { dimensions: 3 } });
    await refused(unknownKey, /alchemist\.json: settings: Unrecognized key/);

    const badConfig = modelsDir();
    const { dir: configDir } = writeTinyModel(badConfig, "embedder", { words });
    fs.writeFileSync(path.join(configDir, "config.json"), "{ not json");
    await refused(badConfig, /config\.json is not valid JSON/);

    const noTokenizer = modelsDir();
    const { dir: tokDir } = writeTinyModel(noTokenizer, "reranker", { words });
    fs.rmSync(path.join(tokDir, "tokenizer.json"));
    await refused(noTokenizer, /reranker: .*tokenizer\.json is missing or unreadable/);
  });

  it("an ONNX file that is not a model, or a model of the wrong kind", async () => {
    const dir = modelsDir();
    const { dir: embedderDir } = writeTinyModel(dir, "embedder", { words });
    fs.writeFileSync(path.join(embedderDir, "onnx", "model.onnx"), Buffer.from("not a protobuf at all"));
    await refused(dir, /embedder: .* could not be loaded: /);

    const threeLabels = modelsDir();
    writeTinyModel(threeLabels, "reranker", { words, labels: 3 });
    await refused(threeLabels, /reranker: .* does not score passages: .*3 labels/);
  });

  it("never reaches the network, even for a folder that would need a download", async () => {
    const fetchSpy = vi.fn(() => Promise.reject(new Error("no network in this test")));
    vi.stubGlobal("fetch", fetchSpy);
    const dir = modelsDir();
    writeTinyModel(dir, "embedder", { words });
    writeTinyModel(dir, "reranker", { words });
    const { embedder, reranker } = await openLocalModels(dir);
    await embedder?.embed(["policy"]);
    await reranker?.score("policy", ["days"]);
    // A tokenizer_config.json is optional for transformers.js, which would fetch it from the hub if allowed.
    const sparse = modelsDir();
    const { dir: sparseDir } = writeTinyModel(sparse, "embedder", { words });
    fs.rmSync(path.join(sparseDir, "tokenizer_config.json"));
    await openLocalModels(sparse).catch(() => undefined);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe("tiny models", () => {
  it("spell unknown words letter by letter, so every test text has tokens", () => {
    const v = tinyVocabulary(["refund"]);
    expect(idsOf(v, "Refund xyz")).toEqual([
      v.indexOf("refund"),
      v.indexOf("x"),
      v.indexOf("##y"),
      v.indexOf("##z"),
    ]);
  });
});
