// How the smoke flow signs people in, per run mode. The rest of the flow is the same public API in both.
//
// - Firebase mode: Firebase Auth's REST API (production, or the Auth emulator) makes the accounts and ID
//   tokens; the identity callables (identity-createTenant, -acceptInvitation, -switchTenant) set the
//   tenant claims, after which the ID token is refreshed to carry them, as the studio does.
// - Local mode: the platform's own /auth routes.
//
// Each driver answers the same questions: sign up with a new workspace, accept an invitation, switch
// workspace, and the Authorization header of a session.

/** An HTTP failure the flow reports with what was asked and what came back. */
export class HttpFailure extends Error {
  constructor(what, status, body) {
    super(
      `${what}: ${status} ${typeof body === "string" ? body.slice(0, 300) : JSON.stringify(body).slice(0, 300)}`,
    );
    this.status = status;
    this.body = body;
  }
}

async function readJson(response) {
  const text = await response.text();
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return text;
  }
}

async function postJson(url, body, headers = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await readJson(response) };
}

/**
 * Firebase mode. `authOrigin` is where Firebase Auth's REST API is reached: unset for production
 * (identitytoolkit/securetoken.googleapis.com), or the Auth emulator's `http://host:port`, which serves both
 * under its own root. `functionsUrl` is where the callables are: `https://REGION-PROJECT.cloudfunctions.net`,
 * or the Functions emulator's `http://host:port/PROJECT/REGION`.
 */
export function firebaseAccounts({ webApiKey, functionsUrl, authEmulator, projectId }) {
  const identityToolkit = authEmulator
    ? `http://${authEmulator}/identitytoolkit.googleapis.com/v1`
    : "https://identitytoolkit.googleapis.com/v1";
  const secureToken = authEmulator
    ? `http://${authEmulator}/securetoken.googleapis.com/v1`
    : "https://securetoken.googleapis.com/v1";
  const key = encodeURIComponent(webApiKey);

  async function auth(method, body) {
    const { status, body: answer } = await postJson(`${identityToolkit}/accounts:${method}?key=${key}`, body);
    if (status !== 200) throw new HttpFailure(`Firebase Auth accounts:${method}`, status, answer);
    return answer;
  }

  /** A fresh ID token, carrying the claims the callables just set. */
  async function refresh(session) {
    const response = await fetch(`${secureToken}/token?key=${key}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: session.refreshToken }),
    });
    const answer = await readJson(response);
    if (response.status !== 200)
      throw new HttpFailure("Firebase Auth token refresh", response.status, answer);
    return { ...session, token: answer.id_token, refreshToken: answer.refresh_token };
  }

  /** A callable, as the Firebase SDK calls it: `{data}` in, `{result}` or `{error}` out. */
  async function call(name, session, data) {
    const { status, body } = await postJson(
      `${functionsUrl}/${name}`,
      { data },
      { authorization: `Bearer ${session.token}` },
    );
    if (status !== 200 || body?.result === undefined) throw new HttpFailure(`callable ${name}`, status, body);
    return body.result;
  }

  /** The claims the platform set, read back from the refreshed token as the studio reads them. */
  function claimsOf(token) {
    const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
    return { accountId: payload.user_id ?? payload.sub, tenantId: payload.tenantId, role: payload.role };
  }

  async function withClaims(session, expectTenant) {
    const refreshed = await refresh(session);
    const claims = claimsOf(refreshed.token);
    if (claims.tenantId !== expectTenant) {
      throw new Error(`the refreshed ID token names tenant ${claims.tenantId}, not ${expectTenant}`);
    }
    return { ...refreshed, ...claims };
  }

  return {
    mode: "firebase",
    async signUpWithWorkspace(email, password, workspaceName) {
      const account = await auth("signUp", { email, password, returnSecureToken: true });
      const session = {
        token: account.idToken,
        refreshToken: account.refreshToken,
        accountId: account.localId,
        email,
      };
      const granted = await call("identity-createTenant", session, { tenantName: workspaceName });
      return withClaims(session, granted.tenantId);
    },
    async signIn(email, password) {
      const account = await auth("signInWithPassword", { email, password, returnSecureToken: true });
      const token = account.idToken;
      return { token, refreshToken: account.refreshToken, email, ...claimsOf(token) };
    },
    async acceptInvitation(session, invitationToken) {
      const granted = await call("identity-acceptInvitation", session, { token: invitationToken });
      return withClaims(session, granted.tenantId);
    },
    async switchWorkspace(session, tenantId) {
      const granted = await call("identity-switchTenant", session, { tenantId });
      return withClaims(session, granted.tenantId);
    },
    /** Only the Auth emulator lets a script verify an address: production sends an email. */
    canVerifyEmail: authEmulator !== undefined,
    async verifyEmail(session) {
      if (!authEmulator) throw new Error("verifying an email address needs the Auth emulator");
      await auth("sendOobCode", { requestType: "VERIFY_EMAIL", idToken: session.token });
      const codes = await fetch(`http://${authEmulator}/emulator/v1/projects/${projectId}/oobCodes`);
      const { oobCodes = [] } = await readJson(codes);
      const code = oobCodes
        .filter((c) => c.email === session.email && c.requestType === "VERIFY_EMAIL")
        .at(-1);
      if (!code) throw new Error(`the Auth emulator holds no verification code for ${session.email}`);
      await auth("update", { oobCode: code.oobCode });
      return refresh(session);
    },
    /** Removes the throwaway account (each account deletes itself with its own ID token). */
    async remove(session) {
      await auth("delete", { idToken: (await refresh(session)).token });
    },
    authorization: (session) => `Bearer ${session.token}`,
  };
}

/** Local mode: the platform's own accounts, at `apiUrl` (the same origin as the API). */
export function localAccounts({ apiUrl }) {
  async function auth(path, body, session) {
    const { status, body: answer } = await postJson(
      `${apiUrl}${path}`,
      body,
      session ? { authorization: `Bearer ${session.token}` } : {},
    );
    if (status !== 200 && status !== 201) throw new HttpFailure(`POST ${path}`, status, answer);
    return answer;
  }
  const sessionOf = (answer, email, password) => ({
    token: answer.token,
    tenantId: answer.tenantId,
    role: answer.role,
    accountId: answer.accountId,
    email,
    password,
  });
  return {
    mode: "local",
    async signUpWithWorkspace(email, password, workspaceName) {
      return sessionOf(
        await auth("/auth/signup", { email, password, tenantName: workspaceName }),
        email,
        password,
      );
    },
    async signIn(email, password) {
      return sessionOf(await auth("/auth/login", { email, password }), email, password);
    },
    async acceptInvitation(session, invitationToken) {
      const answer = await auth("/auth/accept-invitation", {
        token: invitationToken,
        password: session.password,
      });
      return sessionOf(answer, session.email, session.password);
    },
    async switchWorkspace(session, tenantId) {
      return sessionOf(
        await auth("/auth/switch-tenant", { tenantId }, session),
        session.email,
        session.password,
      );
    },
    // Local accounts need no verified address to accept an invitation: the password proves the account.
    canVerifyEmail: true,
    verifyEmail: async (session) => session,
    remove: async () => {},
    authorization: (session) => `Bearer ${session.token}`,
  };
}
