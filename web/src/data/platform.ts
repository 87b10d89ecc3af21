/**
 * The one way the studio talks to the platform's HTTP API. The API shares the studio's origin: the local
 * runtime serves both, Firebase Hosting rewrites `/v1`, `/auth` and `/health` to the functions, and
 * `vite dev` proxies them (vite.config.ts). Requests as the signed-in user go through `session.ts`,
 * which adds the token and ends the session on a 401.
 */

export type RequestFailure =
  /** No response at all: the runtime is not running, or the network is down. */
  | "network"
  /** A response with an HTTP error status. */
  | "http"
  /** A 2xx response whose body is not what the endpoint promises. */
  | "invalid-response";

/** One problem with a request body, as the platform's validation reports it (`path` like `model.temperature`). */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** What the platform's error envelope, `{ "error": { "code", "message", "details" } }`, said. */
export interface PlatformErrorEnvelope {
  /** `invalid-argument`, `not-found`, `unauthenticated`… (Firebase's error codes). */
  readonly code?: string;
  /** The platform's own sentence, fit to show as is ("Incorrect email or password"). */
  readonly reason?: string;
  /** Per-field validation problems, when the body was refused. */
  readonly issues?: readonly FieldIssue[];
  /** The envelope's `details` as sent (a billing refusal's facts, for one), for the area that knows them. */
  readonly details?: unknown;
}

export class PlatformRequestError extends Error {
  override readonly name = "PlatformRequestError";
  readonly code: string | undefined;
  readonly reason: string | undefined;
  readonly issues: readonly FieldIssue[];
  readonly details: unknown;

  constructor(
    readonly failure: RequestFailure,
    readonly path: string,
    message: string,
    readonly status?: number,
    envelope: PlatformErrorEnvelope = {},
  ) {
    super(message);
    this.code = envelope.code;
    this.reason = envelope.reason;
    this.issues = envelope.issues ?? [];
    this.details = envelope.details;
  }
}

/** Where the studio expects the platform; shown in error messages and in copy-paste commands. */
export function platformOrigin(): string {
  return window.location.origin;
}

const gatewayStatuses = [502, 504];

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface GetJsonOptions {
  readonly signal?: AbortSignal;
  /** Error statuses whose body is still the answer (e.g. `/health` reports "down" with a 503). */
  readonly acceptStatuses?: readonly number[];
}

export interface PlatformRequest extends GetJsonOptions {
  readonly method?: HttpMethod;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** A session token or API key, sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
}

export function getPlatformJson(path: string, options: GetJsonOptions = {}): Promise<unknown> {
  return requestPlatformJson(path, options);
}

/**
 * Sends one request and returns the response when it succeeded (or has an accepted status). Every failure
 * becomes a `PlatformRequestError` that says what was asked and, when the platform explained, why it
 * refused. `accept` asks for another representation (e.g. `text/event-stream`).
 */
export async function sendPlatformRequest(
  path: string,
  request: PlatformRequest & { readonly accept?: string } = {},
): Promise<Response> {
  const method = request.method ?? "GET";
  const headers: Record<string, string> = { Accept: request.accept ?? "application/json" };
  if (request.body !== undefined) headers["Content-Type"] = "application/json";
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    if (request.signal?.aborted) throw error;
    throw new PlatformRequestError("network", path, `${method} ${path} got no response.`);
  }
  if (response.ok || request.acceptStatuses?.includes(response.status)) return response;
  const envelope = platformErrorEnvelope(await readJson(response));
  if (!envelope.reason && gatewayStatuses.includes(response.status)) {
    // A proxy (vite's dev server, Firebase Hosting) answering for a platform that is not there.
    throw new PlatformRequestError(
      "network",
      path,
      `${method} ${path} got no response from the platform (the proxy answered HTTP ${response.status}).`,
      response.status,
    );
  }
  throw new PlatformRequestError(
    "http",
    path,
    `${method} ${path} answered HTTP ${response.status}${envelope.reason ? `: ${envelope.reason}` : "."}`,
    response.status,
    envelope,
  );
}

/** Sends one request and returns the JSON body, or `undefined` for `204 No Content`. */
export async function requestPlatformJson(path: string, request: PlatformRequest = {}): Promise<unknown> {
  const response = await sendPlatformRequest(path, request);
  if (response.status === 204) return undefined;
  const body = await readJson(response);
  if (body === undefined) {
    const method = request.method ?? "GET";
    throw new PlatformRequestError("invalid-response", path, `${method} ${path} did not answer with JSON.`);
  }
  return body;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads the platform's error envelope, `{ "error": { "code", "message", "details": { "issues" } } }`. */
export function platformErrorEnvelope(body: unknown): PlatformErrorEnvelope {
  if (!isRecord(body) || !isRecord(body.error)) return {};
  const { code, message, details } = body.error;
  const issues =
    isRecord(details) && Array.isArray(details.issues)
      ? details.issues
          .filter(isRecord)
          .flatMap((issue): FieldIssue[] =>
            typeof issue.path === "string" && typeof issue.message === "string"
              ? [{ path: issue.path, message: issue.message }]
              : [],
          )
      : [];
  return {
    ...(typeof code === "string" ? { code } : {}),
    ...(typeof message === "string" ? { reason: message } : {}),
    ...(issues.length > 0 ? { issues } : {}),
    ...(details !== undefined ? { details } : {}),
  };
}

/** Any failure as a request error: a parser's complaint or a bug is still shown to the user, never swallowed. */
export function asRequestError(error: unknown): PlatformRequestError {
  if (error instanceof PlatformRequestError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PlatformRequestError("invalid-response", "", message);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
