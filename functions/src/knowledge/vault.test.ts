/**
 * The Knowledge Vault over the API of the in-process local platform: versions that replace each other
 * atomically, deletion, restore, filters, search modes, re-embedding after a model change (by the sweep,
 * never by a search), direct uploads, duplicates, and uploads in bulk and in bulk size.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localHashEmbedder } from "../platform/models/local-embedder.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Deps } from "../platform/deps.js";
import { setDeps } from "../platform/process-deps.js";
import { documentIdFor } from "./documents.js";
import { chunksPath, documentPath, knowledgeBasePath, uploadPath } from "./schema.js";
import { sweepOutdatedEmbeddings } from "./sweep.js";

let platform: TestPlatform;

beforeAll(async () => {
  // A thousand uploads at once is a load test of ingestion, not of the API's rate limits (protection.test.ts).
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
});
afterAll(async () => {
  await platform?.close();
});

type Doc = {
  id: string;
  version: number;
  activeVersion: number | null;
  status: string;
  duplicate?: boolean;
  error?: string;
  versions: { version: number; restoredFrom?: number }[];
};
type Results = {
  results: {
    docId: string;
    text: string;
    score: number;
    vectorScore: number | null;
    keywordScore: number | null;
  }[];
};

async function body<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function createKb(name: string): Promise<string> {
  const res = await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name } });
  return (await body<{ id: string }>(res)).id;
}

async function upload(kbId: string, name: string, text: string, tags?: string[]): Promise<Doc> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
    method: "POST",
    json: { name, text, tags },
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return body<Doc>(res);
}

async function settled(kbId: string, docId: string): Promise<Doc> {
  await platform.host.runner.idle();
  return body<Doc>(await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${docId}`));
}

async function search(
  kbId: string,
  query: string,
  extra: Record<string, unknown> = {},
): Promise<Results["results"]> {
  const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/search`, {
    method: "POST",
    json: { query, k: 5, ...extra },
  });
  expect(res.status).toBe(200);
  return (await body<Results>(res)).results;
}

describe("versions", () => {
  it("a re-upload under the same name becomes version 2 and replaces version 1 in search", async () => {
    const kbId = await createKb("Pricing");
    const v1 = await upload(
      kbId,
      "pricing.md",
      "# Pricing\n\nThe Team plan costs 12 euros per seat per month.",
    );
    expect(await settled(kbId, v1.id)).toMatchObject({ version: 1, activeVersion: 1, status: "ready" });
    expect((await search(kbId, "Team plan price per seat"))[0]?.text).toContain("12 euros");

    const v2 = await upload(
      kbId,
      "pricing.md",
      "# Pricing\n\nThe Team plan costs 15 euros per seat per month.",
    );
    expect(v2).toMatchObject({ id: v1.id, version: 2, activeVersion: 1, status: "queued" });
    expect(await settled(kbId, v1.id)).toMatchObject({ version: 2, activeVersion: 2, status: "ready" });

    const texts = (await search(kbId, "Team plan price per seat")).map((r) => r.text).join("\n");
    expect(texts).toContain("15 euros");
    expect(texts).not.toContain("12 euros");
    // The old version's chunks and keyword entries are gone, not just hidden.
    const left = await platform.deps.store.query({
      collection: chunksPath("acme", kbId),
      where: [{ field: "docVersion", op: "==", value: 1 }],
    });
    expect(left).toEqual([]);
    expect((await search(kbId, "12 euros", { mode: "keyword" })).map((r) => r.text).join()).not.toContain(
      "12 euros",
    );
  });

  it("the same bytes again create no new version", async () => {
    const kbId = await createKb("Dupes");
    const first = await upload(kbId, "faq.txt", "Support answers within one business day.");
    await settled(kbId, first.id);
    const again = await upload(kbId, "faq.txt", "Support answers within one business day.");
    expect(again).toMatchObject({ id: first.id, version: 1, duplicate: true, status: "ready" });
  });

  it("lists documents with their version history, and restores an earlier version as the newest", async () => {
    const kbId = await createKb("Policies");
    const doc = await upload(kbId, "leave.md", "Employees receive 20 days of annual leave.");
    await settled(kbId, doc.id);
    await upload(kbId, "leave.md", "Employees receive 22 days of annual leave.");
    await settled(kbId, doc.id);

    const { documents } = await body<{ documents: Doc[] }>(
      await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`),
    );
    expect(documents).toHaveLength(1);
    expect(documents[0]?.versions.map((v) => v.version)).toEqual([1, 2]);

    const restored = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${doc.id}/restore`, {
      method: "POST",
      json: { version: 1 },
    });
    expect(restored.status).toBe(202);
    const after = await settled(kbId, doc.id);
    expect(after).toMatchObject({ version: 3, activeVersion: 3, status: "ready" });
    expect(after.versions.at(-1)).toMatchObject({ version: 3, restoredFrom: 1 });
    expect((await search(kbId, "days of annual leave"))[0]?.text).toContain("20 days");

    const missing = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${doc.id}/restore`, {
      method: "POST",
      json: { version: 9 },
    });
    expect(missing.status).toBe(404);
  });
});

describe("deletion", () => {
  it("removes a document, its chunks, keyword entries and files", async () => {
    const kbId = await createKb("Temp");
    const doc = await upload(kbId, "launch.md", "The launch event is on the ninth of May in Lisbon.");
    await settled(kbId, doc.id);
    const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${doc.id}`, { method: "DELETE" });
    expect(res.status).toBe(204);
    expect((await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${doc.id}`)).status).toBe(404);
    expect(await search(kbId, "launch event Lisbon")).toEqual([]);
    expect(await platform.deps.store.count({ collection: chunksPath("acme", kbId) })).toBe(0);
    expect(await platform.deps.keywords.search(chunksPath("acme", kbId), "launch Lisbon", 5)).toEqual([]);
    expect(await platform.deps.blobs.list(`${documentPath("acme", kbId, doc.id)}/`)).toEqual([]);
    expect(
      (await platform.fetch(`/v1/knowledge-bases/${kbId}/documents/${doc.id}`, { method: "DELETE" })).status,
    ).toBe(404);
  });
});

describe("search", () => {
  let kbId: string;
  beforeAll(async () => {
    kbId = await createKb("Catalogue");
    const a = await upload(kbId, "routers.md", "The ZX-9000 router supports WPA3 and mesh networking.", [
      "hardware",
    ]);
    const b = await upload(
      kbId,
      "billing.md",
      "Invoices are sent on the first day of every month by email.",
      ["finance"],
    );
    await settled(kbId, a.id);
    await settled(kbId, b.id);
  });

  it("returns scores in 0..1 with both signals in hybrid mode, one in each single mode", async () => {
    const hybrid = await search(kbId, "ZX-9000 router mesh");
    expect(hybrid[0]?.text).toContain("ZX-9000");
    for (const r of hybrid) {
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
      expect(r.vectorScore).not.toBeNull();
      expect(r.keywordScore).not.toBeNull();
    }
    const vector = await search(kbId, "ZX-9000 router mesh", { mode: "vector" });
    expect(vector[0]).toMatchObject({ keywordScore: null });
    const keyword = await search(kbId, "ZX-9000 router mesh", { mode: "keyword" });
    expect(keyword[0]).toMatchObject({ vectorScore: null });
    expect(keyword.every((r) => r.text.includes("ZX-9000"))).toBe(true);
  });

  it("filters by tag and by document", async () => {
    const byTag = await search(kbId, "router invoices email month", { filters: { tags: ["finance"] } });
    expect(byTag.length).toBeGreaterThan(0);
    expect(byTag.every((r) => r.text.includes("Invoices"))).toBe(true);
    const routerId = documentIdFor("routers.md");
    const byDoc = await search(kbId, "router invoices email month", { filters: { docIds: [routerId] } });
    expect(byDoc.every((r) => r.docId === routerId)).toBe(true);
  });

  it("answers from new knowledge at once, with no change to the agent", async () => {
    const kb = await createKb("Live");
    const agent = await body<{ id: string }>(
      await platform.fetch("/v1/agents", {
        method: "POST",
        // One short passage: answers score lower than in a real knowledge base (see calibration.ts).
        json: { name: "Live", knowledgeBaseIds: [kb], confidenceThreshold: 0.5 },
      }),
    );
    await platform.fetch(`/v1/agents/${agent.id}/publish`, { method: "POST" });
    const conv = await body<{ id: string }>(
      await platform.fetch(`/v1/agents/${agent.id}/conversations`, { method: "POST" }),
    );
    const ask = async () =>
      (
        await body<{ message: { content: string; abstained: boolean } }>(
          await platform.fetch(`/v1/conversations/${conv.id}/messages`, {
            method: "POST",
            json: { content: "When does the cafeteria open?" },
          }),
        )
      ).message;
    expect((await ask()).abstained).toBe(true);
    const doc = await upload(
      kb,
      "cafeteria.md",
      "The cafeteria opens at 7:30 and closes at 15:00 on weekdays.",
    );
    await settled(kb, doc.id);
    expect((await ask()).content).toContain("7:30");
  });
});

/** `deps` with every write it makes (documents, files, keyword entries, tasks) listed in `writes`. */
function recordingWrites(deps: Deps, writes: string[]): Deps {
  const watch = <T extends object>(target: T, name: string, writers: readonly string[]): T =>
    new Proxy(target, {
      get(t, prop) {
        const value: unknown = Reflect.get(t, prop, t);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (writers.includes(String(prop))) writes.push(`${name}.${String(prop)}`);
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  return {
    ...deps,
    store: watch(deps.store, "store", [
      "create",
      "set",
      "update",
      "delete",
      "deleteRecursive",
      "batch",
      "runTransaction",
    ]),
    blobs: watch(deps.blobs, "blobs", ["put", "delete"]),
    keywords: watch(deps.keywords, "keywords", ["upsert", "remove", "removeGroup"]),
    tasks: watch(deps.tasks, "tasks", ["enqueue"]),
  };
}

describe("embedding model changes", () => {
  it("a search after a model change writes nothing: keyword matching finds the document meanwhile", async () => {
    const kbId = await createKb("Models, read only");
    const doc = await upload(kbId, "rota.md", "The on-call rota changes every Monday at nine.");
    await settled(kbId, doc.id);
    const original = platform.deps;
    const writes: string[] = [];
    setDeps(
      recordingWrites(
        { ...original, embedder: localHashEmbedder(original.embedder.info.dimensions + 64) },
        writes,
      ),
    );
    try {
      const during = await search(kbId, "when does the on-call rota change");
      expect(during[0]?.text).toContain("rota");
      expect(during[0]?.vectorScore).toBe(0);
      expect(writes).toEqual([]);
      await platform.host.runner.idle();
      const kb = await original.store.get<{ active: Record<string, { model: string }> }>(
        knowledgeBasePath("acme", kbId),
      );
      expect(kb?.data.active[doc.id]?.model).not.toMatch(/\/320$/);
      expect(await search(kbId, "when does the on-call rota change", { mode: "vector" })).toEqual([]);
    } finally {
      setDeps(original);
    }
  });

  it("the re-embedding sweep brings a document to the new model instead of mixing vectors of two", async () => {
    const kbId = await createKb("Models");
    const doc = await upload(kbId, "notes.md", "Backups run every night at two in the morning.");
    await settled(kbId, doc.id);
    const original = platform.deps;
    const swapped = { ...original, embedder: localHashEmbedder(original.embedder.info.dimensions + 64) };
    setDeps(swapped);
    try {
      // Until the sweep runs, vectors of the old model are never compared with the new model's queries.
      expect(await search(kbId, "when do backups run", { mode: "vector" })).toEqual([]);
      expect((await sweepOutdatedEmbeddings(swapped)).started).toBeGreaterThanOrEqual(1);
      await platform.host.runner.idle();
      const kb = await platform.deps.store.get<{ active: Record<string, { model: string }> }>(
        knowledgeBasePath("acme", kbId),
      );
      expect(kb?.data.active[doc.id]?.model).toMatch(/\/320$/);
      const after = await search(kbId, "when do backups run", { mode: "vector" });
      expect(after[0]?.text).toContain("Backups");
      // Everything is on the new model now: the next run has nothing to start.
      expect(await sweepOutdatedEmbeddings(swapped)).toEqual({ started: 0 });
    } finally {
      setDeps(original);
    }
  });
});

describe("uploads", () => {
  it("ingests a file uploaded straight to storage, with no API call", async () => {
    const kbId = await createKb("Direct");
    const name = "direct.md";
    const docId = documentIdFor(name);
    await platform.deps.blobs.put(
      uploadPath("acme", kbId, docId, 1, name),
      new TextEncoder().encode("# Direct\n\nUploaded from the studio."),
      {
        contentType: "text/markdown",
      },
    );
    expect(await settled(kbId, docId)).toMatchObject({ status: "ready", version: 1 });
  });

  it("takes a thousand uploads at once and leaves none stuck", async () => {
    const kbId = await createKb("Bulk");
    const ids = new Set<string>();
    const names = Array.from({ length: 1000 }, (_, i) => `note-${i}.txt`);
    for (let i = 0; i < names.length; i += 100) {
      const slice = names.slice(i, i + 100);
      const docs = await Promise.all(
        slice.map((n, j) => upload(kbId, n, `Note ${i + j}: the meeting room code is ${1000 + i + j}.`)),
      );
      for (const d of docs) ids.add(d.id);
    }
    expect(ids.size).toBe(1000);
    await platform.host.runner.idle(120_000);
    const { documents } = await body<{ documents: Doc[] }>(
      await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`),
    );
    expect(documents).toHaveLength(1000);
    expect(documents.filter((d) => d.status !== "ready")).toEqual([]);
  }, 120_000);

  it("refuses a 200 MB upload before reading it all, and keeps serving", async () => {
    const kbId = await createKb("Huge");
    const chunk = new Uint8Array(1024 * 1024).fill(97);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 200) controller.close();
        else {
          sent++;
          controller.enqueue(chunk);
        }
      },
    });
    const res = await fetch(`${platform.url}/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      headers: { authorization: `Bearer ${platform.keys.owner}`, "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await body<{ error: { code: string } }>(res)).error.code).toBe("payload-too-large");
    expect((await platform.fetch("/health", { key: null })).status).toBe(200);
  }, 60_000);
});
