/**
 * Local mode's data folder is owner-only: it holds every tenant's documents, password hashes and the session
 * secret. New folders are 0700 and files 0600 whatever the umask, and a folder an older version left
 * world-readable is tightened when the platform opens it again.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "@alchemist/functions/platform/config";
import { openLocalDeps, type LocalDeps } from "./deps.js";

const modeOf = (p: string): number => fs.statSync(p).mode & 0o777;

/** Every folder and file below `root`, with its mode. */
function walk(root: string): { path: string; dir: boolean; mode: number }[] {
  const out: { path: string; dir: boolean; mode: number }[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    out.push({ path: full, dir: entry.isDirectory(), mode: modeOf(full) });
    if (entry.isDirectory()) out.push(...walk(full));
  }
  return out;
}

let deps: LocalDeps | undefined;
let dataDir: string;
const previousUmask = process.umask();

afterEach(() => {
  deps?.local.close();
  deps = undefined;
  process.umask(previousUmask);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("the local data folder", () => {
  it("is created owner-only, with the database and every stored file 0600, even under a permissive umask", async () => {
    process.umask(0o000);
    dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-modes-")), "data");
    deps = await openLocalDeps(loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir }));
    await deps.store.set("tenants/acme", { name: "Acme" });
    await deps.blobs.put(
      "tenants/acme/knowledgeBases/kb/documents/d/v1/salaries.csv",
      Buffer.from("name,salary\n"),
    );

    expect(modeOf(dataDir)).toBe(0o700);
    const entries = walk(dataDir);
    expect(entries.map((e) => path.basename(e.path))).toEqual(
      expect.arrayContaining(["alchemist.sqlite", "alchemist.sqlite-wal", "alchemist.sqlite-shm", "blobs"]),
    );
    for (const e of entries) expect([e.path, e.mode]).toEqual([e.path, e.dir ? 0o700 : 0o600]);
  });

  it("tightens a folder and database an older version left readable by everyone", async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-modes-"));
    const first = await openLocalDeps(loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir }));
    await first.store.set("tenants/acme", { name: "Acme" });
    first.local.close();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, "alchemist.sqlite"), 0o644);

    deps = await openLocalDeps(loadConfig({ ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir }));
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(path.join(dataDir, "alchemist.sqlite"))).toBe(0o600);
    expect((await deps.store.get("tenants/acme"))?.data).toEqual({ name: "Acme" });
  });
});
