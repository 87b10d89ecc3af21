import { describe, expect, it } from "vitest";
import type { PromptVersion } from "../../data/prompts";
import { sideBySide, variableChanges, lineDiff } from "./promptDiff";
import { draftChanged, draftOf, draftProblems, emptyVariable, inputOf } from "./versionForm";

const version: PromptVersion = {
  version: 2,
  text: "Hi {{name}}, in a {{tone}} tone. Up to {{limit}} sentences.",
  variables: [
    {
      name: "name",
      type: "string",
      required: true,
      default: null,
      values: [],
      description: "",
      maxLength: 2000,
    },
    {
      name: "tone",
      type: "enum",
      required: false,
      default: "formal",
      values: ["formal", "friendly"],
      description: "",
      maxLength: null,
    },
    {
      name: "limit",
      type: "number",
      required: false,
      default: 3,
      values: [],
      description: "",
      maxLength: null,
    },
  ],
  note: "",
  createdBy: "acc_ann",
  createdAt: "2026-11-20T10:00:00.000Z",
};

describe("the version form", () => {
  it("reads a version into what inputs hold, and back unchanged", () => {
    const draft = draftOf(version);
    expect(draft.variables.map((v) => [v.name, v.defaultText, v.valuesText])).toEqual([
      ["name", "", ""],
      ["tone", "formal", "formal, friendly"],
      ["limit", "3", ""],
    ]);
    expect(inputOf(draft).variables).toEqual(version.variables);
    expect(draftChanged(draft, version)).toBe(false);
  });

  it("types defaults by the variable's type, and splits an enum's values", () => {
    const draft = draftOf(version);
    const edited = {
      ...draft,
      variables: [
        ...draft.variables,
        { ...emptyVariable("formal"), type: "boolean" as const, defaultText: "false" },
        { ...emptyVariable("lang"), type: "enum" as const, valuesText: "en,\nfr , de", defaultText: "fr" },
      ],
    };
    const input = inputOf(edited);
    expect(input.variables.slice(3)).toEqual([
      expect.objectContaining({ name: "formal", type: "boolean", default: false, values: [] }),
      expect.objectContaining({ name: "lang", type: "enum", default: "fr", values: ["en", "fr", "de"] }),
    ]);
    expect(draftChanged(edited, version)).toBe(true);
  });

  it("refuses a number default that is not one, and an empty text", () => {
    const draft = draftOf(version);
    const bad = {
      ...draft,
      text: " ",
      variables: draft.variables.map((v) => (v.name === "limit" ? { ...v, defaultText: "three" } : v)),
    };
    expect(draftProblems(bad).map((p) => p.path)).toEqual(["text", "variables.2.default"]);
  });
});

describe("the versions' diff", () => {
  it("pairs each removed run with the added run replacing it, numbering each side's lines", () => {
    const rows = sideBySide(lineDiff("a\nb\nc\nd", "a\nB\nB2\nd\ne"));
    expect(
      rows.map((r) => [
        r.before?.number ?? null,
        r.before?.text ?? null,
        r.after?.number ?? null,
        r.after?.text ?? null,
      ]),
    ).toEqual([
      [1, "a", 1, "a"],
      [2, "b", 2, "B"],
      [3, "c", 3, "B2"],
      [4, "d", 4, "d"],
      [null, null, 5, "e"],
    ]);
    expect(rows.map((r) => r.after?.changed ?? null)).toEqual([false, true, true, false, true]);
  });

  it("says which variables were added, removed or declared differently", () => {
    const before = version.variables;
    const after = [
      { ...before[0]!, required: false },
      { ...before[1]!, values: ["formal", "friendly", "playful"] },
      {
        name: "company",
        type: "string" as const,
        required: true,
        default: null,
        values: [],
        description: "",
        maxLength: null,
      },
    ];
    expect(variableChanges(before, after)).toEqual([
      { name: "name", kind: "changed", detail: "no longer required" },
      { name: "tone", kind: "changed", detail: "values formal, friendly → formal, friendly, playful" },
      { name: "company", kind: "added", detail: "string, required" },
      { name: "limit", kind: "removed", detail: "number" },
    ]);
  });
});
