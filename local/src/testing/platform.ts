/**
 * An in-process local platform for tests: the real function exports hosted by the local runtime over a
 * temp data folder, with two tenants and keys of each role. Tests talk to it over real HTTP.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@alchemist/functions/platform/config";
import { setDeps } from "@alchemist/functions/platform/process-deps";
import { createApiKey } from "@alchemist/functions/identity/api-keys";
import { createTenant } from "@alchemist/functions/identity/tenants";
import { changePlan } from "@alchemist/functions/billing/ledger";
import { type Role } from "@alchemist/functions/platform/caller";
import { openLocalDeps, type LocalDeps } from "../adapters/deps.js";
import { startHost, type RunningHost } from "../runtime/host.js";
import { authenticate } from "@alchemist/functions/identity/authenticate";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export interface TestPlatform {
  readonly url: string;
  readonly deps: LocalDeps;
  readonly host: RunningHost;
  /** Keys of tenant `acme` by role, and the owner key of tenant `globex`. */
  readonly keys: Record<Role, string> & { otherTenantOwner: string };
  fetch(pathname: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestPlatform(env: Record<string, string> = {}): Promise<TestPlatform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-test-"));
  process.env.GCLOUD_PROJECT ??= "demo-alchemist";
  process.env.FIREBASE_CONFIG ??= JSON.stringify({
    projectId: "demo-alchemist",
    storageBucket: "demo-alchemist.appspot.com",
  });
  process.env.LOG_LEVEL ??= "ERROR"; // expected failures (bad uploads) would otherwise fill the test output
  const config = loadConfig({ ...env, ALCHEMIST_MODE: "local", ALCHEMIST_DATA_DIR: dataDir, PORT: "0" });
  const deps = await openLocalDeps(config);
  setDeps(deps);
  const exports = (await import("@alchemist/functions")) as Record<string, unknown>;
  const firebaseJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "firebase.json"), "utf8")) as {
    hosting: { rewrites: { source: string; function?: string }[] };
  };
  const host = await startHost({
    deps,
    authenticate,
    exports,
    rewrites: firebaseJson.hosting.rewrites.flatMap((r) =>
      r.function ? [{ source: r.source, function: r.function }] : [],
    ),
    bucket: "demo-alchemist.appspot.com",
  });

  await createTenant(deps, "acme", "Acme");
  await createTenant(deps, "globex", "Globex");
  // Tests exercise features, not plans: both workspaces start without limits (billing's tests set plans).
  await changePlan(deps, "acme", "enterprise");
  await changePlan(deps, "globex", "enterprise");
  const keys = {} as Record<Role, string> & { otherTenantOwner: string };
  for (const role of ["viewer", "editor", "admin", "owner"] as const) {
    keys[role] = (await createApiKey(deps, "acme", { name: role, role })).key;
  }
  keys.otherTenantOwner = (await createApiKey(deps, "globex", { name: "owner", role: "owner" })).key;

  return {
    url: host.url,
    deps,
    host,
    keys,
    fetch: (pathname, init = {}) => {
      const { key = keys.owner, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key) headers.set("authorization", `Bearer ${key}`);
      if (json !== undefined) headers.set("content-type", "application/json");
      return fetch(`${host.url}${pathname}`, {
        ...rest,
        headers,
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
    },
    close: async () => {
      await host.close();
      setDeps(undefined);
      deps.local.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
