/**
 * OpenAPI schema objects (Swagger 2.0, OpenAPI 3.0, OpenAPI 3.1) → JSON Schema draft 2020-12 that a strict
 * validator accepts (Ajv 8 in strict mode, and the agents' `z.fromJSONSchema`), for the request side of an
 * operation.
 *
 * - Local `$ref`s are inlined. A reference back into a schema being expanded (recursion) is cut: the place
 *   gets the target's type and a note. Nesting deeper than `maxDepth` is summarized the same way.
 * - Only keywords of 2020-12 are kept, each checked for a valid value: OpenAPI-only ones (`xml`,
 *   `externalDocs`, `discriminator`, `example`, `nullable`, `x-*`) are converted or dropped.
 * - 3.0's `nullable` adds `null` to `type` (and `enum`); `example` becomes `examples`; the boolean
 *   `exclusiveMinimum`/`exclusiveMaximum` of 2.0/3.0 become 2020-12's numbers.
 * - `readOnly` properties are removed (a request never sends them); `writeOnly` ones are kept.
 * - A simplification only ever loosens: keywords the platform's validator cannot enforce (`not`,
 *   `if`/`then`/`else`, `dependent*`, `unevaluated*`), invalid or catastrophic `pattern`s and oversized
 *   `enum`s are dropped, `oneOf` with a `discriminator` becomes `anyOf`. The API still enforces them.
 * - Keywords that apply to one type get a `type` when the schema has none (`properties` → `object`) and are
 *   dropped where the declared type makes them inert (`minimum` on a string), as strict validators require.
 *
 * The work is bounded: each conversion spends from a budget of serialized bytes and throws `SchemaTooLarge`
 * when it is spent, so a document whose references fan out exponentially costs no more than a large schema.
 */
import { trimDescription } from "./describe.js";
import type { Dialect } from "./document.js";
import { isRecord } from "./document.js";
import { type RefResolver, refName } from "./refs.js";

export type JsonSchema = Record<string, unknown> | boolean;

/** The conversion ran out of its budget; the caller retries with a shallower depth or gives up. */
export class SchemaTooLarge extends Error {}

export interface ConvertSettings {
  readonly dialect: Dialect;
  readonly resolver: RefResolver;
  /** Levels of properties and items kept below a tool argument (which is level 1); deeper ones are summarized. */
  readonly maxDepth: number;
  /** Characters of each nested description (0: none). */
  readonly maxDescriptionChars: number;
  readonly keepExamples: boolean;
  /** Approximate serialized bytes left to spend. */
  readonly budget: { remaining: number };
  /** Notes for the operation (what was cut or dropped); a set, so each is said once. */
  readonly notes: Set<string>;
}

type Family = "string" | "number" | "array" | "object";
const typeNames = new Set(["string", "number", "integer", "boolean", "array", "object", "null"]);

const keywordFamily: Readonly<Record<string, Family>> = {
  maximum: "number",
  minimum: "number",
  exclusiveMaximum: "number",
  exclusiveMinimum: "number",
  multipleOf: "number",
  maxLength: "string",
  minLength: "string",
  pattern: "string",
  items: "array",
  contains: "array",
  minContains: "array",
  maxContains: "array",
  minItems: "array",
  maxItems: "array",
  uniqueItems: "array",
  properties: "object",
  patternProperties: "object",
  additionalProperties: "object",
  required: "object",
  minProperties: "object",
  maxProperties: "object",
  propertyNames: "object",
};

/** Keywords dropped because the agents' argument validator cannot enforce them (the API still does). */
const unenforced = [
  "not",
  "if",
  "then",
  "else",
  "dependentSchemas",
  "dependentRequired",
  "dependencies",
  "unevaluatedProperties",
  "unevaluatedItems",
];

const integerFormats = new Set(["int32", "int64", "int8", "int16", "uint8", "uint32", "uint64"]);
const numberFormats = new Set(["float", "double", "decimal", "number"]);

/** Recursion through composition and references, whatever the nesting depth: bounds the call stack. */
const maxRecursion = 96;

/** Largest value kept for `default`, `const` and each of `examples` (serialized bytes); larger ones are dropped. */
const maxValueBytes = 2048;
/** Largest `enum` kept; a larger one is dropped (the schema gets looser, never stricter). */
const maxEnumBytes = 8192;

const isNonNegativeInteger = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * A deep copy of a JSON value within `maxBytes` (approximate serialized size), or `undefined` when it is
 * larger, deeper than 32 levels, or not JSON (YAML can produce other things; a parsed object can be cyclic).
 */
export function copyJsonValue(value: unknown, maxBytes: number): unknown {
  let size = 0;
  const copy = (v: unknown, depth: number): unknown => {
    if (depth > 32 || size > maxBytes) throw new SchemaTooLarge();
    if (v === null || typeof v === "boolean") {
      size += 5;
      return v;
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new SchemaTooLarge();
      size += 8;
      return v;
    }
    if (typeof v === "string") {
      size += v.length + 2;
      if (size > maxBytes) throw new SchemaTooLarge();
      return v;
    }
    if (Array.isArray(v)) {
      size += 2;
      return v.map((item) => copy(item, depth + 1));
    }
    if (isRecord(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
      size += 2;
      // fromEntries defines own properties: a "__proto__" key stays data, never a prototype.
      return Object.fromEntries(
        Object.entries(v).map(([k, item]) => {
          size += k.length + 4;
          return [k, copy(item, depth + 1)];
        }),
      );
    }
    throw new SchemaTooLarge();
  };
  try {
    return copy(value, 0);
  } catch (e) {
    if (e instanceof SchemaTooLarge) return undefined;
    throw e;
  }
}

/** Patterns a strict validator compiles (Unicode mode, like Ajv, and plain mode, like zod), without nested quantifiers. */
export function usablePattern(pattern: string): boolean {
  // Star height above one (`(a+)+`) is the classic catastrophic backtracking shape: the pattern would later
  // run against arguments a model wrote, in the platform's process.
  if (pattern.length > 1000 || /\([^()]*[+*}][^()]*\)[+*{]/.test(pattern)) return false;
  try {
    new RegExp(pattern, "u");
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function readTypes(value: unknown): string[] | null {
  const list = typeof value === "string" ? [value] : Array.isArray(value) ? value : null;
  if (list === null) return null;
  const types = [...new Set(list.filter((t): t is string => typeof t === "string" && typeNames.has(t)))];
  return types.length > 0 ? types : null;
}

/**
 * `types` as a member of a composition whose parent declares `inherited`: only the parent's types can reach
 * it, and strict validators refuse the others (a nullable member of a non-nullable parent), so they are left
 * out; `null` when none is left, and the parent's types govern.
 */
function within(types: string[] | null, inherited: readonly string[] | null): string[] | null {
  if (types === null || inherited === null) return types;
  const kept = types.flatMap((t) =>
    inherited.includes(t) || (t === "integer" && inherited.includes("number"))
      ? [t]
      : t === "number" && inherited.includes("integer")
        ? ["integer"]
        : [],
  );
  return kept.length > 0 ? [...new Set(kept)] : null;
}

const applies = (family: Family, types: readonly string[]): boolean =>
  types.includes(family) || (family === "number" && types.includes("integer"));

/** What may stand beside a `$ref` and still be read as describing it rather than constraining it. */
const refAnnotations = new Set([
  "description",
  "title",
  "summary",
  "deprecated",
  "readOnly",
  "writeOnly",
  "default",
  "example",
  "examples",
  "nullable",
  "x-nullable",
  "externalDocs",
  "xml",
  "discriminator",
]);

const isNullable = (raw: Record<string, unknown>): boolean =>
  raw.nullable === true || raw["x-nullable"] === true;

export class SchemaConverter {
  /** References being expanded, to cut recursion. */
  private readonly expanding = new Set<string>();

  constructor(private readonly s: ConvertSettings) {}

  private spend(bytes: number): void {
    this.s.budget.remaining -= bytes;
    if (this.s.budget.remaining < 0) throw new SchemaTooLarge();
  }

  private description(text: unknown): string | null {
    if (typeof text !== "string") return null;
    const trimmed = trimDescription(text, this.s.maxDescriptionChars);
    if (trimmed === "") return null;
    this.spend(trimmed.length + 16);
    return trimmed;
  }

  private value(v: unknown, maxBytes: number): unknown {
    const copied = copyJsonValue(v, maxBytes);
    if (copied !== undefined) this.spend(Math.min(maxBytes, JSON.stringify(copied).length) + 12);
    return copied;
  }

  /**
   * `raw` converted, at nesting `depth` (1 for a tool argument). `inherited`: the type a parent schema
   * declares for this one (as a member of its `allOf`/`anyOf`/`oneOf`), which strict validators carry down.
   */
  convert(
    raw: unknown,
    depth: number,
    inherited: readonly string[] | null = null,
    recursion = 0,
  ): JsonSchema {
    this.spend(8);
    if (typeof raw === "boolean") return raw;
    if (!isRecord(raw)) {
      this.s.notes.add("a schema that is not an object was read as accepting any value");
      return {};
    }
    if (depth > this.s.maxDepth || recursion > maxRecursion) return this.summary(raw, inherited);
    if (typeof raw.$ref === "string") return this.reference(raw, depth, inherited, recursion);
    return this.node(raw, depth, inherited, recursion);
  }

  /** What a cut place keeps: the target's type and description, with a note in the description. */
  private summary(
    raw: Record<string, unknown>,
    inherited: readonly string[] | null,
    why?: string,
  ): JsonSchema {
    const target = this.s.resolver.deref(raw).value;
    const out: Record<string, unknown> = {};
    if (!isRecord(target)) return out;
    const types = within(this.declaredTypes(target), inherited);
    if (types) out.type = types.length === 1 ? types[0] : types;
    const reason =
      why ??
      `nested fields below this level are not described (the tool's schema keeps ${this.s.maxDepth} levels)`;
    if (why === undefined)
      this.s.notes.add(
        `schemas nested deeper than ${this.s.maxDepth} levels were summarized to keep the tool small`,
      );
    const text = this.description(target.description);
    out.description = text ? `${text} (${reason})` : `(${reason})`;
    this.spend(reason.length + 32);
    return out;
  }

  private reference(
    raw: Record<string, unknown>,
    depth: number,
    inherited: readonly string[] | null,
    recursion: number,
  ): JsonSchema {
    const { value: target, pointer } = this.s.resolver.deref({ $ref: raw.$ref });
    const key = pointer ?? String(raw.$ref);
    let converted: JsonSchema;
    if (this.expanding.has(key)) {
      this.s.notes.add(`the recursive schema ${refName(key)} was cut where it contains itself`);
      converted = this.summary(
        { $ref: raw.$ref },
        inherited,
        `recursive ${refName(key)}: its nested levels are not described`,
      );
    } else {
      this.expanding.add(key);
      try {
        converted = this.convert(target, depth, inherited, recursion + 1);
      } finally {
        this.expanding.delete(key);
      }
    }
    const siblings = Object.keys(raw).filter(
      (k) => k !== "$ref" && (!k.startsWith("x-") || k === "x-nullable"),
    );
    if (siblings.length === 0 || converted === false) return converted;
    if (siblings.every((k) => refAnnotations.has(k))) {
      // Beside a $ref (ignored by 3.0, meant by most authors), annotations describe this use of the target.
      const out = converted === true ? {} : converted;
      this.annotate(out, raw);
      return isNullable(raw) && (inherited === null || inherited.includes("null")) ? this.nullable(out) : out;
    }
    // 3.1: constraints beside a $ref apply together with the target's.
    const rest = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== "$ref"));
    return { allOf: [converted, this.node(rest, depth, inherited, recursion + 1)] };
  }

  /** Title, description, deprecated, readOnly/writeOnly, default, examples of `raw` onto `out`. */
  private annotate(out: Record<string, unknown>, raw: Record<string, unknown>): void {
    if (typeof raw.title === "string" && raw.title.trim() !== "") out.title = raw.title.trim().slice(0, 200);
    const text = this.description(raw.description);
    if (text !== null) out.description = text;
    if (raw.deprecated === true) out.deprecated = true;
    if (raw.readOnly === true) out.readOnly = true;
    if (raw.writeOnly === true) out.writeOnly = true;
    if (raw.default !== undefined) {
      const v = this.value(raw.default, maxValueBytes);
      if (v !== undefined) out.default = v;
    }
    if (this.s.keepExamples) {
      const candidates = Array.isArray(raw.examples)
        ? raw.examples.slice(0, 3)
        : raw.example !== undefined
          ? [raw.example]
          : [];
      const examples = candidates.map((e) => this.value(e, maxValueBytes)).filter((e) => e !== undefined);
      if (examples.length > 0) out.examples = examples;
    }
  }

  /** `null` allowed as well (3.0's `nullable`, 2.0's `x-nullable`). */
  nullable(out: Record<string, unknown>): Record<string, unknown> {
    if (
      Object.keys(out).every((k) =>
        ["title", "description", "deprecated", "default", "examples", "readOnly", "writeOnly"].includes(k),
      )
    )
      return out; // accepts anything already
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (out.const !== undefined) {
      out.enum = [out.const, null];
      delete out.const;
    }
    if (typeof out.type === "string") {
      if (out.type !== "null") out.type = [out.type, "null"];
      return out;
    }
    if (Array.isArray(out.type)) {
      if (!out.type.includes("null")) out.type = [...out.type, "null"];
      return out;
    }
    // No type of its own (a composition): either it, or null.
    const wrapper: Record<string, unknown> = {};
    for (const k of ["title", "description", "deprecated", "default", "examples", "readOnly", "writeOnly"])
      if (out[k] !== undefined) {
        wrapper[k] = out[k];
        delete out[k];
      }
    wrapper.anyOf = [out, { type: "null" }];
    return wrapper;
  }

  /** The types a schema declares, looking through references (for composition members). */
  private declaredTypes(raw: unknown): string[] | null {
    const target = this.s.resolver.deref(raw).value;
    if (!isRecord(target)) return null;
    const types = readTypes(target.type);
    if (types && isNullable(target) && !types.includes("null")) types.push("null");
    return types;
  }

  private node(
    raw: Record<string, unknown>,
    depth: number,
    inherited: readonly string[] | null,
    recursion: number,
  ): JsonSchema {
    const out: Record<string, unknown> = {};
    this.annotate(out, raw);
    let types = within(readTypes(raw.type), inherited);
    if (raw.type === "file") this.s.notes.add("a file (binary upload) field was read as a string");
    if (typeof raw.format === "string" && raw.format.trim() !== "")
      out.format = raw.format.trim().slice(0, 100);
    this.spend(32);

    if (Array.isArray(raw.enum)) {
      const v = this.value(raw.enum, maxEnumBytes);
      if (v === undefined)
        this.s.notes.add(`an enumeration of ${raw.enum.length} values was too large to keep and was dropped`);
      else out.enum = v;
    }
    if (raw.const !== undefined) {
      const v = this.value(raw.const, maxValueBytes);
      if (v !== undefined) out.const = v;
    }

    // Numbers; 2.0 and 3.0 write exclusive bounds as booleans beside minimum/maximum.
    if (isFiniteNumber(raw.multipleOf) && raw.multipleOf > 0) out.multipleOf = raw.multipleOf;
    for (const [bound, exclusive] of [
      ["maximum", "exclusiveMaximum"],
      ["minimum", "exclusiveMinimum"],
    ] as const) {
      const limit = raw[bound];
      const flag = raw[exclusive];
      if (isFiniteNumber(flag)) out[exclusive] = flag;
      if (isFiniteNumber(limit)) {
        if (flag === true) out[exclusive] = limit;
        else out[bound] = limit;
      }
    }

    // Strings.
    if (isNonNegativeInteger(raw.maxLength)) out.maxLength = raw.maxLength;
    if (isNonNegativeInteger(raw.minLength)) out.minLength = raw.minLength;
    if (typeof raw.pattern === "string") {
      if (usablePattern(raw.pattern)) out.pattern = raw.pattern;
      else
        this.s.notes.add(
          `the pattern ${JSON.stringify(raw.pattern.slice(0, 80))} was dropped: it is not a valid, safe ECMAScript regular expression`,
        );
    }

    // Arrays.
    for (const k of ["minItems", "maxItems", "minContains", "maxContains"] as const)
      if (isNonNegativeInteger(raw[k])) out[k] = raw[k];
    if (typeof raw.uniqueItems === "boolean") out.uniqueItems = raw.uniqueItems;
    // Tuples (`prefixItems`, or draft-04's `items: [...]`) are read as "items of these kinds": strict
    // validators want a tuple closed by minItems and items:false, which would be stricter than the API.
    const tuple = Array.isArray(raw.prefixItems)
      ? raw.prefixItems
      : Array.isArray(raw.items)
        ? raw.items
        : [];
    const itemKinds = tuple.map((item) => this.convert(item, depth + 1, null, recursion + 1));
    if (isRecord(raw.items) || typeof raw.items === "boolean")
      itemKinds.push(this.convert(raw.items, depth + 1, null, recursion + 1));
    else if (tuple.length > 0) itemKinds.push(true);
    if (itemKinds.length === 1) out.items = itemKinds[0];
    else if (itemKinds.length > 1) {
      this.s.notes.add("a tuple's positions were merged: each item may be any of its kinds");
      out.items = itemKinds.includes(true) ? true : { anyOf: itemKinds };
    }
    if (isRecord(raw.contains) || typeof raw.contains === "boolean")
      out.contains = this.convert(raw.contains, depth + 1, null, recursion + 1);

    // Objects.
    this.objectKeywords(raw, out, depth, recursion);

    for (const k of unenforced)
      if (raw[k] !== undefined && !(k === "not" && isRecord(raw.not) && Object.keys(raw.not).length === 0))
        this.s.notes.add(
          `\`${k}\` constraints were dropped: the platform does not check them (the API still does)`,
        );
    if (isRecord(raw.not) && Object.keys(raw.not).length === 0) out.not = {};

    // The type: declared, inherited from a composing parent, or implied by the keywords used.
    if (types === null && inherited === null) types = this.impliedTypes(raw, out);
    const effective = types ?? inherited;
    if (effective !== null) {
      for (const [k, family] of Object.entries(keywordFamily))
        if (out[k] !== undefined && !applies(family, effective)) delete out[k];
      if (out.format !== undefined && !applies("string", effective) && !applies("number", effective))
        delete out.format;
    }
    if (types !== null) out.type = types.length === 1 ? types[0] : types;

    // Composition, whose members see this schema's type.
    const memberTypes = types ?? inherited;
    const compose = (list: unknown): JsonSchema[] | null => {
      if (!Array.isArray(list) || list.length === 0) return null;
      return list.map((member) => this.convert(member, depth, memberTypes, recursion + 1));
    };
    const allOf = compose(raw.allOf);
    const anyOf = compose(raw.anyOf);
    const oneOf = compose(raw.oneOf);
    if (allOf) out.allOf = allOf;
    if (anyOf) out.anyOf = anyOf;
    if (oneOf) {
      // A discriminator picks one variant; without it, variants that overlap would all match and oneOf would
      // refuse a valid value. anyOf accepts what the API accepts.
      if (raw.discriminator !== undefined) {
        if (out.anyOf) out.allOf = [...((out.allOf as JsonSchema[] | undefined) ?? []), { anyOf: oneOf }];
        else out.anyOf = oneOf;
      } else out.oneOf = oneOf;
    }

    if (isNullable(raw) && (inherited === null || inherited.includes("null"))) return this.nullable(out);
    return out;
  }

  private objectKeywords(
    raw: Record<string, unknown>,
    out: Record<string, unknown>,
    depth: number,
    recursion: number,
  ): void {
    const dropped = new Set<string>();
    if (isRecord(raw.properties)) {
      const entries: [string, JsonSchema][] = [];
      for (const [name, schema] of Object.entries(raw.properties)) {
        this.spend(name.length + 4);
        const converted = this.convert(schema, depth + 1, null, recursion + 1);
        // A request never sends what the API computes.
        if (isRecord(converted) && converted.readOnly === true) dropped.add(name);
        else entries.push([name, converted]);
      }
      out.properties = Object.fromEntries(entries);
    }
    if (Array.isArray(raw.required)) {
      const required = [...new Set(raw.required.filter((r): r is string => typeof r === "string"))].filter(
        (r) => !dropped.has(r),
      );
      if (required.length > 0) {
        out.required = required;
        // Strict validators want each required name declared beside it; `{}` declares it without constraining.
        const properties = (out.properties ?? {}) as Record<string, JsonSchema>;
        const missing = required.filter((r) => !Object.hasOwn(properties, r));
        if (missing.length > 0)
          out.properties = Object.fromEntries([
            ...Object.entries(properties),
            ...missing.map((r) => [r, {}] as const),
          ]);
      }
    }
    if (typeof raw.additionalProperties === "boolean") out.additionalProperties = raw.additionalProperties;
    else if (isRecord(raw.additionalProperties))
      out.additionalProperties = this.convert(raw.additionalProperties, depth + 1, null, recursion + 1);
    if (isRecord(raw.patternProperties)) {
      const entries: [string, JsonSchema][] = [];
      for (const [pattern, schema] of Object.entries(raw.patternProperties)) {
        if (!usablePattern(pattern)) continue;
        entries.push([pattern, this.convert(schema, depth + 1, null, recursion + 1)]);
      }
      if (entries.length > 0) out.patternProperties = Object.fromEntries(entries);
    }
    if (isRecord(raw.propertyNames)) {
      const names = this.convert(raw.propertyNames, depth + 1, ["string"], recursion + 1);
      out.propertyNames = names;
    }
    for (const k of ["minProperties", "maxProperties"] as const)
      if (isNonNegativeInteger(raw[k])) out[k] = raw[k];
  }

  /** The types the keywords in `out` imply, for a schema that declares none (preferring its members' types). */
  private impliedTypes(raw: Record<string, unknown>, out: Record<string, unknown>): string[] | null {
    const families = new Set<string>();
    for (const [k, family] of Object.entries(keywordFamily)) if (out[k] !== undefined) families.add(family);
    const format = typeof out.format === "string" ? out.format : null;
    if (families.size === 0 && format === null) return null;
    // When every variant declares its types, their union keeps the schema's meaning exactly.
    for (const list of [raw.anyOf, raw.oneOf]) {
      if (!Array.isArray(list) || list.length === 0) continue;
      const union = new Set<string>();
      let complete = true;
      for (const member of list) {
        const t = this.declaredTypes(member);
        if (t === null) complete = false;
        else t.forEach((x) => union.add(x));
      }
      if (complete) return [...union];
    }
    const types: string[] = [];
    for (const family of families)
      types.push(family === "number" && format !== null && integerFormats.has(format) ? "integer" : family);
    if (families.size === 0 && format !== null)
      types.push(integerFormats.has(format) ? "integer" : numberFormats.has(format) ? "number" : "string");
    return types;
  }
}
