/**
 * The BlobStore contract over Cloud Storage, through firebase-admin's real client: against the Storage
 * emulator when FIREBASE_STORAGE_EMULATOR_HOST is set (`npm run test:firebase -- --official`), and everywhere
 * else against the small in-memory Cloud Storage server (local/src/testing/small-storage-server.ts), which stands in for
 * it where its jar cannot run. The mapping from GCS metadata and the path checks run everywhere: the checks
 * refuse a path before any request is made.
 */
import { createHash } from "node:crypto";
import { deleteApp, initializeApp, type App } from "firebase-admin/app";
import { getStorage } from "firebase-admin/storage";
import { afterAll, describe, expect, it } from "vitest";
import { describeBlobStoreContract } from "../testing/blobstore-contract.js";
import { startSmallStorageServer } from "@alchemist/local/testing/small-storage-server";
import { expectAppError } from "../testing/docstore-contract.js";
import { blobInfoOf, cloudStorageBlobStore, md5HexFromBase64 } from "./storage-blobstore.js";

const emulator = process.env.FIREBASE_STORAGE_EMULATOR_HOST;
if (emulator === undefined && process.env.ALCHEMIST_REQUIRE_EMULATORS === "1")
  throw new Error(
    "ALCHEMIST_REQUIRE_EMULATORS=1 but FIREBASE_STORAGE_EMULATOR_HOST is not set: the Storage emulator is not running",
  );
const projectId = "demo-alchemist-test";
const bucketName = `${projectId}.appspot.com`;

const newApp = (label: string): App =>
  initializeApp({ projectId, storageBucket: bucketName }, `${label}-${process.pid}-${Date.now()}`);

describeBlobStoreContract(
  emulator !== undefined
    ? `Cloud Storage emulator at ${emulator}`
    : "Cloud Storage over the small in-memory server",
  async () => {
    const server = emulator === undefined ? await startSmallStorageServer() : undefined;
    // firebase-admin reads this when the Storage client is created, below.
    if (server) process.env.FIREBASE_STORAGE_EMULATOR_HOST = server.host;
    const app = newApp("blobstore-contract");
    const store = cloudStorageBlobStore(getStorage(app).bucket());
    if (server) delete process.env.FIREBASE_STORAGE_EMULATOR_HOST;
    return {
      store,
      close: async () => {
        await deleteApp(app);
        await server?.close();
      },
    };
  },
);

describe("storage-blobstore metadata mapping and path checks", () => {
  const app = newApp("blobstore-unit");
  afterAll(() => deleteApp(app));

  it("turns GCS's base64 md5 into the hex digest of the bytes", () => {
    const bytes = Buffer.from("Refunds are paid within 5 working days.");
    const base64 = createHash("md5").update(bytes).digest("base64");
    expect(md5HexFromBase64(base64)).toBe(createHash("md5").update(bytes).digest("hex"));
    expect(md5HexFromBase64("1B2M2Y8AsgTpgAmY7PhCfg==")).toBe("d41d8cd98f00b204e9800998ecf8427e");
  });

  it("maps GCS object metadata to BlobInfo: numeric size, string metadata, ISO time", () => {
    const info = blobInfoOf({
      name: "tenants/t1/kb/k1/policy.pdf",
      size: "2048",
      contentType: "application/pdf",
      metadata: { tenantId: "t1", pages: 12, scanned: false, removed: null },
      md5Hash: "XUFAKrxLKna5cZ2REBfFkg==",
      updated: "2026-03-04T05:06:07.089Z",
    });
    expect(info).toEqual({
      path: "tenants/t1/kb/k1/policy.pdf",
      size: 2048,
      contentType: "application/pdf",
      metadata: { tenantId: "t1", pages: "12", scanned: "false" },
      md5: "5d41402abc4b2a76b9719d911017c592",
      updated: "2026-03-04T05:06:07.089Z",
    });
  });

  it("gives an object stored without a content type application/octet-stream", () => {
    expect(
      blobInfoOf({ name: "a/b.bin", size: 1, md5Hash: "", updated: "2026-03-04T05:06:07.089Z" }).contentType,
    ).toBe("application/octet-stream");
  });

  it("refuses path tricks with invalid-argument before making a request", async () => {
    const store = cloudStorageBlobStore(getStorage(app).bucket());
    for (const path of [
      "tenants/t1/../t2/x.pdf",
      "../x.pdf",
      "/tenants/t1/x.pdf",
      "tenants//x.pdf",
      "tenants/./x",
      "",
    ]) {
      await expectAppError(() => store.put(path, new Uint8Array([1])), "invalid-argument");
      await expectAppError(() => store.get(path), "invalid-argument");
      await expectAppError(() => store.stat(path), "invalid-argument");
      await expectAppError(() => store.delete(path), "invalid-argument");
    }
    await expectAppError(() => store.list("tenants/t1/../"), "invalid-argument");
    await expectAppError(() => store.list("/tenants"), "invalid-argument");
  });
});
