/** JSON Schema (the tools' argument schemas) as validators: one place, for the agents' tools and Tool Forge's. */
import { z } from "zod";

/** The validator of a tool's arguments; throws when the schema is not usable JSON Schema. */
export function validatorFor(parameters: Readonly<Record<string, unknown>>): z.ZodType {
  return z.fromJSONSchema(parameters as Parameters<typeof z.fromJSONSchema>[0]);
}

/**
 * Checks a tool's arguments against its schema: the checked value, or what is wrong in words the caller (a
 * model, a person trying the tool) can act on: at most five problems, each with where it is.
 */
export function checkArguments(
  parameters: Readonly<Record<string, unknown>>,
  value: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; problems: string } {
  const result = validatorFor(parameters).safeParse(value);
  if (result.success) return { ok: true, value: result.data as Record<string, unknown> };
  const problems = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(arguments)"}: ${i.message}`)
    .join("; ");
  return { ok: false, problems };
}
