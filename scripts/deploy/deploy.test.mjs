// The smart deploy against a small repository of the same shape as ours, built per test in a temp folder: a
// functions/src with four groups (a platform module all of them import, a memory service two of them import,
// a module only a dynamic import reaches), a studio, rules and docs. firebase-tools is a recording stub
// (FIREBASE_BIN) and a local HTTP server stands in for the deployed API's /health and canary conversation.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { deploy } from "./deploy.mjs";
import { makePlan } from "./plan.mjs";
import { pruneArtifacts } from "./state.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, "cli.mjs");
const temp = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-deploy-"));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const files = {
  ".gitignore": "functions/lib/\nweb/dist/\n.deployment/\n",
  ".firebaserc": JSON.stringify({ projects: { default: "demo-fixture", prod: "alchemist-prod" } }),
  "firebase.json": JSON.stringify({
    functions: [
      {
        source: "functions",
        codebase: "default",
        ignore: ["node_modules", "src"],
        predeploy: ['npm --prefix "$RESOURCE_DIR" run build'],
      },
    ],
    hosting: { public: "web/dist", rewrites: [{ source: "/health", function: "api" }] },
    firestore: { rules: "firestore.rules", indexes: "firestore.indexes.json" },
    storage: { rules: "storage.rules" },
  }),
  // The build, as tsc does it for this code: each module copied to lib/ as JavaScript, comments kept.
  "scripts/build-functions.mjs": `import fs from "node:fs";
import path from "node:path";
fs.rmSync("functions/lib", { recursive: true, force: true });
for (const rel of fs.readdirSync("functions/src", { recursive: true })) {
  if (!rel.endsWith(".ts") || rel.endsWith(".test.ts")) continue;
  const out = path.join("functions/lib", rel.replace(/\\.ts$/, ".js"));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.copyFileSync(path.join("functions/src", rel), out);
}
`,
  "functions/package.json": JSON.stringify({
    name: "fixture-functions",
    type: "module",
    main: "lib/index.js",
    dependencies: { zod: "4.0.0" },
  }),
  "functions/src/index.ts": `// Every deployed function, by group.
export { api } from "./api/functions.js";
export * as agents from "./agents/functions.js";
export * as knowledge from "./knowledge/functions.js";
export * as billing from "./billing/functions.js";
`,
  "functions/src/platform/clock.ts": "export const now = () => Date.now();\n",
  "functions/src/platform/log.ts":
    'import { now } from "./clock.js";\nexport function log(message) {\n  return `${now()} ${message}`;\n}\n',
  "functions/src/narrative/memory.ts":
    'import { log } from "../platform/log.js";\n/** What the agent said before. */\nexport function recall(question) {\n  return log(question);\n}\n',
  "functions/src/agents/functions.ts":
    'import { recall } from "../narrative/memory.js";\nexport const answer = (q) => recall(q);\n',
  "functions/src/agents/functions.test.ts": 'import { answer } from "./functions.js";\nanswer("x");\n',
  "functions/src/api/functions.ts":
    'import { recall } from "../narrative/memory.js";\nimport { log } from "../platform/log.js";\nexport const api = (q) => log(recall(q));\n',
  "functions/src/knowledge/functions.ts":
    'import { log } from "../platform/log.js";\nexport const ingest = (doc) => log(`ingest ${doc}`);\n',
  "functions/src/billing/functions.ts":
    'import { now } from "../platform/clock.js";\nexport const meter = async () => (await import("./meter.js")).meter(now());\n',
  "functions/src/billing/meter.ts": "export const meter = (t) => ({ at: t, units: 1 });\n",
  "functions/src/unused.ts": "export const nobody = 1;\n",
  "web/package.json": JSON.stringify({ name: "fixture-web", private: true }),
  "web/index.html": "<!doctype html><div id=root></div>\n",
  "web/src/main.ts": 'document.title = "Studio";\n',
  "web/src/main.test.ts": "export {};\n",
  "firestore.rules":
    "rules_version = '2';\nservice cloud.firestore { match /{d=**} { allow read: if false; } }\n",
  "firestore.indexes.json": JSON.stringify({ indexes: [] }),
  "storage.rules":
    "rules_version = '2';\nservice firebase.storage { match /{d=**} { allow read: if false; } }\n",
  "README.md": "# Fixture\n",
  "docs/notes.md": "Notes.\n",
};

const stub = path.join(temp, "firebase-stub.mjs");
fs.writeFileSync(
  stub,
  `import fs from "node:fs";
import path from "node:path";
// A stand-in for firebase-tools: records each call (and, with --config, the build it points at), then exits
// with the next code of STUB_EXITS.
const log = process.env.STUB_LOG;
const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\\n").filter(Boolean).length : 0;
const args = process.argv.slice(2);
const at = args.indexOf("--config");
let deployedFrom = null;
if (at >= 0) {
  const config = JSON.parse(fs.readFileSync(args[at + 1], "utf8"));
  const source = path.join(path.dirname(args[at + 1]), config.functions[0].source);
  deployedFrom = {
    predeploy: config.functions[0].predeploy ?? null,
    knowledge: fs.readFileSync(path.join(source, "lib/knowledge/functions.js"), "utf8"),
    packageJson: fs.existsSync(path.join(source, "package.json")),
  };
}
fs.appendFileSync(log, JSON.stringify({ args, deployedFrom }) + "\\n");
const exits = (process.env.STUB_EXITS || "0").split(",");
process.exit(Number(exits[Math.min(calls, exits.length - 1)]));
`,
);

/** The stand-in API: behaviour per test, every request recorded. */
const api = { health: { status: 200, body: { status: "ok" } }, canary: "answer", record: 201, requests: [] };
let server;
let url;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      api.requests.push({ method: req.method, path: req.url, auth: req.headers.authorization, body });
      const send = (status, json) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      };
      if (req.url === "/health") return send(api.health.status, api.health.body);
      if (req.url === "/v1/admin/deployments" && req.method === "POST") return send(api.record, {});
      if (req.headers.authorization !== "Bearer canary-key")
        return send(401, { error: { code: "unauthenticated", message: "bad key" } });
      if (req.url === "/v1/agents/canary-1/conversations")
        return send(201, { id: "conv-1", agentVersion: 1 });
      if (req.url === "/v1/conversations/conv-1/messages") {
        if (api.canary === "error") return send(500, { error: { code: "internal", message: "model down" } });
        const abstained = api.canary === "abstain";
        return send(200, {
          message: { role: "assistant", content: abstained ? "" : "I can help with accounts.", abstained },
        });
      }
      send(404, { error: { code: "not-found", message: req.url } });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${server.address().port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

let root;
let stubLog;
let env;
let fixtureCount = 0;
beforeEach(() => {
  fixtureCount += 1;
  root = path.join(temp, `repo-${fixtureCount}`);
  stubLog = path.join(temp, `stub-${fixtureCount}.jsonl`);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Ana Deployer");
  git("config", "user.email", "ana@example.com");
  git("add", "-A");
  git("commit", "-q", "-m", "fixture");
  Object.assign(api, { health: { status: 200, body: { status: "ok" } }, canary: "answer", record: 201 });
  api.requests = [];
  env = {
    ...process.env,
    FIREBASE_BIN: `"${process.execPath}" "${stub}"`,
    STUB_LOG: stubLog,
    STUB_EXITS: "0",
    ALCHEMIST_CANARY_AGENT: "canary-1",
    ALCHEMIST_CANARY_KEY: "canary-key",
    MONITOR_OPERATOR_TOKEN: "operator-token",
  };
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

function git(...args) {
  const r = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** Writes (or deletes, with null) files and commits them. */
function change(edits, message = "change") {
  for (const [file, text] of Object.entries(edits)) {
    const full = path.join(root, file);
    if (text === null) fs.rmSync(full);
    else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, text);
    }
  }
  git("add", "-A");
  git("commit", "-q", "-m", message);
}

const buildCommand = "node scripts/build-functions.mjs";
const plan = (extra = {}) => makePlan({ root, project: "demo-fixture", buildCommand, ...extra });
const run = (extra = {}) =>
  deploy({
    root,
    project: "demo-fixture",
    buildCommand,
    url,
    env,
    checkAttempts: 1,
    checkDelayMs: 0,
    ...extra,
  });
const stubCalls = () =>
  fs.existsSync(stubLog)
    ? fs
        .readFileSync(stubLog, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
    : [];
const statePath = () => path.join(root, ".deployment", "state.json");
const history = () =>
  fs
    .readFileSync(path.join(root, ".deployment", "history.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
const allGroups = ["functions:api", "functions:agents", "functions:knowledge", "functions:billing"];
const everything = ["firestore:indexes", "firestore:rules", "storage", ...allGroups, "hosting"];

function cliRun(args, extraEnv = {}) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...env, ALCHEMIST_DEPLOY_BUILD: buildCommand, ...extraEnv },
  });
}

describe("the first deploy", () => {
  it("deploys every target, checks the API, and records state, history and the build", async () => {
    const result = await run();
    expect(result.outcome).toBe("succeeded");
    expect(stubCalls().map((c) => c.args)).toEqual([
      ["deploy", "--only", everything.join(","), "--project", "demo-fixture"],
    ]);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /health",
      "POST /v1/agents/canary-1/conversations",
      "POST /v1/conversations/conv-1/messages",
      "POST /v1/admin/deployments",
    ]);
    const state = JSON.parse(fs.readFileSync(statePath(), "utf8"));
    const project = state.projects["demo-fixture"];
    expect(project.commit).toBe(git("rev-parse", "HEAD").trim());
    expect(project.by).toBe("Ana Deployer <ana@example.com>");
    expect(Object.keys(project.targets).sort()).toEqual([...everything].sort());
    const [entry] = history();
    expect(entry).toMatchObject({
      project: "demo-fixture",
      outcome: "succeeded",
      dirty: false,
      targets: everything,
    });
    expect(entry.checks.map((c) => [c.name, c.status])).toEqual([
      ["health", "passed"],
      ["canary", "passed"],
    ]);
    // The copy for Firestore: the same entry, with the operator token.
    const record = api.requests.at(-1);
    expect(record.auth).toBe("Bearer operator-token");
    expect(JSON.parse(record.body)).toEqual(entry);
    // The build kept for a rollback: deployable as is, without the predeploy build.
    const artifact = path.join(root, ".deployment", "artifacts", entry.artifact);
    expect(project.targets["functions:agents"].artifact).toBe(entry.artifact);
    expect(fs.existsSync(path.join(artifact, "functions", "lib", "index.js"))).toBe(true);
    expect(fs.existsSync(path.join(artifact, "functions", "package.json"))).toBe(true);
    const config = JSON.parse(fs.readFileSync(path.join(artifact, "firebase.json"), "utf8"));
    expect(config.functions[0]).toMatchObject({ source: "functions", codebase: "default" });
    expect(config.functions[0].predeploy).toBeUndefined();
  });

  it("accepts an abstention from the canary as a healthy answer", async () => {
    api.canary = "abstain";
    expect((await run()).outcome).toBe("succeeded");
  });
});

describe("the plan after a deploy", () => {
  beforeEach(async () => {
    expect((await run()).outcome).toBe("succeeded");
  });
  const deploying = (p) => p.targets.filter((t) => t.deploy).map((t) => t.target);

  it("sends a platform change to every group that imports it, and nothing else", () => {
    change({ "functions/src/platform/clock.ts": "export const now = () => new Date().getTime();\n" });
    const p = plan();
    expect(deploying(p)).toEqual(allGroups);
    expect(p.changes).toEqual([
      { file: "functions/src/platform/clock.ts", targets: allGroups, reason: "in the import closure" },
    ]);
    expect(p.command).toEqual(["deploy", "--only", allGroups.join(","), "--project", "demo-fixture"]);
  });

  it("sends a change to a service two groups import to those two only", () => {
    change({
      "functions/src/narrative/memory.ts": files["functions/src/narrative/memory.ts"].replace(
        "return log(question);",
        "return log(question.trim());",
      ),
    });
    expect(deploying(plan())).toEqual(["functions:api", "functions:agents"]);
  });

  it("follows a dynamic import: a module only billing loads lazily deploys billing", () => {
    change({ "functions/src/billing/meter.ts": "export const meter = (t) => ({ at: t, units: 2 });\n" });
    expect(deploying(plan())).toEqual(["functions:billing"]);
  });

  it("deploys only hosting for a studio change", () => {
    change({ "web/src/main.ts": 'document.title = "Alchemist Studio";\n' });
    const p = plan();
    expect(deploying(p)).toEqual(["hosting"]);
    expect(p.command).toEqual(["deploy", "--only", "hosting", "--project", "demo-fixture"]);
  });

  it("deploys only firestore:rules for a rules change", () => {
    change({ "firestore.rules": files["firestore.rules"].replace("if false", "if request.auth != null") });
    expect(deploying(plan())).toEqual(["firestore:rules"]);
  });

  it("deploys nothing for docs and tests, and says why each was ignored", () => {
    change({
      "README.md": "# Fixture, documented\n",
      "docs/notes.md": "More notes.\n",
      "functions/src/agents/functions.test.ts": 'import { answer } from "./functions.js";\nanswer("y");\n',
      "web/src/main.test.ts": "export const x = 1;\n",
      "functions/src/unused.ts": "export const nobody = 2;\n",
    });
    const p = plan();
    expect(p.command).toBeNull();
    expect(Object.fromEntries(p.changes.map((c) => [c.file, c.ignored]))).toEqual({
      "README.md": "documentation: never deployed",
      "docs/notes.md": "documentation: never deployed",
      "functions/src/agents/functions.test.ts": "a test or test fixture: never deployed",
      "web/src/main.test.ts": "a test or test fixture: never deployed",
      "functions/src/unused.ts": "imported by no deployed function group",
    });
    const out = cliRun(["plan"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain("Nothing to deploy to demo-fixture.");
    expect(out.stdout).toContain("README.md: ignored (documentation: never deployed)");
  });

  it("deploys nothing when a service changes only by comments and layout", () => {
    change({
      "functions/src/narrative/memory.ts":
        'import { log } from "../platform/log.js";\n// Recall: what the agent said to this end user before.\n' +
        "export function recall(\n  question,\n) {\n  /* unchanged behaviour */ return log(question);\n}\n",
    });
    const p = plan();
    expect(p.command).toBeNull();
    const skipped = p.targets.find((t) => t.target === "functions:agents");
    expect(skipped).toMatchObject({ deploy: false, files: ["functions/src/narrative/memory.ts"] });
    expect(skipped.reason).toMatch(/don't alter what is deployed/);
  });

  it("deploys everything with --all, and the plan explains changes dependencies first", () => {
    change({
      "web/src/main.ts": 'document.title = "x";\n',
      "functions/src/agents/functions.ts":
        files["functions/src/agents/functions.ts"] + "export const v = 2;\n",
      "functions/src/platform/clock.ts": "export const now = () => 1;\n",
    });
    const p = plan({ all: true });
    expect(p.deploy).toEqual(everything);
    expect(p.changes.map((c) => c.file)).toEqual([
      "functions/src/platform/clock.ts",
      "functions/src/agents/functions.ts",
      "web/src/main.ts",
    ]);
    const json = JSON.parse(cliRun(["plan", "--all", "--json"]).stdout);
    expect(json.command).toEqual(["deploy", "--only", everything.join(","), "--project", "demo-fixture"]);
  });

  it("rolls the groups back to their previous build when the canary fails, and keeps the state", async () => {
    const before = fs.readFileSync(statePath(), "utf8");
    const oldKnowledge = fs.readFileSync(path.join(root, "functions/lib/knowledge/functions.js"), "utf8");
    change({
      "functions/src/knowledge/functions.ts":
        'import { log } from "../platform/log.js";\nexport const ingest = (doc) => log(`ingest v2 ${doc}`);\n',
    });
    api.canary = "error";
    const result = await run();
    expect(result.outcome).toBe("rolled-back");
    const [, second, rollback] = stubCalls();
    expect(second.args).toEqual(["deploy", "--only", "functions:knowledge", "--project", "demo-fixture"]);
    const previousArtifact =
      JSON.parse(before).projects["demo-fixture"].targets["functions:knowledge"].artifact;
    expect(rollback.args).toEqual([
      "deploy",
      "--only",
      "functions:knowledge",
      "--project",
      "demo-fixture",
      "--config",
      path.join(root, ".deployment", "artifacts", previousArtifact, "firebase.json"),
    ]);
    expect(rollback.deployedFrom).toEqual({ predeploy: null, knowledge: oldKnowledge, packageJson: true });
    expect(fs.readFileSync(statePath(), "utf8")).toBe(before);
    const entry = history().at(-1);
    expect(entry).toMatchObject({ outcome: "rolled-back", targets: ["functions:knowledge"] });
    expect(entry.error).toMatch(/canary \(message: 500 model down\)/);
    expect(entry.rollback).toMatchObject({
      ok: true,
      targets: ["functions:knowledge"],
      artifacts: [previousArtifact],
    });
    // Still to deploy: the state says the old build runs.
    expect(plan().deploy).toEqual(["functions:knowledge"]);
  });

  it("records rollback-failed when the redeploy of the previous build fails too", async () => {
    change({ "functions/src/platform/clock.ts": "export const now = () => 2;\n" });
    api.health = { status: 503, body: { status: "down" } };
    env.STUB_EXITS = "0,0,1";
    const result = await run();
    expect(result.outcome).toBe("rollback-failed");
    expect(history().at(-1).checks[0]).toMatchObject({
      name: "health",
      status: "failed",
      detail: "503, status down",
    });
  });

  it("leaves the state unchanged when firebase deploy fails", async () => {
    const before = fs.readFileSync(statePath(), "utf8");
    change({ "firestore.rules": files["firestore.rules"].replace("if false", "if true") });
    env.STUB_EXITS = "1";
    const result = await run();
    expect(result.outcome).toBe("failed");
    expect(fs.readFileSync(statePath(), "utf8")).toBe(before);
    expect(history().at(-1)).toMatchObject({ outcome: "failed", error: "firebase deploy failed (exit 1)" });
    expect(api.requests.filter((r) => r.path === "/health")).toHaveLength(1); // the first deploy's only
  });

  it("keeps the local record when the API refuses its copy", async () => {
    change({ "web/src/main.ts": 'document.title = "y";\n' });
    api.record = 404;
    expect((await run()).outcome).toBe("succeeded");
    expect(history().at(-1).outcome).toBe("succeeded");
    expect(console.error).toHaveBeenCalledWith(expect.stringMatching(/the API refused the record: 404/));
  });

  it("refuses to deploy a dirty tree without --allow-dirty, but plans it", async () => {
    fs.writeFileSync(path.join(root, "web/src/main.ts"), 'document.title = "dirty";\n');
    const out = cliRun(["deploy", "--url", url]);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/uncommitted changes \(web\/src\/main\.ts\)/);
    expect(stubCalls()).toHaveLength(1);
    expect(plan().deploy).toEqual(["hosting"]);
    const result = await run({ allowDirty: true });
    expect(result.outcome).toBe("succeeded");
    expect(history().at(-1).dirty).toBe(true);
  });

  it("shows what is deployed where and what changed since", () => {
    change({ "storage.rules": files["storage.rules"].replace("if false", "if true") });
    const out = cliRun(["status"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain("demo-fixture");
    expect(out.stdout).toMatch(/functions:agents\s+[0-9a-f]{12}\s+from [0-9a-f]{12}/);
    expect(out.stdout).toContain("since: would deploy storage (1 file(s) changed");
  });

  it("names the broken state file instead of crashing on it", () => {
    fs.writeFileSync(statePath(), '{"version": 1, "projects": {"demo-fixture": ');
    const out = cliRun(["plan"]);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^\.deployment\/state\.json is unreadable: not valid JSON/);
    expect(out.stderr).not.toMatch(/\n\s+at /);
    fs.writeFileSync(
      statePath(),
      JSON.stringify({ version: 1, projects: { "demo-fixture": { commit: 1 } } }),
    );
    expect(cliRun(["status"]).stderr).toMatch(/project demo-fixture lacks commit/);
  });
});

describe("projects", () => {
  it("keeps one record per project, resolving .firebaserc aliases", async () => {
    expect((await run()).outcome).toBe("succeeded");
    const p = makePlan({ root, project: "prod", buildCommand });
    expect(p.project).toBe("alchemist-prod");
    expect(p.deploy).toEqual(everything);
  });

  it("refuses a project name that isn't a Firebase project id", () => {
    const out = cliRun(["plan", "--project", "--all"]);
    expect(out.status).not.toBe(0);
    expect(cliRun(["plan", "--project", "Bad Project;rm"]).stderr).toMatch(/is not a Firebase project id/);
  });
});

describe("kept builds", () => {
  it("keeps the builds still deployed somewhere and the last five good ones, and deletes the rest", () => {
    const dir = path.join(root, ".deployment", "artifacts");
    const ids = Array.from({ length: 8 }, (_, i) => String(i).repeat(64));
    for (const id of ids) fs.mkdirSync(path.join(dir, id), { recursive: true });
    const history = ids.map((artifact, i) => ({ artifact, outcome: i === 7 ? "failed" : "succeeded" }));
    const target = { fingerprint: "f".repeat(64), commit: "c", deployedAt: "t" };
    const state = {
      version: 1,
      projects: {
        p: {
          commit: "c",
          deployedAt: "t",
          by: "b",
          targets: { "functions:a": { ...target, artifact: ids[0] } },
        },
      },
    };
    expect(pruneArtifacts(root, state, history).sort()).toEqual([ids[1], ids[7]]);
    expect(fs.readdirSync(dir).sort()).toEqual([ids[0], ...ids.slice(2, 7)]);
  });
});
