/**
 * The widget bundle's entry (web/dist/widget.js, an IIFE): finds its own <script> tag, mounts the widget once
 * the page has a body, and exposes the one global it defines, `window.AlchemistWidget` (these exports:
 * `AlchemistWidget.open()`, `.close()`, `.identify(userId, userHash)`).
 */
import { findWidgetScript, readEmbedOptions } from "./embed";
import { mountWidget, type WidgetHandle } from "./widget";

const hostTag = "alchemist-widget";
/** The mounted widget hangs on its host element: a second copy of the snippet finds it there. */
const handleKey = Symbol.for("alchemist.widget");
type Host = HTMLElement & { [handleKey]?: WidgetHandle };

const warn = (message: string) => console.warn(`[Alchemist widget] ${message}`);

const mounted = (): WidgetHandle | undefined => (document.querySelector(hostTag) as Host | null)?.[handleKey];

function start(): void {
  // Only while the script first runs is document.currentScript this script.
  const script = findWidgetScript(document);
  if (!script) {
    warn('no <script src=".../widget.js" data-key="wk_..."> tag found: the widget is not shown.');
    return;
  }
  const reading = readEmbedOptions(script, document.baseURI);
  if (!reading.ok) {
    warn(`${reading.problem}: the widget is not shown.`);
    return;
  }
  const mount = () => {
    if (mounted()) {
      warn("the widget's <script> tag is on this page twice: the second copy does nothing.");
      return;
    }
    const handle = mountWidget(reading.options);
    (handle.host as Host)[handleKey] = handle;
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", () => guarded(mount), { once: true });
}

function guarded(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    warn(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

guarded(start);

/** Opens the chat panel. */
export function open(): void {
  mounted()?.open();
}

/** Closes the chat panel. */
export function close(): void {
  mounted()?.close();
}

/**
 * Switches the end user after the page loaded (a sign-in without reload): a verified user with the hash
 * your server computed, or no arguments for this browser's anonymous visitor.
 */
export function identify(userId?: string, userHash?: string): void {
  mounted()?.identify(userId && userHash ? { id: userId, hash: userHash } : null);
}
