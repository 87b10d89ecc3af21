/**
 * Who is signed in, to which workspace (a tenant, in the API's words), and the one way to call the platform
 * as them. The session lives in localStorage so a reload or a new tab stays signed in; the platform still
 * checks the membership on every request, so a removed member is refused at once (a 401 here signs out).
 *
 * Local mode signs in with `/auth/*` (local accounts, `als_` session tokens). Firebase mode installs an
 * `AuthBackend` (firebase/auth.ts) that signs in with Firebase Auth and puts its ID token in the same
 * `Session`: the REST API accepts both, so nothing past this module changes.
 */
import { useSyncExternalStore } from "react";
import { isRecord, PlatformRequestError, requestPlatformJson, type PlatformRequest } from "./platform";

export const roles = ["viewer", "editor", "admin", "owner"] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  viewer: "Viewer",
  editor: "Editor",
  admin: "Admin",
  owner: "Owner",
};

export interface WorkspaceMembership {
  readonly tenantId: string;
  readonly name: string;
  readonly role: Role;
}

export interface Session {
  readonly token: string;
  readonly expiresAt: string;
  readonly tenantId: string;
  /** The role when the token was issued; the platform checks the current one on every request. */
  readonly role: Role;
  readonly accountId: string;
  /** As typed at sign-in; unknown after accepting an invitation. */
  readonly email?: string;
  /** Every workspace the account belongs to, for the switcher. */
  readonly workspaces: readonly WorkspaceMembership[];
  /**
   * `firebase` when Firebase Auth signed in: `token` is an ID token that lasts an hour and is refreshed
   * before each request, so its `expiresAt` passing does not end the session. Absent for local accounts.
   */
  readonly signedInWith?: "firebase";
}

/**
 * Where sign-in happens when it is not the local runtime's `/auth/*` routes: Firebase mode installs one
 * (`installAuthBackend`) before the studio renders. Each method answers the session to start.
 */
export interface AuthBackend {
  /** Throws `SecondFactorRequired` when the account signs in with a second factor. */
  signIn(input: { email: string; password: string }): Promise<Session>;
  signUp(input: { email: string; password: string; workspaceName: string }): Promise<Session>;
  acceptInvitation(input: { token: string; password: string }): Promise<Session>;
  switchWorkspace(tenantId: string, current: Session | undefined): Promise<Session>;
  /** The token to send now: the session's, refreshed first when it is about to expire. */
  freshToken(session: Session): Promise<string>;
  /**
   * Changes the signed-in person's password after checking the current one; answers the session to go
   * on with. Other sessions end as the backend ends them (Firebase Auth: a password change revokes them).
   */
  changePassword(input: PasswordChange, current: Session): Promise<Session>;
  /** Ends the backend's own sign-in too (the studio's session is already gone). */
  signOut(): void;
  /** Two-step sign-in settings (Firebase Auth's TOTP multi-factor), when the backend has them. */
  readonly twoStep?: TwoStepBackend;
}

// ----- two-step sign-in -------------------------------------------------------------------------------

/**
 * A sign-in that passed the password and waits for a code (local accounts: `POST /auth/mfa/verify`;
 * Firebase Auth: its multi-factor resolver). `verify` answers the session, or a `PlatformRequestError`:
 * a 403 for a wrong code (try again), a 401 when the attempt ended (type the password again).
 */
export interface SecondFactorChallenge {
  readonly expiresAt?: string;
  /** Local accounts take a recovery code too; Firebase Auth takes the app's code only. */
  readonly acceptsRecoveryCodes: boolean;
  verify(code: string): Promise<Session>;
}

/** What `signIn` and `acceptInvitation` throw for an account with two-step sign-in. */
export class SecondFactorRequired extends Error {
  override readonly name = "SecondFactorRequired";
  constructor(readonly challenge: SecondFactorChallenge) {
    super("Enter the code from your authenticator app to finish signing in.");
  }
}

/** The second step of signing in: the code opens the session. */
export async function completeSignIn(challenge: SecondFactorChallenge, code: string): Promise<Session> {
  return startSession(await challenge.verify(code));
}

export interface TwoStepStatus {
  readonly enrolled: boolean;
  /** This session signed in with the second factor (unknown with Firebase Auth until the token says). */
  readonly thisSession: boolean | undefined;
  readonly enabledAt: string | undefined;
  /** Null where there are no recovery codes (Firebase Auth). */
  readonly recoveryCodesLeft: number | null;
}

/** A secret being set up: shown as a QR code and as text, confirmed with a code of it. */
export interface TwoStepEnrolment {
  readonly secret: string;
  readonly otpauthUri: string;
  readonly expiresAt?: string;
  /** Turns it on with a code; answers the recovery codes (none with Firebase Auth). */
  confirm(code: string): Promise<{ readonly recoveryCodes: readonly string[] }>;
}

export interface TwoStepBackend {
  readonly recoveryCodes: boolean;
  status(): Promise<TwoStepStatus>;
  startEnrolment(): Promise<TwoStepEnrolment>;
  /** Turns it off; `code` is the app's code (or a recovery code where there are some). */
  disable(input: { readonly password: string; readonly code: string }): Promise<void>;
  regenerateRecoveryCodes(code: string): Promise<readonly string[]>;
}

/** The Firebase backend's two-step settings, or undefined for local accounts (data/twoStep.ts has theirs). */
export function backendTwoStep(): TwoStepBackend | undefined {
  return backend?.twoStep;
}

export interface PasswordChange {
  readonly currentPassword: string;
  readonly newPassword: string;
}

/** The limits the platform puts on a new password (functions/src/identity/schema.ts `passwordSchema`). */
export const passwordLimits = { min: 10, max: 200 } as const;

let backend: AuthBackend | undefined;

/** Firebase mode's sign-in replaces the local accounts' (called once, at start). */
export function installAuthBackend(next: AuthBackend | undefined): void {
  backend = next;
}

export interface SessionState {
  readonly session: Session | undefined;
  /** Why the last session ended, for the sign-in page to say (e.g. it expired). */
  readonly notice: string | undefined;
}

const storageKey = "alchemist.session";

export const sessionEndedNotice =
  "Your session has ended: it expired, or your access to the workspace changed. Sign in again to continue.";

// ----- the store ------------------------------------------------------------------------------------

let state: SessionState = readStoredState();
const listeners = new Set<() => void>();

function setState(next: SessionState): void {
  state = next;
  try {
    if (next.session) localStorage.setItem(storageKey, JSON.stringify(next.session));
    else localStorage.removeItem(storageKey);
  } catch {
    // Storage can be disabled (private windows, policies): the session then lasts as long as the tab.
  }
  for (const listener of listeners) listener();
}

function readStoredState(): SessionState {
  let stored: unknown;
  try {
    const raw = localStorage.getItem(storageKey);
    stored = raw === null ? undefined : (JSON.parse(raw) as unknown);
  } catch {
    stored = undefined;
  }
  const session = stored === undefined ? undefined : parseStoredSession(stored);
  if (session && session.signedInWith !== "firebase" && Date.parse(session.expiresAt) <= Date.now()) {
    return { session: undefined, notice: sessionEndedNotice };
  }
  return { session, notice: undefined };
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab signed in, switched workspace or signed out: follow it.
window.addEventListener("storage", (event) => {
  if (event.key !== storageKey && event.key !== null) return;
  state = readStoredState();
  for (const listener of listeners) listener();
});

export function useSession(): SessionState {
  return useSyncExternalStore(subscribe, currentSessionState);
}

export function currentSessionState(): SessionState {
  return state;
}

export function signOut(notice?: string): void {
  setState({ session: undefined, notice });
  backend?.signOut();
}

export const signedOutNotice = "You signed out.";

/** What the account menu offers: "sign out everywhere" needs the local accounts' routes. */
export function accountActions(): { readonly signOutEverywhere: boolean; readonly changePassword: boolean } {
  return { signOutEverywhere: backend === undefined, changePassword: true };
}

/**
 * Signs out: this browser forgets the session at once, and the platform ends it (`POST /auth/logout`), so
 * the token stops working even if it was copied. When the platform cannot be reached the notice says the
 * session ends by itself when it expires. Firebase mode signs out of Firebase Auth.
 */
export async function logOut(): Promise<void> {
  const session = state.session;
  signOut(signedOutNotice);
  if (!session || session.signedInWith === "firebase" || backend) return;
  try {
    await requestPlatformJson("/auth/logout", { method: "POST", token: session.token });
  } catch (error) {
    // 401: the session had already ended (signed out elsewhere, expired): nothing left to end.
    if (error instanceof PlatformRequestError && error.status === 401) return;
    // Only when nobody signed in since: a newer session's page must not show this.
    if (state.session === undefined) {
      setState({
        session: undefined,
        notice:
          "You signed out of this browser, but the platform could not be reached to end the session on " +
          `its side: it ends by itself at ${new Date(session.expiresAt).toLocaleString()}.`,
      });
    }
  }
}

/**
 * Ends every session of the account, on every device and in every workspace, this one included
 * (`POST /auth/logout-everywhere`; local accounts only). On failure the session stays and the error says why.
 */
export async function signOutEverywhere(): Promise<void> {
  if (backend) {
    throw new PlatformRequestError("http", "/auth/logout-everywhere", "Not available with Firebase sign-in.");
  }
  await requestAsSignedIn("/auth/logout-everywhere", { method: "POST" });
  signOut("You signed out everywhere: every session of your account has ended, on every device.");
}

/**
 * Changes the password. The platform ends every other session of the account and answers a fresh token for
 * this one, which the studio goes on with. A wrong current password is a 403 with the field named, which
 * leaves the session alone.
 */
export async function changePassword(input: PasswordChange): Promise<Session> {
  const session = state.session;
  if (backend) {
    if (!session) throw signedOutError("/auth/change-password");
    return startSession(await backend.changePassword(input, session));
  }
  const body = await requestAsSignedIn("/auth/change-password", { method: "POST", body: input });
  const changed = parseSignedIn(
    body,
    "/auth/change-password",
    session?.email ? { email: session.email } : {},
  );
  return startSession(changed);
}

/**
 * Keeps the session as it is but with a newer token (Firebase Auth refreshed its ID token); ignored when
 * the session has changed meanwhile.
 */
export function replaceSessionToken(accountId: string, token: string, expiresAt: string): void {
  const session = state.session;
  if (!session || session.accountId !== accountId || session.token === token) return;
  setState({ ...state, session: { ...session, token, expiresAt } });
}

// ----- signing in -----------------------------------------------------------------------------------

/** Signs in; throws `SecondFactorRequired` when the account has two-step sign-in (then `completeSignIn`). */
export async function signIn(input: { email: string; password: string }): Promise<Session> {
  if (backend) return startSession(await backend.signIn(input));
  const body = await requestPlatformJson("/auth/login", { method: "POST", body: input });
  const email = input.email.trim();
  requireNoSecondFactor(body, email);
  return startSession(parseSignedIn(body, "/auth/login", { email }));
}

/** Throws `SecondFactorRequired` when a local sign-in answered a challenge instead of a session. */
function requireNoSecondFactor(body: unknown, email: string | undefined): void {
  if (!isRecord(body) || body.mfaRequired !== true || typeof body.challenge !== "string") return;
  const challenge = body.challenge;
  throw new SecondFactorRequired({
    ...(typeof body.expiresAt === "string" ? { expiresAt: body.expiresAt } : {}),
    acceptsRecoveryCodes: true,
    async verify(code) {
      const answer = await requestPlatformJson("/auth/mfa/verify", {
        method: "POST",
        body: { challenge, code },
      });
      return parseSignedIn(answer, "/auth/mfa/verify", email ? { email } : {});
    },
  });
}

/** Creates an account and the workspace it owns. */
export async function signUp(input: {
  email: string;
  password: string;
  workspaceName: string;
}): Promise<Session> {
  if (backend) return startSession(await backend.signUp(input));
  const body = await requestPlatformJson("/auth/signup", {
    method: "POST",
    body: { email: input.email, password: input.password, tenantName: input.workspaceName },
  });
  const signedIn = parseSignedIn(body, "/auth/signup", { email: input.email.trim() });
  // A new account has exactly the workspace it just created.
  return startSession({
    ...signedIn,
    workspaces: [{ tenantId: signedIn.tenantId, name: input.workspaceName.trim(), role: signedIn.role }],
  });
}

/** Joins the invitation's workspace with the invited email's account, creating it with `password` if new. */
export async function acceptInvitation(input: { token: string; password: string }): Promise<Session> {
  if (backend) return startSession(await backend.acceptInvitation(input));
  const body = await requestPlatformJson("/auth/accept-invitation", { method: "POST", body: input });
  // An existing account with two-step sign-in has joined, and signs in with its code (the answer lists
  // every workspace, as a login's does).
  requireNoSecondFactor(body, undefined);
  const joined = parseSignedIn(body, "/auth/accept-invitation", {});
  // The answer names no workspaces; a switch to the one just joined lists them all (and its name).
  try {
    const listed = await requestPlatformJson("/auth/switch-tenant", {
      method: "POST",
      body: { tenantId: joined.tenantId },
      token: joined.token,
    });
    return startSession(parseSignedIn(listed, "/auth/switch-tenant", {}));
  } catch {
    return startSession({
      ...joined,
      workspaces: [{ tenantId: joined.tenantId, name: joined.tenantId, role: joined.role }],
    });
  }
}

/** A new session in another workspace of the same account (the shell's workspace switcher). */
export async function switchWorkspace(tenantId: string): Promise<Session> {
  if (backend) return startSession(await backend.switchWorkspace(tenantId, state.session));
  const email = state.session?.email;
  const body = await requestAsSignedIn("/auth/switch-tenant", { method: "POST", body: { tenantId } });
  return startSession(parseSignedIn(body, "/auth/switch-tenant", email ? { email } : {}));
}

/** Goes on with a new token for the same person (after turning two-step sign-in on or off). */
export function continueSession(body: unknown, path: string): Session {
  const email = state.session?.email;
  return startSession(parseSignedIn(body, path, email ? { email } : {}));
}

function startSession(session: Session): Session {
  setState({ session, notice: undefined });
  return session;
}

// ----- requests as the signed-in person -------------------------------------------------------------

/**
 * Runs a request with the session's token. A 401 means the token no longer works (it expired, the member
 * was removed, the secret changed): the session ends and the protected pages send to sign-in.
 */
const signedOutError = (path: string) =>
  new PlatformRequestError("http", path, "You are signed out.", 401, {
    code: "unauthenticated",
    reason: "You are signed out.",
  });

export async function asSignedIn<T>(path: string, send: (token: string) => Promise<T>): Promise<T> {
  const session = state.session;
  if (!session) throw signedOutError(path);
  let token = session.token;
  try {
    if (backend) token = await backend.freshToken(session);
    return await send(token);
  } catch (error) {
    // Only the session that was refused ends: a slow answer must not sign out a newer sign-in.
    if (error instanceof PlatformRequestError && error.status === 401 && state.session?.token === token) {
      signOut(sessionEndedNotice);
    }
    throw error;
  }
}

/** A platform JSON request with the session's token (see `asSignedIn`). */
export function requestAsSignedIn(path: string, request: PlatformRequest = {}): Promise<unknown> {
  return asSignedIn(path, (token) => requestPlatformJson(path, { ...request, token }));
}

/** Whether `role` holds at least the rights of `minimum` (the platform's roles are ordered). */
export function roleAtLeast(role: Role, minimum: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(minimum);
}

// ----- parsing ----------------------------------------------------------------------------------------

function isRole(value: unknown): value is Role {
  return typeof value === "string" && (roles as readonly string[]).includes(value);
}

function parseWorkspaces(value: unknown): WorkspaceMembership[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter(isRecord)
    .flatMap((w): WorkspaceMembership[] =>
      typeof w.tenantId === "string" && typeof w.name === "string" && isRole(w.role)
        ? [{ tenantId: w.tenantId, name: w.name, role: w.role }]
        : [],
    );
}

/** The answer of `/auth/login`, `/auth/signup`, `/auth/accept-invitation` and `/auth/switch-tenant`. */
function parseSignedIn(body: unknown, path: string, extra: { email?: string }): Session {
  if (
    !isRecord(body) ||
    typeof body.token !== "string" ||
    typeof body.expiresAt !== "string" ||
    typeof body.tenantId !== "string" ||
    typeof body.accountId !== "string" ||
    !isRole(body.role)
  ) {
    throw new PlatformRequestError(
      "invalid-response",
      path,
      `POST ${path} answered with something that is not a session.`,
    );
  }
  return {
    token: body.token,
    expiresAt: body.expiresAt,
    tenantId: body.tenantId,
    role: body.role,
    accountId: body.accountId,
    ...(extra.email ? { email: extra.email } : {}),
    workspaces: parseWorkspaces(body.tenants) ?? [],
  };
}

function parseStoredSession(value: unknown): Session | undefined {
  if (!isRecord(value)) return undefined;
  const { token, expiresAt, tenantId, role, accountId, email, workspaces, signedInWith } = value;
  if (
    typeof token !== "string" ||
    typeof expiresAt !== "string" ||
    typeof tenantId !== "string" ||
    typeof accountId !== "string" ||
    !isRole(role)
  ) {
    return undefined;
  }
  return {
    token,
    expiresAt,
    tenantId,
    role,
    accountId,
    ...(typeof email === "string" ? { email } : {}),
    workspaces: parseWorkspaces(workspaces) ?? [],
    ...(signedInWith === "firebase" ? { signedInWith } : {}),
  };
}
