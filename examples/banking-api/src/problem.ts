// Every error leaves the service as application/problem+json (RFC 9457). This is the service's one error type:
// thrown from anywhere, written once by the server. Problems specific to this API have their own type URI;
// plain HTTP ones use "about:blank" with the status phrase as title, as RFC 9457 section 4.2.1 asks.

export const PROBLEM_TYPE_BASE = "https://banking-api.example/problems/";

/** One field that failed validation: `pointer` for the JSON body (RFC 6901), else the query or header name. */
export interface FieldError {
  detail: string;
  pointer?: string;
  parameter?: string;
  header?: string;
}

export const PROBLEM_KINDS = {
  "validation-error": { status: 400, title: "The request is not valid." },
  "malformed-json": { status: 400, title: "The request body is not valid JSON." },
  "token-request-refused": { status: 400, title: "The token request was refused." },
  unauthenticated: { status: 401, title: "Authentication is required." },
  "insufficient-scope": { status: 403, title: "The credential lacks a required scope." },
  "idempotency-key-reused": {
    status: 409,
    title: "The Idempotency-Key was already used for another request.",
  },
  "payee-exists": { status: 409, title: "A payee with this IBAN already exists." },
  "unknown-account": { status: 422, title: "The account does not exist." },
  "unknown-payee": { status: 422, title: "The payee does not exist." },
  "transfer-limit-exceeded": { status: 422, title: "The amount is over the per-transfer limit." },
  "daily-limit-exceeded": { status: 422, title: "The transfer would exceed the daily limit." },
  "insufficient-funds": { status: 422, title: "The account has insufficient funds." },
  "not-found": { status: 404, title: "Not Found", blank: true },
  "method-not-allowed": { status: 405, title: "Method Not Allowed", blank: true },
  "content-too-large": { status: 413, title: "Content Too Large", blank: true },
  "unsupported-media-type": { status: 415, title: "Unsupported Media Type", blank: true },
  internal: { status: 500, title: "Internal Server Error", blank: true },
} as const satisfies Record<string, { status: number; title: string; blank?: true }>;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

export function problemType(kind: ProblemKind): string {
  return "blank" in PROBLEM_KINDS[kind] ? "about:blank" : PROBLEM_TYPE_BASE + kind;
}

export interface ProblemOptions {
  /** Overrides the kind's usual status (an OAuth invalid_client is a 401, other token refusals 400). */
  status?: number;
  errors?: FieldError[];
  /** Extension members (RFC 9457 section 3.2), e.g. the OAuth `error` code or the existing payee's id. */
  members?: Record<string, string | number>;
  headers?: Record<string, string>;
}

export class BankProblem extends Error {
  readonly kind: ProblemKind;
  readonly status: number;
  readonly options: ProblemOptions;

  constructor(kind: ProblemKind, detail: string, options: ProblemOptions = {}) {
    super(detail);
    this.kind = kind;
    this.status = options.status ?? PROBLEM_KINDS[kind].status;
    this.options = options;
  }

  /** The problem+json document; `instance` is the request path the problem occurred on. */
  body(instance: string): Record<string, unknown> {
    return {
      type: problemType(this.kind),
      title: PROBLEM_KINDS[this.kind].title,
      status: this.status,
      detail: this.message,
      instance,
      ...(this.options.errors ? { errors: this.options.errors } : {}),
      ...this.options.members,
    };
  }
}

export function problem(kind: ProblemKind, detail: string, options?: ProblemOptions): BankProblem {
  return new BankProblem(kind, detail, options);
}

/** A 400 listing every field that failed, so a client (or a model) can fix them all in one retry. */
export function validationProblem(errors: FieldError[]): BankProblem {
  const detail =
    errors.length === 1
      ? (errors[0]?.detail ?? "One field is not valid.")
      : `${errors.length} fields are not valid; see errors.`;
  return new BankProblem("validation-error", detail, { errors });
}
