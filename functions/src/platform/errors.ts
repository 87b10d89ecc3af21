/**
 * The one error type of the platform. Services throw `AppError`; HTTP handlers turn it into the
 * `{ error: { code, message, details? } }` envelope, callables into an `HttpsError` with the same code.
 */

/** Codes follow Firebase's `FunctionsErrorCode`, plus the few HTTP-only ones a REST API needs. */
export type ErrorCode =
  | "invalid-argument"
  | "failed-precondition"
  | "out-of-range"
  | "unauthenticated"
  | "permission-denied"
  | "not-found"
  | "already-exists"
  | "aborted"
  | "resource-exhausted"
  | "cancelled"
  | "deadline-exceeded"
  | "unimplemented"
  | "unavailable"
  | "internal"
  | "method-not-allowed"
  | "payload-too-large"
  | "unsupported-media-type"
  /** A plan's hard limit or the credits ran out (HTTP 402): `details` names the limit and when it resets. */
  | "payment-required"
  /** The platform operator suspended the workspace (HTTP 403): its data is kept, reads still work. */
  | "workspace-suspended"
  /** The platform operator turned a feature off for the workspace (HTTP 403). */
  | "feature-disabled"
  /** The workspace requires admins and owners to sign in with a second factor (HTTP 403). */
  | "mfa-required";

const httpStatus: Record<ErrorCode, number> = {
  "invalid-argument": 400,
  "failed-precondition": 400,
  "out-of-range": 400,
  unauthenticated: 401,
  "payment-required": 402,
  "permission-denied": 403,
  "workspace-suspended": 403,
  "feature-disabled": 403,
  "mfa-required": 403,
  "not-found": 404,
  "method-not-allowed": 405,
  "already-exists": 409,
  aborted: 409,
  "payload-too-large": 413,
  "unsupported-media-type": 415,
  "resource-exhausted": 429,
  cancelled: 499,
  internal: 500,
  unimplemented: 501,
  unavailable: 503,
  "deadline-exceeded": 504,
};

/** The nearest `FunctionsErrorCode` for the HTTP-only codes, for callables. */
const callableCode: Partial<Record<ErrorCode, ErrorCode>> = {
  "method-not-allowed": "invalid-argument",
  "payload-too-large": "invalid-argument",
  "unsupported-media-type": "invalid-argument",
  "payment-required": "resource-exhausted",
  "workspace-suspended": "permission-denied",
  "feature-disabled": "permission-denied",
  "mfa-required": "permission-denied",
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return httpStatus[this.code];
  }
  get callableCode(): ErrorCode {
    return callableCode[this.code] ?? this.code;
  }
  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Anything thrown becomes an `AppError`; unknown errors become `internal` without leaking their message. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  return new AppError("internal", "An internal error occurred. It has been logged.");
}

export function statusOf(code: ErrorCode): number {
  return httpStatus[code];
}
