/**
 * The MCP endpoint driven by the official TypeScript SDK client over real HTTP, in both protocol revisions it
 * serves (2025-11-25 with `initialize`; 2026-07-28 with `server/discover`): tools listed per credential, an
 * agent's accountable answer, follow-ups, knowledge base search, the per-agent endpoint, and what is refused
 * (a bad key with its RFC 9728 challenge, foreign hosts and origins, other tenants, agent-scoped keys).
 */
import http from "node:http";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { json, setUpAgents, vacationQuestion, type OpenAIFixture } from "../openai/testing/fixture.js";
import { toolNames, toolSlug } from "./server.js";

let platform: TestPlatform;
let agents: OpenAIFixture["agents"];
let kbId = "";

beforeAll(async () => {
  platform = await startTestPlatform();
  ({ kbId, agents } = await setUpAgents(platform));
});

afterAll(async () => {
  await platform?.close();
});

const revisions = [
  { name: "2025-11-25 (initialize)", mode: "legacy" as const, version: "2025-11-25" },
  { name: "2026-07-28 (server/discover)", mode: { pin: "2026-07-28" }, version: "2026-07-28" },
];

async function connect(
  key: string,
  mode: (typeof revisions)[number]["mode"],
  path = "/mcp",
): Promise<Client> {
  const client = new Client({ name: "alchemist-tests", version: "1.0.0" }, { versionNegotiation: { mode } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${platform.url}${path}`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

interface AskResult {
  answer: string;
  abstained: boolean;
  confidence: number | null;
  citations: { ref: string; docName: string; quote: string }[];
  conversationId: string;
  traceId: string | null;
}

describe.each(revisions)("the official client, revision $name", ({ mode, version }) => {
  it("lists an ask tool per agent served over MCP and a search tool per knowledge base", async () => {
    const client = await connect(platform.keys.viewer, mode);
    expect(client.getNegotiatedProtocolVersion?.()).toBe(version);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["ask_hr_assistant", "search_handbook"]);
    const ask = tools.find((t) => t.name === "ask_hr_assistant");
    expect(ask?.description).toContain("Answers from the handbook");
    expect(ask?.inputSchema.properties).toHaveProperty("question");
    expect(ask?.outputSchema?.properties).toHaveProperty("citations");
    await client.close();
  });

  it("asks an agent: the checked answer, its sources as lines, the accountability as structured content", async () => {
    const client = await connect(platform.keys.viewer, mode);
    const result = await client.callTool({
      name: "ask_hr_assistant",
      arguments: { question: vacationQuestion },
    });
    expect(result.isError).toBeFalsy();
    const out = result.structuredContent as unknown as AskResult;
    expect(out.answer).toContain("25 vacation days");
    expect(out.abstained).toBe(false);
    expect(out.confidence).toBeGreaterThan(0);
    expect(out.citations[0]).toMatchObject({ docName: "handbook.md" });
    const text = (result.content as { type: string; text: string }[])[0]?.text ?? "";
    expect(text).toContain(out.answer);
    expect(text).toMatch(/Sources:\n\[1\] handbook\.md: "/);
    // A turn of its own conversation, on the mcp channel, traced.
    const trace = await json<{ channel: string; agentId: string }>(
      await platform.fetch(`/v1/traces/${out.traceId}`),
    );
    expect(trace).toMatchObject({ channel: "mcp", agentId: agents.hr });

    // A follow-up in the same conversation.
    const next = await client.callTool({
      name: "ask_hr_assistant",
      arguments: {
        question: "How many unused days can be carried over?",
        conversationId: out.conversationId,
      },
    });
    const followUp = next.structuredContent as unknown as AskResult;
    expect(followUp.conversationId).toBe(out.conversationId);
    expect(followUp.answer).toContain("5 unused vacation days");
    await client.close();
  });

  it("searches a knowledge base: ranked passages with their locations", async () => {
    const client = await connect(platform.keys.viewer, mode);
    const result = await client.callTool({
      name: "search_handbook",
      arguments: { query: "expense claims finance portal", k: 2 },
    });
    const out = result.structuredContent as {
      results: { docName: string; text: string; headingPath: string[] }[];
    };
    expect(out.results.length).toBeGreaterThan(0);
    expect(out.results[0]).toMatchObject({ docName: "handbook.md" });
    expect(out.results[0]?.text).toContain("finance portal");
    expect(out.results[0]?.headingPath).toContain("Expenses");
    await client.close();
  });

  it("reports a failed turn as a tool error the model can read, and bad arguments as a protocol error", async () => {
    const client = await connect(platform.keys.viewer, mode);
    const someoneElses = await client.callTool({
      name: "ask_hr_assistant",
      arguments: { question: "Hi", conversationId: "nope" },
    });
    expect(someoneElses.isError).toBe(true);
    expect((someoneElses.content as { text: string }[])[0]?.text).toMatch(/not found/);
    // The SDK answers arguments that fail the tool's schema as a tool error too, saying which.
    const badArguments = await client.callTool({ name: "ask_hr_assistant", arguments: { question: 42 } });
    expect(badArguments.isError).toBe(true);
    expect((badArguments.content as { text: string }[])[0]?.text).toMatch(/question: Invalid input/);
    await expect(client.callTool({ name: "ask_nobody", arguments: { question: "Hi" } })).rejects.toThrow();
    await client.close();
  });

  it("serves one agent at /mcp/agents/{agentId}: its ask tool and its knowledge bases", async () => {
    const client = await connect(platform.keys.viewer, mode, `/mcp/agents/${agents.hr}`);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      "ask_hr_assistant",
      "search_handbook",
    ]);
    await client.close();
  });
});

describe("access", () => {
  const listTools = (key: string, path = "/mcp", headers: Record<string, string> = {}) =>
    fetch(`${platform.url}${path}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });

  it("refuses a missing or bad key with 401 and an RFC 9728 challenge; the metadata says how to get one", async () => {
    for (const key of ["", "not-a-key"]) {
      const res = await listTools(key);
      expect(res.status).toBe(401);
      const challenge = res.headers.get("www-authenticate") ?? "";
      expect(challenge).toMatch(
        /^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"$/,
      );
    }
    const agentChallenge = (await listTools("", `/mcp/agents/${agents.hr}`)).headers.get("www-authenticate");
    expect(agentChallenge).toContain(`/.well-known/oauth-protected-resource/mcp/agents/${agents.hr}"`);
    const metadata = await json<Record<string, unknown>>(
      await fetch(`${platform.url}/.well-known/oauth-protected-resource/mcp`),
    );
    expect(metadata).toMatchObject({
      resource: `${platform.url}/mcp`,
      bearer_methods_supported: ["header"],
      authorization_servers: [],
    });
  });

  /** fetch() may not set Host (a forbidden header): a raw request can, as a rebinding browser's would carry. */
  const withHost = (host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${platform.url}/mcp`);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: "/mcp",
          method: "POST",
          headers: {
            host,
            authorization: `Bearer ${platform.keys.viewer}`,
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
          },
        },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }));
    });

  it("refuses a foreign Host or browser Origin with 403 (DNS rebinding), and serves local ones", async () => {
    const foreignHost = await withHost("evil.example");
    expect(foreignHost.status).toBe(403);
    expect(foreignHost.body).toMatch(/does not answer for host 'evil\.example'/);
    expect((await withHost(`evil.example:${new URL(platform.url).port}`)).status).toBe(403);
    const foreignOrigin = await listTools(platform.keys.viewer, "/mcp", { origin: "http://evil.example" });
    expect(foreignOrigin.status).toBe(403);
    for (const host of [new URL(platform.url).host, `localhost:${new URL(platform.url).port}`, "[::1]"]) {
      expect((await withHost(host)).status, host).toBe(200);
    }
    const sameOrigin = await listTools(platform.keys.viewer, "/mcp", {
      origin: `http://127.0.0.1:${new URL(platform.url).port}`,
    });
    // The test platform's allowed origins are its own: the studio's page may call it.
    expect([200, 403]).toContain(sameOrigin.status);
  });

  it("shows another tenant only its own agents, and not this tenant's agent endpoint", async () => {
    const client = await connect(platform.keys.otherTenantOwner, "legacy");
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("ask_globex_helper");
    expect(names.some((n) => n.includes("hr_assistant") || n.includes("handbook"))).toBe(false);
    await client.close();
    expect((await listTools(platform.keys.otherTenantOwner, `/mcp/agents/${agents.hr}`)).status).toBe(404);
  });

  it("serves agents that are published and enabled on mcp only", async () => {
    for (const agentId of [agents.draft, agents.paused, agents.apiOnly, "no-such-agent"]) {
      expect((await listTools(platform.keys.viewer, `/mcp/agents/${agentId}`)).status, agentId).toBe(404);
    }
  });

  it("gives an agent-scoped key its agent's ask tool only", async () => {
    const res = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "hr over mcp", role: "viewer", agentId: agents.hr },
    });
    const scoped = (await json<{ key: string }>(res)).key;
    const client = await connect(scoped, { pin: "2026-07-28" });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(["ask_hr_assistant"]);
    await client.close();
    // Another agent's endpoint reads as not found to it, as everywhere else.
    expect((await listTools(scoped, `/mcp/agents/${agents.paused}`)).status).toBe(404);
  });

  it("answers GET and DELETE with 405: the endpoint keeps no sessions", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await fetch(`${platform.url}/mcp`, {
        method,
        headers: { authorization: `Bearer ${platform.keys.viewer}` },
      });
      expect(res.status, method).toBe(405);
    }
  });

  it("refuses malformed and oversized bodies without stopping", async () => {
    for (const body of ["{", "[]", '{"jsonrpc":"2.0","id":1,"method":"tools/nope"}']) {
      const res = await fetch(`${platform.url}/mcp`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${platform.keys.viewer}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body,
      });
      expect(res.status, body).toBeGreaterThanOrEqual(200);
      expect(res.status, body).toBeLessThan(500);
    }
    const huge = await fetch(`${platform.url}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${platform.keys.viewer}`, "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/list",
        params: { x: "x".repeat(2_000_000) },
      }),
    });
    expect(huge.status).toBe(413);
    expect((await listTools(platform.keys.viewer)).status).toBe(200);
  });
});

describe("tool names", () => {
  it("are slugs of the names, unique, within MCP's characters", () => {
    expect(toolSlug("HR Assistant (EU)")).toBe("hr_assistant_eu");
    expect(toolSlug("Ärzte & Pflege")).toBe("arzte_pflege");
    expect(toolSlug("!!!")).toBe("unnamed");
    expect(toolSlug("x".repeat(100))).toHaveLength(48);
    const named = toolNames("ask", [
      { id: "AbC123xyz", name: "Helper" },
      { id: "Zz9876abc", name: "helper" },
      { id: "q1", name: "Other" },
    ]);
    expect([...named.keys()].sort()).toEqual(["ask_helper_abc123", "ask_helper_zz9876", "ask_other"]);
    for (const name of named.keys()) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });
});

void kbId;
