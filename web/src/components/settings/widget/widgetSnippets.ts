/** What an admin pastes into a site, and how their server signs a visitor's user id. */
import type { Widget } from "../../../data/widgets";

/** The `<script>` tag that embeds a widget; the bundle talks to the origin it was loaded from. */
export function widgetSnippet(origin: string, widget: Pick<Widget, "key">): string {
  return `<script src="${origin}/widget.js" data-key="${widget.key}" async></script>`;
}

/** The same tag for a signed-in visitor: their id and its signature, filled in by the site's server. */
export function verifiedWidgetSnippet(origin: string, widget: Pick<Widget, "key">): string {
  return [
    `<script src="${origin}/widget.js" data-key="${widget.key}"`,
    `  data-user-id="USER_ID" data-user-hash="USER_HASH" async></script>`,
  ].join("\n");
}

/** The signature the platform checks: the hex HMAC-SHA256 of the user id, keyed with the identity secret. */
export const identitySigningExample = [
  `import { createHmac } from "node:crypto";`,
  ``,
  `// On your server only: the secret must never reach a browser.`,
  `const userHash = createHmac("sha256", process.env.ALCHEMIST_WIDGET_SECRET)`,
  `  .update(String(user.id))`,
  `  .digest("hex");`,
  `// Render data-user-id="\${user.id}" data-user-hash="\${userHash}" on the widget's script tag.`,
].join("\n");
