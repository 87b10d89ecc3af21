import { afterEach, describe, expect, it } from "vitest";
import { identityHeaders, randomId, visitorId, visitorStorageKey } from "./identity";

const key = "wk_9f8Jq2LmNp0RsTuVwXyZaBcDeFgHiJkL";
const otherKey = "wk_AAAAbbbbCCCCddddEEEEffffGGGGhhhh";

/** Storage that refuses everything, as Safari's private mode once did and blocked third-party storage does. */
const refusingStorage = {
  getItem: () => {
    throw new DOMException("The operation is insecure.", "SecurityError");
  },
  setItem: () => {
    throw new DOMException("QuotaExceededError", "QuotaExceededError");
  },
} as unknown as Storage;

afterEach(() => localStorage.clear());

describe("the anonymous visitor", () => {
  it("is 16 random bytes in base64url, kept in localStorage under the widget's key", () => {
    const id = visitorId(key, localStorage);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(localStorage.getItem(visitorStorageKey(key))).toBe(id);
    expect(visitorStorageKey(key)).toContain(key);
    // The same browser is the same visitor next time (a reload reads it back).
    expect(visitorId(key, localStorage)).toBe(id);
  });

  it("is a different visitor for another widget, and every new id is different", () => {
    expect(visitorId(otherKey, localStorage)).not.toBe(visitorId(key, localStorage));
    const ids = new Set(Array.from({ length: 1000 }, randomId));
    expect(ids.size).toBe(1000);
  });

  it("stays the same visitor, stored again, when storage is cleared while the page is open", () => {
    const id = visitorId(key, localStorage);
    localStorage.clear();
    expect(visitorId(key, localStorage)).toBe(id);
    expect(localStorage.getItem(visitorStorageKey(key))).toBe(id);
  });

  it("replaces a stored value that is not a visitor id", () => {
    localStorage.setItem(visitorStorageKey(key), "<script>");
    const id = visitorId(key, localStorage);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(localStorage.getItem(visitorStorageKey(key))).toBe(id);
  });

  it("lives in memory, the same for the whole page, when storage throws", () => {
    const refusedKey = "wk_PrivateModePrivateModePrivateMo";
    const id = visitorId(refusedKey, refusingStorage);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(visitorId(refusedKey, refusingStorage)).toBe(id);
    expect(visitorId(refusedKey, null)).toBe(id);
  });
});

describe("the identity headers", () => {
  it("name the anonymous visitor when the page names no user", () => {
    const headers = identityHeaders(key, null, localStorage);
    expect(headers).toEqual({ "X-Widget-Visitor": localStorage.getItem(visitorStorageKey(key)) });
  });

  it("name the verified user, and no visitor, when the page gives a user id and hash", () => {
    const hash = "5f1d1d4e8e7f9c0a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a";
    expect(identityHeaders(key, { id: "customer-42", hash }, localStorage)).toEqual({
      "X-Widget-User": "customer-42",
      "X-Widget-User-Hash": hash,
    });
    expect(localStorage.length).toBe(0);
  });
});
