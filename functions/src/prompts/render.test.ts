/**
 * Template text: placeholders and their escaping, the checks a version must pass to be saved (each naming the
 * variable and the line), value checks, and rendering in one pass (a value is never expanded again).
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../platform/errors.js";
import { checkVersion, parseTemplate, renderTemplate, valueIssues } from "./render.js";
import { variableSchema, type PromptVariable } from "./schema.js";

const variable = (v: Partial<PromptVariable> & Pick<PromptVariable, "name" | "type">): PromptVariable =>
  variableSchema.parse(v);

const support = `You are the support assistant of {{company}}.
Answer in a {{ tone }} tone.
Write code as {{{{ language }} blocks.`;

const supportVariables = [
  variable({ name: "company", type: "string", description: "The customer's company" }),
  variable({
    name: "tone",
    type: "enum",
    values: ["formal", "friendly"],
    default: "friendly",
    required: false,
  }),
];

describe("parsing placeholders", () => {
  it("reads {{name}} and {{ name }}, and {{{{ as a literal {{", () => {
    const { segments, issues } = parseTemplate(support);
    expect(issues).toEqual([]);
    expect(segments.filter((s) => s.kind === "placeholder")).toEqual([
      { kind: "placeholder", name: "company", line: 1 },
      { kind: "placeholder", name: "tone", line: 2 },
    ]);
    const literal = segments.filter((s) => s.kind === "text").map((s) => (s.kind === "text" ? s.text : ""));
    expect(literal.join("|")).toBe(
      "You are the support assistant of |.\nAnswer in a | tone.\nWrite code as {{ language }} blocks.",
    );
  });

  it("names the line of a malformed or unclosed placeholder", () => {
    const { issues } = parseTemplate("ok\n{{ 9lives }}\nthen {{{name}}}\nand {{open\n}}");
    expect(issues.map((i) => i.line)).toEqual([2, 3, 4]);
    expect(issues[0]?.message).toContain('line 2: "{{ 9lives }}" is not a placeholder');
    expect(issues[2]?.message).toContain('line 4: "{{" is not closed');
  });
});

describe("checking a version before it is saved", () => {
  it("accepts a well-formed version and fills a string's maxLength", () => {
    const check = checkVersion(support, supportVariables);
    expect(check.errors).toEqual([]);
    expect(check.warnings).toEqual([]);
    expect(check.variables[0]?.maxLength).toBe(2000);
    expect(check.variables[1]?.maxLength).toBeNull();
  });

  it("refuses a placeholder whose variable is not declared, naming it and its line", () => {
    const check = checkVersion("Hello\nDear {{customer}},", [variable({ name: "company", type: "string" })]);
    expect(check.errors).toEqual([expect.objectContaining({ path: "text", line: 2, variable: "customer" })]);
    expect(check.errors[0]?.message).toContain(
      'line 2: {{customer}} uses variable "customer", which is not declared',
    );
  });

  it("warns, without refusing, about a declared variable the text never uses", () => {
    const check = checkVersion("No placeholders here.", [variable({ name: "unused", type: "string" })]);
    expect(check.errors).toEqual([]);
    expect(check.warnings).toEqual([
      expect.objectContaining({ variable: "unused", path: "variables.0.name" }),
    ]);
    expect(check.warnings[0]?.message).toContain("agents must still give it a value");
  });

  it.each([
    [
      variable({ name: "n", type: "number", default: "three" }),
      "variables.0.default",
      "its default must be a number",
    ],
    [variable({ name: "b", type: "boolean", default: 1 }), "variables.0.default", "must be true or false"],
    [
      variable({ name: "e", type: "enum", values: ["a"], default: "z" }),
      "variables.0.default",
      'must be one of "a"',
    ],
    [variable({ name: "e", type: "enum" }), "variables.0.values", "an enum needs at least one value"],
    [variable({ name: "s", type: "string", values: ["x"] }), "variables.0.values", "values are for enum"],
    [
      variable({ name: "n", type: "number", maxLength: 5 }),
      "variables.0.maxLength",
      "maxLength is for string",
    ],
    [
      variable({ name: "s", type: "string", maxLength: 3, default: "toolong" }),
      "variables.0.default",
      "above its maxLength of 3",
    ],
  ])("refuses %o at %s", (v, path, message) => {
    const check = checkVersion(`{{${v.name}}}`, [v]);
    expect(check.errors).toEqual([expect.objectContaining({ path, variable: v.name })]);
    expect(check.errors[0]?.message).toContain(message);
  });

  it("refuses a variable declared twice", () => {
    const check = checkVersion("{{a}}", [
      variable({ name: "a", type: "string" }),
      variable({ name: "a", type: "number" }),
    ]);
    expect(check.errors.map((e) => e.path)).toEqual(["variables.1.name"]);
  });

  it("refuses text over 20,000 characters and more than 50 variables", () => {
    expect(checkVersion("x".repeat(20_001), []).errors[0]?.message).toContain("above the limit of 20000");
    const many = Array.from({ length: 51 }, (_, i) => variable({ name: `v${i}`, type: "string" }));
    const text = many.map((v) => `{{${v.name}}}`).join(" ");
    expect(checkVersion(text, many).errors[0]?.message).toContain(
      "51 variables are declared, above the limit of 50",
    );
    expect(checkVersion(text, many.slice(0, 50)).errors).toEqual([expect.objectContaining({ path: "text" })]);
  });
});

describe("rendering", () => {
  const input = {
    text: support,
    variables: checkVersion(support, supportVariables).variables,
    source: "template T version 1",
  };

  it("substitutes values and defaults, and keeps the escaped braces", () => {
    expect(renderTemplate(input, { company: "Acme" })).toBe(
      "You are the support assistant of Acme.\nAnswer in a friendly tone.\nWrite code as {{ language }} blocks.",
    );
  });

  it("never expands a value again: a value holding {{tone}} stays those characters", () => {
    const text = renderTemplate(input, { company: "{{tone}} and {{{{x}}", tone: "formal" });
    expect(text).toContain("assistant of {{tone}} and {{{{x}}.");
    expect(text).toContain("in a formal tone");
  });

  it("renders an optional variable with neither value nor default as empty", () => {
    const v = [variable({ name: "extra", type: "string", required: false })];
    expect(renderTemplate({ text: "a{{extra}}b", variables: v, source: "t" }, {})).toBe("ab");
  });

  it("names each problem with the values: missing, mistyped, too long, undeclared", () => {
    const issues = valueIssues(input, { tone: "rude", company: 3, other: true });
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ["variables.tone", 'variable "tone" must be one of "formal", "friendly", got "rude"'],
      ["variables.company", 'variable "company" must be a string, got 3'],
      [
        "variables.other",
        'variable "other" is not declared by template T version 1 (it declares company, tone)',
      ],
    ]);
    expect(valueIssues(input, {}).map((i) => i.message)).toEqual([
      'variable "company" is required by template T version 1 and has no default: give it a value',
    ]);
    expect(valueIssues(input, { company: "x".repeat(2001) })[0]?.message).toContain(
      "above its maxLength of 2000",
    );
  });

  it("refuses to render with a 400 naming the variable, leaving nothing half-rendered", () => {
    let error: unknown;
    try {
      renderTemplate(input, { tone: "formal" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    expect((error as AppError).message).toContain('variable "company" is required');
    expect(((error as AppError).details as { issues: { variable: string }[] }).issues[0]?.variable).toBe(
      "company",
    );
  });

  it("ignores undeclared values only when asked to (a draft following a label that dropped one)", () => {
    expect(renderTemplate(input, { company: "Acme", gone: "x" }, { unknown: "ignore" })).toContain("Acme");
    expect(() => renderTemplate(input, { company: "Acme", gone: "x" })).toThrow(/"gone" is not declared/);
  });

  it("refuses a rendering above 60,000 characters", () => {
    const v = Array.from({ length: 7 }, (_, i) =>
      variable({ name: `p${i}`, type: "string", maxLength: 10_000 }),
    );
    const text = v.map((x) => `{{${x.name}}}`).join("");
    const values = Object.fromEntries(v.map((x) => [x.name, "y".repeat(10_000)]));
    expect(() => renderTemplate({ text, variables: v, source: "big" }, values)).toThrow(
      /more than 60000 characters/,
    );
  });
});
