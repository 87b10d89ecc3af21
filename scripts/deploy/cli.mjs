#!/usr/bin/env node
// The smart deploy's commands (docs/deploy.md):
//   npm run deploy:plan -- [--project P] [--all] [--json] [--no-build]
//   npm run deploy -- [--project P] [--all] [--url URL] [--allow-dirty] [--skip-checks] [--no-build]
//   npm run deploy:status -- [--project P] [--json] [--no-build]
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { deploy } from "./deploy.mjs";
import { DeployError } from "./error.mjs";
import { repositoryRoot } from "./git.mjs";
import { buildFunctions, DEFAULT_BUILD, formatPlan, makePlan, resolveProject } from "./plan.mjs";
import { readHistory, readState } from "./state.mjs";

const usage = `Usage: node scripts/deploy/cli.mjs <plan|deploy|status> [options]   (npm run deploy:plan -- …)

  --project P        the Firebase project (id or .firebaserc alias); default: ALCHEMIST_DEPLOY_PROJECT, then
                     .firebaserc's default. status without it shows every project deployed from this checkout
  --all              deploy every target, changed or not
  --json             plan and status: print JSON for machines (build output goes to stderr)
  --no-build         don't build functions/lib first (fingerprint the build already there)
  --url URL          deploy: the deployed API to check (/health, the canary conversation) and to send the
                     deploy record to; default ALCHEMIST_DEPLOY_URL, else https://<project>.web.app
  --allow-dirty      deploy: deploy a working tree with uncommitted changes (recorded as dirty)
  --skip-checks      deploy: no post-deploy checks (recorded)
  --check-attempts N deploy: how many times /health is tried, 5 s apart (default 3)

Environment: FIREBASE_BIN (default "npx firebase"), ALCHEMIST_DEPLOY_BUILD (default "${DEFAULT_BUILD}"),
ALCHEMIST_CANARY_AGENT, ALCHEMIST_CANARY_KEY, ALCHEMIST_CANARY_MESSAGE, MONITOR_OPERATOR_TOKEN.
Exit status: 0 done (or nothing to do), 1 the build, deploy or a check failed, 2 a refusal or bad input.`;

/** Runs one command; returns the exit status. */
export async function main(argv, cwd = process.cwd()) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      project: { type: "string" },
      all: { type: "boolean" },
      json: { type: "boolean" },
      "no-build": { type: "boolean" },
      url: { type: "string" },
      "allow-dirty": { type: "boolean" },
      "skip-checks": { type: "boolean" },
      "check-attempts": { type: "string" },
      help: { type: "boolean" },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!["plan", "deploy", "status"].includes(command) || extra.length > 0)
    throw new DeployError(`Expected one command, plan, deploy or status\n\n${usage}`);
  const root = repositoryRoot(cwd);
  const build = !values["no-build"];
  const buildCommand = process.env.ALCHEMIST_DEPLOY_BUILD || DEFAULT_BUILD;

  if (command === "plan") {
    const plan = makePlan({ root, project: values.project, all: values.all, build, buildCommand });
    console.log(
      values.json ? JSON.stringify(plan, null, 2) : formatPlan(plan, process.env.FIREBASE_BIN || "firebase"),
    );
    return 0;
  }

  if (command === "deploy") {
    let checkAttempts = 3;
    if (values["check-attempts"] !== undefined) {
      checkAttempts = Number(values["check-attempts"]);
      if (!Number.isInteger(checkAttempts) || checkAttempts < 1 || checkAttempts > 20)
        throw new DeployError("--check-attempts takes a whole number from 1 to 20");
    }
    if (values.url !== undefined && !/^https?:\/\/[^\s/]+/.test(values.url))
      throw new DeployError(`--url must be an http(s) URL, not "${values.url}"`);
    const { outcome } = await deploy({
      root,
      project: values.project,
      all: values.all,
      build,
      buildCommand,
      allowDirty: values["allow-dirty"],
      url: values.url,
      skipChecks: values["skip-checks"],
      checkAttempts,
    });
    return outcome === "succeeded" || outcome === "nothing" ? 0 : 1;
  }

  // status: what is deployed where, and what changed since.
  const state = readState(root);
  const history = readHistory(root);
  const projects = values.project
    ? [resolveProject(root, values.project).id]
    : Object.keys(state.projects).sort();
  if (projects.length === 0) {
    console.log(values.json ? JSON.stringify({ projects: [] }) : "Nothing deployed from this checkout yet.");
    return 0;
  }
  if (build) buildFunctions(root, buildCommand);
  const report = projects.map((project) => {
    const plan = makePlan({ root, project, build: false });
    const attempts = history.filter((e) => e.project === project);
    return { project, deployed: state.projects[project] ?? null, lastAttempt: attempts.at(-1) ?? null, plan };
  });
  if (values.json) {
    console.log(JSON.stringify({ projects: report }, null, 2));
    return 0;
  }
  for (const { project, deployed, lastAttempt, plan } of report) {
    console.log(`${project}`);
    if (!deployed) console.log("  nothing deployed from this checkout");
    else {
      console.log(`  ${deployed.commit.slice(0, 12)} deployed ${deployed.deployedAt} by ${deployed.by}`);
      const width = Math.max(...Object.keys(deployed.targets).map((t) => t.length));
      for (const [target, t] of Object.entries(deployed.targets).sort())
        console.log(
          `    ${target.padEnd(width)}  ${t.fingerprint.slice(0, 12)}  from ${t.commit.slice(0, 12)} at ${t.deployedAt}`,
        );
    }
    if (lastAttempt && lastAttempt.outcome !== "succeeded")
      console.log(
        `  last attempt: ${lastAttempt.outcome} at ${lastAttempt.finishedAt}: ${lastAttempt.error}`,
      );
    const files = plan.changes?.length ?? 0;
    console.log(
      plan.deploy.length === 0
        ? `  since: nothing to deploy (${files} file(s) changed)`
        : `  since: would deploy ${plan.deploy.join(", ")} (${files} file(s) changed; npm run deploy:plan -- --project ${project})`,
    );
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error) => {
      if (error instanceof DeployError || error?.code?.startsWith?.("ERR_PARSE_ARGS")) {
        console.error(error.message);
        process.exit(error.exitCode ?? 2);
      }
      throw error;
    },
  );
}
