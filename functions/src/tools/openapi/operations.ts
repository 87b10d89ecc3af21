/**
 * One operation → one candidate tool: its parameters and request body read the same way for Swagger 2.0
 * and OpenAPI 3.x, then one JSON Schema for the arguments and the request template that places them.
 */
import { operationDescription, trimDescription } from "./describe.js";
import type { Dialect } from "./document.js";
import { isRecord } from "./document.js";
import { copyJsonValue, type JsonSchema, SchemaConverter, SchemaTooLarge } from "./json-schema.js";
import { argumentNameFor, NameRegistry } from "./names.js";
import { OperationProblem, type RefResolver } from "./refs.js";
import {
  type ArgumentTarget,
  argumentNamePattern,
  type FormFieldEncoding,
  type HttpMethod,
  type ImportedOperation,
  type RequestBodyTemplate,
  type SecurityRequirement,
} from "./schema.js";
import { readRequirements } from "./security.js";

type Location = "path" | "query" | "header" | "cookie";
type Style = "simple" | "label" | "matrix" | "form" | "spaceDelimited" | "pipeDelimited" | "deepObject";

/** A parameter, read the same way whatever the document's version. */
interface ParameterSpec {
  readonly wireName: string;
  readonly in: Location;
  readonly required: boolean;
  readonly description: unknown;
  readonly deprecated: boolean;
  /** The OpenAPI schema, not converted yet. */
  readonly schema: unknown;
  readonly examples: unknown[];
  readonly style: Style;
  readonly explode: boolean;
  readonly allowReserved: boolean;
  readonly contentType: string | null;
}

interface BodySpec {
  readonly contentType: string;
  readonly encoding: "json" | "form";
  readonly required: boolean;
  readonly description: unknown;
  readonly schema: unknown;
  readonly fields: Record<string, FormFieldEncoding>;
}

/** What every operation of a document shares. */
export interface DocumentContext {
  readonly root: Readonly<Record<string, unknown>>;
  readonly dialect: Dialect;
  readonly resolver: RefResolver;
  /** `in:name` (header names lower-cased) of API keys the security schemes carry: credentials, not arguments. */
  readonly credentialParameters: ReadonlySet<string>;
  readonly declaredSchemes: ReadonlySet<string>;
  /** Schemes named by requirements but never declared (for one warning). */
  readonly unknownSchemes: Set<string>;
  readonly security: SecurityRequirement[][];
  readonly servers: string[];
  /** 2.0 only: `servers` for an operation that names its own `schemes`. */
  readonly serversForSchemes: (schemes: unknown) => string[] | null;
  /** 3.x only: a `servers` list read (variables replaced). */
  readonly readServers: (list: unknown) => string[] | null;
  readonly maxSchemaBytes: number;
  readonly maxDescriptionChars: number;
  /** Conversion work left for the whole import (approximate bytes); shared by every operation. */
  readonly work: { remaining: number };
}

export const methodsInOrder = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

const readMethods = new Set(["GET", "HEAD", "OPTIONS"]);

const defaultStyle: Readonly<Record<Location, Style>> = {
  path: "simple",
  query: "form",
  header: "simple",
  cookie: "form",
};
const allowedStyles: Readonly<Record<Location, readonly Style[]>> = {
  path: ["simple", "label", "matrix"],
  query: ["form", "spaceDelimited", "pipeDelimited", "deepObject"],
  header: ["simple"],
  cookie: ["form"],
};

/** Headers OpenAPI says a parameter may not define: the client sets them. */
const reservedHeaders = new Set(["accept", "content-type", "authorization"]);

/** Swagger 2.0 parameter fields that are schema keywords (the rest describe the parameter). */
const swaggerSchemaFields = [
  "type",
  "format",
  "items",
  "enum",
  "default",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "uniqueItems",
  "multipleOf",
  "x-nullable",
];

/**
 * The sizes tried for an operation's schema, most faithful first: when one is over the limit, the next
 * summarizes shallower levels and shortens nested descriptions.
 */
const attempts = [
  { maxDepth: 32, maxDescriptionChars: 500, keepExamples: true },
  { maxDepth: 6, maxDescriptionChars: 200, keepExamples: false },
  { maxDepth: 3, maxDescriptionChars: 60, keepExamples: false },
  { maxDepth: 2, maxDescriptionChars: 0, keepExamples: false },
  { maxDepth: 1, maxDescriptionChars: 0, keepExamples: false },
] as const;

/** What one attempt may spend, over the limit it aims for: the estimate is close, the final check exact. */
const attemptBudget = 1.25;

/** Parameters read per operation (path item's and operation's together). */
const maxParameters = 1000;

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** `application/json; charset=utf-8` → `application/json`. */
const essence = (mediaType: string): string => (mediaType.split(";")[0] ?? "").trim().toLowerCase();

const isJsonMedia = (m: string): boolean =>
  m === "application/json" || m === "text/json" || /^[a-z0-9.-]+\/[^\s]*\+json$/.test(m);
const isAnyMedia = (m: string): boolean => m === "*/*" || m === "application/*";
const formMedia = "application/x-www-form-urlencoded";

/** The media type to send among those an operation accepts: JSON first, then form, then a wildcard as JSON. */
function chooseMediaType(
  types: readonly string[],
): { key: string; contentType: string; encoding: "json" | "form" } | null {
  const byEssence = types.map((key) => ({ key, m: essence(key) }));
  const json = byEssence.find((t) => t.m === "application/json") ?? byEssence.find((t) => isJsonMedia(t.m));
  if (json) return { key: json.key, contentType: json.key.trim(), encoding: "json" };
  const form = byEssence.find((t) => t.m === formMedia);
  if (form) return { key: form.key, contentType: formMedia, encoding: "form" };
  const any = byEssence.find((t) => isAnyMedia(t.m));
  if (any) return { key: any.key, contentType: "application/json", encoding: "json" };
  return null;
}

function unsupportedBody(types: readonly string[]): string {
  const listed = types
    .slice(0, 4)
    .map((t) => essence(t).slice(0, 60))
    .join(", ");
  if (types.some((t) => essence(t).startsWith("multipart/")))
    return "multipart/form-data request bodies (file uploads) are not supported";
  return `request bodies in ${listed || "no declared media type"} are not supported (JSON and form-urlencoded are)`;
}

/** 2.0's collectionFormat as 3.x's style and explode. */
function collectionFormat(p: Record<string, unknown>, where: Location): { style: Style; explode: boolean } {
  const format = p.collectionFormat ?? "csv";
  // `multi` (repeat the parameter) exists for the query and form fields only; elsewhere it reads as csv.
  if (format === "multi")
    return where === "query"
      ? { style: "form", explode: true }
      : { style: defaultStyle[where], explode: false };
  if (format === "ssv" && where === "query") return { style: "spaceDelimited", explode: false };
  if (format === "pipes" && where === "query") return { style: "pipeDelimited", explode: false };
  if (format === "csv") return { style: defaultStyle[where], explode: false };
  throw new OperationProblem(
    `the parameter "${str(p.name).slice(0, 80)}" uses collectionFormat ${String(format).slice(0, 20)}, which is not supported`,
  );
}

/** A 2.0 non-body parameter's own fields as a schema (`items` nests the same way). */
function swaggerParameterSchema(p: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(swaggerSchemaFields.filter((k) => p[k] !== undefined).map((k) => [k, p[k]]));
}

function exampleValues(p: Record<string, unknown>, resolver: RefResolver): unknown[] {
  if (p.example !== undefined) return [p.example];
  if (!isRecord(p.examples)) return [];
  const values: unknown[] = [];
  for (const raw of Object.values(p.examples).slice(0, 3)) {
    const example = resolver.deref(raw).value;
    if (isRecord(example) && example.value !== undefined) values.push(example.value);
  }
  return values;
}

interface ReadRequest {
  readonly parameters: ParameterSpec[];
  readonly body: BodySpec | null;
}

/** The operation's parameters (path-level ones first, overridden by the operation's) and its body. */
function readRequest(
  ctx: DocumentContext,
  path: string,
  pathItem: Record<string, unknown>,
  op: Record<string, unknown>,
  notes: Set<string>,
): ReadRequest {
  const { resolver, dialect } = ctx;
  const byKey = new Map<string, Record<string, unknown>>();
  const declared = [...asArray(pathItem.parameters), ...asArray(op.parameters)];
  if (declared.length > maxParameters)
    notes.add(`only the first ${maxParameters} of its ${declared.length} parameters were read`);
  for (const raw of declared.slice(0, maxParameters)) {
    const p = resolver.deref(raw).value;
    if (!isRecord(p) || typeof p.name !== "string" || typeof p.in !== "string") {
      notes.add("a parameter without a name or location was ignored");
      continue;
    }
    byKey.set(`${p.in}:${p.in === "header" ? p.name.toLowerCase() : p.name}`, p);
  }

  const parameters: ParameterSpec[] = [];
  const bodyParameters: Record<string, unknown>[] = [];
  const formParameters: Record<string, unknown>[] = [];
  for (const p of byKey.values()) {
    const name = p.name as string;
    const where = p.in;
    if (where === "body" && dialect === "2.0") bodyParameters.push(p);
    else if (where === "formData" && dialect === "2.0") formParameters.push(p);
    else if (where === "path" || where === "query" || where === "header" || where === "cookie") {
      if (where === "header" && reservedHeaders.has(name.toLowerCase())) continue;
      if (ctx.credentialParameters.has(`${where}:${where === "header" ? name.toLowerCase() : name}`)) {
        notes.add(
          `the ${where} parameter "${name.slice(0, 80)}" carries the API key: the tool's credential supplies it`,
        );
        continue;
      }
      parameters.push(readParameter(ctx, p, where, notes));
    } else notes.add(`the parameter "${name.slice(0, 80)}" in "${String(where).slice(0, 20)}" was ignored`);
  }

  // Every {name} of the path needs a value; a declared path parameter the path does not use cannot be sent.
  const placeholders = [...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1] ?? "");
  for (const name of placeholders)
    if (!parameters.some((p) => p.in === "path" && p.wireName === name)) {
      notes.add(`the path parameter {${name.slice(0, 80)}} is not declared and was added as a string`);
      parameters.push({
        wireName: name,
        in: "path",
        required: true,
        description: null,
        deprecated: false,
        schema: { type: "string" },
        examples: [],
        style: "simple",
        explode: false,
        allowReserved: false,
        contentType: null,
      });
    }
  const used = parameters.filter((p) => p.in !== "path" || placeholders.includes(p.wireName));
  if (used.length < parameters.length)
    notes.add("path parameters that the path does not contain were ignored");

  const body =
    dialect === "2.0" ? swaggerBody(ctx, op, bodyParameters, formParameters) : openApiBody(ctx, op);
  return { parameters: used, body };
}

function readParameter(
  ctx: DocumentContext,
  p: Record<string, unknown>,
  where: Location,
  notes: Set<string>,
): ParameterSpec {
  const name = p.name as string;
  let schema: unknown = {};
  let contentType: string | null = null;
  let style = defaultStyle[where];
  let explode = style === "form";
  if (ctx.dialect === "2.0") {
    if (p.type === "file")
      throw new OperationProblem("multipart/form-data request bodies (file uploads) are not supported");
    schema = swaggerParameterSchema(p);
    if (p.type === "array") ({ style, explode } = collectionFormat(p, where));
  } else {
    if (p.schema !== undefined) schema = p.schema;
    else if (isRecord(p.content)) {
      const [key, media] = Object.entries(p.content)[0] ?? [];
      if (key !== undefined) {
        contentType = key.trim();
        schema = isRecord(media) ? (media.schema ?? {}) : {};
      }
    } else notes.add(`the parameter "${name.slice(0, 80)}" declares no schema and accepts any value`);
    if (typeof p.style === "string") {
      if ((allowedStyles[where] as readonly string[]).includes(p.style)) style = p.style as Style;
      else
        notes.add(
          `the parameter "${name.slice(0, 80)}" declares style "${p.style.slice(0, 30)}", read as ${style}`,
        );
    }
    explode = typeof p.explode === "boolean" ? p.explode : style === "form";
  }
  return {
    wireName: name,
    in: where,
    required: where === "path" || p.required === true,
    description: p.description,
    deprecated: p.deprecated === true,
    schema,
    examples: exampleValues(p, ctx.resolver),
    style,
    explode,
    allowReserved: p.allowReserved === true,
    contentType,
  };
}

function openApiBody(ctx: DocumentContext, op: Record<string, unknown>): BodySpec | null {
  if (op.requestBody === undefined) return null;
  const rb = ctx.resolver.deref(op.requestBody).value;
  if (!isRecord(rb) || !isRecord(rb.content)) return null;
  const types = Object.keys(rb.content);
  if (types.length === 0) return null;
  const required = rb.required === true;
  const chosen = chooseMediaType(types);
  // Even when optional (OpenAPI's default), the body is usually what the operation is for: an upload
  // without its file would be a misleading tool.
  if (chosen === null) throw new OperationProblem(unsupportedBody(types));
  const media = ctx.resolver.deref(rb.content[chosen.key]).value;
  const fields: [string, FormFieldEncoding][] = [];
  if (chosen.encoding === "form" && isRecord(media) && isRecord(media.encoding))
    for (const [property, raw] of Object.entries(media.encoding).slice(0, 500)) {
      const enc = ctx.resolver.deref(raw).value;
      if (!isRecord(enc)) continue;
      const style = allowedStyles.query.includes(enc.style as Style)
        ? (enc.style as FormFieldEncoding["style"])
        : "form";
      fields.push([
        property,
        {
          style,
          explode: typeof enc.explode === "boolean" ? enc.explode : style === "form",
          allowReserved: enc.allowReserved === true,
          contentType: typeof enc.contentType === "string" ? enc.contentType.trim() : null,
        },
      ]);
    }
  return {
    contentType: chosen.contentType,
    encoding: chosen.encoding,
    required,
    description: rb.description,
    schema: isRecord(media) && media.schema !== undefined ? media.schema : {},
    fields: Object.fromEntries(fields),
  };
}

function swaggerBody(
  ctx: DocumentContext,
  op: Record<string, unknown>,
  bodyParameters: Record<string, unknown>[],
  formParameters: Record<string, unknown>[],
): BodySpec | null {
  const consumes = asArray(op.consumes ?? ctx.root.consumes).filter(
    (c): c is string => typeof c === "string",
  );
  const body = bodyParameters[0];
  if (body !== undefined) {
    const chosen =
      consumes.length === 0
        ? { contentType: "application/json", encoding: "json" as const }
        : chooseMediaType(consumes);
    if (chosen === null || chosen.encoding === "form") throw new OperationProblem(unsupportedBody(consumes));
    return {
      contentType: chosen.contentType,
      encoding: "json",
      required: body.required === true,
      description: body.description,
      schema: body.schema ?? {},
      fields: {},
    };
  }
  if (formParameters.length === 0) return null;
  const multipartOnly =
    consumes.length > 0 &&
    !consumes.some((c) => essence(c) === formMedia) &&
    consumes.some((c) => essence(c).startsWith("multipart/"));
  if (formParameters.some((p) => p.type === "file") || multipartOnly)
    throw new OperationProblem("multipart/form-data request bodies (file uploads) are not supported");
  const properties: [string, unknown][] = [];
  const required: string[] = [];
  const fields: [string, FormFieldEncoding][] = [];
  for (const p of formParameters) {
    const name = p.name as string;
    const schema = swaggerParameterSchema(p);
    if (typeof p.description === "string") schema.description = p.description;
    properties.push([name, schema]);
    if (p.required === true) required.push(name);
    if (p.type === "array") {
      const { style, explode } = collectionFormat(p, "query");
      fields.push([
        name,
        { style: style as FormFieldEncoding["style"], explode, allowReserved: false, contentType: null },
      ]);
    }
  }
  return {
    contentType: formMedia,
    encoding: "form",
    required: required.length > 0,
    description: null,
    schema: {
      type: "object",
      properties: Object.fromEntries(properties),
      ...(required.length > 0 ? { required } : {}),
    },
    fields: Object.fromEntries(fields),
  };
}

/**
 * The properties of an object body, when it is a plain object (its `allOf` members too) whose properties can
 * become top-level arguments; `null` when it must stay one `body` argument.
 */
function objectFields(schema: JsonSchema): { properties: [string, JsonSchema][]; required: string[] } | null {
  if (!isRecord(schema)) return null;
  const plain = new Set([
    "type",
    "properties",
    "required",
    "allOf",
    "additionalProperties",
    "title",
    "description",
    "deprecated",
    "examples",
    "default",
  ]);
  if (Object.keys(schema).some((k) => !plain.has(k))) return null;
  if (
    schema.type !== "object" &&
    !(schema.type === undefined && (schema.properties !== undefined || schema.allOf !== undefined))
  )
    return null;
  // A map (additionalProperties) cannot be spread into named arguments.
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return null;
  const properties = new Map<string, JsonSchema>(
    isRecord(schema.properties) ? (Object.entries(schema.properties) as [string, JsonSchema][]) : [],
  );
  const required = new Set<string>(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const member of asArray(schema.allOf)) {
    const sub = objectFields(member as JsonSchema);
    if (sub === null) return null;
    for (const [name, s] of sub.properties) {
      const existing = properties.get(name);
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(s)) {
        // `{}` is what a required-only declaration adds: the other member's schema says more.
        if (isRecord(existing) && Object.keys(existing).length === 0) properties.set(name, s);
        else if (!(isRecord(s) && Object.keys(s).length === 0)) return null;
      } else properties.set(name, s);
    }
    sub.required.forEach((r) => required.add(r));
  }
  return { properties: [...properties], required: [...required] };
}

interface Attempt {
  readonly maxDepth: number;
  readonly maxDescriptionChars: number;
  readonly keepExamples: boolean;
}

/** The tool's arguments schema and request template at one level of detail; throws SchemaTooLarge. */
function buildTool(
  ctx: DocumentContext,
  method: HttpMethod,
  path: string,
  request: ReadRequest,
  attempt: Attempt,
  notes: Set<string>,
): {
  parameters: Record<string, unknown>;
  request: {
    method: HttpMethod;
    path: string;
    arguments: Record<string, ArgumentTarget>;
    body: RequestBodyTemplate | null;
  };
} {
  const budget = { remaining: Math.round(ctx.maxSchemaBytes * attemptBudget) };
  const converter = new SchemaConverter({
    dialect: ctx.dialect,
    resolver: ctx.resolver,
    maxDepth: attempt.maxDepth,
    maxDescriptionChars: attempt.maxDescriptionChars,
    keepExamples: attempt.keepExamples,
    budget,
    notes,
  });
  // Top-level descriptions matter most to the model: they stay longer than nested ones.
  const topDescription = Math.max(attempt.maxDescriptionChars, 200);
  const names = new NameRegistry();
  const properties: [string, JsonSchema][] = [];
  const required: string[] = [];
  const targets: [string, ArgumentTarget][] = [];

  const order: Location[] = ["path", "query", "header", "cookie"];
  const sorted = [...request.parameters].sort((a, b) => order.indexOf(a.in) - order.indexOf(b.in));
  for (const p of sorted) {
    let name = argumentNameFor(p.wireName);
    if (names.has(name)) name = argumentNameFor(`${name}_${p.in}`);
    name = names.claim(name);
    const converted = converter.convert(p.schema, 1);
    const schema: Record<string, unknown> = isRecord(converted) ? converted : {};
    const text = typeof p.description === "string" ? trimDescription(p.description, topDescription) : "";
    if (text !== "") schema.description = text;
    if (p.deprecated) schema.deprecated = true;
    if (attempt.keepExamples && p.examples.length > 0 && schema.examples === undefined) {
      const examples = p.examples.map((e) => copyJsonValue(e, 2048)).filter((e) => e !== undefined);
      if (examples.length > 0) schema.examples = examples;
    }
    properties.push([name, schema]);
    if (p.required) required.push(name);
    const common = { name: p.wireName, explode: p.explode, contentType: p.contentType };
    targets.push([
      name,
      p.in === "query"
        ? { in: "query", ...common, style: p.style as "form", allowReserved: p.allowReserved }
        : p.in === "path"
          ? { in: "path", ...common, style: p.style as "simple" }
          : p.in === "header"
            ? { in: "header", ...common, style: "simple" }
            : { in: "cookie", ...common, style: "form" },
    ]);
  }

  let body: RequestBodyTemplate | null = null;
  if (request.body !== null) {
    const b = request.body;
    body = { contentType: b.contentType, encoding: b.encoding, required: b.required, fields: b.fields };
    const converted = converter.convert(b.schema, 0);
    const spread = objectFields(converted);
    const canSpread =
      spread !== null &&
      spread.properties.length > 0 &&
      spread.properties.every(([n]) => argumentNamePattern.test(n) && !names.has(n));
    if (spread !== null && canSpread) {
      for (const [n, s] of spread.properties) {
        names.claim(n);
        properties.push([n, s]);
        targets.push([n, { in: "body", property: n }]);
      }
      for (const r of spread.required) if (spread.properties.some(([n]) => n === r)) required.push(r);
    } else {
      const name = names.claim(names.has("body") ? "request_body" : "body");
      const schema: Record<string, unknown> = isRecord(converted) ? converted : {};
      const text = typeof b.description === "string" ? trimDescription(b.description, topDescription) : "";
      if (text !== "") schema.description = text;
      properties.push([name, schema]);
      if (b.required) required.push(name);
      targets.push([name, { in: "body", property: null }]);
    }
  }

  const parameters: Record<string, unknown> = {
    type: "object",
    properties: Object.fromEntries(properties),
    ...(required.length > 0 ? { required: [...new Set(required)] } : {}),
    additionalProperties: false,
  };
  if (Buffer.byteLength(JSON.stringify(parameters), "utf8") > ctx.maxSchemaBytes) throw new SchemaTooLarge();
  ctx.work.remaining -= Math.round(ctx.maxSchemaBytes * attemptBudget) - budget.remaining;
  return {
    parameters,
    request: { method, path, arguments: Object.fromEntries(targets), body },
  };
}

/** One operation as a tool, or the reason it cannot be one. `name` is claimed by the caller. */
export function importOperation(
  ctx: DocumentContext,
  name: string,
  path: string,
  method: (typeof methodsInOrder)[number],
  pathItem: Record<string, unknown>,
  op: Record<string, unknown>,
): ImportedOperation {
  const upper = method.toUpperCase() as HttpMethod;
  const operationId =
    typeof op.operationId === "string" && op.operationId.trim() !== "" ? op.operationId : null;
  const security = readRequirements(op.security, ctx.declaredSchemes, ctx.unknownSchemes) ?? ctx.security;
  const servers =
    ctx.dialect === "2.0"
      ? (ctx.serversForSchemes(op.schemes) ?? ctx.servers)
      : (ctx.readServers(op.servers) ?? ctx.readServers(pathItem.servers) ?? ctx.servers);
  const notes = new Set<string>();
  const info = {
    name,
    operationId,
    description: operationDescription(
      str(op.summary),
      str(op.description),
      `${upper} ${path}`,
      ctx.maxDescriptionChars,
    ),
    tags: asArray(op.tags)
      .filter((t): t is string => typeof t === "string")
      .slice(0, 20),
    method: upper,
    path,
    sideEffect: readMethods.has(upper) ? ("read" as const) : ("write" as const),
    deprecated: op.deprecated === true,
    // Copies: the document's lists are shared by every operation that does not name its own.
    security: security.map((set) => set.map((r) => ({ scheme: r.scheme, scopes: [...r.scopes] }))),
    servers: [...servers],
  };
  const rejected = (problem: string): ImportedOperation => ({
    ...info,
    notes: [...notes].slice(0, 20),
    problem,
    parameters: null,
    request: null,
  });
  if (ctx.work.remaining <= 0)
    return rejected(
      "not converted: the document's schemas used up the import's work limit before this operation",
    );
  try {
    const request = readRequest(ctx, path, pathItem, op, notes);
    for (const [i, attempt] of attempts.entries()) {
      const attemptNotes = new Set(notes);
      try {
        const tool = buildTool(ctx, upper, path, request, attempt, attemptNotes);
        if (i > 0)
          attemptNotes.add(
            `the arguments' schema was simplified to fit ${Math.round(ctx.maxSchemaBytes / 1024)} KB`,
          );
        return { ...info, notes: [...attemptNotes].slice(0, 20), problem: null, ...tool };
      } catch (e) {
        if (!(e instanceof SchemaTooLarge)) throw e;
        ctx.work.remaining -= Math.round(ctx.maxSchemaBytes * attemptBudget);
        if (ctx.work.remaining <= 0) break;
      }
    }
    return rejected(
      ctx.work.remaining <= 0
        ? "not converted: the document's schemas used up the import's work limit during this operation"
        : `its arguments' JSON Schema is larger than ${Math.round(ctx.maxSchemaBytes / 1024)} KB even with nested levels summarized`,
    );
  } catch (e) {
    if (e instanceof OperationProblem) return rejected(e.message);
    if (e instanceof RangeError) return rejected("its schemas are nested too deeply to be read");
    throw e;
  }
}
