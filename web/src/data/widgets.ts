/**
 * The web chat widget as the studio manages it: the platform's shapes (contract/widget-api.md, served under
 * `/v1/widgets`), the data layer's section for them (`WidgetsSource`), and the checks the forms run before
 * sending, so an admin hears about a bad origin line or colour at once. The platform still decides: a screen
 * handles its refusals too.
 */

export const widgetPositions = ["bottom-right", "bottom-left"] as const;
export type WidgetPosition = (typeof widgetPositions)[number];

/** How a widget looks on a site: the launcher's corner and colour, and what its open panel says first. */
export interface Theme {
  /** `#rrggbb`. */
  readonly color: string;
  readonly title: string;
  readonly greeting: string;
  readonly suggestedQuestions: readonly string[];
  readonly position: WidgetPosition;
}

/** Why the widget last failed to answer someone, as the platform recorded it. */
export interface WidgetError {
  readonly at: string;
  readonly code: string;
  readonly message: string;
}

export interface Widget {
  readonly id: string;
  readonly name: string;
  readonly agentId: string;
  /** The environment whose version of the agent answers (environments.ts); production by default. */
  readonly environment: string;
  /** The publishable key a page carries (`wk_…`): safe to show, and what the snippet names. */
  readonly key: string;
  /** Normalized `scheme://host[:port]`, the only pages that may use the widget. */
  readonly allowedOrigins: readonly string[];
  readonly theme: Theme;
  /** Signed-in visitors are recognised by an HMAC of their user id, made with the widget's secret. */
  readonly identityVerification: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** To the minute; `null` until someone first talks to it. */
  readonly lastActivityAt: string | null;
  readonly lastError: WidgetError | null;
}

/** `POST /v1/widgets`: the platform names it "Web chat" and themes it from the agent when not told. */
export interface WidgetInput {
  readonly name?: string;
  readonly agentId: string;
  readonly environment?: string;
  readonly allowedOrigins: readonly string[];
  readonly theme?: Partial<Theme>;
  readonly identityVerification?: boolean;
}

/** `PATCH /v1/widgets/{id}`: any subset; `theme` is merged into the current one. */
export interface WidgetPatch {
  readonly name?: string;
  readonly agentId?: string;
  readonly environment?: string;
  readonly allowedOrigins?: readonly string[];
  readonly theme?: Partial<Theme>;
  readonly identityVerification?: boolean;
  /** A new identity secret replaces the current one at once. */
  readonly rotateIdentitySecret?: true;
}

/**
 * A widget as a creation or a change answered it. `identitySecret` is there only when one was just made
 * (verification switched on, or the secret rotated): the platform never tells it again.
 */
export interface CreatedWidget {
  readonly widget: Widget;
  readonly identitySecret: string | undefined;
}

/** The widgets part of the studio's source (see source.ts); every route needs `channels.manage`. */
export interface WidgetsSource {
  /** Oldest first. */
  listWidgets(signal: AbortSignal): Promise<Widget[]>;
  createWidget(input: WidgetInput): Promise<CreatedWidget>;
  updateWidget(widgetId: string, patch: WidgetPatch): Promise<CreatedWidget>;
  /** The key stops working at once, on every site that embeds it. */
  deleteWidget(widgetId: string): Promise<void>;
}

// ----- limits (the platform's, repeated so the forms can say so before sending) ----------------------

export const widgetLimits = {
  name: 100,
  minOrigins: 1,
  maxOrigins: 20,
  title: 60,
  greeting: 500,
  suggestedQuestions: 4,
  suggestedQuestion: 120,
} as const;

export function isHexColor(text: string): boolean {
  return /^#[0-9a-f]{6}$/i.test(text.trim());
}

/** Why a colour typed as text would be refused, or `undefined` for `#rrggbb`. */
export function colorProblem(text: string): string | undefined {
  return isHexColor(text) ? undefined : "A colour as # and six hexadecimal digits, such as #1f6feb.";
}

const loopbackHosts = ["localhost", "127.0.0.1"];

/**
 * Reads one allowed origin as typed: `https://host[:port]`, or plain http for localhost and 127.0.0.1 (for
 * trying the widget on a developer's machine). Answers the origin as the platform stores it (lower case, no
 * default port) or why it is not one.
 */
export function readOrigin(text: string): { readonly origin: string } | { readonly problem: string } {
  const typed = text.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(typed))
    return { problem: "start it with https://, as in https://www.example.com." };
  let url: URL;
  try {
    url = new URL(typed);
  } catch {
    return { problem: "this is not a web address." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return { problem: "only https:// sites may embed the widget." };
  if (url.protocol === "http:" && !loopbackHosts.includes(url.hostname))
    return { problem: "use https://; plain http:// is only for localhost and 127.0.0.1." };
  if (url.username !== "" || url.password !== "")
    return { problem: "an origin has no user name or password." };
  if (typed.includes("*")) return { problem: "wildcards are not allowed: list each site's origin." };
  if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$/.test(url.hostname) && !/^\[[0-9a-f:.]+\]$/.test(url.hostname))
    return { problem: "this is not a host name." };
  // A single trailing slash is how browsers print an origin's address; anything after it is a page.
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "")
    return { problem: `only the origin, without a path: ${url.origin}.` };
  return { origin: url.origin };
}

/** What an admin typed as allowed origins, one a line: the origins to send, or what is wrong, line by line. */
export interface OriginLines {
  /** Normalized, in the order typed, each once. */
  readonly origins: readonly string[];
  /** One sentence per refused line (naming it), or for the list as a whole. */
  readonly problems: readonly string[];
}

export function readOriginLines(text: string): OriginLines {
  const origins: string[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === "") return;
    const read = readOrigin(line);
    if ("problem" in read) problems.push(`Line ${index + 1} (${line.trim()}): ${read.problem}`);
    else if (!origins.includes(read.origin)) origins.push(read.origin);
  });
  if (problems.length === 0 && origins.length < widgetLimits.minOrigins)
    problems.push(
      "Add the origin of at least one site that will embed the widget, such as https://www.example.com.",
    );
  if (origins.length > widgetLimits.maxOrigins)
    problems.push(`At most ${widgetLimits.maxOrigins} origins per widget (this list has ${origins.length}).`);
  return { origins, problems };
}
