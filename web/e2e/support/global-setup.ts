/**
 * Vitest global setup of the e2e suite: one platform for the whole run (started like `npm start`, on a free
 * port and a fresh data folder), stopped at the end whatever happened. Without Chromium nothing starts and
 * every test reports itself skipped, with the reason.
 */
import fs from "node:fs";
import type { TestProject } from "vitest/node";
import { artifactsDir, chromiumMissing } from "./browser";
import { startPlatform, type PlatformInfo } from "./platform";

declare module "vitest" {
  export interface ProvidedContext {
    /** The running platform; null when the suite is skipped. */
    platform: PlatformInfo | null;
    /** Why every e2e test is skipped (no Chromium), or null. */
    skipReason: string | null;
  }
}

export default async function setup(project: TestProject) {
  // Screenshots and the axe report are this run's: stale ones from an earlier run would mislead a reviewer.
  fs.rmSync(artifactsDir, { recursive: true, force: true });
  fs.mkdirSync(artifactsDir, { recursive: true });

  if (chromiumMissing) {
    console.warn(`\n[e2e] ${chromiumMissing}\n`);
    project.provide("platform", null);
    project.provide("skipReason", chromiumMissing);
    return;
  }
  const platform = await startPlatform();
  console.log(`[e2e] the platform runs at ${platform.url} (data in ${platform.dataDir})`);
  const { output: _output, stop, ...info } = platform;
  project.provide("platform", info);
  project.provide("skipReason", null);
  return async () => {
    await stop();
  };
}
