// The deploy's records, in .deployment/ (git-ignored, one per checkout that deploys):
//   state.json      per Firebase project: the last successful deploy and, per target, the fingerprint deployed
//   history.jsonl   one JSON line per deploy attempt, whatever its outcome
//   artifacts/<id>/ a deployed functions build (lib, package.json, firebase.json), for redeploying it
//   lock            held while a deploy runs in this checkout
import fs from "node:fs";
import path from "node:path";
import { DeployError } from "./error.mjs";

export const recordsDir = (root) => path.join(root, ".deployment");
const statePath = (root) => path.join(recordsDir(root), "state.json");
const historyPath = (root) => path.join(recordsDir(root), "history.jsonl");
export const artifactsDir = (root) => path.join(recordsDir(root), "artifacts");

/** How many successful deploys' builds to keep besides the ones still deployed somewhere. */
export const KEEP_GOOD_ARTIFACTS = 5;

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isText = (v) => typeof v === "string" && v.length > 0;

/** Writes a file so a crash leaves the old one or the new one, never half of it. */
function writeAtomically(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

/**
 * The recorded state. A missing file means nothing was deployed from this checkout yet; a malformed one is an
 * error that says how to recover, rather than a guess (a wrong state would deploy too little).
 * @returns {{ version: 1, projects: Record<string, ProjectState> }}
 * @typedef {{ commit: string, deployedAt: string, by: string,
 *   targets: Record<string, { fingerprint: string, commit: string, deployedAt: string, artifact?: string }> }} ProjectState
 */
export function readState(root) {
  const file = statePath(root);
  if (!fs.existsSync(file)) return { version: 1, projects: {} };
  const broken = (why) =>
    new DeployError(
      `${path.relative(root, file)} is unreadable: ${why}. It records what is deployed to each project; ` +
        "restore it (a copy is in the API's /v1/admin/deployments history when --url was used) or move it aside, " +
        "after which the next deploy treats every target as never deployed and deploys them all",
    );
  let state;
  try {
    state = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw broken(`not valid JSON (${error.message})`);
  }
  if (!isObject(state) || state.version !== 1 || !isObject(state.projects))
    throw broken('expected {"version": 1, "projects": {…}}');
  for (const [project, p] of Object.entries(state.projects)) {
    if (!isObject(p) || !isText(p.commit) || !isText(p.deployedAt) || !isText(p.by) || !isObject(p.targets))
      throw broken(`project ${project} lacks commit, deployedAt, by or targets`);
    for (const [target, t] of Object.entries(p.targets))
      if (
        !isObject(t) ||
        !/^[0-9a-f]{64}$/.test(t.fingerprint ?? "") ||
        !isText(t.commit) ||
        !isText(t.deployedAt)
      )
        throw broken(`target ${target} of project ${project} lacks a fingerprint, commit or deployedAt`);
  }
  return state;
}

export const writeState = (root, state) =>
  writeAtomically(statePath(root), `${JSON.stringify(state, null, 2)}\n`);

/** Appends one deploy attempt to history.jsonl. */
export function appendHistory(root, entry) {
  fs.mkdirSync(recordsDir(root), { recursive: true });
  fs.appendFileSync(historyPath(root), `${JSON.stringify(entry)}\n`);
}

/** The recorded attempts, oldest first; a line that doesn't parse (a torn write) is skipped. */
export function readHistory(root) {
  const file = historyPath(root);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line);
        return isObject(entry) ? [entry] : [];
      } catch {
        return [];
      }
    });
}

/**
 * Takes the checkout's deploy lock: two deploys from one checkout would overwrite each other's build and
 * records. A lock left by a process that no longer runs is taken over.
 * @returns {() => void} releases it
 */
export function acquireLock(root) {
  const file = path.join(recordsDir(root), "lock");
  fs.mkdirSync(recordsDir(root), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid, since: new Date().toISOString() }), {
        flag: "wx",
      });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      let holder = null;
      try {
        holder = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch {
        // unreadable: treated as stale below
      }
      if (holder && Number.isInteger(holder.pid) && processRuns(holder.pid))
        throw new DeployError(
          `Another deploy (process ${holder.pid}, since ${holder.since}) is running from this checkout; ` +
            `wait for it, or remove ${path.relative(root, file)} if that process is gone`,
        );
      fs.rmSync(file, { force: true });
    }
  }
  throw new DeployError("Could not take the deploy lock");
}

function processRuns(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/**
 * Keeps the builds a rollback may need: every artifact a project's state still points at (a group deployed
 * long ago is rolled back to it), plus those of the last KEEP_GOOD_ARTIFACTS successful deploys. Deletes the rest.
 * @returns {string[]} the ids removed
 */
export function pruneArtifacts(root, state, history) {
  const dir = artifactsDir(root);
  if (!fs.existsSync(dir)) return [];
  const keep = new Set();
  for (const project of Object.values(state.projects))
    for (const target of Object.values(project.targets)) if (target.artifact) keep.add(target.artifact);
  const good = history.filter((e) => e.outcome === "succeeded" && isText(e.artifact)).map((e) => e.artifact);
  for (const id of [...new Set(good.reverse())].slice(0, KEEP_GOOD_ARTIFACTS)) keep.add(id);
  const removed = [];
  for (const id of fs.readdirSync(dir)) {
    if (keep.has(id)) continue;
    fs.rmSync(path.join(dir, id), { recursive: true, force: true });
    removed.push(id);
  }
  return removed;
}
