/**
 * The end users' routes over HTTP, hostile input first: malformed and oversized bodies, unknown fields, ids of
 * another end user or tenant, replayed requests; then that an editor's change reaches the very next turn (the
 * end user's revision moves, so no instance recalls a deleted memory), and the agent's memory settings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import type { Trace } from "../accountability/schema.js";
import { endUserKeyOf, memoriesPath } from "./schema.js";

let platform: TestPlatform;
let agentId: string;

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

async function converse(
  endUserRef: string,
  content: string,
): Promise<{ message: { content: string; citations: { ref: string }[] }; trace: Trace }> {
  const conversation = await json<{ id: string }>(
    await platform.fetch(`/v1/agents/${agentId}/conversations`, { method: "POST", json: { endUserRef } }),
  );
  const res = await platform.fetch(`/v1/conversations/${conversation.id}/messages`, {
    method: "POST",
    json: { content },
  });
  expect(res.status).toBe(200);
  const { message } = await json<{
    message: { content: string; citations: { ref: string }[]; traceId: string };
  }>(res);
  return { message, trace: await json<Trace>(await platform.fetch(`/v1/traces/${message.traceId}`)) };
}

const memoriesOf = async (key: string) =>
  (
    await json<{
      memories: { id: string; text: string; status: string; method: string; key: string | null }[];
    }>(await platform.fetch(`/v1/end-users/${key}`))
  ).memories;

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  const created = await json<{ id: string }>(
    await platform.fetch("/v1/agents", {
      method: "POST",
      json: { name: "Concierge", longTermMemory: { enabled: true, retentionDays: 30 } },
    }),
  );
  agentId = created.id;
  expect((await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} })).status).toBe(
    200,
  );
  await converse("guest-1", "My name is Alex.");
  await converse("guest-2", "My name is Jordan.");
});
afterAll(async () => {
  await platform?.close();
});

describe("the agent's memory settings", () => {
  it("refuses settings out of range or unknown, naming the field", async () => {
    for (const longTermMemory of [
      { enabled: true, retentionDays: 0 },
      { enabled: true, retentionDays: 4000 },
      { enabled: true, scope: "galaxy" },
      { enabled: "yes" },
      { enabled: true, remember: "everything" },
    ]) {
      const res = await platform.fetch(`/v1/agents/${agentId}`, {
        method: "PATCH",
        json: { longTermMemory },
      });
      expect(res.status, JSON.stringify(longTermMemory)).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/longTermMemory/);
    }
  });

  it("is off unless turned on", async () => {
    const { id } = await json<{ id: string }>(
      await platform.fetch("/v1/agents", { method: "POST", json: { name: "Plain" } }),
    );
    const fresh = await json<{ longTermMemory: unknown }>(await platform.fetch(`/v1/agents/${id}`));
    expect(fresh.longTermMemory).toEqual({ enabled: false, retentionDays: 365, scope: "agent" });
  });
});

describe("listing and reading end users", () => {
  it("lists end users with counts and finds them by reference", async () => {
    const all = await json<{ endUsers: { endUserRef: string; memoryCount: number }[] }>(
      await platform.fetch("/v1/end-users"),
    );
    expect(all.endUsers.map((u) => u.endUserRef).sort()).toEqual(["guest-1", "guest-2"]);
    expect(all.endUsers.every((u) => u.memoryCount === 1)).toBe(true);
    const found = await json<{ endUsers: { endUserRef: string }[] }>(
      await platform.fetch("/v1/end-users?q=EST-2"),
    );
    expect(found.endUsers.map((u) => u.endUserRef)).toEqual(["guest-2"]);
    // An exact reference comes first, ahead of longer ones that contain it.
    const exact = await json<{ endUsers: { endUserRef: string }[] }>(
      await platform.fetch("/v1/end-users?q=guest-1"),
    );
    expect(exact.endUsers[0]?.endUserRef).toBe("guest-1");
  });

  it("refuses malformed queries and keys with a clear 400, and unknown end users with 404", async () => {
    for (const query of ["cursor=nope", `q=${"x".repeat(201)}`, "limit=5"]) {
      const res = await platform.fetch(`/v1/end-users?${query}`);
      expect(res.status, query).toBe(400);
    }
    expect((await platform.fetch("/v1/end-users/not-a-key")).status).toBe(400);
    expect((await platform.fetch(`/v1/end-users/${endUserKeyOf("nobody")}`)).status).toBe(404);
  });

  it("shows another tenant nothing", async () => {
    const key = endUserKeyOf("guest-1");
    const other = await platform.fetch(`/v1/end-users/${key}`, { key: platform.keys.otherTenantOwner });
    expect(other.status).toBe(404);
    const list = await json<{ endUsers: unknown[] }>(
      await platform.fetch("/v1/end-users", { key: platform.keys.otherTenantOwner }),
    );
    expect(list.endUsers).toEqual([]);
  });
});

describe("editing memories", () => {
  it("refuses malformed, oversized and unknown input without writing anything", async () => {
    const key = endUserKeyOf("guest-1");
    const before = await platform.deps.store.count({ collection: memoriesPath("acme") });
    for (const body of [
      { agentId, kind: "fact", text: "" },
      { agentId, kind: "fact", text: "x".repeat(501) },
      { agentId, kind: "rumour", text: "You like cats." },
      { agentId, kind: "fact", key: "Not A Key!", text: "You like cats." },
      { agentId, kind: "fact", text: "You like cats.", expiresAt: "tomorrow" },
      { agentId, kind: "fact", text: "You like cats.", admin: true },
      { agentId: "no-such-agent", kind: "fact", text: "You like cats." },
      { agentId: "../../etc", kind: "fact", text: "You like cats." },
    ]) {
      const res = await platform.fetch(`/v1/end-users/${key}/memories`, { method: "POST", json: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const malformed = await platform.fetch(`/v1/end-users/${key}/memories`, {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    const memory = (await memoriesOf(key))[0];
    for (const body of [{}, { text: "x".repeat(501) }, { kind: "rumour" }, { status: "superseded" }]) {
      const res = await platform.fetch(`/v1/end-users/${key}/memories/${memory?.id}`, {
        method: "PATCH",
        json: body,
      });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect(await platform.deps.store.count({ collection: memoriesPath("acme") })).toBe(before);
  });

  it("never reaches another end user's memory through this one's key", async () => {
    const mine = endUserKeyOf("guest-1");
    const theirs = (await memoriesOf(endUserKeyOf("guest-2")))[0]?.id;
    const patched = await platform.fetch(`/v1/end-users/${mine}/memories/${theirs}`, {
      method: "PATCH",
      json: { text: "Your name is Mallory." },
    });
    expect(patched.status).toBe(404);
    const deleted = await platform.fetch(`/v1/end-users/${mine}/memories/${theirs}`, { method: "DELETE" });
    expect(deleted.status).toBe(404);
    expect((await memoriesOf(endUserKeyOf("guest-2")))[0]?.text).toBe("Your name is Jordan.");
  });

  it("an editor's memory supersedes by key, is recalled and cited on the next turn, and deleting it takes effect at once", async () => {
    const key = endUserKeyOf("guest-1");
    const added = await platform.fetch(`/v1/end-users/${key}/memories`, {
      method: "POST",
      json: { agentId, kind: "fact", key: "name", text: "Your name is Alexandra." },
    });
    expect(added.status).toBe(201);
    const memory = await json<{ id: string; method: string; supersedes: string | null }>(added);
    expect(memory.method).toBe("editor");
    expect(memory.supersedes).toBeTruthy();
    const names = (await memoriesOf(key)).filter((m) => m.key === "name");
    expect(names.map((m) => m.status)).toEqual(["active", "superseded"]);
    // Replayed, the request finds the memory it made and adds nothing.
    const replayed = await platform.fetch(`/v1/end-users/${key}/memories`, {
      method: "POST",
      json: { agentId, kind: "fact", key: "name", text: "Your name is Alexandra." },
    });
    expect((await json<{ id: string }>(replayed)).id).toBe(memory.id);
    expect((await memoriesOf(key)).filter((m) => m.key === "name")).toHaveLength(2);

    const asked = await converse("guest-1", "What is my name?");
    expect(asked.message.content).toContain("Alexandra");
    expect(asked.message.citations.some((c) => c.ref.startsWith("M"))).toBe(true);

    // Deleting it deletes its history too, and the very next turn no longer recalls it.
    expect(
      (await platform.fetch(`/v1/end-users/${key}/memories/${memory.id}`, { method: "DELETE" })).status,
    ).toBe(204);
    expect((await memoriesOf(key)).filter((m) => m.key === "name")).toEqual([]);
    const again = await converse("guest-1", "What is my name?");
    expect(again.message.content).not.toContain("Alex");
    expect(again.trace.memory?.used).toEqual([]);
    // Replayed, the delete finds nothing.
    expect(
      (await platform.fetch(`/v1/end-users/${key}/memories/${memory.id}`, { method: "DELETE" })).status,
    ).toBe(404);
  });

  it("corrects a memory in place, recording who edited it", async () => {
    const key = endUserKeyOf("guest-2");
    const [memory] = await memoriesOf(key);
    const res = await platform.fetch(`/v1/end-users/${key}/memories/${memory?.id}`, {
      method: "PATCH",
      json: { text: "Your name is Jordan Lee.", expiresAt: "2030-01-01T00:00:00Z" },
    });
    expect(res.status).toBe(200);
    const edited = await json<{ text: string; editedBy: string; expiresAt: string }>(res);
    expect(edited).toMatchObject({ text: "Your name is Jordan Lee.", expiresAt: "2030-01-01T00:00:00Z" });
    expect(edited.editedBy).toBeTruthy();
  });

  it("refuses a flag review with a bad status and a flag of another end user", async () => {
    const key = endUserKeyOf("guest-1");
    expect(
      (
        await platform.fetch(`/v1/end-users/${key}/flags/noSuchFlag`, {
          method: "PATCH",
          json: { status: "done" },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await platform.fetch(`/v1/end-users/${key}/flags/noSuchFlag`, {
          method: "PATCH",
          json: { status: "reviewed" },
        })
      ).status,
    ).toBe(404);
  });
});
