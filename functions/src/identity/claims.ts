/**
 * Firebase mode carries a user's tenant and role in Firebase Auth custom claims (`{tenantId, role}`), set
 * only by functions; firestore.rules and `callerFromClaims` read them. Everything that changes a member
 * goes through `ClaimsSetter`, a port small enough to fake: the logic is unit-tested with an in-memory
 * one, and the real setter below against the Firebase Auth emulator (`npm run test:emulators`, which
 * downloads firebase-tools; `npm test` skips those tests).
 */
import type { Deps } from "../platform/deps.js";
import type { Role } from "../platform/caller.js";

export interface TenantClaims {
  readonly tenantId: string;
  readonly role: Role;
}

export interface ClaimsSetter {
  /** The user's custom claims (empty when the user has none, or no longer exists). */
  get(uid: string): Promise<Record<string, unknown>>;
  /** Sets the tenant claims (other custom claims are kept); `null` clears them. */
  set(uid: string, claims: TenantClaims | null): Promise<void>;
  /** Revokes the user's refresh tokens: ID tokens issued before now are refused (`verifyIdToken(t, true)`). */
  revokeSessions(uid: string): Promise<void>;
}

/**
 * Brings a user's claims in line with their membership of `tenantId`: `role`, or `null` when they are no
 * longer a member. Claims naming this tenant with another role are replaced; claims naming another tenant
 * (a member of several, currently elsewhere) are left alone, and so are claims that already match
 * (calling again is safe).
 *
 * Refresh tokens are revoked whenever the claims were replaced or `membershipChanged` (a removal or a role
 * change just committed): an ID token issued before the change may still carry this tenant's old role even
 * when the user's claims now name another tenant (they switched since), and only revocation ends it for
 * `verifyIdToken(token, true)`. firestore.rules cannot check revocation (see the README).
 */
export async function syncMemberClaims(
  setter: ClaimsSetter,
  uid: string,
  tenantId: string,
  role: Role | null,
  membershipChanged = false,
): Promise<void> {
  const current = await setter.get(uid);
  const stale = current.tenantId === tenantId && current.role !== role;
  if (stale) await setter.set(uid, role ? { tenantId, role } : null);
  if (stale || membershipChanged) await setter.revokeSessions(uid);
}

/** The real setter over firebase-admin (loaded on first use); see claims-emulator.test.ts. */
export function firebaseClaimsSetter(): ClaimsSetter {
  const auth = async () => {
    const [{ getApps, initializeApp }, { getAuth }] = await Promise.all([
      import("firebase-admin/app"),
      import("firebase-admin/auth"),
    ]);
    return getAuth(getApps()[0] ?? initializeApp());
  };
  const claimsOf = async (uid: string): Promise<Record<string, unknown>> => {
    try {
      return { ...(await (await auth()).getUser(uid)).customClaims };
    } catch (e) {
      if ((e as { code?: string }).code === "auth/user-not-found") return {};
      throw e;
    }
  };
  return {
    get: claimsOf,
    async set(uid, claims) {
      const { tenantId: _tenantId, role: _role, ...others } = await claimsOf(uid);
      await (await auth()).setCustomUserClaims(uid, claims ? { ...others, ...claims } : others);
    },
    async revokeSessions(uid) {
      await (await auth()).revokeRefreshTokens(uid);
    },
  };
}

/** Firebase mode keeps claims in step with members; local mode has no claims (sessions read the member). */
export function claimsSetterFor(deps: Deps): ClaimsSetter | undefined {
  return deps.config.mode === "firebase" ? firebaseClaimsSetter() : undefined;
}
