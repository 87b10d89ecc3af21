/**
 * WhatsApp Business (Cloud API) records.
 * - `tenants/{t}/whatsappConnections/{id}`: a connected number and the agent it serves; no secrets, so the
 *   studio may read it.
 * - `whatsappSecrets/{id}`: the tenant it belongs to and its sealed secrets (platform/secrets.ts), outside
 *   every tenant's tree: the webhook finds the connection by id alone, and no client ever reads it.
 * - `tenants/{t}/whatsappInbound/{wamid}`: one per incoming message, created once (a replayed delivery finds
 *   it), with how far its answer got: received → queued → answered → sent (or not-sent, with why); a reaction
 *   is `handled` at once (it rates an answer, see webhook.ts) and never answered.
 * - `tenants/{t}/whatsappContacts/{connectionId}_{contact}`: the conversation a contact is in on a number.
 * - `tenants/{t}/whatsappOutbound/{wamid}`: each reply message sent, with the delivery statuses Meta reports.
 */
import { z } from "zod";
import { sealedSchema } from "../../platform/secrets.js";

const tenantPath = (tenantId: string): string => `tenants/${tenantId}`;

export const connectionsPath = (tenantId: string): string => `${tenantPath(tenantId)}/whatsappConnections`;
export const connectionPath = (tenantId: string, id: string): string => `${connectionsPath(tenantId)}/${id}`;
export const secretsPath = (id: string): string => `whatsappSecrets/${id}`;
export const inboundPath = (tenantId: string, wamid: string): string =>
  `${tenantPath(tenantId)}/whatsappInbound/${wamid}`;
export const contactPath = (tenantId: string, connectionId: string, contact: string): string =>
  `${tenantPath(tenantId)}/whatsappContacts/${connectionId}_${contact}`;
export const outboundPath = (tenantId: string, wamid: string): string =>
  `${tenantPath(tenantId)}/whatsappOutbound/${wamid}`;

export const connectionSchema = z.object({
  label: z.string(),
  phoneNumberId: z.string(),
  wabaId: z.string(),
  agentId: z.string(),
  /** The environment whose version of the agent answers (identity/environments.ts). */
  environment: z.string().default("production"),
  /** An approved template sent instead of a reply outside the 24-hour window (null: none configured). */
  template: z.object({ name: z.string(), language: z.string() }).nullable(),
  /**
   * Documents sent by these numbers (staff, not customers) are added to this knowledge base; anyone else's
   * are answered from their caption only. Null: no document is ever added.
   */
  documents: z
    .object({ knowledgeBaseId: z.string(), senders: z.array(z.string()) })
    .nullable()
    .default(null),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastActivityAt: z.string().nullable(),
  lastError: z.object({ at: z.string(), code: z.string(), message: z.string() }).nullable(),
});
export type Connection = z.infer<typeof connectionSchema>;

export const secretsSchema = z.object({
  tenantId: z.string(),
  accessToken: sealedSchema,
  appSecret: sealedSchema,
  verifyToken: sealedSchema,
});
export type ConnectionSecrets = z.infer<typeof secretsSchema>;

export const inboundSchema = z.object({
  connectionId: z.string(),
  /** A hash of the sender's WhatsApp id (`wa_id`): who, without keeping the number itself. */
  contact: z.string(),
  kind: z.string(),
  text: z.string(),
  /** A document or voice note: Meta's media id (fetched with the number's token), its file name if any. */
  media: z
    .object({ id: z.string(), fileName: z.string().nullable(), mimeType: z.string().nullable() })
    .nullable()
    .default(null),
  /** Whether a document it carries goes into the connection's knowledge base (the sender is allowed to). */
  ingest: z.boolean().default(false),
  /** When WhatsApp says the message was sent (ISO), for the 24-hour window. */
  sentAt: z.string(),
  /** `handled`: a reaction, applied to the answer it rates when it arrived; nothing is sent for it. */
  status: z.enum(["received", "queued", "answered", "sent", "not-sent", "handled"]),
  conversationId: z.string().nullable(),
  /** The answer's message in the conversation (its delivery statuses are recorded there). */
  messageId: z.string().nullable().default(null),
  reply: z.string().nullable(),
  replyIds: z.array(z.string()),
  notSent: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** A tap on a reply's Confirm / Cancel button: the decision on the confirmation it names. */
  decision: z
    .object({ confirmationId: z.string(), decision: z.enum(["confirm", "cancel"]) })
    .nullable()
    .default(null),
  /** What the answer asks the contact to confirm: sent after the reply, with Confirm / Cancel buttons. */
  confirmation: z.object({ id: z.string(), text: z.string() }).nullable().default(null),
  createdAt: z.string(),
});
export type Inbound = z.infer<typeof inboundSchema>;

export const replyTaskSchema = z.object({
  tenantId: z.string(),
  wamid: z.string(),
  /** The sender's number, needed to reply; kept in the task only, never stored. */
  to: z.string().regex(/^\d{5,20}$/),
});
export type ReplyTask = z.infer<typeof replyTaskSchema>;

export const replyQueue = "whatsapp-reply";
