// What can be deployed and what each changed file reaches. The targets come from firebase.json and
// functions/src/index.ts: one per function group, plus hosting, Firestore rules and indexes, and Storage rules,
// each with a fingerprint of exactly what firebase-tools would upload for it.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DeployError } from "./error.mjs";
import { filesUnder } from "./git.mjs";
import { closureOf, readFunctionGroups, readModuleGraph } from "./graph.mjs";

const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");
const fileDigest = (file) => (fs.existsSync(file) ? sha256(fs.readFileSync(file)) : "missing");
const asList = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Parses a JSON file the deploy depends on, saying which one is broken rather than throwing a parse trace. */
export function readJsonFile(file, what) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new DeployError(`Can't read ${what} (${file}): ${error.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DeployError(`${what} (${file}) is not valid JSON: ${error.message}`);
  }
}

/**
 * The repository's deployable layout, from firebase.json: the functions' source folder (the codebase whose
 * source holds functions/src/index.ts), the studio's folder (the parent of hosting's `public`, web/dist → web)
 * and the rules and index files.
 */
export function readLayout(root) {
  const config = readJsonFile(path.join(root, "firebase.json"), "firebase.json");
  if (config === null || typeof config !== "object" || Array.isArray(config))
    throw new DeployError("firebase.json must hold an object");
  const codebases = asList(config.functions);
  const functions = codebases.find((c) => fs.existsSync(path.join(root, c?.source ?? "", "src", "index.ts")));
  const hosting = asList(config.hosting)[0];
  /** @type {{ target: string, file: string }[]} in the order they deploy: indexes and rules before the code */
  const files = [];
  if (typeof config.firestore?.indexes === "string")
    files.push({ target: "firestore:indexes", file: config.firestore.indexes });
  if (typeof config.firestore?.rules === "string")
    files.push({ target: "firestore:rules", file: config.firestore.rules });
  for (const bucket of asList(config.storage))
    if (typeof bucket?.rules === "string") files.push({ target: "storage", file: bucket.rules });
  return {
    config,
    functionsDir: functions ? path.posix.normalize(functions.source) : null,
    functionsConfig: functions ?? null,
    webDir:
      typeof hosting?.public === "string" ? path.posix.dirname(path.posix.normalize(hosting.public)) : null,
    hostingConfig: hosting ?? null,
    files,
  };
}

const isTest = (file) =>
  /\.(test|spec)\.[cm]?[jt]sx?$/.test(file) ||
  /(^|\/)(testing|__tests__|e2e|hostile)\//.test(file) ||
  /(^|\/)vitest[^/]*\.config\.[cm]?[jt]s$/.test(file) ||
  /(^|\/)src\/test\//.test(file);
const isDocumentation = (file) => /\.(md|mdx)$/i.test(file) || /^docs\//.test(file) || /^LICENSE/.test(file);

/**
 * Which targets a changed file can reach, and why; or why it reaches none. A function group is only a
 * candidate here: its fingerprint decides whether the build really changed.
 * @param {string} file repository-relative path
 * @param {{ layout: ReturnType<typeof readLayout>, reach: Map<string, string[]>, groupTargets: string[] }} ctx
 *   `reach`: source file under functions/src → the group targets whose import closure contains it
 * @returns {{ targets: string[], reason: string } | { ignored: string }}
 */
export function classifyChange(file, { layout, reach, groupTargets }) {
  const fn = layout.functionsDir;
  const web = layout.webDir;
  if (isTest(file)) return { ignored: "a test or test fixture: never deployed" };
  if (isDocumentation(file)) return { ignored: "documentation: never deployed" };
  if (file === "firebase.json") {
    const all = [...layout.files.map((f) => f.target), ...groupTargets, ...(web ? ["hosting"] : [])];
    return {
      targets: [...new Set(all)],
      reason: "Firebase config: each target's section is in its fingerprint",
    };
  }
  const ruleFile = layout.files.filter((f) => path.posix.normalize(f.file) === file);
  if (ruleFile.length > 0) return { targets: ruleFile.map((f) => f.target), reason: "deployed as is" };
  if (fn !== null && file.startsWith(`${fn}/src/`)) {
    const targets = reach.get(file.slice(fn.length + 5)) ?? [];
    if (targets.length === 0) return { ignored: "imported by no deployed function group" };
    return { targets, reason: "in the import closure" };
  }
  if (fn !== null && file === `${fn}/.env.local`)
    return { ignored: "the emulator's settings: never deployed" };
  if (
    fn !== null &&
    (file === `${fn}/package.json` ||
      file === `${fn}/package-lock.json` ||
      /^tsconfig[^/]*\.json$/.test(file.slice(fn.length + 1)) ||
      file === `${fn}/.env` ||
      file.startsWith(`${fn}/.env.`))
  )
    return { targets: groupTargets, reason: "the functions' dependencies, compiler settings or environment" };
  if (file === "package-lock.json" || file === "tsconfig.base.json")
    return {
      targets: [...groupTargets, ...(web ? ["hosting"] : [])],
      reason: "the workspace's lockfile or compiler settings",
    };
  if (web !== null && file.startsWith(`${web}/`))
    return { targets: ["hosting"], reason: "the studio's build input" };
  return { ignored: "not part of any Firebase target" };
}

/**
 * What every function group shares at run time: the dependencies Cloud Build installs (functions/package.json;
 * the functions folder's own lockfile if it has one: the workspace lockfile is not uploaded), the environment
 * files Firebase loads for this project (.env, .env.<project or alias>) and the codebase's firebase.json section.
 */
export function functionsRuntime(root, layout, envNames) {
  const dir = path.join(root, layout.functionsDir);
  const pkg = readJsonFile(path.join(dir, "package.json"), `${layout.functionsDir}/package.json`);
  const env = {};
  for (const name of envNames)
    if (fs.existsSync(path.join(dir, name))) env[name] = fileDigest(path.join(dir, name));
  return {
    package: {
      type: pkg.type ?? null,
      main: pkg.main ?? null,
      engines: pkg.engines ?? null,
      dependencies: pkg.dependencies ?? {},
    },
    lockfile: fs.existsSync(path.join(dir, "package-lock.json"))
      ? fileDigest(path.join(dir, "package-lock.json"))
      : null,
    env,
    config: layout.functionsConfig,
  };
}

/**
 * Every deployable target with its fingerprint, in deploy order (indexes and rules, then the functions, then
 * hosting, whose rewrites point at a function). A group's fingerprint is the sha256 of its compiled closure:
 * each functions/lib module it loads, by a digest blind to comments and layout, plus the shared runtime.
 * Hosting's is the sha256 of the studio's sources (see docs/deploy.md for why not web/dist).
 */
export function readTargets(root, layout, { envNames }) {
  /** @type {{ target: string, fingerprint: string, entry?: string, modules?: number }[]} */
  const targets = [];
  const warnings = [];
  for (const { target, file } of layout.files) {
    const section = target === "storage" ? layout.config.storage : layout.config.firestore;
    targets.push({
      target,
      fingerprint: sha256(JSON.stringify({ file, content: fileDigest(path.join(root, file)), section })),
    });
  }
  let groups = [];
  /** @type {Map<string, string[]>} */
  const reach = new Map();
  let sourceEdges = new Map();
  if (layout.functionsDir !== null) {
    const srcDir = path.join(root, layout.functionsDir, "src");
    const libDir = path.join(root, layout.functionsDir, "lib");
    groups = readFunctionGroups(srcDir);
    const source = readModuleGraph(srcDir, "source");
    sourceEdges = source.edges;
    const built = readModuleGraph(libDir, "built");
    warnings.push(...built.warnings.map((w) => `${layout.functionsDir}/lib/${w}`));
    const runtime = sha256(JSON.stringify(functionsRuntime(root, layout, envNames)));
    for (const group of groups) {
      for (const file of closureOf(source.edges, group.entry))
        reach.set(file, [...(reach.get(file) ?? []), group.target]);
      const entry = group.entry.replace(/\.tsx?$/, ".js");
      if (!built.edges.has(entry))
        throw new DeployError(
          `${layout.functionsDir}/lib/${entry} is missing: build the functions first (drop --no-build)`,
        );
      const modules = closureOf(built.edges, entry);
      const fingerprint = sha256(
        JSON.stringify({ entry, runtime, modules: modules.map((m) => [m, built.digests.get(m)]) }),
      );
      targets.push({ target: group.target, fingerprint, entry, modules: modules.length });
    }
  }
  if (layout.webDir !== null) {
    const publicDir = path.posix.normalize(layout.hostingConfig.public);
    const inputs = filesUnder(root, layout.webDir)
      .filter((f) => !isTest(f) && !isDocumentation(f) && !f.startsWith(`${publicDir}/`))
      .concat(["package-lock.json", "tsconfig.base.json"].filter((f) => fs.existsSync(path.join(root, f))));
    const digest = sha256(
      JSON.stringify({
        config: layout.hostingConfig,
        files: inputs.map((f) => [f, fileDigest(path.join(root, f))]),
      }),
    );
    targets.push({ target: "hosting", fingerprint: digest });
  }
  return { targets, groups, reach, sourceEdges, warnings };
}
