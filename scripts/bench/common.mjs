// Shared by the bench phases: where the compiled functions are, the shapes of the bench's searches, and the
// compiled local runtime as a child process (as `npm start` runs it).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A module of the compiled functions (`npm run build -w functions` writes functions/lib). */
export const lib = (file) => pathToFileURL(path.join(root, "functions/lib", file)).href;
/** A module of the compiled local runtime and its adapters (`npm run build -w local` writes local/lib). */
export const localLib = (file) => pathToFileURL(path.join(root, "local/lib", file)).href;

export const scopeOf = (kbId) => `tenants/bench/knowledgeBases/${kbId}/chunks`;

/** Candidates per retriever, as the Knowledge Vault's search asks for them (max(50, k × 8)). */
export const candidates = 50;

export const vectorSpec = (kbId, queryVector) => ({
  collection: scopeOf(kbId),
  vectorField: "embedding",
  queryVector,
  limit: candidates,
  distanceMeasure: "COSINE",
});

export const paths = {
  maintained: (dataDir) => path.join(dataDir, "maintained-answers.json"),
};

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Starts the compiled local runtime on a free port with its data in `runtimeDir` and the built-in models
 * (the bench measures the platform, not a provider), plus `env`. Its logs (INFO, as `npm start`) go to a
 * file, so the bench's pipe is never a bottleneck. Answers once the banner names the URL and `ready(log)`
 * holds (e.g. a later banner line is there).
 */
export async function startRuntime(runtimeDir, env = {}, ready = () => true) {
  fs.mkdirSync(runtimeDir, { recursive: true });
  const logFile = path.join(runtimeDir, "runtime.log");
  const out = fs.openSync(logFile, "w");
  const child = spawn(process.execPath, [path.join(root, "local/lib/main.js")], {
    cwd: root,
    env: {
      ...process.env,
      ALCHEMIST_DATA_DIR: runtimeDir,
      PORT: "0",
      HOST: "127.0.0.1",
      OPENAI_API_KEY: "none",
      ...env,
    },
    stdio: ["ignore", out, out],
  });
  fs.closeSync(out);
  let exited = null;
  child.once("exit", (code, signal) => (exited = { code, signal }));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const log = fs.readFileSync(logFile, "utf8");
    const url = /Studio and API\s+(http:\/\/\S+)/.exec(log)?.[1];
    if (url && ready(log)) return { child, url, logFile, log };
    if (exited || Date.now() > deadline)
      throw new Error(`the local runtime did not start (${JSON.stringify(exited)}):\n${log.slice(-2000)}`);
    await sleep(50);
  }
}

/** Stops a runtime started by `startRuntime`: SIGTERM (a graceful shutdown), SIGKILL after 10 s. */
export async function stopRuntime(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
