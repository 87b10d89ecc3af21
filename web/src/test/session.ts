import type { Session } from "../data/session";

/** Where the studio keeps its session (data/session.ts). */
const storageKey = "alchemist.session";

const inTwelveHours = () => new Date(Date.now() + 12 * 3600 * 1000).toISOString();

/** Ann owns Acme Corp's workspace and is a viewer in Globex's. */
export function annSession(overrides: Partial<Session> = {}): Session {
  return {
    token: "als_ann_acme.signature",
    expiresAt: inTwelveHours(),
    tenantId: "acme",
    role: "owner",
    accountId: "acc_ann",
    email: "ann@acme.example",
    workspaces: [{ tenantId: "acme", name: "Acme Corp", role: "owner" }],
    ...overrides,
  };
}

/**
 * Signs in as a page reload would find it: the session is stored, and the `storage` event (how another tab's
 * sign-in reaches this one) makes the store read it.
 */
export function signInAs(session: Session = annSession()): Session {
  localStorage.setItem(storageKey, JSON.stringify(session));
  window.dispatchEvent(new StorageEvent("storage", { key: storageKey }));
  return session;
}

/** Back to a browser that never signed in. */
export function forgetSession(): void {
  localStorage.clear();
  window.dispatchEvent(new StorageEvent("storage", { key: null }));
}
