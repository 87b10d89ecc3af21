// One Vitest run as the repository's scripts count it (`npm test`, `npm run test:firebase`).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Runs `npx vitest run …args` in `cwd` with the default reporter on screen and a JSON report on the side.
 * Answers the exit status and the counts, or `counts: null` when the run wrote no report. A test file that
 * failed to load has no tests to count: each such file counts as one failure.
 */
export function runVitest(cwd, args, env = process.env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-vitest-"));
  const report = path.join(dir, "report.json");
  try {
    const result = spawnSync(
      "npx",
      ["vitest", "run", ...args, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`],
      { cwd, stdio: "inherit", env },
    );
    const status = result.status ?? 1;
    if (!fs.existsSync(report)) return { status, counts: null };
    const json = JSON.parse(fs.readFileSync(report, "utf8"));
    const unloaded = json.numFailedTests === 0 ? json.numFailedTestSuites : 0;
    return {
      status,
      counts: {
        passed: json.numPassedTests,
        failed: json.numFailedTests + unloaded,
        skipped: json.numPendingTests + json.numTodoTests,
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
