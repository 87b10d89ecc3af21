/**
 * The version diff: it reproduces both texts, is minimal where the answer is known, numbers lines in each
 * version, falls back (correct, not minimal) on a pathological pair, and lists the variables' changes.
 */
import { describe, expect, it } from "vitest";
import { diffLines, diffVariables, type LineDiff } from "./diff.js";
import { variableSchema } from "./schema.js";

/** The two texts a diff says it goes between: what it keeps and removes, and what it keeps and adds. */
const sides = (d: LineDiff): [string, string] => [
  d.lines
    .filter((l) => l.op !== "+")
    .map((l) => l.text)
    .join("\n"),
  d.lines
    .filter((l) => l.op !== "-")
    .map((l) => l.text)
    .join("\n"),
];

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("diffLines", () => {
  it("shows one changed line as a removal and an addition, with both line numbers", () => {
    const d = diffLines(
      "Be brief.\nAnswer in English.\nCite sources.",
      "Be brief.\nAnswer in French.\nCite sources.",
    );
    expect(d.lines).toEqual([
      { op: " ", text: "Be brief.", fromLine: 1, toLine: 1 },
      { op: "-", text: "Answer in English.", fromLine: 2, toLine: null },
      { op: "+", text: "Answer in French.", fromLine: null, toLine: 2 },
      { op: " ", text: "Cite sources.", fromLine: 3, toLine: 3 },
    ]);
    expect([d.added, d.removed, d.minimal]).toEqual([1, 1, true]);
  });

  it("finds the shortest script on the classic example (Myers 1986: ABCABBA → CBABAC, 5 edits)", () => {
    const d = diffLines("A\nB\nC\nA\nB\nB\nA", "C\nB\nA\nB\nA\nC");
    expect(d.added + d.removed).toBe(5);
    expect(sides(d)).toEqual(["A\nB\nC\nA\nB\nB\nA", "C\nB\nA\nB\nA\nC"]);
  });

  it("reproduces both texts for random edits, with the fewest edits (checked against an LCS table)", () => {
    const random = seeded(7);
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: Math.floor(random() * 30) }, () => "abcde"[Math.floor(random() * 5)]);
      const b = a.flatMap((line) => {
        const r = random();
        if (r < 0.15) return [];
        if (r < 0.3) return [line, "xyz"[Math.floor(random() * 3)] as string];
        return [line];
      });
      const d = diffLines(a.join("\n"), b.join("\n"));
      expect(sides(d)).toEqual([a.join("\n"), b.join("\n")]);
      expect(d.minimal).toBe(true);
      // The shortest script has n + m − 2·LCS edits, the LCS found by the textbook dynamic programme.
      const x = a.join("\n").split("\n");
      const y = b.join("\n").split("\n");
      const lcs = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
      for (let i = 1; i <= x.length; i++)
        for (let j = 1; j <= y.length; j++)
          (lcs[i] as number[])[j] =
            x[i - 1] === y[j - 1]
              ? ((lcs[i - 1] as number[])[j - 1] as number) + 1
              : Math.max((lcs[i - 1] as number[])[j] as number, (lcs[i] as number[])[j - 1] as number);
      const common = (lcs[x.length] as number[])[y.length] as number;
      expect(d.added + d.removed).toBe(x.length + y.length - 2 * common);
    }
  });

  it("falls back to a correct, non-minimal diff when the texts share nothing over many lines", () => {
    const a = Array.from({ length: 1200 }, (_, i) => `old ${i}`).join("\n");
    const b = Array.from({ length: 1200 }, (_, i) => `new ${i}`).join("\n");
    const d = diffLines(a, b);
    expect(d.minimal).toBe(false);
    expect([d.removed, d.added]).toEqual([1200, 1200]);
    expect(sides(d)).toEqual([a, b]);
  });
});

describe("diffVariables", () => {
  it("lists variables added, removed and changed, with the fields that changed", () => {
    const v = (x: Record<string, unknown>) => variableSchema.parse(x);
    const changes = diffVariables(
      [v({ name: "company", type: "string" }), v({ name: "tone", type: "enum", values: ["formal"] })],
      [
        v({ name: "tone", type: "enum", values: ["formal", "friendly"], default: "formal" }),
        v({ name: "region", type: "string" }),
      ],
    );
    expect(changes.added.map((x) => x.name)).toEqual(["region"]);
    expect(changes.removed.map((x) => x.name)).toEqual(["company"]);
    expect(changes.changed.map((c) => [c.name, c.fields])).toEqual([["tone", ["default", "values"]]]);
  });
});
