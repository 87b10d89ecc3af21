// The few git questions the deploy asks: which commit is checked out, whether the tree is clean, what changed
// since a commit. `.deployment/` (the deploy's own records) never counts as a change.
import { spawnSync } from "node:child_process";
import { DeployError } from "./error.mjs";

const ownRecords = (file) => file === ".deployment" || file.startsWith(".deployment/");

/** Runs git in `root`; throws a DeployError carrying git's own message when it fails. */
export function git(root, args) {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new DeployError(`git could not run (${result.error.message}): is git installed?`);
  if (result.status !== 0)
    throw new DeployError(`git ${args.join(" ")} failed: ${result.stderr.trim() || `exit ${result.status}`}`);
  return result.stdout;
}

const nulList = (out) => out.split("\0").filter((f) => f !== "");

/** The repository's top folder containing `dir`. */
export function repositoryRoot(dir) {
  const result = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd: dir, encoding: "utf8" });
  if (result.status !== 0)
    throw new DeployError(
      `${dir} is not inside a git repository: the deploy records which commit it deployed, so it needs one`,
    );
  return result.stdout.trim();
}

/** The checked-out commit (40 hex digits). */
export const headCommit = (root) => git(root, ["rev-parse", "--verify", "HEAD^{commit}"]).trim();

/** Whether `commit` exists in this clone (a shallow CI clone may not have the last deploy's commit). */
export function hasCommit(root, commit) {
  if (!/^[0-9a-f]{40}$/.test(commit)) return false;
  return spawnSync("git", ["cat-file", "-e", `${commit}^{commit}`], { cwd: root }).status === 0;
}

/** Files that differ from the commit (tracked changes, staged or not), not yet committed, or untracked. */
export function uncommittedFiles(root) {
  return nulList(git(root, ["status", "--porcelain", "-z", "--untracked-files=all"]))
    .filter((entry) => /^[ MADRCU?!]{2} /.test(entry))
    .map((entry) => entry.slice(3))
    .filter((file) => !ownRecords(file));
}

/** Every file whose content in the working tree differs from `commit`: changed, added, deleted or untracked. */
export function filesChangedSince(root, commit) {
  const tracked = nulList(git(root, ["diff", "--name-only", "--no-renames", "-z", commit, "--"]));
  const untracked = nulList(git(root, ["ls-files", "--others", "--exclude-standard", "-z"]));
  return [...new Set([...tracked, ...untracked])].filter((file) => !ownRecords(file)).sort();
}

/** The files under `dir` git would commit (tracked, plus untracked ones not ignored). */
export const filesUnder = (root, dir) =>
  nulList(git(root, ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", dir])).sort();

/** Who deploys: git's user.name <user.email>, else the login name. */
export function deployer(root) {
  const read = (key) =>
    spawnSync("git", ["config", key], { cwd: root, encoding: "utf8" }).stdout?.trim() ?? "";
  const name = read("user.name");
  const email = read("user.email");
  if (name && email) return `${name} <${email}>`;
  return name || email || process.env.USER || process.env.USERNAME || "unknown";
}
