#!/usr/bin/env node
// `npm run smoke -- …`: the smoke flow (scripts/smoke/flow.mjs) against a running platform, as a client would.
// `npm run test:firebase` runs the same flow against the Functions emulator; after a deploy, point it at the
// project. It signs up two throwaway accounts (removed at the end; their workspaces stay, named "Smoke …").
import { parseArgs } from "node:util";
import fs from "node:fs";
import { firebaseAccounts, localAccounts } from "./smoke/accounts.mjs";
import { runFlow, steps } from "./smoke/flow.mjs";

const usage = `Usage:
  npm run smoke -- --mode firebase --api URL --functions URL --web-api-key KEY [--auth-emulator HOST:PORT --project ID]
  npm run smoke -- --mode local --api URL

  --api URL            the API's base: https://PROJECT.web.app (Hosting rewrites), or the api function's URL
  --functions URL      where the callables are: https://REGION-PROJECT.cloudfunctions.net
  --web-api-key KEY    the web app's API key (Firebase console, project settings), for Firebase Auth's REST API
  --auth-emulator H:P  use the Auth emulator instead of Firebase Auth (then --project names the demo project)
  --not-run STEP=WHY   skip a step, saying why (repeatable); steps: ${steps.map((s) => s.name).join(", ")}
  --report FILE        write the outcomes and recorded exchanges (status and body shapes) as JSON
Exits 1 when a step fails.`;

const { values } = parseArgs({
  options: {
    mode: { type: "string" },
    api: { type: "string" },
    functions: { type: "string" },
    "web-api-key": { type: "string" },
    "auth-emulator": { type: "string" },
    project: { type: "string" },
    "not-run": { type: "string", multiple: true },
    report: { type: "string" },
    help: { type: "boolean" },
  },
});

function fail(message) {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
}

if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (values.mode !== "firebase" && values.mode !== "local") fail("--mode must be firebase or local");
if (!values.api) fail("--api is required");
const api = values.api.replace(/\/+$/, "");
let accounts;
if (values.mode === "firebase") {
  if (!values.functions) fail("--functions is required in Firebase mode");
  if (!values["web-api-key"] && !values["auth-emulator"]) fail("--web-api-key is required in Firebase mode");
  if (values["auth-emulator"] && !values.project) fail("--project is required with --auth-emulator");
  accounts = firebaseAccounts({
    webApiKey: values["web-api-key"] ?? "emulator",
    functionsUrl: values.functions.replace(/\/+$/, ""),
    authEmulator: values["auth-emulator"],
    projectId: values.project,
  });
} else accounts = localAccounts({ apiUrl: api });

const notRun = {};
for (const entry of values["not-run"] ?? []) {
  const [name, ...why] = entry.split("=");
  if (!steps.some((s) => s.name === name)) fail(`--not-run: no step named ${name}`);
  notRun[name] = why.join("=") || "skipped by the caller";
}

console.log(`Smoke flow against ${api} (${values.mode} mode)`);
const report = await runFlow({ api, accounts, expectMode: values.mode, notRun });
if (values.report) fs.writeFileSync(values.report, JSON.stringify(report, null, 2) + "\n");
const count = (result) => report.outcomes.filter((o) => o.result === result).length;
console.log(`${count("passed")} passed, ${count("failed")} failed, ${count("not run")} not run`);
process.exit(count("failed") > 0 ? 1 : 0);
