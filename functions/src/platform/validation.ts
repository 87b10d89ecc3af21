/** Validation at the edges: zod failures become one `invalid-argument` error naming the first problem. */
import type { z } from "zod";
import { AppError } from "./errors.js";

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
