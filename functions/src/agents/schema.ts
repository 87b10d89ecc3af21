/** Agent Engine collections: agents, conversations and their messages (schemas + paths). */
import { environmentNameSchema } from "../identity/environments.js";
import { z } from "zod";
import { defaultLongTermMemory, longTermMemorySchema } from "../narrative/schema.js";
import { citationSchema } from "../accountability/schema.js";
import { messageFeedbackSchema } from "../accountability/feedback.js";
import { promptRefSchema } from "../prompts/schema.js";
import { idPattern } from "../platform/ids.js";
import { checkId, tenantPath } from "../platform/caller.js";

export const agentStatuses = ["draft", "published", "paused", "archived"] as const;
export type AgentStatus = (typeof agentStatuses)[number];

/** Tool and parameter names as the OpenAI API accepts them. */
export const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/** Tools the platform implements itself. */
export const builtinTools = ["search_knowledge", "current_time"] as const;

const jsonSchemaObject = z.record(z.string(), z.unknown());

export const toolSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("builtin"),
    name: z.enum(builtinTools),
  }),
  z.object({
    kind: z.literal("http"),
    name: z.string().regex(toolNamePattern, "tool names are 1-64 letters, digits, '_' or '-'"),
    description: z.string().min(1).max(1000),
    /** JSON Schema of the arguments object (validated before every call). */
    parameters: jsonSchemaObject,
    /** Called with the arguments as a JSON body (POST) or query string (GET); the response becomes the tool result. */
    url: z.url({ protocol: /^https?$/ }),
    method: z.enum(["GET", "POST"]).default("POST"),
    timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  }),
  z.object({
    /** A published version of a Tool Forge tool set: its tools, pinned (a newer version needs a republish). */
    kind: z.literal("toolset"),
    toolSetId: z.string().regex(idPattern, "must be a tool set id"),
    version: z.number().int().min(1),
    /** Only these of the version's tools; all of them when omitted. */
    only: z.array(z.string().regex(toolNamePattern)).min(1).max(200).optional(),
  }),
]);
export type ToolConfig = z.infer<typeof toolSchema>;
/** The tools an agent names one by one (not a tool set's). */
export type NamedToolConfig = Exclude<ToolConfig, { kind: "toolset" }>;

export const agentChannels = [
  "api",
  "openai-compatible",
  "callable",
  "studio",
  "mcp",
  "whatsapp",
  "widget",
] as const;

/** What an editor configures; a published version is an immutable copy of it. */
export const agentConfigSchema = z.object({
  name: z.string().min(1).max(120),
  description: z.string().max(2000).default(""),
  instructions: z.string().max(20_000),
  model: z
    .object({
      /** `null` uses the platform's configured chat model. */
      name: z.string().max(200).nullable().default(null),
      temperature: z.number().min(0).max(2).default(0.2),
      maxOutputTokens: z.number().int().min(16).max(16_384).default(800),
    })
    .default({ name: null, temperature: 0.2, maxOutputTokens: 800 }),
  knowledgeBaseIds: z.array(z.string().regex(idPattern)).max(20),
  tools: z.array(toolSchema).max(20).default([]),
  /** Tool-calling rounds per turn before the agent must answer. */
  maxToolSteps: z.number().int().min(0).max(10).default(4),
  guardrails: z
    .object({
      /** Questions on these topics are declined before any retrieval or model call. */
      blockedTopics: z.array(z.string().trim().min(1).max(120)).max(50).default([]),
      /** Redact personal data (emails, phone and card numbers...) from traces and logs. */
      redactPii: z.boolean().default(true),
    })
    .default({ blockedTopics: [], redactPii: true }),
  /** Below this confidence the agent abstains instead of answering. */
  confidenceThreshold: z.number().min(0).max(1),
  /** How many earlier messages are sent verbatim with each turn; older ones are summarized. */
  memoryWindow: z.number().int().min(0).max(50),
  /** Estimated tokens the model may be sent per turn (history, passages and the answer's room). */
  contextBudgetTokens: z.number().int().min(1000).max(1_000_000).default(8000),
  channels: z.array(z.enum(agentChannels)).default([...agentChannels]),
  /**
   * The agent's own quotas, under the plan's (billing/limits.ts): new conversations per UTC day, and per end
   * user per day (a public widget's visitors). Null: none beyond the plan's.
   */
  quotas: z
    .object({
      conversationsPerDay: z.number().int().min(1).max(10_000_000).nullable().default(null),
      conversationsPerEndUserPerDay: z.number().int().min(1).max(100_000).nullable().default(null),
    })
    .default({ conversationsPerDay: null, conversationsPerEndUserPerDay: null }),
  /**
   * A Prompt Engine template whose rendering replaces `instructions` (prompts/templates.ts): a label or a
   * version, and values for its variables. A published version pins the label's version at publish.
   */
  prompt: promptRefSchema.nullable().optional(),
  /**
   * Long-term memory about each end user (narrative/): facts and preferences remembered across conversations,
   * recalled as evidence, and what the agent told them, checked for contradictions. Off unless turned on.
   */
  longTermMemory: longTermMemorySchema.default(defaultLongTermMemory),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/**
 * The optional check before publishing: the Sandbox runs the golden dataset against the draft and the
 * published version, and refuses to publish a draft whose accuracy is lower by more than `maxDrop`. Kept on
 * the agent, outside the versioned configuration (a version never carries it); set with
 * `PUT /v1/agents/{agentId}/publish-gate` and enforced by the publish route the API composes.
 */
export const publishGateSchema = z.object({
  enabled: z.boolean(),
  /** The golden dataset (the Sandbox's `evalDatasets`). */
  datasetId: z.string().regex(idPattern, "must be a dataset id"),
  /** The largest drop in accuracy (0..1, e.g. 0.05 for five points) the draft may show. */
  maxDrop: z.number().min(0).max(1),
  /** How long a publish waits for the gate's runs before it is refused as timed out. */
  timeoutSeconds: z.number().int().min(10).max(240).default(120),
});
export type PublishGate = z.infer<typeof publishGateSchema>;

export const agentSchema = agentConfigSchema.extend({
  status: z.enum(agentStatuses),
  /** The version conversations get by default; `null` until the first publish. */
  publishedVersion: z.number().int().min(1).nullable().default(null),
  /** The highest version number published so far (0 before the first publish). */
  latestVersion: z.number().int().min(0).default(0),
  /** The check before publishing, when one is set (not part of any version). */
  publishGate: publishGateSchema.nullable().default(null),
  /**
   * The version each environment other than production serves (production's is `publishedVersion`); an
   * environment absent here serves nothing yet (agents/environments.ts).
   */
  environments: z
    .record(
      z.string(),
      z.object({ version: z.number().int().min(1), updatedAt: z.string(), updatedBy: z.string() }),
    )
    .default({}),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Agent = z.infer<typeof agentSchema>;

export const agentVersionSchema = z.object({
  version: z.number().int().min(1),
  config: agentConfigSchema,
  note: z.string().max(500).default(""),
  publishedAt: z.string(),
  publishedBy: z.string(),
});
export type AgentVersion = z.infer<typeof agentVersionSchema>;

/**
 * Which configuration answers a conversation: `published` follows the agent's published version (a
 * rollback or a new publish applies from the next turn), a number pins one version, `draft` is the
 * studio's playground. Each answer records the version that produced it.
 */
export const versionSelectorSchema = z.union([
  z.literal("published"),
  z.literal("draft"),
  z.number().int().min(1),
  /** Follows what one environment serves (production's is the same as `published`). */
  z.object({ environment: environmentNameSchema }).strict(),
]);
export type VersionSelector = z.infer<typeof versionSelectorSchema>;

export const conversationSchema = z.object({
  agentId: z.string(),
  agentVersion: versionSelectorSchema,
  channel: z.enum(agentChannels),
  endUserRef: z.string().nullable(),
  /**
   * The credential that started it (`Caller.uid`: an account, a Firebase uid or `apikey:<id>`): only it may
   * continue the conversation, and reading it otherwise needs `conversations.view`. `null` for
   * conversations started before this was recorded.
   */
  startedBy: z.string().nullable().default(null),
  messageCount: z.number().int().min(0),
  /** Extractive summary of the messages before `throughSeq` (exclusive), kept as the window slides. */
  summary: z
    .object({ text: z.string(), throughSeq: z.number().int().min(0) })
    .nullable()
    .default(null),
  /** The confirmation its latest answer asks for, while it is pending (agents/confirmations.ts). */
  pendingConfirmationId: z.string().nullable().default(null),
  /**
   * Started by the Sandbox (an eval run, a replay, a simulation): every turn is a Sandbox turn (turn.ts), and
   * the conversation is left out of conversation listings.
   */
  sandbox: z.literal(true).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Conversation = z.infer<typeof conversationSchema>;

export const deliveryStatuses = ["accepted", "sent", "delivered", "read", "failed", "not-sent"] as const;

export const deliverySchema = z.object({
  status: z.enum(deliveryStatuses),
  /** When the channel reported it. */
  at: z.string(),
  /** Why it failed or was not sent (the channel's code and message). */
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;

export const confirmationStatuses = ["pending", "confirmed", "cancelled", "expired", "superseded"] as const;
export type ConfirmationStatus = (typeof confirmationStatuses)[number];

/** A request as it is (or would be) sent, secrets masked: what an end user confirms. */
export const shownRequestSchema = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string().nullable(),
});

/**
 * What an answer asks its end user to confirm: a `write` tool's call that has not run. The channel shows it
 * (a button, a reply) and its status follows the decision.
 */
export const messageConfirmationSchema = z.object({
  id: z.string(),
  toolName: z.string(),
  /** One line: the tool, then what it will send. */
  summary: z.string(),
  request: shownRequestSchema,
  expiresAt: z.string(),
  status: z.enum(confirmationStatuses),
});
export type MessageConfirmation = z.infer<typeof messageConfirmationSchema>;

/**
 * `tenants/{t}/conversations/{c}/confirmations/{id}`: one write tool call waiting for (or past) its end user's
 * decision. Written with the answer that asks for it; claimed once by the decision, in a transaction, so a
 * replayed or concurrent confirmation never runs the call twice.
 */
export const confirmationSchema = z.object({
  status: z.enum(confirmationStatuses),
  toolName: z.string(),
  toolSetId: z.string(),
  toolSetVersion: z.number().int().min(1),
  /** The model's call id, so the resumed turn can show the model its own call. */
  toolCallId: z.string(),
  /** The validated arguments, as JSON: run exactly as shown. */
  arguments: z.string(),
  summary: z.string(),
  request: shownRequestSchema,
  requestedAt: z.string(),
  expiresAt: z.string(),
  /** The turn that asked, and its answer. */
  requestTraceId: z.string(),
  requestMessageId: z.string(),
  decidedAt: z.string().nullable().default(null),
  /** The credential (or end user) that decided. */
  decidedBy: z.string().nullable().default(null),
  /** The turn that ran (or cancelled) the call after the decision. */
  resultTraceId: z.string().nullable().default(null),
  /** How the call went, once run. */
  outcome: z
    .object({ status: z.enum(["ok", "error"]), error: z.string().nullable() })
    .nullable()
    .default(null),
});
export type Confirmation = z.infer<typeof confirmationSchema>;

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
  /** The agent version that answered ("draft" in the playground); null on user messages. */
  agentVersion: z
    .union([z.literal("draft"), z.number().int()])
    .nullable()
    .default(null),
  /** On an answer: instructions the API caller added for that turn (system or developer messages), if any. */
  callerInstructions: z.string().optional(),
  /**
   * For channels that deliver the answer after the turn (WhatsApp): how far it got to the end user, as the
   * channel last reported it. Absent where the answer was the HTTP response itself.
   */
  delivery: deliverySchema.optional(),
  /** On an answer that asks its end user to confirm a tool's write: what, and how it was decided. */
  confirmation: messageConfirmationSchema.optional(),
  /** On a rated answer: the rating and comment, mirrored from its feedback record (accountability/feedback.ts). */
  feedback: messageFeedbackSchema.optional(),
});
export type Message = z.infer<typeof messageSchema>;

export const agentsPath = (tenantId: string): string => `${tenantPath(tenantId)}/agents`;
export const agentPath = (tenantId: string, agentId: string): string =>
  `${agentsPath(tenantId)}/${checkId(agentId, "agent id")}`;
export const agentVersionsPath = (tenantId: string, agentId: string): string =>
  `${agentPath(tenantId, agentId)}/versions`;
/** Every change of what an environment serves (publish, promote, rollback), newest first by `at`. */
export const releasesPath = (tenantId: string, agentId: string): string =>
  `${agentPath(tenantId, agentId)}/releases`;
export const releaseSchema = z.object({
  environment: z.string(),
  version: z.number().int().min(1),
  previousVersion: z.number().int().min(1).nullable(),
  action: z.enum(["publish", "promote", "rollback"]),
  /** The environment a promotion took the version from. */
  from: z.string().nullable(),
  at: z.string(),
  by: z.string(),
  note: z.string().default(""),
});
export type Release = z.infer<typeof releaseSchema>;

export const agentVersionPath = (tenantId: string, agentId: string, version: number): string =>
  `${agentVersionsPath(tenantId, agentId)}/v${String(version).padStart(6, "0")}`;
export const conversationsPath = (tenantId: string): string => `${tenantPath(tenantId)}/conversations`;
export const conversationPath = (tenantId: string, conversationId: string): string =>
  `${conversationsPath(tenantId)}/${checkId(conversationId, "conversation id")}`;
export const messagesPath = (tenantId: string, conversationId: string): string =>
  `${conversationPath(tenantId, conversationId)}/messages`;
export const messagePath = (tenantId: string, conversationId: string, messageId: string): string =>
  `${messagesPath(tenantId, conversationId)}/${checkId(messageId, "message id")}`;
export const confirmationsPath = (tenantId: string, conversationId: string): string =>
  `${conversationPath(tenantId, conversationId)}/confirmations`;
export const confirmationPath = (tenantId: string, conversationId: string, id: string): string =>
  `${confirmationsPath(tenantId, conversationId)}/${checkId(id, "confirmation id")}`;
