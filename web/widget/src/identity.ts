/**
 * Who is asking, as the platform's widget API expects it on every call: a verified user of the customer's
 * site (`data-user-id` + `data-user-hash`, the HMAC the customer's server computed), or an anonymous visitor
 * the widget names itself and remembers in this browser.
 */

export interface VerifiedUser {
  readonly id: string;
  readonly hash: string;
}

const visitorPattern = /^[A-Za-z0-9_-]{22,64}$/;

/**
 * The ids of this page, by storage key: where storage is refused (privacy mode, sandboxed frames) or cleared
 * while the page is open, the visitor stays the same visitor until the page goes.
 */
const thisPage = new Map<string, string>();

export const visitorStorageKey = (widgetKey: string) => `alchemist-widget:${widgetKey}:visitor`;

/** 16 random bytes, base64url without padding: 22 characters (a visitor id, a message id). */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The page's localStorage, or null where even reading the property throws (blocked third-party storage). */
export function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** This browser's anonymous visitor id for a widget: the stored one, or this page's, or a new one; stored. */
export function visitorId(widgetKey: string, storage: Storage | null = browserStorage()): string {
  const storageKey = visitorStorageKey(widgetKey);
  let stored: string | null = null;
  try {
    stored = storage?.getItem(storageKey) ?? null;
  } catch {
    // Storage that throws on read is storage we cannot use: this page remembers the id.
  }
  if (stored && visitorPattern.test(stored)) {
    thisPage.set(storageKey, stored);
    return stored;
  }
  const id = thisPage.get(storageKey) ?? randomId();
  thisPage.set(storageKey, id);
  try {
    storage?.setItem(storageKey, id);
  } catch {
    // Quota or privacy mode: the next page load starts a new conversation.
  }
  return id;
}

/** The headers naming the end user on a conversation call. */
export function identityHeaders(
  widgetKey: string,
  user: VerifiedUser | null,
  storage: Storage | null = browserStorage(),
): Record<string, string> {
  return user
    ? { "X-Widget-User": user.id, "X-Widget-User-Hash": user.hash }
    : { "X-Widget-Visitor": visitorId(widgetKey, storage) };
}
