/**
 * What a Cloud Functions deploy installs is functions/package.json's dependencies, and Firebase mode must not
 * pay for local mode: no native module anywhere in that tree (the SQLite adapters are the `local/` workspace).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  gypfile?: boolean;
}

/** The directory of `name` as Node resolves it from `fromDir` (walking up node_modules folders). */
function packageDir(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name, "package.json");
    if (fs.existsSync(candidate)) return path.dirname(fs.realpathSync(candidate));
    if (path.dirname(dir) === dir) return null;
  }
}

const isNative = (dir: string, pkg: PackageJson): boolean =>
  pkg.gypfile === true || fs.existsSync(path.join(dir, "binding.gyp"));

/** Every package a production install of `dir` brings, with the native ones among them. */
function installedTree(dir: string): { packages: Set<string>; native: string[] } {
  const packages = new Set<string>();
  const native: string[] = [];
  const visit = (at: string) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(at, "package.json"), "utf8")) as PackageJson;
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      const depDir = packageDir(name, at);
      if (!depDir || packages.has(depDir)) continue; // an optional dependency for another platform
      packages.add(depDir);
      const dep = JSON.parse(fs.readFileSync(path.join(depDir, "package.json"), "utf8")) as PackageJson;
      if (isNative(depDir, dep)) native.push(dep.name);
      visit(depDir);
    }
  };
  visit(dir);
  return { packages, native };
}

describe("the deployed functions' dependencies", () => {
  it("hold no native module, directly or transitively", () => {
    const { packages, native } = installedTree(functionsDir);
    expect(packages.size).toBeGreaterThan(50); // the walk really followed the tree
    expect(native).toEqual([]);
  });

  it("would find one: the local workspace's tree has better-sqlite3", () => {
    const localDir = packageDir("@alchemist/local", functionsDir);
    expect(localDir).not.toBeNull();
    expect(installedTree(localDir!).native).toContain("better-sqlite3");
  });
});
