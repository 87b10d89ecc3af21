/**
 * The built-in embedder for machines without a model API: lexical feature hashing, not a neural model.
 * It matches texts that share words (after light stemming), word pairs and spelling fragments; it does
 * not know synonyms. What it guarantees is determinism: the same text gives the same vector on every
 * machine and every run, so stored chunk vectors stay valid until `info.version` changes.
 * Its terms come from the one text analyzer (platform/text), which lexical search and the extractive
 * responder use too, so all of them see the same terms the vectors were built from.
 */
import { AppError } from "../errors.js";
import type { Embedder, EmbedderInfo } from "../ports.js";
import { analyze, type Term } from "../text/analyzer.js";

// ---------------------------------------------------------------------------------------------------
// Feature hashing
// ---------------------------------------------------------------------------------------------------

/** 32-bit FNV-1a over UTF-16 code units: the same on every JavaScript engine. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finalizer: FNV's low bits are poorly mixed, and the index is taken modulo the dimensions. */
function fmix32(input: number): number {
  let h = input;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Relative weights: a shared word counts most, a shared word pair adds order, fragments add spelling. */
const WEIGHT = { unigram: 1, bigram: 0.7, trigram: 0.25 } as const;

/** FNV-1a continued over more UTF-16 code units: the hash of `prefix + s` without building the string. */
function fnv1aFrom(h0: number, s: string, start = 0, end = s.length): number {
  let h = h0;
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const FNV_WORD = fnv1a("w:");
const FNV_PAIR = fnv1a("b:");
const FNV_FRAGMENT = fnv1a("c:");
const SPACE = " ".charCodeAt(0);

/**
 * Feature hashes with their weight and count, in first-seen order (the order fixes the float sums), in an
 * open-addressing table reused from call to call: a chunk has about a thousand features, and a `Map` per
 * chunk was the embedder's largest cost. Hashes are computed over the feature key's code units without
 * materialising the key; the values equal `fnv1a("w:" + term)` etc.
 */
class FeatureTable {
  /** Features of the current text, in first-seen order: `size` of them are valid. */
  hashes = new Uint32Array(1024);
  weights = new Float64Array(1024);
  counts = new Int32Array(1024);
  size = 0;
  private keys = new Uint32Array(2048);
  private slots = new Int32Array(2048);
  /** A position is occupied when its stamp equals the current one; bumping it empties the table. */
  private stamps = new Uint32Array(2048);
  private stamp = 0;

  reset(): void {
    this.size = 0;
    if (++this.stamp === 0xffffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }

  add(hash: number, weight: number): void {
    const mask = this.keys.length - 1;
    let pos = (Math.imul(hash, 0x9e3779b1) >>> 0) & mask;
    while (this.stamps[pos] === this.stamp) {
      if (this.keys[pos] === hash) {
        const slot = this.slots[pos] as number;
        this.counts[slot] = (this.counts[slot] as number) + 1;
        return;
      }
      pos = (pos + 1) & mask;
    }
    if (this.size === this.hashes.length) this.grow();
    this.stamps[pos] = this.stamp;
    this.keys[pos] = hash;
    this.slots[pos] = this.size;
    this.hashes[this.size] = hash;
    this.weights[this.size] = weight;
    this.counts[this.size] = 1;
    this.size++;
  }

  /** Doubles every array (the table stays at most half full) and re-places the current features. */
  private grow(): void {
    const n = this.hashes.length * 2;
    const widen = <T extends Uint32Array | Float64Array | Int32Array>(
      a: T,
      make: new (n: number) => T,
    ): T => {
      const b = new make(n);
      b.set(a);
      return b;
    };
    this.hashes = widen(this.hashes, Uint32Array);
    this.weights = widen(this.weights, Float64Array);
    this.counts = widen(this.counts, Int32Array);
    this.keys = new Uint32Array(n * 2);
    this.slots = new Int32Array(n * 2);
    this.stamps = new Uint32Array(n * 2);
    this.stamp = 1;
    const mask = this.keys.length - 1;
    for (let i = 0; i < this.size; i++) {
      const hash = this.hashes[i] as number;
      let pos = (Math.imul(hash, 0x9e3779b1) >>> 0) & mask;
      while (this.stamps[pos] === 1) pos = (pos + 1) & mask;
      this.stamps[pos] = 1;
      this.keys[pos] = hash;
      this.slots[pos] = i;
    }
  }
}

const features = new FeatureTable();

/** Fills `features` with the text's features. */
function featureCounts(text: string): FeatureTable {
  const out = features;
  out.reset();
  const terms = analyze(text);
  for (let i = 0; i < terms.length; i++) {
    const t = terms[i] as Term;
    out.add(fnv1aFrom(FNV_WORD, t.term), WEIGHT.unigram);
    const next = terms[i + 1];
    if (next) {
      const h = Math.imul(fnv1aFrom(FNV_PAIR, t.term) ^ SPACE, 0x01000193) >>> 0;
      out.add(fnv1aFrom(h, next.term), WEIGHT.bigram);
    }
    // Trigrams of the code points of "^surface$"; a code point may be two UTF-16 units.
    const padded = `^${t.surface}$`;
    if (!SURROGATE.test(padded)) {
      for (let j = 0; j + 3 <= padded.length; j++)
        out.add(fnv1aFrom(FNV_FRAGMENT, padded, j, j + 3), WEIGHT.trigram);
      continue;
    }
    const starts: number[] = [];
    for (let u = 0; u < padded.length; u++) {
      starts.push(u);
      const c = padded.charCodeAt(u);
      if (c >= 0xd800 && c <= 0xdbff && u + 1 < padded.length) u++;
    }
    starts.push(padded.length);
    for (let j = 0; j + 3 < starts.length; j++) {
      out.add(fnv1aFrom(FNV_FRAGMENT, padded, starts[j], starts[j + 3]), WEIGHT.trigram);
    }
  }
  return out;
}

const SURROGATE = /[\ud800-\udbff]/;

function hashedVector(text: string, dimensions: number): number[] {
  const v = new Float64Array(dimensions);
  const { hashes, weights, counts, size } = featureCounts(text);
  for (let i = 0; i < size; i++) {
    const h = hashes[i] as number;
    const index = fmix32(h) % dimensions;
    const sign = fmix32(h ^ 0x9e3779b9) & 1 ? -1 : 1;
    // Sublinear tf: a word said ten times is not ten times as much about it.
    v[index] = (v[index] as number) + sign * (weights[i] as number) * (1 + Math.log(counts[i] as number));
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  if (norm === 0) {
    // No terms (empty text, only stop words, or colliding features that cancelled out). A zero vector has
    // no cosine with anything, and vector search would return NaN distances for it; one fixed dimension
    // keeps it unit length, identical for every such text, and unrelated to any real content.
    v[0] = 1;
    return Array.from(v);
  }
  const scale = 1 / Math.sqrt(norm);
  return Array.from(v, (x) => x * scale);
}

export const LOCAL_EMBEDDER_MODEL = "alchemist-hash-v1";

export function localHashEmbedder(dimensions: number): Embedder {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 2048) {
    throw new AppError(
      "invalid-argument",
      `Embedding dimensions must be an integer in 1..2048, got ${dimensions}.`,
    );
  }
  const info: EmbedderInfo = {
    provider: "local-hash",
    model: LOCAL_EMBEDDER_MODEL,
    dimensions,
    version: "1",
    label: "Built-in local embedder (lexical feature hashing, not a neural model)",
  };
  return {
    info,
    maxBatchSize: 1024,
    // Symmetric: queries and documents are embedded the same way, so `kind` needs no handling.
    embed: async (texts) => texts.map((text) => hashedVector(text, dimensions)),
  };
}
