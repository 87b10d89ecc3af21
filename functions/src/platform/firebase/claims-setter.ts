/**
 * The ClaimsSetter port over Firebase Auth (the app's, opened with the other adapters): tenant claims are merged
 * into the user's other custom claims, and sessions end by revoking refresh tokens. Tested against the
 * Auth emulator in identity/claims-emulator.test.ts.
 */
import type { Auth } from "firebase-admin/auth";
import type { ClaimsSetter } from "../deps.js";

export function firebaseClaimsSetter(auth: Auth): ClaimsSetter {
  const claimsOf = async (uid: string): Promise<Record<string, unknown>> => {
    try {
      return { ...(await auth.getUser(uid)).customClaims };
    } catch (e) {
      if ((e as { code?: string }).code === "auth/user-not-found") return {};
      throw e;
    }
  };
  return {
    get: claimsOf,
    async set(uid, claims) {
      const { tenantId: _tenantId, role: _role, ...others } = await claimsOf(uid);
      await auth.setCustomUserClaims(uid, claims ? { ...others, ...claims } : others);
    },
    async revokeSessions(uid) {
      await auth.revokeRefreshTokens(uid);
    },
    async setPlatformAdmin(email, on) {
      let uid: string;
      try {
        uid = (await auth.getUserByEmail(email)).uid;
      } catch (e) {
        if ((e as { code?: string }).code === "auth/user-not-found") {
          throw new Error(`No Firebase Auth user has the email ${email}: they sign up in the studio first`);
        }
        throw e;
      }
      const { platformAdmin: _was, ...others } = await claimsOf(uid);
      await auth.setCustomUserClaims(uid, on ? { ...others, platformAdmin: true } : others);
      // A token minted before carries the claim until it expires: taking it back ends those sessions now.
      if (!on) await auth.revokeRefreshTokens(uid);
      return uid;
    },
  };
}
