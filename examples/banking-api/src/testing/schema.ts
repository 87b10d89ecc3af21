// Just enough JSON Schema (2020-12, as OpenAPI 3.1 uses it) to check the service's responses and the document's
// own examples against the document. Strict about keys: a property the schema does not declare is an error,
// so a response field missing from the document fails a test.

type Node = Record<string, unknown>;

export function isObject(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Resolves a local reference ("#/components/schemas/Account"), or throws. */
export function resolveRef(document: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) throw new Error(`not a local reference: ${ref}`);
  let node: unknown = document;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObject(node) || !(key in node)) throw new Error(`unresolved reference: ${ref}`);
    node = node[key];
  }
  return node;
}

/** Follows `$ref` until a node that is not one; sibling keywords win over the target's. */
export function deref(document: unknown, node: unknown): Node {
  if (!isObject(node)) throw new Error(`not an object: ${JSON.stringify(node)}`);
  if (typeof node["$ref"] !== "string") return node;
  const { $ref, ...siblings } = node;
  return { ...deref(document, resolveRef(document, $ref as string)), ...siblings };
}

export function schemaErrors(document: unknown, schema: unknown, value: unknown, at = "$"): string[] {
  const errors: string[] = [];
  check(document, schema, value, at, errors, true);
  return errors;
}

function check(
  document: unknown,
  raw: unknown,
  value: unknown,
  at: string,
  errors: string[],
  strict: boolean,
) {
  const schema = deref(document, raw);
  if (Array.isArray(schema["allOf"])) {
    for (const part of schema["allOf"]) check(document, part, value, at, errors, false);
    if (strict && isObject(value)) undeclared(document, schema, value, at, errors);
  }
  const types = schema["type"] === undefined ? [] : ([] as unknown[]).concat(schema["type"]);
  if (types.length > 0 && !types.some((type) => hasType(value, type))) {
    errors.push(`${at}: ${JSON.stringify(value)} is not ${types.join(" or ")}`);
    return;
  }
  if (Array.isArray(schema["enum"]) && !schema["enum"].includes(value)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema["enum"])}`);
  }
  if (typeof value === "string") {
    if (typeof schema["pattern"] === "string" && !new RegExp(schema["pattern"], "u").test(value)) {
      errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema["pattern"]}`);
    }
    if (typeof schema["minLength"] === "number" && [...value].length < schema["minLength"]) {
      errors.push(`${at}: shorter than ${schema["minLength"]}`);
    }
    if (typeof schema["maxLength"] === "number" && [...value].length > schema["maxLength"]) {
      errors.push(`${at}: longer than ${schema["maxLength"]}`);
    }
    if (schema["format"] === "date" && !/^\d{4}-\d{2}-\d{2}$/.test(value)) errors.push(`${at}: not a date`);
    if (schema["format"] === "date-time" && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value)) {
      errors.push(`${at}: not a UTC date-time`);
    }
  }
  if (typeof value === "number") {
    if (typeof schema["minimum"] === "number" && value < schema["minimum"])
      errors.push(`${at}: below minimum`);
    if (typeof schema["maximum"] === "number" && value > schema["maximum"])
      errors.push(`${at}: above maximum`);
  }
  if (Array.isArray(value) && schema["items"] !== undefined) {
    value.forEach((item, index) => check(document, schema["items"], item, `${at}[${index}]`, errors, true));
  }
  if (isObject(value)) {
    const properties = isObject(schema["properties"]) ? schema["properties"] : {};
    for (const name of Array.isArray(schema["required"]) ? schema["required"] : []) {
      if (!(name in value)) errors.push(`${at}: missing required ${String(name)}`);
    }
    for (const [name, property] of Object.entries(properties)) {
      if (name in value) check(document, property, value[name], `${at}.${name}`, errors, true);
    }
    if (strict && !Array.isArray(schema["allOf"]) && schema["properties"] !== undefined) {
      undeclared(document, schema, value, at, errors);
    }
  }
}

function undeclared(document: unknown, schema: Node, value: Node, at: string, errors: string[]) {
  if (schema["additionalProperties"] === true || isObject(schema["additionalProperties"])) return;
  const declared = declaredProperties(document, schema);
  for (const name of Object.keys(value)) {
    if (!declared.has(name)) errors.push(`${at}: ${name} is not declared in the schema`);
  }
}

function declaredProperties(document: unknown, raw: unknown): Set<string> {
  const schema = deref(document, raw);
  const names = new Set(isObject(schema["properties"]) ? Object.keys(schema["properties"]) : []);
  for (const part of Array.isArray(schema["allOf"]) ? schema["allOf"] : []) {
    for (const name of declaredProperties(document, part)) names.add(name);
  }
  return names;
}

function hasType(value: unknown, type: unknown): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    default:
      return false;
  }
}
