// Module hooks that let a worker thread run the TypeScript sources, as Vitest runs the rest of the tests:
// `./x.js` imports of a `.ts` module resolve to `./x.ts`, and `.ts` files are compiled on load with the
// project's own TypeScript (transpile only, as `isolatedModules` allows). Used only when the parse pool
// itself was loaded from `src/` (under Vitest); the built runtime starts `lib/.../worker.js` directly.
import fs from "node:fs";
import { URL, fileURLToPath } from "node:url";

let ts;

export async function resolve(specifier, context, next) {
  const parent = context.parentURL ?? "";
  if (parent.endsWith(".ts") && specifier.startsWith(".") && specifier.endsWith(".js")) {
    const url = new URL(specifier, parent);
    if (!fs.existsSync(fileURLToPath(url))) {
      const source = new URL(specifier.replace(/\.js$/, ".ts"), parent);
      if (fs.existsSync(fileURLToPath(source))) return { url: source.href, shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return next(url, context);
  ts ??= (await import("typescript")).default;
  const { outputText } = ts.transpileModule(fs.readFileSync(fileURLToPath(url), "utf8"), {
    fileName: fileURLToPath(url),
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      sourceMap: false,
      inlineSourceMap: true,
    },
  });
  return { format: "module", source: outputText, shortCircuit: true };
}
