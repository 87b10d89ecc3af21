/**
 * Watched listings over real HTTP against the in-process local platform: a GET with
 * `Accept: text/event-stream` answers `snapshot` events, the same body as the plain GET, now and after each
 * change; a missing listing is a plain 404, and the stream ends when the client goes away.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Deps } from "../../platform/deps.js";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { createApiKey } from "../../identity/api-keys.js";
import { maxStreamsPerCredential, streamSnapshots } from "../../platform/http/live.js";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

interface Snapshot {
  readonly event: string;
  readonly data: unknown;
}

/** Reads a response's SSE frames one by one (the test's own small parser: `data:` is one JSON line here). */
function eventsOf(res: Response) {
  if (!res.body) throw new Error("no body");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return async function next(): Promise<Snapshot> {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "message";
        const data = /^data: (.*)$/m.exec(frame)?.[1] ?? "";
        return { event, data: JSON.parse(data) as unknown };
      }
      const { done, value } = await reader.read();
      if (done) throw new Error("the stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
}

/** The next `snapshot` event that satisfies `accept` (pings and intermediate snapshots are skipped). */
async function snapshotWhere<T>(next: () => Promise<Snapshot>, accept: (body: T) => boolean): Promise<T> {
  for (;;) {
    const { event, data } = await next();
    if (event === "snapshot" && accept(data as T)) return data as T;
  }
}

interface DocumentList {
  readonly documents: readonly { readonly id: string; readonly status: string; readonly name: string }[];
}

describe("live listings", () => {
  it("streams a knowledge base's documents as they are uploaded and ingested", async () => {
    const created = await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Live" } });
    const { id: kbId } = (await created.json()) as { id: string };
    const path = `/v1/knowledge-bases/${kbId}/documents`;

    const controller = new AbortController();
    const res = await platform.fetch(path, {
      headers: { accept: "text/event-stream" },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const next = eventsOf(res);

    const first = await next();
    expect(first).toEqual({ event: "snapshot", data: { documents: [] } });

    const upload = await platform.fetch(path, {
      method: "POST",
      json: { name: "policy.md", text: "# Policy\n\nVisitors sign in at the front desk before 9 am." },
    });
    expect(upload.status).toBe(202);
    const { id: docId } = (await upload.json()) as { id: string };

    const ready = await snapshotWhere<DocumentList>(next, (body) =>
      body.documents.some((d) => d.id === docId && d.status === "ready"),
    );
    // Each snapshot is exactly what the plain GET answers.
    const plain = (await (await platform.fetch(path)).json()) as DocumentList;
    expect(ready).toEqual(plain);
    controller.abort();
  });

  it("answers a plain 404 (not a stream) for a listing that does not exist", async () => {
    const res = await platform.fetch("/v1/knowledge-bases/kb_missing/documents", {
      headers: { accept: "text/event-stream" },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
  });

  it("still answers JSON when the client does not ask for events", async () => {
    const res = await platform.fetch("/v1/agents");
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(await res.json()).toHaveProperty("agents");
  });

  it("ends a stream with an error event at the next change once its key is revoked", async () => {
    const created = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "Wall display", role: "viewer" },
    });
    expect(created.status).toBe(201);
    const { id: keyId, key } = (await created.json()) as { id: string; key: string };
    const res = await platform.fetch("/v1/knowledge-bases", {
      headers: { accept: "text/event-stream" },
      key,
    });
    const next = eventsOf(res);
    expect((await next()).event).toBe("snapshot");

    expect((await platform.fetch(`/v1/api-keys/${keyId}`, { method: "DELETE" })).status).toBe(200);
    await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "After the revocation" } });

    let event = await next();
    while (event.event === "ping") event = await next();
    expect(event).toMatchObject({ event: "error", data: { error: { code: "unauthenticated" } } });
    await expect(next()).rejects.toThrow("the stream ended");
  });

  it("checks permissions before streaming", async () => {
    const res = await platform.fetch("/v1/agents", { headers: { accept: "text/event-stream" }, key: null });
    expect(res.status).toBe(401);
  });
});

describe("streamSnapshots", () => {
  /** A store whose change feed the test drives, recording whether it was unsubscribed. */
  function fakeDeps() {
    const feed = { emit: (): void => undefined, unsubscribed: false };
    const deps = {
      store: {
        subscribe: (_target: unknown, onChanges: (changes: unknown[]) => void) => {
          feed.emit = () => onChanges([]);
          return () => {
            feed.unsubscribed = true;
          };
        },
      },
    } as unknown as Deps;
    return { deps, feed };
  }

  it("sends one snapshot per burst of changes, skips unchanged ones, and stops when the client goes away", async () => {
    const { deps, feed } = fakeDeps();
    const sent: [unknown, string | undefined][] = [];
    let value = 1;
    const controller = new AbortController();
    const done = streamSnapshots(
      deps,
      { collection: "tenants/t/agents" },
      { value: 0 },
      () => Promise.resolve({ value }),
      (data, event) => sent.push([data, event]),
      controller.signal,
      { settleMs: 5, pingMs: 60_000, maxStreamMs: 60_000 },
    );
    feed.emit();
    feed.emit();
    feed.emit();
    await vi.waitFor(() => expect(sent).toHaveLength(2));
    feed.emit(); // Nothing changed: no new snapshot.
    value = 2;
    feed.emit();
    await vi.waitFor(() => expect(sent).toHaveLength(3));
    expect(sent).toEqual([
      ['{"value":0}', "snapshot"],
      ['{"value":1}', "snapshot"],
      ['{"value":2}', "snapshot"],
    ]);
    controller.abort();
    await done;
    expect(feed.unsubscribed).toBe(true);
  });

  it("ends by itself after the longest stream time, so the client reconnects", async () => {
    const { deps, feed } = fakeDeps();
    await streamSnapshots(
      deps,
      { collection: "tenants/t/agents" },
      {},
      () => Promise.resolve({}),
      () => undefined,
      new AbortController().signal,
      { settleMs: 5, pingMs: 60_000, maxStreamMs: 20 },
    );
    expect(feed.unsubscribed).toBe(true);
  });
});

describe("live listings per credential", () => {
  it(`holds at most ${maxStreamsPerCredential} streams open for one credential, and frees a slot when one closes`, async () => {
    const { key } = await createApiKey(platform.deps, "acme", { name: "many tabs", role: "viewer" });
    const open = (k: string) => {
      const controller = new AbortController();
      const response = platform.fetch("/v1/knowledge-bases", {
        headers: { accept: "text/event-stream" },
        signal: controller.signal,
        key: k,
      });
      return { controller, response };
    };
    const streams = Array.from({ length: maxStreamsPerCredential }, () => open(key));
    for (const s of streams) expect((await s.response).status).toBe(200);

    const refused = await open(key).response;
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      `the limit is ${maxStreamsPerCredential}`,
    );
    // Another credential is not affected, and a plain GET still works for this one.
    const other = open(platform.keys.viewer);
    expect((await other.response).status).toBe(200);
    other.controller.abort();
    expect((await platform.fetch("/v1/knowledge-bases", { key })).status).toBe(200);

    streams[0]?.controller.abort();
    // The server sees the client go away a moment later.
    await vi.waitFor(async () => {
      const again = open(key);
      const res = await again.response;
      expect(res.status).toBe(200);
      streams.push(again);
    });
    for (const s of streams) s.controller.abort();
  });
});
