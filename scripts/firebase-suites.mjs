#!/usr/bin/env node
// `npm run test:firebase` runs this inside `firebase emulators:exec`: every test suite that talks to a Firebase
// emulator, with ALCHEMIST_REQUIRE_EMULATORS=1 so that a suite whose emulator is not running fails instead of
// skipping itself. Suites are found by the end of their path in whichever workspace holds them, so moving a
// file between folders or workspaces needs no change here; renaming one does (the run fails until it is listed).
// Exits non-zero when a suite fails, is not found, or an emulator it needs is not running.
import fs from "node:fs";
import path from "node:path";
import { runVitest } from "./vitest-run.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/** Each emulator suite: the end of its path, and the variables `firebase emulators:exec` sets for what it needs. */
const suites = [
  { file: "platform/firebase/firestore-docstore.test.ts", needs: ["FIRESTORE_EMULATOR_HOST"] },
  { file: "platform/firebase/storage-blobstore.test.ts", needs: ["FIREBASE_STORAGE_EMULATOR_HOST"] },
  { file: "platform/firebase/cloudtasks-queue.test.ts", needs: ["CLOUD_TASKS_EMULATOR_HOST"] },
  { file: "rules/rules.test.ts", needs: ["FIRESTORE_EMULATOR_HOST", "FIREBASE_STORAGE_EMULATOR_HOST"] },
  { file: "identity/claims-emulator.test.ts", needs: ["FIREBASE_AUTH_EMULATOR_HOST"] },
  { file: "data/firebase/auth-emulator.test.ts", needs: ["FIREBASE_AUTH_EMULATOR_HOST"] },
];

/** Every file under `dir`, as paths relative to it, skipping installed and built folders. */
function filesUnder(dir, prefix = "") {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (["node_modules", "lib", "dist", "coverage"].includes(entry.name)) return [];
    const relative = path.posix.join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(path.join(dir, entry.name), relative) : [relative];
  });
}

const { workspaces = [] } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const candidates = workspaces.flatMap((workspace) =>
  filesUnder(path.join(root, workspace, "src"), "src").map((file) => ({ workspace, file })),
);

let failed = false;
const byWorkspace = new Map();
for (const suite of suites) {
  const found = candidates.filter(({ file }) => file === suite.file || file.endsWith(`/${suite.file}`));
  if (found.length !== 1) {
    const where = found.map(({ workspace, file }) => `${workspace}/${file}`).join(", ");
    console.error(
      `[test:firebase] ${suite.file}: ${found.length === 0 ? "no such test file in any workspace (renamed? update scripts/firebase-suites.mjs)" : `found more than once: ${where}`}`,
    );
    failed = true;
    continue;
  }
  const missing = suite.needs.filter((name) => !process.env[name]);
  if (missing.length > 0) {
    console.error(
      `[test:firebase] ${suite.file}: ${missing.join(" and ")} not set; its emulator is not running (the suite will fail, not skip)`,
    );
    failed = true;
  }
  const [{ workspace, file }] = found;
  byWorkspace.set(workspace, [...(byWorkspace.get(workspace) ?? []), file]);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const [workspace, files] of byWorkspace) {
  console.log(`\n[test:firebase] ${workspace}: ${files.join(" ")}`);
  const { status, counts } = runVitest(path.join(root, workspace), files, {
    ...process.env,
    ALCHEMIST_REQUIRE_EMULATORS: "1",
  });
  if (status !== 0) failed = true;
  if (!counts) {
    console.error(`[test:firebase] ${workspace}: the test run produced no report`);
    failed = true;
    continue;
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  if (counts.failed > 0) failed = true;
}
console.log(`\n[test:firebase] ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
