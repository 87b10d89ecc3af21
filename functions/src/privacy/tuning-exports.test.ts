/**
 * Erasure and retention reach stored fine-tuning exports: once an end user is erased, or a conversation expires,
 * every export of the workspace holding examples of those conversations has them taken out of its training,
 * validation and manifest files, its counts, tokens, cost estimate and validator's report describe what is left,
 * and it says what was withdrawn. Exports without those conversations, and another workspace's export naming the
 * same conversation id, are left alone; a purge that stops midway and runs again ends the same, counting nothing
 * twice; an export made while a conversation is erased withdraws it itself; an export with nothing left says so.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rateAnswer } from "../accountability/feedback.js";
import { startConversation } from "../agents/conversations.js";
import { conversationPath, messagePath } from "../agents/schema.js";
import { sendMessage } from "../agents/turn.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Deps } from "../platform/deps.js";
import type { Transaction } from "../platform/ports.js";
import { createTuningExport } from "../tuning/export.js";
import {
  tuningExportConversationsPath,
  tuningExportFilesPrefix,
  tuningExportPath,
  type ManifestEntry,
  type TuningExportView,
} from "../tuning/schema.js";
import { loadTokenCounter, chatExampleTokens } from "../tuning/tokens.js";
import { validateFineTuningJsonl } from "../tuning/validate-jsonl.js";
import { withdrawFromExport } from "../tuning/withdraw.js";
import { enforceRetention } from "./retention.js";
import { purgeConversation } from "./purge.js";
import { updateSettings } from "./settings.js";

let platform: TestPlatform;
let agentId: string;
let soloAgentId: string;

const handbook = `# Acme handbook

## Vacation

Full-time employees receive 25 vacation days per calendar year. Up to 5 unused vacation days can be carried over.

## Expenses

Submit expense claims in the finance portal within 30 days, with an itemised receipt.
`;

/** Jane's words: a phrase no other conversation has, to look for in the files. */
const jane = "whatsapp:+14155550132";
const janeWords = "Zebra quilt question from the Lisbon office";
const omarWords = "Heron lantern question from the Oslo office";

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** A conversation of `endUserRef` with two questions; the second answer rated up. Answers its id. */
async function ratedConversation(agent: string, endUserRef: string, words: string): Promise<string> {
  const started = await platform.fetch(`/v1/agents/${agent}/conversations`, {
    method: "POST",
    json: { endUserRef },
  });
  expect(started.status, await started.clone().text()).toBe(201);
  const id = (await json<{ id: string }>(started)).id;
  let last: { id: string } | undefined;
  for (const content of [`${words}: how many vacation days do I get?`, `${words}: and expenses?`]) {
    const res = await platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    last = (await json<{ message: { id: string } }>(res)).message;
  }
  const rated = await platform.fetch(`/v1/conversations/${id}/messages/${last?.id}/feedback`, {
    method: "PUT",
    json: { rating: "up" },
  });
  expect(rated.status).toBe(200);
  return id;
}

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

interface Snapshot {
  record: TuningExportView;
  train: string;
  validation: string;
  manifest: ManifestEntry[];
}

/** An export as the API shows it: its record and its three files downloaded. */
async function snapshot(exportId: string, key?: string): Promise<Snapshot> {
  const get = (path: string) => platform.fetch(path, key ? { key } : {});
  const res = await get(`/v1/tuning/exports/${exportId}`);
  expect(res.status, await res.clone().text()).toBe(200);
  const file = async (name: string) => {
    const r = await get(`/v1/tuning/exports/${exportId}/files/${name}`);
    expect(r.status, await r.clone().text()).toBe(200);
    return r.text();
  };
  return {
    record: await json<TuningExportView>(res),
    train: await file("train"),
    validation: await file("validation"),
    manifest: lines(await file("manifest")).map((l) => JSON.parse(l) as ManifestEntry),
  };
}

async function exportNow(body: Record<string, unknown>, key?: string): Promise<string> {
  const res = await platform.fetch("/v1/tuning/exports", {
    method: "POST",
    json: body,
    ...(key ? { key } : {}),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json<{ id: string }>(res)).id;
}

/**
 * What must hold of any export after a withdrawal: the files hold exactly the examples the manifest lists, in its
 * order, the figures describe them, the validator passes them (or says the export is empty), and nothing of the
 * withdrawn conversations is left. `before` is the export before: every other example is still there, unchanged.
 */
async function expectWithdrawn(after: Snapshot, before: Snapshot, gone: ReadonlySet<string>, words?: string) {
  const keptBefore = before.manifest.filter((m) => !gone.has(m.conversationId));
  const lineOf = (s: Snapshot, m: ManifestEntry) => lines(s[m.file])[m.line - 1];
  expect(after.manifest.map((m) => m.traceId)).toEqual(keptBefore.map((m) => m.traceId));
  expect(after.manifest.map((m) => lineOf(after, m))).toEqual(keptBefore.map((m) => lineOf(before, m)));
  expect(after.manifest.every((m) => !gone.has(m.conversationId))).toBe(true);
  for (const text of [after.train, after.validation, JSON.stringify(after.manifest)]) {
    for (const id of gone) expect(text).not.toContain(id);
    if (words) expect(text).not.toContain(words);
  }
  const { record } = after;
  const train = after.manifest.filter((m) => m.file === "train");
  const validation = after.manifest.filter((m) => m.file === "validation");
  expect(record.counts).toMatchObject({
    examples: after.manifest.length,
    train: train.length,
    validation: validation.length,
    conversations: new Set(after.manifest.map((m) => m.conversationId)).size,
  });
  expect(lines(after.train)).toHaveLength(train.length);
  expect(lines(after.validation)).toHaveLength(validation.length);
  const count = await loadTokenCounter();
  const tokens = lines(after.train).map((l) =>
    chatExampleTokens((JSON.parse(l) as { messages: { role: string; content: string }[] }).messages, count),
  );
  expect(train.map((m) => m.tokens)).toEqual(tokens);
  expect(record.tokens.train).toBe(tokens.reduce((a, b) => a + b, 0));
  const mini = record.cost.models.find((m) => m.model === "gpt-4o-mini-2024-07-18");
  expect(mini?.tokensPerEpoch).toBe(record.tokens.train);
  // The validator, re-run on the files as downloaded, agrees with the record's report.
  const checked = validateFineTuningJsonl(after.train, {
    purpose: "training",
    minExamplesSeverity: "warning",
  });
  expect(record.validation.train.valid).toBe(checked.valid);
  expect(record.validation.train.examples).toBe(train.length);
  if (train.length > 0) expect(checked.valid).toBe(true);
  expect(validateFineTuningJsonl(after.validation, { purpose: "validation" }).valid).toBe(true);
  expect(record.withdrawn?.examples).toBe(
    (before.record.withdrawn?.examples ?? 0) + before.manifest.length - after.manifest.length,
  );
  // Only the files the record points at are stored: the earlier revision went.
  const stored = await platform.deps.blobs.list(tuningExportFilesPrefix("acme", record.id));
  expect(stored.map((b) => b.path).sort()).toEqual(
    Object.values(record.files)
      .map((f) => f.path)
      .sort(),
  );
}

const indexEntries = async (tenantId: string, conversationId: string) =>
  platform.deps.store.count({
    collection: tuningExportConversationsPath(tenantId),
    where: [{ field: "conversationId", op: "==", value: conversationId }],
  });

const fixture = {
  jane: [] as string[],
  others: [] as string[],
  solo: "",
  globexConversation: "",
  exports: { a: "", b: "", solo: "", globex: "" },
};

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  const kbId = (
    await json<{ id: string }>(
      await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "HR" } }),
    )
  ).id;
  await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
    method: "POST",
    json: { name: "handbook.md", text: handbook },
  });
  await platform.host.runner.idle();
  const create = async (name: string) => {
    const res = await platform.fetch("/v1/agents", {
      method: "POST",
      json: {
        name,
        instructions: "You answer Acme HR questions.",
        knowledgeBaseIds: [kbId],
        confidenceThreshold: 0,
      },
    });
    const id = (await json<{ id: string }>(res)).id;
    expect((await platform.fetch(`/v1/agents/${id}/publish`, { method: "POST", json: {} })).status).toBe(200);
    return id;
  };
  agentId = await create("HR bot");
  soloAgentId = await create("Solo bot");
  fixture.jane.push(await ratedConversation(agentId, jane, janeWords));
  fixture.jane.push(await ratedConversation(agentId, jane, janeWords));
  for (let i = 0; i < 14; i++)
    fixture.others.push(await ratedConversation(agentId, `customer-${i}`, omarWords));
  fixture.solo = await ratedConversation(soloAgentId, "solo-customer", "Solo");

  // Another workspace whose conversation has the very id of one of Jane's.
  const globexAgent = (
    await json<{ id: string }>(
      await platform.fetch("/v1/agents", {
        method: "POST",
        json: { name: "Globex bot", instructions: "You answer Globex questions." },
        key: platform.keys.otherTenantOwner,
      }),
    )
  ).id;
  await platform.fetch(`/v1/agents/${globexAgent}/publish`, {
    method: "POST",
    json: {},
    key: platform.keys.otherTenantOwner,
  });
  const sameId = fixture.jane[0] as string;
  const withId: Deps = { ...platform.deps, ids: { ...platform.deps.ids, newId: () => sameId } };
  const started = await startConversation(withId, "globex", globexAgent, { channel: "api" });
  expect(started.id).toBe(sameId);
  fixture.globexConversation = started.id;
  const answer = await sendMessage(platform.deps, "globex", sameId, { content: "Globex's own question" });
  await rateAnswer(
    platform.deps,
    "globex",
    {
      conversationId: sameId,
      messageId: answer.id,
      traceId: answer.traceId as string,
      messagePath: messagePath("globex", sameId, answer.id),
    },
    { rating: "up" },
    "test",
  );

  fixture.exports.a = await exportNow({ agentId, seed: "a", validationShare: 0.3 });
  fixture.exports.b = await exportNow({ seed: "b", validationShare: 0.1 });
  fixture.exports.solo = await exportNow({ agentId: soloAgentId });
  fixture.exports.globex = await exportNow({}, platform.keys.otherTenantOwner);
}, 180_000);

afterAll(async () => {
  await platform?.close();
});

describe("erasing an end user", () => {
  const before: Record<string, Snapshot> = {};
  let globexBefore: Snapshot;

  beforeAll(async () => {
    for (const [name, id] of Object.entries(fixture.exports)) {
      if (name !== "globex") before[name] = await snapshot(id);
    }
    globexBefore = await snapshot(fixture.exports.globex, platform.keys.otherTenantOwner);
    // Both of Jane's conversations are in both exports, the globex one names the same id.
    for (const name of ["a", "b"]) {
      const ids = new Set(before[name]?.manifest.map((m) => m.conversationId));
      for (const id of fixture.jane) expect(ids.has(id), `${name} holds ${id}`).toBe(true);
    }
    expect(globexBefore.manifest.map((m) => m.conversationId)).toEqual([fixture.globexConversation]);
    const erased = await platform.fetch("/v1/privacy/erase", { method: "POST", json: { endUserRef: jane } });
    expect(erased.status, await erased.clone().text()).toBe(200);
  });

  it("takes their conversations' examples out of every export that held them; the rest is intact", async () => {
    const gone = new Set(fixture.jane);
    for (const name of ["a", "b"]) {
      const was = before[name] as Snapshot;
      const after = await snapshot(was.record.id);
      await expectWithdrawn(after, was, gone, janeWords);
      expect(after.record.counts.examples).toBe(was.record.counts.examples - 2);
      expect(after.record.counts.conversations).toBe(was.record.counts.conversations - 2);
      expect(after.record.withdrawn).toMatchObject({ examples: 2, conversations: 2, jobs: [] });
      // One rewrite per conversation purged.
      expect(after.record.revision).toBe(2);
      expect(after.record.validation.train.valid).toBe(true);
      expect(after.record.notes.join(" ")).toContain("2 examples from 2 conversations were withdrawn");
      // The record's checksums are those of the files served.
      expect(after.record.files.train.bytes).toBe(Buffer.byteLength(after.train));
    }
    for (const id of fixture.jane) expect(await indexEntries("acme", id)).toBe(0);
    expect(await indexEntries("acme", fixture.others[0] as string)).toBe(2);
  });

  it("leaves an export without them, and another workspace's export naming the same id, as they were", async () => {
    const solo = await snapshot(fixture.exports.solo);
    expect(solo).toEqual(before.solo);
    expect(solo.record.withdrawn).toBeNull();
    const globex = await snapshot(fixture.exports.globex, platform.keys.otherTenantOwner);
    expect(globex).toEqual(globexBefore);
    expect(await indexEntries("globex", fixture.globexConversation)).toBe(1);
    expect(
      await platform.deps.store.get(conversationPath("globex", fixture.globexConversation)),
    ).not.toBeNull();
  });

  it("changes nothing when erased again", async () => {
    const a = await snapshot(fixture.exports.a);
    const erased = await platform.fetch("/v1/privacy/erase", { method: "POST", json: { endUserRef: jane } });
    expect(erased.status).toBe(200);
    expect(await snapshot(fixture.exports.a)).toEqual(a);
  });
});

describe("retention", () => {
  it("takes expired conversations' examples out of the exports the same way", async () => {
    const expired = fixture.others.slice(0, 2);
    const before = await snapshot(fixture.exports.a);
    for (const id of expired) {
      await platform.deps.store.update(conversationPath("acme", id), {
        updatedAt: "2025-01-01T00:00:00.000Z",
      });
    }
    await updateSettings(platform.deps, "acme", { retentionDays: 30 }, "test");
    try {
      const [acme] = (await enforceRetention(platform.deps, new Date())).filter((r) => r.tenantId === "acme");
      expect(acme?.deleted.conversations).toBe(2);
    } finally {
      await updateSettings(platform.deps, "acme", { retentionDays: null }, "test");
    }
    const after = await snapshot(fixture.exports.a);
    await expectWithdrawn(after, before, new Set(expired));
    expect(after.record.withdrawn).toMatchObject({ examples: 4, conversations: 4 });
    expect(after.record.revision).toBe(4);
  });
});

describe("a purge that stops midway", () => {
  /**
   * Deps of a process that dies while rewriting one export: at the transaction that would point its record at
   * the new files, or at the first deletion of its old files. From then on every call fails, as nothing more of a
   * dead process runs (it does not release its lease either).
   */
  function dying(exportId: string, at: "swap" | "cleanup"): Deps {
    let dead = false;
    const die = (): never => {
      dead = true;
      throw new Error("process killed");
    };
    const record = tuningExportPath("acme", exportId);
    const files = tuningExportFilesPrefix("acme", exportId);
    const guard = <T extends object>(target: T, intercept: (name: string, args: unknown[]) => void): T =>
      new Proxy(target, {
        get(t, name) {
          const value = Reflect.get(t, name) as unknown;
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            if (dead) return Promise.reject(new Error("process killed"));
            intercept(String(name), args);
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        },
      });
    const { store, blobs } = platform.deps;
    const deadStore = guard(store, (name, args) => {
      if (name !== "runTransaction" || at !== "swap") return;
      const fn = args[0] as (tx: Transaction) => Promise<unknown>;
      args[0] = (tx: Transaction) =>
        fn(guard(tx, (op, opArgs) => (op === "set" && opArgs[0] === record ? die() : undefined)));
    });
    const deadBlobs = guard(blobs, (name, args) => {
      if (at === "cleanup" && name === "delete" && String(args[0]).startsWith(files)) die();
    });
    return { ...platform.deps, store: deadStore, blobs: deadBlobs };
  }

  it.each(["swap", "cleanup"] as const)(
    "ends as an uninterrupted purge does when it stopped at the %s, counting nothing twice",
    async (at) => {
      // Two identical exports: one purged cleanly, one purged with a crash and then again.
      const body = { agentId, seed: `twin-${at}`, validationShare: 0.2 };
      const clean = await exportNow(body);
      const twin = await exportNow(body);
      const victim = fixture.others[at === "swap" ? 2 : 3] as string;
      const twinBefore = await snapshot(twin);
      await expect(purgeConversation(dying(twin, at), "acme", victim)).rejects.toThrow("process killed");
      // Killed with its lease held.
      expect((await platform.deps.store.get(tuningExportPath("acme", twin)))?.data).toHaveProperty(
        "rewriteLease",
      );
      // The conversation survives the crash, so the next run happens.
      expect(await platform.deps.store.get(conversationPath("acme", victim))).not.toBeNull();
      await purgeConversation(platform.deps, "acme", victim);
      const [a, b] = [await snapshot(clean), await snapshot(twin)];
      expect(b.record.counts).toEqual(a.record.counts);
      expect(b.record.tokens).toEqual(a.record.tokens);
      expect(b.record.validation).toEqual(a.record.validation);
      expect({ ...b.record.withdrawn, lastAt: "" }).toEqual({ ...a.record.withdrawn, lastAt: "" });
      expect(b.record.withdrawn?.examples).toBe(1);
      expect(b.record.files.train.sha256).toBe(a.record.files.train.sha256);
      expect(b.record.files.manifest.sha256).toBe(a.record.files.manifest.sha256);
      expect(b.record.revision).toBe(1);
      await expectWithdrawn(b, twinBefore, new Set([victim]), undefined);
      expect(await indexEntries("acme", victim)).toBe(0);
      // The lease is released: another conversation's purge is not kept waiting.
      expect((await platform.deps.store.get(tuningExportPath("acme", twin)))?.data).not.toHaveProperty(
        "rewriteLease",
      );
    },
  );
});

describe("concurrent work on one export", () => {
  it("waits for another run's lease, and takes over one that expired", async () => {
    const exportId = await exportNow({ agentId, seed: "lease" });
    const path = tuningExportPath("acme", exportId);
    const victim = fixture.others[4] as string;
    await platform.deps.store.update(path, {
      rewriteLease: { token: "another-run", until: new Date(Date.now() + 60_000).toISOString() },
    });
    await expect(
      withdrawFromExport(platform.deps, "acme", exportId, [victim], { leaseWaitMs: 300 }),
    ).rejects.toMatchObject({ code: "aborted" });
    expect((await snapshot(exportId)).record.revision).toBe(0);
    await platform.deps.store.update(path, {
      rewriteLease: { token: "another-run", until: new Date(Date.now() - 1000).toISOString() },
    });
    expect(await withdrawFromExport(platform.deps, "acme", exportId, [victim])).toEqual({
      exportId,
      examples: 1,
    });
  });

  it("an export made while a conversation is erased takes it out itself", async () => {
    const victim = fixture.others[5] as string;
    const blobs = platform.deps.blobs;
    let puts = 0;
    // The conversation is erased once the export has read it and written its files, before it can be found.
    const racing: Deps = {
      ...platform.deps,
      blobs: {
        ...blobs,
        put: async (path, data, options) => {
          const info = await blobs.put(path, data, options);
          if (++puts === 3) await purgeConversation(platform.deps, "acme", victim);
          return info;
        },
        get: (path) => blobs.get(path),
        stat: (path) => blobs.stat(path),
        list: (prefix) => blobs.list(prefix),
        delete: (path) => blobs.delete(path),
      },
    };
    const made = await createTuningExport(racing, "acme", { agentId, seed: "race" }, "test");
    expect(await platform.deps.store.get(conversationPath("acme", victim))).toBeNull();
    expect(made.withdrawn).toMatchObject({ examples: 1, conversations: 1 });
    const after = await snapshot(made.id);
    expect(after.manifest.map((m) => m.conversationId)).not.toContain(victim);
    expect(await indexEntries("acme", victim)).toBe(0);
  });
});

describe("an export with nothing left", () => {
  it("keeps empty files, marked as such, that still download", async () => {
    const before = await snapshot(fixture.exports.solo);
    expect(before.record.counts.examples).toBe(1);
    const erased = await platform.fetch("/v1/privacy/erase", {
      method: "POST",
      json: { endUserRef: "solo-customer" },
    });
    expect(erased.status).toBe(200);
    const after = await snapshot(fixture.exports.solo);
    expect([after.train, after.validation, after.manifest]).toEqual(["", "", []]);
    expect(after.record.counts).toMatchObject({ examples: 0, train: 0, validation: 0, conversations: 0 });
    expect(after.record.tokens).toMatchObject({ train: 0, validation: 0, perExample: null });
    expect(after.record.validation.train).toMatchObject({ valid: false, examples: 0 });
    expect(after.record.validation.train.errors.map((e) => e.code)).toEqual(["empty-file"]);
    expect(after.record.notes.join(" ")).toContain("Nothing is left");
    expect(after.record.withdrawn).toMatchObject({ examples: 1, conversations: 1 });
    await expectWithdrawn(after, before, new Set([fixture.solo]), "Solo:");
  });
});
