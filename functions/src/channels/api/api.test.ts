/**
 * The REST API over real HTTP against the in-process local platform: the first slice (knowledge base →
 * upload → ready → search → agent → grounded answer / abstention), the callable, and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentsPath } from "../../knowledge/schema.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { routes } from "./routes.js";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

const handbook = `# Acme handbook

## Vacation

Full-time employees receive 25 vacation days per calendar year. Up to 5 unused vacation days can be carried over into the next year.

## Expenses

Submit expense claims in the finance portal within 30 days. Attach an itemised receipt for every expense above 10 euros.
`;

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function createKb(name = "Handbook", key?: string): Promise<string> {
  const res = await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name }, key });
  expect(res.status).toBe(201);
  return (await json<{ id: string }>(res)).id;
}

async function uploadText(kbId: string, name: string, text: string): Promise<{ id: string; status: string }> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
    method: "POST",
    json: { name, text },
  });
  expect(res.status).toBe(202);
  return json(res);
}

async function readyDocument(kbId: string, docId: string): Promise<Record<string, unknown>> {
  await platform.host.runner.idle();
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${docId}`);
  return json(res);
}

describe("first slice", () => {
  let kbId: string;
  let docId: string;
  let agentId: string;
  let conversationId: string;

  it("ingests an uploaded Markdown file until it is ready", async () => {
    kbId = await createKb();
    const form = new FormData();
    form.append("file", new Blob([handbook], { type: "text/markdown" }), "handbook.md");
    const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, { method: "POST", body: form });
    expect(res.status).toBe(202);
    const doc = await json<{ id: string; status: string; name: string }>(res);
    expect(doc).toMatchObject({ status: "queued", name: "handbook.md" });
    docId = doc.id;
    const ready = await readyDocument(kbId, docId);
    expect(ready).toMatchObject({ id: docId, status: "ready", progress: 1 });
    expect(ready.chunkCount).toBeGreaterThan(0);
  });

  it("finds the passage that answers a question, scored 0..1", async () => {
    const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/search`, {
      method: "POST",
      json: { query: "how many vacation days", k: 3 },
    });
    expect(res.status).toBe(200);
    const { results } = await json<{ results: { docId: string; text: string; score: number }[] }>(res);
    expect(results[0]?.docId).toBe(docId);
    expect(results[0]?.text).toContain("25 vacation days");
    for (const r of results) {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }
  });

  it("answers from the document with a citation and a confidence", async () => {
    const created = await platform.fetch("/v1/agents", {
      method: "POST",
      json: {
        name: "HR",
        instructions: "Answer HR questions.",
        knowledgeBaseIds: [kbId],
        // A handbook of two short sections: answers score lower than in a real one (see calibration.ts).
        confidenceThreshold: 0.5,
      },
    });
    expect(created.status).toBe(201);
    agentId = (await json<{ id: string }>(created)).id;
    const agent = await json(await platform.fetch(`/v1/agents/${agentId}`));
    expect(agent).toMatchObject({ id: agentId, name: "HR", knowledgeBaseIds: [kbId], status: "draft" });
    const published = await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST" });
    expect(published.status).toBe(200);

    const conv = await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST" });
    expect(conv.status).toBe(201);
    conversationId = (await json<{ id: string }>(conv)).id;

    const res = await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      json: { content: "How many vacation days do full-time employees get?" },
    });
    expect(res.status).toBe(200);
    const { message } = await json<{
      message: {
        role: string;
        content: string;
        abstained: boolean;
        confidence: number;
        traceId: string;
        citations: { docId: string; docName: string; chunkId: string; quote: string }[];
      };
    }>(res);
    expect(message.role).toBe("assistant");
    expect(message.abstained).toBe(false);
    expect(message.content).toContain("25 vacation days");
    expect(message.confidence).toBeGreaterThan(0);
    expect(message.citations[0]).toMatchObject({ docId, docName: "handbook.md" });
    expect(handbook).toContain(message.citations[0]?.quote);

    const trace = await json<Record<string, unknown>>(await platform.fetch(`/v1/traces/${message.traceId}`));
    expect(trace).toMatchObject({ conversationId, agentId, abstained: false });
    expect((trace.retrieval as { candidates: unknown[] }).candidates.length).toBeGreaterThan(0);
  });

  it("abstains when the documents do not answer the question", async () => {
    const res = await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      json: { content: "What is the boiling point of tungsten?" },
    });
    const { message } = await json<{
      message: { abstained: boolean; citations: unknown[]; content: string };
    }>(res);
    expect(message.abstained).toBe(true);
    expect(message.citations).toEqual([]);
    expect(message.content).toMatch(/couldn't find/i);
  });

  it("keeps the conversation in order", async () => {
    const { messages } = await json<{ messages: { role: string }[] }>(
      await platform.fetch(`/v1/conversations/${conversationId}/messages`),
    );
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
  });

  it("answers through the callable with an API key, streaming when asked", async () => {
    const url = `/demo-alchemist/us-central1/agents-converse`;
    const res = await platform.fetch(url, {
      method: "POST",
      json: { data: { agentId, content: "Where do I submit expense claims?" } },
    });
    expect(res.status).toBe(200);
    const { result } = await json<{
      result: { conversationId: string; message: { content: string; abstained: boolean } };
    }>(res);
    expect(result.message.abstained).toBe(false);
    expect(result.message.content).toContain("finance portal");

    const streamed = await platform.fetch(url, {
      method: "POST",
      headers: { accept: "text/event-stream" },
      json: {
        data: {
          agentId,
          conversationId: result.conversationId,
          content: "Where do I submit expense claims?",
        },
      },
    });
    const events = (await streamed.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => JSON.parse(e.slice(6)) as { message?: { delta: string }; result?: unknown });
    expect(events.filter((e) => e.message?.delta).length).toBeGreaterThan(0);
    expect(events.at(-1)?.result).toMatchObject({ conversationId: result.conversationId });

    const anonymous = await platform.fetch(url, {
      method: "POST",
      key: null,
      json: { data: { agentId, content: "hi" } },
    });
    expect(anonymous.status).toBe(401);
  });
});

describe("API description and health", () => {
  it("serves health without credentials", async () => {
    const res = await platform.fetch("/health", { key: null });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      status: "ok",
      mode: "local",
      checks: { documents: { status: "ok" } },
    });
  });

  it("describes every route in the OpenAPI document", async () => {
    const doc = await json<{ openapi: string; paths: Record<string, Record<string, { summary: string }>> }>(
      await platform.fetch("/v1/openapi.json", { key: null }),
    );
    expect(doc.openapi).toBe("3.1.0");
    for (const r of routes) {
      const described = doc.paths[r.path]?.[r.method.toLowerCase()]?.summary;
      // The operator's routes do not exist for anyone else, so the public description leaves them out.
      expect(described, `${r.method} ${r.path}`).toBe(r.operator || r.guard ? undefined : r.summary);
    }
    const createAgent = doc.paths["/v1/agents"]?.post as unknown as {
      requestBody: { content: Record<string, { schema: { required: string[] } }> };
    };
    expect(createAgent.requestBody.content["application/json"]?.schema.required).toContain("name");
  });
});

describe("bad input", () => {
  it("rejects missing, malformed and wrong credentials", async () => {
    for (const [headers, status] of [
      [{}, 401],
      [{ authorization: "Basic abc" }, 401],
      [{ authorization: "Bearer not-a-real-key-at-all" }, 401],
    ] as const) {
      const res = await platform.fetch("/v1/knowledge-bases", {
        method: "POST",
        key: null,
        headers,
        json: { name: "x" },
      });
      expect(res.status).toBe(status);
      expect((await json<{ error: { code: string } }>(res)).error.code).toBe("unauthenticated");
    }
  });

  it("answers unknown routes with 404 and wrong methods with 405", async () => {
    const unknown = await platform.fetch("/v1/nothing-here");
    expect(unknown.status).toBe(404);
    expect((await json<{ error: { code: string } }>(unknown)).error.code).toBe("not-found");
    const wrong = await platform.fetch("/v1/knowledge-bases", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST, GET");
  });

  it("explains malformed JSON, missing fields, wrong content types and oversized bodies", async () => {
    const malformed = await platform.fetch("/v1/knowledge-bases", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name": ',
    });
    expect(malformed.status).toBe(400);
    expect((await json<{ error: { message: string } }>(malformed)).error.message).toMatch(/Malformed JSON/);

    const missing = await platform.fetch("/v1/agents", { method: "POST", json: { instructions: "x" } });
    expect(missing.status).toBe(400);
    const body = await json<{
      error: { code: string; message: string; details: { issues: { path: string }[] } };
    }>(missing);
    expect(body.error.code).toBe("invalid-argument");
    expect(body.error.details.issues[0]?.path).toBe("name");

    const form = await platform.fetch("/v1/knowledge-bases", {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "name=x",
    });
    expect(form.status).toBe(415);

    const huge = await platform.fetch("/v1/knowledge-bases", {
      method: "POST",
      json: { name: "x".repeat(2 * 1024 * 1024) },
    });
    expect(huge.status).toBe(413);
  });

  it("forbids roles below the one a route needs", async () => {
    const res = await platform.fetch("/v1/knowledge-bases", {
      method: "POST",
      key: platform.keys.viewer,
      json: { name: "x" },
    });
    expect(res.status).toBe(403);
    expect((await json<{ error: { code: string } }>(res)).error.code).toBe("permission-denied");
  });

  it("hides another tenant's resources behind 404", async () => {
    const kbId = await createKb("Private");
    const doc = await uploadText(kbId, "notes.txt", "Secret launch date is in May.");
    const other = platform.keys.otherTenantOwner;
    const attempts: [string, RequestInit & { json?: unknown }][] = [
      [`/v1/knowledge-bases/${kbId}`, {}],
      [`/v1/knowledge-bases/${kbId}/documents/${doc.id}`, {}],
      [`/v1/knowledge-bases/${kbId}/search`, { method: "POST", json: { query: "launch" } }],
      [
        `/v1/knowledge-bases/${kbId}/documents`,
        { method: "POST", json: { name: "x.txt", text: "intrusion" } },
      ],
      ["/v1/agents", { method: "POST", json: { name: "spy", knowledgeBaseIds: [kbId] } }],
    ];
    for (const [url, init] of attempts) {
      const res = await platform.fetch(url, { ...init, key: other });
      expect(res.status, url).toBe(404);
    }
  });

  it("rejects ids that try to leave their collection", async () => {
    for (const id of ["..", "a%2Fb", "x%2F..%2F..%2Ftenants"]) {
      const res = await platform.fetch(`/v1/knowledge-bases/${id}`);
      expect([400, 404], id).toContain(res.status);
      expect(res.status).not.toBe(200);
    }
    const res = await platform.fetch("/v1/knowledge-bases/a%2Fb");
    expect(res.status).toBe(400);
  });

  it("refuses unsupported and empty files without leaving a document behind", async () => {
    const kbId = await createKb("Formats");
    const cases: [string, string | Uint8Array, number][] = [
      ["scan.pdf", "%PDF-1.7 cut off before its end", 400],
      ["minutes.doc", new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), 415],
      ["photo.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]), 415],
      ["empty.txt", "", 400],
      ["tool.exe", "MZ this is a text-looking executable", 415],
    ];
    for (const [name, content, status] of cases) {
      const form = new FormData();
      form.append("file", new Blob([content]), name);
      const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
        method: "POST",
        body: form,
      });
      expect(res.status, name).toBe(status);
    }
    expect(await platform.deps.store.count({ collection: documentsPath("acme", kbId) })).toBe(0);
  });

  it("keeps the accents of an uploaded file's name", async () => {
    const kbId = await createKb("Accents");
    const form = new FormData();
    form.append("file", new Blob(["Les congés payés sont de 25 jours."]), "Congés payés.txt");
    const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, { method: "POST", body: form });
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ name: "Congés payés.txt" });
  });

  it("keeps only the base name of a file name with path tricks", async () => {
    const kbId = await createKb("Names");
    const doc = await uploadText(kbId, "../../../etc/passwd.md", "# Title\n\nHello there, this is text.");
    expect(doc).toMatchObject({ name: "passwd.md" });
    expect((await readyDocument(kbId, doc.id)).status).toBe("ready");
  });

  it("fails a document whose text is only whitespace, with a reason", async () => {
    const kbId = await createKb("Blank");
    const doc = await uploadText(
      kbId,
      "blank.html",
      "<html><body><script>var x = 1;</script>   </body></html>",
    );
    const final = await readyDocument(kbId, doc.id);
    expect(final).toMatchObject({ status: "failed", error: "The document contains no text to index" });
  });
});
