import { afterEach, describe, expect, it } from "vitest";
import { findWidgetScript, readEmbedOptions } from "./embed";

function script(attributes: Record<string, string>): HTMLScriptElement {
  const element = document.createElement("script");
  // Not executed: jsdom runs no external scripts unless asked to.
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.head.append(element);
  return element;
}

afterEach(() => document.head.replaceChildren());

describe("the snippet's settings", () => {
  it("take the key and the API origin from the script tag", () => {
    const tag = script({ src: "https://chat.example.com/widget.js?v=2", "data-key": " wk_abc " });
    expect(readEmbedOptions(tag, "https://shop.example.org/")).toEqual({
      ok: true,
      options: { key: "wk_abc", apiOrigin: "https://chat.example.com", user: null, startOpen: false },
    });
  });

  it("take data-api, data-open and the verified user when given", () => {
    const tag = script({
      src: "/static/widget.js",
      "data-key": "wk_abc",
      "data-api": "https://api.example.com/some/path",
      "data-open": "true",
      "data-user-id": "42",
      "data-user-hash": "ab12",
    });
    expect(readEmbedOptions(tag, "https://shop.example.org/")).toEqual({
      ok: true,
      options: {
        key: "wk_abc",
        apiOrigin: "https://api.example.com",
        user: { id: "42", hash: "ab12" },
        startOpen: true,
      },
    });
  });

  it("refuse a missing key, a user id without its hash, and a data-api that is not http(s)", () => {
    const base = "https://shop.example.org/";
    expect(readEmbedOptions(script({ src: "https://c.example/widget.js" }), base)).toMatchObject({
      ok: false,
      problem: expect.stringContaining("data-key"),
    });
    const halfUser = script({ src: "https://c.example/widget.js", "data-key": "wk_a", "data-user-id": "42" });
    expect(readEmbedOptions(halfUser, base)).toMatchObject({
      ok: false,
      problem: expect.stringContaining("data-user-hash"),
    });
    const badApi = script({
      src: "https://c.example/widget.js",
      "data-key": "wk_a",
      "data-api": "javascript:alert(1)",
    });
    expect(readEmbedOptions(badApi, base)).toMatchObject({
      ok: false,
      problem: expect.stringContaining("data-api"),
    });
  });

  it("find the last widget.js tag with a data-key when the script is not the current one", () => {
    script({ src: "https://cdn.example/analytics.js", "data-key": "ua-1" });
    const first = script({ src: "https://chat.example.com/widget.js", "data-key": "wk_first" });
    const last = script({ src: "https://chat.example.com/widget.js", "data-key": "wk_last" });
    expect(document.currentScript).toBeNull();
    expect(findWidgetScript(document)).toBe(last);
    last.remove();
    expect(findWidgetScript(document)).toBe(first);
  });
});
