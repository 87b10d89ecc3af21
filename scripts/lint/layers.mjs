// The house rules as ESLint rules (`npm run lint` runs them; docs/architecture.md explains them):
//
//   alchemist/layers   dependencies point down: runtime → function wiring → services → platform, and in the
//                      studio routes → components → data. Services never import an adapter (platform/firebase,
//                      platform/models, platform/payments, the local adapters); only platform/firebase imports
//                      firebase-admin, only platform/payments imports stripe, only function wiring imports
//                      firebase-functions, only the local adapters import better-sqlite3, only
//                      local/src/adapters/onnx-models.ts imports the model runtime
//                      (@huggingface/transformers, onnxruntime-*), and only web/src/data/firebase/sdk.ts imports
//                      the Firebase web SDK.
//                      Tests and test helpers (`*.test.ts`, `testing/`) may reach up; nothing else may import them.
//   alchemist/no-cycle no import circle, type-only imports included.
//
// Both resolve imports the way the build does: relative specifiers (`./x.js` is `./x.ts`), and the workspace
// packages `@alchemist/functions/…` and `@alchemist/local/…` to their sources.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const defaultRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const packages = { "@alchemist/functions": "functions/src", "@alchemist/local": "local/src" };

const isTest = (rel) => /\.test\.tsx?$/.test(rel) || /(^|\/)testing\//.test(rel) || /^web\/e2e\//.test(rel);

/**
 * Where a file stands: `rank` orders the floors (an import may not go to a higher one), `adapter` marks
 * what services must reach through ports only. Files outside the governed trees have no layer.
 */
export function layerOf(rel) {
  let m;
  if ((m = /^functions\/src\/(.*)$/.exec(rel))) {
    const p = m[1];
    if (p === "index.ts") return { rank: 70, name: "the functions' entry point" };
    if (/^[^/]+\/functions\.ts$/.test(p) || p.startsWith("channels/"))
      return { rank: 60, name: "function wiring" };
    // The operator's console reads across every service (workspaces, billing, members, audit); none imports it.
    if (p.startsWith("admin/")) return { rank: 55, name: "the admin service" };
    if (/^(privacy|monitor)\//.test(p)) return { rank: 50, name: `the ${p.split("/")[0]} service` };
    // Agent Tuning builds on the Sandbox (an annotation becomes an eval item), which runs agents' turns.
    if (p.startsWith("tuning/")) return { rank: 46, name: "the tuning service" };
    if (p.startsWith("sandbox/")) return { rank: 45, name: "the sandbox service" };
    if (p.startsWith("agents/")) return { rank: 40, name: "the agents service" };
    if (p.startsWith("accountability/")) return { rank: 30, name: "the accountability service" };
    // Tool Forge: the agents run its tools; it imports the platform only.
    if (p.startsWith("tools/")) return { rank: 35, name: "the tools service" };
    // Prompt Engine: agents render its templates and apply its experiments; it never imports agents (the
    // API composes what it needs from them, such as publishing an experiment's winner).
    if (p.startsWith("prompts/")) return { rank: 37, name: "the prompts service" };
    // Global Narrative Framework: agents recall its memories and check answers against what they said before;
    // it never imports agents (its routes get what they need from the API's composition).
    if (p.startsWith("narrative/")) return { rank: 38, name: "the narrative service" };
    if (/^(knowledge|identity)\//.test(p)) return { rank: 20, name: `the ${p.split("/")[0]} service` };
    // Billing sits under every service that spends or counts against a plan (a turn records its usage event,
    // ingestion its own, identity checks the members limit): it imports the platform only.
    if (p.startsWith("billing/")) return { rank: 18, name: "the billing service" };
    if (/^platform\/(firebase|models|payments)\//.test(p))
      return { rank: 10, name: "a platform adapter", adapter: true };
    if (p.startsWith("platform/")) return { rank: 10, name: "the platform" };
    return null;
  }
  if ((m = /^local\/src\/(.*)$/.exec(rel))) {
    const p = m[1];
    if (p.startsWith("adapters/")) return { rank: 15, name: "a local adapter", adapter: true };
    if (p.startsWith("runtime/")) return { rank: 80, name: "the local runtime" };
    return { rank: 90, name: "the local runtime's entry point" };
  }
  if ((m = /^web\/src\/(.*)$/.exec(rel))) {
    const p = m[1];
    if (p.startsWith("data/")) return { rank: 10, name: "the studio's data layer" };
    if (p.startsWith("components/") || p === "theme.ts") return { rank: 20, name: "the studio's components" };
    if (p.startsWith("routes/")) return { rank: 30, name: "the studio's pages" };
    return { rank: 40, name: "the studio's entry point" };
  }
  return null;
}

/** Which files may import a package that only one part of the house should touch. */
const packageOwners = [
  {
    test: (spec) => spec === "firebase-admin" || spec.startsWith("firebase-admin/"),
    may: (rel) => rel.startsWith("functions/src/platform/firebase/"),
    who: "platform/firebase (the Firebase adapters)",
  },
  {
    test: (spec) => spec === "firebase-functions" || spec.startsWith("firebase-functions/"),
    may: (rel) => {
      const l = layerOf(rel);
      return (
        (l !== null && l.rank >= 60) ||
        rel === "functions/src/platform/params.ts" ||
        rel === "functions/src/platform/callable.ts"
      );
    },
    who: "function wiring (a service's functions.ts, channels/), platform/params.ts, platform/callable.ts and the local runtime",
  },
  {
    test: (spec) => spec === "stripe" || spec.startsWith("stripe/"),
    may: (rel) => rel.startsWith("functions/src/platform/payments/"),
    who: "platform/payments (the Stripe adapter)",
  },
  {
    test: (spec) => spec === "better-sqlite3",
    may: (rel) => rel.startsWith("local/src/adapters/"),
    who: "local/src/adapters",
  },
  {
    test: (spec) => spec === "@huggingface/transformers" || spec.startsWith("onnxruntime-"),
    may: (rel) => rel === "local/src/adapters/onnx-models.ts",
    who: "local/src/adapters/onnx-models.ts (LOCAL_MODELS_DIR)",
  },
  {
    test: (spec) => spec === "firebase" || spec.startsWith("firebase/"),
    may: (rel) => rel === "web/src/data/firebase/sdk.ts",
    who: "web/src/data/firebase/sdk.ts",
  },
];

const candidates = (base) =>
  /\.(js|mjs)$/.test(base)
    ? [base.replace(/\.m?js$/, ".ts"), base.replace(/\.m?js$/, ".tsx"), base]
    : /\.(ts|tsx)$/.test(base)
      ? [base]
      : [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`, `${base}.js`, `${base}.mjs`];

/** The repository-relative file an import names, or null for a package outside the workspaces. */
export function resolveImport(root, fromRel, spec) {
  let base;
  if (spec.startsWith(".")) base = path.join(path.dirname(fromRel), spec);
  else {
    const pkg = Object.keys(packages).find((p) => spec === p || spec.startsWith(`${p}/`));
    if (!pkg) return null;
    base = path.join(packages[pkg], spec === pkg ? "index" : spec.slice(pkg.length + 1));
  }
  for (const c of candidates(path.normalize(base))) if (fs.existsSync(path.join(root, c))) return c;
  return null;
}

const importPattern =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The specifiers a file imports (comments stripped first; template strings are not code). */
function specifiersOf(text) {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`])\/\/.*$/gm, "$1")
    .replace(/`(?:\\[\s\S]|[^`\\])*`/g, "``");
  return [...code.matchAll(importPattern)].map((m) => m[1] ?? m[2]);
}

const graphs = new Map();
function graphFor(root) {
  let g = graphs.get(root);
  if (!g) graphs.set(root, (g = new Map()));
  return g;
}

function edgesOf(root, rel) {
  const graph = graphFor(root);
  let edges = graph.get(rel);
  if (edges) return edges;
  let text = "";
  try {
    text = fs.readFileSync(path.join(root, rel), "utf8");
  } catch {
    /* a file that vanished has no imports */
  }
  edges = [
    ...new Set(
      specifiersOf(text)
        .map((s) => resolveImport(root, rel, s))
        .filter((r) => r !== null),
    ),
  ];
  graph.set(rel, edges);
  return edges;
}

/** A path from `start` back to `target` through imports, or null. */
function pathBack(root, start, target) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length > 0) {
    const [node, trail] = stack.pop();
    for (const next of edgesOf(root, node)) {
      if (next === target) return [...trail, next];
      if (!seen.has(next)) {
        seen.add(next);
        stack.push([next, [...trail, next]]);
      }
    }
  }
  return null;
}

function sourcesOf(node) {
  if (
    (node.type === "ImportDeclaration" ||
      node.type === "ExportNamedDeclaration" ||
      node.type === "ExportAllDeclaration") &&
    node.source
  )
    return node.source;
  if (node.type === "ImportExpression" && node.source.type === "Literal") return node.source;
  return null;
}

function visitImports(context, check) {
  const root = context.settings?.alchemist?.root ?? defaultRoot;
  const rel = path.relative(root, context.filename).split(path.sep).join("/");
  const visit = (node) => {
    const source = sourcesOf(node);
    if (source && typeof source.value === "string") check(root, rel, source.value, source);
  };
  return {
    ImportDeclaration: visit,
    ExportNamedDeclaration: visit,
    ExportAllDeclaration: visit,
    ImportExpression: visit,
  };
}

const layers = {
  meta: {
    type: "problem",
    docs: { description: "Dependencies point down; services reach adapters through ports" },
  },
  create(context) {
    return visitImports(context, (root, rel, spec, node) => {
      if (isTest(rel)) return;
      const owner = packageOwners.find((o) => o.test(spec));
      if (owner && !owner.may(rel)) {
        context.report({ node, message: `Only ${owner.who} may import '${spec}'.` });
        return;
      }
      const target = resolveImport(root, rel, spec);
      if (!target) return;
      if (isTest(target)) {
        context.report({
          node,
          message: `Test helpers are for tests: '${spec}' is imported by production code.`,
        });
        return;
      }
      const from = layerOf(rel);
      const to = layerOf(target);
      if (!from || !to) return;
      if (to.rank > from.rank) {
        context.report({
          node,
          message: `Dependencies point down: ${from.name} (${rel}) may not import ${to.name} (${target}).`,
        });
      } else if (to.adapter && from.rank >= 18 && from.rank < 60) {
        // Services use ports. Function wiring may translate a Firebase event with its adapter's helpers.
        context.report({
          node,
          message: `${from.name} (${rel}) reaches ${to.name} (${target}) directly: use the port on Deps instead.`,
        });
      }
    });
  },
};

const noCycle = {
  meta: { type: "problem", docs: { description: "No import circles, type-only imports included" } },
  create(context) {
    const reported = new Set();
    return visitImports(context, (root, rel, spec, node) => {
      const target = resolveImport(root, rel, spec);
      if (!target || reported.has(target)) return;
      const back = target === rel ? [rel] : pathBack(root, target, rel);
      if (!back) return;
      reported.add(target);
      context.report({ node, message: `Import circle: ${[rel, ...back].join(" → ")}.` });
    });
  },
};

export default { rules: { layers, "no-cycle": noCycle } };
