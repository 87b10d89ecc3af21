/**
 * A small Cloud Storage server, in memory: the part of the GCS JSON API that the Cloud Storage adapter
 * (functions/src/platform/firebase/storage-blobstore.ts, through firebase-admin's @google-cloud/storage)
 * uses, for machines where the Storage emulator cannot run (its rules runtime is a jar that firebase-tools
 * downloads on first use).
 * It plays the role @firestore-emulator/server plays for Firestore; the BlobStore contract suite runs against
 * it (storage-blobstore.test.ts), and against the real Storage emulator where that runs. It lives in the local
 * workspace, which is never deployed, so that `npm run test:firebase` can start it from the build.
 *
 * What it serves: multipart uploads, object metadata, media downloads (a given generation or the latest),
 * deletes and prefix listings with pages, on any bucket. Each write makes a new generation and only the latest
 * is kept. Given the Functions emulator's address, a finished upload is announced as the Storage emulator
 * announces it, a `google.cloud.storage.object.v1.finalized` CloudEvent to the emulator's trigger endpoint,
 * so `onObjectFinalized` functions run.
 *
 * What it is not: security rules are not evaluated (firebase-admin bypasses them anyway, but a browser
 * uploading with the Firebase SDK is not served at all), resumable uploads, preconditions, ACLs and
 * everything else of the JSON API answer 501.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface StoredObject {
  readonly bytes: Buffer;
  readonly metadata: ObjectMetadata;
}

interface ObjectMetadata {
  readonly kind: "storage#object";
  readonly id: string;
  readonly name: string;
  readonly bucket: string;
  readonly generation: string;
  readonly metageneration: "1";
  readonly contentType: string;
  readonly size: string;
  readonly md5Hash: string;
  readonly crc32c: string;
  readonly etag: string;
  readonly timeCreated: string;
  readonly updated: string;
  readonly storageClass: "STANDARD";
  readonly metadata?: Record<string, string>;
}

export interface SmallStorageOptions {
  /** `host:port` of the Functions emulator, to announce finished uploads to its storage triggers. */
  readonly functionsEmulator?: string;
  readonly projectId?: string;
  /** Where to listen on 127.0.0.1; a free port when unset. */
  readonly port?: number;
}

export interface SmallStorageServer {
  /** `host:port`, what FIREBASE_STORAGE_EMULATOR_HOST takes. */
  readonly host: string;
  close(): Promise<void>;
}

const maxBodyBytes = 64 * 1024 * 1024;

/** CRC-32C (Castagnoli), which GCS reports as `crc32c` (base64 of the big-endian value) and clients check. */
const crc32cTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32cBase64(bytes: Uint8Array): string {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = crc32cTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString("base64");
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new HttpError(413, `a body over ${maxBodyBytes} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The parts of a multipart/related body: each part's headers (lower-cased) and bytes. */
function multipartParts(
  body: Buffer,
  contentType: string,
): { headers: Record<string, string>; bytes: Buffer }[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new HttpError(400, "a multipart upload without a boundary");
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: Record<string, string>; bytes: Buffer }[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break; // the closing delimiter
    const next = body.indexOf(delimiter, start);
    if (next === -1) throw new HttpError(400, "a multipart body without its closing delimiter");
    // Each part: CRLF, headers, a blank line, the bytes, then CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    if (split === -1) throw new HttpError(400, "a multipart part without headers");
    const headers: Record<string, string> = {};
    for (const line of part.subarray(0, split).toString("utf8").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    parts.push({ headers, bytes: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(json);
}

const gcsError = (status: number, message: string) => ({
  error: { code: status, message, errors: [{ message }] },
});

export async function startSmallStorageServer(
  options: SmallStorageOptions = {},
): Promise<SmallStorageServer> {
  const objects = new Map<string, StoredObject>(); // by `${bucket}/${name}`
  let generation = Date.now() * 1000;

  async function announce(metadata: ObjectMetadata): Promise<void> {
    if (!options.functionsEmulator || !options.projectId) return;
    const url = `http://${options.functionsEmulator}/functions/projects/${options.projectId}/trigger_multicast`;
    const event = {
      specversion: "1.0",
      id: randomUUID(),
      type: "google.cloud.storage.object.v1.finalized",
      source: `//storage.googleapis.com/projects/_/buckets/${metadata.bucket}/objects/${metadata.name}`,
      time: metadata.updated,
      data: metadata,
    };
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json; charset=UTF-8" },
        body: JSON.stringify(event),
      });
      if (!res.ok)
        console.error(`[small-storage] the Functions emulator refused the finalize event: ${res.status}`);
    } catch (e) {
      console.error(`[small-storage] could not announce ${metadata.name}: ${(e as Error).message}`);
    }
  }

  function upload(bucket: string, query: URLSearchParams, body: Buffer, contentType: string): ObjectMetadata {
    const parts = multipartParts(body, contentType);
    if (parts.length !== 2) throw new HttpError(400, `a multipart upload has 2 parts, not ${parts.length}`);
    const [head, media] = parts as [(typeof parts)[0], (typeof parts)[0]];
    const given = JSON.parse(head.bytes.toString("utf8")) as {
      name?: string;
      contentType?: string;
      metadata?: Record<string, unknown>;
    };
    given.name ??= query.get("name") ?? undefined;
    if (!given.name) throw new HttpError(400, "an upload without an object name");
    const now = new Date().toISOString();
    const key = `${bucket}/${given.name}`;
    generation += 1;
    const custom = Object.fromEntries(
      Object.entries(given.metadata ?? {})
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
    const md5Hash = createHash("md5").update(media.bytes).digest("base64");
    const metadata: ObjectMetadata = {
      kind: "storage#object",
      id: `${key}/${generation}`,
      name: given.name,
      bucket,
      generation: String(generation),
      metageneration: "1",
      contentType: given.contentType ?? media.headers["content-type"] ?? "application/octet-stream",
      size: String(media.bytes.length),
      md5Hash,
      crc32c: crc32cBase64(media.bytes),
      etag: md5Hash,
      timeCreated: objects.get(key)?.metadata.timeCreated ?? now,
      updated: now,
      storageClass: "STANDARD",
      ...(Object.keys(custom).length > 0 ? { metadata: custom } : {}),
    };
    objects.set(key, { bytes: Buffer.from(media.bytes), metadata });
    void announce(metadata);
    return metadata;
  }

  function find(bucket: string, name: string, wanted: string | null): StoredObject {
    const stored = objects.get(`${bucket}/${name}`);
    if (!stored || (wanted !== null && wanted !== stored.metadata.generation))
      throw new HttpError(404, `No such object: ${bucket}/${name}`);
    return stored;
  }

  function list(bucket: string, query: URLSearchParams) {
    const prefix = query.get("prefix") ?? "";
    const max = Math.min(Number(query.get("maxResults") ?? 1000) || 1000, 1000);
    const after = query.get("pageToken") ?? "";
    const names = [...objects.values()]
      .filter(
        (o) => o.metadata.bucket === bucket && o.metadata.name.startsWith(prefix) && o.metadata.name > after,
      )
      .map((o) => o.metadata)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const page = names.slice(0, max);
    return {
      kind: "storage#objects",
      items: page,
      ...(names.length > max ? { nextPageToken: page[page.length - 1]!.name } : {}),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://storage");
    const path = url.pathname;
    const method = req.method ?? "GET";
    let m: RegExpExecArray | null;
    if ((m = /^\/upload(?:\/storage\/v1)?\/b\/([^/]+)\/o$/.exec(path)) && method === "POST") {
      if (url.searchParams.get("uploadType") !== "multipart")
        throw new HttpError(
          501,
          `uploadType=${url.searchParams.get("uploadType")} is not served here (multipart only)`,
        );
      const bucket = decodeURIComponent(m[1]!);
      return send(
        res,
        200,
        upload(bucket, url.searchParams, await readBody(req), req.headers["content-type"] ?? ""),
      );
    }
    if ((m = /^(?:\/download)?(?:\/storage\/v1)?\/b\/([^/]+)\/o\/(.+)$/.exec(path))) {
      const bucket = decodeURIComponent(m[1]!);
      const name = decodeURIComponent(m[2]!);
      if (method === "DELETE") {
        find(bucket, name, url.searchParams.get("generation"));
        objects.delete(`${bucket}/${name}`);
        return send(res, 204);
      }
      if (method !== "GET") throw new HttpError(501, `${method} on an object is not served here`);
      const stored = find(bucket, name, url.searchParams.get("generation"));
      if (url.searchParams.get("alt") !== "media") return send(res, 200, stored.metadata);
      res.writeHead(200, {
        "content-type": stored.metadata.contentType,
        "content-length": String(stored.bytes.length),
        "x-goog-generation": stored.metadata.generation,
        "x-goog-hash": `crc32c=${stored.metadata.crc32c},md5=${stored.metadata.md5Hash}`,
        "x-goog-stored-content-encoding": "identity",
      });
      res.end(stored.bytes);
      return;
    }
    if ((m = /^(?:\/storage\/v1)?\/b\/([^/]+)\/o$/.exec(path)) && method === "GET") {
      return send(res, 200, list(decodeURIComponent(m[1]!), url.searchParams));
    }
    throw new HttpError(501, `${method} ${path} is not served by the small Storage server`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : e instanceof SyntaxError ? 400 : 500;
      if (!res.headersSent) send(res, status, gcsError(status, (e as Error).message));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
