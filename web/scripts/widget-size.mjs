// Prints the built widget's size and fails the build when it is over budget: the widget loads on
// customers' pages, for every visitor, before anyone opens it. Run by `npm run build` after the widget build.
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const budgetBytes = 25 * 1024;
const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "widget.js");

if (!fs.existsSync(file)) {
  process.stderr.write(
    `widget-size: ${file} is missing: run \`vite build -c vite.widget.config.ts\` first\n`,
  );
  process.exit(1);
}
const source = fs.readFileSync(file);
const gzipped = gzipSync(source, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
process.stdout.write(
  `widget.js: ${kb(source.length)} raw, ${kb(gzipped)} gzipped (budget ${kb(budgetBytes)} gzipped)\n`,
);
if (gzipped > budgetBytes) {
  process.stderr.write(`widget-size: widget.js is ${kb(gzipped - budgetBytes)} over its budget\n`);
  process.exit(1);
}
