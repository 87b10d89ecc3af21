/**
 * Firestore value semantics for the local store: encoding to JSON, field paths, transforms, ordering
 * across types and filter matching. Kept pure so the rules can be read and tested in one place.
 */
import { AppError } from "@alchemist/functions/platform/errors";
import {
  isFieldTransform,
  VectorValue,
  type DocData,
  type Filter,
  type OrderBy,
} from "@alchemist/functions/platform/ports";

/** How a vector is kept inside the JSON column; its values live in the `vectors` table. */
export interface VectorMarker {
  readonly $vector: number;
}

export const isVectorMarker = (v: unknown): v is VectorMarker =>
  typeof v === "object" && v !== null && !Array.isArray(v) && "$vector" in v && Object.keys(v).length === 1;

export function fieldParts(field: string): string[] {
  if (typeof field !== "string" || field.length === 0) {
    throw new AppError("invalid-argument", "A field path must be a non-empty string");
  }
  const parts = field.split(".");
  if (parts.some((p) => p.length === 0))
    throw new AppError("invalid-argument", `Invalid field path "${field}"`);
  return parts;
}

export function getField(data: unknown, field: string): { found: boolean; value: unknown } {
  return getAt(data, fieldParts(field));
}

// The `...At` forms take the path as segments: a map key inside written data is one segment even when it
// contains a dot (Firestore reads dots as separators only in field paths, such as update's keys).
function getAt(data: unknown, parts: readonly string[]): { found: boolean; value: unknown } {
  let current: unknown = data;
  for (const part of parts) {
    if (
      typeof current !== "object" ||
      current === null ||
      Array.isArray(current) ||
      current instanceof VectorValue
    ) {
      return { found: false, value: undefined };
    }
    if (!Object.prototype.hasOwnProperty.call(current, part)) return { found: false, value: undefined };
    current = (current as Record<string, unknown>)[part];
  }
  return { found: true, value: current };
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof VectorValue);
}

/** Deep copy of plain data; drops `undefined` the way Firestore's `ignoreUndefinedProperties` does. */
export function cloneData<T>(value: T): T {
  if (value instanceof VectorValue) return value;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map((v) => cloneData(v)) as T;
  if (value instanceof Date) return value.toISOString() as T;
  if (isPlainMap(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = cloneData(v);
    return out as T;
  }
  return value;
}

function assertStorable(value: unknown, where: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (Number.isNaN(value)) return; // Firestore stores NaN; JSON cannot, so it is encoded below.
    return;
  }
  if (value instanceof VectorValue) return;
  if (isFieldTransform(value)) {
    // Transforms are field values of a write; inside an array they would have no field to apply to.
    if (/\[\d+\]$/.test(where))
      throw new AppError("invalid-argument", `A field transform is not allowed inside an array (${where})`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (Array.isArray(v))
        throw new AppError("invalid-argument", `Nested arrays are not supported (${where}[${i}])`);
      assertStorable(v, `${where}[${i}]`);
    });
    return;
  }
  if (isPlainMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (k.length === 0)
        throw new AppError("invalid-argument", `A map key must not be empty (${where || "document root"})`);
      assertStorable(v, where ? `${where}.${k}` : k);
    }
    return;
  }
  throw new AppError("invalid-argument", `Unsupported value at ${where || "document root"}`);
}

export function assertDocData(data: unknown): asserts data is DocData {
  if (!isPlainMap(data)) throw new AppError("invalid-argument", "Document data must be an object");
  assertStorable(data, "");
}

/** Sets a dotted field path, creating intermediate maps (as Firestore's update does). */
export function setField(target: Record<string, unknown>, field: string, value: unknown): void {
  setAt(target, fieldParts(field), value);
}

function setAt(target: Record<string, unknown>, parts: readonly string[], value: unknown): void {
  let current = target;
  for (const part of parts.slice(0, -1)) {
    const next = current[part];
    if (!isPlainMap(next)) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1] as string] = value;
}

export function deleteField(target: Record<string, unknown>, field: string): void {
  deleteAt(target, fieldParts(field));
}

function deleteAt(target: Record<string, unknown>, parts: readonly string[]): void {
  let current: unknown = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainMap(current)) return;
    current = current[part];
  }
  if (isPlainMap(current)) delete current[parts[parts.length - 1] as string];
}

/** Applies one value or transform at a field path of `target` (mutated). */
export function applyField(target: Record<string, unknown>, field: string, value: unknown): void {
  applyAt(target, fieldParts(field), value);
}

function applyAt(target: Record<string, unknown>, parts: readonly string[], value: unknown): void {
  if (!isFieldTransform(value)) {
    assertStorable(value, parts.join("."));
    if (isPlainMap(value)) {
      // A map value replaces the field; transforms nested in it apply to the new, empty map.
      setAt(target, parts, {});
      mergeAt(target, value, parts);
    } else setAt(target, parts, cloneData(value));
    return;
  }
  const current = getAt(target, parts).value;
  switch (value.__transform) {
    case "delete":
      deleteAt(target, parts);
      return;
    case "increment": {
      const base = typeof current === "number" ? current : 0;
      setAt(target, parts, base + value.by);
      return;
    }
    case "arrayUnion": {
      const base = Array.isArray(current) ? [...current] : [];
      for (const v of value.values) if (!base.some((b) => valuesEqual(b, v))) base.push(cloneData(v));
      setAt(target, parts, base);
      return;
    }
    case "arrayRemove": {
      const base = Array.isArray(current) ? current : [];
      setAt(
        target,
        parts,
        base.filter((b) => !value.values.some((v) => valuesEqual(b, v))),
      );
      return;
    }
  }
}

/** `set` with merge: maps merge deeply, everything else replaces; transforms apply at their paths. */
export function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  mergeAt(target, patch, []);
}

function mergeAt(
  target: Record<string, unknown>,
  patch: Record<string, unknown>,
  prefix: readonly string[],
): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const parts = [...prefix, key];
    if (isPlainMap(value) && !isFieldTransform(value)) {
      const existing = getAt(target, parts);
      // An explicitly empty map is a value of its own: it replaces the field (Firestore's merge mask names it).
      if (!existing.found || !isPlainMap(existing.value) || Object.keys(value).length === 0)
        setAt(target, parts, {});
      mergeAt(target, value, parts);
    } else {
      applyAt(target, parts, value);
    }
  }
}

/** Builds a full document from `set` data, applying any transforms against an empty document. */
export function materialize(data: DocData): Record<string, unknown> {
  // Most writes carry no transform: then the document is simply a copy (a much cheaper walk).
  if (!containsTransform(data)) return cloneData(data);
  const out: Record<string, unknown> = {};
  mergeAt(out, data, []);
  return out;
}

function containsTransform(value: unknown): boolean {
  if (isFieldTransform(value)) return true;
  if (Array.isArray(value)) return value.some(containsTransform);
  if (isPlainMap(value)) {
    for (const v of Object.values(value)) if (containsTransform(v)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Ordering and equality (Firestore's cross-type order: null < boolean < number < string < array < vector < map)
// ---------------------------------------------------------------------------------------------------

function typeRank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === "boolean") return 1;
  if (typeof v === "number") return 2;
  if (typeof v === "string") return 4;
  if (Array.isArray(v)) return 8;
  if (v instanceof VectorValue) return 9;
  return 10;
}

/** Firestore orders strings (and map keys) by UTF-8 bytes, not by JavaScript's UTF-16 code units. */
function compareStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return Number(a) - Number(b);
    case 2: {
      const x = a as number;
      const y = b as number;
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1; // NaN sorts before every other number.
      if (Number.isNaN(y)) return 1;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 4:
      return compareStrings(a as string, b as string);
    case 8: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 9: {
      const x = (a as VectorValue).values;
      const y = (b as VectorValue).values;
      if (x.length !== y.length) return x.length - y.length;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
      return 0;
    }
    default: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const kx = Object.keys(x).sort(compareStrings);
      const ky = Object.keys(y).sort(compareStrings);
      for (let i = 0; i < Math.min(kx.length, ky.length); i++) {
        const keyCmp = compareValues(kx[i], ky[i]);
        if (keyCmp !== 0) return keyCmp;
        const c = compareValues(x[kx[i] as string], y[ky[i] as string]);
        if (c !== 0) return c;
      }
      return kx.length - ky.length;
    }
  }
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b || (Number.isNaN(a) && Number.isNaN(b));
  return typeRank(a) === typeRank(b) && compareValues(a, b) === 0;
}

const maxDisjunction = 30; // Firestore's limit for `in`, `not-in` and `array-contains-any`.

const rangeOps: ReadonlySet<Filter["op"]> = new Set(["<", "<=", ">", ">="]);
const inequalityOps: ReadonlySet<Filter["op"]> = new Set(["<", "<=", ">", ">=", "!=", "not-in"]);

export function validateFilter(filter: Filter): void {
  fieldParts(filter.field);
  const v = filter.value;
  if (
    rangeOps.has(filter.op) &&
    (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v)))
  ) {
    // As firebase-admin does: null and NaN only compare with == and != (Firestore's IS_NULL / IS_NAN).
    throw new AppError("invalid-argument", `"${filter.op}" cannot compare with ${String(v)}; use == or !=`);
  }
  if (filter.op === "in" || filter.op === "not-in" || filter.op === "array-contains-any") {
    if (!Array.isArray(filter.value) || filter.value.length === 0 || filter.value.length > maxDisjunction) {
      throw new AppError(
        "invalid-argument",
        `"${filter.op}" needs a non-empty array of at most ${maxDisjunction} values`,
      );
    }
  }
}

export function matchesFilter(data: unknown, filter: Filter): boolean {
  const { found, value } = getField(data, filter.field);
  const target = filter.value;
  switch (filter.op) {
    case "==":
      return found && valuesEqual(value, target);
    case "!=":
      return found && value !== null && !valuesEqual(value, target);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      if (!found || typeRank(value) !== typeRank(target) || value === null) return false;
      if (typeof value === "number" && Number.isNaN(value)) return false;
      const c = compareValues(value, target);
      return filter.op === "<" ? c < 0 : filter.op === "<=" ? c <= 0 : filter.op === ">" ? c > 0 : c >= 0;
    }
    case "in":
      return found && (target as unknown[]).some((t) => valuesEqual(value, t));
    case "not-in":
      // A null in the list matches nothing, as in every Firestore SDK's query matcher.
      if ((target as unknown[]).some((t) => t === null)) return false;
      return found && value !== null && !(target as unknown[]).some((t) => valuesEqual(value, t));
    case "array-contains":
      return found && Array.isArray(value) && value.some((v) => valuesEqual(v, target));
    case "array-contains-any":
      return (
        found &&
        Array.isArray(value) &&
        value.some((v) => (target as unknown[]).some((t) => valuesEqual(v, t)))
      );
  }
}

/**
 * The ordering Firestore applies: the explicit orderBy, then every field with an inequality filter that it
 * does not name (in field-name order, in the direction of the last explicit ordering); `orderDocs` adds the
 * document path last. So `where size > 10` with a limit returns the smallest sizes, as in Firestore.
 */
export function effectiveOrderBy(where: readonly Filter[], orderBy: readonly OrderBy[]): OrderBy[] {
  const named = new Set(orderBy.map((o) => o.field));
  const direction = orderBy.length > 0 ? (orderBy[orderBy.length - 1]?.direction ?? "asc") : "asc";
  const implicit = [...new Set(where.filter((f) => inequalityOps.has(f.op)).map((f) => f.field))]
    .filter((field) => !named.has(field))
    .sort(compareStrings);
  return [...orderBy, ...implicit.map((field) => ({ field, direction }))];
}

/**
 * Sorts by the given fields, then by document path (Firestore's implicit `__name__` order, which follows
 * the direction of the last explicit ordering). Documents missing an ordered field are excluded, as in Firestore.
 */
export function orderDocs<T extends { path: string; data: unknown }>(
  docs: T[],
  orderBy: readonly OrderBy[],
): T[] {
  const present = docs.filter((d) => orderBy.every((o) => getField(d.data, o.field).found));
  const lastDir = orderBy.length > 0 ? (orderBy[orderBy.length - 1]?.direction ?? "asc") : "asc";
  return present.sort((a, b) => compareForOrder(a, b, orderBy, lastDir));
}

export function compareForOrder(
  a: { path: string; data: unknown },
  b: { path: string; data: unknown },
  orderBy: readonly OrderBy[],
  lastDir: "asc" | "desc",
): number {
  for (const o of orderBy) {
    const c = compareValues(getField(a.data, o.field).value, getField(b.data, o.field).value);
    if (c !== 0) return o.direction === "desc" ? -c : c;
  }
  const c = comparePaths(a.path, b.path);
  return lastDir === "desc" ? -c : c;
}

/** Document names compare segment by segment. */
export function comparePaths(a: string, b: string): number {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = compareValues(x[i], y[i]);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

// ---------------------------------------------------------------------------------------------------
// JSON encoding: vectors are replaced by markers (their values go to the vectors table); NaN and
// infinities, which JSON cannot carry, are tagged; a stored map that looks like a tag is wrapped.
// ---------------------------------------------------------------------------------------------------

export interface EncodedDoc {
  readonly json: string;
  readonly vectors: { field: string; values: readonly number[] }[];
}

/** A stored map that could be read back as one of the tags above is wrapped in `{ $map: ... }`. */
const tagKeys: ReadonlySet<string> = new Set(["$vector", "$number", "$map"]);
const looksTagged = (m: Record<string, unknown>): boolean => {
  const keys = Object.keys(m);
  return keys.length === 1 && tagKeys.has(keys[0] as string);
};

export function encodeDoc(data: Record<string, unknown>): EncodedDoc {
  const vectors: { field: string; values: readonly number[] }[] = [];
  const walk = (value: unknown, field: string): unknown => {
    if (value instanceof VectorValue) {
      vectors.push({ field, values: value.values });
      return { $vector: value.values.length } satisfies VectorMarker;
    }
    if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) };
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${field}[${i}]`));
    if (isPlainMap(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value))
        if (v !== undefined) out[k] = walk(v, field ? `${field}.${k}` : k);
      return field !== "" && looksTagged(out) ? { $map: out } : out;
    }
    return value;
  };
  return { json: JSON.stringify(walk(data, "")), vectors };
}

export function decodeDoc(
  json: string,
  loadVector: (field: string) => readonly number[] | undefined,
): Record<string, unknown> {
  const walk = (value: unknown, field: string): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${field}[${i}]`));
    if (isPlainMap(value)) {
      const tagged = field !== "" && Object.keys(value).length === 1; // the document root is never a tag
      if (tagged && isVectorMarker(value)) {
        const values = loadVector(field);
        return values ? new VectorValue(values) : null;
      }
      if (tagged && typeof value.$number === "string") return Number(value.$number);
      const map = tagged && isPlainMap(value.$map) ? value.$map : value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(map)) out[k] = walk(v, field ? `${field}.${k}` : k);
      return out;
    }
    return value;
  };
  return walk(JSON.parse(json), "") as Record<string, unknown>;
}
