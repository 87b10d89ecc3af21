/**
 * The REST API's view of HTTP, independent of the host. Cloud Functions hands `onRequest` an Express request
 * whose body the Functions Framework has already read (`rawBody`); the local runtime hands over the request
 * stream itself, so a body is read only once the route is known and the caller authenticated, and never
 * beyond what that route accepts. Body parsing (JSON, multipart uploads) and the error envelope live here,
 * so both hosts answer bad input identically.
 */
import { Readable } from "node:stream";
import { AppError } from "../errors.js";

/** A request's body, read on demand: once, as bytes (`read`) or as a stream (`stream`). */
export interface RequestBody {
  /** `Content-Length` when the client sent one. */
  readonly declaredBytes: number | undefined;
  /** Whether the request carries a body (a length above 0, or a chunked one). */
  readonly present: boolean;
  /**
   * The whole body; `payload-too-large` as soon as it is known to exceed `maxBytes`, without reading on.
   * `what` names the body in that error ("The JSON body").
   */
  read(maxBytes: number, what?: string): Promise<Buffer>;
  /** The body as a stream, for parsers that stop at limits of their own (multipart). */
  stream(): Readable;
  /** Whether the body was read to its end: a host closes the connection when it was not. */
  readonly consumed: boolean;
}

const tooLarge = (what: string, bytes: number | undefined, maxBytes: number): AppError =>
  new AppError(
    "payload-too-large",
    bytes === undefined
      ? `${what} exceeds the limit of ${maxBytes} bytes`
      : `${what} is ${bytes} bytes; the limit is ${maxBytes} bytes`,
  );

/** A body already in memory (Cloud Functions' `rawBody`, or a test's). */
export function bufferedBody(bytes: Buffer | undefined): RequestBody {
  const data = bytes ?? Buffer.alloc(0);
  return {
    declaredBytes: data.length,
    present: data.length > 0,
    consumed: true,
    read: async (maxBytes, what = "The request body") => {
      if (data.length > maxBytes) throw tooLarge(what, data.length, maxBytes);
      return data;
    },
    stream: () => Readable.from([data]),
  };
}

/**
 * A body still on the wire (the local runtime). Nothing is read until a route asks, and reading stops at the
 * route's limit: an unauthenticated 24 MB body costs the server a closed connection, not 24 MB and a parse.
 */
export function streamedBody(
  source: Readable,
  headers: Readonly<Record<string, string | undefined>>,
): RequestBody {
  const length = headers["content-length"];
  const declaredBytes = length !== undefined && /^\d{1,15}$/.test(length) ? Number(length) : undefined;
  const chunked = /\bchunked\b/i.test(headers["transfer-encoding"] ?? "");
  const present = (declaredBytes ?? 0) > 0 || chunked;
  let ended = !present;
  let taken = false;
  source.once("end", () => {
    ended = true;
  });
  const take = (): Readable => {
    if (taken) throw new AppError("internal", "The request body was already read");
    taken = true;
    return source;
  };
  return {
    declaredBytes,
    present,
    get consumed() {
      return ended;
    },
    read: (maxBytes, what = "The request body") => {
      if (!present) return Promise.resolve(Buffer.alloc(0));
      if (declaredBytes !== undefined && declaredBytes > maxBytes) {
        return Promise.reject(tooLarge(what, declaredBytes, maxBytes));
      }
      const stream = take();
      return new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const stop = () => {
          stream.off("data", onData);
          stream.off("end", onEnd);
          stream.off("error", onError);
          stream.off("aborted", onAborted);
        };
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxBytes) {
            chunks.push(chunk);
            return;
          }
          stop();
          stream.pause();
          reject(tooLarge(what, undefined, maxBytes));
        };
        const onEnd = () => {
          stop();
          resolve(Buffer.concat(chunks, size));
        };
        const onError = (e: Error) => {
          stop();
          reject(new AppError("invalid-argument", `The request body could not be read: ${e.message}`));
        };
        const onAborted = () => {
          stop();
          reject(new AppError("cancelled", "The client went away before sending the whole body"));
        };
        stream.on("data", onData);
        stream.on("end", onEnd);
        stream.on("error", onError);
        stream.on("aborted", onAborted);
      });
    },
    stream: take,
  };
}

export interface ApiRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/agents/abc`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: RequestBody;
  readonly requestId: string;
  /**
   * The client's address as the host sees it: Express's `req.ip`. In Cloud Functions that is the first
   * `X-Forwarded-For` hop (the framework trusts the proxy), which a client can set itself; locally the
   * socket's peer. Good enough to slow one client down, not to identify anyone.
   */
  readonly ip?: string;
}

/** Writes one server-sent event: `data` as JSON (a string as is, e.g. "[DONE]"), under `event` if named. */
export type SseSend = (data: unknown, event?: string) => void;

export interface ApiResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** Sent as JSON; a Buffer is sent as it is (a file), with the `content-type` the headers give. */
  readonly body?: unknown;
  /**
   * A `text/event-stream` response instead of a body: the host sends the headers, then runs this with a
   * writer and a signal that aborts when the client goes away. An error thrown after the first event is sent
   * as an `error` event (the status is already out).
   */
  readonly stream?: (send: SseSend, signal: AbortSignal) => Promise<void>;
}

/** The SSE wire format of one event. */
export function sseFrame(data: unknown, event?: string): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`;
}

/** Whether the client asked for server-sent events (the `Accept` header or `{stream: true}`). */
export function wantsEventStream(req: ApiRequest, body: { stream?: boolean } | undefined): boolean {
  return body?.stream === true || (req.headers.accept ?? "").includes("text/event-stream");
}

/** One file of a multipart upload. */
export interface UploadedFile {
  /** The form field it came in (`file`, or `files` for several). */
  readonly field: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly bytes: Buffer;
}

export interface MultipartUpload {
  readonly files: readonly UploadedFile[];
  /** The other (text) fields of the form, e.g. `tags`. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface MultipartLimits {
  /** Largest single file. */
  readonly maxFileBytes: number;
  /** Largest request body, all parts together. */
  readonly maxTotalBytes: number;
  readonly maxFiles: number;
  /** Longest file name, in characters (as sent, before any cleaning). */
  readonly maxFileNameChars: number;
}

function mediaType(req: ApiRequest): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export async function parseJsonBody(req: ApiRequest, maxBytes: number): Promise<unknown> {
  if (!req.body.present) return undefined;
  const type = mediaType(req);
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new AppError(
      "unsupported-media-type",
      `Send a JSON body with 'Content-Type: application/json' (got '${type || "none"}')`,
    );
  }
  const raw = await req.body.read(maxBytes, "The JSON body");
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString("utf8")) as unknown;
  } catch (e) {
    throw new AppError("invalid-argument", `Malformed JSON body: ${(e as Error).message}`);
  }
}

export function isMultipart(req: ApiRequest): boolean {
  return mediaType(req) === "multipart/form-data";
}

export function isJson(req: ApiRequest): boolean {
  const type = mediaType(req);
  return type === "application/json" || type.endsWith("+json");
}

const malformed = (detail: string): AppError =>
  new AppError("invalid-argument", `Malformed multipart body: ${detail}`);

/**
 * Reads a multipart form as it arrives (busboy is loaded only for uploads). Every way a body can go wrong
 * (cut off, a bad boundary, too many or too large parts) ends in one clear `AppError`, never in an
 * unhandled stream error, and reading stops at the first of them.
 */
export async function parseMultipart(req: ApiRequest, limits: MultipartLimits): Promise<MultipartUpload> {
  if (!req.body.present)
    throw new AppError("invalid-argument", "The multipart body is empty; send a 'file' field");
  if (req.body.declaredBytes !== undefined && req.body.declaredBytes > limits.maxTotalBytes) {
    throw tooLarge("The upload", req.body.declaredBytes, limits.maxTotalBytes);
  }
  const { default: busboy } = await import("busboy");
  let parser: ReturnType<typeof busboy>;
  try {
    parser = busboy({
      headers: { "content-type": req.headers["content-type"] ?? "" },
      // Browsers send a file name's UTF-8 bytes as they are; busboy would read them as Latin-1.
      defParamCharset: "utf8",
      limits: {
        files: limits.maxFiles,
        fileSize: limits.maxFileBytes,
        fields: 20,
        fieldSize: 64 * 1024,
        parts: limits.maxFiles + 20,
        headerPairs: 20,
      },
    });
  } catch (e) {
    throw malformed((e as Error).message);
  }
  const source = req.body.stream();
  return new Promise<MultipartUpload>((resolve, reject) => {
    const files: UploadedFile[] = [];
    const fields: Record<string, string> = {};
    let pending = 0;
    let total = 0;
    let closed = false;
    let settled = false;
    const fail = (error: AppError) => {
      if (settled) return;
      settled = true;
      source.unpipe(parser);
      source.off("data", count);
      source.pause();
      parser.removeAllListeners("file");
      reject(error);
    };
    const finish = () => {
      if (settled || !closed || pending > 0) return;
      settled = true;
      resolve({ files, fields });
    };
    const count = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limits.maxTotalBytes) fail(tooLarge("The upload", undefined, limits.maxTotalBytes));
    };
    source.on("data", count);
    source.on("error", (e: Error) => fail(malformed(`the body could not be read (${e.message})`)));
    source.on("aborted", () => fail(new AppError("cancelled", "The client went away mid-upload")));
    parser.on("field", (name: string, value: string) => {
      fields[name] = value;
    });
    parser.on("file", (field, stream, info) => {
      pending++;
      const fileName = info.filename ?? "";
      // An error on a file's stream (a body cut off inside it) must have a listener, or Node ends the process.
      stream.on("error", (e: Error) => fail(malformed(e.message)));
      if ([...fileName].length > limits.maxFileNameChars) {
        stream.resume();
        fail(
          new AppError(
            "invalid-argument",
            `A file name is ${[...fileName].length} characters long; the limit is ${limits.maxFileNameChars}`,
          ),
        );
        return;
      }
      const parts: Buffer[] = [];
      stream.on("data", (d: Buffer) => parts.push(d));
      stream.on("limit", () =>
        fail(
          new AppError(
            "payload-too-large",
            `"${fileName.slice(0, 200)}" exceeds the upload limit of ${limits.maxFileBytes} bytes`,
          ),
        ),
      );
      stream.on("end", () => {
        pending--;
        files.push({ field, fileName, contentType: info.mimeType, bytes: Buffer.concat(parts) });
        finish();
      });
    });
    parser.on("filesLimit", () =>
      fail(new AppError("payload-too-large", `Send at most ${limits.maxFiles} files in one request`)),
    );
    parser.on("partsLimit", () => fail(malformed("too many parts")));
    parser.on("fieldsLimit", () => fail(malformed("too many fields")));
    parser.on("error", (e: Error) => fail(malformed(e.message)));
    parser.on("close", () => {
      closed = true;
      finish();
    });
    source.pipe(parser);
  });
}

export function errorResponse(error: AppError, extraHeaders?: Record<string, string>): ApiResponse {
  return { status: error.status, headers: extraHeaders, body: { error: error.toJSON() } };
}
