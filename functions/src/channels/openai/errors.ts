/**
 * Errors in OpenAI's envelope, `{ error: { message, type, param, code } }`, so OpenAI's clients raise
 * their typed errors (`NotFoundError`, `BadRequestError`...) with our message and can read `param` and
 * `code`. Inside, the platform's one error type still travels: an `AppError` whose details may carry the
 * hints only this API needs (which parameter, OpenAI's machine code, a status other than the code's).
 */
import type { ErrorCode } from "../../platform/errors.js";
import { AppError, toAppError } from "../../platform/errors.js";
import { log } from "../../platform/log.js";
import type { ApiResponse } from "../../platform/http/http.js";

export interface OpenAIErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: string | null;
  };
}

interface Hints {
  /** The request parameter at fault, in OpenAI's notation: `messages[2].content`. */
  readonly param?: string;
  /** OpenAI's machine-readable code, e.g. `model_not_found`. */
  readonly code?: string;
  /** When the HTTP status should differ from the `AppError` code's (a paused agent is a 409 here). */
  readonly status?: number;
}

/** An `AppError` carrying what OpenAI's envelope reports besides the message. */
export function openaiError(code: ErrorCode, message: string, hints: Hints): AppError {
  return new AppError(code, message, { openai: hints });
}

function hintsOf(error: AppError): Hints {
  const details = error.details as { openai?: Hints } | undefined;
  return typeof details === "object" && details !== null && details.openai ? details.openai : {};
}

/** OpenAI's codes for the platform's errors when the thrower gave none. */
const defaultCode: Partial<Record<ErrorCode, string>> = {
  unauthenticated: "invalid_api_key",
  "permission-denied": "permission_denied",
  "not-found": "not_found",
  "resource-exhausted": "rate_limit_exceeded",
  "payment-required": "insufficient_quota",
  "payload-too-large": "payload_too_large",
  unavailable: "service_unavailable",
  "deadline-exceeded": "timeout",
};

/** OpenAI's `type` for a status: what its own API sends (a 429's type is "requests"). */
function typeOf(status: number): string {
  if (status >= 500) return "server_error";
  if (status === 429) return "requests";
  if (status === 402) return "insufficient_quota";
  return "invalid_request_error";
}

/**
 * The response for anything a handler threw. Unknown errors become a 500 without their message (as
 * everywhere in the API) and are logged, since the router never sees an error this function answered.
 */
export function openaiErrorResponse(e: unknown, path: string): ApiResponse {
  const error = toAppError(e);
  const hints = hintsOf(error);
  const status = hints.status ?? error.status;
  if (status >= 500) log.error("openai-compatible request failed", { err: e, path });
  const body: OpenAIErrorBody = {
    error: {
      message: error.message,
      type: typeOf(status),
      param: hints.param ?? null,
      code: hints.code ?? defaultCode[error.code] ?? null,
    },
  };
  // A paused agent or a bad request will not change on retry; OpenAI's SDKs retry 409s unless told.
  const headers = status < 500 && status !== 429 ? { "x-should-retry": "false" } : undefined;
  return { status, headers, body };
}
