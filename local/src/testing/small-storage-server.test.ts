/**
 * The small Cloud Storage server's own edges. Its behaviour as a store is the BlobStore contract, run against it
 * through firebase-admin's real client in platform/firebase/storage-blobstore.test.ts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crc32cBase64, startSmallStorageServer, type SmallStorageServer } from "./small-storage-server.js";

function multipart(metadata: unknown, media: string, boundary = "b0undary"): { body: string; type: string } {
  return {
    type: `multipart/related; boundary=${boundary}`,
    body:
      `--${boundary}\r\ncontent-type: application/json\r\n\r\n${JSON.stringify(metadata)}\r\n` +
      `--${boundary}\r\ncontent-type: text/plain\r\n\r\n${media}\r\n--${boundary}--`,
  };
}

describe("crc32cBase64", () => {
  it("is CRC-32C: the check value of 123456789 is e3069283", () => {
    expect(Buffer.from(crc32cBase64(Buffer.from("123456789")), "base64").toString("hex")).toBe("e3069283");
    expect(Buffer.from(crc32cBase64(Buffer.alloc(0)), "base64").toString("hex")).toBe("00000000");
  });
});

describe("the small Storage server", () => {
  let storage: SmallStorageServer;
  let functionsEmulator: Server;
  const events: { type: string | undefined; body: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    // Stands in for the Functions emulator's trigger endpoint.
    functionsEmulator = createServer((req, res) => {
      let text = "";
      req.on("data", (d: Buffer) => (text += d.toString()));
      req.on("end", () => {
        events.push({ type: req.headers["content-type"], body: { url: req.url, ...JSON.parse(text) } });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => functionsEmulator.listen(0, "127.0.0.1", () => resolve()));
    const { port } = functionsEmulator.address() as AddressInfo;
    storage = await startSmallStorageServer({ functionsEmulator: `127.0.0.1:${port}`, projectId: "demo-x" });
  });

  afterAll(async () => {
    await storage.close();
    await new Promise<void>((resolve) => functionsEmulator.close(() => resolve()));
  });

  it("announces a finished upload to the Functions emulator as a finalized CloudEvent", async () => {
    const { body, type } = multipart({ name: "tenants/t1/a.txt", metadata: { docId: "d1" } }, "hello");
    const res = await fetch(
      `http://${storage.host}/upload/storage/v1/b/demo-x.appspot.com/o?uploadType=multipart`,
      {
        method: "POST",
        headers: { "content-type": type },
        body,
      },
    );
    expect(res.status).toBe(200);
    const deadline = Date.now() + 5000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events).toHaveLength(1);
    expect(events[0]!.type).toContain("application/cloudevents+json");
    expect(events[0]!.body).toMatchObject({
      url: "/functions/projects/demo-x/trigger_multicast",
      specversion: "1.0",
      type: "google.cloud.storage.object.v1.finalized",
      source: "//storage.googleapis.com/projects/_/buckets/demo-x.appspot.com/objects/tenants/t1/a.txt",
      data: { name: "tenants/t1/a.txt", bucket: "demo-x.appspot.com", size: "5", metadata: { docId: "d1" } },
    });
  });

  it("answers a malformed upload 400 and what it does not serve 501, and keeps serving", async () => {
    const url = `http://${storage.host}/upload/storage/v1/b/demo-x.appspot.com/o`;
    const noBoundary = await fetch(`${url}?uploadType=multipart`, {
      method: "POST",
      headers: { "content-type": "multipart/related" },
      body: "x",
    });
    expect(noBoundary.status).toBe(400);
    const badJson = multipart("{", "x");
    const bad = await fetch(`${url}?uploadType=multipart`, {
      method: "POST",
      headers: { "content-type": badJson.type },
      body: badJson.body.replace('"{"', "{"),
    });
    expect(bad.status).toBe(400);
    const resumable = await fetch(`${url}?uploadType=resumable`, { method: "POST", body: "" });
    expect(resumable.status).toBe(501);
    expect(((await resumable.json()) as { error: { message: string } }).error.message).toContain(
      "multipart only",
    );
    const listed = await fetch(`http://${storage.host}/storage/v1/b/demo-x.appspot.com/o?prefix=tenants/`);
    expect(((await listed.json()) as { items: { name: string }[] }).items.map((i) => i.name)).toEqual([
      "tenants/t1/a.txt",
    ]);
  });
});
