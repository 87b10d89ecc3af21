// The functions' import graph, read from the code itself: which function groups `functions/src/index.ts`
// exports, which source files each group's code reaches (to explain a change), and which compiled files of
// `functions/lib` each group loads (to fingerprint what would actually be deployed).
//
// Files are parsed with TypeScript's parser (the workspace's own `typescript`), so every form of import counts:
// `import … from`, `export … from` (including `export * as x from`), `import("./x.js")` with a literal, and
// `new URL("./worker.js", import.meta.url)` (a worker thread's entry). Only relative specifiers are followed;
// npm packages are covered by functions/package.json, which every group's fingerprint includes.
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { DeployError } from "./error.mjs";

const ts = createRequire(import.meta.url)("typescript");

/** Every file under `dir` (relative, with `/`) whose name passes `keep`; node_modules skipped. */
export function listFiles(dir, keep) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) =>
      path
        .relative(dir, path.join(d.parentPath ?? d.path, d.name))
        .split(path.sep)
        .join("/"),
    )
    .filter((rel) => !rel.split("/").includes("node_modules") && keep(rel))
    .sort();
}

/** Parses a module (TypeScript or JavaScript by its extension). */
function parse(fileName, text) {
  const kind = /\.tsx$/.test(fileName)
    ? ts.ScriptKind.TSX
    : /\.ts$/.test(fileName)
      ? ts.ScriptKind.TS
      : ts.ScriptKind.JS;
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
}

const literalText = (node) =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : null;

const isImportMetaUrl = (node) =>
  node !== undefined &&
  ts.isPropertyAccessExpression(node) &&
  node.name.text === "url" &&
  ts.isMetaProperty(node.expression) &&
  node.expression.keywordToken === ts.SyntaxKind.ImportKeyword;

/**
 * The module specifiers a file loads, and the dynamic imports whose target can't be known statically
 * (reported as warnings: the closure would miss what they load).
 * @returns {{ specifiers: string[], opaque: number[] }} `opaque`: 1-based line numbers
 */
export function moduleSpecifiers(sourceFile) {
  const specifiers = [];
  const opaque = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const spec = literalText(node.moduleSpecifier);
      if (spec !== null) specifiers.push(spec);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const spec = literalText(node.arguments[0]);
      if (spec !== null) specifiers.push(spec);
      else opaque.push(sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1);
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === "URL" &&
      isImportMetaUrl(node.arguments?.[1])
    ) {
      const spec = literalText(node.arguments[0]);
      if (spec !== null && spec.startsWith(".")) specifiers.push(spec);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { specifiers, opaque };
}

/**
 * A digest of what a compiled module does, blind to comments and layout: its syntax tree (node kinds and token
 * texts, JSDoc left out) hashed. A comment or a reformatting (trailing commas included: `[a, b,]` is `[a, b]`;
 * a hole stays an explicit node) leaves it unchanged; any change to the code, even one a semicolon-insertion
 * rule decides (`return\nx`), changes the tree and so the digest.
 */
export function codeDigest(sourceFile) {
  const hash = crypto.createHash("sha256");
  const walk = (node) => {
    if (node.kind >= ts.SyntaxKind.FirstJSDocNode && node.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const children = [...node.getChildren(sourceFile)];
    if (node.kind === ts.SyntaxKind.SyntaxList && children.at(-1)?.kind === ts.SyntaxKind.CommaToken)
      children.pop();
    if (children.length === 0) {
      hash.update(`${ts.SyntaxKind[node.kind]}:${node.getText(sourceFile)}\0`);
      return;
    }
    hash.update(`(${ts.SyntaxKind[node.kind]}\0`);
    for (const child of children) walk(child);
    hash.update(")\0");
  };
  walk(sourceFile);
  return hash.digest("hex");
}

/** Where a relative specifier of a source file points, the way tsc (NodeNext) resolves it: `./x.js` is `./x.ts`. */
export function resolveSource(fromRel, spec, files) {
  if (!spec.startsWith(".")) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  const candidates = /\.m?js$/.test(base)
    ? [base.replace(/\.m?js$/, ".ts"), base.replace(/\.m?js$/, ".tsx"), base]
    : /\.tsx?$/.test(base)
      ? [base]
      : [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, base];
  return candidates.find((c) => files.has(c)) ?? null;
}

/** Where a relative specifier of a compiled file points, the way Node's ESM loader does (exact file names). */
export function resolveBuilt(fromRel, spec, files) {
  if (!spec.startsWith(".")) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  return [base, `${base}.js`, `${base}/index.js`].find((c) => files.has(c)) ?? null;
}

/**
 * The import graph of a folder of modules.
 * @param {string} dir
 * @param {"source" | "built"} kind `source`: functions/src (*.ts); `built`: functions/lib (*.js, with digests)
 * @returns {{ edges: Map<string, string[]>, digests: Map<string, string>, warnings: string[] }}
 */
export function readModuleGraph(dir, kind) {
  const list = listFiles(dir, (rel) =>
    kind === "source" ? /\.tsx?$/.test(rel) && !rel.endsWith(".d.ts") : /\.m?js$/.test(rel),
  );
  const files = new Set(list);
  const resolve = kind === "source" ? resolveSource : resolveBuilt;
  const edges = new Map();
  const digests = new Map();
  const warnings = [];
  for (const rel of list) {
    const sourceFile = parse(rel, fs.readFileSync(path.join(dir, rel), "utf8"));
    const { specifiers, opaque } = moduleSpecifiers(sourceFile);
    const deps = [];
    for (const spec of specifiers) {
      const target = resolve(rel, spec, files);
      if (target !== null && !deps.includes(target)) deps.push(target);
    }
    edges.set(rel, deps);
    if (kind === "built") {
      digests.set(rel, codeDigest(sourceFile));
      for (const line of opaque)
        warnings.push(
          `${rel}:${line} imports a computed module name: the fingerprint can't see what it loads`,
        );
    }
  }
  return { edges, digests, warnings };
}

/** Every module `entry` reaches, itself included (sorted). */
export function closureOf(edges, entry) {
  const seen = new Set();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop();
    if (seen.has(file) || !edges.has(file)) continue;
    seen.add(file);
    stack.push(...edges.get(file));
  }
  return [...seen].sort();
}

/** The modules in dependency order (a module after everything it imports; import circles broken arbitrarily). */
export function dependencyOrder(edges) {
  const order = [];
  const state = new Map();
  const visit = (file) => {
    if (state.has(file)) return;
    state.set(file, "visiting");
    for (const dep of edges.get(file) ?? []) visit(dep);
    order.push(file);
  };
  for (const file of [...edges.keys()].sort()) visit(file);
  return order;
}

/**
 * The deployable units `functions/src/index.ts` declares, in its order: a group (`export * as agents from
 * "./agents/functions.js"`, deployed as `functions:agents`) or a single function (`export { api } from
 * "./channels/functions.js"`, deployed as `functions:api`). Anything else in the file is refused: firebase-tools
 * could only target it by names this script can't see.
 * @returns {{ name: string, target: string, entry: string }[]} `entry`: the module's path under functions/src
 */
export function readFunctionGroups(srcDir) {
  const indexPath = path.join(srcDir, "index.ts");
  if (!fs.existsSync(indexPath))
    throw new DeployError(`${indexPath} is missing: it lists every deployed function group`);
  const files = new Set(listFiles(srcDir, (rel) => /\.tsx?$/.test(rel)));
  const sourceFile = parse("index.ts", fs.readFileSync(indexPath, "utf8"));
  const groups = [];
  for (const statement of sourceFile.statements) {
    const line = sourceFile.getLineAndCharacterOfPosition(statement.getStart(sourceFile)).line + 1;
    const where = `functions/src/index.ts:${line}`;
    if (ts.isImportDeclaration(statement) || (ts.isExportDeclaration(statement) && statement.isTypeOnly))
      continue;
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !statement.exportClause)
      throw new DeployError(
        `${where}: expected \`export * as <group> from "./<service>/functions.js"\` or \`export { name } from …\`; ` +
          "index.ts must stay a table of contents so each group can be deployed by name",
      );
    const spec = literalText(statement.moduleSpecifier);
    const entry = spec === null ? null : resolveSource("index.ts", spec, files);
    if (entry === null) throw new DeployError(`${where}: can't find the module ${spec}`);
    const names = ts.isNamespaceExport(statement.exportClause)
      ? [statement.exportClause.name.text]
      : statement.exportClause.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text);
    for (const name of names) groups.push({ name, target: `functions:${name}`, entry });
  }
  if (groups.length === 0) throw new DeployError("functions/src/index.ts exports no function group");
  return groups;
}
