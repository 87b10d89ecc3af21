/**
 * A Tool Forge tool set served as an MCP server, driven by the official SDK client over real HTTP: the Banking
 * API example imported from its OpenAPI document with an OAuth credential and published, then used from an MCP
 * client at `/mcp/tool-sets/{id}`. The published reads are listed with their schemas and read-only hints and
 * answer with the bank's data; bad arguments and the bank's refusals are tool errors that say why; writes are
 * served only when the tool set exports them (destructive, to editors); agent-scoped keys, other tenants and
 * unpublished tool sets are refused. Then the client configurations `GET /v1/tool-sets/{id}/mcp-config` hands
 * out, each pointing at that endpoint.
 */
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import {
  asCustomer,
  bankSpec as spec,
  createBankCredential,
  DEMO_CREDENTIALS,
  startTestBank,
  type RunningBank,
} from "../../tools/testing/bank.js";
import { json } from "../openai/testing/fixture.js";

let platform: TestPlatform;
let bank: RunningBank;
let toolSetId = "";
/** Imported and never published. */
let draftOnlyId = "";
let accountId = "";
let payeeId = "";
const readTools: string[] = [];

interface ToolSet {
  id: string;
  tools: { name: string; sideEffect: "read" | "write"; enabled: boolean }[];
}

const asBank = <T>(pathname: string): Promise<T> => asCustomer<T>(bank, pathname);

beforeAll(async () => {
  bank = await startTestBank();
  platform = await startTestPlatform({ ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true" });
  const credentialId = await createBankCredential(platform, bank);
  const importBank = async (name: string) => {
    const res = await platform.fetch("/v1/tool-sets/import", {
      method: "POST",
      json: { spec, name, baseUrl: bank.baseUrl, credentialId, enable: "read" },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return json<ToolSet>(res);
  };
  const set = await importBank("Demo bank");
  toolSetId = set.id;
  readTools.push(...set.tools.filter((t) => t.sideEffect === "read").map((t) => t.name));
  expect((await platform.fetch(`/v1/tool-sets/${toolSetId}/publish`, { method: "POST" })).status).toBe(201);
  draftOnlyId = (await importBank("Bank draft")).id;

  const accounts = await asBank<{ data?: { id: string }[]; accounts?: { id: string }[] }>("/v1/accounts");
  accountId = (accounts.data ?? accounts.accounts ?? [])[0]?.id ?? "";
  const payees = await asBank<{ data?: { id: string }[]; payees?: { id: string }[] }>("/v1/payees");
  payeeId = (payees.data ?? payees.payees ?? [])[0]?.id ?? "";
  expect(accountId && payeeId).toBeTruthy();
}, 60_000);

afterAll(async () => {
  await platform?.close();
  await bank?.close();
});

const endpoint = (id = toolSetId, query = "") => `${platform.url}/mcp/tool-sets/${id}${query}`;

/** The official client with `key`; `mode` pins a protocol revision (by default the client negotiates one). */
async function connect(key: string, url = endpoint(), mode?: "legacy" | { pin: string }): Promise<Client> {
  const client = new Client(
    { name: "alchemist-tests", version: "1.0.0" },
    mode ? { versionNegotiation: { mode } } : {},
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

/** One JSON-RPC message posted as any HTTP client would, to read the HTTP answer itself. */
const listTools = (key: string, url = endpoint()) =>
  fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });

const textOf = (result: { content?: unknown }): string =>
  ((result.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");

describe.each([
  { name: "2026-07-28", mode: { pin: "2026-07-28" } },
  { name: "2025-11-25", mode: "legacy" as const },
])("a published tool set, over revision $name", ({ mode }) => {
  it("lists the published reads with their schemas and read-only hints, and no write", async () => {
    const client = await connect(platform.keys.viewer, endpoint(), mode);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...readTools].sort());
    expect(tools.map((t) => t.name)).not.toContain("createTransfer");
    const balance = tools.find((t) => t.name === "getAccountBalance");
    expect(balance?.description).toContain("how much money an account holds");
    expect(balance?.inputSchema).toMatchObject({ type: "object", required: ["accountId"] });
    expect(balance?.inputSchema.properties).toHaveProperty("accountId");
    expect(balance?.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: true });
    await client.close();
  });
});

describe("calling the tools", () => {
  it("answers with the bank's balance, called with the workspace's OAuth credential", async () => {
    const balance = await asBank<{ available: string; currency: string }>(
      `/v1/accounts/${accountId}/balance`,
    );
    const client = await connect(platform.keys.viewer);
    const result = await client.callTool({ name: "getAccountBalance", arguments: { accountId } });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      available: balance.available,
      currency: balance.currency,
    });
    expect(JSON.parse(textOf(result))).toMatchObject({ available: balance.available });
    // The client saw the bank's answer, never the credential behind it.
    expect(JSON.stringify(result)).not.toContain(DEMO_CREDENTIALS.maria.clientSecret);
    // A list is an answer too: text only (structured content is an object).
    const accounts = await client.callTool({ name: "listAccounts", arguments: {} });
    expect(accounts.isError, textOf(accounts)).toBeFalsy();
    expect(textOf(accounts)).toContain(accountId);
    await client.close();
  });

  it("refuses arguments that break the tool's schema, and reports the bank's refusal, as tool errors", async () => {
    const client = await connect(platform.keys.viewer);
    const wrongType = await client.callTool({ name: "getAccountBalance", arguments: { accountId: 42 } });
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toMatch(/do not match the schema of getAccountBalance: accountId: .*string/);
    const missing = await client.callTool({ name: "getAccountBalance", arguments: {} });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/accountId/);
    const unknown = await client.callTool({
      name: "getAccountBalance",
      arguments: { accountId: "acc_0000000000000000" },
    });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/^getAccountBalance failed: the API answered HTTP (400|404)/);
    // A tool that is not served is the protocol's error, not a call.
    await expect(client.callTool({ name: "createTransfer", arguments: {} })).rejects.toThrow();
    await client.close();
  });
});

describe("write tools", () => {
  const transfer = (amount: string) => ({
    "Idempotency-Key": `mcp-${amount}-${Date.now()}`,
    fromAccountId: accountId,
    payeeId,
    amount,
    currency: "EUR",
    reference: "MCP test",
  });
  const names = async (key: string, url = endpoint()) => {
    const client = await connect(key, url);
    const { tools } = await client.listTools();
    await client.close();
    return tools;
  };

  it("are not served when published, until the tool set exports them; then to editors, marked destructive", async () => {
    const enable = await platform.fetch(`/v1/tool-sets/${toolSetId}`, {
      method: "PATCH",
      json: { enabled: { createTransfer: true } },
    });
    expect(enable.status, await enable.clone().text()).toBe(200);
    const published = await json<{ version: number; tools: { name: string }[] }>(
      await platform.fetch(`/v1/tool-sets/${toolSetId}/publish`, { method: "POST" }),
    );
    expect(published.tools.map((t) => t.name)).toContain("createTransfer");

    // Published, but not exported: nobody is served the write, an owner included.
    for (const key of [platform.keys.viewer, platform.keys.editor, platform.keys.owner]) {
      expect((await names(key)).map((t) => t.name)).not.toContain("createTransfer");
    }
    const owner = await connect(platform.keys.owner);
    await expect(owner.callTool({ name: "createTransfer", arguments: transfer("1.00") })).rejects.toThrow();
    await owner.close();

    const exported = await platform.fetch(`/v1/tool-sets/${toolSetId}`, {
      method: "PATCH",
      json: { mcpExport: { writes: true } },
    });
    expect(exported.status, await exported.clone().text()).toBe(200);
    expect(await json<{ mcpExport: unknown }>(exported)).toMatchObject({ mcpExport: { writes: true } });

    const forEditor = await names(platform.keys.editor);
    expect(forEditor.find((t) => t.name === "createTransfer")?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
    // A viewer may not run writes anywhere: still the reads only.
    expect((await names(platform.keys.viewer)).map((t) => t.name)).not.toContain("createTransfer");
    // Version 1, which had no write enabled, serves none whatever the export says.
    expect((await names(platform.keys.editor, endpoint(toolSetId, "?version=1"))).map((t) => t.name)).toEqual(
      expect.not.arrayContaining(["createTransfer"]),
    );
  });

  it("run when an editor's client calls them, with the bank's limits as tool errors, and are audited", async () => {
    const client = await connect(platform.keys.editor);
    const sent = await client.callTool({ name: "createTransfer", arguments: transfer("12.00") });
    expect(sent.isError, textOf(sent)).toBeFalsy();
    expect(sent.structuredContent).toMatchObject({ amount: "12.00", currency: "EUR" });
    const tooMuch = await client.callTool({ name: "createTransfer", arguments: transfer("5000.00") });
    expect(tooMuch.isError).toBe(true);
    expect(textOf(tooMuch)).toMatch(/^createTransfer failed: the API answered HTTP 422: .*limit/i);
    await client.close();

    const audit = await json<{
      entries: { action: string; actor: string; after: Record<string, unknown> }[];
    }>(await platform.fetch("/v1/audit-log?targetType=toolSet"));
    const calls = audit.entries.filter((e) => e.action === "toolSet.mcpCall");
    expect(calls.map((e) => e.after)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool: "createTransfer", ok: true, status: 201 }),
        expect.objectContaining({ tool: "createTransfer", ok: false, status: 422 }),
      ]),
    );
    expect(calls[0]?.actor).toMatch(/^apikey:/);
  });
});

describe("who is refused", () => {
  it("refuses a key scoped to one agent, whatever its role", async () => {
    const agent = await json<{ id: string }>(
      await platform.fetch("/v1/agents", { method: "POST", json: { name: "Teller", knowledgeBaseIds: [] } }),
    );
    const scoped = (
      await json<{ key: string }>(
        await platform.fetch("/v1/api-keys", {
          method: "POST",
          json: { name: "teller", role: "owner", agentId: agent.id },
        }),
      )
    ).key;
    const res = await listTools(scoped);
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/limited to talking to agent/);
    await expect(connect(scoped)).rejects.toThrow(/permission-denied/);
  });

  it("shows another tenant's owner nothing: 404, as for a tool set that does not exist", async () => {
    const foreign = await listTools(platform.keys.otherTenantOwner);
    const missing = await listTools(platform.keys.owner, endpoint("no-such-tool-set"));
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    const said = await json<{ error: { code: string; message: string } }>(foreign);
    expect(said.error.code).toBe("not-found");
    expect(said.error.message).not.toMatch(/Demo bank/);
    await expect(connect(platform.keys.otherTenantOwner)).rejects.toThrow(/not-found/);
    const config = await platform.fetch(`/v1/tool-sets/${toolSetId}/mcp-config`, {
      key: platform.keys.otherTenantOwner,
    });
    expect(config.status).toBe(404);
  });

  it("says a tool set that was never published has nothing to serve yet, and names a missing version", async () => {
    const res = await listTools(platform.keys.viewer, endpoint(draftOnlyId));
    expect(res.status).toBe(400);
    const said = await json<{ error: { code: string; message: string } }>(res);
    expect(said.error).toMatchObject({ code: "failed-precondition" });
    expect(said.error.message).toMatch(/Bank draft has no published version yet: publish it/);
    await expect(connect(platform.keys.viewer, endpoint(draftOnlyId))).rejects.toThrow(
      /no published version yet/,
    );

    const future = await listTools(platform.keys.viewer, endpoint(toolSetId, "?version=99"));
    expect(future.status).toBe(404);
    expect(await future.text()).toMatch(/has no version 99/);
    expect((await listTools(platform.keys.viewer, endpoint(toolSetId, "?version=first"))).status).toBe(400);
  });

  it("answers without a key with 401 and the endpoint's RFC 9728 metadata", async () => {
    const res = await listTools("");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain(
      `/.well-known/oauth-protected-resource/mcp/tool-sets/${toolSetId}"`,
    );
    const metadata = await json<{ resource: string }>(
      await fetch(`${platform.url}/.well-known/oauth-protected-resource/mcp/tool-sets/${toolSetId}`),
    );
    expect(metadata.resource).toBe(endpoint());
  });
});

describe("client configurations (GET /v1/tool-sets/{id}/mcp-config)", () => {
  interface McpConfig {
    url: string;
    version: number | null;
    tools: { name: string; sideEffect: string }[];
    apiKeyPlaceholder: string;
    clients: { client: string; format: string; file: string | null; content: string }[];
  }
  type Servers = Record<string, { url?: string; type?: string; headers?: Record<string, string> }>;
  const configOf = async (id = toolSetId, query = "") => {
    const res = await platform.fetch(`/v1/tool-sets/${id}/mcp-config${query}`, { key: platform.keys.viewer });
    expect(res.status, await res.clone().text()).toBe(200);
    return json<McpConfig>(res);
  };
  const contentOf = (config: McpConfig, client: string): string => {
    const found = config.clients.find((c) => c.client === client);
    if (!found) throw new Error(`no configuration for ${client}`);
    return found.content;
  };

  it("gives every client the served endpoint with a placeholder where the key goes", async () => {
    const config = await configOf();
    const url = endpoint();
    expect(config.url).toBe(url);
    expect(config.version).toBe(2);
    expect(config.apiKeyPlaceholder).toBe("<YOUR_API_KEY>");
    const name = "alchemist-demo-bank";
    const bearer = "Bearer <YOUR_API_KEY>";

    expect(contentOf(config, "claude-code")).toBe(
      `claude mcp add --transport http ${name} ${url} --header "Authorization: ${bearer}"`,
    );
    const project = JSON.parse(contentOf(config, "claude-code-project")) as { mcpServers: Servers };
    expect(project.mcpServers[name]).toEqual({ type: "http", url, headers: { Authorization: bearer } });
    const cursor = JSON.parse(contentOf(config, "cursor")) as { mcpServers: Servers };
    expect(cursor.mcpServers[name]).toEqual({ url, headers: { Authorization: bearer } });
    const vscode = JSON.parse(contentOf(config, "vscode")) as { servers: Servers };
    expect(vscode.servers[name]).toEqual({ type: "http", url, headers: { Authorization: bearer } });
    const desktop = JSON.parse(contentOf(config, "claude-desktop")) as {
      mcpServers: Record<string, { command: string; args: string[]; env: Record<string, string> }>;
    };
    expect(desktop.mcpServers[name]?.command).toBe("npx");
    expect(desktop.mcpServers[name]?.args).toEqual(expect.arrayContaining(["mcp-remote", url]));
    expect(desktop.mcpServers[name]?.env).toEqual({ ALCHEMIST_AUTH_HEADER: bearer });
    const generic = JSON.parse(contentOf(config, "streamable-http")) as {
      url: string;
      transport: string;
      headers: Record<string, string>;
    };
    expect(generic).toMatchObject({ url, transport: "streamable-http", headers: { Authorization: bearer } });
    expect(config.clients.map((c) => c.file)).toEqual(
      expect.arrayContaining([
        ".mcp.json",
        ".cursor/mcp.json",
        ".vscode/mcp.json",
        "claude_desktop_config.json",
      ]),
    );
    // Never a real credential.
    for (const secret of [...Object.values(platform.keys), DEMO_CREDENTIALS.maria.clientSecret]) {
      expect(JSON.stringify(config)).not.toContain(secret);
    }
    // What the tool set exports now (its writes were exported above).
    expect(config.tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(["getAccountBalance", "createTransfer"]),
    );

    // The generic configuration, with a real key in place of the placeholder, is a working client.
    const headers = {
      authorization: (generic.headers.Authorization ?? "").replace("<YOUR_API_KEY>", platform.keys.viewer),
    };
    const client = new Client({ name: "from-config", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(generic.url), { requestInit: { headers } }),
    );
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("getAccountBalance");
    await client.close();
  });

  it("pins a version when asked, and gives an unpublished tool set its future endpoint", async () => {
    const pinned = await configOf(toolSetId, "?version=1");
    expect(pinned.url).toBe(endpoint(toolSetId, "?version=1"));
    expect(pinned.version).toBe(1);
    expect(pinned.tools.map((t) => t.name)).not.toContain("createTransfer");
    const draft = await configOf(draftOnlyId);
    expect(draft).toMatchObject({ url: endpoint(draftOnlyId), version: null, tools: [] });
    expect(JSON.parse(contentOf(draft, "cursor"))).toMatchObject({
      mcpServers: { "alchemist-bank-draft": { url: endpoint(draftOnlyId) } },
    });
  });
});
