#!/usr/bin/env node
// `npm run eval`: the Sandbox's CI gate. Runs an eval dataset against an agent on a running platform over
// its REST API, shows the run's progress, prints its scores, and exits non-zero when a threshold is not met,
// so agent changes can be checked in a pipeline.
//
//   npm run eval -- --agent <agentId> --dataset <file.csv|file.jsonl|datasetId> --min-accuracy 0.8 \
//     [--version draft|<n>] [--min-citation-precision 0.9] [--max-ece 0.2] \
//     [--url http://127.0.0.1:8787] [--key <api key>] [--timeout 1800] [--json]
//
// The URL and key default to ALCHEMIST_URL and ALCHEMIST_API_KEY (the key needs the editor role: running is
// agents.manage, reading results conversations.view). The version defaults to the agent's published one. A
// file is uploaded once as a dataset named after it and its content's hash (the same file reuses it).
//
// Exit codes: 0 every threshold met; 1 a threshold not met, or the run failed or was cancelled; 2 the
// command could not be run as asked (a usage error, the platform unreachable or refusing a request, a
// file with invalid lines, the timeout).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const usage = `Usage: npm run eval -- --agent <agentId> --dataset <file.csv|file.jsonl|datasetId> [options]

Options:
  --version draft|<n>            the agent version to run (default: the published one)
  --min-accuracy <0..1>          fail when accuracy is below it
  --min-citation-precision <0..1>
                                 fail when citation precision is below it
  --max-ece <0..1>               fail when the expected calibration error is above it
  --url <url>                    the platform (default: $ALCHEMIST_URL or http://127.0.0.1:8787)
  --key <api key>                an API key of the editor role or above (default: $ALCHEMIST_API_KEY)
  --timeout <seconds>            how long to wait for the run (default 1800)
  --json                         print the finished run as JSON instead of the table

Exit codes: 0 thresholds met, 1 a threshold not met or the run failed, 2 usage or setup error.`;

/** A problem with how the command was called or set up: exit code 2. */
export class UsageError extends Error {}

const flags = {
  agent: "string",
  dataset: "string",
  version: "string",
  "min-accuracy": "ratio",
  "min-citation-precision": "ratio",
  "max-ece": "ratio",
  url: "string",
  key: "string",
  timeout: "number",
  json: "boolean",
  help: "boolean",
};

/** The options of `argv` (without node and the script), with the environment's defaults. */
export function parseArgs(argv, env = process.env) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new UsageError(`Unexpected argument "${arg}"`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = flags[name];
    if (!kind) throw new UsageError(`Unknown option --${name}`);
    if (name in options) throw new UsageError(`--${name} is given twice`);
    if (kind === "boolean") {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith("--"))) {
      throw new UsageError(`--${name} needs a value`);
    }
    if (kind === "ratio" || kind === "number") {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n))
        throw new UsageError(`--${name} must be a number, not "${value}"`);
      if (kind === "ratio" && (n < 0 || n > 1))
        throw new UsageError(`--${name} must be between 0 and 1, not ${value}`);
      if (kind === "number" && n <= 0) throw new UsageError(`--${name} must be above 0`);
      options[name] = n;
    } else options[name] = value;
  }
  if (options.help) return { help: true };
  if (!options.agent) throw new UsageError("--agent is required");
  if (!options.dataset)
    throw new UsageError("--dataset is required (a .csv or .jsonl file, or a dataset id)");
  let version = "published";
  if (options.version !== undefined) {
    if (options.version === "draft") version = "draft";
    else if (/^[1-9]\d{0,8}$/.test(options.version)) version = Number(options.version);
    else throw new UsageError(`--version must be "draft" or a version number, not "${options.version}"`);
  }
  const url = (options.url ?? env.ALCHEMIST_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
  try {
    new URL(url);
  } catch {
    throw new UsageError(`--url is not a URL: "${url}"`);
  }
  const key = options.key ?? env.ALCHEMIST_API_KEY;
  if (!key) throw new UsageError("An API key is required: --key, or ALCHEMIST_API_KEY");
  return {
    agent: options.agent,
    dataset: options.dataset,
    version,
    thresholds: {
      minAccuracy: options["min-accuracy"] ?? null,
      minCitationPrecision: options["min-citation-precision"] ?? null,
      maxEce: options["max-ece"] ?? null,
    },
    url,
    key,
    timeoutMs: (options.timeout ?? 1800) * 1000,
    json: options.json === true,
  };
}

/** The REST API of the platform at `url`, with `key`; a refused request is a setup error. */
function client(url, key) {
  return async function api(method, pathname, body) {
    let res;
    try {
      res = await fetch(`${url}${pathname}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      throw new UsageError(`Cannot reach the platform at ${url}: ${e.cause?.message ?? e.message}`);
    }
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { error: { message: text.slice(0, 200) } };
    }
    return { status: res.status, body: parsed };
  };
}

const refusal = (what, res) =>
  new UsageError(`${what}: HTTP ${res.status}: ${res.body?.error?.message ?? JSON.stringify(res.body)}`);

/** The dataset to run: the id given, or the file uploaded (once per content) as a dataset. */
async function datasetFor(api, dataset, log) {
  if (!fs.existsSync(dataset)) {
    if (/^[A-Za-z0-9_-]{1,128}$/.test(dataset) && !/\.(csv|jsonl|ndjson)$/i.test(dataset)) return dataset;
    throw new UsageError(`--dataset: no file "${dataset}" (and it is not a dataset id)`);
  }
  const extension = path.extname(dataset).toLowerCase();
  const format =
    extension === ".csv" ? "csv" : extension === ".jsonl" || extension === ".ndjson" ? "jsonl" : null;
  if (!format)
    throw new UsageError(`--dataset: name the file .csv or .jsonl (got "${path.basename(dataset)}")`);
  const content = fs.readFileSync(dataset, "utf8");
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 12);
  const name = `${path.basename(dataset)} (${hash})`.slice(0, 120);
  const listed = await api("GET", "/v1/eval/datasets");
  if (listed.status !== 200) throw refusal("Listing datasets failed", listed);
  const existing = listed.body.datasets.find((d) => d.name === name && d.itemCount > 0);
  if (existing) {
    log(`dataset ${existing.id}: ${name}, uploaded before (${existing.itemCount} items)`);
    return existing.id;
  }
  const created = await api("POST", "/v1/eval/datasets", {
    name,
    description: `Uploaded by npm run eval from ${path.basename(dataset)}`,
  });
  if (created.status !== 201) throw refusal("Creating the dataset failed", created);
  const uploaded = await api("POST", `/v1/eval/datasets/${created.body.id}/upload`, { format, content });
  if (uploaded.status !== 200) {
    await api("DELETE", `/v1/eval/datasets/${created.body.id}`);
    const errors = uploaded.body?.error?.details?.errors ?? [];
    const lines = errors
      .map((e) => `  line ${e.line}${e.field ? `, ${e.field}` : ""}: ${e.message}`)
      .join("\n");
    throw new UsageError(
      `${path.basename(dataset)} was refused: ${uploaded.body?.error?.message ?? `HTTP ${uploaded.status}`}` +
        (lines ? `\n${lines}` : ""),
    );
  }
  log(`dataset ${created.body.id}: ${name}, ${uploaded.body.added} items uploaded`);
  return created.body.id;
}

const fixed = (x, digits = 3) => (x === null || x === undefined ? "n/a" : x.toFixed(digits));

/** The thresholds a finished run misses, each said in a sentence. */
export function missedThresholds(scores, thresholds) {
  const misses = [];
  const check = (label, value, limit, atLeast, flag) => {
    if (limit === null) return;
    if (value === null || value === undefined)
      misses.push(`${label} could not be measured (--${flag} ${limit})`);
    else if (atLeast ? value < limit : value > limit)
      misses.push(`${label} ${fixed(value)} is ${atLeast ? "below" : "above"} --${flag} ${limit}`);
  };
  check("accuracy", scores?.accuracy, thresholds.minAccuracy, true, "min-accuracy");
  check(
    "citation precision",
    scores?.citationPrecision,
    thresholds.minCitationPrecision,
    true,
    "min-citation-precision",
  );
  check("ECE", scores?.ece, thresholds.maxEce, false, "max-ece");
  return misses;
}

function table(run, thresholds) {
  const s = run.scores;
  const row = (label, value, limit, atLeast) => {
    const bound = limit === null || limit === undefined ? "" : `${atLeast ? "≥" : "≤"} ${fixed(limit)}`;
    const verdict =
      limit === null || limit === undefined
        ? ""
        : value === null || value === undefined
          ? "FAIL"
          : (atLeast ? value >= limit : value <= limit)
            ? "ok"
            : "FAIL";
    return `  ${label.padEnd(22)}${fixed(value).padStart(8)}   ${bound.padEnd(9)} ${verdict}`.trimEnd();
  };
  const version = run.target.version === "draft" ? "the draft" : `version ${run.target.version}`;
  return [
    `Eval run ${run.id}: dataset ${run.datasetName} (${run.progress.total} items, revision ${run.datasetRevision}) ` +
      `against agent ${run.target.agentId}, ${version}`,
    `  ${"metric".padEnd(22)}${"value".padStart(8)}   threshold`,
    row("accuracy", s.accuracy, thresholds.minAccuracy, true),
    row("citation precision", s.citationPrecision, thresholds.minCitationPrecision, true),
    row("abstention precision", s.abstention.precision),
    row("abstention recall", s.abstention.recall),
    row("ECE", s.ece, thresholds.maxEce, false),
    `  ${"latency p50 / p95".padEnd(22)}${`${fixed(s.latencyMs.p50, 0)} / ${fixed(s.latencyMs.p95, 0)} ms`}`,
    `  ${"tokens".padEnd(22)}${s.tokens.input.toLocaleString("en")} in / ${s.tokens.output.toLocaleString("en")} out`,
    `  ${"cost".padEnd(22)}${(s.costMicros / 1_000_000).toFixed(6)} ${s.currency} (billing's catalog)`,
    `  ${"items".padEnd(22)}${s.correct} correct of ${s.items}, ${s.errors} failed turn(s)`,
    `  ${"judge".padEnd(22)}${s.judge === "llm" ? `llm (mean ${fixed(s.judgeScore)})` : "rules"}`,
  ].join("\n");
}

/** Runs the command; resolves to the exit code. `out` and `err` take lines. */
export async function main(argv, { env = process.env, out = console.log, err = console.error } = {}) {
  let options;
  try {
    options = parseArgs(argv, env);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`${e.message}\n\n${usage}`);
    return 2;
  }
  if (options.help) {
    out(usage);
    return 0;
  }
  const api = client(options.url, options.key);
  try {
    let version = options.version;
    if (version === "published") {
      const agent = await api("GET", `/v1/agents/${encodeURIComponent(options.agent)}`);
      if (agent.status !== 200) throw refusal(`Agent ${options.agent}`, agent);
      if (agent.body.publishedVersion === null) {
        throw new UsageError(`Agent ${options.agent} has no published version: pass --version draft`);
      }
      version = agent.body.publishedVersion;
    }
    const datasetId = await datasetFor(api, options.dataset, err);
    const target = { agentId: options.agent, version };
    let started = await api("POST", "/v1/eval/runs", { datasetId, target });
    // The same run already going (another pipeline job): wait for that one.
    if (started.status === 409 && started.body?.error?.details?.runId) {
      err(
        `a run of this dataset against this target is already going: following ${started.body.error.details.runId}`,
      );
      started = await api("GET", `/v1/eval/runs/${started.body.error.details.runId}`);
    }
    if (started.status !== 202 && started.status !== 200) throw refusal("Starting the run failed", started);
    const runId = started.body.id;
    err(`run ${runId} started`);
    const deadline = Date.now() + options.timeoutMs;
    let run = started.body;
    let shown = "";
    while (run.status === "queued" || run.status === "running") {
      if (Date.now() > deadline) {
        throw new UsageError(
          `Run ${runId} did not finish within ${options.timeoutMs / 1000} s (--timeout); it goes on on the platform`,
        );
      }
      await new Promise((r) => setTimeout(r, 500));
      const res = await api("GET", `/v1/eval/runs/${runId}`);
      if (res.status !== 200) throw refusal(`Reading run ${runId} failed`, res);
      run = res.body;
      const progress =
        `${run.status}: ${run.progress.done}/${run.progress.total} items` +
        (run.progress.errors ? ` (${run.progress.errors} failed)` : "");
      if (progress !== shown) err(progress);
      shown = progress;
    }
    if (run.status !== "completed" || !run.scores) {
      err(`Run ${runId} ${run.status}${run.error ? `: ${run.error.message}` : ""}`);
      if (options.json) out(JSON.stringify(run, null, 2));
      return 1;
    }
    out(options.json ? JSON.stringify(run, null, 2) : table(run, options.thresholds));
    const misses = missedThresholds(run.scores, options.thresholds);
    if (misses.length > 0) {
      err(`FAILED: ${misses.join("; ")}`);
      return 1;
    }
    err("PASSED");
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(e.message);
    return 2;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e);
      process.exitCode = 2;
    },
  );
}
