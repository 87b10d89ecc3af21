/**
 * Firebase mode's identity callables. People sign in with Firebase Auth (email/password or Google); these
 * put them in a tenant by setting custom claims `{tenantId, role}`, after which the client refreshes its ID
 * token (`getIdToken(true)`). Local mode has /auth routes instead, and these answer `unimplemented`.
 * They change claims through the ClaimsSetter port (`deps.claims`, which Firebase mode's deps carry).
 */
import { onCall, type CallableRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import { asCallable } from "../platform/callable.js";
import type { ClaimsSetter, Deps } from "../platform/deps.js";
import { getDeps } from "../platform/process-deps.js";
import { AppError } from "../platform/errors.js";
import "../platform/params.js";
import { acceptInvitationForUser } from "./invitations.js";
import { createTenantForUser, switchTenantForUser, type FirebaseUser } from "./members.js";
import { idSchema, validate } from "../platform/validation.js";
import { tenantNameSchema } from "./schema.js";

function signedInUser(request: CallableRequest): FirebaseUser {
  if (!request.auth) throw new AppError("unauthenticated", "Sign in first");
  const token = request.auth.token as Record<string, unknown>;
  return {
    uid: request.auth.uid,
    email: typeof token.email === "string" ? token.email : undefined,
    emailVerified: token.email_verified === true,
    claims: token,
  };
}

/** Firebase mode's deps and its claims setter; these callables have nothing to do in local mode. */
async function firebaseDeps(): Promise<[Deps, ClaimsSetter]> {
  const deps = await getDeps();
  if (deps.config.mode !== "firebase" || !deps.claims) {
    throw new AppError(
      "unimplemented",
      "In local mode, use POST /auth/signup, /auth/accept-invitation and /auth/switch-tenant",
    );
  }
  return [deps, deps.claims];
}

/** `{tenantName}`: a signed-in user without a tenant creates one and becomes its owner. */
export const createTenant = onCall((request) =>
  asCallable(async () => {
    const user = signedInUser(request);
    const input = validate(z.object({ tenantName: tenantNameSchema }), request.data, "request");
    return createTenantForUser(...(await firebaseDeps()), user, input.tenantName);
  }),
);

/** `{token}`: the signed-in user, whose verified email is the invited one, joins the tenant. */
export const acceptInvitation = onCall((request) =>
  asCallable(async () => {
    const user = signedInUser(request);
    const input = validate(z.object({ token: z.string().min(1).max(600) }), request.data, "request");
    return acceptInvitationForUser(...(await firebaseDeps()), user, input.token);
  }),
);

/** `{tenantId}`: points the user's claims at another tenant they are a member of. */
export const switchTenant = onCall((request) =>
  asCallable(async () => {
    const user = signedInUser(request);
    const input = validate(z.object({ tenantId: idSchema }), request.data, "request");
    return switchTenantForUser(...(await firebaseDeps()), user, input.tenantId);
  }),
);
