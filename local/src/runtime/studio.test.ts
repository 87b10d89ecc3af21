/**
 * The built studio as the local runtime serves it: files as they are, index.html for the studio's own
 * routes (client-side routing), and Firebase Hosting's reserved `/__/` URLs never as the studio's page:
 * /__/firebase/init.json, which the studio reads to learn its mode, says local mode (built studio or not),
 * and every other one is a 404.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "@alchemist/functions/platform/config";
import { openLocalDeps, type LocalDeps } from "../adapters/deps.js";
import { startHost, type RunningHost } from "./host.js";
import { authenticate } from "@alchemist/functions/identity/authenticate";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-studio-"));
const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-web-"));
const indexHtml = '<!doctype html><html><body><div id="root"></div></body></html>';

let deps: LocalDeps;
let host: RunningHost;

async function startStudioHost(
  dataDir: string,
  webRoot: string,
): Promise<{ deps: LocalDeps; host: RunningHost }> {
  const deps = await openLocalDeps(
    loadConfig({
      ALCHEMIST_MODE: "local",
      ALCHEMIST_DATA_DIR: dataDir,
      PORT: "0",
      GCLOUD_PROJECT: "demo-test",
    }),
  );
  const host = await startHost({
    deps,
    authenticate,
    exports: {},
    rewrites: [],
    webRoot,
    bucket: "demo-test.appspot.com",
  });
  return { deps, host };
}

beforeAll(async () => {
  fs.writeFileSync(path.join(webRoot, "index.html"), indexHtml);
  fs.mkdirSync(path.join(webRoot, "assets"));
  fs.writeFileSync(path.join(webRoot, "assets", "index-abc123.js"), "console.log('studio');");
  ({ deps, host } = await startStudioHost(dataDir, webRoot));
});

afterAll(async () => {
  await host.close();
  deps.local.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(webRoot, { recursive: true, force: true });
});

/** What the studio reads at Hosting's init.json to learn its mode (web/src/data/firebase/mode.ts). */
const localModeBody = '{"alchemist":{"mode":"local"}}';

/** GET and HEAD of /__/firebase/init.json answer local mode, as JSON that is never cached. */
async function expectLocalModeInit(url: string): Promise<void> {
  const res = await fetch(`${url}/__/firebase/init.json`, { headers: { accept: "application/json" } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json\b/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(await res.text()).toBe(localModeBody);

  const head = await fetch(`${url}/__/firebase/init.json`, { method: "HEAD" });
  expect(head.status).toBe(200);
  expect(head.headers.get("content-type")).toMatch(/^application\/json\b/);
  expect(head.headers.get("cache-control")).toBe("no-store");
  expect(await head.text()).toBe("");
}

/** Hosting's other reserved URLs, and init.json asked anything but GET or HEAD: a 404 JSON error, never a page. */
async function expectReservedNotFound(url: string): Promise<void> {
  const asked = [
    ["GET", "/__/firebase/init.js"],
    ["GET", "/__/auth/handler"],
    ["GET", "/__/firebase/init.json/more"],
    ["GET", "/__/"],
    ["POST", "/__/firebase/init.json"],
  ] as const;
  for (const [method, pathname] of asked) {
    const res = await fetch(`${url}${pathname}`, { method, headers: { accept: "text/html" } });
    const what = `${method} ${pathname}`;
    expect(res.status, what).toBe(404);
    expect(res.headers.get("content-type"), what).toMatch(/^application\/json\b/);
    expect(await res.json(), what).toEqual({
      error: { code: "not-found", message: expect.stringContaining("No route") },
    });
  }
}

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

  it("answers Firebase Hosting's /__/firebase/init.json with local mode, so the studio knows its mode", async () => {
    await expectLocalModeInit(host.url);
  });

  it("answers 404 for Firebase Hosting's other reserved /__/ URLs, never the studio's page", async () => {
    await expectReservedNotFound(host.url);
  });

  it("gzips hashed assets for browsers that accept it and lets them be cached for good", async () => {
    const zipped = await rawGet("/assets/index-abc123.js", { "accept-encoding": "gzip, deflate, br" });
    expect(zipped.status).toBe(200);
    expect(zipped.headers["content-encoding"]).toBe("gzip");
    expect(zipped.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(zipped.headers.vary).toBe("Accept-Encoding");
    expect(gunzipSync(zipped.body).toString()).toBe("console.log('studio');");

    const plain = await rawGet("/assets/index-abc123.js", {});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(plain.body.toString()).toBe("console.log('studio');");

    // index.html is never cached: it names the current assets.
    const page = await rawGet("/agents", { "accept-encoding": "gzip" });
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect((await rawGet("/assets/missing.js", { "accept-encoding": "gzip" })).status).toBe(404);
    expect((await rawGet("/assets/..%2F..%2Fetc%2Fpasswd.js", { "accept-encoding": "gzip" })).status).toBe(
      404,
    );
  });
});

/** A GET without fetch's automatic decompression, to see the bytes and headers as sent. */
function rawGet(
  pathname: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${host.url}${pathname}`, { headers }, (res) => {
        const parts: Buffer[] = [];
        res.on("data", (d: Buffer) => parts.push(d));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }),
        );
      })
      .on("error", reject);
  });
}

describe("the studio's security headers", () => {
  const directives = (csp: string): Map<string, string> =>
    new Map(
      csp.split(";").map((d) => {
        const [name = "", ...values] = d.trim().split(/\s+/);
        return [name, values.join(" ")] as const;
      }),
    );

  it("sends a content security policy that forbids framing, with nosniff and no referrer, on pages and assets", async () => {
    for (const url of ["/agents", "/assets/index-abc123.js", "/missing-page"]) {
      const res = await fetch(`${host.url}${url}`, { headers: { accept: "text/html" } });
      const csp = directives(res.headers.get("content-security-policy") ?? "");
      expect(csp.get("frame-ancestors"), url).toBe("'none'");
      expect(csp.get("script-src"), url).toBe("'self'");
      expect(csp.get("object-src"), url).toBe("'none'");
      expect(res.headers.get("x-content-type-options"), url).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), url).toBe("DENY");
      expect(res.headers.get("referrer-policy"), url).toBe("no-referrer");
    }
  });

  it("asks Firebase Hosting for the same policy, with the Firebase services the studio talks to added", async () => {
    const firebaseJson = JSON.parse(
      fs.readFileSync(path.resolve(import.meta.dirname, "../../../firebase.json"), "utf8"),
    ) as { hosting: { headers: { source: string; headers: { key: string; value: string }[] }[] } };
    const all = firebaseJson.hosting.headers.find((h) => h.source === "**")?.headers ?? [];
    const header = (key: string) => all.find((h) => h.key.toLowerCase() === key)?.value;
    const local = (await fetch(`${host.url}/agents`)).headers;
    expect(header("x-content-type-options")).toBe(local.get("x-content-type-options"));
    expect(header("x-frame-options")).toBe(local.get("x-frame-options"));
    expect(header("referrer-policy")).toBe(local.get("referrer-policy"));
    const hosting = directives(header("content-security-policy") ?? "");
    const served = directives(local.get("content-security-policy") ?? "");
    for (const [name, value] of served) {
      if (name === "connect-src") expect(hosting.get(name)?.startsWith("'self' ")).toBe(true);
      else expect(hosting.get(name), name).toBe(value);
    }
    expect(hosting.get("connect-src")).toContain("https://*.googleapis.com");
  });
});

describe("the local runtime before the studio is built", () => {
  const unbuiltData = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-studio-unbuilt-"));
  // `npm start` passes web/dist whether or not `npm run build -w web` has made it: here, an empty folder.
  const unbuiltRoot = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-web-unbuilt-"));
  let unbuilt: { deps: LocalDeps; host: RunningHost };

  beforeAll(async () => {
    unbuilt = await startStudioHost(unbuiltData, unbuiltRoot);
  });

  afterAll(async () => {
    await unbuilt.host.close();
    unbuilt.deps.local.close();
    fs.rmSync(unbuiltData, { recursive: true, force: true });
    fs.rmSync(unbuiltRoot, { recursive: true, force: true });
  });

  it("still answers /__/firebase/init.json with local mode, and 404 for the other /__/ URLs", async () => {
    await expectLocalModeInit(unbuilt.host.url);
    await expectReservedNotFound(unbuilt.host.url);
    // No studio: its routes are a 404 too.
    expect((await fetch(`${unbuilt.host.url}/agents`)).status).toBe(404);
  });
});
