/**
 * The one way the studio talks to the platform's HTTP API. The API shares the studio's origin: the local
 * runtime serves both, Firebase Hosting rewrites `/v1` and `/health` to the functions, and `vite dev`
 * proxies them (vite.config.ts).
 */

export type RequestFailure =
  /** No response at all: the runtime is not running, or the network is down. */
  | "network"
  /** A response with an HTTP error status. */
  | "http"
  /** A 2xx response whose body is not what the endpoint promises. */
  | "invalid-response";

export class PlatformRequestError extends Error {
  override readonly name = "PlatformRequestError";

  constructor(
    readonly failure: RequestFailure,
    readonly path: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Where the studio expects the platform; shown in error messages and in copy-paste commands. */
export function platformOrigin(): string {
  return window.location.origin;
}

const gatewayStatuses = [502, 504];

export interface GetJsonOptions {
  readonly signal?: AbortSignal;
  /** Error statuses whose body is still the answer (e.g. `/health` reports "down" with a 503). */
  readonly acceptStatuses?: readonly number[];
}

export async function getPlatformJson(path: string, options: GetJsonOptions = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, {
      headers: { Accept: "application/json" },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new PlatformRequestError("network", path, `GET ${path} got no response.`);
  }
  const body = await readJson(response);
  if (!response.ok && !options.acceptStatuses?.includes(response.status)) {
    const reason = platformErrorMessage(body);
    if (!reason && gatewayStatuses.includes(response.status)) {
      // A proxy (vite's dev server, Firebase Hosting) answering for a platform that is not there.
      throw new PlatformRequestError(
        "network",
        path,
        `GET ${path} got no response from the platform (the proxy answered HTTP ${response.status}).`,
        response.status,
      );
    }
    throw new PlatformRequestError(
      "http",
      path,
      `GET ${path} answered HTTP ${response.status}${reason ? `: ${reason}` : "."}`,
      response.status,
    );
  }
  if (body === undefined) {
    throw new PlatformRequestError("invalid-response", path, `GET ${path} did not answer with JSON.`);
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

/** The message of the platform's error envelope, `{ "error": { "code", "message" } }`, if the body is one. */
function platformErrorMessage(body: unknown): string | undefined {
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  return typeof body.error.message === "string" ? body.error.message : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
