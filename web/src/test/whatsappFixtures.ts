/**
 * Acme Corp's WhatsApp numbers, in the shapes `/v1/whatsapp/connections` answers (functions/src/channels/
 * whatsapp/connections.ts `ConnectionView`): the support line answers with the HR assistant, adds the
 * documents two HR staff send to the handbook, and last failed to reply late without a template; the sales
 * line has not had a message yet.
 */
import { knowledgeBaseList } from "./fixtures";
import { jsonResponse, type PlatformRoute } from "./platformFetch";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export const supportLine = {
  id: "wac_support",
  label: "Support line",
  phoneNumberId: "106540352242922",
  wabaId: "102290129340398",
  agentId: "agt_hr",
  environment: "production",
  template: null,
  documents: { knowledgeBaseId: "kb_handbook", senders: ["31612345678", "4915112345678"] },
  createdAt: minutesAgo(6 * 24 * 60),
  updatedAt: minutesAgo(6 * 24 * 60),
  lastActivityAt: minutesAgo(12),
  lastError: {
    at: minutesAgo(45),
    code: "131047",
    message: "More than 24 hours have passed since the customer last wrote",
  },
  webhookPath: "/webhooks/whatsapp/wac_support",
};

export const salesLine = {
  id: "wac_sales",
  label: "Sales line",
  phoneNumberId: "110928374650012",
  wabaId: "102290129340398",
  agentId: "agt_hr",
  environment: "production",
  template: { name: "follow_up", language: "en_US" },
  documents: null,
  createdAt: minutesAgo(60),
  updatedAt: minutesAgo(60),
  lastActivityAt: null,
  lastError: null,
  webhookPath: "/webhooks/whatsapp/wac_sales",
};

/** `GET /v1/whatsapp/connections`: oldest first. */
export const whatsAppConnectionList = { connections: [supportLine, salesLine] };

/** The secrets an admin types when connecting a number: what must never show again. */
export const whatsAppSecrets = {
  accessToken: "EAAGm0PX4ZCpsBAKc9ZB7wZDZD",
  appSecret: "4f9e1c2b7a3d4e5f6a7b8c9d0e1f2a3b",
  verifyToken: "acme-support-verify-2026",
};

/**
 * The connections list of Acme Corp, and the knowledge bases documents may go to, for tests that open the
 * Channels page as an admin.
 */
export function whatsAppRoutes(): Record<string, PlatformRoute> {
  return {
    "GET /v1/whatsapp/connections": () => jsonResponse(whatsAppConnectionList),
    "GET /v1/knowledge-bases": () => jsonResponse(knowledgeBaseList),
  };
}
