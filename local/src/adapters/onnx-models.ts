/**
 * Models this instance runs itself, from LOCAL_MODELS_DIR: a sentence embedder and a cross-encoder reranker in
 * ONNX, run in process with `@huggingface/transformers` (onnxruntime-node, CPU). Nothing is downloaded, ever:
 * remote models are off and only the folder's files are read. Everything is loaded and run once at start, so a
 * missing file, a model that does not load or one that returns the wrong shape stops the start with an error
 * that names the file, instead of failing a user's question later.
 *
 * The folder:
 *
 *     $LOCAL_MODELS_DIR/embedder/   config.json, tokenizer.json, tokenizer_config.json, onnx/model*.onnx
 *     $LOCAL_MODELS_DIR/reranker/   the same, for a sequence-classification model (one or two logits)
 *
 * Either may be absent. Each may hold an `alchemist.json` with its settings (modelSettingsSchema below): the
 * name shown, the ONNX variant, pooling and the prefixes some embedders expect ("query: ", "passage: ").
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Embedder, Reranker } from "@alchemist/functions/platform/ports";

export const modelKinds = ["embedder", "reranker"] as const;
export type ModelKind = (typeof modelKinds)[number];

/** The ONNX variants a folder may hold, by the file name transformers.js gives each (onnx/model<suffix>.onnx). */
const variantFiles = {
  fp32: "model.onnx",
  fp16: "model_fp16.onnx",
  q8: "model_quantized.onnx",
  int8: "model_int8.onnx",
  uint8: "model_uint8.onnx",
  q4: "model_q4.onnx",
} as const;
type Variant = keyof typeof variantFiles;

export const modelSettingsSchema = z
  .object({
    /** How the studio and the API name the model; default: the folder's config.json `_name_or_path`. */
    name: z.string().trim().min(1).max(100).optional(),
    /** Which ONNX file to load; default: q8 (model_quantized.onnx) when present, else fp32 (model.onnx). */
    dtype: z.enum(Object.keys(variantFiles) as [Variant, ...Variant[]]).optional(),
    /** Embedder only: how token vectors become one vector. */
    pooling: z.enum(["mean", "cls"]).default("mean"),
    /** Embedder only: text put before a question, and before a passage (E5: "query: ", "passage: "). */
    queryPrefix: z.string().max(200).default(""),
    documentPrefix: z.string().max(200).default(""),
    /** Texts (embedder) or passages (reranker) per model call. */
    batchSize: z.number().int().min(1).max(256).default(16),
  })
  .strict();
export type ModelSettings = z.infer<typeof modelSettingsSchema>;

/** Why LOCAL_MODELS_DIR could not be used; the message says what to fix. */
export class LocalModelsError extends Error {
  override readonly name = "LocalModelsError";
}

export interface LocalModels {
  readonly embedder?: Embedder;
  readonly reranker?: Reranker;
}

type Transformers = typeof import("@huggingface/transformers");

async function loadTransformers(): Promise<Transformers> {
  try {
    return await import("@huggingface/transformers");
  } catch (err) {
    throw new LocalModelsError(
      "LOCAL_MODELS_DIR is set, but @huggingface/transformers could not be loaded (run npm install): " +
        (err instanceof Error ? err.message : String(err)),
    );
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new LocalModelsError(`${what}: ${file} is missing or unreadable`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new LocalModelsError(`${what}: ${file} is not valid JSON (${(err as Error).message})`);
  }
}

interface ModelFolder {
  readonly kind: ModelKind;
  readonly dir: string;
  readonly settings: ModelSettings;
  readonly dtype: Variant;
  readonly name: string;
  /** Changes with the weights, the tokenizer or the settings: what stored vectors are keyed by. */
  readonly fingerprint: string;
}

async function fileDigest(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
}

/** Checks one model folder's files and settings before anything is loaded. */
async function inspectFolder(kind: ModelKind, dir: string): Promise<ModelFolder> {
  const what = `LOCAL_MODELS_DIR ${kind}`;
  const settingsFile = path.join(dir, "alchemist.json");
  const parsed = modelSettingsSchema.safeParse(
    fs.existsSync(settingsFile) ? readJson(settingsFile, what) : {},
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LocalModelsError(
      `${what}: ${settingsFile}: ${issue?.path.join(".") || "settings"}: ${issue?.message ?? "invalid"}`,
    );
  }
  const settings = parsed.data;
  const config = readJson(path.join(dir, "config.json"), what);
  readJson(path.join(dir, "tokenizer.json"), what);
  const onnxDir = path.join(dir, "onnx");
  const present = isDirectory(onnxDir) ? fs.readdirSync(onnxDir).filter((f) => f.endsWith(".onnx")) : [];
  const dtype: Variant = settings.dtype ?? (present.includes(variantFiles.q8) ? "q8" : "fp32");
  const modelFile = path.join(onnxDir, variantFiles[dtype]);
  if (!fs.existsSync(modelFile)) {
    throw new LocalModelsError(
      `${what}: ${modelFile} is missing (the ${dtype} variant; ` +
        (present.length > 0
          ? `onnx/ holds ${present.join(", ")})`
          : "there is no onnx/ folder with a model)"),
    );
  }
  const named = (config as { _name_or_path?: unknown })._name_or_path;
  const name =
    settings.name ?? (typeof named === "string" && named.trim() ? named.trim() : path.basename(dir));
  const hash = createHash("sha256");
  for (const file of [modelFile, path.join(dir, "tokenizer.json")]) await fileDigest(hash, file);
  hash.update(JSON.stringify(settings));
  return { kind, dir, settings, dtype, name, fingerprint: hash.digest("hex").slice(0, 16) };
}

/**
 * transformers.js reads model folders relative to one process-wide setting (`env.localModelPath`): loads are
 * serialised so two instances in one process (tests) each read their own folder.
 */
let loading: Promise<unknown> = Promise.resolve();
function serially<T>(work: () => Promise<T>): Promise<T> {
  const run = loading.then(work, work);
  loading = run.catch(() => undefined);
  return run;
}

async function withModelsDir<T>(tf: Transformers, folder: ModelFolder, load: () => Promise<T>): Promise<T> {
  return serially(async () => {
    tf.env.allowRemoteModels = false;
    tf.env.allowLocalModels = true;
    tf.env.localModelPath = path.dirname(folder.dir) + path.sep;
    try {
      return await load();
    } catch (err) {
      throw new LocalModelsError(
        `LOCAL_MODELS_DIR ${folder.kind}: ${folder.dir} could not be loaded: ` +
          (err instanceof Error ? err.message : String(err)),
      );
    }
  });
}

const isFiniteMatrix = (rows: unknown, width?: number): rows is number[][] =>
  Array.isArray(rows) &&
  rows.every(
    (r) =>
      Array.isArray(r) &&
      (width === undefined || r.length === width) &&
      r.every((x) => typeof x === "number" && Number.isFinite(x)),
  );

async function openEmbedder(tf: Transformers, folder: ModelFolder): Promise<Embedder> {
  const { settings } = folder;
  const extractor = await withModelsDir(tf, folder, () =>
    tf.pipeline("feature-extraction", path.basename(folder.dir), {
      dtype: folder.dtype,
      local_files_only: true,
    }),
  );
  const run = async (texts: readonly string[]): Promise<number[][]> => {
    const output = await extractor([...texts], { pooling: settings.pooling, normalize: true });
    return output.tolist() as number[][];
  };
  let dimensions: number;
  try {
    const probe = await run(["A first sentence to check the model.", "A second one."]);
    if (!isFiniteMatrix(probe) || probe.length !== 2 || (probe[0]?.length ?? 0) < 2) {
      throw new Error("it did not return one vector of numbers per text");
    }
    dimensions = probe[0]?.length ?? 0;
  } catch (err) {
    throw new LocalModelsError(
      `LOCAL_MODELS_DIR embedder: ${folder.dir} loaded but does not embed: ${(err as Error).message}`,
    );
  }
  return {
    info: {
      provider: "local-onnx",
      model: folder.name,
      dimensions,
      version: `onnx-${folder.fingerprint}`,
      label: `${folder.name} (local ONNX embedder, ${dimensions} dimensions)`,
    },
    maxBatchSize: settings.batchSize,
    async embed(texts, options) {
      if (texts.length === 0) return [];
      const prefix = options?.kind === "query" ? settings.queryPrefix : settings.documentPrefix;
      const vectors: number[][] = [];
      for (let i = 0; i < texts.length; i += settings.batchSize) {
        const batch = texts.slice(i, i + settings.batchSize).map((t) => prefix + t);
        const out = await run(batch);
        if (!isFiniteMatrix(out, dimensions) || out.length !== batch.length) {
          throw new Error(`${folder.name} returned ${out.length} vectors for ${batch.length} texts`);
        }
        vectors.push(...out);
      }
      return vectors;
    },
  };
}

async function openReranker(tf: Transformers, folder: ModelFolder): Promise<Reranker> {
  const id = path.basename(folder.dir);
  const options = { dtype: folder.dtype, local_files_only: true } as const;
  const [tokenizer, model] = await withModelsDir(tf, folder, () =>
    Promise.all([
      tf.AutoTokenizer.from_pretrained(id, { local_files_only: true }),
      tf.AutoModelForSequenceClassification.from_pretrained(id, options),
    ]),
  );
  const run = async (query: string, passages: readonly string[]): Promise<number[]> => {
    const inputs = tokenizer(
      passages.map(() => query),
      { text_pair: [...passages], padding: true, truncation: true },
    );
    const { logits } = (await model(inputs)) as { logits: { tolist(): unknown } };
    const rows = logits.tolist();
    if (!isFiniteMatrix(rows) || rows.length !== passages.length) {
      throw new Error(`${folder.name} returned no logits of the right shape`);
    }
    // One logit is a relevance score; two are [not relevant, relevant], whose difference is the log-odds.
    return rows.map((r) => {
      if (r.length === 1) return r[0] as number;
      if (r.length === 2) return (r[1] as number) - (r[0] as number);
      throw new Error(
        `${folder.name} has ${r.length} labels; a reranker has one (a score) or two (not relevant, relevant)`,
      );
    });
  };
  try {
    const probe = await run("a question", ["a passage that answers it", "another passage"]);
    if (probe.length !== 2) throw new Error("it did not return one score per passage");
  } catch (err) {
    throw new LocalModelsError(
      `LOCAL_MODELS_DIR reranker: ${folder.dir} loaded but does not score passages: ${(err as Error).message}`,
    );
  }
  return {
    info: {
      provider: "local-onnx",
      model: folder.name,
      label: `${folder.name} (local ONNX cross-encoder)`,
    },
    maxBatchSize: folder.settings.batchSize,
    async score(query, passages) {
      const scores: number[] = [];
      for (let i = 0; i < passages.length; i += folder.settings.batchSize) {
        scores.push(...(await run(query, passages.slice(i, i + folder.settings.batchSize))));
      }
      return scores;
    },
  };
}

/** Opens the models in `dir` (LOCAL_MODELS_DIR), loading and trying each; throws LocalModelsError otherwise. */
export async function openLocalModels(dir: string): Promise<LocalModels> {
  if (!fs.existsSync(dir)) throw new LocalModelsError(`LOCAL_MODELS_DIR: ${dir} does not exist`);
  if (!isDirectory(dir)) throw new LocalModelsError(`LOCAL_MODELS_DIR: ${dir} is not a folder`);
  const kinds = modelKinds.filter((kind) => isDirectory(path.join(dir, kind)));
  if (kinds.length === 0) {
    throw new LocalModelsError(
      `LOCAL_MODELS_DIR: ${dir} holds neither an embedder/ nor a reranker/ folder (see the README's "Local models")`,
    );
  }
  const folders = await Promise.all(kinds.map((kind) => inspectFolder(kind, path.join(dir, kind))));
  const tf = await loadTransformers();
  const models: { embedder?: Embedder; reranker?: Reranker } = {};
  for (const folder of folders) {
    if (folder.kind === "embedder") models.embedder = await openEmbedder(tf, folder);
    else models.reranker = await openReranker(tf, folder);
  }
  return models;
}
