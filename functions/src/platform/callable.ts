/** Maps the platform's errors onto callable `HttpsError`s, with the same codes and messages as the REST API. */
import { HttpsError, type FunctionsErrorCode } from "firebase-functions/v2/https";
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
