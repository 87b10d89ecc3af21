/**
 * The compiled local runtime (`local/lib/main.js`, as `npm start` runs it) as a child
 * process on a free port, for tests that must see what a user sees: a real process that can be killed,
 * restarted on the same data folder, or attacked without taking the test runner down with it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const localDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const runtimeEntry = path.join(localDir, "lib", "main.js");

export interface ChildRuntime {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  readonly output: () => string;
  /** Whether the process is still running. */
  readonly alive: () => boolean;
}

/**
 * Starts the runtime over `dataDir` with `env` on top of this process's environment (a variable set to
 * `undefined` there is left out); resolves once it serves.
 * `launch` may wrap the command (e.g. in a mount namespace); it gets node's path and the entry point.
 */
export async function startChildRuntime(
  dataDir: string,
  env: Record<string, string | undefined> = {},
  launch: (node: string, entry: string) => [string, string[]] = (node, entry) => [node, [entry]],
): Promise<ChildRuntime> {
  if (!fs.existsSync(runtimeEntry))
    throw new Error("local/lib is missing: run `npm run build` (npm test does it first)");
  const [command, args] = launch(process.execPath, runtimeEntry);
  const child = spawn(command, args, {
    env: { ...process.env, ALCHEMIST_DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "WARNING", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runtime did not start:\n${output}`)), 30_000);
    const check = () => {
      const m = /Studio and API\s+(http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the runtime exited (${code}):\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/** Stops the runtime with `signal` (SIGTERM: gracefully; SIGKILL: as a crash would) and waits for it to exit. */
export async function stopChildRuntime(
  runtime: ChildRuntime,
  signal: NodeJS.Signals = "SIGTERM",
): Promise<void> {
  if (!runtime.alive()) return;
  await new Promise<void>((resolve) => {
    runtime.child.once("exit", () => resolve());
    runtime.child.kill(signal);
  });
}
