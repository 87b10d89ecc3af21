/**
 * Listing a workspace's conversations (`GET /v1/conversations`), as the studio's history screens use it:
 * filters by agent, channel and a window of last activity, cursor pages newest activity first (exact even
 * when conversations change between pages or share a timestamp), clear refusals, the Firestore indexes the
 * queries need, and the live stream of a filtered first page.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { conversationListQuery, listConversations } from "./conversations.js";
import { agentChannels, conversationPath, type Conversation } from "./schema.js";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

interface ListedConversation {
  readonly id: string;
  readonly agentId: string;
  readonly agentVersion: number | "published" | "draft" | { readonly environment: string };
  readonly channel: string;
  readonly endUserRef: string | null;
  readonly messageCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}
interface Page {
  readonly conversations: ListedConversation[];
  readonly nextCursor: string | null;
}

/** A stored conversation as the engine writes it, in a tenant of its own so each test sees only its data. */
async function storeConversation(
  tenantId: string,
  id: string,
  fields: Partial<Conversation> & Pick<Conversation, "agentId" | "updatedAt">,
): Promise<void> {
  const conversation: Conversation = {
    agentVersion: "published",
    channel: "api",
    endUserRef: null,
    startedBy: null,
    messageCount: 2,
    pendingConfirmationId: null,
    summary: null,
    createdAt: fields.updatedAt,
    ...fields,
  };
  await platform.deps.store.create(conversationPath(tenantId, id), conversation);
}

async function get(pathname: string): Promise<{ status: number; body: unknown }> {
  const res = await platform.fetch(pathname);
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Every page of a listing, following `nextCursor`. */
async function allPages(tenantId: string, query: Record<string, string | number>): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await listConversations(platform.deps, tenantId, {
      ...query,
      ...(cursor ? { cursor } : {}),
    });
    pages.push(page.conversations.map((c) => c.id));
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 50);
  return pages;
}

describe("listing conversations", () => {
  it("filters by agent, channel and last activity, most recent first, with what a list shows", async () => {
    await storeConversation("acme", "cnv_hr_api_mar3", {
      agentId: "agt_hr",
      channel: "api",
      updatedAt: "2025-03-03T10:00:00.000Z",
      createdAt: "2025-03-01T08:00:00.000Z",
      endUserRef: "customer-118",
      startedBy: "apikey:key_support_desk",
      messageCount: 6,
      agentVersion: 2,
      summary: { text: "Asked about parental leave.", throughSeq: 2 },
    });
    await storeConversation("acme", "cnv_hr_studio_mar2", {
      agentId: "agt_hr",
      channel: "studio",
      agentVersion: "draft",
      updatedAt: "2025-03-02T16:30:00.000Z",
    });
    await storeConversation("acme", "cnv_it_api_mar2", {
      agentId: "agt_it",
      channel: "api",
      updatedAt: "2025-03-02T09:15:00.000Z",
    });
    await storeConversation("acme", "cnv_hr_api_feb28", {
      agentId: "agt_hr",
      channel: "api",
      updatedAt: "2025-02-28T23:59:59.999Z",
    });

    const ids = async (query: string) => {
      const { status, body } = await get(`/v1/conversations${query}`);
      expect(status, JSON.stringify(body)).toBe(200);
      return (body as Page).conversations.map((c) => c.id);
    };

    expect(await ids("")).toEqual([
      "cnv_hr_api_mar3",
      "cnv_hr_studio_mar2",
      "cnv_it_api_mar2",
      "cnv_hr_api_feb28",
    ]);
    expect(await ids("?agentId=agt_hr")).toEqual([
      "cnv_hr_api_mar3",
      "cnv_hr_studio_mar2",
      "cnv_hr_api_feb28",
    ]);
    expect(await ids("?channel=api")).toEqual(["cnv_hr_api_mar3", "cnv_it_api_mar2", "cnv_hr_api_feb28"]);
    expect(await ids("?agentId=agt_hr&channel=api")).toEqual(["cnv_hr_api_mar3", "cnv_hr_api_feb28"]);
    // Dates are midnight UTC; `to` is exclusive.
    expect(await ids("?from=2025-03-01&to=2025-03-03")).toEqual(["cnv_hr_studio_mar2", "cnv_it_api_mar2"]);
    expect(await ids("?to=2025-03-01")).toEqual(["cnv_hr_api_feb28"]);
    // Date-times carry their offset: 12:00 in Paris is 11:00 UTC.
    expect(await ids("?from=2025-03-02T12:00:00%2B01:00&agentId=agt_hr")).toEqual([
      "cnv_hr_api_mar3",
      "cnv_hr_studio_mar2",
    ]);
    expect(await ids("?agentId=agt_hr&channel=callable")).toEqual([]);

    const { body } = await get("/v1/conversations?agentId=agt_hr&channel=api&limit=1");
    expect(body).toEqual({
      conversations: [
        {
          id: "cnv_hr_api_mar3",
          agentId: "agt_hr",
          agentVersion: 2,
          channel: "api",
          endUserRef: "customer-118",
          startedBy: "apikey:key_support_desk",
          messageCount: 6,
          createdAt: "2025-03-01T08:00:00.000Z",
          updatedAt: "2025-03-03T10:00:00.000Z",
        },
      ],
      nextCursor: expect.any(String) as unknown,
    });
  });

  it("pages through every conversation once, even when several share a timestamp", async () => {
    const tenantId = "paging";
    const tie = "2025-04-10T12:00:00.000Z";
    const expected: string[] = [];
    // Twelve conversations: five at the same instant in the middle, the rest a minute apart.
    for (let i = 0; i < 12; i++) {
      const updatedAt =
        i >= 4 && i < 9 ? tie : new Date(Date.parse(tie) + (i < 4 ? 4 - i : 8 - i) * 60_000).toISOString();
      await storeConversation(tenantId, `cnv_${String(i).padStart(2, "0")}`, {
        agentId: "agt_hr",
        updatedAt,
      });
    }
    const all = await listConversations(platform.deps, tenantId, { limit: 200 });
    expected.push(...all.conversations.map((c) => c.id));
    expect(expected).toHaveLength(12);
    expect(all.nextCursor).toBeNull();

    for (const limit of [1, 2, 3, 5, 7]) {
      const pages = await allPages(tenantId, { limit });
      expect(pages.flat(), `pages of ${limit}`).toEqual(expected);
      expect(pages.every((p) => p.length > 0 && p.length <= limit)).toBe(true);
      expect(pages).toHaveLength(Math.ceil(12 / limit));
    }
  });

  it("does not repeat nor skip a page when a listed conversation gets a message in between", async () => {
    const tenantId = "moving";
    for (let i = 0; i < 6; i++) {
      await storeConversation(tenantId, `cnv_${i}`, {
        agentId: "agt_hr",
        updatedAt: new Date(Date.UTC(2025, 4, 10, 12, 0) - i * 60_000).toISOString(),
      });
    }
    const first = await listConversations(platform.deps, tenantId, { limit: 2 });
    expect(first.conversations.map((c) => c.id)).toEqual(["cnv_0", "cnv_1"]);
    // The last conversation of the first page (the cursor's) and one further down both get a message.
    await platform.deps.store.update(conversationPath(tenantId, "cnv_1"), {
      updatedAt: "2025-05-11T08:00:00.000Z",
    });
    await platform.deps.store.update(conversationPath(tenantId, "cnv_4"), {
      updatedAt: "2025-05-11T09:00:00.000Z",
    });

    const second = await listConversations(platform.deps, tenantId, {
      limit: 2,
      cursor: first.nextCursor ?? "",
    });
    expect(second.conversations.map((c) => c.id)).toEqual(["cnv_2", "cnv_3"]);
    const third = await listConversations(platform.deps, tenantId, {
      limit: 2,
      cursor: second.nextCursor ?? "",
    });
    expect(third.conversations.map((c) => c.id)).toEqual(["cnv_5"]);
    expect(third.nextCursor).toBeNull();
    // Both moved to the top, where a fresh first page shows them.
    const fresh = await listConversations(platform.deps, tenantId, { limit: 2 });
    expect(fresh.conversations.map((c) => c.id)).toEqual(["cnv_4", "cnv_1"]);
  });

  it("refuses filters it cannot apply, saying which and why", async () => {
    const refusal = async (query: string) => {
      const { status, body } = await get(`/v1/conversations?${query}`);
      expect(status, query).toBe(400);
      return (body as { error: { code: string; message: string } }).error;
    };
    expect(await refusal("channel=telegram")).toMatchObject({
      code: "invalid-argument",
      message: expect.stringMatching(/^Invalid query parameter: channel: .*api/) as unknown,
    });
    expect((await refusal("from=yesterday")).message).toBe(
      "Invalid query parameter: from: must be an ISO date (2024-05-01) or date-time with an offset (2024-05-01T09:30:00Z)",
    );
    expect((await refusal("to=2025-02-30T10:00:00")).message).toMatch(
      /^Invalid query parameter: to: must be/,
    );
    expect((await refusal("from=2025-03-02&to=2025-03-02")).message).toBe(
      "Invalid query parameter: from (2025-03-02T00:00:00.000Z) must be before to (2025-03-02T00:00:00.000Z)",
    );
    expect((await refusal("cursor=not-a-cursor")).message).toBe(
      "Invalid query parameter: cursor: must be the nextCursor of a previous page",
    );
    const forged = Buffer.from(JSON.stringify({ updatedAt: "x", seen: ["../etc"] })).toString("base64url");
    expect((await refusal(`cursor=${forged}`)).message).toMatch(/cursor: must be the nextCursor/);
    expect((await refusal("limit=0")).message).toBe(
      "Invalid query parameter: limit: must be a whole number from 1 to 200",
    );
    expect((await refusal("limit=ten")).message).toMatch(/limit: must be a whole number/);
    expect((await refusal("agentId=../x")).message).toMatch(/agentId/);
    expect((await refusal("agent=agt_hr")).message).toMatch(/agent/);
  });

  it("asks Firestore only for queries firestore.indexes.json has an index for", () => {
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
    const { indexes } = JSON.parse(
      fs.readFileSync(path.join(repoRoot, "firestore.indexes.json"), "utf8"),
    ) as {
      indexes: {
        collectionGroup: string;
        queryScope: string;
        fields: { fieldPath: string; order?: string }[];
      }[];
    };
    const cursor = Buffer.from(
      JSON.stringify({ updatedAt: "2025-03-01T00:00:00.000Z", seen: ["c"] }),
    ).toString("base64url");
    for (const agentId of [undefined, "agt_hr"]) {
      for (const channel of [undefined, ...agentChannels]) {
        for (const range of [{}, { from: "2025-03-01" }, { from: "2025-03-01", to: "2025-04-01", cursor }]) {
          const spec = conversationListQuery("acme", { agentId, channel, ...range });
          const where = spec.where ?? [];
          const equalities = where.filter((f) => f.op === "==").map((f) => f.field);
          const ranges = new Set(where.filter((f) => f.op !== "==").map((f) => f.field));
          // Firestore: every range filter is on the first (here, only) order field.
          expect(spec.orderBy).toEqual([{ field: "updatedAt", direction: "desc" }]);
          expect([...ranges].every((f) => f === "updatedAt")).toBe(true);
          // Equalities plus a descending order need a composite index (a single field is indexed by default).
          if (equalities.length === 0) continue;
          const wanted = [...equalities.sort().map((f) => `${f}:ASCENDING`), "updatedAt:DESCENDING"];
          const covered = indexes.some(
            (index) =>
              index.collectionGroup === "conversations" &&
              index.queryScope === "COLLECTION" &&
              JSON.stringify([
                ...index.fields
                  .slice(0, -1)
                  .map((f) => `${f.fieldPath}:${f.order}`)
                  .sort(),
                index.fields.at(-1) && `${index.fields.at(-1)?.fieldPath}:${index.fields.at(-1)?.order}`,
              ]) === JSON.stringify(wanted),
          );
          expect(covered, `index for ${wanted.join(", ")}`).toBe(true);
        }
      }
    }
  });

  it("streams the filtered first page again when a conversation of that agent starts", async () => {
    const agent = await platform.fetch("/v1/agents", {
      method: "POST",
      json: { name: "Live desk", instructions: "Answer briefly." },
    });
    const { id: agentId } = (await agent.json()) as { id: string };
    expect((await platform.fetch(`/v1/agents/${agentId}/publish`, { method: "POST", json: {} })).status).toBe(
      200,
    );

    const controller = new AbortController();
    const res = await platform.fetch(`/v1/conversations?agentId=${agentId}&channel=api`, {
      headers: { accept: "text/event-stream" },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const next = snapshotsOf(res);
    expect(await next()).toEqual({ conversations: [], nextCursor: null });

    const started = await platform.fetch(`/v1/agents/${agentId}/conversations`, {
      method: "POST",
      json: { endUserRef: "customer-7" },
    });
    const { id } = (await started.json()) as { id: string };
    const update = (await next()) as Page;
    expect(update.conversations).toMatchObject([
      { id, agentId, channel: "api", endUserRef: "customer-7", messageCount: 0, agentVersion: "published" },
    ]);
    controller.abort();
  });
});

/** The `snapshot` events of a live listing, one at a time (pings skipped). */
function snapshotsOf(res: Response): () => Promise<unknown> {
  if (!res.body) throw new Error("no body");
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return async function next(): Promise<unknown> {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end !== -1) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (/^event: snapshot$/m.test(frame))
          return JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "") as unknown;
        continue;
      }
      const { done, value } = await reader.read();
      if (done) throw new Error("the stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
}
