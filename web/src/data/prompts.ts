/**
 * The Prompt Engine's templates (`/v1/prompts`): a template's versions (immutable text and typed variable
 * declarations), its labels (`production`, `staging`, custom names, each pointing at a version), rollback,
 * and rendering with values. The shapes the platform answers (functions/src/prompts/schema.ts), the checks
 * the editor makes before saving (the platform checks again and names the variable it refuses), and the data
 * layer's section.
 */

export const variableTypes = ["string", "number", "boolean", "enum"] as const;
export type VariableType = (typeof variableTypes)[number];

export type VariableValue = string | number | boolean;

/** One declared variable: what `{{name}}` in the text stands for. */
export interface PromptVariable {
  readonly name: string;
  readonly type: VariableType;
  readonly required: boolean;
  /** Used when a caller gives no value; `null` when there is none. */
  readonly default: VariableValue | null;
  /** The values an `enum` may take (empty for the other types). */
  readonly values: readonly string[];
  readonly description: string;
  /** The longest value a `string` may take (`null` for the other types; the platform's default otherwise). */
  readonly maxLength: number | null;
}

/** A template as listed: its name and where its labels point. */
export interface PromptTemplate {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Label → version (`{ production: 3, staging: 4 }`). */
  readonly labels: Readonly<Record<string, number>>;
  /** The newest version's number; 0 before the first is saved. */
  readonly latestVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** One saved version: never changes once saved. */
export interface PromptVersion {
  readonly version: number;
  readonly text: string;
  readonly variables: readonly PromptVariable[];
  /** What changed, in the author's words. */
  readonly note: string;
  /** Who saved it (an account id), when the platform says. */
  readonly createdBy: string | null;
  readonly createdAt: string;
}

/** A new version (`POST /v1/prompts/{id}/versions`), or a new template's first one. */
export interface PromptVersionInput {
  readonly text: string;
  readonly variables: readonly PromptVariable[];
  readonly note: string;
  /** The version the edit started from: the platform refuses (409) when a newer one was saved since. */
  readonly baseVersion?: number;
}

/** What saving answered: the version, and what the platform noticed (a declared variable the text never uses). */
export interface SavedPromptVersion {
  readonly version: PromptVersion;
  /** The text and variables equal the latest version's: nothing was saved. */
  readonly unchanged: boolean;
  readonly warnings: readonly string[];
}

export interface PromptCreateInput extends PromptVersionInput {
  readonly name: string;
  readonly description: string;
}

/** What a render is asked to render: a version or a label, with values for its variables. */
export interface PromptRenderRequest {
  readonly version?: number;
  readonly label?: string;
  readonly variables: Readonly<Record<string, VariableValue>>;
}

export interface PromptRendering {
  readonly text: string;
  readonly version: number;
}

/** Every method needs `workspace.read` (reads) or `agents.manage` (changes): editors and up change. */
export interface PromptsSource {
  /** Most recently changed first. */
  listPrompts(signal: AbortSignal): Promise<PromptTemplate[]>;
  getPrompt(promptId: string, signal: AbortSignal): Promise<PromptTemplate>;
  /** Newest first: the newest `promptVersionsListed` of them. */
  listPromptVersions(promptId: string, signal: AbortSignal): Promise<PromptVersion[]>;
  createPrompt(input: PromptCreateInput): Promise<PromptTemplate>;
  savePromptVersion(promptId: string, input: PromptVersionInput): Promise<SavedPromptVersion>;
  /** Points `label` at `version` (creating the label); answers the template as it now is. */
  setPromptLabel(promptId: string, label: string, version: number): Promise<PromptTemplate>;
  removePromptLabel(promptId: string, label: string): Promise<PromptTemplate>;
  /** Moves `label` back to an older version (no version is created); answers the template as it now is. */
  rollbackPrompt(promptId: string, label: string, version: number): Promise<PromptTemplate>;
  /** It leaves the list and can no longer be newly referenced; published agents keep their pinned version. */
  archivePrompt(promptId: string): Promise<void>;
  renderPrompt(
    promptId: string,
    request: PromptRenderRequest,
    signal?: AbortSignal,
  ): Promise<PromptRendering>;
}

// ----- the editor's checks ----------------------------------------------------------------------------

/** The platform's limits (functions/src/prompts/schema.ts), repeated to say so before sending. */
export const promptLimits = {
  name: 120,
  description: 2000,
  text: 20_000,
  note: 500,
  variables: 50,
  variableName: 64,
  variableDescription: 500,
  enumValues: 50,
  label: 40,
  labels: 20,
  defaultStringMaxLength: 2000,
  stringValueChars: 10_000,
} as const;

/** How many versions the Prompts page lists (the platform's largest page). */
export const promptVersionsListed = 200;

/** The labels every template offers; others are custom. */
export const standardLabels = ["production", "staging"] as const;

export const variableNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** `production`, `staging`, or a custom name. */
export const labelPattern = /^[a-z0-9-]{1,40}$/;

export type TextSegment =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "placeholder"; readonly text: string; readonly name: string; readonly line: number }
  | { readonly kind: "malformed"; readonly text: string; readonly line: number; readonly message: string };

const lineAt = (text: string, index: number): number => {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
};

/**
 * The text as the platform reads it (functions/src/prompts/render.ts `parseTemplate`): `{{name}}` (spaces
 * allowed inside) is a placeholder, `{{{{` a literal `{{`, and anything else opening with `{{` is malformed
 * (the platform refuses it at save, naming the line). Kept in step so the editor marks what the platform will.
 */
export function textSegments(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let literal = "";
  const flush = () => {
    if (literal) segments.push({ kind: "text", text: literal });
    literal = "";
  };
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{{", i);
    if (open === -1) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, open);
    if (text.startsWith("{{{{", open)) {
      literal += "{{{{";
      i = open + 4;
      continue;
    }
    const lineEnd = text.indexOf("\n", open);
    const close = text.indexOf("}}", open + 2);
    const line = lineAt(text, open);
    if (close === -1 || (lineEnd !== -1 && close > lineEnd)) {
      flush();
      segments.push({
        kind: "malformed",
        text: "{{",
        line,
        message: `Line ${line}: “{{” is not closed by “}}” on the same line (write {{{{ for a literal “{{”).`,
      });
      i = open + 2;
      continue;
    }
    const whole = text.slice(open, close + 2);
    const name = text.slice(open + 2, close).trim();
    flush();
    if (!variableNamePattern.test(name)) {
      segments.push({
        kind: "malformed",
        text: whole,
        line,
        message: `Line ${line}: “${whole.slice(0, 60)}” is not a placeholder: a name is a letter or _ then letters, digits or _.`,
      });
    } else {
      segments.push({ kind: "placeholder", text: whole, name, line });
    }
    i = close + 2;
  }
  flush();
  return segments;
}

/** The names the text uses, each once, in order of first use. */
export function placeholdersIn(text: string): string[] {
  const names = new Set<string>();
  for (const s of textSegments(text)) if (s.kind === "placeholder") names.add(s.name);
  return [...names];
}

export interface VariableProblem {
  /** `text` for the template's text, or `variables.<i>.<field>`, as the platform names fields. */
  readonly path: string;
  readonly message: string;
}

/**
 * What the platform would refuse in a version, found before sending: placeholders without a declaration,
 * names that are not identifiers or repeat, an enum without values, a default of the wrong type. Declared
 * variables the text does not use are allowed (a caller may still pass them) and reported by `unusedVariables`.
 */
export function versionProblems(input: Pick<PromptVersionInput, "text" | "variables">): VariableProblem[] {
  const problems: VariableProblem[] = [];
  const declared = new Set<string>();
  input.variables.forEach((variable, i) => {
    const at = (field: string) => `variables.${i}.${field}`;
    if (!variableNamePattern.test(variable.name)) {
      problems.push({
        path: at("name"),
        message: "A name starts with a letter or _ and holds only letters, digits and _.",
      });
    } else if (declared.has(variable.name)) {
      problems.push({ path: at("name"), message: `“${variable.name}” is declared twice.` });
    }
    declared.add(variable.name);
    if (variable.type === "enum") {
      if (variable.values.length === 0)
        problems.push({ path: at("values"), message: "An enum needs at least one value." });
      else if (new Set(variable.values).size !== variable.values.length)
        problems.push({ path: at("values"), message: "A value is listed twice." });
      if (typeof variable.default === "string" && !variable.values.includes(variable.default))
        problems.push({ path: at("default"), message: "The default must be one of the values." });
    }
    if (variable.type === "number" && variable.default !== null && typeof variable.default !== "number")
      problems.push({ path: at("default"), message: "The default must be a number." });
  });
  for (const segment of textSegments(input.text)) {
    if (segment.kind === "malformed") problems.push({ path: "text", message: segment.message });
  }
  const undeclared = placeholdersIn(input.text).filter((name) => !declared.has(name));
  if (undeclared.length > 0) {
    problems.push({
      path: "text",
      message:
        `The text uses ${undeclared.map((n) => `{{${n}}}`).join(", ")}, ` +
        `which ${undeclared.length === 1 ? "is" : "are"} not declared. Declare ${undeclared.length === 1 ? "it" : "them"} below, or remove ${undeclared.length === 1 ? "it" : "them"} from the text.`,
    });
  }
  return problems;
}

/** Declared variables the text never uses. */
export function unusedVariables(text: string, variables: readonly PromptVariable[]): string[] {
  const used = new Set(placeholdersIn(text));
  return variables.map((v) => v.name).filter((name) => !used.has(name));
}

/** Labels sorted for display: production, staging, then custom ones by name. */
export function sortedLabels(labels: Readonly<Record<string, number>>): [string, number][] {
  const rank = (label: string) => {
    const i = (standardLabels as readonly string[]).indexOf(label);
    return i === -1 ? standardLabels.length : i;
  };
  return Object.entries(labels).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The labels pointing at `version`. */
export function labelsOf(labels: Readonly<Record<string, number>>, version: number): string[] {
  return sortedLabels(labels)
    .filter(([, v]) => v === version)
    .map(([label]) => label);
}
