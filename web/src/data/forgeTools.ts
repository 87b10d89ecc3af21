/**
 * Working with a tool set's tools in the studio: finding them (words in the name, path or description; the
 * OpenAPI tags they carry) and editing one's name, description and response pointer, checked here as the
 * platform checks them (functions/src/tools/schema.ts) so a mistake shows under its field before anything is sent.
 */
import type { ForgeTool } from "./toolSets";

/** Tool names as models accept them (the platform's `toolNamePattern`). */
export const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;
/** A JSON pointer (RFC 6901), as the platform accepts a tool's `select`. */
const pointerPattern = /^(\/([^~/]|~[01])*)*$/;
export const maxToolDescriptionChars = 2000;
const maxPointerChars = 500;

/** Whether a tool shows under a search (every word in its name, method, path or description) and a tag. */
export function toolMatches(tool: ForgeTool, search: string, tag: string | null): boolean {
  if (tag !== null && !tool.tags.includes(tag)) return false;
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [tool.name, tool.method, tool.path, tool.description].join("\n").toLowerCase();
  return words.every((word) => text.includes(word));
}

/** The tags the tools carry, each with how many carry it, in alphabetical order. */
export function tagsOf(tools: readonly ForgeTool[]): { readonly tag: string; readonly count: number }[] {
  const counts = new Map<string, number>();
  for (const tool of tools) for (const tag of tool.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts]
    .map(([tag, count]) => ({ tag, count }))
    .sort((a, b) => a.tag.localeCompare(b.tag, "en", { sensitivity: "base" }));
}

/**
 * One bound the platform holds a tool's arguments to, as typed: the argument (a JSON pointer such as /amount; a
 * bare name is taken as /name), a minimum and a maximum (numbers; numeric strings such as "25.00" are compared as
 * numbers), and the only values allowed (comma-separated). The platform's `limits` (functions/src/tools/limits.ts).
 */
export interface LimitEdit {
  readonly argument: string;
  readonly min: string;
  readonly max: string;
  readonly oneOf: string;
}

/** What a person may change of one tool, as typed (an empty pointer is "the whole answer"). */
export interface ToolEdit {
  readonly name: string;
  readonly description: string;
  readonly select: string;
  /** Left out: the tool's limits are kept as they are. */
  readonly limits?: readonly LimitEdit[];
}

export const maxLimits = 20;

/** A tool's stored limits as the form shows them. */
export function limitsOf(tool: ForgeTool): LimitEdit[] {
  const stored = Array.isArray(tool.definition.limits) ? (tool.definition.limits as unknown[]) : [];
  return stored.flatMap((raw) => {
    if (typeof raw !== "object" || raw === null) return [];
    const l = raw as Record<string, unknown>;
    const number = (v: unknown) => (typeof v === "number" ? String(v) : "");
    return [
      {
        argument: typeof l.argument === "string" ? l.argument : "",
        min: number(l.min),
        max: number(l.max),
        oneOf: Array.isArray(l.oneOf) ? l.oneOf.map(String).join(", ") : "",
      },
    ];
  });
}

const asPointer = (argument: string): string => {
  const a = argument.trim();
  return a.startsWith("/") ? a : `/${a.replaceAll("~", "~0").replaceAll("/", "~1")}`;
};
const limitPointer = /^(\/([^~/]|~[01])*)+$/;

/** What is wrong with one typed limit, or undefined. */
function limitProblem(limit: LimitEdit): string | undefined {
  if (limit.argument.trim() === "" || !limitPointer.test(asPointer(limit.argument)))
    return "name the argument it bounds (such as amount, or /transfer/amount)";
  const min = limit.min.trim();
  const max = limit.max.trim();
  if (min !== "" && !Number.isFinite(Number(min))) return "its minimum must be a number";
  if (max !== "" && !Number.isFinite(Number(max))) return "its maximum must be a number";
  if (min === "" && max === "" && limit.oneOf.trim() === "")
    return "give a minimum, a maximum or the values allowed";
  if (min !== "" && max !== "" && Number(min) > Number(max)) return "its minimum is above its maximum";
  return undefined;
}

/** The limits as the platform stores them. */
export function limitsToSave(limits: readonly LimitEdit[]): Record<string, unknown>[] {
  return limits.map((l) => {
    const values = l.oneOf
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== "");
    return {
      argument: asPointer(l.argument),
      ...(l.min.trim() !== "" ? { min: Number(l.min) } : {}),
      ...(l.max.trim() !== "" ? { max: Number(l.max) } : {}),
      ...(values.length > 0 ? { oneOf: values } : {}),
    };
  });
}

export type ToolEditField = keyof ToolEdit;

/** What is wrong with an edit, field by field (empty when nothing is). */
export function toolEditProblems(
  tools: readonly ForgeTool[],
  editedName: string,
  edit: ToolEdit,
): Partial<Record<ToolEditField, string>> {
  const problems: Partial<Record<ToolEditField, string>> = {};
  const name = edit.name.trim();
  if (name === "") problems.name = "Give the tool a name.";
  else if (!toolNamePattern.test(name))
    problems.name = "1 to 64 letters, digits, '_' or '-': no spaces or other characters.";
  else if (tools.some((t) => t.name === name && t.name !== editedName))
    problems.name = `Another tool of this set is named ${name}.`;
  const description = edit.description.trim();
  if (description === "") problems.description = "Say what the tool does: the model reads it.";
  else if (description.length > maxToolDescriptionChars)
    problems.description = `At most ${maxToolDescriptionChars.toLocaleString("en")} characters (${description.length.toLocaleString("en")} now).`;
  const select = edit.select.trim();
  if (select.length > maxPointerChars) problems.select = `At most ${maxPointerChars} characters.`;
  else if (!pointerPattern.test(select))
    problems.select =
      "A JSON pointer starts with / (such as /data/items), or stays empty for the whole answer.";
  const limits = edit.limits ?? [];
  if (limits.length > maxLimits) problems.limits = `At most ${maxLimits} limits.`;
  else {
    const index = limits.findIndex((l) => limitProblem(l) !== undefined);
    const limit = limits[index];
    if (limit) problems.limits = `Limit ${index + 1}: ${limitProblem(limit) as string}.`;
  }
  return problems;
}

/** Every tool as stored, `editedName`'s with the edit applied: the `tools` of the PATCH that saves it. */
export function toolsWithEdit(
  tools: readonly ForgeTool[],
  editedName: string,
  edit: ToolEdit,
): Readonly<Record<string, unknown>>[] {
  return tools.map((tool) =>
    tool.name === editedName
      ? {
          ...tool.definition,
          name: edit.name.trim(),
          description: edit.description.trim(),
          select: edit.select.trim() === "" ? null : edit.select.trim(),
          // Limits go back as stored unless the person changed them.
          ...(edit.limits &&
          JSON.stringify(limitsToSave(edit.limits)) !== JSON.stringify(limitsToSave(limitsOf(tool)))
            ? { limits: limitsToSave(edit.limits) }
            : {}),
        }
      : tool.definition,
  );
}

/**
 * The field a platform's refusal of the PATCH names (`tools.3.name`), if it is the edited tool's. A refusal
 * that names another tool is not this form's to show under a field.
 */
export function editIssueField(path: string, editedIndex: number): ToolEditField | undefined {
  const match = /^tools\.(\d+)\.(name|description|select|limits)(\.|$)/.exec(path);
  if (!match || Number(match[1]) !== editedIndex) return undefined;
  return match[2] as ToolEditField;
}
