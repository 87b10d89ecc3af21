/**
 * Reading an OpenAPI or Swagger document: its text (JSON or YAML) within size and alias limits, and which
 * version of the specification it follows. Anything else is refused here with an `invalid-argument` (or
 * `payload-too-large`) error that says what was found.
 */
import { AppError } from "../../platform/errors.js";

/** The three families whose semantics differ: Swagger 2.0, OpenAPI 3.0.x, OpenAPI 3.1.x (and 3.2, read as 3.1). */
export type Dialect = "2.0" | "3.0" | "3.1";

export interface SpecDocument {
  readonly root: Readonly<Record<string, unknown>>;
  readonly dialect: Dialect;
  /** As the document declares it (`2.0`, `3.0.3`...). */
  readonly specVersion: string;
  readonly warnings: string[];
}

export interface ReadLimits {
  readonly maxDocumentBytes: number;
  /**
   * YAML costs about ten times what JSON does to read (the \`yaml\` package builds a full syntax tree:
   * ~0.3 s and ~40 MB of memory per MB of text, against ~0.04 s for JSON.parse), so it has its own limit.
   */
  readonly maxYamlBytes: number;
  /** YAML alias expansions allowed (the `yaml` package's `maxAliasCount`): a billion-laughs document stops here. */
  readonly maxYamlAliases: number;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function checkSize(bytes: number, limits: ReadLimits): void {
  if (bytes > limits.maxDocumentBytes)
    throw new AppError(
      "payload-too-large",
      `The document is ${megabytes(bytes)}; OpenAPI documents of up to ${megabytes(limits.maxDocumentBytes)} can be imported.`,
      { limitBytes: limits.maxDocumentBytes },
    );
}

/** UTF-8 bytes of a string, counted only when the character count alone cannot decide. */
function textBytes(text: string, limit: number): number {
  return text.length > limit || text.length * 3 <= limit ? text.length : Buffer.byteLength(text, "utf8");
}

async function parseYaml(text: string, limits: ReadLimits): Promise<unknown> {
  const bytes = textBytes(text, limits.maxYamlBytes);
  if (bytes > limits.maxYamlBytes)
    throw new AppError(
      "payload-too-large",
      `The document is ${megabytes(bytes)} of YAML; YAML documents of up to ${megabytes(limits.maxYamlBytes)} can be imported (JSON ones up to ${megabytes(limits.maxDocumentBytes)}): convert it to JSON, which also reads ten times faster.`,
      { limitBytes: limits.maxYamlBytes },
    );
  // Loaded only for YAML documents: JSON ones (the common case for large specifications) never pay for it.
  const { parseDocument } = await import("yaml");
  let value: unknown;
  try {
    // YAML 1.2 core schema (dates stay strings), merge keys as OpenAPI authors use them, duplicate keys refused.
    const doc = parseDocument(text, { merge: true, prettyErrors: true, uniqueKeys: true });
    const error = doc.errors[0];
    if (error)
      throw new AppError("invalid-argument", `The document is neither JSON nor valid YAML: ${error.message}`);
    value = doc.toJS({ maxAliasCount: limits.maxYamlAliases });
  } catch (e) {
    if (e instanceof AppError) throw e;
    if (e instanceof ReferenceError && /alias/i.test(e.message))
      throw new AppError(
        "invalid-argument",
        `The document expands YAML aliases more than ${limits.maxYamlAliases} times: refused, as a document built to exhaust memory would.`,
      );
    if (e instanceof RangeError)
      throw new AppError("invalid-argument", "The document is nested too deeply to be read.");
    throw new AppError("invalid-argument", `The document could not be read as YAML: ${(e as Error).message}`);
  }
  return value;
}

/** The document's text, or bytes (UTF-8), parsed as JSON when it is JSON, as YAML otherwise. */
export async function parseDocumentText(input: string | Uint8Array, limits: ReadLimits): Promise<unknown> {
  if (typeof input !== "string") checkSize(input.byteLength, limits);
  let text = typeof input === "string" ? input : new TextDecoder().decode(input);
  if (typeof input === "string") checkSize(textBytes(text, limits.maxDocumentBytes), limits);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const start = /\S/.exec(text)?.[0];
  if (start === undefined) throw new AppError("invalid-argument", "The document is empty.");
  if (start === "{" || start === "[") {
    try {
      return JSON.parse(text);
    } catch (jsonError) {
      // A YAML flow mapping also starts with "{"; if YAML cannot read it either, the JSON error says more.
      try {
        if (textBytes(text, limits.maxYamlBytes) <= limits.maxYamlBytes) return await parseYaml(text, limits);
      } catch {
        // The JSON error, below.
      }
      throw new AppError(
        "invalid-argument",
        `The document is not valid JSON: ${(jsonError as Error).message.slice(0, 300)}`,
      );
    }
  }
  return parseYaml(text, limits);
}

const versionText = (value: unknown): string | null => {
  if (typeof value === "string") return value.trim();
  // Unquoted in YAML, `openapi: 3.0` or `swagger: 2.0` arrive as numbers.
  if (typeof value === "number" && Number.isFinite(value))
    return Number.isInteger(value) ? `${value}.0` : String(value);
  return null;
};

/** Which specification the parsed document follows; refuses what is not OpenAPI 2.0, 3.0, 3.1 (or 3.2). */
export function identifyDocument(value: unknown): SpecDocument {
  if (!isRecord(value))
    throw new AppError(
      "invalid-argument",
      `This is not an OpenAPI or Swagger document: it is ${Array.isArray(value) ? "a list" : `a ${value === null ? "null" : typeof value} value`}, not an object with an \`openapi\` or \`swagger\` field.`,
    );
  const warnings: string[] = [];
  const openapi = versionText(value.openapi);
  const swagger = versionText(value.swagger);
  if (openapi !== null) {
    if (/^3\.0(\.\d+)?([-+].*)?$/.test(openapi))
      return { root: value, dialect: "3.0", specVersion: openapi, warnings };
    if (/^3\.1(\.\d+)?([-+].*)?$/.test(openapi))
      return { root: value, dialect: "3.1", specVersion: openapi, warnings };
    if (/^3\.2(\.\d+)?([-+].*)?$/.test(openapi)) {
      warnings.push(`OpenAPI ${openapi} is read as 3.1: features new in 3.2 are ignored.`);
      return { root: value, dialect: "3.1", specVersion: openapi, warnings };
    }
    throw new AppError(
      "invalid-argument",
      `OpenAPI ${openapi.slice(0, 20)} is not supported: documents in Swagger 2.0, OpenAPI 3.0 or 3.1 can be imported.`,
    );
  }
  if (swagger !== null) {
    if (swagger === "2.0") return { root: value, dialect: "2.0", specVersion: "2.0", warnings };
    throw new AppError(
      "invalid-argument",
      `Swagger ${swagger.slice(0, 20)} is not supported: documents in Swagger 2.0, OpenAPI 3.0 or 3.1 can be imported.`,
    );
  }
  if (versionText(value.asyncapi) !== null)
    throw new AppError(
      "invalid-argument",
      "This is an AsyncAPI document (event-driven APIs), not an OpenAPI one: it describes no HTTP operations to call.",
    );
  const keys = Object.keys(value);
  const found =
    keys.length === 0
      ? "it is an empty object"
      : `its top-level fields are ${keys
          .slice(0, 8)
          .map((k) => JSON.stringify(k.slice(0, 40)))
          .join(", ")}${keys.length > 8 ? ", ..." : ""}`;
  throw new AppError(
    "invalid-argument",
    `This is not an OpenAPI or Swagger document: it has no \`openapi\` or \`swagger\` field (${found}).`,
  );
}
