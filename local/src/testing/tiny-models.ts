/**
 * Tiny random-weight models of the shapes LOCAL_MODELS_DIR takes, written by the tests themselves (nothing is
 * downloaded): a BERT-style WordPiece tokenizer and an ONNX graph per model. The graphs are small stand-ins
 * for a transformer with the same inputs and outputs — token and token-type embeddings, one dense layer with
 * tanh, masked — so the adapter's tokenization, batching, pooling and output handling run for real, and
 * `reference*` recompute what the model must return from the same weights, in plain TypeScript.
 *
 * The ONNX file is encoded here with a minimal protobuf writer (onnx.proto3: ModelProto, GraphProto, NodeProto,
 * TensorProto, ValueInfoProto), opset 13.
 */
import fs from "node:fs";
import path from "node:path";

// ------------------------------------------------------------------------------------------------
// A protobuf writer, just what ONNX needs: varints and length-delimited fields.

function varint(value: number | bigint): Buffer {
  let n = BigInt(value);
  if (n < 0n) n += 1n << 64n;
  const out: number[] = [];
  do {
    let byte = Number(n & 0x7fn);
    n >>= 7n;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

const fieldKey = (field: number, wire: 0 | 2): Buffer => varint((field << 3) | wire);
const int = (field: number, value: number | bigint): Buffer =>
  Buffer.concat([fieldKey(field, 0), varint(value)]);
function bytes(field: number, value: string | Buffer): Buffer {
  const b = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  return Buffer.concat([fieldKey(field, 2), varint(b.length), b]);
}
const message = (field: number, parts: readonly Buffer[]): Buffer => bytes(field, Buffer.concat(parts));

const FLOAT = 1;
const INT64 = 7;

/** ValueInfoProto of a tensor; a string dimension is symbolic (batch, sequence). */
function tensorInfo(
  field: number,
  name: string,
  elemType: number,
  dims: readonly (number | string)[],
): Buffer {
  const dim = (d: number | string) => message(1, [typeof d === "number" ? int(1, d) : bytes(2, d)]);
  const shape = message(2, dims.map(dim));
  return message(field, [bytes(1, name), message(2, [message(1, [int(1, elemType), shape])])]);
}

function floatTensor(name: string, dims: readonly number[], data: readonly number[]): Buffer {
  const raw = Buffer.alloc(data.length * 4);
  data.forEach((x, i) => raw.writeFloatLE(x, i * 4));
  return message(5, [...dims.map((d) => int(1, d)), int(2, FLOAT), bytes(8, name), bytes(9, raw)]);
}

function int64Tensor(name: string, dims: readonly number[], data: readonly number[]): Buffer {
  const raw = Buffer.alloc(data.length * 8);
  data.forEach((x, i) => raw.writeBigInt64LE(BigInt(x), i * 8));
  return message(5, [...dims.map((d) => int(1, d)), int(2, INT64), bytes(8, name), bytes(9, raw)]);
}

type Attribute = Buffer;
const intAttribute = (name: string, value: number): Attribute =>
  message(5, [bytes(1, name), int(3, value), int(20, 2)]);

function node(
  op: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Attribute[] = [],
) {
  return message(1, [
    ...inputs.map((i) => bytes(1, i)),
    ...outputs.map((o) => bytes(2, o)),
    bytes(3, `${op}_${outputs[0]}`),
    bytes(4, op),
    ...attributes,
  ]);
}

// ------------------------------------------------------------------------------------------------
// The models.

export interface TinyWeights {
  /** Token embeddings, vocabulary × dimensions, row-major. */
  readonly tokens: readonly number[];
  /** Token-type embeddings, 2 × dimensions. */
  readonly types: readonly number[];
  /** Dense layer, dimensions × dimensions. */
  readonly dense: readonly number[];
  /** Classifier, dimensions × labels (the reranker's). */
  readonly classifier: readonly number[];
  readonly dimensions: number;
  readonly labels: number;
}

/** A deterministic generator of weights in [-0.5, 0.5). */
function weights(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

/**
 * The ONNX graph: `last_hidden_state` [batch, sequence, d] (embedder), or `logits` [batch, labels] (reranker:
 * the mean of the unmasked tokens' states, times the classifier; padding changes nothing).
 */
function onnxModel(kind: "embedder" | "reranker", vocabSize: number, w: TinyWeights): Buffer {
  const d = w.dimensions;
  const inputs = ["input_ids", "attention_mask", "token_type_ids"].map((name) =>
    tensorInfo(11, name, INT64, ["batch", "sequence"]),
  );
  const initializers = [
    floatTensor("tokens", [vocabSize, d], w.tokens),
    floatTensor("types", [2, d], w.types),
    floatTensor("dense", [d, d], w.dense),
    floatTensor("classifier", [d, w.labels], w.classifier),
    int64Tensor("axis2", [1], [2]),
    int64Tensor("axis1", [1], [1]),
  ];
  const nodes = [
    node("Gather", ["tokens", "input_ids"], ["tok"]),
    node("Gather", ["types", "token_type_ids"], ["typ"]),
    node("Add", ["tok", "typ"], ["h0"]),
    node("MatMul", ["h0", "dense"], ["h1"]),
    node("Tanh", ["h1"], ["h2"]),
    node("Cast", ["attention_mask"], ["maskf"], [intAttribute("to", FLOAT)]),
    node("Unsqueeze", ["maskf", "axis2"], ["mask3"]),
  ];
  let outputs: Buffer[];
  if (kind === "embedder") {
    nodes.push(node("Mul", ["h2", "mask3"], ["last_hidden_state"]));
    outputs = [tensorInfo(12, "last_hidden_state", FLOAT, ["batch", "sequence", d])];
  } else {
    nodes.push(
      node("Mul", ["h2", "mask3"], ["h3"]),
      node("ReduceSum", ["h3", "axis1"], ["sum"], [intAttribute("keepdims", 0)]),
      node("ReduceSum", ["mask3", "axis1"], ["count"], [intAttribute("keepdims", 0)]),
      node("Div", ["sum", "count"], ["pooled"]),
      node("MatMul", ["pooled", "classifier"], ["logits"]),
    );
    outputs = [tensorInfo(12, "logits", FLOAT, ["batch", w.labels])];
  }
  const graph = message(7, [...nodes, bytes(2, `tiny-${kind}`), ...initializers, ...inputs, ...outputs]);
  const opset = message(8, [bytes(1, ""), int(2, 13)]);
  return Buffer.concat([int(1, 8), bytes(2, "alchemist-tests"), graph, opset]);
}

const specialTokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;
const symbols = "abcdefghijklmnopqrstuvwxyz0123456789".split("");

/** The vocabulary: special tokens, some whole words, every letter and digit alone and as a word piece. */
export function tinyVocabulary(words: readonly string[] = []): string[] {
  const whole = [...new Set(words.map((w) => w.toLowerCase()))].filter((w) => /^[a-z0-9]+$/.test(w));
  return [...specialTokens, ...whole, ...symbols, ...symbols.map((s) => `##${s}`), ".", ",", "?", "!", "-"];
}

function tokenizerJson(vocabulary: readonly string[]) {
  const vocab = Object.fromEntries(vocabulary.map((token, id) => [token, id]));
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: "A" | "B", typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)],
      pair: [
        special("[CLS]", 0),
        sequence("A", 0),
        special("[SEP]", 0),
        sequence("B", 1),
        special("[SEP]", 1),
      ],
      special_tokens: Object.fromEntries(
        (["[CLS]", "[SEP]"] as const).map((t) => [t, { id: t, ids: [vocab[t]], tokens: [t] }]),
      ),
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export interface TinyModelOptions {
  readonly dimensions?: number;
  readonly seed?: number;
  /** Words the vocabulary holds whole (others are spelled letter by letter). */
  readonly words?: readonly string[];
  /** The longest input in tokens (tokenizer_config's model_max_length). */
  readonly maxLength?: number;
  /** Written as the model's alchemist.json when given. */
  readonly settings?: Record<string, unknown>;
  /** The reranker's number of labels (1: a score; 2: not relevant, relevant). */
  readonly labels?: number;
}

export interface TinyModel {
  readonly dir: string;
  readonly vocabulary: readonly string[];
  readonly weights: TinyWeights;
}

/** Writes one model folder (`embedder` or `reranker`) under `modelsDir`. */
export function writeTinyModel(
  modelsDir: string,
  kind: "embedder" | "reranker",
  options: TinyModelOptions = {},
): TinyModel {
  const dimensions = options.dimensions ?? 8;
  const vocabulary = tinyVocabulary(options.words);
  const next = weights(options.seed ?? (kind === "embedder" ? 1 : 2));
  const draw = (n: number) => Array.from({ length: n }, next);
  const labels = options.labels ?? 1;
  const w: TinyWeights = {
    tokens: draw(vocabulary.length * dimensions),
    types: draw(2 * dimensions),
    dense: draw(dimensions * dimensions),
    classifier: draw(dimensions * labels),
    dimensions,
    labels,
  };
  const dir = path.join(modelsDir, kind);
  fs.mkdirSync(path.join(dir, "onnx"), { recursive: true });
  fs.writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson(vocabulary)));
  fs.writeFileSync(
    path.join(dir, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: options.maxLength ?? 512,
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
    }),
  );
  fs.writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({
      model_type: "bert",
      architectures: [kind === "embedder" ? "BertModel" : "BertForSequenceClassification"],
      hidden_size: dimensions,
      vocab_size: vocabulary.length,
      id2label: Object.fromEntries(Array.from({ length: labels }, (_, i) => [i, `LABEL_${i}`])),
      label2id: Object.fromEntries(Array.from({ length: labels }, (_, i) => [`LABEL_${i}`, i])),
    }),
  );
  fs.writeFileSync(path.join(dir, "onnx", "model.onnx"), onnxModel(kind, vocabulary.length, w));
  if (options.settings) {
    fs.writeFileSync(path.join(dir, "alchemist.json"), JSON.stringify(options.settings));
  }
  return { dir, vocabulary, weights: w };
}

// ------------------------------------------------------------------------------------------------
// What the models compute, in plain TypeScript, from token ids.

/** The hidden state of each token: tanh((tokens[id] + types[type]) · dense). */
function hidden(w: TinyWeights, ids: readonly number[], typeIds: readonly number[]): number[][] {
  const d = w.dimensions;
  return ids.map((id, t) => {
    const x = Array.from(
      { length: d },
      (_, j) => (w.tokens[id * d + j] as number) + (w.types[(typeIds[t] ?? 0) * d + j] as number),
    );
    return Array.from({ length: d }, (_, j) =>
      Math.tanh(x.reduce((sum, xi, i) => sum + xi * (w.dense[i * d + j] as number), 0)),
    );
  });
}

/** The embedder's mean-pooled, unit-length vector of one unpadded input. */
export function referenceEmbedding(w: TinyWeights, ids: readonly number[]): number[] {
  const h = hidden(
    w,
    ids,
    ids.map(() => 0),
  );
  const mean = Array.from(
    { length: w.dimensions },
    (_, j) => h.reduce((s, row) => s + (row[j] as number), 0) / h.length,
  );
  const norm = Math.hypot(...mean);
  return mean.map((x) => x / norm);
}

/**
 * The reranker's logits for one unpadded input pair, from its token ids and token types: the mean of the
 * tokens' hidden states times the classifier, one value per label.
 */
export function referenceLogits(
  w: TinyWeights,
  ids: readonly number[],
  typeIds: readonly number[],
): number[] {
  const h = hidden(w, ids, typeIds);
  const mean = Array.from(
    { length: w.dimensions },
    (_, j) => h.reduce((s, row) => s + (row[j] as number), 0) / h.length,
  );
  return Array.from({ length: w.labels }, (_, label) =>
    mean.reduce((sum, x, j) => sum + x * (w.classifier[j * w.labels + label] as number), 0),
  );
}
