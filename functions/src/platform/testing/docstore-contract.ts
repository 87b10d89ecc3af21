/**
 * The DocStore contract: one suite every DocStore adapter runs, so Firestore (firebase-admin) and the local
 * store keep Firestore's semantics alike. Each test writes under its own collection names, so a shared
 * emulator needs no reset between runs. An adapter (or a test server) that lacks a feature skips that
 * feature's tests by name, with the reason shown in the test title.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError, type ErrorCode } from "../errors.js";
import {
  FieldOps,
  VectorValue,
  vector,
  type DocChange,
  type DocData,
  type DocSnapshot,
  type DocStore,
  type QuerySpec,
} from "../ports.js";

/** Groups of behaviour an adapter (or the server it talks to) may not support. */
export type DocStoreFeature =
  /** Filters and orderBy on dotted paths into nested maps (`meta.lang`). */
  | "nestedFieldQueries"
  /** Writes that remove fields: `set` replacing a whole document, `FieldOps.delete()`. */
  | "fieldRemoval"
  /** `FieldOps.arrayUnion` / `FieldOps.arrayRemove`. */
  | "arrayTransforms"
  /** The `!=` and `not-in` operators. */
  | "notIn"
  /** Results without orderBy come in document-id order; orderBy leaves out documents lacking the field. */
  | "implicitOrder"
  /** `startAfter` cursors. */
  | "cursors"
  /** Collection-group queries. */
  | "collectionGroup"
  /** `count`. */
  | "count"
  /** `findNearest` vector search. */
  | "findNearest"
  /** Conflicting concurrent transactions: the loser is retried. */
  | "transactionRetry"
  /** A batch or transaction whose last write fails leaves its earlier writes unapplied. */
  | "atomicCommits"
  /** `deleteRecursive`. */
  | "deleteRecursive"
  /** `subscribe` on documents and queries. */
  | "subscribe";

export interface DocStoreContractOptions {
  /** Features this adapter cannot prove here, each with the reason shown in the skipped test's name. */
  readonly skip?: Partial<Record<DocStoreFeature, string>>;
}

export interface OpenedDocStore {
  readonly store: DocStore;
  readonly close: () => Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Retries an assertion until it passes or the time is up (for change feeds that arrive asynchronously). */
async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await sleep(20);
    }
  }
}

/** Asserts that an action fails with an `AppError` of `code`, whether it throws or rejects. */
export async function expectAppError(action: () => unknown, code: ErrorCode): Promise<void> {
  let caught: unknown = undefined;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected an AppError "${code}"`).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
}

const ids = (docs: readonly (DocSnapshot<unknown> | null)[]): (string | null)[] =>
  docs.map((doc) => doc?.id ?? null);
const sortedIds = (docs: readonly DocSnapshot<unknown>[]): string[] => docs.map((doc) => doc.id).sort();
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Lazily computed once: fixtures are seeded by the first test that needs them, never by a skipped one. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/** A knowledge base's documents, inserted out of id order; `d6` lacks most fields on purpose. */
const library: readonly (DocData & { id: string })[] = [
  { id: "d4", name: "FAQ.md", status: "processing", size: 15, tags: [], meta: { pages: 1, lang: "en" } },
  {
    id: "d1",
    name: "Refund policy.pdf",
    status: "ready",
    size: 120,
    tags: ["policy", "billing"],
    meta: { pages: 4, lang: "en" },
  },
  { id: "d6", name: "notes.txt", status: "uploaded" },
  {
    id: "d2",
    name: "Onboarding guide.docx",
    status: "ready",
    size: 80,
    tags: ["guide"],
    meta: { pages: 12, lang: "en" },
  },
  {
    id: "d5",
    name: "Security whitepaper.pdf",
    status: "ready",
    size: 450,
    tags: ["security", "policy"],
    meta: { pages: 30, lang: "de" },
  },
  {
    id: "d3",
    name: "Tarifs 2026.pdf",
    status: "failed",
    size: 300,
    tags: ["billing"],
    meta: { pages: 2, lang: "fr" },
  },
];

/**
 * Chunks with 2-d embeddings, chosen so each distance measure ranks them differently for the query [1, 0]:
 * cosine a, d, b, c, e · euclidean a, b, c, e, d · dot product d, a, b, c, e.
 */
const chunks: readonly { id: string; topic: string; embedding?: readonly number[]; plain?: number[] }[] = [
  { id: "a", topic: "refunds", embedding: [1, 0] },
  { id: "b", topic: "refunds", embedding: [0.6, 0.8] },
  { id: "c", topic: "shipping", embedding: [0, 1] },
  { id: "d", topic: "shipping", embedding: [2, 2] },
  { id: "e", topic: "refunds", embedding: [-1, 0] },
  // Neither is a vector: one has no embedding, the other a plain array of numbers.
  { id: "f", topic: "refunds" },
  { id: "g", topic: "refunds", plain: [1, 0] },
];

// ---------------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------------

export function describeDocStoreContract(
  name: string,
  open: () => Promise<OpenedDocStore>,
  options: DocStoreContractOptions = {},
): void {
  describe(`DocStore contract: ${name}`, () => {
    let opened: OpenedDocStore | undefined;
    const store = (): DocStore => {
      if (opened === undefined) throw new Error("the store is not open");
      return opened.store;
    };

    const run = randomBytes(4).toString("hex");
    let sequence = 0;
    /** A collection id no other test (or earlier run against the same emulator) uses. */
    const unique = (label: string): string => `${label}_${run}_${++sequence}`;

    /** `it`, or `it.skip` with the reason in the name when the adapter lacks `feature`. */
    const test = (feature: DocStoreFeature | null, title: string, body: () => Promise<void>): void => {
      const reason = feature === null ? undefined : options.skip?.[feature];
      if (reason === undefined) it(title, body);
      else it.skip(`${title} [${feature} skipped: ${reason}]`, body);
    };

    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened?.close();
    });

    describe("documents", () => {
      test(null, "get returns null for a missing document", async () => {
        expect(await store().get(`${unique("agents")}/missing`)).toBeNull();
      });

      test(null, "create stores the data; get returns it with id, path and ISO times", async () => {
        const path = `${unique("agents")}/support-bot`;
        await store().create(path, { name: "Support bot", model: "gpt-4o-mini", temperature: 0.2 });
        const doc = await store().get(path);
        expect(doc).not.toBeNull();
        expect(doc?.path).toBe(path);
        expect(doc?.id).toBe("support-bot");
        expect(doc?.data).toEqual({ name: "Support bot", model: "gpt-4o-mini", temperature: 0.2 });
        expect(doc?.createTime).toMatch(isoTime);
        expect(doc?.updateTime).toMatch(isoTime);
        expect(doc!.createTime <= doc!.updateTime).toBe(true);
      });

      test(
        null,
        "create fails with already-exists when the document exists and leaves it unchanged",
        async () => {
          const path = `${unique("agents")}/a1`;
          await store().create(path, { name: "first" });
          await expectAppError(() => store().create(path, { name: "second" }), "already-exists");
          expect((await store().get(path))?.data).toEqual({ name: "first" });
        },
      );

      test("fieldRemoval", "set creates a document, and replaces all of it when it exists", async () => {
        const path = `${unique("agents")}/a1`;
        await store().set(path, { name: "Draft", instructions: "Be brief", tools: ["search"] });
        await store().set(path, { name: "Renamed" });
        expect((await store().get(path))?.data).toEqual({ name: "Renamed" });
      });

      test(null, "set with merge merges nested maps deeply and keeps untouched fields", async () => {
        const path = `${unique("agents")}/a1`;
        await store().set(path, {
          name: "Bot",
          config: { model: "m1", limits: { tokens: 100, turns: 5 } },
          tags: ["a"],
        });
        await store().set(
          path,
          { config: { limits: { turns: 8 }, temperature: 0.5 }, tags: ["b"] },
          { merge: true },
        );
        expect((await store().get(path))?.data).toEqual({
          name: "Bot",
          config: { model: "m1", limits: { tokens: 100, turns: 8 }, temperature: 0.5 },
          tags: ["b"],
        });
      });

      test(null, "set with merge creates a missing document", async () => {
        const path = `${unique("agents")}/a1`;
        await store().set(path, { name: "New", config: { model: "m1" } }, { merge: true });
        expect((await store().get(path))?.data).toEqual({ name: "New", config: { model: "m1" } });
      });

      test(null, "getAll returns snapshots in the order asked, with null for missing documents", async () => {
        const col = unique("agents");
        await store().set(`${col}/a`, { n: 1 });
        await store().set(`${col}/c`, { n: 3 });
        const docs = await store().getAll([`${col}/c`, `${col}/missing`, `${col}/a`]);
        expect(ids(docs)).toEqual(["c", null, "a"]);
        expect(docs[0]?.data).toEqual({ n: 3 });
        expect(await store().getAll([])).toEqual([]);
      });

      test(null, "update patches top-level keys and keeps the others", async () => {
        const path = `${unique("agents")}/a1`;
        await store().create(path, { name: "Bot", status: "draft", version: 1 });
        await store().update(path, { status: "published", publishedVersion: 1 });
        expect((await store().get(path))?.data).toEqual({
          name: "Bot",
          status: "published",
          version: 1,
          publishedVersion: 1,
        });
      });

      test(
        null,
        "update with a dotted path patches inside a map; a map value replaces the whole map",
        async () => {
          const path = `${unique("agents")}/a1`;
          await store().create(path, {
            config: { model: "m1", temperature: 0.1 },
            limits: { tokens: 100, turns: 5 },
          });
          await store().update(path, {
            "config.temperature": 0.7,
            "config.retrieval.topK": 8,
            limits: { tokens: 50 },
          });
          expect((await store().get(path))?.data).toEqual({
            config: { model: "m1", temperature: 0.7, retrieval: { topK: 8 } },
            limits: { tokens: 50 },
          });
        },
      );

      test(null, "update of a missing document fails with not-found and creates nothing", async () => {
        const path = `${unique("agents")}/ghost`;
        await expectAppError(() => store().update(path, { status: "published" }), "not-found");
        expect(await store().get(path)).toBeNull();
      });

      test(null, "update keeps createTime and does not move updateTime backwards", async () => {
        const path = `${unique("agents")}/a1`;
        await store().create(path, { version: 1 });
        const before = await store().get(path);
        await sleep(5);
        await store().update(path, { version: 2 });
        const after = await store().get(path);
        expect(after?.createTime).toBe(before?.createTime);
        expect(after!.updateTime >= before!.updateTime).toBe(true);
        expect(after?.data).toEqual({ version: 2 });
      });

      test(null, "increment adds to a number and starts a missing field from zero", async () => {
        const path = `${unique("usage")}/t1`;
        await store().create(path, { credits: 10, name: "tenant" });
        await store().update(path, { credits: FieldOps.increment(-3), requests: FieldOps.increment(1) });
        await store().set(
          path,
          { requests: FieldOps.increment(2), tokens: FieldOps.increment(1.5) },
          { merge: true },
        );
        expect((await store().get(path))?.data).toEqual({
          credits: 7,
          requests: 3,
          tokens: 1.5,
          name: "tenant",
        });
      });

      test(
        "fieldRemoval",
        "FieldOps.delete removes a field in update (also by dotted path) and in merge",
        async () => {
          const path = `${unique("agents")}/a1`;
          await store().create(path, {
            name: "Bot",
            draft: "x",
            config: { model: "m1", legacy: true },
            extra: 1,
          });
          await store().update(path, { draft: FieldOps.delete(), "config.legacy": FieldOps.delete() });
          await store().set(path, { extra: FieldOps.delete() }, { merge: true });
          expect((await store().get(path))?.data).toEqual({ name: "Bot", config: { model: "m1" } });
        },
      );

      test(
        "arrayTransforms",
        "arrayUnion adds only missing elements; arrayRemove removes every instance",
        async () => {
          const path = `${unique("agents")}/a1`;
          await store().create(path, { tools: ["search", "calc"], channels: ["web", "api", "web"] });
          await store().update(path, { tools: FieldOps.arrayUnion("calc", "mcp") });
          await store().update(path, { channels: FieldOps.arrayRemove("web") });
          await store().update(path, { labels: FieldOps.arrayUnion("beta") });
          expect((await store().get(path))?.data).toEqual({
            tools: ["search", "calc", "mcp"],
            channels: ["api"],
            labels: ["beta"],
          });
        },
      );

      test(null, "delete removes a document; deleting a missing one is not an error", async () => {
        const path = `${unique("agents")}/a1`;
        await store().create(path, { name: "Bot" });
        await store().delete(path);
        expect(await store().get(path)).toBeNull();
        await store().delete(path);
        await store().delete(`${unique("agents")}/never-existed`);
      });

      test(null, "delete leaves the document's sub-collections in place", async () => {
        const agent = `${unique("agents")}/a1`;
        await store().create(agent, { name: "Bot" });
        await store().create(`${agent}/versions/1`, { n: 1 });
        await store().delete(agent);
        expect(await store().get(agent)).toBeNull();
        expect((await store().get(`${agent}/versions/1`))?.data).toEqual({ n: 1 });
      });

      test(
        "deleteRecursive",
        "deleteRecursive removes a document and everything below it, not its siblings",
        async () => {
          const col = unique("agents");
          await store().create(`${col}/a1`, { name: "Bot" });
          await store().create(`${col}/a1/versions/1`, { n: 1 });
          await store().create(`${col}/a1/versions/1/notes/x`, { text: "deep" });
          await store().create(`${col}/a2`, { name: "Sibling" });
          await store().create(`${col}/a2/versions/1`, { n: 1 });
          await store().deleteRecursive(`${col}/a1`);
          expect(
            await store().getAll([`${col}/a1`, `${col}/a1/versions/1`, `${col}/a1/versions/1/notes/x`]),
          ).toEqual([null, null, null]);
          expect(ids(await store().getAll([`${col}/a2`, `${col}/a2/versions/1`]))).toEqual(["a2", "1"]);
        },
      );

      test(
        null,
        "strings, numbers, booleans, null, arrays and nested maps round trip unchanged",
        async () => {
          const path = `${unique("traces")}/t1`;
          const data = {
            question: "Où est ma carte ? 💳 — naïve café",
            tokens: 1234,
            confidence: 0.875,
            delta: -7,
            large: 2 ** 40,
            abstained: false,
            reviewedBy: null,
            steps: ["retrieve", 2, true, null, { tool: "search", args: { q: "refund" } }],
            usage: { input: { tokens: 10, cached: 0 }, output: { tokens: 20 } },
            emptyMap: {},
            emptyList: [],
          };
          await store().set(path, data);
          expect((await store().get(path))?.data).toEqual(data);
        },
      );

      test(null, "a VectorValue round trips as a VectorValue, also inside a map", async () => {
        const path = `${unique("chunks")}/c1`;
        await store().set(path, {
          text: "Refunds take 5 days",
          embedding: vector([0.25, -0.5, 1]),
          meta: { alt: vector([3, 4]) },
        });
        const data = (await store().get(path))?.data as { embedding: unknown; meta: { alt: unknown } };
        expect(data.embedding).toBeInstanceOf(VectorValue);
        expect((data.embedding as VectorValue).toArray()).toEqual([0.25, -0.5, 1]);
        expect(data.meta.alt).toBeInstanceOf(VectorValue);
        expect((data.meta.alt as VectorValue).toArray()).toEqual([3, 4]);
      });
    });

    describe("paths", () => {
      test(
        null,
        "document paths with an odd number of segments are rejected with invalid-argument",
        async () => {
          await expectAppError(() => store().get("tenants"), "invalid-argument");
          await expectAppError(() => store().set("tenants/t1/agents", { x: 1 }), "invalid-argument");
          await expectAppError(() => store().create("tenants/t1/agents", { x: 1 }), "invalid-argument");
          await expectAppError(() => store().getAll(["tenants/t1", "tenants"]), "invalid-argument");
        },
      );

      test(null, "'..' and '.' segments are rejected with invalid-argument", async () => {
        await expectAppError(() => store().get("tenants/.."), "invalid-argument");
        await expectAppError(() => store().set("tenants/t1/../t2", { x: 1 }), "invalid-argument");
        await expectAppError(() => store().update("tenants/.", { x: 1 }), "invalid-argument");
        await expectAppError(() => store().delete("tenants/t1/agents/.."), "invalid-argument");
      });

      test(
        null,
        "empty segments and leading or trailing slashes are rejected with invalid-argument",
        async () => {
          await expectAppError(() => store().get("tenants//agents/a1"), "invalid-argument");
          await expectAppError(() => store().set("/tenants/t1", { x: 1 }), "invalid-argument");
          await expectAppError(() => store().get("tenants/t1/"), "invalid-argument");
          await expectAppError(() => store().get(""), "invalid-argument");
        },
      );

      test(
        null,
        "a query needs a collection path and exactly one of collection or collectionGroup",
        async () => {
          await expectAppError(() => store().query({ collection: "tenants/t1" }), "invalid-argument");
          await expectAppError(() => store().query({ collection: "tenants/../x" }), "invalid-argument");
          await expectAppError(() => store().query({ collectionGroup: "agents/a1" }), "invalid-argument");
          await expectAppError(() => store().query({}), "invalid-argument");
          await expectAppError(
            () => store().query({ collection: "tenants", collectionGroup: "tenants" }),
            "invalid-argument",
          );
        },
      );
    });

    describe("queries", () => {
      const libraryCollection = once(async () => {
        const col = unique("documents");
        for (const { id, ...data } of library) await store().set(`${col}/${id}`, data);
        return col;
      });
      const find = async (spec: Omit<QuerySpec, "collection">) =>
        store().query({ ...spec, collection: await libraryCollection() });

      test(null, "== matches equal values", async () => {
        expect(sortedIds(await find({ where: [{ field: "status", op: "==", value: "ready" }] }))).toEqual([
          "d1",
          "d2",
          "d5",
        ]);
      });

      test(null, "<, <=, > and >= compare numbers", async () => {
        const size = (op: "<" | "<=" | ">" | ">=", value: number) =>
          find({ where: [{ field: "size", op, value }] });
        expect(sortedIds(await size("<", 120))).toEqual(["d2", "d4"]);
        expect(sortedIds(await size("<=", 120))).toEqual(["d1", "d2", "d4"]);
        expect(sortedIds(await size(">", 300))).toEqual(["d5"]);
        expect(sortedIds(await size(">=", 300))).toEqual(["d3", "d5"]);
      });

      test(null, "< and >= compare strings", async () => {
        expect(sortedIds(await find({ where: [{ field: "name", op: "<", value: "O" }] }))).toEqual(["d4"]);
        expect(sortedIds(await find({ where: [{ field: "name", op: ">=", value: "T" }] }))).toEqual([
          "d3",
          "d6",
        ]);
      });

      test("notIn", "!= and not-in leave out documents that lack the field", async () => {
        expect(sortedIds(await find({ where: [{ field: "size", op: "!=", value: 80 }] }))).toEqual([
          "d1",
          "d3",
          "d4",
          "d5",
        ]);
        expect(sortedIds(await find({ where: [{ field: "size", op: "not-in", value: [80, 120] }] }))).toEqual(
          ["d3", "d4", "d5"],
        );
        expect(sortedIds(await find({ where: [{ field: "status", op: "!=", value: "ready" }] }))).toEqual([
          "d3",
          "d4",
          "d6",
        ]);
      });

      test(null, "in matches any of the values", async () => {
        const docs = await find({ where: [{ field: "status", op: "in", value: ["failed", "processing"] }] });
        expect(sortedIds(docs)).toEqual(["d3", "d4"]);
      });

      test(null, "array-contains matches documents whose array holds the value", async () => {
        expect(
          sortedIds(await find({ where: [{ field: "tags", op: "array-contains", value: "billing" }] })),
        ).toEqual(["d1", "d3"]);
      });

      test(null, "array-contains-any matches documents whose array holds any of the values", async () => {
        const docs = await find({
          where: [{ field: "tags", op: "array-contains-any", value: ["security", "guide"] }],
        });
        expect(sortedIds(docs)).toEqual(["d2", "d5"]);
      });

      test(null, "several filters combine with AND", async () => {
        const docs = await find({
          where: [
            { field: "status", op: "==", value: "ready" },
            { field: "size", op: ">", value: 100 },
          ],
        });
        expect(sortedIds(docs)).toEqual(["d1", "d5"]);
      });

      test("nestedFieldQueries", "filters and orderBy address nested fields with dotted paths", async () => {
        expect(sortedIds(await find({ where: [{ field: "meta.lang", op: "==", value: "en" }] }))).toEqual([
          "d1",
          "d2",
          "d4",
        ]);
        expect(ids(await find({ orderBy: [{ field: "meta.pages", direction: "desc" }] }))).toEqual([
          "d5",
          "d2",
          "d1",
          "d3",
          "d4",
        ]);
      });

      test(null, "orderBy sorts on several fields, each ascending or descending", async () => {
        const docs = await find({
          orderBy: [
            { field: "status", direction: "desc" },
            { field: "name", direction: "asc" },
          ],
        });
        expect(ids(docs)).toEqual(["d6", "d2", "d1", "d5", "d4", "d3"]);
        expect(ids(await find({ orderBy: [{ field: "name" }] }))).toEqual([
          "d4",
          "d2",
          "d1",
          "d5",
          "d3",
          "d6",
        ]);
      });

      test(null, "orderBy combines with an equality filter", async () => {
        const docs = await find({
          where: [{ field: "status", op: "==", value: "ready" }],
          orderBy: [{ field: "size", direction: "desc" }],
        });
        expect(ids(docs)).toEqual(["d5", "d1", "d2"]);
      });

      test("implicitOrder", "orderBy leaves out documents that lack the field", async () => {
        expect(ids(await find({ orderBy: [{ field: "size" }] }))).toEqual(["d4", "d2", "d1", "d3", "d5"]);
      });

      test("implicitOrder", "without orderBy, results come in document id order", async () => {
        expect(ids(await find({}))).toEqual(["d1", "d2", "d3", "d4", "d5", "d6"]);
      });

      test(null, "limit keeps the first results after ordering", async () => {
        expect(ids(await find({ orderBy: [{ field: "name", direction: "desc" }], limit: 2 }))).toEqual([
          "d6",
          "d3",
        ]);
      });

      test(null, "a query on a collection nobody wrote to returns nothing", async () => {
        expect(await store().query({ collection: unique("empty") })).toEqual([]);
      });

      test(
        null,
        "a collection query sees only that collection, not same-named ones under other parents",
        async () => {
          const root = unique("tenants");
          await store().set(`${root}/t1/agents/a1`, { name: "one" });
          await store().set(`${root}/t2/agents/a2`, { name: "two" });
          await store().set(`${root}/t1/agents/a1/agents/nested`, { name: "nested" });
          expect(ids(await store().query({ collection: `${root}/t1/agents` }))).toEqual(["a1"]);
        },
      );

      test("cursors", "startAfter pages through a whole ordered collection exactly once", async () => {
        const pages: string[][] = [];
        let last: DocSnapshot | undefined;
        for (let guard = 0; guard < 10; guard++) {
          const page = await find({
            orderBy: [{ field: "size" }],
            limit: 2,
            ...(last ? { startAfter: last } : {}),
          });
          if (page.length === 0) break;
          pages.push(page.map((doc) => doc.id));
          last = page[page.length - 1];
        }
        expect(pages).toEqual([["d4", "d2"], ["d1", "d3"], ["d5"]]);
      });

      test(
        "cursors",
        "startAfter pages in document id order without orderBy, and after a descending order",
        async () => {
          const first = await find({ limit: 4 });
          expect(ids(await find({ limit: 4, startAfter: first[3]! }))).toEqual(["d5", "d6"]);
          const top = await find({ orderBy: [{ field: "name", direction: "desc" }], limit: 3 });
          expect(ids(top)).toEqual(["d6", "d3", "d5"]);
          expect(
            ids(await find({ orderBy: [{ field: "name", direction: "desc" }], startAfter: top[2]! })),
          ).toEqual(["d1", "d2", "d4"]);
        },
      );
    });

    describe("collection groups", () => {
      test(
        "collectionGroup",
        "a collection-group query finds that collection id under every parent",
        async () => {
          const group = unique("chunks");
          const root = unique("tenants");
          await store().set(`${root}/t1/${group}/c1`, { status: "ready" });
          await store().set(`${root}/t2/kbs/k1/${group}/c2`, { status: "ready" });
          await store().set(`${group}/c3`, { status: "ready" });
          await store().set(`${root}/t1/${group}/c4`, { status: "failed" });
          await store().set(`${root}/t1/${group}_other/c5`, { status: "ready" });
          const all = await store().query({ collectionGroup: group });
          expect(sortedIds(all)).toEqual(["c1", "c2", "c3", "c4"]);
          const ready = await store().query({
            collectionGroup: group,
            where: [{ field: "status", op: "==", value: "ready" }],
          });
          expect(ready.map((doc) => doc.path).sort()).toEqual(
            [`${root}/t1/${group}/c1`, `${root}/t2/kbs/k1/${group}/c2`, `${group}/c3`].sort(),
          );
        },
      );
    });

    describe("count", () => {
      test("count", "count counts the documents matching the filters", async () => {
        const col = unique("messages");
        for (const [id, role] of [
          ["m1", "user"],
          ["m2", "assistant"],
          ["m3", "user"],
        ] as const) {
          await store().set(`${col}/${id}`, { role });
        }
        expect(await store().count({ collection: col })).toBe(3);
        expect(
          await store().count({ collection: col, where: [{ field: "role", op: "==", value: "user" }] }),
        ).toBe(2);
        expect(await store().count({ collection: unique("empty") })).toBe(0);
      });
    });

    describe("findNearest", () => {
      const chunkCollection = once(async () => {
        const col = unique("chunks");
        for (const { id, embedding, plain, topic } of chunks) {
          const data: DocData = { topic, text: `chunk ${id}` };
          if (embedding) data.embedding = vector(embedding);
          if (plain) data.embedding = plain;
          await store().set(`${col}/${id}`, data);
        }
        return col;
      });
      const nearest = async (
        distanceMeasure: "COSINE" | "EUCLIDEAN" | "DOT_PRODUCT",
        limit: number,
        topic?: string,
      ) =>
        store().findNearest({
          collection: await chunkCollection(),
          vectorField: "embedding",
          queryVector: [1, 0],
          distanceMeasure,
          limit,
          ...(topic ? { where: [{ field: "topic", op: "==" as const, value: topic }] } : {}),
        });
      const distances = (hits: readonly { distance: number }[]) => hits.map((hit) => hit.distance);

      test(
        "findNearest",
        "COSINE ranks by cosine distance (1 - cosine similarity), nearest first",
        async () => {
          const hits = await nearest("COSINE", 5);
          expect(ids(hits)).toEqual(["a", "d", "b", "c", "e"]);
          const expected = [0, 1 - Math.SQRT1_2, 0.4, 1, 2];
          distances(hits).forEach((distance, i) => expect(distance).toBeCloseTo(expected[i]!, 6));
        },
      );

      test("findNearest", "EUCLIDEAN ranks by euclidean distance, nearest first", async () => {
        const hits = await nearest("EUCLIDEAN", 5);
        expect(ids(hits)).toEqual(["a", "b", "c", "e", "d"]);
        const expected = [0, Math.sqrt(0.8), Math.SQRT2, 2, Math.sqrt(5)];
        distances(hits).forEach((distance, i) => expect(distance).toBeCloseTo(expected[i]!, 6));
      });

      test("findNearest", "DOT_PRODUCT ranks by dot product, largest first", async () => {
        const hits = await nearest("DOT_PRODUCT", 5);
        expect(ids(hits)).toEqual(["d", "a", "b", "c", "e"]);
        const expected = [2, 1, 0.6, 0, -1];
        distances(hits).forEach((distance, i) => expect(distance).toBeCloseTo(expected[i]!, 6));
      });

      test(
        "findNearest",
        "hits carry their document's data and snapshot fields, without the distance",
        async () => {
          const [hit] = await nearest("COSINE", 1);
          expect(hit?.id).toBe("a");
          expect(hit?.path).toBe(`${await chunkCollection()}/a`);
          expect(Object.keys(hit?.data ?? {}).sort()).toEqual(["embedding", "text", "topic"]);
          expect(hit?.data.embedding).toBeInstanceOf(VectorValue);
          expect(hit?.createTime).toMatch(isoTime);
        },
      );

      test(
        "findNearest",
        "limit caps the hits; documents without a vector in the field are left out",
        async () => {
          expect(ids(await nearest("EUCLIDEAN", 2))).toEqual(["a", "b"]);
          expect(sortedIds(await nearest("EUCLIDEAN", 100))).toEqual(["a", "b", "c", "d", "e"]);
        },
      );

      test("findNearest", "where pre-filters the candidates before ranking", async () => {
        expect(ids(await nearest("COSINE", 5, "shipping"))).toEqual(["d", "c"]);
        expect(ids(await nearest("DOT_PRODUCT", 2, "refunds"))).toEqual(["a", "b"]);
      });
    });

    describe("transactions", () => {
      test(null, "a transaction reads, then writes, and resolves with the function's result", async () => {
        const path = `${unique("tenants")}/t1`;
        await store().create(path, { credits: 100 });
        const remaining = await store().runTransaction(async (tx) => {
          const tenant = await tx.get<{ credits: number }>(path);
          const credits = (tenant?.data.credits ?? 0) - 30;
          tx.update(path, { credits });
          return credits;
        });
        expect(remaining).toBe(70);
        expect((await store().get(path))?.data).toEqual({ credits: 70 });
      });

      test(null, "a transaction sees a missing document as null and can create it", async () => {
        const col = unique("usageEvents");
        const created = await store().runTransaction(async (tx) => {
          if ((await tx.get(`${col}/e1`)) !== null) return false;
          tx.create(`${col}/e1`, { tokens: 12 }).set(`${col}/e1-total`, { tokens: 12 });
          return true;
        });
        expect(created).toBe(true);
        expect(ids(await store().getAll([`${col}/e1`, `${col}/e1-total`]))).toEqual(["e1", "e1-total"]);
      });

      test(null, "tx.query reads matching documents inside the transaction", async () => {
        const col = unique("members");
        await store().set(`${col}/u1`, { role: "owner" });
        await store().set(`${col}/u2`, { role: "viewer" });
        await store().set(`${col}/u3`, { role: "owner" });
        const owners = await store().runTransaction(async (tx) => {
          const docs = await tx.query({
            collection: col,
            where: [{ field: "role", op: "==", value: "owner" }],
          });
          tx.set(`${col}/summary`, { owners: docs.length });
          return sortedIds(docs);
        });
        expect(owners).toEqual(["u1", "u3"]);
        expect((await store().get(`${col}/summary`))?.data).toEqual({ owners: 2 });
      });

      test(
        null,
        "an exception inside the transaction reaches the caller and nothing is written",
        async () => {
          const col = unique("agents");
          await store().create(`${col}/a1`, { version: 1 });
          const failure = new Error("the published version changed");
          await expect(
            store().runTransaction(async (tx) => {
              await tx.get(`${col}/a1`);
              tx.update(`${col}/a1`, { version: 2 });
              tx.set(`${col}/a2`, { version: 1 });
              throw failure;
            }),
          ).rejects.toThrow("the published version changed");
          expect((await store().get(`${col}/a1`))?.data).toEqual({ version: 1 });
          expect(await store().get(`${col}/a2`)).toBeNull();
        },
      );

      test(
        "atomicCommits",
        "a transaction whose create meets an existing document fails with already-exists and writes nothing",
        async () => {
          const col = unique("usageEvents");
          await store().create(`${col}/e1`, { tokens: 1 });
          await expectAppError(
            () =>
              store().runTransaction(async (tx) => {
                tx.set(`${col}/total`, { tokens: 1 });
                tx.create(`${col}/e1`, { tokens: 2 });
              }),
            "already-exists",
          );
          expect((await store().get(`${col}/e1`))?.data).toEqual({ tokens: 1 });
          expect(await store().get(`${col}/total`)).toBeNull();
        },
      );

      test(null, "a transaction updating a missing document fails with not-found", async () => {
        const path = `${unique("agents")}/ghost`;
        await expectAppError(
          () =>
            store().runTransaction(async (tx) => {
              tx.update(path, { version: 2 });
            }),
          "not-found",
        );
        expect(await store().get(path)).toBeNull();
      });

      test(
        "transactionRetry",
        "two conflicting transactions both count: the one that loses is retried",
        async () => {
          const path = `${unique("counters")}/requests`;
          await store().create(path, { n: 0 });
          // Both read before either writes, so one commit must see its read invalidated and run again.
          let arrived = 0;
          let release: () => void = () => undefined;
          const bothRead = new Promise<void>((resolve) => (release = resolve));
          const attempts = [0, 0];
          const incrementAs = (who: 0 | 1) =>
            store().runTransaction(async (tx) => {
              attempts[who]!++;
              const counter = await tx.get<{ n: number }>(path);
              if (attempts[who] === 1) {
                if (++arrived === 2) release();
                // A store that runs transactions one at a time never lets both arrive: do not wait forever.
                await Promise.race([bothRead, sleep(1000)]);
              }
              tx.update(path, { n: (counter?.data.n ?? 0) + 1 });
            });
          await Promise.all([incrementAs(0), incrementAs(1)]);
          expect((await store().get(path))?.data).toEqual({ n: 2 });
        },
      );
    });

    describe("batches", () => {
      test(null, "a batch commits all its writes together", async () => {
        const col = unique("agents");
        await store().create(`${col}/keep`, { name: "keep", config: { a: 1 } });
        await store().create(`${col}/gone`, { name: "gone" });
        const batch = store().batch();
        batch
          .create(`${col}/new`, { name: "new" })
          .set(`${col}/keep`, { config: { b: 2 } }, { merge: true })
          .update(`${col}/keep`, { status: "published" })
          .delete(`${col}/gone`);
        await batch.commit();
        const [created, kept, gone] = await store().getAll([`${col}/new`, `${col}/keep`, `${col}/gone`]);
        expect(created?.data).toEqual({ name: "new" });
        expect(kept?.data).toEqual({ name: "keep", config: { a: 1, b: 2 }, status: "published" });
        expect(gone).toBeNull();
      });

      test(
        "atomicCommits",
        "a batch whose create meets an existing document fails and writes nothing",
        async () => {
          const col = unique("agents");
          await store().create(`${col}/existing`, { version: 1 });
          await store().create(`${col}/other`, { version: 1 });
          const batch = store().batch();
          batch
            .set(`${col}/fresh`, { version: 1 })
            .update(`${col}/other`, { version: 2 })
            .create(`${col}/existing`, { version: 9 });
          await expectAppError(() => batch.commit(), "already-exists");
          const [fresh, other, existing] = await store().getAll([
            `${col}/fresh`,
            `${col}/other`,
            `${col}/existing`,
          ]);
          expect(fresh).toBeNull();
          expect(other?.data).toEqual({ version: 1 });
          expect(existing?.data).toEqual({ version: 1 });
        },
      );

      test(
        null,
        "a batch of more than 500 writes is rejected with invalid-argument and writes nothing",
        async () => {
          const col = unique("chunks");
          const batch = store().batch();
          for (let i = 0; i < 501; i++) batch.set(`${col}/c${i}`, { i });
          await expectAppError(() => batch.commit(), "invalid-argument");
          expect(await store().get(`${col}/c0`)).toBeNull();
        },
      );
    });

    describe("subscribe", () => {
      /** Records deliveries as `type:id` strings, in order. */
      const recorder = () => {
        const calls: DocChange[][] = [];
        return {
          calls,
          onChanges: (changes: DocChange[]) => void calls.push(changes),
          seen: () => calls.flat().map((change) => `${change.type}:${change.doc.id}`),
        };
      };

      test(
        "subscribe",
        "a document subscription delivers the current state as added, then modified and removed",
        async () => {
          const path = `${unique("agents")}/a1`;
          await store().create(path, { status: "draft" });
          const feed = recorder();
          const unsubscribe = store().subscribe({ doc: path }, feed.onChanges);
          try {
            await eventually(() => expect(feed.seen()).toEqual(["added:a1"]));
            expect(feed.calls[0]?.[0]?.doc.data).toEqual({ status: "draft" });
            expect(feed.calls[0]?.[0]?.doc.path).toBe(path);
            await store().update(path, { status: "published" });
            await eventually(() => expect(feed.seen()).toEqual(["added:a1", "modified:a1"]));
            expect(feed.calls.flat()[1]?.doc.data).toEqual({ status: "published" });
            await store().delete(path);
            await eventually(() => expect(feed.seen()).toEqual(["added:a1", "modified:a1", "removed:a1"]));
          } finally {
            unsubscribe();
          }
        },
      );

      test("subscribe", "a document subscription reports a document created later as added", async () => {
        const path = `${unique("agents")}/later`;
        const feed = recorder();
        const unsubscribe = store().subscribe({ doc: path }, feed.onChanges);
        try {
          await sleep(200);
          await store().create(path, { status: "draft" });
          await eventually(() => expect(feed.seen()).toEqual(["added:later"]));
        } finally {
          unsubscribe();
        }
      });

      test(
        "subscribe",
        "a query subscription delivers matches as added, then modified, and removed when they stop matching",
        async () => {
          const col = unique("conversations");
          await store().set(`${col}/c1`, { status: "open", title: "Refund" });
          await store().set(`${col}/c2`, { status: "closed", title: "Invoice" });
          const feed = recorder();
          const spec: QuerySpec = { collection: col, where: [{ field: "status", op: "==", value: "open" }] };
          const unsubscribe = store().subscribe(spec, feed.onChanges);
          try {
            await eventually(() => expect(feed.seen()).toEqual(["added:c1"]));
            await store().set(`${col}/c3`, { status: "open", title: "Login" });
            await eventually(() => expect(feed.seen()).toEqual(["added:c1", "added:c3"]));
            await store().update(`${col}/c1`, { title: "Refund (escalated)" });
            await eventually(() => expect(feed.seen()).toEqual(["added:c1", "added:c3", "modified:c1"]));
            expect(feed.calls.flat()[2]?.doc.data).toEqual({ status: "open", title: "Refund (escalated)" });
            await store().update(`${col}/c3`, { status: "closed" });
            await eventually(() =>
              expect(feed.seen()).toEqual(["added:c1", "added:c3", "modified:c1", "removed:c3"]),
            );
            await store().update(`${col}/c2`, { title: "Invoice 2" });
            await sleep(200);
            expect(feed.seen()).toHaveLength(4);
          } finally {
            unsubscribe();
          }
        },
      );

      test("subscribe", "after unsubscribe no more changes are delivered", async () => {
        const col = unique("conversations");
        await store().set(`${col}/c1`, { status: "open" });
        const docFeed = recorder();
        const queryFeed = recorder();
        const stopDoc = store().subscribe({ doc: `${col}/c1` }, docFeed.onChanges);
        const stopQuery = store().subscribe({ collection: col }, queryFeed.onChanges);
        await eventually(() => {
          expect(docFeed.seen()).toEqual(["added:c1"]);
          expect(queryFeed.seen()).toEqual(["added:c1"]);
        });
        stopDoc();
        stopQuery();
        await store().update(`${col}/c1`, { status: "closed" });
        await store().set(`${col}/c2`, { status: "open" });
        await sleep(300);
        expect(docFeed.seen()).toEqual(["added:c1"]);
        expect(queryFeed.seen()).toEqual(["added:c1"]);
      });
    });
  });
}
