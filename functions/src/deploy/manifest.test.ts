/**
 * What firebase-tools would deploy: the manifest is produced by firebase-functions' own discovery
 * binary from the compiled functions (`npm test` builds them first), so a broken deploy is caught offline.
 * The cold-start check loads the same entry point and records every package it pulls in.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { embedQueue, ingestQueue, ingestRetry } from "../knowledge/ingest.js";
import { followQueue, followRetry } from "../tuning/follow.js";

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const repoRoot = path.resolve(functionsDir, "..");
const env = {
  ...process.env,
  GCLOUD_PROJECT: "demo-alchemist",
  FIREBASE_CONFIG: JSON.stringify({
    projectId: "demo-alchemist",
    storageBucket: "demo-alchemist.appspot.com",
  }),
};

interface Manifest {
  endpoints: Record<
    string,
    Record<string, unknown> & { region?: string[]; secretEnvironmentVariables?: { key: string }[] }
  >;
  params: { name: string; type?: string }[];
  requiredAPIs: { api: string }[];
}

let manifest: Manifest;

beforeAll(() => {
  if (!fs.existsSync(path.join(functionsDir, "lib", "index.js"))) {
    throw new Error("functions/lib is missing: run `npm run build -w functions` (npm test does it first)");
  }
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "manifest-")), "functions.json");
  const bin = path.join(
    repoRoot,
    "node_modules",
    "firebase-functions",
    "lib",
    "bin",
    "firebase-functions.js",
  );
  const result = spawnSync(process.execPath, [bin, functionsDir], {
    env: { ...env, FUNCTIONS_MANIFEST_OUTPUT_PATH: out },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`discovery failed: ${result.stderr}`);
  manifest = JSON.parse(fs.readFileSync(out, "utf8")) as Manifest;
});

describe("deploy manifest", () => {
  it("declares exactly the functions of each group, in one region", () => {
    expect(Object.keys(manifest.endpoints).sort()).toEqual([
      "agents-converse",
      "api",
      "billing-daily",
      "billing-meter",
      "billing-reportUsage",
      "billing-stripeEvent",
      "billing-sweep",
      "identity-acceptInvitation",
      "identity-createTenant",
      "identity-switchTenant",
      "knowledge-embedChunks",
      "knowledge-ingestDocument",
      "knowledge-onDocumentUploaded",
      "knowledge-sweepOutdatedEmbeddings",
      "knowledge-sweepStalledDocuments",
      "monitor-notify",
      "monitor-tick",
      "narrative-observeAnswers",
      "privacy-enforceRetention",
      "sandbox-runEval",
      "tuning-followJob",
      "whatsapp-reply",
    ]);
    for (const endpoint of Object.values(manifest.endpoints)) {
      expect(endpoint.platform).toBe("gcfv2");
      expect(endpoint.region).toEqual(["us-central1"]);
    }
  });

  it("gives each function the trigger it is wired for", () => {
    expect(manifest.endpoints.api).toHaveProperty("httpsTrigger");
    expect(manifest.endpoints["agents-converse"]).toHaveProperty("callableTrigger");
    expect(manifest.endpoints["knowledge-onDocumentUploaded"]?.eventTrigger).toMatchObject({
      eventType: "google.cloud.storage.object.v1.finalized",
      eventFilters: { bucket: "demo-alchemist.appspot.com" },
    });
    for (const queue of [ingestQueue, embedQueue]) {
      expect(manifest.endpoints[queue]?.taskQueueTrigger).toMatchObject({ retryConfig: ingestRetry });
    }
    expect(manifest.endpoints["whatsapp-reply"]?.taskQueueTrigger).toMatchObject({
      retryConfig: { maxAttempts: 5 },
    });
    // The meter: every new usage event, retried until folded (metering is idempotent).
    expect(manifest.endpoints["billing-meter"]?.eventTrigger).toMatchObject({
      eventType: "google.cloud.firestore.document.v1.created",
      eventFilterPathPatterns: { document: "tenants/{tenantId}/usageEvents/{eventId}" },
      retry: true,
    });
    for (const name of ["billing-stripeEvent", "billing-reportUsage"]) {
      expect(manifest.endpoints[name]).toHaveProperty("taskQueueTrigger");
    }
    for (const name of ["billing-sweep", "billing-daily"]) {
      expect(manifest.endpoints[name]).toHaveProperty("scheduleTrigger");
    }
    // Drift: every new trace, off the turn's path, retried (observing a trace twice changes nothing).
    expect(manifest.endpoints["narrative-observeAnswers"]?.eventTrigger).toMatchObject({
      eventType: "google.cloud.firestore.document.v1.created",
      eventFilterPathPatterns: { document: "tenants/{tenantId}/traces/{traceId}" },
      retry: true,
    });
    // The monitor's minute: checks, probes, rollups, alerts; and the queue that delivers notifications.
    expect(manifest.endpoints["monitor-tick"]?.scheduleTrigger).toMatchObject({
      schedule: "every 1 minutes",
    });
    expect(manifest.endpoints["monitor-notify"]?.taskQueueTrigger).toMatchObject({
      retryConfig: { maxAttempts: 6 },
    });
    // Fine-tuning jobs followed by a chain of delayed checks, each queuing the next.
    expect(manifest.endpoints[followQueue]?.taskQueueTrigger).toMatchObject({ retryConfig: followRetry });
  });

  it("binds the model secret to every function that may call a model, and only to those", () => {
    const withSecret = Object.entries(manifest.endpoints)
      .filter(([, e]) => e.secretEnvironmentVariables?.some((s) => s.key === "OPENAI_API_KEY"))
      .map(([name]) => name)
      .sort();
    // The re-embedding sweep calls no model, but must know which embedding model is current; ingestion
    // embeds a one-batch document in its own task.
    expect(withSecret).toEqual([
      "agents-converse",
      "api",
      "knowledge-embedChunks",
      "knowledge-ingestDocument",
      "knowledge-sweepOutdatedEmbeddings",
      // Its dependency checks ping the model provider, and its probes ask agents their canary questions.
      "monitor-tick",
      // Eval runs ask the agent under test, and the LLM judge when a model is configured.
      "sandbox-runEval",
      // Its checks read fine-tuning jobs from the provider.
      "tuning-followJob",
      // It answers WhatsApp messages with the agent's model.
      "whatsapp-reply",
    ]);
  });

  it("declares its params and the APIs it needs", () => {
    expect(manifest.params.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "CHAT_MODEL",
        "EMBEDDING_MODEL",
        "EMBEDDING_DIMENSIONS",
        // What keeps one tenant from costing the operator or the others too much (see README: Security model).
        "RATE_LIMIT_UPLOAD_MB_PER_MINUTE",
        "MAX_UPLOAD_FILES",
        "PARSE_TIMEOUT_SECONDS",
        "PARSE_MEMORY_MB",
        "TOOL_ALLOWED_HOSTS",
        "ALLOWED_CHAT_MODELS",
        "MAX_OUTPUT_TOKENS",
        "MAX_CONTEXT_TOKENS",
        // Payments (platform/payments): both secrets must exist to deploy, `none` for no payments.
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "STRIPE_API_URL",
        "STRIPE_METER_EVENT_NAME",
        "STRIPE_METER_ID",
        // Monitor: the operator token must exist to deploy (`none` turns the operator's routes off).
        "MONITOR_OPERATOR_TOKEN",
        "METRICS_ENABLED",
        "METRICS_FLUSH_SECONDS",
        "STUDIO_URL",
      ]),
    );
    expect(manifest.requiredAPIs.map((a) => a.api)).toContain("cloudtasks.googleapis.com");
  });

  it("matches firebase.json: hosting rewrites name deployed functions and the runtime is nodejs22", () => {
    const firebaseJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "firebase.json"), "utf8")) as {
      functions: { runtime: string; source: string }[];
      hosting: { rewrites: { source: string; function?: string }[] };
    };
    expect(firebaseJson.functions[0]).toMatchObject({ runtime: "nodejs22", source: "functions" });
    const targets = firebaseJson.hosting.rewrites.flatMap((r) => (r.function ? [r.function] : []));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(Object.keys(manifest.endpoints)).toContain(target);
    const sources = firebaseJson.hosting.rewrites.map((r) => r.source);
    expect(sources).toEqual(expect.arrayContaining(["/v1/**", "/webhooks/**", "/widget/**", "/health"]));
  });

  it("declares the vector index with the dimensions the embedder produces by default", () => {
    const indexes = JSON.parse(fs.readFileSync(path.join(repoRoot, "firestore.indexes.json"), "utf8")) as {
      indexes: {
        collectionGroup: string;
        fields: { fieldPath: string; vectorConfig?: { dimension: number } }[];
      }[];
    };
    const vectorIndex = indexes.indexes.find(
      (i) => i.collectionGroup === "chunks" && i.fields.some((f) => f.vectorConfig),
    );
    const param = manifest.params.find((p) => p.name === "EMBEDDING_DIMENSIONS") as
      { default?: number } | undefined;
    expect(vectorIndex?.fields.find((f) => f.vectorConfig)?.vectorConfig?.dimension).toBe(param?.default);
  });
});

describe("cold start", () => {
  it("loading the functions pulls in no model or payments SDK, MCP SDK, parser, database or storage client", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "coldstart-"));
    const log = path.join(dir, "loaded.txt");
    fs.writeFileSync(
      path.join(dir, "hooks.mjs"),
      `import fs from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.includes("/node_modules/")) fs.appendFileSync(${JSON.stringify(log)}, (context.parentURL ?? "") + " " + r.url + "\\n");
  return r;
}`,
    );
    fs.writeFileSync(
      path.join(dir, "register.mjs"),
      `import { register } from "node:module"; register(new URL("./hooks.mjs", import.meta.url));`,
    );
    const entry = path.join(functionsDir, "lib", "index.js");
    const result = spawnSync(
      process.execPath,
      [
        "--import",
        path.join(dir, "register.mjs"),
        "--input-type=module",
        "-e",
        `await import(${JSON.stringify(entry)})`,
      ],
      { env, encoding: "utf8", timeout: 60_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const edges = (fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]);
    // One exception, and only it: firebase-functions' Firestore trigger module (the billing meter's
    // onDocumentCreated) imports the Firestore client at its own module scope. Every module it alone pulls in
    // is set aside; anything heavy imported from anywhere else still fails the check.
    const provider = (url: string) =>
      /\/firebase-functions\/lib\/esm\/common\/providers\/firestore\./.test(url);
    const closure = new Set(edges.filter(([, url]) => provider(url)).map(([, url]) => url));
    for (let grew = true; grew;) {
      grew = false;
      for (const [parent, url] of edges) {
        if (closure.has(parent) && !closure.has(url)) {
          closure.add(url);
          grew = true;
        }
      }
    }
    expect(
      closure.size,
      "the Firestore trigger module is loaded (the exception is not vacuous)",
    ).toBeGreaterThan(1);
    const loaded = edges
      .filter(([parent, url]) => !closure.has(parent) && !provider(url))
      .map(([, url]) => url)
      .join("\n");
    for (const heavy of [
      "/openai/",
      "/better-sqlite3/",
      "/busboy/",
      "/firebase-admin/lib/esm/firestore/",
      "/@google-cloud/",
      "/@modelcontextprotocol/",
      "/@huggingface/",
      "/stripe/",
    ]) {
      expect(loaded, `${heavy} was loaded at module scope`).not.toContain(heavy);
    }
    // It does load firebase-functions itself: the check above is not vacuous.
    expect(loaded).toContain("/firebase-functions/");
  });
});
