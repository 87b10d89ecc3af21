/**
 * What the widget itself calls, with no credential but its publishable key. Every request is checked in the
 * same order: the key names a widget (404), the page's `Origin` is one the widget allows (403: CORS only
 * stops a browser from reading an answer, so the origin is enforced here too), the end user is named (an
 * anonymous visitor id, or a user id the host site signed with the widget's identity secret: 401 when the
 * signature is wrong), and the end user's and the key's budgets have room (429).
 *
 * An end user has one conversation per widget, with the widget's agent's published version; it is kept by a
 * hash of who they are, so a verified user continues it on any device and an anonymous visitor on the browser
 * that holds their id. Nothing the end user sends can reach another end user's conversation: the mapping is
 * keyed by the widget and the hash, and the conversation is started by the widget (no API credential may
 * continue it).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { getAgent } from "../../agents/agents.js";
import { findAnswer, listMessages, loadConversation, startConversation } from "../../agents/conversations.js";
import { selectorIn } from "../../agents/environments.js";
import type { MessageView } from "../../agents/conversations.js";
import { messagePath, messageSchema } from "../../agents/schema.js";
import { sendMessage } from "../../agents/turn.js";
import { decideConfirmation, type Decision } from "../../agents/confirmations.js";
import { rateAnswer, removeFeedback, type FeedbackInput } from "../../accountability/feedback.js";
import type { Deps } from "../../platform/deps.js";
import { endUserRefusal } from "../../billing/limits.js";
import { endUserSuspension } from "../../identity/tenants.js";
import { AppError, isAppError, toAppError } from "../../platform/errors.js";
import type { ApiRequest } from "../../platform/http/http.js";
import { limitPublic } from "../../platform/rate-limit.js";
import { answeringHoldMs, endUserPath, endUserSchema, widgetPath, type Theme } from "./schema.js";
import { widgetByKey, type PublicWidget } from "./widgets.js";

/** The longest message an end user may send through a widget. */
export const maxWidgetMessageChars = 4000;
/** How many of the latest messages the widget shows when it reopens a conversation. */
export const historyMessages = 50;

export const widgetMessageInput = z.object({
  content: z
    .string()
    .trim()
    .min(1, "content must not be empty")
    .max(maxWidgetMessageChars, `content is limited to ${maxWidgetMessageChars} characters`),
  stream: z.boolean().optional(),
  /**
   * The widget's id for this message (8-64 of A-Z, a-z, 0-9, _ and -): a retried or replayed request with the
   * same id is answered once, with the first answer.
   */
  clientMessageId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, "clientMessageId is 8-64 characters of A-Z, a-z, 0-9, _ and -")
    .optional(),
});

const visitorPattern = /^[A-Za-z0-9_-]{22,64}$/;
const maxUserIdChars = 256;

type Found = NonNullable<PublicWidget>;

/** The origins a browser may call a widget's endpoints from (for CORS): none for an unknown key. */
export async function widgetOrigins(deps: Deps, key: string): Promise<readonly string[]> {
  return (await widgetByKey(deps, key))?.widget.allowedOrigins ?? [];
}

/** The widget a request names, if the page calling it is on an allowed origin. */
export async function openWidget(deps: Deps, key: string, request: ApiRequest): Promise<Found> {
  const found = await widgetByKey(deps, key);
  if (!found) throw new AppError("not-found", "No widget has this key (it may have been deleted)");
  const origin = request.headers.origin;
  if (!origin) {
    throw new AppError("permission-denied", "A widget is used from a web page: the request has no Origin");
  }
  if (!found.widget.allowedOrigins.includes(origin.toLowerCase())) {
    throw new AppError("permission-denied", `Origin ${origin} may not use this widget`);
  }
  return found;
}

const header = (request: ApiRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return value === undefined || value === "" ? undefined : value;
};

/** Who is talking, as a hash: a verified user id, or the anonymous visitor id the widget keeps. */
export function endUserOf(found: Found, request: ApiRequest): string {
  const user = header(request, "x-widget-user");
  const hash = (kind: string, id: string) =>
    createHash("sha256").update(`${found.id}:${kind}:${id}`).digest("base64url").slice(0, 32);
  if (user !== undefined) {
    if (!found.widget.identityVerification || found.identitySecret === null) {
      throw new AppError(
        "invalid-argument",
        "This widget does not verify identities: send X-Widget-Visitor, or switch identity verification on",
      );
    }
    if (user.length > maxUserIdChars) {
      throw new AppError("invalid-argument", `X-Widget-User is limited to ${maxUserIdChars} characters`);
    }
    const expected = createHmac("sha256", found.identitySecret).update(user, "utf8").digest();
    const given = Buffer.from(header(request, "x-widget-user-hash") ?? "", "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AppError(
        "unauthenticated",
        "X-Widget-User-Hash is missing or is not the HMAC-SHA256 of the user id with this widget's secret",
      );
    }
    return hash("user", user);
  }
  const visitor = header(request, "x-widget-visitor");
  if (visitor === undefined || !visitorPattern.test(visitor)) {
    throw new AppError(
      "invalid-argument",
      "Send X-Widget-Visitor (22-64 characters of A-Z, a-z, 0-9, _ and -) or a verified X-Widget-User",
    );
  }
  return hash("visitor", visitor);
}

/** Draws from the end user's budget and, for turns, the whole key's. */
async function charge(deps: Deps, found: Found, endUser: string, turn: boolean): Promise<void> {
  const { widgetPerUser, widgetPerKey } = deps.config.rateLimits;
  if (widgetPerUser) {
    await limitPublic(deps, `widget-user:${found.id}:${endUser}`, { ...widgetPerUser, subject: "you" });
  }
  if (turn && widgetPerKey) {
    await limitPublic(deps, `widget:${found.id}`, { ...widgetPerKey, subject: "this widget" });
  }
}

/** A message as the widget shows it: the answer and its accountability, none of the platform's internals. */
export interface WidgetMessage {
  readonly id: string;
  readonly role: "user" | "assistant";
  readonly content: string;
  readonly citations: readonly {
    ref: string;
    docName: string;
    quote: string;
    claim?: string;
    location: unknown;
  }[];
  readonly confidence: number | null;
  readonly abstained: boolean;
  readonly explanation: string | null;
  readonly createdAt: string;
  /** A tool's write the answer asks the end user to confirm: what will be sent, until when, and its status. */
  readonly confirmation?: {
    id: string;
    toolName: string;
    request: { method: string; url: string; body: string | null };
    expiresAt: string;
    status: string;
  };
  /** The end user's rating of this answer, if they rated it. */
  readonly feedback?: { rating: "up" | "down"; comment: string | null };
}

const toWidgetMessage = (m: MessageView): WidgetMessage => ({
  id: m.id,
  role: m.role,
  content: m.content,
  citations: m.citations.map((c) => ({
    ref: c.ref,
    docName: c.docName,
    quote: c.quote,
    ...(c.claim !== undefined ? { claim: c.claim } : {}),
    location: c.location,
  })),
  confidence: m.confidence,
  abstained: m.abstained,
  explanation: m.explanation,
  createdAt: m.createdAt,
  // The request's headers stay out: the end user confirms what is sent, not how the workspace authenticates.
  ...(m.confirmation
    ? {
        confirmation: {
          id: m.confirmation.id,
          toolName: m.confirmation.toolName,
          request: {
            method: m.confirmation.request.method,
            url: m.confirmation.request.url,
            body: m.confirmation.request.body,
          },
          expiresAt: m.confirmation.expiresAt,
          status: m.confirmation.status,
        },
      }
    : {}),
  ...(m.feedback ? { feedback: { rating: m.feedback.rating, comment: m.feedback.comment } } : {}),
});

/** What the widget shows before anyone talks: the agent's name and the theme. */
export async function widgetConfig(
  deps: Deps,
  key: string,
  request: ApiRequest,
): Promise<{ agentName: string; theme: Theme; identityVerification: boolean }> {
  const found = await openWidget(deps, key, request);
  const agent = await getAgent(deps, found.tenantId, found.widget.agentId).catch(() => null);
  return {
    agentName: agent?.name ?? found.widget.theme.title,
    theme: found.widget.theme,
    identityVerification: found.widget.identityVerification,
  };
}

/** The end user's current conversation on this widget, if it still exists and is with the widget's agent. */
async function currentConversation(deps: Deps, found: Found, endUser: string): Promise<string | null> {
  const snap = await deps.store.get(endUserPath(found.tenantId, found.id, endUser));
  if (!snap) return null;
  const { conversationId } = endUserSchema.parse(snap.data);
  if (!conversationId) return null;
  try {
    const conversation = await loadConversation(deps, found.tenantId, conversationId);
    // Pointed at another agent since: the end user starts afresh with the new one.
    return conversation.agentId === found.widget.agentId ? conversationId : null;
  } catch (e) {
    // Deleted by retention or an erasure request: a new one starts with the next message.
    if (isAppError(e) && e.code === "not-found") return null;
    throw e;
  }
}

export async function widgetConversation(
  deps: Deps,
  key: string,
  request: ApiRequest,
): Promise<{ conversationId: string | null; messages: WidgetMessage[] }> {
  const found = await openWidget(deps, key, request);
  const endUser = endUserOf(found, request);
  await charge(deps, found, endUser, false);
  const conversationId = await currentConversation(deps, found, endUser);
  if (!conversationId) return { conversationId: null, messages: [] };
  const messages = await listMessages(deps, found.tenantId, conversationId);
  return { conversationId, messages: messages.slice(-historyMessages).map(toWidgetMessage) };
}

export async function resetWidgetConversation(
  deps: Deps,
  key: string,
  request: ApiRequest,
): Promise<{ conversationId: null }> {
  const found = await openWidget(deps, key, request);
  const endUser = endUserOf(found, request);
  await charge(deps, found, endUser, false);
  await deps.store.delete(endUserPath(found.tenantId, found.id, endUser));
  return { conversationId: null };
}

/** Records what the studio shows on the widget: last activity (to the minute) and the last failure. */
async function recordOutcome(deps: Deps, found: Found, error: AppError | undefined): Promise<void> {
  const now = deps.clock.nowIso();
  const last = found.widget.lastActivityAt ? Date.parse(found.widget.lastActivityAt) : 0;
  const changes: Record<string, unknown> = {};
  if (Date.parse(now) - last > 60_000) changes.lastActivityAt = now;
  // An end user's mistake (an empty message) is not the widget's error; the agent being unable to answer is.
  if (error && (error.status >= 500 || error.code === "failed-precondition")) {
    changes.lastError = { at: now, code: error.code, message: error.message };
  }
  if (Object.keys(changes).length === 0) return;
  await deps.store.update(widgetPath(found.tenantId, found.id), changes).catch(() => undefined);
}

/**
 * Claims a message id for this end user: the answer already given to it (a replay), `busy` while a first
 * request is still answering it, or `fresh` (claimed now) to run the turn.
 */
async function claimTurn(
  deps: Deps,
  path: string,
  clientMessageId: string,
): Promise<
  { kind: "fresh" } | { kind: "busy" } | { kind: "replay"; conversationId: string; messageId: string }
> {
  const now = deps.clock.nowIso();
  return deps.store.runTransaction(async (tx) => {
    const snap = await tx.get(path);
    const last = snap ? endUserSchema.parse(snap.data).lastTurn : null;
    if (last?.clientMessageId === clientMessageId) {
      if (last.status === "answered" && last.conversationId && last.messageId) {
        return { kind: "replay" as const, conversationId: last.conversationId, messageId: last.messageId };
      }
      if (Date.parse(now) - Date.parse(last.at) < answeringHoldMs) return { kind: "busy" as const };
    }
    const lastTurn = { clientMessageId, status: "answering", conversationId: null, messageId: null, at: now };
    tx.set(path, { lastTurn }, { merge: true });
    return { kind: "fresh" as const };
  });
}

/**
 * Runs one turn for the end user: in their conversation, or a new one with the widget's agent. The answer is
 * the checked message; `onDelta` receives the model's text as it is written. With a `clientMessageId`, a
 * replay of the same message gets the first answer again and never a second turn.
 */
export async function widgetTurn(
  deps: Deps,
  found: Found,
  endUser: string,
  input: { content: string; clientMessageId?: string | undefined },
  onDelta?: (text: string) => void,
): Promise<WidgetMessage> {
  const path = endUserPath(found.tenantId, found.id, endUser);
  const clientMessageId = input.clientMessageId;
  if (clientMessageId) {
    const claim = await claimTurn(deps, path, clientMessageId);
    if (claim.kind === "busy") {
      throw new AppError("aborted", "This message is still being answered: wait for its answer");
    }
    if (claim.kind === "replay") {
      const snap = await deps.store.get(messagePath(found.tenantId, claim.conversationId, claim.messageId));
      if (!snap) throw new AppError("not-found", "The answer to this message no longer exists");
      return toWidgetMessage({ id: claim.messageId, ...messageSchema.parse(snap.data) });
    }
  }
  try {
    let conversationId = await currentConversation(deps, found, endUser);
    if (!conversationId) {
      conversationId = (
        await startConversation(deps, found.tenantId, found.widget.agentId, {
          channel: "widget",
          version: selectorIn(found.widget.environment),
          endUserRef: `widget:${endUser}`,
          startedBy: `widget:${found.id}`,
        })
      ).id;
      await deps.store.set(path, { conversationId, updatedAt: deps.clock.nowIso() }, { merge: true });
    }
    const message = await sendMessage(
      deps,
      found.tenantId,
      conversationId,
      { content: input.content },
      { onDelta },
    );
    if (clientMessageId) {
      await deps.store.update(path, {
        lastTurn: {
          clientMessageId,
          status: "answered",
          conversationId,
          messageId: message.id,
          at: deps.clock.nowIso(),
        },
      });
    }
    await recordOutcome(deps, found, undefined);
    return toWidgetMessage(message);
  } catch (e) {
    // The message was not answered: a retry with the same id runs it again.
    if (clientMessageId) await deps.store.update(path, { lastTurn: null }).catch(() => undefined);
    await recordOutcome(deps, found, toAppError(e));
    throw endUserRefusal(e) ?? endUserSuspension(e) ?? e;
  }
}

/**
 * The end user confirms or cancels the write their conversation's latest answer asks for; the agent's answer
 * about the result comes back like a turn's. A confirmation outside their own conversation is not found.
 */
export async function widgetDecision(
  deps: Deps,
  found: Found,
  endUser: string,
  confirmationId: string,
  decision: Decision,
  onDelta?: (text: string) => void,
): Promise<WidgetMessage> {
  const conversationId = await currentConversation(deps, found, endUser);
  if (!conversationId) throw new AppError("not-found", `Confirmation ${confirmationId} not found`);
  try {
    const message = await decideConfirmation(
      deps,
      found.tenantId,
      conversationId,
      confirmationId,
      decision,
      `widget:${found.id}:${endUser}`,
      onDelta ? { onDelta } : {},
    );
    await recordOutcome(deps, found, undefined);
    return toWidgetMessage(message);
  } catch (e) {
    await recordOutcome(deps, found, toAppError(e));
    throw e;
  }
}

/**
 * The end user rates an answer in their own conversation on this widget (`input`), or takes the rating back
 * (`null`). An answer outside that conversation is not found. Charged like the widget's other calls, and,
 * since it writes, to the client's address like every public write.
 */
export async function widgetFeedback(
  deps: Deps,
  key: string,
  request: ApiRequest,
  messageId: string,
  input: FeedbackInput | null,
): Promise<{ feedback: WidgetMessage["feedback"] | null }> {
  const found = await openWidget(deps, key, request);
  const endUser = endUserOf(found, request);
  const perIp = deps.config.rateLimits.publicPerIp;
  if (perIp) await limitPublic(deps, `ip:${request.ip ?? "unknown"}`, perIp);
  await charge(deps, found, endUser, false);
  const conversationId = await currentConversation(deps, found, endUser);
  if (!conversationId) throw new AppError("not-found", `Message ${messageId} not found`);
  const answer = await findAnswer(deps, found.tenantId, conversationId, messageId);
  if (input === null) {
    await removeFeedback(deps, found.tenantId, answer);
    return { feedback: null };
  }
  const rated = await rateAnswer(deps, found.tenantId, answer, input, `widget:${found.id}:${endUser}`);
  return { feedback: { rating: rated.rating, comment: rated.comment } };
}

/** The checks before a turn, so a refused request is answered as a plain error, not a stream. */
export async function openTurn(
  deps: Deps,
  key: string,
  request: ApiRequest,
): Promise<{ found: Found; endUser: string }> {
  const found = await openWidget(deps, key, request);
  const endUser = endUserOf(found, request);
  await charge(deps, found, endUser, true);
  return { found, endUser };
}
