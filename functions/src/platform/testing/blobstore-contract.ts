/**
 * The BlobStore contract: one suite every BlobStore adapter runs (Cloud Storage, the local disk), so an
 * uploaded file looks the same to the services in both modes. Each test writes under its own prefix,
 * so a shared emulator bucket needs no reset.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobStore } from "../ports.js";
import { expectAppError } from "./docstore-contract.js";

/** Groups of behaviour an adapter may not support here. */
export type BlobStoreFeature = "list";

export interface BlobStoreContractOptions {
  /** Features this adapter cannot prove here, each with the reason shown in the skipped test's name. */
  readonly skip?: Partial<Record<BlobStoreFeature, string>>;
}

export interface OpenedBlobStore {
  readonly store: BlobStore;
  readonly close: () => Promise<void>;
}

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const md5 = (data: Uint8Array) => createHash("md5").update(data).digest("hex");
const text = (value: string) => new TextEncoder().encode(value);

export function describeBlobStoreContract(
  name: string,
  open: () => Promise<OpenedBlobStore>,
  options: BlobStoreContractOptions = {},
): void {
  describe(`BlobStore contract: ${name}`, () => {
    let opened: OpenedBlobStore | undefined;
    const store = (): BlobStore => {
      if (opened === undefined) throw new Error("the store is not open");
      return opened.store;
    };

    const run = randomBytes(4).toString("hex");
    let sequence = 0;
    /** A folder no other test (or earlier run against the same bucket) uses. */
    const folder = (): string => `contract-${run}/${++sequence}`;

    const test = (feature: BlobStoreFeature | null, title: string, body: () => Promise<void>): void => {
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

    test(
      null,
      "put returns the blob's info: path, size, content type, metadata, md5 of the bytes, ISO time",
      async () => {
        const path = `${folder()}/kb1/Refund policy.md`;
        const bytes = text("# Refunds\nRefunds are paid within 5 working days.\n");
        const info = await store().put(path, bytes, {
          contentType: "text/markdown",
          metadata: { tenantId: "t1", uploadedBy: "u-42" },
        });
        expect(info).toMatchObject({
          path,
          size: bytes.byteLength,
          contentType: "text/markdown",
          metadata: { tenantId: "t1", uploadedBy: "u-42" },
          md5: md5(bytes),
        });
        expect(info.updated).toMatch(isoTime);
      },
    );

    test(null, "get returns the bytes with the same info; stat returns the info alone", async () => {
      const path = `${folder()}/report.pdf`;
      const bytes = text("%PDF-1.7 quarterly report");
      const info = await store().put(path, bytes, {
        contentType: "application/pdf",
        metadata: { pages: "3" },
      });
      const got = await store().get(path);
      expect(got).not.toBeNull();
      expect(Buffer.from(got!.data).equals(Buffer.from(bytes))).toBe(true);
      expect(got!.info).toEqual(info);
      expect(await store().stat(path)).toEqual(info);
    });

    test(null, "binary data round trips byte for byte, including an empty blob", async () => {
      const base = folder();
      const every = Uint8Array.from({ length: 256 }, (_, i) => i);
      await store().put(`${base}/bytes.bin`, every);
      expect([...(await store().get(`${base}/bytes.bin`))!.data]).toEqual([...every]);
      const empty = await store().put(`${base}/empty.txt`, new Uint8Array(0), { contentType: "text/plain" });
      expect(empty.size).toBe(0);
      expect(empty.md5).toBe("d41d8cd98f00b204e9800998ecf8427e");
      expect((await store().get(`${base}/empty.txt`))!.data.byteLength).toBe(0);
    });

    test(null, "the content type defaults to application/octet-stream and metadata to empty", async () => {
      const info = await store().put(`${folder()}/notes.txt`, text("plain notes"));
      expect(info.contentType).toBe("application/octet-stream");
      expect(info.metadata).toEqual({});
    });

    test(null, "putting an existing path replaces its bytes, content type and metadata", async () => {
      const path = `${folder()}/guide.docx`;
      await store().put(path, text("version one"), {
        contentType: "text/plain",
        metadata: { version: "1", draft: "yes" },
      });
      const second = text("version two, longer");
      await store().put(path, second, {
        contentType: "application/octet-stream",
        metadata: { version: "2" },
      });
      const got = await store().get(path);
      expect(Buffer.from(got!.data).toString("utf8")).toBe("version two, longer");
      expect(got!.info).toMatchObject({
        size: second.byteLength,
        contentType: "application/octet-stream",
        metadata: { version: "2" },
        md5: md5(second),
      });
    });

    test(null, "get and stat of a missing blob return null", async () => {
      const path = `${folder()}/missing.pdf`;
      expect(await store().get(path)).toBeNull();
      expect(await store().stat(path)).toBeNull();
    });

    test(null, "delete removes a blob; deleting a missing blob is not an error", async () => {
      const path = `${folder()}/old.txt`;
      await store().put(path, text("old"));
      await store().delete(path);
      expect(await store().get(path)).toBeNull();
      expect(await store().stat(path)).toBeNull();
      await store().delete(path);
    });

    test(
      "list",
      "list returns the blobs under a prefix, sorted by path, and not those beside it",
      async () => {
        const base = folder();
        for (const file of ["kb1/b.txt", "kb1/a.txt", "kb1/sub/c.txt", "kb10/d.txt", "kb2/e.txt"]) {
          await store().put(`${base}/${file}`, text(file), { contentType: "text/plain" });
        }
        const listed = await store().list(`${base}/kb1/`);
        expect(listed.map((info) => info.path)).toEqual([
          `${base}/kb1/a.txt`,
          `${base}/kb1/b.txt`,
          `${base}/kb1/sub/c.txt`,
        ]);
        const first = text("kb1/a.txt");
        expect(listed[0]).toMatchObject({
          size: first.byteLength,
          contentType: "text/plain",
          md5: md5(first),
        });
      },
    );

    test("list", "list of a prefix nothing was written under is empty", async () => {
      expect(await store().list(`${folder()}/nothing/`)).toEqual([]);
    });

    test(
      null,
      "paths with '..', '.', a leading '/' or empty segments are rejected with invalid-argument",
      async () => {
        const base = folder();
        const bytes = text("x");
        for (const path of [
          `${base}/../escape.txt`,
          `../${base}/x.txt`,
          `/${base}/x.txt`,
          `${base}//x.txt`,
          `${base}/./x.txt`,
          "",
        ]) {
          await expectAppError(() => store().put(path, bytes), "invalid-argument");
          await expectAppError(() => store().get(path), "invalid-argument");
          await expectAppError(() => store().stat(path), "invalid-argument");
          await expectAppError(() => store().delete(path), "invalid-argument");
        }
        await expectAppError(() => store().list(`${base}/../`), "invalid-argument");
      },
    );
  });
}
