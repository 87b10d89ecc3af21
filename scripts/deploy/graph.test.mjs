// The import graph and the code digest the plan relies on: unit cases for the digest, then the real repository's
// functions/src (read only), whose group closures must match what its imports say.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { closureOf, codeDigest, moduleSpecifiers, readFunctionGroups, readModuleGraph } from "./graph.mjs";
import { readLayout, readTargets } from "./targets.mjs";

const ts = createRequire(import.meta.url)("typescript");
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const parse = (text) => ts.createSourceFile("m.js", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
const digest = (text) => codeDigest(parse(text));

describe("the code digest", () => {
  it("ignores comments, JSDoc, layout and trailing commas", () => {
    const plain = "export function f(a, b) {\n  return [a, b];\n}\n";
    expect(
      digest("/** Pairs. */\nexport function f(\n  a, // first\n  b,\n) {\n  return [a, b,];\n}\n"),
    ).toBe(digest(plain));
  });

  it("sees every change to the code, including ones a line break decides", () => {
    expect(digest("function f(x) { return x; }")).not.toBe(digest("function f(x) { return\nx; }"));
    expect(digest("const r = /\\/* a/;")).not.toBe(digest("const r = /\\/* b/;"));
    expect(digest("const a = [1,,];")).not.toBe(digest("const a = [1,];"));
    expect(digest("const s = `a  b`;")).not.toBe(digest("const s = `a b`;"));
    expect(digest('const s = "/* not a comment */";')).not.toBe(digest('const s = "";'));
  });

  it("finds every form of import, and flags computed ones", () => {
    const { specifiers, opaque } = moduleSpecifiers(
      parse(
        'import a from "./a.js";\nexport * as b from "./b.js";\nexport { c } from "./c.js";\n' +
          'const d = await import("./d.js");\nnew Worker(new URL("./e.js", import.meta.url));\n' +
          "const f = await import(name);\n",
      ),
    );
    expect(specifiers).toEqual(["./a.js", "./b.js", "./c.js", "./d.js", "./e.js"]);
    expect(opaque).toEqual([6]);
  });
});

describe("the repository's functions", () => {
  const srcDir = path.join(repo, "functions", "src");
  const groups = readFunctionGroups(srcDir);
  const { edges } = readModuleGraph(srcDir, "source");
  const reaching = (file) =>
    groups.filter((g) => closureOf(edges, g.entry).includes(file)).map((g) => g.name);

  it("reads every group index.ts exports", () => {
    // One per `export … from` line of functions/src/index.ts, counted independently of the parser.
    const lines = fs
      .readFileSync(path.join(srcDir, "index.ts"), "utf8")
      .split("\n")
      .filter((l) => /^export .* from "/.test(l));
    expect(groups).toHaveLength(lines.length);
    expect(groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(["api", "agents", "knowledge", "billing", "narrative"]),
    );
    expect(groups.find((g) => g.name === "agents").entry).toBe("agents/functions.ts");
  });

  it("sends a change to platform/clock.ts to every group", () => {
    expect(reaching("platform/clock.ts")).toEqual(groups.map((g) => g.name));
  });

  it("sends a change to narrative/memory.ts to the groups that run turns or the narrative, not billing", () => {
    // agents/turn.ts recalls memories; the narrative's own functions use them; billing and identity sit below
    // the narrative in the layers (they import the platform only), so their closures can't reach it.
    const groupsOfMemory = reaching("narrative/memory.ts");
    expect(groupsOfMemory).toEqual(expect.arrayContaining(["agents", "narrative"]));
    expect(groupsOfMemory).not.toContain("billing");
    expect(groupsOfMemory).not.toContain("identity");
  });

  it("reaches the parser's worker thread through new URL(…, import.meta.url)", () => {
    expect(reaching("knowledge/parse/worker.ts")).toContain("knowledge");
  });

  // functions/lib is built by `npm test` before the suites run.
  it.skipIf(!fs.existsSync(path.join(repo, "functions", "lib", "index.js")))(
    "fingerprints every group's build",
    () => {
      const { targets } = readTargets(repo, readLayout(repo), { envNames: [] });
      const fingerprints = targets.filter((t) => t.target.startsWith("functions:"));
      expect(fingerprints.map((t) => t.target)).toEqual(groups.map((g) => `functions:${g.name}`));
      for (const t of fingerprints) expect(t.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    },
  );
});
