/**
 * What the widget's public API answers (contract: docs of /widget/v1, mirrored in the backend's schema), parsed
 * by hand from `unknown`: zod would triple the bundle, and a field the widget does not understand must not
 * break the page it is embedded in.
 */

export type Position = "bottom-right" | "bottom-left";

export interface Theme {
  readonly color: string;
  readonly title: string;
  readonly greeting: string;
  readonly suggestedQuestions: readonly string[];
  readonly position: Position;
}

export interface WidgetConfig {
  readonly agentName: string;
  readonly theme: Theme;
  readonly identityVerification: boolean;
}

export interface Citation {
  /** The marker the answer used: "1" for [1]. */
  readonly ref: string;
  readonly docName: string;
  readonly quote: string;
  /** The sentence of the answer the quote supports. */
  readonly claim?: string;
  readonly location?: unknown;
}

/** A tool's write the answer asks the end user to confirm: exactly what will be sent, and until when. */
export interface WidgetConfirmation {
  readonly id: string;
  readonly toolName: string;
  readonly request: { readonly method: string; readonly url: string; readonly body: string | null };
  readonly expiresAt: string;
  /** pending, confirmed, cancelled, expired, or superseded (the conversation moved on). */
  readonly status: string;
}

export interface WidgetMessage {
  readonly id: string;
  readonly role: "user" | "assistant";
  readonly content: string;
  readonly citations: readonly Citation[];
  /** 0..1; null when the turn was declined before any retrieval. */
  readonly confidence: number | null;
  readonly abstained: boolean;
  readonly explanation: string | null;
  readonly createdAt: string;
  readonly confirmation?: WidgetConfirmation;
  /** The visitor's rating of this answer, if they rated it. */
  readonly feedback?: WidgetFeedback;
}

export type Rating = "up" | "down";

export interface WidgetFeedback {
  readonly rating: Rating;
  readonly comment: string | null;
}

/** Until the platform answers (or when it cannot be reached), the launcher still looks like a chat. */
export const defaultTheme: Theme = {
  color: "#1f6feb",
  title: "Chat",
  greeting: "",
  suggestedQuestions: [],
  position: "bottom-right",
};

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export function parseTheme(value: unknown, agentName = ""): Theme {
  const theme = isRecord(value) ? value : {};
  const color = text(theme.color);
  const questions = Array.isArray(theme.suggestedQuestions) ? theme.suggestedQuestions : [];
  return {
    // Only "#RRGGBB": the colour goes into the widget's CSS.
    color: color && /^#[0-9a-f]{6}$/i.test(color) ? color.toLowerCase() : defaultTheme.color,
    title: text(theme.title)?.trim() || agentName || defaultTheme.title,
    greeting: text(theme.greeting) ?? defaultTheme.greeting,
    suggestedQuestions: questions
      .filter((q): q is string => typeof q === "string" && q.trim() !== "")
      .slice(0, 4),
    position: theme.position === "bottom-left" ? "bottom-left" : "bottom-right",
  };
}

export function parseWidgetConfig(value: unknown): WidgetConfig | undefined {
  if (!isRecord(value)) return undefined;
  const agentName = text(value.agentName) ?? "";
  return {
    agentName,
    theme: parseTheme(value.theme, agentName),
    identityVerification: value.identityVerification === true,
  };
}

function parseCitation(value: unknown): Citation | undefined {
  if (!isRecord(value)) return undefined;
  const ref = typeof value.ref === "number" ? String(value.ref) : text(value.ref);
  if (!ref) return undefined;
  const claim = text(value.claim);
  return {
    ref,
    docName: text(value.docName) || "Source",
    quote: text(value.quote) ?? "",
    ...(claim ? { claim } : {}),
    ...(value.location !== undefined ? { location: value.location } : {}),
  };
}

export function parseWidgetMessage(value: unknown): WidgetMessage | undefined {
  if (!isRecord(value)) return undefined;
  const content = text(value.content);
  if (content === undefined || (value.role !== "user" && value.role !== "assistant")) return undefined;
  const confidence = value.confidence;
  return {
    id: text(value.id) ?? "",
    role: value.role,
    content,
    citations: (Array.isArray(value.citations) ? value.citations : []).flatMap((c) => parseCitation(c) ?? []),
    confidence:
      typeof confidence === "number" && Number.isFinite(confidence)
        ? Math.min(1, Math.max(0, confidence))
        : null,
    abstained: value.abstained === true,
    explanation: text(value.explanation) || null,
    createdAt: text(value.createdAt) ?? "",
    ...parseConfirmation(value.confirmation),
    ...parseFeedback(value.feedback),
  };
}

export function parseFeedback(value: unknown): { feedback?: WidgetFeedback } {
  if (!isRecord(value) || (value.rating !== "up" && value.rating !== "down")) return {};
  return { feedback: { rating: value.rating, comment: text(value.comment) ?? null } };
}

function parseConfirmation(value: unknown): { confirmation?: WidgetConfirmation } {
  if (!isRecord(value) || !isRecord(value.request)) return {};
  const id = text(value.id);
  if (!id) return {};
  return {
    confirmation: {
      id,
      toolName: text(value.toolName) ?? "",
      request: {
        method: text(value.request.method) ?? "",
        url: text(value.request.url) ?? "",
        body: text(value.request.body) ?? null,
      },
      expiresAt: text(value.expiresAt) ?? "",
      status: text(value.status) ?? "pending",
    },
  };
}
