/**
 * Firebase mode's sign-in, installed into session.ts at start (start.ts): people sign in with Firebase Auth
 * (email and password), and a workspace is a set of custom claims `{tenantId, role}` that only functions set
 * (functions/src/identity/functions.ts): `identity-createTenant` at sign-up, `identity-acceptInvitation`,
 * `identity-switchTenant`. After each, the ID token is refreshed (`getIdToken(true)`) so the claims arrive,
 * and the `Session` carries that token. An ID token lasts an hour: `freshToken` asks the SDK before every
 * request, which answers the cached one or refreshes it shortly before it expires.
 */
import { isRecord, PlatformRequestError } from "../platform";
import {
  currentSessionState,
  replaceSessionToken,
  roles,
  SecondFactorRequired,
  sessionEndedNotice,
  signOut,
  type AuthBackend,
  type Role,
  type Session,
  type TwoStepBackend,
  type WorkspaceMembership,
} from "../session";
import { firebaseRequestError } from "./errors";
import { membershipsPath, tenantPath } from "./paths";
import type {
  AuthUser,
  Callables,
  FirebaseAuthPort,
  FirestoreReader,
  IdToken,
  SecondFactorError,
} from "./ports";

/** The identity callables, by their deployed names (`identity` group in functions/src/index.ts). */
export const identityCallables = {
  createTenant: "identity-createTenant",
  acceptInvitation: "identity-acceptInvitation",
  switchTenant: "identity-switchTenant",
} as const;

/** One entry of `accounts/{uid}/memberships`: name and role are copies the platform keeps in step. */
export interface MembershipEntry {
  readonly tenantId: string;
  /** Absent on entries written before the platform copied them. */
  readonly name?: string;
  readonly role?: Role;
}

/** What the studio can learn of a user's workspaces under firestore.rules. */
export interface WorkspaceDirectory {
  /** The tenants the user belongs to, oldest membership first (`accounts/{uid}/memberships`). */
  memberships(uid: string): Promise<MembershipEntry[]>;
  /** The tenant's name; readable only while the token's claims name that tenant. */
  tenantName(tenantId: string): Promise<string | undefined>;
}

export function firestoreWorkspaceDirectory(reader: FirestoreReader): WorkspaceDirectory {
  return {
    async memberships(uid) {
      const docs = await reader.getCollection({ path: membershipsPath(uid) });
      return docs
        .map((doc) => ({ tenantId: doc.id, createdAt: String(doc.data.createdAt ?? ""), data: doc.data }))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.tenantId.localeCompare(b.tenantId))
        .map(({ tenantId, data }): MembershipEntry => {
          const role = (roles as readonly unknown[]).includes(data.role) ? (data.role as Role) : undefined;
          return {
            tenantId,
            ...(typeof data.tenantName === "string" ? { name: data.tenantName } : {}),
            ...(role ? { role } : {}),
          };
        });
    },
    async tenantName(tenantId) {
      const doc = await reader.getDocument(tenantPath(tenantId));
      return typeof doc?.data.name === "string" ? doc.data.name : undefined;
    },
  };
}

export interface FirebaseAuthDeps {
  readonly auth: FirebaseAuthPort;
  readonly callables: Callables;
  readonly directory: WorkspaceDirectory;
}

interface TenantClaims {
  readonly tenantId: string;
  readonly role: Role;
}

function tenantClaimsOf(claims: Readonly<Record<string, unknown>>): TenantClaims | undefined {
  const { tenantId, role } = claims;
  return typeof tenantId === "string" && (roles as readonly unknown[]).includes(role)
    ? { tenantId, role: role as Role }
    : undefined;
}

const refused = (what: string, code: string, status: number, reason: string) =>
  new PlatformRequestError("http", what, `${what}: ${reason}`, status, { code, reason });

const signedOutError = () => refused("auth", "unauthenticated", 401, "You are signed out.");

function isSecondFactorError(error: unknown): error is SecondFactorError {
  return isRecord(error) && error.code === "auth/multi-factor-auth-required";
}

/** What authenticator apps show as the account's issuer (the same as local accounts'). */
const totpIssuer = "Alchemist";

/** A second factor the studio cannot ask for (SMS): Firebase Auth has it, the studio signs in with TOTP. */
const unsupportedSecondFactor = () =>
  refused(
    "auth",
    "failed-precondition",
    400,
    "This account's second factor is not an authenticator app; the studio signs in with authenticator apps only",
  );

// ----- workspaces the browser has seen -----------------------------------------------------------------

/**
 * firestore.rules let a user read their memberships, but a tenant's own documents only while their claims
 * name that tenant. The platform copies each workspace's name and the user's role into the membership entry,
 * so the switcher lists them all; for entries written before those copies, it falls back to what this
 * browser has seen (the current workspace, and each one switched to before), and leaves the rest out rather
 * than show a made-up role.
 */
const seenStorageKey = "alchemist.firebase.workspaces";

function readSeen(uid: string): WorkspaceMembership[] {
  try {
    const all = JSON.parse(localStorage.getItem(seenStorageKey) ?? "{}") as Record<string, unknown>;
    const mine = all[uid];
    return Array.isArray(mine)
      ? mine.filter(
          (w): w is WorkspaceMembership =>
            typeof w === "object" &&
            w !== null &&
            typeof (w as WorkspaceMembership).tenantId === "string" &&
            typeof (w as WorkspaceMembership).name === "string" &&
            (roles as readonly unknown[]).includes((w as WorkspaceMembership).role),
        )
      : [];
  } catch {
    return [];
  }
}

function rememberSeen(uid: string, workspace: WorkspaceMembership): void {
  try {
    const all = JSON.parse(localStorage.getItem(seenStorageKey) ?? "{}") as Record<string, unknown>;
    const others = readSeen(uid).filter((w) => w.tenantId !== workspace.tenantId);
    localStorage.setItem(seenStorageKey, JSON.stringify({ ...all, [uid]: [...others, workspace] }));
  } catch {
    // Storage can be disabled: the switcher then shows the current workspace only.
  }
}

// ----- the backend --------------------------------------------------------------------------------------

export function firebaseAuthBackend(deps: FirebaseAuthDeps): AuthBackend {
  const { auth, callables, directory } = deps;

  const call = async (name: string, data: unknown): Promise<unknown> => {
    try {
      return await callables.call(name, data);
    } catch (error) {
      throw firebaseRequestError(error, name);
    }
  };

  const idToken = async (forceRefresh: boolean): Promise<IdToken> => {
    try {
      return await auth.idToken(forceRefresh);
    } catch (error) {
      throw firebaseRequestError(error, "auth");
    }
  };

  const workspacesOf = async (uid: string, current: TenantClaims): Promise<WorkspaceMembership[]> => {
    const seen = readSeen(uid);
    const name =
      (await directory.tenantName(current.tenantId).catch(() => undefined)) ??
      seen.find((w) => w.tenantId === current.tenantId)?.name ??
      current.tenantId;
    const here: WorkspaceMembership = { tenantId: current.tenantId, name, role: current.role };
    rememberSeen(uid, here);
    const memberships = await directory
      .memberships(uid)
      .catch((): MembershipEntry[] => [{ tenantId: current.tenantId }]);
    const listed = memberships.some((m) => m.tenantId === current.tenantId)
      ? memberships
      : [...memberships, { tenantId: current.tenantId }];
    return listed.flatMap((entry): WorkspaceMembership[] => {
      if (entry.tenantId === current.tenantId) return [here];
      if (entry.name !== undefined && entry.role !== undefined) {
        return [{ tenantId: entry.tenantId, name: entry.name, role: entry.role }];
      }
      const known = seen.find((w) => w.tenantId === entry.tenantId);
      return known ? [known] : [];
    });
  };

  /** The session for the signed-in user's current claims (after a refresh when they just changed). */
  const sessionOf = async (user: AuthUser, token: IdToken, email: string | undefined): Promise<Session> => {
    const claims = tenantClaimsOf(token.claims);
    if (!claims) {
      throw refused(
        "auth",
        "permission-denied",
        403,
        "This account is not a member of any workspace yet; ask an admin for an invitation",
      );
    }
    return {
      token: token.token,
      expiresAt: token.expiresAt,
      tenantId: claims.tenantId,
      role: claims.role,
      accountId: user.uid,
      ...(email ? { email } : {}),
      workspaces: await workspacesOf(user.uid, claims),
      signedInWith: "firebase",
    };
  };

  /** Signs out of Firebase Auth when a sign-in could not become a session, so the two never disagree. */
  const orSignOut = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      await auth.signOut().catch(() => undefined);
      throw error;
    }
  };

  const currentUser = (): AuthUser => {
    const user = auth.currentUser();
    if (!user) throw signedOutError();
    return user;
  };

  /** A signed-in Firebase user as the studio's session (pointing the claims at a workspace if need be). */
  const afterSignIn = (user: AuthUser, email: string): Promise<Session> =>
    orSignOut(async () => {
      let token = await idToken(false);
      if (!tenantClaimsOf(token.claims)) {
        // Claims cleared (a removal elsewhere, a lost race): point them at the oldest membership left.
        const [first] = await directory.memberships(user.uid).catch(() => []);
        if (first !== undefined) {
          await call(identityCallables.switchTenant, { tenantId: first.tenantId });
          token = await idToken(true);
        }
      }
      return sessionOf(user, token, user.email ?? email.trim());
    });

  /** The ID token again after the user's factors changed, so the session goes on with a current one. */
  const renewToken = async (user: AuthUser): Promise<void> => {
    const fresh = await idToken(true);
    replaceSessionToken(user.uid, fresh.token, fresh.expiresAt);
  };

  /**
   * Firebase Auth's TOTP multi-factor (Identity Platform; TOTP must be enabled on the project). No recovery
   * codes: Firebase Auth has none. The Auth emulator cannot make TOTP secrets (firebase-tools#6224), so this
   * is tested against the fake port only (auth.test.ts).
   */
  const twoStep: TwoStepBackend = {
    recoveryCodes: false,
    async status() {
      await auth.ready();
      currentUser(); // a signed-out browser answers 401 rather than a made-up status
      const token = await idToken(false);
      // The ID token says how this sign-in was made: `firebase.sign_in_second_factor` is "totp" after a code.
      const firebase = token.claims.firebase;
      const secondFactor = isRecord(firebase) ? firebase.sign_in_second_factor : undefined;
      return {
        enrolled: auth.totpEnrolled(),
        thisSession: typeof secondFactor === "string",
        enabledAt: undefined,
        recoveryCodesLeft: null,
      };
    },
    async startEnrolment() {
      const user = currentUser();
      let started;
      try {
        started = await auth.startTotpEnrolment(user.email ?? user.uid, totpIssuer);
      } catch (error) {
        throw firebaseRequestError(error, "auth");
      }
      return {
        secret: started.secret,
        otpauthUri: started.otpauthUri,
        async confirm(code) {
          try {
            await started.enroll(code);
          } catch (error) {
            throw firebaseRequestError(error, "auth");
          }
          await renewToken(user);
          return { recoveryCodes: [] };
        },
      };
    },
    async disable({ password, code }) {
      const user = currentUser();
      try {
        await auth.reauthenticate(password);
      } catch (error) {
        if (isSecondFactorError(error) && error.resolveWithTotp) {
          // The password was right; a user with a second factor reauthenticates with its code too.
          try {
            await error.resolveWithTotp(code);
          } catch (e) {
            throw firebaseRequestError(e, "auth");
          }
        } else {
          const failure = isRecord(error) ? error.code : undefined;
          if (typeof failure === "string" && wrongPasswordCodes.includes(failure)) {
            throw new PlatformRequestError("http", "auth", "auth: The password is not correct", 403, {
              code: "permission-denied",
              reason: "The password is not correct",
              issues: [{ path: "password", message: "This is not your password" }],
            });
          }
          throw firebaseRequestError(error, "auth");
        }
      }
      try {
        await auth.unenrollTotp();
      } catch (error) {
        throw firebaseRequestError(error, "auth");
      }
      await renewToken(user);
    },
    regenerateRecoveryCodes() {
      return Promise.reject(refused("auth", "unimplemented", 501, "Firebase Auth has no recovery codes"));
    },
  };

  return {
    async signIn({ email, password }) {
      let user: AuthUser;
      try {
        user = await auth.signIn(email.trim(), password);
      } catch (error) {
        if (!isSecondFactorError(error)) throw firebaseRequestError(error, "auth");
        const resolve = error.resolveWithTotp;
        if (!resolve) throw unsupportedSecondFactor();
        // The password was right: the user is signed in once the TOTP code resolves the sign-in.
        throw new SecondFactorRequired({
          acceptsRecoveryCodes: false,
          verify: async (code) => {
            let resolved: AuthUser;
            try {
              resolved = await resolve(code);
            } catch (e) {
              throw firebaseRequestError(e, "auth");
            }
            return afterSignIn(resolved, email);
          },
        });
      }
      return afterSignIn(user, email);
    },

    async signUp({ email, password, workspaceName }) {
      let user: AuthUser;
      try {
        user = await auth.signUp(email.trim(), password);
      } catch (error) {
        throw firebaseRequestError(error, "auth");
      }
      return orSignOut(async () => {
        try {
          await call(identityCallables.createTenant, { tenantName: workspaceName.trim() });
        } catch (error) {
          // The function refused (a name it does not accept…): remove the new account, so signing up again
          // with the same email works. On no answer it may have succeeded: keep the account then.
          if (error instanceof PlatformRequestError && error.status !== undefined && error.status < 500) {
            await auth.deleteCurrentUser().catch(() => undefined);
          }
          throw error;
        }
        return sessionOf(user, await idToken(true), user.email ?? email.trim());
      });
    },

    async acceptInvitation({ token, password }) {
      const user = auth.currentUser();
      if (!user) {
        throw refused(
          "auth",
          "unauthenticated",
          401,
          "Sign in with the invited email's account first (or create one), then open this invitation link again",
        );
      }
      try {
        if (user.email) await auth.reauthenticate(password);
      } catch (error) {
        throw firebaseRequestError(error, "auth");
      }
      try {
        await call(identityCallables.acceptInvitation, { token });
      } catch (error) {
        // The function accepts only a verified email: send the link that verifies it.
        if (
          error instanceof PlatformRequestError &&
          error.code === "failed-precondition" &&
          !user.emailVerified &&
          user.email
        ) {
          await auth.sendEmailVerification().catch(() => undefined);
          throw refused(
            identityCallables.acceptInvitation,
            "failed-precondition",
            400,
            `Verify your email address first: a link is on its way to ${user.email}. Open it, then this invitation link again`,
          );
        }
        throw error;
      }
      return sessionOf(user, await idToken(true), user.email ?? undefined);
    },

    async switchWorkspace(tenantId, current) {
      const user = currentUser();
      await call(identityCallables.switchTenant, { tenantId });
      return sessionOf(user, await idToken(true), current?.email ?? user.email ?? undefined);
    },

    async freshToken(session) {
      await auth.ready();
      const user = auth.currentUser();
      if (!user || user.uid !== session.accountId) throw signedOutError();
      const fresh = await idToken(false);
      if (tenantClaimsOf(fresh.claims)?.tenantId !== session.tenantId) {
        // Claims are the user's, not the tab's: a removal (or a switch elsewhere) moved them.
        throw refused("auth", "unauthenticated", 401, "Your access to this workspace changed.");
      }
      if (fresh.token !== session.token) replaceSessionToken(session.accountId, fresh.token, fresh.expiresAt);
      return fresh.token;
    },

    async changePassword({ currentPassword, newPassword }, current) {
      const user = currentUser();
      try {
        await auth.reauthenticate(currentPassword);
      } catch (error) {
        const code = isRecord(error) ? error.code : undefined;
        if (typeof code === "string" && wrongPasswordCodes.includes(code)) {
          // 403 as the local accounts' route answers, not 401: a typo must not end the session.
          throw new PlatformRequestError("http", "auth", "auth: The current password is not correct", 403, {
            code: "permission-denied",
            reason: "The current password is not correct",
            issues: [{ path: "currentPassword", message: "This is not your current password" }],
          });
        }
        throw firebaseRequestError(error, "auth");
      }
      try {
        await auth.updatePassword(newPassword);
      } catch (error) {
        throw firebaseRequestError(error, "auth");
      }
      // Firebase Auth revoked the user's refresh tokens with the change; this browser's sign-in was renewed.
      return sessionOf(user, await idToken(true), current.email ?? user.email ?? undefined);
    },

    signOut() {
      void auth.signOut().catch(() => undefined);
    },

    twoStep,
  };
}

/** What Firebase Auth answers a reauthentication with a wrong password. */
const wrongPasswordCodes = [
  "auth/wrong-password",
  "auth/invalid-credential",
  "auth/invalid-login-credentials",
];

/**
 * Keeps the studio's session in step with Firebase Auth: a session of another sign-in (a local account, or
 * a Firebase user no longer signed in, e.g. signed out in another tab or whose refresh token was revoked)
 * ends with the usual notice. Answers the unsubscribe.
 */
export function followFirebaseSignIn(auth: FirebaseAuthPort): () => void {
  const session = currentSessionState().session;
  if (session && session.signedInWith !== "firebase") signOut(sessionEndedNotice);
  return auth.onIdTokenChanged((user) => {
    const current = currentSessionState().session;
    if (current?.signedInWith === "firebase" && (!user || user.uid !== current.accountId)) {
      signOut(sessionEndedNotice);
    }
  });
}
