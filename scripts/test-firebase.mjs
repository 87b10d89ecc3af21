#!/usr/bin/env node
// `npm run test:firebase`: Firebase mode, proven on the emulators. Builds the functions as `firebase deploy`
// would ship them (firebase.json's predeploy), then runs scripts/firebase-suites.mjs inside
// `firebase emulators:exec` (firebase-tools pinned in package.json, so nothing is fetched at test time).
//
// Two setups:
// - default, for any machine with Node alone: the Functions, Auth and Cloud Tasks emulators (no Java), and
//   Firestore served by @firestore-emulator/server, a small Node implementation of Firestore's gRPC API
//   started here. What it lacks (collection-group queries, vector search, …) and what needs the Storage
//   emulator is listed by name as not run here, with the reason.
// - `--official`: the official Firestore and Storage emulators as well (they need Java 21 and download their
//   jars on first use); everything runs. The GitHub workflow (.github/workflows/firebase-emulators.yml) runs this.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const official = process.argv.includes("--official");
const project = "demo-alchemist";

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`[test:firebase] ${command} ${args.join(" ")} failed`);
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
if (!process.argv.includes("--built")) run("npm", ["run", "build", "-w", "functions", "-w", "local"]);

const env = {
  ...process.env,
  // firebase-tools asks nothing and checks for no update when it runs unattended.
  CI: "1",
  NO_UPDATE_NOTIFIER: "1",
  ALCHEMIST_FIREBASE_SETUP: official ? "official" : "small",
};
let firestore;
if (!official) {
  const { FirestoreServer } = await import("@firestore-emulator/server");
  firestore = new FirestoreServer();
  const port = await freePort();
  await firestore.start(port);
  // firebase-tools passes it on to the functions it runs, and to the script it executes.
  env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${port}`;
  console.log(`[test:firebase] Firestore: @firestore-emulator/server at ${env.FIRESTORE_EMULATOR_HOST}`);
}

const only = official ? "functions,auth,tasks,firestore,storage" : "functions,auth,tasks";
const firebase = path.join(root, "node_modules", ".bin", "firebase");
const child = spawn(
  firebase,
  [
    "emulators:exec",
    "--project",
    project,
    "--only",
    only,
    `node ${path.join("scripts", "firebase-suites.mjs")}`,
  ],
  { cwd: root, env, stdio: "inherit" },
);
const code = await new Promise((resolve) =>
  child.once("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);
firestore?.stop();
process.exit(code);
