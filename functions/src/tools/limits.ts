/**
 * Per-tool limits: bounds on arguments that the platform enforces, not the model. A limit is checked before a
 * call is sent and before a write is offered for confirmation, so a model talked into "transfer 5,000" gets the
 * bound back as the tool's error and nothing leaves the platform.
 */
import { pointerGet } from "../platform/json-pointer.js";
import type { ToolDefinition, ToolLimit } from "./schema.js";

/** A number from a number or a numeric string ("25.00"); undefined for anything else. */
function numeric(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const label = (pointer: string): string =>
  pointer
    .slice(1)
    .split("/")
    .map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"))
    .join(".");

/** What is wrong with one argument under one limit, or null. */
function breach(limit: ToolLimit, args: Readonly<Record<string, unknown>>): string | null {
  const value = pointerGet(args, limit.argument);
  if (value === undefined) return null;
  const name = label(limit.argument);
  if (limit.oneOf && !limit.oneOf.some((allowed) => allowed === value || String(allowed) === String(value))) {
    return `${name} must be one of ${limit.oneOf.map((v) => JSON.stringify(v)).join(", ")}; it was ${JSON.stringify(value)}`;
  }
  if (limit.max === undefined && limit.min === undefined) return null;
  const n = numeric(value);
  if (n === undefined)
    return `${name} must be a number to be checked against its limit; it was ${JSON.stringify(value)}`;
  if (limit.max !== undefined && n > limit.max)
    return `${name} is ${JSON.stringify(value)}, above the limit of ${limit.max}`;
  if (limit.min !== undefined && n < limit.min)
    return `${name} is ${JSON.stringify(value)}, below the limit of ${limit.min}`;
  return null;
}

/**
 * Why the arguments break the tool's limits (every broken one, in words for the model and the person), or null
 * when they are within them.
 */
export function limitBreach(tool: ToolDefinition, args: Readonly<Record<string, unknown>>): string | null {
  const problems = (tool.limits ?? []).map((l) => breach(l, args)).filter((p): p is string => p !== null);
  return problems.length === 0
    ? null
    : `the workspace limits ${tool.name}: ${problems.join("; ")}. Nothing was sent; tell the user the limit`;
}
