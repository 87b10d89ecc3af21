/** JSON Schema (the tools' argument schemas) as validators: one place, for the agents' tools and Tool Forge's. */
import { z } from "zod";

/** The validator of a tool's arguments; throws when the schema is not usable JSON Schema. */
export function validatorFor(parameters: Readonly<Record<string, unknown>>): z.ZodType {
  return z.fromJSONSchema(parameters as Parameters<typeof z.fromJSONSchema>[0]);
}
