/**
 * Firestore value semantics of the local store, rule by rule: the cross-type order, every filter operator
 * (missing fields, null and NaN included), write transforms, merge, and the JSON encoding that carries
 * vectors and the numbers JSON cannot.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "@alchemist/functions/platform/errors";
import { FieldOps, VectorValue, vector, type Filter } from "@alchemist/functions/platform/ports";
import {
  applyField,
  assertDocData,
  compareValues,
  decodeDoc,
  effectiveOrderBy,
  encodeDoc,
  getField,
  materialize,
  matchesFilter,
  mergeInto,
  orderDocs,
  validateFilter,
  valuesEqual,
} from "./values.js";

const roundTrip = (data: Record<string, unknown>): Record<string, unknown> => {
  const encoded = encodeDoc(data);
  const vectors = new Map(encoded.vectors.map((v) => [v.field, v.values]));
  return decodeDoc(encoded.json, (field) => vectors.get(field));
};

const codeOf = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`;
  }
  return undefined;
};

describe("ordering across types", () => {
  it("sorts null < booleans < numbers < strings < arrays < vectors < maps", () => {
    const values: unknown[] = [
      { a: 1 },
      vector([1, 2]),
      ["a"],
      "text",
      42,
      true,
      null,
      false,
      Number.NaN,
      -Infinity,
    ];
    const sorted = [...values].sort(compareValues);
    expect(sorted).toEqual([
      null,
      false,
      true,
      Number.NaN,
      -Infinity,
      42,
      "text",
      ["a"],
      vector([1, 2]),
      { a: 1 },
    ]);
  });

  it("puts NaN before every other number and treats -0 and 0 as equal", () => {
    expect(compareValues(Number.NaN, -Infinity)).toBeLessThan(0);
    expect(compareValues(-Infinity, Number.NaN)).toBeGreaterThan(0);
    expect(compareValues(Number.NaN, Number.NaN)).toBe(0);
    expect(compareValues(-0, 0)).toBe(0);
    expect(compareValues(1, 1.5)).toBeLessThan(0);
  });

  it("orders strings by UTF-8 bytes, not UTF-16 code units", () => {
    // U+FF5E is one UTF-16 unit above the surrogates of U+1F600, but its UTF-8 bytes come first.
    expect(compareValues("\uFF5E", "😀")).toBeLessThan(0);
    expect(["b", "é", "a", "😀", "\uFF5E", "B"].sort(compareValues)).toEqual([
      "B",
      "a",
      "b",
      "é",
      "\uFF5E",
      "😀",
    ]);
  });

  it("orders arrays element by element, then by length", () => {
    expect(compareValues([1, 2], [1, 3])).toBeLessThan(0);
    expect(compareValues([1, 2], [1, 2, 0])).toBeLessThan(0);
    expect(compareValues([2], [1, 9, 9])).toBeGreaterThan(0);
    expect(compareValues(["a", 1], ["a", "1"])).toBeLessThan(0); // number before string
  });

  it("orders vectors by dimension first, then by values", () => {
    expect(compareValues(vector([9, 9]), vector([0, 0, 0]))).toBeLessThan(0);
    expect(compareValues(vector([1, 2, 3]), vector([1, 2, 4]))).toBeLessThan(0);
    expect(compareValues(vector([1, 2]), vector([1, 2]))).toBe(0);
  });

  it("orders maps by their keys (in byte order), then by the values", () => {
    expect(compareValues({ a: 2 }, { b: 1 })).toBeLessThan(0);
    expect(compareValues({ a: 1, b: 2 }, { a: 1, b: 3 })).toBeLessThan(0);
    expect(compareValues({ a: 1 }, { a: 1, b: 0 })).toBeLessThan(0);
    // By bytes "\uFF5E" is the first key of both maps; by UTF-16 units it would be "😀".
    expect(compareValues({ "\uFF5E": 1, "😀": 9 }, { "\uFF5E": 2, "😀": 0 })).toBeLessThan(0);
  });

  it("orderDocs sorts by the fields, then by path in the last direction, and drops documents lacking a field", () => {
    const docs = [
      { path: "kb/d3", data: { status: "ready", size: 5 } },
      { path: "kb/d1", data: { status: "ready", size: 5 } },
      { path: "kb/d2", data: { status: "failed", size: 9 } },
      { path: "kb/d4", data: { status: "ready" } },
    ];
    expect(orderDocs([...docs], [{ field: "size", direction: "desc" }]).map((d) => d.path)).toEqual([
      "kb/d2",
      "kb/d3",
      "kb/d1",
    ]);
    expect(orderDocs([...docs], [{ field: "status" }, { field: "size" }]).map((d) => d.path)).toEqual([
      "kb/d2",
      "kb/d1",
      "kb/d3",
    ]);
    // Document ids compare as strings segment by segment: "d10" sorts before "d9".
    expect(
      orderDocs(
        [
          { path: "kb/d9", data: {} },
          { path: "kb/d10", data: {} },
        ],
        [],
      ).map((d) => d.path),
    ).toEqual(["kb/d10", "kb/d9"]);
  });

  it("adds inequality fields to the ordering after the explicit ones, in field-name order and the last direction", () => {
    const where: Filter[] = [
      { field: "status", op: "==", value: "ready" },
      { field: "size", op: ">", value: 10 },
      { field: "pages", op: "!=", value: 0 },
      { field: "lang", op: "not-in", value: ["de"] },
    ];
    expect(effectiveOrderBy(where, [])).toEqual([
      { field: "lang", direction: "asc" },
      { field: "pages", direction: "asc" },
      { field: "size", direction: "asc" },
    ]);
    expect(effectiveOrderBy(where, [{ field: "size", direction: "desc" }])).toEqual([
      { field: "size", direction: "desc" },
      { field: "lang", direction: "desc" },
      { field: "pages", direction: "desc" },
    ]);
    expect(effectiveOrderBy([{ field: "status", op: "in", value: ["a"] }], [])).toEqual([]);
  });
});

describe("filters", () => {
  const doc = {
    name: "Refund policy.pdf",
    size: 120,
    ratio: Number.NaN,
    reviewedBy: null,
    tags: ["policy", "billing", null],
    meta: { lang: "en", pages: 4 },
    embedding: vector([0.1, 0.2]),
  };
  const match = (field: string, op: Filter["op"], value: unknown) => matchesFilter(doc, { field, op, value });

  it("== matches equal values of the same type only, including null, NaN, maps, arrays and vectors", () => {
    expect(match("size", "==", 120)).toBe(true);
    expect(match("size", "==", "120")).toBe(false);
    expect(match("reviewedBy", "==", null)).toBe(true);
    expect(match("missing", "==", null)).toBe(false);
    expect(match("ratio", "==", Number.NaN)).toBe(true);
    expect(match("size", "==", Number.NaN)).toBe(false);
    expect(match("meta", "==", { pages: 4, lang: "en" })).toBe(true);
    expect(match("meta", "==", { lang: "en" })).toBe(false);
    expect(match("tags", "==", ["policy", "billing", null])).toBe(true);
    expect(match("tags", "==", ["billing", "policy", null])).toBe(false);
    expect(match("embedding", "==", vector([0.1, 0.2]))).toBe(true);
    expect(match("embedding", "==", [0.1, 0.2])).toBe(false);
    expect(match("meta.lang", "==", "en")).toBe(true);
  });

  it("!= needs the field to exist and not be null; != null and != NaN match every other value", () => {
    expect(match("size", "!=", 5)).toBe(true);
    expect(match("size", "!=", 120)).toBe(false);
    expect(match("missing", "!=", 5)).toBe(false);
    expect(match("reviewedBy", "!=", "someone")).toBe(false);
    expect(match("reviewedBy", "!=", null)).toBe(false);
    expect(match("name", "!=", null)).toBe(true);
    expect(match("ratio", "!=", Number.NaN)).toBe(false);
    expect(match("size", "!=", Number.NaN)).toBe(true);
    expect(match("name", "!=", 7)).toBe(true);
  });

  it("range operators compare within one type and never match missing fields, null or NaN", () => {
    expect(match("size", ">", 100)).toBe(true);
    expect(match("size", ">=", 120)).toBe(true);
    expect(match("size", "<", 120)).toBe(false);
    expect(match("size", "<=", 120)).toBe(true);
    expect(match("size", "<", "zzz")).toBe(false); // a string bound never matches a number
    expect(match("name", ">", "Q")).toBe(true);
    expect(match("name", ">", 0)).toBe(false);
    expect(match("missing", "<", 10)).toBe(false);
    expect(match("ratio", "<", 10)).toBe(false);
    expect(match("ratio", ">", -Infinity)).toBe(false);
    expect(match("reviewedBy", "<", "a")).toBe(false);
    expect(match("meta.pages", ">=", 4)).toBe(true);
  });

  it("range operators with a null or NaN bound are rejected, as firebase-admin rejects them", () => {
    for (const op of ["<", "<=", ">", ">="] as const) {
      expect(codeOf(() => validateFilter({ field: "size", op, value: null }))).toBe("invalid-argument");
      expect(codeOf(() => validateFilter({ field: "size", op, value: Number.NaN }))).toBe("invalid-argument");
    }
    expect(codeOf(() => validateFilter({ field: "size", op: "==", value: null }))).toBeUndefined();
    expect(codeOf(() => validateFilter({ field: "size", op: "!=", value: Number.NaN }))).toBeUndefined();
  });

  it("in matches any listed value, null and NaN included", () => {
    expect(match("size", "in", [1, 120])).toBe(true);
    expect(match("size", "in", ["120"])).toBe(false);
    expect(match("reviewedBy", "in", [null, "x"])).toBe(true);
    expect(match("ratio", "in", [Number.NaN])).toBe(true);
    expect(match("missing", "in", [null])).toBe(false);
  });

  it("not-in excludes the listed values, missing fields and nulls; a null in the list matches nothing", () => {
    expect(match("size", "not-in", [1, 2])).toBe(true);
    expect(match("size", "not-in", [120])).toBe(false);
    expect(match("missing", "not-in", [1])).toBe(false);
    expect(match("reviewedBy", "not-in", ["x"])).toBe(false);
    expect(match("size", "not-in", [null, 1])).toBe(false);
    expect(match("name", "not-in", [null])).toBe(false);
    expect(match("ratio", "not-in", [Number.NaN])).toBe(false);
    expect(match("ratio", "not-in", [1])).toBe(true);
  });

  it("array-contains and array-contains-any look inside arrays only", () => {
    expect(match("tags", "array-contains", "policy")).toBe(true);
    expect(match("tags", "array-contains", null)).toBe(true);
    expect(match("tags", "array-contains", "guide")).toBe(false);
    expect(match("name", "array-contains", "Refund policy.pdf")).toBe(false);
    expect(match("missing", "array-contains", "policy")).toBe(false);
    expect(match("tags", "array-contains-any", ["guide", "billing"])).toBe(true);
    expect(match("tags", "array-contains-any", ["guide"])).toBe(false);
    expect(match("embedding", "array-contains", 0.1)).toBe(false); // a vector is not an array
  });

  it("in, not-in and array-contains-any need 1 to 30 values", () => {
    for (const op of ["in", "not-in", "array-contains-any"] as const) {
      expect(codeOf(() => validateFilter({ field: "size", op, value: [] }))).toBe("invalid-argument");
      expect(codeOf(() => validateFilter({ field: "size", op, value: "x" }))).toBe("invalid-argument");
      expect(
        codeOf(() => validateFilter({ field: "size", op, value: Array.from({ length: 31 }, (_, i) => i) })),
      ).toBe("invalid-argument");
      expect(
        codeOf(() => validateFilter({ field: "size", op, value: Array.from({ length: 30 }, (_, i) => i) })),
      ).toBeUndefined();
    }
  });

  it("field paths must not be empty or have empty segments", () => {
    for (const field of ["", "a..b", ".a", "a."]) {
      expect(codeOf(() => validateFilter({ field, op: "==", value: 1 }))).toBe("invalid-argument");
    }
  });

  it("a field path does not descend into arrays or vectors", () => {
    expect(getField({ list: [{ a: 1 }] }, "list.0.a")).toEqual({ found: false, value: undefined });
    expect(getField({ v: vector([1]) }, "v.values")).toEqual({ found: false, value: undefined });
    expect(getField({ a: { b: null } }, "a.b")).toEqual({ found: true, value: null });
  });
});

describe("transforms", () => {
  it("increment adds to numbers and starts from zero on missing or non-numeric fields", () => {
    const data: Record<string, unknown> = { credits: 10, label: "x" };
    applyField(data, "credits", FieldOps.increment(5));
    applyField(data, "usage.tokens", FieldOps.increment(7));
    applyField(data, "label", FieldOps.increment(2));
    applyField(data, "credits", FieldOps.increment(-0.5));
    expect(data).toEqual({ credits: 14.5, label: 2, usage: { tokens: 7 } });
  });

  it("arrayUnion appends only values not already present; arrayRemove removes every copy", () => {
    const data: Record<string, unknown> = { tags: ["a", { k: 1 }, "a"], scalar: 5 };
    applyField(data, "tags", FieldOps.arrayUnion("b", { k: 1 }, "b", null));
    expect(data.tags).toEqual(["a", { k: 1 }, "a", "b", null]);
    applyField(data, "tags", FieldOps.arrayRemove("a", { k: 1 }, "zzz"));
    expect(data.tags).toEqual(["b", null]);
    applyField(data, "scalar", FieldOps.arrayUnion(1));
    applyField(data, "none", FieldOps.arrayRemove(1));
    expect(data).toMatchObject({ scalar: [1], none: [] });
  });

  it("delete removes a field, nested or not, and ignores missing ones", () => {
    const data: Record<string, unknown> = { a: 1, meta: { lang: "en", pages: 4 } };
    applyField(data, "meta.lang", FieldOps.delete());
    applyField(data, "a", FieldOps.delete());
    applyField(data, "missing.deep", FieldOps.delete());
    expect(data).toEqual({ meta: { pages: 4 } });
  });

  it("a map value replaces the field in an update, and a dotted path sets one nested field", () => {
    const data: Record<string, unknown> = { meta: { lang: "en", pages: 4 } };
    applyField(data, "meta.pages", 5);
    expect(data).toEqual({ meta: { lang: "en", pages: 5 } });
    applyField(data, "meta", { title: "Handbook", views: FieldOps.increment(1) });
    expect(data).toEqual({ meta: { title: "Handbook", views: 1 } });
  });

  it("materialize applies the transforms of set data against an empty document", () => {
    expect(
      materialize({
        count: FieldOps.increment(3),
        tags: FieldOps.arrayUnion("x"),
        gone: FieldOps.delete(),
        nested: { n: FieldOps.increment(1) },
      }),
    ).toEqual({ count: 3, tags: ["x"], nested: { n: 1 } });
  });

  it("values written are copies: later changes to the caller's objects do not leak in", () => {
    const tags = ["a"];
    const data: Record<string, unknown> = {};
    applyField(data, "tags", tags);
    tags.push("b");
    expect(data.tags).toEqual(["a"]);
  });
});

describe("merge", () => {
  it("merges maps deeply, replaces other values and applies transforms at their paths", () => {
    const target: Record<string, unknown> = {
      name: "Bot",
      config: { model: "gpt-4o-mini", temperature: 0.2, tools: ["search"] },
      runs: 1,
    };
    mergeInto(target, {
      config: { temperature: 0.5, tools: ["calc"] },
      runs: FieldOps.increment(1),
      status: "draft",
    });
    expect(target).toEqual({
      name: "Bot",
      config: { model: "gpt-4o-mini", temperature: 0.5, tools: ["calc"] },
      runs: 2,
      status: "draft",
    });
  });

  it("an explicitly empty map replaces the field, as Firestore's merge does", () => {
    const target: Record<string, unknown> = { config: { model: "gpt-4o-mini" }, other: 1 };
    mergeInto(target, { config: {} });
    expect(target).toEqual({ config: {}, other: 1 });
  });

  it("a map merged over a non-map value replaces it; undefined values are skipped", () => {
    const target: Record<string, unknown> = { config: "legacy", keep: true };
    mergeInto(target, { config: { model: "m" }, keep: undefined });
    expect(target).toEqual({ config: { model: "m" }, keep: true });
  });

  it("keys with dots inside written maps are single fields, not paths", () => {
    const target: Record<string, unknown> = {};
    mergeInto(target, { headers: { "x.request.id": "abc" }, "file.name": "report.pdf" });
    expect(target).toEqual({ headers: { "x.request.id": "abc" }, "file.name": "report.pdf" });
    expect(materialize({ "a.b": 1 })).toEqual({ "a.b": 1 });
    const updated: Record<string, unknown> = { meta: {} };
    applyField(updated, "meta", { "v1.2": "yes" });
    expect(updated).toEqual({ meta: { "v1.2": "yes" } });
  });
});

describe("document data validation", () => {
  it("accepts plain data, vectors and transforms at field positions", () => {
    expect(
      codeOf(() =>
        assertDocData({ a: [1, "x", null, { b: true }], v: vector([1]), n: FieldOps.increment(1) }),
      ),
    ).toBeUndefined();
  });

  it("rejects nested arrays, transforms inside arrays, empty keys and non-plain values", () => {
    expect(codeOf(() => assertDocData({ a: [[1]] }))).toBe("invalid-argument");
    expect(codeOf(() => assertDocData({ a: [FieldOps.increment(1)] }))).toBe("invalid-argument");
    expect(codeOf(() => assertDocData({ a: { "": 1 } }))).toBe("invalid-argument");
    expect(codeOf(() => assertDocData({ a: () => 1 }))).toBe("invalid-argument");
    expect(codeOf(() => assertDocData({ a: 10n }))).toBe("invalid-argument");
    expect(codeOf(() => assertDocData(["not", "a", "map"]))).toBe("invalid-argument");
  });
});

describe("encoding", () => {
  it("round-trips vectors (top level, nested, in arrays) with every bit of their values", () => {
    const values = [0.1, -1 / 3, Math.PI, 1e-300, 5e-324, Number.MAX_VALUE];
    const data = { embedding: vector(values), meta: { v: vector([1, 2]) }, list: [vector([3])] };
    const encoded = encodeDoc(data);
    expect(encoded.vectors.map((v) => v.field).sort()).toEqual(["embedding", "list[0]", "meta.v"]);
    expect(encoded.json).not.toContain("0.1"); // vector values live beside the JSON, not in it
    const back = roundTrip(data);
    expect(back.embedding).toBeInstanceOf(VectorValue);
    expect((back.embedding as VectorValue).toArray()).toEqual(values);
    expect((back.meta as { v: VectorValue }).v.toArray()).toEqual([1, 2]);
    expect((back.list as VectorValue[])[0]?.toArray()).toEqual([3]);
  });

  it("a vector whose values are gone reads back as null, not as a marker", () => {
    const encoded = encodeDoc({ embedding: vector([1]) });
    expect(decodeDoc(encoded.json, () => undefined)).toEqual({ embedding: null });
  });

  it("round-trips NaN and infinities, which JSON cannot carry", () => {
    const back = roundTrip({
      nan: Number.NaN,
      inf: Infinity,
      neg: -Infinity,
      list: [Number.NaN, 1],
      nested: { x: -Infinity },
    });
    expect(back.nan).toBeNaN();
    expect(back.inf).toBe(Infinity);
    expect(back.neg).toBe(-Infinity);
    expect((back.list as number[])[0]).toBeNaN();
    expect(back.nested).toEqual({ x: -Infinity });
  });

  it("user maps that look like the encoding's tags round-trip unchanged", () => {
    const data = {
      a: { $vector: 3 },
      b: { $number: "Infinity" },
      c: { $map: { x: 1 } },
      d: { $map: 5 },
      e: [{ $number: "NaN" }],
      f: { $vector: 2, other: true },
      g: { deeper: { $number: "1" } },
    };
    expect(roundTrip(data)).toEqual(data);
  });

  it("a document whose root looks like a tag round-trips unchanged", () => {
    expect(roundTrip({ $vector: 3 })).toEqual({ $vector: 3 });
    expect(roundTrip({ $number: "NaN" })).toEqual({ $number: "NaN" });
    expect(roundTrip({ $map: { a: 1 } })).toEqual({ $map: { a: 1 } });
  });

  it("plain values round-trip unchanged", () => {
    const data = {
      s: "café ☕",
      n: 3,
      f: 0.1 + 0.2,
      t: true,
      z: null,
      list: ["a", 1, null, { k: "v" }],
      empty: {},
      none: [],
    };
    expect(roundTrip(data)).toEqual(data);
    expect(valuesEqual(roundTrip(data).f, 0.30000000000000004)).toBe(true);
  });
});
