/**
 * Firebase Auth and the identity callables, in memory, behind the ports auth.ts uses: accounts with
 * passwords and custom claims, ID tokens that carry the claims as they were when issued and expire after an
 * hour (the SDK refreshes them within five minutes of that), and callables that do what
 * functions/src/identity/functions.ts does to claims. The real Auth SDK runs in auth-emulator.test.ts.
 */
import type { MembershipEntry, WorkspaceDirectory } from "../auth";
import type { Role } from "../../session";
import type { AuthUser, Callables, FirebaseAuthPort, IdToken } from "../ports";

interface Account {
  readonly uid: string;
  readonly email: string;
  password: string;
  emailVerified: boolean;
  claims: Record<string, unknown>;
  /** Has a TOTP second factor (its code is the fake's `totpCode`). */
  totp?: boolean;
}

/** An SDK error as Firebase gives it (`FirebaseError`: read by its code). */
export function firebaseError(code: string, message = `Firebase: Error (${code}).`, details?: unknown) {
  return Object.assign(new Error(message), { code, name: "FirebaseError", ...(details ? { details } : {}) });
}

const hour = 3600_000;

export function fakeFirebaseAuth(clock: { now: () => number } = { now: () => Date.now() }) {
  const accounts = new Map<string, Account>();
  const listeners = new Set<(user: AuthUser | undefined) => void>();
  let current: Account | undefined;
  let cached: IdToken | undefined;
  let issued = 0;
  /** Every call, in order, as `signIn ann@…`, `idToken force`… */
  const calls: string[] = [];
  const verificationsSent: string[] = [];
  /** The code the fake authenticator app shows now: the only one the fake accepts. */
  const totp = { code: "246810" };
  /** The current sign-in passed a second factor (the ID token says `sign_in_second_factor`). */
  let secondFactor = false;
  /** A sign-in (or reauthentication) that waits for the code, as the SDK's resolver does. */
  const needsCode = (account: Account, then: () => AuthUser) =>
    Object.assign(firebaseError("auth/multi-factor-auth-required"), {
      async resolveWithTotp(code: string) {
        calls.push(`resolveWithTotp ${code}`);
        if (!account.totp || code !== totp.code) throw firebaseError("auth/invalid-verification-code");
        return then();
      },
    });

  const userOf = (a: Account): AuthUser => ({ uid: a.uid, email: a.email, emailVerified: a.emailVerified });
  const changed = () => {
    for (const listener of listeners) listener(current && userOf(current));
  };
  const issue = (a: Account): IdToken => {
    issued += 1;
    return {
      token: `eyJ.${a.uid}.${issued}`,
      expiresAt: new Date(clock.now() + hour).toISOString(),
      claims: {
        ...a.claims,
        email: a.email,
        email_verified: a.emailVerified,
        user_id: a.uid,
        firebase: {
          sign_in_provider: "password",
          ...(secondFactor ? { sign_in_second_factor: "totp" } : {}),
        },
      },
    };
  };
  const signedIn = (a: Account, withCode = false) => {
    secondFactor = withCode;
    current = a;
    cached = issue(a);
    changed();
    return userOf(a);
  };
  const need = (): Account => {
    if (!current) throw firebaseError("auth/no-current-user");
    return current;
  };

  const port: FirebaseAuthPort = {
    ready: () => Promise.resolve(),
    currentUser: () => (current ? userOf(current) : undefined),
    async signIn(email, password) {
      calls.push(`signIn ${email}`);
      const account = accounts.get(email);
      if (!account || account.password !== password) throw firebaseError("auth/invalid-credential");
      if (account.totp) throw needsCode(account, () => signedIn(account, true));
      return signedIn(account);
    },
    totpEnrolled: () => current?.totp === true,
    async startTotpEnrolment(accountName, issuer) {
      calls.push(`startTotpEnrolment ${accountName} ${issuer}`);
      const account = need();
      if (!account.emailVerified) throw firebaseError("auth/unverified-email");
      const secret = "JBSWY3DPEHPK3PXP";
      return {
        secret,
        otpauthUri: `otpauth://totp/${issuer}:${encodeURIComponent(accountName)}?secret=${secret}&issuer=${issuer}`,
        async enroll(code) {
          calls.push(`enroll ${code}`);
          if (code !== totp.code) throw firebaseError("auth/invalid-verification-code");
          account.totp = true;
          secondFactor = true;
          cached = undefined;
        },
      };
    },
    async unenrollTotp() {
      calls.push("unenrollTotp");
      need().totp = false;
      cached = undefined;
    },
    async signUp(email, password) {
      calls.push(`signUp ${email}`);
      if (accounts.has(email)) throw firebaseError("auth/email-already-in-use");
      if (password.length < 6) throw firebaseError("auth/weak-password");
      const account: Account = {
        uid: `uid${accounts.size + 1}`,
        email,
        password,
        emailVerified: false,
        claims: {},
      };
      accounts.set(email, account);
      return signedIn(account);
    },
    async reauthenticate(password) {
      calls.push("reauthenticate");
      const account = need();
      if (account.password !== password) throw firebaseError("auth/invalid-credential");
      if (account.totp) throw needsCode(account, () => userOf(account));
    },
    async updatePassword(newPassword) {
      calls.push("updatePassword");
      if (newPassword.length < 6) throw firebaseError("auth/weak-password");
      need().password = newPassword;
      // Firebase Auth revokes the user's other sessions; this one gets a new token.
      cached = undefined;
    },
    async idToken(forceRefresh) {
      calls.push(forceRefresh ? "idToken force" : "idToken");
      const account = need();
      const expiring = !cached || Date.parse(cached.expiresAt) - clock.now() < 5 * 60_000;
      if (forceRefresh || expiring) cached = issue(account);
      return cached as IdToken;
    },
    onIdTokenChanged(listener) {
      listeners.add(listener);
      listener(current && userOf(current));
      return () => listeners.delete(listener);
    },
    async sendEmailVerification() {
      verificationsSent.push(need().email);
    },
    async deleteCurrentUser() {
      calls.push("deleteCurrentUser");
      accounts.delete(need().email);
      current = undefined;
      cached = undefined;
      changed();
    },
    async signOut() {
      calls.push("signOut");
      current = undefined;
      cached = undefined;
      changed();
    },
  };

  return {
    port,
    calls,
    verificationsSent,
    accounts,
    totp,
    /** An account made elsewhere (another browser, the console). */
    addAccount(
      email: string,
      password: string,
      options: {
        uid?: string;
        emailVerified?: boolean;
        claims?: Record<string, unknown>;
        totp?: boolean;
      } = {},
    ) {
      const account: Account = {
        uid: options.uid ?? `uid${accounts.size + 1}`,
        email,
        password,
        emailVerified: options.emailVerified ?? true,
        claims: options.claims ?? {},
        ...(options.totp ? { totp: true } : {}),
      };
      accounts.set(email, account);
      return account;
    },
    /** The session ends outside the studio (signed out in another tab, refresh token revoked). */
    signOutElsewhere() {
      current = undefined;
      cached = undefined;
      changed();
    },
    get current() {
      return current;
    },
  };
}

export type FakeFirebaseAuth = ReturnType<typeof fakeFirebaseAuth>;

/**
 * The identity functions over the fake: tenants with members, claims set as the real callables set them, and
 * the directory firestore.rules would let the signed-in user read (a tenant's name only while the claims
 * name it). `calls` records each callable with its data.
 */
export function fakeIdentity(auth: FakeFirebaseAuth) {
  const tenants = new Map<string, { name: string; members: Map<string, string> }>();
  const invitations = new Map<string, { tenantId: string; email: string; role: string }>();
  const calls: { name: string; data: unknown }[] = [];
  let refuseCreate: Error | undefined;
  // As the platform keeps them: each entry with copies of the workspace's name and the member's role.
  const memberships = new Map<string, MembershipEntry[]>();

  const join = (uid: string, tenantId: string, role: string) => {
    tenants.get(tenantId)?.members.set(uid, role);
    const name = tenants.get(tenantId)?.name;
    const entry: MembershipEntry = { tenantId, ...(name ? { name } : {}), role: role as Role };
    memberships.set(uid, [...(memberships.get(uid) ?? []), entry]);
  };

  const callables: Callables = {
    async call(name, data) {
      calls.push({ name, data });
      const account = auth.current;
      if (!account) throw firebaseError("functions/unauthenticated", "Sign in first");
      const input = data as Record<string, string>;
      switch (name) {
        case "identity-createTenant": {
          if (refuseCreate) throw refuseCreate;
          const tenantId = `tnt${tenants.size + 1}`;
          tenants.set(tenantId, { name: input.tenantName ?? "", members: new Map() });
          join(account.uid, tenantId, "owner");
          account.claims = { tenantId, role: "owner" };
          return { tenantId, role: "owner", name: input.tenantName };
        }
        case "identity-switchTenant": {
          const role = tenants.get(input.tenantId ?? "")?.members.get(account.uid);
          if (!role)
            throw firebaseError(
              "functions/permission-denied",
              `You are not a member of tenant ${input.tenantId}`,
            );
          account.claims = { tenantId: input.tenantId, role };
          return { tenantId: input.tenantId, role };
        }
        case "identity-acceptInvitation": {
          if (!account.emailVerified) {
            throw firebaseError(
              "functions/failed-precondition",
              "Verify your email address before accepting an invitation",
            );
          }
          const invitation = invitations.get(input.token ?? "");
          if (!invitation)
            throw firebaseError("functions/not-found", "This invitation does not exist or has expired");
          join(account.uid, invitation.tenantId, invitation.role);
          account.claims = { tenantId: invitation.tenantId, role: invitation.role };
          return { tenantId: invitation.tenantId, role: invitation.role };
        }
        default:
          throw firebaseError("functions/not-found", `No function ${name}`);
      }
    },
  };

  const directory: WorkspaceDirectory = {
    async memberships(uid) {
      return memberships.get(uid) ?? [];
    },
    async tenantName(tenantId) {
      if (auth.current?.claims.tenantId !== tenantId) throw firebaseError("permission-denied");
      return tenants.get(tenantId)?.name;
    },
  };

  return {
    callables,
    directory,
    calls,
    addTenant(tenantId: string, name: string, members: Record<string, string>) {
      tenants.set(tenantId, { name, members: new Map() });
      for (const [uid, role] of Object.entries(members)) join(uid, tenantId, role);
    },
    invite(token: string, invitation: { tenantId: string; email: string; role: string }) {
      invitations.set(token, invitation);
    },
    refuseCreateTenant(error: Error) {
      refuseCreate = error;
    },
    /** Entries as written before the platform copied names and roles into them. */
    dropMembershipCopies(uid: string) {
      memberships.set(
        uid,
        (memberships.get(uid) ?? []).map(({ tenantId }) => ({ tenantId })),
      );
    },
  };
}
