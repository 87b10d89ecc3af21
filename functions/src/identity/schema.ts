/**
 * Identity's collections: local accounts (with their email index and tenant memberships), tenant members
 * and invitations. Every path below is spelled here and nowhere else.
 *
 *   accounts/{accountId}                        email, password (scrypt), sessionGeneration   local mode only
 *   accountEmails/{sha256(email)}               accountId: makes an email unique              local mode only
 *   accounts/{accountId}/endedSessions/{sid}    a signed-out session, kept until its tokens expire (local)
 *   accounts/{accountId}/mfaChallenges/{id}     a sign-in waiting for its second factor: failures, used (local)
 *   accounts/{accountId}/memberships/{tenantId} tenantId, createdAt: "which tenants am I in" (both modes)
 *   tenants/{tenantId}/members/{accountId|uid}  role, email, joinId, createdAt: the source of truth for roles
 *   tenants/{tenantId}/invitations/{id}         email, role, tokenHash, status, expiresAt
 *
 * In Firebase mode the member id is the Firebase Auth uid and there is no account document.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { checkId, roleSchema, roles, tenantPath, type Role } from "../platform/caller.js";
import { sealedSchema } from "../platform/secrets.js";
import { nameSchema } from "../platform/validation.js";

/** Emails are compared lowercased and trimmed, so `Ann@Example.com ` and `ann@example.com` are one account. */
export const emailSchema = z.string().trim().toLowerCase().max(254).pipe(z.email("must be an email address"));

export const passwordSchema = z
  .string()
  .min(10, "must be at least 10 characters")
  .max(200, "must be at most 200 characters");

export const tenantNameSchema = nameSchema("tenantName", 120);

export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

// ----- accounts (local mode) ----------------------------------------------------------------------

/** A scrypt hash with the parameters it was made with, so the cost can rise without breaking old hashes. */
export const passwordHashSchema = z.object({
  algorithm: z.literal("scrypt"),
  // Bounded so a damaged record cannot make a login allocate gigabytes.
  N: z
    .number()
    .int()
    .min(2 ** 10)
    .max(2 ** 20),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  /** base64 */
  salt: z.string(),
  /** base64; its length is the key length. */
  hash: z.string(),
});
export type PasswordHash = z.infer<typeof passwordHashSchema>;

/**
 * An account's second factor: a TOTP secret (base32, sealed with the operator's key: the account document
 * holds no secret in the clear, so a copied database file or backup does not hand out second factors), its
 * recovery codes (sha256 of the normalized code; the codes are shown once), and the last time step a code
 * was accepted for, so a code once used (at sign-in, or to change the settings) is never accepted again.
 */
export const accountMfaSchema = z.object({
  secret: sealedSchema,
  enabledAt: z.string(),
  recoveryCodes: z.array(
    z.object({ hash: z.string().regex(/^[a-f0-9]{64}$/), usedAt: z.string().nullable() }),
  ),
  lastStep: z.number().int(),
});
export type AccountMfa = z.infer<typeof accountMfaSchema>;

export const pendingMfaSchema = z.object({ secret: sealedSchema, expiresAt: z.string() });

export const accountSchema = z.object({
  email: z.string(),
  password: passwordHashSchema,
  createdAt: z.string(),
  /**
   * Every session token names the generation it was issued under; raising it ends all of the account's
   * sessions at once ("sign out everywhere", a password change). A counter rather than a time: two
   * events in the same millisecond (or under a test's stopped clock) still order exactly.
   */
  sessionGeneration: z.number().int().min(0).default(0),
  passwordChangedAt: z.string().optional(),
  /** Two-step sign-in (mfa.ts); null or absent when it is off. */
  mfa: accountMfaSchema.nullish(),
  /** A TOTP secret shown to the person but not confirmed with a code yet (mfa.ts); null or absent if none. */
  mfaPending: pendingMfaSchema.nullish(),
});
export type Account = z.infer<typeof accountSchema>;

/**
 * A sign-in that passed the password and waits for its second factor. The challenge token names it; this
 * document counts the wrong codes (the challenge dies at the limit) and marks it used (it opens one session).
 */
export const mfaChallengeSchema = z.object({
  tenantId: z.string(),
  failures: z.number().int().min(0),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
});
export type MfaChallengeRecord = z.infer<typeof mfaChallengeSchema>;

export const accountEmailSchema = z.object({ accountId: z.string() });

/**
 * An account's index entry for one tenant it belongs to. `tenantName` and `role` are copies, kept in step by
 * every write of the member (join, role change; removal deletes the entry), so the studio in Firebase mode
 * can list the workspaces of the signed-in user under firestore.rules, which hide other tenants' documents.
 * Entries written before the copies existed lack them; the server reads the member documents themselves.
 */
export const membershipSchema = z.object({
  tenantId: z.string(),
  createdAt: z.string(),
  tenantName: z.string().optional(),
  role: roleSchema.optional(),
});

export const memberPath = (tenantId: string, uid: string): string =>
  `${tenantPath(tenantId)}/members/${checkId(uid, "user id")}`;
export const accountPath = (accountId: string): string => `accounts/${checkId(accountId, "account id")}`;
/** Keyed by a hash so the document id is a valid id whatever the email holds. */
export const accountEmailPath = (normalizedEmail: string): string =>
  `accountEmails/${sha256Hex(normalizedEmail)}`;
export const membershipsPath = (accountId: string): string => `${accountPath(accountId)}/memberships`;

/** A session signed out on its own (`POST /auth/logout`); the entry is useless once `expiresAt` passes. */
export const endedSessionSchema = z.object({ endedAt: z.string(), expiresAt: z.string() });
export const endedSessionsPath = (accountId: string): string => `${accountPath(accountId)}/endedSessions`;
export const endedSessionPath = (accountId: string, sessionId: string): string =>
  `${endedSessionsPath(accountId)}/${checkId(sessionId, "session id")}`;
export const mfaChallengesPath = (accountId: string): string => `${accountPath(accountId)}/mfaChallenges`;
export const mfaChallengePath = (accountId: string, challengeId: string): string =>
  `${mfaChallengesPath(accountId)}/${checkId(challengeId, "challenge id")}`;
export const membershipPath = (accountId: string, tenantId: string): string =>
  `${membershipsPath(accountId)}/${checkId(tenantId, "tenant id")}`;

// ----- members ------------------------------------------------------------------------------------

export const memberSchema = z.object({
  role: roleSchema,
  email: z.string(),
  /**
   * A fresh id each time someone joins: a local session token names the join it was issued under, so a
   * token from before a removal never works again after a re-invitation. Absent on members written
   * before it existed (their tokens carry none either).
   */
  joinId: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
});
export type Member = z.infer<typeof memberSchema>;

export const membersPath = (tenantId: string): string => `${tenantPath(tenantId)}/members`;

export const roleRank = (role: Role): number => roles.indexOf(role);

// ----- invitations --------------------------------------------------------------------------------

export const invitationTtlMs = 7 * 24 * 3600 * 1000;

export const invitationSchema = z.object({
  email: z.string(),
  role: roleSchema,
  /** sha256 of the token; the token itself is shown once, to the admin who created the invitation. */
  tokenHash: z.string().regex(/^[a-f0-9]{64}$/),
  status: z.enum(["pending", "accepted", "revoked"]),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable().default(null),
  acceptedBy: z.string().nullable().default(null),
  revokedAt: z.string().nullable().default(null),
  revokedBy: z.string().nullable().default(null),
});
export type Invitation = z.infer<typeof invitationSchema>;

export const invitationsPath = (tenantId: string): string => `${tenantPath(tenantId)}/invitations`;
export const invitationPath = (tenantId: string, invitationId: string): string =>
  `${invitationsPath(tenantId)}/${checkId(invitationId, "invitation id")}`;
