// Bench phase 4: the Agent Studio. Builds the web app for production (`npm run build -w web`), measures every
// JS chunk raw and gzipped and the initial JS (the entry script and module preloads of index.html, with the
// chunks they import statically: what the browser must fetch before the first screen), then starts the
// compiled local runtime as a child process (as `npm start` runs it) and measures the first load of /agents
// in Debian's Chromium: navigation start → the agents table painted, each run in a fresh browser context (empty
// cache, signed in), the runtime warm. Prints one JSON line; asserts nothing. Without /usr/bin/chromium (or
// CHROMIUM_PATH) the load time is skipped, with the reason.
/* global window, document, MutationObserver, requestAnimationFrame -- in functions that run in the page */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { percentile, startRuntime, stopRuntime } from "./common.mjs";

const [dataDir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 10);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dist = path.join(root, "web", "dist");
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

// ----- the production build and its chunks ---------------------------------------------------------------
const build = spawnSync("npm", ["run", "build", "-w", "web"], { cwd: root, encoding: "utf8" });
if (build.status !== 0) {
  process.stderr.write(`${build.stdout}\n${build.stderr}\n`);
  throw new Error(`npm run build -w web failed with exit code ${build.status}`);
}

const assets = path.join(dist, "assets");
/** Gzip at zlib's default level, as a web server sends it. */
const gzipped = (bytes) => zlib.gzipSync(bytes).length;
const chunks = fs
  .readdirSync(assets)
  .filter((f) => f.endsWith(".js"))
  .map((file) => {
    const bytes = fs.readFileSync(path.join(assets, file));
    return { file, bytes: bytes.length, gzip: gzipped(bytes), source: bytes.toString("utf8") };
  });
const byFile = new Map(chunks.map((c) => [c.file, c]));

// What index.html loads (the entry) and preloads; then, to be sure, every chunk those import statically.
const html = fs.readFileSync(path.join(dist, "index.html"), "utf8");
const loaded = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="\/assets\/([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/assets\/([^"]+\.js)"/g),
].map((m) => m[1]);
const entry = /<script[^>]*type="module"[^>]*src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
if (!entry) throw new Error("web/dist/index.html loads no module script");
/** Static `import … from "./x.js"`, `import "./x.js"` and `export … from "./x.js"`; never `import("./x.js")`. */
const staticImport = /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]+from\s*)?["']\.\/([^"']+\.js)["']/g;
const initial = new Set();
const pending = [...loaded];
while (pending.length > 0) {
  const file = pending.pop();
  if (initial.has(file)) continue;
  const chunk = byFile.get(file);
  if (!chunk) throw new Error(`index.html names ${file}, which the build did not write`);
  initial.add(file);
  for (const m of chunk.source.matchAll(staticImport)) pending.push(m[1]);
}
const initialChunks = chunks.filter((c) => initial.has(c.file));
const sum = (xs, key) => xs.reduce((n, x) => n + x[key], 0);

// ----- the first load of /agents ------------------------------------------------------------------------
/** The runtime with the demo data, and the demo owner's sign-in it prints. */
async function startStudioRuntime() {
  const signInLine = /Studio sign-in\s+(\S+) \/ (\S+)/;
  const runtime = await startRuntime(path.join(dataDir, "studio-runtime"), {}, (log) => signInLine.test(log));
  const [, email, password] = signInLine.exec(runtime.log);
  return { ...runtime, email, password };
}

/** Records when the agents table is first painted: the frame after its first row enters the DOM. */
function watchAgentsTable() {
  const seen = () => document.querySelector('table[aria-label="Agents"] tbody tr') !== null;
  const observer = new MutationObserver(() => {
    if (window.__agentsVisibleAt !== undefined || !seen()) return;
    observer.disconnect();
    requestAnimationFrame(() => (window.__agentsVisibleAt = performance.now()));
  });
  observer.observe(document, { childList: true, subtree: true });
}

async function measureFirstLoads() {
  const { chromium } = await import("playwright-core");
  const runtime = await startStudioRuntime();
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const contextOptions = { viewport: { width: 1280, height: 800 }, locale: "en-US" };
    // Signed in once through the sign-in page; each run then starts from that session in a fresh context.
    const signInContext = await browser.newContext(contextOptions);
    const signInPage = await signInContext.newPage();
    await signInPage.goto(`${runtime.url}/sign-in`);
    await signInPage.getByLabel("Email").fill(runtime.email);
    await signInPage.getByLabel("Password").fill(runtime.password);
    await signInPage.getByRole("button", { name: "Sign in" }).click();
    await signInPage
      .getByRole("table", { name: "Agents" })
      .waitFor({ timeout: 30_000 })
      .catch(async (e) => {
        const text = await signInPage.evaluate(() => document.body.innerText).catch(() => "");
        throw new Error(
          `signed in, but no agents table at ${signInPage.url()}: ${e.message}\npage text: ${text.slice(0, 800)}`,
        );
      });
    const storageState = await signInContext.storageState();
    await signInContext.close();

    const samples = [];
    // One warm-up load (not counted): the runtime's first requests open files and fill its caches.
    for (let run = 0; run <= runs; run++) {
      const context = await browser.newContext({ ...contextOptions, storageState });
      try {
        const page = await context.newPage();
        await page.addInitScript(watchAgentsTable);
        await page.goto(`${runtime.url}/agents`);
        await page.waitForFunction(() => window.__agentsVisibleAt !== undefined, undefined, {
          timeout: 30_000,
        });
        const sample = await page.evaluate(() => {
          const nav = performance.getEntriesByType("navigation")[0];
          const scripts = performance.getEntriesByType("resource").filter((r) => r.name.endsWith(".js"));
          return {
            ms: window.__agentsVisibleAt,
            domContentLoadedMs: nav.domContentLoadedEventEnd,
            jsFiles: scripts.length,
            jsTransferBytes: scripts.reduce((n, r) => n + r.transferSize, 0),
          };
        });
        if (run > 0) samples.push(sample);
      } finally {
        await context.close();
      }
    }
    const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
    const dcl = samples.map((s) => s.domContentLoadedMs).sort((a, b) => a - b);
    return {
      runs: samples.length,
      p50: percentile(ms, 50),
      p95: percentile(ms, 95),
      min: ms[0],
      max: ms.at(-1),
      domContentLoadedP50: percentile(dcl, 50),
      jsFiles: samples[0].jsFiles,
      jsTransferBytes: samples[0].jsTransferBytes,
    };
  } finally {
    await browser.close();
    await stopRuntime(runtime.child);
  }
}

const firstLoad = fs.existsSync(chromiumPath) ? await measureFirstLoads() : null;

console.log(
  JSON.stringify({
    chunks: chunks
      .map(({ file, bytes, gzip }) => ({ file, bytes, gzip, initial: initial.has(file) }))
      .sort((a, b) => b.gzip - a.gzip),
    entry,
    initial: {
      files: initialChunks.map((c) => c.file),
      bytes: sum(initialChunks, "bytes"),
      gzip: sum(initialChunks, "gzip"),
    },
    total: { files: chunks.length, bytes: sum(chunks, "bytes"), gzip: sum(chunks, "gzip") },
    firstLoad,
    firstLoadSkipped: firstLoad
      ? null
      : `Chromium is not installed at ${chromiumPath} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  }),
);
