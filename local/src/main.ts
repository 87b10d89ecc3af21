/**
 * `npm start`: local mode in one process. Opens the data folder, hosts the same exports Firebase deploys,
 * seeds the demo workspace on first start and prints where to reach it.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@alchemist/functions/platform/config";
import { setDeps } from "@alchemist/functions/platform/process-deps";
import { log } from "@alchemist/functions/platform/log";
import { openLocalDeps } from "./adapters/deps.js";
import { LocalModelsError } from "./adapters/onnx-models.js";
import { startHost, type RunningHost } from "./runtime/host.js";
import { demoAccountEmail, ensureDemoData } from "./seed.js";
import { bankDemoRefusal, startBankDemo, type BankDemo } from "./bank-demo.js";
import { authenticate } from "@alchemist/functions/identity/authenticate";

/** The repository root, from local/lib/main.js. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface FirebaseJson {
  hosting?: { rewrites?: { source: string; function?: string | { functionId: string } }[] };
}

function hostingRewrites(): { source: string; function: string }[] {
  const file = path.join(repoRoot, "firebase.json");
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as FirebaseJson;
  return (json.hosting?.rewrites ?? []).flatMap((r) =>
    r.function
      ? [{ source: r.source, function: typeof r.function === "string" ? r.function : r.function.functionId }]
      : [],
  );
}

export async function main(): Promise<RunningHost> {
  process.env.ALCHEMIST_MODE = "local";
  // Whoever starts the platform on their machine operates it: the demo owner is the operator unless
  // PLATFORM_ADMINS names others (set it to "" for none).
  process.env.PLATFORM_ADMINS ??= demoAccountEmail;
  const config = loadConfig();
  // firebase-functions reads the project and default bucket from these, as it does when deployed.
  process.env.GCLOUD_PROJECT ??= config.projectId;
  const bucket = `${config.projectId}.appspot.com`;
  process.env.FIREBASE_CONFIG ??= JSON.stringify({ projectId: config.projectId, storageBucket: bucket });

  const deps = await openLocalDeps(config);
  setDeps(deps);
  const exports = (await import("@alchemist/functions")) as Record<string, unknown>;
  const host = await startHost({
    deps,
    authenticate,
    exports,
    rewrites: hostingRewrites(),
    webRoot: path.join(repoRoot, "web", "dist"),
    bucket,
  });
  const { credentials, keyCreated, keyRevoked, accountCreated } = await ensureDemoData(
    deps,
    path.join(repoRoot, "emulator-data", "seed"),
  );

  // The Banking API example and its assistant, when the operator asks for them (bank-demo.ts).
  let bankDemo: BankDemo | undefined;
  let bankDemoProblem: string | undefined;
  if (process.env.ALCHEMIST_DEMO_BANK === "true") {
    bankDemoProblem =
      bankDemoRefusal(process.env) ??
      (keyRevoked ? "the demo owner key was revoked, so the assistant cannot be built" : undefined);
    if (!bankDemoProblem) {
      try {
        bankDemo = await startBankDemo(deps, repoRoot, host.url, credentials.apiKey);
      } catch (e) {
        bankDemoProblem = (e as Error).message;
      }
    }
    if (bankDemoProblem) log.warn("the demo bank was not started", { reason: bankDemoProblem });
  }

  const shutdown = async (signal: string) => {
    log.info("shutting down", { signal });
    await bankDemo?.bank.close().catch(() => undefined);
    await host.close();
    deps.local.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  const credentialsFile = path.join(deps.config.local.dataDir, "credentials.json");
  // Secrets are printed once, when they are made; later starts say where they are kept (owner-only file).
  const account = credentials.account;
  const keyLine = keyRevoked
    ? "revoked; create a new one in the studio (Settings, API keys)"
    : keyCreated
      ? credentials.apiKey
      : config.bootstrapApiKey
        ? "the value of ALCHEMIST_API_KEY"
        : `in ${credentialsFile}`;
  const banner = [
    "",
    "  Alchemist is running in local mode",
    `  Studio and API   ${host.url}`,
    `  API reference    ${host.url}/v1/openapi.json`,
    `  Data folder      ${deps.config.local.dataDir}`,
    `  Tenant           ${credentials.tenantId}`,
    ...(account
      ? [
          accountCreated
            ? `  Studio sign-in   ${account.email} / ${account.password}`
            : `  Studio sign-in   ${account.email} (first password in ${credentialsFile})`,
        ]
      : []),
    `  Owner API key    ${keyLine}`,
    ...(keyCreated || accountCreated ? [`                   (saved in ${credentialsFile}; shown once)`] : []),
    `  Models           ${deps.chat.info.label}; ${deps.embedder.info.label}` +
      (deps.reranker ? `; ${deps.reranker.info.label}` : ""),
    ...(bankDemo
      ? [
          `  Demo bank        ${bankDemo.bank.baseUrl} (Banking assistant: agent ${bankDemo.agentId};` +
            " it calls tools with a tool-calling model only)",
        ]
      : bankDemoProblem
        ? [`  Demo bank        not started: ${bankDemoProblem}`]
        : []),
    ...(credentials.demo?.agentIds[0] && !keyRevoked
      ? [
          "",
          "  Try the demo agent:",
          `    export ALCHEMIST_API_KEY=...   # ${keyCreated ? "the owner key above" : `"apiKey" in ${credentialsFile}`}`,
          `    curl -s -X POST ${host.url}/v1/agents/${credentials.demo.agentIds[0]}/conversations -H "Authorization: Bearer $ALCHEMIST_API_KEY"`,
          `    curl -s -X POST ${host.url}/v1/conversations/<id>/messages -H "Authorization: Bearer $ALCHEMIST_API_KEY" \\`,
          `         -H "Content-Type: application/json" -d '{"content":"How many vacation days do I get?"}'`,
        ]
      : []),
    "",
  ];
  process.stdout.write(banner.join("\n") + "\n");
  return host;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      process.stderr.write(
        `\n  Cannot listen on port ${process.env.PORT ?? 8787}: ${code === "EADDRINUSE" ? "it is already in use" : "permission denied"}.\n` +
          "  Stop the other process or choose another port, e.g. PORT=8788 npm start\n\n",
      );
    } else if (e instanceof LocalModelsError) {
      process.stderr.write(
        `\n  ${e.message}\n  Fix the folder, or unset LOCAL_MODELS_DIR to start with the built-in models.\n\n`,
      );
    } else log.error("the local runtime could not start", { err: e });
    process.exit(1);
  });
}
