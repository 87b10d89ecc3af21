/**
 * Firebase SDK errors as the studio's `PlatformRequestError`s, with the statuses and codes the REST API
 * would have answered (functions/src/platform/errors.ts), so screens show Firebase mode's failures exactly
 * as local mode's: a reason in the platform's words, field issues next to their field, a 401 ends the session.
 * The SDK's errors are `FirebaseError`s: read by their `code` (`auth/…`, `functions/…`, `storage/…`, or a bare
 * gRPC code for Firestore), never by class, so this module does not import the SDK.
 */
import { isRecord, PlatformRequestError, type FieldIssue } from "../platform";

/** The HTTP status the platform answers each error code with (functions/src/platform/errors.ts). */
const statusOfCode: Readonly<Record<string, number>> = {
  "invalid-argument": 400,
  "failed-precondition": 400,
  "out-of-range": 400,
  unauthenticated: 401,
  "permission-denied": 403,
  "not-found": 404,
  "already-exists": 409,
  aborted: 409,
  "resource-exhausted": 429,
  /** A plan's limit or the credits (a callable says resource-exhausted with `details.billing`). */
  "payment-required": 402,
  cancelled: 499,
  internal: 500,
  unknown: 500,
  "data-loss": 500,
  unimplemented: 501,
  unavailable: 503,
  "deadline-exceeded": 504,
};

interface AuthFailure {
  readonly code: string;
  readonly reason: string;
  readonly issue?: FieldIssue;
}

/** Firebase Auth's codes, in the sentences the local accounts' routes use for the same situations. */
const authFailures: Readonly<Record<string, AuthFailure>> = {
  "auth/invalid-credential": { code: "unauthenticated", reason: "Incorrect email or password" },
  "auth/invalid-login-credentials": { code: "unauthenticated", reason: "Incorrect email or password" },
  "auth/wrong-password": { code: "unauthenticated", reason: "Incorrect email or password" },
  "auth/user-not-found": { code: "unauthenticated", reason: "Incorrect email or password" },
  "auth/user-disabled": { code: "permission-denied", reason: "This account is disabled" },
  "auth/email-already-in-use": {
    code: "already-exists",
    reason: "An account with this email already exists; sign in instead",
    issue: { path: "email", message: "An account with this email already exists; sign in instead." },
  },
  "auth/invalid-email": {
    code: "invalid-argument",
    reason: "Enter a valid email address",
    issue: { path: "email", message: "Enter a valid email address." },
  },
  "auth/weak-password": {
    code: "invalid-argument",
    reason: "Choose a stronger password",
    issue: { path: "password", message: "Choose a stronger password." },
  },
  "auth/missing-password": {
    code: "invalid-argument",
    reason: "Enter your password",
    issue: { path: "password", message: "Enter your password." },
  },
  "auth/too-many-requests": {
    code: "resource-exhausted",
    reason: "Too many attempts; wait a moment and try again",
  },
  "auth/user-token-expired": { code: "unauthenticated", reason: "Your sign-in has expired; sign in again" },
  "auth/requires-recent-login": { code: "unauthenticated", reason: "Sign in again to continue" },
  "auth/no-current-user": { code: "unauthenticated", reason: "You are signed out." },
  // TOTP second factor (firebase/auth.ts): a wrong code is a field to fix, as the local accounts answer it.
  "auth/invalid-verification-code": {
    code: "permission-denied",
    reason: "This code is not right; use the code your app shows now",
    issue: { path: "code", message: "This code is not right; use the code your app shows now" },
  },
  "auth/missing-verification-code": {
    code: "invalid-argument",
    reason: "Enter the 6-digit code from your authenticator app",
    issue: { path: "code", message: "Enter the 6-digit code from your authenticator app" },
  },
  "auth/invalid-multi-factor-session": {
    code: "unauthenticated",
    reason: "This sign-in attempt expired; sign in again with your password",
  },
  "auth/missing-multi-factor-session": {
    code: "unauthenticated",
    reason: "This sign-in attempt expired; sign in again with your password",
  },
  "auth/unverified-email": {
    code: "failed-precondition",
    reason: "Verify your email address before setting up two-step sign-in",
  },
  "auth/operation-not-allowed": {
    code: "failed-precondition",
    reason: "Two-step sign-in with an authenticator app is not enabled for this Firebase project",
  },
};

const networkCodes = ["auth/network-request-failed", "storage/retry-limit-exceeded", "unavailable"];

/** Storage's own codes, as the generic ones they mean. */
const storageCodes: Readonly<Record<string, string>> = {
  "storage/unauthenticated": "unauthenticated",
  "storage/unauthorized": "permission-denied",
  "storage/quota-exceeded": "resource-exhausted",
  "storage/canceled": "cancelled",
  "storage/object-not-found": "not-found",
};

/** Firestore's "Missing or insufficient permissions." says nothing a person can act on. */
const permissionReason = "Your role in this workspace does not allow this.";

/** `what` names the operation for messages and the error's `path`, e.g. `tenants/acme/agents` or a callable. */
export function firebaseRequestError(error: unknown, what: string): PlatformRequestError {
  if (error instanceof PlatformRequestError) return error;
  const rawCode = isRecord(error) && typeof error.code === "string" ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (rawCode === undefined) return new PlatformRequestError("invalid-response", what, message);
  if (networkCodes.includes(rawCode)) {
    return new PlatformRequestError("network", what, `${what} got no response from Firebase.`);
  }
  const auth = authFailures[rawCode];
  if (auth) {
    return new PlatformRequestError("http", what, `${what}: ${auth.reason}`, statusOfCode[auth.code], {
      code: auth.code,
      reason: auth.reason,
      ...(auth.issue ? { issues: [auth.issue] } : {}),
    });
  }
  const details = isRecord(error) ? error.details : undefined;
  const bare = storageCodes[rawCode] ?? rawCode.replace(/^(functions|firestore|storage|auth)\//, "");
  // Callables carry a billing refusal (HTTP 402 over REST) as resource-exhausted, with its facts in details.
  const code =
    bare === "resource-exhausted" && isRecord(details) && isRecord(details.billing)
      ? "payment-required"
      : bare;
  // Callables answer the platform's own message (and its validation issues in `details`).
  const fromPlatform = rawCode.startsWith("functions/") && message !== "" && message !== code.toUpperCase();
  const reason =
    code === "permission-denied" && !fromPlatform ? permissionReason : message.replace(/^Firebase: /, "");
  const issues = issuesOf(details);
  return new PlatformRequestError("http", what, `${what}: ${reason}`, statusOfCode[code] ?? 500, {
    code,
    reason,
    ...(issues.length > 0 ? { issues } : {}),
    ...(details !== undefined ? { details } : {}),
  });
}

/** The platform's validation issues, `details: { issues: [{ path, message }] }`, as callables carry them. */
function issuesOf(details: unknown): FieldIssue[] {
  if (!isRecord(details) || !Array.isArray(details.issues)) return [];
  return details.issues
    .filter(isRecord)
    .flatMap((issue): FieldIssue[] =>
      typeof issue.path === "string" && typeof issue.message === "string"
        ? [{ path: issue.path, message: issue.message }]
        : [],
    );
}
