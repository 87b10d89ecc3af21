/**
 * Template text: its placeholders, the checks a version must pass to be saved, and rendering with values.
 *
 * Syntax. `{{name}}` (spaces allowed inside: `{{ name }}`) stands for the variable `name`. To write a literal
 * `{{`, write `{{{{`; a `}}` outside a placeholder is literal as it is. Anything else that opens with `{{` is
 * an error at save (naming the line), never text that silently renders wrong: `{{ 9lives }}`, `{{{name}}}`, a
 * `{{` with no `}}` on the same line.
 *
 * Rendering is one pass over the parsed text: a value is inserted as it is and never read again, so a value
 * holding `{{other}}` stays those characters (no second expansion, no way for a value to pull in another).
 */
import { AppError } from "../platform/errors.js";
import { promptLimits, variableNamePattern, type PromptVariable, type VariableValue } from "./schema.js";

export type Segment =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "placeholder"; readonly name: string; readonly line: number };

/** One thing wrong with a version or a set of values, as the API's `details.issues` lists it. */
export interface TemplateIssue {
  /** `text`, `variables.<i>.<field>` or `variables.<name>` (a value). */
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly variable?: string;
}

const lineAt = (text: string, index: number): number => {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
};

/** The text as literal runs and placeholders, and what is malformed in it. */
export function parseTemplate(text: string): { segments: Segment[]; issues: TemplateIssue[] } {
  const segments: Segment[] = [];
  const issues: TemplateIssue[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{{", i);
    if (open === -1) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, open);
    if (text.startsWith("{{{{", open)) {
      literal += "{{";
      i = open + 4;
      continue;
    }
    const lineEnd = text.indexOf("\n", open);
    const close = text.indexOf("}}", open + 2);
    const line = lineAt(text, open);
    if (close === -1 || (lineEnd !== -1 && close > lineEnd)) {
      issues.push({
        path: "text",
        line,
        message: `line ${line}: "{{" is not closed by "}}" on the same line (write {{{{ for a literal "{{")`,
      });
      literal += "{{";
      i = open + 2;
      continue;
    }
    const inner = text.slice(open + 2, close);
    const name = inner.trim();
    if (!variableNamePattern.test(name)) {
      issues.push({
        path: "text",
        line,
        message:
          `line ${line}: "{{${inner.slice(0, 60)}}}" is not a placeholder: a variable name is a letter or '_' then ` +
          `letters, digits or '_' (write {{{{ for a literal "{{")`,
      });
      literal += text.slice(open, close + 2);
      i = close + 2;
      continue;
    }
    if (literal) segments.push({ kind: "text", text: literal });
    literal = "";
    segments.push({ kind: "placeholder", name, line });
    i = close + 2;
  }
  if (literal) segments.push({ kind: "text", text: literal });
  return { segments, issues };
}

/** The variables the text uses, each once, in order of first use. */
export function placeholderNames(segments: readonly Segment[]): string[] {
  const names = new Set<string>();
  for (const s of segments) if (s.kind === "placeholder") names.add(s.name);
  return [...names];
}

/** Why `value` is not a value of `variable`, or null when it is. */
export function valueProblem(variable: PromptVariable, value: unknown): string | null {
  switch (variable.type) {
    case "string":
      if (typeof value !== "string") return `must be a string, got ${describe(value)}`;
      if (value.length > (variable.maxLength ?? promptLimits.defaultStringMaxLength))
        return `is ${value.length} characters, above its maxLength of ${variable.maxLength ?? promptLimits.defaultStringMaxLength}`;
      return null;
    case "number":
      return typeof value === "number" && Number.isFinite(value)
        ? null
        : `must be a number, got ${describe(value)}`;
    case "boolean":
      return typeof value === "boolean" ? null : `must be true or false, got ${describe(value)}`;
    case "enum":
      return typeof value === "string" && variable.values.includes(value)
        ? null
        : `must be one of ${variable.values.map((v) => JSON.stringify(v)).join(", ")}, got ${describe(value)}`;
  }
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value;
}

/** What saving a version finds: errors refuse it (400), warnings are answered with the saved version. */
export interface VersionCheck {
  readonly variables: PromptVariable[];
  readonly errors: TemplateIssue[];
  readonly warnings: TemplateIssue[];
}

/**
 * Checks a version before it is saved, and fills each string variable's `maxLength`. Errors: malformed
 * placeholders, a placeholder whose variable is not declared, a variable declared twice, an enum without
 * values (or values on another type), `maxLength` on a type other than string, a default that is not a value
 * of its variable. A declared variable the text never uses is a warning, not an error: keeping a declaration
 * keeps the agents that pass its value valid across versions, and the studio says it is unused.
 */
export function checkVersion(text: string, declared: readonly PromptVariable[]): VersionCheck {
  const errors: TemplateIssue[] = [];
  const warnings: TemplateIssue[] = [];
  if (text.length > promptLimits.text) {
    errors.push({
      path: "text",
      message: `the text is ${text.length} characters, above the limit of ${promptLimits.text}`,
    });
  }
  if (declared.length > promptLimits.variables) {
    errors.push({
      path: "variables",
      message: `${declared.length} variables are declared, above the limit of ${promptLimits.variables}`,
    });
  }
  const variables = declared.map((v) =>
    v.type === "string" && v.maxLength === null
      ? { ...v, maxLength: promptLimits.defaultStringMaxLength }
      : v,
  );
  const seen = new Set<string>();
  variables.forEach((v, i) => {
    const at = (field: string) => `variables.${i}.${field}`;
    const issue = (field: string, message: string) =>
      errors.push({ path: at(field), variable: v.name, message: `variable "${v.name}": ${message}` });
    if (seen.has(v.name)) issue("name", "is declared twice");
    seen.add(v.name);
    if (v.type === "enum") {
      if (v.values.length === 0) issue("values", "an enum needs at least one value");
      if (new Set(v.values).size !== v.values.length) issue("values", "lists a value twice");
    } else if (v.values.length > 0) {
      issue("values", `values are for enum variables; this one is a ${v.type}`);
    }
    if (v.type !== "string" && v.maxLength !== null) {
      issue("maxLength", `maxLength is for string variables; this one is a ${v.type}`);
    }
    if (v.default !== null && (v.type !== "enum" || v.values.length > 0)) {
      const problem = valueProblem(v, v.default);
      if (problem) issue("default", `its default ${problem}`);
    }
  });
  const parsed = parseTemplate(text);
  errors.push(...parsed.issues);
  const names = new Set(variables.map((v) => v.name));
  const reported = new Set<string>();
  for (const s of parsed.segments) {
    if (s.kind !== "placeholder" || names.has(s.name) || reported.has(s.name)) continue;
    reported.add(s.name);
    errors.push({
      path: "text",
      line: s.line,
      variable: s.name,
      message: `line ${s.line}: {{${s.name}}} uses variable "${s.name}", which is not declared: declare it, or write {{{{ for a literal "{{"`,
    });
  }
  const used = new Set(placeholderNames(parsed.segments));
  variables.forEach((v, i) => {
    if (used.has(v.name)) return;
    warnings.push({
      path: `variables.${i}.name`,
      variable: v.name,
      message:
        `variable "${v.name}" is declared but the text never uses it` +
        (v.required && v.default === null ? "; agents must still give it a value" : ""),
    });
  });
  return { variables, errors, warnings };
}

/** Throws the first issue as a 400 naming it, all of them in `details.issues`. */
export function refuse(issues: readonly TemplateIssue[], prefix: string): never {
  const [first] = issues;
  throw new AppError(
    "invalid-argument",
    `${prefix}: ${first?.message ?? "invalid"}` +
      (issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""),
    { issues },
  );
}

/** What a rendering is given: the version's text and variables, and where they come from (for messages). */
export interface RenderInput {
  readonly text: string;
  readonly variables: readonly PromptVariable[];
  /** "template X version N", named in every message. */
  readonly source: string;
}

/**
 * Every problem with `values` for a version: a value of the wrong type or too long, a required variable with
 * no value and no default, and (unless `unknown: "ignore"`) a value for a variable the version does not
 * declare. Empty when the values render.
 */
export function valueIssues(
  input: Pick<RenderInput, "variables" | "source">,
  values: Readonly<Record<string, unknown>>,
  options: { unknown?: "error" | "ignore" } = {},
): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const byName = new Map(input.variables.map((v) => [v.name, v]));
  for (const [name, value] of Object.entries(values)) {
    const variable = byName.get(name);
    if (!variable) {
      if (options.unknown !== "ignore") {
        issues.push({
          path: `variables.${name}`,
          variable: name,
          message: `variable "${name}" is not declared by ${input.source} (it declares ${[...byName.keys()].join(", ") || "none"})`,
        });
      }
      continue;
    }
    const problem = valueProblem(variable, value);
    if (problem)
      issues.push({ path: `variables.${name}`, variable: name, message: `variable "${name}" ${problem}` });
  }
  for (const v of input.variables) {
    if (v.required && v.default === null && !(v.name in values)) {
      issues.push({
        path: `variables.${v.name}`,
        variable: v.name,
        message: `variable "${v.name}" is required by ${input.source} and has no default: give it a value`,
      });
    }
  }
  return issues;
}

/**
 * The text with each placeholder replaced by its value (or default, or "" for an optional variable with
 * neither). Throws a 400 naming the first problem; the values are checked first, so nothing is half-rendered.
 */
export function renderTemplate(
  input: RenderInput,
  values: Readonly<Record<string, unknown>>,
  options: { unknown?: "error" | "ignore" } = {},
): string {
  const issues = valueIssues(input, values, options);
  if (issues.length > 0) refuse(issues, `Cannot render ${input.source}`);
  const byName = new Map(input.variables.map((v) => [v.name, v]));
  const { segments, issues: malformed } = parseTemplate(input.text);
  // Saved versions were checked; a malformed one here is a stored document edited by hand.
  if (malformed.length > 0) refuse(malformed, `Cannot render ${input.source}`);
  let out = "";
  for (const s of segments) {
    if (s.kind === "text") {
      out += s.text;
      continue;
    }
    const variable = byName.get(s.name);
    if (!variable)
      refuse(
        [{ path: "text", line: s.line, variable: s.name, message: `{{${s.name}}} is not declared` }],
        `Cannot render ${input.source}`,
      );
    const value = s.name in values ? values[s.name] : variable.default;
    out += value === null || value === undefined ? "" : String(value as VariableValue);
    if (out.length > promptLimits.renderedChars) {
      throw new AppError(
        "invalid-argument",
        `${input.source} renders to more than ${promptLimits.renderedChars} characters with these values: shorten the values or the text`,
      );
    }
  }
  return out;
}
