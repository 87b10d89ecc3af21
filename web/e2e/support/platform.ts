/**
 * The real platform for end-to-end tests, started as `npm start` starts it: the compiled local runtime
 * (local/lib/main.js) from the repository root, serving the built studio (web/dist), but on
 * a free port and a fresh temporary data folder. Resolves once it is up, has printed the demo studio sign-in,
 * and the demo knowledge base is indexed; `stop()` ends it and removes the folder.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const runtimeEntry = path.join(repoRoot, "local", "lib", "main.js");
export const studioIndex = path.join(repoRoot, "web", "dist", "index.html");

/** What a test needs to reach the running platform (serializable: it crosses from global setup to tests). */
export interface PlatformInfo {
  readonly url: string;
  readonly dataDir: string;
  /** The demo owner's studio sign-in, as printed by the runtime. */
  readonly account: { readonly email: string; readonly password: string };
  /** An owner API key of the demo workspace, for checks made outside the browser. */
  readonly apiKey: string;
  readonly tenantId: string;
  readonly demo: { readonly knowledgeBaseId: string; readonly agentId: string };
}

export interface RunningPlatform extends PlatformInfo {
  /** The runtime's stdout and stderr so far. */
  readonly output: () => string;
  readonly stop: () => Promise<void>;
}

interface CredentialsFile {
  readonly tenantId: string;
  readonly apiKey: string;
  readonly account?: { readonly email: string; readonly password: string };
  readonly demo?: { readonly knowledgeBaseIds: string[]; readonly agentIds: string[] };
}

/** Why the platform cannot start from this checkout, or undefined when both builds are there. */
export function missingBuild(): string | undefined {
  if (!fs.existsSync(runtimeEntry))
    return "local/lib is missing: run `npm run build` first (npm test and test:e2e do it)";
  if (!fs.existsSync(studioIndex))
    return "web/dist is missing: run `npm run build -w web` first (npm test and test:e2e do it)";
  return undefined;
}

/** A port nobody listens on right now (the runtime needs it up front: its allowed origins name it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const children = new Set<ChildProcess>();
// Whatever happens to the test process, the runtime does not outlive it.
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(5_000)]);
    }
  }
  children.delete(child);
}

async function apiGet<T>(url: string, apiKey: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Waits until every document of a knowledge base is ready (the demo is ingested in the background). */
export async function waitForDocumentsReady(
  info: Pick<PlatformInfo, "url" | "apiKey">,
  kbId: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { documents } = await apiGet<{ documents: { name: string; status: string; error?: string }[] }>(
      `${info.url}/v1/knowledge-bases/${encodeURIComponent(kbId)}/documents`,
      info.apiKey,
    );
    const failed = documents.find((d) => d.status === "failed");
    if (failed) throw new Error(`document ${failed.name} failed to ingest: ${failed.error ?? "no reason"}`);
    if (documents.length > 0 && documents.every((d) => d.status === "ready")) return;
    if (Date.now() > deadline)
      throw new Error(
        `documents not ready after ${timeoutMs} ms: ${documents.map((d) => `${d.name} ${d.status}`).join(", ")}`,
      );
    await sleep(200);
  }
}

/**
 * Starts one platform. `env` adds to or overrides its environment: a test that needs another model than the
 * built-in ones (`OPENAI_API_KEY`, `OPENAI_BASE_URL`) or an operator setting starts its own platform with it.
 */
export async function startPlatform(env: Readonly<Record<string, string>> = {}): Promise<RunningPlatform> {
  const problem = missingBuild();
  if (problem) throw new Error(problem);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-studio-e2e-"));
  const port = await freePort();
  const child = spawn(process.execPath, [runtimeEntry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      ALCHEMIST_DATA_DIR: dataDir,
      // The built-in models, whatever the developer's shell has: answers must come from the demo handbook.
      OPENAI_API_KEY: "none",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "WARNING",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = `exit code ${code}, signal ${signal}`));

  const stop = async () => {
    await stopChild(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // The banner comes last, once the host listens and the demo workspace exists.
    const deadline = Date.now() + 60_000;
    let url: string | undefined;
    let signIn: RegExpExecArray | null = null;
    while (!url || !signIn) {
      url = /Studio and API\s+(http:\/\/\S+)/.exec(output)?.[1];
      signIn = /Studio sign-in\s+(\S+) \/ (\S+)/.exec(output);
      if (exited) throw new Error(`the local runtime stopped (${exited}):\n${output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`the local runtime did not start:\n${output.slice(-3000)}`);
      await sleep(50);
    }
    const credentials = JSON.parse(
      fs.readFileSync(path.join(dataDir, "credentials.json"), "utf8"),
    ) as CredentialsFile;
    const knowledgeBaseId = credentials.demo?.knowledgeBaseIds[0];
    const agentId = credentials.demo?.agentIds[0];
    if (!knowledgeBaseId || !agentId) throw new Error("the runtime seeded no demo knowledge base and agent");
    const account = { email: signIn[1]!, password: signIn[2]! };
    if (credentials.account && credentials.account.password !== account.password)
      throw new Error("the printed studio sign-in differs from credentials.json");

    const health = await fetch(`${url}/health`);
    if (!health.ok) throw new Error(`GET /health: ${health.status}`);
    const studio = await fetch(`${url}/agents`);
    const page = await studio.text();
    if (!studio.ok || !page.includes('<div id="root">'))
      throw new Error(`the runtime does not serve the studio at /agents (${studio.status})`);

    const info: PlatformInfo = {
      url,
      dataDir,
      account,
      apiKey: credentials.apiKey,
      tenantId: credentials.tenantId,
      demo: { knowledgeBaseId, agentId },
    };
    await waitForDocumentsReady(info, knowledgeBaseId);
    return { ...info, output: () => output, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
