/**
 * The BlobStore contract over files in a temp folder, plus local mode's own promises: the finalize event
 * that starts ingestion, and puts that are atomic for readers, for each other and when interrupted.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { manualClock, systemClock } from "@alchemist/functions/platform/clock";
import type { BlobInfo } from "@alchemist/functions/platform/ports";
import { describeBlobStoreContract } from "@alchemist/functions/platform/testing/blobstore-contract";
import { FileBlobStore } from "./file-blobstore.js";

const folders: string[] = [];
const tempFolder = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "alchemist-blobs-"));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

const md5 = (data: Uint8Array): string => createHash("md5").update(data).digest("hex");
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describeBlobStoreContract("files on disk (local mode)", async () => ({
  store: new FileBlobStore(tempFolder(), systemClock),
  close: async () => {},
}));

describe("FileBlobStore in local mode", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("calls onFinalized after a put, with the stored object's info", async () => {
    const clock = manualClock(new Date("2026-02-03T04:05:06.789Z"));
    const store = new FileBlobStore(tempFolder(), clock);
    const seen: { info: BlobInfo; visible: BlobInfo | null }[] = [];
    const pending: Promise<void>[] = [];
    store.onFinalized((info) => {
      // By the time the event fires the object is readable, as in Cloud Storage.
      pending.push(store.stat(info.path).then((visible) => void seen.push({ info, visible })));
    });
    const bytes = text("Employees get 25 vacation days a year.");
    const path1 = "tenants/t1/knowledgeBases/kb1/documents/d1/v1/handbook.txt";
    const returned = await store.put(path1, bytes, {
      contentType: "text/plain",
      metadata: { tenantId: "t1" },
    });
    await Promise.all(pending);
    expect(seen).toEqual([{ info: returned, visible: returned }]);
    expect(returned).toEqual({
      path: path1,
      size: bytes.byteLength,
      contentType: "text/plain",
      metadata: { tenantId: "t1" },
      md5: md5(bytes),
      updated: "2026-02-03T04:05:06.789Z",
    });
    await store.put(path1, text("v2"));
    await Promise.all(pending);
    expect(seen).toHaveLength(2);
  });

  it("a put that fails does not fire onFinalized", async () => {
    const store = new FileBlobStore(tempFolder(), systemClock);
    const fired = vi.fn();
    store.onFinalized(fired);
    await expect(store.put("../escape.txt", text("x"))).rejects.toThrow();
    expect(fired).not.toHaveBeenCalled();
  });

  it("readers during concurrent puts see one whole version: bytes always match their info", async () => {
    const store = new FileBlobStore(tempFolder(), systemClock);
    const objectPath = "tenants/t1/uploads/report.pdf";
    // Versions of different sizes, so mixing one's bytes with another's info cannot go unnoticed.
    const versions = Array.from({ length: 12 }, (_, i) =>
      Buffer.alloc(1000 + i * 997, String.fromCharCode(65 + i)),
    );
    const known = new Set(versions.map(md5));
    await store.put(objectPath, versions[0]!);

    let writing = true;
    let reads = 0;
    const reader = async () => {
      while (writing) {
        const got = await store.get(objectPath);
        expect(got).not.toBeNull();
        expect(got!.data.byteLength).toBe(got!.info.size);
        expect(md5(got!.data)).toBe(got!.info.md5);
        expect(known.has(got!.info.md5)).toBe(true);
        const info = await store.stat(objectPath);
        expect(known.has(info!.md5)).toBe(true);
        reads++;
      }
    };
    const readers = [reader(), reader(), reader()];
    await Promise.all(versions.slice(1).map((v) => store.put(objectPath, v)));
    writing = false;
    await Promise.all(readers);
    expect(reads).toBeGreaterThan(0);

    // After the dust settles the stored info and bytes belong to the same put, and no stray data is left.
    const final = await store.get(objectPath);
    expect(md5(final!.data)).toBe(final!.info.md5);
    expect(final!.data.byteLength).toBe(final!.info.size);
  });

  it("a put interrupted before it commits leaves the previous version whole, and the next put works", async () => {
    const root = tempFolder();
    const store = new FileBlobStore(root, systemClock);
    const objectPath = "tenants/t1/uploads/policy.md";
    const v1 = text("# Refunds\nRefunds are paid within 5 working days.\n");
    const before = await store.put(objectPath, v1, { contentType: "text/markdown" });

    // The crash: the new bytes reached the disk, then the write of the object's info never completed.
    const realRename = fsp.rename;
    let renames = 0;
    vi.spyOn(fsp, "rename").mockImplementation(async (from, to) => {
      if (++renames === 2) throw Object.assign(new Error("EIO: the disk went away"), { code: "EIO" });
      return realRename(from, to);
    });
    await expect(
      store.put(objectPath, text("# Refunds\nNew policy, much longer than before ...")),
    ).rejects.toThrow("EIO");
    vi.restoreAllMocks();

    const got = await store.get(objectPath);
    expect(got?.info).toEqual(before);
    expect(Buffer.from(got!.data).equals(Buffer.from(v1))).toBe(true);
    // A fresh store over the same folder (a restart) sees the same.
    const reopened = new FileBlobStore(root, systemClock);
    expect(await reopened.stat(objectPath)).toEqual(before);
    expect((await reopened.list("tenants/t1/uploads/")).map((i) => i.path)).toEqual([objectPath]);

    const v3 = text("v3");
    await reopened.put(objectPath, v3);
    expect((await reopened.get(objectPath))?.data.toString("utf8")).toBe("v3");
    // Only the live version's bytes remain on disk.
    expect(fs.readdirSync(path.join(root, "data"))).toHaveLength(1);
    expect(fs.readdirSync(path.join(root, "tmp"))).toEqual([]);
  });

  it("stores an object and another one below its path side by side", async () => {
    const store = new FileBlobStore(tempFolder(), systemClock);
    await store.put("kb/doc", text("the document"));
    await store.put("kb/doc/page-1.txt", text("page one"));
    expect((await store.get("kb/doc"))?.data.toString("utf8")).toBe("the document");
    expect((await store.get("kb/doc/page-1.txt"))?.data.toString("utf8")).toBe("page one");
    expect((await store.list("kb/")).map((i) => i.path)).toEqual(["kb/doc", "kb/doc/page-1.txt"]);
  });

  it("deleting removes the bytes from disk too", async () => {
    const root = tempFolder();
    const store = new FileBlobStore(root, systemClock);
    await store.put("a/b.txt", text("bytes"));
    await store.delete("a/b.txt");
    expect(fs.readdirSync(path.join(root, "data"))).toEqual([]);
    expect(await store.list("a/")).toEqual([]);
  });
});
