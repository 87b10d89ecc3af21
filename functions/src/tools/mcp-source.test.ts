/**
 * Remote MCP servers as Tool Forge tool sources, against real servers the test starts with the official SDK
 * (`@modelcontextprotocol/server`): one serving 2026-07-28 (and 2025-11-25 on the same endpoint), one speaking
 * 2025-11-25 only, a hostile one, and a stdio server the operator allows. Tools listed with their schemas (a
 * tool whose schema the platform cannot check skipped with why), a bearer credential applied and never shown,
 * publishing, an agent turn calling a read tool with the request in its trace, refresh adding and removing tools,
 * and what is refused: unreachable and private hosts, malformed JSON-RPC, oversized answers, a server that hangs,
 * another tenant's tool set. A failed connect creates nothing.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import {
  createMcpHandler,
  fromJsonSchema,
  legacyStatelessFallback,
  McpServer,
  type CallToolResult,
} from "@modelcontextprotocol/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { answer, callTools, scriptedModel } from "../agents/testing/scripted-model.js";
import { json } from "../channels/openai/testing/fixture.js";
import { nodeEgress } from "../platform/egress/node-egress.js";
import type { Deps } from "../platform/deps.js";
import { setDeps } from "../platform/process-deps.js";
import { callTool, ToolCallError } from "./executor.js";
import { stdioServer } from "./mcp-source.js";
import type { ToolDefinition } from "./schema.js";

const bearer = "mcp-bearer-secret-of-the-test";

/** What the bank's MCP server lists; the refresh test changes it. */
const served = { lookup: true, statement: false, paymentMemo: false };
/** OAuth access tokens the hostile server's token endpoint handed out; the first has "expired" at the server. */
let tokensIssued = 0;
/** Every request the servers saw: its headers. */
const seen: http.IncomingHttpHeaders[] = [];

/** The bank's tools, defined once for both revisions (as the SDK recommends: one factory). */
function bankServer(): McpServer {
  const server = new McpServer({ name: "demo-bank", version: "3.1.0" });
  server.registerTool(
    "get.balance",
    {
      description: "The balance of one account",
      inputSchema: z.object({ accountId: z.string().regex(/^[A-Z0-9-]{3,20}$/) }),
      annotations: { readOnlyHint: true },
    },
    ({ accountId }): CallToolResult => {
      const out = { accountId, balance: "1250.00", currency: "EUR" };
      return { content: [{ type: "text", text: JSON.stringify(out) }], structuredContent: out };
    },
  );
  server.registerTool(
    "send_payment",
    {
      description: "Sends a payment",
      inputSchema: served.paymentMemo
        ? z.object({ amount: z.string(), to: z.string(), memo: z.string().optional() })
        : z.object({ amount: z.string(), to: z.string() }),
    },
    (): CallToolResult => ({ content: [{ type: "text", text: "sent" }] }),
  );
  server.registerTool(
    "always_fails",
    { description: "Fails", inputSchema: z.object({}), annotations: { readOnlyHint: true } },
    (): CallToolResult => ({ isError: true, content: [{ type: "text", text: "Account service is closed" }] }),
  );
  server.registerTool(
    "big_answer",
    { description: "A long list", inputSchema: z.object({}), annotations: { readOnlyHint: true } },
    (): CallToolResult => ({
      content: [
        {
          type: "text",
          text: JSON.stringify({
            items: Array.from({ length: 2000 }, (_, i) => ({ id: i, memo: "x".repeat(40) })),
          }),
        },
      ],
    }),
  );
  server.registerTool(
    "huge_answer",
    { description: "Too much", inputSchema: z.object({}), annotations: { readOnlyHint: true } },
    (): CallToolResult => ({ content: [{ type: "text", text: "y".repeat(2 * 1024 * 1024) }] }),
  );
  server.registerTool(
    "slow",
    { description: "Takes its time", inputSchema: z.object({}), annotations: { readOnlyHint: true } },
    async (): Promise<CallToolResult> => {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      return { content: [{ type: "text", text: "late" }] };
    },
  );
  server.registerTool(
    "conditional_schema",
    {
      description: "Its schema is conditional, which the platform's checker does not take",
      inputSchema: fromJsonSchema({
        type: "object",
        properties: { q: { type: "string" } },
        if: { required: ["q"] },
        then: { properties: { q: { minLength: 3 } } },
      }),
    },
    (): CallToolResult => ({ content: [{ type: "text", text: "never called" }] }),
  );
  if (served.lookup) {
    server.registerTool(
      "lookup_payee",
      {
        description: "Finds a payee",
        inputSchema: z.object({ q: z.string() }),
        annotations: { readOnlyHint: true },
      },
      ({ q }): CallToolResult => ({ content: [{ type: "text", text: `payee ${q}` }] }),
    );
  }
  if (served.statement) {
    server.registerTool(
      "get_statement",
      {
        description: "A monthly statement",
        inputSchema: z.object({ month: z.string() }),
        annotations: { readOnlyHint: true },
      },
      ({ month }): CallToolResult => ({ content: [{ type: "text", text: `statement ${month}` }] }),
    );
  }
  return server;
}

type WebHandler = (request: Request) => Promise<Response>;

/** A node HTTP server in front of a fetch-shaped MCP handler, checking the bearer token first. */
function serve(handle: WebHandler, options: { auth: boolean }): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        seen.push(req.headers);
        const accepted = [`Bearer ${bearer}`, "Bearer oauth-token-2"];
        if (options.auth && !accepted.includes(req.headers.authorization ?? "")) {
          res.writeHead(401, { "content-type": "application/json" }).end('{"error":"unauthorized"}');
          return;
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const body = Buffer.concat(chunks);
        const response = await handle(
          new Request(`http://${req.headers.host}${req.url}`, {
            method: req.method,
            headers,
            ...(body.length > 0 ? { body } : {}),
          }),
        );
        const out: Record<string, string> = {};
        response.headers.forEach((v, k) => (out[k] = v));
        res.writeHead(response.status, out);
        res.end(Buffer.from(await response.arrayBuffer()));
      })().catch((e: unknown) => res.writeHead(500).end(String(e)));
    });
  });
}

const modern = createMcpHandler(() => bankServer());
const modernServer = serve((r) => modern.fetch(r), { auth: true });
const legacyOnly = legacyStatelessFallback(() => bankServer());
const legacyServer = serve((r) => legacyOnly(r), { auth: false });

/** A server that is not one: malformed JSON-RPC, or no answer at all. */
const hostile = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url === "/malformed") {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end('{"jsonrpc": "2.0", "id": 1, "result": ');
      return;
    }
    if (req.url === "/not-rpc") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"hello": "world"}');
      return;
    }
    if (req.url === "/oauth/token") {
      tokensIssued++;
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ access_token: `oauth-token-${tokensIssued}`, expires_in: 3600 }));
      return;
    }
    // /hang: never answers
  });
});

const listen = async (server: http.Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** A stdio server the operator allows: the SDK's server over the process's stdin/stdout. */
const stdioDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-mcp-stdio-"));
const stdioScript = path.join(stdioDir, "notes-server.mjs");
const moduleUrl = (specifier: string) => import.meta.resolve(specifier);
fs.writeFileSync(
  stdioScript,
  `import { McpServer } from ${JSON.stringify(moduleUrl("@modelcontextprotocol/server"))};
import { serveStdio } from ${JSON.stringify(moduleUrl("@modelcontextprotocol/server/stdio"))};
import { z } from ${JSON.stringify(moduleUrl("zod"))};
serveStdio(() => {
  const server = new McpServer({ name: "notes", version: "0.1.0" });
  server.registerTool("read_note", { description: "Reads a note", inputSchema: z.object({ name: z.string() }),
    annotations: { readOnlyHint: true } }, ({ name }) => ({ content: [{ type: "text", text: "note " + name + " says hello" }] }));
  return server;
});
`,
);

let platform: TestPlatform;
let modernUrl = "";
let legacyUrl = "";
let hostileUrl = "";
let credentialId = "";
/** Every answer the API gave in this file, to check no secret is ever in one. */
const answers: string[] = [];

async function api(pathname: string, init: Parameters<TestPlatform["fetch"]>[1] = {}): Promise<Response> {
  const res = await platform.fetch(pathname, init);
  answers.push(await res.clone().text());
  return res;
}

interface ToolSetView {
  id: string;
  name: string;
  baseUrl: string;
  credentialId: string | null;
  source: {
    kind: string;
    url: string;
    serverName: string;
    serverVersion: string;
    protocolVersion: string;
    headers: Record<string, string>;
    skipped: { operation: string; reason: string }[];
  };
  tools: (ToolDefinition & { operation: { kind: string; tool: string } })[];
}

const connect = (body: Record<string, unknown>, key?: string) =>
  api("/v1/tool-sets/mcp", { method: "POST", json: body, ...(key ? { key } : {}) });

const toolSetCount = async () =>
  (await json<{ toolSets: unknown[] }>(await api("/v1/tool-sets"))).toolSets.length;

beforeAll(async () => {
  modernUrl = `${await listen(modernServer)}/mcp`;
  legacyUrl = `${await listen(legacyServer)}/mcp`;
  hostileUrl = await listen(hostile);
  platform = await startTestPlatform({
    ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true",
    ALCHEMIST_MCP_STDIO_ALLOW: JSON.stringify({ notes: { command: process.execPath, args: [stdioScript] } }),
  });
  const credential = await api("/v1/tool-credentials", {
    method: "POST",
    json: { name: "Bank MCP", kind: "bearer", secret: bearer },
  });
  expect(credential.status, await credential.clone().text()).toBe(201);
  credentialId = (await json<{ id: string }>(credential)).id;
});

afterAll(async () => {
  setDeps(platform?.deps);
  await platform?.close();
  await modern.close();
  hostile.closeAllConnections();
  for (const server of [modernServer, legacyServer, hostile]) await new Promise((r) => server.close(r));
  fs.rmSync(stdioDir, { recursive: true, force: true });
});

describe("a tool set from an MCP server", () => {
  let set: ToolSetView;

  it("lists a 2026-07-28 server's tools with their schemas; reads only where the server says so", async () => {
    const res = await connect({
      url: modernUrl,
      credentialId,
      headers: { "X-Workspace": "acme" },
      enable: "read",
    });
    expect(res.status, await res.clone().text()).toBe(201);
    set = await json<ToolSetView>(res);
    expect(set.name).toBe("demo-bank");
    expect(set.baseUrl).toBe(modernUrl);
    expect(set.source).toMatchObject({
      kind: "mcp",
      url: modernUrl,
      serverName: "demo-bank",
      serverVersion: "3.1.0",
      protocolVersion: "2026-07-28",
      headers: { "X-Workspace": "acme" },
    });
    const byName = new Map(set.tools.map((t) => [t.name, t]));
    // Names as models accept them; the server's own name is what a call sends.
    expect(byName.get("get_balance")?.operation).toEqual({
      kind: "mcp",
      tool: "get.balance",
      headers: { "X-Workspace": "acme" },
    });
    expect(byName.get("get_balance")?.parameters).toMatchObject({
      type: "object",
      properties: { accountId: { type: "string" } },
      required: ["accountId"],
    });
    expect(byName.get("get_balance")).toMatchObject({ sideEffect: "read", enabled: true });
    expect(byName.get("send_payment")).toMatchObject({ sideEffect: "write", enabled: false });
    expect(byName.has("conditional_schema")).toBe(false);
    expect(set.source.skipped).toEqual([
      {
        operation: "conditional_schema",
        reason: expect.stringMatching(/input schema cannot be checked by the platform \(Conditional schemas/),
      },
    ]);
    // The credential was sent (the server checks it) and the plain header too.
    expect(seen.some((h) => h["x-workspace"] === "acme" && h.authorization === `Bearer ${bearer}`)).toBe(
      true,
    );
  });

  it("connects to a server that speaks 2025-11-25 only (initialize)", async () => {
    const res = await connect({ url: legacyUrl, name: "Legacy bank", enable: "all" });
    expect(res.status, await res.clone().text()).toBe(201);
    const legacy = await json<ToolSetView>(res);
    expect(legacy.source).toMatchObject({
      kind: "mcp",
      protocolVersion: "2025-11-25",
      serverName: "demo-bank",
    });
    expect(legacy.tools.map((t) => t.name)).toContain("get_balance");
    const tried = await json<{ ok: boolean; output: string }>(
      await api(`/v1/tool-sets/${legacy.id}/tools/get_balance/try`, {
        method: "POST",
        json: { arguments: { accountId: "ACC-9" } },
      }),
    );
    expect(tried.ok).toBe(true);
    expect(JSON.parse(tried.output)).toMatchObject({ accountId: "ACC-9", balance: "1250.00" });
  });

  it("authenticates with OAuth client credentials, fetching a new token once when the server refuses one", async () => {
    const oauth = await json<{ id: string }>(
      await api("/v1/tool-credentials", {
        method: "POST",
        json: {
          name: "Bank MCP (OAuth)",
          kind: "oauth2-client-credentials",
          secret: "oauth-client-secret-of-the-test",
          oauth: { tokenUrl: `${hostileUrl}/oauth/token`, clientId: "client-1" },
        },
      }),
    );
    const res = await connect({ url: modernUrl, credentialId: oauth.id, name: "Bank over OAuth" });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(tokensIssued).toBe(2); // oauth-token-1 refused with 401, oauth-token-2 accepted
    expect(seen.at(-1)?.authorization).toBe("Bearer oauth-token-2");
  });

  it("tries a tool as an agent would: the output, and the tools/call request with the secret masked", async () => {
    const tryTool = (name: string, body: unknown) =>
      api(`/v1/tool-sets/${set.id}/tools/${name}/try`, { method: "POST", json: body });
    const tried = await json<{
      ok: boolean;
      output: string;
      request: { method: string; url: string; headers: Record<string, string>; body: string };
    }>(await tryTool("get_balance", { arguments: { accountId: "ACC-77" } }));
    expect(tried.ok).toBe(true);
    expect(JSON.parse(tried.output)).toEqual({ accountId: "ACC-77", balance: "1250.00", currency: "EUR" });
    expect(tried.request).toMatchObject({ method: "POST", url: modernUrl });
    expect(tried.request.headers).toMatchObject({ authorization: "Bearer ***", "X-Workspace": "acme" });
    expect(JSON.parse(tried.request.body)).toEqual({
      name: "get.balance",
      arguments: { accountId: "ACC-77" },
    });

    const failed = await json<{ ok: boolean; error: string }>(await tryTool("always_fails", {}));
    expect(failed).toMatchObject({ ok: false });
    expect(failed.error).toMatch(/reported an error: Account service is closed/);

    // Arguments are checked against the server's schema before anything is sent.
    expect((await tryTool("get_balance", { arguments: { accountId: "../x" } })).status).toBe(400);
    // A write runs only when a person confirms it.
    expect((await tryTool("send_payment", { arguments: { amount: "1", to: "P1" } })).status).toBe(400);

    const big = await json<{ ok: boolean; output: string }>(await tryTool("big_answer", {}));
    expect(big.output.length).toBeLessThanOrEqual(8000);
    const [jsonPart, note] = big.output.split("\n");
    expect(() => JSON.parse(jsonPart ?? "")).not.toThrow();
    expect(note).toMatch(/shortened to fit/);

    const huge = await json<{ ok: boolean; error: string }>(await tryTool("huge_answer", {}));
    expect(huge).toMatchObject({ ok: false });
    expect(huge.error).toMatch(/longer than 1048576 bytes/);
  });

  it("is published and called by an agent pinning the version, the call in the trace, the secret masked", async () => {
    const published = await api(`/v1/tool-sets/${set.id}/publish`, { method: "POST" });
    expect(published.status, await published.clone().text()).toBe(201);
    const version = await json<{ version: number; tools: { name: string }[] }>(published);
    expect(version.tools.map((t) => t.name)).toContain("get_balance");
    expect(version.tools.map((t) => t.name)).not.toContain("send_payment");

    const agent = await json<{ id: string }>(
      await api("/v1/agents", {
        method: "POST",
        json: {
          name: "MCP banking assistant",
          instructions: "Answer questions about accounts with the bank's tools.",
          knowledgeBaseIds: [],
          tools: [{ kind: "toolset", toolSetId: set.id, version: version.version }],
          confidenceThreshold: 0.1,
        },
      }),
    );
    expect((await api(`/v1/agents/${agent.id}/publish`, { method: "POST", json: {} })).status).toBe(200);
    const model = scriptedModel([
      () => callTools({ id: "c1", name: "get_balance", arguments: '{"accountId":"ACC-77"}' }),
      () => answer("Account ACC-77 holds 1250.00 EUR [T1]."),
    ]);
    setDeps({ ...platform.deps, chat: model });
    try {
      const conversation = await json<{ id: string }>(
        await api(`/v1/agents/${agent.id}/conversations`, { method: "POST", json: {} }),
      );
      const reply = await json<{ message: { citations: { docName: string }[]; traceId: string } }>(
        await api(`/v1/conversations/${conversation.id}/messages`, {
          method: "POST",
          json: { content: "What is the balance of ACC-77?" },
        }),
      );
      expect(reply.message.citations[0]?.docName).toBe("Tool get_balance");
      const traceRes = await api(`/v1/traces/${reply.message.traceId}`);
      const trace = await json<{
        toolCalls: {
          name: string;
          status: string;
          output: string;
          request?: { method: string; url: string; headers: Record<string, string>; body: string };
        }[];
      }>(traceRes);
      expect(trace.toolCalls[0]).toMatchObject({ name: "get_balance", status: "ok" });
      expect(trace.toolCalls[0]?.output).toMatch(/1250\.00/);
      expect(trace.toolCalls[0]?.request).toMatchObject({ method: "POST", url: modernUrl });
      expect(trace.toolCalls[0]?.request?.headers.authorization).toBe("Bearer ***");
      expect(JSON.parse(trace.toolCalls[0]?.request?.body ?? "{}")).toEqual({
        name: "get.balance",
        arguments: { accountId: "ACC-77" },
      });
    } finally {
      setDeps(platform.deps);
    }
  });

  it("is refreshed into the draft: tools added and removed, the workspace's names and choices kept", async () => {
    // The editor renames a tool and rewrites its description, and switches a write tool on.
    const draft = await json<ToolSetView>(await api(`/v1/tool-sets/${set.id}`));
    const edited = draft.tools.map((t) =>
      t.name === "get_balance"
        ? { ...t, name: "account_balance", description: "Balance of one of the customer's accounts" }
        : t,
    );
    const patched = await api(`/v1/tool-sets/${set.id}`, {
      method: "PATCH",
      json: { tools: edited, enabled: { send_payment: true } },
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    served.lookup = false;
    served.statement = true;
    served.paymentMemo = true;
    try {
      const res = await api(`/v1/tool-sets/${set.id}/refresh`, { method: "POST", json: {} });
      expect(res.status, await res.clone().text()).toBe(200);
      const refreshed = await json<ToolSetView & { added: string[]; removed: string[]; changed: string[] }>(
        res,
      );
      expect(refreshed.added).toEqual(["get_statement"]);
      expect(refreshed.removed).toEqual(["lookup_payee"]);
      expect(refreshed.changed).toEqual(["send_payment"]);
      const byName = new Map(refreshed.tools.map((t) => [t.name, t]));
      expect(byName.get("account_balance")).toMatchObject({
        description: "Balance of one of the customer's accounts",
        enabled: true,
        operation: { kind: "mcp", tool: "get.balance" },
      });
      expect(byName.get("send_payment")?.enabled).toBe(true);
      expect(byName.get("send_payment")?.parameters).toMatchObject({
        properties: { memo: { type: "string" } },
      });
      expect(byName.get("get_statement")?.enabled).toBe(false); // new tools start off
      expect(byName.has("lookup_payee")).toBe(false);
      // Version 1 is what agents pin: it does not change.
      const v1 = await json<{ tools: { name: string }[] }>(await api(`/v1/tool-sets/${set.id}/versions/1`));
      expect(v1.tools.map((t) => t.name)).toContain("lookup_payee");
    } finally {
      served.lookup = true;
      served.statement = false;
      served.paymentMemo = false;
    }
  });

  it("refreshes only MCP tool sets, and refuses another tenant's tool set as if it did not exist", async () => {
    const manual = await json<{ id: string }>(
      await api("/v1/tool-sets", {
        method: "POST",
        json: { name: "Manual", baseUrl: "https://api.example.test" },
      }),
    );
    const notMcp = await api(`/v1/tool-sets/${manual.id}/refresh`, { method: "POST", json: {} });
    expect(notMcp.status).toBe(400);
    expect(await notMcp.text()).toMatch(/not made from an MCP server/);
    const other = platform.keys.otherTenantOwner;
    for (const [pathname, body] of [
      [`/v1/tool-sets/${set.id}/refresh`, {}],
      [`/v1/tool-sets/${set.id}/tools/get_statement/try`, { arguments: { month: "2026-01" } }],
      [`/v1/tool-sets/${set.id}/publish`, undefined],
    ] as const) {
      const res = await api(pathname, { method: "POST", key: other, ...(body ? { json: body } : {}) });
      expect(res.status, pathname).toBe(404);
    }
    expect((await api(`/v1/tool-sets/${set.id}`, { key: other })).status).toBe(404);
    // Nor may it connect with this workspace's credential.
    const foreign = await connect({ url: modernUrl, credentialId }, other);
    expect(foreign.status).toBe(404);
    // A viewer may not connect servers.
    expect((await connect({ url: modernUrl }, platform.keys.viewer)).status).toBe(403);
  });
});

describe("what is refused, creating nothing", () => {
  it("unreachable, private, malformed or silent servers, secrets as plain headers, unknown stdio names", async () => {
    const before = await toolSetCount();
    const closed = http.createServer();
    const closedUrl = await listen(closed);
    await new Promise((r) => closed.close(r));
    for (const [body, why] of [
      [{ url: `${closedUrl}/mcp` }, /could not be listed: .*(refused|reached)/],
      [{ url: "http://10.0.0.7/mcp" }, /URL cannot be called/],
      [{ url: "http://169.254.169.254/mcp" }, /URL cannot be called/],
      [{ url: `${hostileUrl}/malformed` }, /could not be listed: .*answer could not be used \(.*JSON/],
      [{ url: `${hostileUrl}/not-rpc` }, /could not be listed/],
      [{ url: modernUrl }, /could not be listed: .*HTTP 401/], // no credential: the server refuses
      [{ url: modernUrl, headers: { "X-Api-Key": "k" } }, /looks like a secret/],
      [{ url: modernUrl, headers: { Authorization: "Bearer x" } }, /set by the platform/],
      [{ url: `http://user:pass@127.0.0.1:1/mcp` }, /user name or password/],
      [{ url: "stdio:nope" }, /No stdio MCP server named "nope"/],
      [{ url: "stdio:notes", credentialId }, /takes no credential/],
      [{ url: "ftp://example.com/mcp" }, /url: an http\(s\) URL, or stdio:<name>/],
    ] as const) {
      const res = await connect(body);
      const text = await res.text();
      expect(res.status, `${JSON.stringify(body)}: ${text}`).toBe(400);
      expect(JSON.parse(text).error.message, JSON.stringify(body)).toMatch(why);
    }
    expect(await toolSetCount()).toBe(before);
  });

  it("calls through the egress guard: loopback refused without the operator's allowance, and deadlines kept", async () => {
    const tool = (name: string, timeoutMs = 5000): ToolDefinition => ({
      name,
      description: name,
      parameters: { type: "object", properties: {} },
      sideEffect: "read",
      tags: [],
      enabled: true,
      timeoutMs,
      operation: { kind: "mcp", tool: name, headers: {} },
      limits: [],
      select: null,
    });
    const target = { tenantId: "acme", baseUrl: modernUrl, credentialId };
    const strict: Deps = {
      ...platform.deps,
      egress: nodeEgress({ policy: { allowedHosts: undefined, allowLoopback: false } }),
    };
    const refused = await callTool(strict, target, tool("slow"), {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ToolCallError);
    expect((refused as Error).message).toMatch(/URL was refused/);

    const started = Date.now();
    const late = await callTool(platform.deps, target, tool("slow", 800), {}).catch((e: unknown) => e);
    expect((late as Error).message).toMatch(/did not answer within 800 ms/);
    expect(Date.now() - started).toBeLessThan(2500);

    const silent = { ...target, baseUrl: `${hostileUrl}/hang`, credentialId: null };
    const hung = await callTool(platform.deps, silent, tool("anything", 500), {}).catch((e: unknown) => e);
    expect((hung as Error).message).toMatch(/did not answer within 500 ms/);

    const malformed = { ...target, baseUrl: `${hostileUrl}/malformed`, credentialId: null };
    const bad = await callTool(platform.deps, malformed, tool("anything"), {}).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ToolCallError);
    expect((bad as Error).message).toMatch(/answer could not be used/);
  });
});

describe("stdio servers (local mode, the operator's list)", () => {
  it("launch an allowed command and call its tools", async () => {
    const res = await connect({ url: "stdio:notes", enable: "all" });
    expect(res.status, await res.clone().text()).toBe(201);
    const set = await json<ToolSetView>(res);
    expect(set.source).toMatchObject({ kind: "mcp", url: "stdio:notes", serverName: "notes" });
    const tried = await json<{ ok: boolean; output: string; request: { url: string } }>(
      await api(`/v1/tool-sets/${set.id}/tools/read_note/try`, {
        method: "POST",
        json: { arguments: { name: "todo" } },
      }),
    );
    expect(tried).toMatchObject({
      ok: true,
      output: "note todo says hello",
      request: { url: "stdio:notes" },
    });
    expect((await api(`/v1/tool-sets/${set.id}/publish`, { method: "POST" })).status).toBe(201);
  });

  it("are refused in Firebase mode", () => {
    const firebase = { config: { mode: "firebase" } } as unknown as Deps;
    expect(() => stdioServer(firebase, "stdio:notes")).toThrow(/only in local mode/);
  });
});

describe("the credential's secret", () => {
  it("appears in no answer of the API and nowhere in the stored tool sets", async () => {
    expect(answers.length).toBeGreaterThan(20);
    for (const text of answers) expect(text).not.toContain(bearer);
    const stored = await platform.deps.store.query({ collection: "tenants/acme/toolSets" });
    expect(JSON.stringify(stored.map((s) => s.data))).not.toContain(bearer);
  });
});
