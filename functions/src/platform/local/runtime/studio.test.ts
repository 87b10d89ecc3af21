/**
 * The built studio as the local runtime serves it: files as they are, index.html for the studio's own
 * routes (client-side routing), and a 404 for Firebase Hosting's reserved `/__/` URLs, which the studio
 * reads to tell Firebase mode (Hosting answers /__/firebase/init.json) from local mode.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config.js";
import { openLocalDeps, type LocalDeps } from "../deps.js";
import { startHost, type RunningHost } from "./host.js";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-studio-"));
const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-web-"));
const indexHtml = '<!doctype html><html><body><div id="root"></div></body></html>';

let deps: LocalDeps;
let host: RunningHost;

beforeAll(async () => {
  fs.writeFileSync(path.join(webRoot, "index.html"), indexHtml);
  fs.mkdirSync(path.join(webRoot, "assets"));
  fs.writeFileSync(path.join(webRoot, "assets", "index-abc123.js"), "console.log('studio');");
  deps = await openLocalDeps(
    loadConfig({
      ALCHEMIST_MODE: "local",
      ALCHEMIST_DATA_DIR: dataDir,
      PORT: "0",
      GCLOUD_PROJECT: "demo-test",
    }),
  );
  host = await startHost({ deps, exports: {}, rewrites: [], webRoot, bucket: "demo-test.appspot.com" });
});

afterAll(async () => {
  await host.close();
  deps.local.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(webRoot, { recursive: true, force: true });
});

describe("the local runtime serving the studio", () => {
  it("serves the built files, and index.html for the studio's client-side routes", async () => {
    const asset = await fetch(`${host.url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe("console.log('studio');");

    const page = await fetch(`${host.url}/agents/agt_hr/playground`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toBe(indexHtml);
  });

  it("answers 404 for Firebase Hosting's reserved /__/ URLs, so the studio knows it is in local mode", async () => {
    for (const url of ["/__/firebase/init.json", "/__/firebase/init.js", "/__/auth/handler"]) {
      const res = await fetch(`${host.url}${url}`, { headers: { accept: "application/json" } });
      expect(res.status, url).toBe(404);
      expect(await res.json(), url).toEqual({
        error: { code: "not-found", message: expect.stringContaining("No route") },
      });
    }
  });
});
