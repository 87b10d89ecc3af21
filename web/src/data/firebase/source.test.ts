/**
 * Firebase mode's source over an in-memory Firestore (testing/fakeFirestore.ts) and a fake Storage: what the
 * studio reads, from which paths, how listeners deliver changes, and what a refusal does. The real Firestore
 * and Storage SDKs are not run here (their emulators need Java 21, which this machine does not have): sdk.ts,
 * the thin layer between these ports and the SDK, is exercised only against the Auth emulator.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant, hrVersions, itHelpdesk } from "../../test/fixtures";
import { jsonResponse, stubPlatform } from "../../test/platformFetch";
import { annSession, signInAs } from "../../test/session";
import { stubXhr } from "../../test/xhr";
import type { Watch } from "../live";
import { PlatformRequestError } from "../platform";
import { currentSessionState } from "../session";
import type { StorageUploader } from "./ports";
import { createFirebaseSource, decodeListCursor, encodeListCursor } from "./source";
import { fakeFirestore, firestoreError, type FakeFirestore } from "./testing/fakeFirestore";

let firestore: FakeFirestore;
let uploads: { path: string; contentType: string; size: number }[];
let storage: StorageUploader;

beforeEach(() => {
  firestore = fakeFirestore();
  uploads = [];
  storage = {
    async upload(path, file, contentType, onProgress) {
      uploads.push({ path, contentType, size: file.size });
      onProgress(Math.floor(file.size / 2), file.size);
      await Promise.resolve();
      onProgress(file.size, file.size);
    },
  };
  signInAs(annSession());
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const source = () => createFirebaseSource({ firestore: firestore.reader, storage });
const signal = () => new AbortController().signal;

/** Stores a REST body as the backend stores it: the id is the document's name. */
function store(collection: string, body: { id: string } & Record<string, unknown>) {
  const { id, ...data } = body;
  firestore.set(`${collection}/${id}`, data);
}

function watching<T>(watch: Watch<T>) {
  const values: T[] = [];
  const errors: PlatformRequestError[] = [];
  const stop = watch({ next: (value) => values.push(value), error: (error) => errors.push(error) });
  return { values, errors, stop };
}

describe("agents", () => {
  it("lists the workspace's agents from its own tenant path, as the REST API would", async () => {
    store("tenants/acme/agents", hrAssistant);
    store("tenants/acme/agents", itHelpdesk);
    store("tenants/globex/agents", { ...hrAssistant, id: "agt_globex", name: "Globex bot" });

    const agents = await source().listAgents({ includeArchived: false }, signal());

    expect(agents.map((a) => [a.id, a.name, a.status])).toEqual([
      ["agt_hr", "Acme HR assistant", "published"],
      ["agt_it", "IT helpdesk", "draft"],
    ]);
    expect(firestore.reads).toEqual(["query tenants/acme/agents"]);
  });

  it("answers 404 with the platform's sentence for an agent that does not exist", async () => {
    const missing = source().getAgent("agt_gone", signal());
    await expect(missing).rejects.toBeInstanceOf(PlatformRequestError);
    await expect(missing).rejects.toMatchObject({
      status: 404,
      code: "not-found",
      reason: "Agent agt_gone not found",
    });
  });

  it("lists versions newest first, and a 404 for an unknown agent, as GET …/versions", async () => {
    store("tenants/acme/agents", hrAssistant);
    for (const version of [...hrVersions].reverse()) store("tenants/acme/agents/agt_hr/versions", version);

    const versions = await source().listAgentVersions("agt_hr", signal());
    expect(versions.map((v) => [v.version, v.note])).toEqual([
      [2, "Answer more questions: the handbook now covers travel"],
      [1, ""],
    ]);
    await expect(source().listAgentVersions("agt_gone", signal())).rejects.toMatchObject({ status: 404 });
  });

  it("says a trace is beyond the person's role when the rules refuse it, and keeps them signed in", async () => {
    signInAs(annSession({ role: "viewer" }));
    firestore.refuse(
      "tenants/acme/traces",
      firestoreError("permission-denied", "Missing or insufficient permissions."),
    );

    const refused = source().getTrace("trc_2", signal());
    await expect(refused).rejects.toMatchObject({
      status: 403,
      code: "permission-denied",
      reason: "Your role in this workspace does not allow this.",
    });
    expect(currentSessionState().session?.role).toBe("viewer");
  });

  it("ends the session when Firestore says the sign-in is no longer valid", async () => {
    firestore.refuse("tenants/acme/agents", firestoreError("unauthenticated"));
    await expect(source().listAgents({ includeArchived: false }, signal())).rejects.toMatchObject({
      status: 401,
    });
    expect(currentSessionState().session).toBeUndefined();
  });

  it("lists the knowledge bases an agent can use", async () => {
    firestore.set("tenants/acme/knowledgeBases/kb_handbook", {
      name: "Acme Corp employee handbook",
      active: { d1: { version: 1, model: "m" }, d2: { version: 3, model: "m" } },
      createdAt: "2026-01-10T09:00:00.000Z",
      updatedAt: "2026-02-01T16:45:00.000Z",
    });
    expect(await source().listKnowledgeBases(signal())).toEqual({
      available: true,
      knowledgeBases: [{ id: "kb_handbook", name: "Acme Corp employee handbook", documentCount: 2 }],
    });
  });
});

describe("live knowledge", () => {
  const kb = "tenants/acme/knowledgeBases/kb_handbook";
  const document = (status: string, stage: string, progress: number) => ({
    name: "handbook.md",
    type: "markdown",
    contentType: "text/markdown",
    size: 18_230,
    version: 1,
    activeVersion: status === "ready" ? 1 : null,
    status,
    stage,
    progress,
    chunkCount: status === "ready" ? 42 : 0,
    totalBatches: 1,
    embeddedBatches: [],
    blobPath: `${kb}/documents/oKHKFe-ToyjMIMhyk2Ls8XMR/v1/handbook.md`,
    error: null,
    embedder: null,
    md5: "9e107d9d372bb6826bd81d3542a419d6",
    versions: [
      {
        version: 1,
        size: 18_230,
        md5: "9e107d9d372bb6826bd81d3542a419d6",
        blobPath: "b",
        createdAt: "2026-02-01T16:40:00.000Z",
      },
    ],
    createdAt: "2026-02-01T16:40:00.000Z",
    updatedAt: "2026-02-01T16:40:00.000Z",
  });

  beforeEach(() => {
    firestore.set(kb, {
      name: "Acme Corp employee handbook",
      createdAt: "2026-01-10T09:00:00.000Z",
      updatedAt: "2026-01-10T09:00:00.000Z",
    });
  });

  it("follows a document through ingestion as the pipeline updates it", async () => {
    const watch = watching(source().watchDocuments("kb_handbook"));
    await vi.waitFor(() => expect(watch.values).toHaveLength(1));
    expect(watch.values[0]).toEqual([]);

    firestore.set(`${kb}/documents/oKHKFe-ToyjMIMhyk2Ls8XMR`, document("processing", "embed", 0.5));
    await vi.waitFor(() =>
      expect(watch.values.at(-1)?.[0]).toMatchObject({ status: "processing", progress: 0.5 }),
    );

    firestore.set(`${kb}/documents/oKHKFe-ToyjMIMhyk2Ls8XMR`, document("ready", "done", 1));
    await vi.waitFor(() =>
      expect(watch.values.at(-1)?.[0]).toMatchObject({ status: "ready", chunkCount: 42 }),
    );

    watch.stop();
    expect(firestore.listeners).toBe(0);
    expect(watch.errors).toEqual([]);
  });

  it("answers 404 for the documents of a knowledge base that does not exist, as the API does", async () => {
    const watch = watching(source().watchDocuments("kb_gone"));
    await vi.waitFor(() => expect(watch.errors).toHaveLength(1));
    expect(watch.errors[0]).toMatchObject({ status: 404, reason: "Knowledge base kb_gone not found" });
    expect(watch.values).toEqual([]);
    watch.stop();
  });

  it("keeps the knowledge base list live", async () => {
    const watch = watching(source().watchKnowledgeBases());
    await vi.waitFor(() =>
      expect(watch.values.at(-1)?.map((k) => k.name)).toEqual(["Acme Corp employee handbook"]),
    );
    firestore.set("tenants/acme/knowledgeBases/kb_it", {
      name: "IT security FAQ",
      createdAt: "2026-02-05T09:00:00.000Z",
      updatedAt: "2026-02-05T09:00:00.000Z",
    });
    await vi.waitFor(() =>
      expect(watch.values.at(-1)?.map((k) => k.name)).toEqual([
        "IT security FAQ",
        "Acme Corp employee handbook",
      ]),
    );
    watch.stop();
  });

  it("listens again with backoff after a transient failure, but not after a refusal", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const watch = watching(source().watchKnowledgeBases());
    await vi.waitFor(() => expect(watch.values).toHaveLength(1));

    firestore.refuse("tenants/acme/knowledgeBases", firestoreError("internal"));
    await vi.waitFor(() => expect(watch.errors).toHaveLength(1));
    expect(watch.errors[0]).toMatchObject({ status: 500 });
    firestore.allow("tenants/acme/knowledgeBases");
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(watch.values).toHaveLength(2));

    firestore.refuse("tenants/acme/knowledgeBases", firestoreError("permission-denied"));
    await vi.waitFor(() => expect(watch.errors).toHaveLength(2));
    expect(watch.errors[1]).toMatchObject({ status: 403 });
    firestore.allow("tenants/acme/knowledgeBases");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(watch.values).toHaveLength(2);
    expect(firestore.listeners).toBe(0);
    watch.stop();
  });

  it("uploads a new document to Storage with progress, and answers it once the trigger registered it", async () => {
    const progress: { sent: number; total: number }[] = [];
    const file = new File(
      ["# Handbook\n\nEmployees receive 16 weeks of paid parental leave.\n"],
      "handbook.md",
    );

    const uploaded = source().uploadDocument("kb_handbook", file, (p) => progress.push(p), signal());
    await vi.waitFor(() => expect(uploads).toHaveLength(1));
    expect(uploads[0]).toEqual({
      path: `${kb}/documents/oKHKFe-ToyjMIMhyk2Ls8XMR/v1/handbook.md`,
      contentType: "text/markdown",
      size: file.size,
    });
    // What onDocumentUploaded → registerDirectUpload writes.
    firestore.set(`${kb}/documents/oKHKFe-ToyjMIMhyk2Ls8XMR`, document("queued", "upload", 0));

    expect(await uploaded).toMatchObject({
      id: "oKHKFe-ToyjMIMhyk2Ls8XMR",
      status: "queued",
      duplicate: false,
    });
    expect(progress).toEqual([
      { sent: Math.floor(file.size / 2), total: file.size },
      { sent: file.size, total: file.size },
    ]);
    expect(firestore.listeners).toBe(0);
  });

  it("sends a new version of an existing document through the API, which versions it", async () => {
    firestore.set(`${kb}/documents/oKHKFe-ToyjMIMhyk2Ls8XMR`, document("ready", "done", 1));
    const xhr = stubXhr();
    const progress: { sent: number; total: number }[] = [];
    const file = new File(["# Handbook v2\n"], "handbook.md");

    const uploaded = source().uploadDocument("kb_handbook", file, (p) => progress.push(p), signal());
    await vi.waitFor(() => expect(xhr.requests).toHaveLength(1));
    const sent = xhr.uploadOf("handbook.md");
    expect([sent.method, sent.url, sent.headers.authorization]).toEqual([
      "POST",
      "/v1/knowledge-bases/kb_handbook/documents",
      "Bearer als_ann_acme.signature",
    ]);
    sent.progress(file.size);
    sent.respond(202, {
      id: "oKHKFe-ToyjMIMhyk2Ls8XMR",
      ...document("queued", "upload", 0),
      version: 2,
      duplicate: false,
    });

    expect(uploads).toEqual([]);
    expect(progress).toEqual([{ sent: file.size, total: file.size }]);
    expect(await uploaded).toMatchObject({ version: 2, status: "queued" });
  });
});

describe("conversation history", () => {
  const conversation = (n: number, overrides: Record<string, unknown> = {}) => ({
    agentId: "agt_hr",
    agentVersion: "published",
    channel: n % 2 === 0 ? "api" : "studio",
    endUserRef: null,
    messageCount: 2,
    summary: null,
    createdAt: `2026-02-03T10:${String(n).padStart(2, "0")}:00.000Z`,
    updatedAt: `2026-02-03T10:${String(n).padStart(2, "0")}:30.000Z`,
    ...overrides,
  });

  it("pages 25 at a time, most recent activity first, with a cursor the next page continues from", async () => {
    for (let n = 0; n < 27; n += 1)
      firestore.set(`tenants/acme/conversations/cnv_${String(n).padStart(2, "0")}`, conversation(n));

    const watch = watching(source().watchConversationList({}));
    await vi.waitFor(() => expect(watch.values).toHaveLength(1));
    const first = watch.values[0]!;
    expect(first.conversations).toHaveLength(25);
    expect(first.conversations[0]?.id).toBe("cnv_26");
    expect(first.nextCursor).not.toBeNull();

    const next = await source().listConversationPage({}, first.nextCursor!, signal());
    expect(next.conversations.map((c) => c.id)).toEqual(["cnv_01", "cnv_00"]);
    expect(next.nextCursor).toBeNull();

    // A conversation that gets a message moves to the top of the live page.
    firestore.set(
      "tenants/acme/conversations/cnv_00",
      conversation(0, { messageCount: 4, updatedAt: "2026-02-03T11:00:00.000Z" }),
    );
    await vi.waitFor(() =>
      expect(watch.values.at(-1)?.conversations[0]).toMatchObject({ id: "cnv_00", messageCount: 4 }),
    );
    watch.stop();
  });

  it("narrows to an agent, a channel and a window of last activity", async () => {
    firestore.set("tenants/acme/conversations/cnv_a", conversation(2));
    firestore.set("tenants/acme/conversations/cnv_b", conversation(4, { agentId: "agt_it" }));
    firestore.set("tenants/acme/conversations/cnv_c", conversation(6));
    firestore.set("tenants/acme/conversations/cnv_d", conversation(8));
    firestore.set("tenants/acme/conversations/cnv_e", conversation(3));

    const watch = watching(
      source().watchConversationList({
        agentId: "agt_hr",
        channel: "api",
        from: "2026-02-03T10:02:30.000Z",
        to: "2026-02-03T10:08:00.000Z",
      }),
    );
    await vi.waitFor(() => expect(watch.values).toHaveLength(1));
    expect(watch.values[0]?.conversations.map((c) => c.id)).toEqual(["cnv_c", "cnv_a"]);
    watch.stop();
  });

  it("refuses a window that ends before it starts, as the API does", async () => {
    const watch = watching(
      source().watchConversationList({ from: "2026-02-04T00:00:00.000Z", to: "2026-02-03T00:00:00.000Z" }),
    );
    await vi.waitFor(() => expect(watch.errors).toHaveLength(1));
    expect(watch.errors[0]).toMatchObject({ status: 400, code: "invalid-argument" });
    expect(firestore.listeners).toBe(0);
    watch.stop();
  });

  it("reads the API's own cursors, and refuses anything else", () => {
    const fromApi = "eyJ1cGRhdGVkQXQiOiIyMDI2LTAyLTAzVDEwOjAwOjAwLjAwMFoiLCJzZWVuIjpbImNudl9iIiwiY252X2EiXX0";
    const cursor = { updatedAt: "2026-02-03T10:00:00.000Z", seen: ["cnv_b", "cnv_a"] };
    expect(decodeListCursor(fromApi, "c")).toEqual(cursor);
    expect(encodeListCursor(cursor)).toBe(fromApi);
    expect(() => decodeListCursor("not a cursor", "c")).toThrow(/nextCursor of a previous page/);
  });

  it("reads one conversation and its messages in order, and a 404 for an unknown one", async () => {
    firestore.set("tenants/acme/conversations/cnv_a", conversation(2));
    firestore.set("tenants/acme/conversations/cnv_a/messages/m2", {
      role: "assistant",
      content: "You get 16 weeks [1].",
      seq: 1,
      createdAt: "2026-02-03T10:02:30.000Z",
      confidence: 0.8,
      traceId: "trc_1",
      agentVersion: 2,
    });
    firestore.set("tenants/acme/conversations/cnv_a/messages/m1", {
      role: "user",
      content: "How long is parental leave?",
      seq: 0,
      createdAt: "2026-02-03T10:02:00.000Z",
    });

    expect(await source().getConversation("cnv_a", signal())).toMatchObject({
      id: "cnv_a",
      agentId: "agt_hr",
    });
    const messages = await source().listConversationMessages("cnv_a", signal());
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    await expect(source().listConversationMessages("cnv_gone", signal())).rejects.toMatchObject({
      status: 404,
      reason: "Conversation cnv_gone not found",
    });
  });
});

describe("writes", () => {
  it("still go through the API, with the session's token", async () => {
    const platform = stubPlatform({
      "POST /v1/agents/agt_hr/pause": () => jsonResponse({ ...hrAssistant, status: "paused" }),
    });
    expect((await source().pauseAgent("agt_hr")).status).toBe("paused");
    expect(platform.sent("POST /v1/agents/agt_hr/pause")[0]?.authorization).toBe(
      "Bearer als_ann_acme.signature",
    );
    expect(firestore.reads).toEqual([]);
  });
});

describe("agent options", () => {
  it("are the operator's settings, so they are asked of the API, never read from Firestore", async () => {
    const options = {
      models: {
        default: { model: "gpt-4o-mini", label: "gpt-4o-mini", provider: "openai-compatible" },
        allowed: ["gpt-4o-mini"],
      },
      maxOutputTokens: { min: 16, max: 4096, default: 800 },
      contextBudgetTokens: { min: 1000, max: 32_000, default: 8000 },
      toolHosts: null,
    };
    const platform = stubPlatform({ "GET /v1/agent-options": () => jsonResponse(options) });
    expect(await source().getAgentOptions(signal())).toEqual({
      models: {
        default: { model: "gpt-4o-mini", label: "gpt-4o-mini", provider: "openai-compatible" },
        allowed: ["gpt-4o-mini"],
      },
      maxOutputTokens: options.maxOutputTokens,
      contextBudgetTokens: options.contextBudgetTokens,
      toolHosts: null,
    });
    expect(platform.sent("GET /v1/agent-options")[0]?.authorization).toBe("Bearer als_ann_acme.signature");
    expect(firestore.reads).toEqual([]);
  });
});
