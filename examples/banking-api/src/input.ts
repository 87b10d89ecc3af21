import { problem, type FieldError } from "./problem.js";

// Reading a JSON request body as an object of known fields. Unknown fields are refused rather than ignored: a
// misspelt field ("ammount") is then a clear error instead of a silently different request.

export interface FieldReader {
  /** A required string field; records an error and answers undefined when it is missing or not a string. */
  text(name: string, describe: string): string | undefined;
  /** An optional string field. */
  optionalText(name: string): string | undefined;
  invalid(name: string, detail: string): void;
  errors: FieldError[];
}

export function readFields(body: unknown, fields: readonly string[]): FieldReader {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw problem(
      "validation-error",
      `The body must be a JSON object with the fields ${fields.join(", ")}.`,
      {
        errors: [{ pointer: "", detail: "The body must be a JSON object." }],
      },
    );
  }
  const record = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const name of Object.keys(record)) {
    if (!fields.includes(name)) {
      errors.push({
        pointer: pointer(name),
        detail: `${name} is not a field of this request; the fields are ${fields.join(", ")}.`,
      });
    }
  }
  const invalid = (name: string, detail: string) => errors.push({ pointer: pointer(name), detail });
  const optionalText = (name: string) => {
    const value = record[name];
    if (value === undefined) return undefined;
    if (typeof value === "string") return value;
    invalid(name, `${name} must be a string.`);
    return undefined;
  };
  return {
    errors,
    invalid,
    optionalText,
    text(name, describe) {
      if (record[name] === undefined || record[name] === null) {
        invalid(name, `${name} is required: ${describe}.`);
        return undefined;
      }
      return optionalText(name);
    },
  };
}

// RFC 6901: "~" and "/" are escaped in a JSON Pointer.
function pointer(name: string): string {
  return `/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`;
}
