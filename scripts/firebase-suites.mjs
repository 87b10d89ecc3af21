#!/usr/bin/env node
// Runs inside `firebase emulators:exec` (started by scripts/firebase-emulators.mjs, `npm run test:firebase`):
// 1. every test suite that talks to a Firebase emulator, with ALCHEMIST_REQUIRE_EMULATORS=1 so that a suite
//    whose emulator is not running fails instead of skipping itself;
// 2. the smoke flow (scripts/smoke/flow.mjs) against the built functions in the Functions emulator, over HTTP
//    as a client would, with accounts from the Auth emulator;
// 3. the same flow against local mode (the compiled local runtime), and the two runs compared: every request
//    both made must answer with the same status and the same body shape, but for the differences listed
//    below, each with its reason.
// With ALCHEMIST_FIREBASE_SETUP=small (Firestore from @firestore-emulator/server, no Storage emulator), what
// that setup cannot run is listed by name as not run here, with the reason. Exits non-zero when anything fails.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { firebaseAccounts, localAccounts } from "./smoke/accounts.mjs";
import { compareRuns } from "./smoke/compare.mjs";
import { runFlow } from "./smoke/flow.mjs";
import { runVitest } from "./vitest-run.mjs";
import { startChildRuntime, stopChildRuntime } from "@alchemist/local/testing/child-runtime";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const small = process.env.ALCHEMIST_FIREBASE_SETUP === "small";
const project = process.env.GCLOUD_PROJECT ?? "demo-alchemist";
const region = "us-central1"; // functions/src/platform/params.ts
const emulatorPorts = JSON.parse(fs.readFileSync(path.join(root, "firebase.json"), "utf8")).emulators;

const needsOfficial = {
  firestore:
    "needs the official Firestore emulator (Java 21 and its jar, downloaded on first use); the small server " +
    "runs this contract in `npm test` with its gaps skipped by name",
  storage:
    "needs the Storage emulator, whose rules runtime is a jar that firebase-tools downloads on first use; " +
    "`npm test` runs this contract against the small in-memory Cloud Storage server, which stands in for it here",
  rules: "needs the official Firestore and Storage emulators, which evaluate security rules (jars)",
};

/** Each emulator suite: the end of its path, the variables `firebase emulators:exec` sets for it, and why the small setup skips it. */
const suites = [
  {
    file: "platform/firebase/firestore-docstore.test.ts",
    needs: ["FIRESTORE_EMULATOR_HOST"],
    small: needsOfficial.firestore,
  },
  {
    file: "platform/firebase/storage-blobstore.test.ts",
    needs: ["FIREBASE_STORAGE_EMULATOR_HOST"],
    small: needsOfficial.storage,
  },
  { file: "platform/firebase/cloudtasks-queue.test.ts", needs: ["CLOUD_TASKS_EMULATOR_HOST"] },
  {
    file: "knowledge/dispatch-emulator.test.ts",
    needs: ["CLOUD_TASKS_EMULATOR_HOST", "FIREBASE_EMULATOR_HUB"],
  },
  {
    file: "rules/rules.test.ts",
    needs: ["FIRESTORE_EMULATOR_HOST", "FIREBASE_STORAGE_EMULATOR_HOST"],
    small: needsOfficial.rules,
  },
  { file: "identity/claims-emulator.test.ts", needs: ["FIREBASE_AUTH_EMULATOR_HOST"] },
  { file: "data/firebase/auth-emulator.test.ts", needs: ["FIREBASE_AUTH_EMULATOR_HOST"] },
];

/** Smoke steps the small setup cannot run, and why; they run with `npm run test:firebase -- --official`. */
const smallSetupNotRun = {
  "api-keys":
    "an API key is found by a collection-group query, and @firestore-emulator/server reads collection groups " +
    "from the top-level collection only",
  "grounded-answer": "needs vector search (findNearest), which @firestore-emulator/server ignores",
};

/**
 * Where Firebase mode answers differently from local mode, by design or by the platform, with the reason.
 * Keyed by step and request label. The status must match all the same; `compare` says which part of the
 * body shapes must (none when absent).
 */
/**
 * A body shape's `null` fields read as the type they take once known: a number unless `types` names another
 * (see the monitor's differences below).
 */
const nullAsKnown =
  (types = {}) =>
  (shape) =>
    Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v === "null" ? (types[k] ?? "number") : v]));
/** Shapes once each, in a stable order. */
const distinct = (shapes) => [...new Set(shapes.map((s) => JSON.stringify(s)))].sort();

const knownDifferences = {
  "malformed-body|malformed JSON": {
    reason:
      "Cloud Functions parses a JSON body before the function runs and answers malformed JSON with Express's " +
      "own 400 page; local mode answers the platform's JSON error",
  },
  // The meter is a Firestore trigger, and @firestore-emulator/server delivers none: in this setup nothing is
  // metered, so what metering fills stays empty. The rest of each body must match.
  "billing|the billing overview": {
    reason:
      "the small Firestore server delivers no document triggers, so the meter (billing-meter) does not run here " +
      "and the ledger stays empty; functions/src/billing/firestore-meter.test.ts runs the meter over " +
      "firebase-admin, and the official emulator (--official) delivers the trigger",
    compare: ({ ledger: _ledger, ...rest }) => rest,
  },
  "billing|30 days of usage": {
    reason: "the meter does not run on the small Firestore server (see the overview): no usage by model",
    compare: ({ byModel: _byModel, ...rest }) => rest,
  },
  // Each process writes the minutes it measured every 10 s (platform/metrics): whether the flow's turns are in the
  // stored minutes yet depends on when the step runs in each mode. What is there must have the same shape, a
  // figure that is null (no data yet) counting as the number it becomes. `compare` gets body shapes.
  "monitor|an hour of turns per minute": {
    reason:
      "metrics reach the store with each process's flush (every 10 s), so a minute holds the flow's turns in one " +
      "run and not yet in the other; the points' fields and types must match, null standing for a number",
    compare: ({ points, ...rest }) => ({ ...rest, points: distinct(points.map(nullAsKnown())) }),
  },
  "monitor|the SLA report": {
    reason:
      "the availability is known once a minute with traffic is stored (see the series above): a number in one run " +
      "may still be null in the other, and so may whether the target is met; the rest of the report must match",
    compare: ({ targets, ...rest }) => ({
      ...rest,
      targets: distinct(targets.map(nullAsKnown({ met: "boolean" }))),
    }),
  },
  "health|health": {
    reason:
      "each mode checks its own dependencies (local mode also checks that its data folder takes writes), and " +
      "a check that is not ok says why in `detail`; the rest of /health must match",
    compare: ({ checks, ...rest }) => ({
      ...rest,
      checks: Object.keys(checks)
        .filter((c) => c !== "writes")
        .sort(),
    }),
  },
};

let failed = false;

// ----- 1. the emulator suites -----------------------------------------------------------------------------

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

const byWorkspace = new Map();
const suitesNotRun = [];
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
  if (small && suite.small) {
    suitesNotRun.push(`${suite.file}: not run here: ${suite.small}`);
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

// ----- 2. the smoke flow in Firebase mode --------------------------------------------------------------------

/** The Banking API example firebase-emulators.mjs started for the tool-forge step, if any. */
const bank = process.env.ALCHEMIST_SMOKE_BANK ? JSON.parse(process.env.ALCHEMIST_SMOKE_BANK) : undefined;
const functionsUrl = `http://127.0.0.1:${emulatorPorts.functions.port}/${project}/${region}`;
console.log(`\n[test:firebase] the smoke flow against the Functions emulator (${functionsUrl}/api)`);
const firebaseRun = await runFlow({
  api: `${functionsUrl}/api`,
  accounts: firebaseAccounts({
    webApiKey: "emulator",
    functionsUrl,
    authEmulator: process.env.FIREBASE_AUTH_EMULATOR_HOST,
    projectId: project,
  }),
  expectMode: "firebase",
  notRun: small ? smallSetupNotRun : {},
  bank,
});

// ----- 3. the same flow in local mode, and the comparison --------------------------------------------------

/**
 * The compiled local runtime on a free port over a new data folder (local/src/testing/child-runtime.ts,
 * built with the local workspace), without the emulators' variables: Node leaves out a variable set to undefined.
 */
function startLocalRuntime(dataDir) {
  const unset = Object.fromEntries(
    Object.keys(process.env)
      .filter((name) => /EMULATOR|^FIREBASE_|^GCLOUD_PROJECT$|^GOOGLE_CLOUD_PROJECT$|^CLOUD_/.test(name))
      .map((name) => [name, undefined]),
  );
  return startChildRuntime(dataDir, unset);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-firebase-compare-"));
let localRun;
try {
  const local = await startLocalRuntime(dataDir);
  console.log(`\n[test:firebase] the same flow against local mode (${local.url})`);
  try {
    localRun = await runFlow({
      api: local.url,
      accounts: localAccounts({ apiUrl: local.url }),
      expectMode: "local",
      bank,
    });
  } finally {
    await stopChildRuntime(local);
  }
} catch (e) {
  console.error(`[test:firebase] local mode: ${e.message}`);
  localRun = {
    outcomes: [{ name: "local runtime", result: "failed", reason: e.message.split("\n")[0] }],
    exchanges: [],
  };
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const comparison = compareRuns(firebaseRun, localRun, knownDifferences);
const { differences, known: allowed } = comparison;

// ----- the summary -----------------------------------------------------------------------------------------

const count = (run, result) => run.outcomes.filter((o) => o.result === result).length;
console.log("\n[test:firebase] summary");
console.log(
  `  emulator suites: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped${suitesNotRun.length ? `; ${suitesNotRun.length} not run here:` : ""}`,
);
for (const line of suitesNotRun) console.log(`    - ${line}`);
console.log(
  `  smoke flow, Firebase mode: ${count(firebaseRun, "passed")} passed, ${count(firebaseRun, "failed")} failed, ${count(firebaseRun, "not run")} not run here`,
);
for (const o of firebaseRun.outcomes.filter((o) => o.result !== "passed"))
  console.log(
    `    ${o.result === "failed" ? "✗" : "-"} ${o.name}: ${o.result === "failed" ? "" : "not run here: "}${o.reason}`,
  );
console.log(
  `  smoke flow, local mode: ${count(localRun, "passed")} passed, ${count(localRun, "failed")} failed`,
);
for (const o of localRun.outcomes.filter((o) => o.result === "failed"))
  console.log(`    ✗ ${o.name}: ${o.reason}`);
console.log(
  `  the two modes compared: ${comparison.requests} requests in ${comparison.steps.size} steps, ${differences.length} unexplained differences, ${allowed.length} known`,
);
for (const line of allowed) console.log(`    ~ ${line}`);
for (const line of differences) console.log(`    ✗ ${line}`);
if (small)
  console.log(
    "  Not run here is run by `npm run test:firebase -- --official` (Java 21; the official emulators), as the GitHub workflow does.",
  );

if (count(firebaseRun, "failed") > 0 || count(localRun, "failed") > 0 || differences.length > 0)
  failed = true;

// For `npm test`'s one line of counts: tests and flow steps alike; what is not run here counts as skipped.
if (process.env.ALCHEMIST_FIREBASE_COUNTS) {
  const counts = {
    passed:
      totals.passed +
      count(firebaseRun, "passed") +
      count(localRun, "passed") +
      (differences.length === 0 ? 1 : 0),
    failed:
      totals.failed +
      count(firebaseRun, "failed") +
      count(localRun, "failed") +
      (differences.length > 0 ? 1 : 0),
    skipped:
      totals.skipped + suitesNotRun.length + count(firebaseRun, "not run") + count(localRun, "not run"),
  };
  fs.writeFileSync(process.env.ALCHEMIST_FIREBASE_COUNTS, JSON.stringify(counts));
}
process.exit(failed ? 1 : 0);
