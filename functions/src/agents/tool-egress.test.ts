/**
 * HTTP tools cannot reach inside the network, end to end over the local platform's REST API: internal
 * URLs are refused when an agent is saved or published (400 naming the tool), and an agent whose tool
 * points inside anyway (saved under an older policy, or a name that rebinds) gets a tool error the model
 * reads and the trace records, while the internal service is never called and nothing it holds reaches
 * the answer, its citations or the trace.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Trace } from "../accountability/schema.js";
import { setDeps } from "../platform/process-deps.js";
import { nodeEgress } from "../platform/egress/node-egress.js";
import type { ResolvedAddress } from "../platform/egress/destination.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { answer, callTools, scriptedModel } from "./testing/scripted-model.js";

let platform: TestPlatform;
let internal: http.Server;
let port: number;
const internalRequests: string[] = [];
const secret = "internal-only-4f2a";

beforeAll(async () => {
  // No loopback switch: the platform as it ships.
  platform = await startTestPlatform();
  internal = http.createServer((req, res) => {
    internalRequests.push(req.url ?? "");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ secret }));
  });
  await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", resolve));
  port = (internal.address() as AddressInfo).port;
});
afterEach(() => {
  setDeps(platform.deps);
});
afterAll(async () => {
  internal.closeAllConnections();
  await new Promise((resolve) => internal.close(resolve));
  await platform?.close();
});

const lookupTool = (url: string, name = "lookup") => ({
  kind: "http",
  name,
  description: "Looks up an account",
  parameters: { type: "object", properties: {}, additionalProperties: false },
  url,
  method: "GET",
  timeoutMs: 2000,
});

interface ErrorBody {
  error: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } };
}

async function createAgent(tools: unknown[]): Promise<Response> {
  return platform.fetch("/v1/agents", {
    method: "POST",
    json: { name: "Accounts bot", instructions: "Answer account questions.", tools, confidenceThreshold: 0 },
  });
}

async function created(res: Response): Promise<string> {
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Deps whose egress allows loopback: an operator's setting before it was turned off. */
function withLoopbackAllowed(): void {
  setDeps({
    ...platform.deps,
    egress: nodeEgress({ policy: { allowedHosts: undefined, allowLoopback: true } }),
  });
}

describe("saving an agent", () => {
  it.each([
    ["http://127.0.0.1:PORT/secret", "loopback"],
    ["http://2130706433:PORT/secret", "loopback"],
    ["http://0x7f000001:PORT/secret", "loopback"],
    ["http://0177.0.0.1:PORT/secret", "loopback"],
    ["http://[::ffff:7f00:1]:PORT/secret", "loopback"],
    ["http://[::1]:PORT/secret", "loopback"],
    ["http://localhost:PORT/secret", "loopback"],
    ["http://169.254.169.254/latest/meta-data/", "link-local"],
    ["http://10.0.0.5/internal", "private"],
    ["http://[fd00::5]/internal", "unique local"],
  ])("refuses a tool at %s (%s), naming the tool", async (template, kind) => {
    const url = template.replace("PORT", String(port));
    const res = await createAgent([{ kind: "builtin", name: "current_time" }, lookupTool(url)]);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.code).toBe("invalid-argument");
    expect(error.message).toMatch(/^Tool "lookup": its URL cannot be called: /);
    expect(error.message).toContain(kind);
    expect(error.details?.issues?.[0]?.path).toBe("tools.1.url");
  });

  it("refuses the same on a draft change, and accepts a host without a DNS record yet (calls check again)", async () => {
    const agentId = await created(await createAgent([lookupTool("https://api.accounts.invalid/v1/lookup")]));
    const patch = await platform.fetch(`/v1/agents/${agentId}`, {
      method: "PATCH",
      json: { tools: [lookupTool(`http://2130706433:${port}/secret`, "lookup_v2")] },
    });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as ErrorBody).error.message).toMatch(
      /^Tool "lookup_v2": .*loopback address/,
    );
  });

  it("refuses to publish a draft whose tool the policy no longer allows", async () => {
    withLoopbackAllowed();
    const agentId = await created(await createAgent([lookupTool(`http://127.0.0.1:${port}/secret`)]));
    setDeps(platform.deps);
    const res = await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(/^Tool "lookup": .*loopback address/);
    const versions = (await (await platform.fetch(`/v1/agents/${agentId}/versions`)).json()) as {
      versions: unknown[];
    };
    expect(versions.versions).toEqual([]);
  });
});

describe("calling a tool that points inside", () => {
  async function converse(agentId: string): Promise<{ content: string; citations: unknown[]; trace: Trace }> {
    const conversation = (await (
      await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: {} })
    ).json()) as { id: string };
    const res = await platform.fetch(`/v1/conversations/${conversation.id}/messages`, {
      method: "POST",
      json: { content: "What does the account service say about account 7?" },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const { message } = (await res.json()) as {
      message: { content: string; citations: unknown[]; traceId: string };
    };
    const trace = (await (await platform.fetch(`/v1/traces/${message.traceId}`)).json()) as Trace;
    return { content: message.content, citations: message.citations, trace };
  }

  it("gives the model a refusal, not the internal answer (decimal and hex spellings of 127.0.0.1)", async () => {
    // Saved and published while the operator allowed loopback; the platform now runs without it.
    withLoopbackAllowed();
    const agentId = await created(
      await createAgent([
        lookupTool(`http://2130706433:${port}/secret`, "lookup_decimal"),
        lookupTool(`http://0x7f000001:${port}/secret`, "lookup_hex"),
      ]),
    );
    expect((await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} })).status).toBe(
      200,
    );
    const model = scriptedModel([
      () =>
        callTools(
          { id: "c1", name: "lookup_decimal", arguments: "{}" },
          { id: "c2", name: "lookup_hex", arguments: "{}" },
        ),
      () => answer(`The account service says ${secret} [T1].`),
    ]);
    setDeps({ ...platform.deps, chat: model });
    const before = internalRequests.length;

    const { content, citations, trace } = await converse(agentId);

    expect(internalRequests.length).toBe(before);
    expect(trace.toolCalls.map((c) => [c.name, c.status])).toEqual([
      ["lookup_decimal", "error"],
      ["lookup_hex", "error"],
    ]);
    expect(trace.toolCalls[0]?.error).toBe(
      "the tool's URL was refused: 127.0.0.1 is a loopback address (127.0.0.0/8); only public internet hosts may be called",
    );
    const fed = model.requests[1]?.messages.filter((m) => m.role === "tool").map((m) => m.content) ?? [];
    expect(fed).toHaveLength(2);
    for (const output of fed) expect(output).toMatch(/refused.*loopback/);
    // The answer's claim has no evidence behind it: it is removed, and nothing internal is cited.
    expect(content).not.toContain(secret);
    expect(citations).toEqual([]);
    expect(JSON.stringify(trace.citations)).not.toContain(secret);
  });

  it("refuses a name that resolved to a public address when saved and to loopback when called", async () => {
    let lookups = 0;
    const rebinding = async (): Promise<ResolvedAddress[]> =>
      ++lookups <= 2 ? [{ address: "93.184.216.34", family: 4 }] : [{ address: "127.0.0.1", family: 4 }];
    const egress = nodeEgress({
      policy: { allowedHosts: undefined, allowLoopback: false },
      resolve: rebinding,
    });
    setDeps({ ...platform.deps, egress });
    const agentId = await created(
      await createAgent([lookupTool(`http://accounts.rebind.example:${port}/secret`)]),
    );
    expect((await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} })).status).toBe(
      200,
    );
    expect(lookups).toBe(2); // saved, then published: both saw a public address
    setDeps({
      ...platform.deps,
      egress,
      chat: scriptedModel([
        () => callTools({ id: "c1", name: "lookup", arguments: "{}" }),
        () => answer("No answer."),
      ]),
    });
    const before = internalRequests.length;

    const { trace } = await converse(agentId);

    expect(internalRequests.length).toBe(before);
    expect(trace.toolCalls[0]).toMatchObject({
      status: "error",
      error:
        "the tool's URL was refused: accounts.rebind.example resolves to a loopback address (127.0.0.0/8); only public internet hosts may be called",
    });
    expect(JSON.stringify(trace)).not.toContain(secret);
  });
});
