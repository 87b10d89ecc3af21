/**
 * In-memory nearest-neighbour index behind local mode's `findNearest`: one per (scope, vector field,
 * dimensions), built from the `vectors` table on the first query and kept current by the store's commits.
 *
 * Layout: keys in blocks of up to `blockRows` rows, dimension-major inside a block, so scoring streams one
 * contiguous column per query dimension. A query from the built-in hash embedder sets only a few dozen of
 * its dimensions, and only those columns are read (≈ rows × non-zero dims of work); a dense query reads
 * every column, which is as fast as a row-major scan.
 *
 * Keys: Float32 below `int8KeysFromDims` dimensions (the built-in embedder's 256), int8 from there on.
 * Provider embeddings are 1,536-dimensional: 100k rows take 614 MB as Float32 but 154 MB as int8 (one byte
 * a value, with a scale and two error norms a row), which keeps a 100k-chunk scope within 500 MB of RSS.
 * A row's codes are round(value / s) with s = max |value| / 127, so a row keeps its own range whatever the
 * others hold; the query stays in Float64.
 *
 * Exactness: keys are only a filter. Every row whose exact distance could reach the k-th best is re-scored
 * from its stored doubles with the same arithmetic the full scan used, and ties are broken by path in
 * SQLite's byte order, so results (order and distances) are exactly those of scoring every stored vector
 * in Float64. A Float32 key is within a relative error margin of its exact value; an int8 key within its
 * row's own bound (see `rank`). Values too large or too small for these margins to hold (or not finite)
 * make `rank` return null, and the caller scans exactly instead.
 */
import type { DistanceMeasure } from "@alchemist/functions/platform/ports";
import { exactDistance, queryNormOf } from "@alchemist/functions/platform/vectors";

/** Rows per full block: 4096 rows × 256 dims × 4 bytes = 4 MiB, and the accumulator stays in cache. */
export const vectorBlockRows = 4096;

/** How a row's values are held for the first pass. */
export type VectorKeyType = "float32" | "int8";

/**
 * From this many dimensions, keys are int8: Float32 keys of 100k such rows take 200 MB or more (614 MB at
 * 1,536), where the whole process should stay within 500 MB. Below it (the built-in embedder's 256),
 * Float32 keys are exact to 1e-6 and their margin re-scores almost nothing beyond k.
 */
export const int8KeysFromDims = 512;

const keyTypeFor = (dims: number): VectorKeyType => (dims >= int8KeysFromDims ? "int8" : "float32");

/** The largest int8 code: symmetric, so a value and its negation get opposite codes. */
const maxCode = 127;

/** Garbage (deleted rows still in the blocks) above this share of the slots triggers a compaction. */
const maxGarbageShare = 1 / 3;

/**
 * Float32 holds these magnitudes as normal numbers with a relative error ≤ 2^-24, and their squares and
 * dot products stay far from Float64's overflow and underflow: the margin below is proven only here.
 */
const safeMin = 1e-18;
const safeMax = 1e18;
/**
 * Relative error allowed for a Float32 key: 16× the worst case of 2^-24 plus Float64 rounding. For an int8
 * key, the allowance for Float64 rounding on top of its proven bound (below 1e-12 at 2,048 dimensions).
 */
const relativeMargin = 1e-6;

const isSafeValue = (x: number): boolean => {
  const a = Math.abs(x);
  return a === 0 || (a >= safeMin && a <= safeMax);
};

export interface NearestRow {
  readonly path: string;
  readonly distance: number;
}

/** SQLite's BINARY collation (UTF-8 byte order): code-point order, which UTF-16 order is not for surrogates. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF: move them above 0xE000–0xFFFF.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/** Firestore's order of results: nearest first (largest dot product first), then by path as stored. */
function compareRows(measure: DistanceMeasure): (a: NearestRow, b: NearestRow) => number {
  return measure === "DOT_PRODUCT"
    ? (a, b) => b.distance - a.distance || compareUtf8(a.path, b.path)
    : (a, b) => a.distance - b.distance || compareUtf8(a.path, b.path);
}

interface Block {
  /** Column-major: value (or code) of dimension d of row j at `d * stride + j`. */
  data: Float32Array | Int8Array;
  /** Rows the block has room for (its column stride); only the last block is ever below `blockRows`. */
  stride: number;
}

/** Loads the exact stored values of a row (the Float64 blob in SQLite). */
export type ExactVectorLoader = (path: string) => ArrayLike<number> | undefined;

export class VectorIndex {
  private blocks: Block[] = [];
  /** Slots in use, live or deleted. */
  private slots = 0;
  private garbage = 0;
  private paths: (string | null)[] = [];
  private readonly slotOf = new Map<string, number>();
  /** Σ a², summed in the scan's order, and its square root. */
  private norm2: Float64Array = new Float64Array(0);
  private norm: Float64Array = new Float64Array(0);
  private unsafe: Uint8Array = new Uint8Array(0);
  private unsafeRows = 0;
  /** The largest row norm ever stored: the Float32 dot-product and euclidean margins scale with it. */
  private maxNorm = 0;
  /**
   * int8 keys only, per row: the scale s (value ≈ s · code), and the exact residual e = value − s · code
   * as its Euclidean norm ‖e‖₂ and its largest component ‖e‖∞ (the two error bounds of `rank`).
   */
  private scale: Float64Array = new Float64Array(0);
  private residualNorm: Float64Array = new Float64Array(0);
  private residualMax: Float64Array = new Float64Array(0);
  /** Bumped by every change: a ranking refers to slots, which a change may move. */
  private changes = 0;

  constructor(
    readonly dims: number,
    private readonly blockRows = vectorBlockRows,
    readonly keys: VectorKeyType = keyTypeFor(dims),
  ) {
    if (!Number.isInteger(dims) || dims < 1) throw new RangeError(`invalid dimensions ${dims}`);
  }

  /** Live rows. */
  get size(): number {
    return this.slotOf.size;
  }

  /** Slots holding deleted rows until the next compaction. */
  get garbageRows(): number {
    return this.garbage;
  }

  has(path: string): boolean {
    return this.slotOf.has(path);
  }

  /** A counter that changes whenever rows change (rankings check it). */
  get revision(): number {
    return this.changes;
  }

  /** The path in a slot, null for a deleted row. */
  pathAt(slot: number): string | null {
    return this.paths[slot] ?? null;
  }

  upsert(path: string, values: ArrayLike<number>): void {
    if (values.length !== this.dims) {
      throw new RangeError(`a ${values.length}-dimensional vector in a ${this.dims}-dimensional index`);
    }
    this.changes++;
    let slot = this.slotOf.get(path);
    if (slot === undefined) {
      slot = this.slots++;
      this.ensureCapacity(this.slots);
      this.slotOf.set(path, slot);
      this.paths[slot] = path;
    } else if (this.unsafe[slot] === 1) {
      this.unsafeRows--;
    }
    const block = this.blocks[Math.floor(slot / this.blockRows)] as Block;
    const offset = slot % this.blockRows;
    let norm2 = 0;
    let safe = true;
    let largest = 0;
    for (let d = 0; d < this.dims; d++) {
      const x = values[d] as number;
      norm2 += x * x;
      if (!isSafeValue(x)) safe = false;
      else if (Math.abs(x) > largest) largest = Math.abs(x);
    }
    if (this.keys === "int8") this.quantize(slot, block, offset, values, largest);
    else for (let d = 0; d < this.dims; d++) block.data[d * block.stride + offset] = values[d] as number;
    const norm = Math.sqrt(norm2);
    this.norm2[slot] = norm2;
    this.norm[slot] = norm;
    this.unsafe[slot] = safe ? 0 : 1;
    if (!safe) this.unsafeRows++;
    else if (norm > this.maxNorm) this.maxNorm = norm;
  }

  /** Writes a row's int8 codes and records its scale and residual norms (an unsafe row is never ranked). */
  private quantize(
    slot: number,
    block: Block,
    offset: number,
    values: ArrayLike<number>,
    largest: number,
  ): void {
    const s = largest / maxCode;
    let residual2 = 0;
    let residualMax = 0;
    for (let d = 0; d < this.dims; d++) {
      const x = values[d] as number;
      const code = s > 0 && Number.isFinite(x) ? Math.round(x / s) : 0;
      block.data[d * block.stride + offset] = code;
      // |x / s| ≤ 127 up to rounding, so |code| ≤ 127 and |e| ≤ s / 2; both norms are measured anyway.
      const e = x - s * code;
      residual2 += e * e;
      residualMax = Math.max(residualMax, Math.abs(e));
    }
    this.scale[slot] = s;
    this.residualNorm[slot] = Math.sqrt(residual2);
    this.residualMax[slot] = residualMax;
  }

  remove(path: string): void {
    const slot = this.slotOf.get(path);
    if (slot === undefined) return;
    this.changes++;
    this.slotOf.delete(path);
    this.paths[slot] = null;
    if (this.unsafe[slot] === 1) this.unsafeRows--;
    this.unsafe[slot] = 0;
    this.garbage++;
    if (this.garbage > this.slots * maxGarbageShare) this.compact();
  }

  /**
   * Scores every row for a query. Null when the query or a stored row holds values outside the range
   * where the key margins are proven (or not finite): the caller then scans the stored doubles.
   */
  rank(query: ArrayLike<number>, measure: DistanceMeasure): VectorRanking | null {
    if (query.length !== this.dims || this.unsafeRows > 0) return null;
    for (let d = 0; d < this.dims; d++) if (!isSafeValue(query[d] as number)) return null;
    const q = Float64Array.from(query);
    const queryNorm = queryNormOf(q);
    const keys = new Float64Array(this.slots);
    if (measure === "COSINE" && queryNorm === 0) {
      keys.fill(Infinity); // cosine is undefined for a zero query: nothing matches.
      return new VectorRanking(this, keys, keys, 0, measure, q, queryNorm);
    }
    this.score(q, keys);
    if (this.keys === "int8") return this.rankQuantized(keys, measure, q, queryNorm);
    const queryNorm2 = queryNorm * queryNorm;
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.paths[slot] === null) {
        keys[slot] = Infinity;
        continue;
      }
      const dot = keys[slot] as number;
      if (measure === "COSINE") {
        const n = this.norm[slot] as number;
        keys[slot] = n === 0 ? Infinity : 1 - dot / (n * queryNorm);
      } else if (measure === "EUCLIDEAN") {
        keys[slot] = (this.norm2[slot] as number) - 2 * dot + queryNorm2; // squared distance
      } else {
        keys[slot] = -dot;
      }
    }
    // |Float32 dot − Float64 dot| ≤ 2^-24 Σ|aᵢqᵢ| ≤ 2^-24 ‖a‖‖q‖ (plus rounding); the margin is 16× that.
    const margin =
      measure === "COSINE"
        ? relativeMargin
        : measure === "DOT_PRODUCT"
          ? relativeMargin * this.maxNorm * queryNorm
          : relativeMargin * (this.maxNorm + queryNorm) ** 2;
    // One margin for every row: the keys are both bounds, widened by 3 margins (room for the final rounding).
    return new VectorRanking(this, keys, keys, 3 * margin, measure, q, queryNorm);
  }

  /**
   * Turns int8 dot products (`codeDots[slot]` = Σ codeᵢ qᵢ) into each row's lower and upper bound of its
   * exact key. With a = s · code + e, the exact dot product a·q = s (code·q) + e·q, and
   * |e·q| ≤ min(‖e‖₂ ‖q‖₂, ‖e‖∞ ‖q‖₁): Cauchy–Schwarz is the tighter for a dense query, the second for a
   * sparse one. Float64 rounding adds far less than the relative margin added on top.
   */
  private rankQuantized(
    codeDots: Float64Array,
    measure: DistanceMeasure,
    q: Float64Array,
    queryNorm: number,
  ): VectorRanking {
    let queryNorm1 = 0;
    for (let d = 0; d < this.dims; d++) queryNorm1 += Math.abs(q[d] as number);
    const queryNorm2 = queryNorm * queryNorm;
    const lower = codeDots; // rewritten in place, slot by slot
    const upper = new Float64Array(this.slots);
    for (let slot = 0; slot < this.slots; slot++) {
      const n = this.norm[slot] as number;
      if (this.paths[slot] === null || (measure === "COSINE" && n === 0)) {
        lower[slot] = Infinity;
        upper[slot] = Infinity;
        continue;
      }
      const dot = (codeDots[slot] as number) * (this.scale[slot] as number);
      const dotError =
        Math.min(
          (this.residualNorm[slot] as number) * queryNorm,
          (this.residualMax[slot] as number) * queryNorm1,
        ) +
        relativeMargin * n * queryNorm;
      let key: number;
      let margin: number;
      if (measure === "COSINE") {
        key = 1 - dot / (n * queryNorm);
        margin = dotError / (n * queryNorm);
      } else if (measure === "EUCLIDEAN") {
        key = (this.norm2[slot] as number) - 2 * dot + queryNorm2; // squared distance
        margin = 2 * dotError + relativeMargin * (n + queryNorm) ** 2;
      } else {
        key = -dot;
        margin = dotError;
      }
      lower[slot] = key - margin;
      upper[slot] = key + margin;
    }
    return new VectorRanking(this, lower, upper, 0, measure, q, queryNorm);
  }

  /** keys[slot] = Σ_d key[slot][d] · q[d] over the query's non-zero dimensions (int8: over the codes). */
  private score(q: Float64Array, keys: Float64Array): void {
    const nz: number[] = [];
    for (let d = 0; d < this.dims; d++) if (q[d] !== 0) nz.push(d);
    const dimsOf = Int32Array.from(nz);
    const weights = Float64Array.from(nz, (d) => q[d] as number);
    const acc = new Float64Array(this.blockRows);
    for (let b = 0; b < this.blocks.length; b++) {
      const { data, stride } = this.blocks[b] as Block;
      const base = b * this.blockRows;
      const rows = Math.min(stride, this.slots - base);
      if (rows <= 0) break;
      acc.fill(0, 0, rows);
      accumulate(data, stride, rows, dimsOf, weights, acc);
      for (let j = 0; j < rows; j++) keys[base + j] = acc[j] as number;
    }
  }

  private ensureCapacity(slots: number): void {
    if (slots > this.norm.length) {
      const capacity = Math.max(16, this.norm.length * 2, slots);
      this.norm2 = grow(this.norm2, capacity);
      this.norm = grow(this.norm, capacity);
      const unsafe = new Uint8Array(capacity);
      unsafe.set(this.unsafe);
      this.unsafe = unsafe;
      if (this.keys === "int8") {
        this.scale = grow(this.scale, capacity);
        this.residualNorm = grow(this.residualNorm, capacity);
        this.residualMax = grow(this.residualMax, capacity);
      }
    }
    const blockIndex = Math.floor((slots - 1) / this.blockRows);
    const rowsInBlock = slots - blockIndex * this.blockRows;
    while (this.blocks.length <= blockIndex) {
      // Full blocks for all but the last; the last starts small so a small scope stays small.
      const stride = this.blocks.length < blockIndex ? this.blockRows : Math.min(this.blockRows, 16);
      this.blocks.push({ data: this.newKeys(stride * this.dims), stride });
    }
    const last = this.blocks[blockIndex] as Block;
    if (rowsInBlock > last.stride) {
      const stride = Math.min(this.blockRows, Math.max(rowsInBlock, last.stride * 2));
      const data = this.newKeys(stride * this.dims);
      for (let d = 0; d < this.dims; d++)
        data.set(last.data.subarray(d * last.stride, (d + 1) * last.stride), d * stride);
      this.blocks[blockIndex] = { data, stride };
    }
  }

  private newKeys(length: number): Float32Array | Int8Array {
    return this.keys === "int8" ? new Int8Array(length) : new Float32Array(length);
  }

  /** Moves live rows down over deleted ones, keeping their order, and frees the blocks left empty. */
  private compact(): void {
    let to = 0;
    for (let from = 0; from < this.slots; from++) {
      const path = this.paths[from] ?? null;
      if (path === null) continue;
      if (from !== to) {
        const src = this.blocks[Math.floor(from / this.blockRows)] as Block;
        const dst = this.blocks[Math.floor(to / this.blockRows)] as Block;
        const so = from % this.blockRows;
        const dO = to % this.blockRows;
        for (let d = 0; d < this.dims; d++)
          dst.data[d * dst.stride + dO] = src.data[d * src.stride + so] as number;
        this.paths[to] = path;
        this.norm2[to] = this.norm2[from] as number;
        this.norm[to] = this.norm[from] as number;
        this.unsafe[to] = this.unsafe[from] as number;
        if (this.keys === "int8") {
          this.scale[to] = this.scale[from] as number;
          this.residualNorm[to] = this.residualNorm[from] as number;
          this.residualMax[to] = this.residualMax[from] as number;
        }
        this.slotOf.set(path, to);
      }
      to++;
    }
    this.paths.length = to;
    this.slots = to;
    this.garbage = 0;
    this.blocks.length = Math.ceil(to / this.blockRows);
  }
}

function grow(array: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(array);
  return next;
}

/** acc[j] += Σ_t data[dims[t]·stride + j] · w[t]: eight columns per pass, so acc is loaded once per eight. */
function accumulate(
  data: Float32Array | Int8Array,
  stride: number,
  rows: number,
  dims: Int32Array,
  w: Float64Array,
  acc: Float64Array,
): void {
  const n = dims.length;
  let t = 0;
  for (; t + 8 <= n; t += 8) {
    const o0 = (dims[t] as number) * stride;
    const o1 = (dims[t + 1] as number) * stride;
    const o2 = (dims[t + 2] as number) * stride;
    const o3 = (dims[t + 3] as number) * stride;
    const o4 = (dims[t + 4] as number) * stride;
    const o5 = (dims[t + 5] as number) * stride;
    const o6 = (dims[t + 6] as number) * stride;
    const o7 = (dims[t + 7] as number) * stride;
    const w0 = w[t] as number;
    const w1 = w[t + 1] as number;
    const w2 = w[t + 2] as number;
    const w3 = w[t + 3] as number;
    const w4 = w[t + 4] as number;
    const w5 = w[t + 5] as number;
    const w6 = w[t + 6] as number;
    const w7 = w[t + 7] as number;
    for (let j = 0; j < rows; j++) {
      acc[j] =
        (acc[j] as number) +
        (data[o0 + j] as number) * w0 +
        (data[o1 + j] as number) * w1 +
        (data[o2 + j] as number) * w2 +
        (data[o3 + j] as number) * w3 +
        (data[o4 + j] as number) * w4 +
        (data[o5 + j] as number) * w5 +
        (data[o6 + j] as number) * w6 +
        (data[o7 + j] as number) * w7;
    }
  }
  for (; t < n; t++) {
    const o = (dims[t] as number) * stride;
    const wt = w[t] as number;
    for (let j = 0; j < rows; j++) acc[j] = (acc[j] as number) + (data[o + j] as number) * wt;
  }
}

/**
 * The keys of one query as bounds of each row's exact key (smaller is nearer; +Infinity for deleted or
 * skipped rows). `top(k)` turns them into the exact k nearest rows; a larger k later (when pre-filters
 * reject rows) reuses them.
 */
export class VectorRanking {
  private readonly exact = new Map<number, number | null>();
  private readonly revision: number;

  /**
   * int8 keys: `lower[slot]` ≤ exact key ≤ `upper[slot]`, each row with its own bounds, and no slack.
   * Float32 keys: the same array twice, every key within one margin m of its exact value, slack 3m.
   */
  constructor(
    private readonly index: VectorIndex,
    private readonly lower: Float64Array,
    private readonly upper: Float64Array,
    private readonly slack: number,
    readonly measure: DistanceMeasure,
    private readonly query: Float64Array,
    private readonly queryNorm: number,
  ) {
    this.revision = index.revision;
  }

  /** Rows whose exact distance was computed so far (the cost of exactness beyond k). */
  get rescored(): number {
    return this.exact.size;
  }

  /**
   * The k nearest rows in Firestore's order with exact distances; fewer than k only when fewer rows
   * qualify. Exact because every row whose exact distance can reach the k-th is re-scored. int8: k rows
   * have an exact key at most their upper bound, so the k-th exact key is at most T (the k-th smallest
   * upper bound), and a row can reach it only if its lower bound is ≤ T. Float32: the k-th exact value is
   * at most T + m (T: the k-th key), a row at most that far has a key ≤ T + 2m, and 3m leaves room for
   * the final rounding.
   */
  top(k: number, load: ExactVectorLoader): NearestRow[] {
    if (this.index.revision !== this.revision) throw new Error("the vector index changed after this ranking");
    const { lower, upper } = this;
    const threshold = kthSmallest(upper, k) + this.slack;
    const rows: NearestRow[] = [];
    for (let slot = 0; slot < lower.length; slot++) {
      if (!((lower[slot] as number) <= threshold)) continue; // also skips +Infinity when threshold is finite
      if (upper[slot] === Infinity) continue;
      const path = this.index.pathAt(slot) as string;
      let distance = this.exact.get(slot);
      if (distance === undefined) {
        const values = load(path);
        distance =
          values && values.length === this.query.length
            ? exactDistance(this.measure, values, this.query, this.queryNorm)
            : null;
        this.exact.set(slot, distance);
      }
      if (distance !== null) rows.push({ path, distance });
    }
    rows.sort(compareRows(this.measure));
    return rows.length > k ? rows.slice(0, k) : rows;
  }
}

/** The k-th smallest finite key (+Infinity when there are fewer than k), with a bounded max-heap. */
function kthSmallest(keys: Float64Array, k: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as number;
    if (key === Infinity) continue;
    if (size < k) {
      // sift up
      let c = size++;
      heap[c] = key;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if ((heap[p] as number) >= (heap[c] as number)) break;
        const t = heap[p] as number;
        heap[p] = heap[c] as number;
        heap[c] = t;
        c = p;
      }
    } else if (key < (heap[0] as number)) {
      // replace the largest and sift down
      heap[0] = key;
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        if (l >= k) break;
        const r = l + 1;
        const c = r < k && (heap[r] as number) > (heap[l] as number) ? r : l;
        if ((heap[p] as number) >= (heap[c] as number)) break;
        const t = heap[p] as number;
        heap[p] = heap[c] as number;
        heap[c] = t;
        p = c;
      }
    }
  }
  return size < k ? Infinity : (heap[0] as number);
}

// ---------------------------------------------------------------------------------------------------
// Indexes by scope
// ---------------------------------------------------------------------------------------------------

export type VectorScopeKind = "parent" | "coll";

interface ScopedIndex {
  readonly kind: VectorScopeKind;
  readonly scope: string;
  readonly field: string;
  readonly index: VectorIndex;
}

/** A committed change of one document's vectors: `vectors` null when the document was deleted. */
export interface VectorWrite {
  readonly path: string;
  readonly parent: string;
  readonly coll: string;
  readonly vectors: readonly { readonly field: string; readonly values: ArrayLike<number> }[] | null;
}

/**
 * The indexes of one database, by (scope kind, scope, field, dimensions). Only scopes that were queried
 * have an index; writes to other scopes cost one map lookup.
 */
export class ScopedVectorIndexes {
  private readonly byKey = new Map<string, ScopedIndex>();
  private readonly byScope = new Map<string, ScopedIndex[]>();

  get size(): number {
    return this.byKey.size;
  }

  /** The index of a scope, built from `rows` (the stored vectors of that scope) the first time. */
  get(
    kind: VectorScopeKind,
    scope: string,
    field: string,
    dims: number,
    rows: () => Iterable<{ path: string; values: ArrayLike<number> }>,
  ): VectorIndex {
    const key = `${kind}\u0000${scope}\u0000${field}\u0000${dims}`;
    const existing = this.byKey.get(key);
    if (existing) return existing.index;
    const index = new VectorIndex(dims);
    for (const row of rows()) index.upsert(row.path, row.values);
    const scoped: ScopedIndex = { kind, scope, field, index };
    this.byKey.set(key, scoped);
    const scopeKey = `${kind}\u0000${scope}`;
    const list = this.byScope.get(scopeKey);
    if (list) list.push(scoped);
    else this.byScope.set(scopeKey, [scoped]);
    return index;
  }

  /** Applies committed writes to the indexes whose scope holds the document. */
  apply(writes: readonly VectorWrite[]): void {
    if (this.byKey.size === 0) return;
    for (const w of writes) {
      for (const scoped of [
        ...(this.byScope.get(`parent\u0000${w.parent}`) ?? []),
        ...(this.byScope.get(`coll\u0000${w.coll}`) ?? []),
      ]) {
        const v = w.vectors?.find((x) => x.field === scoped.field && x.values.length === scoped.index.dims);
        if (v) scoped.index.upsert(w.path, v.values);
        else scoped.index.remove(w.path);
      }
    }
  }

  /** Forgets every index (they are rebuilt on their next query). */
  clear(): void {
    this.byKey.clear();
    this.byScope.clear();
  }
}
