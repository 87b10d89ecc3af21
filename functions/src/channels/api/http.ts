/**
 * The REST API's view of HTTP, independent of the host: Cloud Functions hands `onRequest` an Express
 * request with `rawBody`; the local runtime builds the same. Body parsing (JSON, multipart uploads) and
 * the error envelope live here, so both hosts answer bad input identically.
 */
import { AppError } from "../../platform/errors.js";

export interface ApiRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/v1/agents/abc`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawBody: Buffer | undefined;
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

export interface UploadedFile {
  readonly fileName: string;
  readonly contentType: string;
  readonly bytes: Buffer;
  /** The other (text) fields of the form, e.g. `tags`. */
  readonly fields: Readonly<Record<string, string>>;
}

function mediaType(req: ApiRequest): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

const hasBody = (req: ApiRequest): boolean => req.rawBody !== undefined && req.rawBody.length > 0;

export function parseJsonBody(req: ApiRequest, maxBytes: number): unknown {
  if (!hasBody(req)) return undefined;
  const type = mediaType(req);
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new AppError(
      "unsupported-media-type",
      `Send a JSON body with 'Content-Type: application/json' (got '${type || "none"}')`,
    );
  }
  const raw = req.rawBody as Buffer;
  if (raw.length > maxBytes) {
    throw new AppError(
      "payload-too-large",
      `The JSON body is ${raw.length} bytes; the limit is ${maxBytes} bytes`,
    );
  }
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

/** Reads the first file of a multipart body (field `file`); busboy is loaded only for uploads. */
export async function parseMultipartFile(req: ApiRequest, maxBytes: number): Promise<UploadedFile> {
  if (!hasBody(req))
    throw new AppError("invalid-argument", "The multipart body is empty; send a 'file' field");
  const { default: busboy } = await import("busboy");
  return new Promise<UploadedFile>((resolve, reject) => {
    let parser: ReturnType<typeof busboy>;
    try {
      parser = busboy({
        headers: { "content-type": req.headers["content-type"] ?? "" },
        // Browsers send a file name's UTF-8 bytes as they are; busboy would read them as Latin-1.
        defParamCharset: "utf8",
        limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 64 * 1024 },
      });
    } catch (e) {
      reject(new AppError("invalid-argument", `Malformed multipart body: ${(e as Error).message}`));
      return;
    }
    let found: Omit<UploadedFile, "fields"> | undefined;
    const fields: Record<string, string> = {};
    let tooLarge = false;
    parser.on("field", (name: string, value: string) => {
      fields[name] = value;
    });
    parser.on("file", (field, stream, info) => {
      const parts: Buffer[] = [];
      stream.on("data", (d: Buffer) => parts.push(d));
      stream.on("limit", () => {
        tooLarge = true;
      });
      stream.on("end", () => {
        if (field === "file" && !found) {
          found = { fileName: info.filename ?? "", contentType: info.mimeType, bytes: Buffer.concat(parts) };
        }
      });
    });
    parser.on("error", (e: Error) =>
      reject(new AppError("invalid-argument", `Malformed multipart body: ${e.message}`)),
    );
    parser.on("close", () => {
      if (tooLarge)
        reject(new AppError("payload-too-large", `The file exceeds the upload limit of ${maxBytes} bytes`));
      else if (!found) reject(new AppError("invalid-argument", "The multipart body has no 'file' field"));
      else resolve({ ...found, fields });
    });
    parser.end(req.rawBody);
  });
}

export function errorResponse(error: AppError, extraHeaders?: Record<string, string>): ApiResponse {
  return { status: error.status, headers: extraHeaders, body: { error: error.toJSON() } };
}
