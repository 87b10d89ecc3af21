/** Validation at the edges: zod failures become one `invalid-argument` error naming the first problem. */
import { z } from "zod";
import { AppError } from "./errors.js";
import { idPattern } from "./ids.js";

export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    const first = issues[0];
    throw new AppError(
      "invalid-argument",
      `Invalid ${what}${first ? `: ${first.path ? `${first.path}: ` : ""}${first.message}` : ""}`,
      { issues },
    );
  }
  return parsed.data;
}

/** Both task queues deliver what `JSON.stringify` makes of a payload; refuse what it cannot represent. */
export function taskPayloadJson(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new AppError("invalid-argument", "A task payload must be JSON-serializable");
  return json;
}

/** Control characters (NUL, escapes, DEL...), which have no place in a name and break logs and terminals. */
const control = /\p{Cc}/u;
/** Half of a UTF-16 surrogate pair on its own: not text, and not storable as UTF-8. */
const loneSurrogate = /\p{Cs}/u;
/** Bidirectional overrides and isolates, which make a name display as something else ("gpj.exe"). */
const bidiControl = /[\u202a-\u202e\u2066-\u2069]/u;
/** What does not show: spaces, format characters (zero-width joiners, soft hyphens) and lone combining marks. */
const invisible = /[\p{Z}\p{Cf}\p{M}\u115f\u1160\u3164\uffa0]/gu;

/** Why `value` cannot be a name (see `nameSchema`), or null when it can; `field` names it in the reason. */
export function nameProblem(value: string, field: string): string | null {
  if (control.test(value)) return `${field} must not contain control characters`;
  if (loneSurrogate.test(value)) return `${field} is not valid Unicode text (it holds a lone surrogate)`;
  if (bidiControl.test(value)) return `${field} must not contain bidirectional override characters`;
  if (value.replace(invisible, "").length === 0) return `${field} must contain visible characters`;
  return null;
}

/**
 * A name people give things and see in lists (agents, knowledge bases, keys, workspaces, documents): trimmed,
 * 1 to `max` characters, no control characters, no lone surrogates, no bidirectional overrides, and at least
 * one visible character.
 */
export function nameSchema(field: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, `${field} is required`)
    .max(max, `${field} is at most ${max} characters`)
    .superRefine((value, ctx) => {
      const problem = nameProblem(value, field);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
}

/** An id taken from a request (a path parameter, a reference in a body): what may become a path segment. */
export const idSchema = z.string().regex(idPattern, "must be 1-128 letters, digits, '-' or '_'");

/** What a route that creates a record answers: the new record's id. */
export const idResponse = z.object({ id: z.string() });
