/**
 * The disk fills up under a running runtime (a real one: its data folder is a small tmpfs in a mount
 * namespace of its own, filled by `dd`). Reads keep working, because the rate limiter lets reads through
 * when it cannot record them, and says so in the log; writes are refused with a clear 503; `/health` says
 * `degraded` and why. Once space is freed, writes work again without a restart.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startChildRuntime,
  stopChildRuntime,
  type ChildRuntime,
} from "@alchemist/local/testing/child-runtime";

/** A user namespace with its own mounts: what this test needs, and what a locked-down machine may refuse. */
const namespaces = spawnSync("unshare", ["--user", "--map-root-user", "--mount", "true"]).status === 0;

const ownerKey = "alk_disk_full_owner_key_for_tests_0123456789";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-diskfull-"));
const dataDir = path.join(work, "data");
const fill = path.join(work, "fill");
const free = path.join(work, "free");
let runtime: ChildRuntime;

/** Mounts a 64 MB tmpfs on the data folder, runs the runtime, fills the disk on `fill`, frees it on `free`. */
const wrapper = `
set -e
mount -t tmpfs -o size=64m,mode=0700 tmpfs "$DATA"
"$NODE" "$ENTRY" & pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 0' TERM INT
while [ ! -e "$FILL" ]; do sleep 0.05; kill -0 $pid 2>/dev/null || exit 1; done
dd if=/dev/zero of="$DATA/filler" bs=65536 2>/dev/null || true
touch "$FILL.done"
while [ ! -e "$FREE" ]; do sleep 0.05; kill -0 $pid 2>/dev/null || exit 1; done
rm -f "$DATA/filler"
touch "$FREE.done"
wait $pid
`;

async function waitFor(file: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} never appeared:\n${runtime.output().slice(-2000)}`);
    await sleep(50);
  }
}

const call = (pathname: string, init: RequestInit = {}) =>
  fetch(`${runtime.url}${pathname}`, {
    ...init,
    headers: { authorization: `Bearer ${ownerKey}`, "content-type": "application/json", ...init.headers },
  });

async function health(): Promise<{
  status: string;
  checks: Record<string, { status: string; detail?: string }>;
}> {
  return (await (await fetch(`${runtime.url}/health`)).json()) as {
    status: string;
    checks: Record<string, { status: string; detail?: string }>;
  };
}

/** `/health` reuses a write probe for a few seconds: ask until it reports `status`. */
async function healthBecomes(status: string): Promise<Awaited<ReturnType<typeof health>>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const report = await health();
    if (report.status === status || Date.now() > deadline) return report;
    await sleep(250);
  }
}

beforeAll(async () => {
  if (!namespaces) return;
  fs.mkdirSync(dataDir);
  runtime = await startChildRuntime(
    dataDir,
    { ALCHEMIST_API_KEY: ownerKey, LOG_LEVEL: "WARNING", DATA: dataDir, FILL: fill, FREE: free },
    (node, entry) => [
      "env",
      [
        `NODE=${node}`,
        `ENTRY=${entry}`,
        "unshare",
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        wrapper,
      ],
    ],
  );
}, 60_000);

afterAll(async () => {
  if (runtime) await stopChildRuntime(runtime);
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!namespaces)("a full disk (needs user and mount namespaces: unshare)", () => {
  it("keeps reads working, refuses writes with a clear 503, and reports degraded health", async () => {
    const kb = await call("/v1/knowledge-bases", {
      method: "POST",
      body: JSON.stringify({ name: "Before" }),
    });
    expect(kb.status).toBe(201);
    expect((await health()).status).toBe("ok");

    fs.writeFileSync(fill, "");
    await waitFor(`${fill}.done`);

    for (let i = 0; i < 5; i++) {
      const read = await call("/v1/knowledge-bases");
      expect(read.status, await read.clone().text()).toBe(200);
      expect(
        ((await read.json()) as { knowledgeBases: { name: string }[] }).knowledgeBases.map((k) => k.name),
      ).toContain("Before");
    }
    const write = await call("/v1/agents", {
      method: "POST",
      body: JSON.stringify({ name: "During", knowledgeBaseIds: [] }),
    });
    expect(write.status).toBe(503);
    expect(((await write.json()) as { error: { message: string } }).error.message).toContain(
      "storage is full",
    );

    const degraded = await healthBecomes("degraded");
    expect(degraded.status).toBe("degraded");
    expect(degraded.checks.writes).toMatchObject({ status: "down", detail: expect.stringContaining("full") });
    expect(runtime.output()).toContain("letting reads through");
  });

  it("takes writes again once space is freed, without a restart", async () => {
    fs.writeFileSync(free, "");
    await waitFor(`${free}.done`);
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (
        await call("/v1/agents", {
          method: "POST",
          body: JSON.stringify({ name: "After", knowledgeBaseIds: [] }),
        })
      ).status;
      if (status === 201) break;
      await sleep(250);
    }
    expect(status).toBe(201);
    expect((await healthBecomes("ok")).status).toBe("ok");
  });
});
