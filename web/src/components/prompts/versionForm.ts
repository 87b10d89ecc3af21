/**
 * The prompt editor's form: what is typed (every field a string, as inputs hold them), read from a saved
 * version, and turned into the version the platform is sent, with the problems the editor shows under each
 * field before sending. The platform checks again; its refusals name the same fields (`variables.0.default`).
 */
import {
  versionProblems,
  type PromptVariable,
  type PromptVersion,
  type PromptVersionInput,
  type VariableProblem,
  type VariableType,
  type VariableValue,
} from "../../data/prompts";

export interface VariableDraft {
  /** Stable across edits, for React keys (not sent). */
  readonly key: string;
  readonly name: string;
  readonly type: VariableType;
  readonly required: boolean;
  /** Empty: no default. Booleans: "true" / "false". */
  readonly defaultText: string;
  /** An enum's values, one per line or comma-separated. */
  readonly valuesText: string;
  readonly description: string;
  /** Kept as saved (the editor does not change it): a string's longest value. */
  readonly maxLength: number | null;
}

export interface VersionDraft {
  readonly text: string;
  readonly variables: readonly VariableDraft[];
  readonly note: string;
}

let nextKey = 0;
const newKey = () => `var-${nextKey++}`;

export function emptyVariable(name = ""): VariableDraft {
  return {
    key: newKey(),
    name,
    type: "string",
    required: false,
    defaultText: "",
    valuesText: "",
    description: "",
    maxLength: null,
  };
}

export function draftOf(version: PromptVersion | undefined): VersionDraft {
  if (!version) return { text: "", variables: [], note: "" };
  return {
    text: version.text,
    note: "",
    variables: version.variables.map((v) => ({
      key: newKey(),
      name: v.name,
      type: v.type,
      required: v.required,
      defaultText: v.default === null ? "" : String(v.default),
      valuesText: v.values.join(", "),
      description: v.description,
      maxLength: v.maxLength,
    })),
  };
}

/** An enum's values as typed: split on commas and new lines, trimmed, empty ones dropped. */
export function splitValues(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function defaultOf(draft: VariableDraft): VariableValue | null {
  const text = draft.defaultText.trim();
  if (text === "") return null;
  switch (draft.type) {
    case "number":
      return Number.isFinite(Number(text)) ? Number(text) : text;
    case "boolean":
      return text === "true";
    default:
      return draft.defaultText;
  }
}

export function variableOf(draft: VariableDraft): PromptVariable {
  return {
    name: draft.name.trim(),
    type: draft.type,
    required: draft.required,
    default: defaultOf(draft),
    values: draft.type === "enum" ? splitValues(draft.valuesText) : [],
    description: draft.description.trim(),
    // Only strings have one; the platform refuses it on another type.
    maxLength: draft.type === "string" ? draft.maxLength : null,
  };
}

export function inputOf(draft: VersionDraft): PromptVersionInput {
  return { text: draft.text, variables: draft.variables.map(variableOf), note: draft.note.trim() };
}

/** The form's problems: the platform's own rules (versionProblems) and what only the typing can get wrong. */
export function draftProblems(draft: VersionDraft): VariableProblem[] {
  const problems: VariableProblem[] = [];
  if (draft.text.trim() === "") problems.push({ path: "text", message: "Write the template's text." });
  draft.variables.forEach((v, i) => {
    if (v.type === "number" && v.defaultText.trim() !== "" && !Number.isFinite(Number(v.defaultText.trim())))
      problems.push({ path: `variables.${i}.default`, message: "The default must be a number." });
  });
  const input = inputOf(draft);
  for (const problem of versionProblems(input)) {
    if (!problems.some((p) => p.path === problem.path)) problems.push(problem);
  }
  return problems;
}

/** Whether the draft differs from the version it started from (a new version would change something). */
export function draftChanged(draft: VersionDraft, from: PromptVersion | undefined): boolean {
  const input = inputOf(draft);
  if (!from) return input.text !== "" || input.variables.length > 0;
  return (
    input.text !== from.text ||
    JSON.stringify(input.variables) !==
      JSON.stringify(
        from.variables.map((v) => ({
          name: v.name,
          type: v.type,
          required: v.required,
          default: v.default,
          values: v.values,
          description: v.description,
          maxLength: v.type === "string" ? v.maxLength : null,
        })),
      )
  );
}
