/**
 * `npm run eval` (scripts/eval.mjs) as a pipeline runs it: a child process talking to the local platform over
 * REST with an API key from the environment. It uploads a file dataset once, runs it, prints the scores and
 * exits 0 when the thresholds are met, 1 when one is not, 2 when it cannot run as asked.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { setUpAgents, vacationQuestion } from "../channels/openai/testing/fixture.js";

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../scripts/eval.mjs");
let platform: TestPlatform;
let hr: string;
let dir: string;

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  ({
    agents: { hr },
  } = await setUpAgents(platform));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-eval-cli-"));
}, 120_000);

afterAll(async () => {
  await platform?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the script without blocking this process (the platform answers it from here). */
function evalCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      {
        env: {
          PATH: process.env.PATH ?? "",
          ALCHEMIST_URL: platform.url,
          ALCHEMIST_API_KEY: platform.keys.editor,
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const write = (name: string, text: string): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};

describe("npm run eval", () => {
  it("passes when the thresholds are met, printing the scores, and reuses the uploaded file", async () => {
    const file = write(
      "golden.csv",
      [
        "question,expected_facts,should_abstain",
        `${vacationQuestion},25 vacation days,no`,
        "Who is the chief executive of the company?,,yes",
      ].join("\n"),
    );
    const args = ["--agent", hr, "--dataset", file, "--min-accuracy", "0.8", "--max-ece", "0.9"];
    const first = await evalCli(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      /^Eval run \S+: dataset golden\.csv \(\w{12}\) \(2 items, revision 1\) against agent \S+, version 1/,
    );
    expect(first.stdout).toMatch(/accuracy\s+1\.000\s+≥ 0\.800\s+ok/);
    expect(first.stdout).toMatch(/items\s+2 correct of 2, 0 failed turn\(s\)/);
    expect(first.stderr).toMatch(/2 items uploaded/);
    expect(first.stderr).toMatch(/completed: 2\/2 items/);
    expect(first.stderr).toMatch(/PASSED/);
    const again = await evalCli([...args, "--version", "1", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/uploaded before \(2 items\)/);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "completed", scores: { accuracy: 1 } });
  });

  it("exits 1 when a threshold is not met, naming it", async () => {
    const file = write(
      "strict.jsonl",
      [
        JSON.stringify({ question: vacationQuestion, expectedFacts: ["25 vacation days"] }),
        JSON.stringify({ question: vacationQuestion, expectedFacts: ["30 vacation days"] }),
      ].join("\n"),
    );
    const result = await evalCli([
      "--agent",
      hr,
      "--dataset",
      file,
      "--min-accuracy",
      "0.8",
      "--version",
      "draft",
    ]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/accuracy\s+0\.500\s+≥ 0\.800\s+FAIL/);
    expect(result.stderr).toMatch(/FAILED: accuracy 0\.500 is below --min-accuracy 0\.8/);
  });

  it("exits 2 on usage and setup errors, saying what is wrong", async () => {
    const missing = await evalCli(["--dataset", "x.csv"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^--agent is required/);
    const ratio = await evalCli(["--agent", hr, "--dataset", "abc", "--min-accuracy", "80"]);
    expect(ratio.code).toBe(2);
    expect(ratio.stderr).toMatch(/--min-accuracy must be between 0 and 1, not 80/);
    const noKey = await evalCli(["--agent", hr, "--dataset", "abc"], { ALCHEMIST_API_KEY: "" });
    expect(noKey.stderr).toMatch(/An API key is required/);
    expect(noKey.code).toBe(2);
    const badKey = await evalCli(["--agent", hr, "--dataset", "abc", "--key", "not-a-key"]);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/HTTP 401/);
    const unknown = await evalCli(["--agent", hr, "--dataset", "nosuchdataset"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Starting the run failed: HTTP 404: Dataset nosuchdataset not found/);
    const invalid = write("broken.csv", "question,should_abstain\nFine?,yes\nWrong?,perhaps\n");
    const refused = await evalCli(["--agent", hr, "--dataset", invalid]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/line 3, should_abstain: "perhaps" is not true or false/);
    // The refused upload left no empty dataset behind.
    const listed = (await (await platform.fetch("/v1/eval/datasets")).json()) as {
      datasets: { name: string }[];
    };
    expect(listed.datasets.some((d) => d.name.startsWith("broken.csv"))).toBe(false);
    const unreachable = await evalCli(["--agent", hr, "--dataset", "abc", "--url", "http://127.0.0.1:9"]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/Cannot reach the platform at http:\/\/127\.0\.0\.1:9/);
  });
});
