/**
 * BlobStore over a Cloud Storage bucket (Firebase mode), through the bucket firebase-admin hands out.
 * Paths are checked like document paths, so a file name taken from a request cannot climb out of its
 * tenant's folder; GCS's base64 md5 becomes the hex digest the local store reports.
 */
import type { getStorage } from "firebase-admin/storage";
import { segments } from "../docpath.js";
import { AppError } from "../errors.js";
import type { BlobInfo, BlobStore } from "../ports.js";

// @google-cloud/storage is firebase-admin's dependency, not ours: name its types through firebase-admin.
export type Bucket = ReturnType<ReturnType<typeof getStorage>["bucket"]>;
type StoredFile = ReturnType<Bucket["file"]>;
export type StoredFileMetadata = StoredFile["metadata"];

const defaultContentType = "application/octet-stream";

/** How many times `get` re-reads an object replaced between reading its metadata and its bytes. */
const maxReadAttempts = 3;

function checkedPath(path: string): string {
  try {
    return segments(path).join("/");
  } catch {
    throw new AppError("invalid-argument", `Invalid object path "${path}"`);
  }
}

/** A list prefix is a path, possibly ending in `/`, or empty for the whole bucket. */
function checkedPrefix(prefix: string): string {
  if (prefix === "") return prefix;
  const folder = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  return checkedPath(folder) + (folder === prefix ? "" : "/");
}

/** GCS reports `md5Hash` as base64 of the digest; ports.ts promises hex. */
export function md5HexFromBase64(md5Base64: string): string {
  return Buffer.from(md5Base64, "base64").toString("hex");
}

/** What GCS says about an object → our `BlobInfo`. */
export function blobInfoOf(metadata: StoredFileMetadata): BlobInfo {
  const custom: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.metadata ?? {})) {
    // GCS keeps custom metadata as strings; a null value is a key someone removed.
    if (value !== null && value !== undefined) custom[key] = String(value);
  }
  return {
    path: metadata.name ?? "",
    size: Number(metadata.size ?? 0),
    contentType: metadata.contentType ?? defaultContentType,
    metadata: custom,
    // Only composed objects lack an md5, and this store never composes.
    md5: metadata.md5Hash === undefined ? "" : md5HexFromBase64(metadata.md5Hash),
    updated: new Date(metadata.updated ?? metadata.timeCreated ?? Date.now()).toISOString(),
  };
}

const isNotFound = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === 404;

async function readMetadata(bucket: Bucket, path: string): Promise<StoredFileMetadata | null> {
  try {
    const [metadata] = await bucket.file(path).getMetadata();
    return metadata;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export function cloudStorageBlobStore(bucket: Bucket): BlobStore {
  return {
    async put(path, data, options) {
      const file = bucket.file(checkedPath(path));
      const contentType = options?.contentType ?? defaultContentType;
      await file.save(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
        // One request: uploads are bounded by MAX_UPLOAD_BYTES, and a resumable session costs a round trip.
        resumable: false,
        // Stored as given: gzip would change the size and md5 the other adapters report.
        gzip: false,
        contentType,
        metadata: { contentType, metadata: { ...(options?.metadata ?? {}) } },
      });
      // The upload's response describes exactly the generation written, even if another put follows.
      if (file.metadata.md5Hash !== undefined && file.metadata.name !== undefined)
        return blobInfoOf(file.metadata);
      const metadata = await readMetadata(bucket, file.name);
      if (metadata === null)
        throw new AppError("aborted", `"${file.name}" was deleted while it was being written`);
      return blobInfoOf(metadata);
    },

    async get(path) {
      const name = checkedPath(path);
      for (let attempt = 1; attempt <= maxReadAttempts; attempt++) {
        const metadata = await readMetadata(bucket, name);
        if (metadata === null) return null;
        try {
          // Pinned to the generation whose metadata we hold, so bytes and info always belong together.
          const [data] = await bucket.file(name, { generation: metadata.generation }).download();
          return { data, info: blobInfoOf(metadata) };
        } catch (error) {
          if (!isNotFound(error)) throw error;
          // Replaced or deleted in between: read again.
        }
      }
      throw new AppError("aborted", `"${name}" kept changing while it was being read`);
    },

    async stat(path) {
      const metadata = await readMetadata(bucket, checkedPath(path));
      return metadata === null ? null : blobInfoOf(metadata);
    },

    async delete(path) {
      await bucket.file(checkedPath(path)).delete({ ignoreNotFound: true });
    },

    async list(prefix) {
      const [files] = await bucket.getFiles({ prefix: checkedPrefix(prefix), autoPaginate: true });
      return files
        .map((file) => blobInfoOf(file.metadata))
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
  };
}
