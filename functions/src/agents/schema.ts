/** Agent Engine collections: agents, conversations and their messages (schemas + paths). */
import { z } from "zod";
import { citationSchema } from "../accountability/schema.js";
import { idPattern } from "../platform/ids.js";
import { checkId, tenantPath } from "../platform/tenancy.js";

export const agentStatuses = ["draft", "published", "paused", "archived"] as const;

export const agentSchema = z.object({
  name: z.string().min(1).max(120),
  instructions: z.string().max(20_000),
  knowledgeBaseIds: z.array(z.string().regex(idPattern)).max(20),
  status: z.enum(agentStatuses),
  /** Below this confidence the agent abstains instead of answering. */
  confidenceThreshold: z.number().min(0).max(1),
  /** How many earlier messages are sent to the model with each turn. */
  memoryWindow: z.number().int().min(0).max(50),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Agent = z.infer<typeof agentSchema>;

export const conversationSchema = z.object({
  agentId: z.string(),
  agentVersion: z.union([z.literal("draft"), z.number().int()]),
  channel: z.enum(["api", "callable", "studio"]),
  endUserRef: z.string().nullable(),
  messageCount: z.number().int().min(0),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const messageSchema = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  seq: z.number().int().min(0),
  createdAt: z.string(),
  citations: z.array(citationSchema).default([]),
  /** 0..1; the breakdown is in the trace. */
  confidence: z.number().min(0).max(1).nullable().default(null),
  abstained: z.boolean().default(false),
  explanation: z.string().nullable().default(null),
  traceId: z.string().nullable().default(null),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }).nullable().default(null),
});
export type Message = z.infer<typeof messageSchema>;

export const agentsPath = (tenantId: string): string => `${tenantPath(tenantId)}/agents`;
export const agentPath = (tenantId: string, agentId: string): string =>
  `${agentsPath(tenantId)}/${checkId(agentId, "agent id")}`;
export const conversationsPath = (tenantId: string): string => `${tenantPath(tenantId)}/conversations`;
export const conversationPath = (tenantId: string, conversationId: string): string =>
  `${conversationsPath(tenantId)}/${checkId(conversationId, "conversation id")}`;
export const messagesPath = (tenantId: string, conversationId: string): string =>
  `${conversationPath(tenantId, conversationId)}/messages`;
export const messagePath = (tenantId: string, conversationId: string, messageId: string): string =>
  `${messagesPath(tenantId, conversationId)}/${checkId(messageId, "message id")}`;
