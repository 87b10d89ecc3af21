import { describe, expect, it } from "vitest";
import {
  labelsOf,
  placeholdersIn,
  sortedLabels,
  textSegments,
  unusedVariables,
  versionProblems,
  type PromptVariable,
} from "./prompts";

const variable = (name: string, patch: Partial<PromptVariable> = {}): PromptVariable => ({
  name,
  type: "string",
  required: true,
  default: null,
  values: [],
  description: "",
  maxLength: null,
  ...patch,
});

describe("placeholders, as the platform reads them", () => {
  it("finds each name once, in order, spaces inside the braces allowed", () => {
    expect(placeholdersIn("Hi {{ name }}, from {{company}}. Bye {{name}}.")).toEqual(["name", "company"]);
  });

  it("reads {{{{ as a literal, and marks what only looks like a placeholder", () => {
    const segments = textSegments("Write {{{{literal}} and {{ 9lives }}\nthen {{open");
    expect(segments.map((s) => s.kind)).toEqual(["text", "malformed", "text", "malformed", "text"]);
    expect(placeholdersIn("Write {{{{literal}}")).toEqual([]);
    const malformed = segments.filter((s) => s.kind === "malformed");
    expect(malformed.map((s) => ("message" in s ? s.message : ""))).toEqual([
      expect.stringContaining("Line 1: “{{ 9lives }}” is not a placeholder"),
      expect.stringContaining("Line 2: “{{” is not closed"),
    ]);
  });

  it("keeps every character: the segments put back together are the text", () => {
    const text = "A {{a}} b {{ b }} {{{{c}} {{";
    expect(
      textSegments(text)
        .map((s) => s.text)
        .join(""),
    ).toBe(text);
  });
});

describe("versionProblems: what the platform would refuse, found before saving", () => {
  it("names a placeholder that is not declared", () => {
    expect(versionProblems({ text: "Hello {{name}} at {{company}}", variables: [variable("name")] })).toEqual(
      [
        {
          path: "text",
          message:
            "The text uses {{company}}, which is not declared. Declare it below, or remove it from the text.",
        },
      ],
    );
  });

  it("refuses a name twice, a bad name, an enum without values and a default outside its values", () => {
    const problems = versionProblems({
      text: "{{a}}",
      variables: [
        variable("a"),
        variable("a"),
        variable("9x"),
        variable("tone", { type: "enum", values: [] }),
        variable("mood", { type: "enum", values: ["calm"], default: "angry" }),
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      "variables.1.name",
      "variables.2.name",
      "variables.3.values",
      "variables.4.default",
    ]);
  });

  it("finds nothing wrong in a good version, and reports declared variables the text never uses", () => {
    const input = { text: "Hi {{name}}", variables: [variable("name"), variable("unused")] };
    expect(versionProblems(input)).toEqual([]);
    expect(unusedVariables(input.text, input.variables)).toEqual(["unused"]);
  });
});

describe("labels", () => {
  it("lists production and staging first, then custom labels by name", () => {
    const labels = { zeta: 1, staging: 4, canary: 2, production: 3 };
    expect(sortedLabels(labels).map(([l]) => l)).toEqual(["production", "staging", "canary", "zeta"]);
    expect(labelsOf({ production: 3, canary: 3, staging: 4 }, 3)).toEqual(["production", "canary"]);
  });
});
