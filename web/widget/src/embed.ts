/**
 * The widget's settings, read from its own <script> tag:
 *   <script src="https://PLATFORM/widget.js" data-key="wk_…" async></script>
 * with optional data-user-id + data-user-hash, data-open="true" and data-api="https://PLATFORM".
 */
import type { VerifiedUser } from "./identity";

export interface EmbedOptions {
  readonly key: string;
  /** Where the widget API is: data-api's origin, else the origin the script was loaded from. */
  readonly apiOrigin: string;
  readonly user: VerifiedUser | null;
  readonly startOpen: boolean;
}

const isWidgetScript = (script: HTMLScriptElement) =>
  /\/widget\.js(?:[?#].*)?$/.test(script.src) && Boolean(script.dataset.key);

/**
 * The <script> that loaded the widget. `document.currentScript` is it while the script first runs (async
 * included); where it is null (the script was injected by a tag manager and already ran), the last
 * widget.js script with a data-key is the best guess.
 */
export function findWidgetScript(doc: Document): HTMLScriptElement | null {
  const current = doc.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.key) return current;
  const scripts = [...doc.querySelectorAll<HTMLScriptElement>("script[data-key]")].filter(isWidgetScript);
  return scripts[scripts.length - 1] ?? null;
}

export type EmbedReading = { ok: true; options: EmbedOptions } | { ok: false; problem: string };

function originOf(url: string, base: string): string | undefined {
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

export function readEmbedOptions(script: HTMLScriptElement, baseUrl: string): EmbedReading {
  const data = script.dataset;
  const key = data.key?.trim();
  if (!key) return { ok: false, problem: 'the <script> tag has no data-key="wk_…" attribute' };
  const apiOrigin = data.api ? originOf(data.api, baseUrl) : originOf(script.src, baseUrl);
  if (!apiOrigin)
    return {
      ok: false,
      problem: data.api
        ? `data-api="${data.api}" is not an http(s) address`
        : "the <script> tag has no src to take the API's address from: add data-api",
    };
  const id = data.userId?.trim();
  const hash = data.userHash?.trim();
  if (Boolean(id) !== Boolean(hash))
    return {
      ok: false,
      problem: "data-user-id and data-user-hash go together: set both (identity verification) or neither",
    };
  return {
    ok: true,
    options: { key, apiOrigin, user: id && hash ? { id, hash } : null, startOpen: data.open === "true" },
  };
}
