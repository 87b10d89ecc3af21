/**
 * The built-in embedder for machines without a model API: lexical feature hashing, not a neural model.
 * It matches texts that share words (after light stemming), word pairs and spelling fragments; it does
 * not know synonyms. What it guarantees is determinism: the same text gives the same vector on every
 * machine and every run, so stored chunk vectors stay valid until `info.version` changes.
 *
 * The tokenizer and stemmer are exported because lexical search and the extractive responder must see
 * the same terms the vectors were built from.
 */
import { AppError } from "../errors.js";
import type { Embedder, EmbedderInfo } from "../ports.js";

// ---------------------------------------------------------------------------------------------------
// Terms
// ---------------------------------------------------------------------------------------------------

/**
 * Common English function words, plus question words and light verbs: they carry no topic, and a
 * question ("how many days do I get…") must be matched on its content words.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all am an and any are aren't as at be because been before being below " +
    "between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each " +
    "few for from further get gets got had hadn't has hasn't have haven't having he he'd he'll he's her here " +
    "here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself " +
    "let's may me might more most must mustn't my myself no nor not of off on once only or other ought our ours " +
    "ourselves out over own per same shall shan't she she'd she'll she's should shouldn't so some such than that " +
    "that's the their theirs them themselves then there there's these they they'd they'll they're they've this " +
    "those through to too under until up upon us very via was wasn't we we'd we'll we're we've were weren't what " +
    "what's when when's where where's whether which while who who's whom whose why why's will with won't would " +
    "wouldn't you you'd you'll you're you've your yours yourself yourselves also just many much please tell " +
    "know need want like"
  ).split(" "),
);

/** A word: any run of letters/digits containing a letter (with inner apostrophes), or a number like 3.5. */
const WORD = /[\p{L}\p{M}\p{N}]*\p{L}[\p{L}\p{M}\p{N}]*(?:'[\p{L}\p{M}]+)*|\p{N}+(?:[.,]\p{N}+)*/gu;
/** Scripts written without spaces between words: each character is a term. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

function normalizeText(text: string): string {
  return (
    text
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[\u2018\u2019\u02bc]/g, "'")
      // "café" and "cafe" are one word; only Latin letters lose their accents (marks matter in other scripts).
      .normalize("NFD")
      .replace(/(\p{Script=Latin})\p{M}+/gu, "$1")
      .normalize("NFC")
  );
}

function normalizeNumber(token: string): string {
  // 1,000 and 1000 are the same amount.
  return /^\d{1,3}(,\d{3})+$/.test(token) ? token.replace(/,/g, "") : token;
}

const hasVowel = (s: string): boolean => /[aeiouy]/.test(s);

/** "submitt" → "submit", "runn" → "run"; doubled l, s, z stay ("install", "pass"). */
function undouble(s: string): string {
  const n = s.length;
  if (n >= 3 && s[n - 1] === s[n - 2] && /[bcdfghjkmnpqrtvwx]/.test(s[n - 1] ?? "")) return s.slice(0, -1);
  return s;
}

/**
 * A light English stemmer: plural, -ing, -ed and -ly suffixes, then a final "e", so that "expenses",
 * "expense" and "expensed" meet at "expens". Deliberately small and predictable rather than Porter's;
 * non-ASCII words are returned unchanged.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || !/^[a-z]+$/.test(w)) return w;
  if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);

  if (w.endsWith("ing") && w.length >= 5 && hasVowel(w.slice(0, -3))) w = undouble(w.slice(0, -3));
  else if (w.endsWith("ied") && w.length > 4)
    w = `${w.slice(0, -3)}y`; // "carried" meets "carry"
  else if (w.endsWith("ed") && !w.endsWith("eed") && w.length >= 5 && hasVowel(w.slice(0, -2)))
    w = undouble(w.slice(0, -2));
  else if (w.endsWith("ly") && !w.endsWith("ply") && w.length > 5) w = w.slice(0, -2);

  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}

interface Term {
  /** The stemmed term used for matching. */
  readonly term: string;
  /** The lowercased word before stemming, used for spelling fragments. */
  readonly surface: string;
}

/**
 * The most recent analyses, by text: ingestion analyzes each chunk twice in a row (the embedder, then the
 * keyword index), and the second time is free. Small and bounded; results are frozen so sharing is safe.
 */
const recentAnalyses = new Map<string, readonly Term[]>();
const recentAnalysesMax = 256;
/**
 * The analysis of each word seen before (null when it is dropped): word frequencies are Zipfian, so nearly
 * every lookup hits and skips the per-word rules. Words of unspaced scripts are not kept (see analyzeText).
 */
const wordCache = new Map<string, Term | null>();
const wordCacheMax = 50_000;

/** A word's term and surface, or null when it carries no topic (a stop word, a single Latin letter). */
function analyzeWord(word: string): Term | null {
  const cached = wordCache.get(word);
  if (cached !== undefined) return cached;
  let result: Term | null;
  if (/^\p{N}/u.test(word) && !/\p{L}/u.test(word)) {
    result = { term: normalizeNumber(word), surface: word };
  } else {
    let token = word.replace(/'s$/, "");
    if (token.includes("'")) token = token.replace(/'/g, "");
    const dropped =
      STOP_WORDS.has(word) || STOP_WORDS.has(token) || (token.length === 1 && /[a-z]/.test(token));
    result = dropped ? null : { term: stem(token), surface: token };
  }
  if (wordCache.size >= wordCacheMax) wordCache.clear();
  wordCache.set(word, result ? Object.freeze(result) : null);
  return result;
}

function analyze(text: string): readonly Term[] {
  const recent = recentAnalyses.get(text);
  if (recent) return recent;
  const terms = analyzeText(text);
  if (recentAnalyses.size >= recentAnalysesMax)
    recentAnalyses.delete(recentAnalyses.keys().next().value as string);
  recentAnalyses.set(text, Object.freeze(terms));
  return terms;
}

function analyzeText(text: string): Term[] {
  const terms: Term[] = [];
  for (const match of normalizeText(text).matchAll(WORD)) {
    const word = match[0];
    if (UNSPACED.test(word)) {
      // Scripts without spaces between words: each character is a term.
      for (const ch of word) terms.push({ term: ch, surface: ch });
      continue;
    }
    const term = analyzeWord(word);
    if (term) terms.push(term);
  }
  return terms;
}

/** The stemmed, stop-word-free terms of a text, in order (repeats kept). */
export function tokenize(text: string): string[] {
  return analyze(text).map((t) => t.term);
}

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
