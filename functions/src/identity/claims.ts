/**
 * Firebase mode carries a user's tenant and role in Firebase Auth custom claims (`{tenantId, role}`), set
 * only by functions; firestore.rules and `callerFromClaims` read them. Everything that changes a member
 * goes through the `ClaimsSetter` port (`deps.claims`, present in Firebase mode only): the logic is
 * unit-tested with an in-memory one, and the Firebase adapter (platform/firebase/claims-setter.ts) against
 * the Firebase Auth emulator (`npm run test:firebase`, part of `npm test`).
 */
import type { Role } from "../platform/caller.js";
import type { ClaimsSetter } from "../platform/deps.js";

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
