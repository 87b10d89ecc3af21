#!/usr/bin/env node
// Firebase mode on the Firebase emulators, on any machine with Node alone.
//
//   npm run test:firebase   (this script's `test`): builds the functions as `firebase deploy` would ship them
//                           (firebase.json's predeploy), then runs scripts/firebase-suites.mjs inside
//                           `firebase emulators:exec`: the emulator test suites, the smoke flow over HTTP, and
//                           the same flow in local mode to compare.
//   npm run emulators       (`start`): the same emulators, left running, to try Firebase mode by hand.
//
// firebase-tools is pinned in package.json, so nothing is fetched at run time. Two setups:
// - default: the Functions, Auth and Cloud Tasks emulators (no Java), and Firestore served by
//   @firestore-emulator/server, a small Node implementation of Firestore's gRPC API started here. What it lacks
//   (collection-group queries, vector search, …) and what needs the Storage emulator is listed by name as not
//   run here, with the reason.
// - `--official`: the official Firestore and Storage emulators as well (they need Java 21 and download their
//   jars on first use); everything runs. The GitHub workflow (.github/workflows/firebase-emulators.yml) runs this.
import { randomBytes } from "node:crypto";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [command = "test", ...flags] = process.argv.slice(2);
if (command !== "test" && command !== "start") {
  console.error("usage: node scripts/firebase-emulators.mjs test|start [--official] [--built]");
  process.exit(2);
}
const official = flags.includes("--official");
const emulatorPorts = JSON.parse(fs.readFileSync(path.join(root, "firebase.json"), "utf8")).emulators;
const project = "demo-alchemist";
const tag = command === "test" ? "[test:firebase]" : "[emulators]";

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`${tag} ${command} ${args.join(" ")} failed`);
    process.exit(result.status ?? 1);
  }
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// The functions as deployed (lib/, from firebase.json's predeploy), and the local runtime the same flow is
// compared with. `--built`: `npm test` has just built them.
if (!flags.includes("--built")) run("npm", ["run", "build", "-w", "functions", "-w", "local"]);

const env = {
  ...process.env,
  // firebase-tools asks nothing and checks for no update when it runs unattended.
  CI: "1",
  NO_UPDATE_NOTIFIER: "1",
  ALCHEMIST_FIREBASE_SETUP: official ? "official" : "small",
};
// WhatsApp in both runs of the smoke flow: replies go to a stand-in for Meta's Graph API, and the numbers'
// secrets are sealed with a key made for this run (Firebase mode has no key file; the operator sets it).
const graph = await (await import("./smoke/fake-graph.mjs")).startFakeGraph();
env.WHATSAPP_GRAPH_URL = graph.url;
env.ALCHEMIST_SECRETS_KEY ??= randomBytes(32).toString("base64url");
// Tool Forge in both runs: the Banking API example (built here: a few seconds of tsc) on 127.0.0.1, which tools
// may reach only with the operator's loopback allowance, set for this run alone.
run("npm", ["run", "build", "-w", "examples/banking-api"]);
const exampleLib = (file) => pathToFileURL(path.join(root, "examples", "banking-api", "lib", file)).href;
const bank = await (await import(exampleLib("service.js"))).startBank({ port: 0 });
const { maria } = (await import(exampleLib("seed.js"))).DEMO_CREDENTIALS;
env.ALCHEMIST_EGRESS_ALLOW_LOOPBACK = "true";
env.ALCHEMIST_SMOKE_BANK = JSON.stringify({
  url: bank.baseUrl,
  clientId: maria.clientId,
  clientSecret: maria.clientSecret,
});
let firestore;
let storage;
if (!official) {
  const { FirestoreServer } = await import("@firestore-emulator/server");
  firestore = new FirestoreServer();
  // By hand, at the port firebase.json gives Firestore (where clients look for it); under test, any free one.
  const port = command === "start" ? emulatorPorts.firestore.port : await freePort();
  await firestore.start(port);
  // firebase-tools passes it on to the functions it runs, and to the script it executes.
  env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${port}`;
  console.log(`${tag} Firestore: @firestore-emulator/server at ${env.FIRESTORE_EMULATOR_HOST}`);
  // Cloud Storage: the small in-memory server (built with the functions), which announces finished uploads to
  // the Functions emulator's storage triggers as the Storage emulator does.
  const { startSmallStorageServer } = await import("@alchemist/local/testing/small-storage-server");
  storage = await startSmallStorageServer({
    functionsEmulator: `127.0.0.1:${emulatorPorts.functions.port}`,
    projectId: project,
    port: command === "start" ? emulatorPorts.storage.port : undefined,
  });
  env.FIREBASE_STORAGE_EMULATOR_HOST = storage.host;
  console.log(`${tag} Cloud Storage: the small in-memory server at ${storage.host}`);
}

const only = official ? "functions,auth,tasks,firestore,storage" : "functions,auth,tasks";
const firebase = path.join(root, "node_modules", ".bin", "firebase");
const args =
  command === "test"
    ? [
        "emulators:exec",
        "--project",
        project,
        "--only",
        only,
        `node ${path.join("scripts", "firebase-suites.mjs")}`,
      ]
    : ["emulators:start", "--project", project, "--only", only];
if (command === "start") {
  const functionsUrl = `http://127.0.0.1:${emulatorPorts.functions.port}/${project}/us-central1`;
  console.log(
    [
      "",
      "  Firebase mode on the emulators (Ctrl-C stops them)",
      `  API              ${functionsUrl}/api   (e.g. ${functionsUrl}/api/health)`,
      `  Callables        ${functionsUrl}/identity-createTenant, …`,
      `  Auth emulator    127.0.0.1:${emulatorPorts.auth.port}`,
      `  Try the flow     npm run smoke -- --mode firebase --api ${functionsUrl}/api --functions ${functionsUrl} \\`,
      `                     --auth-emulator 127.0.0.1:${emulatorPorts.auth.port} --project ${project}`,
      "",
    ].join("\n"),
  );
}
/**
 * The Functions emulator leaves its worker processes (one per function it ran) behind when it shuts down: they
 * are re-parented to init and idle on, about 180 MB each, for as long as the machine runs. Once the emulators
 * have exited, the workers started from this checkout are ended (Linux: found through /proc).
 */
function reapFunctionWorkers() {
  const worker = path.join(
    root,
    "node_modules",
    "firebase-tools",
    "lib",
    "emulator",
    "functionsEmulatorRuntime",
  );
  let pids = [];
  try {
    pids = fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return; // no /proc (macOS): nothing to do here
  }
  for (const pid of pids) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (cmdline.includes(worker)) process.kill(Number(pid), "SIGTERM");
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
}

const child = spawn(firebase, args, { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
const code = await new Promise((resolve) =>
  child.once("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);
firestore?.stop();
reapFunctionWorkers();
await graph.close();
await bank.close();
await storage?.close();
process.exit(code);
