/**
 * End to end, as a newcomer would use it: the local runtime (compiled, as `npm start` runs it) started as a
 * child process, the slice walked over HTTP, then the runtime stopped — once gracefully, once killed — and
 * started again on the same data folder to find everything still there.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  startChildRuntime,
  stopChildRuntime as stopRuntime,
  type ChildRuntime as Runtime,
} from "@alchemist/local/testing/child-runtime";

const apiKey = "alk_e2e_owner_key_for_tests_0123456789";

const startRuntime = (dataDir: string): Promise<Runtime> =>
  startChildRuntime(dataDir, { ALCHEMIST_API_KEY: apiKey });

function call(
  runtime: Runtime,
  pathname: string,
  init: { method?: string; json?: unknown; body?: FormData } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${apiKey}` };
  if (init.json !== undefined) headers["content-type"] = "application/json";
  return fetch(`${runtime.url}${pathname}`, {
    method: init.method ?? "GET",
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
}

async function waitUntilReady(
  runtime: Runtime,
  kbId: string,
  docId: string,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const doc = (await (
      await call(runtime, `/v1/knowledge-bases/${kbId}/documents/${docId}`)
    ).json()) as Record<string, unknown>;
    if (doc.status === "ready" || doc.status === "failed") return doc;
    if (Date.now() > deadline) throw new Error(`document stuck in ${String(doc.status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const policy = `# Remote work policy

## Eligibility

Employees may work remotely up to three days per week. Fully remote arrangements need written approval from the People team.

## Equipment

Each remote employee may claim up to 500 euros every two years for home-office equipment such as a chair or a monitor.
`;

describe("local mode, end to end", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-e2e-"));
  let runtime: Runtime;
  let kbId: string;
  let docId: string;
  let agentId: string;
  let conversationId: string;

  beforeAll(async () => {
    runtime = await startRuntime(dataDir);
  }, 60_000);

  afterAll(async () => {
    if (runtime) await stopRuntime(runtime, "SIGTERM");
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("prints the URL and the API key, and writes the credentials file", () => {
    expect(runtime.output()).toContain(apiKey);
    const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, "credentials.json"), "utf8")) as {
      apiKey: string;
      tenantId: string;
    };
    expect(credentials).toMatchObject({ apiKey, tenantId: "demo" });
  });

  it("walks the slice: knowledge base, upload, ready, agent, cited answer, abstention", async () => {
    const kb = await call(runtime, "/v1/knowledge-bases", { method: "POST", json: { name: "Policies" } });
    expect(kb.status).toBe(201);
    kbId = ((await kb.json()) as { id: string }).id;

    const form = new FormData();
    form.append("file", new Blob([policy], { type: "text/markdown" }), "remote-work.md");
    const upload = await call(runtime, `/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      body: form,
    });
    expect(upload.status).toBe(202);
    docId = ((await upload.json()) as { id: string }).id;
    expect(await waitUntilReady(runtime, kbId, docId)).toMatchObject({ status: "ready", progress: 1 });

    const agent = await call(runtime, "/v1/agents", {
      method: "POST",
      json: {
        name: "Policy bot",
        instructions: "Answer policy questions.",
        knowledgeBaseIds: [kbId],
        // A one-page policy: answers score lower than in a real knowledge base (see calibration.ts).
        confidenceThreshold: 0.5,
      },
    });
    agentId = ((await agent.json()) as { id: string }).id;
    expect((await call(runtime, `/v1/agents/${agentId}/publish`, { method: "POST" })).status).toBe(200);
    const conversation = await call(runtime, `/v1/agents/${agentId}/conversations`, { method: "POST" });
    conversationId = ((await conversation.json()) as { id: string }).id;

    const answered = (await (
      await call(runtime, `/v1/conversations/${conversationId}/messages`, {
        method: "POST",
        json: { content: "How many days per week can employees work remotely?" },
      })
    ).json()) as {
      message: {
        content: string;
        confidence: number;
        abstained: boolean;
        citations: { docId: string; quote: string }[];
      };
    };
    expect(answered.message.abstained).toBe(false);
    expect(answered.message.confidence).toBeGreaterThan(0);
    expect(answered.message.content).toContain("three days per week");
    expect(answered.message.citations[0]?.docId).toBe(docId);
    expect(policy).toContain(answered.message.citations[0]?.quote);

    const unanswerable = (await (
      await call(runtime, `/v1/conversations/${conversationId}/messages`, {
        method: "POST",
        json: { content: "What is the airspeed velocity of an unladen swallow?" },
      })
    ).json()) as { message: { abstained: boolean; citations: unknown[] } };
    expect(unanswerable.message.abstained).toBe(true);
    expect(unanswerable.message.citations).toEqual([]);
  });

  it("finds everything again after a graceful restart and after being killed", async () => {
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      await stopRuntime(runtime, signal);
      runtime = await startRuntime(dataDir);
      // Secrets are printed once, when made: a restart says where they are kept instead.
      const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, "credentials.json"), "utf8")) as {
        account: { password: string };
      };
      expect(runtime.output()).not.toContain(apiKey);
      expect(runtime.output()).not.toContain(credentials.account.password);
      expect(runtime.output()).toContain("first password in");
      expect(await waitUntilReady(runtime, kbId, docId)).toMatchObject({ status: "ready" });
      const agent = (await (await call(runtime, `/v1/agents/${agentId}`)).json()) as {
        knowledgeBaseIds: string[];
      };
      expect(agent.knowledgeBaseIds).toEqual([kbId]);
      const { messages } = (await (
        await call(runtime, `/v1/conversations/${conversationId}/messages`)
      ).json()) as {
        messages: { role: string }[];
      };
      expect(messages).toHaveLength(4);
      const search = (await (
        await call(runtime, `/v1/knowledge-bases/${kbId}/search`, {
          method: "POST",
          json: { query: "home-office equipment budget" },
        })
      ).json()) as { results: { docId: string; text: string }[] };
      expect(search.results[0]?.text).toContain("500 euros");
    }
  }, 90_000);

  it("seeds the demo workspace once, with its agent ready to answer", async () => {
    const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, "credentials.json"), "utf8")) as {
      demo: { agentIds: string[]; knowledgeBaseIds: string[] };
      account: { email: string; password: string };
    };
    expect(credentials.demo.agentIds).toHaveLength(1);
    // The printed studio sign-in works and opens the demo workspace.
    const login = await fetch(`${runtime.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(credentials.account),
    });
    expect(login.status).toBe(200);
    const session = (await login.json()) as { token: string; tenantId: string };
    const agents = (await (
      await fetch(`${runtime.url}/v1/agents`, { headers: { authorization: `Bearer ${session.token}` } })
    ).json()) as { agents: { id: string }[] };
    expect(agents.agents.map((a) => a.id)).toEqual(expect.arrayContaining(credentials.demo.agentIds));
    const conversation = await call(runtime, `/v1/agents/${credentials.demo.agentIds[0]}/conversations`, {
      method: "POST",
    });
    const { id } = (await conversation.json()) as { id: string };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const reply = (await (
        await call(runtime, `/v1/conversations/${id}/messages`, {
          method: "POST",
          json: { content: "How many vacation days do I get?" },
        })
      ).json()) as { message: { abstained: boolean; content: string } };
      if (!reply.message.abstained) {
        expect(reply.message.content).toContain("25 vacation days");
        break;
      }
      if (Date.now() > deadline) throw new Error("the demo knowledge base never became answerable");
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 60_000);

  it("keeps a revoked owner key revoked across a restart, and says so instead of printing it", async () => {
    const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, "credentials.json"), "utf8")) as {
      account: { email: string; password: string };
    };
    const login = await fetch(`${runtime.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(credentials.account),
    });
    const session = ((await login.json()) as { token: string }).token;
    const keys = (await (
      await fetch(`${runtime.url}/v1/api-keys`, { headers: { authorization: `Bearer ${session}` } })
    ).json()) as { keys: { id: string; name: string }[] };
    const owner = keys.keys.find((k) => k.name === "ALCHEMIST_API_KEY");
    expect(owner).toBeDefined();
    const revoked = await fetch(`${runtime.url}/v1/api-keys/${owner?.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${session}` },
    });
    expect(revoked.status).toBe(200);

    await stopRuntime(runtime, "SIGTERM");
    runtime = await startRuntime(dataDir);
    expect(runtime.output()).toMatch(/Owner API key\s+revoked/);
    expect(runtime.output()).not.toContain(apiKey);
    expect((await call(runtime, "/v1/agents")).status).toBe(401);
  }, 60_000);
});
