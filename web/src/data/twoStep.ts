/**
 * Two-step sign-in settings of the signed-in person: local accounts use the platform's `/auth/mfa/*` routes
 * (TOTP and recovery codes); Firebase mode uses Firebase Auth's TOTP multi-factor (firebase/auth.ts).
 */
import { isRecord, PlatformRequestError } from "./platform";
import {
  backendTwoStep,
  continueSession,
  requestAsSignedIn,
  type TwoStepBackend,
  type TwoStepEnrolment,
  type TwoStepStatus,
} from "./session";

/** Where the studio sends people to set it up (the platform's `mfa-required` refusal names it too). */
export const twoStepPath = "/account/two-step";

const invalid = (path: string) =>
  new PlatformRequestError("invalid-response", path, `${path} answered with something unexpected.`);

function recoveryCodesOf(body: unknown, path: string): string[] {
  if (!isRecord(body) || !Array.isArray(body.recoveryCodes)) throw invalid(path);
  return body.recoveryCodes.filter((c): c is string => typeof c === "string");
}

const localTwoStep: TwoStepBackend = {
  recoveryCodes: true,

  async status(): Promise<TwoStepStatus> {
    const body = await requestAsSignedIn("/auth/mfa");
    if (!isRecord(body) || typeof body.mfaEnrolled !== "boolean") throw invalid("/auth/mfa");
    return {
      enrolled: body.mfaEnrolled,
      thisSession: body.mfa === true,
      enabledAt: typeof body.enabledAt === "string" ? body.enabledAt : undefined,
      recoveryCodesLeft: typeof body.recoveryCodesLeft === "number" ? body.recoveryCodesLeft : null,
    };
  },

  async startEnrolment(): Promise<TwoStepEnrolment> {
    const body = await requestAsSignedIn("/auth/mfa/enroll", { method: "POST" });
    if (!isRecord(body) || typeof body.secret !== "string" || typeof body.otpauthUri !== "string") {
      throw invalid("/auth/mfa/enroll");
    }
    return {
      secret: body.secret,
      otpauthUri: body.otpauthUri,
      ...(typeof body.expiresAt === "string" ? { expiresAt: body.expiresAt } : {}),
      async confirm(code) {
        const answer = await requestAsSignedIn("/auth/mfa/confirm", { method: "POST", body: { code } });
        const recoveryCodes = recoveryCodesOf(answer, "/auth/mfa/confirm");
        // Turning it on ended every other session and renewed this one's token.
        continueSession(answer, "/auth/mfa/confirm");
        return { recoveryCodes };
      },
    };
  },

  async disable(input) {
    const answer = await requestAsSignedIn("/auth/mfa/disable", { method: "POST", body: input });
    continueSession(answer, "/auth/mfa/disable");
  },

  async regenerateRecoveryCodes(code) {
    const answer = await requestAsSignedIn("/auth/mfa/recovery-codes", { method: "POST", body: { code } });
    return recoveryCodesOf(answer, "/auth/mfa/recovery-codes");
  },
};

/** The settings of the current sign-in's kind. */
export function twoStep(): TwoStepBackend {
  return backendTwoStep() ?? localTwoStep;
}

/** The platform refused because the workspace requires two-step sign-in of admins and owners. */
export function isTwoStepRequired(error: PlatformRequestError): boolean {
  return error.status === 403 && error.code === "mfa-required";
}
