/**
 * Sticky assignment, the "done means" of the issue: 10,000 simulated end users hold each configured split within
 * ±2 percentage points, and a user's variant never changes across repeated turns, a process restart (the store
 * reopened) and a stop/start. The hash is also recomputed independently from its documented formula.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalDeps, type LocalDeps } from "@alchemist/local/adapters/deps";
import { createTenant } from "../identity/tenants.js";
import { loadConfig } from "../platform/config.js";
import {
  assignmentPoint,
  assignVariant,
  createExperiment,
  experimentAssignment,
  pickVariant,
  startExperiment,
  stopExperiment,
  type AgentLookup,
} from "./experiments.js";
import type { Variant } from "./schema.js";

const users = 10_000;
/** End user keys as channels make them: customer refs, WhatsApp numbers, widget visitors, conversation ids. */
const keyOf = (i: number): string =>
  [
    `customer-${i}`,
    `whatsapp:+4915${String(1_000_000 + i)}`,
    `widget:w1:${(i * 7919).toString(36)}`,
    `conv${i}x`,
  ][i % 4] as string;

const variants = (shares: number[]): Variant[] =>
  shares.map((share, i) => ({
    id: String.fromCharCode(97 + i),
    name: `variant ${i}`,
    share,
    overrides: {},
    resolvedPrompt: null,
  }));

/** Observed share minus configured share, per variant, over `users` keys. */
function deviations(experimentId: string, shares: number[]): number[] {
  const vs = variants(shares);
  const counts = new Map(vs.map((v) => [v.id, 0]));
  for (let i = 0; i < users; i++) {
    const v = assignVariant(experimentId, vs, keyOf(i));
    counts.set(v.id, (counts.get(v.id) ?? 0) + 1);
  }
  return vs.map((v) => (counts.get(v.id) ?? 0) / users - v.share);
}

describe("the split over 10,000 simulated end users", () => {
  it.each([
    ["50/50", [0.5, 0.5]],
    ["90/10", [0.9, 0.1]],
    ["20/30/50", [0.2, 0.3, 0.5]],
    ["five ways", [0.4, 0.3, 0.15, 0.1, 0.05]],
  ])("holds %s within ±2 percentage points, for several experiments", (_name, shares) => {
    for (const experimentId of ["exp-alpha", "Q7rT2mXb9LkP0aZc4dEf", "exp-3", "exp-4", "exp-5"]) {
      const off = deviations(experimentId, shares);
      const worst = Math.max(...off.map(Math.abs));
      expect(
        worst,
        `${experimentId}: ${off.map((d) => (d * 100).toFixed(2)).join(", ")} pp`,
      ).toBeLessThanOrEqual(0.02);
    }
  });

  it("would notice a biased assignment: squaring the point (a skew towards the first variant) breaks the bound", () => {
    const vs = variants([0.5, 0.5]);
    let first = 0;
    for (let i = 0; i < users; i++)
      if (pickVariant(vs, assignmentPoint("exp-alpha", keyOf(i)) ** 2).id === "a") first++;
    expect(Math.abs(first / users - 0.5)).toBeGreaterThan(0.02);
  });

  it("places users by SHA-256(experimentId:endUserKey), first 52 bits / 2^52, recomputed independently", () => {
    for (let i = 0; i < 1000; i++) {
      const key = keyOf(i);
      const digest = createHash("sha256").update(`exp-alpha:${key}`).digest();
      const bits = BigInt(`0x${digest.subarray(0, 7).toString("hex")}`) >> 4n; // 56 bits → the first 52
      expect(assignmentPoint("exp-alpha", key)).toBe(Number(bits) / 2 ** 52);
    }
    // The point depends on the experiment: a user is not in the same arm of every experiment.
    const same = Array.from({ length: 1000 }, (_, i) => i).filter(
      (i) => assignmentPoint("exp-a", keyOf(i)) < 0.5 === assignmentPoint("exp-b", keyOf(i)) < 0.5,
    ).length;
    expect(same).toBeGreaterThan(400);
    expect(same).toBeLessThan(600);
  });
});

describe("a user's variant through the store", () => {
  let dataDir: string;
  let local: LocalDeps;
  const open = () =>
    openLocalDeps(
      loadConfig({
        ALCHEMIST_MODE: "local",
        ALCHEMIST_DATA_DIR: dataDir,
        PORT: "0",
        GCLOUD_PROJECT: "demo-alchemist",
      }),
    );
  // The Agent Engine's side, as the API composes it: an agent with one published version and no prompt.
  const agents: AgentLookup = async (_deps, _tenantId, agentId) => ({
    id: agentId,
    status: "published",
    publishedVersion: 1,
    latestVersion: 1,
    promptOf: async () => null,
  });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-assignment-"));
    local = await open();
    await createTenant(local, "acme", "Acme");
  });
  afterAll(() => {
    local?.local.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("never changes across repeated turns, a restart and a stop/start", { timeout: 120_000 }, async () => {
    const experiment = await createExperiment(
      local,
      "acme",
      {
        agentId: "agent-1",
        name: "Tone",
        variants: [
          { name: "control", share: 0.2 },
          { name: "friendly", share: 0.3, overrides: { temperature: 0.7 } },
          { name: "formal", share: 0.5, overrides: { temperature: 0 } },
        ],
      },
      "tester",
      agents,
    );
    await startExperiment(local, "acme", experiment.id, "tester", agents);
    const read = async (deps: LocalDeps): Promise<string[]> => {
      const out: string[] = [];
      for (let i = 0; i < users; i++) {
        const a = await experimentAssignment(deps, "acme", "agent-1", keyOf(i));
        out.push(a?.variant.id ?? "none");
      }
      return out;
    };
    const first = await read(local);
    const counts = { a: 0, b: 0, c: 0 } as Record<string, number>;
    for (const v of first) counts[v] = (counts[v] ?? 0) + 1;
    expect(Math.abs((counts.a ?? 0) / users - 0.2)).toBeLessThanOrEqual(0.02);
    expect(Math.abs((counts.b ?? 0) / users - 0.3)).toBeLessThanOrEqual(0.02);
    expect(Math.abs((counts.c ?? 0) / users - 0.5)).toBeLessThanOrEqual(0.02);

    expect(await read(local)).toEqual(first); // the next turn

    local.local.close(); // a process restart: the same data folder, opened again
    local = await open();
    expect(await read(local)).toEqual(first);

    await stopExperiment(local, "acme", experiment.id, "tester");
    expect(await experimentAssignment(local, "acme", "agent-1", keyOf(0))).toBeNull();
    await startExperiment(local, "acme", experiment.id, "tester", agents);
    expect(await read(local)).toEqual(first);
  });
});
