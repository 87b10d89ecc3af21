/**
 * The ClaimsSetter port over Firebase Auth (firebase-admin, loaded on first use): tenant claims are merged
 * into the user's other custom claims, and sessions end by revoking refresh tokens. Tested against the
 * Auth emulator in identity/claims-emulator.test.ts.
 */
import type { ClaimsSetter } from "../deps.js";

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
