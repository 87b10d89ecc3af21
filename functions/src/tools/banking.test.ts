/**
 * The Banking API example (examples/banking-api) as Tool Forge is meant to be used: its OpenAPI document imported
 * (nothing written by hand), an OAuth client-credentials credential, the reads enabled and published, and a
 * "Banking assistant" agent pinning that version. Its turns answer from the bank's tools with the results cited
 * ([T1]); a transfer the model asks for is not run (writes wait for the end user's confirmation); the bank's own
 * limits come back as its words when a person tries a transfer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { answer, callTools, scriptedModel } from "../agents/testing/scripted-model.js";
import { json } from "../channels/openai/testing/fixture.js";
import { setDeps } from "../platform/process-deps.js";
import {
  bankSpec as spec,
  createBankCredential,
  DEMO_CREDENTIALS,
  startTestBank,
  type RunningBank,
} from "./testing/bank.js";

let platform: TestPlatform;
let bank: RunningBank;
let toolSetId = "";
let agentId = "";

interface ToolSet {
  id: string;
  baseUrl: string;
  tools: { name: string; sideEffect: string; enabled: boolean }[];
  source: { kind: string; skipped: unknown[] };
  securitySchemes: { type: string; flow?: string }[];
}

beforeAll(async () => {
  bank = await startTestBank();
  platform = await startTestPlatform({ ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true" });
  const credentialId = await createBankCredential(platform, bank);
  const imported = await platform.fetch("/v1/tool-sets/import", {
    method: "POST",
    json: { spec, name: "Demo bank", baseUrl: bank.baseUrl, credentialId, enable: "read" },
  });
  expect(imported.status, await imported.clone().text()).toBe(201);
  const set = await json<ToolSet>(imported);
  toolSetId = set.id;
});

afterAll(async () => {
  setDeps(platform.deps);
  await platform?.close();
  await bank?.close();
});

describe("the Banking API imported through Tool Forge", () => {
  it("becomes a tool set: every operation a tool, reads enabled, writes not, the OAuth scheme named", async () => {
    const set = await json<ToolSet>(await platform.fetch(`/v1/tool-sets/${toolSetId}`));
    expect(set.source).toMatchObject({ kind: "openapi", skipped: [] });
    expect(set.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        "listAccounts",
        "getAccountBalance",
        "listAccountTransactions",
        "createTransfer",
      ]),
    );
    for (const tool of set.tools) expect(tool.enabled).toBe(tool.sideEffect === "read");
    // The same document uploaded as a file (multipart, as curl -F sends it), every tool switched on.
    const form = new FormData();
    form.append("file", new Blob([spec], { type: "application/json" }), "openapi.json");
    form.append("enable", "all");
    const again = await platform.fetch("/v1/tool-sets/import", { method: "POST", body: form });
    expect(again.status).toBe(201);
    const uploaded = await json<ToolSet>(again);
    expect(uploaded.tools.every((t) => t.enabled)).toBe(true);
    const schemes = uploaded.securitySchemes;
    expect(schemes.map((s) => s.type)).toEqual(expect.arrayContaining(["oauth2", "apiKey"]));
  });

  it("refuses documents it cannot import, saying why, and creates nothing", async () => {
    const before = (await json<{ toolSets: unknown[] }>(await platform.fetch("/v1/tool-sets"))).toolSets
      .length;
    for (const [body, why] of [
      [{ spec: "just some text" }, /OpenAPI|Swagger|document/i],
      [
        {
          spec: '{"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {}, "servers": [{"url": "/v1"}]}',
        },
        /No operation|baseUrl/,
      ],
      [{ spec, only: ["no-such-tag"] }, /No operation of the document/],
      [{ spec, baseUrl: "http://10.1.2.3" }, /base URL cannot be called/],
    ] as const) {
      const res = await platform.fetch("/v1/tool-sets/import", { method: "POST", json: body });
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(await res.text()).toMatch(why);
    }
    const after = (await json<{ toolSets: unknown[] }>(await platform.fetch("/v1/tool-sets"))).toolSets
      .length;
    expect(after).toBe(before);
  });

  it("answers balance questions from the bank's tools, cited, and never sends a transfer on its own", async () => {
    expect((await platform.fetch(`/v1/tool-sets/${toolSetId}/publish`, { method: "POST" })).status).toBe(201);
    const agent = await json<{ id: string }>(
      await platform.fetch("/v1/agents", {
        method: "POST",
        json: {
          name: "Banking assistant",
          instructions: "Answer the customer's questions about their accounts using the bank's tools.",
          knowledgeBaseIds: [],
          tools: [{ kind: "toolset", toolSetId, version: 1 }],
          confidenceThreshold: 0.1,
        },
      }),
    );
    agentId = agent.id;
    expect((await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} })).status).toBe(
      200,
    );

    const accountsRes = await fetch(`${bank.baseUrl}/v1/accounts`, {
      headers: { "x-api-key": DEMO_CREDENTIALS.maria.apiKey },
    });
    const accounts = (await accountsRes.json()) as { data?: { id: string }[]; accounts?: { id: string }[] };
    const accountId = (accounts.data ?? accounts.accounts ?? [])[0]?.id as string;
    expect(accountId).toBeTruthy();
    const balance = (await (
      await fetch(`${bank.baseUrl}/v1/accounts/${accountId}/balance`, {
        headers: { "x-api-key": DEMO_CREDENTIALS.maria.apiKey },
      })
    ).json()) as { available: string; currency: string };
    const offered: string[] = [];
    const model = scriptedModel([
      (request) => {
        offered.push(...(request.tools ?? []).map((t) => t.name));
        return callTools({ id: "c1", name: "getAccountBalance", arguments: JSON.stringify({ accountId }) });
      },
      () =>
        answer(
          `The available balance of account ${accountId} is ${balance.available} ${balance.currency} [T1].`,
        ),
    ]);
    setDeps({ ...platform.deps, chat: model });
    const conversation = await json<{ id: string }>(
      await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: {} }),
    );
    const reply = await json<{
      message: { citations: { docName: string; quote: string }[]; traceId: string };
    }>(
      await platform.fetch(`/v1/conversations/${conversation.id}/messages`, {
        method: "POST",
        json: { content: "What is my balance?" },
      }),
    );
    // Only the published reads are offered: the write tools were not enabled.
    expect(offered).toContain("getAccountBalance");
    expect(offered).not.toContain("createTransfer");
    expect(reply.message.citations[0]?.docName).toBe("Tool getAccountBalance");
    const trace = await json<{
      toolCalls: {
        name: string;
        status: string;
        output: string;
        request?: { url: string; headers: Record<string, string> };
      }[];
    }>(await platform.fetch(`/v1/traces/${reply.message.traceId}`));
    expect(trace.toolCalls[0]).toMatchObject({ name: "getAccountBalance", status: "ok" });
    expect(trace.toolCalls[0]?.request?.url).toBe(`${bank.baseUrl}/v1/accounts/${accountId}/balance`);
    expect(trace.toolCalls[0]?.request?.headers.authorization).toBe("Bearer ***");
    expect(trace.toolCalls[0]?.output).toMatch(/EUR/);
    expect(JSON.stringify(trace)).not.toContain(DEMO_CREDENTIALS.maria.clientSecret);
  });

  it("lets a person try a transfer, with the bank's own limit refusing too much", async () => {
    const accountsRes = await fetch(`${bank.baseUrl}/v1/accounts`, {
      headers: { "x-api-key": DEMO_CREDENTIALS.maria.apiKey },
    });
    const accounts = (await accountsRes.json()) as { data?: { id: string }[]; accounts?: { id: string }[] };
    const from = (accounts.data ?? accounts.accounts ?? [])[0]?.id as string;
    const payeesRes = await fetch(`${bank.baseUrl}/v1/payees`, {
      headers: { "x-api-key": DEMO_CREDENTIALS.maria.apiKey },
    });
    const payees = (await payeesRes.json()) as { data?: { id: string }[]; payees?: { id: string }[] };
    const payeeId = (payees.data ?? payees.payees ?? [])[0]?.id as string;
    const tryTransfer = (amount: string, confirm: boolean) =>
      platform.fetch(`/v1/tool-sets/${toolSetId}/tools/createTransfer/try`, {
        method: "POST",
        json: {
          confirm,
          arguments: {
            "Idempotency-Key": `try-${amount}-${Date.now()}`,
            fromAccountId: from,
            payeeId,
            amount,
            currency: "EUR",
            reference: "Tool Forge test",
          },
        },
      });
    expect((await tryTransfer("12.00", false)).status).toBe(400);
    const tooMuch = await json<{ ok: boolean; status: number; error: string }>(
      await tryTransfer("5000.00", true),
    );
    expect(tooMuch).toMatchObject({ ok: false, status: 422 });
    expect(tooMuch.error).toMatch(/limit/i);
    const sent = await json<{ ok: boolean; status: number }>(await tryTransfer("12.00", true));
    expect(sent).toMatchObject({ ok: true, status: 201 });
  });
});
