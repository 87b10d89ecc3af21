/**
 * Identity's REST routes: local accounts and sessions under `/auth` (public: they hand out credentials),
 * members and invitations under `/v1` (admins). Thin handlers over accounts, members and invitations.
 */
import { environmentNameSchema } from "./environments.js";
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { roleSchema } from "../platform/caller.js";
import { nameSchema, validate } from "../platform/validation.js";
import { issueApiKey, listApiKeys, revokeApiKey } from "./api-keys.js";
import { route, type Route } from "../platform/http/router.js";
import {
  changePassword,
  changePasswordInput,
  logInInput,
  requireLocalAccounts,
  signUp,
  signUpInput,
  switchTenant,
} from "./accounts.js";
import {
  acceptInvitationInput,
  createInvitation,
  createInvitationInput,
  listInvitations,
  revokeInvitation,
} from "./invitations.js";
import { apiKeyDispositionSchema, changeMemberRole, listMembers, removeMember } from "./members.js";
import { idSchema } from "../platform/validation.js";
import { endAllSessions, endSession, sessionFromAuthorization, type VerifiedSession } from "./sessions.js";
import {
  acceptInvitation,
  confirmEnrolment,
  confirmEnrolmentInput,
  disableInput,
  disableMfa,
  logIn,
  mfaStatus,
  regenerateInput,
  regenerateRecoveryCodes,
  startEnrolment,
  verifyChallenge,
  verifyChallengeInput,
} from "./mfa.js";

const signedIn = z.object({
  token: z.string(),
  expiresAt: z.string(),
  tenantId: z.string(),
  role: roleSchema,
  accountId: z.string(),
});
const tenantsList = z.array(z.object({ tenantId: z.string(), name: z.string(), role: roleSchema }));
const loggedIn = signedIn.extend({ tenants: tenantsList });
const mfaChallenge = z.object({
  mfaRequired: z.literal(true),
  challenge: z.string(),
  expiresAt: z.string(),
});
const recoveryCodes = z.array(z.string());

const member = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  createdAt: z.string(),
  updatedAt: z.string().optional(),
});
const memberParams = z.object({ memberId: idSchema });
const removedMember = member.extend({
  revokedApiKeys: z.array(z.string()),
  transferredApiKeys: z.array(z.string()),
  revokedInvitations: z.array(z.string()),
});
const sessionsEnded = z.object({ endedAt: z.string() });

const invitation = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  status: z.enum(["pending", "accepted", "revoked"]),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
  acceptedBy: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
});
const invitationParams = z.object({ invitationId: idSchema });

const localOnly = "Local mode only (404 in Firebase mode, where Firebase Auth signs people in).";

/**
 * The session a route needs (not an API key, which belongs to no person). Local mode is checked first, so
 * Firebase mode answers these routes 404 whatever the credentials.
 */
function requireSession(
  deps: Deps,
  authorization: string | undefined,
  refusal: string,
): Promise<VerifiedSession> {
  requireLocalAccounts(deps);
  return sessionFromAuthorization(deps, authorization, refusal);
}

export const identityRoutes: Route<unknown, unknown>[] = [
  // ----- local accounts and sessions -----
  route({
    method: "POST",
    path: "/auth/signup",
    summary:
      "Create an account and a new tenant it owns; returns a 12-hour session token to send as " +
      `'Authorization: Bearer <token>' on every /v1 route. ${localOnly}`,
    tag: "Identity",
    permission: null,
    body: { kind: "json", schema: signUpInput },
    status: 201,
    response: signedIn,
    handle: ({ deps, body }) => signUp(deps, body),
  }),
  route({
    method: "POST",
    path: "/auth/login",
    summary:
      "Sign in to a tenant (tenantId, or the oldest membership); returns a session token and the account's " +
      "tenants. A wrong email or password gets one answer. For an account with two-step sign-in it returns " +
      "{mfaRequired, challenge, expiresAt} instead: send the challenge and a code to POST /auth/mfa/verify " +
      `within 5 minutes. ${localOnly}`,
    tag: "Identity",
    permission: null,
    body: { kind: "json", schema: logInInput },
    response: z.union([loggedIn, mfaChallenge]),
    handle: ({ deps, body }) => logIn(deps, body),
  }),
  route({
    // Public in the table because only a session token will do (not an API key): the handler checks it.
    method: "POST",
    path: "/auth/switch-tenant",
    summary: `With a session token, get a new one for another tenant the account is a member of. ${localOnly}`,
    tag: "Identity",
    permission: null,
    body: { kind: "json", schema: z.object({ tenantId: idSchema }) },
    response: loggedIn,
    handle: async ({ deps, request, body }) => {
      const session = await requireSession(
        deps,
        request.headers.authorization,
        "Switching tenants needs a session token from POST /auth/login; an API key belongs to one tenant",
      );
      return switchTenant(deps, session, body.tenantId);
    },
  }),
  route({
    method: "POST",
    path: "/auth/logout",
    summary:
      "Sign out: the session token sent (and every token its tenant switches handed out) stops working at " +
      `once. Other sessions of the account go on. Needs a session token. ${localOnly}`,
    tag: "Identity",
    permission: null,
    response: sessionsEnded,
    handle: async ({ deps, request }) =>
      endSession(
        deps,
        await requireSession(
          deps,
          request.headers.authorization,
          "Signing out needs the session token to end",
        ),
      ),
  }),
  route({
    method: "POST",
    path: "/auth/logout-everywhere",
    summary:
      "Sign out everywhere: every session of the account, this one included, in every tenant, stops " +
      `working at once. Needs a session token. ${localOnly}`,
    tag: "Identity",
    permission: null,
    response: sessionsEnded,
    handle: async ({ deps, request }) =>
      endAllSessions(
        deps,
        await requireSession(
          deps,
          request.headers.authorization,
          "Signing out everywhere needs a session token",
        ),
      ),
  }),
  route({
    method: "POST",
    path: "/auth/change-password",
    summary:
      "Change the account's password (current and new; the new one 10 to 200 characters): every other " +
      "session ends, and this one goes on with the new token returned. A wrong current password answers " +
      "403 (the session stays valid). Attempts are rate limited per client and per account. Needs a " +
      `session token. ${localOnly}`,
    tag: "Identity",
    permission: null,
    body: { kind: "json", schema: changePasswordInput },
    response: loggedIn,
    handle: async ({ deps, request, body }) =>
      changePassword(
        deps,
        await requireSession(
          deps,
          request.headers.authorization,
          "Changing the password needs a session token",
        ),
        body,
      ),
  }),
  route({
    method: "POST",
    path: "/auth/mfa/verify",
    summary:
      "The second step of signing in: the challenge POST /auth/login answered and the 6-digit code of the " +
      "authenticator app (one step of drift either way) or an unused recovery code. Returns the session, " +
      "marked as signed in with a second factor. A wrong code answers 403; the 5th wrong code, an expired " +
      "or used challenge answer 401 (sign in again). A code is accepted once only. " +
      localOnly,
    tag: "Identity",
    permission: null,
    body: { kind: "json", schema: verifyChallengeInput },
    response: loggedIn,
    handle: ({ deps, body }) => verifyChallenge(deps, body),
  }),
  route({
    method: "GET",
    path: "/auth/mfa",
    summary:
      "Two-step sign-in of the session's account: whether it is on (mfaEnrolled), whether this session " +
      `signed in with it (mfa), and how many recovery codes are left. Needs a session token. ${localOnly}`,
    tag: "Identity",
    permission: null,
    response: z.object({
      mfaEnrolled: z.boolean(),
      mfa: z.boolean(),
      enabledAt: z.string().nullable(),
      recoveryCodesLeft: z.number().int().nullable(),
    }),
    handle: async ({ deps, request }) =>
      mfaStatus(
        deps,
        await requireSession(
          deps,
          request.headers.authorization,
          "Two-step sign-in settings need a session token",
        ),
      ),
  }),
  route({
    method: "POST",
    path: "/auth/mfa/enroll",
    summary:
      "Start setting up two-step sign-in: a new TOTP secret (base32) and its otpauth:// URI for an " +
      "authenticator app, valid 10 minutes until confirmed with a code. Needs a session token (not an API " +
      `key). ${localOnly}`,
    tag: "Identity",
    permission: null,
    response: z.object({ secret: z.string(), otpauthUri: z.string(), expiresAt: z.string() }),
    handle: async ({ deps, request }) =>
      startEnrolment(
        deps,
        await requireSession(
          deps,
          request.headers.authorization,
          "Setting up two-step sign-in needs a session token",
        ),
      ),
  }),
  route({
    method: "POST",
    path: "/auth/mfa/confirm",
    summary:
      "Turn two-step sign-in on with a code of the secret from POST /auth/mfa/enroll. Returns 10 recovery " +
      "codes (this once) and a new token for this session; the account's other sessions end. Needs a " +
      `session token. ${localOnly}`,
    tag: "Identity",
    permission: null,
    body: { kind: "json", schema: confirmEnrolmentInput },
    response: loggedIn.extend({ recoveryCodes }),
    handle: async ({ deps, request, body }) =>
      confirmEnrolment(
        deps,
        await requireSession(
          deps,
          request.headers.authorization,
          "Setting up two-step sign-in needs a session token",
        ),
        body,
      ),
  }),
  route({
    method: "POST",
    path: "/auth/mfa/disable",
    summary:
      "Turn two-step sign-in off, with the password and a code (or a recovery code). The account's other " +
      `sessions end; this one goes on with the new token returned. Needs a session token. ${localOnly}`,
    tag: "Identity",
    permission: null,
    body: { kind: "json", schema: disableInput },
    response: loggedIn,
    handle: async ({ deps, request, body }) =>
      disableMfa(
        deps,
        await requireSession(
          deps,
          request.headers.authorization,
          "Turning two-step sign-in off needs a session token",
        ),
        body,
      ),
  }),
  route({
    method: "POST",
    path: "/auth/mfa/recovery-codes",
    summary:
      "Replace every recovery code with 10 new ones (returned this once), with a code of the authenticator " +
      `app or a recovery code. Needs a session token. ${localOnly}`,
    tag: "Identity",
    permission: null,
    body: { kind: "json", schema: regenerateInput },
    response: z.object({ recoveryCodes }),
    handle: async ({ deps, request, body }) =>
      regenerateRecoveryCodes(
        deps,
        await requireSession(deps, request.headers.authorization, "New recovery codes need a session token"),
        body,
      ),
  }),
  route({
    method: "POST",
    path: "/auth/accept-invitation",
    summary:
      "Accept an invitation: joins with the invited email's account (send its password) or creates it " +
      "with the given password; returns a session token for the tenant, or, for an account with two-step " +
      "sign-in, a challenge to answer at POST /auth/mfa/verify as after a login. Single use. " +
      `${localOnly} In Firebase mode call the identity-acceptInvitation function.`,
    tag: "Identity",
    permission: null,
    body: { kind: "json", schema: acceptInvitationInput },
    response: z.union([signedIn, mfaChallenge]),
    handle: ({ deps, body }) => acceptInvitation(deps, body),
  }),

  // ----- members -----
  route({
    method: "GET",
    path: "/v1/members",
    summary: "List the tenant's members with their roles, oldest first",
    tag: "Identity",
    permission: "members.manage",
    response: z.object({ members: z.array(member) }),
    handle: async ({ deps, caller }) => ({ members: await listMembers(deps, caller.tenantId) }),
  }),
  route({
    method: "PATCH",
    path: "/v1/members/{memberId}",
    summary:
      "Change a member's role: at most your own; only owners grant or revoke owner; not your own role; " +
      "never the last owner's. Takes effect on the member's next request; a demotion revokes their API keys " +
      "and pending invitations above the new role",
    tag: "Identity",
    permission: "members.manage",
    params: memberParams,
    body: { kind: "json", schema: z.object({ role: roleSchema }) },
    response: member,
    handle: ({ deps, caller, params, body }) =>
      changeMemberRole(deps, caller, params.memberId, body.role, deps.claims),
  }),
  route({
    method: "DELETE",
    path: "/v1/members/{memberId}",
    summary:
      "Remove a member (only owners remove owners; never the last owner). Their sessions stop at once, " +
      "their pending invitations are revoked, and so are the API keys they created, unless " +
      "'?apiKeys=transfer' asks for them to be yours instead (signed-in people only; a key above your role " +
      "is revoked, never handed over). Leaving (removing yourself) always revokes",
    tag: "Identity",
    permission: "members.manage",
    params: memberParams,
    response: removedMember,
    handle: ({ deps, caller, params, request }) => {
      const apiKeys = validate(
        apiKeyDispositionSchema.default("revoke"),
        request.query.get("apiKeys") ?? undefined,
        "apiKeys",
      );
      return removeMember(deps, caller, params.memberId, deps.claims, { apiKeys });
    },
  }),

  // ----- invitations -----
  route({
    method: "POST",
    path: "/v1/invitations",
    summary:
      "Invite an email with a role (at most your own). No email is sent: share the returned acceptUrl " +
      "(a studio page) yourself. Its token is in this response only and expires in 7 days",
    tag: "Identity",
    permission: "members.manage",
    body: { kind: "json", schema: createInvitationInput },
    status: 201,
    response: z.object({
      id: z.string(),
      email: z.string(),
      role: roleSchema,
      token: z.string(),
      acceptUrl: z.string(),
      expiresAt: z.string(),
    }),
    handle: ({ deps, caller, body }) => createInvitation(deps, caller, body),
  }),
  route({
    method: "GET",
    path: "/v1/invitations",
    summary: "List pending invitations (never their tokens), newest first",
    tag: "Identity",
    permission: "members.manage",
    response: z.object({ invitations: z.array(invitation) }),
    handle: async ({ deps, caller }) => ({ invitations: await listInvitations(deps, caller.tenantId) }),
  }),
  route({
    method: "DELETE",
    path: "/v1/invitations/{invitationId}",
    summary: "Revoke a pending invitation: its link stops working at once",
    tag: "Identity",
    permission: "members.manage",
    params: invitationParams,
    response: invitation,
    handle: ({ deps, caller, params }) => revokeInvitation(deps, caller, params.invitationId),
  }),
];

const createApiKeyInput = z.object({
  name: nameSchema("name", 120),
  role: roleSchema,
  /** Limit the key to talking to this agent (for a channel or a widget). */
  agentId: idSchema.optional(),
  /** The environment whose agent versions the key talks to (one of the workspace's; production by default). */
  environment: environmentNameSchema.optional(),
});

/** What the API-key routes need to know of agents (identity stands below them): that one exists. */
export interface AgentLookup {
  requireAgent(deps: Deps, tenantId: string, agentId: string): Promise<unknown>;
}

/** API keys: created with a role at most the caller's own, listed without the keys, revoked at once. */
export function apiKeyRoutes(agents: AgentLookup): Route<unknown, unknown>[] {
  return [
    route({
      method: "POST",
      path: "/v1/api-keys",
      summary:
        "Create an API key with a role (at most your own), optionally limited to one agent, bound to an " +
        "environment (production by default); the key is in this response only",
      tag: "Identity",
      permission: "keys.manage",
      body: { kind: "json", schema: createApiKeyInput },
      status: 201,
      response: z.object({ id: z.string(), key: z.string() }),
      handle: ({ deps, caller, body }) => issueApiKey(deps, caller, body, agents.requireAgent),
    }),
    route({
      method: "GET",
      path: "/v1/api-keys",
      summary: "List API keys (never the keys themselves), with their role, agent, and last use",
      tag: "Identity",
      permission: "keys.manage",
      handle: async ({ deps, caller }) => ({ keys: await listApiKeys(deps, caller.tenantId) }),
    }),
    route({
      method: "DELETE",
      path: "/v1/api-keys/{keyId}",
      summary: "Revoke an API key: it stops working at once",
      tag: "Identity",
      permission: "keys.manage",
      // Revoking a key stays possible in a suspended workspace: it only takes access away.
      allowSuspended: true,
      params: z.object({ keyId: idSchema }),
      handle: ({ deps, caller, params }) => revokeApiKey(deps, caller, params.keyId),
    }),
  ];
}
