// `npm run deploy`: deploys the plan with firebase-tools, checks the deployed API answers (health, then a
// conversation with a canary agent), and records the outcome. When a check fails, the function groups just
// deployed are redeployed from the build they ran before (Cloud Functions has no native rollback: this is a new
// deploy of the previous build, with its cold starts and its few minutes).
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DeployError } from "./error.mjs";
import { deployer, uncommittedFiles } from "./git.mjs";
import { listFiles } from "./graph.mjs";
import { DEFAULT_BUILD, formatPlan, makePlan } from "./plan.mjs";
import {
  acquireLock,
  appendHistory,
  artifactsDir,
  pruneArtifacts,
  readHistory,
  readState,
  writeState,
} from "./state.mjs";
import { readLayout } from "./targets.mjs";

/** Splits FIREBASE_BIN ("npx firebase", or a quoted path) into a command and its leading arguments. */
export function firebaseCommand(bin = process.env.FIREBASE_BIN || "npx firebase") {
  const parts = [...bin.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  if (parts.length === 0) throw new DeployError("FIREBASE_BIN is empty");
  return parts;
}

function runFirebase(bin, args, root, env) {
  const [command, ...leading] = firebaseCommand(bin);
  console.log(`\n$ ${[command, ...leading, ...args].join(" ")}`);
  const result = spawnSync(command, [...leading, ...args], { cwd: root, stdio: "inherit", env });
  if (result.error) return { ok: false, detail: `${command} could not run: ${result.error.message}` };
  return result.status === 0
    ? { ok: true, detail: "exit 0" }
    : { ok: false, detail: `exit ${result.status ?? result.signal}` };
}

/**
 * Copies the functions build about to be deployed into .deployment/artifacts/<id>/, laid out as a project
 * firebase-tools can deploy from: functions/lib, functions/package.json (and its lockfile and .env files if
 * any) and a firebase.json holding only the functions codebase, without its predeploy build. The id is the
 * sha256 of the copied files, so the same build is kept once.
 * @returns {string} the artifact's id
 */
export function saveArtifact(root, layout) {
  const source = path.join(root, layout.functionsDir);
  const files = [
    ...listFiles(path.join(source, "lib"), () => true).map((f) => `lib/${f}`),
    ...["package.json", "package-lock.json"].filter((f) => fs.existsSync(path.join(source, f))),
    ...fs.readdirSync(source).filter((f) => /^\.env(\..+)?$/.test(f) && f !== ".env.local"),
  ].sort();
  const hash = crypto.createHash("sha256");
  for (const f of files)
    hash
      .update(`${f}\0`)
      .update(fs.readFileSync(path.join(source, f)))
      .update("\0");
  const id = hash.digest("hex");
  const dir = path.join(artifactsDir(root), id);
  if (fs.existsSync(path.join(dir, "firebase.json"))) return id;
  const temp = `${dir}.${process.pid}.tmp`;
  fs.rmSync(temp, { recursive: true, force: true });
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(temp, "functions", f)), { recursive: true });
    fs.copyFileSync(path.join(source, f), path.join(temp, "functions", f));
  }
  const { predeploy: _build, ...codebase } = layout.functionsConfig;
  fs.writeFileSync(
    path.join(temp, "firebase.json"),
    `${JSON.stringify({ functions: [{ ...codebase, source: "functions" }] }, null, 2)}\n`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(temp, dir);
  return id;
}

/**
 * Redeploys the previous build of each function group in `targets`, from its artifact. Groups last deployed
 * from different builds are redeployed one artifact at a time.
 * @returns {{ targets: string[], artifacts: string[], ok: boolean, detail: string }}
 */
function rollBack({ root, project, targets, previous, bin, layout, env }) {
  const byArtifact = new Map();
  const missing = [];
  for (const target of targets) {
    const artifact = previous?.targets[target]?.artifact;
    if (artifact && fs.existsSync(path.join(artifactsDir(root), artifact, "firebase.json")))
      byArtifact.set(artifact, [...(byArtifact.get(artifact) ?? []), target]);
    else missing.push(target);
  }
  const notes = [];
  let ok = missing.length === 0;
  if (missing.length > 0)
    notes.push(
      `no previous build kept for ${missing.join(", ")} (never deployed before, or its artifact is gone)`,
    );
  const nodeModules = path.join(root, layout.functionsDir, "node_modules");
  for (const [artifact, group] of byArtifact) {
    const dir = path.join(artifactsDir(root), artifact);
    // firebase-tools loads the build to find its functions: let it resolve the packages the functions folder
    // installed (firebase.json's `ignore` keeps node_modules out of the upload).
    const link = path.join(dir, "functions", "node_modules");
    if (fs.existsSync(nodeModules) && !fs.existsSync(link)) fs.symlinkSync(nodeModules, link, "dir");
    const result = runFirebase(
      bin,
      [
        "deploy",
        "--only",
        group.join(","),
        "--project",
        project,
        "--config",
        path.join(dir, "firebase.json"),
      ],
      root,
      env,
    );
    fs.rmSync(link, { force: true });
    if (!result.ok) ok = false;
    notes.push(
      `${group.join(", ")} from ${artifact.slice(0, 12)}: ${result.ok ? "redeployed" : result.detail}`,
    );
  }
  return { targets, artifacts: [...byArtifact.keys()], ok, detail: notes.join("; ") };
}

async function fetchJson(url, init, timeoutMs) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: reported by the caller through `body === null`
  }
  return { status: response.status, body, text: text.slice(0, 300) };
}

const errorOf = (r) => r.body?.error?.message ?? r.text;

/**
 * The post-deploy checks: GET /health answers 200 with status ok or degraded (retried: a new revision can take a
 * moment to take traffic), then a conversation with the canary agent gets an answer or an abstention.
 * @returns {Promise<{ name: string, status: "passed" | "failed" | "skipped", detail: string }[]>}
 */
export async function runChecks({
  url,
  canaryAgent,
  canaryKey,
  canaryMessage,
  attempts = 3,
  delayMs = 5000,
}) {
  const checks = [];
  let health = { status: "failed", detail: "not run" };
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const r = await fetchJson(`${url}/health`, { headers: { accept: "application/json" } }, 15_000);
      const status = r.body?.status;
      health =
        r.status === 200 && (status === "ok" || status === "degraded")
          ? { status: "passed", detail: `200, status ${status}` }
          : { status: "failed", detail: `${r.status}, status ${status ?? `not JSON: ${r.text}`}` };
    } catch (error) {
      health = { status: "failed", detail: error.message };
    }
    if (health.status === "passed" || attempt === attempts) break;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  checks.push({ name: "health", ...health });
  if (!canaryAgent || !canaryKey) {
    checks.push({
      name: "canary",
      status: "skipped",
      detail: "ALCHEMIST_CANARY_AGENT and ALCHEMIST_CANARY_KEY are not both set",
    });
    return checks;
  }
  const headers = { authorization: `Bearer ${canaryKey}`, "content-type": "application/json" };
  try {
    const started = await fetchJson(
      `${url}/v1/agents/${encodeURIComponent(canaryAgent)}/conversations`,
      { method: "POST", headers, body: JSON.stringify({ endUserRef: "deploy-canary" }) },
      30_000,
    );
    if (started.status !== 201 || typeof started.body?.id !== "string") {
      checks.push({
        name: "canary",
        status: "failed",
        detail: `start: ${started.status} ${errorOf(started)}`,
      });
      return checks;
    }
    const answered = await fetchJson(
      `${url}/v1/conversations/${encodeURIComponent(started.body.id)}/messages`,
      { method: "POST", headers, body: JSON.stringify({ content: canaryMessage }) },
      120_000,
    );
    const message = answered.body?.message;
    if (answered.status !== 200 || message?.role !== "assistant")
      checks.push({
        name: "canary",
        status: "failed",
        detail: `message: ${answered.status} ${errorOf(answered)}`,
      });
    else if (message.abstained === true)
      checks.push({ name: "canary", status: "passed", detail: "the agent abstained" });
    else if (typeof message.content === "string" && message.content.trim() !== "")
      checks.push({ name: "canary", status: "passed", detail: "the agent answered" });
    else checks.push({ name: "canary", status: "failed", detail: "an empty answer without abstention" });
  } catch (error) {
    checks.push({ name: "canary", status: "failed", detail: error.message });
  }
  return checks;
}

/** Sends the history entry to the deployed API (kept in Firestore); a failure only warns: the local record stands. */
async function copyToApi(url, entry, token) {
  if (!url) return "not copied to the API: no --url";
  if (!token) return "not copied to the API: MONITOR_OPERATOR_TOKEN is not set";
  try {
    const r = await fetchJson(
      `${url}/v1/admin/deployments`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(entry),
      },
      15_000,
    );
    return r.status >= 200 && r.status < 300 ? null : `the API refused the record: ${r.status} ${errorOf(r)}`;
  } catch (error) {
    return `the API could not be reached: ${error.message}`;
  }
}

/**
 * Deploys what the plan says. Outcomes: `succeeded` (state advanced), `failed` (firebase-tools failed; state
 * unchanged), `rolled-back` (a check failed and the previous builds were redeployed; state unchanged),
 * `rollback-failed` (a check failed and some group could not be put back; state unchanged, so the next plan
 * deploys them again).
 * @param {{ root: string, project?: string, all?: boolean, build?: boolean, buildCommand?: string,
 *   allowDirty?: boolean, url?: string, skipChecks?: boolean, checkAttempts?: number, checkDelayMs?: number,
 *   env?: NodeJS.ProcessEnv }} options
 * @returns {Promise<{ outcome: string, entry?: object, plan: import("./plan.mjs").Plan }>}
 */
export async function deploy(options) {
  const { root, env = process.env } = options;
  const release = acquireLock(root);
  try {
    const dirty = uncommittedFiles(root);
    if (dirty.length > 0 && !options.allowDirty)
      throw new DeployError(
        `The working tree has uncommitted changes (${dirty.slice(0, 5).join(", ")}` +
          `${dirty.length > 5 ? ", …" : ""}). A deploy records the commit it deployed, which would not ` +
          "be what runs: commit first, or pass --allow-dirty to deploy anyway (recorded as dirty)",
      );
    const plan = makePlan({
      root,
      project: options.project,
      all: options.all,
      build: options.build ?? true,
      buildCommand: options.buildCommand ?? DEFAULT_BUILD,
    });
    const bin = env.FIREBASE_BIN || "npx firebase";
    console.log(formatPlan(plan, bin));
    if (plan.command === null) return { outcome: "nothing", plan };

    const layout = readLayout(root);
    const groups = plan.deploy.filter((t) => t.startsWith("functions:"));
    const artifact = groups.length > 0 ? saveArtifact(root, layout) : null;
    const startedAt = new Date().toISOString();
    const state = readState(root);
    const previous = state.projects[plan.project] ?? null;
    const url = (options.url || env.ALCHEMIST_DEPLOY_URL || `https://${plan.project}.web.app`).replace(
      /\/+$/,
      "",
    );
    const entry = {
      id: crypto.randomUUID(),
      project: plan.project,
      commit: plan.commit,
      dirty: plan.dirty.length > 0,
      by: deployer(root),
      startedAt,
      finishedAt: startedAt,
      targets: plan.deploy,
      fingerprints: Object.fromEntries(
        plan.targets.filter((t) => t.deploy).map((t) => [t.target, t.fingerprint]),
      ),
      previousCommit: previous?.commit ?? null,
      artifact,
      outcome: "failed",
      checks: [],
      rollback: null,
      error: null,
    };

    const deployed = runFirebase(bin, plan.command, root, env);
    if (!deployed.ok) entry.error = `firebase deploy failed (${deployed.detail})`;
    else {
      entry.checks = options.skipChecks
        ? [{ name: "all", status: "skipped", detail: "--skip-checks" }]
        : await runChecks({
            url,
            canaryAgent: env.ALCHEMIST_CANARY_AGENT,
            canaryKey: env.ALCHEMIST_CANARY_KEY,
            canaryMessage: env.ALCHEMIST_CANARY_MESSAGE || "Hello! What can you help me with?",
            attempts: options.checkAttempts,
            delayMs: options.checkDelayMs,
          });
      const failed = entry.checks.filter((c) => c.status === "failed");
      if (failed.length === 0) entry.outcome = "succeeded";
      else {
        entry.error = `post-deploy check failed: ${failed.map((c) => `${c.name} (${c.detail})`).join(", ")}`;
        console.error(`\n${entry.error}`);
        if (groups.length > 0) {
          console.error(
            "Rolling back: Cloud Functions has no native rollback, so the previous build of each group just " +
              "deployed is deployed again from .deployment/artifacts.",
          );
          entry.rollback = rollBack({
            root,
            project: plan.project,
            targets: groups,
            previous,
            bin,
            layout,
            env,
          });
        } else
          entry.rollback = {
            targets: [],
            artifacts: [],
            ok: false,
            detail: "no function group to roll back",
          };
        const others = plan.deploy.filter((t) => !t.startsWith("functions:"));
        if (others.length > 0)
          entry.rollback.detail +=
            `; not rolled back: ${others.join(", ")} (roll Hosting back from the console's release history; ` +
            "rules keep their previous versions in the console)";
        entry.outcome = entry.rollback.ok ? "rolled-back" : "rollback-failed";
      }
    }
    entry.finishedAt = new Date().toISOString();

    if (entry.outcome === "succeeded") {
      const targets = { ...(previous?.targets ?? {}) };
      for (const target of plan.targets.filter((t) => t.deploy))
        targets[target.target] = {
          fingerprint: target.fingerprint,
          commit: plan.commit,
          deployedAt: entry.finishedAt,
          ...(target.target.startsWith("functions:") ? { artifact } : {}),
        };
      state.projects[plan.project] = {
        commit: plan.commit,
        deployedAt: entry.finishedAt,
        by: entry.by,
        targets,
      };
      writeState(root, state);
    }
    appendHistory(root, entry);
    pruneArtifacts(root, readState(root), readHistory(root));
    const copyWarning = await copyToApi(
      options.url || env.ALCHEMIST_DEPLOY_URL ? url : null,
      entry,
      env.MONITOR_OPERATOR_TOKEN,
    );
    if (copyWarning) console.error(`warning: ${copyWarning}; the local record in .deployment/ is kept`);

    console.log(`\nOutcome: ${entry.outcome}`);
    for (const c of entry.checks) console.log(`  check ${c.name}: ${c.status} (${c.detail})`);
    if (entry.rollback) console.log(`  rollback: ${entry.rollback.detail}`);
    if (entry.outcome !== "succeeded")
      console.log(`  ${path.join(".deployment", "state.json")} not advanced`);
    return { outcome: entry.outcome, entry, plan };
  } finally {
    release();
  }
}
