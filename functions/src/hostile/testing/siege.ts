/**
 * The hostile suite's measuring tools: while an attack runs against a child runtime, a sampler asks
 * `/health` every few milliseconds and a neighbour (another tenant, with its own credential) keeps using the
 * API. What an attack must not do is measured, not guessed: the process stays up, `/health` stays fast, and
 * no request of the neighbour fails.
 */
import { spawn } from "node:child_process";
import { expect } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChildRuntime } from "@alchemist/local/testing/child-runtime";

export interface Neighbour {
  /** A session token of another tenant. */
  readonly token: string;
  readonly kbId: string;
}

export interface SiegeReport {
  readonly attack: string;
  /** `/health` round trips during the attack, in ms, ascending. */
  readonly healthMs: readonly number[];
  readonly healthP50: number;
  readonly healthP99: number;
  /** Health answers other than 200 (or network errors). */
  readonly healthFailures: readonly string[];
  /** The neighbour's requests that did not answer 2xx. */
  readonly neighbourFailures: readonly string[];
  readonly neighbourRequests: number;
  readonly alive: boolean;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/**
 * The sampler runs in a process of its own: in the test's process its timings would include the attack's
 * own work (building and sending 24 MB bodies), not only the runtime's answer. It asks until told to stop
 * on stdin, then prints the round trips and failures as JSON.
 */
const samplerSource = `
const url = process.argv[1];
const times = [];
const failures = [];
let stopped = false;
// Told to stop, or orphaned (the test process went away and closed the pipe).
process.stdin.on("data", () => { stopped = true; });
process.stdin.on("end", () => { stopped = true; });
(async () => {
  while (!stopped) {
    const started = performance.now();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      times.push(performance.now() - started);
      if (res.status !== 200) failures.push("HTTP " + res.status);
    } catch (e) {
      failures.push(String(e && e.message));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  process.stdout.write(JSON.stringify({ times, failures }));
})();
`;

function startSampler(runtime: ChildRuntime): {
  stop: () => Promise<{ times: number[]; failures: string[] }>;
} {
  const child = spawn(process.execPath, ["-e", samplerSource, `${runtime.url}/health`], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    stop: async () => {
      child.stdin.end("stop\n");
      await exited;
      return JSON.parse(out) as { times: number[]; failures: string[] };
    },
  };
}

async function useAsNeighbour(
  runtime: ChildRuntime,
  neighbour: Neighbour,
  stop: AbortSignal,
  failures: string[],
): Promise<number> {
  let requests = 0;
  const auth = { authorization: `Bearer ${neighbour.token}` };
  while (!stop.aborted) {
    const calls: [string, RequestInit][] = [
      [`/v1/knowledge-bases/${neighbour.kbId}/documents`, { headers: auth }],
      [
        `/v1/knowledge-bases/${neighbour.kbId}/search`,
        {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ query: "visitor parking" }),
        },
      ],
    ];
    for (const [path, init] of calls) {
      requests++;
      try {
        const res = await fetch(`${runtime.url}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
        const text = await res.text();
        if (res.status < 200 || res.status > 299)
          failures.push(`${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
      } catch (e) {
        failures.push(`${path}: ${(e as Error).message}`);
      }
    }
    // A steady user (about 8 requests a second), well within the default 600 a minute per credential.
    await sleep(250);
  }
  return requests;
}

/**
 * Runs `attack` while sampling `/health` and letting the neighbour work; keeps measuring for at least
 * `minMs` (so a fast attack still yields enough samples) and reports what happened.
 */
export async function underSiege(
  runtime: ChildRuntime,
  neighbour: Neighbour,
  attack: string,
  run: () => Promise<void>,
  minMs = 1500,
): Promise<SiegeReport> {
  const stop = new AbortController();
  const neighbourFailures: string[] = [];
  const sampler = startSampler(runtime);
  // Let the sampler start up before the attack does.
  await sleep(300);
  const user = useAsNeighbour(runtime, neighbour, stop.signal, neighbourFailures);
  const started = Date.now();
  let failure: { error: unknown } | undefined;
  try {
    await run();
  } catch (error) {
    failure = { error };
  }
  const left = minMs - (Date.now() - started);
  if (left > 0 && !failure) await sleep(left);
  stop.abort();
  const { times, failures: healthFailures } = await sampler.stop();
  const neighbourRequests = await user;
  if (failure) throw failure.error;
  const sorted = [...times].sort((a, b) => a - b);
  const report: SiegeReport = {
    attack,
    healthMs: sorted,
    healthP50: Math.round(percentile(sorted, 50) * 10) / 10,
    healthP99: Math.round(percentile(sorted, 99) * 10) / 10,
    healthFailures,
    neighbourFailures,
    neighbourRequests,
    alive: runtime.alive(),
  };
  console.log(
    `${attack}: /health p50 ${report.healthP50} ms, p99 ${report.healthP99} ms over ${sorted.length} samples; ` +
      `neighbour ${neighbourRequests} requests, ${neighbourFailures.length} failed; alive ${report.alive}`,
  );
  return report;
}

/**
 * What no attack may do: end the process, slow `/health` past 100 ms at the 99th percentile (with enough
 * samples to say so), or make any request of the neighbour fail.
 */
export function expectUnharmed(runtime: ChildRuntime, report: SiegeReport): void {
  expect(report.alive, `the runtime died during "${report.attack}":\n${runtime.output().slice(-3000)}`).toBe(
    true,
  );
  expect(report.healthFailures, report.attack).toEqual([]);
  expect(report.healthMs.length, report.attack).toBeGreaterThanOrEqual(20);
  expect(report.healthP99, `${report.attack}: /health p99`).toBeLessThan(100);
  expect(report.neighbourFailures, report.attack).toEqual([]);
}

/**
 * The neighbour: a stranger who signs up on the runtime and makes a knowledge base of their own, whose
 * requests during an attack must all succeed.
 */
export async function signUpNeighbour(runtime: ChildRuntime): Promise<Neighbour> {
  const signUp = await fetch(`${runtime.url}/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      email: "neighbour@example.com",
      password: "a neighbour's long passphrase",
      tenantName: "Neighbour Ltd",
    }),
  });
  expect(signUp.status).toBe(201);
  const { token } = (await signUp.json()) as { token: string };
  const kb = await fetch(`${runtime.url}/v1/knowledge-bases`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "Facilities" }),
  });
  expect(kb.status).toBe(201);
  return { token, kbId: ((await kb.json()) as { id: string }).id };
}
