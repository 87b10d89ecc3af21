/**
 * The deps of this process, opened once. In Firebase mode the first call opens the Firebase adapters
 * (lazily, so a cold start pays only for what it opens); the local runtime (the `local/` workspace)
 * and tests open their own and install them with `setDeps` before any function runs.
 */
import { loadConfig, type Config } from "./config.js";
import type { Deps } from "./deps.js";
import { AppError } from "./errors.js";

let current: Promise<Deps> | undefined;

export function getDeps(): Promise<Deps> {
  current ??= build(loadConfig()).catch((e: unknown) => {
    current = undefined; // a failed start (e.g. a bad setting) is retried on the next request
    throw e;
  });
  return current;
}

/** The local runtime and tests install the deps they opened themselves. */
export function setDeps(deps: Deps | undefined): void {
  current = deps ? Promise.resolve(deps) : undefined;
}

async function build(config: Config): Promise<Deps> {
  if (config.mode === "local") {
    // The SQLite adapters are not part of the deployed functions: the local runtime opens them.
    throw new AppError(
      "failed-precondition",
      "local mode runs inside the local runtime (`npm start`), which opens its own deps; set ALCHEMIST_MODE=firebase to run these functions on Firebase",
    );
  }
  const { openFirebaseDeps } = await import("./firebase/deps.js");
  return openFirebaseDeps(config);
}
