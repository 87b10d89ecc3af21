#!/usr/bin/env node
// `npm test`: builds what the tests run against, runs every workspace's Vitest suite offline, the studio's
// end-to-end suite and Firebase mode under the emulators (`npm run test:firebase`), and ends with one plain line `N passed, N failed, N skipped` summed over all of them.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runVitest } from "./vitest-run.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: "inherit", env: process.env });
  return result.status ?? 1;
}

// The manifest and end-to-end tests load the compiled functions (as firebase-tools and `npm start` do).
if (run("npm", ["run", "build", "-w", "functions", "-w", "local"], root) !== 0) {
  console.log("0 passed, 1 failed");
  process.exit(1);
}

// Every workspace's Vitest suite, then the studio's end-to-end suite (Playwright with Debian's Chromium against
// the real platform; it serves web/dist, so the web app is built first). Without Chromium the e2e tests
// report themselves skipped, with the reason, and count as skipped.
const suites = [
  { name: "functions", cwd: path.join(root, "functions"), args: [] },
  { name: "local", cwd: path.join(root, "local"), args: [] },
  // The example banking service (examples/banking-api), type-checked first: no root build or typecheck covers it.
  {
    name: "banking-api",
    cwd: path.join(root, "examples", "banking-api"),
    args: [],
    prepare: ["npm", ["run", "typecheck", "-w", "examples/banking-api"], root],
  },
  // Attacks on the built runtime as a child process, alone, since they measure its latency (test:hostile).
  { name: "hostile", cwd: path.join(root, "functions"), args: ["-c", "vitest.hostile.config.ts"] },
  { name: "web", cwd: path.join(root, "web"), args: [] },
  // The repository's tooling: the lint rules that keep the layers one-way (scripts/lint), each refusing the
  // violations it exists for, and the smoke flow's own logic (scripts/smoke).
  { name: "scripts", cwd: root, args: ["-c", "scripts/vitest.config.mjs"] },
  {
    name: "web-e2e",
    cwd: path.join(root, "web"),
    args: ["-c", "vitest.e2e.config.ts"],
    prepare: ["npm", ["run", "build", "-w", "web"], root],
  },
  // Firebase mode: the built functions under firebase-tools' emulators, driven over HTTP like a client, and
  // compared with local mode (scripts/firebase-emulators.mjs).
  { name: "firebase", firebase: true },
];
let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
for (const suite of suites) {
  if (suite.firebase) {
    // Firebase mode under the Functions, Auth and Cloud Tasks emulators (npm run test:firebase).
    const countsFile = path.join(os.tmpdir(), `alchemist-firebase-counts-${process.pid}.json`);
    const status = spawnSync(
      process.execPath,
      [path.join(root, "scripts", "firebase-emulators.mjs"), "test", "--built"],
      {
        cwd: root,
        stdio: "inherit",
        env: { ...process.env, ALCHEMIST_FIREBASE_COUNTS: countsFile },
      },
    ).status;
    if (status !== 0) exitCode = 1;
    if (!fs.existsSync(countsFile)) {
      console.error(`[${suite.name}] the run produced no counts`);
      failed += 1;
      continue;
    }
    const counts = JSON.parse(fs.readFileSync(countsFile, "utf8"));
    fs.rmSync(countsFile);
    passed += counts.passed;
    failed += counts.failed;
    skipped += counts.skipped;
    continue;
  }
  if (suite.prepare && run(...suite.prepare) !== 0) {
    console.error(`[${suite.name}] not run: \`${suite.prepare[0]} ${suite.prepare[1].join(" ")}\` failed`);
    failed += 1;
    continue;
  }
  const { status, counts } = runVitest(suite.cwd, suite.args);
  if (status !== 0) exitCode = 1;
  if (!counts) {
    console.error(`[${suite.name}] the test run produced no report`);
    failed += 1;
    continue;
  }
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : exitCode);
