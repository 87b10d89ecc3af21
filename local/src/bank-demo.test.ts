/**
 * The Banking API demo of local mode: the example bank started in process and, on the first start only, the
 * "Banking assistant" built through the platform's REST API (credential, import from the bank's URL, the transfer
 * limited by the workspace, published, an agent pinning it). Refused, with why, when tools may not reach loopback.
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bankDemoRefusal, startBankDemo, type BankExample } from "./bank-demo.js";
import { startTestPlatform, type TestPlatform } from "./testing/platform.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The example's TypeScript sources (vitest reads them), instead of its build. */
const source = (file: string) => pathToFileURL(path.join(repoRoot, "examples/banking-api/src", file)).href;
const example: BankExample = {
  service: (await import(source("service.ts"))) as BankExample["service"],
  seed: (await import(source("seed.ts"))) as BankExample["seed"],
};
const env = { ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true", ALCHEMIST_DEMO_BANK_PORT: "0" };

let platform: TestPlatform;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true" });
});
afterAll(async () => {
  for (const close of closers) await close();
  await platform?.close();
});

describe("the demo bank in local mode", () => {
  it("builds the Banking assistant once, from the bank's own document, its transfers limited", async () => {
    const first = await startBankDemo(
      platform.deps,
      repoRoot,
      platform.url,
      platform.keys.owner,
      env,
      example,
    );
    closers.push(() => first.bank.close());
    const agent = (await (await platform.fetch(`/v1/agents/${first.agentId}`)).json()) as {
      name: string;
      status: string;
      tools: { kind: string; toolSetId: string; version: number }[];
    };
    expect(agent).toMatchObject({ name: "Banking assistant", status: "published" });
    const pinned = agent.tools[0];
    expect(pinned).toMatchObject({ kind: "toolset", version: 1 });
    const set = (await (await platform.fetch(`/v1/tool-sets/${pinned?.toolSetId}`)).json()) as {
      source: { kind: string; url?: string };
      tools: { name: string; enabled: boolean; limits: unknown[] }[];
    };
    expect(set.source).toMatchObject({ kind: "openapi", url: `${first.bank.baseUrl}/openapi.json` });
    const transfer = set.tools.find((t) => t.name === "createTransfer");
    expect(transfer).toMatchObject({ enabled: true, limits: [{ argument: "/amount", max: 100 }] });
    // The credential works: a read through the try endpoint reaches the bank with an OAuth token.
    const tried = (await (
      await platform.fetch(`/v1/tool-sets/${pinned?.toolSetId}/tools/listAccounts/try`, {
        method: "POST",
        json: { arguments: {} },
      })
    ).json()) as { ok: boolean; request: { headers: Record<string, string> } };
    expect(tried.ok).toBe(true);
    expect(tried.request.headers.authorization).toBe("Bearer ***");

    // A second start finds the assistant and builds nothing more.
    const again = await startBankDemo(
      platform.deps,
      repoRoot,
      platform.url,
      platform.keys.owner,
      env,
      example,
    );
    closers.push(() => again.bank.close());
    expect(again.agentId).toBe(first.agentId);
    const sets = (await (await platform.fetch("/v1/tool-sets")).json()) as { toolSets: unknown[] };
    expect(sets.toolSets).toHaveLength(1);
  });

  it("is refused, with why, when tools may not reach loopback or the port is not one", () => {
    expect(bankDemoRefusal({})).toMatch(/ALCHEMIST_EGRESS_ALLOW_LOOPBACK=true/);
    expect(
      bankDemoRefusal({ ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true", ALCHEMIST_DEMO_BANK_PORT: "x" }),
    ).toMatch(/port number/);
    expect(bankDemoRefusal({ ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true" })).toBeUndefined();
  });
});
