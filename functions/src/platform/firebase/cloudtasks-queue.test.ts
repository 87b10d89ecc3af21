/**
 * The TaskQueue contract over Cloud Tasks runs against the Cloud Tasks emulator when CLOUD_TASKS_EMULATOR_HOST
 * is set. Everywhere else, firebase-admin's real client talks to a small local HTTP endpoint standing in for
 * the Cloud Tasks API, which shows what the adapter sends and how it reads the answers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getFunctions } from "firebase-admin/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { expectAppError } from "../testing/docstore-contract.js";
import { describeTaskQueueContract } from "../testing/taskqueue-contract.js";
import { MAX_TASK_ID_LENGTH, cloudTaskId, cloudTasksQueue, fromTaskQueueError } from "./cloudtasks-queue.js";

const emulator = process.env.CLOUD_TASKS_EMULATOR_HOST;
if (emulator === undefined && process.env.ALCHEMIST_REQUIRE_EMULATORS === "1")
  throw new Error(
    "ALCHEMIST_REQUIRE_EMULATORS=1 but CLOUD_TASKS_EMULATOR_HOST is not set: the Cloud Tasks emulator is not running",
  );
const projectId = "demo-alchemist-test";
const region = "europe-west1";

const newApp = (label: string): App =>
  initializeApp(
    // A service account id spares firebase-admin a metadata-server lookup for the task's OIDC token.
    { projectId, serviceAccountId: `tasks@${projectId}.iam.gserviceaccount.com` },
    `${label}-${process.pid}-${Date.now()}`,
  );

if (emulator !== undefined) {
  // The emulator knows only the queues it was told of (deployed onTaskDispatched functions do that): the
  // suite's two queues are created through its REST API first, as a deploy creates a function's queue.
  const run = `${process.pid}-${Date.now()}`;
  const queues = [`contract-${run}-a`, `contract-${run}-b`] as const;
  describeTaskQueueContract(
    `Cloud Tasks emulator at ${emulator}`,
    async () => {
      for (const name of queues) {
        const url = `http://${emulator}/projects/${projectId}/locations/${region}/queues/${name}`;
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        });
        if (!res.ok)
          throw new Error(`the emulator refused to create queue ${name}: ${res.status} ${await res.text()}`);
      }
      const app = newApp("taskqueue-contract");
      return { queue: cloudTasksQueue(getFunctions(app), region), close: () => deleteApp(app) };
    },
    { queues },
  );
} else {
  describe("TaskQueue contract: Cloud Tasks", () => {
    it.skip("runs every TaskQueue behaviour against Cloud Tasks: needs the Cloud Tasks emulator (set CLOUD_TASKS_EMULATOR_HOST)", () => {});
  });
}

describe("cloudTaskId", () => {
  const validTaskId = /^[A-Za-z0-9_-]{1,500}$/;

  it("keeps keys made of letters, digits and hyphens as they are", () => {
    expect(cloudTaskId("ingest-d1-v2")).toBe("ingest-d1-v2");
    expect(cloudTaskId("usageEvent-7Hq2")).toBe("usageEvent-7Hq2");
  });

  it("escapes every other character, '_' included, so different keys never share an id", () => {
    const keys = [
      "kb/x",
      "kb_x",
      "kb:x",
      "kb.x",
      "kb_2Fx",
      "kb_5Fx",
      "tenants/t1/documents/d1",
      "café",
      "cafe",
      "☕",
      "",
    ];
    const mapped = keys.map(cloudTaskId);
    expect(new Set(mapped).size).toBe(keys.length);
    for (const id of mapped) expect(id).toMatch(validTaskId);
    expect(cloudTaskId("tenants/t1:d1")).toBe("tenants_2Ft1_3Ad1");
  });

  it("hashes a key too long once escaped into a valid id, the same one every time", () => {
    const long = "tenants/t1/".repeat(60);
    const id = cloudTaskId(long);
    expect(id).toMatch(validTaskId);
    expect(id.length).toBeLessThanOrEqual(MAX_TASK_ID_LENGTH);
    expect(cloudTaskId(long)).toBe(id);
    expect(cloudTaskId(`${long}x`)).not.toBe(id);
  });
});

describe("cloudTasksQueue against a stand-in for the Cloud Tasks API", () => {
  interface Received {
    readonly url: string;
    readonly task: { name?: string; scheduleTime?: string; httpRequest: { body: string } };
  }
  const received: Received[] = [];
  const knownNames = new Set<string>();
  let server: Server;
  let app: App;
  let previousHost: string | undefined;

  /** Answers like Cloud Tasks: 404 for an unknown queue, 409 for a task name it has seen, else 200. */
  const answer = (url: string, body: string): { status: number; json: unknown } => {
    const { task } = JSON.parse(body) as { task: Received["task"] };
    received.push({ url, task });
    if (url.includes("/queues/missing-queue/"))
      return { status: 404, json: { error: { status: "NOT_FOUND", message: "Queue does not exist" } } };
    if (task.name !== undefined && knownNames.has(task.name))
      return { status: 409, json: { error: { status: "ALREADY_EXISTS" } } };
    if (task.name !== undefined) knownNames.add(task.name);
    return { status: 200, json: task };
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        const { status, json } = answer(req.url ?? "", body);
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    previousHost = process.env.CLOUD_TASKS_EMULATOR_HOST;
    // firebase-admin reads this on every enqueue and then sends plain HTTP with an emulator token.
    process.env.CLOUD_TASKS_EMULATOR_HOST = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = newApp("taskqueue-unit");
  });

  afterAll(async () => {
    if (previousHost === undefined) delete process.env.CLOUD_TASKS_EMULATOR_HOST;
    else process.env.CLOUD_TASKS_EMULATOR_HOST = previousHost;
    await deleteApp(app);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const queue = () => cloudTasksQueue(getFunctions(app), region);

  it("sends the escaped id as the task name, the payload as the body and a delay as the schedule time", async () => {
    const before = Date.now();
    const payload = { tenantId: "t1", docId: "d1", note: "café" };
    expect(
      await queue().enqueue("knowledge-ingestDocument", payload, { id: "tenants/t1/d1", delaySeconds: 89.5 }),
    ).toEqual({
      enqueued: true,
    });
    const last = received[received.length - 1]!;
    expect(last.url).toBe(`/projects/${projectId}/locations/${region}/queues/knowledge-ingestDocument/tasks`);
    expect(last.task.name).toBe(
      `projects/${projectId}/locations/${region}/queues/knowledge-ingestDocument/tasks/${cloudTaskId("tenants/t1/d1")}`,
    );
    expect(JSON.parse(Buffer.from(last.task.httpRequest.body, "base64").toString("utf8"))).toEqual({
      data: payload,
    });
    const delayMs = Date.parse(last.task.scheduleTime ?? "") - before;
    expect(delayMs).toBeGreaterThanOrEqual(89_000);
    expect(delayMs).toBeLessThan(95_000);
  });

  it("answers enqueued:false when Cloud Tasks already has a task of that id (HTTP 409)", async () => {
    expect(await queue().enqueue("billing-meterUsage", { eventId: "e1" }, { id: "usage:e1" })).toEqual({
      enqueued: true,
    });
    expect(await queue().enqueue("billing-meterUsage", { eventId: "e1" }, { id: "usage:e1" })).toEqual({
      enqueued: false,
    });
    expect(await queue().enqueue("monitor-checkHealth", { eventId: "e1" }, { id: "usage:e1" })).toEqual({
      enqueued: true,
    });
  });

  it("reports a queue Cloud Tasks does not know (HTTP 404) as failed-precondition", async () => {
    await expectAppError(() => queue().enqueue("missing-queue", { x: 1 }), "failed-precondition");
  });

  it("refuses a payload JSON cannot represent, or a malformed queue name, before any request", async () => {
    const sent = received.length;
    await expectAppError(() => queue().enqueue("knowledge-embedChunks", { size: 10n }), "invalid-argument");
    await expectAppError(() => queue().enqueue("knowledge-embedChunks", undefined), "invalid-argument");
    await expectAppError(() => queue().enqueue("locations/x/functions/y", { x: 1 }), "invalid-argument");
    await expectAppError(
      () => queue().enqueue("knowledge-embedChunks", { x: 1 }, { delaySeconds: Number.NaN }),
      "invalid-argument",
    );
    expect(received.length).toBe(sent);
  });

  it("passes errors that did not come from firebase-admin through unchanged", () => {
    const network = new Error("socket hang up");
    expect(fromTaskQueueError(network, "q")).toBe(network);
    const mapped = fromTaskQueueError(
      Object.assign(new Error("nope"), { code: "functions/permission-denied" }),
      "q",
    );
    expect(mapped).toBeInstanceOf(AppError);
    expect((mapped as AppError).code).toBe("internal");
  });
});
