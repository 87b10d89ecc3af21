/**
 * Tool Forge over real HTTP, against a small API the test starts: credentials (write-only, sealed; OAuth client
 * credentials fetched once and cached), tool sets (checked when saved: placements, schemas, private hosts,
 * another tenant's credential), trying a tool (the request shown with its secrets masked, writes only when
 * confirmed, reads retried, large answers kept valid JSON), versions that never change under an agent that
 * pins them, and an agent turn citing a tool's answer ([T1]) with the request in its trace.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { setDeps } from "../platform/process-deps.js";
import { answer, callTools, scriptedModel } from "../agents/testing/scripted-model.js";
import { json } from "../channels/openai/testing/fixture.js";
import type { ToolDefinitionInput as ToolDefinition } from "./schema.js";

const clientSecret = "bank-client-secret-of-the-test";
const apiKey = "bank-api-key-of-the-test";
let tokenFetches = 0;
let flaky = 0;
const transfers: unknown[] = [];

/** A small bank: OAuth client credentials, a balance, a flaky read, a large list, transfers, an echo. */
const api = http.createServer((req, res) => {
  let raw = "";
  req.on("data", (c: Buffer) => (raw += c.toString()));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://bank");
    const send = (status: number, body: unknown, type = "application/json") => {
      res.writeHead(status, { "content-type": type });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/oauth/token") {
      const basic = Buffer.from(`client-1:${clientSecret}`).toString("base64");
      if (req.headers.authorization !== `Basic ${basic}`) return send(401, { error: "invalid_client" });
      tokenFetches++;
      return send(200, { access_token: `token-${tokenFetches}`, token_type: "Bearer", expires_in: 300 });
    }
    if (url.pathname === "/echo") {
      return send(200, {
        query: Object.fromEntries(url.searchParams),
        apiKey: req.headers["x-api-key"] ?? null,
      });
    }
    if (!/^Bearer token-\d+$/.test(req.headers.authorization ?? ""))
      return send(401, { title: "Unauthorized" });
    const balance = /^\/accounts\/([^/]+)\/balance$/.exec(url.pathname);
    if (balance) return send(200, { data: { accountId: balance[1], balance: "1250.00", currency: "EUR" } });
    if (url.pathname === "/flaky")
      return ++flaky % 2 === 1 ? send(503, { title: "Busy" }) : send(200, { ok: true });
    if (url.pathname === "/big") {
      return send(200, { items: Array.from({ length: 2000 }, (_, i) => ({ id: i, memo: "x".repeat(40) })) });
    }
    if (url.pathname === "/transfers" && req.method === "POST") {
      const body = JSON.parse(raw) as { amount: string };
      if (Number(body.amount) > 1000) {
        res.writeHead(422, { "content-type": "application/problem+json" });
        return res.end(
          JSON.stringify({ title: "Limit exceeded", detail: "The per-transfer limit is 1000.00 EUR" }),
        );
      }
      transfers.push(body);
      return send(201, { id: `tr-${transfers.length}`, status: "booked" });
    }
    send(404, { title: "Not found" });
  });
});

let platform: TestPlatform;
let bank = "";
let oauthId = "";
let keyId = "";

const read = (name: string, path: string, extra: Partial<ToolDefinition> = {}): ToolDefinition => ({
  name,
  description: `Calls ${path}`,
  parameters: { type: "object", properties: {}, additionalProperties: false },
  sideEffect: "read",
  enabled: true,
  timeoutMs: 5000,
  operation: { method: "GET", path, arguments: {}, body: null },
  select: null,
  ...extra,
});

const balanceTool = read("get_balance", "/accounts/{accountId}/balance", {
  description: "The balance of one account",
  parameters: {
    type: "object",
    properties: { accountId: { type: "string", pattern: "^[A-Z0-9-]{3,20}$" } },
    required: ["accountId"],
    additionalProperties: false,
  },
  operation: {
    method: "GET",
    path: "/accounts/{accountId}/balance",
    arguments: { accountId: { in: "path", name: "accountId" } },
    body: null,
  },
  select: "/data",
});

const transferTool: ToolDefinition = {
  ...read("make_transfer", "/transfers"),
  description: "Transfers money",
  sideEffect: "write",
  parameters: {
    type: "object",
    properties: { amount: { type: "string" }, to: { type: "string" } },
    required: ["amount", "to"],
    additionalProperties: false,
  },
  operation: {
    method: "POST",
    path: "/transfers",
    arguments: { amount: { in: "body", name: "amount" }, to: { in: "body", name: "to" } },
    body: { contentType: "application/json", mode: "properties" },
  },
};

async function createSet(body: Record<string, unknown>, key?: string): Promise<Response> {
  return platform.fetch("/v1/tool-sets", { method: "POST", json: body, key });
}

beforeAll(async () => {
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", () => resolve()));
  bank = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  platform = await startTestPlatform({ ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true" });
  const oauth = await platform.fetch("/v1/tool-credentials", {
    method: "POST",
    json: {
      name: "Bank OAuth",
      kind: "oauth2-client-credentials",
      secret: clientSecret,
      oauth: { tokenUrl: `${bank}/oauth/token`, clientId: "client-1", scopes: ["accounts:read"] },
    },
  });
  expect(oauth.status, await oauth.clone().text()).toBe(201);
  oauthId = (await json<{ id: string }>(oauth)).id;
  const key = await platform.fetch("/v1/tool-credentials", {
    method: "POST",
    json: { name: "Echo key", kind: "api-key", secret: apiKey, placement: { in: "query", name: "api_key" } },
  });
  keyId = (await json<{ id: string }>(key)).id;
});

afterAll(async () => {
  await platform?.close();
  await new Promise((resolve) => api.close(resolve));
});

describe("credentials", () => {
  it("are write-only and sealed, managed by admins, and invisible to other tenants", async () => {
    const listed = JSON.stringify(await json(await platform.fetch("/v1/tool-credentials")));
    expect(listed).toContain("Bank OAuth");
    expect(listed).not.toContain(clientSecret);
    const stored = JSON.stringify((await platform.deps.store.get(`toolSecrets/${oauthId}`))?.data);
    expect(stored).not.toContain(clientSecret);
    const asEditor = await platform.fetch("/v1/tool-credentials", {
      method: "POST",
      json: { name: "x", kind: "bearer", secret: "abc" },
      key: platform.keys.editor,
    });
    expect(asEditor.status).toBe(403);
    const other = await platform.fetch(`/v1/tool-credentials/${oauthId}`, {
      key: platform.keys.otherTenantOwner,
    });
    expect(other.status).toBe(404);
    const incomplete = await platform.fetch("/v1/tool-credentials", {
      method: "POST",
      json: { name: "key", kind: "api-key", secret: "abc" },
    });
    expect(incomplete.status).toBe(400);
    expect(await incomplete.text()).toMatch(/needs placement/);
  });
});

describe("tool sets", () => {
  it("refuse tools whose request does not match their schema, private hosts and foreign credentials", async () => {
    const unplaced = { ...balanceTool, operation: { ...balanceTool.operation, arguments: {} } };
    const bad = await createSet({ name: "Bank", baseUrl: bank, tools: [unplaced] });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/accountId is not placed in the request/);
    const schema = { ...read("broken", "/x"), parameters: { type: "string" } };
    expect(await (await createSet({ name: "Bank", baseUrl: bank, tools: [schema] })).text()).toMatch(
      /must be a JSON Schema of type/,
    );
    const twice = await createSet({ name: "Bank", baseUrl: bank, tools: [balanceTool, balanceTool] });
    expect(await twice.text()).toMatch(/declared twice/);
    const internal = await createSet({ name: "Bank", baseUrl: "http://10.0.0.7", tools: [balanceTool] });
    expect(internal.status).toBe(400);
    expect(await internal.text()).toMatch(/base URL cannot be called/);
    const foreign = await createSet(
      { name: "Bank", baseUrl: bank, credentialId: oauthId, tools: [balanceTool] },
      platform.keys.otherTenantOwner,
    );
    expect(foreign.status).toBe(404);
    expect((await createSet({ name: "Bank", baseUrl: bank, tools: [] }, platform.keys.viewer)).status).toBe(
      403,
    );
  });

  it("try a read with the credential's auth, masked, and a write only when confirmed", async () => {
    const set = await json<{ id: string }>(
      await createSet({
        name: "Bank",
        baseUrl: bank,
        credentialId: oauthId,
        tools: [balanceTool, transferTool, read("flaky_read", "/flaky"), read("big_list", "/big")],
      }),
    );
    const tryTool = (name: string, body: unknown) =>
      platform.fetch(`/v1/tool-sets/${set.id}/tools/${name}/try`, { method: "POST", json: body });
    const first = await json<{
      ok: boolean;
      output: string;
      request: { url: string; headers: Record<string, string> };
    }>(await tryTool("get_balance", { arguments: { accountId: "ACC-77" } }));
    expect(first.ok).toBe(true);
    expect(JSON.parse(first.output)).toEqual({ accountId: "ACC-77", balance: "1250.00", currency: "EUR" });
    expect(first.request.url).toBe(`${bank}/accounts/ACC-77/balance`);
    expect(first.request.headers.authorization).toBe("Bearer ***");
    await tryTool("get_balance", { arguments: { accountId: "ACC-78" } });
    expect(tokenFetches).toBe(1); // cached until shortly before it expires

    const invalid = await tryTool("get_balance", { arguments: { accountId: "../../admin" } });
    expect(invalid.status).toBe(400);
    const unconfirmed = await tryTool("make_transfer", { arguments: { amount: "10.00", to: "P1" } });
    expect(unconfirmed.status).toBe(400);
    expect(transfers).toHaveLength(0);
    const confirmed = await json<{ ok: boolean }>(
      await tryTool("make_transfer", { arguments: { amount: "10.00", to: "P1" }, confirm: true }),
    );
    expect(confirmed.ok).toBe(true);
    expect(transfers).toHaveLength(1);
    const refused = await json<{ ok: boolean; status: number; error: string }>(
      await tryTool("make_transfer", { arguments: { amount: "5000.00", to: "P1" }, confirm: true }),
    );
    expect(refused).toMatchObject({ ok: false, status: 422 });
    expect(refused.error).toMatch(/per-transfer limit is 1000\.00 EUR/);

    const retried = await json<{ ok: boolean; attempts: number }>(await tryTool("flaky_read", {}));
    expect(retried).toMatchObject({ ok: true, attempts: 2 });
    const big = await json<{ output: string }>(await tryTool("big_list", {}));
    expect(big.output.length).toBeLessThanOrEqual(8000);
    const [jsonPart, note] = big.output.split("\n");
    expect(() => JSON.parse(jsonPart ?? "")).not.toThrow();
    expect(note).toMatch(/shortened to fit/);
  });

  it("mask an API key sent in the query wherever the request is shown", async () => {
    const echo = read("echo", "/echo", {
      parameters: { type: "object", properties: { q: { type: "string" } }, additionalProperties: false },
      operation: { method: "GET", path: "/echo", arguments: { q: { in: "query", name: "q" } }, body: null },
    });
    const set = await json<{ id: string }>(
      await createSet({ name: "Echo", baseUrl: bank, credentialId: keyId, tools: [echo] }),
    );
    const tried = await json<{ output: string; request: { url: string } }>(
      await platform.fetch(`/v1/tool-sets/${set.id}/tools/echo/try`, {
        method: "POST",
        json: { arguments: { q: "hello world" } },
      }),
    );
    expect(tried.request.url).toBe(`${bank}/echo?q=hello+world&api_key=***`);
    expect(tried.output).not.toContain(apiKey);
    expect(JSON.parse(tried.output)).toMatchObject({ query: { q: "hello world", api_key: "***" } });
  });

  it("publish versions that never change under an agent that pins one, whose turns cite the tool", async () => {
    const set = await json<{ id: string }>(
      await createSet({
        name: "Bank v",
        baseUrl: bank,
        credentialId: oauthId,
        tools: [balanceTool, transferTool],
      }),
    );
    const v1 = await platform.fetch(`/v1/tool-sets/${set.id}/publish`, { method: "POST" });
    expect(v1.status).toBe(201);
    expect((await json<{ version: number; tools: { name: string }[] }>(v1)).version).toBe(1);
    // The draft moves on; version 1 does not.
    await platform.fetch(`/v1/tool-sets/${set.id}`, {
      method: "PATCH",
      json: { enabled: { get_balance: false } },
    });
    const pinned = await json<{ tools: { name: string }[] }>(
      await platform.fetch(`/v1/tool-sets/${set.id}/versions/1`),
    );
    expect(pinned.tools.map((t) => t.name)).toEqual(["get_balance", "make_transfer"]);

    const agent = await json<{ id: string }>(
      await platform.fetch("/v1/agents", {
        method: "POST",
        json: {
          name: "Banking assistant",
          instructions: "Answer questions about the customer's accounts with the bank's tools.",
          knowledgeBaseIds: [],
          tools: [{ kind: "toolset", toolSetId: set.id, version: 1 }],
          confidenceThreshold: 0.1,
        },
      }),
    );
    expect(
      (await platform.fetch(`/v1/agents/${agent.id}/publish`, { method: "POST", json: {} })).status,
    ).toBe(200);
    const missing = await platform.fetch("/v1/agents", {
      method: "POST",
      json: {
        name: "x",
        instructions: "x",
        knowledgeBaseIds: [],
        tools: [{ kind: "toolset", toolSetId: set.id, version: 9 }],
      },
    });
    expect(missing.status).toBe(404);

    const model = scriptedModel([
      () =>
        callTools(
          { id: "c1", name: "get_balance", arguments: '{"accountId":"ACC-77"}' },
          { id: "c2", name: "make_transfer", arguments: '{"amount":"10.00","to":"P1"}' },
        ),
      () => answer("Account ACC-77 holds 1250.00 EUR [T1]."),
    ]);
    setDeps({ ...platform.deps, chat: model });
    try {
      const conversation = await json<{ id: string }>(
        await platform.fetch(`/v1/agents/${agent.id}/conversations`, { method: "POST", json: {} }),
      );
      const before = transfers.length;
      const reply = await json<{
        message: { content: string; citations: { docName: string }[]; traceId: string };
      }>(
        await platform.fetch(`/v1/conversations/${conversation.id}/messages`, {
          method: "POST",
          json: { content: "What is the balance of ACC-77, and send 10 EUR to P1" },
        }),
      );
      expect(reply.message.citations[0]?.docName).toBe("Tool get_balance");
      expect(transfers.length).toBe(before); // a write never runs on the model's say-so
      const trace = await json<{
        toolCalls: {
          name: string;
          status: string;
          error: string | null;
          request?: { url: string; headers: Record<string, string> };
        }[];
      }>(await platform.fetch(`/v1/traces/${reply.message.traceId}`));
      const [balance, transfer] = trace.toolCalls;
      expect(balance).toMatchObject({ name: "get_balance", status: "ok" });
      expect(balance?.request?.headers.authorization).toBe("Bearer ***");
      // It waits for the end user instead, showing exactly what it will send (agents/confirmations.test.ts).
      expect(transfer).toMatchObject({ name: "make_transfer", status: "awaiting-confirmation" });
      expect(transfer?.request?.headers.authorization).toBe("Bearer ***");
      expect(JSON.stringify(trace)).not.toContain("token-1");
    } finally {
      setDeps(platform.deps);
    }
  });
});
