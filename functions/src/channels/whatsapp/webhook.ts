/**
 * The webhook Meta calls for a connected number, and the worker that answers.
 *
 * Receiving (`receive`): the `X-Hub-Signature-256` HMAC of the raw bytes, with the connection's app secret, is
 * checked in constant time before anything is parsed (a bad or missing one is 401 and stores nothing). Each
 * message is recorded once, in a transaction keyed by its `wamid`, and queued for the worker; the webhook
 * answers as soon as that is done, since Meta retries slow webhooks. A replayed or retried delivery finds the
 * record and queues nothing new (a record left `received` by a failed enqueue is queued again: task ids are
 * deterministic, so this never queues twice). Statuses of sent replies are recorded on them. A reaction to one
 * of our replies rates the answer it carried (`react`), and is never answered.
 *
 * Answering (`answer`, the `whatsapp-reply` task): marks the message read (typing shown), finds or starts the
 * contact's conversation ("reset" or "start over" starts a new one), runs the turn, stores the reply on the
 * record, then sends it: in 4,096-character parts cut at sentence ends, with the sources as numbered lines.
 * Each step is recorded before the next, so a retried task resumes instead of answering twice. Outside the
 * 24-hour customer-service window it sends the connection's template instead, or records that it could not
 * reply (131047): never silently.
 */
import { selectorIn } from "../../agents/environments.js";
import { meterMessage } from "../../billing/usage.js";
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { decideConfirmation } from "../../agents/confirmations.js";
import {
  findAnswer,
  loadConversation,
  recordDelivery,
  startConversation,
  type MessageView,
} from "../../agents/conversations.js";
import { rateAnswer, removeFeedback, type FeedbackRating } from "../../accountability/feedback.js";
import { conversationPath, type Delivery } from "../../agents/schema.js";
import { sendMessage } from "../../agents/turn.js";
import { addDocument } from "../../knowledge/documents.js";
import type { Deps } from "../../platform/deps.js";
import type { SpeechToText } from "../../platform/ports.js";
import { endUserRefusal } from "../../billing/limits.js";
import { assertFeature, endUserSuspension } from "../../identity/tenants.js";
import { AppError, isAppError, toAppError } from "../../platform/errors.js";
import { log } from "../../platform/log.js";
import { connectionForWebhook } from "./connections.js";
import { GraphError, whatsappGraph, type WhatsAppGraph } from "./graph.js";
import {
  connectionPath,
  contactPath,
  inboundPath,
  inboundSchema,
  outboundPath,
  replyQueue,
  type Inbound,
  type ReplyTask,
} from "./schema.js";

export const maxReplyChars = 4096;
const windowMs = 24 * 60 * 60 * 1000;
const resetWords = /^\s*(reset|start over|restart|new conversation)\s*[.!]?\s*$/i;

/** `sha256=<hex>` of the raw body with the app secret, compared in constant time. */
export function signatureValid(appSecret: string, raw: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith("sha256=")) return false;
  const expected = createHmac("sha256", appSecret).update(raw).digest();
  const given = Buffer.from(header.slice("sha256=".length), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A contact, hashed with the connection: who wrote, without storing their number. */
export const contactOf = (connectionId: string, waId: string): string =>
  createHash("sha256").update(`${connectionId}:${waId}`).digest("base64url").slice(0, 22);

/** The `hub.*` handshake: the challenge back when the verify token matches, else a 403. */
export async function verify(deps: Deps, connectionId: string, query: URLSearchParams): Promise<string> {
  const found = await connectionForWebhook(deps, connectionId);
  const token = query.get("hub.verify_token") ?? "";
  const expected = found?.secrets.verifyToken ?? "";
  const same =
    found !== null &&
    Buffer.byteLength(token) === Buffer.byteLength(expected) &&
    timingSafeEqual(Buffer.from(token), Buffer.from(expected));
  if (query.get("hub.mode") !== "subscribe" || !same) {
    throw new AppError("permission-denied", "The verify token does not match this connection");
  }
  return query.get("hub.challenge") ?? "";
}

const messageSchema = z
  .object({
    from: z.string().regex(/^\d{5,20}$/),
    id: z.string().min(1).max(300),
    timestamp: z.string().regex(/^\d{1,12}$/),
    type: z.string().max(40),
    text: z.object({ body: z.string() }).loose().optional(),
    image: z.object({ caption: z.string().optional() }).loose().optional(),
    document: z
      .object({
        id: z.string().max(200).optional(),
        caption: z.string().optional(),
        filename: z.string().optional(),
        mime_type: z.string().optional(),
      })
      .loose()
      .optional(),
    audio: z
      .object({ id: z.string().max(200).optional(), mime_type: z.string().optional() })
      .loose()
      .optional(),
    /** A reaction: the emoji and the message it is on (empty `emoji`: the reaction was removed). */
    reaction: z
      .object({ message_id: z.string().max(300), emoji: z.string().max(64).optional() })
      .loose()
      .optional(),
    /** A tap on one of a reply's buttons. */
    interactive: z
      .object({
        type: z.string().max(40),
        button_reply: z
          .object({ id: z.string().max(300), title: z.string().max(100) })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

/** A confirmation button's id: `confirm:<confirmation id>` or `cancel:<confirmation id>`. */
const buttonId = /^(confirm|cancel):([A-Za-z0-9_-]{1,128})$/;

function decisionOf(m: z.infer<typeof messageSchema>): Inbound["decision"] {
  const match = m.type === "interactive" ? buttonId.exec(m.interactive?.button_reply?.id ?? "") : null;
  return match ? { decision: match[1] as "confirm" | "cancel", confirmationId: match[2] as string } : null;
}

/** A typed answer to a pending confirmation. */
const confirmWords = /^\s*(yes|y|confirm|confirmed|ok|okay)\s*[.!]*\s*$/i;
const cancelWords = /^\s*(no|n|cancel|stop)\s*[.!]*\s*$/i;

const statusSchema = z
  .object({
    id: z.string().min(1).max(300),
    status: z.enum(["sent", "delivered", "read", "failed"]),
    timestamp: z.string().regex(/^\d{1,12}$/),
    errors: z
      .array(z.object({ code: z.union([z.number(), z.string()]), title: z.string().optional() }).loose())
      .optional(),
  })
  .loose();

const payloadSchema = z
  .object({
    object: z.literal("whatsapp_business_account"),
    entry: z
      .array(
        z
          .object({
            changes: z.array(
              z
                .object({
                  field: z.string(),
                  value: z
                    .object({
                      metadata: z.object({ phone_number_id: z.string() }).loose(),
                      messages: z.array(z.unknown()).optional(),
                      statuses: z.array(z.unknown()).optional(),
                    })
                    .loose(),
                })
                .loose(),
            ),
          })
          .loose(),
      )
      .max(100),
  })
  .loose();

/** The text a message is answered from; null for kinds only a fixed reply can answer. */
function textOf(m: z.infer<typeof messageSchema>): string | null {
  if (m.type === "text") return m.text?.body ?? "";
  if (m.type === "image") return m.image?.caption ?? "";
  if (m.type === "document") return m.document?.caption ?? "";
  if (m.type === "interactive") return m.interactive?.button_reply?.title ?? "";
  return null;
}

/** The media a message carries that the worker may fetch: a document, or a voice note to transcribe. */
function mediaOf(m: z.infer<typeof messageSchema>): Inbound["media"] {
  if (m.type === "document" && m.document?.id) {
    return {
      id: m.document.id,
      fileName: m.document.filename?.slice(0, 255) ?? null,
      mimeType: m.document.mime_type?.slice(0, 200) ?? null,
    };
  }
  if (m.type === "audio" && m.audio?.id) {
    return { id: m.audio.id, fileName: null, mimeType: m.audio.mime_type?.slice(0, 200) ?? null };
  }
  return null;
}

/** A `wamid` as a document id (its characters are base64 plus `.`/`=`, which paths may not all take). */
const docId = (wamid: string): string => createHash("sha256").update(wamid).digest("base64url").slice(0, 32);

export async function receive(
  deps: Deps,
  connectionId: string,
  raw: Buffer,
  signature: string | undefined,
): Promise<{ messages: number; duplicates: number; statuses: number }> {
  const found = await connectionForWebhook(deps, connectionId);
  if (!found) throw new AppError("not-found", `No WhatsApp connection ${connectionId}`);
  if (!signatureValid(found.secrets.appSecret, raw, signature)) {
    throw new AppError("unauthenticated", "X-Hub-Signature-256 is missing or does not match the body");
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new AppError("invalid-argument", "The webhook body is not JSON");
  }
  const payload = payloadSchema.safeParse(json);
  if (!payload.success)
    throw new AppError("invalid-argument", "The webhook body is not a WhatsApp Business event");
  const { tenantId, connection } = found;
  const counts = { messages: 0, duplicates: 0, statuses: 0 };
  const now = deps.clock.nowIso();
  for (const change of payload.data.entry.flatMap((e) => e.changes)) {
    if (change.field !== "messages" || change.value.metadata.phone_number_id !== connection.phoneNumberId)
      continue;
    for (const rawMessage of change.value.messages ?? []) {
      const m = messageSchema.safeParse(rawMessage);
      if (!m.success) continue;
      if (m.data.type === "reaction") {
        if ((await react(deps, tenantId, connectionId, m.data, now)) === "duplicate") counts.duplicates++;
        continue;
      }
      const path = inboundPath(tenantId, docId(m.data.id));
      const text = textOf(m.data);
      const inbound: Inbound = {
        connectionId,
        contact: contactOf(connectionId, m.data.from),
        kind: m.data.type,
        text: (text ?? "").slice(0, 8000),
        media: mediaOf(m.data),
        // Decided now, while the sender's number is at hand (only its hash is stored).
        ingest: m.data.type === "document" && (connection.documents?.senders.includes(m.data.from) ?? false),
        sentAt: new Date(Number(m.data.timestamp) * 1000).toISOString(),
        status: "received",
        conversationId: null,
        messageId: null,
        reply: null,
        replyIds: [],
        notSent: null,
        decision: decisionOf(m.data),
        confirmation: null,
        createdAt: now,
      };
      const fresh = await deps.store.runTransaction(async (tx) => {
        const existing = await tx.get(path);
        if (existing) return inboundSchema.parse(existing.data).status === "received";
        tx.create(path, inbound);
        return true;
      });
      if (!fresh) {
        counts.duplicates++;
        continue;
      }
      const task: ReplyTask = { tenantId, wamid: m.data.id, to: m.data.from };
      await deps.tasks.enqueue(replyQueue, task, { id: `wa-${docId(m.data.id)}` });
      await deps.store.update(path, { status: "queued" });
      counts.messages++;
    }
    for (const rawStatus of change.value.statuses ?? []) {
      const st = statusSchema.safeParse(rawStatus);
      if (!st.success) continue;
      const at = new Date(Number(st.data.timestamp) * 1000).toISOString();
      const errors = st.data.errors?.map((e) => ({ code: String(e.code), title: e.title ?? "" }));
      const outPath = outboundPath(tenantId, docId(st.data.id));
      await deps.store.set(
        outPath,
        { status: st.data.status, statusAt: { [st.data.status]: at }, ...(errors ? { errors } : {}) },
        { merge: true },
      );
      // Shown on the answer in the studio's transcript, when this reply is one of an answer's parts.
      const sent = (await deps.store.get(outPath))?.data as { conversationId?: unknown; messageId?: unknown };
      if (typeof sent.conversationId === "string" && typeof sent.messageId === "string") {
        const error = errors?.[0];
        await recordDelivery(deps, tenantId, sent.conversationId, sent.messageId, {
          status: st.data.status,
          at,
          error: error ? { code: error.code, message: error.title || `WhatsApp error ${error.code}` } : null,
        });
      }
      counts.statuses++;
    }
  }
  // Last activity to the minute: one write a minute per number, not one per delivery.
  const last = connection.lastActivityAt ? Date.parse(connection.lastActivityAt) : 0;
  if (Date.parse(now) - last > 60_000) {
    await deps.store.update(connectionPath(tenantId, connectionId), { lastActivityAt: now });
  }
  return counts;
}

/** Skin tones and emoji/text presentation selectors: 👍🏽 and 👍️ are 👍. */
const emojiModifiers = /[\u{1F3FB}-\u{1F3FF}]|\u{FE0E}|\u{FE0F}/gu;

/** What a reaction's emoji says about the answer: a rating, a removal (empty), or nothing (any other emoji). */
export function ratingOfReaction(emoji: string | undefined): FeedbackRating | "removed" | null {
  if (!emoji) return "removed";
  const base = emoji.replace(emojiModifiers, "");
  if (base === "\u{1F44D}") return "up";
  if (base === "\u{1F44E}") return "down";
  return null;
}

/**
 * A contact's reaction to one of our replies rates the answer it carried: 👍 up, 👎 down (any skin tone), and
 * removing the reaction takes the rating back; any other emoji is ignored. Only the contact the answer was
 * for can rate it: a reply of another number, another contact's or another tenant's is not found here. Each
 * reaction is recorded once by its `wamid` after it is applied, so a replayed delivery cannot undo a later
 * change (a failure before that leaves nothing recorded, and Meta's retry applies it).
 */
async function react(
  deps: Deps,
  tenantId: string,
  connectionId: string,
  m: z.infer<typeof messageSchema>,
  now: string,
): Promise<"applied" | "duplicate" | "ignored"> {
  const path = inboundPath(tenantId, docId(m.id));
  if (await deps.store.get(path)) return "duplicate";
  const contact = contactOf(connectionId, m.from);
  const rating = ratingOfReaction(m.reaction?.emoji);
  const target = m.reaction?.message_id;
  let rated: { conversationId: string; messageId: string } | null = null;
  if (rating === null) {
    log.info("whatsapp: a reaction other than a thumbs up or down was ignored", { connectionId });
  } else if (target) {
    rated = await rateByReaction(deps, tenantId, contact, target, rating);
  }
  const record: Inbound = {
    connectionId,
    contact,
    kind: "reaction",
    text: "",
    media: null,
    ingest: false,
    sentAt: new Date(Number(m.timestamp) * 1000).toISOString(),
    status: "handled",
    conversationId: rated?.conversationId ?? null,
    messageId: rated?.messageId ?? null,
    reply: null,
    replyIds: [],
    notSent: null,
    decision: null,
    confirmation: null,
    createdAt: now,
  };
  // Two deliveries of the same reaction at once both apply it (the same rating twice); one record stays.
  await deps.store.create(path, record).catch((e: unknown) => {
    if (!(isAppError(e) && e.code === "already-exists")) throw e;
  });
  return rated ? "applied" : "ignored";
}

/** Applies a reaction to the answer reply `wamid` carried, if it is one of the contact's answers. */
async function rateByReaction(
  deps: Deps,
  tenantId: string,
  contact: string,
  wamid: string,
  rating: FeedbackRating | "removed",
): Promise<{ conversationId: string; messageId: string } | null> {
  const sent = (await deps.store.get(outboundPath(tenantId, docId(wamid))))?.data as
    { conversationId?: unknown; messageId?: unknown } | undefined;
  const conversationId = typeof sent?.conversationId === "string" ? sent.conversationId : null;
  const messageId = typeof sent?.messageId === "string" ? sent.messageId : null;
  // Not a reply of ours on this tenant's numbers, or one that carried no answer ("Started a new conversation").
  if (!conversationId || !messageId) return null;
  try {
    const conversation = await loadConversation(deps, tenantId, conversationId);
    // The contact hash includes the number: this holds only for this contact on this number.
    if (conversation.endUserRef !== `whatsapp:${contact}`) return null;
    const answer = await findAnswer(deps, tenantId, conversationId, messageId);
    if (rating === "removed") await removeFeedback(deps, tenantId, answer);
    else await rateAnswer(deps, tenantId, answer, { rating }, `whatsapp:${contact}`);
    return { conversationId, messageId };
  } catch (e) {
    const error = toAppError(e);
    if (error.status >= 500) throw e; // Meta retries the delivery
    // Deleted since (retention, erasure), or not an answer that can be rated: nothing to do.
    log.info("whatsapp: a reaction could not be applied", { code: error.code });
    return null;
  }
}

/** Parts of at most `max` characters, cut after a sentence (or, failing that, a space). */
export function splitReply(text: string, max = maxReplyChars): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const sentenceEnd = Math.max(...[". ", "! ", "? ", "\n"].map((s) => window.lastIndexOf(s)));
    const cut =
      sentenceEnd > max / 2 ? sentenceEnd + 1 : window.lastIndexOf(" ") > 0 ? window.lastIndexOf(" ") : max;
    parts.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

/** The reply as WhatsApp shows it: the answer, then its sources as numbered lines. */
export function replyText(content: string, citations: readonly { ref: string; docName: string }[]): string {
  const sources = [...new Map(citations.map((c) => [c.ref, c.docName])).entries()].map(
    ([ref, doc]) => `[${ref}] ${doc}`,
  );
  return sources.length > 0 ? `${content}\n\nSources:\n${sources.join("\n")}` : content;
}

const unsupported = (kind: string): string =>
  kind === "audio"
    ? "Sorry, I can't listen to voice messages here. Please type your question."
    : "Sorry, I can only read text messages (and captions of images and documents).";

/** The contact's conversation (a new one on "reset"), and the agent's reply to the message in it. */
async function converse(
  deps: Deps,
  tenantId: string,
  { agentId, environment }: { readonly agentId: string; readonly environment: string },
  inbound: Inbound,
  question: string,
): Promise<{
  reply: string;
  conversationId: string;
  messageId: string | null;
  confirmation: Inbound["confirmation"];
}> {
  const contact = contactPath(tenantId, inbound.connectionId, inbound.contact);
  const reset = resetWords.test(question);
  const current = reset ? null : await deps.store.get(contact);
  let conversationId = (current?.data as { conversationId?: string } | undefined)?.conversationId;
  // Retention or an erasure request may have deleted it since: the contact starts a new one.
  if (conversationId && !(await deps.store.get(conversationPath(tenantId, conversationId)))) {
    conversationId = undefined;
  }
  if (!conversationId) {
    conversationId = (
      await startConversation(deps, tenantId, agentId, {
        channel: "whatsapp",
        version: selectorIn(environment),
        endUserRef: `whatsapp:${inbound.contact}`,
      })
    ).id;
    await deps.store.set(contact, { conversationId, updatedAt: deps.clock.nowIso() });
  }
  if (reset) {
    return {
      reply: "Started a new conversation. What would you like to know?",
      conversationId,
      messageId: null,
      confirmation: null,
    };
  }
  // A button tap, or "yes" / "no" typed while the latest answer waits for a confirmation, decides it.
  let decision = inbound.decision;
  if (!decision && (confirmWords.test(question) || cancelWords.test(question))) {
    const pending = (await loadConversation(deps, tenantId, conversationId)).pendingConfirmationId;
    if (pending)
      decision = { confirmationId: pending, decision: confirmWords.test(question) ? "confirm" : "cancel" };
  }
  let message: MessageView;
  if (decision) {
    try {
      message = await decideConfirmation(
        deps,
        tenantId,
        conversationId,
        decision.confirmationId,
        decision.decision,
        `whatsapp:${inbound.contact}`,
      );
    } catch (e) {
      const error = toAppError(e);
      if (error.code !== "aborted" && error.code !== "not-found") throw e;
      // Expired, decided already, or not this contact's: said, and nothing is sent.
      return {
        reply: `Nothing was sent: that request can no longer be ${decision.decision === "confirm" ? "confirmed" : "cancelled"}. ${error.message.replace(/^Confirmation \S+ /, "It ")}.`,
        conversationId,
        messageId: null,
        confirmation: null,
      };
    }
  } else message = await sendMessage(deps, tenantId, conversationId, { content: question });
  return {
    reply: replyText(message.content, message.citations),
    conversationId,
    messageId: message.id,
    confirmation: message.confirmation?.status === "pending" ? confirmationText(message.confirmation) : null,
  };
}

/** WhatsApp's limit on an interactive message's text. */
const maxButtonText = 1024;

/** What the contact is asked to confirm, as the buttons' message says it: the tool, then the exact request. */
function confirmationText(c: NonNullable<MessageView["confirmation"]>): Inbound["confirmation"] {
  let body = c.request.body ?? "";
  try {
    body = JSON.stringify(JSON.parse(body), null, 1);
  } catch {
    // not JSON: as it is
  }
  const until = c.expiresAt.slice(11, 16);
  const text = `Confirm ${c.toolName}? Nothing is sent unless you tap Confirm (until ${until} UTC).\n\n${c.request.method} ${c.request.url}${body ? `\n${body}` : ""}`;
  return {
    id: c.id,
    text: text.length <= maxButtonText ? text : `${text.slice(0, maxButtonText - 1)}…`,
  };
}

/**
 * Whether a failure will be the same on a retry: Meta or the platform refused what was sent (a 4xx other than
 * 429). Network failures, 429 and 5xx may pass on a retry, so the task is retried.
 */
function settled(e: unknown): boolean {
  const status = e instanceof GraphError ? e.status : toAppError(e).status;
  return status > 0 && status < 500 && status !== 429;
}

/** WhatsApp's own limit on an audio message. */
const maxVoiceBytes = 16 * 1024 * 1024;

/**
 * The words of a voice note, or what to reply when there are none to answer: a note that cannot be fetched
 * or understood is said so (not retried); the speech service or Meta failing is retried.
 */
async function hear(
  deps: Deps,
  speech: SpeechToText,
  graph: WhatsAppGraph,
  media: NonNullable<Inbound["media"]>,
): Promise<{ words: string; reply?: undefined } | { words?: undefined; reply: string }> {
  try {
    const { bytes, mimeType } = await graph.downloadMedia(
      media.id,
      Math.min(maxVoiceBytes, deps.config.limits.maxUploadBytes),
    );
    const words = (await speech.transcribe(bytes, media.mimeType ?? mimeType)).slice(0, 8000).trim();
    if (words === "")
      return {
        reply:
          "I couldn't make out any words in that voice message. Please try again, or type your question.",
      };
    return { words };
  } catch (e) {
    if (!settled(e)) throw e;
    log.warn("whatsapp: a voice message could not be transcribed", { err: e });
    return { reply: "Sorry, I couldn't understand that voice message. Please type your question." };
  }
}

/**
 * Adds a document an allowed sender sent to the connection's knowledge base; says what became of it. What the
 * file is (its type, its size) is answered, not retried; the platform or Meta failing is retried (the same
 * bytes again are recognised as the document already there, so a retry never adds it twice).
 */
async function ingestDocument(
  deps: Deps,
  tenantId: string,
  graph: WhatsAppGraph,
  kbId: string,
  inbound: Inbound,
): Promise<string> {
  const media = inbound.media as NonNullable<Inbound["media"]>;
  const fileName = media.fileName ?? `whatsapp-document-${inbound.createdAt.slice(0, 10)}.pdf`;
  try {
    const { bytes } = await graph.downloadMedia(media.id, deps.config.limits.maxUploadBytes);
    const added = await addDocument(
      deps,
      tenantId,
      kbId,
      { fileName, bytes },
      `whatsapp:${inbound.connectionId}`,
    );
    return added.duplicate
      ? `${fileName} is already in the knowledge base.`
      : `Added ${fileName} to the knowledge base. It can be searched in a minute or two.`;
  } catch (e) {
    if (!settled(e)) throw e;
    return `I couldn't add ${fileName}: ${e instanceof GraphError ? `${e.message}.` : toAppError(e).message}`;
  }
}

/** Records how far an answer's reply got on its message in the conversation (when it has one). */
async function deliveredAs(
  deps: Deps,
  tenantId: string,
  inbound: Inbound,
  delivery: Delivery,
): Promise<void> {
  if (!inbound.conversationId || !inbound.messageId) return;
  await recordDelivery(deps, tenantId, inbound.conversationId, inbound.messageId, delivery);
}

/** The `whatsapp-reply` task: answers one message, resuming where an earlier attempt stopped. */
export async function answer(deps: Deps, task: ReplyTask): Promise<void> {
  const path = inboundPath(task.tenantId, docId(task.wamid));
  const snap = await deps.store.get(path);
  if (!snap) return;
  let inbound = inboundSchema.parse(snap.data);
  if (inbound.status === "sent" || inbound.status === "not-sent") return;
  const found = await connectionForWebhook(deps, inbound.connectionId);
  if (!found) return; // the number was disconnected meanwhile
  const { connection, secrets } = found;
  const graph = whatsappGraph(deps.config, connection.phoneNumberId, secrets.accessToken);
  const recordError = (code: string, message: string) =>
    deps.store.update(connectionPath(task.tenantId, inbound.connectionId), {
      lastError: { at: deps.clock.nowIso(), code, message },
    });

  if (inbound.status !== "answered") {
    await graph
      .markRead(task.wamid)
      .catch((e: unknown) => log.warn("whatsapp: could not mark read", { err: e }));
    let reply: string;
    let conversationId: string | null = null;
    let messageId: string | null = null;
    let confirmation: Inbound["confirmation"] = null;
    // A document from an allowed sender goes into the knowledge base first; its caption is still answered.
    const notes: string[] = [];
    if (inbound.ingest && inbound.media && connection.documents) {
      notes.push(
        await ingestDocument(deps, task.tenantId, graph, connection.documents.knowledgeBaseId, inbound),
      );
    }
    let question = inbound.text.trim();
    // A voice note is heard when the operator configured a speech model; the reply says what was heard.
    if (inbound.kind === "audio" && inbound.media && deps.speech) {
      const heard = await hear(deps, deps.speech, graph, inbound.media);
      if (heard.words !== undefined) {
        question = heard.words;
        notes.push(`You said: "${heard.words}"`);
      } else notes.push(heard.reply);
    }
    if (question === "") {
      reply =
        notes.length > 0
          ? ""
          : inbound.kind === "text"
            ? "Please type your question."
            : unsupported(inbound.kind);
    } else {
      try {
        // A number keeps receiving messages when the operator turns WhatsApp off; they are not answered.
        await assertFeature(deps, task.tenantId, "whatsapp");
        ({ reply, conversationId, messageId, confirmation } = await converse(
          deps,
          task.tenantId,
          connection,
          inbound,
          question,
        ));
      } catch (e) {
        const error = toAppError(e);
        if (error.status >= 500 || error.status === 429) throw e; // a retry may succeed
        // The agent cannot take this message (paused, archived, too long...): say so, record why, no retry.
        await recordError(error.code, error.message);
        reply =
          (endUserRefusal(error) ?? endUserSuspension(error))?.message ??
          "Sorry, I can't answer that right now.";
      }
    }
    reply = [...notes, reply].filter((part) => part !== "").join("\n\n");
    await deps.store.update(path, { status: "answered", reply, conversationId, messageId, confirmation });
    inbound = { ...inbound, status: "answered", reply, conversationId, messageId, confirmation };
  }

  const reply = inbound.reply ?? "";
  const late = deps.clock.now().getTime() - Date.parse(inbound.sentAt) > windowMs;
  try {
    const ids: string[] = [];
    if (late && connection.template) ids.push(await graph.sendTemplate(task.to, connection.template));
    else if (late)
      throw new GraphError(400, "131047", "More than 24 hours have passed since the customer last wrote");
    else {
      for (const part of splitReply(reply)) ids.push(await graph.sendText(task.to, part));
      const asks = inbound.confirmation;
      if (asks) {
        ids.push(
          await graph.sendButtons(task.to, asks.text, [
            { id: `confirm:${asks.id}`, title: "Confirm" },
            { id: `cancel:${asks.id}`, title: "Cancel" },
          ]),
        );
      }
    }
    // Each sent message is recorded with its usage event (WhatsApp charges per message), in one write.
    const sent = deps.store.batch();
    for (const id of ids) {
      sent.set(
        outboundPath(task.tenantId, docId(id)),
        {
          wamid: id,
          status: "accepted",
          inbound: docId(task.wamid),
          conversationId: inbound.conversationId,
          messageId: inbound.messageId,
        },
        { merge: true },
      );
      meterMessage(sent, task.tenantId, id, {
        channel: "whatsapp",
        agentId: connection.agentId,
        conversationId: inbound.conversationId,
        at: deps.clock.nowIso(),
      });
    }
    await sent.commit();
    await deliveredAs(deps, task.tenantId, inbound, {
      status: "accepted",
      at: deps.clock.nowIso(),
      error: null,
    });
    // Done: the words live on in the conversation (under its retention and erasure), not here.
    await deps.store.update(path, {
      status: "sent",
      replyIds: ids,
      text: "",
      reply: null,
      confirmation: null,
    });
  } catch (e) {
    if (e instanceof GraphError && settled(e)) {
      // Will not change on retry: record it where the studio shows it, and stop.
      await deps.store.update(path, {
        status: "not-sent",
        notSent: { code: e.code, message: e.message },
        text: "",
        reply: null,
      });
      await recordError(e.code, e.message);
      await deliveredAs(deps, task.tenantId, inbound, {
        status: "not-sent",
        at: deps.clock.nowIso(),
        error: { code: e.code, message: e.message },
      });
      log.warn("whatsapp: a reply could not be sent", { code: e.code, connectionId: inbound.connectionId });
      return;
    }
    const error = toAppError(e);
    await recordError(error.code, error.message);
    throw e;
  }
}
