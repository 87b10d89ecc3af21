// `npm run deploy:plan`: what would deploy to a Firebase project and why. Changed files (since the commit of the
// project's last successful deploy) explain; fingerprints decide: a target deploys when what firebase-tools
// would upload for it differs from what was deployed, so a comment-only change deploys nothing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { DeployError } from "./error.mjs";
import { filesChangedSince, hasCommit, headCommit, uncommittedFiles } from "./git.mjs";
import { dependencyOrder } from "./graph.mjs";
import { readState } from "./state.mjs";
import { classifyChange, readJsonFile, readLayout, readTargets } from "./targets.mjs";

export const DEFAULT_BUILD = "npm run build -w functions";

/**
 * The Firebase project to deploy to, as its id: --project, else ALCHEMIST_DEPLOY_PROJECT, else .firebaserc's
 * default. An alias from .firebaserc (`prod`) is turned into its project id, so records are per real project.
 * @returns {{ id: string, aliases: string[] }}
 */
export function resolveProject(root, requested) {
  const rcFile = path.join(root, ".firebaserc");
  const projects = fs.existsSync(rcFile) ? (readJsonFile(rcFile, ".firebaserc").projects ?? {}) : {};
  const name = requested || process.env.ALCHEMIST_DEPLOY_PROJECT || projects.default;
  if (!name)
    throw new DeployError(
      "Which Firebase project? Pass --project <id>, set ALCHEMIST_DEPLOY_PROJECT, or add a default to .firebaserc",
    );
  const id = typeof projects[name] === "string" ? projects[name] : name;
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(id))
    throw new DeployError(`"${id}" is not a Firebase project id`);
  const aliases = Object.entries(projects)
    .filter(([alias, value]) => value === id && alias !== id)
    .map(([alias]) => alias);
  return { id, aliases };
}

/** Builds functions/lib with the configured command; its output goes to stderr so --json stays parseable. */
export function buildFunctions(root, command) {
  const result = spawnSync(command, {
    cwd: root,
    shell: true,
    stdio: ["ignore", process.stderr, process.stderr],
  });
  if (result.status !== 0)
    throw new DeployError(
      `The build failed (${command}, exit ${result.status ?? result.signal}): nothing deployed`,
      1,
    );
}

/**
 * @typedef {{ target: string, deploy: boolean, fingerprint: string, previous: string | null, reason: string,
 *   files: string[] }} TargetPlan
 * @typedef {{ project: string, commit: string, dirty: string[],
 *   since: { commit: string, deployedAt: string, by: string } | null,
 *   changes: ({ file: string, targets: string[], reason: string } | { file: string, ignored: string })[] | null,
 *   targets: TargetPlan[], deploy: string[], command: string[] | null, removed: string[], warnings: string[] }} Plan
 */

/**
 * The plan for one project.
 * @param {{ root: string, project: string, all?: boolean, build?: boolean, buildCommand?: string }} options
 * @returns {Plan}
 */
export function makePlan({ root, project, all = false, build = true, buildCommand = DEFAULT_BUILD }) {
  const { id, aliases } = resolveProject(root, project);
  const state = readState(root);
  const layout = readLayout(root);
  if (build && layout.functionsDir !== null) buildFunctions(root, buildCommand);
  const envNames = [".env", `.env.${id}`, ...aliases.map((a) => `.env.${a}`)];
  const { targets, groups, reach, sourceEdges, warnings } = readTargets(root, layout, { envNames });
  const groupTargets = groups.map((g) => g.target);
  const deployed = state.projects[id] ?? null;
  const commit = headCommit(root);

  let changes = null;
  if (deployed && !hasCommit(root, deployed.commit))
    warnings.push(
      `The last deploy's commit ${deployed.commit.slice(0, 12)} is not in this clone (a shallow clone? fetch ` +
        "more history): changes can't be listed; fingerprints still decide what deploys",
    );
  else if (deployed) {
    const order = new Map(dependencyOrder(sourceEdges).map((file, i) => [file, i]));
    const rank = (file) =>
      layout.functionsDir !== null && file.startsWith(`${layout.functionsDir}/src/`)
        ? (order.get(file.slice(layout.functionsDir.length + 5)) ?? Infinity)
        : Infinity;
    changes = filesChangedSince(root, deployed.commit)
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
      .map((file) => {
        const c = classifyChange(file, { layout, reach, groupTargets });
        if ("ignored" in c && !fs.existsSync(path.join(root, file)))
          return { file, ignored: `deleted; ${c.ignored}` };
        return { file, ...c };
      });
  }

  const plans = targets.map(({ target, fingerprint }) => {
    const previous = deployed?.targets[target]?.fingerprint ?? null;
    const files = (changes ?? [])
      .filter((c) => "targets" in c && c.targets.includes(target))
      .map((c) => c.file);
    const changed = previous !== fingerprint;
    let reason;
    if (all) reason = "--all";
    else if (previous === null)
      reason = deployed ? "never deployed to this project" : "first deploy to this project";
    else if (!changed)
      reason =
        files.length > 0
          ? "unchanged: the changed files don't alter what is deployed (comments, formatting, types)"
          : "unchanged";
    else if (files.length > 0) reason = `changed by ${files.length} file${files.length === 1 ? "" : "s"}`;
    else if (changes === null) reason = "its fingerprint differs from the deployed one";
    else reason = "its build differs though no changed file maps to it (compiler, dependency or toolchain)";
    return { target, deploy: all || changed, fingerprint, previous, reason, files };
  });

  const deploy = plans.filter((p) => p.deploy).map((p) => p.target);
  const removed = deployed
    ? Object.keys(deployed.targets).filter((t) => t.startsWith("functions:") && !groupTargets.includes(t))
    : [];
  return {
    project: id,
    commit,
    dirty: uncommittedFiles(root),
    since: deployed ? { commit: deployed.commit, deployedAt: deployed.deployedAt, by: deployed.by } : null,
    changes,
    targets: plans,
    deploy,
    command: deploy.length > 0 ? ["deploy", "--only", deploy.join(","), "--project", id] : null,
    removed,
    warnings,
  };
}

const short = (fingerprint) => (fingerprint ? fingerprint.slice(0, 12) : "none");

/** The plan as the operator reads it: each change and where it leads, each target's verdict, the command. */
export function formatPlan(plan, firebaseBin = "firebase") {
  const lines = [`Deploy plan for ${plan.project} at ${plan.commit.slice(0, 12)}`];
  if (plan.since)
    lines.push(
      `  last deploy: ${plan.since.commit.slice(0, 12)} on ${plan.since.deployedAt} by ${plan.since.by}`,
    );
  else lines.push("  last deploy: none recorded for this project (.deployment/state.json)");
  if (plan.dirty.length > 0)
    lines.push(`  working tree: ${plan.dirty.length} uncommitted file(s), included in the plan`);
  if (plan.changes) {
    lines.push("", plan.changes.length === 0 ? "No file changed since." : "Changes, dependencies first:");
    for (const c of plan.changes)
      lines.push(
        "ignored" in c ? `  ${c.file}: ignored (${c.ignored})` : `  ${c.file} → ${c.targets.join(", ")}`,
      );
  }
  lines.push("", "Targets:");
  const width = Math.max(...plan.targets.map((t) => t.target.length));
  for (const t of plan.targets) {
    const verdict = t.deploy ? "deploy" : "skip  ";
    const fp = t.deploy && t.previous ? ` (${short(t.previous)} → ${short(t.fingerprint)})` : "";
    lines.push(`  ${verdict} ${t.target.padEnd(width)}  ${t.reason}${fp}`);
  }
  for (const t of plan.removed)
    lines.push(
      `  note   ${t} was deployed but is no longer exported: firebase deploy --only won't delete it ` +
        `(firebase functions:delete ${t.slice("functions:".length)} --project ${plan.project})`,
    );
  for (const w of plan.warnings) lines.push(`  warning: ${w}`);
  lines.push("");
  if (plan.command === null) lines.push(`Nothing to deploy to ${plan.project}.`);
  else lines.push("Command:", `  ${firebaseBin} ${plan.command.join(" ")}`);
  return lines.join("\n");
}
