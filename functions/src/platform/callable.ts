/** Maps the platform's errors onto callable `HttpsError`s, with the same codes and messages as the REST API. */
import { HttpsError, type FunctionsErrorCode } from "firebase-functions/v2/https";
import { authenticate, type Caller } from "../identity/authenticate.js";
import type { Deps } from "./deps.js";
import { AppError, toAppError } from "./errors.js";
import { log } from "./log.js";

export async function asCallable<R>(work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof HttpsError) throw e;
    const error = toAppError(e);
    if (!(e instanceof AppError)) log.error("callable failed", { err: e });
    throw new HttpsError(error.callableCode as FunctionsErrorCode, error.message, error.details);
  }
}

/** What a callable receives about its caller: Firebase's verified `auth`, and the raw request. */
export interface CallableCredentials {
  readonly auth?: unknown;
  readonly rawRequest: { readonly headers: Readonly<Record<string, string | string[] | undefined>> };
}

/**
 * The caller of a callable, resolved exactly as the REST API resolves one: by `authenticate` from the request's
 * own `Authorization` header. Firebase has verified an ID token before the function runs, but not whether it
 * was revoked, and the local runtime's `auth` is a summary; going through the one `authenticate` gives every
 * entry point the same caller (tenant, role, an API key's agent scope) and the same revocation checks.
 */
export async function callableCaller(deps: Deps, request: CallableCredentials): Promise<Caller> {
  const header = request.rawRequest.headers.authorization;
  const authorization = Array.isArray(header) ? header[0] : header;
  if (!request.auth || !authorization) throw new AppError("unauthenticated", "Sign in to talk to an agent");
  return authenticate(deps, authorization);
}
