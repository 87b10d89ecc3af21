/**
 * The local runtime's last guard, in a process of its own (an uncaught exception in the test runner would
 * be the runner's business): functions that throw outside their promise, or leave a rejection unhandled,
 * cost their own request a 500 with its request id, and the runtime keeps serving everyone else.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const lib = (workspace: "functions" | "local", file: string) =>
  pathToFileURL(path.join(root, workspace, "lib", file)).href;

const script = `
import { onRequest } from "firebase-functions/v2/https";
const { loadConfig } = await import(${JSON.stringify(lib("functions", "platform/config.js"))});
const { setDeps } = await import(${JSON.stringify(lib("functions", "platform/process-deps.js"))});
const { openLocalDeps } = await import(${JSON.stringify(lib("local", "adapters/deps.js"))});
const { startHost } = await import(${JSON.stringify(lib("local", "runtime/host.js"))});
const { authenticate } = await import(${JSON.stringify(lib("functions", "identity/authenticate.js"))});
const config = loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: process.argv[1], PORT: "0" });
const deps = await openLocalDeps(config);
setDeps(deps);
const exports = {
  // A stray callback throws after the handler returned: no promise of the request can catch it.
  strayThrow: onRequest((req, res) => { setTimeout(() => { throw new Error("a stray callback failed"); }, 1); }),
  strayRejection: onRequest((req, res) => { Promise.reject(new Error("nobody awaited this")); }),
  ok: onRequest((req, res) => { res.json({ ok: true, requestId: req.header("x-request-id") ?? null }); }),
};
const host = await startHost({ deps, authenticate, exports, rewrites: [], bucket: "demo-alchemist.appspot.com" });
process.stdout.write("LISTENING " + host.url + "\\n");
`;

let child: ChildProcess;
let url: string;
let output = "";
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-guard-"));

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, "local", "lib", "runtime", "host.js")))
    throw new Error("local/lib is missing: run `npm run build` (npm test does it first)");
  child = spawn(process.execPath, ["--input-type=module", "-e", script, dataDir], {
    cwd: path.join(root, "local"),
    env: {
      ...process.env,
      GCLOUD_PROJECT: "demo-alchemist",
      FIREBASE_CONFIG: JSON.stringify({
        projectId: "demo-alchemist",
        storageBucket: "demo-alchemist.appspot.com",
      }),
      LOG_LEVEL: "ERROR",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host did not start:\n${output}`)), 30_000);
    child.stdout!.on("data", () => {
      const m = /LISTENING (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once("exit", (code) => reject(new Error(`the host exited (${code}):\n${output}`)));
  });
});

afterAll(() => {
  child?.kill("SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const fn = (name: string) => `${url}/demo-alchemist/us-central1/${name}`;

describe("the local runtime's process guard", () => {
  it("answers a request whose callback throws with a 500 naming it, and keeps serving", async () => {
    const res = await fetch(fn("strayThrow"), { headers: { "x-request-id": "req-stray-1" } });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("req-stray-1");
    expect(child.exitCode).toBeNull();
    expect((await fetch(fn("ok"))).status).toBe(200);
    const logged = output
      .split("\n")
      .filter((l) => l.includes("an uncaught exception"))
      .map((l) => JSON.parse(l) as { requestId: string | null; err: { message: string } });
    expect(logged).toContainEqual(
      expect.objectContaining({
        requestId: "req-stray-1",
        err: expect.objectContaining({ message: "a stray callback failed" }),
      }),
    );
  });

  it("answers a request that leaves a rejection unhandled with a 500, and keeps serving", async () => {
    const res = await fetch(fn("strayRejection"), { headers: { "x-request-id": "req-stray-2" } });
    expect(res.status).toBe(500);
    expect(child.exitCode).toBeNull();
    const again = await Promise.all(Array.from({ length: 5 }, () => fetch(fn("ok"))));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(output).toContain("an unhandled promise rejection");
  });

  it("gives a request without an id one, and hands the function that same id", async () => {
    const generated = (await (await fetch(fn("ok"))).json()) as { requestId: string | null };
    expect(generated.requestId).toMatch(/^[A-Za-z0-9]{20}$/);
    const kept = (await (
      await fetch(fn("ok"), { headers: { "x-request-id": "req-from-client" } })
    ).json()) as {
      requestId: string;
    };
    expect(kept.requestId).toBe("req-from-client");
  });
});
